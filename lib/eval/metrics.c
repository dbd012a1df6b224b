/* Scalar metrics from a confusion matrix or residuals, for any weighting of
 * the rows: the same code serves the overall figures, each group and each
 * bootstrap resample. Definitions follow scikit-learn; where scikit-learn
 * substitutes a number for an undefined value (0 for MCC, zero_division),
 * the value here is NaN with the reason, so nothing is made up. */
#include <math.h>
#include <string.h>

#include "core/sort.h"
#include "core/suggest.h"
#include "eval/eval_impl.h"

const mlops__metric_def mlops__metric_defs[M__COUNT] = {
    [M_COUNT] = {"count", MD_CLASS | MD_REGR | MD_INFO},
    [M_WEIGHT_SUM] = {"weight_sum", MD_CLASS | MD_REGR | MD_INFO},
    [M_ACCURACY] = {"accuracy", MD_CLASS},
    [M_BALANCED_ACCURACY] = {"balanced_accuracy", MD_CLASS},
    [M_PRECISION] = {"precision", MD_CLASS | MD_BINARY},
    [M_RECALL] = {"recall", MD_CLASS | MD_BINARY},
    [M_F1] = {"f1", MD_CLASS | MD_BINARY},
    [M_PRECISION_MACRO] = {"precision_macro", MD_CLASS},
    [M_PRECISION_WEIGHTED] = {"precision_weighted", MD_CLASS},
    [M_PRECISION_MICRO] = {"precision_micro", MD_CLASS},
    [M_RECALL_MACRO] = {"recall_macro", MD_CLASS},
    [M_RECALL_WEIGHTED] = {"recall_weighted", MD_CLASS},
    [M_RECALL_MICRO] = {"recall_micro", MD_CLASS},
    [M_F1_MACRO] = {"f1_macro", MD_CLASS},
    [M_F1_WEIGHTED] = {"f1_weighted", MD_CLASS},
    [M_F1_MICRO] = {"f1_micro", MD_CLASS},
    [M_MCC] = {"matthews_corrcoef", MD_CLASS},
    [M_SELECTION_RATE] = {"selection_rate", MD_CLASS | MD_POS},
    [M_TPR] = {"true_positive_rate", MD_CLASS | MD_POS},
    [M_FPR] = {"false_positive_rate", MD_CLASS | MD_POS | MD_LOWER},
    [M_ROC_AUC] = {"roc_auc", MD_CLASS | MD_BINARY | MD_SCORES},
    [M_ROC_AUC_OVR] = {"roc_auc_ovr", MD_CLASS | MD_MULTI | MD_SCORES},
    [M_ROC_AUC_OVR_WEIGHTED] = {"roc_auc_ovr_weighted", MD_CLASS | MD_MULTI | MD_SCORES},
    [M_AVERAGE_PRECISION] = {"average_precision", MD_CLASS | MD_SCORES},
    [M_LOG_LOSS] = {"log_loss", MD_CLASS | MD_SCORES | MD_LOWER},
    [M_BRIER] = {"brier_score_loss", MD_CLASS | MD_BINARY | MD_SCORES | MD_LOWER},
    [M_ECE] = {"expected_calibration_error", MD_CLASS | MD_SCORES | MD_LOWER},
    [M_R2] = {"r2", MD_REGR},
    [M_MAE] = {"mean_absolute_error", MD_REGR | MD_LOWER},
    [M_MSE] = {"mean_squared_error", MD_REGR | MD_LOWER},
    [M_RMSE] = {"root_mean_squared_error", MD_REGR | MD_LOWER},
    [M_MEDAE] = {"median_absolute_error", MD_REGR | MD_LOWER},
    [M_MAPE] = {"mean_absolute_percentage_error", MD_REGR | MD_LOWER},
    [M_EXPLAINED_VARIANCE] = {"explained_variance", MD_REGR},
    [M_MAX_ERROR] = {"max_error", MD_REGR | MD_LOWER},
    [M_RQ05] = {"residual_q05", MD_REGR | MD_INFO},
    [M_RQ25] = {"residual_q25", MD_REGR | MD_INFO},
    [M_RQ50] = {"residual_q50", MD_REGR | MD_INFO},
    [M_RQ75] = {"residual_q75", MD_REGR | MD_INFO},
    [M_RQ95] = {"residual_q95", MD_REGR | MD_INFO},
};

