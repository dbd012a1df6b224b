/* mlops_evaluator: measures a model before it serves anyone, and says
 * whether it may.
 *
 * An evaluator is configured by string keys (like a model), then run on a
 * fitted model and a labelled dataset, or on plain arrays of true values,
 * predictions and scores. A run computes performance metrics (named as
 * scikit-learn names them), fairness by group, robustness probes and
 * bootstrap confidence intervals, and checks the gates the caller declared;
 * everything lands in an mlops_report (see mlops/report.h). Cross-validation
 * and grid search reuse the same configuration.
 *
 * Thread safety: a configured evaluator may run from many threads at once;
 * setting and freeing need the caller's lock. */
#ifndef MLOPS_EVALUATOR_H
#define MLOPS_EVALUATOR_H

#include <stddef.h>

#include "mlops/dataset.h"
#include "mlops/export.h"
#include "mlops/model.h"
#include "mlops/report.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_evaluator mlops_evaluator;

/** Creates an evaluator with every setting at its default in *out (release
 *  with mlops_evaluator_free()). Returns MLOPS_OK, MLOPS_EINVAL (NULL out)
 *  or MLOPS_ENOMEM. */
MLOPS_API int mlops_evaluator_create(mlops_evaluator **out);

/** Frees an evaluator and its gates. NULL is accepted. */
MLOPS_API void mlops_evaluator_free(mlops_evaluator *ev);

/** Sets one setting from its text form (copied). Keys and defaults:
 *
 *  - task: auto (from the model: classification when it has classes),
 *    classification or regression. Runs on arrays need it set.
 *  - metrics: "all" (default) or a comma-separated list of metric names
 *    (scikit-learn spellings; mae, mse, rmse and mape are accepted for
 *    mean_absolute_error, mean_squared_error, root_mean_squared_error and
 *    mean_absolute_percentage_error). The list chooses what is reported per
 *    group, bootstrapped and probed; overall, every applicable metric is
 *    reported.
 *  - metric: the primary metric used by robustness probes and grid search
 *    (default accuracy, or r2 for regression).
 *  - pos_label: the positive class label for binary metrics (default: the
 *    last class in sorted order, as scikit-learn's pos_label=1 for 0/1).
 *  - threshold: when set (in [0, 1]), a binary prediction is the positive
 *    class when its probability is >= threshold; unset (default, "") uses
 *    the model's own prediction.
 *  - group: comma-separated group column names (default: the columns whose
 *    role is group). Every pair of group columns is also evaluated as an
 *    intersection, named "a&b".
 *  - reference_group: the privileged group for the signed AIF360 metrics,
 *    as "value" (first group column) or "column=value".
 *  - min_group_size: groups with fewer rows are flagged (default 30).
 *  - bootstrap: number of bootstrap resamples for confidence intervals
 *    (default 0: none; at most 100000). bootstrap_level: the interval's
 *    coverage in (0, 1) (default 0.95).
 *  - seed: seeds bootstrap, probes and shuffled folds (default 0).
 *  - probes: robustness probes, ';'-separated, each kind:level[,level...]:
 *    noise (Gaussian noise of level x the feature's standard deviation on
 *    every numeric input), swap (each categorical input value replaced with
 *    probability level by another category of its column), missing (each
 *    input value set missing with probability level). Default "".
 *  - calibration_bins: bins of the calibration curve (default 10);
 *    calibration_strategy: uniform (default) or quantile.
 *  - curve_points: at most this many points per curve in JSON (default
 *    1000; 0 for all); the report's curve accessors always give every point.
 *  - cv_folds: folds for cross-validation (default 5); cv_shuffle: false
 *    (default) or true; cv_stratify: auto (default: stratified for
 *    classification), true or false.
 *
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL argument, unknown key with a
 *  suggestion, malformed or out-of-range value, unknown metric name with a
 *  suggestion) or MLOPS_ENOMEM. A failed call leaves the setting unchanged. */
MLOPS_API int mlops_evaluator_set_param(mlops_evaluator *ev, const char *key, const char *value);

/** The current text of setting `key` in a new string *value (release with
 *  mlops_free()). Returns MLOPS_OK, MLOPS_EINVAL (unknown key) or
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_evaluator_get_param(const mlops_evaluator *ev, const char *key,
                                        char **value);

/** Adds a gate: "NAME OP NUMBER" with OP one of >=, <=, >, <, ==, !=, such
 *  as "accuracy >= 0.9", "roc_auc.ci_low >= 0.85",
 *  "demographic_parity_ratio >= 0.8" or "noise_0.1.flip_rate <= 0.05".
 *  "four_fifths_rule" is short for "demographic_parity_ratio >= 0.8".
 *  NAME is any value name a report can hold (see mlops_report_value()).
 *  The expression is checked now: an unknown metric name is rejected with
 *  the nearest valid one. A gate whose value the run cannot compute (for
 *  example a ci_low without bootstrap) makes the run fail with
 *  MLOPS_EINVAL; a gate whose observed value is NaN fails.
 *  Returns MLOPS_OK, MLOPS_EINVAL (malformed, naming the expression and the
 *  position at fault) or MLOPS_ENOMEM. */
