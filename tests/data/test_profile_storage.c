/* mlops_profile_save() and mlops_profile_load() through the public API:
 * profiles of every kind (exact, sketched, with fixed and estimated bins,
 * quality 0, empty) answer every accessor identically after a round trip and
 * export byte-identical JSON, also loaded twice and saved again; loaded
 * profiles merge with the original and with profiles made like them; every
 * truncation and thousands of flipped bits are refused, payload bytes
 * changed under valid checksums are refused or give a usable profile, a
 * missing file, another kind of container or a text file get their error
 * codes; allocation failures leak nothing. MLOPS_TEST_SHORT in the
 * environment (set for the valgrind run) samples the corruptions sparser. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mlops.h>
#include <zlib.h>

#include "fault_alloc.h"
#include "runner.h"

#ifndef GOLDEN_DIR
#error "GOLDEN_DIR must name tests/golden"
#endif

static int short_run(void)
{
    return getenv("MLOPS_TEST_SHORT") != NULL;
}

static mlops_profile *new_profile(void)
{
    mlops_profile *p = NULL;
    ck_assert_int_eq(mlops_profile_create(&p), MLOPS_OK);
    return p;
}

static void set(mlops_profile *p, const char *key, const char *value)
{
    int rc = mlops_profile_set(p, key, value);
    ck_assert_msg(rc == MLOPS_OK, "set %s=%s: %s", key, value, mlops_last_error());
}

static void add(mlops_profile *p, const mlops_dataset *d)
{
    int rc = mlops_profile_add(p, d);
    ck_assert_msg(rc == MLOPS_OK, "add: %s", mlops_last_error());
}

static void merge(mlops_profile *p, const mlops_profile *o)
{
    int rc = mlops_profile_merge(p, o);
    ck_assert_msg(rc == MLOPS_OK, "merge: %s", mlops_last_error());
}

static void fix(mlops_profile *p)
{
    int rc = mlops_profile_fix_bins(p);
    ck_assert_msg(rc == MLOPS_OK, "fix_bins: %s", mlops_last_error());
}

static mlops_profile *like(const mlops_profile *ref)
{
    mlops_profile *p = NULL;
    int rc = mlops_profile_create_like(&p, ref);
    ck_assert_msg(rc == MLOPS_OK, "create_like: %s", mlops_last_error());
    return p;
}

static void save(const mlops_profile *p, const char *path)
{
    int rc = mlops_profile_save(p, path);
    ck_assert_msg(rc == MLOPS_OK, "save %s: %s", path, mlops_last_error());
}

static mlops_profile *load(const char *path)
{
    mlops_profile *p = NULL;
    int rc = mlops_profile_load(&p, path);
    ck_assert_msg(rc == MLOPS_OK, "load %s: %s", path, mlops_last_error());
    ck_assert_ptr_nonnull(p);
    return p;
}

static void assert_fails(int rc, int code, const char *needle)
{
    ck_assert_msg(rc == code, "got %d (%s), wanted %d: %s", rc, mlops_strerror(rc), code,
                  mlops_last_error());
    ck_assert_msg(strstr(mlops_last_error(), needle) != NULL, "message '%s' lacks '%s'",
                  mlops_last_error(), needle);
}

static mlops_dataset *read_real(const char *stem)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real/%s.csv", DATA_DIR, stem);
    mlops_dataset *d = NULL;
    int rc = mlops_dataset_read_csv(&d, path, NULL);
    ck_assert_msg(rc == MLOPS_OK, "%s: %s", path, mlops_last_error());
    return d;
}

/* ---- Files --------------------------------------------------------------- */

typedef struct tmpdir {
    char dir[64];
    char path[8][128];
} tmpdir;

static void tmpdir_open(tmpdir *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/mlops-test-profile-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    for (size_t i = 0; i < 8; i++) snprintf(t->path[i], sizeof t->path[i], "%s/p%zu.prof", t->dir, i);
}

static void tmpdir_close(tmpdir *t)
{
    for (size_t i = 0; i < 8; i++) unlink(t->path[i]);
    ck_assert_int_eq(rmdir(t->dir), 0);
}

static unsigned char *read_whole(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    ck_assert_int_ge(n, 0);
    rewind(fp);
    unsigned char *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return b;
}

