/* The model card page, rendered from an mlops_model_card_json document in
 * the sections of Mitchell et al. 2019 ("Model Cards for Model Reporting"):
 * details, intended use, data, preprocessing, settings, training, the
 * coefficients as charts, ethical considerations, caveats and the attached
 * evaluation. The card's free text is written by the model's owner, so
 * every string goes through the escaping writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "report/report_pages.h"

enum {
    MAX_COEFS = 20,    /* bars per output */
    MAX_OUTPUTS = 50,  /* outputs charted */
    MAX_CLASSES = 50,  /* bars of the class chart */
    LABEL_NAME = 22    /* bytes of a feature name before its sign, so hbars keeps the sign */
};

static double member_number(const mlops__jv *obj, const char *key)
{
    return mlops__jv_number(mlops__jv_get(obj, key));
}

static const char *member_string(const mlops__jv *obj, const char *key, const char *fallback)
{
    const char *s = mlops__jv_string(mlops__jv_get(obj, key));
    return s != NULL ? s : fallback;
}

static void pass_status(mlops__html *h, const mlops__html *scratch)
{
    if (scratch->status != MLOPS_OK && h->status == MLOPS_OK) h->status = scratch->status;
}

static const char *scratch_text(const mlops__html *d)
{
    return d->buf != NULL ? d->buf : "";
}

/* `s` cut to at most `max` bytes at a UTF-8 boundary, with an ellipsis. */
static void cut_utf8(char *out, size_t size, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) {
        snprintf(out, size, "%s", s);
        return;
    }
    size_t k = max - 3;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    snprintf(out, size, "%.*s\xE2\x80\xA6", (int)k, s);
}

/* A paragraph of free text (line breaks kept), or n/a. */
static void text_block(mlops__html *h, const char *label, const mlops__jv *v)
{
    mlops__html_raw(h, "<p style=\"white-space:pre-line\">");
    if (label != NULL) {
        mlops__html_raw(h, "<b>");
        mlops__html_text(h, label);
        mlops__html_raw(h, ":</b> ");
    }
    mlops__html_scalar(h, v);
    mlops__html_raw(h, "</p>\n");
}

/* ---- data ----------------------------------------------------------------------- */

static void class_chart(mlops__html *h, const mlops__jv *classes)
{
    size_t n = mlops__jv_len(classes), shown = n < MAX_CLASSES ? n : MAX_CLASSES;
    if (n == 0) return;
    mlops__bars b;
    mlops__html d;
    mlops__html_init(&d);
    if (mlops__bars_alloc(h, &b, shown)) {
        mlops__html_raw(&d, "Training rows per class: ");
        for (size_t i = 0; i < shown; i++) {
            const mlops__jv *c = mlops__jv_at(classes, i);
            const char *label = member_string(c, "label", "(no label)");
            char v[32];
            snprintf(b.text + i * MLOPS__BAR_LABEL, MLOPS__BAR_LABEL, "%s", label);
            b.values[i] = member_number(c, "count");
            mlops__html_printf(&d, "%s%s %s", i ? ", " : "", label,
                               mlops__html_fmt(b.values[i], 15, v));
        }
        if (shown < n) mlops__html_printf(&d, "; %zu more classes", n - shown);
        mlops__html_raw(&d, ".");
        pass_status(h, &d);
        mlops__html_raw(h, "<h3>Classes</h3>\n");
        mlops__svg_hbars(h, "Training rows per class", scratch_text(&d), shown, b.labels,
                         b.values, NULL, 0, NAN, NULL);
        if (shown < n)
            mlops__html_printf(h, "<p class=\"note\">Showing the first %zu of %zu classes.</p>\n",
                               shown, n);
    }
    mlops__html_free(&d);
    mlops__bars_free(&b);
}

