/* Explanations: why the model decided as it did for one row. A linear
 * model's decision is exactly the intercept plus one term per feature
 * (coefficient x transformed value), so the contributions are the reasons,
 * with no approximation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "data/dataset_impl.h"
#include "train/model_impl.h"

/* The transformed features of row `row` of `d` into x (p values). */
static int row_features(const mlops_model *m, const mlops_dataset *d, size_t row, double *x,
                        const char *func)
{
    mlops_dataset *one = NULL;
    int rc = mlops_dataset_take_rows(&one, d, &row, 1);
    mlops__features fx;
    if (rc == MLOPS_OK) rc = mlops__features_open(m, one, func, &fx);
    if (rc == MLOPS_OK) {
        rc = mlops__features_block(m->fit, &fx, 0, 1, x, func);
        mlops__features_close(&fx);
    }
    mlops_dataset_free(one);
    if (rc == MLOPS_EINVAL && strstr(mlops_last_error(), " at row 0") != NULL)
        return mlops__fail(MLOPS_EINVAL, "%s (data row %zu)", mlops_last_error(), row);
    return rc;
}

static int check_row(const mlops_model *m, const mlops_dataset *d, size_t row, const char *func)
{
    MLOPS_CHECK_ARG(m != NULL, func, "NULL model");
    MLOPS_CHECK_ARG(d != NULL, func, "NULL dataset");
    if (m->fit == NULL) return mlops__fail(MLOPS_ESTATE, "%s: the model is not fitted", func);
    if (row >= d->rows)
        return mlops__fail(MLOPS_EINVAL, "%s: row %zu is out of range (the data has %zu rows)",
                           func, row, d->rows);
    return MLOPS_OK;
}

MLOPS_API int mlops_model_contributions(const mlops_model *m, const mlops_dataset *d, size_t row,
                                        size_t output, double *out, size_t len)
{
    static const char func[] = "mlops_model_contributions";
    int rc = check_row(m, d, row, func);
    if (rc != MLOPS_OK) return rc;
    MLOPS_CHECK_ARG(out != NULL, func, "NULL out");
    const mlops__model_fit *f = m->fit;
    size_t p = f->nfeatures;
    if (output >= f->noutputs)
        return mlops__fail(MLOPS_EINVAL, "%s: output %zu is out of range (the model has %zu)",
                           func, output, f->noutputs);
    if (len < p)
        return mlops__fail(MLOPS_EINVAL, "%s: out holds %zu values, %zu features", func, len, p);
    rc = row_features(m, d, row, out, func);
    if (rc != MLOPS_OK) return rc;
    for (size_t j = 0; j < p; j++) out[j] *= f->coef[output * p + j];
    return MLOPS_OK;
}

typedef struct ranked {
    size_t j;
    double mag;
} ranked;

static int by_magnitude(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->mag != y->mag) return x->mag < y->mag ? 1 : -1;
    return (x->j > y->j) - (x->j < y->j);
}

/* The raw input value behind feature j, for the reader of the reasons. */
static int raw_value(mlops__json *js, const mlops__model_fit *f, const mlops_dataset *d,
                     size_t row, size_t j)
{
    size_t in = f->plan_input[j], col = 0;
    if (in == SIZE_MAX || mlops_dataset_column_index(d, f->inputs[in], &col) != MLOPS_OK)
        return mlops__json_null(js);
    double v = d->cols[col].values[row];
    return isnan(v) ? mlops__json_null(js) : mlops__json_double(js, v);
}

