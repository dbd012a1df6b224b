/* mlops_profile through the public API: every statistic of the real datasets
 * against pandas/NumPy (profile_reference.h, written by
 * tests/reference/make_profile_reference.py), whole, in batches, streamed
 * and merged; the sketches on generated data within their stated bounds;
 * bounded memory; bad arguments; allocation failures. MLOPS_TEST_SHORT in the
 * environment (set for the valgrind run) divides the generated data by 5. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "profile_reference.h"
#include "runner.h"

enum { NDATASETS = sizeof ref_datasets / sizeof ref_datasets[0] };

/* Generated data sizes: full, or a fifth under MLOPS_TEST_SHORT. */
static size_t scaled(size_t n)
{
    return getenv("MLOPS_TEST_SHORT") ? n / 5 : n;
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

static void assert_rel(double got, double want, double rel, const char *what, const char *col)
{
    ck_assert_msg(fabs(got - want) <= rel * fabs(want) || got == want,
                  "%s of %s: %.17g, reference %.17g", what, col, got, want);
}

/* Every statistic of `p` against the reference for data set `ds`. */
static void check_reference(const mlops_profile *p, const ref_dataset *ds)
{
    ck_assert_uint_eq(mlops_profile_rows(p), ds->rows);
    ck_assert_uint_eq(mlops_profile_cols(p), ds->cols);
    uint64_t dups;
    int exact;
    ck_assert_int_eq(mlops_profile_duplicate_rows(p, &dups, &exact), MLOPS_OK);
    ck_assert_msg(dups == ds->duplicates, "%s: %llu duplicate rows, pandas %llu", ds->file,
                  (unsigned long long)dups, (unsigned long long)ds->duplicates);
    ck_assert_int_eq(exact, 1);
    for (size_t j = 0; j < ds->cols; j++) {
        const ref_column *r = &ref_columns[ds->first_column + j];
        ck_assert_str_eq(mlops_profile_column_name(p, j), r->name);
        ck_assert_int_eq(mlops_profile_column_type(p, j), r->numeric ? MLOPS_NUMERIC
                                                                     : MLOPS_CATEGORICAL);
        uint64_t count, missing, distinct;
        ck_assert_int_eq(mlops_profile_counts(p, j, &count, &missing), MLOPS_OK);
        ck_assert_uint_eq(count, r->count);
        ck_assert_uint_eq(missing, r->missing);
        ck_assert_int_eq(mlops_profile_distinct(p, j, &distinct, &exact), MLOPS_OK);
        ck_assert_msg(distinct == r->nunique, "%s.%s: %llu distinct, pandas %llu", ds->file,
                      r->name, (unsigned long long)distinct, (unsigned long long)r->nunique);
        ck_assert_int_eq(exact, 1);
        int flags = mlops_profile_column_flags(p, j);
        ck_assert_int_eq(flags, (r->nunique == 1 ? MLOPS_PROFILE_CONSTANT : 0) |
                                    (r->count == 0 ? MLOPS_PROFILE_ALL_MISSING : 0));
        if (r->numeric) {
            double min, max, mean, std;
            ck_assert_int_eq(mlops_profile_stats(p, j, &min, &max, &mean, &std), MLOPS_OK);
            ck_assert_msg(min == r->min && max == r->max, "%s.%s: range [%a, %a], pandas [%a, %a]",
                          ds->file, r->name, min, max, r->min, r->max);
            assert_rel(mean, r->mean, 1e-14, "mean", r->name);
            assert_rel(std, r->std, 1e-13, "std", r->name);
            for (size_t k = 0; k < REF_QUANTILES; k++) {
                double v;
                ck_assert_int_eq(mlops_profile_quantile(p, j, ref_quantile_q[k], &v, &exact),
                                 MLOPS_OK);
                ck_assert_int_eq(exact, 1);
                /* Same order statistics and numpy's lerp: bit for bit. */
                ck_assert_msg(v == r->q[k], "%s.%s quantile %g: %.17g, numpy %.17g", ds->file,
                              r->name, ref_quantile_q[k], v, r->q[k]);
            }
        } else {
            size_t ntop;
            ck_assert_int_eq(mlops_profile_top_count(p, j, &ntop), MLOPS_OK);
            ck_assert_uint_eq(ntop, r->ntop);
            for (size_t k = 0; k < ntop; k++) {
                const char *value;
                uint64_t n, err;
                ck_assert_int_eq(mlops_profile_top(p, j, k, &value, &n, &err), MLOPS_OK);
                ck_assert_msg(strcmp(value, r->top[k]) == 0 && n == r->top_count[k],
                              "%s.%s top %zu: '%s' x%llu, pandas '%s' x%llu", ds->file, r->name,
                              k, value, (unsigned long long)n, r->top[k],
                              (unsigned long long)r->top_count[k]);
                ck_assert_uint_eq(err, 0);
            }
        }
    }
}

START_TEST(real_datasets_whole)
{
    for (size_t i = 0; i < NDATASETS; i++) {
        mlops_dataset *d = read_real(ref_datasets[i].file);
        mlops_profile *p = new_profile();
        add(p, d);
        check_reference(p, &ref_datasets[i]);
        mlops_profile_free(p);
        mlops_dataset_free(d);
    }
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Rows [first, first + n) of d as a new dataset. */
static mlops_dataset *slice(const mlops_dataset *d, size_t first, size_t n)
{
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    for (size_t i = 0; i < n; i++) rows[i] = first + i;
    mlops_dataset *out = NULL;
    ck_assert_int_eq(mlops_dataset_take_rows(&out, d, rows, n), MLOPS_OK);
    free(rows);
    return out;
}

START_TEST(real_datasets_in_batches_and_merged)
{
    static const size_t CUTS[] = {0, 1, 8, 9, 60, 61, 150};
    for (size_t i = 0; i < NDATASETS; i++) {
        mlops_dataset *d = read_real(ref_datasets[i].file);
        size_t rows = mlops_dataset_rows(d);
        /* Batches of 1, 7, 0, 51, 0, 89 and the rest, into one profile. */
        mlops_profile *seq = new_profile();
        /* The same batches each in its own profile, merged pairwise. */
        mlops_profile *merged = new_profile();
        for (size_t c = 0; c < sizeof CUTS / sizeof CUTS[0]; c++) {
            size_t from = CUTS[c] < rows ? CUTS[c] : rows;
            size_t to = c + 1 < sizeof CUTS / sizeof CUTS[0] ? CUTS[c + 1] : rows;
            if (to > rows) to = rows;
            mlops_dataset *b = slice(d, from, to - from);
            add(seq, b);
            mlops_profile *part = new_profile();
            add(part, b);
            merge(merged, part);
            mlops_profile_free(part);
            mlops_dataset_free(b);
        }
        check_reference(seq, &ref_datasets[i]);
        check_reference(merged, &ref_datasets[i]);
        mlops_profile_free(seq);
        mlops_profile_free(merged);
        mlops_dataset_free(d);
    }
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(real_datasets_streamed)
{
    for (size_t i = 0; i < NDATASETS; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/real/%s.csv", DATA_DIR, ref_datasets[i].file);
        mlops_csv_options *o;
        ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
        ck_assert_int_eq(mlops_csv_options_set(o, "batch_rows", "37"), MLOPS_OK);
        mlops_csv_reader *r = NULL;
        int rc = mlops_csv_reader_open(&r, path, o);
        ck_assert_msg(rc == MLOPS_OK, "%s: %s", path, mlops_last_error());
        mlops_profile *p = new_profile();
        for (;;) {
            mlops_dataset *b = NULL;
            rc = mlops_csv_reader_next(r, &b);
            ck_assert_msg(rc == MLOPS_OK, "%s: %s", path, mlops_last_error());
            if (b == NULL) break;
            add(p, b);
            mlops_dataset_free(b);
        }
        check_reference(p, &ref_datasets[i]);
        mlops_profile_free(p);
        mlops_csv_reader_free(r);
        mlops_csv_options_free(o);
    }
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- Generated data ---------------------------------------------------- */

/* SplitMix64: a small, seeded stream for generated data. */
static uint64_t next_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static mlops_dataset *numeric_dataset(const double *v, size_t n, const char *name)
{
    const char *names[] = {name};
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_from_matrix(&d, v, n, 1, 1, names), MLOPS_OK);
    return d;
}

static mlops_dataset *string_dataset(char **v, size_t n, const char *name)
{
    mlops_dataset_builder *b;
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, n), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, name, (const char *const *)v),
                     MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    return d;
}

/* Shuffled 0 .. n-1, so the rank of every value is the value itself. */
static double *permutation(size_t n, uint64_t seed)
{
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = (double)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(next_u64(&seed) % i);
        double t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
    return v;
}

static void check_sketched_quantiles(const mlops_profile *p, size_t n, double eps)
{
    static const double QS[] = {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999};
    for (size_t k = 0; k < sizeof QS / sizeof QS[0]; k++) {
        double v;
        int exact;
        ck_assert_int_eq(mlops_profile_quantile(p, 0, QS[k], &v, &exact), MLOPS_OK);
        ck_assert_int_eq(exact, 0);
        ck_assert(v == floor(v) && v >= 0 && v < (double)n); /* an input value */
        /* Value v has v values below it and v + 1 at or below it. */
        double lo = v / (double)n, hi = (v + 1) / (double)n;
        double err = QS[k] < lo ? lo - QS[k] : (QS[k] > hi ? QS[k] - hi : 0.0);
        ck_assert_msg(err <= eps, "quantile %g: %g has rank error %g > %g", QS[k], v, err, eps);
    }
    double v;
    int exact;
    ck_assert_int_eq(mlops_profile_quantile(p, 0, 0.0, &v, &exact), MLOPS_OK);
    ck_assert(v == 0.0);
    ck_assert_int_eq(mlops_profile_quantile(p, 0, 1.0, &v, &exact), MLOPS_OK);
    ck_assert(v == (double)(n - 1));
}

START_TEST(quantile_sketch_within_bound)
{
    const size_t n = scaled(300000);
    const double eps = 2.296 / pow(200.0, 0.9723); /* the documented bound, k = 200 */
    double *v = permutation(n, 7);
    mlops_dataset *d = numeric_dataset(v, n, "x");

    mlops_profile *whole = new_profile();
    set(whole, "quantile_exact_limit", "1000");
    add(whole, d);
    check_sketched_quantiles(whole, n, eps);

    /* Five parts of unequal size, each sketched alone and merged; and the
     * same parts added in sequence. */
    const size_t CUTS[] = {0, 500, 1500, n * 3 / 10, n * 2 / 3, n};
    mlops_profile *merged = new_profile(), *seq = new_profile();
    set(merged, "quantile_exact_limit", "1000");
    set(seq, "quantile_exact_limit", "1000");
    for (size_t c = 0; c + 1 < sizeof CUTS / sizeof CUTS[0]; c++) {
        mlops_dataset *b = slice(d, CUTS[c], CUTS[c + 1] - CUTS[c]);
        mlops_profile *part = new_profile();
        set(part, "quantile_exact_limit", "1000");
        add(part, b);
        add(seq, b);
        merge(merged, part);
        mlops_profile_free(part);
        mlops_dataset_free(b);
    }
    check_sketched_quantiles(merged, n, eps);
    check_sketched_quantiles(seq, n, eps);

    /* Moments and counts stay exact (up to rounding) on the sketched path. */
    double mean, std, want_std = sqrt((double)n * (double)(n + 1) / 12.0);
    ck_assert_int_eq(mlops_profile_stats(merged, 0, NULL, NULL, &mean, &std), MLOPS_OK);
    assert_rel(mean, (double)(n - 1) / 2.0, 1e-14, "mean", "x");
    assert_rel(std, want_std, 1e-12, "std", "x");

    /* A smaller k: a wider, still respected bound. */
    mlops_profile *small = new_profile();
    set(small, "quantile_exact_limit", "0");
    set(small, "quantile_sketch_k", "50");
    add(small, d);
    check_sketched_quantiles(small, n, 2.296 / pow(50.0, 0.9723));

    mlops_profile_free(whole);
    mlops_profile_free(merged);
    mlops_profile_free(seq);
    mlops_profile_free(small);
    mlops_dataset_free(d);
    free(v);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(exact_quantiles_at_the_limit)
{
    /* 1000 values exactly at quantile_exact_limit stay exact, also when
     * merged from parts; 1001 switch to the sketch. */
    double *v = permutation(1001, 3);
    mlops_dataset *d = numeric_dataset(v, 1000, "x");
    mlops_dataset *a = slice(d, 0, 400), *b = slice(d, 400, 600);
    mlops_profile *p = new_profile(), *q = new_profile();
    set(p, "quantile_exact_limit", "1000");
    set(q, "quantile_exact_limit", "1000");
    add(p, a);
    add(q, b);
    merge(p, q);
    /* The whole is the set of values {0..1000} minus the one left out. */
    double missing_value = v[1000], x;
    int exact;
    ck_assert_int_eq(mlops_profile_quantile(p, 0, 0.5, &x, &exact), MLOPS_OK);
    ck_assert_int_eq(exact, 1);
    double lo = 499 + (missing_value <= 499), hi = 500 + (missing_value <= 500);
    ck_assert_msg(x == lo + 0.5 * (hi - lo), "median %g (left out %g)", x, missing_value);
    mlops_dataset *one = numeric_dataset(&v[1000], 1, "x");
    add(p, one);
    ck_assert_int_eq(mlops_profile_quantile(p, 0, 0.5, &x, &exact), MLOPS_OK);
    ck_assert_int_eq(exact, 0);
    ck_assert(fabs(x - 500) <= 1001 * 2.296 / pow(200.0, 0.9723));
    mlops_profile_free(p);
    mlops_profile_free(q);
    mlops_dataset_free(one);
    mlops_dataset_free(a);
    mlops_dataset_free(b);
    mlops_dataset_free(d);
    free(v);
}
END_TEST

START_TEST(distinct_sketch_within_bound)
{
    /* 200000 numeric values with 150000 distinct, and 200000 strings with
     * 120000 distinct; exact limit 1000 sends both to HyperLogLog. The
     * documented relative standard error is 0.81%; allow 3 of them. */
    const size_t n = scaled(200000), nv = n / 4 * 3, ns = n / 5 * 3;
    double *v = malloc(n * sizeof *v);
    char **s = malloc(n * sizeof *s);
    uint64_t seed = 11;
    for (size_t i = 0; i < n; i++) {
        v[i] = (double)(i % nv) * 0.25 - 1000.0;
        s[i] = malloc(24);
        snprintf(s[i], 24, "s%llu", (unsigned long long)(next_u64(&seed) % ns));
    }
    /* Count the distinct strings drawn. */
    char *seen = calloc(ns, 1);
    size_t want_strings = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)strtoull(s[i] + 1, NULL, 10);
        want_strings += !seen[k];
        seen[k] = 1;
    }
    mlops_dataset *dn = numeric_dataset(v, n, "x");
    mlops_dataset *ds = string_dataset(s, n, "s");
    mlops_profile *pn = new_profile(), *ps = new_profile();
    set(pn, "distinct_exact_limit", "1000");
    set(ps, "distinct_exact_limit", "1000");
    add(pn, dn);
    /* The strings in two halves merged: HLL merge is the union. */
    mlops_dataset *h1 = slice(ds, 0, n / 2), *h2 = slice(ds, n / 2, n - n / 2);
    mlops_profile *other = new_profile();
    set(other, "distinct_exact_limit", "1000");
    add(ps, h1);
    add(other, h2);
    merge(ps, other);
    uint64_t distinct;
    int exact;
    ck_assert_int_eq(mlops_profile_distinct(pn, 0, &distinct, &exact), MLOPS_OK);
    ck_assert_int_eq(exact, 0);
    ck_assert_msg(fabs((double)distinct / (double)nv - 1.0) <= 3 * 0.008125, "numeric: %llu",
                  (unsigned long long)distinct);
    ck_assert_int_eq(mlops_profile_distinct(ps, 0, &distinct, &exact), MLOPS_OK);
    ck_assert_int_eq(exact, 0);
    ck_assert_msg(fabs((double)distinct / (double)want_strings - 1.0) <= 3 * 0.008125,
                  "strings: %llu of %zu", (unsigned long long)distinct, want_strings);
    /* Not constant although approximate; counts still exact. */
    ck_assert_int_eq(mlops_profile_column_flags(ps, 0), 0);
    uint64_t count;
    ck_assert_int_eq(mlops_profile_counts(ps, 0, &count, NULL), MLOPS_OK);
    ck_assert_uint_eq(count, n);

    mlops_profile_free(pn);
    mlops_profile_free(ps);
    mlops_profile_free(other);
    mlops_dataset_free(dn);
    mlops_dataset_free(ds);
    mlops_dataset_free(h1);
    mlops_dataset_free(h2);
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
    free(v);
    free(seen);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(heavy_hitters_within_bound)
{
    /* 300000 strings over 30000 categories with Zipf-like frequencies
     * (category c has weight 1/(c+1)), in random order; exact limit 100 and
     * a 50-string Misra-Gries summary. The documented guarantee: true count
     * in [count, count + error], error <= N / 51, and any category with a
     * true count above the error is listed when it ranks in the top. */
    const size_t n = scaled(300000), ncat = 30000;
    double *cdf = malloc(ncat * sizeof *cdf), total = 0;
    for (size_t c = 0; c < ncat; c++) cdf[c] = (total += 1.0 / (double)(c + 1));
    uint64_t *truth = calloc(ncat, sizeof *truth);
    char **s = malloc(n * sizeof *s);
    uint64_t seed = 5;
    for (size_t i = 0; i < n; i++) {
        double u = (double)(next_u64(&seed) >> 11) / 9007199254740992.0 * total;
        size_t lo = 0, hi = ncat - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cdf[mid] < u) lo = mid + 1; else hi = mid;
        }
        truth[lo]++;
        s[i] = malloc(24);
        snprintf(s[i], 24, "c%zu", lo);
    }
    mlops_dataset *d = string_dataset(s, n, "cat");
    mlops_profile *p = new_profile(), *merged = new_profile();
    const char *const KEYS[] = {"distinct_exact_limit", "top_sketch_size", "top_k"};
    const char *const VALUES[] = {"100", "50", "10"};
    for (size_t k = 0; k < 3; k++) {
        set(p, KEYS[k], VALUES[k]);
        set(merged, KEYS[k], VALUES[k]);
    }
    /* Batches of 10000 into one profile; three parts merged into the other. */
    for (size_t first = 0; first < n; first += 10000) {
        mlops_dataset *b = slice(d, first, n - first < 10000 ? n - first : 10000);
        add(p, b);
        mlops_dataset_free(b);
    }
    for (size_t part = 0; part < 3; part++) {
        mlops_profile *q = new_profile();
        for (size_t k = 0; k < 3; k++) set(q, KEYS[k], VALUES[k]);
        mlops_dataset *b = slice(d, part * (n / 3), part == 2 ? n - 2 * (n / 3) : n / 3);
        add(q, b);
        merge(merged, q);
        mlops_dataset_free(b);
        mlops_profile_free(q);
    }
    const mlops_profile *both[] = {p, merged};
    for (size_t w = 0; w < 2; w++) {
        size_t ntop;
        ck_assert_int_eq(mlops_profile_top_count(both[w], 0, &ntop), MLOPS_OK);
        ck_assert_uint_eq(ntop, 10);
        uint64_t previous = UINT64_MAX;
        for (size_t r = 0; r < ntop; r++) {
            const char *value;
            uint64_t count, err;
            ck_assert_int_eq(mlops_profile_top(both[w], 0, r, &value, &count, &err), MLOPS_OK);
            ck_assert_uint_gt(err, 0);
            ck_assert_uint_le(err, n / 51);
            size_t c = (size_t)strtoull(value + 1, NULL, 10);
            ck_assert_msg(count <= truth[c] && truth[c] <= count + err,
                          "%s: true %llu not in [%llu, %llu + %llu]", value,
                          (unsigned long long)truth[c], (unsigned long long)count,
                          (unsigned long long)count, (unsigned long long)err);
            ck_assert_uint_le(count, previous);
            previous = count;
            /* The heaviest categories stand far above the error: they are
             * found, in order. */
            if (r < 3) ck_assert_uint_eq(c, r);
        }
        uint64_t distinct;
        int exact;
        ck_assert_int_eq(mlops_profile_distinct(both[w], 0, &distinct, &exact), MLOPS_OK);
        ck_assert_int_eq(exact, 0);
    }
    mlops_profile_free(p);
    mlops_profile_free(merged);
    mlops_dataset_free(d);
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
    free(truth);
    free(cdf);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(duplicate_rows_exact_and_sampled)
{
    /* 200000 rows of (x, y): row i repeats row i - 1 when i % 5 == 4 and
     * is otherwise new, so 40000 rows are duplicates of 160000 distinct. */
    const size_t n = scaled(200000);
    double *m = malloc(2 * n * sizeof *m);
    uint64_t seed = 99;
    for (size_t i = 0; i < n; i++) {
        if (i % 5 == 4) {
            m[2 * i] = m[2 * i - 2];
            m[2 * i + 1] = m[2 * i - 1];
        } else {
            m[2 * i] = (double)(next_u64(&seed) % 1000);
            m[2 * i + 1] = (double)i;
        }
    }
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_from_matrix(&d, m, n, 2, 2, NULL), MLOPS_OK);
    uint64_t dups;
    int exact;
    mlops_profile *p = new_profile();
    ck_assert_int_eq(mlops_profile_set(p, "duplicate_exact_limit", "1000000"), MLOPS_OK);
    add(p, d);
    ck_assert_int_eq(mlops_profile_duplicate_rows(p, &dups, &exact), MLOPS_OK);
    ck_assert_int_eq(exact, 1);
    ck_assert_uint_eq(dups, n / 5);

    /* At most 10000 stored hashes: a sample of >= 1/32 of the 160000
     * distinct rows, so >= 1250 sampled duplicates; 4 standard errors
     * (1/sqrt(1250) each) bound the estimate. Also merged from parts. */
    const double tolerance = 4.0 / sqrt(1250.0);
    mlops_profile *s = new_profile(), *merged = new_profile();
    set(s, "duplicate_exact_limit", "10000");
    set(merged, "duplicate_exact_limit", "10000");
    add(s, d);
    for (size_t part = 0; part < 4; part++) {
        mlops_profile *q = new_profile();
        set(q, "duplicate_exact_limit", "10000");
        mlops_dataset *b = slice(d, part * (n / 4), n / 4);
        add(q, b);
        merge(merged, q);
        mlops_dataset_free(b);
        mlops_profile_free(q);
    }
    const mlops_profile *both[] = {s, merged};
    for (size_t w = 0; w < 2; w++) {
        ck_assert_int_eq(mlops_profile_duplicate_rows(both[w], &dups, &exact), MLOPS_OK);
        ck_assert_int_eq(exact, 0);
        ck_assert_msg(fabs((double)dups / (double)(n / 5) - 1.0) <= tolerance,
                      "estimate %llu of %zu", (unsigned long long)dups, n / 5);
    }
    mlops_profile_free(p);
    mlops_profile_free(s);
    mlops_profile_free(merged);
    mlops_dataset_free(d);
    free(m);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(value_semantics)
{
    /* -0.0 equals 0.0, missing equals missing (duplicates), dictionaries of
     * different batches are compared as strings, a dictionary string no row
     * uses is not counted. */
    double x1[] = {0.0, -0.0, NAN, 1.5};
    const char *k1[] = {"a", "b", NULL, "b"};
    double x2[] = {-0.0, NAN, 2.5};
    const char *k2[] = {"c", NULL, "b"};
    mlops_dataset_builder *b;
    mlops_dataset *d1, *d2, *d3;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, 4), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "x", x1), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "k", k1), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d1), MLOPS_OK);
    mlops_dataset_builder_free(b);
    ck_assert_int_eq(mlops_dataset_builder_create(&b, 3), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "x", x2), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "k", k2), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d2), MLOPS_OK);
    mlops_dataset_builder_free(b);
    size_t rows[] = {2, 2};  /* (NaN, missing) twice; "a" and "b" unused */
    ck_assert_int_eq(mlops_dataset_take_rows(&d3, d1, rows, 2), MLOPS_OK);

    mlops_profile *p = new_profile();
    add(p, d1);
    add(p, d2);
    add(p, d3);
    ck_assert_uint_eq(mlops_profile_rows(p), 9);
    uint64_t count, missing, distinct, dups;
    int exact;
    ck_assert_int_eq(mlops_profile_counts(p, 0, &count, &missing), MLOPS_OK);
    ck_assert_uint_eq(count, 5);
    ck_assert_uint_eq(missing, 4);
    ck_assert_int_eq(mlops_profile_distinct(p, 0, &distinct, &exact), MLOPS_OK);
    ck_assert_uint_eq(distinct, 3); /* 0, 1.5, 2.5 */
    ck_assert_int_eq(mlops_profile_distinct(p, 1, &distinct, &exact), MLOPS_OK);
    ck_assert_uint_eq(distinct, 3); /* a, b, c */
    /* Rows: (0,a) (-0,b) (NaN,-) (1.5,b) (-0,c) (NaN,-) (2.5,b) (NaN,-) x2:
     * the three later (NaN, missing) rows repeat the first one. */
    ck_assert_int_eq(mlops_profile_duplicate_rows(p, &dups, &exact), MLOPS_OK);
    ck_assert_uint_eq(dups, 3);
    const char *value;
    uint64_t n;
    ck_assert_int_eq(mlops_profile_top(p, 1, 0, &value, &n, NULL), MLOPS_OK);
    ck_assert_str_eq(value, "b");
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(mlops_profile_top(p, 1, 1, &value, &n, NULL), MLOPS_OK);
    ck_assert_str_eq(value, "a"); /* tie with "c": byte order */
    ck_assert_uint_eq(n, 1);
    double q;
    ck_assert_int_eq(mlops_profile_quantile(p, 0, 0.5, &q, &exact), MLOPS_OK);
    ck_assert(q == 0.0);
    ck_assert_int_eq(mlops_profile_quantile(p, 0, 0.9, &q, &exact), MLOPS_OK);
    ck_assert(fabs(q - 2.1) < 1e-15); /* {-0,-0,0,1.5,2.5}: h = 3.6 */
    mlops_profile_free(p);
    mlops_dataset_free(d1);
    mlops_dataset_free(d2);
    mlops_dataset_free(d3);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static mlops_dataset *flags_dataset(void)
{
    double c[] = {5, NAN, 5, 5};
    double m[] = {NAN, NAN, NAN, NAN};
    double v[] = {1, 2, 3, 4};
    const char *k[] = {"x", "x", NULL, "x"};
    const char *z[] = {NULL, NULL, NULL, NULL};
    mlops_dataset_builder *b;
    mlops_dataset *d;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, 4), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "const", c), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "empty", m), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "v", v), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "kconst", k), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "kempty", z), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    return d;
}

