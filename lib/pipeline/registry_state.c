/* The registry's state as the replay of its audit log: each record is
 * checked against the state it changes (the version it aliases exists and
 * is not retired, the previous version it names is the one the alias held,
 * ...), so a log that does not describe a possible history is refused, and
 * the lookups of names, versions, prefixes and aliases. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/suggest.h"
#include "pipeline/registry_impl.h"

void mlops__reg_state_init(mlops__reg_state *s)
{
    memset(s, 0, sizeof *s);
    memcpy(s->last_hash, MLOPS_AUDIT_ZERO_HASH, 65);
    memcpy(s->last_prev, MLOPS_AUDIT_ZERO_HASH, 65);
}

void mlops__reg_state_free(mlops__reg_state *s)
{
    for (size_t i = 0; i < s->nmodels; i++) {
        mlops__reg_model *m = &s->models[i];
        for (size_t v = 0; v < m->nversions; v++) {
            mlops__free(m->versions[v].actor);
            mlops__free(m->versions[v].reason);
        }
        for (size_t a = 0; a < m->naliases; a++) mlops__free(m->aliases[a].alias);
        mlops__free(m->versions);
        mlops__free(m->aliases);
        mlops__free(m->name);
    }
    mlops__free(s->models);
    mlops__free(s->events);
    mlops__reg_state_init(s);
}

/* Makes room for one more element of `size` bytes in *items. */
static int reserve(void **items, size_t n, size_t *cap, size_t size, const char *what)
{
    if (n < *cap) return MLOPS_OK;
    size_t grown = *cap ? *cap * 2 : 8;
    void *p = mlops__realloc_array(*items, grown, size, what);
    if (p == NULL) return MLOPS_ENOMEM;
    *items = p;
    *cap = grown;
    return MLOPS_OK;
}

long mlops__reg_find_model(const mlops__reg_state *s, const char *name)
{
    for (size_t i = 0; i < s->nmodels; i++)
        if (strcmp(s->models[i].name, name) == 0) return (long)i;
    return MLOPS_REG_NONE;
}

static const char *model_name_at(size_t i, const void *ctx)
{
    return ((const mlops__reg_state *)ctx)->models[i].name;
}

int mlops__reg_model_required(const mlops__reg_state *s, const char *name, size_t *model)
{
    long i = mlops__reg_find_model(s, name);
    if (i != MLOPS_REG_NONE) {
        *model = (size_t)i;
        return MLOPS_OK;
    }
    const char *near = mlops__suggest(name, s->nmodels, model_name_at, s);
    if (near != NULL)
        return mlops__fail(MLOPS_ENOTFOUND, "the registry has no model '%s' (did you mean '%s'?)",
                           name, near);
    return mlops__fail(MLOPS_ENOTFOUND, "the registry has no model '%s'%s", name,
                       s->nmodels == 0 ? " (it is empty)" : "");
}

long mlops__reg_find_alias(const mlops__reg_model *m, const char *alias)
{
    for (size_t i = 0; i < m->naliases; i++)
        if (strcmp(m->aliases[i].alias, alias) == 0) return (long)i;
    return MLOPS_REG_NONE;
}

long mlops__reg_latest(const mlops__reg_model *m)
{
    for (size_t i = m->nversions; i > 0; i--)
        if (!m->versions[i - 1].retired) return (long)(i - 1);
    return MLOPS_REG_NONE;
}

static bool hex_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool mlops__reg_looks_like_version(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0' && hex_char(s[n])) n++;
    return s[n] == '\0' && n >= 8 && n <= 64;
}

int mlops__reg_check_alias(const char *alias)
{
    int rc = mlops__audit_check_name(alias, "alias");
    if (rc != MLOPS_OK) return rc;
    if (mlops__reg_looks_like_version(alias))
        return mlops__fail(MLOPS_EINVAL, "alias '%s' looks like a version (8 or more hex digits "
                           "only), so 'name@%s' would be ambiguous; choose another name", alias,
                           alias);
    return MLOPS_OK;
}

static bool prefix_matches(const char *version, const char *prefix)
{
    for (size_t i = 0; prefix[i] != '\0'; i++) {
        char c = prefix[i];
        if (c >= 'A' && c <= 'F') c = (char)(c - 'A' + 'a');
        if (version[i] != c) return false;
    }
    return true;
}

