/* Reference histograms of a profile: fixing the bins from the data seen so
 * far, counting later batches into them, merging them, and making an empty
 * profile that counts on the same bins. These are what drift is measured on,
 * so they are exact integer counts that merge exactly; only a reference
 * larger than the exact-value limits gets estimated counts (flagged). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/sort.h"
#include "data/profile_impl.h"
#include "monitor/drift_divergence.h"

void mlops__bins_clear(mlops__column_bins *b)
{
    mlops__free(b->edges);
    mlops__dict_free(b->categories);
    mlops__free(b->counts);
    memset(b, 0, sizeof *b);
}

int mlops__bins_copy_empty(mlops__column_bins *dst, const mlops__column_bins *src)
{
    memset(dst, 0, sizeof *dst);
    dst->nbins = src->nbins;
    dst->nedges = src->nedges;
    dst->counts = mlops__calloc(src->nbins, sizeof *dst->counts, "histogram counts");
    if (dst->counts == NULL) goto fail;
    if (src->nedges > 0) {
        dst->edges = mlops__malloc_array(src->nedges, sizeof *dst->edges, "histogram edges");
        if (dst->edges == NULL) goto fail;
        memcpy(dst->edges, src->edges, src->nedges * sizeof *dst->edges);
    }
    if (src->categories != NULL && mlops__dict_clone(src->categories, &dst->categories) != MLOPS_OK)
        goto fail;
    return MLOPS_OK;
fail:
    mlops__bins_clear(dst);
    return MLOPS_ENOMEM;
}

int mlops__bins_add_numeric(mlops__column_bins *b, const double *values, size_t n)
{
    if (b->nedges == 0) {
        for (size_t i = 0; i < n; i++) b->counts[0] += !isnan(values[i]);
        return MLOPS_OK;
    }
    return mlops__drift_count(b->edges, b->nedges, values, n, b->counts, NULL);
}

int mlops__bins_add_categorical(mlops__column_bins *b, const mlops__dict *dict,
                                const int32_t *codes, size_t n)
{
    size_t ncodes = mlops__dict_size(dict), unseen = b->nbins - 1;
    uint32_t *bin_of = mlops__malloc_array(ncodes ? ncodes : 1, sizeof *bin_of, "category bins");
    if (bin_of == NULL) return MLOPS_ENOMEM;
    for (size_t k = 0; k < ncodes; k++) {
        int32_t code = b->categories == NULL
                           ? -1
                           : mlops__dict_find(b->categories, mlops__dict_string(dict, (int32_t)k),
                                              mlops__dict_string_len(dict, (int32_t)k));
        bin_of[k] = code < 0 ? (uint32_t)unseen : (uint32_t)code;
    }
    for (size_t i = 0; i < n; i++)
        if (codes[i] >= 0) b->counts[bin_of[codes[i]]]++;
    mlops__free(bin_of);
    return MLOPS_OK;
}

int mlops__bins_check_equal(const mlops__column_bins *a, const mlops__column_bins *b,
                            const char *column)
{
    bool same = a->nbins == b->nbins && a->nedges == b->nedges &&
                (a->nedges == 0 || memcmp(a->edges, b->edges, a->nedges * sizeof *a->edges) == 0);
    for (size_t i = 0; same && a->categories != NULL && i + 1 < a->nbins; i++)
        same = b->categories != NULL &&
               strcmp(mlops__dict_string(a->categories, (int32_t)i),
                      mlops__dict_string(b->categories, (int32_t)i)) == 0;
    if (!same)
        return mlops__fail(MLOPS_EINVAL,
                           "profile: column '%s' has different histogram bins in the two profiles "
                           "(only profiles created like the same reference combine)",
                           column);
    return MLOPS_OK;
}

void mlops__bins_merge(mlops__column_bins *a, const mlops__column_bins *b)
{
    for (size_t i = 0; i < a->nbins; i++) a->counts[i] += b->counts[i];
    a->estimated = a->estimated || b->estimated;
}

/* ---- Fixing the bins of a reference ------------------------------------ */

