/* The HTML report API (mlops/html.h): pages from live objects equal pages
 * from their JSON documents, show the numbers of those documents, hold no
 * script and only accessible charts, are deterministic, and refuse bad
 * input with a message naming what is wrong; a pipeline run writes its
 * pages and still verifies. */
#define _GNU_SOURCE
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static char scratch[256];

static void make_scratch(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/mlops-html-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void remove_scratch(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) n++;
    return n;
}

/* What every page must be: a complete document, no script, every chart
 * with role, label, title and description. */
static void assert_page(const char *html)
{
    ck_assert_msg(strncmp(html, "<!DOCTYPE html>", 15) == 0, "not an HTML document");
    ck_assert_ptr_nonnull(strstr(html, "</html>\n"));
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_nonnull(strstr(html, "Content-Security-Policy\" content=\"default-src 'none'"));
    size_t svgs = count(html, "<svg ");
    ck_assert_uint_eq(count(html, "role=\"img\""), svgs);
    ck_assert_uint_eq(count(html, "aria-label=\""), svgs);
    ck_assert_uint_eq(count(html, "<title id="), svgs);
    ck_assert_uint_eq(count(html, "<desc id="), svgs);
}

/* Binary evaluation from arrays with one gate that holds and one that fails. */
static mlops_report *binary_report(void)
{
    static const double y[] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 0};
    static const double p[] = {0.1, 0.3, 0.6, 0.2, 0.8, 0.7, 0.4, 0.9, 0.65, 0.05};
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    OK(mlops_evaluator_set_param(ev, "task", "classification"));
    OK(mlops_evaluator_add_gate(ev, "accuracy >= 0.7"));
    OK(mlops_evaluator_add_gate(ev, "roc_auc >= 0.99"));
    mlops_report *r = NULL;
    OK(mlops_evaluator_run_arrays(ev, 10, y, NULL, p, 1, NULL, NULL, &r));
    mlops_evaluator_free(ev);
    return r;
}

START_TEST(evaluation_page_shows_the_report)
{
    mlops_report *r = binary_report();
    char *html = NULL, *json = NULL, *again = NULL;
    OK(mlops_report_html(r, NULL, &html));
    assert_page(html);
    /* accuracy 0.8 (8 of 10 right at 0.5), gates: one pass, one fail */
    double acc;
    OK(mlops_report_value(r, "accuracy", &acc));
    ck_assert_double_eq_tol(acc, 0.8, 1e-12);
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"n\">0.8</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<b>FAILED</b> 1 of 2 release gates failed"));
    ck_assert_ptr_nonnull(strstr(html, "<code>roc_auc &gt;= 0.99</code>"));
    ck_assert_uint_eq(count(html, "&#10007; FAIL"), 1);
    ck_assert_uint_eq(count(html, "&#10003; pass"), 1);
    ck_assert_ptr_nonnull(strstr(html, "Confusion matrix: 8 of 10 rows on the diagonal"));
    ck_assert_ptr_nonnull(strstr(html, "aria-label=\"ROC curve\""));
    ck_assert_ptr_nonnull(strstr(html, "aria-label=\"Calibration\""));
    /* the same page from the JSON document, and again: byte for byte */
    OK(mlops_report_json(r, &json));
    OK(mlops_html_from_json("evaluation", json, NULL, NULL, &again));
    ck_assert_str_eq(html, again);
    mlops_free(again);
    OK(mlops_report_html(r, "Release <check> & \"review\"", &again));
    ck_assert_ptr_nonnull(strstr(again, "<h1>Release &lt;check&gt; &amp; &quot;review&quot;</h1>"));
    mlops_free(again);
    mlops_free(json);
    mlops_free(html);
    mlops_report_free(r);
}
END_TEST

