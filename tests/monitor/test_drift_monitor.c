/* The public surface of mlops_drift_monitor: settings and their errors,
 * row and time windows, the bounded history, alerts, findings, labels and
 * per-window performance (checked against numbers this test computes from
 * the model's own predictions), health counters, the history JSON, the
 * Prometheus text, and allocation failures. The statistics themselves are
 * checked against SciPy and NumPy by test_drift_report.c. */
#include <math.h>
#include <stdbool.h>
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

/* Deterministic standard normals (xorshift + Box-Muller). */
static uint64_t rng_state;

static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* Rows with numeric x ~ N(shift, 1), categorical c in {a, b, c} (or "z"
 * from row `unseen_from` on), numeric t = t0 + i, and label y = "yes" when
 * x + noise > 0. */
static mlops_dataset *make_rows(size_t n, double shift, size_t unseen_from, double t0)
{
    double *x = malloc(n * sizeof *x), *t = malloc(n * sizeof *t);
    const char **c = malloc(n * sizeof *c), **y = malloc(n * sizeof *y);
    static const char *const cats[] = {"a", "b", "c"};
    for (size_t i = 0; i < n; i++) {
        x[i] = normal() + shift;
        t[i] = t0 + (double)i;
        c[i] = i >= unseen_from ? "z" : cats[(size_t)(uniform() * 3) % 3];
        y[i] = x[i] + 0.5 * normal() > shift * 0.0 ? "yes" : "no";
    }
    mlops_dataset_builder *b;
    mlops_dataset *d;
    OK(mlops_dataset_builder_create(&b, n));
    OK(mlops_dataset_builder_add_numeric(b, "x", x));
    OK(mlops_dataset_builder_add_categorical(b, "c", c));
    OK(mlops_dataset_builder_add_numeric(b, "t", t));
    OK(mlops_dataset_builder_add_categorical(b, "y", y));
    OK(mlops_dataset_builder_finish(b, &d));
    mlops_dataset_builder_free(b);
    free(x);
    free(t);
    free(c);
    free(y);
    return d;
}

/* The columns of `d` named in names[0..n). */
static int select_named(mlops_dataset **out, const mlops_dataset *d, const char *const *names,
                        size_t n)
{
    size_t cols[8];
    for (size_t i = 0; i < n; i++) OK(mlops_dataset_column_index(d, names[i], &cols[i]));
    return mlops_dataset_select_columns(out, d, cols, n);
}

/* A reference profile of x and c (2000 rows) with fixed bins. */
static mlops_profile *make_reference(void)
{
    rng_state = 0x9e3779b97f4a7c15ull;
    mlops_dataset *d = make_rows(2000, 0.0, SIZE_MAX, 0), *xc;
    const char *names[] = {"x", "c"};
    OK(select_named(&xc, d, names, 2));
    mlops_profile *p;
    OK(mlops_profile_create(&p));
    OK(mlops_profile_add(p, xc));
    OK(mlops_profile_fix_bins(p));
    mlops_dataset_free(xc);
    mlops_dataset_free(d);
    return p;
}

typedef struct alerts {
    int calls, last_severity;
    uint64_t last_index;
    char last_message[256];
} alerts;

static void on_alert(void *user, int severity, const mlops_drift_report *r, const char *message)
{
    alerts *a = user;
    a->calls++;
    a->last_severity = severity;
    mlops_drift_report_window(r, &a->last_index, NULL, NULL, NULL, NULL);
    snprintf(a->last_message, sizeof a->last_message, "%s", message);
}

static uint64_t counter(const mlops_drift_monitor *m, const char *name)
{
    uint64_t v = 0;
    OK(mlops_drift_monitor_counter(m, name, &v));
    return v;
}

static bool has_finding(const mlops_drift_report *r, const char *column, const char *kind,
                        uint64_t *count)
{
    for (size_t i = 0; i < mlops_drift_report_finding_count(r); i++) {
        const char *col, *k;
        uint64_t n;
        OK(mlops_drift_report_finding(r, i, &col, &k, &n, NULL));
        if (strcmp(col, column) == 0 && strcmp(k, kind) == 0) {
            if (count) *count = n;
            return true;
        }
    }
    return false;
}

