/* The data quality and model card report pages, rendered from documents the
 * library writes for the real cars data: the page frame and accessibility
 * rules hold, the numbers shown are the ones the objects report (counts of
 * present and missing values checked against pandas' reading of the file,
 * tests/data/real/cars.expected), owner-written text is escaped, a document
 * of the wrong kind is refused, and running out of memory anywhere gives
 * MLOPS_ENOMEM without a leak. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "core/alloc.h"
#include "core/json_parse.h"
#include "fault_alloc.h"
#include "report/report_pages.h"
#include "runner.h"

#ifndef DATA_DIR
#error "DATA_DIR must name tests/data"
#endif

#define CARS DATA_DIR "/real/cars.csv"

/* ---- helpers --------------------------------------------------------------- */

static size_t count_of(const char *s, const char *what)
{
    size_t n = 0, len = strlen(what);
    for (const char *p = strstr(s, what); p != NULL; p = strstr(p + len, what)) n++;
    return n;
}

static bool contains_nocase(const char *s, const char *what)
{
    size_t len = strlen(what);
    for (; *s; s++) {
        size_t i = 0;
        while (i < len && s[i] && tolower((unsigned char)s[i]) == tolower((unsigned char)what[i]))
            i++;
        if (i == len) return true;
    }
    return false;
}

/* Text as the page must show it: & < > " ' escaped. */
static void escape(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    for (; *s && k + 7 < cap; s++) {
        const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                        : *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
        if (rep != NULL) {
            memcpy(out + k, rep, strlen(rep));
            k += strlen(rep);
        } else {
            out[k++] = *s;
        }
    }
    ck_assert_msg(*s == '\0', "escape buffer too small");
    out[k] = '\0';
}

/* Rules every page follows: a complete document without scripts, each
 * chart an image with a name, balanced sections, tables and figures. */
static void check_page(const char *html)
{
    ck_assert_msg(strncmp(html, "<!DOCTYPE html>\n", 16) == 0, "no doctype");
    size_t len = strlen(html);
    ck_assert(len > 20 && strcmp(html + len - 8, "</html>\n") == 0);
    ck_assert_msg(!contains_nocase(html, "<script"), "the page holds a script element");
    ck_assert_msg(!contains_nocase(html, "javascript:"), "the page holds a script URL");
    for (const char *p = strstr(html, "<svg"); p != NULL; p = strstr(p + 4, "<svg")) {
        const char *end = strchr(p, '>');
        ck_assert_ptr_nonnull(end);
        size_t n = (size_t)(end - p);
        char tag[1024];
        ck_assert_uint_lt(n, sizeof tag);
        memcpy(tag, p, n);
        tag[n] = '\0';
        ck_assert_msg(strstr(tag, "role=\"img\"") != NULL, "svg without role=img: %s", tag);
        ck_assert_msg(strstr(tag, "aria-label=\"") != NULL && strstr(tag, "aria-label=\"\"") == NULL,
                      "svg without a label: %s", tag);
        ck_assert_msg(strncmp(end + 1, "<title", 6) == 0, "svg without a title");
    }
    ck_assert_uint_eq(count_of(html, "<svg"), count_of(html, "</svg>"));
    ck_assert_uint_eq(count_of(html, "<desc"), count_of(html, "</svg>"));
    ck_assert_uint_eq(count_of(html, "<section"), count_of(html, "</section>"));
    ck_assert_uint_eq(count_of(html, "<table"), count_of(html, "</table>"));
    ck_assert_uint_eq(count_of(html, "<figure"), count_of(html, "</figure>"));
    ck_assert_uint_eq(count_of(html, "<div"), count_of(html, "</div>"));
    ck_assert_uint_eq(count_of(html, "<tr"), count_of(html, "</tr>"));
}

static mlops__jv *parse(char *json)
{
    mlops__jv *v = NULL;
    ck_assert_int_eq(mlops__json_parse(json, strlen(json), "test document", &v), MLOPS_OK);
    mlops_free(json);
    return v;
}

static char *render_profile(const mlops__jv *doc, const mlops__jv *validation, const char *title)
{
    mlops__html h;
    mlops__html_init(&h);
    ck_assert_int_eq(mlops__page_profile(&h, doc, validation, title), MLOPS_OK);
    char *out = NULL;
    ck_assert_int_eq(mlops__html_finish(&h, &out), MLOPS_OK);
    check_page(out);
    return out;
}

static char *render_card(const mlops__jv *doc, const char *title)
{
    mlops__html h;
    mlops__html_init(&h);
    ck_assert_int_eq(mlops__page_model_card(&h, doc, title), MLOPS_OK);
    char *out = NULL;
    ck_assert_int_eq(mlops__html_finish(&h, &out), MLOPS_OK);
    check_page(out);
    return out;
}

