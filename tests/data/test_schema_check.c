/* mlops_schema_check and the mlops_validation report: the violations found
 * in altered data match those pandas finds (tests/data/schema/check.expected,
 * from tests/reference/make_schema_reference.py) kind by kind, with counts
 * and sample rows; plus hand-built edge cases, the JSON form and allocation
 * failures. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"

#ifndef DATA_DIR
#define DATA_DIR GOLDEN_DIR "/../data"
#endif

static mlops_dataset *read_csv(const char *path)
{
    mlops_dataset *d = NULL;
    ck_assert_msg(mlops_dataset_read_csv(&d, path, NULL) == MLOPS_OK, "%s", mlops_last_error());
    return d;
}

static mlops_validation *check(const mlops_schema *s, const mlops_dataset *d)
{
    mlops_validation *v = NULL;
    ck_assert_msg(mlops_schema_check(s, d, &v) == MLOPS_OK, "%s", mlops_last_error());
    return v;
}

/* Compares the report with the lines of case `name`/`strict` of
 * check.expected. */
static void assert_matches_reference(const mlops_validation *v, const char *name, int strict)
{
    FILE *f = fopen(DATA_DIR "/schema/check.expected", "r");
    ck_assert_ptr_nonnull(f);
    char line[1024], header[128];
    snprintf(header, sizeof header, "case %s %d\n", name, strict);
    bool in_case = false, found = false;
    size_t i = 0;
    while (fgets(line, sizeof line, f)) {
        if (!in_case) {
            in_case = found = strcmp(line, header) == 0;
            continue;
        }
        if (strcmp(line, "end\n") == 0) break;
        ck_assert_msg(i < mlops_validation_count(v), "%s: only %zu violations reported, more "
                      "expected: %s", name, mlops_validation_count(v), line);
        strtok(line, " \n");
        const char *kind = strtok(NULL, " \n");
        const char *column = strtok(NULL, " \n");
        size_t count = strtoul(strtok(NULL, " \n"), NULL, 10);
        ck_assert_str_eq(mlops_violation_kind_name(mlops_validation_kind(v, i)), kind);
        ck_assert_str_eq(mlops_validation_column(v, i), column);
        ck_assert_msg(mlops_validation_row_count(v, i) == count, "%s %s: count %zu, expected %zu",
                      kind, column, mlops_validation_row_count(v, i), count);
        const size_t *rows;
        size_t n, k = 0;
        ck_assert_int_eq(mlops_validation_samples(v, i, &rows, &n), MLOPS_OK);
        for (const char *tok; (tok = strtok(NULL, " \n")) != NULL; k++) {
            ck_assert_msg(k < n, "%s %s: too few samples", kind, column);
            ck_assert_uint_eq(rows[k], strtoul(tok, NULL, 10));
        }
        ck_assert_uint_eq(n, k);
        ck_assert_ptr_nonnull(strstr(mlops_validation_message(v, i), column));
        i++;
    }
    fclose(f);
    ck_assert_msg(found, "no case '%s %d' in check.expected", name, strict);
    ck_assert_uint_eq(mlops_validation_count(v), i);
    ck_assert_int_eq(mlops_validation_passed(v), i == 0);
}

