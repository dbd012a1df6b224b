/* Inferring a schema from a dataset: what the data looks like today becomes
 * what later data is expected to look like. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset_impl.h"
#include "data/schema_impl.h"

static void observe_range(mlops__schema_column *c, const mlops__column *dc, size_t rows)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t r = 0; r < rows; r++) {
        double v = dc->values[r];
        if (isnan(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    /* All missing: nothing observed, so nothing to bound. */
    if (lo <= hi) {
        c->min = lo;
        c->max = hi;
    }
}

/* The categories that occur in the rows (a dictionary may hold more, e.g.
 * after take_rows), in dictionary order; recorded only when few enough. */
static int observe_categories(mlops__schema_column *c, const mlops__column *dc, size_t rows,
                              size_t max_categories)
{
    size_t ndict = mlops__dict_size(dc->dict);
    unsigned char *seen = mlops__calloc(ndict ? ndict : 1, 1, "category presence");
    if (seen == NULL) return MLOPS_ENOMEM;
    size_t distinct = 0;
    for (size_t r = 0; r < rows; r++) {
        int32_t code = dc->codes[r];
        if (code >= 0 && !seen[code]) {
            seen[code] = 1;
            distinct++;
        }
    }
    int rc = MLOPS_OK;
    if (distinct <= max_categories) {
        const char **values = mlops__malloc_array(distinct ? distinct : 1, sizeof *values,
                                                  "observed categories");
        if (values == NULL) {
            rc = MLOPS_ENOMEM;
        } else {
            size_t n = 0;
            for (size_t k = 0; k < ndict; k++)
                if (seen[k]) values[n++] = mlops__dict_string(dc->dict, (int32_t)k);
            rc = mlops__schema_set_categories(c, values, n, "mlops_schema_infer");
            mlops__free(values);
        }
    }
    mlops__free(seen);
    return rc;
}

static int infer_column(mlops__schema_column *c, const mlops__column *dc, size_t rows,
                        size_t max_categories)
{
    int rc = mlops__schema_column_init(c, dc->name, dc->type);
    if (rc != MLOPS_OK) return rc;
    c->role = dc->role;
    c->sensitive = dc->sensitive;
    c->max_missing = rows > 0 && dc->missing > 0 ? (double)dc->missing / (double)rows : 0.0;
    if (dc->type == MLOPS_NUMERIC) {
        observe_range(c, dc, rows);
        return MLOPS_OK;
    }
    return observe_categories(c, dc, rows, max_categories);
}

MLOPS_API int mlops_schema_infer_ex(mlops_schema **out, const mlops_dataset *d,
                                    size_t max_categories)
{
    if (out == NULL || d == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_schema_infer: NULL argument");
    mlops_schema *s = NULL;
    int rc = mlops_schema_create(&s);
    for (size_t j = 0; rc == MLOPS_OK && j < d->ncols; j++) {
        mlops__schema_column c;
        rc = infer_column(&c, &d->cols[j], d->rows, max_categories);
        if (rc == MLOPS_OK) rc = mlops__schema_append(s, &c);
        if (rc != MLOPS_OK) mlops__schema_column_clear(&c);
    }
    if (rc != MLOPS_OK) {
        mlops_schema_free(s);
        return rc;
    }
    *out = s;
    return MLOPS_OK;
}

MLOPS_API int mlops_schema_infer(mlops_schema **out, const mlops_dataset *d)
{
    return mlops_schema_infer_ex(out, d, MLOPS_SCHEMA_DEFAULT_MAX_CATEGORIES);
}
