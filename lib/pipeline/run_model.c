/* The training step of a run: the preprocessing chain (the configured
 * steps, or the default of median imputation, standardization and one-hot
 * encoding), the model with its settings and card, an optional grid search
 * with cross-validation, the fit on the training rows, and the model file
 * and card in the run directory. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "pipeline/pipeline_check.h"
#include "pipeline/pipeline_schema.h"
#include <stdio.h>

#include "pipeline/run_context.h"

static int default_chain(mlops_transform *t)
{
    int rc = MLOPS_OK;
    for (size_t s = 0; rc == MLOPS_OK && s < MLOPS_DEFAULT_STEPS; s++) {
        const mlops__default_step *d = &mlops__default_chain[s];
        int idx = mlops_transform_add(t, d->step, "*");
        rc = idx < 0 ? idx : mlops_transform_set(t, (size_t)idx, d->key, d->value);
    }
    return rc;
}

static int configured_chain(mlops_transform *t, const mlops__ynode *list)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; rc == MLOPS_OK && i < list->count; i++) {
        const mlops__ynode *item = list->items[i];
        const char *kind = mlops__ynode_text(mlops__ynode_get(item, "step"));
        char *columns = NULL;
        rc = mlops__pipeline_join_columns(mlops__ynode_get(item, "columns"), &columns);
        if (rc != MLOPS_OK) return rc;
        int idx = mlops_transform_add(t, kind, columns);
        mlops__free(columns);
        if (idx < 0) return idx;
        const mlops__ynode *settings = mlops__ynode_get(item, "settings");
        for (size_t k = 0; settings != NULL && rc == MLOPS_OK && k < settings->count; k++)
            rc = mlops_transform_set(t, (size_t)idx, settings->keys[k]->text,
                                     mlops__pipeline_setting_text(settings->items[k]));
    }
    return rc;
}

static int build_model(mlops__run *r, mlops_model **out)
{
    mlops_model *m = NULL;
    mlops_transform *t = NULL;
    int rc = mlops_model_create(&m, mlops__pipeline_value(r->p, "model.kind"));
    if (rc == MLOPS_OK) rc = mlops_transform_create(&t);
    const mlops__ynode *steps = mlops__pipeline_node(r->p, "preprocess");
    if (rc == MLOPS_OK)
        rc = steps != NULL && steps->kind == MLOPS_YNODE_SEQUENCE ? configured_chain(t, steps)
                                                                  : default_chain(t);
    if (rc == MLOPS_OK) rc = mlops_model_set_transform(m, t);
    mlops_transform_free(t);
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", r->seed);
    if (rc == MLOPS_OK) rc = mlops_model_set_param(m, "seed", seed);
    const mlops__ynode *settings = mlops__pipeline_node(r->p, "model.settings");
    for (size_t k = 0; settings != NULL && rc == MLOPS_OK && k < settings->count; k++)
        rc = mlops_model_set_param(m, settings->keys[k]->text,
                                   mlops__pipeline_setting_text(settings->items[k]));
    if (rc != MLOPS_OK) {
        mlops_model_free(m);
        return rc;
    }
    *out = m;
    return MLOPS_OK;
}

/* The card goes on the fitted model: a grid search's best model is a new
 * object. The time of this run is in the lock file, so the creation time
 * is left empty and the model file repeats byte for byte. */
static int apply_card(mlops__run *r)
{
    mlops_model *m = r->model;
    const mlops__ynode *card = mlops__pipeline_node(r->p, "model.card");
    int rc = MLOPS_OK;
    for (size_t k = 0; card != NULL && rc == MLOPS_OK && k < card->count; k++)
        rc = mlops_model_card_set(m, card->keys[k]->text, mlops__ynode_text(card->items[k]));
    if (rc == MLOPS_OK && (card == NULL || mlops__ynode_get(card, "name") == NULL))
        rc = mlops_model_card_set(m, "name", mlops__pipeline_value(r->p, "name"));
    if (rc == MLOPS_OK) rc = mlops_model_card_set(m, "created", "");
    return rc;
}