/* ---- Row windows, history, alerts, findings ------------------------------ */

START_TEST(row_windows_and_alerts)
{
    mlops_profile *ref = make_reference();
    mlops_drift_monitor *m;
    OK(mlops_drift_monitor_create(&m, ref));
    OK(mlops_drift_monitor_set_param(m, "window_rows", "500"));
    alerts a = {0};
    OK(mlops_drift_monitor_set_alert(m, on_alert, &a));

    /* 1000 rows like the reference, in batches of 300 crossing windows. */
    rng_state = 12345;
    mlops_dataset *same = make_rows(1000, 0.0, SIZE_MAX, 0);
    mlops_dataset *parts[4];
    for (size_t k = 0; k < 4; k++) {
        size_t rows[300], n = 0;
        for (size_t i = k * 300; i < 1000 && i < (k + 1) * 300; i++) rows[n++] = i;
        OK(mlops_dataset_take_rows(&parts[k], same, rows, n));
        OK(mlops_drift_monitor_add(m, parts[k]));
        mlops_dataset_free(parts[k]);
    }
    ck_assert_uint_eq(mlops_drift_monitor_window_count(m), 2);
    ck_assert_uint_eq(counter(m, "rows_seen"), 1000);
    for (size_t w = 0; w < 2; w++) {
        const mlops_drift_report *r;
        OK(mlops_drift_monitor_window(m, w, &r));
        uint64_t index, first, rows;
        double start;
        OK(mlops_drift_report_window(r, &index, &first, &rows, &start, NULL));
        ck_assert_uint_eq(index, w);
        ck_assert_uint_eq(first, 500 * w);
        ck_assert_uint_eq(rows, 500);
        ck_assert(isnan(start));
        ck_assert_int_eq(mlops_drift_report_dataset_drift(r, NULL), 0);
        ck_assert_uint_eq(mlops_drift_report_column_count(r), 2);
        /* A 2000-row reference: wasserstein for x, jensen_shannon for c. */
        const char *name, *method;
        OK(mlops_drift_report_column(r, 0, &name, &method, NULL, NULL, NULL, NULL, NULL));
        ck_assert_str_eq(name, "x");
        ck_assert_str_eq(method, "wasserstein");
        OK(mlops_drift_report_column(r, 1, &name, &method, NULL, NULL, NULL, NULL, NULL));
        ck_assert_str_eq(method, "jensen_shannon");
    }

    /* A shifted window with an unseen category from its 100th row. */
    mlops_dataset *shifted = make_rows(500, 3.0, 100, 0);
    OK(mlops_drift_monitor_add(m, shifted));
    ck_assert_uint_eq(mlops_drift_monitor_window_count(m), 3);
    const mlops_drift_report *r;
    OK(mlops_drift_monitor_window(m, 2, &r));
    double share;
    ck_assert_int_eq(mlops_drift_report_dataset_drift(r, &share), 1);
    ck_assert_double_eq(share, 1.0);
    ck_assert_int_eq(mlops_drift_report_severity(r), MLOPS_SEVERITY_CRITICAL);
    uint64_t unseen = 0, out = 0;
    ck_assert(has_finding(r, "c", "unseen_categories", &unseen));
    ck_assert_uint_eq(unseen, 400);
    ck_assert(has_finding(r, "x", "out_of_range", &out));
    ck_assert_uint_gt(out, 0);
    double stat;
    int drifted;
    OK(mlops_drift_report_column(r, 0, NULL, NULL, &stat, NULL, NULL, NULL, &drifted));
    /* Three standard deviations: the normalized distance is about 3. */
    ck_assert_msg(stat > 2.5 && stat < 3.5, "wasserstein %g", stat);
    ck_assert_int_eq(drifted, 1);
    ck_assert_int_eq(a.calls, 1);
    ck_assert_int_eq(a.last_severity, MLOPS_SEVERITY_CRITICAL);
    ck_assert_uint_eq(a.last_index, 2);
    ck_assert_ptr_nonnull(strstr(a.last_message, "data set drift"));
    ck_assert_uint_eq(counter(m, "alerts"), 1);
    ck_assert_uint_eq(counter(m, "windows_closed"), 3);

    /* The history keeps the newest windows only. */
    OK(mlops_drift_monitor_set_param(m, "history", "2"));
    ck_assert_uint_eq(mlops_drift_monitor_window_count(m), 2);
    OK(mlops_drift_monitor_window(m, 1, &r));
    uint64_t index;
    OK(mlops_drift_report_window(r, &index, NULL, NULL, NULL, NULL));
    ck_assert_uint_eq(index, 2);

    /* Flush closes a partial window; nothing to flush is fine. */
    rng_state = 777;
    mlops_dataset *tail = make_rows(120, 0.0, SIZE_MAX, 0);
    OK(mlops_drift_monitor_add(m, tail));
    ck_assert_uint_eq(counter(m, "windows_closed"), 3);
    OK(mlops_drift_monitor_flush(m));
    OK(mlops_drift_monitor_flush(m));
    ck_assert_uint_eq(counter(m, "windows_closed"), 4);
    OK(mlops_drift_monitor_window(m, 1, &r));
    uint64_t rows;
    OK(mlops_drift_report_window(r, &index, NULL, &rows, NULL, NULL));
    ck_assert_uint_eq(index, 3);
    ck_assert_uint_eq(rows, 120);

    /* Window settings are fixed once data came in. */
    ASSERT_ERR(mlops_drift_monitor_set_param(m, "window_rows", "10"), MLOPS_ESTATE, "fixed");

    mlops_dataset_free(tail);
    mlops_dataset_free(shifted);
    mlops_dataset_free(same);
    mlops_drift_monitor_free(m);
    mlops_profile_free(ref);
}
END_TEST

