/* The structural pass of validation: the file's mappings are walked beside
 * the schema table (pipeline_schema.c), so unknown keys, wrong types,
 * missing required keys and values outside an enumeration are all found
 * in one walk. The walk goes node by node, never through dotted strings,
 * because column names may themselves contain dots. */
#include <stdio.h>
#include <string.h>

#include "core/suggest.h"
#include "pipeline/pipeline_check.h"
#include "pipeline/pipeline_schema.h"

/* Whether table entry `k` is a direct child of `pattern` ("" for the
 * document); *last receives its last part. */
static bool is_child(const char *pattern, const mlops__ykey *k, const char **last)
{
    size_t n = strlen(pattern);
    const char *rest = k->path;
    if (n > 0) {
        if (strncmp(k->path, pattern, n) != 0 || k->path[n] != '.') return false;
        rest = k->path + n + 1;
    }
    if (strchr(rest, '.') != NULL) return false;
    *last = rest;
    return true;
}

/* The entry for key `name` under `pattern`: the named one, else "*". */
static const mlops__ykey *child_entry(const char *pattern, const char *name)
{
    const mlops__ykey *star = NULL;
    for (size_t i = 0; i < mlops__pipeline_key_count; i++) {
        const char *last;
        if (!is_child(pattern, &mlops__pipeline_keys[i], &last)) continue;
        if (strcmp(last, name) == 0) return &mlops__pipeline_keys[i];
        if (strcmp(last, "*") == 0) star = &mlops__pipeline_keys[i];
    }
    return star;
}

typedef struct names {
    const char *v[128];
    size_t n;
} names;

static const char *name_at(size_t i, const void *ctx)
{
    return ((const names *)ctx)->v[i];
}

static const char *nearest_sibling(const char *pattern, const char *given)
{
    names s = {{NULL}, 0};
    for (size_t i = 0; i < mlops__pipeline_key_count && s.n < 128; i++) {
        const char *last;
        if (is_child(pattern, &mlops__pipeline_keys[i], &last) && strcmp(last, "*") != 0)
            s.v[s.n++] = last;
    }
    return mlops__suggest(given, s.n, name_at, &s);
}

static void join_key(char *out, const char *parent, const char *name)
{
    snprintf(out, MLOPS_PIPELINE_KEY_MAX, "%s%s%s", parent, *parent ? "." : "", name);
}

static const char *nearest_allowed(const char *allowed, const char *given, names *s, char *buf,
                                   size_t size)
{
    snprintf(buf, size, "%s", allowed);
    s->n = 0;
    for (char *part = buf; part != NULL && s->n < 128;) {
        char *bar = strchr(part, '|');
        if (bar != NULL) *bar = '\0';
        s->v[s->n++] = part;
        part = bar != NULL ? bar + 1 : NULL;
    }
    return mlops__suggest(given, s->n, name_at, s);
}

/* The value of an enumerated key must be one of its allowed words. */
static int check_allowed(mlops_pipeline *p, const mlops__ykey *k, const mlops__ynode *n, const char *key)
{
    char buf[256];
    names s;
    const char *near = nearest_allowed(k->allowed, n->text, &s, buf, sizeof buf);
    for (size_t i = 0; i < s.n; i++)
        if (strcmp(s.v[i], n->text) == 0) return MLOPS_OK;
    char list[256] = "";
    for (size_t i = 0, at = 0; i < s.n && at < sizeof list; i++)
        at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", s.v[i]);
    char got[MLOPS_PIPELINE_QUOTE_MAX + 32];
    mlops__pipeline_got(n, got, sizeof got);
    if (s.n == 1) return mlops__pipeline_add_problem(p, n, key, NULL, "must be %s, not %s", list, got);
    return mlops__pipeline_add_problem(p, n, key, near, "%s is not one of %s", got, list);
}

static int expected(mlops_pipeline *p, const mlops__ynode *n, const char *key, const char *what)
{
    char got[MLOPS_PIPELINE_QUOTE_MAX + 32];
    return mlops__pipeline_add_problem(p, n, key, NULL, "expected %s, got %s", what,
                                       mlops__pipeline_got(n, got, sizeof got));
}

static bool is_value(const mlops__ynode *n)
{
    return n->kind == MLOPS_YNODE_SCALAR && !mlops__ynode_is_null(n);
}

static int check_map(mlops_pipeline *p, const char *pattern, const mlops__ynode *map,
                     const mlops__ynode *at, const char *key);

