/* mlops_report: the outcome of an evaluation, queryable by name.
 *
 * A report is produced by mlops_evaluator_run() and its siblings and never
 * changes afterwards. Every number it holds has a name (see
 * mlops_report_value()), so a caller, a gate and the JSON export all speak
 * of the same things. Undefined values (a ratio with a zero denominator, a
 * ROC AUC with one class present) are NaN and come with a note saying why;
 * they are never replaced by a made-up number.
 *
 * Thread safety: a report is immutable and may be read from many threads
 * at once; freeing needs the caller's lock. */
#ifndef MLOPS_REPORT_H
#define MLOPS_REPORT_H

#include <stddef.h>

#include "mlops/export.h"
#include "mlops/model.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_report mlops_report;

/** Frees a report. NULL is accepted. */
MLOPS_API void mlops_report_free(mlops_report *r);

/** Looks up value `name` and writes it to *value (NaN when undefined; the
 *  notes say why). Names:
 *
 *  - "<metric>": overall metrics with scikit-learn's names, such as
 *    accuracy, balanced_accuracy, precision, recall, f1 (binary: for the
 *    positive class), precision_macro, recall_weighted, f1_micro, ...,
 *    matthews_corrcoef, roc_auc, roc_auc_ovr, roc_auc_ovr_weighted,
 *    average_precision, log_loss, brier_score_loss,
 *    expected_calibration_error, r2, mean_absolute_error,
 *    mean_squared_error, root_mean_squared_error, median_absolute_error,
 *    mean_absolute_percentage_error, explained_variance, max_error,
 *    residual_q05, residual_q25, residual_q50, residual_q75, residual_q95;
 *    and "count" (rows), "weight_sum".
 *  - "<metric>.<label>": per-class precision, recall, f1 and support.
 *  - "<metric>.ci_low", ".ci_high", ".std": bootstrap percentile interval
 *    and standard deviation.
 *  - "<column>=<value>.<metric>": per group (intersections as
 *    "a=x&b=y.<metric>"), with count, selection_rate, true_positive_rate,
 *    false_positive_rate and "small" (1 when below min_group_size).
 *  - Fairness aggregates over the groups of a column, suffixed
 *    ".<column>" (or ".a&b"; unsuffixed for the first group column):
 *    demographic_parity_difference, demographic_parity_ratio,
 *    equalized_odds_difference, equalized_odds_ratio,
 *    equal_opportunity_difference, equal_opportunity_ratio (Fairlearn:
 *    max - min and min / max over groups), "<metric>.group_difference" and
 *    "<metric>.group_ratio" for every requested metric; with a reference
 *    group, statistical_parity_difference, disparate_impact and
 *    average_odds_difference (AIF360: every other row against the
 *    reference group, signed).
 *  - "<probe>.<metric>", "<probe>.<metric>.change" (probed minus clean) and
 *    "<probe>.flip_rate" (classification) for probes such as noise_0.1.
 *  - Cross-validation and grid search: see mlops_evaluator_cross_validate().
 *
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL argument) or MLOPS_ENOTFOUND (no
 *  such value: the message suggests the nearest name). */
MLOPS_API int mlops_report_value(const mlops_report *r, const char *name, double *value);

/** The value of `metric` for one group: `column` is a group column (or
 *  "a&b" for an intersection) and `group` its value (or "x&y"). Same
 *  returns as mlops_report_value(). */
MLOPS_API int mlops_report_group_value(const mlops_report *r, const char *column,
                                       const char *group, const char *metric, double *value);

/** Number of named values in the report. */
MLOPS_API size_t mlops_report_value_count(const mlops_report *r);

/** Name of value i (0 .. count-1) in the order they were computed, borrowed
 *  until the report is freed; NULL when i is out of range. */
MLOPS_API const char *mlops_report_value_name(const mlops_report *r, size_t i);

/** 1 when every gate passed (or there are no gates), 0 when any failed or
 *  `r` is NULL. */
MLOPS_API int mlops_report_passed(const mlops_report *r);

/** Number of gates checked. */
MLOPS_API size_t mlops_report_gate_count(const mlops_report *r);

