/* New datasets from old ones: rows by index or mask, columns by index, and
 * row-wise concatenation of batches with the same columns. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset_impl.h"

/* A dataset shaped like `d` (same columns, dictionaries and metadata) with
 * storage for `rows` rows. */
static int new_like(mlops_dataset **out, const mlops_dataset *d, size_t rows)
{
    mlops_dataset *n;
    int rc = mlops__dataset_new(&n, rows, d->ncols, d->source);
    if (rc) return rc;
    for (size_t j = 0; rc == MLOPS_OK && j < d->ncols; j++)
        rc = mlops__column_init_like(&n->cols[j], &d->cols[j], rows);
    if (rc != MLOPS_OK) {
        mlops_dataset_free(n);
        return rc;
    }
    *out = n;
    return MLOPS_OK;
}

static void copy_rows(mlops_dataset *n, const mlops_dataset *d, const size_t *rows)
{
    for (size_t j = 0; j < d->ncols; j++) {
        const mlops__column *src = &d->cols[j];
        mlops__column *dst = &n->cols[j];
        if (src->type == MLOPS_NUMERIC)
            for (size_t i = 0; i < n->rows; i++) dst->values[i] = src->values[rows[i]];
        else
            for (size_t i = 0; i < n->rows; i++) dst->codes[i] = src->codes[rows[i]];
        mlops__column_count_missing(dst, n->rows);
    }
}

MLOPS_API int mlops_dataset_take_rows(mlops_dataset **out, const mlops_dataset *d,
                                      const size_t *rows, size_t n)
{
    static const char func[] = "mlops_dataset_take_rows";
    if (out == NULL || d == NULL || (rows == NULL && n > 0))
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    for (size_t i = 0; i < n; i++)
        if (rows[i] >= d->rows)
            return mlops__fail(MLOPS_EINVAL, "%s: index %zu (entry %zu) is out of range (%zu rows)",
                               func, rows[i], i, d->rows);
    mlops_dataset *result;
    int rc = new_like(&result, d, n);
    if (rc) return rc;
    copy_rows(result, d, rows);
    *out = result;
    return MLOPS_OK;
}

MLOPS_API int mlops_dataset_filter_rows(mlops_dataset **out, const mlops_dataset *d,
                                        const uint8_t *mask)
{
    if (out == NULL || d == NULL || (mask == NULL && d->rows > 0))
        return mlops__fail(MLOPS_EINVAL, "mlops_dataset_filter_rows: NULL argument");
    size_t n = 0;
    for (size_t i = 0; i < d->rows; i++) n += mask[i] != 0;
    size_t *rows = mlops__malloc_array(n, sizeof *rows, "selected row indices");
    if (rows == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0, k = 0; i < d->rows; i++)
        if (mask[i]) rows[k++] = i;
    int rc = mlops_dataset_take_rows(out, d, rows, n);
    mlops__free(rows);
    return rc;
}

MLOPS_API int mlops_dataset_select_columns(mlops_dataset **out, const mlops_dataset *d,
                                           const size_t *cols, size_t n)
{
    static const char func[] = "mlops_dataset_select_columns";
    if (out == NULL || d == NULL || (cols == NULL && n > 0))
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    for (size_t k = 0; k < n; k++) {
        int rc = mlops__dataset_check_col(d, cols[k], func);
        if (rc) return rc;
        for (size_t m = 0; m < k; m++)
            if (cols[m] == cols[k])
                return mlops__fail(MLOPS_EINVAL, "%s: column %zu ('%s') is selected twice", func,
                                   cols[k], d->cols[cols[k]].name);
    }
    mlops_dataset *result;
    int rc = mlops__dataset_new(&result, d->rows, n, d->source);
    if (rc) return rc;
    result->skipped_rows = d->skipped_rows;
    for (size_t k = 0; rc == MLOPS_OK && k < n; k++) {
        const mlops__column *src = &d->cols[cols[k]];
        mlops__column *dst = &result->cols[k];
        rc = mlops__column_init_like(dst, src, d->rows);
        if (rc == MLOPS_OK && d->rows) {
            if (src->type == MLOPS_NUMERIC)
                memcpy(dst->values, src->values, d->rows * sizeof *src->values);
            else
                memcpy(dst->codes, src->codes, d->rows * sizeof *src->codes);
        }
        dst->missing = src->missing;
    }
    if (rc != MLOPS_OK) {
        mlops_dataset_free(result);
        return rc;
    }
    *out = result;
    return MLOPS_OK;
}

