/* `mlops inspect`: prints what a saved model is (kind, card, training data,
 * settings, convergence, coefficients by feature and the features that
 * weigh most), or its model card JSON verbatim. Reading and printing only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "cli_json.h"

int cmd_inspect(int argc, char **argv);

static const char CMD[] = "inspect";

/* Free-text card fields and settings, in the order of mlops_model_card_set(3)
 * and mlops_model_set_param(3). */
static const char *const CARD_KEYS[] = {
    "name",          "version",          "owner",         "contact",
    "license",       "description",      "intended_use",  "out_of_scope_use",
    "training_data", "evaluation_data",  "ethical_considerations", "caveats"};
static const char *const SETTING_KEYS[] = {"l2",           "fit_intercept", "max_iter", "tol",
                                           "solver",       "lbfgs_memory",  "class_weight",
                                           "seed",         "threads",       "warm_start"};
enum { TOP_FEATURES = 5 };

static int inspect_usage(FILE *out)
{
    fputs("usage: mlops inspect MODEL [--json]\n"
          "\n"
          "Describes the model saved in MODEL: kind, model card, training data and\n"
          "settings, convergence, and the coefficients of every feature in model units,\n"
          "raw input units and per standard deviation of the raw input.\n"
          "\n"
          "  --json   print the model card JSON instead (see mlops_model_card_json(3))\n"
          "\n"
          "Exit status: 0 success, 2 usage error, 3 failure. See mlops(1).\n",
          out);
    return out == stderr ? CLI_USAGE : CLI_OK;
}

static double info(const mlops_model *m, const char *key)
{
    double v = NAN;
    if (mlops_model_info(m, key, &v) != MLOPS_OK) return NAN;
    return v;
}

static int print_card(const mlops_model *m)
{
    int any = 0;
    for (size_t i = 0; i < sizeof CARD_KEYS / sizeof *CARD_KEYS; i++) {
        char *text = NULL;
        if (mlops_model_card_get(m, CARD_KEYS[i], &text) != MLOPS_OK) return cli_runtime_error();
        if (text[0] != '\0') {
            if (!any) puts("card");
            printf("  %-24s %s\n", CARD_KEYS[i], text);
            any = 1;
        }
        mlops_free(text);
    }
    return CLI_OK;
}

/* Prints the text at `path` of the card, or `fallback` when absent. */
static void card_text(const char *card, const char *path, const char *fallback)
{
    char *text = cli_json_text(cli_json_find(card, path));
    fputs(text ? text : fallback, stdout);
    free(text);
}

static int print_overview(const mlops_model *m, const char *card)
{
    printf("model      %s, created ", mlops_model_kind(m));
    card_text(card, "model_details.created", "?");
    printf(" by libmlops ");
    card_text(card, "library_version", "?");
    printf("\npayload    sha256 ");
    card_text(card, "model_details.payload_sha256", "?");
    putchar('\n');

    size_t nclasses = mlops_model_class_count(m);
    const char *classes = cli_json_find(card, "training_data.classes");
    printf("target     %s", mlops_model_target_name(m));
    if (nclasses > 0) {
        printf(", %zu classes:", nclasses);
        for (size_t k = 0; k < nclasses; k++) {
            char *count = cli_json_text(cli_json_find(cli_json_item(classes, k), "count"));
            printf("%s %s", k ? "," : "", mlops_model_class_label(m, k));
            if (count != NULL) printf(" (%s rows)", count);
            free(count);
        }
    }
    putchar('\n');
    printf("training   ");
    card_text(card, "training_data.source", "(unnamed data)");
    printf(": %.0f rows, weight sum %.10g", info(m, "rows"), info(m, "weight_sum"));
    char *weight = cli_json_text(cli_json_find(card, "training_data.weight"));
    if (weight != NULL) printf(" (column %s)", weight);
    free(weight);
    printf("\n           fingerprint sha256 ");
    card_text(card, "training_data.fingerprint", "?");
    putchar('\n');
    printf("inputs     %zu:", mlops_model_input_count(m));
    for (size_t i = 0; i < mlops_model_input_count(m); i++)
        printf("%s %s (%s)", i ? "," : "", mlops_model_input_name(m, i),
               mlops_type_name(mlops_model_input_type(m, i)));
    putchar('\n');
    const mlops_transform *t = mlops_model_transform(m);
    printf("chain     ");
    if (t == NULL || mlops_transform_step_count(t) == 0) printf(" none");
    for (size_t s = 0; t != NULL && s < mlops_transform_step_count(t); s++)
        printf("%s %s", s ? " ->" : "", mlops_transform_step_kind(t, s));
    printf(" (%zu features)\n", mlops_model_feature_count(m));
    printf("settings  ");
    for (size_t i = 0; i < sizeof SETTING_KEYS / sizeof *SETTING_KEYS; i++) {
        char *value = NULL;
        if (mlops_model_get_param(m, SETTING_KEYS[i], &value) != MLOPS_OK)
            return cli_runtime_error();
        printf(" %s=%s", SETTING_KEYS[i], value);
        mlops_free(value);
    }
    putchar('\n');
    printf("fit        solver ");
    card_text(card, "training.solver", "?");
    double iterations = info(m, "iterations");
    printf(", %s after %.0f iteration%s; objective %.10g, largest gradient entry %.3g\n",
           info(m, "converged") != 0 ? "converged" : "NOT converged", iterations,
           iterations == 1 ? "" : "s", info(m, "objective"), info(m, "gradient_norm"));
    return CLI_OK;
}

