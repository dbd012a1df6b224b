/* The changes of a registry: register, move an alias, retire, and record a
 * refused promotion. Each runs under the exclusive lock on a state just
 * brought up to date, decides from it, and appends one record. Everything
 * that can run out of memory is done before the append, so a change that
 * reports a failure has not happened, and one that happened is reported. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/log.h"
#include "core/sha256.h"
#include "pipeline/registry_impl.h"

/* Model files larger than this are refused (they are read whole). */
#define MAX_MODEL_BYTES ((size_t)1 << 32)

/* The details of every registry action; unused members stay NULL. Keys
 * are written in byte order, as the canonical form requires. */
typedef struct details {
    const char *alias, *current, *file_sha256, *name, *previous, *version;
    bool has_current, has_previous;   /* written even when NULL (as null) */
    const char *const *removed;       /* retire: aliases_removed */
    size_t nremoved;
    bool has_removed;
} details;

static int write_details(mlops__json *j, const void *ctx)
{
    const details *d = ctx;
    if (d->alias != NULL) {
        mlops__json_key(j, "alias");
        mlops__json_string(j, d->alias);
    }
    if (d->has_removed) {
        mlops__json_key(j, "aliases_removed");
        mlops__json_begin_array(j);
        for (size_t i = 0; i < d->nremoved; i++) mlops__json_string(j, d->removed[i]);
        mlops__json_end_array(j);
    }
    if (d->has_current) {
        mlops__json_key(j, "current");
        mlops__json_string(j, d->current);
    }
    if (d->file_sha256 != NULL) {
        mlops__json_key(j, "file_sha256");
        mlops__json_string(j, d->file_sha256);
    }
    mlops__json_key(j, "name");
    mlops__json_string(j, d->name);
    if (d->has_previous) {
        mlops__json_key(j, "previous");
        mlops__json_string(j, d->previous);
    }
    mlops__json_key(j, "version");
    return mlops__json_string(j, d->version);
}

static char *object_of(const char *name, const char *part)
{
    size_t n = strlen(name) + strlen(part) + 2;
    char *o = mlops__malloc(n, "record object");
    if (o != NULL) snprintf(o, n, "%s@%s", name, part);
    return o;
}

/* Appends one record to the log of `r` (locked exclusively, state fresh)
 * and applies it to the state. */
static int append_record(mlops_registry *r, const char *action, const char *name,
                         const char *part, const details *d, const char *reason)
{
    mlops__reg_state *s = &r->state;
    int64_t now = mlops__audit_now_us();
    char *object = object_of(name, part);
    if (object == NULL) return MLOPS_ENOMEM;
    mlops__audit_fields f = {s->count + 1, now > s->last_time_us ? now : s->last_time_us,
                             r->actor, action, object, reason, s->last_hash};
    char *line = NULL, *head = NULL;
    size_t len = 0, head_len = 0;
    char hash[65];
    mlops__audit_record rec;
    memset(&rec, 0, sizeof rec);
    mlops__atomic_file hf = {-1, NULL, NULL};
    int rc = mlops__audit_build(&f, write_details, d, &line, &len, hash);
    mlops__free(object);
    /* Read it back as every later reader will: a record that would not
     * replay must never be written. */
    if (rc == MLOPS_OK) {
        rc = mlops__audit_parse(&rec, line, len - 1);
        if (rc == MLOPS_ECORRUPT) {
            char why[900];
            snprintf(why, sizeof why, "%s", mlops_last_error());
            rc = mlops__fail(MLOPS_EINVAL, "%s record would not read back: %s", action, why);
        }
    }
    if (rc == MLOPS_OK) rc = mlops__reg_head_text(s->count + 1, hash, &head, &head_len);
    if (rc == MLOPS_OK) rc = mlops__atomic_open(&hf, r->head_path);
    int fd = -1;
    if (rc == MLOPS_OK) {
        fd = open(r->log_path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0)
            rc = mlops__fail(MLOPS_EIO, "cannot open '%s': %s", r->log_path, strerror(errno));
    }
    if (rc == MLOPS_OK) rc = mlops__audit_append(fd, r->log_path, line, len, s->offset, true);
    if (fd >= 0) close(fd);
    if (rc != MLOPS_OK) {
        if (hf.path != NULL) mlops__atomic_abort(&hf);
        mlops__free(line);
        mlops__free(head);
        mlops__audit_record_free(&rec);
        return rc;
    }
    /* The record stands. A head that cannot be replaced now is what a
     * crash at this point leaves: the next change rolls it forward. */
    int hrc = mlops__atomic_write(&hf, head, head_len);
    if (hrc == MLOPS_OK) hrc = mlops__atomic_commit(&hf);
    else mlops__atomic_abort(&hf);
    if (hrc != MLOPS_OK)
        mlops__log(MLOPS_LOG_WARN, "registry '%s': record %llu is written but the head file "
                   "could not be updated (%s); the next change updates it", r->dir,
                   (unsigned long long)f.seq, mlops_last_error());
    if (mlops__reg_apply(s, &rec) == MLOPS_OK) {
        s->offset += len;
    } else {
        mlops__reg_state_free(s); /* replayed from the log next time */
        r->loaded = false;
    }
    mlops__free(line);
    mlops__free(head);
    mlops__audit_record_free(&rec);
    return MLOPS_OK;
}

