/* Reading a registry: resolving references, loading a model with its
 * stored file checked against the log, the content and the history as
 * JSON, and which version an alias named at a given time. Readers take
 * the shared lock, so they never see a change half made. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json.h"
#include "core/sha256.h"
#include "pipeline/registry_impl.h"

#define MAX_MODEL_BYTES ((size_t)1 << 32)

/* Splits "name[@part]" into a checked name (copied into `name`) and the
 * part after '@' (NULL when there is none). */
static int split_ref(const char *ref, char name[MLOPS_AUDIT_MAX_NAME + 1], const char **part)
{
    const char *at = strchr(ref, '@');
    size_t n = at != NULL ? (size_t)(at - ref) : strlen(ref);
    if (n == 0 || n > MLOPS_AUDIT_MAX_NAME)
        return mlops__fail(MLOPS_EINVAL, "model reference '%.200s' is not NAME, NAME@ALIAS or "
                           "NAME@VERSION", ref);
    memcpy(name, ref, n);
    name[n] = '\0';
    int rc = mlops__audit_check_name(name, "model name");
    if (rc != MLOPS_OK) return rc;
    *part = at != NULL ? at + 1 : NULL;
    if (at != NULL && *at == '@' && at[1] == '\0')
        return mlops__fail(MLOPS_EINVAL, "model reference '%s' has nothing after '@' (an alias or "
                           "a version)", ref);
    return MLOPS_OK;
}

/* Under the lock: the model and version `ref` names. */
static int resolve_locked(const mlops_registry *r, const char *name, const char *part,
                          size_t *mi, size_t *vi)
{
    int rc = mlops__reg_model_required(&r->state, name, mi);
    if (rc != MLOPS_OK) return rc;
    if (part != NULL) return mlops__reg_find_version(&r->state, *mi, part, vi);
    long latest = mlops__reg_latest(&r->state.models[*mi]);
    if (latest == MLOPS_REG_NONE)
        return mlops__fail(MLOPS_ENOTFOUND, "model '%s' has no version that is not retired", name);
    *vi = (size_t)latest;
    return MLOPS_OK;
}

MLOPS_API int mlops_registry_resolve(mlops_registry *r, const char *ref, char **version,
                                     char **model_path)
{
    if (version != NULL) *version = NULL;
    if (model_path != NULL) *model_path = NULL;
    MLOPS_CHECK_ARG(r != NULL && ref != NULL, "mlops_registry_resolve", "NULL argument");
    char name[MLOPS_AUDIT_MAX_NAME + 1];
    const char *part = NULL;
    int rc = split_ref(ref, name, &part);
    if (rc == MLOPS_OK) rc = mlops__reg_lock(r, false);
    if (rc != MLOPS_OK) return rc;
    size_t mi = 0, vi = 0;
    rc = resolve_locked(r, name, part, &mi, &vi);
    char *v = NULL, *p = NULL;
    if (rc == MLOPS_OK) {
        const char *hex = r->state.models[mi].versions[vi].version;
        v = version != NULL ? mlops__strdup(hex, "version") : NULL;
        p = model_path != NULL ? mlops__reg_model_path(r->dir, name, hex) : NULL;
        if ((version != NULL && v == NULL) || (model_path != NULL && p == NULL)) rc = MLOPS_ENOMEM;
    }
    mlops__reg_unlock(r);
    if (rc != MLOPS_OK) {
        mlops__free(v);
        mlops__free(p);
        return rc;
    }
    if (version != NULL) *version = v;
    if (model_path != NULL) *model_path = p;
    return MLOPS_OK;
}

