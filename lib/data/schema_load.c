/* Loading a schema from JSON or YAML text through libyaml (JSON is YAML flow
 * syntax, so one loader reads what the writer produces and what people write
 * by hand).
 *
 * A schema file decides what data is accepted, so it is validated strictly:
 * every unknown or repeated key, wrongly typed value, out-of-range number and
 * inconsistency is an error naming the text, the line and the key, rather than
 * a silently different check. Plain (unquoted) YAML scalars are typed by their
 * spelling (null, true/false, numbers); quoted ones are always strings. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/suggest.h"
#include "data/dict.h"
#include "data/schema_impl.h"

enum { SCHEMA_FORMAT_VERSION = 1, SCHEMA_MAX_DEPTH = 32, SCHEMA_MAX_DIRECTIVES = 16 };
static const char FORMAT_NAME[] = "libmlops-schema";
#define SCHEMA_MAX_FILE_BYTES ((size_t)64 << 20)

typedef struct loader {
    yaml_document_t *doc;
    const char *name;
    mlops__dict *columns; /* names read so far; code = column index */
} loader;

static size_t line_of(const yaml_node_t *node)
{
    return node->start_mark.line + 1;
}

static int fail_at(const loader *L, int code, const yaml_node_t *node, const char *key,
                   const char *fmt, ...) MLOPS_PRINTF_LIKE(5, 6);

static int fail_at(const loader *L, int code, const yaml_node_t *node, const char *key,
                   const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (key != NULL)
        return mlops__fail(code, "schema '%s' line %zu, key '%s': %s", L->name, line_of(node),
                           key, detail);
    return mlops__fail(code, "schema '%s' line %zu: %s", L->name, line_of(node), detail);
}

/* ---- Typed scalars ----------------------------------------------------------- */

static const char *scalar_text(const yaml_node_t *node)
{
    return (const char *)node->data.scalar.value;
}

