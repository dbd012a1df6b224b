/* Decision logs: for every decision a served model makes, one record in
 * the audit log format (model reference and version, input fingerprint,
 * output, time), so an agency can show years later which model decided
 * what. Records are appended with one write(2) under flock(2), so several
 * processes and threads may share a log; continuing a log only reads its
 * last record, however long the log has grown. */
#define _DEFAULT_SOURCE /* flock */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "core/numfmt.h"
#include "core/sha256.h"
#include "mlops/registry.h"
#include "pipeline/audit_log.h"

enum { MAX_MODEL_REF = 1024 };

struct mlops_decision_log {
    char *path, *actor;
    int fd;
    pthread_mutex_t mutex;   /* threads of this process; flock orders processes */
    uint64_t count, size;    /* records and bytes as last seen */
    char last_hash[65];
    int64_t last_time_us;
};

/* ---- Input fingerprint ------------------------------------------------------ */

static void write_value(mlops__json *j, const mlops_dataset *d, size_t col, size_t row, int type)
{
    if (mlops_dataset_is_missing(d, col, row) == 1) {
        mlops__json_null(j);
    } else if (type == MLOPS_NUMERIC) {
        double v = 0;
        mlops_dataset_get_numeric(d, col, row, 1, &v);
        char text[MLOPS_DOUBLE_BUFSIZE];
        if (isfinite(v)) mlops__format_double(v, text);
        else snprintf(text, sizeof text, "%s", v > 0 ? "inf" : "-inf");
        mlops__json_string(j, text);
    } else {
        int32_t code = -1;
        mlops_dataset_get_codes(d, col, row, 1, &code);
        const char *s = mlops_dataset_category(d, col, code);
        mlops__json_string(j, s != NULL ? s : "");
    }
}

MLOPS_API int mlops_decision_fingerprint(const mlops_model *m, const mlops_dataset *d, size_t row,
                                         char *hex, size_t hex_size)
{
    MLOPS_CHECK_ARG(m != NULL && d != NULL && hex != NULL, "mlops_decision_fingerprint",
                    "NULL argument");
    if (hex_size < MLOPS_SHA256_HEX_SIZE)
        return mlops__fail(MLOPS_EINVAL, "mlops_decision_fingerprint: buffer of %zu bytes; it "
                           "needs 65", hex_size);
    if (!mlops_model_is_fitted(m))
        return mlops__fail(MLOPS_ESTATE, "mlops_decision_fingerprint: the model is not fitted");
    if (row >= mlops_dataset_rows(d))
        return mlops__fail(MLOPS_EINVAL, "mlops_decision_fingerprint: row %zu is out of range "
                           "(the data has %zu rows)", row, mlops_dataset_rows(d));
    mlops__json j;
    mlops__json_init(&j, false);
    mlops__json_begin_array(&j);
    size_t n = mlops_model_input_count(m);
    for (size_t i = 0; i < n && j.status == MLOPS_OK; i++) {
        const char *name = mlops_model_input_name(m, i);
        size_t col = 0;
        if (mlops_dataset_column_index(d, name, &col) != MLOPS_OK) {
            mlops__json_free(&j);
            return mlops__fail(MLOPS_EINVAL, "model input '%s' is not a column of the data '%s'",
                               name, mlops_dataset_source(d));
        }
        int type = mlops_dataset_column_type(d, col);
        mlops__json_begin_array(&j);
        mlops__json_string(&j, name);
        mlops__json_string(&j, type == MLOPS_NUMERIC ? "numeric" : "categorical");
        write_value(&j, d, col, row, type);
        mlops__json_end_array(&j);
    }
    mlops__json_end_array(&j);
    char *text = NULL;
    size_t len = 0;
    int rc = mlops__json_finish(&j, &text, &len);
    if (rc != MLOPS_OK) {
        mlops__json_free(&j);
        if (rc == MLOPS_EINVAL) /* text the JSON writer refused */
            return mlops__fail(MLOPS_EINVAL, "row %zu of '%s' cannot be fingerprinted: it holds "
                               "text that is not UTF-8", row, mlops_dataset_source(d));
        return rc;
    }
    mlops__sha256_hex(text, len, hex);
    mlops__free(text);
    return MLOPS_OK;
}

/* ---- The log's tail --------------------------------------------------------- */

