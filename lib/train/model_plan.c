/* The row plan: how each model feature follows from the raw numeric inputs
 * through the chain's impute, standardize and minmax steps, so a single raw
 * row can be predicted without building datasets (the serving path), and
 * the affine map raw -> feature that turns coefficients into raw units.
 *
 * The plan is derived from the fitted transform, never stored, so a loaded
 * model rebuilds exactly the plan its chain implies. */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/transform_impl.h"
#include "train/model_impl.h"

/* What a working column currently is: raw input `input` after ops
 * [first, first+count) of the op list (input SIZE_MAX: not derivable). */
typedef struct origin {
    const char *name;
    size_t input;
    mlops__feature_op *ops;
    size_t nops, cap;
} origin;

/* Columns are usually met in input order, so the origin after the last one
 * found (*hint) is tried first: wide models are planned in linear time. */
static origin *find(origin *o, size_t n, const char *name, size_t *hint)
{
    size_t h = *hint;
    if (h < n && o[h].name != NULL && strcmp(o[h].name, name) == 0) {
        *hint = h + 1;
        return &o[h];
    }
    for (size_t i = n; i-- > 0;)
        if (o[i].name != NULL && strcmp(o[i].name, name) == 0) {
            *hint = i + 1;
            return &o[i];
        }
    return NULL;
}

static int push_op(origin *o, int kind, double a, double b)
{
    if (o->nops == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 4;
        mlops__feature_op *ops = mlops__realloc_array(o->ops, cap, sizeof *ops, "row plan");
        if (ops == NULL) return MLOPS_ENOMEM;
        o->ops = ops;
        o->cap = cap;
    }
    o->ops[o->nops++] = (mlops__feature_op){kind, a, b};
    return MLOPS_OK;
}

/* Replays the fitted steps on the origins. */
static int trace(const mlops_transform *t, origin *o, size_t n)
{
    const mlops__tf_fit *fit = t->fit;
    for (size_t s = 0; s < t->nsteps && s < fit->nsteps; s++) {
        int kind = t->steps[s].kind;
        const mlops__tf_stepfit *sf = &fit->steps[s];
        size_t hint = 0;
        for (size_t c = 0; c < sf->ncols; c++) {
            const mlops__tf_col *col = &sf->cols[c];
            origin *src = find(o, n, col->name, &hint);
            if (src == NULL || src->input == SIZE_MAX) continue;
            int rc = MLOPS_OK;
            switch (kind) {
            case MLOPS__TF_IMPUTE:
                if (col->type == MLOPS_NUMERIC)
                    rc = push_op(src, MLOPS__OP_IMPUTE, col->p[0], 0);
                break;
            case MLOPS__TF_STANDARDIZE:
                rc = push_op(src, MLOPS__OP_STANDARDIZE, col->p[0], col->p[1]);
                break;
            case MLOPS__TF_MINMAX:
                rc = push_op(src, MLOPS__OP_MINMAX, col->p[2], col->p[3]);
                break;
            default: /* onehot outputs and dropped columns are not derivable */
                src->name = NULL;
                break;
            }
            if (rc != MLOPS_OK) return rc;
        }
    }
    return MLOPS_OK;
}

