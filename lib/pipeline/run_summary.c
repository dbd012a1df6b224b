/* The summary of a run that mlops_pipeline_summary_json() hands out: what
 * a person or a script wants to know first (where, which model, which
 * numbers, which checks passed, what the registry did). */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include <stdio.h>

#include "pipeline/run_context.h"

/* Overall metric values only: no group, fold, interval or probe entries. */
static bool headline(const char *name)
{
    return strchr(name, '.') == NULL && strchr(name, '[') == NULL && strchr(name, '&') == NULL;
}

static void write_metrics(mlops__json *j, const mlops_report *rep)
{
    mlops__json_key(j, "metrics");
    mlops__json_begin_object(j);
    for (size_t i = 0; rep != NULL && i < mlops_report_value_count(rep); i++) {
        const char *name = mlops_report_value_name(rep, i);
        double v = NAN;
        if (!headline(name) || mlops_report_value(rep, name, &v) != MLOPS_OK) continue;
        mlops__json_key(j, name);
        mlops__json_double(j, v);
    }
    mlops__json_end_object(j);
    mlops__json_key(j, "gates");
    mlops__json_begin_array(j);
    for (size_t i = 0; rep != NULL && i < mlops_report_gate_count(rep); i++) {
        const char *expr = NULL;
        double observed = NAN;
        int passed = 0;
        if (mlops_report_gate(rep, i, &expr, &observed, &passed) != MLOPS_OK) continue;
        mlops__json_begin_object(j);
        mlops__json_key(j, "expression");
        mlops__json_string(j, expr);
        mlops__json_key(j, "value");
        mlops__json_double(j, observed);
        mlops__json_key(j, "passed");
        mlops__json_bool(j, passed != 0);
        mlops__json_end_object(j);
    }
    mlops__json_end_array(j);
}

static void write_drift(mlops__json *j, const mlops__run *r)
{
    mlops__json_key(j, "drift");
    if (r->drift == NULL) {
        mlops__json_null(j);
        return;
    }
    mlops__json_begin_object(j);
    mlops__json_key(j, "dataset_drift");
    mlops__json_bool(j, mlops_drift_report_dataset_drift(r->drift, NULL) == 1);
    mlops__json_key(j, "drifted_columns");
    mlops__json_begin_array(j);
    for (size_t i = 0; i < mlops_drift_report_column_count(r->drift); i++) {
        const char *name = NULL;
        int drifted = 0;
        if (mlops_drift_report_column(r->drift, i, &name, NULL, NULL, NULL, NULL, NULL,
                                      &drifted) == MLOPS_OK && drifted)
            mlops__json_string(j, name);
    }
    mlops__json_end_array(j);
    mlops__json_end_object(j);
}

void mlops__run_json_registry(mlops__json *j, const mlops__run *r)
{
    mlops__json_key(j, "registry");
    if (r->registry_name == NULL) {
        mlops__json_null(j);
        return;
    }
    mlops__json_begin_object(j);
    mlops__json_key(j, "name");
    mlops__json_string(j, r->registry_name);
    mlops__json_key(j, "version");
    mlops__json_string(j, r->registry_version);
    mlops__json_key(j, "alias");
    mlops__json_string(j, r->registry_alias);
    mlops__json_key(j, "registered");
    mlops__json_bool(j, r->registered && r->registry_version != NULL);
    mlops__json_key(j, "promotion_refused");
    mlops__json_bool(j, r->refused);
    mlops__json_end_object(j);
}

int mlops__run_write_summary(mlops__run *r)
{
    char *lock = mlops__run_path(r, "mlops.lock");
    char lock_hex[65] = "";
    unsigned long long bytes = 0;
    int rc = lock == NULL ? MLOPS_ENOMEM : mlops__file_sha256(lock, lock_hex, &bytes);
    mlops__free(lock);
    if (rc != MLOPS_OK) return rc;
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "run_dir");
    mlops__json_string(&j, r->dir);
    mlops__json_key(&j, "passed");
    mlops__json_bool(&j, r->data_valid && r->gates_passed && !r->drift_failed);
    mlops__json_key(&j, "model");
    if (r->model != NULL && r->payload_sha256[0] != '\0') {
        mlops__json_begin_object(&j);
        mlops__json_key(&j, "kind");
        mlops__json_string(&j, mlops_model_kind(r->model));
        mlops__json_key(&j, "payload_sha256");
        mlops__json_string(&j, r->payload_sha256);
        mlops__json_end_object(&j);
    } else {
        mlops__json_null(&j);
    }
    mlops__json_key(&j, "rows");
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "data");
    mlops__json_uint(&j, r->data ? mlops_dataset_rows(r->data) : 0);
    mlops__json_key(&j, "dropped_missing_target");
    mlops__json_uint(&j, r->dropped_rows);
    mlops__json_key(&j, "train");
    mlops__json_uint(&j, r->train ? mlops_dataset_rows(r->train) : 0);
    mlops__json_key(&j, "test");
    mlops__json_uint(&j, r->test ? mlops_dataset_rows(r->test) : 0);
    mlops__json_end_object(&j);
    write_metrics(&j, r->report);
    mlops__json_key(&j, "data_validation");
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "passed");
    mlops__json_bool(&j, r->violations == 0);
    mlops__json_key(&j, "violations");
    mlops__json_uint(&j, r->violations);
    mlops__json_end_object(&j);
    write_drift(&j, r);
    mlops__run_json_registry(&j, r);
    mlops__json_key(&j, "lock_sha256");
    mlops__json_string(&j, lock_hex);
    mlops__json_end_object(&j);
    char *text = NULL;
    size_t len = 0;
    if ((rc = mlops__json_finish(&j, &text, &len)) != MLOPS_OK) return rc;
    mlops__free(r->p->summary_json);
    r->p->summary_json = text;
    return MLOPS_OK;
}

MLOPS_API int mlops_pipeline_summary_json(const mlops_pipeline *p, char **json)
{
    MLOPS_CHECK_ARG(p != NULL, "mlops_pipeline_summary_json", "NULL pipeline");
    MLOPS_CHECK_ARG(json != NULL, "mlops_pipeline_summary_json", "NULL json");
    if (p->summary_json == NULL)
        return mlops__fail(MLOPS_ESTATE, "mlops_pipeline_summary_json: the pipeline has not run");
    char *copy = mlops__strdup(p->summary_json, "run summary");
    if (copy == NULL) return MLOPS_ENOMEM;
    *json = copy;
    return MLOPS_OK;
}
