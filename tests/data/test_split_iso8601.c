/* The ISO-8601 parser behind time splits on text columns: instants checked
 * against Python's datetime (values computed with
 * datetime.fromisoformat(s) - 1970-01-01 UTC), and the forms it refuses. */
#include <string.h>

#include <mlops.h>

#include "data/split_iso8601.h"
#include "runner.h"

static mlops__instant parse_ok(const char *s)
{
    mlops__instant t;
    const char *why = NULL;
    ck_assert_msg(mlops__iso8601_parse(s, strlen(s), &t, &why), "%s: %s", s, why);
    return t;
}

START_TEST(instants)
{
    static const struct {
        const char *text;
        int64_t seconds;
        int32_t nanoseconds;
        bool zoned;
    } cases[] = {
        {"1970-01-01", 0, 0, false},
        {"2000-03-01", 951868800, 0, false},
        {"2024-02-29T12:34:56", 1709210096, 0, false},
        {"2024-02-29 12:34:56", 1709210096, 0, false},
        {"2024-02-29t12:34:56", 1709210096, 0, false},
        {"0001-01-01", INT64_C(-62135596800), 0, false},
        {"9999-12-31T23:59:59", INT64_C(253402300799), 0, false},
        {"1969-12-31T23:59:59", -1, 0, false},
        {"1600-02-29", INT64_C(-11670998400), 0, false},
        {"2020-01-01T00:30:00+01:00", 1577835000, 0, true},
        {"2020-01-01T00:30:00+0100", 1577835000, 0, true},
        {"2020-01-01T00:30+01", 1577835000, 0, true},
        {"2020-01-01T00:00-05:30", 1577856600, 0, true},
        {"2020-01-01T00:00:00Z", 1577836800, 0, true},
        {"1970-01-01T00:00:00.5", 0, 500000000, false},
        {"1970-01-01T00:00:00,000000001", 0, 1, false},
        {"1970-01-01T00:00:00.123456789Z", 0, 123456789, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mlops__instant t = parse_ok(cases[i].text);
        ck_assert_msg(t.seconds == cases[i].seconds, "%s: %lld", cases[i].text,
                      (long long)t.seconds);
        ck_assert_int_eq(t.nanoseconds, cases[i].nanoseconds);
        ck_assert_int_eq(t.zoned, cases[i].zoned);
    }
}
END_TEST

START_TEST(ordering)
{
    mlops__instant a = parse_ok("2020-01-01"), b = parse_ok("2020-01-01T00:00:00.000");
    ck_assert_int_eq(mlops__instant_compare(&a, &b), 0);
    b = parse_ok("2020-01-01T00:00:00.000000001");
    ck_assert_int_lt(mlops__instant_compare(&a, &b), 0);
    ck_assert_int_gt(mlops__instant_compare(&b, &a), 0);
    a = parse_ok("2020-01-01T10:00+02:00");
    b = parse_ok("2020-01-01T08:30Z");
    ck_assert_int_lt(mlops__instant_compare(&a, &b), 0);
}
END_TEST

START_TEST(refused)
{
    static const char *const bad[] = {
        "",           "2020",          "2020-1-01",        "2020-01-1",
        "2020/01/01", "2020-00-10",    "2020-02-30",       "2019-02-29",
        "2020-01-01T", "2020-01-01T1:00", "2020-01-01T10:60", "2020-01-01T10:00:60",
        "2020-01-01T10:00:0", "2020-01-01T10:00:00.", "2020-01-01Z", "2020-01-01 ",
        "2020-01-01T10:00 ", "2020-01-01T10:00+", "2020-01-01T10:00+1:00",
        "2020-01-01T10:00+01:0", "2020-01-01T10:00+01:60", "2020-01-01T10:00+0100x",
        "+2020-01-01", "2020-01-01T10:00:00.0000000000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mlops__instant t;
        const char *why = NULL;
        ck_assert_msg(!mlops__iso8601_parse(bad[i], strlen(bad[i]), &t, &why), "%s accepted",
                      bad[i]);
        ck_assert_ptr_nonnull(why);
    }
    /* Only `len` bytes count: a valid prefix of a longer buffer parses. */
    mlops__instant t;
    const char *why = NULL;
    ck_assert(mlops__iso8601_parse("2020-01-02junk", 10, &t, &why));
    ck_assert(t.seconds == 1577923200);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("split_iso8601");
    TCase *tc = tcase_create("iso8601");
    tcase_add_test(tc, instants);
    tcase_add_test(tc, ordering);
    tcase_add_test(tc, refused);
    suite_add_tcase(s, tc);
    return s;
}
