/* Times of audit records: UTC with microseconds, written and read in one
 * fixed ISO 8601 form, plus the more lenient forms a user may ask about
 * ("which version was production at 2026-11-26 14:00+01:00?"). The
 * calendar arithmetic is done here rather than with timegm(), which is
 * not standard C or POSIX, and never depends on the local time zone. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "pipeline/audit_log.h"

static const int64_t US_PER_DAY = 86400LL * 1000000LL;

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int64_t mlops__audit_now_us(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void mlops__audit_format_time(int64_t us, char out[MLOPS_AUDIT_TIME_SIZE])
{
    int64_t days = us / US_PER_DAY, rest = us % US_PER_DAY;
    if (rest < 0) {
        rest += US_PER_DAY;
        days--;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0) y = 0;
    if (y > 9999) y = 9999;
    /* Every field is in range here; unsigned arithmetic lets the compiler
     * see the output fits. */
    unsigned sec = (unsigned)(rest / 1000000), micro = (unsigned)(rest % 1000000);
    snprintf(out, MLOPS_AUDIT_TIME_SIZE, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u, sec / 3600 % 100u, sec / 60 % 60, sec % 60,
             micro % 1000000u);
}

/* Reads exactly `n` digits at *s, advancing. */
static bool digits(const char **s, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *s += n;
    *out = v;
    return true;
}

static bool to_us(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t sec,
                  int64_t frac_us, int64_t *us)
{
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int)mo) || h > 23 ||
        mi > 59 || sec > 59)
        return false;
    int64_t days = days_from_civil(y, (int)mo, (int)d);
    *us = days * US_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000000 + frac_us;
    return true;
}

bool mlops__audit_parse_record_time(const char *s, int64_t *us)
{
    if (s == NULL || strlen(s) != MLOPS_AUDIT_TIME_SIZE - 1) return false;
    int64_t y, mo, d, h, mi, sec, frac;
    const char *p = s;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d) || *p++ != 'T' || !digits(&p, 2, &h) || *p++ != ':' ||
        !digits(&p, 2, &mi) || *p++ != ':' || !digits(&p, 2, &sec) || *p++ != '.' ||
        !digits(&p, 6, &frac) || *p++ != 'Z')
        return false;
    return to_us(y, mo, d, h, mi, sec, frac, us);
}

int mlops__audit_parse_user_time(const char *s, const char *what, int64_t *us)
{
    int64_t y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    const char *p = s;
    bool ok = digits(&p, 4, &y) && *p++ == '-' && digits(&p, 2, &mo) && *p++ == '-' &&
              digits(&p, 2, &d);
    if (ok && (*p == 'T' || *p == 't' || *p == ' ')) {
        p++;
        ok = digits(&p, 2, &h) && *p++ == ':' && digits(&p, 2, &mi);
        if (ok && *p == ':') {
            p++;
            ok = digits(&p, 2, &sec);
            if (ok && (*p == '.' || *p == ',')) {
                p++;
                int n = 0;
                /* Beyond microseconds the fraction is cut off: a record at
                 * or before T is one at or before T rounded down. */
                while (*p >= '0' && *p <= '9') {
                    if (n < 6) frac = frac * 10 + (*p - '0');
                    n++;
                    p++;
                }
                for (int k = n; k < 6; k++) frac *= 10;
                ok = n > 0;
            }
        }
        if (ok && (*p == 'Z' || *p == 'z')) {
            p++;
        } else if (ok && (*p == '+' || *p == '-')) {
            int sign = *p++ == '-' ? -1 : 1;
            int64_t oh = 0, om = 0;
            ok = digits(&p, 2, &oh);
            if (ok && *p == ':') p++;
            if (ok && *p >= '0' && *p <= '9') ok = digits(&p, 2, &om);
            ok = ok && oh <= 23 && om <= 59;
            off = sign * (oh * 60 + om) * 60 * 1000000;
        }
    }
    if (!ok || *p != '\0' || !to_us(y, mo, d, h, mi, sec, frac, us))
        return mlops__fail(MLOPS_EINVAL, "%s '%s' is not a valid time: expected YYYY-MM-DD or "
                           "YYYY-MM-DDTHH:MM[:SS[.ffffff]] with Z, +HH:MM, -HH:MM or nothing "
                           "(UTC)", what, s);
    *us -= off;
    return MLOPS_OK;
}
