/* The public surface of mlops_evaluator and mlops_report: every setting and
 * its errors, the gate grammar and verdicts, agreement between the model and
 * array paths and with numbers the test computes itself from predictions,
 * determinism of bootstrap, probes and folds, the model card record, the
 * accessors, NULL arguments and allocation failures. Metric values against
 * scikit-learn, Fairlearn and AIF360 definitions are checked by the
 * reference suites beside this file. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"

#define OK(call) ck_assert_msg((call) == MLOPS_OK, "%s: %s", #call, mlops_last_error())

#define ASSERT_ERR(call, code, text)                                                     \
    do {                                                                                 \
        int rc_ = (call);                                                                \
        ck_assert_msg(rc_ == (code), "%s gave %d (%s)", #call, rc_, mlops_last_error()); \
        ck_assert_msg(strstr(mlops_last_error(), (text)) != NULL,                        \
                      "message '%s' lacks '%s'", mlops_last_error(), (text));            \
    } while (0)

/* ---- Helpers ----------------------------------------------------------- */

static double value_of(const mlops_report *r, const char *name)
{
    double v = -12345;
    int rc = mlops_report_value(r, name, &v);
    ck_assert_msg(rc == MLOPS_OK, "value '%s': %s", name, mlops_last_error());
    return v;
}

static void set(mlops_evaluator *ev, const char *key, const char *value)
{
    int rc = mlops_evaluator_set_param(ev, key, value);
    ck_assert_msg(rc == MLOPS_OK, "%s=%s: %s", key, value, mlops_last_error());
}

static void assert_param(const mlops_evaluator *ev, const char *key, const char *want)
{
    char *v = NULL;
    OK(mlops_evaluator_get_param(ev, key, &v));
    ck_assert_msg(strcmp(v, want) == 0, "%s reads '%s', wanted '%s'", key, v, want);
    mlops_free(v);
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* The text right after member `key` (past ':' and white space) of the first
 * such member at or after `from`, or NULL. */
static const char *json_member(const char *from, const char *key)
{
    char needle[160];
    snprintf(needle, sizeof needle, "\"%s\"", key);
    const char *p = strstr(from, needle);
    if (p == NULL) return NULL;
    p += strlen(needle);
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    if (*p != ':') return NULL;
    p++;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    return p;
}

static double json_number(const char *from, const char *key)
{
    const char *p = json_member(from, key);
    ck_assert_msg(p != NULL, "no member '%s'", key);
    char *end;
    double v = strtod(p, &end);
    ck_assert_msg(end != p, "member '%s' is not a number: %.20s", key, p);
    return v;
}

/* Where the gate `expression` sits in a JSON document, after "gates" (or
 * after `from`). */
static const char *json_gate(const char *from, const char *expression)
{
    const char *gates = json_member(from, "gates");
    ck_assert_msg(gates != NULL, "no gates member");
    char needle[160];
    snprintf(needle, sizeof needle, "\"%s\"", expression);
    const char *g = strstr(gates, needle);
    ck_assert_msg(g != NULL, "gate '%s' missing from JSON", expression);
    return g;
}

static mlops_dataset *read_real(const char *name, const char *target)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real/%s", DATA_DIR, name);
    mlops_dataset *d = NULL;
    OK(mlops_dataset_read_csv(&d, path, NULL));
    size_t col = 0;
    OK(mlops_dataset_column_index(d, target, &col));
    OK(mlops_dataset_set_role(d, col, MLOPS_ROLE_TARGET));
    return d;
}

/* An unfitted logistic regression that imputes (so the missing probe can
 * predict) and standardizes (so it converges). */
static mlops_model *logistic(void)
{
    mlops_model *m = NULL;
    OK(mlops_model_create(&m, "logistic_regression"));
    mlops_transform *t = NULL;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "impute", "*"), 0);
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 1);
    OK(mlops_model_set_transform(m, t));
    mlops_transform_free(t);
    OK(mlops_model_set_param(m, "l2", "0.01"));
    return m;
}

/* Breast cancer with a fitted model, its predictions and the truth. */
typedef struct bc {
    mlops_dataset *d;
    mlops_model *m;
    size_t n;
    double *y, *pred, *proba; /* proba: n x 2 */
} bc;

static void bc_load(bc *b)
{
    b->d = read_real("breast_cancer.csv", "target");
    b->m = logistic();
    OK(mlops_model_fit(b->m, b->d));
    b->n = mlops_dataset_rows(b->d);
    ck_assert_uint_eq(b->n, 569);
    ck_assert_uint_eq(mlops_model_class_count(b->m), 2);
    ck_assert_str_eq(mlops_model_class_label(b->m, 0), "0");
    ck_assert_str_eq(mlops_model_class_label(b->m, 1), "1");
    b->y = malloc(b->n * sizeof *b->y);
    b->pred = malloc(b->n * sizeof *b->pred);
    b->proba = malloc(2 * b->n * sizeof *b->proba);
    ck_assert(b->y != NULL && b->pred != NULL && b->proba != NULL);
    size_t col = 0;
    OK(mlops_dataset_column_index(b->d, "target", &col));
    OK(mlops_dataset_get_numeric(b->d, col, 0, b->n, b->y));
    /* labels "0" and "1": the class index is the label */
    OK(mlops_model_predict(b->m, b->d, MLOPS_PREDICT_VALUE, b->pred, b->n));
    OK(mlops_model_predict(b->m, b->d, MLOPS_PREDICT_PROBA, b->proba, 2 * b->n));
}

static void bc_free(bc *b)
{
    free(b->y);
    free(b->pred);
    free(b->proba);
    mlops_model_free(b->m);
    mlops_dataset_free(b->d);
}

/* A small imperfect binary classification: 8 of 10 right. */
static const double Y10[10] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 0};
static const double P10[10] = {0, 0, 1, 0, 1, 1, 0, 1, 1, 0};
static const double S10[10] = {0.1, 0.3, 0.6, 0.2, 0.9, 0.7, 0.4, 0.8, 0.65, 0.35};

static mlops_evaluator *classifier_ev(void)
{
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    set(ev, "task", "classification");
    return ev;
}

/* ---- Settings ---------------------------------------------------------- */

START_TEST(settings_round_trip)
{
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    static const char *const defaults[][2] = {
        {"task", "auto"},           {"metrics", "all"},          {"threshold", ""},
        {"min_group_size", "30"},   {"bootstrap", "0"},          {"bootstrap_level", "0.95"},
        {"seed", "0"},              {"probes", ""},              {"calibration_bins", "10"},
        {"calibration_strategy", "uniform"}, {"curve_points", "1000"}, {"cv_folds", "5"},
        {"cv_shuffle", "false"},    {"cv_stratify", "auto"},
    };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        assert_param(ev, defaults[i][0], defaults[i][1]);
    /* every key, set to something other than its default, reads back */
    static const char *const values[][2] = {
        {"task", "regression"},
        {"metrics", "accuracy,f1"},
        {"metric", "f1"},
        {"pos_label", "1"},
        {"threshold", "0.25"},
        {"group", "sex,age_band"},
        {"reference_group", "sex=f"},
        {"min_group_size", "10"},
        {"bootstrap", "200"},
        {"bootstrap_level", "0.9"},
        {"seed", "18446744073709551615"},
        {"probes", "noise:0.1,1;missing:0.2"},
        {"calibration_bins", "15"},
        {"calibration_strategy", "quantile"},
        {"curve_points", "0"},
        {"cv_folds", "3"},
        {"cv_shuffle", "true"},
        {"cv_stratify", "false"},
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        set(ev, values[i][0], values[i][1]);
        assert_param(ev, values[i][0], values[i][1]);
    }
    /* the last value of a key wins; the others are untouched */
    set(ev, "task", "classification");
    assert_param(ev, "task", "classification");
    set(ev, "cv_stratify", "true");
    assert_param(ev, "cv_stratify", "true");
    assert_param(ev, "cv_shuffle", "true");
    set(ev, "metrics", "all");
    assert_param(ev, "metrics", "all");
    set(ev, "metrics", "mae,rmse");
    char *v = NULL;
    OK(mlops_evaluator_get_param(ev, "metrics", &v));
    ck_assert_msg(strstr(v, "ma") != NULL && strstr(v, "rm") != NULL, "metrics '%s'", v);
    mlops_free(v);
    mlops_evaluator_free(ev);
}
END_TEST

