/* The data quality page, rendered from an mlops_profile_to_json document
 * and, when given, the data validation result: a verdict, an overview, a
 * table of every column, the missing values and one small figure per
 * column. Figures stop after MAX_FIGURES columns and long lists are cut, so
 * a profile of thousands of columns still makes a page a browser opens at
 * once; the tables keep every column. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "report/report_pages.h"

enum {
    MAX_FIGURES = 200,   /* per-column figures */
    MAX_MISSING = 50,    /* bars of the missing-values chart */
    MAX_BINS = 40,       /* histogram bars; more bins give a box plot */
    MAX_NAMES = 20       /* column names listed in one overview cell */
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

/* A count as digits (15 significant: exact for any count a profile holds). */
static const char *count_text(double v, char out[32])
{
    return mlops__html_fmt(v, 15, out);
}

/* A chart's description is plain text (the chart escapes it), built in a
 * scratch buffer whose failure is passed on to the page. */
static void desc_done(mlops__html *h, mlops__html *d)
{
    if (d->status != MLOPS_OK && h->status == MLOPS_OK) h->status = d->status;
}

static const char *desc_text(const mlops__html *d)
{
    return d->buf != NULL ? d->buf : "";
}

/* A chart's name: `prefix` and a column name of any length. */
static void chart_label(mlops__html *h, mlops__html *label, const char *prefix, const char *name)
{
    mlops__html_init(label);
    mlops__html_raw(label, prefix);
    mlops__html_raw(label, name);
    desc_done(h, label);
}

/* Labels and values of a bar chart, in one allocation per array. */
/* ---- verdict and overview ------------------------------------------------ */

static size_t flagged(const mlops__jv *columns, const char *flag)
{
    size_t n = 0;
    for (size_t c = 0; c < mlops__jv_len(columns); c++)
        n += mlops__jv_true(mlops__jv_get(mlops__jv_at(columns, c), flag));
    return n;
}

static void verdict(mlops__html *h, const mlops__jv *doc, const mlops__jv *validation)
{
    char text[256], a[32], b[32];
    if (validation != NULL) {
        size_t k = mlops__jv_len(mlops__jv_get(validation, "violations"));
        double rows = member_number(validation, "rows");
        if (!isfinite(rows)) rows = member_number(doc, "rows");
        if (mlops__jv_true(mlops__jv_get(validation, "passed"))) {
            snprintf(text, sizeof text, "every rule holds on %s rows", count_text(rows, a));
            mlops__html_verdict(h, 1, "PASSED", text);
        } else {
            snprintf(text, sizeof text, "%zu rule violation%s in %s rows", k, k == 1 ? "" : "s",
                     count_text(rows, a));
            mlops__html_verdict(h, 0, "FAILED", text);
        }
        return;
    }
    const mlops__jv *columns = mlops__jv_get(doc, "columns");
    size_t constant = flagged(columns, "constant"), empty = flagged(columns, "all_missing");
    /* null when the profile did not track duplicates (quality = 0) */
    double dups = member_number(doc, "duplicate_rows");
    char dup_buf[64];
    const char *dup_text = dup_buf;
    if (!isfinite(dups))
        dup_text = "duplicate rows not tracked";
    else if (dups > 0)
        snprintf(dup_buf, sizeof dup_buf, "%s duplicate row%s", count_text(dups, b),
                 dups == 1 ? "" : "s");
    else
        dup_text = "no duplicate rows";
    if (constant == 0 && empty == 0 && !(dups > 0)) {
        snprintf(text, sizeof text, "no constant or all-missing columns and %s in %s rows",
                 dup_text, count_text(member_number(doc, "rows"), a));
        mlops__html_verdict(h, 1, "CLEAN", text);
        return;
    }
    snprintf(text, sizeof text, "%zu constant column%s, %zu all-missing column%s, %s",
             constant, constant == 1 ? "" : "s", empty, empty == 1 ? "" : "s", dup_text);
    mlops__html_verdict(h, -1, "WARNING", text);
}

static void row_head(mlops__html *h, const char *name, bool numeric)
{
    mlops__html_raw(h, "<tr><th scope=\"row\">");
    mlops__html_text(h, name);
    mlops__html_raw(h, numeric ? "</th><td class=\"n\">" : "</th><td>");
}

