/* mlops_transform_apply: replaying fitted steps on a dataset.
 *
 * The columns between steps live in a working table that borrows the input
 * dataset's columns until a step rewrites them, so each transformed column
 * is computed once and every passthrough column is copied once, when the
 * output dataset is assembled. The same step code runs while fitting, so
 * fit_apply and apply give identical bits. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/suggest.h"
#include "data/transform_impl.h"

int mlops__tf_work_init(mlops__tf_work *w, const mlops_dataset *d)
{
    memset(w, 0, sizeof *w);
    w->rows = d->rows;
    w->cap = d->ncols ? d->ncols : 1;
    w->cols = mlops__calloc(w->cap, sizeof *w->cols, "transform working table");
    if (w->cols == NULL) return MLOPS_ENOMEM;
    for (size_t j = 0; j < d->ncols; j++) w->cols[j].c = d->cols[j]; /* borrowed */
    w->n = d->ncols;
    return MLOPS_OK;
}

void mlops__tf_work_clear(mlops__tf_work *w)
{
    for (size_t j = 0; j < w->n; j++)
        if (w->cols[j].owned) mlops__column_clear(&w->cols[j].c);
    mlops__free(w->cols);
    memset(w, 0, sizeof *w);
}

int mlops__tf_work_index(const mlops__tf_work *w, mlops__dict **names, size_t **pos_of)
{
    *names = NULL;
    *pos_of = NULL;
    int rc = mlops__dict_create(names);
    if (rc != MLOPS_OK) return rc;
    *pos_of = mlops__malloc_array(w->n ? w->n : 1, sizeof **pos_of, "column positions");
    if (*pos_of == NULL) rc = MLOPS_ENOMEM;
    for (size_t j = 0; rc == MLOPS_OK && j < w->n; j++) {
        size_t before = mlops__dict_size(*names);
        int32_t code;
        rc = mlops__dict_intern(*names, w->cols[j].c.name, strlen(w->cols[j].c.name), &code);
        if (rc == MLOPS_OK && mlops__dict_size(*names) > before) (*pos_of)[code] = j;
    }
    if (rc != MLOPS_OK) {
        mlops__dict_free(*names);
        mlops__free(*pos_of);
        *names = NULL;
        *pos_of = NULL;
    }
    return rc;
}

int mlops__tf_work_finish(mlops__tf_work *w, const char *source, mlops_dataset **out)
{
    mlops_dataset *d;
    int rc = mlops__dataset_new(&d, w->rows, w->n, source);
    if (rc) return rc;
    for (size_t j = 0; rc == MLOPS_OK && j < w->n; j++) {
        mlops__tf_wcol *wc = &w->cols[j];
        if (wc->owned) {
            d->cols[j] = wc->c; /* moved */
            memset(&wc->c, 0, sizeof wc->c);
            wc->owned = false;
            continue;
        }
        const mlops__column *src = &wc->c;
        rc = mlops__column_init_like(&d->cols[j], src, w->rows);
        if (rc == MLOPS_OK && w->rows) {
            if (src->type == MLOPS_NUMERIC)
                memcpy(d->cols[j].values, src->values, w->rows * sizeof *src->values);
            else
                memcpy(d->cols[j].codes, src->codes, w->rows * sizeof *src->codes);
        }
        d->cols[j].missing = src->missing;
    }
    if (rc != MLOPS_OK) {
        mlops_dataset_free(d);
        return rc;
    }
    *out = d;
    return MLOPS_OK;
}

/* Replaces working column j by `fresh` (owned). */
static void work_replace(mlops__tf_work *w, size_t j, mlops__column *fresh)
{
    if (w->cols[j].owned) mlops__column_clear(&w->cols[j].c);
    w->cols[j].c = *fresh;
    w->cols[j].owned = true;
}

typedef struct step_ctx {
    size_t step;
    const char *kind;
    const char *col;
} step_ctx;

/* Where a numeric step reads and writes: in place when the table owns the
 * column, otherwise from the borrowed values (which the input dataset
 * keeps alive) into a new column that replaces the borrowed one. */