START_TEST(settings_errors_keep_old_value)
{
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    char *v = NULL;
    ASSERT_ERR(mlops_evaluator_set_param(ev, "metircs", "all"), MLOPS_EINVAL,
               "did you mean 'metrics'");
    ASSERT_ERR(mlops_evaluator_get_param(ev, "metircs", &v), MLOPS_EINVAL, "metircs");
    ck_assert_ptr_null(v);
    ASSERT_ERR(mlops_evaluator_set_param(ev, "bootstrap_levle", "0.9"), MLOPS_EINVAL,
               "did you mean 'bootstrap_level'");

    set(ev, "threshold", "0.3");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "threshold", "1.5"), MLOPS_EINVAL, "1.5");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "threshold", "-0.1"), MLOPS_EINVAL, "threshold");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "threshold", "abc"), MLOPS_EINVAL, "threshold");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "threshold", "nan"), MLOPS_EINVAL, "threshold");
    assert_param(ev, "threshold", "0.3");

    set(ev, "bootstrap", "50");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "bootstrap", "-1"), MLOPS_EINVAL, "bootstrap");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "bootstrap", "100001"), MLOPS_EINVAL, "bootstrap");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "bootstrap", "2.5"), MLOPS_EINVAL, "bootstrap");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "bootstrap", ""), MLOPS_EINVAL, "bootstrap");
    assert_param(ev, "bootstrap", "50");

    ASSERT_ERR(mlops_evaluator_set_param(ev, "bootstrap_level", "1"), MLOPS_EINVAL,
               "bootstrap_level");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "bootstrap_level", "0"), MLOPS_EINVAL,
               "bootstrap_level");
    assert_param(ev, "bootstrap_level", "0.95");

    ASSERT_ERR(mlops_evaluator_set_param(ev, "calibration_strategy", "foo"), MLOPS_EINVAL,
               "foo");
    assert_param(ev, "calibration_strategy", "uniform");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "calibration_bins", "0"), MLOPS_EINVAL,
               "calibration_bins");
    assert_param(ev, "calibration_bins", "10");

    set(ev, "metrics", "accuracy,roc_auc");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "metrics", "acuracy"), MLOPS_EINVAL,
               "did you mean 'accuracy'");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "metrics", "accuracy,rocauc"), MLOPS_EINVAL,
               "rocauc");
    assert_param(ev, "metrics", "accuracy,roc_auc");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "metric", "f11"), MLOPS_EINVAL, "did you mean");
    assert_param(ev, "metric", "");

    ASSERT_ERR(mlops_evaluator_set_param(ev, "task", "clasification"), MLOPS_EINVAL,
               "clasification");
    assert_param(ev, "task", "auto");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "cv_folds", "1"), MLOPS_EINVAL, "cv_folds");
    assert_param(ev, "cv_folds", "5");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "cv_shuffle", "maybe"), MLOPS_EINVAL, "maybe");
    assert_param(ev, "cv_shuffle", "false");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "cv_stratify", "sometimes"), MLOPS_EINVAL,
               "sometimes");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "seed", "-3"), MLOPS_EINVAL, "seed");
    assert_param(ev, "seed", "0");

    set(ev, "probes", "noise:0.1");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "probes", "nosie:0.1"), MLOPS_EINVAL, "nosie");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "probes", "noise"), MLOPS_EINVAL, "noise");
    ASSERT_ERR(mlops_evaluator_set_param(ev, "probes", "noise:abc"), MLOPS_EINVAL, "abc");
    assert_param(ev, "probes", "noise:0.1");
    mlops_evaluator_free(ev);
}
END_TEST

/* ---- Gates ------------------------------------------------------------- */

START_TEST(gates_pass_fail_and_json)
{
    mlops_evaluator *ev = classifier_ev();
    ck_assert_uint_eq(mlops_evaluator_gate_count(ev), 0);
    OK(mlops_evaluator_add_gate(ev, "accuracy >= 0.5"));
    OK(mlops_evaluator_add_gate(ev, "accuracy >= 0.999"));
    OK(mlops_evaluator_add_gate(ev, "count == 10"));
    OK(mlops_evaluator_add_gate(ev, "count != 10"));
    OK(mlops_evaluator_add_gate(ev, "  roc_auc>0.5  ")); /* spaces are optional */
    OK(mlops_evaluator_add_gate(ev, "accuracy < 0.8"));
    OK(mlops_evaluator_add_gate(ev, "accuracy <= 0.8"));
    OK(mlops_evaluator_add_gate(ev, "recall.1 >= 0.8"));
    ck_assert_uint_eq(mlops_evaluator_gate_count(ev), 8);
    mlops_report *r = NULL;
    OK(mlops_evaluator_run_arrays(ev, 10, Y10, P10, S10, 1, NULL, NULL, &r));
    const double acc = value_of(r, "accuracy");
    ck_assert_double_eq(acc, 0.8);
    ck_assert_double_eq(value_of(r, "recall.1"), 0.8);
    static const int want[8] = {1, 0, 1, 0, 1, 0, 1, 1};
    ck_assert_uint_eq(mlops_report_gate_count(r), 8);
    for (size_t i = 0; i < 8; i++) {
        const char *expr = NULL;
        double seen = 0;
        int passed = -1;
        OK(mlops_report_gate(r, i, &expr, &seen, &passed));
        ck_assert_msg(passed == want[i], "gate %zu '%s' (observed %g) gave %d", i, expr, seen,
                      passed);
        OK(mlops_report_gate(r, i, NULL, NULL, NULL));
    }
    const char *expr = NULL;
    double seen = 0;
    int passed = -1;
    OK(mlops_report_gate(r, 1, &expr, &seen, &passed));
    ck_assert_str_eq(expr, "accuracy >= 0.999");
    ck_assert(same_double(seen, acc));
    ck_assert_int_eq(passed, 0);
    OK(mlops_report_gate(r, 2, NULL, &seen, NULL));
    ck_assert_double_eq(seen, 10);
    ck_assert_int_eq(mlops_report_passed(r), 0);
    ASSERT_ERR(mlops_report_gate(r, 8, &expr, &seen, &passed), MLOPS_EINVAL, "8");

    char *json = NULL;
    OK(mlops_report_json(r, &json));
    const char *g = json_gate(json, "accuracy >= 0.999");
    const char *p = json_member(g, "passed");
    ck_assert_ptr_nonnull(p);
    ck_assert_msg(strncmp(p, "false", 5) == 0, "failing gate reads %.10s", p);
    ck_assert(same_double(json_number(g, "value"), acc));
    p = json_member(json_gate(json, "accuracy >= 0.5"), "passed");
    ck_assert_msg(p != NULL && strncmp(p, "true", 4) == 0, "passing gate reads %.10s", p);
    /* the overall verdict follows the gates */
    const char *gates = json_member(json, "gates");
    const char *verdict = json_member(gates, "passed");
    const char *last = verdict;
    while ((p = json_member(last, "passed")) != NULL) {
        verdict = p;
        last = p;
    }
    ck_assert_msg(strncmp(verdict, "false", 5) == 0, "report verdict reads %.10s", verdict);
    mlops_free(json);
    mlops_report_free(r);

    /* without the failing gates, the report passes */
    mlops_evaluator_free(ev);
    ev = classifier_ev();
    OK(mlops_evaluator_add_gate(ev, "accuracy >= 0.5"));
    OK(mlops_evaluator_run_arrays(ev, 10, Y10, P10, S10, 1, NULL, NULL, &r));
    ck_assert_int_eq(mlops_report_passed(r), 1);
    mlops_report_free(r);
    /* no gates at all: passed */
    mlops_evaluator_free(ev);
    ev = classifier_ev();
    OK(mlops_evaluator_run_arrays(ev, 10, Y10, P10, NULL, 0, NULL, NULL, &r));
    ck_assert_int_eq(mlops_report_passed(r), 1);
    ck_assert_uint_eq(mlops_report_gate_count(r), 0);
    ASSERT_ERR(mlops_report_gate(r, 0, &expr, &seen, &passed), MLOPS_EINVAL, "0");
    mlops_report_free(r);
    mlops_evaluator_free(ev);
}
END_TEST

