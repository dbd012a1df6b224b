/* Random train/test splits, plain or stratified.
 *
 * The allocation follows scikit-learn's StratifiedShuffleSplit (largest
 * remainders, ties broken at random) but computes the shares with exact
 * integer arithmetic, so no rounding of n_train * n_c / n can flip a class
 * between platforms. The draw order is fixed and documented in
 * tests/reference/make_split_reference.py, which replays it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/dataset_impl.h"
#include "data/split_impl.h"
#include "mlops/split.h"

/* q = a * b / n and r = a * b % n for a, b <= n, through a 128-bit product
 * and binary long division (portable, and fast enough once per class). */
static void mul_div(uint64_t a, uint64_t b, uint64_t n, uint64_t *q, uint64_t *r)
{
    uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32;
    uint64_t b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
    uint64_t p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo, p3 = a_hi * b_hi;
    uint64_t mid = (p0 >> 32) + (p1 & 0xFFFFFFFFu) + (p2 & 0xFFFFFFFFu);
    uint64_t lo = (p0 & 0xFFFFFFFFu) | (mid << 32);
    uint64_t hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
    uint64_t quot = 0, rem = 0;
    for (int bit = 127; bit >= 0; bit--) {
        uint64_t in = bit >= 64 ? (hi >> (bit - 64)) & 1u : (lo >> bit) & 1u;
        uint64_t carry = rem >> 63;
        rem = (rem << 1) | in;
        if (carry || rem >= n) {
            rem -= n;
            if (bit < 64) quot |= UINT64_C(1) << bit;
        }
    }
    *q = quot;
    *r = rem;
}

typedef struct remainder_class {
    uint64_t remainder;
    size_t cls;
} remainder_class;

static int by_remainder_desc(const void *pa, const void *pb)
{
    const remainder_class *a = pa, *b = pb;
    if (a->remainder != b->remainder) return a->remainder > b->remainder ? -1 : 1;
    return (a->cls > b->cls) - (a->cls < b->cls);
}

/* train[c] = floor(n_train * count[c] / n), plus one for the classes with
 * the largest remainders until the counts sum to n_train. Within a run of
 * equal remainders that only partly gets the extra row, the run (in class
 * order) is shuffled and its first members get it. */
static int allocate_train(const mlops__split_classes *c, size_t n, size_t n_train,
                          mlops__rng *rng, size_t *train)
{
    remainder_class *order = mlops__malloc_array(c->n, sizeof *order, "class remainders");
    size_t *run = mlops__malloc_array(c->n, sizeof *run, "tied classes");
    if (order == NULL || run == NULL) {
        mlops__free(order);
        mlops__free(run);
        return MLOPS_ENOMEM;
    }
    size_t given = 0;
    for (size_t k = 0; k < c->n; k++) {
        uint64_t q, r;
        mul_div(n_train, c->count[k], n, &q, &r);
        train[k] = (size_t)q;
        given += (size_t)q;
        order[k].remainder = r;
        order[k].cls = k;
    }
    qsort(order, c->n, sizeof *order, by_remainder_desc);
    size_t need = n_train - given; /* < number of classes with a remainder */
    for (size_t i = 0; need > 0 && i < c->n;) {
        size_t j = i;
        while (j < c->n && order[j].remainder == order[i].remainder) j++;
        size_t len = j - i;
        for (size_t m = 0; m < len; m++) run[m] = order[i + m].cls;
        size_t add = len < need ? len : need;
        if (add < len) mlops__rng_shuffle(rng, run, len);
        for (size_t m = 0; m < add; m++) train[run[m]]++;
        need -= add;
        i = j;
    }
    mlops__free(order);
    mlops__free(run);
    return MLOPS_OK;
}

static int check_class_sizes(const mlops__split_classes *c, const mlops_dataset *d,
                             size_t n_train, size_t n_test, const char *func)
{
    char label[MLOPS__CLASS_LABEL_SIZE];
    const char *column = d->cols[c->col].name;
    for (size_t k = 0; k < c->n; k++)
        if (c->count[k] < 2)
            return mlops__fail(MLOPS_EINVAL,
                               "%s: dataset '%s' column '%s': class '%s' has only %zu row "
                               "(first at row %zu); stratification needs at least 2 per class",
                               func, d->source, column, mlops__split_class_label(c, d, k, label),
                               c->count[k], c->first_row[k]);
    if (n_train < c->n || n_test < c->n)
        return mlops__fail(MLOPS_EINVAL,
                           "%s: dataset '%s' column '%s' has %zu classes but the %s part has "
                           "only %zu rows; each part needs a row per class",
                           func, d->source, column, c->n, n_train < c->n ? "training" : "test",
                           n_train < c->n ? n_train : n_test);
    return MLOPS_OK;
}

