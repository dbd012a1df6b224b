/* Prediction: from raw rows (a dataset, a row-major matrix or one row) to
 * values, class probabilities or decision values.
 *
 * Datasets go through the model's chain exactly, then in fixed blocks of
 * rows through one dgemm each. Raw numeric matrices and single rows, the
 * serving paths, skip the per-value transform when the chain is affine:
 * its scaling is folded into the coefficients once (the raw-unit form), so
 * a batch is one BLAS product over the caller's memory and a row is one
 * dot product. Rows with missing or infinite values fall back to the exact
 * chain, which imputes them or names them. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset_impl.h"
#include "train/blas.h"
#include "train/model_impl.h"
#include "train/problem.h"

/* Rows per block: gathered feature blocks (BLOCK x features) stay small;
 * the folded path reads the caller's matrix in place and only needs room
 * for the scores, so it takes large blocks and few BLAS calls. */
enum { BLOCK = 256, FOLDED_BLOCK = 1 << 16 };

static int predict_check(const mlops_model *m, int kind, size_t rows, size_t len,
                         const char *func)
{
    MLOPS_CHECK_ARG(m != NULL, func, "NULL model");
    if (m->fit == NULL) return mlops__fail(MLOPS_ESTATE, "%s: the model is not fitted", func);
    if (kind < MLOPS_PREDICT_VALUE || kind > MLOPS_PREDICT_DECISION)
        return mlops__fail(MLOPS_EINVAL, "%s: unknown prediction kind %d", func, kind);
    size_t width = mlops_model_output_width(m, kind), need;
    if (width == 0)
        return mlops__fail(MLOPS_EINVAL, "%s: probabilities need a classifier; this model is "
                           "%s", func, mlops__model_kind_name(m->kind));
    if (!mlops__mul_size(rows, width, &need) || len < need)
        return mlops__fail(MLOPS_EINVAL, "%s: the output holds %zu values, %zu rows x %zu "
                           "needed", func, len, rows, width);
    return MLOPS_OK;
}

void mlops__decisions(const mlops__model_fit *f, const double *xb, size_t rows, double *z)
{
    int p = (int)f->nfeatures, k = (int)f->noutputs;
    if (k == 1)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)rows, p, 1.0, xb, p, f->coef, 1, 0.0, z,
                    1);
    else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, k, p, 1.0, xb, p,
                    f->coef, p, 0.0, z, k);
    for (size_t i = 0; i < rows; i++)
        for (size_t o = 0; o < (size_t)k; o++) z[i * (size_t)k + o] += f->intercept[o];
}

int mlops__outputs(const mlops__model_fit *f, int kind, const double *z, size_t rows,
                   size_t first_row, double *out, const char *func)
{
    size_t k = f->noutputs;
    /* Finite features far outside the training range can still overflow
     * the dot product (or make inf - inf = NaN of it), and no probability
     * or value follows from that: refuse rather than answer NaN. */
    for (size_t i = 0; i < rows * k; i++)
        if (!isfinite(z[i])) {
            size_t o = i % k;
            const char *what = f->nclasses == 0 ? f->target
                               : k == 1         ? f->classes[1]
                                                : f->classes[o];
            return mlops__fail(MLOPS_ERANGE, "%s: row %zu: the decision value for '%s' "
                               "overflows (%s); the inputs are too large in magnitude for a "
                               "finite prediction", func, first_row + i / k, what,
                               isnan(z[i]) ? "+inf - inf" : z[i] > 0 ? "+inf" : "-inf");
        }
    if (kind == MLOPS_PREDICT_DECISION) {
        memcpy(out, z, rows * k * sizeof *out);
        return MLOPS_OK;
    }
    for (size_t i = 0; i < rows; i++) {
        const double *zi = z + i * k;
        if (f->nclasses == 0) {
            out[i] = zi[0];
        } else if (k == 1) {
            /* class 1 when the decision is positive, as scikit-learn */
            if (kind == MLOPS_PREDICT_VALUE) {
                out[i] = zi[0] > 0 ? 1.0 : 0.0;
            } else {
                double p1 = mlops__sigmoid(zi[0]);
                out[2 * i] = 1.0 - p1;
                out[2 * i + 1] = p1;
            }
        } else {
            size_t best = 0;
            for (size_t o = 1; o < k; o++)
                if (zi[o] > zi[best]) best = o;
            if (kind == MLOPS_PREDICT_VALUE) {
                out[i] = (double)best;
                continue;
            }
            double *pi = out + i * k, s = 0;
            for (size_t o = 0; o < k; o++) s += pi[o] = exp(zi[o] - zi[best]);
            for (size_t o = 0; o < k; o++) pi[o] /= s;
        }
    }
    return MLOPS_OK;
}

