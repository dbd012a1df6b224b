/* mlops_model: a trained linear model (least squares / ridge regression or
 * binary / multinomial logistic regression) together with everything needed
 * to use it years later: the fitted preprocessing chain, the raw input
 * schema, the class labels, the training summary and a model card.
 *
 * Models are configured by string keys, fitted on a dataset (target and
 * weight columns found by role), queried through predictions and
 * explanations, and saved to a versioned, checksummed file. Predictions take
 * raw rows: the model replays its own imputation, scaling and one-hot
 * encoding, so callers never prepare features by hand.
 *
 * Thread safety: a fitted model may be used for prediction, explanation and
 * saving from many threads at once; setting, fitting and freeing need the
 * caller's lock. */
#ifndef MLOPS_MODEL_H
#define MLOPS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/dataset.h"
#include "mlops/export.h"
#include "mlops/log.h"
#include "mlops/transform.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_model mlops_model;

/** What a prediction call writes per row. */
typedef enum mlops_predict_kind {
    /** Regression: the predicted value. Classification: the index of the
     *  predicted class (0 .. classes-1, see mlops_model_class_label()), as a
     *  double. One value per row. */
    MLOPS_PREDICT_VALUE = 0,
    /** Classification only: the probability of each class, classes values
     *  per row, in class order, summing to 1. */
    MLOPS_PREDICT_PROBA = 1,
    /** The linear decision values before the link function: one per row for
     *  regression and binary classification (the log-odds of the second
     *  class), one per class for multinomial models. */
    MLOPS_PREDICT_DECISION = 2
} mlops_predict_kind;

/** Units of coefficients (mlops_model_coefficients()). */
typedef enum mlops_coef_units {
    /** As fitted: per unit of each model feature, i.e. after the transform
     *  chain (standardized features give standardized coefficients). */
    MLOPS_COEF_MODEL = 0,
    /** Per unit of the raw input column. Exact when the chain maps the raw
     *  value to the feature by an affine map (impute, standardize, minmax);
     *  one-hot indicator features are already raw. The intercept absorbs
     *  the offsets. */
    MLOPS_COEF_RAW = 1,
    /** Per one standard deviation (population) of the raw input in the
     *  training data: the raw coefficient times that deviation, so features
     *  on different scales can be compared. */
    MLOPS_COEF_STANDARDIZED = 2
} mlops_coef_units;

/* ---- Creating and configuring ---------------------------------------- */

/** Creates an unfitted model of kind `kind` in *out (free it with
 *  mlops_model_free()). Kinds: "linear_regression" (least squares, ridge
 *  with l2 > 0) and "logistic_regression" (binary or multinomial, chosen by
 *  the number of classes in the target).
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL argument, unknown kind: the message
 *  suggests the nearest) or MLOPS_ENOMEM. */
MLOPS_API int mlops_model_create(mlops_model **out, const char *kind);

/** Releases a model. Accepts NULL. Strings borrowed from it become invalid. */
MLOPS_API void mlops_model_free(mlops_model *m);

/** The model's kind ("linear_regression" or "logistic_regression"), a
 *  static string; NULL for NULL. */
MLOPS_API const char *mlops_model_kind(const mlops_model *m);

