/* Helper of tests/robust/test_crash_safety.py, which kills this program with
 * SIGKILL at random moments and then checks what it left on disk.
 *
 * Work modes loop until killed, writing "begin OP ARG" before and "done OP
 * ARG" after each operation (line-buffered), so the test knows which
 * operations completed and which one may have been cut short:
 *   model DIR TARGET        saves the models of DIR/model-b.mlops,
 *                           model-c.mlops and model-a.mlops (as loaded) to
 *                           TARGET in turn
 *   profile DIR TARGET      the same with DIR/profile-?.prof
 *   promote CSV DIR REG N   fits a new model per round (seed N, N+1, ...),
 *                           registers it in registry REG and moves the
 *                           aliases staging and production to it
 *   audit CSV DIR REG LOG N appends refusals to registry REG and decision
 *                           records (single and batches) to decision log LOG
 * Other modes:
 *   prepare CSV DIR         writes the three models, three profiles (and
 *                           profile-?.saved: what saving them once loaded
 *                           gives) and the two registries (DIR/promote,
 *                           DIR/audit) the work modes start from
 *   check-registry REG [LOG]  verifies a registry as a crash left it, opens
 *                           it (which repairs it), verifies it again and
 *                           resolves and loads cars@production; then with
 *                           LOG, check-log LOG
 *   check-log LOG           verifies a decision log as a crash left it, opens
 *                           it (which cuts a torn last line), verifies again
 *                           (keys prefixed "log_")
 * Check modes print one "KEY VALUE" line per result; JSON reports are
 * printed on one line. Exit status 0 unless the arguments are wrong or a
 * work mode's operation fails. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#define MODEL_NAME "cars"

static void die(const char *what)
{
    fprintf(stderr, "crash_worker: %s: %s\n", what, mlops_last_error());
    exit(2);
}

static void ok(int rc, const char *what)
{
    if (rc != MLOPS_OK) die(what);
}

static char *path_in(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (p == NULL) {
        fputs("crash_worker: out of memory\n", stderr);
        exit(2);
    }
    snprintf(p, n, "%s/%s", dir, file);
    return p;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* ---- Data and models --------------------------------------------------- */

static size_t column(const mlops_dataset *d, const char *name)
{
    size_t col = 0;
    ok(mlops_dataset_column_index(d, name, &col), name);
    return col;
}

/* cars.csv without the rows whose target is missing, with its roles set. */
static mlops_dataset *read_cars(const char *csv)
{
    mlops_dataset *all = NULL, *d = NULL;
    ok(mlops_dataset_read_csv(&all, csv, NULL), csv);
    size_t mpg = column(all, "Miles_per_Gallon"), rows = mlops_dataset_rows(all);
    uint8_t *keep = malloc(rows ? rows : 1);
    if (keep == NULL) exit(2);
    for (size_t r = 0; r < rows; r++) keep[r] = mlops_dataset_is_missing(all, mpg, r) == 0;
    ok(mlops_dataset_filter_rows(&d, all, keep), "filter rows");
    free(keep);
    mlops_dataset_free(all);
    ok(mlops_dataset_set_role(d, column(d, "Miles_per_Gallon"), MLOPS_ROLE_TARGET), "role");
    ok(mlops_dataset_set_role(d, column(d, "Name"), MLOPS_ROLE_ID), "role");
    ok(mlops_dataset_set_role(d, column(d, "Year"), MLOPS_ROLE_TIME), "role");
    return d;
}

/* A linear regression with a chain; `l2` and `seed` make models differ. */
static mlops_model *fit(const mlops_dataset *d, const char *l2, unsigned long long seed)
{
    mlops_transform *t = NULL;
    ok(mlops_transform_create(&t), "transform");
    if (mlops_transform_add(t, "impute", "*") < 0 || mlops_transform_add(t, "standardize", "*") < 0 ||
        mlops_transform_add(t, "onehot", "Origin") < 0)
        die("transform steps");
    mlops_model *m = NULL;
    ok(mlops_model_create(&m, "linear_regression"), "model");
    ok(mlops_model_set_param(m, "l2", l2), "l2");
    char text[32];
    snprintf(text, sizeof text, "%llu", seed);
    ok(mlops_model_set_param(m, "seed", text), "seed");
    ok(mlops_model_set_transform(m, t), "chain");
    ok(mlops_model_card_set(m, "created", "2026-11-27T00:00:00Z"), "card");
    ok(mlops_model_card_set(m, "owner", "Fuel economy office"), "card");
    ok(mlops_model_fit(m, d), "fit");
    mlops_transform_free(t);
    return m;
}

