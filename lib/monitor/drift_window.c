/* Feeding a drift monitor: batches are checked against the reference's
 * columns, predicted when a model is attached, cut into tumbling windows by
 * row count or time, and every closed window is compared, kept in the
 * bounded history and passed to the alert callback. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset_impl.h"
#include "data/split_iso8601.h"
#include "monitor/drift_impl.h"

const double mlops__latency_bounds[16] = {1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
                                          5e-3, 1e-2, 2.5e-2, 5e-2, 0.1,  0.25,   1.0,  INFINITY};

#define PREDICTION_COLUMN "prediction"

static int open_window(mlops_drift_monitor *m, double start, double end)
{
    mlops_profile *p;
    int rc = mlops_profile_create_like(&p, m->ref);
    if (rc != MLOPS_OK) return rc;
    rc = mlops_profile_set(p, "quality", "0");
    if (rc != MLOPS_OK) {
        mlops_profile_free(p);
        return rc;
    }
    m->win = p;
    m->win_first_row = m->rows_seen;
    m->win_rows = 0;
    m->win_start = start;
    m->win_end = end;
    return MLOPS_OK;
}

static void push_history(mlops_drift_monitor *m, mlops_drift_report *r)
{
    if (m->hist_count == m->history_cap) {
        mlops_drift_report_free(m->history[m->hist_head]);
        m->history[m->hist_head] = r;
        m->hist_head = (m->hist_head + 1) % m->history_cap;
    } else {
        m->history[(m->hist_head + m->hist_count) % m->history_cap] = r;
        m->hist_count++;
    }
}

void mlops__drift_alert(mlops_drift_monitor *m, mlops_drift_report *r, const char *why)
{
    if (r->severity < m->alert_severity) return;
    m->alerts++;
    if (m->alert == NULL) return;
    char msg[256];
    snprintf(msg, sizeof msg,
             "window %llu (rows %llu..%llu): %s; %zu of %zu columns drifted, %zu findings",
             (unsigned long long)r->index, (unsigned long long)r->first_row,
             (unsigned long long)(r->first_row + r->rows), why, r->drifted, r->compared,
             r->nfindings);
    m->alert(m->alert_user, r->severity, r, msg);
}

static int close_window(mlops_drift_monitor *m)
{
    if (m->win == NULL) return MLOPS_OK;
    if (m->win_rows == 0) {
        mlops_profile_free(m->win);
        m->win = NULL;
        return MLOPS_OK;
    }
    mlops_drift_report *r;
    int rc = mlops__drift_compare(m, m->win, &r);
    if (rc != MLOPS_OK) return rc;
    r->index = m->win_index++;
    r->first_row = m->win_first_row;
    r->rows = m->win_rows;
    r->start = m->win_start;
    r->end = m->win_end;
    r->metric = mlops__drift_perf_metric_name(m);
    r->perf_reference = m->reference_performance;
    if (m->model) mlops__labels_performance(m, r);
    r->severity = mlops__drift_severity(r);
    mlops_profile_free(m->win);
    m->win = NULL;
    m->windows_closed++;
    push_history(m, r);
    mlops__drift_alert(m, r,
                       r->dataset_drift  ? "data set drift"
                       : r->perf_dropped ? "performance drop"
                       : r->drifted      ? "column drift"
                                         : "data-quality findings");
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_monitor_flush(mlops_drift_monitor *m)
{
    if (m == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_drift_monitor_flush: NULL monitor");
    return close_window(m);
}

MLOPS_API size_t mlops_drift_monitor_window_count(const mlops_drift_monitor *m)
{
    return m ? m->hist_count : 0;
}

MLOPS_API int mlops_drift_monitor_window(const mlops_drift_monitor *m, size_t i,
                                         const mlops_drift_report **report)
{
    static const char func[] = "mlops_drift_monitor_window";
    if (m == NULL || report == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (i >= m->hist_count)
        return mlops__fail(MLOPS_EINVAL, "%s: window %zu is out of range (history holds %zu)",
                           func, i, m->hist_count);
    *report = m->history[(m->hist_head + i) % m->history_cap];
    return MLOPS_OK;
}

/* ---- Batches ------------------------------------------------------------- */

/* What the model said about a batch: the prediction of each row (class
 * index or value) and, for classifiers when needed, the probability of
 * every class (row-major) and the positive class's of a binary model. */
