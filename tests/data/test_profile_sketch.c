/* The profile's private sketches on their own: HyperLogLog accuracy over the
 * whole range of cardinalities and merge = union; the KLL rank-error bound
 * on many random, sorted and repetitive streams, whole and merged; the
 * duplicate-row set exact below its limit and merging like the whole.
 * MLOPS_TEST_SHORT in the environment (set for the valgrind run) shrinks the
 * streams and the number of random trials. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "core/rng.h"
#include "data/hll.h"
#include "data/profile_hash.h"
#include "data/profile_rowset.h"
#include "data/quantile_sketch.h"
#include "runner.h"

static int short_run(void)
{
    return getenv("MLOPS_TEST_SHORT") != NULL;
}

START_TEST(hll_accuracy_and_union)
{
    static const size_t SIZES[] = {1, 10, 100, 1000, 10000, 40000, 100000, 1000000};
    size_t nsizes = sizeof SIZES / sizeof SIZES[0] - (short_run() ? 3 : 0);
    for (size_t s = 0; s < nsizes; s++) {
        size_t n = SIZES[s];
        mlops__hll whole, a, b;
        ck_assert_int_eq(mlops__hll_init(&whole), MLOPS_OK);
        ck_assert_int_eq(mlops__hll_init(&a), MLOPS_OK);
        ck_assert_int_eq(mlops__hll_init(&b), MLOPS_OK);
        for (size_t i = 0; i < n; i++) {
            uint64_t h = mlops__value_hash((double)i * 1.5 + (double)s * 1e7);
            mlops__hll_add(&whole, h);
            mlops__hll_add(i % 3 ? &a : &b, h);
            /* Value i / 2 again: already in the whole, so a may overlap b. */
            mlops__hll_add(&a, mlops__value_hash((double)(i / 2) * 1.5 + (double)s * 1e7));
        }
        double est = mlops__hll_estimate(&whole);
        /* 3 standard errors; below a few hundred the estimator is all but
         * exact (linear counting regime). */
        double tol = n < 300 ? 1.0 + 0.01 * (double)n : 3 * MLOPS_HLL_RELATIVE_ERROR * (double)n;
        ck_assert_msg(fabs(est - (double)n) <= tol, "n=%zu: estimate %.1f", n, est);
        /* a holds a subset of the values (every i % 3 != 0 and i / 2),
         * b the rest: the union has exactly the registers of the whole. */
        mlops__hll_merge(&a, &b);
        ck_assert(memcmp(a.reg, whole.reg, MLOPS_HLL_REGISTERS) == 0);
        mlops__hll_free(&whole);
        mlops__hll_free(&a);
        mlops__hll_free(&b);
    }
    mlops__hll empty;
    ck_assert_int_eq(mlops__hll_init(&empty), MLOPS_OK);
    ck_assert(mlops__hll_estimate(&empty) == 0.0);
    mlops__hll_free(&empty);
}
END_TEST

/* Rank error of `v` for quantile q in a stream holding 0 .. n-1 (each
 * `repeat` times): 0 when some position of v in sorted order is at q n. */
static double rank_error(double v, double q, size_t n)
{
    double lo = v / (double)n, hi = (v + 1) / (double)n;
    return q < lo ? lo - q : (q > hi ? q - hi : 0.0);
}

static const double QS[] = {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99};
enum { NQ = sizeof QS / sizeof QS[0] };

/* Counts the quantiles of `s` (over 0 .. n-1) whose rank error passes eps. */
static int count_misses(const mlops__kll *s, size_t n, double eps)
{
    int misses = 0;
    for (size_t k = 0; k < NQ; k++) {
        double v;
        ck_assert_int_eq(mlops__kll_quantile(s, QS[k], &v), MLOPS_OK);
        misses += rank_error(v, QS[k], n) > eps;
    }
    return misses;
}

