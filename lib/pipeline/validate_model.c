/* The value pass of validation for model and evaluate: settings, grid
 * values and card fields go to a scratch model, evaluation settings and
 * gates to a scratch evaluator, so the pipeline accepts exactly what the
 * library accepts and reports it with the library's words. */
#include <stdio.h>
#include <string.h>

#include "mlops/evaluator.h"
#include "mlops/model.h"
#include "pipeline/pipeline_check.h"
#include "pipeline/pipeline_schema.h"

/* A refused setting: an unknown name is reported at the key, a bad value
 * at the value. */
static int refused_setting(mlops_pipeline *p, const mlops__ynode *keynode, const mlops__ynode *value,
                           const char *key, int rc)
{
    bool unknown = rc != MLOPS_OK && strstr(mlops_last_error(), "unknown") != NULL &&
                   strstr(mlops_last_error(), keynode->text) != NULL;
    return mlops__pipeline_refused(p, unknown ? keynode : value, key, rc);
}

static int check_settings(mlops_pipeline *p, mlops_model *m, const mlops__ynode *settings)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; settings != NULL && i < settings->count && rc == MLOPS_OK; i++) {
        const mlops__ynode *v = settings->items[i];
        if (v->kind != MLOPS_YNODE_SCALAR || mlops__ynode_is_null(v)) continue;
        char key[MLOPS_PIPELINE_KEY_MAX];
        mlops__pipeline_keyf(key, "model.settings.%s", settings->keys[i]->text);
        rc = refused_setting(p, settings->keys[i], v, key,
                             mlops_model_set_param(m, settings->keys[i]->text, mlops__pipeline_setting_text(v)));
    }
    return rc;
}

static int check_grid(mlops_pipeline *p, mlops_model *m, const mlops__ynode *grid)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; grid != NULL && i < grid->count && rc == MLOPS_OK; i++) {
        const mlops__ynode *values = grid->items[i];
        if (values->kind != MLOPS_YNODE_SEQUENCE) continue;
        for (size_t j = 0; j < values->count && rc == MLOPS_OK; j++) {
            const mlops__ynode *v = mlops__pipeline_item(values, j);
            if (v == NULL) continue;
            char key[MLOPS_PIPELINE_KEY_MAX];
            mlops__pipeline_keyf(key, "model.search.grid.%s[%zu]", grid->keys[i]->text, j);
            size_t before = p->nproblems;
            rc = refused_setting(p, grid->keys[i], v, key,
                                 mlops_model_set_param(m, grid->keys[i]->text, mlops__pipeline_setting_text(v)));
            /* an unknown setting is reported once, not once per value */
            if (rc == MLOPS_OK && p->nproblems > before && p->problems[before].line == grid->keys[i]->line &&
                p->problems[before].col == grid->keys[i]->col)
                break;
        }
    }
    return rc;
}

/* Whether `n` has the type the table gives `path` (a wrong type is the
 * key pass's problem, reported once). */
static bool right_type(const char *path, const mlops__ynode *n)
{
    const mlops__ykey *k = mlops__pipeline_key(path);
    long long i;
    double d;
    if (k == NULL) return true;
    if (k->type == MLOPS_YKEY_INT) return mlops__ynode_int(n, &i);
    if (k->type == MLOPS_YKEY_NUMBER) return mlops__ynode_double(n, &d);
    return true;
}

