/* Cross-validation and grid search: refit a copy of the model's
 * configuration on k-1 folds, evaluate it on the held-out fold, and
 * summarize. Folds come from the data layer's deterministic splitter, so a
 * seed reproduces every number. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "eval/eval_impl.h"
#include "mlops/split.h"
#include "train/model_impl.h"

typedef struct cv_result {
    size_t folds, nnames;
    char **names;  /* metric names of the first fold */
    double *vals;  /* folds x nnames */
} cv_result;

static void cv_clear(cv_result *c)
{
    if (c->names != NULL)
        for (size_t j = 0; j < c->nnames; j++) mlops__free(c->names[j]);
    mlops__free(c->names);
    mlops__free(c->vals);
    memset(c, 0, sizeof *c);
}

static int target_column(const mlops_dataset *data, const char **name)
{
    for (size_t c = 0; c < mlops_dataset_cols(data); c++)
        if (mlops_dataset_column_role(data, c) == MLOPS_ROLE_TARGET) {
            *name = mlops_dataset_column_name(data, c);
            return MLOPS_OK;
        }
    return mlops__fail(MLOPS_ENOTFOUND, "cross-validation: the data has no column with role "
                       "target");
}

static int fold_metrics(const mlops_evaluator *sub, const mlops_model *tmpl,
                        const mlops_dataset *train, const mlops_dataset *test, size_t f,
                        cv_result *res)
{
    mlops_model *m = NULL;
    mlops_report *r = NULL;
    int rc = mlops__model_clone_config(tmpl, &m);
    if (rc == MLOPS_OK) rc = mlops_model_fit(m, train);
    if (rc == MLOPS_OK) rc = mlops__eval_model(sub, m, test, &r);
    if (rc == MLOPS_OK && f == 0) {
        for (size_t i = 0; i < r->nvalues; i++) res->nnames += r->values[i].section == SEC_METRIC;
        res->names = mlops__calloc(res->nnames ? res->nnames : 1, sizeof *res->names, "cv");
        res->vals = mlops__malloc_array(res->folds * (res->nnames ? res->nnames : 1),
                                        sizeof *res->vals, "cv values");
        if (res->names == NULL || res->vals == NULL) rc = MLOPS_ENOMEM;
        size_t j = 0;
        for (size_t i = 0; rc == MLOPS_OK && i < r->nvalues; i++)
            if (r->values[i].section == SEC_METRIC &&
                (res->names[j++] = mlops__strdup(r->values[i].name, "cv name")) == NULL)
                rc = MLOPS_ENOMEM;
    }
    for (size_t j = 0; rc == MLOPS_OK && j < res->nnames; j++) {
        const mlops__rvalue *v = mlops__report_find(r, res->names[j]);
        res->vals[f * res->nnames + j] = v != NULL ? v->v : NAN;
    }
    mlops_report_free(r);
    mlops_model_free(m);
    return rc;
}

static int cv_core(const mlops_evaluator *ev, const mlops_model *tmpl, const mlops_dataset *data,
                   cv_result *res)
{
    const char *target = NULL;
    int rc = target_column(data, &target);
    if (rc != MLOPS_OK) return rc;
    size_t n = mlops_dataset_rows(data), k = ev->cv_folds;
    bool classify = strcmp(mlops_model_kind(tmpl), "logistic_regression") == 0;
    bool stratify = ev->cv_stratify < 0 ? classify : ev->cv_stratify == 1;
    uint32_t *fold = mlops__malloc_array(n ? n : 1, sizeof *fold, "folds");
    if (fold == NULL) return MLOPS_ENOMEM;
    rc = mlops_split_kfold(data, k, ev->cv_shuffle ? MLOPS_SPLIT_SHUFFLE : 0, ev->seed,
                           stratify ? target : NULL, fold, n);
    mlops_evaluator sub = *ev;
    sub.bootstrap = 0;
    sub.nprobes = 0;
    sub.ngates = 0;
    sub.no_groups = true;
    res->folds = k;
    for (size_t f = 0; rc == MLOPS_OK && f < k; f++) {
        mlops_dataset *train = NULL, *test = NULL;
        rc = mlops_split_fold(data, fold, n, (uint32_t)f, &train, &test);
        if (rc == MLOPS_OK) rc = fold_metrics(&sub, tmpl, train, test, f, res);
        mlops_dataset_free(train);
        mlops_dataset_free(test);
    }
    mlops__free(fold);
    return rc;
}

