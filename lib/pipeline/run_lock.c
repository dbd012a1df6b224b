/* mlops.lock: the record of a run. It holds the resolved configuration,
 * the size and SHA-256 of every input and every output file, the dataset
 * fingerprints, the library version, the seed, the outcome, and the times
 * (which live only here, so every other file repeats byte for byte on a
 * rerun). Its own checksum, "lock_sha256", is the SHA-256 of the file with
 * that value replaced by 64 zeros: an edit anywhere is detected, and an
 * auditor can recompute it with a one-line script. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "core/sha256.h"
#include <stdio.h>

#include "pipeline/run_context.h"
#include "pipeline/run_lock.h"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of the run directory but the lock, sorted by name. */
static int list_outputs(const char *dir, char ***names, size_t *count)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return mlops__fail(MLOPS_EIO, "pipeline run: cannot list '%s': %s", dir, strerror(errno));
    char **list = NULL;
    size_t n = 0, cap = 0;
    int rc = MLOPS_OK;
    struct dirent *e;
    while (rc == MLOPS_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, MLOPS_LOCK_FILE) == 0) continue;
        if (n == cap) {
            size_t grown = cap ? 2 * cap : 16;
            char **bigger = mlops__realloc_array(list, grown, sizeof *list, "output list");
            if (bigger == NULL) {
                rc = MLOPS_ENOMEM;
                break;
            }
            list = bigger;
            cap = grown;
        }
        if ((list[n] = mlops__strdup(e->d_name, "output name")) == NULL) rc = MLOPS_ENOMEM;
        else n++;
    }
    closedir(d);
    if (n > 0) qsort(list, n, sizeof *list, compare_names);
    *names = list;
    *count = n;
    return rc;
}

static void write_inputs(mlops__json *j, const mlops__run *r)
{
    mlops__json_key(j, "inputs");
    mlops__json_begin_array(j);
    for (size_t i = 0; i < r->ninputs; i++) {
        const mlops__run_input *in = &r->inputs[i];
        mlops__json_begin_object(j);
        mlops__json_key(j, "role");
        mlops__json_string(j, in->role);
        mlops__json_key(j, "path");
        mlops__json_string(j, in->path);
        mlops__json_key(j, "bytes");
        mlops__json_uint(j, in->bytes);
        mlops__json_key(j, "sha256");
        mlops__json_string(j, in->sha256);
        if (in->fingerprint[0] != '\0') {
            mlops__json_key(j, "fingerprint");
            mlops__json_string(j, in->fingerprint);
            mlops__json_key(j, "rows");
            mlops__json_uint(j, in->rows);
            mlops__json_key(j, "columns");
            mlops__json_uint(j, in->cols);
        }
        mlops__json_end_object(j);
    }
    mlops__json_end_array(j);
}

static int write_outputs(mlops__json *j, const mlops__run *r)
{
    char **names = NULL;
    size_t n = 0;
    int rc = list_outputs(r->dir, &names, &n);
    mlops__json_key(j, "outputs");
    mlops__json_begin_array(j);
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++) {
        char *path = mlops__run_path(r, names[i]);
        char hex[65];
        unsigned long long bytes = 0;
        rc = path == NULL ? MLOPS_ENOMEM : mlops__file_sha256(path, hex, &bytes);
        mlops__free(path);
        if (rc != MLOPS_OK) break;
        mlops__json_begin_object(j);
        mlops__json_key(j, "path");
        mlops__json_string(j, names[i]);
        mlops__json_key(j, "bytes");
        mlops__json_uint(j, bytes);
        mlops__json_key(j, "sha256");
        mlops__json_string(j, hex);
        mlops__json_end_object(j);
    }
    mlops__json_end_array(j);
    for (size_t i = 0; i < n; i++) mlops__free(names[i]);
    mlops__free(names);
    return rc;
}

static void write_result(mlops__json *j, const mlops__run *r)
{
    mlops__json_key(j, "result");
    mlops__json_begin_object(j);
    mlops__json_key(j, "passed");
    mlops__json_bool(j, r->data_valid && r->gates_passed && !r->drift_failed);
    mlops__json_key(j, "data_valid");
    mlops__json_bool(j, r->data_valid);
    mlops__json_key(j, "violations");
    mlops__json_uint(j, r->violations);
    mlops__json_key(j, "dropped_missing_target");
    mlops__json_uint(j, r->dropped_rows);
    mlops__json_key(j, "gates_passed");
    if (r->report != NULL) mlops__json_bool(j, r->gates_passed);
    else mlops__json_null(j);
    mlops__json_key(j, "dataset_drift");
    if (r->drift != NULL) mlops__json_bool(j, mlops_drift_report_dataset_drift(r->drift, NULL) == 1);
    else mlops__json_null(j);
    mlops__json_end_object(j);
    mlops__json_key(j, "model");
    if (r->model == NULL || r->payload_sha256[0] == '\0') {
        mlops__json_null(j);
    } else {
        mlops__json_begin_object(j);
        mlops__json_key(j, "file");
        mlops__json_string(j, "model.mlops");
        mlops__json_key(j, "kind");
        mlops__json_string(j, mlops_model_kind(r->model));
        mlops__json_key(j, "payload_sha256");
        mlops__json_string(j, r->payload_sha256);
        mlops__json_end_object(j);
    }
    mlops__run_json_registry(j, r);
}

