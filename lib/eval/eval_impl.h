/* Private: the evaluation layer's shared types.
 *
 * An evaluation turns (truth, prediction, scores, weights) into named
 * numbers. Everything is computed from one prepared sample (mlops__eval_data)
 * and a vector of effective row weights: the overall metrics use the sample
 * weights, a group multiplies them by membership, a bootstrap resample by
 * the number of times each row was drawn. The orders the ranking metrics and
 * quantiles need are sorted once, so neither groups nor resamples sort. */
#ifndef MLOPS_EVAL_EVAL_IMPL_H
#define MLOPS_EVAL_EVAL_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlops/errors.h"
#include "mlops/evaluator.h"
#include "mlops/report.h"

enum { MLOPS__TASK_AUTO = 0, MLOPS__TASK_CLASS = 1, MLOPS__TASK_REGR = 2 };

/* More distinct labels than this is a regression passed as classification;
 * it also bounds the k x k confusion matrix. */
enum { MLOPS__MAX_CLASSES = 10000 };

/* Scalar metrics, in report order. */
typedef enum mlops__metric {
    M_COUNT,
    M_WEIGHT_SUM,
    M_ACCURACY,
    M_BALANCED_ACCURACY,
    M_PRECISION,
    M_RECALL,
    M_F1,
    M_PRECISION_MACRO,
    M_PRECISION_WEIGHTED,
    M_PRECISION_MICRO,
    M_RECALL_MACRO,
    M_RECALL_WEIGHTED,
    M_RECALL_MICRO,
    M_F1_MACRO,
    M_F1_WEIGHTED,
    M_F1_MICRO,
    M_MCC,
    M_SELECTION_RATE,
    M_TPR,
    M_FPR,
    M_ROC_AUC,
    M_ROC_AUC_OVR,
    M_ROC_AUC_OVR_WEIGHTED,
    M_AVERAGE_PRECISION,
    M_LOG_LOSS,
    M_BRIER,
    M_ECE,
    M_R2,
    M_MAE,
    M_MSE,
    M_RMSE,
    M_MEDAE,
    M_MAPE,
    M_EXPLAINED_VARIANCE,
    M_MAX_ERROR,
    M_RQ05,
    M_RQ25,
    M_RQ50,
    M_RQ75,
    M_RQ95,
    M__COUNT
} mlops__metric;

enum {
    MD_CLASS = 1u << 0,   /* classification */
    MD_REGR = 1u << 1,    /* regression */
    MD_BINARY = 1u << 2,  /* exactly two classes */
    MD_MULTI = 1u << 3,   /* more than two classes */
    MD_SCORES = 1u << 4,  /* needs probabilities */
    MD_POS = 1u << 5,     /* needs a positive class (binary, or pos_label set) */
    MD_LOWER = 1u << 6,   /* lower is better */
    MD_INFO = 1u << 7     /* a count, not a quality: never gated by default */
};

typedef struct mlops__metric_def {
    const char *name;
    unsigned flags;
} mlops__metric_def;

extern const mlops__metric_def mlops__metric_defs[M__COUNT];

/* The metric named `name` (aliases mae, mse, rmse, mape, brier accepted), or
 * -1. */
int mlops__metric_find(const char *name);
/* Nearest metric name to `name` for "did you mean", or NULL. */
const char *mlops__metric_suggest(const char *name);

/* ---- Settings ---------------------------------------------------------- */

typedef struct mlops__probe {
    int kind; /* MLOPS__PROBE_* */
    double level;
    char name[48]; /* noise_0.1 */
} mlops__probe;

enum { MLOPS__PROBE_NOISE, MLOPS__PROBE_SWAP, MLOPS__PROBE_MISSING };

enum { GATE_GE, GATE_LE, GATE_GT, GATE_LT, GATE_EQ, GATE_NE };

typedef struct mlops__gate {
    char *expression;
    char *name;
    int op;
    double bound;
} mlops__gate;

enum { EV_TEXT_METRICS, EV_TEXT_POS_LABEL, EV_TEXT_GROUP, EV_TEXT_REFERENCE, EV_TEXT_PROBES,
       EV_TEXT_COUNT };