static int check_reason(const char *reason)
{
    if (reason == NULL) return MLOPS_OK;
    return mlops__audit_check_text(reason, MLOPS_AUDIT_MAX_REASON, true, "reason");
}

/* ---- register ------------------------------------------------------------- */

typedef struct candidate {
    unsigned char *bytes;
    size_t len;
    char version[65], file_sha256[65];
} candidate;

static int read_candidate(const char *path, candidate *c)
{
    int rc = mlops__read_file(path, MAX_MODEL_BYTES, &c->bytes, &c->len);
    if (rc != MLOPS_OK) return rc;
    mlops_model *m = NULL;
    rc = mlops_model_load_buffer(&m, c->bytes, c->len);
    if (rc == MLOPS_OK) rc = mlops_model_payload_hash(m, c->version, sizeof c->version);
    mlops_model_free(m);
    if (rc != MLOPS_OK && rc != MLOPS_ENOMEM) {
        char why[900];
        snprintf(why, sizeof why, "%s", mlops_last_error());
        return mlops__fail(rc, "model file '%s' cannot be registered: %s", path, why);
    }
    if (rc == MLOPS_OK) mlops__sha256_hex(c->bytes, c->len, c->file_sha256);
    return rc;
}

static int store_model(const mlops_registry *r, const char *name, const candidate *c)
{
    size_t n = strlen(r->dir) + strlen(name) + 16;
    char *dir = mlops__malloc(n, "model directory");
    char *path = mlops__reg_model_path(r->dir, name, c->version);
    int rc = dir != NULL && path != NULL ? MLOPS_OK : MLOPS_ENOMEM;
    if (rc == MLOPS_OK) {
        snprintf(dir, n, "%s/models/%s", r->dir, name);
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            rc = mlops__fail(MLOPS_EIO, "cannot create directory '%s': %s", dir, strerror(errno));
    }
    /* The atomic write flushes models/NAME; models/ gets the new NAME
     * entry flushed with the rename's own directory sync only, so sync it
     * here while the entry is new. */
    if (rc == MLOPS_OK) {
        char *models = mlops__malloc(strlen(r->dir) + 8, "models directory");
        if (models == NULL) {
            rc = MLOPS_ENOMEM;
        } else {
            snprintf(models, strlen(r->dir) + 8, "%s/models", r->dir);
            int fd = open(models, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd >= 0) {
                if (fsync(fd) != 0 && errno != EINVAL)
                    rc = mlops__fail(MLOPS_EIO, "cannot flush directory '%s': %s", models,
                                     strerror(errno));
                close(fd);
            }
            mlops__free(models);
        }
    }
    if (rc == MLOPS_OK) rc = mlops__write_file_atomic(path, c->bytes, c->len);
    mlops__free(dir);
    mlops__free(path);
    return rc;
}

