/* mlops_schema: the expected shape of a dataset - its columns with their
 * types, roles, allowed values and missing-value limits - inferred from data,
 * edited by string keys, saved and loaded as text, and checked against new
 * data (mlops_schema_check()), which lists every violation.
 *
 * A schema lists columns in order. Each column has:
 *   name                  non-empty UTF-8, unique within the schema
 *   type                  numeric or categorical
 *   role                  feature, target, group, weight, id, time, ignore
 *   required              a required column missing from the data is a
 *                         violation; an optional one may be absent
 *   min, max              numeric columns: allowed range, either bound optional
 *   categories            categorical columns: allowed categories, or none
 *                         (any category allowed)
 *   max_missing_fraction  0..1: largest allowed fraction of missing entries
 *   sensitive             personal data; later layers leave sensitive
 *                         columns out of features unless told otherwise
 * and the schema has one option:
 *   strict                when true, a dataset column the schema does not
 *                         list is a violation; default false
 *
 * The text form is JSON (see mlops_schema_to_json(3) for the layout); the
 * loader accepts it and the same structure written as YAML.
 *
 * Thread safety: a schema may be read (checked, written out) from several
 * threads at once; changes need the caller's lock. */
#ifndef MLOPS_SCHEMA_H
#define MLOPS_SCHEMA_H

#include <stddef.h>

#include "mlops/dataset.h"
#include "mlops/export.h"
#include "mlops/validation.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_schema mlops_schema;

/** Allowed categories are recorded by mlops_schema_infer() only for
 *  columns with at most this many distinct observed values. */
#define MLOPS_SCHEMA_DEFAULT_MAX_CATEGORIES 50

/* ---- Creating and releasing ------------------------------------------- */

/** Creates an empty schema (no columns, strict off) owned by the caller.
 *  Returns MLOPS_OK, MLOPS_EINVAL (`out` NULL) or MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_create(mlops_schema **out);

/** Releases a schema. Accepts NULL. Strings borrowed from it become
 *  invalid. */
MLOPS_API void mlops_schema_free(mlops_schema *s);

/** Infers a schema from dataset `d` (borrowed, unchanged): one column per
 *  dataset column, in order, with its name, type, role and sensitive flag;
 *  every column required; numeric columns get the observed minimum and
 *  maximum of their present values as the allowed range (no bounds when
 *  every entry is missing; an observed -inf or +inf leaves that side of
 *  the range open, as bounds are finite numbers); categorical columns get
 *  the categories that
 *  occur in the data as the allowed categories when there are at most
 *  MLOPS_SCHEMA_DEFAULT_MAX_CATEGORIES of them, and no constraint
 *  otherwise; max_missing_fraction is the observed fraction of missing
 *  entries (0 when none). The new schema is owned by the caller.
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL argument, a category that is not
 *  valid UTF-8) or MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_infer(mlops_schema **out, const mlops_dataset *d);

/** As mlops_schema_infer(), recording allowed categories only for columns
 *  with at most `max_categories` distinct observed values (0: never). */
MLOPS_API int mlops_schema_infer_ex(mlops_schema **out, const mlops_dataset *d,
                                    size_t max_categories);

/* ---- Columns ------------------------------------------------------------ */

/** Number of columns (0 for NULL). */
MLOPS_API size_t mlops_schema_column_count(const mlops_schema *s);

/** Name of column `i` (in schema order), borrowed from `s` and valid until
 *  the column is removed or `s` freed; NULL when out of range. */
MLOPS_API const char *mlops_schema_column_name(const mlops_schema *s, size_t i);

/** Finds a column by exact name and stores its position in `*i`. Returns
 *  MLOPS_OK, MLOPS_EINVAL (NULL argument) or MLOPS_ENOTFOUND (the message
 *  suggests the closest name). */
MLOPS_API int mlops_schema_column_index(const mlops_schema *s, const char *name, size_t *i);

