/* One column of a drift report: the method's name table, the default choice
 * per column, and the statistic computed from the two profiles' bins, held
 * values or quantile sketches. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/sort.h"
#include "core/suggest.h"
#include "monitor/drift_divergence.h"
#include "monitor/drift_impl.h"
#include "monitor/drift_tests.h"

typedef struct method_info {
    const char *name;
    bool test;
    double threshold;
} method_info;

static const method_info METHODS[MLOPS__DM_COUNT] = {
    [MLOPS__DM_AUTO] = {"auto", false, NAN},
    [MLOPS__DM_SKIP] = {"skip", false, NAN},
    [MLOPS__DM_KS] = {"ks", true, 0.05},
    [MLOPS__DM_WASSERSTEIN] = {"wasserstein", false, 0.1},
    [MLOPS__DM_PSI] = {"psi", false, 0.1},
    [MLOPS__DM_JENSEN_SHANNON] = {"jensen_shannon", false, 0.1},
    [MLOPS__DM_HELLINGER] = {"hellinger", false, 0.1},
    [MLOPS__DM_KL] = {"kl", false, 0.1},
    [MLOPS__DM_CHI2] = {"chi2", true, 0.05},
    [MLOPS__DM_Z] = {"z", true, 0.05},
};

/* Rows of a reference at most this small get p-value tests by default. */
#define SMALL_REFERENCE_ROWS 1000
/* More distinct values than this make a numeric column continuous. */
#define LOW_CARDINALITY 5

const char *mlops__drift_method_name(int method)
{
    return method >= 0 && method < MLOPS__DM_COUNT ? METHODS[method].name : "?";
}

bool mlops__drift_method_is_test(int method)
{
    return method >= 0 && method < MLOPS__DM_COUNT && METHODS[method].test;
}

double mlops__drift_method_default_threshold(int method)
{
    return method >= 0 && method < MLOPS__DM_COUNT ? METHODS[method].threshold : NAN;
}

static const char *method_key(size_t i, const void *ctx)
{
    (void)ctx;
    return METHODS[i].name;
}