/** Sets one training setting from its text form. Keys (defaults in
 *  brackets):
 *    l2             >= 0, strength of the L2 penalty (l2/2)*||coef||^2 on
 *                   the objective normalized by the sum of weights [0 for
 *                   linear_regression, 1e-4 for logistic_regression]
 *    fit_intercept  true/false [true]; the intercept is never penalized
 *    max_iter       iterative solvers' iteration limit, >= 1 [1000]
 *    tol            stop when the largest absolute entry of the gradient of
 *                   the normalized objective is <= tol, > 0 [1e-6]
 *    solver         linear_regression: "auto", "cholesky", "lstsq";
 *                   logistic_regression: "auto", "lbfgs", "newton" [auto]
 *    lbfgs_memory   correction pairs kept by L-BFGS, 1..100 [50]; more
 *                   pairs mean fewer passes over the data on
 *                   ill-conditioned problems; they cost 16 bytes per pair
 *                   and parameter, and are capped to keep them under
 *                   256 MiB
 *    class_weight   "none" or "balanced" (rows of class k weigh
 *                   rows / (classes * count_k)) [none]
 *    seed           unsigned 64-bit integer recorded with the model [0]
 *    threads        BLAS threads during fit, 0 = leave OpenBLAS's setting
 *                   [0]; results are bit-identical for equal thread counts.
 *                   OpenBLAS's thread count is process-wide: it is set for
 *                   the fit and restored after, so concurrent fits should
 *                   leave this at 0 or agree on it
 *    warm_start     true/false [false]: refitting starts from the current
 *                   coefficients when features and classes are unchanged
 *    fingerprint    true/false [true]: record the SHA-256 fingerprint of
 *                   the training data in the card (mlops_dataset_fingerprint
 *                   costs about as much as reading the data; cross-validation
 *                   folds of an already fingerprinted dataset may skip it)
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL argument, unknown key (the message
 *  suggests the nearest), a value out of range or unparsable, a key that
 *  does not apply to this kind) or MLOPS_ENOMEM. Settings apply to the
 *  next fit. */
MLOPS_API int mlops_model_set_param(mlops_model *m, const char *key, const char *value);

/** mlops_model_set_param() for numeric settings, without text. */
MLOPS_API int mlops_model_set_param_double(mlops_model *m, const char *key, double value);

/** The current value of setting `key` in text form (as set, or the
 *  default), in a new string *value that the caller releases with
 *  mlops_free(). Returns MLOPS_OK, MLOPS_EINVAL or MLOPS_ENOMEM. */
MLOPS_API int mlops_model_get_param(const mlops_model *m, const char *key, char **value);

/** Gives the model a preprocessing chain: `t` is copied (steps and
 *  settings; the caller keeps `t`), and fitting the model fits the copy on
 *  the training data first. Without a chain the model uses the numeric
 *  feature columns as they are. Replaces an earlier chain; the model
 *  becomes unfitted. Returns MLOPS_OK, MLOPS_EINVAL or MLOPS_ENOMEM. */
MLOPS_API int mlops_model_set_transform(mlops_model *m, const mlops_transform *t);

/** The model's chain (fitted after mlops_model_fit()), borrowed; NULL when
 *  it has none. */
MLOPS_API const mlops_transform *mlops_model_transform(const mlops_model *m);

/** Installs a progress callback for fit: called once per solver iteration
 *  with (iteration, max_iter); returning nonzero cancels the fit, which
 *  then returns MLOPS_ECANCELED and leaves the model as it was. NULL
 *  removes it. Returns MLOPS_OK or MLOPS_EINVAL (m is NULL). */
MLOPS_API int mlops_model_set_progress(mlops_model *m, mlops_progress_fn fn, void *user_data);

/* ---- Fitting ----------------------------------------------------------- */