START_TEST(constant_and_empty_columns)
{
    mlops_dataset *d = flags_dataset();
    mlops_profile *p = new_profile();
    add(p, d);
    ck_assert_int_eq(mlops_profile_column_flags(p, 0), MLOPS_PROFILE_CONSTANT);
    ck_assert_int_eq(mlops_profile_column_flags(p, 1), MLOPS_PROFILE_ALL_MISSING);
    ck_assert_int_eq(mlops_profile_column_flags(p, 2), 0);
    ck_assert_int_eq(mlops_profile_column_flags(p, 3), MLOPS_PROFILE_CONSTANT);
    ck_assert_int_eq(mlops_profile_column_flags(p, 4), MLOPS_PROFILE_ALL_MISSING);
    double min, max, mean, std, q;
    int exact;
    ck_assert_int_eq(mlops_profile_stats(p, 1, &min, &max, &mean, &std), MLOPS_OK);
    ck_assert(isnan(min) && isnan(max) && isnan(mean) && isnan(std));
    ck_assert_int_eq(mlops_profile_quantile(p, 1, 0.5, &q, &exact), MLOPS_OK);
    ck_assert(isnan(q));
    ck_assert_int_eq(mlops_profile_stats(p, 0, &min, &max, &mean, &std), MLOPS_OK);
    ck_assert(min == 5 && max == 5 && mean == 5 && std == 0);
    size_t ntop;
    ck_assert_int_eq(mlops_profile_top_count(p, 4, &ntop), MLOPS_OK);
    ck_assert_uint_eq(ntop, 0);

    char *json = NULL;
    ck_assert_int_eq(mlops_profile_to_json(p, &json), MLOPS_OK);
    ck_assert_ptr_nonnull(strstr(json, "\"constant_columns\": [\n    \"const\",\n    \"kconst\"\n  ]"));
    ck_assert_ptr_nonnull(strstr(json, "\"all_missing_columns\": [\n    \"empty\",\n    \"kempty\"\n  ]"));
    ck_assert_ptr_nonnull(strstr(json, "\"rows\": 4,"));
    ck_assert_ptr_nonnull(strstr(json, "\"mean\": null,")); /* the empty column */
    mlops_free(json);

    /* One value: std is NaN as in pandas. */
    mlops_dataset *one = slice(d, 0, 1);
    mlops_profile *p1 = new_profile();
    add(p1, one);
    ck_assert_int_eq(mlops_profile_stats(p1, 0, NULL, NULL, &mean, &std), MLOPS_OK);
    ck_assert(mean == 5 && isnan(std));
    mlops_profile_free(p1);
    mlops_dataset_free(one);
    mlops_profile_free(p);
    mlops_dataset_free(d);
}
END_TEST