typedef struct outputs {
    double *pred, *proba, *score;
    size_t classes;
} outputs;

static void outputs_free(outputs *o)
{
    mlops__free(o->pred);
    mlops__free(o->proba);
    mlops__free(o->score);
}

/* The batch's columns in reference order, as shallow copies of the batch's
 * columns; with a model attached, a reference column named "prediction"
 * or "proba_<class>" takes the model's output instead. */
typedef struct view {
    mlops_dataset d;
    mlops__column *cols;
    mlops__dict *classes;   /* class labels, for a categorical prediction column */
    int32_t *pred_codes;
    double *proba_cols;     /* one column per referenced class probability */
} view;

static void view_free(view *v)
{
    mlops__free(v->cols);
    mlops__dict_free(v->classes);
    mlops__free(v->pred_codes);
    mlops__free(v->proba_cols);
}

/* The class whose probability column `name` ("proba_<label>") is, or -1. */
static long proba_class(const mlops_model *model, const char *name)
{
    if (model == NULL || strncmp(name, "proba_", 6) != 0) return -1;
    size_t k = mlops_model_class_count(model);
    for (size_t i = 0; i < k; i++)
        if (strcmp(mlops_model_class_label(model, i), name + 6) == 0) return (long)i;
    return -1;
}

/* Whether the reference compares any class probability. */
static bool wants_proba(const mlops_drift_monitor *m)
{
    for (size_t j = 0; j < m->ref->ncols; j++)
        if (m->ref->cols[j].type == MLOPS_NUMERIC && proba_class(m->model, m->ref->cols[j].name) >= 0)
            return true;
    return false;
}

static int proba_columns(const mlops_drift_monitor *m, view *v, const outputs *o, size_t rows)
{
    size_t n = 0;
    for (size_t j = 0; j < m->ref->ncols; j++)
        n += m->ref->cols[j].type == MLOPS_NUMERIC && proba_class(m->model, m->ref->cols[j].name) >= 0;
    if (n == 0 || o->proba == NULL) return MLOPS_OK;
    size_t cells;
    if (!mlops__mul_size(n, rows ? rows : 1, &cells) ||
        (v->proba_cols = mlops__malloc_array(cells, sizeof *v->proba_cols, "probability columns")) ==
            NULL)
        return MLOPS_ENOMEM;
    size_t used = 0;
    for (size_t j = 0; j < m->ref->ncols; j++) {
        const mlops__profile_column *rc = &m->ref->cols[j];
        long k = rc->type == MLOPS_NUMERIC ? proba_class(m->model, rc->name) : -1;
        if (k < 0) continue;
        double *col = v->proba_cols + used * rows;
        for (size_t i = 0; i < rows; i++) col[i] = o->proba[i * o->classes + (size_t)k];
        memset(&v->cols[j], 0, sizeof v->cols[j]);
        v->cols[j].name = rc->name;
        v->cols[j].type = MLOPS_NUMERIC;
        v->cols[j].values = col;
        used++;
    }
    return MLOPS_OK;
}

static int prediction_column(const mlops_drift_monitor *m, view *v, mlops__column *c,
                             const mlops__profile_column *rc, double *pred, size_t rows)
{
    memset(c, 0, sizeof *c);
    c->name = rc->name;
    c->type = rc->type;
    if (rc->type == MLOPS_NUMERIC) {
        c->values = pred;
        return MLOPS_OK;
    }
    size_t k = mlops_model_class_count(m->model);
    int rc2 = mlops__dict_create(&v->classes);
    for (size_t i = 0; rc2 == MLOPS_OK && i < k; i++) {
        const char *label = mlops_model_class_label(m->model, i);
        int32_t code;
        rc2 = mlops__dict_intern(v->classes, label, strlen(label), &code);
    }
    if (rc2 != MLOPS_OK) return rc2;
    v->pred_codes = mlops__malloc_array(rows ? rows : 1, sizeof *v->pred_codes, "prediction codes");
    if (v->pred_codes == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < rows; i++)
        v->pred_codes[i] = isnan(pred[i]) ? -1 : (int32_t)pred[i];
    c->codes = v->pred_codes;
    c->dict = v->classes;
    return MLOPS_OK;
}

