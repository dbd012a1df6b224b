/* Hostile inputs across the public API, as one table. Each row is an input
 * (CSV text read from memory, or a dataset built column by column) and the
 * operations run on it - reading, schema inference and checking, profiling
 * with its JSON, bins and storage, drift comparison, transforms, both model
 * kinds, evaluation and every HTML page - each with the outcome it must
 * have: an exact error code and message fragments naming what is wrong and
 * where, or success with the documented result checked by value.
 *
 * Whatever the outcome, nothing may crash, leak, write to stderr (LAPACK's
 * complaints included) or answer NaN without saying why: every successful
 * fit must predict finite values, survive a save/load round trip with
 * bit-identical predictions, and render its model card and evaluation
 * pages. Numbers that need an independent implementation come from
 * tests/reference/make_hostile_reference.py (hostile_reference.h). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, dup */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mlops.h>

#include "../reference/hostile_reference.h"
#include "fault_alloc.h"
#include "runner.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the table's vocabulary ------------------------------------------------ */

typedef struct ctx ctx;
typedef int (*op_fn)(ctx *c, const char *arg);
typedef void (*check_fn)(ctx *c);

typedef struct step {
    op_fn op;
    const char *op_name;
    const char *arg;      /* the operation's variant (settings, a chain, CSV text) */
    int code;             /* the exact status it must return */
    const char *fragment; /* '|'-separated texts the message must hold (errors) */
    check_fn check;       /* value checks; also run after an expected error */
} step;

enum { MAX_STEPS = 16 };

typedef struct hostile_case {
    const char *name;
    void (*build)(ctx *c); /* sets c->csv (and c->opts) or c->data */
    step steps[MAX_STEPS];
} hostile_case;

#define S(op, arg, code, fragment, check) {op, #op, arg, code, fragment, check}

struct ctx {
    const hostile_case *hc;
    const step *st;
    char dir[96];
    /* input */
    char *csv;
    size_t csv_len;
    const char *opts; /* reader settings "key=value,..." for this input */
    mlops_dataset *data;
    /* what the step made, for its check; released after it */
    mlops_schema *schema;
    mlops_validation *validation;
    mlops_profile *profile;
    mlops_drift_monitor *monitor;
    mlops_drift_report *drift;
    mlops_transform *transform;
    mlops_dataset *out;
    mlops_model *model;
    mlops_report *report;
    double *pred, *proba;
    size_t rows;
    char *json;
    const char *call; /* the library call that failed, for messages */
    /* the log, at MLOPS_LOG_WARN */
    int warnings;
    char warning[4][512];
};

static void on_log(int level, const char *message, void *user)
{
    ctx *c = user;
    if (level > MLOPS_LOG_WARN) return;
    if (c->warnings < (int)COUNT(c->warning))
        snprintf(c->warning[c->warnings], sizeof c->warning[0], "%s", message);
    c->warnings++;
}

static bool warned(const ctx *c, const char *text)
{
    for (int i = 0; i < c->warnings && i < (int)COUNT(c->warning); i++)
        if (strstr(c->warning[i], text) != NULL) return true;
    return false;
}

/* Records which call failed and passes its status on. */
#define CALL(c, expr)                                                                        \
    do {                                                                                     \
        int rc_ = (expr);                                                                    \
        if (rc_ != MLOPS_OK) {                                                               \
            (c)->call = #expr;                                                               \
            return rc_;                                                                      \
        }                                                                                    \
    } while (0)

#define WHERE(c) (c)->hc->name, (c)->st->op_name, (c)->st->arg ? (c)->st->arg : ""

/* ---- small helpers --------------------------------------------------------- */

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80            ? 1
                   : (*p >> 5) == 6     ? 2
                   : (*p >> 4) == 14    ? 3
                   : (*p >> 3) == 30    ? 4
                                        : 0;
        if (n == 0) return false;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80) return false;
        p += n;
    }
    return true;
}

static size_t col_of(const mlops_dataset *d, const char *name)
{
    size_t j = SIZE_MAX;
    ck_assert_msg(mlops_dataset_column_index(d, name, &j) == MLOPS_OK, "no column '%s': %s", name,
                  mlops_last_error());
    return j;
}

static size_t prof_col(const mlops_profile *p, const char *name)
{
    size_t j = SIZE_MAX;
    ck_assert_msg(mlops_profile_column_index(p, name, &j) == MLOPS_OK, "no column '%s'", name);
    return j;
}

static double num(const mlops_dataset *d, const char *name, size_t row)
{
    double v = 0;
    ck_assert_int_eq(mlops_dataset_get_numeric(d, col_of(d, name), row, 1, &v), MLOPS_OK);
    return v;
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* |a - b| <= tol * max(1, |b|) */
static void near(const ctx *c, const char *what, double a, double b, double tol)
{
    double scale = fabs(b) > 1 ? fabs(b) : 1;
    ck_assert_msg(fabs(a - b) <= tol * scale, "%s %s %s: %s = %.17g, expected %.17g", WHERE(c),
                  what, a, b);
}

static char *schema_text(const mlops_schema *s, const char *col, const char *key)
{
    char *v = NULL;
    ck_assert_int_eq(mlops_schema_get(s, col, key, &v), MLOPS_OK);
    return v;
}

static void schema_is(const ctx *c, const char *col, const char *key, const char *want)
{
    char *v = schema_text(c->schema, col, key);
    ck_assert_msg(strcmp(v, want) == 0, "%s %s %s: schema %s.%s = '%s', expected '%s'", WHERE(c),
                  col, key, v, want);
    mlops_free(v);
}

static bool report_has_note(const mlops_report *r, const char *text)
{
    for (size_t i = 0; i < mlops_report_note_count(r); i++)
        if (strstr(mlops_report_note(r, i), text) != NULL) return true;
    return false;
}

static double report_value(const mlops_report *r, const char *name)
{
    double v = -1;
    ck_assert_msg(mlops_report_value(r, name, &v) == MLOPS_OK, "report value %s: %s", name,
                  mlops_last_error());
    return v;
}

/* A dataset from columns given as "name" + numeric values or strings. */
typedef struct col_spec {
    const char *name;
    const double *num;
    const char *const *cat;
    int role;
} col_spec;

static mlops_dataset *build(size_t rows, const col_spec *cols, size_t n)
{
    mlops_dataset_builder *b = NULL;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, rows), MLOPS_OK);
    for (size_t j = 0; j < n; j++) {
        int rc = cols[j].num ? mlops_dataset_builder_add_numeric(b, cols[j].name, cols[j].num)
                             : mlops_dataset_builder_add_categorical(b, cols[j].name, cols[j].cat);
        ck_assert_msg(rc == MLOPS_OK, "%s", mlops_last_error());
        if (cols[j].role != MLOPS_ROLE_FEATURE)
            ck_assert_int_eq(mlops_dataset_builder_set_role(b, cols[j].name, cols[j].role),
                             MLOPS_OK);
    }
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    return d;
}

static void set_csv(ctx *c, const char *text, size_t len, const char *opts)
{
    c->csv = malloc(len + 1);
    ck_assert_ptr_nonnull(c->csv);
    memcpy(c->csv, text, len);
    c->csv[len] = '\0';
    c->csv_len = len;
    c->opts = opts;
}

/* Applies "key=value,key=value" through `set`. */
static int apply_settings(const char *list, int (*set)(void *, const char *, const char *),
                          void *obj)
{
    char buf[256];
    if (list == NULL || *list == '\0') return MLOPS_OK;
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, ","); tok != NULL; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        ck_assert_ptr_nonnull(eq);
        *eq = '\0';
        int rc = set(obj, tok, eq + 1);
        if (rc != MLOPS_OK) return rc;
    }
    return MLOPS_OK;
}

static int set_csv_opt(void *o, const char *k, const char *v)
{
    return mlops_csv_options_set(o, k, v);
}

static int set_model_opt(void *m, const char *k, const char *v)
{
    return mlops_model_set_param(m, k, v);
}

/* Captures what the library writes to stderr (it promises to write nothing;
 * LAPACK's error handler would). */
typedef struct stderr_trap {
    int saved;
    FILE *f;
} stderr_trap;

static void trap_stderr(stderr_trap *t)
{
    fflush(stderr);
    t->f = tmpfile();
    ck_assert_ptr_nonnull(t->f);
    t->saved = dup(2);
    ck_assert_int_ge(t->saved, 0);
    ck_assert_int_ge(dup2(fileno(t->f), 2), 0);
}

static long release_stderr(stderr_trap *t)
{
    fflush(stderr);
    long n = lseek(2, 0, SEEK_CUR);
    ck_assert_int_ge(dup2(t->saved, 2), 0);
    close(t->saved);
    fclose(t->f);
    return n;
}

/* ---- operations ------------------------------------------------------------ */

static void need_data(const ctx *c)
{
    ck_assert_msg(c->data != NULL, "%s %s %s: no data (the read before failed)", WHERE(c));
}

/* Nothing: the row's check inspects the input itself. */
static int op_data(ctx *c, const char *arg)
{
    (void)arg;
    need_data(c);
    return MLOPS_OK;
}

/* mlops_dataset_read_csv_memory of the input's CSV text, with the input's
 * settings and `arg`'s; the result becomes the data of later steps. */
static int op_read(ctx *c, const char *arg)
{
    ck_assert_ptr_nonnull(c->csv);
    mlops_csv_options *o = NULL;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    ck_assert_int_eq(apply_settings(c->opts, set_csv_opt, o), MLOPS_OK);
    ck_assert_int_eq(apply_settings(arg, set_csv_opt, o), MLOPS_OK);
    mlops_dataset *d = NULL;
    int rc = mlops_dataset_read_csv_memory(&d, c->csv, c->csv_len, "mem.csv", o);
    mlops_csv_options_free(o);
    if (rc != MLOPS_OK) {
        ck_assert_ptr_null(d);
        c->call = "mlops_dataset_read_csv_memory";
        return rc;
    }
    mlops_dataset_free(c->data);
    c->data = d;
    return MLOPS_OK;
}

/* Reads `arg` itself as CSV (header and rows), leaving the input alone. */
static int op_read_text(ctx *c, const char *arg)
{
    mlops_dataset *d = NULL;
    int rc = mlops_dataset_read_csv_memory(&d, arg, strlen(arg), "mem.csv", NULL);
    if (rc == MLOPS_OK) c->out = d;
    else ck_assert_ptr_null(d);
    c->call = "mlops_dataset_read_csv_memory";
    return rc;
}

/* Infers a schema, writes and reads it back (same JSON), and checks the
 * data against it. */
static int op_schema(ctx *c, const char *arg)
{
    need_data(c);
    (void)arg;
    CALL(c, mlops_schema_infer(&c->schema, c->data));
    char *j1 = NULL, *j2 = NULL;
    mlops_schema *back = NULL;
    CALL(c, mlops_schema_to_json(c->schema, &j1));
    int rc = mlops_schema_from_text(&back, j1, strlen(j1), "schema.json");
    if (rc == MLOPS_OK) rc = mlops_schema_to_json(back, &j2);
    mlops_schema_free(back);
    if (rc == MLOPS_OK)
        ck_assert_msg(strcmp(j1, j2) == 0, "%s %s %s: the schema changed in a JSON round trip",
                      WHERE(c));
    mlops_free(j1);
    mlops_free(j2);
    if (rc != MLOPS_OK) {
        c->call = "mlops_schema_from_text";
        return rc;
    }
    CALL(c, mlops_schema_check(c->schema, c->data, &c->validation));
    char *vj = NULL;
    CALL(c, mlops_validation_to_json(c->validation, &vj));
    ck_assert(valid_utf8(vj));
    mlops_free(vj);
    return MLOPS_OK;
}

