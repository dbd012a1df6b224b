/* The frame every report page shares: document head with its style sheet
 * and a policy that forbids scripts and network fetches, headings, verdict
 * banners and key/value tables (see html.h for the accessibility rules). */
#include <string.h>

#include "mlops/version.h"
#include "report/html.h"

/* Okabe-Ito colours; text contrast at least 4.5:1 on white. */
static const char STYLE[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "color:#1b1b1b;background:#fff;margin:0}"
    "main{max-width:1180px;margin:0 auto;padding:16px 24px 40px}"
    "h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.4em 0 .4em;"
    "border-bottom:2px solid #ddd;padding-bottom:.2em}h3{font-size:1.05em;margin:1em 0 .3em}"
    ".sub{color:#444;margin:0 0 .8em}"
    ".verdict{display:flex;gap:.6em;align-items:center;padding:.6em .9em;border-radius:6px;"
    "font-size:1.15em;margin:.6em 0;border:2px solid}"
    ".verdict .sym{font-size:1.5em;font-weight:700}"
    ".verdict.good{background:#e6f4ee;border-color:#009E73}"
    ".verdict.bad{background:#fbe9e1;border-color:#D55E00}"
    ".verdict.warn{background:#fdf3dc;border-color:#E69F00}"
    ".verdict b{letter-spacing:.04em}"
    "table{border-collapse:collapse;margin:.4em 0 1em;font-variant-numeric:tabular-nums}"
    "caption{text-align:left;font-weight:600;padding:.2em 0}"
    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}td.n{text-align:right}"
    "tr.bad td{background:#fbe9e1}tr.warn td{background:#fdf3dc}"
    ".tag{display:inline-block;padding:0 .4em;border-radius:3px;font-weight:600}"
    ".tag.good{color:#005a40;background:#e6f4ee}.tag.bad{color:#8a3000;background:#fbe9e1}"
    ".tag.warn{color:#6b4a00;background:#fdf3dc}"
    "figure{margin:.5em 0 1.2em}figcaption{color:#444;font-size:.9em}"
    "svg{max-width:100%;height:auto}svg text{font:12px system-ui,'DejaVu Sans',sans-serif;fill:#1b1b1b}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:0 24px}"
    ".note{color:#444}footer{color:#555;font-size:.85em;margin-top:2em;border-top:1px solid #ddd;"
    "padding-top:.5em}"
    "nav a{margin-right:1em}";

void mlops__html_begin_page(mlops__html *h, const char *title, const char *subtitle)
{
    mlops__html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                       "style-src 'unsafe-inline'; img-src data:\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<meta name=\"generator\" content=\"libmlops ");
    mlops__html_text(h, mlops_version_string());
    mlops__html_raw(h, "\">\n<title>");
    mlops__html_text(h, title);
    mlops__html_raw(h, "</title>\n<style>");
    mlops__html_raw(h, STYLE);
    mlops__html_raw(h, "</style>\n</head>\n<body>\n<main>\n<h1>");
    mlops__html_text(h, title);
    mlops__html_raw(h, "</h1>\n");
    if (subtitle != NULL && subtitle[0]) {
        mlops__html_raw(h, "<p class=\"sub\">");
        mlops__html_text(h, subtitle);
        mlops__html_raw(h, "</p>\n");
    }
}

void mlops__html_end_page(mlops__html *h)
{
    mlops__html_raw(h, "<footer>Written by libmlops ");
    mlops__html_text(h, mlops_version_string());
    mlops__html_raw(h, ". Self-contained: no scripts, nothing fetched.</footer>\n</main>\n"
                       "</body>\n</html>\n");
}

void mlops__html_verdict(mlops__html *h, int good, const char *word, const char *text)
{
    const char *cls = good > 0 ? "good" : good == 0 ? "bad" : "warn";
    const char *sym = good > 0 ? "&#10003;" : good == 0 ? "&#10007;" : "!";
    mlops__html_printf(h, "<div class=\"verdict %s\" role=\"status\"><span class=\"sym\" "
                          "aria-hidden=\"true\">%s</span><span><b>",
                       cls, sym);
    mlops__html_text(h, word);
    mlops__html_raw(h, "</b> ");
    mlops__html_text(h, text);
    mlops__html_raw(h, "</span></div>\n");
}

void mlops__html_section(mlops__html *h, const char *heading)
{
    char id[16];
    mlops__html_id(h, id);
    mlops__html_printf(h, "<section aria-labelledby=\"%s\">\n<h2 id=\"%s\">", id, id);
    mlops__html_text(h, heading);
    mlops__html_raw(h, "</h2>\n");
}

void mlops__html_end_section(mlops__html *h)
{
    mlops__html_raw(h, "</section>\n");
}

void mlops__html_scalar(mlops__html *h, const mlops__jv *v)
{
    if (v == NULL || v->type == MLOPS__JV_NULL) {
        mlops__html_raw(h, "<span class=\"note\">n/a</span>");
    } else if (v->type == MLOPS__JV_STRING) {
        mlops__html_text(h, v->string);
    } else if (v->type == MLOPS__JV_NUMBER) {
        mlops__html_num(h, v->number, 6);
    } else if (v->type == MLOPS__JV_BOOL) {
        mlops__html_raw(h, v->boolean ? "yes" : "no");
    } else {
        mlops__html_printf(h, "%zu items", v->n);
    }
}

void mlops__html_kv_table(mlops__html *h, const char *caption, const mlops__jv *obj)
{
    if (obj == NULL || obj->type != MLOPS__JV_OBJECT) return;
    mlops__html_raw(h, "<table>\n");
    if (caption != NULL) {
        mlops__html_raw(h, "<caption>");
        mlops__html_text(h, caption);
        mlops__html_raw(h, "</caption>\n");
    }
    for (size_t i = 0; i < obj->n; i++) {
        const mlops__jv *v = &obj->items[i];
        if (v->type == MLOPS__JV_ARRAY || v->type == MLOPS__JV_OBJECT) continue;
        mlops__html_raw(h, "<tr><th scope=\"row\">");
        mlops__html_text(h, obj->keys[i]);
        mlops__html_raw(h, v->type == MLOPS__JV_NUMBER ? "</th><td class=\"n\">" : "</th><td>");
        mlops__html_scalar(h, v);
        mlops__html_raw(h, "</td></tr>\n");
    }
    mlops__html_raw(h, "</table>\n");
}
