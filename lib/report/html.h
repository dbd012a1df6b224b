/* Private: writing self-contained HTML report pages. A growing buffer with
 * escaping (html_buf.c), the page frame and its style sheet (html_page.c),
 * and inline SVG charts (svg_*.c). Pages carry no script and fetch nothing:
 * a Content-Security-Policy forbids both, so a report opened years later, on
 * an offline machine, shows exactly what it showed on the day it was made.
 *
 * Accessibility rules every chart follows: role="img" with an aria-label
 * saying what it shows, <title> and <desc> with the numbers in words, a
 * colour-blind-safe palette (Okabe-Ito), and never colour alone: verdicts
 * carry a word and a symbol, series differ by pattern or dash as well. */
#ifndef MLOPS_REPORT_HTML_H
#define MLOPS_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/json_parse.h"

typedef struct mlops__html {
    char *buf;
    size_t len, cap;
    int status;    /* first error, sticky */
    unsigned ids;  /* for unique element ids */
} mlops__html;

void mlops__html_init(mlops__html *h);
void mlops__html_free(mlops__html *h);
/* Hands over the NUL-terminated page (free with mlops__free), or the first error. */
int mlops__html_finish(mlops__html *h, char **out);

void mlops__html_raw(mlops__html *h, const char *s);
/* Formatted markup; arguments are not escaped. Numbers of type double must
 * go through mlops__html_num (locale-independent). */
void mlops__html_printf(mlops__html *h, const char *fmt, ...) MLOPS_PRINTF_LIKE(2, 3);
/* Text or attribute value, escaped (& < > " '); NULL writes nothing. */
void mlops__html_text(mlops__html *h, const char *s);
/* A number for people: `digits` significant digits, "n/a" when not finite. */
void mlops__html_num(mlops__html *h, double v, int digits);
/* The same into a caller's buffer (at least 32 bytes). */
const char *mlops__html_fmt(double v, int digits, char out[32]);
/* A fresh id ("c1", "c2", ...) into out (at least 16 bytes). */
const char *mlops__html_id(mlops__html *h, char out[16]);

/* Page frame: <!DOCTYPE>, head with style and policy, <main>, the <h1>. */
void mlops__html_begin_page(mlops__html *h, const char *title, const char *subtitle);
void mlops__html_end_page(mlops__html *h);
/* A verdict banner: a symbol, a word and the text; never colour alone. */
void mlops__html_verdict(mlops__html *h, int good, const char *word, const char *text);
/* <section aria-labelledby> with an <h2>; end with mlops__html_end_section. */
void mlops__html_section(mlops__html *h, const char *heading);
void mlops__html_end_section(mlops__html *h);
/* A two-column table of key/value rows from an object's scalar members. */
void mlops__html_kv_table(mlops__html *h, const char *caption, const mlops__jv *obj);
/* A scalar JSON value as text (strings escaped, numbers 4 digits, null "n/a"). */
void mlops__html_scalar(mlops__html *h, const mlops__jv *v);

/* Labels and values of a bar chart: n labels of MLOPS__BAR_LABEL bytes
 * each, empty at first (html_bars.c). */
enum { MLOPS__BAR_LABEL = 64 };
typedef struct mlops__bars {
    size_t n;
    char *text;
    const char **labels;
    double *values;
} mlops__bars;
/* false (and h->status set) when out of memory; free with mlops__bars_free
 * in every case. */
bool mlops__bars_alloc(mlops__html *h, mlops__bars *b, size_t n);
void mlops__bars_free(mlops__bars *b);
char *mlops__bar_label(mlops__bars *b, size_t i);

/* A key and the item's place, for qsort with mlops__ranked_desc: largest
 * key first, ties in the document's order. */
typedef struct mlops__ranked {
    double key;
    size_t index;
} mlops__ranked;
int mlops__ranked_desc(const void *a, const void *b);

/* --- SVG charts (svg_chart.c) --- */

/* Opens <figure><svg ...> with role, aria-label, <title> and <desc>. */
void mlops__svg_begin(mlops__html *h, int width, int height, const char *label, const char *desc);
/* Closes the svg and the figure with an optional caption. */
void mlops__svg_end(mlops__html *h, const char *caption);

/* Horizontal bars: one row per label; values in [0, max] (max <= 0: the
 * largest value). A threshold (NaN: none) draws a dashed line. `bad[i]`
 * (may be NULL) marks a bar as failing: hatched and labelled, not just red. */
void mlops__svg_hbars(mlops__html *h, const char *label, const char *desc, size_t n,
                      const char *const *labels, const double *values, const bool *bad,
                      double max, double threshold, const char *threshold_label);

/* Paired bars of two distributions over the same bins (shares of each
 * side): reference solid blue, current hatched orange. */
void mlops__svg_paired_bars(mlops__html *h, const char *label, const char *desc, size_t n,
                            const char *const *labels, const double *ref, const double *cur);

/* Up to 8 line series on x and y axes from lo to hi (both [0,1] when
 * unit); `diagonal` draws the y = x line of chance or perfect calibration. */
typedef struct mlops__svg_series {
    const char *name;
    size_t n;
    const double *x, *y;
    bool markers;
} mlops__svg_series;
void mlops__svg_lines(mlops__html *h, const char *label, const char *desc, size_t nseries,
                      const mlops__svg_series *series, const char *xname, const char *yname,
                      double xlo, double xhi, double ylo, double yhi, bool diagonal,
                      double threshold);

/* A k x k heat map of counts with the number in every cell. */
void mlops__svg_heatmap(mlops__html *h, const char *label, const char *desc, size_t k,
                        const char *const *names, const double *counts, const char *rowname,
                        const char *colname);

/* A quantile strip: min, q25, median, q75, max with a box (a box plot). */
void mlops__svg_box(mlops__html *h, const char *label, const char *desc, const double q[5]);

#endif