static int numeric_target(mlops__tf_work *w, size_t j, const double **src, double **dst)
{
    mlops__tf_wcol *wc = &w->cols[j];
    *src = wc->c.values;
    if (wc->owned) {
        *dst = wc->c.values;
        return MLOPS_OK;
    }
    mlops__column fresh;
    int rc = mlops__column_init_like(&fresh, &wc->c, w->rows);
    if (rc) {
        mlops__column_clear(&fresh);
        return rc;
    }
    fresh.missing = wc->c.missing;
    *dst = fresh.values;
    work_replace(w, j, &fresh);
    return MLOPS_OK;
}

static int not_finite(const step_ctx *x, size_t row, double v)
{
    return mlops__fail(MLOPS_EINVAL, "transform step %zu (%s): column '%s' row %zu holds %s",
                       x->step, x->kind, x->col, row, v > 0 ? "inf" : "-inf");
}

static int check_finite(const double *v, size_t rows, const step_ctx *x)
{
    for (size_t i = 0; i < rows; i++)
        if (isinf(v[i])) return not_finite(x, i, v[i]);
    return MLOPS_OK;
}

static int run_impute(const mlops__tf_col *c, const step_ctx *x, mlops__tf_work *w, size_t j)
{
    mlops__column *col = &w->cols[j].c;
    if (c->type == MLOPS_NUMERIC) {
        int rc = check_finite(col->values, w->rows, x);
        if (rc) return rc;
    }
    if (col->missing == 0) return MLOPS_OK;
    if (c->type == MLOPS_NUMERIC) {
        const double *src;
        double *dst, fill = c->p[0];
        int rc = numeric_target(w, j, &src, &dst);
        if (rc) return rc;
        for (size_t i = 0; i < w->rows; i++) dst[i] = isnan(src[i]) ? fill : src[i];
        w->cols[j].c.missing = 0;
        return MLOPS_OK;
    }
    mlops__column fresh;
    int rc = mlops__column_init_like(&fresh, col, w->rows);
    int32_t fill = -1;
    if (rc == MLOPS_OK) rc = mlops__dict_intern(fresh.dict, c->fill, strlen(c->fill), &fill);
    if (rc != MLOPS_OK) {
        mlops__column_clear(&fresh);
        return rc;
    }
    for (size_t i = 0; i < w->rows; i++) fresh.codes[i] = col->codes[i] < 0 ? fill : col->codes[i];
    fresh.missing = 0;
    work_replace(w, j, &fresh);
    return MLOPS_OK;
}

static int run_scale(int kind, const mlops__tf_col *c, const step_ctx *x, mlops__tf_work *w,
                     size_t j)
{
    int rc = check_finite(w->cols[j].c.values, w->rows, x);
    if (rc) return rc;
    const double *src;
    double *dst;
    rc = numeric_target(w, j, &src, &dst);
    if (rc) return rc;
    if (kind == MLOPS__TF_STANDARDIZE) {
        double mean = c->p[0], scale = c->p[1];
        for (size_t i = 0; i < w->rows; i++) dst[i] = (src[i] - mean) / scale;
    } else {
        /* Two statements, as scikit-learn's X *= scale_; X += min_: the
         * product is rounded before the sum, so the bits match on every
         * platform. Compilers in C11 mode do not fuse across statements
         * into a multiply-add (GCC's -std=c11 implies -ffp-contract=off;
         * clang contracts only within one expression). */
        double scale = c->p[2], offset = c->p[3];
        for (size_t i = 0; i < w->rows; i++) {
            double scaled = src[i] * scale;
            dst[i] = scaled + offset;
        }
    }
    return MLOPS_OK;
}

/* Builds the output index of each category code of the data's column:
 * its fitted output, or -1 when fit did not see it. */
