/* Fairness by group through the public API: every per-group value and
 * Fairlearn/AIF360 aggregate of the fixtures in tests/data/eval against the
 * NumPy reference (fairness_reference.h, written by
 * tests/reference/make_fairness_reference.py), the group and by-name
 * lookups agreeing, small groups and undefined values noted, the JSON
 * sections, the four-fifths gate, bad group arguments and allocation
 * failures. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "fairness_reference.h"
#include "fault_alloc.h"
#include "runner.h"

enum { NREF = sizeof ref_values / sizeof ref_values[0] };
enum { NABSENT = sizeof ref_absents / sizeof ref_absents[0] };

/* The arrays a run hands to mlops_evaluator_run_arrays(), read from a
 * fixture: y_true, y_pred, p (one score column) and w are fixture columns. */
typedef struct fixture {
    mlops_dataset *data;
    size_t rows;
    double *y_true, *y_pred, *p, *w;
} fixture;

static mlops_dataset *read_fixture(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/eval/%s.csv", DATA_DIR, name);
    mlops_dataset *d = NULL;
    int rc = mlops_dataset_read_csv(&d, path, NULL);
    ck_assert_msg(rc == MLOPS_OK, "%s: %s", path, mlops_last_error());
    return d;
}

/* A malloc'd copy of numeric column `name`, or NULL when there is none. */
static double *column(const mlops_dataset *d, const char *name)
{
    size_t col, rows = mlops_dataset_rows(d);
    if (mlops_dataset_column_index(d, name, &col) != MLOPS_OK) return NULL;
    double *v = malloc(rows * sizeof *v);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(mlops_dataset_get_numeric(d, col, 0, rows, v), MLOPS_OK);
    return v;
}

static fixture load(const char *name)
{
    fixture f;
    f.data = read_fixture(name);
    f.rows = mlops_dataset_rows(f.data);
    f.y_true = column(f.data, "y_true");
    f.y_pred = column(f.data, "y_pred");
    f.p = column(f.data, "p");
    f.w = column(f.data, "w");
    ck_assert_ptr_nonnull(f.y_true);
    ck_assert_ptr_nonnull(f.y_pred);
    return f;
}

static void unload(fixture *f)
{
    mlops_dataset_free(f->data);
    free(f->y_true);
    free(f->y_pred);
    free(f->p);
    free(f->w);
}

/* Settings "k=v;k=v": keys starting with '@' choose the arrays (see the
 * reference script), the others go to the evaluator. Returns 0 on success
 * and the first failing code otherwise (for the allocation sweep). */
typedef struct arrays {
    const double *y_pred, *scores, *weights;
} arrays;

static int apply_settings(mlops_evaluator *ev, const fixture *f, const char *settings,
                          arrays *a)
{
    a->y_pred = f->y_pred;
    a->scores = f->p;
    a->weights = NULL;
    char buf[1024];
    ck_assert_uint_lt(strlen(settings), sizeof buf);
    strcpy(buf, settings);
    for (char *item = buf; item && *item;) {
        char *next = strchr(item, ';');
        if (next) *next++ = '\0';
        char *eq = strchr(item, '=');
        ck_assert_ptr_nonnull(eq);
        *eq = '\0';
        const char *key = item, *value = eq + 1;
        if (strcmp(key, "@weights") == 0) {
            ck_assert_ptr_nonnull(f->w);
            a->weights = f->w;
        } else if (strcmp(key, "@scores") == 0) {
            a->scores = NULL;
        } else if (strcmp(key, "@y_pred") == 0) {
            a->y_pred = NULL;
        } else {
            int rc = mlops_evaluator_set_param(ev, key, value);
            if (rc != MLOPS_OK) return rc;
        }
        item = next;
    }
    return MLOPS_OK;
}

/* Runs `settings` (plus an optional gate) on fixture f. */
static mlops_report *run(const fixture *f, const char *settings, const char *gate)
{
    mlops_evaluator *ev = NULL;
    ck_assert_int_eq(mlops_evaluator_create(&ev), MLOPS_OK);
    arrays a;
    int rc = apply_settings(ev, f, settings, &a);
    ck_assert_msg(rc == MLOPS_OK, "settings %s: %s", settings, mlops_last_error());
    if (gate) {
        rc = mlops_evaluator_add_gate(ev, gate);
        ck_assert_msg(rc == MLOPS_OK, "gate %s: %s", gate, mlops_last_error());
    }
    mlops_report *r = NULL;
    rc = mlops_evaluator_run_arrays(ev, f->rows, f->y_true, a.y_pred, a.scores, a.scores ? 1 : 0,
                                    a.weights, f->data, &r);
    ck_assert_msg(rc == MLOPS_OK, "run %s: %s", settings, mlops_last_error());
    mlops_evaluator_free(ev);
    return r;
}

