/* mlops_profile: the data-quality profile of a dataset, built in bounded
 * memory from a stream of row batches and mergeable across parts.
 *
 * Per column: count of present values, missing count, distinct count, and
 * for numeric columns min, max, mean, sample standard deviation and
 * quantiles; for categorical columns the most frequent categories with their
 * counts. Per dataset: rows, duplicate rows, constant columns and columns
 * with no value at all.
 *
 * Each statistic is exact while the data fits a configured bound and then
 * switches to a sketch whose error bound is stated below, so the memory a
 * profile holds never grows with the number of rows:
 *
 *  - distinct count: exact up to distinct_exact_limit distinct values per
 *    column, then a HyperLogLog sketch (precision 14, 64-bit hashes, 16 KiB)
 *    with a relative standard error of 0.81%;
 *  - quantiles: exact (linear interpolation between order statistics, as
 *    numpy.quantile's default 'linear' method and pandas' quantile) while the
 *    column holds at most quantile_exact_limit values, then a KLL sketch
 *    with parameter k = quantile_sketch_k whose answer is a value of the
 *    column whose normalized rank is within eps = 2.296 / k^0.9723 of the
 *    requested one with probability at least 99% (1.33% for k = 200);
 *    past 2 T values (T = 65536 (k / 200)^2) the sketch takes one value
 *    drawn at random from each block of 2^floor(log2(n / T)) values of a
 *    batch, which makes profiling long columns several times faster and
 *    widens the bound to eps + 3 / sqrt(8 T) (1.74% for k = 200) with
 *    probability at least 98.5%;
 *  - top categories: exact counts while the column has at most
 *    distinct_exact_limit distinct strings, then a Misra-Gries summary of
 *    top_sketch_size strings whose counts are low by at most a reported
 *    error e <= N / (top_sketch_size + 1), N the column's present values;
 *  - duplicate rows: exact (up to a 128-bit hash collision, probability
 *    below rows^2 / 2^129) while at most duplicate_exact_limit distinct rows
 *    were seen, then estimated from a hash-based sample of at least half
 *    that many distinct rows (see mlops_profile_duplicate_rows()).
 *
 * The state is self-contained (it keeps no pointer into any dataset), so a
 * profile outlives the batches it saw, and two profiles of parts of a data
 * set merge into the profile of the whole: exactly for counts, missing
 * counts, minimum and maximum, mean and standard deviation up to rounding,
 * and the exact statistics while the whole stays within the bounds; within
 * the stated bounds for sketches.
 *
 * Thread safety: a profile may be read from several threads at once;
 * mlops_profile_set(), _add() and _merge() need the caller's lock. */
#ifndef MLOPS_PROFILE_H
#define MLOPS_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/dataset.h"
#include "mlops/export.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_profile mlops_profile;

/** Flags returned by mlops_profile_column_flags(). */
enum {
    MLOPS_PROFILE_CONSTANT = 1,   /**< exactly one distinct present value */
    MLOPS_PROFILE_ALL_MISSING = 2, /**< rows were seen but no present value */
    /** the column's histogram was estimated from the quantile sketch (see
     *  mlops_profile_fix_bins()) instead of counted */
    MLOPS_PROFILE_HISTOGRAM_ESTIMATED = 4
};

/* ---- Life cycle ------------------------------------------------------- */

/** Creates an empty profile with the default settings (see
 *  mlops_profile_set()). *out receives a new profile that the caller frees
 *  with mlops_profile_free(). Returns MLOPS_OK, MLOPS_EINVAL (out NULL) or
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_create(mlops_profile **out);

/** Releases a profile. Accepts NULL. Strings borrowed from it become
 *  invalid. */
MLOPS_API void mlops_profile_free(mlops_profile *p);

