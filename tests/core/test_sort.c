/* Sorting and searching helpers: the radix sorts against the comparison
 * sort on values that stress the bit-pattern keys (negatives, zeros of
 * both signs, infinities, subnormals, ties), row-order stability, and the
 * searching and deduplicating helpers against brute force. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "core/alloc.h"
#include "core/rng.h"
#include "core/sort.h"
#include "fault_alloc.h"
#include "runner.h"

/* Values of many kinds, with ties: n draws from a small pool and a wide
 * random range. */
static void fill(double *a, size_t n, uint64_t seed)
{
    static const double pool[] = {0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, 4.9e-324,
                                  -4.9e-324, 2.2250738585072014e-308, 1e308, -1e308, 0.5};
    mlops__rng rng;
    mlops__rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = mlops__rng_below(&rng, 4);
        if (r == 0)
            a[i] = pool[mlops__rng_below(&rng, sizeof pool / sizeof pool[0])];
        else if (r == 1)
            a[i] = (double)(int64_t)mlops__rng_below(&rng, 21) - 10; /* ties */
        else
            a[i] = (mlops__rng_uniform(&rng) - 0.5) * pow(10, (double)mlops__rng_below(&rng, 40) - 20);
    }
}

START_TEST(radix_sort_equals_comparison_sort)
{
    static const size_t sizes[] = {0, 1, 2, 3, 255, 256, 257, 1000, 4096, 100000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        /* under valgrind (MLOPS_TEST_SHORT) the sizes that take the same paths
         * as 4096 are left out */
        if (n > 4096 && getenv("MLOPS_TEST_SHORT") != NULL) continue;
        double *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
        ck_assert(a != NULL && b != NULL);
        fill(a, n, 17 + s);
        memcpy(b, a, n * sizeof *a);
        ck_assert_int_eq(mlops__sort_doubles_radix(a, n), MLOPS_OK);
        mlops__sort_doubles(b, n);
        for (size_t i = 0; i < n; i++) {
            ck_assert_msg(a[i] == b[i], "n=%zu i=%zu: %a vs %a", n, i, a[i], b[i]);
            if (i > 0) ck_assert(a[i - 1] <= a[i]);
            /* radix sizes put -0 before +0: the bit patterns sort too */
            if (n >= 256 && i > 0 && a[i] == 0 && a[i - 1] == 0)
                ck_assert(!(signbit(a[i]) && !signbit(a[i - 1])));
        }
        free(a);
        free(b);
    }
    ck_assert_int_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(row_order_is_stable_both_ways)
{
    enum { N = 5000 };
    double *key = malloc(N * sizeof *key);
    uint32_t *rows = malloc(N * sizeof *rows);
    ck_assert(key != NULL && rows != NULL);
    fill(key, N, 99);
    for (int desc = 0; desc <= 1; desc++) {
        ck_assert_int_eq(mlops__sort_rows(key, N, desc, rows), MLOPS_OK);
        for (size_t i = 1; i < N; i++) {
            double x = key[rows[i - 1]], y = key[rows[i]];
            ck_assert(desc ? x >= y : x <= y);
            if (x == y) ck_assert_msg(rows[i - 1] < rows[i], "ties keep row order");
        }
    }
    free(key);
    free(rows);
    ck_assert_int_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(unique_and_lower_bound_match_brute_force)
{
    enum { N = 3000 };
    double *a = malloc(N * sizeof *a);
    ck_assert(a != NULL);
    fill(a, N, 5);
    size_t k = mlops__sort_unique(a, N);
    ck_assert(k > 20 && k < N);
    for (size_t i = 1; i < k; i++) ck_assert(a[i - 1] < a[i]);
    const double probes[] = {-INFINITY, -11, -10, -9.5, 0, 3, 3.5, 10, 11, INFINITY, 1e300};
    for (size_t p = 0; p < sizeof probes / sizeof probes[0]; p++) {
        size_t want = 0;
        while (want < k && a[want] < probes[p]) want++;
        ck_assert_uint_eq(mlops__lower_bound(a, k, probes[p]), want);
    }
    ck_assert_uint_eq(mlops__lower_bound(a, 0, 1.0), 0);
    free(a);
}
END_TEST

static double *failing_input;

static int sort_op(void *ctx)
{
    (void)ctx;
    return mlops__sort_doubles_radix(failing_input, 1000);
}

START_TEST(radix_sort_out_of_memory_leaves_input)
{
    double a[1000], copy[1000];
    fill(a, 1000, 3);
    memcpy(copy, a, sizeof a);
    fault_alloc_fail_at(0);
    ck_assert_int_eq(mlops__sort_doubles_radix(a, 1000), MLOPS_ENOMEM);
    fault_alloc_fail_at(-1);
    ck_assert(memcmp(a, copy, sizeof a) == 0);
    failing_input = a;
    ck_assert_int_eq(fault_alloc_sweep(sort_op, NULL, NULL), 2);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sort");
    TCase *tc = tcase_create("sort");
    tcase_add_test(tc, radix_sort_equals_comparison_sort);
    tcase_add_test(tc, row_order_is_stable_both_ways);
    tcase_add_test(tc, unique_and_lower_bound_match_brute_force);
    tcase_add_test(tc, radix_sort_out_of_memory_leaves_input);
    suite_add_tcase(s, tc);
    return s;
}