static void write_whole(const char *path, const void *bytes, size_t len)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(bytes, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

/* ---- Comparing profiles -------------------------------------------------- */

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static const double QS[] = {0, 0.001, 0.01, 0.1, 0.25, 1.0 / 3, 0.5, 0.75, 0.9, 0.99, 1};
enum { NQS = sizeof QS / sizeof QS[0] };

/* Every accessor of a and b gives the same answer (return code and value).
 * `rel` 0: bit for bit, and the JSON documents are byte-identical; else
 * mean and std agree to `rel` relative (for profiles built along different
 * paths) and the JSON is not compared. */
static void assert_same(const mlops_profile *a, const mlops_profile *b, double rel)
{
    ck_assert_uint_eq(mlops_profile_rows(a), mlops_profile_rows(b));
    ck_assert_uint_eq(mlops_profile_cols(a), mlops_profile_cols(b));
    ck_assert_int_eq(mlops_profile_has_bins(a) != 0, mlops_profile_has_bins(b) != 0);
    uint64_t da = 0, db = 0;
    int ea = -1, eb = -1;
    ck_assert_int_eq(mlops_profile_duplicate_rows(a, &da, &ea),
                     mlops_profile_duplicate_rows(b, &db, &eb));
    ck_assert_uint_eq(da, db);
    ck_assert_int_eq(ea, eb);
    for (size_t j = 0; j < mlops_profile_cols(a); j++) {
        ck_assert_str_eq(mlops_profile_column_name(a, j), mlops_profile_column_name(b, j));
        int type = mlops_profile_column_type(a, j);
        ck_assert_int_eq(type, mlops_profile_column_type(b, j));
        ck_assert_int_eq(mlops_profile_column_flags(a, j), mlops_profile_column_flags(b, j));
        uint64_t ca, ma, cb, mb;
        ck_assert_int_eq(mlops_profile_counts(a, j, &ca, &ma), MLOPS_OK);
        ck_assert_int_eq(mlops_profile_counts(b, j, &cb, &mb), MLOPS_OK);
        ck_assert_uint_eq(ca, cb);
        ck_assert_uint_eq(ma, mb);
        da = db = 0;
        ea = eb = -1;
        ck_assert_int_eq(mlops_profile_distinct(a, j, &da, &ea),
                         mlops_profile_distinct(b, j, &db, &eb));
        ck_assert_uint_eq(da, db);
        ck_assert_int_eq(ea, eb);
        if (type == MLOPS_NUMERIC) {
            double sa[4], sb[4];
            ck_assert_int_eq(mlops_profile_stats(a, j, &sa[0], &sa[1], &sa[2], &sa[3]), MLOPS_OK);
            ck_assert_int_eq(mlops_profile_stats(b, j, &sb[0], &sb[1], &sb[2], &sb[3]), MLOPS_OK);
            for (size_t k = 0; k < 4; k++)
                ck_assert_msg(same_double(sa[k], sb[k]) ||
                                  (rel > 0 && k >= 2 && fabs(sa[k] - sb[k]) <= rel * fabs(sb[k])),
                              "column %zu statistic %zu: %.17g vs %.17g", j, k, sa[k], sb[k]);
            for (size_t k = 0; k < NQS; k++) {
                double va, vb;
                int xa = -1, xb = -1;
                ck_assert_int_eq(mlops_profile_quantile(a, j, QS[k], &va, &xa), MLOPS_OK);
                ck_assert_int_eq(mlops_profile_quantile(b, j, QS[k], &vb, &xb), MLOPS_OK);
                ck_assert_msg(same_double(va, vb), "column %zu quantile %g: %.17g vs %.17g", j,
                              QS[k], va, vb);
                ck_assert_int_eq(xa, xb);
            }
        } else {
            size_t ta, tb;
            ck_assert_int_eq(mlops_profile_top_count(a, j, &ta), MLOPS_OK);
            ck_assert_int_eq(mlops_profile_top_count(b, j, &tb), MLOPS_OK);
            ck_assert_uint_eq(ta, tb);
            for (size_t r = 0; r < ta; r++) {
                const char *va, *vb;
                uint64_t na, nb, xa, xb;
                ck_assert_int_eq(mlops_profile_top(a, j, r, &va, &na, &xa), MLOPS_OK);
                ck_assert_int_eq(mlops_profile_top(b, j, r, &vb, &nb, &xb), MLOPS_OK);
                ck_assert_str_eq(va, vb);
                ck_assert_uint_eq(na, nb);
                ck_assert_uint_eq(xa, xb);
            }
        }
        size_t na = 0, nb = 0;
        int rc = mlops_profile_bin_count(a, j, &na);
        ck_assert_int_eq(rc, mlops_profile_bin_count(b, j, &nb));
        ck_assert_uint_eq(na, nb);
        for (size_t k = 0; rc == MLOPS_OK && k < na; k++) {
            double la, ha, lb, hb;
            const char *sa, *sb;
            uint64_t ka, kb;
            ck_assert_int_eq(mlops_profile_bin(a, j, k, &la, &ha, &sa, &ka), MLOPS_OK);
            ck_assert_int_eq(mlops_profile_bin(b, j, k, &lb, &hb, &sb, &kb), MLOPS_OK);
            ck_assert(same_double(la, lb) && same_double(ha, hb));
            ck_assert((sa == NULL) == (sb == NULL));
            if (sa) ck_assert_str_eq(sa, sb);
            ck_assert_msg(ka == kb, "column %zu bin %zu: %llu vs %llu", j, k,
                          (unsigned long long)ka, (unsigned long long)kb);
        }
    }
    if (rel > 0) return;
    char *ja = NULL, *jb = NULL;
    ck_assert_int_eq(mlops_profile_to_json(a, &ja), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_to_json(b, &jb), MLOPS_OK);
    ck_assert_msg(strcmp(ja, jb) == 0, "JSON differs:\n%s\n----\n%s", ja, jb);
    mlops_free(ja);
    mlops_free(jb);
}

/* Calls every accessor of p (a profile loaded from doctored bytes) for its
 * side effects only: any answer is fine, a crash or a leak is not. */
static void exercise(const mlops_profile *p)
{
    uint64_t u;
    int e;
    double v;
    const char *s;
    size_t n;
    (void)mlops_profile_duplicate_rows(p, &u, &e);
    for (size_t j = 0; j < mlops_profile_cols(p); j++) {
        (void)mlops_profile_column_name(p, j);
        (void)mlops_profile_column_flags(p, j);
        (void)mlops_profile_counts(p, j, &u, &u);
        (void)mlops_profile_distinct(p, j, &u, &e);
        (void)mlops_profile_stats(p, j, &v, &v, &v, &v);
        for (size_t k = 0; k < NQS; k++) (void)mlops_profile_quantile(p, j, QS[k], &v, &e);
        if (mlops_profile_top_count(p, j, &n) == MLOPS_OK)
            for (size_t r = 0; r < n; r++) (void)mlops_profile_top(p, j, r, &s, &u, &u);
        if (mlops_profile_bin_count(p, j, &n) == MLOPS_OK)
            for (size_t k = 0; k < n; k++) (void)mlops_profile_bin(p, j, k, &v, &v, &s, &u);
    }
    char *json = NULL;
    if (mlops_profile_to_json(p, &json) == MLOPS_OK) mlops_free(json);
    mlops_profile *c = NULL;
    if (mlops_profile_create_like(&c, p) == MLOPS_OK) mlops_profile_free(c);
}

/* The first way in which `p` contradicts what the API promises of any
 * profile, or NULL: counts add up, the range holds the quantiles (0 and 1
 * give the minimum and maximum), top categories are ranked and within the
 * count, bins are ordered and count every present value. */
static const char *inconsistency(const mlops_profile *p)
{
    static char why[256];
    uint64_t rows = mlops_profile_rows(p);
    for (size_t j = 0; j < mlops_profile_cols(p); j++) {
        uint64_t count, missing, distinct;
        int exact;
        if (mlops_profile_counts(p, j, &count, &missing) != MLOPS_OK) return "counts fail";
        if (count + missing != rows) return "count + missing != rows";
        if (mlops_profile_distinct(p, j, &distinct, &exact) == MLOPS_OK && exact &&
            (distinct > count || (count > 0 && distinct == 0)))
            return "exact distinct count outside [1, count]";
        int type = mlops_profile_column_type(p, j);
        if (type == MLOPS_NUMERIC) {
            double min, max, q0, q1, q, prev = -INFINITY;
            if (mlops_profile_stats(p, j, &min, &max, NULL, NULL) != MLOPS_OK) return "stats fail";
            if (count == 0 ? !(isnan(min) && isnan(max)) : !(min <= max)) return "min/max";
            if (mlops_profile_quantile(p, j, 0, &q0, NULL) != MLOPS_OK ||
                mlops_profile_quantile(p, j, 1, &q1, NULL) != MLOPS_OK)
                return "quantile fails";
            if (!same_double(q0, min) || !same_double(q1, max)) return "quantile 0/1 != min/max";
            for (size_t k = 0; count > 0 && k < NQS; k++) {
                if (mlops_profile_quantile(p, j, QS[k], &q, NULL) != MLOPS_OK) return "quantile";
                if (!(q >= min && q <= max && q >= prev)) {
                    snprintf(why, sizeof why, "quantile %g = %g outside [%g, %g] or below %g",
                             QS[k], q, min, max, prev);
                    return why;
                }
                prev = q;
            }
        } else {
            size_t n;
            uint64_t previous = UINT64_MAX, c, err;
            const char *v;
            if (mlops_profile_top_count(p, j, &n) != MLOPS_OK) return "top_count fails";
            for (size_t r = 0; r < n; r++) {
                if (mlops_profile_top(p, j, r, &v, &c, &err) != MLOPS_OK) return "top fails";
                if (v == NULL || c > previous || c > count || c == 0) return "top counts";
                previous = c;
            }
        }
        size_t nb;
        if (mlops_profile_bin_count(p, j, &nb) != MLOPS_OK) continue;
        uint64_t total = 0;
        double last_upper = -INFINITY;
        const char *last_cat = NULL;
        for (size_t b = 0; b < nb; b++) {
            double lo, hi;
            const char *cat;
            uint64_t c;
            if (mlops_profile_bin(p, j, b, &lo, &hi, &cat, &c) != MLOPS_OK) return "bin fails";
            total += c;
            if (type == MLOPS_NUMERIC) {
                if (b == 0 && !(isinf(lo) && lo < 0)) return "first bin not from -inf";
                if (b + 1 == nb && !(isinf(hi) && hi > 0)) return "last bin not to +inf";
                if (b > 0 && lo != last_upper) return "bins not adjacent";
                if (!(lo <= hi)) return "bin edges decrease";
                last_upper = hi;
            } else {
                if ((cat == NULL) != (b + 1 == nb)) return "unseen bin not last";
                if (cat && last_cat && strcmp(last_cat, cat) >= 0) return "categories out of order";
                last_cat = cat;
            }
        }
        if (total != count) {
            snprintf(why, sizeof why, "column %zu: bins count %llu of %llu values", j,
                     (unsigned long long)total, (unsigned long long)count);
            return why;
        }
    }
    return NULL;
}

/* Save, load (twice), save the loaded copy and load that: all identical. */
static void round_trip(const mlops_profile *p, tmpdir *t)
{
    const char *why = inconsistency(p);
    ck_assert_msg(why == NULL, "a genuine profile: %s", why);
    save(p, t->path[0]);
    size_t len;
    unsigned char *bytes = read_whole(t->path[0], &len);
    ck_assert_uint_ge(len, 28);
    ck_assert(memcmp(bytes, "\x89MLOPS\r\n", 8) == 0);
    ck_assert(memcmp(bytes + 12, "PROF", 4) == 0);
    free(bytes);
    mlops_profile *a = load(t->path[0]), *b = load(t->path[0]);
    assert_same(p, a, 0);
    assert_same(p, b, 0);
    save(a, t->path[1]);
    mlops_profile *c = load(t->path[1]);
    assert_same(p, c, 0);
    mlops_profile_free(a);
    mlops_profile_free(b);
    mlops_profile_free(c);
}

/* ---- Profiles of every kind ---------------------------------------------- */

static uint64_t next_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* n generated rows: x with many distinct values and some missing, s with
 * thousands of strings of Zipf-like frequencies, d with few values. */
static mlops_dataset *generated(size_t n, uint64_t seed)
{
    double *x = malloc(n * sizeof *x), *dd = malloc(n * sizeof *dd);
    char **s = malloc(n * sizeof *s);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = next_u64(&seed);
        x[i] = r % 17 == 0 ? NAN : (double)(r >> 20) / 1048576.0 - 1e6;
        dd[i] = (double)(r % 5);
        s[i] = malloc(24);
        snprintf(s[i], 24, "s%llu", (unsigned long long)(5000 / (1 + (r >> 40) % 5000)));
    }
    mlops_dataset_builder *b;
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, n), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "x", x), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "s", (const char *const *)s),
                     MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "d", dd), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
    free(x);
    free(dd);
    return d;
}

