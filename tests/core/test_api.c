/* The public core API through the shared library, as a program links it:
 * status names, per-thread errors, version checks, the logger. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <mlops.h>

#include "runner.h"

START_TEST(every_code_has_a_distinct_name)
{
    const char *seen[32];
    int n = 0;
    for (int code = MLOPS_OK; code >= MLOPS_EUNSUPPORTED; code--) {
        const char *name = mlops_strerror(code);
        ck_assert_ptr_nonnull(name);
        ck_assert_str_ne(name, "unknown error code");
        for (int i = 0; i < n; i++) ck_assert_str_ne(seen[i], name);
        seen[n++] = name;
    }
    ck_assert_str_eq(mlops_strerror(MLOPS_EINVAL), "invalid argument");
    ck_assert_str_eq(mlops_strerror(MLOPS_ENOMEM), "out of memory");
    ck_assert_str_eq(mlops_strerror(1), "unknown error code");
    ck_assert_str_eq(mlops_strerror(-9999), "unknown error code");
}
END_TEST

START_TEST(codes_are_never_renumbered)
{
    ck_assert_int_eq(MLOPS_EINVAL, -1);
    ck_assert_int_eq(MLOPS_ENOMEM, -2);
    ck_assert_int_eq(MLOPS_EIO, -3);
    ck_assert_int_eq(MLOPS_EFORMAT, -4);
    ck_assert_int_eq(MLOPS_ECORRUPT, -5);
    ck_assert_int_eq(MLOPS_EVERSION, -6);
    ck_assert_int_eq(MLOPS_ESTATE, -7);
    ck_assert_int_eq(MLOPS_ENOTFOUND, -8);
    ck_assert_int_eq(MLOPS_EGATE, -9);
    ck_assert_int_eq(MLOPS_ECANCELED, -10);
    ck_assert_int_eq(MLOPS_ERANGE, -11);
    ck_assert_int_eq(MLOPS_ENUMERIC, -12);
    ck_assert_int_eq(MLOPS_EUNSUPPORTED, -13);
}
END_TEST

START_TEST(version_macros_match_library)
{
    ck_assert_uint_eq(mlops_version(), MLOPS_VERSION_NUMBER);
    ck_assert_str_eq(mlops_version_string(), MLOPS_VERSION_STRING);
    ck_assert_int_eq(MLOPS_CHECK_VERSION(), MLOPS_OK);
    char expect[32];
    snprintf(expect, sizeof expect, "%d.%d.%d", MLOPS_VERSION_MAJOR, MLOPS_VERSION_MINOR,
             MLOPS_VERSION_PATCH);
    ck_assert_str_eq(mlops_version_string(), expect);
}
END_TEST

START_TEST(version_check_rejects_mismatches)
{
    unsigned mine = MLOPS_VERSION_NUMBER;
    unsigned next_major = ((unsigned)MLOPS_VERSION_MAJOR + 1) << 16;
    unsigned next_minor = mine + (1u << 8);
    mlops_clear_error();
    ck_assert_int_eq(mlops_version_check(next_major), MLOPS_EVERSION);
    ck_assert_int_eq(mlops_last_error_code(), MLOPS_EVERSION);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), MLOPS_VERSION_STRING));
    ck_assert_int_eq(mlops_version_check(next_minor), MLOPS_EVERSION);
    ck_assert_int_eq(mlops_version_check(0x1000000u), MLOPS_EVERSION);
    /* A newer patch level of the same minor is fine. */
    ck_assert_int_eq(mlops_version_check((mine & ~0xffu) | 0xffu), MLOPS_OK);
    if (MLOPS_VERSION_MAJOR == 0 && MLOPS_VERSION_MINOR > 0)
        ck_assert_int_eq(mlops_version_check(mine - (1u << 8)), MLOPS_EVERSION);
}
END_TEST

static void capture_nothing(int level, const char *message, void *ud);

START_TEST(error_message_lifecycle)
{
    mlops_clear_error();
    ck_assert_str_eq(mlops_last_error(), "");
    ck_assert_int_eq(mlops_last_error_code(), MLOPS_OK);
    ck_assert_int_eq(mlops_set_logger(capture_nothing, 99, NULL), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "max_level 99"));
    /* A later success keeps the message of the failure. */
    ck_assert_int_eq(MLOPS_CHECK_VERSION(), MLOPS_OK);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "max_level 99"));
    mlops_clear_error();
    ck_assert_str_eq(mlops_last_error(), "");
}
END_TEST

static void capture_nothing(int level, const char *message, void *ud)
{
    (void)level, (void)message, (void)ud;
}

