/* Loading a pipeline file and reading its configuration back: the
 * object's life cycle, the problem list of the last validation, and the
 * helpers the runner reads values through (pipeline_impl.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json.h"
#include "core/sha256.h"
#include "pipeline/pipeline_check.h"
#include "pipeline/pipeline_impl.h"
#include "pipeline/pipeline_schema.h"

/* The absolute directory of `path`, symbolic links in it resolved. */
static int file_dir(const char *path, char **out)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *dir = mlops__malloc(n + 1, "pipeline directory");
    if (dir == NULL) return MLOPS_ENOMEM;
    if (slash == NULL)
        memcpy(dir, ".", 2);
    else {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    char resolved[PATH_MAX];
    if (realpath(dir, resolved) == NULL) {
        int rc = mlops__fail(MLOPS_EIO, "pipeline '%s': cannot resolve its directory '%s'", path, dir);
        mlops__free(dir);
        return rc;
    }
    mlops__free(dir);
    *out = mlops__strdup(resolved, "pipeline directory");
    return *out == NULL ? MLOPS_ENOMEM : MLOPS_OK;
}

MLOPS_API int mlops_pipeline_load(mlops_pipeline **out, const char *path)
{
    MLOPS_CHECK_ARG(out != NULL, "mlops_pipeline_load", "NULL out");
    *out = NULL;
    MLOPS_CHECK_ARG(path != NULL, "mlops_pipeline_load", "NULL path");
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = mlops__ytree_slurp(path, &data, &len);
    if (rc != MLOPS_OK) return rc;
    mlops_pipeline *p = mlops__calloc(1, sizeof *p, "pipeline");
    if (p == NULL) {
        mlops__free(data);
        return MLOPS_ENOMEM;
    }
    mlops__sha256_hex(data, len, p->sha256);
    rc = mlops__ytree_read_buffer(&p->tree, path, (const char *)data, len);
    mlops__free(data);
    if (rc == MLOPS_OK) {
        p->path = mlops__strdup(path, "pipeline path");
        rc = p->path == NULL ? MLOPS_ENOMEM : file_dir(path, &p->dir);
    }
    if (rc != MLOPS_OK) {
        mlops_pipeline_free(p);
        return rc;
    }
    *out = p;
    return MLOPS_OK;
}

static void clear_problems(mlops_pipeline *p)
{
    for (size_t i = 0; i < p->nproblems; i++) {
        mlops__pipeline_problem *q = &p->problems[i];
        mlops__free(q->file);
        mlops__free(q->key);
        mlops__free(q->message);
        mlops__free(q->suggestion);
        mlops__free(q->text);
    }
    p->nproblems = 0;
}

void mlops__pipeline_clear_problems(mlops_pipeline *p)
{
    clear_problems(p);
}

MLOPS_API void mlops_pipeline_free(mlops_pipeline *p)
{
    if (p == NULL) return;
    clear_problems(p);
    mlops__free(p->problems);
    for (size_t i = 0; i < p->noverrides; i++) mlops__free(p->overrides[i]);
    mlops__free(p->overrides);
    mlops__ytree_free(&p->tree);
    mlops__free(p->path);
    mlops__free(p->dir);
    mlops__free(p->summary_json);
    mlops__free(p);
}

MLOPS_API size_t mlops_pipeline_problem_count(const mlops_pipeline *p)
{
    return p == NULL ? 0 : p->nproblems;
}

MLOPS_API const char *mlops_pipeline_problem(const mlops_pipeline *p, size_t i)
{
    return p == NULL || i >= p->nproblems ? NULL : p->problems[i].text;
}

MLOPS_API int mlops_pipeline_problems_json(const mlops_pipeline *p, char **json)
{
    MLOPS_CHECK_ARG(json != NULL, "mlops_pipeline_problems_json", "NULL json");
    *json = NULL;
    MLOPS_CHECK_ARG(p != NULL, "mlops_pipeline_problems_json", "NULL pipeline");
    mlops__json j;
    mlops__json_init(&j, false);
    mlops__json_begin_array(&j);
    for (size_t i = 0; i < p->nproblems; i++) {
        const mlops__pipeline_problem *q = &p->problems[i];
        mlops__json_begin_object(&j);
        mlops__json_key(&j, "file");
        mlops__json_string(&j, q->file);
        mlops__json_key(&j, "line");
        mlops__json_uint(&j, q->line);
        mlops__json_key(&j, "column");
        mlops__json_uint(&j, q->col);
        mlops__json_key(&j, "key");
        mlops__json_string(&j, q->key);
        mlops__json_key(&j, "message");
        mlops__json_string(&j, q->message);
        mlops__json_key(&j, "suggestion");
        mlops__json_string(&j, q->suggestion);
        mlops__json_end_object(&j);
    }
    mlops__json_end_array(&j);
    size_t len;
    int rc = mlops__json_finish(&j, json, &len);
    mlops__json_free(&j);
    return rc;
}

MLOPS_API int mlops_pipeline_set_step_callback(mlops_pipeline *p, mlops_pipeline_step_fn fn,
                                               void *ctx)
{
    MLOPS_CHECK_ARG(p != NULL, "mlops_pipeline_set_step_callback", "NULL pipeline");
    p->step_fn = fn;
    p->step_ctx = fn != NULL ? ctx : NULL;
    return MLOPS_OK;
}

const mlops__ynode *mlops__pipeline_node(const mlops_pipeline *p, const char *path)
{
    return p == NULL ? NULL : mlops__ynode_path(p->tree.root, path);
}

const char *mlops__pipeline_value(const mlops_pipeline *p, const char *path)
{
    const mlops__ynode *n = mlops__pipeline_node(p, path);
    if (n != NULL && n->kind == MLOPS_YNODE_SCALAR && !mlops__ynode_is_null(n)) return n->text;
    const mlops__ykey *k = mlops__pipeline_key(path);
    return k != NULL ? k->fallback : NULL;
}

/* Removes "." and "NAME/.." parts of absolute path `s` in place, so the
 * lock and the model record "/data/cars.csv", not "/p/../data/cars.csv".
 * Lexical only: symbolic links are left as the user named them. */
static void clean_path(char *s)
{
    if (s[0] != '/') return;
    size_t out = 0, in = 0, len = strlen(s);
    while (in < len) {
        while (in < len && s[in] == '/') in++;
        size_t start = in;
        while (in < len && s[in] != '/') in++;
        size_t n = in - start;
        if (n == 0 || (n == 1 && s[start] == '.')) continue;
        if (n == 2 && s[start] == '.' && s[start + 1] == '.') {
            while (out > 0 && s[out - 1] != '/') out--;
            if (out > 0) out--;
            continue;
        }
        s[out++] = '/';
        memmove(s + out, s + start, n);
        out += n;
    }
    if (out == 0) s[out++] = '/';
    s[out] = '\0';
}

char *mlops__pipeline_resolve(const mlops_pipeline *p, const char *rel)
{
    if (rel == NULL) return NULL;
    if (rel[0] == '/' || p == NULL || p->dir == NULL) return mlops__strdup(rel, "pipeline path");
    size_t nd = strlen(p->dir), nr = strlen(rel);
    char *s = mlops__malloc(nd + nr + 2, "pipeline path");
    if (s == NULL) return NULL;
    memcpy(s, p->dir, nd);
    size_t at = nd;
    if (at == 0 || s[at - 1] != '/') s[at++] = '/';
    memcpy(s + at, rel, nr + 1);
    clean_path(s);
    return s;
}
