/* Verification of logs and registries, read-only: every record of a log in
 * one streaming pass (form, hash, sequence, chain, time order), the log
 * against its head file when there is one, and for a registry the replay
 * of its history and every stored model file. The first bad record is
 * named with its line and, when it can be read, its seq. */
#define _DEFAULT_SOURCE /* flock */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json.h"
#include "core/sha256.h"
#include "pipeline/registry_impl.h"

#define MAX_MODEL_BYTES ((size_t)1 << 32)

enum { MAX_NOTES = 4, NOTE_SIZE = 320, PROBLEM_SIZE = 900 };

typedef struct verify_result {
    const char *log;
    uint64_t records;         /* valid records before the first bad one */
    char last_hash[65], last_prev[65];
    int64_t last_time_us;
    bool bad;
    uint64_t bad_line, bad_seq; /* bad_seq 0: unknown */
    char problem[PROBLEM_SIZE];
    bool has_head, head_ok;
    uint64_t head_records;
    char head_hash[65];
    char notes[MAX_NOTES][NOTE_SIZE];
    size_t nnotes;
} verify_result;

static void note(verify_result *v, const char *text)
{
    if (v->nnotes < MAX_NOTES) snprintf(v->notes[v->nnotes++], NOTE_SIZE, "%s", text);
}

/* Marks the first bad record, with the current error message as why. */
static void mark_bad(verify_result *v, uint64_t line, uint64_t seq)
{
    if (v->bad) return;
    v->bad = true;
    v->bad_line = line;
    v->bad_seq = seq;
    snprintf(v->problem, sizeof v->problem, "%s", mlops_last_error());
}

static int check_record(verify_result *v, const mlops__audit_record *rec, uint64_t line)
{
    if (rec->seq != line)
        return mlops__fail(MLOPS_ECORRUPT, "seq is %llu, expected %llu: a record was removed or "
                           "records were reordered", (unsigned long long)rec->seq,
                           (unsigned long long)line);
    if (strcmp(rec->prev, v->last_hash) != 0)
        return mlops__fail(MLOPS_ECORRUPT, "prev does not match the hash of the record before it: "
                           "a record was changed, removed or reordered");
    if (rec->time_us < v->last_time_us)
        return mlops__fail(MLOPS_ECORRUPT, "time %s is earlier than the record before it",
                           rec->time);
    return MLOPS_OK;
}

/* The records, streamed; `replay` (may be NULL) also gets each applied. */
static int scan(verify_result *v, int fd, mlops__reg_state *replay, char hash_at_head[65])
{
    mlops__audit_reader rd;
    int rc = mlops__audit_reader_init(&rd, fd, v->log, 0);
    uint64_t line_no = 0;
    while (rc == MLOPS_OK && !v->bad) {
        const char *line;
        size_t len;
        bool complete;
        uint64_t at;
        line_no++;
        int got = mlops__audit_reader_next(&rd, &line, &len, &complete, &at);
        if (got == 0) break;
        if (got < 0) {
            if (got != MLOPS_ECORRUPT) rc = got;
            else mark_bad(v, line_no, 0);
            break;
        }
        if (!complete) {
            char text[NOTE_SIZE];
            snprintf(text, sizeof text, "line %llu is incomplete (%zu bytes without a line end: an "
                     "interrupted append) and was ignored", (unsigned long long)line_no, len);
            note(v, text);
            break;
        }
        mlops__audit_record rec;
        rc = mlops__audit_parse(&rec, line, len);
        if (rc == MLOPS_ECORRUPT || (rc == MLOPS_OK && check_record(v, &rec, line_no) != MLOPS_OK) ||
            (rc == MLOPS_OK && replay != NULL && (rc = mlops__reg_apply(replay, &rec)) == MLOPS_ECORRUPT)) {
            mark_bad(v, line_no, rec.seq);
            rc = MLOPS_OK;
        } else if (rc == MLOPS_OK) {
            v->records = line_no;
            memcpy(v->last_prev, rec.prev, 65);
            memcpy(v->last_hash, rec.hash, 65);
            v->last_time_us = rec.time_us;
            if (v->has_head && line_no == v->head_records) memcpy(hash_at_head, rec.hash, 65);
        }
        mlops__audit_record_free(&rec);
    }
    mlops__audit_reader_free(&rd);
    return rc;
}

