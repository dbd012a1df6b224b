/* libFuzzer target: the gate-expression parser. The input, as a
 * NUL-terminated string, is added as a gate to a classification and a
 * regression evaluator; a gate that parses is then checked by real runs on
 * small arrays (with bootstrap intervals and a group column, so that
 * ci_low and fairness names exist) and on a small fitted model with a
 * noise probe, and the reports rendered as JSON. */
#include "fuzz_common.h"

enum { ROWS = 12 };

static const double y_class[ROWS] = {0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0};
static const double y_class_pred[ROWS] = {0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0};
static const double scores[ROWS] = {0.1, 0.8, 0.4, 0.3, 0.9, 0.6, 0.2, 0.7, 0.95, 0.45, 0.05, 0.35};
static const double y_reg[ROWS] = {1.5, 2.0, 3.5, 4.0, 5.5, 6.0, 7.5, 8.0, 9.5, 10, 11.5, 12};
static const double y_reg_pred[ROWS] = {1.4, 2.3, 3.1, 4.4, 5.0, 6.6, 7.0, 8.9, 9.1, 10.2, 11, 12.5};

static mlops_dataset *groups;   /* column g: a, b */
static mlops_dataset *train;    /* x1, x2, g, label */
static mlops_model *model;      /* logistic regression on train */
static size_t live_baseline;

static void must(int rc, const char *what)
{
    if (rc != MLOPS_OK) fuzz_die(what, mlops_last_error());
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char *const g[ROWS] = {"a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "a", "b"};
    static const char *const label[ROWS] = {"no", "yes", "yes", "no", "yes", "no",
                                            "no", "yes", "yes", "yes", "no", "no"};
    double x1[ROWS], x2[ROWS];
    for (int i = 0; i < ROWS; i++) {
        x1[i] = scores[i] * 4 + (i % 3) * 0.5;
        x2[i] = (double)(i % 5) - 2.0;
    }
    mlops_dataset_builder *b = NULL;
    must(mlops_dataset_builder_create(&b, ROWS), "builder");
    must(mlops_dataset_builder_add_categorical(b, "g", g), "g");
    must(mlops_dataset_builder_finish(b, &groups), "groups");
    must(mlops_dataset_builder_add_numeric(b, "x1", x1), "x1");
    must(mlops_dataset_builder_add_numeric(b, "x2", x2), "x2");
    must(mlops_dataset_builder_add_categorical(b, "label", label), "label");
    must(mlops_dataset_builder_set_role(b, "label", MLOPS_ROLE_TARGET), "role");
    must(mlops_dataset_builder_set_role(b, "g", MLOPS_ROLE_GROUP), "role");
    must(mlops_dataset_builder_finish(b, &train), "train");
    mlops_dataset_builder_free(b);
    must(mlops_model_create(&model, "logistic_regression"), "model");
    must(mlops_model_set_param(model, "l2", "1"), "l2");
    must(mlops_model_fit(model, train), "fit");
    live_baseline = mlops_live_allocations();
    return 0;
}

static void check_report(mlops_report *r)
{
    char *json = NULL;
    size_t n = mlops_report_gate_count(r);
    for (size_t i = 0; i < n; i++) {
        const char *expression = NULL;
        double value = 0;
        int passed = 0;
        if (mlops_report_gate(r, i, &expression, &value, &passed) != MLOPS_OK || expression == NULL)
            fuzz_die("a gate of the report cannot be read", mlops_last_error());
    }
    mlops_report_passed(r);
    if (mlops_report_json(r, &json) == MLOPS_OK) mlops_free(json);
    mlops_report_free(r);
}

static mlops_evaluator *evaluator(const char *task, const char *expression)
{
    mlops_evaluator *ev = NULL;
    must(mlops_evaluator_create(&ev), "evaluator");
    must(mlops_evaluator_set_param(ev, "task", task), "task");
    must(mlops_evaluator_set_param(ev, "bootstrap", "20"), "bootstrap");
    must(mlops_evaluator_set_param(ev, "group", "g"), "group");
    must(mlops_evaluator_set_param(ev, "min_group_size", "2"), "min_group_size");
    int rc = mlops_evaluator_add_gate(ev, expression);
    if (rc != MLOPS_OK) {
        if (rc != MLOPS_EINVAL && rc != MLOPS_ENOMEM)
            fuzz_die("a refused gate gives an undocumented code", mlops_last_error());
        if (mlops_evaluator_gate_count(ev) != 0) fuzz_die("a refused gate was kept", expression);
        mlops_evaluator_free(ev);
        return NULL;
    }
    if (mlops_evaluator_gate_count(ev) != 1) fuzz_die("an accepted gate was not kept", expression);
    return ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *expression = fuzz_strndup(data, size);
    mlops_report *r = NULL;

    mlops_evaluator *ev = evaluator("classification", expression);
    if (ev != NULL) {
        if (mlops_evaluator_run_arrays(ev, ROWS, y_class, y_class_pred, scores, 1, NULL, groups,
                                       &r) == MLOPS_OK)
            check_report(r);
        r = NULL;
        must(mlops_evaluator_set_param(ev, "task", "auto"), "task");
        must(mlops_evaluator_set_param(ev, "probes", "noise:0.1;missing:0.2"), "probes");
        if (mlops_evaluator_run(ev, model, train, &r) == MLOPS_OK) check_report(r);
        r = NULL;
        mlops_evaluator_free(ev);
    }

    ev = evaluator("regression", expression);
    if (ev != NULL) {
        if (mlops_evaluator_run_arrays(ev, ROWS, y_reg, y_reg_pred, NULL, 0, NULL, groups, &r) ==
            MLOPS_OK)
            check_report(r);
        mlops_evaluator_free(ev);
    }
    free(expression);
    fuzz_check_live(live_baseline);
    return 0;
}
