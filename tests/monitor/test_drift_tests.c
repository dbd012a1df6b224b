/* The drift hypothesis tests against SciPy 1.10.1: two-sample KS
 * (statistic, p-value and which method SciPy used) on generated and small
 * literal samples, the p-value lattice of the exact path, the KS, Smirnov,
 * Kolmogorov, normal, incomplete-gamma and chi-square distribution
 * functions into their far tails, chi2_contingency tables and the
 * two-proportion z-test (tests/reference/make_drift_tests_reference.py).
 * Also bad input, out-of-memory paths and symmetry properties. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "core/sort.h"
#include "drift_tests_reference.h"
#include "fault_alloc.h"
#include "monitor/drift_tests.h"
#include "runner.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Statistics and p-values must match to 1e-10 relative; a p-value SciPy
 * rounds to 0 (or below 1e-300) may differ by 1e-300 absolute. */
/* The step through the four largest reference tables: every case, or one
 * in three under valgrind (MLOPS_TEST_SHORT), the first and last included. */
static size_t case_step(size_t count, size_t c)
{
    if (getenv("MLOPS_TEST_SHORT") == NULL || c + 1 >= count) return 1;
    return c + 3 < count ? 3 : count - 1 - c;
}

static const double RTOL = 1e-10;
static const double ATOL = 1e-300;

static int close_to(double got, double want, double rtol)
{
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == want;
    return fabs(got - want) <= rtol * fabs(want) + ATOL;
}

#define ASSERT_CLOSE(got, want, ...)                                                         \
    ck_assert_msg(close_to((got), (want), RTOL), __VA_ARGS__)

/* The generator of the reference script: splitmix64 outputs as 53-bit
 * uniforms, shaped, scaled, shifted, optionally floored to a grid. */
