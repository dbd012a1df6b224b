/* Byte hashing and the exact value-key set of the profile (profile_hash.h). */
#include "data/profile_hash.h"

#include "core/alloc.h"
#include "core/error.h"

uint64_t mlops__hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ mlops__mix64b((uint64_t)len + 0x9e3779b97f4a7c15ull);
    while (len >= 8) {
        uint64_t block = 0;
        for (int i = 7; i >= 0; i--) block = (block << 8) | p[i];
        h = mlops__mix64(h ^ block) + 0x3c6ef372fe94f82bull;
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = len; i > 0; i--) tail = (tail << 8) | p[i - 1];
    return mlops__mix64b(mlops__mix64(h ^ tail) ^ (uint64_t)len);
}

void mlops__keyset_free(mlops__keyset *s)
{
    mlops__free(s->slots);
    s->slots = NULL;
    s->cap = s->size = 0;
}

static int rehash(mlops__keyset *s, size_t cap)
{
    uint64_t *slots = mlops__malloc_array(cap, sizeof *slots, "profile distinct-value set");
    if (slots == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < cap; i++) slots[i] = MLOPS__NO_VALUE_KEY;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i] != MLOPS__NO_VALUE_KEY) slots[mlops__keyset_slot(slots, cap, s->slots[i])] = s->slots[i];
    mlops__free(s->slots);
    s->slots = slots;
    s->cap = cap;
    return MLOPS_OK;
}

int mlops__keyset_add(mlops__keyset *s, uint64_t key)
{
    if (s->cap > 0) {
        size_t i = mlops__keyset_slot(s->slots, s->cap, key);
        if (s->slots[i] == key) return MLOPS_OK;
    }
    /* Keep the load at most 1/2 so probe sequences stay short. */
    if ((s->size + 1) * 2 > s->cap) {
        if (s->cap > SIZE_MAX / 4)
            return mlops__fail(MLOPS_ENOMEM, "profile distinct-value set: too many values");
        int rc = rehash(s, s->cap ? s->cap * 2 : 16);
        if (rc != MLOPS_OK) return rc;
    }
    s->slots[mlops__keyset_slot(s->slots, s->cap, key)] = key;
    s->size++;
    return MLOPS_OK;
}

int mlops__keyset_copy(mlops__keyset *dst, const mlops__keyset *src)
{
    dst->slots = NULL;
    dst->cap = dst->size = 0;
    if (src->cap == 0) return MLOPS_OK;
    dst->slots = mlops__malloc_array(src->cap, sizeof *dst->slots, "profile distinct-value set");
    if (dst->slots == NULL) return MLOPS_ENOMEM;
    memcpy(dst->slots, src->slots, src->cap * sizeof *dst->slots);
    dst->cap = src->cap;
    dst->size = src->size;
    return MLOPS_OK;
}
