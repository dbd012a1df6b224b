/* Binning and distance kernels for drift detection (see drift_divergence.h
 * for the definitions). They sit under every drift report and run once per
 * column and window, so each is a single pass without allocation, and each
 * score is formed so that nearly equal distributions, the common case,
 * lose no precision. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/sort.h"
#include "monitor/drift_divergence.h"

/* Terms summed plainly before being folded into a compensated total: keeps
 * the compensation off the hot loop's critical path while bounding the
 * rounding error by a block's length instead of the sample's. */
#define FOLD_BLOCK 1024

/* A branch whose outcome follows the data: ask for a conditional move, as
 * a mispredicted branch per value would cost more than the search itself. */
#if defined(__has_builtin)
#if __has_builtin(__builtin_unpredictable)
#define UNPREDICTABLE(x) __builtin_unpredictable(x)
#endif
#endif
#ifndef UNPREDICTABLE
#define UNPREDICTABLE(x) (x)
#endif

static const double LN2 = 0.6931471805599453094172321214581766;

/* ---- checking samples ------------------------------------------------ */

/* True when x[0..n) is ascending and holds no NaN. One pass without an
 * early exit or a branch per value; the failure is located separately. */
static bool is_ascending(const double *x, size_t n)
{
    unsigned bad = 0;
    for (size_t i = 1; i < n; i++) bad |= !(x[i] >= x[i - 1]);
    return bad == 0 && (n == 0 || x[0] == x[0]);
}

/* Records what is wrong with sample `what` of `func`: the first NaN, infinite
 * value (unless allowed) or descent, and returns MLOPS_EINVAL; returns
 * MLOPS_OK when nothing is (the caller's trouble lies elsewhere). */
static int sample_fail(const char *func, const char *what, const double *x, size_t n,
                       bool allow_inf)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            return mlops__fail(MLOPS_EINVAL, "%s: %s sample value at index %zu is NaN", func,
                               what, i);
        if (!allow_inf && isinf(x[i]))
            return mlops__fail(MLOPS_EINVAL, "%s: %s sample value at index %zu is infinite (%g)",
                               func, what, i, x[i]);
        if (i > 0 && x[i] < x[i - 1])
            return mlops__fail(MLOPS_EINVAL,
                               "%s: %s sample is not sorted ascending at index %zu "
                               "(%.17g after %.17g)",
                               func, what, i, x[i], x[i - 1]);
    }
    return MLOPS_OK;
}

/* Sorted, NaN-free and (unless allow_inf) finite, or the failure recorded. */
static int check_sorted(const char *func, const char *what, const double *x, size_t n,
                        bool allow_inf)
{
    if (is_ascending(x, n) && (allow_inf || n == 0 || (isfinite(x[0]) && isfinite(x[n - 1]))))
        return MLOPS_OK;
    return sample_fail(func, what, x, n, allow_inf);
}

static int check_edges(const char *func, const double *edges, size_t nedges)
{
    if (edges == NULL) return mlops__fail(MLOPS_EINVAL, "%s: edges is NULL", func);
    if (nedges == 0) return mlops__fail(MLOPS_EINVAL, "%s: no bin edges (nedges is 0)", func);
    for (size_t i = 0; i < nedges; i++) {
        if (!isfinite(edges[i]))
            return mlops__fail(MLOPS_EINVAL, "%s: bin edge %zu is not finite (%g)", func, i,
                               edges[i]);
        if (i > 0 && !(edges[i] > edges[i - 1]))
            return mlops__fail(MLOPS_EINVAL,
                               "%s: bin edges are not strictly increasing at index %zu "
                               "(%.17g after %.17g)",
                               func, i, edges[i], edges[i - 1]);
    }
    return MLOPS_OK;
}

/* ---- edges --------------------------------------------------------------- */

size_t mlops__drift_nbins(size_t nedges)
{
    if (nedges == 0) return 0;
    return (nedges < 2 ? 2 : nedges) + 1;
}

