/* Private: the state of one pipeline run as its steps pass it along
 * (pipeline_run.c orchestrates; run_data.c, run_model.c, run_evaluate.c,
 * run_monitor.c and run_registry.c are the steps; run_lock.c writes the
 * record). Every object here comes from the public API. */
#ifndef MLOPS_PIPELINE_RUN_CONTEXT_H
#define MLOPS_PIPELINE_RUN_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <mlops.h>

#include "pipeline/pipeline_impl.h"

enum { MLOPS_RUN_MAX_STEPS = 16, MLOPS_RUN_MAX_INPUTS = 4 };

/* A file the run read, as recorded in the lock. */
typedef struct mlops__run_input {
    const char *role;        /* "data", "schema", "current" */
    char *path;              /* absolute */
    char sha256[65];
    unsigned long long bytes;
    char fingerprint[65];    /* of the dataset read from it, "" when none */
    size_t rows, cols;
} mlops__run_input;

typedef struct mlops__run_step_time {
    const char *name;
    double seconds;
} mlops__run_step_time;

typedef struct mlops__run {
    mlops_pipeline *p;
    char *dir;                      /* run directory, absolute, no trailing '/' */
    mlops__run_input inputs[MLOPS_RUN_MAX_INPUTS];
    size_t ninputs;
    mlops__run_step_time steps[MLOPS_RUN_MAX_STEPS];
    size_t nsteps;
    char started[40], finished[40];
    unsigned long long seed;

    mlops_dataset *data, *train, *test;
    bool classification;
    size_t dropped_rows;            /* rows without a target value */
    mlops_model *model;
    char payload_sha256[65];
    mlops_report *report;           /* evaluation */
    mlops_drift_report *drift;

    bool data_valid;                /* no rule violated (or on_invalid: warn) */
    size_t violations;
    bool gates_passed;
    bool drift_failed;              /* drifted with fail_on_drift */
    bool stopped;                   /* a failed data check ended the run early */

    /* registry outcome, for the summary and the lock */
    char *registry_name, *registry_version, *registry_alias;
    bool registered, refused;
} mlops__run;

/* Steps: each returns MLOPS_OK or the failing code with a message. */
int mlops__run_read_data(mlops__run *r);
int mlops__run_check_data(mlops__run *r);
int mlops__run_split(mlops__run *r);
int mlops__run_train(mlops__run *r);
int mlops__run_evaluate(mlops__run *r);
int mlops__run_monitor(mlops__run *r);
/* Writes the HTML pages of the run (output.reports). */
int mlops__run_reports(mlops__run *r);
int mlops__run_register(mlops__run *r);
int mlops__run_write_lock(mlops__run *r);
int mlops__run_write_summary(mlops__run *r);

/* Writes key "registry": null or the registry outcome (summary and lock). */
struct mlops__json;
void mlops__run_json_registry(struct mlops__json *j, const mlops__run *r);

/* Writes `len` bytes to FILE in the run directory, atomically. */
int mlops__run_write(mlops__run *r, const char *file, const void *data, size_t len);
/* Writes a NUL-terminated JSON text plus a final newline, and frees it
 * with mlops_free() in every case. */
int mlops__run_write_json(mlops__run *r, const char *file, char *json);
/* The same for a file of the run directory. */
char *mlops__run_path(const mlops__run *r, const char *file);
/* Hashes the file at `path`: SHA-256 hex and size. */
int mlops__file_sha256(const char *path, char hex[65], unsigned long long *bytes);
/* Records an input file (hashing it). */
int mlops__run_add_input(mlops__run *r, const char *role, const char *path,
                         const mlops_dataset *d);
/* The items of a list node (or a single scalar) joined by `sep` into a new
 * string (mlops__free); "" for an absent node; NULL on ENOMEM. */
char *mlops__run_join(const mlops__ynode *n, const char *sep);
/* The text of an integer/number setting, or the default, as a double. */
double mlops__run_number(const mlops_pipeline *p, const char *path, double fallback);
/* The seed, exactly as written (an integer in [0, 2^64)). */
unsigned long long mlops__run_seed(const mlops_pipeline *p);

#endif
