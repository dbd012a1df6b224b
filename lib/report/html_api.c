/* The public face of the HTML reports (mlops/html.h): each object is turned
 * into its JSON document with the public API, parsed, and rendered by its
 * page, so live objects and saved documents give identical pages. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json_parse.h"
#include "mlops/html.h"
#include "mlops/memory.h"
#include "report/report_pages.h"

enum { KIND_EVALUATION, KIND_DRIFT, KIND_PROFILE, KIND_MODEL_CARD, KIND_COUNT };
static const char *const KIND[KIND_COUNT] = {"evaluation", "drift", "profile", "model_card"};

/* Parses the document(s) and renders the page of `kind` into *html. */
static int render(int kind, const char *json, const char *extra, const char *what,
                  const char *title, char **html)
{
    mlops__jv *doc = NULL, *more = NULL;
    int rc = mlops__json_parse(json, strlen(json), what, &doc);
    if (rc == MLOPS_OK && extra != NULL) rc = mlops__json_parse(extra, strlen(extra), what, &more);
    mlops__html h;
    mlops__html_init(&h);
    if (rc == MLOPS_OK) {
        switch (kind) {
        case KIND_EVALUATION: rc = mlops__page_evaluation(&h, doc, title); break;
        case KIND_DRIFT: rc = mlops__page_drift(&h, doc, more, title); break;
        case KIND_PROFILE: rc = mlops__page_profile(&h, doc, more, title); break;
        default: rc = mlops__page_model_card(&h, doc, title); break;
        }
    }
    if (rc == MLOPS_OK) rc = mlops__html_finish(&h, html);
    mlops__html_free(&h);
    mlops__jv_free(doc);
    mlops__jv_free(more);
    return rc;
}

MLOPS_API int mlops_html_from_json(const char *kind, const char *json, const char *extra_json,
                                   const char *title, char **html)
{
    if (html != NULL) *html = NULL;
    if (kind == NULL || json == NULL || html == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_html_from_json: %s is NULL",
                           kind == NULL ? "kind" : json == NULL ? "json" : "html");
    for (int k = 0; k < KIND_COUNT; k++)
        if (strcmp(kind, KIND[k]) == 0) return render(k, json, extra_json, kind, title, html);
    return mlops__fail(MLOPS_EINVAL,
                       "mlops_html_from_json: unknown kind '%s' (evaluation, drift, profile or "
                       "model_card)",
                       kind);
}

/* Renders from JSON made by a public *_json function, then frees it. */
static int render_owned(int kind, int rc, char *json, char *extra, const char *title, char **html)
{
    if (rc == MLOPS_OK) rc = render(kind, json, extra, KIND[kind], title, html);
    mlops_free(json);
    mlops_free(extra);
    return rc;
}

MLOPS_API int mlops_report_html(const mlops_report *r, const char *title, char **html)
{
    if (html != NULL) *html = NULL;
    if (r == NULL || html == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_report_html: %s is NULL", r == NULL ? "report" : "html");
    char *json = NULL;
    int rc = mlops_report_json(r, &json);
    return render_owned(KIND_EVALUATION, rc, json, NULL, title, html);
}

MLOPS_API int mlops_drift_report_html(const mlops_drift_report *r,
                                      const mlops_drift_monitor *monitor, const char *title,
                                      char **html)
{
    if (html != NULL) *html = NULL;
    if (r == NULL || html == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_drift_report_html: %s is NULL",
                           r == NULL ? "report" : "html");
    char *json = NULL, *history = NULL;
    int rc = mlops_drift_report_json(r, &json);
    if (rc == MLOPS_OK && monitor != NULL) rc = mlops_drift_monitor_history_json(monitor, &history);
    return render_owned(KIND_DRIFT, rc, json, history, title, html);
}

MLOPS_API int mlops_profile_html(const mlops_profile *p, const char *title, char **html)
{
    if (html != NULL) *html = NULL;
    if (p == NULL || html == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_profile_html: %s is NULL", p == NULL ? "profile" : "html");
    char *json = NULL;
    int rc = mlops_profile_to_json(p, &json);
    return render_owned(KIND_PROFILE, rc, json, NULL, title, html);
}

MLOPS_API int mlops_model_card_html(const mlops_model *model, const char *title, char **html)
{
    if (html != NULL) *html = NULL;
    if (model == NULL || html == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_card_html: %s is NULL",
                           model == NULL ? "model" : "html");
    char *json = NULL;
    int rc = mlops_model_card_json(model, &json);
    return render_owned(KIND_MODEL_CARD, rc, json, NULL, title, html);
}

MLOPS_API int mlops_html_save(const char *html, const char *path)
{
    if (html == NULL || path == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_html_save: %s is NULL", html == NULL ? "html" : "path");
    return mlops__write_file_atomic(path, html, strlen(html));
}
