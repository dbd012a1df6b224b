/* mlops_transform: a chain of cleaning and encoding steps (imputation,
 * standardization, min-max scaling, one-hot encoding, dropping columns)
 * fitted once on training data and replayed exactly on new raw rows.
 *
 * A model keeps its fitted transform inside its file (mlops_transform_save()
 * gives the bytes), so a prediction years later sees its inputs prepared
 * exactly as in training. Steps are configured by string keys, so new
 * settings never change the ABI and the YAML pipeline maps its keys straight
 * through. Columns are always matched by name, never by position.
 *
 * Thread safety: a fitted transform may be applied from many threads at
 * once; add, set, fit and free need the caller's lock. */
#ifndef MLOPS_TRANSFORM_H
#define MLOPS_TRANSFORM_H

#include <stddef.h>

#include "mlops/dataset.h"
#include "mlops/export.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_transform mlops_transform;

/** Creates an empty transform (no steps, not fitted) in *out, which the
 *  caller releases with mlops_transform_free().
 *  Returns MLOPS_OK, MLOPS_EINVAL (out is NULL) or MLOPS_ENOMEM. */
MLOPS_API int mlops_transform_create(mlops_transform **out);

/** Releases a transform. Accepts NULL. Strings borrowed from it become
 *  invalid. */
MLOPS_API void mlops_transform_free(mlops_transform *t);

/** Appends a step and returns its index (0, 1, ...), or a negative MLOPS_E*
 *  code. Steps run in the order they were added, each on the output of the
 *  one before.
 *
 *  `step` is one of
 *    "impute"       fill missing values (settings: strategy, fill_value)
 *    "standardize"  z-score (x - mean) / std, population std (ddof 0);
 *                   a constant column is only centred (settings:
 *                   with_mean, with_std)
 *    "minmax"       x * scale + offset mapping the training range to [0, 1];
 *                   a constant column maps to 0
 *    "onehot"       replaces a categorical column NAME by numeric 0/1
 *                   columns NAME=VALUE, one per category seen in fit, in
 *                   byte order of VALUE; missing is a category of its own
 *                   (NAME=__missing__, after the others); rare categories
 *                   may be merged into NAME=__infrequent__ (last)
 *                   (settings: unseen, min_frequency); the output is
 *                   dense, so one column may make at most 10000
 *                   indicator columns (merge rare categories first)
 *    "drop"         removes the named columns.
 *  `columns` (copied) is a comma-separated list of column names (spaces
 *  around each name are ignored; a backslash makes the next character
 *  literal, for names containing ',', '\' or outer spaces), or "*" for
 *  every column the step applies to whose role is feature and which is
 *  not sensitive: numeric columns for impute with strategy mean/median,
 *  standardize and minmax; categorical columns for onehot; all for impute
 *  with strategy most_frequent/constant. "*" is refused for drop. Named
 *  columns may have any role. Names are resolved when fitting.
 *
 *  Returns the index, MLOPS_EINVAL (NULL argument, unknown step name (the
 *  message suggests the nearest), empty, duplicate or malformed names),
 *  MLOPS_ESTATE (the transform is fitted: build a new one to change it) or
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_transform_add(mlops_transform *t, const char *step, const char *columns);

/** Sets one setting of step `step` from its text form (copied). Keys:
 *    impute:      strategy     "mean" (default), "median", "most_frequent"
 *                              (ties go to the smallest value), "constant"
 *                 fill_value   the value for strategy=constant: a finite
 *                              number for numeric columns (default 0), any
 *                              UTF-8 text for categorical columns (default
 *                              "missing_value")
 *    standardize: with_mean    "true" (default) or "false" (do not centre);
 *                              also "1"/"0", "yes"/"no"
 *                 with_std     "true" (default) or "false" (do not scale)
 *    onehot:      unseen       what apply does with a category fit did not
 *                              see: "error" (default; MLOPS_EINVAL naming
 *                              column, row and value), "zeros" (all output
 *                              columns 0) or "infrequent" (the
 *                              __infrequent__ column when fit made one,
 *                              else zeros)
 *                 min_frequency  categories seen fewer times than this in
 *                              fit go to NAME=__infrequent__: an integer
 *                              >= 1, or a fraction in (0, 1) of the
 *                              training rows; default none
 *  minmax and drop have no settings.
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL argument, `step` out of range, a key
 *  the step does not have (the message suggests the nearest), a bad value),
 *  MLOPS_ESTATE (fitted) or MLOPS_ENOMEM. */
MLOPS_API int mlops_transform_set(mlops_transform *t, size_t step, const char *key,
                                  const char *value);