/* Marks the test rows: each class's rows (in row order) are shuffled and
 * all but the first train[c] go to the test part. */
static int mark_stratified(const mlops_dataset *d, const char *column, size_t n_test,
                           mlops__rng *rng, uint8_t *in_test, const char *func)
{
    mlops__split_classes c;
    int rc = mlops__split_classes_init(&c, d, column, func);
    if (rc != MLOPS_OK) return rc;
    size_t n = d->rows;
    rc = check_class_sizes(&c, d, n - n_test, n_test, func);
    size_t *train = NULL, *start = NULL, *members = NULL;
    if (rc == MLOPS_OK) {
        train = mlops__malloc_array(c.n, sizeof *train, "class training counts");
        start = mlops__malloc_array(c.n, sizeof *start, "class offsets");
        members = mlops__malloc_array(n, sizeof *members, "rows by class");
        if (train == NULL || start == NULL || members == NULL) rc = MLOPS_ENOMEM;
    }
    if (rc == MLOPS_OK) rc = allocate_train(&c, n, n - n_test, rng, train);
    if (rc == MLOPS_OK) {
        /* Group rows by class, each group in row order. */
        size_t at = 0;
        for (size_t k = 0; k < c.n; k++) {
            start[k] = at;
            at += c.count[k];
        }
        for (size_t r = 0; r < n; r++) members[start[c.of_row[r]]++] = r;
        for (size_t k = 0; k < c.n; k++) {
            size_t *rows = members + start[k] - c.count[k];
            mlops__rng_shuffle(rng, rows, c.count[k]);
            for (size_t m = train[k]; m < c.count[k]; m++) in_test[rows[m]] = 1;
        }
    }
    mlops__free(train);
    mlops__free(start);
    mlops__free(members);
    mlops__split_classes_clear(&c);
    return rc;
}

/* Shuffles all row indices; the first n_test are the test rows. */
static int mark_plain(size_t n, size_t n_test, mlops__rng *rng, uint8_t *in_test)
{
    size_t *perm = mlops__malloc_array(n, sizeof *perm, "row permutation");
    if (perm == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < n; i++) perm[i] = i;
    mlops__rng_shuffle(rng, perm, n);
    for (size_t i = 0; i < n_test; i++) in_test[perm[i]] = 1;
    mlops__free(perm);
    return MLOPS_OK;
}

static int split_rows(const mlops_dataset *d, size_t n_test, uint64_t seed, const char *column,
                      mlops_dataset **train, mlops_dataset **test, const char *func)
{
    uint8_t *in_test = mlops__calloc(d->rows ? d->rows : 1, 1, "test row mask");
    if (in_test == NULL) return MLOPS_ENOMEM;
    mlops__rng rng;
    mlops__rng_seed(&rng, seed);
    int rc = column ? mark_stratified(d, column, n_test, &rng, in_test, func)
                    : mark_plain(d->rows, n_test, &rng, in_test);
    if (rc == MLOPS_OK) rc = mlops__split_build(d, in_test, train, test);
    mlops__free(in_test);
    return rc;
}

MLOPS_API int mlops_split_train_test(const mlops_dataset *d, double test_fraction, uint64_t seed,
                                     const char *stratify_column, mlops_dataset **train,
                                     mlops_dataset **test)
{
    static const char func[] = "mlops_split_train_test";
    size_t n_test;
    int rc = mlops__split_test_size(d, test_fraction, &n_test, train, test, func);
    if (rc != MLOPS_OK) return rc;
    return split_rows(d, n_test, seed, stratify_column, train, test, func);
}

MLOPS_API int mlops_split_train_test_rows(const mlops_dataset *d, size_t test_rows,
                                          uint64_t seed, const char *stratify_column,
                                          mlops_dataset **train, mlops_dataset **test)
{
    static const char func[] = "mlops_split_train_test_rows";
    if (d == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL dataset", func);
    int rc = mlops__split_check_outputs(train, test, func);
    if (rc != MLOPS_OK) return rc;
    if (d->rows < 2)
        return mlops__fail(MLOPS_EINVAL, "%s: dataset '%s' has %zu row(s); a split needs 2 or more",
                           func, d->source, d->rows);
    if (test_rows < 1 || test_rows >= d->rows)
        return mlops__fail(MLOPS_EINVAL,
                           "%s: test_rows %zu is outside 1..%zu for dataset '%s' (%zu rows)", func,
                           test_rows, d->rows - 1, d->source, d->rows);
    return split_rows(d, test_rows, seed, stratify_column, train, test, func);
}
