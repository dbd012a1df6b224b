/* The categorical column of a profile: exact counts per string while the
 * strings fit the distinct limit; beyond it a HyperLogLog for the distinct
 * count and a mergeable Misra-Gries summary for the frequent strings.
 *
 * Misra-Gries, in the mergeable form of Agarwal et al. 2012 ("Mergeable
 * summaries"): counts are added exactly, and whenever more than m strings are
 * held, the (m+1)-th largest count c is subtracted from every count and the
 * strings left at zero or below are dropped. Each reduction lowers at least
 * m+1 counts by c, so the total subtracted from any string, `count_error`,
 * never exceeds N / (m + 1) for N counted values, and every held count is
 * low by at most count_error. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/profile_impl.h"

void mlops__categorical_init(mlops__categorical_state *s)
{
    memset(s, 0, sizeof *s);
}

void mlops__categorical_clear(mlops__categorical_state *s)
{
    mlops__dict_free(s->strings);
    mlops__free(s->counts);
    mlops__hll_free(&s->hll);
    memset(s, 0, sizeof *s);
}

static int ensure_strings(mlops__categorical_state *s)
{
    return s->strings ? MLOPS_OK : mlops__dict_create(&s->strings);
}

/* Room for one more string's count, reserved before the string is interned
 * so a failure leaves strings and counts in step. */
static int reserve_count(mlops__categorical_state *s)
{
    size_t need = mlops__dict_size(s->strings) + 1;
    if (need <= s->counts_cap) return MLOPS_OK;
    size_t cap = s->counts_cap ? s->counts_cap * 2 : 16;
    uint64_t *counts = mlops__realloc_array(s->counts, cap, sizeof *counts, "category counts");
    if (counts == NULL) return MLOPS_ENOMEM;
    memset(counts + s->counts_cap, 0, (cap - s->counts_cap) * sizeof *counts);
    s->counts = counts;
    s->counts_cap = cap;
    return MLOPS_OK;
}

static int to_sketch(mlops__categorical_state *s)
{
    int rc = mlops__hll_init(&s->hll);
    if (rc != MLOPS_OK) return rc;
    size_t n = mlops__dict_size(s->strings);
    for (size_t i = 0; i < n; i++)
        mlops__hll_add(&s->hll, mlops__string_hash(mlops__dict_string(s->strings, (int32_t)i),
                                                   mlops__dict_string_len(s->strings, (int32_t)i)));
    s->approx = true;
    return MLOPS_OK;
}

static int add_string(mlops__categorical_state *s, const mlops__profile_settings *cfg,
                      const char *str, size_t len, uint64_t n)
{
    int32_t code;
    int rc = reserve_count(s);
    if (rc == MLOPS_OK) rc = mlops__dict_intern(s->strings, str, len, &code);
    if (rc != MLOPS_OK) return rc;
    s->counts[code] += n;
    if (s->approx) {
        mlops__hll_add(&s->hll, mlops__string_hash(str, len));
    } else if (mlops__dict_size(s->strings) > cfg->distinct_exact_limit) {
        rc = to_sketch(s);
    }
    return rc;
}

/* a[k] becomes the k-th largest of a[0..n) (Hoare's selection). */
static uint64_t select_kth_largest(uint64_t *a, size_t n, size_t k)
{
    size_t l = 0, r = n - 1;
    while (l < r) {
        uint64_t x = a[l], y = a[l + (r - l) / 2], z = a[r];
        uint64_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = l, j = r;
        for (;;) {
            while (a[i] > pivot) i++;
            while (pivot > a[j]) j--;
            if (i >= j) break;
            uint64_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        if (k <= j) {
            r = j;
        } else {
            l = j + 1;
        }
    }
    return a[k];
}

/* The Misra-Gries reduction to at most m strings (see the top of the file). */
static int reduce(mlops__categorical_state *s, size_t m)
{
    size_t n = mlops__dict_size(s->strings);
    if (n <= m) return MLOPS_OK;
    uint64_t *scratch = mlops__malloc_array(n, sizeof *scratch, "category count scratch");
    if (scratch == NULL) return MLOPS_ENOMEM;
    memcpy(scratch, s->counts, n * sizeof *scratch);
    uint64_t cut = select_kth_largest(scratch, n, m);
    mlops__free(scratch);

    mlops__categorical_state kept = {0};
    int rc = mlops__dict_create(&kept.strings);
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++) {
        if (s->counts[i] <= cut) continue;
        int32_t code;
        rc = reserve_count(&kept);
        if (rc == MLOPS_OK)
            rc = mlops__dict_intern(kept.strings, mlops__dict_string(s->strings, (int32_t)i),
                                    mlops__dict_string_len(s->strings, (int32_t)i), &code);
        if (rc == MLOPS_OK) kept.counts[code] = s->counts[i] - cut;
    }
    if (rc != MLOPS_OK) {
        mlops__categorical_clear(&kept);
        return rc;
    }
    mlops__dict_free(s->strings);
    mlops__free(s->counts);
    s->strings = kept.strings;
    s->counts = kept.counts;
    s->counts_cap = kept.counts_cap;
    s->count_error += cut;
    return MLOPS_OK;
}

