/* mlops_pipeline_run: prepares the run directory and runs the steps in
 * order, timing each and telling the step callback, so that whatever
 * happens the directory ends with a lock file describing what was done. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include <stdio.h>

#include "pipeline/run_context.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void utc_now(char *out, size_t cap)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    char base[32];
    if (gmtime_r(&ts.tv_sec, &tm) == NULL ||
        strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        out[0] = '\0';
        return;
    }
    unsigned micros = (unsigned)(ts.tv_nsec / 1000) % 1000000u;
    snprintf(out, cap, "%.19s.%06uZ", base, micros);
}

/* Claims the run directory with a marker only one process can create, so
 * two runs started at once into one directory cannot mix their files. It
 * stays (a hidden file, not an output) so the directory is never reused. */
static int claim(const char *dir)
{
    size_t n = strlen(dir) + sizeof "/.mlops-run";
    char *path = mlops__malloc(n, "run marker");
    if (path == NULL) return MLOPS_ENOMEM;
    snprintf(path, n, "%s/.mlops-run", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    int err = errno;
    mlops__free(path);
    if (fd < 0)
        return mlops__fail(err == EEXIST ? MLOPS_ESTATE : MLOPS_EIO, "pipeline run: cannot claim "
                           "run directory '%s': %s", dir, err == EEXIST ? "another run is using it"
                                                                          : strerror(err));
    close(fd);
    return MLOPS_OK;
}

/* Creates `dir` and its missing parents; an existing directory must be empty. */
static int make_run_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return mlops__fail(MLOPS_ESTATE, "pipeline run: '%s' exists and is not a directory",
                               dir);
        DIR *d = opendir(dir);
        if (d == NULL)
            return mlops__fail(MLOPS_EIO, "pipeline run: cannot open '%s': %s", dir,
                               strerror(errno));
        struct dirent *e;
        bool empty = true;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
        closedir(d);
        if (!empty)
            return mlops__fail(MLOPS_ESTATE, "pipeline run: run directory '%s' is not empty; "
                               "runs are never overwritten: choose a new directory", dir);
        return claim(dir);
    }
    char *copy = mlops__strdup(dir, "run directory");
    if (copy == NULL) return MLOPS_ENOMEM;
    int rc = MLOPS_OK;
    for (char *s = copy + 1; rc == MLOPS_OK; s++) {
        bool end = *s == '\0';
        if (*s != '/' && !end) continue;
        *s = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST)
            rc = mlops__fail(MLOPS_EIO, "pipeline run: cannot create directory '%s': %s", copy,
                             strerror(errno));
        if (end) break;
        *s = '/';
    }
    mlops__free(copy);
    return rc == MLOPS_OK ? claim(dir) : rc;
}

static void free_run(mlops__run *r)
{
    for (size_t i = 0; i < r->ninputs; i++) mlops__free(r->inputs[i].path);
    mlops_dataset_free(r->data);
    mlops_dataset_free(r->train);
    mlops_dataset_free(r->test);
    mlops_model_free(r->model);
    mlops_report_free(r->report);
    mlops_drift_report_free(r->drift);
    mlops__free(r->registry_name);
    mlops__free(r->registry_version);
    mlops__free(r->registry_alias);
    mlops__free(r->dir);
}

typedef int (*step_fn)(mlops__run *);

/* Runs one step between the callback's start and end notices. */
static int run_step(mlops__run *r, const char *name, const char *detail, step_fn fn)
{
    mlops_pipeline *p = r->p;
    if (p->step_fn != NULL && p->step_fn(p->step_ctx, name, detail, 0) != 0)
        return mlops__fail(MLOPS_ECANCELED, "pipeline run: canceled before step '%s'", name);
    double t0 = now_seconds();
    int rc = fn(r);
    if (r->nsteps < MLOPS_RUN_MAX_STEPS) {
        r->steps[r->nsteps].name = name;
        r->steps[r->nsteps].seconds = now_seconds() - t0;
        r->nsteps++;
    }
    if (rc != MLOPS_OK && rc != MLOPS_ENOMEM) {
        char why[1024];
        snprintf(why, sizeof why, "%s", mlops_last_error());
        return mlops__fail(rc, "pipeline %s: step '%s': %s", mlops__pipeline_value(p, "name"), name,
                           why);
    }
    if (rc != MLOPS_OK) return rc;
    if (p->step_fn != NULL && p->step_fn(p->step_ctx, name, detail, 1) != 0)
        return mlops__fail(MLOPS_ECANCELED, "pipeline run: canceled after step '%s'", name);
    return MLOPS_OK;
}

static int write_config(mlops__run *r)
{
    char *json = NULL;
    int rc = mlops_pipeline_config_json(r->p, &json);
    if (rc != MLOPS_OK) return rc;
    return mlops__run_write_json(r, "config.json", json);
}

