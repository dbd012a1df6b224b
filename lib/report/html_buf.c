/* The growing buffer of an HTML page, with escaping and locale-independent
 * numbers (see html.h). Errors are sticky, so rendering code stays linear. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/numfmt.h"
#include "core/utf8.h"
#include "report/html.h"

void mlops__html_init(mlops__html *h)
{
    memset(h, 0, sizeof *h);
}

void mlops__html_free(mlops__html *h)
{
    mlops__free(h->buf);
    memset(h, 0, sizeof *h);
}

int mlops__html_finish(mlops__html *h, char **out)
{
    *out = NULL;
    if (h->status == MLOPS_OK && h->buf == NULL) mlops__html_raw(h, "");
    if (h->status != MLOPS_OK) {
        int rc = h->status;
        mlops__html_free(h);
        return rc;
    }
    *out = h->buf;
    h->buf = NULL;
    return MLOPS_OK;
}

static bool reserve(mlops__html *h, size_t more)
{
    if (h->status != MLOPS_OK) return false;
    if (more > SIZE_MAX - h->len - 1) {
        h->status = mlops__fail(MLOPS_ENOMEM, "HTML report: page too large");
        return false;
    }
    size_t need = h->len + more + 1;
    if (need <= h->cap) return true;
    size_t cap = h->cap ? h->cap : 4096;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *b = mlops__realloc(h->buf, cap, "HTML report");
    if (b == NULL) {
        h->status = MLOPS_ENOMEM;
        return false;
    }
    h->buf = b;
    h->cap = cap;
    return true;
}

static void append(mlops__html *h, const char *s, size_t n)
{
    if (!reserve(h, n)) return;
    memcpy(h->buf + h->len, s, n);
    h->len += n;
    h->buf[h->len] = '\0';
}

void mlops__html_raw(mlops__html *h, const char *s)
{
    append(h, s, strlen(s));
}

void mlops__html_printf(mlops__html *h, const char *fmt, ...)
{
    if (h->status != MLOPS_OK) return;
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        h->status = mlops__fail(MLOPS_EINVAL, "HTML report: formatting failed");
        return;
    }
    if ((size_t)n < sizeof small) {
        append(h, small, (size_t)n);
        return;
    }
    if (!reserve(h, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(h->buf + h->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    h->len += (size_t)n;
}

static void escape(mlops__html *h, const char *s, size_t n)
{
    const char *run = s;
    for (const char *p = s; p < s + n; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        append(h, run, (size_t)(p - run));
        mlops__html_raw(h, rep);
        run = p + 1;
    }
    append(h, run, (size_t)(s + n - run));
}

void mlops__html_text(mlops__html *h, const char *s)
{
    if (s == NULL) return;
    /* A label cut to a fixed buffer (snprintf of a long column name) can
     * end inside a UTF-8 sequence; bytes that form no character are left
     * out, so the page stays valid UTF-8. */
    size_t n = strlen(s);
    while (n > 0) {
        size_t ok = mlops__utf8_valid_prefix(s, n);
        escape(h, s, ok);
        if (ok == n) break;
        s += ok + 1;
        n -= ok + 1;
    }
}

const char *mlops__html_fmt(double v, int digits, char out[32])
{
    if (!isfinite(v)) {
        strcpy(out, isnan(v) ? "n/a" : v > 0 ? "+inf" : "-inf");
        return out;
    }
    if (v == 0) v = 0; /* no "-0" */
    mlops__format_sig(v, digits, out);
    return out;
}

void mlops__html_num(mlops__html *h, double v, int digits)
{
    char b[32];
    mlops__html_raw(h, mlops__html_fmt(v, digits, b));
}

const char *mlops__html_id(mlops__html *h, char out[16])
{
    snprintf(out, 16, "c%u", ++h->ids);
    return out;
}
