/* mlops_model: creation, string-keyed settings and the read-only accessors
 * of a fitted model. Fitting, prediction, explanations, the card and the
 * file format live in the other model_*.c files. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "core/suggest.h"
#include "train/model_impl.h"

static const char *const KIND_NAMES[] = {NULL, "linear_regression", "logistic_regression"};
static const char *const SOLVER_NAMES[] = {"auto", "cholesky", "lstsq", "lbfgs", "newton"};
static const char *const PARAM_NAMES[MLOPS__P_COUNT] = {
    "l2",           "fit_intercept", "max_iter", "tol",     "solver",
    "lbfgs_memory", "class_weight",  "seed",     "threads", "warm_start",
    "fingerprint"};

const char *mlops__model_kind_name(int kind)
{
    return kind == MLOPS__MODEL_LINEAR || kind == MLOPS__MODEL_LOGISTIC ? KIND_NAMES[kind]
                                                                        : "unknown";
}

const char *mlops__solver_name(int solver)
{
    return solver >= 0 && solver <= MLOPS__SOLVER_NEWTON ? SOLVER_NAMES[solver] : "unknown";
}

const char *mlops__param_name(int key)
{
    return key >= 0 && key < MLOPS__P_COUNT ? PARAM_NAMES[key] : "unknown";
}

void mlops__params_default(mlops__model_params *p, int kind)
{
    memset(p, 0, sizeof *p);
    p->l2 = kind == MLOPS__MODEL_LOGISTIC ? 1e-4 : 0.0;
    p->fit_intercept = true;
    p->max_iter = 1000;
    p->tol = 1e-6;
    p->solver = MLOPS__SOLVER_AUTO;
    p->lbfgs_memory = 50;
    p->class_weight = MLOPS__CLASS_WEIGHT_NONE;
    p->fingerprint = true;
}

static const char *kind_at(size_t i, const void *ctx)
{
    (void)ctx;
    return KIND_NAMES[i + 1];
}

static const char *param_at(size_t i, const void *ctx)
{
    (void)ctx;
    return PARAM_NAMES[i];
}

MLOPS_API int mlops_model_create(mlops_model **out, const char *kind)
{
    MLOPS_CHECK_ARG(out != NULL, "mlops_model_create", "NULL out");
    MLOPS_CHECK_ARG(kind != NULL, "mlops_model_create", "NULL kind");
    int k = 0;
    for (int i = 1; i <= 2; i++)
        if (strcmp(kind, KIND_NAMES[i]) == 0) k = i;
    if (k == 0) {
        const char *near = mlops__suggest(kind, 2, kind_at, NULL);
        return mlops__fail(MLOPS_EINVAL,
                           "mlops_model_create: unknown model kind '%s'%s%s%s (kinds: "
                           "linear_regression, logistic_regression)",
                           kind, near ? " (did you mean '" : "", near ? near : "",
                           near ? "'?)" : "");
    }
    mlops_model *m = mlops__calloc(1, sizeof *m, "model");
    if (m == NULL) return MLOPS_ENOMEM;
    m->kind = k;
    mlops__params_default(&m->params, k);
    *out = m;
    return MLOPS_OK;
}

static void free_strings(char **s, size_t n)
{
    if (s == NULL) return;
    for (size_t i = 0; i < n; i++) mlops__free(s[i]);
    mlops__free(s);
}

void mlops__model_fit_free(mlops__model_fit *f)
{
    if (f == NULL) return;
    free_strings(f->inputs, f->ninputs);
    mlops__free(f->input_types);
    mlops__free(f->target);
    mlops__free(f->weight);
    free_strings(f->features, f->nfeatures);
    free_strings(f->classes, f->nclasses);
    mlops__free(f->class_values);
    mlops__free(f->class_counts);
    mlops__free(f->coef);
    mlops__free(f->intercept);
    mlops__free(f->raw_scale);
    mlops__free(f->raw_offset);
    mlops__free(f->raw_std);
    mlops__free(f->raw_affine);
    mlops__free(f->plan_input);
    mlops__free(f->plan_first);
    mlops__free(f->plan_ops);
    mlops__free(f->fold_coef);
    mlops__free(f->fold_intercept);
    mlops__free(f->source);
    mlops_transform_free(f->transform);
    mlops__free(f);
}

MLOPS_API void mlops_model_free(mlops_model *m)
{
    if (m == NULL) return;
    mlops_transform_free(m->chain);
    mlops__model_fit_free(m->fit);
    for (int i = 0; i < MLOPS__CARD_COUNT; i++) mlops__free(m->card[i]);
    mlops__free(m);
}

MLOPS_API const char *mlops_model_kind(const mlops_model *m)
{
    return m == NULL ? NULL : mlops__model_kind_name(m->kind);
}

/* ---- settings ----------------------------------------------------------- */

