/* mlops_model_fit: from a dataset to a fitted model.
 *
 * Finds the target, weight and input columns by role, fits and applies the
 * model's chain, lays the features out as one column-major matrix for BLAS,
 * derives class labels and row weights, runs the solver and records the
 * training summary. Everything goes into a fresh mlops__model_fit that
 * replaces the old one only on success. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"
#include "core/numfmt.h"
#include "data/dataset_impl.h"
#include "train/blas.h"
#include "train/model_impl.h"
#include "train/problem.h"

typedef struct fit_data {
    mlops_dataset *transformed; /* owned when a chain ran */
    const mlops_dataset *feat;  /* where the features are */
    size_t *feat_cols;          /* their columns in `feat` */
    double *x;                  /* n x p column-major (logistic only) */
    const double **cols;        /* per feature: its n values */
    double *y;                  /* linear target */
    int32_t *cls;               /* logistic class per row */
    double *w;                  /* row weights, NULL when all 1 */
} fit_data;

static void fit_data_free(fit_data *fd)
{
    mlops_dataset_free(fd->transformed);
    mlops__free(fd->feat_cols);
    mlops__free(fd->x);
    mlops__free(fd->cols);
    mlops__free(fd->y);
    mlops__free(fd->cls);
    mlops__free(fd->w);
}

static bool is_input(const mlops__column *c)
{
    return c->role == MLOPS_ROLE_FEATURE && !c->sensitive;
}

static int find_roles(const mlops_dataset *d, size_t *target, size_t *weight)
{
    *target = *weight = SIZE_MAX;
    for (size_t j = 0; j < d->ncols; j++) {
        const mlops__column *c = &d->cols[j];
        if (c->role == MLOPS_ROLE_TARGET) {
            if (*target != SIZE_MAX)
                return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: columns '%s' and '%s' both "
                                   "have role target; a model has one target",
                                   d->cols[*target].name, c->name);
            *target = j;
        } else if (c->role == MLOPS_ROLE_WEIGHT) {
            if (*weight != SIZE_MAX)
                return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: columns '%s' and '%s' both "
                                   "have role weight", d->cols[*weight].name, c->name);
            *weight = j;
        }
    }
    if (*target == SIZE_MAX)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: no column has role target (set it "
                           "with mlops_dataset_set_role)");
    return MLOPS_OK;
}

static char *dup_name(const char *s)
{
    return mlops__strdup(s, "model column name");
}

static int collect_inputs(mlops__model_fit *f, const mlops_dataset *d)
{
    size_t n = 0;
    for (size_t j = 0; j < d->ncols; j++) n += is_input(&d->cols[j]);
    if (n == 0)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: the dataset has no feature columns "
                           "(columns with role feature that are not sensitive)");
    f->inputs = mlops__calloc(n, sizeof *f->inputs, "model inputs");
    f->input_types = mlops__calloc(n, sizeof *f->input_types, "model inputs");
    if (f->inputs == NULL || f->input_types == NULL) return MLOPS_ENOMEM;
    for (size_t j = 0; j < d->ncols; j++) {
        if (!is_input(&d->cols[j])) continue;
        f->input_types[f->ninputs] = d->cols[j].type;
        f->inputs[f->ninputs] = dup_name(d->cols[j].name);
        if (f->inputs[f->ninputs++] == NULL) return MLOPS_ENOMEM;
    }
    return MLOPS_OK;
}

/* Fits and applies the chain; the features are then the feature columns of
 * the result, which must be numeric. */
static int prepare_features(const mlops_model *m, const mlops_dataset *train, mlops__model_fit *f,
                            fit_data *fd)
{
    int rc = MLOPS_OK;
    fd->feat = train;
    if (m->chain != NULL) {
        rc = mlops__transform_copy(m->chain, &f->transform);
        if (rc == MLOPS_OK) rc = mlops_transform_fit_apply(f->transform, train, &fd->transformed);
        if (rc != MLOPS_OK) return rc;
        fd->feat = fd->transformed;
    }
    const mlops_dataset *d = fd->feat;
    size_t p = 0;
    for (size_t j = 0; j < d->ncols; j++) {
        if (!is_input(&d->cols[j])) continue;
        if (d->cols[j].type != MLOPS_NUMERIC)
            return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: feature '%s' is categorical; "
                               "encode it with a onehot step in the model's transform",
                               d->cols[j].name);
        p++;
    }
    if (p == 0)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: the transform leaves no feature "
                           "columns");
    f->features = mlops__calloc(p, sizeof *f->features, "model features");
    fd->feat_cols = mlops__calloc(p, sizeof *fd->feat_cols, "model features");
    if (f->features == NULL || fd->feat_cols == NULL) return MLOPS_ENOMEM;
    for (size_t j = 0; j < d->ncols; j++) {
        if (!is_input(&d->cols[j])) continue;
        fd->feat_cols[f->nfeatures] = j;
        f->features[f->nfeatures] = dup_name(d->cols[j].name);
        if (f->features[f->nfeatures++] == NULL) return MLOPS_ENOMEM;
    }
    return MLOPS_OK;
}