/* An array of column names, the first MAX_NAMES of them. */
static void name_list(mlops__html *h, const char *label, const mlops__jv *names)
{
    size_t n = mlops__jv_len(names);
    row_head(h, label, false);
    if (n == 0) mlops__html_raw(h, "none");
    else mlops__html_printf(h, "%zu: ", n);
    for (size_t i = 0; i < n && i < MAX_NAMES; i++) {
        if (i) mlops__html_raw(h, ", ");
        mlops__html_text(h, mlops__jv_string(mlops__jv_at(names, i)));
    }
    if (n > MAX_NAMES) mlops__html_printf(h, " and %zu more", n - MAX_NAMES);
    mlops__html_raw(h, "</td></tr>\n");
}

static void overview(mlops__html *h, const mlops__jv *doc)
{
    const mlops__jv *columns = mlops__jv_get(doc, "columns");
    size_t ncols = mlops__jv_len(columns), with_missing = 0;
    double missing = 0, cells = 0;
    for (size_t c = 0; c < ncols; c++) {
        const mlops__jv *col = mlops__jv_at(columns, c);
        double m = member_number(col, "missing"), n = member_number(col, "count");
        if (isfinite(m) && isfinite(n)) {
            missing += m;
            cells += m + n;
            with_missing += m > 0;
        }
    }
    char a[32];
    mlops__html_section(h, "Overview");
    mlops__html_raw(h, "<table>\n<caption>The data set</caption>\n");
    row_head(h, "Rows", true);
    mlops__html_printf(h, "%s</td></tr>\n", count_text(member_number(doc, "rows"), a));
    row_head(h, "Columns", true);
    mlops__html_printf(h, "%zu</td></tr>\n", ncols);
    row_head(h, "Duplicate rows", true);
    const mlops__jv *dups = mlops__jv_get(doc, "duplicate_rows");
    if (dups != NULL && dups->type == MLOPS__JV_NUMBER) {
        if (!mlops__jv_true(mlops__jv_get(doc, "duplicate_rows_exact")))
            mlops__html_raw(h, "&asymp; ");
        mlops__html_raw(h, count_text(dups->number, a));
    } else {
        mlops__html_raw(h, "<span class=\"note\">n/a (not tracked)</span>");
    }
    mlops__html_raw(h, "</td></tr>\n");
    row_head(h, "Missing cells", true);
    mlops__html_printf(h, "%s", count_text(missing, a));
    if (cells > 0) {
        mlops__html_raw(h, " (");
        mlops__html_num(h, 100 * missing / cells, 3);
        mlops__html_raw(h, "%)");
    }
    mlops__html_raw(h, "</td></tr>\n");
    row_head(h, "Columns with missing values", true);
    mlops__html_printf(h, "%zu</td></tr>\n", with_missing);
    name_list(h, "Constant columns", mlops__jv_get(doc, "constant_columns"));
    name_list(h, "All-missing columns", mlops__jv_get(doc, "all_missing_columns"));
    mlops__html_raw(h, "</table>\n");
    mlops__html_end_section(h);
}

/* ---- the column table -------------------------------------------------------- */

static void num_cell(mlops__html *h, const mlops__jv *col, const char *key, int digits)
{
    mlops__html_raw(h, "<td class=\"n\">");
    double v = member_number(col, key);
    if (isfinite(v)) mlops__html_num(h, v, digits);
    else mlops__html_raw(h, "<span class=\"note\">n/a</span>");
    mlops__html_raw(h, "</td>");
}

