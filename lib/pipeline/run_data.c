/* The data steps of a run: read the CSV file with the configured types and
 * roles, check it against the schema and the per-column rules, profile it,
 * and split it into training and test rows. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "pipeline/pipeline_check.h"
#include <stdio.h>

#include "pipeline/run_context.h"

/* Sets option "PREFIX.COLUMN" to `value`. */
static int set_column_option(mlops_csv_options *o, const char *prefix, const char *column,
                             const char *value)
{
    size_t n = strlen(prefix) + strlen(column) + 2;
    char *key = mlops__malloc(n, "CSV option");
    if (key == NULL) return MLOPS_ENOMEM;
    snprintf(key, n, "%s.%s", prefix, column);
    int rc = mlops_csv_options_set(o, key, value);
    mlops__free(key);
    return rc;
}

static int set_roles(mlops__run *r, mlops_csv_options *o)
{
    static const char *const ROLES[][2] = {
        {"data.target", "target"}, {"data.id", "id"}, {"data.weight", "weight"}};
    int rc = MLOPS_OK;
    for (size_t i = 0; rc == MLOPS_OK && i < 3; i++) {
        const char *col = mlops__pipeline_value(r->p, ROLES[i][0]);
        if (col != NULL) rc = set_column_option(o, "role", col, ROLES[i][1]);
    }
    const mlops__ynode *ignore = mlops__pipeline_node(r->p, "data.ignore");
    if (ignore != NULL && ignore->kind == MLOPS_YNODE_SCALAR && rc == MLOPS_OK)
        rc = set_column_option(o, "role", ignore->text, "ignore");
    for (size_t i = 0; ignore != NULL && ignore->kind == MLOPS_YNODE_SEQUENCE &&
                       rc == MLOPS_OK && i < ignore->count; i++)
        rc = set_column_option(o, "role", ignore->items[i]->text, "ignore");
    const mlops__ynode *cols = mlops__pipeline_node(r->p, "data.columns");
    for (size_t i = 0; cols != NULL && rc == MLOPS_OK && i < cols->count; i++) {
        const char *name = cols->keys[i]->text;
        const char *type = mlops__ynode_text(mlops__ynode_get(cols->items[i], "type"));
        bool sensitive = false;
        if (type != NULL) rc = set_column_option(o, "type", name, type);
        if (rc == MLOPS_OK && mlops__ynode_bool(mlops__ynode_get(cols->items[i], "sensitive"),
                                                &sensitive) && sensitive)
            rc = set_column_option(o, "sensitive", name, "true");
    }
    return rc;
}

/* Rows without a target value cannot be learned from or scored; they are
 * dropped and counted, never silently. */
static int drop_missing_target(mlops__run *r, size_t target)
{
    size_t n = mlops_dataset_rows(r->data);
    uint8_t *keep = mlops__malloc(n, "row mask");
    if (keep == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        keep[i] = mlops_dataset_is_missing(r->data, target, i) == 0;
        r->dropped_rows += !keep[i];
    }
    mlops_dataset *kept = NULL;
    int rc = mlops_dataset_filter_rows(&kept, r->data, keep);
    mlops__free(keep);
    if (rc != MLOPS_OK) return rc;
    mlops_dataset_free(r->data);
    r->data = kept;
    return MLOPS_OK;
}

int mlops__run_read_data(mlops__run *r)
{
    char *path = mlops__pipeline_resolve(r->p, mlops__pipeline_value(r->p, "data.path"));
    if (path == NULL) return MLOPS_ENOMEM;
    mlops_csv_options *o = NULL;
    int rc = mlops_csv_options_create(&o);
    if (rc == MLOPS_OK)
        rc = mlops_csv_options_set(o, "delimiter", mlops__pipeline_value(r->p, "data.delimiter"));
    if (rc == MLOPS_OK) rc = set_roles(r, o);
    if (rc == MLOPS_OK) rc = mlops_dataset_read_csv(&r->data, path, o);
    mlops_csv_options_free(o);
    if (rc == MLOPS_OK) rc = mlops__run_add_input(r, "data", path, r->data);
    mlops__free(path);
    if (rc != MLOPS_OK) return rc;
    size_t target = 0;
    rc = mlops_dataset_column_index(r->data, mlops__pipeline_value(r->p, "data.target"), &target);
    if (rc == MLOPS_OK)
        r->classification = mlops_dataset_column_type(r->data, target) == MLOPS_CATEGORICAL ||
                            strcmp(mlops__pipeline_value(r->p, "model.kind"),
                                   "logistic_regression") == 0;
    if (rc == MLOPS_OK && mlops_dataset_missing_count(r->data, target) > 0 &&
        strcmp(mlops__pipeline_value(r->p, "data.missing_target"), "drop") == 0)
        rc = drop_missing_target(r, target);
    return rc;
}