static void check_head(verify_result *v, const char hash_at_head[65])
{
    uint64_t n = v->records, h = v->head_records;
    v->head_ok = false;
    if (n < h) {
        mlops__fail(MLOPS_ECORRUPT, "record %llu is missing: the head file says the log has %llu "
                    "records; the last records were removed", (unsigned long long)(n + 1),
                    (unsigned long long)h);
        mark_bad(v, n + 1, 0);
    } else if (strcmp(hash_at_head, v->head_hash) != 0) {
        mlops__fail(MLOPS_ECORRUPT, "the record differs from the one the head file recorded as "
                    "record %llu (hash %.16s...): it was replaced", (unsigned long long)h,
                    v->head_hash);
        mark_bad(v, h, h);
    } else if (n > h + 1) {
        mlops__fail(MLOPS_ECORRUPT, "the head file says the log has %llu records; records from "
                    "here on were added outside the registry", (unsigned long long)h);
        mark_bad(v, h + 2, h + 2);
    } else {
        v->head_ok = true;
        if (n == h + 1)
            note(v, "the head file is one record behind the log (an update interrupted by a "
                    "crash); the next change rolls it forward");
    }
}

/* Verifies the log at `log`; with `head` (may be NULL) against it, which
 * must then exist when `head_required`. Returns MLOPS_OK whatever the
 * verdict (in v), or an operational failure. */
static int verify_log(verify_result *v, const char *log, const char *head, bool head_required,
                      mlops__reg_state *replay)
{
    memset(v, 0, sizeof *v);
    v->log = log;
    memcpy(v->last_hash, MLOPS_AUDIT_ZERO_HASH, 65);
    memcpy(v->last_prev, MLOPS_AUDIT_ZERO_HASH, 65);
    char hash_at_head[65];
    memcpy(hash_at_head, MLOPS_AUDIT_ZERO_HASH, 65);
    if (head != NULL) {
        int rc = mlops__reg_read_head(head, &v->head_records, v->head_hash);
        if (rc == MLOPS_OK) v->has_head = true;
        else if (rc != MLOPS_ENOTFOUND || head_required) return rc;
    }
    int fd;
    struct stat st;
    int rc = mlops__open_for_reading(log, &fd, &st);
    if (rc != MLOPS_OK) return rc;
    rc = scan(v, fd, replay, hash_at_head);
    close(fd);
    if (rc == MLOPS_OK && !v->bad && v->has_head) check_head(v, hash_at_head);
    return rc;
}

static void write_log_report(mlops__json *j, const verify_result *v)
{
    mlops__json_key(j, "log");
    mlops__json_string(j, v->log);
    mlops__json_key(j, "ok");
    mlops__json_bool(j, !v->bad);
    mlops__json_key(j, "records");
    mlops__json_uint(j, v->records);
    mlops__json_key(j, "last_hash");
    mlops__json_string(j, v->last_hash);
    mlops__json_key(j, "head");
    if (!v->has_head) {
        mlops__json_null(j);
    } else {
        mlops__json_begin_object(j);
        mlops__json_key(j, "records");
        mlops__json_uint(j, v->head_records);
        mlops__json_key(j, "last_hash");
        mlops__json_string(j, v->head_hash);
        mlops__json_key(j, "ok");
        mlops__json_bool(j, v->head_ok);
        mlops__json_end_object(j);
    }
    mlops__json_key(j, "first_bad");
    if (!v->bad) {
        mlops__json_null(j);
    } else {
        mlops__json_begin_object(j);
        mlops__json_key(j, "seq");
        if (v->bad_seq > 0) mlops__json_uint(j, v->bad_seq);
        else mlops__json_null(j);
        mlops__json_key(j, "line");
        mlops__json_uint(j, v->bad_line);
        mlops__json_key(j, "problem");
        mlops__json_string(j, v->problem);
        mlops__json_end_object(j);
    }
    mlops__json_key(j, "notes");
    mlops__json_begin_array(j);
    for (size_t i = 0; i < v->nnotes; i++) mlops__json_string(j, v->notes[i]);
    mlops__json_end_array(j);
}

static int bad_log(const verify_result *v)
{
    if (v->bad_seq == 0) /* not readable as a record */
        return mlops__fail(MLOPS_ECORRUPT, "%s:%llu: %s", v->log, (unsigned long long)v->bad_line,
                           v->problem);
    return mlops__fail(MLOPS_ECORRUPT, "%s:%llu: record %llu: %s", v->log,
                       (unsigned long long)v->bad_line, (unsigned long long)v->bad_seq,
                       v->problem);
}

static int finish_report(mlops__json *j, char **report)
{
    size_t len = 0;
    mlops__json_end_object(j);
    int rc = mlops__json_finish(j, report, &len);
    if (rc != MLOPS_OK) mlops__json_free(j);
    return rc;
}