/* Finds input i in `d`; *col holds the column found for input i - 1 (or
 * SIZE_MAX), and the column after it is tried first, since data usually
 * holds the inputs in training order: wide data is matched in linear time. */
static int input_column(const mlops_model *m, const mlops_dataset *d, size_t i, size_t *col,
                        const char *func)
{
    const mlops__model_fit *f = m->fit;
    const char *name = f->inputs[i];
    size_t next = *col + 1;
    if (next < d->ncols && strcmp(d->cols[next].name, name) == 0)
        *col = next;
    else if (mlops_dataset_column_index(d, name, col) != MLOPS_OK)
        return mlops__fail(MLOPS_EINVAL, "%s: the data has no column '%s', which the model "
                           "needs as input %zu", func, name, i);
    int type = d->cols[*col].type;
    if (type != f->input_types[i])
        return mlops__fail(MLOPS_EINVAL, "%s: column '%s' is %s, but the model was trained "
                           "on %s values", func, name, mlops_type_name(type),
                           mlops_type_name(f->input_types[i]));
    return MLOPS_OK;
}

void mlops__features_close(mlops__features *fx)
{
    mlops_dataset_free(fx->selected);
    mlops_dataset_free(fx->transformed);
    mlops__free(fx->cols);
    memset(fx, 0, sizeof *fx);
}

int mlops__features_open(const mlops_model *m, const mlops_dataset *d, const char *func,
                         mlops__features *fx)
{
    memset(fx, 0, sizeof *fx);
    MLOPS_CHECK_ARG(d != NULL, func, "NULL dataset");
    const mlops__model_fit *f = m->fit;
    size_t ni = f->ninputs, p = f->nfeatures;
    size_t *cols = mlops__malloc_array(ni, sizeof *cols, "prediction inputs");
    fx->cols = mlops__malloc_array(p, sizeof *fx->cols, "prediction features");
    int rc = cols == NULL || fx->cols == NULL ? MLOPS_ENOMEM : MLOPS_OK;
    for (size_t i = 0; i < ni && rc == MLOPS_OK; i++) {
        cols[i] = i > 0 ? cols[i - 1] : SIZE_MAX;
        rc = input_column(m, d, i, &cols[i], func);
    }
    if (rc == MLOPS_OK) rc = mlops_dataset_select_columns(&fx->selected, d, cols, ni);
    mlops__free(cols);
    if (rc == MLOPS_OK && f->transform != NULL)
        rc = mlops_transform_apply(f->transform, fx->selected, &fx->transformed);
    if (rc != MLOPS_OK) {
        mlops__features_close(fx);
        return rc;
    }
    const mlops_dataset *td = fx->transformed ? fx->transformed : fx->selected;
    fx->rows = td->rows;
    /* Features usually come out in training order: match by walking. */
    size_t c = 0;
    for (size_t j = 0; j < p; j++) {
        while (c < td->ncols && strcmp(td->cols[c].name, f->features[j]) != 0) c++;
        if (c == td->ncols) {
            size_t at = 0;
            if (mlops_dataset_column_index(td, f->features[j], &at) != MLOPS_OK) {
                mlops__features_close(fx);
                return mlops__fail(MLOPS_EINVAL, "%s: the model's transform did not produce "
                                   "feature '%s'", func, f->features[j]);
            }
            c = at;
        }
        if (td->cols[c].type != MLOPS_NUMERIC) {
            mlops__features_close(fx);
            return mlops__fail(MLOPS_EINVAL, "%s: feature '%s' is not numeric after the "
                               "transform", func, f->features[j]);
        }
        fx->cols[j] = td->cols[c].values;
        c++;
    }
    return MLOPS_OK;
}

static int bad_feature(const mlops__model_fit *f, size_t j, size_t row, double v,
                       const char *func)
{
    if (isnan(v))
        return mlops__fail(MLOPS_EINVAL, "%s: feature '%s' is missing at row %zu and the "
                           "model's transform has no impute step for it", func,
                           f->features[j], row);
    return mlops__fail(MLOPS_EINVAL, "%s: feature '%s' is infinite at row %zu", func,
                       f->features[j], row);
}