START_TEST(gates_malformed)
{
    mlops_evaluator *ev = classifier_ev();
    OK(mlops_evaluator_add_gate(ev, "accuracy >= 0.5"));
    static const char *const bad[] = {
        "accuracy >=", "accuracy => 0.9", ">= 0.9", "accuracy >= abc", "accuracy >= 0.9 extra",
        "accuracy", "", "accuracy >= nan", "accuracy >= inf", "accuracy = 0.9",
        "accuracy >= 0.9 >= 0.8",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = mlops_evaluator_add_gate(ev, bad[i]);
        ck_assert_msg(rc == MLOPS_EINVAL, "'%s' gave %d", bad[i], rc);
        ck_assert_msg(strlen(mlops_last_error()) > 0, "'%s' without a message", bad[i]);
    }
    ASSERT_ERR(mlops_evaluator_add_gate(ev, "acuracy >= 0.9"), MLOPS_EINVAL,
               "did you mean 'accuracy'");
    ASSERT_ERR(mlops_evaluator_add_gate(ev, "accuracy >= abc"), MLOPS_EINVAL, "abc");
    ASSERT_ERR(mlops_evaluator_add_gate(ev, "accuracy => 0.9"), MLOPS_EINVAL,
               "accuracy => 0.9");
    ck_assert_uint_eq(mlops_evaluator_gate_count(ev), 1);
    /* every operator and the shorthand parse */
    OK(mlops_evaluator_add_gate(ev, "four_fifths_rule"));
    OK(mlops_evaluator_add_gate(ev, "f1 > 0.1"));
    OK(mlops_evaluator_add_gate(ev, "log_loss < 10"));
    OK(mlops_evaluator_add_gate(ev, "brier_score_loss <= 1"));
    OK(mlops_evaluator_add_gate(ev, "count == 10"));
    OK(mlops_evaluator_add_gate(ev, "count != 11"));
    OK(mlops_evaluator_add_gate(ev, "accuracy >= -1e-3"));
    ck_assert_uint_eq(mlops_evaluator_gate_count(ev), 8);
    mlops_evaluator_free(ev);
}
END_TEST

START_TEST(gates_uncomputable_and_nan)
{
    /* an interval without bootstrap cannot be computed: the run fails */
    mlops_evaluator *ev = classifier_ev();
    OK(mlops_evaluator_add_gate(ev, "roc_auc.ci_low >= 0.5"));
    mlops_report *r = NULL;
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, 10, Y10, P10, S10, 1, NULL, NULL, &r),
               MLOPS_EINVAL, "roc_auc.ci_low");
    ck_assert_ptr_null(r);
    /* with bootstrap it can */
    set(ev, "bootstrap", "30");
    OK(mlops_evaluator_run_arrays(ev, 10, Y10, P10, S10, 1, NULL, NULL, &r));
    double seen = 0;
    OK(mlops_report_gate(r, 0, NULL, &seen, NULL));
    ck_assert(same_double(seen, value_of(r, "roc_auc.ci_low")));
    mlops_report_free(r);
    mlops_evaluator_free(ev);

    /* a gate on a value needing scores fails the run without scores */
    ev = classifier_ev();
    OK(mlops_evaluator_add_gate(ev, "roc_auc >= 0.5"));
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, 10, Y10, P10, NULL, 0, NULL, NULL, &r),
               MLOPS_EINVAL, "roc_auc");
    mlops_evaluator_free(ev);

    /* nothing predicted positive: precision is NaN, and NaN fails any gate */
    static const double y[4] = {0, 0, 1, 1}, p[4] = {0, 0, 0, 0};
    ev = classifier_ev();
    set(ev, "pos_label", "1");
    OK(mlops_evaluator_add_gate(ev, "precision >= 0"));
    OK(mlops_evaluator_add_gate(ev, "precision != 5"));
    OK(mlops_evaluator_add_gate(ev, "accuracy >= 0.5"));
    OK(mlops_evaluator_run_arrays(ev, 4, y, p, NULL, 0, NULL, NULL, &r));
    ck_assert(isnan(value_of(r, "precision")));
    int passed = -1;
    OK(mlops_report_gate(r, 0, NULL, &seen, &passed));
    ck_assert(isnan(seen));
    ck_assert_int_eq(passed, 0);
    OK(mlops_report_gate(r, 1, NULL, &seen, &passed));
    ck_assert_int_eq(passed, 0);
    OK(mlops_report_gate(r, 2, NULL, &seen, &passed));
    ck_assert_int_eq(passed, 1);
    ck_assert_int_eq(mlops_report_passed(r), 0);
    /* the undefined value is explained */
    size_t notes = mlops_report_note_count(r);
    ck_assert_uint_ge(notes, 1);
    int named = 0;
    for (size_t i = 0; i < notes; i++) {
        const char *note = mlops_report_note(r, i);
        ck_assert_ptr_nonnull(note);
        ck_assert_uint_gt(strlen(note), 0);
        named |= strstr(note, "precision") != NULL;
    }
    ck_assert_msg(named, "no note names precision");
    ck_assert_ptr_null(mlops_report_note(r, notes));
    /* NaN is written as null */
    char *json = NULL;
    OK(mlops_report_json(r, &json));
    const char *v = json_member(json_gate(json, "precision >= 0"), "value");
    ck_assert_msg(v != NULL && strncmp(v, "null", 4) == 0, "NaN gate value reads %.10s", v);
    mlops_free(json);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
}
END_TEST

/* ---- Runs on a real model ---------------------------------------------- */

/* Asserts that every value of `a` is in `b` with the same value. */
static void assert_same_values(const mlops_report *a, const mlops_report *b, double rtol)
{
    size_t n = mlops_report_value_count(a);
    ck_assert_uint_gt(n, 10);
    for (size_t i = 0; i < n; i++) {
        const char *name = mlops_report_value_name(a, i);
        ck_assert_ptr_nonnull(name);
        double va = value_of(a, name), vb = 0;
        int rc = mlops_report_value(b, name, &vb);
        ck_assert_msg(rc == MLOPS_OK, "'%s' only in one report: %s", name, mlops_last_error());
        if (isnan(va) || isnan(vb)) {
            ck_assert_msg(isnan(va) && isnan(vb), "'%s': %g vs %g", name, va, vb);
            continue;
        }
        ck_assert_msg(fabs(va - vb) <= rtol * (1 + fabs(va)), "'%s': %.17g vs %.17g", name, va,
                      vb);
    }
}

