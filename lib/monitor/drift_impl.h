/* Private: the state of mlops_drift_monitor and mlops_drift_report, shared
 * by the comparison (drift_compare.c, drift_column.c), the windows
 * (drift_window.c), labels (drift_labels.c) and the exports. */
#ifndef MLOPS_MONITOR_DRIFT_IMPL_H
#define MLOPS_MONITOR_DRIFT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/profile_impl.h"
#include "mlops/drift.h"

typedef enum mlops__drift_method {
    MLOPS__DM_AUTO = 0,
    MLOPS__DM_SKIP,
    MLOPS__DM_KS,
    MLOPS__DM_WASSERSTEIN,
    MLOPS__DM_PSI,
    MLOPS__DM_JENSEN_SHANNON,
    MLOPS__DM_HELLINGER,
    MLOPS__DM_KL,
    MLOPS__DM_CHI2,
    MLOPS__DM_Z,
    MLOPS__DM_COUNT
} mlops__drift_method;

/* Name, whether it is a p-value test, and its default threshold. */
const char *mlops__drift_method_name(int method);
bool mlops__drift_method_is_test(int method);
double mlops__drift_method_default_threshold(int method);
/* MLOPS_OK and the method for a name, or MLOPS_EINVAL with a suggestion. */
int mlops__drift_method_parse(const char *name, int *method);

typedef struct mlops__drift_choice {
    int method;       /* mlops__drift_method */
    double threshold; /* NaN: the method's default */
} mlops__drift_choice;

typedef enum mlops__correction {
    MLOPS__CORRECT_NONE = 0,
    MLOPS__CORRECT_BONFERRONI,
    MLOPS__CORRECT_BH
} mlops__correction;

/* A column's reference and current histograms, copied from the profiles'
 * bins (drift_histogram.c). Numeric: n = nedges + 1 bins as in
 * drift_divergence.h (below the range, the inner bins, above the range).
 * Categorical: the nlabels largest categories, then the rest of the
 * reference's categories, then the unseen bin (n = nlabels + 2). */
#define MLOPS__HIST_MAX_CATEGORIES 20
typedef struct mlops__drift_hist {
    size_t n;
    uint64_t *ref, *cur;
    double *edges;
    size_t nedges;
    char **labels;
    size_t nlabels;
    bool categorical;
} mlops__drift_hist;

typedef struct mlops__drift_column {
    char *name;
    int type;
    int method;
    double statistic, p_value, p_adjusted, threshold;
    bool drifted;
    bool exact;       /* from raw values or exact counts */
    bool evaluable;   /* both sides hold values */
    uint64_t ref_count, cur_count;
    mlops__drift_hist hist;
} mlops__drift_column;

typedef struct mlops__drift_finding {
    char *column;
    const char *kind;
    uint64_t count;
    char *message;
} mlops__drift_finding;

struct mlops_drift_report {
    uint64_t index, first_row, rows;
    double start, end;
    size_t ncols;
    mlops__drift_column *cols;
    size_t nfindings, findings_cap;
    mlops__drift_finding *findings;
    size_t compared, drifted;
    double share;
    bool dataset_drift;
    int severity;
    /* performance */
    const char *metric;
    double perf_value, perf_reference;
    uint64_t labelled;
    bool perf_dropped;
};

/* Settings of the comparison, shared by one-shot compares and windows. */
typedef struct mlops__drift_settings {
    int correction;
    double drift_share;
    double missing_jump;
    double range_share;
} mlops__drift_settings;

typedef struct mlops__label_store mlops__label_store;

struct mlops_drift_monitor {
    const mlops_profile *ref;
    mlops__drift_settings cfg;
    mlops__drift_choice fallback;   /* for columns without their own */
    mlops__drift_choice *choice;    /* per reference column */
    size_t threads;                 /* columns compared at once */

    /* windows */
    uint64_t window_rows;
    char *time_column;
    double window_seconds;
    size_t history_cap;
    int alert_severity;
    bool started;
    mlops_profile *win;             /* open window's profile (NULL: none) */
    uint64_t win_index, win_first_row, win_rows;
    double win_start, win_end;      /* time windows: [start, end) */
    mlops_drift_report **history;   /* ring of closed windows */
    size_t hist_head, hist_count;
    mlops_drift_alert_fn alert;
    void *alert_user;

    /* model and labels */
    const mlops_model *model;
    int perf_metric;                /* 0 by task, else accuracy, roc_auc, mean_absolute_error */
    double reference_performance, performance_drop;
    size_t label_rows;
    mlops__label_store *labels;

    /* health */
    uint64_t rows_seen, rows_rejected, windows_closed, alerts;
    uint64_t predictions, prediction_nans, labels_received, labels_late;
    uint64_t latency_count, latency_sum_ns;
    uint64_t latency_buckets[16];
};

/* Latency histogram bucket bounds in seconds (le), the last is +Inf. */
extern const double mlops__latency_bounds[16];

/* Compares `cur` (same columns and bins as the monitor's reference) into a
 * new report (index, window and performance fields left zero/NaN). */
int mlops__drift_compare(mlops_drift_monitor *m, const mlops_profile *cur,
                         mlops_drift_report **out);

/* One column: method choice and statistic (drift_column.c). */
int mlops__drift_choose(const mlops_drift_monitor *m, size_t col, mlops__drift_choice *out);
int mlops__drift_column_compute(mlops_drift_monitor *m, size_t col, const mlops__profile_column *cur,
                                const mlops__drift_choice *choice, mlops__drift_column *out);

struct mlops__json;
/* Copies the bins of a column pair (no bins: an empty histogram). */
int mlops__drift_hist_copy(mlops__drift_hist *h, const mlops__column_bins *rb,
                           const mlops__column_bins *cb, int type);
void mlops__drift_hist_free(mlops__drift_hist *h);
/* Writes "histogram": {...} or null into an open object. */
void mlops__drift_hist_write(struct mlops__json *j, const mlops__drift_hist *h);

/* Adds a finding to the report (message formatted). */
int mlops__drift_add_finding(mlops_drift_report *r, const char *column, const char *kind,
                             uint64_t count, const char *fmt, ...) MLOPS_PRINTF_LIKE(5, 6);

/* The report's severity from its verdicts. */
int mlops__drift_severity(const mlops_drift_report *r);

/* JSON of one report into an open writer (drift_report_json.c). */
struct mlops__json;
int mlops__drift_report_write(struct mlops__json *j, const mlops_drift_report *r);

/* The performance metric's name for the monitor's model (NULL without). */
const char *mlops__drift_perf_metric_name(const mlops_drift_monitor *m);

/* Counts an alert for a closed window and calls the callback when the
 * report's severity reaches the monitor's alert_severity. */
void mlops__drift_alert(mlops_drift_monitor *m, mlops_drift_report *r, const char *why);

/* Labels (drift_labels.c). */
void mlops__label_store_free(mlops__label_store *s);
/* Records the model's outputs for rows [first, first + n). */
int mlops__labels_record(mlops_drift_monitor *m, uint64_t first, const double *pred,
                         const double *score, size_t n);
/* Recomputes the performance fields of report r (rows of its window). */
void mlops__labels_performance(const mlops_drift_monitor *m, mlops_drift_report *r);

#endif