static void summary(const cv_result *c, size_t j, double *mean, double *sd)
{
    double s = 0, ss = 0;
    for (size_t f = 0; f < c->folds; f++) s += c->vals[f * c->nnames + j];
    *mean = s / (double)c->folds;
    for (size_t f = 0; f < c->folds; f++) {
        double d = c->vals[f * c->nnames + j] - *mean;
        ss += d * d;
    }
    *sd = sqrt(ss / (double)c->folds);
}

static void put_summary(mlops_report *r, const cv_result *c, const char *g1)
{
    for (size_t j = 0; j < c->nnames; j++) {
        double mean, sd;
        char leaf[160];
        summary(c, j, &mean, &sd);
        snprintf(leaf, sizeof leaf, "%s.mean", c->names[j]);
        mlops__report_put(r, SEC_CV, g1, NULL, leaf, mean);
        snprintf(leaf, sizeof leaf, "%s.std", c->names[j]);
        mlops__report_put(r, SEC_CV, g1, NULL, leaf, sd);
    }
}

static int check_inputs(const char *func, const mlops_evaluator *ev, const mlops_model *model,
                        const mlops_dataset *data, mlops_report **out)
{
    MLOPS_CHECK_ARG(out != NULL, func, "NULL out");
    *out = NULL;
    MLOPS_CHECK_ARG(ev != NULL, func, "NULL evaluator");
    MLOPS_CHECK_ARG(model != NULL, func, "NULL model");
    MLOPS_CHECK_ARG(data != NULL, func, "NULL data");
    if (ev->cv_folds > mlops_dataset_rows(data))
        return mlops__fail(MLOPS_EINVAL, "%s: cv_folds %zu exceeds the %zu rows", func,
                           ev->cv_folds, mlops_dataset_rows(data));
    return MLOPS_OK;
}

static int task_of(const mlops_model *model)
{
    return strcmp(mlops_model_kind(model), "logistic_regression") == 0 ? MLOPS__TASK_CLASS
                                                                        : MLOPS__TASK_REGR;
}

MLOPS_API int mlops_evaluator_cross_validate(const mlops_evaluator *ev, const mlops_model *model,
                                             const mlops_dataset *data, mlops_report **out)
{
    static const char func[] = "mlops_evaluator_cross_validate";
    int rc = check_inputs(func, ev, model, data, out);
    if (rc != MLOPS_OK) return rc;
    cv_result c;
    memset(&c, 0, sizeof c);
    mlops_report *r = NULL;
    rc = cv_core(ev, model, data, &c);
    if (rc == MLOPS_OK) rc = mlops__report_new(&r, task_of(model));
    for (size_t f = 0; rc == MLOPS_OK && f < c.folds; f++) {
        char g1[32];
        snprintf(g1, sizeof g1, "fold_%zu", f);
        for (size_t j = 0; j < c.nnames; j++)
            mlops__report_put(r, SEC_CV, g1, NULL, c.names[j], c.vals[f * c.nnames + j]);
    }
    if (rc == MLOPS_OK) {
        put_summary(r, &c, NULL);
        rc = r->status;
    }
    if (rc == MLOPS_OK) rc = mlops__report_check_gates(r, ev);
    cv_clear(&c);
    if (rc != MLOPS_OK) {
        mlops_report_free(r);
        return rc;
    }
    *out = r;
    return MLOPS_OK;
}

/* ---- Grid search ---------------------------------------------------------- */

typedef struct grid_axis {
    char key[64];
    char **values;
    size_t n;
} grid_axis;

static void axes_clear(grid_axis *a, size_t n)
{
    for (size_t i = 0; a != NULL && i < n; i++) {
        for (size_t j = 0; j < a[i].n; j++) mlops__free(a[i].values[j]);
        mlops__free(a[i].values);
    }
    mlops__free(a);
}

