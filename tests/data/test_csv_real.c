/* The real datasets of tests/data/real read as pandas.read_csv reads them:
 * shape, column types, missing counts, column sums and sampled values
 * (bit-exact), from the *.expected files that
 * tests/reference/make_csv_reference.py wrote with pandas. Plain, gzip
 * (compressed here in memory), streamed in small batches: all must agree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <mlops.h>

#include "runner.h"

static const char *const DATASETS[] = {"iris", "wine", "breast_cancer", "diabetes", "cars"};

static void percent_decode(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '%' && r[1] && r[2]) {
            char hex[3] = {r[1], r[2], 0};
            *w++ = (char)strtol(hex, NULL, 16);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

/* Checks `d` against the expected file; returns the number of checks made. */
static long check_against(const mlops_dataset *d, const char *stem)
{
    char path[512], line[4096];
    snprintf(path, sizeof path, "%s/real/%s.expected", DATA_DIR, stem);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    long checks = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char kind[32], a[2048], b[2048];
        unsigned long col = 0, row = 0;
        int n = sscanf(line, "%31s %lu", kind, &col);
        ck_assert_int_ge(n, 1);
        if (strcmp(kind, "rows") == 0) {
            ck_assert_uint_eq(mlops_dataset_rows(d), col);
        } else if (strcmp(kind, "cols") == 0) {
            ck_assert_uint_eq(mlops_dataset_cols(d), col);
        } else if (strcmp(kind, "column") == 0) {
            unsigned long missing;
            ck_assert_int_eq(sscanf(line, "%*s %lu %2047s %2047s %lu", &col, a, b, &missing), 4);
            percent_decode(a);
            ck_assert_str_eq(mlops_dataset_column_name(d, col), a);
            ck_assert_msg(strcmp(mlops_type_name(mlops_dataset_column_type(d, col)), b) == 0,
                          "%s column %s: type %s, pandas %s", stem, a,
                          mlops_type_name(mlops_dataset_column_type(d, col)), b);
            ck_assert_uint_eq(mlops_dataset_missing_count(d, col), missing);
        } else if (strcmp(kind, "sum") == 0) {
            ck_assert_int_eq(sscanf(line, "%*s %lu %2047s", &col, a), 2);
            double want = strtod(a, NULL), sum = 0, c = 0;
            const double *v;
            ck_assert_int_eq(mlops_dataset_numeric_data(d, col, &v), MLOPS_OK);
            for (size_t i = 0; i < mlops_dataset_rows(d); i++) {
                if (isnan(v[i])) continue;
                /* Neumaier summation: the reference is math.fsum. */
                double t = sum + v[i];
                c += fabs(sum) >= fabs(v[i]) ? (sum - t) + v[i] : (v[i] - t) + sum;
                sum = t;
            }
            sum += c;
            ck_assert_msg(fabs(sum - want) <= 1e-12 * fabs(want), "%s column %lu sum %.17g vs %.17g",
                          stem, col, sum, want);
        } else if (strcmp(kind, "value") == 0) {
            ck_assert_int_eq(sscanf(line, "%*s %lu %lu %2047s", &col, &row, a), 3);
            double got;
            ck_assert_int_eq(mlops_dataset_get_numeric(d, col, row, 1, &got), MLOPS_OK);
            ck_assert_msg(got == strtod(a, NULL), "%s [%lu,%lu]: %a vs %s", stem, row, col, got, a);
        } else if (strcmp(kind, "missing") == 0) {
            ck_assert_int_eq(sscanf(line, "%*s %lu %lu", &col, &row), 2);
            ck_assert_int_eq(mlops_dataset_is_missing(d, col, row), 1);
        } else if (strcmp(kind, "categories") == 0) {
            unsigned long count;
            ck_assert_int_eq(sscanf(line, "%*s %lu %lu", &col, &count), 2);
            ck_assert_uint_eq(mlops_dataset_category_count(d, col), count);
        } else if (strcmp(kind, "string") == 0) {
            ck_assert_int_eq(sscanf(line, "%*s %lu %lu %2047s", &col, &row, a), 3);
            percent_decode(a);
            int32_t code;
            ck_assert_int_eq(mlops_dataset_get_codes(d, col, row, 1, &code), MLOPS_OK);
            ck_assert_int_ge(code, 0);
            ck_assert_str_eq(mlops_dataset_category(d, col, code), a);
        } else {
            ck_abort_msg("unknown line in %s: %s", path, line);
        }
        checks++;
    }
    fclose(f);
    return checks;
}

