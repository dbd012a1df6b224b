/* Reference histograms of mlops_profile through the public API: bins fixed
 * on a fixture against NumPy (profile_bins_reference.h, written by
 * tests/reference/make_profile_bins_reference.py) for several bin counts,
 * ties, constant and empty columns, categories in byte order with the
 * unseen bin; profiles made like a reference counting current data in the
 * outer and unseen bins; shards of a large table merged into exactly the
 * profile of the whole; histograms estimated from the quantile sketch within
 * their bound; the quality setting; bad arguments and allocation failures.
 * MLOPS_TEST_SHORT in the environment (set for the valgrind run) divides the
 * generated data by 20. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "profile_bins_reference.h"
#include "runner.h"

enum { NCOLS = PB_NUMERIC + PB_CATEGORICAL, NENTRIES = sizeof pb_numeric / sizeof pb_numeric[0] };

static size_t scaled(size_t n)
{
    return getenv("MLOPS_TEST_SHORT") ? n / 20 : n;
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

static size_t bin_count(const mlops_profile *p, size_t col)
{
    size_t n = 0;
    int rc = mlops_profile_bin_count(p, col, &n);
    ck_assert_msg(rc == MLOPS_OK, "bin_count %zu: %s", col, mlops_last_error());
    return n;
}

static uint64_t bin_n(const mlops_profile *p, size_t col, size_t bin)
{
    uint64_t c = 0;
    int rc = mlops_profile_bin(p, col, bin, NULL, NULL, NULL, &c);
    ck_assert_msg(rc == MLOPS_OK, "bin %zu of %zu: %s", bin, col, mlops_last_error());
    return c;
}

/* ---- The NumPy fixture ---------------------------------------------------- */

/* Disagreements with the reference are collected and reported together at
 * the end of a test, so one wrong bin does not hide the rest of the test. */
static char mismatches[16384];
static size_t nmismatches;

static void mismatch(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mismatch(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    strcat(line, "\n");
    nmismatches++;
    /* Each distinct disagreement once. */
    if (strstr(mismatches, line) == NULL && strlen(mismatches) + strlen(line) < sizeof mismatches)
        strcat(mismatches, line);
}

static void mismatches_reset(void)
{
    mismatches[0] = '\0';
    nmismatches = 0;
}

static void assert_no_mismatch(void)
{
    ck_assert_msg(nmismatches == 0, "%zu disagreements with the reference:\n%s", nmismatches,
                  mismatches);
}

/* The reference (current = 0) or current table: the numeric columns, then
 * the categorical ones, in the header's order. */
static mlops_dataset *fixture(int current)
{
    size_t rows = current ? PB_CUR_ROWS : PB_REF_ROWS;
    mlops_dataset_builder *b;
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, rows), MLOPS_OK);
    for (size_t j = 0; j < PB_NUMERIC; j++)
        ck_assert_int_eq(mlops_dataset_builder_add_numeric(
                             b, pb_numeric_names[j],
                             current ? pb_cur_numeric[j] : pb_ref_numeric[j]),
                         MLOPS_OK);
    for (size_t j = 0; j < PB_CATEGORICAL; j++)
        ck_assert_int_eq(mlops_dataset_builder_add_categorical(
                             b, pb_categorical_names[j],
                             current ? pb_cur_categorical[j] : pb_ref_categorical[j]),
                         MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    return d;
}

static char *bins_text(size_t bins, char *buf, size_t size)
{
    snprintf(buf, size, "%zu", bins);
    return buf;
}

/* A reference profile of the fixture with `bins` quantile bins, fixed. */
static mlops_profile *fixture_reference(const mlops_dataset *ref, size_t bins)
{
    char buf[32];
    mlops_profile *p = new_profile();
    set(p, "bins", bins_text(bins, buf, sizeof buf));
    add(p, ref);
    ck_assert_int_eq(mlops_profile_has_bins(p), 0);
    fix(p);
    ck_assert_int_ne(mlops_profile_has_bins(p), 0);
    return p;
}

static size_t edges_matched_bitwise, edges_compared;

static void assert_edge(double got, double want, const pb_numeric_bins *e, size_t k)
{
    edges_compared++;
    edges_matched_bitwise += got == want;
    if (!(got == want || fabs(got - want) <= 1e-15 * fabs(want)))
        mismatch("bins %zu, column %s, edge %zu: %.17g, numpy %.17g", pb_bins[e->setting],
                 pb_numeric_names[e->col], k, got, want);
}

/* Numeric column e->col of `p` has NumPy's bins, with counts `scale_ref`
 * times the reference's plus `scale_cur` times the current table's. */
