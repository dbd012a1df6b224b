/* Drift reports through the public API against NumPy/SciPy: the fixture
 * pairs of tests/data/drift/ (read with the CSV reader, profiled, binned,
 * compared) give, per column and method, the statistic and p-value SciPy
 * gives, the default method of drift.h's rules, the multiple-testing
 * corrections, drift decisions, the drift share, severity and findings of
 * tests/monitor/drift_report_reference.h (written by
 * tests/reference/make_drift_report_reference.py). Also the JSON form, a
 * reference saved and loaded, bad settings and allocation failures. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mlops.h>

#include "drift_report_reference.h"
#include "fault_alloc.h"
#include "runner.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Statistics and p-values match SciPy to 1e-10 relative; a p-value below
 * 1e-300 (where SciPy itself underflows) may differ by 1e-300 absolute. */
static const double RTOL = 1e-10;
static const double ATOL = 1e-300;

static int close_to(double got, double want)
{
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == want;
    return fabs(got - want) <= RTOL * fabs(want) + ATOL;
}

/* ---- fixtures ------------------------------------------------------------- */

typedef struct fixture {
    const drift_ref_pair *pair;
    mlops_dataset *ref_data, *cur_data;
    mlops_profile *ref, *cur;
} fixture;

static mlops_dataset *read_fixture(const char *pair, const char *side)
{
    char path[512];
    snprintf(path, sizeof path, "%s/drift/%s_%s.csv", DATA_DIR, pair, side);
    mlops_dataset *d = NULL;
    int rc = mlops_dataset_read_csv(&d, path, NULL);
    ck_assert_msg(rc == MLOPS_OK, "%s: %s", path, mlops_last_error());
    return d;
}

static void fixture_open(fixture *f, size_t pair)
{
    memset(f, 0, sizeof *f);
    f->pair = &drift_ref_pairs[pair];
    f->ref_data = read_fixture(f->pair->name, "reference");
    f->cur_data = read_fixture(f->pair->name, "current");
    ck_assert_uint_eq(mlops_dataset_rows(f->ref_data), f->pair->reference_rows);
    ck_assert_uint_eq(mlops_dataset_rows(f->cur_data), f->pair->current_rows);
    ck_assert_int_eq(mlops_profile_create(&f->ref), MLOPS_OK);
    int rc = mlops_profile_add(f->ref, f->ref_data);
    ck_assert_msg(rc == MLOPS_OK, "profile_add: %s", mlops_last_error());
    rc = mlops_profile_fix_bins(f->ref);
    ck_assert_msg(rc == MLOPS_OK, "fix_bins: %s", mlops_last_error());
    rc = mlops_profile_create_like(&f->cur, f->ref);
    ck_assert_msg(rc == MLOPS_OK, "create_like: %s", mlops_last_error());
    rc = mlops_profile_add(f->cur, f->cur_data);
    ck_assert_msg(rc == MLOPS_OK, "profile_add current: %s", mlops_last_error());
}

static void fixture_close(fixture *f)
{
    mlops_profile_free(f->cur);
    mlops_profile_free(f->ref);
    mlops_dataset_free(f->cur_data);
    mlops_dataset_free(f->ref_data);
    memset(f, 0, sizeof *f);
}

static mlops_drift_monitor *new_monitor(const mlops_profile *ref)
{
    mlops_drift_monitor *m = NULL;
    int rc = mlops_drift_monitor_create(&m, ref);
    ck_assert_msg(rc == MLOPS_OK, "monitor_create: %s", mlops_last_error());
    return m;
}

static void set_param(mlops_drift_monitor *m, const char *key, const char *value)
{
    int rc = mlops_drift_monitor_set_param(m, key, value);
    ck_assert_msg(rc == MLOPS_OK, "set_param %s=%s: %s", key, value, mlops_last_error());
}

static void set_column(mlops_drift_monitor *m, const char *column, const char *method,
                       double threshold)
{
    int rc = mlops_drift_monitor_set_column(m, column, method, threshold);
    ck_assert_msg(rc == MLOPS_OK, "set_column %s %s: %s", column, method, mlops_last_error());
}