static int save_load_profile(ctx *c, const mlops_profile *p)
{
    char path[160], *a = NULL, *b = NULL;
    snprintf(path, sizeof path, "%s/profile", c->dir);
    CALL(c, mlops_profile_save(p, path));
    mlops_profile *back = NULL;
    CALL(c, mlops_profile_load(&back, path));
    unlink(path);
    int rc = mlops_profile_to_json(p, &a);
    if (rc == MLOPS_OK) rc = mlops_profile_to_json(back, &b);
    if (rc == MLOPS_OK)
        ck_assert_msg(strcmp(a, b) == 0, "%s %s %s: a loaded profile differs", WHERE(c));
    mlops_free(a);
    mlops_free(b);
    mlops_profile_free(back);
    if (rc != MLOPS_OK) c->call = "mlops_profile_to_json";
    return rc;
}

static int page(ctx *c, const char *kind, const char *json, const char *extra)
{
    char *html = NULL;
    CALL(c, mlops_html_from_json(kind, json, extra, NULL, &html));
    ck_assert_msg(valid_utf8(html), "%s %s %s: the %s page is not valid UTF-8", WHERE(c), kind);
    mlops_free(html);
    return MLOPS_OK;
}

/* Profiles the data: add, JSON, the data-quality page (live and from the
 * JSON) and a save/load round trip. */
static int op_profile(ctx *c, const char *arg)
{
    need_data(c);
    (void)arg;
    CALL(c, mlops_profile_create(&c->profile));
    CALL(c, mlops_profile_add(c->profile, c->data));
    CALL(c, mlops_profile_to_json(c->profile, &c->json));
    ck_assert(valid_utf8(c->json));
    char *html = NULL;
    CALL(c, mlops_profile_html(c->profile, NULL, &html));
    ck_assert_msg(valid_utf8(html), "%s %s %s: mlops_profile_html is not valid UTF-8", WHERE(c));
    char path[160];
    snprintf(path, sizeof path, "%s/data.html", c->dir);
    int saved = mlops_html_save(html, path);
    mlops_free(html);
    CALL(c, saved);
    ck_assert_int_eq(unlink(path), 0);
    int rc = page(c, "profile", c->json, NULL);
    return rc != MLOPS_OK ? rc : save_load_profile(c, c->profile);
}

/* A drift reference: profile, fix the bins, store it; then compare a
 * profile of the same data on those bins, with the report's JSON and
 * pages. */
static int op_bins(ctx *c, const char *arg)
{
    need_data(c);
    (void)arg;
    CALL(c, mlops_profile_create(&c->profile));
    CALL(c, mlops_profile_add(c->profile, c->data));
    CALL(c, mlops_profile_fix_bins(c->profile));
    int rc = save_load_profile(c, c->profile);
    if (rc != MLOPS_OK) return rc;
    CALL(c, mlops_drift_monitor_create(&c->monitor, c->profile));
    mlops_profile *cur = NULL;
    CALL(c, mlops_profile_create_like(&cur, c->profile));
    rc = mlops_profile_add(cur, c->data);
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_compare(c->monitor, cur, &c->drift);
    mlops_profile_free(cur);
    if (rc != MLOPS_OK) {
        c->call = "mlops_drift_monitor_compare";
        return rc;
    }
    CALL(c, mlops_drift_report_json(c->drift, &c->json));
    ck_assert(valid_utf8(c->json));
    char *html = NULL;
    CALL(c, mlops_drift_report_html(c->drift, c->monitor, NULL, &html));
    ck_assert_msg(valid_utf8(html), "%s %s %s: mlops_drift_report_html is not valid UTF-8",
                  WHERE(c));
    mlops_free(html);
    return page(c, "drift", c->json, NULL);
}

/* The data as reference, compared with a current profile that saw no row;
 * then the same through a monitor fed a batch of zero rows. */
static int op_drift_empty(ctx *c, const char *arg)
{
    need_data(c);
    (void)arg;
    CALL(c, mlops_profile_create(&c->profile));
    CALL(c, mlops_profile_add(c->profile, c->data));
    CALL(c, mlops_profile_fix_bins(c->profile));
    CALL(c, mlops_drift_monitor_create(&c->monitor, c->profile));
    CALL(c, mlops_drift_monitor_set_param(c->monitor, "window_rows", "2"));
    mlops_profile *cur = NULL;
    CALL(c, mlops_profile_create_like(&cur, c->profile));
    int rc = mlops_drift_monitor_compare(c->monitor, cur, &c->drift);
    mlops_profile_free(cur);
    if (rc != MLOPS_OK) {
        c->call = "mlops_drift_monitor_compare";
        return rc;
    }
    CALL(c, mlops_drift_report_json(c->drift, &c->json));
    char *html = NULL;
    CALL(c, mlops_drift_report_html(c->drift, c->monitor, NULL, &html));
    ck_assert_msg(valid_utf8(html), "%s %s %s: mlops_drift_report_html is not valid UTF-8",
                  WHERE(c));
    mlops_free(html);
    rc = page(c, "drift", c->json, NULL);
    if (rc != MLOPS_OK) return rc;
    mlops_dataset *none = NULL;
    CALL(c, mlops_dataset_take_rows(&none, c->data, NULL, 0));
    rc = mlops_drift_monitor_add(c->monitor, none);
    mlops_dataset_free(none);
    if (rc != MLOPS_OK) {
        c->call = "mlops_drift_monitor_add";
        return rc;
    }
    CALL(c, mlops_drift_monitor_flush(c->monitor));
    return MLOPS_OK;
}

static const char DEFAULT_CHAIN[] = "impute *|standardize *|onehot * unseen=zeros";

/* Builds a chain from "kind columns [key=value ...]|...". */
static int make_chain(ctx *c, const char *spec, mlops_transform **out)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    CALL(c, mlops_transform_create(out));
    char *save = NULL;
    for (char *stp = strtok_r(buf, "|", &save); stp != NULL; stp = strtok_r(NULL, "|", &save)) {
        char *save2 = NULL, *kind = strtok_r(stp, " ", &save2), *cols = strtok_r(NULL, " ", &save2);
        ck_assert_ptr_nonnull(cols);
        int idx = mlops_transform_add(*out, kind, cols);
        if (idx < 0) {
            c->call = "mlops_transform_add";
            return idx;
        }
        for (char *kv = strtok_r(NULL, " ", &save2); kv != NULL; kv = strtok_r(NULL, " ", &save2)) {
            char *eq = strchr(kv, '=');
            ck_assert_ptr_nonnull(eq);
            *eq = '\0';
            CALL(c, mlops_transform_set(*out, (size_t)idx, kv, eq + 1));
        }
    }
    return MLOPS_OK;
}

static void same_dataset(const ctx *c, const mlops_dataset *a, const mlops_dataset *b)
{
    ck_assert_uint_eq(mlops_dataset_rows(a), mlops_dataset_rows(b));
    ck_assert_uint_eq(mlops_dataset_cols(a), mlops_dataset_cols(b));
    char fa[65], fb[65];
    ck_assert_int_eq(mlops_dataset_fingerprint(a, fa, sizeof fa), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_fingerprint(b, fb, sizeof fb), MLOPS_OK);
    ck_assert_msg(strcmp(fa, fb) == 0, "%s %s %s: outputs differ", WHERE(c));
}

/* Fits the chain `arg` (default: impute, standardize, onehot on "*") and
 * applies it; a second apply and a saved and loaded copy give the same. */
static int op_transform(ctx *c, const char *arg)
{
    need_data(c);
    int rc = make_chain(c, arg ? arg : DEFAULT_CHAIN, &c->transform);
    if (rc != MLOPS_OK) return rc;
    CALL(c, mlops_transform_fit_apply(c->transform, c->data, &c->out));
    mlops_dataset *again = NULL;
    CALL(c, mlops_transform_apply(c->transform, c->data, &again));
    same_dataset(c, c->out, again);
    mlops_dataset_free(again);
    unsigned char *bytes = NULL;
    size_t len = 0;
    CALL(c, mlops_transform_save(c->transform, &bytes, &len));
    mlops_transform *back = NULL;
    rc = mlops_transform_load(&back, bytes, len);
    mlops_free(bytes);
    if (rc == MLOPS_OK) rc = mlops_transform_apply(back, c->data, &again);
    mlops_transform_free(back);
    if (rc != MLOPS_OK) {
        c->call = "mlops_transform_load/apply";
        return rc;
    }
    same_dataset(c, c->out, again);
    mlops_dataset_free(again);
    return MLOPS_OK;
}

static void all_finite(const ctx *c, const double *v, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(isfinite(v[i]), "%s %s %s: %s[%zu] = %g", WHERE(c), what, i, v[i]);
}

/* What every fitted model must do: predict finite values (probabilities
 * in [0, 1] summing to 1), save and load with the same predictions to the
 * bit, render its card, and evaluate on its training data with its pages. */
static int fitted(ctx *c)
{
    mlops_model *m = c->model;
    size_t n = mlops_dataset_rows(c->data), k = mlops_model_class_count(m);
    c->rows = n;
    c->pred = calloc(n ? n : 1, sizeof *c->pred);
    ck_assert_ptr_nonnull(c->pred);
    CALL(c, mlops_model_predict(m, c->data, MLOPS_PREDICT_VALUE, c->pred, n));
    all_finite(c, c->pred, n, "prediction");
    if (k > 0) {
        c->proba = calloc(n * k, sizeof *c->proba);
        ck_assert_ptr_nonnull(c->proba);
        CALL(c, mlops_model_predict(m, c->data, MLOPS_PREDICT_PROBA, c->proba, n * k));
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t o = 0; o < k; o++) {
                double p = c->proba[i * k + o];
                ck_assert_msg(p >= 0 && p <= 1, "%s %s %s: P = %g at row %zu", WHERE(c), p, i);
                s += p;
            }
            near(c, "probability sum", s, 1, 1e-12);
        }
    }
    unsigned char *bytes = NULL;
    size_t len = 0;
    CALL(c, mlops_model_save_buffer(m, &bytes, &len));
    mlops_model *back = NULL;
    int rc = mlops_model_load_buffer(&back, bytes, len);
    mlops_free(bytes);
    if (rc != MLOPS_OK) {
        c->call = "mlops_model_load_buffer (of a model just saved)";
        return rc;
    }
    double *again = calloc(n ? n : 1, sizeof *again);
    rc = mlops_model_predict(back, c->data, MLOPS_PREDICT_VALUE, again, n);
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++)
        ck_assert_msg(same_bits(again[i], c->pred[i]), "%s %s %s: loaded model predicts %.17g "
                      "at row %zu, not %.17g", WHERE(c), again[i], i, c->pred[i]);
    free(again);
    mlops_model_free(back);
    if (rc != MLOPS_OK) {
        c->call = "mlops_model_predict (loaded)";
        return rc;
    }
    char *card = NULL, *html = NULL;
    CALL(c, mlops_model_card_json(m, &card));
    ck_assert(valid_utf8(card));
    rc = page(c, "model_card", card, NULL);
    mlops_free(card);
    if (rc != MLOPS_OK) return rc;
    CALL(c, mlops_model_card_html(m, NULL, &html));
    ck_assert_msg(valid_utf8(html), "%s %s %s: mlops_model_card_html is not valid UTF-8", WHERE(c));
    mlops_free(html);
    mlops_evaluator *ev = NULL;
    CALL(c, mlops_evaluator_create(&ev));
    rc = mlops_evaluator_run(ev, m, c->data, &c->report);
    mlops_evaluator_free(ev);
    if (rc != MLOPS_OK) {
        c->call = "mlops_evaluator_run";
        return rc;
    }
    CALL(c, mlops_report_json(c->report, &c->json));
    ck_assert(valid_utf8(c->json));
    CALL(c, mlops_report_html(c->report, NULL, &html));
    ck_assert_msg(valid_utf8(html), "%s %s %s: mlops_report_html is not valid UTF-8", WHERE(c));
    mlops_free(html);
    /* an undefined metric always says why */
    for (size_t i = 0; i < mlops_report_value_count(c->report); i++) {
        const char *name = mlops_report_value_name(c->report, i);
        double v = 0;
        ck_assert_int_eq(mlops_report_value(c->report, name, &v), MLOPS_OK);
        if (isnan(v)) {
            char why[256];
            snprintf(why, sizeof why, "%s is undefined", name);
            ck_assert_msg(report_has_note(c->report, why), "%s %s %s: %s is NaN without a note",
                          WHERE(c), name);
        }
    }
    return page(c, "evaluation", c->json, NULL);
}

