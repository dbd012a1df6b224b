/* mlops_dataset: an immutable, columnar table of numeric and categorical
 * columns, each with a name, a type and a role.
 *
 * Numeric columns hold doubles, NaN marking a missing entry (NaN is never a
 * value in its own right); categorical columns hold int32 codes into a
 * string dictionary (-1 = missing). Datasets are built from CSV files, from a
 * row-major double matrix or column by column, and never change their values
 * afterwards: selections and concatenations make new datasets. Only column
 * metadata (role, sensitive flag) may be changed, under the caller's lock. */
#ifndef MLOPS_DATASET_H
#define MLOPS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/export.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_dataset mlops_dataset;

/** Column types. */
typedef enum mlops_column_type {
    MLOPS_NUMERIC = 1,     /**< double values */
    MLOPS_CATEGORICAL = 2  /**< dictionary-coded strings */
} mlops_column_type;

/** Column roles: what a column is for in training and evaluation. */
typedef enum mlops_column_role {
    MLOPS_ROLE_FEATURE = 0, /**< model input (the default) */
    MLOPS_ROLE_TARGET = 1,  /**< what the model predicts */
    MLOPS_ROLE_GROUP = 2,   /**< protected attribute for fairness analysis */
    MLOPS_ROLE_WEIGHT = 3,  /**< sample weight */
    MLOPS_ROLE_ID = 4,      /**< row identifier, never a feature */
    MLOPS_ROLE_TIME = 5,    /**< timestamp or order key for time splits */
    MLOPS_ROLE_IGNORE = 6   /**< carried along, used by nothing */
} mlops_column_role;

/* ---- Building --------------------------------------------------------- */

/** Builds a dataset of `rows` x `cols` numeric columns from a row-major
 *  matrix; element (i, j) is values[i * row_stride + j]. `row_stride` (in
 *  elements) is usually `cols`; 0 means `cols`. NaN entries become missing.
 *  `names` may be NULL (columns are then named "x0", "x1", ...) or hold
 *  `cols` distinct, non-empty UTF-8 names. The values are copied once.
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL pointers, stride < cols, duplicate or
 *  empty names) or MLOPS_ENOMEM. */
MLOPS_API int mlops_dataset_from_matrix(mlops_dataset **out, const double *values, size_t rows,
                                        size_t cols, size_t row_stride,
                                        const char *const *names);

typedef struct mlops_dataset_builder mlops_dataset_builder;

/** Starts a column-by-column build of a dataset with `rows` rows. */
MLOPS_API int mlops_dataset_builder_create(mlops_dataset_builder **out, size_t rows);

/** Appends a numeric column: `values` holds `rows` doubles (copied); NaN is
 *  missing. `name` must be non-empty, valid UTF-8 and not used yet. */
MLOPS_API int mlops_dataset_builder_add_numeric(mlops_dataset_builder *b, const char *name,
                                                const double *values);

/** Appends a categorical column: `values` holds `rows` NUL-terminated UTF-8
 *  strings (copied); a NULL entry is missing. Categories are numbered in
 *  order of first appearance. */
MLOPS_API int mlops_dataset_builder_add_categorical(mlops_dataset_builder *b, const char *name,
                                                    const char *const *values);

/** Sets the role of the column named `name` added earlier. */
MLOPS_API int mlops_dataset_builder_set_role(mlops_dataset_builder *b, const char *name,
                                             int role);

/** Creates the dataset from the columns added so far. The builder stays
 *  valid (and unchanged) and must still be freed. */
MLOPS_API int mlops_dataset_builder_finish(mlops_dataset_builder *b, mlops_dataset **out);

/** Releases a builder. Accepts NULL. */
MLOPS_API void mlops_dataset_builder_free(mlops_dataset_builder *b);

/** Releases a dataset. Accepts NULL. Strings and pointers borrowed from it
 *  become invalid. */
MLOPS_API void mlops_dataset_free(mlops_dataset *d);

/* ---- Shape and column metadata ---------------------------------------- */

/** Number of rows (0 for NULL). */
MLOPS_API size_t mlops_dataset_rows(const mlops_dataset *d);
/** Number of columns (0 for NULL). */
MLOPS_API size_t mlops_dataset_cols(const mlops_dataset *d);

/** Name of column `col`, borrowed from `d`; NULL when out of range. */
MLOPS_API const char *mlops_dataset_column_name(const mlops_dataset *d, size_t col);

/** Finds a column by exact name. Returns MLOPS_OK and stores its index, or
 *  MLOPS_ENOTFOUND with a message suggesting the closest existing name. */
MLOPS_API int mlops_dataset_column_index(const mlops_dataset *d, const char *name, size_t *col);

/** Type (MLOPS_NUMERIC or MLOPS_CATEGORICAL) of column `col`, or
 *  MLOPS_EINVAL when `col` is out of range. */
MLOPS_API int mlops_dataset_column_type(const mlops_dataset *d, size_t col);

/** Role (an mlops_column_role) of column `col`, or MLOPS_EINVAL. */
MLOPS_API int mlops_dataset_column_role(const mlops_dataset *d, size_t col);

/** Changes the role of column `col`. Metadata only; not thread-safe with
 *  concurrent readers of the same dataset. */
MLOPS_API int mlops_dataset_set_role(mlops_dataset *d, size_t col, int role);

/** 1 when column `col` is marked sensitive (personal data), 0 when not,
 *  MLOPS_EINVAL when out of range. Sensitive columns are left out of
 *  mlops_dataset_feature_columns() and of models unless a caller names them. */
