/* Dataset splits on the real datasets: golden rows and folds replayed by
 * tests/reference/make_split_reference.py (scikit-learn's answer where it
 * does not depend on its generator), sizes, class proportions, disjoint
 * and complete coverage, determinism, error messages and out-of-memory
 * behaviour. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"
#include "test_split_reference.h"

#ifndef DATA_DIR
#error "DATA_DIR must name tests/data"
#endif

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static mlops_dataset *iris, *wine, *cars;

static mlops_dataset *read_real(const char *stem)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real/%s.csv", DATA_DIR, stem);
    mlops_dataset *d = NULL;
    int rc = mlops_dataset_read_csv(&d, path, NULL);
    ck_assert_msg(rc == MLOPS_OK, "%s: %s", path, mlops_last_error());
    return d;
}

static void load(void)
{
    iris = read_real("iris");
    wine = read_real("wine");
    cars = read_real("cars");
}

static void unload(void)
{
    mlops_dataset_free(iris);
    mlops_dataset_free(wine);
    mlops_dataset_free(cars);
    iris = wine = cars = NULL;
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}

static const char *fp(const mlops_dataset *d, char hex[65])
{
    ck_assert_int_eq(mlops_dataset_fingerprint(d, hex, 65), MLOPS_OK);
    return hex;
}

static size_t column(const mlops_dataset *d, const char *name)
{
    size_t col;
    ck_assert_int_eq(mlops_dataset_column_index(d, name, &col), MLOPS_OK);
    return col;
}

/* Asserts that `part` holds exactly rows[0..n) of `d`, in that order. */
static void assert_rows(const mlops_dataset *d, const mlops_dataset *part, const size_t *rows,
                        size_t n)
{
    mlops_dataset *expected;
    char a[65], b[65];
    ck_assert_int_eq(mlops_dataset_take_rows(&expected, d, rows, n), MLOPS_OK);
    ck_assert_uint_eq(mlops_dataset_rows(part), n);
    ck_assert_str_eq(fp(part, a), fp(expected, b));
    mlops_dataset_free(expected);
}

/* The complement of sorted rows[0..n) in 0..total, into `out`. */
static size_t complement(const size_t *rows, size_t n, size_t total, size_t *out)
{
    size_t m = 0, i = 0;
    for (size_t r = 0; r < total; r++) {
        if (i < n && rows[i] == r)
            i++;
        else
            out[m++] = r;
    }
    ck_assert_uint_eq(i, n);
    return m;
}

static void assert_split(const mlops_dataset *d, const mlops_dataset *train,
                         const mlops_dataset *test, const size_t *test_rows, size_t n_test)
{
    size_t total = mlops_dataset_rows(d);
    size_t *train_rows = malloc(total * sizeof *train_rows);
    ck_assert_ptr_nonnull(train_rows);
    size_t n_train = complement(test_rows, n_test, total, train_rows);
    assert_rows(d, test, test_rows, n_test);
    assert_rows(d, train, train_rows, n_train);
    free(train_rows);
}

/* A dataset of two columns: "id" = 0..n-1 and a copy of column `name` of
 * `d`, so a split of it shows which rows went where. Splits depend only on
 * the row count and the stratify column, so it splits like `d`. */
static mlops_dataset *with_ids(const mlops_dataset *d, const char *name)
{
    size_t n = mlops_dataset_rows(d), col = column(d, name);
    double *ids = malloc(n * sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    for (size_t i = 0; i < n; i++) ids[i] = (double)i;
    mlops_dataset_builder *b;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, n), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "id", ids), MLOPS_OK);
    if (mlops_dataset_column_type(d, col) == MLOPS_NUMERIC) {
        const double *values;
        ck_assert_int_eq(mlops_dataset_numeric_data(d, col, &values), MLOPS_OK);
        ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, name, values), MLOPS_OK);
    } else {
        int32_t *codes = malloc(n * sizeof *codes);
        const char **strings = malloc(n * sizeof *strings);
        ck_assert_ptr_nonnull(codes);
        ck_assert_ptr_nonnull(strings);
        ck_assert_int_eq(mlops_dataset_get_codes(d, col, 0, n, codes), MLOPS_OK);
        for (size_t i = 0; i < n; i++) strings[i] = mlops_dataset_category(d, col, codes[i]);
        ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, name, strings), MLOPS_OK);
        free(codes);
        free(strings);
    }
    mlops_dataset *out;
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &out), MLOPS_OK);
    mlops_dataset_builder_free(b);
    free(ids);
    return out;
}

/* Row ids of a part of a with_ids() dataset. */
static size_t *ids_of(const mlops_dataset *part)
{
    size_t n = mlops_dataset_rows(part);
    double *v = malloc((n ? n : 1) * sizeof *v);
    size_t *ids = malloc((n ? n : 1) * sizeof *ids);
    ck_assert_ptr_nonnull(v);
    ck_assert_ptr_nonnull(ids);
    ck_assert_int_eq(mlops_dataset_get_numeric(part, 0, 0, n, v), MLOPS_OK);
    for (size_t i = 0; i < n; i++) ids[i] = (size_t)v[i];
    free(v);
    return ids;
}