static int32_t *code_slots(const mlops__tf_col *c, const mlops__column *col)
{
    size_t m = mlops__dict_size(col->dict);
    int32_t *map = mlops__malloc_array(m ? m : 1, sizeof *map, "onehot code map");
    if (map == NULL) return NULL;
    for (size_t k = 0; k < m; k++) {
        int32_t code = mlops__dict_find(c->lookup, mlops__dict_string(col->dict, (int32_t)k),
                                        mlops__dict_string_len(col->dict, (int32_t)k));
        map[k] = code < 0 ? -1 : c->slot[code];
    }
    return map;
}

static int unseen_error(const step_ctx *x, const mlops__column *col, size_t row)
{
    int32_t code = col->codes[row];
    if (code < 0)
        return mlops__fail(MLOPS_EINVAL,
                           "transform step %zu (onehot): column '%s' row %zu is missing, and "
                           "fit saw no missing value (unseen=error; unseen=zeros encodes it as "
                           "all zeros)",
                           x->step, x->col, row);
    return mlops__fail(MLOPS_EINVAL,
                       "transform step %zu (onehot): column '%s' row %zu has category '%s', "
                       "which fit did not see (unseen=error; unseen=zeros encodes it as all "
                       "zeros)",
                       x->step, x->col, row, mlops__dict_string(col->dict, code));
}

/* What one step does to the table's layout. A step finds its columns
 * through a hash of the names (code -> position while the name is in the
 * table) and replaces or removes columns only when it ends, in one pass, so
 * a step over many columns costs linear time, not columns x fitted columns.
 * Codes past the starting names are one-hot outputs made by the step. */
typedef struct layout {
    mlops__dict *names;
    size_t n0;             /* columns when the step started */
    size_t ncodes;         /* their distinct names */
    size_t *pos_of;        /* per code < ncodes: position */
    unsigned char *live;   /* per code: the name is in the table */
    size_t live_cap;
    bool *gone;            /* per position: replaced or removed */
    mlops__column **outs;  /* per position: the replacing columns */
    size_t *nouts;
    bool changed;
} layout;

static void layout_free(layout *L)
{
    for (size_t j = 0; L->outs && j < L->n0; j++) {
        for (size_t q = 0; L->outs[j] && q < L->nouts[j]; q++)
            mlops__column_clear(&L->outs[j][q]);
        mlops__free(L->outs[j]);
    }
    mlops__dict_free(L->names);
    mlops__free(L->pos_of);
    mlops__free(L->live);
    mlops__free(L->gone);
    mlops__free(L->outs);
    mlops__free(L->nouts);
}

static int layout_init(layout *L, const mlops__tf_work *w)
{
    memset(L, 0, sizeof *L);
    L->n0 = w->n;
    int rc = mlops__tf_work_index(w, &L->names, &L->pos_of);
    if (rc != MLOPS_OK) return rc;
    L->ncodes = mlops__dict_size(L->names);
    size_t n = w->n ? w->n : 1;
    L->live_cap = n;
    L->live = mlops__malloc(n, "column flags");
    L->gone = mlops__calloc(n, sizeof *L->gone, "column flags");
    L->outs = mlops__calloc(n, sizeof *L->outs, "replacing columns");
    L->nouts = mlops__calloc(n, sizeof *L->nouts, "replacing columns");
    if (!L->live || !L->gone || !L->outs || !L->nouts) return MLOPS_ENOMEM;
    memset(L->live, 1, n);
    return MLOPS_OK;
}

/* Where column `name` is: MLOPS_OK with *j its position (or SIZE_MAX for an
 * output of this step), or -1 when the table does not hold it. */
static int layout_find(const layout *L, const char *name, size_t *j)
{
    int32_t code = mlops__dict_find(L->names, name, strlen(name));
    if (code < 0 || !L->live[code]) return -1;
    *j = (size_t)code < L->ncodes ? L->pos_of[code] : SIZE_MAX;
    return MLOPS_OK;
}

/* Takes column j out of the table's names. */
static void layout_remove(layout *L, const mlops__tf_work *w, size_t j)
{
    const char *name = w->cols[j].c.name;
    L->live[mlops__dict_find(L->names, name, strlen(name))] = 0;
    L->gone[j] = true;
    L->changed = true;
}

