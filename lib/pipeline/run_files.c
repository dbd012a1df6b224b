/* The run directory's file helpers: writing artifacts atomically, hashing
 * files for the lock, recording inputs, and reading list and number
 * settings out of the configuration. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/numfmt.h"
#include "core/sha256.h"
#include "pipeline/pipeline_check.h"
#include <stdio.h>

#include "pipeline/run_context.h"

char *mlops__run_path(const mlops__run *r, const char *file)
{
    return mlops__join_path(r->dir, file);
}

int mlops__run_write(mlops__run *r, const char *file, const void *data, size_t len)
{
    char *path = mlops__run_path(r, file);
    if (path == NULL) return MLOPS_ENOMEM;
    int rc = mlops__write_file_atomic(path, data, len);
    mlops__free(path);
    return rc;
}

int mlops__run_write_json(mlops__run *r, const char *file, char *json)
{
    size_t n = strlen(json);
    /* the writers' documents end without a newline; files end with one */
    char *text = mlops__malloc(n + 2, "JSON file");
    int rc = MLOPS_ENOMEM;
    if (text != NULL) {
        memcpy(text, json, n);
        text[n] = '\n';
        text[n + 1] = '\0';
        rc = mlops__run_write(r, file, text, n + 1);
        mlops__free(text);
    }
    mlops_free(json);
    return rc;
}

int mlops__file_sha256(const char *path, char hex[65], unsigned long long *bytes)
{
    int fd = -1;
    struct stat st;
    /* a device or a pipe named in a lock file must not hang a verification */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return mlops__fail(MLOPS_EINVAL, "'%s' is not a regular file", path);
    int rc = mlops__open_for_reading(path, &fd, &st);
    if (rc != MLOPS_OK) return rc;
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return mlops__fail(MLOPS_EINVAL, "'%s' is not a regular file", path);
    }
    enum { CHUNK = 1 << 16 };
    unsigned char *buf = mlops__malloc(CHUNK, "file hash buffer");
    if (buf == NULL) {
        close(fd);
        return MLOPS_ENOMEM;
    }
    mlops__sha256 h;
    mlops__sha256_init(&h);
    unsigned long long total = 0;
    for (;;) {
        ssize_t got = read(fd, buf, CHUNK);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            rc = mlops__fail(MLOPS_EIO, "cannot read '%s': %s", path, strerror(errno));
            break;
        }
        if (got == 0) break;
        mlops__sha256_update(&h, buf, (size_t)got);
        total += (unsigned long long)got;
    }
    close(fd);
    mlops__free(buf);
    if (rc != MLOPS_OK) return rc;
    unsigned char digest[MLOPS_SHA256_SIZE];
    mlops__sha256_final(&h, digest);
    mlops__hex_encode(digest, sizeof digest, hex);
    *bytes = total;
    return MLOPS_OK;
}

int mlops__run_add_input(mlops__run *r, const char *role, const char *path,
                         const mlops_dataset *d)
{
    if (r->ninputs == MLOPS_RUN_MAX_INPUTS)
        return mlops__fail(MLOPS_ESTATE, "pipeline run: too many input files");
    mlops__run_input *in = &r->inputs[r->ninputs];
    memset(in, 0, sizeof *in);
    in->role = role;
    in->path = mlops__strdup(path, "input path");
    if (in->path == NULL) return MLOPS_ENOMEM;
    r->ninputs++;
    int rc = mlops__file_sha256(path, in->sha256, &in->bytes);
    if (rc == MLOPS_OK && d != NULL) {
        rc = mlops_dataset_fingerprint(d, in->fingerprint, sizeof in->fingerprint);
        in->rows = mlops_dataset_rows(d);
        in->cols = mlops_dataset_cols(d);
    }
    return rc;
}

char *mlops__run_join(const mlops__ynode *n, const char *sep)
{
    if (n == NULL || mlops__ynode_is_null(n)) return mlops__strdup("", "list text");
    if (n->kind == MLOPS_YNODE_SCALAR)
        return mlops__strdup(mlops__pipeline_setting_text(n), "list text");
    size_t total = 1, seplen = strlen(sep);
    for (size_t i = 0; i < n->count; i++) {
        const char *t = mlops__pipeline_setting_text(n->items[i]);
        total += (t ? strlen(t) : 0) + seplen;
    }
    char *out = mlops__malloc(total, "list text");
    if (out == NULL) return NULL;
    size_t len = 0;
    for (size_t i = 0; i < n->count; i++) {
        const char *t = mlops__pipeline_setting_text(n->items[i]);
        if (i > 0) {
            memcpy(out + len, sep, seplen);
            len += seplen;
        }
        if (t != NULL) {
            memcpy(out + len, t, strlen(t));
            len += strlen(t);
        }
    }
    out[len] = '\0';
    return out;
}

double mlops__run_number(const mlops_pipeline *p, const char *path, double fallback)
{
    const char *text = mlops__pipeline_value(p, path);
    if (text == NULL) return fallback;
    char *end = NULL;
    /* the host program's locale must not change what a file says */
    double v = mlops__strtod_c(text, &end);
    return end != text && *end == '\0' ? v : fallback;
}

unsigned long long mlops__run_seed(const mlops_pipeline *p)
{
    const char *text = mlops__pipeline_value(p, "seed");
    return text != NULL && text[0] != '-' ? strtoull(text, NULL, 10) : 0;
}
