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
    for (size_t h = 0; h < nlevels; h++) {
        s->level_cap[h] = (uint32_t)level_capacity(s->k, nlevels - 1 - h);
        s->capacity += s->level_cap[h];
    }
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

/* Merges the ascending items src[0], src[stride], ... (n of them) into
 * the ascending level `l`, which has room for them. From the back, so no
 * scratch is needed. */
static void merge_into(mlops__kll_level *l, const double *src, size_t n, size_t stride)
{
    size_t i = l->len, j = n, w = l->len + n;
    while (j > 0) {
        double next = src[(j - 1) * stride];
        if (i > 0 && l->items[i - 1] > next) {
            l->items[--w] = l->items[--i];
        } else {
            l->items[--w] = next;
            j--;
        }
    }
    l->len += n;
}

/* Compacts the lowest level that is at capacity, adding a level on top when
 * that is the top one. Leaves the sketch unchanged on failure. */
static int compact_one(mlops__kll *s)
{
    size_t h = 0;
    while (h < s->nlevels && s->level[h].len < s->level_cap[h]) h++;
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
     * sketch would grow by kilobytes per doubling of the stream. It is cut
     * to twice the level's capacity (k for level 0, which also takes up the
     * room the levels above leave unused), not to the capacity: a level
     * regularly holds more than that, and regrowing it after every
     * compaction cost an allocation per few values. The smaller array is
     * optional: a compaction does not fail for want of it. */
    size_t nlevels = h + 1 == s->nlevels ? s->nlevels + 1 : s->nlevels;
    size_t target = nlevels == s->nlevels ? s->level_cap[h] : level_capacity(s->k, nlevels - 1 - h);
    size_t keep = 2 * target + 16;
    if (h == 0 && keep < s->k + MLOPS_KLL_LEVEL0_SLACK) keep = s->k + MLOPS_KLL_LEVEL0_SLACK;
    double *smaller = NULL;
    if (lo->cap > keep) smaller = mlops__malloc_array(keep, sizeof *smaller, "quantile sketch level");
    if (nlevels != s->nlevels) set_levels(s, nlevels);
    if (h == 0 && (lo->len < 512 || mlops__sort_doubles_radix(lo->items, lo->len) != MLOPS_OK))
        mlops__sort_doubles(lo->items, lo->len);
    /* An odd item out stays behind, so the level keeps its exact weight. */
    size_t first = lo->len % 2;
    size_t offset = (size_t)(mlops__rng_next(&s->rng) >> 63);
    merge_into(up, lo->items + first + offset, pairs, 2);
    lo->len = first;
    s->retained -= pairs;
    if (smaller != NULL) {
        if (first) smaller[0] = lo->items[0];
        mlops__free(lo->items);
        lo->items = smaller;
        lo->cap = keep;
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
    return mlops__kll_update_many(s, &v, 1);
}

int mlops__kll_update_many(mlops__kll *s, const double *v, size_t n)
{
    mlops__kll_level *l0 = &s->level[0];
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) continue;
        if (l0->len == l0->cap) {
            int rc = reserve(l0, 1);
            if (rc != MLOPS_OK) return rc;
        }
        l0->items[l0->len++] = v[i];
        s->retained++;
        s->n++;
        if (s->retained > s->capacity + MLOPS_KLL_LEVEL0_SLACK) {
            int rc = compress(s);
            if (rc != MLOPS_OK) return rc;
        }
    }
    return MLOPS_OK;
}

uint64_t mlops__kll_sample_start(uint32_t k)
{
    uint64_t t = (uint64_t)65536 * k * k / (200 * 200);
    return t < 4096 ? 4096 : t;
}

/* Adds the sorted items picks[0..m) of weight 2^h at level h. */
static int add_level_items(mlops__kll *s, size_t h, const double *picks, size_t m)
{
    if (h + 1 >= MLOPS_KLL_MAX_LEVELS)
        return mlops__fail(MLOPS_ERANGE, "quantile sketch: more than 2^%d values",
                           MLOPS_KLL_MAX_LEVELS - 1);
    int rc = reserve(&s->level[h], m);
    if (rc != MLOPS_OK) return rc;
    if (h + 1 > s->nlevels) set_levels(s, h + 1);
    merge_into(&s->level[h], picks, m, 1);
    s->retained += m;
    s->n += (uint64_t)m << h;
    return compress(s);
}

