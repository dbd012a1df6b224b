/* Private: the binning and distance kernels under the drift statistics.
 * Reference quantile bins with outer bins, counting a sample into them,
 * smoothed probabilities, and the psi, kl, jensen_shannon, hellinger and
 * wasserstein scores. They allocate nothing and make one linear pass (or
 * less) over their input, so a drift report over millions of rows costs a
 * few passes over memory once the columns are sorted.
 *
 * Every fallible function returns MLOPS_OK or MLOPS_EINVAL (with a message
 * naming the argument and, for samples, the first offending index and
 * value; MLOPS_ERANGE where said); outputs are left unchanged on failure.
 * A sample is a plain array of doubles; a "sorted" sample is ascending and
 * holds no NaN, which the functions check (one pass, under a millisecond
 * per million values, far cheaper than the sort itself).
 *
 * Bins. From a reference sample of n >= 1 values and a bin count B, the
 * edges are numpy.quantile(reference, numpy.linspace(0, 1, B + 1)), method
 * 'linear', with NumPy 1.24's arithmetic: quantile levels q_i = i * (1.0/B)
 * for i < B and q_B = 1 (linspace), virtual index h = (n - 1) q_i, and
 * between a = x[floor h] and b = x[floor h + 1] at t = h - floor h the
 * value a + (b - a) t when t < 0.5 and b - (b - a)(1 - t) when t >= 0.5
 * (NumPy's _lerp); h >= n - 1 gives the maximum. Repeated edges (ties in
 * the reference) are dropped, leaving m distinct edges e_0 < ... < e_{m-1}
 * (1 <= m <= B + 1). The bins are then, in order:
 *   bin 0            values below e_0            (below the reference range)
 *   bins 1 .. m-1    [e_{i-1}, e_i), the last one closed: [e_{m-2}, e_{m-1}]
 *   bin m            values above e_{m-1}        (above the reference range)
 * so m + 1 bins in all (B_eff + 2 with B_eff = m - 1 inner bins). When every
 * edge is equal (a constant reference, m = 1) the single inner bin is the
 * point [e_0, e_0], giving 3 bins. mlops__drift_nbins() says how many.
 * The reference itself never falls in an outer bin; current values outside
 * the reference range do, so out-of-range data counts as drift instead of
 * being clipped into the end bins.
 *
 * Categorical columns use the same score functions: the bins are the
 * reference's categories in a fixed order plus one "unseen" bucket for
 * current categories absent from the reference (its reference count is 0,
 * which the smoothing below handles).
 *
 * Smoothing. psi and kl compare smoothed probabilities
 *     p_i = (c_i + alpha) / (n + alpha * k)     (k bins, n = sum of c_i)
 * computed the same way for the reference and the current counts, with
 * alpha = 0.5 by default (the Jeffreys prior). Every p_i is then positive,
 * so every logarithm is finite, and a bin that is empty on one side is
 * treated exactly as one that is empty on the other. The usual alternative
 * (Evidently) replaces a zero proportion by 1e-4 after normalising: its
 * effect depends on the sample size (1e-4 is a tenth of one row at n =
 * 1000 but a hundred rows at n = 1e6), the probabilities no longer sum to
 * 1, and a bin empty in the reference weighs differently from one empty in
 * the current data, so psi(a, b) and psi(b, a) disagree on the same counts.
 * jensen_shannon and hellinger are finite with empty bins and use the
 * unsmoothed proportions c_i / n.
 *
 * Accuracy. The scores are computed per bin from x_i = q_i / p_i - 1 (or
 * d_i = (p_i - q_i) / (p_i + q_i)), formed from the integer counts with one
 * fused multiply-add correction, so nearly equal distributions (the usual
 * case when nothing drifted) lose no digits to cancellation; every term
 * summed is non-negative. Against NumPy on the test fixtures the results
 * agree to 1.3e-14 relative or better. */
#ifndef MLOPS_MONITOR_DRIFT_DIVERGENCE_H
#define MLOPS_MONITOR_DRIFT_DIVERGENCE_H

#include <stddef.h>
#include <stdint.h>

/* Defaults: 10 quantile bins, Jeffreys smoothing. */
#define MLOPS__DRIFT_DEFAULT_BINS 10
#define MLOPS__DRIFT_DEFAULT_ALPHA 0.5
/* Largest bin count accepted by mlops__drift_edges(). */
#define MLOPS__DRIFT_MAX_BINS 1000000

