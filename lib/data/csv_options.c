/* mlops_csv_options: reader settings set by string key (the YAML pipeline
 * passes its keys straight through), with per-column overrides. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/suggest.h"
#include "data/csv_options_impl.h"
#include "mlops/dataset.h"

static const char *const DEFAULT_MISSING[] = {"NA", "N/A", "NaN", "null"};

static const mlops_csv_options DEFAULTS = {
    .delimiter = ',',
    .quote = '"',
    .header = true,
    .trim = true,
    .max_field_bytes = 16u << 20,
    .batch_rows = 0, /* auto */
    .missing = {"NA", "N/A", "NaN", "null"},
    .nmissing = 4,
};

const mlops_csv_options *mlops__csv_default_options(void)
{
    return &DEFAULTS;
}

static void free_missing(mlops_csv_options *o)
{
    for (size_t i = 0; i < o->nmissing; i++) mlops__free(o->missing[i]);
    o->nmissing = 0;
}

/* Replaces the missing-token list with the comma-separated `list`. */
static int set_missing(mlops_csv_options *o, const char *list)
{
    char *tokens[MLOPS_CSV_MAX_MISSING_TOKENS];
    size_t n = 0;
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > 0) {
            if (n == MLOPS_CSV_MAX_MISSING_TOKENS) {
                for (size_t i = 0; i < n; i++) mlops__free(tokens[i]);
                return mlops__fail(MLOPS_EINVAL, "csv option missing: more than %d tokens",
                                   MLOPS_CSV_MAX_MISSING_TOKENS);
            }
            tokens[n] = mlops__malloc(len + 1, "missing-value token");
            if (tokens[n] == NULL) {
                for (size_t i = 0; i < n; i++) mlops__free(tokens[i]);
                return MLOPS_ENOMEM;
            }
            memcpy(tokens[n], p, len);
            tokens[n][len] = '\0';
            n++;
        }
        p += len + (comma != NULL);
    }
    free_missing(o);
    memcpy(o->missing, tokens, n * sizeof *tokens);
    o->nmissing = n;
    return MLOPS_OK;
}

MLOPS_API int mlops_csv_options_create(mlops_csv_options **out)
{
    if (out == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_csv_options_create: NULL out");
    mlops_csv_options *o = mlops__calloc(1, sizeof *o, "csv options");
    if (o == NULL) return MLOPS_ENOMEM;
    *o = DEFAULTS;
    o->nmissing = 0;
    for (size_t i = 0; i < sizeof DEFAULT_MISSING / sizeof DEFAULT_MISSING[0]; i++) {
        o->missing[i] = mlops__strdup(DEFAULT_MISSING[i], "missing-value token");
        if (o->missing[i] == NULL) {
            mlops_csv_options_free(o);
            return MLOPS_ENOMEM;
        }
        o->nmissing++;
    }
    *out = o;
    return MLOPS_OK;
}

MLOPS_API void mlops_csv_options_free(mlops_csv_options *o)
{
    if (o == NULL) return;
    free_missing(o);
    for (size_t i = 0; i < o->ncolumns; i++) mlops__free(o->columns[i].name);
    mlops__free(o->columns);
    mlops__free(o);
}

static int parse_bool(const char *key, const char *value, bool *out)
{
    if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 || strcmp(value, "yes") == 0) {
        *out = true;
    } else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 || strcmp(value, "no") == 0) {
        *out = false;
    } else {
        return mlops__fail(MLOPS_EINVAL, "csv option %s: '%s' is not true or false", key, value);
    }
    return MLOPS_OK;
}

static int parse_size(const char *key, const char *value, size_t min, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (*value < '0' || *value > '9' || *end != '\0' || errno != 0 || v < min || v > SIZE_MAX)
        return mlops__fail(MLOPS_EINVAL, "csv option %s: '%s' is not a whole number >= %zu", key,
                           value, min);
    *out = (size_t)v;
    return MLOPS_OK;
}

static int parse_char(const char *key, const char *value, const char *none_word, char *out)
{
    if (strcmp(value, "tab") == 0 || strcmp(value, "\\t") == 0) {
        *out = '\t';
    } else if (none_word && strcmp(value, none_word) == 0) {
        *out = 0;
    } else if (strlen(value) == 1 && value[0] != '\n' && value[0] != '\r' &&
               (unsigned char)value[0] < 0x80) {
        *out = value[0];
    } else {
        return mlops__fail(MLOPS_EINVAL, "csv option %s: '%s' is not a single ASCII character%s%s",
                           key, value, none_word ? " or " : "", none_word ? none_word : "");
    }
    return MLOPS_OK;
}

static int column_setting(mlops_csv_options *o, const char *name, mlops__column_setting **out)
{
    if (*name == '\0') return mlops__fail(MLOPS_EINVAL, "csv option: empty column name after '.'");
    for (size_t i = 0; i < o->ncolumns; i++)
        if (strcmp(o->columns[i].name, name) == 0) {
            *out = &o->columns[i];
            return MLOPS_OK;
        }
    mlops__column_setting *grown =
        mlops__realloc_array(o->columns, o->ncolumns + 1, sizeof *grown, "column settings");
    if (grown == NULL) return MLOPS_ENOMEM;
    o->columns = grown;
    mlops__column_setting *s = &o->columns[o->ncolumns];
    s->name = mlops__strdup(name, "column setting name");
    if (s->name == NULL) return MLOPS_ENOMEM;
    s->type = 0;
    s->role = -1;
    s->sensitive = -1;
    o->ncolumns++;
    *out = s;
    return MLOPS_OK;
}

