/* The streaming JSON writer (policy in json.h). Commas, colons and
 * indentation are placed by the writer's own nesting state, so callers
 * cannot produce malformed documents by forgetting one. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "core/numfmt.h"

void mlops__json_init(mlops__json *j, bool pretty)
{
    memset(j, 0, sizeof *j);
    j->pretty = pretty;
}

void mlops__json_free(mlops__json *j)
{
    mlops__free(j->buf);
    j->buf = NULL;
    j->len = j->cap = 0;
}

static int fail(mlops__json *j, int code, const char *what)
{
    if (j->status == MLOPS_OK) j->status = mlops__fail(code, "json writer: %s", what);
    return j->status;
}

static int put(mlops__json *j, const char *s, size_t n)
{
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 256;
        while (cap < j->len + n + 1) {
            if (cap > SIZE_MAX / 2) return fail(j, MLOPS_ENOMEM, "document too large");
            cap *= 2;
        }
        char *grown = mlops__realloc(j->buf, cap, "JSON document");
        if (grown == NULL) {
            j->status = MLOPS_ENOMEM;
            return j->status;
        }
        j->buf = grown;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
    return MLOPS_OK;
}

static int newline_indent(mlops__json *j)
{
    if (!j->pretty) return MLOPS_OK;
    int rc = put(j, "\n", 1);
    for (int i = 0; i < j->depth && rc == MLOPS_OK; i++) rc = put(j, "  ", 2);
    return rc;
}

/* Everything that writes a value (scalar or container start) comes here
 * first to check it is allowed and to write the separator before it. */
static int before_value(mlops__json *j)
{
    if (j->status != MLOPS_OK) return j->status;
    if (j->done) return fail(j, MLOPS_ESTATE, "a value after the end of the document");
    if (j->depth == 0) return MLOPS_OK;
    if (j->open[j->depth - 1] == '{') {
        if (!j->expect_value_after_key) return fail(j, MLOPS_ESTATE, "object value without a key");
        j->expect_value_after_key = false;
        return MLOPS_OK;
    }
    int rc = j->has_items[j->depth - 1] ? put(j, ",", 1) : MLOPS_OK;
    j->has_items[j->depth - 1] = true;
    return rc == MLOPS_OK ? newline_indent(j) : rc;
}

static int after_value(mlops__json *j)
{
    if (j->depth == 0) j->done = true;
    return j->status;
}

static int begin(mlops__json *j, char open)
{
    if (before_value(j) != MLOPS_OK) return j->status;
    if (j->depth == MLOPS_JSON_MAX_DEPTH) return fail(j, MLOPS_ERANGE, "nesting deeper than 64");
    j->open[j->depth] = open;
    j->has_items[j->depth] = false;
    j->depth++;
    return put(j, &open, 1);
}

static int end(mlops__json *j, char open, char close)
{
    if (j->status != MLOPS_OK) return j->status;
    if (j->depth == 0 || j->open[j->depth - 1] != open || j->expect_value_after_key)
        return fail(j, MLOPS_ESTATE, open == '{' ? "end_object does not match an open object"
                                                 : "end_array does not match an open array");
    bool had_items = j->has_items[j->depth - 1];
    j->depth--;
    if (had_items && newline_indent(j) != MLOPS_OK) return j->status;
    if (put(j, &close, 1) != MLOPS_OK) return j->status;
    return after_value(j);
}

int mlops__json_begin_object(mlops__json *j) { return begin(j, '{'); }
int mlops__json_end_object(mlops__json *j) { return end(j, '{', '}'); }
int mlops__json_begin_array(mlops__json *j) { return begin(j, '['); }
int mlops__json_end_array(mlops__json *j) { return end(j, '[', ']'); }

