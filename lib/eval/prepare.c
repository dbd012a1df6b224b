/* Preparing a sample for evaluation: the sorted orders and per-row terms
 * that every weighting reuses. Sorting happens here and only here, so a
 * thousand bootstrap resamples or fifty groups cost linear passes. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/sort.h"
#include "eval/eval_impl.h"

void mlops__eval_data_clear(mlops__eval_data *d)
{
    if (d->labels != NULL)
        for (size_t c = 0; c < d->k; c++) mlops__free(d->labels[c]);
    mlops__free(d->labels);
    mlops__free(d->y);
    mlops__free(d->pred);
    mlops__free(d->proba);
    mlops__free(d->yv);
    mlops__free(d->pv);
    mlops__free(d->w);
    mlops__free(d->order);
    mlops__free(d->rank_pos);
    mlops__free(d->rank_end);
    mlops__free(d->ll);
    mlops__free(d->brier);
    mlops__free(d->cbin);
    mlops__free(d->cval);
    mlops__free(d->chit);
    mlops__free(d->res_order);
    mlops__free(d->abs_order);
    memset(d, 0, sizeof *d);
}

static int orders_by_score(mlops__eval_data *d)
{
    size_t blocks = d->k == 2 ? 1 : d->k, total;
    if (!mlops__mul_size(blocks, d->n, &total))
        return mlops__fail(MLOPS_ENOMEM, "evaluation: %zu classes x %zu rows overflow", blocks,
                           d->n);
    d->order = mlops__malloc_array(total, sizeof *d->order, "evaluation score orders");
    double *key = mlops__malloc_array(d->n, sizeof *key, "evaluation scores");
    int rc = d->order != NULL && key != NULL ? MLOPS_OK : MLOPS_ENOMEM;
    for (size_t b = 0; rc == MLOPS_OK && b < blocks; b++) {
        size_t cls = d->k == 2 ? (size_t)d->pos : b;
        for (size_t i = 0; i < d->n; i++) key[i] = d->proba[i * d->k + cls];
        rc = mlops__sort_rows(key, d->n, true, d->order + b * d->n);
    }
    d->norders = blocks;
    mlops__free(key);
    if (rc != MLOPS_OK) return rc;
    /* Tie runs are fixed by the scores alone: rows a weighting leaves out
     * add nothing to a run, so every weighting can close runs here. */
    d->rank_pos = mlops__malloc(total, "evaluation ranks");
    d->rank_end = mlops__malloc(total, "evaluation ranks");
    if (d->rank_pos == NULL || d->rank_end == NULL) return MLOPS_ENOMEM;
    for (size_t b = 0; b < blocks; b++) {
        size_t cls = d->k == 2 ? (size_t)d->pos : b;
        const uint32_t *o = d->order + b * d->n;
        for (size_t i = 0; i < d->n; i++) {
            d->rank_pos[b * d->n + i] = (size_t)d->y[o[i]] == cls;
            d->rank_end[b * d->n + i] =
                i + 1 == d->n ||
                d->proba[(size_t)o[i] * d->k + cls] != d->proba[(size_t)o[i + 1] * d->k + cls];
        }
    }
    return MLOPS_OK;
}

/* scikit-learn's log_loss per row: clip to [eps, 1 - eps], renormalize. */
static void log_loss_terms(mlops__eval_data *d)
{
    const double eps = DBL_EPSILON;
    for (size_t i = 0; i < d->n; i++) {
        const double *p = d->proba + i * d->k;
        double sum = 0, own = 0;
        for (size_t c = 0; c < d->k; c++) {
            double v = p[c] < eps ? eps : p[c] > 1 - eps ? 1 - eps : p[c];
            sum += v;
            if ((int32_t)c == d->y[i]) own = v;
        }
        d->ll[i] = -log(own / sum);
    }
}

/* numpy.percentile(v, linspace(0, 1, bins + 1) * 100) on sorted values. */
static void quantile_edges(const double *sorted, size_t n, size_t bins, double *edges)
{
    double step = 1.0 / (double)bins;
    for (size_t b = 0; b <= bins; b++) {
        double q = b == bins ? 1.0 : (double)b * step;
        edges[b] = mlops__quantile_sorted(sorted, n, q * 100 / 100);
    }
}

