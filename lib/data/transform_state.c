/* The fitted state of a transform: releasing it, naming and indexing
 * one-hot outputs, and deriving the output columns from the training
 * columns. Fit and load share these, so a loaded transform is checked by
 * the same rules that built it. */
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

typedef struct schema {
    mlops__tf_schema_col *cols;
    size_t n, cap;
} schema;

static ptrdiff_t schema_find(const schema *s, const char *name)
{
    for (size_t j = 0; j < s->n; j++)
        if (strcmp(s->cols[j].name, name) == 0) return (ptrdiff_t)j;
    return -1;
}

/* Replaces entry j by the `k` one-hot outputs of `c` (k = 0: removal). */
static int schema_splice(schema *s, size_t j, size_t k, const mlops__tf_col *c)
{
    if (k > 1) {
        size_t need;
        if (!mlops__add_size(s->n, k - 1, &need))
            return mlops__fail(MLOPS_ENOMEM, "transform output schema is too large");
        if (need > s->cap) {
            size_t cap = need > 2 * s->cap ? need : 2 * s->cap;
            mlops__tf_schema_col *grown = mlops__realloc_array(s->cols, cap, sizeof *grown,
                                                               "transform schema");
            if (grown == NULL) return MLOPS_ENOMEM;
            s->cols = grown;
            s->cap = cap;
        }
    }
    mlops__tf_schema_col src = s->cols[j];
    char **names = NULL;
    if (k > 0) {
        names = mlops__calloc(k, sizeof *names, "transform output names");
        if (names == NULL) return MLOPS_ENOMEM;
        for (size_t q = 0; q < k; q++) {
            names[q] = mlops__tf_onehot_name(c, q);
            if (names[q] == NULL) {
                for (size_t r = 0; r < q; r++) mlops__free(names[r]);
                mlops__free(names);
                return MLOPS_ENOMEM;
            }
        }
    }
    memmove(&s->cols[j + k], &s->cols[j + 1], (s->n - j - 1) * sizeof *s->cols);
    for (size_t q = 0; q < k; q++)
        s->cols[j + q] = (mlops__tf_schema_col){names[q], MLOPS_NUMERIC, src.role, src.sensitive};
    s->n = s->n - 1 + k;
    mlops__free(src.name);
    mlops__free(names);
    return MLOPS_OK;
}

static int schema_check_unique(const schema *s, int code, const char *where)
{
    mlops__dict *d = NULL;
    int rc = mlops__dict_create(&d);
    for (size_t j = 0; rc == MLOPS_OK && j < s->n; j++) {
        size_t before = mlops__dict_size(d);
        int32_t ignored;
        rc = mlops__dict_intern(d, s->cols[j].name, strlen(s->cols[j].name), &ignored);
        if (rc == MLOPS_OK && mlops__dict_size(d) == before)
            rc = mlops__fail(code, "transform %s: column '%s' appears twice", where,
                             s->cols[j].name);
    }
    mlops__dict_free(d);
    return rc;
}

int mlops__tf_derive_output(const mlops_transform *t, mlops__tf_fit *f, int code)
{
    schema s = {0};
    s.cap = f->nin ? f->nin : 1;
    s.cols = mlops__calloc(s.cap, sizeof *s.cols, "transform schema");
    if (s.cols == NULL) return MLOPS_ENOMEM;
    int rc = MLOPS_OK;
    while (rc == MLOPS_OK && s.n < f->nin) {
        s.cols[s.n] = f->in[s.n];
        s.cols[s.n].name = mlops__strdup(f->in[s.n].name, "transform schema name");
        if (s.cols[s.n].name == NULL) rc = MLOPS_ENOMEM;
        else s.n++;
    }
    if (rc == MLOPS_OK) rc = schema_check_unique(&s, code, "training data");
    for (size_t i = 0; rc == MLOPS_OK && i < t->nsteps; i++) {
        const mlops__tf_step *st = &t->steps[i];
        const mlops__tf_stepfit *sf = &f->steps[i];
        for (size_t k = 0; rc == MLOPS_OK && k < sf->ncols; k++) {
            const mlops__tf_col *c = &sf->cols[k];
            ptrdiff_t j = schema_find(&s, c->name);
            if (j < 0) {
                rc = mlops__fail(code, "transform step %zu (%s): column '%s' does not exist at "
                                       "this step", i, mlops__tf_kind_name(st->kind), c->name);
            } else if (s.cols[j].type != c->type) {
                rc = mlops__fail(code, "transform step %zu (%s): column '%s' is %s, fitted as %s",
                                 i, mlops__tf_kind_name(st->kind), c->name,
                                 mlops_type_name(s.cols[j].type), mlops_type_name(c->type));
            } else if (st->kind == MLOPS__TF_ONEHOT) {
                rc = schema_splice(&s, (size_t)j, mlops__tf_onehot_outputs(c), c);
            } else if (st->kind == MLOPS__TF_DROP) {
                rc = schema_splice(&s, (size_t)j, 0, c);
            }
        }
        if (rc == MLOPS_OK && st->kind == MLOPS__TF_ONEHOT && sf->ncols > 0) {
            char where[48];
            snprintf(where, sizeof where, "step %zu (onehot) output", i);
            rc = schema_check_unique(&s, code, where);
        }
    }
    if (rc != MLOPS_OK) {
        schema_free(s.cols, s.n);
        return rc;
    }
    schema_free(f->out, f->nout);
    f->out = s.cols;
    f->nout = s.n;
    return MLOPS_OK;
}
