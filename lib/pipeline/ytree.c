/* Reading a YAML (or JSON) document into a tree with positions (see
 * ytree.h), from libyaml's event stream rather than its document loader:
 * the loader copies aliased nodes and keeps no limit, while here an alias
 * is a shallow copy sharing the anchored node's children and the expanded
 * size is counted as events arrive, so an exponential "billion laughs"
 * document stops after a bounded amount of work and memory. */
#include "pipeline/ytree.h"

#include <stdint.h>
#include <string.h>
#include <yaml.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"

/* A small hash table: anchors by name, and the keys already seen in each
 * mapping (owner = the mapping), so both checks stay linear in the input. */
typedef struct entry {
    const void *owner;
    const char *name;
    size_t len;
    mlops__ynode *node;
    bool own_name;
} entry;

typedef struct table {
    entry *e;
    size_t cap, n;
} table;

typedef struct reader {
    mlops__ytree *t;
    yaml_parser_t parser;
    mlops__ynode *stack[MLOPS_YTREE_MAX_DEPTH];
    mlops__ynode *key[MLOPS_YTREE_MAX_DEPTH]; /* a mapping's key awaiting its value */
    size_t depth;
    table anchors, keys;
    size_t total; /* nodes of the document so far, aliases expanded */
    int documents;
} reader;

static size_t hash(const void *owner, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)owner;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 29));
}

static entry *slot(table *tb, const void *owner, const char *s, size_t len)
{
    size_t i = hash(owner, s, len) & (tb->cap - 1);
    while (tb->e[i].name != NULL &&
           !(tb->e[i].owner == owner && tb->e[i].len == len && memcmp(tb->e[i].name, s, len) == 0))
        i = (i + 1) & (tb->cap - 1);
    return &tb->e[i];
}

static entry *find(table *tb, const void *owner, const char *s, size_t len)
{
    if (tb->cap == 0) return NULL;
    entry *e = slot(tb, owner, s, len);
    return e->name != NULL ? e : NULL;
}

/* Inserts or replaces (a redefined anchor names the newer node). */
static int put(table *tb, const void *owner, const char *s, size_t len, mlops__ynode *node,
               bool copy_name)
{
    if ((tb->n + 1) * 2 > tb->cap) {
        size_t cap = tb->cap ? tb->cap * 2 : 64;
        entry *e = mlops__calloc(cap, sizeof *e, "YAML lookup table");
        if (e == NULL) return MLOPS_ENOMEM;
        table grown = {e, cap, tb->n};
        for (size_t i = 0; i < tb->cap; i++)
            if (tb->e[i].name != NULL)
                *slot(&grown, tb->e[i].owner, tb->e[i].name, tb->e[i].len) = tb->e[i];
        mlops__free(tb->e);
        *tb = grown;
    }
    entry *e = slot(tb, owner, s, len);
    if (e->name != NULL) {
        e->node = node;
        return MLOPS_OK;
    }
    char *name = NULL;
    if (copy_name) {
        name = mlops__malloc(len + 1, "YAML anchor name");
        if (name == NULL) return MLOPS_ENOMEM;
        memcpy(name, s, len);
        name[len] = '\0';
    }
    *e = (entry){owner, copy_name ? name : s, len, node, copy_name};
    tb->n++;
    return MLOPS_OK;
}

static void table_free(table *tb)
{
    for (size_t i = 0; i < tb->cap; i++)
        if (tb->e[i].own_name) mlops__free((char *)tb->e[i].name);
    mlops__free(tb->e);
}

static int fail_at(const reader *r, const yaml_mark_t *m, const char *what, const char *detail)
{
    return mlops__fail(MLOPS_EFORMAT, "%s:%zu:%zu: %s%s", r->t->file, m->line + 1, m->column + 1,
                       what, detail);
}

static int count(reader *r, size_t n, const yaml_mark_t *m, bool alias)
{
    r->total += n;
    if (r->total <= MLOPS_YTREE_MAX_EXPANDED) return MLOPS_OK;
    return mlops__fail(MLOPS_EFORMAT, "%s:%zu:%zu: %s %d nodes", r->t->file, m->line + 1,
                       m->column + 1, alias ? "alias expansion exceeds" : "the document has more than",
                       (int)MLOPS_YTREE_MAX_EXPANDED);
}

/* Whether the next node in the innermost open mapping would be a key. */
static bool at_key(const reader *r)
{
    return r->depth > 0 && r->stack[r->depth - 1]->kind == MLOPS_YNODE_MAPPING &&
           r->key[r->depth - 1] == NULL;
}

