/* Ordering doubles (see sort.h): an introsort and a quickselect without
 * qsort's per-comparison callback, which made fitting a million-row column
 * several times slower. Both stay O(n log n) / O(n) on adversarial input by
 * falling back to heapsort when partitioning goes badly. */
#include <stddef.h>

#include "core/sort.h"

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort(double *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > v; j--) a[j] = a[j - 1];
        a[j] = v;
    }
}

static void sift_down(double *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && a[child + 1] > a[child]) child++;
        if (!(a[child] > a[root])) return;
        swap(&a[child], &a[root]);
        root = child;
    }
}

static void heap_sort(double *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;) sift_down(a, i, n);
    for (size_t end = n; end-- > 1;) {
        swap(&a[0], &a[end]);
        sift_down(a, 0, end);
    }
}

/* Hoare partition around the median of first, middle and last; returns p
 * with a[0..p] <= pivot <= a[p+1..n). n >= 3. */
static size_t partition(double *a, size_t n)
{
    size_t mid = n / 2;
    if (a[mid] < a[0]) swap(&a[mid], &a[0]);
    if (a[n - 1] < a[0]) swap(&a[n - 1], &a[0]);
    if (a[n - 1] < a[mid]) swap(&a[n - 1], &a[mid]);
    double pivot = a[mid];
    size_t i = 0, j = n - 1;
    for (;;) {
        while (a[i] < pivot) i++;
        while (pivot < a[j]) j--;
        if (i >= j) return j;
        swap(&a[i], &a[j]);
        i++;
        j--;
    }
}

static unsigned depth_limit(size_t n)
{
    unsigned d = 0;
    while (n > 1) {
        n >>= 1;
        d += 2;
    }
    return d;
}

static void intro_sort(double *a, size_t n, unsigned depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            heap_sort(a, n);
            return;
        }
        size_t p = partition(a, n) + 1;
        /* recurse into the smaller side, loop on the larger */
        if (p < n - p) {
            intro_sort(a, p, depth);
            a += p;
            n -= p;
        } else {
            intro_sort(a + p, n - p, depth);
            n = p;
        }
    }
    insertion_sort(a, n);
}

void mlops__sort_doubles(double *a, size_t n)
{
    intro_sort(a, n, depth_limit(n));
}

double mlops__select_double(double *a, size_t n, size_t k)
{
    unsigned depth = depth_limit(n);
    while (n > 16) {
        if (depth-- == 0) {
            heap_sort(a, n);
            return a[k];
        }
        size_t p = partition(a, n) + 1;
        if (k < p) {
            n = p;
        } else {
            a += p;
            n -= p;
            k -= p;
        }
    }
    insertion_sort(a, n);
    return a[k];
}

size_t mlops__sort_unique(double *a, size_t n)
{
    mlops__sort_doubles(a, n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || a[i] != a[k - 1]) a[k++] = a[i];
    return k;
}

size_t mlops__lower_bound(const double *a, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