/* Checks every feature value and points at the columns; logistic models
 * also get one column-major matrix for BLAS, while the closed-form linear
 * solver reads the dataset's columns in place (no copy of the data). */
static int build_matrix(const mlops_model *m, const mlops__model_fit *f, fit_data *fd)
{
    size_t n = fd->feat->rows, p = f->nfeatures, np;
    if (!mlops__mul_size(n, p, &np))
        return mlops__fail(MLOPS_ENOMEM, "mlops_model_fit: %zu rows x %zu features overflow",
                           n, p);
    fd->cols = mlops__malloc_array(p, sizeof *fd->cols, "feature columns");
    if (fd->cols == NULL) return MLOPS_ENOMEM;
    if (m->kind == MLOPS__MODEL_LOGISTIC) {
        fd->x = mlops__malloc_array(np, sizeof *fd->x, "feature matrix");
        if (fd->x == NULL) return MLOPS_ENOMEM;
    }
    for (size_t j = 0; j < p; j++) {
        const double *src = fd->feat->cols[fd->feat_cols[j]].values;
        if (fd->x != NULL) {
            memcpy(fd->x + j * n, src, n * sizeof *src);
            src = fd->x + j * n;
        }
        fd->cols[j] = src;
        for (size_t i = 0; i < n; i++) {
            if (isfinite(src[i])) continue;
            if (isnan(src[i]))
                return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: feature '%s' is missing at "
                                   "row %zu after preprocessing; add an impute step to the "
                                   "model's transform", f->features[j], i);
            return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: feature '%s' is infinite at "
                               "row %zu", f->features[j], i);
        }
    }
    return MLOPS_OK;
}

static int build_weights(const mlops_dataset *train, size_t wcol, fit_data *fd, double *wsum)
{
    size_t n = train->rows;
    *wsum = (double)n;
    if (wcol == SIZE_MAX) return MLOPS_OK;
    const mlops__column *c = &train->cols[wcol];
    if (c->type != MLOPS_NUMERIC)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: weight column '%s' is not numeric",
                           c->name);
    fd->w = mlops__malloc_array(n, sizeof *fd->w, "row weights");
    if (fd->w == NULL) return MLOPS_ENOMEM;
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double v = c->values[i];
        if (!(v >= 0 && isfinite(v)))
            return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: weight column '%s' holds %s at "
                               "row %zu; weights must be finite and >= 0", c->name,
                               isnan(v) ? "a missing value" : "a negative or infinite value",
                               i);
        fd->w[i] = v;
        s += v;
    }
    if (!(s > 0))
        return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: weight column '%s' sums to 0",
                           c->name);
    if (!isfinite(s))
        return mlops__fail(MLOPS_ERANGE, "mlops_model_fit: weight column '%s' sums to more "
                           "than the largest double (%g); rescale the weights", c->name,
                           DBL_MAX);
    *wsum = s;
    return MLOPS_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct label_ref {
    const char *s;
    int32_t code;
} label_ref;

static int cmp_label(const void *a, const void *b)
{
    return strcmp(((const label_ref *)a)->s, ((const label_ref *)b)->s);
}

static int numeric_classes(mlops__model_fit *f, const mlops__column *c, size_t n, fit_data *fd)
{
    double *v = mlops__malloc_array(n, sizeof *v, "class values");
    if (v == NULL) return MLOPS_ENOMEM;
    memcpy(v, c->values, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[i] != v[k - 1]) v[k++] = v[i];
    f->class_values = v;
    f->nclasses = k;
    f->classes = mlops__calloc(k, sizeof *f->classes, "class labels");
    if (f->classes == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        char text[MLOPS_DOUBLE_BUFSIZE];
        mlops__format_double(v[i] == 0 ? 0.0 : v[i], text);
        if ((f->classes[i] = dup_name(text)) == NULL) return MLOPS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const double *hit = bsearch(&c->values[i], v, k, sizeof *v, cmp_double);
        fd->cls[i] = (int32_t)(hit - v);
    }
    return MLOPS_OK;
}