/* Categories are passed one by one: a category may hold a comma. */
static int set_categories(mlops_schema *s, const char *column, const mlops__ynode *list)
{
    size_t n = mlops__pipeline_count(list);
    const char **values = mlops__malloc_array(n ? n : 1, sizeof *values, "category list");
    if (values == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const mlops__ynode *item = mlops__pipeline_item(list, i);
        values[i] = item != NULL ? item->text : "";
    }
    int rc = mlops_schema_set_categories(s, column, (const char *const *)values, n);
    mlops__free(values);
    return rc;
}

/* The schema the data must satisfy: the schema file, or every column of
 * the data with permissive rules; then the rules of data.columns. */
static int build_schema(mlops__run *r, mlops_schema **out)
{
    mlops_schema *s = NULL;
    const char *file = mlops__pipeline_value(r->p, "data.schema");
    int rc;
    if (file != NULL) {
        char *path = mlops__pipeline_resolve(r->p, file);
        if (path == NULL) return MLOPS_ENOMEM;
        rc = mlops_schema_load(&s, path);
        if (rc == MLOPS_OK) rc = mlops__run_add_input(r, "schema", path, NULL);
        mlops__free(path);
    } else {
        rc = mlops_schema_create(&s);
        for (size_t c = 0; rc == MLOPS_OK && c < mlops_dataset_cols(r->data); c++)
            rc = mlops_schema_add_column(s, mlops_dataset_column_name(r->data, c),
                                         mlops_dataset_column_type(r->data, c));
    }
    const mlops__ynode *cols = mlops__pipeline_node(r->p, "data.columns");
    for (size_t i = 0; cols != NULL && rc == MLOPS_OK && i < cols->count; i++) {
        const char *name = cols->keys[i]->text;
        const mlops__ynode *rules = cols->items[i];
        size_t at = 0;
        if (mlops_schema_column_index(s, name, &at) != MLOPS_OK) {
            /* a rule for a column the data lacks: the check reports it missing */
            const char *type = mlops__ynode_text(mlops__ynode_get(rules, "type"));
            rc = mlops_schema_add_column(s, name, type != NULL && strcmp(type, "categorical") == 0
                                                      ? MLOPS_CATEGORICAL : MLOPS_NUMERIC);
        }
        for (size_t k = 0; rc == MLOPS_OK && rules != NULL && k < rules->count; k++) {
            const char *key = rules->keys[k]->text;
            if (strcmp(key, "type") == 0) continue;
            const mlops__ynode *v = rules->items[k];
            if (strcmp(key, "categories") == 0) {
                rc = set_categories(s, name, v);
                continue;
            }
            char *text = mlops__run_join(v, ",");
            if (text == NULL) rc = MLOPS_ENOMEM;
            else rc = mlops_schema_set(s, name, key, text);
            mlops__free(text);
        }
    }
    if (rc != MLOPS_OK) {
        mlops_schema_free(s);
        return rc;
    }
    *out = s;
    return MLOPS_OK;
}

int mlops__run_check_data(mlops__run *r)
{
    mlops_schema *s = NULL;
    mlops_validation *v = NULL;
    char *json = NULL;
    int rc = build_schema(r, &s);
    if (rc == MLOPS_OK) rc = mlops_schema_check(s, r->data, &v);
    if (rc == MLOPS_OK) rc = mlops_validation_to_json(v, &json);
    if (rc == MLOPS_OK) rc = mlops__run_write_json(r, "data_validation.json", json);
    if (rc == MLOPS_OK) {
        r->violations = mlops_validation_count(v);
        bool warn = strcmp(mlops__pipeline_value(r->p, "data.on_invalid"), "warn") == 0;
        r->data_valid = mlops_validation_passed(v) || warn;
        r->stopped = !r->data_valid;
    }
    mlops_validation_free(v);
    mlops_schema_free(s);
    if (rc != MLOPS_OK) return rc;

    mlops_profile *prof = NULL;
    json = NULL;
    rc = mlops_profile_create(&prof);
    if (rc == MLOPS_OK) rc = mlops_profile_add(prof, r->data);
    if (rc == MLOPS_OK) rc = mlops_profile_to_json(prof, &json);
    if (rc == MLOPS_OK) rc = mlops__run_write_json(r, "data_profile.json", json);
    mlops_profile_free(prof);
    return rc;
}

int mlops__run_split(mlops__run *r)
{
    const char *method = mlops__pipeline_value(r->p, "data.split.method");
    double test_size = mlops__run_number(r->p, "data.split.test_size", 0.25);
    const char *target = mlops__pipeline_value(r->p, "data.target");
    if (strcmp(method, "time") == 0)
        return mlops_split_by_time(r->data, mlops__pipeline_value(r->p, "data.split.time_column"),
                                   test_size, &r->train, &r->test);
    bool stratify = strcmp(method, "stratified") == 0 ||
                    (strcmp(method, "auto") == 0 && r->classification);
    return mlops_split_train_test(r->data, test_size, r->seed, stratify ? target : NULL, &r->train,
                                  &r->test);
}