static int io_fail(const char *action, const char *path, int err)
{
    return mlops__fail(MLOPS_EIO, "cannot %s '%s': %s", action, path, strerror(err));
}

/* Reads `len` bytes at `at` into a new string. */
static int read_at(const mlops_decision_log *log, uint64_t at, size_t len, char **out)
{
    char *buf = mlops__malloc(len + 1, "log bytes");
    if (buf == NULL) return MLOPS_ENOMEM;
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(log->fd, buf + got, len - got, (off_t)(at + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            mlops__free(buf);
            return r < 0 ? io_fail("read", log->path, errno)
                         : mlops__fail(MLOPS_EIO, "'%s' shrank while being read", log->path);
        }
        got += (size_t)r;
    }
    buf[len] = '\0';
    *out = buf;
    return MLOPS_OK;
}

/* The last complete record continues the chain; it is checked before
 * anything is cut, so a file that is not a decision log is refused
 * untouched. */
static int read_last_record(mlops_decision_log *log, uint64_t start, uint64_t end)
{
    char *line = NULL;
    size_t len = (size_t)(end - 1 - start);
    int rc = read_at(log, start, len, &line);
    if (rc != MLOPS_OK) return rc;
    mlops__audit_record rec;
    rc = mlops__audit_parse(&rec, line, len);
    mlops__free(line);
    if (rc == MLOPS_OK && strcmp(rec.action, "decision") != 0)
        rc = mlops__fail(MLOPS_ECORRUPT, "its action is '%.40s', not 'decision'", rec.action);
    if (rc == MLOPS_ECORRUPT) {
        char why[800];
        snprintf(why, sizeof why, "%s", mlops_last_error());
        rc = mlops__fail(MLOPS_ECORRUPT, "decision log '%s': the last record (at byte %llu) is not "
                         "a valid decision record: %s; the file was left as it is",
                         log->path, (unsigned long long)start, why);
    }
    if (rc == MLOPS_OK) {
        log->count = rec.seq;
        memcpy(log->last_hash, rec.hash, 65);
        log->last_time_us = rec.time_us;
    }
    mlops__audit_record_free(&rec);
    return rc;
}

/* Under flock: reads the last record to continue the chain, then cuts off
 * a torn last line (an append interrupted by a crash). */
static int sync_tail(mlops_decision_log *log)
{
    struct stat st;
    if (fstat(log->fd, &st) != 0) return io_fail("inspect", log->path, errno);
    if (!S_ISREG(st.st_mode))
        return mlops__fail(MLOPS_EINVAL, "decision log '%s' is not a regular file", log->path);
    uint64_t size = (uint64_t)st.st_size, end = 0, start = 0;
    int rc = mlops__audit_tail(log->fd, log->path, size, &end, &start);
    if (rc != MLOPS_OK) return rc;
    log->count = 0;
    memcpy(log->last_hash, MLOPS_AUDIT_ZERO_HASH, 65);
    log->last_time_us = 0;
    if (end > 0 && (rc = read_last_record(log, start, end)) != MLOPS_OK) return rc;
    if (end < size) {
        /* a lone fragment must at least begin like a record */
        char *head = NULL;
        if (end == 0 && (rc = read_at(log, 0, size < 2 ? (size_t)size : 2, &head)) != MLOPS_OK)
            return rc;
        bool record_like = head == NULL || strcmp(head, "{\"") == 0;
        mlops__free(head);
        if (!record_like)
            return mlops__fail(MLOPS_ECORRUPT, "decision log '%s' is not a decision log (it does "
                               "not start with a record); the file was left as it is", log->path);
        if (ftruncate(log->fd, (off_t)end) != 0 || fsync(log->fd) != 0)
            return io_fail("cut the incomplete last line of", log->path, errno);
        mlops__log(MLOPS_LOG_WARN, "decision log '%s': cut off an incomplete last record of %llu "
                   "bytes (an append interrupted by a crash)", log->path,
                   (unsigned long long)(size - end));
    }
    log->size = end;
    return MLOPS_OK;
}

static int lock_file(mlops_decision_log *log)
{
    while (flock(log->fd, LOCK_EX) != 0)
        if (errno != EINTR) return io_fail("lock", log->path, errno);
    return MLOPS_OK;
}

/* Takes both locks and makes sure the chain continues from the file's
 * actual last record (another process may have appended). */
