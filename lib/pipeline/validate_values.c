/* The value pass of validation for the top level, data, preprocess,
 * monitor and registry: each setting is tried on a scratch public object
 * (schema, transform, CSV options) so the library's own rules and
 * messages apply, and files named by the pipeline must exist. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "mlops/csv.h"
#include "mlops/schema.h"
#include "mlops/transform.h"
#include "pipeline/audit_log.h"
#include "pipeline/pipeline_check.h"
#include "pipeline/registry_impl.h"
#include "pipeline/pipeline_schema.h"

const mlops__ynode *mlops__pipeline_scalar(const mlops__ynode *map, const char *key)
{
    const mlops__ynode *n = mlops__ynode_get(map, key);
    return n != NULL && n->kind == MLOPS_YNODE_SCALAR && !mlops__ynode_is_null(n) ? n : NULL;
}

const mlops__ynode *mlops__pipeline_map(const mlops__ynode *map, const char *key)
{
    const mlops__ynode *n = mlops__ynode_get(map, key);
    return n != NULL && n->kind == MLOPS_YNODE_MAPPING ? n : NULL;
}

const char *mlops__pipeline_setting_text(const mlops__ynode *n)
{
    bool b;
    if (mlops__ynode_bool(n, &b)) return b ? "true" : "false";
    return n->text;
}

size_t mlops__pipeline_count(const mlops__ynode *n)
{
    if (n == NULL) return 0;
    if (n->kind == MLOPS_YNODE_SEQUENCE) return n->count;
    return n->kind == MLOPS_YNODE_SCALAR && !mlops__ynode_is_null(n) ? 1 : 0;
}

const mlops__ynode *mlops__pipeline_item(const mlops__ynode *n, size_t i)
{
    const mlops__ynode *item = n->kind == MLOPS_YNODE_SEQUENCE ? n->items[i] : n;
    return item->kind == MLOPS_YNODE_SCALAR && !mlops__ynode_is_null(item) ? item : NULL;
}

static int check_name(mlops_pipeline *p, const mlops__ynode *n, const char *key)
{
    if (n == NULL) return MLOPS_OK;
    if (n->len > 0 && strspn(n->text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n->len)
        return MLOPS_OK;
    char got[MLOPS_PIPELINE_QUOTE_MAX + 32];
    return mlops__pipeline_add_problem(p, n, key, NULL,
                                       "%s may hold only letters, digits, '.', '_' and '-'",
                                       mlops__pipeline_got(n, got, sizeof got));
}

/* A file named relative to the pipeline file must be a regular file; its
 * resolved path goes to *resolved (NULL when it is not usable). */