int mlops__features_block(const mlops__model_fit *f, const mlops__features *fx, size_t r0,
                          size_t rows, double *xb, const char *func)
{
    size_t p = f->nfeatures;
    for (size_t j = 0; j < p; j++) {
        const double *src = fx->cols[j] + r0;
        for (size_t i = 0; i < rows; i++) {
            double v = src[i];
            if (!isfinite(v)) return bad_feature(f, j, r0 + i, v, func);
            xb[i * p + j] = v;
        }
    }
    return MLOPS_OK;
}

/* Runs blocks of rows through `fill`, then decisions and outputs. */
typedef int (*block_fill)(const mlops_model *m, const void *src, size_t r0, size_t rows,
                          double *xb, const char *func);

static int run_blocks(const mlops_model *m, const void *src, size_t nrows, block_fill fill,
                      int kind, double *out, const char *func)
{
    const mlops__model_fit *f = m->fit;
    size_t p = f->nfeatures, k = f->noutputs, width = mlops_model_output_width(m, kind);
    size_t cap = nrows < BLOCK ? (nrows ? nrows : 1) : BLOCK;
    double *xb = mlops__malloc_array(cap, (p + k) * sizeof *xb, "prediction block");
    if (xb == NULL) return MLOPS_ENOMEM;
    double *z = xb + cap * p;
    int rc = MLOPS_OK;
    for (size_t r0 = 0; r0 < nrows && rc == MLOPS_OK; r0 += cap) {
        size_t rows = nrows - r0 < cap ? nrows - r0 : cap;
        rc = fill(m, src, r0, rows, xb, func);
        if (rc != MLOPS_OK) break;
        mlops__decisions(f, xb, rows, z);
        rc = mlops__outputs(f, kind, z, rows, r0, out + r0 * width, func);
    }
    mlops__free(xb);
    return rc;
}

static int fill_from_features(const mlops_model *m, const void *src, size_t r0, size_t rows,
                              double *xb, const char *func)
{
    return mlops__features_block(m->fit, src, r0, rows, xb, func);
}

MLOPS_API int mlops_model_predict(const mlops_model *m, const mlops_dataset *d, int kind,
                                  double *out, size_t len)
{
    static const char func[] = "mlops_model_predict";
    MLOPS_CHECK_ARG(d != NULL, func, "NULL dataset");
    MLOPS_CHECK_ARG(out != NULL, func, "NULL out");
    int rc = predict_check(m, kind, d->rows, len, func);
    if (rc != MLOPS_OK) return rc;
    mlops__features fx;
    rc = mlops__features_open(m, d, func, &fx);
    if (rc != MLOPS_OK) return rc;
    rc = run_blocks(m, &fx, fx.rows, fill_from_features, kind, out, func);
    mlops__features_close(&fx);
    return rc;
}

static int row_path_check(const mlops_model *m, size_t cols, const char *func)
{
    const mlops__model_fit *f = m->fit;
    if (cols != f->ninputs)
        return mlops__fail(MLOPS_EINVAL, "%s: rows have %zu values, but the model takes %zu "
                           "inputs (see mlops_model_input_name)", func, cols, f->ninputs);
    if (!f->row_path) {
        for (size_t i = 0; i < f->ninputs; i++)
            if (f->input_types[i] != MLOPS_NUMERIC)
                return mlops__fail(MLOPS_EINVAL, "%s: input '%s' is categorical; predict from "
                                   "a dataset (mlops_model_predict)", func, f->inputs[i]);
        return mlops__fail(MLOPS_EINVAL, "%s: the model's features cannot be computed from "
                           "numeric rows; predict from a dataset", func);
    }
    return MLOPS_OK;
}

static int fill_from_matrix(const mlops_model *m, const void *src, size_t r0, size_t rows,
                            double *xb, const char *func)
{
    const mlops__model_fit *f = m->fit;
    size_t p = f->nfeatures, ni = f->ninputs;
    const double *x = (const double *)src + r0 * ni;
    for (size_t i = 0; i < rows; i++, x += ni)
        for (size_t j = 0; j < p; j++) {
            double v = mlops__plan_feature(f, j, x);
            if (!isfinite(v)) return bad_feature(f, j, r0 + i, v, func);
            xb[i * p + j] = v;
        }
    return MLOPS_OK;
}

/* Batches of raw rows through the folded coefficients: one dgemm on the
 * caller's matrix, no per-value transform. A row whose decision is not
 * finite holds a missing or infinite input; it is recomputed through the
 * plan, which imputes or reports it exactly as the other paths do. */