static double uniform(uint64_t seed, uint64_t counter)
{
    uint64_t z = seed + counter * UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

static double *make_sample(const ks_spec *s)
{
    double *x = malloc(s->n * sizeof *x);
    ck_assert_ptr_nonnull(x);
    for (size_t i = 0; i < s->n; i++) {
        double v;
        if (s->shape == 0) {
            v = uniform(s->seed, i + 1);
        } else {
            double u0 = uniform(s->seed, 4 * i + 1), u1 = uniform(s->seed, 4 * i + 2);
            double u2 = uniform(s->seed, 4 * i + 3), u3 = uniform(s->seed, 4 * i + 4);
            v = (((u0 + u1) + u2) + u3) - 2.0;
        }
        v = s->shift + s->scale * v;
        if (s->levels > 0) v = floor(v * s->levels) / s->levels;
        x[i] = v;
    }
    mlops__sort_doubles(x, s->n);
    return x;
}

/* The empirical cdfs of a and b at every distinct value of either, as
 * numpy.searchsorted(x, grid, side='right') / n. Returns the point count. */
static size_t ecdfs(const double *a, size_t n1, const double *b, size_t n2, double **grid,
                    double **f1, double **f2)
{
    size_t cap = n1 + n2, k = 0, i = 0, j = 0;
    *grid = malloc(cap * sizeof **grid);
    *f1 = malloc(cap * sizeof **f1);
    *f2 = malloc(cap * sizeof **f2);
    ck_assert(*grid && *f1 && *f2);
    while (i < n1 || j < n2) {
        double v = j == n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
        while (i < n1 && a[i] == v) i++;
        while (j < n2 && b[j] == v) j++;
        (*grid)[k] = v;
        (*f1)[k] = (double)i / (double)n1;
        (*f2)[k] = (double)j / (double)n2;
        k++;
    }
    return k;
}

static void check_ks(const char *name, const double *a, size_t n1, const double *b, size_t n2,
                     double statistic, double pvalue, int method, int failed)
{
    mlops__ks_result r;
    ck_assert_msg(mlops__ks_2samp(a, n1, b, n2, &r) == MLOPS_OK, "%s: %s", name,
                  mlops_last_error());
    ASSERT_CLOSE(r.statistic, statistic, "%s: D %.17g, SciPy %.17g", name, r.statistic, statistic);
    ASSERT_CLOSE(r.pvalue, pvalue, "%s: p %.17g, SciPy %.17g", name, r.pvalue, pvalue);
    ck_assert_msg((int)r.method == method, "%s: method %d, SciPy %d", name, r.method, method);
    ck_assert_msg((int)r.exact_failed == failed, "%s: exact_failed", name);
    ck_assert(r.sign == 1 || r.sign == -1);

    /* Swapping the samples changes only the sign. */
    mlops__ks_result s;
    ck_assert_int_eq(mlops__ks_2samp(b, n2, a, n1, &s), MLOPS_OK);
    ck_assert_msg(s.statistic == r.statistic && s.pvalue == r.pvalue, "%s: not symmetric", name);
    if (r.statistic > 0.0 && s.sign == r.sign) {
        /* only when both extremes are equal */
        ck_assert_int_eq(s.sign, 1);
    }
}

START_TEST(ks_generated_samples)
{
    for (size_t c = 0; c < COUNT(ks_generated); c += case_step(COUNT(ks_generated), c)) {
        const ks_generated_case *k = &ks_generated[c];
        double *a = make_sample(&k->a), *b = make_sample(&k->b);
        check_ks(k->name, a, k->a.n, b, k->b.n, k->statistic, k->pvalue, k->method,
                 k->exact_failed);

        /* The same data as tabulated cdfs: SciPy's method='asymp'. */
        double *grid, *f1, *f2;
        size_t np = ecdfs(a, k->a.n, b, k->b.n, &grid, &f1, &f2);
        mlops__ks_result r;
        ck_assert_int_eq(mlops__ks_from_cdfs(f1, f2, grid, np, (double)k->a.n, (double)k->b.n, &r),
                         MLOPS_OK);
        ASSERT_CLOSE(r.statistic, k->asymp_statistic, "%s: cdf D %.17g, SciPy %.17g", k->name,
                     r.statistic, k->asymp_statistic);
        ASSERT_CLOSE(r.pvalue, k->asymp_pvalue, "%s: cdf p %.17g, SciPy %.17g", k->name,
                     r.pvalue, k->asymp_pvalue);
        ck_assert_int_eq(r.method, MLOPS__KS_ASYMP);
        if (r.statistic > 0.0) {
            double want = r.sign > 0 ? r.statistic : -r.statistic;
            size_t at = 0;
            while (grid[at] != r.location) at++;
            ck_assert(f1[at] - f2[at] == want);
        }
        free(grid);
        free(f1);
        free(f2);
        free(a);
        free(b);
    }
}
END_TEST

START_TEST(ks_literal_samples)
{
    for (size_t c = 0; c < COUNT(ks_literal); c++) {
        const ks_literal_case *k = &ks_literal[c];
        check_ks(k->name, k->a, k->n1, k->b, k->n2, k->statistic, k->pvalue, k->method,
                 k->exact_failed);
    }
}
END_TEST

START_TEST(ks_location_and_sign)
{
    const double a[] = {1.0, 2.0, 5.0, 6.0};
    const double b[] = {3.0, 4.0, 7.0, 8.0};
    mlops__ks_result r;
    ck_assert_int_eq(mlops__ks_2samp(a, 4, b, 4, &r), MLOPS_OK);
    /* F1 - F2 reaches its maximum 1/2 at 2 and again at 6: the first counts. */
    ck_assert_double_eq(r.statistic, 0.5);
    ck_assert_double_eq(r.location, 2.0);
    ck_assert_int_eq(r.sign, 1);
    ck_assert_int_eq(mlops__ks_2samp(b, 4, a, 4, &r), MLOPS_OK);
    ck_assert_double_eq(r.location, 2.0);
    ck_assert_int_eq(r.sign, -1);
    const double c4[] = {1.0, 2.0, 3.0, 4.0};
    const double c5[] = {2.5, 3.5, 4.5, 5.5, 6.5};
    ck_assert_int_eq(mlops__ks_2samp(c4, 4, c5, 5, &r), MLOPS_OK);
    ck_assert_double_eq_tol(r.statistic, 0.6, 1e-16); /* at 4: 1 - 2/5 */
    ck_assert_double_eq(r.location, 4.0);

    /* Equal empirical distributions: D = 0, p = 1, sign +1, smallest value. */
    const double c[] = {-1.0, 0.0, 0.0, 2.0};
    const double d[] = {-1.0, 0.0, 2.0};
    const double e[] = {-1.0, -1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 2.0};
    ck_assert_int_eq(mlops__ks_2samp(c, 4, c, 4, &r), MLOPS_OK);
    ck_assert(r.statistic == 0.0 && r.pvalue == 1.0 && r.sign == 1 && r.location == -1.0);
    ck_assert_int_eq(mlops__ks_2samp(c, 4, e, 8, &r), MLOPS_OK);
    ck_assert(r.statistic == 0.0 && r.pvalue == 1.0);
    ck_assert_int_eq(mlops__ks_2samp(d, 3, c, 4, &r), MLOPS_OK);
    ck_assert_double_eq_tol(r.statistic, 1.0 / 12.0, 1e-16); /* at -1: 1/3 - 1/4 */
}
END_TEST

START_TEST(ks_pvalue_lattice)
{
    for (size_t c = 0; c < COUNT(ks_pvalues); c += case_step(COUNT(ks_pvalues), c)) {
        const ks_pvalue_case *k = &ks_pvalues[c];
        mlops__ks_result r;
        ck_assert_msg(mlops__ks_2samp_pvalue(k->n1, k->n2, k->d, &r) == MLOPS_OK, "%s",
                      mlops_last_error());
        ASSERT_CLOSE(r.statistic, k->statistic, "n1 %llu n2 %llu d %a: D %.17g vs %.17g",
                     (unsigned long long)k->n1, (unsigned long long)k->n2, k->d, r.statistic,
                     k->statistic);
        ASSERT_CLOSE(r.pvalue, k->pvalue, "n1 %llu n2 %llu d %a: p %.17g, SciPy %.17g",
                     (unsigned long long)k->n1, (unsigned long long)k->n2, k->d, r.pvalue,
                     k->pvalue);
        ck_assert_msg((int)r.method == k->method && (int)r.exact_failed == k->exact_failed,
                      "n1 %llu n2 %llu d %a: method %d/%d", (unsigned long long)k->n1,
                      (unsigned long long)k->n2, k->d, r.method, r.exact_failed);
        ck_assert(isnan(r.location) && r.sign == 1);
    }
}
END_TEST

START_TEST(kstwo_matches_scipy)
{
    for (size_t c = 0; c < COUNT(kstwo_cases); c += case_step(COUNT(kstwo_cases), c)) {
        const nx_case *k = &kstwo_cases[c];
        double p = -1.0;
        ck_assert_int_eq(mlops__kstwo_sf(k->x, k->n, &p), MLOPS_OK);
        ASSERT_CLOSE(p, k->expect, "kstwo.sf(%a, %llu) = %.17g, SciPy %.17g", k->x,
                     (unsigned long long)k->n, p, k->expect);
    }
}
END_TEST

START_TEST(smirnov_matches_scipy)
{
    for (size_t c = 0; c < COUNT(smirnov_cases); c += case_step(COUNT(smirnov_cases), c)) {
        const nx_case *k = &smirnov_cases[c];
        double p = mlops__smirnov_sf(k->n, k->x);
        ASSERT_CLOSE(p, k->expect, "smirnov(%llu, %a) = %.17g, SciPy %.17g",
                     (unsigned long long)k->n, k->x, p, k->expect);
    }
    ck_assert(isnan(mlops__smirnov_sf(0, 0.5)));
    ck_assert(isnan(mlops__smirnov_sf(5, -0.1)));
    ck_assert(isnan(mlops__smirnov_sf(5, 1.5)));
    ck_assert(isnan(mlops__smirnov_sf(5, NAN)));
}
END_TEST

START_TEST(kolmogorov_and_normal_match_scipy)
{
    for (size_t c = 0; c < COUNT(kolmogorov_cases); c++) {
        const x_case *k = &kolmogorov_cases[c];
        double p = mlops__kolmogorov_sf(k->x);
        ASSERT_CLOSE(p, k->expect, "kolmogorov(%a) = %.17g, SciPy %.17g", k->x, p, k->expect);
    }
    for (size_t c = 0; c < COUNT(norm_cases); c++) {
        const x_case *k = &norm_cases[c];
        double p = mlops__norm_sf(k->x);
        ASSERT_CLOSE(p, k->expect, "norm.sf(%a) = %.17g, SciPy %.17g", k->x, p, k->expect);
    }
    ck_assert(isnan(mlops__kolmogorov_sf(NAN)));
    ck_assert(isnan(mlops__norm_sf(NAN)));
    ck_assert_double_eq(mlops__norm_sf(-INFINITY), 1.0);
    ck_assert_double_eq(mlops__norm_sf(INFINITY), 0.0);
    ck_assert_double_eq(mlops__kolmogorov_sf(INFINITY), 0.0);
    /* Far tails are positive, not 1 - 1 = 0. */
    ck_assert(mlops__norm_sf(30.0) > 1e-198 && mlops__norm_sf(30.0) < 1e-196);
    ck_assert(mlops__kolmogorov_sf(15.0) > 1e-196 && mlops__kolmogorov_sf(15.0) < 1e-194);
}
END_TEST

START_TEST(gamma_and_chi2_match_scipy)
{
    for (size_t c = 0; c < COUNT(gamma_q_cases); c++) {
        const ax_case *k = &gamma_q_cases[c];
        double q = mlops__gamma_q(k->a, k->x);
        ASSERT_CLOSE(q, k->expect, "Q(%a, %a) = %.17g, SciPy %.17g", k->a, k->x, q, k->expect);
    }
    for (size_t c = 0; c < COUNT(chi2_sf_cases); c++) {
        const ax_case *k = &chi2_sf_cases[c];
        double p = mlops__chi2_sf(k->x, k->a);
        ASSERT_CLOSE(p, k->expect, "chi2.sf(%a, %g) = %.17g, SciPy %.17g", k->x, k->a, p,
                     k->expect);
    }
    ck_assert(isnan(mlops__gamma_q(0.0, 1.0)));
    ck_assert(isnan(mlops__gamma_q(-1.0, 1.0)));
    ck_assert(isnan(mlops__gamma_q(1.0, -1.0)));
    ck_assert(isnan(mlops__gamma_q(INFINITY, 1.0)));
    ck_assert(isnan(mlops__gamma_q(NAN, 1.0)));
    ck_assert_double_eq(mlops__gamma_q(3.0, 0.0), 1.0);
    ck_assert_double_eq(mlops__gamma_q(3.0, INFINITY), 0.0);
    ck_assert(isnan(mlops__chi2_sf(1.0, 0.0)));
    ck_assert(isnan(mlops__chi2_sf(NAN, 2.0)));
    /* Q(1, x) = e^-x exactly in theory: check the far tail keeps its digits. */
    ck_assert(close_to(mlops__gamma_q(1.0, 700.0), exp(-700.0), 1e-13));
}
END_TEST

START_TEST(chi2_tables_match_scipy)
{
    double ref[32], cur[32];
    for (size_t c = 0; c < COUNT(chi2_cases); c++) {
        const chi2_case *k = &chi2_cases[c];
        ck_assert_uint_le(k->k, 32);
        for (size_t j = 0; j < k->k; j++) {
            ref[j] = chi2_counts[k->offset + j][0];
            cur[j] = chi2_counts[k->offset + j][1];
        }
        mlops__chi2_result r;
        ck_assert_msg(mlops__chi2_homogeneity(ref, cur, k->k, &r) == MLOPS_OK, "table %zu: %s", c,
                      mlops_last_error());
        ck_assert_msg(r.columns == k->columns && r.dof == k->dof, "table %zu: dof %zu", c, r.dof);
        ck_assert(r.yates == (r.dof == 1));
        ASSERT_CLOSE(r.statistic, k->statistic, "table %zu: X2 %.17g, SciPy %.17g", c,
                     r.statistic, k->statistic);
        ASSERT_CLOSE(r.pvalue, k->pvalue, "table %zu: p %.17g, SciPy %.17g", c, r.pvalue,
                     k->pvalue);
    }
}
END_TEST

START_TEST(ztest_matches_scipy)
{
    for (size_t c = 0; c < COUNT(ztest_cases); c++) {
        const ztest_case *k = &ztest_cases[c];
        mlops__test_result r;
        ck_assert_int_eq(mlops__ztest_proportions(k->x1, k->n1, k->x2, k->n2, &r), MLOPS_OK);
        ASSERT_CLOSE(r.statistic, k->z, "case %zu: z %.17g, expected %.17g", c, r.statistic, k->z);
        ASSERT_CLOSE(r.pvalue, k->pvalue, "case %zu: p %.17g, SciPy %.17g", c, r.pvalue,
                     k->pvalue);
    }
    /* z^2 is the uncorrected chi-square of the 2 x 2 table. */
    mlops__test_result z;
    ck_assert_int_eq(mlops__ztest_proportions(30, 120, 45, 110, &z), MLOPS_OK);
    double x2 = 0.0, obs[2][2] = {{30, 90}, {45, 65}};
    double rows[2] = {120, 110}, cols[2] = {75, 155};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            double e = rows[i] * cols[j] / 230.0;
            x2 += (obs[i][j] - e) * (obs[i][j] - e) / e;
        }
    ck_assert(close_to(z.statistic * z.statistic, x2, 1e-13));
    ck_assert(close_to(z.pvalue, mlops__chi2_sf(x2, 1.0), 1e-12));
}
END_TEST

