/* Private: the hypothesis tests under the drift statistics, and the
 * distribution functions they need. Two-sample Kolmogorov-Smirnov with the
 * p-value SciPy 1.10's scipy.stats.ks_2samp(a, b) gives (alternative
 * 'two-sided', method 'auto'), the chi-square test of homogeneity of
 * scipy.stats.chi2_contingency (2 x k, default Yates correction), the
 * pooled two-proportion z-test, and the survival functions behind them:
 * normal, Kolmogorov (limit and finite n), one-sided Smirnov, regularized
 * upper incomplete gamma, chi-square.
 *
 * Every survival function is computed directly (never as 1 - cdf where the
 * cdf is close to 1), so far-tail p-values keep their relative accuracy
 * down to about 1e-300. Below that, where SciPy itself returns 0 or a
 * subnormal number, the value here may be 0 or a (different) number below
 * 1e-300: treat both as "underflowed". Against SciPy 1.10.1 on the
 * fixtures of tests/monitor/test_drift_tests.c statistics and p-values
 * agree to 2e-11 relative (most to 1e-13), with 1e-300 absolute below
 * that; where they differ most (the finite-n Kolmogorov distribution for
 * n <= 140, the incomplete gamma for a >= 10^6) the difference is SciPy's
 * rounding error, checked against 50-digit arithmetic.
 *
 * The distribution functions are pure (no allocation, no state) and return
 * NaN outside their domain. The tests return MLOPS_OK or a negative
 * MLOPS_E* code with a message naming the argument at fault; outputs are
 * left unchanged on failure. Only the exact two-sample KS p-value and the
 * finite-n Kolmogorov distribution allocate (a work buffer, freed before
 * returning), and so may also fail with MLOPS_ENOMEM. */