struct mlops_evaluator {
    int task;
    bool want[M__COUNT]; /* requested metrics; all when metrics = all */
    bool all_metrics;
    int primary;         /* metric id, -1 = default for the task */
    double threshold;    /* NaN = the model's own prediction */
    size_t min_group_size;
    size_t bootstrap;
    double level;
    uint64_t seed;
    size_t calibration_bins;
    bool calibration_quantile;
    size_t curve_points;
    size_t cv_folds;
    bool cv_shuffle;
    int cv_stratify; /* -1 auto, 0, 1 */
    bool no_groups;  /* cross-validation folds skip the group analysis */
    char *text[EV_TEXT_COUNT];
    mlops__probe *probes;
    size_t nprobes;
    mlops__gate *gates;
    size_t ngates;
};

/* Parses "kind:level,level;kind:level" into a new array. */
int mlops__probes_parse(const char *text, mlops__probe **out, size_t *n);
/* Parses one gate expression into `g` (owned strings). */
int mlops__gate_parse(const char *expression, mlops__gate *g);
void mlops__gate_clear(mlops__gate *g);
/* Whether `observed` satisfies the gate (NaN never does). */
bool mlops__gate_holds(const mlops__gate *g, double observed);
const char *mlops__gate_op_text(int op);

/* ---- The prepared sample ----------------------------------------------- */

typedef struct mlops__eval_data {
    int task;
    size_t n;
    size_t k;            /* classes */
    char **labels;       /* k owned labels */
    int32_t *y, *pred;   /* class indices (classification) */
    double *proba;       /* n x k probabilities, or NULL */
    double *yv, *pv;     /* true and predicted values (regression) */
    double *w;           /* sample weights (all 1 when none were given) */
    int pos;             /* positive class, -1 when none */
    /* derived, filled by mlops__eval_prepare */
    uint32_t *order;     /* norders blocks of n rows, by score descending */
    size_t norders;      /* binary: 1 (positive class), multiclass: k */
    uint8_t *rank_pos;   /* per block and sorted position: the row is of the class */
    uint8_t *rank_end;   /* per block and sorted position: last row of a run of ties */
    double *ll;          /* per-row log-loss term */
    double *brier;       /* per-row squared error of P(positive) */
    int32_t *cbin;       /* per-row calibration bin */
    double *cval;        /* per-row binned score (P(positive) or confidence) */
    double *chit;        /* per-row 1 when positive (binary) / correct */
    size_t nbins;
    uint32_t *res_order; /* regression: rows by residual ascending */
    uint32_t *abs_order; /* regression: rows by absolute residual ascending */
} mlops__eval_data;

void mlops__eval_data_clear(mlops__eval_data *d);
/* Derives orders and per-row terms once the base arrays are set. */
int mlops__eval_prepare(mlops__eval_data *d, const mlops_evaluator *ev);

/* Why a metric is undefined (static text), per metric; NULL when defined. */
typedef const char *mlops__why[M__COUNT];

/* Computes every applicable scalar metric with effective weights `wt` (0 =
 * row excluded) into out[M__COUNT] (NaN where not applicable). `scratch`
 * holds k*k + 4*k + 2*nbins doubles. `why` may be NULL. */
void mlops__class_metrics(const mlops__eval_data *d, const double *wt, double *out,
                          double *scratch, mlops__why *why);
void mlops__regr_metrics(const mlops__eval_data *d, const double *wt, double *out,
                         mlops__why *why);
/* Ranking metrics (roc_auc, average precision) over the sorted orders. */
void mlops__rank_metrics(const mlops__eval_data *d, const double *wt, double *out,
                         mlops__why *why);
/* The ROC and precision-recall curves (one-vs-rest per class when
 * multiclass) and the binary calibration curve, with the sample weights. */
int mlops__rank_curves(const mlops__eval_data *d, mlops_report *r);
int mlops__calibration_curve(const mlops__eval_data *d, mlops_report *r);
int mlops__regression_curve(const mlops__eval_data *d, mlops_report *r);
/* Per-class precision, recall, f1 and support (k each) from weights. */
void mlops__per_class(const mlops__eval_data *d, const double *wt, double *precision,
                      double *recall, double *f1, double *support, double *confusion);

/* Whether metric m applies to this sample. */
bool mlops__metric_applies(const mlops__eval_data *d, int m);

/* numpy.quantile(method='linear') of the sample in `order` (rows ascending by
 * value(i)) expanded by weights wt; values from `v` indexed by row, or the
 * absolute residual when `absolute`. */
double mlops__weighted_quantile(const uint32_t *order, size_t n, const double *v,
                                const double *v2, bool absolute, const double *wt, double q,
                                bool median);