/* Fits a model of `kind` with settings `arg` ("chain" first for the default
 * chain), writing nothing to stderr, then runs the fitted-model checks. */
static int fit_kind(ctx *c, const char *kind, const char *arg)
{
    need_data(c);
    CALL(c, mlops_model_create(&c->model, kind));
    if (arg != NULL && strncmp(arg, "chain", 5) == 0) {
        int rc = make_chain(c, DEFAULT_CHAIN, &c->transform);
        if (rc != MLOPS_OK) return rc;
        CALL(c, mlops_model_set_transform(c->model, c->transform));
        arg += 5;
        if (*arg == ',') arg++;
    }
    CALL(c, apply_settings(arg, set_model_opt, c->model));
    stderr_trap t;
    trap_stderr(&t);
    int rc = mlops_model_fit(c->model, c->data);
    long written = release_stderr(&t);
    ck_assert_msg(written == 0, "%s %s %s: the fit wrote %ld bytes to stderr", WHERE(c), written);
    if (rc != MLOPS_OK) {
        c->call = "mlops_model_fit";
        return rc;
    }
    return fitted(c);
}

static int op_linear(ctx *c, const char *arg)
{
    return fit_kind(c, "linear_regression", arg);
}

static int op_logistic(ctx *c, const char *arg)
{
    return fit_kind(c, "logistic_regression", arg);
}

/* ---- the harness ------------------------------------------------------------- */

static void release_products(ctx *c)
{
    mlops_schema_free(c->schema);
    mlops_validation_free(c->validation);
    mlops_drift_report_free(c->drift);
    mlops_drift_monitor_free(c->monitor);
    mlops_profile_free(c->profile);
    mlops_transform_free(c->transform);
    mlops_dataset_free(c->out);
    mlops_model_free(c->model);
    mlops_report_free(c->report);
    mlops_free(c->json);
    free(c->pred);
    free(c->proba);
    c->schema = NULL;
    c->validation = NULL;
    c->drift = NULL;
    c->monitor = NULL;
    c->profile = NULL;
    c->transform = NULL;
    c->out = NULL;
    c->model = NULL;
    c->report = NULL;
    c->json = NULL;
    c->pred = c->proba = NULL;
    c->rows = 0;
    c->call = NULL;
    c->warnings = 0;
}

static void check_message(const ctx *c, const char *fragments)
{
    const char *msg = mlops_last_error();
    ck_assert_msg(valid_utf8(msg), "%s %s %s: the message is not valid UTF-8", WHERE(c));
    char buf[512];
    snprintf(buf, sizeof buf, "%s", fragments);
    char *save = NULL;
    for (char *f = strtok_r(buf, "|", &save); f != NULL; f = strtok_r(NULL, "|", &save))
        ck_assert_msg(strstr(msg, f) != NULL, "%s %s %s: message '%.400s' lacks '%s'", WHERE(c),
                      msg, f);
}

static void run_case(ctx *c, const hostile_case *hc)
{
    size_t live = mlops_live_allocations();
    memset(c, 0, sizeof *c);
    c->hc = hc;
    const char *tmp = getenv("TMPDIR");
    snprintf(c->dir, sizeof c->dir, "%s/mlops-hostile-XXXXXX",
             tmp != NULL && strlen(tmp) < 48 ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(c->dir));
    ck_assert_int_eq(mlops_set_logger(on_log, MLOPS_LOG_WARN, c), MLOPS_OK);
    hc->build(c);
    for (const step *st = hc->steps; st->op != NULL; st++) {
        c->st = st;
        c->warnings = 0;
        mlops_clear_error();
        int rc = st->op(c, st->arg);
        ck_assert_msg(rc == st->code, "%s %s %s: %s gave %d (%s), expected %d", WHERE(c),
                      c->call ? c->call : "", rc, mlops_last_error(), st->code);
        if (st->code != MLOPS_OK) {
            ck_assert_int_eq(mlops_last_error_code(), st->code);
            check_message(c, st->fragment);
        }
        if (st->check) st->check(c);
        release_products(c);
    }
    mlops_dataset_free(c->data);
    free(c->csv);
    mlops_set_logger(NULL, 0, NULL);
    ck_assert_int_eq(rmdir(c->dir), 0);
    ck_assert_msg(mlops_live_allocations() == live, "%s: %zu allocations leaked", hc->name,
                  mlops_live_allocations() - live);
}

/* ==== the inputs and their checks ============================================= */

/* ---- NaN, infinities and extreme finite values ---- */

static void in_csv_nan(ctx *c)
{
    static const char t[] = "x,z,y\nnan,1,0\n1,2,1\nNAN,3,0\n3,1,1\n-nan,5,0\n4,2,1\n";
    set_csv(c, t, sizeof t - 1, "role.y=target");
}

static void chk_nan_read(ctx *c)
{
    size_t x = col_of(c->data, "x");
    ck_assert_int_eq(mlops_dataset_column_type(c->data, x), MLOPS_NUMERIC);
    ck_assert_uint_eq(mlops_dataset_missing_count(c->data, x), 3);
    ck_assert_int_eq(mlops_dataset_is_missing(c->data, x, 4), 1);
    ck_assert(num(c->data, "x", 1) == 1);
}

static void chk_nan_schema(ctx *c)
{
    schema_is(c, "x", "min", "1");
    schema_is(c, "x", "max", "4");
    schema_is(c, "x", "max_missing_fraction", "0.5");
    ck_assert(mlops_validation_passed(c->validation));
}