/* Statistics of `v` added as batches of `cut` and the rest, and as two
 * profiles merged: mean, std and quantile q50 (exact path). */
static void extreme_stats(const double *v, size_t n, size_t cut, double out[3][3])
{
    mlops_dataset *d = numeric_dataset(v, n, "x");
    mlops_dataset *a = slice(d, 0, cut), *b = slice(d, cut, n - cut);
    mlops_profile *whole = new_profile(), *seq = new_profile(), *merged = new_profile(),
                  *part = new_profile();
    add(whole, d);
    add(seq, a);
    add(seq, b);
    add(merged, a);
    add(part, b);
    merge(merged, part);
    const mlops_profile *all[] = {whole, seq, merged};
    for (size_t w = 0; w < 3; w++) {
        ck_assert_int_eq(mlops_profile_stats(all[w], 0, NULL, NULL, &out[w][0], &out[w][1]),
                         MLOPS_OK);
        ck_assert_int_eq(mlops_profile_quantile(all[w], 0, 0.5, &out[w][2], NULL), MLOPS_OK);
    }
    mlops_profile_free(whole);
    mlops_profile_free(seq);
    mlops_profile_free(merged);
    mlops_profile_free(part);
    mlops_dataset_free(a);
    mlops_dataset_free(b);
    mlops_dataset_free(d);
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

START_TEST(infinite_and_extreme_values)
{
    /* The expected values are exact by construction (not numpy's: its
     * mean and variance overflow to inf for finite data near DBL_MAX, and
     * its quantile lerp gives NaN next to an infinity, numpy issue 21091). */
    static const struct {
        double v[4];
        size_t n, cut;
        double mean, std, q50;
    } CASES[] = {
        /* An infinity makes the mean infinite and the std NaN, whatever
         * the batching (the part holding it may come first). */
        {{INFINITY, 5}, 2, 1, INFINITY, NAN, INFINITY},
        {{5, INFINITY}, 2, 1, INFINITY, NAN, INFINITY},
        {{-INFINITY, 1, 2}, 3, 1, -INFINITY, NAN, 1},
        {{INFINITY, INFINITY, INFINITY}, 3, 1, INFINITY, NAN, INFINITY},
        {{1, 2, INFINITY}, 3, 2, INFINITY, NAN, 2},
        {{-INFINITY, 1, 2, INFINITY}, 4, 2, NAN, NAN, 1.5},
        {{-INFINITY, INFINITY}, 2, 1, NAN, NAN, NAN},
        /* Finite values whose sum, differences or squares overflow. */
        {{1e308, 1e308}, 2, 1, 1e308, 0, 1e308},
        {{-1.7e308, 1.7e308}, 2, 1, 0, INFINITY, 0},
        {{-1e300, 1e300}, 2, 1, 0, 1.4142135623730951e300, 0},
        {{-1e300, 1e300, -1e300, 1e300}, 4, 3, 0, 1.1547005383792515e300, 0},
        {{1e200, 3e200, 5e200}, 3, 1, 3e200, 2e200, 3e200},
    };
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        double got[3][3];
        extreme_stats(CASES[k].v, CASES[k].n, CASES[k].cut, got);
        const double want[3] = {CASES[k].mean, CASES[k].std, CASES[k].q50};
        static const char *const WHAT[] = {"mean", "std", "median"};
        static const char *const HOW[] = {"whole", "in batches", "merged"};
        for (size_t w = 0; w < 3; w++)
            for (size_t s = 0; s < 3; s++)
                ck_assert_msg(same_double(got[w][s], want[s]) ||
                                  fabs(got[w][s] - want[s]) <= 1e-15 * fabs(want[s]),
                              "case %zu %s: %s %.17g, want %.17g", k, HOW[w], WHAT[s],
                              got[w][s], want[s]);
    }
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(json_document)
{
    mlops_dataset *d = read_real("iris");
    mlops_profile *p = new_profile();
    char *json = NULL;
    /* Before any data: a valid document with no columns. */
    ck_assert_int_eq(mlops_profile_to_json(p, &json), MLOPS_OK);
    ck_assert_ptr_nonnull(strstr(json, "\"rows\": 0,"));
    ck_assert_ptr_nonnull(strstr(json, "\"columns\": []"));
    mlops_free(json);
    add(p, d);
    ck_assert_int_eq(mlops_profile_to_json(p, &json), MLOPS_OK);
    static const char *const WANT[] = {
        "{\n  \"rows\": 150,\n  \"duplicate_rows\": 1,\n  \"duplicate_rows_exact\": true,",
        "\"settings\": {\n    \"distinct_exact_limit\": 100000,",
        "\"name\": \"sepal_length\",\n      \"type\": \"numeric\",\n      \"count\": 150,\n"
        "      \"missing\": 0,\n      \"distinct\": 35,\n      \"distinct_exact\": true,",
        "\"min\": 4.3,\n      \"max\": 7.9,",
        "\"quantiles\": {\n        \"0\": 4.3,\n        \"0.1\": 4.8,\n        \"0.25\": 5.1,\n"
        "        \"0.5\": 5.8,\n        \"0.75\": 6.4,\n        \"0.9\": 6.9,\n        \"1\": 7.9\n"
        "      },\n      \"quantiles_exact\": true,\n      \"quantile_rank_error\": 0",
        "\"top\": [\n        {\n          \"value\": \"setosa\",\n          \"count\": 50\n        },",
        "\"top_exact\": true,\n      \"top_count_error\": 0\n    }\n  ]\n}\n",
    };
    for (size_t i = 0; i < sizeof WANT / sizeof WANT[0]; i++)
        ck_assert_msg(strstr(json, WANT[i]) != NULL, "JSON lacks:\n%s\nin:\n%s", WANT[i], json);
    mlops_free(json);
    mlops_profile_free(p);
    mlops_dataset_free(d);
}
END_TEST

/* ---- Memory ------------------------------------------------------------ */

static size_t bytes_live;

static void *count_malloc(size_t n, void *ud)
{
    (void)ud;
    size_t *b = malloc(n + 16);
    if (b == NULL) return NULL;
    b[0] = n;
    bytes_live += n;
    return (char *)b + 16;
}

static void *count_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    size_t *b = (size_t *)((char *)p - 16);
    size_t old = b[0];
    b = realloc(b, n + 16);
    if (b == NULL) return NULL;
    bytes_live = bytes_live - old + n;
    b[0] = n;
    return (char *)b + 16;
}

