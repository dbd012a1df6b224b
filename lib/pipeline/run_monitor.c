/* The monitoring step of a run: the reference profile (fixed bins) of the
 * chosen rows, saved for production checks, and optionally a drift check
 * of a later batch (a CSV file, or the test rows) against it. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include <stdio.h>

#include "pipeline/run_context.h"

static const mlops_dataset *reference_rows(const mlops__run *r)
{
    const char *which = mlops__pipeline_value(r->p, "monitor.reference");
    return strcmp(which, "test") == 0 ? r->test : strcmp(which, "all") == 0 ? r->data : r->train;
}

static int profile_of(const mlops__run *r, const mlops_dataset *d, mlops_profile **out)
{
    mlops_profile *p = NULL;
    int rc = mlops_profile_create(&p);
    if (rc == MLOPS_OK) rc = mlops_profile_set(p, "bins", mlops__pipeline_value(r->p, "monitor.bins"));
    if (rc == MLOPS_OK) rc = mlops_profile_add(p, d);
    if (rc == MLOPS_OK) rc = mlops_profile_fix_bins(p);
    if (rc != MLOPS_OK) {
        mlops_profile_free(p);
        return rc;
    }
    *out = p;
    return MLOPS_OK;
}

/* Reads the later batch with the training data's column types, so both
 * profiles describe the same columns the same way. */
static int read_current(mlops__run *r, const char *file, mlops_dataset **out)
{
    char *path = mlops__pipeline_resolve(r->p, file);
    if (path == NULL) return MLOPS_ENOMEM;
    mlops_csv_options *o = NULL;
    int rc = mlops_csv_options_create(&o);
    if (rc == MLOPS_OK)
        rc = mlops_csv_options_set(o, "delimiter", mlops__pipeline_value(r->p, "data.delimiter"));
    for (size_t c = 0; rc == MLOPS_OK && c < mlops_dataset_cols(r->data); c++) {
        const char *name = mlops_dataset_column_name(r->data, c);
        size_t n = strlen(name) + sizeof "type.";
        char *key = mlops__malloc(n, "CSV option");
        if (key == NULL) {
            rc = MLOPS_ENOMEM;
            break;
        }
        snprintf(key, n, "type.%s", name);
        rc = mlops_csv_options_set(o, key, mlops_type_name(mlops_dataset_column_type(r->data, c)));
        mlops__free(key);
    }
    if (rc == MLOPS_OK) rc = mlops_dataset_read_csv(out, path, o);
    mlops_csv_options_free(o);
    if (rc == MLOPS_OK) rc = mlops__run_add_input(r, "current", path, *out);
    mlops__free(path);
    return rc;
}

static int configure(const mlops__run *r, mlops_drift_monitor *m)
{
    int rc = mlops_drift_monitor_set_param(m, "correction",
                                           mlops__pipeline_value(r->p, "monitor.correction"));
    if (rc == MLOPS_OK)
        rc = mlops_drift_monitor_set_param(m, "drift_share",
                                           mlops__pipeline_value(r->p, "monitor.drift_share"));
    /* identifiers and ignored columns change by nature: not checked unless asked */
    for (size_t c = 0; rc == MLOPS_OK && c < mlops_dataset_cols(r->data); c++) {
        int role = mlops_dataset_column_role(r->data, c);
        if (role == MLOPS_ROLE_ID || role == MLOPS_ROLE_IGNORE)
            rc = mlops_drift_monitor_set_column(m, mlops_dataset_column_name(r->data, c), "skip",
                                                NAN);
    }
    const mlops__ynode *cols = mlops__pipeline_node(r->p, "monitor.columns");
    for (size_t i = 0; cols != NULL && rc == MLOPS_OK && i < cols->count; i++) {
        const char *method = mlops__ynode_text(mlops__ynode_get(cols->items[i], "method"));
        double threshold = NAN;
        mlops__ynode_double(mlops__ynode_get(cols->items[i], "threshold"), &threshold);
        rc = mlops_drift_monitor_set_column(m, cols->keys[i]->text, method ? method : "auto",
                                            threshold);
    }
    return rc;
}

static int check_drift(mlops__run *r, const mlops_profile *reference, const char *current)
{
    mlops_dataset *batch = NULL;
    const mlops_dataset *rows = r->test;
    int rc = MLOPS_OK;
    if (strcmp(current, "test") != 0) {
        rc = read_current(r, current, &batch);
        rows = batch;
    }
    mlops_profile *cur = NULL;
    mlops_drift_monitor *m = NULL;
    if (rc == MLOPS_OK) rc = mlops_profile_create_like(&cur, reference);
    if (rc == MLOPS_OK) rc = mlops_profile_add(cur, rows);
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_create(&m, reference);
    if (rc == MLOPS_OK) rc = configure(r, m);
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_compare(m, cur, &r->drift);
    char *json = NULL;
    if (rc == MLOPS_OK) rc = mlops_drift_report_json(r->drift, &json);
    if (rc == MLOPS_OK) rc = mlops__run_write_json(r, "drift.json", json);
    bool fail = false;
    if (rc == MLOPS_OK && mlops__ynode_bool(mlops__pipeline_node(r->p, "monitor.fail_on_drift"),
                                            &fail) && fail)
        r->drift_failed = mlops_drift_report_dataset_drift(r->drift, NULL) == 1;
    mlops_drift_monitor_free(m);
    mlops_profile_free(cur);
    mlops_dataset_free(batch);
    return rc;
}

int mlops__run_monitor(mlops__run *r)
{
    mlops_profile *reference = NULL;
    int rc = profile_of(r, reference_rows(r), &reference);
    char *path = rc == MLOPS_OK ? mlops__run_path(r, "reference.profile") : NULL;
    if (rc == MLOPS_OK && path == NULL) rc = MLOPS_ENOMEM;
    if (rc == MLOPS_OK) rc = mlops_profile_save(reference, path);
    mlops__free(path);
    const char *current = mlops__pipeline_value(r->p, "monitor.current");
    if (rc == MLOPS_OK && current != NULL) rc = check_drift(r, reference, current);
    mlops_profile_free(reference);
    return rc;
}
