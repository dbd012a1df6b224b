/* Time-ordered train/test splits: the latest rows are the test part, and a
 * run of equal times is never cut in two (see mlops_split_by_time()). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset_impl.h"
#include "data/split_impl.h"
#include "data/split_iso8601.h"
#include "mlops/split.h"

/* One sort key for both column kinds: numeric columns fill `number`,
 * text columns `instant`; the unused part stays zero and compares equal. */
typedef struct time_key {
    double number;
    mlops__instant instant;
    size_t row;
} time_key;

static int compare_time(const time_key *a, const time_key *b)
{
    if (a->number != b->number) return a->number < b->number ? -1 : 1;
    return mlops__instant_compare(&a->instant, &b->instant);
}

static int by_time_then_row(const void *pa, const void *pb)
{
    const time_key *a = pa, *b = pb;
    int c = compare_time(a, b);
    return c ? c : (a->row > b->row) - (a->row < b->row);
}

static int find_time_column(const mlops_dataset *d, const char *name, size_t *col,
                            const char *func)
{
    if (name != NULL) return mlops_dataset_column_index(d, name, col);
    size_t found = 0;
    for (size_t j = 0; j < d->ncols; j++)
        if (d->cols[j].role == MLOPS_ROLE_TIME) {
            if (found++ == 0) *col = j;
        }
    if (found == 1) return MLOPS_OK;
    if (found == 0)
        return mlops__fail(MLOPS_EINVAL,
                           "%s: dataset '%s' has no column with role 'time'; name the time column",
                           func, d->source);
    return mlops__fail(MLOPS_EINVAL,
                       "%s: dataset '%s' has %zu columns with role 'time'; name the one to use",
                       func, d->source, found);
}

static int numeric_keys(const mlops_dataset *d, const mlops__column *c, time_key *keys,
                        const char *func)
{
    for (size_t r = 0; r < d->rows; r++) {
        if (isnan(c->values[r]))
            return mlops__fail(MLOPS_EINVAL, "%s: dataset '%s' column '%s' row %zu: time is missing",
                               func, d->source, c->name, r);
        keys[r].number = c->values[r];
        keys[r].row = r;
    }
    return MLOPS_OK;
}

/* How many bytes of `s` to quote in a message: at most 80, cut on a UTF-8
 * character boundary, so a long free-text field does not flood the log. */
static int quote_len(const char *s, size_t len)
{
    if (len <= 80) return (int)len;
    size_t keep = 77;
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80) keep--;
    return (int)keep;
}

/* Each category is parsed once, at the first row that uses it, so an error
 * names that row. */
static int text_keys(const mlops_dataset *d, const mlops__column *c, time_key *keys,
                     const char *func)
{
    size_t ncat = mlops__dict_size(c->dict);
    mlops__instant *parsed = mlops__malloc_array(ncat, sizeof *parsed, "parsed times");
    uint8_t *done = mlops__calloc(ncat ? ncat : 1, 1, "parsed time flags");
    int rc = parsed && done ? MLOPS_OK : MLOPS_ENOMEM;
    size_t zoned_row = SIZE_MAX, naive_row = SIZE_MAX;
    for (size_t r = 0; rc == MLOPS_OK && r < d->rows; r++) {
        int32_t code = c->codes[r];
        if (code < 0) {
            rc = mlops__fail(MLOPS_EINVAL, "%s: dataset '%s' column '%s' row %zu: time is missing",
                             func, d->source, c->name, r);
            break;
        }
        const char *why = NULL;
        const char *text = mlops__dict_string(c->dict, code);
        if (!done[code]) {
            size_t len = mlops__dict_string_len(c->dict, code);
            if (!mlops__iso8601_parse(text, len, &parsed[code], &why)) {
                int shown = quote_len(text, len);
                rc = mlops__fail(MLOPS_EINVAL,
                                 "%s: dataset '%s' column '%s' row %zu: '%.*s%s' is not an "
                                 "ISO-8601 date or date-time "
                                 "(YYYY-MM-DD[Thh:mm[:ss[.fff]]][Z|+hh:mm]): %s",
                                 func, d->source, c->name, r, shown, text,
                                 (size_t)shown < len ? "..." : "", why);
                break;
            }
            done[code] = 1;
        }
        if (parsed[code].zoned && zoned_row == SIZE_MAX) zoned_row = r;
        if (!parsed[code].zoned && naive_row == SIZE_MAX) naive_row = r;
        if (zoned_row != SIZE_MAX && naive_row != SIZE_MAX) {
            rc = mlops__fail(MLOPS_EINVAL,
                             "%s: dataset '%s' column '%s' mixes times with a zone (row %zu) and "
                             "without one (row %zu), which cannot be ordered",
                             func, d->source, c->name, zoned_row, naive_row);
            break;
        }
        keys[r].instant = parsed[code];
        keys[r].instant.zoned = false;
        keys[r].row = r;
    }
    mlops__free(parsed);
    mlops__free(done);
    return rc;
}

