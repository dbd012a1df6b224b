/* mlops_drift_monitor and mlops_drift_report: comparing production data with
 * a reference profile, column by column, once or window after window.
 *
 * A monitor is created from a reference profile whose bins are fixed (see
 * mlops_profile_fix_bins()). It either compares one current profile with
 * the reference (mlops_drift_monitor_compare()) or is fed production batches
 * (mlops_drift_monitor_add()) and closes tumbling windows, by row count or
 * by a time column, each giving a drift report kept in a bounded history
 * and passed to an alert callback.
 *
 * Methods. Per column one of:
 *   ks              two-sample Kolmogorov-Smirnov, p-value as
 *                   scipy.stats.ks_2samp (method 'auto'); numeric only
 *   wasserstein     1-Wasserstein distance divided by the reference's
 *                   population standard deviation; numeric only
 *   psi             population stability index on the profile's bins
 *   jensen_shannon  Jensen-Shannon distance, base 2, in [0, 1]
 *   hellinger       Hellinger distance, in [0, 1]
 *   kl              Kullback-Leibler divergence of current from reference
 *   chi2            chi-square test of homogeneity of the binned counts, as
 *                   scipy.stats.chi2_contingency (Yates at one degree of
 *                   freedom)
 *   z               two-proportion z-test for a column with two categories
 * psi, jensen_shannon, hellinger, kl and chi2 work on the histogram bins of
 * the profile (numeric quantile or per-value bins with outer bins, see profile.h, or categories plus
 * the unseen bin). psi and kl smooth every bin by adding 1/2 to its count on
 * both sides (the Jeffreys prior) so they stay finite and treat an empty
 * bin the same whichever side is empty; jensen_shannon and hellinger need
 * no smoothing.
 *
 * ks and wasserstein are computed from the raw values when both profiles
 * hold them (at most quantile_exact_limit present values: the statistic
 * and p-value are then SciPy's); otherwise from the quantile sketches, and
 * the statistic is within eps_ref + eps_cur of the exact one (eps the
 * sketch's rank error, 1.33% for k = 200 with probability 99%, 1.74% with
 * probability 98.5% for columns of more than 131072 values; see profile.h) for
 * ks, and within (eps_ref + eps_cur) (max - min) / std for wasserstein.
 * The report says which ("exact" in the JSON).
 *
 * Default method per column (the rules of Evidently's defaults):
 *  - reference of at most 1000 rows: a numeric column with more than 5
 *    distinct values uses ks, p < 0.05; any other column uses z (p < 0.05)
 *    when it has at most two categories (or values), else chi2 (p < 0.05);
 *  - larger references, where a p-value flags even trivial shifts:
 *    numeric with more than 5 distinct values uses wasserstein >= 0.1,
 *    any other column jensen_shannon >= 0.1.
 * The distinct count is the profile's (or, when the reference does not
 * track distinct values, the number of inner bins of a numeric column and
 * of categories of a categorical one). Default
 * thresholds when a method is chosen explicitly: p < 0.05 for ks, chi2 and
 * z; 0.1 for the distances and psi; 0.1 for kl.
 *
 * A column drifts when its statistic reaches the threshold (distances:
 * statistic >= threshold) or its p-value, corrected for multiple testing
 * over the p-value columns of the report, is below it. Correction
 * (setting `correction`): benjamini_hochberg (default: with nothing
 * drifted, the chance of any false alarm stays at the threshold however
 * many columns are tested), bonferroni, or none. The data set drifts when
 * the share of drifted columns among those compared reaches `drift_share`
 * (default 0.5).
 *
 * Thread safety: a monitor is used by one thread at a time; reports are
 * immutable and may be read from several threads. */
#ifndef MLOPS_DRIFT_H
#define MLOPS_DRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/dataset.h"
#include "mlops/export.h"
#include "mlops/model.h"
#include "mlops/profile.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_drift_monitor mlops_drift_monitor;
typedef struct mlops_drift_report mlops_drift_report;

/** Severity of a report, passed to the alert callback. */
enum {
    MLOPS_SEVERITY_NONE = 0,    /**< nothing found */
    MLOPS_SEVERITY_WARNING = 1, /**< some columns drifted, or data-quality findings */
    MLOPS_SEVERITY_CRITICAL = 2 /**< data set drift, or a performance drop */
};

/** Called with every closed window whose severity is at least the
 *  `alert_severity` setting. `report` is borrowed for the call (it stays in
 *  the history while it is kept there); `message` is a one-line summary. The
 *  callback must not call the monitor. */
typedef void (*mlops_drift_alert_fn)(void *user, int severity, const mlops_drift_report *report,
                                     const char *message);

/* ---- Monitor ------------------------------------------------------------ */

