/* mlops_transform: settings and their errors, column selection by role,
 * replay on data laid out differently, unseen-category policies, the byte
 * encoding (round trip, golden bytes, every truncation and damaged byte),
 * the JSON description, and allocation failures in every operation. The
 * numbers themselves are checked against scikit-learn in
 * test_transform_sklearn.c. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mlops.h>

#include "core/compress.h"
#include "core/rng.h"
#include "core/sort.h"
#include "data/transform_impl.h"
#include "fault_alloc.h"
#include "runner.h"

/* ---- helpers ------------------------------------------------------------ */

#define ASSERT_ERR(call, code, text)                                                     \
    do {                                                                                 \
        int rc_ = (call);                                                                \
        ck_assert_msg(rc_ == (code), "%s gave %d (%s)", #call, rc_, mlops_last_error()); \
        ck_assert_msg(strstr(mlops_last_error(), (text)) != NULL,                        \
                      "message '%s' lacks '%s'", mlops_last_error(), (text));            \
    } while (0)

#define OK(call) ck_assert_msg((call) == MLOPS_OK, "%s: %s", #call, mlops_last_error())

/* A small training set: numeric a (one missing), categorical c (one
 * missing), numeric b, numeric y (target), categorical id (id role),
 * numeric s (sensitive). */
static mlops_dataset *small_train(void)
{
    static const double a[] = {1, 2, NAN, 4, 5, 6};
    static const double b[] = {10, 10, 20, 20, 30, 40};
    static const double y[] = {0, 1, 0, 1, 0, 1};
    static const double s[] = {7, 8, 9, 7, 8, 9};
    static const char *const c[] = {"red", "blue", "red", NULL, "green", "red"};
    static const char *const id[] = {"r1", "r2", "r3", "r4", "r5", "r6"};
    mlops_dataset_builder *bl;
    OK(mlops_dataset_builder_create(&bl, 6));
    OK(mlops_dataset_builder_add_numeric(bl, "a", a));
    OK(mlops_dataset_builder_add_categorical(bl, "c", c));
    OK(mlops_dataset_builder_add_numeric(bl, "b", b));
    OK(mlops_dataset_builder_add_numeric(bl, "y", y));
    OK(mlops_dataset_builder_add_categorical(bl, "id", id));
    OK(mlops_dataset_builder_add_numeric(bl, "s", s));
    OK(mlops_dataset_builder_set_role(bl, "y", MLOPS_ROLE_TARGET));
    OK(mlops_dataset_builder_set_role(bl, "id", MLOPS_ROLE_ID));
    mlops_dataset *d;
    OK(mlops_dataset_builder_finish(bl, &d));
    mlops_dataset_builder_free(bl);
    OK(mlops_dataset_set_sensitive(d, 5, 1));
    return d;
}

static double num_at(const mlops_dataset *d, const char *name, size_t row)
{
    size_t j;
    OK(mlops_dataset_column_index(d, name, &j));
    double v;
    OK(mlops_dataset_get_numeric(d, j, row, 1, &v));
    return v;
}

static const char *cat_at(const mlops_dataset *d, const char *name, size_t row)
{
    size_t j;
    OK(mlops_dataset_column_index(d, name, &j));
    int32_t code;
    OK(mlops_dataset_get_codes(d, j, row, 1, &code));
    return code < 0 ? NULL : mlops_dataset_category(d, j, code);
}

static bool has_column(const mlops_dataset *d, const char *name)
{
    size_t j;
    bool found = mlops_dataset_column_index(d, name, &j) == MLOPS_OK;
    mlops_clear_error();
    return found;
}

static bool same_data(const mlops_dataset *x, const mlops_dataset *y)
{
    char fx[65], fy[65];
    OK(mlops_dataset_fingerprint(x, fx, sizeof fx));
    OK(mlops_dataset_fingerprint(y, fy, sizeof fy));
    return strcmp(fx, fy) == 0;
}

/* impute(mean) a; impute(most_frequent) c; standardize a,b; onehot c
 * (min_frequency 2); minmax b... on the small set. */
static mlops_transform *small_chain(void)
{
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "impute", "a"), 0);
    ck_assert_int_eq(mlops_transform_add(t, "impute", "c"), 1);
    OK(mlops_transform_set(t, 1, "strategy", "most_frequent"));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 2);
    ck_assert_int_eq(mlops_transform_add(t, "onehot", "c"), 3);
    OK(mlops_transform_set(t, 3, "min_frequency", "2"));
    OK(mlops_transform_set(t, 3, "unseen", "infrequent"));
    ck_assert_int_eq(mlops_transform_add(t, "drop", "id"), 4);
    return t;
}

/* ---- settings ----------------------------------------------------------- */

