/* mlops_run_report: the pages of a run directory, rendered from the JSON
 * files the run wrote (see mlops/html.h). The run's files are only read. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json.h"
#include "mlops/html.h"
#include "mlops/memory.h"

/* Documents a run writes are small; this bound only stops a hostile file. */
#define MAX_DOCUMENT ((size_t)256 << 20)

typedef struct page {
    const char *kind, *source, *extra, *output;
} page;

static const page PAGES[] = {
    {"evaluation", "evaluation.json", NULL, "evaluation.html"},
    {"drift", "drift.json", NULL, "drift.html"},
    {"profile", "data_profile.json", "data_validation.json", "data.html"},
    {"model_card", "model_card.json", NULL, "model_card.html"},
};

/* Reads dir/name into a NUL-terminated string; *text NULL when absent. */
static int read_doc(const char *dir, const char *name, char **text)
{
    *text = NULL;
    char *path = mlops__join_path(dir, name);
    if (path == NULL) return MLOPS_ENOMEM;
    struct stat st;
    int rc = MLOPS_OK;
    if (stat(path, &st) == 0) {
        unsigned char *data = NULL;
        size_t len = 0;
        rc = mlops__read_file(path, MAX_DOCUMENT, &data, &len);
        if (rc == MLOPS_OK) {
            char *s = mlops__realloc(data, len + 1, "run document");
            if (s == NULL) {
                mlops__free(data);
                rc = MLOPS_ENOMEM;
            } else {
                s[len] = '\0';
                if (strlen(s) != len)
                    rc = mlops__fail(MLOPS_EFORMAT, "%s: holds a NUL byte, not a JSON document", path);
                if (rc != MLOPS_OK) mlops__free(s);
                else *text = s;
            }
        }
    }
    mlops__free(path);
    return rc;
}

static int one_page(const page *pg, const char *run_dir, const char *out_dir, mlops__json *list,
                    size_t *written)
{
    char *doc = NULL, *extra = NULL, *html = NULL, *out = NULL;
    int rc = read_doc(run_dir, pg->source, &doc);
    if (rc == MLOPS_OK && doc == NULL) return MLOPS_OK;
    if (rc == MLOPS_OK && pg->extra != NULL) rc = read_doc(run_dir, pg->extra, &extra);
    if (rc == MLOPS_OK) {
        rc = mlops_html_from_json(pg->kind, doc, extra, NULL, &html);
        if (rc != MLOPS_OK) {
            /* the message is rewritten in place: copy it out first */
            char why[512];
            snprintf(why, sizeof why, "%s", mlops_last_error());
            rc = mlops__fail(rc, "%s/%s: %s", run_dir, pg->source, why);
        }
    }
    if (rc == MLOPS_OK) {
        out = mlops__join_path(out_dir, pg->output);
        rc = out == NULL ? MLOPS_ENOMEM : mlops_html_save(html, out);
    }
    if (rc == MLOPS_OK) {
        mlops__json_string(list, out);
        (*written)++;
    }
    mlops__free(out);
    mlops_free(html);
    mlops__free(extra);
    mlops__free(doc);
    return rc;
}

MLOPS_API int mlops_run_report(const char *run_dir, const char *out_dir, char **written)
{
    if (written != NULL) *written = NULL;
    if (run_dir == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_run_report: run_dir is NULL");
    struct stat st;
    if (stat(run_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return mlops__fail(MLOPS_ENOTFOUND, "mlops_run_report: %s is not a directory", run_dir);
    if (out_dir == NULL) out_dir = run_dir;
    else if (stat(out_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return mlops__fail(MLOPS_ENOTFOUND, "mlops_run_report: output directory %s does not exist",
                           out_dir);
    mlops__json list;
    mlops__json_init(&list, false);
    mlops__json_begin_array(&list);
    size_t n = 0;
    int rc = MLOPS_OK;
    for (size_t i = 0; rc == MLOPS_OK && i < sizeof PAGES / sizeof PAGES[0]; i++)
        rc = one_page(&PAGES[i], run_dir, out_dir, &list, &n);
    if (rc == MLOPS_OK && n == 0)
        rc = mlops__fail(MLOPS_ENOTFOUND,
                         "mlops_run_report: %s holds none of evaluation.json, drift.json, "
                         "data_profile.json, model_card.json (is it a run directory?)",
                         run_dir);
    mlops__json_end_array(&list);
    if (rc == MLOPS_OK && written != NULL) {
        size_t len;
        return mlops__json_finish(&list, written, &len);
    }
    mlops__json_free(&list);
    return rc;
}