static mlops_drift_report *compare(mlops_drift_monitor *m, const mlops_profile *cur)
{
    mlops_drift_report *r = NULL;
    int rc = mlops_drift_monitor_compare(m, cur, &r);
    ck_assert_msg(rc == MLOPS_OK, "compare: %s", mlops_last_error());
    ck_assert_ptr_nonnull(r);
    return r;
}

/* Index of column `name` in report `r`; fails the test when absent. */
static size_t report_column(const mlops_drift_report *r, const char *name)
{
    size_t n = mlops_drift_report_column_count(r);
    for (size_t i = 0; i < n; i++) {
        const char *got = NULL;
        ck_assert_int_eq(mlops_drift_report_column(r, i, &got, NULL, NULL, NULL, NULL, NULL,
                                                   NULL),
                         MLOPS_OK);
        if (strcmp(got, name) == 0) return i;
    }
    ck_abort_msg("column %s not in the report", name);
    return 0;
}

/* One report column against its expected result. */
static void check_result(const mlops_drift_report *r, const char *what,
                         const drift_ref_result *e)
{
    size_t i = report_column(r, e->column);
    const char *method = NULL;
    double stat, p, padj, thr;
    int drifted;
    ck_assert_int_eq(mlops_drift_report_column(r, i, NULL, &method, &stat, &p, &padj, &thr,
                                               &drifted),
                     MLOPS_OK);
    ck_assert_msg(strcmp(method, e->method) == 0, "%s, %s: method %s, expected %s", what,
                  e->column, method, e->method);
    ck_assert_msg(close_to(stat, e->statistic), "%s, %s %s: statistic %.17g, SciPy %.17g",
                  what, e->column, e->method, stat, e->statistic);
    ck_assert_msg(close_to(p, e->p_value), "%s, %s %s: p-value %.17g, SciPy %.17g", what,
                  e->column, e->method, p, e->p_value);
    ck_assert_msg(close_to(padj, e->p_adjusted), "%s, %s %s: adjusted p %.17g, expected %.17g",
                  what, e->column, e->method, padj, e->p_adjusted);
    ck_assert_msg(thr == e->threshold, "%s, %s %s: threshold %.17g, expected %.17g", what,
                  e->column, e->method, thr, e->threshold);
    ck_assert_msg(drifted == e->drifted, "%s, %s %s: drifted %d, expected %d", what, e->column,
                  e->method, drifted, e->drifted);
}

/* Finding (column, kind) of `r`: its count, or -1 when absent. */
static long long finding_count(const mlops_drift_report *r, const char *column, const char *kind)
{
    size_t n = mlops_drift_report_finding_count(r);
    for (size_t i = 0; i < n; i++) {
        const char *c = NULL, *k = NULL, *msg = NULL;
        uint64_t count = 0;
        ck_assert_int_eq(mlops_drift_report_finding(r, i, &c, &k, &count, &msg), MLOPS_OK);
        ck_assert_ptr_nonnull(msg);
        ck_assert_msg(strlen(msg) > 0, "finding %zu without a message", i);
        if (strcmp(c, column) == 0 && strcmp(k, kind) == 0) return (long long)count;
    }
    return -1;
}

static void check_findings(const mlops_drift_report *r, const drift_ref_finding *want,
                           size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        long long got = finding_count(r, want[i].column, want[i].kind);
        ck_assert_msg(got == (long long)want[i].count, "%s: finding %s %s count %lld, expected %llu",
                      what, want[i].column, want[i].kind, got,
                      (unsigned long long)want[i].count);
    }
    ck_assert_msg(mlops_drift_report_finding_count(r) == n, "%s: %zu findings, expected %zu",
                  what, mlops_drift_report_finding_count(r), n);
}

/* ---- bins ---------------------------------------------------------------- */

/* The profile's bins are the documented ones: NumPy's quantile edges with
 * outer bins, or the categories in byte order plus the unseen bin. */