static void check_numeric(const mlops_profile *p, const pb_numeric_bins *e, uint64_t scale_ref,
                          uint64_t scale_cur)
{
    size_t col = e->col, n = bin_count(p, col);
    const char *name = pb_numeric_names[col];
    double lo, hi;
    const char *category = "x";
    uint64_t count;
    if (e->nedges == 0) {
        /* No present reference value: one bin, (-Inf, +Inf), takes every
         * later value (mlops_profile_bin_count()). */
        if (n != 1) mismatch("column %s without values has %zu bins, not 1", name, n);
        ck_assert_uint_ge(n, 1);
        ck_assert_int_eq(mlops_profile_bin(p, col, 0, &lo, NULL, &category, &count), MLOPS_OK);
        ck_assert(isinf(lo) && lo < 0);
        ck_assert_ptr_null(category);
        ck_assert_int_eq(mlops_profile_bin(p, col, n - 1, NULL, &hi, NULL, NULL), MLOPS_OK);
        ck_assert(isinf(hi) && hi > 0);
        uint64_t present = 0, total = 0;
        for (size_t i = 0; i < PB_CUR_ROWS; i++) present += !isnan(pb_cur_numeric[col][i]);
        for (size_t b = 0; b < n; b++) total += bin_n(p, col, b);
        ck_assert_uint_eq(total, scale_cur * present);
        return;
    }
    const double *edges = pb_edges + e->first_edge;
    size_t want = e->nedges == 1 ? 3 : e->nedges + 1;
    if (n != want) {
        char got[512] = "";
        for (size_t b = 1; b < n && strlen(got) < 400; b++) {
            ck_assert_int_eq(mlops_profile_bin(p, col, b, &lo, NULL, NULL, NULL), MLOPS_OK);
            snprintf(got + strlen(got), sizeof got - strlen(got), " %g", lo);
        }
        mismatch("bins %zu, column %s: %zu bins, numpy %zu (edges:%s)", pb_bins[e->setting],
                 name, n, want, got);
        return;
    }
    for (size_t b = 0; b < n; b++) {
        category = "x";
        ck_assert_int_eq(mlops_profile_bin(p, col, b, &lo, &hi, &category, &count), MLOPS_OK);
        ck_assert_ptr_null(category);
        if (b == 0) {
            ck_assert(isinf(lo) && lo < 0);
            assert_edge(hi, edges[0], e, 0);
        } else if (b == n - 1) {
            assert_edge(lo, edges[e->nedges - 1], e, e->nedges - 1);
            ck_assert(isinf(hi) && hi > 0);
        } else if (e->nedges == 1) {
            assert_edge(lo, edges[0], e, 0); /* the point [e0, e0] */
            assert_edge(hi, edges[0], e, 0);
        } else {
            assert_edge(lo, edges[b - 1], e, b - 1);
            assert_edge(hi, edges[b], e, b);
        }
        uint64_t expect = scale_ref * pb_ref_counts[e->first_count + b] +
                          scale_cur * pb_cur_counts[e->first_count + b];
        if (count != expect)
            mismatch("bins %zu, column %s, bin %zu: count %llu, numpy %llu", pb_bins[e->setting],
                     name, b, (unsigned long long)count, (unsigned long long)expect);
    }
}

static void check_categorical(const mlops_profile *p, const pb_categorical_bins *e,
                              uint64_t scale_ref, uint64_t scale_cur)
{
    size_t col = PB_NUMERIC + e->col, n = bin_count(p, col);
    if (n != e->ncategories + 1) {
        mismatch("%s: %zu bins, want %zu", pb_categorical_names[e->col], n, e->ncategories + 1);
        return;
    }
    for (size_t b = 0; b < n; b++) {
        double lo = 0, hi = 0;
        const char *category = NULL;
        uint64_t count;
        ck_assert_int_eq(mlops_profile_bin(p, col, b, &lo, &hi, &category, &count), MLOPS_OK);
        ck_assert(isnan(lo) && isnan(hi));
        if (b < e->ncategories) {
            ck_assert_ptr_nonnull(category);
            if (strcmp(category, e->categories[b]) != 0)
                mismatch("%s bin %zu: '%s', want '%s'", pb_categorical_names[e->col], b, category,
                         e->categories[b]);
        } else {
            ck_assert_ptr_null(category); /* the unseen bin */
        }
        uint64_t expect = scale_ref * e->ref_counts[b] + scale_cur * e->cur_counts[b];
        if (count != expect)
            mismatch("%s bin %zu: count %llu, want %llu", pb_categorical_names[e->col], b,
                     (unsigned long long)count, (unsigned long long)expect);
    }
}

static void check_all(const mlops_profile *p, size_t setting, uint64_t scale_ref,
                      uint64_t scale_cur)
{
    for (size_t i = 0; i < NENTRIES; i++)
        if (pb_numeric[i].setting == setting) check_numeric(p, &pb_numeric[i], scale_ref, scale_cur);
    for (size_t j = 0; j < PB_CATEGORICAL; j++)
        check_categorical(p, &pb_categorical[j], scale_ref, scale_cur);
}

