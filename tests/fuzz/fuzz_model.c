/* libFuzzer target: the model file loader. The input is a model file; it
 * is loaded from a file and from memory (the two must agree), and again
 * with its container checksums recomputed, so that mutations reach the
 * section decoders and their consistency checks. A model that loads is
 * used as a program would use it: its card JSON, payload hash and
 * coefficients, predictions and explanations on three rows built from its
 * own inputs, a decision fingerprint, a save and reload that must give
 * the same payload hash and bit-identical predictions, and an evaluation
 * and a refit (warm start included) of the reloaded copy. */
#include "fuzz_common.h"

#include <math.h>

static char *model_path;
static size_t live_baseline;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    model_path = fuzz_path("model.mlops");
    live_baseline = mlops_live_allocations();
    return 0;
}

/* A category the model knows for input `name`, from a one-hot feature
 * "name=VALUE", or NULL. */
static const char *known_category(const mlops_model *m, const char *name)
{
    size_t n = strlen(name), f = mlops_model_feature_count(m);
    for (size_t i = 0; i < f; i++) {
        const char *feature = mlops_model_feature_name(m, i);
        if (feature != NULL && strncmp(feature, name, n) == 0 && feature[n] == '=')
            return feature + n + 1;
    }
    return NULL;
}

/* Three rows: ordinary values, missing values, and odd ones. */
static mlops_dataset *rows_for(const mlops_model *m)
{
    static const double numbers[3] = {1.5, NAN, -1e6};
    mlops_dataset_builder *b = NULL;
    mlops_dataset *d = NULL;
    if (mlops_dataset_builder_create(&b, 3) != MLOPS_OK) return NULL;
    int rc = MLOPS_OK;
    size_t n = mlops_model_input_count(m);
    for (size_t i = 0; i < n && rc == MLOPS_OK; i++) {
        const char *name = mlops_model_input_name(m, i);
        if (name == NULL) fuzz_die("input without a name", "");
        if (mlops_model_input_type(m, i) == MLOPS_CATEGORICAL) {
            const char *known = known_category(m, name);
            const char *values[3] = {known != NULL ? known : "a", NULL, "unseen category"};
            rc = mlops_dataset_builder_add_categorical(b, name, values);
        } else {
            rc = mlops_dataset_builder_add_numeric(b, name, numbers);
        }
    }
    if (rc == MLOPS_OK) rc = mlops_dataset_builder_finish(b, &d);
    mlops_dataset_builder_free(b);
    if (rc != MLOPS_OK && rc != MLOPS_ENOMEM)
        fuzz_die("cannot build rows from the model's own inputs", mlops_last_error());
    return d;
}

/* Predictions of every kind for `d`, in a new array (NULL when there are
 * none); *len doubles. */
static double *predict_all(const mlops_model *m, const mlops_dataset *d, int kind, size_t *len)
{
    size_t width = mlops_model_output_width(m, kind);
    *len = 0;
    if (width == 0 || d == NULL) return NULL;
    size_t n = width * mlops_dataset_rows(d);
    double *out = calloc(n, sizeof *out);
    if (out == NULL) fuzz_die("out of memory", "predictions");
    if (mlops_model_predict(m, d, kind, out, n) != MLOPS_OK) {
        free(out);
        return NULL;
    }
    *len = n;
    return out;
}

/* Four complete rows of the model's inputs and its target, for
 * evaluating and refitting it; NULL when the target name is unusable. */
static mlops_dataset *labelled_rows(const mlops_model *m)
{
    static const double numbers[4] = {1.5, -2.0, 0.25, 3.0};
    static const double targets[4] = {1.0, 2.5, -1.0, 4.0};
    const char *target = mlops_model_target_name(m);
    size_t n = mlops_model_input_count(m), classes = mlops_model_class_count(m);
    if (target == NULL || *target == '\0' || n > 10000) return NULL;
    mlops_dataset_builder *b = NULL;
    mlops_dataset *d = NULL;
    if (mlops_dataset_builder_create(&b, 4) != MLOPS_OK) return NULL;
    int rc = MLOPS_OK;
    for (size_t i = 0; i < n && rc == MLOPS_OK; i++) {
        const char *name = mlops_model_input_name(m, i);
        if (strcmp(name, target) == 0) rc = MLOPS_EINVAL;
        else if (mlops_model_input_type(m, i) == MLOPS_CATEGORICAL) {
            const char *known = known_category(m, name);
            const char *values[4] = {known ? known : "a", "b", known ? known : "a", "c"};
            rc = mlops_dataset_builder_add_categorical(b, name, values);
        } else {
            rc = mlops_dataset_builder_add_numeric(b, name, numbers);
        }
    }
    if (rc == MLOPS_OK && classes > 0) {
        const char *labels[4];
        for (size_t i = 0; i < 4; i++) labels[i] = mlops_model_class_label(m, i % classes);
        rc = mlops_dataset_builder_add_categorical(b, target, labels);
    } else if (rc == MLOPS_OK) {
        rc = mlops_dataset_builder_add_numeric(b, target, targets);
    }
    if (rc == MLOPS_OK) rc = mlops_dataset_builder_set_role(b, target, MLOPS_ROLE_TARGET);
    if (rc == MLOPS_OK) rc = mlops_dataset_builder_finish(b, &d);
    mlops_dataset_builder_free(b);
    return d;
}

/* Evaluates `m` on labelled rows, then refits it there (warm starts
 * included, as its settings say; the iteration limit is cut so that a
 * setting from the file cannot make the input slow). */
