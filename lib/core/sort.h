/* Private: sorting and selection on plain double arrays (no NaN), for
 * medians, quantile sketches and imputers. An introsort with no comparison
 * callback: several times faster than qsort on the arrays these build. */
#ifndef MLOPS_CORE_SORT_H
#define MLOPS_CORE_SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sorts a[0..n) ascending. */
void mlops__sort_doubles(double *a, size_t n);
/* Reorders a[0..n) so a[k] holds the k-th smallest value, and returns it. */
double mlops__select_double(double *a, size_t n, size_t k);

/* Sorts a[0..n) ascending with a least-significant-digit radix sort on the
 * values' bit patterns: linear time, for the million-value columns drift
 * statistics and evaluations sort. -0 sorts before +0 (they compare equal,
 * so the order is still ascending). Needs n doubles of scratch: returns
 * MLOPS_ENOMEM when they cannot be allocated, leaving `a` unchanged. */
int mlops__sort_doubles_radix(double *a, size_t n);
/* The row order that sorts key[0..n) ascending (descending when asked),
 * stable, by the same radix sort: rows[i] is the i-th row. n must fit in
 * uint32_t. Returns MLOPS_OK or MLOPS_ENOMEM. */
int mlops__sort_rows(const double *key, size_t n, bool descending, uint32_t *rows);
/* numpy's linear interpolation between a and b at t in [0, 1]: a + (b-a)t
 * below t = 0.5, b - (b-a)(1-t) from there, so each half is exact at its
 * end. */
double mlops__lerp(double a, double b, double t);
/* numpy.quantile(x, q, method='linear') of ascending x[0..n), n >= 1, with
 * NumPy 1.24's arithmetic (position (n-1) q, then mlops__lerp); the
 * weighted sum only where b - a overflows. */
double mlops__quantile_sorted(const double *x, size_t n, double q);
/* Sorts a[0..n) and keeps each distinct value once; returns the count. */
size_t mlops__sort_unique(double *a, size_t n);
/* The first index i with a[i] >= v in ascending a[0..n) (n when none):
 * numpy.searchsorted(a, v, side='left'). */
size_t mlops__lower_bound(const double *a, size_t n, double v);
#endif
