/* Labels arriving after the predictions: the monitor keeps the model's
 * output for the last label_rows rows in a ring, so labels given later by
 * row number turn into per-window performance (accuracy, ROC AUC or mean
 * absolute error) compared with the reference performance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "data/dataset_impl.h"
#include "monitor/drift_impl.h"

struct mlops__label_store {
    size_t cap;
    uint64_t end;   /* rows recorded: [end - min(end, cap), end) are held */
    double *pred;   /* class index or value; NaN when not predicted */
    double *score;  /* positive-class probability (binary), else NaN */
    double *label;  /* NaN until the label arrives */
};

void mlops__label_store_free(mlops__label_store *s)
{
    if (s == NULL) return;
    mlops__free(s->pred);
    mlops__free(s->score);
    mlops__free(s->label);
    mlops__free(s);
}

static int store_create(mlops_drift_monitor *m)
{
    if (m->labels != NULL || m->label_rows == 0) return MLOPS_OK;
    mlops__label_store *s = mlops__calloc(1, sizeof *s, "label store");
    if (s == NULL) return MLOPS_ENOMEM;
    s->cap = m->label_rows;
    s->pred = mlops__malloc_array(s->cap, sizeof *s->pred, "stored predictions");
    s->score = mlops__malloc_array(s->cap, sizeof *s->score, "stored scores");
    s->label = mlops__malloc_array(s->cap, sizeof *s->label, "stored labels");
    if (s->pred == NULL || s->score == NULL || s->label == NULL) {
        mlops__label_store_free(s);
        return MLOPS_ENOMEM;
    }
    m->labels = s;
    return MLOPS_OK;
}

static bool held(const mlops__label_store *s, uint64_t row)
{
    return row < s->end && s->end - row <= s->cap;
}

int mlops__labels_record(mlops_drift_monitor *m, uint64_t first, const double *pred,
                         const double *score, size_t n)
{
    int rc = store_create(m);
    if (rc != MLOPS_OK || m->labels == NULL) return rc;
    mlops__label_store *s = m->labels;
    for (size_t i = 0; i < n; i++) {
        size_t slot = (size_t)((first + i) % s->cap);
        s->pred[slot] = pred ? pred[i] : NAN;
        s->score[slot] = score ? score[i] : NAN;
        s->label[slot] = NAN;
    }
    s->end = first + n;
    return MLOPS_OK;
}

typedef struct scored {
    double score;
    bool positive;
} scored;

static int cmp_scored(const void *a, const void *b)
{
    double x = ((const scored *)a)->score, y = ((const scored *)b)->score;
    return (x > y) - (x < y);
}

/* ROC AUC by the rank sum, ties sharing their average rank. NaN with one
 * class only. */
static double roc_auc(scored *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_scored);
    double pos = 0, rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].score == v[i].score) j++;
        double rank = (double)(i + 1 + j) / 2.0;
        for (size_t k = i; k < j; k++)
            if (v[k].positive) {
                pos++;
                rank_sum += rank;
            }
        i = j;
    }
    double neg = (double)n - pos;
    if (pos == 0 || neg == 0) return NAN;
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
}

void mlops__labels_performance(const mlops_drift_monitor *m, mlops_drift_report *r)
{
    const mlops__label_store *s = m->labels;
    r->labelled = 0;
    r->perf_value = NAN;
    r->perf_dropped = false;
    if (s == NULL || r->metric == NULL) return;
    bool auc = strcmp(r->metric, "roc_auc") == 0, mae = strcmp(r->metric, "mean_absolute_error") == 0;
    scored *pairs = NULL;
    if (auc && (pairs = mlops__malloc_array(r->rows ? r->rows : 1, sizeof *pairs, "auc pairs")) ==
                   NULL)
        return;
    double sum = 0;
    size_t n = 0;
    for (uint64_t row = r->first_row; row < r->first_row + r->rows; row++) {
        if (!held(s, row)) continue;
        size_t slot = (size_t)(row % s->cap);
        double y = s->label[slot], p = s->pred[slot];
        if (isnan(y) || isnan(p)) continue;
        if (auc) {
            if (isnan(s->score[slot])) continue;
            pairs[n] = (scored){s->score[slot], y == 1.0};
        } else {
            sum += mae ? fabs(p - y) : (double)(p == y);
        }
        n++;
    }
    r->labelled = n;
    if (n > 0) r->perf_value = auc ? roc_auc(pairs, n) : sum / (double)n;
    mlops__free(pairs);
    double ref = r->perf_reference, v = r->perf_value;
    if (!isnan(ref) && !isnan(v))
        r->perf_dropped = mae ? v >= ref * (1.0 + m->performance_drop)
                              : v <= ref - m->performance_drop;
}