/* ---- Time windows -------------------------------------------------------- */

START_TEST(time_windows)
{
    mlops_profile *ref = make_reference();
    mlops_drift_monitor *m;
    OK(mlops_drift_monitor_create(&m, ref));
    OK(mlops_drift_monitor_set_param(m, "time_column", "t"));
    OK(mlops_drift_monitor_set_param(m, "window_seconds", "100"));
    rng_state = 99;
    /* t = 1000 .. 1249: windows [1000, 1100), [1100, 1200), [1200, 1300). */
    mlops_dataset *d = make_rows(250, 0.0, SIZE_MAX, 1000);
    OK(mlops_drift_monitor_add(m, d));
    ck_assert_uint_eq(mlops_drift_monitor_window_count(m), 2);
    /* A row earlier than the open window is late and rejected. */
    mlops_dataset *late = make_rows(1, 0.0, SIZE_MAX, 1150);
    OK(mlops_drift_monitor_add(m, late));
    ck_assert_uint_eq(counter(m, "rows_rejected"), 1);
    OK(mlops_drift_monitor_flush(m));
    ck_assert_uint_eq(mlops_drift_monitor_window_count(m), 3);
    double expect_start[] = {1000, 1100, 1200};
    uint64_t expect_rows[] = {100, 100, 50};
    for (size_t w = 0; w < 3; w++) {
        const mlops_drift_report *r;
        OK(mlops_drift_monitor_window(m, w, &r));
        uint64_t first, rows;
        double start, end;
        OK(mlops_drift_report_window(r, NULL, &first, &rows, &start, &end));
        ck_assert_double_eq(start, expect_start[w]);
        ck_assert_double_eq(end, expect_start[w] + 100);
        ck_assert_uint_eq(rows, expect_rows[w]);
        ck_assert_uint_eq(first, 100 * w);
    }
    ck_assert_uint_eq(counter(m, "rows_seen"), 251);

    /* A batch without the time column is rejected as a whole. */
    const char *names[] = {"x", "c"};
    mlops_dataset *no_time;
    OK(select_named(&no_time, d, names, 2));
    ASSERT_ERR(mlops_drift_monitor_add(m, no_time), MLOPS_EINVAL, "time column 't'");
    ck_assert_uint_eq(counter(m, "rows_rejected"), 251);

    mlops_dataset_free(no_time);
    mlops_dataset_free(late);
    mlops_dataset_free(d);
    mlops_drift_monitor_free(m);
    mlops_profile_free(ref);
}
END_TEST