static int same(double got, double want, double rel)
{
    if (isnan(want)) return isnan(got);
    return got == want || fabs(got - want) <= rel * fabs(want);
}

/* Index of the first note containing every non-NULL needle, or -1. */
static long find_note(const mlops_report *r, const char *a, const char *b)
{
    for (size_t i = 0; i < mlops_report_note_count(r); i++) {
        const char *note = mlops_report_note(r, i);
        ck_assert_ptr_nonnull(note);
        if ((!a || strstr(note, a)) && (!b || strstr(note, b))) return (long)i;
    }
    return -1;
}

static void dump_notes(const mlops_report *r)
{
    for (size_t i = 0; i < mlops_report_note_count(r); i++)
        fprintf(stderr, "  note %zu: %s\n", i, mlops_report_note(r, i));
}

/* Splits a per-group name "a=x&b=y.metric" into column "a&b", group "x&y"
 * and metric; returns 0 when the name is not a per-group one. */
static int split_group_name(const char *name, char *column, char *group, char *metric,
                            size_t cap)
{
    const char *last_eq = strrchr(name, '=');
    if (!last_eq) return 0;
    const char *dot = strchr(last_eq, '.');
    ck_assert_ptr_nonnull(dot);
    ck_assert_uint_lt(strlen(name), cap);
    strcpy(metric, dot + 1);
    size_t nc = 0, ng = 0;
    const char *s = name;
    while (s < dot) {
        const char *eq = strchr(s, '=');
        const char *amp = strchr(eq, '&');
        if (!amp || amp > dot) amp = dot;
        if (nc) column[nc++] = '&', group[ng++] = '&';
        memcpy(column + nc, s, (size_t)(eq - s));
        nc += (size_t)(eq - s);
        memcpy(group + ng, eq + 1, (size_t)(amp - eq - 1));
        ng += (size_t)(amp - eq - 1);
        s = amp < dot ? amp + 1 : dot;
    }
    column[nc] = group[ng] = '\0';
    return 1;
}

/* Shortest "%.*g" spelling of v that reads back exactly, as JSON holds it. */
static void shortest(double v, char *out, size_t cap)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, v);
        if (strtod(out, NULL) == v) return;
    }
}

/* Parses the number after the next "count" key at or after `from`. */
static int next_count(const char *from, double *value)
{
    const char *k = strstr(from, "\"count\"");
    if (!k) return 0;
    k += strlen("\"count\"");
    while (*k == ' ' || *k == ':' || *k == '\n' || *k == '\t') k++;
    char *end;
    *value = strtod(k, &end);
    return end != k;
}

/* Mismatches of the reference run are all printed, then fail the test
 * once, so one missing value does not hide the others. */
static size_t failures;