int mlops__drift_edges(const double *sorted, size_t n, size_t bins, double *edges,
                       size_t *nedges)
{
    static const char func[] = "drift bin edges";
    if (sorted == NULL || edges == NULL || nedges == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: %s is NULL", func,
                           sorted == NULL ? "reference sample"
                                          : edges == NULL ? "edges" : "nedges");
    if (n == 0) return mlops__fail(MLOPS_EINVAL, "%s: reference sample is empty", func);
    if (bins < 1 || bins > MLOPS__DRIFT_MAX_BINS)
        return mlops__fail(MLOPS_EINVAL, "%s: bin count %zu is outside 1..%d", func, bins,
                           MLOPS__DRIFT_MAX_BINS);
    int rc = check_sorted(func, "reference", sorted, n, false);
    if (rc != MLOPS_OK) return rc;

    /* numpy.linspace(0, 1, bins + 1): i * step, the last level exactly 1. */
    double step = 1.0 / (double)bins;
    size_t m = 0;
    for (size_t i = 0; i <= bins; i++) {
        double e = mlops__quantile_sorted(sorted, n, i == bins ? 1.0 : (double)i * step);
        if (m == 0 || e > edges[m - 1]) edges[m++] = e;
    }
    *nedges = m;
    return MLOPS_OK;
}

/* ---- counting ------------------------------------------------------------ */

/* The number of lower edges e[0..len) <= v (0 for NaN). GCC compiles the
 * step to a conditional move; Clang 14 keeps a branch, about 4x slower on
 * unsorted data. */
static inline size_t upper_count(const double *e, size_t len, double v)
{
    const double *base = e;
    while (len > 1) {
        size_t half = len / 2;
        if (UNPREDICTABLE(base[half] <= v)) base += half;
        len -= half;
    }
    return (size_t)(base - e) + (size_t)(*base <= v);
}

int mlops__drift_count(const double *edges, size_t nedges, const double *x, size_t n,
                       uint64_t *counts, size_t *missing)
{
    static const char func[] = "drift bin counts";
    int rc = check_edges(func, edges, nedges);
    if (rc != MLOPS_OK) return rc;
    if (counts == NULL) return mlops__fail(MLOPS_EINVAL, "%s: counts is NULL", func);
    if (x == NULL && n > 0) return mlops__fail(MLOPS_EINVAL, "%s: sample is NULL", func);

    /* A single edge acts as the lower and upper edge of the point bin. */
    size_t lower = nedges < 2 ? 1 : nedges - 1;
    double last = edges[nedges - 1];

    /* v's bin is the number of lower edges <= v, plus one beyond the last
     * edge: a branch-free binary search. */
    size_t nan = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        counts[upper_count(edges, lower, v) + (size_t)(v > last)]++;
        nan += (size_t)(v != v);
    }
    counts[0] -= nan; /* NaN compared false with every edge: all in bin 0 */
    if (missing) *missing = nan;
    return MLOPS_OK;
}

