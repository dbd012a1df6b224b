/* The model card: free-text fields set by the model's owner and the JSON
 * document (mlops_model_card_json) that puts them together with everything
 * the model knows about itself, so an auditor can answer "which model,
 * trained on which data, with which settings" without the library. Sections
 * follow Mitchell et al. 2019, "Model Cards for Model Reporting", where they
 * apply; the layout is shown in mlops_model_card_json(3). */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/suggest.h"
#include "core/utf8.h"
#include "mlops/version.h"
#include "train/model_impl.h"

static const char *const CARD_KEYS[MLOPS__CARD_COUNT] = {
    "name",         "version",          "owner",         "contact",
    "license",      "description",      "intended_use",  "out_of_scope_use",
    "training_data", "evaluation_data", "ethical_considerations", "caveats",
    "quantitative_analysis"};

enum { CARD_FORMAT_VERSION = 1 };

const char *mlops__card_key_name(int key)
{
    return key >= 0 && key < MLOPS__CARD_COUNT ? CARD_KEYS[key] : "unknown";
}

static const char *card_key_at(size_t i, const void *ctx)
{
    (void)ctx;
    return CARD_KEYS[i];
}

static int find_card_key(const char *func, const char *key)
{
    for (int k = 0; k < MLOPS__CARD_TEXT_COUNT; k++)
        if (strcmp(key, CARD_KEYS[k]) == 0) return k;
    const char *near = mlops__suggest(key, MLOPS__CARD_TEXT_COUNT, card_key_at, NULL);
    return mlops__fail(MLOPS_EINVAL,
                       "%s: unknown model card field '%s'%s%s%s (fields: name, version, owner, "
                       "contact, license, description, intended_use, out_of_scope_use, "
                       "training_data, evaluation_data, ethical_considerations, caveats)",
                       func, key, near ? " (did you mean '" : "", near ? near : "",
                       near ? "'?)" : "");
}

bool mlops__valid_created(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    if (s[0] == '\0') return true;
    if (strlen(s) != sizeof shape - 1) return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i]) return false;
    return true;
}

/* The creation time is stamped by fitting; a pipeline clears or fixes it so
 * that a rerun writes a byte-identical model file. */
static int set_created(mlops_model *m, const char *value)
{
    if (value == NULL) value = "";
    if (!mlops__valid_created(value) || strlen(value) >= sizeof m->created)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_card_set: card field 'created': '%.40s' is "
                           "not a UTC time YYYY-MM-DDTHH:MM:SSZ (or \"\" to leave it empty)",
                           value);
    memcpy(m->created, value, strlen(value) + 1);
    return MLOPS_OK;
}

MLOPS_API int mlops_model_card_set(mlops_model *m, const char *key, const char *value)
{
    static const char func[] = "mlops_model_card_set";
    MLOPS_CHECK_ARG(m != NULL, func, "NULL model");
    MLOPS_CHECK_ARG(key != NULL, func, "NULL key");
    if (strcmp(key, "created") == 0) return set_created(m, value);
    int k = find_card_key(func, key);
    if (k < 0) return k;
    char *copy = NULL;
    if (value != NULL && value[0] != '\0') {
        size_t n = strlen(value);
        size_t valid = mlops__utf8_valid_prefix(value, n);
        if (valid != n)
            return mlops__fail(MLOPS_EINVAL, "%s: card field '%s': the text is not valid UTF-8 "
                               "(at byte %zu)", func, key, valid);
        copy = mlops__strdup(value, "model card field");
        if (copy == NULL) return MLOPS_ENOMEM;
    }
    mlops__free(m->card[k]);
    m->card[k] = copy;
    return MLOPS_OK;
}