static mlops_profile *profile_of(const mlops_dataset *d, int bins)
{
    mlops_profile *p = NULL;
    ok(mlops_profile_create(&p), "profile");
    ok(mlops_profile_add(p, d), "profile add");
    if (bins) ok(mlops_profile_fix_bins(p), "profile bins");
    return p;
}

static void payload_hash(const mlops_model *m, char hash[65])
{
    ok(mlops_model_payload_hash(m, hash, 65), "payload hash");
}

/* ---- prepare ------------------------------------------------------------ */

enum { VERSIONS = 3 };
static const char NAMES[VERSIONS] = {'a', 'b', 'c'};

static char *version_path(const char *dir, const char *kind, char name, const char *ext)
{
    char file[64];
    snprintf(file, sizeof file, "%s-%c.%s", kind, name, ext);
    return path_in(dir, file);
}

static int prepare(const char *csv, const char *dir)
{
    mlops_dataset *d = read_cars(csv);
    /* Three models (other penalties and seeds) and three profiles: of the
     * first 100 rows without bins, of all rows and of rows 100 .. 299 with
     * bins. */
    static const char *const L2[VERSIONS] = {"0", "1", "3"};
    static const size_t FIRST[VERSIONS] = {0, 0, 100}, COUNT[VERSIONS] = {100, 0, 200};
    for (size_t v = 0; v < VERSIONS; v++) {
        mlops_model *m = fit(d, L2[v], v + 1);
        char *path = version_path(dir, "model", NAMES[v], "mlops");
        ok(mlops_model_save(m, path), path);
        mlops_model_free(m);
        free(path);

        mlops_dataset *part = NULL;
        if (COUNT[v] > 0) {
            size_t rows[200];
            for (size_t i = 0; i < COUNT[v]; i++) rows[i] = FIRST[v] + i;
            ok(mlops_dataset_take_rows(&part, d, rows, COUNT[v]), "take rows");
        }
        mlops_profile *p = profile_of(part != NULL ? part : d, v > 0);
        path = version_path(dir, "profile", NAMES[v], "prof");
        ok(mlops_profile_save(p, path), path);
        mlops_profile_free(p);
        mlops_dataset_free(part);
        /* A profile file lists exact values and row hashes "in no
         * particular order" (mlops-profile(5)), so a loaded profile may save
         * to other bytes than the file it came from; the bytes the profile
         * mode writes are those of a loaded profile. */
        p = NULL;
        ok(mlops_profile_load(&p, path), path);
        free(path);
        path = version_path(dir, "profile", NAMES[v], "saved");
        ok(mlops_profile_save(p, path), path);
        mlops_profile_free(p);
        free(path);
    }

    /* Both registries start with model a registered and in production. */
    static const char *const REGS[] = {"promote", "audit"};
    char version[MLOPS_REGISTRY_VERSION_SIZE];
    char *pa = version_path(dir, "model", 'a', "mlops");
    for (size_t i = 0; i < 2; i++) {
        char *reg = path_in(dir, REGS[i]);
        mlops_registry *r = NULL;
        ok(mlops_registry_open(&r, reg, MLOPS_REGISTRY_CREATE), reg);
        ok(mlops_registry_set_actor(r, "crash-test"), "actor");
        ok(mlops_registry_register(r, MODEL_NAME, pa, "first version", version, sizeof version),
           "register");
        ok(mlops_registry_set_alias(r, MODEL_NAME, "production", version, NULL), "alias");
        mlops_registry_free(r);
        free(reg);
    }
    say("prepared %s", version);
    free(pa);
    mlops_dataset_free(d);
    return 0;
}

