/* The numeric column of a profile: moments, range, distinct values and
 * quantiles, each exact within its bound and sketched beyond it. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/profile_impl.h"

void mlops__numeric_init(mlops__numeric_state *s, const mlops__profile_settings *cfg)
{
    memset(s, 0, sizeof *s);
    s->min = s->max = NAN;
    mlops__kll_init(&s->kll, (uint32_t)cfg->quantile_sketch_k);
}

void mlops__numeric_clear(mlops__numeric_state *s)
{
    mlops__keyset_free(&s->keys);
    mlops__hll_free(&s->hll);
    mlops__free(s->values);
    s->values = NULL;
    s->nvalues = s->values_cap = 0;
    mlops__kll_free(&s->kll);
}

/* Chan, Golub and LeVeque's pairwise update: folds a part with n2 values,
 * mean m2_mean and squared deviations m2_ss into a state of n1 values. */
static void combine_moments(mlops__numeric_state *s, uint64_t n1, uint64_t n2, double mean2,
                            double ss2)
{
    if (n2 == 0) return;
    if (n1 == 0) {
        s->mean = mean2;
        s->m2 = ss2;
        return;
    }
    double a = (double)n1, b = (double)n2, total = a + b;
    double delta = mean2 - s->mean;
    s->mean += delta * (b / total);
    s->m2 += ss2 + delta * delta * (a * b / total);
}

static void combine_range(mlops__numeric_state *s, double lo, double hi)
{
    if (isnan(s->min) || lo < s->min) s->min = lo;
    if (isnan(s->max) || hi > s->max) s->max = hi;
}

/* From exact distinct keys to a HyperLogLog fed with the same keys: the
 * sketch is exactly the one the whole stream would have built. */
static int distinct_to_sketch(mlops__numeric_state *s)
{
    int rc = mlops__hll_init(&s->hll);
    if (rc != MLOPS_OK) return rc;
    for (size_t i = 0; i < s->keys.cap; i++)
        if (s->keys.slots[i] != MLOPS__NO_VALUE_KEY)
            mlops__hll_add(&s->hll, mlops__key_hash(s->keys.slots[i]));
    mlops__keyset_free(&s->keys);
    s->distinct_approx = true;
    return MLOPS_OK;
}

static int add_distinct_key(mlops__numeric_state *s, uint64_t key, size_t limit)
{
    if (s->distinct_approx) {
        mlops__hll_add(&s->hll, mlops__key_hash(key));
        return MLOPS_OK;
    }
    int rc = mlops__keyset_add(&s->keys, key);
    if (rc == MLOPS_OK && s->keys.size > limit) rc = distinct_to_sketch(s);
    return rc;
}

/* From stored values to the KLL sketch, fed in stored order. */
static int quantiles_to_sketch(mlops__numeric_state *s)
{
    for (size_t i = 0; i < s->nvalues; i++) {
        int rc = mlops__kll_update(&s->kll, s->values[i]);
        if (rc != MLOPS_OK) return rc;
    }
    mlops__free(s->values);
    s->values = NULL;
    s->nvalues = s->values_cap = 0;
    s->quantiles_approx = true;
    return MLOPS_OK;
}

/* Room for `extra` more values; need <= limit, and the array never grows
 * past the limit, so it stays within 8 bytes per unit of it. */
static int reserve_values(mlops__numeric_state *s, size_t extra, size_t limit)
{
    size_t need = s->nvalues + extra;
    if (need <= s->values_cap) return MLOPS_OK;
    size_t cap = s->values_cap ? s->values_cap : 64;
    while (cap < need) cap *= 2;
    if (cap > limit) cap = limit;
    double *values = mlops__realloc_array(s->values, cap, sizeof *values, "profile values");
    if (values == NULL) return MLOPS_ENOMEM;
    s->values = values;
    s->values_cap = cap;
    return MLOPS_OK;
}

int mlops__numeric_add(mlops__profile_column *c, const mlops__profile_settings *cfg,
                       const double *values, size_t n)
{
    mlops__numeric_state *s = &c->num;
    uint64_t present = 0;
    double sum = 0.0, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = values[i];
        if (isnan(v)) continue;
        present++;
        sum += v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    if (present > 0) {
        /* Two passes over the batch (mean, then squared deviations) before
         * the pairwise update: the most accurate of the one-batch methods. */
        double mean = sum / (double)present, ss = 0.0;
        for (size_t i = 0; i < n; i++)
            if (!isnan(values[i])) ss += (values[i] - mean) * (values[i] - mean);
        combine_moments(s, c->count, present, mean, ss);
        combine_range(s, lo, hi);
    }
    int rc = MLOPS_OK;
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++)
        if (!isnan(values[i]))
            rc = add_distinct_key(s, mlops__value_key(values[i]), cfg->distinct_exact_limit);
    if (rc != MLOPS_OK) return rc;

    if (!s->quantiles_approx && present > cfg->quantile_exact_limit - s->nvalues) {
        rc = quantiles_to_sketch(s);
        if (rc != MLOPS_OK) return rc;
    }
    if (s->quantiles_approx) {
        for (size_t i = 0; rc == MLOPS_OK && i < n; i++)
            if (!isnan(values[i])) rc = mlops__kll_update(&s->kll, values[i]);
        if (rc != MLOPS_OK) return rc;
    } else if (present > 0) {
        rc = reserve_values(s, (size_t)present, cfg->quantile_exact_limit);
        if (rc != MLOPS_OK) return rc;
        for (size_t i = 0; i < n; i++)
            if (!isnan(values[i])) s->values[s->nvalues++] = values[i];
    }
    c->count += present;
    c->missing += n - present;
    return MLOPS_OK;
}