static void count_free(void *p, void *ud)
{
    (void)ud;
    size_t *b = (size_t *)((char *)p - 16);
    bytes_live -= b[0];
    free(b);
}

START_TEST(memory_does_not_grow_with_rows)
{
    ck_assert_int_eq(mlops_set_allocator(count_malloc, count_realloc, count_free, NULL), MLOPS_OK);
    mlops_profile *p = new_profile();
    set(p, "distinct_exact_limit", "2000");
    set(p, "quantile_exact_limit", "2000");
    set(p, "top_sketch_size", "200");
    set(p, "duplicate_exact_limit", "2000");
    const size_t batch = 20000;
    double *v = malloc(batch * sizeof *v);
    char **s = malloc(batch * sizeof *s);
    for (size_t i = 0; i < batch; i++) s[i] = malloc(24);
    uint64_t seed = 1;
    size_t held_early = 0, held_max = 0;
    const size_t rounds = scaled(50); /* 1,000,000 rows of fresh values */
    for (size_t round = 0; round < rounds; round++) {
        for (size_t i = 0; i < batch; i++) {
            uint64_t r = next_u64(&seed);
            v[i] = (double)(r >> 11);
            snprintf(s[i], 24, "v%llu", (unsigned long long)(r % 10000000));
        }
        mlops_dataset_builder *b;
        mlops_dataset *d;
        ck_assert_int_eq(mlops_dataset_builder_create(&b, batch), MLOPS_OK);
        ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "x", v), MLOPS_OK);
        ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "s", (const char *const *)s),
                         MLOPS_OK);
        ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
        mlops_dataset_builder_free(b);
        add(p, d);
        mlops_dataset_free(d);
        size_t now = bytes_live; /* only the profile is left */
        if (round == 4) held_early = now;
        if (now > held_max) held_max = now;
    }
    /* All sketches engaged after the first batch; from then on memory may
     * only move by the KLL's extra levels (8 items each) and
     * the churn of its level arrays. */
    ck_assert_msg(held_max <= held_early + 8192, "profile grew from %zu to %zu bytes",
                  held_early, held_max);
    ck_assert_msg(held_max < 1000000, "profile holds %zu bytes", held_max);
    int exact;
    uint64_t distinct;
    ck_assert_int_eq(mlops_profile_distinct(p, 1, &distinct, &exact), MLOPS_OK);
    ck_assert_int_eq(exact, 0);
    mlops_profile_free(p);
    ck_assert_uint_eq(bytes_live, 0);
    for (size_t i = 0; i < batch; i++) free(s[i]);
    free(s);
    free(v);
    fault_alloc_install();
}
END_TEST

