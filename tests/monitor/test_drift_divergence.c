/* The drift binning and distance kernels against NumPy/SciPy and exact
 * values (tests/reference/make_drift_divergence_reference.py), plus the
 * properties the definitions promise: bin boundaries, batching, missing
 * values, out-of-range values, symmetry, bounds and every refusal. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "core/rng.h"
#include "core/sort.h"
#include "drift_divergence_reference.h"
#include "monitor/drift_divergence.h"
#include "runner.h"

/* The target agreement with NumPy/SciPy, and with the exact values (the
 * kernels avoid the cancellations that NumPy's formulas suffer). */
#define TOL_NUMPY 1e-10
#define TOL_EXACT 1e-12

static int close_to(double got, double want, double tol)
{
    if (isinf(want) || want == 0.0) return got == want;
    return fabs(got - want) <= tol * fabs(want);
}

#define ck_assert_close(got, want, tol, what, name)                                    \
    ck_assert_msg(close_to((got), (want), (tol)), "%s %s: got %.17g, want %.17g", (name), \
                  (what), (got), (want))

static double *sorted_copy(const double *x, size_t n)
{
    double *c = malloc((n ? n : 1) * sizeof *c);
    ck_assert_ptr_nonnull(c);
    memcpy(c, x, n * sizeof *c);
    mlops__sort_doubles(c, n);
    return c;
}

static void check_scores(const char *name, const uint64_t *ref, const uint64_t *cur,
                         size_t nbins, double alpha, const drift_scores *want, double tol)
{
    double v;
    ck_assert_int_eq(mlops__drift_psi(ref, cur, nbins, alpha, &v), MLOPS_OK);
    ck_assert_close(v, want->psi, tol, "psi", name);
    ck_assert_int_eq(mlops__drift_kl(ref, cur, nbins, alpha, &v), MLOPS_OK);
    ck_assert_close(v, want->kl, tol, "kl", name);
    ck_assert_int_eq(mlops__drift_jensen_shannon(ref, cur, nbins, &v), MLOPS_OK);
    ck_assert_close(v, want->js, tol, "jensen_shannon", name);
    ck_assert_int_eq(mlops__drift_hellinger(ref, cur, nbins, &v), MLOPS_OK);
    ck_assert_close(v, want->hellinger, tol, "hellinger", name);
}

