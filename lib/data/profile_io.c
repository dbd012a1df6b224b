/* mlops_profile_save / mlops_profile_load: the whole state of a profile in
 * the checksummed container (kind "PROF"), so a reference profile travels
 * to production without the data it was built from.
 *
 * Sections (little-endian, see core/bytes.h):
 *   HEAD  settings (9 x u64 in SETTING_KEYS order), has_schema u8,
 *         has_bins u8, settable
 *         u8, rows u64, ncols u64
 *   COLS  per column: name, type u8, count u64, missing u64, then the
 *         numeric or categorical state, then the bins
 *   ROWS  duplicate-row hash set: level u8, sampled_rows u64, entries
 *   SUMS  per other section, in file order: its tag and the CRC-32 of its
 *         stored (compressed) bytes
 * Beyond the container's checksums every field is checked for consistency
 * with the others (counts add up, edges increase, settings in range), so a
 * file edited with a valid checksum is refused as well. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/bytes.h"
#include "core/compress.h"
#include "core/container.h"
#include "core/error.h"
#include "data/profile_impl.h"
#include "monitor/drift_divergence.h"

#define KIND "PROF"
#define KIND_VERSION 1u
#define MAX_FILE_SIZE ((size_t)(SIZE_MAX < UINT32_MAX ? SIZE_MAX : UINT32_MAX))

static const char *const SETTING_KEYS[] = {
    "distinct_exact_limit", "quantile_exact_limit", "quantile_sketch_k",
    "top_k",                "top_sketch_size",      "duplicate_exact_limit",
    "exact_values_budget",  "bins",                 "quality",
};
enum { NSETTING_KEYS = sizeof SETTING_KEYS / sizeof SETTING_KEYS[0] };

static size_t *setting_field(mlops__profile_settings *s, size_t i)
{
    size_t *fields[NSETTING_KEYS] = {
        &s->distinct_exact_limit, &s->quantile_exact_limit, &s->quantile_sketch_k,
        &s->top_k,                &s->top_sketch_size,      &s->duplicate_exact_limit,
        &s->exact_values_budget,  &s->bins,                 &s->quality,
    };
    return fields[i];
}

/* ---- Writing ------------------------------------------------------------ */

static void put_u8(mlops__wbuf *b, unsigned v)
{
    mlops__wbuf_put_le(b, v, 1);
}

static void put_u64(mlops__wbuf *b, uint64_t v)
{
    mlops__wbuf_put_le(b, v, 8);
}

static void put_hll(mlops__wbuf *b, const mlops__hll *h)
{
    mlops__wbuf_put(b, h->reg, MLOPS_HLL_REGISTERS);
}

static void put_kll(mlops__wbuf *b, const mlops__kll *s)
{
    mlops__wbuf_put_le(b, s->k, 4);
    put_u64(b, s->n);
    put_u8(b, (unsigned)s->nlevels);
    put_u64(b, s->rng.a);
    put_u64(b, s->rng.b);
    put_u64(b, s->rng.c);
    put_u64(b, s->rng.counter);
    for (size_t h = 0; h < s->nlevels; h++) {
        put_u64(b, s->level[h].len);
        for (size_t i = 0; i < s->level[h].len; i++) mlops__wbuf_put_f64(b, s->level[h].items[i]);
    }
}

static void put_numeric(mlops__wbuf *b, const mlops__numeric_state *s)
{
    mlops__wbuf_put_f64(b, s->mean);
    mlops__wbuf_put_f64(b, s->m2);
    put_u8(b, s->m2_scaled);
    mlops__wbuf_put_f64(b, s->min);
    mlops__wbuf_put_f64(b, s->max);
    put_u8(b, s->distinct_approx);
    if (s->distinct_approx) {
        put_hll(b, &s->hll);
    } else {
        put_u64(b, s->keys.size);
        for (size_t i = 0; i < s->keys.cap; i++)
            if (s->keys.slots[i] != MLOPS__NO_VALUE_KEY) put_u64(b, s->keys.slots[i]);
    }
    put_u8(b, s->quantiles_approx);
    if (s->quantiles_approx) {
        put_kll(b, &s->kll);
    } else {
        put_u64(b, s->nvalues);
        for (size_t i = 0; i < s->nvalues; i++) mlops__wbuf_put_f64(b, s->values[i]);
    }
}

