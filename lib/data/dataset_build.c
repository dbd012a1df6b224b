/* Building datasets from memory: a row-major matrix (the numpy fast path)
 * or column by column through a builder. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"
#include "data/dataset_impl.h"

MLOPS_API int mlops_dataset_from_matrix(mlops_dataset **out, const double *values, size_t rows,
                                        size_t cols, size_t row_stride,
                                        const char *const *names)
{
    static const char func[] = "mlops_dataset_from_matrix";
    if (out == NULL || (values == NULL && rows > 0 && cols > 0))
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (row_stride == 0) row_stride = cols;
    if (row_stride < cols)
        return mlops__fail(MLOPS_EINVAL, "%s: row_stride %zu is less than cols %zu", func,
                           row_stride, cols);
    size_t span;
    if (rows > 0 && !mlops__mul_size(rows - 1, row_stride, &span))
        return mlops__fail(MLOPS_EINVAL, "%s: %zu rows of stride %zu overflow", func, rows,
                           row_stride);
    mlops_dataset *d;
    int rc = mlops__dataset_new(&d, rows, cols, "matrix");
    if (rc) return rc;
    for (size_t j = 0; rc == MLOPS_OK && j < cols; j++) {
        char generated[32];
        const char *name = names ? names[j] : generated;
        if (!names) snprintf(generated, sizeof generated, "x%zu", j);
        rc = mlops__check_new_name(d->cols, j, name, func);
        if (rc == MLOPS_OK) rc = mlops__column_init(&d->cols[j], name, MLOPS_NUMERIC, rows);
    }
    if (rc != MLOPS_OK) {
        mlops_dataset_free(d);
        return rc;
    }
    /* Row-major to column-major, in row blocks for cache locality. */
    enum { BLOCK = 256 };
    for (size_t r0 = 0; r0 < rows; r0 += BLOCK) {
        size_t r1 = r0 + BLOCK < rows ? r0 + BLOCK : rows;
        for (size_t j = 0; j < cols; j++) {
            double *dst = d->cols[j].values;
            for (size_t r = r0; r < r1; r++) dst[r] = values[r * row_stride + j];
        }
    }
    for (size_t j = 0; j < cols; j++) mlops__column_count_missing(&d->cols[j], rows);
    *out = d;
    return MLOPS_OK;
}

struct mlops_dataset_builder {
    size_t rows;
    size_t ncols, cap;
    mlops__column *cols;
};

MLOPS_API int mlops_dataset_builder_create(mlops_dataset_builder **out, size_t rows)
{
    if (out == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_dataset_builder_create: NULL out");
    mlops_dataset_builder *b = mlops__calloc(1, sizeof *b, "dataset builder");
    if (b == NULL) return MLOPS_ENOMEM;
    b->rows = rows;
    *out = b;
    return MLOPS_OK;
}

MLOPS_API void mlops_dataset_builder_free(mlops_dataset_builder *b)
{
    if (b == NULL) return;
    for (size_t j = 0; j < b->ncols; j++) mlops__column_clear(&b->cols[j]);
    mlops__free(b->cols);
    mlops__free(b);
}

/* Reserves the next column slot and initialises it; on failure the slot is
 * cleared and not counted. */
static int add_column(mlops_dataset_builder *b, const char *name, int type, const void *values,
                      const char *func, mlops__column **col)
{
    if (b == NULL || (values == NULL && b->rows > 0))
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    int rc = mlops__check_new_name(b->cols, b->ncols, name, func);
    if (rc) return rc;
    if (b->ncols == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        mlops__column *grown = mlops__realloc_array(b->cols, cap, sizeof *grown, "builder columns");
        if (grown == NULL) return MLOPS_ENOMEM;
        b->cols = grown;
        b->cap = cap;
    }
    mlops__column *c = &b->cols[b->ncols];
    rc = mlops__column_init(c, name, type, b->rows);
    if (rc != MLOPS_OK) {
        mlops__column_clear(c);
        return rc;
    }
    *col = c;
    return MLOPS_OK;
}

MLOPS_API int mlops_dataset_builder_add_numeric(mlops_dataset_builder *b, const char *name,
                                                const double *values)
{
    mlops__column *c = NULL;
    int rc = add_column(b, name, MLOPS_NUMERIC, values, "mlops_dataset_builder_add_numeric", &c);
    if (rc) return rc;
    if (b->rows) memcpy(c->values, values, b->rows * sizeof *values);
    mlops__column_count_missing(c, b->rows);
    b->ncols++;
    return MLOPS_OK;
}

MLOPS_API int mlops_dataset_builder_add_categorical(mlops_dataset_builder *b, const char *name,
                                                    const char *const *values)
{
    static const char func[] = "mlops_dataset_builder_add_categorical";
    mlops__column *c = NULL;
    int rc = add_column(b, name, MLOPS_CATEGORICAL, values, func, &c);
    if (rc) return rc;
    for (size_t i = 0; rc == MLOPS_OK && i < b->rows; i++) {
        if (values[i] == NULL) {
            c->codes[i] = -1;
            continue;
        }
        size_t len = strlen(values[i]);
        if (mlops__utf8_valid_prefix(values[i], len) != len)
            rc = mlops__fail(MLOPS_EINVAL, "%s: column '%s' row %zu has invalid UTF-8", func,
                             name, i);
        else
            rc = mlops__dict_intern(c->dict, values[i], len, &c->codes[i]);
    }
    if (rc != MLOPS_OK) {
        mlops__column_clear(c);
        return rc;
    }
    mlops__column_count_missing(c, b->rows);
    b->ncols++;
    return MLOPS_OK;
}

MLOPS_API int mlops_dataset_builder_set_role(mlops_dataset_builder *b, const char *name, int role)
{
    static const char func[] = "mlops_dataset_builder_set_role";
    if (b == NULL || name == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (role < MLOPS_ROLE_FEATURE || role > MLOPS_ROLE_IGNORE)
        return mlops__fail(MLOPS_EINVAL, "%s: %d is not a role", func, role);
    for (size_t j = 0; j < b->ncols; j++)
        if (strcmp(b->cols[j].name, name) == 0) {
            b->cols[j].role = role;
            return MLOPS_OK;
        }
    return mlops__fail(MLOPS_ENOTFOUND, "%s: no column '%s' has been added", func, name);
}

MLOPS_API int mlops_dataset_builder_finish(mlops_dataset_builder *b, mlops_dataset **out)
{
    if (b == NULL || out == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_dataset_builder_finish: NULL argument");
    mlops_dataset *d;
    int rc = mlops__dataset_new(&d, b->rows, b->ncols, "builder");
    if (rc) return rc;
    for (size_t j = 0; rc == MLOPS_OK && j < b->ncols; j++) {
        const mlops__column *src = &b->cols[j];
        rc = mlops__column_init_like(&d->cols[j], src, b->rows);
        if (rc == MLOPS_OK && b->rows) {
            if (src->type == MLOPS_NUMERIC)
                memcpy(d->cols[j].values, src->values, b->rows * sizeof *src->values);
            else
                memcpy(d->cols[j].codes, src->codes, b->rows * sizeof *src->codes);
        }
        d->cols[j].missing = src->missing;
    }
    if (rc != MLOPS_OK) {
        mlops_dataset_free(d);
        return rc;
    }
    *out = d;
    return MLOPS_OK;
}
