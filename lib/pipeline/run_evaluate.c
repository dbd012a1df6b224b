/* The evaluation step of a run: the evaluator gets the configured metrics,
 * groups, probes, bootstrap and gates, measures the fitted model on the
 * chosen rows, and the report goes to evaluation.json. A failed gate is a
 * result, not an error: the run goes on so the attempt is recorded. */
#include <string.h>

#include "core/alloc.h"
#include <stdio.h>

#include "pipeline/run_context.h"

/* evaluate.KEY -> evaluator setting, lists joined by the separator. */
static const struct {
    const char *key, *setting, *sep;
} SETTINGS[] = {
    {"metrics", "metrics", ","},
    {"metric", "metric", NULL},
    {"pos_label", "pos_label", NULL},
    {"threshold", "threshold", NULL},
    {"groups", "group", ","},
    {"reference_group", "reference_group", NULL},
    {"min_group_size", "min_group_size", NULL},
    {"bootstrap", "bootstrap", NULL},
    {"bootstrap_level", "bootstrap_level", NULL},
    {"probes", "probes", ";"},
};

static int configure(mlops__run *r, mlops_evaluator *ev)
{
    const mlops__ynode *cfg = mlops__pipeline_node(r->p, "evaluate");
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", r->seed);
    int rc = mlops_evaluator_set_param(ev, "seed", seed);
    for (size_t i = 0; rc == MLOPS_OK && i < sizeof SETTINGS / sizeof SETTINGS[0]; i++) {
        const mlops__ynode *v = mlops__ynode_get(cfg, SETTINGS[i].key);
        if (v == NULL || mlops__ynode_is_null(v)) continue;
        char *text = mlops__run_join(v, SETTINGS[i].sep ? SETTINGS[i].sep : "");
        if (text == NULL) return MLOPS_ENOMEM;
        rc = mlops_evaluator_set_param(ev, SETTINGS[i].setting, text);
        mlops__free(text);
    }
    const mlops__ynode *gates = mlops__ynode_get(cfg, "gates");
    if (gates != NULL && gates->kind == MLOPS_YNODE_SCALAR && rc == MLOPS_OK)
        rc = mlops_evaluator_add_gate(ev, gates->text);
    for (size_t i = 0; gates != NULL && gates->kind == MLOPS_YNODE_SEQUENCE && rc == MLOPS_OK &&
                       i < gates->count; i++)
        rc = mlops_evaluator_add_gate(ev, gates->items[i]->text);
    return rc;
}

int mlops__run_evaluate(mlops__run *r)
{
    mlops_evaluator *ev = NULL;
    int rc = mlops_evaluator_create(&ev);
    if (rc == MLOPS_OK) rc = configure(r, ev);
    const char *on = mlops__pipeline_value(r->p, "evaluate.on");
    const mlops_dataset *rows = strcmp(on, "train") == 0 ? r->train
                                : strcmp(on, "all") == 0 ? r->data
                                                          : r->test;
    if (rc == MLOPS_OK) rc = mlops_evaluator_run(ev, r->model, rows, &r->report);
    mlops_evaluator_free(ev);
    char *json = NULL;
    if (rc == MLOPS_OK) rc = mlops_report_json(r->report, &json);
    if (rc == MLOPS_OK) rc = mlops__run_write_json(r, "evaluation.json", json);
    if (rc == MLOPS_OK) r->gates_passed = mlops_report_passed(r->report) != 0;
    return rc;
}
