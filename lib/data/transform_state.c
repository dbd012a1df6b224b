/* The fitted state of a transform: releasing it, naming and indexing
 * one-hot outputs, and deriving the output columns from the training
 * columns. Fit and load share these, so a loaded transform is checked by
 * the same rules that built it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/transform_impl.h"

void mlops__tf_col_clear(mlops__tf_col *c)
{
    mlops__free(c->name);
    mlops__free(c->fill);
    for (size_t k = 0; k < c->nfreq && c->cats; k++) mlops__free(c->cats[k]);
    mlops__free(c->cats);
    for (size_t k = 0; k < c->ninfreq && c->infreq; k++) mlops__free(c->infreq[k]);
    mlops__free(c->infreq);
    mlops__dict_free(c->lookup);
    mlops__free(c->slot);
    memset(c, 0, sizeof *c);
}

static void schema_free(mlops__tf_schema_col *s, size_t n)
{
    for (size_t i = 0; i < n && s; i++) mlops__free(s[i].name);
    mlops__free(s);
}

void mlops__tf_fit_free(mlops__tf_fit *f)
{
    if (f == NULL) return;
    schema_free(f->in, f->nin);
    schema_free(f->out, f->nout);
    if (f->steps != NULL)
        for (size_t i = 0; i < f->nsteps; i++) {
            for (size_t k = 0; k < f->steps[i].ncols; k++) mlops__tf_col_clear(&f->steps[i].cols[k]);
            mlops__free(f->steps[i].cols);
        }
    mlops__free(f->steps);
    mlops__free(f);
}

size_t mlops__tf_onehot_outputs(const mlops__tf_col *c)
{
    return c->nfreq + (c->ninfreq > 0);
}

char *mlops__tf_onehot_name(const mlops__tf_col *c, size_t k)
{
    const char *value = k < c->nfreq ? (c->cats[k] ? c->cats[k] : "__missing__") : "__infrequent__";
    size_t a = strlen(c->name), b = strlen(value), n;
    if (!mlops__add_size(a, b, &n) || !mlops__add_size(n, 2, &n)) {
        mlops__fail(MLOPS_ENOMEM, "onehot output name is too long");
        return NULL;
    }
    char *name = mlops__malloc(n, "onehot output name");
    if (name == NULL) return NULL;
    memcpy(name, c->name, a);
    name[a] = '=';
    memcpy(name + a + 1, value, b + 1);
    return name;
}

int mlops__tf_onehot_index(mlops__tf_col *c, const char *where)
{
    size_t total;
    if (!mlops__add_size(c->nfreq, c->ninfreq, &total))
        return mlops__fail(MLOPS_ECORRUPT, "%s: too many categories", where);
    c->missing_slot = -1;
    int rc = mlops__dict_create(&c->lookup);
    if (rc) return rc;
    c->slot = mlops__malloc_array(total, sizeof *c->slot, "onehot slots");
    if (c->slot == NULL) return MLOPS_ENOMEM;
    for (size_t k = 0; k < total; k++) {
        bool frequent = k < c->nfreq;
        const char *v = frequent ? c->cats[k] : c->infreq[k - c->nfreq];
        int32_t out = (int32_t)(frequent ? k : c->nfreq);
        if (v == NULL) {
            if (c->missing_slot >= 0)
                return mlops__fail(MLOPS_ECORRUPT, "%s: column '%s' lists missing twice", where,
                                   c->name);
            c->missing_slot = out;
            continue;
        }
        size_t before = mlops__dict_size(c->lookup);
        int32_t code;
        rc = mlops__dict_intern(c->lookup, v, strlen(v), &code);
        if (rc) return rc;
        if (mlops__dict_size(c->lookup) == before)
            return mlops__fail(MLOPS_ECORRUPT, "%s: column '%s' lists category '%s' twice", where,
                               c->name, v);
        c->slot[code] = out;
    }
    return MLOPS_OK;
}

/* ---- Output schema ------------------------------------------------------ */

/* The columns between steps as a linked list of nodes (replacing one by its
 * one-hot outputs or removing it costs only that) with a hash from name to
 * live node (finding one costs O(1)), so deriving the output of a long
 * fitted step - or of hostile bytes - stays linear, never columns x fitted
 * columns. Removed nodes stay in the list with a NULL name. */
#define NO_NODE SIZE_MAX

typedef struct onode {
    mlops__tf_schema_col col;
    size_t next;
} onode;

typedef struct oschema {
    onode *nodes;
    size_t n, cap, head, tail;
    mlops__dict *index; /* every name ever added; code -> node_of[code] */
    size_t *node_of;    /* the live node of each name code, or NO_NODE */
    size_t node_of_cap;
} oschema;

static void oschema_free(oschema *o)
{
    for (size_t i = 0; i < o->n; i++) mlops__free(o->nodes[i].col.name);
    mlops__free(o->nodes);
    mlops__free(o->node_of);
    mlops__dict_free(o->index);
}

static size_t oschema_find(const oschema *o, const char *name)
{
    int32_t code = mlops__dict_find(o->index, name, strlen(name));
    return code < 0 ? NO_NODE : o->node_of[code];
}

/* Links a node holding `col` (its name moves in, also on failure) after
 * node `after`, or at the end for NO_NODE; stores its index in *at. */
