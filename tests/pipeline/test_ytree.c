/* The YAML/JSON tree reader: 1-based positions, plain versus quoted
 * scalars, aliases sharing their anchored node, the limits on expansion
 * ("billion laughs"), depth and size, duplicate keys, and the JSON the
 * library writes itself. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "pipeline/ytree.h"
#include "runner.h"

static int read_text(mlops__ytree *t, const char *text)
{
    return mlops__ytree_read_buffer(t, "p.yaml", text, strlen(text));
}

static void expect_error(const char *text, int code, const char *message)
{
    mlops__ytree t;
    ck_assert_int_eq(read_text(&t, text), code);
    ck_assert_str_eq(mlops_last_error(), message);
    mlops__ytree_free(&t);
}

static void expect_at(const mlops__ynode *n, mlops__ynode_kind kind, size_t line, size_t col)
{
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->kind, kind);
    ck_assert_uint_eq(n->line, line);
    ck_assert_uint_eq(n->col, col);
    ck_assert_str_eq(n->file, "p.yaml");
}

START_TEST(positions_are_one_based)
{
    mlops__ytree t;
    ck_assert_int_eq(read_text(&t, "version: 1\n"
                                   "data:\n"
                                   "  path: 'cars.csv'\n"
                                   "  ignore: [Name,  \"Origin\"]\n"
                                   "preprocess:\n"
                                   "  - step: impute\n"),
                     MLOPS_OK);
    const mlops__ynode *root = t.root;
    expect_at(root, MLOPS_YNODE_MAPPING, 1, 1);
    ck_assert_uint_eq(root->count, 3);
    expect_at(root->keys[1], MLOPS_YNODE_SCALAR, 2, 1);
    ck_assert_str_eq(root->keys[1]->text, "data");
    const mlops__ynode *data = mlops__ynode_get(root, "data");
    expect_at(data, MLOPS_YNODE_MAPPING, 3, 3);
    const mlops__ynode *path = mlops__ynode_path(root, "data.path");
    expect_at(path, MLOPS_YNODE_SCALAR, 3, 9);
    ck_assert_str_eq(path->text, "cars.csv");
    ck_assert(!path->plain);
    const mlops__ynode *ignore = mlops__ynode_path(root, "data.ignore");
    expect_at(ignore, MLOPS_YNODE_SEQUENCE, 4, 11);
    expect_at(ignore->items[0], MLOPS_YNODE_SCALAR, 4, 12);
    ck_assert(ignore->items[0]->plain);
    expect_at(ignore->items[1], MLOPS_YNODE_SCALAR, 4, 19);
    ck_assert_str_eq(ignore->items[1]->text, "Origin");
    const mlops__ynode *pre = mlops__ynode_get(root, "preprocess");
    expect_at(pre, MLOPS_YNODE_SEQUENCE, 6, 3);
    expect_at(pre->items[0], MLOPS_YNODE_MAPPING, 6, 5);
    expect_at(mlops__ynode_get(pre->items[0], "step"), MLOPS_YNODE_SCALAR, 6, 11);
    /* 1 root + 3 keys + version + data(1 + 2 keys + path + seq of 3) + pre(1 + map(1 + 2)) */
    ck_assert_uint_eq(root->expanded, 1 + 3 + 1 + (1 + 2 + 1 + 3) + (1 + 3));
    ck_assert_ptr_null(mlops__ynode_path(root, "data.nope"));
    ck_assert_ptr_null(mlops__ynode_path(root, "version.x"));
    mlops__ytree_free(&t);

    ck_assert_int_eq(read_text(&t, "# nothing\n"), MLOPS_OK);
    ck_assert_ptr_null(t.root);
    mlops__ytree_free(&t);
}
END_TEST