/* The first index i with a[i] > v in ascending a[0..n) (n when none). */
static size_t upper_bound(const double *a, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int mlops__drift_count_sorted(const double *edges, size_t nedges, const double *sorted,
                              size_t n, uint64_t *counts)
{
    static const char func[] = "drift bin counts";
    int rc = check_edges(func, edges, nedges);
    if (rc != MLOPS_OK) return rc;
    if (counts == NULL) return mlops__fail(MLOPS_EINVAL, "%s: counts is NULL", func);
    if (sorted == NULL && n > 0) return mlops__fail(MLOPS_EINVAL, "%s: sample is NULL", func);
    if ((rc = check_sorted(func, "sorted", sorted, n, true)) != MLOPS_OK) return rc;

    /* Bin b ends where the next lower edge starts; the last inner bin ends
     * after the values equal to the last edge. */
    size_t lower = nedges < 2 ? 1 : nedges - 1;
    size_t start = 0;
    for (size_t b = 0; b <= lower; b++) {
        size_t end = b < lower ? mlops__lower_bound(sorted, n, edges[b])
                               : upper_bound(sorted, n, edges[nedges - 1]);
        counts[b] += end - start;
        start = end;
    }
    counts[lower + 1] += n - start;
    return MLOPS_OK;
}

/* ---- probabilities and the binned scores ------------------------------- */

int mlops__drift_probabilities(const uint64_t *counts, size_t nbins, double alpha, double *p)
{
    static const char func[] = "drift probabilities";
    if (counts == NULL || p == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: %s is NULL", func, counts == NULL ? "counts" : "p");
    if (nbins == 0) return mlops__fail(MLOPS_EINVAL, "%s: no bins (nbins is 0)", func);
    if (!(alpha >= 0.0) || isinf(alpha))
        return mlops__fail(MLOPS_EINVAL, "%s: smoothing alpha %g is not a finite value >= 0",
                           func, alpha);
    uint64_t total = 0;
    for (size_t i = 0; i < nbins; i++) total += counts[i];
    double denom = (double)total + alpha * (double)nbins;
    if (!(denom > 0.0))
        return mlops__fail(MLOPS_EINVAL, "%s: all %zu counts are 0 and alpha is 0", func, nbins);
    for (size_t i = 0; i < nbins; i++) p[i] = ((double)counts[i] + alpha) / denom;
    return MLOPS_OK;
}

/* a*b - c*d with one rounding's worth of error (Kahan's fma trick), so the
 * difference of two nearly equal cross products keeps its digits. */
static double diff_of_products(double a, double b, double c, double d)
{
    double w = c * d;
    double err = fma(-c, d, w);
    return fma(a, b, -w) + err;
}

/* h(x) = (1 + x) ln(1 + x) - x for x >= -1: >= 0, ~x^2/2 near 0, where it
 * is summed from its series instead of from two nearly equal terms. */
static double h_func(double x)
{
    if (x <= -1.0) return 1.0;
    if (fabs(x) >= 0.0625) return (1.0 + x) * log1p(x) - x;
    /* sum_{k>=2} (-1)^k x^k / (k (k - 1)); |x| < 1/16, so 14 terms reach
     * the last bit. */
    double sum = 0.0, pw = x * x;
    for (int k = 2; k <= 16; k++) {
        sum += pw / (double)(k * (k - 1));
        pw *= -x;
    }
    return sum;
}

typedef struct sides {
    double nref, ncur;
} sides;

static int check_counts(const char *func, const uint64_t *ref, const uint64_t *cur,
                        size_t nbins, sides *s)
{
    if (ref == NULL || cur == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: %s counts are NULL", func,
                           ref == NULL ? "reference" : "current");
    if (nbins == 0) return mlops__fail(MLOPS_EINVAL, "%s: no bins (nbins is 0)", func);
    uint64_t tr = 0, tc = 0;
    for (size_t i = 0; i < nbins; i++) {
        tr += ref[i];
        tc += cur[i];
    }
    if (tr == 0 || tc == 0)
        return mlops__fail(MLOPS_EINVAL, "%s: the %s sample is empty (all %zu counts are 0)",
                           func, tr == 0 ? "reference" : "current", nbins);
    s->nref = (double)tr;
    s->ncur = (double)tc;
    return MLOPS_OK;
}

static int check_alpha(const char *func, double alpha)
{
    if (alpha > 0.0 && isfinite(alpha)) return MLOPS_OK;
    return mlops__fail(MLOPS_EINVAL, "%s: smoothing alpha %g is not a finite value > 0", func,
                       alpha);
}

/* Bin i smoothed: the reference probability *p and x = q / p - 1. */
static void smoothed(const uint64_t *ref, const uint64_t *cur, size_t i, size_t nbins,
                     double alpha, const sides *s, double *p, double *x)
{
    double a = (double)ref[i] + alpha, b = (double)cur[i] + alpha;
    double pd = s->nref + alpha * (double)nbins, qd = s->ncur + alpha * (double)nbins;
    *p = a / pd;
    *x = diff_of_products(b, pd, a, qd) / (a * qd);
}

/* (q - p) ln(q / p) and q ln(q / p) - (q - p), written with x = q / p - 1
 * so that nearly equal bins keep their precision; the second sums to KL
 * because the (q - p) terms cancel over all bins. */
static double psi_term(double p, double x)
{
    return p * x * log1p(x);
}

static double kl_term(double p, double x)
{
    return p * h_func(x);
}

/* Sums term(p_i, x_i) over the smoothed bins after checking the input. */
static int smoothed_sum(const char *func, const uint64_t *ref, const uint64_t *cur,
                        size_t nbins, double alpha, double (*term)(double, double), double *out)
{
    sides s;
    int rc = check_counts(func, ref, cur, nbins, &s);
    if (rc == MLOPS_OK) rc = check_alpha(func, alpha);
    if (rc == MLOPS_OK && out == NULL) rc = mlops__fail(MLOPS_EINVAL, "%s: out is NULL", func);
    if (rc != MLOPS_OK) return rc;
    double sum = 0.0;
    for (size_t i = 0; i < nbins; i++) {
        double p, x;
        smoothed(ref, cur, i, nbins, alpha, &s, &p, &x);
        sum += term(p, x);
    }
    *out = sum;
    return MLOPS_OK;
}

int mlops__drift_psi(const uint64_t *ref, const uint64_t *cur, size_t nbins, double alpha,
                     double *out)
{
    return smoothed_sum("drift psi", ref, cur, nbins, alpha, psi_term, out);
}

int mlops__drift_kl(const uint64_t *ref, const uint64_t *cur, size_t nbins, double alpha,
                    double *out)
{
    return smoothed_sum("drift kl", ref, cur, nbins, alpha, kl_term, out);
}

/* The unsmoothed distances split the bins in two. Bins holding counts on
 * one side only each add half their proportion to both jensen_shannon^2 and
 * hellinger^2 (g(+-1) / (4 ln 2) = 1/2 per unit of p + q, and likewise for
 * hellinger); their counts are summed as integers, so disjoint supports
 * give exactly 1. Bins with counts on both sides add a term of s = p + q
 * and d = (p - q) / (p + q) in (-1, 1). */
typedef struct split_bins {
    uint64_t only_ref, only_cur; /* counts in one-sided bins */
} split_bins;

static double one_sided_part(const split_bins *b, const sides *s)
{
    return ((double)b->only_ref / s->nref + (double)b->only_cur / s->ncur) / 2.0;
}

/* Bin i: false when it is one-sided or empty (recorded in *b). */
static bool two_sided(const uint64_t *ref, const uint64_t *cur, size_t i, const sides *s,
                      split_bins *b, double *sum, double *d)
{
    if (ref[i] == 0 || cur[i] == 0) {
        b->only_ref += ref[i];
        b->only_cur += cur[i];
        return false;
    }
    double cp = (double)ref[i], cq = (double)cur[i];
    *sum = cp / s->nref + cq / s->ncur;
    double v = diff_of_products(cp, s->ncur, cq, s->nref) / (cp * s->ncur + cq * s->nref);
    *d = v > 1.0 ? 1.0 : v < -1.0 ? -1.0 : v;
    return true;
}

static double unit_interval(double v)
{
    return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

int mlops__drift_jensen_shannon(const uint64_t *ref, const uint64_t *cur, size_t nbins,
                                double *out)
{
    static const char func[] = "drift jensen_shannon";
    sides s;
    int rc = check_counts(func, ref, cur, nbins, &s);
    if (rc == MLOPS_OK && out == NULL) rc = mlops__fail(MLOPS_EINVAL, "%s: out is NULL", func);
    if (rc != MLOPS_OK) return rc;
    split_bins b = {0, 0};
    double total = 0.0;
    for (size_t i = 0; i < nbins; i++) {
        double sum, d;
        if (two_sided(ref, cur, i, &s, &b, &sum, &d)) total += sum * (h_func(d) + h_func(-d));
    }
    *out = sqrt(unit_interval(total / (4.0 * LN2) + one_sided_part(&b, &s)));
    return MLOPS_OK;
}

int mlops__drift_hellinger(const uint64_t *ref, const uint64_t *cur, size_t nbins, double *out)
{
    static const char func[] = "drift hellinger";
    sides s;
    int rc = check_counts(func, ref, cur, nbins, &s);
    if (rc == MLOPS_OK && out == NULL) rc = mlops__fail(MLOPS_EINVAL, "%s: out is NULL", func);
    if (rc != MLOPS_OK) return rc;
    split_bins b = {0, 0};
    double h2 = 0.0;
    for (size_t i = 0; i < nbins; i++) {
        double sum, d;
        /* (sqrt(1 + d) + sqrt(1 - d))^2 = 2 (1 + sqrt((1 + d)(1 - d))) */
        if (two_sided(ref, cur, i, &s, &b, &sum, &d))
            h2 += sum * d * d / (2.0 * (1.0 + sqrt((1.0 + d) * (1.0 - d))));
    }
    *out = sqrt(unit_interval(h2 + one_sided_part(&b, &s)));
    return MLOPS_OK;
}

/* ---- wasserstein ----------------------------------------------------------- */

/* Kahan-compensated running total of block sums. */
typedef struct ksum {
    double sum, comp;
} ksum;

static void ksum_add(ksum *k, double v)
{
    double y = v - k->comp;
    double t = k->sum + y;
    k->comp = (t - k->sum) - y;
    k->sum = t;
}

/* Samples of equal size: the sorted values pair up one to one, and the
 * distance is the mean of |u_i - v_i|. Eight running sums per block let the
 * compiler use vector instructions. */
static double paired_sum(const double *u, const double *v, size_t n)
{
    ksum total = {0.0, 0.0};
    size_t i = 0;
    for (; i + FOLD_BLOCK <= n; i += FOLD_BLOCK) {
        double r[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        for (size_t j = 0; j < FOLD_BLOCK; j += 8)
            for (size_t k = 0; k < 8; k++) r[k] += fabs(u[i + j + k] - v[i + j + k]);
        ksum_add(&total, ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7])));
    }
    double rest = 0.0;
    for (; i < n; i++) rest += fabs(u[i] - v[i]);
    ksum_add(&total, rest);
    return total.sum;
}

/* Samples of different sizes: walk t over (0, 1] in units of 1/(n m),
 * where u's quantile function is u[a] on (a m, (a + 1) m] and v's is v[b]
 * on (b n, (b + 1) n]; each piece adds its length times |u[a] - v[b]|.
 * The walk's order depends on n and m only, never on the values, and its
 * positions are exact integers. n m must fit in 64 bits. */
typedef struct walk {
    uint64_t t, end_u, end_v;
    size_t a, b;
} walk;

static inline double piece(walk *w, const double *u, const double *v, uint64_t n, uint64_t m)
{
    uint64_t eu = w->end_u, ev = w->end_v;
    bool next_u = eu <= ev, next_v = ev <= eu;
    uint64_t end = next_u ? eu : ev;
    /* a piece is at most max(n, m) long: a signed conversion suffices */
    double term = (double)(int64_t)(end - w->t) * fabs(u[w->a] - v[w->b]);
    w->t = end;
    w->a += next_u;
    w->b += next_v;
    /* selects, not masks: the next comparison waits on one instruction */
    w->end_u = next_u ? eu + m : eu;
    w->end_v = next_v ? ev + n : ev;
    return term;
}

static double coupled_sum(const double *u, size_t n, const double *v, size_t m)
{
    ksum total = {0.0, 0.0};
    walk w = {0, m, n, 0, 0};
    while (w.a < n && w.b < m) {
        /* Each piece moves a or b (or both) on by one, so this many pieces
         * cannot run past either sample. */
        size_t pieces = n - w.a < m - w.b ? n - w.a : m - w.b;
        if (pieces > FOLD_BLOCK) pieces = FOLD_BLOCK;
        double s0 = 0.0, s1 = 0.0; /* two sums: half the wait on each add */
        size_t k = 0;
        for (; k + 2 <= pieces; k += 2) {
            s0 += piece(&w, u, v, n, m);
            s1 += piece(&w, u, v, n, m);
        }
        if (k < pieces) s0 += piece(&w, u, v, n, m);
        ksum_add(&total, s0 + s1);
    }
    return total.sum;
}

int mlops__drift_wasserstein(const double *u, size_t n, const double *v, size_t m, double *out)
{
    static const char func[] = "drift wasserstein";
    if (u == NULL || v == NULL || out == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: %s is NULL", func,
                           u == NULL ? "reference sample" : v == NULL ? "current sample" : "out");
    if (n == 0 || m == 0)
        return mlops__fail(MLOPS_EINVAL, "%s: the %s sample is empty", func,
                           n == 0 ? "reference" : "current");
    int rc = check_sorted(func, "reference", u, n, false);
    if (rc == MLOPS_OK) rc = check_sorted(func, "current", v, m, false);
    if (rc != MLOPS_OK) return rc;
    if ((uint64_t)n > UINT64_MAX / (uint64_t)m)
        return mlops__fail(MLOPS_ERANGE, "%s: samples of %zu and %zu values are too large", func,
                           n, m);

    /* W1 is also the integral over t in (0, 1) of |F_u^-1(t) - F_v^-1(t)|,
     * the form used here: it pairs values instead of merging them, so no
     * step depends on comparing the data. */
    double w = n == m ? paired_sum(u, v, n) / (double)n
                      : coupled_sum(u, n, v, m) / ((double)n * (double)m);
    if (!isfinite(w))
        return mlops__fail(MLOPS_ERANGE, "%s: the distance overflows (samples span %g to %g)",
                           func, fmin(u[0], v[0]), fmax(u[n - 1], v[m - 1]));
    *out = w;
    return MLOPS_OK;
}

/* Checks one weighted distribution and returns its total weight, summed in
 * order as the merge will (so the last cumulative weight equals it). */
static int check_weighted(const char *func, const char *what, const double *x,
                          const double *w, size_t n, double *total)
{
    if (x == NULL || w == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: %s %s is NULL", func, what,
                           x == NULL ? "support" : "weights");
    if (n == 0) return mlops__fail(MLOPS_EINVAL, "%s: the %s distribution is empty", func, what);
    int rc = check_sorted(func, what, x, n, false);
    if (rc != MLOPS_OK) return rc;
    double t = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!(w[i] >= 0.0) || isinf(w[i]))
            return mlops__fail(MLOPS_EINVAL, "%s: %s weight at index %zu is %g (must be finite "
                               "and >= 0)", func, what, i, w[i]);
        t += w[i];
    }
    if (!(t > 0.0) || isinf(t))
        return mlops__fail(MLOPS_EINVAL, "%s: the %s weights sum to %g (must be finite and > 0)",
                           func, what, t);
    *total = t;
    return MLOPS_OK;
}