/* When `log` sits in a registry (a registry.lock beside it), opens that
 * lock file and takes a shared lock: returns the descriptor, -1 when there
 * is no lock file, -2 on failure (recorded). */
static int open_registry_lock_beside(const char *log)
{
    const char *slash = strrchr(log, '/');
    size_t dir = slash != NULL ? (size_t)(slash - log) + 1 : 0;
    char *path = mlops__malloc(dir + sizeof "registry.lock", "lock path");
    if (path == NULL) return -2;
    memcpy(path, log, dir);
    memcpy(path + dir, "registry.lock", sizeof "registry.lock");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        mlops__free(path);
        if (err == ENOENT) return -1;
        mlops__fail(MLOPS_EIO, "cannot open the registry lock beside '%s': %s", log, strerror(err));
        return -2;
    }
    while (flock(fd, LOCK_SH) != 0) {
        if (errno == EINTR) continue;
        mlops__fail(MLOPS_EIO, "cannot lock '%s': %s", path, strerror(errno));
        close(fd);
        mlops__free(path);
        return -2;
    }
    mlops__free(path);
    return fd;
}

MLOPS_API int mlops_audit_verify(const char *log_path, char **report_json)
{
    if (report_json != NULL) *report_json = NULL;
    MLOPS_CHECK_ARG(log_path != NULL, "mlops_audit_verify", "NULL log path");
    size_t n = strlen(log_path);
    char *head = mlops__malloc(n + 6, "head path");
    if (head == NULL) return MLOPS_ENOMEM;
    snprintf(head, n + 6, "%s.head", log_path);
    /* a registry's log changes under its lock: read it under the same lock,
     * or a change made between reading the head and the log looks like
     * records added behind the registry's back */
    int lock = open_registry_lock_beside(log_path);
    verify_result v;
    int rc = lock == -2 ? mlops_last_error_code() : verify_log(&v, log_path, head, false, NULL);
    if (lock >= 0) close(lock);
    mlops__free(head);
    if (rc != MLOPS_OK) return rc;
    if (report_json != NULL) {
        mlops__json j;
        mlops__json_init(&j, true);
        mlops__json_begin_object(&j);
        write_log_report(&j, &v);
        rc = finish_report(&j, report_json);
        if (rc != MLOPS_OK) return rc;
    }
    return v.bad ? bad_log(&v) : MLOPS_OK;
}

/* ---- Registry -------------------------------------------------------------- */

/* The first problem of one stored model file, or "" when it is sound. */
static int check_model_file(const char *path, const mlops__reg_version *ver, char *problem,
                            size_t size)
{
    problem[0] = '\0';
    unsigned char *bytes = NULL;
    size_t len = 0;
    int rc = mlops__read_file(path, MAX_MODEL_BYTES, &bytes, &len);
    if (rc == MLOPS_ENOMEM) return rc;
    if (rc != MLOPS_OK) {
        snprintf(problem, size, "cannot be read: %s", mlops_last_error());
        return MLOPS_OK;
    }
    char sha[65], payload[65];
    mlops__sha256_hex(bytes, len, sha);
    mlops_model *m = NULL;
    if (strcmp(sha, ver->file_sha256) != 0) {
        snprintf(problem, size, "was changed after it was registered (SHA-256 %s, registered %s)",
                 sha, ver->file_sha256);
    } else if ((rc = mlops_model_load_buffer(&m, bytes, len)) != MLOPS_OK ||
               (rc = mlops_model_payload_hash(m, payload, sizeof payload)) != MLOPS_OK) {
        if (rc != MLOPS_ENOMEM) snprintf(problem, size, "does not load: %s", mlops_last_error());
    } else if (strcmp(payload, ver->version) != 0) {
        snprintf(problem, size, "has payload hash %s, not its version", payload);
    }
    mlops_model_free(m);
    mlops__free(bytes);
    return rc == MLOPS_ENOMEM ? rc : MLOPS_OK;
}

/* Checks every model file the replay knows, writing "models": [...]; the
 * first problem is recorded in `first` (when still empty). */
