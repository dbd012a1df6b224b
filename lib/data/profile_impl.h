/* Private: the state of mlops_profile, shared by its modules (settings and
 * accessors, batch ingestion, merging, JSON).
 *
 * Everything is owned by the profile (no pointer into any dataset), bounded
 * by the settings whatever the number of rows, and mergeable: the state of
 * two parts combines into the state of the whole. */
#ifndef MLOPS_DATA_PROFILE_IMPL_H
#define MLOPS_DATA_PROFILE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/dict.h"
#include "data/hll.h"
#include "data/profile_hash.h"
#include "data/profile_rowset.h"
#include "data/quantile_sketch.h"
#include "mlops/profile.h"

typedef struct mlops__profile_settings {
    size_t distinct_exact_limit;
    size_t quantile_exact_limit;
    size_t quantile_sketch_k;
    size_t top_k;
    size_t top_sketch_size;
    size_t duplicate_exact_limit;
    size_t exact_values_budget;
    size_t bins;             /* quantile bins of a reference histogram */
    size_t quality;          /* 1: distinct counts and duplicate rows tracked */
    size_t threads;          /* columns processed at once; not part of the state */
} mlops__profile_settings;

/* Numeric column: moments, range, distinct values and quantile summary. */
typedef struct mlops__numeric_state {
    double mean, m2;         /* Welford/Chan: m2 = sum of squared deviations */
    bool m2_scaled;          /* m2 holds the sum times 2^-1200 (it overflowed) */
    double min, max;         /* NaN while no value was seen */
    bool distinct_approx;    /* false: `keys` is exact; true: `hll` */
    mlops__keyset keys;
    mlops__hll hll;
    bool quantiles_approx;   /* false: `values` holds every value; true: `kll` */
    double *values;
    size_t nvalues, values_cap;
    bool values_sorted;      /* `values` ascending (after fixing the bins) */
    mlops__kll kll;
} mlops__numeric_state;

/* Categorical column: counts per string. Exact while the strings fit the
 * distinct limit; then a HyperLogLog for the distinct count and a
 * Misra-Gries summary (at most top_sketch_size strings) for the counts,
 * whose counts are low by at most `count_error` each. */
typedef struct mlops__categorical_state {
    mlops__dict *strings;
    uint64_t *counts;        /* per code of `strings` */
    size_t counts_cap;
    bool approx;
    mlops__hll hll;
    uint64_t count_error;
} mlops__categorical_state;

/* The fixed histogram of a reference (or of a profile created like one).
 * Numeric: `nedges` distinct edges with an outer bin on each side
 * (mlops__drift_nbins); no edge at all gives one bin holding every value.
 * Categorical: bin i is code i of `categories` (in byte order), the last
 * bin holds the unseen categories. */
typedef struct mlops__column_bins {
    size_t nbins;            /* 0 until the bins are fixed */
    double *edges;
    size_t nedges;
    mlops__dict *categories;
    uint64_t *counts;
    bool estimated;          /* counts estimated from sketches */
} mlops__column_bins;

typedef struct mlops__profile_column {
    char *name;
    int type;
    uint64_t count;          /* present values */
    uint64_t missing;
    mlops__numeric_state num;
    mlops__categorical_state cat;
    mlops__column_bins bins;
} mlops__profile_column;

struct mlops_profile {
    mlops__profile_settings settings;
    bool has_schema;         /* columns fixed by the first batch or merge */
    bool failed;             /* an add or merge failed part-way */
    bool has_bins;           /* every column's bins are fixed */
    bool settable;           /* columns known but no data yet (create_like) */
    uint64_t rows;
    size_t ncols;
    mlops__profile_column *cols;
    mlops__rowset rowset;    /* hashes of the rows, for duplicates */
};

/* The columns of a batch or of another profile, seen through two getters so
 * adding and merging share one schema check. */
typedef struct mlops__schema_view {
    size_t ncols;
    const void *src;
    const char *(*name)(const void *src, size_t col);
    int (*type)(const void *src, size_t col);
} mlops__schema_view;