/* ---- Labels and performance ---------------------------------------------- */

START_TEST(labels_give_window_performance)
{
    rng_state = 4242;
    mlops_dataset *train = make_rows(2000, 0.0, SIZE_MAX, 0);
    mlops_model *model;
    OK(mlops_model_create(&model, "logistic_regression"));
    const char *features[] = {"x", "y"};
    mlops_dataset *xy;
    OK(select_named(&xy, train, features, 2));
    size_t ycol;
    OK(mlops_dataset_column_index(xy, "y", &ycol));
    OK(mlops_dataset_set_role(xy, ycol, MLOPS_ROLE_TARGET));
    OK(mlops_model_fit(model, xy));
    mlops_profile *ref = make_reference();
    mlops_drift_monitor *m;
    OK(mlops_drift_monitor_create(&m, ref));
    OK(mlops_drift_monitor_set_param(m, "window_rows", "400"));
    OK(mlops_drift_monitor_set_param(m, "reference_performance", "0.99"));
    /* Windows of 400 rows sit near wasserstein's 0.1 by chance alone; only
     * the performance should raise the alarm here. */
    OK(mlops_drift_monitor_set_param(m, "drift_share", "1"));
    OK(mlops_drift_monitor_set_model(m, model));
    alerts a = {0};
    OK(mlops_drift_monitor_set_alert(m, on_alert, &a));
    OK(mlops_drift_monitor_set_param(m, "alert_severity", "2"));

    rng_state = 5151;
    mlops_dataset *prod = make_rows(800, 0.0, SIZE_MAX, 0);
    OK(mlops_drift_monitor_add(m, prod));
    ck_assert_uint_eq(mlops_drift_monitor_window_count(m), 2);
    ck_assert_uint_eq(counter(m, "predictions"), 800);
    ck_assert_uint_eq(counter(m, "prediction_nans"), 0);
    ck_assert_uint_eq(counter(m, "latency_count"), 1);
    ck_assert_msg(a.calls == 0, "alert: %s", a.last_message);

    /* Labels of rows 300..599 arrive: window 0 gets 100, window 1 200. */
    double *pred = malloc(800 * sizeof *pred);
    OK(mlops_model_predict(model, prod, MLOPS_PREDICT_VALUE, pred, 800));
    size_t rows[300];
    for (size_t i = 0; i < 300; i++) rows[i] = 300 + i;
    mlops_dataset *labels;
    OK(mlops_dataset_take_rows(&labels, prod, rows, 300));
    OK(mlops_drift_monitor_add_labels(m, 300, labels, "y", 300));
    ck_assert_uint_eq(counter(m, "labels_received"), 300);
    size_t yc;
    OK(mlops_dataset_column_index(prod, "y", &yc));
    for (size_t w = 0; w < 2; w++) {
        size_t lo = w == 0 ? 300 : 400, hi = w == 0 ? 400 : 600, correct = 0;
        for (size_t i = lo; i < hi; i++) {
            int32_t code;
            OK(mlops_dataset_get_codes(prod, yc, i, 1, &code));
            const char *truth = mlops_dataset_category(prod, yc, code);
            correct += strcmp(truth, mlops_model_class_label(model, (size_t)pred[i])) == 0;
        }
        const mlops_drift_report *r;
        OK(mlops_drift_monitor_window(m, w, &r));
        const char *metric;
        double value, reference;
        uint64_t labelled;
        int dropped;
        OK(mlops_drift_report_performance(r, &metric, &value, &reference, &labelled, &dropped));
        ck_assert_str_eq(metric, "accuracy");
        ck_assert_uint_eq(labelled, hi - lo);
        ck_assert_double_eq_tol(value, (double)correct / (double)(hi - lo), 1e-15);
        ck_assert_double_eq(reference, 0.99);
        /* Noisy labels keep accuracy well below 0.99 - 0.05: a drop. */
        ck_assert_int_eq(dropped, value <= 0.94);
        ck_assert_int_eq(mlops_drift_report_severity(r),
                         dropped ? MLOPS_SEVERITY_CRITICAL : mlops_drift_report_severity(r));
    }
    ck_assert_int_eq(a.calls, 2);

    /* Labels for rows not added yet are refused. */
    ASSERT_ERR(mlops_drift_monitor_add_labels(m, 700, labels, "y", 300), MLOPS_EINVAL,
               "not added yet");
    ASSERT_ERR(mlops_drift_monitor_add_labels(m, 0, labels, "nope", 3), MLOPS_ENOTFOUND, "nope");

    free(pred);
    mlops_dataset_free(labels);
    mlops_dataset_free(prod);
    mlops_drift_monitor_free(m);
    mlops_profile_free(ref);
    mlops_dataset_free(xy);
    mlops_dataset_free(train);
    mlops_model_free(model);
}
END_TEST