START_TEST(test_bins)
{
    fixture f;
    fixture_open(&f, (size_t)_i);
    for (size_t j = 0; j < f.pair->ncolumns; j++) {
        const drift_ref_column *c = &drift_ref_columns[f.pair->first_column + j];
        size_t col;
        ck_assert_int_eq(mlops_profile_column_index(f.ref, c->name, &col), MLOPS_OK);
        ck_assert_int_eq(mlops_profile_column_type(f.ref, col),
                         c->numeric ? MLOPS_NUMERIC : MLOPS_CATEGORICAL);
        size_t nb = 0;
        ck_assert_int_eq(mlops_profile_bin_count(f.ref, col, &nb), MLOPS_OK);
        ck_assert_msg(nb == c->nbins, "%s: %zu bins, NumPy %zu", c->name, nb, c->nbins);
        size_t nb_cur = 0;
        ck_assert_int_eq(mlops_profile_bin_count(f.cur, col, &nb_cur), MLOPS_OK);
        ck_assert_uint_eq(nb_cur, nb);
        for (size_t b = 0; b < nb; b++) {
            uint64_t cr = 0, cc = 0;
            ck_assert_int_eq(mlops_profile_bin(f.ref, col, b, NULL, NULL, NULL, &cr), MLOPS_OK);
            ck_assert_int_eq(mlops_profile_bin(f.cur, col, b, NULL, NULL, NULL, &cc), MLOPS_OK);
            ck_assert_msg(cr == drift_ref_bins_ref[c->first_bin + b],
                          "%s bin %zu: reference count %llu, NumPy %llu", c->name, b,
                          (unsigned long long)cr,
                          (unsigned long long)drift_ref_bins_ref[c->first_bin + b]);
            ck_assert_msg(cc == drift_ref_bins_cur[c->first_bin + b],
                          "%s bin %zu: current count %llu, NumPy %llu", c->name, b,
                          (unsigned long long)cc,
                          (unsigned long long)drift_ref_bins_cur[c->first_bin + b]);
        }
        uint64_t count, missing;
        ck_assert_int_eq(mlops_profile_counts(f.ref, col, &count, &missing), MLOPS_OK);
        ck_assert_uint_eq(missing, c->ref_missing);
        ck_assert_int_eq(mlops_profile_counts(f.cur, col, &count, &missing), MLOPS_OK);
        ck_assert_uint_eq(missing, c->cur_missing);
    }
    fixture_close(&f);
}
END_TEST

/* ---- every method on every column it fits ---------------------------------- */

static const char *const METHODS[] = {"ks",        "wasserstein", "psi",  "kl",
                                      "jensen_shannon", "hellinger",   "chi2", "z"};

START_TEST(test_methods)
{
    fixture f;
    fixture_open(&f, (size_t)_i);
    for (size_t k = 0; k < COUNT(METHODS); k++) {
        mlops_drift_monitor *m = new_monitor(f.ref);
        set_param(m, "correction", "none");
        size_t set = 0;
        for (size_t v = 0; v < f.pair->nvalues; v++) {
            const drift_ref_value *e = &drift_ref_values[f.pair->first_value + v];
            if (strcmp(e->method, METHODS[k]) != 0) continue;
            set_column(m, e->column, e->method, NAN);
            set++;
        }
        if (set == 0) {
            mlops_drift_monitor_free(m);
            continue;
        }
        mlops_drift_report *r = compare(m, f.cur);
        ck_assert_uint_eq(mlops_drift_report_column_count(r), f.pair->ncolumns);
        for (size_t v = 0; v < f.pair->nvalues; v++) {
            const drift_ref_value *e = &drift_ref_values[f.pair->first_value + v];
            if (strcmp(e->method, METHODS[k]) != 0) continue;
            /* With correction none the adjusted p-value is the p-value. */
            drift_ref_result want = {e->column, e->method, e->statistic, e->p_value,
                                     e->p_value,  e->threshold, e->drifted};
            char what[64];
            snprintf(what, sizeof what, "%s, method %s", f.pair->name, METHODS[k]);
            check_result(r, what, &want);
        }
        mlops_drift_report_free(r);
        mlops_drift_monitor_free(m);
    }
    fixture_close(&f);
}
END_TEST

/* ---- scenarios: default rules, corrections, overrides, verdict ---------------- */