START_TEST(bad_input_is_refused)
{
    mlops__ks_result r;
    memset(&r, 0x5a, sizeof r);
    mlops__ks_result before = r;
    const double ok[] = {1.0, 2.0, 3.0};
    const double nan_first[] = {NAN, 1.0};
    const double nan_mid[] = {0.0, NAN, 1.0};
    const double unsorted[] = {0.0, 2.0, 1.0};
    ck_assert_int_eq(mlops__ks_2samp(NULL, 3, ok, 3, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_2samp(ok, 3, ok, 3, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_2samp(ok, 0, ok, 3, &r), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "empty"));
    ck_assert_int_eq(mlops__ks_2samp(ok, 3, nan_first, 2, &r), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "b[0] is NaN"));
    ck_assert_int_eq(mlops__ks_2samp(nan_mid, 3, ok, 3, &r), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "a[1] is NaN"));
    ck_assert_int_eq(mlops__ks_2samp(ok, 3, unsorted, 3, &r), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "b[1] = 2 > b[2] = 1"));
    ck_assert(memcmp(&r, &before, sizeof r) == 0);

    ck_assert_int_eq(mlops__ks_2samp_pvalue(0, 5, 0.5, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_2samp_pvalue(5, 5, 1.5, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_2samp_pvalue(5, 5, NAN, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_2samp_pvalue(5, 5, 0.5, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_2samp_pvalue(UINT64_C(1) << 40, (UINT64_C(1) << 40) - 1, 0.5, &r),
                     MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "2^63"));

    double p;
    bool good;
    ck_assert_int_eq(mlops__ks_exact_sf(0, 5, 1, &p, &good), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_exact_sf(10001, 5, 1, &p, &good), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_exact_sf(4, 6, 13, &p, &good), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_exact_sf(4, 6, 12, NULL, &good), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_exact_sf(4, 6, 12, &p, &good), MLOPS_OK);
    ck_assert(good && close_to(p, 2.0 / 210.0, 1e-14)); /* D = 1: 2 / C(10, 4) */

    ck_assert_int_eq(mlops__kstwo_sf(0.5, 0, &p), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__kstwo_sf(NAN, 5, &p), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__kstwo_sf(0.5, 5, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__kstwo_sf(-1.0, 5, &p), MLOPS_OK);
    ck_assert_double_eq(p, 1.0);
    ck_assert_int_eq(mlops__kstwo_sf(2.0, 5, &p), MLOPS_OK);
    ck_assert_double_eq(p, 0.0);

    const double f[] = {0.0, 0.5, 1.0}, g[] = {0.25, 0.5, 1.0}, bad[] = {0.0, 1.5, 1.0};
    ck_assert_int_eq(mlops__ks_from_cdfs(f, g, NULL, 0, 10, 10, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_from_cdfs(f, bad, NULL, 3, 10, 10, &r), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "grid point 1"));
    ck_assert_int_eq(mlops__ks_from_cdfs(f, g, NULL, 3, 0.0, 10, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_from_cdfs(f, g, NULL, 3, 10, INFINITY, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_from_cdfs(NULL, g, NULL, 3, 10, 10, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ks_from_cdfs(f, g, NULL, 3, 10, 10, &r), MLOPS_OK);
    ck_assert(r.statistic == 0.25 && r.sign == -1 && isnan(r.location));
    /* Tiny effective sizes use N = 1. */
    ck_assert_int_eq(mlops__ks_from_cdfs(f, g, NULL, 3, 0.3, 0.2, &r), MLOPS_OK);
    ck_assert_double_eq(r.pvalue, 1.0);

    mlops__chi2_result c;
    const double c1[] = {1, 2, 3}, c2[] = {3, 2, 1}, neg[] = {1, -2, 3}, inf[] = {1, INFINITY, 3};
    const double zero[] = {0, 0, 0};
    ck_assert_int_eq(mlops__chi2_homogeneity(NULL, c2, 3, &c), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__chi2_homogeneity(c1, c2, 0, &c), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__chi2_homogeneity(c1, neg, 3, &c), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "category 1"));
    ck_assert_int_eq(mlops__chi2_homogeneity(inf, c2, 3, &c), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__chi2_homogeneity(c1, zero, 3, &c), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "current sample has no counts"));
    ck_assert_int_eq(mlops__chi2_homogeneity(zero, c1, 3, &c), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "reference"));

    mlops__test_result z;
    ck_assert_int_eq(mlops__ztest_proportions(1, 10, 1, 10, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ztest_proportions(1, 0, 1, 10, &z), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ztest_proportions(11, 10, 1, 10, &z), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ztest_proportions(1, 10, -1, 10, &z), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ztest_proportions(NAN, 10, 1, 10, &z), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ztest_proportions(1, 10, 1, INFINITY, &z), MLOPS_EINVAL);
}
END_TEST

/* Out of memory: the exact unequal-size path and the Durbin matrix. */
typedef struct oom_ctx {
    int which;
    double out;
} oom_ctx;

static int oom_op(void *p)
{
    oom_ctx *ctx = p;
    static const double a[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};
    static const double b[] = {0.15, 0.35, 0.55, 0.75, 0.95};
    mlops__ks_result r;
    int rc;
    switch (ctx->which) {
    case 0:
        rc = mlops__ks_2samp(a, 7, b, 5, &r);
        if (rc == MLOPS_OK) ctx->out = r.pvalue;
        return rc;
    case 1:
        return mlops__kstwo_sf(0.2, 50, &ctx->out);
    default: {
        const double f[] = {0.1, 0.5, 1.0}, g[] = {0.12, 0.5, 1.0};
        rc = mlops__ks_from_cdfs(f, g, NULL, 3, 700.0, 700.0, &r); /* N = 350, D = 0.02: Durbin */
        if (rc == MLOPS_OK) ctx->out = r.pvalue;
        return rc;
    }
    }
}

START_TEST(out_of_memory_is_reported)
{
    fault_alloc_install();
    for (int w = 0; w < 3; w++) {
        oom_ctx ctx = {w, -1.0};
        long n = fault_alloc_sweep(oom_op, NULL, &ctx);
        ck_assert_int_eq(n, 1);
        ck_assert(ctx.out >= 0.0 && ctx.out <= 1.0);
    }
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(exact_and_asymptotic_agree_near_the_switch)
{
    /* The same D at 10000/10000 (exact) and 10001/10001 (asymptotic) gives
     * close p-values: the switch does not jump. */
    mlops__ks_result e, a;
    ck_assert_int_eq(mlops__ks_2samp_pvalue(10000, 10000, 0.02, &e), MLOPS_OK);
    ck_assert_int_eq(mlops__ks_2samp_pvalue(10001, 10001, 0.02, &a), MLOPS_OK);
    ck_assert_int_eq(e.method, MLOPS__KS_EXACT);
    ck_assert_int_eq(a.method, MLOPS__KS_ASYMP);
    ck_assert(fabs(e.pvalue - a.pvalue) < 0.05 * e.pvalue);
    /* Exact p-values of completely separated samples: 2 / C(n1 + n2, n1)
     * for n1 == n2, 1 / C(n1 + n2, n1) per side otherwise. */
    double p;
    bool good;
    ck_assert_int_eq(mlops__ks_exact_sf(30, 30, 30, &p, &good), MLOPS_OK);
    ck_assert(good && close_to(p, 2.0 / 118264581564861424.0, 1e-13));
    ck_assert_int_eq(mlops__ks_exact_sf(20, 30, 60, &p, &good), MLOPS_OK);
    ck_assert(good && close_to(p, 2.0 / 47129212243960.0, 1e-13));
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("drift_tests");
    TCase *t = tcase_create("scipy");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, ks_generated_samples);
    tcase_add_test(t, ks_literal_samples);
    tcase_add_test(t, ks_location_and_sign);
    tcase_add_test(t, ks_pvalue_lattice);
    tcase_add_test(t, kstwo_matches_scipy);
    tcase_add_test(t, smirnov_matches_scipy);
    tcase_add_test(t, kolmogorov_and_normal_match_scipy);
    tcase_add_test(t, gamma_and_chi2_match_scipy);
    tcase_add_test(t, chi2_tables_match_scipy);
    tcase_add_test(t, ztest_matches_scipy);
    tcase_add_test(t, bad_input_is_refused);
    tcase_add_test(t, out_of_memory_is_reported);
    tcase_add_test(t, exact_and_asymptotic_agree_near_the_switch);
    suite_add_tcase(s, t);
    return s;
}