int mlops__categorical_add(mlops__profile_column *c, const mlops__profile_settings *cfg,
                           const mlops__dict *dict, const int32_t *codes, size_t n)
{
    mlops__categorical_state *s = &c->cat;
    size_t ncodes = dict ? mlops__dict_size(dict) : 0;
    uint64_t present = 0;
    int rc = ensure_strings(s);
    if (rc != MLOPS_OK) return rc;
    if (ncodes > 0) {
        /* Count the batch by code first: each string is then looked up once
         * per batch, and strings of the batch's dictionary that no row uses
         * (a row selection keeps the whole dictionary) are not counted. */
        uint64_t *batch = mlops__calloc(ncodes, sizeof *batch, "batch category counts");
        if (batch == NULL) return MLOPS_ENOMEM;
        for (size_t i = 0; i < n; i++)
            if (codes[i] >= 0 && (size_t)codes[i] < ncodes) {
                batch[codes[i]]++;
                present++;
            }
        for (size_t k = 0; rc == MLOPS_OK && k < ncodes; k++)
            if (batch[k] > 0)
                rc = add_string(s, cfg, mlops__dict_string(dict, (int32_t)k),
                                mlops__dict_string_len(dict, (int32_t)k), batch[k]);
        mlops__free(batch);
        if (rc == MLOPS_OK && s->approx) rc = reduce(s, cfg->top_sketch_size);
        if (rc != MLOPS_OK) return rc;
    }
    c->count += present;
    c->missing += n - present;
    return MLOPS_OK;
}

int mlops__categorical_merge(mlops__profile_column *c, const mlops__profile_column *o,
                             const mlops__profile_settings *cfg)
{
    mlops__categorical_state *s = &c->cat;
    const mlops__categorical_state *t = &o->cat;
    int rc = ensure_strings(s);
    size_t n = t->strings ? mlops__dict_size(t->strings) : 0;
    for (size_t k = 0; rc == MLOPS_OK && k < n; k++)
        rc = add_string(s, cfg, mlops__dict_string(t->strings, (int32_t)k),
                        mlops__dict_string_len(t->strings, (int32_t)k), t->counts[k]);
    if (rc == MLOPS_OK && t->approx) {
        if (!s->approx) rc = to_sketch(s);
        if (rc == MLOPS_OK) {
            mlops__hll_merge(&s->hll, &t->hll);
            s->count_error += t->count_error;
        }
    }
    if (rc == MLOPS_OK && s->approx) rc = reduce(s, cfg->top_sketch_size);
    if (rc != MLOPS_OK) return rc;
    c->count += o->count;
    c->missing += o->missing;
    return MLOPS_OK;
}

uint64_t mlops__categorical_distinct(const mlops__categorical_state *s)
{
    if (s->approx) return (uint64_t)llround(mlops__hll_estimate(&s->hll));
    return s->strings ? mlops__dict_size(s->strings) : 0;
}

/* Ranking order: larger count first, then the strings' bytes. */
static int ranks_before(const mlops__categorical_state *s, int32_t a, int32_t b)
{
    if (s->counts[a] != s->counts[b]) return s->counts[a] > s->counts[b];
    size_t la = mlops__dict_string_len(s->strings, a), lb = mlops__dict_string_len(s->strings, b);
    int cmp = memcmp(mlops__dict_string(s->strings, a), mlops__dict_string(s->strings, b),
                     la < lb ? la : lb);
    return cmp != 0 ? cmp < 0 : la < lb;
}

/* Min-heap on the ranking order: the root is the weakest of the kept codes. */
static void sift_down(const mlops__categorical_state *s, int32_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t w = i, l = 2 * i + 1, r = l + 1;
        if (l < n && ranks_before(s, heap[w], heap[l])) w = l;
        if (r < n && ranks_before(s, heap[w], heap[r])) w = r;
        if (w == i) return;
        int32_t t = heap[i];
        heap[i] = heap[w];
        heap[w] = t;
        i = w;
    }
}

int mlops__categorical_top(const mlops__categorical_state *s, size_t limit, int32_t **codes,
                           size_t *n)
{
    size_t held = s->strings ? mlops__dict_size(s->strings) : 0;
    size_t keep = held < limit ? held : limit;
    *codes = NULL;
    *n = 0;
    if (keep == 0) return MLOPS_OK;
    int32_t *heap = mlops__malloc_array(keep, sizeof *heap, "top categories");
    if (heap == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < keep; i++) heap[i] = (int32_t)i;
    for (size_t i = keep / 2; i-- > 0;) sift_down(s, heap, keep, i);
    for (size_t i = keep; i < held; i++) {
        if (!ranks_before(s, (int32_t)i, heap[0])) continue;
        heap[0] = (int32_t)i;
        sift_down(s, heap, keep, 0);
    }
    /* Pop the weakest to the back: the array ends best first. */
    for (size_t end = keep; end > 1; end--) {
        int32_t t = heap[0];
        heap[0] = heap[end - 1];
        heap[end - 1] = t;
        sift_down(s, heap, end - 1, 0);
    }
    *codes = heap;
    *n = keep;
    return MLOPS_OK;
}
