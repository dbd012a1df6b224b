/* Damaged model and profile files: a real model and a real profile, both made
 * from tests/data/real/cars.csv, are changed one byte at a time (at every
 * offset, XOR with masks: see EVERY_BIT and SOME_BITS) and truncated to every
 * shorter length, and every such file must be refused by
 * mlops_model_load() / mlops_profile_load() with the code mlops-model(5) and
 * mlops-profile(5) document: MLOPS_EFORMAT when the 8 magic bytes are not
 * there (a changed magic byte, or a file shorter than the magic), otherwise
 * MLOPS_ECORRUPT (every other byte, the container and format versions
 * included, is covered by a CRC-32 that is checked first). Nothing may be
 * returned, the message must name the file, and nothing may leak. Under
 * valgrind (MLOPS_TEST_SHORT) the first 64 bytes (magic and headers) are
 * all damaged and cut, and past them one offset and one length in SAMPLE. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mlops.h>

#include "runner.h"

#ifndef DATA_DIR
#error "DATA_DIR must name tests/data"
#endif

enum { MAGIC_SIZE = 8, HEAD = 64, SAMPLE = 5 };

/* The next offset (or length, counting down) to damage after `at`. */
static size_t next_step(size_t at)
{
    return at < HEAD || getenv("MLOPS_TEST_SHORT") == NULL ? 1 : SAMPLE;
}

/* Each offset is XORed with every mask in turn: every single bit of the
 * model file (1.6 kB), and of the ten times larger profile file the lowest
 * and highest bit and all bits at once, which keeps the test at a few
 * seconds. */
static const unsigned char EVERY_BIT[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF};
static const unsigned char SOME_BITS[] = {0x01, 0x80, 0xFF};

typedef struct scratch {
    char dir[64], original[96], damaged[96];
} scratch;

static void scratch_open(scratch *s)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/mlops-corrupt-XXXXXX",
             tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(s->dir));
    snprintf(s->original, sizeof s->original, "%s/original", s->dir);
    snprintf(s->damaged, sizeof s->damaged, "%s/damaged", s->dir);
}

static void scratch_close(scratch *s)
{
    unlink(s->original);
    unlink(s->damaged);
    rmdir(s->dir);
}

static unsigned char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_gt(n, 0);
    rewind(f);
    unsigned char *b = malloc((size_t)n);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* The damaged copy is changed in place (pwrite of the changed byte, ftruncate
 * for a shorter length) rather than rewritten: rewriting a truncated file
 * makes ext4 flush it on close, which costs milliseconds per load. */
static void put(int fd, const unsigned char *b, size_t len, off_t at)
{
    size_t done = 0;
    while (done < len) {
        ssize_t w = pwrite(fd, b + done, len - done, at + (off_t)done);
        ck_assert_int_gt(w, 0);
        done += (size_t)w;
    }
}

static mlops_dataset *cars(void)
{
    mlops_dataset *d = NULL;
    int rc = mlops_dataset_read_csv(&d, DATA_DIR "/real/cars.csv", NULL);
    ck_assert_msg(rc == MLOPS_OK, "cars.csv: %s", mlops_last_error());
    ck_assert_uint_eq(mlops_dataset_rows(d), 406);
    return d;
}

static size_t column(const mlops_dataset *d, const char *name)
{
    size_t col = 0;
    ck_assert_int_eq(mlops_dataset_column_index(d, name, &col), MLOPS_OK);
    return col;
}

/* A linear regression of Miles_per_Gallon with a preprocessing chain (so the
 * file holds every section, TRAN included) and a filled card, saved to
 * `path`; its payload hash goes to `hash`. */
