/* mlops_schema: creation, release, columns and their string-keyed settings
 * (the YAML pipeline and the bindings pass keys straight through). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "core/suggest.h"
#include "core/utf8.h"
#include "data/schema_impl.h"

/* ---- Shared text forms ---------------------------------------------------- */

bool mlops__schema_parse_number(const char *text, double *out)
{
    const char *p = text;
    if (*p == '+' || *p == '-') p++;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9') p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++, digits++;
    }
    if (digits == 0) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (*p < '0' || *p > '9') return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p != '\0') return false;
    char *end;
    double v = mlops__strtod_c(text, &end);
    if (*end != '\0' || !isfinite(v)) return false;
    *out = v;
    return true;
}

bool mlops__schema_parse_bool(const char *text, bool *out)
{
    if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0 || strcmp(text, "yes") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0 || strcmp(text, "no") == 0) {
        *out = false;
        return true;
    }
    return false;
}

int mlops__schema_type_from_name(const char *text)
{
    if (strcmp(text, "numeric") == 0) return MLOPS_NUMERIC;
    if (strcmp(text, "categorical") == 0) return MLOPS_CATEGORICAL;
    return 0;
}

/* ---- Columns --------------------------------------------------------------- */

int mlops__schema_column_init(mlops__schema_column *c, const char *name, int type)
{
    memset(c, 0, sizeof *c);
    c->type = type;
    c->role = MLOPS_ROLE_FEATURE;
    c->required = true;
    c->min = -INFINITY;
    c->max = INFINITY;
    c->max_missing = 1.0;
    c->name = mlops__strdup(name, "schema column name");
    return c->name ? MLOPS_OK : MLOPS_ENOMEM;
}

static void free_categories(char **values, size_t n)
{
    for (size_t i = 0; i < n; i++) mlops__free(values[i]);
    mlops__free(values);
}

void mlops__schema_column_clear(mlops__schema_column *c)
{
    mlops__free(c->name);
    free_categories(c->categories, c->ncategories);
    memset(c, 0, sizeof *c);
}

int mlops__schema_append(mlops_schema *s, mlops__schema_column *c)
{
    if (s->ncols == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        mlops__schema_column *grown =
            mlops__realloc_array(s->cols, cap, sizeof *grown, "schema columns");
        if (grown == NULL) return MLOPS_ENOMEM;
        s->cols = grown;
        s->cap = cap;
    }
    s->cols[s->ncols++] = *c;
    return MLOPS_OK;
}

