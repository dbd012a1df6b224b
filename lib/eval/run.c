/* Running an evaluation: turning a model and a dataset, or plain arrays,
 * into a prepared sample, then computing the overall figures, the groups,
 * the intervals and the probes, and checking the gates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "core/sort.h"
#include "eval/eval_impl.h"

void mlops__compute_metrics(const mlops__eval_data *d, const double *wt, double *out,
                            double *scratch, mlops__why *why)
{
    for (int m = 0; m < M__COUNT; m++) out[m] = NAN;
    if (d->task == MLOPS__TASK_CLASS)
        mlops__class_metrics(d, wt, out, scratch, why);
    else
        mlops__regr_metrics(d, wt, out, why);
}

double *mlops__metric_scratch(const mlops__eval_data *d)
{
    size_t n;
    if (!mlops__mul_size(d->k, d->k, &n) || n > SIZE_MAX - 4 * d->k - 2 * d->nbins - 1) {
        mlops__fail(MLOPS_ENOMEM, "evaluation: %zu classes are too many", d->k);
        return NULL;
    }
    return mlops__malloc_array(n + 4 * d->k + 2 * d->nbins + 1, sizeof(double),
                               "evaluation scratch");
}

int mlops__primary_metric(const mlops_evaluator *ev, int task)
{
    if (ev->primary >= 0) return ev->primary;
    return task == MLOPS__TASK_REGR ? M_R2 : M_ACCURACY;
}

bool mlops__metric_wanted(const mlops_evaluator *ev, const mlops__eval_data *d, int m)
{
    return ev->want[m] && mlops__metric_applies(d, m);
}

int mlops__eval_overall(const mlops_evaluator *ev, const mlops__eval_data *d, mlops_report *r)
{
    (void)ev; /* every applicable metric is reported overall */
    r->rows = d->n;
    double out[M__COUNT];
    mlops__why why = {0};
    double *scratch = mlops__metric_scratch(d);
    if (scratch == NULL) return MLOPS_ENOMEM;
    mlops__compute_metrics(d, d->w, out, scratch, &why);
    for (int m = 0; m < M__COUNT; m++) {
        if (!mlops__metric_applies(d, m)) continue;
        mlops__report_put(r, SEC_METRIC, NULL, NULL, mlops__metric_defs[m].name, out[m]);
        if (isnan(out[m]))
            mlops__report_note(r, "%s is undefined: %s", mlops__metric_defs[m].name,
                               why[m] ? why[m] : "not computable on these rows");
    }
    if (d->task == MLOPS__TASK_CLASS) {
        size_t k = d->k;
        double *conf = scratch, *prec = conf + k * k, *rec = prec + k, *f1 = rec + k,
               *sup = f1 + k;
        mlops__per_class(d, d->w, prec, rec, f1, sup, conf);
        r->labels = mlops__calloc(k, sizeof *r->labels, "report labels");
        r->confusion = mlops__malloc_array(k * k, sizeof *r->confusion, "confusion matrix");
        if (r->labels == NULL || r->confusion == NULL) {
            mlops__free(scratch);
            return r->status = MLOPS_ENOMEM;
        }
        r->k = k;
        memcpy(r->confusion, conf, k * k * sizeof *conf);
        for (size_t c = 0; c < k; c++) {
            r->labels[c] = mlops__strdup(d->labels[c], "report label");
            if (r->labels[c] == NULL) r->status = MLOPS_ENOMEM;
            const char *l = d->labels[c];
            mlops__report_put(r, SEC_PER_CLASS, l, NULL, "precision", prec[c]);
            mlops__report_put(r, SEC_PER_CLASS, l, NULL, "recall", rec[c]);
            mlops__report_put(r, SEC_PER_CLASS, l, NULL, "f1", f1[c]);
            mlops__report_put(r, SEC_PER_CLASS, l, NULL, "support", sup[c]);
            if (isnan(prec[c]))
                mlops__report_note(r, "precision.%s is undefined: no row is predicted '%s'", l,
                                   l);
            if (isnan(rec[c]))
                mlops__report_note(r, "recall.%s is undefined: no true row is '%s'", l, l);
            if (isnan(f1[c]))
                mlops__report_note(r, "f1.%s is undefined: '%s' is neither true nor predicted",
                                   l, l);
        }
        if (mlops__rank_curves(d, r) == MLOPS_OK) mlops__calibration_curve(d, r);
    } else {
        mlops__regression_curve(d, r);
    }
    mlops__free(scratch);
    return r->status;
}

/* ---- Building the sample from arrays ------------------------------------ */

static int class_index(const double *values, size_t k, double v)
{
    size_t at = mlops__lower_bound(values, k, v);
    return at < k && values[at] == v ? (int)at : -1;
}

static int check_finite(const char *func, const char *what, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return mlops__fail(MLOPS_EINVAL, "%s: %s[%zu] is %s", func, what, i,
                               isnan(v[i]) ? "NaN" : "infinite");
    return MLOPS_OK;
}

