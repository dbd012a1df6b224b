/* Evaluator metrics against scikit-learn: every run of eval_reference.h
 * (made by tests/reference/make_eval_reference.py from the prediction
 * fixtures tests/data/eval/<fixture>.csv) is evaluated through
 * mlops_evaluator_run_arrays(), and each reference value, curve point and
 * confusion-matrix cell must match to 1e-12 relative (1e-15 absolute near
 * zero). An undefined reference value (NaN) must be NaN in the report too,
 * and the report must then say why in a note.
 *
 * Each check lists every disagreement of its run before failing, so one
 * failing run shows all the values it gets wrong, not only the first. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "eval_reference.h"
#include "runner.h"

#ifndef DATA_DIR
#error "DATA_DIR must name tests/data"
#endif

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define OK(call) ck_assert_msg((call) == MLOPS_OK, "%s: %s", #call, mlops_last_error())

static const double REL = 1e-12;
static const double ABS_FLOOR = 1e-15;

/* A fixture's columns: y_true, y_pred, the p_* score columns (row-major)
 * and the optional weight column w. */
typedef struct fixture {
    size_t rows, score_cols;
    double *y_true, *y_pred, *scores, *weights;
} fixture;

static double *column(const mlops_dataset *d, const char *fixture_name, const char *name)
{
    size_t col, rows = mlops_dataset_rows(d);
    if (mlops_dataset_column_index(d, name, &col) != MLOPS_OK) return NULL;
    double *v = malloc(rows * sizeof *v);
    ck_assert_ptr_nonnull(v);
    ck_assert_msg(mlops_dataset_get_numeric(d, col, 0, rows, v) == MLOPS_OK, "%s.%s: %s",
                  fixture_name, name, mlops_last_error());
    return v;
}

static void fixture_load(fixture *f, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/eval/%s.csv", DATA_DIR, name);
    mlops_dataset *d = NULL;
    ck_assert_msg(mlops_dataset_read_csv(&d, path, NULL) == MLOPS_OK, "%s: %s", path,
                  mlops_last_error());
    memset(f, 0, sizeof *f);
    f->rows = mlops_dataset_rows(d);
    f->y_true = column(d, name, "y_true");
    f->y_pred = column(d, name, "y_pred");
    f->weights = column(d, name, "w");
    ck_assert_msg(f->rows > 0 && f->y_true && f->y_pred, "%s: y_true and y_pred", path);

    size_t cols = mlops_dataset_cols(d), pcol[16];
    for (size_t j = 0; j < cols; j++) {
        if (strncmp(mlops_dataset_column_name(d, j), "p_", 2) != 0) continue;
        ck_assert_uint_lt(f->score_cols, COUNT(pcol));
        pcol[f->score_cols++] = j;
    }
    if (f->score_cols > 0) {
        f->scores = malloc(f->rows * f->score_cols * sizeof *f->scores);
        ck_assert_ptr_nonnull(f->scores);
        OK(mlops_dataset_to_matrix(d, pcol, f->score_cols, f->scores,
                                   f->rows * f->score_cols));
    }
    mlops_dataset_free(d);
}

static void fixture_free(fixture *f)
{
    free(f->y_true);
    free(f->y_pred);
    free(f->scores);
    free(f->weights);
}

/* Applies "key=value;key=value" settings. */
static void apply_settings(mlops_evaluator *ev, const char *settings)
{
    char buf[256];
    ck_assert_uint_lt(strlen(settings), sizeof buf);
    strcpy(buf, settings);
    char *item = buf;
    while (item && *item) {
        char *next = strchr(item, ';');
        if (next) *next++ = '\0';
        char *eq = strchr(item, '=');
        ck_assert_msg(eq != NULL, "setting %s has no '='", item);
        *eq = '\0';
        ck_assert_msg(mlops_evaluator_set_param(ev, item, eq + 1) == MLOPS_OK,
                      "set_param(%s, %s): %s", item, eq + 1, mlops_last_error());
        item = next;
    }
}