static mlops_drift_monitor *scenario_monitor(const drift_ref_scenario *s, const fixture *f)
{
    mlops_drift_monitor *m = new_monitor(f->ref);
    if (s->correction) set_param(m, "correction", s->correction);
    if (s->drift_share) set_param(m, "drift_share", s->drift_share);
    if (s->set_method) {
        int rc = mlops_drift_monitor_set_method(m, s->set_method, NAN);
        ck_assert_msg(rc == MLOPS_OK, "set_method %s: %s", s->set_method, mlops_last_error());
    }
    for (size_t k = 0; k < s->nsettings; k++) {
        const drift_ref_setting *st = &drift_ref_settings[s->first_setting + k];
        set_column(m, st->column, st->method, st->threshold);
    }
    return m;
}

static void check_scenario(const drift_ref_scenario *s, const fixture *f,
                           const mlops_drift_report *r)
{
    ck_assert_msg(mlops_drift_report_column_count(r) == s->nresults,
                  "%s: %zu columns compared, expected %zu", s->name,
                  mlops_drift_report_column_count(r), s->nresults);
    for (size_t k = 0; k < s->nresults; k++)
        check_result(r, s->name, &drift_ref_results[s->first_result + k]);
    double share = -1;
    int dd = mlops_drift_report_dataset_drift(r, &share);
    ck_assert_msg(dd == s->dataset_drift, "%s: dataset drift %d, expected %d", s->name, dd,
                  s->dataset_drift);
    ck_assert_msg(fabs(share - s->share) <= 1e-15, "%s: share %.17g, expected %.17g", s->name,
                  share, s->share);
    ck_assert_int_eq(mlops_drift_report_dataset_drift(r, NULL), s->dataset_drift);
    int sev = mlops_drift_report_severity(r);
    ck_assert_msg(sev == s->severity, "%s: severity %d, expected %d", s->name, sev, s->severity);

    /* Findings do not depend on the methods; a skipped column may or may
     * not report them, so only scenarios comparing every column check. */
    int skips = 0;
    for (size_t k = 0; k < s->nsettings; k++)
        skips |= strcmp(drift_ref_settings[s->first_setting + k].method, "skip") == 0;
    if (!skips)
        check_findings(r, &drift_ref_findings[f->pair->first_finding], f->pair->nfindings,
                       s->name);

    uint64_t index = 99, first = 99, rows = 0;
    double start = 0, end = 0;
    ck_assert_int_eq(mlops_drift_report_window(r, &index, &first, &rows, &start, &end),
                     MLOPS_OK);
    ck_assert_uint_eq(index, 0);
    ck_assert_uint_eq(first, 0);
    ck_assert_uint_eq(rows, f->pair->current_rows);
    ck_assert(isnan(start) && isnan(end));

    const char *metric = "x";
    double value = 0;
    ck_assert_int_eq(mlops_drift_report_performance(r, &metric, &value, NULL, NULL, NULL),
                     MLOPS_OK);
    ck_assert_ptr_null(metric);
    ck_assert(isnan(value));
}

START_TEST(test_scenario)
{
    const drift_ref_scenario *s = &drift_ref_scenarios[_i];
    fixture f;
    fixture_open(&f, s->pair);
    mlops_drift_monitor *m = scenario_monitor(s, &f);
    mlops_drift_report *r = compare(m, f.cur);
    check_scenario(s, &f, r);
    mlops_drift_report_free(r);
    mlops_drift_monitor_free(m);
    fixture_close(&f);
}
END_TEST

/* The default method of each column follows drift.h's rules (ks / chi2 / z
 * for a reference of at most 1000 rows, wasserstein / jensen_shannon
 * above), with the default thresholds. */
