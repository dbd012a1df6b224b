/* A strict JSON reader into a tree (see json_parse.h). Recursive descent with
 * a depth limit; every allocation goes through the library's allocator. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json_parse.h"
#include "core/numfmt.h"
#include "core/utf8.h"

enum { MAX_DEPTH = 128 };

typedef struct parser {
    const char *start, *p, *end;
    const char *what;
    int status;
} parser;

static int fail_at(parser *ps, const char *why)
{
    if (ps->status != MLOPS_OK) return ps->status;
    size_t line = 1, col = 1;
    for (const char *q = ps->start; q < ps->p && q < ps->end; q++) {
        if (*q == '\n') line++, col = 1;
        else col++;
    }
    ps->status = mlops__fail(MLOPS_EFORMAT, "%s:%zu:%zu: %s", ps->what, line, col, why);
    return ps->status;
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int hex4(parser *ps, unsigned *out)
{
    if (ps->end - ps->p < 4) return fail_at(ps, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = ps->p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return fail_at(ps, "bad \\u escape");
    }
    ps->p += 4;
    *out = v;
    return MLOPS_OK;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads a string at ps->p (on the opening quote) into a new buffer. Escapes
 * never make a string longer, so the raw length bounds the decoded one. */
static int read_string(parser *ps, char **out)
{
    const char *q = ++ps->p;
    while (q < ps->end && *q != '"') q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
    if (q >= ps->end) return fail_at(ps, "unterminated string");
    char *s = mlops__malloc((size_t)(q - ps->p) + 1, "JSON string");
    if (s == NULL) return ps->status = MLOPS_ENOMEM;
    size_t n = 0;
    while (ps->p < q) {
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) { mlops__free(s); return fail_at(ps, "control character in a string"); }
        if (c != '\\') { s[n++] = (char)c; ps->p++; continue; }
        char e = ps->p[1];
        ps->p += 2;
        switch (e) {
        case '"': s[n++] = '"'; break;
        case '\\': s[n++] = '\\'; break;
        case '/': s[n++] = '/'; break;
        case 'b': s[n++] = '\b'; break;
        case 'f': s[n++] = '\f'; break;
        case 'n': s[n++] = '\n'; break;
        case 'r': s[n++] = '\r'; break;
        case 't': s[n++] = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (hex4(ps, &cp) != MLOPS_OK) { mlops__free(s); return ps->status; }
            if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
                ps->p[1] == 'u') {
                ps->p += 2;
                if (hex4(ps, &lo) != MLOPS_OK) { mlops__free(s); return ps->status; }
                if (lo < 0xDC00 || lo > 0xDFFF) { mlops__free(s); return fail_at(ps, "bad surrogate pair"); }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                mlops__free(s);
                return fail_at(ps, "lone surrogate in a \\u escape");
            }
            n += put_utf8(s + n, cp);
            break;
        }
        default: mlops__free(s); ps->p -= 1; return fail_at(ps, "unknown escape in a string");
        }
    }
    ps->p = q + 1;
    s[n] = '\0';
    if (mlops__utf8_valid_prefix(s, n) != n) { mlops__free(s); return fail_at(ps, "string is not valid UTF-8"); }
    *out = s;
    return MLOPS_OK;
}

static int read_value(parser *ps, mlops__jv *v, int depth);

static int grow(parser *ps, mlops__jv *v, size_t *cap, bool keys)
{
    if (v->n < *cap) return MLOPS_OK;
    size_t nc = *cap ? *cap * 2 : 4;
    mlops__jv *items = mlops__realloc_array(v->items, nc, sizeof *items, "JSON array");
    if (items == NULL) return ps->status = MLOPS_ENOMEM;
    v->items = items;
    if (keys) {
        char **k = mlops__realloc_array(v->keys, nc, sizeof *k, "JSON object");
        if (k == NULL) return ps->status = MLOPS_ENOMEM;
        v->keys = k;
    }
    *cap = nc;
    return MLOPS_OK;
}

