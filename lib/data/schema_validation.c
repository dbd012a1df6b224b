/* mlops_validation: the report of a schema check - its storage, accessors
 * and JSON form. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "core/utf8.h"
#include "data/schema_validation_impl.h"

int mlops__validation_new(mlops_validation **out, size_t rows)
{
    mlops_validation *v = mlops__calloc(1, sizeof *v, "validation report");
    if (v == NULL) return MLOPS_ENOMEM;
    v->rows = rows;
    *out = v;
    return MLOPS_OK;
}

/* A copy of `message` without the bytes of incomplete UTF-8 characters:
 * messages quote names and values cut to a byte budget ("%.200s"), which
 * can split a character, and the report's JSON form needs valid text. */
static char *valid_text_copy(const char *message)
{
    size_t len = strlen(message), w = 0;
    char *copy = mlops__malloc(len + 1, "violation message");
    if (copy == NULL) return NULL;
    for (size_t i = 0; i < len;) {
        size_t ok = mlops__utf8_valid_prefix(message + i, len - i);
        memcpy(copy + w, message + i, ok);
        w += ok;
        i += ok;
        if (i < len) i++; /* skip one byte of a broken character */
    }
    copy[w] = '\0';
    return copy;
}

int mlops__validation_add(mlops_validation *v, int kind, const char *column, size_t count,
                          const size_t *samples, size_t nsamples, const char *message)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        mlops__violation *grown = mlops__realloc_array(v->items, cap, sizeof *grown, "violations");
        if (grown == NULL) return MLOPS_ENOMEM;
        v->items = grown;
        v->cap = cap;
    }
    mlops__violation *x = &v->items[v->n];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->count = count;
    x->nsamples = nsamples < MLOPS_VALIDATION_MAX_SAMPLES ? nsamples : MLOPS_VALIDATION_MAX_SAMPLES;
    if (x->nsamples) memcpy(x->samples, samples, x->nsamples * sizeof *samples);
    x->column = mlops__strdup(column, "violation column");
    x->message = valid_text_copy(message);
    if (x->column == NULL || x->message == NULL) {
        mlops__free(x->column);
        mlops__free(x->message);
        return MLOPS_ENOMEM;
    }
    v->n++;
    return MLOPS_OK;
}

MLOPS_API void mlops_validation_free(mlops_validation *v)
{
    if (v == NULL) return;
    for (size_t i = 0; i < v->n; i++) {
        mlops__free(v->items[i].column);
        mlops__free(v->items[i].message);
    }
    mlops__free(v->items);
    mlops__free(v);
}

MLOPS_API int mlops_validation_passed(const mlops_validation *v)
{
    return v != NULL && v->n == 0;
}

MLOPS_API size_t mlops_validation_count(const mlops_validation *v)
{
    return v ? v->n : 0;
}

MLOPS_API size_t mlops_validation_rows(const mlops_validation *v)
{
    return v ? v->rows : 0;
}

static const mlops__violation *item(const mlops_validation *v, size_t i)
{
    return v != NULL && i < v->n ? &v->items[i] : NULL;
}

MLOPS_API int mlops_validation_kind(const mlops_validation *v, size_t i)
{
    const mlops__violation *x = item(v, i);
    if (x == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_validation_kind: violation %zu is out of range "
                                         "(report has %zu)",
                           i, mlops_validation_count(v));
    return x->kind;
}

static const char *const KIND_NAMES[] = {
    "unknown",   "missing_column",       "unexpected_column", "wrong_type",
    "below_min", "above_max",            "category_not_allowed", "too_many_missing"};

MLOPS_API const char *mlops_violation_kind_name(int kind)
{
    if (kind < MLOPS_VIOLATION_MISSING_COLUMN || kind > MLOPS_VIOLATION_TOO_MANY_MISSING)
        return KIND_NAMES[0];
    return KIND_NAMES[kind];
}

MLOPS_API const char *mlops_validation_column(const mlops_validation *v, size_t i)
{
    const mlops__violation *x = item(v, i);
    return x ? x->column : NULL;
}

MLOPS_API size_t mlops_validation_row_count(const mlops_validation *v, size_t i)
{
    const mlops__violation *x = item(v, i);
    return x ? x->count : 0;
}

MLOPS_API int mlops_validation_samples(const mlops_validation *v, size_t i, const size_t **rows,
                                       size_t *n)
{
    const mlops__violation *x = item(v, i);
    if (rows == NULL || n == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_validation_samples: NULL argument");
    if (x == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_validation_samples: violation %zu is out of "
                                         "range (report has %zu)",
                           i, mlops_validation_count(v));
    *rows = x->nsamples ? x->samples : NULL;
    *n = x->nsamples;
    return MLOPS_OK;
}

MLOPS_API const char *mlops_validation_message(const mlops_validation *v, size_t i)
{
    const mlops__violation *x = item(v, i);
    return x ? x->message : NULL;
}

MLOPS_API int mlops_validation_to_json(const mlops_validation *v, char **json)
{
    if (v == NULL || json == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_validation_to_json: NULL argument");
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "passed");
    mlops__json_bool(&j, v->n == 0);
    mlops__json_key(&j, "rows");
    mlops__json_uint(&j, v->rows);
    mlops__json_key(&j, "violations");
    mlops__json_begin_array(&j);
    for (size_t i = 0; i < v->n; i++) {
        const mlops__violation *x = &v->items[i];
        mlops__json_begin_object(&j);
        mlops__json_key(&j, "kind");
        mlops__json_string(&j, mlops_violation_kind_name(x->kind));
        mlops__json_key(&j, "column");
        mlops__json_string(&j, x->column);
        mlops__json_key(&j, "count");
        mlops__json_uint(&j, x->count);
        mlops__json_key(&j, "samples");
        mlops__json_begin_array(&j);
        for (size_t k = 0; k < x->nsamples; k++) mlops__json_uint(&j, x->samples[k]);
        mlops__json_end_array(&j);
        mlops__json_key(&j, "message");
        mlops__json_string(&j, x->message);
        mlops__json_end_object(&j);
    }
    mlops__json_end_array(&j);
    mlops__json_end_object(&j);
    size_t len;
    return mlops__json_finish(&j, json, &len);
}
