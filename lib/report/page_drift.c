/* The drift report page, from an mlops_drift_report_json document and,
 * optionally, a monitor's window history: the data-set verdict first, then
 * the columns sorted by severity (drifted first, strongest evidence first)
 * with a reference-versus-current histogram each, the findings, and the
 * drift share of every window over time. Histograms stop after
 * MAX_FIGURES columns (the most severe ones): a page for ten thousand
 * columns would weigh tens of megabytes, and the table covers them all. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "report/report_pages.h"

enum { MAX_FIGURES = 200 };

typedef struct ranked {
    size_t col;
    bool drifted;
    double score;
} ranked;

/* How far past its threshold a column is: 1 at the threshold. */
static double severity_score(const mlops__jv *c)
{
    double p = mlops__jv_number(mlops__jv_get(c, "p_value_adjusted"));
    double s = mlops__jv_number(mlops__jv_get(c, "statistic"));
    double t = mlops__jv_number(mlops__jv_get(c, "threshold"));
    if (!isfinite(p)) p = mlops__jv_number(mlops__jv_get(c, "p_value"));
    if (isfinite(p) && t > 0 && t < 1) return log10(p > 1e-300 ? p : 1e-300) / log10(t);
    if (isfinite(s) && isfinite(t) && t > 0) return s / t;
    return isfinite(s) ? s : -1;
}

static int by_severity(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->drifted != y->drifted) return x->drifted ? -1 : 1;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->col < y->col ? -1 : x->col > y->col;
}

static void verdict(mlops__html *h, const mlops__jv *doc)
{
    double drifted = mlops__jv_number(mlops__jv_get(doc, "drifted_columns"));
    double compared = mlops__jv_number(mlops__jv_get(doc, "compared_columns"));
    double share = mlops__jv_number(mlops__jv_get(doc, "drift_share"));
    const char *sev = mlops__jv_string(mlops__jv_get(doc, "severity"));
    char text[200], a[32], b[32], c[32];
    snprintf(text, sizeof text, "%s of %s columns drifted (share %s)", mlops__html_fmt(drifted, 8, a),
             mlops__html_fmt(compared, 8, b), mlops__html_fmt(share, 3, c));
    if (mlops__jv_true(mlops__jv_get(doc, "dataset_drift")))
        mlops__html_verdict(h, 0, "DATA SET DRIFT", text);
    else if (sev != NULL && strcmp(sev, "none") != 0)
        mlops__html_verdict(h, -1, "WARNING", text);
    else
        mlops__html_verdict(h, 1, "NO DRIFT", text);
}

static void performance(mlops__html *h, const mlops__jv *perf)
{
    if (perf == NULL || perf->type != MLOPS__JV_OBJECT) return;
    bool dropped = mlops__jv_true(mlops__jv_get(perf, "dropped"));
    char text[200], a[32], b[32], c[32];
    snprintf(text, sizeof text, "%s %s on %s labelled rows, %s at training",
             mlops__jv_string(mlops__jv_get(perf, "metric")) ? mlops__jv_string(mlops__jv_get(perf, "metric")) : "metric",
             mlops__html_fmt(mlops__jv_number(mlops__jv_get(perf, "value")), 4, a),
             mlops__html_fmt(mlops__jv_number(mlops__jv_get(perf, "labelled_rows")), 10, b),
             mlops__html_fmt(mlops__jv_number(mlops__jv_get(perf, "reference")), 4, c));
    mlops__html_verdict(h, dropped ? 0 : 1, dropped ? "PERFORMANCE DROPPED" : "PERFORMANCE HOLDS", text);
}

static void findings(mlops__html *h, const mlops__jv *list)
{
    if (mlops__jv_len(list) == 0) return;
    mlops__html_section(h, "Findings");
    mlops__html_raw(h, "<table>\n<thead><tr><th scope=\"col\">Column</th><th scope=\"col\">Kind</th>"
                       "<th scope=\"col\">Rows</th><th scope=\"col\">What</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < list->n; i++) {
        const mlops__jv *f = &list->items[i];
        mlops__html_raw(h, "<tr class=\"warn\"><td>");
        mlops__html_text(h, mlops__jv_string(mlops__jv_get(f, "column")));
        mlops__html_raw(h, "</td><td>");
        mlops__html_text(h, mlops__jv_string(mlops__jv_get(f, "kind")));
        mlops__html_raw(h, "</td><td class=\"n\">");
        mlops__html_num(h, mlops__jv_number(mlops__jv_get(f, "count")), 12);
        mlops__html_raw(h, "</td><td>");
        mlops__html_text(h, mlops__jv_string(mlops__jv_get(f, "message")));
        mlops__html_raw(h, "</td></tr>\n");
    }
    mlops__html_raw(h, "</tbody></table>\n");
    mlops__html_end_section(h);
}

