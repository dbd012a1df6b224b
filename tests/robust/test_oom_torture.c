/* Out-of-memory torture: each main operation of the lifecycle (reading a
 * CSV, profiling, fitting every model kind, saving and loading a model,
 * evaluating, checking drift, running a pipeline, promoting in the registry,
 * rendering the HTML pages) is run once per allocation it makes, with that
 * allocation refused through the allocator hook. Every failing run must
 * return MLOPS_ENOMEM with its own message, hold no library memory
 * afterwards and leave the files it was writing as they were: no temporary
 * file behind, an existing good file untouched, a registry that verifies.
 * A run that succeeds although an allocation was refused (an optional one)
 * must give the same result as a run without failure.
 *
 * Not covered: libyaml (the pipeline loader) and OpenBLAS (fits and
 * predictions) allocate through their own allocators, which the hook cannot
 * reach, so their allocations are never refused here. The pipeline runs
 * without its HTML pages (output.reports: false), which the HTML case
 * sweeps through mlops_run_report(), to keep the sweep to seconds.
 *
 * Scratch files live in /dev/shm when it exists: every run repeats the
 * fsyncs of the atomic writes. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"

#define OK(call)                                                                          \
    do {                                                                                  \
        int rc_ = (call);                                                                 \
        ck_assert_msg(rc_ == MLOPS_OK, "%s -> %d: %s", #call, rc_, mlops_last_error());   \
    } while (0)

/* Runs `call` while nothing failed yet; negative results become rc (some
 * calls return an index on success). */
#define TRY(call)                                                                         \
    do {                                                                                  \
        if (rc == MLOPS_OK) {                                                             \
            int r_ = (call);                                                              \
            if (r_ < 0) rc = r_;                                                          \
        }                                                                                 \
    } while (0)

enum { ROWS = 50 };

/* ---- Scratch files ---------------------------------------------------------- */

static char scratch[128];

/* Paths in the scratch directory: each stays valid until the next test. */
static char scratch_paths[64][320];
static size_t scratch_path_count;

static const char *in_scratch(const char *name)
{
    char path[320];
    snprintf(path, sizeof path, "%s/%s", scratch, name);
    for (size_t i = 0; i < scratch_path_count; i++)
        if (strcmp(scratch_paths[i], path) == 0) return scratch_paths[i];
    ck_assert_uint_lt(scratch_path_count, 64);
    char *p = scratch_paths[scratch_path_count++];
    memcpy(p, path, sizeof path);
    return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

static void rmtree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Whole file in a new malloc'ed buffer (NUL-terminated); NULL when absent. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
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

static void spill(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* Adds the names under `dir` (recursively, as paths relative to the top)
 * to names[n..cap) as malloc'ed strings; returns the new count. */
static size_t list_into(const char *dir, const char *prefix, char **names, size_t n, size_t cap)
{
    DIR *d = opendir(dir);
    if (d == NULL) return n;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char rel[512], full[1024];
        snprintf(rel, sizeof rel, "%s%s", prefix, e->d_name);
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        ck_assert_uint_lt(n, cap);
        names[n++] = strdup(rel);
        struct stat st;
        if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            char sub[520];
            snprintf(sub, sizeof sub, "%s/", rel);
            n = list_into(full, sub, names, n, cap);
        }
    }
    closedir(d);
    return n;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names under `dir`, one per line, in a new malloc'ed string;
 * "" for a missing directory. */
static char *listing(const char *dir)
{
    char *names[512];
    size_t n = list_into(dir, "", names, 0, 512);
    qsort(names, n, sizeof *names, by_name);
    size_t len = 1;
    for (size_t i = 0; i < n; i++) len += strlen(names[i]) + 1;
    char *out = malloc(len);
    ck_assert_ptr_nonnull(out);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strcat(out, names[i]);
        strcat(out, "\n");
        free(names[i]);
    }
    return out;
}

/* No temporary file of an atomic write ("NAME.tmp-PID-N") anywhere under
 * `dir`. */
static void assert_no_temp_files(const char *what, const char *dir)
{
    char *names = listing(dir);
    ck_assert_msg(strstr(names, ".tmp-") == NULL, "%s: temporary file left in %s:\n%s", what,
                  dir, names);
    free(names);
}

/* ---- Data ------------------------------------------------------------------ */

static unsigned lcg;

static double uniform(void)
{
    lcg = lcg * 1103515245u + 12345u;
    return (double)((lcg >> 8) & 0xffffu) / 65536.0;
}

/* ROWS rows: an id, numeric x1 (some missing) and x2, categorical color
 * (one missing; "violet" unseen in the reference when shift > 0), group g,
 * a numeric target y, a binary one bin and a three-class one cls3. */
static void write_data(const char *path, unsigned seed, double shift)
{
    static const char *const colors[] = {"red", "green", "blue"};
    lcg = seed;
    char *text = malloc(ROWS * 128 + 64);
    ck_assert_ptr_nonnull(text);
    size_t len = (size_t)sprintf(text, "id,x1,x2,color,g,y,bin,cls3\n");
    for (int i = 0; i < ROWS; i++) {
        double x1 = 10 * uniform() + shift, x2 = 5 * uniform() - 2;
        double y = 2 * x1 - x2 + uniform() - 0.5;
        int yes = y + 4 * uniform() > 10;
        int cls = x2 + 2 * uniform() < 0 ? 0 : x2 + 2 * uniform() < 2 ? 1 : 2;
        char x1s[32];
        if (i % 11 == 3) snprintf(x1s, sizeof x1s, "NA");
        else snprintf(x1s, sizeof x1s, "%.4f", x1);
        const char *color = colors[(i * 7 + (int)(3 * uniform())) % 3];
        if (shift > 0 && i % 9 == 0) color = "violet";
        if (i == 17) color = "";
        len += (size_t)sprintf(text + len, "r%02d,%s,%.4f,%s,%s,%.4f,%s,c%d\n", i, x1s, x2, color,
                               i % 3 == 0 ? "a" : "b", y, yes ? "yes" : "no", cls);
    }
    spill(path, text, len);
    free(text);
}

