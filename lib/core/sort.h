/* Private: sorting and selection on plain double arrays (no NaN), for
 * medians, quantile sketches and imputers. An introsort with no comparison
 * callback: several times faster than qsort on the arrays these build. */
#ifndef MLOPS_CORE_SORT_H
#define MLOPS_CORE_SORT_H

#include <stddef.h>

/* Sorts a[0..n) ascending. */
void mlops__sort_doubles(double *a, size_t n);
/* Reorders a[0..n) so a[k] holds the k-th smallest value, and returns it. */
double mlops__select_double(double *a, size_t n, size_t k);

/* Sorts a[0..n) and keeps each distinct value once; returns the count. */
size_t mlops__sort_unique(double *a, size_t n);
/* The first index i with a[i] >= v in ascending a[0..n) (n when none):
 * numpy.searchsorted(a, v, side='left'). */
size_t mlops__lower_bound(const double *a, size_t n, double v);
#endif
