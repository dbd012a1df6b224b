/* Private: every key of pipeline schema version 1, in one table.
 *
 * The table is the single statement of the schema: the validator walks it
 * (unknown keys, types, required keys, allowed values, suggestions), the
 * runner reads its defaults, and mlops-pipeline(5) documents the same
 * entries. A path is dotted mapping keys; "*" stands for any key (a column
 * name, a setting name) and "[]" for the items of a list. */
#ifndef MLOPS_PIPELINE_SCHEMA_H
#define MLOPS_PIPELINE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

typedef enum mlops__ykey_type {
    MLOPS_YKEY_MAP,       /* a mapping whose keys are listed in the table */
    MLOPS_YKEY_STRING,    /* a scalar, taken as text (plain numbers allowed) */
    MLOPS_YKEY_INT,       /* a plain integer */
    MLOPS_YKEY_NUMBER,    /* a plain number */
    MLOPS_YKEY_BOOL,      /* true or false */
    MLOPS_YKEY_SCALAR,    /* any scalar: string, number or boolean */
    MLOPS_YKEY_STRINGS,   /* a list of scalars taken as text (a single scalar is a list of one) */
    MLOPS_YKEY_SCALARS,   /* a non-empty list of scalars (grid values) */
    MLOPS_YKEY_LIST       /* a list of mappings whose keys are PATH.[].KEY */
} mlops__ykey_type;

typedef struct mlops__ykey {
    const char *path;     /* "data.split.test_size", "model.settings.*" */
    mlops__ykey_type type;
    bool required;        /* within its parent, when the parent is present */
    const char *allowed;  /* "|"-separated values for an enumeration, or NULL */
    const char *fallback; /* the default, as text, or NULL (none / computed) */
    const char *doc;      /* one line for mlops-pipeline(5) */
} mlops__ykey;

/* The table, in document order, and its length. */
extern const mlops__ykey mlops__pipeline_keys[];
extern const size_t mlops__pipeline_key_count;

/* The preprocessing chain of a pipeline without a preprocess section: each
 * step on every applicable column ("*") with one setting. The runner builds
 * it and the resolved configuration spells it out, from this one table. */
typedef struct mlops__default_step {
    const char *step, *key, *value;
} mlops__default_step;
enum { MLOPS_DEFAULT_STEPS = 3 };
extern const mlops__default_step mlops__default_chain[MLOPS_DEFAULT_STEPS];

/* The entry for a concrete path (with column and setting names in place of
 * "*", and "[]" for list items), or NULL when the schema has no such key. */
const mlops__ykey *mlops__pipeline_key(const char *path);

#endif