static void write_times(mlops__json *j, const mlops__run *r)
{
    mlops__json_key(j, "started");
    mlops__json_string(j, r->started);
    mlops__json_key(j, "finished");
    mlops__json_string(j, r->finished);
    mlops__json_key(j, "timings");
    mlops__json_begin_array(j);
    for (size_t i = 0; i < r->nsteps; i++) {
        mlops__json_begin_object(j);
        mlops__json_key(j, "step");
        mlops__json_string(j, r->steps[i].name);
        mlops__json_key(j, "seconds");
        mlops__json_double(j, r->steps[i].seconds);
        mlops__json_end_object(j);
    }
    mlops__json_end_array(j);
}

static void write_pipeline(mlops__json *j, const mlops__run *r)
{
    const mlops_pipeline *p = r->p;
    mlops__json_key(j, "pipeline");
    mlops__json_begin_object(j);
    mlops__json_key(j, "name");
    mlops__json_string(j, mlops__pipeline_value(p, "name"));
    mlops__json_key(j, "path");
    mlops__json_string(j, p->path);
    mlops__json_key(j, "sha256");
    mlops__json_string(j, p->sha256);
    mlops__json_key(j, "overrides");
    mlops__json_begin_array(j);
    for (size_t i = 0; i < p->noverrides; i++) mlops__json_string(j, p->overrides[i]);
    mlops__json_end_array(j);
    mlops__json_end_object(j);
}

int mlops__lock_checksum(const char *text, size_t len, char hex[65])
{
    static const char key[] = "\"lock_sha256\": \"";
    const char *at = strstr(text, key);
    if (at == NULL || (size_t)(at - text) + sizeof key - 1 + 64 > len)
        return mlops__fail(MLOPS_EFORMAT, "lock file: no \"lock_sha256\" field");
    size_t value = (size_t)(at - text) + sizeof key - 1;
    mlops__sha256 h;
    mlops__sha256_init(&h);
    mlops__sha256_update(&h, text, value);
    mlops__sha256_update(&h, "0000000000000000000000000000000000000000000000000000000000000000", 64);
    mlops__sha256_update(&h, text + value + 64, len - value - 64);
    unsigned char digest[MLOPS_SHA256_SIZE];
    mlops__sha256_final(&h, digest);
    mlops__hex_encode(digest, sizeof digest, hex);
    return MLOPS_OK;
}

int mlops__run_write_lock(mlops__run *r)
{
    char *config = NULL;
    int rc = mlops_pipeline_config_json(r->p, &config);
    if (rc != MLOPS_OK) return rc;
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "lock_version");
    mlops__json_int(&j, MLOPS_LOCK_VERSION);
    mlops__json_key(&j, "lock_sha256");
    mlops__json_string(&j, "0000000000000000000000000000000000000000000000000000000000000000");
    mlops__json_key(&j, "library");
    mlops__json_string(&j, mlops_version_string());
    write_pipeline(&j, r);
    mlops__json_key(&j, "seed");
    mlops__json_uint(&j, r->seed);
    mlops__json_key(&j, "config");
    mlops__json_raw(&j, config, strlen(config));
    mlops_free(config);
    write_inputs(&j, r);
    rc = write_outputs(&j, r);
    write_result(&j, r);
    write_times(&j, r);
    mlops__json_end_object(&j);
    char *text = NULL;
    size_t len = 0;
    if (rc != MLOPS_OK) {
        mlops__json_free(&j);
        return rc;
    }
    if ((rc = mlops__json_finish(&j, &text, &len)) != MLOPS_OK) return rc;
    /* the file ends with a newline, which the checksum covers too */
    char *file = mlops__realloc(text, len + 2, "lock file");
    if (file == NULL) {
        mlops__free(text);
        return MLOPS_ENOMEM;
    }
    file[len++] = '\n';
    file[len] = '\0';
    char hex[65];
    rc = mlops__lock_checksum(file, len, hex);
    if (rc == MLOPS_OK) {
        char *at = strstr(file, "\"lock_sha256\": \"") + sizeof "\"lock_sha256\": \"" - 1;
        memcpy(at, hex, 64);
        rc = mlops__run_write(r, MLOPS_LOCK_FILE, file, len);
    }
    mlops__free(file);
    return rc;
}