static const struct {
    const char *alias;
    int metric;
} ALIASES[] = {
    {"mae", M_MAE},   {"mse", M_MSE},     {"rmse", M_RMSE},
    {"mape", M_MAPE}, {"brier", M_BRIER}, {"ece", M_ECE},
    {"mcc", M_MCC},   {"tpr", M_TPR},     {"fpr", M_FPR},
};

int mlops__metric_find(const char *name)
{
    if (name == NULL) return -1;
    for (int m = 0; m < M__COUNT; m++)
        if (strcmp(name, mlops__metric_defs[m].name) == 0) return m;
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++)
        if (strcmp(name, ALIASES[i].alias) == 0) return ALIASES[i].metric;
    return -1;
}

static const char *metric_name_at(size_t i, const void *ctx)
{
    (void)ctx;
    return mlops__metric_defs[i].name;
}

const char *mlops__metric_suggest(const char *name)
{
    return mlops__suggest(name, M__COUNT, metric_name_at, NULL);
}

bool mlops__metric_applies(const mlops__eval_data *d, int m)
{
    unsigned f = mlops__metric_defs[m].flags;
    if (d->task == MLOPS__TASK_CLASS) {
        if (!(f & MD_CLASS)) return false;
        if ((f & MD_BINARY) && d->k != 2) return false;
        if ((f & MD_MULTI) && d->k <= 2) return false;
        if ((f & MD_SCORES) && d->proba == NULL) return false;
        if ((f & MD_POS) && d->pos < 0) return false;
        return true;
    }
    return (f & MD_REGR) != 0;
}

size_t mlops__argmax(const double *p, size_t k)
{
    size_t best = 0;
    for (size_t c = 1; c < k; c++)
        if (p[c] > p[best]) best = c;
    return best;
}

static double row_value(const double *v, const double *v2, bool absolute, uint32_t i)
{
    if (v2 == NULL) return v[i];
    double r = v[i] - v2[i];
    return absolute ? fabs(r) : r;
}

/* The elements at expanded positions j and j+1 of the weighted sample. */
double mlops__weighted_quantile(const uint32_t *order, size_t n, const double *v,
                                const double *v2, bool absolute, const double *wt, double q,
                                bool median)
{
    double total = 0;
    for (size_t i = 0; i < n; i++) total += wt[order[i]];
    if (!(total > 0)) return NAN;
    double h = (total - 1) * q;
    if (h < 0) h = 0;
    double j = floor(h), gamma = h - j;
    double a = NAN, b = NAN, cum = 0;
    size_t i = 0;
    for (; i < n; i++) {
        double w = wt[order[i]];
        if (w == 0) continue;
        cum += w;
        if (cum > j) {
            a = row_value(v, v2, absolute, order[i]);
            break;
        }
    }
    if (isnan(a)) return NAN;
    if (cum > j + 1) {
        b = a;
    } else {
        for (i++; i < n; i++)
            if (wt[order[i]] != 0) {
                b = row_value(v, v2, absolute, order[i]);
                break;
            }
        if (isnan(b)) b = a;
    }
    if (median && gamma == 0.5) return (a + b) / 2;
    return mlops__lerp(a, b, gamma);
}

static double ratio(double num, double den)
{
    return den != 0 ? num / den : NAN;
}

/* scikit-learn's averages with NaN classes left out (its zero_division=nan
 * semantics): macro is the plain mean, weighted uses the true counts. */
static double nan_average(const double *v, const double *weight, size_t k)
{
    double s = 0, ws = 0;
    for (size_t c = 0; c < k; c++) {
        if (isnan(v[c])) continue;
        double w = weight != NULL ? weight[c] : 1.0;
        s += w * v[c];
        ws += w;
    }
    return ws > 0 ? s / ws : NAN;
}

/* One pass for the confusion matrix and the per-row score terms. */
typedef struct class_sums {
    double count, ll, brier;
} class_sums;