__attribute__((format(printf, 2, 3))) static int expect(int ok, const char *fmt, ...)
{
    if (ok) return 1;
    va_list ap;
    va_start(ap, fmt);
    fputs("MISMATCH ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
    return 0;
}

/* Checks the JSON of a run: "groups" and "fairness" sections, and the
 * count of every single-column group in the groups section. */
static void check_json(const mlops_report *r, size_t first, size_t last)
{
    char *json = NULL;
    ck_assert_int_eq(mlops_report_json(r, &json), MLOPS_OK);
    ck_assert_ptr_nonnull(json);
    const ref_value *head = &ref_values[first];
    const char *groups = strstr(json, "\"groups\"");
    const char *fairness = strstr(json, "\"fairness\"");
    expect(fairness != NULL, "%s [%s]: no fairness section in JSON", head->fixture,
           head->settings);
    if (!expect(groups != NULL, "%s [%s]: no groups section in JSON", head->fixture,
                head->settings)) {
        mlops_free(json);
        return;
    }
    for (size_t i = first; i < last; i++) {
        const ref_value *e = &ref_values[i];
        size_t len = strlen(e->name);
        if (!strchr(e->name, '=') || strchr(e->name, '&') || len < 6 ||
            strcmp(e->name + len - 6, ".count") != 0)
            continue;
        /* "region=east.count": look for the string "east" (or "region=east"). */
        char value[160], full[160];
        const char *eq = strchr(e->name, '=');
        ck_assert_uint_lt(len, 150);
        snprintf(value, sizeof value, "\"%.*s\"", (int)(len - 6 - (size_t)(eq + 1 - e->name)),
                 eq + 1);
        snprintf(full, sizeof full, "\"%.*s\"", (int)(len - 6), e->name);
        const char *at = strstr(groups, value);
        if (!at) at = strstr(groups, full);
        if (!expect(at != NULL, "%s [%s]: JSON groups section lacks group %s", e->fixture,
                    e->settings, e->name))
            continue;
        double count = -1.0;
        expect(next_count(at, &count) && count == e->value,
               "%s [%s]: JSON count of %s is %g, reference %g", e->fixture, e->settings, e->name,
               count, e->value);
    }
    mlops_free(json);
}

/* Every reference value of the run at ref_values[first..last) and the
 * checks that go with it; returns the number of values compared. */
static size_t check_run(size_t first, size_t last)
{
    const ref_value *head = &ref_values[first];
    fixture f = load(head->fixture);
    mlops_report *r = run(&f, head->settings, NULL);
    size_t checked = 0, before = failures;
    for (size_t i = first; i < last; i++) {
        const ref_value *e = &ref_values[i];
        double got = -12345.0;
        int rc = mlops_report_value(r, e->name, &got);
        checked++;
        if (!expect(rc == MLOPS_OK, "%s [%s] %s: %s", e->fixture, e->settings, e->name,
                    mlops_last_error()))
            continue;
        expect(same(got, e->value, 1e-12), "%s [%s] %s = %.17g, reference %.17g", e->fixture,
               e->settings, e->name, got, e->value);

        char col[256], grp[256], metric[256];
        if (split_group_name(e->name, col, grp, metric, sizeof col)) {
            double by_group = -12345.0;
            rc = mlops_report_group_value(r, col, grp, metric, &by_group);
            if (expect(rc == MLOPS_OK, "group value %s / %s / %s: %s", col, grp, metric,
                       mlops_last_error()))
                expect(same(by_group, got, 0.0), "group value %s / %s / %s = %.17g, %s = %.17g",
                       col, grp, metric, by_group, e->name, got);
            /* Notes speak of a column's groups together: "groups of 'sex&region'
             * ... F&east (10 rows)". */
            char quoted[260];
            snprintf(quoted, sizeof quoted, "'%s'", col);
            if (strcmp(metric, "small") == 0 && e->value == 1.0)
                expect(find_note(r, quoted, grp) >= 0,
                       "%s [%s]: no note names the small group %s of %s", e->fixture,
                       e->settings, grp, quoted);
            if (isnan(e->value))
                expect(find_note(r, quoted, "undefined") >= 0,
                       "%s [%s]: no note says why %s is undefined", e->fixture, e->settings,
                       e->name);
        } else if (isnan(e->value)) {
            char metric_name[256];
            size_t n = strcspn(e->name, ".");
            ck_assert_uint_lt(n, sizeof metric_name);
            memcpy(metric_name, e->name, n);
            metric_name[n] = '\0';
            expect(find_note(r, metric_name, NULL) >= 0,
                   "%s [%s]: no note says why %s is undefined", e->fixture, e->settings, e->name);
        }
    }
    for (size_t i = 0; i < NABSENT; i++) {
        const ref_absent *a = &ref_absents[i];
        if (strcmp(a->fixture, head->fixture) != 0 || strcmp(a->settings, head->settings) != 0)
            continue;
        double v;
        expect(mlops_report_value(r, a->name, &v) == MLOPS_ENOTFOUND,
               "%s [%s]: %s should not be reported", a->fixture, a->settings, a->name);
    }
    /* A group column with missing values: those rows are left out, with a note. */
    size_t sex;
    if (strstr(head->settings, "sex") &&
        mlops_dataset_column_index(f.data, "sex", &sex) == MLOPS_OK &&
        mlops_dataset_missing_count(f.data, sex) > 0)
        expect(find_note(r, "sex", "missing") >= 0,
               "%s [%s]: no note about the row without a sex value", head->fixture,
               head->settings);
    check_json(r, first, last);
    if (failures != before) dump_notes(r);
    mlops_report_free(r);
    unload(&f);
    return checked;
}

START_TEST(reference_values)
{
    size_t checked = 0, runs = 0;
    for (size_t first = 0; first < NREF;) {
        size_t last = first + 1;
        while (last < NREF && strcmp(ref_values[last].fixture, ref_values[first].fixture) == 0 &&
               strcmp(ref_values[last].settings, ref_values[first].settings) == 0)
            last++;
        checked += check_run(first, last);
        runs++;
        first = last;
    }
    ck_assert_uint_eq(checked, NREF);
    ck_assert_msg(failures == 0, "%zu of %zu reference checks failed (listed above)", failures,
                  checked);
    ck_assert_uint_ge(runs, 9);
}
END_TEST

static double reference(const char *fixture_name, const char *settings, const char *name)
{
    for (size_t i = 0; i < NREF; i++)
        if (strcmp(ref_values[i].fixture, fixture_name) == 0 &&
            strcmp(ref_values[i].settings, settings) == 0 && strcmp(ref_values[i].name, name) == 0)
            return ref_values[i].value;
    ck_abort_msg("no reference %s [%s] %s", fixture_name, settings, name);
    return NAN;
}

static const char *const binary_settings =
    "task=classification;group=sex,region;reference_group=sex=M;min_group_size=30;"
    "metrics=accuracy,f1,precision,recall,roc_auc";
static const char *const fair_settings =
    "task=classification;group=sex;reference_group=sex=M;metrics=accuracy;@weights=w";
static const char *const edge_settings =
    "task=classification;group=sex;reference_group=sex=M;metrics=accuracy,precision";

/* Runs `settings` on `fixture_name` with one gate and checks its verdict,
 * its observed value (the reference value `observed_name`) in
 * mlops_report_gate() and in the JSON "gates" list. */
static void check_gate(const char *fixture_name, const char *settings, const char *gate,
                       const char *observed_name, int want_pass)
{
    double want = reference(fixture_name, settings, observed_name);
    fixture f = load(fixture_name);
    mlops_report *r = run(&f, settings, gate);
    ck_assert_uint_eq(mlops_report_gate_count(r), 1);
    const char *expr = NULL;
    double observed = -1.0;
    int passed = -1;
    ck_assert_int_eq(mlops_report_gate(r, 0, &expr, &observed, &passed), MLOPS_OK);
    ck_assert_ptr_nonnull(expr);
    ck_assert_msg(same(observed, want, 1e-12), "%s on %s: observed %.17g, reference %.17g",
                  gate, fixture_name, observed, want);
    ck_assert_int_eq(passed, want_pass);
    ck_assert_int_eq(mlops_report_passed(r), want_pass);
    ck_assert_int_eq(mlops_report_gate(r, 1, NULL, NULL, NULL), MLOPS_EINVAL);

    char *json = NULL;
    ck_assert_int_eq(mlops_report_json(r, &json), MLOPS_OK);
    const char *gates = strstr(json, "\"gates\"");
    ck_assert_msg(gates != NULL, "no gates in %.400s", json);
    char num[64];
    if (isnan(want))
        snprintf(num, sizeof num, "null");
    else
        shortest(want, num, sizeof num);
    ck_assert_msg(strstr(gates, num) != NULL, "gate value %s not in %.300s", num, gates);
    ck_assert_msg(strstr(gates, want_pass ? "true" : "false") != NULL, "gate verdict in %.300s",
                  gates);
    mlops_free(json);
    mlops_report_free(r);
    unload(&f);
}

START_TEST(four_fifths_rule)
{
    /* Disparity: M is selected at 0.72, F at 0.41 (ratio 0.57). */
    ck_assert_double_lt(reference("fairness_binary", binary_settings, "demographic_parity_ratio"),
                        0.8);
    check_gate("fairness_binary", binary_settings, "four_fifths_rule",
               "demographic_parity_ratio", 0);
    check_gate("fairness_binary", binary_settings, "demographic_parity_ratio >= 0.8",
               "demographic_parity_ratio", 0);
    /* Nearly equal selection rates pass. */
    ck_assert_double_ge(reference("fairness_binary_fair", fair_settings,
                                  "demographic_parity_ratio"), 0.8);
    check_gate("fairness_binary_fair", fair_settings, "four_fifths_rule",
               "demographic_parity_ratio", 1);
    /* Nobody selected: the ratio is undefined and the gate fails. */
    check_gate("fairness_edge", edge_settings, "four_fifths_rule", "demographic_parity_ratio", 0);
    /* Suffixed and AIF360 names work in gates too. */
    check_gate("fairness_binary", binary_settings, "demographic_parity_ratio.region >= 0.75",
               "demographic_parity_ratio.region", 1);
    check_gate("fairness_binary", binary_settings, "disparate_impact >= 0.8", "disparate_impact",
               0);
}
END_TEST

START_TEST(bad_group_arguments)
{
    fixture f = load("fairness_binary");
    mlops_evaluator *ev = NULL;
    ck_assert_int_eq(mlops_evaluator_create(&ev), MLOPS_OK);
    ck_assert_int_eq(mlops_evaluator_set_param(ev, "task", "classification"), MLOPS_OK);
    ck_assert_int_eq(mlops_evaluator_set_param(ev, "group", "sex,regoin"), MLOPS_OK);
    mlops_report *r = NULL;
    int rc = mlops_evaluator_run_arrays(ev, f.rows, f.y_true, f.y_pred, NULL, 0, NULL, f.data, &r);
    ck_assert_int_eq(rc, MLOPS_ENOTFOUND);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(mlops_last_error(), "regoin") != NULL, "%s", mlops_last_error());

    /* Groups with another row count. */
    ck_assert_int_eq(mlops_evaluator_set_param(ev, "group", "sex,region"), MLOPS_OK);
    rc = mlops_evaluator_run_arrays(ev, f.rows - 1, f.y_true, f.y_pred, NULL, 0, NULL, f.data, &r);
    ck_assert_int_eq(rc, MLOPS_EINVAL);
    ck_assert_ptr_null(r);

    /* A bad min_group_size is refused and leaves the setting unchanged. */
    ck_assert_int_eq(mlops_evaluator_set_param(ev, "min_group_size", "-3"), MLOPS_EINVAL);
    char *v = NULL;
    ck_assert_int_eq(mlops_evaluator_get_param(ev, "min_group_size", &v), MLOPS_OK);
    ck_assert_str_eq(v, "30");
    mlops_free(v);

    /* No groups: no per-group values, no fairness aggregates. */
    mlops_evaluator_free(ev);
    ev = NULL;
    ck_assert_int_eq(mlops_evaluator_create(&ev), MLOPS_OK);
    ck_assert_int_eq(mlops_evaluator_set_param(ev, "task", "classification"), MLOPS_OK);
    rc = mlops_evaluator_run_arrays(ev, f.rows, f.y_true, f.y_pred, NULL, 0, NULL, NULL, &r);
    ck_assert_msg(rc == MLOPS_OK, "%s", mlops_last_error());
    double x;
    ck_assert_int_eq(mlops_report_value(r, "demographic_parity_ratio", &x), MLOPS_ENOTFOUND);
    ck_assert_int_eq(mlops_report_group_value(r, "sex", "F", "count", &x), MLOPS_ENOTFOUND);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
    unload(&f);
}
END_TEST

