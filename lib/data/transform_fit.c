/* mlops_transform_fit: resolving each step's columns on the output of the
 * previous step and estimating its parameters the way scikit-learn does
 * (SimpleImputer, StandardScaler, MinMaxScaler, OneHotEncoder), so fitted
 * values can be checked against it. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/sort.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "core/suggest.h"
#include "data/transform_impl.h"

/* ---- Statistics --------------------------------------------------------- */

typedef struct fit_ctx {
    size_t step;
    const char *kind;
    const char *col;
    size_t rows;
} fit_ctx;

static int no_values(const fit_ctx *x)
{
    return mlops__fail(MLOPS_EINVAL,
                       "transform step %zu (%s): column '%s' has no values in the training data",
                       x->step, x->kind, x->col);
}

/* Scikit-learn refuses infinities in every numeric step (check_array with
 * force_all_finite="allow-nan"); so does this. Counts the present values. */
static int check_finite(const double *v, size_t n, const fit_ctx *x, size_t *count)
{
    *count = 0;
    size_t present = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) continue;
        if (isinf(v[i]))
            return mlops__fail(MLOPS_EINVAL,
                               "transform step %zu (%s): column '%s' row %zu holds %s, which "
                               "cannot be fitted",
                               x->step, x->kind, x->col, i, v[i] > 0 ? "inf" : "-inf");
        present++;
    }
    *count = present;
    return MLOPS_OK;
}

/* check_finite, and at least one value to compute a statistic from. */
static int check_values(const double *v, size_t n, const fit_ctx *x, size_t *count)
{
    int rc = check_finite(v, n, x, count);
    return rc != MLOPS_OK ? rc : *count ? MLOPS_OK : no_values(x);
}

/* Compensated (Neumaier) sum of the present values, each divided by
 * `divisor`: the mean then no longer depends on row order beyond the last
 * bit or so. */
static double sum_present(const double *v, size_t n, double divisor)
{
    double s = 0, comp = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) continue;
        double x = v[i] / divisor, t = s + x;
        comp += fabs(s) >= fabs(x) ? (s - t) + x : (x - t) + s;
        s = t;
    }
    return s + comp;
}

/* The mean of the `count` present values. Values near DBL_MAX can overflow
 * the sum (NumPy then gives inf or nan); dividing each by the count first
 * cannot, so that is the fallback. */
static double mean_present(const double *v, size_t n, size_t count)
{
    double mean = sum_present(v, n, 1.0) / (double)count;
    return isfinite(mean) ? mean : sum_present(v, n, (double)count);
}

static double *present_values(const double *v, size_t n, size_t count)
{
    double *a = mlops__malloc_array(count, sizeof *a, "column values");
    if (a == NULL) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) a[k++] = v[i];
    return a;
}

static int impute_numeric(const mlops__tf_step *s, const mlops__column *col, const fit_ctx *x,
                          mlops__tf_col *c)
{
    if (s->strategy == MLOPS__IMPUTE_CONSTANT) {
        /* needs no values, but infinities are refused as everywhere */
        size_t count;
        int rc = check_finite(col->values, x->rows, x, &count);
        if (rc) return rc;
        const char *text = s->values[MLOPS__KEY_FILL_VALUE];
        c->p[0] = 0;
        if (text != NULL) {
            char *end = NULL;
            c->p[0] = mlops__strtod_c(text, &end);
            if (end == text || *end != '\0' || !isfinite(c->p[0]))
                return mlops__fail(MLOPS_EINVAL,
                                   "transform step %zu (impute): fill_value '%s' is not a finite "
                                   "number, but column '%s' is numeric",
                                   x->step, text, x->col);
        }
        return MLOPS_OK;
    }
    size_t count;
    int rc = check_values(col->values, x->rows, x, &count);
    if (rc) return rc;
    if (s->strategy == MLOPS__IMPUTE_MEAN) {
        /* SimpleImputer: numpy.ma.mean = sum / count */
        c->p[0] = mean_present(col->values, x->rows, count);
        return MLOPS_OK;
    }
    double *a = present_values(col->values, x->rows, count);
    if (a == NULL) return MLOPS_ENOMEM;
    if (s->strategy == MLOPS__IMPUTE_MEDIAN) {
        /* numpy.ma.median: the middle value, or the mean of the two middle
         * values computed as (a + b) / 2 */
        double hi = mlops__select_double(a, count, count / 2);
        if (count % 2) c->p[0] = hi;
        else {
            double lo = a[0]; /* the largest value before the middle one */
            for (size_t i = 1; i < count / 2; i++)
                if (a[i] > lo) lo = a[i];
            double m = (lo + hi) / 2;
            c->p[0] = isfinite(m) ? m : lo / 2 + hi / 2;
        }
    } else {
        /* most frequent; ties go to the smallest value (scipy.stats.mode) */
        mlops__sort_doubles(a, count);
        size_t best = 0, best_len = 0;
        for (size_t i = 0; i < count;) {
            size_t e = i + 1;
            while (e < count && a[e] == a[i]) e++;
            if (e - i > best_len) {
                best_len = e - i;
                best = i;
            }
            i = e;
        }
        c->p[0] = a[best];
    }
    mlops__free(a);
    return MLOPS_OK;
}