static void training_data(mlops__html *h, const mlops__jv *doc)
{
    const mlops__jv *td = mlops__jv_get(doc, "training_data");
    mlops__html_section(h, "Training data");
    if (td == NULL || td->type != MLOPS__JV_OBJECT) {
        mlops__html_raw(h, "<p class=\"note\">n/a</p>\n");
        mlops__html_end_section(h);
        return;
    }
    mlops__html_kv_table(h, "The data the model was fitted on", td);
    const mlops__jv *inputs = mlops__jv_get(td, "inputs");
    if (mlops__jv_len(inputs) > 0) {
        mlops__html_raw(h, "<table>\n<caption>Input columns</caption>\n<thead><tr>"
                           "<th scope=\"col\">Column</th><th scope=\"col\">Type</th></tr>"
                           "</thead>\n<tbody>\n");
        for (size_t i = 0; i < mlops__jv_len(inputs); i++) {
            const mlops__jv *in = mlops__jv_at(inputs, i);
            mlops__html_raw(h, "<tr><th scope=\"row\">");
            mlops__html_scalar(h, mlops__jv_get(in, "name"));
            mlops__html_raw(h, "</th><td>");
            mlops__html_scalar(h, mlops__jv_get(in, "type"));
            mlops__html_raw(h, "</td></tr>\n");
        }
        mlops__html_raw(h, "</tbody>\n</table>\n");
    }
    class_chart(h, mlops__jv_get(td, "classes"));
    mlops__html_end_section(h);

    mlops__html_section(h, "Evaluation data");
    text_block(h, NULL, mlops__jv_get(mlops__jv_get(doc, "evaluation_data"), "description"));
    mlops__html_end_section(h);
}

/* ---- preprocessing --------------------------------------------------------------- */

static void preprocessing(mlops__html *h, const mlops__jv *pre)
{
    mlops__html_section(h, "Preprocessing");
    const mlops__jv *steps = mlops__jv_get(pre, "steps");
    if (pre == NULL || pre->type != MLOPS__JV_OBJECT) {
        mlops__html_raw(h, "<p>No preprocessing: the model reads its input columns as they "
                           "are.</p>\n");
        mlops__html_end_section(h);
        return;
    }
    char a[32];
    mlops__html_printf(h, "<p>%zu step%s, applied in order", mlops__jv_len(steps),
                       mlops__jv_len(steps) == 1 ? "" : "s");
    double rows = member_number(pre, "training_rows");
    if (mlops__jv_true(mlops__jv_get(pre, "fitted")) && isfinite(rows))
        mlops__html_printf(h, "; fitted on %s rows", mlops__html_fmt(rows, 15, a));
    mlops__html_printf(h, "; %zu input columns, %zu output columns.</p>\n",
                       mlops__jv_len(mlops__jv_get(pre, "input_columns")),
                       mlops__jv_len(mlops__jv_get(pre, "output_columns")));
    if (mlops__jv_len(steps) == 0) {
        mlops__html_end_section(h);
        return;
    }
    mlops__html_raw(h, "<table>\n<caption>Preprocessing steps</caption>\n<thead><tr>"
                       "<th scope=\"col\">Step</th><th scope=\"col\">Kind</th>"
                       "<th scope=\"col\">Columns</th><th scope=\"col\">Settings</th>"
                       "<th scope=\"col\">Fitted columns</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < mlops__jv_len(steps); i++) {
        const mlops__jv *s = mlops__jv_at(steps, i);
        mlops__html_printf(h, "<tr><td class=\"n\">%zu</td><th scope=\"row\">", i + 1);
        mlops__html_scalar(h, mlops__jv_get(s, "kind"));
        mlops__html_raw(h, "</th><td>");
        const mlops__jv *cols = mlops__jv_get(s, "columns");
        if (cols != NULL && cols->type == MLOPS__JV_ARRAY) {
            for (size_t k = 0; k < cols->n; k++) {
                if (k) mlops__html_raw(h, ", ");
                mlops__html_scalar(h, &cols->items[k]);
            }
        } else {
            mlops__html_scalar(h, cols);
        }
        mlops__html_raw(h, "</td><td>");
        const mlops__jv *set = mlops__jv_get(s, "settings");
        for (size_t k = 0; k < mlops__jv_len(set) && set->type == MLOPS__JV_OBJECT; k++) {
            if (k) mlops__html_raw(h, ", ");
            mlops__html_text(h, set->keys[k]);
            mlops__html_raw(h, " = ");
            mlops__html_scalar(h, &set->items[k]);
        }
        if (mlops__jv_len(set) == 0) mlops__html_raw(h, "<span class=\"note\">none</span>");
        mlops__html_printf(h, "</td><td class=\"n\">%zu</td></tr>\n",
                           mlops__jv_len(mlops__jv_get(s, "fitted")));
    }
    mlops__html_raw(h, "</tbody>\n</table>\n");
    mlops__html_end_section(h);
}