/** Fits the model on `train` (borrowed, unchanged). The target is the
 *  column with role target (exactly one); an optional column with role
 *  weight gives sample weights (finite, >= 0, not all 0). The raw inputs
 *  are the columns with role feature that are not sensitive. When a chain
 *  is set it is fitted and applied first; the model's features are then the
 *  chain's outputs with role feature, which must all be numeric.
 *
 *  linear_regression needs a numeric target; logistic_regression takes a
 *  categorical target (class labels are its categories in byte order) or a
 *  numeric one (labels are the distinct values in ascending order, written
 *  as shortest round-trip numbers). Only labels present in the training
 *  rows are classes (a category of the dictionary on no row is not one);
 *  at least two are needed. Rows whose target is missing are refused.
 *
 *  Non-convergence within max_iter is not an error: the fit returns
 *  MLOPS_OK, logs one warning and mlops_model_info("converged") is 0.
 *  With l2 = 0 and linearly separable classes the logistic objective has
 *  no minimum: the coefficients grow until the gradient, which vanishes as
 *  the probabilities saturate, falls below tol (converged 1) or max_iter
 *  is reached (converged 0); they stay finite, and a warning says the
 *  classes are (nearly) separable once the objective is below 1e-3. Set
 *  l2 > 0 for a unique answer.
 *  Finite values of any size are accepted; every number a fit records is
 *  finite, so a fitted model always saves and loads.
 *  Returns MLOPS_OK; MLOPS_EINVAL (no or several target columns, no
 *  features, no rows, a missing target, one class only, a non-numeric
 *  feature, a NaN or infinite feature value after
 *  preprocessing, a bad weight: messages name the column and row);
 *  MLOPS_ERANGE (the weights sum, or the training objective of values near
 *  the largest double, exceeds the range of a double; the message names
 *  the weight column or the target); MLOPS_ENUMERIC (the solver met a
 *  non-finite value); MLOPS_ECANCELED; MLOPS_ENOMEM. On failure the model
 *  keeps its previous state. */
MLOPS_API int mlops_model_fit(mlops_model *m, const mlops_dataset *train);

/** 1 when the model is fitted (or was loaded fitted), else 0. */
MLOPS_API int mlops_model_is_fitted(const mlops_model *m);

/** Reads one fact about the last fit into *value. Keys: "iterations",
 *  "converged" (1 or 0), "objective" (final value of the normalized
 *  objective), "gradient_norm" (largest absolute gradient entry),
 *  "rows", "features", "classes" (0 for regression), "weight_sum",
 *  "l2". Returns MLOPS_OK, MLOPS_EINVAL (NULL argument, unknown key) or
 *  MLOPS_ESTATE (not fitted). */
MLOPS_API int mlops_model_info(const mlops_model *m, const char *key, double *value);

/* ---- Schema, classes and coefficients --------------------------------- */

/** Number of raw input columns a prediction needs (0 when not fitted). */
MLOPS_API size_t mlops_model_input_count(const mlops_model *m);

/** Name of raw input `i`, borrowed; NULL when out of range. Matrix and row
 *  predictions take values in this order. */
MLOPS_API const char *mlops_model_input_name(const mlops_model *m, size_t i);

/** Type (MLOPS_NUMERIC or MLOPS_CATEGORICAL) of raw input `i`; 0 when out
 *  of range. */
MLOPS_API int mlops_model_input_type(const mlops_model *m, size_t i);

/** Number of model features (after the chain; 0 when not fitted). */
MLOPS_API size_t mlops_model_feature_count(const mlops_model *m);

/** Name of feature `i` (a one-hot feature reads NAME=VALUE), borrowed;
 *  NULL when out of range. */
MLOPS_API const char *mlops_model_feature_name(const mlops_model *m, size_t i);

/** Name of the target column, borrowed; NULL when not fitted. */
MLOPS_API const char *mlops_model_target_name(const mlops_model *m);

/** Number of classes (0 for regression or when not fitted). */
MLOPS_API size_t mlops_model_class_count(const mlops_model *m);

/** Label of class `k`, borrowed; NULL when out of range. */
MLOPS_API const char *mlops_model_class_label(const mlops_model *m, size_t k);

/** Number of decision outputs: 1 for regression and binary models, the
 *  number of classes for multinomial ones (0 when not fitted). */
MLOPS_API size_t mlops_model_output_count(const mlops_model *m);

/** Writes the coefficients in `units` as a row-major outputs x features
 *  matrix into `coef` (capacity `len` doubles) and, when `intercepts` is
 *  not NULL, the outputs intercepts into it (capacity `nint`).
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL model or coef, unknown units, too
 *  small a buffer) or MLOPS_ESTATE (not fitted). */
MLOPS_API int mlops_model_coefficients(const mlops_model *m, int units, double *coef, size_t len,
                                       double *intercepts, size_t nint);

/* ---- Predicting -------------------------------------------------------- */