/* Per-code counts of a categorical column (categories of the dictionary
 * that no row uses count 0 and are not categories of the data). */
static size_t *code_counts(const mlops__column *col, size_t rows, size_t *missing)
{
    size_t m = mlops__dict_size(col->dict);
    size_t *n = mlops__calloc(m ? m : 1, sizeof *n, "category counts");
    if (n == NULL) return NULL;
    size_t miss = 0;
    for (size_t i = 0; i < rows; i++) {
        if (col->codes[i] < 0) miss++;
        else n[col->codes[i]]++;
    }
    *missing = miss;
    return n;
}

static int impute_categorical(const mlops__tf_step *s, const mlops__column *col,
                              const fit_ctx *x, mlops__tf_col *c)
{
    if (s->strategy == MLOPS__IMPUTE_MEAN || s->strategy == MLOPS__IMPUTE_MEDIAN)
        return mlops__fail(MLOPS_EINVAL,
                           "transform step %zu (impute): strategy %s needs a numeric column, "
                           "but '%s' is categorical (use most_frequent or constant)",
                           x->step, s->strategy == MLOPS__IMPUTE_MEAN ? "mean" : "median",
                           x->col);
    if (s->strategy == MLOPS__IMPUTE_CONSTANT) {
        const char *text = s->values[MLOPS__KEY_FILL_VALUE];
        c->fill = mlops__strdup(text ? text : "missing_value", "impute fill string");
        return c->fill ? MLOPS_OK : MLOPS_ENOMEM;
    }
    size_t missing, m = mlops__dict_size(col->dict);
    size_t *n = code_counts(col, x->rows, &missing);
    if (n == NULL) return MLOPS_ENOMEM;
    int32_t best = -1;
    for (size_t k = 0; k < m; k++) {
        if (n[k] == 0) continue;
        if (best < 0 || n[k] > n[best] ||
            (n[k] == n[best] &&
             strcmp(mlops__dict_string(col->dict, (int32_t)k),
                    mlops__dict_string(col->dict, best)) < 0))
            best = (int32_t)k;
    }
    mlops__free(n);
    if (best < 0) return no_values(x);
    c->fill = mlops__strdup(mlops__dict_string(col->dict, best), "impute fill string");
    return c->fill ? MLOPS_OK : MLOPS_ENOMEM;
}

static int fit_standardize(const mlops__tf_step *s, const mlops__column *col, const fit_ctx *x,
                           mlops__tf_col *c)
{
    size_t count;
    int rc = check_values(col->values, x->rows, x, &count);
    if (rc) return rc;
    /* StandardScaler (_incremental_mean_and_var from zero): the mean, then
     * the corrected two-pass variance of Chan, Golub and LeVeque. */
    double n = (double)count;
    double mean = mean_present(col->values, x->rows, count);
    double correction = 0, squares = 0;
    for (size_t i = 0; i < x->rows; i++) {
        double v = col->values[i];
        if (isnan(v)) continue;
        correction += v - mean;
        squares += (v - mean) * (v - mean);
    }
    double var = (squares - correction * correction / n) / n;
    /* Deviations beyond about 1e154 overflow their squares; the column
     * would otherwise be scaled by inf or nan (or called constant). */
    if (s->with_std && !isfinite(var))
        return mlops__fail(MLOPS_EINVAL,
                           "transform step %zu (standardize): column '%s' spreads too widely to "
                           "scale (its variance overflows)",
                           x->step, x->col);
    /* _is_constant_feature: the variance is within the rounding error of
     * the two-pass algorithm, so the column is treated as constant. */
    double eps = DBL_EPSILON, nme = n * mean * eps;
    bool constant = var <= n * eps * var + nme * nme;
    c->p[0] = s->with_mean ? mean : 0.0;
    c->p[1] = s->with_std && !constant ? sqrt(var) : 1.0;
    return MLOPS_OK;
}