static int register_locked(mlops_registry *r, const char *name, const char *reason,
                           const candidate *c)
{
    long mi = mlops__reg_find_model(&r->state, name);
    if (mi != MLOPS_REG_NONE) {
        const mlops__reg_model *m = &r->state.models[mi];
        for (size_t v = 0; v < m->nversions; v++) {
            if (strcmp(m->versions[v].version, c->version) != 0) continue;
            if (m->versions[v].retired)
                return mlops__fail(MLOPS_ESTATE, "version %.16s... of model '%s' was retired at "
                                   "%s; a retired version cannot be registered again",
                                   c->version, name, m->versions[v].retired_at);
            return MLOPS_OK; /* already there: nothing to record */
        }
    }
    int rc = store_model(r, name, c);
    if (rc != MLOPS_OK) return rc;
    details d = {0};
    d.file_sha256 = c->file_sha256;
    d.name = name;
    d.version = c->version;
    return append_record(r, "register", name, c->version, &d, reason);
}

MLOPS_API int mlops_registry_register(mlops_registry *r, const char *name,
                                      const char *model_path, const char *reason,
                                      char *version, size_t version_size)
{
    MLOPS_CHECK_ARG(r != NULL && name != NULL && model_path != NULL, "mlops_registry_register",
                    "NULL argument");
    if (version != NULL && version_size < MLOPS_REGISTRY_VERSION_SIZE)
        return mlops__fail(MLOPS_EINVAL, "mlops_registry_register: version buffer of %zu bytes; "
                           "it needs %d", version_size, MLOPS_REGISTRY_VERSION_SIZE);
    int rc = mlops__audit_check_name(name, "model name");
    if (rc == MLOPS_OK) rc = check_reason(reason);
    if (rc != MLOPS_OK) return rc;
    candidate c;
    memset(&c, 0, sizeof c);
    rc = read_candidate(model_path, &c);
    if (rc == MLOPS_OK) rc = mlops__reg_lock(r, true);
    if (rc == MLOPS_OK) {
        rc = register_locked(r, name, reason, &c);
        mlops__reg_unlock(r);
    }
    if (rc == MLOPS_OK && version != NULL) memcpy(version, c.version, 65);
    mlops__free(c.bytes);
    return rc;
}

/* ---- alias, retire, refuse ----------------------------------------------- */

static int alias_locked(mlops_registry *r, const char *name, const char *alias, const char *ref,
                        const char *reason)
{
    size_t mi = 0, vi = 0;
    int rc = mlops__reg_model_required(&r->state, name, &mi);
    if (rc == MLOPS_OK) rc = mlops__reg_find_version(&r->state, mi, ref, &vi);
    if (rc != MLOPS_OK) return rc;
    const mlops__reg_model *m = &r->state.models[mi];
    const mlops__reg_version *v = &m->versions[vi];
    if (v->retired)
        return mlops__fail(MLOPS_ESTATE, "version %.16s... of model '%s' was retired at %s; a "
                           "retired version cannot get an alias", v->version, name, v->retired_at);
    long a = mlops__reg_find_alias(m, alias);
    long held = a == MLOPS_REG_NONE ? MLOPS_REG_NONE : m->aliases[a].version;
    if (held == (long)vi) return MLOPS_OK; /* already there */
    details d = {0};
    d.alias = alias;
    d.name = name;
    d.has_previous = true;
    d.previous = held == MLOPS_REG_NONE ? NULL : m->versions[held].version;
    d.version = v->version;
    return append_record(r, "alias", name, alias, &d, reason);
}

MLOPS_API int mlops_registry_set_alias(mlops_registry *r, const char *name, const char *alias,
                                       const char *version_ref, const char *reason)
{
    MLOPS_CHECK_ARG(r != NULL && name != NULL && alias != NULL && version_ref != NULL,
                    "mlops_registry_set_alias", "NULL argument");
    int rc = mlops__audit_check_name(name, "model name");
    if (rc == MLOPS_OK) rc = mlops__reg_check_alias(alias);
    if (rc == MLOPS_OK) rc = check_reason(reason);
    if (rc == MLOPS_OK) rc = mlops__reg_lock(r, true);
    if (rc != MLOPS_OK) return rc;
    rc = alias_locked(r, name, alias, version_ref, reason);
    mlops__reg_unlock(r);
    return rc;
}

