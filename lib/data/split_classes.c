/* The classes of a stratify column. Classes are numbered by first
 * appearance in row order (as scikit-learn's StratifiedKFold numbers them),
 * which makes unshuffled stratified folds equal scikit-learn's and keeps
 * every split a function of the data alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "data/dataset_impl.h"
#include "data/split_impl.h"

void mlops__split_classes_clear(mlops__split_classes *c)
{
    mlops__free(c->of_row);
    mlops__free(c->count);
    mlops__free(c->first_row);
    memset(c, 0, sizeof *c);
}

static int missing_error(const mlops_dataset *d, const mlops__column *col, size_t row,
                         const char *func)
{
    return mlops__fail(MLOPS_EINVAL,
                       "%s: dataset '%s' column '%s' row %zu: value is missing; every row "
                       "needs a class to stratify by",
                       func, d->source, col->name, row);
}

/* Appends a class first seen at `row`, growing the per-class arrays by
 * doubling. */
static int add_class(mlops__split_classes *c, size_t *cap, size_t row)
{
    if (c->n == *cap) {
        size_t n = *cap ? *cap * 2 : 16;
        size_t *count = mlops__realloc_array(c->count, n, sizeof *count, "class counts");
        if (count == NULL) return MLOPS_ENOMEM;
        c->count = count;
        size_t *first = mlops__realloc_array(c->first_row, n, sizeof *first, "class rows");
        if (first == NULL) return MLOPS_ENOMEM;
        c->first_row = first;
        *cap = n;
    }
    c->count[c->n] = 0;
    c->first_row[c->n] = row;
    c->n++;
    return MLOPS_OK;
}

static int label_categorical(mlops__split_classes *c, const mlops_dataset *d,
                             const mlops__column *col, const char *func)
{
    size_t ncat = mlops__dict_size(col->dict);
    size_t *class_of_code = mlops__malloc_array(ncat, sizeof *class_of_code, "class map");
    if (class_of_code == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < ncat; i++) class_of_code[i] = SIZE_MAX;
    size_t cap = 0;
    int rc = MLOPS_OK;
    for (size_t r = 0; rc == MLOPS_OK && r < d->rows; r++) {
        int32_t code = col->codes[r];
        if (code < 0) {
            rc = missing_error(d, col, r, func);
            break;
        }
        if (class_of_code[code] == SIZE_MAX) {
            rc = add_class(c, &cap, r);
            if (rc != MLOPS_OK) break;
            class_of_code[code] = c->n - 1;
        }
        c->of_row[r] = class_of_code[code];
        c->count[c->of_row[r]]++;
    }
    mlops__free(class_of_code);
    return rc;
}

typedef struct value_row {
    double value;
    size_t row;
} value_row;

static int by_value_then_row(const void *pa, const void *pb)
{
    const value_row *a = pa, *b = pb;
    if (a->value != b->value) return a->value < b->value ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* Numeric classes: sorting (value, row) pairs puts equal values in runs
 * that start with their first row; each row learns that first row, and a
 * pass in row order numbers a class whenever a row is its own first row. */
static int label_numeric(mlops__split_classes *c, const mlops_dataset *d, const mlops__column *col,
                         const char *func)
{
    for (size_t r = 0; r < d->rows; r++) {
        double v = col->values[r];
        if (isnan(v)) return missing_error(d, col, r, func);
        if (!isfinite(v) || v != floor(v)) {
            char text[MLOPS_DOUBLE_BUFSIZE];
            if (isfinite(v))
                mlops__format_double(v, text);
            else
                snprintf(text, sizeof text, "%s", v > 0 ? "inf" : "-inf");
            return mlops__fail(MLOPS_EINVAL,
                               "%s: dataset '%s' column '%s' row %zu: %s is not a whole number; "
                               "stratify by a categorical or integer-valued column",
                               func, d->source, col->name, r, text);
        }
    }
    value_row *pairs = mlops__malloc_array(d->rows, sizeof *pairs, "stratify values");
    if (pairs == NULL) return MLOPS_ENOMEM;
    for (size_t r = 0; r < d->rows; r++) {
        pairs[r].value = col->values[r];
        pairs[r].row = r;
    }
    qsort(pairs, d->rows, sizeof *pairs, by_value_then_row);
    size_t first = 0;
    for (size_t i = 0; i < d->rows; i++) {
        if (i == 0 || pairs[i].value != pairs[i - 1].value) first = pairs[i].row;
        c->of_row[pairs[i].row] = first;
    }
    mlops__free(pairs);
    size_t *class_of_first = mlops__malloc_array(d->rows, sizeof *class_of_first, "class map");
    if (class_of_first == NULL) return MLOPS_ENOMEM;
    size_t cap = 0;
    int rc = MLOPS_OK;
    for (size_t r = 0; r < d->rows; r++) {
        first = c->of_row[r];
        if (first == r) {
            rc = add_class(c, &cap, r);
            if (rc != MLOPS_OK) break;
            class_of_first[r] = c->n - 1;
        }
        c->of_row[r] = class_of_first[first];
        c->count[c->of_row[r]]++;
    }
    mlops__free(class_of_first);
    return rc;
}

int mlops__split_classes_init(mlops__split_classes *c, const mlops_dataset *d, const char *column,
                              const char *func)
{
    memset(c, 0, sizeof *c);
    size_t col;
    int rc = mlops_dataset_column_index(d, column, &col);
    if (rc != MLOPS_OK) return rc;
    c->col = col;
    c->of_row = mlops__malloc_array(d->rows, sizeof *c->of_row, "row classes");
    if (c->of_row == NULL) return MLOPS_ENOMEM;
    const mlops__column *column_data = &d->cols[col];
    if (column_data->type == MLOPS_CATEGORICAL)
        rc = label_categorical(c, d, column_data, func);
    else
        rc = label_numeric(c, d, column_data, func);
    if (rc != MLOPS_OK) mlops__split_classes_clear(c);
    return rc;
}

const char *mlops__split_class_label(const mlops__split_classes *c, const mlops_dataset *d,
                                     size_t k, char buf[MLOPS__CLASS_LABEL_SIZE])
{
    const mlops__column *col = &d->cols[c->col];
    size_t row = c->first_row[k];
    if (col->type == MLOPS_CATEGORICAL) {
        const char *s = mlops__dict_string(col->dict, col->codes[row]);
        size_t len = strlen(s);
        if (len < MLOPS__CLASS_LABEL_SIZE) return s;
        /* Cut on a UTF-8 character boundary and mark the cut. */
        size_t keep = MLOPS__CLASS_LABEL_SIZE - 4;
        while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80) keep--;
        memcpy(buf, s, keep);
        memcpy(buf + keep, "...", 4);
        return buf;
    }
    char text[MLOPS_DOUBLE_BUFSIZE];
    mlops__format_double(col->values[row], text);
    snprintf(buf, MLOPS__CLASS_LABEL_SIZE, "%s", text);
    return buf;
}