static int make_view(const mlops_drift_monitor *m, const mlops_dataset *batch, const outputs *o,
                     view *v)
{
    memset(v, 0, sizeof *v);
    const mlops_profile *ref = m->ref;
    v->cols = mlops__calloc(ref->ncols ? ref->ncols : 1, sizeof *v->cols, "monitor batch view");
    if (v->cols == NULL) return MLOPS_ENOMEM;
    int e = proba_columns(m, v, o, batch->rows);
    if (e != MLOPS_OK) return e;
    for (size_t j = 0; j < ref->ncols; j++) {
        const mlops__profile_column *rc = &ref->cols[j];
        if (o->pred != NULL && strcmp(rc->name, PREDICTION_COLUMN) == 0) {
            e = prediction_column(m, v, &v->cols[j], rc, o->pred, batch->rows);
            if (e != MLOPS_OK) return e;
            continue;
        }
        if (v->cols[j].values != NULL) continue; /* a class probability */
        size_t col;
        if (mlops_dataset_column_index(batch, rc->name, &col) != MLOPS_OK)
            return mlops__fail(MLOPS_EINVAL, "drift monitor: the batch has no column '%s'",
                               rc->name);
        if (batch->cols[col].type != rc->type)
            return mlops__fail(MLOPS_EINVAL,
                               "drift monitor: batch column '%s' is %s, the reference's is %s",
                               rc->name, mlops_type_name(batch->cols[col].type),
                               mlops_type_name(rc->type));
        v->cols[j] = batch->cols[col];
    }
    v->d.ncols = ref->ncols;
    v->d.cols = v->cols;
    v->d.rows = batch->rows;
    return MLOPS_OK;
}

/* Rows [first, first + n) of the view added to the open window. */
static int add_rows(mlops_drift_monitor *m, const view *v, size_t first, size_t n)
{
    if (n == 0) return MLOPS_OK;
    mlops__column *cols = mlops__malloc_array(v->d.ncols ? v->d.ncols : 1, sizeof *cols,
                                              "window rows");
    if (cols == NULL) return MLOPS_ENOMEM;
    for (size_t j = 0; j < v->d.ncols; j++) {
        cols[j] = v->cols[j];
        if (cols[j].values) cols[j].values += first;
        if (cols[j].codes) cols[j].codes += first;
    }
    mlops_dataset part = v->d;
    part.cols = cols;
    part.rows = n;
    int rc = mlops_profile_add(m->win, &part);
    mlops__free(cols);
    if (rc == MLOPS_OK) m->win_rows += n;
    return rc;
}

/* Time of row i in seconds since the epoch, NaN when missing or unreadable. */
static double row_time(const mlops__column *c, size_t i)
{
    if (c->type == MLOPS_NUMERIC) return isfinite(c->values[i]) ? c->values[i] : NAN;
    if (c->codes[i] < 0) return NAN;
    const char *s = mlops__dict_string(c->dict, c->codes[i]);
    mlops__instant t;
    const char *why;
    if (!mlops__iso8601_parse(s, strlen(s), &t, &why)) return NAN;
    return (double)t.seconds + t.nanoseconds * 1e-9;
}

static int add_by_rows(mlops_drift_monitor *m, const view *v)
{
    size_t i = 0, rows = v->d.rows;
    int rc = MLOPS_OK;
    while (rc == MLOPS_OK && i < rows) {
        if (m->win == NULL && (rc = open_window(m, NAN, NAN)) != MLOPS_OK) break;
        size_t n = rows - i;
        if (m->window_rows > 0 && n > m->window_rows - m->win_rows)
            n = (size_t)(m->window_rows - m->win_rows);
        rc = add_rows(m, v, i, n);
        i += n;
        m->rows_seen += n;
        if (rc == MLOPS_OK && m->window_rows > 0 && m->win_rows == m->window_rows)
            rc = close_window(m);
    }
    return rc;
}