/* What decision output `o` means, for the table heading. */
static void print_output_title(const mlops_model *m, size_t o)
{
    size_t nclasses = mlops_model_class_count(m), nout = mlops_model_output_count(m);
    if (nclasses == 0)
        printf("\ncoefficients of the prediction of %s\n", mlops_model_target_name(m));
    else if (nout == 1)
        printf("\ncoefficients of the log-odds of class %s (against %s)\n",
               mlops_model_class_label(m, 1), mlops_model_class_label(m, 0));
    else
        printf("\ncoefficients of the decision value of class %s\n",
               mlops_model_class_label(m, o));
}

typedef struct ranked {
    size_t feature;
    double weight;
} ranked;

static int by_weight(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->weight != y->weight) return x->weight < y->weight ? 1 : -1;
    return x->feature < y->feature ? -1 : x->feature > y->feature;
}

/* One table per decision output: the coefficients in model units, raw
 * units and per raw standard deviation, then the features with the
 * largest per-deviation effect. */
static int print_coefficients(const mlops_model *m)
{
    size_t p = mlops_model_feature_count(m), k = mlops_model_output_count(m);
    if (p == 0 || k == 0) return CLI_OK;
    if (p > (size_t)-1 / sizeof(double) / k / 3) return cli_runtime_msg(CMD, "too many features");
    double *coef = malloc(3 * p * k * sizeof *coef);
    double *icpt = malloc(3 * k * sizeof *icpt);
    ranked *rank = malloc(p * sizeof *rank);
    if (coef == NULL || icpt == NULL || rank == NULL) {
        free(coef);
        free(icpt);
        free(rank);
        return cli_runtime_msg(CMD, "out of memory");
    }
    static const int units[3] = {MLOPS_COEF_MODEL, MLOPS_COEF_RAW, MLOPS_COEF_STANDARDIZED};
    int status = CLI_OK;
    for (size_t u = 0; u < 3 && status == CLI_OK; u++)
        if (mlops_model_coefficients(m, units[u], coef + u * p * k, p * k, icpt + u * k, k) !=
            MLOPS_OK)
            status = cli_runtime_error();
    int width = 12;
    for (size_t j = 0; j < p; j++) {
        int len = (int)strlen(mlops_model_feature_name(m, j));
        if (len > width) width = len;
    }
    for (size_t o = 0; o < k && status == CLI_OK; o++) {
        print_output_title(m, o);
        printf("  %-*s  %15s  %15s  %15s\n", width, "feature", "model units", "raw units",
               "per raw std");
        printf("  %-*s  %15.8g  %15.8g  %15s\n", width, "(intercept)", icpt[o], icpt[k + o], "");
        for (size_t j = 0; j < p; j++) {
            const double *c = coef + o * p + j;
            printf("  %-*s  %15.8g  %15.8g  %15.8g\n", width, mlops_model_feature_name(m, j), c[0],
                   c[p * k], c[2 * p * k]);
            rank[j].feature = j;
            rank[j].weight = fabs(c[2 * p * k]);
        }
        qsort(rank, p, sizeof *rank, by_weight);
        printf("  top features (per raw std):");
        for (size_t j = 0; j < p && j < TOP_FEATURES; j++)
            printf("%s %s %+.4g", j ? "," : "", mlops_model_feature_name(m, rank[j].feature),
                   coef[2 * p * k + o * p + rank[j].feature]);
        putchar('\n');
    }
    free(coef);
    free(icpt);
    free(rank);
    return status;
}

int cmd_inspect(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    cli_args a;
    cli_args_init(&a, CMD, argc, argv);
    while (cli_args_next(&a)) {
        if (cli_args_is(&a, "--help") || cli_args_is(&a, "-h")) return inspect_usage(stdout);
        if (cli_args_is(&a, "--json")) {
            if (cli_args_flag(&a) != CLI_OK) return CLI_USAGE;
            json = 1;
        } else if (cli_args_is_option(&a)) {
            return cli_usage_error(CMD, "unknown option '%s'", a.arg);
        } else if (path == NULL) {
            path = a.arg;
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a.arg);
        }
    }
    if (path == NULL) return cli_usage_error(CMD, "no MODEL given");

    mlops_model *m = NULL;
    if (mlops_model_load(&m, path) != MLOPS_OK) return cli_runtime_error();
    char *card = NULL;
    int status = CLI_OK;
    if (mlops_model_card_json(m, &card) != MLOPS_OK) {
        status = cli_runtime_error();
    } else if (json) {
        fputs(card, stdout);
        size_t n = strlen(card);
        if (n == 0 || card[n - 1] != '\n') putchar('\n');
    } else {
        status = print_overview(m, card);
        if (status == CLI_OK) status = print_card(m);
        if (status == CLI_OK) status = print_coefficients(m);
    }
    mlops_free(card);
    mlops_model_free(m);
    if (status == CLI_OK) status = cli_flush_stdout();
    return status;
}