static int check_models(mlops__json *j, const char *dir, const mlops__reg_state *s, char *first,
                        size_t size)
{
    mlops__json_key(j, "models");
    mlops__json_begin_array(j);
    for (size_t i = 0; i < s->nmodels; i++) {
        const mlops__reg_model *m = &s->models[i];
        for (size_t k = 0; k < m->nversions; k++) {
            char problem[PROBLEM_SIZE];
            char *path = mlops__reg_model_path(dir, m->name, m->versions[k].version);
            if (path == NULL) return MLOPS_ENOMEM;
            int rc = check_model_file(path, &m->versions[k], problem, sizeof problem);
            if (rc != MLOPS_OK) {
                mlops__free(path);
                return rc;
            }
            if (problem[0] != '\0' && first[0] == '\0')
                snprintf(first, size, "registry '%s': model file %s %s", dir, path, problem);
            mlops__json_begin_object(j);
            mlops__json_key(j, "name");
            mlops__json_string(j, m->name);
            mlops__json_key(j, "version");
            mlops__json_string(j, m->versions[k].version);
            mlops__json_key(j, "path");
            mlops__json_string(j, path);
            mlops__json_key(j, "ok");
            mlops__json_bool(j, problem[0] == '\0');
            mlops__json_key(j, "problem");
            mlops__json_string(j, problem[0] != '\0' ? problem : NULL);
            mlops__json_end_object(j);
            mlops__free(path);
        }
    }
    mlops__json_end_array(j);
    return j->status;
}

typedef struct reg_paths {
    char *log, *head, *lock;
} reg_paths;

static char *path_in(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = mlops__malloc(n, "registry path");
    if (p != NULL) snprintf(p, n, "%s/%s", dir, file);
    return p;
}

static int verify_locked(const char *dir, const reg_paths *p, char **report_json)
{
    verify_result v;
    mlops__reg_state replay;
    mlops__reg_state_init(&replay);
    int rc = verify_log(&v, p->log, p->head, true, &replay);
    if (rc == MLOPS_ENOTFOUND)
        rc = mlops__fail(MLOPS_ECORRUPT, "registry '%s': %s", dir, "the audit log or its head "
                         "file is missing");
    mlops__json j;
    mlops__json_init(&j, true);
    char model_problem[PROBLEM_SIZE + 64] = "";
    if (rc == MLOPS_OK) {
        mlops__json_begin_object(&j);
        mlops__json_key(&j, "registry");
        mlops__json_string(&j, dir);
        write_log_report(&j, &v);
        rc = check_models(&j, dir, &replay, model_problem, sizeof model_problem);
    }
    if (rc == MLOPS_OK) {
        /* "ok" above speaks of the log; these cover the model files too */
        mlops__json_key(&j, "models_ok");
        mlops__json_bool(&j, model_problem[0] == '\0');
        mlops__json_key(&j, "all_ok");
        mlops__json_bool(&j, !v.bad && model_problem[0] == '\0');
    }
    mlops__reg_state_free(&replay);
    if (rc == MLOPS_OK && report_json != NULL) rc = finish_report(&j, report_json);
    else mlops__json_free(&j);
    if (rc != MLOPS_OK) return rc;
    if (v.bad) return bad_log(&v);
    if (model_problem[0] != '\0') return mlops__fail(MLOPS_ECORRUPT, "%s", model_problem);
    return MLOPS_OK;
}

MLOPS_API int mlops_registry_verify(const char *dir, char **report_json)
{
    if (report_json != NULL) *report_json = NULL;
    MLOPS_CHECK_ARG(dir != NULL, "mlops_registry_verify", "NULL directory");
    reg_paths p = {path_in(dir, "audit.log"), path_in(dir, "audit.log.head"),
                   path_in(dir, "registry.lock")};
    int rc = p.log && p.head && p.lock ? MLOPS_OK : MLOPS_ENOMEM;
    struct stat st;
    if (rc == MLOPS_OK && stat(p.head, &st) != 0)
        rc = mlops__fail(MLOPS_ENOTFOUND, "'%s' is not a registry (it has no audit.log.head)", dir);
    int fd = -1;
    if (rc == MLOPS_OK) {
        /* A copy of a registry may come without its lock file: verifying
         * it needs none, and must not create one. */
        fd = open(p.lock, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT)
            rc = mlops__fail(MLOPS_EIO, "cannot open '%s': %s", p.lock, strerror(errno));
    }
    while (rc == MLOPS_OK && fd >= 0 && flock(fd, LOCK_SH) != 0)
        if (errno != EINTR)
            rc = mlops__fail(MLOPS_EIO, "cannot lock '%s': %s", p.lock, strerror(errno));
    if (rc == MLOPS_OK) rc = verify_locked(dir, &p, report_json);
    if (fd >= 0) close(fd);
    mlops__free(p.log);
    mlops__free(p.head);
    mlops__free(p.lock);
    return rc;
}
