/* Concurrency: what libmlops(7) promises about threads, checked with real
 * threads on real data.
 *
 * One logistic regression with preprocessing (impute, standardize) is
 * fitted on cars.csv and shared, read-only, by eight threads. Each thread
 * predicts the same rows many times through every prediction path,
 * explains and saves the model, runs one shared evaluator, reads the
 * shared reference profile and feeds a drift monitor of its own (with the
 * shared model attached and labels arriving) window after window. All of
 * it must be identical, bit for bit and byte for byte, to the same work
 * done serially. Distinct objects are used freely from distinct threads:
 * eight threads each read the file, infer and check a schema, fit a model
 * and profile and compare data, again exactly as serially; and eight
 * registry handles in one process move aliases of one registry at once,
 * leaving a log that verifies. The library-wide state is checked under
 * load too: each thread's last error stays its own, the log callback sees
 * each failure on the thread that raised it, and the allocator cannot be
 * switched while objects are alive.
 *
 * tests/run.sh also runs this program under ThreadSanitizer, which turns
 * any unsynchronized access behind these calls into a failure. */
#define _XOPEN_SOURCE 700 /* pthread_barrier_t, mkdtemp, nftw */

#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"

#define OK(call) ck_assert_msg((call) == MLOPS_OK, "%s: %s", #call, mlops_last_error())

enum { NTHREADS = 8, BATCH_ROWS = 70, BATCHES = 6, MAX_CLASSES = 8 };

/* ---- Shared, read-only fixtures ---------------------------------------- */

typedef struct fixture {
    mlops_dataset *data;  /* cars.csv, Origin as target */
    mlops_model *model;   /* loaded back from the fitted model's bytes */
    double *x;            /* raw inputs, rows x ni, model input order */
    size_t rows, ni, classes;
    mlops_profile *ref;   /* inputs, Origin, prediction, proba_* ; fixed bins */
    mlops_evaluator *ev;
} fixture;

static mlops_dataset *read_cars(void)
{
    mlops_dataset *d = NULL;
    OK(mlops_dataset_read_csv(&d, DATA_DIR "/real/cars.csv", NULL));
    static const struct {
        const char *name;
        int role;
    } roles[] = {{"Origin", MLOPS_ROLE_TARGET}, {"Name", MLOPS_ROLE_ID}, {"Year", MLOPS_ROLE_IGNORE}};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        size_t col = 0;
        OK(mlops_dataset_column_index(d, roles[i].name, &col));
        OK(mlops_dataset_set_role(d, col, roles[i].role));
    }
    return d;
}

static mlops_model *fit_and_reload(const mlops_dataset *d)
{
    mlops_model *m = NULL;
    OK(mlops_model_create(&m, "logistic_regression"));
    mlops_transform *t = NULL;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "impute", "*"), 0);
    OK(mlops_transform_set(t, 0, "strategy", "median"));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 1);
    OK(mlops_model_set_transform(m, t));
    mlops_transform_free(t);
    OK(mlops_model_set_param(m, "l2", "0.01"));
    OK(mlops_model_fit(m, d));
    OK(mlops_model_card_set(m, "created", NULL)); /* the fit stamped the clock */
    unsigned char *bytes = NULL;
    size_t len = 0;
    OK(mlops_model_save_buffer(m, &bytes, &len));
    mlops_model_free(m);
    mlops_model *loaded = NULL;
    OK(mlops_model_load_buffer(&loaded, bytes, len));
    mlops_free(bytes);
    return loaded;
}

/* The reference the monitors compare with: the raw inputs and Origin of
 * every row, plus the model's predicted label and class probabilities under
 * the names the monitor gives its own predictions. */
