/* The binary container: round trips, the golden version-1 file written by an
 * independent Python writer, and damage of every kind (each flipped byte,
 * each truncation) reported as an error, never a crash or wrong data. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <mlops.h>

#include "core/alloc.h"
#include "core/compress.h"
#include "core/container.h"
#include "core/file.h"
#include "fault_alloc.h"
#include "runner.h"

#ifndef GOLDEN_DIR
#error "GOLDEN_DIR must name tests/golden"
#endif

static unsigned char *image;
static size_t image_len;

static void build_sample(void)
{
    mlops__container_writer w;
    ck_assert_int_eq(mlops__cw_init(&w, "MODL", 7), MLOPS_OK);
    ck_assert_int_eq(mlops__cw_add(&w, "META", "{\"kind\":\"logistic\"}", 19, false), MLOPS_OK);
    static double coef[512];
    for (int i = 0; i < 512; i++) coef[i] = i * 0.5;
    ck_assert_int_eq(mlops__cw_add(&w, "COEF", coef, sizeof coef, true), MLOPS_OK);
    ck_assert_int_eq(mlops__cw_add(&w, "EMPT", NULL, 0, true), MLOPS_OK);
    ck_assert_int_eq(mlops__cw_finish(&w, &image, &image_len), MLOPS_OK);
    mlops__cw_free(&w);
}

static void free_sample(void)
{
    mlops__free(image);
    image = NULL;
}

START_TEST(round_trip)
{
    mlops__container c;
    ck_assert_int_eq(mlops__container_parse(&c, image, image_len, "mem", "MODL"), MLOPS_OK);
    ck_assert_str_eq(c.kind, "MODL");
    ck_assert_uint_eq(c.kind_version, 7);
    ck_assert_uint_eq(c.count, 3);
    ck_assert(mlops__container_has(&c, "COEF"));
    ck_assert(!mlops__container_has(&c, "NOPE"));
    unsigned char *data;
    size_t len;
    ck_assert_int_eq(mlops__container_read(&c, "META", &data, &len), MLOPS_OK);
    ck_assert_uint_eq(len, 19);
    ck_assert_str_eq((char *)data, "{\"kind\":\"logistic\"}");
    mlops__free(data);
    ck_assert_int_eq(mlops__container_read(&c, "COEF", &data, &len), MLOPS_OK);
    ck_assert_uint_eq(len, 512 * sizeof(double));
    double v;
    memcpy(&v, data + 511 * sizeof(double), sizeof v);
    ck_assert(v == 255.5);
    mlops__free(data);
    ck_assert_int_eq(mlops__container_read(&c, "EMPT", &data, &len), MLOPS_OK);
    ck_assert_uint_eq(len, 0);
    mlops__free(data);
    ck_assert_int_eq(mlops__container_read(&c, "NOPE", &data, &len), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mem: no section 'NOPE'"));
    mlops__container_free(&c);
    ck_assert_uint_eq(mlops_live_allocations(), 1); /* the sample image */
}
END_TEST

START_TEST(golden_version_1_file_reads)
{
    mlops__container c;
    ck_assert_int_eq(mlops__container_open(&c, GOLDEN_DIR "/container_v1.bin", 1 << 20, "TEST"),
                     MLOPS_OK);
    ck_assert_uint_eq(c.version, 1);
    ck_assert_uint_eq(c.kind_version, 3);
    ck_assert_uint_eq(c.count, 4);
    unsigned char *data;
    size_t len;
    ck_assert_int_eq(mlops__container_read(&c, "TEXT", &data, &len), MLOPS_OK);
    ck_assert_str_eq((char *)data, "golden container, format version 1\n");
    mlops__free(data);
    ck_assert_int_eq(mlops__container_read(&c, "NUMS", &data, &len), MLOPS_OK);
    double v[4];
    ck_assert_uint_eq(len, sizeof v);
    memcpy(v, data, sizeof v);
    ck_assert(v[0] == 1.5 && v[1] == -2.25 && v[2] == 1e300 && v[3] == 0.1);
    mlops__free(data);
    ck_assert_int_eq(mlops__container_read(&c, "BULK", &data, &len), MLOPS_OK);
    ck_assert_uint_eq(len, 10000);
    for (size_t i = 0; i < len; i++) ck_assert_uint_eq(data[i], i % 7);
    mlops__free(data);
    mlops__container_free(&c);
}
END_TEST

/* Parses and reads every section; returns the first failure. */
static int load_all(const unsigned char *buf, size_t len)
{
    mlops__container c;
    int rc = mlops__container_parse(&c, buf, len, "damaged", NULL);
    if (rc != MLOPS_OK) return rc;
    for (size_t i = 0; rc == MLOPS_OK && i < c.count; i++) {
        unsigned char *data;
        size_t n;
        rc = mlops__container_read(&c, c.sections[i].tag, &data, &n);
        if (rc == MLOPS_OK) mlops__free(data);
    }
    mlops__container_free(&c);
    return rc;
}