MLOPS_API int mlops_registry_load_model(mlops_registry *r, const char *ref, mlops_model **out)
{
    if (out != NULL) *out = NULL;
    MLOPS_CHECK_ARG(r != NULL && ref != NULL && out != NULL, "mlops_registry_load_model",
                    "NULL argument");
    char name[MLOPS_AUDIT_MAX_NAME + 1];
    const char *part = NULL;
    int rc = split_ref(ref, name, &part);
    if (rc == MLOPS_OK) rc = mlops__reg_lock(r, false);
    if (rc != MLOPS_OK) return rc;
    size_t mi = 0, vi = 0;
    char version[65], file_sha[65];
    char *path = NULL;
    rc = resolve_locked(r, name, part, &mi, &vi);
    if (rc == MLOPS_OK) {
        memcpy(version, r->state.models[mi].versions[vi].version, 65);
        memcpy(file_sha, r->state.models[mi].versions[vi].file_sha256, 65);
        path = mlops__reg_model_path(r->dir, name, version);
        if (path == NULL) rc = MLOPS_ENOMEM;
    }
    mlops__reg_unlock(r);
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (rc == MLOPS_OK) {
        rc = mlops__read_file(path, MAX_MODEL_BYTES, &bytes, &len);
        if (rc == MLOPS_ENOTFOUND)
            rc = mlops__fail(MLOPS_ENOTFOUND, "registry '%s': the file of %s (version %.16s...) is "
                             "missing: %s", r->dir, ref, version, path);
    }
    if (rc == MLOPS_OK) {
        char sha[65];
        mlops__sha256_hex(bytes, len, sha);
        if (strcmp(sha, file_sha) != 0)
            rc = mlops__fail(MLOPS_ECORRUPT, "registry '%s': the file of %s was changed after it "
                             "was registered (SHA-256 %s, registered %s): %s", r->dir, ref, sha,
                             file_sha, path);
    }
    mlops_model *m = NULL;
    if (rc == MLOPS_OK) rc = mlops_model_load_buffer(&m, bytes, len);
    char payload[65];
    if (rc == MLOPS_OK) rc = mlops_model_payload_hash(m, payload, sizeof payload);
    if (rc == MLOPS_OK && strcmp(payload, version) != 0)
        rc = mlops__fail(MLOPS_ECORRUPT, "registry '%s': the model of %s has payload hash %s, not "
                         "its version %s", r->dir, ref, payload, version);
    mlops__free(bytes);
    mlops__free(path);
    if (rc != MLOPS_OK) {
        mlops_model_free(m);
        return rc;
    }
    *out = m;
    return MLOPS_OK;
}

/* ---- JSON ----------------------------------------------------------------- */

static void write_version(mlops__json *j, const mlops_registry *r, const mlops__reg_model *m,
                          size_t vi)
{
    const mlops__reg_version *v = &m->versions[vi];
    mlops__json_begin_object(j);
    mlops__json_key(j, "version");
    mlops__json_string(j, v->version);
    mlops__json_key(j, "registered");
    mlops__json_string(j, v->registered);
    mlops__json_key(j, "actor");
    mlops__json_string(j, v->actor);
    mlops__json_key(j, "reason");
    mlops__json_string(j, v->reason);
    mlops__json_key(j, "file_sha256");
    mlops__json_string(j, v->file_sha256);
    mlops__json_key(j, "path");
    char *path = mlops__reg_model_path(r->dir, m->name, v->version);
    if (path == NULL && j->status == MLOPS_OK) j->status = MLOPS_ENOMEM;
    mlops__json_string(j, path);
    mlops__free(path);
    mlops__json_key(j, "retired");
    mlops__json_bool(j, v->retired);
    mlops__json_key(j, "retired_at");
    mlops__json_string(j, v->retired ? v->retired_at : NULL);
    mlops__json_key(j, "aliases");
    mlops__json_begin_array(j);
    for (size_t a = 0; a < m->naliases; a++) /* table order is sorted below */
        if (m->aliases[a].version == (long)vi) mlops__json_string(j, m->aliases[a].alias);
    mlops__json_end_array(j);
    mlops__json_end_object(j);
}

/* Indices 0..n-1 sorted by the strings get(i). */
static size_t *sorted_order(size_t n, const char *(*get)(size_t, const void *), const void *ctx)
{
    size_t *order = mlops__malloc_array(n ? n : 1, sizeof *order, "sort order");
    if (order == NULL) return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t k = i;
        while (k > 0 && strcmp(get(order[k - 1], ctx), get(i, ctx)) > 0) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    return order;
}

static const char *model_name(size_t i, const void *ctx)
{
    return ((const mlops__reg_state *)ctx)->models[i].name;
}

