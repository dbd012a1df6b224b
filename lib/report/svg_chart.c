/* Inline SVG charts for report pages: bars, paired histograms, line charts,
 * a heat map and a box plot. Coordinates are whole pixels on a fixed view
 * box, numbers are written locale-independently, and every chart opens with
 * role="img", an aria-label, <title> and <desc> (see html.h). */
#include <math.h>
#include <string.h>

#include "report/html.h"

static const char *const COLOUR[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                     "#56B4E9", "#D55E00", "#F0E442", "#000000"};
static const char *const DASH[] = {"", "6 3", "2 2", "8 3 2 3", "4 4", "1 3", "10 4", "3 6"};
#define BAD_COLOUR "#D55E00"

static int px(double v)
{
    if (!isfinite(v)) return 0;
    if (v > 1e6) return 1000000;
    if (v < -1e6) return -1000000;
    return (int)lround(v);
}

void mlops__svg_begin(mlops__html *h, int width, int height, const char *label, const char *desc)
{
    char t[16], d[16];
    mlops__html_id(h, t);
    mlops__html_id(h, d);
    mlops__html_printf(h, "<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                          "width=\"%d\" height=\"%d\" role=\"img\" aria-labelledby=\"%s %s\" aria-label=\"",
                       width, height, width, height, t, d);
    mlops__html_text(h, label);
    mlops__html_printf(h, "\"><title id=\"%s\">", t);
    mlops__html_text(h, label);
    mlops__html_printf(h, "</title><desc id=\"%s\">", d);
    mlops__html_text(h, desc != NULL ? desc : label);
    mlops__html_raw(h, "</desc>\n");
}

void mlops__svg_end(mlops__html *h, const char *caption)
{
    mlops__html_raw(h, "</svg>\n");
    if (caption != NULL && caption[0]) {
        mlops__html_raw(h, "<figcaption>");
        mlops__html_text(h, caption);
        mlops__html_raw(h, "</figcaption>\n");
    }
    mlops__html_raw(h, "</figure>\n");
}

/* A diagonal hatch pattern; returns its id in out. */
static const char *hatch(mlops__html *h, const char *colour, char out[16])
{
    mlops__html_id(h, out);
    mlops__html_printf(h, "<defs><pattern id=\"%s\" patternUnits=\"userSpaceOnUse\" width=\"6\" "
                          "height=\"6\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" "
                          "fill=\"#fff\"/><rect width=\"3\" height=\"6\" fill=\"%s\"/></pattern></defs>\n",
                       out, colour);
    return out;
}

/* Text cut to `max` bytes at a UTF-8 boundary, with an ellipsis. */
static void short_text(mlops__html *h, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) {
        mlops__html_text(h, s);
        return;
    }
    char buf[64];
    if (max > sizeof buf - 4) max = sizeof buf - 4;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    memcpy(buf, s, k);
    memcpy(buf + k, "\xE2\x80\xA6", 4);
    mlops__html_text(h, buf);
}

