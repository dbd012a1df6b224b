/* mlops_schema: inference on the real datasets against pandas' numbers
 * (tests/data/schema/infer.expected), save/load round trips, the golden
 * file, hand-written YAML, string-keyed editing, and allocation failures. */
#define _POSIX_C_SOURCE 200809L  /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"

#ifndef DATA_DIR
#define DATA_DIR GOLDEN_DIR "/../data"
#endif

static const char *const STEMS[] = {"breast_cancer", "cars", "diabetes", "iris", "wine"};

static mlops_dataset *read_real(const char *stem)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real/%s.csv", DATA_DIR, stem);
    mlops_dataset *d = NULL;
    ck_assert_msg(mlops_dataset_read_csv(&d, path, NULL) == MLOPS_OK, "%s", mlops_last_error());
    return d;
}

static char *json_of(const mlops_schema *s)
{
    char *json = NULL;
    ck_assert_msg(mlops_schema_to_json(s, &json) == MLOPS_OK, "%s", mlops_last_error());
    return json;
}

static void assert_same_schema(const mlops_schema *a, const mlops_schema *b)
{
    char *ja = json_of(a), *jb = json_of(b);
    ck_assert_str_eq(ja, jb);
    mlops_free(ja);
    mlops_free(jb);
}

static char *get(const mlops_schema *s, const char *col, const char *key)
{
    char *value = NULL;
    ck_assert_msg(mlops_schema_get(s, col, key, &value) == MLOPS_OK, "%s", mlops_last_error());
    return value;
}

static void assert_setting(const mlops_schema *s, const char *col, const char *key,
                           const char *expected)
{
    char *value = get(s, col, key);
    ck_assert_msg(strcmp(value, expected) == 0, "%s.%s: got '%s', expected '%s'", col, key, value,
                  expected);
    mlops_free(value);
}

static double get_double(const mlops_schema *s, const char *col, const char *key)
{
    char *value = get(s, col, key);
    double v = strcmp(value, "none") == 0 ? NAN : strtod(value, NULL);
    mlops_free(value);
    return v;
}