/* Constant, all-missing and ordinary columns of both types. */
static mlops_dataset *small_dataset(void)
{
    double c[] = {5, NAN, 5, 5, 5};
    double m[] = {NAN, NAN, NAN, NAN, NAN};
    double v[] = {1.5, -2, 3e10, 4, -0.0};
    const char *k[] = {"x", "x", NULL, "x", "x"};
    const char *z[] = {NULL, NULL, NULL, NULL, NULL};
    const char *w[] = {"\303\251t\303\251", "b", "a", "b", NULL};
    mlops_dataset_builder *b;
    mlops_dataset *d;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, 5), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "const", c), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "empty", m), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "v", v), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "kconst", k), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "kempty", z), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "w", w), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    return d;
}

/* The small profile with bins fixed and later data counted. */
static mlops_profile *small_profile(void)
{
    mlops_dataset *d = small_dataset();
    mlops_profile *p = new_profile();
    set(p, "bins", "3");
    add(p, d);
    fix(p);
    add(p, d);
    mlops_dataset_free(d);
    return p;
}

static mlops_profile *cars_profile(int bins)
{
    mlops_dataset *cars = read_real("cars");
    mlops_profile *p = new_profile();
    add(p, cars);
    if (bins) fix(p);
    mlops_dataset_free(cars);
    return p;
}

