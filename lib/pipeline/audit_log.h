/* Private: the record format shared by the registry's audit log and the
 * decision logs (see registry.h for the format an auditor relies on):
 * building a record's canonical line, reading one back with every check
 * (canonical form, hash, types), times in microseconds, the checks on the
 * free texts a record carries, and the one-write append. */
#ifndef MLOPS_PIPELINE_AUDIT_LOG_H
#define MLOPS_PIPELINE_AUDIT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "pipeline/ytree.h"

enum {
    MLOPS_AUDIT_MAX_LINE = 65536,    /* bytes of one record, newline included */
    MLOPS_AUDIT_MAX_REASON = 4096,
    MLOPS_AUDIT_MAX_OUTPUT = 16384,
    MLOPS_AUDIT_MAX_ACTOR = 256,
    MLOPS_AUDIT_MAX_NAME = 128,
    MLOPS_AUDIT_TIME_SIZE = 28       /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" + NUL */
};

#define MLOPS_AUDIT_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* The members of a record other than details, borrowed by the builder. */
typedef struct mlops__audit_fields {
    uint64_t seq;
    int64_t time_us;      /* microseconds since 1970-01-01T00:00:00Z */
    const char *actor, *action, *object, *reason; /* reason may be NULL: "" */
    const char *prev;     /* 64 hex digits */
} mlops__audit_fields;

/* Writes the details object. Keys must come in byte order (the canonical
 * form); the callback writes them with mlops__json_key and friends. */
typedef int (*mlops__audit_details_fn)(mlops__json *j, const void *ctx);

/* Builds the complete line of a record ("...}\n") in a new buffer *line
 * (mlops__free) of *len bytes, and its hash. MLOPS_EINVAL when the line
 * would be longer than MLOPS_AUDIT_MAX_LINE. */
int mlops__audit_build(const mlops__audit_fields *f, mlops__audit_details_fn details,
                       const void *ctx, char **line, size_t *len, char hash[65]);

/* A record read back: scalars copied, details borrowed from `tree`. */
typedef struct mlops__audit_record {
    uint64_t seq;
    int64_t time_us;
    char time[MLOPS_AUDIT_TIME_SIZE];
    char prev[65], hash[65];
    const char *actor, *action, *object, *reason;
    const mlops__ynode *details;  /* a mapping */
    mlops__ytree tree;
} mlops__audit_record;

/* Parses one line (without its newline) and checks it completely: the
 * members and their types, the canonical form, the hash. Fails with
 * MLOPS_ECORRUPT and a message saying what is wrong (no position: the
 * caller prefixes "LOG:LINE: "), or MLOPS_ENOMEM. The record must be
 * released with mlops__audit_record_free() in every case. */
int mlops__audit_parse(mlops__audit_record *rec, const char *line, size_t len);
void mlops__audit_record_free(mlops__audit_record *rec);

/* A string member of the details, or NULL when absent or not a string. */
const char *mlops__audit_detail(const mlops__audit_record *rec, const char *key);

/* Time. */
int64_t mlops__audit_now_us(void);
/* "YYYY-MM-DDTHH:MM:SS.ffffffZ". */
void mlops__audit_format_time(int64_t us, char out[MLOPS_AUDIT_TIME_SIZE]);
/* Exactly the format above: false otherwise. */
bool mlops__audit_parse_record_time(const char *s, int64_t *us);
/* The forms mlops_registry_alias_at() accepts; MLOPS_EINVAL naming `what`. */
int mlops__audit_parse_user_time(const char *s, const char *what, int64_t *us);

/* Checks free text for a record: valid UTF-8, at most `max` bytes, and no
 * character the YAML reader would not give back as it is (C0 controls other
 * than tab and, when `multiline`, newline; DEL; C1 controls; U+2028,
 * U+2029, U+FEFF, U+FFFE, U+FFFF). MLOPS_EINVAL naming `what`. */
int mlops__audit_check_text(const char *s, size_t max, bool multiline, const char *what);
/* A name or alias: 1..128 of [A-Za-z0-9._-], starting with a letter or
 * digit. MLOPS_EINVAL naming `what`. */
int mlops__audit_check_name(const char *s, const char *what);
/* Whether s is 64 hex digits (lower case when `lower`). */
bool mlops__audit_is_hash(const char *s, bool lower);

/* The default actor: $MLOPS_ACTOR when it is valid text, else the login
 * name of the effective user, else "unknown". New string or NULL (ENOMEM). */
char *mlops__audit_default_actor(void);

/* Appends `len` bytes at the end of the file open on `fd` (O_APPEND) in one
 * write and fsync(2)s when `sync`. A short write is undone by truncating
 * the file back to `size_before`. MLOPS_EIO naming `path`. */
int mlops__audit_append(int fd, const char *path, const char *line, size_t len,
                        uint64_t size_before, bool sync);

/* Where the last line of a log starts: reads the tail of the file open on
 * `fd` of `size` bytes. *complete_end is the size up to and including the
 * last newline (0 when none), *last_start the offset of the last complete
 * line. A torn tail is then [*complete_end, size). MLOPS_EIO naming `path`. */
int mlops__audit_tail(int fd, const char *path, uint64_t size, uint64_t *complete_end,
                      uint64_t *last_start);

#endif
