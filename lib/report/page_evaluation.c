/* The evaluation report page, from an mlops_report_json document: the gate
 * verdict first (what a reviewer needs at a glance), then the metrics with
 * their intervals, the confusion matrix, ROC, precision-recall and
 * calibration curves, per-group bars against the gate thresholds, the
 * fairness and robustness tables and the notes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/numfmt.h"
#include "report/report_pages.h"

/* A gate "NAME OP VALUE" split into its parts; false when it is not one. */
static bool gate_parts(const char *expr, char *name, size_t cap, char op[3], double *value)
{
    const char *sp = strchr(expr, ' ');
    if (sp == NULL || (size_t)(sp - expr) >= cap) return false;
    memcpy(name, expr, (size_t)(sp - expr));
    name[sp - expr] = '\0';
    const char *o = sp + 1;
    size_t ol = strcspn(o, " ");
    if (ol == 0 || ol > 2 || o[ol] != ' ') return false;
    memcpy(op, o, ol);
    op[ol] = '\0';
    char *end;
    *value = mlops__strtod_c(o + ol + 1, &end);
    return end != o + ol + 1;
}

static bool holds(const char *op, double v, double t)
{
    if (!isfinite(v)) return false;
    if (strcmp(op, ">=") == 0) return v >= t;
    if (strcmp(op, ">") == 0) return v > t;
    if (strcmp(op, "<=") == 0) return v <= t;
    if (strcmp(op, "<") == 0) return v < t;
    if (strcmp(op, "==") == 0) return v == t;
    return true;
}

static void verdict(mlops__html *h, const mlops__jv *gates, bool passed)
{
    size_t n = mlops__jv_len(gates), failed = 0;
    for (size_t i = 0; i < n; i++) failed += !mlops__jv_true(mlops__jv_get(mlops__jv_at(gates, i), "passed"));
    char text[160];
    if (n == 0) {
        mlops__html_verdict(h, -1, "NO GATES", "no release gate was set; nothing was checked");
        return;
    }
    if (passed && failed == 0)
        snprintf(text, sizeof text, "all %zu release gates hold", n);
    else
        snprintf(text, sizeof text, "%zu of %zu release gates failed", failed, n);
    mlops__html_verdict(h, passed && failed == 0, passed && failed == 0 ? "PASSED" : "FAILED", text);
}

static void gates_table(mlops__html *h, const mlops__jv *gates)
{
    size_t n = mlops__jv_len(gates);
    if (n == 0) return;
    mlops__html_section(h, "Release gates");
    mlops__html_raw(h, "<table>\n<thead><tr><th scope=\"col\">Gate</th><th scope=\"col\">Value</th>"
                       "<th scope=\"col\">Verdict</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const mlops__jv *g = mlops__jv_at(gates, i);
        bool ok = mlops__jv_true(mlops__jv_get(g, "passed"));
        mlops__html_printf(h, "<tr class=\"%s\"><td><code>", ok ? "" : "bad");
        mlops__html_text(h, mlops__jv_string(mlops__jv_get(g, "expression")));
        mlops__html_raw(h, "</code></td><td class=\"n\">");
        mlops__html_num(h, mlops__jv_number(mlops__jv_get(g, "value")), 4);
        mlops__html_raw(h, ok ? "</td><td><span class=\"tag good\">&#10003; pass</span></td></tr>\n"
                              : "</td><td><span class=\"tag bad\">&#10007; FAIL</span></td></tr>\n");
    }
    mlops__html_raw(h, "</tbody></table>\n");
    mlops__html_end_section(h);
}