static void save_model(const char *path, char hash[65])
{
    mlops_dataset *all = cars();
    size_t mpg = column(all, "Miles_per_Gallon"), rows = mlops_dataset_rows(all);
    uint8_t *keep = malloc(rows);
    ck_assert_ptr_nonnull(keep);
    for (size_t r = 0; r < rows; r++) keep[r] = mlops_dataset_is_missing(all, mpg, r) == 0;
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_filter_rows(&d, all, keep), MLOPS_OK);
    free(keep);
    mlops_dataset_free(all);
    ck_assert_uint_eq(mlops_dataset_rows(d), 398);
    ck_assert_int_eq(mlops_dataset_set_role(d, column(d, "Miles_per_Gallon"), MLOPS_ROLE_TARGET),
                     MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_set_role(d, column(d, "Name"), MLOPS_ROLE_ID), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_set_role(d, column(d, "Year"), MLOPS_ROLE_TIME), MLOPS_OK);

    mlops_transform *t = NULL;
    ck_assert_int_eq(mlops_transform_create(&t), MLOPS_OK);
    ck_assert_int_eq(mlops_transform_add(t, "impute", "*"), 0);
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 1);
    ck_assert_int_eq(mlops_transform_add(t, "onehot", "Origin"), 2);
    mlops_model *m = NULL;
    ck_assert_int_eq(mlops_model_create(&m, "linear_regression"), MLOPS_OK);
    ck_assert_int_eq(mlops_model_set_param(m, "l2", "0.5"), MLOPS_OK);
    ck_assert_int_eq(mlops_model_set_transform(m, t), MLOPS_OK);
    ck_assert_int_eq(mlops_model_card_set(m, "created", "2026-11-27T00:00:00Z"), MLOPS_OK);
    ck_assert_int_eq(mlops_model_card_set(m, "owner", "Fuel economy office"), MLOPS_OK);
    ck_assert_int_eq(mlops_model_card_set(m, "intended_use", "tests of damaged files"), MLOPS_OK);
    int rc = mlops_model_fit(m, d);
    ck_assert_msg(rc == MLOPS_OK, "fit: %s", mlops_last_error());
    ck_assert_int_eq(mlops_model_payload_hash(m, hash, 65), MLOPS_OK);
    rc = mlops_model_save(m, path);
    ck_assert_msg(rc == MLOPS_OK, "save: %s", mlops_last_error());
    mlops_model_free(m);
    mlops_transform_free(t);
    mlops_dataset_free(d);
}

/* The profile of every column of cars.csv with fixed bins, saved to `path`;
 * its JSON export goes to *json (release with mlops_free()). */
static void save_profile(const char *path, char **json)
{
    mlops_dataset *d = cars();
    mlops_profile *p = NULL;
    ck_assert_int_eq(mlops_profile_create(&p), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_add(p, d), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_fix_bins(p), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_to_json(p, json), MLOPS_OK);
    int rc = mlops_profile_save(p, path);
    ck_assert_msg(rc == MLOPS_OK, "save: %s", mlops_last_error());
    mlops_profile_free(p);
    mlops_dataset_free(d);
}

typedef int (*load_fn)(const char *path);

static int load_model(const char *path)
{
    mlops_model *m = NULL;
    int rc = mlops_model_load(&m, path);
    if (rc != MLOPS_OK) ck_assert_ptr_null(m);
    mlops_model_free(m);
    return rc;
}

static int load_profile(const char *path)
{
    mlops_profile *p = NULL;
    int rc = mlops_profile_load(&p, path);
    if (rc != MLOPS_OK) ck_assert_ptr_null(p);
    mlops_profile_free(p);
    return rc;
}

typedef struct tally {
    size_t loads, corrupt, format;
} tally;

/* Loads the damaged file (`len` bytes now) and checks the refusal. */
static void expect_refused(const scratch *s, load_fn load, size_t len, int want, const char *what,
                           size_t where, unsigned mask, tally *t)
{
    mlops_clear_error();
    int rc = load(s->damaged);
    ck_assert_msg(rc == want, "%s at %zu (mask 0x%02x, %zu bytes): got %s (%d), want %s: %s", what,
                  where, mask, len, mlops_strerror(rc), rc, mlops_strerror(want),
                  rc == MLOPS_OK ? "accepted" : mlops_last_error());
    ck_assert_msg(strstr(mlops_last_error(), s->damaged) != NULL,
                  "%s at %zu: the message does not name the file: %s", what, where,
                  mlops_last_error());
    t->loads++;
    if (rc == MLOPS_ECORRUPT) t->corrupt++;
    else t->format++;
}