int mlops__drift_wasserstein_weighted(const double *ux, const double *uw, size_t n,
                                      const double *vx, const double *vw, size_t m,
                                      double *out)
{
    static const char func[] = "drift wasserstein";
    double tu, tv;
    int rc = check_weighted(func, "reference", ux, uw, n, &tu);
    if (rc == MLOPS_OK) rc = check_weighted(func, "current", vx, vw, m, &tv);
    if (rc == MLOPS_OK && out == NULL) rc = mlops__fail(MLOPS_EINVAL, "%s: out is NULL", func);
    if (rc != MLOPS_OK) return rc;

    /* |Wu/tu - Wv/tv| = |Wu tv - Wv tu| / (tu tv), Wu and Wv the weights
     * passed so far. */
    size_t i = 0, j = 0;
    double wu = 0.0, wv = 0.0, prev;
    if (ux[0] <= vx[0]) {
        prev = ux[0];
        wu = uw[i++];
    } else {
        prev = vx[0];
        wv = vw[j++];
    }
    ksum total = {0.0, 0.0};
    while (i < n || j < m) {
        bool take_u = j >= m || (i < n && ux[i] <= vx[j]);
        double y = take_u ? ux[i] : vx[j];
        ksum_add(&total, fabs(diff_of_products(wu, tv, wv, tu)) * (y - prev));
        if (take_u)
            wu += uw[i++];
        else
            wv += vw[j++];
        prev = y;
    }
    double w = total.sum / (tu * tv);
    if (!isfinite(w))
        return mlops__fail(MLOPS_ERANGE, "%s: the distance overflows (supports span %g to %g)",
                           func, fmin(ux[0], vx[0]), fmax(ux[n - 1], vx[m - 1]));
    *out = w;
    return MLOPS_OK;
}

