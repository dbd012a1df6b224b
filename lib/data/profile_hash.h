/* Private: the 64-bit hashing and the exact set of numeric values behind the
 * data-quality profile (distinct counts, HyperLogLog input, row hashes).
 *
 * The hashes are fixed functions of the bytes (no per-process seed), so a
 * profile's sketches mean the same thing on every machine and can be merged
 * across processes. They are not meant to resist adversarial input. */
#ifndef MLOPS_DATA_PROFILE_HASH_H
#define MLOPS_DATA_PROFILE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Two different bijective 64-bit finalisers (SplitMix64's and MurmurHash3's):
 * every input bit affects every output bit, and distinct inputs never
 * collide, which makes a value's hash a perfect key for its own value. */
static inline uint64_t mlops__mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static inline uint64_t mlops__mix64b(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

/* The bits of a present (non-NaN) numeric value with -0.0 folded into +0.0,
 * since the two compare equal and pandas counts them as one value. */
static inline uint64_t mlops__value_key(double v)
{
    if (v == 0.0) v = 0.0;
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

/* A key no present value has: the canonical quiet NaN. */
#define MLOPS__NO_VALUE_KEY 0x7ff8000000000000ull

/* Hash of `len` bytes under `seed`; the length is part of the input. */
uint64_t mlops__hash_bytes(const void *data, size_t len, uint64_t seed);

/* Hashes fed to HyperLogLog: one for numeric values, one for strings. */
static inline uint64_t mlops__key_hash(uint64_t key)
{
    return mlops__mix64(key ^ 0x6a09e667f3bcc908ull);
}

static inline uint64_t mlops__value_hash(double v)
{
    return mlops__key_hash(mlops__value_key(v));
}

static inline uint64_t mlops__string_hash(const char *s, size_t len)
{
    return mlops__hash_bytes(s, len, 0xbb67ae8584caa73bull);
}

/* Open-addressing set of value keys (see mlops__value_key); the empty slot is
 * MLOPS__NO_VALUE_KEY, which is never a key. */
typedef struct mlops__keyset {
    uint64_t *slots;
    size_t cap;  /* 0 or a power of two */
    size_t size;
} mlops__keyset;

void mlops__keyset_free(mlops__keyset *s);
/* Adds `key`; grows the table when needed. On MLOPS_ENOMEM the set is
 * unchanged. */
int mlops__keyset_add(mlops__keyset *s, uint64_t key);

/* The slot holding `key`, or the empty slot where it would go (cap > 0).
 * Inline, like mlops__keyset_has(), since the profile asks once per value. */
static inline size_t mlops__keyset_slot(const uint64_t *slots, size_t cap, uint64_t key)
{
    size_t mask = cap - 1;
    for (size_t i = (size_t)mlops__mix64(key) & mask;; i = (i + 1) & mask)
        if (slots[i] == key || slots[i] == MLOPS__NO_VALUE_KEY) return i;
}

static inline bool mlops__keyset_has(const mlops__keyset *s, uint64_t key)
{
    return s->cap > 0 && s->slots[mlops__keyset_slot(s->slots, s->cap, key)] == key;
}
/* A copy of `src` into the empty set `dst`. */
int mlops__keyset_copy(mlops__keyset *dst, const mlops__keyset *src);

#endif