/* A column with at most `bins` distinct values (flags, codes, counts) gets
 * one bin per value: edges at the smallest value, the midpoints between
 * neighbours and the largest value. Quantile edges would put several
 * values in one bin (a 0/1 column gets the single bin [0, 1]) and hide any
 * shift between them. `values` is sorted; false when there are more
 * distinct values than bins. */
static bool value_edges(const double *values, size_t n, size_t bins, double *edges,
                        size_t *nedges)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && values[i] == values[i - 1]) continue;
        if (++d > bins) return false;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && values[i] == values[i - 1]) continue;
        if (m > 0) edges[m++] = values[i - 1] / 2 + values[i] / 2;
        if (m == 0) edges[m++] = values[i];
    }
    if (m > 1 || (n > 0 && values[n - 1] != edges[0])) edges[m++] = values[n - 1];
    /* Midpoints of subnormal neighbours can round onto a value. */
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (k == 0 || edges[i] > edges[k - 1]) edges[k++] = edges[i];
    *nedges = k;
    return true;
}

/* Edges and estimated counts from the KLL sketch: edges at the sketch's
 * quantiles (the exact minimum and maximum at the ends), counts by the
 * weight of the items falling in each bin. */
static int numeric_bins_from_sketch(mlops__column_bins *b, const mlops__profile_column *c,
                                    size_t nbins_setting)
{
    const mlops__kll *s = &c->num.kll;
    double *x, *w;
    size_t m, nedges = 0;
    int rc = mlops__kll_items(s, &x, &w, &m);
    if (rc != MLOPS_OK) return rc;
    /* The exact distinct values, when known and few, give one bin each. */
    const mlops__keyset *keys = &c->num.keys;
    bool by_value = false;
    if (!c->num.distinct_approx && keys->size > 0 && keys->size <= nbins_setting) {
        double *v = mlops__malloc_array(keys->size, sizeof *v, "distinct values");
        if (v == NULL) {
            mlops__free(x);
            mlops__free(w);
            return MLOPS_ENOMEM;
        }
        size_t d = 0;
        for (size_t i = 0; i < keys->cap; i++)
            if (keys->slots[i] != MLOPS__NO_VALUE_KEY) memcpy(&v[d++], &keys->slots[i], sizeof *v);
        mlops__sort_doubles(v, d);
        by_value = value_edges(v, d, nbins_setting, b->edges, &nedges);
        mlops__free(v);
    }
    for (size_t i = 0; !by_value && rc == MLOPS_OK && i <= nbins_setting; i++) {
        double e;
        if (i == 0) {
            e = c->num.min;
        } else if (i == nbins_setting) {
            e = c->num.max;
        } else {
            rc = mlops__kll_quantile(s, (double)i / (double)nbins_setting, &e);
            if (e < c->num.min) e = c->num.min;
        }
        if (rc == MLOPS_OK && (nedges == 0 || e > b->edges[nedges - 1])) b->edges[nedges++] = e;
    }
    if (rc == MLOPS_OK) {
        b->nedges = nedges;
        b->nbins = mlops__drift_nbins(nedges);
        /* Items are values of the reference, so none lands in an outer bin. */
        size_t bin = 1;
        for (size_t i = 0; i < m; i++) {
            while (bin < nedges - 1 && x[i] >= b->edges[bin]) bin++;
            b->counts[nedges == 1 ? 1 : bin] += (uint64_t)w[i];
        }
        b->estimated = true;
    }
    mlops__free(x);
    mlops__free(w);
    return rc;
}

