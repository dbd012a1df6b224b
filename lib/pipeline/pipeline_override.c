/* mlops_pipeline_override: "KEY.PATH=VALUE" applied to the loaded tree,
 * as `mlops run --set` does. VALUE is read as YAML, its nodes placed at
 * "--set:N:COLUMN" so the validator reports an override's problems where
 * the user typed them. Mappings on the path are copied before they change:
 * a mapping reached through an alias shares its children with the anchor,
 * and an override of one place must not change the other. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "pipeline/pipeline_impl.h"

static const char set_file[] = "--set";

/* Moves the value's nodes into the pipeline's tree, which then frees them. */
static int adopt(mlops__ytree *t, mlops__ytree *v, size_t rank, size_t vcol)
{
    size_t need;
    if (!mlops__add_size(t->nall, v->nall, &need)) return mlops__fail(MLOPS_ENOMEM, "override: too many nodes");
    if (need > t->capall) {
        mlops__ynode **all = mlops__realloc_array(t->all, need, sizeof *all, "YAML node list");
        if (all == NULL) return MLOPS_ENOMEM;
        t->all = all;
        t->capall = need;
    }
    for (size_t i = 0; i < v->nall; i++) {
        mlops__ynode *n = v->all[i];
        n->file = set_file;
        if (n->line == 1) n->col += vcol - 1;
        n->line = rank;
        t->all[t->nall++] = n;
    }
    v->nall = 0;
    return MLOPS_OK;
}

/* A copy of mapping `m` with its own arrays (children shared). */
static mlops__ynode *own_copy(mlops__ytree *t, const mlops__ynode *m)
{
    mlops__ynode *c = mlops__ytree_new_container(t, MLOPS_YNODE_MAPPING, m->file, m->line, m->col);
    for (size_t i = 0; c != NULL && i < m->count; i++)
        if (mlops__ytree_append(c, m->keys[i], m->items[i]) != MLOPS_OK) return NULL;
    return c;
}

static int index_of(const mlops__ynode *map, const char *key, size_t len, size_t *at)
{
    for (size_t i = 0; i < map->count; i++)
        if (map->keys[i]->len == len && memcmp(map->keys[i]->text, key, len) == 0) {
            *at = i;
            return 1;
        }
    return 0;
}

/* Places `value` at the dotted `key` (klen bytes, parts checked non-empty)
 * of tree `t`. Nothing visible changes unless it all succeeds. */
static int place(mlops__ytree *t, const char *a, size_t klen, size_t rank, mlops__ynode *value)
{
    if (t->root == NULL) {
        t->root = mlops__ytree_new_container(t, MLOPS_YNODE_MAPPING, t->file, 1, 1);
        if (t->root == NULL) return MLOPS_ENOMEM;
    }
    if (t->root->kind != MLOPS_YNODE_MAPPING)
        return mlops__fail(MLOPS_EINVAL, "override %zu '%s': the pipeline file is not a mapping", rank, a);
    mlops__ynode *cur = t->root;
    size_t start = 0;
    for (;;) {
        const char *dot = memchr(a + start, '.', klen - start);
        size_t end = dot ? (size_t)(dot - a) : klen, at;
        bool last = dot == NULL;
        if (!index_of(cur, a + start, end - start, &at) || (!last && mlops__ynode_is_null(cur->items[at]))) {
            /* build the missing rest detached, from the leaf up, then attach */
            mlops__ynode *node = value;
            for (size_t e = klen; e > end;) {
                size_t s = e;
                while (a[s - 1] != '.') s--;
                char part[256];
                snprintf(part, sizeof part, "%.*s", (int)(e - s), a + s);
                mlops__ynode *k = mlops__ytree_new_scalar(t, set_file, rank, s + 1, part, false);
                mlops__ynode *m = mlops__ytree_new_container(t, MLOPS_YNODE_MAPPING, set_file, rank, s + 1);
                if (k == NULL || m == NULL || mlops__ytree_append(m, k, node) != MLOPS_OK) return MLOPS_ENOMEM;
                node = m;
                e = s - 1;
            }
            if (index_of(cur, a + start, end - start, &at)) {
                cur->items[at] = node;
                return MLOPS_OK;
            }
            char part[256];
            snprintf(part, sizeof part, "%.*s", (int)(end - start), a + start);
            mlops__ynode *k = mlops__ytree_new_scalar(t, set_file, rank, start + 1, part, false);
            return k == NULL ? MLOPS_ENOMEM : mlops__ytree_append(cur, k, node);
        }
        if (last) {
            cur->items[at] = value;
            return MLOPS_OK;
        }
        mlops__ynode *child = cur->items[at];
        if (child->kind != MLOPS_YNODE_MAPPING)
            return mlops__fail(MLOPS_EINVAL, "override %zu '%s': '%.*s' is %s, not a mapping", rank, a,
                               (int)end, a, child->kind == MLOPS_YNODE_SEQUENCE ? "a list" : "a scalar");
        mlops__ynode *copy = own_copy(t, child);
        if (copy == NULL) return MLOPS_ENOMEM;
        cur->items[at] = copy;
        cur = copy;
        start = end + 1;
    }
}