void mlops__svg_hbars(mlops__html *h, const char *label, const char *desc, size_t n,
                      const char *const *labels, const double *values, const bool *bad,
                      double max, double threshold, const char *threshold_label)
{
    const int W = 640, L = 180, R = 90, ROW = 22, TOP = 8;
    if (max <= 0) {
        for (size_t i = 0; i < n; i++)
            if (isfinite(values[i]) && fabs(values[i]) > max) max = fabs(values[i]);
        if (isfinite(threshold) && fabs(threshold) > max) max = fabs(threshold);
        if (max <= 0) max = 1;
    }
    int height = TOP + (int)n * ROW + 24;
    mlops__svg_begin(h, W, height, label, desc);
    char pat[16];
    hatch(h, BAD_COLOUR, pat);
    double scale = (W - L - R) / max;
    for (size_t i = 0; i < n; i++) {
        int y = TOP + (int)i * ROW;
        mlops__html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", L - 6, y + 15);
        short_text(h, labels[i], 26);
        mlops__html_raw(h, "</text>");
        bool b = bad != NULL && bad[i];
        if (isfinite(values[i])) {
            double v = fabs(values[i]) > max ? max : fabs(values[i]);
            mlops__html_printf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s%s%s\" "
                                  "stroke=\"%s\"/>",
                               L, y + 3, px(v * scale), ROW - 6, b ? "url(#" : "",
                               b ? pat : COLOUR[values[i] < 0 ? 4 : 0], b ? ")" : "",
                               b ? BAD_COLOUR : "none");
            mlops__html_printf(h, "<text x=\"%d\" y=\"%d\">", L + px(v * scale) + 4, y + 15);
            mlops__html_num(h, values[i], 4);
            mlops__html_raw(h, b ? " \xE2\x9C\x97</text>\n" : "</text>\n");
        } else {
            mlops__html_printf(h, "<text x=\"%d\" y=\"%d\">n/a</text>\n", L + 4, y + 15);
        }
    }
    int axis = TOP + (int)n * ROW;
    mlops__html_printf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", L, TOP, L,
                       axis);
    if (isfinite(threshold)) {
        int x = L + px(fabs(threshold) > max ? W - L - R : fabs(threshold) * scale);
        mlops__html_printf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\" "
                              "stroke-dasharray=\"5 3\" stroke-width=\"1.5\"/><text x=\"%d\" y=\"%d\" "
                              "text-anchor=\"middle\">",
                           x, TOP - 2, x, axis + 4, x, axis + 18);
        mlops__html_text(h, threshold_label != NULL ? threshold_label : "threshold");
        mlops__html_raw(h, " ");
        mlops__html_num(h, threshold, 4);
        mlops__html_raw(h, "</text>\n");
    }
    mlops__svg_end(h, NULL);
}

void mlops__svg_paired_bars(mlops__html *h, const char *label, const char *desc, size_t n,
                            const char *const *labels, const double *ref, const double *cur)
{
    const int W = 560, L = 44, B = 58, T = 26, H = 230;
    double max = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(ref[i]) && ref[i] > max) max = ref[i];
        if (isfinite(cur[i]) && cur[i] > max) max = cur[i];
    }
    if (max <= 0) max = 1;
    mlops__svg_begin(h, W, H, label, desc);
    char pat[16];
    hatch(h, COLOUR[1], pat);
    int plot_h = H - T - B, plot_w = W - L - 8;
    double slot = n ? (double)plot_w / (double)n : plot_w;
    /* legend */
    mlops__html_printf(h, "<rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" "
                          "y=\"16\">reference</text><rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" "
                          "fill=\"url(#%s)\" stroke=\"%s\"/><text x=\"%d\" y=\"16\">current</text>\n",
                       L, COLOUR[0], L + 16, L + 100, pat, COLOUR[1], L + 116);
    for (int t = 0; t <= 2; t++) {
        int y = T + plot_h - t * plot_h / 2;
        mlops__html_printf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
                           L, y, W - 8, y, L - 4, y + 4);
        mlops__html_num(h, max * t / 2 * 100, 3);
        mlops__html_raw(h, "%</text>\n");
    }
    double bw = slot * 0.4;
    for (size_t i = 0; i < n; i++) {
        double x0 = L + slot * (double)i + slot * 0.1;
        double hr = isfinite(ref[i]) ? ref[i] / max * plot_h : 0, hc = isfinite(cur[i]) ? cur[i] / max * plot_h : 0;
        mlops__html_printf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>",
                           px(x0), px(T + plot_h - hr), px(bw) > 0 ? px(bw) : 1, px(hr), COLOUR[0]);
        mlops__html_printf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"url(#%s)\" "
                              "stroke=\"%s\"/>\n",
                           px(x0 + bw), px(T + plot_h - hc), px(bw) > 0 ? px(bw) : 1, px(hc), pat,
                           COLOUR[1]);
        if (n <= 24) {
            int cx = px(x0 + bw), cy = T + plot_h + 12;
            mlops__html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" transform=\"rotate(-35 %d %d)\">",
                               cx, cy, cx, cy);
            short_text(h, labels[i], 14);
            mlops__html_raw(h, "</text>\n");
        }
    }
    mlops__html_printf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", L,
                       T + plot_h, W - 8, T + plot_h);
    mlops__svg_end(h, NULL);
}

