/* Locale-independent double formatting (see numfmt.h). The C locale object is
 * created once; uselocale() switches only the calling thread. */
#define _GNU_SOURCE
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/numfmt.h"

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t enter_c_locale(void)
{
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale ? uselocale(c_locale) : (locale_t)0;
}

static void leave_c_locale(locale_t previous)
{
    if (previous) uselocale(previous);
}

double mlops__strtod_c(const char *s, char **end)
{
    locale_t previous = enter_c_locale();
    double v = strtod(s, end);
    leave_c_locale(previous);
    return v;
}

/* Whole numbers below 1e15 are written as "%.15g" would write them (no
 * exponent, no point) without the printf machinery: counts, bins and
 * integer-valued columns make up most numbers of a profile or report. */
static size_t format_whole(double v, char *out)
{
    char digits[24];
    size_t n = 0, len = 0;
    unsigned long long u = (unsigned long long)(v < 0 ? -v : v);
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0) out[len++] = '-';
    while (n > 0) out[len++] = digits[--n];
    out[len] = '\0';
    return len;
}

size_t mlops__format_double(double v, char out[MLOPS_DOUBLE_BUFSIZE])
{
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v && (v != 0 || !signbit(v)))
        return format_whole(v, out);
    /* literal formats: "%.*g" sends glibc down its slower positional path */
    locale_t previous = enter_c_locale();
    int n = snprintf(out, MLOPS_DOUBLE_BUFSIZE, "%.15g", v);
    if (strtod(out, NULL) != v) {
        n = snprintf(out, MLOPS_DOUBLE_BUFSIZE, "%.16g", v);
        if (strtod(out, NULL) != v) n = snprintf(out, MLOPS_DOUBLE_BUFSIZE, "%.17g", v);
    }
    leave_c_locale(previous);
    return (size_t)n;
}

size_t mlops__format_sig(double v, int digits, char out[MLOPS_DOUBLE_BUFSIZE])
{
    locale_t previous = enter_c_locale();
    int n = snprintf(out, MLOPS_DOUBLE_BUFSIZE, "%.*g", digits < 1 ? 1 : digits > 17 ? 17 : digits, v);
    leave_c_locale(previous);
    return n < 0 ? 0 : (size_t)n;
}