START_TEST(altered_cars_match_pandas)
{
    mlops_dataset *cars = read_csv(DATA_DIR "/real/cars.csv");
    mlops_dataset *altered = read_csv(DATA_DIR "/schema/cars_altered.csv");
    mlops_schema *s;
    ck_assert_int_eq(mlops_schema_infer(&s, cars), MLOPS_OK);
    mlops_validation *v = check(s, altered);
    ck_assert_uint_eq(mlops_validation_rows(v), 406);
    assert_matches_reference(v, "cars_altered", 0);
    /* A few messages in full, so they stay informative. */
    ck_assert_str_eq(mlops_validation_message(v, 2),
                     "column 'Horsepower': 2 values below min 46 (lowest 5)");
    ck_assert_str_eq(mlops_validation_message(v, 3),
                     "column 'Horsepower': 6 values above max 230 (highest 999)");
    ck_assert_str_eq(mlops_validation_message(v, 1),
                     "column 'Cylinders' is categorical, the schema expects numeric");
    ck_assert_str_eq(mlops_validation_message(v, 9),
                     "column 'Origin': 3 values not among the 3 allowed categories "
                     "(e.g. 'Mars', 'Africa')");
    ck_assert_ptr_nonnull(strstr(mlops_validation_message(v, 7), "cars_altered.csv"));
    mlops_validation_free(v);

    ck_assert_int_eq(mlops_schema_set_option(s, "strict", "true"), MLOPS_OK);
    v = check(s, altered);
    assert_matches_reference(v, "cars_altered", 1);
    mlops_validation_free(v);

    /* The data the schema came from passes, strict or not. */
    v = check(s, cars);
    ck_assert_int_eq(mlops_validation_passed(v), 1);
    ck_assert_uint_eq(mlops_validation_count(v), 0);
    mlops_validation_free(v);

    /* An optional column may be absent. */
    ck_assert_int_eq(mlops_schema_set(s, "Acceleration", "required", "false"), MLOPS_OK);
    v = check(s, altered);
    ck_assert_uint_eq(mlops_validation_count(v), 11);
    for (size_t i = 0; i < mlops_validation_count(v); i++)
        ck_assert_int_ne(mlops_validation_kind(v, i), MLOPS_VIOLATION_MISSING_COLUMN);
    mlops_validation_free(v);
    mlops_schema_free(s);
    mlops_dataset_free(altered);
    mlops_dataset_free(cars);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(iris_setosa_schema_on_all_iris)
{
    mlops_dataset *iris = read_csv(DATA_DIR "/real/iris.csv");
    size_t rows[50];
    for (size_t i = 0; i < 50; i++) rows[i] = i;
    mlops_dataset *setosa;
    ck_assert_int_eq(mlops_dataset_take_rows(&setosa, iris, rows, 50), MLOPS_OK);
    mlops_schema *s;
    ck_assert_int_eq(mlops_schema_infer(&s, setosa), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set_option(s, "strict", "true"), MLOPS_OK);
    mlops_validation *v = check(s, iris);
    assert_matches_reference(v, "iris_setosa", 1);
    mlops_validation_free(v);
    mlops_schema_free(s);
    mlops_dataset_free(setosa);
    mlops_dataset_free(iris);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Rows picked with take_rows: the expected counts follow from the choice. */
START_TEST(take_rows_missing_values)
{
    mlops_dataset *cars = read_csv(DATA_DIR "/real/cars.csv");
    mlops_schema *s;
    ck_assert_int_eq(mlops_schema_infer(&s, cars), MLOPS_OK);
    size_t hp;
    ck_assert_int_eq(mlops_dataset_column_index(cars, "Horsepower", &hp), MLOPS_OK);
    size_t pick[12], n = 0;
    for (size_t r = 0; r < mlops_dataset_rows(cars) && n < 6; r++)
        if (mlops_dataset_is_missing(cars, hp, r) == 1) pick[n++] = r;
    ck_assert_uint_eq(n, 6);
    /* Rows 0..5 of the new dataset are present, rows 6..11 missing. */
    size_t rows[12] = {0, 1, 2, 3, 4, 5};
    memcpy(rows + 6, pick, sizeof(size_t) * 6);
    mlops_dataset *part;
    ck_assert_int_eq(mlops_dataset_take_rows(&part, cars, rows, 12), MLOPS_OK);
    mlops_validation *v = check(s, part);
    /* Miles_per_Gallon is missing in some of the picked rows too: find the
     * Horsepower violation and check it exactly. */
    size_t found = 0;
    for (size_t i = 0; i < mlops_validation_count(v); i++) {
        if (strcmp(mlops_validation_column(v, i), "Horsepower") != 0) continue;
        found++;
        ck_assert_int_eq(mlops_validation_kind(v, i), MLOPS_VIOLATION_TOO_MANY_MISSING);
        ck_assert_uint_eq(mlops_validation_row_count(v, i), 6);
        const size_t *samples;
        size_t ns;
        ck_assert_int_eq(mlops_validation_samples(v, i, &samples, &ns), MLOPS_OK);
        ck_assert_uint_eq(ns, 5);
        for (size_t k = 0; k < 5; k++) ck_assert_uint_eq(samples[k], 6 + k);
        ck_assert_str_eq(mlops_validation_message(v, i),
                         "column 'Horsepower': 6 of 12 entries missing (fraction 0.5), more than "
                         "the allowed 0.0147783");
    }
    ck_assert_uint_eq(found, 1);
    mlops_validation_free(v);
    mlops_dataset_free(part);
    mlops_schema_free(s);
    mlops_dataset_free(cars);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static mlops_dataset *build(void)
{
    mlops_dataset_builder *b;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, 8), MLOPS_OK);
    const double x[8] = {1, -INFINITY, 5, NAN, 11, INFINITY, 10, 0};
    const double blank[8] = {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    const char *color[8] = {"red", "green", "red", NULL, "blue", "blue", "mauve", "red"};
    const char *nothing[8] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "x", x), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "color", color), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "blank_num", blank), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "blank_cat", nothing), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "extra", x), MLOPS_OK);
    mlops_dataset *d;
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    return d;
}