int mlops__drift_method_parse(const char *name, int *method)
{
    for (int i = 0; i < MLOPS__DM_COUNT; i++)
        if (strcmp(METHODS[i].name, name) == 0) {
            *method = i;
            return MLOPS_OK;
        }
    const char *near = mlops__suggest(name, MLOPS__DM_COUNT, method_key, NULL);
    return mlops__fail(MLOPS_EINVAL, "unknown drift method '%s'%s%s%s", name,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* Distinct present values of a reference column: the profile's count when
 * it tracks them, otherwise the inner bins (one per value for columns with
 * few values, so the rule below still sees low cardinality). */
static uint64_t reference_distinct(const mlops_profile *ref, const mlops__profile_column *c)
{
    const mlops__column_bins *b = &c->bins;
    if (c->type == MLOPS_CATEGORICAL)
        return ref->settings.quality ? mlops__categorical_distinct(&c->cat) : b->nbins - 1;
    if (ref->settings.quality) return mlops__numeric_distinct(&c->num);
    return b->nedges <= 1 ? b->nedges : b->nbins - 2;
}

/* Whether `method` can run on the column: ks and wasserstein need numbers,
 * z needs at most two categories (or values). */
static bool method_fits(const mlops_profile *ref, const mlops__profile_column *c, int method)
{
    if (method == MLOPS__DM_KS || method == MLOPS__DM_WASSERSTEIN)
        return c->type == MLOPS_NUMERIC;
    if (method == MLOPS__DM_Z) return reference_distinct(ref, c) <= 2;
    return true;
}

static mlops__drift_choice default_choice(const mlops_profile *ref, const mlops__profile_column *c)
{
    bool small = ref->rows <= SMALL_REFERENCE_ROWS;
    uint64_t distinct = reference_distinct(ref, c);
    int method;
    if (c->type == MLOPS_NUMERIC && distinct > LOW_CARDINALITY)
        method = small ? MLOPS__DM_KS : MLOPS__DM_WASSERSTEIN;
    else if (small)
        method = distinct <= 2 ? MLOPS__DM_Z : MLOPS__DM_CHI2;
    else
        method = MLOPS__DM_JENSEN_SHANNON;
    return (mlops__drift_choice){method, METHODS[method].threshold};
}

int mlops__drift_choose(const mlops_drift_monitor *m, size_t col, mlops__drift_choice *out)
{
    const mlops__profile_column *c = &m->ref->cols[col];
    mlops__drift_choice ch = m->choice[col];
    if (ch.method == MLOPS__DM_AUTO) {
        ch = m->fallback;
        if (ch.method != MLOPS__DM_AUTO && !method_fits(m->ref, c, ch.method))
            ch.method = MLOPS__DM_AUTO;
    }
    if (ch.method == MLOPS__DM_AUTO) {
        ch = default_choice(m->ref, c);
    } else if (ch.method != MLOPS__DM_SKIP && !method_fits(m->ref, c, ch.method)) {
        return mlops__fail(MLOPS_EINVAL, "drift method %s does not fit column '%s' (%s)",
                           METHODS[ch.method].name, c->name, mlops_type_name(c->type));
    }
    if (isnan(ch.threshold)) ch.threshold = METHODS[ch.method].threshold;
    *out = ch;
    return MLOPS_OK;
}

/* ---- Samples for ks and wasserstein ------------------------------------- */

/* A column's distribution as ascending points with weights: the sorted held
 * values (weight 1 each, `w` NULL) or the sketch's items. */
typedef struct sample {
    const double *x;
    const double *w;  /* NULL: every weight is 1 */
    size_t n;
    double total;     /* values summarised */
    bool exact;
    double *owned_x, *owned_w;
} sample;

static void sample_free(sample *s)
{
    mlops__free(s->owned_x);
    mlops__free(s->owned_w);
}

static int sketch_sample(const mlops__kll *k, sample *s)
{
    int rc = mlops__kll_items(k, &s->owned_x, &s->owned_w, &s->n);
    if (rc != MLOPS_OK) return rc;
    s->x = s->owned_x;
    s->w = s->owned_w;
    s->total = (double)k->n;
    s->exact = false;
    return MLOPS_OK;
}

static int sorted_copy(const mlops__numeric_state *st, size_t n, double **out)
{
    double *v = mlops__malloc_array(n ? n : 1, sizeof *v, "sorted values");
    if (v == NULL) return MLOPS_ENOMEM;
    memcpy(v, st->values, n * sizeof *v);
    int rc = mlops__sort_doubles_radix(v, n);
    if (rc != MLOPS_OK) {
        mlops__free(v);
        return rc;
    }
    *out = v;
    return MLOPS_OK;
}

/* A column's sample: its held values, used in place when the profile keeps
 * them sorted (a reference with fixed bins), else a sorted copy. */
static int column_sample(const mlops__profile_column *c, sample *s)
{
    memset(s, 0, sizeof *s);
    if (c->num.quantiles_approx) return sketch_sample(&c->num.kll, s);
    if (c->num.values_sorted) {
        s->x = c->num.values;
    } else {
        int rc = sorted_copy(&c->num, c->num.nvalues, &s->owned_x);
        if (rc != MLOPS_OK) return rc;
        s->x = s->owned_x;
    }
    s->n = c->num.nvalues;
    s->total = (double)s->n;
    s->exact = true;
    return MLOPS_OK;
}

/* KS from weighted samples: the largest gap between the two cdfs, looked
 * at after every point where either jumps, and the p-value of SciPy's rule
 * for the real sample sizes (the asymptotic one when those are beyond its
 * lattice arithmetic). */
static int ks_weighted(const sample *a, const sample *b, mlops__ks_result *out)
{
    size_t i = 0, j = 0;
    double c1 = 0, c2 = 0, d = 0;
    while (i < a->n || j < b->n) {
        double x = j >= b->n || (i < a->n && a->x[i] <= b->x[j]) ? a->x[i] : b->x[j];
        while (i < a->n && a->x[i] == x) c1 += a->w ? a->w[i++] : (i++, 1.0);
        while (j < b->n && b->x[j] == x) c2 += b->w ? b->w[j++] : (j++, 1.0);
        double gap = fabs(fmin(c1 / a->total, 1.0) - fmin(c2 / b->total, 1.0));
        if (gap > d) d = gap;
    }
    if (mlops__ks_2samp_pvalue((uint64_t)a->total, (uint64_t)b->total, d, out) == MLOPS_OK) {
        out->statistic = d;
        return MLOPS_OK;
    }
    double zero = 0.0;
    return mlops__ks_from_cdfs(&d, &zero, NULL, 1, a->total, b->total, out);
}

static double *unit_weights(size_t n)
{
    double *w = mlops__malloc_array(n ? n : 1, sizeof *w, "unit weights");
    for (size_t i = 0; w && i < n; i++) w[i] = 1.0;
    return w;
}

static int wasserstein_weighted(const sample *a, const sample *b, double *out)
{
    double *wa = a->w ? NULL : unit_weights(a->n), *wb = b->w ? NULL : unit_weights(b->n);
    int rc = MLOPS_ENOMEM;
    if ((a->w || wa) && (b->w || wb))
        rc = mlops__drift_wasserstein_weighted(a->x, a->w ? a->w : wa, a->n, b->x,
                                               b->w ? b->w : wb, b->n, out);
    mlops__free(wa);
    mlops__free(wb);
    return rc;
}

/* Population standard deviation of the reference, from its moments. */
static double reference_std(const mlops__profile_column *c)
{
    if (c->count == 0) return NAN;
    double sd = sqrt(c->num.m2 / (double)c->count);
    return c->num.m2_scaled ? sd * 0x1p600 : sd;
}

static int sample_method(mlops_drift_monitor *m, size_t col, const mlops__profile_column *cur,
                         int method, mlops__drift_column *out)
{
    sample a, b;
    int rc = column_sample(&m->ref->cols[col], &a);
    if (rc != MLOPS_OK) return rc;
    rc = column_sample(cur, &b);
    if (rc != MLOPS_OK) {
        sample_free(&a);
        return rc;
    }
    out->exact = a.exact && b.exact;
    if (method == MLOPS__DM_KS) {
        mlops__ks_result ks;
        rc = out->exact ? mlops__ks_2samp(a.x, a.n, b.x, b.n, &ks) : ks_weighted(&a, &b, &ks);
        if (rc == MLOPS_OK) {
            out->statistic = ks.statistic;
            out->p_value = ks.pvalue;
        }
    } else {
        double w;
        rc = out->exact ? mlops__drift_wasserstein(a.x, a.n, b.x, b.n, &w)
                        : wasserstein_weighted(&a, &b, &w);
        if (rc == MLOPS_OK)
            out->statistic = mlops__drift_normalize(w, reference_std(&m->ref->cols[col]));
    }
    sample_free(&a);
    sample_free(&b);
    return rc;
}

/* ---- Binned methods ------------------------------------------------------ */

static int binned_method(const mlops__column_bins *rb, const mlops__column_bins *cb, int type,
                         int method, mlops__drift_column *out)
{
    size_t k = rb->nbins;
    const uint64_t *p = rb->counts, *q = cb->counts;
    double v = NAN;
    int rc = MLOPS_OK;
    out->exact = !rb->estimated && !cb->estimated;
    switch (method) {
    case MLOPS__DM_PSI:
        rc = mlops__drift_psi(p, q, k, MLOPS__DRIFT_DEFAULT_ALPHA, &v);
        break;
    case MLOPS__DM_KL:
        rc = mlops__drift_kl(p, q, k, MLOPS__DRIFT_DEFAULT_ALPHA, &v);
        break;
    case MLOPS__DM_JENSEN_SHANNON:
        rc = mlops__drift_jensen_shannon(p, q, k, &v);
        break;
    case MLOPS__DM_HELLINGER:
        rc = mlops__drift_hellinger(p, q, k, &v);
        break;
    case MLOPS__DM_CHI2: {
        double *d = mlops__malloc_array(k, 2 * sizeof *d, "chi2 table");
        if (d == NULL) return MLOPS_ENOMEM;
        for (size_t i = 0; i < k; i++) {
            d[i] = (double)p[i];
            d[k + i] = (double)q[i];
        }
        mlops__chi2_result r;
        rc = mlops__chi2_homogeneity(d, d + k, k, &r);
        mlops__free(d);
        if (rc == MLOPS_OK) {
            v = r.statistic;
            out->p_value = r.pvalue;
        }
        break;
    }
    case MLOPS__DM_Z: {
        /* The share of the first category (or smallest value). */
        size_t first = type == MLOPS_NUMERIC ? (k > 1 ? 1 : 0) : 0;
        double n1 = 0, n2 = 0;
        for (size_t i = 0; i < k; i++) {
            n1 += (double)p[i];
            n2 += (double)q[i];
        }
        mlops__test_result r;
        rc = mlops__ztest_proportions((double)p[first], n1, (double)q[first], n2, &r);
        if (rc == MLOPS_OK) {
            v = r.statistic;
            out->p_value = r.pvalue;
        }
        break;
    }
    default:
        rc = mlops__fail(MLOPS_EINVAL, "drift: method %d has no binned form", method);
    }
    if (rc == MLOPS_OK) out->statistic = v;
    return rc;
}

int mlops__drift_column_compute(mlops_drift_monitor *m, size_t col, const mlops__profile_column *cur,
                                const mlops__drift_choice *choice, mlops__drift_column *out)
{
    const mlops__profile_column *rc = &m->ref->cols[col];
    out->method = choice->method;
    out->threshold = choice->threshold;
    out->statistic = out->p_value = out->p_adjusted = NAN;
    out->ref_count = rc->count;
    out->cur_count = cur->count;
    out->evaluable = rc->count > 0 && cur->count > 0;
    out->exact = true;
    if (!out->evaluable) return MLOPS_OK;
    int e;
    if (choice->method == MLOPS__DM_KS || choice->method == MLOPS__DM_WASSERSTEIN)
        e = sample_method(m, col, cur, choice->method, out);
    else
        e = binned_method(&rc->bins, &cur->bins, rc->type, choice->method, out);
    if (e != MLOPS_OK) return e;
    if (mlops__drift_method_is_test(choice->method))
        out->p_adjusted = out->p_value;
    else
        out->drifted = out->statistic >= out->threshold;
    return MLOPS_OK;
}