/* Every single-byte change (XOR with each of the `nmasks` masks) and every
 * truncation of the file at s->original. */
static void damage_everywhere(const scratch *s, load_fn load, const char *kind,
                              const unsigned char *masks, size_t nmasks)
{
    size_t len;
    unsigned char *orig = read_whole(s->original, &len);
    int fd = open(s->damaged, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    put(fd, orig, len, 0);
    tally t = {0, 0, 0};
    size_t changed_at = 0, cut_at = 0;
    for (size_t pos = 0; pos < len; pos += next_step(pos)) {
        changed_at++;
        for (size_t k = 0; k < nmasks; k++) {
            unsigned char changed = orig[pos] ^ masks[k];
            put(fd, &changed, 1, (off_t)pos);
            expect_refused(s, load, len, pos < MAGIC_SIZE ? MLOPS_EFORMAT : MLOPS_ECORRUPT,
                           "changed byte", pos, masks[k], &t);
        }
        put(fd, orig + pos, 1, (off_t)pos);
    }
    ck_assert_uint_eq(t.loads, changed_at * nmasks);
    /* The untouched bytes still load. */
    ck_assert_int_eq(load(s->damaged), MLOPS_OK);
    for (size_t n = len; n-- > 0;) {
        if (n >= HEAD && (len - 1 - n) % next_step(n) != 0) continue;
        cut_at++;
        ck_assert_int_eq(ftruncate(fd, (off_t)n), 0);
        expect_refused(s, load, n, n < MAGIC_SIZE ? MLOPS_EFORMAT : MLOPS_ECORRUPT, "truncation",
                       n, 0, &t);
    }
    ck_assert_int_eq(close(fd), 0);
    ck_assert_uint_eq(t.loads, changed_at * nmasks + cut_at);
    if (getenv("MLOPS_TEST_SHORT") == NULL) ck_assert_uint_eq(t.loads, len * (1 + nmasks));
    ck_assert_uint_eq(t.format, MAGIC_SIZE * (1 + nmasks));
    printf("%s file of %zu bytes, %zu masks: %zu damaged copies refused (%zu MLOPS_ECORRUPT, "
           "%zu MLOPS_EFORMAT)\n", kind, len, nmasks, t.loads, t.corrupt, t.format);
    free(orig);
}

START_TEST(damaged_model_files_are_refused)
{
    scratch s;
    scratch_open(&s);
    char hash[65];
    save_model(s.original, hash);
    damage_everywhere(&s, load_model, "model", EVERY_BIT, sizeof EVERY_BIT);
    /* The saved file is the model that was fitted. */
    mlops_model *m = NULL;
    ck_assert_int_eq(mlops_model_load(&m, s.original), MLOPS_OK);
    char again[65];
    ck_assert_int_eq(mlops_model_payload_hash(m, again, sizeof again), MLOPS_OK);
    ck_assert_str_eq(again, hash);
    mlops_model_free(m);
    scratch_close(&s);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(damaged_profile_files_are_refused)
{
    scratch s;
    scratch_open(&s);
    char *json = NULL;
    save_profile(s.original, &json);
    damage_everywhere(&s, load_profile, "profile", SOME_BITS, sizeof SOME_BITS);
    mlops_profile *p = NULL;
    ck_assert_int_eq(mlops_profile_load(&p, s.original), MLOPS_OK);
    ck_assert_uint_eq(mlops_profile_rows(p), 406);
    char *again = NULL;
    ck_assert_int_eq(mlops_profile_to_json(p, &again), MLOPS_OK);
    ck_assert_str_eq(again, json);
    mlops_free(again);
    mlops_free(json);
    mlops_profile_free(p);
    scratch_close(&s);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("corrupt_files");
    TCase *model = tcase_create("model"), *profile = tcase_create("profile");
    tcase_set_timeout(model, 600);
    tcase_set_timeout(profile, 600);
    tcase_add_test(model, damaged_model_files_are_refused);
    tcase_add_test(profile, damaged_profile_files_are_refused);
    suite_add_tcase(s, model);
    suite_add_tcase(s, profile);
    return s;
}