static mlops_profile *make_reference(const fixture *f)
{
    size_t n = f->rows, k = f->classes;
    double *col = malloc(n * sizeof *col), *proba = malloc(n * k * sizeof *proba);
    double *pred = malloc(n * sizeof *pred);
    const char **label = malloc(n * sizeof *label), **origin = malloc(n * sizeof *origin);
    int32_t *codes = malloc(n * sizeof *codes);
    ck_assert(col && proba && pred && label && origin && codes);
    OK(mlops_model_predict(f->model, f->data, MLOPS_PREDICT_VALUE, pred, n));
    OK(mlops_model_predict(f->model, f->data, MLOPS_PREDICT_PROBA, proba, n * k));
    mlops_dataset_builder *b = NULL;
    OK(mlops_dataset_builder_create(&b, n));
    for (size_t j = 0; j < f->ni; j++) {
        for (size_t i = 0; i < n; i++) col[i] = f->x[i * f->ni + j];
        OK(mlops_dataset_builder_add_numeric(b, mlops_model_input_name(f->model, j), col));
    }
    size_t ocol = 0;
    OK(mlops_dataset_column_index(f->data, "Origin", &ocol));
    OK(mlops_dataset_get_codes(f->data, ocol, 0, n, codes));
    for (size_t i = 0; i < n; i++) {
        origin[i] = mlops_dataset_category(f->data, ocol, codes[i]);
        label[i] = mlops_model_class_label(f->model, (size_t)pred[i]);
    }
    OK(mlops_dataset_builder_add_categorical(b, "Origin", origin));
    OK(mlops_dataset_builder_add_categorical(b, "prediction", label));
    for (size_t c = 0; c < k; c++) {
        char name[64];
        snprintf(name, sizeof name, "proba_%s", mlops_model_class_label(f->model, c));
        for (size_t i = 0; i < n; i++) col[i] = proba[i * k + c];
        OK(mlops_dataset_builder_add_numeric(b, name, col));
    }
    mlops_dataset *refdata = NULL;
    OK(mlops_dataset_builder_finish(b, &refdata));
    mlops_dataset_builder_free(b);
    mlops_profile *p = NULL;
    OK(mlops_profile_create(&p));
    /* Windows are profiled like the reference: with two threads each, and
     * limits low enough that the sketches (KLL quantiles, HyperLogLog,
     * Misra-Gries) rather than exact values answer the monitors. */
    static const char *const settings[][2] = {
        {"threads", "2"}, {"quantile_exact_limit", "50"}, {"quantile_sketch_k", "16"},
        {"distinct_exact_limit", "20"}, {"top_sketch_size", "4"}, {"duplicate_exact_limit", "50"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        OK(mlops_profile_set(p, settings[i][0], settings[i][1]));
    OK(mlops_profile_add(p, refdata));
    OK(mlops_profile_fix_bins(p));
    mlops_dataset_free(refdata);
    free(col);
    free(proba);
    free(pred);
    free(label);
    free(origin);
    free(codes);
    return p;
}

static void fixture_open(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->data = read_cars();
    f->model = fit_and_reload(f->data);
    f->rows = mlops_dataset_rows(f->data);
    f->ni = mlops_model_input_count(f->model);
    f->classes = mlops_model_class_count(f->model);
    ck_assert_uint_eq(f->rows, 406);
    ck_assert_uint_eq(f->ni, 6);
    ck_assert_uint_eq(f->classes, 3);
    f->x = malloc(f->rows * f->ni * sizeof *f->x);
    ck_assert_ptr_nonnull(f->x);
    for (size_t j = 0; j < f->ni; j++) {
        size_t col = 0;
        OK(mlops_dataset_column_index(f->data, mlops_model_input_name(f->model, j), &col));
        for (size_t i = 0; i < f->rows; i++)
            OK(mlops_dataset_get_numeric(f->data, col, i, 1, &f->x[i * f->ni + j]));
    }
    f->ref = make_reference(f);
    OK(mlops_evaluator_create(&f->ev));
    OK(mlops_evaluator_set_param(f->ev, "bootstrap", "20"));
    OK(mlops_evaluator_set_param(f->ev, "seed", "11"));
    OK(mlops_evaluator_set_param(f->ev, "probes", "noise:0.1;missing:0.1"));
    OK(mlops_evaluator_set_param(f->ev, "curve_points", "20")); /* keeps the JSON small */
    OK(mlops_evaluator_add_gate(f->ev, "accuracy >= 0.5"));
}

static void fixture_close(fixture *f)
{
    mlops_evaluator_free(f->ev);
    mlops_profile_free(f->ref);
    free(f->x);
    mlops_model_free(f->model);
    mlops_dataset_free(f->data);
}

/* ---- One thread's work ------------------------------------------------- */

/* Everything one worker produces; compared field by field with the serial
 * run. A worker never calls Check (its assertions belong to the main
 * thread): it records the first problem in `problem`. */
typedef struct outcome {
    double *value, *proba, *decision, *matrix, *row;
    char *history, *report, *explain, *profile;
    unsigned char *saved;
    size_t saved_len;
    char hash[65];
    char problem[512];
} outcome;

typedef struct job {
    const fixture *f;
    size_t t;              /* thread number: chooses the rows it monitors */
    size_t monitor_threads;
    size_t reps;
    pthread_barrier_t *start; /* all threads begin together; NULL when serial */
    outcome out;
} job;

static void problem(outcome *o, const char *what, int rc)
{
    if (o->problem[0] == '\0')
        snprintf(o->problem, sizeof o->problem, "%s: %d (%s)", what, rc,
                 rc != MLOPS_OK ? mlops_last_error() : "different result");
}

/* The one field of the history that measures wall time rather than work:
 * the prediction latency sum, replaced by 0. */
static void zero_latency(char *json)
{
    char *p = strstr(json, "\"latency_sum_ns\"");
    if (p == NULL) return;
    p = strchr(p, ':');
    if (p == NULL) return;
    p++;
    while (*p == ' ') p++;
    char *e = p;
    while (*e >= '0' && *e <= '9') e++;
    if (e == p) return;
    *p = '0';
    memmove(p + 1, e, strlen(e) + 1);
}

/* Predicts every row through all three paths `reps` times; the first pass
 * is kept, later ones must repeat it bit for bit. */
static void predict_all(job *j)
{
    const fixture *f = j->f;
    outcome *o = &j->out;
    size_t n = f->rows, k = f->classes, wk = mlops_model_output_width(f->model,
                                                                      MLOPS_PREDICT_DECISION);
    double *v = malloc(n * sizeof *v), *p = malloc(n * k * sizeof *p);
    double *d = malloc(n * wk * sizeof *d), *mx = malloc(n * k * sizeof *mx);
    double *r = malloc(n * k * sizeof *r);
    if (!v || !p || !d || !mx || !r) abort();
    for (size_t rep = 0; rep < j->reps; rep++) {
        int rc;
        if ((rc = mlops_model_predict(f->model, f->data, MLOPS_PREDICT_VALUE, v, n)) != MLOPS_OK)
            problem(o, "predict value", rc);
        if ((rc = mlops_model_predict(f->model, f->data, MLOPS_PREDICT_PROBA, p, n * k)) != MLOPS_OK)
            problem(o, "predict proba", rc);
        if ((rc = mlops_model_predict(f->model, f->data, MLOPS_PREDICT_DECISION, d, n * wk)) !=
            MLOPS_OK)
            problem(o, "predict decision", rc);
        if ((rc = mlops_model_predict_matrix(f->model, f->x, n, f->ni, MLOPS_PREDICT_PROBA, mx,
                                             n * k)) != MLOPS_OK)
            problem(o, "predict matrix", rc);
        for (size_t i = 0; i < n; i++)
            if ((rc = mlops_model_predict_row(f->model, f->x + i * f->ni, f->ni,
                                              MLOPS_PREDICT_PROBA, r + i * k, k)) != MLOPS_OK)
                problem(o, "predict row", rc);
        if (rep == 0) {
            o->value = v, o->proba = p, o->decision = d, o->matrix = mx, o->row = r;
            v = malloc(n * sizeof *v), p = malloc(n * k * sizeof *p);
            d = malloc(n * wk * sizeof *d), mx = malloc(n * k * sizeof *mx);
            r = malloc(n * k * sizeof *r);
            if (!v || !p || !d || !mx || !r) abort();
            continue;
        }
        if (memcmp(v, o->value, n * sizeof *v) != 0) problem(o, "repeated predict value", 0);
        if (memcmp(p, o->proba, n * k * sizeof *p) != 0) problem(o, "repeated predict proba", 0);
        if (memcmp(d, o->decision, n * wk * sizeof *d) != 0)
            problem(o, "repeated predict decision", 0);
        if (memcmp(mx, o->matrix, n * k * sizeof *mx) != 0)
            problem(o, "repeated predict matrix", 0);
        if (memcmp(r, o->row, n * k * sizeof *r) != 0) problem(o, "repeated predict row", 0);
    }
    free(v);
    free(p);
    free(d);
    free(mx);
    free(r);
}

/* A monitor of this thread's own over the shared reference and model: rows
 * taken from a thread-specific offset in batches, each followed by its
 * labels, windows of 100 rows, then the rest flushed. */
static void monitor_rows(job *j)
{
    const fixture *f = j->f;
    outcome *o = &j->out;
    mlops_drift_monitor *m = NULL;
    int rc = mlops_drift_monitor_create(&m, f->ref);
    char threads[16];
    snprintf(threads, sizeof threads, "%zu", j->monitor_threads);
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_set_param(m, "window_rows", "100");
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_set_param(m, "threads", threads);
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_set_model(m, f->model);
    size_t idx[BATCH_ROWS];
    uint64_t added = 0;
    for (size_t b = 0; b < BATCHES && rc == MLOPS_OK; b++) {
        for (size_t i = 0; i < BATCH_ROWS; i++)
            idx[i] = (j->t * 41 + b * BATCH_ROWS + i) % f->rows;
        mlops_dataset *batch = NULL;
        rc = mlops_dataset_take_rows(&batch, f->data, idx, BATCH_ROWS);
        if (rc == MLOPS_OK) rc = mlops_drift_monitor_add(m, batch);
        if (rc == MLOPS_OK)
            rc = mlops_drift_monitor_add_labels(m, added, batch, "Origin", BATCH_ROWS);
        added += BATCH_ROWS;
        mlops_dataset_free(batch);
    }
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_flush(m);
    if (rc == MLOPS_OK && mlops_drift_monitor_window_count(m) != 5) problem(o, "window count", 0);
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_history_json(m, &o->history);
    if (rc == MLOPS_OK) zero_latency(o->history);
    if (rc != MLOPS_OK) problem(o, "drift monitor", rc);
    mlops_drift_monitor_free(m);
}

static void *work(void *arg)
{
    job *j = arg;
    const fixture *f = j->f;
    outcome *o = &j->out;
    if (j->start != NULL) pthread_barrier_wait(j->start);
    predict_all(j);
    monitor_rows(j);
    int rc;
    mlops_report *rep = NULL;
    if ((rc = mlops_evaluator_run(f->ev, f->model, f->data, &rep)) != MLOPS_OK ||
        (rc = mlops_report_json(rep, &o->report)) != MLOPS_OK)
        problem(o, "evaluator", rc);
    mlops_report_free(rep);
    if ((rc = mlops_model_explain_json(f->model, f->data, j->t * 13, 3, &o->explain)) != MLOPS_OK)
        problem(o, "explain", rc);
    if ((rc = mlops_model_save_buffer(f->model, &o->saved, &o->saved_len)) != MLOPS_OK)
        problem(o, "save", rc);
    if ((rc = mlops_model_payload_hash(f->model, o->hash, sizeof o->hash)) != MLOPS_OK)
        problem(o, "payload hash", rc);
    if ((rc = mlops_profile_to_json(f->ref, &o->profile)) != MLOPS_OK)
        problem(o, "reference profile", rc);
    return NULL;
}

static void outcome_free(outcome *o)
{
    free(o->value);
    free(o->proba);
    free(o->decision);
    free(o->matrix);
    free(o->row);
    mlops_free(o->history);
    mlops_free(o->report);
    mlops_free(o->explain);
    mlops_free(o->profile);
    mlops_free(o->saved);
}

/* Asserts that two documents are equal, showing where they first differ
 * rather than both in full. */
static void same_text(const char *serial, const char *threaded, const char *what, size_t t)
{
    size_t i = 0;
    while (serial[i] != '\0' && serial[i] == threaded[i]) i++;
    size_t from = i > 40 ? i - 40 : 0;
    ck_assert_msg(serial[i] == threaded[i],
                  "%s of thread %zu differs from the serial run at byte %zu:\n"
                  "serial:   ...%.80s\nthreaded: ...%.80s", what, t, i, serial + from,
                  threaded + from);
}

static size_t reps(void)
{
    /* valgrind runs with MLOPS_TEST_SHORT=1 */
    const char *s = getenv("MLOPS_TEST_SHORT");
    return s != NULL && strcmp(s, "1") == 0 ? 3 : 25;
}

START_TEST(eight_threads_match_a_serial_run)
{
    size_t live = mlops_live_allocations();
    fixture f;
    fixture_open(&f);
    static job serial[NTHREADS], parallel[NTHREADS];
    for (size_t t = 0; t < NTHREADS; t++) {
        serial[t] = (job){.f = &f, .t = t, .monitor_threads = 1, .reps = 2};
        work(&serial[t]);
        ck_assert_msg(serial[t].out.problem[0] == '\0', "serial %zu: %s", t,
                      serial[t].out.problem);
    }
    /* Monitors compare columns on 1, 2 or 3 threads of their own: the
     * reports must not depend on it. */
    pthread_t ids[NTHREADS];
    pthread_barrier_t start;
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, NTHREADS), 0);
    for (size_t t = 0; t < NTHREADS; t++) {
        parallel[t] = (job){.f = &f, .t = t, .monitor_threads = 1 + t % 3, .reps = reps(),
                            .start = &start};
        ck_assert_int_eq(pthread_create(&ids[t], NULL, work, &parallel[t]), 0);
    }
    for (size_t t = 0; t < NTHREADS; t++) ck_assert_int_eq(pthread_join(ids[t], NULL), 0);
    pthread_barrier_destroy(&start);

    size_t n = f.rows, k = f.classes;
    size_t wk = mlops_model_output_width(f.model, MLOPS_PREDICT_DECISION);
    for (size_t t = 0; t < NTHREADS; t++) {
        const outcome *s = &serial[t].out, *p = &parallel[t].out;
        ck_assert_msg(p->problem[0] == '\0', "thread %zu: %s", t, p->problem);
        ck_assert_msg(memcmp(s->value, p->value, n * sizeof *s->value) == 0, "value %zu", t);
        ck_assert_msg(memcmp(s->proba, p->proba, n * k * sizeof *s->proba) == 0, "proba %zu", t);
        ck_assert_msg(memcmp(s->decision, p->decision, n * wk * sizeof *s->decision) == 0,
                      "decision %zu", t);
        ck_assert_msg(memcmp(s->matrix, p->matrix, n * k * sizeof *s->matrix) == 0,
                      "matrix %zu", t);
        ck_assert_msg(memcmp(s->row, p->row, n * k * sizeof *s->row) == 0, "row %zu", t);
        same_text(s->history, p->history, "monitor history", t);
        same_text(s->report, p->report, "evaluation report", t);
        same_text(s->explain, p->explain, "explanation", t);
        same_text(s->profile, p->profile, "reference profile JSON", t);
        ck_assert_str_eq(s->hash, p->hash);
        ck_assert_uint_eq(s->saved_len, p->saved_len);
        ck_assert(memcmp(s->saved, p->saved, s->saved_len) == 0);
        /* Same model and rows in every thread; thread-specific monitors. */
        ck_assert(memcmp(p->proba, parallel[0].out.proba, n * k * sizeof *p->proba) == 0);
        if (t > 0) ck_assert_str_ne(p->history, parallel[0].out.history);
    }

    /* The results are the model's, not just self-consistent: probabilities
     * sum to 1, the value is the most probable class, the row path agrees
     * with the batch path to rounding, and the history holds the windows
     * and labels fed. */
    const outcome *o = &parallel[0].out;
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        size_t best = 0;
        for (size_t c = 0; c < k; c++) {
            sum += o->proba[i * k + c];
            if (o->proba[i * k + c] > o->proba[i * k + best]) best = c;
            ck_assert_double_eq_tol(o->row[i * k + c], o->proba[i * k + c], 1e-12);
        }
        ck_assert_double_eq_tol(sum, 1.0, 1e-12);
        ck_assert_double_eq(o->value[i], (double)best);
    }
    ck_assert_ptr_nonnull(strstr(o->history, "\"labels_received\": 420"));
    ck_assert_ptr_nonnull(strstr(o->history, "\"windows_closed\": 5"));
    ck_assert_ptr_nonnull(strstr(o->history, "\"latency_sum_ns\": 0"));
    ck_assert_ptr_nonnull(strstr(o->history, "\"exact\": false"));
    ck_assert_ptr_nonnull(strstr(o->report, "\"accuracy\""));

    for (size_t t = 0; t < NTHREADS; t++) {
        outcome_free(&serial[t].out);
        outcome_free(&parallel[t].out);
    }
    fixture_close(&f);
    ck_assert_uint_eq(mlops_live_allocations(), live);
}
END_TEST