static int retire_locked(mlops_registry *r, const char *name, const char *ref, const char *reason)
{
    size_t mi = 0, vi = 0;
    int rc = mlops__reg_model_required(&r->state, name, &mi);
    if (rc == MLOPS_OK) rc = mlops__reg_find_version(&r->state, mi, ref, &vi);
    if (rc != MLOPS_OK) return rc;
    const mlops__reg_model *m = &r->state.models[mi];
    if (m->versions[vi].retired)
        return mlops__fail(MLOPS_ESTATE, "version %.16s... of model '%s' was already retired at %s",
                           m->versions[vi].version, name, m->versions[vi].retired_at);
    const char **removed = mlops__malloc_array(m->naliases ? m->naliases : 1, sizeof *removed,
                                               "aliases removed");
    if (removed == NULL) return MLOPS_ENOMEM;
    size_t n = 0;
    for (size_t a = 0; a < m->naliases; a++) {
        if (m->aliases[a].version != (long)vi) continue;
        size_t k = n++; /* by name, so the record does not depend on the table's order */
        while (k > 0 && strcmp(removed[k - 1], m->aliases[a].alias) > 0) {
            removed[k] = removed[k - 1];
            k--;
        }
        removed[k] = m->aliases[a].alias;
    }
    char version[65];
    memcpy(version, m->versions[vi].version, 65);
    details d = {0};
    d.has_removed = true;
    d.removed = removed;
    d.nremoved = n;
    d.name = name;
    d.version = version;
    rc = append_record(r, "retire", name, version, &d, reason);
    mlops__free(removed);
    return rc;
}

MLOPS_API int mlops_registry_retire(mlops_registry *r, const char *name, const char *version_ref,
                                    const char *reason)
{
    MLOPS_CHECK_ARG(r != NULL && name != NULL && version_ref != NULL, "mlops_registry_retire",
                    "NULL argument");
    int rc = mlops__audit_check_name(name, "model name");
    if (rc == MLOPS_OK) rc = check_reason(reason);
    if (rc == MLOPS_OK) rc = mlops__reg_lock(r, true);
    if (rc != MLOPS_OK) return rc;
    rc = retire_locked(r, name, version_ref, reason);
    mlops__reg_unlock(r);
    return rc;
}

MLOPS_API int mlops_registry_record_refusal(mlops_registry *r, const char *name,
                                            const char *alias,
                                            const char *model_payload_sha256,
                                            const char *reason)
{
    MLOPS_CHECK_ARG(r != NULL && name != NULL && alias != NULL && model_payload_sha256 != NULL,
                    "mlops_registry_record_refusal", "NULL argument");
    int rc = mlops__audit_check_name(name, "model name");
    if (rc == MLOPS_OK) rc = mlops__reg_check_alias(alias);
    if (rc == MLOPS_OK) rc = check_reason(reason);
    if (rc != MLOPS_OK) return rc;
    if (!mlops__audit_is_hash(model_payload_sha256, false))
        return mlops__fail(MLOPS_EINVAL, "model payload hash '%.70s' is not 64 hex digits",
                           model_payload_sha256);
    char version[65];
    for (size_t i = 0; i < 65; i++) {
        char ch = model_payload_sha256[i];
        version[i] = ch >= 'A' && ch <= 'F' ? (char)(ch - 'A' + 'a') : ch;
    }
    if ((rc = mlops__reg_lock(r, true)) != MLOPS_OK) return rc;
    const mlops__reg_state *s = &r->state;
    long mi = mlops__reg_find_model(s, name);
    long a = mi == MLOPS_REG_NONE ? MLOPS_REG_NONE : mlops__reg_find_alias(&s->models[mi], alias);
    long held = a == MLOPS_REG_NONE ? MLOPS_REG_NONE : s->models[mi].aliases[a].version;
    char current[65] = "";
    if (held != MLOPS_REG_NONE) memcpy(current, s->models[mi].versions[held].version, 65);
    details d = {0};
    d.alias = alias;
    d.has_current = true;
    d.current = held == MLOPS_REG_NONE ? NULL : current;
    d.name = name;
    d.version = version;
    rc = append_record(r, "refuse", name, alias, &d, reason);
    mlops__reg_unlock(r);
    return rc;
}
