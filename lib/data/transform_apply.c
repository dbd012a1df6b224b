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

ptrdiff_t mlops__tf_work_find(const mlops__tf_work *w, const char *name)
{
    for (size_t j = 0; j < w->n; j++)
        if (strcmp(w->cols[j].c.name, name) == 0) return (ptrdiff_t)j;
    return -1;
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

/* Refuses output names that repeat a column the table keeps. */
static int check_clash(const mlops__tf_work *w, size_t j, char **names, size_t k,
                       const step_ctx *x)
{
    mlops__dict *seen = NULL;
    int rc = mlops__dict_create(&seen);
    int32_t code;
    for (size_t q = 0; rc == MLOPS_OK && q < w->n; q++)
        if (q != j) rc = mlops__dict_intern(seen, w->cols[q].c.name, strlen(w->cols[q].c.name), &code);
    for (size_t q = 0; rc == MLOPS_OK && q < k; q++) {
        size_t before = mlops__dict_size(seen);
        rc = mlops__dict_intern(seen, names[q], strlen(names[q]), &code);
        if (rc == MLOPS_OK && mlops__dict_size(seen) == before)
            rc = mlops__fail(MLOPS_EINVAL,
                             "transform step %zu (onehot): output column '%s' of '%s' repeats "
                             "an existing column name",
                             x->step, names[q], x->col);
    }
    mlops__dict_free(seen);
    return rc;
}

static int run_onehot(const mlops__tf_step *s, const mlops__tf_col *c, const step_ctx *x,
                      mlops__tf_work *w, size_t j, bool fitting)
{
    const mlops__column *col = &w->cols[j].c;
    size_t k = mlops__tf_onehot_outputs(c), rows = w->rows;
    int32_t fallback = -1; /* output of an unseen category under unseen=zeros/infrequent */
    if (s->unseen == MLOPS__UNSEEN_INFREQUENT && c->ninfreq > 0) fallback = (int32_t)c->nfreq;
    int32_t *map = code_slots(c, col);
    int32_t *slot = mlops__malloc_array(rows ? rows : 1, sizeof *slot, "onehot row slots");
    mlops__column *outs = mlops__calloc(k, sizeof *outs, "onehot columns");
    char **names = mlops__calloc(k, sizeof *names, "onehot names");
    size_t made = 0;
    int rc = map && slot && outs && names ? MLOPS_OK : MLOPS_ENOMEM;
    for (size_t i = 0; rc == MLOPS_OK && i < rows; i++) {
        int32_t code = col->codes[i];
        int32_t out = code < 0 ? c->missing_slot : map[code];
        if (out < 0) {
            if (s->unseen == MLOPS__UNSEEN_ERROR && !fitting) rc = unseen_error(x, col, i);
            out = fallback;
        }
        slot[i] = out;
    }
    for (size_t q = 0; rc == MLOPS_OK && q < k; q++)
        if ((names[q] = mlops__tf_onehot_name(c, q)) == NULL) rc = MLOPS_ENOMEM;
    if (rc == MLOPS_OK) rc = check_clash(w, j, names, k, x);
    for (; rc == MLOPS_OK && made < k; made++) {
        rc = mlops__column_init(&outs[made], names[made], MLOPS_NUMERIC, rows);
        if (rc != MLOPS_OK) {
            mlops__column_clear(&outs[made]);
            break;
        }
        outs[made].role = col->role;
        outs[made].sensitive = col->sensitive;
        double *v = outs[made].values;
        for (size_t i = 0; i < rows; i++) v[i] = slot[i] == (int32_t)made ? 1.0 : 0.0;
    }
    if (rc == MLOPS_OK && w->n - 1 + k > w->cap) {
        size_t cap = w->n - 1 + k;
        if (cap < 2 * w->cap) cap = 2 * w->cap;
        mlops__tf_wcol *grown = mlops__realloc_array(w->cols, cap, sizeof *grown,
                                                     "transform working table");
        if (grown == NULL) rc = MLOPS_ENOMEM;
        else {
            w->cols = grown;
            w->cap = cap;
        }
    }
    if (rc == MLOPS_OK) {
        if (w->cols[j].owned) mlops__column_clear(&w->cols[j].c);
        memmove(&w->cols[j + k], &w->cols[j + 1], (w->n - j - 1) * sizeof *w->cols);
        for (size_t q = 0; q < k; q++) w->cols[j + q] = (mlops__tf_wcol){outs[q], true};
        w->n = w->n - 1 + k;
        made = 0; /* moved into the table */
    }
    for (size_t q = 0; q < made; q++) mlops__column_clear(&outs[q]);
    for (size_t q = 0; names && q < k; q++) mlops__free(names[q]);
    mlops__free(names);
    mlops__free(outs);
    mlops__free(slot);
    mlops__free(map);
    return rc;
}

static void run_drop(mlops__tf_work *w, size_t j)
{
    if (w->cols[j].owned) mlops__column_clear(&w->cols[j].c);
    memmove(&w->cols[j], &w->cols[j + 1], (w->n - j - 1) * sizeof *w->cols);
    w->n--;
}

static const char *wname_at(size_t i, const void *ctx)
{
    return ((const mlops__tf_work *)ctx)->cols[i].c.name;
}

int mlops__tf_run_step(const mlops__tf_step *s, size_t si, const mlops__tf_stepfit *sf,
                       mlops__tf_work *w, bool fitting)
{
    const char *kind = mlops__tf_kind_name(s->kind);
    for (size_t k = 0; k < sf->ncols; k++) {
        const mlops__tf_col *c = &sf->cols[k];
        step_ctx x = {si, kind, c->name};
        ptrdiff_t j = mlops__tf_work_find(w, c->name);
        if (j < 0) {
            if (s->kind == MLOPS__TF_DROP) continue;
            const char *near = mlops__suggest(c->name, w->n, wname_at, w);
            return mlops__fail(MLOPS_EINVAL,
                               "transform step %zu (%s): the data has no column '%s'%s%s%s", si,
                               kind, c->name, near ? " (did you mean '" : "", near ? near : "",
                               near ? "'?)" : "");
        }
        if (w->cols[j].c.type != c->type)
            return mlops__fail(MLOPS_EINVAL,
                               "transform step %zu (%s): column '%s' is %s, but was %s in fit",
                               si, kind, c->name, mlops_type_name(w->cols[j].c.type),
                               mlops_type_name(c->type));
        int rc = MLOPS_OK;
        switch (s->kind) {
        case MLOPS__TF_IMPUTE: rc = run_impute(c, &x, w, (size_t)j); break;
        case MLOPS__TF_STANDARDIZE:
        case MLOPS__TF_MINMAX: rc = run_scale(s->kind, c, &x, w, (size_t)j); break;
        case MLOPS__TF_ONEHOT: rc = run_onehot(s, c, &x, w, (size_t)j, fitting); break;
        default: run_drop(w, (size_t)j); break;
        }
        if (rc) return rc;
    }
    return MLOPS_OK;
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