static void columns_table(mlops__html *h, const mlops__jv *cols, const ranked *order, size_t n)
{
    mlops__html_raw(h, "<table>\n<thead><tr><th scope=\"col\">Column</th><th scope=\"col\">Type</th>"
                       "<th scope=\"col\">Method</th><th scope=\"col\">Statistic</th>"
                       "<th scope=\"col\">p-value (adjusted)</th><th scope=\"col\">Threshold</th>"
                       "<th scope=\"col\">Drifted</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const mlops__jv *c = &cols->items[order[i].col];
        bool d = order[i].drifted;
        mlops__html_printf(h, "<tr class=\"%s\"><th scope=\"row\">", d ? "bad" : "");
        mlops__html_text(h, mlops__jv_string(mlops__jv_get(c, "name")));
        mlops__html_raw(h, "</th><td>");
        mlops__html_text(h, mlops__jv_string(mlops__jv_get(c, "type")));
        mlops__html_raw(h, "</td><td>");
        mlops__html_text(h, mlops__jv_string(mlops__jv_get(c, "method")));
        mlops__html_raw(h, "</td><td class=\"n\">");
        mlops__html_num(h, mlops__jv_number(mlops__jv_get(c, "statistic")), 4);
        mlops__html_raw(h, "</td><td class=\"n\">");
        mlops__html_num(h, mlops__jv_number(mlops__jv_get(c, "p_value_adjusted")), 3);
        mlops__html_raw(h, "</td><td class=\"n\">");
        mlops__html_num(h, mlops__jv_number(mlops__jv_get(c, "threshold")), 3);
        mlops__html_raw(h, d ? "</td><td><span class=\"tag bad\">&#10007; drifted</span></td></tr>\n"
                             : "</td><td><span class=\"tag good\">&#10003; no</span></td></tr>\n");
    }
    mlops__html_raw(h, "</tbody></table>\n");
}

/* Bin labels and shares of one column's histogram, then the chart. */
static void histogram(mlops__html *h, const mlops__jv *c, bool drifted)
{
    const mlops__jv *hist = mlops__jv_get(c, "histogram");
    const mlops__jv *ref = mlops__jv_get(hist, "reference"), *cur = mlops__jv_get(hist, "current");
    const mlops__jv *edges = mlops__jv_get(hist, "edges"), *cats = mlops__jv_get(hist, "categories");
    size_t n = mlops__jv_len(ref);
    const char *name = mlops__jv_string(mlops__jv_get(c, "name"));
    if (n == 0 || n != mlops__jv_len(cur) || n > 64) return;
    if (cats == NULL && mlops__jv_len(edges) + 1 != n) return;
    if (cats != NULL && mlops__jv_len(cats) + 2 != n) return;
    char(*lab)[48] = mlops__malloc_array(n, sizeof *lab, "histogram labels");
    const char **labels = mlops__malloc_array(n, sizeof *labels, "histogram labels");
    double *r = mlops__malloc_array(n, sizeof *r, "histogram"), *k = mlops__malloc_array(n, sizeof *k, "histogram");
    mlops__html desc;
    mlops__html_init(&desc);
    if (lab == NULL || labels == NULL || r == NULL || k == NULL) h->status = MLOPS_ENOMEM;
    double rt = 0, ct = 0;
    for (size_t i = 0; i < n; i++) {
        double a = mlops__jv_number(mlops__jv_at(ref, i)), b = mlops__jv_number(mlops__jv_at(cur, i));
        rt += isfinite(a) ? a : 0;
        ct += isfinite(b) ? b : 0;
    }
    for (size_t i = 0; h->status == MLOPS_OK && i < n; i++) {
        char e[32];
        if (cats != NULL) {
            const char *s = i + 2 < n ? mlops__jv_string(mlops__jv_at(cats, i)) : i + 2 == n ? "(other)" : "(unseen)";
            snprintf(lab[i], sizeof lab[i], "%s", s ? s : "?");
        } else if (i == 0) {
            snprintf(lab[i], sizeof lab[i], "< %s", mlops__html_fmt(mlops__jv_number(mlops__jv_at(edges, 0)), 5, e));
        } else if (i + 1 == n) {
            snprintf(lab[i], sizeof lab[i], "> %s", mlops__html_fmt(mlops__jv_number(mlops__jv_at(edges, i - 1)), 5, e));
        } else {
            snprintf(lab[i], sizeof lab[i], "%s", mlops__html_fmt(mlops__jv_number(mlops__jv_at(edges, i - 1)), 5, e));
        }
        labels[i] = lab[i];
        double a = mlops__jv_number(mlops__jv_at(ref, i)), b = mlops__jv_number(mlops__jv_at(cur, i));
        r[i] = rt > 0 && isfinite(a) ? a / rt : 0;
        k[i] = ct > 0 && isfinite(b) ? b / ct : 0;
        mlops__html_raw(&desc, lab[i]);
        mlops__html_raw(&desc, ": reference ");
        mlops__html_num(&desc, 100 * r[i], 3);
        mlops__html_raw(&desc, "%, current ");
        mlops__html_num(&desc, 100 * k[i], 3);
        mlops__html_raw(&desc, "%. ");
    }
    if (h->status == MLOPS_OK && desc.status == MLOPS_OK) {
        char label[200];
        snprintf(label, sizeof label, "%s: reference and current distributions (%s)", name ? name : "?",
                 drifted ? "drifted" : "not drifted");
        mlops__html_raw(h, "<div><h3>");
        mlops__html_text(h, name);
        mlops__html_raw(h, drifted ? " <span class=\"tag bad\">&#10007; drifted</span>" : " <span class=\"tag good\">&#10003; no drift</span>");
        mlops__html_raw(h, "</h3>\n");
        mlops__svg_paired_bars(h, label, desc.buf, n, labels, r, k);
        mlops__html_raw(h, "</div>\n");
    } else if (desc.status != MLOPS_OK) {
        h->status = desc.status;
    }
    mlops__html_free(&desc);
    mlops__free(lab);
    mlops__free(labels);
    mlops__free(r);
    mlops__free(k);
}