/* Checks that the two parts of an id dataset of n rows are disjoint, cover
 * every row, and keep the original order. */
static void assert_partition(const mlops_dataset *train, const mlops_dataset *test, size_t n)
{
    size_t a = mlops_dataset_rows(train), b = mlops_dataset_rows(test);
    ck_assert_uint_eq(a + b, n);
    size_t *ta = ids_of(train), *tb = ids_of(test);
    char *seen = calloc(n, 1);
    ck_assert_ptr_nonnull(seen);
    for (size_t i = 0; i < a; i++) {
        if (i) ck_assert_uint_lt(ta[i - 1], ta[i]);
        ck_assert(!seen[ta[i]]);
        seen[ta[i]] = 1;
    }
    for (size_t i = 0; i < b; i++) {
        if (i) ck_assert_uint_lt(tb[i - 1], tb[i]);
        ck_assert(!seen[tb[i]]);
        seen[tb[i]] = 1;
    }
    free(seen);
    free(ta);
    free(tb);
}

/* Rows of each class (by category string or value) in column `name`. */
static size_t class_count(const mlops_dataset *d, const char *name, const char *label)
{
    size_t col = column(d, name), n = mlops_dataset_rows(d), count = 0;
    for (size_t r = 0; r < n; r++) {
        char text[64];
        if (mlops_dataset_column_type(d, col) == MLOPS_NUMERIC) {
            double v;
            ck_assert_int_eq(mlops_dataset_get_numeric(d, col, r, 1, &v), MLOPS_OK);
            snprintf(text, sizeof text, "%.0f", v);
        } else {
            int32_t code;
            ck_assert_int_eq(mlops_dataset_get_codes(d, col, r, 1, &code), MLOPS_OK);
            snprintf(text, sizeof text, "%s", mlops_dataset_category(d, col, code));
        }
        count += strcmp(text, label) == 0;
    }
    return count;
}

START_TEST(golden_train_test)
{
    mlops_dataset *train, *test;
    ck_assert_int_eq(mlops_split_train_test(iris, 0.2, 42, NULL, &train, &test), MLOPS_OK);
    assert_split(iris, train, test, iris_plain_test_42, COUNT(iris_plain_test_42));
    mlops_dataset_free(train);
    mlops_dataset_free(test);

    ck_assert_int_eq(mlops_split_train_test(iris, 0.25, 7, "species", &train, &test), MLOPS_OK);
    assert_split(iris, train, test, iris_strat_test_7, COUNT(iris_strat_test_7));
    mlops_dataset_free(train);
    mlops_dataset_free(test);

    ck_assert_int_eq(mlops_split_train_test(wine, 0.3, 2024, "target", &train, &test), MLOPS_OK);
    assert_split(wine, train, test, wine_strat_test_2024, COUNT(wine_strat_test_2024));
    mlops_dataset_free(train);
    mlops_dataset_free(test);

    /* The row-count form with the same count is the same split. */
    ck_assert_int_eq(mlops_split_train_test_rows(iris, 30, 42, NULL, &train, &test), MLOPS_OK);
    assert_split(iris, train, test, iris_plain_test_42, COUNT(iris_plain_test_42));
    mlops_dataset_free(train);
    mlops_dataset_free(test);
}
END_TEST

START_TEST(train_test_sizes_and_coverage)
{
    static const double fractions[] = {0.01, 0.1, 0.2, 0.25, 1.0 / 3.0, 0.5, 0.77, 0.99};
    mlops_dataset *ids = with_ids(wine, "target");
    size_t n = mlops_dataset_rows(ids);
    for (size_t i = 0; i < COUNT(fractions); i++) {
        for (int strat = 0; strat < 2; strat++) {
            mlops_dataset *train, *test;
            int rc = mlops_split_train_test(ids, fractions[i], 99, strat ? "target" : NULL,
                                            &train, &test);
            if (strat && (fractions[i] < 0.02 || fractions[i] > 0.98)) {
                /* 2 test rows (or 2 training rows) cannot hold 3 classes. */
                ck_assert_int_eq(rc, MLOPS_EINVAL);
                ck_assert_ptr_nonnull(strstr(mlops_last_error(), "has 3 classes"));
                continue;
            }
            ck_assert_msg(rc == MLOPS_OK, "%s", mlops_last_error());
            ck_assert_uint_eq(mlops_dataset_rows(test), (size_t)ceil(fractions[i] * (double)n));
            assert_partition(train, test, n);
            mlops_dataset_free(train);
            mlops_dataset_free(test);
        }
    }
    mlops_dataset_free(ids);
}
END_TEST

