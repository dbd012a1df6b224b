/* Private: KLL quantile sketch (Karnin, Lang, Liberty 2016, "Optimal
 * quantile approximation in streams"), in the form Apache DataSketches uses.
 *
 * Level h holds items that each stand for 2^h input values. A level with
 * capacity c(h) = max(8, ceil(k * (2/3)^(top - h))) that fills up is sorted
 * and compacted: one item of every adjacent pair, chosen by a fair coin for
 * the whole level, moves up a level, so the weight is kept and the retained
 * items stay below about 3k + 8 * levels (plus MLOPS_KLL_LEVEL0_SLACK items
 * waiting at level 0). The coin comes from the library's
 * SFC64 generator with a fixed seed, so a given sequence of updates and
 * merges always gives the same sketch. Sketches merge level by level, so a
 * stream split into parts and merged is summarised as accurately as the
 * whole stream. Levels above 0 are kept sorted (compacted items and merged
 * levels are merged into them), so only level 0 is ever sorted.
 *
 * Accuracy: a returned quantile is an input value whose normalized rank
 * differs from the requested one by at most
 *     eps(k) = 2.296 / k^0.9723   (1.33% for k = 200)
 * with probability at least 99% (DataSketches' published bound for a single
 * quantile query, which the test suite checks on this implementation). */
#ifndef MLOPS_DATA_QUANTILE_SKETCH_H
#define MLOPS_DATA_QUANTILE_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"

/* MLOPS_KLL_LEVEL0_SLACK: extra items level 0 may hold before compacting.
 * Compacting in batches of this size sorts and merges each value a handful
 * of times instead of once per few values, and loses no accuracy: a
 * compaction's error does not depend on the level's length, so fewer
 * compactions only help. It costs 16 KiB per sketch. */
enum { MLOPS_KLL_MAX_LEVELS = 64, MLOPS_KLL_MIN_WIDTH = 8, MLOPS_KLL_LEVEL0_SLACK = 2048 };

/* Seed of every sketch's coin. */
#define MLOPS_KLL_SEED 0x4b4c4c2d70726f66ull

typedef struct mlops__kll_level {
    double *items;
    size_t len, cap;
} mlops__kll_level;

typedef struct mlops__kll {
    uint32_t k;
    uint64_t n;             /* values summarised */
    size_t nlevels;         /* levels in use (at least 1) */
    size_t retained;        /* items held over all levels */
    size_t capacity;        /* sum of the level capacities for nlevels */
    uint32_t level_cap[MLOPS_KLL_MAX_LEVELS]; /* capacity of each level in use */
    mlops__kll_level level[MLOPS_KLL_MAX_LEVELS];
    mlops__rng rng;
} mlops__kll;

/* Normalized rank error bound of a sketch with parameter k (see above). */
double mlops__kll_rank_error(uint32_t k);

/* An empty sketch; k >= MLOPS_KLL_MIN_WIDTH. Allocates nothing. */
void mlops__kll_init(mlops__kll *s, uint32_t k);
void mlops__kll_free(mlops__kll *s);
/* Adds one value (never NaN). May allocate; after a failure the sketch is
 * still a valid summary (of the stream with or without the value). */
int mlops__kll_update(mlops__kll *s, double v);
/* Adds the values of v[0..n) that are not NaN, in order: the same sketch as
 * one mlops__kll_update() per value. */
int mlops__kll_update_many(mlops__kll *s, const double *v, size_t n);
/* Values a sketch summarises item by item before mlops__kll_update_stream()
 * starts sampling: T(k) = 65536 (k / 200)^2, at least 4096. */
uint64_t mlops__kll_sample_start(uint32_t k);

/* As mlops__kll_update_many() for long streams: once the sketch holds
 * n >= 2 T(k) values, each full block of b = 2^floor(log2(n / T)) values of
 * the call (NaN skipped) gives one of its values, drawn uniformly, as an
 * item of weight b at level log2(b); the values after the last full block
 * are added one by one. Weights stay exact (n counts every value), the cost
 * per value drops by about b, and the rank of any value moves by a sum of
 * independent block errors whose standard deviation is at most
 * n / sqrt(8 T): 0.14% of n for k = 200, so a quantile's rank error stays
 * within eps(k) + 3 / sqrt(8 T) (1.74% for k = 200) with probability at
 * least 98.5%. Shorter streams get exactly mlops__kll_update_many(). */
int mlops__kll_update_stream(mlops__kll *s, const double *v, size_t n);

/* s := summary of both streams. `o` must have the same k. */
int mlops__kll_merge(mlops__kll *s, const mlops__kll *o);
/* A copy of `src` into `dst`. */
int mlops__kll_copy(mlops__kll *dst, const mlops__kll *src);
/* Sets the number of levels of an empty sketch being rebuilt from saved
 * items (1 .. MLOPS_KLL_MAX_LEVELS), recomputing the level capacities. */
void mlops__kll_set_levels(mlops__kll *s, size_t nlevels);
/* The retained items in ascending order with their weights (2^level):
 * x[0..n) and w[0..n), new arrays the caller frees with mlops__free; the
 * weights add up to s->n. For histograms and distances computed from the
 * sketch as a weighted sample. */
int mlops__kll_items(const mlops__kll *s, double **x, double **w, size_t *n);

/* The retained item at normalized rank q in (0, 1): the smallest item whose
 * cumulative weight reaches q * n. Needs a scratch allocation (n > 0). */
int mlops__kll_quantile(const mlops__kll *s, double q, double *value);

#endif