START_TEST(built_dataset_edge_cases)
{
    mlops_dataset *d = build();
    mlops_schema *s;
    ck_assert_int_eq(mlops_schema_create(&s), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "x", MLOPS_NUMERIC), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "x", "min", "0"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "x", "max", "10"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "x", "max_missing_fraction", "0.125"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "color", MLOPS_CATEGORICAL), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "color", "categories", "red,blue"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "color", "max_missing_fraction", "0.1"), MLOPS_OK);
    /* All-missing columns match either type. */
    ck_assert_int_eq(mlops_schema_add_column(s, "blank_num", MLOPS_CATEGORICAL), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "blank_cat", MLOPS_NUMERIC), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "gone", MLOPS_NUMERIC), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "optional", MLOPS_NUMERIC), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "optional", "required", "false"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set_option(s, "strict", "true"), MLOPS_OK);

    mlops_validation *v = check(s, d);
    ck_assert_int_eq(mlops_validation_passed(v), 0);
    ck_assert_uint_eq(mlops_validation_count(v), 6);
    static const struct {
        int kind;
        const char *column;
        size_t count, nsamples;
        size_t samples[5];
        const char *message;
    } want[] = {
        {MLOPS_VIOLATION_BELOW_MIN, "x", 1, 1, {1},
         "column 'x': 1 value below min 0 (lowest -inf)"},
        {MLOPS_VIOLATION_ABOVE_MAX, "x", 2, 2, {4, 5},
         "column 'x': 2 values above max 10 (highest inf)"},
        {MLOPS_VIOLATION_CATEGORY_NOT_ALLOWED, "color", 2, 2, {1, 6},
         "column 'color': 2 values not among the 2 allowed categories (e.g. 'green', 'mauve')"},
        {MLOPS_VIOLATION_TOO_MANY_MISSING, "color", 1, 1, {3},
         "column 'color': 1 of 8 entries missing (fraction 0.125), more than the allowed 0.1"},
        {MLOPS_VIOLATION_MISSING_COLUMN, "gone", 8, 0, {0},
         "column 'gone' is required but dataset 'builder' lacks it"},
        {MLOPS_VIOLATION_UNEXPECTED_COLUMN, "extra", 8, 0, {0},
         "column 'extra' is not in the schema (strict)"},
    };
    for (size_t i = 0; i < 6; i++) {
        ck_assert_int_eq(mlops_validation_kind(v, i), want[i].kind);
        ck_assert_str_eq(mlops_validation_column(v, i), want[i].column);
        ck_assert_uint_eq(mlops_validation_row_count(v, i), want[i].count);
        const size_t *rows;
        size_t n;
        ck_assert_int_eq(mlops_validation_samples(v, i, &rows, &n), MLOPS_OK);
        ck_assert_uint_eq(n, want[i].nsamples);
        for (size_t k = 0; k < n; k++) ck_assert_uint_eq(rows[k], want[i].samples[k]);
        if (n == 0) ck_assert_ptr_null(rows);
        ck_assert_str_eq(mlops_validation_message(v, i), want[i].message);
    }
    /* Out of range and NULL. */
    ck_assert_int_eq(mlops_validation_kind(v, 6), MLOPS_EINVAL);
    ck_assert_ptr_null(mlops_validation_column(v, 6));
    ck_assert_ptr_null(mlops_validation_message(v, 6));
    ck_assert_uint_eq(mlops_validation_row_count(v, 6), 0);
    const size_t *rows;
    size_t n;
    ck_assert_int_eq(mlops_validation_samples(v, 6, &rows, &n), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_validation_samples(v, 0, NULL, &n), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_validation_passed(NULL), 0);
    ck_assert_uint_eq(mlops_validation_count(NULL), 0);
    ck_assert_int_eq(mlops_validation_kind(NULL, 0), MLOPS_EINVAL);
    ck_assert_str_eq(mlops_violation_kind_name(0), "unknown");
    ck_assert_str_eq(mlops_violation_kind_name(8), "unknown");
    ck_assert_str_eq(mlops_violation_kind_name(MLOPS_VIOLATION_WRONG_TYPE), "wrong_type");

    char *json;
    ck_assert_int_eq(mlops_validation_to_json(v, &json), MLOPS_OK);
    ck_assert_ptr_nonnull(strstr(json, "\"passed\": false,\n  \"rows\": 8,\n  \"violations\": [\n"
                                       "    {\n      \"kind\": \"below_min\",\n"
                                       "      \"column\": \"x\",\n      \"count\": 1,\n"
                                       "      \"samples\": [\n        1\n      ],\n"));
    ck_assert_ptr_nonnull(strstr(json, "\"kind\": \"unexpected_column\",\n      \"column\": "
                                       "\"extra\",\n      \"count\": 8,\n      \"samples\": [],"));
    mlops_free(json);
    mlops_validation_free(v);

    /* Wrong type is reported when values are present; the values are then
     * not compared. */
    ck_assert_int_eq(mlops_schema_set(s, "x", "type", "categorical"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set_option(s, "strict", "false"), MLOPS_OK);
    v = check(s, d);
    ck_assert_int_eq(mlops_validation_kind(v, 0), MLOPS_VIOLATION_WRONG_TYPE);
    ck_assert_str_eq(mlops_validation_column(v, 0), "x");
    ck_assert_uint_eq(mlops_validation_row_count(v, 0), 8);
    ck_assert_int_eq(mlops_validation_kind(v, 1), MLOPS_VIOLATION_CATEGORY_NOT_ALLOWED);
    ck_assert_uint_eq(mlops_validation_count(v), 4);
    mlops_validation_free(v);
    mlops_schema_free(s);

    /* An empty schema passes anything unless strict. */
    ck_assert_int_eq(mlops_schema_create(&s), MLOPS_OK);
    v = check(s, d);
    ck_assert_int_eq(mlops_validation_passed(v), 1);
    ck_assert_int_eq(mlops_validation_to_json(v, &json), MLOPS_OK);
    ck_assert_str_eq(json, "{\n  \"passed\": true,\n  \"rows\": 8,\n  \"violations\": []\n}\n");
    mlops_free(json);
    mlops_validation_free(v);
    ck_assert_int_eq(mlops_schema_set_option(s, "strict", "true"), MLOPS_OK);
    v = check(s, d);
    ck_assert_uint_eq(mlops_validation_count(v), 5);
    mlops_validation_free(v);

    ck_assert_int_eq(mlops_schema_check(NULL, d, &v), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_check(s, NULL, &v), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_check(s, d, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_validation_to_json(NULL, &json), MLOPS_EINVAL);
    mlops_validation_free(NULL);
    mlops_schema_free(s);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Messages quote names and values cut to a byte budget; a cut inside a
 * multi-byte character must not leave broken UTF-8 behind, or the report
 * has no JSON form. */
START_TEST(long_utf8_names_keep_the_report_valid)
{
    char name[256] = "", value[128] = "a";
    for (int i = 0; i < 70; i++) strcat(name, "\xe2\x82\xac"); /* 210 bytes of U+20AC */
    for (int i = 0; i < 31; i++) strcat(value, "\xc3\xa9");     /* 1 + 62 bytes */
    const double x[3] = {1, 2, NAN};
    const char *const c[3] = {"ok", value, NULL};
    mlops_dataset_builder *b;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, 3), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, name, x), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "k", c), MLOPS_OK);
    mlops_dataset *d;
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    mlops_schema *s;
    ck_assert_int_eq(mlops_schema_create(&s), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, name, MLOPS_NUMERIC), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, name, "max", "0"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "k", MLOPS_CATEGORICAL), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "k", "categories", "ok"), MLOPS_OK);
    mlops_validation *v = check(s, d);
    ck_assert_uint_eq(mlops_validation_count(v), 2);
    /* the name is cut to 200 bytes, which ends inside a character: the
     * message keeps the 66 whole ones */
    char want[512] = "column '";
    for (int i = 0; i < 66; i++) strcat(want, "\xe2\x82\xac");
    strcat(want, "': 2 values above max 0 (highest 2)");
    ck_assert_str_eq(mlops_validation_message(v, 0), want);
    ck_assert_str_eq(mlops_validation_column(v, 0), name);
    /* the value is cut to 60 bytes, inside its 31st character */
    char example[80] = "(e.g. 'a";
    for (int i = 0; i < 29; i++) strcat(example, "\xc3\xa9");
    strcat(example, "')");
    ck_assert_ptr_nonnull(strstr(mlops_validation_message(v, 1), example));
    char *json = NULL;
    ck_assert_msg(mlops_validation_to_json(v, &json) == MLOPS_OK, "%s", mlops_last_error());
    ck_assert_ptr_nonnull(strstr(json, want));
    mlops_free(json);
    mlops_validation_free(v);
    mlops_schema_free(s);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* A schema whose inferred bounds went through the text form still accepts
 * the extreme values exactly (no rounding of min/max). */
