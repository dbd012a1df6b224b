/* The dataset fingerprint: SHA-256 over a canonical encoding of the schema
 * and every value, specified in mlops_dataset_fingerprint(3) and replayed
 * independently by tests/reference/make_fingerprint_reference.py.
 *
 * Categorical values are hashed as their strings, never as codes: codes
 * follow the order of first appearance, which changes with batching and
 * selections while the data stays the same. The encoder feeds the hash
 * through a stack buffer, so fingerprinting never allocates. */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/sha256.h"
#include "data/dataset_impl.h"

static const char MAGIC[] = "libmlops-dataset-fingerprint-v1\n";

/* The one bit pattern every missing numeric value is hashed as. */
#define CANONICAL_NAN UINT64_C(0x7FF8000000000000)
/* The length written for a missing categorical value. */
#define MISSING_STRING UINT64_MAX

typedef struct encoder {
    mlops__sha256 hash;
    size_t used;
    unsigned char buf[4096];
} encoder;

static void flush(encoder *e)
{
    mlops__sha256_update(&e->hash, e->buf, e->used);
    e->used = 0;
}

static void put_bytes(encoder *e, const void *data, size_t len)
{
    if (len > sizeof e->buf - e->used) {
        flush(e);
        if (len >= sizeof e->buf) {
            mlops__sha256_update(&e->hash, data, len);
            return;
        }
    }
    memcpy(e->buf + e->used, data, len);
    e->used += len;
}

static void put_u64(encoder *e, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
    put_bytes(e, b, sizeof b);
}

static void put_u8(encoder *e, unsigned v)
{
    unsigned char b = (unsigned char)v;
    put_bytes(e, &b, 1);
}

static void put_string(encoder *e, const char *s, size_t len)
{
    put_u64(e, (uint64_t)len);
    put_bytes(e, s, len);
}

static uint64_t canonical_bits(double v)
{
    if (isnan(v)) return CANONICAL_NAN;
    if (v == 0.0) return 0; /* -0.0 and +0.0 are the same number: +0.0's bits */
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

static void put_column(encoder *e, const mlops__column *c, size_t rows)
{
    put_string(e, c->name, strlen(c->name));
    put_u8(e, (unsigned)c->type);
    put_u8(e, (unsigned)c->role);
    if (c->type == MLOPS_NUMERIC) {
        for (size_t r = 0; r < rows; r++) put_u64(e, canonical_bits(c->values[r]));
        return;
    }
    for (size_t r = 0; r < rows; r++) {
        int32_t code = c->codes[r];
        if (code < 0)
            put_u64(e, MISSING_STRING);
        else
            put_string(e, mlops__dict_string(c->dict, code), mlops__dict_string_len(c->dict, code));
    }
}

MLOPS_API int mlops_dataset_fingerprint(const mlops_dataset *d, char *hex, size_t hex_size)
{
    static const char func[] = "mlops_dataset_fingerprint";
    if (d == NULL || hex == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (hex_size < MLOPS_SHA256_HEX_SIZE)
        return mlops__fail(MLOPS_EINVAL, "%s: output holds %zu bytes, %d needed", func, hex_size,
                           (int)MLOPS_SHA256_HEX_SIZE);
    encoder e;
    mlops__sha256_init(&e.hash);
    e.used = 0;
    put_bytes(&e, MAGIC, sizeof MAGIC - 1);
    put_u64(&e, (uint64_t)d->rows);
    put_u64(&e, (uint64_t)d->ncols);
    for (size_t j = 0; j < d->ncols; j++) put_column(&e, &d->cols[j], d->rows);
    flush(&e);
    unsigned char digest[MLOPS_SHA256_SIZE];
    mlops__sha256_final(&e.hash, digest);
    mlops__hex_encode(digest, sizeof digest, hex);
    hex[2 * MLOPS_SHA256_SIZE] = '\0';
    return MLOPS_OK;
}
