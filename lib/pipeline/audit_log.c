/* The record format of audit and decision logs (see audit_log.h and
 * registry.h): building a record's canonical line and reading one back.
 *
 * The hash covers the exact bytes of the line before its hash member, and
 * a record read back must also be in canonical form (re-serialized, it
 * gives the same bytes), so no byte of a line can change unnoticed, and
 * an auditor's json.dumps(sort_keys=True) recomputes the same hashes. */
#define _POSIX_C_SOURCE 200809L
#include "pipeline/audit_log.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/sha256.h"

/* ",\"hash\":\"" + 64 hex + "\"}" */
enum { HASH_TAIL = 9 + 64 + 2 };

/* ---- Building ------------------------------------------------------------ */

int mlops__audit_build(const mlops__audit_fields *f, mlops__audit_details_fn details,
                       const void *ctx, char **line, size_t *len, char hash[65])
{
    char time[MLOPS_AUDIT_TIME_SIZE];
    mlops__audit_format_time(f->time_us, time);
    mlops__json j;
    mlops__json_init(&j, false);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "action");
    mlops__json_string(&j, f->action);
    mlops__json_key(&j, "actor");
    mlops__json_string(&j, f->actor);
    mlops__json_key(&j, "details");
    mlops__json_begin_object(&j);
    if (j.status == MLOPS_OK && details != NULL) details(&j, ctx);
    mlops__json_end_object(&j);
    mlops__json_key(&j, "object");
    mlops__json_string(&j, f->object);
    mlops__json_key(&j, "prev");
    mlops__json_string(&j, f->prev);
    mlops__json_key(&j, "reason");
    mlops__json_string(&j, f->reason != NULL ? f->reason : "");
    mlops__json_key(&j, "seq");
    mlops__json_uint(&j, f->seq);
    mlops__json_key(&j, "time");
    mlops__json_string(&j, time);
    mlops__json_end_object(&j);
    char *text = NULL;
    size_t n = 0;
    int rc = mlops__json_finish(&j, &text, &n);
    if (rc != MLOPS_OK) {
        mlops__json_free(&j);
        return rc;
    }
    if (n + HASH_TAIL > MLOPS_AUDIT_MAX_LINE) {
        mlops__free(text);
        return mlops__fail(MLOPS_EINVAL, "%s record: %zu bytes, more than the limit of %d",
                           f->action, n + HASH_TAIL, (int)MLOPS_AUDIT_MAX_LINE);
    }
    mlops__sha256_hex(text, n, hash);
    /* n - 1 bytes before the '}', the hash member, "}\n", NUL */
    char *out = mlops__malloc(n - 1 + HASH_TAIL + 2, "audit record");
    if (out == NULL) {
        mlops__free(text);
        return MLOPS_ENOMEM;
    }
    memcpy(out, text, n - 1);
    size_t k = n - 1;
    memcpy(out + k, ",\"hash\":\"", 9);
    memcpy(out + k + 9, hash, 64);
    memcpy(out + k + 73, "\"}\n", 4);
    mlops__free(text);
    *line = out;
    *len = k + HASH_TAIL + 1;
    return MLOPS_OK;
}

/* ---- Reading ------------------------------------------------------------- */

static bool is_hex(char c, bool lower)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (!lower && c >= 'A' && c <= 'F');
}

bool mlops__audit_is_hash(const char *s, bool lower)
{
    if (s == NULL) return false;
    for (size_t i = 0; i < 64; i++)
        if (!is_hex(s[i], lower)) return false;
    return s[64] == '\0';
}

static bool plain_integer(const char *s)
{
    if (*s == '-') s++;
    if (*s == '0') return s[1] == '\0';
    if (*s < '1' || *s > '9') return false;
    while (*s >= '0' && *s <= '9') s++;
    return *s == '\0';
}

static int write_node(mlops__json *j, const mlops__ynode *n, const char *skip_key);

