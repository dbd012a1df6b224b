/* Private: what the validator's files share (pipeline_validate.c,
 * validate_keys.c, validate_values.c, validate_columns.c): recording a
 * problem at a node, turning a library refusal into a problem, and the
 * three passes. Every function returns MLOPS_OK or MLOPS_ENOMEM: a problem
 * found is not a failure of the check itself. */
#ifndef MLOPS_PIPELINE_CHECK_H
#define MLOPS_PIPELINE_CHECK_H

#include <stddef.h>

#include "mlops/errors.h"
#include "mlops/export.h"
#include "pipeline/pipeline_impl.h"

/* Key paths and quoted values in messages are cut to fit these. */
enum { MLOPS_PIPELINE_KEY_MAX = 512, MLOPS_PIPELINE_QUOTE_MAX = 64 };

/* Records a problem at node `at` (NULL: the start of the pipeline file)
 * for key path `key`, with an optional suggestion (copied). */
int mlops__pipeline_add_problem(mlops_pipeline *p, const mlops__ynode *at, const char *key,
                                const char *suggestion, const char *fmt, ...)
    MLOPS_PRINTF_LIKE(5, 6);

/* After a library call on a scratch object returned `rc`: MLOPS_OK passes,
 * MLOPS_ENOMEM is returned, anything else becomes a problem whose message
 * is mlops_last_error() without the function-name prefix, and whose
 * suggestion is the library's "did you mean". */
int mlops__pipeline_refused(mlops_pipeline *p, const mlops__ynode *at, const char *key, int rc);

/* Empties the problem list (each validation starts afresh). */
void mlops__pipeline_clear_problems(mlops_pipeline *p);

/* Formats a key path into `out` (MLOPS_PIPELINE_KEY_MAX bytes), cut when longer. */
void mlops__pipeline_keyf(char *out, const char *fmt, ...) MLOPS_PRINTF_LIKE(2, 3);

/* The length of `s` cut to at most `max` bytes, never inside a UTF-8 character. */
size_t mlops__pipeline_cut(const char *s, size_t max);

/* "the string 'abc'", "the number 2.5", "a mapping", ... for messages. */
const char *mlops__pipeline_got(const mlops__ynode *n, char *buf, size_t size);

/* The passes: keys and types against the schema table (validate_keys.c);
 * values tried on scratch library objects (validate_values.c for data,
 * preprocess, monitor and registry; validate_model.c for model and
 * evaluate); column names against the data file's header
 * (validate_columns.c). The value passes look only at values of the type
 * the table wants, so a wrong type is reported once, by the first pass. */
int mlops__pipeline_check_keys(mlops_pipeline *p);
int mlops__pipeline_check_values(mlops_pipeline *p);
int mlops__pipeline_check_model(mlops_pipeline *p);
int mlops__pipeline_check_columns(mlops_pipeline *p);

/* The value of `key` in mapping `map` when it is a non-null scalar, else NULL. */
const mlops__ynode *mlops__pipeline_scalar(const mlops__ynode *map, const char *key);
/* The mapping at `key` of `map`, or NULL. */
const mlops__ynode *mlops__pipeline_map(const mlops__ynode *map, const char *key);
/* A scalar's text for a library setting: booleans as "true"/"false". */
const char *mlops__pipeline_setting_text(const mlops__ynode *n);
/* A list of column names (or a single one, or "*") as the transform's
 * comma-separated list, with ',', '\\' and outer spaces escaped, in a new
 * string (mlops__free). An absent list gives "*". */
int mlops__pipeline_join_columns(const mlops__ynode *cols, char **out);
/* The items of a STRINGS value (a single scalar is a list of one): their
 * count, and item i when it is a non-null scalar (else NULL). */
size_t mlops__pipeline_count(const mlops__ynode *n);
const mlops__ynode *mlops__pipeline_item(const mlops__ynode *n, size_t i);

#endif