static void percent_decode(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++) {
        if (*p == '%' && p[1] && p[2]) {
            char hex[3] = {p[1], p[2], 0};
            *w++ = (char)strtol(hex, NULL, 16);
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
}

/* ---- Inference against pandas ----------------------------------------------- */

static void check_column_line(const mlops_schema *s, size_t index, char *line)
{
    strtok(line, " \n");  /* "column" */
    const char *name = strtok(NULL, " \n");
    const char *type = strtok(NULL, " \n");
    double missing = strtod(strtok(NULL, " \n"), NULL);
    ck_assert_str_eq(mlops_schema_column_name(s, index), name);
    assert_setting(s, name, "type", type);
    assert_setting(s, name, "required", "true");
    ck_assert_msg(get_double(s, name, "max_missing_fraction") == missing, "%s missing fraction",
                  name);
    const char *const *cats;
    size_t ncats;
    int constrained = mlops_schema_categories(s, name, &cats, &ncats);
    if (strcmp(type, "numeric") == 0) {
        const char *lo = strtok(NULL, " \n"), *hi = strtok(NULL, " \n");
        ck_assert_int_eq(constrained, 0);
        if (strcmp(lo, "none") == 0) {
            assert_setting(s, name, "min", "none");
            assert_setting(s, name, "max", "none");
        } else {
            ck_assert_msg(get_double(s, name, "min") == strtod(lo, NULL), "%s min", name);
            ck_assert_msg(get_double(s, name, "max") == strtod(hi, NULL), "%s max", name);
        }
        return;
    }
    const char *count = strtok(NULL, " \n");
    if (strcmp(count, "none") == 0) {
        ck_assert_int_eq(constrained, 0);
        ck_assert_ptr_null(cats);
        return;
    }
    ck_assert_int_eq(constrained, 1);
    ck_assert_uint_eq(ncats, strtoul(count, NULL, 10));
    for (size_t k = 0; k < ncats; k++) {
        char *expected = strtok(NULL, " \n");
        percent_decode(expected);
        ck_assert_str_eq(cats[k], expected);
    }
}

START_TEST(infer_matches_pandas)
{
    FILE *f = fopen(DATA_DIR "/schema/infer.expected", "r");
    ck_assert_ptr_nonnull(f);
    char line[8192];
    mlops_schema *s = NULL;
    size_t index = 0, datasets = 0, columns = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "dataset ", 8) == 0) {
            mlops_schema_free(s);
            char stem[64];
            size_t ncols;
            ck_assert_int_eq(sscanf(line, "dataset %63s %zu", stem, &ncols), 2);
            mlops_dataset *d = read_real(stem);
            ck_assert_int_eq(mlops_schema_infer(&s, d), MLOPS_OK);
            ck_assert_uint_eq(mlops_schema_column_count(s), ncols);
            for (size_t j = 0; j < ncols; j++) {
                const char *name = mlops_schema_column_name(s, j);
                assert_setting(s, name, "role", "feature");
                assert_setting(s, name, "sensitive", "false");
            }
            mlops_dataset_free(d);
            index = 0;
            datasets++;
        } else {
            check_column_line(s, index++, line);
            columns++;
        }
    }
    fclose(f);
    mlops_schema_free(s);
    ck_assert_uint_eq(datasets, 5);
    ck_assert_uint_eq(columns, 31 + 9 + 11 + 5 + 14);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(infer_keeps_roles_and_sensitive_flags)
{
    mlops_csv_options *o;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "role.Miles_per_Gallon", "target"), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "role.Name", "id"), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "role.Origin", "group"), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "sensitive.Origin", "true"), MLOPS_OK);
    mlops_dataset *d;
    ck_assert_int_eq(mlops_dataset_read_csv(&d, DATA_DIR "/real/cars.csv", o), MLOPS_OK);
    mlops_schema *s;
    ck_assert_int_eq(mlops_schema_infer(&s, d), MLOPS_OK);
    assert_setting(s, "Miles_per_Gallon", "role", "target");
    assert_setting(s, "Name", "role", "id");
    assert_setting(s, "Origin", "role", "group");
    assert_setting(s, "Origin", "sensitive", "true");
    assert_setting(s, "Year", "sensitive", "false");
    /* Roles and flags survive the text form. */
    char *json = json_of(s);
    mlops_schema *back;
    ck_assert_int_eq(mlops_schema_from_text(&back, json, strlen(json), "cars"), MLOPS_OK);
    assert_same_schema(s, back);
    assert_setting(back, "Origin", "role", "group");
    mlops_free(json);
    mlops_schema_free(back);
    mlops_schema_free(s);
    mlops_dataset_free(d);
    mlops_csv_options_free(o);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(infer_category_limit)
{
    mlops_dataset *d = read_real("iris");
    mlops_schema *s;
    const char *const *cats;
    size_t n;
    ck_assert_int_eq(mlops_schema_infer_ex(&s, d, 3), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_categories(s, "species", &cats, &n), 1);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(cats[0], "setosa");
    ck_assert_str_eq(cats[1], "versicolor");
    ck_assert_str_eq(cats[2], "virginica");
    mlops_schema_free(s);
    ck_assert_int_eq(mlops_schema_infer_ex(&s, d, 2), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_categories(s, "species", &cats, &n), 0);
    ck_assert_uint_eq(n, 0);
    mlops_schema_free(s);
    ck_assert_int_eq(mlops_schema_infer_ex(&s, d, 0), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_categories(s, "species", &cats, &n), 0);
    mlops_schema_free(s);
    /* Only categories that occur count: rows 0..49 are all setosa, though
     * the taken dataset keeps the full dictionary. */
    size_t rows[50];
    for (size_t i = 0; i < 50; i++) rows[i] = i;
    mlops_dataset *setosa;
    ck_assert_int_eq(mlops_dataset_take_rows(&setosa, d, rows, 50), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_infer(&s, setosa), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_categories(s, "species", &cats, &n), 1);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(cats[0], "setosa");
    assert_setting(s, "petal_length", "min", "1");
    assert_setting(s, "petal_length", "max", "1.9");
    mlops_schema_free(s);
    mlops_dataset_free(setosa);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(infer_all_missing_and_empty)
{
    mlops_dataset_builder *b;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, 3), MLOPS_OK);
    const double none[3] = {NAN, NAN, NAN}, some[3] = {1.5, NAN, -2};
    const char *nothing[3] = {NULL, NULL, NULL};
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "empty_num", none), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "some", some), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "empty_cat", nothing), MLOPS_OK);
    mlops_dataset *d;
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    mlops_schema *s;
    ck_assert_int_eq(mlops_schema_infer(&s, d), MLOPS_OK);
    assert_setting(s, "empty_num", "min", "none");
    assert_setting(s, "empty_num", "max", "none");
    assert_setting(s, "empty_num", "max_missing_fraction", "1");
    assert_setting(s, "some", "min", "-2");
    assert_setting(s, "some", "max", "1.5");
    ck_assert_double_eq(get_double(s, "some", "max_missing_fraction"), 1.0 / 3.0);
    const char *const *cats;
    size_t n;
    /* Nothing observed, so nothing allowed - an honest record of the data. */
    ck_assert_int_eq(mlops_schema_categories(s, "empty_cat", &cats, &n), 1);
    ck_assert_uint_eq(n, 0);
    mlops_schema *back;
    char *json = json_of(s);
    ck_assert_ptr_nonnull(strstr(json, "\"categories\": []"));
    ck_assert_int_eq(mlops_schema_from_text(&back, json, strlen(json), NULL), MLOPS_OK);
    assert_same_schema(s, back);
    mlops_free(json);
    mlops_schema_free(back);
    mlops_schema_free(s);
    mlops_dataset_free(d);

    /* A dataset with no rows: no bounds, no categories, fraction 0. */
    ck_assert_int_eq(mlops_dataset_builder_create(&b, 0), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "x", NULL), MLOPS_OK);
    mlops_dataset *d0;
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d0), MLOPS_OK);
    mlops_dataset_builder_free(b);
    ck_assert_int_eq(mlops_schema_infer(&s, d0), MLOPS_OK);
    assert_setting(s, "x", "min", "none");
    assert_setting(s, "x", "max_missing_fraction", "0");
    mlops_schema_free(s);
    mlops_dataset_free(d0);
    ck_assert_int_eq(mlops_schema_infer(NULL, d0), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_infer(&s, NULL), MLOPS_EINVAL);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- Text form ------------------------------------------------------------------ */

