/* Private: UTF-8 validation, for every text that enters a dataset or leaves
 * the library as JSON. */
#ifndef MLOPS_CORE_UTF8_H
#define MLOPS_CORE_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 prefix of s[0..n): equals n when all is valid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
size_t mlops__utf8_valid_prefix(const char *s, size_t n);

#endif