/* The index of the largest of p[0..k), the first on ties (numpy.argmax). */
size_t mlops__argmax(const double *p, size_t k);


/* ---- The report -------------------------------------------------------- */

enum { SEC_METRIC, SEC_PER_CLASS, SEC_INTERVAL, SEC_GROUP, SEC_FAIRNESS, SEC_PROBE, SEC_CV,
       SEC_ALIAS, SEC_COUNT };

typedef struct mlops__rvalue {
    char *name;
    int section;
    char *g1, *g2, *leaf; /* JSON path: section / g1 / g2 / leaf (NULL levels skipped) */
    double v;
} mlops__rvalue;

typedef struct mlops__rgate {
    char *expression;
    double observed;
    int passed;
} mlops__rgate;

typedef struct mlops__rcurve {
    char *name;
    size_t n, nt;
    double *x, *y, *t;
} mlops__rcurve;

struct mlops_report {
    int task;
    int status; /* first allocation failure, sticky */
    size_t rows; /* rows evaluated */
    mlops__rvalue *values;
    size_t nvalues, capvalues;
    char **notes;
    size_t nnotes, capnotes;
    mlops__rgate *gates;
    size_t ngates;
    mlops__rcurve *curves;
    size_t ncurves, capcurves;
    char **labels;
    size_t k;
    double *confusion;
    size_t curve_points;
    char *grid_json; /* grid search: the candidates' settings as JSON */
};

int mlops__report_new(mlops_report **out, int task);
/* Adds a value; name = g1 "." g2 "." leaf joined as the section wants. */
void mlops__report_put(mlops_report *r, int section, const char *g1, const char *g2,
                       const char *leaf, double v);
void mlops__report_note(mlops_report *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
mlops__rcurve *mlops__report_curve_new(mlops_report *r, const char *name, size_t n, size_t nt);
const mlops__rvalue *mlops__report_find(const mlops_report *r, const char *name);
/* Checks the evaluator's gates against the report's values. */
int mlops__report_check_gates(mlops_report *r, const mlops_evaluator *ev);
/* The JSON document; curves are left out of the copy a model card keeps. */
int mlops__report_json(const mlops_report *r, bool pretty, bool with_curves, char **json);

/* ---- Stages of a run --------------------------------------------------- */

/* Puts the overall metrics, per-class values, confusion matrix and curves. */
int mlops__eval_overall(const mlops_evaluator *ev, const mlops__eval_data *d, mlops_report *r);
/* Per-group metrics and fairness aggregates; `groups` holds the group columns. */
int mlops__eval_groups(const mlops_evaluator *ev, const mlops__eval_data *d,
                       const mlops_dataset *groups, mlops_report *r);
int mlops__eval_bootstrap(const mlops_evaluator *ev, const mlops__eval_data *d, mlops_report *r);
/* Robustness probes: perturbs the inputs of `data` and predicts again. */
int mlops__eval_probes(const mlops_evaluator *ev, const mlops__eval_data *d,
                       const mlops_model *model, const mlops_dataset *data, mlops_report *r);
/* Which metrics to report: requested ones that apply. */
bool mlops__metric_wanted(const mlops_evaluator *ev, const mlops__eval_data *d, int m);
/* The primary metric for probes and grid search. */
int mlops__primary_metric(const mlops_evaluator *ev, int task);

/* Fills `d` from a model's predictions on `data`, whose target has no
 * missing value. */
int mlops__eval_from_model(const mlops_evaluator *ev, const mlops_model *model,
                           const mlops_dataset *data, mlops__eval_data *d);
/* Everything of mlops_evaluator_run() but the gates. */
int mlops__eval_model(const mlops_evaluator *ev, const mlops_model *model,
                      const mlops_dataset *data, mlops_report **out);
/* Computes everything but probes and gates on prepared data. */
int mlops__eval_all(const mlops_evaluator *ev, const mlops__eval_data *d,
                    const mlops_dataset *groups, mlops_report *r);
/* All scalar metrics of the task for weights `wt`. */
void mlops__compute_metrics(const mlops__eval_data *d, const double *wt, double *out,
                            double *scratch, mlops__why *why);
/* Scratch space for mlops__compute_metrics (release with mlops__free). */
double *mlops__metric_scratch(const mlops__eval_data *d);

#endif /* MLOPS_EVAL_EVAL_IMPL_H */