START_TEST(bounds_are_exact_after_text_round_trip)
{
    mlops_dataset_builder *b;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, 3), MLOPS_OK);
    const double x[3] = {0.1 + 0.2, 1e-310, -1.7976931348623157e308};
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "x", x), MLOPS_OK);
    mlops_dataset *d;
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    mlops_schema *s, *back;
    ck_assert_int_eq(mlops_schema_infer(&s, d), MLOPS_OK);
    char *json;
    ck_assert_int_eq(mlops_schema_to_json(s, &json), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_from_text(&back, json, strlen(json), "x"), MLOPS_OK);
    mlops_validation *v = check(back, d);
    ck_assert_int_eq(mlops_validation_passed(v), 1);
    mlops_validation_free(v);
    mlops_free(json);
    mlops_schema_free(back);
    mlops_schema_free(s);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

typedef struct sweep_ctx {
    mlops_schema *s;
    mlops_dataset *d;
    mlops_validation *v;
    char *json;
} sweep_ctx;

static int op_check(void *p)
{
    sweep_ctx *c = p;
    return mlops_schema_check(c->s, c->d, &c->v);
}

static void undo_check(void *p)
{
    sweep_ctx *c = p;
    mlops_validation_free(c->v);
    c->v = NULL;
}

static int op_to_json(void *p)
{
    sweep_ctx *c = p;
    return mlops_validation_to_json(c->v, &c->json);
}