/* Per class: the training count is floor or ceil of n_train * n_c / n. */
static void assert_proportions(const mlops_dataset *d, const char *name,
                               const char *const *labels, size_t nlabels, double fraction,
                               uint64_t seed)
{
    mlops_dataset *train, *test;
    ck_assert_int_eq(mlops_split_train_test(d, fraction, seed, name, &train, &test), MLOPS_OK);
    size_t n = mlops_dataset_rows(d), n_train = mlops_dataset_rows(train), sum = 0;
    for (size_t i = 0; i < nlabels; i++) {
        size_t all = class_count(d, name, labels[i]);
        size_t tr = class_count(train, name, labels[i]), te = class_count(test, name, labels[i]);
        ck_assert_uint_eq(tr + te, all);
        size_t lo = n_train * all / n, hi = lo + (n_train * all % n != 0);
        ck_assert_msg(tr == lo || tr == hi, "class %s: %zu training rows, expected %zu or %zu",
                      labels[i], tr, lo, hi);
        ck_assert_uint_ge(te, 1);
        sum += tr;
    }
    ck_assert_uint_eq(sum, n_train);
    mlops_dataset_free(train);
    mlops_dataset_free(test);
}

START_TEST(stratified_proportions)
{
    static const char *const species[] = {"setosa", "versicolor", "virginica"};
    static const char *const targets[] = {"0", "1", "2"};
    static const double fractions[] = {0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 0.8, 0.95};
    for (size_t i = 0; i < COUNT(fractions); i++)
        for (uint64_t seed = 0; seed < 4; seed++) {
            assert_proportions(iris, "species", species, 3, fractions[i], seed);
            assert_proportions(wine, "target", targets, 3, fractions[i], seed);
        }
    /* wine 0.5: classes 0 and 1 tie exactly (29.5 and 35.5 training rows);
     * the seed decides which gets the extra row, and both happen. */
    int got[2] = {0, 0};
    for (uint64_t seed = 0; seed < 32; seed++) {
        mlops_dataset *train, *test;
        ck_assert_int_eq(mlops_split_train_test(wine, 0.5, seed, "target", &train, &test),
                         MLOPS_OK);
        size_t c0 = class_count(train, "target", "0"), c1 = class_count(train, "target", "1");
        ck_assert_uint_eq(class_count(train, "target", "2"), 24);
        ck_assert((c0 == 30 && c1 == 35) || (c0 == 29 && c1 == 36));
        got[c0 == 30]++;
        mlops_dataset_free(train);
        mlops_dataset_free(test);
    }
    ck_assert_int_gt(got[0], 0);
    ck_assert_int_gt(got[1], 0);
}
END_TEST

START_TEST(determinism)
{
    char a[65], b[65];
    mlops_dataset *train1, *test1, *train2, *test2;
    for (int strat = 0; strat < 2; strat++) {
        const char *by = strat ? "species" : NULL;
        ck_assert_int_eq(mlops_split_train_test(iris, 0.3, 5, by, &train1, &test1), MLOPS_OK);
        ck_assert_int_eq(mlops_split_train_test(iris, 0.3, 5, by, &train2, &test2), MLOPS_OK);
        ck_assert_str_eq(fp(train1, a), fp(train2, b));
        ck_assert_str_eq(fp(test1, a), fp(test2, b));
        mlops_dataset_free(train2);
        mlops_dataset_free(test2);
        ck_assert_int_eq(mlops_split_train_test(iris, 0.3, 6, by, &train2, &test2), MLOPS_OK);
        ck_assert_str_ne(fp(test1, a), fp(test2, b));
        ck_assert_str_ne(fp(train1, a), fp(train2, b));
        mlops_dataset_free(train1);
        mlops_dataset_free(test1);
        mlops_dataset_free(train2);
        mlops_dataset_free(test2);
    }
    uint32_t f1[150], f2[150];
    ck_assert_int_eq(mlops_split_kfold(iris, 5, MLOPS_SPLIT_SHUFFLE, 8, "species", f1, 150),
                     MLOPS_OK);
    ck_assert_int_eq(mlops_split_kfold(iris, 5, MLOPS_SPLIT_SHUFFLE, 8, "species", f2, 150),
                     MLOPS_OK);
    ck_assert_mem_eq(f1, f2, sizeof f1);
    ck_assert_int_eq(mlops_split_kfold(iris, 5, MLOPS_SPLIT_SHUFFLE, 9, "species", f2, 150),
                     MLOPS_OK);
    ck_assert(memcmp(f1, f2, sizeof f1) != 0);
    /* Without the flag the seed is ignored. */
    ck_assert_int_eq(mlops_split_kfold(iris, 5, 0, 8, NULL, f1, 150), MLOPS_OK);
    ck_assert_int_eq(mlops_split_kfold(iris, 5, 0, 9, NULL, f2, 150), MLOPS_OK);
    ck_assert_mem_eq(f1, f2, sizeof f1);
}
END_TEST