static int numeric_bins(mlops__column_bins *b, mlops__profile_column *c, size_t nbins)
{
    if (c->count == 0) {
        b->nbins = 1;
        b->counts = mlops__calloc(1, sizeof *b->counts, "histogram counts");
        return b->counts ? MLOPS_OK : MLOPS_ENOMEM;
    }
    if (!isfinite(c->num.min) || !isfinite(c->num.max))
        return mlops__fail(MLOPS_EINVAL,
                           "mlops_profile_fix_bins: column '%s' holds an infinite value; "
                           "quantile bins need finite values",
                           c->name);
    size_t slots = nbins + 1;
    b->edges = mlops__malloc_array(slots, sizeof *b->edges, "histogram edges");
    b->counts = mlops__calloc(slots + 1, sizeof *b->counts, "histogram counts");
    if (b->edges == NULL || b->counts == NULL) return MLOPS_ENOMEM;
    if (c->num.quantiles_approx) return numeric_bins_from_sketch(b, c, nbins);
    /* The held values are kept sorted from now on (their order means
     * nothing to the profile), so comparisons never sort the reference. */
    size_t n = c->num.nvalues;
    double *sorted = c->num.values;
    int rc = c->num.values_sorted ? MLOPS_OK : mlops__sort_doubles_radix(sorted, n);
    if (rc != MLOPS_OK) return rc;
    c->num.values_sorted = true;
    if (!value_edges(sorted, n, nbins, b->edges, &b->nedges))
        rc = mlops__drift_edges(sorted, n, nbins, b->edges, &b->nedges);
    if (rc == MLOPS_OK) {
        b->nbins = mlops__drift_nbins(b->nedges);
        rc = mlops__drift_count_sorted(b->edges, b->nedges, sorted, n, b->counts);
    }
    return rc;
}

static int cmp_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One bin per held category, in byte order, then the unseen bin. With a
 * Misra-Gries summary only the kept strings get bins, and the remainder of
 * the count is the reference's own "unseen" mass. */
static int categorical_bins(mlops__column_bins *b, const mlops__profile_column *c)
{
    const mlops__categorical_state *s = &c->cat;
    size_t held = s->strings ? mlops__dict_size(s->strings) : 0, k = 0;
    const char **names = mlops__malloc_array(held ? held : 1, sizeof *names, "category names");
    if (names == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < held; i++)
        if (s->counts[i] > 0) names[k++] = mlops__dict_string(s->strings, (int32_t)i);
    qsort(names, k, sizeof *names, cmp_strings);
    int rc = mlops__dict_create(&b->categories);
    b->counts = rc == MLOPS_OK ? mlops__calloc(k + 1, sizeof *b->counts, "histogram counts") : NULL;
    if (b->counts == NULL) rc = MLOPS_ENOMEM;
    uint64_t kept = 0;
    for (size_t i = 0; rc == MLOPS_OK && i < k; i++) {
        int32_t code;
        rc = mlops__dict_intern(b->categories, names[i], strlen(names[i]), &code);
        if (rc != MLOPS_OK) break;
        int32_t from = mlops__dict_find(s->strings, names[i], strlen(names[i]));
        b->counts[code] = s->counts[from];
        kept += s->counts[from];
    }
    mlops__free(names);
    if (rc != MLOPS_OK) return rc;
    b->nbins = k + 1;
    b->counts[k] = c->count - kept;
    b->estimated = s->approx;
    return MLOPS_OK;
}

static int fix_column(void *ctx, size_t j)
{
    mlops_profile *p = ctx;
    mlops__profile_column *c = &p->cols[j];
    return c->type == MLOPS_NUMERIC ? numeric_bins(&c->bins, c, p->settings.bins)
                                    : categorical_bins(&c->bins, c);
}

