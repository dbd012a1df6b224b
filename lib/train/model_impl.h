/* Private: the layout of mlops_model, shared by its modules (settings,
 * fitting, solvers, prediction, explanations, persistence and the card).
 *
 * A fitted model is the pair (settings, fit): everything learned from data
 * lives in one mlops__model_fit so a failed or cancelled fit (or load)
 * swaps nothing in and never leaves a half-fitted model behind. */
#ifndef MLOPS_TRAIN_MODEL_IMPL_H
#define MLOPS_TRAIN_MODEL_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlops/dataset.h"
#include "mlops/model.h"

enum { MLOPS__MODEL_LINEAR = 1, MLOPS__MODEL_LOGISTIC = 2 };

/* Solvers. AUTO resolves to a concrete one when fitting; the fit records
 * which one ran. */
enum {
    MLOPS__SOLVER_AUTO = 0,
    MLOPS__SOLVER_CHOLESKY = 1,
    MLOPS__SOLVER_LSTSQ = 2,
    MLOPS__SOLVER_LBFGS = 3,
    MLOPS__SOLVER_NEWTON = 4
};

enum { MLOPS__CLASS_WEIGHT_NONE = 0, MLOPS__CLASS_WEIGHT_BALANCED = 1 };

/* Setting keys, in the order the card and the file list them. */
enum {
    MLOPS__P_L2,
    MLOPS__P_FIT_INTERCEPT,
    MLOPS__P_MAX_ITER,
    MLOPS__P_TOL,
    MLOPS__P_SOLVER,
    MLOPS__P_LBFGS_MEMORY,
    MLOPS__P_CLASS_WEIGHT,
    MLOPS__P_SEED,
    MLOPS__P_THREADS,
    MLOPS__P_WARM_START,
    MLOPS__P_FINGERPRINT,
    MLOPS__P_COUNT
};

typedef struct mlops__model_params {
    double l2;
    bool fit_intercept;
    uint32_t max_iter;
    double tol;
    int solver;
    uint32_t lbfgs_memory;
    int class_weight;
    uint64_t seed;
    uint32_t threads;
    bool warm_start;
    bool fingerprint;     /* hash the training data for the card */
} mlops__model_params;

/* Card fields (free text set by the user). */
enum {
    MLOPS__CARD_NAME,
    MLOPS__CARD_VERSION,
    MLOPS__CARD_OWNER,
    MLOPS__CARD_CONTACT,
    MLOPS__CARD_LICENSE,
    MLOPS__CARD_DESCRIPTION,
    MLOPS__CARD_INTENDED_USE,
    MLOPS__CARD_OUT_OF_SCOPE_USE,
    MLOPS__CARD_TRAINING_DATA,
    MLOPS__CARD_EVALUATION_DATA,
    MLOPS__CARD_ETHICAL_CONSIDERATIONS,
    MLOPS__CARD_CAVEATS,
    /* JSON written by mlops_report_attach(), not settable as free text */
    MLOPS__CARD_QUANTITATIVE_ANALYSIS,
    MLOPS__CARD_COUNT
};
enum { MLOPS__CARD_TEXT_COUNT = MLOPS__CARD_QUANTITATIVE_ANALYSIS };
/* Replaces the model's quantitative analysis with `json` (copied; a complete
 * JSON object), or removes it when NULL. */
int mlops__model_set_analysis(mlops_model *m, const char *json);

/* How a model feature is computed from the raw row, for the allocation-free
 * row path: the raw input it reads and the chain's numeric steps on it, in
 * order, with exactly the arithmetic mlops_transform_apply() uses. */
enum { MLOPS__OP_IMPUTE = 1, MLOPS__OP_STANDARDIZE = 2, MLOPS__OP_MINMAX = 3 };
typedef struct mlops__feature_op {
    int kind;
    double a, b; /* impute: a = fill; standardize: a = mean, b = scale;
                    minmax: a = scale, b = offset */
} mlops__feature_op;