/** Creates a monitor comparing data with `reference`, a profile with fixed
 *  bins. The reference is borrowed: it must outlive the monitor and not be
 *  changed while the monitor uses it. *out is freed with
 *  mlops_drift_monitor_free(). Returns MLOPS_OK; MLOPS_EINVAL (NULL
 *  argument); MLOPS_ESTATE (reference without fixed bins or failed);
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_monitor_create(mlops_drift_monitor **out,
                                         const mlops_profile *reference);

/** Releases a monitor and its history. Accepts NULL. */
MLOPS_API void mlops_drift_monitor_free(mlops_drift_monitor *m);

/** Changes one setting from its text form. Keys (default):
 *   correction        none | bonferroni | benjamini_hochberg
 *                     (benjamini_hochberg)
 *   drift_share       share of drifted columns making data set drift, in
 *                     (0, 1] (0.5)
 *   window_rows       rows per window; 0 = no row windows (0)
 *   time_column       name of a column of the batches holding the time of
 *                     each row: numeric seconds, or ISO 8601 text; windows
 *                     then close on time ("" = none)
 *   window_seconds    window length with time_column, > 0 (3600); windows
 *                     are aligned to multiples of it since the epoch
 *   history           closed windows kept, >= 1 (100)
 *   missing_jump      a rise of the missing rate by at least this much
 *                     (absolute, in [0, 1]) is a finding (0.1)
 *   range_share       a share of current values outside the reference
 *                     range above this is a finding, in [0, 1] (0.01: a
 *                     new extreme or two is expected, since a sample's
 *                     range grows with its size)
 *   threads           columns compared at once, 1 .. 256 (1); the report
 *                     is the same for any value; more than 1 needs a
 *                     thread-safe allocator (mlops_set_allocator())
 *   alert_severity    least severity passed to the alert callback, 1 or 2
 *                     (1)
 *   reference_performance  the model's performance on reference data,
 *                     against which window performance is compared (NaN:
 *                     no comparison)
 *   performance_drop  a window whose performance is worse than the
 *                     reference by at least this much is critical: an
 *                     absolute drop for accuracy and roc_auc, a relative
 *                     rise for mean_absolute_error (0.05)
 *   performance_metric  accuracy | roc_auc | mean_absolute_error
 *                     (accuracy for classifiers, mean_absolute_error for
 *                     regression)
 *   label_rows        rows whose predictions are kept for labels arriving
 *                     later, >= 0 (1000000)
 *  Window and label settings are fixed by the first mlops_drift_monitor_add().
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, unknown key with a
 *  suggestion, bad value); MLOPS_ESTATE (changing a window setting after
 *  data was added). */
MLOPS_API int mlops_drift_monitor_set_param(mlops_drift_monitor *m, const char *key,
                                            const char *value);

/** Sets the method and threshold of column `column` (a reference column
 *  name): `method` is one of the names above, "auto" for the default rule,
 *  or "skip" to leave the column out; `threshold` NaN keeps the method's
 *  default. Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, unknown method
 *  with a suggestion, a method that does not fit the column's type,
 *  threshold negative or, for p-value methods, above 1); MLOPS_ENOTFOUND
 *  (no such column, with a suggestion). */
MLOPS_API int mlops_drift_monitor_set_column(mlops_drift_monitor *m, const char *column,
                                             const char *method, double threshold);

/** Sets the method and threshold used for every column not set by
 *  mlops_drift_monitor_set_column() ("auto" restores the default rules).
 *  Methods that do not fit a column's type (ks or wasserstein on a
 *  categorical column, z on more than two categories) fall back to the
 *  default rule for that column. Returns as mlops_drift_monitor_set_column(),
 *  without MLOPS_ENOTFOUND. */
MLOPS_API int mlops_drift_monitor_set_method(mlops_drift_monitor *m, const char *method,
                                             double threshold);

/** Attaches a model (borrowed; it must outlive the monitor). Each batch
 *  added is then predicted: health counters count prediction NaNs, the
 *  latency histogram times each prediction call, and when the reference
 *  profile has a column named "prediction" (numeric for regression, the
 *  class label for classification) the predictions are compared with it
 *  like any other column, as are the class probabilities with numeric
 *  reference columns named "proba_<class label>" (the columns
 *  `mlops predict --proba` writes). Batches then need not hold those
 *  columns. Labels given later with
 *  mlops_drift_monitor_add_labels() yield per-window performance.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, untrained model);
 *  MLOPS_ESTATE (data already added). */
MLOPS_API int mlops_drift_monitor_set_model(mlops_drift_monitor *m, const mlops_model *model);

/** Sets (or, with fn NULL, removes) the alert callback. */
MLOPS_API int mlops_drift_monitor_set_alert(mlops_drift_monitor *m, mlops_drift_alert_fn fn,
                                            void *user);