/** Gate i: its expression (borrowed), the observed value (NaN when
 *  undefined) and whether it passed (1) or failed (0). Any output pointer
 *  may be NULL. Returns MLOPS_OK or MLOPS_EINVAL (NULL report, i out of
 *  range). */
MLOPS_API int mlops_report_gate(const mlops_report *r, size_t i, const char **expression,
                                double *observed, int *passed);

/** Number of notes: undefined values and why, skipped rows, small groups. */
MLOPS_API size_t mlops_report_note_count(const mlops_report *r);

/** Note i, borrowed until the report is freed; NULL when out of range. */
MLOPS_API const char *mlops_report_note(const mlops_report *r, size_t i);

/** Number of classes (0 for regression). */
MLOPS_API size_t mlops_report_class_count(const mlops_report *r);

/** Label of class k, borrowed; NULL when out of range. */
MLOPS_API const char *mlops_report_class_label(const mlops_report *r, size_t k);

/** The (weighted) confusion matrix: *counts (borrowed) holds k x k values,
 *  row = true class, column = predicted class, in class order; *k receives
 *  the class count. Returns MLOPS_OK, MLOPS_EINVAL or MLOPS_ENOTFOUND
 *  (regression). */
MLOPS_API int mlops_report_confusion(const mlops_report *r, size_t *k, const double **counts);

/** A curve's points, borrowed until the report is freed. `name` is "roc"
 *  (x = false positive rate, y = true positive rate, t = thresholds, in
 *  decreasing order, from the point (0, 0) at threshold +inf, as
 *  scikit-learn's roc_curve with drop_intermediate=False; JSON writes
 *  that threshold as null),
 *  "precision_recall" (x = recall, y = precision, t = thresholds, as
 *  scikit-learn's precision_recall_curve: n points and n-1 thresholds), or
 *  "calibration" (x = mean predicted probability, y = fraction of
 *  positives, t = weight in each non-empty bin). Multiclass reports hold
 *  one-vs-rest curves named "roc.<label>" and "precision_recall.<label>",
 *  and "calibration.confidence": the reliability diagram of the
 *  expected_calibration_error (x = mean probability of the predicted
 *  class, y = accuracy, t = weight in each non-empty bin). Regression
 *  reports hold "calibration.mean": the rows in ten groups of equal size
 *  by prediction, x = mean prediction, y = mean true value, t = weight
 *  (JSON keys mean_predicted, mean_true, weight).
 *  Any output pointer except `n` may be NULL. Returns MLOPS_OK,
 *  MLOPS_EINVAL or MLOPS_ENOTFOUND. */
MLOPS_API int mlops_report_curve(const mlops_report *r, const char *name, size_t *n,
                                 const double **x, const double **y, const double **t);

/** The report as JSON in a new string *json (release with mlops_free()):
 *  {"format", "format_version", "library_version", "task", "rows",
 *  "classes", "metrics": {...}, "per_class": {...}, "intervals": {...},
 *  "groups": {...}, "fairness": {...}, "robustness": {...},
 *  "cross_validation": {...}, "grid": [...], "confusion_matrix",
 *  "curves", "gates": [{"expression", "value", "passed"}], "passed",
 *  "notes": [...]} in that order. "metrics", "groups" and "gates" are
 *  always present (possibly empty); other sections that do not apply are
 *  omitted. NaN and infinities are written as null. Curves are thinned to
 *  the curve_points setting. Returns MLOPS_OK, MLOPS_EINVAL or
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_report_json(const mlops_report *r, char **json);

/** Records the report in the model card of `model` (its
 *  quantitative_analysis: metrics, fairness results with group counts,
 *  intervals and gate verdicts), replacing an earlier one. It is stored in
 *  the model file outside the hashed payload. Returns MLOPS_OK,
 *  MLOPS_EINVAL, MLOPS_ESTATE (model not fitted) or MLOPS_ENOMEM. */
MLOPS_API int mlops_report_attach(const mlops_report *r, mlops_model *model);

MLOPS_END_DECLS

#endif /* MLOPS_REPORT_H */