/* Every sketch engaged, bins estimated, more data after they were fixed. */
static mlops_profile *sketched_profile(void)
{
    static const char *const KEYS[] = {"distinct_exact_limit", "quantile_exact_limit",
                                       "top_sketch_size", "duplicate_exact_limit", "bins",
                                       "quantile_sketch_k", "top_k"};
    static const char *const VALUES[] = {"100", "100", "20", "100", "7", "64", "4"};
    mlops_profile *p = new_profile();
    for (size_t k = 0; k < sizeof KEYS / sizeof KEYS[0]; k++) set(p, KEYS[k], VALUES[k]);
    mlops_dataset *d = generated(short_run() ? 6000 : 30000, 5);
    add(p, d);
    fix(p);
    ck_assert_int_ne(mlops_profile_column_flags(p, 0) & MLOPS_PROFILE_HISTOGRAM_ESTIMATED, 0);
    mlops_dataset_free(d);
    d = generated(2000, 6);
    add(p, d);
    mlops_dataset_free(d);
    return p;
}

START_TEST(round_trips_are_identical)
{
    tmpdir t;
    tmpdir_open(&t);
    mlops_dataset *cars = read_real("cars");

    mlops_profile *binned = cars_profile(1), *plain = cars_profile(0);
    round_trip(binned, &t);
    round_trip(plain, &t);
    mlops_profile *sk = sketched_profile();
    round_trip(sk, &t);
    mlops_profile *small = small_profile();
    round_trip(small, &t);

    /* Quality 0, made like the reference: distinct and duplicates stay
     * unavailable after loading. */
    mlops_profile *q0 = like(binned);
    set(q0, "quality", "0");
    add(q0, cars);
    round_trip(q0, &t);
    mlops_profile *lq = load(t.path[0]);
    ck_assert_int_eq(mlops_profile_distinct(lq, 0, NULL, NULL), MLOPS_ESTATE);
    ck_assert_int_eq(mlops_profile_duplicate_rows(lq, NULL, NULL), MLOPS_ESTATE);
    mlops_profile_free(lq);

    /* Empty profiles: no batch yet (other settings), and a batch of no
     * rows with bins fixed. */
    mlops_profile *empty = new_profile();
    set(empty, "top_k", "3");
    set(empty, "bins", "17");
    round_trip(empty, &t);
    mlops_profile *le = load(t.path[0]);
    /* Its settings came back: it merges only with equal settings. */
    mlops_profile *def = new_profile();
    add(def, cars);
    assert_fails(mlops_profile_merge(le, def), MLOPS_EINVAL, "differs");
    mlops_profile *same = new_profile();
    set(same, "top_k", "3");
    set(same, "bins", "17");
    add(same, cars);
    merge(le, same);
    assert_same(le, same, 0);
    mlops_profile_free(same);
    mlops_profile_free(def);
    mlops_profile_free(le);
    size_t none = 0;
    mlops_dataset *zero = NULL;
    ck_assert_int_eq(mlops_dataset_take_rows(&zero, cars, &none, 0), MLOPS_OK);
    mlops_profile *zp = new_profile();
    add(zp, zero);
    fix(zp);
    round_trip(zp, &t);

    /* Saving over a file replaces it. */
    save(binned, t.path[2]);
    save(small, t.path[2]);
    mlops_profile *ls = load(t.path[2]);
    assert_same(small, ls, 0);
    mlops_profile_free(ls);

    mlops_profile_free(zp);
    mlops_dataset_free(zero);
    mlops_profile_free(empty);
    mlops_profile_free(q0);
    mlops_profile_free(small);
    mlops_profile_free(sk);
    mlops_profile_free(plain);
    mlops_profile_free(binned);
    mlops_dataset_free(cars);
    tmpdir_close(&t);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(loaded_profiles_merge)
{
    tmpdir t;
    tmpdir_open(&t);
    mlops_dataset *cars = read_real("cars");
    mlops_profile *p = cars_profile(1);
    save(p, t.path[0]);
    /* What merging the profile with itself must give: the bins of the first
     * pass, the second pass counted on them. */
    mlops_profile *twice = cars_profile(1);
    add(twice, cars);

    mlops_profile *l = load(t.path[0]);
    merge(l, p);
    assert_same(l, twice, 1e-14);
    mlops_profile_free(l);
    l = load(t.path[0]);
    mlops_profile *c = cars_profile(1);
    merge(c, l);
    assert_same(c, twice, 1e-14);
    mlops_profile_free(c);

    /* Profiles made like the loaded one and like the original agree, and
     * merge into either. */
    mlops_profile *kl = like(l), *kp = like(p);
    assert_same(kl, kp, 0);
    add(kl, cars);
    add(kp, cars);
    assert_same(kl, kp, 0);
    merge(l, kl);
    assert_same(l, twice, 1e-14);
    mlops_profile *l2 = load(t.path[0]);
    merge(kp, l2);
    /* kp's first pass was counted on the loaded bins: the same profile
     * once more, apart from which part came first. */
    for (size_t j = 0; j < mlops_profile_cols(kp); j++) {
        size_t n;
        ck_assert_int_eq(mlops_profile_bin_count(kp, j, &n), MLOPS_OK);
        for (size_t b = 0; b < n; b++) {
            uint64_t x, y;
            ck_assert_int_eq(mlops_profile_bin(kp, j, b, NULL, NULL, NULL, &x), MLOPS_OK);
            ck_assert_int_eq(mlops_profile_bin(twice, j, b, NULL, NULL, NULL, &y), MLOPS_OK);
            ck_assert_uint_eq(x, y);
        }
    }
    /* A saved like profile loads and merges into the loaded reference. */
    save(kp, t.path[1]);
    mlops_profile *lk = load(t.path[1]);
    assert_same(lk, kp, 0);
    mlops_profile *l3 = load(t.path[0]);
    merge(l3, lk);
    ck_assert_uint_eq(mlops_profile_rows(l3), 3 * 406);

    mlops_profile_free(l3);
    mlops_profile_free(lk);
    mlops_profile_free(l2);
    mlops_profile_free(kl);
    mlops_profile_free(kp);
    mlops_profile_free(l);
    mlops_profile_free(twice);
    mlops_profile_free(p);
    mlops_dataset_free(cars);
    tmpdir_close(&t);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- Refusals ------------------------------------------------------------ */

static size_t loads_refused, flips_accepted, first_flip_accepted;

/* `bytes` written to `path` must be refused with one of the codes. A
 * flipped bit that is accepted (in the padding of a deflate stream the
 * bytes decode the same) must at least give the original profile; it is
 * counted and reported at the end. */
static void expect_refused(const char *path, const unsigned char *bytes, size_t len,
                           int allow_version, const char *what, size_t where,
                           const mlops_profile *orig)
{
    write_whole(path, bytes, len);
    mlops_profile *p = NULL;
    mlops_clear_error();
    int rc = mlops_profile_load(&p, path);
    if (rc == MLOPS_OK && allow_version) {
        if (flips_accepted++ == 0) first_flip_accepted = where;
        assert_same(p, orig, 0);
        mlops_profile_free(p);
        return;
    }
    ck_assert_msg(rc == MLOPS_ECORRUPT || rc == MLOPS_EFORMAT ||
                      (allow_version && rc == MLOPS_EVERSION),
                  "%s at %zu of %zu bytes: got %d (%s) %s", what, where, len, rc,
                  mlops_strerror(rc), rc == MLOPS_OK ? "" : mlops_last_error());
    ck_assert_ptr_null(p);
    ck_assert_msg(strlen(mlops_last_error()) > 0, "%s at %zu: no message", what, where);
    loads_refused++;
}

/* Truncations (all lengths when `every`, else a dense sample) and single
 * flipped bits (all 8 of each of the first 96 bytes, then one per byte when
 * `every`, else one every few bytes). */
static void corrupt_everywhere(const char *path, const char *scratch, int every,
                               const mlops_profile *orig_profile)
{
    size_t len;
    const mlops_profile *profile = orig_profile;
    unsigned char *orig = read_whole(path, &len), *b = malloc(len);
    for (size_t n = 0; n < len; n++) {
        if (!every && n > (short_run() ? 200u : 600u) && n % (short_run() ? 127 : 41) != 0 &&
            n + 64 < len)
            continue;
        expect_refused(scratch, orig, n, 0, "truncated", n, NULL);
    }
    size_t stride = every ? 1 : (short_run() ? 127 : 7);
    for (size_t pos = 0; pos < len; pos++) {
        int all_bits = pos < 96;
        if (!all_bits && pos % stride != 0) continue;
        for (int bit = 0; bit < 8; bit++) {
            if (!all_bits && bit != (int)(pos / stride % 8)) continue;
            memcpy(b, orig, len);
            b[pos] ^= (unsigned char)(1u << bit);
            expect_refused(scratch, b, len, 1, "flipped bit", pos * 8 + (size_t)bit, profile);
        }
    }
    /* One byte more at the end. */
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, orig, len);
    longer[len] = 0;
    expect_refused(scratch, longer, len + 1, 0, "trailing byte", len, NULL);
    free(longer);
    free(b);
    free(orig);
}

START_TEST(corrupt_files_are_refused)
{
    tmpdir t;
    tmpdir_open(&t);
    loads_refused = flips_accepted = 0;
    mlops_profile *small = small_profile(), *cars = cars_profile(1);
    save(small, t.path[0]);
    save(cars, t.path[1]);
    corrupt_everywhere(t.path[0], t.path[2], !short_run(), small);
    size_t small_accepted = flips_accepted;
    corrupt_everywhere(t.path[1], t.path[2], 0, cars);
    /* The originals still load. */
    mlops_profile *l = load(t.path[0]);
    assert_same(l, small, 0);
    mlops_profile_free(l);
    fprintf(stderr, "profile_storage: %zu corrupted files refused\n", loads_refused);
    mlops_profile_free(small);
    mlops_profile_free(cars);
    tmpdir_close(&t);
    /* "Every byte is checked": no flipped bit may go unnoticed. */
    ck_assert_msg(flips_accepted == 0,
                  "%zu flipped bits accepted (%zu in the small file), the first at bit %zu",
                  flips_accepted, small_accepted, first_flip_accepted);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t crc(const unsigned char *p, size_t n)
{
    return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

/* The sections of a container file (lib/core/container.h), decompressed. */
typedef struct sections {
    unsigned char header[28];
    size_t count;
    char tag[64][4];
    unsigned char *raw[64];
    size_t len[64];
} sections;

static void parse_container(const unsigned char *f, size_t len, sections *s)
{
    ck_assert_uint_ge(len, 28);
    memcpy(s->header, f, 28);
    s->count = get32(f + 20);
    ck_assert_uint_le(s->count, 64);
    size_t pos = 28;
    for (size_t i = 0; i < s->count; i++) {
        ck_assert_uint_le(pos + 32, len);
        const unsigned char *h = f + pos;
        memcpy(s->tag[i], h, 4);
        uint32_t flags = get32(h + 4);
        uint64_t stored = get64(h + 8), raw = get64(h + 16);
        pos += 32;
        ck_assert_uint_le(pos + stored, len);
        s->len[i] = (size_t)raw;
        s->raw[i] = malloc(raw ? raw : 1);
        if (flags & 1) {
            uLongf out = (uLongf)raw;
            ck_assert_int_eq(uncompress(s->raw[i], &out, f + pos, (uLong)stored), Z_OK);
            ck_assert_uint_eq(out, raw);
        } else {
            ck_assert_uint_eq(stored, raw);
            memcpy(s->raw[i], f + pos, raw);
        }
        ck_assert_uint_eq(crc(s->raw[i], s->len[i]), get32(h + 24));
        pos += (size_t)stored;
    }
    ck_assert_uint_eq(pos, len);
}

/* A profile file lists the CRC-32 of every other section's stored bytes in
 * a last section "SUMS" (tag, then CRC, per section in file order; see
 * lib/data/profile_io.c), so that no stored bit goes unchecked. Rewritten
 * for the sections as build_container() stores them (uncompressed). */
static void fix_sums(sections *s)
{
    for (size_t i = 0; i < s->count; i++) {
        if (memcmp(s->tag[i], "SUMS", 4) != 0) continue;
        unsigned char *sums = malloc(8 * s->count);
        size_t len = 0;
        for (size_t k = 0; k < s->count; k++) {
            if (k == i) continue;
            memcpy(sums + len, s->tag[k], 4);
            put32(sums + len + 4, crc(s->raw[k], s->len[k]));
            len += 8;
        }
        free(s->raw[i]);
        s->raw[i] = sums;
        s->len[i] = len;
    }
}

/* The container again, every section stored uncompressed, every checksum
 * right. */
static unsigned char *build_container(const sections *s, size_t *len)
{
    size_t n = 28;
    for (size_t i = 0; i < s->count; i++) n += 32 + s->len[i];
    unsigned char *f = malloc(n);
    memcpy(f, s->header, 28);
    put32(f + 24, crc(f, 24));
    size_t pos = 28;
    for (size_t i = 0; i < s->count; i++) {
        unsigned char *h = f + pos;
        memcpy(h, s->tag[i], 4);
        put32(h + 4, 0);
        put64(h + 8, s->len[i]);
        put64(h + 16, s->len[i]);
        put32(h + 24, crc(s->raw[i], s->len[i]));
        put32(h + 28, crc(h, 28));
        memcpy(h + 32, s->raw[i], s->len[i]);
        pos += 32 + s->len[i];
    }
    *len = n;
    return f;
}

static size_t doctored_accepted, doctored_refused, doctored_inconsistent;
static char first_inconsistent[512];

static void load_doctored(sections *s, const char *path, const char *save_path)
{
    size_t len;
    fix_sums(s);
    unsigned char *f = build_container(s, &len);
    write_whole(path, f, len);
    free(f);
    mlops_profile *p = NULL;
    int rc = mlops_profile_load(&p, path);
    if (rc == MLOPS_OK) {
        /* The change was to a value the format cannot check (a count, a
         * statistic): the profile must still be whole. */
        /* Saving (with its sync to disk) is slow: one in 256. */
        exercise(p);
        const char *why = inconsistency(p);
        if (why != NULL && doctored_inconsistent++ == 0)
            snprintf(first_inconsistent, sizeof first_inconsistent, "%s", why);
        if (doctored_accepted++ % 256 == 0)
            ck_assert_int_eq(mlops_profile_save(p, save_path), MLOPS_OK);
        mlops_profile_free(p);
        return;
    }
    doctored_refused++;
    ck_assert_msg(rc == MLOPS_ECORRUPT || rc == MLOPS_EFORMAT || rc == MLOPS_EVERSION,
                  "doctored payload: got %d (%s): %s", rc, mlops_strerror(rc), mlops_last_error());
    ck_assert_ptr_null(p);
}

/* Payload bytes changed with every checksum made right again: the decoder's
 * own checks refuse the file, or it yields a usable profile; never a crash,
 * a leak or an absurd allocation. */
static void doctor_payload(const char *path, const char *scratch, const char *scratch2,
                           size_t stride)
{
    size_t len;
    unsigned char *orig = read_whole(path, &len);
    sections s;
    parse_container(orig, len, &s);
    free(orig);
    load_doctored(&s, scratch, scratch2); /* unchanged but uncompressed: accepted */
    ck_assert_uint_eq(doctored_accepted, 1);
    mlops_profile *a = load(path), *b = load(scratch);
    assert_same(a, b, 0);
    mlops_profile_free(a);
    mlops_profile_free(b);
    static const unsigned char CHANGES[][2] = {{0xff, 0}, {0x80, 0}, {0x01, 0}, {0, 0xff}};
    for (size_t i = 0; i < s.count; i++) {
        if (memcmp(s.tag[i], "SUMS", 4) == 0) continue; /* rewritten each time */
        for (size_t pos = 0; pos < s.len[i]; pos += stride) {
            unsigned char was = s.raw[i][pos];
            for (size_t c = 0; c < sizeof CHANGES / sizeof CHANGES[0]; c++) {
                s.raw[i][pos] = CHANGES[c][1] ? CHANGES[c][1] : (unsigned char)(was ^ CHANGES[c][0]);
                if (s.raw[i][pos] == was) continue;
                load_doctored(&s, scratch, scratch2);
            }
            s.raw[i][pos] = was;
        }
        /* The section one byte shorter, and one byte longer. */
        if (s.len[i] > 0) {
            s.len[i]--;
            load_doctored(&s, scratch, scratch2);
            s.len[i]++;
        }
        unsigned char *grown = realloc(s.raw[i], s.len[i] + 1);
        ck_assert_ptr_nonnull(grown);
        s.raw[i] = grown;
        s.raw[i][s.len[i]++] = 0;
        load_doctored(&s, scratch, scratch2);
        s.len[i]--;
    }
    for (size_t i = 0; i < s.count; i++) free(s.raw[i]);
}

START_TEST(doctored_payloads_are_checked)
{
    tmpdir t;
    tmpdir_open(&t);
    mlops_profile *small = small_profile(), *sk = sketched_profile();
    save(small, t.path[0]);
    save(sk, t.path[1]);
    doctored_accepted = doctored_refused = doctored_inconsistent = 0;
    doctor_payload(t.path[0], t.path[2], t.path[3], short_run() ? 29 : 1);
    size_t accepted_small = doctored_accepted, refused_small = doctored_refused;
    doctored_accepted = doctored_refused = 0;
    doctor_payload(t.path[1], t.path[2], t.path[3], short_run() ? 419 : 31);
    fprintf(stderr,
            "profile_storage: doctored payloads: small %zu refused, %zu accepted; "
            "sketched %zu refused, %zu accepted\n",
            refused_small, accepted_small, doctored_refused, doctored_accepted);
    mlops_profile_free(small);
    mlops_profile_free(sk);
    tmpdir_close(&t);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
    /* "An inconsistent file is refused." */
    ck_assert_msg(doctored_inconsistent == 0, "%zu inconsistent profiles accepted; the first: %s",
                  doctored_inconsistent, first_inconsistent);
}
END_TEST

START_TEST(other_files_and_bad_arguments)
{
    tmpdir t;
    tmpdir_open(&t);
    mlops_profile *p = small_profile(), *out = NULL;
    assert_fails(mlops_profile_save(NULL, t.path[0]), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_save(p, NULL), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_load(NULL, t.path[0]), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_load(&out, NULL), MLOPS_EINVAL, "NULL");
    ck_assert_ptr_null(out);

    /* A directory; a missing directory to save into. */
    ck_assert_int_lt(mlops_profile_load(&out, t.dir), 0);
    ck_assert_ptr_null(out);
    char bad[192];
    snprintf(bad, sizeof bad, "%s/no/such/dir/p.prof", t.dir);
    assert_fails(mlops_profile_save(p, bad), MLOPS_EIO, bad);

    /* Not a profile: a model file, a CSV file, a text file, an empty file. */
    char model[512];
    snprintf(model, sizeof model, "%s/model_v1.mlm", GOLDEN_DIR);
    assert_fails(mlops_profile_load(&out, model), MLOPS_EFORMAT, "MODL");
    char csv[512];
    snprintf(csv, sizeof csv, "%s/real/iris.csv", DATA_DIR);
    ck_assert_int_eq(mlops_profile_load(&out, csv), MLOPS_EFORMAT);
    write_whole(t.path[0], "a profile, honestly\n", 20);
    ck_assert_int_eq(mlops_profile_load(&out, t.path[0]), MLOPS_EFORMAT);
    write_whole(t.path[0], "", 0);
    int rc = mlops_profile_load(&out, t.path[0]);
    ck_assert_msg(rc == MLOPS_EFORMAT || rc == MLOPS_ECORRUPT, "empty file: %d", rc);
    ck_assert_ptr_null(out);

    /* Newer versions: of the profile payload and of the container, with the
     * header checksum made right. */
    save(p, t.path[1]);
    size_t len;
    unsigned char *b = read_whole(t.path[1], &len);
    unsigned char *v = malloc(len);
    memcpy(v, b, len);
    put32(v + 16, get32(v + 16) + 1);
    put32(v + 24, crc(v, 24));
    write_whole(t.path[0], v, len);
    assert_fails(mlops_profile_load(&out, t.path[0]), MLOPS_EVERSION, "newer");
    memcpy(v, b, len);
    put32(v + 8, get32(v + 8) + 1); /* container version (2 bytes) */
    put32(v + 24, crc(v, 24));
    write_whole(t.path[0], v, len);
    assert_fails(mlops_profile_load(&out, t.path[0]), MLOPS_EVERSION, "newer");
    /* Another kind with a right checksum. */
    memcpy(v, b, len);
    memcpy(v + 12, "MODL", 4);
    put32(v + 24, crc(v, 24));
    write_whole(t.path[0], v, len);
    assert_fails(mlops_profile_load(&out, t.path[0]), MLOPS_EFORMAT, "MODL");
    ck_assert_ptr_null(out);
    free(v);
    free(b);

    /* A failed profile is not saved. */
    mlops_dataset *cars = read_real("cars");
    mlops_profile *f = new_profile();
    fault_alloc_fail_at(50);
    rc = mlops_profile_add(f, cars);
    fault_alloc_fail_at(-1);
    ck_assert_int_eq(rc, MLOPS_ENOMEM);
    assert_fails(mlops_profile_save(f, t.path[4]), MLOPS_ESTATE, "earlier failure");
    ck_assert_int_ne(access(t.path[4], F_OK), 0);
    mlops_profile_free(f);
    mlops_dataset_free(cars);
    mlops_profile_free(p);

    /* A missing file and a file in a missing directory: MLOPS_ENOTFOUND,
     * naming the path. */
    rc = mlops_profile_load(&out, t.path[5]);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), t.path[5]));
    int rc2 = mlops_profile_load(&out, bad);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), bad));
    tmpdir_close(&t);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
    ck_assert_msg(rc == MLOPS_ENOTFOUND && rc2 == MLOPS_ENOTFOUND, "missing files: %d (%s) and %d (%s)", rc,
                  mlops_strerror(rc), rc2, mlops_strerror(rc2));
}
END_TEST