static int run_folded(const mlops_model *m, const double *x, size_t nrows, int kind,
                      double *out, const char *func)
{
    const mlops__model_fit *f = m->fit;
    size_t ni = f->ninputs, p = f->nfeatures, k = f->noutputs;
    size_t width = mlops_model_output_width(m, kind);
    size_t cap = nrows < FOLDED_BLOCK ? nrows : FOLDED_BLOCK;
    double *z = mlops__malloc_array(cap, k * sizeof *z, "prediction block");
    double *xb = mlops__malloc_array(p, sizeof *xb, "prediction row");
    int rc = z == NULL || xb == NULL ? MLOPS_ENOMEM : MLOPS_OK;
    for (size_t r0 = 0; r0 < nrows && rc == MLOPS_OK; r0 += cap) {
        size_t rows = nrows - r0 < cap ? nrows - r0 : cap;
        const double *xr = x + r0 * ni;
        if (k == 1)
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)rows, (int)ni, 1.0, xr, (int)ni,
                        f->fold_coef, 1, 0.0, z, 1);
        else
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)k, (int)ni,
                        1.0, xr, (int)ni, f->fold_coef, (int)ni, 0.0, z, (int)k);
        for (size_t i = 0; i < rows && rc == MLOPS_OK; i++) {
            double *zi = z + i * k;
            bool finite = true;
            for (size_t o = 0; o < k; o++) {
                zi[o] += f->fold_intercept[o];
                finite = finite && isfinite(zi[o]);
            }
            if (finite) continue;
            rc = fill_from_matrix(m, x, r0 + i, 1, xb, func);
            if (rc == MLOPS_OK) mlops__decisions(f, xb, 1, zi);
        }
        if (rc == MLOPS_OK) rc = mlops__outputs(f, kind, z, rows, r0, out + r0 * width, func);
    }
    mlops__free(z);
    mlops__free(xb);
    return rc;
}

MLOPS_API int mlops_model_predict_matrix(const mlops_model *m, const double *x, size_t rows,
                                         size_t cols, int kind, double *out, size_t len)
{
    static const char func[] = "mlops_model_predict_matrix";
    MLOPS_CHECK_ARG(x != NULL || rows == 0, func, "NULL x");
    MLOPS_CHECK_ARG(out != NULL || rows == 0, func, "NULL out");
    int rc = predict_check(m, kind, rows, len, func);
    if (rc == MLOPS_OK) rc = row_path_check(m, cols, func);
    if (rc != MLOPS_OK || rows == 0) return rc;
    if (m->fit->fold_ok) return run_folded(m, x, rows, kind, out, func);
    return run_blocks(m, x, rows, fill_from_matrix, kind, out, func);
}

MLOPS_API int mlops_model_predict_row(const mlops_model *m, const double *x, size_t cols,
                                      int kind, double *out, size_t len)
{
    static const char func[] = "mlops_model_predict_row";
    MLOPS_CHECK_ARG(x != NULL, func, "NULL x");
    MLOPS_CHECK_ARG(out != NULL, func, "NULL out");
    int rc = predict_check(m, kind, 1, len, func);
    if (rc == MLOPS_OK) rc = row_path_check(m, cols, func);
    if (rc != MLOPS_OK) return rc;
    const mlops__model_fit *f = m->fit;
    size_t p = f->nfeatures, k = f->noutputs;
    double z[64], *zp = z;
    double *heap = NULL;
    if (k > 64) {
        heap = zp = mlops__malloc_array(k, sizeof *heap, "prediction");
        if (heap == NULL) return MLOPS_ENOMEM;
    }
    if (f->fold_ok) {
        size_t ni = f->ninputs;
        bool finite = true;
        for (size_t o = 0; o < k; o++) {
            const double *c = f->fold_coef + o * ni;
            double s = f->fold_intercept[o];
            for (size_t i = 0; i < ni; i++) s += c[i] * x[i];
            zp[o] = s;
            finite = finite && isfinite(s);
        }
        if (finite) {
            rc = mlops__outputs(f, kind, zp, 1, 0, out, func);
            mlops__free(heap);
            return rc;
        }
    }
    for (size_t o = 0; o < k; o++) zp[o] = 0;
    for (size_t j = 0; j < p; j++) {
        double v = mlops__plan_feature(f, j, x);
        if (!isfinite(v)) {
            mlops__free(heap);
            return bad_feature(f, j, 0, v, func);
        }
        for (size_t o = 0; o < k; o++) zp[o] += f->coef[o * p + j] * v;
    }
    for (size_t o = 0; o < k; o++) zp[o] += f->intercept[o];
    rc = mlops__outputs(f, kind, zp, 1, 0, out, func);
    mlops__free(heap);
    return rc;
}