#ifndef MLOPS_MONITOR_DRIFT_TESTS_H
#define MLOPS_MONITOR_DRIFT_TESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------
 * Two-sample Kolmogorov-Smirnov
 *
 * D = sup_x |F1(x) - F2(x)| for the empirical distribution functions of the
 * two samples. The merge keeps F1 - F2 as the exact integer
 * k1 (n2/g) - k2 (n1/g) (g = gcd(n1, n2)), so D = h / lcm(n1, n2) exactly.
 *
 * p-value, following scipy.stats.ks_2samp 1.10.1 (method 'auto'):
 *  - max(n1, n2) <= MLOPS__KS_MAX_EXACT_N: the exact null distribution,
 *    P(D >= h / lcm). For n1 == n2 by the alternating sum of
 *    Drion/Gnedenko-Korolyuk (O(n)); otherwise by Hodges' lattice-path
 *    recursion in the form of Viehmann (2021) that carries the probability
 *    of having left the band |x/n1 - y/n2| < D directly (no 1 - p
 *    cancellation), one anti-diagonal at a time: vectorizable, skipping the
 *    band's middle where paths cannot have reached an edge, and setting
 *    cells below 1e-305 to 0 (no subnormal arithmetic; the result moves by
 *    less than 1e-300). At most O(n1 n2) operations, in practice 4 ms at
 *    D = 0.01 and 40 ms in the worst case (D near 0.2) for n1, n2 = 10^4,
 *    10^4 - 1 (SciPy: 15 ms to 0.9 s); 2 (max(n1, n2) + 3) doubles of
 *    memory. Each cell is computed with the same operations as SciPy's
 *    loop, so apart from the flushed cells the value is SciPy's bit for
 *    bit. When the n1 == n2 sum rounds outside [0, 1] (SciPy's "exact
 *    calculation unsuccessful", e.g. n1 = n2 = 5, D = 1/5), the asymptotic
 *    value is used and exact_failed is set.
 *  - otherwise: mlops__kstwo_sf(D, N), the exact distribution of the
 *    one-sample two-sided statistic for the effective size
 *    N = round(n1 n2 / (n1 + n2)) (round half to even), as SciPy does.
 * ------------------------------------------------------------------------ */

/* Largest sample size for which the exact p-value is computed. */
#define MLOPS__KS_MAX_EXACT_N 10000

typedef enum mlops__ks_method {
    MLOPS__KS_EXACT = 0, /* exact two-sample null distribution */
    MLOPS__KS_ASYMP = 1  /* mlops__kstwo_sf() at the effective sample size */
} mlops__ks_method;

typedef struct mlops__ks_result {
    double statistic;        /* D in [0, 1] */
    double pvalue;           /* in [0, 1] */
    double location;         /* the value (from either sample) where D is reached */
    int sign;                /* +1 when F1 - F2 = D there, -1 when F2 - F1 = D */
    mlops__ks_method method; /* how the p-value was computed */
    bool exact_failed;       /* exact was attempted, rounded out of [0, 1], fell back */
} mlops__ks_result;

/* The two-sample test on sorted samples a[0..n1) and b[0..n2), n1, n2 >= 1:
 * ascending, no NaN (infinities are ordinary ordered values: only the order
 * matters). One linear merge pass for D, plus the p-value above.
 *
 * location is the smallest value at which the chosen extreme is reached
 * (SciPy breaks ties between equal extremes differently; only statistic and
 * pvalue are meant to match it); sign is -1 only when max(F2 - F1) is
 * strictly larger than max(F1 - F2). For D = 0 (equal empirical
 * distributions) sign is +1, pvalue 1 and location the smallest value.
 *
 * EINVAL: NULL pointer, an empty sample, a NaN, a sample not ascending
 * (the message names the sample, the index and the values), or
 * n1 * n2 / gcd(n1, n2) >= 2^63. ENOMEM: the exact path's buffer. */
int mlops__ks_2samp(const double *a, size_t n1, const double *b, size_t n2,
                    mlops__ks_result *out);

/* The p-value step alone, for a statistic d in [0, 1] obtained elsewhere
 * from samples of sizes n1, n2 >= 1 (as scipy.stats.ks_2samp continues
 * after computing d): in the exact range d is first rounded to the lattice,
 * h = round(d lcm), and the result's statistic is h / lcm; otherwise it is
 * d. location is NaN and sign +1. EINVAL: n1 or n2 zero, d NaN or outside
 * [0, 1], lcm(n1, n2) >= 2^63, out NULL. ENOMEM as above. */
int mlops__ks_2samp_pvalue(uint64_t n1, uint64_t n2, double d, mlops__ks_result *out);

/* KS from two distribution functions tabulated on a common grid, for
 * sketches and weighted samples: D = max_i |f1[i] - f2[i]| over the k >= 1
 * grid points (the supremum between grid points is not seen: pass the
 * cdfs at every point where either one jumps), and the asymptotic p-value
 * mlops__kstwo_sf(D, N) with N = round(n1_eff n2_eff / (n1_eff + n2_eff))
 * (at least 1), exactly SciPy's ks_2samp(method='asymp') when f1, f2 are
 * the empirical cdfs i/n at the merged sample values and the sizes are the
 * sample sizes. For weighted data pass Kish's effective sizes
 * (sum w)^2 / sum w^2. grid (may be NULL) gives the x of each point, for
 * location (NaN without it). method is MLOPS__KS_ASYMP.
 * EINVAL: NULL f1, f2 or out, k == 0, a cdf value NaN or outside [0, 1],
 * an effective size not finite or not positive. */
int mlops__ks_from_cdfs(const double *f1, const double *f2, const double *grid, size_t k,
                        double n1_eff, double n2_eff, mlops__ks_result *out);

/* The exact two-sample probability P(D_{n1,n2} >= h / lcm(n1, n2)) under
 * the null (h an integer, 0 <= h <= lcm), as SciPy's exact path computes
 * it, for 1 <= n1, n2 <= MLOPS__KS_MAX_EXACT_N. *ok is set false when the
 * n1 == n2 formula rounds outside [0, 1] (the value is then written
 * unclipped). EINVAL: sizes out of range, h > lcm, NULL pointer. ENOMEM. */
int mlops__ks_exact_sf(uint64_t n1, uint64_t n2, uint64_t h, double *p, bool *ok);

/* ------------------------------------------------------------------------
 * Kolmogorov and Smirnov distributions
 * ------------------------------------------------------------------------ */

/* scipy.stats.kstwo.sf(d, n): P(D_n >= d) for the two-sided one-sample
 * statistic of a sample of size n >= 1, with SciPy 1.10's algorithm choice
 * (Simard and L'Ecuyer 2011): Ruben-Gambino closed forms at the ends,
 * 2 * Smirnov for d >= 0.5 and in the upper tail (n d^2 >= 2.2, or >= 4 for
 * n <= 140), the Durbin matrix (Marsaglia-Tsang-Wang) for small n or small
 * d, else the Pelz-Good series; 0 once n d^2 >= 370 (n > 140).
 * 1 for d <= 0.5 / n, 0 for d >= 1. EINVAL: n == 0, d NaN, out NULL.
 * ENOMEM: the Durbin matrix (at most 3 x 117^2 doubles). */
int mlops__kstwo_sf(double d, uint64_t n, double *out);

/* scipy.special.smirnov(n, d): P(D+_n >= d) for the one-sided one-sample
 * statistic, n >= 1, 0 <= d <= 1 (NaN otherwise). The Smirnov/Birnbaum-
 * Tingey sum of positive terms, each a binomial probability evaluated in
 * Loader's saddle-point form, so n up to 10^6 keeps ~1e-13 relative
 * accuracy. As SciPy: for n > 10^6 the approximation
 * exp(-(6 n d + 1)^2 / (18 n)), and 0 once 2 n d^2 > 745.13. */
double mlops__smirnov_sf(uint64_t n, double d);

/* scipy.special.kolmogorov(x): the limiting survival function
 * K(x) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2), 1 for x <= 0, computed
 * from the theta-function series for x <= 0.82 and directly above (the
 * far tail keeps full relative accuracy until it underflows near x = 19.3).
 * NaN for NaN. */
double mlops__kolmogorov_sf(double x);

/* ------------------------------------------------------------------------
 * Normal, gamma and chi-square
 * ------------------------------------------------------------------------ */

/* scipy.stats.norm.sf(x) = erfc(x / sqrt(2)) / 2, with the rounding of
 * x / sqrt(2) corrected so the far tail stays accurate to a few ulp
 * (underflow to 0 above x = 38.5); 1 at -Inf, 0 at +Inf, NaN for NaN. */
double mlops__norm_sf(double x);

/* The regularized upper incomplete gamma function
 * Q(a, x) = Gamma(a, x) / Gamma(a) = scipy.special.gammaincc(a, x), for
 * a > 0 (finite) and x >= 0 (NaN otherwise; Q(a, 0) = 1, Q(a, Inf) = 0).
 * The series for P(a, x) when x < a + 1 (then Q = 1 - P >= about 1/2,
 * or Q(a + 1, x) + x^a e^-x / Gamma(a + 1) when a < 1, both without
 * cancellation), the Legendre continued fraction otherwise; the factor
 * x^a e^-x / Gamma(a + 1) is taken in Loader's saddle-point form for
 * a >= 10. Relative accuracy about 1e-14 for a up to 1e8 (the iteration
 * counts grow as sqrt(a)). */
double mlops__gamma_q(double a, double x);

/* scipy.stats.chi2.sf(x, dof) = Q(dof / 2, x / 2) for dof > 0: 1 for
 * x <= 0, NaN when dof is not positive and finite or an argument is NaN. */
double mlops__chi2_sf(double x, double dof);

/* ------------------------------------------------------------------------
 * Tests on categorical counts
 * ------------------------------------------------------------------------ */

typedef struct mlops__chi2_result {
    double statistic; /* Pearson's X^2, Yates-corrected when dof == 1 */
    double pvalue;    /* mlops__chi2_sf(statistic, dof); 1 when dof == 0 */
    size_t dof;       /* columns - 1 */
    size_t columns;   /* categories kept: those with a positive count on either side */
    bool yates;       /* the continuity correction was applied */
} mlops__chi2_result;

/* Chi-square test of homogeneity of the 2 x k table with rows ref[0..k)
 * and cur[0..k) (counts: finite, >= 0, integral or not), as
 * scipy.stats.chi2_contingency(table) with its default correction=True:
 * expected E_ij = R_i C_j / N, X^2 = sum (O_ij - E_ij)^2 / E_ij over the
 * 2 x columns cells, dof = columns - 1, and for dof == 1 Yates' correction
 * O_ij += sign(E_ij - O_ij) min(0.5, |E_ij - O_ij|). A single column left
 * gives statistic 0, p-value 1, dof 0 (as SciPy).
 *
 * Columns where both counts are 0 are dropped first: SciPy raises
 * ValueError ("expected frequencies has a zero element") on such a table,
 * and the result here equals SciPy's on the table without them. A side with
 * no counts at all also makes SciPy raise; here it is EINVAL.
 * EINVAL: NULL pointer, k == 0, a count negative, NaN or infinite, a row
 * total of 0. */
int mlops__chi2_homogeneity(const double *ref, const double *cur, size_t k,
                            mlops__chi2_result *out);

typedef struct mlops__test_result {
    double statistic;
    double pvalue;
} mlops__test_result;

/* Pooled two-proportion z-test for a binary column: x1 of n1 reference
 * rows and x2 of n2 current rows are in the category.
 *     p1 = x1 / n1, p2 = x2 / n2, p = (x1 + x2) / (n1 + n2)
 *     z  = (p1 - p2) / sqrt(p (1 - p) (1 / n1 + 1 / n2))
 *     p-value = 2 * norm.sf(|z|) = erfc(|z| / sqrt 2)     (two-sided)
 * z^2 equals the uncorrected chi-square statistic of the 2 x 2 table. When
 * the pooled p is 0 or 1 (the category is absent from both samples, or
 * fills both) the statistic is undefined; this returns z = 0, p-value 1.
 * Counts may be non-integral (weights). EINVAL: out NULL, a value NaN or
 * infinite, n1 or n2 not positive, x1 outside [0, n1], x2 outside [0, n2]. */
int mlops__ztest_proportions(double x1, double n1, double x2, double n2,
                             mlops__test_result *out);

#endif
