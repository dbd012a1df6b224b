/* Opening a registry directory (creating it on request), its lock, and
 * keeping the handle's state in step with the audit log: every operation
 * takes the lock, reads the records appended since it last looked, checks
 * their chain and replays them, and compares the log with its head file.
 * Under the exclusive lock it also repairs what a crash can leave: a torn
 * last line is cut off, a log one record ahead of its head rolls the head
 * forward. */
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
#include "core/log.h"
#include "pipeline/registry_impl.h"

static char *join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *p = mlops__malloc(na + nb + 2, "registry path");
    if (p == NULL) return NULL;
    memcpy(p, a, na);
    p[na] = '/';
    memcpy(p + na + 1, b, nb + 1);
    return p;
}

char *mlops__reg_model_path(const char *dir, const char *name, const char *version)
{
    size_t n = strlen(dir) + strlen(name) + strlen(version) + 32;
    char *p = mlops__malloc(n, "model path");
    if (p != NULL) snprintf(p, n, "%s/models/%s/%s.mlops", dir, name, version);
    return p;
}

static int io_fail(const char *action, const char *path, int err)
{
    return mlops__fail(MLOPS_EIO, "cannot %s '%s': %s", action, path, strerror(err));
}

/* Makes a new directory entry in `dir` durable. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_fail("open directory", dir, errno);
    int rc = fsync(fd) == 0 || errno == EINVAL ? MLOPS_OK : io_fail("flush directory", dir, errno);
    close(fd);
    return rc;
}

/* ---- Head file ------------------------------------------------------------- */

int mlops__reg_head_text(uint64_t records, const char *last_hash, char **text, size_t *len)
{
    char *t = mlops__malloc(192, "head file");
    if (t == NULL) return MLOPS_ENOMEM;
    int n = snprintf(t, 192,
                     "{\"format\":\"mlops-audit-head\",\"format_version\":1,\"last_hash\":\"%s\","
                     "\"records\":%llu}\n",
                     last_hash, (unsigned long long)records);
    *text = t;
    *len = (size_t)n;
    return MLOPS_OK;
}

static int head_corrupt(const char *path, const char *what)
{
    return mlops__fail(MLOPS_ECORRUPT, "head file '%s': %s", path, what);
}

int mlops__reg_read_head(const char *path, uint64_t *records, char last_hash[65])
{
    mlops__ytree t;
    int rc = mlops__ytree_read_file(&t, path);
    if (rc == MLOPS_EFORMAT) {
        char why[512];
        snprintf(why, sizeof why, "%s", mlops_last_error());
        rc = head_corrupt(path, why);
    }
    if (rc != MLOPS_OK) {
        mlops__ytree_free(&t);
        return rc;
    }
    const mlops__ynode *root = t.root;
    const char *format = mlops__ynode_text(mlops__ynode_get(root, "format"));
    long long version = 0, count = -1;
    const char *hash = mlops__ynode_text(mlops__ynode_get(root, "last_hash"));
    if (format == NULL || strcmp(format, "mlops-audit-head") != 0)
        rc = head_corrupt(path, "not a head file (no \"format\": \"mlops-audit-head\")");
    else if (!mlops__ynode_int(mlops__ynode_get(root, "format_version"), &version) || version < 1)
        rc = head_corrupt(path, "format_version is missing or not a positive integer");
    else if (version > 1)
        rc = mlops__fail(MLOPS_EVERSION, "head file '%s' has format version %lld; this library "
                         "reads version 1", path, version);
    else if (!mlops__ynode_int(mlops__ynode_get(root, "records"), &count) || count < 0)
        rc = head_corrupt(path, "records is missing or not an integer >= 0");
    else if (!mlops__audit_is_hash(hash, true))
        rc = head_corrupt(path, "last_hash is missing or not 64 lowercase hex digits");
    if (rc == MLOPS_OK) {
        *records = (uint64_t)count;
        memcpy(last_hash, hash, 65);
    }
    mlops__ytree_free(&t);
    return rc;
}

static int write_head(const mlops_registry *r)
{
    char *text = NULL;
    size_t len = 0;
    int rc = mlops__reg_head_text(r->state.count, r->state.last_hash, &text, &len);
    if (rc == MLOPS_OK) rc = mlops__write_file_atomic(r->head_path, text, len);
    mlops__free(text);
    return rc;
}

/* ---- Bringing the state up to date ---------------------------------------- */

