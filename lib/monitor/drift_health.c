/* What a host service reads from a drift monitor: named health counters,
 * the history as JSON, and everything in the Prometheus text exposition
 * format for the dashboards agencies already run. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "core/suggest.h"
#include "monitor/drift_impl.h"

typedef struct counter {
    const char *name;
    const char *help;
    size_t offset;
} counter;

#define COUNTER(n, h) {#n, h, offsetof(mlops_drift_monitor, n)}

static const counter COUNTERS[] = {
    COUNTER(rows_seen, "Rows fed to the monitor."),
    COUNTER(rows_rejected, "Rows rejected (missing columns, missing or late time)."),
    COUNTER(windows_closed, "Windows closed and compared with the reference."),
    COUNTER(alerts, "Windows that raised an alert."),
    COUNTER(predictions, "Rows predicted through the monitor."),
    COUNTER(prediction_nans, "Predictions that were NaN."),
    COUNTER(labels_received, "Labels matched to kept predictions."),
    COUNTER(labels_late, "Labels for rows whose predictions were no longer kept."),
    COUNTER(latency_count, "Prediction calls timed."),
    COUNTER(latency_sum_ns, "Total prediction time in nanoseconds."),
};
enum { NCOUNTERS = sizeof COUNTERS / sizeof COUNTERS[0] };

static uint64_t counter_value(const mlops_drift_monitor *m, size_t i)
{
    return *(const uint64_t *)((const char *)m + COUNTERS[i].offset);
}

static const char *counter_key(size_t i, const void *ctx)
{
    (void)ctx;
    return COUNTERS[i].name;
}

MLOPS_API int mlops_drift_monitor_counter(const mlops_drift_monitor *m, const char *name,
                                          uint64_t *value)
{
    if (m == NULL || name == NULL || value == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_drift_monitor_counter: NULL argument");
    for (size_t i = 0; i < NCOUNTERS; i++)
        if (strcmp(COUNTERS[i].name, name) == 0) {
            *value = counter_value(m, i);
            return MLOPS_OK;
        }
    const char *near = mlops__suggest(name, NCOUNTERS, counter_key, NULL);
    return mlops__fail(MLOPS_ENOTFOUND, "drift monitor has no counter '%s'%s%s%s", name,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

MLOPS_API int mlops_drift_monitor_history_json(const mlops_drift_monitor *m, char **json)
{
    if (m == NULL || json == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_drift_monitor_history_json: NULL argument");
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "windows");
    mlops__json_begin_array(&j);
    for (size_t i = 0; i < m->hist_count; i++)
        mlops__drift_report_write(&j, m->history[(m->hist_head + i) % m->history_cap]);
    mlops__json_end_array(&j);
    mlops__json_key(&j, "health");
    mlops__json_begin_object(&j);
    for (size_t i = 0; i < NCOUNTERS; i++) {
        mlops__json_key(&j, COUNTERS[i].name);
        mlops__json_uint(&j, counter_value(m, i));
    }
    mlops__json_end_object(&j);
    mlops__json_end_object(&j);
    size_t len;
    return mlops__json_finish(&j, json, &len);
}

/* ---- Prometheus text format ---------------------------------------------- */

typedef struct out {
    char *buf;
    size_t cap, len;
} out;

static void emit(out *o, const char *fmt, ...) MLOPS_PRINTF_LIKE(2, 3);

static void emit(out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) o->len += (size_t)n;
}

/* A label value with backslash, double quote and newline escaped. */
static void emit_label(out *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"') {
            emit(o, "\\%c", *s);
        } else if (*s == '\n') {
            emit(o, "\\n");
        } else {
            emit(o, "%c", *s);
        }
    }
}

static void emit_value(out *o, double v)
{
    if (isnan(v)) {
        emit(o, "NaN\n");
    } else if (isinf(v)) {
        emit(o, v > 0 ? "+Inf\n" : "-Inf\n");
    } else {
        emit(o, "%.17g\n", v);
    }
}