START_TEST(save_load_round_trip_real)
{
    char dir[] = "/tmp/mlops-schema-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (size_t i = 0; i < sizeof STEMS / sizeof STEMS[0]; i++) {
        mlops_dataset *d = read_real(STEMS[i]);
        mlops_schema *s, *back;
        ck_assert_int_eq(mlops_schema_infer(&s, d), MLOPS_OK);
        char path[600];
        snprintf(path, sizeof path, "%s/%s.schema.json", dir, STEMS[i]);
        ck_assert_msg(mlops_schema_save(s, path) == MLOPS_OK, "%s", mlops_last_error());
        ck_assert_msg(mlops_schema_load(&back, path) == MLOPS_OK, "%s", mlops_last_error());
        assert_same_schema(s, back);
        /* Equal in every setting, not only in the text. */
        for (size_t j = 0; j < mlops_schema_column_count(s); j++) {
            const char *name = mlops_schema_column_name(s, j);
            static const char *const keys[] = {"type", "role", "required", "sensitive", "min",
                                               "max", "max_missing_fraction", "categories"};
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                char *a = get(s, name, keys[k]), *b = get(back, name, keys[k]);
                ck_assert_str_eq(a, b);
                mlops_free(a);
                mlops_free(b);
            }
        }
        mlops_validation *v;
        ck_assert_int_eq(mlops_schema_check(back, d, &v), MLOPS_OK);
        ck_assert_int_eq(mlops_validation_passed(v), 1);
        mlops_validation_free(v);
        unlink(path);
        mlops_schema_free(back);
        mlops_schema_free(s);
        mlops_dataset_free(d);
    }
    rmdir(dir);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* A schema written by libmlops 0.1.0 must keep loading, with the same
 * meaning, in every later version. */