START_TEST(numeric_fixtures_match_numpy)
{
    const drift_numeric_fixture *f = &numeric_fixtures[_i];
    double *ref = sorted_copy(f->ref, f->nref), *cur = sorted_copy(f->cur, f->ncur);

    double edges[128];
    size_t nedges = 0;
    ck_assert_uint_le(f->bins + 1, 128);
    ck_assert_int_eq(mlops__drift_edges(ref, f->nref, f->bins, edges, &nedges), MLOPS_OK);
    ck_assert_uint_eq(nedges, f->nedges);
    for (size_t i = 0; i < nedges; i++)
        ck_assert_msg(edges[i] == f->edges[i], "%s edge %zu: got %a, want %a", f->name, i,
                      edges[i], f->edges[i]);
    size_t nbins = mlops__drift_nbins(nedges);
    ck_assert_uint_eq(nbins, f->nbins);

    /* Both counting paths, on the unsorted and the sorted samples. */
    uint64_t cref[130] = {0}, ccur[130] = {0}, sref[130] = {0}, scur[130] = {0};
    size_t missing = 99;
    ck_assert_int_eq(mlops__drift_count(edges, nedges, f->ref, f->nref, cref, &missing), MLOPS_OK);
    ck_assert_uint_eq(missing, 0);
    ck_assert_int_eq(mlops__drift_count(edges, nedges, f->cur, f->ncur, ccur, NULL), MLOPS_OK);
    ck_assert_int_eq(mlops__drift_count_sorted(edges, nedges, ref, f->nref, sref), MLOPS_OK);
    ck_assert_int_eq(mlops__drift_count_sorted(edges, nedges, cur, f->ncur, scur), MLOPS_OK);
    for (size_t b = 0; b < nbins; b++) {
        ck_assert_msg(cref[b] == f->ref_counts[b] && sref[b] == f->ref_counts[b],
                      "%s reference bin %zu: %llu / %llu, want %llu", f->name, b,
                      (unsigned long long)cref[b], (unsigned long long)sref[b],
                      (unsigned long long)f->ref_counts[b]);
        ck_assert_msg(ccur[b] == f->cur_counts[b] && scur[b] == f->cur_counts[b],
                      "%s current bin %zu: %llu / %llu, want %llu", f->name, b,
                      (unsigned long long)ccur[b], (unsigned long long)scur[b],
                      (unsigned long long)f->cur_counts[b]);
    }
    ck_assert_uint_eq(cref[0] + cref[nbins - 1], 0); /* the reference is never outside */

    check_scores(f->name, cref, ccur, nbins, f->alpha, &f->numpy, TOL_NUMPY);
    check_scores(f->name, cref, ccur, nbins, f->alpha, &f->exact, TOL_EXACT);

    double w, sd, norm;
    ck_assert_int_eq(mlops__drift_wasserstein(ref, f->nref, cur, f->ncur, &w), MLOPS_OK);
    ck_assert_close(w, f->numpy.wasserstein, TOL_NUMPY, "wasserstein", f->name);
    ck_assert_close(w, f->exact.wasserstein, TOL_EXACT, "wasserstein", f->name);
    ck_assert_int_eq(mlops__drift_std(f->ref, f->nref, &sd), MLOPS_OK);
    ck_assert_close(sd, f->numpy.std, TOL_NUMPY, "std", f->name);
    ck_assert_close(sd, f->exact.std, TOL_EXACT, "std", f->name);
    ck_assert_int_eq(mlops__drift_wasserstein_normalized(ref, f->nref, cur, f->ncur, &norm),
                     MLOPS_OK);
    ck_assert_close(norm, f->numpy.norm, TOL_NUMPY, "normalized wasserstein", f->name);
    ck_assert_close(norm, f->exact.norm, TOL_EXACT, "normalized wasserstein", f->name);

    /* Equal-weight support points give the same distance. */
    double *ones = malloc((f->nref + f->ncur) * sizeof *ones);
    ck_assert_ptr_nonnull(ones);
    for (size_t i = 0; i < f->nref + f->ncur; i++) ones[i] = 1.0;
    double ww;
    ck_assert_int_eq(mlops__drift_wasserstein_weighted(ref, ones, f->nref, cur, ones, f->ncur,
                                                       &ww), MLOPS_OK);
    ck_assert_close(ww, f->exact.wasserstein, TOL_EXACT, "weighted wasserstein", f->name);
    free(ones);
    free(ref);
    free(cur);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(categorical_fixtures_match_numpy)
{
    const drift_categorical_fixture *f = &categorical_fixtures[_i];
    if (f->numpy_ok) check_scores(f->name, f->ref, f->cur, f->nbins, f->alpha, &f->numpy, TOL_NUMPY);
    check_scores(f->name, f->ref, f->cur, f->nbins, f->alpha, &f->exact, TOL_EXACT);
}
END_TEST

START_TEST(weighted_fixtures_match_scipy)
{
    const drift_weighted_fixture *f = &weighted_fixtures[_i];
    double w;
    ck_assert_int_eq(mlops__drift_wasserstein_weighted(f->ux, f->uw, f->n, f->vx, f->vw, f->m,
                                                       &w), MLOPS_OK);
    ck_assert_close(w, f->scipy, TOL_NUMPY, "wasserstein", f->name);
    ck_assert_close(w, f->exact, TOL_EXACT, "wasserstein", f->name);
}
END_TEST

/* The bin of v by the definition, one comparison at a time. */
static size_t naive_bin(const double *e, size_t m, double v)
{
    if (v < e[0]) return 0;
    if (v > e[m - 1]) return m < 2 ? 2 : m;
    if (m < 2) return 1;
    for (size_t i = 1; i < m - 1; i++)
        if (v < e[i]) return i;
    return m - 1;
}

START_TEST(counting_paths_agree_on_edges_and_specials)
{
    /* Edge counts around the binary search's powers of two, a single edge
     * (the point bin) and many; the values include every edge itself,
     * +-Inf and NaN. */
    static const size_t sizes[] = {1, 2, 3, 8, 9, 10, 16, 17, 33, 64, 65, 66, 200};
    mlops__rng rng;
    mlops__rng_seed(&rng, 20240611);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t m = sizes[s], n = 3 * m + 500;
        double *e = malloc(m * sizeof *e), *x = malloc(n * sizeof *x);
        uint64_t *got = calloc(m + 2, sizeof *got), *want = calloc(m + 2, sizeof *want);
        uint64_t *sgot = calloc(m + 2, sizeof *sgot);
        ck_assert(e && x && got && want && sgot);
        for (size_t i = 0; i < m; i++) e[i] = (double)i * 0.75 - 3.0;
        size_t nan = 0;
        for (size_t i = 0; i < n; i++) {
            if (i < m)
                x[i] = e[i];
            else if (i % 97 == 0)
                x[i] = NAN;
            else if (i % 89 == 0)
                x[i] = i % 2 ? INFINITY : -INFINITY;
            else
                x[i] = (mlops__rng_uniform(&rng) - 0.5) * (double)(m + 8);
            if (isnan(x[i]))
                nan++;
            else
                want[naive_bin(e, m, x[i])]++;
        }
        size_t missing = 0;
        ck_assert_int_eq(mlops__drift_count(e, m, x, n, got, &missing), MLOPS_OK);
        ck_assert_uint_eq(missing, nan);
        size_t nbins = mlops__drift_nbins(m);
        ck_assert_uint_eq(nbins, m < 2 ? 3 : m + 1);
        for (size_t b = 0; b < nbins; b++)
            ck_assert_msg(got[b] == want[b], "%zu edges, bin %zu: %llu, want %llu", m, b,
                          (unsigned long long)got[b], (unsigned long long)want[b]);
        /* The sorted path, on the same values without NaN. */
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!isnan(x[i])) x[k++] = x[i];
        mlops__sort_doubles(x, k);
        ck_assert_int_eq(mlops__drift_count_sorted(e, m, x, k, sgot), MLOPS_OK);
        for (size_t b = 0; b < nbins; b++) ck_assert_uint_eq(sgot[b], want[b]);
        free(e);
        free(x);
        free(got);
        free(want);
        free(sgot);
    }
}
END_TEST