static int begin(mlops_decision_log *log)
{
    pthread_mutex_lock(&log->mutex);
    int rc = lock_file(log);
    struct stat st;
    if (rc == MLOPS_OK && fstat(log->fd, &st) != 0) rc = io_fail("inspect", log->path, errno);
    if (rc == MLOPS_OK && (uint64_t)st.st_size != log->size) rc = sync_tail(log);
    if (rc != MLOPS_OK) {
        flock(log->fd, LOCK_UN);
        pthread_mutex_unlock(&log->mutex);
    }
    return rc;
}

static void end(mlops_decision_log *log)
{
    flock(log->fd, LOCK_UN);
    pthread_mutex_unlock(&log->mutex);
}

/* ---- Opening ----------------------------------------------------------------- */

static int sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (slash == NULL) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else return MLOPS_OK;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_fail("open directory", dir, errno);
    int rc = fsync(fd) == 0 || errno == EINVAL ? MLOPS_OK : io_fail("flush directory", dir, errno);
    close(fd);
    return rc;
}

MLOPS_API int mlops_decision_log_open(mlops_decision_log **out, const char *path)
{
    if (out != NULL) *out = NULL;
    MLOPS_CHECK_ARG(out != NULL && path != NULL, "mlops_decision_log_open", "NULL argument");
    if (*path == '\0') return mlops__fail(MLOPS_EINVAL, "mlops_decision_log_open: empty path");
    mlops_decision_log *log = mlops__calloc(1, sizeof *log, "decision log");
    if (log == NULL) return MLOPS_ENOMEM;
    log->fd = -1;
    if (pthread_mutex_init(&log->mutex, NULL) != 0) {
        mlops__free(log);
        return mlops__fail(MLOPS_ENOMEM, "decision log: cannot create a mutex");
    }
    log->path = mlops__strdup(path, "decision log path");
    log->actor = mlops__audit_default_actor();
    int rc = log->path != NULL && log->actor != NULL ? MLOPS_OK : MLOPS_ENOMEM;
    if (rc == MLOPS_OK) {
        log->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
        if (log->fd < 0) rc = io_fail("open", path, errno);
    }
    struct stat st;
    if (rc == MLOPS_OK && fstat(log->fd, &st) != 0) rc = io_fail("inspect", path, errno);
    if (rc == MLOPS_OK && !S_ISREG(st.st_mode))
        rc = mlops__fail(MLOPS_EINVAL, "decision log '%s' is not a regular file", path);
    if (rc == MLOPS_OK && st.st_size == 0) rc = sync_parent(path); /* a new file's entry */
    if (rc == MLOPS_OK && (rc = lock_file(log)) == MLOPS_OK) {
        rc = sync_tail(log);
        flock(log->fd, LOCK_UN);
    }
    if (rc != MLOPS_OK) {
        mlops_decision_log_free(log);
        return rc;
    }
    *out = log;
    return MLOPS_OK;
}

MLOPS_API void mlops_decision_log_free(mlops_decision_log *log)
{
    if (log == NULL) return;
    if (log->fd >= 0) close(log->fd);
    pthread_mutex_destroy(&log->mutex);
    mlops__free(log->path);
    mlops__free(log->actor);
    mlops__free(log);
}

MLOPS_API int mlops_decision_log_set_actor(mlops_decision_log *log, const char *actor)
{
    MLOPS_CHECK_ARG(log != NULL && actor != NULL, "mlops_decision_log_set_actor", "NULL argument");
    if (*actor == '\0') return mlops__fail(MLOPS_EINVAL, "actor is empty");
    int rc = mlops__audit_check_text(actor, MLOPS_AUDIT_MAX_ACTOR, false, "actor");
    if (rc != MLOPS_OK) return rc;
    char *copy = mlops__strdup(actor, "actor");
    if (copy == NULL) return MLOPS_ENOMEM;
    pthread_mutex_lock(&log->mutex);
    char *old = log->actor;
    log->actor = copy;
    pthread_mutex_unlock(&log->mutex);
    mlops__free(old);
    return MLOPS_OK;
}

/* ---- Recording ---------------------------------------------------------------- */

typedef struct decision {
    const char *input_sha256, *model_version, *output;
    size_t row;
} decision;