/** Changes one setting from its text form (a whole decimal number). Only
 *  allowed before the first mlops_profile_add() or mlops_profile_merge().
 *  Keys (default, valid range):
 *   distinct_exact_limit   distinct values per column counted exactly
 *                          (100000, 1 .. 1e9); also bounds the exact
 *                          category counts
 *   quantile_exact_limit   present values per numeric column stored for exact
 *                          quantiles (100000, 0 .. 1e9)
 *   quantile_sketch_k      KLL parameter k (200, 8 .. 65535)
 *   top_k                  top categories reported per categorical column
 *                          (10, 0 .. 1000000)
 *   top_sketch_size        strings kept by the Misra-Gries summary
 *                          (10000, 1 .. 1e9)
 *   duplicate_exact_limit  distinct row hashes stored for exact duplicate
 *                          counting (100000, 1 .. 1e9)
 *   bins                   quantile bins of each numeric column's reference
 *                          histogram (10, 1 .. 1000000); see
 *                          mlops_profile_fix_bins()
 *   quality                1 tracks distinct counts and duplicate rows; 0
 *                          skips both (about twice as fast; for production
 *                          profiles compared with a reference), and then
 *                          mlops_profile_distinct() and
 *                          mlops_profile_duplicate_rows() report
 *                          MLOPS_ESTATE (1, 0 .. 1)
 *   threads                columns processed at once by mlops_profile_add(),
 *                          _merge() and _fix_bins() (1, 1 .. 256); the
 *                          result is the same for any value, and it may be
 *                          changed at any time (it is not saved, and
 *                          profiles with different values merge); more
 *                          than 1 needs a thread-safe allocator
 *                          (mlops_set_allocator())
 *   exact_values_budget    caps the three per-column limits above at
 *                          budget / columns (but not below 1000) when the
 *                          first batch fixes the column count, so wide
 *                          tables stay in bounded memory; 0 = no cap
 *                          (1000000, 0 .. 1e9)
 *  Whatever the number of rows, a numeric column holds at most about
 *  32 bytes per distinct_exact_limit and 8 bytes per quantile_exact_limit
 *  (plus 16 KiB of HyperLogLog and up to about 24 KiB of KLL sketch), a categorical
 *  column about 48 bytes plus twice the string's length per string kept,
 *  and the row hashes at most 96 bytes per duplicate_exact_limit; a call
 *  to mlops_profile_add() needs temporary memory proportional to the batch.
 *  `key` and `value` are borrowed. Returns MLOPS_OK; MLOPS_EINVAL for a NULL
 *  argument, an unknown key (the message suggests the nearest valid one) or
 *  a value that is not a whole number in range; MLOPS_ESTATE after data was
 *  added. */
MLOPS_API int mlops_profile_set(mlops_profile *p, const char *key, const char *value);

/** Adds the rows of `batch` (borrowed; nothing of it is kept). The first
 *  batch (or merge) fixes the columns; every later batch must have the same
 *  column names and types in the same order, or the call fails with
 *  MLOPS_EINVAL naming the first mismatch and changes nothing. Categorical
 *  values are compared as strings, so batches may code their dictionaries
 *  differently. A batch of zero rows only fixes the columns.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, column mismatch);
 *  MLOPS_ESTATE (the profile failed earlier); MLOPS_ENOMEM. After
 *  MLOPS_ENOMEM (or MLOPS_ERANGE, more than 2^63 values) the profile holds
 *  part of the batch and is marked failed: every later call on it except
 *  mlops_profile_free() and the name/type/count accessors reports
 *  MLOPS_ESTATE. */
MLOPS_API int mlops_profile_add(mlops_profile *p, const mlops_dataset *batch);

/** Merges `other` (borrowed, unchanged) into `p`, so that `p` describes the
 *  rows of both. Both must have the same settings and, unless one of them
 *  has seen nothing yet, the same column names and types; an empty `p`
 *  takes the columns of `other`. Returns MLOPS_OK; MLOPS_EINVAL (NULL
 *  argument, p == other, different settings or columns, naming the first
 *  difference); MLOPS_ESTATE (either profile failed earlier); MLOPS_ENOMEM,
 *  after which `p` is marked failed as for mlops_profile_add(). */
MLOPS_API int mlops_profile_merge(mlops_profile *p, const mlops_profile *other);

/* ---- Dataset level ---------------------------------------------------- */

/** Rows added so far (0 for NULL). */
MLOPS_API uint64_t mlops_profile_rows(const mlops_profile *p);

/** Number of columns (0 for NULL or before the first batch). */
MLOPS_API size_t mlops_profile_cols(const mlops_profile *p);

