/* CSV reader behaviour beyond the corpus: settings and their errors,
 * delimiter sniffing, headerless files, type overrides and late type
 * switches, roles and sensitivity, progress and cancel, the streaming
 * reader's type contract, and allocation failures. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"

static mlops_dataset *read_text(const char *text, mlops_csv_options *o)
{
    mlops_dataset *d = NULL;
    ck_assert_msg(mlops_dataset_read_csv_memory(&d, text, strlen(text), "t.csv", o) == MLOPS_OK,
                  "%s", mlops_last_error());
    return d;
}

START_TEST(settings_are_checked)
{
    mlops_csv_options *o;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "delimter", ";"), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "did you mean 'delimiter'"));
    ck_assert_int_eq(mlops_csv_options_set(o, "delimiter", ";;"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_csv_options_set(o, "header", "maybe"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_csv_options_set(o, "bad_rows", "ignore"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_csv_options_set(o, "max_field_bytes", "0"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_csv_options_set(o, "batch_rows", "-5"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_csv_options_set(o, "type.x", "text"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_csv_options_set(o, "role.x", "label"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_csv_options_set(o, "type.", "numeric"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_csv_options_set(o, NULL, "x"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_csv_options_set(o, "quote", "none"), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "delimiter", "tab"), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set_progress(NULL, NULL, NULL), MLOPS_EINVAL);
    mlops_csv_options_free(o);
    mlops_csv_options_free(NULL);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(sniffing_headerless_and_missing_tokens)
{
    mlops_csv_options *o;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "delimiter", "auto"), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "header", "false"), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "missing", "?,-999"), MLOPS_OK);
    mlops_dataset *d = read_text("1;a;?\n-999;\"b;c\";2\n", o);
    ck_assert_uint_eq(mlops_dataset_cols(d), 3);
    ck_assert_str_eq(mlops_dataset_column_name(d, 2), "c3");
    ck_assert_uint_eq(mlops_dataset_missing_count(d, 0), 1);
    ck_assert_uint_eq(mlops_dataset_missing_count(d, 2), 1);
    ck_assert_str_eq(mlops_dataset_category(d, 1, 1), "b;c");
    mlops_dataset_free(d);
    /* "NA" is no longer a missing token once the list is replaced. */
    d = read_text("NA;x\nNA;y\n", o);
    ck_assert_int_eq(mlops_dataset_column_type(d, 0), MLOPS_CATEGORICAL);
    mlops_dataset_free(d);
    mlops_csv_options_free(o);
}
END_TEST

START_TEST(overrides_roles_and_late_switch)
{
    mlops_csv_options *o;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "type.zip", "categorical"), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "role.y", "target"), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "sensitive.zip", "true"), MLOPS_OK);
    /* Column "late" looks numeric for 1500 rows (past the inference
     * sample), then holds text: it must end up categorical with every
     * earlier value kept as written. */
    static char text[64 * 1600];
    size_t len = (size_t)snprintf(text, sizeof text, "zip,y,late\n");
    for (int i = 0; i < 1500; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "0%d,%d,%d.50\n", 1000 + i, i % 2, i);
    len += (size_t)snprintf(text + len, sizeof text - len, "02000,1,unknown\n");
    mlops_dataset *d = read_text(text, o);
    ck_assert_uint_eq(mlops_dataset_rows(d), 1501);
    ck_assert_int_eq(mlops_dataset_column_type(d, 0), MLOPS_CATEGORICAL);
    ck_assert_int_eq(mlops_dataset_column_sensitive(d, 0), 1);
    ck_assert_int_eq(mlops_dataset_column_role(d, 1), MLOPS_ROLE_TARGET);
    ck_assert_int_eq(mlops_dataset_column_type(d, 2), MLOPS_CATEGORICAL);
    int32_t code;
    ck_assert_int_eq(mlops_dataset_get_codes(d, 0, 0, 1, &code), MLOPS_OK);
    ck_assert_str_eq(mlops_dataset_category(d, 0, code), "01000");
    ck_assert_int_eq(mlops_dataset_get_codes(d, 2, 7, 1, &code), MLOPS_OK);
    ck_assert_str_eq(mlops_dataset_category(d, 2, code), "7.50");
    ck_assert_int_eq(mlops_dataset_get_codes(d, 2, 1500, 1, &code), MLOPS_OK);
    ck_assert_str_eq(mlops_dataset_category(d, 2, code), "unknown");
    mlops_dataset_free(d);
    /* A setting for a column the file lacks is refused with a suggestion. */
    ck_assert_int_eq(mlops_csv_options_set(o, "role.lat", "time"), MLOPS_OK);
    mlops_dataset *none = NULL;
    ck_assert_int_eq(mlops_dataset_read_csv_memory(&none, text, len, "t.csv", o), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "no column 'lat' (did you mean 'late'?)"));
    ck_assert_ptr_null(none);
    mlops_csv_options_free(o);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static int stop_after_first(uint64_t done, uint64_t total, void *ud)
{
    int *calls = ud;
    ck_assert_uint_le(done, total);
    return ++*calls > 1;
}