static void metrics_table(mlops__html *h, const mlops__jv *metrics, const mlops__jv *intervals)
{
    mlops__html_section(h, "Metrics");
    bool ci = mlops__jv_len(intervals) > 0;
    mlops__html_raw(h, "<table>\n<thead><tr><th scope=\"col\">Metric</th><th scope=\"col\">Value</th>");
    if (ci)
        mlops__html_raw(h, "<th scope=\"col\">95% interval (bootstrap)</th><th scope=\"col\">Std. error</th>");
    mlops__html_raw(h, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < mlops__jv_len(metrics); i++) {
        const char *name = metrics->keys[i];
        mlops__html_raw(h, "<tr><th scope=\"row\">");
        mlops__html_text(h, name);
        mlops__html_raw(h, "</th><td class=\"n\">");
        mlops__html_num(h, mlops__jv_number(&metrics->items[i]), 4);
        mlops__html_raw(h, "</td>");
        if (ci) {
            const mlops__jv *iv = mlops__jv_get(intervals, name);
            mlops__html_raw(h, "<td class=\"n\">");
            if (iv != NULL) {
                mlops__html_raw(h, "[");
                mlops__html_num(h, mlops__jv_number(mlops__jv_get(iv, "ci_low")), 4);
                mlops__html_raw(h, ", ");
                mlops__html_num(h, mlops__jv_number(mlops__jv_get(iv, "ci_high")), 4);
                mlops__html_raw(h, "]</td><td class=\"n\">");
                mlops__html_num(h, mlops__jv_number(mlops__jv_get(iv, "std")), 3);
            } else {
                mlops__html_raw(h, "</td><td>");
            }
            mlops__html_raw(h, "</td>");
        }
        mlops__html_raw(h, "</tr>\n");
    }
    mlops__html_raw(h, "</tbody></table>\n");
    mlops__html_end_section(h);
}

static void per_class(mlops__html *h, const mlops__jv *pc)
{
    if (mlops__jv_len(pc) == 0) return;
    static const char *const COLS[] = {"precision", "recall", "f1", "support"};
    mlops__html_raw(h, "<table>\n<caption>Per class</caption>\n<thead><tr><th scope=\"col\">Class</th>");
    for (size_t c = 0; c < 4; c++) mlops__html_printf(h, "<th scope=\"col\">%s</th>", COLS[c]);
    mlops__html_raw(h, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < pc->n; i++) {
        mlops__html_raw(h, "<tr><th scope=\"row\">");
        mlops__html_text(h, pc->keys[i]);
        mlops__html_raw(h, "</th>");
        for (size_t c = 0; c < 4; c++) {
            mlops__html_raw(h, "<td class=\"n\">");
            mlops__html_num(h, mlops__jv_number(mlops__jv_get(&pc->items[i], COLS[c])), 4);
            mlops__html_raw(h, "</td>");
        }
        mlops__html_raw(h, "</tr>\n");
    }
    mlops__html_raw(h, "</tbody></table>\n");
}

static void confusion(mlops__html *h, const mlops__jv *cm, const mlops__jv *classes)
{
    size_t k = mlops__jv_len(cm);
    if (k == 0 || k != mlops__jv_len(classes) || k > 40) return;
    double *counts = mlops__malloc_array(k * k, sizeof *counts, "confusion matrix");
    const char **names = mlops__malloc_array(k, sizeof *names, "confusion matrix");
    if (counts == NULL || names == NULL) {
        h->status = MLOPS_ENOMEM;
        mlops__free(counts);
        mlops__free(names);
        return;
    }
    mlops__html raw_desc;
    mlops__html_init(&raw_desc);
    mlops__html_raw(&raw_desc, "Rows are the true class, columns the predicted class. ");
    double correct = 0, total = 0;
    for (size_t r = 0; r < k; r++) {
        names[r] = mlops__jv_string(mlops__jv_at(classes, r));
        if (names[r] == NULL) names[r] = "?";
    }
    for (size_t r = 0; r < k; r++) {
        for (size_t c = 0; c < k; c++) {
            double v = mlops__jv_number(mlops__jv_at(mlops__jv_at(cm, r), c));
            counts[r * k + c] = isfinite(v) ? v : 0;
            total += counts[r * k + c];
            if (r == c) correct += counts[r * k + c];
        }
        mlops__html_raw(&raw_desc, "True ");
        mlops__html_raw(&raw_desc, names[r]);
        mlops__html_raw(&raw_desc, ":");
        for (size_t c = 0; c < k; c++) {
            mlops__html_raw(&raw_desc, " ");
            mlops__html_num(&raw_desc, counts[r * k + c], 6);
            mlops__html_raw(&raw_desc, " predicted ");
            mlops__html_raw(&raw_desc, names[c]);
            mlops__html_raw(&raw_desc, c + 1 < k ? "," : ".");
        }
        mlops__html_raw(&raw_desc, " ");
    }
    char label[128], a[32], b[32];
    snprintf(label, sizeof label, "Confusion matrix: %s of %s rows on the diagonal (correct)",
             mlops__html_fmt(correct, 6, a), mlops__html_fmt(total, 6, b));
    if (raw_desc.status != MLOPS_OK) h->status = raw_desc.status;
    mlops__svg_heatmap(h, label, raw_desc.buf, k, names, counts, "true class", "predicted class");
    mlops__html_free(&raw_desc);
    mlops__free(counts);
    mlops__free(names);
}

