/* mlops_profile_to_json: the profile as a pretty-printed JSON document
 * (layout in mlops_profile_to_json(3)). Every value an accessor gives is
 * here, with its exact/approximate flag and error bound, so a report or an
 * auditor needs nothing else. */
#include <math.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "data/profile_impl.h"

static const double QUANTILES[] = {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0};
static const char *const QUANTILE_KEYS[] = {"0", "0.1", "0.25", "0.5", "0.75", "0.9", "1"};

static void write_settings(mlops__json *j, const mlops__profile_settings *s)
{
    mlops__json_key(j, "settings");
    mlops__json_begin_object(j);
    mlops__json_key(j, "distinct_exact_limit");
    mlops__json_uint(j, s->distinct_exact_limit);
    mlops__json_key(j, "quantile_exact_limit");
    mlops__json_uint(j, s->quantile_exact_limit);
    mlops__json_key(j, "quantile_sketch_k");
    mlops__json_uint(j, s->quantile_sketch_k);
    mlops__json_key(j, "top_k");
    mlops__json_uint(j, s->top_k);
    mlops__json_key(j, "top_sketch_size");
    mlops__json_uint(j, s->top_sketch_size);
    mlops__json_key(j, "exact_values_budget");
    mlops__json_uint(j, s->exact_values_budget);
    mlops__json_key(j, "duplicate_exact_limit");
    mlops__json_uint(j, s->duplicate_exact_limit);
    mlops__json_key(j, "bins");
    mlops__json_uint(j, s->bins);
    mlops__json_key(j, "quality");
    mlops__json_uint(j, s->quality);
    mlops__json_end_object(j);
}

/* Names of the columns with `flag` set. */
static void write_flagged(mlops__json *j, const mlops_profile *p, const char *key, int flag)
{
    mlops__json_key(j, key);
    mlops__json_begin_array(j);
    for (size_t c = 0; c < p->ncols; c++)
        if (mlops_profile_column_flags(p, c) & flag) mlops__json_string(j, p->cols[c].name);
    mlops__json_end_array(j);
}

static int write_numeric(mlops__json *j, const mlops_profile *p, size_t col)
{
    const mlops__profile_column *c = &p->cols[col];
    double min, max, mean, std;
    mlops_profile_stats(p, col, &min, &max, &mean, &std);
    mlops__json_key(j, "min");
    mlops__json_double(j, min);
    mlops__json_key(j, "max");
    mlops__json_double(j, max);
    mlops__json_key(j, "mean");
    mlops__json_double(j, mean);
    mlops__json_key(j, "std");
    mlops__json_double(j, std);
    mlops__json_key(j, "quantiles");
    mlops__json_begin_object(j);
    for (size_t i = 0; i < sizeof QUANTILES / sizeof QUANTILES[0]; i++) {
        double v;
        int rc = mlops__numeric_quantile(c, QUANTILES[i], &v);
        if (rc != MLOPS_OK) return rc;
        mlops__json_key(j, QUANTILE_KEYS[i]);
        mlops__json_double(j, v);
    }
    mlops__json_end_object(j);
    mlops__json_key(j, "quantiles_exact");
    mlops__json_bool(j, !c->num.quantiles_approx);
    mlops__json_key(j, "quantile_rank_error");
    mlops__json_double(j, c->num.quantiles_approx
                              ? mlops__kll_rank_error((uint32_t)p->settings.quantile_sketch_k)
                              : 0.0);
    return MLOPS_OK;
}

static int write_categorical(mlops__json *j, const mlops_profile *p, size_t col)
{
    const mlops__categorical_state *s = &p->cols[col].cat;
    int32_t *codes;
    size_t n;
    int rc = mlops__categorical_top(s, p->settings.top_k, &codes, &n);
    if (rc != MLOPS_OK) return rc;
    mlops__json_key(j, "top");
    mlops__json_begin_array(j);
    for (size_t i = 0; i < n; i++) {
        mlops__json_begin_object(j);
        mlops__json_key(j, "value");
        mlops__json_string_n(j, mlops__dict_string(s->strings, codes[i]),
                             mlops__dict_string_len(s->strings, codes[i]));
        mlops__json_key(j, "count");
        mlops__json_uint(j, s->counts[codes[i]]);
        mlops__json_end_object(j);
    }
    mlops__json_end_array(j);
    mlops__free(codes);
    mlops__json_key(j, "top_exact");
    mlops__json_bool(j, !s->approx);
    mlops__json_key(j, "top_count_error");
    mlops__json_uint(j, s->count_error);
    return MLOPS_OK;
}