START_TEST(kll_bound_on_random_streams)
{
    /* The documented bound holds with probability >= 99% per query: over
     * 40 shuffled streams x 9 quantiles, whole and as 4 merged parts,
     * allow at most 1% misses (none are expected). */
    const size_t n = short_run() ? 10000 : 50000;
    const int trials = short_run() ? 2 : 40;
    const double eps = mlops__kll_rank_error(200);
    ck_assert(fabs(eps - 0.013294757) < 1e-6);
    size_t *perm = malloc(n * sizeof *perm);
    mlops__rng rng;
    mlops__rng_seed(&rng, 2024);
    int misses = 0, queries = 0;
    for (int t = 0; t < trials; t++) {
        for (size_t i = 0; i < n; i++) perm[i] = i;
        mlops__rng_shuffle(&rng, perm, n);
        mlops__kll whole, part[4];
        mlops__kll_init(&whole, 200);
        for (int p = 0; p < 4; p++) mlops__kll_init(&part[p], 200);
        for (size_t i = 0; i < n; i++) {
            ck_assert_int_eq(mlops__kll_update(&whole, (double)perm[i]), MLOPS_OK);
            ck_assert_int_eq(mlops__kll_update(&part[(i * 7 / n) % 4], (double)perm[i]), MLOPS_OK);
        }
        for (int p = 1; p < 4; p++) ck_assert_int_eq(mlops__kll_merge(&part[0], &part[p]), MLOPS_OK);
        ck_assert_uint_eq(whole.n, n);
        ck_assert_uint_eq(part[0].n, n);
        /* Bounded size: about 3k items plus 8 per level, plus level 0's slack. */
        ck_assert_uint_le(whole.retained, 3 * 200 + 8 * whole.nlevels + MLOPS_KLL_LEVEL0_SLACK);
        ck_assert_uint_le(part[0].retained, 3 * 200 + 8 * part[0].nlevels + MLOPS_KLL_LEVEL0_SLACK);
        misses += count_misses(&whole, n, eps) + count_misses(&part[0], n, eps);
        queries += 2 * NQ;
        mlops__kll_free(&whole);
        for (int p = 0; p < 4; p++) mlops__kll_free(&part[p]);
    }
    ck_assert_msg(misses * 100 <= queries, "%d of %d queries beyond the bound", misses, queries);
    free(perm);
}
END_TEST

START_TEST(kll_bound_on_ordered_and_repeated_streams)
{
    const size_t n = short_run() ? 10000 : 100000;
    const double eps = mlops__kll_rank_error(64);
    mlops__kll up, down, same;
    mlops__kll_init(&up, 64);
    mlops__kll_init(&down, 64);
    mlops__kll_init(&same, 64);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(mlops__kll_update(&up, (double)i), MLOPS_OK);
        ck_assert_int_eq(mlops__kll_update(&down, (double)(n - 1 - i)), MLOPS_OK);
        ck_assert_int_eq(mlops__kll_update(&same, 42.0), MLOPS_OK);
    }
    ck_assert_int_eq(count_misses(&up, n, eps), 0);
    ck_assert_int_eq(count_misses(&down, n, eps), 0);
    for (size_t k = 0; k < NQ; k++) {
        double v;
        ck_assert_int_eq(mlops__kll_quantile(&same, QS[k], &v), MLOPS_OK);
        ck_assert(v == 42.0);
    }
    /* A copy answers like the original. */
    mlops__kll copy;
    ck_assert_int_eq(mlops__kll_copy(&copy, &up), MLOPS_OK);
    for (size_t k = 0; k < NQ; k++) {
        double a, b;
        ck_assert_int_eq(mlops__kll_quantile(&up, QS[k], &a), MLOPS_OK);
        ck_assert_int_eq(mlops__kll_quantile(&copy, QS[k], &b), MLOPS_OK);
        ck_assert(a == b);
    }
    mlops__kll_free(&copy);
    mlops__kll_free(&up);
    mlops__kll_free(&down);
    mlops__kll_free(&same);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static void assert_levels_sorted(const mlops__kll *s)
{
    for (size_t h = 1; h < s->nlevels; h++)
        for (size_t i = 1; i < s->level[h].len; i++)
            ck_assert_msg(s->level[h].items[i - 1] <= s->level[h].items[i],
                          "level %zu not sorted at %zu", h, i);
}

