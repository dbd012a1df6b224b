/* mlops_dataset_fingerprint: golden values from an independent Python
 * encoder (tests/reference/make_fingerprint_reference.py), invariance under
 * CSV spelling, compression and dictionary order, sensitivity to every
 * single change of schema or value, and no allocation at all. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"
#include "test_fingerprint_reference.h"

#ifndef DATA_DIR
#error "DATA_DIR must name tests/data"
#endif

enum { HEX = 65 };

static const char *reference(const char *name)
{
    for (size_t i = 0; i < sizeof fingerprint_reference / sizeof fingerprint_reference[0]; i++)
        if (strcmp(fingerprint_reference[i].name, name) == 0) return fingerprint_reference[i].hex;
    ck_abort_msg("no reference fingerprint for %s", name);
    return NULL;
}

static mlops_dataset *read_file(const char *file, const char *key, const char *value)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", DATA_DIR, file);
    mlops_csv_options *o = NULL;
    if (key != NULL) {
        ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
        ck_assert_int_eq(mlops_csv_options_set(o, key, value), MLOPS_OK);
    }
    mlops_dataset *d = NULL;
    int rc = mlops_dataset_read_csv(&d, path, o);
    ck_assert_msg(rc == MLOPS_OK, "%s: %s", path, mlops_last_error());
    mlops_csv_options_free(o);
    return d;
}

static mlops_dataset *read_text(const char *text)
{
    mlops_dataset *d = NULL;
    int rc = mlops_dataset_read_csv_memory(&d, text, strlen(text), "inline", NULL);
    ck_assert_msg(rc == MLOPS_OK, "%s", mlops_last_error());
    return d;
}

/* The fingerprint as a static string (one of two alternating buffers so two
 * results can be compared in one assertion). */
static const char *fp(const mlops_dataset *d)
{
    static char buf[2][HEX];
    static int which;
    which ^= 1;
    int rc = mlops_dataset_fingerprint(d, buf[which], sizeof buf[which]);
    ck_assert_msg(rc == MLOPS_OK, "%s", mlops_last_error());
    ck_assert_uint_eq(strlen(buf[which]), 64);
    return buf[which];
}

START_TEST(golden_real_datasets)
{
    static const char *const stems[] = {"iris", "wine", "breast_cancer", "diabetes", "cars"};
    for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++) {
        char file[64], name[64];
        snprintf(file, sizeof file, "real/%s.csv", stems[i]);
        snprintf(name, sizeof name, "%s.csv", stems[i]);
        mlops_dataset *d = read_file(file, NULL, NULL);
        ck_assert_str_eq(fp(d), reference(name));
        mlops_dataset_free(d);
    }
    mlops_dataset *d = read_file("real/iris.csv", "role.species", "target");
    ck_assert_str_eq(fp(d), reference("iris.csv role.species=target"));
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static mlops_dataset *build_synthetic(double nan_value)
{
    const double x[5] = {1.5, -0.0, nan_value, 1e300, -2.25};
    const char *label[5] = {"b", NULL, "a", "b", ""};
    mlops_dataset_builder *b;
    mlops_dataset *d;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, 5), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "x", x), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "caf\xc3\xa9 \xe2\x98\x95", label),
                     MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_set_role(b, "x", MLOPS_ROLE_WEIGHT), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_set_role(b, "caf\xc3\xa9 \xe2\x98\x95", MLOPS_ROLE_GROUP),
                     MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    return d;
}

