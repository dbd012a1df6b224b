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

/* Values near the limit of double overflow the plain formulas (a sum of
 * 1e308s, squared deviations of 1e200s) although the mean and the standard
 * deviation exist. Only then are they recomputed on values scaled by powers
 * of two (exact outside the subnormal range); for all other data the
 * results are those of the plain formulas, bit for bit. Deviations are scaled by
 * 2^-600, so m2 is kept as m2 * 2^-1200 (m2_scaled). */
#define SUM_DOWN 0x1p-64
#define SUM_UP 0x1p64
#define DEV_DOWN 0x1p-600
#define DEV_UP 0x1p600

/* Mean of the present values when their plain sum overflowed. */
static double scaled_mean(const double *values, size_t n, uint64_t present)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(values[i])) sum += values[i] * SUM_DOWN;
    return sum / (double)present * SUM_UP;
}

/* Sum of squared deviations from `mean`, times 2^-1200. */
static double scaled_squares(const double *values, size_t n, double mean)
{
    double ss = 0.0, m = mean * DEV_DOWN;
    for (size_t i = 0; i < n; i++)
        if (!isnan(values[i])) ss += (values[i] * DEV_DOWN - m) * (values[i] * DEV_DOWN - m);
    return ss;
}

/* Chan, Golub and LeVeque's pairwise update: folds a part with n2 values,
 * mean mean2 and squared deviations ss2 (scaled as m2 when scaled2) into a
 * state of n1 values. */
static void combine_moments(mlops__numeric_state *s, uint64_t n1, uint64_t n2, double mean2,
                            double ss2, bool scaled2)
{
    if (n2 == 0) return;
    if (n1 == 0) {
        s->mean = mean2;
        s->m2 = ss2;
        s->m2_scaled = scaled2;
        return;
    }
    double a = (double)n1, b = (double)n2, total = a + b;
    double mean1 = s->mean, delta = mean2 - mean1;
    double m2 = s->m2 + (ss2 + delta * delta * (a * b / total));
    bool finite = isfinite(mean1) && isfinite(mean2);
    if (!finite) {
        /* An infinite value makes the mean infinite (NaN with both signs)
         * whichever part holds it, as in one sum over the whole. */
        s->mean = mean1 + mean2;
    } else if (isinf(delta)) {
        s->mean = 2.0 * (0.5 * mean1 + (0.5 * mean2 - 0.5 * mean1) * (b / total));
    } else {
        s->mean += delta * (b / total);
    }
    if (!s->m2_scaled && !scaled2 && (!isinf(m2) || !finite)) {
        s->m2 = m2;
        return;
    }
    double d = mean2 * DEV_DOWN - mean1 * DEV_DOWN;
    double x = s->m2_scaled ? s->m2 : s->m2 * DEV_DOWN * DEV_DOWN;
    double y = scaled2 ? ss2 : ss2 * DEV_DOWN * DEV_DOWN;
    s->m2 = x + (y + d * d * (a * b / total));
    s->m2_scaled = true;
}

double mlops__numeric_std(const mlops__profile_column *c)
{
    if (c->count < 2) return NAN;
    double sd = sqrt(c->num.m2 / (double)(c->count - 1));
    return c->num.m2_scaled ? sd * DEV_UP : sd;
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
    int rc = mlops__kll_update_many(&s->kll, s->values, s->nvalues);
    if (rc != MLOPS_OK) return rc;
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
        bool finite = isfinite(lo) && isfinite(hi), scaled = false;
        if (finite && isinf(mean)) mean = scaled_mean(values, n, present);
        for (size_t i = 0; i < n; i++)
            if (!isnan(values[i])) ss += (values[i] - mean) * (values[i] - mean);
        if (finite && isinf(ss)) {
            ss = scaled_squares(values, n, mean);
            scaled = true;
        }
        combine_moments(s, c->count, present, mean, ss, scaled);
        combine_range(s, lo, hi);
    }
    int rc = MLOPS_OK;
    /* Runs of one value (zeros, codes, a sorted column) need one look-up. */
    uint64_t previous = MLOPS__NO_VALUE_KEY;
    for (size_t i = 0; cfg->quality && rc == MLOPS_OK && i < n; i++) {
        if (isnan(values[i])) continue;
        uint64_t key = mlops__value_key(values[i]);
        if (key != previous && (s->distinct_approx || !mlops__keyset_has(&s->keys, key)))
            rc = add_distinct_key(s, key, cfg->distinct_exact_limit);
        previous = key;
    }
    if (rc != MLOPS_OK) return rc;

    if (!s->quantiles_approx && present > cfg->quantile_exact_limit - s->nvalues) {
        rc = quantiles_to_sketch(s);
        if (rc != MLOPS_OK) return rc;
    }
    if (s->quantiles_approx) {
        rc = mlops__kll_update_stream(&s->kll, values, n);
        if (rc != MLOPS_OK) return rc;
    } else if (present > 0) {
        rc = reserve_values(s, (size_t)present, cfg->quantile_exact_limit);
        if (rc != MLOPS_OK) return rc;
        for (size_t i = 0; i < n; i++)
            if (!isnan(values[i])) s->values[s->nvalues++] = values[i];
        s->values_sorted = false;
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
        combine_moments(s, c->count, o->count, t->mean, t->m2, t->m2_scaled);
        combine_range(s, t->min, t->max);
    }

    if (!cfg->quality) {
        /* distinct values are not tracked */
    } else if (t->distinct_approx) {
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
            s->values_sorted = false;
        }
    } else {
        if (!s->quantiles_approx && (rc = quantiles_to_sketch(s)) != MLOPS_OK) return rc;
        if (t->quantiles_approx) {
            rc = mlops__kll_merge(&s->kll, &t->kll);
        } else {
            rc = mlops__kll_update_many(&s->kll, t->values, t->nvalues);
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

/* The interpolation between lo <= hi at t in [0, 1) where numpy's lerp
 * arithmetic fails: next to an infinity (inf - inf and 0 * inf give NaN,
 * numpy issue 21091, even for t = 0 or lo == hi) and when hi - lo
 * overflows. Its limit instead: lo itself at t = 0 or lo == hi, the
 * infinite end otherwise (NaN between -Inf and +Inf), and the weighted sum
 * of finite ends. */
static double interpolate_extreme(double lo, double hi, double t)
{
    if (t == 0.0 || lo == hi) return lo;
    if (isinf(lo) && isinf(hi)) return NAN;
    if (isinf(lo)) return lo;
    if (isinf(hi)) return hi;
    return lo * (1.0 - t) + hi * t;
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
    double v = t >= 0.5 ? hi - diff * (1.0 - t) : lo + diff * t;
    if (isnan(v) || (isinf(diff) && isfinite(lo) && isfinite(hi))) v = interpolate_extreme(lo, hi, t);
    *value = v;
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