static int add_by_time(mlops_drift_monitor *m, const view *v, const mlops__column *tc)
{
    size_t rows = v->d.rows, run = 0, run_len = 0;
    int rc = MLOPS_OK;
    for (size_t i = 0; rc == MLOPS_OK && i <= rows; i++) {
        double t = i < rows ? row_time(tc, i) : NAN;
        bool in_window = m->win != NULL && t >= m->win_start && t < m->win_end;
        if (i < rows && in_window && run_len > 0 && run + run_len == i) {
            run_len++;
            m->rows_seen++;
            continue;
        }
        /* The run so far goes to the open window. */
        if (run_len > 0) {
            rc = add_rows(m, v, run, run_len);
            run_len = 0;
            if (rc != MLOPS_OK) break;
        }
        if (i == rows) break;
        if (isnan(t) || (m->win != NULL && t < m->win_start) ||
            (m->win == NULL && m->win_index > 0 && t < m->win_end)) {
            m->rows_rejected++;
            m->rows_seen++;
            continue;
        }
        if (!in_window) {
            rc = close_window(m);
            double start = floor(t / m->window_seconds) * m->window_seconds;
            if (rc == MLOPS_OK) rc = open_window(m, start, start + m->window_seconds);
            if (rc != MLOPS_OK) break;
            m->win_first_row = m->rows_seen;
        }
        run = i;
        run_len = 1;
        m->rows_seen++;
    }
    return rc;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Predicts the batch (see `outputs`); probabilities for binary models (the
 * score behind ROC AUC) and when the reference compares them. */
static int predict(mlops_drift_monitor *m, const mlops_dataset *batch, outputs *o)
{
    size_t rows = batch->rows, k = mlops_model_class_count(m->model), cells;
    memset(o, 0, sizeof *o);
    o->classes = k;
    o->pred = mlops__malloc_array(rows ? rows : 1, sizeof *o->pred, "monitor predictions");
    if (o->pred == NULL) return MLOPS_ENOMEM;
    uint64_t t0 = now_ns();
    int rc = mlops_model_predict(m->model, batch, MLOPS_PREDICT_VALUE, o->pred, rows);
    if (rc == MLOPS_OK && (k == 2 || (k > 2 && wants_proba(m)))) {
        if (!mlops__mul_size(rows ? rows : 1, k, &cells) ||
            (o->proba = mlops__malloc_array(cells, sizeof *o->proba, "probabilities")) == NULL ||
            (k == 2 && (o->score = mlops__malloc_array(rows ? rows : 1, sizeof *o->score,
                                                       "scores")) == NULL)) {
            rc = MLOPS_ENOMEM;
        } else {
            rc = mlops_model_predict(m->model, batch, MLOPS_PREDICT_PROBA, o->proba, rows * k);
            for (size_t i = 0; rc == MLOPS_OK && o->score && i < rows; i++)
                o->score[i] = o->proba[2 * i + 1];
        }
    }
    uint64_t dt = now_ns() - t0;
    m->latency_count++;
    m->latency_sum_ns += dt;
    size_t b = 0;
    while (b < 15 && (double)dt * 1e-9 > mlops__latency_bounds[b]) b++;
    m->latency_buckets[b]++;
    if (rc == MLOPS_OK) {
        m->predictions += rows;
        for (size_t i = 0; i < rows; i++) m->prediction_nans += isnan(o->pred[i]);
    }
    return rc;
}

MLOPS_API int mlops_drift_monitor_add(mlops_drift_monitor *m, const mlops_dataset *batch)
{
    static const char func[] = "mlops_drift_monitor_add";
    if (m == NULL || batch == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    m->started = true;
    const mlops__column *tc = NULL;
    if (m->time_column != NULL) {
        size_t col;
        if (mlops_dataset_column_index(batch, m->time_column, &col) != MLOPS_OK) {
            m->rows_rejected += batch->rows;
            m->rows_seen += batch->rows;
            return mlops__fail(MLOPS_EINVAL, "%s: the batch has no time column '%s'", func,
                               m->time_column);
        }
        tc = &batch->cols[col];
    }
    outputs o;
    memset(&o, 0, sizeof o);
    int rc = MLOPS_OK;
    bool recorded = false;
    if (m->model != NULL) {
        rc = predict(m, batch, &o);
        if (rc == MLOPS_OK) rc = mlops__labels_record(m, m->rows_seen, o.pred, o.score, batch->rows);
        recorded = rc == MLOPS_OK;
    }
    view v;
    memset(&v, 0, sizeof v);
    if (rc == MLOPS_OK) rc = make_view(m, batch, &o, &v);
    if (rc != MLOPS_OK) {
        /* Row numbers stay in step with the label store. */
        if (m->model != NULL && !recorded)
            mlops__labels_record(m, m->rows_seen, NULL, NULL, batch->rows);
        m->rows_rejected += batch->rows;
        m->rows_seen += batch->rows;
        outputs_free(&o);
        view_free(&v);
        return rc;
    }
    rc = tc ? add_by_time(m, &v, tc) : add_by_rows(m, &v);
    view_free(&v);
    outputs_free(&o);
    return rc;
}