START_TEST(golden_synthetic)
{
    /* Any NaN is a missing value: a negative NaN with a payload hashes as
     * the canonical one. */
    uint64_t bits = UINT64_C(0xFFF4000000000123);
    double odd_nan;
    memcpy(&odd_nan, &bits, sizeof odd_nan);
    ck_assert(isnan(odd_nan));
    mlops_dataset *a = build_synthetic(NAN), *b = build_synthetic(odd_nan);
    ck_assert_str_eq(fp(a), reference("synthetic"));
    ck_assert_str_eq(fp(b), reference("synthetic"));
    mlops_dataset_free(a);
    mlops_dataset_free(b);

    mlops_dataset_builder *builder;
    mlops_dataset *d;
    double none = 0;
    ck_assert_int_eq(mlops_dataset_builder_create(&builder, 0), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(builder, "x", &none), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(builder, &d), MLOPS_OK);
    mlops_dataset_builder_free(builder);
    ck_assert_str_eq(fp(d), reference("empty"));
    mlops_dataset_free(d);

    /* Strings longer than the encoder's buffer, and one ending on its edge. */
    char *x = malloc(5001), *y = malloc(4096);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    memset(x, 'x', 5000);
    x[5000] = '\0';
    memset(y, 'y', 4095);
    y[4095] = '\0';
    const char *values[3] = {x, NULL, y};
    ck_assert_int_eq(mlops_dataset_builder_create(&builder, 3), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(builder, "long", values), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(builder, &d), MLOPS_OK);
    mlops_dataset_builder_free(builder);
    ck_assert_str_eq(fp(d), reference("long strings"));
    mlops_dataset_free(d);
    free(x);
    free(y);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(spelling_and_compression_do_not_matter)
{
    /* The committed variant: CRLF, quoted header and fields, "3.50",
     * "14e-1", "+0.2", padded fields, gzip-compressed. */
    mlops_dataset *d = read_file("test_fingerprint_iris_variant.csv.gz", NULL, NULL);
    ck_assert_str_eq(fp(d), reference("iris.csv"));
    mlops_dataset_free(d);

    static const char *const same[] = {
        "a,b,c\n1.5,x,-0\n2,\"y, z\",NA\n",
        "a,b,c\r\n1.50,x,0\r\n2.0,\"y, z\",\r\n",
        "\"a\",\"b\",\"c\"\n15e-1,\"x\",0.0\n\"2\",\"y, z\",NaN\n",
        "a,b,c\n 1.5 , x ,+0e5\n0.2e1,\"y, z\",null",
    };
    char first[HEX];
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        d = read_text(same[i]);
        if (i == 0)
            snprintf(first, sizeof first, "%s", fp(d));
        else
            ck_assert_msg(strcmp(fp(d), first) == 0, "variant %zu differs", i);
        mlops_dataset_free(d);
    }
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(matrix_and_csv_agree)
{
    const double m[6] = {1.0, 2.5, -0.0, NAN, 1e-310, 3.0};
    const char *names[2] = {"a", "b"};
    mlops_dataset *from_matrix, *from_csv;
    ck_assert_int_eq(mlops_dataset_from_matrix(&from_matrix, m, 3, 2, 0, names), MLOPS_OK);
    from_csv = read_text("a,b\n1,2.5\n0,\n1e-310,3\n");
    ck_assert_str_eq(fp(from_matrix), fp(from_csv));
    mlops_dataset_free(from_matrix);
    mlops_dataset_free(from_csv);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(codes_and_metadata_do_not_matter)
{
    /* Dictionary order differs (the selection keeps the source's
     * dictionary, where "a" came first), the values do not. */
    mlops_dataset *src = read_text("k\na\nb\na\n"), *picked, *direct;
    const size_t rows[2] = {1, 2};
    ck_assert_int_eq(mlops_dataset_take_rows(&picked, src, rows, 2), MLOPS_OK);
    direct = read_text("k\nb\na\n");
    ck_assert_str_eq(mlops_dataset_category(picked, 0, 0), "a");
    ck_assert_str_eq(mlops_dataset_category(direct, 0, 0), "b");
    ck_assert_str_eq(fp(picked), fp(direct));

    /* Batched reading plus concatenation gives the whole-file fingerprint. */
    char path[512];
    snprintf(path, sizeof path, "%s/real/cars.csv", DATA_DIR);
    mlops_csv_options *o;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "batch_rows", "37"), MLOPS_OK);
    mlops_csv_reader *r;
    ck_assert_int_eq(mlops_csv_reader_open(&r, path, o), MLOPS_OK);
    mlops_dataset *parts[16];
    size_t n = 0;
    for (;;) {
        mlops_dataset *batch;
        ck_assert_int_eq(mlops_csv_reader_next(r, &batch), MLOPS_OK);
        if (batch == NULL) break;
        ck_assert_uint_lt(n, 16);
        parts[n++] = batch;
    }
    mlops_csv_reader_free(r);
    mlops_csv_options_free(o);
    mlops_dataset *joined;
    ck_assert_int_eq(mlops_dataset_concat_rows(&joined, (const mlops_dataset *const *)parts, n),
                     MLOPS_OK);
    ck_assert_str_eq(fp(joined), reference("cars.csv"));
    /* The sensitive flag is policy, not data. */
    ck_assert_int_eq(mlops_dataset_set_sensitive(joined, 0, 1), MLOPS_OK);
    ck_assert_str_eq(fp(joined), reference("cars.csv"));
    mlops_dataset_free(joined);
    for (size_t i = 0; i < n; i++) mlops_dataset_free(parts[i]);
    mlops_dataset_free(src);
    mlops_dataset_free(picked);
    mlops_dataset_free(direct);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static void assert_differs(const char *base, const char *text, const char *what)
{
    mlops_dataset *d = read_text(text);
    ck_assert_msg(strcmp(fp(d), base) != 0, "%s did not change the fingerprint", what);
    mlops_dataset_free(d);
}

START_TEST(every_change_shows)
{
    static const char base_text[] = "a,b\n1.5,x\n2,y\n";
    mlops_dataset *base = read_text(base_text);
    char base_fp[HEX];
    snprintf(base_fp, sizeof base_fp, "%s", fp(base));
    assert_differs(base_fp, "a,b\n1.5000000000000002,x\n2,y\n", "a one-ulp change");
    assert_differs(base_fp, "a,b\n1.5,x\n,y\n", "a missing number");
    assert_differs(base_fp, "a,b\n1.5,x\n2,\n", "a missing string");
    assert_differs(base_fp, "a,b\n1.5,x\n2,Y\n", "a changed string");
    assert_differs(base_fp, "a,b\n1.5,x\n2,y \"\"\n", "a longer string");
    assert_differs(base_fp, "A,b\n1.5,x\n2,y\n", "a renamed column");
    assert_differs(base_fp, "b,a\nx,1.5\ny,2\n", "swapped columns");
    assert_differs(base_fp, "a,b\n2,y\n1.5,x\n", "swapped rows");
    assert_differs(base_fp, "a,b\n1.5,x\n2,y\n2,y\n", "an extra row");
    assert_differs(base_fp, "a,b,c\n1.5,x,\n2,y,\n", "an extra empty column");
    assert_differs(base_fp, "a,b\n1.5,xy\n2,\n", "moved string bytes");
    assert_differs(base_fp, "a,b\n1.5,x\n-2,y\n", "a sign");

    /* Type: the same text read as categorical. */
    mlops_csv_options *o;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "type.a", "categorical"), MLOPS_OK);
    mlops_dataset *typed;
    ck_assert_int_eq(mlops_dataset_read_csv_memory(&typed, base_text, strlen(base_text), "t", o),
                     MLOPS_OK);
    ck_assert_str_ne(fp(typed), base_fp);
    mlops_dataset_free(typed);
    mlops_csv_options_free(o);

    /* Role: every role gives its own fingerprint, and setting it back
     * restores the original. */
    char seen[7][HEX];
    for (int role = MLOPS_ROLE_FEATURE; role <= MLOPS_ROLE_IGNORE; role++) {
        ck_assert_int_eq(mlops_dataset_set_role(base, 1, role), MLOPS_OK);
        snprintf(seen[role], HEX, "%s", fp(base));
        for (int earlier = 0; earlier < role; earlier++) ck_assert_str_ne(seen[earlier], seen[role]);
    }
    ck_assert_str_eq(seen[MLOPS_ROLE_FEATURE], base_fp);
    mlops_dataset_free(base);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(man_page_example)
{
    /* The Python snippet in mlops_dataset_fingerprint(3) prints this. */
    mlops_dataset *d = read_text("x\n1.5\nNA\n");
    ck_assert_str_eq(fp(d), "93d2076c9817e9262471e64e6facd985d6c7b42a8d54099d5960f0e120795c49");
    mlops_dataset_free(d);
}
END_TEST