START_TEST(every_flipped_byte_is_detected)
{
    unsigned char *copy = mlops__malloc(image_len, "copy");
    for (size_t i = 0; i < image_len; i++) {
        memcpy(copy, image, image_len);
        copy[i] ^= 0x01;
        int rc = load_all(copy, image_len);
        ck_assert_msg(rc == MLOPS_ECORRUPT || rc == MLOPS_EFORMAT,
                      "flipping byte %zu gave %d (%s)", i, rc, mlops_last_error());
    }
    mlops__free(copy);
    ck_assert_uint_eq(mlops_live_allocations(), 1);
}
END_TEST

START_TEST(every_truncation_and_extension_is_detected)
{
    for (size_t n = 0; n < image_len; n++) {
        int rc = load_all(image, n);
        ck_assert_msg(rc == MLOPS_ECORRUPT || rc == MLOPS_EFORMAT, "length %zu gave %d", n, rc);
    }
    unsigned char *longer = mlops__malloc(image_len + 1, "copy");
    memcpy(longer, image, image_len);
    longer[image_len] = 0;
    ck_assert_int_eq(load_all(longer, image_len + 1), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "after the last section"));
    mlops__free(longer);
    ck_assert_uint_eq(mlops_live_allocations(), 1);
}
END_TEST

static void fix_header_crc(unsigned char *buf)
{
    uint32_t crc = mlops__crc32(0, buf, 24);
    for (int i = 0; i < 4; i++) buf[24 + i] = (unsigned char)(crc >> (8 * i));
}

START_TEST(versions_kinds_and_magic)
{
    unsigned char *copy = mlops__malloc(image_len, "copy");
    mlops__container c;
    memcpy(copy, image, image_len);
    copy[8] = 2; /* a future container version */
    fix_header_crc(copy);
    ck_assert_int_eq(mlops__container_parse(&c, copy, image_len, "future.bin", NULL), MLOPS_EVERSION);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "future.bin: container version 2"));
    ck_assert_int_eq(mlops__container_parse(&c, image, image_len, "m.bin", "PROF"), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "holds a 'MODL' object, expected 'PROF'"));
    ck_assert_int_eq(mlops__container_parse(&c, "hello,world\n1,2\n", 16, "x.csv", NULL), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not a libmlops file"));
    ck_assert_int_eq(mlops__container_parse(&c, NULL, 0, "x", NULL), MLOPS_EINVAL);
    mlops__free(copy);
    ck_assert_uint_eq(mlops_live_allocations(), 1);
}
END_TEST

START_TEST(writer_argument_checks)
{
    mlops__container_writer w;
    ck_assert_int_eq(mlops__cw_init(&w, "AB", 1), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__cw_init(&w, "AB C", 1), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__cw_init(&w, NULL, 1), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__cw_init(&w, "GOOD", 1), MLOPS_OK);
    ck_assert_int_eq(mlops__cw_add(&w, "TOOLONG", "x", 1, false), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__cw_add(&w, "DATA", NULL, 5, false), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__cw_add(&w, "DATA", "x", 1, false), MLOPS_OK);
    ck_assert_int_eq(mlops__cw_add(&w, "DATA", "y", 1, false), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "duplicate section 'DATA'"));
    mlops__cw_free(&w);
    ck_assert_uint_eq(mlops_live_allocations(), 1);
}
END_TEST

static int save_and_load(void *ctx)
{
    const char *path = ctx;
    mlops__container_writer w;
    int rc = mlops__cw_init(&w, "PROF", 1);
    static const char text[] = "profile text that compresses: aaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    if (rc == MLOPS_OK) rc = mlops__cw_add(&w, "TEXT", text, sizeof text, true);
    if (rc == MLOPS_OK) rc = mlops__cw_add(&w, "RAWB", text, sizeof text, false);
    if (rc == MLOPS_OK) rc = mlops__cw_write_file(&w, path);
    mlops__cw_free(&w);
    if (rc != MLOPS_OK) return rc;
    mlops__container c;
    rc = mlops__container_open(&c, path, 1 << 20, "PROF");
    if (rc != MLOPS_OK) return rc;
    unsigned char *data;
    size_t len;
    rc = mlops__container_read(&c, "TEXT", &data, &len);
    if (rc == MLOPS_OK) {
        ck_assert_str_eq((char *)data, text);
        mlops__free(data);
    }
    mlops__container_free(&c);
    return rc;
}

START_TEST(allocation_failures_through_save_and_load)
{
    char path[] = "/tmp/mlops-test-container-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_ge(fault_alloc_sweep(save_and_load, NULL, path), 8);
    unlink(path);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("container");
    TCase *tc = tcase_create("format");
    tcase_add_checked_fixture(tc, build_sample, free_sample);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, golden_version_1_file_reads);
    tcase_add_test(tc, every_flipped_byte_is_detected);
    tcase_add_test(tc, every_truncation_and_extension_is_detected);
    tcase_add_test(tc, versions_kinds_and_magic);
    tcase_add_test(tc, writer_argument_checks);
    tcase_add_test(tc, allocation_failures_through_save_and_load);
    suite_add_tcase(s, tc);
    return s;
}