/* Adds an output name, refusing one the table already holds. */
static int layout_claim(layout *L, const char *name, const step_ctx *x)
{
    int32_t code;
    int rc = mlops__dict_intern(L->names, name, strlen(name), &code);
    if (rc != MLOPS_OK) return rc;
    if ((size_t)code >= L->live_cap) {
        size_t cap = 2 * L->live_cap;
        unsigned char *grown = mlops__realloc(L->live, cap, "column flags");
        if (grown == NULL) return MLOPS_ENOMEM;
        memset(grown + L->live_cap, 0, cap - L->live_cap);
        L->live = grown;
        L->live_cap = cap;
    }
    if (L->live[code])
        return mlops__fail(MLOPS_EINVAL,
                           "transform step %zu (onehot): output column '%s' of '%s' repeats "
                           "an existing column name",
                           x->step, name, x->col);
    L->live[code] = 1;
    return MLOPS_OK;
}

/* Builds the table the step leaves: replaced columns give way to their
 * outputs, removed ones disappear. */
static int layout_apply(layout *L, mlops__tf_work *w)
{
    if (!L->changed) return MLOPS_OK;
    size_t n = 0;
    for (size_t j = 0; j < w->n; j++) n += L->gone[j] ? L->nouts[j] : 1;
    mlops__tf_wcol *cols = mlops__calloc(n ? n : 1, sizeof *cols, "transform working table");
    if (cols == NULL) return MLOPS_ENOMEM;
    size_t at = 0;
    for (size_t j = 0; j < w->n; j++) {
        if (!L->gone[j]) {
            cols[at++] = w->cols[j];
            continue;
        }
        if (w->cols[j].owned) mlops__column_clear(&w->cols[j].c);
        for (size_t q = 0; q < L->nouts[j]; q++)
            cols[at++] = (mlops__tf_wcol){L->outs[j][q], true};
        mlops__free(L->outs[j]);
        L->outs[j] = NULL;
        L->nouts[j] = 0;
    }
    mlops__free(w->cols);
    w->cols = cols;
    w->n = n;
    w->cap = n ? n : 1;
    return MLOPS_OK;
}

static int run_onehot(const mlops__tf_step *s, const mlops__tf_col *c, const step_ctx *x,
                      mlops__tf_work *w, size_t j, bool fitting, layout *L)
{
    const mlops__column *col = &w->cols[j].c;
    size_t k = mlops__tf_onehot_outputs(c), rows = w->rows;
    int32_t fallback = -1; /* output of an unseen category under unseen=zeros/infrequent */
    if (s->unseen == MLOPS__UNSEEN_INFREQUENT && c->ninfreq > 0) fallback = (int32_t)c->nfreq;
    int32_t *map = code_slots(c, col);
    int32_t *slot = mlops__malloc_array(rows ? rows : 1, sizeof *slot, "onehot row slots");
    mlops__column *outs = mlops__calloc(k, sizeof *outs, "onehot columns");
    size_t made = 0;
    int rc = map && slot && outs ? MLOPS_OK : MLOPS_ENOMEM;
    for (size_t i = 0; rc == MLOPS_OK && i < rows; i++) {
        int32_t code = col->codes[i];
        int32_t out = code < 0 ? c->missing_slot : map[code];
        if (out < 0) {
            if (s->unseen == MLOPS__UNSEEN_ERROR && !fitting) rc = unseen_error(x, col, i);
            out = fallback;
        }
        slot[i] = out;
    }
    /* The outputs may not repeat any other column of the table (those
     * this step already made included) nor each other. */
    if (rc == MLOPS_OK) layout_remove(L, w, j);
    for (; rc == MLOPS_OK && made < k; made++) {
        char *name = mlops__tf_onehot_name(c, made);
        rc = name ? layout_claim(L, name, x) : MLOPS_ENOMEM;
        if (rc == MLOPS_OK) rc = mlops__column_init(&outs[made], name, MLOPS_NUMERIC, rows);
        mlops__free(name);
        if (rc != MLOPS_OK) {
            mlops__column_clear(&outs[made]);
            break;
        }
        outs[made].role = col->role;
        outs[made].sensitive = col->sensitive;
        double *v = outs[made].values;
        for (size_t i = 0; i < rows; i++) v[i] = slot[i] == (int32_t)made ? 1.0 : 0.0;
    }
    if (rc == MLOPS_OK) {
        L->outs[j] = outs;
        L->nouts[j] = k;
        outs = NULL;
        made = 0; /* handed to the layout */
    }
    for (size_t q = 0; q < made; q++) mlops__column_clear(&outs[q]);
    mlops__free(outs);
    mlops__free(slot);
    mlops__free(map);
    return rc;
}

