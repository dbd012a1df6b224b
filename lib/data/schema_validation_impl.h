/* Private: the layout of mlops_validation, filled by the schema check
 * (schema_check.c) and read through validation.h. */
#ifndef MLOPS_DATA_SCHEMA_VALIDATION_IMPL_H
#define MLOPS_DATA_SCHEMA_VALIDATION_IMPL_H

#include <stddef.h>

#include "mlops/validation.h"

typedef struct mlops__violation {
    int kind;
    char *column;
    size_t count;
    size_t samples[MLOPS_VALIDATION_MAX_SAMPLES];
    size_t nsamples;
    char *message;
} mlops__violation;

struct mlops_validation {
    mlops__violation *items;
    size_t n, cap;
    size_t rows;
};

int mlops__validation_new(mlops_validation **out, size_t rows);
/* Appends a violation; copies `column` and `message`, takes the first
 * min(nsamples, MLOPS_VALIDATION_MAX_SAMPLES) entries of `samples`. */
int mlops__validation_add(mlops_validation *v, int kind, const char *column, size_t count,
                          const size_t *samples, size_t nsamples, const char *message);

#endif