static mlops_dataset *read_cars(void)
{
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_read_csv(&d, CARS, NULL), MLOPS_OK);
    return d;
}

static mlops_profile *profile_of(const mlops_dataset *d, bool bins)
{
    mlops_profile *p = NULL;
    ck_assert_int_eq(mlops_profile_create(&p), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_add(p, d), MLOPS_OK);
    if (bins) ck_assert_int_eq(mlops_profile_fix_bins(p), MLOPS_OK);
    return p;
}

static mlops__jv *profile_doc(const mlops_profile *p)
{
    char *json = NULL;
    ck_assert_int_eq(mlops_profile_to_json(p, &json), MLOPS_OK);
    return parse(json);
}

static mlops__jv *validation_doc(const mlops_validation *v)
{
    char *json = NULL;
    ck_assert_int_eq(mlops_validation_to_json(v, &json), MLOPS_OK);
    return parse(json);
}

/* The figure (from its <figure> to </figure>) whose aria-label starts with `label`. */
static char *figure(const char *html, const char *label)
{
    char key[300];
    snprintf(key, sizeof key, "aria-label=\"%s", label);
    const char *at = strstr(html, key);
    ck_assert_msg(at != NULL, "no figure '%s'", label);
    const char *end = strstr(at, "</figure>");
    ck_assert_ptr_nonnull(end);
    size_t n = (size_t)(end - at);
    char *out = malloc(n + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, at, n);
    out[n] = '\0';
    return out;
}

/* ---- data quality page ----------------------------------------------------- */

