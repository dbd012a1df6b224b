/* k-fold assignments (plain and stratified) and the two parts of one fold.
 *
 * Both follow scikit-learn's KFold and StratifiedKFold, so unshuffled folds
 * equal scikit-learn's row for row; shuffled folds draw from the library's
 * generator instead of NumPy's. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/dataset_impl.h"
#include "data/split_impl.h"
#include "mlops/split.h"

/* Consecutive runs of the (possibly shuffled) row order; the first n % k
 * folds hold one row more. */
static int assign_plain(size_t n, size_t k, unsigned flags, uint64_t seed, uint32_t *fold_of_row)
{
    size_t *perm = NULL;
    if (flags & MLOPS_SPLIT_SHUFFLE) {
        perm = mlops__malloc_array(n, sizeof *perm, "row permutation");
        if (perm == NULL) return MLOPS_ENOMEM;
        for (size_t i = 0; i < n; i++) perm[i] = i;
        mlops__rng rng;
        mlops__rng_seed(&rng, seed);
        mlops__rng_shuffle(&rng, perm, n);
    }
    size_t base = n / k, extra = n % k, pos = 0;
    for (size_t f = 0; f < k; f++) {
        size_t size = base + (f < extra);
        for (size_t m = 0; m < size; m++, pos++) fold_of_row[perm ? perm[pos] : pos] = (uint32_t)f;
    }
    mlops__free(perm);
    return MLOPS_OK;
}

static int check_class_sizes(const mlops__split_classes *c, const mlops_dataset *d, size_t k,
                             const char *func)
{
    size_t smallest = 0;
    for (size_t m = 1; m < c->n; m++)
        if (c->count[m] < c->count[smallest]) smallest = m;
    if (c->count[smallest] >= k) return MLOPS_OK;
    char label[MLOPS__CLASS_LABEL_SIZE];
    return mlops__fail(MLOPS_EINVAL,
                       "%s: dataset '%s' column '%s': class '%s' has %zu row(s) (first at row "
                       "%zu), fewer than the %zu folds; every class needs a row in every fold",
                       func, d->source, d->cols[c->col].name,
                       mlops__split_class_label(c, d, smallest, label), c->count[smallest],
                       c->first_row[smallest], k);
}

/* Deals the rows, sorted by class, to folds 0..k-1 in turn; class c's
 * labels (fold numbers in increasing order, shuffled when asked) are then
 * given to its rows in row order. Every class has at least k rows, so the
 * k x classes allocation table has at most n entries. */
static int assign_stratified(const mlops_dataset *d, size_t k, unsigned flags, uint64_t seed,
                             const char *column, uint32_t *fold_of_row, const char *func)
{
    mlops__split_classes c;
    int rc = mlops__split_classes_init(&c, d, column, func);
    if (rc != MLOPS_OK) return rc;
    rc = check_class_sizes(&c, d, k, func);
    size_t n = d->rows;
    size_t *labels = NULL, *start = NULL;
    if (rc == MLOPS_OK) {
        labels = mlops__malloc_array(n, sizeof *labels, "fold labels");
        start = mlops__malloc_array(c.n, sizeof *start, "class offsets");
        if (labels == NULL || start == NULL) rc = MLOPS_ENOMEM;
    }
    if (rc == MLOPS_OK) {
        /* Position p of the class-sorted order goes to fold p % k, so class
         * c's labels are the folds of its positions, already increasing
         * once the run is sorted; a counting pass keeps it O(n). */
        size_t pos = 0;
        for (size_t cls = 0; cls < c.n; cls++) {
            start[cls] = pos;
            size_t first_fold = pos % k, len = c.count[cls], at = pos;
            for (size_t f = 0; f < k; f++) {
                size_t fold = f;
                /* positions in [pos, pos+len) congruent to fold mod k */
                size_t offset = (fold + k - first_fold) % k;
                size_t cnt = offset < len ? (len - offset - 1) / k + 1 : 0;
                for (size_t m = 0; m < cnt; m++) labels[at++] = fold;
            }
            pos += len;
        }
        mlops__rng rng;
        mlops__rng_seed(&rng, seed);
        if (flags & MLOPS_SPLIT_SHUFFLE)
            for (size_t cls = 0; cls < c.n; cls++)
                mlops__rng_shuffle(&rng, labels + start[cls], c.count[cls]);
        for (size_t r = 0; r < n; r++) fold_of_row[r] = (uint32_t)labels[start[c.of_row[r]]++];
    }
    mlops__free(labels);
    mlops__free(start);
    mlops__split_classes_clear(&c);
    return rc;
}

MLOPS_API int mlops_split_kfold(const mlops_dataset *d, size_t k, unsigned flags, uint64_t seed,
                                const char *stratify_column, uint32_t *fold_of_row,
                                size_t fold_of_row_len)
{
    static const char func[] = "mlops_split_kfold";
    if (d == NULL || fold_of_row == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (flags & ~(unsigned)MLOPS_SPLIT_SHUFFLE)
        return mlops__fail(MLOPS_EINVAL, "%s: unknown flags 0x%x", func,
                           flags & ~(unsigned)MLOPS_SPLIT_SHUFFLE);
    if (fold_of_row_len != d->rows)
        return mlops__fail(MLOPS_EINVAL,
                           "%s: fold_of_row holds %zu entries but dataset '%s' has %zu rows", func,
                           fold_of_row_len, d->source, d->rows);
    if (k < 2 || k > d->rows || (uint64_t)k > UINT32_MAX)
        return mlops__fail(MLOPS_EINVAL, "%s: k = %zu folds is outside 2..%zu for dataset '%s'",
                           func, k, d->rows, d->source);
    if (stratify_column != NULL)
        return assign_stratified(d, k, flags, seed, stratify_column, fold_of_row, func);
    return assign_plain(d->rows, k, flags, seed, fold_of_row);
}

MLOPS_API int mlops_split_fold(const mlops_dataset *d, const uint32_t *fold_of_row,
                               size_t fold_of_row_len, uint32_t fold, mlops_dataset **train,
                               mlops_dataset **test)
{
    static const char func[] = "mlops_split_fold";
    if (d == NULL || fold_of_row == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    int rc = mlops__split_check_outputs(train, test, func);
    if (rc != MLOPS_OK) return rc;
    if (fold_of_row_len != d->rows)
        return mlops__fail(MLOPS_EINVAL,
                           "%s: fold_of_row holds %zu entries but dataset '%s' has %zu rows", func,
                           fold_of_row_len, d->source, d->rows);
    size_t in_fold = 0;
    for (size_t r = 0; r < d->rows; r++) in_fold += fold_of_row[r] == fold;
    if (in_fold == 0 || in_fold == d->rows)
        return mlops__fail(MLOPS_EINVAL, "%s: fold %u holds %s of the %zu rows of dataset '%s'",
                           func, (unsigned)fold, in_fold ? "all" : "none", d->rows, d->source);
    uint8_t *in_test = mlops__malloc(d->rows, "test row mask");
    if (in_test == NULL) return MLOPS_ENOMEM;
    for (size_t r = 0; r < d->rows; r++) in_test[r] = fold_of_row[r] == fold;
    rc = mlops__split_build(d, in_test, train, test);
    mlops__free(in_test);
    return rc;
}
