/* mlops_drift_report_json: the report as the JSON document documented in
 * drift.h, also used for each window of a monitor's history. The keys of
 * the command line's contract (dataset_drift, drift_share, columns with
 * name, method, statistic, p_value, threshold, drifted) come first. */
#include <math.h>

#include "core/error.h"
#include "core/json.h"
#include "monitor/drift_impl.h"

static const char *const SEVERITY[] = {"none", "warning", "critical"};

static void key_double(mlops__json *j, const char *key, double v)
{
    mlops__json_key(j, key);
    mlops__json_double(j, v);
}

static void write_column(mlops__json *j, const mlops__drift_column *c)
{
    mlops__json_begin_object(j);
    mlops__json_key(j, "name");
    mlops__json_string(j, c->name);
    mlops__json_key(j, "type");
    mlops__json_string(j, mlops_type_name(c->type));
    mlops__json_key(j, "method");
    mlops__json_string(j, mlops__drift_method_name(c->method));
    key_double(j, "statistic", c->statistic);
    key_double(j, "p_value", c->p_value);
    key_double(j, "p_value_adjusted", c->p_adjusted);
    key_double(j, "threshold", c->threshold);
    mlops__json_key(j, "drifted");
    mlops__json_bool(j, c->drifted);
    mlops__json_key(j, "exact");
    mlops__json_bool(j, c->exact);
    mlops__json_key(j, "reference_rows");
    mlops__json_uint(j, c->ref_count);
    mlops__json_key(j, "current_rows");
    mlops__json_uint(j, c->cur_count);
    mlops__drift_hist_write(j, &c->hist);
    mlops__json_end_object(j);
}

int mlops__drift_report_write(mlops__json *j, const mlops_drift_report *r)
{
    mlops__json_begin_object(j);
    mlops__json_key(j, "dataset_drift");
    mlops__json_bool(j, r->dataset_drift);
    key_double(j, "drift_share", r->share);
    mlops__json_key(j, "drifted_columns");
    mlops__json_uint(j, r->drifted);
    mlops__json_key(j, "compared_columns");
    mlops__json_uint(j, r->compared);
    mlops__json_key(j, "severity");
    mlops__json_string(j, SEVERITY[r->severity]);
    mlops__json_key(j, "columns");
    mlops__json_begin_array(j);
    for (size_t i = 0; i < r->ncols; i++) write_column(j, &r->cols[i]);
    mlops__json_end_array(j);
    mlops__json_key(j, "findings");
    mlops__json_begin_array(j);
    for (size_t i = 0; i < r->nfindings; i++) {
        const mlops__drift_finding *f = &r->findings[i];
        mlops__json_begin_object(j);
        mlops__json_key(j, "column");
        mlops__json_string(j, f->column);
        mlops__json_key(j, "kind");
        mlops__json_string(j, f->kind);
        mlops__json_key(j, "count");
        mlops__json_uint(j, f->count);
        mlops__json_key(j, "message");
        mlops__json_string(j, f->message);
        mlops__json_end_object(j);
    }
    mlops__json_end_array(j);
    mlops__json_key(j, "window");
    mlops__json_begin_object(j);
    mlops__json_key(j, "index");
    mlops__json_uint(j, r->index);
    mlops__json_key(j, "first_row");
    mlops__json_uint(j, r->first_row);
    mlops__json_key(j, "rows");
    mlops__json_uint(j, r->rows);
    key_double(j, "start", r->start);
    key_double(j, "end", r->end);
    mlops__json_end_object(j);
    mlops__json_key(j, "performance");
    if (r->metric == NULL) {
        mlops__json_null(j);
    } else {
        mlops__json_begin_object(j);
        mlops__json_key(j, "metric");
        mlops__json_string(j, r->metric);
        key_double(j, "value", r->perf_value);
        key_double(j, "reference", r->perf_reference);
        mlops__json_key(j, "labelled_rows");
        mlops__json_uint(j, r->labelled);
        mlops__json_key(j, "dropped");
        mlops__json_bool(j, r->perf_dropped);
        mlops__json_end_object(j);
    }
    return mlops__json_end_object(j);
}

MLOPS_API int mlops_drift_report_json(const mlops_drift_report *r, char **json)
{
    if (r == NULL || json == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_drift_report_json: NULL argument");
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__drift_report_write(&j, r);
    size_t len;
    return mlops__json_finish(&j, json, &len);
}