START_TEST(real_model_run_matches_predictions)
{
    bc b;
    bc_load(&b);
    size_t correct = 0, cm[4] = {0, 0, 0, 0}, tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < b.n; i++) {
        correct += b.pred[i] == b.y[i];
        cm[(size_t)b.y[i] * 2 + (size_t)b.pred[i]]++;
        tp += b.y[i] == 1 && b.pred[i] == 1;
        fp += b.y[i] == 0 && b.pred[i] == 1;
        fn += b.y[i] == 1 && b.pred[i] == 0;
    }
    ck_assert_uint_lt(correct, b.n); /* imperfect, so the gate below fails */
    ck_assert_uint_gt(correct, b.n * 9 / 10);

    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    OK(mlops_evaluator_add_gate(ev, "accuracy >= 0.5"));
    OK(mlops_evaluator_add_gate(ev, "accuracy >= 0.999"));
    mlops_report *r = NULL;
    OK(mlops_evaluator_run(ev, b.m, b.d, &r));
    const double acc = value_of(r, "accuracy");
    ck_assert_double_eq_tol(acc, (double)correct / (double)b.n, 1e-15);
    ck_assert_double_eq(value_of(r, "count"), (double)b.n);
    ck_assert_double_eq(value_of(r, "weight_sum"), (double)b.n);
    ck_assert_double_eq_tol(value_of(r, "precision"), (double)tp / (double)(tp + fp), 1e-15);
    ck_assert_double_eq_tol(value_of(r, "recall"), (double)tp / (double)(tp + fn), 1e-15);
    ck_assert_double_eq_tol(value_of(r, "support.1"), (double)(tp + fn), 1e-12);
    ck_assert_int_eq(mlops_report_passed(r), 0);
    double seen = 0;
    int passed = -1;
    OK(mlops_report_gate(r, 1, NULL, &seen, &passed));
    ck_assert(same_double(seen, acc));
    ck_assert_int_eq(passed, 0);
    OK(mlops_report_gate(r, 0, NULL, NULL, &passed));
    ck_assert_int_eq(passed, 1);

    /* classes and confusion matrix */
    ck_assert_uint_eq(mlops_report_class_count(r), 2);
    ck_assert_str_eq(mlops_report_class_label(r, 0), "0");
    ck_assert_str_eq(mlops_report_class_label(r, 1), "1");
    ck_assert_ptr_null(mlops_report_class_label(r, 2));
    size_t k = 0;
    const double *counts = NULL;
    OK(mlops_report_confusion(r, &k, &counts));
    ck_assert_uint_eq(k, 2);
    double total = 0;
    for (size_t i = 0; i < 4; i++) {
        ck_assert_double_eq(counts[i], (double)cm[i]);
        total += counts[i];
    }
    ck_assert_double_eq(total, (double)b.n);

    /* every value name resolves; the enumeration ends */
    size_t count = mlops_report_value_count(r);
    ck_assert_uint_gt(count, 20);
    int saw_accuracy = 0, saw_roc = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name = mlops_report_value_name(r, i);
        ck_assert_ptr_nonnull(name);
        double v = 0;
        ck_assert_msg(mlops_report_value(r, name, &v) == MLOPS_OK, "'%s': %s", name,
                      mlops_last_error());
        saw_accuracy |= strcmp(name, "accuracy") == 0;
        saw_roc |= strcmp(name, "roc_auc") == 0;
    }
    ck_assert(saw_accuracy && saw_roc);
    ck_assert_ptr_null(mlops_report_value_name(r, count));
    double v = 0;
    ASSERT_ERR(mlops_report_value(r, "acuracy", &v), MLOPS_ENOTFOUND, "did you mean 'accuracy'");
    ck_assert_double_eq(v, 0);

    /* the same predictions as arrays give the same report values */
    mlops_evaluator *ea = classifier_ev();
    mlops_report *ra = NULL;
    OK(mlops_evaluator_run_arrays(ea, b.n, b.y, b.pred, b.proba, 2, NULL, NULL, &ra));
    assert_same_values(r, ra, 1e-12);
    assert_same_values(ra, r, 1e-12);
    const double *counts_a = NULL;
    OK(mlops_report_confusion(ra, &k, &counts_a));
    ck_assert_int_eq(memcmp(counts, counts_a, 4 * sizeof *counts), 0);
    mlops_report_free(ra);
    /* one column of P(class 1) is the same as two columns */
    double *p1 = malloc(b.n * sizeof *p1);
    ck_assert_ptr_nonnull(p1);
    for (size_t i = 0; i < b.n; i++) p1[i] = b.proba[2 * i + 1];
    OK(mlops_evaluator_run_arrays(ea, b.n, b.y, b.pred, p1, 1, NULL, NULL, &ra));
    assert_same_values(r, ra, 1e-12);
    mlops_report_free(ra);
    /* equal weights change no rate; the weight sum doubles */
    double *w = malloc(b.n * sizeof *w);
    ck_assert_ptr_nonnull(w);
    for (size_t i = 0; i < b.n; i++) w[i] = 2;
    OK(mlops_evaluator_run_arrays(ea, b.n, b.y, b.pred, p1, 1, w, NULL, &ra));
    ck_assert_double_eq_tol(value_of(ra, "accuracy"), acc, 1e-15);
    ck_assert_double_eq_tol(value_of(ra, "roc_auc"), value_of(r, "roc_auc"), 1e-12);
    ck_assert_double_eq(value_of(ra, "weight_sum"), 2.0 * (double)b.n);
    mlops_report_free(ra);
    free(w);
    free(p1);
    mlops_evaluator_free(ea);
    /* the JSON holds the task, the row count and the same numbers */
    char *json = NULL;
    OK(mlops_report_json(r, &json));
    const char *task = json_member(json, "task");
    ck_assert_ptr_nonnull(task);
    ck_assert_int_eq(strncmp(task, "\"classification\"", 16), 0);
    ck_assert(same_double(json_number(json_member(json, "metrics"), "accuracy"), acc));
    ck_assert_ptr_nonnull(json_member(json, "confusion_matrix"));
    ck_assert_ptr_nonnull(json_member(json, "curves"));
    const char *rows = json_member(json, "rows");
    double nrows = rows != NULL ? strtod(rows, NULL) : -1;
    mlops_free(json);
    ck_assert_msg(nrows == (double)b.n, "JSON rows member: %g", nrows);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
    bc_free(&b);
}
END_TEST

/* The ROC curve runs from (0, 0) at +inf to (1, 1), monotonically; the
 * precision-recall curve ends at (0, 1); the calibration bins hold every
 * row. */
START_TEST(curves_of_real_model)
{
    bc b;
    bc_load(&b);
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    mlops_report *r = NULL;
    OK(mlops_evaluator_run(ev, b.m, b.d, &r));
    size_t n = 0;
    const double *x = NULL, *y = NULL, *t = NULL;
    OK(mlops_report_curve(r, "roc", &n, &x, &y, &t));
    ck_assert_uint_ge(n, 3);
    ck_assert_double_eq(x[0], 0);
    ck_assert_double_eq(y[0], 0);
    ck_assert_double_eq(x[n - 1], 1);
    ck_assert_double_eq(y[n - 1], 1);
    for (size_t i = 1; i < n; i++) {
        ck_assert(x[i] >= x[i - 1] && y[i] >= y[i - 1]);
        ck_assert(t[i] < t[i - 1]);
    }
    size_t n2 = 0;
    OK(mlops_report_curve(r, "roc", &n2, NULL, NULL, NULL));
    ck_assert_uint_eq(n2, n);
    /* precision-recall ends at recall 0, precision 1 */
    OK(mlops_report_curve(r, "precision_recall", &n, &x, &y, &t));
    ck_assert_uint_ge(n, 2);
    ck_assert_double_eq(x[n - 1], 0);
    ck_assert_double_eq(y[n - 1], 1);
    ck_assert_double_eq(x[0], 1);
    /* calibration: at most 10 non-empty bins holding every row */
    OK(mlops_report_curve(r, "calibration", &n, &x, &y, &t));
    ck_assert(n >= 2 && n <= 10);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert(x[i] >= 0 && x[i] <= 1 && y[i] >= 0 && y[i] <= 1 && t[i] > 0);
        total += t[i];
    }
    ck_assert_double_eq_tol(total, (double)b.n, 1e-9);
    ASSERT_ERR(mlops_report_curve(r, "rock", &n, &x, &y, &t), MLOPS_ENOTFOUND, "rock");
    /* the leading point's threshold is +inf, as scikit-learn (>= 1.3) writes it */
    OK(mlops_report_curve(r, "roc", &n, &x, &y, &t));
    ck_assert_msg(isinf(t[0]) && t[0] > 0, "leading ROC threshold is %g, not +inf", t[0]);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
    bc_free(&b);
}
END_TEST

