/* mlops_drift_report accessors: the verdict, per-column results, findings,
 * the window covered and the performance on labels. Reports never change
 * once made, except the performance of a window in a monitor's history
 * when labels arrive. */
#include <math.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/drift_impl.h"

MLOPS_API void mlops_drift_report_free(mlops_drift_report *r)
{
    if (r == NULL) return;
    for (size_t i = 0; i < r->ncols; i++) {
        mlops__free(r->cols[i].name);
        mlops__drift_hist_free(&r->cols[i].hist);
    }
    mlops__free(r->cols);
    for (size_t i = 0; i < r->nfindings; i++) {
        mlops__free(r->findings[i].column);
        mlops__free(r->findings[i].message);
    }
    mlops__free(r->findings);
    mlops__free(r);
}

MLOPS_API int mlops_drift_report_dataset_drift(const mlops_drift_report *r, double *share)
{
    if (r == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_drift_report_dataset_drift: NULL report");
    if (share) *share = r->share;
    return r->dataset_drift ? 1 : 0;
}

MLOPS_API int mlops_drift_report_severity(const mlops_drift_report *r)
{
    if (r == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_drift_report_severity: NULL report");
    return r->severity;
}

MLOPS_API size_t mlops_drift_report_column_count(const mlops_drift_report *r)
{
    return r ? r->ncols : 0;
}

MLOPS_API int mlops_drift_report_column(const mlops_drift_report *r, size_t i, const char **name,
                                        const char **method, double *statistic,
                                        double *p_value, double *p_adjusted, double *threshold,
                                        int *drifted)
{
    static const char func[] = "mlops_drift_report_column";
    if (r == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL report", func);
    if (i >= r->ncols)
        return mlops__fail(MLOPS_EINVAL, "%s: column %zu is out of range (report has %zu)", func, i,
                           r->ncols);
    const mlops__drift_column *c = &r->cols[i];
    if (name) *name = c->name;
    if (method) *method = mlops__drift_method_name(c->method);
    if (statistic) *statistic = c->statistic;
    if (p_value) *p_value = c->p_value;
    if (p_adjusted) *p_adjusted = c->p_adjusted;
    if (threshold) *threshold = c->threshold;
    if (drifted) *drifted = c->drifted;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_drift_report_finding_count(const mlops_drift_report *r)
{
    return r ? r->nfindings : 0;
}

MLOPS_API int mlops_drift_report_finding(const mlops_drift_report *r, size_t i,
                                         const char **column, const char **kind,
                                         uint64_t *count, const char **message)
{
    static const char func[] = "mlops_drift_report_finding";
    if (r == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL report", func);
    if (i >= r->nfindings)
        return mlops__fail(MLOPS_EINVAL, "%s: finding %zu is out of range (report has %zu)", func,
                           i, r->nfindings);
    const mlops__drift_finding *f = &r->findings[i];
    if (column) *column = f->column;
    if (kind) *kind = f->kind;
    if (count) *count = f->count;
    if (message) *message = f->message;
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_report_window(const mlops_drift_report *r, uint64_t *index,
                                        uint64_t *first_row, uint64_t *rows, double *start,
                                        double *end)
{
    if (r == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_drift_report_window: NULL report");
    if (index) *index = r->index;
    if (first_row) *first_row = r->first_row;
    if (rows) *rows = r->rows;
    if (start) *start = r->start;
    if (end) *end = r->end;
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_report_performance(const mlops_drift_report *r, const char **metric,
                                             double *value, double *reference,
                                             uint64_t *labelled, int *dropped)
{
    if (r == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_drift_report_performance: NULL report");
    if (metric) *metric = r->metric;
    if (value) *value = r->perf_value;
    if (reference) *reference = r->perf_reference;
    if (labelled) *labelled = r->labelled;
    if (dropped) *dropped = r->perf_dropped;
    return MLOPS_OK;
}