/* ---- Distinct objects in every thread ---------------------------------- */

/* What each thread builds from the file alone: its own dataset, schema,
 * model (with a thread-specific penalty), profile and drift report. */
typedef struct own_job {
    size_t t;
    pthread_barrier_t *start;
    char *schema, *check, *profile, *drift;
    unsigned char *model;
    size_t model_len;
    char problem[512];
} own_job;

static int set_role(mlops_dataset *d, const char *name, int role)
{
    size_t col = 0;
    int rc = mlops_dataset_column_index(d, name, &col);
    return rc == MLOPS_OK ? mlops_dataset_set_role(d, col, role) : rc;
}

static int own_model(const mlops_dataset *d, size_t t, own_job *j)
{
    mlops_model *m = NULL;
    mlops_transform *tr = NULL;
    char l2[32];
    snprintf(l2, sizeof l2, "%g", 0.01 * (double)(t + 1));
    int rc = mlops_model_create(&m, "logistic_regression");
    if (rc == MLOPS_OK) rc = mlops_transform_create(&tr);
    if (rc == MLOPS_OK) rc = mlops_transform_add(tr, "impute", "*") < 0 ? MLOPS_EINVAL : MLOPS_OK;
    if (rc == MLOPS_OK) rc = mlops_transform_add(tr, "standardize", "*") < 0 ? MLOPS_EINVAL : MLOPS_OK;
    if (rc == MLOPS_OK) rc = mlops_model_set_transform(m, tr);
    if (rc == MLOPS_OK) rc = mlops_model_set_param(m, "l2", l2);
    if (rc == MLOPS_OK) rc = mlops_model_fit(m, d);
    if (rc == MLOPS_OK) rc = mlops_model_card_set(m, "created", NULL);
    if (rc == MLOPS_OK) rc = mlops_model_save_buffer(m, &j->model, &j->model_len);
    mlops_transform_free(tr);
    mlops_model_free(m);
    return rc;
}