/* ---- work modes ------------------------------------------------------- */

static _Noreturn void save_models(const char *dir, const char *target)
{
    mlops_model *m[VERSIONS] = {NULL};
    for (size_t v = 0; v < VERSIONS; v++) {
        char *path = version_path(dir, "model", NAMES[v], "mlops");
        ok(mlops_model_load(&m[v], path), path);
        free(path);
    }
    say("ready");
    for (unsigned long i = 1;; i++) {
        say("begin save %c", NAMES[i % VERSIONS]);
        ok(mlops_model_save(m[i % VERSIONS], target), target);
        say("done save %c", NAMES[i % VERSIONS]);
    }
}

static _Noreturn void save_profiles(const char *dir, const char *target)
{
    mlops_profile *p[VERSIONS] = {NULL};
    for (size_t v = 0; v < VERSIONS; v++) {
        char *path = version_path(dir, "profile", NAMES[v], "prof");
        ok(mlops_profile_load(&p[v], path), path);
        free(path);
    }
    say("ready");
    for (unsigned long i = 1;; i++) {
        say("begin save %c", NAMES[i % VERSIONS]);
        ok(mlops_profile_save(p[i % VERSIONS], target), target);
        say("done save %c", NAMES[i % VERSIONS]);
    }
}

static _Noreturn void promote(const char *csv, const char *dir, const char *reg, unsigned long long seed)
{
    mlops_dataset *d = read_cars(csv);
    mlops_registry *r = NULL;
    ok(mlops_registry_open(&r, reg, 0), reg);
    ok(mlops_registry_set_actor(r, "crash-test"), "actor");
    char *candidate = path_in(dir, "candidate.mlops");
    say("ready");
    for (;; seed++) {
        mlops_model *m = fit(d, "0.5", seed);
        char version[65];
        payload_hash(m, version);
        ok(mlops_model_save(m, candidate), candidate);
        mlops_model_free(m);
        say("begin register %s", version);
        ok(mlops_registry_register(r, MODEL_NAME, candidate, "retrained", NULL, 0), "register");
        say("done register %s", version);
        static const char *const ALIASES[] = {"staging", "production"};
        for (size_t a = 0; a < 2; a++) {
            say("begin alias %s %s", ALIASES[a], version);
            ok(mlops_registry_set_alias(r, MODEL_NAME, ALIASES[a], version, "promoted"), "alias");
            say("done alias %s %s", ALIASES[a], version);
        }
    }
}

static _Noreturn void audit(const char *csv, const char *dir, const char *reg, const char *log_path,
                 unsigned long long seed)
{
    mlops_dataset *d = read_cars(csv);
    mlops_model *m = NULL;
    char *pa = path_in(dir, "model-a.mlops");
    ok(mlops_model_load(&m, pa), pa);
    char version[65];
    payload_hash(m, version);
    mlops_registry *r = NULL;
    ok(mlops_registry_open(&r, reg, 0), reg);
    ok(mlops_registry_set_actor(r, "crash-test"), "actor");
    mlops_decision_log *log = NULL;
    ok(mlops_decision_log_open(&log, log_path), log_path);
    ok(mlops_decision_log_set_actor(log, "crash-test"), "actor");
    enum { BATCH = 5 };
    size_t rows = mlops_dataset_rows(d);
    const char *outputs[BATCH] = {"low", "low", "high", "low", "high"};
    say("ready");
    for (unsigned long long i = seed;; i++) {
        size_t row = (size_t)(i % rows);
        switch (i % 3) {
        case 0:
            say("begin refuse 1");
            ok(mlops_registry_record_refusal(r, MODEL_NAME, "production", version,
                                             "gate failed: rmse above 4.0"),
               "refusal");
            say("done refuse 1");
            break;
        case 1:
            say("begin decide 1");
            ok(mlops_decision_log_record(log, m, MODEL_NAME "@production", d, row,
                                         i % 2 ? "high" : "low"),
               "decision");
            say("done decide 1");
            break;
        default: {
            size_t take[BATCH];
            for (size_t k = 0; k < BATCH; k++) take[k] = (row + k) % rows;
            mlops_dataset *batch = NULL;
            ok(mlops_dataset_take_rows(&batch, d, take, BATCH), "take rows");
            say("begin decide %d", BATCH);
            ok(mlops_decision_log_record_dataset(log, m, MODEL_NAME "@production", batch, outputs),
               "decisions");
            say("done decide %d", BATCH);
            mlops_dataset_free(batch);
        }
        }
    }
}