/* ---- Prediction and probability drift -------------------------------------- */

START_TEST(prediction_and_probability_drift)
{
    rng_state = 4242;
    mlops_dataset *train = make_rows(2000, 0.0, SIZE_MAX, 0), *xy;
    const char *features[] = {"x", "y"};
    OK(select_named(&xy, train, features, 2));
    size_t ycol;
    OK(mlops_dataset_column_index(xy, "y", &ycol));
    OK(mlops_dataset_set_role(xy, ycol, MLOPS_ROLE_TARGET));
    mlops_model *model;
    OK(mlops_model_create(&model, "logistic_regression"));
    OK(mlops_model_fit(model, xy));

    /* The reference: x, the predicted class and P(yes) on the training rows. */
    size_t n = 2000, yes = mlops_model_class_label(model, 1)[0] == 'y' ? 1 : 0;
    double *pred = malloc(n * sizeof *pred), *proba = malloc(2 * n * sizeof *proba);
    double *x = malloc(n * sizeof *x), *pyes = malloc(n * sizeof *pyes);
    const char **label = malloc(n * sizeof *label);
    OK(mlops_model_predict(model, train, MLOPS_PREDICT_VALUE, pred, n));
    OK(mlops_model_predict(model, train, MLOPS_PREDICT_PROBA, proba, 2 * n));
    size_t xcol;
    OK(mlops_dataset_column_index(train, "x", &xcol));
    OK(mlops_dataset_get_numeric(train, xcol, 0, n, x));
    for (size_t i = 0; i < n; i++) {
        label[i] = mlops_model_class_label(model, (size_t)pred[i]);
        pyes[i] = proba[2 * i + yes];
    }
    mlops_dataset_builder *b;
    mlops_dataset *refdata;
    OK(mlops_dataset_builder_create(&b, n));
    OK(mlops_dataset_builder_add_numeric(b, "x", x));
    OK(mlops_dataset_builder_add_categorical(b, "prediction", label));
    OK(mlops_dataset_builder_add_numeric(b, "proba_yes", pyes));
    OK(mlops_dataset_builder_finish(b, &refdata));
    mlops_dataset_builder_free(b);
    mlops_profile *ref;
    OK(mlops_profile_create(&ref));
    OK(mlops_profile_add(ref, refdata));
    OK(mlops_profile_fix_bins(ref));

    mlops_drift_monitor *m;
    OK(mlops_drift_monitor_create(&m, ref));
    OK(mlops_drift_monitor_set_param(m, "window_rows", "1000"));
    OK(mlops_drift_monitor_set_model(m, model));
    /* Batches carry no prediction columns: the monitor makes them. */
    rng_state = 6;
    mlops_dataset *same = make_rows(1000, 0.0, SIZE_MAX, 0);
    mlops_dataset *moved = make_rows(1000, 1.5, SIZE_MAX, 0);
    OK(mlops_drift_monitor_add(m, same));
    OK(mlops_drift_monitor_add(m, moved));
    ck_assert_uint_eq(mlops_drift_monitor_window_count(m), 2);
    ck_assert_uint_eq(counter(m, "predictions"), 2000);
    ck_assert_uint_eq(counter(m, "latency_count"), 2);
    for (size_t w = 0; w < 2; w++) {
        const mlops_drift_report *r;
        OK(mlops_drift_monitor_window(m, w, &r));
        ck_assert_uint_eq(mlops_drift_report_column_count(r), 3);
        const char *name, *method;
        double stat;
        int drifted;
        OK(mlops_drift_report_column(r, 1, &name, &method, &stat, NULL, NULL, NULL, &drifted));
        ck_assert_str_eq(name, "prediction");
        ck_assert_str_eq(method, "jensen_shannon");
        ck_assert_int_eq(drifted, w == 1);
        OK(mlops_drift_report_column(r, 2, &name, &method, &stat, NULL, NULL, NULL, &drifted));
        ck_assert_str_eq(name, "proba_yes");
        ck_assert_str_eq(method, "wasserstein");
        ck_assert_int_eq(drifted, w == 1);
    }
    free(pred);
    free(proba);
    free(x);
    free(pyes);
    free(label);
    mlops_dataset_free(moved);
    mlops_dataset_free(same);
    mlops_drift_monitor_free(m);
    mlops_profile_free(ref);
    mlops_dataset_free(refdata);
    mlops_model_free(model);
    mlops_dataset_free(xy);
    mlops_dataset_free(train);
}
END_TEST