/* pandas' column names, types and missing counts from cars.expected. */
static void check_cars_columns(const char *html)
{
    FILE *f = fopen(DATA_DIR "/real/cars.expected", "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    long rows = -1;
    int columns = 0;
    while (fgets(line, sizeof line, f)) {
        char name[128], type[32];
        int index;
        long missing;
        if (sscanf(line, "rows %ld", &rows) == 1) continue;
        if (sscanf(line, "column %d %127s %31s %ld", &index, name, type, &missing) != 4) continue;
        ck_assert_int_eq(rows, 406);
        char want[400];
        snprintf(want, sizeof want,
                 "<th scope=\"row\">%s</th><td>%s</td><td class=\"n\">%ld</td>"
                 "<td class=\"n\">%ld</td><td class=\"n\">",
                 name, type, rows - missing, missing);
        ck_assert_msg(strstr(html, want) != NULL, "column row missing: %s", want);
        snprintf(want, sizeof want, "<div>\n<h3>%s</h3>", name);
        ck_assert_msg(strstr(html, want) != NULL, "no figure heading for %s", name);
        columns++;
    }
    fclose(f);
    ck_assert_int_eq(columns, 9);
}

START_TEST(profile_page_of_cars)
{
    mlops_dataset *d = read_cars();
    mlops_profile *p = profile_of(d, true);
    mlops_schema *s = NULL;
    ck_assert_int_eq(mlops_schema_infer(&s, d), MLOPS_OK);
    mlops_validation *v = NULL;
    ck_assert_int_eq(mlops_schema_check(s, d, &v), MLOPS_OK);
    ck_assert(mlops_validation_passed(v));
    mlops__jv *doc = profile_doc(p), *val = validation_doc(v);
    char *html = render_profile(doc, val, NULL);

    ck_assert_ptr_nonnull(strstr(html, "<title>Data quality report</title>"));
    ck_assert_ptr_nonnull(strstr(html, "<h1>Data quality report</h1>"));
    ck_assert_ptr_nonnull(strstr(html, "Profile of 406 rows and 9 columns."));
    ck_assert_ptr_nonnull(strstr(html, "<b>PASSED</b> every rule holds on 406 rows"));
    ck_assert_ptr_nonnull(strstr(html, "verdict good"));
    ck_assert_ptr_nonnull(strstr(html, ">Rows</th><td class=\"n\">406</td>"));
    ck_assert_ptr_nonnull(strstr(html, ">Columns</th><td class=\"n\">9</td>"));
    ck_assert_ptr_nonnull(strstr(html, ">Duplicate rows</th><td class=\"n\">0</td>"));
    /* 8 + 6 missing of 406 x 9 cells */
    ck_assert_ptr_nonnull(strstr(html, ">Missing cells</th><td class=\"n\">14 (0.383%)</td>"));
    ck_assert_ptr_nonnull(strstr(html, ">Columns with missing values</th><td class=\"n\">2</td>"));
    ck_assert_ptr_nonnull(strstr(html, ">Constant columns</th><td>none</td>"));
    check_cars_columns(html);
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"n\">8</td><td class=\"n\">1.97%</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"n\">6</td><td class=\"n\">1.48%</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<th scope=\"col\">Missing %</th>"));
    ck_assert_ptr_null(strstr(html, "Rule violations"));

    /* numeric statistics as the profile reports them */
    size_t mpg = 1, name = 0;
    double mn, mx, mean, sd;
    ck_assert_int_eq(mlops_profile_stats(p, mpg, &mn, &mx, &mean, &sd), MLOPS_OK);
    uint64_t distinct;
    ck_assert_int_eq(mlops_profile_distinct(p, mpg, &distinct, NULL), MLOPS_OK);
    char a[32], b[32], c[32], e[32], want[512];
    snprintf(want, sizeof want, "1.97%%</td><td class=\"n\">%llu</td><td class=\"n\">%s</td>"
                                "<td class=\"n\">%s</td><td class=\"n\">%s</td>"
                                "<td class=\"n\">%s</td></tr>",
             (unsigned long long)distinct, mlops__html_fmt(mn, 6, a), mlops__html_fmt(mean, 5, b), mlops__html_fmt(sd, 5, c),
             mlops__html_fmt(mx, 6, e));
    ck_assert_msg(strstr(html, want) != NULL, "%s", want);
    /* the most frequent name, with its count */
    const char *top;
    uint64_t top_count;
    ck_assert_int_eq(mlops_profile_top(p, name, 0, &top, &top_count, NULL), MLOPS_OK);
    snprintf(want, sizeof want, "<td colspan=\"4\">top: &ldquo;%s&rdquo; (%llu rows)</td>", top,
             (unsigned long long)top_count);
    ck_assert_msg(strstr(html, want) != NULL, "%s", want);

    /* missing values, most first, named in the description */
    char *fig = figure(html, "Missing values by column");
    ck_assert_ptr_nonnull(strstr(fig, "Share of rows missing, by column: Miles_per_Gallon 1.97% "
                                      "(8 rows), Horsepower 1.48% (6 rows)."));
    ck_assert_uint_eq(count_of(fig, "<rect"), 2 + 2); /* two bars, two in the hatch pattern */
    free(fig);

    /* histograms on the fixed bins: every inner bin, as the profile counts it */
    fig = figure(html, "Histogram of Miles_per_Gallon");
    size_t nbins;
    ck_assert_int_eq(mlops_profile_bin_count(p, mpg, &nbins), MLOPS_OK);
    ck_assert_uint_gt(nbins, 3);
    for (size_t i = 1; i + 1 < nbins; i++) {
        double lo, hi;
        uint64_t count;
        ck_assert_int_eq(mlops_profile_bin(p, mpg, i, &lo, &hi, NULL, &count), MLOPS_OK);
        snprintf(want, sizeof want, "[%s, %s%s: %llu", mlops__html_fmt(lo, 4, a),
                 mlops__html_fmt(hi, 4, b), i + 2 == nbins ? "]" : ")", (unsigned long long)count);
        ck_assert_msg(strstr(fig, want) != NULL, "bin %zu: %s", i, want);
    }
    ck_assert_uint_eq(count_of(fig, "<text"), 2 * (nbins - 2));
    free(fig);
    fig = figure(html, "Most frequent values of Name");
    snprintf(want, sizeof want, "Most frequent values of Name with their counts: %s: %llu", top,
             (unsigned long long)top_count);
    ck_assert_msg(strstr(fig, want) != NULL, "%s", want);
    free(fig);
    ck_assert_ptr_nonnull(strstr(html, "The 10 most frequent of 311 distinct values cover"));

    /* a caller's title, escaped */
    mlops_free(html);
    html = render_profile(doc, NULL, "Cars <2024> & \"friends\"");
    ck_assert_ptr_nonnull(strstr(html, "<title>Cars &lt;2024&gt; &amp; &quot;friends&quot;</title>"));
    ck_assert_ptr_nonnull(strstr(html, "<b>CLEAN</b> no constant or all-missing columns and no "
                                       "duplicate rows in 406 rows"));
    mlops_free(html);
    mlops__jv_free(doc);
    mlops__jv_free(val);
    mlops_validation_free(v);
    mlops_schema_free(s);
    mlops_profile_free(p);
    mlops_dataset_free(d);
}
END_TEST