static int parse_grid(const char *func, const char *grid, grid_axis **out, size_t *naxes)
{
    size_t cap = 1;
    for (const char *p = grid; *p; p++) cap += *p == ';';
    grid_axis *a = mlops__calloc(cap, sizeof *a, "grid");
    if (a == NULL) return MLOPS_ENOMEM;
    size_t n = 0;
    const char *p = grid;
    int rc = MLOPS_OK;
    while (rc == MLOPS_OK && *p != '\0') {
        size_t len = strcspn(p, ";");
        const char *eq = memchr(p, '=', len);
        if (eq == NULL || eq == p || (size_t)(eq - p) >= sizeof a[n].key || eq + 1 == p + len) {
            rc = mlops__fail(MLOPS_EINVAL, "%s: grid '%s': '%.*s' is not key=v1,v2,...", func,
                             grid, (int)len, p);
            break;
        }
        grid_axis *ax = &a[n++];
        memcpy(ax->key, p, (size_t)(eq - p));
        ax->key[eq - p] = '\0';
        size_t vcap = 1;
        for (const char *q = eq + 1; q < p + len; q++) vcap += *q == ',';
        ax->values = mlops__calloc(vcap, sizeof *ax->values, "grid values");
        if (ax->values == NULL) {
            rc = MLOPS_ENOMEM;
            break;
        }
        const char *q = eq + 1;
        while (q <= p + len && rc == MLOPS_OK) {
            size_t vl = strcspn(q, ",;");
            if (q + vl > p + len) vl = (size_t)(p + len - q);
            if (vl == 0) {
                rc = mlops__fail(MLOPS_EINVAL, "%s: grid '%s': empty value for '%s'", func, grid,
                                 ax->key);
                break;
            }
            char *v = mlops__malloc(vl + 1, "grid value");
            if (v == NULL) {
                rc = MLOPS_ENOMEM;
                break;
            }
            memcpy(v, q, vl);
            v[vl] = '\0';
            ax->values[ax->n++] = v;
            q += vl + 1;
        }
        p += len;
        if (*p == ';') p++;
    }
    if (rc == MLOPS_OK && n == 0) rc = mlops__fail(MLOPS_EINVAL, "%s: empty grid", func);
    if (rc != MLOPS_OK) {
        axes_clear(a, n);
        return rc;
    }
    *out = a;
    *naxes = n;
    return MLOPS_OK;
}

/* The model of candidate `idx`: axis values picked by mixed radix. */
static int candidate(const mlops_model *tmpl, const grid_axis *a, size_t naxes, size_t idx,
                     mlops_model **out)
{
    int rc = mlops__model_clone_config(tmpl, out);
    for (size_t i = naxes; rc == MLOPS_OK && i-- > 0;) {
        const char *v = a[i].values[idx % a[i].n];
        idx /= a[i].n;
        rc = mlops_model_set_param(*out, a[i].key, v);
    }
    if (rc != MLOPS_OK) {
        mlops_model_free(*out);
        *out = NULL;
    }
    return rc;
}

static int grid_json(const grid_axis *a, size_t naxes, size_t combos, char **out)
{
    mlops__json j;
    mlops__json_init(&j, false);
    mlops__json_begin_array(&j);
    for (size_t c = 0; c < combos; c++) {
        size_t idx = c;
        const char *pick[64];
        for (size_t i = naxes; i-- > 0;) {
            pick[i] = a[i].values[idx % a[i].n];
            idx /= a[i].n;
        }
        mlops__json_begin_object(&j);
        for (size_t i = 0; i < naxes; i++) {
            mlops__json_key(&j, a[i].key);
            mlops__json_string(&j, pick[i]);
        }
        mlops__json_end_object(&j);
    }
    mlops__json_end_array(&j);
    size_t len;
    return mlops__json_finish(&j, out, &len);
}