/* ---- Exports -------------------------------------------------------------- */

START_TEST(history_json_and_prometheus)
{
    mlops_profile *ref = make_reference();
    mlops_drift_monitor *m;
    OK(mlops_drift_monitor_create(&m, ref));
    OK(mlops_drift_monitor_set_param(m, "window_rows", "250"));
    rng_state = 31337;
    mlops_dataset *d = make_rows(500, 0.0, SIZE_MAX, 0);
    OK(mlops_drift_monitor_add(m, d));
    char *json;
    OK(mlops_drift_monitor_history_json(m, &json));
    ck_assert_ptr_nonnull(strstr(json, "\"windows\": ["));
    ck_assert_ptr_nonnull(strstr(json, "\"rows_seen\": 500"));
    ck_assert_ptr_nonnull(strstr(json, "\"method\": \"wasserstein\""));
    mlops_free(json);

    size_t need = 0;
    OK(mlops_drift_monitor_prometheus(m, NULL, 0, &need));
    ck_assert_uint_gt(need, 100);
    char *buf = malloc(need + 1);
    OK(mlops_drift_monitor_prometheus(m, buf, need + 1, NULL));
    ck_assert_uint_eq(strlen(buf), need);
    ck_assert_ptr_nonnull(strstr(buf, "# TYPE mlops_rows_seen_total counter\nmlops_rows_seen_total 500\n"));
    ck_assert_ptr_nonnull(strstr(buf, "mlops_drift_statistic{column=\"x\",method=\"wasserstein\"} "));
    ck_assert_ptr_nonnull(strstr(buf, "mlops_drift_dataset_drift 0\n"));
    ASSERT_ERR(mlops_drift_monitor_prometheus(m, buf, need, NULL), MLOPS_ERANGE, "bytes needed");
    ASSERT_ERR(mlops_drift_monitor_prometheus(m, NULL, 5, NULL), MLOPS_EINVAL, "NULL buffer");
    free(buf);
    mlops_dataset_free(d);
    mlops_drift_monitor_free(m);
    mlops_profile_free(ref);
}
END_TEST

/* ---- Settings and bad input ------------------------------------------------ */