static mlops_report *evaluate(const eval_ref_run *run)
{
    fixture f;
    fixture_load(&f, run->fixture);
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    apply_settings(ev, run->settings);
    mlops_report *r = NULL;
    int rc = mlops_evaluator_run_arrays(ev, f.rows, f.y_true, f.y_pred, f.scores,
                                        f.score_cols, f.weights, NULL, &r);
    ck_assert_msg(rc == MLOPS_OK && r != NULL, "%s [%s]: run_arrays returned %d: %s",
                  run->fixture, run->settings, rc, mlops_last_error());
    mlops_evaluator_free(ev);
    fixture_free(&f);
    return r;
}

static bool same_run(const char *fixture_name, const char *settings, const eval_ref_run *run)
{
    return strcmp(fixture_name, run->fixture) == 0 && strcmp(settings, run->settings) == 0;
}

static bool close_to(double got, double want)
{
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == want;
    if (!isfinite(got)) return false;
    double allowed = REL * fabs(want);
    if (allowed < ABS_FLOOR) allowed = ABS_FLOOR;
    return fabs(got - want) <= allowed;
}

/* Every reference value of one run. */
START_TEST(values_match)
{
    const eval_ref_run *run = &eval_ref_runs[_i];
    mlops_report *r = evaluate(run);
    size_t checked = 0, bad = 0;
    bool expect_nan = false;
    for (size_t i = 0; i < COUNT(eval_ref_values); i++) {
        const eval_ref_value *v = &eval_ref_values[i];
        if (!same_run(v->fixture, v->settings, run)) continue;
        checked++;
        double got = NAN;
        int rc = mlops_report_value(r, v->name, &got);
        if (rc != MLOPS_OK) {
            fprintf(stderr, "%s [%s] %s: reference %.17g, report_value returned %d: %s\n",
                    run->fixture, run->settings, v->name, v->value, rc, mlops_last_error());
            bad++;
            continue;
        }
        if (isnan(v->value)) expect_nan = true;
        if (!close_to(got, v->value)) {
            fprintf(stderr, "%s [%s] %s: reference %.17g, report %.17g (difference %.3g)\n",
                    run->fixture, run->settings, v->name, v->value, got, got - v->value);
            bad++;
        }
    }
    ck_assert_msg(checked > 0, "%s [%s]: no reference values", run->fixture, run->settings);
    if (expect_nan && mlops_report_note_count(r) == 0) {
        fprintf(stderr, "%s [%s]: undefined values but no note\n", run->fixture, run->settings);
        bad++;
    }
    for (size_t i = 0; i < mlops_report_note_count(r); i++)
        ck_assert_ptr_nonnull(mlops_report_note(r, i));
    mlops_report_free(r);
    ck_assert_msg(bad == 0, "%s [%s]: %zu of %zu values disagree with scikit-learn (listed above)",
                  run->fixture, run->settings, bad, checked);
}
END_TEST

static size_t compare_points(const eval_ref_run *run, const char *curve, const char *axis,
                             const double *got, const double *want, size_t n)
{
    size_t bad = 0;
    if (n > 0 && got == NULL) {
        fprintf(stderr, "%s [%s] %s.%s: no array\n", run->fixture, run->settings, curve, axis);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (close_to(got[i], want[i])) continue;
        if (bad < 5)
            fprintf(stderr, "%s [%s] %s.%s[%zu]: reference %.17g, report %.17g\n", run->fixture,
                    run->settings, curve, axis, i, want[i], got[i]);
        bad++;
    }
    return bad;
}