/* ---- training and coefficients ------------------------------------------------- */

static void training(mlops__html *h, const mlops__jv *doc)
{
    const mlops__jv *tr = mlops__jv_get(doc, "training");
    mlops__html_section(h, "Training");
    const mlops__jv *converged = mlops__jv_get(tr, "converged");
    if (converged != NULL && converged->type == MLOPS__JV_BOOL && !converged->boolean) {
        char text[160], it[32];
        snprintf(text, sizeof text, "the solver stopped after %s iterations without meeting "
                                    "its tolerance; raise max_iter or check the data scaling",
                 mlops__html_fmt(member_number(tr, "iterations"), 15, it));
        mlops__html_verdict(h, 0, "DID NOT CONVERGE", text);
    }
    if (tr != NULL && tr->type == MLOPS__JV_OBJECT)
        mlops__html_kv_table(h, "How the model was fitted", tr);
    else
        mlops__html_raw(h, "<p class=\"note\">n/a</p>\n");
    mlops__html_end_section(h);
}

/* Standardized units compare features on different scales; a document
 * without them (or with a null) falls back to the model's own units. */
static const char *coef_units(const mlops__jv *features)
{
    for (size_t i = 0; i < mlops__jv_len(features); i++)
        if (!isfinite(member_number(mlops__jv_at(features, i), "standardized"))) return "model";
    return "standardized";
}

static void output_chart(mlops__html *h, const mlops__jv *out)
{
    const mlops__jv *features = mlops__jv_get(out, "features");
    const char *name = member_string(out, "output", "(unnamed output)");
    const char *units = coef_units(features);
    size_t n = mlops__jv_len(features), shown = n < MAX_COEFS ? n : MAX_COEFS;
    char a[32];
    mlops__html_raw(h, "<h3>Output: ");
    mlops__html_text(h, name);
    mlops__html_raw(h, "</h3>\n<p>Intercept ");
    mlops__html_num(h, member_number(mlops__jv_get(out, "intercept"), "model"), 4);
    mlops__html_raw(h, " (model units), ");
    mlops__html_num(h, member_number(mlops__jv_get(out, "intercept"), "raw"), 4);
    mlops__html_raw(h, " (raw units).</p>\n");
    if (n == 0) {
        mlops__html_raw(h, "<p class=\"note\">No features.</p>\n");
        return;
    }
    if (h->status != MLOPS_OK) return;
    mlops__ranked *r = mlops__malloc_array(n, sizeof *r, "report coefficient ranking");
    if (r == NULL) {
        h->status = MLOPS_ENOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double v = member_number(mlops__jv_at(features, i), units);
        r[i] = (mlops__ranked){isfinite(v) ? fabs(v) : -1, i};
    }
    qsort(r, n, sizeof *r, mlops__ranked_desc);
    mlops__bars b;
    mlops__html d;
    mlops__html_init(&d);
    if (mlops__bars_alloc(h, &b, shown)) {
        mlops__html_printf(&d, "Coefficients for output %s in %s units, largest in absolute "
                               "value first: ",
                           name, units);
        for (size_t i = 0; i < shown; i++) {
            const mlops__jv *f = mlops__jv_at(features, r[i].index);
            const char *fname = member_string(f, "name", "(unnamed)");
            double v = member_number(f, units);
            char cut[32];
            cut_utf8(cut, sizeof cut, fname, LABEL_NAME);
            snprintf(b.text + i * MLOPS__BAR_LABEL, MLOPS__BAR_LABEL, "%s%s", cut,
                     !isfinite(v) ? "" : v < 0 ? " (-)" : " (+)");
            b.values[i] = v;
            mlops__html_printf(&d, "%s%s %s", i ? ", " : "", fname, mlops__html_fmt(v, 4, a));
        }
        if (shown < n) mlops__html_printf(&d, "; %zu smaller coefficients not shown", n - shown);
        mlops__html_raw(&d, ".");
        pass_status(h, &d);
        mlops__html d2;
        mlops__html_init(&d2);
        mlops__html_printf(&d2, "Coefficients for output %s (%s units)", name, units);
        pass_status(h, &d2);
        mlops__svg_hbars(h, scratch_text(&d2), scratch_text(&d), shown, b.labels, b.values, NULL,
                         0, NAN, NULL);
        mlops__html_free(&d2);
        if (shown < n)
            mlops__html_printf(h, "<p class=\"note\">Showing the %zu largest of %zu "
                                  "coefficients in absolute value.</p>\n",
                               shown, n);
    }
    mlops__html_free(&d);
    mlops__bars_free(&b);
    mlops__free(r);
}