/* The allocation sweep: a full fairness run with its JSON, on the first
 * 150 rows of the binary fixture. */
typedef struct sweep_ctx {
    fixture f;
    mlops_dataset *head;
    char *json;
} sweep_ctx;

static int fairness_run_and_export(void *arg)
{
    sweep_ctx *c = arg;
    mlops_evaluator *ev = NULL;
    mlops_report *r = NULL;
    arrays a;
    int rc = mlops_evaluator_create(&ev);
    if (rc == MLOPS_OK) rc = apply_settings(ev, &c->f, binary_settings, &a);
    if (rc == MLOPS_OK) rc = mlops_evaluator_add_gate(ev, "four_fifths_rule");
    if (rc == MLOPS_OK)
        rc = mlops_evaluator_run_arrays(ev, mlops_dataset_rows(c->head), c->f.y_true, a.y_pred,
                                        a.scores, 1, c->f.w, c->head, &r);
    if (rc == MLOPS_OK) rc = mlops_report_json(r, &c->json);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
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
    sweep_ctx c = {load("fairness_binary"), NULL, NULL};
    size_t idx[150];
    for (size_t i = 0; i < 150; i++) idx[i] = i;
    ck_assert_int_eq(mlops_dataset_take_rows(&c.head, c.f.data, idx, 150), MLOPS_OK);
    ck_assert_int_gt(fault_alloc_sweep(fairness_run_and_export, drop_json, &c), 5);
    mlops_dataset_free(c.head);
    unload(&c.f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("eval_fairness");
    TCase *tc = tcase_create("fairness");
    tcase_add_test(tc, reference_values);
    tcase_add_test(tc, four_fifths_rule);
    tcase_add_test(tc, bad_group_arguments);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