/* The reader's "--set:LINE:COL: what" becomes "--set:RANK:COLUMN: KEY: what",
 * the column counted in the whole assignment; the reader's notes about
 * where an enclosing node started are dropped, as the value is one line. */
static int value_error(size_t rank, const char *a, size_t klen)
{
    char what[1024];
    size_t line = 0, col = 0, vcol = klen + 2, vlen = strlen(a + klen + 1);
    int off = 0;
    snprintf(what, sizeof what, "%s", mlops_last_error());
    if (sscanf(what, "--set:%zu:%zu: %n", &line, &col, &off) < 2) off = 0;
    char *context = strstr(what + off, " started at line");
    if (context != NULL) *context = '\0';
    return mlops__fail(MLOPS_EFORMAT, "--set:%zu:%zu: %.*s: %s", rank,
                       line == 1 && col <= vlen + 1 ? vcol + col - 1 : vcol + vlen, (int)klen, a,
                       what + off);
}

MLOPS_API int mlops_pipeline_override(mlops_pipeline *p, const char *a)
{
    MLOPS_CHECK_ARG(p != NULL && a != NULL, "mlops_pipeline_override", "NULL argument");
    const char *eq = strchr(a, '=');
    size_t rank = p->noverrides + 1;
    if (eq == NULL)
        return mlops__fail(MLOPS_EINVAL, "override %zu '%s': expected KEY.PATH=VALUE", rank, a);
    size_t klen = (size_t)(eq - a);
    for (size_t i = 0, s = 0; i <= klen; i++)
        if (i == klen || a[i] == '.') {
            if (i == s || i - s >= 256)
                return mlops__fail(MLOPS_EINVAL, "override %zu '%s': %s key part at column %zu", rank, a,
                                   i == s ? "empty" : "too long a", s + 1);
            s = i + 1;
        }
    mlops__ytree v;
    int rc = mlops__ytree_read_buffer(&v, set_file, eq + 1, strlen(eq + 1));
    if (rc == MLOPS_EFORMAT) rc = value_error(rank, a, klen);
    char **list = NULL;
    char *text = NULL;
    if (rc == MLOPS_OK) {
        list = mlops__realloc_array(p->overrides, rank, sizeof *list, "pipeline overrides");
        if (list != NULL) p->overrides = list;
        text = mlops__strdup(a, "pipeline override");
        rc = list == NULL || text == NULL ? MLOPS_ENOMEM : MLOPS_OK;
    }
    mlops__ynode *value = v.root;
    if (rc == MLOPS_OK) rc = adopt(&p->tree, &v, rank, klen + 2);
    if (rc == MLOPS_OK && value == NULL) {
        value = mlops__ytree_new_scalar(&p->tree, set_file, rank, klen + 2, "", true);
        if (value == NULL) rc = MLOPS_ENOMEM;
    }
    if (rc == MLOPS_OK) rc = place(&p->tree, a, klen, rank, value);
    mlops__ytree_free(&v);
    if (rc != MLOPS_OK) {
        mlops__free(text);
        return rc;
    }
    p->overrides[p->noverrides++] = text;
    p->validated = false;
    return MLOPS_OK;
}
