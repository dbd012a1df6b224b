/* mlops_run_verify: re-checks a run directory against its lock file, so a
 * run can be shown years later to be exactly what was recorded. The lock's
 * own checksum, every output's size and SHA-256, the model's payload hash
 * and every input still present are checked; the report lists each file. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json.h"
#include <stdio.h>

#include "pipeline/run_context.h"
#include "pipeline/run_lock.h"

typedef struct verify {
    const char *dir;
    mlops__json j;
    int first;          /* first failure code, MLOPS_OK while none */
    char *first_message;
    size_t checked;
} verify;

/* Records the first failure (the message of `code` at this moment). */
static void failed(verify *v, int code)
{
    if (v->first != MLOPS_OK) return;
    v->first = code;
    v->first_message = mlops__strdup(mlops_last_error(), "verify message");
}

static void file_entry(verify *v, const char *role, const char *path, const char *expected,
                       const char *actual, const char *problem)
{
    mlops__json_begin_object(&v->j);
    mlops__json_key(&v->j, "role");
    mlops__json_string(&v->j, role);
    mlops__json_key(&v->j, "path");
    mlops__json_string(&v->j, path);
    mlops__json_key(&v->j, "ok");
    mlops__json_bool(&v->j, problem == NULL);
    mlops__json_key(&v->j, "expected");
    mlops__json_string(&v->j, expected);
    mlops__json_key(&v->j, "actual");
    mlops__json_string(&v->j, actual);
    mlops__json_key(&v->j, "problem");
    mlops__json_string(&v->j, problem);
    mlops__json_end_object(&v->j);
}

/* An output: a plain file name inside the run directory. */
static void check_output(verify *v, const mlops__ynode *entry)
{
    const char *name = mlops__ynode_text(mlops__ynode_get(entry, "path"));
    const char *expected = mlops__ynode_text(mlops__ynode_get(entry, "sha256"));
    long long bytes = -1;
    mlops__ynode_int(mlops__ynode_get(entry, "bytes"), &bytes);
    if (name == NULL || expected == NULL || strchr(name, '/') != NULL || name[0] == '.' ||
        bytes < 0) {
        failed(v, mlops__fail(MLOPS_EFORMAT, "run %s: lock file: malformed output entry at line %zu",
                              v->dir, entry->line));
        return;
    }
    char *path = mlops__join_path(v->dir, name);
    if (path == NULL) {
        failed(v, MLOPS_ENOMEM);
        return;
    }
    char actual[65] = "";
    unsigned long long size = 0;
    int rc = mlops__file_sha256(path, actual, &size);
    v->checked++;
    if (rc == MLOPS_ENOTFOUND) {
        failed(v, mlops__fail(MLOPS_ENOTFOUND, "run %s: output '%s' is missing", v->dir, name));
        file_entry(v, "output", name, expected, NULL, "missing");
    } else if (rc != MLOPS_OK) {
        failed(v, rc);
        file_entry(v, "output", name, expected, NULL, "unreadable");
    } else if (strcmp(actual, expected) != 0 || size != (unsigned long long)bytes) {
        failed(v, mlops__fail(MLOPS_ECORRUPT, "run %s: output '%s' changed since the run "
                              "(sha256 %s, %llu bytes; the lock records %s, %lld bytes)",
                              v->dir, name, actual, size, expected, bytes));
        file_entry(v, "output", name, expected, actual, "changed");
    } else {
        file_entry(v, "output", name, expected, actual, NULL);
    }
    mlops__free(path);
}

/* An input is checked where it still is; a moved input is noted, not failed. */
static void check_input(verify *v, const mlops__ynode *entry)
{
    const char *path = mlops__ynode_text(mlops__ynode_get(entry, "path"));
    const char *role = mlops__ynode_text(mlops__ynode_get(entry, "role"));
    const char *expected = mlops__ynode_text(mlops__ynode_get(entry, "sha256"));
    if (path == NULL || expected == NULL) {
        failed(v, mlops__fail(MLOPS_EFORMAT, "run %s: lock file: malformed input entry at line %zu",
                              v->dir, entry->line));
        return;
    }
    char actual[65] = "";
    unsigned long long size = 0;
    int rc = mlops__file_sha256(path, actual, &size);
    if (rc == MLOPS_ENOTFOUND) {
        mlops_clear_error();
        file_entry(v, role ? role : "input", path, expected, NULL, NULL);
        return;
    }
    v->checked++;
    if (rc != MLOPS_OK) {
        failed(v, rc);
        file_entry(v, role ? role : "input", path, expected, NULL, "unreadable");
    } else if (strcmp(actual, expected) != 0) {
        failed(v, mlops__fail(MLOPS_ECORRUPT, "run %s: input '%s' changed since the run "
                              "(sha256 %s; the lock records %s)", v->dir, path, actual, expected));
        file_entry(v, role ? role : "input", path, expected, actual, "changed");
    } else {
        file_entry(v, role ? role : "input", path, expected, actual, NULL);
    }
}

static void check_model(verify *v, const mlops__ynode *model)
{
    const char *expected = mlops__ynode_text(mlops__ynode_get(model, "payload_sha256"));
    if (model == NULL || mlops__ynode_is_null(model) || expected == NULL) return;
    char *path = mlops__join_path(v->dir, "model.mlops");
    if (path == NULL) {
        failed(v, MLOPS_ENOMEM);
        return;
    }
    mlops_model *m = NULL;
    char actual[65] = "";
    int rc = mlops_model_load(&m, path);
    if (rc == MLOPS_OK) rc = mlops_model_payload_hash(m, actual, sizeof actual);
    mlops_model_free(m);
    mlops__free(path);
    if (rc == MLOPS_OK && strcmp(actual, expected) != 0)
        rc = mlops__fail(MLOPS_ECORRUPT, "run %s: the model's payload hash %s is not the one "
                         "recorded, %s", v->dir, actual, expected);
    if (rc != MLOPS_OK) failed(v, rc);
    mlops__json_key(&v->j, "model_payload");
    mlops__json_begin_object(&v->j);
    mlops__json_key(&v->j, "ok");
    mlops__json_bool(&v->j, rc == MLOPS_OK);
    mlops__json_key(&v->j, "expected");
    mlops__json_string(&v->j, expected);
    mlops__json_key(&v->j, "actual");
    mlops__json_string(&v->j, actual[0] ? actual : NULL);
    mlops__json_end_object(&v->j);
}