static int categorical_classes(mlops__model_fit *f, const mlops__column *c, size_t n,
                               fit_data *fd)
{
    size_t ncodes = mlops__dict_size(c->dict);
    int32_t *slot = mlops__malloc_array(ncodes ? ncodes : 1, sizeof *slot, "class map");
    label_ref *refs = mlops__malloc_array(ncodes ? ncodes : 1, sizeof *refs, "class map");
    int rc = MLOPS_OK;
    if (slot == NULL || refs == NULL) {
        rc = MLOPS_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < ncodes; i++) slot[i] = -1;
    for (size_t i = 0; i < n; i++) slot[c->codes[i]] = 0; /* present */
    size_t k = 0;
    for (size_t i = 0; i < ncodes; i++)
        if (slot[i] == 0) {
            refs[k].s = mlops__dict_string(c->dict, (int32_t)i);
            refs[k++].code = (int32_t)i;
        }
    qsort(refs, k, sizeof *refs, cmp_label);
    f->nclasses = k;
    f->classes = mlops__calloc(k ? k : 1, sizeof *f->classes, "class labels");
    if (f->classes == NULL) {
        rc = MLOPS_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < k; i++) {
        slot[refs[i].code] = (int32_t)i;
        if ((f->classes[i] = dup_name(refs[i].s)) == NULL) {
            rc = MLOPS_ENOMEM;
            goto done;
        }
    }
    for (size_t i = 0; i < n; i++) fd->cls[i] = slot[c->codes[i]];
done:
    mlops__free(slot);
    mlops__free(refs);
    return rc;
}

static int build_target(const mlops_model *m, mlops__model_fit *f, const mlops__column *c,
                        size_t n, fit_data *fd)
{
    for (size_t i = 0; i < n; i++) {
        bool missing = c->type == MLOPS_NUMERIC ? isnan(c->values[i]) : c->codes[i] < 0;
        if (missing)
            return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: target '%s' is missing at row "
                               "%zu; drop or fill such rows first", c->name, i);
        if (c->type == MLOPS_NUMERIC && !isfinite(c->values[i]))
            return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: target '%s' is infinite at row "
                               "%zu", c->name, i);
    }
    if (m->kind == MLOPS__MODEL_LINEAR) {
        if (c->type != MLOPS_NUMERIC)
            return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: linear_regression needs a "
                               "numeric target, but '%s' is categorical", c->name);
        fd->y = mlops__malloc_array(n, sizeof *fd->y, "target");
        if (fd->y == NULL) return MLOPS_ENOMEM;
        memcpy(fd->y, c->values, n * sizeof *fd->y);
        f->noutputs = 1;
        return MLOPS_OK;
    }
    fd->cls = mlops__malloc_array(n, sizeof *fd->cls, "class per row");
    if (fd->cls == NULL) return MLOPS_ENOMEM;
    int rc = c->type == MLOPS_NUMERIC ? numeric_classes(f, c, n, fd)
                                      : categorical_classes(f, c, n, fd);
    if (rc != MLOPS_OK) return rc;
    if (f->nclasses < 2)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: target '%s' has a single class "
                           "('%s') in the training rows; logistic_regression needs at least "
                           "two", c->name, f->nclasses ? f->classes[0] : "");
    f->class_counts = mlops__calloc(f->nclasses, sizeof *f->class_counts, "class counts");
    if (f->class_counts == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < n; i++) f->class_counts[fd->cls[i]]++;
    f->noutputs = f->nclasses == 2 ? 1 : f->nclasses;
    return MLOPS_OK;
}

/* class_weight=balanced: rows of class k weigh n / (classes * count_k),
 * multiplied into any sample weights. */
static int apply_class_weights(const mlops_model *m, const mlops__model_fit *f, size_t n,
                               fit_data *fd, double *wsum)
{
    if (m->kind != MLOPS__MODEL_LOGISTIC || m->params.class_weight != MLOPS__CLASS_WEIGHT_BALANCED)
        return MLOPS_OK;
    if (fd->w == NULL) {
        fd->w = mlops__malloc_array(n, sizeof *fd->w, "row weights");
        if (fd->w == NULL) return MLOPS_ENOMEM;
        for (size_t i = 0; i < n; i++) fd->w[i] = 1.0;
    }
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double cw = (double)n / ((double)f->nclasses * (double)f->class_counts[fd->cls[i]]);
        fd->w[i] *= cw;
        s += fd->w[i];
    }
    if (!isfinite(s))
        return mlops__fail(MLOPS_ERANGE, "mlops_model_fit: the weights times the balanced "
                           "class weights sum to more than the largest double (%g); rescale "
                           "the weights", DBL_MAX);
    *wsum = s;
    return MLOPS_OK;
}