START_TEST(progress_reports_and_cancels)
{
    char path[] = "/tmp/mlops-progress-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("a,b\n", f);
    for (int i = 0; i < 400000; i++) fprintf(f, "%d,%d\n", i, i * 3);
    fclose(f);
    mlops_csv_options *o;
    int calls = 0;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set_progress(o, stop_after_first, &calls), MLOPS_OK);
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_read_csv(&d, path, o), MLOPS_ECANCELED);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(calls, 2);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "canceled by progress callback"));
    ck_assert_int_eq(mlops_csv_options_set_progress(o, NULL, NULL), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_read_csv(&d, path, o), MLOPS_OK);
    ck_assert_uint_eq(mlops_dataset_rows(d), 400000);
    double last;
    ck_assert_int_eq(mlops_dataset_get_numeric(d, 1, 399999, 1, &last), MLOPS_OK);
    ck_assert(last == 399999.0 * 3);
    mlops_dataset_free(d);
    mlops_csv_options_free(o);
    unlink(path);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(streaming_keeps_the_first_batch_types)
{
    char path[] = "/tmp/mlops-stream-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("id,score\n", f);
    for (int i = 0; i < 30; i++) fprintf(f, "%d,%d.5\n", i, i);
    fputs("30,n/a\n", f);
    fclose(f);
    mlops_csv_options *o;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "batch_rows", "10"), MLOPS_OK);
    mlops_csv_reader *r;
    ck_assert_int_eq(mlops_csv_reader_open(&r, path, o), MLOPS_OK);
    mlops_dataset *b;
    int rc;
    int batches = 0;
    while ((rc = mlops_csv_reader_next(r, &b)) == MLOPS_OK && b != NULL) {
        ck_assert_uint_eq(mlops_dataset_rows(b), 10);
        ck_assert_int_eq(mlops_dataset_column_type(b, 1), MLOPS_NUMERIC);
        mlops_dataset_free(b);
        batches++;
    }
    ck_assert_int_eq(batches, 3);
    ck_assert_int_eq(rc, MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), ":32:2: 'n/a' is not a number"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "set type.NAME=categorical"));
    ck_assert_int_eq(mlops_csv_reader_next(r, &b), MLOPS_ESTATE); /* stays failed */
    ck_assert_ptr_null(b);
    ck_assert_uint_eq(mlops_csv_reader_rows(r), 30);
    ck_assert_uint_eq(mlops_csv_reader_skipped_rows(r), 0);
    mlops_csv_reader_free(r);
    mlops_csv_reader_free(NULL);
    ck_assert_int_eq(mlops_csv_reader_open(&r, "/nonexistent/x.csv", o), MLOPS_ENOTFOUND);
    ck_assert_int_eq(mlops_csv_reader_open(&r, "/tmp", o), MLOPS_EIO);
    ck_assert_int_eq(mlops_csv_reader_next(NULL, &b), MLOPS_EINVAL);
    mlops_csv_options_free(o);
    unlink(path);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(blank_lines_and_owned_options)
{
    /* A one-column numeric file: blank lines are skipped, not missing rows. */
    mlops_dataset *d = read_text("x\n1\n\n2\n\r\n3\n\n", NULL);
    ck_assert_uint_eq(mlops_dataset_rows(d), 3);
    ck_assert_uint_eq(mlops_dataset_missing_count(d, 0), 0);
    mlops_dataset_free(d);
    /* The streaming reader keeps its own copy of the settings. */
    char path[] = "/tmp/mlops-owned-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "a;b\n1;2\n3;x\n", 12), 12);
    close(fd);
    mlops_csv_options *o;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "delimiter", ";"), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "role.b", "target"), MLOPS_OK);
    mlops_csv_reader *r;
    ck_assert_int_eq(mlops_csv_reader_open(&r, path, o), MLOPS_OK);
    mlops_csv_options_free(o);
    ck_assert_int_eq(mlops_csv_reader_next(r, &d), MLOPS_OK);
    ck_assert_uint_eq(mlops_dataset_cols(d), 2);
    ck_assert_int_eq(mlops_dataset_column_role(d, 1), MLOPS_ROLE_TARGET);
    ck_assert_int_eq(mlops_dataset_column_type(d, 1), MLOPS_CATEGORICAL);
    mlops_dataset_free(d);
    mlops_csv_reader_free(r);
    /* Header only: one empty batch that still names the columns, then the end. */
    fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_eq(write(fd, "a;b\n", 4), 4);
    close(fd);
    ck_assert_int_eq(mlops_csv_reader_open(&r, path, NULL), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_reader_next(r, &d), MLOPS_OK);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(mlops_dataset_rows(d), 0);
    ck_assert_uint_eq(mlops_dataset_cols(d), 1); /* ';' is not the default delimiter */
    mlops_dataset_free(d);
    ck_assert_int_eq(mlops_csv_reader_next(r, &d), MLOPS_OK);
    ck_assert_ptr_null(d);
    mlops_csv_reader_free(r);
    unlink(path);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static int read_mixed(void *ctx)
{
    static char text[4096];
    size_t len = (size_t)snprintf(text, sizeof text, "a,b,c\n");
    for (int i = 0; i < 60; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%d,\"x%d\",%s\n", i, i % 3,
                                i == 59 ? "late text" : "1.5");
    mlops_csv_options *o;
    int rc = mlops_csv_options_create(&o);
    if (rc) return rc;
    rc = mlops_csv_options_set(o, "role.a", "id");
    if (rc == MLOPS_OK) rc = mlops_dataset_read_csv_memory(ctx, text, len, "mixed.csv", o);
    mlops_csv_options_free(o);
    return rc;
}

static void free_dataset(void *ctx)
{
    mlops_dataset_free(*(mlops_dataset **)ctx);
}

START_TEST(allocation_failures_are_clean)
{
    mlops_dataset *d = NULL;
    ck_assert_int_gt(fault_alloc_sweep(read_mixed, free_dataset, &d), 10);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("csv reader");
    TCase *tc = tcase_create("behaviour");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, settings_are_checked);
    tcase_add_test(tc, sniffing_headerless_and_missing_tokens);
    tcase_add_test(tc, overrides_roles_and_late_switch);
    tcase_add_test(tc, progress_reports_and_cancels);
    tcase_add_test(tc, streaming_keeps_the_first_batch_types);
    tcase_add_test(tc, blank_lines_and_owned_options);
    tcase_add_test(tc, allocation_failures_are_clean);
    suite_add_tcase(s, tc);
    return s;
}