long mlops__schema_find(const mlops_schema *s, const char *name)
{
    for (size_t i = 0; i < s->ncols; i++)
        if (strcmp(s->cols[i].name, name) == 0) return (long)i;
    return -1;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *mlops__schema_first_duplicate(const char *const *values, size_t n, int *rc)
{
    *rc = MLOPS_OK;
    if (n < 2) return NULL;
    const char **sorted = mlops__malloc_array(n, sizeof *sorted, "category index");
    if (sorted == NULL) {
        *rc = MLOPS_ENOMEM;
        return NULL;
    }
    memcpy(sorted, values, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_strings);
    const char *dup = NULL;
    for (size_t i = 1; i < n && dup == NULL; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0) dup = sorted[i];
    mlops__free(sorted);
    return dup;
}

int mlops__schema_set_categories(mlops__schema_column *c, const char *const *values, size_t n,
                                 const char *where)
{
    if (values == NULL) {
        free_categories(c->categories, c->ncategories);
        c->categories = NULL;
        c->ncategories = 0;
        c->has_categories = false;
        return MLOPS_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (values[i] == NULL)
            return mlops__fail(MLOPS_EINVAL, "%s: category %zu is NULL", where, i);
        size_t len = strlen(values[i]);
        if (mlops__utf8_valid_prefix(values[i], len) != len)
            return mlops__fail(MLOPS_EINVAL, "%s: category %zu has invalid UTF-8 at byte %zu",
                               where, i, mlops__utf8_valid_prefix(values[i], len));
    }
    int rc;
    const char *dup = mlops__schema_first_duplicate(values, n, &rc);
    if (rc != MLOPS_OK) return rc;
    if (dup != NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: category '%s' is listed twice", where, dup);
    char **copy = mlops__calloc(n ? n : 1, sizeof *copy, "allowed categories");
    if (copy == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        copy[i] = mlops__strdup(values[i], "allowed category");
        if (copy[i] == NULL) {
            free_categories(copy, i);
            return MLOPS_ENOMEM;
        }
    }
    free_categories(c->categories, c->ncategories);
    c->categories = copy;
    c->ncategories = n;
    c->has_categories = true;
    return MLOPS_OK;
}

/* ---- Public: lifecycle and columns ------------------------------------------ */

MLOPS_API int mlops_schema_create(mlops_schema **out)
{
    if (out == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_schema_create: NULL out");
    mlops_schema *s = mlops__calloc(1, sizeof *s, "schema");
    if (s == NULL) return MLOPS_ENOMEM;
    *out = s;
    return MLOPS_OK;
}

MLOPS_API void mlops_schema_free(mlops_schema *s)
{
    if (s == NULL) return;
    for (size_t i = 0; i < s->ncols; i++) mlops__schema_column_clear(&s->cols[i]);
    mlops__free(s->cols);
    mlops__free(s);
}

MLOPS_API size_t mlops_schema_column_count(const mlops_schema *s)
{
    return s ? s->ncols : 0;
}

MLOPS_API const char *mlops_schema_column_name(const mlops_schema *s, size_t i)
{
    return s && i < s->ncols ? s->cols[i].name : NULL;
}

static const char *column_name_at(size_t i, const void *ctx)
{
    return ((const mlops_schema *)ctx)->cols[i].name;
}

/* Finds column `name` or fails with MLOPS_ENOTFOUND suggesting a near name. */
static int find_column(const mlops_schema *s, const char *name, const char *func, size_t *i)
{
    long k = mlops__schema_find(s, name);
    if (k >= 0) {
        *i = (size_t)k;
        return MLOPS_OK;
    }
    const char *near = mlops__suggest(name, s->ncols, column_name_at, s);
    return mlops__fail(MLOPS_ENOTFOUND, "%s: the schema has no column '%s'%s%s%s", func, name,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

MLOPS_API int mlops_schema_column_index(const mlops_schema *s, const char *name, size_t *i)
{
    if (s == NULL || name == NULL || i == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_schema_column_index: NULL argument");
    return find_column(s, name, "mlops_schema_column_index", i);
}

MLOPS_API int mlops_schema_add_column(mlops_schema *s, const char *name, int type)
{
    static const char func[] = "mlops_schema_add_column";
    if (s == NULL || name == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (*name == '\0') return mlops__fail(MLOPS_EINVAL, "%s: empty column name", func);
    size_t len = strlen(name);
    if (mlops__utf8_valid_prefix(name, len) != len)
        return mlops__fail(MLOPS_EINVAL, "%s: column name has invalid UTF-8 at byte %zu", func,
                           mlops__utf8_valid_prefix(name, len));
    if (type != MLOPS_NUMERIC && type != MLOPS_CATEGORICAL)
        return mlops__fail(MLOPS_EINVAL, "%s: column '%s': %d is not a column type", func, name,
                           type);
    if (mlops__schema_find(s, name) >= 0)
        return mlops__fail(MLOPS_EINVAL, "%s: the schema already has a column '%s'", func, name);
    mlops__schema_column c;
    int rc = mlops__schema_column_init(&c, name, type);
    if (rc == MLOPS_OK) rc = mlops__schema_append(s, &c);
    if (rc != MLOPS_OK) mlops__schema_column_clear(&c);
    return rc;
}

MLOPS_API int mlops_schema_remove_column(mlops_schema *s, const char *name)
{
    static const char func[] = "mlops_schema_remove_column";
    if (s == NULL || name == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    size_t i = 0;
    int rc = find_column(s, name, func, &i);
    if (rc != MLOPS_OK) return rc;
    mlops__schema_column_clear(&s->cols[i]);
    memmove(&s->cols[i], &s->cols[i + 1], (s->ncols - i - 1) * sizeof *s->cols);
    s->ncols--;
    return MLOPS_OK;
}

/* ---- Public: settings --------------------------------------------------------- */

static const char *const COLUMN_KEYS[] = {"type",     "role", "required",
                                          "sensitive", "min", "max",
                                          "max_missing_fraction", "categories"};
enum { NCOLUMN_KEYS = sizeof COLUMN_KEYS / sizeof COLUMN_KEYS[0] };

static const char *column_key_at(size_t i, const void *ctx)
{
    (void)ctx;
    return COLUMN_KEYS[i];
}

static int unknown_key(const char *func, const char *key)
{
    const char *near = mlops__suggest(key, NCOLUMN_KEYS, column_key_at, NULL);
    return mlops__fail(MLOPS_EINVAL, "%s: unknown schema column key '%s'%s%s%s", func, key,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* Parses the comma-separated, backslash-escaped list of mlops_schema_set()
 * and installs it. */
static int set_category_list(mlops__schema_column *c, const char *value, const char *where)
{
    size_t len = strlen(value), nitems = 1;
    for (size_t i = 0; i < len; i++) {
        if (value[i] == '\\' && i + 1 < len) i++;
        else if (value[i] == ',') nitems++;
    }
    char *buf = mlops__malloc(len + 1, "category list");
    const char **items = mlops__malloc_array(nitems, sizeof *items, "category list");
    int rc = buf && items ? MLOPS_OK : MLOPS_ENOMEM;
    size_t n = 0, w = 0, start = 0, keep = 0;
    bool started = false;
    for (size_t i = 0; rc == MLOPS_OK && i <= len; i++) {
        char ch = value[i];
        if (ch == '\0' || ch == ',') {
            if (keep == start) {
                rc = mlops__fail(MLOPS_EINVAL, "%s: category %zu of '%s' is empty", where, n + 1,
                                 value);
                break;
            }
            w = keep;
            buf[w++] = '\0';
            items[n++] = buf + start;
            start = keep = w;
            started = false;
        } else if (ch == '\\') {
            if (i + 1 == len) {
                rc = mlops__fail(MLOPS_EINVAL, "%s: '%s' ends with a lone backslash", where, value);
                break;
            }
            buf[w++] = value[++i];
            keep = w;
            started = true;
        } else if ((ch == ' ' || ch == '\t') && !started) {
            continue;
        } else {
            buf[w++] = ch;
            started = true;
            if (ch != ' ' && ch != '\t') keep = w;
        }
    }
    if (rc == MLOPS_OK) rc = mlops__schema_set_categories(c, items, n, where);
    mlops__free(items);
    mlops__free(buf);
    return rc;
}

static int set_bound(mlops__schema_column *c, const char *key, const char *value,
                     const char *where)
{
    if (c->type != MLOPS_NUMERIC)
        return mlops__fail(MLOPS_EINVAL, "%s: %s applies to numeric columns; '%s' is categorical",
                           where, key, c->name);
    bool is_min = strcmp(key, "min") == 0;
    double v;
    if (strcmp(value, "none") == 0 || *value == '\0') {
        v = is_min ? -INFINITY : INFINITY;
    } else if (!mlops__schema_parse_number(value, &v)) {
        return mlops__fail(MLOPS_EINVAL, "%s: '%s' is not a finite decimal number or none", where,
                           value);
    }
    char a[MLOPS_DOUBLE_BUFSIZE], b[MLOPS_DOUBLE_BUFSIZE];
    if (is_min && v > c->max) {
        mlops__format_double(v, a);
        mlops__format_double(c->max, b);
        return mlops__fail(MLOPS_EINVAL, "%s: min %s is above max %s", where, a, b);
    }
    if (!is_min && v < c->min) {
        mlops__format_double(v, a);
        mlops__format_double(c->min, b);
        return mlops__fail(MLOPS_EINVAL, "%s: max %s is below min %s", where, a, b);
    }
    *(is_min ? &c->min : &c->max) = v;
    return MLOPS_OK;
}

static int set_flag(bool *flag, const char *value, const char *where)
{
    if (!mlops__schema_parse_bool(value, flag))
        return mlops__fail(MLOPS_EINVAL, "%s: '%s' is not true or false", where, value);
    return MLOPS_OK;
}

MLOPS_API int mlops_schema_set(mlops_schema *s, const char *col, const char *key,
                               const char *value)
{
    static const char func[] = "mlops_schema_set";
    if (s == NULL || col == NULL || key == NULL || value == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    size_t i = 0;
    int rc = find_column(s, col, func, &i);
    if (rc != MLOPS_OK) return rc;
    mlops__schema_column *c = &s->cols[i];
    /* Long enough for any message prefix: names are cut, never the key. */
    char where[160];
    snprintf(where, sizeof where, "schema column '%.80s' key '%.40s'", col, key);
    if (strcmp(key, "type") == 0) {
        int type = mlops__schema_type_from_name(value);
        if (type == 0)
            return mlops__fail(MLOPS_EINVAL, "%s: '%s' is not numeric or categorical", where,
                               value);
        if (type != c->type) {
            mlops__schema_set_categories(c, NULL, 0, where);
            c->min = -INFINITY;
            c->max = INFINITY;
            c->type = type;
        }
        return MLOPS_OK;
    }
    if (strcmp(key, "role") == 0) {
        int role;
        if (mlops_role_from_name(value, &role) != MLOPS_OK)
            return mlops__fail(MLOPS_EINVAL,
                               "%s: '%s' is not a role (feature, target, group, weight, id, "
                               "time, ignore)",
                               where, value);
        c->role = role;
        return MLOPS_OK;
    }
    if (strcmp(key, "required") == 0) return set_flag(&c->required, value, where);
    if (strcmp(key, "sensitive") == 0) return set_flag(&c->sensitive, value, where);
    if (strcmp(key, "min") == 0 || strcmp(key, "max") == 0) return set_bound(c, key, value, where);
    if (strcmp(key, "max_missing_fraction") == 0) {
        double v;
        if (!mlops__schema_parse_number(value, &v) || v < 0 || v > 1)
            return mlops__fail(MLOPS_EINVAL, "%s: '%s' is not a number from 0 to 1", where, value);
        c->max_missing = v;
        return MLOPS_OK;
    }
    if (strcmp(key, "categories") == 0) {
        if (c->type != MLOPS_CATEGORICAL)
            return mlops__fail(MLOPS_EINVAL,
                               "%s: categories apply to categorical columns; '%s' is numeric",
                               where, c->name);
        if (*value == '\0') return mlops__schema_set_categories(c, NULL, 0, where);
        return set_category_list(c, value, where);
    }
    return unknown_key(func, key);
}

/* Appends `s` to the list text, escaping what set_category_list() would
 * otherwise split or trim. */
static size_t escape_category(const char *s, char *out)
{
    size_t w = 0, len = strlen(s);
    for (size_t i = 0; i < len; i++) {
        bool edge_space = (s[i] == ' ' || s[i] == '\t') && (i == 0 || i + 1 == len);
        if (s[i] == '\\' || s[i] == ',' || edge_space) {
            if (out) out[w] = '\\';
            w++;
        }
        if (out) out[w] = s[i];
        w++;
    }
    return w;
}

static int category_list_text(const mlops__schema_column *c, char **value)
{
    size_t total = 1;
    for (size_t k = 0; k < c->ncategories; k++) {
        size_t len = escape_category(c->categories[k], NULL);
        if (!mlops__add_size(total, len + 1, &total))
            return mlops__fail(MLOPS_ENOMEM, "mlops_schema_get: category list too long");
    }
    char *text = mlops__malloc(total, "category list text");
    if (text == NULL) return MLOPS_ENOMEM;
    size_t w = 0;
    for (size_t k = 0; k < c->ncategories; k++) {
        if (k > 0) text[w++] = ',';
        w += escape_category(c->categories[k], text + w);
    }
    text[w] = '\0';
    *value = text;
    return MLOPS_OK;
}

MLOPS_API int mlops_schema_get(const mlops_schema *s, const char *col, const char *key,
                               char **value)
{
    static const char func[] = "mlops_schema_get";
    if (s == NULL || col == NULL || key == NULL || value == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    size_t i = 0;
    int rc = find_column(s, col, func, &i);
    if (rc != MLOPS_OK) return rc;
    const mlops__schema_column *c = &s->cols[i];
    char num[MLOPS_DOUBLE_BUFSIZE];
    const char *text;
    if (strcmp(key, "type") == 0) {
        text = mlops_type_name(c->type);
    } else if (strcmp(key, "role") == 0) {
        text = mlops_role_name(c->role);
    } else if (strcmp(key, "required") == 0) {
        text = c->required ? "true" : "false";
    } else if (strcmp(key, "sensitive") == 0) {
        text = c->sensitive ? "true" : "false";
    } else if (strcmp(key, "min") == 0 || strcmp(key, "max") == 0) {
        double v = key[1] == 'i' ? c->min : c->max;
        text = isfinite(v) ? (mlops__format_double(v, num), num) : "none";
    } else if (strcmp(key, "max_missing_fraction") == 0) {
        mlops__format_double(c->max_missing, num);
        text = num;
    } else if (strcmp(key, "categories") == 0) {
        return category_list_text(c, value);
    } else {
        return unknown_key(func, key);
    }
    char *copy = mlops__strdup(text, "schema setting text");
    if (copy == NULL) return MLOPS_ENOMEM;
    *value = copy;
    return MLOPS_OK;
}

MLOPS_API int mlops_schema_set_categories(mlops_schema *s, const char *col,
                                          const char *const *values, size_t n)
{
    static const char func[] = "mlops_schema_set_categories";
    if (s == NULL || col == NULL || (values == NULL && n > 0))
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    size_t i = 0;
    int rc = find_column(s, col, func, &i);
    if (rc != MLOPS_OK) return rc;
    mlops__schema_column *c = &s->cols[i];
    char where[160];
    snprintf(where, sizeof where, "%s: column '%.80s'", func, col);
    if (c->type != MLOPS_CATEGORICAL)
        return mlops__fail(MLOPS_EINVAL, "%s is numeric; categories apply to categorical columns",
                           where);
    return mlops__schema_set_categories(c, values, n, where);
}

MLOPS_API int mlops_schema_categories(const mlops_schema *s, const char *col,
                                      const char *const **values, size_t *n)
{
    static const char func[] = "mlops_schema_categories";
    if (s == NULL || col == NULL || values == NULL || n == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    size_t i = 0;
    int rc = find_column(s, col, func, &i);
    if (rc != MLOPS_OK) return rc;
    const mlops__schema_column *c = &s->cols[i];
    *values = c->has_categories ? (const char *const *)c->categories : NULL;
    *n = c->ncategories;
    return c->has_categories ? 1 : 0;
}

/* ---- Public: schema options --------------------------------------------------- */

static const char *option_key_at(size_t i, const void *ctx)
{
    (void)i;
    (void)ctx;
    return "strict";
}

static int unknown_option(const char *func, const char *key)
{
    const char *near = mlops__suggest(key, 1, option_key_at, NULL);
    return mlops__fail(MLOPS_EINVAL, "%s: unknown schema option '%s'%s%s%s", func, key,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

MLOPS_API int mlops_schema_set_option(mlops_schema *s, const char *key, const char *value)
{
    static const char func[] = "mlops_schema_set_option";
    if (s == NULL || key == NULL || value == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (strcmp(key, "strict") != 0) return unknown_option(func, key);
    return set_flag(&s->strict, value, "schema option 'strict'");
}

MLOPS_API int mlops_schema_get_option(const mlops_schema *s, const char *key, char **value)
{
    static const char func[] = "mlops_schema_get_option";
    if (s == NULL || key == NULL || value == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (strcmp(key, "strict") != 0) return unknown_option(func, key);
    char *copy = mlops__strdup(s->strict ? "true" : "false", "schema option text");
    if (copy == NULL) return MLOPS_ENOMEM;
    *value = copy;
    return MLOPS_OK;
}
