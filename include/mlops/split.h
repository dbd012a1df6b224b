/* Dataset splits: train/test (plain or stratified), k-fold assignments
 * (plain or stratified) and time-ordered splits.
 *
 * Every split is a pure function of the dataset's values and the seed: the
 * random draws come from the library's own integer generator (SFC64), never
 * from rand() or floating-point arithmetic, so a seed gives the same rows on
 * every platform and compiler. Both parts keep the rows in their original
 * order. Row numbers in messages are 0-based data rows. */
#ifndef MLOPS_SPLIT_H
#define MLOPS_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/dataset.h"
#include "mlops/export.h"

MLOPS_BEGIN_DECLS

/** Flags of mlops_split_kfold(). */
enum {
    MLOPS_SPLIT_SHUFFLE = 1u /**< deal rows to folds in a seeded random order */
};

/** Splits `d` at random into a training and a test dataset.
 *
 *  The test part gets ceil(test_fraction * rows) rows (the rule of
 *  scikit-learn's train_test_split), the training part the rest; both must
 *  be non-empty. `test_fraction` must lie strictly between 0 and 1.
 *
 *  `stratify_column` (may be NULL: no stratification) names a categorical
 *  column, or a numeric column whose values are whole numbers, whose classes
 *  keep their proportions in both parts: class c with n_c of the n rows gets
 *  floor(n_train * n_c / n) training rows (exact integer arithmetic), and the
 *  rows still missing from n_train go one each to the classes with the
 *  largest remainders, ties among equal remainders broken by the seed; the
 *  class's other rows go to the test part. Every class needs at least 2 rows,
 *  and each part at least one row per class.
 *
 *  On success `*train` and `*test` receive new datasets owned by the caller
 *  (release with mlops_dataset_free()), with the columns and metadata of `d`
 *  and the rows in their original order. On failure neither is written.
 *
 *  Returns MLOPS_OK; MLOPS_EINVAL for NULL or equal output pointers, a
 *  fraction outside (0, 1), a part that would be empty, a missing or
 *  fractional value in the stratify column (naming the row), or a class too
 *  small (naming the class and its count); MLOPS_ENOTFOUND when the stratify
 *  column does not exist (suggesting the closest name); MLOPS_ENOMEM. */
MLOPS_API int mlops_split_train_test(const mlops_dataset *d, double test_fraction, uint64_t seed,
                                     const char *stratify_column, mlops_dataset **train,
                                     mlops_dataset **test);

/** As mlops_split_train_test() with the size of the test part given as a
 *  row count, 1 <= test_rows < rows. */
MLOPS_API int mlops_split_train_test_rows(const mlops_dataset *d, size_t test_rows,
                                          uint64_t seed, const char *stratify_column,
                                          mlops_dataset **train, mlops_dataset **test);

/** Assigns every row of `d` to one of `k` folds for cross-validation,
 *  writing the fold (0 .. k-1) of row i to fold_of_row[i]; the caller's array
 *  holds `fold_of_row_len` entries, which must equal the row count.
 *
 *  Without stratification (`stratify_column` NULL) the rows, in order or
 *  shuffled with `seed` when `flags` has MLOPS_SPLIT_SHUFFLE, are cut into k
 *  consecutive runs; the first rows % k folds get one row more than the
 *  others (scikit-learn's KFold). With stratification each fold receives
 *  every class within one row of its share: the rows sorted by class (in
 *  order of first appearance) are dealt to folds 0, 1, ..., k-1, 0, 1, ...
 *  and each class's fold labels are given to its rows in row order, or in a
 *  seeded random order with MLOPS_SPLIT_SHUFFLE (scikit-learn's
 *  StratifiedKFold; without shuffling the folds equal scikit-learn's).
 *  `seed` is ignored without MLOPS_SPLIT_SHUFFLE.
 *
 *  Returns MLOPS_OK; MLOPS_EINVAL for a NULL argument, unknown flags, k < 2,
 *  k > rows, k > UINT32_MAX, a wrong `fold_of_row_len`, a missing or
 *  fractional value in the stratify column, or (stratified) a class with
 *  fewer than k rows (naming the class and its count); MLOPS_ENOTFOUND for an
 *  unknown stratify column; MLOPS_ENOMEM. On failure `fold_of_row` is left
 *  unchanged. */
MLOPS_API int mlops_split_kfold(const mlops_dataset *d, size_t k, unsigned flags, uint64_t seed,
                                const char *stratify_column, uint32_t *fold_of_row,
                                size_t fold_of_row_len);

/** Builds the training (rows whose fold_of_row entry differs from `fold`)
 *  and test (rows whose entry equals `fold`) datasets of one fold, rows in
 *  their original order. `fold_of_row` (borrowed) holds `fold_of_row_len`
 *  entries, which must equal the row count. Outputs as for
 *  mlops_split_train_test(). Returns MLOPS_OK; MLOPS_EINVAL for a NULL
 *  argument, a wrong length, or a fold with no rows or with every row;
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_split_fold(const mlops_dataset *d, const uint32_t *fold_of_row,
                               size_t fold_of_row_len, uint32_t fold, mlops_dataset **train,
                               mlops_dataset **test);

/** Splits `d` by time: the test part holds the ceil(test_fraction * rows)
 *  rows with the latest times, the training part the earlier ones.
 *
 *  `time_column` names a numeric column (any ordered number: epoch seconds,
 *  a year, a sequence number) or a categorical column of ISO-8601 dates or
 *  date-times: YYYY-MM-DD, optionally followed by 'T' or a space and hh:mm,
 *  hh:mm:ss or hh:mm:ss.f (1 to 9 digits), optionally followed by 'Z' or a
 *  UTC offset (+hh:mm, +hhmm, +hh). Values are compared as instants (a date
 *  is its midnight; offsets are converted to UTC), so mixed spellings order
 *  correctly; values with and without a zone may not be mixed. NULL selects
 *  the one column whose role is MLOPS_ROLE_TIME.
 *
 *  Rows with equal times always land on the same side: when the cut falls
 *  inside a run of equal times, the whole run goes to the side that keeps
 *  the test size closest to the requested one (to the test side when both
 *  are equally close), unless that empties a part.
 *
 *  Outputs as for mlops_split_train_test(). Returns MLOPS_OK; MLOPS_EINVAL
 *  for NULL or equal output pointers, a fraction outside (0, 1), a part that
 *  would be empty (for example when every row has the same time), a missing
 *  time or a string that is not an ISO-8601 date (naming the row and the
 *  value), or NULL `time_column` with no or several time-role columns;
 *  MLOPS_ENOTFOUND for an unknown column; MLOPS_ENOMEM. */
MLOPS_API int mlops_split_by_time(const mlops_dataset *d, const char *time_column,
                                  double test_fraction, mlops_dataset **train,
                                  mlops_dataset **test);

MLOPS_END_DECLS

#endif /* MLOPS_SPLIT_H */