/* "key=v1,v2;key2=..." from model.search.grid. */
static char *grid_text(const mlops__ynode *grid)
{
    size_t total = 1;
    for (size_t k = 0; k < grid->count; k++) {
        total += strlen(grid->keys[k]->text) + 2;
        const mlops__ynode *v = grid->items[k];
        if (v->kind == MLOPS_YNODE_SCALAR) total += strlen(v->text) + 1;
        for (size_t i = 0; v->kind == MLOPS_YNODE_SEQUENCE && i < v->count; i++)
            total += strlen(v->items[i]->text) + 1;
    }
    char *out = mlops__malloc(total, "grid");
    if (out == NULL) return NULL;
    size_t len = 0;
    for (size_t k = 0; k < grid->count; k++) {
        len += (size_t)snprintf(out + len, total - len, "%s%s=", k ? ";" : "", grid->keys[k]->text);
        char *values = mlops__run_join(grid->items[k], ",");
        if (values == NULL) {
            mlops__free(out);
            return NULL;
        }
        len += (size_t)snprintf(out + len, total - len, "%s", values);
        mlops__free(values);
    }
    return out;
}

static int search(mlops__run *r, const mlops__ynode *cfg)
{
    mlops_evaluator *ev = NULL;
    mlops_report *rep = NULL;
    mlops_model *best = NULL;
    char *grid = grid_text(mlops__ynode_get(cfg, "grid"));
    if (grid == NULL) return MLOPS_ENOMEM;
    int rc = mlops_evaluator_create(&ev);
    if (rc == MLOPS_OK)
        rc = mlops_evaluator_set_param(ev, "cv_folds", mlops__pipeline_value(r->p, "model.search.folds"));
    const char *metric = mlops__pipeline_value(r->p, "model.search.metric");
    if (rc == MLOPS_OK && metric != NULL) rc = mlops_evaluator_set_param(ev, "metric", metric);
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", r->seed);
    if (rc == MLOPS_OK) rc = mlops_evaluator_set_param(ev, "seed", seed);
    if (rc == MLOPS_OK) rc = mlops_evaluator_grid_search(ev, r->model, r->train, grid, &best, &rep);
    char *json = NULL;
    if (rc == MLOPS_OK) rc = mlops_report_json(rep, &json);
    if (rc == MLOPS_OK) rc = mlops__run_write_json(r, "search.json", json);
    if (rc == MLOPS_OK) {
        mlops_model_free(r->model);
        r->model = best;
        best = NULL;
    }
    mlops_model_free(best);
    mlops_report_free(rep);
    mlops_evaluator_free(ev);
    mlops__free(grid);
    return rc;
}

int mlops__run_train(mlops__run *r)
{
    int rc = build_model(r, &r->model);
    const mlops__ynode *cfg = mlops__pipeline_node(r->p, "model.search");
    if (rc == MLOPS_OK && cfg != NULL) rc = search(r, cfg);
    else if (rc == MLOPS_OK) rc = mlops_model_fit(r->model, r->train);
    if (rc == MLOPS_OK) rc = apply_card(r);
    char *path = rc == MLOPS_OK ? mlops__run_path(r, "model.mlops") : NULL;
    if (rc == MLOPS_OK && path == NULL) rc = MLOPS_ENOMEM;
    if (rc == MLOPS_OK) rc = mlops_model_save(r->model, path);
    mlops__free(path);
    if (rc == MLOPS_OK)
        rc = mlops_model_payload_hash(r->model, r->payload_sha256, sizeof r->payload_sha256);
    char *card = NULL;
    if (rc == MLOPS_OK) rc = mlops_model_card_json(r->model, &card);
    if (rc == MLOPS_OK) rc = mlops__run_write_json(r, "model_card.json", card);
    return rc;
}