/* Re-records the current failure with "LOG:LINE: " (and "record SEQ: "
 * when seq is known) in front. */
static int at_line(const mlops_registry *r, uint64_t line, uint64_t seq, int rc)
{
    if (rc == MLOPS_ENOMEM || rc == MLOPS_EIO) return rc;
    char why[900];
    snprintf(why, sizeof why, "%s", mlops_last_error());
    if (seq == 0) return mlops__fail(rc, "%s:%llu: %s", r->log_path, (unsigned long long)line, why);
    return mlops__fail(rc, "%s:%llu: record %llu: %s", r->log_path, (unsigned long long)line,
                       (unsigned long long)seq, why);
}

static int check_link(const mlops_registry *r, const mlops__audit_record *rec)
{
    const mlops__reg_state *s = &r->state;
    uint64_t want = s->count + 1;
    if (rec->seq != want)
        return mlops__fail(MLOPS_ECORRUPT, "%s:%llu: record %llu: seq is %llu, expected %llu: a "
                           "record was removed or records were reordered", r->log_path,
                           (unsigned long long)want, (unsigned long long)rec->seq,
                           (unsigned long long)rec->seq, (unsigned long long)want);
    if (strcmp(rec->prev, s->last_hash) != 0)
        return mlops__fail(MLOPS_ECORRUPT, "%s:%llu: record %llu: prev does not match the hash of "
                           "the record before it: a record was changed, removed or reordered",
                           r->log_path, (unsigned long long)want, (unsigned long long)want);
    if (rec->time_us < s->last_time_us)
        return mlops__fail(MLOPS_ECORRUPT, "%s:%llu: record %llu: time %s is earlier than the "
                           "record before it", r->log_path, (unsigned long long)want,
                           (unsigned long long)want, rec->time);
    return MLOPS_OK;
}

static int cut_torn_tail(const mlops_registry *r, int fd, uint64_t at, uint64_t size)
{
    if (ftruncate(fd, (off_t)at) != 0 || fsync(fd) != 0)
        return io_fail("cut the incomplete last line of", r->log_path, errno);
    mlops__log(MLOPS_LOG_WARN, "registry '%s': cut off an incomplete last record of %llu bytes "
               "(an append interrupted by a crash)", r->dir, (unsigned long long)(size - at));
    return MLOPS_OK;
}

static int read_new_records(mlops_registry *r, int fd, bool repair, uint64_t size)
{
    mlops__audit_reader rd;
    int rc = mlops__audit_reader_init(&rd, fd, r->log_path, r->state.offset);
    while (rc == MLOPS_OK) {
        const char *line;
        size_t len;
        bool complete;
        uint64_t at;
        int got = mlops__audit_reader_next(&rd, &line, &len, &complete, &at);
        if (got <= 0) {
            if (got < 0) rc = at_line(r, r->state.count + 1, 0, got);
            break;
        }
        if (!complete) {
            if (repair) rc = cut_torn_tail(r, fd, at, size);
            break;
        }
        mlops__audit_record rec;
        rc = mlops__audit_parse(&rec, line, len);
        if (rc != MLOPS_OK) rc = at_line(r, r->state.count + 1, rec.seq, rc);
        if (rc == MLOPS_OK) rc = check_link(r, &rec);
        if (rc == MLOPS_OK) {
            rc = mlops__reg_apply(&r->state, &rec);
            if (rc != MLOPS_OK) rc = at_line(r, rec.seq, rec.seq, rc);
        }
        mlops__audit_record_free(&rec);
        if (rc == MLOPS_OK) r->state.offset = at + len + 1;
    }
    mlops__audit_reader_free(&rd);
    return rc;
}