START_TEST(golden_kfold)
{
    uint32_t iris_folds[150], wine_folds[178];
    ck_assert_int_eq(mlops_split_kfold(iris, 5, MLOPS_SPLIT_SHUFFLE, 42, NULL, iris_folds, 150),
                     MLOPS_OK);
    ck_assert_mem_eq(iris_folds, iris_kfold5_42, sizeof iris_folds);
    ck_assert_int_eq(mlops_split_kfold(iris, 4, 0, 0, NULL, iris_folds, 150), MLOPS_OK);
    ck_assert_mem_eq(iris_folds, iris_kfold4_plain, sizeof iris_folds);
    ck_assert_int_eq(
        mlops_split_kfold(wine, 4, MLOPS_SPLIT_SHUFFLE, 3, "target", wine_folds, 178), MLOPS_OK);
    ck_assert_mem_eq(wine_folds, wine_skfold4_3, sizeof wine_folds);
    ck_assert_int_eq(mlops_split_kfold(wine, 5, 0, 0, "target", wine_folds, 178), MLOPS_OK);
    ck_assert_mem_eq(wine_folds, wine_skfold5_plain, sizeof wine_folds);
}
END_TEST

/* Fold sizes differ by at most one; with classes, so do each class's
 * counts across folds. */
static void assert_balanced(const uint32_t *fold, size_t n, size_t k, const int32_t *cls,
                            size_t ncls)
{
    size_t size[16] = {0}, per[16][8] = {{0}};
    ck_assert_uint_le(k, 16);
    ck_assert_uint_le(ncls, 8);
    for (size_t r = 0; r < n; r++) {
        ck_assert_uint_lt(fold[r], k);
        size[fold[r]]++;
        if (cls) per[fold[r]][cls[r]]++;
    }
    for (size_t f = 0; f < k; f++) {
        ck_assert_uint_ge(size[f], n / k);
        ck_assert_uint_le(size[f], n / k + 1);
        for (size_t c = 0; c < ncls; c++)
            for (size_t g = 0; g < k; g++)
                ck_assert_uint_le(per[f][c] > per[g][c] ? per[f][c] - per[g][c]
                                                        : per[g][c] - per[f][c],
                                  1);
    }
}

START_TEST(kfold_balance)
{
    int32_t species[150];
    ck_assert_int_eq(mlops_dataset_get_codes(iris, 4, 0, 150, species), MLOPS_OK);
    int32_t target[178];
    const double *t;
    ck_assert_int_eq(mlops_dataset_numeric_data(wine, column(wine, "target"), &t), MLOPS_OK);
    for (size_t r = 0; r < 178; r++) target[r] = (int32_t)t[r];
    uint32_t folds[178];
    for (size_t k = 2; k <= 10; k++)
        for (unsigned flags = 0; flags <= MLOPS_SPLIT_SHUFFLE; flags++) {
            ck_assert_int_eq(mlops_split_kfold(iris, k, flags, k, NULL, folds, 150), MLOPS_OK);
            assert_balanced(folds, 150, k, NULL, 0);
            ck_assert_int_eq(mlops_split_kfold(iris, k, flags, k, "species", folds, 150),
                             MLOPS_OK);
            assert_balanced(folds, 150, k, species, 3);
            ck_assert_int_eq(mlops_split_kfold(wine, k, flags, k, "target", folds, 178),
                             MLOPS_OK);
            assert_balanced(folds, 178, k, target, 3);
        }
    /* k = rows (leave one out): every fold holds one row. */
    ck_assert_int_eq(mlops_split_kfold(iris, 150, MLOPS_SPLIT_SHUFFLE, 1, NULL, folds, 150),
                     MLOPS_OK);
    char used[150] = {0};
    for (size_t r = 0; r < 150; r++) {
        ck_assert_uint_lt(folds[r], 150);
        ck_assert(!used[folds[r]]);
        used[folds[r]] = 1;
    }
}
END_TEST

START_TEST(folds_partition_the_rows)
{
    mlops_dataset *ids = with_ids(iris, "species");
    uint32_t folds[150];
    ck_assert_int_eq(mlops_split_kfold(ids, 4, MLOPS_SPLIT_SHUFFLE, 11, "species", folds, 150),
                     MLOPS_OK);
    char *tested = calloc(150, 1);
    for (uint32_t f = 0; f < 4; f++) {
        mlops_dataset *train, *test;
        ck_assert_int_eq(mlops_split_fold(ids, folds, 150, f, &train, &test), MLOPS_OK);
        assert_partition(train, test, 150);
        size_t *t = ids_of(test);
        for (size_t i = 0; i < mlops_dataset_rows(test); i++) {
            ck_assert_uint_eq(folds[t[i]], f);
            ck_assert(!tested[t[i]]);
            tested[t[i]] = 1;
        }
        free(t);
        mlops_dataset_free(train);
        mlops_dataset_free(test);
    }
    for (size_t r = 0; r < 150; r++) ck_assert(tested[r]);
    free(tested);
    mlops_dataset_free(ids);
}
END_TEST

static size_t first_rows_of_year(const mlops_dataset *d, size_t *rows, const char *from)
{
    size_t col = column(d, "Year"), n = 0;
    for (size_t r = 0; r < mlops_dataset_rows(d); r++) {
        int32_t code;
        ck_assert_int_eq(mlops_dataset_get_codes(d, col, r, 1, &code), MLOPS_OK);
        if (strcmp(mlops_dataset_category(d, col, code), from) >= 0) rows[n++] = r;
    }
    return n;
}

