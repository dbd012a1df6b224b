/* Private: locale-independent, round-trip formatting of doubles.
 * The host program may have set a locale with ',' as decimal separator; files
 * the library writes must not change with it. */
#ifndef MLOPS_CORE_NUMFMT_H
#define MLOPS_CORE_NUMFMT_H

#include <stddef.h>

enum { MLOPS_DOUBLE_BUFSIZE = 32 };

/* Writes the shortest of %.15g/%.16g/%.17g that reads back as exactly `v`,
 * with '.' as decimal point. `v` must be finite. Returns the length. */
size_t mlops__format_double(double v, char out[MLOPS_DOUBLE_BUFSIZE]);

/* %.<digits>g in the "C" locale (1 <= digits <= 17): numbers for people
 * to read, in reports. Returns the length. */
size_t mlops__format_sig(double v, int digits, char out[MLOPS_DOUBLE_BUFSIZE]);

/* strtod in the "C" locale. */
double mlops__strtod_c(const char *s, char **end);

#endif
