/* mlops_dataset: construction helpers shared by the data layer, release,
 * shape, column metadata and value access. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"
#include "core/suggest.h"
#include "data/dataset_impl.h"

int mlops__dataset_new(mlops_dataset **out, size_t rows, size_t ncols, const char *source)
{
    mlops_dataset *d = mlops__calloc(1, sizeof *d, "dataset");
    if (d == NULL) return MLOPS_ENOMEM;
    d->rows = rows;
    d->ncols = ncols;
    d->cols = mlops__calloc(ncols ? ncols : 1, sizeof *d->cols, "dataset columns");
    d->source = mlops__strdup(source ? source : "", "dataset source");
    if (d->cols == NULL || d->source == NULL) {
        mlops_dataset_free(d);
        return MLOPS_ENOMEM;
    }
    *out = d;
    return MLOPS_OK;
}

int mlops__column_init(mlops__column *c, const char *name, int type, size_t rows)
{
    memset(c, 0, sizeof *c);
    c->type = type;
    c->role = MLOPS_ROLE_FEATURE;
    c->name = mlops__strdup(name, "column name");
    if (c->name == NULL) return MLOPS_ENOMEM;
    if (type == MLOPS_NUMERIC) {
        c->values = mlops__malloc_array(rows, sizeof *c->values, "numeric column");
        if (c->values == NULL) return MLOPS_ENOMEM;
    } else {
        c->codes = mlops__malloc_array(rows, sizeof *c->codes, "categorical column");
        if (c->codes == NULL || mlops__dict_create(&c->dict) != MLOPS_OK) return MLOPS_ENOMEM;
    }
    return MLOPS_OK;
}

int mlops__column_init_like(mlops__column *c, const mlops__column *src, size_t rows)
{
    int rc = mlops__column_init(c, src->name, src->type, rows);
    if (rc != MLOPS_OK) return rc;
    c->role = src->role;
    c->sensitive = src->sensitive;
    if (src->type == MLOPS_CATEGORICAL) {
        mlops__dict_free(c->dict);
        c->dict = NULL;
        rc = mlops__dict_clone(src->dict, &c->dict);
    }
    return rc;
}

void mlops__column_clear(mlops__column *c)
{
    mlops__free(c->name);
    mlops__free(c->values);
    mlops__free(c->codes);
    mlops__dict_free(c->dict);
    memset(c, 0, sizeof *c);
}

void mlops__column_count_missing(mlops__column *c, size_t rows)
{
    size_t missing = 0;
    if (c->type == MLOPS_NUMERIC) {
        for (size_t i = 0; i < rows; i++) missing += isnan(c->values[i]) != 0;
    } else {
        for (size_t i = 0; i < rows; i++) missing += c->codes[i] < 0;
    }
    c->missing = missing;
}

MLOPS_API void mlops_dataset_free(mlops_dataset *d)
{
    if (d == NULL) return;
    if (d->cols != NULL)
        for (size_t j = 0; j < d->ncols; j++) mlops__column_clear(&d->cols[j]);
    mlops__free(d->cols);
    mlops__free(d->source);
    mlops__free(d);
}

int mlops__dataset_check_col(const mlops_dataset *d, size_t col, const char *func)
{
    if (d == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL dataset", func);
    if (col >= d->ncols)
        return mlops__fail(MLOPS_EINVAL, "%s: column %zu is out of range (dataset has %zu)", func,
                           col, d->ncols);
    return MLOPS_OK;
}

int mlops__check_new_name(const mlops__column *cols, size_t n, const char *name,
                          const char *where)
{
    if (name == NULL || *name == '\0')
        return mlops__fail(MLOPS_EINVAL, "%s: empty column name", where);
    size_t len = strlen(name);
    if (mlops__utf8_valid_prefix(name, len) != len)
        return mlops__fail(MLOPS_EINVAL, "%s: column name has invalid UTF-8", where);
    for (size_t j = 0; j < n; j++)
        if (strcmp(cols[j].name, name) == 0)
            return mlops__fail(MLOPS_EINVAL, "%s: duplicate column name '%s'", where, name);
    return MLOPS_OK;
}

MLOPS_API size_t mlops_dataset_rows(const mlops_dataset *d)
{
    return d ? d->rows : 0;
}

MLOPS_API size_t mlops_dataset_cols(const mlops_dataset *d)
{
    return d ? d->ncols : 0;
}

MLOPS_API const char *mlops_dataset_column_name(const mlops_dataset *d, size_t col)
{
    return d && col < d->ncols ? d->cols[col].name : NULL;
}

static const char *column_name_at(size_t i, const void *ctx)
{
    return ((const mlops_dataset *)ctx)->cols[i].name;
}

MLOPS_API int mlops_dataset_column_index(const mlops_dataset *d, const char *name, size_t *col)
{
    if (d == NULL || name == NULL || col == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_dataset_column_index: NULL argument");
    for (size_t j = 0; j < d->ncols; j++)
        if (strcmp(d->cols[j].name, name) == 0) {
            *col = j;
            return MLOPS_OK;
        }
    const char *near = mlops__suggest(name, d->ncols, column_name_at, d);
    return mlops__fail(MLOPS_ENOTFOUND, "dataset '%s' has no column '%s'%s%s%s", d->source, name,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

MLOPS_API int mlops_dataset_column_type(const mlops_dataset *d, size_t col)
{
    int rc = mlops__dataset_check_col(d, col, "mlops_dataset_column_type");
    return rc ? rc : d->cols[col].type;
}

MLOPS_API int mlops_dataset_column_role(const mlops_dataset *d, size_t col)
{
    int rc = mlops__dataset_check_col(d, col, "mlops_dataset_column_role");
    return rc ? rc : d->cols[col].role;
}

MLOPS_API int mlops_dataset_set_role(mlops_dataset *d, size_t col, int role)
{
    int rc = mlops__dataset_check_col(d, col, "mlops_dataset_set_role");
    if (rc) return rc;
    if (role < MLOPS_ROLE_FEATURE || role > MLOPS_ROLE_IGNORE)
        return mlops__fail(MLOPS_EINVAL, "mlops_dataset_set_role: %d is not a role", role);
    d->cols[col].role = role;
    return MLOPS_OK;
}

MLOPS_API int mlops_dataset_column_sensitive(const mlops_dataset *d, size_t col)
{
    int rc = mlops__dataset_check_col(d, col, "mlops_dataset_column_sensitive");
    return rc ? rc : d->cols[col].sensitive;
}

MLOPS_API int mlops_dataset_set_sensitive(mlops_dataset *d, size_t col, int sensitive)
{
    int rc = mlops__dataset_check_col(d, col, "mlops_dataset_set_sensitive");
    if (rc) return rc;
    d->cols[col].sensitive = sensitive != 0;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_dataset_missing_count(const mlops_dataset *d, size_t col)
{
    return d && col < d->ncols ? d->cols[col].missing : 0;
}

static const char *const ROLE_NAMES[] = {"feature", "target", "group", "weight",
                                         "id",      "time",   "ignore"};

MLOPS_API const char *mlops_role_name(int role)
{
    return role >= MLOPS_ROLE_FEATURE && role <= MLOPS_ROLE_IGNORE ? ROLE_NAMES[role] : "unknown";
}

MLOPS_API const char *mlops_type_name(int type)
{
    return type == MLOPS_NUMERIC ? "numeric" : type == MLOPS_CATEGORICAL ? "categorical" : "unknown";
}

MLOPS_API int mlops_role_from_name(const char *name, int *role)
{
    if (name == NULL || role == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_role_from_name: NULL argument");
    for (int r = MLOPS_ROLE_FEATURE; r <= MLOPS_ROLE_IGNORE; r++)
        if (strcmp(name, ROLE_NAMES[r]) == 0) {
            *role = r;
            return MLOPS_OK;
        }
    return mlops__fail(MLOPS_EINVAL,
                       "'%s' is not a role (feature, target, group, weight, id, time, ignore)",
                       name);
}

static int check_range(const mlops_dataset *d, size_t col, size_t first, size_t n, int type,
                       const void *out, const char *func)
{
    int rc = mlops__dataset_check_col(d, col, func);
    if (rc) return rc;
    if (out == NULL && n > 0) return mlops__fail(MLOPS_EINVAL, "%s: NULL output", func);
    if (d->cols[col].type != type)
        return mlops__fail(MLOPS_EINVAL, "%s: column '%s' is %s, not %s", func, d->cols[col].name,
                           mlops_type_name(d->cols[col].type), mlops_type_name(type));
    if (first > d->rows || n > d->rows - first)
        return mlops__fail(MLOPS_EINVAL, "%s: rows %zu..%zu are outside 0..%zu", func, first,
                           first + n, d->rows);
    return MLOPS_OK;
}

MLOPS_API int mlops_dataset_get_numeric(const mlops_dataset *d, size_t col, size_t first,
                                        size_t n, double *out)
{
    int rc = check_range(d, col, first, n, MLOPS_NUMERIC, out, "mlops_dataset_get_numeric");
    if (rc) return rc;
    if (n) memcpy(out, d->cols[col].values + first, n * sizeof *out);
    return MLOPS_OK;
}

MLOPS_API int mlops_dataset_numeric_data(const mlops_dataset *d, size_t col,
                                         const double **values)
{
    int rc = check_range(d, col, 0, 0, MLOPS_NUMERIC, values, "mlops_dataset_numeric_data");
    if (rc) return rc;
    if (values == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_dataset_numeric_data: NULL output");
    *values = d->cols[col].values;
    return MLOPS_OK;
}

MLOPS_API int mlops_dataset_is_missing(const mlops_dataset *d, size_t col, size_t row)
{
    int rc = mlops__dataset_check_col(d, col, "mlops_dataset_is_missing");
    if (rc) return rc;
    if (row >= d->rows)
        return mlops__fail(MLOPS_EINVAL, "mlops_dataset_is_missing: row %zu is out of range (%zu rows)",
                           row, d->rows);
    const mlops__column *c = &d->cols[col];
    return c->type == MLOPS_NUMERIC ? isnan(c->values[row]) != 0 : c->codes[row] < 0;
}

MLOPS_API int mlops_dataset_get_codes(const mlops_dataset *d, size_t col, size_t first, size_t n,
                                      int32_t *out)
{
    int rc = check_range(d, col, first, n, MLOPS_CATEGORICAL, out, "mlops_dataset_get_codes");
    if (rc) return rc;
    if (n) memcpy(out, d->cols[col].codes + first, n * sizeof *out);
    return MLOPS_OK;
}

MLOPS_API size_t mlops_dataset_category_count(const mlops_dataset *d, size_t col)
{
    if (d == NULL || col >= d->ncols || d->cols[col].type != MLOPS_CATEGORICAL) return 0;
    return mlops__dict_size(d->cols[col].dict);
}

MLOPS_API const char *mlops_dataset_category(const mlops_dataset *d, size_t col, int32_t code)
{
    if (code < 0 || (size_t)code >= mlops_dataset_category_count(d, col)) return NULL;
    return mlops__dict_string(d->cols[col].dict, code);
}

MLOPS_API int mlops_dataset_feature_columns(const mlops_dataset *d, size_t *cols, size_t cap,
                                            size_t *count)
{
    if (d == NULL || count == NULL || (cols == NULL && cap > 0))
        return mlops__fail(MLOPS_EINVAL, "mlops_dataset_feature_columns: NULL argument");
    size_t n = 0;
    for (size_t j = 0; j < d->ncols; j++) {
        if (d->cols[j].role != MLOPS_ROLE_FEATURE || d->cols[j].sensitive) continue;
        if (n < cap) cols[n] = j;
        n++;
    }
    *count = n;
    return MLOPS_OK;
}

MLOPS_API int mlops_dataset_to_matrix(const mlops_dataset *d, const size_t *cols, size_t ncols,
                                      double *out, size_t out_len)
{
    static const char func[] = "mlops_dataset_to_matrix";
    if (d == NULL || (cols == NULL && ncols > 0) || (out == NULL && out_len > 0))
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    size_t need;
    if (!mlops__mul_size(d->rows, ncols, &need) || need > out_len)
        return mlops__fail(MLOPS_EINVAL, "%s: output holds %zu values, %zu x %zu needed", func,
                           out_len, d->rows, ncols);
    for (size_t k = 0; k < ncols; k++) {
        int rc = mlops__dataset_check_col(d, cols[k], func);
        if (rc) return rc;
        if (d->cols[cols[k]].type != MLOPS_NUMERIC)
            return mlops__fail(MLOPS_EINVAL, "%s: column '%s' is categorical; encode it first",
                               func, d->cols[cols[k]].name);
    }
    /* Column-major source to row-major destination, a block of rows at a
     * time so both sides stay in cache. */
    enum { BLOCK = 256 };
    for (size_t r0 = 0; r0 < d->rows; r0 += BLOCK) {
        size_t r1 = r0 + BLOCK < d->rows ? r0 + BLOCK : d->rows;
        for (size_t k = 0; k < ncols; k++) {
            const double *src = d->cols[cols[k]].values;
            for (size_t r = r0; r < r1; r++) out[r * ncols + k] = src[r];
        }
    }
    return MLOPS_OK;
}

MLOPS_API const char *mlops_dataset_source(const mlops_dataset *d)
{
    return d ? d->source : NULL;
}

MLOPS_API uint64_t mlops_dataset_skipped_rows(const mlops_dataset *d)
{
    return d ? d->skipped_rows : 0;
}
