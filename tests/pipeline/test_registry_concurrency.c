/* Several processes changing one registry at once: 4 processes each move
 * an alias 100 times (every move a change, so the count of records is
 * known), reading meanwhile; the registry must verify afterwards with
 * exactly that many records and every alias where its last move put it.
 * In the 'heavy' suite: too slow under valgrind. */
#include "registry_fixture.h"

#include <sys/wait.h>
#include <time.h>

#include "runner.h"

enum { PROCESSES = 4, PROMOTIONS = 100 };

static char dir[128], reg[160], m1[200], m2[200], v1[65], v2[65];

static int promote_loop(int id)
{
    mlops_registry *r = NULL; /* a handle of its own: handles do not cross fork() */
    if (mlops_registry_open(&r, reg, 0) != MLOPS_OK) return 1;
    char alias[16], who[16];
    snprintf(alias, sizeof alias, "lane%d", id);
    snprintf(who, sizeof who, "worker%d", id);
    if (mlops_registry_set_actor(r, who) != MLOPS_OK) return 2;
    for (int k = 0; k < PROMOTIONS; k++) {
        const char *to = k % 2 == 0 ? v1 : v2;
        if (mlops_registry_set_alias(r, "iris", alias, to, "rollout") != MLOPS_OK) {
            fprintf(stderr, "worker %d: %s\n", id, mlops_last_error());
            return 3;
        }
        char *v = NULL;
        int rc = mlops_registry_resolve(r, k % 2 ? "iris@lane0" : "iris", &v, NULL);
        mlops_free(v);
        if (rc != MLOPS_OK && rc != MLOPS_ENOTFOUND) {
            fprintf(stderr, "worker %d: %s\n", id, mlops_last_error());
            return 4;
        }
    }
    mlops_registry_free(r);
    return 0;
}

START_TEST(concurrent_promotions)
{
    fixture_tmpdir(dir, sizeof dir, "concurrency");
    snprintf(reg, sizeof reg, "%s/reg", dir);
    snprintf(m1, sizeof m1, "%s/m1.mlops", dir);
    snprintf(m2, sizeof m2, "%s/m2.mlops", dir);
    fixture_train(m1, "0.0001", v1, NULL);
    fixture_train(m2, "0.5", v2, NULL);
    mlops_registry *r = NULL;
    CHECK_OK(mlops_registry_open(&r, reg, MLOPS_REGISTRY_CREATE));
    CHECK_OK(mlops_registry_register(r, "iris", m1, NULL, NULL, 0));
    CHECK_OK(mlops_registry_register(r, "iris", m2, NULL, NULL, 0));
    mlops_registry_free(r);

    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t pids[PROCESSES];
    for (int i = 0; i < PROCESSES; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0) _exit(promote_loop(i));
    }
    for (int i = 0; i < PROCESSES; i++) {
        int status = 0;
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "worker %d: status %d", i,
                      status);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    fprintf(stderr, "concurrent_promotions: %d processes x %d promotions in %.3f s\n", PROCESSES,
            PROMOTIONS, (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);

    char *report = NULL;
    CHECK_OK(mlops_registry_verify(reg, &report));
    ck_assert_msg(strstr(report, "\"records\": 402,") != NULL, "%s", report);
    mlops_free(report);
    ck_assert_uint_eq(fixture_count_lines(fixture_path(reg, "audit.log")),
                      2 + PROCESSES * PROMOTIONS);
    CHECK_OK(mlops_audit_verify(fixture_path(reg, "audit.log"), NULL));
    CHECK_OK(mlops_registry_open(&r, reg, 0));
    for (int i = 0; i < PROCESSES; i++) {
        char ref[32];
        snprintf(ref, sizeof ref, "iris@lane%d", i);
        char *v = NULL;
        CHECK_OK(mlops_registry_resolve(r, ref, &v, NULL));
        ck_assert_str_eq(v, v2); /* the last move, k = 99 */
        mlops_free(v);
    }
    /* each worker's records alternate, in its own order */
    char *json = NULL;
    CHECK_OK(mlops_registry_history_json(r, "iris", &json));
    size_t per_worker[PROCESSES] = {0};
    for (const char *p = json; (p = strstr(p, "\"actor\":\"worker")) != NULL; p++)
        per_worker[p[15] - '0']++;
    for (int i = 0; i < PROCESSES; i++) ck_assert_uint_eq(per_worker[i], PROMOTIONS);
    mlops_free(json);
    mlops_registry_free(r);
    fixture_rmtree(dir);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("registry_concurrency");
    TCase *tc = tcase_create("concurrency");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, concurrent_promotions);
    suite_add_tcase(s, tc);
    return s;
}