/* First test position in time order: the requested cut, moved to the edge
 * of a run of equal times that straddles it. */
static int choose_cut(const time_key *keys, size_t n, size_t n_test, size_t *cut,
                      const mlops_dataset *d, const mlops__column *c, const char *func)
{
    size_t p = n - n_test;
    if (compare_time(&keys[p - 1], &keys[p]) != 0) {
        *cut = p;
        return MLOPS_OK;
    }
    size_t a = p - 1, b = p + 1;
    while (a > 0 && compare_time(&keys[a - 1], &keys[p]) == 0) a--;
    while (b < n && compare_time(&keys[b], &keys[p]) == 0) b++;
    /* Run [a, b): to the test side the cut is a, to the training side b. */
    bool test_side = p - a <= b - p;
    if (test_side && a == 0) test_side = false;
    if (!test_side && b == n) test_side = true;
    if ((test_side && a == 0) || (!test_side && b == n))
        return mlops__fail(MLOPS_EINVAL,
                           "%s: dataset '%s' column '%s': every row has the same time, so no "
                           "split by time exists",
                           func, d->source, c->name);
    *cut = test_side ? a : b;
    return MLOPS_OK;
}

MLOPS_API int mlops_split_by_time(const mlops_dataset *d, const char *time_column,
                                  double test_fraction, mlops_dataset **train,
                                  mlops_dataset **test)
{
    static const char func[] = "mlops_split_by_time";
    size_t n_test, col;
    int rc = mlops__split_test_size(d, test_fraction, &n_test, train, test, func);
    if (rc == MLOPS_OK) rc = find_time_column(d, time_column, &col, func);
    if (rc != MLOPS_OK) return rc;
    const mlops__column *c = &d->cols[col];
    size_t n = d->rows;
    time_key *keys = mlops__calloc(n, sizeof *keys, "time keys");
    if (keys == NULL) return MLOPS_ENOMEM;
    rc = c->type == MLOPS_NUMERIC ? numeric_keys(d, c, keys, func) : text_keys(d, c, keys, func);
    size_t cut = 0;
    if (rc == MLOPS_OK) {
        qsort(keys, n, sizeof *keys, by_time_then_row);
        rc = choose_cut(keys, n, n_test, &cut, d, c, func);
    }
    uint8_t *in_test = NULL;
    if (rc == MLOPS_OK) {
        in_test = mlops__calloc(n, 1, "test row mask");
        if (in_test == NULL) rc = MLOPS_ENOMEM;
    }
    if (rc == MLOPS_OK) {
        for (size_t i = cut; i < n; i++) in_test[keys[i].row] = 1;
        rc = mlops__split_build(d, in_test, train, test);
    }
    mlops__free(in_test);
    mlops__free(keys);
    return rc;
}