START_TEST(settings_are_checked)
{
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ASSERT_ERR(mlops_transform_add(t, "standardise", "*"), MLOPS_EINVAL,
               "did you mean 'standardize'");
    ASSERT_ERR(mlops_transform_add(t, "drop", "*"), MLOPS_EINVAL, "not '*'");
    ASSERT_ERR(mlops_transform_add(t, "impute", "a,,b"), MLOPS_EINVAL, "empty name");
    ASSERT_ERR(mlops_transform_add(t, "impute", " , a"), MLOPS_EINVAL, "empty name");
    ASSERT_ERR(mlops_transform_add(t, "impute", "a, b ,a"), MLOPS_EINVAL, "names 'a' twice");
    ASSERT_ERR(mlops_transform_add(t, "impute", "a\\"), MLOPS_EINVAL, "lone backslash");
    ASSERT_ERR(mlops_transform_add(t, "impute", "\xff"), MLOPS_EINVAL, "UTF-8");
    ASSERT_ERR(mlops_transform_add(NULL, "impute", "a"), MLOPS_EINVAL, "NULL");
    ck_assert_uint_eq(mlops_transform_step_count(t), 0);

    ck_assert_int_eq(mlops_transform_add(t, "impute", " a , b\\,c ,\\ d"), 0);
    ck_assert_uint_eq(t->steps[0].nnames, 3);
    ck_assert_str_eq(t->steps[0].names[0], "a");
    ck_assert_str_eq(t->steps[0].names[1], "b,c");
    ck_assert_str_eq(t->steps[0].names[2], " d");
    ck_assert_int_eq(mlops_transform_add(t, "onehot", "*"), 1);
    ck_assert_int_eq(mlops_transform_add(t, "minmax", "x"), 2);
    ck_assert_uint_eq(mlops_transform_step_count(t), 3);
    ck_assert_str_eq(mlops_transform_step_kind(t, 1), "onehot");
    ck_assert_ptr_null(mlops_transform_step_kind(t, 3));

    ASSERT_ERR(mlops_transform_set(t, 0, "stratgy", "mean"), MLOPS_EINVAL,
               "did you mean 'strategy'");
    ASSERT_ERR(mlops_transform_set(t, 0, "unseen", "zeros"), MLOPS_EINVAL,
               "it belongs to onehot steps (impute settings: strategy, fill_value)");
    ASSERT_ERR(mlops_transform_set(t, 2, "strategy", "mean"), MLOPS_EINVAL,
               "minmax settings: none");
    ASSERT_ERR(mlops_transform_set(t, 0, "strategy", "meen"), MLOPS_EINVAL,
               "did you mean 'mean'");
    ASSERT_ERR(mlops_transform_set(t, 1, "unseen", "ignore"), MLOPS_EINVAL,
               "not one of error, zeros, infrequent");
    static const char *const bad_freq[] = {"0", "1.5", "-1", "abc", "", "1e400", "0.0", "1.0",
                                           "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad_freq / sizeof *bad_freq; i++)
        ASSERT_ERR(mlops_transform_set(t, 1, "min_frequency", bad_freq[i]), MLOPS_EINVAL,
                   "min_frequency");
    OK(mlops_transform_set(t, 1, "min_frequency", "0.25"));
    ck_assert_int_eq(t->steps[1].minfreq_mode, MLOPS__MINFREQ_FRACTION);
    OK(mlops_transform_set(t, 1, "min_frequency", "12"));
    ck_assert_int_eq(t->steps[1].minfreq_mode, MLOPS__MINFREQ_COUNT);
    ck_assert(t->steps[1].minfreq == 12);
    OK(mlops_transform_set(t, 1, "min_frequency", "none"));
    ck_assert_int_eq(t->steps[1].minfreq_mode, MLOPS__MINFREQ_NONE);
    ASSERT_ERR(mlops_transform_set(t, 3, "strategy", "mean"), MLOPS_EINVAL, "out of range");
    ASSERT_ERR(mlops_transform_set(t, 0, "strategy", NULL), MLOPS_EINVAL, "NULL");
    int sd = mlops_transform_add(t, "standardize", "*");
    ASSERT_ERR(mlops_transform_set(t, (size_t)sd, "with_mean", "maybe"), MLOPS_EINVAL,
               "'maybe' is not true or false");
    OK(mlops_transform_set(t, (size_t)sd, "with_mean", "false"));
    ck_assert(!t->steps[sd].with_mean);
    /* a failed set leaves the earlier value */
    OK(mlops_transform_set(t, 0, "strategy", "median"));
    ASSERT_ERR(mlops_transform_set(t, 0, "strategy", "avg"), MLOPS_EINVAL, "avg");
    ck_assert_int_eq(t->steps[0].strategy, MLOPS__IMPUTE_MEDIAN);
    ck_assert_str_eq(t->steps[0].values[MLOPS__KEY_STRATEGY], "median");
    mlops_transform_free(t);
    mlops_transform_free(NULL);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(state_is_enforced)
{
    mlops_dataset *d = small_train(), *out = NULL;
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_is_fitted(t), 0);
    ck_assert_uint_eq(mlops_transform_output_count(t), 0);
    ck_assert_ptr_null(mlops_transform_output_name(t, 0));
    mlops_transform_add(t, "standardize", "a");
    ASSERT_ERR(mlops_transform_apply(t, d, &out), MLOPS_ESTATE, "not fitted");
    ck_assert_ptr_null(out);
    OK(mlops_transform_fit(t, d));
    ck_assert_int_eq(mlops_transform_is_fitted(t), 1);
    ASSERT_ERR(mlops_transform_add(t, "minmax", "b"), MLOPS_ESTATE, "fitted");
    ASSERT_ERR(mlops_transform_set(t, 0, "with_std", "false"), MLOPS_ESTATE, "fitted");
    ASSERT_ERR(mlops_transform_apply(NULL, d, &out), MLOPS_EINVAL, "NULL");
    ASSERT_ERR(mlops_transform_fit_apply(t, d, NULL), MLOPS_EINVAL, "NULL");
    /* an empty transform passes everything through */
    mlops_transform *empty;
    OK(mlops_transform_create(&empty));
    OK(mlops_transform_fit_apply(empty, d, &out));
    ck_assert(same_data(d, out));
    ck_assert_uint_eq(mlops_transform_output_count(empty), 6);
    mlops_dataset_free(out);
    mlops_transform_free(empty);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- fitting ------------------------------------------------------------ */

static void fit_fails(const mlops_dataset *d, const char *step, const char *cols,
                      const char *key, const char *value, int code, const char *text)
{
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_ge(mlops_transform_add(t, step, cols), 0);
    if (key) OK(mlops_transform_set(t, 0, key, value));
    ASSERT_ERR(mlops_transform_fit(t, d), code, text);
    ck_assert_int_eq(mlops_transform_is_fitted(t), 0);
    mlops_transform_free(t);
}

START_TEST(fit_errors_name_the_problem)
{
    mlops_dataset *d = small_train();
    fit_fails(d, "standardize", "a,bb", NULL, NULL, MLOPS_EINVAL,
              "step 0 (standardize): no column 'bb' in the data (did you mean 'b'?)");
    fit_fails(d, "standardize", "c", NULL, NULL, MLOPS_EINVAL,
              "column 'c' is categorical; standardize needs numeric columns");
    fit_fails(d, "onehot", "a", NULL, NULL, MLOPS_EINVAL,
              "column 'a' is numeric; onehot needs categorical columns");
    fit_fails(d, "impute", "c", "strategy", "median", MLOPS_EINVAL,
              "strategy median needs a numeric column, but 'c' is categorical");
    fit_fails(d, "impute", "a", "fill_value", "3", MLOPS_EINVAL,
              "fill_value is set but strategy is 'mean'");
    fit_fails(d, "drop", "zz", NULL, NULL, MLOPS_EINVAL, "no column 'zz'");

    mlops_transform *t;
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "impute", "a");
    OK(mlops_transform_set(t, 0, "strategy", "constant"));
    OK(mlops_transform_set(t, 0, "fill_value", "n/a"));
    ASSERT_ERR(mlops_transform_fit(t, d), MLOPS_EINVAL,
               "fill_value 'n/a' is not a finite number, but column 'a' is numeric");
    mlops_transform_free(t);

    /* an all-missing column, an infinite value, no rows */
    static const double gone[] = {NAN, NAN, NAN};
    static const double inf[] = {1, INFINITY, 2};
    mlops_dataset_builder *b;
    OK(mlops_dataset_builder_create(&b, 3));
    OK(mlops_dataset_builder_add_numeric(b, "gone", gone));
    OK(mlops_dataset_builder_add_numeric(b, "inf", inf));
    mlops_dataset *odd;
    OK(mlops_dataset_builder_finish(b, &odd));
    mlops_dataset_builder_free(b);
    fit_fails(odd, "standardize", "gone", NULL, NULL, MLOPS_EINVAL,
              "step 0 (standardize): column 'gone' has no values in the training data");
    fit_fails(odd, "impute", "gone", "strategy", "most_frequent", MLOPS_EINVAL,
              "column 'gone' has no values");
    fit_fails(odd, "minmax", "inf", NULL, NULL, MLOPS_EINVAL, "column 'inf' row 1 holds inf");
    fit_fails(odd, "impute", "inf", NULL, NULL, MLOPS_EINVAL, "row 1 holds inf");
    fit_fails(odd, "impute", "inf", "strategy", "constant", MLOPS_EINVAL, "row 1 holds inf");
    mlops_dataset *none;
    size_t zero = 0;
    OK(mlops_dataset_take_rows(&none, odd, &zero, 0));
    fit_fails(none, "minmax", "inf", NULL, NULL, MLOPS_EINVAL, "has no rows");
    /* a constant fill needs no values at all */
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "impute", "gone");
    OK(mlops_transform_set(t, 0, "strategy", "constant"));
    mlops_dataset *out;
    OK(mlops_transform_fit_apply(t, odd, &out));
    ck_assert(num_at(out, "gone", 2) == 0.0);
    ck_assert_uint_eq(mlops_dataset_missing_count(out, 0), 0);
    mlops_dataset_free(out);
    mlops_transform_free(t);

    /* an output name that repeats an existing column */
    static const char *const k[] = {"x", "y", "x"};
    static const double clash[] = {1, 2, 3};
    OK(mlops_dataset_builder_create(&b, 3));
    OK(mlops_dataset_builder_add_categorical(b, "k", k));
    OK(mlops_dataset_builder_add_numeric(b, "k=y", clash));
    mlops_dataset *cl;
    OK(mlops_dataset_builder_finish(b, &cl));
    mlops_dataset_builder_free(b);
    fit_fails(cl, "onehot", "k", NULL, NULL, MLOPS_EINVAL,
              "output column 'k=y' of 'k' repeats an existing column name");

    /* a failed refit keeps the earlier fit */
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "minmax", "b");
    OK(mlops_transform_fit(t, d));
    ASSERT_ERR(mlops_transform_fit(t, odd), MLOPS_EINVAL, "no column 'b'");
    ck_assert_int_eq(mlops_transform_is_fitted(t), 1);
    ck_assert(t->fit->steps[0].cols[0].p[1] == 40.0);
    mlops_transform_free(t);

    mlops_dataset_free(cl);
    mlops_dataset_free(none);
    mlops_dataset_free(odd);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(star_selects_plain_features)
{
    mlops_dataset *d = small_train(), *out;
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "impute", "*");
    OK(mlops_transform_set(t, 0, "strategy", "most_frequent"));
    mlops_transform_add(t, "standardize", "*");
    mlops_transform_add(t, "onehot", "*");
    OK(mlops_transform_fit_apply(t, d, &out));
    /* a, b, c are features; y (target), id (id) and s (sensitive) are not */
    ck_assert_uint_eq(t->fit->steps[0].ncols, 3);
    ck_assert_uint_eq(t->fit->steps[1].ncols, 2);
    ck_assert_str_eq(t->fit->steps[1].cols[0].name, "a");
    ck_assert_str_eq(t->fit->steps[1].cols[1].name, "b");
    ck_assert_uint_eq(t->fit->steps[2].ncols, 1);
    ck_assert(num_at(out, "y", 1) == 1.0);
    ck_assert(num_at(out, "s", 2) == 9.0);
    ck_assert_str_eq(cat_at(out, "id", 5), "r6");
    /* roles and sensitivity pass through; one-hot outputs inherit them */
    static const char *const names[] = {"a", "c=blue", "c=green", "c=red", "b", "y", "id", "s"};
    ck_assert_uint_eq(mlops_dataset_cols(out), 8);
    for (size_t j = 0; j < 8; j++) {
        ck_assert_str_eq(mlops_dataset_column_name(out, j), names[j]);
        ck_assert_str_eq(mlops_transform_output_name(t, j), names[j]);
    }
    ck_assert_int_eq(mlops_dataset_column_role(out, 5), MLOPS_ROLE_TARGET);
    ck_assert_int_eq(mlops_dataset_column_role(out, 6), MLOPS_ROLE_ID);
    ck_assert_int_eq(mlops_dataset_column_sensitive(out, 7), 1);
    ck_assert_int_eq(mlops_dataset_column_role(out, 2), MLOPS_ROLE_FEATURE);
    /* most frequent of a = {1,2,4,5,6}: all tie, the smallest wins */
    ck_assert(t->fit->steps[0].cols[0].p[0] == 1.0);
    ck_assert_str_eq(t->fit->steps[0].cols[1].fill, "red");
    ck_assert(num_at(out, "c=red", 3) == 1.0); /* the imputed row */
    mlops_dataset_free(out);
    mlops_transform_free(t);

    /* named explicitly, the target is transformed */
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "minmax", "y,s");
    OK(mlops_transform_fit_apply(t, d, &out));
    ck_assert(num_at(out, "y", 1) == 1.0);
    ck_assert(num_at(out, "s", 1) == 0.5);
    ck_assert_int_eq(mlops_dataset_column_role(out, 3), MLOPS_ROLE_TARGET);
    mlops_dataset_free(out);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(constant_columns)
{
    static const double k[] = {3, 3, 3, 3};
    static const double later[] = {3, 5, 1, NAN};
    mlops_dataset *d, *n, *out;
    const char *name[] = {"k"};
    OK(mlops_dataset_from_matrix(&d, k, 4, 1, 1, name));
    OK(mlops_dataset_from_matrix(&n, later, 4, 1, 1, name));
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "standardize", "k");
    OK(mlops_transform_fit(t, d));
    ck_assert(t->fit->steps[0].cols[0].p[0] == 3.0);
    ck_assert(t->fit->steps[0].cols[0].p[1] == 1.0); /* zero variance scales by 1 */
    OK(mlops_transform_apply(t, n, &out));
    ck_assert(num_at(out, "k", 0) == 0.0);
    ck_assert(num_at(out, "k", 1) == 2.0);
    ck_assert(isnan(num_at(out, "k", 3)));
    ck_assert_uint_eq(mlops_dataset_missing_count(out, 0), 1);
    mlops_dataset_free(out);
    mlops_transform_free(t);

    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "minmax", "k");
    OK(mlops_transform_fit(t, d));
    OK(mlops_transform_apply(t, n, &out));
    ck_assert(num_at(out, "k", 0) == 0.0); /* the training value maps to 0 */
    ck_assert(num_at(out, "k", 1) == 2.0);
    ck_assert(num_at(out, "k", 2) == -2.0);
    mlops_dataset_free(out);
    mlops_transform_free(t);

    /* with_mean=false / with_std=false */
    static const double v[] = {1, 2, 3, 4};
    mlops_dataset *vd;
    OK(mlops_dataset_from_matrix(&vd, v, 4, 1, 1, name));
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "standardize", "k");
    OK(mlops_transform_set(t, 0, "with_mean", "false"));
    OK(mlops_transform_fit_apply(t, vd, &out));
    ck_assert(t->fit->steps[0].cols[0].p[0] == 0.0);
    ck_assert(fabs(num_at(out, "k", 3) - 4 / sqrt(1.25)) < 1e-15);
    mlops_dataset_free(out);
    mlops_transform_free(t);
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "standardize", "k");
    OK(mlops_transform_set(t, 0, "with_std", "false"));
    OK(mlops_transform_fit_apply(t, vd, &out));
    ck_assert(num_at(out, "k", 3) == 1.5);
    mlops_dataset_free(out);
    mlops_transform_free(t);

    /* infinities are refused when applying too */
    static const double bad[] = {1, -INFINITY, 2, 3};
    mlops_dataset *bd;
    OK(mlops_dataset_from_matrix(&bd, bad, 4, 1, 1, name));
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "standardize", "k");
    OK(mlops_transform_fit(t, vd));
    ASSERT_ERR(mlops_transform_apply(t, bd, &out), MLOPS_EINVAL,
               "step 0 (standardize): column 'k' row 1 holds -inf");
    mlops_transform_free(t);
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "impute", "k");
    OK(mlops_transform_fit(t, vd));
    ASSERT_ERR(mlops_transform_apply(t, bd, &out), MLOPS_EINVAL,
               "step 0 (impute): column 'k' row 1 holds -inf");
    mlops_transform_free(t);
    mlops_dataset_free(bd);
    mlops_dataset_free(vd);
    mlops_dataset_free(d);
    mlops_dataset_free(n);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- applying to new data ----------------------------------------------- */