/* ---- Bad arguments ----------------------------------------------------- */

static void assert_fails(int rc, int code, const char *needle)
{
    ck_assert_msg(rc == code, "got %d (%s), wanted %d: %s", rc, mlops_strerror(rc), code,
                  mlops_last_error());
    ck_assert_msg(strstr(mlops_last_error(), needle) != NULL, "message '%s' lacks '%s'",
                  mlops_last_error(), needle);
}

START_TEST(bad_arguments)
{
    mlops_profile *p = new_profile();
    assert_fails(mlops_profile_create(NULL), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_set(NULL, "top_k", "1"), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_set(p, "top_kk", "1"), MLOPS_EINVAL, "did you mean 'top_k'");
    assert_fails(mlops_profile_set(p, "top_k", "ten"), MLOPS_EINVAL, "'ten' is not a whole number");
    assert_fails(mlops_profile_set(p, "top_k", "-1"), MLOPS_EINVAL, "top_k");
    assert_fails(mlops_profile_set(p, "top_k", "10 "), MLOPS_EINVAL, "top_k");
    assert_fails(mlops_profile_set(p, "distinct_exact_limit", "0"), MLOPS_EINVAL, "between 1");
    assert_fails(mlops_profile_set(p, "quantile_sketch_k", "7"), MLOPS_EINVAL, "between 8 and 65535");
    assert_fails(mlops_profile_set(p, "quantile_sketch_k", "99999999999999999999999"),
                 MLOPS_EINVAL, "quantile_sketch_k");
    assert_fails(mlops_profile_add(NULL, NULL), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_add(p, NULL), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_merge(p, NULL), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_merge(p, p), MLOPS_EINVAL, "itself");
    assert_fails(mlops_profile_to_json(p, NULL), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_duplicate_rows(NULL, NULL, NULL), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_counts(p, 0, NULL, NULL), MLOPS_EINVAL, "out of range");
    ck_assert_uint_eq(mlops_profile_rows(NULL), 0);
    ck_assert_uint_eq(mlops_profile_cols(NULL), 0);
    ck_assert_ptr_null(mlops_profile_column_name(p, 0));
    mlops_profile_free(NULL);

    mlops_dataset *d = flags_dataset();
    add(p, d);
    assert_fails(mlops_profile_set(p, "top_k", "3"), MLOPS_ESTATE, "once data was added");
    size_t col;
    ck_assert_int_eq(mlops_profile_column_index(p, "kconst", &col), MLOPS_OK);
    ck_assert_uint_eq(col, 3);
    assert_fails(mlops_profile_column_index(p, "kcnst", &col), MLOPS_ENOTFOUND,
                 "did you mean 'kconst'");
    assert_fails(mlops_profile_column_type(p, 5), MLOPS_EINVAL, "column 5 is out of range");
    assert_fails(mlops_profile_column_flags(p, 9), MLOPS_EINVAL, "out of range");
    assert_fails(mlops_profile_distinct(p, 5, NULL, NULL), MLOPS_EINVAL, "out of range");
    assert_fails(mlops_profile_stats(p, 3, NULL, NULL, NULL, NULL), MLOPS_EINVAL,
                 "column 'kconst' is categorical, not numeric");
    double v;
    assert_fails(mlops_profile_quantile(p, 2, 1.5, &v, NULL), MLOPS_EINVAL, "outside [0, 1]");
    assert_fails(mlops_profile_quantile(p, 2, NAN, &v, NULL), MLOPS_EINVAL, "outside [0, 1]");
    assert_fails(mlops_profile_quantile(p, 2, 0.5, NULL, NULL), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_quantile(p, 3, 0.5, &v, NULL), MLOPS_EINVAL, "categorical");
    size_t n;
    assert_fails(mlops_profile_top_count(p, 0, &n), MLOPS_EINVAL, "numeric, not categorical");
    assert_fails(mlops_profile_top_count(p, 3, NULL), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_top(p, 3, 1, NULL, NULL, NULL), MLOPS_EINVAL,
                 "rank 1 is out of range (column 'kconst' has 1 top categories)");

    /* Batches with other columns: named in the message, profile unchanged. */
    mlops_dataset *iris = read_real("iris");
    assert_fails(mlops_profile_add(p, iris), MLOPS_EINVAL,
                 "batch column 0 is 'sepal_length', the profile's is 'const'");
    mlops_profile_free(p);
    p = new_profile();
    add(p, iris);
    size_t cols[] = {1, 0, 2, 3, 4};
    mlops_dataset *swapped;
    ck_assert_int_eq(mlops_dataset_select_columns(&swapped, iris, cols, 5), MLOPS_OK);
    assert_fails(mlops_profile_add(p, swapped), MLOPS_EINVAL,
                 "batch column 0 is 'sepal_width', the profile's is 'sepal_length'");
    mlops_dataset *fewer;
    ck_assert_int_eq(mlops_dataset_select_columns(&fewer, iris, cols + 2, 3), MLOPS_OK);
    assert_fails(mlops_profile_add(p, fewer), MLOPS_EINVAL, "the batch has 3 columns, the profile 5");
    mlops_csv_options *o;
    mlops_dataset *typed;
    char path[512];
    snprintf(path, sizeof path, "%s/real/iris.csv", DATA_DIR);
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    ck_assert_int_eq(mlops_csv_options_set(o, "type.petal_width", "categorical"), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_read_csv(&typed, path, o), MLOPS_OK);
    assert_fails(mlops_profile_add(p, typed), MLOPS_EINVAL,
                 "column 'petal_width' is categorical in the batch, numeric in the profile");
    ck_assert_uint_eq(mlops_profile_rows(p), 150); /* unchanged */

    /* Merges: other settings, other columns. */
    mlops_profile *q = new_profile();
    set(q, "top_k", "3");
    add(q, iris);
    assert_fails(mlops_profile_merge(p, q), MLOPS_EINVAL, "setting top_k differs (10 here, 3 in");
    mlops_profile_free(q);
    q = new_profile();
    add(q, typed);
    assert_fails(mlops_profile_merge(p, q), MLOPS_EINVAL,
                 "column 'petal_width' is categorical in the merged profile, numeric");
    ck_assert_uint_eq(mlops_profile_rows(p), 150);
    mlops_profile_free(q);

    /* An empty profile on either side of a merge. */
    q = new_profile();
    merge(p, q);
    merge(q, p);
    check_reference(p, &ref_datasets[3]);
    check_reference(q, &ref_datasets[3]);
    mlops_profile_free(q);

    mlops_csv_options_free(o);
    mlops_dataset_free(typed);
    mlops_dataset_free(fewer);
    mlops_dataset_free(swapped);
    mlops_dataset_free(iris);
    mlops_dataset_free(d);
    mlops_profile_free(p);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(merge_reports_columns_before_settings)
{
    /* 20 columns cap the exact limits at 1000000 / 20 = 50000, 5 leave
     * them at 100000: the columns are what differs, not a setting. */
    double m[40] = {0};
    mlops_dataset *d5 = NULL, *d20 = NULL;
    ck_assert_int_eq(mlops_dataset_from_matrix(&d5, m, 2, 5, 5, NULL), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_from_matrix(&d20, m, 2, 20, 20, NULL), MLOPS_OK);
    mlops_profile *p = new_profile(), *q = new_profile();
    add(p, d5);
    add(q, d20);
    assert_fails(mlops_profile_merge(p, q), MLOPS_EINVAL,
                 "the merged profile has 20 columns, the profile 5");
    assert_fails(mlops_profile_merge(q, p), MLOPS_EINVAL,
                 "the merged profile has 5 columns, the profile 20");
    mlops_profile_free(p);
    mlops_profile_free(q);
    mlops_dataset_free(d5);
    mlops_dataset_free(d20);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- Allocation failures ------------------------------------------------ */

typedef struct sweep_ctx {
    const mlops_dataset *data;
    const char *const *keys, *const *values;
    size_t nsettings;
    char *json;
} sweep_ctx;

/* Profiles the data in two parts (one added in two batches, one merged) and
 * writes the JSON; cleans up after itself on any failure. */
static int profile_and_export(void *arg)
{
    sweep_ctx *c = arg;
    size_t rows = mlops_dataset_rows(c->data), half = rows / 2;
    size_t *idx = malloc(rows * sizeof *idx);
    for (size_t i = 0; i < rows; i++) idx[i] = i;
    mlops_profile *p = NULL, *q = NULL;
    mlops_dataset *a = NULL, *b = NULL;
    int rc = mlops_dataset_take_rows(&a, c->data, idx, half);
    if (rc == MLOPS_OK) rc = mlops_dataset_take_rows(&b, c->data, idx + half, rows - half);
    if (rc == MLOPS_OK) rc = mlops_profile_create(&p);
    if (rc == MLOPS_OK) rc = mlops_profile_create(&q);
    for (size_t k = 0; rc == MLOPS_OK && k < c->nsettings; k++) {
        rc = mlops_profile_set(p, c->keys[k], c->values[k]);
        if (rc == MLOPS_OK) rc = mlops_profile_set(q, c->keys[k], c->values[k]);
    }
    if (rc == MLOPS_OK) rc = mlops_profile_add(p, a);
    if (rc == MLOPS_OK) rc = mlops_profile_add(p, a);
    if (rc == MLOPS_OK) rc = mlops_profile_add(q, b);
    if (rc == MLOPS_OK) rc = mlops_profile_merge(p, q);
    if (rc == MLOPS_OK) rc = mlops_profile_to_json(p, &c->json);
    mlops_profile_free(p);
    mlops_profile_free(q);
    mlops_dataset_free(a);
    mlops_dataset_free(b);
    free(idx);
    return rc;
}

static void drop_json(void *arg)
{
    sweep_ctx *c = arg;
    mlops_free(c->json);
    c->json = NULL;
}

START_TEST(allocation_failures)
{
    mlops_dataset *cars = read_real("cars");
    /* Exact paths, then every sketch engaged (cars.Name has 311 strings). */
    static const char *const KEYS[] = {"distinct_exact_limit", "quantile_exact_limit",
                                       "top_sketch_size", "duplicate_exact_limit"};
    static const char *const VALUES[] = {"20", "50", "8", "30"};
    sweep_ctx exact = {cars, KEYS, VALUES, 0, NULL};
    sweep_ctx sketched = {cars, KEYS, VALUES, 4, NULL};
    ck_assert_int_gt(fault_alloc_sweep(profile_and_export, drop_json, &exact), 20);
    ck_assert_int_gt(fault_alloc_sweep(profile_and_export, drop_json, &sketched), 20);

    /* After a failed add the profile refuses further work. */
    mlops_profile *p = new_profile();
    fault_alloc_fail_at(0);
    int rc = mlops_profile_add(p, cars);
    fault_alloc_fail_at(-1);
    ck_assert_int_eq(rc, MLOPS_ENOMEM);
    fault_alloc_fail_at(50); /* past the column set-up: part of the batch is in */
    rc = mlops_profile_add(p, cars);
    fault_alloc_fail_at(-1);
    ck_assert_int_eq(rc, MLOPS_ENOMEM);
    assert_fails(mlops_profile_add(p, cars), MLOPS_ESTATE, "earlier failure");
    char *json;
    assert_fails(mlops_profile_to_json(p, &json), MLOPS_ESTATE, "earlier failure");
    assert_fails(mlops_profile_counts(p, 0, NULL, NULL), MLOPS_ESTATE, "earlier failure");
    mlops_profile_free(p);
    mlops_dataset_free(cars);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("profile");
    TCase *tc = tcase_create("reference");
    tcase_add_test(tc, real_datasets_whole);
    tcase_add_test(tc, real_datasets_in_batches_and_merged);
    tcase_add_test(tc, real_datasets_streamed);
    tcase_add_test(tc, value_semantics);
    tcase_add_test(tc, constant_and_empty_columns);
    tcase_add_test(tc, infinite_and_extreme_values);
    tcase_add_test(tc, json_document);
    suite_add_tcase(s, tc);
    tc = tcase_create("sketches");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, exact_quantiles_at_the_limit);
    tcase_add_test(tc, quantile_sketch_within_bound);
    tcase_add_test(tc, distinct_sketch_within_bound);
    tcase_add_test(tc, heavy_hitters_within_bound);
    tcase_add_test(tc, duplicate_rows_exact_and_sampled);
    tcase_add_test(tc, memory_does_not_grow_with_rows);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, merge_reports_columns_before_settings);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
