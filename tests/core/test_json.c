/* The JSON writer: exact output for escaping, numbers, nesting and the
 * NaN/Inf policy; structural misuse and invalid UTF-8 are refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "core/alloc.h"
#include "core/json.h"
#include "core/numfmt.h"
#include "core/rng.h"
#include "fault_alloc.h"
#include "runner.h"

static char *finish(mlops__json *j)
{
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(mlops__json_finish(j, &text, &len), MLOPS_OK);
    ck_assert_uint_eq(strlen(text), len);
    return text;
}

START_TEST(compact_document)
{
    mlops__json j;
    mlops__json_init(&j, false);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "name");
    mlops__json_string(&j, "a\"b\\c\n\t\r\b\f\x01/\xc3\xa9");
    mlops__json_key(&j, "values");
    mlops__json_begin_array(&j);
    mlops__json_double(&j, 1.0);
    mlops__json_double(&j, 0.1);
    mlops__json_double(&j, -2.5e-300);
    mlops__json_double(&j, NAN);
    mlops__json_double(&j, -INFINITY);
    mlops__json_int(&j, INT64_MIN);
    mlops__json_uint(&j, UINT64_MAX);
    mlops__json_end_array(&j);
    mlops__json_key(&j, "empty");
    mlops__json_begin_object(&j);
    mlops__json_end_object(&j);
    mlops__json_key(&j, "flags");
    mlops__json_begin_array(&j);
    mlops__json_bool(&j, true);
    mlops__json_bool(&j, false);
    mlops__json_null(&j);
    mlops__json_string(&j, NULL);
    mlops__json_string_n(&j, "x\0y", 3);
    mlops__json_end_array(&j);
    mlops__json_end_object(&j);
    char *text = finish(&j);
    ck_assert_str_eq(text,
                     "{\"name\":\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001/\xc3\xa9\","
                     "\"values\":[1,0.1,-2.5e-300,null,null,-9223372036854775808,"
                     "18446744073709551615],\"empty\":{},"
                     "\"flags\":[true,false,null,null,\"x\\u0000y\"]}");
    mlops__free(text);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(pretty_document)
{
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "a");
    mlops__json_begin_array(&j);
    mlops__json_int(&j, 1);
    mlops__json_int(&j, 2);
    mlops__json_end_array(&j);
    mlops__json_key(&j, "b");
    mlops__json_begin_array(&j);
    mlops__json_end_array(&j);
    mlops__json_end_object(&j);
    char *text = finish(&j);
    ck_assert_str_eq(text, "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": []\n}\n");
    mlops__free(text);
}
END_TEST

START_TEST(numbers_round_trip_exactly)
{
    mlops__rng rng;
    mlops__rng_seed(&rng, 99);
    for (int i = 0; i < 20000; i++) {
        uint64_t bits = mlops__rng_next(&rng);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v)) continue;
        char buf[MLOPS_DOUBLE_BUFSIZE];
        size_t n = mlops__format_double(v, buf);
        ck_assert_uint_eq(n, strlen(buf));
        ck_assert_msg(mlops__strtod_c(buf, NULL) == v, "%s does not read back as %a", buf, v);
    }
    char buf[MLOPS_DOUBLE_BUFSIZE];
    mlops__format_double(0.1, buf);
    ck_assert_str_eq(buf, "0.1");
    mlops__format_double(1.0 / 3.0, buf);
    ck_assert_str_eq(buf, "0.3333333333333333");
    mlops__format_double(5e-324, buf);
    ck_assert_str_eq(buf, "4.94065645841247e-324");
    mlops__format_double(-0.0, buf);
    ck_assert_str_eq(buf, "-0");
    /* whole numbers take a shortcut that must write what "%.15g" writes */
    static const double whole[] = {0, 1, -1, 7, 10, -10, 4096, 123456789, 1e14, -1e14,
                                   999999999999999, -999999999999999, 1e15, -1e15, 1e16,
                                   9007199254740993.0, 0.5, -2.5};
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "%.15g", whole[i]);
        if (mlops__strtod_c(want, NULL) != whole[i]) snprintf(want, sizeof want, "%.17g", whole[i]);
        mlops__format_double(whole[i], buf);
        ck_assert_str_eq(buf, want);
    }
    for (long long k = -3000; k <= 3000; k += 7) {
        char want[64];
        snprintf(want, sizeof want, "%.15g", (double)k * 1234567);
        mlops__format_double((double)k * 1234567, buf);
        ck_assert_str_eq(buf, want);
    }
}
END_TEST

