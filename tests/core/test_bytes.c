/* The shared little-endian byte encoding: exact bytes of every writer
 * operation, round trips through the reader, every truncation and bad
 * string handed to the format's fault hook with the right position and
 * values, and allocation failures on both sides. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mlops.h>

#include "core/alloc.h"
#include "core/bytes.h"
#include "core/error.h"
#include "fault_alloc.h"
#include "runner.h"

/* The last fault the hook saw, and a message naming it, as a format would. */
static struct {
    int calls;
    mlops__rbuf_fault fault;
    char field[64];
    uint64_t value;
    size_t detail, pos;
} seen;

static int hook(const mlops__rbuf *r, mlops__rbuf_fault f, const char *field, uint64_t value,
                size_t detail)
{
    seen.calls++;
    seen.fault = f;
    snprintf(seen.field, sizeof seen.field, "%s", field);
    seen.value = value;
    seen.detail = detail;
    seen.pos = r->pos;
    return mlops__fail(MLOPS_ECORRUPT, "test bytes: field '%s' fault %d", field, (int)f);
}

static mlops__rbuf reader(const unsigned char *p, size_t len)
{
    memset(&seen, 0, sizeof seen);
    mlops__rbuf r = {p, len, 0, MLOPS_OK, "test string", hook};
    return r;
}

static void check_fault(const mlops__rbuf *r, mlops__rbuf_fault f, const char *field,
                        uint64_t value, size_t pos)
{
    ck_assert_int_eq(r->status, MLOPS_ECORRUPT);
    ck_assert_int_eq(seen.calls, 1);
    ck_assert_int_eq(seen.fault, f);
    ck_assert_str_eq(seen.field, field);
    ck_assert_uint_eq(seen.value, value);
    ck_assert_uint_eq(seen.pos, pos);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), field));
}

START_TEST(little_endian_store_and_load)
{
    unsigned char p[8];
    mlops__le_store(p, 0x0102030405060708u, 8);
    static const unsigned char want[8] = {8, 7, 6, 5, 4, 3, 2, 1};
    ck_assert_mem_eq(p, want, 8);
    ck_assert_uint_eq(mlops__le_load(p, 8), 0x0102030405060708u);
    ck_assert_uint_eq(mlops__le_load(p, 2), 0x0708);
    ck_assert_uint_eq(mlops__le_load(p, 0), 0);
    mlops__le_store(p, 0xabcdef, 3);
    ck_assert_uint_eq(p[0], 0xef);
    ck_assert_uint_eq(p[2], 0xab);
    ck_assert_uint_eq(p[3], 5); /* untouched */
}
END_TEST

START_TEST(writer_writes_exact_bytes)
{
    mlops__wbuf b = {.label = "test encoding"};
    mlops__wbuf_put(&b, "MG", 2);
    mlops__wbuf_put(&b, NULL, 0);
    mlops__wbuf_put_le(&b, 0x1234, 2);
    mlops__wbuf_put_le(&b, 0xffffffffu, 4);
    mlops__wbuf_put_f64(&b, 1.0);
    mlops__wbuf_put_str(&b, "h\xc3\xa9");
    mlops__wbuf_put_str(&b, NULL);
    ck_assert_int_eq(b.status, MLOPS_OK);
    static const unsigned char want[] = {
        'M', 'G', 0x34, 0x12, 0xff, 0xff, 0xff, 0xff,               /* put, le16, le32 */
        0, 0, 0, 0, 0, 0, 0xf0, 0x3f,                               /* 1.0 */
        3, 0, 0, 0, 'h', 0xc3, 0xa9, 0, 0, 0, 0,                    /* "hé", "" */
    };
    ck_assert_uint_eq(b.len, sizeof want);
    ck_assert_mem_eq(b.buf, want, sizeof want);
    mlops__free(b.buf);
}
END_TEST

START_TEST(writer_grows_past_its_first_block)
{
    mlops__wbuf b = {.label = "test encoding"};
    for (uint64_t i = 0; i < 1000; i++) mlops__wbuf_put_le(&b, i * 0x01000193u, 8);
    ck_assert_int_eq(b.status, MLOPS_OK);
    ck_assert_uint_eq(b.len, 8000);
    ck_assert_uint_ge(b.cap, b.len);
    for (uint64_t i = 0; i < 1000; i++)
        ck_assert_uint_eq(mlops__le_load(b.buf + 8 * i, 8), i * 0x01000193u);
    mlops__free(b.buf);
}
END_TEST

/* The largest n-byte value. */
static uint64_t all_ones(size_t n)
{
    return n == 0 ? 0 : UINT64_MAX >> (64 - 8 * n);
}