static void put_categorical(mlops__wbuf *b, const mlops__categorical_state *s)
{
    size_t n = s->strings ? mlops__dict_size(s->strings) : 0;
    put_u64(b, n);
    for (size_t i = 0; i < n; i++) {
        mlops__wbuf_put_str(b, mlops__dict_string(s->strings, (int32_t)i));
        put_u64(b, s->counts[i]);
    }
    put_u8(b, s->approx);
    if (s->approx) put_hll(b, &s->hll);
    put_u64(b, s->count_error);
}

static void put_bins(mlops__wbuf *b, const mlops__profile_column *c)
{
    const mlops__column_bins *bins = &c->bins;
    put_u64(b, bins->nbins);
    if (bins->nbins == 0) return;
    put_u8(b, bins->estimated);
    if (c->type == MLOPS_NUMERIC) {
        put_u64(b, bins->nedges);
        for (size_t i = 0; i < bins->nedges; i++) mlops__wbuf_put_f64(b, bins->edges[i]);
    } else {
        for (size_t i = 0; i + 1 < bins->nbins; i++)
            mlops__wbuf_put_str(b, mlops__dict_string(bins->categories, (int32_t)i));
    }
    for (size_t i = 0; i < bins->nbins; i++) put_u64(b, bins->counts[i]);
}

static int encode(const mlops_profile *p, mlops__container_writer *w)
{
    mlops__wbuf head = {.label = "profile encoding"}, cols = head, rows = head;
    mlops__profile_settings s = p->settings;
    for (size_t i = 0; i < NSETTING_KEYS; i++) put_u64(&head, *setting_field(&s, i));
    put_u8(&head, p->has_schema);
    put_u8(&head, p->has_bins);
    put_u8(&head, p->settable);
    put_u64(&head, p->rows);
    put_u64(&head, p->ncols);
    for (size_t j = 0; j < p->ncols; j++) {
        const mlops__profile_column *c = &p->cols[j];
        mlops__wbuf_put_str(&cols, c->name);
        put_u8(&cols, c->type == MLOPS_NUMERIC ? 0 : 1);
        put_u64(&cols, c->count);
        put_u64(&cols, c->missing);
        if (c->type == MLOPS_NUMERIC) {
            put_numeric(&cols, &c->num);
        } else {
            put_categorical(&cols, &c->cat);
        }
        put_bins(&cols, c);
    }
    put_u8(&rows, p->rowset.level);
    put_u64(&rows, p->rowset.sampled_rows);
    put_u64(&rows, p->rowset.size);
    for (size_t i = 0; i < p->rowset.cap; i++) {
        const mlops__rowset_entry *e = &p->rowset.slots[i];
        if (e->count == 0) continue;
        put_u64(&rows, e->h1);
        put_u64(&rows, e->h2);
        put_u64(&rows, e->count);
    }
    int rc = head.status != MLOPS_OK ? head.status
             : cols.status != MLOPS_OK ? cols.status
                                        : rows.status;
    if (rc == MLOPS_OK) rc = mlops__cw_init(w, KIND, KIND_VERSION);
    if (rc == MLOPS_OK) rc = mlops__cw_add(w, "HEAD", head.buf, head.len, false);
    if (rc == MLOPS_OK) rc = mlops__cw_add(w, "COLS", cols.buf, cols.len, true);
    if (rc == MLOPS_OK) rc = mlops__cw_add(w, "ROWS", rows.buf, rows.len, true);
    /* The container checks each section's bytes after decompression; a few
     * bits of a deflate stream do not change what it decompresses to. The
     * checksums of the stored bytes make every bit of the file count. */
    mlops__wbuf sums = {.label = "profile encoding"};
    for (size_t i = 0; rc == MLOPS_OK && i < w->count; i++) {
        mlops__wbuf_put(&sums, w->sections[i].tag, 4);
        mlops__wbuf_put_le(&sums, mlops__crc32(0, w->sections[i].owned, w->sections[i].stored_size),
                           4);
    }
    if (rc == MLOPS_OK) rc = sums.status;
    if (rc == MLOPS_OK) rc = mlops__cw_add(w, "SUMS", sums.buf, sums.len, false);
    mlops__free(sums.buf);
    mlops__free(head.buf);
    mlops__free(cols.buf);
    mlops__free(rows.buf);
    return rc;
}