static int write_reasons(mlops__json *js, const mlops_model *m, const mlops_dataset *d,
                         size_t row, size_t top_k, const double *x, const double *z,
                         const double *prob, size_t output, ranked *rk)
{
    const mlops__model_fit *f = m->fit;
    size_t p = f->nfeatures;
    int rc = mlops__json_begin_object(js);
    rc = rc ? rc : mlops__json_key(js, "row");
    rc = rc ? rc : mlops__json_uint(js, row);
    rc = rc ? rc : mlops__json_key(js, "prediction");
    if (f->nclasses == 0) {
        rc = rc ? rc : mlops__json_double(js, z[0]);
    } else {
        size_t cls = f->noutputs == 1 ? (z[0] > 0) : output;
        rc = rc ? rc : mlops__json_string(js, f->classes[cls]);
        rc = rc ? rc : mlops__json_key(js, "probabilities");
        rc = rc ? rc : mlops__json_begin_object(js);
        for (size_t c = 0; c < f->nclasses && rc == MLOPS_OK; c++) {
            rc = mlops__json_key(js, f->classes[c]);
            rc = rc ? rc : mlops__json_double(js, prob[c]);
        }
        rc = rc ? rc : mlops__json_end_object(js);
    }
    rc = rc ? rc : mlops__json_key(js, "explained_output");
    if (f->nclasses == 0) rc = rc ? rc : mlops__json_string(js, f->target);
    else if (f->noutputs == 1) rc = rc ? rc : mlops__json_string(js, f->classes[1]);
    else rc = rc ? rc : mlops__json_string(js, f->classes[output]);
    rc = rc ? rc : mlops__json_key(js, "intercept");
    rc = rc ? rc : mlops__json_double(js, f->intercept[output]);
    rc = rc ? rc : mlops__json_key(js, "decision_value");
    rc = rc ? rc : mlops__json_double(js, z[f->noutputs == 1 ? 0 : output]);
    for (size_t j = 0; j < p; j++) {
        rk[j].j = j;
        rk[j].mag = fabs(f->coef[output * p + j] * x[j]);
    }
    qsort(rk, p, sizeof *rk, by_magnitude);
    size_t shown = top_k == 0 || top_k > p ? p : top_k;
    rc = rc ? rc : mlops__json_key(js, "reasons");
    rc = rc ? rc : mlops__json_begin_array(js);
    for (size_t r = 0; r < shown && rc == MLOPS_OK; r++) {
        size_t j = rk[r].j;
        double c = f->coef[output * p + j];
        rc = mlops__json_begin_object(js);
        rc = rc ? rc : mlops__json_key(js, "feature");
        rc = rc ? rc : mlops__json_string(js, f->features[j]);
        rc = rc ? rc : mlops__json_key(js, "raw_value");
        rc = rc ? rc : raw_value(js, f, d, row, j);
        rc = rc ? rc : mlops__json_key(js, "feature_value");
        rc = rc ? rc : mlops__json_double(js, x[j]);
        rc = rc ? rc : mlops__json_key(js, "coefficient");
        rc = rc ? rc : mlops__json_double(js, c);
        rc = rc ? rc : mlops__json_key(js, "contribution");
        rc = rc ? rc : mlops__json_double(js, c * x[j]);
        rc = rc ? rc : mlops__json_end_object(js);
    }
    rc = rc ? rc : mlops__json_end_array(js);
    rc = rc ? rc : mlops__json_end_object(js);
    return rc;
}

MLOPS_API int mlops_model_explain_json(const mlops_model *m, const mlops_dataset *d, size_t row,
                                       size_t top_k, char **json)
{
    static const char func[] = "mlops_model_explain_json";
    int rc = check_row(m, d, row, func);
    if (rc != MLOPS_OK) return rc;
    MLOPS_CHECK_ARG(json != NULL, func, "NULL json");
    const mlops__model_fit *f = m->fit;
    size_t p = f->nfeatures, k = f->noutputs, nc = f->nclasses;
    /* x (p), ranks (p), z (k), probabilities (classes) */
    double *x = mlops__malloc_array(2 * p + k + nc + 2, sizeof *x, "explanation");
    ranked *rk = mlops__malloc_array(p, sizeof *rk, "explanation");
    if (x == NULL || rk == NULL) {
        mlops__free(x);
        mlops__free(rk);
        return MLOPS_ENOMEM;
    }
    double *z = x + p, *prob = z + k;
    rc = row_features(m, d, row, x, func);
    size_t output = 0;
    if (rc == MLOPS_OK) {
        mlops__decisions(f, x, 1, z);
        /* the decision checks hold for regression too: the JSON would
         * otherwise write an overflowed prediction as null */
        rc = mlops__outputs(f, nc > 0 ? MLOPS_PREDICT_PROBA : MLOPS_PREDICT_DECISION, z, 1, row,
                            prob, func);
    }
    if (rc == MLOPS_OK) {
        if (k > 1)
            for (size_t o = 1; o < k; o++)
                if (z[o] > z[output]) output = o;
        mlops__json js;
        mlops__json_init(&js, true);
        rc = write_reasons(&js, m, d, row, top_k, x, z, prob, output, rk);
        size_t json_len = 0;
        if (rc == MLOPS_OK) rc = mlops__json_finish(&js, json, &json_len);
        mlops__json_free(&js);
    }
    mlops__free(x);
    mlops__free(rk);
    return rc;
}