/* ---- check modes ------------------------------------------------------- */

/* A report on one line: JSON strings hold no raw line ends. */
static void say_json(const char *key, int rc, char *json)
{
    for (char *p = json; p != NULL && *p != '\0'; p++)
        if (*p == '\n') *p = ' ';
    say("%s %d %s", key, rc, json != NULL ? json : "null");
    mlops_free(json);
}

static int check_registry(const char *reg)
{
    char *json = NULL;
    int rc = mlops_registry_verify(reg, &json);
    say_json("verify_before", rc, json);
    mlops_registry *r = NULL;
    rc = mlops_registry_open(&r, reg, 0);
    say("open %d %s", rc, rc == MLOPS_OK ? "" : mlops_last_error());
    if (rc != MLOPS_OK) return 0;
    json = NULL;
    rc = mlops_registry_verify(reg, &json);
    say_json("verify_after", rc, json);
    static const char *const REFS[] = {MODEL_NAME "@staging", MODEL_NAME "@production"};
    for (size_t i = 0; i < 2; i++) {
        char *version = NULL;
        rc = mlops_registry_resolve(r, REFS[i], &version, NULL);
        say("resolve %s %d %s", REFS[i], rc, rc == MLOPS_OK ? version : "-");
        mlops_free(version);
    }
    mlops_model *m = NULL;
    rc = mlops_registry_load_model(r, MODEL_NAME "@production", &m);
    char hash[65] = "-";
    if (rc == MLOPS_OK) payload_hash(m, hash);
    say("load %d %s", rc, hash);
    mlops_model_free(m);
    mlops_registry_free(r);
    return 0;
}

/* Keys are prefixed "log_". */
static int check_log(const char *path)
{
    char *json = NULL;
    int rc = mlops_audit_verify(path, &json);
    say_json("log_verify_before", rc, json);
    mlops_decision_log *log = NULL;
    rc = mlops_decision_log_open(&log, path);
    say("log_open %d %s", rc, rc == MLOPS_OK ? "" : mlops_last_error());
    mlops_decision_log_free(log);
    json = NULL;
    rc = mlops_audit_verify(path, &json);
    say_json("log_verify_after", rc, json);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "prepare") == 0 && argc == 4) return prepare(argv[2], argv[3]);
    if (strcmp(mode, "model") == 0 && argc == 4) save_models(argv[2], argv[3]);
    if (strcmp(mode, "profile") == 0 && argc == 4) save_profiles(argv[2], argv[3]);
    if (strcmp(mode, "promote") == 0 && argc == 6)
        promote(argv[2], argv[3], argv[4], strtoull(argv[5], NULL, 10));
    if (strcmp(mode, "audit") == 0 && argc == 7)
        audit(argv[2], argv[3], argv[4], argv[5], strtoull(argv[6], NULL, 10));
    if (strcmp(mode, "check-registry") == 0 && (argc == 3 || argc == 4))
        return check_registry(argv[2]) || (argc == 4 && check_log(argv[3]));
    if (strcmp(mode, "check-log") == 0 && argc == 3) return check_log(argv[2]);
    fputs("usage: crash_worker prepare CSV DIR | model DIR TARGET | profile DIR TARGET |\n"
          "       promote CSV DIR REG SEED | audit CSV DIR REG LOG SEED |\n"
          "       check-registry REG [LOG] | check-log LOG\n",
          stderr);
    return 2;
}
