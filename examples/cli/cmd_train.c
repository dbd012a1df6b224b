/* `mlops train`: reads a CSV file, marks the target (and weight, id and
 * ignored) columns, gives the model the default preprocessing chain
 * (median imputation, standardization, one-hot encoding), applies the
 * user's settings, fits, saves, and prints a summary. Parsing and printing
 * only: every check and computation is the library's. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_common.h"
#include "cli_json.h"

int cmd_train(int argc, char **argv);

static const char CMD[] = "train";

/* The default chain, step by step, in the order they run. The names are
 * also the prefixes of their --set keys. */
enum { STEP_IMPUTE, STEP_STANDARDIZE, STEP_ONEHOT, STEP_COUNT };
static const char *const STEP_NAMES[STEP_COUNT] = {"impute", "standardize", "onehot"};

static int train_usage(FILE *out)
{
    fputs("usage: mlops train --data FILE --target COL --model KIND --out MODEL\n"
          "                   [--set KEY=VALUE]... [--card KEY=VALUE]... [--weight COL]\n"
          "                   [--id COL] [--ignore COL]... [--delimiter C] [--json]\n"
          "\n"
          "Fits a model on the CSV file FILE (plain or gzip) and saves it to MODEL.\n"
          "Numeric inputs are imputed with their median and standardized; categorical\n"
          "inputs are one-hot encoded, a missing value being a category of its own.\n"
          "\n"
          "  --data FILE        training data, CSV with a header row\n"
          "  --target COL       the column to predict\n"
          "  --model KIND       linear_regression or logistic_regression\n"
          "  --out MODEL        where to save the model (replaced atomically)\n"
          "  --set KEY=VALUE    a model setting (l2, fit_intercept, max_iter, tol, solver,\n"
          "                     lbfgs_memory, class_weight, seed, threads), or a\n"
          "                     preprocessing setting: impute.strategy, impute.fill_value,\n"
          "                     standardize.with_mean, standardize.with_std,\n"
          "                     onehot.unseen, onehot.min_frequency\n"
          "  --card KEY=VALUE   a model card field (name, version, owner, contact,\n"
          "                     license, description, intended_use, out_of_scope_use,\n"
          "                     training_data, evaluation_data, ethical_considerations,\n"
          "                     caveats)\n"
          "  --weight COL       sample weights\n"
          "  --id COL           a row identifier, not an input\n"
          "  --ignore COL       a column that is not an input (repeatable)\n"
          "  --delimiter C      field delimiter: one character, 'tab' or 'auto'\n"
          "  --json             print the summary as JSON\n"
          "\n"
          "Exit status: 0 success, 2 usage error, 3 failure. See mlops(1).\n",
          out);
    return out == stderr ? CLI_USAGE : CLI_OK;
}

typedef struct train_opts {
    const char *data, *target, *kind, *out, *weight, *id, *delimiter;
    const char **sets, **cards, **ignores; /* argc entries each */
    size_t nsets, ncards, nignores;
    int json;
} train_opts;

static int parse(int argc, char **argv, train_opts *o, int *help)
{
    cli_args a;
    cli_args_init(&a, CMD, argc, argv);
    while (cli_args_next(&a)) {
        int rc = CLI_OK;
        const char *v = NULL;
        if (cli_args_is(&a, "--help") || cli_args_is(&a, "-h")) {
            *help = 1;
            return CLI_OK;
        } else if (cli_args_is(&a, "--json")) {
            rc = cli_args_flag(&a);
            o->json = 1;
        } else if (cli_args_is(&a, "--data")) {
            rc = cli_args_value(&a, &o->data);
        } else if (cli_args_is(&a, "--target")) {
            rc = cli_args_value(&a, &o->target);
        } else if (cli_args_is(&a, "--model")) {
            rc = cli_args_value(&a, &o->kind);
        } else if (cli_args_is(&a, "--out")) {
            rc = cli_args_value(&a, &o->out);
        } else if (cli_args_is(&a, "--weight")) {
            rc = cli_args_value(&a, &o->weight);
        } else if (cli_args_is(&a, "--id")) {
            rc = cli_args_value(&a, &o->id);
        } else if (cli_args_is(&a, "--delimiter")) {
            rc = cli_args_value(&a, &o->delimiter);
        } else if (cli_args_is(&a, "--set")) {
            if ((rc = cli_args_value(&a, &v)) == CLI_OK) o->sets[o->nsets++] = v;
        } else if (cli_args_is(&a, "--card")) {
            if ((rc = cli_args_value(&a, &v)) == CLI_OK) o->cards[o->ncards++] = v;
        } else if (cli_args_is(&a, "--ignore")) {
            if ((rc = cli_args_value(&a, &v)) == CLI_OK) o->ignores[o->nignores++] = v;
        } else if (cli_args_is_option(&a)) {
            return cli_usage_error(CMD, "unknown option '%s'", a.arg);
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a.arg);
        }
        if (rc != CLI_OK) return rc;
    }
    static const char *const required[] = {"--data", "--target", "--model", "--out"};
    const char *const given[] = {o->data, o->target, o->kind, o->out};
    for (size_t i = 0; i < 4; i++)
        if (given[i] == NULL) return cli_usage_error(CMD, "missing required option %s", required[i]);
    if (o->weight != NULL && strcmp(o->weight, o->target) == 0)
        return cli_usage_error(CMD, "--weight names the target column '%s'", o->target);
    if (o->id != NULL && strcmp(o->id, o->target) == 0)
        return cli_usage_error(CMD, "--id names the target column '%s'", o->target);
    return CLI_OK;
}