/* Drift between the early and late model years of the cars data. */
static mlops_dataset *cars_rows(int from_year, int to_year)
{
    mlops_csv_options *o = NULL;
    OK(mlops_csv_options_create(&o));
    mlops_dataset *all = NULL;
    OK(mlops_dataset_read_csv(&all, DATA_DIR "/real/cars.csv", o));
    mlops_csv_options_free(o);
    size_t n = mlops_dataset_rows(all), k = 0, col = 0;
    OK(mlops_dataset_column_index(all, "Year", &col));
    size_t *rows = malloc(n * sizeof *rows);
    int32_t *codes = malloc(n * sizeof *codes);
    OK(mlops_dataset_get_codes(all, col, 0, n, codes));
    for (size_t i = 0; i < n; i++) {
        int year = atoi(mlops_dataset_category(all, col, codes[i]));
        if (year >= from_year && year <= to_year) rows[k++] = i;
    }
    mlops_dataset *part = NULL;
    OK(mlops_dataset_take_rows(&part, all, rows, k));
    free(rows);
    free(codes);
    mlops_dataset_free(all);
    return part;
}

START_TEST(drift_page_orders_columns_and_draws_histograms)
{
    mlops_dataset *early = cars_rows(1970, 1975), *late = cars_rows(1980, 1982);
    mlops_profile *ref = NULL, *cur = NULL;
    OK(mlops_profile_create(&ref));
    OK(mlops_profile_add(ref, early));
    OK(mlops_profile_fix_bins(ref));
    OK(mlops_profile_create_like(&cur, ref));
    OK(mlops_profile_add(cur, late));
    mlops_drift_monitor *m = NULL;
    OK(mlops_drift_monitor_create(&m, ref));
    mlops_drift_report *r = NULL;
    OK(mlops_drift_monitor_compare(m, cur, &r));
    char *html = NULL, *json = NULL, *again = NULL;
    OK(mlops_drift_report_html(r, NULL, NULL, &html));
    assert_page(html);
    ck_assert_ptr_nonnull(strstr(html, "<b>DATA SET DRIFT</b>"));
    /* one histogram per column, and every drifted column listed before
     * every column that did not drift */
    size_t cols = mlops_drift_report_column_count(r), drifted = 0;
    /* each chart names it twice: aria-label and <title> */
    ck_assert_uint_eq(count(html, "reference and current distributions ("), 2 * cols);
    const char *last_drifted = NULL, *first_calm = NULL;
    for (size_t i = 0; i < cols; i++) {
        const char *name = NULL;
        int d = 0;
        OK(mlops_drift_report_column(r, i, &name, NULL, NULL, NULL, NULL, NULL, &d));
        char row[200];
        snprintf(row, sizeof row, "<th scope=\"row\">%s</th>", name);
        const char *at = strstr(html, row);
        ck_assert_msg(at != NULL, "column %s not in the table", name);
        if (d) {
            drifted++;
            if (last_drifted == NULL || at > last_drifted) last_drifted = at;
        } else if (first_calm == NULL || at < first_calm) {
            first_calm = at;
        }
    }
    ck_assert_uint_gt(drifted, 0);
    if (first_calm != NULL) ck_assert(last_drifted < first_calm);
    ck_assert_uint_eq(count(html, "&#10007; drifted</span></td>"), drifted);
    OK(mlops_drift_report_json(r, &json));
    OK(mlops_html_from_json("drift", json, NULL, NULL, &again));
    ck_assert_str_eq(html, again);
    mlops_free(again);
    mlops_free(json);
    mlops_free(html);
    mlops_drift_report_free(r);
    mlops_drift_monitor_free(m);
    mlops_profile_free(cur);
    mlops_profile_free(ref);
    mlops_dataset_free(early);
    mlops_dataset_free(late);
}
END_TEST

/* A wide report draws histograms for the 200 most severe columns only, the
 * drifted ones among them, and still lists every column in the table. */