static void chk_nan_profile(ctx *c)
{
    size_t x = prof_col(c->profile, "x");
    uint64_t n = 0, miss = 0;
    double mean = 0;
    ck_assert_int_eq(mlops_profile_counts(c->profile, x, &n, &miss), MLOPS_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(miss, 3);
    ck_assert_int_eq(mlops_profile_stats(c->profile, x, NULL, NULL, &mean, NULL), MLOPS_OK);
    near(c, "mean", mean, 8.0 / 3.0, 1e-15);
}

static void chk_no_drift(ctx *c)
{
    double share = -1;
    ck_assert_int_eq(mlops_drift_report_dataset_drift(c->drift, &share), 0);
    ck_assert(share == 0);
    for (size_t i = 0; i < mlops_drift_report_column_count(c->drift); i++) {
        int drifted = -1;
        ck_assert_int_eq(mlops_drift_report_column(c->drift, i, NULL, NULL, NULL, NULL, NULL,
                                                   NULL, &drifted),
                         MLOPS_OK);
        ck_assert_int_eq(drifted, 0);
    }
}

static void chk_imputed(ctx *c)
{
    size_t x = col_of(c->out, "x");
    ck_assert_uint_eq(mlops_dataset_missing_count(c->out, x), 0);
    /* mean-imputed, then standardized: the filled rows sit at 0 */
    ck_assert(fabs(num(c->out, "x", 0)) < 1e-15);
}

static void in_csv_inf(ctx *c)
{
    static const char t[] = "x,z,y\ninf,1,0\n1,2,1\n2,3,0\nInfinity,1,1\n4,5,0\n";
    set_csv(c, t, sizeof t - 1, "role.y=target");
}

static void chk_inf_read(ctx *c)
{
    ck_assert(num(c->data, "x", 0) == INFINITY && num(c->data, "x", 3) == INFINITY);
    ck_assert_uint_eq(mlops_dataset_missing_count(c->data, col_of(c->data, "x")), 0);
}

/* An infinite observed bound leaves that side of the range open. */
static void chk_inf_schema(ctx *c)
{
    schema_is(c, "x", "min", "1");
    schema_is(c, "x", "max", "none");
    ck_assert(mlops_validation_passed(c->validation));
}

static void chk_inf_profile(ctx *c)
{
    size_t x = prof_col(c->profile, "x");
    double mn, mx, mean, sd, q1;
    ck_assert_int_eq(mlops_profile_stats(c->profile, x, &mn, &mx, &mean, &sd), MLOPS_OK);
    ck_assert(mn == 1 && mx == INFINITY && mean == INFINITY && isnan(sd));
    ck_assert_int_eq(mlops_profile_quantile(c->profile, x, 1, &q1, NULL), MLOPS_OK);
    ck_assert(q1 == INFINITY);
    /* JSON has no infinity: written as null */
    ck_assert_ptr_nonnull(strstr(c->json, "\"mean\": null"));
}

static void in_csv_neg_inf(ctx *c)
{
    static const char t[] = "x,z,y\n1,1,0\n-inf,2,1\n2,3,0\n-INFINITY,1,1\n4,5,0\n";
    set_csv(c, t, sizeof t - 1, "role.y=target");
}

static void chk_neg_inf_schema(ctx *c)
{
    schema_is(c, "x", "min", "none");
    schema_is(c, "x", "max", "4");
}

static void chk_neg_inf_profile(ctx *c)
{
    double mn, mean, sd;
    ck_assert_int_eq(mlops_profile_stats(c->profile, prof_col(c->profile, "x"), &mn, NULL, &mean,
                                         &sd),
                     MLOPS_OK);
    ck_assert(mn == -INFINITY && mean == -INFINITY && isnan(sd));
}

static const double SPECIAL[] = {NAN, INFINITY, -INFINITY, 1e308, -1e308, 5e-324};

static void in_builder_special(ctx *c)
{
    static const double z[] = {1, 2, 3, 4, 5, 6}, y[] = {0, 1, 0, 1, 0, 1};
    col_spec cols[] = {
        {"x", SPECIAL, NULL, 0}, {"z", z, NULL, 0}, {"y", y, NULL, MLOPS_ROLE_TARGET}};
    c->data = build(6, cols, COUNT(cols));
}

static void chk_special_data(ctx *c)
{
    size_t x = col_of(c->data, "x");
    double v[6];
    ck_assert_int_eq(mlops_dataset_get_numeric(c->data, x, 0, 6, v), MLOPS_OK);
    ck_assert(isnan(v[0]));
    for (size_t i = 1; i < 6; i++) ck_assert(same_bits(v[i], SPECIAL[i]));
    ck_assert_uint_eq(mlops_dataset_missing_count(c->data, x), 1);
}

static void chk_special_schema(ctx *c)
{
    schema_is(c, "x", "min", "none");
    schema_is(c, "x", "max", "none");
    ck_assert(mlops_validation_passed(c->validation));
}

static void chk_special_profile(ctx *c)
{
    size_t x = prof_col(c->profile, "x");
    double mn, mx, mean, sd, med;
    uint64_t n, miss;
    ck_assert_int_eq(mlops_profile_counts(c->profile, x, &n, &miss), MLOPS_OK);
    ck_assert(n == 5 && miss == 1);
    ck_assert_int_eq(mlops_profile_stats(c->profile, x, &mn, &mx, &mean, &sd), MLOPS_OK);
    ck_assert(mn == -INFINITY && mx == INFINITY && isnan(mean) && isnan(sd));
    ck_assert_int_eq(mlops_profile_quantile(c->profile, x, 0.5, &med, NULL), MLOPS_OK);
    ck_assert(same_bits(med, 5e-324));
}

static void in_extreme(ctx *c)
{
    static const char t[] = "x,z,y\n1e308,1,0\n-1e308,2,1\n5e-324,3,0\n3,1,1\n4,5,0\n";
    set_csv(c, t, sizeof t - 1, "role.y=target");
}

static void chk_extreme_read(ctx *c)
{
    ck_assert(num(c->data, "x", 0) == 1e308 && num(c->data, "x", 1) == -1e308);
    ck_assert(same_bits(num(c->data, "x", 2), 5e-324)); /* not flushed to 0 */
}

static void chk_extreme_schema(ctx *c)
{
    schema_is(c, "x", "min", "-1e+308");
    schema_is(c, "x", "max", "1e+308");
}

static void chk_extreme_profile(ctx *c)
{
    size_t x = prof_col(c->profile, "x");
    double mean, sd;
    ck_assert_int_eq(mlops_profile_stats(c->profile, x, NULL, NULL, &mean, &sd), MLOPS_OK);
    /* the mean is accurate to rounding of the largest term (1e308 * eps) */
    ck_assert_msg(fabs(mean - ref_extreme_mean) <= 1e308 * 4 * DBL_EPSILON, "mean %g", mean);
    near(c, "std", sd, ref_extreme_std, 1e-14);
    static const double qs[] = {0, 0.1, 0.25, 0.5, 0.75, 0.9, 1};
    for (size_t i = 0; i < COUNT(qs); i++) {
        double q;
        ck_assert_int_eq(mlops_profile_quantile(c->profile, x, qs[i], &q, NULL), MLOPS_OK);
        near(c, "quantile", q, ref_extreme_q[i], 1e-15);
    }
}

static void chk_minmax_unit(ctx *c)
{
    for (size_t i = 0; i < 5; i++) {
        double v = num(c->out, "x", i);
        ck_assert_msg(v >= 0 && v <= 1, "minmax x[%zu] = %g", i, v);
    }
}

static void chk_extreme_linear(ctx *c)
{
    for (size_t i = 0; i < 5; i++)
        near(c, "prediction", c->pred[i], ref_extreme_linear_pred[i], 1e-12);
}

static void in_extreme_constant(ctx *c)
{
    static const char t[] = "x,z,y\n1e308,1,0\n1e308,2,1\n1e308,3,0\n1e308,1,1\n1e308,5,0\n";
    set_csv(c, t, sizeof t - 1, "role.y=target");
}

static void chk_extreme_constant_profile(ctx *c)
{
    size_t x = prof_col(c->profile, "x");
    double mean, sd;
    ck_assert_int_eq(mlops_profile_column_flags(c->profile, x), MLOPS_PROFILE_CONSTANT);
    ck_assert_int_eq(mlops_profile_stats(c->profile, x, NULL, NULL, &mean, &sd), MLOPS_OK);
    ck_assert(mean == 1e308 && sd == 0);
}

static void chk_extreme_constant_linear(ctx *c)
{
    for (size_t i = 0; i < 5; i++)
        near(c, "prediction", c->pred[i], ref_constant_linear_pred[i], 1e-12);
}

static void in_extreme_target(ctx *c)
{
    static const char t[] = "x,z,y\n1,1,1e308\n2,2,-1e308\n3,3,5e-324\n4,1,1\n5,5,0\n";
    set_csv(c, t, sizeof t - 1, "role.y=target");
}

/* numeric labels are classes, in ascending order, written as numbers that
 * read back exactly (15 to 17 significant digits: the subnormal 5e-324
 * reads "4.94065645841247e-324") */
static void chk_extreme_classes(ctx *c)
{
    static const double values[] = {-1e308, 0, 5e-324, 1, 1e308};
    ck_assert_uint_eq(mlops_model_class_count(c->model), 5);
    for (size_t k = 0; k < 5; k++) {
        const char *label = mlops_model_class_label(c->model, k);
        ck_assert_msg(same_bits(strtod(label, NULL), values[k]), "class %zu is '%s'", k, label);
    }
    ck_assert_str_eq(mlops_model_class_label(c->model, 4), "1e+308");
}

/* ---- degenerate shapes ---- */

static void in_constant(ctx *c)
{
    static const char t[] = "x,z,y\n1,1,0\n1,2,1\n1,3,0\n1,1,1\n1,5,0\n";
    set_csv(c, t, sizeof t - 1, "role.y=target");
}

static void chk_constant_schema(ctx *c)
{
    schema_is(c, "x", "min", "1");
    schema_is(c, "x", "max", "1");
}

static void chk_constant_profile(ctx *c)
{
    size_t x = prof_col(c->profile, "x");
    double sd;
    ck_assert_int_eq(mlops_profile_column_flags(c->profile, x), MLOPS_PROFILE_CONSTANT);
    ck_assert_int_eq(mlops_profile_stats(c->profile, x, NULL, NULL, NULL, &sd), MLOPS_OK);
    ck_assert(sd == 0);
}

/* one value: the per-value bins reduce to [1, 1] between the outer bins */
static void chk_constant_bins(ctx *c)
{
    size_t n = 0;
    double lo, hi;
    uint64_t cnt;
    size_t x = prof_col(c->profile, "x");
    ck_assert_int_eq(mlops_profile_bin_count(c->profile, x, &n), MLOPS_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(mlops_profile_bin(c->profile, x, 1, &lo, &hi, NULL, &cnt), MLOPS_OK);
    ck_assert(lo == 1 && hi == 1 && cnt == 5);
    chk_no_drift(c);
}

/* a constant column is only centred */
static void chk_constant_standardized(ctx *c)
{
    for (size_t i = 0; i < 5; i++) ck_assert(num(c->out, "x", i) == 0);
}

/* a constant column cannot explain anything: the minimum-norm fit gives it 0 */
static void chk_constant_linear(ctx *c)
{
    double coef[2], b;
    ck_assert_int_eq(mlops_model_coefficients(c->model, MLOPS_COEF_MODEL, coef, 2, &b, 1),
                     MLOPS_OK);
    ck_assert_str_eq(mlops_model_feature_name(c->model, 0), "x");
    ck_assert(coef[0] == 0);
}

static void in_all_missing(ctx *c)
{
    static const char t[] = "x,z,y\n,1,0\nNA,2,1\n,3,0\n,1,1\n,5,0\n";
    set_csv(c, t, sizeof t - 1, "role.y=target");
}

static void chk_all_missing_read(ctx *c)
{
    size_t x = col_of(c->data, "x");
    ck_assert_uint_eq(mlops_dataset_missing_count(c->data, x), 5);
    ck_assert_int_eq(mlops_dataset_column_type(c->data, x), MLOPS_NUMERIC);
}

static void chk_all_missing_schema(ctx *c)
{
    schema_is(c, "x", "min", "none");
    schema_is(c, "x", "max", "none");
    schema_is(c, "x", "max_missing_fraction", "1");
    ck_assert(mlops_validation_passed(c->validation));
}

static void chk_all_missing_profile(ctx *c)
{
    size_t x = prof_col(c->profile, "x");
    double mn, mean;
    ck_assert_int_eq(mlops_profile_column_flags(c->profile, x), MLOPS_PROFILE_ALL_MISSING);
    ck_assert_int_eq(mlops_profile_stats(c->profile, x, &mn, NULL, &mean, NULL), MLOPS_OK);
    ck_assert(isnan(mn) && isnan(mean));
}

/* no reference value: a single bin (-inf, +inf), and no statistic */
static void chk_all_missing_bins(ctx *c)
{
    size_t n = 0, x = prof_col(c->profile, "x");
    double lo, hi;
    ck_assert_int_eq(mlops_profile_bin_count(c->profile, x, &n), MLOPS_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(mlops_profile_bin(c->profile, x, 0, &lo, &hi, NULL, NULL), MLOPS_OK);
    ck_assert(lo == -INFINITY && hi == INFINITY);
    for (size_t i = 0; i < mlops_drift_report_column_count(c->drift); i++) {
        const char *name;
        double stat;
        int drifted;
        mlops_drift_report_column(c->drift, i, &name, NULL, &stat, NULL, NULL, NULL, &drifted);
        if (strcmp(name, "x") == 0) ck_assert(isnan(stat) && drifted == 0);
    }
}

static void chk_dropped(ctx *c)
{
    size_t j;
    ck_assert_int_eq(mlops_dataset_column_index(c->out, "x", &j), MLOPS_ENOTFOUND);
    ck_assert_uint_eq(mlops_dataset_cols(c->out), 2);
}

static void in_one_row(ctx *c)
{
    static const char t[] = "x,z,y\n1.5,2,0\n";
    set_csv(c, t, sizeof t - 1, "role.y=target");
}

static void chk_one_row_profile(ctx *c)
{
    size_t x = prof_col(c->profile, "x");
    double mean, sd, q;
    ck_assert_int_eq(mlops_profile_stats(c->profile, x, NULL, NULL, &mean, &sd), MLOPS_OK);
    ck_assert(mean == 1.5 && isnan(sd)); /* std needs two values */
    ck_assert_int_eq(mlops_profile_quantile(c->profile, x, 0.25, &q, NULL), MLOPS_OK);
    ck_assert(q == 1.5);
}

/* the one row is fitted exactly; r2 is undefined and says why */
static void chk_one_row_linear(ctx *c)
{
    ck_assert(c->pred[0] == 0);
    ck_assert(isnan(report_value(c->report, "r2")));
    ck_assert(report_has_note(c->report, "r2 is undefined: the true values are constant"));
}

static void in_zero_rows(ctx *c)
{
    static const char t[] = "x,z,y\n";
    set_csv(c, t, sizeof t - 1, "role.y=target");
}

static void chk_zero_read(ctx *c)
{
    ck_assert_uint_eq(mlops_dataset_rows(c->data), 0);
    ck_assert_uint_eq(mlops_dataset_cols(c->data), 3);
}

static void chk_zero_schema(ctx *c)
{
    schema_is(c, "x", "min", "none");
    ck_assert(mlops_validation_passed(c->validation));
    ck_assert_uint_eq(mlops_validation_rows(c->validation), 0);
}

static void chk_zero_profile(ctx *c)
{
    uint64_t n = 1, miss = 1;
    ck_assert_uint_eq(mlops_profile_rows(c->profile), 0);
    ck_assert_uint_eq(mlops_profile_cols(c->profile), 3);
    ck_assert_int_eq(mlops_profile_counts(c->profile, 0, &n, &miss), MLOPS_OK);
    ck_assert(n == 0 && miss == 0);
}

/* empty current data: nothing compared, nothing drifts, and the window
 * says it held no row */
static void chk_empty_current(ctx *c)
{
    double share = -1;
    uint64_t rows = 1, seen = 1;
    ck_assert_int_eq(mlops_drift_report_dataset_drift(c->drift, &share), 0);
    ck_assert(share == 0);
    ck_assert_int_eq(mlops_drift_report_severity(c->drift), MLOPS_SEVERITY_NONE);
    ck_assert_uint_gt(mlops_drift_report_column_count(c->drift), 0);
    for (size_t i = 0; i < mlops_drift_report_column_count(c->drift); i++) {
        double stat = 0, p = 0;
        int drifted = -1;
        ck_assert_int_eq(mlops_drift_report_column(c->drift, i, NULL, NULL, &stat, &p, NULL, NULL,
                                                   &drifted),
                         MLOPS_OK);
        ck_assert(isnan(stat) && isnan(p) && drifted == 0);
    }
    ck_assert_uint_eq(mlops_drift_report_finding_count(c->drift), 0);
    ck_assert_int_eq(mlops_drift_report_window(c->drift, NULL, NULL, &rows, NULL, NULL), MLOPS_OK);
    ck_assert_uint_eq(rows, 0);
    ck_assert_ptr_nonnull(strstr(c->json, "\"compared_columns\": 0"));
    /* a batch of no rows closes no window */
    ck_assert_uint_eq(mlops_drift_monitor_window_count(c->monitor), 0);
    ck_assert_int_eq(mlops_drift_monitor_counter(c->monitor, "rows_seen", &seen), MLOPS_OK);
    ck_assert_uint_eq(seen, 0);
}

/* ---- size ---- */

enum { WIDE_ROWS = 4 };

/* 10,000 columns; 2,000 under valgrind (MLOPS_TEST_SHORT), which is still
 * ten times the columns the report pages draw figures for. */
static size_t wide_cols(void)
{
    return getenv("MLOPS_TEST_SHORT") != NULL ? 2000 : 10000;
}

static void in_wide(ctx *c)
{
    const size_t WIDE_COLS = wide_cols();
    size_t cap = (size_t)WIDE_COLS * 8 * (WIDE_ROWS + 1), len = 0;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    for (size_t r = 0; r <= WIDE_ROWS; r++)
        for (size_t j = 0; j < WIDE_COLS; j++) {
            const char *sep = j + 1 < WIDE_COLS ? "," : "\n";
            if (r == 0 && j + 1 == WIDE_COLS) len += (size_t)snprintf(t + len, cap - len, "y\n");
            else if (r == 0) len += (size_t)snprintf(t + len, cap - len, "c%zu,", j);
            else if (j + 1 == WIDE_COLS)
                len += (size_t)snprintf(t + len, cap - len, "%zu\n", r % 2);
            else len += (size_t)snprintf(t + len, cap - len, "%zu%s", (j * 7 + r) % 13, sep);
        }
    set_csv(c, t, len, "role.y=target");
    free(t);
}

static void chk_wide_read(ctx *c)
{
    const size_t WIDE_COLS = wide_cols();
    ck_assert_uint_eq(mlops_dataset_cols(c->data), WIDE_COLS);
    ck_assert_uint_eq(mlops_dataset_rows(c->data), WIDE_ROWS);
    char name[16];
    snprintf(name, sizeof name, "c%zu", WIDE_COLS - 2);
    ck_assert_str_eq(mlops_dataset_column_name(c->data, WIDE_COLS - 2), name);
    ck_assert(num(c->data, name, 3) == (double)(((WIDE_COLS - 2) * 7 + 4) % 13));
}

static void chk_wide_schema(ctx *c)
{
    const size_t WIDE_COLS = wide_cols();
    ck_assert_uint_eq(mlops_schema_column_count(c->schema), WIDE_COLS);
    ck_assert(mlops_validation_passed(c->validation));
}

static void chk_wide_profile(ctx *c)
{
    const size_t WIDE_COLS = wide_cols();
    ck_assert_uint_eq(mlops_profile_cols(c->profile), WIDE_COLS);
    double mx, want = 0;
    char name[16];
    snprintf(name, sizeof name, "c%zu", WIDE_COLS - 2);
    ck_assert_int_eq(mlops_profile_stats(c->profile, prof_col(c->profile, name), NULL, &mx,
                                         NULL, NULL),
                     MLOPS_OK);
    for (size_t r = 1; r <= WIDE_ROWS; r++) /* the values in_wide wrote */
        want = fmax(want, (double)(((WIDE_COLS - 2) * 7 + r) % 13));
    ck_assert(mx == want);
}

static void chk_wide_drift(ctx *c)
{
    const size_t WIDE_COLS = wide_cols();
    ck_assert_uint_eq(mlops_drift_report_column_count(c->drift), WIDE_COLS);
    chk_no_drift(c);
}

static void chk_wide_transform(ctx *c)
{
    const size_t WIDE_COLS = wide_cols();
    ck_assert_uint_eq(mlops_dataset_cols(c->out), WIDE_COLS);
}

static void chk_wide_model(ctx *c)
{
    const size_t WIDE_COLS = wide_cols();
    ck_assert_uint_eq(mlops_model_feature_count(c->model), WIDE_COLS - 1);
    /* four rows, thousands of features: every training row is classified right */
    for (size_t i = 0; i < WIDE_ROWS; i++) ck_assert(c->pred[i] == (double)((i + 1) % 2));
}

/* more features than rows: the minimum-norm least-squares fit is exact */
static void chk_wide_linear(ctx *c)
{
    const size_t WIDE_COLS = wide_cols();
    ck_assert_uint_eq(mlops_model_feature_count(c->model), WIDE_COLS - 1);
    for (size_t i = 0; i < WIDE_ROWS; i++)
        near(c, "prediction", c->pred[i], (double)((i + 1) % 2), 1e-9);
}

/* 100,000 categories; 20,000 under valgrind (MLOPS_TEST_SHORT), still twice
 * the 10,000 indicator columns one-hot encoding allows. */
static size_t ncats(void)
{
    return getenv("MLOPS_TEST_SHORT") != NULL ? 20000 : 100000;
}

static void in_categories(ctx *c)
{
    const size_t NCATS = ncats();
    size_t cap = (size_t)NCATS * 24 + 32, len = 0;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    len += (size_t)snprintf(t, cap, "cat,x,y\n");
    for (size_t i = 0; i < NCATS; i++)
        len += (size_t)snprintf(t + len, cap - len, "k%zu,%zu,%d\n", i, i % 17, (i * 7) % 3 != 0);
    set_csv(c, t, len, "role.y=target");
    free(t);
}

static void chk_categories_read(ctx *c)
{
    const size_t NCATS = ncats();
    ck_assert_uint_eq(mlops_dataset_category_count(c->data, col_of(c->data, "cat")), NCATS);
}

/* too many categories to list: any category allowed */
static void chk_categories_schema(ctx *c)
{
    const char *const *v = NULL;
    size_t n = 1;
    ck_assert_int_eq(mlops_schema_categories(c->schema, "cat", &v, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert(mlops_validation_passed(c->validation));
}

static void chk_categories_profile(ctx *c)
{
    const size_t NCATS = ncats();
    size_t cat = prof_col(c->profile, "cat"), n = 0;
    uint64_t distinct = 0, cnt = 0;
    int exact = 0;
    ck_assert_int_eq(mlops_profile_distinct(c->profile, cat, &distinct, &exact), MLOPS_OK);
    ck_assert(distinct == NCATS && exact == 1);
    ck_assert_int_eq(mlops_profile_top_count(c->profile, cat, &n), MLOPS_OK);
    ck_assert_uint_eq(n, 10);
    ck_assert_int_eq(mlops_profile_top(c->profile, cat, 0, NULL, &cnt, NULL), MLOPS_OK);
    ck_assert_uint_eq(cnt, 1);
}

static void chk_categories_bins(ctx *c)
{
    const size_t NCATS = ncats();
    size_t n = 0;
    ck_assert_int_eq(mlops_profile_bin_count(c->profile, prof_col(c->profile, "cat"), &n),
                     MLOPS_OK);
    ck_assert_uint_eq(n, NCATS + 1); /* plus the unseen bin */
    chk_no_drift(c);
}

/* every category is rare: one indicator column, all ones */
static void chk_categories_infrequent(ctx *c)
{
    ck_assert_uint_eq(mlops_transform_output_count(c->transform), 3);
    ck_assert(num(c->out, "cat=__infrequent__", 12345) == 1);
}

enum { LONG_FIELD = 1 << 20, LONG_NAME = 1 << 16 };

static void in_long_field(ctx *c)
{
    size_t cap = LONG_FIELD + 128, len = 0;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    len += (size_t)snprintf(t, cap, "note,x,y\n");
    memset(t + len, 'a', LONG_FIELD);
    len += LONG_FIELD;
    len += (size_t)snprintf(t + len, cap - len, ",1,0\nshort,2,1\nb,3,0\nshort,4,1\n");
    set_csv(c, t, len, "role.y=target");
    free(t);
}

static void chk_long_field_read(ctx *c)
{
    const char *s = mlops_dataset_category(c->data, col_of(c->data, "note"), 0);
    ck_assert_uint_eq(strlen(s), LONG_FIELD);
}

static void chk_long_field_schema(ctx *c)
{
    const char *const *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(mlops_schema_categories(c->schema, "note", &v, &n), 1);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(strlen(v[0]), LONG_FIELD);
}

static void chk_long_field_profile(ctx *c)
{
    size_t note = prof_col(c->profile, "note");
    const char *top = NULL;
    ck_assert_int_eq(mlops_profile_top(c->profile, note, 1, &top, NULL, NULL), MLOPS_OK);
    ck_assert_uint_eq(strlen(top), LONG_FIELD); /* 'a...' sorts before 'b' at count 1 */
}

static void chk_long_field_model(ctx *c)
{
    size_t found = 0;
    for (size_t j = 0; j < mlops_model_feature_count(c->model); j++)
        found += strlen(mlops_model_feature_name(c->model, j)) == LONG_FIELD + 5; /* note= */
    ck_assert_uint_eq(found, 1);
}

/* Two names of 65536 bytes ("é" is two bytes in UTF-8): "a", 32767 times
 * "é", "b"; and 32768 times "é". Cut at an even or at an odd byte, one of
 * them is cut inside a character. */
static void in_long_names(ctx *c)
{
    size_t cap = 2 * LONG_NAME + 128, len = 0;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    t[len++] = 'a';
    for (size_t i = 0; i < LONG_NAME / 2 - 1; i++, len += 2) memcpy(t + len, "\xc3\xa9", 2);
    t[len++] = 'b';
    t[len++] = ',';
    for (size_t i = 0; i < LONG_NAME / 2; i++, len += 2) memcpy(t + len, "\xc3\xa9", 2);
    len += (size_t)snprintf(t + len, cap - len, ",y\n1,1,0\n,2,1\n3,3,0\n4,1,1\n");
    set_csv(c, t, len, "role.y=target");
    free(t);
}

static void chk_long_names_read(ctx *c)
{
    ck_assert_uint_eq(strlen(mlops_dataset_column_name(c->data, 0)), LONG_NAME);
    ck_assert_uint_eq(strlen(mlops_dataset_column_name(c->data, 1)), LONG_NAME);
}

/* the message names the column, cut to the message buffer at a character
 * boundary and marked as cut */
static void chk_long_name_message(ctx *c)
{
    (void)c;
    const char *msg = mlops_last_error();
    size_t n = strlen(msg);
    ck_assert_uint_lt(n, 1024);
    ck_assert_str_eq(msg + n - 3, "...");
}

/* ---- text that is not UTF-8, names that repeat ---- */

static void in_non_utf8_name(ctx *c)
{
    static const char t[] = "ab\xff\xfe,x,y\n1,1,0\n";
    set_csv(c, t, sizeof t - 1, NULL);
}

static const double ONE_TWO_THREE[] = {1, 2, 3};

static int op_builder_name(ctx *c, const char *arg)
{
    mlops_dataset_builder *b = NULL;
    CALL(c, mlops_dataset_builder_create(&b, 3));
    int rc = mlops_dataset_builder_add_numeric(b, arg, ONE_TWO_THREE);
    if (rc == MLOPS_OK) rc = mlops_dataset_builder_add_numeric(b, arg, ONE_TWO_THREE);
    mlops_dataset_builder_free(b);
    return rc;
}

static int op_matrix_names(ctx *c, const char *arg)
{
    (void)c;
    const char *names[2] = {arg, arg};
    static const double m[4] = {1, 2, 3, 4};
    mlops_dataset *d = NULL;
    int rc = mlops_dataset_from_matrix(&d, m, 2, 2, 2, names);
    mlops_dataset_free(d);
    return rc;
}

static int op_schema_name(ctx *c, const char *arg)
{
    CALL(c, mlops_schema_create(&c->schema));
    CALL(c, mlops_schema_add_column(c->schema, arg, MLOPS_NUMERIC));
    return mlops_schema_add_column(c->schema, arg, MLOPS_NUMERIC);
}

static int op_builder_category(ctx *c, const char *arg)
{
    const char *values[3] = {"a", arg, NULL};
    mlops_dataset_builder *b = NULL;
    CALL(c, mlops_dataset_builder_create(&b, 3));
    int rc = mlops_dataset_builder_add_categorical(b, "c", values);
    mlops_dataset_builder_free(b);
    return rc;
}

static int op_schema_category(ctx *c, const char *arg)
{
    const char *values[2] = {"a", arg};
    CALL(c, mlops_schema_create(&c->schema));
    CALL(c, mlops_schema_add_column(c->schema, "c", MLOPS_CATEGORICAL));
    return mlops_schema_set_categories(c->schema, "c", values, 2);
}

static int op_card_text(ctx *c, const char *arg)
{
    CALL(c, mlops_model_create(&c->model, "logistic_regression"));
    return mlops_model_card_set(c->model, "owner", arg);
}

/* a onehot output name that repeats an existing column */
static int op_onehot_collision(ctx *c, const char *arg)
{
    (void)arg;
    static const char *const cat[] = {"a", "b", "a"};
    static const double other[] = {1, 2, 3};
    col_spec cols[] = {{"c", NULL, cat, 0}, {"c=a", other, NULL, 0}};
    mlops_dataset *d = build(3, cols, COUNT(cols));
    int rc = make_chain(c, "onehot c", &c->transform);
    if (rc == MLOPS_OK) rc = mlops_transform_fit_apply(c->transform, d, &c->out);
    mlops_dataset_free(d);
    return rc;
}

static void in_non_utf8_category(ctx *c)
{
    static const char t[] = "c,x,y\nab\xff,1,0\n\xc3\x28,2,1\nok,3,0\n";
    set_csv(c, t, sizeof t - 1, NULL);
}

static void in_duplicates(ctx *c)
{
    static const char t[] = "a,x,a\n1,1,0\n2,2,1\n";
    set_csv(c, t, sizeof t - 1, NULL);
}

/* ---- classification edge cases ---- */

static const double SEP_X[] = {-3, -2.5, -2, -1.5, -1, 1, 1.5, 2, 2.5, 3};
static const char *const SEP_Y[] = {"a", "a", "a", "a", "a", "b", "b", "b", "b", "b"};

static void in_separable(ctx *c)
{
    col_spec cols[] = {{"x", SEP_X, NULL, 0}, {"y", NULL, SEP_Y, MLOPS_ROLE_TARGET}};
    c->data = build(10, cols, COUNT(cols));
}

static double info(const ctx *c, const char *key)
{
    double v = NAN;
    ck_assert_int_eq(mlops_model_info(c->model, key, &v), MLOPS_OK);
    return v;
}

/* separable classes: finite coefficients, the training labels back, and
 * probabilities that rise with x */
static void chk_separable_common(ctx *c, double *coef, double *b)
{
    ck_assert_int_eq(mlops_model_coefficients(c->model, MLOPS_COEF_MODEL, coef, 1, b, 1),
                     MLOPS_OK);
    ck_assert(isfinite(*coef) && isfinite(*b) && *coef > 0);
    for (size_t i = 0; i < 10; i++) {
        ck_assert(c->pred[i] == (i < 5 ? 0 : 1));
        if (i > 0) ck_assert(c->proba[2 * i + 1] >= c->proba[2 * i - 1]);
    }
    ck_assert(report_value(c->report, "accuracy") == 1);
}

static void chk_separable_l2(ctx *c, size_t which)
{
    double coef, b;
    chk_separable_common(c, &coef, &b);
    ck_assert(info(c, "converged") == 1);
    near(c, "coefficient", coef, ref_separable[which][1], 1e-6);
    near(c, "intercept", b, ref_separable[which][2], 1e-6);
    near(c, "P(b | x = 3)", c->proba[19], ref_separable[which][3], 1e-6);
}

static void chk_separable_l2_1(ctx *c)
{
    chk_separable_l2(c, 0);
}

static void chk_separable_l2_default(ctx *c)
{
    chk_separable_l2(c, 1);
}

/* no penalty: no minimum exists; the fit stops when the gradient of the
 * saturating loss falls below tol (converged = 1) or at max_iter
 * (converged = 0), and warns that the classes are separable */
static void chk_separable_no_penalty(ctx *c)
{
    double coef, b;
    chk_separable_common(c, &coef, &b);
    double conv = info(c, "converged");
    ck_assert(conv == 0 || conv == 1);
    ck_assert(isfinite(info(c, "objective")) && isfinite(info(c, "gradient_norm")));
    if (conv == 1) ck_assert(info(c, "gradient_norm") <= 1e-6);
    ck_assert_msg(warned(c, "separable"), "%s %s %s: no warning about separable classes",
                  WHERE(c));
}

static void chk_separable_max_iter(ctx *c)
{
    double coef, b;
    chk_separable_common(c, &coef, &b);
    ck_assert(info(c, "converged") == 0 && info(c, "iterations") == 3);
    ck_assert_msg(warned(c, "did not converge in 3 iterations"), "no convergence warning");
}

static void in_single_class(ctx *c)
{
    static const char *const y[] = {"a", "a", "a", "a"};
    col_spec cols[] = {{"x", SEP_X, NULL, 0}, {"y", NULL, y, MLOPS_ROLE_TARGET}};
    c->data = build(4, cols, COUNT(cols));
}

/* A binary model evaluated on rows of one true class only. */
static int op_eval_one_class(ctx *c, const char *arg)
{
    (void)arg;
    mlops_dataset *train = NULL;
    col_spec cols[] = {{"x", SEP_X, NULL, 0}, {"y", NULL, SEP_Y, MLOPS_ROLE_TARGET}};
    train = build(10, cols, COUNT(cols));
    int rc = mlops_model_create(&c->model, "logistic_regression");
    if (rc == MLOPS_OK) rc = mlops_model_fit(c->model, train);
    mlops_dataset_free(train);
    ck_assert_int_eq(rc, MLOPS_OK);
    mlops_evaluator *ev = NULL;
    CALL(c, mlops_evaluator_create(&ev));
    rc = mlops_evaluator_run(ev, c->model, c->data, &c->report);
    mlops_evaluator_free(ev);
    return rc;
}

static void chk_eval_one_class(ctx *c)
{
    ck_assert(report_value(c->report, "accuracy") == 1);
    ck_assert(isnan(report_value(c->report, "roc_auc")));
    ck_assert(report_has_note(c->report, "roc_auc is undefined: only one class is present in "
                                         "the truth"));
}

static const double YT[] = {1, 1, 1, 1}, YP[] = {1, 0, 1, 1}, SC[] = {0.9, 0.2, 0.8, 0.7};

/* arg: "scores" (y_pred and scores), "same" (y_pred = y_true, no scores),
 * "same+scores", "none" (zero rows) */
static int op_eval_arrays(ctx *c, const char *arg)
{
    mlops_evaluator *ev = NULL;
    CALL(c, mlops_evaluator_create(&ev));
    int rc = mlops_evaluator_set_param(ev, "task", "classification");
    ck_assert_int_eq(rc, MLOPS_OK);
    if (strcmp(arg, "scores") == 0)
        rc = mlops_evaluator_run_arrays(ev, 4, YT, YP, SC, 1, NULL, NULL, &c->report);
    else if (strcmp(arg, "same") == 0)
        rc = mlops_evaluator_run_arrays(ev, 4, YT, YT, NULL, 0, NULL, NULL, &c->report);
    else if (strcmp(arg, "same+scores") == 0)
        rc = mlops_evaluator_run_arrays(ev, 4, YT, YT, SC, 1, NULL, NULL, &c->report);
    else
        rc = mlops_evaluator_run_arrays(ev, 0, YT, YP, NULL, 0, NULL, NULL, &c->report);
    mlops_evaluator_free(ev);
    if (rc == MLOPS_OK) {
        char *html = NULL;
        CALL(c, mlops_report_html(c->report, NULL, &html));
        ck_assert_msg(valid_utf8(html), "%s %s %s: mlops_report_html is not valid UTF-8", WHERE(c));
        mlops_free(html);
    }
    return rc;
}

static void chk_arrays_scores(ctx *c)
{
    const mlops_report *r = c->report;
    near(c, "accuracy", report_value(r, "accuracy"), ref_oneclass_accuracy, 1e-15);
    near(c, "precision", report_value(r, "precision"), ref_oneclass_precision, 1e-15);
    near(c, "recall", report_value(r, "recall"), ref_oneclass_recall, 1e-15);
    near(c, "f1", report_value(r, "f1"), ref_oneclass_f1, 1e-15);
    near(c, "log_loss", report_value(r, "log_loss"), ref_oneclass_log_loss, 1e-14);
    near(c, "brier", report_value(r, "brier_score_loss"), ref_oneclass_brier_score_loss, 1e-15);
    near(c, "average_precision", report_value(r, "average_precision"),
         ref_oneclass_average_precision, 1e-15);
    ck_assert(isnan(report_value(r, "roc_auc")));
    ck_assert(report_has_note(r, "roc_auc is undefined: only one class is present in the truth"));
}

/* one class overall: no positive class, so the binary metrics are absent */
static void chk_arrays_same(ctx *c)
{
    double v;
    ck_assert(report_value(c->report, "accuracy") == 1);
    ck_assert_uint_eq(mlops_report_class_count(c->report), 1);
    ck_assert_int_eq(mlops_report_value(c->report, "precision", &v), MLOPS_ENOTFOUND);
    ck_assert(report_value(c->report, "precision_macro") == 1);
}

static void in_target_missing(ctx *c)
{
    static const char t[] = "x,z,y\n1,1,\n2,2,\n3,3,\n";
    set_csv(c, t, sizeof t - 1, "role.y=target");
}

/* A model trained elsewhere, evaluated on rows without a target. */
static int op_eval_no_target(ctx *c, const char *arg)
{
    (void)arg;
    static const double x[] = {1, 2, 3, 4}, z[] = {2, 1, 4, 3}, y[] = {1, 2, 2, 4};
    col_spec cols[] = {{"x", x, NULL, 0}, {"z", z, NULL, 0}, {"y", y, NULL, MLOPS_ROLE_TARGET}};
    mlops_dataset *train = build(4, cols, COUNT(cols));
    int rc = mlops_model_create(&c->model, "linear_regression");
    if (rc == MLOPS_OK) rc = mlops_model_fit(c->model, train);
    mlops_dataset_free(train);
    ck_assert_int_eq(rc, MLOPS_OK);
    mlops_evaluator *ev = NULL;
    CALL(c, mlops_evaluator_create(&ev));
    rc = mlops_evaluator_run(ev, c->model, c->data, &c->report);
    mlops_evaluator_free(ev);
    return rc;
}

/* ---- weights ---- */

static void in_weights(ctx *c)
{
    static const double x[] = {1, 2, 3, 4, 5, 6};
    c->data = build(6, (col_spec[]){{"x", x, NULL, 0}}, 1);
}

/* Replaces the data by x, a target and the weight column named `arg`,
 * then fits as op_linear / op_logistic do. */
static int op_weighted_fit(ctx *c, const char *arg)
{
    static const double x[] = {1, 2, 3, 4, 5, 6}, yn[] = {1, 3, 2, 5, 4, 6};
    static const char *const yc[] = {"a", "b", "a", "b", "b", "a"};
    static const char *const rare[] = {"a", "b", "b", "b", "b", "b"};
    static const struct {
        const char *name;
        const char *const *y; /* categorical target (logistic), else yn (linear) */
        const char *settings;
        double w[6];
    } W[] = {
        {"linear zero", NULL, NULL, {0, 0, 0, 0, 0, 0}},
        {"logistic zero", yc, NULL, {0, 0, 0, 0, 0, 0}},
        {"linear negative", NULL, NULL, {1, 1, 1, -1, 1, 1}},
        {"logistic negative", yc, NULL, {1, 1, 1, -1, 1, 1}},
        {"linear missing", NULL, NULL, {1, 1, NAN, 1, 1, 1}},
        {"linear infinite", NULL, NULL, {1, INFINITY, 1, 1, 1, 1}},
        {"linear huge", NULL, NULL, {1e308, 1e308, 1e308, 1e308, 1e308, 1e308}},
        {"logistic huge", yc, NULL, {1e308, 1e308, 1e308, 1e308, 1e308, 1e308}},
        {"logistic huge_balanced", rare, "class_weight=balanced", {1e308, 1, 1, 1, 1, 1}},
        {"linear large", NULL, NULL, {1e307, 1e307, 1e307, 1e307, 1e307, 1e307}},
        {"logistic one_class_weighted", yc, NULL, {1, 0, 1, 0, 0, 1}},
    };
    size_t k = 0;
    while (k < COUNT(W) && strcmp(W[k].name, arg) != 0) k++;
    ck_assert_msg(k < COUNT(W), "no weights '%s'", arg);
    col_spec cols[] = {{"x", x, NULL, 0},
                       {"y", W[k].y ? NULL : yn, W[k].y, MLOPS_ROLE_TARGET},
                       {"w", W[k].w, NULL, MLOPS_ROLE_WEIGHT}};
    mlops_dataset_free(c->data);
    c->data = build(6, cols, COUNT(cols));
    return fit_kind(c, W[k].y ? "logistic_regression" : "linear_regression", W[k].settings);
}

/* Equal weights scale out of least squares: 1e307 each fits as weight 1. */
static void chk_large_weights(ctx *c)
{
    double coef, b;
    ck_assert_int_eq(mlops_model_coefficients(c->model, MLOPS_COEF_MODEL, &coef, 1, &b, 1),
                     MLOPS_OK);
    near(c, "slope", coef, 31.0 / 35.0, 1e-12); /* least squares of yn on x */
    near(c, "weight sum", info(c, "weight_sum"), 6e307, 1e-15);
}

/* A class whose rows all weigh 0 is still a class (it occurs in the rows);
 * the fit leans to the weighted one. */
static void chk_one_class_weighted(ctx *c)
{
    ck_assert_uint_eq(mlops_model_class_count(c->model), 2);
    for (size_t i = 0; i < c->rows; i++) ck_assert(c->pred[i] == 0);
}

/* ---- predictions far outside the training range ---- */

static void in_predict_base(ctx *c)
{
    static const double x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, z[] = {3, 1, 4, 1, 5, 9, 2, 6, 5};
    static const char *const y[] = {"a", "b", "c", "a", "b", "c", "a", "c", "b"};
    static const double yn[] = {1, 0, 1, 0, 1, 1, 0, 0, 1};
    col_spec cols[] = {{"x", x, NULL, 0}, {"z", z, NULL, 0}, {"y", NULL, y, MLOPS_ROLE_TARGET},
                       {"yn", yn, NULL, MLOPS_ROLE_IGNORE}};
    c->data = build(9, cols, COUNT(cols));
}

/* arg "KIND TARGET PATH ROW": fits KIND on target TARGET (y: three classes,
 * yn: 0/1), then predicts the raw row ROW ("big": 1e308, 1e308; "mixed":
 * 1e308, -1e308) of every kind through PATH (row, matrix, dataset,
 * explain). Each answer is an error or finite numbers; the first error is
 * returned. */
static int op_predict_far(ctx *c, const char *arg)
{
    char kind[32], target[8], path[16], row[16];
    ck_assert_int_eq(sscanf(arg, "%31s %7s %15s %15s", kind, target, path, row), 4);
    mlops_dataset *d = c->data;
    bool swap = strcmp(target, "yn") == 0;
    if (swap) {
        ck_assert_int_eq(mlops_dataset_set_role(d, col_of(d, "y"), MLOPS_ROLE_IGNORE), MLOPS_OK);
        ck_assert_int_eq(mlops_dataset_set_role(d, col_of(d, "yn"), MLOPS_ROLE_TARGET), MLOPS_OK);
    }
    int rc = mlops_model_create(&c->model, kind);
    if (rc == MLOPS_OK) rc = mlops_model_fit(c->model, d);
    if (swap) {
        ck_assert_int_eq(mlops_dataset_set_role(d, col_of(d, "yn"), MLOPS_ROLE_IGNORE), MLOPS_OK);
        ck_assert_int_eq(mlops_dataset_set_role(d, col_of(d, "y"), MLOPS_ROLE_TARGET), MLOPS_OK);
    }
    ck_assert_msg(rc == MLOPS_OK, "%s", mlops_last_error());
    double x[2] = {1e308, strcmp(row, "big") == 0 ? 1e308 : -1e308}, out[8] = {0};
    static const int kinds[] = {MLOPS_PREDICT_VALUE, MLOPS_PREDICT_PROBA, MLOPS_PREDICT_DECISION};
    int first = MLOPS_OK;
    for (size_t k = 0; k < COUNT(kinds) && first == MLOPS_OK; k++) {
        size_t width = mlops_model_output_width(c->model, kinds[k]);
        if (width == 0) continue;
        mlops_clear_error();
        if (strcmp(path, "row") == 0) {
            rc = mlops_model_predict_row(c->model, x, 2, kinds[k], out, 8);
        } else if (strcmp(path, "matrix") == 0) {
            rc = mlops_model_predict_matrix(c->model, x, 1, 2, kinds[k], out, 8);
        } else {
            static const char *const names[] = {"x", "z"};
            mlops_dataset *one = NULL;
            CALL(c, mlops_dataset_from_matrix(&one, x, 1, 2, 2, names));
            if (strcmp(path, "dataset") == 0) {
                rc = mlops_model_predict(c->model, one, kinds[k], out, 8);
            } else {
                char *json = NULL;
                rc = mlops_model_explain_json(c->model, one, 0, 0, &json);
                mlops_free(json);
            }
            mlops_dataset_free(one);
        }
        if (rc == MLOPS_OK) all_finite(c, out, width, "prediction");
        else first = rc;
    }
    return first;
}

/* ==== the table ================================================================== */

#define END {NULL, NULL, NULL, 0, NULL, NULL}
#define OK_(op, arg, check) S(op, arg, MLOPS_OK, NULL, check)

static const hostile_case CASES[] = {
    {"nan in csv", in_csv_nan,
     {OK_(op_read, NULL, chk_nan_read),
      OK_(op_schema, NULL, chk_nan_schema),
      OK_(op_profile, NULL, chk_nan_profile),
      OK_(op_bins, NULL, chk_no_drift),
      OK_(op_transform, NULL, chk_imputed),
      S(op_linear, NULL, MLOPS_EINVAL, "feature 'x' is missing at row 0|impute", NULL),
      OK_(op_linear, "chain", NULL),
      OK_(op_logistic, "chain", NULL),
      END}},
    {"+inf in csv", in_csv_inf,
     {OK_(op_read, NULL, chk_inf_read),
      OK_(op_schema, NULL, chk_inf_schema),
      OK_(op_profile, NULL, chk_inf_profile),
      S(op_bins, NULL, MLOPS_EINVAL, "column 'x' holds an infinite value", NULL),
      S(op_transform, NULL, MLOPS_EINVAL, "step 0 (impute): column 'x' row 0 holds inf", NULL),
      S(op_linear, NULL, MLOPS_EINVAL, "feature 'x' is infinite at row 0", NULL),
      S(op_logistic, "chain", MLOPS_EINVAL, "column 'x' row 0 holds inf", NULL),
      END}},
    {"-inf in csv", in_csv_neg_inf,
     {OK_(op_read, NULL, NULL),
      OK_(op_schema, NULL, chk_neg_inf_schema),
      OK_(op_profile, NULL, chk_neg_inf_profile),
      S(op_bins, NULL, MLOPS_EINVAL, "column 'x' holds an infinite value", NULL),
      S(op_transform, "standardize x", MLOPS_EINVAL, "column 'x' row 1 holds -inf", NULL),
      S(op_logistic, NULL, MLOPS_EINVAL, "feature 'x' is infinite at row 1", NULL),
      END}},
    {"nan, inf, 1e308, 5e-324 from the builder", in_builder_special,
     {OK_(op_data, NULL, chk_special_data),
      OK_(op_schema, NULL, chk_special_schema),
      OK_(op_profile, NULL, chk_special_profile),
      S(op_bins, NULL, MLOPS_EINVAL, "column 'x' holds an infinite value", NULL),
      S(op_transform, NULL, MLOPS_EINVAL, "column 'x' row 1 holds inf", NULL),
      S(op_linear, NULL, MLOPS_EINVAL, "feature 'x' is missing at row 0", NULL),
      END}},
    {"1e308, -1e308, 5e-324 in csv", in_extreme,
     {OK_(op_read, NULL, chk_extreme_read),
      OK_(op_schema, NULL, chk_extreme_schema),
      OK_(op_profile, NULL, chk_extreme_profile),
      OK_(op_bins, NULL, chk_no_drift),
      S(op_transform, NULL, MLOPS_EINVAL, "step 1 (standardize): column 'x' spreads too widely",
        NULL),
      OK_(op_transform, "minmax *", chk_minmax_unit),
      OK_(op_linear, NULL, chk_extreme_linear),
      OK_(op_linear, "solver=lstsq", chk_extreme_linear),
      OK_(op_linear, "l2=1", NULL),
      OK_(op_logistic, NULL, NULL),
      OK_(op_logistic, "solver=newton", NULL),
      END}},
    {"constant 1e308 column", in_extreme_constant,
     {OK_(op_read, NULL, NULL),
      OK_(op_profile, NULL, chk_extreme_constant_profile),
      OK_(op_bins, NULL, chk_no_drift),
      OK_(op_linear, NULL, chk_extreme_constant_linear),
      OK_(op_linear, "chain", chk_extreme_constant_linear),
      OK_(op_logistic, NULL, NULL),
      END}},
    {"1e308 in the target", in_extreme_target,
     {OK_(op_read, NULL, NULL),
      OK_(op_profile, NULL, NULL),
      S(op_linear, NULL, MLOPS_ERANGE, "target 'y'|rescale", NULL),
      OK_(op_logistic, NULL, chk_extreme_classes),
      END}},
    {"constant column", in_constant,
     {OK_(op_read, NULL, NULL),
      OK_(op_schema, NULL, chk_constant_schema),
      OK_(op_profile, NULL, chk_constant_profile),
      OK_(op_bins, NULL, chk_constant_bins),
      OK_(op_transform, "standardize x", chk_constant_standardized),
      OK_(op_linear, NULL, chk_constant_linear),
      OK_(op_logistic, NULL, NULL),
      OK_(op_logistic, "chain", NULL),
      END}},
    {"all-missing column", in_all_missing,
     {OK_(op_read, NULL, chk_all_missing_read),
      OK_(op_schema, NULL, chk_all_missing_schema),
      OK_(op_profile, NULL, chk_all_missing_profile),
      OK_(op_bins, NULL, chk_all_missing_bins),
      S(op_transform, NULL, MLOPS_EINVAL,
        "step 0 (impute): column 'x' has no values in the training data", NULL),
      OK_(op_transform, "drop x|standardize *", chk_dropped),
      S(op_linear, NULL, MLOPS_EINVAL, "feature 'x' is missing at row 0", NULL),
      S(op_logistic, "chain", MLOPS_EINVAL, "column 'x' has no values", NULL),
      END}},
    {"one row", in_one_row,
     {OK_(op_read, NULL, NULL),
      OK_(op_schema, NULL, NULL),
      OK_(op_profile, NULL, chk_one_row_profile),
      OK_(op_bins, NULL, chk_no_drift),
      OK_(op_transform, NULL, NULL),
      OK_(op_linear, NULL, chk_one_row_linear),
      OK_(op_linear, "chain", chk_one_row_linear),
      S(op_logistic, NULL, MLOPS_EINVAL, "target 'y' has a single class ('0')", NULL),
      END}},
    {"zero rows (header only)", in_zero_rows,
     {OK_(op_read, NULL, chk_zero_read),
      OK_(op_schema, NULL, chk_zero_schema),
      OK_(op_profile, NULL, chk_zero_profile),
      OK_(op_bins, NULL, NULL),
      OK_(op_drift_empty, NULL, NULL),
      S(op_transform, NULL, MLOPS_EINVAL, "'mem.csv' has no rows", NULL),
      S(op_linear, NULL, MLOPS_EINVAL, "the training dataset has no rows", NULL),
      S(op_logistic, "chain", MLOPS_EINVAL, "no rows", NULL),
      S(op_eval_arrays, "none", MLOPS_EINVAL, "rows", NULL),
      END}},
    {"10,000 columns", in_wide,
     {OK_(op_read, NULL, chk_wide_read),
      OK_(op_schema, NULL, chk_wide_schema),
      OK_(op_profile, NULL, chk_wide_profile),
      OK_(op_bins, NULL, chk_wide_drift),
      OK_(op_transform, "standardize *", chk_wide_transform),
      OK_(op_logistic, NULL, chk_wide_model),
      OK_(op_linear, NULL, chk_wide_linear),
      END}},
    {"100,000 categories in one column", in_categories,
     {OK_(op_read, NULL, chk_categories_read),
      OK_(op_schema, NULL, chk_categories_schema),
      OK_(op_profile, NULL, chk_categories_profile),
      OK_(op_bins, NULL, chk_categories_bins),
      S(op_transform, NULL, MLOPS_EINVAL,
        "step 2 (onehot): column 'cat' would make |0 indicator columns|min_frequency", NULL),
      OK_(op_transform, "onehot cat min_frequency=2", chk_categories_infrequent),
      S(op_logistic, "chain", MLOPS_EINVAL, "column 'cat' would make |0 indicator", NULL),
      END}},
    {"1 MiB field", in_long_field,
     {OK_(op_read, NULL, chk_long_field_read),
      S(op_read, "max_field_bytes=65536", MLOPS_ERANGE, "mem.csv:2:1", NULL),
      OK_(op_schema, NULL, chk_long_field_schema),
      OK_(op_profile, NULL, chk_long_field_profile),
      OK_(op_bins, NULL, chk_no_drift),
      OK_(op_logistic, "chain", chk_long_field_model),
      END}},
    {"64 KiB column names", in_long_names,
     {OK_(op_read, NULL, chk_long_names_read),
      OK_(op_schema, NULL, NULL),
      OK_(op_profile, NULL, NULL),
      OK_(op_bins, NULL, NULL),
      S(op_linear, NULL, MLOPS_EINVAL, "mlops_model_fit: feature 'a\xc3\xa9\xc3\xa9",
        chk_long_name_message),
      OK_(op_linear, "chain", NULL),
      OK_(op_logistic, "chain", NULL),
      END}},
    {"non-UTF-8 column names", in_non_utf8_name,
     {S(op_read, NULL, MLOPS_EFORMAT, "mem.csv:1:1|invalid UTF-8", NULL),
      S(op_read_text, "x,\xc0\xaf\n1,2\n", MLOPS_EFORMAT, "mem.csv:1:2|invalid UTF-8", NULL),
      S(op_builder_name, "ab\xff", MLOPS_EINVAL, "column name has invalid UTF-8", NULL),
      S(op_matrix_names, "ab\xff", MLOPS_EINVAL, "invalid UTF-8", NULL),
      S(op_schema_name, "ab\xff", MLOPS_EINVAL, "UTF-8", NULL),
      END}},
    {"non-UTF-8 category values", in_non_utf8_category,
     {S(op_read, NULL, MLOPS_EFORMAT, "mem.csv:2:1|invalid UTF-8", NULL),
      S(op_read_text, "c\nok\n\xed\xa0\x80\n", MLOPS_EFORMAT, "mem.csv:3:1|invalid UTF-8", NULL),
      S(op_read_text, "c\n\xf4\x90\x80\x80\n", MLOPS_EFORMAT, "mem.csv:2:1|invalid UTF-8", NULL),
      S(op_builder_category, "b\xff", MLOPS_EINVAL, "column 'c' row 1 has invalid UTF-8", NULL),
      S(op_schema_category, "b\xff", MLOPS_EINVAL, "UTF-8", NULL),
      S(op_card_text, "J\xfcrgen", MLOPS_EINVAL, "UTF-8", NULL),
      END}},
    {"duplicate column names", in_duplicates,
     {S(op_read, NULL, MLOPS_EFORMAT, "mem.csv:1:3: duplicate column name 'a'", NULL),
      S(op_builder_name, "a", MLOPS_EINVAL, "duplicate column name 'a'", NULL),
      S(op_matrix_names, "a", MLOPS_EINVAL, "duplicate column name 'a'", NULL),
      S(op_schema_name, "a", MLOPS_EINVAL, "'a'", NULL),
      S(op_onehot_collision, NULL, MLOPS_EINVAL, "c=a", NULL),
      END}},
    {"perfectly separable classes", in_separable,
     {OK_(op_logistic, "tol=1e-10", chk_separable_l2_default),
      OK_(op_logistic, "l2=1,tol=1e-10", chk_separable_l2_1),
      OK_(op_logistic, "l2=1,solver=newton,tol=1e-10", chk_separable_l2_1),
      OK_(op_logistic, "l2=0", chk_separable_no_penalty),
      OK_(op_logistic, "l2=0,solver=newton", chk_separable_no_penalty),
      OK_(op_logistic, "l2=0,max_iter=3", chk_separable_max_iter),
      OK_(op_logistic, "chain,l2=0", chk_separable_no_penalty),
      END}},
    {"single-class target", in_single_class,
     {S(op_logistic, NULL, MLOPS_EINVAL, "target 'y' has a single class ('a')", NULL),
      S(op_logistic, "class_weight=balanced", MLOPS_EINVAL, "single class ('a')", NULL),
      OK_(op_eval_one_class, NULL, chk_eval_one_class),
      OK_(op_eval_arrays, "scores", chk_arrays_scores),
      OK_(op_eval_arrays, "same", chk_arrays_same),
      S(op_eval_arrays, "same+scores", MLOPS_EINVAL, "scores need two or more classes", NULL),
      END}},
    {"target all missing", in_target_missing,
     {OK_(op_read, NULL, NULL),
      S(op_linear, NULL, MLOPS_EINVAL, "target 'y' is missing at row 0", NULL),
      S(op_logistic, "chain", MLOPS_EINVAL, "target 'y' is missing at row 0", NULL),
      S(op_eval_no_target, NULL, MLOPS_EINVAL, "every target value of 'y' is missing", NULL),
      END}},
    {"sample weights", in_weights,
     {S(op_weighted_fit, "linear zero", MLOPS_EINVAL, "weight column 'w' sums to 0", NULL),
      S(op_weighted_fit, "logistic zero", MLOPS_EINVAL, "weight column 'w' sums to 0", NULL),
      S(op_weighted_fit, "linear negative", MLOPS_EINVAL, "weight column 'w'|row 3", NULL),
      S(op_weighted_fit, "logistic negative", MLOPS_EINVAL, "weight column 'w'|row 3", NULL),
      S(op_weighted_fit, "linear missing", MLOPS_EINVAL, "'w' holds a missing value at row 2",
        NULL),
      S(op_weighted_fit, "linear infinite", MLOPS_EINVAL, "weight column 'w'|row 1", NULL),
      S(op_weighted_fit, "linear huge", MLOPS_ERANGE, "weight column 'w' sums to more", NULL),
      S(op_weighted_fit, "logistic huge", MLOPS_ERANGE, "weight column 'w' sums to more", NULL),
      S(op_weighted_fit, "logistic huge_balanced", MLOPS_ERANGE, "balanced class weights", NULL),
      OK_(op_weighted_fit, "linear large", chk_large_weights),
      OK_(op_weighted_fit, "logistic one_class_weighted", chk_one_class_weighted),
      END}},
    {"drift with an empty current batch", in_separable,
     {OK_(op_drift_empty, NULL, chk_empty_current),
      END}},
    {"predictions far outside the training range", in_predict_base,
     {S(op_predict_far, "logistic_regression y row big", MLOPS_ERANGE, "row 0|overflows", NULL),
      S(op_predict_far, "logistic_regression y matrix mixed", MLOPS_ERANGE, "row 0|overflows",
        NULL),
      S(op_predict_far, "logistic_regression y dataset mixed", MLOPS_ERANGE, "row 0|overflows",
        NULL),
      S(op_predict_far, "logistic_regression y explain mixed", MLOPS_ERANGE, "row 0|overflows",
        NULL),
      S(op_predict_far, "logistic_regression yn row mixed", MLOPS_ERANGE, "for '1'|overflows",
        NULL),
      OK_(op_predict_far, "linear_regression yn dataset big", NULL),
      END}},
};

/* ---- out of memory on the paths above ----------------------------------------- */

typedef struct sweep {
    const char *csv;
    const char *kind;
    char path[160];
    mlops_dataset *data;
    mlops_profile *profile;
    mlops_model *model;
} sweep;

static int read_op(void *p)
{
    sweep *s = p;
    mlops_csv_options *o = NULL;
    int rc = mlops_csv_options_create(&o);
    if (rc == MLOPS_OK) rc = mlops_csv_options_set(o, "role.y", "target");
    if (rc == MLOPS_OK) rc = mlops_dataset_read_csv_memory(&s->data, s->csv, strlen(s->csv),
                                                           "mem.csv", o);
    mlops_csv_options_free(o);
    return rc;
}

static void read_undo(void *p)
{
    sweep *s = p;
    mlops_dataset_free(s->data);
    s->data = NULL;
}

static int load_op(void *p)
{
    sweep *s = p;
    return mlops_profile_load(&s->profile, s->path);
}

static void load_undo(void *p)
{
    sweep *s = p;
    mlops_profile_free(s->profile);
    s->profile = NULL;
}

static int fit_op(void *p)
{
    sweep *s = p;
    int rc = mlops_model_create(&s->model, s->kind);
    if (rc == MLOPS_OK) rc = mlops_model_fit(s->model, s->data);
    if (rc != MLOPS_OK) {
        mlops_model_free(s->model);
        s->model = NULL;
    }
    return rc;
}

static void fit_undo(void *p)
{
    sweep *s = p;
    mlops_model_free(s->model);
    s->model = NULL;
}

/* Every allocation of reading a header, loading a profile and fitting on
 * values near the double range fails in turn: MLOPS_ENOMEM, nothing leaked. */
START_TEST(out_of_memory)
{
    sweep s = {.csv = "x,z,y\n1e308,1,0\n-1e308,2,1\n5e-324,3,0\n1e308,1,1\n4,5,0\n"};
    ck_assert_int_gt(fault_alloc_sweep(read_op, read_undo, &s), 5);
    ck_assert_int_eq(read_op(&s), MLOPS_OK);
    const char *tmp = getenv("TMPDIR");
    char dir[96];
    snprintf(dir, sizeof dir, "%s/mlops-hostile-XXXXXX",
             tmp != NULL && strlen(tmp) < 48 ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(s.path, sizeof s.path, "%s/profile", dir);
    mlops_profile *p = NULL;
    ck_assert_int_eq(mlops_profile_create(&p), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_add(p, s.data), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_fix_bins(p), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_save(p, s.path), MLOPS_OK);
    mlops_profile_free(p);
    ck_assert_int_gt(fault_alloc_sweep(load_op, load_undo, &s), 5);
    unlink(s.path);
    ck_assert_int_eq(rmdir(dir), 0);
    static const char *const kinds[] = {"linear_regression", "logistic_regression"};
    for (size_t k = 0; k < COUNT(kinds); k++) {
        s.kind = kinds[k];
        ck_assert_int_gt(fault_alloc_sweep(fit_op, fit_undo, &s), 10);
    }
    read_undo(&s);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(hostile)
{
    ctx c;
    run_case(&c, &CASES[_i]);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("hostile_inputs");
    TCase *tc = tcase_create("table");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, hostile, 0, (int)COUNT(CASES));
    suite_add_tcase(s, tc);
    TCase *oom = tcase_create("out_of_memory");
    tcase_set_timeout(oom, 300);
    tcase_add_test(oom, out_of_memory);
    suite_add_tcase(s, oom);
    return s;
}