static int fit_minmax(const mlops__column *col, const fit_ctx *x, mlops__tf_col *c)
{
    size_t count;
    int rc = check_values(col->values, x->rows, x, &count);
    if (rc) return rc;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < x->rows; i++) {
        double v = col->values[i];
        if (isnan(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    /* MinMaxScaler: scale_ = 1 / range (a range below 10 eps counts as
     * 1), min_ = 0 - data_min * scale_; apply computes x * scale_ + min_. */
    double range = hi - lo;
    if (range < 10 * DBL_EPSILON) range = 1.0;
    c->p[0] = lo;
    c->p[1] = hi;
    /* Values of both signs near DBL_MAX overflow the range (scikit-learn's
     * scale_ then becomes 0, mapping everything to 0); halving first keeps
     * the scale exact enough and positive. */
    c->p[2] = isfinite(range) ? 1.0 / range : 0.5 / (hi / 2 - lo / 2);
    c->p[3] = 0.0 - lo * c->p[2];
    return MLOPS_OK;
}

/* Indicator columns one onehot step may make from one column (see
 * mlops_transform_add(3)). */
enum { MAX_ONEHOT_OUTPUTS = 10000 };

typedef struct cat_entry {
    const char *s; /* NULL = missing, which sorts last as None/NaN does */
    size_t count;
} cat_entry;

static int cmp_entry(const void *a, const void *b)
{
    const char *x = ((const cat_entry *)a)->s, *y = ((const cat_entry *)b)->s;
    if (x == NULL || y == NULL) return (x == NULL) - (y == NULL);
    return strcmp(x, y);
}

static int fit_onehot(const mlops__tf_step *s, const mlops__column *col, const fit_ctx *x,
                      mlops__tf_col *c)
{
    size_t missing, m = mlops__dict_size(col->dict);
    size_t *n = code_counts(col, x->rows, &missing);
    if (n == NULL) return MLOPS_ENOMEM;
    cat_entry *cats = mlops__malloc_array(m + 1, sizeof *cats, "onehot categories");
    int rc = cats ? MLOPS_OK : MLOPS_ENOMEM;
    size_t ncat = 0, nfreq = 0;
    if (rc == MLOPS_OK) {
        for (size_t k = 0; k < m; k++)
            if (n[k] > 0) cats[ncat++] = (cat_entry){mlops__dict_string(col->dict, (int32_t)k), n[k]};
        if (missing > 0) cats[ncat++] = (cat_entry){NULL, missing};
        /* Sorted like scikit-learn's categories_: Python string order is
         * code point order, which is UTF-8 byte order (strcmp). */
        qsort(cats, ncat, sizeof *cats, cmp_entry);
        for (size_t k = 0; k < ncat; k++) {
            double cnt = (double)cats[k].count;
            bool rare = s->minfreq_mode == MLOPS__MINFREQ_COUNT ? cnt < s->minfreq
                        : s->minfreq_mode == MLOPS__MINFREQ_FRACTION
                            ? cnt < (double)x->rows * s->minfreq
                            : false;
            cats[k].count = rare; /* reused as the infrequent flag */
            nfreq += !rare;
        }
        /* Output is dense: a column of mostly distinct strings (ids, free
         * text) would ask for rows x rows doubles and exhaust memory. */
        size_t outputs = nfreq + (ncat > nfreq);
        if (outputs > MAX_ONEHOT_OUTPUTS)
            rc = mlops__fail(MLOPS_EINVAL, "transform step %zu (onehot): column '%s' would "
                             "make %zu indicator columns, more than the %d allowed; merge rare "
                             "categories with min_frequency or leave the column out",
                             x->step, x->col, outputs, MAX_ONEHOT_OUTPUTS);
    }
    if (rc == MLOPS_OK) {
        c->cats = mlops__calloc(nfreq ? nfreq : 1, sizeof *c->cats, "onehot categories");
        c->infreq = mlops__calloc(ncat - nfreq ? ncat - nfreq : 1, sizeof *c->infreq,
                                  "onehot infrequent categories");
        if (c->cats == NULL || c->infreq == NULL) rc = MLOPS_ENOMEM;
    }
    for (size_t k = 0; rc == MLOPS_OK && k < ncat; k++) {
        char *v = NULL;
        if (cats[k].s != NULL && (v = mlops__strdup(cats[k].s, "onehot category")) == NULL)
            rc = MLOPS_ENOMEM;
        else if (cats[k].count) c->infreq[c->ninfreq++] = v;
        else c->cats[c->nfreq++] = v;
    }
    mlops__free(n);
    mlops__free(cats);
    if (rc == MLOPS_OK) rc = mlops__tf_onehot_index(c, "mlops_transform_fit");
    return rc;
}

/* ---- Resolving columns and fitting -------------------------------------- */

static bool type_fits(const mlops__tf_step *s, int type)
{
    switch (s->kind) {
    case MLOPS__TF_IMPUTE:
        return type == MLOPS_NUMERIC || (s->strategy != MLOPS__IMPUTE_MEAN &&
                                         s->strategy != MLOPS__IMPUTE_MEDIAN);
    case MLOPS__TF_ONEHOT: return type == MLOPS_CATEGORICAL;
    case MLOPS__TF_DROP: return true;
    default: return type == MLOPS_NUMERIC;
    }
}

static const char *work_name_at(size_t i, const void *ctx)
{
    return ((const mlops__tf_work *)ctx)->cols[i].c.name;
}

/* Indices of the step's columns in the working table, in the order named
 * (or in table order for "*"). */
static int resolve(const mlops__tf_step *s, size_t si, const mlops__tf_work *w, size_t *idx,
                   size_t *count)
{
    const char *kind = mlops__tf_kind_name(s->kind);
    size_t n = 0;
    if (s->all) {
        for (size_t j = 0; j < w->n; j++) {
            const mlops__column *c = &w->cols[j].c;
            if (c->role == MLOPS_ROLE_FEATURE && !c->sensitive && type_fits(s, c->type))
                idx[n++] = j;
        }
    } else {
        /* a hash of the names: a long list must not cost names x columns */
        mlops__dict *names;
        size_t *pos_of;
        int rc = mlops__tf_work_index(w, &names, &pos_of);
        for (size_t k = 0; rc == MLOPS_OK && k < s->nnames; k++) {
            int32_t code = mlops__dict_find(names, s->names[k], strlen(s->names[k]));
            if (code < 0) {
                const char *near = mlops__suggest(s->names[k], w->n, work_name_at, w);
                rc = mlops__fail(MLOPS_EINVAL,
                                 "transform step %zu (%s): no column '%s' in the data%s%s%s", si,
                                 kind, s->names[k], near ? " (did you mean '" : "",
                                 near ? near : "", near ? "'?)" : "");
                break;
            }
            idx[n++] = pos_of[code];
            const mlops__column *c = &w->cols[pos_of[code]].c;
            if (s->kind == MLOPS__TF_IMPUTE && c->type == MLOPS_CATEGORICAL)
                continue; /* impute_categorical names the strategy problem */
            if (!type_fits(s, c->type))
                rc = mlops__fail(MLOPS_EINVAL,
                                 "transform step %zu (%s): column '%s' is %s; %s needs %s "
                                 "columns",
                                 si, kind, c->name, mlops_type_name(c->type), kind,
                                 s->kind == MLOPS__TF_ONEHOT ? "categorical" : "numeric");
        }
        mlops__dict_free(names);
        mlops__free(pos_of);
        if (rc != MLOPS_OK) return rc;
    }
    *count = n;
    return MLOPS_OK;
}

static int fit_step(const mlops__tf_step *s, size_t si, const mlops__tf_work *w,
                    mlops__tf_stepfit *sf)
{
    if (s->values[MLOPS__KEY_FILL_VALUE] != NULL && s->strategy != MLOPS__IMPUTE_CONSTANT)
        return mlops__fail(MLOPS_EINVAL,
                           "transform step %zu (impute): fill_value is set but strategy is '%s'; "
                           "set strategy=constant to use it",
                           si, mlops__tf_key_text(s, MLOPS__KEY_STRATEGY));
    size_t *idx = mlops__malloc_array(w->n ? w->n : 1, sizeof *idx, "transform column indices");
    if (idx == NULL) return MLOPS_ENOMEM;
    size_t n = 0;
    int rc = resolve(s, si, w, idx, &n);
    if (rc == MLOPS_OK) {
        sf->cols = mlops__calloc(n ? n : 1, sizeof *sf->cols, "transform fitted columns");
        if (sf->cols == NULL) rc = MLOPS_ENOMEM;
    }
    for (size_t k = 0; rc == MLOPS_OK && k < n; k++) {
        const mlops__column *col = &w->cols[idx[k]].c;
        mlops__tf_col *c = &sf->cols[k];
        sf->ncols = k + 1;
        c->type = col->type;
        c->name = mlops__strdup(col->name, "transform column name");
        if (c->name == NULL) {
            rc = MLOPS_ENOMEM;
            break;
        }
        fit_ctx x = {si, mlops__tf_kind_name(s->kind), col->name, w->rows};
        switch (s->kind) {
        case MLOPS__TF_IMPUTE:
            rc = col->type == MLOPS_NUMERIC ? impute_numeric(s, col, &x, c)
                                            : impute_categorical(s, col, &x, c);
            break;
        case MLOPS__TF_STANDARDIZE: rc = fit_standardize(s, col, &x, c); break;
        case MLOPS__TF_MINMAX: rc = fit_minmax(col, &x, c); break;
        case MLOPS__TF_ONEHOT: rc = fit_onehot(s, col, &x, c); break;
        default: break; /* drop keeps only the name */
        }
    }
    mlops__free(idx);
    return rc;
}

static int schema_from(const mlops_dataset *d, mlops__tf_fit *f)
{
    f->in = mlops__calloc(d->ncols ? d->ncols : 1, sizeof *f->in, "transform input schema");
    if (f->in == NULL) return MLOPS_ENOMEM;
    for (size_t j = 0; j < d->ncols; j++) {
        const mlops__column *c = &d->cols[j];
        f->in[j] = (mlops__tf_schema_col){NULL, c->type, c->role, c->sensitive};
        f->in[j].name = mlops__strdup(c->name, "transform input schema");
        if (f->in[j].name == NULL) return MLOPS_ENOMEM;
        f->nin = j + 1;
    }
    return MLOPS_OK;
}

static int fit_impl(mlops_transform *t, const mlops_dataset *train, mlops_dataset **out,
                    bool want_out, const char *func)
{
    if (t == NULL || train == NULL || (out == NULL && want_out))
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (train->rows == 0)
        return mlops__fail(MLOPS_EINVAL, "%s: the training data '%s' has no rows", func,
                           train->source);
    mlops__tf_fit *f = mlops__calloc(1, sizeof *f, "transform fit");
    if (f == NULL) return MLOPS_ENOMEM;
    f->rows = train->rows;
    f->steps = mlops__calloc(t->nsteps ? t->nsteps : 1, sizeof *f->steps, "transform fit steps");
    f->nsteps = f->steps ? t->nsteps : 0;
    int rc = f->steps ? schema_from(train, f) : MLOPS_ENOMEM;
    mlops__tf_work w;
    bool have_work = false;
    if (rc == MLOPS_OK) {
        rc = mlops__tf_work_init(&w, train);
        have_work = rc == MLOPS_OK;
    }
    for (size_t i = 0; rc == MLOPS_OK && i < t->nsteps; i++) {
        rc = fit_step(&t->steps[i], i, &w, &f->steps[i]);
        if (rc == MLOPS_OK) rc = mlops__tf_run_step(&t->steps[i], i, &f->steps[i], &w, true);
    }
    if (rc == MLOPS_OK) rc = mlops__tf_derive_output(t, f, MLOPS_EINVAL);
    mlops_dataset *result = NULL;
    if (rc == MLOPS_OK && out != NULL) rc = mlops__tf_work_finish(&w, train->source, &result);
    if (have_work) mlops__tf_work_clear(&w);
    if (rc != MLOPS_OK) {
        mlops__tf_fit_free(f);
        return rc;
    }
    mlops__tf_fit_free(t->fit);
    t->fit = f;
    if (out != NULL) *out = result;
    return MLOPS_OK;
}

MLOPS_API int mlops_transform_fit(mlops_transform *t, const mlops_dataset *train)
{
    return fit_impl(t, train, NULL, false, "mlops_transform_fit");
}

MLOPS_API int mlops_transform_fit_apply(mlops_transform *t, const mlops_dataset *train,
                                        mlops_dataset **out)
{
    return fit_impl(t, train, out, true, "mlops_transform_fit_apply");
}
