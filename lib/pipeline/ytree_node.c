/* The node side of the YAML tree (see ytree.h): creating, appending,
 * freeing, looking up keys and reading scalars as numbers, booleans and
 * nulls by the YAML 1.2 core schema, which is what a pipeline file means. */
#include "pipeline/ytree.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"

/* Registers `n` in the tree's list of nodes, which is what frees it. */
static int track(mlops__ytree *t, mlops__ynode *n)
{
    if (t->nall == t->capall) {
        size_t cap = t->capall ? t->capall * 2 : 64;
        mlops__ynode **all = mlops__realloc_array(t->all, cap, sizeof *all, "YAML node list");
        if (all == NULL) return MLOPS_ENOMEM;
        t->all = all;
        t->capall = cap;
    }
    t->all[t->nall++] = n;
    return MLOPS_OK;
}

static mlops__ynode *new_node(mlops__ytree *t, mlops__ynode_kind kind, const char *file,
                              size_t line, size_t col)
{
    mlops__ynode *n = mlops__calloc(1, sizeof *n, "YAML node");
    if (n == NULL) return NULL;
    if (track(t, n) != MLOPS_OK) {
        mlops__free(n);
        return NULL;
    }
    n->kind = kind;
    n->file = file;
    n->line = line;
    n->col = col;
    n->expanded = 1;
    n->owned = true;
    return n;
}

mlops__ynode *mlops__ytree_new_scalar(mlops__ytree *t, const char *file, size_t line, size_t col,
                                      const char *text, bool plain)
{
    size_t len = strlen(text);
    char *copy = mlops__malloc(len + 1, "YAML scalar");
    if (copy == NULL) return NULL;
    memcpy(copy, text, len + 1);
    mlops__ynode *n = new_node(t, MLOPS_YNODE_SCALAR, file, line, col);
    if (n == NULL) {
        mlops__free(copy);
        return NULL;
    }
    n->text = copy;
    n->len = len;
    n->plain = plain;
    return n;
}

mlops__ynode *mlops__ytree_new_container(mlops__ytree *t, mlops__ynode_kind kind,
                                         const char *file, size_t line, size_t col)
{
    return new_node(t, kind, file, line, col);
}

int mlops__ytree_append(mlops__ynode *c, mlops__ynode *key, mlops__ynode *item)
{
    if (c == NULL || item == NULL || c->kind == MLOPS_YNODE_SCALAR ||
        (c->kind == MLOPS_YNODE_MAPPING) != (key != NULL))
        return mlops__fail(MLOPS_EINVAL, "YAML tree: bad append");
    if (!c->owned || c->count == c->cap) {
        /* A node shared through an alias gets its own arrays before it changes. */
        size_t cap = c->count == c->cap ? (c->cap ? c->cap * 2 : 4) : c->cap;
        mlops__ynode **items = mlops__malloc_array(cap, sizeof *items, "YAML items");
        mlops__ynode **keys = NULL;
        if (items != NULL && key != NULL) keys = mlops__malloc_array(cap, sizeof *keys, "YAML keys");
        if (items == NULL || (key != NULL && keys == NULL)) {
            mlops__free(items);
            return MLOPS_ENOMEM;
        }
        if (c->count > 0) {
            memcpy(items, c->items, c->count * sizeof *items);
            if (keys != NULL) memcpy(keys, c->keys, c->count * sizeof *keys);
        }
        if (c->owned) {
            mlops__free(c->items);
            mlops__free(c->keys);
        }
        c->items = items;
        c->keys = keys;
        c->cap = cap;
        c->owned = true;
    }
    c->items[c->count] = item;
    if (key != NULL) c->keys[c->count] = key;
    c->count++;
    c->expanded += item->expanded + (key != NULL ? key->expanded : 0);
    return MLOPS_OK;
}

void mlops__ytree_free(mlops__ytree *t)
{
    if (t == NULL) return;
    for (size_t i = 0; i < t->nall; i++) {
        mlops__ynode *n = t->all[i];
        if (n->owned) {
            mlops__free(n->text);
            mlops__free(n->items);
            mlops__free(n->keys);
        }
        mlops__free(n);
    }
    mlops__free(t->all);
    mlops__free(t->file);
    memset(t, 0, sizeof *t);
}