typedef struct mlops__model_fit {
    /* the settings this fit ran with (later changes to the model's
     * settings apply to the next fit, not to this record) */
    mlops__model_params params;
    bool param_set[MLOPS__P_COUNT];
    /* raw input schema */
    char **inputs;
    int *input_types;
    size_t ninputs;
    char *target;
    char *weight;          /* weight column name, NULL when none */
    /* features after the chain */
    char **features;
    size_t nfeatures;
    /* classes (logistic) */
    char **classes;
    double *class_values;  /* numeric targets: the value of each class; NULL
                              for categorical targets */
    uint64_t *class_counts;
    size_t nclasses;
    /* coefficients: noutputs x nfeatures row-major, and intercepts */
    size_t noutputs;
    double *coef;
    double *intercept;
    /* per feature: feature = raw_scale * raw + raw_offset where the chain
     * is affine for it (raw_affine), and the population standard deviation
     * of the raw input over the training rows (of the feature itself for
     * non-affine features) */
    double *raw_scale, *raw_offset, *raw_std;
    bool *raw_affine;
    /* row plan: feature j reads raw input plan_input[j] through
     * plan_ops[plan_first[j] .. plan_first[j+1]) (plan_input[j] ==
     * SIZE_MAX when the feature cannot be computed from numeric inputs) */
    bool row_path;         /* every input numeric and every feature planned */
    size_t *plan_input;
    size_t *plan_first;    /* nfeatures + 1 entries */
    mlops__feature_op *plan_ops;
    /* folded form for batches of raw numeric rows when every feature is an
     * affine function of one input (impute first, then scaling): decision
     * = raw row . fold_coef[o] + fold_intercept[o], fold_coef outputs x
     * ninputs row-major; derived from the coefficients and the plan */
    bool fold_ok;
    double *fold_coef, *fold_intercept;
    /* training summary */
    uint64_t rows;
    double weight_sum;
    int solver;            /* the solver that ran */
    uint32_t iterations;
    bool converged;
    double objective;
    double grad_norm;
    char fingerprint[65];  /* training dataset fingerprint (hex) */
    char *source;          /* training dataset source, "" when none */
    /* the fitted chain, NULL when the model has none */
    mlops_transform *transform;
} mlops__model_fit;

struct mlops_model {
    int kind;
    mlops__model_params params;
    bool param_set[MLOPS__P_COUNT];
    mlops_transform *chain;        /* unfitted template, NULL when none */
    mlops_progress_fn progress;
    void *progress_ud;
    mlops__model_fit *fit;         /* NULL when not fitted */
    char *card[MLOPS__CARD_COUNT]; /* NULL when unset */
    char created[32];              /* UTC "YYYY-MM-DDTHH:MM:SSZ", "" unfitted */
};

/* A new unfitted model of the same kind, settings and transform chain (the
 * template, or the fitted chain's configuration for a loaded model), for
 * refitting on other rows: cross-validation and grid search. */
int mlops__model_clone_config(const mlops_model *src, mlops_model **out);
const char *mlops__model_kind_name(int kind);
const char *mlops__solver_name(int solver);
const char *mlops__param_name(int key);
const char *mlops__card_key_name(int key);
/* Whether `s` is a creation time as stored: "" or "YYYY-MM-DDTHH:MM:SSZ". */
bool mlops__valid_created(const char *s);
/* The text of setting `key` of `p` in a new string. */
int mlops__param_text(const mlops__model_params *p, int key, char **out);
/* Default settings for a kind. */
void mlops__params_default(mlops__model_params *p, int kind);

void mlops__model_fit_free(mlops__model_fit *f);
/* A copy of a transform through its byte encoding, which already knows
 * every field (the model's chain template, and the copy each fit fits). */
int mlops__transform_copy(const mlops_transform *t, mlops_transform **out);
/* Builds the row plan and the raw-unit maps of a fit from its chain (which
 * may be NULL); used after fitting and after loading. */
int mlops__model_plan(mlops__model_fit *f);
/* Derives the folded coefficients (fold_ok, fold_coef, fold_intercept)
 * from the plan and the coefficients; mlops__model_plan calls it when the
 * coefficients are already there (after loading). */
int mlops__model_fold(mlops__model_fit *f);

/* Feature j of a raw numeric row through the row plan, with the chain's
 * own arithmetic (f->plan_input[j] must not be SIZE_MAX). */
double mlops__plan_feature(const mlops__model_fit *f, size_t j, const double *raw);

/* Model features of a dataset's rows: the inputs found by name, checked,
 * and passed through the fitted chain. */
typedef struct mlops__features {
    mlops_dataset *selected, *transformed; /* owned intermediates */
    const double **cols;                   /* per feature: its values */
    size_t rows;
} mlops__features;

int mlops__features_open(const mlops_model *m, const mlops_dataset *d, const char *func,
                         mlops__features *fx);
void mlops__features_close(mlops__features *fx);
/* Gathers rows [r0, r0+rows) into xb (rows x p, row-major), refusing
 * non-finite values with a message naming the feature and row. */
int mlops__features_block(const mlops__model_fit *f, const mlops__features *fx, size_t r0,
                          size_t rows, double *xb, const char *func);
/* Decision values z (rows x outputs, row-major) of a feature block. */
void mlops__decisions(const mlops__model_fit *f, const double *xb, size_t rows, double *z);
/* Turns decision values into the outputs of `kind` (rows x width); a
 * decision that is not finite fails with MLOPS_ERANGE naming its row
 * (counted from first_row) and output, prefixed with `func`. */
int mlops__outputs(const mlops__model_fit *f, int kind, const double *z, size_t rows,
                   size_t first_row, double *out, const char *func);

#endif