static int find_pos(const mlops_evaluator *ev, mlops__eval_data *d, const char *func)
{
    const char *want = ev->text[EV_TEXT_POS_LABEL];
    d->pos = d->k == 2 ? 1 : -1;
    if (want == NULL) return MLOPS_OK;
    for (size_t c = 0; c < d->k; c++)
        if (strcmp(d->labels[c], want) == 0) {
            d->pos = (int)c;
            return MLOPS_OK;
        }
    return mlops__fail(MLOPS_EINVAL, "%s: pos_label '%s' is not one of the %zu classes", func,
                       want, d->k);
}

/* Predicted classes from probabilities: argmax (first on ties, as numpy),
 * or the threshold rule for binary problems. */
static void predict_from_scores(const mlops_evaluator *ev, mlops__eval_data *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const double *p = d->proba + i * d->k;
        if (d->k == 2 && !isnan(ev->threshold)) {
            d->pred[i] = p[d->pos] >= ev->threshold ? d->pos : 1 - d->pos;
            continue;
        }
        d->pred[i] = (int32_t)mlops__argmax(p, d->k);
    }
}

static int weights_from(const char *func, mlops__eval_data *d, const double *weights)
{
    d->w = mlops__malloc_array(d->n, sizeof *d->w, "evaluation weights");
    if (d->w == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < d->n; i++) {
        double w = weights != NULL ? weights[i] : 1.0;
        if (!isfinite(w) || w < 0)
            return mlops__fail(MLOPS_EINVAL, "%s: weight of row %zu is %g (weights must be "
                               "finite and >= 0)", func, i, w);
        d->w[i] = w;
    }
    return MLOPS_OK;
}

static int arrays_classification(const mlops_evaluator *ev, mlops__eval_data *d,
                                 const double *y_true, const double *y_pred,
                                 const double *scores, size_t score_cols)
{
    static const char func[] = "mlops_evaluator_run_arrays";
    size_t n = d->n;
    double *vals = mlops__malloc_array(n, 2 * sizeof *vals, "class values");
    if (vals == NULL) return MLOPS_ENOMEM;
    memcpy(vals, y_true, n * sizeof *vals);
    size_t m = n;
    if (y_pred != NULL) {
        memcpy(vals + n, y_pred, n * sizeof *vals);
        m = 2 * n;
    }
    size_t k = mlops__sort_unique(vals, m);
    if (k > MLOPS__MAX_CLASSES) {
        mlops__free(vals);
        return mlops__fail(MLOPS_EINVAL,
                           "%s: y_true and y_pred hold %zu distinct labels, more than the %d "
                           "classes an evaluation allows (continuous values call for "
                           "task=regression)",
                           func, k, MLOPS__MAX_CLASSES);
    }
    d->k = k;
    d->labels = mlops__calloc(k, sizeof *d->labels, "class labels");
    d->y = mlops__malloc_array(n, sizeof *d->y, "true classes");
    d->pred = mlops__malloc_array(n, sizeof *d->pred, "predicted classes");
    int rc = d->labels && d->y && d->pred ? MLOPS_OK : MLOPS_ENOMEM;
    for (size_t c = 0; rc == MLOPS_OK && c < k; c++) {
        char text[MLOPS_DOUBLE_BUFSIZE];
        mlops__format_double(vals[c], text);
        if ((d->labels[c] = mlops__strdup(text, "class label")) == NULL) rc = MLOPS_ENOMEM;
    }
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++) {
        d->y[i] = class_index(vals, k, y_true[i]);
        d->pred[i] = y_pred != NULL ? class_index(vals, k, y_pred[i]) : 0;
    }
    mlops__free(vals);
    if (rc == MLOPS_OK) rc = find_pos(ev, d, func);
    if (rc != MLOPS_OK || scores == NULL) return rc;
    if (k < 2)
        return mlops__fail(MLOPS_EINVAL,
                           "%s: scores need two or more classes, but y_true%s holds only '%s' "
                           "(give y_pred, or evaluate without scores)",
                           func, y_pred != NULL ? " and y_pred" : "", d->labels[0]);
    if (!(score_cols == k || (score_cols == 1 && k == 2)))
        return mlops__fail(MLOPS_EINVAL,
                           "%s: scores have %zu columns but there are %zu classes (give one "
                           "column per class, or one for the positive class when binary)",
                           func, score_cols, k);
    size_t total;
    if (!mlops__mul_size(n, k, &total)) return mlops__fail(MLOPS_ENOMEM, "%s: too large", func);
    d->proba = mlops__malloc_array(total, sizeof *d->proba, "scores");
    if (d->proba == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < score_cols; c++) {
            double p = scores[i * score_cols + c];
            if (!(p >= 0 && p <= 1))
                return mlops__fail(MLOPS_EINVAL, "%s: scores[%zu][%zu] = %g is not a "
                                   "probability in [0, 1]", func, i, c, p);
            if (score_cols == 1) {
                d->proba[i * 2 + 1] = p;
                d->proba[i * 2] = 1 - p;
            } else {
                d->proba[i * k + c] = p;
            }
        }
    if (y_pred == NULL || (k == 2 && !isnan(ev->threshold))) predict_from_scores(ev, d);
    return MLOPS_OK;
}