static void history(mlops__html *h, const mlops__jv *hist)
{
    size_t n = mlops__jv_len(hist);
    if (n == 0) return;
    mlops__html_section(h, "Windows over time");
    double *x = mlops__malloc_array(n, sizeof *x, "window history");
    double *y = mlops__malloc_array(n, sizeof *y, "window history");
    double *p = mlops__malloc_array(n, sizeof *p, "window history");
    if (x == NULL || y == NULL || p == NULL) h->status = MLOPS_ENOMEM;
    size_t np = 0;
    double plo = INFINITY, phi = -INFINITY;
    mlops__html desc;
    mlops__html_init(&desc);
    for (size_t i = 0; h->status == MLOPS_OK && i < n; i++) {
        const mlops__jv *w = mlops__jv_at(hist, i);
        x[i] = mlops__jv_number(mlops__jv_get(mlops__jv_get(w, "window"), "index"));
        double d = mlops__jv_number(mlops__jv_get(w, "drifted_columns"));
        double c = mlops__jv_number(mlops__jv_get(w, "compared_columns"));
        y[i] = c > 0 ? d / c : 0;
        const mlops__jv *perf = mlops__jv_get(w, "performance");
        double pv = mlops__jv_number(mlops__jv_get(perf, "value"));
        p[i] = pv;
        if (isfinite(pv)) {
            np++;
            plo = fmin(plo, pv);
            phi = fmax(phi, pv);
        }
        mlops__html_raw(&desc, "window ");
        mlops__html_num(&desc, x[i], 10);
        mlops__html_raw(&desc, ": ");
        mlops__html_num(&desc, 100 * y[i], 3);
        mlops__html_raw(&desc, mlops__jv_true(mlops__jv_get(w, "dataset_drift")) ? "% drifted, data set drift. " : "% drifted. ");
    }
    if (h->status == MLOPS_OK && desc.status == MLOPS_OK) {
        mlops__svg_series s = {"share of drifted columns", n, x, y, n <= 60};
        mlops__svg_lines(h, "Share of drifted columns in each window", desc.buf, 1, &s, "window",
                         "drifted share", x[0], x[n - 1] > x[0] ? x[n - 1] : x[0] + 1, 0, 1, false, NAN);
        if (np > 0) {
            mlops__svg_series ps = {"model performance", n, x, p, n <= 60};
            double pad = phi > plo ? (phi - plo) * 0.1 : 0.05;
            mlops__svg_lines(h, "Model performance in each window", "Performance per window on the labels received.",
                             1, &ps, "window", "value", x[0], x[n - 1] > x[0] ? x[n - 1] : x[0] + 1,
                             plo - pad, phi + pad, false, NAN);
        }
        mlops__html_raw(h, "<table>\n<thead><tr><th scope=\"col\">Window</th><th scope=\"col\">First row</th>"
                           "<th scope=\"col\">Rows</th><th scope=\"col\">Drifted columns</th>"
                           "<th scope=\"col\">Severity</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < n; i++) {
            const mlops__jv *w = mlops__jv_at(hist, i), *win = mlops__jv_get(w, "window");
            const char *sev = mlops__jv_string(mlops__jv_get(w, "severity"));
            bool crit = sev != NULL && strcmp(sev, "critical") == 0, warn = sev != NULL && strcmp(sev, "warning") == 0;
            mlops__html_printf(h, "<tr class=\"%s\"><td class=\"n\">", crit ? "bad" : warn ? "warn" : "");
            mlops__html_num(h, x[i], 12);
            mlops__html_raw(h, "</td><td class=\"n\">");
            mlops__html_num(h, mlops__jv_number(mlops__jv_get(win, "first_row")), 15);
            mlops__html_raw(h, "</td><td class=\"n\">");
            mlops__html_num(h, mlops__jv_number(mlops__jv_get(win, "rows")), 15);
            mlops__html_raw(h, "</td><td class=\"n\">");
            mlops__html_num(h, mlops__jv_number(mlops__jv_get(w, "drifted_columns")), 8);
            mlops__html_raw(h, "</td><td>");
            mlops__html_text(h, sev);
            mlops__html_raw(h, "</td></tr>\n");
        }
        mlops__html_raw(h, "</tbody></table>\n");
    } else if (desc.status != MLOPS_OK) {
        h->status = desc.status;
    }
    mlops__html_free(&desc);
    mlops__free(x);
    mlops__free(y);
    mlops__free(p);
    mlops__html_end_section(h);
}