START_TEST(aliases_share_the_anchored_node)
{
    mlops__ytree t;
    ck_assert_int_eq(read_text(&t, "base: &b\n"
                                   "  l2: 0.1\n"
                                   "  grid: [1, 2]\n"
                                   "copy: *b\n"
                                   "word: &w hello\n"
                                   "again:  *w\n"),
                     MLOPS_OK);
    const mlops__ynode *base = mlops__ynode_get(t.root, "base");
    const mlops__ynode *copy = mlops__ynode_get(t.root, "copy");
    ck_assert(base->owned);
    ck_assert(!copy->owned);
    ck_assert_ptr_eq(copy->items, base->items);
    ck_assert_ptr_eq(copy->keys, base->keys);
    ck_assert_ptr_eq(mlops__ynode_get(copy, "grid"), mlops__ynode_get(base, "grid"));
    expect_at(copy, MLOPS_YNODE_MAPPING, 4, 7);
    ck_assert_uint_eq(base->expanded, 7);
    ck_assert_uint_eq(copy->expanded, 7);
    const mlops__ynode *again = mlops__ynode_get(t.root, "again");
    expect_at(again, MLOPS_YNODE_SCALAR, 6, 9);
    ck_assert_str_eq(again->text, "hello");
    ck_assert_ptr_eq(again->text, mlops__ynode_get(t.root, "word")->text);
    ck_assert_uint_eq(t.root->expanded, 1 + 4 + 7 + 7 + 1 + 1);
    mlops__ytree_free(&t);

    expect_error("a: *nope\n", MLOPS_EFORMAT, "p.yaml:1:4: unknown anchor: *nope");
    expect_error("a: &x\n  b: *x\n", MLOPS_EFORMAT,
                 "p.yaml:2:6: an alias inside its own anchored node: *x");
}
END_TEST

/* The classic exponential document: each level repeats the previous one
 * nine times, 9^9 = 387 million strings once expanded. */
static char *laughs(void)
{
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    len += (size_t)snprintf(text + len, cap - len, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'j'; c++) {
        len += (size_t)snprintf(text + len, cap - len, "%c: &%c [", c, c);
        for (int k = 0; k < 9; k++)
            len += (size_t)snprintf(text + len, cap - len, "%s*%c", k ? ", " : "", c - 1);
        len += (size_t)snprintf(text + len, cap - len, "]\n");
    }
    ck_assert_uint_lt(len, cap);
    return text;
}

START_TEST(billion_laughs_is_refused_quickly)
{
    char *text = laughs();
    mlops__ytree t;
    clock_t start = clock();
    ck_assert_int_eq(read_text(&t, text), MLOPS_EFORMAT);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    ck_assert_double_lt(seconds, 0.5);
    /* line 6 holds level f, the first whose expansion passes 100000 */
    ck_assert_str_eq(mlops_last_error(), "p.yaml:6:8: alias expansion exceeds 100000 nodes");
    /* nothing was copied: a few dozen nodes were made before the refusal */
    ck_assert_uint_lt(t.nall, 100);
    mlops__ytree_free(&t);
    free(text);

    /* one large anchored list referenced a few times passes the limit too */
    size_t cap = 400000, len = 0;
    char *wide = malloc(cap);
    ck_assert_ptr_nonnull(wide);
    len += (size_t)snprintf(wide, cap, "a: &a [");
    for (int i = 0; i < 40000; i++) len += (size_t)snprintf(wide + len, cap - len, "%s1", i ? "," : "");
    len += (size_t)snprintf(wide + len, cap - len, "]\nb: [*a, *a, *a]\n");
    ck_assert_uint_lt(len, cap);
    ck_assert_int_eq(read_text(&t, wide), MLOPS_EFORMAT);
    ck_assert_str_eq(mlops_last_error(), "p.yaml:2:9: alias expansion exceeds 100000 nodes");
    mlops__ytree_free(&t);
    free(wide);
}
END_TEST

static char *nested(int depth)
{
    char *text = malloc((size_t)depth * 2 + 2);
    ck_assert_ptr_nonnull(text);
    for (int i = 0; i < depth; i++) {
        text[i] = '[';
        text[depth + i] = ']';
    }
    text[2 * depth] = '\n';
    text[2 * depth + 1] = '\0';
    return text;
}