/** Fits every step on `train` (borrowed, unchanged), in order, each on the
 *  output of the previous. Fitting again replaces the earlier fit; on
 *  failure the transform keeps its previous state.
 *
 *  Numeric steps ignore missing values when fitting and refuse infinite
 *  ones. Returns MLOPS_OK; MLOPS_EINVAL when `train` has no rows, a named
 *  column does not exist (the message suggests the nearest) or has a type
 *  the step cannot handle, a column has no values to compute a statistic
 *  from, a value is infinite, fill_value is not a number for a numeric
 *  column or is set without strategy=constant, an output column name
 *  would repeat an existing one, or a onehot column would make more than
 *  10000 indicator columns (after min_frequency); MLOPS_ENOMEM. Messages
 *  name the step, the column and, for values, the row (0-based). */
MLOPS_API int mlops_transform_fit(mlops_transform *t, const mlops_dataset *train);

/** Applies the fitted steps to `in` (borrowed, unchanged) and stores a new
 *  dataset in *out, which the caller releases with mlops_dataset_free().
 *  The rows are those of `in`, in order. Columns keep the order of `in`:
 *  transformed columns are replaced in place (a one-hot encoded column by
 *  its indicator columns), dropped columns disappear and every other column
 *  passes through unchanged with its role, so `in` may hold its columns in
 *  any order and need not hold passthrough columns such as the target.
 *  Select model inputs by name (mlops_transform_output_name()).
 *  Missing values stay missing in scaled columns; impute fills them.
 *
 *  Returns MLOPS_OK; MLOPS_ESTATE when the transform is not fitted;
 *  MLOPS_EINVAL when a column a step needs is absent from `in` (drop
 *  tolerates absent columns), has another type than in fit, holds an
 *  infinite value in a numeric step, holds a category fit did not see under
 *  unseen=error, or an output name repeats a column of `in` (messages name
 *  step, column, row and value); MLOPS_ENOMEM. *out is unchanged on
 *  failure. */
MLOPS_API int mlops_transform_apply(const mlops_transform *t, const mlops_dataset *in,
                                    mlops_dataset **out);

/** mlops_transform_fit() followed by mlops_transform_apply() on the same
 *  data, in one pass; the output equals what apply gives on `train`.
 *  Returns the codes of both. */
MLOPS_API int mlops_transform_fit_apply(mlops_transform *t, const mlops_dataset *train,
                                        mlops_dataset **out);

/** 1 when the transform is fitted (by mlops_transform_fit() or loaded
 *  fitted), 0 when not or when `t` is NULL. */
MLOPS_API int mlops_transform_is_fitted(const mlops_transform *t);

/** Number of steps (0 for NULL). */
MLOPS_API size_t mlops_transform_step_count(const mlops_transform *t);

/** Kind of step `step` ("impute", "standardize", "minmax", "onehot",
 *  "drop"), a static string; NULL when `t` is NULL or `step` is out of
 *  range. */
MLOPS_API const char *mlops_transform_step_kind(const mlops_transform *t, size_t step);

/** Number of columns the fitted transform produces from the training data's
 *  columns (0 when not fitted). */
MLOPS_API size_t mlops_transform_output_count(const mlops_transform *t);

/** Name of output column `i` (in the order apply gives for data laid out
 *  like the training data), borrowed from `t` until it is fitted again or
 *  freed; NULL when not fitted or `i` is out of range. */
MLOPS_API const char *mlops_transform_output_name(const mlops_transform *t, size_t i);

/** Encodes the transform (steps, settings and, when fitted, the training
 *  schema and every fitted parameter) into a new buffer *bytes of *len
 *  bytes, which the caller releases with mlops_free(). The encoding is
 *  versioned and portable (little-endian, explicit sizes, doubles as
 *  IEEE-754 bit patterns, CRC-32 trailer) and specified in
 *  mlops_transform_save(3); equal transforms give equal bytes.
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL argument) or MLOPS_ENOMEM. */
MLOPS_API int mlops_transform_save(const mlops_transform *t, unsigned char **bytes, size_t *len);

/** Decodes `len` bytes written by mlops_transform_save() (borrowed; not
 *  needed afterwards) into a new transform in *out (free it with
 *  mlops_transform_free()). A loaded transform applies exactly as the saved
 *  one did. Everything is checked; damaged input never crashes.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument); MLOPS_EFORMAT (not a
 *  transform encoding); MLOPS_EVERSION (written by a newer format version,
 *  or holding a step kind this library does not know); MLOPS_ECORRUPT
 *  (truncated, checksum mismatch, impossible counts or values,
 *  inconsistent columns); MLOPS_ENOMEM. */
MLOPS_API int mlops_transform_load(mlops_transform **out, const void *bytes, size_t len);

/** Describes the transform as a JSON document for a model card: steps,
 *  their columns and settings, and when fitted the training columns, every
 *  fitted parameter and the output columns. *json is NUL-terminated UTF-8,
 *  released by the caller with mlops_free(). Numbers read back exactly; the
 *  layout is shown in mlops_transform_to_json(3).
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL argument) or MLOPS_ENOMEM. */
MLOPS_API int mlops_transform_to_json(const mlops_transform *t, char **json);

MLOPS_END_DECLS

#endif /* MLOPS_TRANSFORM_H */