const mlops__ynode *mlops__ynode_get(const mlops__ynode *map, const char *key)
{
    if (map == NULL || map->kind != MLOPS_YNODE_MAPPING || key == NULL) return NULL;
    for (size_t i = 0; i < map->count; i++)
        if (map->keys[i]->kind == MLOPS_YNODE_SCALAR && strcmp(map->keys[i]->text, key) == 0)
            return map->items[i];
    return NULL;
}

const mlops__ynode *mlops__ynode_path(const mlops__ynode *root, const char *path)
{
    const mlops__ynode *n = root;
    char part[256];
    while (n != NULL && path != NULL && *path != '\0') {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        if (len >= sizeof part) return NULL;
        memcpy(part, path, len);
        part[len] = '\0';
        n = mlops__ynode_get(n, part);
        path = dot ? dot + 1 : NULL;
    }
    return n;
}

const char *mlops__ynode_text(const mlops__ynode *n)
{
    return n != NULL && n->kind == MLOPS_YNODE_SCALAR ? n->text : NULL;
}

static bool one_of(const char *s, const char *const *words)
{
    for (; *words != NULL; words++)
        if (strcmp(s, *words) == 0) return true;
    return false;
}

bool mlops__ynode_is_null(const mlops__ynode *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    return n == NULL || (n->kind == MLOPS_YNODE_SCALAR && n->plain && one_of(n->text, nulls));
}

bool mlops__ynode_bool(const mlops__ynode *n, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", NULL};
    static const char *const no[] = {"false", "False", "FALSE", NULL};
    if (n == NULL || n->kind != MLOPS_YNODE_SCALAR || !n->plain) return false;
    if (one_of(n->text, yes)) {
        *out = true;
        return true;
    }
    if (one_of(n->text, no)) {
        *out = false;
        return true;
    }
    return false;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? ; *integer set when it has
 * neither a fraction nor an exponent. */
static bool number_syntax(const char *s, bool *integer)
{
    size_t i = 0, digits = 0;
    *integer = true;
    if (s[i] == '-' || s[i] == '+') i++;
    while (s[i] >= '0' && s[i] <= '9') i++, digits++;
    if (s[i] == '.') {
        *integer = false;
        i++;
        while (s[i] >= '0' && s[i] <= '9') i++, digits++;
    }
    if (digits == 0) return false;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t exp = 0;
        *integer = false;
        i++;
        if (s[i] == '-' || s[i] == '+') i++;
        while (s[i] >= '0' && s[i] <= '9') i++, exp++;
        if (exp == 0) return false;
    }
    return s[i] == '\0';
}

bool mlops__ynode_double(const mlops__ynode *n, double *out)
{
    bool integer;
    if (n == NULL || n->kind != MLOPS_YNODE_SCALAR || !n->plain || !number_syntax(n->text, &integer))
        return false;
    double v = mlops__strtod_c(n->text, NULL);
    if (!isfinite(v)) return false;
    *out = v;
    return true;
}

bool mlops__ynode_int(const mlops__ynode *n, long long *out)
{
    bool integer;
    if (n == NULL || n->kind != MLOPS_YNODE_SCALAR || !n->plain || !number_syntax(n->text, &integer) ||
        !integer)
        return false;
    const char *s = n->text;
    bool neg = *s == '-';
    if (*s == '-' || *s == '+') s++;
    unsigned long long v = 0;
    for (; *s != '\0'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (9223372036854775807ULL - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = neg ? -(long long)v : (long long)v;
    return true;
}

const char *mlops__ynode_describe(const mlops__ynode *n)
{
    double d;
    bool b;
    if (n == NULL) return "null";
    if (n->kind == MLOPS_YNODE_MAPPING) return "mapping";
    if (n->kind == MLOPS_YNODE_SEQUENCE) return "sequence";
    if (!n->plain) return "string";
    if (mlops__ynode_is_null(n)) return "null";
    if (mlops__ynode_bool(n, &b)) return "boolean";
    if (mlops__ynode_double(n, &d)) return "number";
    return "string";
}