static const char *alias_name_at(size_t i, const void *ctx)
{
    return ((const mlops__reg_model *)ctx)->aliases[i].alias;
}

int mlops__reg_find_version(const mlops__reg_state *s, size_t model, const char *ref,
                            size_t *version)
{
    const mlops__reg_model *m = &s->models[model];
    long a = mlops__reg_find_alias(m, ref);
    if (a != MLOPS_REG_NONE) {
        if (m->aliases[a].version == MLOPS_REG_NONE)
            return mlops__fail(MLOPS_ENOTFOUND, "alias '%s' of model '%s' names no version: its "
                               "version was retired at %s", ref, m->name, m->aliases[a].since);
        *version = (size_t)m->aliases[a].version;
        return MLOPS_OK;
    }
    if (mlops__reg_looks_like_version(ref)) {
        long found = MLOPS_REG_NONE;
        for (size_t v = 0; v < m->nversions; v++) {
            if (!prefix_matches(m->versions[v].version, ref)) continue;
            if (found != MLOPS_REG_NONE)
                return mlops__fail(MLOPS_EINVAL, "version prefix '%s' of model '%s' is ambiguous: "
                                   "it matches %.16s... and %.16s...; give more digits", ref,
                                   m->name, m->versions[found].version, m->versions[v].version);
            found = (long)v;
        }
        if (found != MLOPS_REG_NONE) {
            *version = (size_t)found;
            return MLOPS_OK;
        }
        return mlops__fail(MLOPS_ENOTFOUND, "model '%s' has no version %s%s", m->name, ref,
                           strlen(ref) < 64 ? "..." : "");
    }
    const char *near = mlops__suggest(ref, m->naliases, alias_name_at, m);
    if (near != NULL)
        return mlops__fail(MLOPS_ENOTFOUND, "model '%s' has no alias '%s' (did you mean '%s'?)",
                           m->name, ref, near);
    return mlops__fail(MLOPS_ENOTFOUND, "model '%s' has no alias '%s', and '%s' is not a version "
                       "(at least 8 hex digits)", m->name, ref, ref);
}

/* ---- Replay --------------------------------------------------------------- */

static int bad(const mlops__audit_record *rec, const char *what, const char *value)
{
    return mlops__fail(MLOPS_ECORRUPT, "%s: %s%s%s", rec->action, what, value ? " " : "",
                       value ? value : "");
}

/* The detail `key`, which must be a valid name (kind "name"/"alias") or a
 * version (kind "version"). */
static const char *need(const mlops__audit_record *rec, const char *key, int *rc)
{
    if (*rc != MLOPS_OK) return NULL;
    const char *v = mlops__audit_detail(rec, key);
    if (v == NULL) {
        *rc = mlops__fail(MLOPS_ECORRUPT, "%s: details.%s is missing or not a string", rec->action,
                          key);
        return NULL;
    }
    bool ok = strcmp(key, "version") == 0 || strcmp(key, "file_sha256") == 0
                  ? mlops__audit_is_hash(v, true)
                  : mlops__audit_check_name(v, key) == MLOPS_OK;
    if (!ok)
        *rc = mlops__fail(MLOPS_ECORRUPT, "%s: details.%s '%.70s' is not valid", rec->action, key,
                          v);
    return v;
}

/* The record's object must be "name@part". */
static int check_object(const mlops__audit_record *rec, const char *name, const char *part)
{
    size_t n = strlen(name);
    if (strncmp(rec->object, name, n) != 0 || rec->object[n] != '@' ||
        strcmp(rec->object + n + 1, part) != 0)
        return bad(rec, "object does not match its details:", rec->object);
    return MLOPS_OK;
}

static long version_index(const mlops__reg_model *m, const char *version)
{
    for (size_t v = 0; v < m->nversions; v++)
        if (strcmp(m->versions[v].version, version) == 0) return (long)v;
    return MLOPS_REG_NONE;
}

static int add_event(mlops__reg_state *s, int64_t t, size_t model, long alias, size_t version)
{
    if (reserve((void **)&s->events, s->nevents, &s->capevents, sizeof *s->events,
                "registry history") != MLOPS_OK)
        return MLOPS_ENOMEM;
    s->events[s->nevents++] = (mlops__reg_event){t, model, alias, version};
    return MLOPS_OK;
}