static class_sums class_pass(const mlops__eval_data *d, const double *wt, double *confusion,
                             double *bins)
{
    size_t k = d->k;
    class_sums s = {0, 0, 0};
    memset(confusion, 0, k * k * sizeof *confusion);
    if (bins != NULL) memset(bins, 0, 2 * d->nbins * sizeof *bins);
    for (size_t i = 0; i < d->n; i++) {
        double w = wt[i];
        if (w == 0) continue;
        s.count++;
        confusion[(size_t)d->y[i] * k + (size_t)d->pred[i]] += w;
        if (bins == NULL) continue;
        s.ll += w * d->ll[i];
        if (d->brier != NULL) s.brier += w * d->brier[i];
        size_t b = (size_t)d->cbin[i];
        bins[2 * b] += w * d->chit[i];
        bins[2 * b + 1] += w * d->cval[i];
    }
    return s;
}

static void per_class_from(const double *confusion, size_t k, double *precision,
                           double *recall, double *f1, double *support)
{
    for (size_t c = 0; c < k; c++) {
        double t = 0, p = 0;
        for (size_t j = 0; j < k; j++) {
            t += confusion[c * k + j];
            p += confusion[j * k + c];
        }
        double tp = confusion[c * k + c];
        support[c] = t;
        precision[c] = ratio(tp, p);
        recall[c] = ratio(tp, t);
        f1[c] = ratio(2 * tp, t + p);
    }
}

void mlops__per_class(const mlops__eval_data *d, const double *wt, double *precision,
                      double *recall, double *f1, double *support, double *confusion)
{
    class_pass(d, wt, confusion, NULL);
    per_class_from(confusion, d->k, precision, recall, f1, support);
}

static void set_why(mlops__why *why, int m, const char *text)
{
    if (why != NULL) (*why)[m] = text;
}

void mlops__class_metrics(const mlops__eval_data *d, const double *wt, double *out,
                          double *scratch, mlops__why *why)
{
    size_t k = d->k;
    double *conf = scratch, *prec = conf + k * k, *rec = prec + k, *f1 = rec + k, *sup = f1 + k;
    double *bins = sup + k;
    class_sums sums = class_pass(d, wt, conf, d->proba != NULL ? bins : NULL);
    per_class_from(conf, k, prec, rec, f1, sup);
    double total = 0, trace = 0, count = sums.count;
    for (size_t c = 0; c < k; c++) {
        total += sup[c];
        trace += conf[c * k + c];
    }
    out[M_COUNT] = count;
    out[M_WEIGHT_SUM] = total;
    if (!(total > 0)) {
        for (int m = M_ACCURACY; m < M__COUNT; m++) {
            out[m] = NAN;
            set_why(why, m, "no rows");
        }
        return;
    }
    out[M_ACCURACY] = trace / total;
    double bal = 0;
    size_t present = 0;
    for (size_t c = 0; c < k; c++)
        if (sup[c] > 0) {
            bal += rec[c];
            present++;
        }
    out[M_BALANCED_ACCURACY] = bal / (double)present;
    out[M_PRECISION_MACRO] = nan_average(prec, NULL, k);
    out[M_RECALL_MACRO] = nan_average(rec, NULL, k);
    out[M_F1_MACRO] = nan_average(f1, NULL, k);
    out[M_PRECISION_WEIGHTED] = nan_average(prec, sup, k);
    out[M_RECALL_WEIGHTED] = nan_average(rec, sup, k);
    out[M_F1_WEIGHTED] = nan_average(f1, sup, k);
    out[M_PRECISION_MICRO] = out[M_RECALL_MICRO] = out[M_F1_MICRO] = trace / total;
    for (int m = M_PRECISION_MACRO; m <= M_F1_WEIGHTED; m++)
        if (isnan(out[m])) set_why(why, m, "every class is undefined (no rows predicted or true)");

    /* Matthews: scikit-learn's covariance form of the k-class coefficient. */
    double tp_dot = 0, pp = 0, tt = 0;
    for (size_t c = 0; c < k; c++) {
        double p = 0;
        for (size_t j = 0; j < k; j++) p += conf[j * k + c];
        tp_dot += sup[c] * p;
        pp += p * p;
        tt += sup[c] * sup[c];
    }
    double cov_tp = trace * total - tp_dot, cov_pp = total * total - pp,
           cov_tt = total * total - tt;
    if (cov_pp * cov_tt == 0) {
        out[M_MCC] = NAN;
        set_why(why, M_MCC, "only one class is present in the truth or in the predictions");
    } else {
        out[M_MCC] = cov_tp / sqrt(cov_tt * cov_pp);
    }

    if (d->pos >= 0) {
        size_t p = (size_t)d->pos;
        double predicted = 0;
        for (size_t j = 0; j < k; j++) predicted += conf[j * k + p];
        double tp = conf[p * k + p], neg = total - sup[p];
        out[M_SELECTION_RATE] = predicted / total;
        out[M_TPR] = ratio(tp, sup[p]);
        out[M_FPR] = ratio(predicted - tp, neg);
        if (isnan(out[M_TPR])) set_why(why, M_TPR, "no positive rows");
        if (isnan(out[M_FPR])) set_why(why, M_FPR, "no negative rows");
        if (k == 2) {
            out[M_PRECISION] = prec[p];
            out[M_RECALL] = rec[p];
            out[M_F1] = f1[p];
            if (isnan(prec[p])) set_why(why, M_PRECISION, "no row is predicted positive");
            if (isnan(rec[p])) set_why(why, M_RECALL, "no positive rows");
            if (isnan(f1[p])) set_why(why, M_F1, "no positive rows and none predicted positive");
        }
    }

    if (d->proba != NULL) {
        out[M_LOG_LOSS] = sums.ll / total;
        out[M_BRIER] = d->brier != NULL ? sums.brier / total : NAN;
        /* expected calibration error over the calibration bins */
        double ece = 0;
        for (size_t b = 0; b < d->nbins; b++) ece += fabs(bins[2 * b] - bins[2 * b + 1]);
        out[M_ECE] = ece / total;
    }
    mlops__rank_metrics(d, wt, out, why);
}