/* Population standard deviation of the present values of v[0..n). Two
 * passes: exact enough and free of a division per value. When the sums
 * overflow (values near +-1.8e308) the values are divided by their largest
 * magnitude first, so the result stays finite and the model file, which
 * refuses non-finite numbers, can be read back. */
static double population_std(const double *v, size_t n)
{
    double scale = 1, sd = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            scale = 0;
            for (size_t i = 0; i < n; i++)
                if (fabs(v[i]) > scale) scale = fabs(v[i]); /* false for NaN */
            if (!(scale > 0 && isfinite(scale))) return 0.0;
        }
        double sum = 0, ss = 0;
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++)
            if (!isnan(v[i])) {
                sum += v[i] / scale;
                cnt++;
            }
        if (cnt == 0) return 0.0;
        double mean = sum / (double)cnt;
        for (size_t i = 0; i < n; i++)
            if (!isnan(v[i])) ss += (v[i] / scale - mean) * (v[i] / scale - mean);
        sd = sqrt(ss / (double)cnt) * scale;
        if (isfinite(sd)) return sd;
    }
    return DBL_MAX;
}

/* Population standard deviation of the raw input behind each feature, or
 * of the feature itself where the chain is not affine. */
static int raw_deviations(mlops__model_fit *f, const mlops_dataset *train, const fit_data *fd)
{
    size_t p = f->nfeatures, n = train->rows;
    f->raw_std = mlops__calloc(p, sizeof *f->raw_std, "raw deviations");
    /* input i is the i-th input column of `train` (collect_inputs) */
    size_t *in_col = mlops__malloc_array(f->ninputs, sizeof *in_col, "input columns");
    if (f->raw_std == NULL || in_col == NULL) {
        mlops__free(in_col);
        return MLOPS_ENOMEM;
    }
    for (size_t j = 0, i = 0; j < train->ncols; j++)
        if (is_input(&train->cols[j])) in_col[i++] = j;
    for (size_t j = 0; j < p; j++) {
        const double *v = fd->cols[j];
        if (f->raw_affine[j]) v = train->cols[in_col[f->plan_input[j]]].values;
        f->raw_std[j] = population_std(v, n);
    }
    mlops__free(in_col);
    return MLOPS_OK;
}

static bool same_names(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb) return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0) return false;
    return true;
}

static int solve(const mlops_model *m, mlops__model_fit *f, const fit_data *fd, size_t n,
                 double wsum)
{
    const mlops__model_params *pr = &m->params;
    mlops__problem pb = {.n = n, .p = f->nfeatures, .x = fd->x, .cols = fd->cols, .y = fd->y,
                         .cls = fd->cls, .k = f->nclasses, .w = fd->w, .wsum = wsum,
                         .l2 = pr->l2, .intercept = pr->fit_intercept};
    size_t p = f->nfeatures, k = f->noutputs, dim;
    if (!mlops__mul_size(k, p + 1, &dim)) return mlops__fail(MLOPS_ENOMEM, "model too large");
    f->coef = mlops__calloc(dim, sizeof *f->coef, "coefficients");
    if (f->coef == NULL) return MLOPS_ENOMEM;
    mlops__solve_result res;
    int threads = mlops__blas_threads_push(pr->threads);
    int rc;
    if (m->kind == MLOPS__MODEL_LINEAR) {
        rc = mlops__linear_solve(&pb, pr->solver, f->coef, f->coef + p, &res);
    } else {
        const mlops__model_fit *old = m->fit;
        if (pr->warm_start && old != NULL && old->noutputs == k &&
            same_names(old->features, old->nfeatures, f->features, p) &&
            same_names(old->classes, old->nclasses, f->classes, f->nclasses)) {
            memcpy(f->coef, old->coef, k * p * sizeof *f->coef);
            memcpy(f->coef + k * p, old->intercept, k * sizeof *f->coef);
        }
        mlops__solve_opts o = {pr->max_iter, pr->tol, pr->lbfgs_memory, m->progress,
                               m->progress_ud};
        rc = mlops__logistic_solve(&pb, pr->solver, &o, f->coef, &res);
    }
    mlops__blas_threads_pop(threads);
    if (rc != MLOPS_OK) return rc;
    /* A sum of squares beyond the double range leaves finite coefficients
     * but no objective to record (the model file holds finite numbers only). */
    if (!isfinite(res.objective) || !isfinite(res.grad_norm))
        return mlops__fail(MLOPS_ERANGE, "mlops_model_fit: the training objective or its "
                           "gradient exceeds the range of a double: the values of target '%s' "
                           "or of the features are too large; rescale them", f->target);
    /* coef holds k*p coefficients then k intercepts: split them */
    f->intercept = mlops__malloc_array(k, sizeof *f->intercept, "intercepts");
    if (f->intercept == NULL) return MLOPS_ENOMEM;
    memcpy(f->intercept, f->coef + k * p, k * sizeof *f->intercept);
    for (size_t j = 0; j < dim; j++)
        if (!isfinite(f->coef[j]))
            return mlops__fail(MLOPS_ENUMERIC, "mlops_model_fit: the solver produced a "
                               "non-finite coefficient");
    int frc = mlops__model_fold(f);
    if (frc != MLOPS_OK) return frc;
    f->solver = res.solver;
    f->iterations = res.iterations;
    f->converged = res.converged;
    f->objective = res.objective;
    f->grad_norm = res.grad_norm;
    return MLOPS_OK;
}