static const char *alias_name(size_t i, const void *ctx)
{
    return ((const mlops__reg_model *)ctx)->aliases[i].alias;
}

static void write_model(mlops__json *j, const mlops_registry *r, const mlops__reg_model *m)
{
    mlops__json_begin_object(j);
    mlops__json_key(j, "name");
    mlops__json_string(j, m->name);
    mlops__json_key(j, "latest");
    long latest = mlops__reg_latest(m);
    mlops__json_string(j, latest == MLOPS_REG_NONE ? NULL : m->versions[latest].version);
    mlops__json_key(j, "aliases");
    mlops__json_begin_object(j);
    size_t *order = sorted_order(m->naliases, alias_name, m);
    if (order == NULL && j->status == MLOPS_OK) j->status = MLOPS_ENOMEM;
    for (size_t i = 0; order != NULL && i < m->naliases; i++) {
        const mlops__reg_alias *a = &m->aliases[order[i]];
        if (a->version == MLOPS_REG_NONE) continue;
        mlops__json_key(j, a->alias);
        mlops__json_string(j, m->versions[a->version].version);
    }
    mlops__free(order);
    mlops__json_end_object(j);
    mlops__json_key(j, "versions");
    mlops__json_begin_array(j);
    for (size_t v = 0; v < m->nversions; v++) write_version(j, r, m, v);
    mlops__json_end_array(j);
    mlops__json_end_object(j);
}

static int finish(mlops__json *j, char **json)
{
    size_t len = 0;
    int rc = mlops__json_finish(j, json, &len);
    if (rc != MLOPS_OK) mlops__json_free(j);
    return rc;
}

MLOPS_API int mlops_registry_list_json(mlops_registry *r, char **json)
{
    if (json != NULL) *json = NULL;
    MLOPS_CHECK_ARG(r != NULL && json != NULL, "mlops_registry_list_json", "NULL argument");
    int rc = mlops__reg_lock(r, false);
    if (rc != MLOPS_OK) return rc;
    const mlops__reg_state *s = &r->state;
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "registry");
    mlops__json_string(&j, r->dir);
    mlops__json_key(&j, "records");
    mlops__json_uint(&j, s->count);
    mlops__json_key(&j, "models");
    mlops__json_begin_array(&j);
    size_t *order = sorted_order(s->nmodels, model_name, s);
    if (order == NULL) j.status = MLOPS_ENOMEM;
    for (size_t i = 0; order != NULL && i < s->nmodels; i++) write_model(&j, r, &s->models[order[i]]);
    mlops__free(order);
    mlops__json_end_array(&j);
    mlops__json_end_object(&j);
    mlops__reg_unlock(r);
    return finish(&j, json);
}

/* Streams the log's checked part into `j`, keeping the records of `name`
 * (all when NULL); *kept counts them. */
static int history_records(const mlops_registry *r, const char *name, mlops__json *j,
                           size_t *kept)
{
    int fd = open(r->log_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return mlops__fail(MLOPS_EIO, "cannot open '%s': %s", r->log_path, strerror(errno));
    mlops__audit_reader rd;
    int rc = mlops__audit_reader_init(&rd, fd, r->log_path, 0);
    while (rc == MLOPS_OK) {
        const char *line;
        size_t len;
        bool complete;
        uint64_t at;
        int got = mlops__audit_reader_next(&rd, &line, &len, &complete, &at);
        if (got <= 0 || !complete || at >= r->state.offset) {
            if (got < 0) rc = got;
            break;
        }
        mlops__audit_record rec;
        rc = mlops__audit_parse(&rec, line, len);
        const char *of = rc == MLOPS_OK ? mlops__audit_detail(&rec, "name") : NULL;
        if (rc == MLOPS_OK && (name == NULL || (of != NULL && strcmp(of, name) == 0))) {
            rc = mlops__json_raw(j, line, len);
            ++*kept;
        }
        mlops__audit_record_free(&rec);
    }
    mlops__audit_reader_free(&rd);
    close(fd);
    return rc;
}

MLOPS_API int mlops_registry_history_json(mlops_registry *r, const char *name, char **json)
{
    if (json != NULL) *json = NULL;
    MLOPS_CHECK_ARG(r != NULL && json != NULL, "mlops_registry_history_json", "NULL argument");
    int rc = name != NULL ? mlops__audit_check_name(name, "model name") : MLOPS_OK;
    if (rc == MLOPS_OK) rc = mlops__reg_lock(r, false);
    if (rc != MLOPS_OK) return rc;
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "registry");
    mlops__json_string(&j, r->dir);
    mlops__json_key(&j, "name");
    mlops__json_string(&j, name);
    mlops__json_key(&j, "records");
    mlops__json_begin_array(&j);
    size_t kept = 0;
    rc = history_records(r, name, &j, &kept);
    if (rc == MLOPS_OK && name != NULL && kept == 0) {
        size_t unused = 0;
        rc = mlops__reg_model_required(&r->state, name, &unused);
        if (rc == MLOPS_OK) rc = mlops__fail(MLOPS_ENOTFOUND, "model '%s' has no record", name);
    }
    mlops__reg_unlock(r);
    if (rc != MLOPS_OK) {
        mlops__json_free(&j);
        return rc;
    }
    mlops__json_end_array(&j);
    mlops__json_end_object(&j);
    return finish(&j, json);
}