static void column_row(mlops__html *h, const mlops__jv *col)
{
    char a[32];
    mlops__html_raw(h, "<tr><th scope=\"row\">");
    mlops__html_text(h, member_string(col, "name", "(unnamed)"));
    if (mlops__jv_true(mlops__jv_get(col, "constant")))
        mlops__html_raw(h, " <span class=\"tag warn\">constant</span>");
    if (mlops__jv_true(mlops__jv_get(col, "all_missing")))
        mlops__html_raw(h, " <span class=\"tag warn\">all missing</span>");
    mlops__html_raw(h, "</th><td>");
    mlops__html_text(h, member_string(col, "type", "?"));
    double count = member_number(col, "count"), missing = member_number(col, "missing");
    mlops__html_printf(h, "</td><td class=\"n\">%s</td>", count_text(count, a));
    mlops__html_printf(h, "<td class=\"n\">%s</td><td class=\"n\">", count_text(missing, a));
    if (count + missing > 0) {
        mlops__html_num(h, 100 * missing / (count + missing), 3);
        mlops__html_raw(h, "%");
    } else {
        mlops__html_raw(h, "<span class=\"note\">n/a</span>");
    }
    mlops__html_raw(h, "</td><td class=\"n\">");
    const mlops__jv *distinct = mlops__jv_get(col, "distinct");
    if (distinct != NULL && distinct->type == MLOPS__JV_NUMBER) {
        if (!mlops__jv_true(mlops__jv_get(col, "distinct_exact"))) mlops__html_raw(h, "&asymp; ");
        mlops__html_raw(h, count_text(distinct->number, a));
    } else {
        mlops__html_raw(h, "<span class=\"note\">n/a</span>");
    }
    mlops__html_raw(h, "</td>");
    const mlops__jv *top = mlops__jv_get(col, "top");
    if (top == NULL) {
        num_cell(h, col, "min", 6);
        num_cell(h, col, "mean", 5);
        num_cell(h, col, "std", 5);
        num_cell(h, col, "max", 6);
    } else {
        const mlops__jv *first = mlops__jv_at(top, 0);
        mlops__html_raw(h, "<td colspan=\"4\">");
        if (first == NULL) {
            mlops__html_raw(h, "<span class=\"note\">n/a</span>");
        } else {
            mlops__html_raw(h, "top: &ldquo;");
            mlops__html_text(h, member_string(first, "value", ""));
            mlops__html_raw(h, "&rdquo; (");
            if (!mlops__jv_true(mlops__jv_get(col, "top_exact"))) mlops__html_raw(h, "&asymp; ");
            mlops__html_printf(h, "%s rows)", count_text(member_number(first, "count"), a));
        }
        mlops__html_raw(h, "</td>");
    }
    mlops__html_raw(h, "</tr>\n");
}

static void column_table(mlops__html *h, const mlops__jv *columns)
{
    mlops__html_section(h, "Columns");
    mlops__html_raw(h, "<table>\n<caption>Every column: counts of present and missing values, "
                       "distinct values, and the range (numeric) or most frequent value "
                       "(categorical); &asymp; marks an estimate</caption>\n<thead><tr>"
                       "<th scope=\"col\">Column</th><th scope=\"col\">Type</th>"
                       "<th scope=\"col\">Count</th><th scope=\"col\">Missing</th>"
                       "<th scope=\"col\">Missing %</th><th scope=\"col\">Distinct</th>"
                       "<th scope=\"col\">Min</th><th scope=\"col\">Mean</th>"
                       "<th scope=\"col\">Std</th><th scope=\"col\">Max</th></tr></thead>\n<tbody>\n");
    for (size_t c = 0; c < mlops__jv_len(columns); c++) column_row(h, mlops__jv_at(columns, c));
    mlops__html_raw(h, "</tbody>\n</table>\n");
    mlops__html_end_section(h);
}

/* ---- missing values ------------------------------------------------------------ */

static void missing_chart(mlops__html *h, const mlops__jv *columns)
{
    size_t ncols = mlops__jv_len(columns), n = 0;
    for (size_t c = 0; c < ncols; c++) n += member_number(mlops__jv_at(columns, c), "missing") > 0;
    if (n == 0 || h->status != MLOPS_OK) return;
    mlops__ranked *r = mlops__malloc_array(n, sizeof *r, "report missing-value ranking");
    if (r == NULL) {
        h->status = MLOPS_ENOMEM;
        return;
    }
    size_t k = 0;
    for (size_t c = 0; c < ncols; c++) {
        const mlops__jv *col = mlops__jv_at(columns, c);
        double m = member_number(col, "missing"), cnt = member_number(col, "count");
        if (m > 0) r[k++] = (mlops__ranked){100 * m / (m + (isfinite(cnt) ? cnt : 0)), c};
    }
    qsort(r, n, sizeof *r, mlops__ranked_desc);
    size_t shown = n < MAX_MISSING ? n : MAX_MISSING;
    mlops__bars b;
    mlops__html d;
    mlops__html_init(&d);
    if (mlops__bars_alloc(h, &b, shown)) {
        char a[32], p[32];
        mlops__html_raw(&d, "Share of rows missing, by column: ");
        for (size_t i = 0; i < shown; i++) {
            const mlops__jv *col = mlops__jv_at(columns, r[i].index);
            const char *name = member_string(col, "name", "(unnamed)");
            snprintf(mlops__bar_label(&b, i), MLOPS__BAR_LABEL, "%s", name);
            b.values[i] = r[i].key;
            mlops__html_printf(&d, "%s%s %s%% (%s rows)", i ? ", " : "", name,
                               mlops__html_fmt(r[i].key, 3, p),
                               count_text(member_number(col, "missing"), a));
        }
        if (n > shown) mlops__html_printf(&d, "; %zu more columns have missing values", n - shown);
        mlops__html_raw(&d, ".");
        desc_done(h, &d);
        mlops__html_section(h, "Missing values");
        mlops__html_printf(h, "<p>Share of rows with no value, in percent, for the %zu of %zu "
                              "columns that have missing values%s.</p>\n",
                           n, ncols, n > shown ? " (the most affected first)" : ", most first");
        mlops__svg_hbars(h, "Missing values by column (% of rows)", desc_text(&d), shown, b.labels,
                         b.values, NULL, 0, NAN, NULL);
        if (n > shown)
            mlops__html_printf(h, "<p class=\"note\">Showing the %zu columns with the largest "
                                  "share missing; %zu more have missing values (see the table "
                                  "above).</p>\n",
                               shown, n - shown);
        mlops__html_end_section(h);
    }
    mlops__html_free(&d);
    mlops__bars_free(&b);
    mlops__free(r);
}