START_TEST(golden_v1_file_loads)
{
    mlops_schema *golden, *s;
    ck_assert_msg(mlops_schema_load(&golden, DATA_DIR "/schema/cars_v1.json") == MLOPS_OK, "%s",
                  mlops_last_error());
    mlops_dataset *d = read_real("cars");
    ck_assert_int_eq(mlops_schema_infer(&s, d), MLOPS_OK);
    mlops_schema_set(s, "Name", "role", "id");
    mlops_schema_set(s, "Miles_per_Gallon", "role", "target");
    mlops_schema_set(s, "Origin", "sensitive", "true");
    mlops_schema_set(s, "Year", "required", "false");
    mlops_schema_set_option(s, "strict", "true");
    assert_same_schema(golden, s);
    mlops_schema_free(golden);
    mlops_schema_free(s);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(exact_document_layout)
{
    mlops_schema *s;
    ck_assert_int_eq(mlops_schema_create(&s), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "age", MLOPS_NUMERIC), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "city", MLOPS_CATEGORICAL), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "age", "max", "120"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "age", "max_missing_fraction", "0.25"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "city", "role", "group"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "city", "categories", "Oslo, \"Bergen\""), MLOPS_OK);
    char *json = json_of(s);
    ck_assert_str_eq(json,
                     "{\n"
                     "  \"format\": \"libmlops-schema\",\n"
                     "  \"version\": 1,\n"
                     "  \"strict\": false,\n"
                     "  \"columns\": [\n"
                     "    {\n"
                     "      \"name\": \"age\",\n"
                     "      \"type\": \"numeric\",\n"
                     "      \"role\": \"feature\",\n"
                     "      \"required\": true,\n"
                     "      \"sensitive\": false,\n"
                     "      \"min\": null,\n"
                     "      \"max\": 120,\n"
                     "      \"max_missing_fraction\": 0.25\n"
                     "    },\n"
                     "    {\n"
                     "      \"name\": \"city\",\n"
                     "      \"type\": \"categorical\",\n"
                     "      \"role\": \"group\",\n"
                     "      \"required\": true,\n"
                     "      \"sensitive\": false,\n"
                     "      \"categories\": [\n"
                     "        \"Oslo\",\n"
                     "        \"\\\"Bergen\\\"\"\n"
                     "      ],\n"
                     "      \"max_missing_fraction\": 1\n"
                     "    }\n"
                     "  ]\n"
                     "}\n");
    mlops_free(json);
    mlops_schema_free(s);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(hand_written_yaml)
{
    mlops_schema *y, *s;
    ck_assert_msg(mlops_schema_load(&y, DATA_DIR "/schema/iris.yaml") == MLOPS_OK, "%s",
                  mlops_last_error());
    ck_assert_int_eq(mlops_schema_create(&s), MLOPS_OK);
    const char *numeric[] = {"sepal_length", "sepal_width", "petal_length", "petal_width"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(mlops_schema_add_column(s, numeric[i], MLOPS_NUMERIC), MLOPS_OK);
        ck_assert_int_eq(mlops_schema_set(s, numeric[i], "min", "0"), MLOPS_OK);
        ck_assert_int_eq(mlops_schema_set(s, numeric[i], "max_missing_fraction", "0"), MLOPS_OK);
    }
    ck_assert_int_eq(mlops_schema_set(s, "sepal_length", "max", "10"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "petal_width", "required", "false"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "species", MLOPS_CATEGORICAL), MLOPS_OK);
    const char *species[] = {"setosa", "versicolor", "virginica"};
    ck_assert_int_eq(mlops_schema_set_categories(s, "species", species, 3), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "species", "role", "target"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "collector", MLOPS_CATEGORICAL), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "collector", "required", "no"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "collector", "sensitive", "yes"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set_option(s, "strict", "true"), MLOPS_OK);
    assert_same_schema(y, s);

    mlops_dataset *d = read_real("iris");
    mlops_validation *v;
    ck_assert_int_eq(mlops_schema_check(y, d, &v), MLOPS_OK);
    ck_assert_int_eq(mlops_validation_passed(v), 1);
    mlops_validation_free(v);
    mlops_dataset_free(d);
    mlops_schema_free(y);
    mlops_schema_free(s);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Characters JSON allows raw but YAML rejects or folds are escaped, so every
 * valid UTF-8 string survives saving and loading. */