int mlops__model_plan(mlops__model_fit *f)
{
    size_t p = f->nfeatures, ni = f->ninputs;
    origin *o = mlops__calloc(ni ? ni : 1, sizeof *o, "row plan");
    f->plan_input = mlops__malloc_array(p, sizeof *f->plan_input, "row plan");
    f->plan_first = mlops__malloc_array(p + 1, sizeof *f->plan_first, "row plan");
    f->raw_scale = mlops__malloc_array(p, sizeof *f->raw_scale, "raw units");
    f->raw_offset = mlops__malloc_array(p, sizeof *f->raw_offset, "raw units");
    f->raw_affine = mlops__calloc(p, sizeof *f->raw_affine, "raw units");
    int rc = MLOPS_OK;
    if (o == NULL || !f->plan_input || !f->plan_first || !f->raw_scale || !f->raw_offset ||
        !f->raw_affine) {
        rc = MLOPS_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < ni; i++) {
        o[i].name = f->inputs[i];
        o[i].input = f->input_types[i] == MLOPS_NUMERIC ? i : SIZE_MAX;
    }
    if (f->transform != NULL && f->transform->fit != NULL) rc = trace(f->transform, o, ni);
    if (rc != MLOPS_OK) goto done;
    size_t total = 0;
    bool all = true;
    for (size_t i = 0; i < ni; i++) all = all && f->input_types[i] == MLOPS_NUMERIC;
    size_t hint = 0;
    for (size_t j = 0; j < p; j++) {
        const origin *src = find(o, ni, f->features[j], &hint);
        f->plan_input[j] = src != NULL ? src->input : SIZE_MAX;
        f->plan_first[j] = total;
        if (src != NULL && src->input != SIZE_MAX) total += src->nops;
        else all = false;
    }
    f->plan_first[p] = total;
    f->plan_ops = mlops__malloc_array(total ? total : 1, sizeof *f->plan_ops, "row plan");
    if (f->plan_ops == NULL) {
        rc = MLOPS_ENOMEM;
        goto done;
    }
    for (size_t j = 0; j < p; j++) {
        double a = 1, b = 0;
        f->raw_affine[j] = f->plan_input[j] != SIZE_MAX;
        if (f->raw_affine[j]) {
            const origin *src = &o[f->plan_input[j]];
            if (src->nops > 0)
                memcpy(f->plan_ops + f->plan_first[j], src->ops, src->nops * sizeof *src->ops);
            /* compose x -> a*x + b through the scaling steps */
            for (size_t k = 0; k < src->nops; k++) {
                const mlops__feature_op *op = &src->ops[k];
                if (op->kind == MLOPS__OP_STANDARDIZE) {
                    a /= op->b;
                    b = (b - op->a) / op->b;
                } else if (op->kind == MLOPS__OP_MINMAX) {
                    a *= op->a;
                    b = b * op->a + op->b;
                }
            }
        }
        f->raw_scale[j] = a;
        f->raw_offset[j] = b;
    }
    f->row_path = all;
    if (f->coef != NULL && f->intercept != NULL) rc = mlops__model_fold(f);
done:
    for (size_t i = 0; o != NULL && i < ni; i++) mlops__free(o[i].ops);
    mlops__free(o);
    return rc;
}

int mlops__model_fold(mlops__model_fit *f)
{
    size_t p = f->nfeatures, ni = f->ninputs, k = f->noutputs, kn;
    mlops__free(f->fold_coef);
    mlops__free(f->fold_intercept);
    f->fold_coef = f->fold_intercept = NULL;
    f->fold_ok = f->row_path;
    /* each input feeds at most one feature, and imputation (if any) comes
     * before every scaling step, so a missing value maps to a raw fill */
    for (size_t j = 0; j < p && f->fold_ok; j++) {
        for (size_t q = f->plan_first[j]; q < f->plan_first[j + 1]; q++)
            if (f->plan_ops[q].kind == MLOPS__OP_IMPUTE && q != f->plan_first[j])
                f->fold_ok = false;
        for (size_t i = 0; i < j && f->fold_ok; i++)
            if (f->plan_input[i] == f->plan_input[j]) f->fold_ok = false;
    }
    if (!f->fold_ok) return MLOPS_OK;
    if (!mlops__mul_size(k, ni, &kn)) return mlops__fail(MLOPS_ENOMEM, "model too large");
    f->fold_coef = mlops__calloc(kn ? kn : 1, sizeof *f->fold_coef, "folded coefficients");
    f->fold_intercept = mlops__malloc_array(k, sizeof *f->fold_intercept, "folded intercepts");
    if (f->fold_coef == NULL || f->fold_intercept == NULL) {
        f->fold_ok = false;
        return MLOPS_ENOMEM;
    }
    for (size_t o = 0; o < k; o++) {
        double b = f->intercept[o];
        for (size_t j = 0; j < p; j++) {
            double c = f->coef[o * p + j];
            b += c * f->raw_offset[j];
            f->fold_coef[o * ni + f->plan_input[j]] = c * f->raw_scale[j];
        }
        f->fold_intercept[o] = b;
    }
    return MLOPS_OK;
}

/* Feature j of a raw row, with the chain's own arithmetic. */
double mlops__plan_feature(const mlops__model_fit *f, size_t j, const double *raw)
{
    double v = raw[f->plan_input[j]];
    for (size_t k = f->plan_first[j]; k < f->plan_first[j + 1]; k++) {
        const mlops__feature_op *op = &f->plan_ops[k];
        switch (op->kind) {
        case MLOPS__OP_IMPUTE:
            if (v != v) v = op->a;
            break;
        case MLOPS__OP_STANDARDIZE: v = (v - op->a) / op->b; break;
        default: {
            double scaled = v * op->a; /* two statements, as the transform */
            v = scaled + op->b;
        }
        }
    }
    return v;
}
