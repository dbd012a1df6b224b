/* The report as JSON (through the core writer, so NaN is null and numbers
 * read back exactly), and attaching it to a model card. Sections follow the
 * values' own paths, so the JSON and the value names always agree. */
#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "eval/eval_impl.h"
#include "mlops/version.h"
#include "train/model_impl.h"

static const char *const SECTION_KEYS[SEC_COUNT] = {
    [SEC_METRIC] = "metrics",    [SEC_PER_CLASS] = "per_class",  [SEC_INTERVAL] = "intervals",
    [SEC_GROUP] = "groups",      [SEC_FAIRNESS] = "fairness",    [SEC_PROBE] = "robustness",
    [SEC_CV] = "cross_validation", [SEC_ALIAS] = NULL,
};

static bool same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Values of one section, nested by runs of equal g1 and g2. */
static void section(mlops__json *j, const mlops_report *r, int sec, bool always)
{
    size_t first = r->nvalues;
    for (size_t i = 0; i < r->nvalues; i++)
        if (r->values[i].section == sec) {
            first = i;
            break;
        }
    if (first == r->nvalues && !always) return;
    mlops__json_key(j, SECTION_KEYS[sec]);
    mlops__json_begin_object(j);
    const char *g1 = NULL, *g2 = NULL;
    bool open1 = false, open2 = false;
    for (size_t i = first; i < r->nvalues; i++) {
        const mlops__rvalue *v = &r->values[i];
        if (v->section != sec) continue;
        if (open1 && !same(g1, v->g1)) {
            if (open2) mlops__json_end_object(j);
            mlops__json_end_object(j);
            open1 = open2 = false;
        }
        if (!open1 && v->g1 != NULL) {
            mlops__json_key(j, v->g1);
            mlops__json_begin_object(j);
            open1 = true;
            g1 = v->g1;
            g2 = NULL;
        }
        if (open2 && !same(g2, v->g2)) {
            mlops__json_end_object(j);
            open2 = false;
        }
        if (open1 && !open2 && v->g2 != NULL) {
            mlops__json_key(j, v->g2);
            mlops__json_begin_object(j);
            open2 = true;
            g2 = v->g2;
        }
        mlops__json_key(j, v->leaf);
        mlops__json_double(j, v->v);
    }
    if (open2) mlops__json_end_object(j);
    if (open1) mlops__json_end_object(j);
    mlops__json_end_object(j);
}

static void doubles(mlops__json *j, const double *v, size_t n, size_t keep)
{
    mlops__json_begin_array(j);
    if (keep == 0 || keep >= n) {
        for (size_t i = 0; i < n; i++) mlops__json_double(j, v[i]);
    } else {
        for (size_t i = 0; i < keep; i++)
            mlops__json_double(j, v[keep > 1 ? i * (n - 1) / (keep - 1) : 0]);
    }
    mlops__json_end_array(j);
}

static void curves(mlops__json *j, const mlops_report *r)
{
    if (r->ncurves == 0) return;
    mlops__json_key(j, "curves");
    mlops__json_begin_object(j);
    for (size_t i = 0; i < r->ncurves; i++) {
        const mlops__rcurve *c = &r->curves[i];
        size_t keep = r->curve_points;
        bool pr = strncmp(c->name, "precision_recall", 16) == 0;
        bool cal = strncmp(c->name, "calibration", 11) == 0;
        mlops__json_key(j, c->name);
        mlops__json_begin_object(j);
        mlops__json_key(j, pr ? "recall" : cal ? "mean_predicted" : "false_positive_rate");
        doubles(j, c->x, c->n, keep);
        bool mean = strcmp(c->name, "calibration.mean") == 0;
        mlops__json_key(j, pr ? "precision" : mean ? "mean_true" : cal ? "fraction_positive" : "true_positive_rate");
        doubles(j, c->y, c->n, keep);
        mlops__json_key(j, cal ? "weight" : "thresholds");
        doubles(j, c->t, c->nt, keep && keep < c->n ? (keep * c->nt + c->n - 1) / c->n : 0);
        if (keep != 0 && keep < c->n) {
            mlops__json_key(j, "points");
            mlops__json_uint(j, c->n);
        }
        mlops__json_end_object(j);
    }
    mlops__json_end_object(j);
}