START_TEST(drift_page_caps_histograms_of_wide_reports)
{
    enum { COLS = 250, ROWS = 40, SHIFTED = 30 };
    mlops_dataset *d[2] = {NULL, NULL};
    for (int part = 0; part < 2; part++) {
        size_t cap = (size_t)COLS * 8 * (ROWS + 1), len = 0;
        char *text = malloc(cap);
        ck_assert_ptr_nonnull(text);
        for (int r = -1; r < ROWS; r++)
            for (int j = 0; j < COLS; j++) {
                /* the last SHIFTED columns move far away in the current part */
                int v = r + (part == 1 && j >= COLS - SHIFTED ? 1000 : 0);
                len += (size_t)(r < 0 ? snprintf(text + len, cap - len, "c%d", j)
                                      : snprintf(text + len, cap - len, "%d", v));
                text[len++] = j + 1 < COLS ? ',' : '\n';
            }
        OK(mlops_dataset_read_csv_memory(&d[part], text, len, "wide.csv", NULL));
        free(text);
    }
    mlops_profile *ref = NULL, *cur = NULL;
    OK(mlops_profile_create(&ref));
    OK(mlops_profile_add(ref, d[0]));
    OK(mlops_profile_fix_bins(ref));
    OK(mlops_profile_create_like(&cur, ref));
    OK(mlops_profile_add(cur, d[1]));
    mlops_drift_monitor *m = NULL;
    OK(mlops_drift_monitor_create(&m, ref));
    mlops_drift_report *r = NULL;
    OK(mlops_drift_monitor_compare(m, cur, &r));
    char *html = NULL;
    OK(mlops_drift_report_html(r, NULL, NULL, &html));
    assert_page(html);
    ck_assert_uint_eq(count(html, "reference and current distributions ("), 2 * 200);
    ck_assert_ptr_nonnull(strstr(html, "Histograms are drawn for the 200 most severe of 250 columns"));
    ck_assert_uint_eq(count(html, "<th scope=\"row\">c"), COLS);
    for (int j = COLS - SHIFTED; j < COLS; j++) {
        char label[64];
        snprintf(label, sizeof label, "c%d: reference and current distributions (", j);
        ck_assert_msg(strstr(html, label) != NULL, "drifted column c%d has no histogram", j);
    }
    mlops_free(html);
    mlops_drift_report_free(r);
    mlops_drift_monitor_free(m);
    mlops_profile_free(cur);
    mlops_profile_free(ref);
    mlops_dataset_free(d[0]);
    mlops_dataset_free(d[1]);
}
END_TEST

START_TEST(drift_page_draws_window_history)
{
    mlops_dataset *early = cars_rows(1970, 1975), *all = cars_rows(1970, 1982);
    mlops_profile *ref = NULL;
    OK(mlops_profile_create(&ref));
    OK(mlops_profile_add(ref, early));
    OK(mlops_profile_fix_bins(ref));
    mlops_drift_monitor *m = NULL;
    OK(mlops_drift_monitor_create(&m, ref));
    OK(mlops_drift_monitor_set_param(m, "window_rows", "100"));
    OK(mlops_drift_monitor_add(m, all));
    OK(mlops_drift_monitor_flush(m));
    size_t windows = mlops_drift_monitor_window_count(m);
    ck_assert_uint_eq(windows, 5); /* 406 rows: 4 full windows and 6 rows */
    const mlops_drift_report *last = NULL;
    OK(mlops_drift_monitor_window(m, windows - 1, &last));
    char *html = NULL;
    OK(mlops_drift_report_html(last, m, "Cars by window", &html));
    assert_page(html);
    ck_assert_ptr_nonnull(strstr(html, "<h1>Cars by window</h1>"));
    ck_assert_ptr_nonnull(strstr(html, "aria-label=\"Share of drifted columns in each window\""));
    /* one table row per window, the first starting at row 0 */
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"n\">0</td><td class=\"n\">0</td><td class=\"n\">100</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"n\">4</td><td class=\"n\">400</td><td class=\"n\">6</td>"));
    mlops_free(html);
    mlops_drift_monitor_free(m);
    mlops_profile_free(ref);
    mlops_dataset_free(early);
    mlops_dataset_free(all);
}
END_TEST