static void coefficients(mlops__html *h, const mlops__jv *doc)
{
    const mlops__jv *coefs = mlops__jv_get(doc, "coefficients");
    size_t n = mlops__jv_len(coefs), shown = n < MAX_OUTPUTS ? n : MAX_OUTPUTS;
    mlops__html_section(h, "Coefficients");
    if (n == 0) {
        mlops__html_raw(h, "<p class=\"note\">n/a</p>\n");
        mlops__html_end_section(h);
        return;
    }
    mlops__html_raw(h, "<p>The features with the largest coefficients in absolute value, per "
                       "output. Standardized units give the change of the output (log-odds for a "
                       "classifier) per standard deviation of the raw input, so features on "
                       "different scales compare. The sign is in the label, (+) raising and (-) "
                       "lowering the output, and negative bars are drawn in a lighter blue.</p>\n");
    for (size_t o = 0; o < shown && h->status == MLOPS_OK; o++)
        output_chart(h, mlops__jv_at(coefs, o));
    if (shown < n)
        mlops__html_printf(h, "<p class=\"note\">Showing the first %zu of %zu outputs.</p>\n",
                           shown, n);
    mlops__html_end_section(h);
}

/* ---- the attached evaluation ----------------------------------------------------- */

/* An object of objects of scalars as one table: a row per member, a
 * column per key of the first member. */
static void nested_table(mlops__html *h, const char *caption, const char *rowname,
                         const mlops__jv *obj)
{
    if (obj == NULL || obj->type != MLOPS__JV_OBJECT || obj->n == 0) return;
    const mlops__jv *first = &obj->items[0];
    if (first->type != MLOPS__JV_OBJECT) return;
    mlops__html_raw(h, "<table>\n<caption>");
    mlops__html_text(h, caption);
    mlops__html_raw(h, "</caption>\n<thead><tr><th scope=\"col\">");
    mlops__html_text(h, rowname);
    mlops__html_raw(h, "</th>");
    for (size_t k = 0; k < first->n; k++) {
        mlops__html_raw(h, "<th scope=\"col\">");
        mlops__html_text(h, first->keys[k]);
        mlops__html_raw(h, "</th>");
    }
    mlops__html_raw(h, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < obj->n; i++) {
        mlops__html_raw(h, "<tr><th scope=\"row\">");
        mlops__html_text(h, obj->keys[i]);
        mlops__html_raw(h, "</th>");
        for (size_t k = 0; k < first->n; k++) {
            const mlops__jv *v = mlops__jv_get(&obj->items[i], first->keys[k]);
            mlops__html_raw(h, v != NULL && v->type == MLOPS__JV_NUMBER ? "<td class=\"n\">"
                                                                         : "<td>");
            mlops__html_scalar(h, v);
            mlops__html_raw(h, "</td>");
        }
        mlops__html_raw(h, "</tr>\n");
    }
    mlops__html_raw(h, "</tbody>\n</table>\n");
}