static int compare_keys(const mlops__ynode *a, const mlops__ynode *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->text, b->text, n);
    if (c != 0) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Writes a mapping with its keys in byte order (code point order, as
 * Python's sort_keys), leaving out `skip_key`. Insertion sort: records
 * have a handful of members. */
static int write_mapping(mlops__json *j, const mlops__ynode *n, const char *skip_key)
{
    size_t *order = mlops__malloc_array(n->count ? n->count : 1, sizeof *order, "record keys");
    if (order == NULL) return j->status = MLOPS_ENOMEM;
    for (size_t i = 0; i < n->count; i++) {
        size_t k = i;
        while (k > 0 && compare_keys(n->keys[order[k - 1]], n->keys[i]) > 0) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    mlops__json_begin_object(j);
    for (size_t i = 0; i < n->count && j->status == MLOPS_OK; i++) {
        const mlops__ynode *key = n->keys[order[i]];
        if (skip_key != NULL && strcmp(key->text, skip_key) == 0) continue;
        mlops__json_key(j, key->text);
        write_node(j, n->items[order[i]], NULL);
    }
    mlops__free(order);
    return mlops__json_end_object(j);
}

static int write_node(mlops__json *j, const mlops__ynode *n, const char *skip_key)
{
    if (j->status != MLOPS_OK) return j->status;
    switch (n->kind) {
    case MLOPS_YNODE_MAPPING: return write_mapping(j, n, skip_key);
    case MLOPS_YNODE_SEQUENCE:
        mlops__json_begin_array(j);
        for (size_t i = 0; i < n->count; i++) write_node(j, n->items[i], NULL);
        return mlops__json_end_array(j);
    case MLOPS_YNODE_SCALAR: break;
    }
    if (!n->plain) return mlops__json_string_n(j, n->text, n->len);
    if (strcmp(n->text, "null") == 0) return mlops__json_null(j);
    if (strcmp(n->text, "true") == 0) return mlops__json_bool(j, true);
    if (strcmp(n->text, "false") == 0) return mlops__json_bool(j, false);
    if (plain_integer(n->text)) return mlops__json_raw(j, n->text, n->len);
    if (j->status == MLOPS_OK)
        j->status = mlops__fail(MLOPS_ECORRUPT, "value '%.40s' at column %zu is not a JSON "
                                "string, integer, boolean or null", n->text, n->col);
    return j->status;
}

#define corrupt(...) mlops__fail(MLOPS_ECORRUPT, __VA_ARGS__)

/* MLOPS_ECORRUPT with the current message, after `prefix`. */
static int refail(const char *prefix)
{
    char why[900];
    snprintf(why, sizeof why, "%s", mlops_last_error());
    return mlops__fail(MLOPS_ECORRUPT, "%s%s", prefix, why);
}

static const char *string_member(const mlops__ynode *root, const char *key, int *rc)
{
    const mlops__ynode *n = mlops__ynode_get(root, key);
    if (*rc != MLOPS_OK) return NULL;
    if (n == NULL) {
        *rc = corrupt("member '%s' is missing", key);
        return NULL;
    }
    if (n->kind != MLOPS_YNODE_SCALAR || n->plain) {
        *rc = corrupt("member '%s' is %s, expected a string", key, mlops__ynode_describe(n));
        return NULL;
    }
    return n->text;
}

static const char *const MEMBERS[] = {"action", "actor", "details", "hash", "object",
                                      "prev", "reason", "seq", "time"};

static int check_members(const mlops__ynode *root)
{
    if (root == NULL || root->kind != MLOPS_YNODE_MAPPING)
        return corrupt("the line is not a JSON object");
    for (size_t i = 0; i < root->count; i++) {
        size_t k = 0;
        while (k < sizeof MEMBERS / sizeof *MEMBERS && strcmp(root->keys[i]->text, MEMBERS[k]) != 0)
            k++;
        if (k == sizeof MEMBERS / sizeof *MEMBERS)
            return mlops__fail(MLOPS_ECORRUPT, "unknown member '%.40s'", root->keys[i]->text);
    }
    for (size_t k = 0; k < sizeof MEMBERS / sizeof *MEMBERS; k++)
        if (mlops__ynode_get(root, MEMBERS[k]) == NULL)
            return corrupt("member '%s' is missing", MEMBERS[k]);
    return MLOPS_OK;
}

static int read_members(mlops__audit_record *rec, const mlops__ynode *root)
{
    int rc = check_members(root);
    if (rc != MLOPS_OK) return rc;
    const mlops__ynode *seq = mlops__ynode_get(root, "seq");
    long long v = 0;
    if (seq->kind != MLOPS_YNODE_SCALAR || !seq->plain || !plain_integer(seq->text) ||
        !mlops__ynode_int(seq, &v) || v < 1)
        return corrupt("member 'seq' is '%.40s', expected an integer >= 1",
                       seq->kind == MLOPS_YNODE_SCALAR ? seq->text : mlops__ynode_describe(seq));
    rec->seq = (uint64_t)v;
    const char *time = string_member(root, "time", &rc);
    rec->actor = string_member(root, "actor", &rc);
    rec->action = string_member(root, "action", &rc);
    rec->object = string_member(root, "object", &rc);
    rec->reason = string_member(root, "reason", &rc);
    const char *prev = string_member(root, "prev", &rc);
    if (rc != MLOPS_OK) return rc;
    if (!mlops__audit_parse_record_time(time, &rec->time_us))
        return corrupt("member 'time' is '%.40s', expected YYYY-MM-DDTHH:MM:SS.ffffffZ", time);
    memcpy(rec->time, time, MLOPS_AUDIT_TIME_SIZE);
    if (!mlops__audit_is_hash(prev, true))
        return corrupt("member 'prev' is '%.70s', expected 64 lowercase hex digits", prev);
    memcpy(rec->prev, prev, 65);
    rec->details = mlops__ynode_get(root, "details");
    if (rec->details->kind != MLOPS_YNODE_MAPPING)
        return corrupt("member 'details' is %s, expected an object",
                       mlops__ynode_describe(rec->details));
    return MLOPS_OK;
}

int mlops__audit_parse(mlops__audit_record *rec, const char *line, size_t len)
{
    memset(rec, 0, sizeof *rec);
    if (len + 1 > MLOPS_AUDIT_MAX_LINE)
        return mlops__fail(MLOPS_ECORRUPT, "the line is %zu bytes, more than the limit of %d",
                           len + 1, (int)MLOPS_AUDIT_MAX_LINE);
    if (len < HASH_TAIL + 2)
        return corrupt("the line does not end with the record's hash member");
    const char *tail = line + len - HASH_TAIL;
    if (memcmp(tail, ",\"hash\":\"", 9) != 0 ||
        memcmp(tail + 73, "\"}", 2) != 0)
        return corrupt("the line does not end with the record's hash member");
    for (size_t i = 0; i < 64; i++)
        if (!is_hex(tail[9 + i], true))
            return corrupt("the hash member is not 64 lowercase hex digits");
    memcpy(rec->hash, tail + 9, 64);
    rec->hash[64] = '\0';

    int rc = mlops__ytree_read_buffer(&rec->tree, "record", line, len);
    if (rc == MLOPS_ENOMEM) return rc;
    if (rc != MLOPS_OK) return refail("not a JSON record: ");
    rc = read_members(rec, rec->tree.root);
    if (rc != MLOPS_OK) return rc;

    mlops__sha256 h;
    unsigned char digest[MLOPS_SHA256_SIZE];
    char computed[65];
    mlops__sha256_init(&h);
    mlops__sha256_update(&h, line, (size_t)(tail - line));
    mlops__sha256_update(&h, "}", 1);
    mlops__sha256_final(&h, digest);
    mlops__hex_encode(digest, sizeof digest, computed);
    if (memcmp(computed, rec->hash, 64) != 0)
        return corrupt("hash mismatch: the record was changed after it was written (stored %s, "
                       "computed %s)", rec->hash, computed);

    /* Canonical form: the record re-serialized must be the hashed bytes. */
    mlops__json j;
    mlops__json_init(&j, false);
    write_node(&j, rec->tree.root, "hash");
    char *text = NULL;
    size_t n = 0;
    rc = mlops__json_finish(&j, &text, &n);
    if (rc != MLOPS_OK) {
        mlops__json_free(&j);
        return rc == MLOPS_ENOMEM ? rc : refail("");
    }
    size_t want = (size_t)(tail - line) + 1, i = 0;
    while (i < n && i < want && text[i] == (i + 1 == want ? '}' : line[i])) i++;
    mlops__free(text);
    if (i != n || i != want)
        return mlops__fail(MLOPS_ECORRUPT, "the record is not in canonical form (keys sorted, no "
                           "spaces, text unescaped UTF-8): it differs at column %zu", i + 1);
    return MLOPS_OK;
}

void mlops__audit_record_free(mlops__audit_record *rec)
{
    mlops__ytree_free(&rec->tree);
    memset(rec, 0, sizeof *rec);
}

const char *mlops__audit_detail(const mlops__audit_record *rec, const char *key)
{
    const mlops__ynode *n = mlops__ynode_get(rec->details, key);
    if (n == NULL || n->kind != MLOPS_YNODE_SCALAR || n->plain) return NULL;
    return n->text;
}

/* ---- Texts ---------------------------------------------------------------- */

static uint32_t decode(const unsigned char *p, size_t *used)
{
    if (p[0] < 0x80) {
        *used = 1;
        return p[0];
    }
    if (p[0] < 0xE0) {
        *used = 2;
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    }
    if (p[0] < 0xF0) {
        *used = 3;
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    *used = 4;
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
           ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

int mlops__audit_check_text(const char *s, size_t max, bool multiline, const char *what)
{
    size_t n = strlen(s);
    if (n > max)
        return mlops__fail(MLOPS_EINVAL, "%s is %zu bytes, more than the limit of %zu", what, n, max);
    size_t valid = mlops__utf8_valid_prefix(s, n);
    if (valid != n)
        return mlops__fail(MLOPS_EINVAL, "%s is not valid UTF-8 (at byte %zu)", what, valid);
    for (size_t i = 0; i < n;) {
        size_t used = 1;
        uint32_t c = decode((const unsigned char *)s + i, &used);
        bool bad = (c < 0x20 && c != '\t' && !(multiline && c == '\n')) || c == 0x7F ||
                   (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029 || c == 0xFEFF ||
                   c == 0xFFFE || c == 0xFFFF;
        if (bad)
            return mlops__fail(MLOPS_EINVAL, "%s holds the control or separator character U+%04X "
                               "at byte %zu, which a log record cannot carry", what, (unsigned)c, i);
        i += used;
    }
    return MLOPS_OK;
}

int mlops__audit_check_name(const char *s, const char *what)
{
    size_t n = strlen(s);
    if (n == 0) return mlops__fail(MLOPS_EINVAL, "%s is empty", what);
    if (n > MLOPS_AUDIT_MAX_NAME)
        return mlops__fail(MLOPS_EINVAL, "%s '%.40s...' is %zu characters, more than %d", what, s,
                           n, (int)MLOPS_AUDIT_MAX_NAME);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (i == 0 && !alnum)
            return mlops__fail(MLOPS_EINVAL, "%s '%s' must start with a letter or a digit", what, s);
        if (!alnum && c != '.' && c != '_' && c != '-')
            return mlops__fail(MLOPS_EINVAL, "%s '%s' has the character '%c' at position %zu; "
                               "names use only letters, digits, '.', '_' and '-'",
                               what, s, (c >= 0x20 && c < 0x7F) ? c : '?', i + 1);
    }
    return MLOPS_OK;
}

char *mlops__audit_default_actor(void)
{
    const char *env = getenv("MLOPS_ACTOR");
    if (env != NULL && *env != '\0' &&
        mlops__audit_check_text(env, MLOPS_AUDIT_MAX_ACTOR, false, "MLOPS_ACTOR") == MLOPS_OK)
        return mlops__strdup(env, "actor");
    /* getpwuid_r, not getlogin: services have no controlling terminal. */
    struct passwd pw, *found = NULL;
    char buf[4096];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) == 0 && found != NULL &&
        found->pw_name != NULL && *found->pw_name != '\0' &&
        mlops__audit_check_text(found->pw_name, MLOPS_AUDIT_MAX_ACTOR, false, "login name") ==
            MLOPS_OK)
        return mlops__strdup(found->pw_name, "actor");
    return mlops__strdup("unknown", "actor");
}

/* ---- Files ---------------------------------------------------------------- */

int mlops__audit_append(int fd, const char *path, const char *line, size_t len,
                        uint64_t size_before, bool sync)
{
    ssize_t w;
    do {
        w = write(fd, line, len);
    } while (w < 0 && errno == EINTR);
    if (w < 0 || (size_t)w != len) {
        int err = w < 0 ? errno : ENOSPC;
        if (w > 0 && ftruncate(fd, (off_t)size_before) != 0) {
            return mlops__fail(MLOPS_EIO, "cannot append to '%s': %s; the partial record could "
                               "not be removed (%s) and is cut off when the log is next opened",
                               path, strerror(err), strerror(errno));
        }
        return mlops__fail(MLOPS_EIO, "cannot append to '%s': %s", path, strerror(err));
    }
    if (sync && fsync(fd) != 0)
        return mlops__fail(MLOPS_EIO, "cannot flush '%s' to disk: %s", path, strerror(errno));
    return MLOPS_OK;
}

int mlops__audit_tail(int fd, const char *path, uint64_t size, uint64_t *complete_end,
                      uint64_t *last_start)
{
    *complete_end = *last_start = 0;
    if (size == 0) return MLOPS_OK;
    /* A record is at most MLOPS_AUDIT_MAX_LINE bytes, and so is a torn one:
     * the last complete line lies within twice that from the end. */
    uint64_t window = (uint64_t)MLOPS_AUDIT_MAX_LINE * 2;
    if (window > size) window = size;
    char *buf = mlops__malloc((size_t)window, "log tail");
    if (buf == NULL) return MLOPS_ENOMEM;
    uint64_t base = size - window;
    size_t got = 0;
    while (got < window) {
        ssize_t r = pread(fd, buf + got, (size_t)window - got, (off_t)(base + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            int err = r < 0 ? errno : 0;
            mlops__free(buf);
            return err ? mlops__fail(MLOPS_EIO, "cannot read '%s': %s", path, strerror(err))
                       : mlops__fail(MLOPS_EIO, "'%s' shrank while being read", path);
        }
        got += (size_t)r;
    }
    size_t i = (size_t)window;
    while (i > 0 && buf[i - 1] != '\n') i--;
    if (i == 0) {
        mlops__free(buf);
        if (base > 0)
            return mlops__fail(MLOPS_ECORRUPT, "%s: no line ends in the last %llu bytes: not a "
                               "log, or a record longer than the limit", path,
                               (unsigned long long)window);
        return MLOPS_OK; /* only a torn first line */
    }
    *complete_end = base + i;
    size_t s = i - 1;
    while (s > 0 && buf[s - 1] != '\n') s--;
    mlops__free(buf);
    if (s == 0 && base > 0)
        return mlops__fail(MLOPS_ECORRUPT, "%s: the last line is longer than the limit of %d "
                           "bytes", path, (int)MLOPS_AUDIT_MAX_LINE);
    *last_start = base + s;
    return MLOPS_OK;
}