/* Curves whose names start with `prefix`, as line series. */
static void curves(mlops__html *h, const mlops__jv *all, const char *prefix, const char *xkey,
                   const char *ykey, const char *title, const char *xname, const char *yname,
                   bool diagonal, const char *what)
{
    mlops__svg_series s[8];
    double *buf[16] = {0};
    size_t ns = 0, plen = strlen(prefix);
    for (size_t i = 0; i < mlops__jv_len(all) && ns < 8; i++) {
        const char *name = all->keys[i];
        if (strncmp(name, prefix, plen) != 0 || (name[plen] != '\0' && name[plen] != '.')) continue;
        const mlops__jv *c = &all->items[i], *x = mlops__jv_get(c, xkey), *y = mlops__jv_get(c, ykey);
        size_t n = mlops__jv_len(x) < mlops__jv_len(y) ? mlops__jv_len(x) : mlops__jv_len(y);
        buf[2 * ns] = mlops__malloc_array(n ? n : 1, sizeof(double), "curve");
        buf[2 * ns + 1] = mlops__malloc_array(n ? n : 1, sizeof(double), "curve");
        if (buf[2 * ns] == NULL || buf[2 * ns + 1] == NULL) {
            h->status = MLOPS_ENOMEM;
            ns++;
            break;
        }
        for (size_t p = 0; p < n; p++) {
            buf[2 * ns][p] = mlops__jv_number(mlops__jv_at(x, p));
            buf[2 * ns + 1][p] = mlops__jv_number(mlops__jv_at(y, p));
        }
        s[ns] = (mlops__svg_series){name[plen] ? name + plen + 1 : what, n, buf[2 * ns],
                                    buf[2 * ns + 1], n <= 30};
        ns++;
    }
    if (ns > 0 && h->status == MLOPS_OK) {
        char desc[400];
        snprintf(desc, sizeof desc, "%s for %zu %s. %s", title, ns, ns == 1 ? "series" : "classes",
                 diagonal ? (strcmp(prefix, "calibration") == 0
                                 ? "The dashed diagonal is perfect calibration."
                                 : "The dashed diagonal is a model that guesses.")
                          : "");
        mlops__html_raw(h, "<div>");
        mlops__html_printf(h, "<h3>%s</h3>\n", title);
        mlops__svg_lines(h, title, desc, ns, s, xname, yname, 0, 1, 0, 1, diagonal, NAN);
        mlops__html_raw(h, "</div>\n");
    }
    for (size_t i = 0; i < 2 * ns; i++) mlops__free(buf[i]);
}

/* Regression's calibration: mean true value against mean prediction per
 * group of rows, on the data's own range, with the diagonal of a
 * calibrated model. */
static void mean_calibration(mlops__html *h, const mlops__jv *all)
{
    const mlops__jv *c = mlops__jv_get(all, "calibration.mean");
    const mlops__jv *x = mlops__jv_get(c, "mean_predicted"), *y = mlops__jv_get(c, "mean_true");
    size_t n = mlops__jv_len(x);
    if (n == 0 || n != mlops__jv_len(y)) return;
    double *v = mlops__malloc_array(2 * n, sizeof *v, "calibration");
    if (v == NULL) {
        h->status = MLOPS_ENOMEM;
        return;
    }
    double lo = INFINITY, hi = -INFINITY;
    mlops__html desc;
    mlops__html_init(&desc);
    mlops__html_raw(&desc, "Mean true value against mean prediction in groups of rows by prediction: ");
    for (size_t i = 0; i < n; i++) {
        v[i] = mlops__jv_number(mlops__jv_at(x, i));
        v[n + i] = mlops__jv_number(mlops__jv_at(y, i));
        for (int s = 0; s < 2; s++)
            if (isfinite(v[s * n + i])) lo = fmin(lo, v[s * n + i]), hi = fmax(hi, v[s * n + i]);
        mlops__html_num(&desc, v[i], 4);
        mlops__html_raw(&desc, " predicted, ");
        mlops__html_num(&desc, v[n + i], 4);
        mlops__html_raw(&desc, i + 1 < n ? " true; " : " true. The dashed diagonal is a calibrated model.");
    }
    if (desc.status != MLOPS_OK) h->status = desc.status;
    if (h->status == MLOPS_OK && isfinite(lo) && isfinite(hi)) {
        double pad = hi > lo ? (hi - lo) * 0.05 : 1;
        mlops__svg_series s = {"model", n, v, v + n, true};
        mlops__html_raw(h, "<div><h3>Calibration</h3>\n");
        mlops__svg_lines(h, "Calibration", desc.buf, 1, &s, "mean prediction", "mean true value",
                         lo - pad, hi + pad, lo - pad, hi + pad, true, NAN);
        mlops__html_raw(h, "</div>\n");
    }
    mlops__html_free(&desc);
    mlops__free(v);
}