static int read_container(parser *ps, mlops__jv *v, int depth, bool object)
{
    char close = object ? '}' : ']';
    size_t cap = 0;
    v->type = object ? MLOPS__JV_OBJECT : MLOPS__JV_ARRAY;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) { ps->p++; return MLOPS_OK; }
    for (;;) {
        if (grow(ps, v, &cap, object) != MLOPS_OK) return ps->status;
        mlops__jv *item = &v->items[v->n];
        memset(item, 0, sizeof *item);
        if (object) {
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"') return fail_at(ps, "expected a member name");
            char *key = NULL;
            if (read_string(ps, &key) != MLOPS_OK) return ps->status;
            v->keys[v->n] = key;
            v->n++;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') return fail_at(ps, "expected ':'");
            ps->p++;
        } else {
            v->n++;
        }
        if (read_value(ps, item, depth + 1) != MLOPS_OK) return ps->status;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
        if (ps->p < ps->end && *ps->p == close) { ps->p++; return MLOPS_OK; }
        return fail_at(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int read_number(parser *ps, mlops__jv *v)
{
    const char *q = ps->p;
    if (q < ps->end && *q == '-') q++;
    if (q >= ps->end || *q < '0' || *q > '9') return fail_at(ps, "expected a value");
    if (*q == '0') q++;
    else while (q < ps->end && *q >= '0' && *q <= '9') q++;
    if (q < ps->end && *q == '.') {
        q++;
        if (q >= ps->end || *q < '0' || *q > '9') return fail_at(ps, "bad number");
        while (q < ps->end && *q >= '0' && *q <= '9') q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-')) q++;
        if (q >= ps->end || *q < '0' || *q > '9') return fail_at(ps, "bad number");
        while (q < ps->end && *q >= '0' && *q <= '9') q++;
    }
    char buf[64];
    size_t n = (size_t)(q - ps->p);
    if (n >= sizeof buf) return fail_at(ps, "number too long");
    memcpy(buf, ps->p, n);
    buf[n] = '\0';
    v->type = MLOPS__JV_NUMBER;
    v->number = mlops__strtod_c(buf, NULL);
    ps->p = q;
    return MLOPS_OK;
}

static bool word(parser *ps, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0) return false;
    ps->p += n;
    return true;
}

static int read_value(parser *ps, mlops__jv *v, int depth)
{
    if (depth > MAX_DEPTH) return fail_at(ps, "nesting too deep");
    skip_ws(ps);
    if (ps->p >= ps->end) return fail_at(ps, "unexpected end of document");
    switch (*ps->p) {
    case '{': return read_container(ps, v, depth, true);
    case '[': return read_container(ps, v, depth, false);
    case '"': v->type = MLOPS__JV_STRING; return read_string(ps, &v->string);
    case 't': if (word(ps, "true")) { v->type = MLOPS__JV_BOOL; v->boolean = true; return MLOPS_OK; } break;
    case 'f': if (word(ps, "false")) { v->type = MLOPS__JV_BOOL; return MLOPS_OK; } break;
    case 'n': if (word(ps, "null")) { v->type = MLOPS__JV_NULL; return MLOPS_OK; } break;
    default: return read_number(ps, v);
    }
    return fail_at(ps, "expected a value");
}

static void free_contents(mlops__jv *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free_contents(&v->items[i]);
        if (v->keys != NULL) mlops__free(v->keys[i]);
    }
    mlops__free(v->items);
    mlops__free(v->keys);
    mlops__free(v->string);
}

void mlops__jv_free(mlops__jv *v)
{
    if (v == NULL) return;
    free_contents(v);
    mlops__free(v);
}

int mlops__json_parse(const char *text, size_t len, const char *what, mlops__jv **out)
{
    *out = NULL;
    mlops__jv *v = mlops__calloc(1, sizeof *v, "JSON document");
    if (v == NULL) return MLOPS_ENOMEM;
    parser ps = {text, text, text + len, what, MLOPS_OK};
    if (read_value(&ps, v, 0) == MLOPS_OK) {
        skip_ws(&ps);
        if (ps.p != ps.end) fail_at(&ps, "text after the document");
    }
    if (ps.status != MLOPS_OK) {
        mlops__jv_free(v);
        return ps.status;
    }
    *out = v;
    return MLOPS_OK;
}

const mlops__jv *mlops__jv_get(const mlops__jv *v, const char *key)
{
    if (v == NULL || v->type != MLOPS__JV_OBJECT) return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0) return &v->items[i];
    return NULL;
}

const mlops__jv *mlops__jv_at(const mlops__jv *v, size_t i)
{
    if (v == NULL || (v->type != MLOPS__JV_ARRAY && v->type != MLOPS__JV_OBJECT) || i >= v->n)
        return NULL;
    return &v->items[i];
}

size_t mlops__jv_len(const mlops__jv *v)
{
    return v != NULL && (v->type == MLOPS__JV_ARRAY || v->type == MLOPS__JV_OBJECT) ? v->n : 0;
}

double mlops__jv_number(const mlops__jv *v)
{
    return v != NULL && v->type == MLOPS__JV_NUMBER ? v->number : NAN;
}

const char *mlops__jv_string(const mlops__jv *v)
{
    return v != NULL && v->type == MLOPS__JV_STRING ? v->string : NULL;
}

bool mlops__jv_true(const mlops__jv *v)
{
    return v != NULL && v->type == MLOPS__JV_BOOL && v->boolean;
}
