/* Nearest-name suggestions (see suggest.h): an unknown setting or column
 * name should come back with the name the user probably meant. */
#include <string.h>

#include "core/suggest.h"

size_t mlops__edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 255 || lb > 255) return 255;
    unsigned char row[256];
    for (size_t j = 0; j <= lb; j++) row[j] = (unsigned char)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned char diag = row[0];
        row[0] = (unsigned char)(i > 255 ? 255 : i);
        for (size_t j = 1; j <= lb; j++) {
            unsigned char up = row[j];
            unsigned best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1u < best) best = up + 1u;
            if (row[j - 1] + 1u < best) best = row[j - 1] + 1u;
            row[j] = (unsigned char)(best > 255 ? 255 : best);
            diag = up;
        }
    }
    return row[lb];
}

const char *mlops__suggest(const char *given, size_t n, const char *(*get)(size_t, const void *),
                           const void *ctx)
{
    size_t len = strlen(given), limit = len / 3 > 0 ? len / 3 : 1;
    const char *best = NULL;
    size_t best_distance = limit + 1;
    for (size_t i = 0; i < n; i++) {
        const char *candidate = get(i, ctx);
        size_t d = mlops__edit_distance(given, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}
