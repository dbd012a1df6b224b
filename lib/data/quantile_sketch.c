/* KLL quantile sketch (see quantile_sketch.h for the algorithm and bound). */
#include "data/quantile_sketch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/sort.h"
#include "core/error.h"

double mlops__kll_rank_error(uint32_t k)
{
    return 2.296 / pow((double)k, 0.9723);
}

static void set_levels(mlops__kll *s, size_t nlevels);

void mlops__kll_init(mlops__kll *s, uint32_t k)
{
    memset(s, 0, sizeof *s);
    s->k = k;
    set_levels(s, 1);
    mlops__rng_seed(&s->rng, MLOPS_KLL_SEED);
}

void mlops__kll_free(mlops__kll *s)
{
    for (size_t h = 0; h < MLOPS_KLL_MAX_LEVELS; h++) mlops__free(s->level[h].items);
    memset(s->level, 0, sizeof s->level);
    set_levels(s, 1);
    s->n = 0;
    s->retained = 0;
}

/* Capacity of a level `depth` levels below the top: round(k * (2/3)^depth),
 * at least the minimum width. Integer arithmetic, as DataSketches does, so
 * every platform gets the same capacities (and so the same sketch). */
static size_t level_capacity(uint32_t k, size_t depth)
{
    if (depth > 30) return MLOPS_KLL_MIN_WIDTH;
    uint64_t pow3 = 1;
    for (size_t i = 0; i < depth; i++) pow3 *= 3;
    uint64_t c = ((((uint64_t)2 * k) << depth) / pow3 + 1) >> 1;
    return c < MLOPS_KLL_MIN_WIDTH ? MLOPS_KLL_MIN_WIDTH : (size_t)c;
}

static void set_levels(mlops__kll *s, size_t nlevels)
{
    s->nlevels = nlevels;
    s->capacity = 0;
    for (size_t h = 0; h < nlevels; h++) s->capacity += level_capacity(s->k, nlevels - 1 - h);
}

