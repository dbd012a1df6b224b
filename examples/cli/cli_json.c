/* Lookup in JSON text (see cli_json.h): values are skipped by scanning,
 * respecting strings, so nothing is built for the parts not asked for. */
#include "cli_json.h"

#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* p at the opening quote; returns the position after the closing one. */
static const char *skip_string(const char *p)
{
    for (p++; *p != '"'; p++) {
        if (*p == '\0') return NULL;
        if (*p == '\\' && *++p == '\0') return NULL;
    }
    return p + 1;
}

/* p at the first character of a value; returns the position after it. */
static const char *skip_value(const char *p)
{
    if (*p == '"') return skip_string(p);
    if (*p == '{' || *p == '[') {
        size_t depth = 0;
        while (*p != '\0') {
            if (*p == '"') {
                p = skip_string(p);
                if (p == NULL) return NULL;
                continue;
            }
            if (*p == '{' || *p == '[') depth++;
            if (*p == '}' || *p == ']') {
                if (--depth == 0) return p + 1;
            }
            p++;
        }
        return NULL;
    }
    const char *start = p;
    while (*p != '\0' && strchr(",}] \t\r\n", *p) == NULL) p++;
    return p == start ? NULL : p;
}

/* The value of member `name` (`len` bytes) of the object at p. */
static const char *member(const char *p, const char *name, size_t len)
{
    if (p == NULL || *p != '{') return NULL;
    p = skip_ws(p + 1);
    if (*p == '}') return NULL;
    for (;;) {
        if (*p != '"') return NULL;
        const char *key = p + 1, *end = skip_string(p);
        if (end == NULL) return NULL;
        int match = (size_t)(end - 1 - key) == len && memcmp(key, name, len) == 0;
        p = skip_ws(end);
        if (*p != ':') return NULL;
        p = skip_ws(p + 1);
        if (match) return p;
        p = skip_value(p);
        if (p == NULL) return NULL;
        p = skip_ws(p);
        if (*p != ',') return NULL;
        p = skip_ws(p + 1);
    }
}

const char *cli_json_find(const char *json, const char *path)
{
    const char *p = skip_ws(json);
    while (p != NULL && *path != '\0') {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        p = member(p, path, len);
        path += len + (dot != NULL);
    }
    return p;
}

const char *cli_json_item(const char *value, size_t i)
{
    if (value == NULL || *value != '[') return NULL;
    const char *p = skip_ws(value + 1);
    if (*p == ']') return NULL;
    for (size_t k = 0;; k++) {
        if (k == i) return p;
        p = skip_value(p);
        if (p == NULL) return NULL;
        p = skip_ws(p);
        if (*p != ',') return NULL;
        p = skip_ws(p + 1);
    }
}

const char *cli_json_end(const char *value)
{
    return value == NULL ? NULL : skip_value(value);
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* Decodes the string at p (opening quote) into a new buffer. */
static char *decode_string(const char *p)
{
    const char *end = skip_string(p);
    if (end == NULL) return NULL;
    /* escapes never decode to more bytes than they take */
    char *out = malloc((size_t)(end - p)), *o = out;
    if (out == NULL) return NULL;
    for (p++; p < end - 1; p++) {
        if (*p != '\\') {
            *o++ = *p;
            continue;
        }
        p++;
        unsigned cp = 0, lo = 0;
        switch (*p) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u':
            if (end - 1 - p < 5 || hex4(p + 1, &cp) != 0) goto bad;
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && end - 1 - p >= 7 && p[1] == '\\' && p[2] == 'u' &&
                hex4(p + 3, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            o = put_utf8(o, cp);
            break;
        default: *o++ = *p; break; /* \" \\ \/ */
        }
    }
    *o = '\0';
    return out;
bad:
    free(out);
    return NULL;
}

char *cli_json_text(const char *value)
{
    if (value == NULL) return NULL;
    if (*value == '"') return decode_string(value);
    if (*value != '-' && (*value < '0' || *value > '9')) return NULL;
    const char *end = skip_value(value);
    if (end == NULL) return NULL;
    size_t n = (size_t)(end - value);
    char *out = malloc(n + 1);
    if (out == NULL) return NULL;
    memcpy(out, value, n);
    out[n] = '\0';
    return out;
}