/** Appends a column named `name` (non-empty UTF-8, not yet in the schema;
 *  copied) of type `type` (MLOPS_NUMERIC or MLOPS_CATEGORICAL) with
 *  permissive settings: role feature, required, not sensitive, no bounds, any
 *  category, max_missing_fraction 1. Returns MLOPS_OK, MLOPS_EINVAL (NULL,
 *  empty, invalid or duplicate name, unknown type) or MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_add_column(mlops_schema *s, const char *name, int type);

/** Removes the column named `name`; later columns move up one place.
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL argument) or MLOPS_ENOTFOUND. */
MLOPS_API int mlops_schema_remove_column(mlops_schema *s, const char *name);

/** Sets one setting of column `col` from its text form. Keys and values:
 *   type                  "numeric" or "categorical"; changing the type drops
 *                         the column's bounds and allowed categories
 *   role                  a role name as mlops_role_name() spells it
 *   required, sensitive   "true"/"false" (also "1"/"0", "yes"/"no")
 *   min, max              a decimal number, or "none" (or "") for no bound;
 *                         numeric columns only; min <= max must hold
 *   max_missing_fraction  a number in [0, 1]
 *   categories            categorical columns only: comma-separated allowed
 *                         categories, spaces around each trimmed, a backslash
 *                         escaping the next character ("a\,b" is the one
 *                         category "a,b"); "" removes the constraint. Use
 *                         mlops_schema_set_categories() for exact strings.
 *  All arguments are borrowed. On failure the column is unchanged.
 *  Returns MLOPS_OK; MLOPS_ENOTFOUND (no column `col`; the message suggests
 *  the nearest); MLOPS_EINVAL (NULL argument, unknown key - the message
 *  suggests the nearest valid key -, malformed or out-of-range value, key
 *  not applicable to the column's type, min above max, duplicate category);
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_set(mlops_schema *s, const char *col, const char *key,
                               const char *value);

/** Reads one setting of column `col` in the text form mlops_schema_set()
 *  accepts (numbers in their shortest exact form, "none" for an absent
 *  bound, categories escaped and comma-separated, "" when unconstrained),
 *  into a new string the caller frees with mlops_free(). Keys as for
 *  mlops_schema_set(); min and max of a categorical column read "none".
 *  Returns MLOPS_OK, MLOPS_ENOTFOUND (no such column), MLOPS_EINVAL (NULL
 *  argument, unknown key) or MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_get(const mlops_schema *s, const char *col, const char *key,
                               char **value);

/** Sets the allowed categories of categorical column `col` to the `n`
 *  strings `values[0..n)` (borrowed, copied; valid UTF-8, distinct; they may
 *  contain any character, commas included). `values` NULL with `n` 0
 *  removes the constraint (any category allowed); a non-NULL `values` with
 *  `n` 0 allows no category at all. Returns MLOPS_OK, MLOPS_ENOTFOUND (no
 *  such column), MLOPS_EINVAL (NULL `s` or `col`, `values` NULL with n > 0,
 *  numeric column, invalid UTF-8, duplicate value) or MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_set_categories(mlops_schema *s, const char *col,
                                          const char *const *values, size_t n);

/** Borrows the allowed categories of column `col`: stores the array and its
 *  length (valid until the column is changed or `s` freed). Returns 1 when
 *  the column has an allowed list (possibly empty), 0 when any category is
 *  allowed or the column is numeric (*values = NULL, *n = 0), or a negative
 *  code: MLOPS_EINVAL (NULL argument), MLOPS_ENOTFOUND (no such column). */
MLOPS_API int mlops_schema_categories(const mlops_schema *s, const char *col,
                                      const char *const **values, size_t *n);

/* ---- Schema options ------------------------------------------------------ */

/** Sets a schema-wide option from its text form. Keys: "strict" ("true" or
 *  "false"): report dataset columns the schema does not list. Returns
 *  MLOPS_OK or MLOPS_EINVAL (NULL argument, unknown key with the nearest
 *  valid one suggested, malformed value). */
MLOPS_API int mlops_schema_set_option(mlops_schema *s, const char *key, const char *value);

/** Reads a schema-wide option ("true"/"false" for strict) into a new string
 *  freed with mlops_free(). Returns MLOPS_OK, MLOPS_EINVAL (NULL argument,
 *  unknown key) or MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_get_option(const mlops_schema *s, const char *key, char **value);

/* ---- Text form ------------------------------------------------------------ */

