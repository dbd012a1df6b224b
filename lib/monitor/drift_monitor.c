/* mlops_drift_monitor: creation, release and settings (string-keyed, like
 * every object of the library), per-column methods, model and alert. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "core/parallel.h"
#include "core/suggest.h"
#include "monitor/drift_impl.h"

static const char *const KEYS[] = {
    "alert_severity", "correction",       "drift_share",        "history",
    "label_rows",     "missing_jump",     "performance_drop",   "performance_metric",
    "range_share",    "reference_performance", "threads", "time_column", "window_rows",      "window_seconds",
};
enum { NKEYS = sizeof KEYS / sizeof KEYS[0] };

static const char *const CORRECTIONS[] = {"none", "bonferroni", "benjamini_hochberg"};

/* Metric names of performance_metric; index 0 means "by task". */
static const char *const PERF_METRICS[] = {"auto", "accuracy", "roc_auc", "mean_absolute_error"};

MLOPS_API int mlops_drift_monitor_create(mlops_drift_monitor **out,
                                         const mlops_profile *reference)
{
    static const char func[] = "mlops_drift_monitor_create";
    if (out == NULL || reference == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    int rc = mlops__profile_check_reference(reference, func);
    if (rc != MLOPS_OK) return rc;
    mlops_drift_monitor *m = mlops__calloc(1, sizeof *m, "drift monitor");
    if (m == NULL) return MLOPS_ENOMEM;
    size_t n = reference->ncols ? reference->ncols : 1;
    m->choice = mlops__calloc(n, sizeof *m->choice, "drift column methods");
    m->history_cap = 100;
    m->history = mlops__calloc(m->history_cap, sizeof *m->history, "drift history");
    if (m->choice == NULL || m->history == NULL) {
        mlops_drift_monitor_free(m);
        return MLOPS_ENOMEM;
    }
    m->ref = reference;
    m->cfg.correction = MLOPS__CORRECT_BH;
    m->cfg.drift_share = 0.5;
    m->cfg.missing_jump = 0.1;
    m->cfg.range_share = 0.01;
    m->fallback = (mlops__drift_choice){MLOPS__DM_AUTO, NAN};
    for (size_t j = 0; j < reference->ncols; j++)
        m->choice[j] = (mlops__drift_choice){MLOPS__DM_AUTO, NAN};
    m->window_seconds = 3600;
    m->threads = 1;
    m->alert_severity = MLOPS_SEVERITY_WARNING;
    m->reference_performance = NAN;
    m->performance_drop = 0.05;
    m->label_rows = 1000000;
    *out = m;
    return MLOPS_OK;
}

MLOPS_API void mlops_drift_monitor_free(mlops_drift_monitor *m)
{
    if (m == NULL) return;
    mlops__free(m->choice);
    for (size_t i = 0; i < m->hist_count; i++)
        mlops_drift_report_free(m->history[(m->hist_head + i) % m->history_cap]);
    mlops__free(m->history);
    mlops_profile_free(m->win);
    mlops__free(m->time_column);
    mlops__label_store_free(m->labels);
    mlops__free(m);
}

static const char *key_at(size_t i, const void *ctx)
{
    (void)ctx;
    return KEYS[i];
}

static int parse_double(const char *key, const char *value, double lo, double hi, bool lo_open,
                        double *out)
{
    char *end;
    errno = 0;
    double v = mlops__strtod_c(value, &end);
    bool ok = end != value && *end == '\0' && errno == 0 && !isnan(v) && v <= hi &&
              (lo_open ? v > lo : v >= lo);
    if (!ok)
        return mlops__fail(MLOPS_EINVAL, "drift monitor setting %s: '%s' is not a number in %s%g, %g]",
                           key, value, lo_open ? "(" : "[", lo, hi);
    *out = v;
    return MLOPS_OK;
}

static int parse_count(const char *key, const char *value, uint64_t lo, uint64_t hi,
                       uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (*value < '0' || *value > '9' || *end != '\0' || errno != 0 || v < lo || v > hi)
        return mlops__fail(MLOPS_EINVAL,
                           "drift monitor setting %s: '%s' is not a whole number between %llu and "
                           "%llu",
                           key, value, (unsigned long long)lo, (unsigned long long)hi);
    *out = v;
    return MLOPS_OK;
}

static int parse_name(const char *key, const char *value, const char *const *names, size_t n,
                      int *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], value) == 0) {
            *out = (int)i;
            return MLOPS_OK;
        }
    char list[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
    return mlops__fail(MLOPS_EINVAL, "drift monitor setting %s: '%s' is not one of %s", key, value,
                       list);
}