/* New rows with the columns reversed, the target and id absent, an extra
 * column, and categories in another dictionary order. */
static mlops_dataset *reordered(const char *cat_row1)
{
    static const double s[] = {9, 7};
    static const double b[] = {20, 35};
    static const double a[] = {NAN, 3};
    static const double extra[] = {-1, -2};
    const char *c[] = {"green", cat_row1};
    mlops_dataset_builder *bl;
    OK(mlops_dataset_builder_create(&bl, 2));
    OK(mlops_dataset_builder_add_numeric(bl, "s", s));
    OK(mlops_dataset_builder_add_numeric(bl, "extra", extra));
    OK(mlops_dataset_builder_add_numeric(bl, "b", b));
    OK(mlops_dataset_builder_add_categorical(bl, "c", c));
    OK(mlops_dataset_builder_add_numeric(bl, "a", a));
    mlops_dataset *d;
    OK(mlops_dataset_builder_finish(bl, &d));
    mlops_dataset_builder_free(bl);
    return d;
}

START_TEST(columns_are_matched_by_name)
{
    mlops_dataset *d = small_train(), *fitted, *n = reordered(NULL), *out;
    mlops_transform *t = small_chain();
    OK(mlops_transform_fit_apply(t, d, &fitted));
    /* a: mean of 1,2,4,5,6 = 3.6; c: red (3 of 5); c=blue and c=green are
     * rare (1 < 2) and merged */
    const mlops__tf_fit *f = t->fit;
    ck_assert(f->steps[0].cols[0].p[0] == 3.6);
    ck_assert_str_eq(f->steps[1].cols[0].fill, "red");
    ck_assert_uint_eq(f->steps[3].cols[0].nfreq, 1);
    ck_assert_uint_eq(f->steps[3].cols[0].ninfreq, 2);
    static const char *const names[] = {"a", "c=red", "c=__infrequent__", "b", "y", "s"};
    ck_assert_uint_eq(mlops_transform_output_count(t), 6);
    for (size_t j = 0; j < 6; j++) ck_assert_str_eq(mlops_transform_output_name(t, j), names[j]);

    OK(mlops_transform_apply(t, n, &out));
    /* input order kept; c expanded in place; id was never there */
    static const char *const order[] = {"s", "extra", "b", "c=red", "c=__infrequent__", "a"};
    ck_assert_uint_eq(mlops_dataset_cols(out), 6);
    for (size_t j = 0; j < 6; j++) ck_assert_str_eq(mlops_dataset_column_name(out, j), order[j]);
    /* row 0 of the new data equals training row 2 (a missing -> mean, b 20) */
    ck_assert(num_at(out, "a", 0) == num_at(fitted, "a", 2));
    ck_assert(num_at(out, "b", 0) == num_at(fitted, "b", 2));
    ck_assert(num_at(out, "c=__infrequent__", 0) == 1.0); /* green: rare */
    ck_assert(num_at(out, "c=red", 1) == 1.0); /* missing -> imputed red */
    double z0 = num_at(fitted, "a", 0), z1 = num_at(fitted, "a", 1); /* a = 1 and 2 */
    ck_assert(fabs(num_at(out, "a", 1) - (z0 + 2 * (z1 - z0))) < 1e-15);
    ck_assert(num_at(out, "extra", 1) == -2.0);
    ck_assert(num_at(out, "s", 0) == 9.0);
    mlops_dataset_free(out);

    /* an unseen category goes to __infrequent__ under unseen=infrequent */
    mlops_dataset *u = reordered("purple");
    OK(mlops_transform_apply(t, u, &out));
    ck_assert(num_at(out, "c=__infrequent__", 1) == 1.0);
    ck_assert(num_at(out, "c=red", 1) == 0.0);
    mlops_dataset_free(out);
    mlops_dataset_free(u);

    /* a column a step needs is absent, or has another type */
    size_t keep[] = {0, 1, 2, 3};
    mlops_dataset *no_a;
    OK(mlops_dataset_select_columns(&no_a, n, keep, 4));
    ASSERT_ERR(mlops_transform_apply(t, no_a, &out), MLOPS_EINVAL,
               "step 0 (impute): the data has no column 'a'");
    mlops_dataset_free(no_a);
    static const double cnum[] = {1, 2};
    static const char *const astr[] = {"1", "2"};
    mlops_dataset_builder *bl;
    OK(mlops_dataset_builder_create(&bl, 2));
    OK(mlops_dataset_builder_add_categorical(bl, "a", astr));
    OK(mlops_dataset_builder_add_numeric(bl, "c", cnum));
    OK(mlops_dataset_builder_add_numeric(bl, "b", cnum));
    mlops_dataset *typed;
    OK(mlops_dataset_builder_finish(bl, &typed));
    mlops_dataset_builder_free(bl);
    ASSERT_ERR(mlops_transform_apply(t, typed, &out), MLOPS_EINVAL,
               "step 0 (impute): column 'a' is categorical, but was numeric in fit");
    mlops_dataset_free(typed);

    /* applying to the training data gives what fit_apply gave */
    OK(mlops_transform_apply(t, d, &out));
    ck_assert(same_data(out, fitted));
    mlops_dataset_free(out);
    mlops_dataset_free(fitted);
    mlops_dataset_free(n);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static mlops_transform *onehot_of(const mlops_dataset *d, const char *unseen, const char *minf)
{
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "onehot", "c");
    if (unseen) OK(mlops_transform_set(t, 0, "unseen", unseen));
    if (minf) OK(mlops_transform_set(t, 0, "min_frequency", minf));
    OK(mlops_transform_fit(t, d));
    return t;
}