/* A path given by the caller is taken from the working directory, as any
 * path passed to a C function is. */
static char *absolute(const char *path)
{
    if (path[0] == '/') return mlops__strdup(path, "run directory");
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) == NULL) {
        mlops__fail(MLOPS_EIO, "pipeline run: cannot read the working directory: %s",
                    strerror(errno));
        return NULL;
    }
    size_t n = strlen(cwd) + strlen(path) + 2;
    char *out = mlops__malloc(n, "run directory");
    if (out != NULL) snprintf(out, n, "%s/%s", cwd, path);
    return out;
}

/* The run directory: the argument, or output.dir, or runs/NAME beside the
 * pipeline file. */
static char *choose_dir(const mlops_pipeline *p, const char *run_dir)
{
    if (run_dir != NULL) return absolute(run_dir);
    const char *dir = mlops__pipeline_value(p, "output.dir");
    if (dir != NULL) return mlops__pipeline_resolve(p, dir);
    const char *name = mlops__pipeline_value(p, "name");
    size_t n = strlen(name) + sizeof "runs/";
    char *rel = mlops__malloc(n, "run directory");
    if (rel == NULL) return NULL;
    snprintf(rel, n, "runs/%s", name);
    char *abs = mlops__pipeline_resolve(p, rel);
    mlops__free(rel);
    return abs;
}

/* The pipeline file as the lock's first input, so verify re-checks it. */
static int add_pipeline_input(mlops__run *r)
{
    char *path = absolute(r->p->path);
    if (path == NULL) return mlops_last_error_code();
    int rc = mlops__run_add_input(r, "pipeline", path, NULL);
    mlops__free(path);
    return rc;
}

static int run_steps(mlops__run *r)
{
    int rc = run_step(r, "read data", mlops__pipeline_value(r->p, "data.path"), mlops__run_read_data);
    if (rc == MLOPS_OK) rc = run_step(r, "check data", "", mlops__run_check_data);
    if (rc != MLOPS_OK || r->stopped) return rc;
    if ((rc = run_step(r, "split", "", mlops__run_split)) != MLOPS_OK) return rc;
    if ((rc = run_step(r, "train", mlops__pipeline_value(r->p, "model.kind"), mlops__run_train)) !=
        MLOPS_OK)
        return rc;
    if ((rc = run_step(r, "evaluate", "", mlops__run_evaluate)) != MLOPS_OK) return rc;
    return run_step(r, "monitor", "", mlops__run_monitor);
}

MLOPS_API int mlops_pipeline_run(mlops_pipeline *p, const char *run_dir)
{
    MLOPS_CHECK_ARG(p != NULL, "mlops_pipeline_run", "NULL pipeline");
    if (!p->validated || p->nproblems > 0) {
        int rc = mlops_pipeline_validate(p);
        if (rc != MLOPS_OK) return rc;
    }
    mlops__free(p->summary_json);
    p->summary_json = NULL;
    p->ran = false;

    mlops__run r;
    memset(&r, 0, sizeof r);
    r.p = p;
    r.seed = mlops__run_seed(p);
    utc_now(r.started, sizeof r.started);
    r.dir = choose_dir(p, run_dir);
    int rc = r.dir == NULL ? mlops_last_error_code() : make_run_dir(r.dir);
    if (rc == MLOPS_OK) rc = add_pipeline_input(&r);
    if (rc == MLOPS_OK) {
        rc = run_steps(&r);
        if (rc == MLOPS_OK) rc = write_config(&r);
        if (rc == MLOPS_OK) rc = run_step(&r, "report", "", mlops__run_reports);
        bool passed = r.data_valid && r.gates_passed && !r.drift_failed;
        /* a registry that refuses still leaves a verifiable run behind */
        int registered = rc == MLOPS_OK ? run_step(&r, "register", "", mlops__run_register) : rc;
        char why[1024] = "";
        if (registered != MLOPS_OK) snprintf(why, sizeof why, "%s", mlops_last_error());
        utc_now(r.finished, sizeof r.finished);
        if (rc == MLOPS_OK) rc = mlops__run_write_lock(&r);
        if (rc == MLOPS_OK) rc = mlops__run_write_summary(&r);
        if (rc == MLOPS_OK && registered != MLOPS_OK)
            rc = mlops__fail(registered, "%s; the run is recorded in %s", why, r.dir);
        if (rc == MLOPS_OK) p->ran = true;
        if (rc == MLOPS_OK && !passed)
            rc = mlops__fail(MLOPS_EGATE, "pipeline %s: %s; the run is recorded in %s",
                             mlops__pipeline_value(p, "name"),
                             !r.data_valid     ? "the data broke a validation rule"
                             : !r.gates_passed ? "an evaluation gate failed"
                                               : "the current batch drifted",
                             r.dir);
    }
    free_run(&r);
    return rc;
}