START_TEST(values_round_trip)
{
    static const double doubles[] = {0.0, -0.0, 0.1, -2.5e-300, 1e308, 4.9e-324, INFINITY, NAN};
    static const char *const strings[] = {"", "a", "caf\xc3\xa9", "\xf0\x9f\x98\x80 emoji"};
    mlops__wbuf b = {.label = "test encoding"};
    for (size_t i = 0; i < sizeof doubles / sizeof *doubles; i++)
        mlops__wbuf_put_f64(&b, doubles[i]);
    for (size_t n = 0; n <= 8; n++) mlops__wbuf_put_le(&b, all_ones(n), n);
    mlops__wbuf_put_le(&b, 4, 4);
    for (size_t i = 0; i < 4; i++) mlops__wbuf_put_str(&b, strings[i]);
    ck_assert_int_eq(b.status, MLOPS_OK);

    mlops__rbuf r = reader(b.buf, b.len);
    for (size_t i = 0; i < sizeof doubles / sizeof *doubles; i++) {
        double v = mlops__rbuf_get_f64(&r, "double");
        ck_assert_mem_eq(&v, &doubles[i], sizeof v); /* the same bits, NaN and -0 included */
    }
    for (size_t n = 0; n <= 8; n++) {
        ck_assert_uint_eq(mlops__rbuf_get_le(&r, n, "integer"), all_ones(n));
    }
    ck_assert_uint_eq(mlops__rbuf_get_count(&r, 4, 1, "string count"), 4);
    for (size_t i = 0; i < 4; i++) {
        char *s = mlops__rbuf_get_str(&r, "string");
        ck_assert_str_eq(s, strings[i]);
        mlops__free(s);
    }
    ck_assert_int_eq(r.status, MLOPS_OK);
    ck_assert_uint_eq(r.pos, r.len);
    ck_assert_int_eq(seen.calls, 0);
    mlops__free(b.buf);
}
END_TEST

START_TEST(truncation_is_reported_before_the_value)
{
    static const unsigned char p[] = {1, 2, 3, 4, 5};
    mlops__rbuf r = reader(p, sizeof p);
    ck_assert_uint_eq(mlops__rbuf_get_le(&r, 2, "a"), 0x0201);
    ck_assert_uint_eq(mlops__rbuf_get_le(&r, 4, "width"), 0);
    check_fault(&r, MLOPS__RBUF_TRUNCATED, "width", 4, 2);
    /* Later reads do nothing and keep the first fault. */
    ck_assert_uint_eq(mlops__rbuf_get_le(&r, 1, "later"), 0);
    ck_assert_ptr_null(mlops__rbuf_get_str(&r, "later"));
    ck_assert_int_eq(seen.calls, 1);
    ck_assert_uint_eq(r.pos, 2);

    r = reader(p, sizeof p);
    double v = mlops__rbuf_get_f64(&r, "mean");
    ck_assert(v == 0.0);
    check_fault(&r, MLOPS__RBUF_TRUNCATED, "mean", 8, 0);

    r = reader(p, 0);
    ck_assert_uint_eq(mlops__rbuf_get_count(&r, 4, 1, "count"), 0);
    check_fault(&r, MLOPS__RBUF_TRUNCATED, "count", 4, 0);
}
END_TEST

START_TEST(every_truncation_of_an_encoding_fails)
{
    mlops__wbuf b = {.label = "test encoding"};
    mlops__wbuf_put_le(&b, 2, 4);
    mlops__wbuf_put_str(&b, "alpha");
    mlops__wbuf_put_f64(&b, 3.5);
    ck_assert_int_eq(b.status, MLOPS_OK);
    for (size_t len = 0; len < b.len; len++) {
        mlops__rbuf r = reader(b.buf, len);
        mlops__rbuf_get_le(&r, 4, "n");
        char *s = mlops__rbuf_get_str(&r, "name");
        mlops__rbuf_get_f64(&r, "value");
        ck_assert_int_eq(s != NULL, len >= 13); /* count, length, "alpha" */
        mlops__free(s);
        ck_assert_int_eq(r.status, MLOPS_ECORRUPT);
        ck_assert_int_eq(seen.calls, 1);
        /* the string's length arrives whole from byte 8 on, and runs past the end */
        ck_assert_int_eq(seen.fault, len >= 8 && len < 13 ? MLOPS__RBUF_STRING
                                                          : MLOPS__RBUF_TRUNCATED);
    }
    mlops__free(b.buf);
}
END_TEST