static int write_decision(mlops__json *j, const void *ctx)
{
    const decision *d = ctx;
    mlops__json_key(j, "input_sha256");
    mlops__json_string(j, d->input_sha256);
    mlops__json_key(j, "model_version");
    mlops__json_string(j, d->model_version);
    mlops__json_key(j, "output");
    mlops__json_string(j, d->output);
    mlops__json_key(j, "row");
    return mlops__json_uint(j, d->row);
}

static int check_common(const mlops_decision_log *log, const mlops_model *m, const char *model_ref,
                        const mlops_dataset *d, char version[65])
{
    if (log == NULL || m == NULL || model_ref == NULL || d == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_decision_log_record: NULL argument");
    if (*model_ref == '\0') return mlops__fail(MLOPS_EINVAL, "model reference is empty");
    int rc = mlops__audit_check_text(model_ref, MAX_MODEL_REF, false, "model reference");
    if (rc == MLOPS_OK) rc = mlops_model_payload_hash(m, version, 65);
    return rc;
}

/* Under both locks: appends the record of one row, without fsync. */
static int append_one(mlops_decision_log *log, const mlops_model *m, const char *model_ref,
                      const mlops_dataset *d, size_t row, const char *output, const char *version)
{
    int rc = mlops__audit_check_text(output, MLOPS_AUDIT_MAX_OUTPUT, false, "output");
    char input[65];
    if (rc == MLOPS_OK) rc = mlops_decision_fingerprint(m, d, row, input, sizeof input);
    if (rc != MLOPS_OK) return rc;
    decision dec = {input, version, output, row};
    int64_t now = mlops__audit_now_us();
    mlops__audit_fields f = {log->count + 1, now > log->last_time_us ? now : log->last_time_us,
                             log->actor, "decision", model_ref, "", log->last_hash};
    char *line = NULL;
    size_t len = 0;
    char hash[65];
    rc = mlops__audit_build(&f, write_decision, &dec, &line, &len, hash);
    if (rc == MLOPS_OK) rc = mlops__audit_append(log->fd, log->path, line, len, log->size, false);
    mlops__free(line);
    if (rc != MLOPS_OK) return rc;
    log->count++;
    log->size += len;
    memcpy(log->last_hash, hash, 65);
    log->last_time_us = f.time_us;
    return MLOPS_OK;
}

static int flush(const mlops_decision_log *log)
{
    if (fsync(log->fd) != 0)
        return mlops__fail(MLOPS_EIO, "cannot flush '%s' to disk: %s", log->path, strerror(errno));
    return MLOPS_OK;
}

MLOPS_API int mlops_decision_log_record(mlops_decision_log *log, const mlops_model *m,
                                        const char *model_ref, const mlops_dataset *d,
                                        size_t row, const char *output)
{
    char version[65];
    int rc = check_common(log, m, model_ref, d, version);
    if (rc == MLOPS_OK && output == NULL)
        rc = mlops__fail(MLOPS_EINVAL, "mlops_decision_log_record: NULL output");
    if (rc != MLOPS_OK || (rc = begin(log)) != MLOPS_OK) return rc;
    rc = append_one(log, m, model_ref, d, row, output, version);
    if (rc == MLOPS_OK) rc = flush(log);
    end(log);
    return rc;
}

MLOPS_API int mlops_decision_log_record_dataset(mlops_decision_log *log, const mlops_model *m,
                                                const char *model_ref,
                                                const mlops_dataset *d,
                                                const char *const *outputs)
{
    char version[65];
    int rc = check_common(log, m, model_ref, d, version);
    if (rc == MLOPS_OK && outputs == NULL)
        rc = mlops__fail(MLOPS_EINVAL, "mlops_decision_log_record_dataset: NULL outputs");
    if (rc != MLOPS_OK || (rc = begin(log)) != MLOPS_OK) return rc;
    size_t rows = mlops_dataset_rows(d), done = 0;
    for (; rc == MLOPS_OK && done < rows; done++) {
        if (outputs[done] == NULL)
            rc = mlops__fail(MLOPS_EINVAL, "mlops_decision_log_record_dataset: output of row %zu "
                             "is NULL", done);
        else
            rc = append_one(log, m, model_ref, d, done, outputs[done], version);
    }
    int frc = flush(log); /* what was written stays, flushed */
    end(log);
    return rc != MLOPS_OK ? rc : frc;
}