static void write_gzip(const char *path, const char *from)
{
    size_t len = 0;
    char *text = slurp(from, &len);
    ck_assert_ptr_nonnull(text);
    gzFile gz = gzopen(path, "wb");
    ck_assert_ptr_nonnull(gz);
    ck_assert_int_eq(gzwrite(gz, text, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(gz), Z_OK);
    free(text);
}

/* The data with `target` as the target column and the other two targets
 * ignored. */
static mlops_dataset *read_data(const char *path, const char *target)
{
    static const char *const targets[] = {"y", "bin", "cls3"};
    mlops_csv_options *o = NULL;
    OK(mlops_csv_options_create(&o));
    OK(mlops_csv_options_set(o, "role.id", "id"));
    OK(mlops_csv_options_set(o, "role.g", "group"));
    for (size_t i = 0; i < 3; i++) {
        char key[32];
        snprintf(key, sizeof key, "role.%s", targets[i]);
        OK(mlops_csv_options_set(o, key, strcmp(targets[i], target) == 0 ? "target" : "ignore"));
    }
    mlops_dataset *d = NULL;
    OK(mlops_dataset_read_csv(&d, path, o));
    mlops_csv_options_free(o);
    return d;
}

/* ---- The sweep -------------------------------------------------------------- */

typedef struct scenario scenario;

/* What an operation works on and produces; each scenario uses some of it. */
struct scenario {
    const char *name;
    int (*op)(scenario *s);              /* one run; on success sets `result` */
    void (*tidy)(scenario *s);           /* after every run: files back for the next */
    void (*after_failure)(scenario *s);  /* more checks after MLOPS_ENOMEM */
    /* inputs */
    const char *path, *path2, *dir, *kind, *l2, *solver;
    mlops_dataset *data, *part[2];
    mlops_model *model;
    mlops_profile *profile;
    mlops_report *report;
    mlops_drift_report *drift;
    mlops_drift_monitor *monitor;
    const char *json_in[5]; /* evaluation, drift, profile, model card, history */
    const char *page;
    /* a run's result as text (malloc'ed), and the first run's */
    char *result, *expected;
    /* what a failing run must leave as it was: the listing of watch_dir and
     * the bytes of kept_file (either may be NULL) */
    const char *watch_dir, *kept_file;
    char *files_before, *kept_bytes;
    size_t kept_len;
    long degraded;
};

/* A library string as a malloc'ed copy (the library's is released). */
static char *take(char *lib_text)
{
    ck_assert_ptr_nonnull(lib_text);
    char *copy = strdup(lib_text);
    ck_assert_ptr_nonnull(copy);
    mlops_free(lib_text);
    return copy;
}

/* Appends formatted text to a malloc'ed string. */
__attribute__((format(printf, 2, 3))) static void append(char **text, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t old = *text != NULL ? strlen(*text) : 0;
    char *grown = realloc(*text, old + (size_t)n + 1);
    ck_assert_ptr_nonnull(grown);
    va_start(ap, fmt);
    vsnprintf(grown + old, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *text = grown;
}

/* After a success: the result equals the first run's. */
static void compare_result(scenario *s)
{
    ck_assert_msg(s->result != NULL, "%s: success without a result", s->name);
    if (s->expected == NULL) {
        s->expected = s->result;
    } else {
        size_t at = 0;
        while (s->result[at] != '\0' && s->result[at] == s->expected[at]) at++;
        size_t from = at > 200 ? at - 200 : 0;
        ck_assert_msg(s->result[at] == s->expected[at],
                      "%s: a run that succeeded despite a refused allocation differs at byte "
                      "%zu:\n%.400s\ninstead of\n%.400s",
                      s->name, at, s->result + from, s->expected + from);
        free(s->result);
    }
    s->result = NULL;
}

static void sweep_undo(void *ctx)
{
    scenario *s = ctx;
    compare_result(s);
    if (s->tidy != NULL) s->tidy(s);
}

static int sweep_op(void *ctx)
{
    scenario *s = ctx;
    long failures = fault_alloc_failures();
    int rc = s->op(s);
    int refused = fault_alloc_failures() > failures;
    if (rc == MLOPS_OK) {
        /* A success despite the refusal must not have swallowed it: the
         * refused allocation's message is still there (a library that
         * cleared it took "out of memory" for something else). */
        if (refused)
            ck_assert_msg(mlops_last_error_code() == MLOPS_ENOMEM,
                          "%s: succeeded after a refused allocation, whose message is gone "
                          "(now %d: '%s')",
                          s->name, mlops_last_error_code(), mlops_last_error());
        s->degraded += refused;
        return rc;
    }
    ck_assert_msg(s->result == NULL, "%s: a failed run left a result", s->name);
    ck_assert_msg(rc == MLOPS_ENOMEM, "%s: a refused allocation gave %d (%s): %s", s->name, rc,
                  mlops_strerror(rc), mlops_last_error());
    ck_assert_msg(refused, "%s: MLOPS_ENOMEM although no allocation was refused: %s", s->name,
                  mlops_last_error());
    ck_assert_msg(mlops_last_error_code() == MLOPS_ENOMEM,
                  "%s: MLOPS_ENOMEM returned but the message is of code %d: %s", s->name,
                  mlops_last_error_code(), mlops_last_error());
    if (s->watch_dir != NULL) {
        char *now = listing(s->watch_dir);
        ck_assert_msg(strcmp(now, s->files_before) == 0,
                      "%s: a failed run (%s) changed %s from\n%sto\n%s", s->name,
                      mlops_last_error(), s->watch_dir, s->files_before, now);
        free(now);
    }
    if (s->kept_file != NULL) {
        size_t len = 0;
        char *bytes = slurp(s->kept_file, &len);
        ck_assert_msg(bytes != NULL && len == s->kept_len && memcmp(bytes, s->kept_bytes, len) == 0,
                      "%s: a failed run (%s) damaged %s", s->name, mlops_last_error(),
                      s->kept_file);
        free(bytes);
    }
    /* the refused allocation is behind us: checks may allocate */
    if (s->after_failure != NULL) s->after_failure(s);
    if (s->tidy != NULL) s->tidy(s);
    return rc;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Runs the operation once without failure (its result is what every later
 * success must reproduce), then once per allocation with that allocation
 * refused. Returns the number of allocations of a run. */
static long torture(scenario *s)
{
    size_t live = mlops_live_allocations();
    mlops_clear_error();
    int rc = s->op(s);
    ck_assert_msg(rc == MLOPS_OK, "%s: %d %s", s->name, rc, mlops_last_error());
    sweep_undo(s);
    ck_assert_uint_eq(mlops_live_allocations(), live);
    if (s->watch_dir != NULL) s->files_before = listing(s->watch_dir);
    if (s->kept_file != NULL) {
        s->kept_bytes = slurp(s->kept_file, &s->kept_len);
        ck_assert_msg(s->kept_bytes != NULL, "%s: %s missing", s->name, s->kept_file);
    }
    double t0 = seconds();
    s->degraded = 0;
    long n = fault_alloc_sweep(sweep_op, sweep_undo, s);
    printf("%-36s %6ld allocations, %3ld degraded successes, %7.2f s\n", s->name, n, s->degraded,
           seconds() - t0);
    fflush(stdout);
    ck_assert_int_gt(n, 0);
    ck_assert_uint_eq(mlops_live_allocations(), live);
    free(s->files_before);
    free(s->kept_bytes);
    free(s->expected);
    s->files_before = s->kept_bytes = s->expected = NULL;
    return n;
}

static void setup(void)
{
    /* A run is repeated once per allocation, and atomic writes fsync: in
     * memory (tmpfs) when there is one, the sweeps take seconds, not
     * minutes. */
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
                               access("/dev/shm", W_OK) == 0
                           ? "/dev/shm"
                           : "/tmp";
    snprintf(scratch, sizeof scratch, "%s/mlops-oom-XXXXXX", base);
    scratch_path_count = 0;
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    write_data(in_scratch("data.csv"), 7, 0);
    write_data(in_scratch("current.csv"), 11, 1.5);
}

static void teardown(void)
{
    rmtree(scratch);
}

/* ---- Reading CSV -------------------------------------------------------------- */

static int append_fingerprint(scenario *s, const mlops_dataset *d)
{
    char hex[65];
    int rc = mlops_dataset_fingerprint(d, hex, sizeof hex);
    if (rc == MLOPS_OK)
        append(&s->result, "%zu x %zu %s\n", mlops_dataset_rows(d), mlops_dataset_cols(d), hex);
    return rc;
}

static int read_options(mlops_csv_options **o, const char *batch_rows)
{
    int rc = MLOPS_OK;
    TRY(mlops_csv_options_create(o));
    TRY(mlops_csv_options_set(*o, "role.y", "target"));
    TRY(mlops_csv_options_set(*o, "role.id", "id"));
    TRY(mlops_csv_options_set(*o, "type.x2", "numeric"));
    TRY(mlops_csv_options_set(*o, "missing", "NA,?"));
    if (batch_rows != NULL) TRY(mlops_csv_options_set(*o, "batch_rows", batch_rows));
    return rc;
}

static int read_whole(scenario *s)
{
    mlops_csv_options *o = NULL;
    mlops_dataset *d = NULL;
    int rc = read_options(&o, NULL);
    TRY(mlops_dataset_read_csv(&d, s->path, o));
    TRY(append_fingerprint(s, d));
    mlops_dataset_free(d);
    mlops_csv_options_free(o);
    if (rc != MLOPS_OK) {
        free(s->result);
        s->result = NULL;
    }
    return rc;
}

static int read_stream(scenario *s)
{
    mlops_csv_options *o = NULL;
    mlops_csv_reader *r = NULL;
    int rc = read_options(&o, "16");
    TRY(mlops_csv_reader_open(&r, s->path, o));
    while (rc == MLOPS_OK) {
        mlops_dataset *batch = NULL;
        rc = mlops_csv_reader_next(r, &batch);
        if (batch == NULL) break;
        TRY(append_fingerprint(s, batch));
        mlops_dataset_free(batch);
    }
    if (rc == MLOPS_OK)
        append(&s->result, "rows %llu\n", (unsigned long long)mlops_csv_reader_rows(r));
    mlops_csv_reader_free(r);
    mlops_csv_options_free(o);
    if (rc != MLOPS_OK) {
        free(s->result);
        s->result = NULL;
    }
    return rc;
}

START_TEST(read_csv)
{
    write_gzip(in_scratch("data.csv.gz"), in_scratch("data.csv"));
    scenario s = {.name = "read CSV", .op = read_whole, .path = in_scratch("data.csv")};
    torture(&s);
    s = (scenario){.name = "read CSV (gzip)", .op = read_whole, .path = in_scratch("data.csv.gz")};
    torture(&s);
    s = (scenario){.name = "read CSV (streaming)", .op = read_stream,
                   .path = in_scratch("data.csv")};
    torture(&s);
    s.path = in_scratch("data.csv.gz");
    s.name = "read CSV (streaming gzip)";
    torture(&s);
}
END_TEST

/* ---- Profile ------------------------------------------------------------------ */

/* Two parts profiled apart and merged, bins fixed, queried, exported, saved
 * over the good file s->path and loaded back. */
static int profile_op(scenario *s)
{
    mlops_profile *p = NULL, *q = NULL, *loaded = NULL;
    char *json = NULL, *json2 = NULL;
    int rc = MLOPS_OK;
    TRY(mlops_profile_create(&p));
    TRY(mlops_profile_create(&q));
    TRY(mlops_profile_set(p, "bins", "5"));
    TRY(mlops_profile_set(q, "bins", "5"));
    TRY(mlops_profile_add(p, s->part[0]));
    TRY(mlops_profile_add(q, s->part[1]));
    TRY(mlops_profile_merge(p, q));
    TRY(mlops_profile_fix_bins(p));
    double median = 0;
    const char *top = NULL;
    size_t col = 0, ccol = 0;
    TRY(mlops_profile_column_index(p, "x1", &col));
    TRY(mlops_profile_column_index(p, "color", &ccol));
    TRY(mlops_profile_quantile(p, col, 0.5, &median, NULL));
    TRY(mlops_profile_top(p, ccol, 0, &top, NULL, NULL));
    TRY(mlops_profile_to_json(p, &json));
    TRY(mlops_profile_save(p, s->path));
    TRY(mlops_profile_load(&loaded, s->path));
    TRY(mlops_profile_to_json(loaded, &json2));
    if (rc == MLOPS_OK) {
        append(&s->result, "median %a top %s\n%s\n", median, top, json);
        ck_assert_str_eq(json, json2);
    }
    mlops_free(json);
    mlops_free(json2);
    mlops_profile_free(p);
    mlops_profile_free(q);
    mlops_profile_free(loaded);
    return rc;
}

static mlops_dataset *rows_of(const mlops_dataset *d, size_t first, size_t n)
{
    size_t *rows = malloc(n * sizeof *rows);
    ck_assert_ptr_nonnull(rows);
    for (size_t i = 0; i < n; i++) rows[i] = first + i;
    mlops_dataset *out = NULL;
    OK(mlops_dataset_take_rows(&out, d, rows, n));
    free(rows);
    return out;
}

START_TEST(profile)
{
    mlops_dataset *d = read_data(in_scratch("data.csv"), "bin");
    scenario s = {.name = "profile", .op = profile_op, .path = in_scratch("data.profile"),
                  .watch_dir = scratch, .kept_file = in_scratch("data.profile")};
    s.part[0] = rows_of(d, 0, 20);
    s.part[1] = rows_of(d, 20, ROWS - 20);
    torture(&s);
    mlops_dataset_free(s.part[0]);
    mlops_dataset_free(s.part[1]);
    mlops_dataset_free(d);
}
END_TEST

/* ---- Fitting -------------------------------------------------------------------- */

/* A chain (impute, standardize, one-hot) on the numeric inputs x1, x2 and
 * the categorical color, then the model. */
static int fit_model(mlops_model **out, const char *kind, const char *l2, const char *solver,
                     const mlops_dataset *d)
{
    mlops_model *m = NULL;
    mlops_transform *t = NULL;
    int rc = MLOPS_OK;
    TRY(mlops_model_create(&m, kind));
    TRY(mlops_model_set_param(m, "l2", l2));
    if (solver != NULL) TRY(mlops_model_set_param(m, "solver", solver));
    TRY(mlops_model_card_set(m, "created", "2026-01-01T00:00:00Z"));
    TRY(mlops_model_card_set(m, "owner", "tests"));
    TRY(mlops_transform_create(&t));
    TRY(mlops_transform_add(t, "impute", "*"));
    TRY(mlops_transform_add(t, "standardize", "*"));
    TRY(mlops_transform_add(t, "onehot", "color"));
    TRY(mlops_transform_set(t, 2, "unseen", "zeros"));
    TRY(mlops_model_set_transform(m, t));
    TRY(mlops_model_fit(m, d));
    mlops_transform_free(t);
    if (rc != MLOPS_OK) {
        mlops_model_free(m);
        return rc;
    }
    *out = m;
    return MLOPS_OK;
}

static int fit_op(scenario *s)
{
    mlops_model *m = NULL;
    int rc = fit_model(&m, s->kind, s->l2, s->solver, s->data);
    if (rc != MLOPS_OK) return rc;
    int kind = mlops_model_class_count(m) > 0 ? MLOPS_PREDICT_PROBA : MLOPS_PREDICT_VALUE;
    size_t len = mlops_dataset_rows(s->data) * mlops_model_output_width(m, kind);
    double *pred = malloc(len * sizeof *pred);
    ck_assert_ptr_nonnull(pred);
    char hash[65];
    char *json = NULL;
    TRY(mlops_model_predict(m, s->data, kind, pred, len));
    TRY(mlops_model_payload_hash(m, hash, sizeof hash));
    TRY(mlops_model_explain_json(m, s->data, 3, 2, &json));
    if (rc == MLOPS_OK) {
        append(&s->result, "%s\n%s\n", hash, json);
        for (size_t i = 0; i < len; i++) append(&s->result, "%a ", pred[i]);
    }
    mlops_free(json);
    free(pred);
    mlops_model_free(m);
    return rc;
}

/* The class probabilities `m` gives the rows of `d`, as text in *text. */
static int proba_text(const mlops_model *m, const mlops_dataset *d, char **text)
{
    size_t len = mlops_dataset_rows(d) * mlops_model_output_width(m, MLOPS_PREDICT_PROBA);
    double *pred = malloc(len * sizeof *pred);
    ck_assert_ptr_nonnull(pred);
    int rc = mlops_model_predict(m, d, MLOPS_PREDICT_PROBA, pred, len);
    if (rc == MLOPS_OK)
        for (size_t i = 0; i < len; i++) append(text, "%a ", pred[i]);
    free(pred);
    return rc;
}

/* Refitting a fitted model: a failed fit must leave it as it was, so it
 * still predicts what it predicted before. */
static int refit_op(scenario *s)
{
    int rc = mlops_model_fit(s->model, s->data);
    if (rc == MLOPS_OK) rc = proba_text(s->model, s->data, &s->result);
    if (rc != MLOPS_OK) {
        free(s->result);
        s->result = NULL;
    }
    return rc;
}

static void refit_after_failure(scenario *s)
{
    char *now = NULL;
    OK(proba_text(s->model, s->data, &now));
    ck_assert_msg(strcmp(now, s->expected) == 0, "%s: a failed fit changed the model", s->name);
    free(now);
}

START_TEST(fit_each_kind)
{
    static const struct {
        const char *name, *kind, *target, *l2, *solver;
    } cases[] = {
        {"fit linear_regression", "linear_regression", "y", "0", NULL},
        {"fit linear_regression lstsq", "linear_regression", "y", "0", "lstsq"},
        {"fit ridge", "linear_regression", "y", "1", "cholesky"},
        {"fit logistic binary lbfgs", "logistic_regression", "bin", "0.01", "lbfgs"},
        {"fit logistic binary newton", "logistic_regression", "bin", "0.01", "newton"},
        {"fit logistic multiclass", "logistic_regression", "cls3", "0.01", NULL},
        {"fit logistic multi newton", "logistic_regression", "cls3", "0.01", "newton"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scenario s = {.name = cases[i].name, .op = fit_op, .kind = cases[i].kind,
                      .l2 = cases[i].l2, .solver = cases[i].solver};
        s.data = read_data(in_scratch("data.csv"), cases[i].target);
        torture(&s);
        mlops_dataset_free(s.data);
    }
    scenario s = {.name = "refit logistic multiclass", .op = refit_op,
                  .after_failure = refit_after_failure};
    s.data = read_data(in_scratch("data.csv"), "cls3");
    OK(fit_model(&s.model, "logistic_regression", "0.01", NULL, s.data));
    torture(&s);
    mlops_model_free(s.model);
    mlops_dataset_free(s.data);
}
END_TEST

/* ---- Saving and loading a model -------------------------------------------------- */

static int model_io_op(scenario *s)
{
    mlops_model *loaded = NULL, *from_buffer = NULL;
    unsigned char *bytes = NULL;
    size_t len = 0;
    char *card = NULL;
    char h1[65], h2[65];
    int rc = MLOPS_OK;
    TRY(mlops_model_save(s->model, s->path));
    TRY(mlops_model_load(&loaded, s->path));
    TRY(mlops_model_save_buffer(s->model, &bytes, &len));
    TRY(mlops_model_load_buffer(&from_buffer, bytes, len));
    TRY(mlops_model_payload_hash(loaded, h1, sizeof h1));
    TRY(mlops_model_payload_hash(from_buffer, h2, sizeof h2));
    TRY(mlops_model_card_json(loaded, &card));
    if (rc == MLOPS_OK) append(&s->result, "%s %s %zu\n%s", h1, h2, len, card);
    mlops_free(card);
    mlops_free(bytes);
    mlops_model_free(loaded);
    mlops_model_free(from_buffer);
    return rc;
}

START_TEST(model_save_load)
{
    mlops_dataset *d = read_data(in_scratch("data.csv"), "cls3");
    scenario s = {.name = "model save + load", .op = model_io_op, .path = in_scratch("m.mlops"),
                  .watch_dir = scratch, .kept_file = in_scratch("m.mlops")};
    OK(fit_model(&s.model, "logistic_regression", "0.01", NULL, d));
    torture(&s);
    mlops_model_free(s.model);
    mlops_dataset_free(d);
}
END_TEST

/* ---- Evaluating -------------------------------------------------------------------- */

static int evaluator_with(mlops_evaluator **ev, const char *gate, const char *probes)
{
    int rc = MLOPS_OK;
    TRY(mlops_evaluator_create(ev));
    TRY(mlops_evaluator_set_param(*ev, "group", "g"));
    TRY(mlops_evaluator_set_param(*ev, "min_group_size", "5"));
    TRY(mlops_evaluator_set_param(*ev, "bootstrap", "10"));
    TRY(mlops_evaluator_set_param(*ev, "seed", "3"));
    TRY(mlops_evaluator_set_param(*ev, "curve_points", "20"));
    if (probes != NULL) TRY(mlops_evaluator_set_param(*ev, "probes", probes));
    TRY(mlops_evaluator_add_gate(*ev, gate));
    return rc;
}

static int evaluate_op(scenario *s)
{
    mlops_evaluator *ev = NULL;
    mlops_report *r = NULL;
    char *json = NULL;
    int classify = mlops_model_class_count(s->model) > 0;
    int rc = evaluator_with(&ev, classify ? "accuracy >= 0.5" : "r2 >= 0.5",
                            "noise:0.1;missing:0.2");
    if (classify) {
        TRY(mlops_evaluator_set_param(ev, "reference_group", "g=a"));
        TRY(mlops_evaluator_add_gate(ev, "four_fifths_rule"));
        TRY(mlops_evaluator_add_gate(ev, "roc_auc.ci_low >= 0.1"));
    }
    TRY(mlops_evaluator_run(ev, s->model, s->data, &r));
    TRY(mlops_report_json(r, &json));
    if (rc == MLOPS_OK) append(&s->result, "passed %d\n%s", mlops_report_passed(r), json);
    mlops_free(json);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
    return rc;
}

static int cross_validate_op(scenario *s)
{
    mlops_evaluator *ev = NULL;
    mlops_report *r = NULL;
    char *json = NULL;
    int rc = MLOPS_OK;
    TRY(mlops_evaluator_create(&ev));
    TRY(mlops_evaluator_set_param(ev, "cv_folds", "3"));
    TRY(mlops_evaluator_set_param(ev, "metrics", "accuracy,roc_auc"));
    TRY(mlops_evaluator_add_gate(ev, "accuracy.mean >= 0.5"));
    TRY(mlops_evaluator_cross_validate(ev, s->model, s->data, &r));
    TRY(mlops_report_json(r, &json));
    if (rc == MLOPS_OK) append(&s->result, "%s", json);
    mlops_free(json);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
    return rc;
}

START_TEST(evaluate)
{
    mlops_dataset *d = read_data(in_scratch("data.csv"), "bin");
    scenario s = {.name = "evaluate classifier", .op = evaluate_op, .data = d};
    OK(fit_model(&s.model, "logistic_regression", "0.01", NULL, d));
    torture(&s);
    s.name = "cross-validate classifier";
    s.op = cross_validate_op;
    torture(&s);
    mlops_model_free(s.model);
    mlops_dataset_free(d);

    d = read_data(in_scratch("data.csv"), "y");
    s = (scenario){.name = "evaluate regression", .op = evaluate_op, .data = d};
    OK(fit_model(&s.model, "linear_regression", "0", NULL, d));
    torture(&s);
    mlops_model_free(s.model);
    mlops_dataset_free(d);
}
END_TEST

/* ---- Drift ----------------------------------------------------------------------------- */

/* The reference profile of `d` with fixed bins. */
static mlops_profile *reference_of(const mlops_dataset *d)
{
    mlops_profile *p = NULL;
    OK(mlops_profile_create(&p));
    OK(mlops_profile_set(p, "bins", "5"));
    OK(mlops_profile_add(p, d));
    OK(mlops_profile_fix_bins(p));
    return p;
}

static int drift_compare_op(scenario *s)
{
    mlops_drift_monitor *m = NULL;
    mlops_profile *cur = NULL;
    mlops_drift_report *r = NULL;
    char *json = NULL;
    int rc = MLOPS_OK;
    TRY(mlops_drift_monitor_create(&m, s->profile));
    TRY(mlops_drift_monitor_set_param(m, "correction", "bonferroni"));
    TRY(mlops_drift_monitor_set_column(m, "x2", "psi", NAN));
    TRY(mlops_drift_monitor_set_column(m, "id", "skip", NAN));
    TRY(mlops_profile_create_like(&cur, s->profile));
    TRY(mlops_profile_add(cur, s->data));
    TRY(mlops_drift_monitor_compare(m, cur, &r));
    TRY(mlops_drift_report_json(r, &json));
    if (rc == MLOPS_OK) append(&s->result, "%s", json);
    mlops_free(json);
    mlops_drift_report_free(r);
    mlops_profile_free(cur);
    mlops_drift_monitor_free(m);
    return rc;
}

/* Row windows of 20 over a stream of two batches, predictions by a model,
 * labels arriving later, the last window flushed. */
static int window_monitor(mlops_drift_monitor **out, scenario *s)
{
    mlops_drift_monitor *m = NULL;
    int rc = MLOPS_OK;
    TRY(mlops_drift_monitor_create(&m, s->profile));
    TRY(mlops_drift_monitor_set_param(m, "window_rows", "20"));
    TRY(mlops_drift_monitor_set_param(m, "reference_performance", "0.9"));
    TRY(mlops_drift_monitor_set_param(m, "label_rows", "100"));
    TRY(mlops_drift_monitor_set_column(m, "id", "skip", NAN));
    TRY(mlops_drift_monitor_set_model(m, s->model));
    TRY(mlops_drift_monitor_add(m, s->part[0]));
    TRY(mlops_drift_monitor_add(m, s->part[1]));
    TRY(mlops_drift_monitor_add_labels(m, 0, s->data, "bin", ROWS));
    TRY(mlops_drift_monitor_flush(m));
    if (rc != MLOPS_OK) {
        mlops_drift_monitor_free(m);
        return rc;
    }
    *out = m;
    return MLOPS_OK;
}

static int drift_window_op(scenario *s)
{
    mlops_drift_monitor *m = NULL;
    char *json = NULL, *history = NULL;
    int rc = window_monitor(&m, s);
    if (rc != MLOPS_OK) return rc;
    size_t windows = mlops_drift_monitor_window_count(m);
    for (size_t i = 0; i < windows && rc == MLOPS_OK; i++) {
        const mlops_drift_report *r = NULL;
        TRY(mlops_drift_monitor_window(m, i, &r));
        TRY(mlops_drift_report_json(r, &json));
        if (rc == MLOPS_OK) append(&s->result, "%s\n", json);
        mlops_free(json);
        json = NULL;
    }
    static const char *const counters[] = {"rows_seen", "windows_closed", "alerts",
                                           "predictions", "labels_received"};
    for (size_t i = 0; i < 5 && rc == MLOPS_OK; i++) {
        uint64_t v = 0;
        TRY(mlops_drift_monitor_counter(m, counters[i], &v));
        if (rc == MLOPS_OK) append(&s->result, "%s %llu\n", counters[i], (unsigned long long)v);
    }
    TRY(mlops_drift_monitor_history_json(m, &history));
    size_t need = 0;
    TRY(mlops_drift_monitor_prometheus(m, NULL, 0, &need));
    if (rc == MLOPS_OK) {
        char *text = malloc(need + 1);
        ck_assert_ptr_nonnull(text);
        TRY(mlops_drift_monitor_prometheus(m, text, need + 1, NULL));
        free(text);
    }
    mlops_free(history);
    mlops_drift_monitor_free(m);
    if (rc != MLOPS_OK) {
        free(s->result);
        s->result = NULL;
    }
    return rc;
}

START_TEST(drift)
{
    mlops_dataset *ref = read_data(in_scratch("data.csv"), "bin");
    mlops_dataset *cur = read_data(in_scratch("current.csv"), "bin");
    scenario s = {.name = "drift compare", .op = drift_compare_op, .data = cur};
    s.profile = reference_of(ref);
    torture(&s);

    s.name = "drift windows";
    s.op = drift_window_op;
    OK(fit_model(&s.model, "logistic_regression", "0.01", NULL, ref));
    s.part[0] = rows_of(cur, 0, 25);
    s.part[1] = rows_of(cur, 25, ROWS - 25);
    torture(&s);
    mlops_dataset_free(s.part[0]);
    mlops_dataset_free(s.part[1]);
    mlops_model_free(s.model);
    mlops_profile_free(s.profile);
    mlops_dataset_free(ref);
    mlops_dataset_free(cur);
}
END_TEST

/* ---- Pipeline run ---------------------------------------------------------------- */

static const char PIPELINE[] =
    "version: 1\n"
    "name: oom\n"
    "seed: 3\n"
    "data:\n"
    "  path: ../data.csv\n"
    "  target: bin\n"
    "  id: id\n"
    "  ignore: [y, cls3]\n"
    "  columns:\n"
    "    x2: {min: -10, max: 10}\n"
    "    g: {sensitive: true}\n"
    "  split:\n"
    "    test_size: 0.3\n"
    "model:\n"
    "  kind: logistic_regression\n"
    "  settings: {l2: 0.01}\n"
    "  card: {owner: tests}\n"
    "evaluate:\n"
    "  metrics: [accuracy, roc_auc]\n"
    "  groups: [g]\n"
    "  gates:\n"
    "    - accuracy >= 0.3\n"
    "monitor:\n"
    "  reference: train\n"
    "  current: ../current.csv\n"
    "output:\n"
    "  reports: false\n"
    "registry:\n"
    "  path: registry\n"
    "  alias: production\n";

/* Writes the pipeline file into scratch/pipe and returns its path. */
static const char *write_pipeline(void)
{
    const char *dir = in_scratch("pipe");
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    const char *path = in_scratch("pipe/pipeline.yaml");
    spill(path, PIPELINE, strlen(PIPELINE));
    return path;
}

static int pipeline_op(scenario *s)
{
    mlops_pipeline *p = NULL;
    char *summary = NULL;
    int rc = MLOPS_OK;
    TRY(mlops_pipeline_load(&p, s->path));
    TRY(mlops_pipeline_run(p, s->dir));
    TRY(mlops_pipeline_summary_json(p, &summary));
    if (rc == MLOPS_OK) {
        /* the lock holds the run's time: its hash differs between runs */
        char *lock = strstr(summary, "\"lock_sha256\"");
        ck_assert_ptr_nonnull(lock);
        append(&s->result, "%.*s", (int)(lock - summary), summary);
        ck_assert_msg(strstr(s->result, "\"registered\": false") != NULL, "%s", s->result);
    }
    mlops_free(summary);
    mlops_pipeline_free(p);
    return rc;
}

static int run_verify_op(scenario *s)
{
    char *report = NULL;
    int rc = mlops_run_verify(s->dir, &report);
    if (rc == MLOPS_OK) s->result = take(report);
    return rc;
}

static void pipeline_after_failure(scenario *s)
{
    assert_no_temp_files(s->name, in_scratch("pipe"));
    OK(mlops_registry_verify(s->path2, NULL));
}

static void copy_tree(const char *from, const char *to);

/* Back to the registry the runs start from; the run directory must not
 * exist. */
static void pipeline_tidy(scenario *s)
{
    rmtree(s->dir);
    rmtree(s->path2);
    copy_tree(in_scratch("pipe/registry-start"), s->path2);
}

/* The registry already holds the model (an earlier run registered it
 * under alias staging), so each run finds it, registers nothing new and
 * moves alias production to it: a registry lookup that fails must fail the
 * run, not pass for "not registered yet". */
START_TEST(pipeline_run)
{
    scenario s = {.name = "pipeline run", .op = pipeline_op, .tidy = pipeline_tidy,
                  .after_failure = pipeline_after_failure};
    s.path = write_pipeline();
    s.dir = in_scratch("pipe/run");
    s.path2 = in_scratch("pipe/registry");
    mlops_pipeline *p = NULL;
    OK(mlops_pipeline_load(&p, s.path));
    OK(mlops_pipeline_override(p, "registry.alias=staging"));
    OK(mlops_pipeline_run(p, in_scratch("pipe/first")));
    mlops_pipeline_free(p);
    rmtree(in_scratch("pipe/first"));
    copy_tree(s.path2, in_scratch("pipe/registry-start"));
    torture(&s);

    /* verifying the run directory a run left */
    OK(mlops_pipeline_load(&p, s.path));
    OK(mlops_pipeline_run(p, s.dir));
    mlops_pipeline_free(p);
    scenario v = {.name = "verify a run", .op = run_verify_op, .dir = s.dir, .watch_dir = s.dir};
    torture(&v);
}
END_TEST

/* ---- Registry promotion --------------------------------------------------------------- */

static void copy_tree(const char *from, const char *to)
{
    ck_assert_int_eq(mkdir(to, 0777), 0);
    DIR *d = opendir(from);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char src[512], dst[512];
        snprintf(src, sizeof src, "%s/%s", from, e->d_name);
        snprintf(dst, sizeof dst, "%s/%s", to, e->d_name);
        struct stat st;
        ck_assert_int_eq(lstat(src, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            copy_tree(src, dst);
        } else {
            size_t len = 0;
            char *bytes = slurp(src, &len);
            ck_assert_ptr_nonnull(bytes);
            spill(dst, bytes, len);
            free(bytes);
        }
    }
    closedir(d);
}

/* The registry each run starts from, in s->path2's directory: a fresh one,
 * or with `v1` (a model file) registered under alias production. */
static void registry_build(scenario *s, const char *v1)
{
    rmtree(s->path2);
    mlops_registry *r = NULL;
    OK(mlops_registry_open(&r, s->path2, MLOPS_REGISTRY_CREATE));
    if (v1 != NULL) {
        char v[MLOPS_REGISTRY_VERSION_SIZE];
        OK(mlops_registry_register(r, "m", v1, "first", v, sizeof v));
        OK(mlops_registry_set_alias(r, "m", "production", v, NULL));
    }
    mlops_registry_free(r);
    rmtree(s->dir);
    copy_tree(s->path2, s->dir);
}

/* Back to the registry the runs start from (copied: rebuilding it through
 * the library at every run would cost more than the run). */
static void registry_tidy(scenario *s)
{
    rmtree(s->dir);
    copy_tree(s->path2, s->dir);
}

static void registry_after_failure(scenario *s)
{
    assert_no_temp_files(s->name, s->dir);
    OK(mlops_registry_verify(s->dir, NULL));
}

static int promote_op(scenario *s)
{
    mlops_registry *r = NULL;
    char v[MLOPS_REGISTRY_VERSION_SIZE];
    char *report = NULL, *resolved = NULL, *model_path = NULL;
    int rc = MLOPS_OK;
    TRY(mlops_registry_open(&r, s->dir, 0));
    TRY(mlops_registry_set_actor(r, "release-bot"));
    TRY(mlops_registry_register(r, "m", s->path, "retrained", v, sizeof v));
    TRY(mlops_registry_set_alias(r, "m", "production", v, "gates passed"));
    TRY(mlops_registry_verify(s->dir, &report));
    TRY(mlops_registry_resolve(r, "m@production", &resolved, &model_path));
    if (rc == MLOPS_OK) {
        const char *ok = strstr(report, "\"all_ok\"");
        ck_assert_ptr_nonnull(ok);
        append(&s->result, "%s %s %.15s", v, resolved, ok);
    }
    mlops_free(report);
    mlops_free(resolved);
    mlops_free(model_path);
    mlops_registry_free(r);
    return rc;
}

START_TEST(registry_promote)
{
    mlops_dataset *d = read_data(in_scratch("data.csv"), "bin");
    mlops_model *m = NULL;
    OK(fit_model(&m, "logistic_regression", "0.01", NULL, d));
    OK(mlops_model_save(m, in_scratch("v1.mlops")));
    mlops_model_free(m);
    OK(fit_model(&m, "logistic_regression", "1", NULL, d));
    OK(mlops_model_save(m, in_scratch("v2.mlops")));
    mlops_model_free(m);
    mlops_dataset_free(d);

    scenario s = {.name = "registry promote (new)", .op = promote_op, .tidy = registry_tidy,
                  .after_failure = registry_after_failure};
    s.path = in_scratch("v2.mlops");
    s.path2 = in_scratch("pristine");
    s.dir = in_scratch("reg");
    registry_build(&s, NULL);
    torture(&s);
    s.name = "registry promote (over v1)";
    registry_build(&s, in_scratch("v1.mlops"));
    torture(&s);
}
END_TEST

/* ---- HTML pages -------------------------------------------------------------------- */

static int html_op(scenario *s)
{
    char *html = NULL, *written = NULL;
    int rc = MLOPS_OK;
    if (strcmp(s->kind, "evaluation") == 0) {
        TRY(mlops_report_html(s->report, "Evaluation <&>", &html));
    } else if (strcmp(s->kind, "drift") == 0) {
        TRY(mlops_drift_report_html(s->drift, s->monitor, NULL, &html));
    } else if (strcmp(s->kind, "profile") == 0) {
        TRY(mlops_profile_html(s->profile, NULL, &html));
    } else if (strcmp(s->kind, "model_card") == 0) {
        TRY(mlops_model_card_html(s->model, NULL, &html));
    } else if (strncmp(s->kind, "json ", 5) == 0) {
        static const char *const kinds[] = {"evaluation", "drift", "profile", "model_card"};
        size_t i = 0;
        while (strcmp(kinds[i], s->kind + 5) != 0) i++;
        TRY(mlops_html_from_json(kinds[i], s->json_in[i], i == 1 ? s->json_in[4] : NULL, NULL,
                                 &html));
    } else if (strcmp(s->kind, "save") == 0) {
        TRY(mlops_html_save(s->page, s->path));
        if (rc == MLOPS_OK) append(&s->result, "saved");
        return rc;
    } else {
        TRY(mlops_run_report(s->dir, s->path, &written));
        if (rc == MLOPS_OK) s->result = take(written);
        return rc;
    }
    if (rc == MLOPS_OK) s->result = take(html);
    return rc;
}

START_TEST(html_pages)
{
    mlops_dataset *ref = read_data(in_scratch("data.csv"), "bin");
    mlops_dataset *cur = read_data(in_scratch("current.csv"), "bin");
    scenario s = {.op = html_op, .data = cur};
    s.profile = reference_of(ref);
    OK(fit_model(&s.model, "logistic_regression", "0.01", NULL, ref));
    mlops_evaluator *ev = NULL;
    OK(evaluator_with(&ev, "accuracy >= 0.5", NULL));
    OK(mlops_evaluator_run(ev, s.model, cur, &s.report));
    mlops_evaluator_free(ev);
    mlops_drift_monitor *m = NULL;
    mlops_profile *cur_profile = NULL;
    OK(mlops_drift_monitor_create(&m, s.profile));
    OK(mlops_profile_create_like(&cur_profile, s.profile));
    OK(mlops_profile_add(cur_profile, cur));
    OK(mlops_drift_monitor_compare(m, cur_profile, &s.drift));
    mlops_profile_free(cur_profile);
    mlops_drift_monitor_free(m);
    s.part[0] = rows_of(cur, 0, 25);
    s.part[1] = rows_of(cur, 25, ROWS - 25);
    OK(window_monitor(&s.monitor, &s));

    char *json[5] = {NULL, NULL, NULL, NULL, NULL};
    OK(mlops_report_json(s.report, &json[0]));
    OK(mlops_drift_report_json(s.drift, &json[1]));
    OK(mlops_profile_to_json(s.profile, &json[2]));
    OK(mlops_model_card_json(s.model, &json[3]));
    OK(mlops_drift_monitor_history_json(s.monitor, &json[4]));
    for (size_t i = 0; i < 5; i++) s.json_in[i] = json[i] = take(json[i]);

    static const char *const kinds[] = {"evaluation", "drift", "profile", "model_card"};
    for (size_t i = 0; i < 4; i++) {
        char name[64];
        snprintf(name, sizeof name, "HTML %s page", kinds[i]);
        s.name = name;
        s.kind = kinds[i];
        torture(&s);
    }
    static const char *const from_json[] = {"json evaluation", "json drift", "json profile",
                                            "json model_card"};
    for (size_t i = 0; i < 4; i++) {
        char name[64];
        snprintf(name, sizeof name, "HTML %s page from JSON", kinds[i]);
        s.name = name;
        s.kind = from_json[i];
        torture(&s);
    }

    /* other shapes of the pages: a regression report with probes, its
     * model's card, a profile without fixed bins (box plots) */
    mlops_dataset *reg = read_data(in_scratch("data.csv"), "y");
    scenario r = {.name = "HTML evaluation page (regression)", .op = html_op, .kind = "evaluation"};
    OK(fit_model(&r.model, "linear_regression", "0", NULL, reg));
    OK(evaluator_with(&ev, "r2 >= 0.5", "noise:0.1;missing:0.2"));
    OK(mlops_evaluator_run(ev, r.model, reg, &r.report));
    mlops_evaluator_free(ev);
    torture(&r);
    r.name = "HTML model_card page (regression)";
    r.kind = "model_card";
    torture(&r);
    r.name = "HTML profile page (no bins)";
    r.kind = "profile";
    OK(mlops_profile_create(&r.profile));
    OK(mlops_profile_add(r.profile, reg));
    torture(&r);
    mlops_profile_free(r.profile);
    mlops_report_free(r.report);
    mlops_model_free(r.model);
    mlops_dataset_free(reg);

    char *page = NULL;
    OK(mlops_report_html(s.report, NULL, &page));
    char *page_copy = take(page);
    s.name = "HTML save";
    s.kind = "save";
    s.page = page_copy;
    s.path = in_scratch("page.html");
    s.watch_dir = scratch;
    s.kept_file = s.path;
    torture(&s);
    free(page_copy);

    /* the pages of a whole run directory */
    const char *pipeline = write_pipeline();
    mlops_pipeline *p = NULL;
    OK(mlops_pipeline_load(&p, pipeline));
    OK(mlops_pipeline_override(p, "output.reports=false"));
    OK(mlops_pipeline_run(p, in_scratch("pipe/run")));
    mlops_pipeline_free(p);
    ck_assert_int_eq(mkdir(in_scratch("pages"), 0777), 0);
    s.name = "HTML run report";
    s.kind = "run";
    s.dir = in_scratch("pipe/run");
    s.path = in_scratch("pages");
    s.watch_dir = in_scratch("pages");
    s.kept_file = in_scratch("pages/evaluation.html");
    torture(&s);

    for (size_t i = 0; i < 5; i++) free(json[i]);
    mlops_dataset_free(s.part[0]);
    mlops_dataset_free(s.part[1]);
    mlops_drift_monitor_free(s.monitor);
    mlops_drift_report_free(s.drift);
    mlops_report_free(s.report);
    mlops_model_free(s.model);
    mlops_profile_free(s.profile);
    mlops_dataset_free(ref);
    mlops_dataset_free(cur);
}
END_TEST

/* One test case per scenario, so CK_RUN_CASE can pick one. */
static void add_case(Suite *s, const char *name, const TTest *test)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test);
    suite_add_tcase(s, tc);
}

Suite *test_suite(void)
{
    Suite *s = suite_create("oom_torture");
    add_case(s, "read_csv", read_csv);
    add_case(s, "profile", profile);
    add_case(s, "fit", fit_each_kind);
    add_case(s, "model_io", model_save_load);
    add_case(s, "evaluate", evaluate);
    add_case(s, "drift", drift);
    add_case(s, "pipeline", pipeline_run);
    add_case(s, "registry", registry_promote);
    add_case(s, "html", html_pages);
    return s;
}