/* The metric a per-group chart shows: the first gate's metric that groups
 * have, else accuracy or the mean absolute error. */
static const char *group_metric(const mlops__jv *gates, const mlops__jv *group, char *name,
                                size_t cap, double *threshold, char op[3], const char **gate)
{
    *threshold = NAN;
    *gate = NULL;
    for (size_t i = 0; i < mlops__jv_len(gates); i++) {
        const char *e = mlops__jv_string(mlops__jv_get(mlops__jv_at(gates, i), "expression"));
        double t;
        if (e != NULL && gate_parts(e, name, cap, op, &t) && mlops__jv_get(group, name) != NULL &&
            mlops__jv_get(group, name)->type == MLOPS__JV_NUMBER) {
            *threshold = t;
            *gate = e;
            return name;
        }
    }
    op[0] = '\0';
    static const char *const PREFER[] = {"accuracy", "mean_absolute_error", "r2"};
    for (size_t i = 0; i < 3; i++)
        if (mlops__jv_get(group, PREFER[i]) != NULL) return PREFER[i];
    return NULL;
}

static void groups(mlops__html *h, const mlops__jv *all, const mlops__jv *fairness,
                   const mlops__jv *gates)
{
    if (mlops__jv_len(all) == 0) return;
    mlops__html_section(h, "Fairness across groups");
    for (size_t gi = 0; gi < all->n; gi++) {
        const char *column = all->keys[gi];
        const mlops__jv *g = &all->items[gi];
        size_t n = g->n;
        if (n == 0) continue;
        char mbuf[128], op[3];
        double t;
        const char *gate;
        const char *metric = group_metric(gates, &g->items[0], mbuf, sizeof mbuf, &t, op, &gate);
        mlops__html_raw(h, "<h3>");
        mlops__html_text(h, column);
        mlops__html_raw(h, "</h3>\n");
        if (metric != NULL && n <= 200) {
            const char **labels = mlops__malloc_array(n, sizeof *labels, "group chart");
            double *v = mlops__malloc_array(n, sizeof *v, "group chart");
            bool *bad = mlops__malloc_array(n, sizeof *bad, "group chart");
            char **owned = mlops__calloc(n, sizeof *owned, "group chart");
            if (labels == NULL || v == NULL || bad == NULL || owned == NULL) h->status = MLOPS_ENOMEM;
            mlops__html desc;
            mlops__html_init(&desc);
            for (size_t i = 0; h->status == MLOPS_OK && i < n; i++) {
                const mlops__jv *row = &g->items[i];
                const mlops__jv *sm = mlops__jv_get(row, "small");
                bool small = mlops__jv_true(sm) || mlops__jv_number(sm) > 0;
                char lab[200], cnt[32];
                snprintf(lab, sizeof lab, "%s (n=%s%s)", g->keys[i],
                         mlops__html_fmt(mlops__jv_number(mlops__jv_get(row, "count")), 8, cnt),
                         small ? ", small" : "");
                owned[i] = mlops__strdup(lab, "group chart");
                if (owned[i] == NULL) h->status = MLOPS_ENOMEM;
                labels[i] = owned[i];
                v[i] = mlops__jv_number(mlops__jv_get(row, metric));
                bad[i] = op[0] && !holds(op, v[i], t);
                mlops__html_raw(&desc, g->keys[i]);
                mlops__html_raw(&desc, ": ");
                mlops__html_num(&desc, v[i], 4);
                mlops__html_raw(&desc, bad[i] ? " (below the gate); " : "; ");
            }
            if (h->status == MLOPS_OK) h->status = desc.status; /* no chart is a failure */
            if (h->status == MLOPS_OK) {
                char label[300];
                snprintf(label, sizeof label, "%s by %s%s", metric, column,
                         op[0] ? ", with the release gate's threshold" : "");
                bool lower_better = strstr(metric, "error") != NULL || strstr(metric, "loss") != NULL;
                mlops__svg_hbars(h, label, desc.buf, n, labels, v, bad,
                                 lower_better ? 0 : (strstr(metric, "rate") || strstr(metric, "accuracy") ||
                                                     strstr(metric, "f1") || strstr(metric, "precision") ||
                                                     strstr(metric, "recall") || strstr(metric, "auc"))
                                                        ? 1
                                                        : 0,
                                 t, "gate");
                if (gate != NULL) {
                    mlops__html_raw(h, "<p class=\"note\">Hatched bars marked &#10007; are groups "
                                       "that would fail the gate <code>");
                    mlops__html_text(h, gate);
                    mlops__html_raw(h, "</code> on their own. Groups marked small have fewer rows "
                                       "than min_group_size: their figures are not reliable.</p>\n");
                }
            }
            mlops__html_free(&desc);
            for (size_t i = 0; owned != NULL && i < n; i++) mlops__free(owned[i]);
            mlops__free(owned);
            mlops__free(labels);
            mlops__free(v);
            mlops__free(bad);
        }
        const mlops__jv *f = mlops__jv_get(fairness, column);
        if (mlops__jv_len(f) > 0) {
            /* The headline disparity figures; the full list is in the JSON. */
            mlops__html_raw(h, "<table>\n<caption>Disparities</caption>\n<thead><tr><th scope=\"col\">"
                               "Measure</th><th scope=\"col\">Value</th></tr></thead>\n<tbody>\n");
            for (size_t i = 0; i < f->n; i++) {
                const char *k = f->keys[i];
                if (strchr(k, '.') != NULL && strncmp(k, metric ? metric : "", strlen(metric ? metric : "")) != 0)
                    continue;
                mlops__html_raw(h, "<tr><th scope=\"row\">");
                mlops__html_text(h, k);
                mlops__html_raw(h, "</th><td class=\"n\">");
                mlops__html_num(h, mlops__jv_number(&f->items[i]), 4);
                mlops__html_raw(h, "</td></tr>\n");
            }
            mlops__html_raw(h, "</tbody></table>\n");
        }
    }
    mlops__html_end_section(h);
}