static void report(const mlops_model *m, const mlops__model_fit *f)
{
    const char *kind = mlops__model_kind_name(m->kind);
    if (!f->converged)
        mlops__log(MLOPS_LOG_WARN, "%s did not converge in %u iterations (max |gradient| %.3g "
                   "> tol %.3g); raise max_iter, standardize the features or raise l2",
                   kind, (unsigned)f->iterations, f->grad_norm, m->params.tol);
    if (m->kind == MLOPS__MODEL_LOGISTIC && m->params.l2 == 0 && f->objective < 1e-3)
        mlops__log(MLOPS_LOG_WARN, "%s: the training classes are (nearly) perfectly "
                   "separable and l2 = 0, so the coefficients grow without bound and depend "
                   "on max_iter and tol; set l2 > 0", kind);
    mlops__log(MLOPS_LOG_INFO, "%s fitted: %s, %u iterations, objective %.17g", kind,
               mlops__solver_name(f->solver), (unsigned)f->iterations, f->objective);
}

static void stamp(mlops_model *m)
{
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) == NULL ||
        strftime(m->created, sizeof m->created, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        m->created[0] = '\0';
}

MLOPS_API int mlops_model_fit(mlops_model *m, const mlops_dataset *train)
{
    MLOPS_CHECK_ARG(m != NULL, "mlops_model_fit", "NULL model");
    MLOPS_CHECK_ARG(train != NULL, "mlops_model_fit", "NULL dataset");
    if (train->rows == 0)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_fit: the training dataset has no rows");
    size_t tcol, wcol;
    int rc = find_roles(train, &tcol, &wcol);
    if (rc != MLOPS_OK) return rc;
    mlops__blas_check_kernel();
    mlops__model_fit *f = mlops__calloc(1, sizeof *f, "model fit");
    if (f == NULL) return MLOPS_ENOMEM;
    fit_data fd = {0};
    size_t n = train->rows;
    double wsum = 0;
    f->target = dup_name(train->cols[tcol].name);
    f->weight = wcol != SIZE_MAX ? dup_name(train->cols[wcol].name) : NULL;
    f->source = mlops__strdup(train->source ? train->source : "", "model source");
    if (f->target == NULL || (wcol != SIZE_MAX && f->weight == NULL) || f->source == NULL)
        rc = MLOPS_ENOMEM;
    if (rc == MLOPS_OK) rc = collect_inputs(f, train);
    if (rc == MLOPS_OK) rc = build_target(m, f, &train->cols[tcol], n, &fd);
    if (rc == MLOPS_OK) rc = build_weights(train, wcol, &fd, &wsum);
    if (rc == MLOPS_OK) rc = apply_class_weights(m, f, n, &fd, &wsum);
    if (rc == MLOPS_OK) rc = prepare_features(m, train, f, &fd);
    if (rc == MLOPS_OK) rc = build_matrix(m, f, &fd);
    if (rc == MLOPS_OK) rc = mlops__model_plan(f);
    if (rc == MLOPS_OK) rc = raw_deviations(f, train, &fd);
    if (rc == MLOPS_OK && m->params.fingerprint)
        rc = mlops_dataset_fingerprint(train, f->fingerprint, sizeof f->fingerprint);
    if (rc == MLOPS_OK) {
        f->params = m->params;
        memcpy(f->param_set, m->param_set, sizeof f->param_set);
        f->rows = n;
        f->weight_sum = wsum;
        rc = solve(m, f, &fd, n, wsum);
    }
    fit_data_free(&fd);
    if (rc != MLOPS_OK) {
        mlops__model_fit_free(f);
        return rc;
    }
    report(m, f);
    mlops__model_fit_free(m->fit);
    m->fit = f;
    stamp(m);
    return MLOPS_OK;
}