static const char *const KEYS[] = {"delimiter", "quote",      "header",     "missing",
                                   "trim",      "bad_rows",   "max_field_bytes", "batch_rows",
                                   "type.",     "role.",      "sensitive."};

static const char *key_at(size_t i, const void *ctx)
{
    (void)ctx;
    return KEYS[i];
}

MLOPS_API int mlops_csv_options_set(mlops_csv_options *o, const char *key, const char *value)
{
    if (o == NULL || key == NULL || value == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_csv_options_set: NULL argument");
    if (strcmp(key, "delimiter") == 0) {
        if (strcmp(value, "auto") == 0) {
            o->delimiter = 0;
            return MLOPS_OK;
        }
        return parse_char(key, value, NULL, &o->delimiter);
    }
    if (strcmp(key, "quote") == 0) return parse_char(key, value, "none", &o->quote);
    if (strcmp(key, "header") == 0) return parse_bool(key, value, &o->header);
    if (strcmp(key, "trim") == 0) return parse_bool(key, value, &o->trim);
    if (strcmp(key, "missing") == 0) return set_missing(o, value);
    if (strcmp(key, "max_field_bytes") == 0) return parse_size(key, value, 1, &o->max_field_bytes);
    if (strcmp(key, "batch_rows") == 0) {
        if (strcmp(value, "auto") == 0) {
            o->batch_rows = 0;
            return MLOPS_OK;
        }
        return parse_size(key, value, 1, &o->batch_rows);
    }
    if (strcmp(key, "bad_rows") == 0) {
        if (strcmp(value, "fail") != 0 && strcmp(value, "skip") != 0)
            return mlops__fail(MLOPS_EINVAL, "csv option bad_rows: '%s' is not fail or skip", value);
        o->skip_bad_rows = value[0] == 's';
        return MLOPS_OK;
    }
    mlops__column_setting *s;
    int rc;
    if (strncmp(key, "type.", 5) == 0) {
        int type = strcmp(value, "numeric") == 0       ? MLOPS_NUMERIC
                   : strcmp(value, "categorical") == 0 ? MLOPS_CATEGORICAL
                                                       : 0;
        if (type == 0)
            return mlops__fail(MLOPS_EINVAL, "csv option %s: '%s' is not numeric or categorical",
                               key, value);
        if ((rc = column_setting(o, key + 5, &s)) != MLOPS_OK) return rc;
        s->type = type;
        return MLOPS_OK;
    }
    if (strncmp(key, "role.", 5) == 0) {
        int role;
        if ((rc = mlops_role_from_name(value, &role)) != MLOPS_OK) return rc;
        if ((rc = column_setting(o, key + 5, &s)) != MLOPS_OK) return rc;
        s->role = role;
        return MLOPS_OK;
    }
    if (strncmp(key, "sensitive.", 10) == 0) {
        bool flag;
        if ((rc = parse_bool(key, value, &flag)) != MLOPS_OK) return rc;
        if ((rc = column_setting(o, key + 10, &s)) != MLOPS_OK) return rc;
        s->sensitive = flag;
        return MLOPS_OK;
    }
    const char *near = mlops__suggest(key, sizeof KEYS / sizeof KEYS[0], key_at, NULL);
    return mlops__fail(MLOPS_EINVAL, "unknown csv option '%s'%s%s%s", key,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

MLOPS_API int mlops_csv_options_set_progress(mlops_csv_options *o, mlops_progress_fn fn,
                                             void *user_data)
{
    if (o == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_csv_options_set_progress: NULL options");
    o->progress = fn;
    o->progress_data = user_data;
    return MLOPS_OK;
}

int mlops__csv_options_clone(const mlops_csv_options *o, mlops_csv_options **out)
{
    mlops_csv_options *c = mlops__calloc(1, sizeof *c, "csv options");
    if (c == NULL) return MLOPS_ENOMEM;
    *c = *o;
    c->nmissing = 0;
    c->columns = NULL;
    c->ncolumns = 0;
    for (size_t i = 0; i < o->nmissing; i++) {
        c->missing[i] = mlops__strdup(o->missing[i], "missing-value token");
        if (c->missing[i] == NULL) goto fail;
        c->nmissing++;
    }
    if (o->ncolumns) {
        c->columns = mlops__calloc(o->ncolumns, sizeof *c->columns, "column settings");
        if (c->columns == NULL) goto fail;
    }
    for (size_t i = 0; i < o->ncolumns; i++) {
        c->columns[i] = o->columns[i];
        c->columns[i].name = mlops__strdup(o->columns[i].name, "column setting name");
        if (c->columns[i].name == NULL) goto fail;
        c->ncolumns++;
    }
    *out = c;
    return MLOPS_OK;
fail:
    mlops_csv_options_free(c);
    return MLOPS_ENOMEM;
}