START_TEST(run_errors)
{
    bc b;
    bc_load(&b);
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    mlops_report *r = NULL;
    /* unfitted model */
    mlops_model *unfitted = logistic();
    ASSERT_ERR(mlops_evaluator_run(ev, unfitted, b.d, &r), MLOPS_ESTATE, "fitted");
    /* data without the target column */
    mlops_dataset *no_target = NULL;
    size_t cols[30];
    for (size_t j = 0; j < 30; j++) cols[j] = j;
    OK(mlops_dataset_select_columns(&no_target, b.d, cols, 30));
    ASSERT_ERR(mlops_evaluator_run(ev, b.m, no_target, &r), MLOPS_ENOTFOUND, "target");
    mlops_dataset_free(no_target);
    /* a group column that is not there */
    set(ev, "group", "nosuchcolumn");
    ASSERT_ERR(mlops_evaluator_run(ev, b.m, b.d, &r), MLOPS_ENOTFOUND, "nosuchcolumn");
    ck_assert_ptr_null(r);
    mlops_evaluator_free(ev);

    /* arrays: task, values, scores */
    ev = NULL;
    OK(mlops_evaluator_create(&ev));
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, 10, Y10, P10, NULL, 0, NULL, NULL, &r),
               MLOPS_EINVAL, "task");
    set(ev, "task", "classification");
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, 0, Y10, P10, NULL, 0, NULL, NULL, &r),
               MLOPS_EINVAL, "rows");
    double yb[10], sb[10], wb[10];
    memcpy(yb, Y10, sizeof yb);
    yb[6] = NAN;
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, 10, yb, P10, NULL, 0, NULL, NULL, &r),
               MLOPS_EINVAL, "6");
    memcpy(sb, S10, sizeof sb);
    sb[3] = 1.5;
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, 10, Y10, P10, sb, 1, NULL, NULL, &r),
               MLOPS_EINVAL, "3");
    for (size_t i = 0; i < 10; i++) wb[i] = 1;
    wb[2] = -1;
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, 10, Y10, P10, NULL, 0, wb, NULL, &r),
               MLOPS_EINVAL, "2");
    wb[2] = INFINITY;
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, 10, Y10, P10, NULL, 0, wb, NULL, &r),
               MLOPS_EINVAL, "2");
    /* three score columns for two classes */
    double s3[30];
    for (size_t i = 0; i < 30; i++) s3[i] = 1.0 / 3;
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, 10, Y10, P10, s3, 3, NULL, NULL, &r),
               MLOPS_EINVAL, "3");
    /* groups with another row count */
    mlops_dataset *g = NULL;
    double gv[5] = {0, 1, 0, 1, 0};
    OK(mlops_dataset_from_matrix(&g, gv, 5, 1, 0, NULL));
    OK(mlops_dataset_set_role(g, 0, MLOPS_ROLE_GROUP));
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, 10, Y10, P10, NULL, 0, NULL, g, &r),
               MLOPS_EINVAL, "5");
    mlops_dataset_free(g);
    ck_assert_ptr_null(r);
    mlops_evaluator_free(ev);
    mlops_model_free(unfitted);
    bc_free(&b);
}
END_TEST

/* ---- Bootstrap ----------------------------------------------------------- */

static void bootstrap_run(const bc *b, const char *seed, double ci[4])
{
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    set(ev, "bootstrap", "200");
    set(ev, "seed", seed);
    mlops_report *r = NULL;
    OK(mlops_evaluator_run(ev, b->m, b->d, &r));
    ci[0] = value_of(r, "accuracy.ci_low");
    ci[1] = value_of(r, "accuracy.ci_high");
    ci[2] = value_of(r, "roc_auc.ci_low");
    ci[3] = value_of(r, "roc_auc.ci_high");
    const double acc = value_of(r, "accuracy"), auc = value_of(r, "roc_auc");
    ck_assert_msg(ci[0] <= acc && acc <= ci[1], "accuracy %g outside [%g, %g]", acc, ci[0],
                  ci[1]);
    ck_assert_msg(ci[2] <= auc && auc <= ci[3], "roc_auc %g outside [%g, %g]", auc, ci[2],
                  ci[3]);
    ck_assert(ci[0] < ci[1] && ci[2] < ci[3]);
    ck_assert(ci[1] <= 1 && ci[3] <= 1);
    const double sd = value_of(r, "accuracy.std");
    ck_assert(sd > 0 && sd < 0.05);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
}

START_TEST(bootstrap_intervals_are_seeded)
{
    bc b;
    bc_load(&b);
    double a[4], c[4], d[4];
    bootstrap_run(&b, "7", a);
    bootstrap_run(&b, "7", c);
    ck_assert_int_eq(memcmp(a, c, sizeof a), 0);
    bootstrap_run(&b, "8", d);
    ck_assert_msg(memcmp(a, d, sizeof a) != 0, "seeds 7 and 8 give the same intervals");
    bc_free(&b);
}
END_TEST

/* ---- Cross-validation and grid search ------------------------------------ */

START_TEST(cross_validation_and_grid_search)
{
    mlops_dataset *d = read_real("breast_cancer.csv", "target");
    mlops_model *m = logistic();
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    set(ev, "cv_folds", "5");
    OK(mlops_evaluator_add_gate(ev, "accuracy.mean >= 0.9"));
    mlops_report *r1 = NULL, *r2 = NULL;
    OK(mlops_evaluator_cross_validate(ev, m, d, &r1));
    OK(mlops_evaluator_cross_validate(ev, m, d, &r2));
    ck_assert_int_eq(mlops_model_is_fitted(m), 0); /* the model itself is not fitted */
    double folds[5], sum = 0;
    for (int i = 0; i < 5; i++) {
        char name[64];
        snprintf(name, sizeof name, "fold_%d.accuracy", i);
        folds[i] = value_of(r1, name);
        ck_assert(same_double(folds[i], value_of(r2, name)));
        ck_assert(folds[i] > 0.85 && folds[i] <= 1);
        sum += folds[i];
    }
    double v = 0;
    ck_assert_int_eq(mlops_report_value(r1, "fold_5.accuracy", &v), MLOPS_ENOTFOUND);
    const double mean = sum / 5;
    ck_assert_double_eq_tol(value_of(r1, "accuracy.mean"), mean, 1e-15);
    double var = 0;
    for (int i = 0; i < 5; i++) var += (folds[i] - mean) * (folds[i] - mean);
    ck_assert_double_eq_tol(value_of(r1, "accuracy.std"), sqrt(var / 5), 1e-12);
    /* the whole reports agree */
    ck_assert_uint_eq(mlops_report_value_count(r1), mlops_report_value_count(r2));
    for (size_t i = 0; i < mlops_report_value_count(r1); i++) {
        const char *name = mlops_report_value_name(r1, i);
        ck_assert_str_eq(name, mlops_report_value_name(r2, i));
        double a = value_of(r1, name), b = value_of(r2, name);
        ck_assert_msg(same_double(a, b) || (isnan(a) && isnan(b)), "'%s' differs", name);
    }
    ck_assert_uint_eq(mlops_report_gate_count(r1), 1);
    double seen = 0;
    OK(mlops_report_gate(r1, 0, NULL, &seen, NULL));
    ck_assert(same_double(seen, value_of(r1, "accuracy.mean")));
    ck_assert_int_eq(mlops_report_passed(r1), 1);
    mlops_report_free(r1);
    mlops_report_free(r2);

    /* grid search */
    static const char *const l2[3] = {"0.01", "1", "100"};
    mlops_model *best = NULL;
    mlops_report *g = NULL;
    OK(mlops_evaluator_grid_search(ev, m, d, "l2=0.01,1,100", &best, &g));
    ck_assert_ptr_nonnull(best);
    ck_assert_int_eq(mlops_model_is_fitted(best), 1);
    ck_assert_int_eq(mlops_model_is_fitted(m), 0);
    double top = -1;
    int argmax = -1;
    for (int i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "candidate_%d.accuracy.mean", i);
        double c = value_of(g, name);
        if (c > top) {
            top = c;
            argmax = i;
        }
        snprintf(name, sizeof name, "candidate_%d.accuracy.std", i);
        ck_assert(value_of(g, name) >= 0);
    }
    ck_assert_int_eq(mlops_report_value(g, "candidate_3.accuracy.mean", &v), MLOPS_ENOTFOUND);
    const double best_index = value_of(g, "best_index");
    ck_assert_double_eq(best_index, (double)argmax);
    ck_assert(same_double(value_of(g, "accuracy.mean"), top));
    char *text = NULL;
    OK(mlops_model_get_param(best, "l2", &text));
    ck_assert_str_eq(text, l2[argmax]);
    mlops_free(text);
    /* the best model is the chosen candidate fitted on all rows */
    mlops_model *ref = logistic();
    OK(mlops_model_set_param(ref, "l2", l2[argmax]));
    OK(mlops_model_fit(ref, d));
    double cb[31], cr[31];
    OK(mlops_model_coefficients(best, MLOPS_COEF_MODEL, cb, 30, cb + 30, 1));
    OK(mlops_model_coefficients(ref, MLOPS_COEF_MODEL, cr, 30, cr + 30, 1));
    for (int j = 0; j < 31; j++) ck_assert_double_eq_tol(cb[j], cr[j], 1e-9 * (1 + fabs(cr[j])));
    /* the JSON lists the candidates' settings */
    char *json = NULL;
    OK(mlops_report_json(g, &json));
    ck_assert_ptr_nonnull(strstr(json, "\"l2\""));
    ck_assert_ptr_nonnull(strstr(json, "100"));
    mlops_free(json);
    mlops_report_free(g);
    mlops_model_free(best);
    mlops_model_free(ref);

    /* bad grids */
    best = NULL;
    g = NULL;
    ASSERT_ERR(mlops_evaluator_grid_search(ev, m, d, "l3=0.1", &best, &g), MLOPS_EINVAL, "l3");
    ASSERT_ERR(mlops_evaluator_grid_search(ev, m, d, "l2=-1", &best, &g), MLOPS_EINVAL, "-1");
    ASSERT_ERR(mlops_evaluator_grid_search(ev, m, d, "l2", &best, &g), MLOPS_EINVAL, "l2");
    ASSERT_ERR(mlops_evaluator_grid_search(ev, m, d, "", &best, &g), MLOPS_EINVAL, "grid");
    ck_assert_ptr_null(best);
    ck_assert_ptr_null(g);
    /* more folds than rows */
    set(ev, "cv_folds", "1000");
    ASSERT_ERR(mlops_evaluator_cross_validate(ev, m, d, &r1), MLOPS_EINVAL, "1000");
    mlops_evaluator_free(ev);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