/** Number of doubles per row that `kind` writes (0 when not fitted or the
 *  kind does not apply, e.g. MLOPS_PREDICT_PROBA for regression). */
MLOPS_API size_t mlops_model_output_width(const mlops_model *m, int kind);

/** Predicts for every row of `d` (borrowed). Columns are found by name, in
 *  any order, and other columns are ignored; the chain is replayed on them.
 *  Writes rows x mlops_model_output_width(kind) doubles, row-major, to
 *  `out` (capacity `len`). Every value written is finite.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, unknown kind, a needed
 *  column missing or of another type, a value the chain refuses such as an
 *  unseen category under unseen=error, a NaN or infinite feature, too small
 *  a buffer: messages name the column and row); MLOPS_ERANGE (finite
 *  inputs so large that a decision value overflows to an infinity or
 *  NaN, naming the row and the output); MLOPS_ESTATE (not fitted);
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_model_predict(const mlops_model *m, const mlops_dataset *d, int kind,
                                  double *out, size_t len);

/** Predicts for `rows` raw rows given as a row-major matrix `x` of rows x
 *  cols doubles, one column per raw input in mlops_model_input_name()
 *  order (NaN = missing). Only for models whose raw inputs are all numeric.
 *  When every feature is an affine function of one input (chains of
 *  impute, standardize and minmax), the chain is folded into the
 *  coefficients once (their MLOPS_COEF_RAW form) and the batch is a single
 *  BLAS product with no per-value transform; results then agree with
 *  mlops_model_predict() to rounding (a few ulps of the largest term), not
 *  bit for bit, and are deterministic. Rows holding missing values go
 *  through the chain exactly.
 *  Returns as mlops_model_predict(); MLOPS_EINVAL also when cols differs
 *  from mlops_model_input_count() or an input is categorical. */
MLOPS_API int mlops_model_predict_matrix(const mlops_model *m, const double *x, size_t rows,
                                         size_t cols, int kind, double *out, size_t len);

/** mlops_model_predict_matrix() for one row, without allocating (except
 *  for models with more than 64 outputs): the low-latency path for serving
 *  one decision at a time. Its dot products are summed in input order, so
 *  results may differ from the batch paths' in the last bits. */
MLOPS_API int mlops_model_predict_row(const mlops_model *m, const double *x, size_t cols,
                                      int kind, double *out, size_t len);

/* ---- Explaining -------------------------------------------------------- */

/** The contribution of every feature to decision output `output` for row
 *  `row` of `d`: coefficient x transformed feature value, features in
 *  mlops_model_feature_name() order. The contributions plus the intercept
 *  of that output sum to the decision value (up to rounding).
 *  Writes mlops_model_feature_count() doubles to `out` (capacity `len`).
 *  Returns as mlops_model_predict(); MLOPS_EINVAL also when `row` or
 *  `output` is out of range. */
MLOPS_API int mlops_model_contributions(const mlops_model *m, const mlops_dataset *d, size_t row,
                                        size_t output, double *out, size_t len);

/** The reasons for the decision on row `row` of `d` as a JSON document in
 *  a new string *json (release with mlops_free()): the prediction (label or
 *  value, and probabilities for classifiers), the explained output, its
 *  intercept and decision value, and the `top_k` features with the largest
 *  absolute contributions (name, raw input value, feature value,
 *  coefficient, contribution), largest first, ties by feature order.
 *  top_k = 0 lists every feature. For multinomial models the predicted
 *  class's output is explained. Returns as mlops_model_contributions(),
 *  and MLOPS_ERANGE when the row's decision value overflows (as for
 *  mlops_model_predict()). */
MLOPS_API int mlops_model_explain_json(const mlops_model *m, const mlops_dataset *d, size_t row,
                                       size_t top_k, char **json);

/* ---- Model card -------------------------------------------------------- */

