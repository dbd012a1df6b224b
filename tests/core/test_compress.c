/* CRC-32 and the zlib wrappers: check values, round trips, damaged streams,
 * and zlib's own allocations going through the hooks. */
#include <string.h>

#include <mlops.h>

#include "core/alloc.h"
#include "core/compress.h"
#include "fault_alloc.h"
#include "runner.h"

START_TEST(crc32_check_value)
{
    /* The catalogued check value of CRC-32/ISO-HDLC over "123456789". */
    ck_assert_uint_eq(mlops__crc32(0, "123456789", 9), 0xCBF43926u);
    ck_assert_uint_eq(mlops__crc32(mlops__crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
    ck_assert_uint_eq(mlops__crc32(0, "", 0), 0);
}
END_TEST

static void fill(unsigned char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)("abcabcabd"[i % 9] + (i / 4096) % 3);
}

START_TEST(round_trip)
{
    static unsigned char data[200000], back[200000];
    fill(data, sizeof data);
    unsigned char *z;
    size_t zlen;
    ck_assert_int_eq(mlops__deflate(data, sizeof data, &z, &zlen), MLOPS_OK);
    ck_assert_uint_lt(zlen, sizeof data / 10);
    ck_assert_int_eq(mlops__inflate(z, zlen, back, sizeof back, "t"), MLOPS_OK);
    ck_assert_mem_eq(data, back, sizeof data);
    mlops__free(z);
    ck_assert_int_eq(mlops__deflate("", 0, &z, &zlen), MLOPS_OK);
    ck_assert_int_eq(mlops__inflate(z, zlen, back, 0, "empty"), MLOPS_OK);
    mlops__free(z);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(damaged_streams_are_corrupt)
{
    static unsigned char data[5000], back[5000];
    fill(data, sizeof data);
    unsigned char *z;
    size_t zlen;
    ck_assert_int_eq(mlops__deflate(data, sizeof data, &z, &zlen), MLOPS_OK);
    /* Truncated, wrong expected size (both ways), trailing garbage, flipped byte. */
    ck_assert_int_eq(mlops__inflate(z, zlen - 3, back, sizeof back, "sec"), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "sec: compressed data is damaged"));
    ck_assert_int_eq(mlops__inflate(z, zlen, back, sizeof back - 1, "sec"), MLOPS_ECORRUPT);
    static unsigned char bigger[6000];
    ck_assert_int_eq(mlops__inflate(z, zlen, bigger, sizeof bigger, "sec"), MLOPS_ECORRUPT);
    unsigned char *padded = mlops__malloc(zlen + 2, "t");
    memcpy(padded, z, zlen);
    padded[zlen] = padded[zlen + 1] = 0;
    ck_assert_int_eq(mlops__inflate(padded, zlen + 2, back, sizeof back, "sec"), MLOPS_ECORRUPT);
    z[zlen / 2] ^= 0x55;
    ck_assert_int_eq(mlops__inflate(z, zlen, back, sizeof back, "sec"), MLOPS_ECORRUPT);
    ck_assert_int_eq(mlops__inflate("not zlib", 8, back, 10, "sec"), MLOPS_ECORRUPT);
    mlops__free(padded);
    mlops__free(z);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static int deflate_op(void *ctx)
{
    static unsigned char data[100000];
    fill(data, sizeof data);
    size_t len;
    return mlops__deflate(data, sizeof data, ctx, &len);
}

static void deflate_undo(void *ctx)
{
    mlops__free(*(unsigned char **)ctx);
}

START_TEST(zlib_allocations_go_through_hooks)
{
    unsigned char *z = NULL;
    /* zlib allocates its state and window through the hooks; each failure is
     * an ENOMEM with nothing leaked. */
    ck_assert_int_ge(fault_alloc_sweep(deflate_op, deflate_undo, &z), 3);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("compress");
    TCase *tc = tcase_create("zlib");
    tcase_add_test(tc, crc32_check_value);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, damaged_streams_are_corrupt);
    tcase_add_test(tc, zlib_allocations_go_through_hooks);
    suite_add_tcase(s, tc);
    return s;
}