/** Writes the schema as an indented JSON document into a new string (free
 *  it with mlops_free()):
 *    {"format": "libmlops-schema", "version": 1, "strict": false,
 *     "columns": [{"name": ..., "type": ..., "role": ..., "required": ...,
 *                  "sensitive": ..., "max_missing_fraction": ...,
 *                  "min": number|null, "max": number|null      (numeric)
 *                  "categories": [string, ...]|null            (categorical)
 *                 }, ...]}
 *  Numbers are written in the shortest form that reads back exactly, so
 *  saving and loading gives an identical schema. Returns MLOPS_OK,
 *  MLOPS_EINVAL (NULL argument) or MLOPS_ENOMEM; *json is untouched on
 *  failure. */
MLOPS_API int mlops_schema_to_json(const mlops_schema *s, char **json);

/** Writes mlops_schema_to_json()'s document to the file `path`, atomically:
 *  after a crash the file holds the old or the new schema, never a mixture.
 *  Returns MLOPS_OK, MLOPS_EINVAL (NULL argument), MLOPS_EIO (the file or its
 *  directory cannot be written) or MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_save(const mlops_schema *s, const char *path);

/** Parses a schema from `len` bytes of JSON or YAML text (borrowed; need not
 *  be NUL-terminated); `name` (may be NULL) labels the text in messages.
 *  Keys other than format, version, strict and columns at the top, and name,
 *  type, role, required, sensitive, min, max, max_missing_fraction and
 *  categories in a column, are errors; only name and type are required in a
 *  column, the others default as for mlops_schema_add_column().
 *  Returns MLOPS_OK with the new schema (owned by the caller) in *out, or:
 *  MLOPS_EFORMAT - not YAML/JSON, not a libmlops schema, an unknown or
 *  repeated key, a value of the wrong type or out of range, min above max,
 *  a duplicate column or category, bounds on a categorical column or
 *  categories on a numeric one; YAML anchors or aliases, nesting deeper
 *  than 32 levels or more than 16 directives (refused before parsing, so
 *  hostile text cannot cost quadratic time); the message names the text,
 *  the line and the key;
 *  MLOPS_EVERSION - the text was written by a newer format version;
 *  MLOPS_EINVAL - NULL `out`, or NULL `text` with len > 0;
 *  MLOPS_ENOMEM. *out is untouched on failure. */
MLOPS_API int mlops_schema_from_text(mlops_schema **out, const char *text, size_t len,
                                     const char *name);

/** Reads the schema file `path` (JSON or YAML, at most 64 MiB), as
 *  mlops_schema_from_text() with the path as name. Adds MLOPS_ENOTFOUND (no
 *  such file), MLOPS_EIO (unreadable, not a regular file) and MLOPS_ERANGE
 *  (larger than 64 MiB) to its codes. */
MLOPS_API int mlops_schema_load(mlops_schema **out, const char *path);

/* ---- Checking data --------------------------------------------------------- */

/** Checks dataset `d` against schema `s` (both borrowed, unchanged) and
 *  stores a new report listing every violation in *report (free it with
 *  mlops_validation_free()). Dataset columns are matched to schema columns
 *  by name. For each schema column: a required column absent from `d` is a
 *  missing column; a column of the other type is a wrong type (a column
 *  whose entries are all missing matches either type), and its values are
 *  then not compared; present numeric values below min or above max, and
 *  categorical values outside the allowed categories, are counted per row;
 *  a fraction of missing entries above max_missing_fraction is too many
 *  missing. With the strict option, each dataset column the schema does not
 *  list is an unexpected column.
 *  Returns MLOPS_OK when the check ran - whether or not it found violations
 *  (see mlops_validation_passed()) - or MLOPS_EINVAL (NULL argument) or
 *  MLOPS_ENOMEM, leaving *report untouched. */
MLOPS_API int mlops_schema_check(const mlops_schema *s, const mlops_dataset *d,
                                 mlops_validation **report);

MLOPS_END_DECLS

#endif /* MLOPS_SCHEMA_H */