int mlops__page_drift(mlops__html *h, const mlops__jv *doc, const mlops__jv *hist, const char *title)
{
    const mlops__jv *cols = mlops__jv_get(doc, "columns");
    if (cols == NULL || cols->type != MLOPS__JV_ARRAY || mlops__jv_get(doc, "dataset_drift") == NULL)
        return mlops__fail(MLOPS_EFORMAT, "drift report: the document is not a drift report (no "
                                          "\"dataset_drift\" or \"columns\")");
    /* a monitor's history document, or its "windows" array alone */
    if (hist != NULL && hist->type == MLOPS__JV_OBJECT) hist = mlops__jv_get(hist, "windows");
    if (hist != NULL && hist->type != MLOPS__JV_ARRAY)
        return mlops__fail(MLOPS_EFORMAT, "drift report: the window history has no \"windows\" array");
    size_t n = cols->n;
    ranked *order = mlops__malloc_array(n ? n : 1, sizeof *order, "drift columns");
    if (order == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = (ranked){i, mlops__jv_true(mlops__jv_get(&cols->items[i], "drifted")),
                            severity_score(&cols->items[i])};
    qsort(order, n, sizeof *order, by_severity);
    char sub[200], a[32], b[32];
    const mlops__jv *c0 = mlops__jv_at(cols, 0);
    snprintf(sub, sizeof sub, "%s reference rows against %s current rows, %zu columns",
             mlops__html_fmt(mlops__jv_number(mlops__jv_get(c0, "reference_rows")), 15, a),
             mlops__html_fmt(mlops__jv_number(mlops__jv_get(mlops__jv_get(doc, "window"), "rows")), 15, b), n);
    mlops__html_begin_page(h, title ? title : "Drift report", sub);
    verdict(h, doc);
    performance(h, mlops__jv_get(doc, "performance"));
    mlops__html_section(h, "Columns by severity");
    columns_table(h, cols, order, n);
    mlops__html_end_section(h);
    findings(h, mlops__jv_get(doc, "findings"));
    mlops__html_section(h, "Reference and current distributions");
    mlops__html_raw(h, "<p class=\"note\">Shares of rows per bin; reference solid, current hatched. "
                       "Numeric bins start at the value shown; the outer bins hold values outside the "
                       "reference range.</p>\n");
    size_t shown = n < MAX_FIGURES ? n : MAX_FIGURES;
    if (shown < n)
        mlops__html_printf(h, "<p class=\"note\">Histograms are drawn for the %zu most severe of "
                              "%zu columns, to keep the page small; the table above covers every "
                              "column.</p>\n",
                           shown, n);
    mlops__html_raw(h, "<div class=\"grid\">\n");
    for (size_t i = 0; i < shown && h->status == MLOPS_OK; i++)
        histogram(h, &cols->items[order[i].col], order[i].drifted);
    mlops__html_raw(h, "</div>\n");
    mlops__html_end_section(h);
    history(h, hist);
    mlops__html_end_page(h);
    mlops__free(order);
    return h->status;
}