START_TEST(bad_input_is_refused_with_its_place)
{
    char *html = (char *)"untouched";
    ASSERT_ERR(mlops_html_from_json("pie", "{}", NULL, NULL, &html), MLOPS_EINVAL,
               "unknown kind 'pie' (evaluation, drift, profile or model_card)");
    ck_assert_ptr_null(html);
    ASSERT_ERR(mlops_html_from_json("evaluation", "{\n  \"metrics\": {,}\n}", NULL, NULL, &html),
               MLOPS_EFORMAT, "evaluation:2:15: expected a member name");
    ASSERT_ERR(mlops_html_from_json("drift", "[1, 2", NULL, NULL, &html), MLOPS_EFORMAT,
               "drift:1:6: expected ',' or ']'");
    ASSERT_ERR(mlops_html_from_json("evaluation", "{\"columns\": []}", NULL, NULL, &html),
               MLOPS_EFORMAT, "not an mlops-evaluation-report");
    ASSERT_ERR(mlops_html_from_json("drift", "{\"metrics\": {}}", NULL, NULL, &html),
               MLOPS_EFORMAT, "not a drift report");
    ASSERT_ERR(mlops_html_from_json("drift", "{\"dataset_drift\": true, \"columns\": []}", "{\"windows\": 3}",
                                    NULL, &html),
               MLOPS_EFORMAT, "window history has no \"windows\" array");
    ASSERT_ERR(mlops_html_from_json("profile", "\"\\ud800\"", NULL, NULL, &html), MLOPS_EFORMAT,
               "lone surrogate");
    ASSERT_ERR(mlops_html_from_json(NULL, "{}", NULL, NULL, &html), MLOPS_EINVAL, "kind is NULL");
    ASSERT_ERR(mlops_report_html(NULL, NULL, &html), MLOPS_EINVAL, "report is NULL");
    ASSERT_ERR(mlops_html_save("<p>", "/nonexistent-dir/x.html"), MLOPS_EIO, "/nonexistent-dir");
    /* nesting beyond the reader's limit is an error, not a stack overflow */
    char deep[2000];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    ASSERT_ERR(mlops_html_from_json("drift", deep, NULL, NULL, &html), MLOPS_EFORMAT, "nesting too deep");
}
END_TEST

START_TEST(save_writes_the_page)
{
    make_scratch();
    char path[300];
    snprintf(path, sizeof path, "%s/page.html", scratch);
    OK(mlops_html_save("<!DOCTYPE html><p>x</p>\n", path));
    char *text = slurp(path);
    ck_assert_str_eq(text, "<!DOCTYPE html><p>x</p>\n");
    free(text);
    remove_scratch();
}
END_TEST

