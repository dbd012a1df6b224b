/* Private: a streaming JSON writer into a growing buffer.
 *
 * Policy (documented in libmlops(7)): strings must be valid UTF-8 and are
 * escaped per RFC 8259 (quote, backslash, control characters; "/" is left
 * alone); NaN and infinities are written as null, since JSON has no spelling
 * for them; numbers use the shortest form that reads back exactly. The first
 * error is sticky: later calls do nothing and mlops__json_finish reports it. */
#ifndef MLOPS_CORE_JSON_H
#define MLOPS_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/utf8.h"

enum { MLOPS_JSON_MAX_DEPTH = 64 };

typedef struct mlops__json {
    char *buf;
    size_t len, cap;
    int status;
    int depth;
    bool pretty;
    bool expect_value_after_key;
    bool done;
    char open[MLOPS_JSON_MAX_DEPTH];  /* '{' or '[' per level */
    bool has_items[MLOPS_JSON_MAX_DEPTH];
} mlops__json;

void mlops__json_init(mlops__json *j, bool pretty);
/* Frees the buffer of an unfinished writer (safe after finish, too). */
void mlops__json_free(mlops__json *j);

int mlops__json_begin_object(mlops__json *j);
int mlops__json_end_object(mlops__json *j);
int mlops__json_begin_array(mlops__json *j);
int mlops__json_end_array(mlops__json *j);
int mlops__json_key(mlops__json *j, const char *key);
int mlops__json_string(mlops__json *j, const char *s);  /* NULL writes null */
int mlops__json_string_n(mlops__json *j, const char *s, size_t n);
int mlops__json_double(mlops__json *j, double v);
int mlops__json_int(mlops__json *j, int64_t v);
int mlops__json_uint(mlops__json *j, uint64_t v);
int mlops__json_bool(mlops__json *j, bool v);
int mlops__json_null(mlops__json *j);

/* Writes `text` (n bytes, a complete JSON value) verbatim as the next value,
 * after checking it with mlops__json_valid (MLOPS_EFORMAT when invalid). */
int mlops__json_raw(mlops__json *j, const char *text, size_t n);
/* Whether text[0..len) is exactly one JSON value (RFC 8259, UTF-8, nesting
 * at most MLOPS_JSON_MAX_DEPTH) with optional surrounding whitespace. */
bool mlops__json_valid(const char *text, size_t len);
/* Completes the document: hands over the NUL-terminated text (free with
 * mlops__free) and its length. Fails with MLOPS_ESTATE if containers are
 * still open or nothing was written, or with the first recorded error. */
int mlops__json_finish(mlops__json *j, char **text, size_t *len);

#endif
