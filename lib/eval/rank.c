/* Ranking metrics and curves: ROC AUC, average precision, the ROC and
 * precision-recall curves, walked over rows sorted once by score. Tied
 * scores are one threshold, so a tie between a positive and a negative
 * row gets half credit in the area, as in scikit-learn; rows of weight 0
 * are left out, as scikit-learn drops them. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/sort.h"
#include "eval/eval_impl.h"

typedef struct rank_sums {
    double auc, ap, pos, neg;
} rank_sums;

/* One pass over the rows of class block `b` in score order; runs of tied
 * scores close where the precomputed run ends are. */
static rank_sums rank_pass(const mlops__eval_data *d, size_t b, const double *wt)
{
    const uint32_t *o = d->order + b * d->n;
    const uint8_t *pos = d->rank_pos + b * d->n, *end = d->rank_end + b * d->n;
    rank_sums s = {0, 0, 0, 0};
    double tp = 0, fp = 0, tp0 = 0, fp0 = 0;
    for (size_t i = 0; i < d->n; i++) {
        double w = wt[o[i]];
        if (pos[i])
            tp += w;
        else
            fp += w;
        if (!end[i] || (tp == tp0 && fp == fp0)) continue;
        s.auc += (fp - fp0) * (tp + tp0) / 2;
        if (tp > tp0) s.ap += (tp - tp0) * (tp / (tp + fp));
        tp0 = tp;
        fp0 = fp;
    }
    s.pos = tp;
    s.neg = fp;
    return s;
}

static void why(mlops__why *w, int m, const char *text)
{
    if (w != NULL) (*w)[m] = text;
}

void mlops__rank_metrics(const mlops__eval_data *d, const double *wt, double *out,
                         mlops__why *w)
{
    if (d->proba == NULL || d->order == NULL) return;
    if (d->k == 2) {
        rank_sums s = rank_pass(d, 0, wt);
        if (s.pos > 0 && s.neg > 0) {
            out[M_ROC_AUC] = s.auc / (s.pos * s.neg);
        } else {
            out[M_ROC_AUC] = NAN;
            why(w, M_ROC_AUC, "only one class is present in the truth");
        }
        if (s.pos > 0) {
            out[M_AVERAGE_PRECISION] = s.ap / s.pos;
        } else {
            out[M_AVERAGE_PRECISION] = NAN;
            why(w, M_AVERAGE_PRECISION, "no positive rows");
        }
        return;
    }
    double macro = 0, weighted = 0, prevalence = 0, ap = 0;
    size_t defined = 0, ap_defined = 0;
    for (size_t c = 0; c < d->k; c++) {
        rank_sums s = rank_pass(d, c, wt);
        if (s.pos > 0) {
            ap += s.ap / s.pos;
            ap_defined++;
        }
        if (s.pos > 0 && s.neg > 0) {
            double auc = s.auc / (s.pos * s.neg);
            macro += auc;
            weighted += s.pos * auc;
            prevalence += s.pos;
            defined++;
        }
    }
    if (defined == d->k) {
        out[M_ROC_AUC_OVR] = macro / (double)defined;
        out[M_ROC_AUC_OVR_WEIGHTED] = weighted / prevalence;
    } else {
        out[M_ROC_AUC_OVR] = out[M_ROC_AUC_OVR_WEIGHTED] = NAN;
        why(w, M_ROC_AUC_OVR, "a class has no rows in the truth");
        why(w, M_ROC_AUC_OVR_WEIGHTED, "a class has no rows in the truth");
    }
    if (ap_defined == d->k) {
        out[M_AVERAGE_PRECISION] = ap / (double)ap_defined;
    } else {
        out[M_AVERAGE_PRECISION] = NAN;
        why(w, M_AVERAGE_PRECISION, "a class has no rows in the truth");
    }
}

/* The ROC and precision-recall curves of class `cls` from block `b`: one
 * point per run of tied scores that holds a row of non-zero weight. */