/* ---- Allocation failures -------------------------------------------------- */

typedef struct sweep_ctx {
    const mlops_profile *p;
    const char *path;
} sweep_ctx;

static int save_and_load(void *arg)
{
    sweep_ctx *c = arg;
    int rc = mlops_profile_save(c->p, c->path);
    if (rc != MLOPS_OK) return rc;
    mlops_profile *l = NULL;
    rc = mlops_profile_load(&l, c->path);
    if (rc == MLOPS_OK) ck_assert_ptr_nonnull(l);
    else ck_assert_ptr_null(l);
    mlops_profile_free(l);
    return rc;
}

static int load_only(void *arg)
{
    sweep_ctx *c = arg;
    mlops_profile *l = NULL;
    int rc = mlops_profile_load(&l, c->path);
    if (rc == MLOPS_OK) {
        mlops_profile_free(l);
    } else {
        ck_assert_ptr_null(l);
    }
    return rc;
}

START_TEST(allocation_failures)
{
    tmpdir t;
    tmpdir_open(&t);
    mlops_profile *small = small_profile(), *cars = cars_profile(1), *sk = sketched_profile();
    const mlops_profile *all[] = {small, cars, sk};
    for (size_t i = 0; i < 3; i++) {
        sweep_ctx c = {all[i], t.path[i]};
        /* Each run that gets past saving syncs the file to disk: the
         * larger profiles only load in the short run. */
        if (i == 0 || !short_run()) {
            ck_assert_int_gt(fault_alloc_sweep(save_and_load, NULL, &c), 3);
        } else {
            save(all[i], t.path[i]);
        }
        long n = fault_alloc_sweep(load_only, NULL, &c);
        ck_assert_int_gt(n, 3);
        fprintf(stderr, "profile_storage: loading profile %zu makes %ld allocations\n", i, n);
    }
    mlops_profile_free(small);
    mlops_profile_free(cars);
    mlops_profile_free(sk);
    tmpdir_close(&t);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("profile_storage");
    TCase *tc = tcase_create("round trips");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, round_trips_are_identical);
    tcase_add_test(tc, loaded_profiles_merge);
    suite_add_tcase(s, tc);
    tc = tcase_create("refusals");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, corrupt_files_are_refused);
    tcase_add_test(tc, doctored_payloads_are_checked);
    tcase_add_test(tc, other_files_and_bad_arguments);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