static int apply_register(mlops__reg_state *s, const mlops__audit_record *rec)
{
    int rc = MLOPS_OK;
    const char *name = need(rec, "name", &rc);
    const char *version = need(rec, "version", &rc);
    const char *file = need(rec, "file_sha256", &rc);
    if (rc != MLOPS_OK || (rc = check_object(rec, name, version)) != MLOPS_OK) return rc;
    long mi = mlops__reg_find_model(s, name);
    if (mi == MLOPS_REG_NONE) {
        if (reserve((void **)&s->models, s->nmodels, &s->capmodels, sizeof *s->models,
                    "registry models") != MLOPS_OK)
            return MLOPS_ENOMEM;
        mlops__reg_model *m = &s->models[s->nmodels];
        memset(m, 0, sizeof *m);
        if ((m->name = mlops__strdup(name, "model name")) == NULL) return MLOPS_ENOMEM;
        mi = (long)s->nmodels++;
    }
    mlops__reg_model *m = &s->models[mi];
    if (version_index(m, version) != MLOPS_REG_NONE)
        return bad(rec, "registers a version registered before:", version);
    if (reserve((void **)&m->versions, m->nversions, &m->capversions, sizeof *m->versions,
                "registry versions") != MLOPS_OK)
        return MLOPS_ENOMEM;
    mlops__reg_version *v = &m->versions[m->nversions];
    memset(v, 0, sizeof *v);
    v->actor = mlops__strdup(rec->actor, "actor");
    v->reason = mlops__strdup(rec->reason, "reason");
    if (v->actor == NULL || v->reason == NULL) {
        mlops__free(v->actor);
        mlops__free(v->reason);
        return MLOPS_ENOMEM;
    }
    memcpy(v->version, version, 65);
    memcpy(v->file_sha256, file, 65);
    memcpy(v->registered, rec->time, sizeof v->registered);
    v->registered_us = rec->time_us;
    m->nversions++;
    return MLOPS_OK;
}

static int existing(const mlops__reg_state *s, const mlops__audit_record *rec, const char *name,
                    const char *version, size_t *model, size_t *vi)
{
    long mi = mlops__reg_find_model(s, name);
    long v = mi == MLOPS_REG_NONE ? MLOPS_REG_NONE : version_index(&s->models[mi], version);
    if (v == MLOPS_REG_NONE) return bad(rec, "names a version that is not registered:", version);
    *model = (size_t)mi;
    *vi = (size_t)v;
    return MLOPS_OK;
}

static int apply_alias(mlops__reg_state *s, const mlops__audit_record *rec)
{
    int rc = MLOPS_OK;
    const char *name = need(rec, "name", &rc);
    const char *alias = need(rec, "alias", &rc);
    const char *version = need(rec, "version", &rc);
    size_t mi = 0, vi = 0;
    if (rc != MLOPS_OK || (rc = check_object(rec, name, alias)) != MLOPS_OK ||
        (rc = existing(s, rec, name, version, &mi, &vi)) != MLOPS_OK)
        return rc;
    mlops__reg_model *m = &s->models[mi];
    if (m->versions[vi].retired) return bad(rec, "aliases a retired version:", version);
    const mlops__ynode *prev = mlops__ynode_get(rec->details, "previous");
    long a = mlops__reg_find_alias(m, alias);
    long held = a == MLOPS_REG_NONE ? MLOPS_REG_NONE : m->aliases[a].version;
    bool prev_null = prev != NULL && mlops__ynode_is_null(prev) && prev->plain;
    const char *prev_text = prev != NULL && !prev->plain ? prev->text : NULL;
    bool agrees = held == MLOPS_REG_NONE
                      ? prev_null
                      : prev_text != NULL && strcmp(prev_text, m->versions[held].version) == 0;
    if (!agrees)
        return bad(rec, "details.previous is not the version the alias pointed at, which was",
                   held == MLOPS_REG_NONE ? "none" : m->versions[held].version);
    if (a == MLOPS_REG_NONE) {
        if (reserve((void **)&m->aliases, m->naliases, &m->capaliases, sizeof *m->aliases,
                    "registry aliases") != MLOPS_OK)
            return MLOPS_ENOMEM;
        char *copy = mlops__strdup(alias, "alias");
        if (copy == NULL) return MLOPS_ENOMEM;
        m->aliases[m->naliases] = (mlops__reg_alias){copy, MLOPS_REG_NONE, ""};
        a = (long)m->naliases++;
    }
    if (add_event(s, rec->time_us, mi, a, vi) != MLOPS_OK) return MLOPS_ENOMEM;
    m->aliases[a].version = (long)vi;
    memcpy(m->aliases[a].since, rec->time, sizeof m->aliases[a].since);
    return MLOPS_OK;
}