static int own_profiles(const mlops_dataset *d, size_t t, own_job *j)
{
    mlops_profile *ref = NULL, *cur = NULL;
    mlops_drift_monitor *m = NULL;
    mlops_drift_report *r = NULL;
    mlops_dataset *half = NULL;
    size_t rows[200];
    for (size_t i = 0; i < 200; i++) rows[i] = (t * 29 + i) % mlops_dataset_rows(d);
    int rc = mlops_profile_create(&ref);
    if (rc == MLOPS_OK) rc = mlops_profile_set(ref, "threads", "3");
    if (rc == MLOPS_OK) rc = mlops_profile_add(ref, d);
    if (rc == MLOPS_OK) rc = mlops_profile_fix_bins(ref);
    if (rc == MLOPS_OK) rc = mlops_profile_to_json(ref, &j->profile);
    if (rc == MLOPS_OK) rc = mlops_profile_create_like(&cur, ref);
    if (rc == MLOPS_OK) rc = mlops_dataset_take_rows(&half, d, rows, 200);
    if (rc == MLOPS_OK) rc = mlops_profile_add(cur, half);
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_create(&m, ref);
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_set_param(m, "threads", "2");
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_compare(m, cur, &r);
    if (rc == MLOPS_OK) rc = mlops_drift_report_json(r, &j->drift);
    mlops_drift_report_free(r);
    mlops_drift_monitor_free(m);
    mlops_dataset_free(half);
    mlops_profile_free(cur);
    mlops_profile_free(ref);
    return rc;
}