void mlops__regr_metrics(const mlops__eval_data *d, const double *wt, double *out,
                         mlops__why *why)
{
    double total = 0, count = 0, sy = 0, sr = 0;
    for (size_t i = 0; i < d->n; i++)
        if (wt[i] != 0) {
            count++;
            total += wt[i];
            sy += wt[i] * d->yv[i];
            sr += wt[i] * (d->yv[i] - d->pv[i]);
        }
    out[M_COUNT] = count;
    out[M_WEIGHT_SUM] = total;
    if (!(total > 0)) {
        for (int m = M_R2; m < M__COUNT; m++) {
            out[m] = NAN;
            set_why(why, m, "no rows");
        }
        return;
    }
    double ymean = sy / total, rmean = sr / total;
    double sse = 0, sst = 0, sae = 0, sape = 0, svr = 0, maxe = 0;
    const double eps = 2.220446049250313e-16;
    for (size_t i = 0; i < d->n; i++) {
        double w = wt[i];
        if (w == 0) continue;
        double r = d->yv[i] - d->pv[i], a = fabs(r), dy = d->yv[i] - ymean, dr = r - rmean;
        sse += w * r * r;
        sst += w * dy * dy;
        sae += w * a;
        double ay = fabs(d->yv[i]);
        sape += w * a / (ay > eps ? ay : eps);
        svr += w * dr * dr;
        if (a > maxe) maxe = a;
    }
    out[M_MSE] = sse / total;
    out[M_RMSE] = sqrt(out[M_MSE]);
    out[M_MAE] = sae / total;
    out[M_MAPE] = sape / total;
    out[M_MAX_ERROR] = maxe;
    if (sst == 0) {
        out[M_R2] = out[M_EXPLAINED_VARIANCE] = NAN;
        set_why(why, M_R2, "the true values are constant");
        set_why(why, M_EXPLAINED_VARIANCE, "the true values are constant");
    } else {
        out[M_R2] = 1 - sse / sst;
        out[M_EXPLAINED_VARIANCE] = 1 - (svr / total) / (sst / total);
    }
    out[M_MEDAE] =
        mlops__weighted_quantile(d->abs_order, d->n, d->yv, d->pv, true, wt, 0.5, true);
    static const double qs[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (int q = 0; q < 5; q++)
        out[M_RQ05 + q] =
            mlops__weighted_quantile(d->res_order, d->n, d->yv, d->pv, false, wt, qs[q], false);
}