/* Splits "KEY=VALUE" into a new KEY string and a pointer to VALUE. */
static int split_pair(const char *option, const char *pair, char **key, const char **value)
{
    const char *eq = strchr(pair, '=');
    if (eq == NULL || eq == pair)
        return cli_usage_error(CMD, "%s '%s' is not KEY=VALUE", option, pair);
    size_t n = (size_t)(eq - pair);
    *key = malloc(n + 1);
    if (*key == NULL) return cli_runtime_msg(CMD, "out of memory");
    memcpy(*key, pair, n);
    (*key)[n] = '\0';
    *value = eq + 1;
    return CLI_OK;
}

/* A --set key with a prefix that is not a step of the chain: the library
 * names the nearest step when the prefix is no step at all. */
static int unknown_step(const char *prefix, const char *key)
{
    mlops_transform *scratch = NULL;
    int rc = mlops_transform_create(&scratch);
    if (rc == MLOPS_OK) rc = mlops_transform_add(scratch, prefix, "x");
    mlops_transform_free(scratch);
    if (rc == MLOPS_ENOMEM) return cli_runtime_error();
    if (rc < 0) return cli_usage_library(CMD);
    return cli_usage_error(CMD, "--set %s: the preprocessing chain has no '%s' step (its steps: "
                           "impute, standardize, onehot)", key, prefix);
}

/* One --set: step settings go to the chain, the others to the model. */
static int apply_set(mlops_model *m, mlops_transform *chain, const char *pair)
{
    char *key = NULL;
    const char *value = NULL;
    int status = split_pair("--set", pair, &key, &value);
    if (status != CLI_OK) return status;
    char *dot = strchr(key, '.');
    int rc;
    if (dot == NULL) {
        rc = mlops_model_set_param(m, key, value);
    } else {
        *dot = '\0';
        size_t step = 0;
        while (step < STEP_COUNT && strcmp(key, STEP_NAMES[step]) != 0) step++;
        if (step == STEP_COUNT) {
            *dot = '.';
            char *prefix = malloc(strlen(key) + 1);
            if (prefix == NULL) {
                free(key);
                return cli_runtime_msg(CMD, "out of memory");
            }
            memcpy(prefix, key, (size_t)(dot - key));
            prefix[dot - key] = '\0';
            status = unknown_step(prefix, key);
            free(prefix);
            free(key);
            return status;
        }
        rc = mlops_transform_set(chain, step, dot + 1, value);
    }
    free(key);
    if (rc == MLOPS_ENOMEM) return cli_runtime_error();
    return rc == MLOPS_OK ? CLI_OK : cli_usage_library(CMD);
}

static int apply_card(mlops_model *m, const char *pair)
{
    char *key = NULL;
    const char *value = NULL;
    int status = split_pair("--card", pair, &key, &value);
    if (status != CLI_OK) return status;
    int rc = mlops_model_card_set(m, key, value);
    free(key);
    if (rc == MLOPS_ENOMEM) return cli_runtime_error();
    return rc == MLOPS_OK ? CLI_OK : cli_usage_library(CMD);
}

