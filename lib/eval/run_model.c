/* Evaluating a fitted model on a labelled dataset: the model predicts, the
 * dataset's target (matched to the model's class labels), weight and group
 * columns supply the rest. Rows without a target are left out and counted
 * in a note rather than guessed. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "eval/eval_impl.h"

static int target_classes(const mlops_model *model, const mlops_dataset *data, size_t col,
                          mlops__eval_data *d)
{
    static const char func[] = "mlops_evaluator_run";
    size_t k = mlops_model_class_count(model), n = d->n;
    d->k = k;
    d->labels = mlops__calloc(k, sizeof *d->labels, "class labels");
    d->y = mlops__malloc_array(n, sizeof *d->y, "true classes");
    if (d->labels == NULL || d->y == NULL) return MLOPS_ENOMEM;
    for (size_t c = 0; c < k; c++)
        if ((d->labels[c] = mlops__strdup(mlops_model_class_label(model, c), "label")) == NULL)
            return MLOPS_ENOMEM;
    const char *name = mlops_dataset_column_name(data, col);
    if (mlops_dataset_column_type(data, col) == MLOPS_CATEGORICAL) {
        size_t nc = mlops_dataset_category_count(data, col);
        int32_t *map = mlops__malloc_array(nc ? nc : 1, sizeof *map, "label map");
        int32_t *codes = mlops__malloc_array(n, sizeof *codes, "target codes");
        int rc = map != NULL && codes != NULL ? MLOPS_OK : MLOPS_ENOMEM;
        for (size_t j = 0; rc == MLOPS_OK && j < nc; j++) {
            map[j] = -1;
            const char *s = mlops_dataset_category(data, col, (int32_t)j);
            for (size_t c = 0; c < k; c++)
                if (strcmp(s, d->labels[c]) == 0) map[j] = (int32_t)c;
        }
        if (rc == MLOPS_OK) rc = mlops_dataset_get_codes(data, col, 0, n, codes);
        for (size_t i = 0; rc == MLOPS_OK && i < n; i++) {
            d->y[i] = map[codes[i]];
            if (d->y[i] < 0)
                rc = mlops__fail(MLOPS_EINVAL,
                                 "%s: target '%s' row %zu: '%s' is not one of the model's %zu "
                                 "classes",
                                 func, name, i + 1, mlops_dataset_category(data, col, codes[i]),
                                 k);
        }
        mlops__free(map);
        mlops__free(codes);
        return rc;
    }
    const double *v;
    int rc = mlops_dataset_numeric_data(data, col, &v);
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++) {
        char text[MLOPS_DOUBLE_BUFSIZE];
        if (!isfinite(v[i]))
            return mlops__fail(MLOPS_EINVAL, "%s: target '%s' row %zu is not finite", func, name,
                               i + 1);
        mlops__format_double(v[i], text);
        d->y[i] = -1;
        for (size_t c = 0; c < k; c++)
            if (strcmp(text, d->labels[c]) == 0) d->y[i] = (int32_t)c;
        if (d->y[i] < 0)
            rc = mlops__fail(MLOPS_EINVAL,
                             "%s: target '%s' row %zu: %s is not one of the model's %zu classes",
                             func, name, i + 1, text, k);
    }
    return rc;
}

static int weights_of(const mlops_dataset *data, mlops__eval_data *d)
{
    d->w = mlops__malloc_array(d->n, sizeof *d->w, "evaluation weights");
    if (d->w == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < d->n; i++) d->w[i] = 1;
    for (size_t c = 0; c < mlops_dataset_cols(data); c++) {
        if (mlops_dataset_column_role(data, c) != MLOPS_ROLE_WEIGHT) continue;
        const char *name = mlops_dataset_column_name(data, c);
        const double *v;
        if (mlops_dataset_numeric_data(data, c, &v) != MLOPS_OK)
            return mlops__fail(MLOPS_EINVAL, "mlops_evaluator_run: weight column '%s' is not "
                               "numeric", name);
        for (size_t i = 0; i < d->n; i++) {
            if (!isfinite(v[i]) || v[i] < 0)
                return mlops__fail(MLOPS_EINVAL, "mlops_evaluator_run: weight column '%s' row "
                                   "%zu is %g (weights must be finite and >= 0)", name, i + 1,
                                   v[i]);
            d->w[i] = v[i];
        }
        break;
    }
    return MLOPS_OK;
}

int mlops__eval_from_model(const mlops_evaluator *ev, const mlops_model *model,
                           const mlops_dataset *data, mlops__eval_data *d)
{
    static const char func[] = "mlops_evaluator_run";
    size_t k = mlops_model_class_count(model), n = mlops_dataset_rows(data), col;
    int task = k > 0 ? MLOPS__TASK_CLASS : MLOPS__TASK_REGR;
    if (ev->task != MLOPS__TASK_AUTO && ev->task != task)
        return mlops__fail(MLOPS_EINVAL, "%s: task is %s but the model is a %s model", func,
                           ev->task == MLOPS__TASK_CLASS ? "classification" : "regression",
                           task == MLOPS__TASK_CLASS ? "classification" : "regression");
    const char *target = mlops_model_target_name(model);
    int rc = mlops_dataset_column_index(data, target, &col);
    if (rc != MLOPS_OK)
        return mlops__fail(MLOPS_ENOTFOUND, "%s: the data has no target column '%s'", func,
                           target);
    d->task = task;
    d->n = n;
    d->pos = -1;
    if (task == MLOPS__TASK_CLASS) {
        rc = target_classes(model, data, col, d);
        if (rc == MLOPS_OK) {
            const char *want = ev->text[EV_TEXT_POS_LABEL];
            d->pos = k == 2 ? 1 : -1;
            if (want != NULL) {
                d->pos = -2;
                for (size_t c = 0; c < k; c++)
                    if (strcmp(d->labels[c], want) == 0) d->pos = (int)c;
                if (d->pos == -2)
                    rc = mlops__fail(MLOPS_EINVAL, "%s: pos_label '%s' is not a class of the "
                                     "model", func, want);
            }
        }
        size_t total;
        if (rc == MLOPS_OK && !mlops__mul_size(n, k, &total))
            rc = mlops__fail(MLOPS_ENOMEM, "%s: too many rows x classes", func);
        if (rc == MLOPS_OK) {
            d->proba = mlops__malloc_array(total, sizeof *d->proba, "probabilities");
            double *pv = mlops__malloc_array(n, sizeof *pv, "predictions");
            d->pred = mlops__malloc_array(n, sizeof *d->pred, "predicted classes");
            rc = d->proba && pv && d->pred ? MLOPS_OK : MLOPS_ENOMEM;
            if (rc == MLOPS_OK)
                rc = mlops_model_predict(model, data, MLOPS_PREDICT_PROBA, d->proba, total);
            if (rc == MLOPS_OK) rc = mlops_model_predict(model, data, MLOPS_PREDICT_VALUE, pv, n);
            for (size_t i = 0; rc == MLOPS_OK && i < n; i++) {
                d->pred[i] = (int32_t)pv[i];
                if (k == 2 && !isnan(ev->threshold))
                    d->pred[i] = d->proba[i * 2 + (size_t)d->pos] >= ev->threshold
                                     ? d->pos
                                     : 1 - d->pos;
            }
            mlops__free(pv);
        }
    } else {
        d->yv = mlops__malloc_array(n, sizeof *d->yv, "true values");
        d->pv = mlops__malloc_array(n, sizeof *d->pv, "predicted values");
        rc = d->yv && d->pv ? MLOPS_OK : MLOPS_ENOMEM;
        if (rc == MLOPS_OK) rc = mlops_dataset_get_numeric(data, col, 0, n, d->yv);
        if (rc != MLOPS_OK && rc != MLOPS_ENOMEM)
            rc = mlops__fail(MLOPS_EINVAL, "%s: regression target '%s' is not numeric", func,
                             target);
        for (size_t i = 0; rc == MLOPS_OK && i < n; i++)
            if (!isfinite(d->yv[i]))
                rc = mlops__fail(MLOPS_EINVAL, "%s: target '%s' row %zu is not finite", func,
                                 target, i + 1);
        if (rc == MLOPS_OK) rc = mlops_model_predict(model, data, MLOPS_PREDICT_VALUE, d->pv, n);
    }
    if (rc == MLOPS_OK) rc = weights_of(data, d);
    return rc;
}

/* The rows whose target is present, as a new dataset (NULL when all are). */
static int drop_missing_target(const mlops_model *model, const mlops_dataset *data,
                               mlops_dataset **kept, size_t *dropped)
{
    size_t col, n = mlops_dataset_rows(data);
    *kept = NULL;
    *dropped = 0;
    if (mlops_dataset_column_index(data, mlops_model_target_name(model), &col) != MLOPS_OK)
        return mlops__fail(MLOPS_ENOTFOUND, "mlops_evaluator_run: the data has no target "
                           "column '%s'", mlops_model_target_name(model));
    size_t missing = mlops_dataset_missing_count(data, col);
    if (missing == 0) return MLOPS_OK;
    if (missing == n)
        return mlops__fail(MLOPS_EINVAL, "mlops_evaluator_run: every target value of '%s' is "
                           "missing", mlops_model_target_name(model));
    uint8_t *mask = mlops__malloc(n, "row mask");
    if (mask == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < n; i++) mask[i] = mlops_dataset_is_missing(data, col, i) == 0;
    int rc = mlops_dataset_filter_rows(kept, data, mask);
    mlops__free(mask);
    *dropped = missing;
    return rc;
}

