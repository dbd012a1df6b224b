/* Loading malformed schema files (tests/data/schema/bad_*): each gives the
 * right code and a message naming the file, the line and the key, and never
 * a schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mlops.h>

#include "runner.h"

#define SCHEMA_DIR GOLDEN_DIR "/../data/schema"

typedef struct bad_case {
    const char *file;
    int code;
    int line;         /* 0: the message names no line */
    const char *key;  /* NULL: the message names no key */
    const char *detail;
} bad_case;

static const bad_case CASES[] = {
    {"bad_syntax.json", MLOPS_EFORMAT, 6, NULL, "column 5: not valid YAML or JSON"},
    {"bad_indentation.yaml", MLOPS_EFORMAT, 6, NULL, "not valid YAML or JSON"},
    {"bad_root_list.yaml", MLOPS_EFORMAT, 1, NULL, "expected a mapping"},
    {"bad_format.json", MLOPS_EFORMAT, 2, "format", "'libmlops-model' is not a libmlops schema"},
    {"bad_no_format.yaml", MLOPS_EFORMAT, 2, "format", "missing: not a libmlops schema"},
    {"bad_newer_version.json", MLOPS_EVERSION, 3, "version",
     "format version 2 is newer than this library reads (1)"},
    {"bad_version_string.json", MLOPS_EFORMAT, 3, "version", "expected a number, found a string"},
    {"bad_version_fraction.yaml", MLOPS_EFORMAT, 2, "version", "1.5 is not a format version"},
    {"bad_unknown_column_key.yaml", MLOPS_EFORMAT, 8, "columns[1].maxx",
     "unknown key (did you mean 'max'?)"},
    {"bad_unknown_top_key.json", MLOPS_EFORMAT, 5, "colums",
     "unknown key (did you mean 'columns'?)"},
    {"bad_min_above_max.yaml", MLOPS_EFORMAT, 6, "columns[0].min",
     "min 130 is above max 120 (line 7)"},
    {"bad_fraction_above_one.json", MLOPS_EFORMAT, 8, "columns[0].max_missing_fraction",
     "1.5 is outside the range 0 to 1"},
    {"bad_fraction_negative.yaml", MLOPS_EFORMAT, 6, "columns[0].max_missing_fraction",
     "-0.1 is outside the range 0 to 1"},
    {"bad_duplicate_column.yaml", MLOPS_EFORMAT, 8, "columns[2].name",
     "column 'age' is listed twice (also columns[0])"},
    {"bad_duplicate_key.yaml", MLOPS_EFORMAT, 7, "columns[0].min",
     "key repeated (first on line 6)"},
    {"bad_required_string.json", MLOPS_EFORMAT, 5, "columns[0].required",
     "expected true or false, found a string"},
    {"bad_min_text.yaml", MLOPS_EFORMAT, 6, "columns[0].min",
     "'zero' is not a finite decimal number"},
    {"bad_min_infinite.yaml", MLOPS_EFORMAT, 6, "columns[0].min",
     "'.inf' is not a finite decimal number"},
    {"bad_type.yaml", MLOPS_EFORMAT, 5, "columns[0].type",
     "'integer' is not numeric or categorical"},
    {"bad_role.json", MLOPS_EFORMAT, 2, "columns[0].role", "'label' is not a role"},
    {"bad_categories_on_numeric.yaml", MLOPS_EFORMAT, 6, "columns[0].categories",
     "categories apply to categorical columns"},
    {"bad_bounds_on_categorical.yaml", MLOPS_EFORMAT, 6, "columns[0].max",
     "bounds apply to numeric columns"},
    {"bad_duplicate_category.json", MLOPS_EFORMAT, 11, "columns[0].categories",
     "category 'USA' is listed twice"},
    {"bad_category_not_string.yaml", MLOPS_EFORMAT, 8, "columns[0].categories",
     "expected a string, found a list"},
    {"bad_columns_mapping.yaml", MLOPS_EFORMAT, 4, "columns",
     "expected a list of columns, found a mapping"},
    {"bad_column_without_type.yaml", MLOPS_EFORMAT, 4, "columns[0].type",
     "missing (every column needs a type)"},
    {"bad_strict_number.yaml", MLOPS_EFORMAT, 3, "strict",
     "expected true or false, found a number"},
    {"bad_empty.yaml", MLOPS_EFORMAT, 0, NULL, "is empty"},
    {"bad_two_documents.yaml", MLOPS_EFORMAT, 5, NULL, "a second document follows the schema"},
    {"bad_empty_name.json", MLOPS_EFORMAT, 1, "columns[0].name", "empty column name"},
};

