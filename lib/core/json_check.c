/* Private: a strict RFC 8259 syntax check, so JSON text that crosses a
 * trust boundary (a section of a model file) can be embedded verbatim in a
 * document the library writes without ever producing broken output. */
#include <stdbool.h>
#include <string.h>

#include "core/json.h"

typedef struct cursor {
    const char *p, *end;
    int depth;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool literal(cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return false;
    c->p += n;
    return true;
}

static bool digits(cursor *c)
{
    const char *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    return c->p > start;
}

static bool number(cursor *c)
{
    if (c->p < c->end && *c->p == '-') c->p++;
    if (c->p < c->end && *c->p == '0')
        c->p++;
    else if (!digits(c))
        return false;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!digits(c)) return false;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (!digits(c)) return false;
    }
    return true;
}

static bool string(cursor *c)
{
    if (c->p >= c->end || *c->p != '"') return false;
    const char *start = ++c->p;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p;
        if (ch < 0x20) return false;
        if (ch == '\\') {
            c->p++;
            if (c->p >= c->end) return false;
            if (*c->p == 'u') {
                for (int i = 0; i < 4; i++) {
                    c->p++;
                    if (c->p >= c->end || !strchr("0123456789abcdefABCDEF", *c->p) ||
                        *c->p == '\0')
                        return false;
                }
            } else if (!strchr("\"\\/bfnrt", *c->p) || *c->p == '\0') {
                return false;
            }
        }
        c->p++;
    }
    if (c->p >= c->end) return false;
    size_t n = (size_t)(c->p - start);
    c->p++;
    return mlops__utf8_valid_prefix(start, n) == n;
}

static bool value(cursor *c);

static bool container(cursor *c, char close, bool object)
{
    if (++c->depth > MLOPS_JSON_MAX_DEPTH) return false;
    c->p++;
    skip_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        c->depth--;
        return true;
    }
    for (;;) {
        skip_ws(c);
        if (object) {
            if (!string(c)) return false;
            skip_ws(c);
            if (c->p >= c->end || *c->p != ':') return false;
            c->p++;
        }
        if (!value(c)) return false;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == close) {
            c->p++;
            c->depth--;
            return true;
        }
        return false;
    }
}

static bool value(cursor *c)
{
    skip_ws(c);
    if (c->p >= c->end) return false;
    switch (*c->p) {
    case '{': return container(c, '}', true);
    case '[': return container(c, ']', false);
    case '"': return string(c);
    case 't': return literal(c, "true");
    case 'f': return literal(c, "false");
    case 'n': return literal(c, "null");
    default: return number(c);
    }
}

bool mlops__json_valid(const char *text, size_t len)
{
    cursor c = {text, text + len, 0};
    if (!value(&c)) return false;
    skip_ws(&c);
    return c.p == c.end;
}