/** Compares `current` (a profile made with mlops_profile_create_like() from
 *  the reference, or one with the same fixed bins) with the reference, once,
 *  outside any window. *out receives a new report freed with
 *  mlops_drift_report_free(). A current profile without rows is not an
 *  error: every column is listed with a NaN statistic and p-value and not
 *  drifted, no column counts as compared (the JSON's compared_columns is
 *  0), the data set does not drift (share 0), the severity is none, and
 *  mlops_drift_report_window() gives 0 rows, which is how to tell an empty
 *  batch from a quiet one. Returns MLOPS_OK; MLOPS_EINVAL (NULL argument,
 *  columns or bins differ from the reference's, naming the first
 *  difference); MLOPS_ESTATE (failed profile); MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_monitor_compare(mlops_drift_monitor *m, const mlops_profile *current,
                                          mlops_drift_report **out);

/** Feeds a batch of production rows (borrowed). The batch must hold every
 *  reference column by name (other columns are ignored; with a model, the
 *  model's input columns too). Rows join the open window; when a window
 *  closes (window_rows reached, or a row's time past its end) its report
 *  is made, added to the history and passed to the alert callback. Rows
 *  whose time is missing, unreadable or earlier than the open window are
 *  rejected and counted, not added. Without window settings rows accumulate
 *  until mlops_drift_monitor_flush(). Returns MLOPS_OK; MLOPS_EINVAL (NULL
 *  argument, a missing column or one of another type, naming it; the
 *  batch's rows are then counted as rejected); MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_monitor_add(mlops_drift_monitor *m, const mlops_dataset *batch);

/** Closes the open window now (when it holds any row), as if it had ended.
 *  Returns MLOPS_OK, MLOPS_EINVAL (m NULL) or MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_monitor_flush(mlops_drift_monitor *m);

/** Gives the true labels of `n` earlier rows, starting at row number
 *  `first_row` (rows are numbered from 0 in the order they were added,
 *  rejected rows included), from column `column` of `labels` (borrowed; its
 *  first n rows are used; numeric for regression, the class labels for
 *  classification). The performance of every window holding those rows is
 *  recomputed in the history (the open window's when it closes), and
 *  for a closed window whose performance falls below the reference by
 *  performance_drop, an alert is raised.
 *  Labels for rows whose predictions are no longer kept (older than
 *  label_rows) are counted as late and ignored. Returns MLOPS_OK;
 *  MLOPS_EINVAL (NULL argument, no model, a row not added yet, a label
 *  that is not one of the model's classes, naming the row);
 *  MLOPS_ENOTFOUND (no such column); MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_monitor_add_labels(mlops_drift_monitor *m, uint64_t first_row,
                                             const mlops_dataset *labels, const char *column,
                                             size_t n);

/** Number of closed windows in the history (at most `history`). */
MLOPS_API size_t mlops_drift_monitor_window_count(const mlops_drift_monitor *m);

/** The report of closed window `i` of the history (0 = the oldest kept),
 *  borrowed from the monitor: valid until the window leaves the history or
 *  the monitor is freed. Returns MLOPS_OK or MLOPS_EINVAL (NULL argument, i
 *  out of range). */
MLOPS_API int mlops_drift_monitor_window(const mlops_drift_monitor *m, size_t i,
                                         const mlops_drift_report **report);

/** A health counter into *value. Names: rows_seen, rows_rejected,
 *  windows_closed, alerts, predictions, prediction_nans, labels_received,
 *  labels_late, and latency_count / latency_sum_ns for the prediction
 *  latency histogram. Returns MLOPS_OK; MLOPS_EINVAL (NULL argument);
 *  MLOPS_ENOTFOUND (unknown name, with a suggestion). */
MLOPS_API int mlops_drift_monitor_counter(const mlops_drift_monitor *m, const char *name,
                                          uint64_t *value);

/** The history as JSON, oldest window first: {"windows": [report, ...],
 *  "health": {counter: value, ...}}, each report as
 *  mlops_drift_report_json() writes it. *json is freed with mlops_free().
 *  Returns MLOPS_OK, MLOPS_EINVAL or MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_monitor_history_json(const mlops_drift_monitor *m, char **json);

/** Renders the health counters, the latency histogram and the latest
 *  window's drift and performance figures in the Prometheus text
 *  exposition format (version 0.0.4) into buf[0..cap), NUL-terminated.
 *  Metric names start with mlops_; column names are label values, escaped.
 *  *needed (may be NULL) receives the length without the NUL; a call with
 *  buf NULL, cap 0 and needed set only measures and returns MLOPS_OK.
 *  Returns MLOPS_OK; MLOPS_EINVAL (m NULL, buf NULL with cap > 0);
 *  MLOPS_ERANGE (cap too small: buf holds an empty string, *needed says
 *  how much is needed). */