START_TEST(depth_and_size_are_limited)
{
    mlops__ytree t;
    char *ok = nested(MLOPS_YTREE_MAX_DEPTH);
    ck_assert_int_eq(read_text(&t, ok), MLOPS_OK);
    mlops__ytree_free(&t);
    free(ok);
    char *deep = nested(MLOPS_YTREE_MAX_DEPTH + 1);
    expect_error(deep, MLOPS_EFORMAT, "p.yaml:1:65: nesting deeper than 64 levels");
    free(deep);

    size_t big = (size_t)MLOPS_YTREE_MAX_BYTES + 1;
    char *huge = malloc(big);
    ck_assert_ptr_nonnull(huge);
    memset(huge, ' ', big);
    ck_assert_int_eq(mlops__ytree_read_buffer(&t, "p.yaml", huge, big), MLOPS_EFORMAT);
    ck_assert_str_eq(mlops_last_error(), "p.yaml:1:1: 4194305 bytes, more than the limit of 4194304");
    mlops__ytree_free(&t);

    char path[] = "/tmp/mlops-ytree-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq((int)write(fd, huge, big), (int)big);
    close(fd);
    ck_assert_int_eq(mlops__ytree_read_file(&t, path), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), ":1:1: the file is larger than the limit of 4194304 bytes"));
    mlops__ytree_free(&t);
    fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq((int)write(fd, "x: [1, 2]\n", 10), 10);
    close(fd);
    ck_assert_int_eq(mlops__ytree_read_file(&t, path), MLOPS_OK);
    ck_assert_str_eq(t.file, path);
    ck_assert_str_eq(t.root->file, path);
    ck_assert_uint_eq(mlops__ynode_get(t.root, "x")->count, 2);
    mlops__ytree_free(&t);
    unlink(path);
    free(huge);

    ck_assert_int_eq(mlops__ytree_read_file(&t, "/nonexistent/p.yaml"), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "/nonexistent/p.yaml"));
    mlops__ytree_free(&t);
}
END_TEST

START_TEST(structure_errors_name_the_place)
{
    expect_error("a: 1\nb:\n  c: 2\n  c: 3\n", MLOPS_EFORMAT,
                 "p.yaml:4:3: duplicate key 'c' (first at line 3, column 3)");
    expect_error("a: 1\n---\nb: 2\n", MLOPS_EFORMAT, "p.yaml:2:1: more than one document in the file");
    expect_error("? [a]\n: 1\n", MLOPS_EFORMAT, "p.yaml:1:3: a mapping key must be a scalar, not a sequence");
    expect_error("a: 1\n b: 2\n", MLOPS_EFORMAT, "p.yaml:2:3: mapping values are not allowed in this context");
    expect_error("a: \"x\\0y\"\n", MLOPS_EFORMAT, "p.yaml:1:4: a string holds a NUL character");
    mlops__ytree t;
    ck_assert_int_eq(read_text(&t, "a:\n  c: 1\nb:\n  c: 2\n"), MLOPS_OK);
    mlops__ytree_free(&t);
    ck_assert_int_eq(read_text(&t, "a: [1, 2\n"), MLOPS_EFORMAT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "p.yaml:2:1: did not find expected ',' or ']'"));
    mlops__ytree_free(&t);
}
END_TEST