static int oschema_insert(oschema *o, size_t after, mlops__tf_schema_col col, size_t *at)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 16;
        onode *grown = mlops__realloc_array(o->nodes, cap, sizeof *grown, "transform schema");
        if (grown == NULL) {
            mlops__free(col.name);
            return MLOPS_ENOMEM;
        }
        o->nodes = grown;
        o->cap = cap;
    }
    size_t i = o->n++;
    o->nodes[i].col = col;
    if (after == NO_NODE) after = o->tail;
    if (after == NO_NODE) {
        o->nodes[i].next = o->head;
        o->head = i;
    } else {
        o->nodes[i].next = o->nodes[after].next;
        o->nodes[after].next = i;
    }
    if (o->nodes[i].next == NO_NODE) o->tail = i;
    *at = i;
    return MLOPS_OK;
}

/* Makes node `at` the live holder of its name; `code` (with `where` in
 * the message) when a live column already has it. */
static int oschema_claim(oschema *o, size_t at, int code, const char *where)
{
    const char *name = o->nodes[at].col.name;
    int32_t k;
    int rc = mlops__dict_intern(o->index, name, strlen(name), &k);
    if (rc != MLOPS_OK) return rc;
    if ((size_t)k >= o->node_of_cap) {
        size_t cap = o->node_of_cap ? 2 * o->node_of_cap : 16;
        size_t *grown = mlops__realloc_array(o->node_of, cap, sizeof *grown,
                                             "transform schema index");
        if (grown == NULL) return MLOPS_ENOMEM;
        for (size_t i = o->node_of_cap; i < cap; i++) grown[i] = NO_NODE;
        o->node_of = grown;
        o->node_of_cap = cap;
    }
    if (o->node_of[k] != NO_NODE)
        return mlops__fail(code, "transform %s: column '%s' appears twice", where, name);
    o->node_of[k] = at;
    return MLOPS_OK;
}

static void oschema_remove(oschema *o, size_t j)
{
    o->node_of[mlops__dict_find(o->index, o->nodes[j].col.name,
                                strlen(o->nodes[j].col.name))] = NO_NODE;
    mlops__free(o->nodes[j].col.name);
    o->nodes[j].col.name = NULL;
}

/* Replaces node j by the one-hot outputs of `c`. */
static int oschema_onehot(oschema *o, size_t j, const mlops__tf_col *c, int code,
                          const char *where)
{
    mlops__tf_schema_col src = o->nodes[j].col;
    oschema_remove(o, j);
    size_t at = j;
    for (size_t q = 0; q < mlops__tf_onehot_outputs(c); q++) {
        char *name = mlops__tf_onehot_name(c, q);
        if (name == NULL) return MLOPS_ENOMEM;
        mlops__tf_schema_col out = {name, MLOPS_NUMERIC, src.role, src.sensitive};
        int rc = oschema_insert(o, at, out, &at);
        if (rc == MLOPS_OK) rc = oschema_claim(o, at, code, where);
        if (rc != MLOPS_OK) return rc;
    }
    return MLOPS_OK;
}

/* Hands the live columns, in order, to f->out. */
static int oschema_finish(oschema *o, mlops__tf_fit *f)
{
    size_t live = 0;
    for (size_t i = o->head; i != NO_NODE; i = o->nodes[i].next)
        live += o->nodes[i].col.name != NULL;
    mlops__tf_schema_col *out = mlops__calloc(live ? live : 1, sizeof *out, "transform schema");
    if (out == NULL) return MLOPS_ENOMEM;
    size_t w = 0;
    for (size_t i = o->head; i != NO_NODE; i = o->nodes[i].next)
        if (o->nodes[i].col.name != NULL) {
            out[w++] = o->nodes[i].col;
            o->nodes[i].col.name = NULL;
        }
    schema_free(f->out, f->nout);
    f->out = out;
    f->nout = live;
    return MLOPS_OK;
}

int mlops__tf_derive_output(const mlops_transform *t, mlops__tf_fit *f, int code)
{
    oschema o = {.head = NO_NODE, .tail = NO_NODE};
    int rc = mlops__dict_create(&o.index);
    for (size_t j = 0; rc == MLOPS_OK && j < f->nin; j++) {
        mlops__tf_schema_col col = f->in[j];
        col.name = mlops__strdup(f->in[j].name, "transform schema name");
        size_t at;
        rc = col.name ? oschema_insert(&o, NO_NODE, col, &at) : MLOPS_ENOMEM;
        if (rc == MLOPS_OK) rc = oschema_claim(&o, at, code, "training data");
    }
    for (size_t i = 0; rc == MLOPS_OK && i < t->nsteps; i++) {
        const mlops__tf_step *st = &t->steps[i];
        const mlops__tf_stepfit *sf = &f->steps[i];
        char where[48];
        snprintf(where, sizeof where, "step %zu (onehot) output", i);
        for (size_t k = 0; rc == MLOPS_OK && k < sf->ncols; k++) {
            const mlops__tf_col *c = &sf->cols[k];
            size_t j = oschema_find(&o, c->name);
            if (j == NO_NODE) {
                rc = mlops__fail(code, "transform step %zu (%s): column '%s' does not exist at "
                                       "this step", i, mlops__tf_kind_name(st->kind), c->name);
            } else if (o.nodes[j].col.type != c->type) {
                rc = mlops__fail(code, "transform step %zu (%s): column '%s' is %s, fitted as %s",
                                 i, mlops__tf_kind_name(st->kind), c->name,
                                 mlops_type_name(o.nodes[j].col.type), mlops_type_name(c->type));
            } else if (st->kind == MLOPS__TF_ONEHOT) {
                rc = oschema_onehot(&o, j, c, code, where);
            } else if (st->kind == MLOPS__TF_DROP) {
                oschema_remove(&o, j);
            }
        }
    }
    if (rc == MLOPS_OK) rc = oschema_finish(&o, f);
    oschema_free(&o);
    return rc;
}