START_TEST(counts_accumulate_over_batches)
{
    static const double edges[] = {0.0, 1.0, 2.0};
    static const double x[] = {-1.0, 0.0, 0.5, 1.0, 2.0, 2.0, 3.0, NAN, 1.5};
    uint64_t whole[4] = {0}, parts[4] = {0};
    size_t missing;
    ck_assert_int_eq(mlops__drift_count(edges, 3, x, 9, whole, &missing), MLOPS_OK);
    ck_assert_uint_eq(missing, 1);
    /* below, [0, 1), [1, 2] closed, above */
    ck_assert_uint_eq(whole[0], 1);
    ck_assert_uint_eq(whole[1], 2);
    ck_assert_uint_eq(whole[2], 4);
    ck_assert_uint_eq(whole[3], 1);
    ck_assert_int_eq(mlops__drift_count(edges, 3, x, 4, parts, NULL), MLOPS_OK);
    ck_assert_int_eq(mlops__drift_count(edges, 3, x + 4, 5, parts, NULL), MLOPS_OK);
    ck_assert_int_eq(mlops__drift_count(edges, 3, NULL, 0, parts, &missing), MLOPS_OK);
    ck_assert_uint_eq(missing, 0);
    ck_assert_mem_eq(whole, parts, sizeof whole);
    /* A constant reference: below, the point itself, above. */
    static const double point[] = {4.0};
    static const double y[] = {4.0, 3.999, 4.0, 4.001, -INFINITY, INFINITY};
    uint64_t c[3] = {0};
    ck_assert_int_eq(mlops__drift_count(point, 1, y, 6, c, NULL), MLOPS_OK);
    ck_assert_uint_eq(c[0], 2);
    ck_assert_uint_eq(c[1], 2);
    ck_assert_uint_eq(c[2], 2);
}
END_TEST