static int put_escaped(mlops__json *j, const char *s, size_t n)
{
    if (mlops__utf8_valid_prefix(s, n) != n) {
        if (j->status == MLOPS_OK)
            j->status = mlops__fail(MLOPS_EINVAL,
                                    "json writer: string has invalid UTF-8 at byte %zu",
                                    mlops__utf8_valid_prefix(s, n));
        return j->status;
    }
    if (put(j, "\"", 1) != MLOPS_OK) return j->status;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (put(j, s + start, i - start) != MLOPS_OK) return j->status;
        char esc[8];
        switch (c) {
        case '"': memcpy(esc, "\\\"", 3); break;
        case '\\': memcpy(esc, "\\\\", 3); break;
        case '\n': memcpy(esc, "\\n", 3); break;
        case '\r': memcpy(esc, "\\r", 3); break;
        case '\t': memcpy(esc, "\\t", 3); break;
        case '\b': memcpy(esc, "\\b", 3); break;
        case '\f': memcpy(esc, "\\f", 3); break;
        default: snprintf(esc, sizeof esc, "\\u%04x", c); break;
        }
        if (put(j, esc, strlen(esc)) != MLOPS_OK) return j->status;
        start = i + 1;
    }
    if (put(j, s + start, n - start) != MLOPS_OK) return j->status;
    return put(j, "\"", 1);
}

int mlops__json_key(mlops__json *j, const char *key)
{
    if (j->status != MLOPS_OK) return j->status;
    if (key == NULL) return fail(j, MLOPS_EINVAL, "NULL key");
    if (j->depth == 0 || j->open[j->depth - 1] != '{' || j->expect_value_after_key)
        return fail(j, MLOPS_ESTATE, "a key outside an object or after another key");
    if (j->has_items[j->depth - 1] && put(j, ",", 1) != MLOPS_OK) return j->status;
    j->has_items[j->depth - 1] = true;
    if (newline_indent(j) != MLOPS_OK || put_escaped(j, key, strlen(key)) != MLOPS_OK ||
        put(j, j->pretty ? ": " : ":", j->pretty ? 2 : 1) != MLOPS_OK)
        return j->status;
    j->expect_value_after_key = true;
    return MLOPS_OK;
}

static int raw_value(mlops__json *j, const char *text, size_t n)
{
    if (before_value(j) != MLOPS_OK || put(j, text, n) != MLOPS_OK) return j->status;
    return after_value(j);
}

int mlops__json_string_n(mlops__json *j, const char *s, size_t n)
{
    if (s == NULL) return mlops__json_null(j);
    if (before_value(j) != MLOPS_OK || put_escaped(j, s, n) != MLOPS_OK) return j->status;
    return after_value(j);
}

int mlops__json_string(mlops__json *j, const char *s)
{
    return mlops__json_string_n(j, s, s ? strlen(s) : 0);
}

int mlops__json_raw(mlops__json *j, const char *text, size_t n)
{
    if (j->status != MLOPS_OK) return j->status;
    if (!mlops__json_valid(text, n))
        return j->status = mlops__fail(MLOPS_EFORMAT, "json: embedded text is not valid JSON");
    return raw_value(j, text, n);
}

int mlops__json_double(mlops__json *j, double v)
{
    if (!isfinite(v)) return mlops__json_null(j);
    char text[MLOPS_DOUBLE_BUFSIZE];
    size_t n = mlops__format_double(v, text);
    return raw_value(j, text, n);
}

int mlops__json_int(mlops__json *j, int64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof text, "%" PRId64, v);
    return raw_value(j, text, (size_t)n);
}

int mlops__json_uint(mlops__json *j, uint64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof text, "%" PRIu64, v);
    return raw_value(j, text, (size_t)n);
}

int mlops__json_bool(mlops__json *j, bool v)
{
    return raw_value(j, v ? "true" : "false", v ? 4 : 5);
}

int mlops__json_null(mlops__json *j)
{
    return raw_value(j, "null", 4);
}

int mlops__json_finish(mlops__json *j, char **text, size_t *len)
{
    if (j->status == MLOPS_OK && !j->done)
        fail(j, MLOPS_ESTATE, j->depth ? "document has unclosed containers" : "empty document");
    if (j->status != MLOPS_OK) {
        mlops__json_free(j);
        return j->status;
    }
    if (j->pretty && put(j, "\n", 1) != MLOPS_OK) {
        mlops__json_free(j);
        return j->status;
    }
    *text = j->buf;
    *len = j->len;
    j->buf = NULL;
    j->len = j->cap = 0;
    return MLOPS_OK;
}