START_TEST(malformed_file)
{
    const bad_case *c = &CASES[_i];
    char path[512], want[700];
    snprintf(path, sizeof path, "%s/%s", SCHEMA_DIR, c->file);
    mlops_schema *s = (mlops_schema *)&want;  /* must stay untouched */
    mlops_schema *const sentinel = s;
    mlops_clear_error();
    int rc = mlops_schema_load(&s, path);
    const char *msg = mlops_last_error();
    ck_assert_msg(rc == c->code, "%s: code %d (%s), expected %d: %s", c->file, rc,
                  mlops_strerror(rc), c->code, msg);
    ck_assert_ptr_eq(s, sentinel);
    snprintf(want, sizeof want, "schema '%s'", path);
    ck_assert_msg(strstr(msg, want) != NULL, "%s: message does not name the file: %s", c->file,
                  msg);
    if (c->line > 0) {
        snprintf(want, sizeof want, "schema '%s' line %d", path, c->line);
        const char *at = strstr(msg, want);
        char after = at ? at[strlen(want)] : '\0';
        ck_assert_msg(after != '\0' && strchr(", :", after) != NULL,
                      "%s: message does not name line %d: %s", c->file, c->line, msg);
    }
    if (c->key != NULL) {
        snprintf(want, sizeof want, "key '%s': ", c->key);
        ck_assert_msg(strstr(msg, want) != NULL, "%s: message does not name key %s: %s", c->file,
                      c->key, msg);
    }
    ck_assert_msg(strstr(msg, c->detail) != NULL, "%s: message lacks '%s': %s", c->file,
                  c->detail, msg);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static int from_text(const char *text, size_t len)
{
    mlops_schema *s = NULL;
    int rc = mlops_schema_from_text(&s, text, len, "mem");
    ck_assert_ptr_null(s);
    return rc;
}

START_TEST(malformed_text)
{
    static const char head[] = "format: libmlops-schema\nversion: 1\ncolumns:\n";
    char text[256];
    /* A raw control character is not YAML text. */
    snprintf(text, sizeof text, "%s  - {name: \"a\x01\", type: numeric}\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "schema 'mem' byte"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "control characters are not allowed"));
    /* Invalid UTF-8. */
    snprintf(text, sizeof text, "%s  - {name: \"a\xc3\", type: numeric}\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    /* An escaped NUL would cut the name short. */
    snprintf(text, sizeof text, "%s  - {name: \"a\\0b\", type: numeric}\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "line 4, key 'columns[0].name': string "
                                                     "contains a NUL character"));
    /* A NUL byte inside the given length. */
    ck_assert_int_eq(from_text("format: x\0", 10), MLOPS_EFORMAT);
    /* Scalars, mappings and lists where others belong. */
    snprintf(text, sizeof text, "%s  - {name: {a: 1}, type: numeric}\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "expected a string, found a mapping"));
    snprintf(text, sizeof text, "%s  - {name: null, type: numeric}\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "expected a string, found null"));
    snprintf(text, sizeof text, "%s  - 42\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "key 'columns[0]': expected a mapping, "
                                                     "found a number"));
    snprintf(text, sizeof text, "%s  - {name: a, type: numeric, max: [1]}\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "expected a number, found a list"));
    snprintf(text, sizeof text, "%s  - {name: a, type: numeric, max: 1e999}\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    snprintf(text, sizeof text, "%s  - {name: a, type: numeric, max: 0x10}\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    snprintf(text, sizeof text, "%s  - {name: a, type: categorical, categories: x}\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "expected a list of strings or null"));
    snprintf(text, sizeof text, "%s  - {name: a, type: categorical, categories: [x, ~]}\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    snprintf(text, sizeof text, "%s  - {[name]: a, type: numeric}\n", head);
    ck_assert_int_eq(from_text(text, strlen(text)), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "keys must be strings"));
    /* Scalars and lists at the top. */
    ck_assert_int_eq(from_text("just text", 9), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "expected a mapping"));
    ck_assert_int_eq(from_text("[]", 2), MLOPS_EFORMAT);
    ck_assert_int_eq(from_text("", 0), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "schema 'mem' is empty"));
    ck_assert_int_eq(from_text(NULL, 0), MLOPS_EFORMAT);
    /* The format check comes before anything else, so an old reader says
     * "newer" even when the rest uses keys it does not know. */
    static const char newer[] = "{version: 7, format: libmlops-schema, tables: [], columns: 3}";
    ck_assert_int_eq(from_text(newer, strlen(newer)), MLOPS_EVERSION);
    static const char zero[] = "{version: 0, format: libmlops-schema, columns: []}";
    ck_assert_int_eq(from_text(zero, strlen(zero)), MLOPS_EFORMAT);
    static const char repeated[] =
        "{format: libmlops-schema, version: 1, columns: [], format: libmlops-schema}";
    ck_assert_int_eq(from_text(repeated, strlen(repeated)), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "key 'format': key repeated"));
    static const char no_columns[] = "{format: libmlops-schema, version: 1}";
    ck_assert_int_eq(from_text(no_columns, strlen(no_columns)), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "key 'columns': missing"));
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Damaged copies of valid documents (every truncation, random byte
 * changes) load or fail cleanly with a format error, never anything else. */
static void assert_clean(const char *text, size_t len)
{
    mlops_schema *s = NULL;
    int rc = mlops_schema_from_text(&s, text, len, "damaged");
    ck_assert_msg(rc == MLOPS_OK || rc == MLOPS_EFORMAT || rc == MLOPS_EVERSION,
                  "code %d: %s", rc, mlops_last_error());
    if (rc != MLOPS_OK) ck_assert_uint_gt(strlen(mlops_last_error()), 0);
    mlops_schema_free(s);
}

START_TEST(damaged_documents)
{
    static const char *const files[] = {SCHEMA_DIR "/iris.yaml",
                                        SCHEMA_DIR "/bad_duplicate_category.json"};
    static const char replacements[] = "{}[],:\"'-#&*!|>\n 0a\x80\x00";
    for (size_t f = 0; f < 2; f++) {
        FILE *fp = fopen(files[f], "rb");
        ck_assert_ptr_nonnull(fp);
        char text[4096];
        size_t len = fread(text, 1, sizeof text, fp);
        fclose(fp);
        ck_assert_uint_lt(len, sizeof text);
        for (size_t cut = 0; cut <= len; cut++) assert_clean(text, cut);
        unsigned long state = 12345;
        for (int round = 0; round < 3000; round++) {
            char copy[4096];
            memcpy(copy, text, len);
            for (int k = 0; k < 3; k++) {
                state = state * 6364136223846793005UL + 1442695040888963407UL;
                size_t at = (size_t)(state >> 33) % len;
                copy[at] = replacements[(state >> 17) % (sizeof replacements - 1)];
            }
            assert_clean(copy, len);
        }
    }
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A growing text buffer for generated documents. */
typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void add(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        ck_assert_ptr_nonnull(t->p);
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void adds(text *t, const char *s)
{
    add(t, s, strlen(s));
}

static void repeat(text *t, const char *s, size_t times)
{
    for (size_t i = 0; i < times; i++) adds(t, s);
}

/* Documents that cost a YAML reader quadratic time or memory (anchors and
 * aliases, deep nesting, many directives) are refused at once, and a long
 * column list loads in linear time. */
START_TEST(hostile_documents)
{
    static const char head[] = "format: libmlops-schema\nversion: 1\n";
    text t = {0};
    /* billion laughs: ten aliases per level, 30 levels */
    adds(&t, head);
    adds(&t, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 30; i++) {
        char line[200];
        snprintf(line, sizeof line, "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, "
                 "*l%d, *l%d]\n", i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                 i - 1, i - 1);
        adds(&t, line);
    }
    adds(&t, "columns: []\n");
    ck_assert_int_eq(from_text(t.p, t.len), MLOPS_EFORMAT);
    ck_assert_str_eq(mlops_last_error(), "schema 'mem' line 3: anchors and aliases (&name, "
                                         "*name) are not supported in a schema");
    /* an alias where a column's categories belong */
    static const char alias[] = "format: libmlops-schema\nversion: 1\ncolumns:\n"
                                "  - {name: a, type: categorical, categories: [x]}\n"
                                "  - {name: b, type: categorical, categories: *c}\n";
    ck_assert_int_eq(from_text(alias, strlen(alias)), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "line 5: anchors and aliases"));
    /* 200000 nested flow lists (libyaml alone would take minutes) */
    t.len = 0;
    adds(&t, head);
    adds(&t, "columns: []\nx: ");
    repeat(&t, "[", 200000);
    repeat(&t, "]", 200000);
    double start = seconds();
    ck_assert_int_eq(from_text(t.p, t.len), MLOPS_EFORMAT);
    ck_assert_str_eq(mlops_last_error(),
                     "schema 'mem' line 4: lists and mappings nest more than 32 deep");
    ck_assert_double_lt(seconds() - start, 5.0);
    /* block nesting, too; 32 levels are fine where a key is unknown */
    t.len = 0;
    adds(&t, head);
    adds(&t, "columns: []\nx:\n");
    for (int i = 1; i <= 40; i++) {
        repeat(&t, " ", (size_t)i);
        adds(&t, "- \n");
    }
    ck_assert_int_eq(from_text(t.p, t.len), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "nest more than 32 deep"));
    t.len = 0;
    adds(&t, head);
    adds(&t, "columns: []\nx: ");
    repeat(&t, "[", 31);
    repeat(&t, "]", 31);
    ck_assert_int_eq(from_text(t.p, t.len), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "key 'x': unknown key"));
    /* many %TAG directives (each checked against all earlier ones) */
    t.len = 0;
    for (int i = 0; i < 100000; i++) {
        char line[40];
        snprintf(line, sizeof line, "%%TAG !t%d! tag:x:\n", i);
        adds(&t, line);
    }
    adds(&t, "---\n");
    adds(&t, head);
    adds(&t, "columns: []\n");
    start = seconds();
    ck_assert_int_eq(from_text(t.p, t.len), MLOPS_EFORMAT);
    ck_assert_str_eq(mlops_last_error(), "schema 'mem' line 17: more than 16 directives");
    ck_assert_double_lt(seconds() - start, 5.0);
    /* a few directives are fine */
    static const char directives[] = "%YAML 1.1\n%TAG !e! tag:example.com,2024:\n---\n"
                                     "format: libmlops-schema\nversion: 1\ncolumns: []\n";
    mlops_schema *s = NULL;
    ck_assert_int_eq(mlops_schema_from_text(&s, directives, strlen(directives), "mem"),
                     MLOPS_OK);
    mlops_schema_free(s);
    /* a long column list whose names share a long prefix: the duplicate
     * check must not compare every pair */
    size_t ncols = getenv("MLOPS_TEST_SHORT") ? 2000 : 30000;
    t.len = 0;
    adds(&t, head);
    adds(&t, "columns: [\n");
    char prefix[101];
    memset(prefix, 'p', 100);
    prefix[100] = '\0';
    for (size_t i = 0; i < ncols; i++) {
        char line[200];
        snprintf(line, sizeof line, "{name: %s%zu, type: numeric},\n", prefix, i);
        adds(&t, line);
    }
    adds(&t, "{name: p, type: numeric}]\n");
    start = seconds();
    ck_assert_int_eq(mlops_schema_from_text(&s, t.p, t.len, "mem"), MLOPS_OK);
    double took = seconds() - start;
    ck_assert_uint_eq(mlops_schema_column_count(s), ncols + 1);
    mlops_schema_free(s);
    if (!getenv("MLOPS_TEST_SHORT")) ck_assert_double_lt(took, 8.0); /* n^2: 17 s */
    free(t.p);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Fuzzing: documents grown from valid seeds by inserting YAML and JSON
 * fragments, deleting, duplicating and overwriting bytes. Every one loads
 * or fails with a format error and a message; every one that loads saves
 * and loads back to the same text. Deterministic (a fixed LCG). */
static const char *const FRAGMENTS[] = {
    "[", "]", "{", "}", ",", ": ", "- ", "\n", "\n  ", "\n    - ", "&a ", "*a", "!!str ",
    "!!map ", "%TAG ! tag:x:\n", "%YAML 1.1\n", "---\n", "...\n", "\"", "'", "\\u00e9",
    "\\0", "\\x80", "#c\n", "? ", "|\n  x\n", ">-\n  y\n", "~", "null", "true", "False",
    "1e999", "-0", "0x1f", "1.5", "-1e-400", "99999999999999999999999", ".nan", "name",
    "type", "numeric", "categorical", "categories", "min", "max", "columns", "format",
    "version", "libmlops-schema", "strict", "role", "target", "required", "sensitive",
    "max_missing_fraction", "\xc3\xa9", "\xc3", "\xef\xbb\xbf", "\xe2\x80\xa8", "\t", "\r",
    "\x01", "[[[[[[[[[[[[", "{a: {b: {c: {d: ", "{name: z, type: numeric}",
};

static unsigned long lcg(unsigned long *state)
{
    *state = *state * 6364136223846793005UL + 1442695040888963407UL;
    return *state >> 33;
}

static void mutate(text *t, unsigned long *state)
{
    size_t at = t->len ? lcg(state) % (t->len + 1) : 0;
    switch (lcg(state) % 6) {
    case 0:
    case 1: { /* insert a fragment */
        const char *f = FRAGMENTS[lcg(state) % (sizeof FRAGMENTS / sizeof FRAGMENTS[0])];
        text rest = {0};
        add(&rest, t->p + at, t->len - at);
        t->len = at;
        adds(t, f);
        add(t, rest.p, rest.len);
        free(rest.p);
        break;
    }
    case 2: { /* delete up to 16 bytes */
        size_t n = lcg(state) % 17;
        if (n > t->len - at) n = t->len - at;
        memmove(t->p + at, t->p + at + n, t->len - at - n + 1);
        t->len -= n;
        break;
    }
    case 3: { /* copy up to 64 bytes from elsewhere to here */
        size_t from = t->len ? lcg(state) % t->len : 0, n = lcg(state) % 65;
        if (n > t->len - from) n = t->len - from;
        text piece = {0}, rest = {0};
        add(&piece, t->p + from, n);
        add(&rest, t->p + at, t->len - at);
        t->len = at;
        add(t, piece.p, piece.len);
        add(t, rest.p, rest.len);
        free(piece.p);
        free(rest.p);
        break;
    }
    default: /* overwrite a byte */
        if (at < t->len) t->p[at] = (char)lcg(state);
        break;
    }
}

START_TEST(fuzzed_documents)
{
    /* seeds: the hand-written file, the writer's JSON of a varied schema,
     * and a compact flow document */
    char seed_file[4096];
    FILE *fp = fopen(SCHEMA_DIR "/iris.yaml", "rb");
    ck_assert_ptr_nonnull(fp);
    size_t n = fread(seed_file, 1, sizeof seed_file - 1, fp);
    fclose(fp);
    seed_file[n] = '\0';
    mlops_schema *s;
    ck_assert_int_eq(mlops_schema_create(&s), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "age", MLOPS_NUMERIC), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "age", "min", "-0.5"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "age", "max", "1e300"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_add_column(s, "c\xc3\xa9", MLOPS_CATEGORICAL), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "c\xc3\xa9", "categories", "a,b\\,c, d"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set(s, "c\xc3\xa9", "role", "target"), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_set_option(s, "strict", "true"), MLOPS_OK);
    char *seed_json;
    ck_assert_int_eq(mlops_schema_to_json(s, &seed_json), MLOPS_OK);
    mlops_schema_free(s);
    const char *const seeds[] = {
        seed_file, seed_json,
        "{format: libmlops-schema, version: 1, columns: [{name: x, type: numeric, min: 1, "
        "max: 2}, {name: y, type: categorical, categories: [u, v], required: false}]}",
    };
    int rounds = getenv("MLOPS_TEST_SHORT") ? 200 : 4000, loaded = 0;
    unsigned long state = 2024;
    for (int round = 0; round < rounds; round++) {
        text t = {0};
        adds(&t, seeds[round % 3]);
        int nmut = 1 + (int)(lcg(&state) % 3);
        for (int k = 0; k < nmut; k++) mutate(&t, &state);
        s = NULL;
        mlops_clear_error();
        int rc = mlops_schema_from_text(&s, t.p, t.len, "fuzz");
        ck_assert_msg(rc == MLOPS_OK || rc == MLOPS_EFORMAT || rc == MLOPS_EVERSION,
                      "round %d: code %d: %s", round, rc, mlops_last_error());
        if (rc != MLOPS_OK) {
            ck_assert_ptr_null(s);
            ck_assert_ptr_nonnull(strstr(mlops_last_error(), "schema 'fuzz'"));
        } else {
            loaded++;
            char *a, *b;
            mlops_schema *again = NULL;
            ck_assert_int_eq(mlops_schema_to_json(s, &a), MLOPS_OK);
            ck_assert_msg(mlops_schema_from_text(&again, a, strlen(a), "again") == MLOPS_OK,
                          "round %d: the saved text does not load: %s", round,
                          mlops_last_error());
            ck_assert_int_eq(mlops_schema_to_json(again, &b), MLOPS_OK);
            ck_assert_str_eq(a, b);
            mlops_free(a);
            mlops_free(b);
            mlops_schema_free(again);
            mlops_schema_free(s);
        }
        free(t.p);
    }
    ck_assert_int_gt(loaded, rounds / 40);
    mlops_free(seed_json);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(bad_arguments_and_files)
{
    mlops_schema *s = NULL;
    ck_assert_int_eq(mlops_schema_load(&s, SCHEMA_DIR "/no_such_file.json"), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "no_such_file.json"));
    ck_assert_int_ne(mlops_schema_load(&s, SCHEMA_DIR), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_load(NULL, SCHEMA_DIR "/iris.yaml"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_load(&s, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_from_text(NULL, "{}", 2, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_from_text(&s, NULL, 3, NULL), MLOPS_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(mlops_schema_to_json(NULL, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_create(&s), MLOPS_OK);
    ck_assert_int_eq(mlops_schema_save(s, NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_schema_save(s, "/nonexistent-dir/x/schema.json"), MLOPS_EIO);
    mlops_schema_free(s);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("schema_load");
    TCase *tc = tcase_create("load");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, malformed_file, 0, (int)(sizeof CASES / sizeof CASES[0]));
    tcase_add_test(tc, malformed_text);
    tcase_add_test(tc, damaged_documents);
    tcase_add_test(tc, hostile_documents);
    tcase_add_test(tc, fuzzed_documents);
    tcase_add_test(tc, bad_arguments_and_files);
    suite_add_tcase(s, tc);
    return s;
}
