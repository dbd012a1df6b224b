/* The progress helper long operations call: continue, cancel with a message
 * naming the operation and position, and no callback at all. */
#include <string.h>

#include <mlops.h>

#include "core/log.h"
#include "runner.h"

static int stop_after(uint64_t done, uint64_t total, void *ud)
{
    (void)total;
    return done >= *(uint64_t *)ud;
}

START_TEST(continue_and_cancel)
{
    uint64_t limit = 500;
    ck_assert_int_eq(mlops__progress(NULL, NULL, 10, 100, "reading x.csv"), MLOPS_OK);
    ck_assert_int_eq(mlops__progress(stop_after, &limit, 499, 1000, "reading x.csv"), MLOPS_OK);
    mlops_clear_error();
    ck_assert_int_eq(mlops__progress(stop_after, &limit, 500, 1000, "reading x.csv"),
                     MLOPS_ECANCELED);
    ck_assert_str_eq(mlops_last_error(),
                     "reading x.csv: canceled by progress callback at 500 of 1000");
    ck_assert_int_eq(mlops_last_error_code(), MLOPS_ECANCELED);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("callback");
    tcase_add_test(tc, continue_and_cancel);
    suite_add_tcase(s, tc);
    return s;
}