/** Sets a free-text field of the model card (copied; NULL or "" clears
 *  it). Keys, following Mitchell et al. 2019 "Model Cards for Model
 *  Reporting": name, version, owner, contact, license, description,
 *  intended_use, out_of_scope_use, training_data, evaluation_data,
 *  ethical_considerations, caveats. Card fields are stored in the model
 *  file but outside the hashed model payload. Key "created" sets the
 *  creation time that mlops_model_fit() stamps: a UTC time
 *  "YYYY-MM-DDTHH:MM:SSZ", or NULL or "" to leave it empty, so that
 *  refitting on the same data writes a byte-identical model file.
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL model or key, unknown key: the
 *  message suggests the nearest, text not valid UTF-8) or MLOPS_ENOMEM. */
MLOPS_API int mlops_model_card_set(mlops_model *m, const char *key, const char *value);

/** The text of card field `key` in a new string *value (release with
 *  mlops_free()), "" when unset. Returns MLOPS_OK, MLOPS_EINVAL or
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_model_card_get(const mlops_model *m, const char *key, char **value);

/** The model card as a JSON document in a new string *json (release with
 *  mlops_free()): format and library version, model kind, settings, the
 *  card fields, creation time, payload hash, the training data (source,
 *  fingerprint, rows, weight sum, raw input schema, target, classes with
 *  counts), the preprocessing chain, the training summary (solver,
 *  iterations, convergence, objective, gradient norm) and the coefficients
 *  by feature in model, raw and standardized units. The layout is shown in
 *  mlops_model_card_json(3). Returns MLOPS_OK, MLOPS_EINVAL, MLOPS_ESTATE
 *  (not fitted) or MLOPS_ENOMEM. */
MLOPS_API int mlops_model_card_json(const mlops_model *m, char **json);

/** The SHA-256 of the model payload (kind, settings, schema, chain,
 *  classes, coefficients, training summary: everything that determines
 *  predictions and the record of how they were made, but not the creation
 *  time or card fields) as 64 lowercase hex digits plus NUL in `hex`
 *  (capacity `size` >= 65). Equal training runs give equal hashes.
 *  Returns MLOPS_OK, MLOPS_EINVAL, MLOPS_ESTATE or MLOPS_ENOMEM. */
MLOPS_API int mlops_model_payload_hash(const mlops_model *m, char *hex, size_t size);

/* ---- Saving and loading ------------------------------------------------ */

/** Saves a fitted model to `path`, atomically (a crash leaves either the
 *  old file or the new one); `path` must not name anything but a regular
 *  file. The format (a versioned container of CRC-checked sections, stored
 *  uncompressed so that the checksums cover every stored bit) is described
 *  in mlops_model_save(3). Returns MLOPS_OK, MLOPS_EINVAL, MLOPS_ESTATE
 *  (not fitted), MLOPS_EIO (naming the path and the system error, or the
 *  path exists and is not a regular file) or MLOPS_ENOMEM. */
MLOPS_API int mlops_model_save(const mlops_model *m, const char *path);

/** mlops_model_save() into a new buffer *bytes of *len bytes (release with
 *  mlops_free()). */
MLOPS_API int mlops_model_save_buffer(const mlops_model *m, unsigned char **bytes, size_t *len);

/** Loads a model saved by mlops_model_save() (any earlier format version
 *  too) into *out. A loaded model predicts bit-identically to the saved
 *  one. Returns MLOPS_OK; MLOPS_EINVAL; MLOPS_ENOTFOUND (no such file);
 *  MLOPS_EIO; MLOPS_EFORMAT (not a
 *  model file); MLOPS_EVERSION (written by a newer format); MLOPS_ECORRUPT
 *  (truncated or damaged: every byte is covered by a checksum, and decoded
 *  values are checked for consistency); MLOPS_ENOMEM. */
MLOPS_API int mlops_model_load(mlops_model **out, const char *path);

/** mlops_model_load() from `len` bytes in memory (borrowed). */
MLOPS_API int mlops_model_load_buffer(mlops_model **out, const void *bytes, size_t len);

MLOPS_END_DECLS

#endif /* MLOPS_MODEL_H */
