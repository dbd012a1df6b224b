/* The keys of pipeline schema version 1 (see pipeline_schema.h): one table
 * that the validator, the runner and the reference page all follow. */
#include "pipeline/pipeline_schema.h"

#include <string.h>

#define MAP MLOPS_YKEY_MAP
#define STR MLOPS_YKEY_STRING
#define INT MLOPS_YKEY_INT
#define NUM MLOPS_YKEY_NUMBER
#define BOOL MLOPS_YKEY_BOOL
#define SCALAR MLOPS_YKEY_SCALAR
#define STRS MLOPS_YKEY_STRINGS
#define SCALARS MLOPS_YKEY_SCALARS
#define LIST MLOPS_YKEY_LIST

const mlops__ykey mlops__pipeline_keys[] = {
    {"version", INT, true, "1", NULL, "schema version of the file; 1"},
    {"name", STR, true, NULL, NULL,
     "name of the pipeline: letters, digits, '.', '_' and '-'; names the run and the registered model"},
    {"description", STR, false, NULL, NULL, "free text"},
    {"seed", INT, false, NULL, "0", "seeds the split, the model, bootstrap and probes"},

    {"data", MAP, true, NULL, NULL, "the data set"},
    {"data.path", STR, true, NULL, NULL,
     "CSV or gzip-compressed CSV file with a header row, relative to the pipeline file"},
    {"data.delimiter", STR, false, NULL, "auto", "field delimiter: one character, 'tab' or 'auto'"},
    {"data.target", STR, true, NULL, NULL, "the column to predict"},
    {"data.missing_target", STR, false, "drop|fail", "drop",
     "rows without a target value: dropped (counted in the summary and the lock) or an error"},
    {"data.id", STR, false, NULL, NULL, "a row identifier column, not an input"},
    {"data.weight", STR, false, NULL, NULL, "a sample-weight column"},
    {"data.ignore", STRS, false, NULL, NULL, "columns that are not inputs"},
    {"data.schema", STR, false, NULL, NULL,
     "a schema file (see mlops_schema_load(3)) the data must satisfy; data.columns applies on top"},
    {"data.columns", MAP, false, NULL, NULL, "per-column types and validation rules, by column name"},
    {"data.columns.*", MAP, false, NULL, NULL, "the rules of one column"},
    {"data.columns.*.type", STR, false, "numeric|categorical", NULL, "the column's type"},
    {"data.columns.*.required", BOOL, false, NULL, "true", "whether the column must be present"},
    {"data.columns.*.sensitive", BOOL, false, NULL, "false",
     "a protected attribute: never a model input, used for fairness"},
    {"data.columns.*.min", NUM, false, NULL, NULL, "smallest allowed value (numeric columns)"},
    {"data.columns.*.max", NUM, false, NULL, NULL, "largest allowed value (numeric columns)"},
    {"data.columns.*.max_missing_fraction", NUM, false, NULL, "1",
     "largest allowed share of missing values, in [0, 1]"},
    {"data.columns.*.categories", STRS, false, NULL, NULL,
     "the allowed categories (categorical columns)"},
    {"data.on_invalid", STR, false, "fail|warn", "fail",
     "what a violated rule does: fail (the run is recorded and fails like a gate) or warn"},
    {"data.split", MAP, false, NULL, NULL, "how the data is split into training and test rows"},
    {"data.split.method", STR, false, "auto|random|stratified|time", "auto",
     "auto: stratified by the target for classification, random for regression"},
    {"data.split.test_size", NUM, false, NULL, "0.25", "share of rows held out for testing, in (0, 1)"},
    {"data.split.time_column", STR, false, NULL, NULL,
     "for method time: the column (ISO 8601 or numeric) whose latest rows are the test rows"},

    {"preprocess", LIST, false, NULL, NULL,
     "ordered preprocessing steps; default: impute (median), standardize, onehot"},
    {"preprocess.[].step", STR, true, "impute|standardize|minmax|onehot|drop", NULL, "the step's kind"},
    {"preprocess.[].columns", STRS, false, NULL, "*",
     "the columns it applies to; '*' for every applicable feature column"},
    {"preprocess.[].settings", MAP, false, NULL, NULL, "the step's settings (see mlops_transform_set(3))"},
    {"preprocess.[].settings.*", SCALAR, false, NULL, NULL, "one setting"},

    {"model", MAP, true, NULL, NULL, "the model"},
    {"model.kind", STR, true, "linear_regression|logistic_regression", NULL, "the model kind"},
    {"model.settings", MAP, false, NULL, NULL, "model settings (see mlops_model_set_param(3))"},
    {"model.settings.*", SCALAR, false, NULL, NULL, "one setting"},
    {"model.card", MAP, false, NULL, NULL, "model card fields (see mlops_model_card_set(3))"},
    {"model.card.*", STR, false, NULL, NULL, "one card field"},
    {"model.search", MAP, false, NULL, NULL,
     "grid search with cross-validation over model settings; the best settings are refitted"},
    {"model.search.grid", MAP, true, NULL, NULL, "setting name -> list of values to try"},
    {"model.search.grid.*", SCALARS, false, NULL, NULL, "the values of one setting"},
    {"model.search.folds", INT, false, NULL, "5", "cross-validation folds, at least 2"},
    {"model.search.metric", STR, false, NULL, NULL,
     "the metric to maximise (default accuracy, or r2 for regression)"},

    {"evaluate", MAP, false, NULL, NULL, "evaluation of the fitted model"},
    {"evaluate.on", STR, false, "test|train|all", "test", "the rows evaluated"},
    {"evaluate.metrics", STRS, false, NULL, NULL,
     "metrics reported per group, bootstrapped and probed (scikit-learn names; default all)"},
    {"evaluate.metric", STR, false, NULL, NULL, "the primary metric of probes"},
    {"evaluate.pos_label", STR, false, NULL, NULL, "the positive class of binary metrics"},
    {"evaluate.threshold", NUM, false, NULL, NULL, "decision threshold on the positive probability"},
    {"evaluate.groups", STRS, false, NULL, NULL, "group columns for fairness metrics"},
    {"evaluate.reference_group", STR, false, NULL, NULL,
     "the privileged group, as 'value' or 'column=value'"},
    {"evaluate.min_group_size", INT, false, NULL, "30", "smaller groups are flagged"},
    {"evaluate.bootstrap", INT, false, NULL, "0", "bootstrap resamples for confidence intervals"},
    {"evaluate.bootstrap_level", NUM, false, NULL, "0.95", "coverage of the intervals"},
    {"evaluate.probes", STRS, false, NULL, NULL,
     "robustness probes, each kind:level[,level...] (noise, swap, missing)"},
    {"evaluate.gates", STRS, false, NULL, NULL,
     "release gates such as 'accuracy >= 0.8'; any failure fails the run"},

    {"monitor", MAP, false, NULL, NULL, "the monitoring reference, and an optional drift check"},
    {"monitor.reference", STR, false, "train|test|all", "train", "the rows profiled as the reference"},
    {"monitor.bins", INT, false, NULL, "10", "histogram bins per numeric column"},
    {"monitor.columns", MAP, false, NULL, NULL, "per-column drift method and threshold, by column name"},
    {"monitor.columns.*", MAP, false, NULL, NULL, "one column's drift check"},
    {"monitor.columns.*.method", STR, false,
     "auto|skip|ks|wasserstein|psi|kl|jensen_shannon|hellinger|chi2|z", "auto", "the drift method"},
    {"monitor.columns.*.threshold", NUM, false, NULL, NULL, "the method's threshold"},
    {"monitor.correction", STR, false, "benjamini_hochberg|bonferroni|none", "benjamini_hochberg",
     "multiple-testing correction of p-values"},
    {"monitor.drift_share", NUM, false, NULL, "0.5", "share of drifted columns that makes data set drift"},
    {"monitor.current", STR, false, NULL, NULL,
     "a later batch checked for drift against the reference: a CSV file, or 'test' for the test rows"},
    {"monitor.fail_on_drift", BOOL, false, NULL, "false", "a drifted current batch fails the run"},

    {"output", MAP, false, NULL, NULL, "where the run is written"},
    {"output.dir", STR, false, NULL, NULL,
     "run directory, relative to the pipeline file (default runs/NAME); must be absent or empty"},
    {"output.reports", BOOL, false, NULL, "true",
     "write the HTML pages evaluation.html, data.html, model_card.html and drift.html into the run"},

    {"registry", MAP, false, NULL, NULL, "register the model when every gate passed"},
    {"registry.path", STR, true, NULL, NULL, "registry directory, relative to the pipeline file"},
    {"registry.name", STR, false, NULL, NULL, "model name in the registry (default: the pipeline name)"},
    {"registry.alias", STR, false, NULL, NULL, "alias moved to the new version on success, e.g. production"},
    {"registry.actor", STR, false, NULL, NULL, "who is recorded in the audit log (default: the user)"},
    {"registry.reason", STR, false, NULL, NULL, "why, recorded in the audit log"},
};

