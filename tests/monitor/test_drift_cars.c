/* Drift monitoring on real data: tests/data/real/cars.csv (Auto MPG).
 *
 * Time split: reference = model years up to 1975, current = 1980 and later.
 * Cars changed over those years (the oil crises, fuel-economy standards), so
 * with the default settings Miles_per_Gallon, Weight_in_lbs and Origin must
 * drift; so do, against SciPy's numbers in drift_report_reference.h
 * (tests/reference/make_drift_report_reference.py), Cylinders, Displacement,
 * Horsepower and Acceleration: every compared column, hence data set drift.
 *
 * Random split: 100 shuffles of the rows into two halves. Nothing drifts
 * between random halves, so the chance that any column alarms must stay
 * near the 5% the default Benjamini-Hochberg correction aims at (at most
 * 10% here). Data set drift needs half the columns, and is rarer still, but
 * not impossible: Miles_per_Gallon, Cylinders, Displacement, Horsepower,
 * Weight_in_lbs and Origin all measure the size of the car, so a split
 * that happens to put more large cars in one half moves them together (with
 * the seeds below, 2 of 100 runs flag 4 of the 8 columns: Miles_per_Gallon,
 * Displacement, Weight_in_lbs and Origin, with the p-values SciPy gives).
 * Its rate is held to the 5% level.
 *
 * Columns left out: Name is a row identifier (311 distinct strings in 406
 * rows), whose categories are mostly unseen between any two parts, so it is
 * skipped in both splits. Year is the key of the time split (every current
 * year is unseen by construction), so it is skipped there; between random
 * halves it is an ordinary categorical column and stays in. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "drift_report_reference.h"
#include "runner.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const double RTOL = 1e-10;
static const double ATOL = 1e-300;

static int close_to(double got, double want)
{
    if (isnan(want)) return isnan(got);
    return fabs(got - want) <= RTOL * fabs(want) + ATOL;
}

static mlops_dataset *read_cars(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real/cars.csv", DATA_DIR);
    mlops_dataset *d = NULL;
    int rc = mlops_dataset_read_csv(&d, path, NULL);
    ck_assert_msg(rc == MLOPS_OK, "%s: %s", path, mlops_last_error());
    return d;
}

static mlops_profile *reference_profile(const mlops_dataset *d)
{
    mlops_profile *p = NULL;
    ck_assert_int_eq(mlops_profile_create(&p), MLOPS_OK);
    int rc = mlops_profile_add(p, d);
    ck_assert_msg(rc == MLOPS_OK, "profile_add: %s", mlops_last_error());
    rc = mlops_profile_fix_bins(p);
    ck_assert_msg(rc == MLOPS_OK, "fix_bins: %s", mlops_last_error());
    return p;
}

static mlops_profile *current_profile(const mlops_profile *ref, const mlops_dataset *d)
{
    mlops_profile *p = NULL;
    int rc = mlops_profile_create_like(&p, ref);
    ck_assert_msg(rc == MLOPS_OK, "create_like: %s", mlops_last_error());
    rc = mlops_profile_add(p, d);
    ck_assert_msg(rc == MLOPS_OK, "profile_add current: %s", mlops_last_error());
    return p;
}

static void skip(mlops_drift_monitor *m, const char *column)
{
    int rc = mlops_drift_monitor_set_column(m, column, "skip", NAN);
    ck_assert_msg(rc == MLOPS_OK, "skip %s: %s", column, mlops_last_error());
}

static mlops_drift_report *compare(mlops_drift_monitor *m, const mlops_profile *cur)
{
    mlops_drift_report *r = NULL;
    int rc = mlops_drift_monitor_compare(m, cur, &r);
    ck_assert_msg(rc == MLOPS_OK, "compare: %s", mlops_last_error());
    return r;
}

/* Index of column `name` in the report, or SIZE_MAX. */
static size_t report_column(const mlops_drift_report *r, const char *name)
{
    for (size_t i = 0; i < mlops_drift_report_column_count(r); i++) {
        const char *got = NULL;
        ck_assert_int_eq(mlops_drift_report_column(r, i, &got, NULL, NULL, NULL, NULL, NULL,
                                                   NULL),
                         MLOPS_OK);
        if (strcmp(got, name) == 0) return i;
    }
    return SIZE_MAX;
}

static int drifted(const mlops_drift_report *r, const char *name)
{
    size_t i = report_column(r, name);
    ck_assert_msg(i != SIZE_MAX, "column %s not in the report", name);
    int d = -1;
    ck_assert_int_eq(mlops_drift_report_column(r, i, NULL, NULL, NULL, NULL, NULL, NULL, &d),
                     MLOPS_OK);
    return d;
}