START_TEST(json_documents_read_back)
{
    const char *json = "{\"format\":\"mlops-lock\",\"path\":\"runs/a\\/b\",\"name\":\"caf\\u00e9 \\\"x\\\"\","
                       "\"n\":-12,\"x\":2.5e-3,\"ok\":true,\"no\":false,\"none\":null,"
                       "\"files\":[{\"sha256\":\"ab\",\"size\":3},[]],\"empty\":{}}";
    mlops__ytree t;
    ck_assert_int_eq(mlops__ytree_read_buffer(&t, "lock.json", json, strlen(json)), MLOPS_OK);
    ck_assert_str_eq(mlops__ynode_text(mlops__ynode_get(t.root, "path")), "runs/a/b");
    ck_assert_str_eq(mlops__ynode_text(mlops__ynode_get(t.root, "name")), "caf\xc3\xa9 \"x\"");
    ck_assert(!mlops__ynode_get(t.root, "name")->plain);
    long long n;
    double x;
    bool b;
    ck_assert(mlops__ynode_int(mlops__ynode_get(t.root, "n"), &n));
    ck_assert_int_eq(n, -12);
    ck_assert(mlops__ynode_double(mlops__ynode_get(t.root, "x"), &x));
    ck_assert_double_eq(x, 2.5e-3);
    ck_assert(mlops__ynode_bool(mlops__ynode_get(t.root, "ok"), &b) && b);
    ck_assert(mlops__ynode_bool(mlops__ynode_get(t.root, "no"), &b) && !b);
    ck_assert(mlops__ynode_is_null(mlops__ynode_get(t.root, "none")));
    const mlops__ynode *files = mlops__ynode_get(t.root, "files");
    ck_assert_uint_eq(files->count, 2);
    ck_assert_str_eq(mlops__ynode_text(mlops__ynode_get(files->items[0], "sha256")), "ab");
    ck_assert_int_eq(files->items[1]->kind, MLOPS_YNODE_SEQUENCE);
    ck_assert_uint_eq(files->items[1]->count, 0);
    ck_assert_int_eq(mlops__ynode_get(t.root, "empty")->kind, MLOPS_YNODE_MAPPING);
    mlops__ytree_free(&t);

    /* pretty-printed, as the JSON writer does it */
    const char *pretty = "{\n  \"a\": [\n    1,\n    \"b\"\n  ]\n}\n";
    ck_assert_int_eq(mlops__ytree_read_buffer(&t, "x.json", pretty, strlen(pretty)), MLOPS_OK);
    const mlops__ynode *a = mlops__ynode_get(t.root, "a");
    ck_assert_uint_eq(a->line, 2);
    ck_assert_uint_eq(a->items[1]->line, 4);
    ck_assert_uint_eq(a->items[1]->col, 5);
    mlops__ytree_free(&t);
}
END_TEST

static const mlops__ynode *item(const mlops__ytree *t, size_t i)
{
    return t->root->items[i];
}