static bool is_plain(const yaml_node_t *node)
{
    return node->type == YAML_SCALAR_NODE && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool is_null(const yaml_node_t *node)
{
    if (!is_plain(node)) return false;
    const char *t = scalar_text(node);
    return *t == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
           strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

static bool plain_bool(const yaml_node_t *node, bool *out)
{
    if (!is_plain(node)) return false;
    const char *t = scalar_text(node);
    if (strcmp(t, "true") == 0 || strcmp(t, "True") == 0 || strcmp(t, "TRUE") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(t, "false") == 0 || strcmp(t, "False") == 0 || strcmp(t, "FALSE") == 0) {
        *out = false;
        return true;
    }
    return false;
}

/* What a node is, for "expected X, found Y" messages. */
static const char *describe(const yaml_node_t *node)
{
    bool b;
    double v;
    switch (node->type) {
    case YAML_MAPPING_NODE: return "a mapping";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_SCALAR_NODE:
        if (!is_plain(node)) return "a string";
        if (is_null(node)) return "null";
        if (plain_bool(node, &b)) return "true/false";
        if (mlops__schema_parse_number(scalar_text(node), &v)) return "a number";
        return "a string";
    default: return "nothing";
    }
}

static int get_string(const loader *L, const yaml_node_t *node, const char *key,
                      const char **out)
{
    if (node->type != YAML_SCALAR_NODE || is_null(node))
        return fail_at(L, MLOPS_EFORMAT, node, key, "expected a string, found %s",
                       describe(node));
    if (strlen(scalar_text(node)) != node->data.scalar.length)
        return fail_at(L, MLOPS_EFORMAT, node, key, "string contains a NUL character");
    *out = scalar_text(node);
    return MLOPS_OK;
}

static int get_bool(const loader *L, const yaml_node_t *node, const char *key, bool *out)
{
    if (!plain_bool(node, out))
        return fail_at(L, MLOPS_EFORMAT, node, key, "expected true or false, found %s",
                       describe(node));
    return MLOPS_OK;
}

static int get_number(const loader *L, const yaml_node_t *node, const char *key, double *out)
{
    if (!is_plain(node) || !mlops__schema_parse_number(scalar_text(node), out)) {
        if (is_plain(node) && !is_null(node))
            return fail_at(L, MLOPS_EFORMAT, node, key,
                           "'%.40s' is not a finite decimal number", scalar_text(node));
        return fail_at(L, MLOPS_EFORMAT, node, key, "expected a number, found %s",
                       describe(node));
    }
    return MLOPS_OK;
}

/* ---- Mappings ----------------------------------------------------------------- */

typedef struct field {
    const char *key;
    const yaml_node_t *key_node;
    const yaml_node_t *value;
} field;

static const char *field_key_at(size_t i, const void *ctx)
{
    return ((const field *)ctx)[i].key;
}

/* Matches the pairs of `map` against the known keys in fields[0..n) (their
 * `key` set, the nodes cleared), refusing non-string, unknown and repeated
 * keys. `where` is the key path prefix ("" at the top, "columns[3]."). */
static int read_fields(const loader *L, const yaml_node_t *map, const char *where, field *fields,
                       size_t n)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
        if (k->type != YAML_SCALAR_NODE)
            return fail_at(L, MLOPS_EFORMAT, k, NULL, "%skeys must be strings, found %s",
                           *where ? where : "", describe(k));
        const char *name = scalar_text(k);
        char path[160];
        snprintf(path, sizeof path, "%s%.100s", where, name);
        /* A NUL inside a key would otherwise match the known key before it. */
        size_t i = strlen(name) == k->data.scalar.length ? 0 : n;
        while (i < n && strcmp(fields[i].key, name) != 0) i++;
        if (i == n) {
            const char *near = mlops__suggest(name, n, field_key_at, fields);
            return fail_at(L, MLOPS_EFORMAT, k, path, "unknown key%s%s%s",
                           near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
        if (fields[i].value != NULL)
            return fail_at(L, MLOPS_EFORMAT, k, path, "key repeated (first on line %zu)",
                           line_of(fields[i].key_node));
        fields[i].key_node = k;
        fields[i].value = v;
    }
    return MLOPS_OK;
}

/* ---- Columns ------------------------------------------------------------------ */

enum { F_NAME, F_TYPE, F_ROLE, F_REQUIRED, F_SENSITIVE, F_MIN, F_MAX, F_MISSING, F_CATEGORIES,
       NCOLUMN_FIELDS };

static int read_categories(const loader *L, const yaml_node_t *node, const char *key,
                           mlops__schema_column *c)
{
    if (is_null(node)) return MLOPS_OK;
    if (node->type != YAML_SEQUENCE_NODE)
        return fail_at(L, MLOPS_EFORMAT, node, key, "expected a list of strings or null, found %s",
                       describe(node));
    yaml_node_item_t *items = node->data.sequence.items.start;
    size_t n = (size_t)(node->data.sequence.items.top - items);
    const char **values = mlops__malloc_array(n ? n : 1, sizeof *values, "schema categories");
    if (values == NULL) return MLOPS_ENOMEM;
    int rc = MLOPS_OK;
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++)
        rc = get_string(L, yaml_document_get_node(L->doc, items[i]), key, &values[i]);
    const char *dup = rc == MLOPS_OK ? mlops__schema_first_duplicate(values, n, &rc) : NULL;
    if (dup != NULL) {
        size_t second = 0, seen = 0;
        for (size_t i = 0; i < n && seen < 2; i++)
            if (strcmp(values[i], dup) == 0) second = i, seen++;
        rc = fail_at(L, MLOPS_EFORMAT, yaml_document_get_node(L->doc, items[second]), key,
                     "category '%.100s' is listed twice", dup);
    }
    if (rc == MLOPS_OK) rc = mlops__schema_set_categories(c, values, n, key);
    mlops__free(values);
    return rc;
}

static int read_bound(const loader *L, const field *f, const char *key, int type, double *out)
{
    if (f->value == NULL || is_null(f->value)) return MLOPS_OK;
    if (type != MLOPS_NUMERIC)
        return fail_at(L, MLOPS_EFORMAT, f->value, key,
                       "bounds apply to numeric columns; this column is categorical");
    return get_number(L, f->value, key, out);
}

/* Reads the settings other than the name into `c` (already initialised). */
static int read_settings(const loader *L, const field *f, const char *prefix,
                         mlops__schema_column *c)
{
    char key[160];
#define KEY(i) (snprintf(key, sizeof key, "%s%s", prefix, f[i].key), key)
    int rc;
    const char *text;
    if (f[F_ROLE].value) {
        if ((rc = get_string(L, f[F_ROLE].value, KEY(F_ROLE), &text)) != MLOPS_OK) return rc;
        if (mlops_role_from_name(text, &c->role) != MLOPS_OK)
            return fail_at(L, MLOPS_EFORMAT, f[F_ROLE].value, key,
                           "'%.40s' is not a role (feature, target, group, weight, id, time, "
                           "ignore)",
                           text);
    }
    if (f[F_REQUIRED].value &&
        (rc = get_bool(L, f[F_REQUIRED].value, KEY(F_REQUIRED), &c->required)) != MLOPS_OK)
        return rc;
    if (f[F_SENSITIVE].value &&
        (rc = get_bool(L, f[F_SENSITIVE].value, KEY(F_SENSITIVE), &c->sensitive)) != MLOPS_OK)
        return rc;
    if ((rc = read_bound(L, &f[F_MIN], KEY(F_MIN), c->type, &c->min)) != MLOPS_OK) return rc;
    if ((rc = read_bound(L, &f[F_MAX], KEY(F_MAX), c->type, &c->max)) != MLOPS_OK) return rc;
    if (c->min > c->max)
        return fail_at(L, MLOPS_EFORMAT, f[F_MIN].value, KEY(F_MIN),
                       "min %.40s is above max %.40s (line %zu)", scalar_text(f[F_MIN].value),
                       scalar_text(f[F_MAX].value), line_of(f[F_MAX].value));
    if (f[F_MISSING].value) {
        if ((rc = get_number(L, f[F_MISSING].value, KEY(F_MISSING), &c->max_missing)) != MLOPS_OK)
            return rc;
        if (c->max_missing < 0 || c->max_missing > 1)
            return fail_at(L, MLOPS_EFORMAT, f[F_MISSING].value, key,
                           "%.40s is outside the range 0 to 1", scalar_text(f[F_MISSING].value));
    }
    if (f[F_CATEGORIES].value) {
        KEY(F_CATEGORIES);
        if (c->type != MLOPS_CATEGORICAL && !is_null(f[F_CATEGORIES].value))
            return fail_at(L, MLOPS_EFORMAT, f[F_CATEGORIES].value, key,
                           "categories apply to categorical columns; this column is numeric");
        return read_categories(L, f[F_CATEGORIES].value, key, c);
    }
#undef KEY
    return MLOPS_OK;
}

static int read_column(const loader *L, const yaml_node_t *node, size_t index, mlops_schema *s)
{
    char prefix[40], key[160];
    snprintf(prefix, sizeof prefix, "columns[%zu].", index);
    snprintf(key, sizeof key, "columns[%zu]", index);
    if (node->type != YAML_MAPPING_NODE)
        return fail_at(L, MLOPS_EFORMAT, node, key, "expected a mapping, found %s",
                       describe(node));
    field f[NCOLUMN_FIELDS] = {
        [F_NAME] = {.key = "name"},           [F_TYPE] = {.key = "type"},
        [F_ROLE] = {.key = "role"},           [F_REQUIRED] = {.key = "required"},
        [F_SENSITIVE] = {.key = "sensitive"}, [F_MIN] = {.key = "min"},
        [F_MAX] = {.key = "max"},             [F_MISSING] = {.key = "max_missing_fraction"},
        [F_CATEGORIES] = {.key = "categories"},
    };
    int rc = read_fields(L, node, prefix, f, NCOLUMN_FIELDS);
    if (rc != MLOPS_OK) return rc;
    for (int i = F_NAME; i <= F_TYPE; i++)
        if (f[i].value == NULL) {
            snprintf(key, sizeof key, "%s%s", prefix, f[i].key);
            return fail_at(L, MLOPS_EFORMAT, node, key, "missing (every column needs a %s)",
                           f[i].key);
        }
    const char *name, *type_name;
    snprintf(key, sizeof key, "%sname", prefix);
    if ((rc = get_string(L, f[F_NAME].value, key, &name)) != MLOPS_OK) return rc;
    if (*name == '\0') return fail_at(L, MLOPS_EFORMAT, f[F_NAME].value, key, "empty column name");
    /* A hash, not mlops__schema_find(): a long list must not cost n^2. */
    size_t before = mlops__dict_size(L->columns);
    int32_t dup;
    if ((rc = mlops__dict_intern(L->columns, name, strlen(name), &dup)) != MLOPS_OK) return rc;
    if (mlops__dict_size(L->columns) == before)
        return fail_at(L, MLOPS_EFORMAT, f[F_NAME].value, key,
                       "column '%.100s' is listed twice (also columns[%ld])", name, (long)dup);
    snprintf(key, sizeof key, "%stype", prefix);
    if ((rc = get_string(L, f[F_TYPE].value, key, &type_name)) != MLOPS_OK) return rc;
    int type = mlops__schema_type_from_name(type_name);
    if (type == 0)
        return fail_at(L, MLOPS_EFORMAT, f[F_TYPE].value, key,
                       "'%.40s' is not numeric or categorical", type_name);
    mlops__schema_column c;
    rc = mlops__schema_column_init(&c, name, type);
    if (rc == MLOPS_OK) rc = read_settings(L, f, prefix, &c);
    if (rc == MLOPS_OK) rc = mlops__schema_append(s, &c);
    if (rc != MLOPS_OK) mlops__schema_column_clear(&c);
    return rc;
}

/* ---- The document ---------------------------------------------------------------- */

enum { T_FORMAT, T_VERSION, T_STRICT, T_COLUMNS, NTOP_FIELDS };

/* Format and version first: a newer file must give MLOPS_EVERSION, not an
 * error about a key this version does not know. */
static int check_format(const loader *L, const yaml_node_t *root, const field *f)
{
    const char *text;
    if (f[T_FORMAT].value == NULL)
        return fail_at(L, MLOPS_EFORMAT, root, "format",
                       "missing: not a libmlops schema (expected format: %s)", FORMAT_NAME);
    if (get_string(L, f[T_FORMAT].value, "format", &text) != MLOPS_OK) return MLOPS_EFORMAT;
    if (strcmp(text, FORMAT_NAME) != 0)
        return fail_at(L, MLOPS_EFORMAT, f[T_FORMAT].value, "format",
                       "'%.60s' is not a libmlops schema (expected %s)", text, FORMAT_NAME);
    double version;
    if (f[T_VERSION].value == NULL)
        return fail_at(L, MLOPS_EFORMAT, root, "version", "missing (expected %d)",
                       SCHEMA_FORMAT_VERSION);
    if (get_number(L, f[T_VERSION].value, "version", &version) != MLOPS_OK) return MLOPS_EFORMAT;
    if (version != floor(version) || version < 1)
        return fail_at(L, MLOPS_EFORMAT, f[T_VERSION].value, "version",
                       "%.40s is not a format version (a whole number from 1)",
                       scalar_text(f[T_VERSION].value));
    if (version > SCHEMA_FORMAT_VERSION)
        return fail_at(L, MLOPS_EVERSION, f[T_VERSION].value, "version",
                       "format version %.40s is newer than this library reads (%d); "
                       "upgrade libmlops",
                       scalar_text(f[T_VERSION].value), SCHEMA_FORMAT_VERSION);
    return MLOPS_OK;
}

static int read_document(const loader *L, mlops_schema *s)
{
    const yaml_node_t *root = yaml_document_get_root_node(L->doc);
    if (root->type != YAML_MAPPING_NODE)
        return fail_at(L, MLOPS_EFORMAT, root, NULL,
                       "expected a mapping with format: %s, found %s", FORMAT_NAME,
                       describe(root));
    field f[NTOP_FIELDS] = {[T_FORMAT] = {.key = "format"},
                            [T_VERSION] = {.key = "version"},
                            [T_STRICT] = {.key = "strict"},
                            [T_COLUMNS] = {.key = "columns"}};
    /* Unknown keys are reported after the format check, so collect the known
     * ones leniently first. */
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        for (int i = T_FORMAT; i <= T_VERSION; i++)
            if (k->type == YAML_SCALAR_NODE && strcmp(scalar_text(k), f[i].key) == 0 &&
                f[i].value == NULL)
                f[i].value = yaml_document_get_node(L->doc, p->value);
    }
    int rc = check_format(L, root, f);
    if (rc != MLOPS_OK) return rc;
    f[T_FORMAT].value = f[T_VERSION].value = NULL;
    if ((rc = read_fields(L, root, "", f, NTOP_FIELDS)) != MLOPS_OK) return rc;
    if (f[T_STRICT].value && (rc = get_bool(L, f[T_STRICT].value, "strict", &s->strict)))
        return rc;
    const yaml_node_t *cols = f[T_COLUMNS].value;
    if (cols == NULL) return fail_at(L, MLOPS_EFORMAT, root, "columns", "missing");
    if (cols->type != YAML_SEQUENCE_NODE)
        return fail_at(L, MLOPS_EFORMAT, cols, "columns", "expected a list of columns, found %s",
                       describe(cols));
    yaml_node_item_t *items = cols->data.sequence.items.start;
    size_t n = (size_t)(cols->data.sequence.items.top - items);
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++)
        rc = read_column(L, yaml_document_get_node(L->doc, items[i]), i, s);
    return rc;
}