static int build_chain(mlops_transform **out)
{
    mlops_transform *t = NULL;
    int rc = mlops_transform_create(&t);
    for (size_t s = 0; rc == MLOPS_OK && s < STEP_COUNT; s++) {
        int idx = mlops_transform_add(t, STEP_NAMES[s], "*");
        if (idx < 0) rc = idx;
    }
    if (rc == MLOPS_OK) rc = mlops_transform_set(t, STEP_IMPUTE, "strategy", "median");
    if (rc == MLOPS_OK) rc = mlops_transform_set(t, STEP_ONEHOT, "unseen", "error");
    if (rc != MLOPS_OK) {
        mlops_transform_free(t);
        return rc;
    }
    *out = t;
    return MLOPS_OK;
}

/* Gives column `name` role `role`; a wrong name is reported with the
 * option that gave it and the library's nearest-name suggestion. */
static int set_role(mlops_dataset *d, const char *option, const char *name, int role)
{
    size_t col = 0;
    int rc = mlops_dataset_column_index(d, name, &col);
    if (rc == MLOPS_OK) rc = mlops_dataset_set_role(d, col, role);
    if (rc != MLOPS_OK) return cli_runtime_msg(CMD, "%s %s: %s", option, name, mlops_last_error());
    return CLI_OK;
}

static double info(const mlops_model *m, const char *key)
{
    double v = 0;
    if (mlops_model_info(m, key, &v) != MLOPS_OK) return 0;
    return v;
}

static void print_json(const mlops_model *m, const train_opts *o, const char *hash,
                       const char *solver)
{
    size_t nclasses = mlops_model_class_count(m);
    fputs("{\"model\": ", stdout);
    cli_json_string(stdout, o->out);
    fputs(", \"kind\": ", stdout);
    cli_json_string(stdout, mlops_model_kind(m));
    fputs(", \"data\": ", stdout);
    cli_json_string(stdout, o->data);
    printf(", \"rows\": %.0f, \"weight_sum\": ", info(m, "rows"));
    cli_json_number(stdout, info(m, "weight_sum"));
    fputs(", \"target\": ", stdout);
    cli_json_string(stdout, mlops_model_target_name(m));
    fputs(", \"classes\": [", stdout);
    for (size_t k = 0; k < nclasses; k++) {
        if (k) fputs(", ", stdout);
        cli_json_string(stdout, mlops_model_class_label(m, k));
    }
    printf("], \"inputs\": %zu, \"features\": %zu, \"solver\": ", mlops_model_input_count(m),
           mlops_model_feature_count(m));
    cli_json_string(stdout, solver);
    printf(", \"iterations\": %.0f, \"converged\": %s", info(m, "iterations"),
           info(m, "converged") != 0 ? "true" : "false");
    fputs(", \"objective\": ", stdout);
    cli_json_number(stdout, info(m, "objective"));
    fputs(", \"gradient_norm\": ", stdout);
    cli_json_number(stdout, info(m, "gradient_norm"));
    fputs(", \"payload_sha256\": ", stdout);
    cli_json_string(stdout, hash);
    fputs("}\n", stdout);
}

static void print_text(const mlops_model *m, const train_opts *o, const char *hash,
                       const char *solver, const char *tol)
{
    size_t nclasses = mlops_model_class_count(m);
    printf("trained %s on %s\n", mlops_model_kind(m), o->data);
    printf("  rows       %.0f (weight sum %.10g)\n", info(m, "rows"), info(m, "weight_sum"));
    printf("  target     %s", mlops_model_target_name(m));
    if (nclasses > 0) {
        printf(", %zu classes:", nclasses);
        for (size_t k = 0; k < nclasses; k++)
            printf("%s %s", k ? "," : "", mlops_model_class_label(m, k));
    }
    putchar('\n');
    printf("  features   %zu (from %zu input columns)\n", mlops_model_feature_count(m),
           mlops_model_input_count(m));
    double iterations = info(m, "iterations");
    printf("  solver     %s, %s in %.0f iteration%s", solver ? solver : "?",
           info(m, "converged") != 0 ? "converged" : "NOT converged", iterations,
           iterations == 1 ? "" : "s");
    if (info(m, "converged") == 0) printf(" (tol %s)", tol ? tol : "?");
    putchar('\n');
    printf("  objective  %.10g (largest gradient entry %.3g)\n", info(m, "objective"),
           info(m, "gradient_norm"));
    printf("  saved      %s\n", o->out);
    printf("  payload    sha256 %s\n", hash);
}