static void *own_work(void *arg)
{
    own_job *j = arg;
    if (j->start != NULL) pthread_barrier_wait(j->start);
    mlops_dataset *d = NULL;
    mlops_schema *schema = NULL;
    mlops_validation *v = NULL;
    int rc = mlops_dataset_read_csv(&d, DATA_DIR "/real/cars.csv", NULL);
    if (rc == MLOPS_OK) rc = set_role(d, "Origin", MLOPS_ROLE_TARGET);
    if (rc == MLOPS_OK) rc = set_role(d, "Name", MLOPS_ROLE_ID);
    if (rc == MLOPS_OK) rc = set_role(d, "Year", MLOPS_ROLE_IGNORE);
    if (rc == MLOPS_OK) rc = mlops_schema_infer(&schema, d);
    if (rc == MLOPS_OK) rc = mlops_schema_to_json(schema, &j->schema);
    if (rc == MLOPS_OK) rc = mlops_schema_check(schema, d, &v);
    if (rc == MLOPS_OK) rc = mlops_validation_to_json(v, &j->check);
    if (rc == MLOPS_OK) rc = own_model(d, j->t, j);
    if (rc == MLOPS_OK) rc = own_profiles(d, j->t, j);
    if (rc != MLOPS_OK)
        snprintf(j->problem, sizeof j->problem, "%d (%.300s)", rc, mlops_last_error());
    mlops_validation_free(v);
    mlops_schema_free(schema);
    mlops_dataset_free(d);
    return NULL;
}