static int calibration_bins(mlops__eval_data *d, const mlops_evaluator *ev)
{
    size_t bins = ev->calibration_bins;
    double *edges = mlops__malloc_array(bins + 1, sizeof *edges, "calibration edges");
    d->cbin = mlops__malloc_array(d->n, sizeof *d->cbin, "calibration bins");
    d->cval = mlops__malloc_array(d->n, sizeof *d->cval, "calibration scores");
    d->chit = mlops__malloc_array(d->n, sizeof *d->chit, "calibration outcomes");
    if (edges == NULL || d->cbin == NULL || d->cval == NULL || d->chit == NULL) {
        mlops__free(edges);
        return MLOPS_ENOMEM;
    }
    for (size_t i = 0; i < d->n; i++) {
        const double *p = d->proba + i * d->k;
        if (d->k == 2) {
            d->cval[i] = p[d->pos];
            d->chit[i] = d->y[i] == d->pos;
        } else {
            d->cval[i] = p[mlops__argmax(p, d->k)];
            d->chit[i] = d->pred[i] == d->y[i];
        }
    }
    if (ev->calibration_quantile && d->k == 2) {
        double *sorted = mlops__malloc_array(d->n, sizeof *sorted, "calibration quantiles");
        if (sorted == NULL) {
            mlops__free(edges);
            return MLOPS_ENOMEM;
        }
        const uint32_t *o = d->order; /* descending P(positive) */
        for (size_t i = 0; i < d->n; i++) sorted[i] = d->cval[o[d->n - 1 - i]];
        quantile_edges(sorted, d->n, bins, edges);
        mlops__free(sorted);
    } else {
        double step = 1.0 / (double)bins;
        for (size_t b = 0; b <= bins; b++) edges[b] = b == bins ? 1.0 : (double)b * step;
    }
    /* numpy.searchsorted(edges[1:-1], v) with side='left', as scikit-learn */
    for (size_t i = 0; i < d->n; i++)
        d->cbin[i] = (int32_t)mlops__lower_bound(edges + 1, bins - 1, d->cval[i]);
    d->nbins = bins;
    mlops__free(edges);
    return MLOPS_OK;
}

int mlops__eval_prepare(mlops__eval_data *d, const mlops_evaluator *ev)
{
    if (d->task == MLOPS__TASK_REGR) {
        double *key = mlops__malloc_array(d->n, sizeof *key, "residuals");
        d->res_order = mlops__malloc_array(d->n, sizeof *d->res_order, "residual order");
        d->abs_order = mlops__malloc_array(d->n, sizeof *d->abs_order, "residual order");
        int rc = key != NULL && d->res_order != NULL && d->abs_order != NULL ? MLOPS_OK
                                                                             : MLOPS_ENOMEM;
        if (rc == MLOPS_OK) {
            for (size_t i = 0; i < d->n; i++) key[i] = d->yv[i] - d->pv[i];
            rc = mlops__sort_rows(key, d->n, false, d->res_order);
        }
        if (rc == MLOPS_OK) {
            for (size_t i = 0; i < d->n; i++) key[i] = fabs(key[i]);
            rc = mlops__sort_rows(key, d->n, false, d->abs_order);
        }
        mlops__free(key);
        return rc;
    }
    if (d->proba == NULL) return MLOPS_OK;
    int rc = orders_by_score(d);
    if (rc != MLOPS_OK) return rc;
    d->ll = mlops__malloc_array(d->n, sizeof *d->ll, "log-loss terms");
    if (d->ll == NULL) return MLOPS_ENOMEM;
    log_loss_terms(d);
    if (d->k == 2) {
        d->brier = mlops__malloc_array(d->n, sizeof *d->brier, "Brier terms");
        if (d->brier == NULL) return MLOPS_ENOMEM;
        for (size_t i = 0; i < d->n; i++) {
            double e = (d->y[i] == d->pos) - d->proba[i * 2 + (size_t)d->pos];
            d->brier[i] = e * e;
        }
    }
    return calibration_bins(d, ev);
}