static int compare_head(mlops_registry *r, bool repair)
{
    uint64_t records = 0;
    char hash[65];
    int rc = mlops__reg_read_head(r->head_path, &records, hash);
    if (rc == MLOPS_ENOTFOUND)
        return mlops__fail(MLOPS_ECORRUPT, "registry '%s': the head file audit.log.head is missing",
                           r->dir);
    if (rc != MLOPS_OK) return rc;
    const mlops__reg_state *s = &r->state;
    if (s->count == records && strcmp(s->last_hash, hash) == 0) return MLOPS_OK;
    if (s->count == records + 1 && strcmp(s->last_prev, hash) == 0) {
        /* The append of the last record completed, the head's update did
         * not: the record stands. */
        if (!repair) return MLOPS_OK;
        mlops__log(MLOPS_LOG_WARN, "registry '%s': the head file was one record behind the log "
                   "(an update interrupted by a crash); rolled forward", r->dir);
        return write_head(r);
    }
    if (s->count < records)
        return mlops__fail(MLOPS_ECORRUPT, "registry '%s': the audit log has %llu records but its "
                           "head says %llu: the last records were removed", r->dir,
                           (unsigned long long)s->count, (unsigned long long)records);
    if (s->count > records)
        return mlops__fail(MLOPS_ECORRUPT, "registry '%s': the audit log has %llu records but its "
                           "head says %llu: records were added outside the registry", r->dir,
                           (unsigned long long)s->count, (unsigned long long)records);
    return mlops__fail(MLOPS_ECORRUPT, "registry '%s': the last record's hash %.16s... differs from "
                       "the head's %.16s...: the last record was replaced", r->dir, s->last_hash,
                       hash);
}