START_TEST(plain_files_match_pandas)
{
    for (size_t i = 0; i < sizeof DATASETS / sizeof DATASETS[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/real/%s.csv", DATA_DIR, DATASETS[i]);
        mlops_dataset *d;
        ck_assert_msg(mlops_dataset_read_csv(&d, path, NULL) == MLOPS_OK, "%s", mlops_last_error());
        ck_assert_str_eq(mlops_dataset_source(d), path);
        ck_assert_int_gt(check_against(d, DATASETS[i]), 10);
        mlops_dataset_free(d);
    }
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static unsigned char *gzip_bytes(const unsigned char *data, size_t len, size_t *out_len)
{
    z_stream zs = {0};
    ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, len) + 32;
    unsigned char *out = malloc(cap);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

START_TEST(gzip_memory_and_batches_agree)
{
    for (size_t i = 0; i < sizeof DATASETS / sizeof DATASETS[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/real/%s.csv", DATA_DIR, DATASETS[i]);
        size_t len, zlen;
        unsigned char *raw = slurp(path, &len);
        unsigned char *gz = gzip_bytes(raw, len, &zlen);
        mlops_dataset *d;
        ck_assert_msg(mlops_dataset_read_csv_memory(&d, gz, zlen, "x.gz", NULL) == MLOPS_OK, "%s",
                      mlops_last_error());
        check_against(d, DATASETS[i]);
        mlops_dataset_free(d);

        /* Streaming in batches of 7 rows, concatenated, equals the whole. The
         * types of cars' Name/Year/Origin show in the first batch, so the
         * streaming reader infers what the whole-file reader does. */
        mlops_csv_options *o;
        ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
        ck_assert_int_eq(mlops_csv_options_set(o, "batch_rows", "7"), MLOPS_OK);
        mlops_csv_reader *r;
        ck_assert_int_eq(mlops_csv_reader_open(&r, path, o), MLOPS_OK);
        mlops_dataset *parts[200];
        size_t nparts = 0;
        for (;;) {
            mlops_dataset *b;
            ck_assert_int_eq(mlops_csv_reader_next(r, &b), MLOPS_OK);
            if (b == NULL) break;
            ck_assert_uint_le(mlops_dataset_rows(b), 7);
            ck_assert_uint_lt(nparts, 200);
            parts[nparts++] = b;
        }
        ck_assert_int_eq(mlops_csv_reader_next(r, &d), MLOPS_OK); /* stays at the end */
        ck_assert_ptr_null(d);
        mlops_dataset *whole;
        ck_assert_int_eq(mlops_dataset_concat_rows(&whole, (const mlops_dataset *const *)parts, nparts), MLOPS_OK);
        ck_assert_uint_eq(mlops_csv_reader_rows(r), mlops_dataset_rows(whole));
        check_against(whole, DATASETS[i]);
        mlops_dataset_free(whole);
        for (size_t p = 0; p < nparts; p++) mlops_dataset_free(parts[p]);
        mlops_csv_reader_free(r);
        mlops_csv_options_free(o);
        free(raw);
        free(gz);
    }
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("csv real datasets");
    TCase *tc = tcase_create("pandas");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, plain_files_match_pandas);
    tcase_add_test(tc, gzip_memory_and_batches_agree);
    suite_add_tcase(s, tc);
    return s;
}
