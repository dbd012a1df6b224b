/* The text form of a schema: a JSON document from the core writer, and its
 * atomic save. The loader reads it back through libyaml (schema_load.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json.h"
#include "data/schema_impl.h"

static void write_bound(mlops__json *j, const char *key, double v)
{
    mlops__json_key(j, key);
    if (isfinite(v)) mlops__json_double(j, v);
    else mlops__json_null(j);
}

static void write_column(mlops__json *j, const mlops__schema_column *c)
{
    mlops__json_begin_object(j);
    mlops__json_key(j, "name");
    mlops__json_string(j, c->name);
    mlops__json_key(j, "type");
    mlops__json_string(j, mlops_type_name(c->type));
    mlops__json_key(j, "role");
    mlops__json_string(j, mlops_role_name(c->role));
    mlops__json_key(j, "required");
    mlops__json_bool(j, c->required);
    mlops__json_key(j, "sensitive");
    mlops__json_bool(j, c->sensitive);
    if (c->type == MLOPS_NUMERIC) {
        write_bound(j, "min", c->min);
        write_bound(j, "max", c->max);
    } else {
        mlops__json_key(j, "categories");
        if (c->has_categories) {
            mlops__json_begin_array(j);
            for (size_t k = 0; k < c->ncategories; k++) mlops__json_string(j, c->categories[k]);
            mlops__json_end_array(j);
        } else {
            mlops__json_null(j);
        }
    }
    mlops__json_key(j, "max_missing_fraction");
    mlops__json_double(j, c->max_missing);
    mlops__json_end_object(j);
}

/* Length of a character at `p` that JSON allows raw but a YAML reader
 * rejects (DEL, C1 controls, U+FFFE/U+FFFF) or folds as a line break
 * (U+0085, U+2028, U+2029) or may skip (U+FEFF); 0 for any other byte.
 * Stores its code point. */
static size_t yaml_unsafe(const unsigned char *p, size_t left, unsigned *cp)
{
    if (p[0] == 0x7f) {
        *cp = 0x7f;
        return 1;
    }
    if (left >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
        *cp = p[1];
        return 2;
    }
    if (left >= 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
        *cp = 0x2000u + (p[2] - 0x80u);
        return 3;
    }
    if (left >= 3 && p[0] == 0xef &&
        ((p[1] == 0xbb && p[2] == 0xbf) || (p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)))) {
        *cp = 0xf000u | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
        return 3;
    }
    return 0;
}

/* Rewrites those characters as \uXXXX escapes. In the writer's output they
 * can only occur inside strings, so the document stays valid JSON with the
 * same values, and becomes readable by the YAML loader. */
static int make_yaml_safe(char **text, size_t *len)
{
    const unsigned char *src = (const unsigned char *)*text;
    size_t extra = 0;
    unsigned cp;
    for (size_t i = 0; i < *len;) {
        size_t n = yaml_unsafe(src + i, *len - i, &cp);
        extra += n ? 6 - n : 0;
        i += n ? n : 1;
    }
    if (extra == 0) return MLOPS_OK;
    size_t total;
    if (!mlops__add_size(*len, extra + 1, &total))
        return mlops__fail(MLOPS_ENOMEM, "schema text too large");
    char *out = mlops__malloc(total, "schema JSON text");
    if (out == NULL) return MLOPS_ENOMEM;
    size_t w = 0;
    for (size_t i = 0; i < *len;) {
        size_t n = yaml_unsafe(src + i, *len - i, &cp);
        if (n == 0) {
            out[w++] = (char)src[i++];
            continue;
        }
        snprintf(out + w, 7, "\\u%04x", cp);
        w += 6;
        i += n;
    }
    out[w] = '\0';
    mlops__free(*text);
    *text = out;
    *len = w;
    return MLOPS_OK;
}

static int schema_text(const mlops_schema *s, char **text, size_t *len)
{
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "format");
    mlops__json_string(&j, "libmlops-schema");
    mlops__json_key(&j, "version");
    mlops__json_int(&j, 1);
    mlops__json_key(&j, "strict");
    mlops__json_bool(&j, s->strict);
    mlops__json_key(&j, "columns");
    mlops__json_begin_array(&j);
    for (size_t i = 0; i < s->ncols; i++) write_column(&j, &s->cols[i]);
    mlops__json_end_array(&j);
    mlops__json_end_object(&j);
    int rc = mlops__json_finish(&j, text, len);
    if (rc != MLOPS_OK) {
        mlops__json_free(&j);
        return rc;
    }
    rc = make_yaml_safe(text, len);
    if (rc != MLOPS_OK) {
        mlops__free(*text);
        *text = NULL;
    }
    return rc;
}

MLOPS_API int mlops_schema_to_json(const mlops_schema *s, char **json)
{
    if (s == NULL || json == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_schema_to_json: NULL argument");
    char *text;
    size_t len;
    int rc = schema_text(s, &text, &len);
    if (rc == MLOPS_OK) *json = text;
    return rc;
}

MLOPS_API int mlops_schema_save(const mlops_schema *s, const char *path)
{
    if (s == NULL || path == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_schema_save: NULL argument");
    char *text;
    size_t len;
    int rc = schema_text(s, &text, &len);
    if (rc != MLOPS_OK) return rc;
    rc = mlops__write_file_atomic(path, text, len);
    mlops__free(text);
    return rc;
}