static void axis_ticks(mlops__html *h, int L, int T, int PW, int PH, double xlo, double xhi,
                       double ylo, double yhi)
{
    for (int t = 0; t <= 4; t++) {
        int x = L + t * PW / 4, y = T + PH - t * PH / 4;
        mlops__html_printf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e4e4e4\"/>"
                              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e4e4e4\"/>",
                           x, T, x, T + PH, L, y, L + PW, y);
        mlops__html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x, T + PH + 15);
        mlops__html_num(h, xlo + (xhi - xlo) * t / 4, 3);
        mlops__html_printf(h, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", L - 5, y + 4);
        mlops__html_num(h, ylo + (yhi - ylo) * t / 4, 3);
        mlops__html_raw(h, "</text>\n");
    }
    mlops__html_printf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n",
                       L, T, PW, PH);
}

void mlops__svg_lines(mlops__html *h, const char *label, const char *desc, size_t nseries,
                      const mlops__svg_series *series, const char *xname, const char *yname,
                      double xlo, double xhi, double ylo, double yhi, bool diagonal,
                      double threshold)
{
    const int L = 52, T = 12, PW = 340, PH = 300, LEG = 170;
    const int W = L + PW + 20 + LEG, H = T + PH + 44;
    if (!(xhi > xlo)) xhi = xlo + 1;
    if (!(yhi > ylo)) yhi = ylo + 1;
    mlops__svg_begin(h, W, H, label, desc);
    axis_ticks(h, L, T, PW, PH, xlo, xhi, ylo, yhi);
    mlops__html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", L + PW / 2, H - 6);
    mlops__html_text(h, xname);
    mlops__html_printf(h, "</text><text x=\"12\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 12 %d)\">",
                       T + PH / 2, T + PH / 2);
    mlops__html_text(h, yname);
    mlops__html_raw(h, "</text>\n");
#define SX(v) (L + px(((v) - xlo) / (xhi - xlo) * PW))
#define SY(v) (T + PH - px(((v) - ylo) / (yhi - ylo) * PH))
    if (diagonal)
        mlops__html_printf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\" "
                              "stroke-dasharray=\"3 3\"/>\n",
                           SX(xlo), SY(ylo), SX(xhi), SY(yhi));
    if (isfinite(threshold) && threshold >= ylo && threshold <= yhi)
        mlops__html_printf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\" "
                              "stroke-dasharray=\"5 3\" stroke-width=\"1.5\"/><text x=\"%d\" y=\"%d\" "
                              "text-anchor=\"end\">threshold</text>\n",
                           L, SY(threshold), L + PW, SY(threshold), L + PW - 4, SY(threshold) - 4);
    for (size_t s = 0; s < nseries && s < 8; s++) {
        const mlops__svg_series *se = &series[s];
        mlops__html_printf(h, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s%s%s points=\"",
                           COLOUR[s], DASH[s][0] ? " stroke-dasharray=\"" : "", DASH[s],
                           DASH[s][0] ? "\"" : "");
        for (size_t i = 0; i < se->n; i++) {
            if (!isfinite(se->x[i]) || !isfinite(se->y[i])) continue;
            mlops__html_printf(h, "%s%d,%d", i ? " " : "", SX(se->x[i]), SY(se->y[i]));
        }
        mlops__html_raw(h, "\"/>\n");
        if (se->markers)
            for (size_t i = 0; i < se->n; i++)
                if (isfinite(se->x[i]) && isfinite(se->y[i]))
                    mlops__html_printf(h, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>",
                                       SX(se->x[i]), SY(se->y[i]), COLOUR[s]);
        int ly = T + 10 + (int)s * 20, lx = L + PW + 20;
        mlops__html_printf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                              "stroke-width=\"2\"%s%s%s/><text x=\"%d\" y=\"%d\">",
                           lx, ly, lx + 28, ly, COLOUR[s], DASH[s][0] ? " stroke-dasharray=\"" : "",
                           DASH[s], DASH[s][0] ? "\"" : "", lx + 34, ly + 4);
        short_text(h, se->name, 24);
        mlops__html_raw(h, "</text>\n");
    }
#undef SX
#undef SY
    mlops__svg_end(h, NULL);
}