MLOPS_API int mlops_drift_monitor_prometheus(const mlops_drift_monitor *m, char *buf,
                                             size_t cap, size_t *needed);

/* ---- Report ------------------------------------------------------------- */

/** Releases a report from mlops_drift_monitor_compare(). Accepts NULL.
 *  Reports borrowed from the history must not be freed. */
MLOPS_API void mlops_drift_report_free(mlops_drift_report *r);

/** Data set verdict: 1 when the share of drifted columns reached
 *  drift_share, 0 otherwise, MLOPS_EINVAL for NULL. *share (may be NULL)
 *  receives the share of drifted columns among those compared. */
MLOPS_API int mlops_drift_report_dataset_drift(const mlops_drift_report *r, double *share);

/** Severity (MLOPS_SEVERITY_*), or MLOPS_EINVAL for NULL. */
MLOPS_API int mlops_drift_report_severity(const mlops_drift_report *r);

/** Number of columns compared (skipped columns are not listed). */
MLOPS_API size_t mlops_drift_report_column_count(const mlops_drift_report *r);

/** Result for column `i` of the report: its name and method (borrowed from
 *  the report), the statistic, the p-value (NaN for distance methods) and
 *  the p-value after the multiple-testing correction (NaN likewise), the
 *  threshold and whether it drifted (1 or 0). The statistic is NaN when
 *  the current data holds no value of the column. Any output pointer may be
 *  NULL. Returns MLOPS_OK or MLOPS_EINVAL (NULL r, i out of range). */
MLOPS_API int mlops_drift_report_column(const mlops_drift_report *r, size_t i, const char **name,
                                        const char **method, double *statistic,
                                        double *p_value, double *p_adjusted, double *threshold,
                                        int *drifted);

/** Number of data-quality findings: per column, unseen categories,
 *  values outside the reference range, a missing-rate jump, a column with
 *  no current value. */
MLOPS_API size_t mlops_drift_report_finding_count(const mlops_drift_report *r);

/** Finding `i`: column name, kind ("unseen_categories", "out_of_range",
 *  "missing_jump", "no_values"), the number of values concerned, and a
 *  one-line message, all strings borrowed from the report. Any output
 *  pointer may be NULL. Returns MLOPS_OK or MLOPS_EINVAL. */
MLOPS_API int mlops_drift_report_finding(const mlops_drift_report *r, size_t i,
                                         const char **column, const char **kind,
                                         uint64_t *count, const char **message);

/** The window the report covers: index (counting from 0), first row number,
 *  rows, and for time windows the start and end time in seconds since the
 *  epoch (NaN otherwise; a report from mlops_drift_monitor_compare() has
 *  index 0, first row 0 and the current profile's rows). Any output pointer
 *  may be NULL. Returns MLOPS_OK or MLOPS_EINVAL. */
MLOPS_API int mlops_drift_report_window(const mlops_drift_report *r, uint64_t *index,
                                        uint64_t *first_row, uint64_t *rows, double *start,
                                        double *end);

/** Performance of the window on the labels received so far: metric name
 *  (borrowed; NULL without a model), value (NaN without labels), the
 *  reference value (NaN when not set), the labelled rows, and whether it
 *  dropped by at least performance_drop (1 or 0). Any output pointer may
 *  be NULL. Returns MLOPS_OK or MLOPS_EINVAL. */
MLOPS_API int mlops_drift_report_performance(const mlops_drift_report *r, const char **metric,
                                             double *value, double *reference,
                                             uint64_t *labelled, int *dropped);

/** The report as JSON into a new string *json (freed with mlops_free()):
 *  {"dataset_drift", "drift_share", "drifted_columns", "severity",
 *  "window": {...}, "columns": [{"name", "type", "method", "statistic",
 *  "p_value", "p_value_adjusted", "threshold", "drifted", "exact",
 *  "reference_rows", "current_rows", "histogram"}, ...], "findings": [...],
 *  "performance": {...}}; NaN and infinities are written as null (JSON
 *  has no infinity: a wasserstein statistic is +Inf when a constant
 *  reference column moves, and the column is then drifted). "histogram"
 *  holds the column's reference and current counts on the reference's
 *  bins, so the report can be drawn after the profiles are gone: numeric
 *  {"edges": [e_0 .. e_m-1], "reference": [...], "current": [...]} with
 *  m + 1 counts (below e_0, the inner bins, above e_m-1); categorical
 *  {"categories": [...], "reference": [...], "current": [...]} with the
 *  (at most 20) largest categories on either side, then the reference's
 *  other categories together, then the unseen ones (two more counts).
 *  Returns MLOPS_OK, MLOPS_EINVAL or MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_report_json(const mlops_drift_report *r, char **json);

MLOPS_END_DECLS

#endif /* MLOPS_DRIFT_H */
