/* The reference and current histograms kept in a drift report, so a report
 * (its JSON and its HTML page) can show what changed after the profiles are
 * gone. Categorical columns keep at most MLOPS__HIST_MAX_CATEGORIES
 * categories (the largest on either side), plus the rest and the unseen
 * bin, so a column of 100,000 categories does not bloat a report. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "monitor/drift_impl.h"

void mlops__drift_hist_free(mlops__drift_hist *h)
{
    if (h->labels != NULL)
        for (size_t i = 0; i < h->nlabels; i++) mlops__free(h->labels[i]);
    mlops__free(h->labels);
    mlops__free(h->edges);
    mlops__free(h->ref);
    mlops__free(h->cur);
    memset(h, 0, sizeof *h);
}

static int alloc_counts(mlops__drift_hist *h, size_t n)
{
    h->n = n;
    h->ref = mlops__calloc(n, sizeof *h->ref, "drift histogram");
    h->cur = mlops__calloc(n, sizeof *h->cur, "drift histogram");
    return h->ref == NULL || h->cur == NULL ? MLOPS_ENOMEM : MLOPS_OK;
}

static int copy_numeric(mlops__drift_hist *h, const mlops__column_bins *rb,
                        const mlops__column_bins *cb)
{
    int rc = alloc_counts(h, rb->nbins);
    if (rc != MLOPS_OK) return rc;
    memcpy(h->ref, rb->counts, rb->nbins * sizeof *h->ref);
    memcpy(h->cur, cb->counts, rb->nbins * sizeof *h->cur);
    h->nedges = rb->nedges;
    h->edges = mlops__malloc_array(rb->nedges ? rb->nedges : 1, sizeof *h->edges, "drift histogram");
    if (h->edges == NULL) return MLOPS_ENOMEM;
    /* a column with no reference value has the single bin (-inf, +inf) and
     * no edges: NULL, which memcpy may not be given even for 0 bytes */
    if (rb->nedges > 0) memcpy(h->edges, rb->edges, rb->nedges * sizeof *h->edges);
    return MLOPS_OK;
}

/* The weight of category i on the larger side, as a share of each side. */
static double share(const mlops__column_bins *rb, const mlops__column_bins *cb, uint64_t rt,
                    uint64_t ct, size_t i)
{
    double a = rt ? (double)rb->counts[i] / (double)rt : 0, b = ct ? (double)cb->counts[i] / (double)ct : 0;
    return a > b ? a : b;
}

static int copy_categorical(mlops__drift_hist *h, const mlops__column_bins *rb,
                            const mlops__column_bins *cb)
{
    size_t ncat = rb->nbins - 1, keep = ncat < MLOPS__HIST_MAX_CATEGORIES ? ncat : MLOPS__HIST_MAX_CATEGORIES;
    uint64_t rt = 0, ct = 0;
    for (size_t i = 0; i < rb->nbins; i++) rt += rb->counts[i], ct += cb->counts[i];
    size_t *pick = mlops__malloc_array(keep ? keep : 1, sizeof *pick, "drift histogram");
    if (pick == NULL) return MLOPS_ENOMEM;
    /* Insertion into a short sorted list: keep is small, ncat may be large. */
    size_t have = 0;
    for (size_t i = 0; i < ncat; i++) {
        double s = share(rb, cb, rt, ct, i);
        size_t pos = have < keep ? have++ : keep;
        while (pos > 0 && share(rb, cb, rt, ct, pick[pos - 1]) < s) {
            if (pos < keep) pick[pos] = pick[pos - 1];
            pos--;
        }
        if (pos < keep) pick[pos] = i;
    }
    int rc = alloc_counts(h, keep + 2);
    h->labels = rc == MLOPS_OK ? mlops__calloc(keep ? keep : 1, sizeof *h->labels, "drift histogram")
                               : NULL;
    if (h->labels == NULL) rc = MLOPS_ENOMEM;
    for (size_t k = 0; rc == MLOPS_OK && k < keep; k++) {
        h->labels[k] = mlops__strdup(mlops__dict_string(rb->categories, (int32_t)pick[k]),
                                     "drift histogram");
        if (h->labels[k] == NULL) rc = MLOPS_ENOMEM;
        h->nlabels = k + 1;
        h->ref[k] = rb->counts[pick[k]];
        h->cur[k] = cb->counts[pick[k]];
    }
    if (rc == MLOPS_OK) {
        uint64_t rk = 0, ck = 0;
        for (size_t k = 0; k < keep; k++) rk += h->ref[k], ck += h->cur[k];
        h->ref[keep] = rt - rb->counts[ncat] - rk;
        h->cur[keep] = ct - cb->counts[ncat] - ck;
        h->ref[keep + 1] = rb->counts[ncat];
        h->cur[keep + 1] = cb->counts[ncat];
        h->categorical = true;
    }
    mlops__free(pick);
    return rc;
}

int mlops__drift_hist_copy(mlops__drift_hist *h, const mlops__column_bins *rb,
                           const mlops__column_bins *cb, int type)
{
    memset(h, 0, sizeof *h);
    if (rb->nbins == 0 || cb->nbins != rb->nbins) return MLOPS_OK;
    int rc = type == MLOPS_CATEGORICAL ? copy_categorical(h, rb, cb) : copy_numeric(h, rb, cb);
    if (rc != MLOPS_OK) mlops__drift_hist_free(h);
    return rc;
}

static void uint_array(mlops__json *j, const char *key, const uint64_t *v, size_t n)
{
    mlops__json_key(j, key);
    mlops__json_begin_array(j);
    for (size_t i = 0; i < n; i++) mlops__json_uint(j, v[i]);
    mlops__json_end_array(j);
}

void mlops__drift_hist_write(mlops__json *j, const mlops__drift_hist *h)
{
    mlops__json_key(j, "histogram");
    if (h->n == 0) {
        mlops__json_null(j);
        return;
    }
    mlops__json_begin_object(j);
    if (h->categorical) {
        mlops__json_key(j, "categories");
        mlops__json_begin_array(j);
        for (size_t i = 0; i < h->nlabels; i++) mlops__json_string(j, h->labels[i]);
        mlops__json_end_array(j);
    } else {
        mlops__json_key(j, "edges");
        mlops__json_begin_array(j);
        for (size_t i = 0; i < h->nedges; i++) mlops__json_double(j, h->edges[i]);
        mlops__json_end_array(j);
    }
    uint_array(j, "reference", h->ref, h->n);
    uint_array(j, "current", h->cur, h->n);
    mlops__json_end_object(j);
}