MLOPS_API int mlops_profile_save(const mlops_profile *p, const char *path)
{
    static const char func[] = "mlops_profile_save";
    if (p == NULL || path == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (p->failed)
        return mlops__fail(MLOPS_ESTATE, "%s: the profile is incomplete after an earlier failure",
                           func);
    mlops__container_writer w;
    memset(&w, 0, sizeof w);
    int rc = encode(p, &w);
    if (rc == MLOPS_OK) rc = mlops__cw_write_file(&w, path);
    mlops__cw_free(&w);
    return rc;
}

/* ---- Reading ------------------------------------------------------------ */

typedef struct rd {
    mlops__rbuf b;
    unsigned char *owned;
    const char *source, *tag;
} rd;

static int bad(rd *r, const char *field, const char *fmt, ...) MLOPS_PRINTF_LIKE(3, 4);

static int bad(rd *r, const char *field, const char *fmt, ...)
{
    if (r->b.status != MLOPS_OK) return r->b.status;
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return r->b.status = mlops__fail(MLOPS_ECORRUPT, "%s: profile section '%s' field '%s': %s",
                                     r->source, r->tag, field, detail);
}

static int fault(const mlops__rbuf *b, mlops__rbuf_fault f, const char *field, uint64_t value,
                 size_t detail)
{
    rd *r = (rd *)(void *)b;
    (void)detail;
    static const char *const what[] = {"truncated", "count larger than the data left",
                                       "string runs past the end", "string holds a NUL byte",
                                       "string is not valid UTF-8"};
    return mlops__fail(MLOPS_ECORRUPT, "%s: profile section '%s' field '%s': %s (%llu)", r->source,
                       r->tag, field, what[f], (unsigned long long)value);
}

static unsigned get_u8(rd *r, const char *field)
{
    return (unsigned)mlops__rbuf_get_le(&r->b, 1, field);
}

static uint64_t get_u64(rd *r, const char *field)
{
    return mlops__rbuf_get_le(&r->b, 8, field);
}

static bool get_flag(rd *r, const char *field)
{
    unsigned v = get_u8(r, field);
    if (v > 1) bad(r, field, "flag is %u, not 0 or 1", v);
    return v == 1;
}

static int open_section(const mlops__container *c, const char *tag, rd *r)
{
    memset(r, 0, sizeof *r);
    r->b.label = "profile string";
    r->b.fail = fault;
    r->source = c->source;
    r->tag = tag;
    if (!mlops__container_has(c, tag))
        return r->b.status =
                   mlops__fail(MLOPS_ECORRUPT, "%s: profile section '%s' is missing", c->source, tag);
    r->b.status = mlops__container_read(c, tag, &r->owned, &r->b.len);
    r->b.p = r->owned;
    return r->b.status;
}

static int close_section(rd *r)
{
    if (r->b.status == MLOPS_OK && r->b.pos != r->b.len)
        bad(r, "end", "%zu unexpected bytes after the last field", r->b.len - r->b.pos);
    mlops__free(r->owned);
    r->owned = NULL;
    return r->b.status;
}

static int get_hll(rd *r, mlops__hll *h, const char *field)
{
    if (r->b.status != MLOPS_OK) return r->b.status;
    if (r->b.len - r->b.pos < MLOPS_HLL_REGISTERS)
        return bad(r, field, "truncated (%d register bytes needed)", MLOPS_HLL_REGISTERS);
    if ((r->b.status = mlops__hll_init(h)) != MLOPS_OK) return r->b.status;
    memcpy(h->reg, r->b.p + r->b.pos, MLOPS_HLL_REGISTERS);
    r->b.pos += MLOPS_HLL_REGISTERS;
    for (size_t i = 0; i < MLOPS_HLL_REGISTERS; i++)
        if (h->reg[i] > 64 - MLOPS_HLL_PRECISION + 1)
            return bad(r, field, "register %zu holds %u", i, h->reg[i]);
    return MLOPS_OK;
}

static int get_kll(rd *r, mlops__kll *s, uint32_t k_setting)
{
    uint32_t k = (uint32_t)mlops__rbuf_get_le(&r->b, 4, "kll.k");
    uint64_t n = get_u64(r, "kll.n");
    unsigned nlevels = get_u8(r, "kll.levels");
    mlops__rng rng;
    rng.a = get_u64(r, "kll.rng");
    rng.b = get_u64(r, "kll.rng");
    rng.c = get_u64(r, "kll.rng");
    rng.counter = get_u64(r, "kll.rng");
    if (r->b.status != MLOPS_OK) return r->b.status;
    if (k != k_setting) return bad(r, "kll.k", "%u differs from quantile_sketch_k %u", k, k_setting);
    if (nlevels < 1 || nlevels > MLOPS_KLL_MAX_LEVELS)
        return bad(r, "kll.levels", "%u levels", nlevels);
    mlops__kll_set_levels(s, nlevels);
    s->rng = rng;
    long double weight = 0;
    for (size_t h = 0; h < nlevels && r->b.status == MLOPS_OK; h++) {
        size_t len = mlops__rbuf_get_count(&r->b, 8, 8, "kll.level");
        if (r->b.status != MLOPS_OK || len == 0) continue;
        mlops__kll_level *l = &s->level[h];
        l->items = mlops__malloc_array(len, sizeof *l->items, "quantile sketch level");
        if (l->items == NULL) return r->b.status = MLOPS_ENOMEM;
        l->len = l->cap = len;
        for (size_t i = 0; i < len; i++) {
            double v = mlops__rbuf_get_f64(&r->b, "kll.item");
            if (isnan(v)) return bad(r, "kll.item", "NaN in level %zu", h);
            if (h > 0 && i > 0 && v < l->items[i - 1])
                return bad(r, "kll.item", "level %zu is not sorted", h);
            l->items[i] = v;
        }
        s->retained += len;
        weight += (long double)len * ldexpl(1.0L, (int)h);
    }
    if (r->b.status == MLOPS_OK && weight != (long double)n)
        return bad(r, "kll.n", "%llu values, the items weigh %.0Lf", (unsigned long long)n, weight);
    s->n = n;
    return r->b.status;
}

static int get_numeric(rd *r, mlops__profile_column *c, const mlops__profile_settings *cfg)
{
    mlops__numeric_state *s = &c->num;
    s->mean = mlops__rbuf_get_f64(&r->b, "mean");
    s->m2 = mlops__rbuf_get_f64(&r->b, "m2");
    s->m2_scaled = get_flag(r, "m2_scaled");
    s->min = mlops__rbuf_get_f64(&r->b, "min");
    s->max = mlops__rbuf_get_f64(&r->b, "max");
    if (r->b.status != MLOPS_OK) return r->b.status;
    if (c->count == 0 ? !(isnan(s->min) && isnan(s->max)) : !(s->min <= s->max))
        return bad(r, "min", "range [%g, %g] does not fit %llu values", s->min, s->max,
                   (unsigned long long)c->count);
    s->distinct_approx = get_flag(r, "distinct_approx");
    if (s->distinct_approx) {
        get_hll(r, &s->hll, "distinct.hll");
    } else {
        size_t n = mlops__rbuf_get_count(&r->b, 8, 8, "distinct.keys");
        for (size_t i = 0; i < n && r->b.status == MLOPS_OK; i++) {
            uint64_t key = get_u64(r, "distinct.key");
            if (r->b.status != MLOPS_OK) break;
            if (key == MLOPS__NO_VALUE_KEY) return bad(r, "distinct.key", "reserved key");
            size_t before = s->keys.size;
            if ((r->b.status = mlops__keyset_add(&s->keys, key)) != MLOPS_OK) break;
            if (s->keys.size == before) return bad(r, "distinct.key", "key %zu repeated", i);
        }
        if (r->b.status == MLOPS_OK && s->keys.size > c->count)
            return bad(r, "distinct.keys", "%zu distinct of %llu values", s->keys.size,
                       (unsigned long long)c->count);
    }
    s->quantiles_approx = get_flag(r, "quantiles_approx");
    if (r->b.status != MLOPS_OK) return r->b.status;
    if (s->quantiles_approx) {
        if (get_kll(r, &s->kll, (uint32_t)cfg->quantile_sketch_k) != MLOPS_OK) return r->b.status;
        if (s->kll.n != c->count)
            return bad(r, "kll.n", "%llu values in a column of %llu",
                       (unsigned long long)s->kll.n, (unsigned long long)c->count);
        return MLOPS_OK;
    }
    size_t n = mlops__rbuf_get_count(&r->b, 8, 8, "values");
    if (r->b.status != MLOPS_OK) return r->b.status;
    if (n != c->count)
        return bad(r, "values", "%zu values held in a column of %llu", n,
                   (unsigned long long)c->count);
    /* Adding and merging rely on it: past the limit values go to the sketch. */
    if (n > cfg->quantile_exact_limit)
        return bad(r, "values", "%zu values held, more than quantile_exact_limit %zu", n,
                   cfg->quantile_exact_limit);
    if (n > 0) {
        s->values = mlops__malloc_array(n, sizeof *s->values, "profile values");
        if (s->values == NULL) return r->b.status = MLOPS_ENOMEM;
        s->values_cap = n;
    }
    for (size_t i = 0; i < n && r->b.status == MLOPS_OK; i++) {
        double v = mlops__rbuf_get_f64(&r->b, "value");
        if (!(v >= s->min && v <= s->max))
            return bad(r, "value", "value %zu (%g) is outside [%g, %g]", i, v, s->min, s->max);
        s->values[s->nvalues++] = v;
    }
    s->values_sorted = true;
    for (size_t i = 1; i < s->nvalues && s->values_sorted; i++)
        s->values_sorted = s->values[i - 1] <= s->values[i];
    return r->b.status;
}

static int get_categorical(rd *r, mlops__profile_column *c)
{
    mlops__categorical_state *s = &c->cat;
    size_t n = mlops__rbuf_get_count(&r->b, 8, 12, "categories");
    if (r->b.status != MLOPS_OK) return r->b.status;
    if (n > 0) {
        if ((r->b.status = mlops__dict_create(&s->strings)) != MLOPS_OK) return r->b.status;
        s->counts = mlops__calloc(n, sizeof *s->counts, "category counts");
        if (s->counts == NULL) return r->b.status = MLOPS_ENOMEM;
        s->counts_cap = n;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < n && r->b.status == MLOPS_OK; i++) {
        char *str = mlops__rbuf_get_str(&r->b, "category");
        uint64_t count = get_u64(r, "category.count");
        if (r->b.status != MLOPS_OK) {
            mlops__free(str);
            break;
        }
        int32_t code;
        r->b.status = mlops__dict_intern(s->strings, str, strlen(str), &code);
        mlops__free(str);
        if (r->b.status != MLOPS_OK) break;
        if ((size_t)code != i) return bad(r, "category", "category %zu repeated", i);
        s->counts[i] = count;
        total += count;
    }
    s->approx = get_flag(r, "approx");
    if (s->approx) get_hll(r, &s->hll, "distinct.hll");
    s->count_error = get_u64(r, "count_error");
    if (r->b.status == MLOPS_OK && (s->approx ? total > c->count : total != c->count))
        return bad(r, "category.count", "categories count %llu of %llu values",
                   (unsigned long long)total, (unsigned long long)c->count);
    return r->b.status;
}

static int get_bins(rd *r, mlops__profile_column *c, bool has_bins)
{
    mlops__column_bins *b = &c->bins;
    uint64_t nbins = get_u64(r, "bins");
    if (r->b.status != MLOPS_OK) return r->b.status;
    if ((nbins > 0) != has_bins) return bad(r, "bins", "%llu bins", (unsigned long long)nbins);
    if (nbins == 0) return MLOPS_OK;
    b->estimated = get_flag(r, "bins.estimated");
    if (c->type == MLOPS_NUMERIC) {
        size_t m = mlops__rbuf_get_count(&r->b, 8, 8, "bins.edges");
        if (r->b.status != MLOPS_OK) return r->b.status;
        if (nbins != (m == 0 ? 1 : mlops__drift_nbins(m)))
            return bad(r, "bins", "%llu bins for %zu edges", (unsigned long long)nbins, m);
        if (m > 0 && (b->edges = mlops__malloc_array(m, sizeof *b->edges, "histogram edges")) == NULL)
            return r->b.status = MLOPS_ENOMEM;
        for (size_t i = 0; i < m && r->b.status == MLOPS_OK; i++) {
            double e = mlops__rbuf_get_f64(&r->b, "bins.edge");
            if (!isfinite(e) || (i > 0 && !(e > b->edges[i - 1])))
                return bad(r, "bins.edge", "edge %zu (%g) is not finite and increasing", i, e);
            b->edges[b->nedges++] = e;
        }
    } else {
        if (nbins - 1 > (r->b.len - r->b.pos) / 4)
            return bad(r, "bins", "%llu bins cannot fit", (unsigned long long)nbins);
        if ((r->b.status = mlops__dict_create(&b->categories)) != MLOPS_OK) return r->b.status;
        for (size_t i = 0; i + 1 < nbins && r->b.status == MLOPS_OK; i++) {
            char *str = mlops__rbuf_get_str(&r->b, "bins.category");
            if (r->b.status != MLOPS_OK) {
                mlops__free(str);
                break;
            }
            int32_t code;
            r->b.status = mlops__dict_intern(b->categories, str, strlen(str), &code);
            bool sorted = i == 0 || strcmp(mlops__dict_string(b->categories, (int32_t)i - 1), str) < 0;
            mlops__free(str);
            if (r->b.status == MLOPS_OK && ((size_t)code != i || !sorted))
                return bad(r, "bins.category", "category %zu is repeated or out of order", i);
        }
    }
    if (r->b.status != MLOPS_OK) return r->b.status;
    if (nbins > (r->b.len - r->b.pos) / 8)
        return bad(r, "bins.counts", "%llu counts cannot fit", (unsigned long long)nbins);
    b->counts = mlops__calloc((size_t)nbins, sizeof *b->counts, "histogram counts");
    if (b->counts == NULL) return r->b.status = MLOPS_ENOMEM;
    b->nbins = (size_t)nbins;
    uint64_t total = 0;
    for (size_t i = 0; i < b->nbins; i++) total += b->counts[i] = get_u64(r, "bins.count");
    if (r->b.status == MLOPS_OK && total != c->count)
        return bad(r, "bins.count", "bins count %llu of %llu values", (unsigned long long)total,
                   (unsigned long long)c->count);
    return r->b.status;
}

/* Every section but SUMS is listed in SUMS with the CRC-32 of its stored
 * bytes, in file order. */
static int check_sums(const mlops__container *c)
{
    rd r;
    if (open_section(c, "SUMS", &r) != MLOPS_OK) return close_section(&r);
    if (r.b.len != 8 * (c->count - 1)) bad(&r, "sections", "%zu bytes for %zu sections", r.b.len, c->count - 1);
    for (size_t i = 0; r.b.status == MLOPS_OK && i < c->count; i++) {
        const mlops__section *s = &c->sections[i];
        if (strcmp(s->tag, "SUMS") == 0) continue;
        if (memcmp(r.b.p + r.b.pos, s->tag, 4) != 0) {
            bad(&r, "tag", "section %zu is '%s', the list names another", i, s->tag);
            break;
        }
        r.b.pos += 4;
        uint32_t want = (uint32_t)mlops__rbuf_get_le(&r.b, 4, "crc");
        uint32_t got = mlops__crc32(0, c->data + s->offset, (size_t)s->stored_size);
        if (want != got)
            bad(&r, "crc", "section '%s' stored bytes have checksum 0x%08x, not 0x%08x", s->tag,
                (unsigned)got, (unsigned)want);
    }
    return close_section(&r);
}

static int read_head(const mlops__container *c, mlops_profile *p, uint64_t *ncols)
{
    rd r;
    if (open_section(c, "HEAD", &r) != MLOPS_OK) return close_section(&r);
    for (size_t i = 0; i < NSETTING_KEYS && r.b.status == MLOPS_OK; i++) {
        uint64_t v = get_u64(&r, SETTING_KEYS[i]);
        if (r.b.status != MLOPS_OK) break;
        char text[32];
        snprintf(text, sizeof text, "%llu", (unsigned long long)v);
        if (mlops_profile_set(p, SETTING_KEYS[i], text) != MLOPS_OK)
            bad(&r, SETTING_KEYS[i], "%s", mlops_last_error());
    }
    p->has_schema = get_flag(&r, "has_schema");
    p->has_bins = get_flag(&r, "has_bins");
    p->settable = get_flag(&r, "settable");
    p->rows = get_u64(&r, "rows");
    *ncols = get_u64(&r, "ncols");
    return close_section(&r);
}

static int read_columns(const mlops__container *c, mlops_profile *p, uint64_t ncols)
{
    rd r;
    if (open_section(c, "COLS", &r) != MLOPS_OK) return close_section(&r);
    if (ncols > (r.b.len - r.b.pos) / 21) {
        bad(&r, "ncols", "%llu columns cannot fit", (unsigned long long)ncols);
        return close_section(&r);
    }
    /* No columns, no array: a profile without a schema makes its own later. */
    if (ncols > 0 && (p->cols = mlops__calloc((size_t)ncols, sizeof *p->cols, "profile columns")) == NULL)
        r.b.status = MLOPS_ENOMEM;
    /* names seen so far, hashed: wide profiles must not load in n^2 time */
    mlops__dict *names = NULL;
    if (r.b.status == MLOPS_OK && mlops__dict_create(&names) != MLOPS_OK)
        r.b.status = MLOPS_ENOMEM;
    for (size_t j = 0; j < ncols && r.b.status == MLOPS_OK; j++) {
        mlops__profile_column *col = &p->cols[j];
        mlops__numeric_init(&col->num, &p->settings);
        mlops__categorical_init(&col->cat);
        p->ncols = j + 1;
        col->name = mlops__rbuf_get_str(&r.b, "name");
        unsigned type = get_u8(&r, "type");
        col->type = type == 0 ? MLOPS_NUMERIC : MLOPS_CATEGORICAL;
        col->count = get_u64(&r, "count");
        col->missing = get_u64(&r, "missing");
        if (r.b.status != MLOPS_OK) break;
        size_t before = mlops__dict_size(names);
        int32_t code;
        if (mlops__dict_intern(names, col->name, strlen(col->name), &code) != MLOPS_OK) {
            r.b.status = MLOPS_ENOMEM;
            break;
        }
        if (mlops__dict_size(names) == before) bad(&r, "name", "'%s' repeated", col->name);
        if (type > 1) bad(&r, "type", "column '%s' has type %u", col->name, type);
        if (col->count > p->rows || col->missing != p->rows - col->count)
            bad(&r, "count", "column '%s': %llu present + %llu missing in %llu rows", col->name,
                (unsigned long long)col->count, (unsigned long long)col->missing,
                (unsigned long long)p->rows);
        if (r.b.status != MLOPS_OK) break;
        if (col->type == MLOPS_NUMERIC) {
            get_numeric(&r, col, &p->settings);
        } else {
            get_categorical(&r, col);
        }
        get_bins(&r, col, p->has_bins);
    }
    mlops__dict_free(names);
    return close_section(&r);
}

static int read_rows(const mlops__container *c, mlops_profile *p)
{
    rd r;
    if (open_section(c, "ROWS", &r) != MLOPS_OK) return close_section(&r);
    unsigned level = get_u8(&r, "level");
    uint64_t sampled = get_u64(&r, "sampled_rows");
    size_t n = mlops__rbuf_get_count(&r.b, 8, 24, "entries");
    uint64_t total = 0;
    for (size_t i = 0; i < n && r.b.status == MLOPS_OK; i++) {
        uint64_t h1 = get_u64(&r, "entry.h1"), h2 = get_u64(&r, "entry.h2");
        uint64_t count = get_u64(&r, "entry.count");
        if (r.b.status != MLOPS_OK) break;
        if (count == 0) {
            bad(&r, "entry.count", "entry %zu counts no row", i);
            break;
        }
        size_t before = p->rowset.size;
        r.b.status = mlops__rowset_add(&p->rowset, h1, h2, count, SIZE_MAX);
        if (r.b.status == MLOPS_OK && p->rowset.size == before)
            bad(&r, "entry", "entry %zu repeated", i);
        total += count;
    }
    if (r.b.status == MLOPS_OK && (level > 64 || total != sampled || sampled > p->rows ||
                                   (level == 0 && p->settings.quality && total != p->rows)))
        bad(&r, "sampled_rows", "level %u with %llu sampled rows of %llu entries' rows in %llu",
            level, (unsigned long long)sampled, (unsigned long long)total,
            (unsigned long long)p->rows);
    p->rowset.level = level;
    p->rowset.sampled_rows = sampled;
    return close_section(&r);
}

MLOPS_API int mlops_profile_load(mlops_profile **out, const char *path)
{
    static const char func[] = "mlops_profile_load";
    if (out == NULL || path == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    mlops__container c;
    int rc = mlops__container_open(&c, path, MAX_FILE_SIZE, KIND);
    if (rc != MLOPS_OK) return rc;
    mlops_profile *p = NULL;
    rc = mlops_profile_create(&p);
    uint64_t ncols = 0;
    if (rc == MLOPS_OK && c.kind_version > KIND_VERSION)
        rc = mlops__fail(MLOPS_EVERSION, "%s: profile format %u is newer than this library's %u",
                         c.source, (unsigned)c.kind_version, KIND_VERSION);
    if (rc == MLOPS_OK) rc = check_sums(&c);
    if (rc == MLOPS_OK) rc = read_head(&c, p, &ncols);
    if (rc == MLOPS_OK && !p->has_schema && (ncols > 0 || p->rows > 0 || p->has_bins))
        rc = mlops__fail(MLOPS_ECORRUPT, "%s: profile section 'HEAD': columns without a schema",
                         c.source);
    if (rc == MLOPS_OK) rc = read_columns(&c, p, ncols);
    if (rc == MLOPS_OK) rc = read_rows(&c, p);
    mlops__container_free(&c);
    if (rc != MLOPS_OK) {
        mlops_profile_free(p);
        return rc;
    }
    *out = p;
    return MLOPS_OK;
}