/** Rows equal to an earlier row (all columns equal; missing equals
 *  missing; -0.0 equals 0.0), as pandas' DataFrame.duplicated().sum().
 *  *exact is set to 1 when the count is exact, 0 when it is the estimate
 *  S * 2^L from a sample of the distinct rows that keeps each with
 *  probability 2^-L, S being the duplicates in the sample; its relative
 *  standard error is about 1 / sqrt(S) when duplicated rows mostly occur
 *  twice. `dups` and `exact` may be NULL. Returns MLOPS_OK, MLOPS_EINVAL
 *  (p NULL) or MLOPS_ESTATE (failed profile). */
MLOPS_API int mlops_profile_duplicate_rows(const mlops_profile *p, uint64_t *dups, int *exact);

/* ---- Column metadata -------------------------------------------------- */

/** Name of column `col`, borrowed from `p` (valid until it is freed);
 *  NULL when p is NULL or col is out of range. */
MLOPS_API const char *mlops_profile_column_name(const mlops_profile *p, size_t col);

/** Type of column `col` (MLOPS_NUMERIC or MLOPS_CATEGORICAL), or
 *  MLOPS_EINVAL when p is NULL or col is out of range. */
MLOPS_API int mlops_profile_column_type(const mlops_profile *p, size_t col);

/** Finds a column by exact name. Returns MLOPS_OK and stores its index in
 *  *col; MLOPS_EINVAL for NULL arguments; MLOPS_ENOTFOUND with a message
 *  suggesting the closest existing name. */
MLOPS_API int mlops_profile_column_index(const mlops_profile *p, const char *name, size_t *col);

/** A combination of MLOPS_PROFILE_CONSTANT and MLOPS_PROFILE_ALL_MISSING
 *  (0 for neither) for column `col`, or MLOPS_EINVAL (col out of range) or
 *  MLOPS_ESTATE (failed profile). */
MLOPS_API int mlops_profile_column_flags(const mlops_profile *p, size_t col);

/* ---- Column statistics -------------------------------------------------- */

/** Present and missing values of column `col`; either pointer may be NULL.
 *  Returns MLOPS_OK, MLOPS_EINVAL (col out of range) or MLOPS_ESTATE. */
MLOPS_API int mlops_profile_counts(const mlops_profile *p, size_t col, uint64_t *count,
                                   uint64_t *missing);

/** Distinct present values of column `col` (numeric values compare as
 *  doubles, -0.0 equal to 0.0; categories as strings). *exact is 1 for an
 *  exact count, 0 for a HyperLogLog estimate (relative standard error
 *  0.81%). Either pointer may be NULL. Returns MLOPS_OK, MLOPS_EINVAL or
 *  MLOPS_ESTATE. */
MLOPS_API int mlops_profile_distinct(const mlops_profile *p, size_t col, uint64_t *distinct,
                                     int *exact);

/** Minimum, maximum, mean and sample standard deviation (divisor count - 1,
 *  as pandas' std()) of numeric column `col`; any pointer may be NULL. All
 *  are NaN when the column has no present value, and std is NaN with fewer
 *  than two. Min, max and count are exact; mean and variance are combined
 *  with Chan's pairwise update, so they are accurate to a few units in the
 *  last place whatever the batching; they do not overflow for values near
 *  the largest double, where a plain sum of squares would (a standard
 *  deviation that itself exceeds the largest double is +Inf).
 *  Infinite values are present values: min or max is then -Inf or +Inf,
 *  and mean and std follow IEEE arithmetic as pandas does (mean +-Inf, or
 *  NaN when both infinities occur; std NaN); the JSON writes them as
 *  null. Returns MLOPS_OK, MLOPS_EINVAL (col out of range or categorical)
 *  or MLOPS_ESTATE. */
MLOPS_API int mlops_profile_stats(const mlops_profile *p, size_t col, double *min, double *max,
                                  double *mean, double *std);

