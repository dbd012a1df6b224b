/* Private: the registry handle and the state rebuilt from its audit log
 * (registry_state.c replays records into it; registry_open.c keeps it in
 * step with the log under the lock; registry_change.c and
 * registry_query.c use it), and the line reader shared with the
 * verifier. */
#ifndef MLOPS_PIPELINE_REGISTRY_IMPL_H
#define MLOPS_PIPELINE_REGISTRY_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mlops/registry.h"
#include "pipeline/audit_log.h"

enum { MLOPS_REG_NONE = -1 };

typedef struct mlops__reg_version {
    char version[65];
    char file_sha256[65];
    char registered[MLOPS_AUDIT_TIME_SIZE];
    int64_t registered_us;
    char *actor, *reason;
    bool retired;
    char retired_at[MLOPS_AUDIT_TIME_SIZE];
} mlops__reg_version;

/* Aliases are never removed from a model's table, only unset (a retired
 * version's aliases), so events can refer to them by index. */
typedef struct mlops__reg_alias {
    char *alias;
    long version;  /* index into versions, or MLOPS_REG_NONE */
    char since[MLOPS_AUDIT_TIME_SIZE];
} mlops__reg_alias;

typedef struct mlops__reg_model {
    char *name;
    mlops__reg_version *versions;
    size_t nversions, capversions;
    mlops__reg_alias *aliases;
    size_t naliases, capaliases;
} mlops__reg_model;

/* What alias_at() replays: an alias set, or a version retired. */
typedef struct mlops__reg_event {
    int64_t time_us;
    size_t model;
    long alias;    /* MLOPS_REG_NONE for a retirement */
    size_t version;
} mlops__reg_event;

typedef struct mlops__reg_state {
    mlops__reg_model *models;
    size_t nmodels, capmodels;
    mlops__reg_event *events;
    size_t nevents, capevents;
    uint64_t count;          /* records applied */
    char last_hash[65];
    char last_prev[65];      /* prev of the last record: the hash before it */
    int64_t last_time_us;
    uint64_t offset;         /* bytes of the log applied (complete lines) */
    dev_t dev;
    ino_t ino;
} mlops__reg_state;

struct mlops_registry {
    char *dir, *lock_path, *log_path, *head_path;
    char *actor;
    int lock_fd;
    bool read_only;        /* the lock file could only be opened for reading */
    bool loaded;           /* state is valid up to state.offset */
    mlops__reg_state state;
};

/* registry_state.c */
void mlops__reg_state_init(mlops__reg_state *s);
void mlops__reg_state_free(mlops__reg_state *s);
/* Applies one checked record (seq and chain already verified) to the
 * state: MLOPS_ECORRUPT when it contradicts it (a version registered twice,
 * an alias whose previous version is not the one it pointed at, ...). */
int mlops__reg_apply(mlops__reg_state *s, const mlops__audit_record *rec);
/* Index of model `name`, or MLOPS_REG_NONE. */
long mlops__reg_find_model(const mlops__reg_state *s, const char *name);
/* Model `name`, or MLOPS_ENOTFOUND suggesting the nearest name. */
int mlops__reg_model_required(const mlops__reg_state *s, const char *name, size_t *model);
/* The version of model `m` that `ref` names (a version or prefix of at
 * least 8 hex digits, or an alias); MLOPS_ENOTFOUND / MLOPS_EINVAL. */
int mlops__reg_find_version(const mlops__reg_state *s, size_t m, const char *ref,
                            size_t *version);
/* Alias index of model `m`, or MLOPS_REG_NONE. */
long mlops__reg_find_alias(const mlops__reg_model *m, const char *alias);
/* The latest version not retired, or MLOPS_REG_NONE. */
long mlops__reg_latest(const mlops__reg_model *m);
/* Whether `s` (8 to 64 hex digits) could only be a version prefix. */
bool mlops__reg_looks_like_version(const char *s);
/* Checks an alias name (mlops__audit_check_name, and not hex-only). */
int mlops__reg_check_alias(const char *alias);

/* registry_open.c */
/* Takes the lock (exclusive for changes) and brings the state up to date
 * with the log; with `exclusive`, repairs what a crash left. On failure
 * the lock is released. */
int mlops__reg_lock(mlops_registry *r, bool exclusive);
void mlops__reg_unlock(mlops_registry *r);
/* The stored path of a version: DIR/models/NAME/VERSION.mlops (new string). */
char *mlops__reg_model_path(const char *dir, const char *name, const char *version);
/* Reads DIR's head file: its record count and last hash. */
int mlops__reg_read_head(const char *head_path, uint64_t *records, char last_hash[65]);
/* The head file's text for `records` and `last_hash` (new string). */
int mlops__reg_head_text(uint64_t records, const char *last_hash, char **text, size_t *len);

/* registry_reader.c: complete lines of a log from an offset, in bounded
 * memory. */
typedef struct mlops__audit_reader {
    int fd;
    const char *path;
    char *buf;
    size_t cap, start, end;
    uint64_t offset;   /* file offset of buf[start] */
    bool eof;
} mlops__audit_reader;

int mlops__audit_reader_init(mlops__audit_reader *rd, int fd, const char *path, uint64_t offset);
/* 1 and a line (without its newline; *complete false for a last line
 * without one) starting at file offset *at; 0 at the end; or a negative
 * code: MLOPS_ECORRUPT for a line longer than MLOPS_AUDIT_MAX_LINE (with
 * *at set), MLOPS_EIO. */
int mlops__audit_reader_next(mlops__audit_reader *rd, const char **line, size_t *len,
                             bool *complete, uint64_t *at);
void mlops__audit_reader_free(mlops__audit_reader *rd);

#endif