static int refresh(mlops_registry *r, bool exclusive)
{
    bool repair = exclusive && !r->read_only;
    int fd = open(r->log_path, (repair ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return mlops__fail(MLOPS_ECORRUPT, "registry '%s': the audit log audit.log is missing",
                               r->dir);
        return io_fail("open", r->log_path, errno);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return io_fail("inspect", r->log_path, err);
    }
    mlops__reg_state *s = &r->state;
    if (!r->loaded || st.st_dev != s->dev || st.st_ino != s->ino ||
        (uint64_t)st.st_size < s->offset) {
        mlops__reg_state_free(s);
        s->dev = st.st_dev;
        s->ino = st.st_ino;
        r->loaded = true;
    }
    int rc = read_new_records(r, fd, repair, (uint64_t)st.st_size);
    close(fd);
    if (rc == MLOPS_OK) rc = compare_head(r, repair);
    if (rc != MLOPS_OK) {
        mlops__reg_state_free(s);
        r->loaded = false;
    }
    return rc;
}

int mlops__reg_lock(mlops_registry *r, bool exclusive)
{
    if (exclusive && r->read_only)
        return mlops__fail(MLOPS_EIO, "registry '%s' can only be read by this process (its lock "
                           "file could not be opened for writing)", r->dir);
    while (flock(r->lock_fd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
        if (errno != EINTR) return io_fail("lock", r->lock_path, errno);
    }
    int rc = refresh(r, exclusive);
    if (rc != MLOPS_OK) mlops__reg_unlock(r);
    return rc;
}

void mlops__reg_unlock(mlops_registry *r)
{
    flock(r->lock_fd, LOCK_UN);
}

/* ---- Opening -------------------------------------------------------------- */

/* Under the exclusive lock, in a directory without a head file. */
static int create_registry(mlops_registry *r)
{
    char *models = join(r->dir, "models");
    if (models == NULL) return MLOPS_ENOMEM;
    int rc = MLOPS_OK;
    if (mkdir(models, 0777) != 0 && errno != EEXIST) rc = io_fail("create directory", models, errno);
    mlops__free(models);
    if (rc != MLOPS_OK) return rc;
    int fd = open(r->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) return io_fail("create", r->log_path, errno);
    struct stat st;
    if (fstat(fd, &st) != 0) rc = io_fail("inspect", r->log_path, errno);
    else if (st.st_size > 0)
        rc = mlops__fail(MLOPS_ECORRUPT, "registry '%s': the audit log has records but the head "
                         "file audit.log.head is missing", r->dir);
    else if (fsync(fd) != 0) rc = io_fail("flush", r->log_path, errno);
    close(fd);
    if (rc != MLOPS_OK) return rc;
    mlops__reg_state_init(&r->state);
    return write_head(r); /* flushes the directory, with the entries above */
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int open_dir(mlops_registry *r, bool create)
{
    struct stat st;
    if (stat(r->dir, &st) != 0) {
        if (errno != ENOENT) return io_fail("inspect", r->dir, errno);
        if (!create)
            return mlops__fail(MLOPS_ENOTFOUND, "no registry at '%s': the directory does not exist",
                               r->dir);
        if (mkdir(r->dir, 0777) != 0 && errno != EEXIST)
            return io_fail("create directory", r->dir, errno);
        char *parent = join(r->dir, "..");
        if (parent == NULL) return MLOPS_ENOMEM;
        int rc = sync_dir(parent);
        mlops__free(parent);
        return rc;
    }
    if (!S_ISDIR(st.st_mode))
        return mlops__fail(MLOPS_EINVAL, "registry '%s' is not a directory", r->dir);
    return MLOPS_OK;
}

static int open_lock(mlops_registry *r, bool create)
{
    r->lock_fd = open(r->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (r->lock_fd < 0 && !create && (errno == EACCES || errno == EROFS || errno == EPERM)) {
        r->lock_fd = open(r->lock_path, O_RDONLY | O_CLOEXEC);
        r->read_only = r->lock_fd >= 0;
    }
    return r->lock_fd >= 0 ? MLOPS_OK : io_fail("open the lock file", r->lock_path, errno);
}

static int open_registry(mlops_registry *r, const char *dir, unsigned flags)
{
    bool create = (flags & MLOPS_REGISTRY_CREATE) != 0;
    r->dir = mlops__strdup(dir, "registry directory");
    if (r->dir == NULL) return MLOPS_ENOMEM;
    r->lock_path = join(dir, "registry.lock");
    r->log_path = join(dir, "audit.log");
    r->head_path = join(dir, "audit.log.head");
    r->actor = mlops__audit_default_actor();
    if (r->lock_path == NULL || r->log_path == NULL || r->head_path == NULL || r->actor == NULL)
        return MLOPS_ENOMEM;
    int rc = open_dir(r, create);
    if (rc != MLOPS_OK) return rc;
    if (!exists(r->head_path) && !create)
        return mlops__fail(MLOPS_ENOTFOUND, "'%s' is not a registry (it has no audit.log.head); "
                           "create one with MLOPS_REGISTRY_CREATE", dir);
    if ((rc = open_lock(r, create)) != MLOPS_OK) return rc;
    if (!exists(r->head_path)) {
        while (flock(r->lock_fd, LOCK_EX) != 0)
            if (errno != EINTR) return io_fail("lock", r->lock_path, errno);
        if (!exists(r->head_path)) rc = create_registry(r); /* nobody else did meanwhile */
        mlops__reg_unlock(r);
        if (rc != MLOPS_OK) return rc;
    }
    rc = mlops__reg_lock(r, !r->read_only);
    if (rc == MLOPS_OK) mlops__reg_unlock(r);
    return rc;
}

MLOPS_API int mlops_registry_open(mlops_registry **out, const char *dir, unsigned flags)
{
    if (out != NULL) *out = NULL;
    MLOPS_CHECK_ARG(out != NULL && dir != NULL, "mlops_registry_open", "NULL argument");
    if (*dir == '\0') return mlops__fail(MLOPS_EINVAL, "mlops_registry_open: empty directory name");
    if ((flags & ~MLOPS_REGISTRY_CREATE) != 0)
        return mlops__fail(MLOPS_EINVAL, "mlops_registry_open: unknown flags 0x%x",
                           flags & ~MLOPS_REGISTRY_CREATE);
    mlops_registry *r = mlops__calloc(1, sizeof *r, "registry");
    if (r == NULL) return MLOPS_ENOMEM;
    r->lock_fd = -1;
    mlops__reg_state_init(&r->state);
    int rc = open_registry(r, dir, flags);
    if (rc != MLOPS_OK) {
        mlops_registry_free(r);
        return rc;
    }
    *out = r;
    return MLOPS_OK;
}

MLOPS_API void mlops_registry_free(mlops_registry *r)
{
    if (r == NULL) return;
    if (r->lock_fd >= 0) close(r->lock_fd);
    mlops__reg_state_free(&r->state);
    mlops__free(r->dir);
    mlops__free(r->lock_path);
    mlops__free(r->log_path);
    mlops__free(r->head_path);
    mlops__free(r->actor);
    mlops__free(r);
}

MLOPS_API int mlops_registry_set_actor(mlops_registry *r, const char *actor)
{
    MLOPS_CHECK_ARG(r != NULL && actor != NULL, "mlops_registry_set_actor", "NULL argument");
    if (*actor == '\0') return mlops__fail(MLOPS_EINVAL, "actor is empty");
    int rc = mlops__audit_check_text(actor, MLOPS_AUDIT_MAX_ACTOR, false, "actor");
    if (rc != MLOPS_OK) return rc;
    char *copy = mlops__strdup(actor, "actor");
    if (copy == NULL) return MLOPS_ENOMEM;
    mlops__free(r->actor);
    r->actor = copy;
    return MLOPS_OK;
}