/* Test rows may hold a category the training rows lack: it is encoded as
 * all zeros rather than failing the run. */
const mlops__default_step mlops__default_chain[MLOPS_DEFAULT_STEPS] = {
    {"impute", "strategy", "median"},
    {"standardize", "with_mean", "true"},
    {"onehot", "unseen", "zeros"},
};

const size_t mlops__pipeline_key_count = sizeof mlops__pipeline_keys / sizeof mlops__pipeline_keys[0];

/* Whether concrete path `path` matches pattern `pattern`, part by part. */
static bool matches(const char *pattern, const char *path)
{
    while (*pattern != '\0' && *path != '\0') {
        const char *pe = strchr(pattern, '.');
        const char *qe = strchr(path, '.');
        size_t pn = pe ? (size_t)(pe - pattern) : strlen(pattern);
        size_t qn = qe ? (size_t)(qe - path) : strlen(path);
        bool star = pn == 1 && pattern[0] == '*';
        bool item = pn == 2 && memcmp(pattern, "[]", 2) == 0;
        if (item ? !(qn == 2 && memcmp(path, "[]", 2) == 0)
                 : !star && (pn != qn || memcmp(pattern, path, pn) != 0))
            return false;
        if ((pe == NULL) != (qe == NULL)) return false;
        if (pe == NULL) return true;
        pattern = pe + 1;
        path = qe + 1;
    }
    return *pattern == '\0' && *path == '\0';
}

const mlops__ykey *mlops__pipeline_key(const char *path)
{
    for (size_t i = 0; i < mlops__pipeline_key_count; i++)
        if (matches(mlops__pipeline_keys[i].path, path)) return &mlops__pipeline_keys[i];
    return NULL;
}