START_TEST(kll_bulk_updates_and_sorted_levels)
{
    /* Updates in blocks (NaN skipped) build exactly the sketch of one
     * update per value; levels above 0 stay sorted through compactions and
     * merges, which is what lets compaction merge instead of sort. */
    const size_t n = short_run() ? 10000 : 100000;
    double *v = malloc(n * sizeof *v);
    mlops__rng rng;
    mlops__rng_seed(&rng, 77);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = mlops__rng_next(&rng);
        v[i] = r % 5 == 0 ? NAN : (double)(r % 300);
    }
    mlops__kll bulk, single, other;
    mlops__kll_init(&bulk, 50);
    mlops__kll_init(&single, 50);
    mlops__kll_init(&other, 50);
    for (size_t first = 0; first < n; first += 997) {
        size_t len = n - first < 997 ? n - first : 997;
        ck_assert_int_eq(mlops__kll_update_many(&bulk, v + first, len), MLOPS_OK);
        ck_assert_int_eq(mlops__kll_update_many(&other, v + first, len / 3), MLOPS_OK);
    }
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) ck_assert_int_eq(mlops__kll_update(&single, v[i]), MLOPS_OK);
    ck_assert_uint_eq(bulk.n, single.n);
    ck_assert_uint_eq(bulk.nlevels, single.nlevels);
    ck_assert_uint_eq(bulk.retained, single.retained);
    for (size_t h = 0; h < bulk.nlevels; h++) {
        ck_assert_uint_eq(bulk.level[h].len, single.level[h].len);
        if (bulk.level[h].len)
            ck_assert(memcmp(bulk.level[h].items, single.level[h].items,
                             bulk.level[h].len * sizeof(double)) == 0);
    }
    ck_assert_uint_gt(bulk.nlevels, 5);
    assert_levels_sorted(&bulk);
    ck_assert_int_eq(mlops__kll_merge(&bulk, &other), MLOPS_OK);
    assert_levels_sorted(&bulk);
    ck_assert_int_eq(mlops__kll_merge(&other, &single), MLOPS_OK);
    assert_levels_sorted(&other);
    mlops__kll_free(&bulk);
    mlops__kll_free(&single);
    mlops__kll_free(&other);
    free(v);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(rowset_exact_sampled_and_merged)
{
    /* 30000 rows over 20000 distinct hashes (10000 of them twice). */
    mlops__rowset exact = {0}, a = {0}, b = {0}, small = {0}, sa = {0}, sb = {0};
    for (uint64_t i = 0; i < 30000; i++) {
        uint64_t v = i < 20000 ? i : i - 20000;
        uint64_t h1 = mlops__mix64(v), h2 = mlops__mix64b(v);
        ck_assert_int_eq(mlops__rowset_add(&exact, h1, h2, 1, 100000), MLOPS_OK);
        ck_assert_int_eq(mlops__rowset_add(i % 2 ? &a : &b, h1, h2, 1, 100000), MLOPS_OK);
        ck_assert_int_eq(mlops__rowset_add(&small, h1, h2, 1, 1000), MLOPS_OK);
        ck_assert_int_eq(mlops__rowset_add(i % 3 ? &sa : &sb, h1, h2, 1, 1000), MLOPS_OK);
    }
    ck_assert_uint_eq(exact.level, 0);
    ck_assert_uint_eq(mlops__rowset_duplicates(&exact), 10000);
    ck_assert_int_eq(mlops__rowset_merge(&a, &b, 100000), MLOPS_OK);
    ck_assert_uint_eq(mlops__rowset_duplicates(&a), 10000);
    /* Sampled: at most 1000 hashes, level 5 (20000 / 32 = 625 expected);
     * merged parts give exactly the sample of the whole. */
    ck_assert_uint_le(small.size, 1000);
    ck_assert_uint_gt(small.level, 0);
    ck_assert_int_eq(mlops__rowset_merge(&sa, &sb, 1000), MLOPS_OK);
    ck_assert_uint_eq(sa.level, small.level);
    ck_assert_uint_eq(sa.size, small.size);
    ck_assert_uint_eq(mlops__rowset_duplicates(&sa), mlops__rowset_duplicates(&small));
    double est = (double)mlops__rowset_duplicates(&small);
    double sampled = est / (double)(1u << small.level);
    ck_assert_msg(fabs(est - 10000) <= 4 * 10000 / sqrt(sampled), "estimate %.0f", est);
    mlops__rowset_free(&exact);
    mlops__rowset_free(&a);
    mlops__rowset_free(&b);
    mlops__rowset_free(&small);
    mlops__rowset_free(&sa);
    mlops__rowset_free(&sb);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(hash_bytes_distinguishes_inputs)
{
    /* Length is part of the input; every byte position matters. */
    const char z[16] = {0};
    uint64_t seen[17];
    for (size_t len = 0; len <= 16; len++) {
        seen[len] = mlops__hash_bytes(z, len, 1);
        for (size_t k = 0; k < len; k++) ck_assert(seen[k] != seen[len]);
    }
    char buf[24] = "abcdefghijklmnopqrstuvw";
    uint64_t base = mlops__hash_bytes(buf, 23, 7);
    for (size_t i = 0; i < 23; i++) {
        buf[i] ^= 1;
        ck_assert(mlops__hash_bytes(buf, 23, 7) != base);
        buf[i] ^= 1;
    }
    ck_assert(mlops__hash_bytes(buf, 23, 8) != base);
    ck_assert(mlops__value_key(-0.0) == mlops__value_key(0.0));
}
END_TEST

START_TEST(kll_sampled_stream_bound)
{
    /* Long streams fed in batches sample blocks of values: weights stay
     * exact and every quantile stays within eps + 3 / sqrt(8 T) in at least
     * 98.5% of queries (shuffled streams, whole and as 4 merged parts). */
    const size_t n = short_run() ? 600000 : 2000000, batch = 65536;
    const int trials = short_run() ? 1 : 10;
    const double bound = mlops__kll_rank_error(200) +
                         3.0 / sqrt(8.0 * (double)mlops__kll_sample_start(200));
    ck_assert(fabs(bound - 0.017437) < 1e-5);
    size_t *perm = malloc(n * sizeof *perm);
    double *v = malloc(n * sizeof *v);
    mlops__rng rng;
    mlops__rng_seed(&rng, 99);
    int misses = 0, queries = 0;
    for (int t = 0; t < trials; t++) {
        for (size_t i = 0; i < n; i++) perm[i] = i;
        mlops__rng_shuffle(&rng, perm, n);
        for (size_t i = 0; i < n; i++) v[i] = (double)perm[i];
        mlops__kll whole, part[4];
        mlops__kll_init(&whole, 200);
        for (int p = 0; p < 4; p++) mlops__kll_init(&part[p], 200);
        for (size_t first = 0; first < n; first += batch) {
            size_t len = n - first < batch ? n - first : batch;
            ck_assert_int_eq(mlops__kll_update_stream(&whole, v + first, len), MLOPS_OK);
            int p = (int)(first / batch % 4);
            ck_assert_int_eq(mlops__kll_update_stream(&part[p], v + first, len), MLOPS_OK);
        }
        for (int p = 1; p < 4; p++) ck_assert_int_eq(mlops__kll_merge(&part[0], &part[p]), MLOPS_OK);
        for (int s = 0; s < 2; s++) {
            const mlops__kll *k = s ? &part[0] : &whole;
            ck_assert_uint_eq(k->n, n);
            double weight = 0;
            for (size_t h = 0; h < k->nlevels; h++) weight += ldexp((double)k->level[h].len, (int)h);
            ck_assert_double_eq(weight, (double)n);
            ck_assert_uint_le(k->retained, 3 * 200 + 8 * k->nlevels + MLOPS_KLL_LEVEL0_SLACK);
            misses += count_misses(k, n, bound);
            queries += NQ;
        }
        mlops__kll_free(&whole);
        for (int p = 0; p < 4; p++) mlops__kll_free(&part[p]);
    }
    ck_assert_msg(misses * 1000 <= queries * 15, "%d of %d queries beyond the bound", misses,
                  queries);

    /* Below 2 T values the stream path is exactly update_many. */
    mlops__kll a, b;
    mlops__kll_init(&a, 200);
    mlops__kll_init(&b, 200);
    ck_assert_int_eq(mlops__kll_update_stream(&a, v, 100000), MLOPS_OK);
    ck_assert_int_eq(mlops__kll_update_many(&b, v, 100000), MLOPS_OK);
    ck_assert_uint_eq(a.retained, b.retained);
    for (size_t h = 0; h < a.nlevels; h++)
        ck_assert(a.level[h].len == b.level[h].len &&
                  (a.level[h].len == 0 ||
                   memcmp(a.level[h].items, b.level[h].items, a.level[h].len * sizeof(double)) == 0));
    mlops__kll_free(&a);
    mlops__kll_free(&b);
    free(v);
    free(perm);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("profile_sketch");
    TCase *tc = tcase_create("sketches");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, hll_accuracy_and_union);
    tcase_add_test(tc, kll_bound_on_random_streams);
    tcase_add_test(tc, kll_bound_on_ordered_and_repeated_streams);
    tcase_add_test(tc, kll_bulk_updates_and_sorted_levels);
    tcase_add_test(tc, kll_sampled_stream_bound);
    tcase_add_test(tc, rowset_exact_sampled_and_merged);
    tcase_add_test(tc, hash_bytes_distinguishes_inputs);
    suite_add_tcase(s, tc);
    return s;
}