/* The history ring resized to `cap`, keeping the newest windows. */
static int resize_history(mlops_drift_monitor *m, size_t cap)
{
    mlops_drift_report **h = mlops__calloc(cap, sizeof *h, "drift history");
    if (h == NULL) return MLOPS_ENOMEM;
    size_t keep = m->hist_count < cap ? m->hist_count : cap;
    for (size_t i = 0; i < m->hist_count; i++) {
        mlops_drift_report *r = m->history[(m->hist_head + i) % m->history_cap];
        if (i < m->hist_count - keep)
            mlops_drift_report_free(r);
        else
            h[i - (m->hist_count - keep)] = r;
    }
    mlops__free(m->history);
    m->history = h;
    m->history_cap = cap;
    m->hist_head = 0;
    m->hist_count = keep;
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_monitor_set_param(mlops_drift_monitor *m, const char *key,
                                            const char *value)
{
    if (m == NULL || key == NULL || value == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_drift_monitor_set_param: NULL argument");
    size_t k = NKEYS;
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(KEYS[i], key) == 0) k = i;
    if (k == NKEYS) {
        const char *near = mlops__suggest(key, NKEYS, key_at, NULL);
        return mlops__fail(MLOPS_EINVAL, "unknown drift monitor setting '%s'%s%s%s", key,
                           near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
    const char *name = KEYS[k];
    bool fixed_by_data = strcmp(name, "window_rows") == 0 || strcmp(name, "time_column") == 0 ||
                         strcmp(name, "window_seconds") == 0 || strcmp(name, "label_rows") == 0;
    if (fixed_by_data && m->started)
        return mlops__fail(MLOPS_ESTATE,
                           "drift monitor setting %s: windows are fixed once data was added", name);
    uint64_t u = 0;
    double d = 0.0;
    int rc, choice = 0;
    if (strcmp(name, "correction") == 0) {
        rc = parse_name(name, value, CORRECTIONS, 3, &choice);
        if (rc == MLOPS_OK) m->cfg.correction = choice;
    } else if (strcmp(name, "drift_share") == 0) {
        rc = parse_double(name, value, 0.0, 1.0, true, &d);
        if (rc == MLOPS_OK) m->cfg.drift_share = d;
    } else if (strcmp(name, "missing_jump") == 0) {
        rc = parse_double(name, value, 0.0, 1.0, false, &d);
        if (rc == MLOPS_OK) m->cfg.missing_jump = d;
    } else if (strcmp(name, "range_share") == 0) {
        rc = parse_double(name, value, 0.0, 1.0, false, &d);
        if (rc == MLOPS_OK) m->cfg.range_share = d;
    } else if (strcmp(name, "threads") == 0) {
        rc = parse_count(name, value, 1, MLOPS__MAX_THREADS, &u);
        if (rc == MLOPS_OK) m->threads = (size_t)u;
    } else if (strcmp(name, "window_rows") == 0) {
        rc = parse_count(name, value, 0, UINT64_MAX >> 1, &u);
        if (rc == MLOPS_OK) m->window_rows = u;
    } else if (strcmp(name, "time_column") == 0) {
        char *copy = value[0] ? mlops__strdup(value, "time column name") : NULL;
        if (value[0] && copy == NULL) return MLOPS_ENOMEM;
        mlops__free(m->time_column);
        m->time_column = copy;
        rc = MLOPS_OK;
    } else if (strcmp(name, "window_seconds") == 0) {
        rc = parse_double(name, value, 0.0, 1e15, true, &d);
        if (rc == MLOPS_OK) m->window_seconds = d;
    } else if (strcmp(name, "history") == 0) {
        rc = parse_count(name, value, 1, 1000000, &u);
        if (rc == MLOPS_OK) rc = resize_history(m, (size_t)u);
    } else if (strcmp(name, "alert_severity") == 0) {
        rc = parse_count(name, value, 1, 2, &u);
        if (rc == MLOPS_OK) m->alert_severity = (int)u;
    } else if (strcmp(name, "reference_performance") == 0) {
        if (strcmp(value, "nan") == 0 || strcmp(value, "NaN") == 0) {
            m->reference_performance = NAN;
            rc = MLOPS_OK;
        } else {
            rc = parse_double(name, value, -1e300, 1e300, false, &d);
            if (rc == MLOPS_OK) m->reference_performance = d;
        }
    } else if (strcmp(name, "performance_drop") == 0) {
        rc = parse_double(name, value, 0.0, 1e300, false, &d);
        if (rc == MLOPS_OK) m->performance_drop = d;
    } else if (strcmp(name, "performance_metric") == 0) {
        rc = parse_name(name, value, PERF_METRICS, 4, &choice);
        if (rc == MLOPS_OK) m->perf_metric = choice;
    } else {
        rc = parse_count(name, value, 0, (uint64_t)1 << 40, &u);
        if (rc == MLOPS_OK) m->label_rows = (size_t)u;
    }
    return rc;
}

static int parse_choice(const char *func, const char *method, double threshold,
                        mlops__drift_choice *out)
{
    if (method == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL method", func);
    int id;
    int rc = mlops__drift_method_parse(method, &id);
    if (rc != MLOPS_OK) return rc;
    if (!isnan(threshold)) {
        if (!(threshold >= 0.0) || isinf(threshold) ||
            (mlops__drift_method_is_test(id) && threshold > 1.0))
            return mlops__fail(MLOPS_EINVAL, "%s: threshold %g is not valid for method %s%s", func,
                               threshold, method,
                               mlops__drift_method_is_test(id) ? " (a p-value in [0, 1])" : "");
    }
    *out = (mlops__drift_choice){id, threshold};
    return MLOPS_OK;
}

static const char *ref_column_at(size_t i, const void *ctx)
{
    return ((const mlops_profile *)ctx)->cols[i].name;
}

MLOPS_API int mlops_drift_monitor_set_column(mlops_drift_monitor *m, const char *column,
                                             const char *method, double threshold)
{
    static const char func[] = "mlops_drift_monitor_set_column";
    if (m == NULL || column == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    mlops__drift_choice ch;
    int rc = parse_choice(func, method, threshold, &ch);
    if (rc != MLOPS_OK) return rc;
    size_t col = m->ref->ncols;
    for (size_t j = 0; j < m->ref->ncols; j++)
        if (strcmp(m->ref->cols[j].name, column) == 0) col = j;
    if (col == m->ref->ncols) {
        const char *near = mlops__suggest(column, m->ref->ncols, ref_column_at, m->ref);
        return mlops__fail(MLOPS_ENOTFOUND, "%s: the reference has no column '%s'%s%s%s", func,
                           column, near ? " (did you mean '" : "", near ? near : "",
                           near ? "'?)" : "");
    }
    mlops__drift_choice saved = m->choice[col];
    m->choice[col] = ch;
    mlops__drift_choice check;
    if (ch.method != MLOPS__DM_AUTO && (rc = mlops__drift_choose(m, col, &check)) != MLOPS_OK) {
        m->choice[col] = saved;
        return rc;
    }
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_monitor_set_method(mlops_drift_monitor *m, const char *method,
                                             double threshold)
{
    static const char func[] = "mlops_drift_monitor_set_method";
    if (m == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL monitor", func);
    mlops__drift_choice ch;
    int rc = parse_choice(func, method, threshold, &ch);
    if (rc == MLOPS_OK) m->fallback = ch;
    return rc;
}

MLOPS_API int mlops_drift_monitor_set_model(mlops_drift_monitor *m, const mlops_model *model)
{
    static const char func[] = "mlops_drift_monitor_set_model";
    if (m == NULL || model == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (!mlops_model_is_fitted(model))
        return mlops__fail(MLOPS_EINVAL, "%s: the model is not trained", func);
    if (m->started)
        return mlops__fail(MLOPS_ESTATE, "%s: data was already added to the monitor", func);
    m->model = model;
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_monitor_set_alert(mlops_drift_monitor *m, mlops_drift_alert_fn fn,
                                            void *user)
{
    if (m == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_drift_monitor_set_alert: NULL monitor");
    m->alert = fn;
    m->alert_user = user;
    return MLOPS_OK;
}

const char *mlops__drift_perf_metric_name(const mlops_drift_monitor *m)
{
    if (m->model == NULL) return NULL;
    if (m->perf_metric != 0) return PERF_METRICS[m->perf_metric];
    return mlops_model_class_count(m->model) > 0 ? "accuracy" : "mean_absolute_error";
}