static void gates(mlops__html *h, const mlops__jv *qa)
{
    const mlops__jv *list = mlops__jv_get(qa, "gates");
    size_t n = mlops__jv_len(list), failed = 0;
    if (n == 0) return;
    for (size_t i = 0; i < n; i++)
        failed += !mlops__jv_true(mlops__jv_get(mlops__jv_at(list, i), "passed"));
    char text[96];
    if (failed == 0) {
        snprintf(text, sizeof text, "all %zu gate%s hold on the evaluation data", n,
                 n == 1 ? "" : "s");
        mlops__html_verdict(h, 1, "PASSED", text);
    } else {
        snprintf(text, sizeof text, "%zu of %zu gate%s failed", failed, n, n == 1 ? "" : "s");
        mlops__html_verdict(h, 0, "FAILED", text);
    }
    mlops__html_raw(h, "<table>\n<caption>Gates</caption>\n<thead><tr>"
                       "<th scope=\"col\">Gate</th><th scope=\"col\">Observed</th>"
                       "<th scope=\"col\">Verdict</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const mlops__jv *g = mlops__jv_at(list, i);
        bool ok = mlops__jv_true(mlops__jv_get(g, "passed"));
        mlops__html_raw(h, ok ? "<tr><th scope=\"row\">" : "<tr class=\"bad\"><th scope=\"row\">");
        mlops__html_scalar(h, mlops__jv_get(g, "expression"));
        mlops__html_raw(h, "</th><td class=\"n\">");
        mlops__html_num(h, member_number(g, "value"), 4);
        mlops__html_raw(h, ok ? "</td><td><span class=\"tag good\">&#10003; passed</span></td></tr>\n"
                              : "</td><td><span class=\"tag bad\">&#10007; failed</span></td></tr>\n");
    }
    mlops__html_raw(h, "</tbody>\n</table>\n");
}

static void analysis(mlops__html *h, const mlops__jv *qa)
{
    mlops__html_section(h, "Quantitative analysis");
    if (qa == NULL || qa->type != MLOPS__JV_OBJECT) {
        mlops__html_raw(h, "<p class=\"note\">No evaluation is attached to this model "
                           "(mlops_report_attach records one).</p>\n");
        mlops__html_end_section(h);
        return;
    }
    gates(h, qa);
    char a[32];
    mlops__html_raw(h, "<p>");
    mlops__html_text(h, member_string(qa, "task", "Evaluation"));
    mlops__html_printf(h, " on %s rows", mlops__html_fmt(member_number(qa, "rows"), 15, a));
    const mlops__jv *classes = mlops__jv_get(qa, "classes");
    if (mlops__jv_len(classes) > 0) mlops__html_printf(h, ", %zu classes", mlops__jv_len(classes));
    mlops__html_raw(h, ".</p>\n");
    mlops__html_kv_table(h, "Metrics", mlops__jv_get(qa, "metrics"));
    nested_table(h, "Per class", "Class", mlops__jv_get(qa, "per_class"));
    nested_table(h, "Confidence intervals (bootstrap)", "Metric", mlops__jv_get(qa, "intervals"));
    const mlops__jv *fair = mlops__jv_get(qa, "fairness");
    for (size_t i = 0; i < mlops__jv_len(fair) && fair->type == MLOPS__JV_OBJECT; i++) {
        mlops__html d;
        mlops__html_init(&d);
        mlops__html_printf(&d, "Fairness across the groups of %s", fair->keys[i]);
        pass_status(h, &d);
        mlops__html_kv_table(h, scratch_text(&d), &fair->items[i]);
        mlops__html_free(&d);
    }
    nested_table(h, "Robustness probes", "Probe", mlops__jv_get(qa, "robustness"));
    nested_table(h, "Cross-validation", "Metric", mlops__jv_get(qa, "cross_validation"));
    const mlops__jv *notes = mlops__jv_get(qa, "notes");
    if (mlops__jv_len(notes) > 0) {
        mlops__html_raw(h, "<h3>Notes</h3>\n<ul>\n");
        for (size_t i = 0; i < mlops__jv_len(notes); i++) {
            mlops__html_raw(h, "<li>");
            mlops__html_scalar(h, mlops__jv_at(notes, i));
            mlops__html_raw(h, "</li>\n");
        }
        mlops__html_raw(h, "</ul>\n");
    }
    mlops__html_end_section(h);
}