/* The number of bins (outer bins included) for `nedges` distinct edges:
 * nedges + 1, and 3 for a single edge. 0 when nedges is 0. */
size_t mlops__drift_nbins(size_t nedges);

/* Reference bin edges (see the top of this file) of the sorted sample
 * sorted[0..n), n >= 1, finite values, with `bins` quantile bins
 * (1 <= bins <= MLOPS__DRIFT_MAX_BINS). Writes the m distinct edges, in
 * increasing order, to edges[0..m) (the caller provides bins + 1 slots) and
 * m to *nedges. Edges equal NumPy's bit for bit; only when b - a overflows
 * (values near +-DBL_MAX), where NumPy gives Inf or NaN, does this use the
 * finite a (1 - t) + b t. EINVAL: NULL pointer, n == 0, bins out of range,
 * a NaN or infinite value, or a sample that is not ascending. */
int mlops__drift_edges(const double *sorted, size_t n, size_t bins, double *edges,
                       size_t *nedges);

/* Adds the histogram of x[0..n) (any order) on the bins of edges[0..nedges)
 * to counts[0..mlops__drift_nbins(nedges)); counts are not reset, so
 * batches accumulate. NaN values (missing entries) are skipped and their
 * number is written to *missing (may be NULL); -Inf and +Inf fall in the
 * outer bins. Edges must be finite and strictly increasing, as
 * mlops__drift_edges() makes them. x may be NULL when n == 0. One pass, no
 * allocation, a branch-free binary search per value (about 6 ns a value
 * for 12 bins). EINVAL: NULL pointer, nedges == 0, edges not finite or not
 * increasing. */
int mlops__drift_count(const double *edges, size_t nedges, const double *x, size_t n,
                       uint64_t *counts, size_t *missing);

/* As mlops__drift_count() for a sorted sample sorted[0..n) (ascending, no
 * NaN): one checking pass, then one binary search per edge, so O(n) only
 * for the check. EINVAL also when the sample holds a NaN or is not
 * ascending (counts unchanged). */
int mlops__drift_count_sorted(const double *edges, size_t nedges, const double *sorted,
                              size_t n, uint64_t *counts);

/* p[i] = (counts[i] + alpha) / (n + alpha * nbins), n = the sum of the
 * counts: the smoothed probabilities (alpha > 0) or, with alpha = 0, the
 * proportions. EINVAL: NULL pointer, nbins == 0, alpha negative, NaN or
 * infinite, or n + alpha * nbins == 0 (no data and no smoothing). */
int mlops__drift_probabilities(const uint64_t *counts, size_t nbins, double alpha, double *p);

/* Population stability index of the current counts cur[0..nbins) against
 * the reference counts ref[0..nbins), on probabilities smoothed with alpha:
 *     psi = sum_i (q_i - p_i) ln(q_i / p_i)      (p reference, q current)
 * >= 0, 0 for equal proportions, symmetric in its two arguments.
 * EINVAL: NULL pointer, nbins == 0, alpha not a finite value > 0, or a side
 * with no counts at all (a score of an empty sample means nothing). */
int mlops__drift_psi(const uint64_t *ref, const uint64_t *cur, size_t nbins, double alpha,
                     double *out);

/* Kullback-Leibler divergence of the current distribution relative to the
 * reference, natural log, on probabilities smoothed with alpha:
 *     kl = sum_i q_i ln(q_i / p_i)
 * computed as sum_i p_i h(q_i / p_i - 1), h(x) = (1 + x) ln(1 + x) - x >= 0,
 * which equals it because sum q_i = sum p_i, and has no negative terms to
 * cancel. >= 0. Errors as mlops__drift_psi(). */
int mlops__drift_kl(const uint64_t *ref, const uint64_t *cur, size_t nbins, double alpha,
                    double *out);

/* Jensen-Shannon distance in base 2 on the unsmoothed proportions p, q:
 * sqrt((KL(p || m) + KL(q || m)) / (2 ln 2)), m = (p + q) / 2, as
 * scipy.spatial.distance.jensenshannon(p, q, base=2) and Evidently compute
 * it: the square root of the divergence, in [0, 1]. Each bin adds
 * (p_i + q_i) g(d_i) / (4 ln 2) to the divergence, with d_i =
 * (p_i - q_i) / (p_i + q_i) and g(d) = h(d) + h(-d) >= 0 (h as for kl).
 * A bin empty on one side (d = +-1, g = 2 ln 2) adds exactly half its
 * proportion; those are summed from the integer counts, so disjoint
 * supports give exactly 1. EINVAL: NULL pointer, nbins == 0, a side with no
 * counts. */