START_TEST(profile_page_with_failed_rules)
{
    mlops_dataset *d = read_cars();
    mlops_profile *p = profile_of(d, false);
    mlops_schema *s = NULL;
    ck_assert_int_eq(mlops_schema_infer(&s, d), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "Miles_per_Gallon", "max", "40"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "Horsepower", "max_missing_fraction", "0.01"), MLOPS_OK);
    mlops_validation *v = NULL;
    ck_assert_int_eq(mlops_schema_check(s, d, &v), MLOPS_OK);
    ck_assert_uint_eq(mlops_validation_count(v), 2);
    mlops__jv *doc = profile_doc(p), *val = validation_doc(v);
    char *html = render_profile(doc, val, NULL);

    ck_assert_ptr_nonnull(strstr(html, "<b>FAILED</b> 2 rule violations in 406 rows"));
    ck_assert_ptr_nonnull(strstr(html, "verdict bad"));
    ck_assert_ptr_nonnull(strstr(html, ">Rule violations</h2>"));
    for (size_t i = 0; i < 2; i++) {
        char msg[1024], want[2048];
        escape(mlops_validation_message(v, i), msg, sizeof msg);
        snprintf(want, sizeof want, "<tr class=\"bad\"><td>%s</td><td>%s</td><td class=\"n\">%zu"
                                    "</td><td>",
                 mlops_violation_kind_name(mlops_validation_kind(v, i)),
                 mlops_validation_column(v, i), mlops_validation_row_count(v, i));
        ck_assert_msg(strstr(html, want) != NULL, "%s", want);
        const size_t *rows;
        size_t n;
        ck_assert_int_eq(mlops_validation_samples(v, i, &rows, &n), MLOPS_OK);
        char *at = strstr(html, want) + strlen(want);
        for (size_t k = 0; k < n; k++) {
            char r[32];
            snprintf(r, sizeof r, "%s%zu", k ? ", " : "", rows[k]);
            ck_assert_msg(strncmp(at, r, strlen(r)) == 0, "sample %zu of violation %zu", k, i);
            at += strlen(r);
        }
        ck_assert_ptr_nonnull(strstr(at, msg));
    }
    /* without bins the numeric figures are box plots of the quartiles */
    char *fig = figure(html, "Distribution of Miles_per_Gallon");
    double q[5];
    static const double qs[5] = {0, 0.25, 0.5, 0.75, 1};
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(mlops_profile_quantile(p, 1, qs[i], &q[i], NULL), MLOPS_OK);
    char t[5][32], want[512];
    for (int i = 0; i < 5; i++) mlops__html_fmt(q[i], 4, t[i]);
    snprintf(want, sizeof want, "Miles_per_Gallon: minimum %s, lower quartile %s, median %s, "
                                "upper quartile %s, maximum %s, over 398 present values.",
             t[0], t[1], t[2], t[3], t[4]);
    ck_assert_msg(strstr(fig, want) != NULL, "%s", want);
    free(fig);
    ck_assert_ptr_null(strstr(html, "Histogram of"));
    mlops_free(html);
    mlops__jv_free(doc);
    mlops__jv_free(val);
    mlops_validation_free(v);
    mlops_schema_free(s);
    mlops_profile_free(p);
    mlops_dataset_free(d);
}
END_TEST

/* Constant, empty and duplicated data get a warning, and a hostile column
 * name is shown as text everywhere it appears. */
START_TEST(profile_page_warnings_and_escaping)
{
    static const char csv[] = "a,<img src=x onerror=alert(1)>,c,d\n"
                              "1,x,5,\n2,y,5,\n2,y,5,\n3,z,5,\n";
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_read_csv_memory(&d, csv, sizeof csv - 1, "odd.csv", NULL), MLOPS_OK);
    mlops_profile *p = profile_of(d, false);
    mlops__jv *doc = profile_doc(p);
    char *html = render_profile(doc, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(html, "<b>WARNING</b> 1 constant column, 1 all-missing column, "
                                       "1 duplicate row"));
    ck_assert_ptr_nonnull(strstr(html, "verdict warn"));
    ck_assert_ptr_nonnull(strstr(html, ">Duplicate rows</th><td class=\"n\">1</td>"));
    ck_assert_ptr_nonnull(strstr(html, ">Constant columns</th><td>1: c</td>"));
    ck_assert_ptr_nonnull(strstr(html, ">All-missing columns</th><td>1: d</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<th scope=\"row\">c <span class=\"tag warn\">constant"));
    ck_assert_ptr_nonnull(strstr(html, "<th scope=\"row\">d <span class=\"tag warn\">all missing"));
    ck_assert(!contains_nocase(html, "<img"));
    ck_assert_uint_ge(count_of(html, "&lt;img src=x onerror=alert(1)&gt;"), 3);
    /* quartiles of 1 2 2 3 as the profile computes them */
    double q1, q3;
    ck_assert_int_eq(mlops_profile_quantile(p, 0, 0.25, &q1, NULL), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_quantile(p, 0, 0.75, &q3, NULL), MLOPS_OK);
    char a[32], b[32], want[256];
    snprintf(want, sizeof want, "a: minimum 1, lower quartile %s, median 2, upper quartile %s, "
                                "maximum 3, over 4 present values.",
             mlops__html_fmt(q1, 4, a), mlops__html_fmt(q3, 4, b));
    ck_assert_msg(strstr(html, want) != NULL, "%s", want);
    ck_assert_ptr_nonnull(strstr(html, "d has no present values."));
    ck_assert_ptr_nonnull(strstr(html, "Share of rows missing, by column: d 100% (4 rows)."));
    mlops_free(html);
    mlops__jv_free(doc);
    mlops_profile_free(p);
    mlops_dataset_free(d);
}
END_TEST