/* Everything after the options were checked: returns an exit status. */
static int run(const train_opts *o)
{
    mlops_model *m = NULL;
    mlops_transform *chain = NULL;
    mlops_dataset *d = NULL;
    char *tol = NULL;
    int status = CLI_OK;

    cli_install_logger();
    int rc = mlops_model_create(&m, o->kind);
    if (rc != MLOPS_OK)
        return rc == MLOPS_ENOMEM ? cli_runtime_error() : cli_usage_library(CMD);
    if (build_chain(&chain) != MLOPS_OK) status = cli_runtime_error();
    for (size_t i = 0; status == CLI_OK && i < o->nsets; i++)
        status = apply_set(m, chain, o->sets[i]);
    for (size_t i = 0; status == CLI_OK && i < o->ncards; i++) status = apply_card(m, o->cards[i]);
    if (status == CLI_OK && mlops_model_set_transform(m, chain) != MLOPS_OK)
        status = cli_runtime_error();
    if (status == CLI_OK && o->delimiter != NULL) {
        /* A bad delimiter is a usage error, in the library's words. */
        mlops_csv_options *check = NULL;
        rc = mlops_csv_options_create(&check);
        if (rc == MLOPS_OK) rc = mlops_csv_options_set(check, "delimiter", o->delimiter);
        mlops_csv_options_free(check);
        if (rc != MLOPS_OK)
            status = rc == MLOPS_ENOMEM ? cli_runtime_error() : cli_usage_library(CMD);
    }

    /* The model replaces --out by renaming a new file over it, which must
     * never happen to a device such as /dev/null. */
    struct stat st;
    if (status == CLI_OK && stat(o->out, &st) == 0 && !S_ISREG(st.st_mode))
        status = cli_runtime_msg(CMD, "--out %s: not a regular file; the model is saved by "
                                 "replacing the file at that path", o->out);
    if (status == CLI_OK) status = cli_read_csv(o->data, o->delimiter, NULL, NULL, 0, &d);
    if (status == CLI_OK) status = set_role(d, "--target", o->target, MLOPS_ROLE_TARGET);
    if (status == CLI_OK && o->weight)
        status = set_role(d, "--weight", o->weight, MLOPS_ROLE_WEIGHT);
    if (status == CLI_OK && o->id) status = set_role(d, "--id", o->id, MLOPS_ROLE_ID);
    for (size_t i = 0; status == CLI_OK && i < o->nignores; i++)
        status = set_role(d, "--ignore", o->ignores[i], MLOPS_ROLE_IGNORE);

    if (status == CLI_OK) {
        cli_progress progress;
        cli_progress_init(&progress, "fitting");
        if (progress.enabled) mlops_model_set_progress(m, cli_progress_iterations, &progress);
        rc = mlops_model_fit(m, d);
        cli_progress_end(&progress);
        mlops_model_set_progress(m, NULL, NULL);
        if (rc != MLOPS_OK) status = cli_runtime_error();
        if (status == CLI_OK && mlops_model_get_param(m, "tol", &tol) != MLOPS_OK) tol = NULL;
    }
    if (status == CLI_OK && mlops_model_save(m, o->out) != MLOPS_OK) status = cli_runtime_error();
    char hash[65] = "";
    char *card = NULL, *solver = NULL;
    if (status == CLI_OK && mlops_model_payload_hash(m, hash, sizeof hash) != MLOPS_OK)
        status = cli_runtime_error();
    /* the solver that ran is recorded in the card only */
    if (status == CLI_OK && mlops_model_card_json(m, &card) != MLOPS_OK)
        status = cli_runtime_error();
    if (status == CLI_OK) {
        solver = cli_json_text(cli_json_find(card, "training.solver"));
        if (o->json) print_json(m, o, hash, solver);
        else print_text(m, o, hash, solver, tol);
        status = cli_flush_stdout();
    }
    free(solver);
    mlops_free(card);
    mlops_free(tol);
    mlops_dataset_free(d);
    mlops_transform_free(chain);
    mlops_model_free(m);
    return status;
}

int cmd_train(int argc, char **argv)
{
    train_opts o;
    memset(&o, 0, sizeof o);
    size_t n = argc > 0 ? (size_t)argc : 1;
    o.sets = malloc(n * sizeof *o.sets);
    o.cards = malloc(n * sizeof *o.cards);
    o.ignores = malloc(n * sizeof *o.ignores);
    int help = 0;
    int status;
    if (o.sets == NULL || o.cards == NULL || o.ignores == NULL) {
        status = cli_runtime_msg(CMD, "out of memory");
    } else {
        status = parse(argc, argv, &o, &help);
        if (status == CLI_OK) status = help ? train_usage(stdout) : run(&o);
    }
    free(o.sets);
    free(o.cards);
    free(o.ignores);
    return status;
}
