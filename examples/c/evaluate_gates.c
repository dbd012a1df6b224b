/* evaluate_gates: the release check. Measures a trained model on labelled
 * test rows, with 95% bootstrap confidence intervals and per-group figures
 * for a protected attribute, and decides with gates whether the model may
 * serve: a script or CI job deploys it only when this program exits 0.
 *
 *   evaluate_gates MODEL TEST.csv GROUP_COLUMN [GATE...]
 *   evaluate_gates cars.mlm test.csv Cylinders "accuracy >= 0.7" \
 *       "equal_opportunity_ratio >= 0.5"
 *
 * A GATE is "NAME OP NUMBER" over any value of the report (see
 * mlops_evaluator_add_gate(3)): a metric, "<metric>.ci_low", a fairness
 * figure across the groups of GROUP_COLUMN. Without GATE arguments the
 * two gates above apply (they suit classifiers). For a classifier the
 * positive outcome of the fairness figures is its last class label.
 * Exit status: 0 every gate passed, 1 a gate failed, 2 usage error,
 * 3 failure. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mlops.h>

#define CHECK(step, call)                                                        \
    do {                                                                         \
        if ((call) != MLOPS_OK) {                                                \
            fprintf(stderr, "evaluate_gates: %s: %s\n", step, mlops_last_error()); \
            goto done;                                                           \
        }                                                                        \
    } while (0)

static const char *const DEFAULT_GATES[] = {"accuracy >= 0.7", "equal_opportunity_ratio >= 0.5"};
static const char *const METRICS[] = {"accuracy", "balanced_accuracy", "f1_macro", "roc_auc",
                                      "roc_auc_ovr", "r2", "mean_absolute_error",
                                      "root_mean_squared_error"};
static const char *const FAIRNESS[] = {"demographic_parity_ratio", "equalized_odds_difference",
                                       "equal_opportunity_ratio", "r2.group_difference"};

/* Six significant digits, as `mlops evaluate` prints them. */
static void print_number(double v)
{
    if (isnan(v)) fputs("undefined", stdout);
    else printf("%.6g", v);
}