static void own_free(own_job *j)
{
    mlops_free(j->schema);
    mlops_free(j->check);
    mlops_free(j->profile);
    mlops_free(j->drift);
    mlops_free(j->model);
}

START_TEST(distinct_objects_in_every_thread_match_a_serial_run)
{
    size_t live = mlops_live_allocations();
    static own_job serial[NTHREADS], parallel[NTHREADS];
    for (size_t t = 0; t < NTHREADS; t++) {
        serial[t] = (own_job){.t = t};
        own_work(&serial[t]);
        ck_assert_msg(serial[t].problem[0] == '\0', "serial %zu: %s", t, serial[t].problem);
    }
    pthread_t ids[NTHREADS];
    pthread_barrier_t start;
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, NTHREADS), 0);
    for (size_t t = 0; t < NTHREADS; t++) {
        parallel[t] = (own_job){.t = t, .start = &start};
        ck_assert_int_eq(pthread_create(&ids[t], NULL, own_work, &parallel[t]), 0);
    }
    for (size_t t = 0; t < NTHREADS; t++) ck_assert_int_eq(pthread_join(ids[t], NULL), 0);
    pthread_barrier_destroy(&start);
    for (size_t t = 0; t < NTHREADS; t++) {
        const own_job *s = &serial[t], *p = &parallel[t];
        ck_assert_msg(p->problem[0] == '\0', "thread %zu: %s", t, p->problem);
        same_text(s->schema, p->schema, "inferred schema", t);
        same_text(s->check, p->check, "schema check", t);
        same_text(s->profile, p->profile, "profile", t);
        same_text(s->drift, p->drift, "drift report", t);
        ck_assert_uint_eq(s->model_len, p->model_len);
        ck_assert(memcmp(s->model, p->model, s->model_len) == 0);
        /* The penalty differs by thread, and so do the models. */
        if (t > 0) ck_assert(p->model_len != parallel[0].model_len ||
                             memcmp(p->model, parallel[0].model, p->model_len) != 0);
    }
    ck_assert_ptr_nonnull(strstr(parallel[0].check, "\"passed\": true"));
    for (size_t t = 0; t < NTHREADS; t++) {
        own_free(&serial[t]);
        own_free(&parallel[t]);
    }
    ck_assert_uint_eq(mlops_live_allocations(), live);
}
END_TEST

/* ---- Registry handles in every thread ---------------------------------- */

enum { MOVES = 4 };

typedef struct lane_job {
    size_t t;
    const char *reg, *v1, *v2;
    pthread_barrier_t *start;
    char problem[512];
} lane_job;

/* One handle per thread on one registry: each thread moves its own alias
 * back and forth, reads the others', and loads its model back. */
static void *lane_work(void *arg)
{
    lane_job *j = arg;
    pthread_barrier_wait(j->start);
    mlops_registry *r = NULL;
    char alias[16], who[16], ref[32];
    snprintf(alias, sizeof alias, "lane%zu", j->t);
    snprintf(who, sizeof who, "thread%zu", j->t);
    snprintf(ref, sizeof ref, "cars@lane%zu", (j->t + 1) % NTHREADS);
    int rc = mlops_registry_open(&r, j->reg, 0);
    if (rc == MLOPS_OK) rc = mlops_registry_set_actor(r, who);
    for (size_t k = 0; k < MOVES && rc == MLOPS_OK; k++) {
        rc = mlops_registry_set_alias(r, "cars", alias, k % 2 == 0 ? j->v1 : j->v2, "rollout");
        char *v = NULL;
        if (rc == MLOPS_OK) {
            rc = mlops_registry_resolve(r, ref, &v, NULL);
            if (rc == MLOPS_ENOTFOUND) rc = MLOPS_OK; /* that lane does not exist yet */
        }
        mlops_free(v);
    }
    mlops_model *m = NULL;
    snprintf(ref, sizeof ref, "cars@%s", alias);
    if (rc == MLOPS_OK) rc = mlops_registry_load_model(r, ref, &m);
    char hash[65] = "";
    if (rc == MLOPS_OK) rc = mlops_model_payload_hash(m, hash, sizeof hash);
    if (rc == MLOPS_OK && strcmp(hash, j->v2) != 0) rc = MLOPS_ECORRUPT;
    if (rc != MLOPS_OK)
        snprintf(j->problem, sizeof j->problem, "%d (%.300s)", rc, mlops_last_error());
    mlops_model_free(m);
    mlops_registry_free(r);
    return NULL;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(path);
}