int mlops__drift_jensen_shannon(const uint64_t *ref, const uint64_t *cur, size_t nbins,
                                double *out);

/* Hellinger distance on the unsmoothed proportions:
 *     H = sqrt(1 - sum_i sqrt(p_i q_i))          in [0, 1]
 * computed through the equal form H^2 = 1/2 sum_i (sqrt p_i - sqrt q_i)^2,
 * itself as sum_i s_i d_i^2 / (2 (1 + sqrt((1 + d_i)(1 - d_i)))) with
 * s_i = p_i + q_i and d_i as for jensen_shannon (one-sided bins adding
 * s_i / 2 exactly, as there): a sum of non-negative terms without the
 * cancellation of 1 - sum sqrt(p q), which loses every digit when the
 * distributions are close (NumPy's value of that formula is off by 2.5e-4
 * relative for counts of millions differing by a few). Never negative;
 * rounding above 1 is clamped to 1. Errors as
 * mlops__drift_jensen_shannon(). */
int mlops__drift_hellinger(const uint64_t *ref, const uint64_t *cur, size_t nbins, double *out);

/* The 1-Wasserstein (earth mover's) distance between the empirical
 * distributions of two sorted samples u[0..n) and v[0..m), n, m >= 1:
 * the integral of |F_u - F_v|, equal to scipy.stats.wasserstein_distance(u,
 * v). Computed as the equal integral over t in (0, 1) of the quantile
 * functions' gap |F_u^-1(t) - F_v^-1(t)|: for n == m the mean of
 * |u_i - v_i| (vectorized), otherwise one pass over the n + m pieces
 * where t crosses i/n or j/m, located in exact integer steps of 1/(n m)
 * whose order depends on n and m only, never on comparing values. Sums are
 * compensated per block of 1024 terms. One checking pass per sample.
 * EINVAL: NULL pointer, an empty sample, a NaN or infinite value, a sample
 * not ascending (the message names the sample, index and values).
 * MLOPS_ERANGE: n m beyond 2^64, or a distance beyond DBL_MAX. */
int mlops__drift_wasserstein(const double *u, size_t n, const double *v, size_t m,
                             double *out);

/* The same distance between two weighted distributions given as support
 * points ux[0..n) with weights uw[0..n) and vx[0..m) with vw[0..m) (points
 * ascending, repeats allowed; weights finite, >= 0, positive in total):
 * scipy.stats.wasserstein_distance(ux, vx, uw, vw). For histograms and
 * quantile sketches. A merge pass over the cdfs: |W_u t_v - W_v t_u| / (t_u t_v)
 * between consecutive points (W the weight passed so far, t the totals).
 * Errors as mlops__drift_wasserstein(), and EINVAL for a negative or
 * non-finite weight or a total weight of 0. */
int mlops__drift_wasserstein_weighted(const double *ux, const double *uw, size_t n,
                                      const double *vx, const double *vw, size_t m,
                                      double *out);

/* Population standard deviation (numpy.std, ddof = 0) of x[0..n), n >= 1:
 * two passes (mean, then squared deviations), each summed pairwise as NumPy
 * does. EINVAL: NULL pointer, n == 0, a NaN or infinite value; ERANGE: the
 * variance overflows. */
int mlops__drift_std(const double *x, size_t n, double *out);

/* Wasserstein distance scaled by the reference's spread, as Evidently's
 * "wasserstein" test: w / ref_std with w >= 0 from one of the functions
 * above and ref_std from mlops__drift_std() (or a profile). A constant
 * reference (ref_std == 0) leaves the ratio undefined; this returns 0 when
 * w == 0 (the current data sits on the same point) and +Inf otherwise (any
 * movement away from a point mass is infinitely many spreads, so it passes
 * every threshold). Evidently instead divides by max(std, 0.001), which
 * depends on the column's unit. NaN when an argument is NaN or negative. */
double mlops__drift_normalize(double w, double ref_std);

/* mlops__drift_wasserstein(ref, cur) / mlops__drift_std(ref) with the rule
 * of mlops__drift_normalize(). ref and cur sorted. Errors as the two. */
int mlops__drift_wasserstein_normalized(const double *ref, size_t n, const double *cur,
                                        size_t m, double *out);

#endif