START_TEST(unseen_categories)
{
    mlops_dataset *d = small_train(), *out = NULL;
    mlops_dataset *u = reordered("purple");
    /* fit saw a missing c: it is a category of its own, after the others */
    mlops_transform *t = onehot_of(d, NULL, NULL);
    static const char *const names[] = {"a", "c=blue", "c=green", "c=red", "c=__missing__"};
    for (size_t j = 0; j < 5; j++) ck_assert_str_eq(mlops_transform_output_name(t, j), names[j]);
    ASSERT_ERR(mlops_transform_apply(t, u, &out), MLOPS_EINVAL,
               "transform step 0 (onehot): column 'c' row 1 has category 'purple', which fit "
               "did not see (unseen=error");
    ck_assert_ptr_null(out);
    mlops_dataset *m = reordered(NULL);
    OK(mlops_transform_apply(t, m, &out));
    ck_assert(num_at(out, "c=__missing__", 1) == 1.0);
    mlops_dataset_free(out);
    mlops_transform_free(t);

    t = onehot_of(d, "zeros", NULL);
    OK(mlops_transform_apply(t, u, &out));
    ck_assert(num_at(out, "c=green", 0) == 1.0);
    for (size_t j = 1; j < 5; j++) ck_assert(num_at(out, names[j], 1) == 0.0);
    mlops_dataset_free(out);
    mlops_transform_free(t);

    /* unseen=infrequent without an infrequent column gives zeros */
    t = onehot_of(d, "infrequent", NULL);
    OK(mlops_transform_apply(t, u, &out));
    ck_assert(num_at(out, "c=red", 1) == 0.0 && num_at(out, "c=blue", 1) == 0.0);
    ck_assert(!has_column(out, "c=__infrequent__"));
    mlops_dataset_free(out);
    mlops_transform_free(t);

    /* every category rare: one __infrequent__ output; missing included */
    t = onehot_of(d, NULL, "10");
    ck_assert_uint_eq(mlops_transform_output_count(t), 6);
    ck_assert_str_eq(mlops_transform_output_name(t, 1), "c=__infrequent__");
    OK(mlops_transform_apply(t, m, &out));
    ck_assert(num_at(out, "c=__infrequent__", 0) == 1.0);
    ck_assert(num_at(out, "c=__infrequent__", 1) == 1.0);
    mlops_dataset_free(out);
    mlops_transform_free(t);

    /* fraction: 0.3 * 6 rows = 1.8, so counts 1 are rare, red (3) is not */
    t = onehot_of(d, NULL, "0.3");
    ck_assert_uint_eq(t->fit->steps[0].cols[0].nfreq, 1);
    ck_assert_uint_eq(t->fit->steps[0].cols[0].ninfreq, 3);
    ck_assert_ptr_null(t->fit->steps[0].cols[0].infreq[2]); /* missing, last */
    mlops_transform_free(t);

    /* fit without missing values, apply with one: unseen */
    static const char *const full[] = {"x", "y", "x"};
    mlops_dataset_builder *b;
    OK(mlops_dataset_builder_create(&b, 3));
    OK(mlops_dataset_builder_add_categorical(b, "c", full));
    mlops_dataset *nd;
    OK(mlops_dataset_builder_finish(b, &nd));
    mlops_dataset_builder_free(b);
    t = onehot_of(nd, NULL, NULL);
    ASSERT_ERR(mlops_transform_apply(t, m, &out), MLOPS_EINVAL,
               "column 'c' row 0 has category 'green'");
    mlops_transform_free(t);
    t = onehot_of(nd, NULL, NULL);
    static const char *const miss[] = {"x", NULL};
    OK(mlops_dataset_builder_create(&b, 2));
    OK(mlops_dataset_builder_add_categorical(b, "c", miss));
    mlops_dataset *md;
    OK(mlops_dataset_builder_finish(b, &md));
    mlops_dataset_builder_free(b);
    ASSERT_ERR(mlops_transform_apply(t, md, &out), MLOPS_EINVAL,
               "column 'c' row 1 is missing, and fit saw no missing value");
    mlops_transform_free(t);
    mlops_dataset_free(md);
    mlops_dataset_free(nd);
    mlops_dataset_free(m);
    mlops_dataset_free(u);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(categorical_constant_fill)
{
    mlops_dataset *d = small_train(), *out;
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "impute", "c,a");
    OK(mlops_transform_set(t, 0, "strategy", "constant"));
    OK(mlops_transform_fit_apply(t, d, &out));
    ck_assert_str_eq(cat_at(out, "c", 3), "missing_value");
    ck_assert(num_at(out, "a", 2) == 0.0);
    ck_assert_str_eq(cat_at(out, "c", 0), "red");
    mlops_dataset_free(out);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- the byte encoding -------------------------------------------------- */

static void fix_crc(unsigned char *b, size_t len)
{
    uint32_t crc = mlops__crc32(0, b, len - 4);
    for (int i = 0; i < 4; i++) b[len - 4 + i] = (unsigned char)(crc >> (8 * i));
}

START_TEST(save_load_round_trip)
{
    mlops_dataset *d = small_train(), *n = reordered("blue"), *o1, *o2;
    mlops_transform *t = small_chain(), *l;
    unsigned char *bytes, *again;
    size_t len, len2;

    /* unfitted: settings survive */
    OK(mlops_transform_save(t, &bytes, &len));
    OK(mlops_transform_load(&l, bytes, len));
    ck_assert_int_eq(mlops_transform_is_fitted(l), 0);
    ck_assert_uint_eq(mlops_transform_step_count(l), 5);
    ck_assert_int_eq(l->steps[3].unseen, MLOPS__UNSEEN_INFREQUENT);
    ck_assert_str_eq(l->steps[3].values[MLOPS__KEY_MIN_FREQUENCY], "2");
    OK(mlops_transform_save(l, &again, &len2));
    ck_assert_uint_eq(len, len2);
    ck_assert(memcmp(bytes, again, len) == 0);
    mlops_free(again);
    mlops_free(bytes);
    mlops_transform_free(l);

    OK(mlops_transform_fit(t, d));
    OK(mlops_transform_save(t, &bytes, &len));
    ck_assert(memcmp(bytes, "MLTF\x01\x00\x00\x00", 8) == 0);
    OK(mlops_transform_load(&l, bytes, len));
    ck_assert_int_eq(mlops_transform_is_fitted(l), 1);
    ck_assert_uint_eq(mlops_transform_output_count(l), 6);
    ck_assert_str_eq(mlops_transform_output_name(l, 2), "c=__infrequent__");
    OK(mlops_transform_apply(t, n, &o1));
    OK(mlops_transform_apply(l, n, &o2));
    ck_assert(same_data(o1, o2));
    for (size_t j = 0; j < mlops_dataset_cols(o1); j++) {
        if (mlops_dataset_column_type(o1, j) != MLOPS_NUMERIC) continue;
        const double *x, *y;
        OK(mlops_dataset_numeric_data(o1, j, &x));
        OK(mlops_dataset_numeric_data(o2, j, &y));
        ck_assert(memcmp(x, y, 2 * sizeof *x) == 0);
    }
    OK(mlops_transform_save(l, &again, &len2));
    ck_assert_uint_eq(len, len2);
    ck_assert(memcmp(bytes, again, len) == 0);
    mlops_free(again);
    mlops_dataset_free(o1);
    mlops_dataset_free(o2);
    mlops_transform_free(l);

    ASSERT_ERR(mlops_transform_load(&l, "hello world, not a transform", 28), MLOPS_EFORMAT,
               "not a transform encoding");
    ASSERT_ERR(mlops_transform_load(&l, NULL, 5), MLOPS_EINVAL, "NULL");
    ASSERT_ERR(mlops_transform_load(&l, bytes, 0), MLOPS_EFORMAT, "magic");
    ASSERT_ERR(mlops_transform_save(NULL, &again, &len2), MLOPS_EINVAL, "NULL");

    /* a newer format version */
    unsigned char *copy = malloc(len);
    memcpy(copy, bytes, len);
    copy[4] = 2;
    fix_crc(copy, len);
    ASSERT_ERR(mlops_transform_load(&l, copy, len), MLOPS_EVERSION,
               "format version 2 is newer than this library reads (up to 1)");
    /* an unknown step kind (the first step's kind byte follows the step count) */
    memcpy(copy, bytes, len);
    ck_assert_int_eq(copy[20], MLOPS__TF_IMPUTE);
    copy[20] = 9;
    fix_crc(copy, len);
    ASSERT_ERR(mlops_transform_load(&l, copy, len), MLOPS_EVERSION, "step 0 has kind 9");
    free(copy);
    mlops_free(bytes);
    mlops_transform_free(t);
    mlops_dataset_free(n);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static mlops_transform *cars_transform(mlops_dataset **cars)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/real/cars.csv", DATA_DIR);
    OK(mlops_dataset_read_csv(cars, path, NULL));
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "impute", "*");
    OK(mlops_transform_set(t, 0, "strategy", "median"));
    mlops_transform_add(t, "impute", "Origin");
    OK(mlops_transform_set(t, 1, "strategy", "constant"));
    OK(mlops_transform_set(t, 1, "fill_value", "other"));
    mlops_transform_add(t, "standardize", "Horsepower,Weight_in_lbs");
    mlops_transform_add(t, "minmax", "Acceleration");
    mlops_transform_add(t, "onehot", "Origin,Year");
    OK(mlops_transform_set(t, 4, "min_frequency", "30"));
    OK(mlops_transform_set(t, 4, "unseen", "zeros"));
    mlops_transform_add(t, "drop", "Name");
    OK(mlops_transform_fit(t, *cars));
    return t;
}

/* Every truncation and every damaged byte is refused; damage behind a
 * recomputed checksum reaches the parser, which must never crash, leak
 * or accept inconsistent content silently. */
START_TEST(damaged_bytes_are_refused)
{
    mlops_dataset *cars;
    mlops_transform *t = cars_transform(&cars), *l;
    unsigned char *bytes;
    size_t len;
    OK(mlops_transform_save(t, &bytes, &len));
    unsigned char *copy = malloc(len);
    for (size_t n = 0; n < len; n++) {
        l = NULL;
        int rc = mlops_transform_load(&l, bytes, n);
        ck_assert_msg(rc == MLOPS_ECORRUPT || rc == MLOPS_EFORMAT, "prefix %zu gave %d", n, rc);
        ck_assert_ptr_null(l);
    }
    size_t accepted = 0, rejected = 0;
    for (size_t i = 0; i < len; i++) {
        for (int variant = 0; variant < 3; variant++) {
            memcpy(copy, bytes, len);
            copy[i] ^= variant == 0 ? 0x01 : variant == 1 ? 0x80 : 0xff;
            l = NULL;
            int rc = mlops_transform_load(&l, copy, len);
            ck_assert_msg(rc < 0, "flipping byte %zu was not detected", i);
            ck_assert_ptr_null(l);
            if (i + 4 >= len) continue;
            fix_crc(copy, len);
            rc = mlops_transform_load(&l, copy, len);
            if (rc == MLOPS_OK) {
                /* a change the format cannot tell from a real transform
                 * (a parameter's bits, a category's letters): it must
                 * still apply or refuse cleanly */
                accepted++;
                mlops_dataset *out = NULL;
                rc = mlops_transform_apply(l, cars, &out);
                ck_assert(rc == MLOPS_OK || rc == MLOPS_EINVAL || rc == MLOPS_ESTATE);
                mlops_dataset_free(out);
                mlops_transform_free(l);
            } else {
                rejected++;
                ck_assert_msg(rc == MLOPS_ECORRUPT || rc == MLOPS_EVERSION ||
                                  rc == MLOPS_EFORMAT,
                              "byte %zu gave %d: %s", i, rc, mlops_last_error());
                ck_assert_ptr_null(l);
            }
        }
    }
    ck_assert_uint_gt(rejected, 0);
    ck_assert_uint_gt(accepted, 0);
    /* random garbage with a valid header and checksum */
    mlops__rng rng;
    mlops__rng_seed(&rng, 7);
    for (int trial = 0; trial < 2000; trial++) {
        size_t n = 20 + (size_t)mlops__rng_below(&rng, 200);
        unsigned char *g = malloc(n);
        for (size_t i = 0; i < n; i++) g[i] = (unsigned char)mlops__rng_next(&rng);
        memcpy(g, "MLTF\x01\x00\x00\x00", 8);
        uint64_t payload = n - 20;
        for (int i = 0; i < 8; i++) g[8 + i] = (unsigned char)(payload >> (8 * i));
        if (trial % 2) g[16] = g[17] = g[18] = g[19] = 0; /* small step count */
        fix_crc(g, n);
        l = NULL;
        int rc = mlops_transform_load(&l, g, n);
        ck_assert(rc != MLOPS_OK || l != NULL);
        mlops_transform_free(l);
        free(g);
    }
    free(copy);
    mlops_free(bytes);
    mlops_transform_free(t);
    mlops_dataset_free(cars);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- hostile and extreme input ----------------------------------------- */

static mlops_dataset *one_numeric(const char *name, const double *v, size_t n)
{
    mlops_dataset_builder *bl;
    OK(mlops_dataset_builder_create(&bl, n));
    OK(mlops_dataset_builder_add_numeric(bl, name, v));
    mlops_dataset *d;
    OK(mlops_dataset_builder_finish(bl, &d));
    mlops_dataset_builder_free(bl);
    return d;
}

/* Fits `step` on x, applies it, and checks that the fit survives a save
 * and load (which refuses non-finite parameters). */
static mlops_dataset *fit_round_trip(const char *step, const char *strategy, const double *x,
                                     size_t n)
{
    mlops_dataset *d = one_numeric("x", x, n), *out;
    mlops_transform *t, *l;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, step, "x"), 0);
    if (strategy) OK(mlops_transform_set(t, 0, "strategy", strategy));
    OK(mlops_transform_fit(t, d));
    OK(mlops_transform_apply(t, d, &out));
    unsigned char *bytes;
    size_t len;
    OK(mlops_transform_save(t, &bytes, &len));
    OK(mlops_transform_load(&l, bytes, len));
    mlops_dataset *again;
    OK(mlops_transform_apply(l, d, &again));
    ck_assert(same_data(out, again));
    mlops_dataset_free(again);
    mlops_transform_free(l);
    mlops_free(bytes);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    return out;
}