static int check_same_columns(const mlops_dataset *first, const mlops_dataset *part, size_t p)
{
    static const char func[] = "mlops_dataset_concat_rows";
    if (part == NULL) return mlops__fail(MLOPS_EINVAL, "%s: part %zu is NULL", func, p);
    if (part->ncols != first->ncols)
        return mlops__fail(MLOPS_EINVAL, "%s: part %zu has %zu columns, part 0 has %zu", func, p,
                           part->ncols, first->ncols);
    for (size_t j = 0; j < first->ncols; j++) {
        const mlops__column *a = &first->cols[j], *b = &part->cols[j];
        if (strcmp(a->name, b->name) != 0 || a->type != b->type)
            return mlops__fail(MLOPS_EINVAL,
                               "%s: part %zu column %zu is '%s' (%s), part 0 has '%s' (%s)", func,
                               p, j, b->name, mlops_type_name(b->type), a->name,
                               mlops_type_name(a->type));
    }
    return MLOPS_OK;
}

MLOPS_API int mlops_dataset_concat_rows(mlops_dataset **out, const mlops_dataset *const *parts,
                                        size_t n)
{
    static const char func[] = "mlops_dataset_concat_rows";
    if (out == NULL || parts == NULL || n == 0)
        return mlops__fail(MLOPS_EINVAL, "%s: no parts given", func);
    size_t rows = 0;
    uint64_t skipped = 0;
    for (size_t p = 0; p < n; p++) {
        int rc = check_same_columns(parts[0], parts[p], p);
        if (rc) return rc;
        if (!mlops__add_size(rows, parts[p]->rows, &rows))
            return mlops__fail(MLOPS_ENOMEM, "%s: total row count overflows", func);
        skipped += parts[p]->skipped_rows;
    }
    mlops_dataset *result;
    int rc = new_like(&result, parts[0], rows);
    if (rc) return rc;
    result->skipped_rows = skipped;
    for (size_t j = 0; rc == MLOPS_OK && j < result->ncols; j++) {
        mlops__column *dst = &result->cols[j];
        size_t at = 0;
        for (size_t p = 0; rc == MLOPS_OK && p < n; p++) {
            const mlops__column *src = &parts[p]->cols[j];
            size_t m = parts[p]->rows;
            if (dst->type == MLOPS_NUMERIC) {
                if (m) memcpy(dst->values + at, src->values, m * sizeof *src->values);
            } else {
                /* Re-code each part's categories into the merged dictionary
                 * (which starts as a copy of part 0's). */
                for (size_t i = 0; rc == MLOPS_OK && i < m; i++) {
                    int32_t code = src->codes[i];
                    if (code < 0) {
                        dst->codes[at + i] = -1;
                    } else if (p == 0) {
                        dst->codes[at + i] = code;
                    } else {
                        rc = mlops__dict_intern(dst->dict, mlops__dict_string(src->dict, code),
                                                mlops__dict_string_len(src->dict, code),
                                                &dst->codes[at + i]);
                    }
                }
            }
            at += m;
        }
        mlops__column_count_missing(dst, rows);
    }
    if (rc != MLOPS_OK) {
        mlops_dataset_free(result);
        return rc;
    }
    *out = result;
    return MLOPS_OK;
}
