/* The malformed-input corpus (tests/data/malformed/MANIFEST.tsv): each file
 * must give its documented code, and failures a message with
 * file:line:column. Also run through the streaming reader, which must agree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "runner.h"

#ifndef DATA_DIR
#error "DATA_DIR must name tests/data"
#endif

typedef struct corpus_case {
    char file[128], code[32], options[256], contains[128];
    long line, column;
} corpus_case;

static int code_of(const char *name)
{
    static const struct {
        const char *name;
        int code;
    } codes[] = {{"OK", MLOPS_OK},         {"MLOPS_EFORMAT", MLOPS_EFORMAT},
                 {"MLOPS_ECORRUPT", MLOPS_ECORRUPT}, {"MLOPS_ERANGE", MLOPS_ERANGE},
                 {"MLOPS_EINVAL", MLOPS_EINVAL}, {"MLOPS_EIO", MLOPS_EIO}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(codes[i].name, name) == 0) return codes[i].code;
    ck_abort_msg("unknown code %s in manifest", name);
    return 1;
}

static size_t load_manifest(corpus_case *cases, size_t cap)
{
    FILE *f = fopen(DATA_DIR "/malformed/MANIFEST.tsv", "r");
    ck_assert_ptr_nonnull(f);
    char line[1024];
    size_t n = 0;
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* header */
    while (n < cap && fgets(line, sizeof line, f)) {
        corpus_case *c = &cases[n];
        line[strcspn(line, "\n")] = '\0';
        char *fields[6];
        char *p = line;
        for (int i = 0; i < 6; i++) {
            fields[i] = p;
            p = strchr(p, '\t');
            if (i < 5) {
                ck_assert_msg(p != NULL, "manifest line %zu has fewer than 6 fields", n + 2);
                *p++ = '\0';
            }
        }
        snprintf(c->file, sizeof c->file, "%s", fields[0]);
        snprintf(c->code, sizeof c->code, "%s", fields[1]);
        c->line = atol(fields[2]);
        c->column = atol(fields[3]);
        snprintf(c->options, sizeof c->options, "%s", fields[4]);
        snprintf(c->contains, sizeof c->contains, "%s", fields[5]);
        n++;
    }
    fclose(f);
    return n;
}

static mlops_csv_options *options_for(const corpus_case *c)
{
    mlops_csv_options *o;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    if (strcmp(c->options, "-") == 0) return o;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", c->options);
    for (char *save = NULL, *kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        ck_assert_msg(eq != NULL, "%s: bad option %s", c->file, kv);
        *eq = '\0';
        ck_assert_msg(mlops_csv_options_set(o, kv, eq + 1) == MLOPS_OK, "%s: option %s: %s",
                      c->file, kv, mlops_last_error());
    }
    return o;
}

/* Returns 1 (after printing why) when the outcome differs from the manifest,
 * so one run lists every failing case. */
static int check_outcome(const corpus_case *c, const char *path, int rc, const char *how)
{
    int want = code_of(c->code);
    const char *msg = mlops_last_error();
    char pos[64];
    snprintf(pos, sizeof pos, ":%ld:%ld:", c->line, c->column);
    const char *problem = NULL;
    if (rc != want)
        problem = "wrong code";
    else if (want != MLOPS_OK && strstr(msg, path) == NULL)
        problem = "message does not name the file";
    else if (want != MLOPS_OK && c->line > 0 && strstr(msg, pos) == NULL)
        problem = "message lacks the position";
    else if (want != MLOPS_OK && strcmp(c->contains, "-") != 0 && strstr(msg, c->contains) == NULL)
        problem = "message lacks the expected text";
    if (problem == NULL) return 0;
    fprintf(stderr, "%s (%s): %s: got %d (%s), want %s %s '%s': %s\n", c->file, how, problem, rc,
            mlops_strerror(rc), c->code, pos, c->contains, msg);
    return 1;
}

START_TEST(every_case_gives_its_documented_outcome)
{
    static corpus_case cases[256];
    size_t n = load_manifest(cases, 256);
    ck_assert_uint_ge(n, 30);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/malformed/%.200s", DATA_DIR, cases[i].file);
        mlops_csv_options *o = options_for(&cases[i]);
        mlops_dataset *d = NULL;
        mlops_clear_error();
        int rc = mlops_dataset_read_csv(&d, path, o);
        failures += check_outcome(&cases[i], path, rc, "whole file");
        mlops_dataset_free(d);

        /* The streaming reader must reach the same verdict. */
        mlops_csv_reader *r = NULL;
        mlops_clear_error();
        rc = mlops_csv_reader_open(&r, path, o);
        while (rc == MLOPS_OK) {
            mlops_dataset *batch = NULL;
            rc = mlops_csv_reader_next(r, &batch);
            if (batch == NULL) break;
            mlops_dataset_free(batch);
        }
        failures += check_outcome(&cases[i], path, rc, "streaming");
        mlops_csv_reader_free(r);
        mlops_csv_options_free(o);
        ck_assert_uint_eq(mlops_live_allocations(), 0);
    }
    ck_assert_msg(failures == 0, "%d of %zu corpus outcomes differ (listed above)", failures,
                  2 * n);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("csv corpus");
    TCase *tc = tcase_create("malformed");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_case_gives_its_documented_outcome);
    suite_add_tcase(s, tc);
    return s;
}