START_TEST(fixed_bins_match_numpy)
{
    mismatches_reset();
    mlops_dataset *ref = fixture(0), *cur = fixture(1);
    edges_compared = edges_matched_bitwise = 0;
    for (size_t s = 0; s < PB_SETTINGS; s++) {
        mlops_profile *p = fixture_reference(ref, pb_bins[s]);
        /* The reference's own values never land in an outer bin. */
        check_all(p, s, 1, 0);
        for (size_t j = 0; j < NCOLS; j++)
            ck_assert_int_eq(mlops_profile_column_flags(p, j) & MLOPS_PROFILE_HISTOGRAM_ESTIMATED,
                             0);
        ck_assert_int_eq(mlops_profile_column_flags(p, 3), MLOPS_PROFILE_CONSTANT);
        ck_assert_int_eq(mlops_profile_column_flags(p, 4), MLOPS_PROFILE_ALL_MISSING);
        ck_assert_int_eq(mlops_profile_column_flags(p, 7), MLOPS_PROFILE_ALL_MISSING);
        /* Values added afterwards are counted exactly on the fixed bins. */
        add(p, cur);
        check_all(p, s, 1, 1);
        add(p, ref);
        check_all(p, s, 2, 1);
        mlops_profile_free(p);
    }
    fprintf(stderr, "profile_bins: %zu of %zu edges equal NumPy's bit for bit\n",
            edges_matched_bitwise, edges_compared);
    mlops_dataset_free(ref);
    mlops_dataset_free(cur);
    assert_no_mismatch();
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(like_profiles_count_current_data)
{
    mismatches_reset();
    mlops_dataset *ref = fixture(0), *cur = fixture(1);
    for (size_t s = 0; s < PB_SETTINGS; s++) {
        mlops_profile *r = fixture_reference(ref, pb_bins[s]);
        mlops_profile *c = like(r);
        /* Same columns and bins, none of the data. */
        ck_assert_int_ne(mlops_profile_has_bins(c), 0);
        ck_assert_uint_eq(mlops_profile_rows(c), 0);
        ck_assert_uint_eq(mlops_profile_cols(c), NCOLS);
        for (size_t j = 0; j < NCOLS; j++) {
            ck_assert_str_eq(mlops_profile_column_name(c, j), mlops_profile_column_name(r, j));
            ck_assert_int_eq(mlops_profile_column_type(c, j), mlops_profile_column_type(r, j));
            uint64_t count = 1, missing = 1;
            ck_assert_int_eq(mlops_profile_counts(c, j, &count, &missing), MLOPS_OK);
            ck_assert_uint_eq(count, 0);
            ck_assert_uint_eq(missing, 0);
        }
        check_all(c, s, 0, 0);
        /* Current values below and above every range land in the outer
         * bins, unseen categories in the unseen bin. */
        add(c, cur);
        ck_assert_uint_eq(mlops_profile_rows(c), PB_CUR_ROWS);
        check_all(c, s, 0, 1);
        for (size_t j = 0; j < NCOLS; j++)
            ck_assert_int_eq(mlops_profile_column_flags(c, j) & MLOPS_PROFILE_HISTOGRAM_ESTIMATED,
                             0);
        /* Its statistics are the current table's own. */
        double min, max;
        ck_assert_int_eq(mlops_profile_stats(c, 0, &min, &max, NULL, NULL), MLOPS_OK);
        double want_min = INFINITY, want_max = -INFINITY;
        for (size_t i = 0; i < PB_CUR_ROWS; i++) {
            double v = pb_cur_numeric[0][i];
            if (isnan(v)) continue;
            want_min = v < want_min ? v : want_min;
            want_max = v > want_max ? v : want_max;
        }
        ck_assert(min == want_min && max == want_max);
        /* A second one like it merges, both ways round, with the reference. */
        mlops_profile *c2 = like(r);
        add(c2, cur);
        merge(c2, c);
        check_all(c2, s, 0, 2);
        merge(c2, r);
        check_all(c2, s, 1, 2);
        merge(r, c);
        check_all(r, s, 1, 1);
        ck_assert_uint_eq(mlops_profile_rows(r), PB_REF_ROWS + PB_CUR_ROWS);
        /* A like profile of a like profile has the same bins. */
        mlops_profile *c3 = like(c);
        check_all(c3, s, 0, 0);
        mlops_profile_free(c3);
        mlops_profile_free(c2);
        mlops_profile_free(c);
        mlops_profile_free(r);
    }
    /* Settings may still change before data; then only equal ones merge. */
    mlops_profile *r = fixture_reference(ref, 10);
    mlops_profile *c = like(r);
    set(c, "quality", "0");
    set(c, "top_k", "3");
    add(c, cur);
    check_all(c, 0, 0, 1);
    assert_fails(mlops_profile_merge(r, c), MLOPS_EINVAL, "differs");
    check_all(r, 0, 1, 0);
    mlops_profile_free(c);
    /* A profile without fixed bins cannot be copied that way. */
    mlops_profile *plain = new_profile(), *out = NULL;
    add(plain, ref);
    assert_fails(mlops_profile_create_like(&out, plain), MLOPS_ESTATE, "bins");
    ck_assert_ptr_null(out);
    mlops_profile *empty = new_profile();
    ck_assert_int_eq(mlops_profile_create_like(&out, empty), MLOPS_ESTATE);
    ck_assert_ptr_null(out);
    assert_fails(mlops_profile_create_like(NULL, r), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_create_like(&out, NULL), MLOPS_EINVAL, "NULL");
    ck_assert_ptr_null(out);
    /* A batch with other columns is refused. */
    c = like(r);
    size_t cols[] = {1, 0, 2, 3, 4, 5, 6, 7};
    mlops_dataset *swapped;
    ck_assert_int_eq(mlops_dataset_select_columns(&swapped, cur, cols, NCOLS), MLOPS_OK);
    assert_fails(mlops_profile_add(c, swapped), MLOPS_EINVAL, "'u'");
    ck_assert_uint_eq(mlops_profile_rows(c), 0);
    mlops_dataset_free(swapped);
    mlops_profile_free(c);
    mlops_profile_free(empty);
    mlops_profile_free(plain);
    mlops_profile_free(r);
    mlops_dataset_free(ref);
    mlops_dataset_free(cur);
    assert_no_mismatch();
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static mlops_dataset *one_numeric(const char *name, const double *v, size_t n)
{
    const char *names[] = {"finite", name};
    double *m = malloc(2 * n * sizeof *m);
    for (size_t i = 0; i < n; i++) {
        m[2 * i] = (double)i;
        m[2 * i + 1] = v[i];
    }
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_from_matrix(&d, m, n, 2, 2, names), MLOPS_OK);
    free(m);
    return d;
}

START_TEST(fix_bins_errors)
{
    mismatches_reset();
    mlops_dataset *ref = fixture(0);
    mlops_profile *p = new_profile();
    size_t n = 0;
    assert_fails(mlops_profile_fix_bins(NULL), MLOPS_EINVAL, "NULL");
    ck_assert_int_eq(mlops_profile_has_bins(NULL), 0);
    /* Before any batch: nothing to take the bins from. */
    ck_assert_int_eq(mlops_profile_fix_bins(p), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_profile_has_bins(p), 0);
    assert_fails(mlops_profile_bin_count(p, 0, &n), MLOPS_EINVAL, "out of range");
    /* Settings. */
    assert_fails(mlops_profile_set(p, "bins", "0"), MLOPS_EINVAL, "bins");
    assert_fails(mlops_profile_set(p, "bins", "1000001"), MLOPS_EINVAL, "bins");
    assert_fails(mlops_profile_set(p, "bins", "-3"), MLOPS_EINVAL, "bins");
    assert_fails(mlops_profile_set(p, "bins", "ten"), MLOPS_EINVAL, "bins");
    assert_fails(mlops_profile_set(p, "quality", "2"), MLOPS_EINVAL, "quality");
    assert_fails(mlops_profile_set(p, "quality", "-1"), MLOPS_EINVAL, "quality");
    assert_fails(mlops_profile_set(p, "bin", "10"), MLOPS_EINVAL, "did you mean 'bins'");
    set(p, "bins", "1000000");
    set(p, "bins", "1");
    set(p, "quality", "0");
    set(p, "quality", "1");
    set(p, "bins", "10");
    add(p, ref);
    /* Bins not fixed yet. */
    assert_fails(mlops_profile_bin_count(p, 0, &n), MLOPS_ESTATE, "bins");
    assert_fails(mlops_profile_bin(p, 0, 0, NULL, NULL, NULL, NULL), MLOPS_ESTATE, "bins");
    fix(p);
    /* Twice. */
    assert_fails(mlops_profile_fix_bins(p), MLOPS_ESTATE, "already");
    check_all(p, 0, 1, 0);
    assert_fails(mlops_profile_bin_count(p, 0, NULL), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_bin_count(p, NCOLS, &n), MLOPS_EINVAL, "out of range");
    assert_fails(mlops_profile_bin_count(NULL, 0, &n), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_bin(p, NCOLS, 0, NULL, NULL, NULL, NULL), MLOPS_EINVAL,
                 "out of range");
    n = bin_count(p, 0);
    assert_fails(mlops_profile_bin(p, 0, n, NULL, NULL, NULL, NULL), MLOPS_EINVAL, "out of range");
    n = bin_count(p, 6);
    assert_fails(mlops_profile_bin(p, 6, n, NULL, NULL, NULL, NULL), MLOPS_EINVAL, "out of range");
    assert_fails(mlops_profile_bin(NULL, 0, 0, NULL, NULL, NULL, NULL), MLOPS_EINVAL, "NULL");
    assert_fails(mlops_profile_set(p, "bins", "5"), MLOPS_ESTATE, "data");
    mlops_profile_free(p);

    /* An infinite value: refused, naming the column, nothing fixed. */
    static const double WITH_INF[][4] = {{1, 2, INFINITY, 3}, {1, -INFINITY, 2, 3}};
    for (size_t k = 0; k < 2; k++) {
        mlops_dataset *d = one_numeric("has_inf", WITH_INF[k], 4);
        p = new_profile();
        add(p, d);
        assert_fails(mlops_profile_fix_bins(p), MLOPS_EINVAL, "has_inf");
        ck_assert_int_eq(mlops_profile_has_bins(p), 0);
        mlops_profile *copy = NULL;
        assert_fails(mlops_profile_create_like(&copy, p), MLOPS_ESTATE, "bins");
        ck_assert_ptr_null(copy);
        mlops_profile_free(p);
        mlops_dataset_free(d);
    }

    /* A batch of no rows fixes the columns: every column gets a single bin
     * ((-Inf, +Inf), or the unseen bin). */
    size_t none = 0;
    mlops_dataset *empty = NULL;
    ck_assert_int_eq(mlops_dataset_take_rows(&empty, ref, &none, 0), MLOPS_OK);
    p = new_profile();
    add(p, empty);
    fix(p);
    for (size_t j = 0; j < NCOLS; j++)
        if (bin_count(p, j) != 1u)
            mismatch("column %zu of a profile without rows has %zu bins, not 1", j,
                     bin_count(p, j));
    mlops_profile *c = like(p);
    add(c, ref);
    for (size_t j = 0; j < NCOLS; j++) {
        uint64_t count, total = 0;
        ck_assert_int_eq(mlops_profile_counts(c, j, &count, NULL), MLOPS_OK);
        for (size_t b = 0; b < bin_count(c, j); b++) total += bin_n(c, j, b);
        ck_assert_uint_eq(total, count);
    }
    mlops_profile_free(c);
    mlops_profile_free(p);
    mlops_dataset_free(empty);
    mlops_dataset_free(ref);
    assert_no_mismatch();
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(quality_zero_skips_distinct_and_duplicates)
{
    mismatches_reset();
    mlops_dataset *ref = fixture(0);
    mlops_profile *q0 = new_profile(), *q1 = new_profile();
    set(q0, "quality", "0");
    add(q0, ref);
    add(q1, ref);
    assert_fails(mlops_profile_distinct(q0, 0, NULL, NULL), MLOPS_ESTATE, "quality");
    assert_fails(mlops_profile_distinct(q0, 6, NULL, NULL), MLOPS_ESTATE, "quality");
    assert_fails(mlops_profile_duplicate_rows(q0, NULL, NULL), MLOPS_ESTATE, "quality");
    /* Everything else is the same as with quality 1. */
    ck_assert_uint_eq(mlops_profile_rows(q0), PB_REF_ROWS);
    for (size_t j = 0; j < NCOLS; j++) {
        uint64_t c0, m0, c1, m1;
        ck_assert_int_eq(mlops_profile_counts(q0, j, &c0, &m0), MLOPS_OK);
        ck_assert_int_eq(mlops_profile_counts(q1, j, &c1, &m1), MLOPS_OK);
        ck_assert_uint_eq(c0, c1);
        ck_assert_uint_eq(m0, m1);
        if (j >= PB_NUMERIC || j == 4) continue;
        double a[4], b[4], qa, qb;
        ck_assert_int_eq(mlops_profile_stats(q0, j, &a[0], &a[1], &a[2], &a[3]), MLOPS_OK);
        ck_assert_int_eq(mlops_profile_stats(q1, j, &b[0], &b[1], &b[2], &b[3]), MLOPS_OK);
        for (size_t k = 0; k < 4; k++) ck_assert(a[k] == b[k]);
        ck_assert_int_eq(mlops_profile_quantile(q0, j, 0.37, &qa, NULL), MLOPS_OK);
        ck_assert_int_eq(mlops_profile_quantile(q1, j, 0.37, &qb, NULL), MLOPS_OK);
        ck_assert(qa == qb);
    }
    const char *top;
    uint64_t n;
    ck_assert_int_eq(mlops_profile_top(q0, 6, 0, &top, &n, NULL), MLOPS_OK);
    ck_assert_str_eq(top, "a");
    ck_assert_uint_eq(n, 108);
    char *json = NULL;
    ck_assert_int_eq(mlops_profile_to_json(q0, &json), MLOPS_OK);
    mlops_free(json);
    fix(q0);
    check_all(q0, 0, 1, 0);
    /* Different quality: no merge. */
    assert_fails(mlops_profile_merge(q1, q0), MLOPS_EINVAL, "quality");
    mlops_profile_free(q0);
    mlops_profile_free(q1);
    mlops_dataset_free(ref);
    assert_no_mismatch();
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- Generated data: shards merged -------------------------------------- */

static uint64_t next_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *state) /* in (0, 1) */
{
    return ((double)(next_u64(state) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(uint64_t *state)
{
    double u1 = uniform(state), u2 = uniform(state);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static const char *const CATEGORY[] = {
    "k00", "k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09",
    "k10", "k11", "k12", "k13", "k14", "k15", "k16", "k17", "k18", "k19",
    "k20", "k21", "k22", "k23", "k24", "k25", "k26", "k27", "k28", "k29",
};

/* A generated table: x continuous, m whole numbers 0 .. 99 with 10% missing,
 * w heavy-tailed, k one of `ncat` categories with 5% missing. `shift`
 * moves and widens the numeric distributions. */
typedef struct table {
    size_t n;
    double *x, *m, *w;
    const char **k;
} table;

static table make_table(size_t n, uint64_t seed, double shift, size_t ncat)
{
    table t = {n, malloc(n * sizeof(double)), malloc(n * sizeof(double)),
               malloc(n * sizeof(double)), malloc(n * sizeof(char *))};
    for (size_t i = 0; i < n; i++) {
        t.x[i] = shift + (1.0 + shift) * normal(&seed);
        uint64_t r = next_u64(&seed);
        t.m[i] = r % 10 == 0 ? NAN : (double)((r >> 8) % (size_t)(80 + 20 * shift));
        t.w[i] = pow(uniform(&seed), -0.5 - shift) - 1.0;
        r = next_u64(&seed);
        t.k[i] = r % 20 == 0 ? NULL : CATEGORY[(r >> 8) % ncat];
    }
    return t;
}

static void free_table(table *t)
{
    free(t->x);
    free(t->m);
    free(t->w);
    free(t->k);
}

static mlops_dataset *table_rows(const table *t, size_t first, size_t n)
{
    mlops_dataset_builder *b;
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, n), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "x", t->x + first), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "m", t->m + first), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, "k", t->k + first), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, "w", t->w + first), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &d), MLOPS_OK);
    mlops_dataset_builder_free(b);
    return d;
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void assert_rel(double got, double want, double rel, const char *what, size_t col)
{
    ck_assert_msg(same_double(got, want) || fabs(got - want) <= rel * fabs(want),
                  "%s of column %zu: %.17g, want %.17g", what, col, got, want);
}