/* ---- one figure per column ------------------------------------------------------- */

static void box_figure(mlops__html *h, const mlops__jv *col, const char *name)
{
    static const char *const KEYS[5] = {"0", "0.25", "0.5", "0.75", "1"};
    const mlops__jv *quantiles = mlops__jv_get(col, "quantiles");
    double q[5];
    for (int i = 0; i < 5; i++) q[i] = member_number(quantiles, KEYS[i]);
    char t[5][32], c[32];
    mlops__html d;
    mlops__html_init(&d);
    if (isfinite(q[0]) && isfinite(q[4])) {
        for (int i = 0; i < 5; i++) mlops__html_fmt(q[i], 4, t[i]);
        mlops__html_printf(&d, "%s: minimum %s, lower quartile %s, median %s, upper quartile %s, "
                               "maximum %s, over %s present values%s.",
                           name, t[0], t[1], t[2], t[3], t[4],
                           count_text(member_number(col, "count"), c),
                           mlops__jv_true(mlops__jv_get(col, "quantiles_exact"))
                               ? "" : " (quartiles estimated)");
    } else {
        mlops__html_printf(&d, "%s has no present values.", name);
    }
    desc_done(h, &d);
    mlops__html label;
    chart_label(h, &label, "Distribution of ", name);
    mlops__svg_box(h, desc_text(&label), desc_text(&d), q);
    mlops__html_free(&label);
    mlops__html_free(&d);
    if (!mlops__jv_true(mlops__jv_get(col, "quantiles_exact")) && isfinite(q[0]))
        mlops__html_raw(h, "<p class=\"note\">Quartiles estimated from a sketch.</p>\n");
}

/* The histogram of fixed bins: inner bins between the edges, and the outer
 * bins (below the first edge, above the last) only when they hold values. */
static bool histogram_figure(mlops__html *h, const mlops__jv *col, const char *name)
{
    const mlops__jv *hist = mlops__jv_get(col, "histogram");
    const mlops__jv *edges = mlops__jv_get(hist, "edges"), *counts = mlops__jv_get(hist, "counts");
    size_t ne = mlops__jv_len(edges), nc = mlops__jv_len(counts);
    if (ne < 2 || nc != ne + 1 || ne - 1 > MAX_BINS) return false;
    size_t n = 0;
    for (size_t i = 0; i < nc; i++)
        n += (i > 0 && i < ne) || mlops__jv_number(mlops__jv_at(counts, i)) > 0;
    mlops__bars b;
    if (!mlops__bars_alloc(h, &b, n)) {
        mlops__bars_free(&b);
        return true;
    }
    mlops__html d;
    mlops__html_init(&d);
    mlops__html_printf(&d, "Histogram of %s, values per bin: ", name);
    size_t k = 0;
    for (size_t i = 0; i < nc; i++) {
        double count = mlops__jv_number(mlops__jv_at(counts, i));
        if (!((i > 0 && i < ne) || count > 0)) continue;
        char lo[32], hi[32], c[32];
        char *label = mlops__bar_label(&b, k);
        if (i == 0) {
            snprintf(label, MLOPS__BAR_LABEL, "< %s",
                     mlops__html_fmt(mlops__jv_number(mlops__jv_at(edges, 0)), 4, lo));
        } else if (i == ne) {
            snprintf(label, MLOPS__BAR_LABEL, "> %s",
                     mlops__html_fmt(mlops__jv_number(mlops__jv_at(edges, ne - 1)), 4, hi));
        } else {
            snprintf(label, MLOPS__BAR_LABEL, "[%s, %s%s",
                     mlops__html_fmt(mlops__jv_number(mlops__jv_at(edges, i - 1)), 4, lo),
                     mlops__html_fmt(mlops__jv_number(mlops__jv_at(edges, i)), 4, hi),
                     i + 1 == ne ? "]" : ")");
        }
        b.values[k++] = count;
        mlops__html_printf(&d, "%s%s: %s", k > 1 ? ", " : "", label, count_text(count, c));
    }
    bool estimated = mlops__jv_true(mlops__jv_get(hist, "estimated"));
    mlops__html_raw(&d, estimated ? " (counts estimated)." : ".");
    desc_done(h, &d);
    mlops__html label;
    chart_label(h, &label, "Histogram of ", name);
    mlops__svg_hbars(h, desc_text(&label), desc_text(&d), n, b.labels, b.values, NULL, 0, NAN,
                     NULL);
    mlops__html_free(&label);
    if (estimated)
        mlops__html_raw(h, "<p class=\"note\">Bin counts estimated from the quantile sketch.</p>\n");
    mlops__html_free(&d);
    mlops__bars_free(&b);
    return true;
}

