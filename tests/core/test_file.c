/* Atomic file replacement and whole-file reads, in a scratch directory. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mlops.h>

#include "core/alloc.h"
#include "core/file.h"
#include "fault_alloc.h"
#include "runner.h"

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/mlops-test-file-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[600];
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d) closedir(d);
    rmdir(dir);
}

static int count_entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void read_back(const char *path, const char *expect)
{
    unsigned char *data;
    size_t len;
    ck_assert_int_eq(mlops__read_file(path, 1 << 20, &data, &len), MLOPS_OK);
    ck_assert_uint_eq(len, strlen(expect));
    ck_assert_str_eq((char *)data, expect);
    mlops__free(data);
}

START_TEST(write_replace_and_read)
{
    char path[300];
    snprintf(path, sizeof path, "%s/model.bin", dir);
    ck_assert_int_eq(mlops__write_file_atomic(path, "first", 5), MLOPS_OK);
    read_back(path, "first");
    ck_assert_int_eq(mlops__write_file_atomic(path, "second version", 14), MLOPS_OK);
    read_back(path, "second version");
    ck_assert_int_eq(count_entries(), 1); /* no temporary file left behind */
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    mode_t mask = umask(022);
    umask(mask);
    ck_assert_uint_eq(st.st_mode & 0777, 0666 & ~mask);
    ck_assert_int_eq(mlops__write_file_atomic(path, "", 0), MLOPS_OK);
    read_back(path, "");
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(abort_keeps_the_old_file)
{
    char path[300];
    snprintf(path, sizeof path, "%s/keep.txt", dir);
    ck_assert_int_eq(mlops__write_file_atomic(path, "old", 3), MLOPS_OK);
    mlops__atomic_file f;
    ck_assert_int_eq(mlops__atomic_open(&f, path), MLOPS_OK);
    ck_assert_int_eq(mlops__atomic_write(&f, "half-writ", 9), MLOPS_OK);
    ck_assert_int_eq(count_entries(), 2);
    mlops__atomic_abort(&f);
    ck_assert_int_eq(count_entries(), 1);
    read_back(path, "old");
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(errors_name_the_path)
{
    unsigned char *data;
    size_t len;
    char path[300];
    ck_assert_int_eq(mlops__write_file_atomic("/nonexistent-dir/x/model.bin", "x", 1), MLOPS_EIO);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "/nonexistent-dir/x/model.bin"));
    ck_assert_int_eq(mlops__write_file_atomic(NULL, "x", 1), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__write_file_atomic("", "x", 1), MLOPS_EINVAL);
    snprintf(path, sizeof path, "%s/missing", dir);
    ck_assert_int_eq(mlops__read_file(path, 100, &data, &len), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), path));
    ck_assert_int_eq(mlops__read_file(dir, 100, &data, &len), MLOPS_EIO);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not a regular file"));
    ck_assert_int_eq(mlops__read_file(NULL, 100, &data, &len), MLOPS_EINVAL);
    /* replacing a directory or a device would destroy it */
    ck_assert_int_eq(mlops__write_file_atomic(dir, "x", 1), MLOPS_EIO);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not a regular file"));
    ck_assert_int_eq(mlops__write_file_atomic("/dev/null", "x", 1), MLOPS_EIO);
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    snprintf(path, sizeof path, "%s/big", dir);
    ck_assert_int_eq(mlops__write_file_atomic(path, "0123456789", 10), MLOPS_OK);
    ck_assert_int_eq(mlops__read_file(path, 9, &data, &len), MLOPS_ERANGE);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "10 bytes"));
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static int write_op(void *ctx)
{
    return mlops__write_file_atomic(ctx, "payload", 7);
}

START_TEST(allocation_failures_leave_no_files)
{
    char path[300];
    snprintf(path, sizeof path, "%s/oom.bin", dir);
    ck_assert_int_ge(fault_alloc_sweep(write_op, NULL, path), 2);
    ck_assert_int_eq(count_entries(), 1);
    read_back(path, "payload");
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("file");
    TCase *tc = tcase_create("atomic");
    tcase_add_checked_fixture(tc, make_dir, remove_dir);
    tcase_add_test(tc, write_replace_and_read);
    tcase_add_test(tc, abort_keeps_the_old_file);
    tcase_add_test(tc, errors_name_the_path);
    tcase_add_test(tc, allocation_failures_leave_no_files);
    suite_add_tcase(s, tc);
    return s;
}