START_TEST(edges_follow_numpy_on_small_cases)
{
    /* numpy.quantile([1, 2, 3, 4], linspace(0, 1, 4)) = 1, 2, 3, 4 and
     * [0, 10] with 4 bins = 0, 2.5, 5, 7.5, 10. */
    double e[11];
    size_t m;
    static const double a[] = {1.0, 2.0, 3.0, 4.0};
    ck_assert_int_eq(mlops__drift_edges(a, 4, 3, e, &m), MLOPS_OK);
    ck_assert_uint_eq(m, 4);
    for (size_t i = 0; i < 4; i++) ck_assert(e[i] == a[i]);
    static const double b[] = {0.0, 10.0};
    ck_assert_int_eq(mlops__drift_edges(b, 2, 4, e, &m), MLOPS_OK);
    ck_assert_uint_eq(m, 5);
    ck_assert(e[0] == 0.0 && e[1] == 2.5 && e[2] == 5.0 && e[3] == 7.5 && e[4] == 10.0);
    /* Ties collapse: most of the mass on one value. */
    static const double c[] = {1, 1, 1, 1, 1, 1, 1, 1, 2, 3};
    ck_assert_int_eq(mlops__drift_edges(c, 10, 10, e, &m), MLOPS_OK);
    /* levels 0 .. 0.7 all give 1; 0.8 -> 1.2, 0.9 -> 2.1, 1 -> 3 */
    ck_assert_uint_eq(m, 4);
    ck_assert(e[0] == 1.0 && e[3] == 3.0);
    ck_assert(fabs(e[1] - 1.2) < 1e-15 && fabs(e[2] - 2.1) < 1e-15);
    /* Values near the double range: b - a overflows; the edges stay finite. */
    static const double d[] = {-DBL_MAX, DBL_MAX};
    ck_assert_int_eq(mlops__drift_edges(d, 2, 4, e, &m), MLOPS_OK);
    ck_assert_uint_eq(m, 5);
    for (size_t i = 0; i < m; i++) ck_assert(isfinite(e[i]));
    ck_assert(e[2] == 0.0);
}
END_TEST

START_TEST(scores_behave_as_documented)
{
    static const uint64_t a[] = {30, 0, 20, 50}, b[] = {0, 40, 25, 35};
    double ab, ba, v;
    /* psi is symmetric, also with bins empty on one side only. */
    ck_assert_int_eq(mlops__drift_psi(a, b, 4, 0.5, &ab), MLOPS_OK);
    ck_assert_int_eq(mlops__drift_psi(b, a, 4, 0.5, &ba), MLOPS_OK);
    ck_assert(isfinite(ab) && ab > 0.0);
    ck_assert_close(ba, ab, 1e-15, "psi swapped", "a/b");
    ck_assert_int_eq(mlops__drift_jensen_shannon(a, b, 4, &ab), MLOPS_OK);
    ck_assert_int_eq(mlops__drift_jensen_shannon(b, a, 4, &ba), MLOPS_OK);
    ck_assert_close(ba, ab, 1e-15, "jensen_shannon swapped", "a/b");
    ck_assert_int_eq(mlops__drift_hellinger(a, b, 4, &ab), MLOPS_OK);
    ck_assert_int_eq(mlops__drift_hellinger(b, a, 4, &ba), MLOPS_OK);
    ck_assert_close(ba, ab, 1e-15, "hellinger swapped", "a/b");
    /* Disjoint supports: both distances are exactly 1. */
    static const uint64_t left[] = {3, 0, 9, 0}, right[] = {0, 1, 0, 4};
    ck_assert_int_eq(mlops__drift_jensen_shannon(left, right, 4, &v), MLOPS_OK);
    ck_assert(v == 1.0);
    ck_assert_int_eq(mlops__drift_hellinger(left, right, 4, &v), MLOPS_OK);
    ck_assert(v == 1.0);
    /* Proportional counts: the unsmoothed distances are exactly 0. */
    static const uint64_t p1[] = {1, 2, 3}, p2[] = {1000, 2000, 3000};
    ck_assert_int_eq(mlops__drift_jensen_shannon(p1, p2, 3, &v), MLOPS_OK);
    ck_assert(v == 0.0);
    ck_assert_int_eq(mlops__drift_hellinger(p1, p2, 3, &v), MLOPS_OK);
    ck_assert(v == 0.0);
    ck_assert_int_eq(mlops__drift_kl(p1, p1, 3, 0.5, &v), MLOPS_OK);
    ck_assert(v == 0.0);
    /* Probabilities sum to 1, smoothed or not. */
    double p[4];
    ck_assert_int_eq(mlops__drift_probabilities(a, 4, 0.5, p), MLOPS_OK);
    ck_assert_close(p[0] + p[1] + p[2] + p[3], 1.0, 1e-15, "sum", "smoothed");
    ck_assert(p[1] == 0.5 / 102.0);
    ck_assert_int_eq(mlops__drift_probabilities(a, 4, 0.0, p), MLOPS_OK);
    ck_assert(p[0] == 0.3 && p[1] == 0.0 && p[3] == 0.5);
}
END_TEST