START_TEST(run_report_writes_pages_that_verify)
{
    make_scratch();
    mlops_pipeline *p = NULL;
    OK(mlops_pipeline_load(&p, DATA_DIR "/pipeline/run_cars.yaml"));
    char set[400], run[300];
    snprintf(set, sizeof set, "registry.path=%s/registry", scratch);
    OK(mlops_pipeline_override(p, set));
    snprintf(run, sizeof run, "%s/run", scratch);
    OK(mlops_pipeline_run(p, run));
    mlops_pipeline_free(p);
    /* the run wrote its pages before the lock, so verify covers them */
    static const char *const PAGES[] = {"evaluation.html", "drift.html", "data.html", "model_card.html"};
    char path[400];
    char *run_pages[4];
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", run, PAGES[i]);
        run_pages[i] = slurp(path);
        assert_page(run_pages[i]);
    }
    char *lock = NULL;
    snprintf(path, sizeof path, "%s/mlops.lock", run);
    lock = slurp(path);
    ck_assert_ptr_nonnull(strstr(lock, "\"path\": \"evaluation.html\""));
    free(lock);
    OK(mlops_run_verify(run, NULL));
    /* written again elsewhere: the same bytes, and the run still verifies */
    char out[300];
    snprintf(out, sizeof out, "%s/pages", scratch);
    ck_assert_int_eq(mkdir(out, 0755), 0);
    char *written = NULL;
    OK(mlops_run_report(run, out, &written));
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "\"%s/%s\"", out, PAGES[i]);
        ck_assert_msg(strstr(written, path) != NULL, "%s not in %s", path, written);
        snprintf(path, sizeof path, "%s/%s", out, PAGES[i]);
        char *again = slurp(path);
        ck_assert_str_eq(again, run_pages[i]);
        free(again);
        free(run_pages[i]);
    }
    mlops_free(written);
    OK(mlops_run_verify(run, NULL));
    /* the model card page equals the page of the saved model */
    mlops_model *model = NULL;
    snprintf(path, sizeof path, "%s/model.mlops", run);
    OK(mlops_model_load(&model, path));
    char *card = NULL;
    OK(mlops_model_card_html(model, NULL, &card));
    assert_page(card);
    snprintf(path, sizeof path, "%s/model_card.html", run);
    char *saved = slurp(path);
    ck_assert_str_eq(card, saved);
    char hash[65];
    OK(mlops_model_payload_hash(model, hash, sizeof hash));
    ck_assert_ptr_nonnull(strstr(card, hash));
    free(saved);
    mlops_free(card);
    mlops_model_free(model);
    ASSERT_ERR(mlops_run_report(out, NULL, NULL), MLOPS_ENOTFOUND, "is it a run directory?");
    snprintf(path, sizeof path, "%s/missing", scratch);
    ASSERT_ERR(mlops_run_report(path, NULL, NULL), MLOPS_ENOTFOUND, "is not a directory");
    ASSERT_ERR(mlops_run_report(run, path, NULL), MLOPS_ENOTFOUND, "output directory");
    /* a damaged source document is named */
    snprintf(path, sizeof path, "%s/evaluation.json", out);
    FILE *f = fopen(path, "w");
    fputs("{\"format\": \"mlops-evaluation-report\", \"metrics\": [", f);
    fclose(f);
    ASSERT_ERR(mlops_run_report(out, NULL, NULL), MLOPS_EFORMAT, "pages/evaluation.json");
    remove_scratch();
}
END_TEST

START_TEST(profile_page_from_object)
{
    mlops_dataset *d = cars_rows(1970, 1982);
    mlops_profile *p = NULL;
    OK(mlops_profile_create(&p));
    OK(mlops_profile_add(p, d));
    char *html = NULL, *json = NULL, *again = NULL;
    OK(mlops_profile_html(p, NULL, &html));
    assert_page(html);
    ck_assert_ptr_nonnull(strstr(html, "Data quality report"));
    ck_assert_ptr_nonnull(strstr(html, "Miles_per_Gallon"));
    OK(mlops_profile_to_json(p, &json));
    OK(mlops_html_from_json("profile", json, NULL, NULL, &again));
    ck_assert_str_eq(html, again);
    mlops_free(again);
    mlops_free(json);
    mlops_free(html);
    mlops_profile_free(p);
    mlops_dataset_free(d);
}
END_TEST

/* Multiclass evaluations carry the reliability curve behind their expected
 * calibration error: the weighted gap of its points is that error. */
START_TEST(multiclass_calibration_curve_is_the_ece)
{
    static const double y[] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 1, 0, 2};
    static const double s[] = {0.7, 0.2, 0.1, 0.3, 0.5, 0.2, 0.1, 0.1, 0.8, 0.4, 0.4, 0.2,
                               0.2, 0.3, 0.5, 0.1, 0.6, 0.3, 0.5, 0.25, 0.25, 0.3, 0.3, 0.4,
                               0.05, 0.9, 0.05, 0.6, 0.3, 0.1, 0.34, 0.33, 0.33, 0.2, 0.1, 0.7};
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    OK(mlops_evaluator_set_param(ev, "task", "classification"));
    mlops_report *r = NULL;
    OK(mlops_evaluator_run_arrays(ev, 12, y, NULL, s, 3, NULL, NULL, &r));
    size_t n = 0;
    const double *x = NULL, *acc = NULL, *w = NULL;
    OK(mlops_report_curve(r, "calibration.confidence", &n, &x, &acc, &w));
    double gap = 0, total = 0, ece = NAN;
    for (size_t i = 0; i < n; i++) {
        gap += w[i] * fabs(x[i] - acc[i]);
        total += w[i];
    }
    ck_assert_double_eq_tol(total, 12, 1e-12);
    OK(mlops_report_value(r, "expected_calibration_error", &ece));
    ck_assert_double_eq_tol(gap / total, ece, 1e-12);
    char *html = NULL;
    OK(mlops_report_html(r, NULL, &html));
    ck_assert_ptr_nonnull(strstr(html, "aria-label=\"Calibration\""));
    mlops_free(html);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
}
END_TEST