static int resolve_groups(const mlops_evaluator *ev, const mlops_dataset *groups,
                          const char *func)
{
    if (ev->text[EV_TEXT_GROUP] != NULL && groups == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: group is set to '%s' but no group data was given",
                           func, ev->text[EV_TEXT_GROUP]);
    return MLOPS_OK;
}

int mlops__eval_all(const mlops_evaluator *ev, const mlops__eval_data *d,
                    const mlops_dataset *groups, mlops_report *r)
{
    int rc = mlops__eval_overall(ev, d, r);
    if (rc == MLOPS_OK && groups != NULL) rc = mlops__eval_groups(ev, d, groups, r);
    if (rc == MLOPS_OK && ev->bootstrap > 0) rc = mlops__eval_bootstrap(ev, d, r);
    return rc != MLOPS_OK ? rc : r->status;
}

MLOPS_API int mlops_evaluator_run_arrays(const mlops_evaluator *ev, size_t rows,
                                         const double *y_true, const double *y_pred,
                                         const double *scores, size_t score_cols,
                                         const double *weights, const mlops_dataset *groups,
                                         mlops_report **out)
{
    static const char func[] = "mlops_evaluator_run_arrays";
    MLOPS_CHECK_ARG(ev != NULL, func, "NULL evaluator");
    MLOPS_CHECK_ARG(out != NULL, func, "NULL out");
    *out = NULL;
    MLOPS_CHECK_ARG(y_true != NULL, func, "NULL y_true");
    if (rows == 0) return mlops__fail(MLOPS_EINVAL, "%s: no rows", func);
    if (rows > UINT32_MAX)
        return mlops__fail(MLOPS_EINVAL, "%s: %zu rows exceed the limit of %u", func, rows,
                           (unsigned)UINT32_MAX);
    if (ev->task == MLOPS__TASK_AUTO)
        return mlops__fail(MLOPS_EINVAL,
                           "%s: set task to classification or regression for array input",
                           func);
    if (groups != NULL && mlops_dataset_rows(groups) != rows)
        return mlops__fail(MLOPS_EINVAL, "%s: the group data has %zu rows, the arrays %zu",
                           func, mlops_dataset_rows(groups), rows);
    int rc = resolve_groups(ev, groups, func);
    if (rc == MLOPS_OK) rc = check_finite(func, "y_true", y_true, rows);
    if (rc == MLOPS_OK && y_pred != NULL) rc = check_finite(func, "y_pred", y_pred, rows);
    if (rc != MLOPS_OK) return rc;
    if (ev->task == MLOPS__TASK_REGR && y_pred == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: regression needs y_pred", func);
    if (ev->task == MLOPS__TASK_CLASS && y_pred == NULL && scores == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: give y_pred or scores", func);
    mlops__eval_data d;
    memset(&d, 0, sizeof d);
    d.task = ev->task;
    d.n = rows;
    d.pos = -1;
    if (ev->task == MLOPS__TASK_REGR) {
        d.yv = mlops__malloc_array(rows, sizeof *d.yv, "true values");
        d.pv = mlops__malloc_array(rows, sizeof *d.pv, "predicted values");
        if (d.yv == NULL || d.pv == NULL) {
            rc = MLOPS_ENOMEM;
        } else {
            memcpy(d.yv, y_true, rows * sizeof *d.yv);
            memcpy(d.pv, y_pred, rows * sizeof *d.pv);
        }
    } else {
        rc = arrays_classification(ev, &d, y_true, y_pred, scores, score_cols);
    }
    if (rc == MLOPS_OK) rc = weights_from(func, &d, weights);
    if (rc == MLOPS_OK) rc = mlops__eval_prepare(&d, ev);
    mlops_report *r = NULL;
    if (rc == MLOPS_OK) rc = mlops__report_new(&r, d.task);
    if (rc == MLOPS_OK) {
        r->curve_points = ev->curve_points;
        rc = mlops__eval_all(ev, &d, groups, r);
    }
    if (rc == MLOPS_OK && ev->nprobes > 0)
        mlops__report_note(r, "robustness probes need a model: they were not run on arrays");
    if (rc == MLOPS_OK) rc = mlops__report_check_gates(r, ev);
    if (rc == MLOPS_OK) rc = r->status;
    mlops__eval_data_clear(&d);
    if (rc != MLOPS_OK) {
        mlops_report_free(r);
        return rc;
    }
    *out = r;
    return MLOPS_OK;
}