START_TEST(awkward_strings_round_trip)
{
    static const char *const values[] = {
        "a,b",          "\\",         " padded ",     "del\x7f",     "nel\xc2\x85x",
        "c1\xc2\x9f",   "ls\xe2\x80\xa8", "ps\xe2\x80\xa9", "bom\xef\xbb\xbf", "tab\tnl\ncr\r",
        "quote\"",      "\xf0\x9f\x98\x80", "null",     "true",        "12",
        "- dash",       "# hash",     "key: value",   "\x01\x1f",    "\xef\xbf\xbd"};
    size_t n = sizeof values / sizeof values[0];
    mlops_schema *s, *back;
    ck_assert_int_eq(mlops_schema_create(&s), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "weird \xe2\x80\xa8 name:", MLOPS_CATEGORICAL),
                     MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set_categories(s, "weird \xe2\x80\xa8 name:", values, n),
                     MLOPS_OK);
    char *json = json_of(s);
    ck_assert_msg(mlops_schema_from_text(&back, json, strlen(json), "awkward") == MLOPS_OK, "%s",
                  mlops_last_error());
    const char *const *got;
    size_t m;
    ck_assert_int_eq(mlops_schema_categories(back, "weird \xe2\x80\xa8 name:", &got, &m), 1);
    ck_assert_uint_eq(m, n);
    for (size_t i = 0; i < n; i++) ck_assert_str_eq(got[i], values[i]);
    /* The string form escapes and unescapes the same values. */
    char *list = get(s, "weird \xe2\x80\xa8 name:", "categories");
    mlops_schema *again;
    ck_assert_int_eq(mlops_schema_create(&again), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(again, "c", MLOPS_CATEGORICAL), MLOPS_OK);
    ck_assert_msg(mlops_schema_set(again, "c", "categories", list) == MLOPS_OK, "%s",
                  mlops_last_error());
    ck_assert_int_eq(mlops_schema_categories(again, "c", &got, &m), 1);
    ck_assert_uint_eq(m, n);
    for (size_t i = 0; i < n; i++) ck_assert_str_eq(got[i], values[i]);
    mlops_free(list);
    mlops_free(json);
    mlops_schema_free(again);
    mlops_schema_free(back);
    mlops_schema_free(s);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(compact_json_and_defaults)
{
    static const char text[] =
        "{\"format\":\"libmlops-schema\",\"version\":1,\"columns\":["
        "{\"name\":\"a\",\"type\":\"numeric\",\"min\":-1.5e2},"
        "{\"name\":\"b\",\"type\":\"categorical\",\"categories\":null,\"min\":null}]}";
    mlops_schema *s;
    ck_assert_msg(mlops_schema_from_text(&s, text, strlen(text), "compact") == MLOPS_OK, "%s",
                  mlops_last_error());
    assert_setting(s, "a", "min", "-150");
    assert_setting(s, "a", "max", "none");
    assert_setting(s, "a", "role", "feature");
    assert_setting(s, "a", "required", "true");
    assert_setting(s, "a", "sensitive", "false");
    assert_setting(s, "a", "max_missing_fraction", "1");
    assert_setting(s, "b", "categories", "");
    char *strict;
    ck_assert_int_eq(mlops_schema_get_option(s, "strict", &strict), MLOPS_OK);
    ck_assert_str_eq(strict, "false");
    mlops_free(strict);
    mlops_schema_free(s);
    /* Not NUL-terminated: only `len` bytes are read. */
    char buf[sizeof text];
    memcpy(buf, text, sizeof text);
    buf[sizeof text - 1] = 'X';
    ck_assert_int_eq(mlops_schema_from_text(&s, buf, sizeof text - 1, "unterminated"), MLOPS_OK);
    mlops_schema_free(s);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- Editing ----------------------------------------------------------------------- */

START_TEST(setters_and_getters)
{
    mlops_schema *s;
    ck_assert_int_eq(mlops_schema_create(&s), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "age", MLOPS_NUMERIC), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "sex", MLOPS_CATEGORICAL), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "age", "min", "0"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "age", "max", "120"), MLOPS_OK);
    assert_setting(s, "age", "min", "0");
    assert_setting(s, "age", "max", "120");
    ck_assert_int_eq(mlops_schema_set(s, "age", "max", "1e2"), MLOPS_OK);
    assert_setting(s, "age", "max", "100");
    ck_assert_int_eq(mlops_schema_set(s, "age", "max", "0.1"), MLOPS_OK);
    assert_setting(s, "age", "max", "0.1");

    /* min above max, either way round, is refused and changes nothing. */
    ck_assert_int_eq(mlops_schema_set(s, "age", "min", "5"), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "min 5 is above max 0.1"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "'age'"));
    ck_assert_int_eq(mlops_schema_set(s, "age", "max", "-1"), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "max -1 is below min 0"));
    assert_setting(s, "age", "max", "0.1");
    ck_assert_int_eq(mlops_schema_set(s, "age", "max", "none"), MLOPS_OK);
    assert_setting(s, "age", "max", "none");
    ck_assert_int_eq(mlops_schema_set(s, "age", "min", ""), MLOPS_OK);
    assert_setting(s, "age", "min", "none");

    static const char *const bad_numbers[] = {"abc", "1x", "inf", "-inf", "nan", "0x10", "1e999",
                                              " 1", "1 ", "+", ".", "1e", "--1"};
    for (size_t i = 0; i < sizeof bad_numbers / sizeof bad_numbers[0]; i++) {
        ck_assert_msg(mlops_schema_set(s, "age", "min", bad_numbers[i]) == MLOPS_EINVAL, "%s",
                      bad_numbers[i]);
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "is not a finite decimal number"));
    }
    ck_assert_int_eq(mlops_schema_set(s, "age", "min", "-.5"), MLOPS_OK);
    assert_setting(s, "age", "min", "-0.5");

    ck_assert_int_eq(mlops_schema_set(s, "age", "max_missing_fraction", "0.05"), MLOPS_OK);
    assert_setting(s, "age", "max_missing_fraction", "0.05");
    ck_assert_int_eq(mlops_schema_set(s, "age", "max_missing_fraction", "1.01"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_set(s, "age", "max_missing_fraction", "-0.01"), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "is not a number from 0 to 1"));

    ck_assert_int_eq(mlops_schema_set(s, "age", "role", "target"), MLOPS_OK);
    assert_setting(s, "age", "role", "target");
    ck_assert_int_eq(mlops_schema_set(s, "age", "role", "label"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_set(s, "age", "required", "false"), MLOPS_OK);
    assert_setting(s, "age", "required", "false");
    ck_assert_int_eq(mlops_schema_set(s, "age", "required", "maybe"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_set(s, "sex", "sensitive", "1"), MLOPS_OK);
    assert_setting(s, "sex", "sensitive", "true");

    /* Keys that do not fit the column's type. */
    ck_assert_int_eq(mlops_schema_set(s, "sex", "min", "0"), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "numeric columns"));
    ck_assert_int_eq(mlops_schema_set(s, "age", "categories", "a,b"), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "categorical columns"));
    const char *one[] = {"x"};
    ck_assert_int_eq(mlops_schema_set_categories(s, "age", one, 1), MLOPS_EINVAL);

    /* Categories: trimmed, escaped, duplicates and empty items refused. */
    ck_assert_int_eq(mlops_schema_set(s, "sex", "categories", " f , m,x\\,y ,\\ z"), MLOPS_OK);
    const char *const *cats;
    size_t n;
    ck_assert_int_eq(mlops_schema_categories(s, "sex", &cats, &n), 1);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(cats[0], "f");
    ck_assert_str_eq(cats[1], "m");
    ck_assert_str_eq(cats[2], "x,y");
    ck_assert_str_eq(cats[3], " z");
    assert_setting(s, "sex", "categories", "f,m,x\\,y,\\ z");
    ck_assert_int_eq(mlops_schema_set(s, "sex", "categories", "f,m,f"), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "'f' is listed twice"));
    ck_assert_int_eq(mlops_schema_set(s, "sex", "categories", "f,,m"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_set(s, "sex", "categories", "f\\"), MLOPS_EINVAL);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(mlops_schema_categories(s, "sex", &cats, &n), 1);
    ck_assert_uint_eq(n, 4);
    const char *with_comma[] = {"a, b", "c"};
    ck_assert_int_eq(mlops_schema_set_categories(s, "sex", with_comma, 2), MLOPS_OK);
    assert_setting(s, "sex", "categories", "a\\, b,c");
    const char *dup[] = {"a", "a"};
    ck_assert_int_eq(mlops_schema_set_categories(s, "sex", dup, 2), MLOPS_EINVAL);
    const char *bad_utf8[] = {"\xc3"};
    ck_assert_int_eq(mlops_schema_set_categories(s, "sex", bad_utf8, 1), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_set_categories(s, "sex", NULL, 1), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_set_categories(s, "sex", with_comma, 0), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_categories(s, "sex", &cats, &n), 1);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(mlops_schema_set(s, "sex", "categories", ""), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_categories(s, "sex", &cats, &n), 0);
    ck_assert_ptr_null(cats);

    /* Changing the type drops what no longer applies. */
    ck_assert_int_eq(mlops_schema_set(s, "sex", "categories", "f,m"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "sex", "type", "numeric"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_categories(s, "sex", &cats, &n), 0);
    ck_assert_int_eq(mlops_schema_set(s, "age", "min", "3"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "age", "type", "categorical"), MLOPS_OK);
    assert_setting(s, "age", "min", "none");
    assert_setting(s, "age", "type", "categorical");
    ck_assert_int_eq(mlops_schema_set(s, "age", "type", "text"), MLOPS_EINVAL);

    /* Unknown key: the nearest valid one is suggested. */
    ck_assert_int_eq(mlops_schema_set(s, "age", "categries", "a"), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "did you mean 'categories'"));
    ck_assert_int_eq(mlops_schema_set(s, "age", "maxx", "3"), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "did you mean 'max'"));
    char *value = NULL;
    ck_assert_int_eq(mlops_schema_get(s, "age", "rol", &value), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "did you mean 'role'"));
    ck_assert_ptr_null(value);
    /* Unknown column: the nearest name is suggested. */
    ck_assert_int_eq(mlops_schema_set(s, "agee", "max", "3"), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "did you mean 'age'"));
    ck_assert_int_eq(mlops_schema_set(NULL, "age", "max", "3"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_set(s, "age", NULL, "3"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_set(s, "age", "max", NULL), MLOPS_EINVAL);

    /* Options. */
    ck_assert_int_eq(mlops_schema_set_option(s, "strict", "true"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_get_option(s, "strict", &value), MLOPS_OK);
    ck_assert_str_eq(value, "true");
    mlops_free(value);
    ck_assert_int_eq(mlops_schema_set_option(s, "stric", "true"), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "did you mean 'strict'"));
    ck_assert_int_eq(mlops_schema_set_option(s, "strict", "sure"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_get_option(s, "lenient", &value), MLOPS_EINVAL);
    mlops_schema_free(s);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(add_and_remove_columns)
{
    mlops_schema *s;
    ck_assert_int_eq(mlops_schema_create(&s), MLOPS_OK);
    char name[16];
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "c%d", i);
        int type = i % 2 ? MLOPS_CATEGORICAL : MLOPS_NUMERIC;
        ck_assert_int_eq(mlops_schema_add_column(s, name, type), MLOPS_OK);
    }
    ck_assert_uint_eq(mlops_schema_column_count(s), 20);
    ck_assert_int_eq(mlops_schema_add_column(s, "c3", MLOPS_NUMERIC), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "already has a column 'c3'"));
    ck_assert_int_eq(mlops_schema_add_column(s, "", MLOPS_NUMERIC), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_add_column(s, "\xff", MLOPS_NUMERIC), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_add_column(s, "z", 7), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_add_column(s, NULL, MLOPS_NUMERIC), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_remove_column(s, "c0"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_remove_column(s, "c19"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_remove_column(s, "c10"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_remove_column(s, "c10"), MLOPS_ENOTFOUND);
    ck_assert_uint_eq(mlops_schema_column_count(s), 17);
    ck_assert_str_eq(mlops_schema_column_name(s, 0), "c1");
    ck_assert_str_eq(mlops_schema_column_name(s, 8), "c9");
    ck_assert_str_eq(mlops_schema_column_name(s, 9), "c11");
    ck_assert_str_eq(mlops_schema_column_name(s, 16), "c18");
    ck_assert_ptr_null(mlops_schema_column_name(s, 17));
    size_t i;
    ck_assert_int_eq(mlops_schema_column_index(s, "c11", &i), MLOPS_OK);
    ck_assert_uint_eq(i, 9);
    ck_assert_int_eq(mlops_schema_column_index(s, "c0", &i), MLOPS_ENOTFOUND);
    assert_setting(s, "c1", "type", "categorical");
    assert_setting(s, "c2", "max_missing_fraction", "1");
    mlops_schema_free(s);
    mlops_schema_free(NULL);
    ck_assert_uint_eq(mlops_schema_column_count(NULL), 0);
    ck_assert_int_eq(mlops_schema_create(NULL), MLOPS_EINVAL);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- Allocation failures ------------------------------------------------------------ */

typedef struct sweep_ctx {
    mlops_dataset *d;
    mlops_schema *s;
    mlops_schema *out;
    char *json;
    const char *path;
} sweep_ctx;

static int op_infer(void *p)
{
    sweep_ctx *c = p;
    return mlops_schema_infer(&c->out, c->d);
}

static int op_to_json(void *p)
{
    sweep_ctx *c = p;
    return mlops_schema_to_json(c->s, &c->json);
}

static int op_from_text(void *p)
{
    sweep_ctx *c = p;
    return mlops_schema_from_text(&c->out, c->json, strlen(c->json), "sweep");
}

static int op_save(void *p)
{
    sweep_ctx *c = p;
    return mlops_schema_save(c->s, c->path);
}

static int op_load(void *p)
{
    sweep_ctx *c = p;
    return mlops_schema_load(&c->out, c->path);
}

static int op_edit(void *p)
{
    sweep_ctx *c = p;
    int rc = mlops_schema_create(&c->out);
    if (rc == MLOPS_OK) rc = mlops_schema_add_column(c->out, "a", MLOPS_CATEGORICAL);
    if (rc == MLOPS_OK) rc = mlops_schema_set(c->out, "a", "categories", "x,y\\,z, w");
    if (rc == MLOPS_OK) rc = mlops_schema_set(c->out, "a", "role", "group");
    if (rc == MLOPS_OK) {
        char *v = NULL;
        rc = mlops_schema_get(c->out, "a", "categories", &v);
        mlops_free(v);
    }
    if (rc != MLOPS_OK) {
        mlops_schema_free(c->out);
        c->out = NULL;
    }
    return rc;
}

static void undo_out(void *p)
{
    sweep_ctx *c = p;
    mlops_schema_free(c->out);
    c->out = NULL;
}

static void undo_json(void *p)
{
    sweep_ctx *c = p;
    mlops_free(c->json);
    c->json = NULL;
}

START_TEST(allocation_failures)
{
    sweep_ctx c = {.d = read_real("cars")};
    ck_assert_int_eq(mlops_schema_infer(&c.s, c.d), MLOPS_OK);
    ck_assert_int_gt(fault_alloc_sweep(op_infer, undo_out, &c), 10);
    ck_assert_int_gt(fault_alloc_sweep(op_to_json, undo_json, &c), 1);
    ck_assert_int_eq(mlops_schema_to_json(c.s, &c.json), MLOPS_OK);
    ck_assert_int_gt(fault_alloc_sweep(op_from_text, undo_out, &c), 10);
    char dir[] = "/tmp/mlops-schema-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[600];
    snprintf(path, sizeof path, "%s/cars.json", dir);
    c.path = path;
    ck_assert_int_gt(fault_alloc_sweep(op_save, NULL, &c), 0);
    ck_assert_int_gt(fault_alloc_sweep(op_load, undo_out, &c), 10);
    ck_assert_int_gt(fault_alloc_sweep(op_edit, undo_out, &c), 5);
    unlink(path);
    rmdir(dir);
    mlops_free(c.json);
    mlops_schema_free(c.s);
    mlops_dataset_free(c.d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("schema");
    TCase *tc = tcase_create("schema");
    tcase_add_test(tc, infer_matches_pandas);
    tcase_add_test(tc, infer_keeps_roles_and_sensitive_flags);
    tcase_add_test(tc, infer_category_limit);
    tcase_add_test(tc, infer_all_missing_and_empty);
    tcase_add_test(tc, save_load_round_trip_real);
    tcase_add_test(tc, golden_v1_file_loads);
    tcase_add_test(tc, exact_document_layout);
    tcase_add_test(tc, hand_written_yaml);
    tcase_add_test(tc, awkward_strings_round_trip);
    tcase_add_test(tc, compact_json_and_defaults);
    tcase_add_test(tc, setters_and_getters);
    tcase_add_test(tc, add_and_remove_columns);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