/* Model year of each row, from the Year column ("1970-01-01"). */
static int *model_years(const mlops_dataset *d)
{
    size_t col, n = mlops_dataset_rows(d);
    ck_assert_int_eq(mlops_dataset_column_index(d, "Year", &col), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_column_type(d, col), MLOPS_CATEGORICAL);
    int32_t *codes = malloc(n * sizeof *codes);
    int *years = malloc(n * sizeof *years);
    ck_assert(codes && years);
    ck_assert_int_eq(mlops_dataset_get_codes(d, col, 0, n, codes), MLOPS_OK);
    for (size_t i = 0; i < n; i++) {
        const char *s = mlops_dataset_category(d, col, codes[i]);
        ck_assert_ptr_nonnull(s);
        years[i] = atoi(s);
        ck_assert(years[i] >= 1970 && years[i] <= 1982);
    }
    free(codes);
    return years;
}

START_TEST(test_time_split)
{
    mlops_dataset *all = read_cars();
    size_t n = mlops_dataset_rows(all);
    int *years = model_years(all);
    uint8_t *early = malloc(n), *late = malloc(n);
    ck_assert(early && late);
    for (size_t i = 0; i < n; i++) {
        early[i] = years[i] <= 1975;
        late[i] = years[i] >= 1980;
    }
    mlops_dataset *ref_data = NULL, *cur_data = NULL;
    ck_assert_int_eq(mlops_dataset_filter_rows(&ref_data, all, early), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_filter_rows(&cur_data, all, late), MLOPS_OK);
    ck_assert_uint_eq(mlops_dataset_rows(ref_data), CARS_REFERENCE_ROWS);
    ck_assert_uint_eq(mlops_dataset_rows(cur_data), CARS_CURRENT_ROWS);

    mlops_profile *ref = reference_profile(ref_data);
    mlops_profile *cur = current_profile(ref, cur_data);
    mlops_drift_monitor *m = NULL;
    ck_assert_int_eq(mlops_drift_monitor_create(&m, ref), MLOPS_OK);
    skip(m, "Name");
    skip(m, "Year");
    mlops_drift_report *r = compare(m, cur);

    ck_assert_int_eq(drifted(r, "Miles_per_Gallon"), 1);
    ck_assert_int_eq(drifted(r, "Weight_in_lbs"), 1);
    ck_assert_int_eq(drifted(r, "Origin"), 1);
    ck_assert(report_column(r, "Name") == SIZE_MAX);
    ck_assert(report_column(r, "Year") == SIZE_MAX);

    /* Every figure against SciPy (default methods, Benjamini-Hochberg). */
    ck_assert_uint_eq(mlops_drift_report_column_count(r), COUNT(drift_ref_cars));
    for (size_t k = 0; k < COUNT(drift_ref_cars); k++) {
        const drift_ref_result *e = &drift_ref_cars[k];
        size_t i = report_column(r, e->column);
        ck_assert_msg(i != SIZE_MAX, "column %s not in the report", e->column);
        const char *method = NULL;
        double stat, p, padj, thr;
        int d;
        ck_assert_int_eq(mlops_drift_report_column(r, i, NULL, &method, &stat, &p, &padj, &thr,
                                                   &d),
                         MLOPS_OK);
        ck_assert_msg(strcmp(method, e->method) == 0, "%s: method %s, expected %s", e->column,
                      method, e->method);
        ck_assert_msg(close_to(stat, e->statistic), "%s: statistic %.17g, SciPy %.17g",
                      e->column, stat, e->statistic);
        ck_assert_msg(close_to(p, e->p_value), "%s: p-value %.17g, SciPy %.17g", e->column, p,
                      e->p_value);
        ck_assert_msg(close_to(padj, e->p_adjusted), "%s: adjusted %.17g, expected %.17g",
                      e->column, padj, e->p_adjusted);
        ck_assert(thr == e->threshold);
        ck_assert_int_eq(d, e->drifted);
    }
    double share = -1;
    ck_assert_int_eq(mlops_drift_report_dataset_drift(r, &share), drift_ref_cars_dataset_drift);
    ck_assert(fabs(share - drift_ref_cars_share) <= 1e-15);
    ck_assert_int_eq(mlops_drift_report_severity(r), drift_ref_cars_severity);

    /* Findings: newer cars' mileage and acceleration beyond the old range.
     * Whether skipped columns report findings is not specified, so those
     * on Name and Year are not counted. */
    size_t compared_findings = 0;
    for (size_t i = 0; i < mlops_drift_report_finding_count(r); i++) {
        const char *col = NULL;
        ck_assert_int_eq(mlops_drift_report_finding(r, i, &col, NULL, NULL, NULL), MLOPS_OK);
        compared_findings += strcmp(col, "Name") != 0 && strcmp(col, "Year") != 0;
    }
    ck_assert_uint_eq(compared_findings, COUNT(drift_ref_cars_findings));
    for (size_t k = 0; k < COUNT(drift_ref_cars_findings); k++) {
        const drift_ref_finding *e = &drift_ref_cars_findings[k];
        int found = 0;
        for (size_t i = 0; i < mlops_drift_report_finding_count(r); i++) {
            const char *col = NULL, *kind = NULL;
            uint64_t count = 0;
            ck_assert_int_eq(mlops_drift_report_finding(r, i, &col, &kind, &count, NULL),
                             MLOPS_OK);
            if (strcmp(col, e->column) == 0 && strcmp(kind, e->kind) == 0) {
                ck_assert_msg(count == e->count, "%s %s: %llu, expected %llu", col, kind,
                              (unsigned long long)count, (unsigned long long)e->count);
                found = 1;
            }
        }
        ck_assert_msg(found, "finding %s %s missing", e->column, e->kind);
    }

    mlops_drift_report_free(r);
    mlops_drift_monitor_free(m);
    mlops_profile_free(cur);
    mlops_profile_free(ref);
    mlops_dataset_free(cur_data);
    mlops_dataset_free(ref_data);
    mlops_dataset_free(all);
    free(late);
    free(early);
    free(years);
}
END_TEST

