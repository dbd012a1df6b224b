/* mlops_profile accessors: the dataset-level and per-column results. None of
 * them changes the profile, so any number of threads may read at once. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/suggest.h"
#include "data/profile_impl.h"

MLOPS_API uint64_t mlops_profile_rows(const mlops_profile *p)
{
    return p ? p->rows : 0;
}

MLOPS_API size_t mlops_profile_cols(const mlops_profile *p)
{
    return p ? p->ncols : 0;
}

MLOPS_API int mlops_profile_duplicate_rows(const mlops_profile *p, uint64_t *dups, int *exact)
{
    static const char func[] = "mlops_profile_duplicate_rows";
    if (p == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL profile", func);
    if (p->failed)
        return mlops__fail(MLOPS_ESTATE, "%s: the profile is incomplete after an earlier failure",
                           func);
    if (!p->settings.quality)
        return mlops__fail(MLOPS_ESTATE, "%s: the profile does not track duplicates (quality = 0)",
                           func);
    if (dups) *dups = mlops__rowset_duplicates(&p->rowset);
    if (exact) *exact = p->rowset.level == 0;
    return MLOPS_OK;
}

MLOPS_API const char *mlops_profile_column_name(const mlops_profile *p, size_t col)
{
    return p && col < p->ncols ? p->cols[col].name : NULL;
}

MLOPS_API int mlops_profile_column_type(const mlops_profile *p, size_t col)
{
    if (p == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_profile_column_type: NULL profile");
    if (col >= p->ncols)
        return mlops__fail(MLOPS_EINVAL,
                           "mlops_profile_column_type: column %zu is out of range (profile has %zu)",
                           col, p->ncols);
    return p->cols[col].type;
}

static const char *column_name_at(size_t i, const void *ctx)
{
    return ((const mlops_profile *)ctx)->cols[i].name;
}

MLOPS_API int mlops_profile_column_index(const mlops_profile *p, const char *name, size_t *col)
{
    if (p == NULL || name == NULL || col == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_profile_column_index: NULL argument");
    for (size_t j = 0; j < p->ncols; j++)
        if (strcmp(p->cols[j].name, name) == 0) {
            *col = j;
            return MLOPS_OK;
        }
    const char *near = mlops__suggest(name, p->ncols, column_name_at, p);
    return mlops__fail(MLOPS_ENOTFOUND, "profile has no column '%s'%s%s%s", name,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

MLOPS_API int mlops_profile_column_flags(const mlops_profile *p, size_t col)
{
    int rc = mlops__profile_check_col(p, col, 0, "mlops_profile_column_flags");
    if (rc != MLOPS_OK) return rc;
    const mlops__profile_column *c = &p->cols[col];
    int flags = 0;
    if (c->count == 0 && c->missing > 0) flags |= MLOPS_PROFILE_ALL_MISSING;
    if (c->count > 0) {
        /* One distinct value: min == max for numbers (-0.0 == 0.0 as in the
         * distinct count); a single exact string for categories (an
         * approximate column had more strings than the exact limit >= 1). */
        bool constant = c->type == MLOPS_NUMERIC
                            ? c->num.min == c->num.max
                            : !c->cat.approx && mlops__dict_size(c->cat.strings) == 1;
        if (constant) flags |= MLOPS_PROFILE_CONSTANT;
    }
    if (c->bins.estimated) flags |= MLOPS_PROFILE_HISTOGRAM_ESTIMATED;
    return flags;
}

MLOPS_API int mlops_profile_counts(const mlops_profile *p, size_t col, uint64_t *count,
                                   uint64_t *missing)
{
    int rc = mlops__profile_check_col(p, col, 0, "mlops_profile_counts");
    if (rc != MLOPS_OK) return rc;
    if (count) *count = p->cols[col].count;
    if (missing) *missing = p->cols[col].missing;
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_distinct(const mlops_profile *p, size_t col, uint64_t *distinct,
                                     int *exact)
{
    int rc = mlops__profile_check_col(p, col, 0, "mlops_profile_distinct");
    if (rc != MLOPS_OK) return rc;
    const mlops__profile_column *c = &p->cols[col];
    if (!p->settings.quality)
        return mlops__fail(MLOPS_ESTATE,
                           "mlops_profile_distinct: the profile does not track distinct values "
                           "(quality = 0)");
    if (c->type == MLOPS_NUMERIC) {
        if (distinct) *distinct = mlops__numeric_distinct(&c->num);
        if (exact) *exact = !c->num.distinct_approx;
    } else {
        if (distinct) *distinct = mlops__categorical_distinct(&c->cat);
        if (exact) *exact = !c->cat.approx;
    }
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_stats(const mlops_profile *p, size_t col, double *min, double *max,
                                  double *mean, double *std)
{
    int rc = mlops__profile_check_col(p, col, MLOPS_NUMERIC, "mlops_profile_stats");
    if (rc != MLOPS_OK) return rc;
    const mlops__profile_column *c = &p->cols[col];
    bool any = c->count > 0;
    if (min) *min = any ? c->num.min : NAN;
    if (max) *max = any ? c->num.max : NAN;
    if (mean) *mean = any ? c->num.mean : NAN;
    if (std) *std = mlops__numeric_std(c);
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_quantile(const mlops_profile *p, size_t col, double q,
                                     double *value, int *exact)
{
    static const char func[] = "mlops_profile_quantile";
    int rc = mlops__profile_check_col(p, col, MLOPS_NUMERIC, func);
    if (rc != MLOPS_OK) return rc;
    if (value == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL value", func);
    if (!(q >= 0.0 && q <= 1.0))
        return mlops__fail(MLOPS_EINVAL, "%s: q = %g is outside [0, 1]", func, q);
    rc = mlops__numeric_quantile(&p->cols[col], q, value);
    if (rc == MLOPS_OK && exact) *exact = !p->cols[col].num.quantiles_approx;
    return rc;
}

static int top_count(const mlops_profile *p, size_t col, size_t *n, const char *func)
{
    int rc = mlops__profile_check_col(p, col, MLOPS_CATEGORICAL, func);
    if (rc != MLOPS_OK) return rc;
    const mlops__categorical_state *s = &p->cols[col].cat;
    size_t held = s->strings ? mlops__dict_size(s->strings) : 0;
    *n = held < p->settings.top_k ? held : p->settings.top_k;
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_top_count(const mlops_profile *p, size_t col, size_t *n)
{
    if (n == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_profile_top_count: NULL n");
    return top_count(p, col, n, "mlops_profile_top_count");
}

MLOPS_API int mlops_profile_top(const mlops_profile *p, size_t col, size_t rank,
                                const char **value, uint64_t *count, uint64_t *max_error)
{
    static const char func[] = "mlops_profile_top";
    size_t n;
    int rc = top_count(p, col, &n, func);
    if (rc != MLOPS_OK) return rc;
    if (rank >= n)
        return mlops__fail(MLOPS_EINVAL, "%s: rank %zu is out of range (column '%s' has %zu top "
                           "categories)", func, rank, p->cols[col].name, n);
    const mlops__categorical_state *s = &p->cols[col].cat;
    int32_t *codes;
    rc = mlops__categorical_top(s, rank + 1, &codes, &n);
    if (rc != MLOPS_OK) return rc;
    int32_t code = codes[rank];
    mlops__free(codes);
    if (value) *value = mlops__dict_string(s->strings, code);
    if (count) *count = s->counts[code];
    if (max_error) *max_error = s->count_error;
    return MLOPS_OK;
}