static int reserve(mlops__kll_level *l, size_t extra)
{
    size_t need;
    if (!mlops__add_size(l->len, extra, &need))
        return mlops__fail(MLOPS_ENOMEM, "quantile sketch level too large");
    if (need <= l->cap) return MLOPS_OK;
    size_t cap = l->cap ? l->cap : 16;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    double *items = mlops__realloc_array(l->items, cap, sizeof *items, "quantile sketch level");
    if (items == NULL) return MLOPS_ENOMEM;
    l->items = items;
    l->cap = cap;
    return MLOPS_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Compacts the lowest level that is at capacity, adding a level on top when
 * that is the top one. Leaves the sketch unchanged on failure. */
static int compact_one(mlops__kll *s)
{
    size_t h = 0;
    while (h < s->nlevels && s->level[h].len < level_capacity(s->k, s->nlevels - 1 - h)) h++;
    if (h >= s->nlevels) h = s->nlevels - 1; /* cannot happen while over capacity */
    if (h + 1 >= MLOPS_KLL_MAX_LEVELS)
        return mlops__fail(MLOPS_ERANGE, "quantile sketch: more than 2^%d values",
                           MLOPS_KLL_MAX_LEVELS - 1);
    mlops__kll_level *lo = &s->level[h], *up = &s->level[h + 1];
    size_t pairs = lo->len / 2;
    int rc = reserve(up, pairs);
    if (rc != MLOPS_OK) return rc;
    /* A level's capacity only shrinks as levels are added above it, so an
     * array sized when the level was near the top is given back here;
     * otherwise every level would keep about k items of storage and the
     * sketch would grow by kilobytes per doubling of the stream. */
    size_t nlevels = h + 1 == s->nlevels ? s->nlevels + 1 : s->nlevels;
    size_t target = level_capacity(s->k, nlevels - 1 - h);
    double *smaller = NULL;
    if (lo->cap > 2 * target + 16) {
        smaller = mlops__malloc_array(target, sizeof *smaller, "quantile sketch level");
        if (smaller == NULL) return MLOPS_ENOMEM;
    }
    set_levels(s, nlevels);
    mlops__sort_doubles(lo->items, lo->len);
    /* An odd item out stays behind, so the level keeps its exact weight. */
    size_t first = lo->len % 2;
    size_t offset = (size_t)(mlops__rng_next(&s->rng) >> 63);
    for (size_t i = 0; i < pairs; i++) up->items[up->len++] = lo->items[first + 2 * i + offset];
    lo->len = first;
    s->retained -= pairs;
    if (smaller != NULL) {
        if (first) smaller[0] = lo->items[0];
        mlops__free(lo->items);
        lo->items = smaller;
        lo->cap = target;
    }
    return MLOPS_OK;
}

static int compress(mlops__kll *s)
{
    while (s->retained > s->capacity) {
        int rc = compact_one(s);
        if (rc != MLOPS_OK) return rc;
    }
    return MLOPS_OK;
}

int mlops__kll_update(mlops__kll *s, double v)
{
    int rc = reserve(&s->level[0], 1);
    if (rc != MLOPS_OK) return rc;
    s->level[0].items[s->level[0].len++] = v;
    s->retained++;
    s->n++;
    return compress(s);
}

int mlops__kll_merge(mlops__kll *s, const mlops__kll *o)
{
    for (size_t h = 0; h < o->nlevels; h++) {
        int rc = reserve(&s->level[h], o->level[h].len);
        if (rc != MLOPS_OK) return rc;
    }
    for (size_t h = 0; h < o->nlevels; h++) {
        const mlops__kll_level *src = &o->level[h];
        if (src->len) memcpy(s->level[h].items + s->level[h].len, src->items,
                             src->len * sizeof *src->items);
        s->level[h].len += src->len;
    }
    if (o->nlevels > s->nlevels) set_levels(s, o->nlevels);
    s->retained += o->retained;
    s->n += o->n;
    return compress(s);
}

int mlops__kll_copy(mlops__kll *dst, const mlops__kll *src)
{
    *dst = *src;
    memset(dst->level, 0, sizeof dst->level);
    for (size_t h = 0; h < src->nlevels; h++) {
        const mlops__kll_level *l = &src->level[h];
        if (l->len == 0) continue;
        dst->level[h].items = mlops__malloc_array(l->len, sizeof *l->items, "quantile sketch level");
        if (dst->level[h].items == NULL) {
            mlops__kll_free(dst);
            return MLOPS_ENOMEM;
        }
        memcpy(dst->level[h].items, l->items, l->len * sizeof *l->items);
        dst->level[h].len = dst->level[h].cap = l->len;
    }
    return MLOPS_OK;
}

typedef struct weighted {
    double value;
    uint64_t weight;
} weighted;

static int cmp_weighted(const void *a, const void *b)
{
    return cmp_double(&((const weighted *)a)->value, &((const weighted *)b)->value);
}

int mlops__kll_quantile(const mlops__kll *s, double q, double *value)
{
    weighted *all = mlops__malloc_array(s->retained, sizeof *all, "quantile sketch query");
    if (all == NULL) return MLOPS_ENOMEM;
    size_t n = 0;
    for (size_t h = 0; h < s->nlevels; h++)
        for (size_t i = 0; i < s->level[h].len; i++)
            all[n++] = (weighted){s->level[h].items[i], (uint64_t)1 << h};
    qsort(all, n, sizeof *all, cmp_weighted);
    double target = q * (double)s->n;
    uint64_t cumulative = 0;
    size_t i = 0;
    for (; i + 1 < n; i++) {
        cumulative += all[i].weight;
        if ((double)cumulative >= target) break;
    }
    *value = all[i].value;
    mlops__free(all);
    return MLOPS_OK;
}