START_TEST(never_allocates)
{
    mlops_dataset *d = read_file("real/cars.csv", NULL, NULL);
    char hex[HEX];
    fault_alloc_fail_at(0);
    ck_assert_int_eq(mlops_dataset_fingerprint(d, hex, sizeof hex), MLOPS_OK);
    ck_assert_int_eq(fault_alloc_calls(), 0);
    fault_alloc_fail_at(-1);
    ck_assert_str_eq(hex, reference("cars.csv"));
    mlops_dataset_free(d);
}
END_TEST

START_TEST(bad_arguments)
{
    mlops_dataset *d = read_text("a\n1\n");
    char hex[HEX] = "untouched";
    ck_assert_int_eq(mlops_dataset_fingerprint(NULL, hex, sizeof hex), MLOPS_EINVAL);
    ck_assert_str_eq(hex, "untouched");
    ck_assert_int_eq(mlops_dataset_fingerprint(d, NULL, 65), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_dataset_fingerprint(d, hex, 64), MLOPS_EINVAL);
    ck_assert_str_eq(hex, "untouched");
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "64 bytes, 65 needed"));
    mlops_dataset_free(d);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("fingerprint");
    TCase *tc = tcase_create("fingerprint");
    tcase_add_test(tc, golden_real_datasets);
    tcase_add_test(tc, golden_synthetic);
    tcase_add_test(tc, spelling_and_compression_do_not_matter);
    tcase_add_test(tc, matrix_and_csv_agree);
    tcase_add_test(tc, codes_and_metadata_do_not_matter);
    tcase_add_test(tc, every_change_shows);
    tcase_add_test(tc, man_page_example);
    tcase_add_test(tc, never_allocates);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}
