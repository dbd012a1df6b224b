/* Private: "did you mean" suggestions for unknown keys and column names. */
#ifndef MLOPS_CORE_SUGGEST_H
#define MLOPS_CORE_SUGGEST_H

#include <stddef.h>

/* Edit distance (Levenshtein) between two strings, capped at 255. */
size_t mlops__edit_distance(const char *a, const char *b);

/* The candidate closest to `given` when it is close enough to be a likely
 * typo (distance at most a third of its length, and at least 1 allowed),
 * otherwise NULL. `get(i, ctx)` returns candidate i of n. */
const char *mlops__suggest(const char *given, size_t n, const char *(*get)(size_t, const void *),
                           const void *ctx);

#endif
