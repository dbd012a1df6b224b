/* Private: the layout of mlops_transform, shared by its modules (settings,
 * fitting, applying, the byte encoding and the JSON description).
 *
 * A transform is a list of configured steps plus, once fitted, one
 * mlops__tf_fit holding the training schema and every fitted parameter.
 * Fitting builds a fresh mlops__tf_fit and swaps it in only on success, so
 * a failed fit (or load) never leaves a half-fitted object behind. */
#ifndef MLOPS_DATA_TRANSFORM_IMPL_H
#define MLOPS_DATA_TRANSFORM_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/dataset_impl.h"
#include "data/dict.h"
#include "mlops/transform.h"

enum {
    MLOPS__TF_IMPUTE = 1,
    MLOPS__TF_STANDARDIZE = 2,
    MLOPS__TF_MINMAX = 3,
    MLOPS__TF_ONEHOT = 4,
    MLOPS__TF_DROP = 5,
    MLOPS__TF_KIND_MAX = 5
};

enum { MLOPS__IMPUTE_MEAN, MLOPS__IMPUTE_MEDIAN, MLOPS__IMPUTE_MOST_FREQUENT,
       MLOPS__IMPUTE_CONSTANT };
enum { MLOPS__UNSEEN_ERROR, MLOPS__UNSEEN_ZEROS, MLOPS__UNSEEN_INFREQUENT };
enum { MLOPS__MINFREQ_NONE, MLOPS__MINFREQ_COUNT, MLOPS__MINFREQ_FRACTION };

/* Setting keys, one table for all kinds so a key given to the wrong kind
 * can be named as such. */
enum {
    MLOPS__KEY_STRATEGY,
    MLOPS__KEY_FILL_VALUE,
    MLOPS__KEY_WITH_MEAN,
    MLOPS__KEY_WITH_STD,
    MLOPS__KEY_UNSEEN,
    MLOPS__KEY_MIN_FREQUENCY,
    MLOPS__KEY_COUNT
};

typedef struct mlops__tf_step {
    int kind;
    char *spec;           /* the column list as given */
    bool all;             /* spec is "*" */
    char **names;         /* parsed spec when !all */
    size_t nnames;
    char *values[MLOPS__KEY_COUNT]; /* text of each explicitly set key */
    /* typed settings (defaults when not set) */
    int strategy;
    bool with_mean, with_std;
    int unseen;
    int minfreq_mode;
    double minfreq;
} mlops__tf_step;

/* One fitted column of one step. */
typedef struct mlops__tf_col {
    char *name;
    int type;
    /* impute numeric: p[0] = fill; standardize: p[0] = mean, p[1] = scale;
     * minmax: p[0] = data min, p[1] = data max, p[2] = scale, p[3] = offset */
    double p[4];
    char *fill;           /* impute categorical: the fill string */
    /* onehot: output k < nfreq is category cats[k] (NULL = missing); the
     * categories infreq[] share output nfreq (present when ninfreq > 0). */
    char **cats;
    size_t nfreq;
    char **infreq;
    size_t ninfreq;
    /* onehot lookup built from cats/infreq: category string -> dict code ->
     * output index; missing_slot is the output of a missing value, -1 when
     * fit saw none. */
    mlops__dict *lookup;
    int32_t *slot;
    int32_t missing_slot;
} mlops__tf_col;

typedef struct mlops__tf_stepfit {
    mlops__tf_col *cols;
    size_t ncols;
} mlops__tf_stepfit;

typedef struct mlops__tf_schema_col {
    char *name;
    int type;
    int role;
    bool sensitive;
} mlops__tf_schema_col;

typedef struct mlops__tf_fit {
    uint64_t rows;        /* training rows */
    mlops__tf_schema_col *in, *out;
    size_t nin, nout;
    mlops__tf_stepfit *steps; /* one per step */
    size_t nsteps;
} mlops__tf_fit;

struct mlops_transform {
    mlops__tf_step *steps;
    size_t nsteps, cap;
    mlops__tf_fit *fit;   /* NULL when not fitted */
};

/* Kind and key names. */
const char *mlops__tf_kind_name(int kind);
const char *mlops__tf_key_name(int key);
/* The key's effective value as text (the set value or the default) for
 * the JSON description; NULL when the key does not belong to the kind. */
const char *mlops__tf_key_text(const mlops__tf_step *s, int key);
bool mlops__tf_key_applies(int kind, int key);

/* Appends a step from already validated parts (used by add and load). */
int mlops__tf_add_step(mlops_transform *t, int kind, const char *columns, const char *func);

void mlops__tf_fit_free(mlops__tf_fit *f);
void mlops__tf_col_clear(mlops__tf_col *c);
/* Builds the onehot lookup (dict + slots) from cats/infreq; MLOPS_ECORRUPT
 * (naming `where`) when a category repeats or missing appears twice. */
int mlops__tf_onehot_index(mlops__tf_col *c, const char *where);
/* The name of onehot output `k` of column `c` (new string). */
char *mlops__tf_onehot_name(const mlops__tf_col *c, size_t k);
size_t mlops__tf_onehot_outputs(const mlops__tf_col *c);

/* Derives f->out from f->in and the fitted steps, checking that every
 * fitted column exists with its type and that output names stay unique.
 * `code` is the status for an inconsistency (MLOPS_ECORRUPT when loading). */
int mlops__tf_derive_output(const mlops_transform *t, mlops__tf_fit *f, int code);

/* Sorts n doubles (no NaN) ascending; selects the k-th smallest (k < n),
 * leaving smaller-or-equal values before position k. */

/* A working table: the columns between steps, either borrowed from the
 * input dataset or owned (made by a step). */
typedef struct mlops__tf_wcol {
    mlops__column c;
    bool owned;
} mlops__tf_wcol;

typedef struct mlops__tf_work {
    size_t rows;
    mlops__tf_wcol *cols;
    size_t n, cap;
} mlops__tf_work;

int mlops__tf_work_init(mlops__tf_work *w, const mlops_dataset *d);
void mlops__tf_work_clear(mlops__tf_work *w);
/* A hash of the column names, with (*pos_of)[code] the position of the
 * first column of each name; the caller frees both. */
int mlops__tf_work_index(const mlops__tf_work *w, mlops__dict **names, size_t **pos_of);
/* Moves the working columns into a new dataset (copying borrowed ones). */
int mlops__tf_work_finish(mlops__tf_work *w, const char *source, mlops_dataset **out);
/* Runs fitted step `s` (index `si`) on the working table. */
int mlops__tf_run_step(const mlops__tf_step *s, size_t si, const mlops__tf_stepfit *sf,
                       mlops__tf_work *w, bool fitting);

#endif