/* Places a complete node under its parent (or as the root). */
static int attach(reader *r, mlops__ynode *n, const yaml_mark_t *m)
{
    if (r->depth == 0) {
        r->t->root = n;
        return MLOPS_OK;
    }
    mlops__ynode *parent = r->stack[r->depth - 1];
    if (parent->kind == MLOPS_YNODE_SEQUENCE) return mlops__ytree_append(parent, NULL, n);
    if (r->key[r->depth - 1] == NULL) {
        if (n->kind != MLOPS_YNODE_SCALAR)
            return fail_at(r, m, "a mapping key must be a scalar, not a ", mlops__ynode_describe(n));
        entry *seen = find(&r->keys, parent, n->text, n->len);
        if (seen != NULL)
            return mlops__fail(MLOPS_EFORMAT, "%s:%zu:%zu: duplicate key '%s' (first at line %zu, column %zu)",
                               r->t->file, m->line + 1, m->column + 1, n->text, seen->node->line,
                               seen->node->col);
        int rc = put(&r->keys, parent, n->text, n->len, n, false);
        if (rc == MLOPS_OK) r->key[r->depth - 1] = n;
        return rc;
    }
    int rc = mlops__ytree_append(parent, r->key[r->depth - 1], n);
    r->key[r->depth - 1] = NULL;
    return rc;
}

static int on_anchor(reader *r, const yaml_char_t *anchor, mlops__ynode *n)
{
    if (anchor == NULL) return MLOPS_OK;
    const char *name = (const char *)anchor;
    return put(&r->anchors, NULL, name, strlen(name), n, true);
}

static int on_scalar(reader *r, const yaml_event_t *ev)
{
    const yaml_mark_t *m = &ev->start_mark;
    const char *text = (const char *)ev->data.scalar.value;
    if (memchr(text, '\0', ev->data.scalar.length) != NULL)
        return fail_at(r, m, "a string holds a NUL character", "");
    int rc = count(r, 1, m, false);
    if (rc != MLOPS_OK) return rc;
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && ev->data.scalar.tag == NULL;
    mlops__ynode *n = mlops__ytree_new_scalar(r->t, r->t->file, m->line + 1, m->column + 1, text, plain);
    if (n == NULL) return MLOPS_ENOMEM;
    rc = on_anchor(r, ev->data.scalar.anchor, n);
    return rc != MLOPS_OK ? rc : attach(r, n, m);
}

static int on_alias(reader *r, const yaml_event_t *ev)
{
    const yaml_mark_t *m = &ev->start_mark;
    const char *name = (const char *)ev->data.alias.anchor;
    entry *e = find(&r->anchors, NULL, name, strlen(name));
    if (e == NULL) return fail_at(r, m, "unknown anchor: *", name);
    const mlops__ynode *target = e->node;
    for (size_t i = 0; i < r->depth; i++)
        if (r->stack[i] == target) return fail_at(r, m, "an alias inside its own anchored node: *", name);
    int rc = count(r, target->expanded, m, true);
    if (rc != MLOPS_OK) return rc;
    mlops__ynode *n =
        mlops__ytree_new_container(r->t, target->kind, r->t->file, m->line + 1, m->column + 1);
    if (n == NULL) return MLOPS_ENOMEM;
    /* shares the target's text and children; only the position is the alias's */
    n->text = target->text;
    n->len = target->len;
    n->plain = target->plain;
    n->items = target->items;
    n->keys = target->keys;
    n->count = n->cap = target->count;
    n->expanded = target->expanded;
    n->owned = false;
    return attach(r, n, m);
}

static int on_start(reader *r, const yaml_event_t *ev, mlops__ynode_kind kind, const yaml_char_t *anchor)
{
    const yaml_mark_t *m = &ev->start_mark;
    if (at_key(r))
        return fail_at(r, m, "a mapping key must be a scalar, not a ",
                       kind == MLOPS_YNODE_MAPPING ? "mapping" : "sequence");
    if (r->depth == MLOPS_YTREE_MAX_DEPTH)
        return mlops__fail(MLOPS_EFORMAT, "%s:%zu:%zu: nesting deeper than %d levels", r->t->file,
                           m->line + 1, m->column + 1, (int)MLOPS_YTREE_MAX_DEPTH);
    int rc = count(r, 1, m, false);
    if (rc != MLOPS_OK) return rc;
    mlops__ynode *n = mlops__ytree_new_container(r->t, kind, r->t->file, m->line + 1, m->column + 1);
    if (n == NULL) return MLOPS_ENOMEM;
    rc = on_anchor(r, anchor, n);
    if (rc != MLOPS_OK) return rc;
    r->stack[r->depth] = n;
    r->key[r->depth] = NULL;
    r->depth++;
    return MLOPS_OK;
}