START_TEST(registry_handles_in_every_thread)
{
    size_t live = mlops_live_allocations();
    char dir[64], reg[96], path[2][96], version[2][MLOPS_REGISTRY_VERSION_SIZE];
    snprintf(dir, sizeof dir, "/tmp/mlops-threads-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(reg, sizeof reg, "%s/reg", dir);
    mlops_dataset *d = read_cars();
    for (size_t i = 0; i < 2; i++) {
        own_job one = {.t = i};
        OK(own_model(d, i, &one));
        mlops_model *m = NULL;
        OK(mlops_model_load_buffer(&m, one.model, one.model_len));
        snprintf(path[i], sizeof path[i], "%s/m%zu.mlops", dir, i);
        OK(mlops_model_save(m, path[i]));
        mlops_model_free(m);
        own_free(&one);
    }
    mlops_dataset_free(d);
    mlops_registry *r = NULL;
    OK(mlops_registry_open(&r, reg, MLOPS_REGISTRY_CREATE));
    for (size_t i = 0; i < 2; i++)
        OK(mlops_registry_register(r, "cars", path[i], NULL, version[i], sizeof version[i]));
    mlops_registry_free(r);

    static lane_job jobs[NTHREADS];
    pthread_t ids[NTHREADS];
    pthread_barrier_t start;
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, NTHREADS), 0);
    for (size_t t = 0; t < NTHREADS; t++) {
        jobs[t] = (lane_job){.t = t, .reg = reg, .v1 = version[0], .v2 = version[1],
                             .start = &start};
        ck_assert_int_eq(pthread_create(&ids[t], NULL, lane_work, &jobs[t]), 0);
    }
    for (size_t t = 0; t < NTHREADS; t++) ck_assert_int_eq(pthread_join(ids[t], NULL), 0);
    pthread_barrier_destroy(&start);
    for (size_t t = 0; t < NTHREADS; t++)
        ck_assert_msg(jobs[t].problem[0] == '\0', "thread %zu: %s", t, jobs[t].problem);

    /* Every move is in the log, once, in a chain that verifies. */
    char *report = NULL, expect[32];
    OK(mlops_registry_verify(reg, &report));
    snprintf(expect, sizeof expect, "\"records\": %d,", 2 + NTHREADS * MOVES);
    ck_assert_msg(strstr(report, expect) != NULL, "%s", report);
    mlops_free(report);
    OK(mlops_registry_open(&r, reg, 0));
    char *json = NULL;
    OK(mlops_registry_history_json(r, "cars", &json));
    for (size_t t = 0; t < NTHREADS; t++) {
        char actor[32];
        snprintf(actor, sizeof actor, "\"actor\":\"thread%zu\"", t);
        size_t n = 0;
        for (const char *p = json; (p = strstr(p, actor)) != NULL; p++) n++;
        ck_assert_uint_eq(n, MOVES);
    }
    mlops_free(json);
    mlops_registry_free(r);
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    ck_assert_uint_eq(mlops_live_allocations(), live);
}
END_TEST

/* ---- Library-wide state ------------------------------------------------ */

static _Thread_local char logged_here[1024];
static _Thread_local unsigned logged_count;
static atomic_uint logged_total;

static void log_here(int level, const char *message, void *ud)
{
    (void)level;
    (void)ud;
    snprintf(logged_here, sizeof logged_here, "%s", message);
    logged_count++;
    atomic_fetch_add(&logged_total, 1);
}

static void *no_malloc(size_t size, void *ud)
{
    (void)size, (void)ud;
    return NULL;
}

static void *no_realloc(void *ptr, size_t size, void *ud)
{
    (void)ptr, (void)size, (void)ud;
    return NULL;
}

static void no_free(void *ptr, void *ud)
{
    (void)ptr, (void)ud;
}

typedef struct state_job {
    const fixture *f;
    size_t t;
    pthread_barrier_t *barrier;
    char problem[512];
} state_job;

static void state_problem(state_job *j, size_t round, const char *what, const char *got)
{
    if (j->problem[0] == '\0')
        snprintf(j->problem, sizeof j->problem, "round %zu: %s '%.300s'", round, what, got);
}