static void undo_json(void *p)
{
    sweep_ctx *c = p;
    mlops_free(c->json);
    c->json = NULL;
}

START_TEST(allocation_failures)
{
    mlops_dataset *cars = read_csv(DATA_DIR "/real/cars.csv");
    sweep_ctx c = {.d = read_csv(DATA_DIR "/schema/cars_altered.csv")};
    ck_assert_int_eq(mlops_schema_infer(&c.s, cars), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set_option(c.s, "strict", "true"), MLOPS_OK);
    ck_assert_int_gt(fault_alloc_sweep(op_check, undo_check, &c), 12);
    ck_assert_int_eq(mlops_schema_check(c.s, c.d, &c.v), MLOPS_OK);
    ck_assert_int_gt(fault_alloc_sweep(op_to_json, undo_json, &c), 0);
    mlops_validation_free(c.v);
    mlops_schema_free(c.s);
    mlops_dataset_free(c.d);
    mlops_dataset_free(cars);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("schema_check");
    TCase *tc = tcase_create("check");
    tcase_add_test(tc, altered_cars_match_pandas);
    tcase_add_test(tc, iris_setosa_schema_on_all_iris);
    tcase_add_test(tc, take_rows_missing_values);
    tcase_add_test(tc, built_dataset_edge_cases);
    tcase_add_test(tc, long_utf8_names_keep_the_report_valid);
    tcase_add_test(tc, bounds_are_exact_after_text_round_trip);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