/* The fixed histogram: numeric edges (the outer bins are implied) or the
 * categories (the unseen bin last), with the count of every bin. */
static void write_bins(mlops__json *j, const mlops__profile_column *c)
{
    const mlops__column_bins *b = &c->bins;
    mlops__json_key(j, "histogram");
    mlops__json_begin_object(j);
    if (c->type == MLOPS_NUMERIC) {
        mlops__json_key(j, "edges");
        mlops__json_begin_array(j);
        for (size_t i = 0; i < b->nedges; i++) mlops__json_double(j, b->edges[i]);
        mlops__json_end_array(j);
    } else {
        mlops__json_key(j, "categories");
        mlops__json_begin_array(j);
        for (size_t i = 0; i + 1 < b->nbins; i++)
            mlops__json_string(j, mlops__dict_string(b->categories, (int32_t)i));
        mlops__json_end_array(j);
    }
    mlops__json_key(j, "counts");
    mlops__json_begin_array(j);
    for (size_t i = 0; i < b->nbins; i++) mlops__json_uint(j, b->counts[i]);
    mlops__json_end_array(j);
    mlops__json_key(j, "estimated");
    mlops__json_bool(j, b->estimated);
    mlops__json_end_object(j);
}

static int write_column(mlops__json *j, const mlops_profile *p, size_t col)
{
    const mlops__profile_column *c = &p->cols[col];
    uint64_t distinct = 0;
    int exact = 0;
    bool tracked = p->settings.quality != 0;
    if (tracked) mlops_profile_distinct(p, col, &distinct, &exact);
    int flags = mlops_profile_column_flags(p, col);
    mlops__json_begin_object(j);
    mlops__json_key(j, "name");
    mlops__json_string(j, c->name);
    mlops__json_key(j, "type");
    mlops__json_string(j, mlops_type_name(c->type));
    mlops__json_key(j, "count");
    mlops__json_uint(j, c->count);
    mlops__json_key(j, "missing");
    mlops__json_uint(j, c->missing);
    mlops__json_key(j, "distinct");
    if (tracked) {
        mlops__json_uint(j, distinct);
    } else {
        mlops__json_null(j);
    }
    mlops__json_key(j, "distinct_exact");
    mlops__json_bool(j, exact);
    mlops__json_key(j, "constant");
    mlops__json_bool(j, (flags & MLOPS_PROFILE_CONSTANT) != 0);
    mlops__json_key(j, "all_missing");
    mlops__json_bool(j, (flags & MLOPS_PROFILE_ALL_MISSING) != 0);
    int rc = c->type == MLOPS_NUMERIC ? write_numeric(j, p, col) : write_categorical(j, p, col);
    if (rc != MLOPS_OK) return rc; /* the document is dropped: closing it would mask the error */
    if (c->bins.nbins > 0) write_bins(j, c);
    mlops__json_end_object(j);
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_to_json(const mlops_profile *p, char **json)
{
    static const char func[] = "mlops_profile_to_json";
    if (p == NULL || json == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (p->failed)
        return mlops__fail(MLOPS_ESTATE, "%s: the profile is incomplete after an earlier failure",
                           func);
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "rows");
    mlops__json_uint(&j, p->rows);
    mlops__json_key(&j, "duplicate_rows");
    if (p->settings.quality) {
        mlops__json_uint(&j, mlops__rowset_duplicates(&p->rowset));
    } else {
        mlops__json_null(&j);
    }
    mlops__json_key(&j, "duplicate_rows_exact");
    mlops__json_bool(&j, p->rowset.level == 0);
    write_flagged(&j, p, "constant_columns", MLOPS_PROFILE_CONSTANT);
    write_flagged(&j, p, "all_missing_columns", MLOPS_PROFILE_ALL_MISSING);
    write_settings(&j, &p->settings);
    mlops__json_key(&j, "columns");
    mlops__json_begin_array(&j);
    int rc = MLOPS_OK;
    for (size_t c = 0; rc == MLOPS_OK && c < p->ncols; c++) rc = write_column(&j, p, c);
    if (rc != MLOPS_OK) {
        mlops__json_free(&j);
        return rc;
    }
    mlops__json_end_array(&j);
    mlops__json_end_object(&j);
    size_t len;
    return mlops__json_finish(&j, json, &len);
}