/* splitmix64: a fixed, portable generator for the shuffles. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0, without modulo bias (rejection). */
static size_t below(uint64_t *state, size_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t x = splitmix64(state);
        if (x < limit) return (size_t)(x % n);
    }
}

enum { RUNS = 100 };

START_TEST(test_random_halves)
{
    mlops_dataset *all = read_cars();
    size_t n = mlops_dataset_rows(all), half = n / 2;
    size_t ncols = mlops_dataset_cols(all);
    size_t *order = malloc(n * sizeof *order);
    unsigned *column_alarms = calloc(ncols, sizeof *column_alarms);
    ck_assert(order && column_alarms);
    unsigned dataset_alarms = 0, any_alarms = 0, columns_compared = 0, column_alarm_total = 0;

    for (uint64_t seed = 1; seed <= RUNS; seed++) {
        uint64_t state = seed;
        for (size_t i = 0; i < n; i++) order[i] = i;
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = below(&state, i + 1);
            size_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        mlops_dataset *a = NULL, *b = NULL;
        ck_assert_int_eq(mlops_dataset_take_rows(&a, all, order, half), MLOPS_OK);
        ck_assert_int_eq(mlops_dataset_take_rows(&b, all, order + half, n - half), MLOPS_OK);
        mlops_profile *ref = reference_profile(a);
        mlops_profile *cur = current_profile(ref, b);
        mlops_drift_monitor *m = NULL;
        ck_assert_int_eq(mlops_drift_monitor_create(&m, ref), MLOPS_OK);
        skip(m, "Name");
        mlops_drift_report *r = compare(m, cur);

        size_t nc = mlops_drift_report_column_count(r);
        ck_assert_uint_eq(nc, ncols - 1);
        columns_compared += (unsigned)nc;
        int any = 0;
        for (size_t i = 0; i < nc; i++) {
            const char *name = NULL;
            int d = 0;
            ck_assert_int_eq(mlops_drift_report_column(r, i, &name, NULL, NULL, NULL, NULL,
                                                       NULL, &d),
                             MLOPS_OK);
            if (d) {
                size_t col;
                ck_assert_int_eq(mlops_dataset_column_index(all, name, &col), MLOPS_OK);
                column_alarms[col]++;
                column_alarm_total++;
                any = 1;
            }
        }
        any_alarms += (unsigned)any;
        int dd = mlops_drift_report_dataset_drift(r, NULL);
        ck_assert_int_ge(dd, 0);
        dataset_alarms += (unsigned)dd;

        mlops_drift_report_free(r);
        mlops_drift_monitor_free(m);
        mlops_profile_free(cur);
        mlops_profile_free(ref);
        mlops_dataset_free(b);
        mlops_dataset_free(a);
    }

    printf("cars random halves, %d runs, default settings: data set drift rate %.2f, "
           "any-column drift rate %.2f, column alarms %u of %u comparisons (%.3f)\n",
           RUNS, (double)dataset_alarms / RUNS, (double)any_alarms / RUNS, column_alarm_total,
           columns_compared, (double)column_alarm_total / columns_compared);
    for (size_t j = 0; j < ncols; j++)
        if (column_alarms[j])
            printf("  %s: %u alarms\n", mlops_dataset_column_name(all, j), column_alarms[j]);
    fflush(stdout);

    ck_assert_uint_le(dataset_alarms, any_alarms);
    ck_assert_msg(dataset_alarms <= RUNS / 20,
                  "data set drift between random halves in %u of %d runs", dataset_alarms, RUNS);
    ck_assert_msg(any_alarms <= RUNS / 10, "a column drifted between random halves in %u of %d runs",
                  any_alarms, RUNS);
    free(column_alarms);
    free(order);
    mlops_dataset_free(all);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("drift_cars");
    TCase *tc = tcase_create("cars");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_time_split);
    tcase_add_test(tc, test_random_halves);
    suite_add_tcase(s, tc);
    return s;
}