static void top_figure(mlops__html *h, const mlops__jv *col, const char *name)
{
    const mlops__jv *top = mlops__jv_get(col, "top");
    size_t n = mlops__jv_len(top);
    char a[32], c[32];
    if (n == 0) {
        mlops__html_raw(h, "<p class=\"note\">No present values.</p>\n");
        return;
    }
    mlops__bars b;
    if (!mlops__bars_alloc(h, &b, n)) {
        mlops__bars_free(&b);
        return;
    }
    mlops__html d;
    mlops__html_init(&d);
    mlops__html_printf(&d, "Most frequent values of %s with their counts: ", name);
    double covered = 0;
    for (size_t i = 0; i < n; i++) {
        const mlops__jv *item = mlops__jv_at(top, i);
        const char *value = member_string(item, "value", "");
        snprintf(mlops__bar_label(&b, i), MLOPS__BAR_LABEL, "%s", value);
        b.values[i] = member_number(item, "count");
        covered += isfinite(b.values[i]) ? b.values[i] : 0;
        mlops__html_printf(&d, "%s%s: %s", i ? ", " : "", value, count_text(b.values[i], a));
    }
    bool exact = mlops__jv_true(mlops__jv_get(col, "top_exact"));
    mlops__html_raw(&d, exact ? "." : " (counts estimated).");
    desc_done(h, &d);
    mlops__html label;
    chart_label(h, &label, "Most frequent values of ", name);
    mlops__svg_hbars(h, desc_text(&label), desc_text(&d), n, b.labels, b.values, NULL, 0, NAN,
                     NULL);
    mlops__html_free(&label);
    mlops__html_free(&d);
    mlops__bars_free(&b);
    mlops__html_printf(h, "<p class=\"note\">The %zu most frequent", n);
    const mlops__jv *distinct = mlops__jv_get(col, "distinct");
    if (distinct != NULL && distinct->type == MLOPS__JV_NUMBER)
        mlops__html_printf(h, " of %s%s distinct",
                           mlops__jv_true(mlops__jv_get(col, "distinct_exact")) ? "" : "&asymp; ",
                           count_text(distinct->number, a));
    mlops__html_printf(h, " values cover %s of %s present values%s.</p>\n", count_text(covered, a),
                       count_text(member_number(col, "count"), c),
                       exact ? "" : "; counts are estimates");
}