void mlops__svg_heatmap(mlops__html *h, const char *label, const char *desc, size_t k,
                        const char *const *names, const double *counts, const char *rowname,
                        const char *colname)
{
    const int C = k <= 6 ? 64 : k <= 12 ? 40 : 24, L = 130, T = 40;
    int W = L + (int)k * C + 20, H = T + (int)k * C + 30;
    mlops__svg_begin(h, W, H, label, desc);
    mlops__html_printf(h, "<text x=\"%d\" y=\"14\" text-anchor=\"middle\">", L + (int)k * C / 2);
    mlops__html_text(h, colname);
    mlops__html_printf(h, "</text><text x=\"12\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 12 %d)\">",
                       T + (int)k * C / 2, T + (int)k * C / 2);
    mlops__html_text(h, rowname);
    mlops__html_raw(h, "</text>\n");
    for (size_t i = 0; i < k; i++) {
        mlops__html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", L + (int)i * C + C / 2, T - 6);
        short_text(h, names[i], C / 7);
        mlops__html_printf(h, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", L - 6,
                           T + (int)i * C + C / 2 + 4);
        short_text(h, names[i], 16);
        mlops__html_raw(h, "</text>\n");
    }
    for (size_t r = 0; r < k; r++) {
        double total = 0;
        for (size_t c = 0; c < k; c++) total += counts[r * k + c];
        for (size_t c = 0; c < k; c++) {
            double v = counts[r * k + c], share = total > 0 ? v / total : 0;
            /* Lightness from white to #0072B2 by the row share; the number is
             * always printed, so colour is never the only signal. */
            int red = px(255 - share * (255 - 0x00)), green = px(255 - share * (255 - 0x72)),
                blue = px(255 - share * (255 - 0xB2));
            int x = L + (int)c * C, y = T + (int)r * C;
            mlops__html_printf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                                  "fill=\"#%02x%02x%02x\" stroke=\"%s\" stroke-width=\"%d\"/>",
                               x, y, C, C, red, green, blue, r == c ? "#000" : "#bbb", r == c ? 2 : 1);
            mlops__html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" style=\"fill:%s\">",
                               x + C / 2, y + C / 2 + 4, share > 0.55 ? "#fff" : "#1b1b1b");
            mlops__html_num(h, v, 6);
            mlops__html_raw(h, "</text>\n");
        }
    }
    mlops__svg_end(h, NULL);
}

void mlops__svg_box(mlops__html *h, const char *label, const char *desc, const double q[5])
{
    const int W = 360, L = 10, R = 10, H = 56;
    double lo = q[0], hi = q[4];
    mlops__svg_begin(h, W, H, label, desc);
    if (!isfinite(lo) || !isfinite(hi)) {
        mlops__html_raw(h, "<text x=\"10\" y=\"30\">no values</text>\n");
        mlops__svg_end(h, NULL);
        return;
    }
    double span = hi > lo ? hi - lo : 1;
#define BX(v) (L + px(((v) - lo) / span * (W - L - R)))
    mlops__html_printf(h, "<line x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"20\" stroke=\"#555\"/>"
                          "<rect x=\"%d\" y=\"10\" width=\"%d\" height=\"20\" fill=\"#cfe3f1\" stroke=\"%s\"/>"
                          "<line x1=\"%d\" y1=\"8\" x2=\"%d\" y2=\"32\" stroke=\"#000\" stroke-width=\"2\"/>\n",
                       BX(q[0]), BX(q[4]), BX(q[1]), BX(q[3]) - BX(q[1]) > 0 ? BX(q[3]) - BX(q[1]) : 1,
                       COLOUR[0], BX(q[2]), BX(q[2]));
    mlops__html_printf(h, "<text x=\"%d\" y=\"48\">", L);
    mlops__html_num(h, q[0], 4);
    mlops__html_printf(h, "</text><text x=\"%d\" y=\"48\" text-anchor=\"middle\">", BX(q[2]));
    mlops__html_num(h, q[2], 4);
    mlops__html_printf(h, "</text><text x=\"%d\" y=\"48\" text-anchor=\"end\">", W - R);
    mlops__html_num(h, q[4], 4);
    mlops__html_raw(h, "</text>\n");
#undef BX
    mlops__svg_end(h, NULL);
}