START_TEST(settings_and_errors)
{
    mlops_profile *ref = make_reference(), *nobins;
    mlops_drift_monitor *m;
    OK(mlops_profile_create(&nobins));
    ASSERT_ERR(mlops_drift_monitor_create(&m, nobins), MLOPS_ESTATE, "fixed bins");
    ASSERT_ERR(mlops_drift_monitor_create(NULL, ref), MLOPS_EINVAL, "NULL");
    OK(mlops_drift_monitor_create(&m, ref));
    ASSERT_ERR(mlops_drift_monitor_set_param(m, "corection", "none"), MLOPS_EINVAL,
               "did you mean 'correction'");
    ASSERT_ERR(mlops_drift_monitor_set_param(m, "correction", "holm"), MLOPS_EINVAL,
               "benjamini_hochberg");
    ASSERT_ERR(mlops_drift_monitor_set_param(m, "drift_share", "0"), MLOPS_EINVAL, "drift_share");
    ASSERT_ERR(mlops_drift_monitor_set_param(m, "drift_share", "1.5"), MLOPS_EINVAL, "drift_share");
    ASSERT_ERR(mlops_drift_monitor_set_param(m, "history", "0"), MLOPS_EINVAL, "history");
    ASSERT_ERR(mlops_drift_monitor_set_param(m, "window_seconds", "-1"), MLOPS_EINVAL, "window");
    ASSERT_ERR(mlops_drift_monitor_set_column(m, "xx", "ks", NAN), MLOPS_ENOTFOUND,
               "did you mean 'x'");
    ASSERT_ERR(mlops_drift_monitor_set_column(m, "c", "ks", NAN), MLOPS_EINVAL, "does not fit");
    ASSERT_ERR(mlops_drift_monitor_set_column(m, "c", "z", NAN), MLOPS_EINVAL, "does not fit");
    ASSERT_ERR(mlops_drift_monitor_set_column(m, "x", "kss", NAN), MLOPS_EINVAL,
               "did you mean 'ks'");
    ASSERT_ERR(mlops_drift_monitor_set_column(m, "x", "ks", 1.5), MLOPS_EINVAL, "p-value");
    ASSERT_ERR(mlops_drift_monitor_set_column(m, "x", "psi", -1), MLOPS_EINVAL, "threshold");
    ASSERT_ERR(mlops_drift_monitor_counter(m, "rows_sen", &(uint64_t){0}), MLOPS_ENOTFOUND,
               "did you mean 'rows_seen'");

    /* A global ks falls back to the default rule on the categorical column;
     * a skipped column is not reported. */
    OK(mlops_drift_monitor_set_method(m, "ks", 0.01));
    OK(mlops_drift_monitor_set_column(m, "c", "skip", NAN));
    rng_state = 2024;
    mlops_dataset *d = make_rows(300, 0.0, SIZE_MAX, 0);
    mlops_profile *cur;
    OK(mlops_profile_create_like(&cur, ref));
    mlops_dataset *xc;
    const char *names[] = {"x", "c"};
    OK(select_named(&xc, d, names, 2));
    OK(mlops_profile_add(cur, xc));
    mlops_drift_report *r;
    OK(mlops_drift_monitor_compare(m, cur, &r));
    ck_assert_uint_eq(mlops_drift_report_column_count(r), 1);
    const char *method;
    double threshold, p, padj;
    OK(mlops_drift_report_column(r, 0, NULL, &method, NULL, &p, &padj, &threshold, NULL));
    ck_assert_str_eq(method, "ks");
    ck_assert_double_eq(threshold, 0.01);
    ck_assert(p >= 0 && p <= 1);
    ck_assert_double_eq(p, padj); /* one test: no correction */
    ASSERT_ERR(mlops_drift_report_column(r, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
               MLOPS_EINVAL, "out of range");
    mlops_drift_report_free(r);

    /* A batch missing a reference column is rejected and counted. */
    mlops_dataset *only_x;
    OK(select_named(&only_x, d, names, 1));
    ASSERT_ERR(mlops_drift_monitor_add(m, only_x), MLOPS_EINVAL, "no column 'c'");
    ck_assert_uint_eq(counter(m, "rows_rejected"), 300);
    /* A profile not made like the reference is refused. */
    mlops_profile *plain;
    OK(mlops_profile_create(&plain));
    OK(mlops_profile_add(plain, xc));
    ASSERT_ERR(mlops_drift_monitor_compare(m, plain, &r), MLOPS_EINVAL, "no fixed bins");

    mlops_profile_free(plain);
    mlops_dataset_free(only_x);
    mlops_dataset_free(xc);
    mlops_profile_free(cur);
    mlops_dataset_free(d);
    mlops_drift_monitor_free(m);
    mlops_profile_free(nobins);
    mlops_profile_free(ref);
}
END_TEST

/* ---- Threads ----------------------------------------------------------------- */

START_TEST(threads_give_identical_results)
{
    /* Profiles built, merged and binned with 1 and 3 threads, and compared
     * with 1 and 3 threads, give byte-identical JSON. */
    char *json[2][2];
    for (int t = 0; t < 2; t++) {
        const char *threads = t ? "3" : "1";
        rng_state = 0x5eed;
        mlops_dataset *a = make_rows(3000, 0.0, SIZE_MAX, 0), *b = make_rows(3000, 0.2, 2500, 0);
        mlops_profile *ref, *half, *cur;
        OK(mlops_profile_create(&ref));
        OK(mlops_profile_create(&half));
        OK(mlops_profile_set(ref, "threads", threads));
        OK(mlops_profile_set(half, "threads", threads));
        OK(mlops_profile_set(ref, "quantile_exact_limit", "1000"));
        OK(mlops_profile_set(half, "quantile_exact_limit", "1000"));
        OK(mlops_profile_add(ref, a));
        OK(mlops_profile_add(half, b));
        OK(mlops_profile_merge(ref, half));
        OK(mlops_profile_fix_bins(ref));
        OK(mlops_profile_create_like(&cur, ref));
        OK(mlops_profile_add(cur, b));
        OK(mlops_profile_to_json(ref, &json[t][0]));
        mlops_drift_monitor *m;
        OK(mlops_drift_monitor_create(&m, ref));
        OK(mlops_drift_monitor_set_param(m, "threads", threads));
        OK(mlops_drift_monitor_set_method(m, "ks", NAN));
        mlops_drift_report *r;
        OK(mlops_drift_monitor_compare(m, cur, &r));
        OK(mlops_drift_report_json(r, &json[t][1]));
        ck_assert_uint_eq(mlops_drift_report_column_count(r), 4);
        mlops_drift_report_free(r);
        mlops_drift_monitor_free(m);
        mlops_profile_free(cur);
        mlops_profile_free(half);
        mlops_profile_free(ref);
        mlops_dataset_free(a);
        mlops_dataset_free(b);
    }
    ck_assert_str_eq(json[0][0], json[1][0]);
    ck_assert_str_eq(json[0][1], json[1][1]);
    for (int t = 0; t < 2; t++) {
        mlops_free(json[t][0]);
        mlops_free(json[t][1]);
    }
    mlops_profile *p;
    OK(mlops_profile_create(&p));
    ASSERT_ERR(mlops_profile_set(p, "threads", "0"), MLOPS_EINVAL, "threads");
    ASSERT_ERR(mlops_profile_set(p, "threads", "257"), MLOPS_EINVAL, "threads");
    mlops_profile_free(p);
}
END_TEST

/* ---- Allocation failures --------------------------------------------------- */

typedef struct sweep_ctx {
    mlops_profile *ref;
    mlops_dataset *batch;
} sweep_ctx;

static int monitor_run(void *ctx)
{
    sweep_ctx *s = ctx;
    mlops_drift_monitor *m;
    int rc = mlops_drift_monitor_create(&m, s->ref);
    if (rc != MLOPS_OK) return rc;
    rc = mlops_drift_monitor_set_param(m, "window_rows", "100");
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_add(m, s->batch);
    char *json = NULL;
    if (rc == MLOPS_OK) rc = mlops_drift_monitor_history_json(m, &json);
    mlops_free(json);
    mlops_drift_monitor_free(m);
    return rc;
}

START_TEST(allocation_failures)
{
    fault_alloc_install();
    sweep_ctx s = {make_reference(), NULL};
    rng_state = 8;
    mlops_dataset *d = make_rows(250, 0.5, 200, 0);
    const char *names[] = {"x", "c"};
    OK(select_named(&s.batch, d, names, 2));
    long n = fault_alloc_sweep(monitor_run, NULL, &s);
    ck_assert_int_gt(n, 10);
    mlops_dataset_free(s.batch);
    mlops_dataset_free(d);
    mlops_profile_free(s.ref);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("drift_monitor");
    TCase *tc = tcase_create("monitor");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, row_windows_and_alerts);
    tcase_add_test(tc, time_windows);
    tcase_add_test(tc, labels_give_window_performance);
    tcase_add_test(tc, prediction_and_probability_drift);
    tcase_add_test(tc, history_json_and_prometheus);
    tcase_add_test(tc, settings_and_errors);
    tcase_add_test(tc, threads_give_identical_results);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