/** Quantile `q` (0 <= q <= 1) of the present values of numeric column `col`
 *  into *value. q = 0 and q = 1 give the exact minimum and maximum. When the
 *  column holds at most quantile_exact_limit values the answer is exact:
 *  with the values sorted as x[0] <= ... <= x[n-1], h = (n - 1) q,
 *  i = floor(h), the result is x[i] + (h - i) (x[i+1] - x[i]) (numpy's
 *  'linear' method), and *exact is 1. Otherwise it comes from the KLL sketch
 *  (see the top of this header) and *exact is 0. *value is NaN when the
 *  column has no present value. `exact` may be NULL. The call allocates
 *  scratch memory (8 bytes per stored value) and does not change `p`.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL value, col out of range or
 *  categorical, q outside [0, 1] or NaN); MLOPS_ESTATE; MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_quantile(const mlops_profile *p, size_t col, double q,
                                     double *value, int *exact);

/** Number of top categories mlops_profile_top() reports for categorical
 *  column `col`: min(top_k, distinct strings held). Returns MLOPS_OK,
 *  MLOPS_EINVAL (NULL n, col out of range or numeric) or MLOPS_ESTATE. */
MLOPS_API int mlops_profile_top_count(const mlops_profile *p, size_t col, size_t *n);

/** The `rank`-th most frequent category of categorical column `col` (rank 0
 *  is the most frequent; ties are ordered by the strings' bytes). *value is
 *  borrowed from `p` and valid until it is freed or changed; *count is its
 *  count. While the counts are exact *max_error is 0; once the column has
 *  more distinct strings than distinct_exact_limit, the counts come from a
 *  Misra-Gries summary: the true count lies in [*count, *count +
 *  *max_error], with *max_error <= N / (top_sketch_size + 1), and a string
 *  not listed occurs at most *max_error times. Any output pointer may be
 *  NULL. Each call ranks the held strings again (O(strings log(rank))).
 *  Returns MLOPS_OK; MLOPS_EINVAL (col out of range or numeric, rank not
 *  below mlops_profile_top_count()); MLOPS_ESTATE; MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_top(const mlops_profile *p, size_t col, size_t rank,
                                const char **value, uint64_t *count, uint64_t *max_error);

/* ---- Reference histograms (drift monitoring) ------------------------------
 *
 * A profile becomes a drift reference once its bins are fixed. A numeric
 * column then holds a histogram on edges taken from its own quantiles: with
 * B = the `bins` setting (default 10), the edges are the quantiles at
 * 0, 1/B, ..., 1 (numpy.quantile, 'linear'), repeated edges dropped, plus
 * two outer bins for values below the smallest and above the largest edge,
 * so values outside the reference range are counted instead of clipped.
 * A numeric column with at most B distinct values (flags, codes, small
 * counts) gets one bin per value instead: edges at the smallest value, the
 * midpoints a/2 + b/2 between neighbouring values, and the largest value.
 * Quantile edges would put several values in one bin (a 0/1 column gets
 * the single bin [0, 1]) and hide any shift between them. A
 * categorical column holds one bin per reference category, in the order of
 * their bytes, plus a last "unseen" bin for categories the reference never
 * had. mlops_profile_create_like() makes an empty profile counting on the
 * same bins: the profile of production data to compare with the reference.
 * Histogram counts are exact and merge exactly (shards profiled apart and
 * merged give the counts of the whole). */

/** Fixes the bins of every column of `p` from the data seen so far (see
 *  above) and counts that data into them. The counts are exact when the
 *  column still holds every value (at most quantile_exact_limit present
 *  values; categories within distinct_exact_limit); otherwise the edges are
 *  the quantile sketch's quantiles and the counts are estimated from its
 *  weighted items, each within 2 eps N of the true count (eps as at the top
 *  of this header, N the present values) with probability at least 99%,
 *  and the column gets the MLOPS_PROFILE_HISTOGRAM_ESTIMATED flag. For
 *  exact counts over a stream larger than the limits, fix the bins of a
 *  first pass, create a profile like it with mlops_profile_create_like()
 *  and feed it the same data again. Values added or merged afterwards are
 *  counted exactly. A numeric column without any present value gets a
 *  single bin (-Inf, +Inf) and a categorical one only the unseen bin, so
 *  later values are counted but not compared.
 *  Returns MLOPS_OK; MLOPS_EINVAL (p NULL, no batch seen yet, a numeric
 *  column holding an infinite value, naming the column); MLOPS_ESTATE (bins
 *  already fixed, failed profile); MLOPS_ENOMEM (p unchanged). */