START_TEST(test_default_rules)
{
    fixture f;
    fixture_open(&f, (size_t)_i);
    mlops_drift_monitor *m = new_monitor(f.ref);
    mlops_drift_report *r = compare(m, f.cur);
    for (size_t j = 0; j < f.pair->ncolumns; j++) {
        const drift_ref_column *c = &drift_ref_columns[f.pair->first_column + j];
        size_t i = report_column(r, c->name);
        const char *method = NULL;
        double thr = 0, p = 0;
        ck_assert_int_eq(mlops_drift_report_column(r, i, NULL, &method, NULL, &p, NULL, &thr,
                                                   NULL),
                         MLOPS_OK);
        ck_assert_msg(strcmp(method, c->default_method) == 0, "%s: default %s, expected %s",
                      c->name, method, c->default_method);
        int pmethod = strcmp(method, "ks") == 0 || strcmp(method, "chi2") == 0 ||
                      strcmp(method, "z") == 0;
        ck_assert(thr == (pmethod ? 0.05 : 0.1));
        ck_assert(pmethod ? !isnan(p) : isnan(p));
    }
    mlops_drift_report_free(r);
    /* "auto" through set_method restores the defaults after another method. */
    ck_assert_int_eq(mlops_drift_monitor_set_method(m, "psi", NAN), MLOPS_OK);
    r = compare(m, f.cur);
    const char *method = NULL;
    ck_assert_int_eq(mlops_drift_report_column(r, 0, NULL, &method, NULL, NULL, NULL, NULL,
                                               NULL),
                     MLOPS_OK);
    ck_assert_str_eq(method, "psi");
    mlops_drift_report_free(r);
    ck_assert_int_eq(mlops_drift_monitor_set_method(m, "auto", NAN), MLOPS_OK);
    r = compare(m, f.cur);
    for (size_t j = 0; j < f.pair->ncolumns; j++) {
        const drift_ref_column *c = &drift_ref_columns[f.pair->first_column + j];
        size_t i = report_column(r, c->name);
        ck_assert_int_eq(mlops_drift_report_column(r, i, NULL, &method, NULL, NULL, NULL, NULL,
                                                   NULL),
                         MLOPS_OK);
        ck_assert_str_eq(method, c->default_method);
    }
    mlops_drift_report_free(r);
    mlops_drift_monitor_free(m);
    fixture_close(&f);
}
END_TEST

/* range_share: out_of_range is a finding only above that share of the
 * current values (default 1%); at 0 every value outside counts, at 1 none. */
START_TEST(test_range_share)
{
    fixture f;
    fixture_open(&f, (size_t)_i);
    mlops_drift_monitor *m = new_monitor(f.ref);
    set_param(m, "range_share", "0");
    mlops_drift_report *r = compare(m, f.cur);
    for (size_t j = 0; j < f.pair->ncolumns; j++) {
        const drift_ref_column *c = &drift_ref_columns[f.pair->first_column + j];
        long long got = finding_count(r, c->name, "out_of_range");
        long long want = c->out_of_range ? (long long)c->out_of_range : -1;
        ck_assert_msg(got == want, "%s: out_of_range %lld at range_share 0, expected %lld",
                      c->name, got, want);
    }
    mlops_drift_report_free(r);
    set_param(m, "range_share", "1");
    r = compare(m, f.cur);
    for (size_t j = 0; j < f.pair->ncolumns; j++)
        ck_assert(finding_count(r, drift_ref_columns[f.pair->first_column + j].name,
                                "out_of_range") == -1);
    mlops_drift_report_free(r);
    mlops_drift_monitor_free(m);
    fixture_close(&f);
}
END_TEST

/* ---- JSON ------------------------------------------------------------------ */

/* A strict JSON syntax check (RFC 8259): returns the end of the value
 * starting at s (after leading white space), or NULL. */
static const char *json_value(const char *s, int depth);

static const char *json_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    return s;
}

static const char *json_string(const char *s)
{
    if (*s++ != '"') return NULL;
    while (*s != '"') {
        if ((unsigned char)*s < 0x20) return NULL;
        if (*s == '\\') {
            s++;
            if (*s == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (!strchr("0123456789abcdefABCDEF", s[k]) || s[k] == '\0') return NULL;
                s += 4;
            } else if (*s == '\0' || !strchr("\"\\/bfnrt", *s)) {
                return NULL;
            }
        }
        s++;
    }
    return s + 1;
}

static const char *json_digits(const char *s)
{
    if (*s < '0' || *s > '9') return NULL;
    while (*s >= '0' && *s <= '9') s++;
    return s;
}

static const char *json_number(const char *s)
{
    if (*s == '-') s++;
    if (*s == '0')
        s++;
    else if (!(s = json_digits(s)))
        return NULL;
    if (*s == '.' && !(s = json_digits(s + 1))) return NULL;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!(s = json_digits(s))) return NULL;
    }
    return s;
}