static int curves_for(const mlops__eval_data *d, size_t b, int cls, const char *suffix,
                      mlops_report *r)
{
    const uint32_t *o = d->order + b * d->n;
    const uint8_t *pos = d->rank_pos + b * d->n, *end = d->rank_end + b * d->n;
    size_t m = 0;
    bool weighted = false;
    for (size_t i = 0; i < d->n; i++) {
        weighted |= d->w[o[i]] != 0;
        if (end[i] && weighted) m++;
        if (end[i]) weighted = false;
    }
    if (m == 0) return MLOPS_OK;
    char name[160];
    snprintf(name, sizeof name, "roc%s%s", suffix[0] ? "." : "", suffix);
    mlops__rcurve *roc = mlops__report_curve_new(r, name, m + 1, m + 1);
    snprintf(name, sizeof name, "precision_recall%s%s", suffix[0] ? "." : "", suffix);
    mlops__rcurve *pr = mlops__report_curve_new(r, name, m + 1, m);
    if (roc == NULL || pr == NULL) return r->status;
    double tp = 0, fp = 0;
    size_t p = 0;
    weighted = false;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w[o[i]];
        weighted |= w != 0;
        if (pos[i])
            tp += w;
        else
            fp += w;
        if (!end[i] || !weighted) continue;
        weighted = false;
        double score = d->proba[(size_t)o[i] * d->k + (size_t)cls];
        roc->x[p + 1] = fp;
        roc->y[p + 1] = tp;
        roc->t[p + 1] = score;
        pr->y[m - 1 - p] = tp / (tp + fp);
        pr->x[m - 1 - p] = tp;
        pr->t[m - 1 - p] = score;
        p++;
    }
    roc->x[0] = roc->y[0] = 0;
    roc->t[0] = INFINITY; /* no row is predicted positive (scikit-learn >= 1.3) */
    for (size_t i = 1; i <= m; i++) {
        roc->x[i] = fp > 0 ? roc->x[i] / fp : NAN;
        roc->y[i] = tp > 0 ? roc->y[i] / tp : NAN;
    }
    for (size_t i = 0; i < m; i++) pr->x[i] = tp > 0 ? pr->x[i] / tp : 1.0;
    pr->x[m] = 0;
    pr->y[m] = 1;
    return r->status;
}

int mlops__rank_curves(const mlops__eval_data *d, mlops_report *r)
{
    if (d->proba == NULL || d->order == NULL) return MLOPS_OK;
    if (d->k == 2) return curves_for(d, 0, d->pos, "", r);
    for (size_t c = 0; c < d->k; c++) {
        int rc = curves_for(d, c, (int)c, d->labels[c], r);
        if (rc != MLOPS_OK) return rc;
    }
    return MLOPS_OK;
}

int mlops__calibration_curve(const mlops__eval_data *d, mlops_report *r)
{
    if (d->proba == NULL || d->nbins == 0) return MLOPS_OK;
    double *acc = mlops__calloc(3 * d->nbins, sizeof *acc, "calibration bins");
    if (acc == NULL) return r->status = MLOPS_ENOMEM;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w[i];
        if (w == 0) continue;
        size_t b = (size_t)d->cbin[i];
        acc[3 * b] += w;
        acc[3 * b + 1] += w * d->cval[i];
        acc[3 * b + 2] += w * d->chit[i];
    }
    size_t m = 0;
    for (size_t b = 0; b < d->nbins; b++) m += acc[3 * b] > 0;
    mlops__rcurve *c = m > 0 ? mlops__report_curve_new(r, d->k == 2 ? "calibration" : "calibration.confidence", m, m) : NULL;
    if (c != NULL) {
        size_t p = 0;
        for (size_t b = 0; b < d->nbins; b++) {
            if (!(acc[3 * b] > 0)) continue;
            c->x[p] = acc[3 * b + 1] / acc[3 * b];
            c->y[p] = acc[3 * b + 2] / acc[3 * b];
            c->t[p] = acc[3 * b];
            p++;
        }
    }
    mlops__free(acc);
    return r->status;
}

/* Regression's calibration plot: the rows in ten groups of equal size by
 * predicted value, each group's weighted mean prediction against its
 * weighted mean true value. A calibrated model lies on the diagonal. */
int mlops__regression_curve(const mlops__eval_data *d, mlops_report *r)
{
    enum { GROUPS = 10 };
    if (d->n == 0) return MLOPS_OK;
    uint32_t *order = mlops__malloc_array(d->n, sizeof *order, "calibration order");
    if (order == NULL) return r->status = MLOPS_ENOMEM;
    int rc = mlops__sort_rows(d->pv, d->n, false, order);
    size_t groups = d->n < GROUPS ? d->n : GROUPS, m = 0;
    double acc[3 * GROUPS] = {0};
    for (size_t i = 0; rc == MLOPS_OK && i < d->n; i++) {
        size_t g = i * groups / d->n;
        double w = d->w[order[i]];
        acc[3 * g] += w;
        acc[3 * g + 1] += w * d->pv[order[i]];
        acc[3 * g + 2] += w * d->yv[order[i]];
    }
    mlops__free(order);
    if (rc != MLOPS_OK) return r->status = rc;
    for (size_t g = 0; g < groups; g++) m += acc[3 * g] > 0;
    mlops__rcurve *c = m > 0 ? mlops__report_curve_new(r, "calibration.mean", m, m) : NULL;
    for (size_t g = 0, p = 0; c != NULL && g < groups; g++) {
        if (!(acc[3 * g] > 0)) continue;
        c->x[p] = acc[3 * g + 1] / acc[3 * g];
        c->y[p] = acc[3 * g + 2] / acc[3 * g];
        c->t[p] = acc[3 * g];
        p++;
    }
    return r->status;
}