START_TEST(counts_must_fit_in_what_remains)
{
    /* 3 entries of at least 2 bytes need 6, but 5 remain. */
    static const unsigned char p[] = {3, 0, 1, 2, 3, 4, 5};
    mlops__rbuf r = reader(p, sizeof p);
    ck_assert_uint_eq(mlops__rbuf_get_count(&r, 2, 2, "entry count"), 0);
    check_fault(&r, MLOPS__RBUF_COUNT, "entry count", 3, 2);

    r = reader(p, sizeof p);
    ck_assert_uint_eq(mlops__rbuf_get_count(&r, 1, 1, "byte count"), 3);
    ck_assert_int_eq(r.status, MLOPS_OK);

    static const unsigned char big[] = {0xff, 0xff, 0xff, 0xff};
    r = reader(big, sizeof big);
    ck_assert_uint_eq(mlops__rbuf_get_count(&r, 4, 1, "huge count"), 0);
    check_fault(&r, MLOPS__RBUF_COUNT, "huge count", 0xffffffffu, 4);
}
END_TEST

START_TEST(bad_strings_are_refused)
{
    static const unsigned char past[] = {9, 0, 0, 0, 'a', 'b'};
    mlops__rbuf r = reader(past, sizeof past);
    ck_assert_ptr_null(mlops__rbuf_get_str(&r, "label"));
    check_fault(&r, MLOPS__RBUF_STRING, "label", 9, 4);

    static const unsigned char nul[] = {3, 0, 0, 0, 'a', 0, 'b'};
    r = reader(nul, sizeof nul);
    ck_assert_ptr_null(mlops__rbuf_get_str(&r, "key"));
    check_fault(&r, MLOPS__RBUF_NUL, "key", 3, 4);

    static const unsigned char utf8[] = {5, 0, 0, 0, 'a', 'b', 'c', 0xc3, 0x28};
    r = reader(utf8, sizeof utf8);
    ck_assert_ptr_null(mlops__rbuf_get_str(&r, "value"));
    check_fault(&r, MLOPS__RBUF_UTF8, "value", 5, 4);
    ck_assert_uint_eq(seen.detail, 3);
}
END_TEST

START_TEST(string_allocation_failure)
{
    static const unsigned char p[] = {2, 0, 0, 0, 'o', 'k'};
    mlops__rbuf r = reader(p, sizeof p);
    size_t live = mlops_live_allocations();
    fault_alloc_fail_at(0);
    ck_assert_ptr_null(mlops__rbuf_get_str(&r, "name"));
    fault_alloc_fail_at(-1);
    ck_assert_int_eq(r.status, MLOPS_ENOMEM);
    ck_assert_int_eq(seen.calls, 0);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "test string"));
    ck_assert_uint_eq(mlops_live_allocations(), live);
    ck_assert_ptr_null(mlops__rbuf_get_str(&r, "name")); /* stays failed */
}
END_TEST

/* Writes and reads back a few kilobytes, growing the buffer several times. */
static int encode_decode(void *ctx)
{
    (void)ctx;
    mlops__wbuf b = {.label = "test encoding"};
    for (int i = 0; i < 300; i++) {
        mlops__wbuf_put_str(&b, "a moderately long string value");
        mlops__wbuf_put_f64(&b, i * 0.5);
    }
    if (b.status != MLOPS_OK) {
        mlops__free(b.buf);
        return b.status;
    }
    mlops__rbuf r = reader(b.buf, b.len);
    for (int i = 0; i < 300 && r.status == MLOPS_OK; i++) {
        mlops__free(mlops__rbuf_get_str(&r, "text"));
        mlops__rbuf_get_f64(&r, "number");
    }
    mlops__free(b.buf);
    return r.status;
}

START_TEST(allocation_failures_are_clean)
{
    ck_assert_int_gt(fault_alloc_sweep(encode_decode, NULL, NULL), 4);
    /* A failed growth names the encoding. */
    mlops__wbuf b = {.label = "test encoding"};
    fault_alloc_fail_at(0);
    mlops__wbuf_put_le(&b, 1, 1);
    fault_alloc_fail_at(-1);
    ck_assert_int_eq(b.status, MLOPS_ENOMEM);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "test encoding"));
    mlops__wbuf_put_le(&b, 1, 1); /* stays failed, allocates nothing */
    ck_assert_ptr_null(b.buf);
    ck_assert_uint_eq(b.len, 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("bytes");
    TCase *tc = tcase_create("encoding");
    tcase_add_test(tc, little_endian_store_and_load);
    tcase_add_test(tc, writer_writes_exact_bytes);
    tcase_add_test(tc, writer_grows_past_its_first_block);
    tcase_add_test(tc, values_round_trip);
    tcase_add_test(tc, truncation_is_reported_before_the_value);
    tcase_add_test(tc, every_truncation_of_an_encoding_fails);
    tcase_add_test(tc, counts_must_fit_in_what_remains);
    tcase_add_test(tc, bad_strings_are_refused);
    tcase_add_test(tc, string_allocation_failure);
    tcase_add_test(tc, allocation_failures_are_clean);
    suite_add_tcase(s, tc);
    return s;
}