/* ---- Robustness probes --------------------------------------------------- */

static mlops_report *probe_run(const bc *b)
{
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    set(ev, "metrics", "accuracy,roc_auc");
    set(ev, "probes", "noise:0.1,1;missing:0.2");
    set(ev, "seed", "3");
    OK(mlops_evaluator_add_gate(ev, "noise_0.1.flip_rate <= 1"));
    mlops_report *r = NULL;
    OK(mlops_evaluator_run(ev, b->m, b->d, &r));
    mlops_evaluator_free(ev);
    return r;
}

START_TEST(probes_are_seeded_and_ordered)
{
    bc b;
    bc_load(&b);
    mlops_report *r1 = probe_run(&b), *r2 = probe_run(&b);
    const double small = value_of(r1, "noise_0.1.flip_rate");
    const double large = value_of(r1, "noise_1.flip_rate");
    const double miss = value_of(r1, "missing_0.2.flip_rate");
    ck_assert(small >= 0 && small <= 1);
    ck_assert(large >= 0 && large <= 1);
    ck_assert(miss >= 0 && miss <= 1);
    ck_assert_msg(large >= small, "flip rate %g at noise 1 below %g at 0.1", large, small);
    ck_assert_msg(large > 0, "noise of one standard deviation flipped nothing");
    const double acc = value_of(r1, "accuracy");
    ck_assert_double_eq_tol(value_of(r1, "noise_1.accuracy.change"),
                            value_of(r1, "noise_1.accuracy") - acc, 1e-15);
    ck_assert(value_of(r1, "noise_1.accuracy") <= acc);
    const double auc = value_of(r1, "missing_0.2.roc_auc");
    ck_assert(auc >= 0 && auc <= 1);
    /* a flip changes the prediction of a row: accuracy moves by at most the
     * flip rate */
    ck_assert(fabs(value_of(r1, "noise_0.1.accuracy.change")) <= small + 1e-12);
    /* identical runs */
    size_t n = mlops_report_value_count(r1), probes = 0;
    ck_assert_uint_eq(n, mlops_report_value_count(r2));
    for (size_t i = 0; i < n; i++) {
        const char *name = mlops_report_value_name(r1, i);
        ck_assert_str_eq(name, mlops_report_value_name(r2, i));
        double a = value_of(r1, name), c = value_of(r2, name);
        ck_assert_msg(same_double(a, c) || (isnan(a) && isnan(c)), "'%s' differs", name);
        probes += strncmp(name, "noise_", 6) == 0 || strncmp(name, "missing_", 8) == 0;
    }
    ck_assert_uint_ge(probes, 9);
    ck_assert_int_eq(mlops_report_passed(r1), 1);
    char *json = NULL;
    OK(mlops_report_json(r1, &json));
    ck_assert_ptr_nonnull(json_member(json, "robustness"));
    mlops_free(json);
    mlops_report_free(r1);
    mlops_report_free(r2);
    bc_free(&b);
}
END_TEST

/* ---- Groups -------------------------------------------------------------- */

START_TEST(group_values_match_subsets)
{
    /* rows 0-4 in group a, 5-9 in b */
    static const char *const site[10] = {"a", "a", "a", "a", "a", "b", "b", "b", "b", "b"};
    mlops_dataset_builder *bld = NULL;
    OK(mlops_dataset_builder_create(&bld, 10));
    OK(mlops_dataset_builder_add_categorical(bld, "site", site));
    OK(mlops_dataset_builder_set_role(bld, "site", MLOPS_ROLE_GROUP));
    mlops_dataset *groups = NULL;
    OK(mlops_dataset_builder_finish(bld, &groups));
    mlops_dataset_builder_free(bld);
    mlops_evaluator *ev = classifier_ev();
    set(ev, "metrics", "accuracy");
    set(ev, "min_group_size", "5");
    mlops_report *r = NULL;
    OK(mlops_evaluator_run_arrays(ev, 10, Y10, P10, S10, 1, NULL, groups, &r));
    /* a: truth 0 0 0 0 1, predicted 0 0 1 0 1: 4 right, 2 predicted positive
     * b: truth 1 1 1 1 0, predicted 1 0 1 1 0: 4 right, 3 predicted positive */
    double v = 0;
    OK(mlops_report_group_value(r, "site", "a", "accuracy", &v));
    ck_assert_double_eq(v, 0.8);
    ck_assert(same_double(v, value_of(r, "site=a.accuracy")));
    OK(mlops_report_group_value(r, "site", "a", "selection_rate", &v));
    ck_assert_double_eq(v, 0.4);
    OK(mlops_report_group_value(r, "site", "b", "selection_rate", &v));
    ck_assert_double_eq(v, 0.6);
    OK(mlops_report_group_value(r, "site", "b", "count", &v));
    ck_assert_double_eq(v, 5);
    OK(mlops_report_group_value(r, "site", "b", "small", &v));
    ck_assert_double_eq(v, 0);
    ck_assert_double_eq_tol(value_of(r, "demographic_parity_difference"), 0.2, 1e-15);
    ck_assert_double_eq_tol(value_of(r, "demographic_parity_ratio"), 0.4 / 0.6, 1e-15);
    ck_assert_int_eq(mlops_report_group_value(r, "site", "c", "accuracy", &v), MLOPS_ENOTFOUND);
    ck_assert_int_eq(mlops_report_group_value(r, "region", "a", "accuracy", &v),
                     MLOPS_ENOTFOUND);
    mlops_report_free(r);
    /* the group setting names the column too; a larger minimum flags both */
    OK(mlops_dataset_set_role(groups, 0, MLOPS_ROLE_IGNORE));
    set(ev, "group", "site");
    set(ev, "min_group_size", "6");
    OK(mlops_evaluator_run_arrays(ev, 10, Y10, P10, S10, 1, NULL, groups, &r));
    ck_assert_double_eq(value_of(r, "site=a.small"), 1);
    ck_assert_double_eq(value_of(r, "site=b.small"), 1);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
    mlops_dataset_free(groups);
}
END_TEST