/* A profile made without quality tracking has no distinct counts and no
 * duplicate count: the page says so instead of claiming there are none. */
START_TEST(profile_page_without_quality_tracking)
{
    mlops_dataset *d = read_cars();
    mlops_profile *p = NULL;
    ck_assert_int_eq(mlops_profile_create(&p), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_set(p, "quality", "0"), MLOPS_OK);
    ck_assert_int_eq(mlops_profile_add(p, d), MLOPS_OK);
    mlops__jv *doc = profile_doc(p);
    char *html = render_profile(doc, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(html, "<b>CLEAN</b> no constant or all-missing columns and "
                                       "duplicate rows not tracked in 406 rows"));
    ck_assert_ptr_nonnull(strstr(html, ">Duplicate rows</th><td class=\"n\"><span "
                                       "class=\"note\">n/a (not tracked)</span></td>"));
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"n\">1.97%</td><td class=\"n\"><span "
                                       "class=\"note\">n/a</span></td>"));
    ck_assert_ptr_null(strstr(html, "distinct values cover"));
    ck_assert_ptr_nonnull(strstr(html, "The 10 most frequent values cover"));
    mlops_free(html);
    mlops__jv_free(doc);
    mlops_profile_free(p);
    mlops_dataset_free(d);
}
END_TEST

/* A wide profile: figures stop at 200 columns and the missing chart at 50
 * bars, each with a note, and the page stays small. */
START_TEST(profile_page_caps_wide_data)
{
    enum { COLS = 250 };
    char *csv = malloc(COLS * 32);
    ck_assert_ptr_nonnull(csv);
    size_t k = 0;
    for (int c = 0; c < COLS; c++) k += (size_t)sprintf(csv + k, "%scol%d", c ? "," : "", c);
    csv[k++] = '\n';
    for (int r = 0; r < 3; r++) {
        for (int c = 0; c < COLS; c++)
            k += (size_t)sprintf(csv + k, "%s%d", c ? "," : "", r == 2 && c % 2 ? -1 : r + c);
        csv[k++] = '\n';
    }
    for (int c = 0; c < COLS; c++) k += (size_t)sprintf(csv + k, "%s", c ? "," : "");
    csv[k++] = '\n';
    mlops_dataset *d = NULL;
    ck_assert_int_eq(mlops_dataset_read_csv_memory(&d, csv, k, "wide.csv", NULL), MLOPS_OK);
    free(csv);
    mlops_profile *p = profile_of(d, true);
    mlops__jv *doc = profile_doc(p);
    char *html = render_profile(doc, NULL, NULL);
    ck_assert_uint_eq(count_of(html, "<div>\n<h3>"), 200);
    ck_assert_ptr_nonnull(strstr(html, "Figures are drawn for the first 200 of 250 columns"));
    ck_assert_ptr_nonnull(strstr(html, "<h3>col199</h3>"));
    ck_assert_ptr_null(strstr(html, "<h3>col200</h3>"));
    ck_assert_ptr_nonnull(strstr(html, "<th scope=\"row\">col249</th>"));
    char *fig = figure(html, "Missing values by column");
    ck_assert_uint_eq(count_of(fig, "<rect"), 50 + 2);
    ck_assert_ptr_nonnull(strstr(fig, "; 200 more columns have missing values."));
    free(fig);
    ck_assert_ptr_nonnull(strstr(html, "Showing the 50 columns with the largest share missing; "
                                       "200 more"));
    ck_assert_uint_lt(strlen(html), 1000000);
    mlops_free(html);
    mlops__jv_free(doc);
    mlops_profile_free(p);
    mlops_dataset_free(d);
}
END_TEST

/* ---- model card page ------------------------------------------------------ */

static const char HOSTILE[] = "<script>alert(1)</script> \"cars\" & 'origin'";
static const char HOSTILE_ESCAPED[] =
    "&lt;script&gt;alert(1)&lt;/script&gt; &quot;cars&quot; &amp; &#39;origin&#39;";