/* Robustness, cross-validation or any object of objects of numbers. */
static void nested_table(mlops__html *h, const char *heading, const mlops__jv *obj)
{
    if (mlops__jv_len(obj) == 0 || obj->type != MLOPS__JV_OBJECT) return;
    mlops__html_section(h, heading);
    const mlops__jv *first = &obj->items[0];
    mlops__html_raw(h, "<table>\n<thead><tr><th scope=\"col\"></th>");
    if (first->type == MLOPS__JV_OBJECT)
        for (size_t c = 0; c < first->n; c++) {
            mlops__html_raw(h, "<th scope=\"col\">");
            mlops__html_text(h, first->keys[c]);
            mlops__html_raw(h, "</th>");
        }
    else
        mlops__html_raw(h, "<th scope=\"col\">value</th>");
    mlops__html_raw(h, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < obj->n; i++) {
        const mlops__jv *row = &obj->items[i];
        mlops__html_raw(h, "<tr><th scope=\"row\">");
        mlops__html_text(h, obj->keys[i]);
        mlops__html_raw(h, "</th>");
        if (first->type == MLOPS__JV_OBJECT) {
            for (size_t c = 0; c < first->n; c++) {
                mlops__html_raw(h, "<td class=\"n\">");
                mlops__html_scalar(h, mlops__jv_get(row, first->keys[c]));
                mlops__html_raw(h, "</td>");
            }
        } else {
            mlops__html_raw(h, "<td class=\"n\">");
            mlops__html_scalar(h, row);
            mlops__html_raw(h, "</td>");
        }
        mlops__html_raw(h, "</tr>\n");
    }
    mlops__html_raw(h, "</tbody></table>\n");
    mlops__html_end_section(h);
}