START_TEST(wasserstein_properties)
{
    /* scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5. */
    static const double u[] = {0.0, 1.0, 3.0}, v[] = {5.0, 6.0, 8.0};
    static const double t[] = {1.0, 1.0, 1.0, 2.0};
    double w, w2;
    ck_assert_int_eq(mlops__drift_wasserstein(u, 3, v, 3, &w), MLOPS_OK);
    ck_assert(w == 5.0);
    ck_assert_int_eq(mlops__drift_wasserstein(v, 3, u, 3, &w2), MLOPS_OK);
    ck_assert(w2 == 5.0);
    ck_assert_int_eq(mlops__drift_wasserstein(u, 3, u, 3, &w), MLOPS_OK);
    ck_assert(w == 0.0);
    /* Ties across and within the samples: |F_u - F_v| integrates to 0.5 +
     * 2 * 0.25 = 1 ... computed by hand: [0,1): 1/3; [1,2): 1/3 - 3/4 etc. */
    ck_assert_int_eq(mlops__drift_wasserstein(u, 3, t, 4, &w), MLOPS_OK);
    /* F_u - F_t: [0,1) 1/3 - 0; [1,2) 2/3 - 3/4; [2,3) 2/3 - 1 */
    ck_assert_close(w, 1.0 / 3.0 + 1.0 / 12.0 + 1.0 / 3.0, 1e-15, "ties", "u/t");
    /* A constant reference: the normalized distance is 0 or +Inf. */
    static const double c[] = {2.0, 2.0}, d[] = {2.0, 3.0};
    ck_assert_int_eq(mlops__drift_wasserstein_normalized(c, 2, c, 2, &w), MLOPS_OK);
    ck_assert(w == 0.0);
    ck_assert_int_eq(mlops__drift_wasserstein_normalized(c, 2, d, 2, &w), MLOPS_OK);
    ck_assert(isinf(w) && w > 0);
    ck_assert(mlops__drift_normalize(1.0, 4.0) == 0.25);
    ck_assert(mlops__drift_normalize(0.0, 0.0) == 0.0);
    ck_assert(isinf(mlops__drift_normalize(1e-300, 0.0)));
    ck_assert(isnan(mlops__drift_normalize(NAN, 1.0)));
    ck_assert(isnan(mlops__drift_normalize(1.0, -1.0)));
}
END_TEST

START_TEST(large_samples_stay_exact)
{
    /* Two samples of 200,000 values on a grid of 1/1024: every term of the
     * integral is exact, so the distance equals the closed form exactly
     * when v is u shifted by one grid step (W = 1/1024). */
    size_t n = 200000;
    double *u = malloc(n * sizeof *u), *v = malloc(n * sizeof *v);
    ck_assert(u && v);
    for (size_t i = 0; i < n; i++) {
        u[i] = (double)(i / 7) / 1024.0;
        v[i] = u[i] + 1.0 / 1024.0;
    }
    double w;
    ck_assert_int_eq(mlops__drift_wasserstein(u, n, v, n, &w), MLOPS_OK);
    ck_assert(w == 1.0 / 1024.0);
    ck_assert_int_eq(mlops__drift_wasserstein(v, n, u, n - 1, &w), MLOPS_OK);
    ck_assert(isfinite(w) && w > 0.0);
    free(u);
    free(v);
}
END_TEST

START_TEST(wasserstein_paths_agree)
{
    /* The paired (n == m) and coupled (n != m) walks against the weighted
     * merge over the cdfs with unit weights, a different algorithm checked
     * against SciPy above; sizes cross the 1024-term blocks. */
    static const size_t sizes[][2] = {{3000, 3000}, {3000, 2999}, {2500, 1000}, {1, 4000},
                                      {1025, 1025}, {7, 3}};
    mlops__rng rng;
    mlops__rng_seed(&rng, 77);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s][0], m = sizes[s][1];
        double *u = malloc(n * sizeof *u), *v = malloc(m * sizeof *v);
        double *ones = malloc((n > m ? n : m) * sizeof *ones);
        ck_assert(u && v && ones);
        for (size_t i = 0; i < n; i++) u[i] = floor(mlops__rng_uniform(&rng) * 50.0) / 8.0;
        for (size_t i = 0; i < m; i++) v[i] = mlops__rng_uniform(&rng) * 7.0 - 0.5;
        for (size_t i = 0; i < (n > m ? n : m); i++) ones[i] = 1.0;
        mlops__sort_doubles(u, n);
        mlops__sort_doubles(v, m);
        double w, ww, wr;
        ck_assert_int_eq(mlops__drift_wasserstein(u, n, v, m, &w), MLOPS_OK);
        ck_assert_int_eq(mlops__drift_wasserstein(v, m, u, n, &wr), MLOPS_OK);
        ck_assert_int_eq(mlops__drift_wasserstein_weighted(u, ones, n, v, ones, m, &ww),
                         MLOPS_OK);
        ck_assert_close(w, ww, 1e-13, "wasserstein vs weighted", "random");
        ck_assert_close(wr, ww, 1e-13, "wasserstein swapped", "random");
        free(u);
        free(v);
        free(ones);
    }
}
END_TEST