/* Values near DBL_MAX overflow a plain sum or range: the fit must still
 * give finite parameters (which a saved transform needs to load again) or
 * refuse, never scale by 0, inf or nan. */
START_TEST(extreme_values_fit_finite_parameters)
{
    const double wide[3] = {-1e308, 0, 1e308};
    mlops_dataset *out = fit_round_trip("minmax", NULL, wide, 3);
    ck_assert(num_at(out, "x", 0) == 0.0);
    ck_assert(fabs(num_at(out, "x", 1) - 0.5) < 1e-15);
    ck_assert(fabs(num_at(out, "x", 2) - 1.0) < 1e-15);
    mlops_dataset_free(out);

    const double big[3] = {1e308, NAN, 1.5e308};
    out = fit_round_trip("impute", "mean", big, 3);
    ck_assert(num_at(out, "x", 1) == 1.25e308);
    mlops_dataset_free(out);

    /* the mean is finite; the deviations are 0, so the column is constant
     * and only centred */
    const double same[2] = {1.5e308, 1.5e308};
    out = fit_round_trip("standardize", NULL, same, 2);
    ck_assert(num_at(out, "x", 0) == 0.0);
    mlops_dataset_free(out);

    /* deviations of 1.5e308 overflow their squares */
    const double spread[3] = {1.5e308, -1.5e308, 1.5e308};
    mlops_dataset *d = one_numeric("x", spread, 3);
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "x"), 0);
    ASSERT_ERR(mlops_transform_fit(t, d), MLOPS_EINVAL,
               "transform step 0 (standardize): column 'x' spreads too widely to scale (its "
               "variance overflows)");
    ck_assert_int_eq(mlops_transform_is_fitted(t), 0);
    /* without scaling only the (finite) mean is needed */
    OK(mlops_transform_set(t, 0, "with_std", "false"));
    OK(mlops_transform_fit(t, d));
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* A byte writer for hand-made encodings. */
typedef struct enc {
    unsigned char *p;
    size_t len, cap;
} enc;

static void enc_put(enc *e, const void *data, size_t n)
{
    if (e->len + n > e->cap) {
        e->cap = (e->len + n) * 2;
        e->p = realloc(e->p, e->cap);
        ck_assert_ptr_nonnull(e->p);
    }
    memcpy(e->p + e->len, data, n);
    e->len += n;
}

static void enc_le(enc *e, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)(v >> (8 * i));
        enc_put(e, &b, 1);
    }
}

static void enc_str(enc *e, const char *s)
{
    enc_le(e, strlen(s), 4);
    enc_put(e, s, strlen(s));
}

static void enc_f64(enc *e, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    enc_le(e, bits, 8);
}

static void enc_head(enc *e, uint32_t nsteps)
{
    e->len = 0;
    enc_put(e, "MLTF", 4);
    enc_le(e, 1, 2);
    enc_le(e, 0, 2);
    enc_le(e, 0, 8);
    enc_le(e, nsteps, 4);
}

/* A step without settings. */
static void enc_step(enc *e, int kind, const char *spec)
{
    enc_le(e, (uint64_t)kind, 1);
    enc_str(e, spec);
    enc_le(e, 0, 1);
}

/* The fitted flag, training rows and input columns (name, type), all
 * features. */
static void enc_inputs(enc *e, size_t n, const char *const *names, const int *types)
{
    enc_le(e, 1, 1);
    enc_le(e, 10, 8);
    enc_le(e, n, 4);
    for (size_t j = 0; j < n; j++) {
        enc_str(e, names[j]);
        enc_le(e, (uint64_t)types[j], 1);
        enc_le(e, MLOPS_ROLE_FEATURE, 1);
        enc_le(e, 0, 1);
    }
}

/* A fitted one-hot column with categories cats[0..n). */
static void enc_onehot_col(enc *e, const char *name, size_t n, const char *const *cats)
{
    enc_str(e, name);
    enc_le(e, MLOPS_CATEGORICAL, 1);
    enc_le(e, n, 4);
    for (size_t k = 0; k < n; k++) {
        enc_le(e, 0, 1);
        enc_str(e, cats[k]);
    }
    enc_le(e, 0, 4);
}