static int on_event(reader *r, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++r->documents > 1)
            return fail_at(r, &ev->start_mark, "more than one document in the file", "");
        return MLOPS_OK;
    case YAML_SCALAR_EVENT: return on_scalar(r, ev);
    case YAML_ALIAS_EVENT: return on_alias(r, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_start(r, ev, MLOPS_YNODE_SEQUENCE, ev->data.sequence_start.anchor);
    case YAML_MAPPING_START_EVENT:
        return on_start(r, ev, MLOPS_YNODE_MAPPING, ev->data.mapping_start.anchor);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        mlops__ynode *n = r->stack[--r->depth];
        return attach(r, n, &ev->start_mark);
    }
    default: return MLOPS_OK;
    }
}

static int syntax_error(const reader *r)
{
    const yaml_parser_t *p = &r->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return mlops__fail(MLOPS_ENOMEM, "%s: out of memory while reading YAML", r->t->file);
    const yaml_mark_t *m = p->problem_mark.line || p->problem_mark.column || p->context == NULL
                               ? &p->problem_mark
                               : &p->context_mark;
    const char *problem = p->problem ? p->problem : "not valid YAML";
    if (p->context != NULL)
        return mlops__fail(MLOPS_EFORMAT, "%s:%zu:%zu: %s %s started at line %zu, column %zu",
                           r->t->file, m->line + 1, m->column + 1, problem, p->context,
                           p->context_mark.line + 1, p->context_mark.column + 1);
    return mlops__fail(MLOPS_EFORMAT, "%s:%zu:%zu: %s", r->t->file, m->line + 1, m->column + 1,
                       problem);
}

int mlops__ytree_read_buffer(mlops__ytree *out, const char *name, const char *text, size_t len)
{
    if (out == NULL) return mlops__fail(MLOPS_EINVAL, "YAML reader: NULL tree");
    memset(out, 0, sizeof *out);
    if (name == NULL || (text == NULL && len > 0))
        return mlops__fail(MLOPS_EINVAL, "YAML reader: NULL name or text");
    out->file = mlops__strdup(name, "YAML file name");
    if (out->file == NULL) return MLOPS_ENOMEM;
    if (len > MLOPS_YTREE_MAX_BYTES)
        return mlops__fail(MLOPS_EFORMAT, "%s:1:1: %zu bytes, more than the limit of %d", name, len,
                           (int)MLOPS_YTREE_MAX_BYTES);
    reader r;
    memset(&r, 0, sizeof r);
    r.t = out;
    if (!yaml_parser_initialize(&r.parser))
        return mlops__fail(MLOPS_ENOMEM, "%s: out of memory while reading YAML", name);
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)(text ? text : ""), len);
    int rc = MLOPS_OK;
    for (bool done = false; !done && rc == MLOPS_OK;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&r.parser, &ev)) {
            rc = syntax_error(&r);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(&r, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&r.parser);
    table_free(&r.anchors);
    table_free(&r.keys);
    return rc;
}

int mlops__ytree_slurp(const char *path, unsigned char **data, size_t *len)
{
    int rc = mlops__read_file(path, MLOPS_YTREE_MAX_BYTES, data, len);
    if (rc == MLOPS_ERANGE)
        rc = mlops__fail(MLOPS_EFORMAT, "%s:1:1: the file is larger than the limit of %d bytes",
                         path, (int)MLOPS_YTREE_MAX_BYTES);
    return rc;
}

int mlops__ytree_read_file(mlops__ytree *out, const char *path)
{
    if (out == NULL) return mlops__fail(MLOPS_EINVAL, "YAML reader: NULL tree");
    memset(out, 0, sizeof *out);
    if (path == NULL) return mlops__fail(MLOPS_EINVAL, "YAML reader: NULL path");
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = mlops__ytree_slurp(path, &data, &len);
    if (rc != MLOPS_OK) return rc;
    rc = mlops__ytree_read_buffer(out, path, (const char *)data, len);
    mlops__free(data);
    return rc;
}