static mlops_model *fit_cars(mlops_dataset *d, const char *max_iter)
{
    size_t col;
    ck_assert_int_eq(mlops_dataset_column_index(d, "Name", &col), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_set_role(d, col, MLOPS_ROLE_ID), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_column_index(d, "Year", &col), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_set_role(d, col, MLOPS_ROLE_IGNORE), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_column_index(d, "Origin", &col), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_set_role(d, col, MLOPS_ROLE_TARGET), MLOPS_OK);
    mlops_transform *t = NULL;
    ck_assert_int_eq(mlops_transform_create(&t), MLOPS_OK);
    int step = mlops_transform_add(t, "impute", "*");
    ck_assert_int_ge(step, 0);
    ck_assert_int_eq(mlops_transform_set(t, (size_t)step, "strategy", "median"), MLOPS_OK);
    ck_assert_int_ge(mlops_transform_add(t, "standardize", "*"), 0);
    ck_assert_int_ge(mlops_transform_add(t, "onehot", "*"), 0);
    mlops_model *m = NULL;
    ck_assert_int_eq(mlops_model_create(&m, "logistic_regression"), MLOPS_OK);
    ck_assert_int_eq(mlops_model_set_transform(m, t), MLOPS_OK);
    mlops_transform_free(t);
    if (max_iter != NULL) ck_assert_int_eq(mlops_model_set_param(m, "max_iter", max_iter), MLOPS_OK);
    ck_assert_int_eq(mlops_model_card_set(m, "name", HOSTILE), MLOPS_OK);
    ck_assert_int_eq(mlops_model_card_set(m, "owner", "Data <team>"), MLOPS_OK);
    ck_assert_int_eq(mlops_model_card_set(m, "intended_use", "Teaching:\nwhere a car was built"),
                     MLOPS_OK);
    ck_assert_int_eq(mlops_model_card_set(m, "caveats", "Cars of 1970-1982 only."), MLOPS_OK);
    ck_assert_int_eq(mlops_model_card_set(m, "created", ""), MLOPS_OK);
    ck_assert_int_eq(mlops_model_fit(m, d), MLOPS_OK);
    return m;
}

static mlops__jv *card_doc(const mlops_model *m)
{
    char *json = NULL;
    ck_assert_int_eq(mlops_model_card_json(m, &json), MLOPS_OK);
    return parse(json);
}

static mlops__jv *evaluated_card(mlops_dataset *d, mlops_model **out)
{
    mlops_model *m = fit_cars(d, NULL);
    mlops_evaluator *ev = NULL;
    ck_assert_int_eq(mlops_evaluator_create(&ev), MLOPS_OK);
    ck_assert_int_eq(mlops_evaluator_set_param(ev, "bootstrap", "20"), MLOPS_OK);
    ck_assert_int_eq(mlops_evaluator_set_param(ev, "seed", "1"), MLOPS_OK);
    ck_assert_int_eq(mlops_evaluator_add_gate(ev, "accuracy >= 0.5"), MLOPS_OK);
    ck_assert_int_eq(mlops_evaluator_add_gate(ev, "accuracy >= 0.99"), MLOPS_OK);
    mlops_report *r = NULL;
    ck_assert_int_eq(mlops_evaluator_run(ev, m, d, &r), MLOPS_OK);
    ck_assert_int_eq(mlops_report_attach(r, m), MLOPS_OK);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
    *out = m;
    return card_doc(m);
}