static void distributions(mlops__html *h, const mlops__jv *columns)
{
    size_t ncols = mlops__jv_len(columns);
    if (ncols == 0) return;
    size_t shown = ncols < MAX_FIGURES ? ncols : MAX_FIGURES;
    mlops__html_section(h, "Distributions");
    if (shown < ncols)
        mlops__html_printf(h, "<p class=\"note\">Figures are drawn for the first %zu of %zu "
                              "columns, to keep the page small; the table above covers every "
                              "column.</p>\n",
                           shown, ncols);
    /* Two bar charts a row: in the default three-column grid their
     * 640-pixel view boxes shrink the labels below legible size. */
    mlops__html_raw(h, "<div class=\"grid\" style=\"grid-template-columns:repeat(auto-fill,"
                       "minmax(min(100%,520px),1fr))\">\n");
    for (size_t c = 0; c < shown && h->status == MLOPS_OK; c++) {
        const mlops__jv *col = mlops__jv_at(columns, c);
        const char *name = member_string(col, "name", "(unnamed)");
        mlops__html_raw(h, "<div>\n<h3>");
        mlops__html_text(h, name);
        mlops__html_raw(h, "</h3>\n");
        if (mlops__jv_get(col, "top") != NULL) top_figure(h, col, name);
        else if (!histogram_figure(h, col, name)) box_figure(h, col, name);
        mlops__html_raw(h, "</div>\n");
    }
    mlops__html_raw(h, "</div>\n");
    mlops__html_end_section(h);
}

/* ---- validation ----------------------------------------------------------------- */

static void violations(mlops__html *h, const mlops__jv *validation)
{
    const mlops__jv *list = mlops__jv_get(validation, "violations");
    size_t n = mlops__jv_len(list);
    if (n == 0) return;
    mlops__html_section(h, "Rule violations");
    mlops__html_raw(h, "<table>\n<caption>Data rules that do not hold</caption>\n<thead><tr>"
                       "<th scope=\"col\">Kind</th><th scope=\"col\">Column</th>"
                       "<th scope=\"col\">Count</th><th scope=\"col\">Sample rows</th>"
                       "<th scope=\"col\">Message</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const mlops__jv *v = mlops__jv_at(list, i);
        char a[32];
        mlops__html_raw(h, "<tr class=\"bad\"><td>");
        mlops__html_scalar(h, mlops__jv_get(v, "kind"));
        mlops__html_raw(h, "</td><td>");
        mlops__html_scalar(h, mlops__jv_get(v, "column"));
        mlops__html_printf(h, "</td><td class=\"n\">%s</td><td>",
                           count_text(member_number(v, "count"), a));
        const mlops__jv *samples = mlops__jv_get(v, "samples");
        for (size_t k = 0; k < mlops__jv_len(samples); k++)
            mlops__html_printf(h, "%s%s", k ? ", " : "",
                               count_text(mlops__jv_number(mlops__jv_at(samples, k)), a));
        if (mlops__jv_len(samples) == 0) mlops__html_raw(h, "<span class=\"note\">none</span>");
        mlops__html_raw(h, "</td><td>");
        mlops__html_scalar(h, mlops__jv_get(v, "message"));
        mlops__html_raw(h, "</td></tr>\n");
    }
    mlops__html_raw(h, "</tbody>\n</table>\n");
    mlops__html_end_section(h);
}

int mlops__page_profile(mlops__html *h, const mlops__jv *doc, const mlops__jv *validation,
                        const char *title)
{
    static const char what[] = "data quality report";
    const mlops__jv *columns = mlops__jv_get(doc, "columns");
    if (columns == NULL || columns->type != MLOPS__JV_ARRAY)
        return mlops__fail(MLOPS_EFORMAT, "%s: the document has no \"columns\" array (not an "
                                          "mlops_profile_to_json document)", what);
    if (!isfinite(member_number(doc, "rows")))
        return mlops__fail(MLOPS_EFORMAT, "%s: the document has no \"rows\" count (not an "
                                          "mlops_profile_to_json document)", what);
    if (validation != NULL) {
        const mlops__jv *passed = mlops__jv_get(validation, "passed");
        const mlops__jv *list = mlops__jv_get(validation, "violations");
        if (passed == NULL || passed->type != MLOPS__JV_BOOL || list == NULL ||
            list->type != MLOPS__JV_ARRAY)
            return mlops__fail(MLOPS_EFORMAT, "%s: the validation document has no %s (not an "
                                              "mlops_validation_to_json document)",
                               what, passed == NULL || passed->type != MLOPS__JV_BOOL
                                         ? "\"passed\" flag" : "\"violations\" array");
    }
    char rows[32], sub[96];
    snprintf(sub, sizeof sub, "Profile of %s rows and %zu columns.",
             count_text(member_number(doc, "rows"), rows), mlops__jv_len(columns));
    mlops__html_begin_page(h, title != NULL ? title : "Data quality report", sub);
    verdict(h, doc, validation);
    overview(h, doc);
    if (validation != NULL) violations(h, validation);
    column_table(h, columns);
    missing_chart(h, columns);
    distributions(h, columns);
    mlops__html_end_page(h);
    return h->status;
}
