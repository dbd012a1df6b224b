/* Private: the CSV reader's decimal-to-double conversion.
 * Fields point into the reader's buffer and are not NUL-terminated, and tens
 * of millions of them go through here per file, so this is a length-bounded,
 * locale-independent parser with fast paths for the common shapes; whatever
 * they cannot decide exactly goes to strtod, so results never differ from it. */
#ifndef MLOPS_DATA_PARSE_NUMBER_H
#define MLOPS_DATA_PARSE_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

/* Parses s[0..n) as a decimal number; never reads s[n] or beyond.
 *
 * Returns true and stores the correctly rounded double, bit for bit what
 * glibc's strtod gives in the "C" locale under the default rounding mode,
 * when the whole field is a number; returns false and leaves *out untouched
 * otherwise.
 *
 * Accepted: an optional '+' or '-', then digits with an optional '.' and
 * fraction (".5" and "5." included) and an optional exponent: 'e' or 'E',
 * an optional sign and at least one digit. Also "inf", "infinity" and "nan"
 * in any case with an optional sign, giving +-INFINITY and NaN (sign bit set
 * for "-nan", as strtod does). Out-of-range values give +-INFINITY or a
 * (signed) zero or subnormal, as strtod does. errno is left alone except
 * when a rare field is handed to strtod itself, which may set ERANGE.
 *
 * Rejected: the empty field, whitespace anywhere (the caller trims), hex
 * floats, "nan(...)", a lone sign or '.', a missing exponent ("1e") or
 * significand ("e5"), a second '.', thousands separators, embedded NUL. */
bool mlops__parse_double(const char *s, size_t n, double *out);

#endif