START_TEST(golden_time_split)
{
    struct {
        double fraction;
        const size_t *rows;
        size_t n;
        const char *from;
    } cases[] = {
        {0.2, cars_time_test_20, COUNT(cars_time_test_20), "1980-01-01"},
        {0.15, cars_time_test_15, COUNT(cars_time_test_15), "1982-01-01"},
        {0.3, cars_time_test_30, COUNT(cars_time_test_30), "1979-01-01"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        mlops_dataset *train, *test;
        ck_assert_int_eq(mlops_split_by_time(cars, "Year", cases[i].fraction, &train, &test),
                         MLOPS_OK);
        assert_split(cars, train, test, cases[i].rows, cases[i].n);
        /* The test part is exactly the years from the boundary on. */
        size_t rows[406];
        ck_assert_uint_eq(first_rows_of_year(cars, rows, cases[i].from), cases[i].n);
        ck_assert_mem_eq(rows, cases[i].rows, cases[i].n * sizeof rows[0]);
        mlops_dataset_free(train);
        mlops_dataset_free(test);
    }
    /* NULL picks the column whose role is time. */
    mlops_dataset *train, *test;
    ck_assert_int_eq(mlops_dataset_set_role(cars, column(cars, "Year"), MLOPS_ROLE_TIME),
                     MLOPS_OK);
    ck_assert_int_eq(mlops_split_by_time(cars, NULL, 0.2, &train, &test), MLOPS_OK);
    assert_split(cars, train, test, cars_time_test_20, COUNT(cars_time_test_20));
    mlops_dataset_free(train);
    mlops_dataset_free(test);
}
END_TEST

static mlops_dataset *one_column(const char *name, const double *num, const char *const *text,
                                 size_t n)
{
    mlops_dataset_builder *b;
    mlops_dataset *d;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, n), MLOPS_OK);
    if (num)
        ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, name, num), MLOPS_OK);
    else
        ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, name, text), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    return d;
}

/* Test-part size of a time split, and its first value when numeric. */
static size_t time_test_size(const mlops_dataset *d, double fraction)
{
    mlops_dataset *train, *test;
    int rc = mlops_split_by_time(d, "t", fraction, &train, &test);
    ck_assert_msg(rc == MLOPS_OK, "%s", mlops_last_error());
    size_t n = mlops_dataset_rows(test);
    mlops_dataset_free(train);
    mlops_dataset_free(test);
    return n;
}

START_TEST(time_split_ties_and_order)
{
    /* Times 5 5 5 1 2 3 9 9 (rows out of order): sorted 1 2 3 5 5 5 9 9. */
    const double t[8] = {5, 5, 5, 1, 2, 3, 9, 9};
    mlops_dataset *d = one_column("t", t, NULL, 8);
    ck_assert_uint_eq(time_test_size(d, 0.25), 2);  /* 2 wanted: cut between 5 and 9 */
    ck_assert_uint_eq(time_test_size(d, 0.375), 2); /* 3 wanted: one 5 would be test, two
                                                       training: the run goes to training */
    ck_assert_uint_eq(time_test_size(d, 0.5), 5);   /* 4 wanted: two 5s test, one training:
                                                       the run goes to the test part */
    ck_assert_uint_eq(time_test_size(d, 0.7), 6);   /* 6 wanted: cut between 3 and 5 */
    ck_assert_uint_eq(time_test_size(d, 0.1), 2);   /* 1 wanted: the 9s stay together */
    mlops_dataset_free(d);

    /* A run cut in its middle (2 + 2 of 1 2 5 5 5 5 9 9) goes to the test. */
    const double w[8] = {9, 5, 1, 5, 9, 5, 2, 5};
    d = one_column("t", w, NULL, 8);
    ck_assert_uint_eq(time_test_size(d, 0.5), 6);
    mlops_dataset_free(d);

    /* The whole test side is one run: it cannot move to the training side
     * without emptying the test, so it stays. */
    const double u[4] = {1, 7, 7, 7};
    d = one_column("t", u, NULL, 4);
    ck_assert_uint_eq(time_test_size(d, 0.25), 3);
    ck_assert_uint_eq(time_test_size(d, 0.75), 3);
    mlops_dataset_free(d);

    /* ISO spellings of one instant tie; offsets convert to UTC. */
    const char *iso[6] = {"2020-01-02",          "2020-01-01T00:00:00", "2020-01-01",
                          "2020-01-01 23:59:59.5", "2019-12-31T23:59",  "2020-01-01T12:00"};
    d = one_column("t", NULL, iso, 6);
    mlops_dataset *train, *test;
    ck_assert_int_eq(mlops_split_by_time(d, "t", 0.5, &train, &test), MLOPS_OK);
    /* 3 wanted: 2020-01-02, 23:59:59.5, 12:00 are the latest three. */
    ck_assert_uint_eq(mlops_dataset_rows(test), 3);
    ck_assert_str_eq(mlops_dataset_category(test, 0, 0), "2020-01-02");
    int32_t codes[3];
    ck_assert_int_eq(mlops_dataset_get_codes(test, 0, 0, 3, codes), MLOPS_OK);
    ck_assert_str_eq(mlops_dataset_category(test, 0, codes[1]), "2020-01-01 23:59:59.5");
    ck_assert_str_eq(mlops_dataset_category(test, 0, codes[2]), "2020-01-01T12:00");
    mlops_dataset_free(train);
    mlops_dataset_free(test);
    mlops_dataset_free(d);

    const char *zoned[4] = {"2020-01-01T00:30:00+01:00", "2019-12-31T23:45Z",
                            "2020-01-01T00:00:00.25Z", "2020-01-01T01:00:00+0100"};
    /* UTC: 23:30, 23:45, 00:00:00.25, 00:00 -> the latest is row 2. */
    d = one_column("t", NULL, zoned, 4);
    ck_assert_int_eq(mlops_split_by_time(d, "t", 0.25, &train, &test), MLOPS_OK);
    ck_assert_uint_eq(mlops_dataset_rows(test), 1);
    ck_assert_int_eq(mlops_dataset_get_codes(test, 0, 0, 1, codes), MLOPS_OK);
    ck_assert_str_eq(mlops_dataset_category(test, 0, codes[0]), "2020-01-01T00:00:00.25Z");
    mlops_dataset_free(train);
    mlops_dataset_free(test);
    mlops_dataset_free(d);
}
END_TEST