MLOPS_API int mlops_profile_fix_bins(mlops_profile *p)
{
    static const char func[] = "mlops_profile_fix_bins";
    if (p == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL profile", func);
    if (p->failed)
        return mlops__fail(MLOPS_ESTATE, "%s: the profile is incomplete after an earlier failure",
                           func);
    if (p->has_bins) return mlops__fail(MLOPS_ESTATE, "%s: the bins are already fixed", func);
    if (!p->has_schema)
        return mlops__fail(MLOPS_EINVAL, "%s: the profile has seen no batch yet", func);
    int rc = mlops__parallel_for(p->ncols, p->settings.threads, fix_column, p);
    if (rc != MLOPS_OK) {
        for (size_t k = 0; k < p->ncols; k++) mlops__bins_clear(&p->cols[k].bins);
        return rc;
    }
    p->has_bins = true;
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_has_bins(const mlops_profile *p)
{
    return p != NULL && p->has_bins;
}

int mlops__profile_check_reference(const mlops_profile *p, const char *func)
{
    if (p->failed)
        return mlops__fail(MLOPS_ESTATE, "%s: the reference is incomplete after an earlier failure",
                           func);
    if (!p->has_bins)
        return mlops__fail(MLOPS_ESTATE,
                           "%s: the reference has no fixed bins (call mlops_profile_fix_bins)",
                           func);
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_create_like(mlops_profile **out, const mlops_profile *reference)
{
    static const char func[] = "mlops_profile_create_like";
    if (out == NULL || reference == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    int rc = mlops__profile_check_reference(reference, func);
    if (rc != MLOPS_OK) return rc;
    mlops_profile *p;
    rc = mlops_profile_create(&p);
    if (rc != MLOPS_OK) return rc;
    p->settings = reference->settings;
    mlops__schema_view view = mlops__profile_view(reference);
    rc = mlops__profile_match_schema(p, &view, "reference");
    for (size_t j = 0; rc == MLOPS_OK && j < p->ncols; j++)
        rc = mlops__bins_copy_empty(&p->cols[j].bins, &reference->cols[j].bins);
    if (rc != MLOPS_OK) {
        mlops_profile_free(p);
        return rc;
    }
    p->settings = reference->settings;
    p->has_bins = true;
    p->settable = true;
    *out = p;
    return MLOPS_OK;
}

static int check_bins(const mlops_profile *p, size_t col, const char *func)
{
    int rc = mlops__profile_check_col(p, col, 0, func);
    if (rc != MLOPS_OK) return rc;
    if (!p->has_bins)
        return mlops__fail(MLOPS_ESTATE, "%s: the profile's bins are not fixed", func);
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_bin_count(const mlops_profile *p, size_t col, size_t *n)
{
    static const char func[] = "mlops_profile_bin_count";
    if (n == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL n", func);
    int rc = check_bins(p, col, func);
    if (rc == MLOPS_OK) *n = p->cols[col].bins.nbins;
    return rc;
}

MLOPS_API int mlops_profile_bin(const mlops_profile *p, size_t col, size_t bin, double *lower,
                                double *upper, const char **category, uint64_t *count)
{
    static const char func[] = "mlops_profile_bin";
    int rc = check_bins(p, col, func);
    if (rc != MLOPS_OK) return rc;
    const mlops__column_bins *b = &p->cols[col].bins;
    if (bin >= b->nbins)
        return mlops__fail(MLOPS_EINVAL, "%s: bin %zu is out of range (column '%s' has %zu)", func,
                           bin, p->cols[col].name, b->nbins);
    double lo = NAN, hi = NAN;
    const char *cat = NULL;
    if (p->cols[col].type == MLOPS_NUMERIC) {
        size_t m = b->nedges;
        if (m == 0) {
            lo = -INFINITY, hi = INFINITY;
        } else if (m == 1) {
            lo = bin == 0 ? -INFINITY : b->edges[0];
            hi = bin == 2 ? INFINITY : b->edges[0];
        } else {
            lo = bin == 0 ? -INFINITY : b->edges[bin - 1];
            hi = bin == m ? INFINITY : b->edges[bin == 0 ? 0 : bin];
            if (bin == m) lo = b->edges[m - 1];
        }
    } else if (bin + 1 < b->nbins) {
        cat = mlops__dict_string(b->categories, (int32_t)bin);
    }
    if (lower) *lower = lo;
    if (upper) *upper = hi;
    if (category) *category = cat;
    if (count) *count = b->counts[bin];
    return MLOPS_OK;
}
