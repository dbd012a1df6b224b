/* mlops_dataset through the public API: building from a matrix and column
 * by column, metadata, value access, selections, concatenation, argument
 * errors, and allocation failures at every step. */
#include <math.h>
#include <string.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"

static mlops_dataset *small_table(void)
{
    /* 4 rows: age (numeric, one missing), city (categorical, one missing). */
    static const double age[] = {31, NAN, 45, 31};
    static const char *const city[] = {"Lyon", "Oslo", NULL, "Lyon"};
    mlops_dataset_builder *b;
    mlops_dataset *d;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, 4), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "age", age), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "city", city), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_set_role(b, "city", MLOPS_ROLE_GROUP), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    return d;
}

START_TEST(builder_and_accessors)
{
    mlops_dataset *d = small_table();
    ck_assert_uint_eq(mlops_dataset_rows(d), 4);
    ck_assert_uint_eq(mlops_dataset_cols(d), 2);
    ck_assert_str_eq(mlops_dataset_column_name(d, 1), "city");
    ck_assert_ptr_null(mlops_dataset_column_name(d, 2));
    ck_assert_int_eq(mlops_dataset_column_type(d, 0), MLOPS_NUMERIC);
    ck_assert_int_eq(mlops_dataset_column_type(d, 1), MLOPS_CATEGORICAL);
    ck_assert_int_eq(mlops_dataset_column_type(d, 2), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_dataset_column_role(d, 1), MLOPS_ROLE_GROUP);
    ck_assert_uint_eq(mlops_dataset_missing_count(d, 0), 1);
    ck_assert_uint_eq(mlops_dataset_missing_count(d, 1), 1);
    ck_assert_str_eq(mlops_dataset_source(d), "builder");
    ck_assert_uint_eq(mlops_dataset_skipped_rows(d), 0);
    double v[4];
    ck_assert_int_eq(mlops_dataset_get_numeric(d, 0, 0, 4, v), MLOPS_OK);
    ck_assert(v[0] == 31 && isnan(v[1]) && v[2] == 45 && v[3] == 31);
    ck_assert_int_eq(mlops_dataset_is_missing(d, 0, 1), 1);
    ck_assert_int_eq(mlops_dataset_is_missing(d, 1, 2), 1);
    ck_assert_int_eq(mlops_dataset_is_missing(d, 1, 0), 0);
    ck_assert_int_eq(mlops_dataset_is_missing(d, 1, 4), MLOPS_EINVAL);
    int32_t codes[4];
    ck_assert_int_eq(mlops_dataset_get_codes(d, 1, 0, 4, codes), MLOPS_OK);
    ck_assert(codes[0] == 0 && codes[1] == 1 && codes[2] == -1 && codes[3] == 0);
    ck_assert_uint_eq(mlops_dataset_category_count(d, 1), 2);
    ck_assert_str_eq(mlops_dataset_category(d, 1, 1), "Oslo");
    ck_assert_ptr_null(mlops_dataset_category(d, 1, 2));
    ck_assert_ptr_null(mlops_dataset_category(d, 0, 0));
    size_t col;
    ck_assert_int_eq(mlops_dataset_column_index(d, "city", &col), MLOPS_OK);
    ck_assert_uint_eq(col, 1);
    ck_assert_int_eq(mlops_dataset_column_index(d, "cty", &col), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "did you mean 'city'"));
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(wrong_type_and_range_are_refused)
{
    mlops_dataset *d = small_table();
    double v[8];
    int32_t c[8];
    const double *view;
    ck_assert_int_eq(mlops_dataset_get_numeric(d, 1, 0, 1, v), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "column 'city' is categorical, not numeric"));
    ck_assert_int_eq(mlops_dataset_get_numeric(d, 0, 2, 3, v), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_dataset_get_numeric(d, 0, 5, 0, v), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_dataset_get_numeric(d, 0, 4, 0, v), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_get_codes(d, 0, 0, 1, c), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_dataset_get_numeric(NULL, 0, 0, 1, v), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_dataset_get_numeric(d, 0, 0, 1, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_dataset_numeric_data(d, 1, &view), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_dataset_numeric_data(d, 0, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_dataset_set_role(d, 0, 99), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_dataset_set_role(d, 7, MLOPS_ROLE_TARGET), MLOPS_EINVAL);
    ck_assert_uint_eq(mlops_dataset_rows(NULL), 0);
    mlops_dataset_free(NULL);
    mlops_dataset_free(d);
}
END_TEST

START_TEST(matrix_round_trip_with_stride)
{
    /* 3 x 2 values inside a 3 x 3 buffer (stride 3). */
    const double m[] = {1, 2, 99, 3, NAN, 99, 5, 6, 99};
    const char *const names[] = {"a", "b"};
    mlops_dataset *d;
    ck_assert_int_eq(mlops_dataset_from_matrix(&d, m, 3, 2, 3, names), MLOPS_OK);
    ck_assert_uint_eq(mlops_dataset_missing_count(d, 1), 1);
    double out[6];
    size_t cols[] = {1, 0};
    ck_assert_int_eq(mlops_dataset_to_matrix(d, cols, 2, out, 6), MLOPS_OK);
    ck_assert(out[0] == 2 && out[1] == 1 && isnan(out[2]) && out[3] == 3 && out[4] == 6 && out[5] == 5);
    ck_assert_int_eq(mlops_dataset_to_matrix(d, cols, 2, out, 5), MLOPS_EINVAL);
    mlops_dataset_free(d);
    ck_assert_int_eq(mlops_dataset_from_matrix(&d, m, 3, 2, 0, NULL), MLOPS_OK);
    ck_assert_str_eq(mlops_dataset_column_name(d, 1), "x1");
    mlops_dataset_free(d);
    const char *const dup[] = {"a", "a"};
    ck_assert_int_eq(mlops_dataset_from_matrix(&d, m, 3, 2, 3, dup), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "duplicate column name 'a'"));
    ck_assert_int_eq(mlops_dataset_from_matrix(&d, m, 3, 2, 1, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_dataset_from_matrix(&d, NULL, 3, 2, 0, NULL), MLOPS_EINVAL);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(features_and_sensitivity)
{
    mlops_dataset *d = small_table();
    size_t cols[4], n;
    ck_assert_int_eq(mlops_dataset_feature_columns(d, cols, 4, &n), MLOPS_OK);
    ck_assert_uint_eq(n, 1); /* city is a group column */
    ck_assert_int_eq(mlops_dataset_set_role(d, 1, MLOPS_ROLE_FEATURE), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_set_sensitive(d, 0, 1), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_column_sensitive(d, 0), 1);
    ck_assert_int_eq(mlops_dataset_feature_columns(d, cols, 4, &n), MLOPS_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(cols[0], 1);
    ck_assert_int_eq(mlops_dataset_feature_columns(d, NULL, 0, &n), MLOPS_OK);
    size_t one = 0;
    ck_assert_int_eq(mlops_dataset_to_matrix(d, &one, 1, NULL, 0), MLOPS_EINVAL);
    int role;
    ck_assert_int_eq(mlops_role_from_name("weight", &role), MLOPS_OK);
    ck_assert_int_eq(role, MLOPS_ROLE_WEIGHT);
    ck_assert_int_eq(mlops_role_from_name("wieght", &role), MLOPS_EINVAL);
    ck_assert_str_eq(mlops_role_name(MLOPS_ROLE_TIME), "time");
    ck_assert_str_eq(mlops_role_name(42), "unknown");
    ck_assert_str_eq(mlops_type_name(MLOPS_CATEGORICAL), "categorical");
    ck_assert_str_eq(mlops_type_name(0), "unknown");
    mlops_dataset_free(d);
}
END_TEST

START_TEST(selections_and_concat)
{
    mlops_dataset *d = small_table(), *t, *f, *s, *c;
    const size_t rows[] = {3, 3, 1};
    ck_assert_int_eq(mlops_dataset_take_rows(&t, d, rows, 3), MLOPS_OK);
    ck_assert_uint_eq(mlops_dataset_rows(t), 3);
    ck_assert_uint_eq(mlops_dataset_missing_count(t, 0), 1);
    ck_assert_int_eq(mlops_dataset_column_role(t, 1), MLOPS_ROLE_GROUP);
    const size_t bad[] = {4};
    ck_assert_int_eq(mlops_dataset_take_rows(&s, d, bad, 1), MLOPS_EINVAL);
    const uint8_t mask[] = {0, 1, 1, 0};
    ck_assert_int_eq(mlops_dataset_filter_rows(&f, d, mask), MLOPS_OK);
    ck_assert_uint_eq(mlops_dataset_rows(f), 2);
    ck_assert_int_eq(mlops_dataset_is_missing(f, 1, 1), 1);
    const size_t only_city[] = {1};
    ck_assert_int_eq(mlops_dataset_select_columns(&s, d, only_city, 1), MLOPS_OK);
    ck_assert_uint_eq(mlops_dataset_cols(s), 1);
    ck_assert_str_eq(mlops_dataset_column_name(s, 0), "city");
    const size_t twice[] = {0, 0};
    mlops_dataset *x;
    ck_assert_int_eq(mlops_dataset_select_columns(&x, d, twice, 2), MLOPS_EINVAL);
    /* Concatenation re-codes categories into one dictionary. */
    const mlops_dataset *parts[] = {f, t};
    ck_assert_int_eq(mlops_dataset_concat_rows(&c, parts, 2), MLOPS_OK);
    ck_assert_uint_eq(mlops_dataset_rows(c), 5);
    int32_t codes[5];
    ck_assert_int_eq(mlops_dataset_get_codes(c, 1, 0, 5, codes), MLOPS_OK);
    ck_assert_str_eq(mlops_dataset_category(c, 1, codes[0]), "Oslo");
    ck_assert_int_eq(codes[1], -1);
    ck_assert_str_eq(mlops_dataset_category(c, 1, codes[2]), "Lyon");
    ck_assert_str_eq(mlops_dataset_category(c, 1, codes[4]), "Oslo");
    const mlops_dataset *mismatched[] = {d, s};
    ck_assert_int_eq(mlops_dataset_concat_rows(&x, mismatched, 2), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "part 1 has 1 columns"));
    ck_assert_int_eq(mlops_dataset_concat_rows(&x, parts, 0), MLOPS_EINVAL);
    mlops_dataset_free(c);
    mlops_dataset_free(s);
    mlops_dataset_free(f);
    mlops_dataset_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static int build_select_concat(void *ctx)
{
    mlops_dataset **out = ctx;
    static const double age[] = {1, 2, 3};
    static const char *const city[] = {"a", "b", "a"};
    mlops_dataset_builder *b;
    mlops_dataset *d = NULL, *t = NULL;
    int rc = mlops_dataset_builder_create(&b, 3);
    if (rc) return rc;
    if (!rc) rc = mlops_dataset_builder_add_numeric(b, "age", age);
    if (!rc) rc = mlops_dataset_builder_add_categorical(b, "city", city);
    if (!rc) rc = mlops_dataset_builder_finish(b, &d);
    mlops_dataset_builder_free(b);
    const size_t rows[] = {2, 0};
    if (!rc) rc = mlops_dataset_take_rows(&t, d, rows, 2);
    const mlops_dataset *parts[] = {d, t};
    if (!rc) rc = mlops_dataset_concat_rows(out, parts, 2);
    mlops_dataset_free(t);
    mlops_dataset_free(d);
    return rc;
}

static void free_out(void *ctx)
{
    mlops_dataset_free(*(mlops_dataset **)ctx);
}

START_TEST(allocation_failures_are_clean)
{
    mlops_dataset *out = NULL;
    ck_assert_int_gt(fault_alloc_sweep(build_select_concat, free_out, &out), 10);
}
END_TEST

/* A matrix, a filter to no rows, a column selection, and a concatenation
 * that starts with that empty part. */
static int matrix_filter_select_concat(void *ctx)
{
    mlops_dataset **out = ctx;
    static const double m[] = {1, 2, NAN, 4, 5, 6};
    static const char *const city[] = {"a", NULL, "b"};
    static const uint8_t none[3] = {0};
    static const size_t order[] = {1, 0};
    mlops_dataset_builder *b;
    mlops_dataset *d = NULL, *full = NULL, *empty = NULL, *sel = NULL;
    int rc = mlops_dataset_builder_create(&b, 3);
    if (rc) return rc;
    if (!rc) rc = mlops_dataset_builder_add_categorical(b, "city", city);
    if (!rc) rc = mlops_dataset_builder_add_numeric(b, "x", (const double[]){1, 2, 3});
    if (!rc) rc = mlops_dataset_builder_finish(b, &full);
    mlops_dataset_builder_free(b);
    if (!rc) rc = mlops_dataset_from_matrix(&d, m, 3, 2, 2, NULL);
    if (!rc) rc = mlops_dataset_filter_rows(&empty, full, none);
    if (!rc) rc = mlops_dataset_select_columns(&sel, full, order, 2);
    mlops_dataset *flipped = NULL;
    if (!rc) rc = mlops_dataset_select_columns(&flipped, sel, order, 2);
    const mlops_dataset *parts[] = {empty, flipped, empty, full};
    if (!rc) rc = mlops_dataset_concat_rows(out, parts, 4);
    mlops_dataset_free(flipped);
    mlops_dataset_free(sel);
    mlops_dataset_free(empty);
    mlops_dataset_free(full);
    mlops_dataset_free(d);
    return rc;
}

START_TEST(concat_with_empty_parts)
{
    mlops_dataset *out = NULL;
    ck_assert_int_eq(matrix_filter_select_concat(&out), MLOPS_OK);
    ck_assert_uint_eq(mlops_dataset_rows(out), 6);
    ck_assert_uint_eq(mlops_dataset_category_count(out, 0), 2);
    ck_assert_uint_eq(mlops_dataset_missing_count(out, 0), 2);
    int32_t codes[6];
    ck_assert_int_eq(mlops_dataset_get_codes(out, 0, 0, 6, codes), MLOPS_OK);
    ck_assert_str_eq(mlops_dataset_category(out, 0, codes[0]), "a");
    ck_assert_int_eq(codes[1], -1);
    ck_assert_str_eq(mlops_dataset_category(out, 0, codes[5]), "b");
    ck_assert_int_eq(codes[3], codes[0]);
    double x[6];
    ck_assert_int_eq(mlops_dataset_get_numeric(out, 1, 0, 6, x), MLOPS_OK);
    ck_assert(x[0] == 1 && x[2] == 3 && x[3] == 1 && x[5] == 3);
    mlops_dataset_free(out);
    out = NULL;
    ck_assert_int_gt(fault_alloc_sweep(matrix_filter_select_concat, free_out, &out), 10);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("dataset");
    TCase *tc = tcase_create("api");
    tcase_add_test(tc, builder_and_accessors);
    tcase_add_test(tc, wrong_type_and_range_are_refused);
    tcase_add_test(tc, matrix_round_trip_with_stride);
    tcase_add_test(tc, features_and_sensitivity);
    tcase_add_test(tc, selections_and_concat);
    tcase_add_test(tc, allocation_failures_are_clean);
    tcase_add_test(tc, concat_with_empty_parts);
    suite_add_tcase(s, tc);
    return s;
}