static int read_lock(verify *v, unsigned char **text, size_t *len, mlops__ytree *tree)
{
    char *path = mlops__join_path(v->dir, MLOPS_LOCK_FILE);
    if (path == NULL) return MLOPS_ENOMEM;
    int rc = mlops__read_file(path, 64u << 20, text, len);
    /* The checksum is checked on the raw bytes before parsing: a changed
     * byte that breaks the JSON is a changed lock, not a format problem. */
    static const char key[] = "\"lock_sha256\": \"";
    const char *at = rc == MLOPS_OK ? strstr((const char *)*text, key) : NULL;
    char stored[65] = "", actual[65];
    if (at != NULL && strlen(at) >= sizeof key - 1 + 64) {
        memcpy(stored, at + sizeof key - 1, 64);
        stored[64] = '\0';
    }
    if (rc == MLOPS_OK && stored[0] == '\0')
        rc = strstr((const char *)*text, "\"lock_version\"") != NULL
                 ? mlops__fail(MLOPS_ECORRUPT, "%s: the lock file was changed (its checksum "
                               "field \"lock_sha256\" is gone)", path)
                 : mlops__fail(MLOPS_EFORMAT, "%s: not a run lock file (no lock_sha256)", path);
    if (rc == MLOPS_OK && (rc = mlops__lock_checksum((const char *)*text, *len, actual)) == MLOPS_OK &&
        strcmp(actual, stored) != 0)
        rc = mlops__fail(MLOPS_ECORRUPT, "%s: the lock file was changed (its checksum is %s, it "
                         "records %s)", path, actual, stored);
    if (rc == MLOPS_OK) rc = mlops__ytree_read_buffer(tree, path, (const char *)*text, *len);
    if (rc == MLOPS_OK) {
        long long version = 0;
        if (!mlops__ynode_int(mlops__ynode_get(tree->root, "lock_version"), &version))
            rc = mlops__fail(MLOPS_EFORMAT, "%s: not a run lock file (no lock_version)", path);
        else if (version > MLOPS_LOCK_VERSION)
            rc = mlops__fail(MLOPS_EVERSION, "%s: lock version %lld needs a newer libmlops", path,
                             version);
    }
    mlops__free(path);
    return rc;
}

MLOPS_API int mlops_run_verify(const char *run_dir, char **report)
{
    MLOPS_CHECK_ARG(run_dir != NULL, "mlops_run_verify", "NULL run directory");
    verify v;
    memset(&v, 0, sizeof v);
    v.dir = run_dir;
    unsigned char *text = NULL;
    size_t len = 0;
    mlops__ytree tree;
    memset(&tree, 0, sizeof tree);
    int rc = read_lock(&v, &text, &len, &tree);
    if (rc != MLOPS_OK && rc != MLOPS_ECORRUPT) {
        mlops__ytree_free(&tree);
        mlops__free(text);
        return rc;
    }
    if (rc != MLOPS_OK) failed(&v, rc);
    mlops__json_init(&v.j, true);
    mlops__json_begin_object(&v.j);
    mlops__json_key(&v.j, "run_dir");
    mlops__json_string(&v.j, run_dir);
    mlops__json_key(&v.j, "lock_ok");
    mlops__json_bool(&v.j, rc == MLOPS_OK);
    mlops__json_key(&v.j, "files");
    mlops__json_begin_array(&v.j);
    const mlops__ynode *outputs = mlops__ynode_get(tree.root, "outputs");
    for (size_t i = 0; outputs != NULL && i < outputs->count; i++)
        check_output(&v, outputs->items[i]);
    /* input paths of a lock that was changed are not followed */
    const mlops__ynode *inputs = rc == MLOPS_OK ? mlops__ynode_get(tree.root, "inputs") : NULL;
    for (size_t i = 0; inputs != NULL && i < inputs->count; i++) check_input(&v, inputs->items[i]);
    mlops__json_end_array(&v.j);
    check_model(&v, mlops__ynode_get(tree.root, "model"));
    mlops__json_key(&v.j, "checked");
    mlops__json_uint(&v.j, v.checked);
    mlops__json_key(&v.j, "ok");
    mlops__json_bool(&v.j, v.first == MLOPS_OK);
    mlops__json_key(&v.j, "first_problem");
    mlops__json_string(&v.j, v.first_message);
    mlops__json_end_object(&v.j);
    mlops__ytree_free(&tree);
    mlops__free(text);
    char *doc = NULL;
    size_t doclen = 0;
    rc = mlops__json_finish(&v.j, &doc, &doclen);
    /* a check cut short by a failed allocation reports nothing */
    if (rc == MLOPS_OK && report != NULL && v.first != MLOPS_ENOMEM) *report = doc;
    else mlops__free(doc);
    if (rc != MLOPS_OK) {
        mlops__free(v.first_message);
        return rc;
    }
    if (v.first != MLOPS_OK) {
        rc = mlops__fail(v.first, "%s", v.first_message ? v.first_message : "verification failed");
        mlops__free(v.first_message);
        return rc;
    }
    return MLOPS_OK;
}
