/* Private: the layout of mlops_dataset, shared by the data layer's modules
 * (building, selecting, reading CSV, profiling, fingerprinting).
 *
 * Numeric columns store NaN for missing entries: NaN is never a value in its
 * own right (pandas makes the same choice), so no separate bitmap is needed
 * and a zero-copy view of the column already shows missing as NaN.
 * Categorical columns store int32 codes into a dictionary, -1 = missing. */
#ifndef MLOPS_DATA_DATASET_IMPL_H
#define MLOPS_DATA_DATASET_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/dict.h"
#include "mlops/dataset.h"

typedef struct mlops__column {
    char *name;
    int type;
    int role;
    bool sensitive;
    size_t missing;
    double *values;   /* MLOPS_NUMERIC: rows entries */
    int32_t *codes;   /* MLOPS_CATEGORICAL: rows entries */
    mlops__dict *dict;
} mlops__column;

struct mlops_dataset {
    size_t rows;
    size_t ncols;
    mlops__column *cols;
    char *source;
    uint64_t skipped_rows;
};

/* A dataset with `ncols` zeroed columns and no storage yet. */
int mlops__dataset_new(mlops_dataset **out, size_t rows, size_t ncols, const char *source);
/* Gives column `c` a name, a type and storage for `rows` entries. */
int mlops__column_init(mlops__column *c, const char *name, int type, size_t rows);
/* Copies type, role, sensitivity, name and (for categorical) dictionary from
 * `src`, with storage for `rows` entries. */
int mlops__column_init_like(mlops__column *c, const mlops__column *src, size_t rows);
void mlops__column_clear(mlops__column *c);
/* Recounts `missing` from the stored values. */
void mlops__column_count_missing(mlops__column *c, size_t rows);
/* MLOPS_EINVAL naming `func` when `col` is out of range (or d is NULL). */
int mlops__dataset_check_col(const mlops_dataset *d, size_t col, const char *func);
/* Checks that a column name is non-empty, valid UTF-8 and not among the
 * first `n` columns; `where` prefixes the message. */
int mlops__check_new_name(const mlops__column *cols, size_t n, const char *name,
                          const char *where);

#endif