static int parse_bool(const char *key, const char *v, bool *out)
{
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0) { *out = true; return MLOPS_OK; }
        if (strcmp(v, no[i]) == 0) { *out = false; return MLOPS_OK; }
    }
    return mlops__fail(MLOPS_EINVAL, "model setting '%s': '%s' is not true or false", key, v);
}

static int parse_number(const char *key, const char *v, double *out)
{
    char *end = NULL;
    double x = mlops__strtod_c(v, &end);
    if (end == v || *end != '\0' || isnan(x))
        return mlops__fail(MLOPS_EINVAL, "model setting '%s': '%s' is not a number", key, v);
    *out = x;
    return MLOPS_OK;
}

static int parse_uint(const char *key, const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
    const char *p = v;
    if (*p == '+') p++;
    if (*p < '0' || *p > '9')
        return mlops__fail(MLOPS_EINVAL, "model setting '%s': '%s' is not a whole number", key,
                           v);
    errno = 0;
    char *end = NULL;
    unsigned long long x = strtoull(p, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return mlops__fail(MLOPS_EINVAL, "model setting '%s': '%s' is not a whole number in "
                           "range", key, v);
    if (x < lo || x > hi)
        return mlops__fail(MLOPS_EINVAL,
                           "model setting '%s': %s is out of range [%" PRIu64 ", %" PRIu64 "]",
                           key, v, lo, hi);
    *out = (uint64_t)x;
    return MLOPS_OK;
}

static int find_key(const char *key)
{
    for (int i = 0; i < MLOPS__P_COUNT; i++)
        if (strcmp(key, PARAM_NAMES[i]) == 0) return i;
    const char *near = mlops__suggest(key, MLOPS__P_COUNT, param_at, NULL);
    return mlops__fail(MLOPS_EINVAL, "unknown model setting '%s'%s%s%s", key,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

static int parse_solver(int kind, const char *v, int *out)
{
    static const int linear[] = {MLOPS__SOLVER_AUTO, MLOPS__SOLVER_CHOLESKY, MLOPS__SOLVER_LSTSQ};
    static const int logistic[] = {MLOPS__SOLVER_AUTO, MLOPS__SOLVER_LBFGS,
                                   MLOPS__SOLVER_NEWTON};
    const int *ok = kind == MLOPS__MODEL_LINEAR ? linear : logistic;
    for (size_t i = 0; i < 3; i++)
        if (strcmp(v, SOLVER_NAMES[ok[i]]) == 0) {
            *out = ok[i];
            return MLOPS_OK;
        }
    return mlops__fail(MLOPS_EINVAL, "model setting 'solver': '%s' is not a %s solver (use %s, "
                       "%s or %s)", v, KIND_NAMES[kind], SOLVER_NAMES[ok[0]],
                       SOLVER_NAMES[ok[1]], SOLVER_NAMES[ok[2]]);
}

MLOPS_API int mlops_model_set_param(mlops_model *m, const char *key, const char *value)
{
    MLOPS_CHECK_ARG(m != NULL, "mlops_model_set_param", "NULL model");
    MLOPS_CHECK_ARG(key != NULL, "mlops_model_set_param", "NULL key");
    MLOPS_CHECK_ARG(value != NULL, "mlops_model_set_param", "NULL value");
    int k = find_key(key);
    if (k < 0) return k;
    mlops__model_params p = m->params;
    double x = 0;
    uint64_t u = 0;
    int rc = MLOPS_OK;
    switch (k) {
    case MLOPS__P_L2:
        rc = parse_number(key, value, &x);
        if (rc == MLOPS_OK && !(x >= 0 && isfinite(x)))
            rc = mlops__fail(MLOPS_EINVAL, "model setting 'l2': %s must be finite and >= 0",
                             value);
        p.l2 = x;
        break;
    case MLOPS__P_FIT_INTERCEPT: rc = parse_bool(key, value, &p.fit_intercept); break;
    case MLOPS__P_MAX_ITER:
        rc = parse_uint(key, value, 1, UINT32_MAX, &u);
        p.max_iter = (uint32_t)u;
        break;
    case MLOPS__P_TOL:
        rc = parse_number(key, value, &x);
        if (rc == MLOPS_OK && !(x > 0 && isfinite(x)))
            rc = mlops__fail(MLOPS_EINVAL, "model setting 'tol': %s must be finite and > 0",
                             value);
        p.tol = x;
        break;
    case MLOPS__P_SOLVER: rc = parse_solver(m->kind, value, &p.solver); break;
    case MLOPS__P_LBFGS_MEMORY:
        rc = parse_uint(key, value, 1, 100, &u);
        p.lbfgs_memory = (uint32_t)u;
        break;
    case MLOPS__P_CLASS_WEIGHT:
        if (strcmp(value, "none") == 0) p.class_weight = MLOPS__CLASS_WEIGHT_NONE;
        else if (strcmp(value, "balanced") == 0) p.class_weight = MLOPS__CLASS_WEIGHT_BALANCED;
        else
            rc = mlops__fail(MLOPS_EINVAL, "model setting 'class_weight': '%s' is not none "
                             "or balanced", value);
        break;
    case MLOPS__P_SEED: rc = parse_uint(key, value, 0, UINT64_MAX, &p.seed); break;
    case MLOPS__P_THREADS:
        rc = parse_uint(key, value, 0, 1024, &u);
        p.threads = (uint32_t)u;
        break;
    case MLOPS__P_WARM_START: rc = parse_bool(key, value, &p.warm_start); break;
    default: rc = parse_bool(key, value, &p.fingerprint); break;
    }
    if (rc != MLOPS_OK) return rc;
    if (k == MLOPS__P_CLASS_WEIGHT && m->kind != MLOPS__MODEL_LOGISTIC)
        return mlops__fail(MLOPS_EINVAL, "model setting 'class_weight' applies to "
                           "logistic_regression only, not %s", KIND_NAMES[m->kind]);
    m->params = p;
    m->param_set[k] = true;
    return MLOPS_OK;
}

MLOPS_API int mlops_model_set_param_double(mlops_model *m, const char *key, double value)
{
    char text[MLOPS_DOUBLE_BUFSIZE];
    if (!isfinite(value)) {
        MLOPS_CHECK_ARG(key != NULL, "mlops_model_set_param_double", "NULL key");
        return mlops__fail(MLOPS_EINVAL, "model setting '%s': value must be finite", key);
    }
    mlops__format_double(value, text);
    return mlops_model_set_param(m, key, text);
}

int mlops__param_text(const mlops__model_params *p, int key, char **out)
{
    char buf[64];
    switch (key) {
    case MLOPS__P_L2: mlops__format_double(p->l2, buf); break;
    case MLOPS__P_FIT_INTERCEPT:
        snprintf(buf, sizeof buf, "%s", p->fit_intercept ? "true" : "false");
        break;
    case MLOPS__P_MAX_ITER: snprintf(buf, sizeof buf, "%" PRIu32, p->max_iter); break;
    case MLOPS__P_TOL: mlops__format_double(p->tol, buf); break;
    case MLOPS__P_SOLVER: snprintf(buf, sizeof buf, "%s", mlops__solver_name(p->solver)); break;
    case MLOPS__P_LBFGS_MEMORY: snprintf(buf, sizeof buf, "%" PRIu32, p->lbfgs_memory); break;
    case MLOPS__P_CLASS_WEIGHT:
        snprintf(buf, sizeof buf, "%s",
                 p->class_weight == MLOPS__CLASS_WEIGHT_BALANCED ? "balanced" : "none");
        break;
    case MLOPS__P_SEED: snprintf(buf, sizeof buf, "%" PRIu64, p->seed); break;
    case MLOPS__P_THREADS: snprintf(buf, sizeof buf, "%" PRIu32, p->threads); break;
    case MLOPS__P_WARM_START:
        snprintf(buf, sizeof buf, "%s", p->warm_start ? "true" : "false");
        break;
    default: snprintf(buf, sizeof buf, "%s", p->fingerprint ? "true" : "false"); break;
    }
    *out = mlops__strdup(buf, "model setting text");
    return *out == NULL ? MLOPS_ENOMEM : MLOPS_OK;
}

MLOPS_API int mlops_model_get_param(const mlops_model *m, const char *key, char **value)
{
    MLOPS_CHECK_ARG(m != NULL, "mlops_model_get_param", "NULL model");
    MLOPS_CHECK_ARG(key != NULL, "mlops_model_get_param", "NULL key");
    MLOPS_CHECK_ARG(value != NULL, "mlops_model_get_param", "NULL value");
    int k = find_key(key);
    if (k < 0) return k;
    return mlops__param_text(&m->params, k, value);
}

int mlops__transform_copy(const mlops_transform *t, mlops_transform **out)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    int rc = mlops_transform_save(t, &bytes, &len);
    if (rc != MLOPS_OK) return rc;
    rc = mlops_transform_load(out, bytes, len);
    mlops__free(bytes);
    return rc;
}

MLOPS_API int mlops_model_set_transform(mlops_model *m, const mlops_transform *t)
{
    MLOPS_CHECK_ARG(m != NULL, "mlops_model_set_transform", "NULL model");
    mlops_transform *copy = NULL;
    if (t != NULL) {
        int rc = mlops__transform_copy(t, &copy);
        if (rc != MLOPS_OK) return rc;
    }
    mlops_transform_free(m->chain);
    m->chain = copy;
    mlops__model_fit_free(m->fit);
    m->fit = NULL;
    m->created[0] = '\0';
    return MLOPS_OK;
}

MLOPS_API const mlops_transform *mlops_model_transform(const mlops_model *m)
{
    if (m == NULL) return NULL;
    if (m->fit != NULL) return m->fit->transform;
    return m->chain;
}

MLOPS_API int mlops_model_set_progress(mlops_model *m, mlops_progress_fn fn, void *user_data)
{
    MLOPS_CHECK_ARG(m != NULL, "mlops_model_set_progress", "NULL model");
    m->progress = fn;
    m->progress_ud = user_data;
    return MLOPS_OK;
}

/* ---- accessors ------------------------------------------------------------ */

MLOPS_API int mlops_model_is_fitted(const mlops_model *m)
{
    return m != NULL && m->fit != NULL;
}

MLOPS_API int mlops_model_info(const mlops_model *m, const char *key, double *value)
{
    MLOPS_CHECK_ARG(m != NULL, "mlops_model_info", "NULL model");
    MLOPS_CHECK_ARG(key != NULL, "mlops_model_info", "NULL key");
    MLOPS_CHECK_ARG(value != NULL, "mlops_model_info", "NULL value");
    static const char *const keys[] = {"iterations", "converged", "objective", "gradient_norm",
                                       "rows",       "features",  "classes",   "weight_sum",
                                       "l2"};
    size_t k = 0;
    while (k < 9 && strcmp(key, keys[k]) != 0) k++;
    if (k == 9)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_info: unknown key '%s' (keys: "
                           "iterations, converged, objective, gradient_norm, rows, features, "
                           "classes, weight_sum, l2)", key);
    const mlops__model_fit *f = m->fit;
    if (f == NULL) return mlops__fail(MLOPS_ESTATE, "mlops_model_info: the model is not fitted");
    switch (k) {
    case 0: *value = f->iterations; break;
    case 1: *value = f->converged ? 1 : 0; break;
    case 2: *value = f->objective; break;
    case 3: *value = f->grad_norm; break;
    case 4: *value = (double)f->rows; break;
    case 5: *value = (double)f->nfeatures; break;
    case 6: *value = (double)f->nclasses; break;
    case 7: *value = f->weight_sum; break;
    default: *value = f->params.l2; break;
    }
    return MLOPS_OK;
}

MLOPS_API size_t mlops_model_input_count(const mlops_model *m)
{
    return m != NULL && m->fit != NULL ? m->fit->ninputs : 0;
}

MLOPS_API const char *mlops_model_input_name(const mlops_model *m, size_t i)
{
    return i < mlops_model_input_count(m) ? m->fit->inputs[i] : NULL;
}

MLOPS_API int mlops_model_input_type(const mlops_model *m, size_t i)
{
    return i < mlops_model_input_count(m) ? m->fit->input_types[i] : 0;
}

MLOPS_API size_t mlops_model_feature_count(const mlops_model *m)
{
    return m != NULL && m->fit != NULL ? m->fit->nfeatures : 0;
}

MLOPS_API const char *mlops_model_feature_name(const mlops_model *m, size_t i)
{
    return i < mlops_model_feature_count(m) ? m->fit->features[i] : NULL;
}

MLOPS_API const char *mlops_model_target_name(const mlops_model *m)
{
    return m != NULL && m->fit != NULL ? m->fit->target : NULL;
}

MLOPS_API size_t mlops_model_class_count(const mlops_model *m)
{
    return m != NULL && m->fit != NULL ? m->fit->nclasses : 0;
}

MLOPS_API const char *mlops_model_class_label(const mlops_model *m, size_t k)
{
    return k < mlops_model_class_count(m) ? m->fit->classes[k] : NULL;
}

MLOPS_API size_t mlops_model_output_count(const mlops_model *m)
{
    return m != NULL && m->fit != NULL ? m->fit->noutputs : 0;
}

MLOPS_API size_t mlops_model_output_width(const mlops_model *m, int kind)
{
    if (m == NULL || m->fit == NULL) return 0;
    switch (kind) {
    case MLOPS_PREDICT_VALUE: return 1;
    case MLOPS_PREDICT_PROBA: return m->fit->nclasses;
    case MLOPS_PREDICT_DECISION: return m->fit->noutputs;
    default: return 0;
    }
}

MLOPS_API int mlops_model_coefficients(const mlops_model *m, int units, double *coef, size_t len,
                                       double *intercepts, size_t nint)
{
    MLOPS_CHECK_ARG(m != NULL, "mlops_model_coefficients", "NULL model");
    MLOPS_CHECK_ARG(coef != NULL, "mlops_model_coefficients", "NULL coef");
    if (units < MLOPS_COEF_MODEL || units > MLOPS_COEF_STANDARDIZED)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_coefficients: unknown units %d", units);
    const mlops__model_fit *f = m->fit;
    if (f == NULL)
        return mlops__fail(MLOPS_ESTATE, "mlops_model_coefficients: the model is not fitted");
    size_t p = f->nfeatures, k = f->noutputs;
    if (len < p * k)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_coefficients: coef holds %zu values, "
                           "%zu needed (%zu outputs x %zu features)", len, p * k, k, p);
    if (intercepts != NULL && nint < k)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_coefficients: intercepts holds %zu "
                           "values, %zu needed", nint, k);
    for (size_t o = 0; o < k; o++) {
        double b = f->intercept[o];
        for (size_t j = 0; j < p; j++) {
            double c = f->coef[o * p + j];
            if (units != MLOPS_COEF_MODEL && f->raw_affine[j]) {
                b += c * f->raw_offset[j];
                c *= f->raw_scale[j];
            }
            if (units == MLOPS_COEF_STANDARDIZED) c *= f->raw_std[j];
            coef[o * p + j] = c;
        }
        if (intercepts != NULL) intercepts[o] = b;
    }
    return MLOPS_OK;
}

int mlops__model_clone_config(const mlops_model *src, mlops_model **out)
{
    mlops_model *m = mlops__calloc(1, sizeof *m, "model");
    if (m == NULL) return MLOPS_ENOMEM;
    m->kind = src->kind;
    m->params = src->params;
    memcpy(m->param_set, src->param_set, sizeof m->param_set);
    m->params.warm_start = false;
    const mlops_transform *t = src->chain != NULL ? src->chain
                               : src->fit != NULL ? src->fit->transform
                                                  : NULL;
    int rc = t != NULL ? mlops_model_set_transform(m, t) : MLOPS_OK;
    if (rc != MLOPS_OK) {
        mlops_model_free(m);
        return rc;
    }
    *out = m;
    return MLOPS_OK;
}
