/* The fault-injecting allocator used by the Check suites (see fault_alloc.h). */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "fault_alloc.h"

/* Atomic: the library allocates from its worker threads too, and an
 * allocator must be thread-safe (mlops_set_allocator). */
static atomic_long fail_at = -1;
static atomic_long calls;
static atomic_long failures;

static int should_fail(void)
{
    long n = calls++;
    if (fail_at >= 0 && n == fail_at) {
        failures++;
        return 1;
    }
    return 0;
}

static void *test_malloc(size_t size, void *ud)
{
    (void)ud;
    return should_fail() ? NULL : malloc(size);
}

static void *test_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    return should_fail() ? NULL : realloc(ptr, size);
}

static void test_free(void *ptr, void *ud)
{
    (void)ud;
    free(ptr);
}

void fault_alloc_install(void)
{
    if (mlops_set_allocator(test_malloc, test_realloc, test_free, NULL) != MLOPS_OK) abort();
}

void fault_alloc_fail_at(long k)
{
    fail_at = k;
    calls = 0;
}

long fault_alloc_calls(void)
{
    return calls;
}

long fault_alloc_failures(void)
{
    return failures;
}

/* Open file descriptors of the process (Linux: /proc/self/fd), or -1. A
 * failing run must close what it opened and nothing else. */
static long open_descriptors(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL) return -1;
    long n = 0;
    while (readdir(d) != NULL) n++;
    closedir(d);
    return n;
}

/* One run with allocation k refused (-1: none). Returns 1 when the run
 * succeeded, 0 when it failed as it must; sets *made to the allocations it
 * asked for. */
static int sweep_once(int (*op)(void *ctx), void (*undo)(void *ctx), void *ctx, long k,
                      size_t live_before, long *made)
{
    long fds = open_descriptors();
    int std_open[3];
    for (int i = 0; i < 3; i++) std_open[i] = fcntl(i, F_GETFD) != -1;
    mlops_clear_error();
    fault_alloc_fail_at(k);
    int rc = op(ctx);
    *made = fault_alloc_calls();
    fault_alloc_fail_at(-1);
    if (rc == MLOPS_OK) {
        /* Success despite the failure is fine when the allocation was
         * optional (a shrinking realloc, say); what it built must still be
         * released in full. */
        if (undo) undo(ctx);
        ck_assert_uint_eq(mlops_live_allocations(), live_before);
        return 1;
    }
    ck_assert_msg(k >= 0, "the operation failed without a refused allocation: %d %s", rc,
                  mlops_last_error());
    ck_assert_msg(rc == MLOPS_ENOMEM, "failing allocation %ld gave %d (%s): %s", k, rc,
                  mlops_strerror(rc), mlops_last_error());
    ck_assert_msg(strlen(mlops_last_error()) > 0, "ENOMEM without a message");
    ck_assert_msg(mlops_live_allocations() == live_before,
                  "failing allocation %ld leaked %zu block(s)", k,
                  mlops_live_allocations() - live_before);
    for (int i = 0; i < 3; i++)
        ck_assert_msg((fcntl(i, F_GETFD) != -1) == std_open[i],
                      "failing allocation %ld closed descriptor %d", k, i);
    ck_assert_msg(open_descriptors() == fds, "failing allocation %ld: %ld descriptors open, %ld "
                  "before", k, open_descriptors(), fds);
    return 0;
}

/* Under valgrind (MLOPS_TEST_SHORT), where one run costs fifty times more,
 * the sweep refuses the first SAMPLE_DENSE allocations one by one, then
 * one in 1 + k / SAMPLE_DENSE: about a hundred runs however long the
 * operation, with all the early ones (setting up) among them. The plain
 * build, and the sanitizer build (MLOPS_TEST_EVERY_ALLOCATION), still refuse
 * every one. (A sweep cannot sample from the
 * end: an operation's success may not be undone, so the run that succeeds
 * must be the last.) */
enum { SAMPLE_DENSE = 16 };

long fault_alloc_sweep(int (*op)(void *ctx), void (*undo)(void *ctx), void *ctx)
{
    size_t live_before = mlops_live_allocations();
    int sample = getenv("MLOPS_TEST_SHORT") != NULL && getenv("MLOPS_TEST_EVERY_ALLOCATION") == NULL;
    for (long k = 0; k < 10000000; k += sample ? 1 + k / SAMPLE_DENSE : 1) {
        long made = 0;
        if (sweep_once(op, undo, ctx, k, live_before, &made) && k >= made) return made;
    }
    ck_abort_msg("operation never succeeded");
    return -1;
}