/* Each thread raises failures no other thread raises (a row width of its
 * own, an unknown model kind naming it), then waits until every thread has
 * raised its own, then checks that its message, its code and the last
 * message its log callback received are still its own. */
static void *state_work(void *arg)
{
    state_job *j = arg;
    const fixture *f = j->f;
    if (mlops_last_error()[0] != '\0' || mlops_last_error_code() != MLOPS_OK)
        state_problem(j, 0, "a new thread starts with error", mlops_last_error());
    double out[MAX_CLASSES];
    for (size_t round = 0; round < 50; round++) {
        /* The library holds the shared model: switching allocators is refused
         * and leaves the allocator in place (the prediction below allocates
         * through it). */
        if (mlops_set_allocator(no_malloc, no_realloc, no_free, NULL) != MLOPS_ESTATE ||
            strstr(mlops_last_error(), "still holds") == NULL)
            state_problem(j, round, "mlops_set_allocator was not refused:",
                          mlops_last_error());
        if (mlops_set_allocator(no_malloc, NULL, NULL, NULL) != MLOPS_EINVAL ||
            strstr(mlops_last_error(), "got 1 of") == NULL)
            state_problem(j, round, "a partial allocator was not refused:",
                          mlops_last_error());
        if (mlops_model_predict_matrix(f->model, f->x, 1, f->ni, MLOPS_PREDICT_PROBA, out,
                                       f->classes) != MLOPS_OK)
            state_problem(j, round, "a prediction failed:", mlops_last_error());

        char expect[128], kind[64];
        int code;
        unsigned before = logged_count;
        if ((round + j->t) % 2 == 0) {
            size_t cols = 100 + j->t;
            code = mlops_model_predict_row(f->model, f->x, cols, MLOPS_PREDICT_VALUE, out,
                                           MAX_CLASSES);
            snprintf(expect, sizeof expect, "rows have %zu values", cols);
        } else {
            mlops_model *none = NULL;
            snprintf(kind, sizeof kind, "kind_of_thread_%zu", j->t);
            code = mlops_model_create(&none, kind);
            snprintf(expect, sizeof expect, "'%s'", kind);
        }
        if (code != MLOPS_EINVAL) state_problem(j, round, "no EINVAL for", expect);
        if (logged_count != before + 1 || strstr(logged_here, expect) == NULL)
            state_problem(j, round, "the log callback on this thread got", logged_here);
        pthread_barrier_wait(j->barrier);
        if (mlops_last_error_code() != MLOPS_EINVAL || strstr(mlops_last_error(), expect) == NULL)
            state_problem(j, round, "the thread's last error became", mlops_last_error());
        if (strstr(logged_here, expect) == NULL)
            state_problem(j, round, "the log callback on this thread got", logged_here);
        pthread_barrier_wait(j->barrier);
    }
    mlops_clear_error();
    if (mlops_last_error()[0] != '\0' || mlops_last_error_code() != MLOPS_OK)
        state_problem(j, 0, "mlops_clear_error left", mlops_last_error());
    return NULL;
}

START_TEST(errors_log_and_allocator_stay_per_thread)
{
    size_t live = mlops_live_allocations();
    fixture f;
    fixture_open(&f);
    OK(mlops_set_logger(log_here, MLOPS_LOG_DEBUG, NULL));
    fault_alloc_fail_at(-1);
    atomic_store(&logged_total, 0);
    mlops_clear_error();
    pthread_barrier_t barrier;
    ck_assert_int_eq(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);
    static state_job jobs[NTHREADS];
    pthread_t ids[NTHREADS];
    for (size_t t = 0; t < NTHREADS; t++) {
        jobs[t] = (state_job){.f = &f, .t = t, .barrier = &barrier};
        ck_assert_int_eq(pthread_create(&ids[t], NULL, state_work, &jobs[t]), 0);
    }
    for (size_t t = 0; t < NTHREADS; t++) ck_assert_int_eq(pthread_join(ids[t], NULL), 0);
    pthread_barrier_destroy(&barrier);
    OK(mlops_set_logger(NULL, 0, NULL));
    for (size_t t = 0; t < NTHREADS; t++)
        ck_assert_msg(jobs[t].problem[0] == '\0', "thread %zu: %s", t, jobs[t].problem);
    /* Three failures a round, each logged once, on its own thread. */
    ck_assert_uint_eq(atomic_load(&logged_total), NTHREADS * 50 * 3);
    /* None of it reached this thread. */
    ck_assert_str_eq(mlops_last_error(), "");
    ck_assert_uint_eq(logged_count, 0);
    /* The refused switches left the allocator in place: the threads'
     * predictions went through it. */
    ck_assert_int_gt(fault_alloc_calls(), 0);
    fixture_close(&f);
    ck_assert_uint_eq(mlops_live_allocations(), live);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("threads");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"shared_model", eight_threads_match_a_serial_run},
        {"distinct_objects", distinct_objects_in_every_thread_match_a_serial_run},
        {"registry", registry_handles_in_every_thread},
        {"library_state", errors_log_and_allocator_stay_per_thread},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, 600);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