/* ---- spread ------------------------------------------------------------ */

/* NumPy's pairwise summation of x[0..n) (or of (x - mean)^2 when
 * `squares`): eight running sums over blocks of at most 128 values, halves
 * beyond. Error O(log n) ulps instead of O(n). */
static double pairwise_sum(const double *x, size_t n, double mean, bool squares)
{
    if (n < 8) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++) s += squares ? (x[i] - mean) * (x[i] - mean) : x[i];
        return s;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int k = 0; k < 8; k++) r[k] = squares ? (x[k] - mean) * (x[k] - mean) : x[k];
        for (i = 8; i + 8 <= n; i += 8) {
            if (squares) {
                for (int k = 0; k < 8; k++) r[k] += (x[i + k] - mean) * (x[i + k] - mean);
            } else {
                for (int k = 0; k < 8; k++) r[k] += x[i + k];
            }
        }
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) s += squares ? (x[i] - mean) * (x[i] - mean) : x[i];
        return s;
    }
    size_t half = n / 2;
    half -= half % 8;
    return pairwise_sum(x, half, mean, squares) + pairwise_sum(x + half, n - half, mean, squares);
}

int mlops__drift_std(const double *x, size_t n, double *out)
{
    static const char func[] = "drift standard deviation";
    if (x == NULL || out == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: %s is NULL", func, x == NULL ? "sample" : "out");
    if (n == 0) return mlops__fail(MLOPS_EINVAL, "%s: the sample is empty", func);
    double mean = pairwise_sum(x, n, 0.0, false) / (double)n;
    double var = pairwise_sum(x, n, mean, true) / (double)n;
    if (!isfinite(mean) || !isfinite(var)) {
        for (size_t i = 0; i < n; i++)
            if (!isfinite(x[i]))
                return mlops__fail(MLOPS_EINVAL, "%s: sample value at index %zu is %g", func, i,
                                   x[i]);
        return mlops__fail(MLOPS_ERANGE, "%s: the variance overflows", func);
    }
    *out = sqrt(var);
    return MLOPS_OK;
}

double mlops__drift_normalize(double w, double ref_std)
{
    if (!(w >= 0.0) || !(ref_std >= 0.0)) return NAN;
    if (ref_std == 0.0) return w == 0.0 ? 0.0 : INFINITY;
    return w / ref_std;
}

int mlops__drift_wasserstein_normalized(const double *ref, size_t n, const double *cur,
                                        size_t m, double *out)
{
    double w, sd;
    int rc = mlops__drift_wasserstein(ref, n, cur, m, &w);
    if (rc != MLOPS_OK) return rc;
    if ((rc = mlops__drift_std(ref, n, &sd)) != MLOPS_OK) return rc;
    *out = mlops__drift_normalize(w, sd);
    return MLOPS_OK;
}