static int apply_retire(mlops__reg_state *s, const mlops__audit_record *rec)
{
    int rc = MLOPS_OK;
    const char *name = need(rec, "name", &rc);
    const char *version = need(rec, "version", &rc);
    size_t mi = 0, vi = 0;
    if (rc != MLOPS_OK || (rc = check_object(rec, name, version)) != MLOPS_OK ||
        (rc = existing(s, rec, name, version, &mi, &vi)) != MLOPS_OK)
        return rc;
    mlops__reg_model *m = &s->models[mi];
    if (m->versions[vi].retired) return bad(rec, "retires a version retired before:", version);
    /* aliases_removed must list exactly the aliases that pointed at it */
    const mlops__ynode *removed = mlops__ynode_get(rec->details, "aliases_removed");
    if (removed == NULL || removed->kind != MLOPS_YNODE_SEQUENCE)
        return bad(rec, "details.aliases_removed is missing or not a list", NULL);
    size_t held = 0;
    for (size_t a = 0; a < m->naliases; a++) held += m->aliases[a].version == (long)vi;
    for (size_t i = 0; i < removed->count; i++) {
        const char *alias = mlops__ynode_text(removed->items[i]);
        long a = alias != NULL ? mlops__reg_find_alias(m, alias) : MLOPS_REG_NONE;
        if (a == MLOPS_REG_NONE || m->aliases[a].version != (long)vi)
            return bad(rec, "details.aliases_removed names an alias that did not point at it:",
                       alias != NULL ? alias : "(not a string)");
    }
    if (removed->count != held)
        return bad(rec, "details.aliases_removed does not list every alias that pointed at it",
                   NULL);
    if (add_event(s, rec->time_us, mi, MLOPS_REG_NONE, vi) != MLOPS_OK) return MLOPS_ENOMEM;
    for (size_t a = 0; a < m->naliases; a++) {
        if (m->aliases[a].version != (long)vi) continue;
        m->aliases[a].version = MLOPS_REG_NONE;
        memcpy(m->aliases[a].since, rec->time, sizeof m->aliases[a].since);
    }
    m->versions[vi].retired = true;
    memcpy(m->versions[vi].retired_at, rec->time, sizeof m->versions[vi].retired_at);
    return MLOPS_OK;
}

static int apply_refuse(const mlops__audit_record *rec)
{
    int rc = MLOPS_OK;
    const char *name = need(rec, "name", &rc);
    const char *alias = need(rec, "alias", &rc);
    need(rec, "version", &rc);
    if (rc != MLOPS_OK) return rc;
    return check_object(rec, name, alias);
}

int mlops__reg_apply(mlops__reg_state *s, const mlops__audit_record *rec)
{
    int rc;
    if (strcmp(rec->action, "register") == 0) rc = apply_register(s, rec);
    else if (strcmp(rec->action, "alias") == 0) rc = apply_alias(s, rec);
    else if (strcmp(rec->action, "retire") == 0) rc = apply_retire(s, rec);
    else if (strcmp(rec->action, "refuse") == 0) rc = apply_refuse(rec);
    else
        rc = mlops__fail(MLOPS_ECORRUPT, "action '%.40s' is not a registry action (register, "
                         "alias, retire, refuse)", rec->action);
    if (rc != MLOPS_OK) return rc;
    s->count = rec->seq;
    memcpy(s->last_prev, rec->prev, 65);
    memcpy(s->last_hash, rec->hash, 65);
    s->last_time_us = rec->time_us;
    return MLOPS_OK;
}