MLOPS_API int mlops_model_card_get(const mlops_model *m, const char *key, char **value)
{
    static const char func[] = "mlops_model_card_get";
    MLOPS_CHECK_ARG(m != NULL, func, "NULL model");
    MLOPS_CHECK_ARG(key != NULL, func, "NULL key");
    MLOPS_CHECK_ARG(value != NULL, func, "NULL value");
    int k = strcmp(key, "created") == 0 ? -1 : find_card_key(func, key);
    if (k < 0 && strcmp(key, "created") != 0) return k;
    const char *text = k < 0 ? m->created : m->card[k] ? m->card[k] : "";
    char *copy = mlops__strdup(text, "model card field");
    if (copy == NULL) return MLOPS_ENOMEM;
    *value = copy;
    return MLOPS_OK;
}

/* ---- JSON --------------------------------------------------------------- */

/* Writes an already serialised JSON value (pretty, starting at depth 0) as
 * the next value, indenting its lines to the writer's depth. The writer has
 * no raw-value call, so a null is written to get the separator and layout
 * right and then replaced. */
static int json_raw(mlops__json *j, const char *raw)
{
    if (mlops__json_null(j) != MLOPS_OK) return j->status;
    size_t n = strlen(raw);
    while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == ' ')) n--;
    size_t lines = 0;
    for (size_t i = 0; i < n; i++) lines += raw[i] == '\n';
    size_t indent = 2 * (size_t)j->depth, need = 0, extra = 0;
    if (!mlops__mul_size(lines, indent, &extra) || !mlops__add_size(j->len - 4, n, &need) ||
        !mlops__add_size(need, extra + 1, &need))
        return j->status = mlops__fail(MLOPS_ENOMEM, "model card: document too large");
    if (need > j->cap) {
        char *grown = mlops__realloc(j->buf, need, "JSON document");
        if (grown == NULL) return j->status = MLOPS_ENOMEM;
        j->buf = grown;
        j->cap = need;
    }
    size_t at = j->len - 4; /* overwrite "null" */
    for (size_t i = 0; i < n; i++) {
        j->buf[at++] = raw[i];
        if (raw[i] == '\n' && j->pretty) {
            memset(j->buf + at, ' ', indent);
            at += indent;
        }
    }
    j->buf[at] = '\0';
    j->len = at;
    return MLOPS_OK;
}

static void field(mlops__json *j, const char *key, const char *text)
{
    mlops__json_key(j, key);
    mlops__json_string(j, text); /* NULL (unset) -> null */
}

static void model_details(mlops__json *j, const mlops_model *m, const char *hash)
{
    mlops__json_key(j, "model_details");
    mlops__json_begin_object(j);
    field(j, "kind", mlops__model_kind_name(m->kind));
    static const int keys[] = {MLOPS__CARD_NAME,    MLOPS__CARD_VERSION, MLOPS__CARD_OWNER,
                               MLOPS__CARD_CONTACT, MLOPS__CARD_LICENSE,
                               MLOPS__CARD_DESCRIPTION};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        field(j, CARD_KEYS[keys[i]], m->card[keys[i]]);
    field(j, "created", m->created[0] ? m->created : NULL);
    field(j, "payload_sha256", hash);
    mlops__json_end_object(j);
}

static void training_data(mlops__json *j, const mlops_model *m)
{
    const mlops__model_fit *f = m->fit;
    mlops__json_key(j, "training_data");
    mlops__json_begin_object(j);
    field(j, "description", m->card[MLOPS__CARD_TRAINING_DATA]);
    field(j, "source", f->source && f->source[0] ? f->source : NULL);
    field(j, "fingerprint", f->fingerprint[0] ? f->fingerprint : NULL);
    mlops__json_key(j, "rows");
    mlops__json_uint(j, f->rows);
    mlops__json_key(j, "weight_sum");
    mlops__json_double(j, f->weight_sum);
    field(j, "target", f->target);
    field(j, "weight", f->weight);
    mlops__json_key(j, "inputs");
    mlops__json_begin_array(j);
    for (size_t i = 0; i < f->ninputs; i++) {
        mlops__json_begin_object(j);
        field(j, "name", f->inputs[i]);
        field(j, "type", mlops_type_name(f->input_types[i]));
        mlops__json_end_object(j);
    }
    mlops__json_end_array(j);
    mlops__json_key(j, "classes");
    mlops__json_begin_array(j);
    for (size_t k = 0; k < f->nclasses; k++) {
        mlops__json_begin_object(j);
        field(j, "label", f->classes[k]);
        if (f->class_values != NULL) {
            mlops__json_key(j, "value");
            mlops__json_double(j, f->class_values[k]);
        }
        mlops__json_key(j, "count");
        mlops__json_uint(j, f->class_counts[k]);
        mlops__json_end_object(j);
    }
    mlops__json_end_array(j);
    mlops__json_end_object(j);
}

