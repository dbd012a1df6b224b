/* The fault-injecting allocator used by the Check suites (see fault_alloc.h). */
#include <check.h>
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

long fault_alloc_sweep(int (*op)(void *ctx), void (*undo)(void *ctx), void *ctx)
{
    size_t live_before = mlops_live_allocations();
    for (long k = 0; k < 100000; k++) {
        mlops_clear_error();
        fault_alloc_fail_at(k);
        int rc = op(ctx);
        long made = fault_alloc_calls();
        fault_alloc_fail_at(-1);
        if (rc == MLOPS_OK) {
            /* Success despite the failure is fine when the allocation was
             * optional (a shrinking realloc, say); what it built must still
             * be released in full. */
            if (undo) undo(ctx);
            ck_assert_uint_eq(mlops_live_allocations(), live_before);
            if (k < made) continue;
            return k;
        }
        ck_assert_msg(rc == MLOPS_ENOMEM, "failing allocation %ld gave %d (%s): %s", k, rc,
                      mlops_strerror(rc), mlops_last_error());
        ck_assert_msg(strlen(mlops_last_error()) > 0, "ENOMEM without a message");
        ck_assert_msg(mlops_live_allocations() == live_before,
                      "failing allocation %ld leaked %zu block(s)", k,
                      mlops_live_allocations() - live_before);
    }
    ck_abort_msg("operation never succeeded");
    return -1;
}
