/* Test support for the registry, audit and decision-log tests: scratch
 * directories, small real models trained on iris through the public API,
 * and whole-file helpers for damaging logs on purpose. Header-only: each
 * test program includes it once. */
#ifndef MLOPS_TEST_REGISTRY_FIXTURE_H
#define MLOPS_TEST_REGISTRY_FIXTURE_H

#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mlops.h>

#define CHECK_OK(call)                                                                    \
    do {                                                                                  \
        int rc_ = (call);                                                                 \
        ck_assert_msg(rc_ == MLOPS_OK, "%s -> %d: %s", #call, rc_, mlops_last_error());   \
    } while (0)

#define CHECK_RC(call, code)                                                              \
    do {                                                                                  \
        int rc_ = (call);                                                                 \
        ck_assert_msg(rc_ == (code), "%s -> %d (expected %d): %s", #call, rc_, (int)(code), \
                      mlops_last_error());                                                \
    } while (0)

/* A new empty directory under /tmp, named into `buf`. */
static inline void fixture_tmpdir(char *buf, size_t size, const char *tag)
{
    snprintf(buf, size, "/tmp/mlops-%s-XXXXXX", tag);
    ck_assert_ptr_nonnull(mkdtemp(buf));
}

static inline int fixture_rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

static inline void fixture_rmtree(const char *dir)
{
    nftw(dir, fixture_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *fixture_path(const char *dir, const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

/* iris.csv with species as the target. */
static inline mlops_dataset *fixture_iris(void)
{
    mlops_dataset *d = NULL;
    CHECK_OK(mlops_dataset_read_csv(&d, DATA_DIR "/real/iris.csv", NULL));
    size_t col = 0;
    CHECK_OK(mlops_dataset_column_index(d, "species", &col));
    CHECK_OK(mlops_dataset_set_role(d, col, MLOPS_ROLE_TARGET));
    return d;
}

/* A logistic regression on iris with penalty `l2`, saved to `path`; its
 * payload hash goes to `hash` and the model to *out when wanted. */
static inline void fixture_train(const char *path, const char *l2, char hash[65], mlops_model **out)
{
    mlops_dataset *d = fixture_iris();
    mlops_model *m = NULL;
    CHECK_OK(mlops_model_create(&m, "logistic_regression"));
    CHECK_OK(mlops_model_set_param(m, "l2", l2));
    CHECK_OK(mlops_model_fit(m, d));
    CHECK_OK(mlops_model_save(m, path));
    if (hash != NULL) CHECK_OK(mlops_model_payload_hash(m, hash, 65));
    mlops_dataset_free(d);
    if (out != NULL) *out = m;
    else mlops_model_free(m);
}

/* The whole file in a new malloc'ed buffer (NUL-terminated). */
static inline char *fixture_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len != NULL) *len = (size_t)n;
    return buf;
}

static inline void fixture_write(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static inline size_t fixture_count_lines(const char *path)
{
    size_t len = 0, n = 0;
    char *text = fixture_read(path, &len);
    for (size_t i = 0; i < len; i++) n += text[i] == '\n';
    free(text);
    return n;
}

/* Offsets of the starts of the lines of `text` (len bytes), at most `cap`;
 * returns the number of lines. */
static inline size_t fixture_line_starts(const char *text, size_t len, size_t *starts, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if ((i == 0 || text[i - 1] == '\n') && n < cap) starts[n++] = i;
    return n;
}

#endif