/* ---- Regression reports -------------------------------------------------- */

START_TEST(regression_report_accessors)
{
    static const double y[5] = {1, 2, 3, 4, 5}, p[5] = {1.5, 2, 2.5, 4, 6};
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    set(ev, "task", "regression");
    mlops_report *r = NULL;
    OK(mlops_evaluator_run_arrays(ev, 5, y, p, NULL, 0, NULL, NULL, &r));
    /* |e| = 0.5 0 0.5 0 1 */
    ck_assert_double_eq_tol(value_of(r, "mean_absolute_error"), 0.4, 1e-15);
    ck_assert_double_eq_tol(value_of(r, "mean_squared_error"), 0.3, 1e-15);
    ck_assert_double_eq(value_of(r, "max_error"), 1);
    ck_assert_double_eq_tol(value_of(r, "r2"), 1 - 1.5 / 10, 1e-15);
    ck_assert_uint_eq(mlops_report_class_count(r), 0);
    ck_assert_ptr_null(mlops_report_class_label(r, 0));
    size_t k = 9, n = 9;
    const double *counts = NULL;
    ck_assert_int_eq(mlops_report_confusion(r, &k, &counts), MLOPS_ENOTFOUND);
    ck_assert_int_eq(mlops_report_curve(r, "roc", &n, NULL, NULL, NULL), MLOPS_ENOTFOUND);
    double v = 0;
    ck_assert_int_eq(mlops_report_value(r, "accuracy", &v), MLOPS_ENOTFOUND);
    char *json = NULL;
    OK(mlops_report_json(r, &json));
    ck_assert_ptr_nonnull(strstr(json, "regression"));
    ck_assert_ptr_null(json_member(json, "confusion_matrix"));
    mlops_free(json);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
}
END_TEST

/* ---- Model card ---------------------------------------------------------- */

static char *card_of(const mlops_model *m)
{
    char *json = NULL;
    OK(mlops_model_card_json(m, &json));
    return json;
}

START_TEST(attach_records_in_model_card)
{
    bc b;
    bc_load(&b);
    char *card = card_of(b.m);
    const char *qa = json_member(card, "quantitative_analysis");
    ck_assert_msg(qa != NULL && strncmp(qa, "null", 4) == 0, "fresh card: %.20s", qa);
    mlops_free(card);
    char hash_before[65], hash_after[65];
    OK(mlops_model_payload_hash(b.m, hash_before, sizeof hash_before));

    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    OK(mlops_evaluator_add_gate(ev, "accuracy >= 0.5"));
    OK(mlops_evaluator_add_gate(ev, "accuracy >= 0.999"));
    mlops_report *r = NULL;
    OK(mlops_evaluator_run(ev, b.m, b.d, &r));
    const double acc = value_of(r, "accuracy");
    OK(mlops_report_attach(r, b.m));
    OK(mlops_model_payload_hash(b.m, hash_after, sizeof hash_after));
    ck_assert_str_eq(hash_before, hash_after);
    card = card_of(b.m);
    qa = json_member(card, "quantitative_analysis");
    ck_assert_ptr_nonnull(qa);
    ck_assert_msg(strncmp(qa, "null", 4) != 0, "attached report missing from the card");
    ck_assert(same_double(json_number(qa, "accuracy"), acc));
    const char *p = json_member(json_gate(qa, "accuracy >= 0.999"), "passed");
    ck_assert_msg(p != NULL && strncmp(p, "false", 5) == 0, "gate verdict reads %.10s", p);
    p = json_member(json_gate(qa, "accuracy >= 0.5"), "passed");
    ck_assert_msg(p != NULL && strncmp(p, "true", 4) == 0, "gate verdict reads %.10s", p);

    /* it survives saving and loading */
    unsigned char *bytes = NULL;
    size_t len = 0;
    OK(mlops_model_save_buffer(b.m, &bytes, &len));
    mlops_model *loaded = NULL;
    OK(mlops_model_load_buffer(&loaded, bytes, len));
    mlops_free(bytes);
    char *card2 = card_of(loaded);
    const char *qa2 = json_member(card2, "quantitative_analysis");
    ck_assert_ptr_nonnull(qa2);
    ck_assert_str_eq(qa2, qa);
    OK(mlops_model_payload_hash(loaded, hash_after, sizeof hash_after));
    ck_assert_str_eq(hash_before, hash_after);
    mlops_free(card2);
    mlops_free(card);
    mlops_model_free(loaded);
    mlops_report_free(r);

    /* a second report replaces the first */
    mlops_evaluator_free(ev);
    OK(mlops_evaluator_create(&ev));
    OK(mlops_evaluator_run(ev, b.m, b.d, &r));
    OK(mlops_report_attach(r, b.m));
    card = card_of(b.m);
    qa = json_member(card, "quantitative_analysis");
    ck_assert_ptr_null(strstr(qa, "accuracy >= 0.999"));
    ck_assert(same_double(json_number(qa, "accuracy"), acc));
    mlops_free(card);

    /* an unfitted model has no card to record in */
    mlops_model *unfitted = logistic();
    ASSERT_ERR(mlops_report_attach(r, unfitted), MLOPS_ESTATE, "fitted");
    mlops_model_free(unfitted);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
    bc_free(&b);
}
END_TEST

/* ---- NULL arguments ------------------------------------------------------ */