static const char *wname_at(size_t i, const void *ctx)
{
    return ((const mlops__tf_work *)ctx)->cols[i].c.name;
}

int mlops__tf_run_step(const mlops__tf_step *s, size_t si, const mlops__tf_stepfit *sf,
                       mlops__tf_work *w, bool fitting)
{
    if (sf->ncols == 0) return MLOPS_OK;
    const char *kind = mlops__tf_kind_name(s->kind);
    layout L;
    int rc = layout_init(&L, w);
    for (size_t k = 0; rc == MLOPS_OK && k < sf->ncols; k++) {
        const mlops__tf_col *c = &sf->cols[k];
        step_ctx x = {si, kind, c->name};
        size_t j;
        if (layout_find(&L, c->name, &j) != MLOPS_OK) {
            if (s->kind == MLOPS__TF_DROP) continue;
            const char *near = mlops__suggest(c->name, w->n, wname_at, w);
            rc = mlops__fail(MLOPS_EINVAL,
                             "transform step %zu (%s): the data has no column '%s'%s%s%s", si,
                             kind, c->name, near ? " (did you mean '" : "", near ? near : "",
                             near ? "'?)" : "");
            break;
        }
        /* an output of this step is numeric; only onehot makes outputs, and
         * it fits categorical columns */
        int type = j == SIZE_MAX ? MLOPS_NUMERIC : w->cols[j].c.type;
        if (j == SIZE_MAX || type != c->type) {
            rc = mlops__fail(MLOPS_EINVAL,
                             "transform step %zu (%s): column '%s' is %s, but was %s in fit", si,
                             kind, c->name, mlops_type_name(type), mlops_type_name(c->type));
            break;
        }
        switch (s->kind) {
        case MLOPS__TF_IMPUTE: rc = run_impute(c, &x, w, j); break;
        case MLOPS__TF_STANDARDIZE:
        case MLOPS__TF_MINMAX: rc = run_scale(s->kind, c, &x, w, j); break;
        case MLOPS__TF_ONEHOT: rc = run_onehot(s, c, &x, w, j, fitting, &L); break;
        default: layout_remove(&L, w, j); break;
        }
    }
    if (rc == MLOPS_OK) rc = layout_apply(&L, w);
    layout_free(&L);
    return rc;
}

MLOPS_API int mlops_transform_apply(const mlops_transform *t, const mlops_dataset *in,
                                    mlops_dataset **out)
{
    static const char func[] = "mlops_transform_apply";
    if (t == NULL || in == NULL || out == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (t->fit == NULL)
        return mlops__fail(MLOPS_ESTATE, "%s: the transform is not fitted (call "
                                         "mlops_transform_fit first)", func);
    mlops__tf_work w;
    int rc = mlops__tf_work_init(&w, in);
    if (rc) return rc;
    for (size_t i = 0; rc == MLOPS_OK && i < t->nsteps; i++)
        rc = mlops__tf_run_step(&t->steps[i], i, &t->fit->steps[i], &w, false);
    mlops_dataset *result = NULL;
    if (rc == MLOPS_OK) rc = mlops__tf_work_finish(&w, in->source, &result);
    mlops__tf_work_clear(&w);
    if (rc == MLOPS_OK) *out = result;
    return rc;
}