static void assert_error(int rc, int want, const char *needle)
{
    ck_assert_int_eq(rc, want);
    ck_assert_msg(strstr(mlops_last_error(), needle) != NULL, "message '%s' lacks '%s'",
                  mlops_last_error(), needle);
}

START_TEST(bad_input_is_refused)
{
    static const double sorted[] = {1.0, 2.0, 3.0};
    static const double unsorted[] = {1.0, 3.0, 2.0};
    static const double with_nan[] = {1.0, NAN, 3.0};
    static const double with_inf[] = {1.0, 2.0, INFINITY};
    double e[4] = {7, 7, 7, 7}, out = 42.0;
    size_t m = 99;
    assert_error(mlops__drift_edges(NULL, 3, 2, e, &m), MLOPS_EINVAL, "reference sample is NULL");
    assert_error(mlops__drift_edges(sorted, 0, 2, e, &m), MLOPS_EINVAL, "empty");
    assert_error(mlops__drift_edges(sorted, 3, 0, e, &m), MLOPS_EINVAL, "bin count 0");
    assert_error(mlops__drift_edges(sorted, 3, MLOPS__DRIFT_MAX_BINS + 1, e, &m), MLOPS_EINVAL,
                 "outside");
    assert_error(mlops__drift_edges(unsorted, 3, 2, e, &m), MLOPS_EINVAL,
                 "not sorted ascending at index 2");
    assert_error(mlops__drift_edges(with_nan, 3, 2, e, &m), MLOPS_EINVAL, "index 1 is NaN");
    assert_error(mlops__drift_edges(with_inf, 3, 2, e, &m), MLOPS_EINVAL, "index 2 is infinite");
    ck_assert(m == 99 && e[0] == 7.0);

    uint64_t c[4] = {5, 5, 5, 5};
    static const double bad_edges[] = {1.0, 1.0};
    static const double inf_edges[] = {1.0, INFINITY};
    assert_error(mlops__drift_count(bad_edges, 2, sorted, 3, c, NULL), MLOPS_EINVAL,
                 "not strictly increasing at index 1");
    assert_error(mlops__drift_count(inf_edges, 2, sorted, 3, c, NULL), MLOPS_EINVAL,
                 "edge 1 is not finite");
    assert_error(mlops__drift_count(sorted, 0, sorted, 3, c, NULL), MLOPS_EINVAL, "nedges is 0");
    assert_error(mlops__drift_count(sorted, 3, NULL, 3, c, NULL), MLOPS_EINVAL, "sample is NULL");
    assert_error(mlops__drift_count(sorted, 3, sorted, 3, NULL, NULL), MLOPS_EINVAL, "counts");
    assert_error(mlops__drift_count_sorted(sorted, 3, unsorted, 3, c), MLOPS_EINVAL,
                 "not sorted ascending at index 2 (2 after 3)");
    assert_error(mlops__drift_count_sorted(sorted, 3, with_nan, 3, c), MLOPS_EINVAL, "NaN");
    ck_assert(c[0] == 5 && c[1] == 5 && c[2] == 5 && c[3] == 5);

    static const uint64_t r[] = {1, 2, 3}, zero[] = {0, 0, 0};
    double p[3];
    assert_error(mlops__drift_psi(r, r, 3, 0.0, &out), MLOPS_EINVAL, "alpha 0");
    assert_error(mlops__drift_kl(r, r, 3, -1.0, &out), MLOPS_EINVAL, "alpha -1");
    assert_error(mlops__drift_psi(r, r, 3, INFINITY, &out), MLOPS_EINVAL, "alpha inf");
    assert_error(mlops__drift_psi(zero, r, 3, 0.5, &out), MLOPS_EINVAL,
                 "the reference sample is empty");
    assert_error(mlops__drift_jensen_shannon(r, zero, 3, &out), MLOPS_EINVAL,
                 "the current sample is empty");
    assert_error(mlops__drift_hellinger(r, r, 0, &out), MLOPS_EINVAL, "nbins is 0");
    assert_error(mlops__drift_hellinger(NULL, r, 3, &out), MLOPS_EINVAL, "reference counts");
    assert_error(mlops__drift_kl(r, r, 3, 0.5, NULL), MLOPS_EINVAL, "out is NULL");
    assert_error(mlops__drift_probabilities(zero, 3, 0.0, p), MLOPS_EINVAL, "alpha is 0");
    assert_error(mlops__drift_probabilities(r, 3, NAN, p), MLOPS_EINVAL, "alpha");
    ck_assert(out == 42.0);

    assert_error(mlops__drift_wasserstein(sorted, 3, unsorted, 3, &out), MLOPS_EINVAL,
                 "current sample is not sorted ascending at index 2");
    assert_error(mlops__drift_wasserstein(with_nan, 3, sorted, 3, &out), MLOPS_EINVAL,
                 "reference sample value at index 1 is NaN");
    assert_error(mlops__drift_wasserstein(sorted, 3, with_inf, 3, &out), MLOPS_EINVAL,
                 "current sample value at index 2 is infinite");
    static const double nan1[] = {NAN};
    assert_error(mlops__drift_wasserstein(nan1, 1, nan1, 1, &out), MLOPS_EINVAL, "NaN");
    assert_error(mlops__drift_wasserstein(sorted, 0, sorted, 3, &out), MLOPS_EINVAL,
                 "reference sample is empty");
    static const double huge[] = {-DBL_MAX, DBL_MAX};
    assert_error(mlops__drift_wasserstein(huge, 2, sorted, 3, &out), MLOPS_ERANGE, "overflows");
    static const double w_ok[] = {1.0, 1.0, 1.0}, w_neg[] = {1.0, -1.0, 1.0};
    static const double w_zero[] = {0.0, 0.0, 0.0};
    assert_error(mlops__drift_wasserstein_weighted(sorted, w_neg, 3, sorted, w_ok, 3, &out),
                 MLOPS_EINVAL, "reference weight at index 1 is -1");
    assert_error(mlops__drift_wasserstein_weighted(sorted, w_ok, 3, sorted, w_zero, 3, &out),
                 MLOPS_EINVAL, "current weights sum to 0");
    assert_error(mlops__drift_wasserstein_weighted(sorted, w_ok, 3, unsorted, w_ok, 3, &out),
                 MLOPS_EINVAL, "not sorted");
    assert_error(mlops__drift_wasserstein_weighted(sorted, NULL, 3, sorted, w_ok, 3, &out),
                 MLOPS_EINVAL, "reference weights is NULL");
    assert_error(mlops__drift_std(with_inf, 3, &out), MLOPS_EINVAL, "index 2 is inf");
    assert_error(mlops__drift_std(sorted, 0, &out), MLOPS_EINVAL, "empty");
    assert_error(mlops__drift_wasserstein_normalized(sorted, 3, with_nan, 3, &out),
                 MLOPS_EINVAL, "NaN");
    ck_assert(out == 42.0);
    ck_assert_uint_eq(mlops__drift_nbins(0), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("drift_divergence");
    TCase *tc = tcase_create("reference");
    tcase_add_loop_test(tc, numeric_fixtures_match_numpy, 0,
                        (int)(sizeof numeric_fixtures / sizeof numeric_fixtures[0]));
    tcase_add_loop_test(tc, categorical_fixtures_match_numpy, 0,
                        (int)(sizeof categorical_fixtures / sizeof categorical_fixtures[0]));
    tcase_add_loop_test(tc, weighted_fixtures_match_scipy, 0,
                        (int)(sizeof weighted_fixtures / sizeof weighted_fixtures[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("properties");
    tcase_add_test(tc, counting_paths_agree_on_edges_and_specials);
    tcase_add_test(tc, counts_accumulate_over_batches);
    tcase_add_test(tc, edges_follow_numpy_on_small_cases);
    tcase_add_test(tc, scores_behave_as_documented);
    tcase_add_test(tc, wasserstein_properties);
    tcase_add_test(tc, wasserstein_paths_agree);
    tcase_add_test(tc, large_samples_stay_exact);
    tcase_add_test(tc, bad_input_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