static const char *json_container(const char *s, int depth, char close, int object)
{
    s = json_ws(s + 1);
    if (*s == close) return s + 1;
    for (;;) {
        if (object) {
            if (!(s = json_string(json_ws(s)))) return NULL;
            s = json_ws(s);
            if (*s++ != ':') return NULL;
        }
        if (!(s = json_value(s, depth + 1))) return NULL;
        s = json_ws(s);
        if (*s == close) return s + 1;
        if (*s++ != ',') return NULL;
    }
}

static const char *json_value(const char *s, int depth)
{
    if (depth > 64) return NULL;
    s = json_ws(s);
    switch (*s) {
    case '{': return json_container(s, depth, '}', 1);
    case '[': return json_container(s, depth, ']', 0);
    case '"': return json_string(s);
    case 't': return strncmp(s, "true", 4) == 0 ? s + 4 : NULL;
    case 'f': return strncmp(s, "false", 5) == 0 ? s + 5 : NULL;
    case 'n': return strncmp(s, "null", 4) == 0 ? s + 4 : NULL;
    default: return json_number(s);
    }
}

static int json_valid(const char *s)
{
    const char *end = json_value(s, 0);
    return end && *json_ws(end) == '\0';
}

static void assert_contains(const char *json, const char *needle)
{
    ck_assert_msg(strstr(json, needle) != NULL, "JSON lacks %s:\n%.2000s", needle, json);
}

START_TEST(test_json_syntax_checker)
{
    ck_assert(json_valid("{\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\"], \"b\": {}}"));
    ck_assert(!json_valid("{\"a\": NaN}"));
    ck_assert(!json_valid("{\"a\": 1,}"));
    ck_assert(!json_valid("[1 2]"));
    ck_assert(!json_valid("{\"a\": 01}"));
    ck_assert(!json_valid("\"\\x\""));
}
END_TEST

START_TEST(test_json)
{
    static const char *const keys[] = {
        "\"dataset_drift\"", "\"drift_share\"", "\"drifted_columns\"", "\"severity\"",
        "\"window\"",        "\"columns\"",     "\"name\"",            "\"type\"",
        "\"method\"",        "\"statistic\"",   "\"p_value\"",         "\"p_value_adjusted\"",
        "\"threshold\"",     "\"drifted\"",     "\"exact\"",           "\"reference_rows\"",
        "\"current_rows\"",  "\"findings\"",    "\"performance\""};
    for (size_t pair = 0; pair < COUNT(drift_ref_pairs); pair++) {
        fixture f;
        fixture_open(&f, pair);
        mlops_drift_monitor *m = new_monitor(f.ref);
        mlops_drift_report *r = compare(m, f.cur);
        char *json = NULL;
        int rc = mlops_drift_report_json(r, &json);
        ck_assert_msg(rc == MLOPS_OK, "report_json: %s", mlops_last_error());
        ck_assert_msg(json_valid(json), "%s: report JSON does not parse:\n%s", f.pair->name,
                      json);
        for (size_t k = 0; k < COUNT(keys); k++) assert_contains(json, keys[k]);
        char quoted[80];
        for (size_t j = 0; j < f.pair->ncolumns; j++) {
            const drift_ref_column *c = &drift_ref_columns[f.pair->first_column + j];
            snprintf(quoted, sizeof quoted, "\"%s\"", c->name);
            assert_contains(json, quoted);
            snprintf(quoted, sizeof quoted, "\"%s\"", c->default_method);
            assert_contains(json, quoted);
        }
        for (size_t k = 0; k < f.pair->nfindings; k++) {
            snprintf(quoted, sizeof quoted, "\"%s\"",
                     drift_ref_findings[f.pair->first_finding + k].kind);
            assert_contains(json, quoted);
        }
        /* Distances have no p-value: NaN is written as null. */
        if (strcmp(f.pair->name, "large") == 0) assert_contains(json, "null");
        mlops_free(json);

        /* The history JSON of a monitor fed nothing. */
        ck_assert_int_eq(mlops_drift_monitor_history_json(m, &json), MLOPS_OK);
        ck_assert_msg(json_valid(json), "history JSON does not parse:\n%s", json);
        assert_contains(json, "\"windows\"");
        assert_contains(json, "\"health\"");
        mlops_free(json);
        mlops_drift_report_free(r);
        mlops_drift_monitor_free(m);
        fixture_close(&f);
    }
}
END_TEST