int mlops__kll_update_stream(mlops__kll *s, const double *v, size_t n)
{
    uint64_t start = mlops__kll_sample_start(s->k);
    size_t i = 0;
    while (i < n && s->n < 2 * start) {
        uint64_t room = 2 * start - s->n;
        size_t len = n - i < room ? n - i : (size_t)room;
        int rc = mlops__kll_update_many(s, v + i, len);
        if (rc != MLOPS_OK) return rc;
        i += len;
    }
    if (i == n) return MLOPS_OK;
    size_t h = 0;
    while (((uint64_t)2 << h) <= s->n / start) h++;
    uint64_t b = (uint64_t)1 << h;
    size_t cap = (size_t)((n - i) / b) + 1;
    double *picks = mlops__malloc_array(cap, sizeof *picks, "sampled items");
    if (picks == NULL) return MLOPS_ENOMEM;
    size_t m = 0, tail = i;
    /* b is a power of two, so the low bits of a draw are uniform below it. */
    uint64_t c = 0, target = mlops__rng_next(&s->rng) & (b - 1);
    double pick = 0.0;
    for (; i < n; i++) {
        if (isnan(v[i])) continue;
        if (c == 0) tail = i;
        if (c == target) pick = v[i];
        if (++c == b) {
            picks[m++] = pick;
            c = 0;
            target = mlops__rng_next(&s->rng) & (b - 1);
        }
    }
    int rc = MLOPS_OK;
    if (m > 0) {
        if (m < 512 || mlops__sort_doubles_radix(picks, m) != MLOPS_OK) mlops__sort_doubles(picks, m);
        rc = add_level_items(s, h, picks, m);
    }
    mlops__free(picks);
    if (rc == MLOPS_OK && c > 0) rc = mlops__kll_update_many(s, v + tail, n - tail);
    return rc;
}

int mlops__kll_merge(mlops__kll *s, const mlops__kll *o)
{
    for (size_t h = 0; h < o->nlevels; h++) {
        int rc = reserve(&s->level[h], o->level[h].len);
        if (rc != MLOPS_OK) return rc;
    }
    for (size_t h = 0; h < o->nlevels; h++) {
        const mlops__kll_level *src = &o->level[h];
        if (src->len == 0) continue;
        if (h == 0) {
            memcpy(s->level[0].items + s->level[0].len, src->items, src->len * sizeof *src->items);
            s->level[0].len += src->len;
        } else {
            merge_into(&s->level[h], src->items, src->len, 1);
        }
    }
    if (o->nlevels > s->nlevels) set_levels(s, o->nlevels);
    s->retained += o->retained;
    s->n += o->n;
    return compress(s);
}

void mlops__kll_set_levels(mlops__kll *s, size_t nlevels)
{
    set_levels(s, nlevels);
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
    double x, w;
} weighted;

static int cmp_weighted(const void *a, const void *b)
{
    double x = ((const weighted *)a)->x, y = ((const weighted *)b)->x;
    return (x > y) - (x < y);
}

int mlops__kll_items(const mlops__kll *s, double **x, double **w, size_t *n)
{
    size_t m = s->retained ? s->retained : 1;
    weighted *items = mlops__malloc_array(m, sizeof *items, "sketch items");
    double *xs = mlops__malloc_array(m, sizeof *xs, "sketch points");
    double *ws = mlops__malloc_array(m, sizeof *ws, "sketch weights");
    if (items == NULL || xs == NULL || ws == NULL) {
        mlops__free(items);
        mlops__free(xs);
        mlops__free(ws);
        return MLOPS_ENOMEM;
    }
    size_t k = 0;
    for (size_t h = 0; h < s->nlevels; h++)
        for (size_t i = 0; i < s->level[h].len; i++)
            items[k++] = (weighted){s->level[h].items[i], ldexp(1.0, (int)h)};
    qsort(items, k, sizeof *items, cmp_weighted);
    for (size_t i = 0; i < k; i++) {
        xs[i] = items[i].x;
        ws[i] = items[i].w;
    }
    mlops__free(items);
    *x = xs;
    *w = ws;
    *n = k;
    return MLOPS_OK;
}

int mlops__kll_quantile(const mlops__kll *s, double q, double *value)
{
    /* Walks the items in ascending order (level 0 sorted in a copy, the
     * others already are), merging the levels, until the cumulative weight
     * reaches q n. */
    const mlops__kll_level *l0 = &s->level[0];
    double *zero = mlops__malloc_array(l0->len ? l0->len : 1, sizeof *zero, "quantile sketch query");
    if (zero == NULL) return MLOPS_ENOMEM;
    if (l0->len) memcpy(zero, l0->items, l0->len * sizeof *zero);
    mlops__sort_doubles(zero, l0->len);
    size_t pos[MLOPS_KLL_MAX_LEVELS] = {0};
    double target = q * (double)s->n, last = NAN;
    uint64_t cumulative = 0;
    for (;;) {
        size_t best = SIZE_MAX;
        double head = 0.0;
        for (size_t h = 0; h < s->nlevels; h++) {
            if (pos[h] == s->level[h].len) continue;
            double x = h == 0 ? zero[pos[0]] : s->level[h].items[pos[h]];
            if (best == SIZE_MAX || x < head) {
                best = h;
                head = x;
            }
        }
        if (best == SIZE_MAX) break;
        pos[best]++;
        cumulative += (uint64_t)1 << best;
        last = head;
        if ((double)cumulative >= target) break;
    }
    mlops__free(zero);
    *value = last;
    return MLOPS_OK;
}
