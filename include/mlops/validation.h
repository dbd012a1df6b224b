/* mlops_validation: the result of checking a dataset against a schema
 * (mlops_schema_check()): every violation found, not just the first, each
 * with its kind, the column, how many rows it affects and a few sample rows,
 * so a data-quality gate can say exactly what is wrong and where.
 *
 * A report is immutable once made; it may be read from several threads at
 * once. */
#ifndef MLOPS_VALIDATION_H
#define MLOPS_VALIDATION_H

#include <stddef.h>

#include "mlops/export.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_validation mlops_validation;

/** What a violation is about. New kinds are only appended. */
typedef enum mlops_violation_kind {
    /** A column the schema marks required is not in the dataset. */
    MLOPS_VIOLATION_MISSING_COLUMN = 1,
    /** The dataset has a column the schema does not list (reported only
     *  when the schema's "strict" option is set). */
    MLOPS_VIOLATION_UNEXPECTED_COLUMN = 2,
    /** The column is numeric where the schema expects categorical, or the
     *  other way round. */
    MLOPS_VIOLATION_WRONG_TYPE = 3,
    /** Present numeric values below the schema's min. */
    MLOPS_VIOLATION_BELOW_MIN = 4,
    /** Present numeric values above the schema's max. */
    MLOPS_VIOLATION_ABOVE_MAX = 5,
    /** Categorical values outside the schema's allowed categories. */
    MLOPS_VIOLATION_CATEGORY_NOT_ALLOWED = 6,
    /** The fraction of missing entries exceeds max_missing_fraction. */
    MLOPS_VIOLATION_TOO_MANY_MISSING = 7
} mlops_violation_kind;

/** At most this many sample rows are kept per violation. */
#define MLOPS_VALIDATION_MAX_SAMPLES 5

/** Releases a report. Accepts NULL. Strings and arrays borrowed from it
 *  become invalid. */
MLOPS_API void mlops_validation_free(mlops_validation *v);

/** 1 when the report holds no violation, 0 when it holds at least one or
 *  `v` is NULL. */
MLOPS_API int mlops_validation_passed(const mlops_validation *v);

/** Number of violations (0 for NULL). Violations are ordered by the schema's
 *  column order (for each column: wrong type, below min, above max, category
 *  not allowed, too many missing; a missing column first), then unexpected
 *  columns in dataset order. */
MLOPS_API size_t mlops_validation_count(const mlops_validation *v);

/** Number of data rows the checked dataset had (0 for NULL). */
MLOPS_API size_t mlops_validation_rows(const mlops_validation *v);

/** Kind (an mlops_violation_kind) of violation `i` (0 <= i < count), or
 *  MLOPS_EINVAL when `v` is NULL or `i` is out of range. */
MLOPS_API int mlops_validation_kind(const mlops_validation *v, size_t i);

/** Static name of a violation kind: "missing_column", "unexpected_column",
 *  "wrong_type", "below_min", "above_max", "category_not_allowed",
 *  "too_many_missing"; "unknown" for other values. Never NULL. */
MLOPS_API const char *mlops_violation_kind_name(int kind);

/** Column named by violation `i`, borrowed from `v` (valid until `v` is
 *  freed); NULL when out of range. */
MLOPS_API const char *mlops_validation_column(const mlops_validation *v, size_t i);

/** Number of rows that violation `i` affects (0 when out of range). For the
 *  value checks (below min, above max, category not allowed) it is the
 *  number of offending rows; for too many missing, the number of missing
 *  entries; a missing, unexpected or wrongly typed column affects every row,
 *  so its count is the dataset's row count. */
MLOPS_API size_t mlops_validation_row_count(const mlops_validation *v, size_t i);

/** Borrows the sample rows of violation `i`: the 0-based data-row indices
 *  of its first (lowest) offending rows, at most MLOPS_VALIDATION_MAX_SAMPLES,
 *  ascending. Column-level violations (missing, unexpected, wrong type) have
 *  none (*n = 0). The array stays valid until `v` is freed; *rows may be
 *  NULL when *n is 0. Returns MLOPS_OK, or MLOPS_EINVAL for NULL arguments or
 *  `i` out of range. */
MLOPS_API int mlops_validation_samples(const mlops_validation *v, size_t i, const size_t **rows,
                                       size_t *n);

/** Human-readable description of violation `i`, naming the column, the
 *  limit and what was found, such as "column 'age': 3 values above max 120
 *  (largest 430)"; borrowed from `v`; NULL when out of range. */
MLOPS_API const char *mlops_validation_message(const mlops_validation *v, size_t i);

/** Writes the report as a JSON document into a new string (free it with
 *  mlops_free()):
 *  {"passed": bool, "rows": N, "violations": [{"kind": "...", "column":
 *  "...", "count": N, "samples": [row, ...], "message": "..."}, ...]}.
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL argument) or MLOPS_ENOMEM; *json is
 *  untouched on failure. */
MLOPS_API int mlops_validation_to_json(const mlops_validation *v, char **json);

MLOPS_END_DECLS

#endif /* MLOPS_VALIDATION_H */