MLOPS_API int mlops_dataset_column_sensitive(const mlops_dataset *d, size_t col);

/** Marks column `col` sensitive (nonzero) or not (0). */
MLOPS_API int mlops_dataset_set_sensitive(mlops_dataset *d, size_t col, int sensitive);

/** Number of missing entries in column `col` (0 when out of range). */
MLOPS_API size_t mlops_dataset_missing_count(const mlops_dataset *d, size_t col);

/** Name of a role ("feature", "target", ...) or of a type ("numeric",
 *  "categorical"); static strings, "unknown" for other values. */
MLOPS_API const char *mlops_role_name(int role);
MLOPS_API const char *mlops_type_name(int type);

/** Parses a role name as mlops_role_name() spells it; MLOPS_EINVAL with the
 *  list of valid names otherwise. */
MLOPS_API int mlops_role_from_name(const char *name, int *role);

/* ---- Values ------------------------------------------------------------ */

/** Copies `n` values of numeric column `col`, from row `first`, into `out`;
 *  missing values are NaN. MLOPS_EINVAL when the column is not numeric or the
 *  range does not fit. */
MLOPS_API int mlops_dataset_get_numeric(const mlops_dataset *d, size_t col, size_t first,
                                        size_t n, double *out);

/** Borrows the values of numeric column `col` (rows entries, missing = NaN)
 *  without copying; valid until `d` is freed. */
MLOPS_API int mlops_dataset_numeric_data(const mlops_dataset *d, size_t col,
                                         const double **values);

/** 1 when the entry is missing, 0 when present, MLOPS_EINVAL out of range. */
MLOPS_API int mlops_dataset_is_missing(const mlops_dataset *d, size_t col, size_t row);

/** Copies `n` category codes of categorical column `col` from row `first`;
 *  -1 marks missing. */
MLOPS_API int mlops_dataset_get_codes(const mlops_dataset *d, size_t col, size_t first,
                                      size_t n, int32_t *out);

/** Number of distinct categories of column `col` (0 when not categorical). */
MLOPS_API size_t mlops_dataset_category_count(const mlops_dataset *d, size_t col);

/** Category string for `code` in column `col`, borrowed from `d`; NULL when
 *  out of range. */
MLOPS_API const char *mlops_dataset_category(const mlops_dataset *d, size_t col, int32_t code);

/** Indices of the columns a model uses as features: role feature, not
 *  sensitive, in column order. Writes at most `cap` indices to `cols` (which
 *  may be NULL when cap is 0) and the total count to `count`. */
MLOPS_API int mlops_dataset_feature_columns(const mlops_dataset *d, size_t *cols, size_t cap,
                                            size_t *count);

/** Writes the numeric columns `cols[0..ncols)` as a dense row-major matrix
 *  of rows x ncols doubles into `out` (capacity `out_len` elements); missing
 *  values are NaN. MLOPS_EINVAL when a column is categorical (encode it with
 *  a transform first) or `out_len` is too small. */
MLOPS_API int mlops_dataset_to_matrix(const mlops_dataset *d, const size_t *cols, size_t ncols,
                                      double *out, size_t out_len);

/* ---- Selections -------------------------------------------------------- */

/** New dataset of rows `rows[0..n)` of `d` (indices may repeat, in any
 *  order), same columns and metadata. */
MLOPS_API int mlops_dataset_take_rows(mlops_dataset **out, const mlops_dataset *d,
                                      const size_t *rows, size_t n);

/** New dataset of the rows whose `mask` entry (one per row) is nonzero. */
MLOPS_API int mlops_dataset_filter_rows(mlops_dataset **out, const mlops_dataset *d,
                                        const uint8_t *mask);

/** New dataset of columns `cols[0..n)` of `d`, in that order (no repeats). */
MLOPS_API int mlops_dataset_select_columns(mlops_dataset **out, const mlops_dataset *d,
                                           const size_t *cols, size_t n);

/** New dataset of the rows of `parts[0..n)` one after another. All parts must
 *  have the same column names, types and order. Categorical dictionaries are
 *  merged: the first part's dictionary is kept as it is (its codes do not
 *  change) and strings new in later parts are appended. The skipped-row
 *  counts of the parts are added up. */
MLOPS_API int mlops_dataset_concat_rows(mlops_dataset **out, const mlops_dataset *const *parts,
                                        size_t n);

/* ---- Provenance -------------------------------------------------------- */

/** Where the data came from: the file path, or "matrix"/"builder"/...;
 *  borrowed from `d`. */
MLOPS_API const char *mlops_dataset_source(const mlops_dataset *d);

/** Rows the CSV reader skipped under bad_rows=skip (0 otherwise). */
MLOPS_API uint64_t mlops_dataset_skipped_rows(const mlops_dataset *d);

/** SHA-256 fingerprint of the dataset's schema and values as 64 lowercase hex
 *  digits plus NUL, written to `hex` (at least 65 bytes). It depends only on
 *  the column names, types, roles and values (never on the CSV's quoting,
 *  number spelling or row batching), so equal data gives equal fingerprints
 *  and any changed value, name, type, role or order gives a different one.
 *  The canonical encoding is specified in mlops_dataset_fingerprint(3). */
MLOPS_API int mlops_dataset_fingerprint(const mlops_dataset *d, char *hex, size_t hex_size);

MLOPS_END_DECLS

#endif /* MLOPS_DATASET_H */