/* a and b describe the same rows: counts, missing, min, max, histograms
 * and exact top categories equal; mean and std to 1e-12. */
static void assert_same_counts(const mlops_profile *a, const mlops_profile *b, int moments)
{
    ck_assert_uint_eq(mlops_profile_rows(a), mlops_profile_rows(b));
    ck_assert_uint_eq(mlops_profile_cols(a), mlops_profile_cols(b));
    for (size_t j = 0; j < mlops_profile_cols(a); j++) {
        uint64_t ca, ma, cb, mb;
        ck_assert_int_eq(mlops_profile_counts(a, j, &ca, &ma), MLOPS_OK);
        ck_assert_int_eq(mlops_profile_counts(b, j, &cb, &mb), MLOPS_OK);
        ck_assert_uint_eq(ca, cb);
        ck_assert_uint_eq(ma, mb);
        size_t n = bin_count(a, j);
        ck_assert_uint_eq(bin_count(b, j), n);
        for (size_t k = 0; k < n; k++) {
            double la, ha, lb, hb;
            const char *sa, *sb;
            uint64_t na, nb;
            ck_assert_int_eq(mlops_profile_bin(a, j, k, &la, &ha, &sa, &na), MLOPS_OK);
            ck_assert_int_eq(mlops_profile_bin(b, j, k, &lb, &hb, &sb, &nb), MLOPS_OK);
            ck_assert(same_double(la, lb) && same_double(ha, hb));
            ck_assert((sa == NULL) == (sb == NULL));
            if (sa) ck_assert_str_eq(sa, sb);
            ck_assert_msg(na == nb, "column %zu bin %zu: %llu vs %llu", j, k,
                          (unsigned long long)na, (unsigned long long)nb);
        }
        if (mlops_profile_column_type(a, j) == MLOPS_NUMERIC) {
            double sa[4], sb[4];
            ck_assert_int_eq(mlops_profile_stats(a, j, &sa[0], &sa[1], &sa[2], &sa[3]), MLOPS_OK);
            ck_assert_int_eq(mlops_profile_stats(b, j, &sb[0], &sb[1], &sb[2], &sb[3]), MLOPS_OK);
            ck_assert(same_double(sa[0], sb[0]) && same_double(sa[1], sb[1]));
            if (moments) {
                assert_rel(sa[2], sb[2], 1e-12, "mean", j);
                assert_rel(sa[3], sb[3], 1e-12, "std", j);
            }
        } else {
            size_t ta, tb;
            ck_assert_int_eq(mlops_profile_top_count(a, j, &ta), MLOPS_OK);
            ck_assert_int_eq(mlops_profile_top_count(b, j, &tb), MLOPS_OK);
            ck_assert_uint_eq(ta, tb);
            for (size_t r = 0; r < ta; r++) {
                const char *va, *vb;
                uint64_t na, nb, ea, eb;
                ck_assert_int_eq(mlops_profile_top(a, j, r, &va, &na, &ea), MLOPS_OK);
                ck_assert_int_eq(mlops_profile_top(b, j, r, &vb, &nb, &eb), MLOPS_OK);
                ck_assert_uint_eq(ea, 0);
                ck_assert_uint_eq(eb, 0);
                ck_assert_str_eq(va, vb);
                ck_assert_uint_eq(na, nb);
            }
        }
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The present values of v[0..n), sorted, into *out; returns their number. */
static size_t sorted_present(const double *v, size_t n, double **out)
{
    double *s = malloc((n ? n : 1) * sizeof *s);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) s[m++] = v[i];
    qsort(s, m, sizeof *s, cmp_double);
    *out = s;
    return m;
}

/* Values below / at or below v in sorted[0..n). */
static size_t count_below(const double *sorted, size_t n, double v, int inclusive)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < v || (inclusive && sorted[mid] == v)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Distance of q from the normalized ranks v occupies in sorted[0..n). */
static double rank_error(const double *sorted, size_t n, double v, double q)
{
    double lo = (double)count_below(sorted, n, v, 0) / (double)n;
    double hi = (double)count_below(sorted, n, v, 1) / (double)n;
    return q < lo ? lo - q : (q > hi ? q - hi : 0.0);
}

/* numpy.quantile(sorted, q), method 'linear', with NumPy 1.24's lerp. */
static double numpy_quantile(const double *sorted, size_t n, double q)
{
    double h = (double)(n - 1) * q, i = floor(h), t = h - i;
    size_t k = (size_t)i;
    if (k >= n - 1) return sorted[n - 1];
    double a = sorted[k], b = sorted[k + 1], diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/* Histogram of numeric column values v[0..n) on the bins of column `col`
 * of `p` by the documented rule, counted here value by value. */
static void brute_numeric(const mlops_profile *p, size_t col, const double *v, size_t n,
                          uint64_t *counts)
{
    size_t nb = bin_count(p, col);
    double *lo = malloc(nb * sizeof *lo), *hi = malloc(nb * sizeof *hi);
    for (size_t b = 0; b < nb; b++) {
        ck_assert_int_eq(mlops_profile_bin(p, col, b, &lo[b], &hi[b], NULL, NULL), MLOPS_OK);
        counts[b] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        if (isnan(x)) continue;
        size_t b;
        if (x < hi[0]) b = 0;
        else if (x > lo[nb - 1]) b = nb - 1;
        else {
            /* An inner bin [lo, hi), the last one closed. */
            for (b = 1; b + 2 < nb && !(x < hi[b]); b++) {}
            ck_assert(x >= lo[b] && x <= hi[b]);
        }
        counts[b]++;
    }
    free(lo);
    free(hi);
}

static void brute_categorical(const mlops_profile *p, size_t col, const char *const *v,
                              size_t n, uint64_t *counts)
{
    size_t nb = bin_count(p, col);
    const char **cat = malloc(nb * sizeof *cat);
    for (size_t b = 0; b < nb; b++) {
        ck_assert_int_eq(mlops_profile_bin(p, col, b, NULL, NULL, &cat[b], NULL), MLOPS_OK);
        counts[b] = 0;
        if (b > 0 && b + 1 < nb) ck_assert(strcmp(cat[b - 1], cat[b]) < 0);
    }
    ck_assert_ptr_null(cat[nb - 1]);
    for (size_t i = 0; i < n; i++) {
        if (v[i] == NULL) continue;
        size_t b = 0;
        while (b + 1 < nb && strcmp(cat[b], v[i]) != 0) b++;
        counts[b]++;
    }
    free(cat);
}

static void assert_histogram(const mlops_profile *p, size_t col, const uint64_t *want)
{
    for (size_t b = 0; b < bin_count(p, col); b++)
        ck_assert_msg(bin_n(p, col, b) == want[b], "column %zu bin %zu: %llu, counted %llu", col,
                      b, (unsigned long long)bin_n(p, col, b), (unsigned long long)want[b]);
}

static const double QS[] = {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999};
enum { NQS = sizeof QS / sizeof QS[0] };

static void set_all(mlops_profile *const *ps, size_t n, const char *key, const char *value)
{
    for (size_t i = 0; i < n; i++) set(ps[i], key, value);
}

/* Shards of `t` profiled on the bins of `ref` and merged equal the profile
 * of the whole; `exact` keeps every value (exact quantiles), otherwise
 * quantile_exact_limit = 1000 sends the quantiles to the sketch. */
static void check_shards(const mlops_profile *ref, const table *t, int exact)
{
    const size_t n = t->n, q = n / 4;
    mlops_profile *whole = like(ref), *shard[4], *seq = like(ref), *pairs = like(ref),
                  *cd = like(ref);
    mlops_profile *all[8] = {whole, seq, pairs, cd};
    for (size_t i = 0; i < 4; i++) all[4 + i] = shard[i] = like(ref);
    if (exact) {
        set_all(all, 8, "exact_values_budget", "0");
        set_all(all, 8, "quantile_exact_limit", "1000000");
    } else {
        set_all(all, 8, "quantile_exact_limit", "1000");
    }
    mlops_dataset *d = table_rows(t, 0, n);
    add(whole, d);
    mlops_dataset_free(d);
    for (size_t i = 0; i < 4; i++) {
        size_t first = i * q, len = i == 3 ? n - 3 * q : q;
        d = table_rows(t, first, len);
        add(shard[i], d);
        mlops_dataset_free(d);
    }
    /* ((a + b) + c) + d and (a + b) + (c + d). */
    for (size_t i = 0; i < 4; i++) merge(seq, shard[i]);
    merge(pairs, shard[0]);
    merge(pairs, shard[1]);
    merge(cd, shard[2]);
    merge(cd, shard[3]);
    merge(pairs, cd);
    assert_same_counts(seq, whole, 1);
    assert_same_counts(pairs, whole, 1);
    assert_same_counts(seq, pairs, 1);

    /* The histograms are the data's, counted here value by value. */
    uint64_t want[128];
    const double *num[] = {t->x, t->m, NULL, t->w};
    for (size_t j = 0; j < 4; j++) {
        ck_assert_uint_le(bin_count(whole, j), 128);
        if (j == 2) brute_categorical(whole, j, t->k, n, want);
        else brute_numeric(whole, j, num[j], n, want);
        assert_histogram(whole, j, want);
        assert_histogram(seq, j, want);
        assert_histogram(pairs, j, want);
        uint64_t outer = j == 2 ? want[bin_count(whole, j) - 1]
                                : want[0] + want[bin_count(whole, j) - 1];
        ck_assert_uint_gt(outer, 0); /* the shifted data leaves the reference's range */
    }

    /* Quantiles: bit for bit when exact, else within the sketch's bound. */
    const double eps = 2.296 / pow(200.0, 0.9723);
    for (size_t j = 0; j < 4; j++) {
        if (j == 2) continue;
        double *sorted;
        size_t m = sorted_present(num[j], n, &sorted);
        const mlops_profile *ps[] = {whole, seq, pairs};
        for (size_t w = 0; w < 3; w++)
            for (size_t k = 0; k < NQS; k++) {
                double v;
                int ex = -1;
                ck_assert_int_eq(mlops_profile_quantile(ps[w], j, QS[k], &v, &ex), MLOPS_OK);
                ck_assert_int_eq(ex, exact);
                if (exact) {
                    ck_assert_msg(v == numpy_quantile(sorted, m, QS[k]),
                                  "column %zu q %g: %.17g, want %.17g", j, QS[k], v,
                                  numpy_quantile(sorted, m, QS[k]));
                } else {
                    double err = rank_error(sorted, m, v, QS[k]);
                    ck_assert_msg(err <= eps, "profile %zu column %zu q %g: %g has rank error %g",
                                  w, j, QS[k], v, err);
                }
            }
        free(sorted);
    }
    for (size_t i = 0; i < 8; i++) mlops_profile_free(all[i]);
}

START_TEST(shards_merge_into_the_whole)
{
    const size_t n = scaled(200000);
    table rt = make_table(5000, 17, 0.0, 20), big = make_table(n, 23, 0.3, 30);
    mlops_dataset *rd = table_rows(&rt, 0, rt.n);
    mlops_profile *ref = new_profile();
    set(ref, "bins", "20");
    add(ref, rd);
    fix(ref);
    ck_assert_uint_eq(bin_count(ref, 0), 22);
    ck_assert_uint_eq(bin_count(ref, 2), 21);
    check_shards(ref, &big, 0);
    check_shards(ref, &big, 1);

    /* Profiles on other bins do not merge. */
    table other = make_table(5000, 31, 0.1, 20);
    mlops_dataset *od = table_rows(&other, 0, other.n), *some = table_rows(&big, 0, 1000);
    mlops_profile *ref2 = new_profile();
    set(ref2, "bins", "20");
    add(ref2, od);
    fix(ref2);
    mlops_profile *a = like(ref), *b = like(ref2);
    add(a, some);
    add(b, some);
    assert_fails(mlops_profile_merge(a, b), MLOPS_EINVAL, "bins");
    assert_fails(mlops_profile_merge(b, a), MLOPS_EINVAL, "bins");
    assert_fails(mlops_profile_merge(ref, ref2), MLOPS_EINVAL, "bins");
    ck_assert_uint_eq(mlops_profile_rows(a), 1000);
    /* Nor a profile with bins and one without. */
    mlops_profile *plain = new_profile();
    set(plain, "bins", "20");
    add(plain, some);
    ck_assert_int_eq(mlops_profile_merge(a, plain), MLOPS_EINVAL);
    ck_assert_uint_eq(mlops_profile_rows(a), 1000);
    mlops_profile_free(plain);
    mlops_profile_free(a);
    mlops_profile_free(b);
    mlops_profile_free(ref2);
    mlops_dataset_free(od);
    mlops_dataset_free(some);
    free_table(&other);

    mlops_profile_free(ref);
    mlops_dataset_free(rd);
    free_table(&rt);
    free_table(&big);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- Estimated histograms ------------------------------------------------ */

START_TEST(histograms_estimated_from_the_sketch)
{
    /* A reference of n values (0 .. n-1 shuffled, so a value's rank is the
     * value) beyond quantile_exact_limit, added in batches; plus a
     * categorical column, whose counts stay exact. */
    const size_t n = scaled(100000);
    const double eps = 2.296 / pow(200.0, 0.9723);
    table t = make_table(n, 41, 0.0, 12);
    uint64_t seed = 43;
    for (size_t i = 0; i < n; i++) t.x[i] = (double)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(next_u64(&seed) % i);
        double tmp = t.x[i - 1];
        t.x[i - 1] = t.x[j];
        t.x[j] = tmp;
    }
    mlops_profile *ref = new_profile();
    set(ref, "quantile_exact_limit", "1000");
    for (size_t first = 0; first < n; first += 7919) {
        mlops_dataset *d = table_rows(&t, first, n - first < 7919 ? n - first : 7919);
        add(ref, d);
        mlops_dataset_free(d);
    }
    fix(ref);
    uint64_t want[64];
    const double *num[] = {t.x, t.m, NULL, t.w};
    for (size_t j = 0; j < 4; j++) {
        int flags = mlops_profile_column_flags(ref, j);
        ck_assert_int_ge(flags, 0);
        ck_assert_int_eq(flags & MLOPS_PROFILE_HISTOGRAM_ESTIMATED,
                         j == 2 ? 0 : MLOPS_PROFILE_HISTOGRAM_ESTIMATED);
        size_t nb = bin_count(ref, j);
        ck_assert_uint_le(nb, 64);
        if (j == 2) {
            brute_categorical(ref, j, t.k, n, want);
            assert_histogram(ref, j, want);
            ck_assert_uint_eq(nb, 13);
            continue;
        }
        uint64_t present;
        ck_assert_int_eq(mlops_profile_counts(ref, j, &present, NULL), MLOPS_OK);
        brute_numeric(ref, j, num[j], n, want);
        /* The edges are the sketch's quantiles: the extremes exact, so no
         * reference value is outside, the others within the rank bound. */
        ck_assert_uint_eq(want[0], 0);
        ck_assert_uint_eq(want[nb - 1], 0);
        double *sorted;
        size_t m = sorted_present(num[j], n, &sorted);
        ck_assert_uint_eq(m, present);
        double lo, hi;
        ck_assert_int_eq(mlops_profile_bin(ref, j, 1, &lo, NULL, NULL, NULL), MLOPS_OK);
        ck_assert(lo == sorted[0]);
        ck_assert_int_eq(mlops_profile_bin(ref, j, nb - 2, NULL, &hi, NULL, NULL), MLOPS_OK);
        ck_assert(hi == sorted[m - 1]);
        if (j == 0) {
            ck_assert_uint_eq(nb, 12); /* distinct values: no edge repeats */
            for (size_t b = 1; b + 1 < nb; b++) {
                ck_assert_int_eq(mlops_profile_bin(ref, j, b, &lo, NULL, NULL, NULL), MLOPS_OK);
                double err = rank_error(sorted, m, lo, (double)(b - 1) / 10.0);
                ck_assert_msg(err <= eps, "edge %zu = %g: rank error %g", b - 1, lo, err);
            }
        }
        free(sorted);
        /* Each count within 2 eps N of the true one; together N. */
        uint64_t total = 0;
        for (size_t b = 0; b < nb; b++) {
            uint64_t got = bin_n(ref, j, b);
            total += got;
            double err = fabs((double)got - (double)want[b]);
            ck_assert_msg(err <= 2 * eps * (double)present,
                          "column %zu bin %zu: estimated %llu, true %llu", j, b,
                          (unsigned long long)got, (unsigned long long)want[b]);
        }
        ck_assert_uint_eq(total, present);
    }
    /* A second pass over the same data on the same bins counts exactly. */
    mlops_profile *again = like(ref);
    mlops_dataset *d = table_rows(&t, 0, n);
    add(again, d);
    for (size_t j = 0; j < 4; j++) {
        ck_assert_int_eq(mlops_profile_column_flags(again, j) & MLOPS_PROFILE_HISTOGRAM_ESTIMATED,
                         0);
        if (j == 2) brute_categorical(again, j, t.k, n, want);
        else brute_numeric(again, j, num[j], n, want);
        assert_histogram(again, j, want);
    }
    /* Values added to the estimated reference afterwards are counted
     * exactly on top of the estimate. */
    uint64_t before[64];
    for (size_t b = 0; b < bin_count(ref, 0); b++) before[b] = bin_n(ref, 0, b);
    add(ref, d);
    brute_numeric(ref, 0, t.x, n, want);
    for (size_t b = 0; b < bin_count(ref, 0); b++)
        ck_assert_uint_eq(bin_n(ref, 0, b), before[b] + want[b]);
    mlops_dataset_free(d);
    mlops_profile_free(again);
    mlops_profile_free(ref);
    free_table(&t);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- Allocation failures -------------------------------------------------- */

typedef struct sweep_ctx {
    const mlops_dataset *ref, *cur;
    const char *limit;
} sweep_ctx;

/* Reference, fixed bins, a profile like it fed the current table and merged
 * back: everything freed whatever fails. */
static int bins_lifecycle(void *arg)
{
    sweep_ctx *c = arg;
    mlops_profile *r = NULL, *k = NULL, *k2 = NULL;
    int rc = mlops_profile_create(&r);
    if (rc == MLOPS_OK) rc = mlops_profile_set(r, "quantile_exact_limit", c->limit);
    if (rc == MLOPS_OK) rc = mlops_profile_add(r, c->ref);
    if (rc == MLOPS_OK) rc = mlops_profile_fix_bins(r);
    if (rc == MLOPS_OK) rc = mlops_profile_create_like(&k, r);
    if (rc == MLOPS_OK) rc = mlops_profile_add(k, c->cur);
    if (rc == MLOPS_OK) rc = mlops_profile_create_like(&k2, k);
    if (rc == MLOPS_OK) rc = mlops_profile_merge(k2, k);
    if (rc == MLOPS_OK) rc = mlops_profile_merge(r, k2);
    mlops_profile_free(r);
    mlops_profile_free(k);
    mlops_profile_free(k2);
    return rc;
}

START_TEST(allocation_failures)
{
    mismatches_reset();
    mlops_dataset *ref = fixture(0), *cur = fixture(1);
    sweep_ctx exact = {ref, cur, "100000"}, sketched = {ref, cur, "50"};
    ck_assert_int_gt(fault_alloc_sweep(bins_lifecycle, NULL, &exact), 20);
    ck_assert_int_gt(fault_alloc_sweep(bins_lifecycle, NULL, &sketched), 20);

    /* fix_bins failing for want of memory leaves the profile as it was:
     * a later call fixes the same bins. */
    for (int sketch = 0; sketch < 2; sketch++) {
        mlops_profile *p = new_profile();
        set(p, "quantile_exact_limit", sketch ? "50" : "100000");
        add(p, ref);
        long k = 0;
        for (;; k++) {
            fault_alloc_fail_at(k);
            int rc = mlops_profile_fix_bins(p);
            fault_alloc_fail_at(-1);
            if (rc == MLOPS_OK) break;
            ck_assert_int_eq(rc, MLOPS_ENOMEM);
            ck_assert_int_eq(mlops_profile_has_bins(p), 0);
        }
        ck_assert_int_gt(k, 0);
        if (!sketch) check_all(p, 0, 1, 0);
        mlops_profile_free(p);
    }
    mlops_dataset_free(ref);
    mlops_dataset_free(cur);
    assert_no_mismatch();
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("profile_bins");
    TCase *tc = tcase_create("reference");
    tcase_add_test(tc, fixed_bins_match_numpy);
    tcase_add_test(tc, like_profiles_count_current_data);
    tcase_add_test(tc, fix_bins_errors);
    tcase_add_test(tc, quality_zero_skips_distinct_and_duplicates);
    suite_add_tcase(s, tc);
    tc = tcase_create("generated");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, shards_merge_into_the_whole);
    tcase_add_test(tc, histograms_estimated_from_the_sketch);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