static void emit_latency(out *o, const mlops_drift_monitor *m)
{
    emit(o, "# HELP mlops_prediction_latency_seconds Time of each prediction call.\n"
            "# TYPE mlops_prediction_latency_seconds histogram\n");
    uint64_t cumulative = 0;
    for (size_t b = 0; b < 16; b++) {
        cumulative += m->latency_buckets[b];
        if (b == 15) {
            emit(o, "mlops_prediction_latency_seconds_bucket{le=\"+Inf\"} %llu\n",
                 (unsigned long long)cumulative);
        } else {
            emit(o, "mlops_prediction_latency_seconds_bucket{le=\"%g\"} %llu\n",
                 mlops__latency_bounds[b], (unsigned long long)cumulative);
        }
    }
    emit(o, "mlops_prediction_latency_seconds_sum %.9f\n", (double)m->latency_sum_ns * 1e-9);
    emit(o, "mlops_prediction_latency_seconds_count %llu\n", (unsigned long long)m->latency_count);
}

static void emit_latest(out *o, const mlops_drift_report *r)
{
    emit(o, "# HELP mlops_drift_dataset_drift 1 when the latest window drifted as a whole.\n"
            "# TYPE mlops_drift_dataset_drift gauge\nmlops_drift_dataset_drift %d\n",
         r->dataset_drift ? 1 : 0);
    emit(o, "# HELP mlops_drift_share Share of drifted columns in the latest window.\n"
            "# TYPE mlops_drift_share gauge\nmlops_drift_share ");
    emit_value(o, r->share);
    emit(o, "# HELP mlops_drift_severity Severity of the latest window (0 none, 1 warning, 2 "
            "critical).\n# TYPE mlops_drift_severity gauge\nmlops_drift_severity %d\n",
         r->severity);
    emit(o, "# HELP mlops_drift_statistic Drift statistic per column in the latest window.\n"
            "# TYPE mlops_drift_statistic gauge\n");
    for (size_t i = 0; i < r->ncols; i++) {
        emit(o, "mlops_drift_statistic{column=\"");
        emit_label(o, r->cols[i].name);
        emit(o, "\",method=\"%s\"} ", mlops__drift_method_name(r->cols[i].method));
        emit_value(o, r->cols[i].statistic);
    }
    emit(o, "# HELP mlops_drift_column_drifted 1 when the column drifted in the latest window.\n"
            "# TYPE mlops_drift_column_drifted gauge\n");
    for (size_t i = 0; i < r->ncols; i++) {
        emit(o, "mlops_drift_column_drifted{column=\"");
        emit_label(o, r->cols[i].name);
        emit(o, "\"} %d\n", r->cols[i].drifted ? 1 : 0);
    }
    if (r->metric != NULL) {
        emit(o, "# HELP mlops_performance Model performance on the labels of the latest window.\n"
                "# TYPE mlops_performance gauge\nmlops_performance{metric=\"%s\"} ",
             r->metric);
        emit_value(o, r->perf_value);
    }
}

MLOPS_API int mlops_drift_monitor_prometheus(const mlops_drift_monitor *m, char *buf,
                                             size_t cap, size_t *needed)
{
    static const char func[] = "mlops_drift_monitor_prometheus";
    if (m == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL monitor", func);
    if (buf == NULL && cap > 0) return mlops__fail(MLOPS_EINVAL, "%s: NULL buffer", func);
    out o = {buf, cap, 0};
    for (size_t i = 0; i < NCOUNTERS; i++) {
        if (strncmp(COUNTERS[i].name, "latency_", 8) == 0) continue;
        emit(&o, "# HELP mlops_%s_total %s\n# TYPE mlops_%s_total counter\nmlops_%s_total %llu\n",
             COUNTERS[i].name, COUNTERS[i].help, COUNTERS[i].name, COUNTERS[i].name,
             (unsigned long long)counter_value(m, i));
    }
    if (m->model != NULL) emit_latency(&o, m);
    if (m->hist_count > 0)
        emit_latest(&o, m->history[(m->hist_head + m->hist_count - 1) % m->history_cap]);
    if (needed) *needed = o.len;
    if (o.len >= cap) {
        if (cap > 0) buf[0] = '\0';
        return cap == 0 && buf == NULL && needed != NULL
                   ? MLOPS_OK
                   : mlops__fail(MLOPS_ERANGE, "%s: %zu bytes needed, the buffer holds %zu", func,
                                 o.len + 1, cap);
    }
    return MLOPS_OK;
}