/* A list of scalars (STRINGS: a single scalar counts as a list of one). */
static int check_items(mlops_pipeline *p, const mlops__ykey *k, const mlops__ynode *n, const char *key)
{
    bool strings = k->type == MLOPS_YKEY_STRINGS;
    const char *what = strings ? "a string or a list of strings" : "a non-empty list of values";
    if (strings && is_value(n)) return MLOPS_OK;
    if (n->kind != MLOPS_YNODE_SEQUENCE || (!strings && n->count == 0)) return expected(p, n, key, what);
    for (size_t i = 0; i < n->count; i++) {
        char item[MLOPS_PIPELINE_KEY_MAX];
        mlops__pipeline_keyf(item, "%s[%zu]", key, i);
        if (!is_value(n->items[i])) {
            int rc = expected(p, n->items[i], item, strings ? "a string" : "a string, number or boolean");
            if (rc != MLOPS_OK) return rc;
        }
    }
    return MLOPS_OK;
}

static int check_value(mlops_pipeline *p, const mlops__ykey *k, const mlops__ynode *n,
                       const mlops__ynode *keynode, const char *key)
{
    double d;
    long long i;
    bool b;
    switch (k->type) {
    case MLOPS_YKEY_MAP:
        if (mlops__ynode_is_null(n)) return check_map(p, k->path, NULL, keynode, key);
        if (n->kind != MLOPS_YNODE_MAPPING) return expected(p, n, key, "a mapping");
        return check_map(p, k->path, n, n, key);
    case MLOPS_YKEY_LIST: {
        if (n->kind != MLOPS_YNODE_SEQUENCE) return expected(p, n, key, "a list of mappings");
        char pattern[128];
        snprintf(pattern, sizeof pattern, "%s.[]", k->path);
        for (size_t j = 0; j < n->count; j++) {
            char item[MLOPS_PIPELINE_KEY_MAX];
            mlops__pipeline_keyf(item, "%s[%zu]", key, j);
            int rc = n->items[j]->kind == MLOPS_YNODE_MAPPING
                         ? check_map(p, pattern, n->items[j], n->items[j], item)
                         : expected(p, n->items[j], item, "a mapping");
            if (rc != MLOPS_OK) return rc;
        }
        return MLOPS_OK;
    }
    case MLOPS_YKEY_STRINGS:
    case MLOPS_YKEY_SCALARS: return check_items(p, k, n, key);
    case MLOPS_YKEY_STRING:
        if (!is_value(n)) return expected(p, n, key, "a string");
        break;
    case MLOPS_YKEY_SCALAR:
        if (!is_value(n)) return expected(p, n, key, "a string, number or boolean");
        break;
    case MLOPS_YKEY_INT:
        if (!mlops__ynode_int(n, &i)) return expected(p, n, key, "an integer");
        break;
    case MLOPS_YKEY_NUMBER:
        if (!mlops__ynode_double(n, &d)) return expected(p, n, key, "a number");
        break;
    case MLOPS_YKEY_BOOL:
        if (!mlops__ynode_bool(n, &b)) return expected(p, n, key, "true or false");
        break;
    }
    return k->allowed != NULL ? check_allowed(p, k, n, key) : MLOPS_OK;
}

/* `map` (NULL when the section is written empty) under table `pattern`;
 * missing required keys are reported at `at`, the mapping itself. */
static int check_map(mlops_pipeline *p, const char *pattern, const mlops__ynode *map,
                     const mlops__ynode *at, const char *key)
{
    char child[MLOPS_PIPELINE_KEY_MAX];
    size_t count = map != NULL ? map->count : 0;
    for (size_t i = 0; i < count; i++) {
        const mlops__ynode *name = map->keys[i];
        const mlops__ykey *k = child_entry(pattern, name->text);
        join_key(child, key, name->text);
        int rc = k != NULL ? check_value(p, k, map->items[i], name, child)
                           : mlops__pipeline_add_problem(p, name, child, nearest_sibling(pattern, name->text),
                                                         "unknown key '%s'", name->text);
        if (rc != MLOPS_OK) return rc;
    }
    for (size_t i = 0; i < mlops__pipeline_key_count; i++) {
        const mlops__ykey *k = &mlops__pipeline_keys[i];
        const char *last;
        if (!k->required || !is_child(pattern, k, &last) || strcmp(last, "*") == 0 ||
            mlops__ynode_get(map, last) != NULL)
            continue;
        join_key(child, key, last);
        int rc = mlops__pipeline_add_problem(p, at, child, NULL, "missing required key '%s'", last);
        if (rc != MLOPS_OK) return rc;
    }
    return MLOPS_OK;
}

int mlops__pipeline_check_keys(mlops_pipeline *p)
{
    const mlops__ynode *root = p->tree.root;
    if (root != NULL && root->kind != MLOPS_YNODE_MAPPING)
        return expected(p, root, "", "a mapping of the pipeline's sections");
    return check_map(p, "", root, root, "");
}