/* Every reference curve of one run, point by point. */
START_TEST(curves_match)
{
    const eval_ref_run *run = &eval_ref_runs[_i];
    size_t checked = 0, bad = 0;
    mlops_report *r = NULL;
    for (size_t i = 0; i < COUNT(eval_ref_curves); i++) {
        const eval_ref_curve *c = &eval_ref_curves[i];
        if (!same_run(c->fixture, c->settings, run)) continue;
        if (!r) r = evaluate(run);
        checked++;
        size_t n = 0;
        const double *x = NULL, *y = NULL, *t = NULL;
        int rc = mlops_report_curve(r, c->name, &n, &x, &y, &t);
        if (rc != MLOPS_OK) {
            fprintf(stderr, "%s [%s] curve %s: report_curve returned %d: %s\n", run->fixture,
                    run->settings, c->name, rc, mlops_last_error());
            bad++;
            continue;
        }
        if (n != c->n) {
            fprintf(stderr, "%s [%s] curve %s: %zu points, reference %zu\n", run->fixture,
                    run->settings, c->name, n, c->n);
            bad++;
            continue;
        }
        size_t wrong = compare_points(run, c->name, "x", x, c->x, n) +
                       compare_points(run, c->name, "y", y, c->y, n) +
                       compare_points(run, c->name, "t", t, c->t, c->t_n);
        if (wrong) {
            fprintf(stderr, "%s [%s] curve %s: %zu numbers disagree\n", run->fixture,
                    run->settings, c->name, wrong);
            bad++;
        }
    }
    mlops_report_free(r);
    ck_assert_msg(bad == 0, "%s [%s]: %zu of %zu curves disagree with scikit-learn (listed above)",
                  run->fixture, run->settings, bad, checked);
}
END_TEST

/* The class labels and the (weighted) confusion matrix of one run. */
START_TEST(confusion_matches)
{
    const eval_ref_run *run = &eval_ref_runs[_i];
    mlops_report *r = evaluate(run);
    bool classification = false;
    for (size_t i = 0; i < COUNT(eval_ref_confusions); i++) {
        const eval_ref_confusion *c = &eval_ref_confusions[i];
        if (!same_run(c->fixture, c->settings, run)) continue;
        classification = true;
        ck_assert_uint_eq(mlops_report_class_count(r), c->k);
        for (size_t j = 0; j < c->k; j++) {
            const char *label = mlops_report_class_label(r, j);
            ck_assert_msg(label && strcmp(label, c->labels[j]) == 0,
                          "%s: class %zu is \"%s\", reference \"%s\"", run->fixture, j,
                          label ? label : "(null)", c->labels[j]);
        }
        ck_assert_ptr_null(mlops_report_class_label(r, c->k));
        size_t k = 0;
        const double *counts = NULL;
        OK(mlops_report_confusion(r, &k, &counts));
        ck_assert_uint_eq(k, c->k);
        for (size_t j = 0; j < k * k; j++)
            ck_assert_msg(close_to(counts[j], c->counts[j]),
                          "%s: confusion[%zu][%zu] is %.17g, reference %.17g", run->fixture,
                          j / k, j % k, counts[j], c->counts[j]);
    }
    if (!classification) {
        size_t k = 99;
        const double *counts = NULL;
        ck_assert_int_eq(mlops_report_confusion(r, &k, &counts), MLOPS_ENOTFOUND);
        ck_assert_uint_eq(mlops_report_class_count(r), 0);
    }
    mlops_report_free(r);
}
END_TEST

/* The tables themselves: every entry belongs to a run, so none is skipped. */
START_TEST(reference_tables_consistent)
{
    for (size_t i = 0; i < COUNT(eval_ref_values); i++) {
        bool found = false;
        for (size_t j = 0; j < COUNT(eval_ref_runs); j++)
            found |= same_run(eval_ref_values[i].fixture, eval_ref_values[i].settings,
                              &eval_ref_runs[j]);
        ck_assert_msg(found, "value %zu (%s) has no run", i, eval_ref_values[i].name);
    }
    for (size_t i = 0; i < COUNT(eval_ref_curves); i++) {
        bool found = false;
        for (size_t j = 0; j < COUNT(eval_ref_runs); j++)
            found |= same_run(eval_ref_curves[i].fixture, eval_ref_curves[i].settings,
                              &eval_ref_runs[j]);
        ck_assert_msg(found, "curve %zu (%s) has no run", i, eval_ref_curves[i].name);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("eval_metrics");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, reference_tables_consistent);
    tcase_add_loop_test(tc, values_match, 0, (int)COUNT(eval_ref_runs));
    tcase_add_loop_test(tc, curves_match, 0, (int)COUNT(eval_ref_runs));
    tcase_add_loop_test(tc, confusion_matches, 0, (int)COUNT(eval_ref_runs));
    suite_add_tcase(s, tc);
    return s;
}