START_TEST(model_card_page_of_cars)
{
    mlops_dataset *d = read_cars();
    mlops_model *m = NULL;
    mlops__jv *doc = evaluated_card(d, &m);
    char *html = render_card(doc, NULL);

    ck_assert(!contains_nocase(html, "<script"));
    char want[1024];
    snprintf(want, sizeof want, "<title>Model card: %s</title>", HOSTILE_ESCAPED);
    ck_assert_msg(strstr(html, want) != NULL, "%s", want);
    snprintf(want, sizeof want, "<h1>Model card: %s</h1>", HOSTILE_ESCAPED);
    ck_assert_ptr_nonnull(strstr(html, want));
    ck_assert_ptr_nonnull(strstr(html, "A logistic_regression model; card written by libmlops "));
    ck_assert_ptr_nonnull(strstr(html, ">owner</th><td>Data &lt;team&gt;</td>"));
    ck_assert_ptr_nonnull(strstr(html, ">version</th><td><span class=\"note\">n/a</span></td>"));
    char hash[65];
    ck_assert_int_eq(mlops_model_payload_hash(m, hash, sizeof hash), MLOPS_OK);
    snprintf(want, sizeof want, ">payload_sha256</th><td>%s</td>", hash);
    ck_assert_msg(strstr(html, want) != NULL, "%s", want);
    ck_assert_ptr_nonnull(strstr(html, "<b>Intended use:</b> Teaching:\nwhere a car was built</p>"));
    ck_assert_ptr_nonnull(strstr(html, "<b>Out of scope:</b> <span class=\"note\">n/a</span>"));
    ck_assert_ptr_nonnull(strstr(html, "Cars of 1970-1982 only."));

    /* training data: rows, inputs and the classes counted from the data */
    ck_assert_ptr_nonnull(strstr(html, ">rows</th><td class=\"n\">406</td>"));
    ck_assert_ptr_nonnull(strstr(html, ">target</th><td>Origin</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<tr><th scope=\"row\">Horsepower</th><td>numeric</td></tr>"));
    size_t origin;
    ck_assert_int_eq(mlops_dataset_column_index(d, "Origin", &origin), MLOPS_OK);
    int32_t codes[406];
    ck_assert_int_eq(mlops_dataset_get_codes(d, origin, 0, 406, codes), MLOPS_OK);
    size_t counts[3] = {0, 0, 0};
    for (size_t i = 0; i < 406; i++) counts[codes[i]]++;
    char *fig = figure(html, "Training rows per class");
    size_t found = 0;
    for (int32_t c = 0; c < 3; c++) {
        snprintf(want, sizeof want, "%s %zu", mlops_dataset_category(d, origin, c), counts[c]);
        found += strstr(fig, want) != NULL;
    }
    ck_assert_uint_eq(found, 3);
    free(fig);

    ck_assert_ptr_nonnull(strstr(html, "3 steps, applied in order; fitted on 406 rows"));
    ck_assert_ptr_nonnull(strstr(html, "<th scope=\"row\">impute</th><td>*</td><td>strategy = median"));
    ck_assert_ptr_nonnull(strstr(html, ">max_iter</th><td>1000</td>"));
    ck_assert_ptr_nonnull(strstr(html, ">converged</th><td>yes</td>"));
    ck_assert_ptr_null(strstr(html, "DID NOT CONVERGE"));

    /* coefficients: the largest standardized one of every output, with its sign */
    size_t nf = mlops_model_feature_count(m), no = mlops_model_output_count(m);
    ck_assert_uint_eq(no, 3);
    double *coef = malloc(nf * no * sizeof *coef);
    ck_assert_ptr_nonnull(coef);
    ck_assert_int_eq(mlops_model_coefficients(m, MLOPS_COEF_STANDARDIZED, coef, nf * no, NULL, 0),
                     MLOPS_OK);
    for (size_t o = 0; o < no; o++) {
        size_t best = 0;
        for (size_t i = 1; i < nf; i++)
            if (fabs(coef[o * nf + i]) > fabs(coef[o * nf + best])) best = i;
        char label[200], value[32];
        snprintf(label, sizeof label, "Coefficients for output %s", mlops_model_class_label(m, o));
        fig = figure(html, label);
        snprintf(want, sizeof want, ">%s (%s)</text>", mlops_model_feature_name(m, best),
                 coef[o * nf + best] < 0 ? "-" : "+");
        const char *at = strstr(fig, want);
        ck_assert_msg(at != NULL, "%s", want);
        ck_assert_ptr_eq(at, strstr(fig, "</text>") - strlen(want) + strlen("</text>"));
        snprintf(want, sizeof want, ">%s</text>", mlops__html_fmt(coef[o * nf + best], 4, value));
        ck_assert_msg(strstr(at, want) != NULL, "%s", want);
        ck_assert_uint_eq(count_of(fig, "</text>"), 2 * nf);
        free(fig);
    }
    free(coef);

    /* the attached evaluation: one gate holds, one fails */
    ck_assert_ptr_nonnull(strstr(html, "<b>FAILED</b> 1 of 2 gates failed"));
    ck_assert_ptr_nonnull(strstr(html, "accuracy &gt;= 0.99</th>"));
    ck_assert_ptr_nonnull(strstr(html, "&#10007; failed</span>"));
    ck_assert_ptr_nonnull(strstr(html, "classification on 406 rows, 3 classes."));
    ck_assert_ptr_nonnull(strstr(html, "<caption>Metrics</caption>"));
    ck_assert_ptr_nonnull(strstr(html, "<caption>Confidence intervals (bootstrap)</caption>"));
    ck_assert_ptr_nonnull(strstr(html, "<th scope=\"row\">accuracy</th><td class=\"n\">"));
    ck_assert_ptr_nonnull(strstr(html, "<caption>Per class</caption>"));

    /* a caller's title wins */
    mlops_free(html);
    html = render_card(doc, "Origin model");
    ck_assert_ptr_nonnull(strstr(html, "<title>Origin model</title>"));
    mlops_free(html);
    mlops__jv_free(doc);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

START_TEST(model_card_page_not_converged)
{
    mlops_dataset *d = read_cars();
    mlops_model *m = fit_cars(d, "1");
    mlops__jv *doc = card_doc(m);
    ck_assert(!mlops__jv_true(mlops__jv_get(mlops__jv_get(doc, "training"), "converged")));
    char *html = render_card(doc, NULL);
    ck_assert_ptr_nonnull(strstr(html, "<b>DID NOT CONVERGE</b> the solver stopped after 1 "
                                       "iterations"));
    ck_assert_ptr_nonnull(strstr(html, ">converged</th><td>no</td>"));
    ck_assert_ptr_nonnull(strstr(html, "No evaluation is attached to this model"));
    mlops_free(html);
    mlops__jv_free(doc);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

/* ---- wrong documents --------------------------------------------------------- */

static int page_rc(int which, const mlops__jv *doc, const mlops__jv *validation)
{
    mlops__html h;
    mlops__html_init(&h);
    int rc = which == 0 ? mlops__page_profile(&h, doc, validation, NULL)
                        : mlops__page_model_card(&h, doc, NULL);
    ck_assert_uint_eq(h.len, 0); /* refused before writing */
    mlops__html_free(&h);
    return rc;
}

START_TEST(wrong_documents_are_refused)
{
    static const char *const texts[] = {"{\"rows\": 3}", "[1, 2]", "{\"columns\": {}}",
                                        "{\"model_details\": 1}", "null"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        mlops__jv *v = NULL;
        ck_assert_int_eq(mlops__json_parse(texts[i], strlen(texts[i]), "t", &v), MLOPS_OK);
        ck_assert_int_eq(page_rc(0, v, NULL), MLOPS_EFORMAT);
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "data quality report"));
        ck_assert_int_eq(page_rc(1, v, NULL), MLOPS_EFORMAT);
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "\"model_details\""));
        mlops__jv_free(v);
    }
    ck_assert_int_eq(page_rc(0, NULL, NULL), MLOPS_EFORMAT);
    ck_assert_int_eq(page_rc(1, NULL, NULL), MLOPS_EFORMAT);

    /* each page refuses the other's document, and a bad validation document */
    mlops_dataset *d = read_cars();
    mlops_profile *p = profile_of(d, false);
    mlops__jv *prof = profile_doc(p);
    mlops_model *m = fit_cars(d, NULL);
    mlops__jv *card = card_doc(m);
    ck_assert_int_eq(page_rc(0, card, NULL), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "no \"columns\" array"));
    ck_assert_int_eq(page_rc(1, prof, NULL), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "no \"model_details\" object"));
    ck_assert_int_eq(page_rc(0, prof, prof), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "validation document has no \"passed\""));
    mlops__jv *half = NULL;
    ck_assert_int_eq(mlops__json_parse("{\"passed\": true}", 16, "t", &half), MLOPS_OK);
    ck_assert_int_eq(page_rc(0, prof, half), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "\"violations\" array"));
    mlops__jv_free(half);
    mlops__jv_free(card);
    mlops__jv_free(prof);
    mlops_model_free(m);
    mlops_profile_free(p);
    mlops_dataset_free(d);
}
END_TEST