/* Regression evaluations carry predicted against true means over ten
 * equal groups of rows by prediction. */
START_TEST(regression_calibration_groups_rows_by_prediction)
{
    double y[20], p[20];
    for (int i = 0; i < 20; i++) {
        y[i] = 20 - i;                      /* rows out of order on purpose */
        p[i] = 0.9 * y[i] + (i % 2 ? 0.3 : -0.2);
    }
    mlops_evaluator *ev = NULL;
    OK(mlops_evaluator_create(&ev));
    OK(mlops_evaluator_set_param(ev, "task", "regression"));
    mlops_report *r = NULL;
    OK(mlops_evaluator_run_arrays(ev, 20, y, p, NULL, 0, NULL, NULL, &r));
    size_t n = 0;
    const double *x = NULL, *t = NULL, *w = NULL;
    OK(mlops_report_curve(r, "calibration.mean", &n, &x, &t, &w));
    ck_assert_uint_eq(n, 10);
    /* predictions rise with y, so group g holds y = 2g + 1 and 2g + 2 */
    for (size_t g = 0; g < 10; g++) {
        double a = 2.0 * (double)g + 1, b = a + 1;
        double pa = 0.9 * a + ((int)(20 - a) % 2 ? 0.3 : -0.2), pb = 0.9 * b + ((int)(20 - b) % 2 ? 0.3 : -0.2);
        ck_assert_double_eq_tol(t[g], (a + b) / 2, 1e-12);
        ck_assert_double_eq_tol(x[g], (pa + pb) / 2, 1e-12);
        ck_assert_double_eq(w[g], 2);
    }
    char *html = NULL;
    OK(mlops_report_html(r, NULL, &html));
    assert_page(html);
    ck_assert_ptr_nonnull(strstr(html, "Predictions against true values</h2>"));
    ck_assert_ptr_nonnull(strstr(html, "aria-label=\"Calibration\""));
    mlops_free(html);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
}
END_TEST

static int render_evaluation(void *ctx)
{
    char *html = NULL;
    int rc = mlops_report_html(ctx, NULL, &html);
    mlops_free(html);
    return rc;
}

START_TEST(out_of_memory_leaks_nothing)
{
    fault_alloc_install();
    mlops_report *r = binary_report();
    long n = fault_alloc_sweep(render_evaluation, NULL, r);
    ck_assert_int_gt(n, 10);
    fault_alloc_fail_at(-1);
    mlops_report_free(r);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("html");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, evaluation_page_shows_the_report);
    tcase_add_test(tc, drift_page_orders_columns_and_draws_histograms);
    tcase_add_test(tc, drift_page_caps_histograms_of_wide_reports);
    tcase_add_test(tc, drift_page_draws_window_history);
    tcase_add_test(tc, bad_input_is_refused_with_its_place);
    tcase_add_test(tc, save_writes_the_page);
    tcase_add_test(tc, run_report_writes_pages_that_verify);
    tcase_add_test(tc, profile_page_from_object);
    tcase_add_test(tc, multiclass_calibration_curve_is_the_ece);
    tcase_add_test(tc, regression_calibration_groups_rows_by_prediction);
    tcase_add_test(tc, out_of_memory_leaks_nothing);
    suite_add_tcase(s, tc);
    return s;
}