MLOPS_API int mlops_evaluator_add_gate(mlops_evaluator *ev, const char *expression);

/** Number of gates added so far. */
MLOPS_API size_t mlops_evaluator_gate_count(const mlops_evaluator *ev);

/** Evaluates a fitted model on a labelled dataset (the model's target
 *  column; sample weights from the dataset's weight column, if any) and
 *  writes a new report to *out (release with mlops_report_free()). Rows
 *  whose target is missing are skipped and counted in a note. Gates are
 *  checked; a failing gate is not an error of this call (see
 *  mlops_report_passed()). Returns MLOPS_OK; MLOPS_EINVAL (NULL argument,
 *  no rows left, a target label the model does not know, a gate whose
 *  value cannot be computed); MLOPS_ESTATE (model not fitted);
 *  MLOPS_ENOTFOUND (target, group or input column missing); errors of
 *  mlops_model_predict(); MLOPS_ENOMEM. */
MLOPS_API int mlops_evaluator_run(const mlops_evaluator *ev, const mlops_model *model,
                                  const mlops_dataset *data, mlops_report **out);

/** Evaluates predictions given as arrays, all borrowed, of `rows` entries:
 *
 *  - y_true: true values (regression) or class labels as numbers
 *    (classification; the classes are the sorted distinct values of y_true
 *    and y_pred).
 *  - y_pred: predicted values or class labels; NULL for classification
 *    when scores are given (the class of highest score, the first on
 *    ties). When the threshold setting is set and the problem is binary
 *    with scores, the threshold rule gives the predictions instead.
 *  - scores: NULL, or rows x score_cols probabilities, row-major: one
 *    column per class in sorted class order, or (binary only) one column
 *    holding the probability of the positive class.
 *  - weights: NULL or per-row sample weights (finite, >= 0).
 *  - groups: NULL or a dataset of `rows` rows holding the group columns
 *    named by the "group" setting (or having role group).
 *
 *  The "task" setting must be classification or regression. Metrics that
 *  need scores are omitted when scores is NULL. When y_true and y_pred hold
 *  a single label between them there is no binary problem: precision,
 *  recall and f1 of a positive class are not in the report
 *  (mlops_report_value() gives MLOPS_ENOTFOUND), accuracy and the
 *  per-class and averaged metrics are, and scores are refused. One class
 *  in y_true alone (y_pred holding another) is an ordinary binary problem
 *  whose roc_auc is NaN with a note. Returns MLOPS_OK;
 *  MLOPS_EINVAL (NULL required argument, rows = 0, task not set, a
 *  non-finite value naming its row, more than 10000 distinct class labels,
 *  scores with a single class, scores outside [0, 1], a fractional
 *  count of score columns, groups with another row count, a gate that
 *  cannot be computed); MLOPS_ENOTFOUND (group column); MLOPS_ENOMEM. */
MLOPS_API int mlops_evaluator_run_arrays(const mlops_evaluator *ev, size_t rows,
                                         const double *y_true, const double *y_pred,
                                         const double *scores, size_t score_cols,
                                         const double *weights, const mlops_dataset *groups,
                                         mlops_report **out);

/** K-fold cross-validation: for each fold (cv_folds, cv_shuffle with seed,
 *  cv_stratify), copies `model` (its kind, settings and unfitted transform
 *  chain; the model itself is not changed), fits the copy on the other
 *  folds and evaluates it on the fold. The report holds "fold_<i>.<metric>"
 *  for every fold and "<metric>.mean" / "<metric>.std" (population
 *  standard deviation, as scikit-learn's cross_validate summaries) for each
 *  metric, and checks the gates against those names. Deterministic for a
 *  seed and thread count. Returns MLOPS_OK; MLOPS_EINVAL (NULL argument,
 *  cv_folds > rows, a class with fewer rows than folds when stratified);
 *  errors of mlops_model_fit(); MLOPS_ENOMEM. */
MLOPS_API int mlops_evaluator_cross_validate(const mlops_evaluator *ev, const mlops_model *model,
                                             const mlops_dataset *data, mlops_report **out);

/** Grid search with cross-validation: `grid` lists settings of the model
 *  as "key=v1,v2,...;key2=v1,..." and every combination is
 *  cross-validated; the one with the best mean of the "metric" setting
 *  (higher is better, lower for error and loss metrics; ties keep the
 *  earlier combination) is refitted on all of `data` and written to *best
 *  (release with mlops_model_free()). The report holds
 *  "candidate_<i>.<metric>.mean" and ".std" for every combination,
 *  "best_index" and the best combination's "<metric>.mean" and ".std";
 *  its JSON lists the combinations' settings. Returns MLOPS_OK;
 *  MLOPS_EINVAL (malformed grid, unknown or invalid model setting naming
 *  the key and value, more than 10000 combinations); errors of
 *  mlops_evaluator_cross_validate(); MLOPS_ENOMEM. */
MLOPS_API int mlops_evaluator_grid_search(const mlops_evaluator *ev, const mlops_model *model,
                                          const mlops_dataset *data, const char *grid,
                                          mlops_model **best, mlops_report **out);

MLOPS_END_DECLS

#endif /* MLOPS_EVALUATOR_H */