/* Patches the payload size, appends the checksum and loads. */
static int enc_load(enc *e, mlops_transform **out)
{
    uint64_t payload = e->len - 16;
    for (int i = 0; i < 8; i++) e->p[8 + i] = (unsigned char)(payload >> (8 * i));
    enc_le(e, mlops__crc32(0, e->p, e->len), 4);
    *out = NULL;
    return mlops_transform_load(out, e->p, e->len);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Encodings whose fitted columns do not fit together are refused, and the
 * output columns follow the same rules as applying (an output may reuse
 * the name of a column the same step already replaced). */
START_TEST(crafted_encodings)
{
    enc e = {0};
    mlops_transform *l;
    const int NUM = MLOPS_NUMERIC, CAT = MLOPS_CATEGORICAL;
    const char *const two[] = {"a", "a"};
    const int two_types[] = {NUM, NUM};
    enc_head(&e, 0);
    enc_inputs(&e, 2, two, two_types);
    ASSERT_ERR(enc_load(&e, &l), MLOPS_ECORRUPT, "training data: column 'a' appears twice");

    /* onehot of c makes c=x, which the data already has */
    const char *const clash[] = {"c", "c=x"};
    const int clash_types[] = {CAT, CAT};
    const char *const x[] = {"x"}, *const u[] = {"u"};
    enc_head(&e, 1);
    enc_step(&e, MLOPS__TF_ONEHOT, "*");
    enc_inputs(&e, 2, clash, clash_types);
    enc_le(&e, 1, 4);
    enc_onehot_col(&e, "c", 1, x);
    ASSERT_ERR(enc_load(&e, &l), MLOPS_ECORRUPT,
               "step 0 (onehot) output: column 'c=x' appears twice");
    /* ... unless the same step has replaced c=x first */
    enc_head(&e, 1);
    enc_step(&e, MLOPS__TF_ONEHOT, "*");
    enc_inputs(&e, 2, clash, clash_types);
    enc_le(&e, 2, 4);
    enc_onehot_col(&e, "c=x", 1, u);
    enc_onehot_col(&e, "c", 1, x);
    OK(enc_load(&e, &l));
    ck_assert_uint_eq(mlops_transform_output_count(l), 2);
    ck_assert_str_eq(mlops_transform_output_name(l, 0), "c=x");
    ck_assert_str_eq(mlops_transform_output_name(l, 1), "c=x=u");
    const char *const cv[] = {"x", "x"}, *const xv[] = {"u", "u"};
    mlops_dataset_builder *bl;
    OK(mlops_dataset_builder_create(&bl, 2));
    OK(mlops_dataset_builder_add_categorical(bl, "c", cv));
    OK(mlops_dataset_builder_add_categorical(bl, "c=x", xv));
    mlops_dataset *d, *out;
    OK(mlops_dataset_builder_finish(bl, &d));
    mlops_dataset_builder_free(bl);
    OK(mlops_transform_apply(l, d, &out));
    ck_assert_str_eq(mlops_dataset_column_name(out, 0), "c=x");
    ck_assert_str_eq(mlops_dataset_column_name(out, 1), "c=x=u");
    mlops_dataset_free(out);
    mlops_dataset_free(d);
    mlops_transform_free(l);

    /* a dropped column cannot be used later; a fitted type must match */
    const char *const ab[] = {"a", "b"};
    const int ab_types[] = {NUM, CAT};
    enc_head(&e, 2);
    enc_step(&e, MLOPS__TF_DROP, "a");
    enc_step(&e, MLOPS__TF_STANDARDIZE, "*");
    enc_inputs(&e, 2, ab, ab_types);
    enc_le(&e, 1, 4);
    enc_str(&e, "a");
    enc_le(&e, NUM, 1);
    enc_le(&e, 1, 4);
    enc_str(&e, "a");
    enc_le(&e, NUM, 1);
    enc_f64(&e, 0);
    enc_f64(&e, 1);
    ASSERT_ERR(enc_load(&e, &l), MLOPS_ECORRUPT,
               "step 1 (standardize): column 'a' does not exist at this step");
    enc_head(&e, 1);
    enc_step(&e, MLOPS__TF_IMPUTE, "b");
    enc_inputs(&e, 2, ab, ab_types);
    enc_le(&e, 1, 4);
    enc_str(&e, "b");
    enc_le(&e, NUM, 1);
    enc_f64(&e, 0);
    ASSERT_ERR(enc_load(&e, &l), MLOPS_ECORRUPT,
               "step 0 (impute): column 'b' is categorical, fitted as numeric");
    free(e.p);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Long column lists and wide fitted steps load in linear time: hostile
 * bytes must not buy quadratic work (each case took over a minute when
 * every name was compared with every other). */
START_TEST(wide_encodings_load_in_linear_time)
{
    size_t n = getenv("MLOPS_TEST_SHORT") ? 5000 : 100000;
    enc e = {0};
    mlops_transform *l;
    /* an unfitted drop step naming n columns */
    enc_head(&e, 1);
    enc_le(&e, MLOPS__TF_DROP, 1);
    char *spec = malloc(n * 16 + 16);
    ck_assert_ptr_nonnull(spec);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += (size_t)sprintf(spec + k, "%scolumn%zu", i ? "," : "", i);
    enc_str(&e, spec);
    enc_le(&e, 0, 1);
    enc_le(&e, 0, 1);
    double start = now_seconds();
    OK(enc_load(&e, &l));
    double took = now_seconds() - start;
    ck_assert_uint_eq(l->steps[0].nnames, n);
    mlops_transform_free(l);
    if (!getenv("MLOPS_TEST_SHORT")) ck_assert_double_lt(took, 5.0);
    /* a repeated name is still found */
    enc_head(&e, 1);
    enc_le(&e, MLOPS__TF_DROP, 1);
    k += (size_t)sprintf(spec + k, ",column%zu", n / 2);
    enc_str(&e, spec);
    enc_le(&e, 0, 1);
    enc_le(&e, 0, 1);
    char want[64];
    snprintf(want, sizeof want, "names 'column%zu' twice", n / 2);
    ASSERT_ERR(enc_load(&e, &l), MLOPS_ECORRUPT, want);
    free(spec);

    /* a fitted "*" standardize step over n columns, fitted in reverse
     * order */
    enc_head(&e, 1);
    enc_step(&e, MLOPS__TF_STANDARDIZE, "*");
    enc_le(&e, 1, 1);
    enc_le(&e, 10, 8);
    enc_le(&e, n, 4);
    char name[32];
    for (size_t j = 0; j < n; j++) {
        snprintf(name, sizeof name, "c%zu", j);
        enc_str(&e, name);
        enc_le(&e, MLOPS_NUMERIC, 1);
        enc_le(&e, MLOPS_ROLE_FEATURE, 1);
        enc_le(&e, 0, 1);
    }
    enc_le(&e, n, 4);
    for (size_t j = 0; j < n; j++) {
        snprintf(name, sizeof name, "c%zu", n - 1 - j);
        enc_str(&e, name);
        enc_le(&e, MLOPS_NUMERIC, 1);
        enc_f64(&e, 0);
        enc_f64(&e, 1);
    }
    start = now_seconds();
    OK(enc_load(&e, &l));
    took = now_seconds() - start;
    ck_assert_uint_eq(mlops_transform_output_count(l), n);
    ck_assert_str_eq(mlops_transform_output_name(l, 0), "c0");
    snprintf(name, sizeof name, "c%zu", n - 1);
    ck_assert_str_eq(mlops_transform_output_name(l, n - 1), name);
    mlops_transform_free(l);
    if (!getenv("MLOPS_TEST_SHORT")) ck_assert_double_lt(took, 5.0);
    free(e.p);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Bytes written by format version 1 (an impute/onehot/standardize/minmax/
 * drop chain fitted on small_train()); they must load forever. */
static const unsigned char GOLDEN_V1[] = {
    0x4d, 0x4c, 0x54, 0x46, 0x01, 0x00, 0x00, 0x00, 0x57, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00,
    0x00, 0x61, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x63, 0x01, 0x08, 0x00,
    0x00, 0x00, 0x73, 0x74, 0x72, 0x61, 0x74, 0x65, 0x67, 0x79, 0x0d, 0x00,
    0x00, 0x00, 0x6d, 0x6f, 0x73, 0x74, 0x5f, 0x66, 0x72, 0x65, 0x71, 0x75,
    0x65, 0x6e, 0x74, 0x04, 0x01, 0x00, 0x00, 0x00, 0x63, 0x02, 0x06, 0x00,
    0x00, 0x00, 0x75, 0x6e, 0x73, 0x65, 0x65, 0x6e, 0x0a, 0x00, 0x00, 0x00,
    0x69, 0x6e, 0x66, 0x72, 0x65, 0x71, 0x75, 0x65, 0x6e, 0x74, 0x0d, 0x00,
    0x00, 0x00, 0x6d, 0x69, 0x6e, 0x5f, 0x66, 0x72, 0x65, 0x71, 0x75, 0x65,
    0x6e, 0x63, 0x79, 0x01, 0x00, 0x00, 0x00, 0x32, 0x02, 0x01, 0x00, 0x00,
    0x00, 0x62, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x61, 0x00, 0x05, 0x02,
    0x00, 0x00, 0x00, 0x69, 0x64, 0x00, 0x01, 0x06, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x61,
    0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x63, 0x02, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x62, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x79,
    0x01, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x69, 0x64, 0x02, 0x04, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x73, 0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x61, 0x01, 0xcd, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
    0x0c, 0x40, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x63, 0x02,
    0x03, 0x00, 0x00, 0x00, 0x72, 0x65, 0x64, 0x01, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x63, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00,
    0x00, 0x00, 0x72, 0x65, 0x64, 0x02, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
    0x00, 0x00, 0x62, 0x6c, 0x75, 0x65, 0x00, 0x05, 0x00, 0x00, 0x00, 0x67,
    0x72, 0x65, 0x65, 0x6e, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x62, 0x01, 0xab, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0x35, 0x40, 0xd6, 0xa9,
    0x5a, 0xd5, 0xff, 0x57, 0x25, 0x40, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x40, 0x9a, 0x99, 0x99, 0x99,
    0x99, 0x99, 0xc9, 0x3f, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xc9, 0xbf,
    0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x69, 0x64, 0x02, 0x76,
    0xe5, 0xd6, 0xb1
};

START_TEST(golden_bytes_load)
{
    mlops_transform *t;
    OK(mlops_transform_load(&t, GOLDEN_V1, sizeof GOLDEN_V1));
    ck_assert_uint_eq(mlops_transform_step_count(t), 6);
    static const char *const names[] = {"a", "c=red", "c=__infrequent__", "b", "y", "s"};
    ck_assert_uint_eq(mlops_transform_output_count(t), 6);
    for (size_t j = 0; j < 6; j++) ck_assert_str_eq(mlops_transform_output_name(t, j), names[j]);
    mlops_dataset *d = small_train(), *out;
    OK(mlops_transform_apply(t, d, &out));
    /* a: mean fill 3.6, then minmax over {1, 2, 3.6, 4, 5, 6}: scale 0.2,
     * offset -0.2, computed as product then sum */
    double scale = 1.0 / 5, offset = 0.0 - 1.0 * scale, scaled = 3.6 * scale;
    ck_assert(num_at(out, "a", 2) == scaled + offset);
    ck_assert(num_at(out, "c=__infrequent__", 1) == 1.0);
    ck_assert(num_at(out, "c=red", 3) == 1.0);
    /* b = {10, 10, 20, 20, 30, 40}: mean 65/3, population std sqrt(1025/9) */
    ck_assert(fabs(num_at(out, "b", 0) - (10 - 65.0 / 3) / sqrt(1025.0 / 9)) < 1e-15);
    unsigned char *bytes;
    size_t len;
    OK(mlops_transform_save(t, &bytes, &len));
    ck_assert_uint_eq(len, sizeof GOLDEN_V1);
    ck_assert(memcmp(bytes, GOLDEN_V1, len) == 0);
    mlops_free(bytes);
    mlops_dataset_free(out);
    mlops_dataset_free(d);
    mlops_transform_free(t);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* A one-hot output may take the name of a column the same step replaced
 * before it, never of one still in the table. */
START_TEST(onehot_outputs_and_replaced_names)
{
    const char *const cv[] = {"x", "x", "y"}, *const xv[] = {"u", "v", "u"};
    mlops_dataset_builder *bl;
    OK(mlops_dataset_builder_create(&bl, 3));
    OK(mlops_dataset_builder_add_categorical(bl, "c", cv));
    OK(mlops_dataset_builder_add_categorical(bl, "c=x", xv));
    mlops_dataset *d, *out;
    OK(mlops_dataset_builder_finish(bl, &d));
    mlops_dataset_builder_free(bl);
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "onehot", "c, c=x"), 0);
    ASSERT_ERR(mlops_transform_fit(t, d), MLOPS_EINVAL,
               "output column 'c=x' of 'c' repeats an existing column name");
    mlops_transform_free(t);
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "onehot", "c=x, c"), 0);
    OK(mlops_transform_fit_apply(t, d, &out));
    static const char *const names[] = {"c=x", "c=y", "c=x=u", "c=x=v"};
    ck_assert_uint_eq(mlops_dataset_cols(out), 4);
    for (size_t j = 0; j < 4; j++) {
        ck_assert_str_eq(mlops_dataset_column_name(out, j), names[j]);
        ck_assert_str_eq(mlops_transform_output_name(t, j), names[j]);
    }
    ck_assert(num_at(out, "c=x", 1) == 1.0 && num_at(out, "c=x=v", 1) == 1.0);
    ck_assert(num_at(out, "c=y", 2) == 1.0 && num_at(out, "c=x=u", 2) == 1.0);
    mlops_dataset_free(out);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Fitting and applying a step over many columns costs linear time: each
 * fitted column used to be looked up, and each one-hot encoding spliced in
 * and checked, against every column of the table (a minute and more for
 * 20000 columns). */
START_TEST(wide_steps_run_in_linear_time)
{
    size_t ncols = getenv("MLOPS_TEST_SHORT") ? 1000 : 20000;
    /* built directly: the public builder checks each new name against all
     * earlier ones */
    const int32_t codes[4] = {0, 1, 0, -1};
    const double nums[4] = {1, 2, NAN, 4};
    mlops_dataset *d, *out;
    OK(mlops__dataset_new(&d, 4, ncols, "wide"));
    char name[32];
    for (size_t j = 0; j < ncols; j++) {
        mlops__column *c = &d->cols[j];
        snprintf(name, sizeof name, "col%zu", j);
        OK(mlops__column_init(c, name, j % 2 ? MLOPS_CATEGORICAL : MLOPS_NUMERIC, 4));
        int32_t code;
        if (j % 2) {
            OK(mlops__dict_intern(c->dict, "a", 1, &code));
            OK(mlops__dict_intern(c->dict, "b", 1, &code));
            memcpy(c->codes, codes, sizeof codes);
        } else {
            memcpy(c->values, nums, sizeof nums);
        }
        c->missing = 1;
    }
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "impute", "*"), 0);
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 1);
    ck_assert_int_eq(mlops_transform_add(t, "onehot", "*"), 2);
    ck_assert_int_eq(mlops_transform_add(t, "drop", "col0, col2, col4"), 3);
    double start = now_seconds();
    OK(mlops_transform_fit(t, d));
    OK(mlops_transform_apply(t, d, &out));
    double took = now_seconds() - start;
    /* numeric columns stay, less three; categorical ones become a, b and
     * __missing__ */
    size_t want = ncols / 2 - 3 + 3 * (ncols / 2);
    ck_assert_uint_eq(mlops_dataset_cols(out), want);
    ck_assert_uint_eq(mlops_transform_output_count(t), want);
    ck_assert_str_eq(mlops_dataset_column_name(out, 0), "col1=a");
    ck_assert_str_eq(mlops_dataset_column_name(out, 3), "col3=a");
    ck_assert_str_eq(mlops_dataset_column_name(out, 6), "col5=a");
    ck_assert_str_eq(mlops_dataset_column_name(out, 9), "col6");
    for (size_t j = 0; j < want; j++)
        ck_assert_str_eq(mlops_dataset_column_name(out, j), mlops_transform_output_name(t, j));
    ck_assert(num_at(out, "col6", 2) == 0.0); /* the imputed mean, centred */
    ck_assert(num_at(out, "col7=__missing__", 3) == 1.0);
    if (!getenv("MLOPS_TEST_SHORT")) ck_assert_double_lt(took, 10.0);
    mlops_dataset_free(out);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Fuzzing the decoder: valid encodings with length fields, counts, flags,
 * doubles and ranges overwritten, deleted or repeated, behind a recomputed
 * size and checksum so the parser sees them. Each loads or is refused with
 * a decoding error; each that loads saves to bytes that load again to the
 * same bytes, describes itself, and applies or refuses cleanly.
 * Deterministic (a fixed seed). */
