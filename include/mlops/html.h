/* Self-contained HTML reports for people to look at: evaluation (metrics
 * with intervals, confusion matrix, ROC, precision-recall and calibration
 * curves, per-group fairness bars against the gate thresholds, robustness,
 * gate verdicts), drift (data-set verdict, columns by severity, reference
 * and current histograms, windows over time), data quality (per-column
 * summary, missing values, distributions, rule violations) and the model
 * card.
 *
 * Each page is one HTML file with inline CSS and SVG. It holds no script
 * and fetches nothing: its Content-Security-Policy forbids both, so a page
 * opens the same way offline and years later. Every chart has role="img",
 * an aria-label, and <title> and <desc> stating what it shows with its
 * numbers; tables are real tables with header cells; colours come from the
 * Okabe-Ito palette for colour-blind readers, and every verdict also has a
 * word and a symbol, so colour is never the only signal. A page is
 * deterministic: the same input gives the same bytes (no time stamp).
 *
 * Pages are rendered from the JSON documents the library writes
 * (mlops_report_json, mlops_drift_report_json, mlops_profile_to_json,
 * mlops_model_card_json), so a page can be made from a live object or from
 * the files of a run directory long after. Strings returned in *html are
 * allocated by the library: release them with mlops_free(). */
#ifndef MLOPS_HTML_H
#define MLOPS_HTML_H

#include "mlops/drift.h"
#include "mlops/export.h"
#include "mlops/model.h"
#include "mlops/profile.h"
#include "mlops/report.h"

MLOPS_BEGIN_DECLS

/** The evaluation report `r` as an HTML page in a new string *html.
 *  `title` (NULL: "Evaluation report") is the page's heading. Returns
 *  MLOPS_OK, MLOPS_EINVAL (NULL r or html) or MLOPS_ENOMEM. */
MLOPS_API int mlops_report_html(const mlops_report *r, const char *title, char **html);

/** The drift report `r` as an HTML page in a new string *html. When
 *  `monitor` is not NULL, its window history (mlops_drift_monitor_history_json)
 *  is drawn over time as well. Histograms are drawn for the 200 most severe
 *  columns; the table lists all. `title` NULL: "Drift report". Returns
 *  MLOPS_OK, MLOPS_EINVAL or MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_report_html(const mlops_drift_report *r,
                                      const mlops_drift_monitor *monitor, const char *title,
                                      char **html);

/** The data-quality page of profile `p` in a new string *html: a summary
 *  of every column, missing values and distributions (histograms when the
 *  bins are fixed, else box plots from the quantiles, top categories).
 *  `title` NULL: "Data quality report". Returns MLOPS_OK, MLOPS_EINVAL,
 *  MLOPS_ESTATE (a failed profile) or MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_html(const mlops_profile *p, const char *title, char **html);

/** The model card of `model` as an HTML page in a new string *html.
 *  `title` NULL: "Model card: NAME". Returns MLOPS_OK, MLOPS_EINVAL,
 *  MLOPS_ESTATE (an unfitted model) or MLOPS_ENOMEM. */
MLOPS_API int mlops_model_card_html(const mlops_model *model, const char *title, char **html);

/** Renders a page from a JSON document the library wrote: `kind` is
 *  "evaluation" (mlops_report_json), "drift" (mlops_drift_report_json),
 *  "profile" (mlops_profile_to_json) or "model_card"
 *  (mlops_model_card_json); `json` is the document, NUL-terminated.
 *  `extra_json` may be NULL, or for "drift" a window history
 *  (mlops_drift_monitor_history_json) and for "profile" a validation
 *  result (mlops_validation_to_json). Returns MLOPS_OK, MLOPS_EINVAL (NULL
 *  argument or unknown kind, with the kinds listed), MLOPS_EFORMAT (not
 *  JSON, with line and column, or not a document of that kind, naming what
 *  is missing) or MLOPS_ENOMEM. */
MLOPS_API int mlops_html_from_json(const char *kind, const char *json, const char *extra_json,
                                   const char *title, char **html);

/** Writes `html` to `path` atomically (a temporary file in the same
 *  directory, fsync, rename), so a reader never sees half a page and an
 *  earlier page is kept if writing fails. Returns MLOPS_OK, MLOPS_EINVAL
 *  or MLOPS_EIO (naming the path and the system error). */
MLOPS_API int mlops_html_save(const char *html, const char *path);

/** Writes the pages of the run directory `run_dir` (made by
 *  mlops_pipeline_run) into `out_dir` (NULL: the run directory itself):
 *  evaluation.html from evaluation.json, drift.html from drift.json,
 *  data.html from data_profile.json and data_validation.json, and
 *  model_card.html from model_card.json, each when its source file exists.
 *  The run's files are only read. Pages carry the library version, so
 *  rewriting a run's own pages with another version changes them and
 *  mlops_run_verify then names them: give `out_dir` to keep a run intact.
 *  `out_dir` must exist; pages written before a failure are kept. When `written` is not NULL it receives a
 *  new string (mlops_free) with a JSON array of the paths written. Returns
 *  MLOPS_OK, MLOPS_EINVAL, MLOPS_ENOTFOUND (no run directory, or none of
 *  the source files), MLOPS_EFORMAT (a source file that is not the document
 *  it should be, naming the file), MLOPS_EIO or MLOPS_ENOMEM. */
MLOPS_API int mlops_run_report(const char *run_dir, const char *out_dir, char **written);

MLOPS_END_DECLS

#endif