static void *fail_in_thread(void *arg)
{
    (void)arg;
    mlops_set_logger(capture_nothing, 0, NULL);
    return (void *)(size_t)(strstr(mlops_last_error(), "max_level 0") != NULL);
}

START_TEST(errors_are_per_thread)
{
    mlops_clear_error();
    pthread_t t;
    void *saw_own = NULL;
    ck_assert_int_eq(pthread_create(&t, NULL, fail_in_thread, NULL), 0);
    ck_assert_int_eq(pthread_join(t, &saw_own), 0);
    ck_assert_ptr_nonnull(saw_own);
    ck_assert_str_eq(mlops_last_error(), "");
}
END_TEST

static int logged_level;
static char logged[256];
static void capture(int level, const char *message, void *ud)
{
    logged_level = level;
    snprintf(logged, sizeof logged, "%s|%s", (const char *)ud, message);
}

START_TEST(logger_receives_failures_at_debug_level)
{
    ck_assert_int_eq(mlops_set_logger(capture, MLOPS_LOG_DEBUG, "ud"), MLOPS_OK);
    logged[0] = '\0';
    ck_assert_int_eq(mlops_version_check(0x7f0000u), MLOPS_EVERSION);
    ck_assert_int_eq(logged_level, MLOPS_LOG_DEBUG);
    ck_assert_ptr_nonnull(strstr(logged, "ud|program compiled against libmlops 127.0.0"));
    /* Below the threshold: nothing is delivered. */
    ck_assert_int_eq(mlops_set_logger(capture, MLOPS_LOG_WARN, "ud"), MLOPS_OK);
    logged[0] = '\0';
    mlops_version_check(0x7f0000u);
    ck_assert_str_eq(logged, "");
    ck_assert_int_eq(mlops_set_logger(capture, 0, NULL), MLOPS_EINVAL);
    /* Switching off ignores the level. */
    ck_assert_int_eq(mlops_set_logger(NULL, 0, NULL), MLOPS_OK);
    logged[0] = '\0';
    mlops_version_check(0x7f0000u);
    ck_assert_str_eq(logged, "");
    ck_assert_int_eq(mlops_set_logger(capture, 5, NULL), MLOPS_EINVAL);
}
END_TEST

static int reentrant_calls;
static void reentrant(int level, const char *message, void *ud)
{
    (void)level, (void)message, (void)ud;
    reentrant_calls++;
    mlops_version_check(0x7e0000u); /* fails, and would log again */
}

START_TEST(logger_does_not_recurse)
{
    ck_assert_int_eq(mlops_set_logger(reentrant, MLOPS_LOG_DEBUG, NULL), MLOPS_OK);
    reentrant_calls = 0;
    mlops_version_check(0x7f0000u);
    ck_assert_int_eq(reentrant_calls, 1);
    ck_assert_int_eq(mlops_set_logger(NULL, 0, NULL), MLOPS_OK);
}
END_TEST

START_TEST(log_level_names)
{
    ck_assert_str_eq(mlops_log_level_name(MLOPS_LOG_ERROR), "error");
    ck_assert_str_eq(mlops_log_level_name(MLOPS_LOG_WARN), "warn");
    ck_assert_str_eq(mlops_log_level_name(MLOPS_LOG_INFO), "info");
    ck_assert_str_eq(mlops_log_level_name(MLOPS_LOG_DEBUG), "debug");
    ck_assert_str_eq(mlops_log_level_name(0), "unknown");
}
END_TEST

START_TEST(allocator_arguments_are_checked)
{
    /* The runner installed a test allocator; partial sets are refused and
     * leave it in place. */
    ck_assert_int_eq(mlops_set_allocator(NULL, NULL, (mlops_free_fn)NULL, NULL), MLOPS_OK);
    ck_assert_int_eq(mlops_live_allocations(), 0);
    mlops_free(NULL);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("public core API");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_code_has_a_distinct_name);
    tcase_add_test(tc, codes_are_never_renumbered);
    tcase_add_test(tc, version_macros_match_library);
    tcase_add_test(tc, version_check_rejects_mismatches);
    tcase_add_test(tc, error_message_lifecycle);
    tcase_add_test(tc, errors_are_per_thread);
    tcase_add_test(tc, logger_receives_failures_at_debug_level);
    tcase_add_test(tc, logger_does_not_recurse);
    tcase_add_test(tc, log_level_names);
    tcase_add_test(tc, allocator_arguments_are_checked);
    suite_add_tcase(s, tc);
    return s;
}
