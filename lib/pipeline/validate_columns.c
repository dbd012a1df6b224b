/* The column pass of validation: the data file's header is read (one small
 * batch of the streaming reader, whatever the file's size) and every key
 * that names a column must name one of it, with the nearest suggested. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/suggest.h"
#include "mlops/csv.h"
#include "pipeline/pipeline_check.h"

typedef struct header {
    mlops_pipeline *p;
    const mlops_dataset *d;
    const char *path;
} header;

static const char *column_at(size_t i, const void *ctx)
{
    return mlops_dataset_column_name(ctx, i);
}

static int check_name(const header *h, const mlops__ynode *n, const char *key)
{
    size_t col;
    if (n == NULL || mlops_dataset_column_index(h->d, n->text, &col) == MLOPS_OK) return MLOPS_OK;
    size_t cols = mlops_dataset_cols(h->d);
    const char *near = mlops__suggest(n->text, cols, column_at, h->d);
    for (size_t i = 0; near == NULL && i < cols; i++)
        if (strcasecmp(n->text, mlops_dataset_column_name(h->d, i)) == 0) near = mlops_dataset_column_name(h->d, i);
    size_t len = mlops__pipeline_cut(n->text, MLOPS_PIPELINE_QUOTE_MAX);
    return mlops__pipeline_add_problem(h->p, n, key, near, "no column '%.*s%s' in '%s'", (int)len,
                                       n->text, len < n->len ? "..." : "", h->path);
}

/* Each item of a list of column names (a single name counts as one). */
static int check_names(const header *h, const mlops__ynode *n, const char *key, bool star)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; i < mlops__pipeline_count(n) && rc == MLOPS_OK; i++) {
        const mlops__ynode *item = mlops__pipeline_item(n, i);
        if (item == NULL || (star && strcmp(item->text, "*") == 0)) continue;
        char sub[MLOPS_PIPELINE_KEY_MAX];
        if (n->kind == MLOPS_YNODE_SEQUENCE)
            mlops__pipeline_keyf(sub, "%s[%zu]", key, i);
        else
            mlops__pipeline_keyf(sub, "%s", key);
        rc = check_name(h, item, sub);
    }
    return rc;
}

/* The keys of mapping `map` (columns by name); a column declared with
 * required: false may be absent. */
static int check_keys(const header *h, const mlops__ynode *map, const char *key)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; map != NULL && i < map->count && rc == MLOPS_OK; i++) {
        bool required = true;
        mlops__ynode_bool(mlops__ynode_get(map->items[i], "required"), &required);
        if (!required) continue;
        char sub[MLOPS_PIPELINE_KEY_MAX];
        mlops__pipeline_keyf(sub, "%s.%s", key, map->keys[i]->text);
        rc = check_name(h, map->keys[i], sub);
    }
    return rc;
}

static int check_all(const header *h, const mlops__ynode *root)
{
    const mlops__ynode *data = mlops__pipeline_map(root, "data");
    const mlops__ynode *eval = mlops__pipeline_map(root, "evaluate");
    static const char *const single[] = {"target", "id", "weight"};
    int rc = MLOPS_OK;
    char key[MLOPS_PIPELINE_KEY_MAX];
    for (size_t i = 0; i < 3 && rc == MLOPS_OK; i++) {
        mlops__pipeline_keyf(key, "data.%s", single[i]);
        rc = check_name(h, mlops__pipeline_scalar(data, single[i]), key);
    }
    if (rc == MLOPS_OK) rc = check_names(h, mlops__ynode_get(data, "ignore"), "data.ignore", false);
    if (rc == MLOPS_OK) rc = check_keys(h, mlops__pipeline_map(data, "columns"), "data.columns");
    if (rc == MLOPS_OK)
        rc = check_name(h, mlops__pipeline_scalar(mlops__pipeline_map(data, "split"), "time_column"),
                        "data.split.time_column");
    const mlops__ynode *pre = mlops__ynode_get(root, "preprocess");
    for (size_t i = 0; pre != NULL && pre->kind == MLOPS_YNODE_SEQUENCE && i < pre->count && rc == MLOPS_OK; i++) {
        mlops__pipeline_keyf(key, "preprocess[%zu].columns", i);
        rc = check_names(h, mlops__ynode_get(pre->items[i], "columns"), key, true);
    }
    if (rc == MLOPS_OK) rc = check_names(h, mlops__ynode_get(eval, "groups"), "evaluate.groups", false);
    if (rc == MLOPS_OK)
        rc = check_keys(h, mlops__pipeline_map(mlops__pipeline_map(root, "monitor"), "columns"), "monitor.columns");
    return rc;
}

/* The first batch of the data file, or NULL (with *rc a problem recorded,
 * or MLOPS_ENOMEM) when it cannot be read. */
static mlops_dataset *first_batch(mlops_pipeline *p, const mlops__ynode *path_node, const char *path, int *rc)
{
    mlops_csv_options *o = NULL;
    mlops_csv_reader *r = NULL;
    mlops_dataset *d = NULL;
    const char *delim = mlops__pipeline_value(p, "data.delimiter");
    *rc = mlops_csv_options_create(&o);
    if (*rc == MLOPS_OK) *rc = mlops_csv_options_set(o, "batch_rows", "64");
    if (*rc == MLOPS_OK && delim != NULL && mlops_csv_options_set(o, "delimiter", delim) != MLOPS_OK) {
        *rc = MLOPS_OK; /* a bad delimiter is already a problem */
        mlops_csv_options_free(o);
        return NULL;
    }
    if (*rc == MLOPS_OK) *rc = mlops_csv_reader_open(&r, path, o);
    if (*rc == MLOPS_OK) *rc = mlops_csv_reader_next(r, &d);
    mlops_csv_reader_free(r);
    mlops_csv_options_free(o);
    if (*rc != MLOPS_OK) *rc = mlops__pipeline_refused(p, path_node, "data.path", *rc);
    return d;
}

int mlops__pipeline_check_columns(mlops_pipeline *p)
{
    const mlops__ynode *root = p->tree.root;
    const mlops__ynode *path_node = mlops__pipeline_scalar(mlops__pipeline_map(root, "data"), "path");
    if (path_node == NULL) return MLOPS_OK;
    char *path = mlops__pipeline_resolve(p, path_node->text);
    if (path == NULL) return MLOPS_ENOMEM;
    struct stat st;
    int rc = MLOPS_OK;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        mlops_dataset *d = first_batch(p, path_node, path, &rc);
        if (d != NULL && rc == MLOPS_OK) {
            header h = {p, d, path};
            rc = check_all(&h, root);
        }
        mlops_dataset_free(d);
    }
    mlops__free(path);
    return rc;
}
