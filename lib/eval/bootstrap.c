/* Bootstrap confidence intervals. Each resample draws n rows with
 * replacement and becomes a vector of row multiplicities, so the metrics
 * are recomputed as weighted passes over orders sorted once: no resample
 * copies or re-sorts the scores. Percentile intervals, deterministic for
 * a seed (the library's portable generator). */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/rng.h"
#include "core/sort.h"
#include "eval/eval_impl.h"

/* High 64 bits of a 64 x 64-bit product, in portable C. */
static uint64_t mul_high(uint64_t a, uint64_t b)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* An unbiased draw from [0, bound) by Lemire's multiply-and-reject: the
 * division of the plain method happens only on the rare rejection path,
 * which matters when a thousand resamples draw a million rows each. */
static uint64_t draw_below(mlops__rng *rng, uint64_t bound)
{
    uint64_t x = mlops__rng_next(rng), low = x * bound;
    if (low < bound) {
        uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            x = mlops__rng_next(rng);
            low = x * bound;
        }
    }
    return mul_high(x, bound);
}

int mlops__eval_bootstrap(const mlops_evaluator *ev, const mlops__eval_data *d, mlops_report *r)
{
    size_t B = ev->bootstrap, n = d->n, cells;
    if (!mlops__mul_size(B, M__COUNT, &cells)) return r->status = MLOPS_ENOMEM;
    double *vals = mlops__malloc_array(cells, sizeof *vals, "bootstrap values");
    double *wt = mlops__malloc_array(n, sizeof *wt, "bootstrap weights");
    uint32_t *counts = mlops__malloc_array(n, sizeof *counts, "bootstrap counts");
    double *scratch = mlops__metric_scratch(d);
    double *column = mlops__malloc_array(B, sizeof *column, "bootstrap column");
    int rc = vals && wt && counts && scratch && column ? MLOPS_OK : MLOPS_ENOMEM;
    mlops__rng rng;
    mlops__rng_seed(&rng, ev->seed);
    for (size_t b = 0; rc == MLOPS_OK && b < B; b++) {
        memset(counts, 0, n * sizeof *counts);
        for (size_t i = 0; i < n; i++) counts[draw_below(&rng, n)]++;
        for (size_t i = 0; i < n; i++) wt[i] = d->w[i] * (double)counts[i];
        mlops__compute_metrics(d, wt, vals + b * M__COUNT, scratch, NULL);
    }
    double alpha = (1 - ev->level) / 2;
    for (int m = M_ACCURACY; rc == MLOPS_OK && m < M__COUNT; m++) {
        if (!mlops__metric_wanted(ev, d, m) || (mlops__metric_defs[m].flags & MD_INFO)) continue;
        size_t k = 0;
        for (size_t b = 0; b < B; b++) {
            double v = vals[b * M__COUNT + (size_t)m];
            if (!isnan(v)) column[k++] = v;
        }
        const char *name = mlops__metric_defs[m].name;
        double lo = NAN, hi = NAN, sd = NAN;
        if (k > 0) {
            mlops__sort_doubles(column, k);
            lo = mlops__quantile_sorted(column, k, alpha);
            hi = mlops__quantile_sorted(column, k, 1 - alpha);
            double mean = 0, ss = 0;
            for (size_t i = 0; i < k; i++) mean += column[i];
            mean /= (double)k;
            for (size_t i = 0; i < k; i++) ss += (column[i] - mean) * (column[i] - mean);
            sd = k > 1 ? sqrt(ss / (double)(k - 1)) : NAN;
        }
        if (k < B)
            mlops__report_note(r, "%s: %zu of %zu bootstrap resamples were undefined and left "
                               "out of its interval", name, B - k, B);
        mlops__report_put(r, SEC_INTERVAL, name, NULL, "ci_low", lo);
        mlops__report_put(r, SEC_INTERVAL, name, NULL, "ci_high", hi);
        mlops__report_put(r, SEC_INTERVAL, name, NULL, "std", sd);
    }
    mlops__free(vals);
    mlops__free(wt);
    mlops__free(counts);
    mlops__free(scratch);
    mlops__free(column);
    return rc != MLOPS_OK ? (r->status = rc) : r->status;
}