static int preprocessing(mlops__json *j, const mlops_model *m)
{
    mlops__json_key(j, "preprocessing");
    if (m->fit->transform == NULL) return mlops__json_null(j);
    char *text = NULL;
    int rc = mlops_transform_to_json(m->fit->transform, &text);
    if (rc != MLOPS_OK) {
        if (j->status == MLOPS_OK) j->status = rc;
        return rc;
    }
    rc = json_raw(j, text);
    mlops__free(text);
    return rc;
}

static int settings(mlops__json *j, const mlops_model *m)
{
    mlops__json_key(j, "settings");
    mlops__json_begin_object(j);
    for (int k = 0; k < MLOPS__P_COUNT; k++) {
        char *text = NULL;
        int rc = mlops__param_text(&m->fit->params, k, &text);
        if (rc != MLOPS_OK) {
            if (j->status == MLOPS_OK) j->status = rc;
            return rc;
        }
        field(j, mlops__param_name(k), text);
        mlops__free(text);
    }
    return mlops__json_end_object(j);
}

static void training(mlops__json *j, const mlops__model_fit *f)
{
    mlops__json_key(j, "training");
    mlops__json_begin_object(j);
    field(j, "solver", mlops__solver_name(f->solver));
    mlops__json_key(j, "iterations");
    mlops__json_uint(j, f->iterations);
    mlops__json_key(j, "converged");
    mlops__json_bool(j, f->converged);
    mlops__json_key(j, "objective");
    mlops__json_double(j, f->objective);
    mlops__json_key(j, "gradient_norm");
    mlops__json_double(j, f->grad_norm);
    mlops__json_end_object(j);
}

/* What decision output `o` stands for: the target for regression, the
 * second class for a binary model (its log-odds), else class `o`. */
static const char *output_label(const mlops__model_fit *f, size_t o)
{
    if (f->nclasses == 0) return f->target;
    if (f->noutputs == 1) return f->classes[1];
    return f->classes[o];
}

static int coefficients(mlops__json *j, const mlops_model *m)
{
    const mlops__model_fit *f = m->fit;
    size_t p = f->nfeatures, k = f->noutputs, n = p * k;
    double *v[3] = {NULL, NULL, NULL}, *b[3] = {NULL, NULL, NULL};
    int rc = MLOPS_OK;
    for (int u = 0; u < 3 && rc == MLOPS_OK; u++) {
        v[u] = mlops__malloc_array(n, sizeof(double), "model card coefficients");
        b[u] = mlops__malloc_array(k, sizeof(double), "model card intercepts");
        if (v[u] == NULL || b[u] == NULL) rc = MLOPS_ENOMEM;
        if (rc == MLOPS_OK) rc = mlops_model_coefficients(m, u, v[u], n, b[u], k);
    }
    if (rc == MLOPS_OK) {
        mlops__json_key(j, "coefficients");
        mlops__json_begin_array(j);
        for (size_t o = 0; o < k; o++) {
            mlops__json_begin_object(j);
            field(j, "output", output_label(f, o));
            mlops__json_key(j, "intercept");
            mlops__json_begin_object(j);
            mlops__json_key(j, "model");
            mlops__json_double(j, b[MLOPS_COEF_MODEL][o]);
            mlops__json_key(j, "raw");
            mlops__json_double(j, b[MLOPS_COEF_RAW][o]);
            mlops__json_end_object(j);
            mlops__json_key(j, "features");
            mlops__json_begin_array(j);
            static const char *const units[3] = {"model", "raw", "standardized"};
            for (size_t c = 0; c < p; c++) {
                mlops__json_begin_object(j);
                field(j, "name", f->features[c]);
                for (int u = 0; u < 3; u++) {
                    mlops__json_key(j, units[u]);
                    mlops__json_double(j, v[u][o * p + c]);
                }
                mlops__json_end_object(j);
            }
            mlops__json_end_array(j);
            mlops__json_end_object(j);
        }
        mlops__json_end_array(j);
    } else if (j->status == MLOPS_OK) {
        j->status = rc;
    }
    for (int u = 0; u < 3; u++) {
        mlops__free(v[u]);
        mlops__free(b[u]);
    }
    return rc;
}