START_TEST(null_arguments)
{
    mlops_evaluator_free(NULL);
    mlops_report_free(NULL);
    ck_assert_int_eq(mlops_evaluator_create(NULL), MLOPS_EINVAL);
    mlops_evaluator *ev = classifier_ev();
    char *v = NULL;
    ck_assert_int_eq(mlops_evaluator_set_param(NULL, "seed", "1"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_set_param(ev, NULL, "1"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_set_param(ev, "seed", NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_get_param(NULL, "seed", &v), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_get_param(ev, NULL, &v), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_get_param(ev, "seed", NULL), MLOPS_EINVAL);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(mlops_evaluator_add_gate(NULL, "accuracy >= 0"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_add_gate(ev, NULL), MLOPS_EINVAL);
    ck_assert_uint_eq(mlops_evaluator_gate_count(NULL), 0);
    ck_assert_uint_eq(mlops_evaluator_gate_count(ev), 0);

    bc b;
    bc_load(&b);
    mlops_report *r = NULL;
    mlops_model *best = NULL;
    ck_assert_int_eq(mlops_evaluator_run(NULL, b.m, b.d, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_run(ev, NULL, b.d, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_run(ev, b.m, NULL, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_run(ev, b.m, b.d, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_run_arrays(NULL, 10, Y10, P10, NULL, 0, NULL, NULL, &r),
                     MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_run_arrays(ev, 10, NULL, P10, NULL, 0, NULL, NULL, &r),
                     MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_run_arrays(ev, 10, Y10, NULL, NULL, 0, NULL, NULL, &r),
                     MLOPS_EINVAL); /* classification needs predictions or scores */
    ck_assert_int_eq(mlops_evaluator_run_arrays(ev, 10, Y10, P10, NULL, 0, NULL, NULL, NULL),
                     MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_cross_validate(NULL, b.m, b.d, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_cross_validate(ev, NULL, b.d, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_cross_validate(ev, b.m, NULL, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_cross_validate(ev, b.m, b.d, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_grid_search(NULL, b.m, b.d, "l2=1", &best, &r),
                     MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_grid_search(ev, NULL, b.d, "l2=1", &best, &r),
                     MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_grid_search(ev, b.m, NULL, "l2=1", &best, &r),
                     MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_grid_search(ev, b.m, b.d, NULL, &best, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_grid_search(ev, b.m, b.d, "l2=1", NULL, &r), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_evaluator_grid_search(ev, b.m, b.d, "l2=1", &best, NULL),
                     MLOPS_EINVAL);
    ck_assert_ptr_null(r);
    ck_assert_ptr_null(best);

    /* report accessors */
    double x = 0;
    size_t k = 0, n = 0;
    const double *counts = NULL, *px = NULL;
    const char *expr = NULL;
    char *json = NULL;
    ck_assert_int_eq(mlops_report_value(NULL, "accuracy", &x), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_group_value(NULL, "a", "b", "accuracy", &x), MLOPS_EINVAL);
    ck_assert_uint_eq(mlops_report_value_count(NULL), 0);
    ck_assert_ptr_null(mlops_report_value_name(NULL, 0));
    ck_assert_int_eq(mlops_report_passed(NULL), 0);
    ck_assert_uint_eq(mlops_report_gate_count(NULL), 0);
    ck_assert_int_eq(mlops_report_gate(NULL, 0, &expr, &x, NULL), MLOPS_EINVAL);
    ck_assert_uint_eq(mlops_report_note_count(NULL), 0);
    ck_assert_ptr_null(mlops_report_note(NULL, 0));
    ck_assert_uint_eq(mlops_report_class_count(NULL), 0);
    ck_assert_ptr_null(mlops_report_class_label(NULL, 0));
    ck_assert_int_eq(mlops_report_confusion(NULL, &k, &counts), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_curve(NULL, "roc", &n, &px, NULL, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_json(NULL, &json), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_attach(NULL, b.m), MLOPS_EINVAL);

    OK(mlops_evaluator_run_arrays(ev, 10, Y10, P10, S10, 1, NULL, NULL, &r));
    ck_assert_int_eq(mlops_report_value(r, NULL, &x), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_value(r, "accuracy", NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_group_value(r, NULL, "b", "accuracy", &x), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_group_value(r, "a", NULL, "accuracy", &x), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_group_value(r, "a", "b", NULL, &x), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_group_value(r, "a", "b", "accuracy", NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_confusion(r, NULL, &counts), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_confusion(r, &k, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_curve(r, NULL, &n, &px, NULL, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_curve(r, "roc", NULL, &px, NULL, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_json(r, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_report_attach(r, NULL), MLOPS_EINVAL);
    ck_assert_ptr_null(json);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
    bc_free(&b);
}
END_TEST

/* ---- Allocation failures ------------------------------------------------- */

typedef struct run_ctx {
    const mlops_evaluator *ev;
    size_t n;
    const double *y, *pred, *scores, *w;
    const mlops_dataset *groups;
    mlops_report *out;
} run_ctx;

static int run_op(void *ctx)
{
    run_ctx *c = ctx;
    return mlops_evaluator_run_arrays(c->ev, c->n, c->y, c->pred, c->scores, 1, c->w, c->groups,
                                      &c->out);
}

static void run_undo(void *ctx)
{
    run_ctx *c = ctx;
    mlops_report_free(c->out);
    c->out = NULL;
}

typedef struct json_ctx {
    const mlops_report *r;
    char *json;
} json_ctx;

static int json_op(void *ctx)
{
    json_ctx *c = ctx;
    return mlops_report_json(c->r, &c->json);
}

static void json_undo(void *ctx)
{
    json_ctx *c = ctx;
    mlops_free(c->json);
    c->json = NULL;
}

START_TEST(allocation_failures)
{
    enum { N = 40 };
    double y[N], pred[N], s[N], w[N];
    const char *site[N], *band[N];
    for (size_t i = 0; i < N; i++) {
        y[i] = (double)((i * 7) % 3 == 0);
        s[i] = (double)((i * 37) % 101) / 100.0;
        pred[i] = s[i] >= 0.5;
        w[i] = 1 + (double)(i % 4);
        site[i] = i % 3 == 0 ? "north" : "south";
        band[i] = i < 15 ? "young" : "old";
    }
    mlops_dataset_builder *bld = NULL;
    OK(mlops_dataset_builder_create(&bld, N));
    OK(mlops_dataset_builder_add_categorical(bld, "site", site));
    OK(mlops_dataset_builder_add_categorical(bld, "band", band));
    OK(mlops_dataset_builder_set_role(bld, "site", MLOPS_ROLE_GROUP));
    OK(mlops_dataset_builder_set_role(bld, "band", MLOPS_ROLE_GROUP));
    mlops_dataset *groups = NULL;
    OK(mlops_dataset_builder_finish(bld, &groups));
    mlops_dataset_builder_free(bld);

    mlops_evaluator *ev = classifier_ev();
    set(ev, "bootstrap", "20");
    set(ev, "seed", "5");
    set(ev, "reference_group", "site=north");
    set(ev, "metrics", "accuracy,f1,roc_auc");
    set(ev, "curve_points", "5");
    OK(mlops_evaluator_add_gate(ev, "accuracy >= 0.5"));
    OK(mlops_evaluator_add_gate(ev, "four_fifths_rule"));
    OK(mlops_evaluator_add_gate(ev, "roc_auc.ci_low >= 0.1"));
    run_ctx rc = {ev, N, y, pred, s, w, groups, NULL};
    ck_assert_int_gt(fault_alloc_sweep(run_op, run_undo, &rc), 20);

    OK(run_op(&rc));
    ck_assert_double_eq(value_of(rc.out, "site=north.count"), 14);
    ck_assert_double_eq(value_of(rc.out, "band=young.count"), 15);
    double v = 0;
    OK(mlops_report_group_value(rc.out, "site&band", "north&young", "count", &v));
    ck_assert_double_eq(v, 5);
    json_ctx jc = {rc.out, NULL};
    ck_assert_int_gt(fault_alloc_sweep(json_op, json_undo, &jc), 5);
    OK(json_op(&jc));
    ck_assert_ptr_nonnull(json_member(jc.json, "fairness"));
    ck_assert_ptr_nonnull(json_member(jc.json, "intervals"));
    json_undo(&jc);
    run_undo(&rc);
    mlops_evaluator_free(ev);
    mlops_dataset_free(groups);
}
END_TEST

/* Inputs that look like classification but are not: continuous values
 * and scores for a single class are refused with the reason. */
START_TEST(label_count_errors)
{
    enum { N = 20000 };
    double *y = malloc(N * sizeof *y);
    ck_assert_ptr_nonnull(y);
    for (size_t i = 0; i < N; i++) y[i] = (double)i * 0.5;
    mlops_evaluator *ev = classifier_ev();
    mlops_report *r = NULL;
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, N, y, y, NULL, 0, NULL, NULL, &r), MLOPS_EINVAL,
               "task=regression");
    ck_assert_ptr_null(r);
    const double one[3] = {1, 1, 1}, p[3] = {0.3, 0.6, 0.9};
    ASSERT_ERR(mlops_evaluator_run_arrays(ev, 3, one, NULL, p, 1, NULL, NULL, &r), MLOPS_EINVAL,
               "two or more classes");
    /* with y_pred naming both classes the same scores are fine */
    const double pred[3] = {0, 1, 1};
    OK(mlops_evaluator_run_arrays(ev, 3, one, pred, p, 1, NULL, NULL, &r));
    ck_assert(isnan(value_of(r, "roc_auc")));
    mlops_report_free(r);
    mlops_evaluator_free(ev);
    free(y);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("eval_api");
    TCase *tc = tcase_create("eval_api");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, settings_round_trip);
    tcase_add_test(tc, settings_errors_keep_old_value);
    tcase_add_test(tc, gates_pass_fail_and_json);
    tcase_add_test(tc, gates_malformed);
    tcase_add_test(tc, gates_uncomputable_and_nan);
    tcase_add_test(tc, real_model_run_matches_predictions);
    tcase_add_test(tc, curves_of_real_model);
    tcase_add_test(tc, run_errors);
    tcase_add_test(tc, bootstrap_intervals_are_seeded);
    tcase_add_test(tc, cross_validation_and_grid_search);
    tcase_add_test(tc, probes_are_seeded_and_ordered);
    tcase_add_test(tc, group_values_match_subsets);
    tcase_add_test(tc, regression_report_accessors);
    tcase_add_test(tc, attach_records_in_model_card);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, label_count_errors);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