static int check_evaluate(mlops_pipeline *p, mlops_evaluator *ev, const mlops__ynode *eval)
{
    static const char *const single[][2] = {
        {"metric", "metric"},         {"pos_label", "pos_label"},
        {"threshold", "threshold"},   {"reference_group", "reference_group"},
        {"min_group_size", "min_group_size"}, {"bootstrap", "bootstrap"},
        {"bootstrap_level", "bootstrap_level"}};
    static const char *const lists[][2] = {{"metrics", "metrics"}, {"groups", "group"}, {"probes", "probes"}};
    char key[MLOPS_PIPELINE_KEY_MAX];
    int rc = MLOPS_OK;
    for (size_t i = 0; i < sizeof single / sizeof single[0] && rc == MLOPS_OK; i++) {
        const mlops__ynode *n = mlops__pipeline_scalar(eval, single[i][0]);
        mlops__pipeline_keyf(key, "evaluate.%s", single[i][0]);
        if (n != NULL && right_type(key, n))
            rc = mlops__pipeline_refused(p, n, key, mlops_evaluator_set_param(ev, single[i][1], n->text));
    }
    /* list settings are tried item by item, so a problem names its item */
    for (size_t i = 0; i < sizeof lists / sizeof lists[0] && rc == MLOPS_OK; i++) {
        const mlops__ynode *n = mlops__ynode_get(eval, lists[i][0]);
        for (size_t j = 0; j < mlops__pipeline_count(n) && rc == MLOPS_OK; j++) {
            const mlops__ynode *item = mlops__pipeline_item(n, j);
            if (item == NULL) continue;
            if (n->kind == MLOPS_YNODE_SEQUENCE)
                mlops__pipeline_keyf(key, "evaluate.%s[%zu]", lists[i][0], j);
            else
                mlops__pipeline_keyf(key, "evaluate.%s", lists[i][0]);
            /* the evaluator takes these as one separated list */
            const char *sep = strcmp(lists[i][0], "probes") == 0 ? ";" : ",";
            if (strstr(item->text, sep) != NULL)
                rc = mlops__pipeline_add_problem(p, item, key, NULL, "'%.*s' holds '%s', which "
                                                 "separates items here: give each item on its own",
                                                 (int)mlops__pipeline_cut(item->text, MLOPS_PIPELINE_QUOTE_MAX),
                                                 item->text, sep);
            else
                rc = mlops__pipeline_refused(p, item, key, mlops_evaluator_set_param(ev, lists[i][1], item->text));
        }
    }
    const mlops__ynode *gates = mlops__ynode_get(eval, "gates");
    for (size_t j = 0; j < mlops__pipeline_count(gates) && rc == MLOPS_OK; j++) {
        const mlops__ynode *item = mlops__pipeline_item(gates, j);
        if (item == NULL) continue;
        if (gates->kind == MLOPS_YNODE_SEQUENCE)
            mlops__pipeline_keyf(key, "evaluate.gates[%zu]", j);
        else
            mlops__pipeline_keyf(key, "evaluate.gates");
        rc = mlops__pipeline_refused(p, item, key, mlops_evaluator_add_gate(ev, item->text));
    }
    return rc;
}

int mlops__pipeline_check_model(mlops_pipeline *p)
{
    const mlops__ynode *root = p->tree.root;
    const mlops__ynode *model = mlops__pipeline_map(root, "model");
    const mlops__ynode *kind = mlops__pipeline_scalar(model, "kind");
    const mlops__ynode *search = mlops__pipeline_map(model, "search");
    mlops_evaluator *ev = NULL;
    int rc = mlops_evaluator_create(&ev);
    if (rc != MLOPS_OK) return rc;
    /* a kind outside the table's list is reported by the key pass */
    if (kind != NULL && (strcmp(kind->text, "linear_regression") == 0 || strcmp(kind->text, "logistic_regression") == 0)) {
        mlops_model *m = NULL;
        rc = mlops__pipeline_refused(p, kind, "model.kind", mlops_model_create(&m, kind->text));
        if (rc == MLOPS_OK && m != NULL) {
            rc = check_settings(p, m, mlops__pipeline_map(model, "settings"));
            if (rc == MLOPS_OK) rc = check_grid(p, m, mlops__pipeline_map(search, "grid"));
            const mlops__ynode *card = mlops__pipeline_map(model, "card");
            for (size_t i = 0; rc == MLOPS_OK && card != NULL && i < card->count; i++) {
                const mlops__ynode *v = card->items[i];
                if (v->kind != MLOPS_YNODE_SCALAR || mlops__ynode_is_null(v)) continue;
                char key[MLOPS_PIPELINE_KEY_MAX];
                mlops__pipeline_keyf(key, "model.card.%s", card->keys[i]->text);
                rc = refused_setting(p, card->keys[i], v, key, mlops_model_card_set(m, card->keys[i]->text, v->text));
            }
        }
        mlops_model_free(m);
    }
    long long folds;
    const mlops__ynode *n = mlops__pipeline_scalar(search, "folds");
    if (rc == MLOPS_OK && n != NULL && mlops__ynode_int(n, &folds) && folds < 2)
        rc = mlops__pipeline_add_problem(p, n, "model.search.folds", NULL, "must be at least 2, not %s", n->text);
    n = mlops__pipeline_scalar(search, "metric");
    if (rc == MLOPS_OK && n != NULL)
        rc = mlops__pipeline_refused(p, n, "model.search.metric", mlops_evaluator_set_param(ev, "metric", n->text));
    mlops_evaluator_free(ev);
    ev = NULL;
    if (rc == MLOPS_OK) {
        rc = mlops_evaluator_create(&ev);
        if (rc == MLOPS_OK) rc = check_evaluate(p, ev, mlops__pipeline_map(root, "evaluate"));
        mlops_evaluator_free(ev);
    }
    return rc;
}
