/* Private: ISO-8601 dates and date-times as comparable instants, for time
 * splits on text columns. Parsing (rather than comparing the strings) keeps
 * "2020-01-01" and "2020-01-01T00:00:00" equal and orders offsets right. */
#ifndef MLOPS_DATA_SPLIT_ISO8601_H
#define MLOPS_DATA_SPLIT_ISO8601_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mlops__instant {
    int64_t seconds;     /* since 1970-01-01T00:00:00 (UTC when zoned) */
    int32_t nanoseconds; /* 0 .. 999999999 */
    bool zoned;          /* 'Z' or an offset was given */
} mlops__instant;

/* Parses s[0..len): YYYY-MM-DD, optionally followed by 'T' or ' ' and
 * hh:mm, hh:mm:ss or hh:mm:ss.f{1,9}, optionally followed by 'Z', +hh:mm,
 * +hhmm or +hh (or '-'). Proleptic Gregorian calendar, years 0000-9999.
 * Returns true on success; otherwise false with `why` set to a static
 * description of the first problem. */
bool mlops__iso8601_parse(const char *s, size_t len, mlops__instant *out, const char **why);

/* <0, 0, >0 as a is before, at, after b (zones ignored). */
int mlops__instant_compare(const mlops__instant *a, const mlops__instant *b);

#endif