static void fuzz_mutate(mlops__rng *rng, unsigned char **buf, size_t *len)
{
    static const uint32_t WORDS[] = {0, 1, 2, 3, 7, 255, 0x10000, 0x7fffffff, 0x80000000u,
                                     0xffffffffu};
    static const double DOUBLES[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, 1.0, -1.0, DBL_MAX,
                                     -DBL_MAX, DBL_MIN, 4.9e-324, 1e308};
    static const unsigned char BYTES[] = {0, 1, 2, 3, 4, 5, 6, 7, 0x7f, 0x80, 0xfe, 0xff};
    unsigned char *b = *buf;
    size_t n = *len;
    if (n <= 21) return;
    /* mostly past the 16-byte header, which the checksum cannot vouch for */
    size_t at = 16 + (size_t)mlops__rng_below(rng, n - 20);
    switch (mlops__rng_below(rng, 6)) {
    case 0: { /* a 32-bit length or count */
        uint32_t v = (uint32_t)mlops__rng_below(rng, 3) == 0
                         ? (uint32_t)(n - at) + (uint32_t)mlops__rng_below(rng, 3) - 1
                         : WORDS[mlops__rng_below(rng, sizeof WORDS / sizeof WORDS[0])];
        for (size_t i = 0; i < 4 && at + i < n - 4; i++) b[at + i] = (unsigned char)(v >> (8 * i));
        break;
    }
    case 1: { /* a double */
        uint64_t bits;
        double v = DOUBLES[mlops__rng_below(rng, sizeof DOUBLES / sizeof DOUBLES[0])];
        memcpy(&bits, &v, sizeof bits);
        for (size_t i = 0; i < 8 && at + i < n - 4; i++)
            b[at + i] = (unsigned char)(bits >> (8 * i));
        break;
    }
    case 2: /* a flag, kind or type byte */
        b[at] = BYTES[mlops__rng_below(rng, sizeof BYTES / sizeof BYTES[0])];
        break;
    case 3: /* any byte */
        b[at] = (unsigned char)mlops__rng_next(rng);
        break;
    case 4: { /* delete up to 32 bytes */
        size_t k = 1 + (size_t)mlops__rng_below(rng, 32);
        if (k > n - 4 - at) k = n - 4 - at;
        memmove(b + at, b + at + k, n - at - k);
        *len = n - k;
        break;
    }
    default: { /* repeat up to 64 bytes from elsewhere here */
        size_t from = 16 + (size_t)mlops__rng_below(rng, n - 20);
        size_t k = 1 + (size_t)mlops__rng_below(rng, 64);
        if (k > n - 4 - from) k = n - 4 - from;
        unsigned char *grown = malloc(n + k);
        ck_assert_ptr_nonnull(grown);
        memcpy(grown, b, at);
        memcpy(grown + at, b + from, k);
        memcpy(grown + at + k, b + at, n - at);
        free(b);
        *buf = grown;
        *len = n + k;
        break;
    }
    }
}