MLOPS_API int mlops_registry_alias_at(mlops_registry *r, const char *name, const char *alias,
                                      const char *time_iso8601, char **version)
{
    if (version != NULL) *version = NULL;
    MLOPS_CHECK_ARG(r != NULL && name != NULL && alias != NULL && time_iso8601 != NULL &&
                        version != NULL,
                    "mlops_registry_alias_at", "NULL argument");
    int64_t t = 0;
    int rc = mlops__audit_check_name(name, "model name");
    if (rc == MLOPS_OK) rc = mlops__audit_check_name(alias, "alias");
    if (rc == MLOPS_OK) rc = mlops__audit_parse_user_time(time_iso8601, "time", &t);
    if (rc == MLOPS_OK) rc = mlops__reg_lock(r, false);
    if (rc != MLOPS_OK) return rc;
    const mlops__reg_state *s = &r->state;
    size_t mi = 0;
    rc = mlops__reg_model_required(s, name, &mi);
    long a = rc == MLOPS_OK ? mlops__reg_find_alias(&s->models[mi], alias) : MLOPS_REG_NONE;
    if (rc == MLOPS_OK && a == MLOPS_REG_NONE)
        rc = mlops__fail(MLOPS_ENOTFOUND, "model '%s' never had an alias '%s'", name, alias);
    long current = MLOPS_REG_NONE;
    int64_t first = -1;
    for (size_t e = 0; rc == MLOPS_OK && first < 0 && e < s->nevents; e++)
        if (s->events[e].model == mi && s->events[e].alias == a) first = s->events[e].time_us;
    for (size_t e = 0; rc == MLOPS_OK && e < s->nevents; e++) {
        const mlops__reg_event *ev = &s->events[e];
        if (ev->time_us > t) break; /* record times never decrease */
        if (ev->model != mi) continue;
        if (ev->alias == a) current = (long)ev->version;
        else if (ev->alias == MLOPS_REG_NONE && current == (long)ev->version) current = MLOPS_REG_NONE;
    }
    if (rc == MLOPS_OK && current == MLOPS_REG_NONE) {
        char when[MLOPS_AUDIT_TIME_SIZE], set[MLOPS_AUDIT_TIME_SIZE];
        mlops__audit_format_time(t, when);
        mlops__audit_format_time(first, set);
        rc = first > t ? mlops__fail(MLOPS_ENOTFOUND, "alias '%s' of model '%s' named no version "
                                     "at %s: it was first set at %s", alias, name, when, set)
                       : mlops__fail(MLOPS_ENOTFOUND, "alias '%s' of model '%s' named no version "
                                     "at %s (its version had been retired)", alias, name, when);
    }
    char *v = NULL;
    if (rc == MLOPS_OK && (v = mlops__strdup(s->models[mi].versions[current].version, "version")) == NULL)
        rc = MLOPS_ENOMEM;
    mlops__reg_unlock(r);
    if (rc == MLOPS_OK) *version = v;
    return rc;
}