START_TEST(structure_misuse_is_refused)
{
    mlops__json j;
    char *text;
    size_t len;

    mlops__json_init(&j, false);
    mlops__json_begin_object(&j);
    ck_assert_int_eq(mlops__json_int(&j, 1), MLOPS_ESTATE); /* value without key */
    ck_assert_int_eq(mlops__json_finish(&j, &text, &len), MLOPS_ESTATE);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "without a key"));

    mlops__json_init(&j, false);
    mlops__json_begin_array(&j);
    ck_assert_int_eq(mlops__json_key(&j, "k"), MLOPS_ESTATE); /* key in array */
    mlops__json_free(&j);

    mlops__json_init(&j, false);
    mlops__json_begin_array(&j);
    ck_assert_int_eq(mlops__json_end_object(&j), MLOPS_ESTATE); /* mismatched close */
    mlops__json_free(&j);

    mlops__json_init(&j, false);
    mlops__json_begin_object(&j);
    ck_assert_int_eq(mlops__json_finish(&j, &text, &len), MLOPS_ESTATE); /* unclosed */
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "unclosed"));

    mlops__json_init(&j, false);
    ck_assert_int_eq(mlops__json_finish(&j, &text, &len), MLOPS_ESTATE); /* empty */

    mlops__json_init(&j, false);
    mlops__json_int(&j, 1);
    ck_assert_int_eq(mlops__json_int(&j, 2), MLOPS_ESTATE); /* two top-level values */
    mlops__json_free(&j);

    mlops__json_init(&j, false);
    for (int i = 0; i < MLOPS_JSON_MAX_DEPTH; i++) ck_assert_int_eq(mlops__json_begin_array(&j), 0);
    ck_assert_int_eq(mlops__json_begin_array(&j), MLOPS_ERANGE);
    mlops__json_free(&j);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(invalid_utf8_is_refused)
{
    static const char *bad[] = {
        "\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ab\xc3", "\x80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mlops__json j;
        mlops__json_init(&j, false);
        ck_assert_int_eq(mlops__json_string(&j, bad[i]), MLOPS_EINVAL);
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "invalid UTF-8"));
        mlops__json_free(&j);
    }
    ck_assert_uint_eq(mlops__utf8_valid_prefix("ok\xe2\x82\xac\xf0\x9f\x98\x80", 9), 9);
    ck_assert_uint_eq(mlops__utf8_valid_prefix("ab\xc3", 3), 2);
}
END_TEST

static int build_big(void *ctx)
{
    char **out = ctx;
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_array(&j);
    for (int i = 0; i < 500; i++) mlops__json_string(&j, "some moderately long text value");
    mlops__json_end_array(&j);
    size_t len;
    return mlops__json_finish(&j, out, &len);
}

static void free_big(void *ctx)
{
    mlops__free(*(char **)ctx);
}

START_TEST(allocation_failures_are_clean)
{
    char *text = NULL;
    ck_assert_int_gt(fault_alloc_sweep(build_big, free_big, &text), 0);
}
END_TEST

/* The syntax check guarding verbatim embedding: valid documents pass,
 * every kind of damage is refused, and raw values land as given. */
START_TEST(syntax_check_and_raw_values)
{
    static const char *const good[] = {
        "{}", "[]", "0", "-0.5e+3", "\"a\\u00e9\\n\"", " {\"a\": [1, 2.5, true, false, null]} ",
        "{\"x\":{\"y\":[[],[{}]]}}", "\"\xc3\xa9\"",
    };
    static const char *const bad[] = {
        "", "{", "[1,]", "{\"a\"}", "{\"a\":}", "{a:1}", "01", "1.", ".5", "-", "1e", "tru",
        "nul", "\"abc", "\"\\x\"", "\"\\u12g4\"", "[1] 2", "{\"a\":1,}", "\"\xff\"",
        "\"a\tb\"", "NaN", "[1 2]",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(mlops__json_valid(good[i], strlen(good[i])), "refused: %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!mlops__json_valid(bad[i], strlen(bad[i])), "accepted: %s", bad[i]);
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    ck_assert(!mlops__json_valid(deep, 200)); /* deeper than the writer allows */
    ck_assert(mlops__json_valid(deep + 40, 120));
    mlops__json j;
    mlops__json_init(&j, false);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "a");
    ck_assert_int_eq(mlops__json_raw(&j, "[1,{\"b\":2}]", 11), MLOPS_OK);
    mlops__json_end_object(&j);
    char *text;
    size_t len;
    ck_assert_int_eq(mlops__json_finish(&j, &text, &len), MLOPS_OK);
    ck_assert_str_eq(text, "{\"a\":[1,{\"b\":2}]}");
    mlops__free(text);
    mlops__json_init(&j, false);
    ck_assert_int_eq(mlops__json_raw(&j, "{\"a\":", 5), MLOPS_EFORMAT);
    mlops__json_free(&j);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("writer");
    tcase_add_test(tc, compact_document);
    tcase_add_test(tc, pretty_document);
    tcase_add_test(tc, numbers_round_trip_exactly);
    tcase_add_test(tc, structure_misuse_is_refused);
    tcase_add_test(tc, invalid_utf8_is_refused);
    tcase_add_test(tc, allocation_failures_are_clean);
    tcase_add_test(tc, syntax_check_and_raw_values);
    suite_add_tcase(s, tc);
    return s;
}