START_TEST(fuzzed_encodings)
{
    mlops_dataset *cars, *small = small_train();
    mlops_transform *t = cars_transform(&cars), *u = small_chain(), *l;
    typedef struct seed {
        unsigned char *bytes;
        size_t len;
        const mlops_dataset *data;
    } seed;
    seed seeds[4];
    OK(mlops_transform_save(t, &seeds[0].bytes, &seeds[0].len));
    seeds[0].data = cars;
    OK(mlops_transform_save(u, &seeds[1].bytes, &seeds[1].len));
    seeds[1].data = small;
    OK(mlops_transform_fit(u, small));
    OK(mlops_transform_save(u, &seeds[2].bytes, &seeds[2].len));
    seeds[2].data = small;
    OK(mlops_transform_load(&l, GOLDEN_V1, sizeof GOLDEN_V1));
    OK(mlops_transform_save(l, &seeds[3].bytes, &seeds[3].len));
    mlops_transform_free(l);
    seeds[3].data = small;
    mlops__rng rng;
    mlops__rng_seed(&rng, 99);
    int rounds = getenv("MLOPS_TEST_SHORT") ? 200 : 4000, loaded = 0;
    for (int round = 0; round < rounds; round++) {
        const seed *sd = &seeds[round % 4];
        size_t len = sd->len;
        unsigned char *b = malloc(len);
        ck_assert_ptr_nonnull(b);
        memcpy(b, sd->bytes, len);
        int nmut = 1 + (int)mlops__rng_below(&rng, 3);
        for (int k = 0; k < nmut; k++) fuzz_mutate(&rng, &b, &len);
        uint64_t payload = len - 20;
        for (int i = 0; i < 8; i++) b[8 + i] = (unsigned char)(payload >> (8 * i));
        fix_crc(b, len);
        l = NULL;
        mlops_clear_error();
        int rc = mlops_transform_load(&l, b, len);
        ck_assert_msg(rc == MLOPS_OK || rc == MLOPS_ECORRUPT || rc == MLOPS_EVERSION ||
                          rc == MLOPS_EFORMAT,
                      "round %d: code %d: %s", round, rc, mlops_last_error());
        if (rc != MLOPS_OK) {
            ck_assert_ptr_null(l);
            ck_assert_uint_gt(strlen(mlops_last_error()), 0);
        } else {
            loaded++;
            unsigned char *once, *twice;
            size_t n1, n2;
            mlops_transform *again;
            OK(mlops_transform_save(l, &once, &n1));
            OK(mlops_transform_load(&again, once, n1));
            OK(mlops_transform_save(again, &twice, &n2));
            ck_assert_uint_eq(n1, n2);
            ck_assert(memcmp(once, twice, n1) == 0);
            char *json;
            OK(mlops_transform_to_json(l, &json));
            mlops_free(json);
            mlops_dataset *out = NULL;
            rc = mlops_transform_apply(l, sd->data, &out);
            ck_assert_msg(rc == MLOPS_OK || rc == MLOPS_EINVAL || rc == MLOPS_ESTATE,
                          "round %d: apply gave %d: %s", round, rc, mlops_last_error());
            ck_assert(rc == MLOPS_OK || out == NULL);
            mlops_dataset_free(out);
            mlops_free(once);
            mlops_free(twice);
            mlops_transform_free(again);
            mlops_transform_free(l);
        }
        free(b);
    }
    ck_assert_int_gt(loaded, rounds / 50);
    for (int i = 0; i < 4; i++) mlops_free(seeds[i].bytes);
    mlops_transform_free(t);
    mlops_transform_free(u);
    mlops_dataset_free(cars);
    mlops_dataset_free(small);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(json_describes_the_fit)
{
    mlops_dataset *d = small_train();
    mlops_transform *t = small_chain();
    char *json;
    OK(mlops_transform_to_json(t, &json));
    ck_assert_ptr_nonnull(strstr(json, "\"fitted\": false"));
    ck_assert_ptr_nonnull(strstr(json, "\"min_frequency\": \"2\""));
    mlops_free(json);
    OK(mlops_transform_fit(t, d));
    OK(mlops_transform_to_json(t, &json));
    static const char *const want[] = {
        "\"fitted\": true",
        "\"training_rows\": 6",
        "\"kind\": \"impute\"",
        "\"strategy\": \"mean\"",
        "\"fill_value\": 3.6",
        "\"fill_value\": \"red\"",
        "\"kind\": \"onehot\"",
        "\"unseen\": \"infrequent\"",
        "\"categories\": [\n",
        "\"outputs\": [\n",
        "\"c=__infrequent__\"",
        "\"infrequent\": [\n",
        "\"role\": \"target\"",
        "\"sensitive\": true",
        "\"output_columns\"",
        "\"scale\": ",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(strstr(json, want[i]) != NULL, "JSON lacks %s:\n%s", want[i], json);
    mlops_free(json);
    ASSERT_ERR(mlops_transform_to_json(t, NULL), MLOPS_EINVAL, "NULL");
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- ordering helpers --------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

START_TEST(sort_and_select_agree_with_qsort)
{
    mlops__rng rng;
    mlops__rng_seed(&rng, 3);
    enum { N = 3000 };
    static double a[N], ref[N], sel[N];
    /* under valgrind (MLOPS_TEST_SHORT) up to 600 values, past every size
     * threshold of the selection and sort routines all the same */
    const size_t largest = getenv("MLOPS_TEST_SHORT") ? 600 : N;
    for (int pattern = 0; pattern < 7; pattern++) {
        for (size_t n = 1; n <= largest; n = n < 40 ? n + 1 : n * 3 / 2) {
            for (size_t i = 0; i < n; i++) {
                switch (pattern) {
                case 0: a[i] = mlops__rng_uniform(&rng); break;
                case 1: a[i] = (double)mlops__rng_below(&rng, 5); break; /* many ties */
                case 2: a[i] = (double)i; break;
                case 3: a[i] = (double)(n - i); break;
                case 4: a[i] = 1.5; break;
                case 5: a[i] = (double)(i < n / 2 ? i : n - i); break; /* organ pipe */
                default: a[i] = (i % 2 ? -1.0 : 1.0) * (double)(i % 7); break;
                }
            }
            memcpy(ref, a, n * sizeof *a);
            qsort(ref, n, sizeof *ref, cmp_double);
            for (size_t k = 0; k < n; k += 1 + n / 5) {
                memcpy(sel, a, n * sizeof *a);
                ck_assert(mlops__select_double(sel, n, k) == ref[k]);
                for (size_t i = 0; i < k; i++) ck_assert(sel[i] <= ref[k]);
                for (size_t i = k; i < n; i++) ck_assert(sel[i] >= ref[k]);
            }
            mlops__sort_doubles(a, n);
            for (size_t i = 0; i < n; i++) /* == since -0.0 and 0.0 tie */
                ck_assert_msg(a[i] == ref[i], "pattern %d n %zu at %zu", pattern, n, i);
        }
    }
    /* the median imputer on an even count averages the two middle values */
    static const double v[] = {5, NAN, 1, 4, 2, 9, 3};
    mlops_dataset *d, *out;
    const char *name[] = {"v"};
    OK(mlops_dataset_from_matrix(&d, v, 7, 1, 1, name));
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    mlops_transform_add(t, "impute", "v");
    OK(mlops_transform_set(t, 0, "strategy", "median"));
    OK(mlops_transform_fit_apply(t, d, &out));
    ck_assert(num_at(out, "v", 1) == 3.5);
    mlops_dataset_free(out);
    mlops_transform_free(t);
    mlops_dataset_free(d);
}
END_TEST

/* ---- allocation failures ------------------------------------------------ */

typedef struct sweep_ctx {
    mlops_dataset *data, *other;
    mlops_transform *t;
    mlops_transform *made;
    mlops_dataset *out;
    unsigned char *bytes;
    size_t len;
    char *json;
} sweep_ctx;

static int op_fit(void *p)
{
    sweep_ctx *c = p;
    mlops_transform *t;
    int rc = mlops_transform_load(&t, c->bytes, c->len); /* unfitted copy */
    if (rc) return rc;
    mlops__tf_fit_free(t->fit);
    t->fit = NULL;
    rc = mlops_transform_fit_apply(t, c->data, &c->out);
    if (rc == MLOPS_OK) c->made = t;
    else mlops_transform_free(t);
    return rc;
}

static void undo_fit(void *p)
{
    sweep_ctx *c = p;
    mlops_transform_free(c->made);
    mlops_dataset_free(c->out);
    c->made = NULL;
    c->out = NULL;
}

static int op_apply(void *p)
{
    sweep_ctx *c = p;
    return mlops_transform_apply(c->t, c->other, &c->out);
}

static void undo_out(void *p)
{
    sweep_ctx *c = p;
    mlops_dataset_free(c->out);
    c->out = NULL;
}

static int op_load(void *p)
{
    sweep_ctx *c = p;
    return mlops_transform_load(&c->made, c->bytes, c->len);
}

static void undo_made(void *p)
{
    sweep_ctx *c = p;
    mlops_transform_free(c->made);
    c->made = NULL;
}

static int op_save(void *p)
{
    sweep_ctx *c = p;
    unsigned char *b;
    size_t n;
    int rc = mlops_transform_save(c->t, &b, &n);
    if (rc == MLOPS_OK) mlops_free(b);
    return rc;
}

static int op_json(void *p)
{
    sweep_ctx *c = p;
    char *j;
    int rc = mlops_transform_to_json(c->t, &j);
    if (rc == MLOPS_OK) mlops_free(j);
    return rc;
}

static int op_build(void *p)
{
    sweep_ctx *c = p;
    mlops_transform *t;
    int rc = mlops_transform_create(&t);
    if (rc) return rc;
    if ((rc = mlops_transform_add(t, "impute", "a, b\\,c")) >= 0 &&
        (rc = mlops_transform_set(t, 0, "strategy", "constant")) == MLOPS_OK &&
        (rc = mlops_transform_set(t, 0, "fill_value", "2")) == MLOPS_OK &&
        (rc = mlops_transform_add(t, "onehot", "*")) >= 0 &&
        (rc = mlops_transform_add(t, "minmax", "*")) >= 0 &&
        (rc = mlops_transform_add(t, "standardize", "*")) >= 0 &&
        (rc = mlops_transform_add(t, "drop", "z")) >= 0)
        rc = MLOPS_OK;
    if (rc == MLOPS_OK) c->made = t;
    else mlops_transform_free(t);
    return rc;
}

START_TEST(allocation_failures_are_clean)
{
    fault_alloc_install();
    sweep_ctx c = {0};
    c.t = cars_transform(&c.data);
    /* other data: cars with its columns in reverse order */
    size_t n = mlops_dataset_cols(c.data), rev[16];
    for (size_t j = 0; j < n; j++) rev[j] = n - 1 - j;
    OK(mlops_dataset_select_columns(&c.other, c.data, rev, n));
    OK(mlops_transform_save(c.t, &c.bytes, &c.len));
    ck_assert_int_gt(fault_alloc_sweep(op_fit, undo_fit, &c), 10);
    ck_assert_int_gt(fault_alloc_sweep(op_apply, undo_out, &c), 10);
    ck_assert_int_gt(fault_alloc_sweep(op_load, undo_made, &c), 10);
    ck_assert_int_gt(fault_alloc_sweep(op_save, NULL, &c), 0);
    ck_assert_int_gt(fault_alloc_sweep(op_json, NULL, &c), 0);
    ck_assert_int_gt(fault_alloc_sweep(op_build, undo_made, &c), 5);
    /* the small chain too: categorical imputation, infrequent merging */
    mlops_free(c.bytes);
    mlops_transform_free(c.t);
    mlops_dataset_free(c.data);
    mlops_dataset_free(c.other);
    c.data = small_train();
    c.other = reordered("purple");
    c.t = small_chain();
    OK(mlops_transform_save(c.t, &c.bytes, &c.len));
    OK(mlops_transform_fit(c.t, c.data));
    ck_assert_int_gt(fault_alloc_sweep(op_fit, undo_fit, &c), 10);
    ck_assert_int_gt(fault_alloc_sweep(op_apply, undo_out, &c), 5);
    ck_assert_int_gt(fault_alloc_sweep(op_json, NULL, &c), 0);
    mlops_free(c.bytes);
    mlops_transform_free(c.t);
    mlops_dataset_free(c.data);
    mlops_dataset_free(c.other);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("transform");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, settings_are_checked);
    tcase_add_test(tc, state_is_enforced);
    tcase_add_test(tc, fit_errors_name_the_problem);
    tcase_add_test(tc, star_selects_plain_features);
    tcase_add_test(tc, constant_columns);
    tcase_add_test(tc, columns_are_matched_by_name);
    tcase_add_test(tc, unseen_categories);
    tcase_add_test(tc, categorical_constant_fill);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, damaged_bytes_are_refused);
    tcase_add_test(tc, extreme_values_fit_finite_parameters);
    tcase_add_test(tc, crafted_encodings);
    tcase_add_test(tc, wide_encodings_load_in_linear_time);
    tcase_add_test(tc, onehot_outputs_and_replaced_names);
    tcase_add_test(tc, wide_steps_run_in_linear_time);
    tcase_add_test(tc, golden_bytes_load);
    tcase_add_test(tc, fuzzed_encodings);
    tcase_add_test(tc, json_describes_the_fit);
    tcase_add_test(tc, sort_and_select_agree_with_qsort);
    tcase_add_test(tc, allocation_failures_are_clean);
    suite_add_tcase(s, tc);
    return s;
}
