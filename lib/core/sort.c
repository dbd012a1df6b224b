/* Ordering doubles (see sort.h): an introsort and a quickselect without
 * qsort's per-comparison callback, which made fitting a million-row column
 * several times slower. Both stay O(n log n) / O(n) on adversarial input by
 * falling back to heapsort when partitioning goes badly. */
#include <stddef.h>

#include "core/sort.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "mlops/errors.h"

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

/* Maps a double to an unsigned key with the same order: the sign bit
 * flipped for positives, every bit for negatives. */
static uint64_t order_key(double v, bool descending)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    u = (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
    return descending ? ~u : u;
}

static double from_key(uint64_t u)
{
    u = (u >> 63) ? u & ~(UINT64_C(1) << 63) : ~u;
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* Stable LSD passes of 11-bit digits (six cover 64 bits) over keys, and
 * rows when given; all digit histograms come from one read, and digits
 * every key shares are skipped. The result ends in k (and rows), or, when
 * `out` is given, as doubles in out[0..n) written by the last pass (which
 * saves a pass over the keys). `count` holds the histograms (owned). */
enum { RADIX_BITS = 11, RADIX_SIZE = 1 << RADIX_BITS, RADIX_PASSES = 6 };

static void count_digits(size_t *count, uint64_t key)
{
    for (int p = 0; p < RADIX_PASSES; p++)
        count[(size_t)p * RADIX_SIZE + ((key >> (p * RADIX_BITS)) & (RADIX_SIZE - 1))]++;
}

static int scatter_passes(size_t *count, uint64_t *k, uint64_t *k2, uint32_t *rows, uint32_t *r2,
                          size_t n, double *out)
{
    bool trivial[RADIX_PASSES] = {false};
    int last = -1;
    for (int p = 0; p < RADIX_PASSES; p++) {
        const size_t *c = count + (size_t)p * RADIX_SIZE;
        for (size_t b = 0; b < RADIX_SIZE; b++)
            if (c[b] == n) trivial[p] = true;
        if (!trivial[p]) last = p;
    }
    uint64_t *src = k, *dst = k2;
    uint32_t *rs = rows, *rd = r2;
    for (int p = 0; p < RADIX_PASSES; p++) {
        size_t *c = count + (size_t)p * RADIX_SIZE, sum = 0;
        if (trivial[p]) continue;
        for (size_t b = 0; b < RADIX_SIZE; b++) {
            size_t t = c[b];
            c[b] = sum;
            sum += t;
        }
        int shift = p * RADIX_BITS;
        if (p == last && out != NULL) {
            for (size_t i = 0; i < n; i++)
                out[c[(src[i] >> shift) & (RADIX_SIZE - 1)]++] = from_key(src[i]);
            mlops__free(count);
            return MLOPS_OK;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = c[(src[i] >> shift) & (RADIX_SIZE - 1)]++;
            dst[at] = src[i];
            if (rs != NULL) rd[at] = rs[i];
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
        uint32_t *tr = rs;
        rs = rd;
        rd = tr;
    }
    if (out != NULL) {
        for (size_t i = 0; i < n; i++) out[i] = from_key(src[i]);
    } else if (src != k) {
        memcpy(k, src, n * sizeof *k);
    }
    if (rows != NULL && rs != rows) memcpy(rows, rs, n * sizeof *rows);
    mlops__free(count);
    return MLOPS_OK;
}

static size_t *new_histograms(void)
{
    return mlops__calloc((size_t)RADIX_PASSES * RADIX_SIZE, sizeof(size_t), "sort histograms");
}

int mlops__sort_doubles_radix(double *a, size_t n)
{
    if (n < 256) {
        mlops__sort_doubles(a, n);
        return MLOPS_OK;
    }
    uint64_t *k = mlops__malloc_array(n, 2 * sizeof *k, "sort keys");
    size_t *count = k ? new_histograms() : NULL;
    if (count == NULL) {
        mlops__free(k);
        return MLOPS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        k[i] = order_key(a[i], false);
        count_digits(count, k[i]);
    }
    int rc = scatter_passes(count, k, k + n, NULL, NULL, n, a);
    mlops__free(k);
    return rc;
}

int mlops__sort_rows(const double *key, size_t n, bool descending, uint32_t *rows)
{
    uint64_t *k = mlops__malloc_array(n, 2 * sizeof *k, "sort keys");
    uint32_t *tmp = mlops__malloc_array(n, sizeof *tmp, "sort rows");
    size_t *count = k && tmp ? new_histograms() : NULL;
    if (count == NULL) {
        mlops__free(k);
        mlops__free(tmp);
        return MLOPS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        k[i] = order_key(key[i] == 0 ? 0.0 : key[i], descending);
        count_digits(count, k[i]);
        rows[i] = (uint32_t)i;
    }
    int rc = scatter_passes(count, k, k + n, rows, tmp, n, NULL);
    mlops__free(k);
    mlops__free(tmp);
    return rc;
}

double mlops__lerp(double a, double b, double t)
{
    double diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

double mlops__quantile_sorted(const double *x, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    if (h >= (double)(n - 1)) return x[n - 1];
    size_t i = (size_t)floor(h);
    double a = x[i], b = x[i + 1], t = h - (double)i;
    double v = mlops__lerp(a, b, t);
    if (!isfinite(v)) v = a * (1.0 - t) + b * t;
    return v;
}
