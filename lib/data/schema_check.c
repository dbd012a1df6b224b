/* Checking a dataset against a schema: every violation is collected (kind,
 * column, number of rows, first sample rows), so one run tells a data owner
 * everything that is wrong, not just the first problem. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "data/dataset_impl.h"
#include "data/schema_impl.h"
#include "data/schema_validation_impl.h"

enum { MESSAGE_SIZE = 640 };

/* Offending rows of one kind: how many, and the first few. */
typedef struct tally {
    size_t count;
    size_t rows[MLOPS_VALIDATION_MAX_SAMPLES];
} tally;

static void tally_row(tally *t, size_t row)
{
    if (t->count < MLOPS_VALIDATION_MAX_SAMPLES) t->rows[t->count] = row;
    t->count++;
}

static int report(mlops_validation *v, int kind, const char *column, const tally *t,
                  const char *message)
{
    return mlops__validation_add(v, kind, column, t->count, t->rows, t->count, message);
}

static int check_range(mlops_validation *v, const mlops__schema_column *c,
                       const mlops__column *dc, size_t rows)
{
    tally below = {0}, above = {0};
    double lowest = INFINITY, highest = -INFINITY;
    for (size_t r = 0; r < rows; r++) {
        double x = dc->values[r];
        if (x < c->min) {
            tally_row(&below, r);
            if (x < lowest) lowest = x;
        } else if (x > c->max) {
            tally_row(&above, r);
            if (x > highest) highest = x;
        }
    }
    char msg[MESSAGE_SIZE], limit[MLOPS_DOUBLE_BUFSIZE], seen[MLOPS_DOUBLE_BUFSIZE];
    int rc = MLOPS_OK;
    if (below.count > 0) {
        mlops__format_double(c->min, limit);
        if (isfinite(lowest)) mlops__format_double(lowest, seen);
        else snprintf(seen, sizeof seen, "-inf");
        snprintf(msg, sizeof msg, "column '%.200s': %zu value%s below min %s (lowest %s)",
                 c->name, below.count, below.count == 1 ? "" : "s", limit, seen);
        rc = report(v, MLOPS_VIOLATION_BELOW_MIN, c->name, &below, msg);
    }
    if (rc == MLOPS_OK && above.count > 0) {
        mlops__format_double(c->max, limit);
        if (isfinite(highest)) mlops__format_double(highest, seen);
        else snprintf(seen, sizeof seen, "inf");
        snprintf(msg, sizeof msg, "column '%.200s': %zu value%s above max %s (highest %s)",
                 c->name, above.count, above.count == 1 ? "" : "s", limit, seen);
        rc = report(v, MLOPS_VIOLATION_ABOVE_MAX, c->name, &above, msg);
    }
    return rc;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends " 'value'" to the message while it fits. */
static void append_value(char *msg, const char *value, size_t *shown)
{
    size_t len = strlen(msg);
    if (*shown == 3) return;
    snprintf(msg + len, MESSAGE_SIZE - len, "%s'%.60s'", *shown ? ", " : " (e.g. ", value);
    (*shown)++;
}

static int check_categories(mlops_validation *v, const mlops__schema_column *c,
                            const mlops__column *dc, size_t rows)
{
    size_t ndict = mlops__dict_size(dc->dict);
    /* allowed[k]: 1 allowed, 0 not allowed and not seen yet, 2 reported. */
    unsigned char *allowed = mlops__calloc(ndict ? ndict : 1, 1, "category check flags");
    char **sorted = mlops__malloc_array(c->ncategories ? c->ncategories : 1, sizeof *sorted,
                                        "allowed category index");
    if (allowed == NULL || sorted == NULL) {
        mlops__free(allowed);
        mlops__free(sorted);
        return MLOPS_ENOMEM;
    }
    if (c->ncategories) memcpy(sorted, c->categories, c->ncategories * sizeof *sorted);
    qsort(sorted, c->ncategories, sizeof *sorted, compare_strings);
    for (size_t k = 0; k < ndict; k++) {
        const char *key = mlops__dict_string(dc->dict, (int32_t)k);
        allowed[k] =
            bsearch(&key, sorted, c->ncategories, sizeof *sorted, compare_strings) != NULL;
    }
    mlops__free(sorted);
    tally bad = {0};
    char examples[MESSAGE_SIZE] = "";
    size_t shown = 0;
    for (size_t r = 0; r < rows; r++) {
        int32_t code = dc->codes[r];
        if (code < 0 || allowed[code] == 1) continue;
        tally_row(&bad, r);
        if (allowed[code] == 0) {
            append_value(examples, mlops__dict_string(dc->dict, code), &shown);
            allowed[code] = 2;
        }
    }
    mlops__free(allowed);
    if (bad.count == 0) return MLOPS_OK;
    char msg[MESSAGE_SIZE];
    snprintf(msg, sizeof msg,
             "column '%.200s': %zu value%s not among the %zu allowed categories%.300s)",
             c->name, bad.count, bad.count == 1 ? "" : "s", c->ncategories, examples);
    return report(v, MLOPS_VIOLATION_CATEGORY_NOT_ALLOWED, c->name, &bad, msg);
}

static int check_missing(mlops_validation *v, const mlops__schema_column *c,
                         const mlops__column *dc, size_t rows)
{
    if (rows == 0 || dc->missing == 0) return MLOPS_OK;
    double fraction = (double)dc->missing / (double)rows;
    if (!(fraction > c->max_missing)) return MLOPS_OK;
    tally t = {0};
    for (size_t r = 0; r < rows && t.count < MLOPS_VALIDATION_MAX_SAMPLES; r++) {
        bool missing = dc->type == MLOPS_NUMERIC ? isnan(dc->values[r]) : dc->codes[r] < 0;
        if (missing) tally_row(&t, r);
    }
    t.count = dc->missing;
    char msg[MESSAGE_SIZE];
    snprintf(msg, sizeof msg,
             "column '%.200s': %zu of %zu entries missing (fraction %.6g), more than the "
             "allowed %.6g",
             c->name, dc->missing, rows, fraction, c->max_missing);
    return report(v, MLOPS_VIOLATION_TOO_MANY_MISSING, c->name, &t, msg);
}

static int check_column(mlops_validation *v, const mlops__schema_column *c,
                        const mlops_dataset *d, const mlops__column *dc)
{
    char msg[MESSAGE_SIZE];
    if (dc == NULL) {
        if (!c->required) return MLOPS_OK;
        snprintf(msg, sizeof msg, "column '%.200s' is required but dataset '%.200s' lacks it",
                 c->name, d->source);
        return mlops__validation_add(v, MLOPS_VIOLATION_MISSING_COLUMN, c->name, d->rows, NULL, 0,
                                     msg);
    }
    /* An all-missing column says nothing about its type (a CSV reader has
     * nothing to infer it from), so it matches either. */
    int rc = MLOPS_OK;
    if (dc->type != c->type && dc->missing < d->rows) {
        snprintf(msg, sizeof msg, "column '%.200s' is %s, the schema expects %s", c->name,
                 mlops_type_name(dc->type), mlops_type_name(c->type));
        rc = mlops__validation_add(v, MLOPS_VIOLATION_WRONG_TYPE, c->name, d->rows, NULL, 0, msg);
    } else if (dc->type == MLOPS_NUMERIC && c->type == MLOPS_NUMERIC) {
        rc = check_range(v, c, dc, d->rows);
    } else if (dc->type == MLOPS_CATEGORICAL && c->has_categories) {
        rc = check_categories(v, c, dc, d->rows);
    }
    if (rc == MLOPS_OK) rc = check_missing(v, c, dc, d->rows);
    return rc;
}

/* Dataset column positions sorted by name, so matching a wide schema to a
 * wide dataset costs n log n, not n^2. */
typedef struct named {
    const char *name;
    size_t index;
} named;

static int compare_named(const void *a, const void *b)
{
    return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

static int check_all(const mlops_schema *s, const mlops_dataset *d, mlops_validation *v)
{
    named *byname = mlops__malloc_array(d->ncols ? d->ncols : 1, sizeof *byname,
                                        "dataset column index");
    unsigned char *matched = mlops__calloc(d->ncols ? d->ncols : 1, 1, "matched columns");
    int rc = byname && matched ? MLOPS_OK : MLOPS_ENOMEM;
    if (rc == MLOPS_OK) {
        for (size_t j = 0; j < d->ncols; j++) byname[j] = (named){d->cols[j].name, j};
        qsort(byname, d->ncols, sizeof *byname, compare_named);
    }
    for (size_t i = 0; rc == MLOPS_OK && i < s->ncols; i++) {
        named key = {s->cols[i].name, 0};
        const named *hit = bsearch(&key, byname, d->ncols, sizeof *byname, compare_named);
        if (hit) matched[hit->index] = 1;
        rc = check_column(v, &s->cols[i], d, hit ? &d->cols[hit->index] : NULL);
    }
    for (size_t j = 0; rc == MLOPS_OK && s->strict && j < d->ncols; j++) {
        if (matched[j]) continue;
        char msg[MESSAGE_SIZE];
        snprintf(msg, sizeof msg, "column '%.200s' is not in the schema (strict)",
                 d->cols[j].name);
        rc = mlops__validation_add(v, MLOPS_VIOLATION_UNEXPECTED_COLUMN, d->cols[j].name, d->rows,
                                   NULL, 0, msg);
    }
    mlops__free(byname);
    mlops__free(matched);
    return rc;
}

MLOPS_API int mlops_schema_check(const mlops_schema *s, const mlops_dataset *d,
                                 mlops_validation **report_out)
{
    if (s == NULL || d == NULL || report_out == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_schema_check: NULL argument");
    mlops_validation *v;
    int rc = mlops__validation_new(&v, d->rows);
    if (rc != MLOPS_OK) return rc;
    rc = check_all(s, d, v);
    if (rc != MLOPS_OK) {
        mlops_validation_free(v);
        return rc;
    }
    *report_out = v;
    return MLOPS_OK;
}
