/* The inputs the fuzz targets found crashing the library, replayed through
 * the public API without libFuzzer, so the plain suite (valgrind, ASan,
 * every compiler) keeps them fixed. Each file lives in
 * tests/fuzz/regressions/<target>/, where the fuzz smoke pass runs it too. */
#include <stdio.h>
#include <string.h>

#include <mlops.h>

#include "runner.h"

#ifndef DATA_DIR
#error "DATA_DIR must name tests/data"
#endif
#define FUZZ_DIR DATA_DIR "/../fuzz"

#define CHECK_OK(call)                                                                  \
    do {                                                                                \
        int rc_ = (call);                                                               \
        ck_assert_msg(rc_ == MLOPS_OK, "%s -> %d: %s", #call, rc_, mlops_last_error()); \
    } while (0)

/* A profile file (checksums valid) whose numeric column holds one exact
 * value while its quantile_exact_limit setting is 0. Such a profile was
 * accepted, and merging into it or adding to it then wrote past the end of
 * its value array: the code keeps at most quantile_exact_limit values and
 * computes the room left as limit - held. It must be refused on load. */
START_TEST(test_profile_values_above_limit)
{
    mlops_profile *p = NULL;
    int rc = mlops_profile_load(&p, FUZZ_DIR "/regressions/fuzz_profile/held_values_above_limit.profile");
    ck_assert_msg(rc == MLOPS_ECORRUPT, "load -> %d (%s), expected MLOPS_ECORRUPT", rc,
                  mlops_last_error());
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(mlops_last_error(), "quantile_exact_limit") != NULL, "%s",
                  mlops_last_error());
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* The seed it was mutated from (the same profile with the default limit)
 * loads, merges with a second copy of itself and keeps its one value. */
START_TEST(test_profile_seed_merges)
{
    static const char path[] = FUZZ_DIR "/corpus/fuzz_profile/tiny_stored.profile";
    mlops_profile *p = NULL, *q = NULL;
    CHECK_OK(mlops_profile_load(&p, path));
    CHECK_OK(mlops_profile_load(&q, path));
    CHECK_OK(mlops_profile_merge(q, p));
    uint64_t count = 0, missing = 0;
    double median = 0;
    int exact = 0;
    CHECK_OK(mlops_profile_counts(q, 0, &count, &missing));
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(missing, 0);
    CHECK_OK(mlops_profile_quantile(q, 0, 0.5, &median, &exact));
    ck_assert_double_eq(median, 1.0);
    ck_assert_int_eq(exact, 1);
    mlops_profile_free(q);
    mlops_profile_free(p);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("fuzz_regressions");
    TCase *tc = tcase_create("profile");
    tcase_add_test(tc, test_profile_values_above_limit);
    tcase_add_test(tc, test_profile_seed_merges);
    suite_add_tcase(s, tc);
    return s;
}