static void expect_error(int rc, int code, const char *fragment)
{
    ck_assert_msg(rc == code, "got %d (%s), wanted %d", rc, mlops_last_error(), code);
    ck_assert_msg(strstr(mlops_last_error(), fragment) != NULL, "'%s' lacks '%s'",
                  mlops_last_error(), fragment);
}

START_TEST(train_test_errors)
{
    mlops_dataset *sentinel = (mlops_dataset *)&sentinel;
    mlops_dataset *train = sentinel, *test = sentinel;
    static const double bad[] = {0.0, 1.0, -0.1, 1.5, NAN, INFINITY};
    for (size_t i = 0; i < COUNT(bad); i++)
        expect_error(mlops_split_train_test(iris, bad[i], 1, NULL, &train, &test), MLOPS_EINVAL,
                     "test_fraction");
    expect_error(mlops_split_train_test(iris, 0.999, 1, NULL, &train, &test), MLOPS_EINVAL,
                 "leaves no training rows");
    /* the fraction is shown as given, not rounded to 1 */
    expect_error(mlops_split_train_test(iris, 0.9999999, 1, NULL, &train, &test), MLOPS_EINVAL,
                 "test_fraction 0.9999999 of 150 rows leaves no training rows");
    expect_error(mlops_split_train_test_rows(iris, 0, 1, NULL, &train, &test), MLOPS_EINVAL,
                 "test_rows 0 is outside 1..149");
    expect_error(mlops_split_train_test_rows(iris, 150, 1, NULL, &train, &test), MLOPS_EINVAL,
                 "test_rows 150");
    expect_error(mlops_split_train_test(NULL, 0.2, 1, NULL, &train, &test), MLOPS_EINVAL,
                 "NULL dataset");
    expect_error(mlops_split_train_test(iris, 0.2, 1, NULL, NULL, &test), MLOPS_EINVAL, "NULL");
    expect_error(mlops_split_train_test(iris, 0.2, 1, NULL, &train, &train), MLOPS_EINVAL,
                 "same variable");
    expect_error(mlops_split_train_test(iris, 0.2, 1, "specie", &train, &test), MLOPS_ENOTFOUND,
                 "did you mean 'species'");
    expect_error(mlops_split_train_test(iris, 0.2, 1, "sepal_length", &train, &test),
                 MLOPS_EINVAL, "column 'sepal_length' row 0: 5.1 is not a whole number");
    expect_error(mlops_split_train_test(cars, 0.2, 1, "Acceleration", &train, &test),
                 MLOPS_EINVAL, "column 'Acceleration' row 1: 11.5 is not a whole number");
    /* Rows 0-9 hold whole miles per gallon, row 10 none. */
    expect_error(mlops_split_train_test(cars, 0.2, 1, "Miles_per_Gallon", &train, &test),
                 MLOPS_EINVAL, "column 'Miles_per_Gallon' row 10: value is missing");
    ck_assert_ptr_eq(train, sentinel);
    ck_assert_ptr_eq(test, sentinel);

    const char *labels[5] = {"a", "b", NULL, "a", "b"};
    mlops_dataset *d = one_column("g", NULL, labels, 5);
    expect_error(mlops_split_train_test(d, 0.4, 1, "g", &train, &test), MLOPS_EINVAL,
                 "column 'g' row 2: value is missing");
    mlops_dataset_free(d);
    const char *few[5] = {"a", "b", "a", "b", "c"};
    d = one_column("g", NULL, few, 5);
    expect_error(mlops_split_train_test(d, 0.4, 1, "g", &train, &test), MLOPS_EINVAL,
                 "class 'c' has only 1 row (first at row 4)");
    mlops_dataset_free(d);
    const double one[1] = {1};
    d = one_column("x", one, NULL, 1);
    expect_error(mlops_split_train_test(d, 0.5, 1, NULL, &train, &test), MLOPS_EINVAL,
                 "has 1 row(s)");
    mlops_dataset_free(d);
    ck_assert_ptr_eq(train, sentinel);
    ck_assert_ptr_eq(test, sentinel);
}
END_TEST