/* "NAME  VALUE  [LOW, HIGH]" for a value the report holds; nothing else. */
static void print_value(const mlops_report *r, const char *name, const char *interval_of)
{
    double v, low, high;
    char key[128];
    if (mlops_report_value(r, name, &v) != MLOPS_OK) return;
    printf("  %-26s ", name);
    print_number(v);
    if (interval_of != NULL && snprintf(key, sizeof key, "%s.ci_low", interval_of) > 0 &&
        mlops_report_value(r, key, &low) == MLOPS_OK) {
        snprintf(key, sizeof key, "%s.ci_high", interval_of);
        mlops_report_value(r, key, &high);
        fputs("  [", stdout);
        print_number(low);
        fputs(", ", stdout);
        print_number(high);
        fputs("]", stdout);
    }
    putchar('\n');
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: evaluate_gates MODEL TEST.csv GROUP_COLUMN [GATE...]\n", stderr);
        return 2;
    }
    const char *group = argv[3];
    const char *const *gates = argc > 4 ? (const char *const *)argv + 4 : DEFAULT_GATES;
    size_t ngates = argc > 4 ? (size_t)(argc - 4) : sizeof DEFAULT_GATES / sizeof *DEFAULT_GATES;
    mlops_model *model = NULL;
    mlops_csv_options *opts = NULL;
    mlops_dataset *test = NULL;
    mlops_evaluator *ev = NULL;
    mlops_report *report = NULL;
    int status = 3;
    size_t col = 0;

    CHECK("loading the model", mlops_model_load(&model, argv[1]));
    /* Read each input with the type the model was trained on. */
    CHECK("creating the reader settings", mlops_csv_options_create(&opts));
    for (size_t i = 0; i < mlops_model_input_count(model); i++) {
        char key[256];
        const char *name = mlops_model_input_name(model, i);
        if (snprintf(key, sizeof key, "type.%s", name) >= (int)sizeof key) {
            fprintf(stderr, "evaluate_gates: input column name too long: %s\n", name);
            goto done;
        }
        CHECK("setting an input type",
              mlops_csv_options_set(opts, key, mlops_type_name(mlops_model_input_type(model, i))));
    }
    CHECK("reading the test data", mlops_dataset_read_csv(&test, argv[2], opts));
    CHECK("finding the target column",
          mlops_dataset_column_index(test, mlops_model_target_name(model), &col));
    CHECK("marking the target column", mlops_dataset_set_role(test, col, MLOPS_ROLE_TARGET));
    CHECK("finding GROUP_COLUMN", mlops_dataset_column_index(test, group, &col));

    CHECK("creating the evaluator", mlops_evaluator_create(&ev));
    CHECK("setting the group column", mlops_evaluator_set_param(ev, "group", group));
    CHECK("setting the bootstrap", mlops_evaluator_set_param(ev, "bootstrap", "200"));
    CHECK("setting the seed", mlops_evaluator_set_param(ev, "seed", "1"));
    /* Fairness compares how often each group gets the positive outcome;
     * here the last class label (USA for the cars model), as scikit-learn's
     * pos_label=1 for 0/1 labels. A multiclass model needs it named. */
    size_t classes = mlops_model_class_count(model);
    const char *positive = classes > 0 ? mlops_model_class_label(model, classes - 1) : NULL;
    if (positive != NULL)
        CHECK("setting the positive class", mlops_evaluator_set_param(ev, "pos_label", positive));
    for (size_t i = 0; i < ngates; i++)
        CHECK("adding a gate", mlops_evaluator_add_gate(ev, gates[i]));
    CHECK("evaluating", mlops_evaluator_run(ev, model, test, &report));

    double rows = 0;
    mlops_report_value(report, "count", &rows);
    printf("%s on %s: %.0f rows", argv[1], argv[2], rows);
    if (positive != NULL) printf(", positive class %s", positive);
    puts("\n\nmetrics (95% bootstrap interval)");
    for (size_t i = 0; i < sizeof METRICS / sizeof *METRICS; i++)
        print_value(report, METRICS[i], METRICS[i]);

    /* Per-group values are named "COLUMN=VALUE.<metric>". */
    const char *metric = mlops_report_class_count(report) > 0 ? "accuracy" : "r2";
    printf("\n%s per group (rows)\n", metric);
    for (size_t i = 0; i < mlops_report_value_count(report); i++) {
        const char *name = mlops_report_value_name(report, i), *dot = strrchr(name, '.');
        size_t len = strlen(group);
        char key[256];
        double v = 0, n = 0;
        if (strncmp(name, group, len) != 0 || name[len] != '=' || dot == NULL ||
            strcmp(dot, ".count") != 0 ||
            snprintf(key, sizeof key, "%.*s.%s", (int)(dot - name), name, metric) >=
                (int)sizeof key)
            continue;
        mlops_report_value(report, name, &n);
        mlops_report_value(report, key, &v);
        printf("  %-26.*s ", (int)(dot - name), name);
        print_number(v);
        printf("  (%.0f rows)\n", n);
    }
    puts("\nfairness");
    for (size_t i = 0; i < sizeof FAIRNESS / sizeof *FAIRNESS; i++)
        print_value(report, FAIRNESS[i], NULL);

    puts("\ngates");
    for (size_t i = 0; i < mlops_report_gate_count(report); i++) {
        const char *expression = NULL;
        double observed = 0;
        int passed = 0;
        CHECK("reading a gate", mlops_report_gate(report, i, &expression, &observed, &passed));
        printf("  %s  %s  (observed ", passed ? "PASS" : "FAIL", expression);
        print_number(observed);
        puts(")");
    }
    status = mlops_report_passed(report) ? 0 : 1;
    printf("\nverdict: %s\n", status == 0 ? "PASS, the model may serve" : "FAIL");
    if (fflush(stdout) != 0) status = 3;

done:
    mlops_report_free(report);
    mlops_evaluator_free(ev);
    mlops_dataset_free(test);
    mlops_csv_options_free(opts);
    mlops_model_free(model);
    return status;
}