static bool has_group_columns(const mlops_evaluator *ev, const mlops_dataset *data)
{
    if (ev->no_groups) return false;
    if (ev->text[EV_TEXT_GROUP] != NULL) return true;
    for (size_t c = 0; c < mlops_dataset_cols(data); c++)
        if (mlops_dataset_column_role(data, c) == MLOPS_ROLE_GROUP) return true;
    return false;
}

int mlops__eval_model(const mlops_evaluator *ev, const mlops_model *model,
                      const mlops_dataset *data, mlops_report **out)
{
    mlops_dataset *kept = NULL;
    size_t dropped = 0;
    int rc = drop_missing_target(model, data, &kept, &dropped);
    if (rc != MLOPS_OK) return rc;
    const mlops_dataset *use = kept != NULL ? kept : data;
    mlops__eval_data d;
    memset(&d, 0, sizeof d);
    mlops_report *r = NULL;
    rc = mlops__eval_from_model(ev, model, use, &d);
    if (rc == MLOPS_OK) rc = mlops__eval_prepare(&d, ev);
    if (rc == MLOPS_OK) rc = mlops__report_new(&r, d.task);
    if (rc == MLOPS_OK) {
        r->curve_points = ev->curve_points;
        if (dropped > 0)
            mlops__report_note(r, "%zu rows with a missing target '%s' were left out", dropped,
                               mlops_model_target_name(model));
        rc = mlops__eval_all(ev, &d, has_group_columns(ev, use) ? use : NULL, r);
    }
    if (rc == MLOPS_OK && ev->nprobes > 0) rc = mlops__eval_probes(ev, &d, model, use, r);
    mlops__eval_data_clear(&d);
    mlops_dataset_free(kept);
    if (rc != MLOPS_OK) {
        mlops_report_free(r);
        return rc;
    }
    *out = r;
    return MLOPS_OK;
}

MLOPS_API int mlops_evaluator_run(const mlops_evaluator *ev, const mlops_model *model,
                                  const mlops_dataset *data, mlops_report **out)
{
    static const char func[] = "mlops_evaluator_run";
    MLOPS_CHECK_ARG(ev != NULL, func, "NULL evaluator");
    MLOPS_CHECK_ARG(model != NULL, func, "NULL model");
    MLOPS_CHECK_ARG(data != NULL, func, "NULL data");
    MLOPS_CHECK_ARG(out != NULL, func, "NULL out");
    *out = NULL;
    if (!mlops_model_is_fitted(model))
        return mlops__fail(MLOPS_ESTATE, "%s: the model is not fitted", func);
    if (mlops_dataset_rows(data) == 0) return mlops__fail(MLOPS_EINVAL, "%s: no rows", func);
    mlops_report *r = NULL;
    int rc = mlops__eval_model(ev, model, data, &r);
    if (rc == MLOPS_OK) rc = mlops__report_check_gates(r, ev);
    if (rc != MLOPS_OK) {
        mlops_report_free(r);
        return rc;
    }
    *out = r;
    return MLOPS_OK;
}