MLOPS_API int mlops_model_card_json(const mlops_model *m, char **json)
{
    static const char func[] = "mlops_model_card_json";
    MLOPS_CHECK_ARG(m != NULL, func, "NULL model");
    MLOPS_CHECK_ARG(json != NULL, func, "NULL json");
    if (m->fit == NULL) return mlops__fail(MLOPS_ESTATE, "%s: the model is not fitted", func);
    char hash[MLOPS_SHA256_HEX_SIZE];
    int rc = mlops_model_payload_hash(m, hash, sizeof hash);
    if (rc != MLOPS_OK) return rc;
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_object(&j);
    field(&j, "format", "mlops-model-card");
    mlops__json_key(&j, "format_version");
    mlops__json_int(&j, CARD_FORMAT_VERSION);
    field(&j, "library_version", mlops_version_string());
    model_details(&j, m, hash);
    mlops__json_key(&j, "intended_use");
    mlops__json_begin_object(&j);
    field(&j, "intended_use", m->card[MLOPS__CARD_INTENDED_USE]);
    field(&j, "out_of_scope_use", m->card[MLOPS__CARD_OUT_OF_SCOPE_USE]);
    mlops__json_end_object(&j);
    training_data(&j, m);
    mlops__json_key(&j, "evaluation_data");
    mlops__json_begin_object(&j);
    field(&j, "description", m->card[MLOPS__CARD_EVALUATION_DATA]);
    mlops__json_end_object(&j);
    if (preprocessing(&j, m) == MLOPS_OK && settings(&j, m) == MLOPS_OK) {
        training(&j, m->fit);
        coefficients(&j, m);
    }
    field(&j, "ethical_considerations", m->card[MLOPS__CARD_ETHICAL_CONSIDERATIONS]);
    field(&j, "caveats", m->card[MLOPS__CARD_CAVEATS]);
    mlops__json_key(&j, "quantitative_analysis");
    const char *qa = m->card[MLOPS__CARD_QUANTITATIVE_ANALYSIS];
    if (qa != NULL)
        mlops__json_raw(&j, qa, strlen(qa));
    else
        mlops__json_null(&j);
    mlops__json_end_object(&j);
    size_t len;
    return mlops__json_finish(&j, json, &len);
}

int mlops__model_set_analysis(mlops_model *m, const char *json)
{
    char *copy = NULL;
    if (json != NULL) {
        if (!mlops__json_valid(json, strlen(json)))
            return mlops__fail(MLOPS_EINVAL, "model card: quantitative analysis is not JSON");
        copy = mlops__strdup(json, "model card analysis");
        if (copy == NULL) return MLOPS_ENOMEM;
    }
    mlops__free(m->card[MLOPS__CARD_QUANTITATIVE_ANALYSIS]);
    m->card[MLOPS__CARD_QUANTITATIVE_ANALYSIS] = copy;
    return MLOPS_OK;
}