static void evaluate_and_refit(mlops_model *m)
{
    mlops_dataset *d = labelled_rows(m);
    if (d == NULL) return;
    mlops_evaluator *ev = NULL;
    mlops_report *r = NULL;
    char *json = NULL;
    if (mlops_evaluator_create(&ev) == MLOPS_OK && mlops_evaluator_run(ev, m, d, &r) == MLOPS_OK &&
        mlops_report_json(r, &json) == MLOPS_OK)
        mlops_free(json);
    mlops_report_free(r);
    mlops_evaluator_free(ev);
    mlops_model_set_param(m, "max_iter", "50");
    mlops_model_set_param(m, "threads", "0");
    if (mlops_model_fit(m, d) == MLOPS_OK) {
        size_t len = 0;
        free(predict_all(m, d, MLOPS_PREDICT_VALUE, &len));
        json = NULL;
        if (mlops_model_card_json(m, &json) == MLOPS_OK) mlops_free(json);
    }
    mlops_dataset_free(d);
}

static void use_model(const mlops_model *m)
{
    char *json = NULL, hex[65];
    if (mlops_model_card_json(m, &json) == MLOPS_OK) mlops_free(json);
    if (mlops_model_payload_hash(m, hex, sizeof hex) != MLOPS_OK)
        fuzz_die("a loaded model has no payload hash", mlops_last_error());
    mlops_model_kind(m);
    mlops_model_target_name(m);
    for (size_t k = 0; k < mlops_model_class_count(m); k++)
        if (mlops_model_class_label(m, k) == NULL) fuzz_die("class without a label", "");

    size_t outputs = mlops_model_output_count(m), features = mlops_model_feature_count(m);
    if (outputs > 0 && features < 100000 && outputs < 100000) {
        size_t n = outputs * features + 1;
        double *coef = malloc(n * sizeof *coef), *icpt = malloc(outputs * sizeof *icpt);
        if (coef == NULL || icpt == NULL) fuzz_die("out of memory", "coefficients");
        for (int units = MLOPS_COEF_MODEL; units <= MLOPS_COEF_STANDARDIZED; units++)
            mlops_model_coefficients(m, units, coef, n, icpt, outputs);
        free(coef);
        free(icpt);
    }

    mlops_dataset *d = rows_for(m);
    size_t lens[3] = {0};
    double *pred[3] = {NULL};
    for (int kind = 0; kind < 3; kind++) pred[kind] = predict_all(m, d, kind, &lens[kind]);
    if (d != NULL) {
        if (mlops_model_explain_json(m, d, 0, 3, &json) == MLOPS_OK) mlops_free(json);
        if (features > 0 && features < 100000) {
            double *contrib = malloc(features * sizeof *contrib);
            if (contrib == NULL) fuzz_die("out of memory", "contributions");
            mlops_model_contributions(m, d, 0, 0, contrib, features);
            free(contrib);
        }
        char fingerprint[65];
        mlops_decision_fingerprint(m, d, 1, fingerprint, sizeof fingerprint);
    }
    size_t inputs = mlops_model_input_count(m), width = mlops_model_output_width(m, 0);
    if (inputs > 0 && inputs < 10000 && width > 0 && width < 10000) {
        double *x = malloc(inputs * sizeof *x), *y = malloc(width * sizeof *y);
        if (x == NULL || y == NULL) fuzz_die("out of memory", "row");
        for (size_t i = 0; i < inputs; i++) x[i] = i % 2 ? NAN : 0.25 * (double)i;
        mlops_model_predict_row(m, x, inputs, MLOPS_PREDICT_VALUE, y, width);
        mlops_model_predict_matrix(m, x, 1, inputs, MLOPS_PREDICT_VALUE, y, width);
        free(x);
        free(y);
    }

    unsigned char *saved = NULL;
    size_t saved_len = 0;
    if (mlops_model_save_buffer(m, &saved, &saved_len) == MLOPS_OK) {
        mlops_model *again = NULL;
        char hex2[65];
        if (mlops_model_load_buffer(&again, saved, saved_len) != MLOPS_OK)
            fuzz_die("a saved model does not load", mlops_last_error());
        if (mlops_model_payload_hash(again, hex2, sizeof hex2) == MLOPS_OK &&
            strcmp(hex, hex2) != 0)
            fuzz_die("saving and loading changes the payload hash", "");
        for (int kind = 0; kind < 3; kind++) {
            size_t len2 = 0;
            double *p2 = predict_all(again, d, kind, &len2);
            if (pred[kind] != NULL && p2 != NULL &&
                (len2 != lens[kind] || memcmp(pred[kind], p2, len2 * sizeof *p2) != 0))
                fuzz_die("a reloaded model predicts differently", "");
            free(p2);
        }
        evaluate_and_refit(again);
        mlops_model_free(again);
        mlops_free(saved);
    }
    for (int kind = 0; kind < 3; kind++) free(pred[kind]);
    mlops_dataset_free(d);
}

static int load_both(const uint8_t *data, size_t size)
{
    mlops_model *from_file = NULL, *from_memory = NULL;
    fuzz_write_file(model_path, data, size);
    int rc_file = mlops_model_load(&from_file, model_path);
    int rc = mlops_model_load_buffer(&from_memory, data, size);
    if (rc != rc_file) fuzz_die("loading from a file and from memory disagree", mlops_last_error());
    if (rc == MLOPS_OK) use_model(from_memory);
    else if (from_memory != NULL || from_file != NULL)
        fuzz_die("a failed load returned a model", mlops_last_error());
    mlops_model_free(from_file);
    mlops_model_free(from_memory);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_both(data, size);
    unsigned char *fixed = malloc(size > 0 ? size : 1);
    if (fixed == NULL) fuzz_die("out of memory", "copy");
    if (size > 0) memcpy(fixed, data, size);
    if (fuzz_fix_container(fixed, size)) load_both(fixed, size);
    free(fixed);
    fuzz_check_live(live_baseline);
    return 0;
}
