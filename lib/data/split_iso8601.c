/* A strict ISO-8601 date/date-time parser (see split_iso8601.h). Integer
 * arithmetic only, so an instant is the same on every platform. */
#include "data/split_iso8601.h"

static bool digits(const char *s, size_t len, size_t at, size_t n, int *value)
{
    if (at + n > len) return false;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[at + i];
        if (ch < '0' || ch > '9') return false;
        v = v * 10 + (ch - '0');
    }
    *value = v;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool fail(const char **why, const char *text)
{
    *why = text;
    return false;
}

/* The zone suffix at s[at..len): Z, +hh:mm, +hhmm or +hh. */
static bool parse_zone(const char *s, size_t len, size_t at, int64_t *offset, const char **why)
{
    if (s[at] == 'Z' || s[at] == 'z') {
        if (at + 1 != len) return fail(why, "unexpected text after 'Z'");
        *offset = 0;
        return true;
    }
    if (s[at] != '+' && s[at] != '-') return fail(why, "unexpected text after the time");
    int sign = s[at] == '-' ? -1 : 1, oh, om = 0;
    at++;
    if (!digits(s, len, at, 2, &oh)) return fail(why, "the UTC offset needs two hour digits");
    at += 2;
    bool colon = at < len && s[at] == ':';
    at += colon;
    if (colon || at < len) {
        if (!digits(s, len, at, 2, &om) || at + 2 != len)
            return fail(why, "the UTC offset must be +hh:mm, +hhmm or +hh");
    }
    if (oh > 23 || om > 59) return fail(why, "the UTC offset is out of range");
    *offset = sign * (int64_t)(oh * 3600 + om * 60);
    return true;
}

bool mlops__iso8601_parse(const char *s, size_t len, mlops__instant *out, const char **why)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    int32_t nano = 0;
    if (!digits(s, len, 0, 4, &y) || len < 10 || s[4] != '-' || !digits(s, len, 5, 2, &mo) ||
        s[7] != '-' || !digits(s, len, 8, 2, &d))
        return fail(why, "it does not start with a date YYYY-MM-DD");
    if (mo < 1 || mo > 12) return fail(why, "the month is not 01-12");
    if (d < 1 || d > days_in_month(y, mo)) return fail(why, "the day does not exist in that month");
    size_t at = 10;
    int64_t offset = 0;
    bool zoned = false;
    if (at < len) {
        if (s[at] != 'T' && s[at] != 't' && s[at] != ' ')
            return fail(why, "the date must be followed by 'T' or a space and a time");
        at++;
        if (!digits(s, len, at, 2, &h) || at + 2 >= len || s[at + 2] != ':' ||
            !digits(s, len, at + 3, 2, &mi))
            return fail(why, "the time must be hh:mm, hh:mm:ss or hh:mm:ss.fff");
        at += 5;
        if (at < len && s[at] == ':') {
            if (!digits(s, len, at + 1, 2, &sec))
                return fail(why, "the seconds need two digits");
            at += 3;
            if (at < len && (s[at] == '.' || s[at] == ',')) {
                at++;
                size_t n = 0;
                int32_t scale = 100000000;
                while (at < len && s[at] >= '0' && s[at] <= '9') {
                    if (++n > 9) return fail(why, "more than 9 fractional digits");
                    nano += (int32_t)(s[at] - '0') * scale;
                    scale /= 10;
                    at++;
                }
                if (n == 0) return fail(why, "no digits after the decimal point");
            }
        }
        if (h > 23 || mi > 59 || sec > 59)
            return fail(why, "the time of day is out of range (00:00:00-23:59:59)");
        if (at < len) {
            if (!parse_zone(s, len, at, &offset, why)) return false;
            zoned = true;
        }
    }
    out->seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    out->nanoseconds = nano;
    out->zoned = zoned;
    return true;
}

int mlops__instant_compare(const mlops__instant *a, const mlops__instant *b)
{
    if (a->seconds != b->seconds) return a->seconds < b->seconds ? -1 : 1;
    return (a->nanoseconds > b->nanoseconds) - (a->nanoseconds < b->nanoseconds);
}