/* Fixes the profile's columns from `v` when it has none yet, otherwise checks
 * that `v` has the same names and types (MLOPS_EINVAL naming the first
 * mismatch, `what` naming the other side, e.g. "batch"). */
int mlops__profile_match_schema(mlops_profile *p, const mlops__schema_view *v, const char *what);

/* Name of the first setting that differs between `a` and `b` with both
 * values, or NULL when they are equal. */
/* Caps the per-column exact limits by exact_values_budget / ncols. */
void mlops__profile_apply_budget(mlops__profile_settings *s, size_t ncols);
const char *mlops__profile_settings_differ(const mlops__profile_settings *a,
                                           const mlops__profile_settings *b, size_t *va,
                                           size_t *vb);

/* Checks shared by the accessors: p usable and col in range (and of `type`
 * when type != 0). `func` names the caller in the message. */
int mlops__profile_check_col(const mlops_profile *p, size_t col, int type, const char *func);

/* Column states (profile_numeric.c, profile_categorical.c). init allocates
 * nothing; update functions may leave a partial update on failure, which
 * makes the caller mark the profile failed. */
void mlops__numeric_init(mlops__numeric_state *s, const mlops__profile_settings *cfg);
void mlops__numeric_clear(mlops__numeric_state *s);
int mlops__numeric_add(mlops__profile_column *c, const mlops__profile_settings *cfg,
                       const double *values, size_t n);
int mlops__numeric_merge(mlops__profile_column *c, const mlops__profile_column *o,
                         const mlops__profile_settings *cfg);
uint64_t mlops__numeric_distinct(const mlops__numeric_state *s);
/* Sample standard deviation (NaN below two values). */
double mlops__numeric_std(const mlops__profile_column *c);
/* Linear interpolation between order statistics (numpy's default) when
 * exact, otherwise the sketch's item at rank q. */
int mlops__numeric_quantile(const mlops__profile_column *c, double q, double *value);

void mlops__categorical_init(mlops__categorical_state *s);
void mlops__categorical_clear(mlops__categorical_state *s);
int mlops__categorical_add(mlops__profile_column *c, const mlops__profile_settings *cfg,
                           const mlops__dict *dict, const int32_t *codes, size_t n);
int mlops__categorical_merge(mlops__profile_column *c, const mlops__profile_column *o,
                             const mlops__profile_settings *cfg);
uint64_t mlops__categorical_distinct(const mlops__categorical_state *s);
/* Codes of the `*n` most frequent strings (count descending, then string
 * bytes ascending), at most `limit`; *codes is allocated (free with
 * mlops__free; NULL when *n is 0). */
int mlops__categorical_top(const mlops__categorical_state *s, size_t limit, int32_t **codes,
                           size_t *n);

/* The columns of profile `p` as a schema view. */
mlops__schema_view mlops__profile_view(const mlops_profile *p);

/* MLOPS_OK when `p` can serve as a reference (not failed, bins fixed), else
 * MLOPS_ESTATE with a message naming `func`. */
int mlops__profile_check_reference(const mlops_profile *p, const char *func);

/* Reference histograms (profile_bins.c). */
void mlops__bins_clear(mlops__column_bins *b);
/* dst := src's bins with zero counts (dst empty). */
int mlops__bins_copy_empty(mlops__column_bins *dst, const mlops__column_bins *src);
/* Counts a batch column into the bins. */
int mlops__bins_add_numeric(mlops__column_bins *b, const double *values, size_t n);
int mlops__bins_add_categorical(mlops__column_bins *b, const mlops__dict *dict,
                                const int32_t *codes, size_t n);
/* MLOPS_OK when `a` and `b` have equal bins, else MLOPS_EINVAL naming the
 * column; then adds b's counts into a (mlops__bins_merge). */
int mlops__bins_check_equal(const mlops__column_bins *a, const mlops__column_bins *b,
                            const char *column);
void mlops__bins_merge(mlops__column_bins *a, const mlops__column_bins *b);

#endif