int mlops__report_json(const mlops_report *r, bool pretty, bool with_curves, char **json)
{
    static const char *const TASKS[] = {"unknown", "classification", "regression"};
    mlops__json j;
    mlops__json_init(&j, pretty);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "format");
    mlops__json_string(&j, "mlops-evaluation-report");
    mlops__json_key(&j, "format_version");
    mlops__json_int(&j, 1);
    mlops__json_key(&j, "library_version");
    mlops__json_string(&j, mlops_version_string());
    mlops__json_key(&j, "task");
    mlops__json_string(&j, TASKS[r->task]);
    mlops__json_key(&j, "rows");
    mlops__json_uint(&j, r->rows);
    if (r->k > 0) {
        mlops__json_key(&j, "classes");
        mlops__json_begin_array(&j);
        for (size_t c = 0; c < r->k; c++) mlops__json_string(&j, r->labels[c]);
        mlops__json_end_array(&j);
    }
    section(&j, r, SEC_METRIC, true);
    section(&j, r, SEC_PER_CLASS, false);
    section(&j, r, SEC_INTERVAL, false);
    section(&j, r, SEC_GROUP, true);
    section(&j, r, SEC_FAIRNESS, false);
    section(&j, r, SEC_PROBE, false);
    section(&j, r, SEC_CV, false);
    if (r->grid_json != NULL) {
        mlops__json_key(&j, "grid");
        mlops__json_raw(&j, r->grid_json, strlen(r->grid_json));
    }
    if (r->confusion != NULL) {
        mlops__json_key(&j, "confusion_matrix");
        mlops__json_begin_array(&j);
        for (size_t a = 0; a < r->k; a++) doubles(&j, r->confusion + a * r->k, r->k, 0);
        mlops__json_end_array(&j);
    }
    if (with_curves) curves(&j, r);
    mlops__json_key(&j, "gates");
    mlops__json_begin_array(&j);
    for (size_t i = 0; i < r->ngates; i++) {
        mlops__json_begin_object(&j);
        mlops__json_key(&j, "expression");
        mlops__json_string(&j, r->gates[i].expression);
        mlops__json_key(&j, "value");
        mlops__json_double(&j, r->gates[i].observed);
        mlops__json_key(&j, "passed");
        mlops__json_bool(&j, r->gates[i].passed != 0);
        mlops__json_end_object(&j);
    }
    mlops__json_end_array(&j);
    mlops__json_key(&j, "passed");
    mlops__json_bool(&j, mlops_report_passed(r) != 0);
    mlops__json_key(&j, "notes");
    mlops__json_begin_array(&j);
    for (size_t i = 0; i < r->nnotes; i++) mlops__json_string(&j, r->notes[i]);
    mlops__json_end_array(&j);
    mlops__json_end_object(&j);
    size_t len;
    return mlops__json_finish(&j, json, &len);
}

MLOPS_API int mlops_report_json(const mlops_report *r, char **json)
{
    MLOPS_CHECK_ARG(r != NULL, "mlops_report_json", "NULL report");
    MLOPS_CHECK_ARG(json != NULL, "mlops_report_json", "NULL json");
    return mlops__report_json(r, true, true, json);
}

MLOPS_API int mlops_report_attach(const mlops_report *r, mlops_model *model)
{
    static const char func[] = "mlops_report_attach";
    MLOPS_CHECK_ARG(r != NULL, func, "NULL report");
    MLOPS_CHECK_ARG(model != NULL, func, "NULL model");
    if (!mlops_model_is_fitted(model))
        return mlops__fail(MLOPS_ESTATE, "%s: the model is not fitted", func);
    char *json = NULL;
    int rc = mlops__report_json(r, false, false, &json);
    if (rc == MLOPS_OK) rc = mlops__model_set_analysis(model, json);
    mlops__free(json);
    return rc;
}