int mlops__numeric_merge(mlops__profile_column *c, const mlops__profile_column *o,
                         const mlops__profile_settings *cfg)
{
    mlops__numeric_state *s = &c->num;
    const mlops__numeric_state *t = &o->num;
    int rc = MLOPS_OK;
    if (o->count > 0) {
        combine_moments(s, c->count, o->count, t->mean, t->m2);
        combine_range(s, t->min, t->max);
    }

    if (t->distinct_approx) {
        if (!s->distinct_approx && (rc = distinct_to_sketch(s)) != MLOPS_OK) return rc;
        mlops__hll_merge(&s->hll, &t->hll);
    } else {
        for (size_t i = 0; rc == MLOPS_OK && i < t->keys.cap; i++)
            if (t->keys.slots[i] != MLOPS__NO_VALUE_KEY)
                rc = add_distinct_key(s, t->keys.slots[i], cfg->distinct_exact_limit);
        if (rc != MLOPS_OK) return rc;
    }

    if (!s->quantiles_approx && !t->quantiles_approx &&
        t->nvalues <= cfg->quantile_exact_limit - s->nvalues) {
        if (t->nvalues > 0) {
            rc = reserve_values(s, t->nvalues, cfg->quantile_exact_limit);
            if (rc != MLOPS_OK) return rc;
            memcpy(s->values + s->nvalues, t->values, t->nvalues * sizeof *t->values);
            s->nvalues += t->nvalues;
        }
    } else {
        if (!s->quantiles_approx && (rc = quantiles_to_sketch(s)) != MLOPS_OK) return rc;
        if (t->quantiles_approx) {
            rc = mlops__kll_merge(&s->kll, &t->kll);
        } else {
            for (size_t i = 0; rc == MLOPS_OK && i < t->nvalues; i++)
                rc = mlops__kll_update(&s->kll, t->values[i]);
        }
        if (rc != MLOPS_OK) return rc;
    }
    c->count += o->count;
    c->missing += o->missing;
    return MLOPS_OK;
}

uint64_t mlops__numeric_distinct(const mlops__numeric_state *s)
{
    if (!s->distinct_approx) return s->keys.size;
    return (uint64_t)llround(mlops__hll_estimate(&s->hll));
}

/* Rearranges a[0..n) so that a[k] is the k-th smallest, nothing before it
 * is larger and nothing after it is smaller (Hoare's selection, with the
 * median of three as pivot so sorted input stays linear). */
static void select_kth(double *a, size_t n, size_t k)
{
    size_t l = 0, r = n - 1;
    while (l < r) {
        double x = a[l], y = a[l + (r - l) / 2], z = a[r];
        double pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = l, j = r;
        for (;;) {
            while (a[i] < pivot) i++;
            while (pivot < a[j]) j--;
            if (i >= j) break;
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* Now a[l..j] <= pivot <= a[j+1..r] (j < r since i advanced). */
        if (k <= j) {
            r = j;
        } else {
            l = j + 1;
        }
    }
}

/* numpy.quantile(values, q), method 'linear', with its lerp. */
static int exact_quantile(const mlops__numeric_state *s, double q, double *value)
{
    size_t n = s->nvalues;
    double h = (double)(n - 1) * q;
    if (h >= (double)(n - 1)) {
        *value = s->max;
        return MLOPS_OK;
    }
    double *a = mlops__malloc_array(n, sizeof *a, "quantile scratch");
    if (a == NULL) return MLOPS_ENOMEM;
    memcpy(a, s->values, n * sizeof *a);
    size_t i = (size_t)floor(h);
    select_kth(a, n, i);
    double lo = a[i], hi = a[i + 1];
    for (size_t j = i + 2; j < n; j++)
        if (a[j] < hi) hi = a[j];
    mlops__free(a);
    double t = h - (double)i, diff = hi - lo;
    *value = t >= 0.5 ? hi - diff * (1.0 - t) : lo + diff * t;
    return MLOPS_OK;
}

int mlops__numeric_quantile(const mlops__profile_column *c, double q, double *value)
{
    const mlops__numeric_state *s = &c->num;
    if (c->count == 0) {
        *value = NAN;
        return MLOPS_OK;
    }
    if (q == 0.0 || q == 1.0) {
        *value = q == 0.0 ? s->min : s->max;
        return MLOPS_OK;
    }
    if (!s->quantiles_approx) return exact_quantile(s, q, value);
    return mlops__kll_quantile(&s->kll, q, value);
}