/* ---- the page --------------------------------------------------------------------- */

int mlops__page_model_card(mlops__html *h, const mlops__jv *doc, const char *title)
{
    const mlops__jv *details = mlops__jv_get(doc, "model_details");
    if (details == NULL || details->type != MLOPS__JV_OBJECT)
        return mlops__fail(MLOPS_EFORMAT, "model card report: the document has no "
                                          "\"model_details\" object (not an "
                                          "mlops_model_card_json document)");
    const char *kind = member_string(details, "kind", "unknown");
    const char *name = member_string(details, "name", NULL);
    mlops__html t, sub;
    mlops__html_init(&t);
    mlops__html_init(&sub);
    mlops__html_printf(&t, "Model card: %s", name != NULL && name[0] ? name : kind);
    mlops__html_printf(&sub, "A %s model", kind);
    const char *version = member_string(details, "version", NULL);
    if (version != NULL) mlops__html_printf(&sub, ", version %s", version);
    mlops__html_printf(&sub, "; card written by libmlops %s.",
                       member_string(doc, "library_version", "(unknown version)"));
    pass_status(h, &t);
    pass_status(h, &sub);
    mlops__html_begin_page(h, title != NULL ? title : scratch_text(&t), scratch_text(&sub));
    mlops__html_free(&t);
    mlops__html_free(&sub);

    mlops__html_section(h, "Model details");
    mlops__html_kv_table(h, "Who made the model, and which model it is", details);
    mlops__html_end_section(h);

    const mlops__jv *use = mlops__jv_get(doc, "intended_use");
    mlops__html_section(h, "Intended use");
    text_block(h, "Intended use", mlops__jv_get(use, "intended_use"));
    text_block(h, "Out of scope", mlops__jv_get(use, "out_of_scope_use"));
    mlops__html_end_section(h);

    training_data(h, doc);
    preprocessing(h, mlops__jv_get(doc, "preprocessing"));

    mlops__html_section(h, "Settings");
    const mlops__jv *settings = mlops__jv_get(doc, "settings");
    if (settings != NULL && settings->type == MLOPS__JV_OBJECT)
        mlops__html_kv_table(h, "Training settings", settings);
    else
        mlops__html_raw(h, "<p class=\"note\">n/a</p>\n");
    mlops__html_end_section(h);

    training(h, doc);
    coefficients(h, doc);

    mlops__html_section(h, "Ethical considerations");
    text_block(h, NULL, mlops__jv_get(doc, "ethical_considerations"));
    mlops__html_end_section(h);
    mlops__html_section(h, "Caveats and recommendations");
    text_block(h, NULL, mlops__jv_get(doc, "caveats"));
    mlops__html_end_section(h);

    analysis(h, mlops__jv_get(doc, "quantitative_analysis"));
    mlops__html_end_page(h);
    return h->status;
}