/* The class index of a label, or -1. */
static double class_index(const mlops_model *model, const char *label)
{
    size_t k = mlops_model_class_count(model);
    for (size_t i = 0; i < k; i++)
        if (strcmp(mlops_model_class_label(model, i), label) == 0) return (double)i;
    return -1;
}

/* y[0..n) from rows 0..n-1 of label column `c`: the value for regression,
 * the class index for classification (a number is read as the shortest
 * decimal that gives it back, as class labels are written). Categories
 * are looked up once per dictionary entry, not per row. */
static int label_values(const mlops_drift_monitor *m, const mlops__column *c, size_t n, double *y)
{
    bool classifier = mlops_model_class_count(m->model) > 0;
    double *class_of = NULL;
    if (c->type == MLOPS_CATEGORICAL) {
        if (!classifier)
            return mlops__fail(MLOPS_EINVAL,
                               "mlops_drift_monitor_add_labels: label column '%s' is categorical "
                               "but the model is a regression",
                               c->name);
        size_t ncodes = mlops__dict_size(c->dict);
        class_of = mlops__malloc_array(ncodes ? ncodes : 1, sizeof *class_of, "label classes");
        if (class_of == NULL) return MLOPS_ENOMEM;
        for (size_t k = 0; k < ncodes; k++)
            class_of[k] = class_index(m->model, mlops__dict_string(c->dict, (int32_t)k));
    }
    int rc = MLOPS_OK;
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++) {
        if (c->type == MLOPS_CATEGORICAL) {
            y[i] = c->codes[i] < 0 ? NAN : class_of[c->codes[i]];
        } else if (!classifier || isnan(c->values[i])) {
            y[i] = c->values[i];
        } else if (isinf(c->values[i])) {
            y[i] = -1;
        } else {
            char text[MLOPS_DOUBLE_BUFSIZE];
            mlops__format_double(c->values[i], text);
            y[i] = class_index(m->model, text);
        }
        if (y[i] < 0)
            rc = mlops__fail(MLOPS_EINVAL,
                             "mlops_drift_monitor_add_labels: label row %zu of column '%s' is not "
                             "one of the model's classes",
                             i, c->name);
    }
    mlops__free(class_of);
    return rc;
}

MLOPS_API int mlops_drift_monitor_add_labels(mlops_drift_monitor *m, uint64_t first_row,
                                             const mlops_dataset *labels, const char *column,
                                             size_t n)
{
    static const char func[] = "mlops_drift_monitor_add_labels";
    if (m == NULL || labels == NULL || column == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (m->model == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: the monitor has no model (mlops_drift_monitor_set_model)",
                           func);
    if (n > labels->rows)
        return mlops__fail(MLOPS_EINVAL, "%s: %zu labels asked for, the data set has %zu rows",
                           func, n, labels->rows);
    if (first_row > m->rows_seen || n > m->rows_seen - first_row)
        return mlops__fail(MLOPS_EINVAL,
                           "%s: rows %llu..%llu were not added yet (%llu rows seen)", func,
                           (unsigned long long)first_row, (unsigned long long)(first_row + n),
                           (unsigned long long)m->rows_seen);
    size_t col;
    int rc = mlops_dataset_column_index(labels, column, &col);
    if (rc != MLOPS_OK) return rc;
    const mlops__column *c = &labels->cols[col];
    double *y = mlops__malloc_array(n ? n : 1, sizeof *y, "labels");
    if (y == NULL) return MLOPS_ENOMEM;
    rc = label_values(m, c, n, y);
    if (rc != MLOPS_OK) {
        mlops__free(y);
        return rc;
    }
    mlops__label_store *s = m->labels;
    for (size_t i = 0; i < n; i++) {
        uint64_t row = first_row + i;
        if (s == NULL || !held(s, row)) {
            m->labels_late++;
            continue;
        }
        s->label[row % s->cap] = y[i];
        m->labels_received++;
    }
    mlops__free(y);
    /* Closed windows holding those rows get their performance again. */
    for (size_t h = 0; h < m->hist_count; h++) {
        mlops_drift_report *r = m->history[(m->hist_head + h) % m->history_cap];
        if (r->first_row + r->rows <= first_row || r->first_row >= first_row + n) continue;
        bool was = r->perf_dropped;
        mlops__labels_performance(m, r);
        r->severity = mlops__drift_severity(r);
        if (r->perf_dropped && !was) mlops__drift_alert(m, r, "performance drop");
    }
    return MLOPS_OK;
}