static int check_file(mlops_pipeline *p, const mlops__ynode *n, const char *key, char **resolved)
{
    *resolved = NULL;
    char *path = mlops__pipeline_resolve(p, n->text);
    if (path == NULL) return MLOPS_ENOMEM;
    struct stat st;
    int rc = MLOPS_OK;
    if (stat(path, &st) != 0)
        rc = errno == ENOENT || errno == ENOTDIR
                 ? mlops__pipeline_add_problem(p, n, key, NULL, "file '%s' does not exist", path)
                 : mlops__pipeline_add_problem(p, n, key, NULL, "cannot access '%s': %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = mlops__pipeline_add_problem(p, n, key, NULL, "'%s' is not a regular file", path);
    else {
        *resolved = path;
        return MLOPS_OK;
    }
    mlops__free(path);
    return rc;
}

static int check_path(mlops_pipeline *p, const mlops__ynode *n, const char *key)
{
    char *path = NULL;
    int rc = n != NULL ? check_file(p, n, key, &path) : MLOPS_OK;
    mlops__free(path);
    return rc;
}

/* One column's rules, tried in file order on a scratch schema. */
static int check_column(mlops_pipeline *p, mlops_schema *s, const mlops__ynode *name,
                        const mlops__ynode *rules)
{
    char key[MLOPS_PIPELINE_KEY_MAX], sub[MLOPS_PIPELINE_KEY_MAX];
    mlops__pipeline_keyf(key, "data.columns.%s", name->text);
    const mlops__ynode *type = mlops__pipeline_scalar(rules, "type");
    bool categorical = type != NULL ? strcmp(type->text, "categorical") == 0
                                    : mlops__ynode_get(rules, "categories") != NULL;
    int rc = mlops_schema_add_column(s, name->text, categorical ? MLOPS_CATEGORICAL : MLOPS_NUMERIC);
    if (rc != MLOPS_OK) return mlops__pipeline_refused(p, name, key, rc);
    for (size_t i = 0; i < rules->count && rc == MLOPS_OK; i++) {
        const char *k = rules->keys[i]->text;
        const mlops__ynode *v = rules->items[i];
        double d;
        bool b;
        mlops__pipeline_keyf(sub, "%s.%s", key, k);
        if (strcmp(k, "categories") == 0) {
            size_t n = mlops__pipeline_count(v), m = 0;
            const char **values = mlops__malloc_array(n, sizeof *values, "category list");
            if (values == NULL) return MLOPS_ENOMEM;
            for (size_t j = 0; j < n; j++)
                if (mlops__pipeline_item(v, j) != NULL) values[m++] = mlops__pipeline_item(v, j)->text;
            if (m == n) rc = mlops__pipeline_refused(p, v, sub, mlops_schema_set_categories(s, name->text, values, m));
            mlops__free(values);
        } else if (((strcmp(k, "required") == 0 || strcmp(k, "sensitive") == 0) && mlops__ynode_bool(v, &b)) ||
                   ((strcmp(k, "min") == 0 || strcmp(k, "max") == 0 || strcmp(k, "max_missing_fraction") == 0) &&
                    mlops__ynode_double(v, &d))) {
            rc = mlops__pipeline_refused(p, v, sub,
                                         mlops_schema_set(s, name->text, k, mlops__pipeline_setting_text(v)));
        }
    }
    return rc;
}

static int check_data(mlops_pipeline *p, const mlops__ynode *data)
{
    int rc = check_path(p, mlops__pipeline_scalar(data, "path"), "data.path");
    const mlops__ynode *schema_file = mlops__pipeline_scalar(data, "schema");
    if (rc == MLOPS_OK && schema_file != NULL) {
        char *path;
        rc = check_file(p, schema_file, "data.schema", &path);
        if (rc == MLOPS_OK && path != NULL) {
            mlops_schema *s = NULL;
            rc = mlops__pipeline_refused(p, schema_file, "data.schema", mlops_schema_load(&s, path));
            mlops_schema_free(s);
        }
        mlops__free(path);
    }
    const mlops__ynode *delim = mlops__pipeline_scalar(data, "delimiter");
    if (rc == MLOPS_OK && delim != NULL) {
        mlops_csv_options *o = NULL;
        rc = mlops_csv_options_create(&o);
        if (rc == MLOPS_OK)
            rc = mlops__pipeline_refused(p, delim, "data.delimiter", mlops_csv_options_set(o, "delimiter", delim->text));
        mlops_csv_options_free(o);
    }
    const mlops__ynode *columns = mlops__pipeline_map(data, "columns");
    if (rc == MLOPS_OK && columns != NULL) {
        mlops_schema *s = NULL;
        rc = mlops_schema_create(&s);
        for (size_t i = 0; rc == MLOPS_OK && i < columns->count; i++)
            if (columns->items[i]->kind == MLOPS_YNODE_MAPPING || mlops__ynode_is_null(columns->items[i])) {
                static const mlops__ynode empty = {.kind = MLOPS_YNODE_MAPPING};
                const mlops__ynode *rules = columns->items[i]->kind == MLOPS_YNODE_MAPPING ? columns->items[i] : &empty;
                rc = check_column(p, s, columns->keys[i], rules);
            }
        mlops_schema_free(s);
    }
    const mlops__ynode *split = mlops__pipeline_map(data, "split");
    double size;
    const mlops__ynode *ts = mlops__pipeline_scalar(split, "test_size");
    if (rc == MLOPS_OK && ts != NULL && mlops__ynode_double(ts, &size) && !(size > 0 && size < 1))
        rc = mlops__pipeline_add_problem(p, ts, "data.split.test_size", NULL,
                                         "must be between 0 and 1 (both excluded), not %s", ts->text);
    const mlops__ynode *method = mlops__pipeline_scalar(split, "method");
    if (rc == MLOPS_OK && method != NULL && strcmp(method->text, "time") == 0 &&
        mlops__pipeline_scalar(split, "time_column") == NULL)
        rc = mlops__pipeline_add_problem(p, method, "data.split.method", NULL,
                                         "method 'time' needs data.split.time_column");
    return rc;
}

/* Appends `name` to a comma-separated column list, escaping as
 * mlops_transform_add() reads it. */
static int append_column(char **list, size_t *len, const char *name)
{
    size_t n = strlen(name), need = *len + 2 * n + 2;
    char *s = mlops__realloc(*list, need, "column list");
    if (s == NULL) return MLOPS_ENOMEM;
    *list = s;
    if (*len > 0) s[(*len)++] = ',';
    for (size_t i = 0; i < n; i++) {
        bool outer = name[i] == ' ' && (i == 0 || i + 1 == n);
        if (name[i] == ',' || name[i] == '\\' || outer) s[(*len)++] = '\\';
        s[(*len)++] = name[i];
    }
    s[*len] = '\0';
    return MLOPS_OK;
}

int mlops__pipeline_join_columns(const mlops__ynode *cols, char **out)
{
    char *list = NULL;
    size_t len = 0, n = mlops__pipeline_count(cols);
    int rc = MLOPS_OK;
    for (size_t i = 0; i < n && rc == MLOPS_OK; i++) {
        const mlops__ynode *c = mlops__pipeline_item(cols, i);
        if (c == NULL || (n == 1 && strcmp(c->text, "*") == 0)) break;
        rc = append_column(&list, &len, c->text);
    }
    if (rc == MLOPS_OK && list == NULL && (list = mlops__strdup("*", "column list")) == NULL)
        rc = MLOPS_ENOMEM;
    if (rc != MLOPS_OK) {
        mlops__free(list);
        return rc;
    }
    *out = list;
    return MLOPS_OK;
}

static bool allowed_step(const char *step)
{
    const char *allowed = mlops__pipeline_key("preprocess.[].step")->allowed;
    size_t n = strlen(step);
    for (const char *a = allowed; a != NULL; a = strchr(a, '|') ? strchr(a, '|') + 1 : NULL)
        if (strncmp(a, step, n) == 0 && (a[n] == '|' || a[n] == '\0')) return true;
    return false;
}

static int check_step(mlops_pipeline *p, mlops_transform *t, const mlops__ynode *item, size_t index)
{
    char key[MLOPS_PIPELINE_KEY_MAX], sub[MLOPS_PIPELINE_KEY_MAX];
    mlops__pipeline_keyf(key, "preprocess[%zu]", index);
    const mlops__ynode *step = mlops__pipeline_scalar(item, "step");
    if (step == NULL || !allowed_step(step->text)) return MLOPS_OK; /* the key pass reports it */
    const mlops__ynode *cols = mlops__ynode_get(item, "columns");
    char *list = NULL;
    size_t len = 0, n = mlops__pipeline_count(cols);
    int rc = MLOPS_OK;
    for (size_t i = 0; i < n && rc == MLOPS_OK; i++) {
        const mlops__ynode *c = mlops__pipeline_item(cols, i);
        if (c == NULL) goto done; /* reported by the key pass */
        if (n == 1 && strcmp(c->text, "*") == 0) break;
        rc = append_column(&list, &len, c->text);
    }
    if (rc != MLOPS_OK) goto done;
    rc = mlops_transform_add(t, step->text, list != NULL ? list : "*");
    if (rc < 0) {
        mlops__pipeline_keyf(sub, "%s.%s", key, cols != NULL ? "columns" : "step");
        rc = mlops__pipeline_refused(p, cols != NULL ? cols : step, sub, rc);
        goto done;
    }
    size_t at = (size_t)rc;
    rc = MLOPS_OK;
    const mlops__ynode *settings = mlops__pipeline_map(item, "settings");
    for (size_t i = 0; settings != NULL && i < settings->count && rc == MLOPS_OK; i++) {
        const mlops__ynode *v = settings->items[i];
        if (v->kind != MLOPS_YNODE_SCALAR || mlops__ynode_is_null(v)) continue;
        mlops__pipeline_keyf(sub, "%s.settings.%s", key, settings->keys[i]->text);
        int set = mlops_transform_set(t, at, settings->keys[i]->text, mlops__pipeline_setting_text(v));
        bool unknown = set != MLOPS_OK && strstr(mlops_last_error(), "has no setting") != NULL;
        rc = mlops__pipeline_refused(p, unknown ? settings->keys[i] : v, sub, set);
    }
done:
    mlops__free(list);
    return rc;
}

static int check_preprocess(mlops_pipeline *p, const mlops__ynode *pre)
{
    if (pre == NULL || pre->kind != MLOPS_YNODE_SEQUENCE) return MLOPS_OK;
    mlops_transform *t = NULL;
    int rc = mlops_transform_create(&t);
    for (size_t i = 0; rc == MLOPS_OK && i < pre->count; i++)
        if (pre->items[i]->kind == MLOPS_YNODE_MAPPING) rc = check_step(p, t, pre->items[i], i);
    mlops_transform_free(t);
    return rc;
}

static int positive(mlops_pipeline *p, const mlops__ynode *n, const char *key)
{
    double d;
    if (n == NULL || !mlops__ynode_double(n, &d) || (isfinite(d) && d > 0)) return MLOPS_OK;
    return mlops__pipeline_add_problem(p, n, key, NULL, "must be a number above 0, not %s", n->text);
}

static int check_monitor(mlops_pipeline *p, const mlops__ynode *mon)
{
    long long bins;
    double share;
    int rc = MLOPS_OK;
    const mlops__ynode *n = mlops__pipeline_scalar(mon, "bins");
    if (n != NULL && mlops__ynode_int(n, &bins) && bins < 2)
        rc = mlops__pipeline_add_problem(p, n, "monitor.bins", NULL, "must be at least 2, not %s", n->text);
    n = mlops__pipeline_scalar(mon, "drift_share");
    if (rc == MLOPS_OK && n != NULL && mlops__ynode_double(n, &share) && !(share > 0 && share <= 1))
        rc = mlops__pipeline_add_problem(p, n, "monitor.drift_share", NULL,
                                         "must be above 0 and at most 1, not %s", n->text);
    const mlops__ynode *cols = mlops__pipeline_map(mon, "columns");
    for (size_t i = 0; rc == MLOPS_OK && cols != NULL && i < cols->count; i++) {
        char key[MLOPS_PIPELINE_KEY_MAX];
        mlops__pipeline_keyf(key, "monitor.columns.%s.threshold", cols->keys[i]->text);
        rc = positive(p, mlops__pipeline_scalar(cols->items[i], "threshold"), key);
    }
    n = mlops__pipeline_scalar(mon, "current");
    if (rc == MLOPS_OK && n != NULL && strcmp(n->text, "test") != 0) rc = check_path(p, n, "monitor.current");
    return rc;
}

/* The registry's own rules, checked before anything runs: a run that fails
 * only at its last step, after writing every artifact, helps nobody. */
static int check_registry(mlops_pipeline *p, const mlops__ynode *root, const mlops__ynode *reg)
{
    if (reg == NULL) return MLOPS_OK;
    const mlops__ynode *name = mlops__pipeline_scalar(reg, "name");
    const char *name_key = "registry.name";
    if (name == NULL) { /* the pipeline's name serves */
        name = mlops__pipeline_scalar(root, "name");
        name_key = "name";
    }
    int rc = MLOPS_OK;
    if (name != NULL)
        rc = mlops__pipeline_refused(p, name, name_key, mlops__audit_check_name(name->text, "model name"));
    const mlops__ynode *alias = mlops__pipeline_scalar(reg, "alias");
    if (rc == MLOPS_OK && alias != NULL)
        rc = mlops__pipeline_refused(p, alias, "registry.alias", mlops__reg_check_alias(alias->text));
    const mlops__ynode *reason = mlops__pipeline_scalar(reg, "reason");
    if (rc == MLOPS_OK && reason != NULL)
        rc = mlops__pipeline_refused(p, reason, "registry.reason",
                                     mlops__audit_check_text(reason->text, MLOPS_AUDIT_MAX_REASON,
                                                             true, "reason"));
    const mlops__ynode *actor = mlops__pipeline_scalar(reg, "actor");
    if (rc == MLOPS_OK && actor != NULL)
        rc = mlops__pipeline_refused(p, actor, "registry.actor",
                                     mlops__audit_check_text(actor->text, MLOPS_AUDIT_MAX_ACTOR,
                                                             false, "actor"));
    const mlops__ynode *dir = mlops__pipeline_scalar(reg, "path");
    if (rc == MLOPS_OK && dir != NULL) {
        char *abs = mlops__pipeline_resolve(p, dir->text);
        struct stat st;
        if (abs == NULL) return MLOPS_ENOMEM;
        if (stat(abs, &st) == 0 && !S_ISDIR(st.st_mode))
            rc = mlops__pipeline_add_problem(p, dir, "registry.path", NULL,
                                             "'%s' exists and is not a directory", abs);
        mlops__free(abs);
    }
    return rc;
}

int mlops__pipeline_check_values(mlops_pipeline *p)
{
    const mlops__ynode *root = p->tree.root;
    if (root == NULL || root->kind != MLOPS_YNODE_MAPPING) return MLOPS_OK;
    long long seed;
    const mlops__ynode *n = mlops__pipeline_scalar(root, "seed");
    int rc = MLOPS_OK;
    if (n != NULL && mlops__ynode_int(n, &seed) && seed < 0)
        rc = mlops__pipeline_add_problem(p, n, "seed", NULL, "must be 0 or more, not %s", n->text);
    /* a pipeline name that names the registered model gets the registry's
     * stricter check instead, below */
    const mlops__ynode *reg = mlops__pipeline_map(root, "registry");
    if (rc == MLOPS_OK && (reg == NULL || mlops__pipeline_scalar(reg, "name") != NULL))
        rc = check_name(p, mlops__pipeline_scalar(root, "name"), "name");
    if (rc == MLOPS_OK) rc = check_data(p, mlops__pipeline_map(root, "data"));
    if (rc == MLOPS_OK) rc = check_preprocess(p, mlops__ynode_get(root, "preprocess"));
    if (rc == MLOPS_OK) rc = check_monitor(p, mlops__pipeline_map(root, "monitor"));
    if (rc == MLOPS_OK) rc = check_registry(p, root, reg);
    if (rc == MLOPS_OK) rc = mlops__pipeline_check_model(p);
    return rc;
}