/* ---- out of memory ------------------------------------------------------------- */

typedef struct page_ctx {
    int which;
    const mlops__jv *doc, *validation;
} page_ctx;

static int render_op(void *arg)
{
    const page_ctx *c = arg;
    mlops__html h;
    mlops__html_init(&h);
    int rc = c->which == 0 ? mlops__page_profile(&h, c->doc, c->validation, NULL)
                           : mlops__page_model_card(&h, c->doc, NULL);
    char *out = NULL;
    if (rc == MLOPS_OK) {
        rc = mlops__html_finish(&h, &out);
    } else {
        ck_assert_int_eq(rc, h.status);
        mlops__html_free(&h);
    }
    mlops__free(out);
    return rc;
}

START_TEST(allocation_failures_are_clean)
{
    mlops_dataset *d = read_cars();
    mlops_profile *p = profile_of(d, true);
    mlops_schema *s = NULL;
    ck_assert_int_eq(mlops_schema_infer(&s, d), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "Miles_per_Gallon", "max", "40"), MLOPS_OK);
    mlops_validation *v = NULL;
    ck_assert_int_eq(mlops_schema_check(s, d, &v), MLOPS_OK);
    mlops__jv *prof = profile_doc(p), *val = validation_doc(v);
    mlops_model *m = NULL;
    mlops__jv *card = evaluated_card(d, &m);

    page_ctx c = {0, prof, val};
    ck_assert_int_gt(fault_alloc_sweep(render_op, NULL, &c), 20);
    c = (page_ctx){1, card, NULL};
    ck_assert_int_gt(fault_alloc_sweep(render_op, NULL, &c), 5);

    mlops__jv_free(card);
    mlops__jv_free(prof);
    mlops__jv_free(val);
    mlops_model_free(m);
    mlops_validation_free(v);
    mlops_schema_free(s);
    mlops_profile_free(p);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("report_pages");
    TCase *tc = tcase_create("pages");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, profile_page_of_cars);
    tcase_add_test(tc, profile_page_with_failed_rules);
    tcase_add_test(tc, profile_page_warnings_and_escaping);
    tcase_add_test(tc, profile_page_without_quality_tracking);
    tcase_add_test(tc, profile_page_caps_wide_data);
    tcase_add_test(tc, model_card_page_of_cars);
    tcase_add_test(tc, model_card_page_not_converged);
    tcase_add_test(tc, wrong_documents_are_refused);
    tcase_add_test(tc, allocation_failures_are_clean);
    suite_add_tcase(s, tc);
    return s;
}