/* ---- a reference saved and loaded compares as the original ------------------ */

START_TEST(test_saved_reference)
{
    const drift_ref_scenario *s = &drift_ref_scenarios[0];
    fixture f;
    fixture_open(&f, s->pair);
    char path[] = "/tmp/mlops-drift-reference-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    int rc = mlops_profile_save(f.ref, path);
    ck_assert_msg(rc == MLOPS_OK, "save: %s", mlops_last_error());
    mlops_profile *loaded = NULL;
    rc = mlops_profile_load(&loaded, path);
    ck_assert_msg(rc == MLOPS_OK, "load: %s", mlops_last_error());
    unlink(path);
    ck_assert(mlops_profile_has_bins(loaded));

    /* The current profile made like the loaded reference has the same bins,
     * and either profile compares against either monitor. */
    mlops_profile *cur2 = NULL;
    ck_assert_int_eq(mlops_profile_create_like(&cur2, loaded), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_add(cur2, f.cur_data), MLOPS_OK);
    mlops_drift_monitor *m = new_monitor(loaded);
    set_param(m, "correction", s->correction);
    mlops_drift_report *r = compare(m, cur2);
    check_scenario(s, &f, r);
    mlops_drift_report_free(r);
    r = compare(m, f.cur);
    check_scenario(s, &f, r);
    mlops_drift_report_free(r);
    mlops_drift_monitor_free(m);
    mlops_profile_free(cur2);
    mlops_profile_free(loaded);
    fixture_close(&f);
}
END_TEST

/* ---- bad input -------------------------------------------------------------- */