static int syntax_error(const yaml_parser_t *p, const char *name)
{
    if (p->error == YAML_MEMORY_ERROR)
        return mlops__fail(MLOPS_ENOMEM, "schema '%s': out of memory while parsing", name);
    const char *problem = p->problem ? p->problem : "unknown problem";
    if (p->error == YAML_READER_ERROR)
        return mlops__fail(MLOPS_EFORMAT, "schema '%s' byte %zu: not valid YAML or JSON text: %s",
                           name, p->problem_offset, problem);
    return mlops__fail(MLOPS_EFORMAT,
                       "schema '%s' line %zu column %zu: not valid YAML or JSON: %s%s%s", name,
                       p->problem_mark.line + 1, p->problem_mark.column + 1, problem,
                       p->context ? " " : "", p->context ? p->context : "");
}

/* libyaml rescans every open flow collection for each token, checks each
 * %TAG directive and looks each anchor and alias up among all earlier ones,
 * so deep nesting and many directives or anchors cost time quadratic in the
 * text. A schema nests four levels and needs neither, so one pass over the
 * tokens refuses them before a document is built. A scanning error ends the
 * pass quietly: loading reports it (or an earlier problem) with context. */
static int check_tokens(const char *text, size_t len, const char *name)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return mlops__fail(MLOPS_ENOMEM, "schema '%s': cannot start the YAML parser", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = MLOPS_OK, depth = 0, directives = 0;
    for (bool done = false; rc == MLOPS_OK && !done;) {
        yaml_token_t tok;
        if (!yaml_parser_scan(&parser, &tok)) break;
        size_t line = tok.start_mark.line + 1;
        switch (tok.type) {
        case YAML_ANCHOR_TOKEN:
        case YAML_ALIAS_TOKEN:
            rc = mlops__fail(MLOPS_EFORMAT,
                             "schema '%s' line %zu: anchors and aliases (&name, *name) are not "
                             "supported in a schema",
                             name, line);
            break;
        case YAML_VERSION_DIRECTIVE_TOKEN:
        case YAML_TAG_DIRECTIVE_TOKEN:
            if (++directives > SCHEMA_MAX_DIRECTIVES)
                rc = mlops__fail(MLOPS_EFORMAT, "schema '%s' line %zu: more than %d directives",
                                 name, line, SCHEMA_MAX_DIRECTIVES);
            break;
        case YAML_BLOCK_SEQUENCE_START_TOKEN:
        case YAML_BLOCK_MAPPING_START_TOKEN:
        case YAML_FLOW_SEQUENCE_START_TOKEN:
        case YAML_FLOW_MAPPING_START_TOKEN:
            if (++depth > SCHEMA_MAX_DEPTH)
                rc = mlops__fail(MLOPS_EFORMAT,
                                 "schema '%s' line %zu: lists and mappings nest more than %d "
                                 "deep",
                                 name, line, SCHEMA_MAX_DEPTH);
            break;
        case YAML_BLOCK_END_TOKEN:
        case YAML_FLOW_SEQUENCE_END_TOKEN:
        case YAML_FLOW_MAPPING_END_TOKEN: depth--; break;
        case YAML_STREAM_END_TOKEN: done = true; break;
        default: break;
        }
        yaml_token_delete(&tok);
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* Parses the first document and makes sure no second one follows. */
static int parse(yaml_document_t *doc, const char *text, size_t len, const char *name)
{
    int rc = check_tokens(text, len, name);
    if (rc != MLOPS_OK) return rc;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return mlops__fail(MLOPS_ENOMEM, "schema '%s': cannot start the YAML parser", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, doc)) {
        rc = syntax_error(&parser, name);
    } else {
        yaml_document_t next;
        if (!yaml_parser_load(&parser, &next)) {
            rc = syntax_error(&parser, name);
        } else {
            const yaml_node_t *extra = yaml_document_get_root_node(&next);
            if (extra != NULL)
                rc = mlops__fail(MLOPS_EFORMAT,
                                 "schema '%s' line %zu: a second document follows the schema",
                                 name, (size_t)extra->start_mark.line + 1);
            yaml_document_delete(&next);
        }
        if (rc != MLOPS_OK) yaml_document_delete(doc);
    }
    yaml_parser_delete(&parser);
    return rc;
}

MLOPS_API int mlops_schema_from_text(mlops_schema **out, const char *text, size_t len,
                                     const char *name)
{
    if (out == NULL || (text == NULL && len > 0))
        return mlops__fail(MLOPS_EINVAL, "mlops_schema_from_text: NULL argument");
    if (name == NULL) name = "<text>";
    yaml_document_t doc;
    int rc = parse(&doc, len ? text : "", len, name);
    if (rc != MLOPS_OK) return rc;
    loader L = {.doc = &doc, .name = name};
    mlops_schema *s = NULL;
    if (yaml_document_get_root_node(&doc) == NULL)
        rc = mlops__fail(MLOPS_EFORMAT, "schema '%s' is empty", name);
    else
        rc = mlops_schema_create(&s);
    if (rc == MLOPS_OK) rc = mlops__dict_create(&L.columns);
    if (rc == MLOPS_OK) rc = read_document(&L, s);
    mlops__dict_free(L.columns);
    yaml_document_delete(&doc);
    if (rc != MLOPS_OK) {
        mlops_schema_free(s);
        return rc;
    }
    *out = s;
    return MLOPS_OK;
}

MLOPS_API int mlops_schema_load(mlops_schema **out, const char *path)
{
    if (out == NULL || path == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_schema_load: NULL argument");
    unsigned char *data;
    size_t len;
    int rc = mlops__read_file(path, SCHEMA_MAX_FILE_BYTES, &data, &len);
    if (rc != MLOPS_OK) return rc;
    rc = mlops_schema_from_text(out, (const char *)data, len, path);
    mlops__free(data);
    return rc;
}