START_TEST(kfold_errors)
{
    uint32_t folds[150];
    for (size_t r = 0; r < 150; r++) folds[r] = 77;
    expect_error(mlops_split_kfold(iris, 1, 0, 0, NULL, folds, 150), MLOPS_EINVAL,
                 "k = 1 folds is outside 2..150");
    expect_error(mlops_split_kfold(iris, 151, 0, 0, NULL, folds, 150), MLOPS_EINVAL,
                 "k = 151 folds");
    expect_error(mlops_split_kfold(iris, 5, 2, 0, NULL, folds, 150), MLOPS_EINVAL,
                 "unknown flags 0x2");
    expect_error(mlops_split_kfold(iris, 5, 0, 0, NULL, folds, 149), MLOPS_EINVAL,
                 "holds 149 entries");
    expect_error(mlops_split_kfold(iris, 5, 0, 0, NULL, NULL, 150), MLOPS_EINVAL, "NULL");
    expect_error(mlops_split_kfold(iris, 51, 0, 0, "species", folds, 150), MLOPS_EINVAL,
                 "class 'setosa' has 50 row(s) (first at row 0), fewer than the 51 folds");
    expect_error(mlops_split_kfold(iris, 5, 0, 0, "Species", folds, 150), MLOPS_ENOTFOUND,
                 "did you mean 'species'");
    for (size_t r = 0; r < 150; r++) ck_assert_uint_eq(folds[r], 77);

    /* Stratified: the least populated class is named. */
    uint32_t f406[406];
    expect_error(mlops_split_kfold(cars, 5, 0, 0, "Cylinders", f406, 406), MLOPS_EINVAL,
                 "class '5' has 3 row(s) (first at row 281)");

    mlops_dataset *train = NULL, *test = NULL;
    ck_assert_int_eq(mlops_split_kfold(iris, 3, 0, 0, NULL, folds, 150), MLOPS_OK);
    expect_error(mlops_split_fold(iris, folds, 150, 3, &train, &test), MLOPS_EINVAL,
                 "fold 3 holds none of the 150 rows");
    for (size_t r = 0; r < 150; r++) folds[r] = 0;
    expect_error(mlops_split_fold(iris, folds, 150, 0, &train, &test), MLOPS_EINVAL,
                 "fold 0 holds all");
    expect_error(mlops_split_fold(iris, folds, 10, 0, &train, &test), MLOPS_EINVAL,
                 "holds 10 entries");
    expect_error(mlops_split_fold(iris, folds, 150, 0, &train, NULL), MLOPS_EINVAL, "NULL");
    ck_assert_ptr_null(train);
    ck_assert_ptr_null(test);
}
END_TEST