START_TEST(test_bad_settings)
{
    fixture f;
    fixture_open(&f, 0);
    mlops_drift_monitor *m = new_monitor(f.ref);
    /* Methods that do not fit the column's type. */
    ck_assert_int_eq(mlops_drift_monitor_set_column(m, "cat_unseen", "ks", NAN), MLOPS_EINVAL);
    ck_assert(strstr(mlops_last_error(), "cat_unseen") != NULL);
    ck_assert_int_eq(mlops_drift_monitor_set_column(m, "cat_unseen", "wasserstein", NAN),
                     MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_set_column(m, "cat_unseen", "z", NAN), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_set_column(m, "num_shift", "kss", NAN), MLOPS_EINVAL);
    ck_assert(strstr(mlops_last_error(), "ks") != NULL);
    ck_assert_int_eq(mlops_drift_monitor_set_column(m, "num_shift", "ks", -0.1), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_set_column(m, "num_shift", "ks", 1.5), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_set_column(m, "num_shift", "psi", -1.0), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_set_column(m, "num_shif", "ks", NAN), MLOPS_ENOTFOUND);
    ck_assert(strstr(mlops_last_error(), "num_shift") != NULL);
    ck_assert_int_eq(mlops_drift_monitor_set_column(m, NULL, "ks", NAN), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_set_column(m, "num_shift", NULL, NAN), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_set_method(m, "nope", NAN), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_set_param(m, "correction", "holm"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_set_param(m, "drift_share", "0"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_set_param(m, "drift_share", "1.5"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_set_param(m, "corection", "none"), MLOPS_EINVAL);
    ck_assert(strstr(mlops_last_error(), "correction") != NULL);

    /* A failed setting changes nothing: the defaults still apply. */
    const drift_ref_scenario *s = &drift_ref_scenarios[2];
    ck_assert_ptr_null(s->correction);
    mlops_drift_report *r = compare(m, f.cur);
    check_scenario(s, &f, r);
    mlops_drift_report_free(r);

    /* A current profile with other bins (fixed on its own data). */
    mlops_profile *other = NULL;
    ck_assert_int_eq(mlops_profile_create(&other), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_add(other, f.cur_data), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_fix_bins(other), MLOPS_OK);
    r = NULL;
    ck_assert_int_eq(mlops_drift_monitor_compare(m, other, &r), MLOPS_EINVAL);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(mlops_drift_monitor_compare(m, NULL, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_compare(m, f.cur, NULL), MLOPS_EINVAL);
    mlops_profile_free(other);

    /* A reference without fixed bins. */
    mlops_profile *unfixed = NULL;
    mlops_drift_monitor *m2 = NULL;
    ck_assert_int_eq(mlops_profile_create(&unfixed), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_add(unfixed, f.ref_data), MLOPS_OK);
    ck_assert_int_eq(mlops_drift_monitor_create(&m2, unfixed), MLOPS_ESTATE);
    ck_assert_ptr_null(m2);
    ck_assert_int_eq(mlops_drift_monitor_create(&m2, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_monitor_create(NULL, f.ref), MLOPS_EINVAL);
    mlops_profile_free(unfixed);

    /* Report accessors. */
    r = compare(m, f.cur);
    size_t n = mlops_drift_report_column_count(r);
    ck_assert_int_eq(mlops_drift_report_column(r, n, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_report_column(NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL,
                                               NULL),
                     MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_report_finding(r, mlops_drift_report_finding_count(r), NULL,
                                                NULL, NULL, NULL),
                     MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_report_dataset_drift(NULL, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_report_severity(NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_drift_report_json(r, NULL), MLOPS_EINVAL);
    mlops_drift_report_free(r);
    mlops_drift_report_free(NULL);
    mlops_drift_monitor_free(m);
    mlops_drift_monitor_free(NULL);
    fixture_close(&f);
}
END_TEST

/* ---- allocation failures ---------------------------------------------------- */

typedef struct alloc_ctx {
    fixture f;
    mlops_drift_monitor *m;
    mlops_drift_report *r;
    char *json;
} alloc_ctx;

static int op_compare(void *p)
{
    alloc_ctx *c = p;
    return mlops_drift_monitor_compare(c->m, c->f.cur, &c->r);
}

static void undo_compare(void *p)
{
    alloc_ctx *c = p;
    mlops_drift_report_free(c->r);
    c->r = NULL;
}

static int op_json(void *p)
{
    alloc_ctx *c = p;
    return mlops_drift_report_json(c->r, &c->json);
}

static void undo_json(void *p)
{
    alloc_ctx *c = p;
    mlops_free(c->json);
    c->json = NULL;
}

static int op_monitor(void *p)
{
    alloc_ctx *c = p;
    return mlops_drift_monitor_create(&c->m, c->f.ref);
}

static void undo_monitor(void *p)
{
    alloc_ctx *c = p;
    mlops_drift_monitor_free(c->m);
    c->m = NULL;
}

START_TEST(test_alloc_failures)
{
    alloc_ctx c;
    memset(&c, 0, sizeof c);
    fixture_open(&c.f, 0);
    ck_assert_int_gt(fault_alloc_sweep(op_monitor, undo_monitor, &c), 0);
    c.m = new_monitor(c.f.ref);
    ck_assert_int_gt(fault_alloc_sweep(op_compare, undo_compare, &c), 0);
    c.r = compare(c.m, c.f.cur);
    ck_assert_int_gt(fault_alloc_sweep(op_json, undo_json, &c), 0);
    /* The monitor still works after the failures. */
    mlops_drift_report_free(c.r);
    c.r = compare(c.m, c.f.cur);
    check_scenario(&drift_ref_scenarios[2], &c.f, c.r);
    mlops_drift_report_free(c.r);
    mlops_drift_monitor_free(c.m);
    fixture_close(&c.f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("drift_report");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_bins, 0, (int)COUNT(drift_ref_pairs));
    tcase_add_loop_test(tc, test_methods, 0, (int)COUNT(drift_ref_pairs));
    tcase_add_loop_test(tc, test_default_rules, 0, (int)COUNT(drift_ref_pairs));
    tcase_add_loop_test(tc, test_scenario, 0, (int)COUNT(drift_ref_scenarios));
    tcase_add_loop_test(tc, test_range_share, 0, (int)COUNT(drift_ref_pairs));
    suite_add_tcase(s, tc);
    TCase *tj = tcase_create("json");
    tcase_add_test(tj, test_json_syntax_checker);
    tcase_add_test(tj, test_json);
    suite_add_tcase(s, tj);
    TCase *te = tcase_create("errors");
    tcase_set_timeout(te, 300);
    tcase_add_test(te, test_saved_reference);
    tcase_add_test(te, test_bad_settings);
    tcase_add_test(te, test_alloc_failures);
    suite_add_tcase(s, te);
    return s;
}