MLOPS_API int mlops_profile_fix_bins(mlops_profile *p);

/** Nonzero when the bins of `p` are fixed (0 for NULL). */
MLOPS_API int mlops_profile_has_bins(const mlops_profile *p);

/** Creates in *out an empty profile with the settings, columns and fixed
 *  bins of `reference` (borrowed; nothing of it is kept) and none of its
 *  data. Settings may still be changed on the new profile before data is
 *  added (for instance quality = 0 for a cheap production profile), but
 *  only profiles with equal settings merge. Batches added to it must have
 *  the reference's columns. The caller frees *out with mlops_profile_free().
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument); MLOPS_ESTATE (the
 *  reference has no fixed bins, or failed); MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_create_like(mlops_profile **out, const mlops_profile *reference);

/** Number of histogram bins of column `col` into *n: inner bins plus the
 *  two outer bins for a numeric column (a single bin, (-Inf, +Inf), when
 *  the reference had no present value); categories plus the unseen bin for
 *  a categorical one. Returns MLOPS_OK; MLOPS_EINVAL (NULL n, col out of
 *  range); MLOPS_ESTATE (bins not fixed, failed profile). */
MLOPS_API int mlops_profile_bin_count(const mlops_profile *p, size_t col, size_t *n);

/** Bin `bin` of column `col`. Numeric: *lower and *upper are its edges
 *  (-Inf and +Inf for the outer bins; an inner bin is [lower, upper), the
 *  last inner bin [lower, upper]); *category is NULL. Categorical: *lower
 *  and *upper are NaN and *category is the category, borrowed from `p`
 *  (valid until it is freed), or NULL for the unseen bin. *count is the
 *  number of values in the bin. Any output pointer may be NULL.
 *  Returns MLOPS_OK; MLOPS_EINVAL (col or bin out of range); MLOPS_ESTATE
 *  (bins not fixed, failed profile). */
MLOPS_API int mlops_profile_bin(const mlops_profile *p, size_t col, size_t bin, double *lower,
                                double *upper, const char **category, uint64_t *count);

/* ---- Storage ------------------------------------------------------------ */

/** Writes the whole state of `p` (settings, columns, statistics, held values,
 *  sketches and bins) to `path` in the library's versioned, checksummed
 *  container (kind "PROF"), replacing the file atomically. A profile loaded
 *  from it answers every query, merges and compares exactly as `p` does, so a
 *  production service needs only the saved reference, never the training
 *  data. Returns MLOPS_OK; MLOPS_EINVAL (NULL argument); MLOPS_ESTATE (failed
 *  profile); MLOPS_EIO (naming the path and the system's reason);
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_save(const mlops_profile *p, const char *path);

/** Reads a profile written by mlops_profile_save() into *out (freed by the
 *  caller with mlops_profile_free()). Every byte is checked: a truncated,
 *  corrupted or inconsistent file is refused and nothing is returned.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument); MLOPS_ENOTFOUND (no such
 *  file); MLOPS_EIO (cannot read, naming the path); MLOPS_EFORMAT (not a profile file); MLOPS_ECORRUPT
 *  (checksum or content error, naming the section and field); MLOPS_EVERSION
 *  (written by a newer format); MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_load(mlops_profile **out, const char *path);

/* ---- Export ------------------------------------------------------------- */

/** Writes the profile as pretty-printed JSON (UTF-8, NaN as null) into a
 *  new string *json that the caller frees with mlops_free(). The document
 *  holds the settings, the dataset-level results, and per column every
 *  statistic above with its exact/approximate flag and error bound, the
 *  quantiles at 0, 0.1, 0.25, 0.5, 0.75, 0.9 and 1, and the top categories;
 *  its layout is described in mlops_profile_to_json(3). Returns MLOPS_OK;
 *  MLOPS_EINVAL (NULL argument); MLOPS_ESTATE; MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_to_json(const mlops_profile *p, char **json);

MLOPS_END_DECLS

#endif /* MLOPS_PROFILE_H */
