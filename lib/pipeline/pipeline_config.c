/* mlops_pipeline_config_json: the configuration a run really used, for
 * the lock file and for users: overrides applied, the table's defaults
 * filled in for every section present (and every required one), paths
 * made absolute, keys in the table's order, values typed as the table
 * says (numbers as numbers, booleans as booleans). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "core/numfmt.h"
#include "pipeline/pipeline_check.h"
#include "pipeline/pipeline_schema.h"

/* Keys whose value is a file or directory named relative to the pipeline file. */
static bool is_path(const char *key, const char *text)
{
    static const char *const paths[] = {"data.path", "data.schema", "output.dir", "registry.path"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (strcmp(key, paths[i]) == 0) return true;
    return strcmp(key, "monitor.current") == 0 && strcmp(text, "test") != 0;
}

static void write_path(mlops__json *j, const mlops_pipeline *p, const char *key, const char *text)
{
    if (!is_path(key, text)) {
        mlops__json_string(j, text);
        return;
    }
    char *abs = mlops__pipeline_resolve(p, text);
    if (abs == NULL && j->status == MLOPS_OK) j->status = MLOPS_ENOMEM;
    mlops__json_string(j, abs);
    mlops__free(abs);
}

/* A scalar (node text or default) as the type `type` wants. */
static void write_scalar(mlops__json *j, const mlops_pipeline *p, const mlops__ykey *k, mlops__ykey_type type,
                         const mlops__ynode *n, const char *text)
{
    mlops__ynode fallback = {.kind = MLOPS_YNODE_SCALAR, .plain = true};
    if (n == NULL) {
        fallback.text = (char *)text;
        fallback.len = strlen(text);
        n = &fallback;
    }
    long long i;
    double d;
    bool b;
    if (type == MLOPS_YKEY_STRING || type == MLOPS_YKEY_STRINGS)
        write_path(j, p, k->path, n->text);
    else if ((type == MLOPS_YKEY_INT || type == MLOPS_YKEY_SCALAR || type == MLOPS_YKEY_SCALARS) &&
             mlops__ynode_int(n, &i))
        mlops__json_int(j, i);
    else if (type != MLOPS_YKEY_BOOL && mlops__ynode_double(n, &d))
        mlops__json_double(j, d);
    else if (mlops__ynode_bool(n, &b))
        mlops__json_bool(j, b);
    else
        mlops__json_string(j, n->text);
}

static void write_map(mlops__json *j, const mlops_pipeline *p, const char *pattern, const mlops__ynode *map);

static void write_value(mlops__json *j, const mlops_pipeline *p, const mlops__ykey *k, const mlops__ynode *n)
{
    switch (k->type) {
    case MLOPS_YKEY_MAP: write_map(j, p, k->path, n != NULL && n->kind == MLOPS_YNODE_MAPPING ? n : NULL); return;
    case MLOPS_YKEY_LIST: {
        char pattern[128];
        strcpy(pattern, k->path);
        strcat(pattern, ".[]");
        mlops__json_begin_array(j);
        for (size_t i = 0; n != NULL && i < n->count; i++) write_map(j, p, pattern, n->items[i]);
        mlops__json_end_array(j);
        return;
    }
    case MLOPS_YKEY_STRINGS:
    case MLOPS_YKEY_SCALARS:
        mlops__json_begin_array(j);
        if (n == NULL)
            write_scalar(j, p, k, k->type, NULL, k->fallback);
        for (size_t i = 0; n != NULL && i < mlops__pipeline_count(n); i++)
            write_scalar(j, p, k, k->type, mlops__pipeline_item(n, i), NULL);
        mlops__json_end_array(j);
        return;
    default: write_scalar(j, p, k, k->type, n, k->fallback); return;
    }
}

static bool child_of(const char *pattern, const mlops__ykey *k, const char **last)
{
    size_t n = strlen(pattern);
    const char *rest = k->path;
    if (n > 0) {
        if (strncmp(k->path, pattern, n) != 0 || k->path[n] != '.') return false;
        rest += n + 1;
    }
    *last = rest;
    return strchr(rest, '.') == NULL;
}

/* Sections a run uses even when the file leaves them out: the default
 * preprocessing chain and the default run directory. Returns whether `key`
 * was one of them (and was written). */
static bool write_implied(mlops__json *j, const mlops_pipeline *p, const char *key)
{
    if (strcmp(key, "preprocess") == 0) {
        mlops__json_key(j, key);
        mlops__json_begin_array(j);
        for (size_t s = 0; s < MLOPS_DEFAULT_STEPS; s++) {
            const mlops__default_step *d = &mlops__default_chain[s];
            mlops__json_begin_object(j);
            mlops__json_key(j, "step");
            mlops__json_string(j, d->step);
            mlops__json_key(j, "columns");
            mlops__json_begin_array(j);
            mlops__json_string(j, "*");
            mlops__json_end_array(j);
            mlops__json_key(j, "settings");
            mlops__json_begin_object(j);
            mlops__json_key(j, d->key);
            if (strcmp(d->value, "true") == 0) mlops__json_bool(j, true);
            else mlops__json_string(j, d->value);
            mlops__json_end_object(j);
            mlops__json_end_object(j);
        }
        mlops__json_end_array(j);
        return true;
    }
    if (strcmp(key, "output") == 0) {
        const char *name = mlops__pipeline_value(p, "name");
        size_t n = strlen(name ? name : "") + sizeof "runs/";
        char *rel = mlops__malloc(n, "run directory");
        char *abs = NULL;
        if (rel != NULL) {
            snprintf(rel, n, "runs/%s", name ? name : "");
            abs = mlops__pipeline_resolve(p, rel);
        }
        if (abs == NULL && j->status == MLOPS_OK) j->status = MLOPS_ENOMEM;
        mlops__json_key(j, key);
        mlops__json_begin_object(j);
        mlops__json_key(j, "dir");
        mlops__json_string(j, abs);
        mlops__json_end_object(j);
        mlops__free(rel);
        mlops__free(abs);
        return true;
    }
    return false;
}

static void write_map(mlops__json *j, const mlops_pipeline *p, const char *pattern, const mlops__ynode *map)
{
    const mlops__ykey *star = NULL;
    mlops__json_begin_object(j);
    for (size_t i = 0; i < mlops__pipeline_key_count; i++) {
        const mlops__ykey *k = &mlops__pipeline_keys[i];
        const char *last;
        if (!child_of(pattern, k, &last)) continue;
        if (strcmp(last, "*") == 0) {
            star = k;
            continue;
        }
        const mlops__ynode *n = mlops__ynode_get(map, last);
        if (mlops__ynode_is_null(n)) n = NULL;
        if (n == NULL && pattern[0] == '\0' && write_implied(j, p, last)) continue;
        /* evaluate and monitor run with their defaults even when absent */
        bool always = strcmp(k->path, "evaluate") == 0 || strcmp(k->path, "monitor") == 0;
        bool section = k->type == MLOPS_YKEY_MAP &&
                       (k->required || always || mlops__ynode_get(map, last) != NULL);
        if (n == NULL && k->fallback == NULL && !section) continue;
        mlops__json_key(j, last);
        write_value(j, p, k, n);
    }
    for (size_t i = 0; star != NULL && map != NULL && i < map->count; i++) {
        mlops__json_key(j, map->keys[i]->text);
        write_value(j, p, star, map->items[i]);
    }
    mlops__json_end_object(j);
}

MLOPS_API int mlops_pipeline_config_json(const mlops_pipeline *p, char **json)
{
    MLOPS_CHECK_ARG(json != NULL, "mlops_pipeline_config_json", "NULL json");
    *json = NULL;
    MLOPS_CHECK_ARG(p != NULL, "mlops_pipeline_config_json", "NULL pipeline");
    if (!p->validated)
        return mlops__fail(MLOPS_ESTATE, "pipeline %s: not validated since it was loaded or changed", p->path);
    if (p->nproblems > 0)
        return mlops__fail(MLOPS_ESTATE, "pipeline %s: %zu problem%s remain", p->path, p->nproblems,
                           p->nproblems == 1 ? "" : "s");
    mlops__json j;
    mlops__json_init(&j, true);
    write_map(&j, p, "", p->tree.root);
    size_t len;
    int rc = mlops__json_finish(&j, json, &len);
    mlops__json_free(&j);
    return rc;
}
