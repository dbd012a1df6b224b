/* Duplicate-row hash set with adaptive sampling (see profile_rowset.h). */
#include "data/profile_rowset.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

void mlops__rowset_free(mlops__rowset *s)
{
    mlops__free(s->slots);
    memset(s, 0, sizeof *s);
}

static int sampled(uint64_t h1, unsigned level)
{
    if (level == 0) return 1;
    if (level >= 64) return h1 == 0;
    return (h1 >> (64 - level)) == 0;
}

/* h2 picks the slot: h1's leading bits are zero for every sampled row. */
static size_t find_slot(const mlops__rowset_entry *slots, size_t cap, uint64_t h1, uint64_t h2)
{
    size_t mask = cap - 1;
    for (size_t i = (size_t)h2 & mask;; i = (i + 1) & mask)
        if (slots[i].count == 0 || (slots[i].h1 == h1 && slots[i].h2 == h2)) return i;
}

/* Copies every entry into a table of `cap` slots (cap > size). */
static int grow(mlops__rowset *s, size_t cap)
{
    mlops__rowset_entry *slots = mlops__calloc(cap, sizeof *slots, "duplicate-row hash set");
    if (slots == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        const mlops__rowset_entry *e = &s->slots[i];
        if (e->count != 0) slots[find_slot(slots, cap, e->h1, e->h2)] = *e;
    }
    mlops__free(s->slots);
    s->slots = slots;
    s->cap = cap;
    return MLOPS_OK;
}

/* Empties slot i and moves later entries of its probe run back into the gap
 * (Knuth's algorithm R for linear probing), so lookups still find them and
 * no tombstones are needed. */
static void remove_at(mlops__rowset *s, size_t i)
{
    size_t mask = s->cap - 1, j = i;
    for (;;) {
        s->slots[i].count = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (s->slots[j].count == 0) return;
            size_t home = (size_t)s->slots[j].h2 & mask;
            /* The entry at j stays when its home lies cyclically in (i, j]. */
            int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) break;
        }
        s->slots[i] = s->slots[j];
        i = j;
    }
}

/* Drops the entries no longer sampled at s->level, in place: the table never
 * needs a second copy of itself, so the peak memory is the table. An entry
 * shifted into the slot just emptied is examined in turn; with the load at
 * most 1/2 no probe run wraps back to the scan position. */
static void evict(mlops__rowset *s)
{
    for (size_t i = 0; i < s->cap;) {
        const mlops__rowset_entry *e = &s->slots[i];
        if (e->count != 0 && !sampled(e->h1, s->level)) {
            s->size--;
            s->sampled_rows -= e->count;
            remove_at(s, i);
        } else {
            i++;
        }
    }
}

/* Raises the level until at most `limit` hashes remain. */
static void shrink(mlops__rowset *s, size_t limit)
{
    while (s->size > limit && s->level < 64) {
        s->level++;
        evict(s);
    }
}

int mlops__rowset_add(mlops__rowset *s, uint64_t h1, uint64_t h2, uint64_t count, size_t limit)
{
    if (!sampled(h1, s->level)) return MLOPS_OK;
    if (s->cap > 0) {
        mlops__rowset_entry *e = &s->slots[find_slot(s->slots, s->cap, h1, h2)];
        if (e->count != 0) {
            e->count += count;
            s->sampled_rows += count;
            return MLOPS_OK;
        }
    }
    if ((s->size + 1) * 2 > s->cap) {
        if (s->cap > SIZE_MAX / 2 / sizeof *s->slots)
            return mlops__fail(MLOPS_ENOMEM, "duplicate-row hash set too large");
        int rc = grow(s, s->cap ? s->cap * 2 : 64);
        if (rc != MLOPS_OK) return rc;
    }
    s->slots[find_slot(s->slots, s->cap, h1, h2)] = (mlops__rowset_entry){h1, h2, count};
    s->size++;
    s->sampled_rows += count;
    shrink(s, limit);
    return MLOPS_OK;
}

int mlops__rowset_merge(mlops__rowset *s, const mlops__rowset *o, size_t limit)
{
    if (o->level > s->level) {
        s->level = o->level;
        evict(s);
    }
    for (size_t i = 0; i < o->cap; i++) {
        const mlops__rowset_entry *e = &o->slots[i];
        if (e->count == 0) continue;
        int rc = mlops__rowset_add(s, e->h1, e->h2, e->count, limit);
        if (rc != MLOPS_OK) return rc;
    }
    return MLOPS_OK;
}

uint64_t mlops__rowset_duplicates(const mlops__rowset *s)
{
    uint64_t d = s->sampled_rows - s->size;
    if (s->level == 0) return d;
    if (s->level >= 64 || d > (UINT64_MAX >> s->level)) return UINT64_MAX;
    return d << s->level;
}
