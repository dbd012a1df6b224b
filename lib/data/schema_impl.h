/* Private: the layout of mlops_schema, shared by its modules (editing,
 * inference, text form, loading, checking).
 *
 * Absent bounds are stored as -inf/+inf so the check is one comparison per
 * value with no flags; the text form writes them as null. */
#ifndef MLOPS_DATA_SCHEMA_IMPL_H
#define MLOPS_DATA_SCHEMA_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "mlops/schema.h"

typedef struct mlops__schema_column {
    char *name;
    int type;
    int role;
    bool required;
    bool sensitive;
    double min;           /* -INFINITY: no lower bound */
    double max;           /* +INFINITY: no upper bound */
    double max_missing;   /* in [0, 1] */
    bool has_categories;  /* false: any category allowed */
    char **categories;    /* ncategories distinct strings */
    size_t ncategories;
} mlops__schema_column;

struct mlops_schema {
    mlops__schema_column *cols;
    size_t ncols, cap;
    bool strict;
};

/* A column with the permissive defaults of mlops_schema_add_column(); the
 * name is copied. `name` must already be validated. */
int mlops__schema_column_init(mlops__schema_column *c, const char *name, int type);
void mlops__schema_column_clear(mlops__schema_column *c);
/* Appends an initialised column (ownership moves into the schema). */
int mlops__schema_append(mlops_schema *s, mlops__schema_column *c);
/* Index of column `name`, or -1. */
long mlops__schema_find(const mlops_schema *s, const char *name);
/* Replaces the allowed categories with copies of values[0..n) (or removes
 * the constraint when `values` is NULL). Refuses duplicates and invalid
 * UTF-8 with MLOPS_EINVAL prefixed by `where`; `c` is unchanged on failure. */
int mlops__schema_set_categories(mlops__schema_column *c, const char *const *values, size_t n,
                                 const char *where);
/* Name of the first duplicate among values[0..n), or NULL. Allocates a
 * sorted index; MLOPS_ENOMEM is reported through *rc. */
const char *mlops__schema_first_duplicate(const char *const *values, size_t n, int *rc);

/* Text forms shared by the setters and the loader. A number is a finite
 * decimal ([+-]digits[.digits][e[+-]digits]; no hex, inf or nan). */
bool mlops__schema_parse_number(const char *text, double *out);
/* "true"/"false", "1"/"0", "yes"/"no"; false when none of them. */
bool mlops__schema_parse_bool(const char *text, bool *out);
/* Type name ("numeric", "categorical") to MLOPS_NUMERIC/MLOPS_CATEGORICAL,
 * or 0. */
int mlops__schema_type_from_name(const char *text);

#endif