START_TEST(time_errors)
{
    mlops_dataset *train = NULL, *test = NULL;
    expect_error(mlops_split_by_time(cars, "Horsepower", 0.2, &train, &test), MLOPS_EINVAL,
                 "column 'Horsepower' row 38: time is missing");
    expect_error(mlops_split_by_time(cars, "Name", 0.2, &train, &test), MLOPS_EINVAL,
                 "row 0: 'chevrolet chevelle malibu' is not an ISO-8601 date");
    expect_error(mlops_split_by_time(cars, "Origin", 0.2, &train, &test), MLOPS_EINVAL,
                 "'USA' is not an ISO-8601");
    expect_error(mlops_split_by_time(cars, NULL, 0.2, &train, &test), MLOPS_EINVAL,
                 "no column with role 'time'");
    expect_error(mlops_split_by_time(cars, "year", 0.2, &train, &test), MLOPS_ENOTFOUND,
                 "did you mean 'Year'");
    expect_error(mlops_split_by_time(cars, "Year", 1.0, &train, &test), MLOPS_EINVAL,
                 "test_fraction 1");
    mlops_dataset *copy;
    const size_t rows[3] = {0, 1, 2};
    ck_assert_int_eq(mlops_dataset_take_rows(&copy, cars, rows, 3), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_set_role(copy, 0, MLOPS_ROLE_TIME), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_set_role(copy, 7, MLOPS_ROLE_TIME), MLOPS_OK);
    expect_error(mlops_split_by_time(copy, NULL, 0.5, &train, &test), MLOPS_EINVAL,
                 "has 2 columns with role 'time'");
    /* Three rows of 1970-01-01: no split by time exists. */
    expect_error(mlops_split_by_time(copy, "Year", 0.5, &train, &test), MLOPS_EINVAL,
                 "every row has the same time");
    mlops_dataset_free(copy);

    static const struct {
        const char *text, *why;
    } bad[] = {
        {"2020-13-01", "month"},
        {"2021-02-29", "day does not exist"},
        {"1900-02-29", "day does not exist"},
        {"2020-01-01T24:00", "out of range"},
        {"2020-01-01T10", "hh:mm"},
        {"2020-01-01X10:00", "followed by 'T'"},
        {"2020-01-01T10:00:00.", "no digits"},
        {"2020-01-01T10:00:00.1234567891", "more than 9"},
        {"2020-01-01T10:00+1", "two hour digits"},
        {"2020-01-01T10:00+01:", "UTC offset must be"},
        {"2020-01-01T10:00+25:00", "offset is out of range"},
        {"2020-01-01T10:00Zx", "after 'Z'"},
        {"20200101", "does not start with a date"},
        {"1/2/2020", "does not start with a date"},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        const char *v[3] = {"2020-01-01", bad[i].text, "2020-01-03"};
        mlops_dataset *d = one_column("t", NULL, v, 3);
        expect_error(mlops_split_by_time(d, "t", 0.5, &train, &test), MLOPS_EINVAL, bad[i].why);
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "row 1"));
        mlops_dataset_free(d);
    }
    /* A long value is quoted in part. */
    char long_text[300];
    memset(long_text, 'q', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    const char *lv[2] = {"2020-01-01", long_text};
    mlops_dataset *ld = one_column("t", NULL, lv, 2);
    expect_error(mlops_split_by_time(ld, "t", 0.5, &train, &test), MLOPS_EINVAL, "qqq...' is not");
    ck_assert_uint_lt(strlen(mlops_last_error()), 300);
    mlops_dataset_free(ld);

    const char *mixed[3] = {"2020-01-01", "2020-01-02T00:00Z", "2020-01-03"};
    mlops_dataset *d = one_column("t", NULL, mixed, 3);
    expect_error(mlops_split_by_time(d, "t", 0.5, &train, &test), MLOPS_EINVAL,
                 "mixes times with a zone (row 1) and without one (row 0)");
    mlops_dataset_free(d);
    const char *gap[3] = {"2020-01-01", NULL, "2020-01-03"};
    d = one_column("t", NULL, gap, 3);
    expect_error(mlops_split_by_time(d, "t", 0.5, &train, &test), MLOPS_EINVAL,
                 "column 't' row 1: time is missing");
    mlops_dataset_free(d);
    ck_assert_ptr_null(train);
    ck_assert_ptr_null(test);
}
END_TEST

/* Out of memory: every allocation of every split, failed in turn. */
struct op {
    const mlops_dataset *d;
    const char *column;
    int kind;
    mlops_dataset *train, *test;
    uint32_t folds[406];
};

static int run_op(void *ctx)
{
    struct op *o = ctx;
    size_t n = mlops_dataset_rows(o->d);
    switch (o->kind) {
    case 0:
        return mlops_split_train_test(o->d, 0.25, 3, o->column, &o->train, &o->test);
    case 1:
        return mlops_split_kfold(o->d, 5, MLOPS_SPLIT_SHUFFLE, 3, o->column, o->folds, n);
    case 2:
        return mlops_split_fold(o->d, o->folds, n, 2, &o->train, &o->test);
    default:
        return mlops_split_by_time(o->d, o->column, 0.2, &o->train, &o->test);
    }
}

static void undo_op(void *ctx)
{
    struct op *o = ctx;
    mlops_dataset_free(o->train);
    mlops_dataset_free(o->test);
    o->train = o->test = NULL;
}

START_TEST(out_of_memory)
{
    struct op o;
    memset(&o, 0, sizeof o);
    const struct {
        const mlops_dataset *d;
        const char *column;
        int kind;
    } cases[] = {
        {iris, NULL, 0},         {iris, "species", 0},  {wine, "target", 0},
        {iris, NULL, 1},         {wine, "target", 1},   {iris, "species", 1},
        {iris, NULL, 2},         {cars, "Year", 3},     {cars, "Weight_in_lbs", 3},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        o.d = cases[i].d;
        o.column = cases[i].column;
        o.kind = cases[i].kind;
        if (o.kind == 2)
            ck_assert_int_eq(
                mlops_split_kfold(o.d, 5, 0, 0, NULL, o.folds, mlops_dataset_rows(o.d)), MLOPS_OK);
        long failures = fault_alloc_sweep(run_op, undo_op, &o);
        ck_assert_msg(failures >= 1, "case %zu made no allocation", i);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("split");
    TCase *tc = tcase_create("split");
    tcase_add_checked_fixture(tc, load, unload);
    tcase_add_test(tc, golden_train_test);
    tcase_add_test(tc, train_test_sizes_and_coverage);
    tcase_add_test(tc, stratified_proportions);
    tcase_add_test(tc, determinism);
    tcase_add_test(tc, golden_kfold);
    tcase_add_test(tc, kfold_balance);
    tcase_add_test(tc, folds_partition_the_rows);
    tcase_add_test(tc, golden_time_split);
    tcase_add_test(tc, time_split_ties_and_order);
    tcase_add_test(tc, train_test_errors);
    tcase_add_test(tc, kfold_errors);
    tcase_add_test(tc, time_errors);
    tcase_add_test(tc, out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
