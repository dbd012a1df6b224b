/* String dictionary for categorical columns (see dict.h). */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/dict.h"

struct mlops__dict {
    char *arena;        /* NUL-terminated strings back to back */
    size_t arena_len, arena_cap;
    size_t *offsets;    /* per code: start in arena; offsets[count] = arena_len */
    size_t count, cap;
    int32_t *slots;     /* hash table of codes, -1 = empty; size is a power of two */
    size_t nslots;
};

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

int mlops__dict_create(mlops__dict **out)
{
    mlops__dict *d = mlops__calloc(1, sizeof *d, "category dictionary");
    if (d == NULL) return MLOPS_ENOMEM;
    d->nslots = 16;
    d->cap = 8;
    d->slots = mlops__malloc_array(d->nslots, sizeof *d->slots, "category hash table");
    d->offsets = mlops__malloc_array(d->cap + 1, sizeof *d->offsets, "category offsets");
    if (d->slots == NULL || d->offsets == NULL) {
        mlops__dict_free(d);
        return MLOPS_ENOMEM;
    }
    memset(d->slots, 0xff, d->nslots * sizeof *d->slots);
    d->offsets[0] = 0;
    *out = d;
    return MLOPS_OK;
}

void mlops__dict_free(mlops__dict *d)
{
    if (d == NULL) return;
    mlops__free(d->arena);
    mlops__free(d->offsets);
    mlops__free(d->slots);
    mlops__free(d);
}

size_t mlops__dict_size(const mlops__dict *d)
{
    return d->count;
}

const char *mlops__dict_string(const mlops__dict *d, int32_t code)
{
    return d->arena + d->offsets[code];
}

size_t mlops__dict_string_len(const mlops__dict *d, int32_t code)
{
    return d->offsets[code + 1] - d->offsets[code] - 1;
}

static size_t probe(const mlops__dict *d, const char *s, size_t len, uint64_t h)
{
    size_t mask = d->nslots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        int32_t c = d->slots[i];
        if (c < 0) return i;
        if (mlops__dict_string_len(d, c) == len && memcmp(mlops__dict_string(d, c), s, len) == 0)
            return i;
    }
}

int32_t mlops__dict_find(const mlops__dict *d, const char *s, size_t len)
{
    return d->slots[probe(d, s, len, hash_bytes(s, len))];
}

static int grow_table(mlops__dict *d)
{
    size_t nslots = d->nslots * 2;
    int32_t *slots = mlops__malloc_array(nslots, sizeof *slots, "category hash table");
    if (slots == NULL) return MLOPS_ENOMEM;
    memset(slots, 0xff, nslots * sizeof *slots);
    for (size_t c = 0; c < d->count; c++) {
        const char *s = mlops__dict_string(d, (int32_t)c);
        size_t len = mlops__dict_string_len(d, (int32_t)c);
        size_t i = (size_t)hash_bytes(s, len) & (nslots - 1);
        while (slots[i] >= 0) i = (i + 1) & (nslots - 1);
        slots[i] = (int32_t)c;
    }
    mlops__free(d->slots);
    d->slots = slots;
    d->nslots = nslots;
    return MLOPS_OK;
}

int mlops__dict_intern(mlops__dict *d, const char *s, size_t len, int32_t *code)
{
    uint64_t h = hash_bytes(s, len);
    size_t slot = probe(d, s, len, h);
    if (d->slots[slot] >= 0) {
        *code = d->slots[slot];
        return MLOPS_OK;
    }
    if (d->count >= INT32_MAX - 1)
        return mlops__fail(MLOPS_ERANGE, "more than %d distinct categories", INT32_MAX - 1);
    size_t need;
    if (!mlops__add_size(d->arena_len, len, &need) || !mlops__add_size(need, 1, &need))
        return mlops__fail(MLOPS_ENOMEM, "category strings too large");
    if (need > d->arena_cap) {
        size_t cap = d->arena_cap ? d->arena_cap : 64;
        while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        char *arena = mlops__realloc(d->arena, cap, "category strings");
        if (arena == NULL) return MLOPS_ENOMEM;
        d->arena = arena;
        d->arena_cap = cap;
    }
    if (d->count == d->cap) {
        size_t *offsets = mlops__realloc_array(d->offsets, d->cap * 2 + 1, sizeof *offsets,
                                               "category offsets");
        if (offsets == NULL) return MLOPS_ENOMEM;
        d->offsets = offsets;
        d->cap *= 2;
    }
    /* Keep the load factor under 1/2 so probes stay short. */
    if ((d->count + 1) * 2 > d->nslots) {
        if (grow_table(d) != MLOPS_OK) return MLOPS_ENOMEM;
        slot = probe(d, s, len, h);
    }
    if (len) memcpy(d->arena + d->arena_len, s, len);
    d->arena[d->arena_len + len] = '\0';
    d->arena_len = need;
    d->slots[slot] = (int32_t)d->count;
    *code = (int32_t)d->count;
    d->count++;
    d->offsets[d->count] = d->arena_len;
    return MLOPS_OK;
}

int mlops__dict_clone(const mlops__dict *d, mlops__dict **out)
{
    mlops__dict *c;
    int rc = mlops__dict_create(&c);
    if (rc != MLOPS_OK) return rc;
    for (size_t i = 0; rc == MLOPS_OK && i < d->count; i++) {
        int32_t code;
        rc = mlops__dict_intern(c, mlops__dict_string(d, (int32_t)i),
                                mlops__dict_string_len(d, (int32_t)i), &code);
    }
    if (rc != MLOPS_OK) {
        mlops__dict_free(c);
        return rc;
    }
    *out = c;
    return MLOPS_OK;
}