START_TEST(scalars_follow_the_core_schema)
{
    mlops__ytree t;
    ck_assert_int_eq(read_text(&t, "[1, -2.5, +3e2, .5, '1', true, False, ~, null, NULL, abc, 0x10, .inf, 1e, "
                                   "99999999999999999999, {a: 1}, [], 1.0]\n"),
                     MLOPS_OK);
    double d;
    long long n;
    bool b;
    ck_assert(mlops__ynode_int(item(&t, 0), &n) && n == 1);
    ck_assert(mlops__ynode_double(item(&t, 1), &d) && d == -2.5);
    ck_assert(!mlops__ynode_int(item(&t, 1), &n));
    ck_assert(mlops__ynode_double(item(&t, 2), &d) && d == 300.0);
    ck_assert(mlops__ynode_double(item(&t, 3), &d) && d == 0.5);
    ck_assert(!mlops__ynode_double(item(&t, 4), &d));
    ck_assert_str_eq(mlops__ynode_describe(item(&t, 4)), "string");
    ck_assert(mlops__ynode_bool(item(&t, 5), &b) && b);
    ck_assert(mlops__ynode_bool(item(&t, 6), &b) && !b);
    ck_assert(mlops__ynode_is_null(item(&t, 7)));
    ck_assert(mlops__ynode_is_null(item(&t, 8)));
    ck_assert(mlops__ynode_is_null(item(&t, 9)));
    ck_assert(mlops__ynode_is_null(NULL));
    mlops__ytree empty;
    ck_assert_int_eq(read_text(&empty, "a:\n"), MLOPS_OK);
    ck_assert(mlops__ynode_is_null(mlops__ynode_get(empty.root, "a")));
    ck_assert_str_eq(mlops__ynode_describe(mlops__ynode_get(empty.root, "a")), "null");
    mlops__ytree_free(&empty);
    ck_assert(!mlops__ynode_is_null(item(&t, 10)));
    const char *kinds[] = {"number", "number", "number", "number", "string", "boolean", "boolean",
                           "null", "null", "null", "string", "string", "string", "string",
                           "number", "mapping", "sequence", "number"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        ck_assert_str_eq(mlops__ynode_describe(item(&t, i)), kinds[i]);
    ck_assert(!mlops__ynode_int(item(&t, 14), &n)); /* does not fit */
    ck_assert(!mlops__ynode_int(item(&t, 17), &n));
    ck_assert_ptr_null(mlops__ynode_text(item(&t, 15)));
    ck_assert_str_eq(mlops__ynode_text(item(&t, 10)), "abc");
    mlops__ytree_free(&t);
}
END_TEST

START_TEST(nodes_can_be_added)
{
    mlops__ytree t;
    ck_assert_int_eq(read_text(&t, "a: &a {x: 1}\nb: *a\n"), MLOPS_OK);
    mlops__ynode *b = t.root->items[1];
    ck_assert(!b->owned);
    mlops__ynode *key = mlops__ytree_new_scalar(&t, "--set", 1, 1, "y", true);
    mlops__ynode *value = mlops__ytree_new_container(&t, MLOPS_YNODE_SEQUENCE, "--set", 1, 3);
    ck_assert_ptr_nonnull(key);
    ck_assert_ptr_nonnull(value);
    ck_assert_int_eq(mlops__ytree_append(value, NULL, mlops__ytree_new_scalar(&t, "--set", 1, 4, "2", true)),
                     MLOPS_OK);
    /* appending to the alias copy gives it its own arrays: the anchor is unchanged */
    ck_assert_int_eq(mlops__ytree_append(b, key, value), MLOPS_OK);
    ck_assert(b->owned);
    ck_assert_uint_eq(b->count, 2);
    ck_assert_uint_eq(t.root->items[0]->count, 1);
    ck_assert_ptr_nonnull(mlops__ynode_path(t.root, "b.y"));
    ck_assert_ptr_null(mlops__ynode_path(t.root, "a.y"));
    ck_assert_str_eq(mlops__ynode_path(t.root, "b.x")->text, "1");
    ck_assert_str_eq(mlops__ynode_path(t.root, "b.y")->file, "--set");
    ck_assert_int_eq(mlops__ytree_append(b, NULL, value), MLOPS_EINVAL);
    ck_assert_int_eq(mlops__ytree_append(key, NULL, value), MLOPS_EINVAL);
    mlops__ytree_free(&t);
}
END_TEST

static int read_op(void *ctx)
{
    mlops__ytree t;
    int rc = read_text(&t, ctx);
    mlops__ytree_free(&t);
    return rc;
}

START_TEST(allocation_failures_are_clean)
{
    long calls = fault_alloc_sweep(read_op, NULL,
                                   (void *)"version: 1\nbase: &b {l2: 0.1, grid: [1, 2, 3]}\n"
                                           "model: *b\nlist:\n  - a\n  - {\"k\": \"v\"}\n");
    ck_assert_int_gt(calls, 10);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ytree");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, positions_are_one_based);
    tcase_add_test(tc, aliases_share_the_anchored_node);
    tcase_add_test(tc, billion_laughs_is_refused_quickly);
    tcase_add_test(tc, depth_and_size_are_limited);
    tcase_add_test(tc, structure_errors_name_the_place);
    tcase_add_test(tc, json_documents_read_back);
    tcase_add_test(tc, scalars_follow_the_core_schema);
    tcase_add_test(tc, nodes_can_be_added);
    tcase_add_test(tc, allocation_failures_are_clean);
    suite_add_tcase(s, tc);
    return s;
}
