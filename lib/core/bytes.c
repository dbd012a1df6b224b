/* The little-endian writer and bounds-checked reader of core/bytes.h, one
 * implementation for every binary format so their encodings cannot drift
 * apart. */
#include <string.h>

#include "core/alloc.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/utf8.h"

void mlops__le_store(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

uint64_t mlops__le_load(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* ---- Writing ------------------------------------------------------------ */

void mlops__wbuf_put(mlops__wbuf *b, const void *data, size_t n)
{
    if (b->status != MLOPS_OK || n == 0) return;
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n) {
            if (cap > SIZE_MAX / 2) {
                b->status = mlops__fail(MLOPS_ENOMEM, "%s is too large", b->label);
                return;
            }
            cap *= 2;
        }
        unsigned char *grown = mlops__realloc(b->buf, cap, b->label);
        if (grown == NULL) {
            b->status = MLOPS_ENOMEM;
            return;
        }
        b->buf = grown;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, data, n);
    b->len += n;
}

void mlops__wbuf_put_le(mlops__wbuf *b, uint64_t v, size_t n)
{
    unsigned char bytes[8];
    mlops__le_store(bytes, v, n);
    mlops__wbuf_put(b, bytes, n);
}

void mlops__wbuf_put_f64(mlops__wbuf *b, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    mlops__wbuf_put_le(b, bits, 8);
}

void mlops__wbuf_put_str(mlops__wbuf *b, const char *s)
{
    if (s == NULL) s = "";
    size_t n = strlen(s);
    if (n > UINT32_MAX) {
        if (b->status == MLOPS_OK)
            b->status = mlops__fail(MLOPS_EINVAL, "%s: a string of %zu bytes is too long to "
                                                  "encode", b->label, n);
        return;
    }
    mlops__wbuf_put_le(b, n, 4);
    mlops__wbuf_put(b, s, n);
}

/* ---- Reading ------------------------------------------------------------ */

static void fault(mlops__rbuf *r, mlops__rbuf_fault f, const char *field, uint64_t value,
                  size_t detail)
{
    if (r->status == MLOPS_OK) r->status = r->fail(r, f, field, value, detail);
}

uint64_t mlops__rbuf_get_le(mlops__rbuf *r, size_t n, const char *field)
{
    if (r->status != MLOPS_OK) return 0;
    if (n > r->len - r->pos) {
        fault(r, MLOPS__RBUF_TRUNCATED, field, n, 0);
        return 0;
    }
    uint64_t v = mlops__le_load(r->p + r->pos, n);
    r->pos += n;
    return v;
}

double mlops__rbuf_get_f64(mlops__rbuf *r, const char *field)
{
    uint64_t bits = mlops__rbuf_get_le(r, 8, field);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

size_t mlops__rbuf_get_count(mlops__rbuf *r, size_t width, size_t min_size, const char *field)
{
    uint64_t n = mlops__rbuf_get_le(r, width, field);
    if (r->status != MLOPS_OK) return 0;
    if (n > (r->len - r->pos) / min_size) {
        fault(r, MLOPS__RBUF_COUNT, field, n, 0);
        return 0;
    }
    return (size_t)n;
}

char *mlops__rbuf_get_str(mlops__rbuf *r, const char *field)
{
    uint64_t n = mlops__rbuf_get_le(r, 4, field);
    if (r->status != MLOPS_OK) return NULL;
    if (n > r->len - r->pos) {
        fault(r, MLOPS__RBUF_STRING, field, n, 0);
        return NULL;
    }
    const char *s = (const char *)r->p + r->pos;
    if (memchr(s, '\0', (size_t)n) != NULL) {
        fault(r, MLOPS__RBUF_NUL, field, n, 0);
        return NULL;
    }
    size_t valid = mlops__utf8_valid_prefix(s, (size_t)n);
    if (valid != n) {
        fault(r, MLOPS__RBUF_UTF8, field, n, valid);
        return NULL;
    }
    char *copy = mlops__malloc((size_t)n + 1, r->label);
    if (copy == NULL) {
        r->status = MLOPS_ENOMEM;
        return NULL;
    }
    memcpy(copy, s, (size_t)n);
    copy[n] = '\0';
    r->pos += (size_t)n;
    return copy;
}