MLOPS_API int mlops_evaluator_grid_search(const mlops_evaluator *ev, const mlops_model *model,
                                          const mlops_dataset *data, const char *grid,
                                          mlops_model **best, mlops_report **out)
{
    static const char func[] = "mlops_evaluator_grid_search";
    MLOPS_CHECK_ARG(best != NULL, func, "NULL best");
    *best = NULL;
    int rc = check_inputs(func, ev, model, data, out);
    if (rc != MLOPS_OK) return rc;
    MLOPS_CHECK_ARG(grid != NULL, func, "NULL grid");
    grid_axis *a = NULL;
    size_t naxes = 0, combos = 1;
    rc = parse_grid(func, grid, &a, &naxes);
    if (rc != MLOPS_OK) return rc;
    for (size_t i = 0; i < naxes; i++) {
        combos *= a[i].n;
        if (combos > 10000 || naxes > 64) {
            axes_clear(a, naxes);
            return mlops__fail(MLOPS_EINVAL, "%s: grid '%s' has more than 10000 combinations",
                               func, grid);
        }
    }
    /* every value must be a valid setting before any fitting starts */
    for (size_t i = 0; rc == MLOPS_OK && i < naxes; i++)
        for (size_t v = 0; rc == MLOPS_OK && v < a[i].n; v++) {
            mlops_model *m = NULL;
            rc = mlops__model_clone_config(model, &m);
            if (rc == MLOPS_OK) rc = mlops_model_set_param(m, a[i].key, a[i].values[v]);
            mlops_model_free(m);
        }
    int task = task_of(model), primary = mlops__primary_metric(ev, task);
    bool lower = (mlops__metric_defs[primary].flags & MD_LOWER) != 0;
    const char *pname = mlops__metric_defs[primary].name;
    mlops_report *r = NULL;
    if (rc == MLOPS_OK) rc = mlops__report_new(&r, task);
    size_t best_i = SIZE_MAX;
    double best_v = NAN;
    cv_result best_cv;
    memset(&best_cv, 0, sizeof best_cv);
    for (size_t c = 0; rc == MLOPS_OK && c < combos; c++) {
        mlops_model *m = NULL;
        cv_result cv;
        memset(&cv, 0, sizeof cv);
        rc = candidate(model, a, naxes, c, &m);
        if (rc == MLOPS_OK) rc = cv_core(ev, m, data, &cv);
        mlops_model_free(m);
        if (rc == MLOPS_OK) {
            char g1[32];
            snprintf(g1, sizeof g1, "candidate_%zu", c);
            put_summary(r, &cv, g1);
            double mean = NAN, sd;
            for (size_t j = 0; j < cv.nnames; j++)
                if (strcmp(cv.names[j], pname) == 0) summary(&cv, j, &mean, &sd);
            if (!isnan(mean) && (best_i == SIZE_MAX || (lower ? mean < best_v : mean > best_v))) {
                best_i = c;
                best_v = mean;
                cv_clear(&best_cv);
                best_cv = cv;
                memset(&cv, 0, sizeof cv);
            }
        }
        cv_clear(&cv);
    }
    if (rc == MLOPS_OK && best_i == SIZE_MAX)
        rc = mlops__fail(MLOPS_EINVAL, "%s: %s is undefined for every candidate", func, pname);
    if (rc == MLOPS_OK) {
        mlops__report_put(r, SEC_CV, NULL, NULL, "best_index", (double)best_i);
        put_summary(r, &best_cv, NULL);
        rc = grid_json(a, naxes, combos, &r->grid_json);
    }
    if (rc == MLOPS_OK) rc = candidate(model, a, naxes, best_i, best);
    if (rc == MLOPS_OK) rc = mlops_model_fit(*best, data);
    if (rc == MLOPS_OK) rc = r->status;
    if (rc == MLOPS_OK) rc = mlops__report_check_gates(r, ev);
    cv_clear(&best_cv);
    axes_clear(a, naxes);
    if (rc != MLOPS_OK) {
        mlops_model_free(*best);
        *best = NULL;
        mlops_report_free(r);
        return rc;
    }
    *out = r;
    return MLOPS_OK;
}