static void notes(mlops__html *h, const mlops__jv *list)
{
    if (mlops__jv_len(list) == 0) return;
    mlops__html_section(h, "Notes");
    mlops__html_raw(h, "<ul>\n");
    for (size_t i = 0; i < list->n; i++) {
        mlops__html_raw(h, "<li>");
        mlops__html_text(h, mlops__jv_string(&list->items[i]));
        mlops__html_raw(h, "</li>\n");
    }
    mlops__html_raw(h, "</ul>\n");
    mlops__html_end_section(h);
}

int mlops__page_evaluation(mlops__html *h, const mlops__jv *doc, const char *title)
{
    const mlops__jv *metrics = mlops__jv_get(doc, "metrics");
    const char *format = mlops__jv_string(mlops__jv_get(doc, "format"));
    if (metrics == NULL || format == NULL || strcmp(format, "mlops-evaluation-report") != 0)
        return mlops__fail(MLOPS_EFORMAT, "evaluation report: the document is not an "
                                          "mlops-evaluation-report (no \"format\" or \"metrics\")");
    const char *task = mlops__jv_string(mlops__jv_get(doc, "task"));
    const mlops__jv *classes = mlops__jv_get(doc, "classes"), *gates = mlops__jv_get(doc, "gates");
    char sub[200], rows[32];
    snprintf(sub, sizeof sub, "%s on %s rows%s", task ? task : "evaluation",
             mlops__html_fmt(mlops__jv_number(mlops__jv_get(doc, "rows")), 12, rows),
             mlops__jv_len(classes) ? ", classes: " : "");
    mlops__html sub_full;
    mlops__html_init(&sub_full);
    mlops__html_raw(&sub_full, sub);
    for (size_t i = 0; i < mlops__jv_len(classes); i++) {
        if (i == 8) {
            mlops__html_printf(&sub_full, " and %zu more", classes->n - 8);
            break;
        }
        mlops__html_raw(&sub_full, i ? ", " : "");
        mlops__html_raw(&sub_full, mlops__jv_string(&classes->items[i]) ? classes->items[i].string : "?");
    }
    if (sub_full.status != MLOPS_OK) return sub_full.status;
    mlops__html_begin_page(h, title ? title : "Evaluation report", sub_full.buf);
    mlops__html_free(&sub_full);
    verdict(h, gates, mlops__jv_true(mlops__jv_get(doc, "passed")));
    gates_table(h, gates);
    metrics_table(h, metrics, mlops__jv_get(doc, "intervals"));
    const mlops__jv *cm = mlops__jv_get(doc, "confusion_matrix"), *cv = mlops__jv_get(doc, "curves");
    if (mlops__jv_get(cv, "calibration.mean") != NULL) {
        mlops__html_section(h, "Predictions against true values");
        mean_calibration(h, cv);
        mlops__html_end_section(h);
    } else if (mlops__jv_len(cm) > 0 || mlops__jv_len(cv) > 0) {
        mlops__html_section(h, "Errors and curves");
        per_class(h, mlops__jv_get(doc, "per_class"));
        confusion(h, cm, classes);
        mlops__html_raw(h, "<div class=\"grid\">\n");
        curves(h, cv, "roc", "false_positive_rate", "true_positive_rate", "ROC curve",
               "false positive rate", "true positive rate", true, "positive class");
        curves(h, cv, "precision_recall", "recall", "precision", "Precision-recall curve", "recall",
               "precision", false, "positive class");
        curves(h, cv, "calibration", "mean_predicted", "fraction_positive", "Calibration",
               "mean predicted probability", "observed frequency", true, "model");
        mlops__html_raw(h, "</div>\n");
        mlops__html_end_section(h);
    }
    groups(h, mlops__jv_get(doc, "groups"), mlops__jv_get(doc, "fairness"), gates);
    nested_table(h, "Robustness probes", mlops__jv_get(doc, "robustness"));
    nested_table(h, "Cross-validation", mlops__jv_get(doc, "cross_validation"));
    notes(h, mlops__jv_get(doc, "notes"));
    mlops__html_end_page(h);
    return h->status;
}
