/* `mlops evaluate`: loads a model, reads labelled rows from a CSV file,
 * configures an evaluator from the options (groups, gates, metrics,
 * bootstrap, probes, any other setting), runs it and prints the report, as
 * JSON or as a short table; optionally saves a copy of the model whose card
 * carries the report. The exit status says whether every gate passed.
 * Parsing, calling and printing only: every measure is the library's. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_common.h"
#include "evaluate_print.h"

int cmd_evaluate(int argc, char **argv);

static const char CMD[] = "evaluate";

/* A gate failed: the report was printed, the model may not serve. */
enum { CLI_GATE_FAILED = 1 };

static int evaluate_usage(FILE *out)
{
    fputs("usage: mlops evaluate --model MODEL --data FILE [--target COL] [--group COL]...\n"
          "                      [--reference-group VALUE] [--gate EXPR]... [--metrics LIST]\n"
          "                      [--bootstrap N] [--seed N] [--probes SPEC]\n"
          "                      [--set KEY=VALUE]... [--weight COL] [--delimiter C]\n"
          "                      [--attach OUT_MODEL] [--json]\n"
          "\n"
          "Measures the model saved in MODEL on the labelled rows of the CSV file FILE\n"
          "(plain or gzip, with a header row holding the model's inputs and the target):\n"
          "metrics with scikit-learn's names, fairness by group, robustness probes,\n"
          "bootstrap intervals, and the gates that decide whether it may serve.\n"
          "\n"
          "  --model MODEL           a model saved by 'mlops train'\n"
          "  --data FILE             labelled rows to evaluate on\n"
          "  --target COL            the column of true values (default: the model's\n"
          "                          target name)\n"
          "  --group COL             a group column for fairness (repeatable)\n"
          "  --reference-group VALUE the privileged group, VALUE or COL=VALUE\n"
          "  --gate EXPR             a check such as 'accuracy >= 0.9' (repeatable)\n"
          "  --metrics LIST          comma-separated metrics per group, bootstrap and\n"
          "                          probe (default: all)\n"
          "  --bootstrap N           bootstrap resamples for confidence intervals\n"
          "  --seed N                seed of bootstrap and probes\n"
          "  --probes SPEC           robustness probes, such as 'noise:0.1;missing:0.05'\n"
          "  --set KEY=VALUE         any evaluator setting (see mlops_evaluator_set_param(3));\n"
          "                          applied after the options above\n"
          "  --weight COL            sample weights\n"
          "  --delimiter C           field delimiter of FILE: one character, 'tab' or 'auto'\n"
          "  --attach OUT_MODEL      save a copy of the model whose card carries the report\n"
          "  --json                  print the report as JSON\n"
          "\n"
          "Exit status: 0 every gate passed, 1 a gate failed, 2 usage error, 3 failure.\n"
          "See mlops(1).\n",
          out);
    return out == stderr ? CLI_USAGE : CLI_OK;
}

typedef struct evaluate_opts {
    const char *model, *data, *target, *weight, *delimiter, *attach;
    const char *reference_group, *metrics, *bootstrap, *seed, *probes;
    const char **groups, **gates, **sets; /* argc entries each */
    size_t ngroups, ngates, nsets;
    int json;
} evaluate_opts;

static int parse(int argc, char **argv, evaluate_opts *o, int *help)
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
        } else if (cli_args_is(&a, "--model")) {
            rc = cli_args_value(&a, &o->model);
        } else if (cli_args_is(&a, "--data")) {
            rc = cli_args_value(&a, &o->data);
        } else if (cli_args_is(&a, "--target")) {
            rc = cli_args_value(&a, &o->target);
        } else if (cli_args_is(&a, "--weight")) {
            rc = cli_args_value(&a, &o->weight);
        } else if (cli_args_is(&a, "--delimiter")) {
            rc = cli_args_value(&a, &o->delimiter);
        } else if (cli_args_is(&a, "--attach")) {
            rc = cli_args_value(&a, &o->attach);
        } else if (cli_args_is(&a, "--reference-group")) {
            rc = cli_args_value(&a, &o->reference_group);
        } else if (cli_args_is(&a, "--metrics")) {
            rc = cli_args_value(&a, &o->metrics);
        } else if (cli_args_is(&a, "--bootstrap")) {
            rc = cli_args_value(&a, &o->bootstrap);
        } else if (cli_args_is(&a, "--seed")) {
            rc = cli_args_value(&a, &o->seed);
        } else if (cli_args_is(&a, "--probes")) {
            rc = cli_args_value(&a, &o->probes);
        } else if (cli_args_is(&a, "--group")) {
            if ((rc = cli_args_value(&a, &v)) == CLI_OK) o->groups[o->ngroups++] = v;
        } else if (cli_args_is(&a, "--gate")) {
            if ((rc = cli_args_value(&a, &v)) == CLI_OK) o->gates[o->ngates++] = v;
        } else if (cli_args_is(&a, "--set")) {
            if ((rc = cli_args_value(&a, &v)) == CLI_OK) o->sets[o->nsets++] = v;
        } else if (cli_args_is_option(&a)) {
            return cli_usage_error(CMD, "unknown option '%s'", a.arg);
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a.arg);
        }
        if (rc != CLI_OK) return rc;
    }
    if (o->model == NULL) return cli_usage_error(CMD, "missing required option --model");
    if (o->data == NULL) return cli_usage_error(CMD, "missing required option --data");
    for (size_t i = 0; i < o->ngroups; i++) {
        if (o->groups[i][0] == '\0' || strchr(o->groups[i], ',') != NULL)
            return cli_usage_error(CMD, "--group '%s' is not one column name (repeat --group "
                                   "for several)", o->groups[i]);
    }
    return CLI_OK;
}

/* One evaluator setting from option `option`: a value the library refuses
 * is a usage error in its words, prefixed by the option. */
static int set_option(mlops_evaluator *ev, const char *option, const char *key, const char *value)
{
    int rc = mlops_evaluator_set_param(ev, key, value);
    if (rc == MLOPS_OK) return CLI_OK;
    if (rc == MLOPS_ENOMEM) return cli_runtime_error();
    return cli_usage_error(CMD, "%s: %s", option, mlops_last_error());
}

/* "a,b,c" from the --group columns, in a new string (NULL: no memory). */
static char *join_groups(const evaluate_opts *o)
{
    size_t len = 1;
    for (size_t i = 0; i < o->ngroups; i++) len += strlen(o->groups[i]) + 1;
    char *s = malloc(len), *p = s;
    if (s == NULL) return NULL;
    for (size_t i = 0; i < o->ngroups; i++) {
        size_t n = strlen(o->groups[i]);
        if (i > 0) *p++ = ',';
        memcpy(p, o->groups[i], n);
        p += n;
    }
    *p = '\0';
    return s;
}

static int apply_set(mlops_evaluator *ev, const char *pair)
{
    const char *eq = strchr(pair, '=');
    if (eq == NULL || eq == pair) return cli_usage_error(CMD, "--set '%s' is not KEY=VALUE", pair);
    size_t n = (size_t)(eq - pair);
    char *key = malloc(n + 1);
    if (key == NULL) return cli_runtime_msg(CMD, "out of memory");
    memcpy(key, pair, n);
    key[n] = '\0';
    int rc = mlops_evaluator_set_param(ev, key, eq + 1);
    free(key);
    if (rc == MLOPS_ENOMEM) return cli_runtime_error();
    return rc == MLOPS_OK ? CLI_OK : cli_usage_library(CMD);
}

/* Everything the options ask of the evaluator, before any file is read, so
 * a mistake in them is reported as such whatever the data. */
static int configure(mlops_evaluator *ev, const evaluate_opts *o)
{
    int status = CLI_OK;
    if (o->ngroups > 0) {
        char *groups = join_groups(o);
        if (groups == NULL) return cli_runtime_msg(CMD, "out of memory");
        status = set_option(ev, "--group", "group", groups);
        free(groups);
    }
    static const char *const options[] = {"--reference-group", "--metrics", "--bootstrap",
                                          "--seed", "--probes"};
    static const char *const keys[] = {"reference_group", "metrics", "bootstrap", "seed",
                                       "probes"};
    const char *const values[] = {o->reference_group, o->metrics, o->bootstrap, o->seed,
                                  o->probes};
    for (size_t i = 0; status == CLI_OK && i < sizeof keys / sizeof *keys; i++)
        if (values[i] != NULL) status = set_option(ev, options[i], keys[i], values[i]);
    for (size_t i = 0; status == CLI_OK && i < o->nsets; i++) status = apply_set(ev, o->sets[i]);
    for (size_t i = 0; status == CLI_OK && i < o->ngates; i++) {
        int rc = mlops_evaluator_add_gate(ev, o->gates[i]);
        if (rc == MLOPS_ENOMEM) status = cli_runtime_error();
        else if (rc != MLOPS_OK) status = cli_usage_error(CMD, "--gate: %s", mlops_last_error());
    }
    if (status == CLI_OK && o->delimiter != NULL) {
        mlops_csv_options *check = NULL;
        int rc = mlops_csv_options_create(&check);
        if (rc == MLOPS_OK) rc = mlops_csv_options_set(check, "delimiter", o->delimiter);
        mlops_csv_options_free(check);
        if (rc != MLOPS_OK)
            status = rc == MLOPS_ENOMEM ? cli_runtime_error() : cli_usage_library(CMD);
    }
    return status;
}


/* Gives column `name` role `role` (or only checks it exists when role is
 * negative); a wrong name is reported with the option that gave it and the
 * library's nearest-name suggestion. */
static int mark_column(mlops_dataset *d, const char *option, const char *name, int role)
{
    size_t col = 0;
    int rc = mlops_dataset_column_index(d, name, &col);
    if (rc == MLOPS_OK && role >= 0) rc = mlops_dataset_set_role(d, col, role);
    if (rc != MLOPS_OK) return cli_runtime_msg(CMD, "%s %s: %s", option, name, mlops_last_error());
    return CLI_OK;
}

/* Copies column `col` of `d` into the builder under `name`. */
static int copy_column(mlops_dataset_builder *b, const mlops_dataset *d, size_t col,
                       const char *name)
{
    size_t rows = mlops_dataset_rows(d);
    int rc;
    if (mlops_dataset_column_type(d, col) == MLOPS_NUMERIC) {
        double *values = malloc((rows ? rows : 1) * sizeof *values);
        if (values == NULL) return MLOPS_ENOMEM;
        rc = mlops_dataset_get_numeric(d, col, 0, rows, values);
        if (rc == MLOPS_OK) rc = mlops_dataset_builder_add_numeric(b, name, values);
        free(values);
    } else {
        int32_t *codes = malloc((rows ? rows : 1) * sizeof *codes);
        const char **values = malloc((rows ? rows : 1) * sizeof *values);
        rc = codes != NULL && values != NULL ? MLOPS_OK : MLOPS_ENOMEM;
        if (rc == MLOPS_OK) rc = mlops_dataset_get_codes(d, col, 0, rows, codes);
        for (size_t i = 0; rc == MLOPS_OK && i < rows; i++)
            values[i] = codes[i] < 0 ? NULL : mlops_dataset_category(d, col, codes[i]);
        if (rc == MLOPS_OK) rc = mlops_dataset_builder_add_categorical(b, name, values);
        free(codes);
        free(values);
    }
    if (rc == MLOPS_OK)
        rc = mlops_dataset_builder_set_role(b, name, mlops_dataset_column_role(d, col));
    return rc;
}

/* The model looks for its own target name: a --target column of another
 * name is given that name in a copy of the data, and a column already
 * holding the name (not the one chosen) is left out. */
static int rename_target(const mlops_dataset *d, const char *target, const char *model_target,
                         mlops_dataset **out)
{
    mlops_dataset_builder *b = NULL;
    int rc = mlops_dataset_builder_create(&b, mlops_dataset_rows(d));
    for (size_t c = 0; rc == MLOPS_OK && c < mlops_dataset_cols(d); c++) {
        const char *name = mlops_dataset_column_name(d, c);
        if (strcmp(name, model_target) == 0) continue;
        rc = copy_column(b, d, c, strcmp(name, target) == 0 ? model_target : name);
    }
    if (rc == MLOPS_OK) rc = mlops_dataset_builder_finish(b, out);
    mlops_dataset_builder_free(b);
    if (rc == MLOPS_ENOMEM) return cli_runtime_msg(CMD, "out of memory");
    return rc == MLOPS_OK ? CLI_OK : cli_runtime_error();
}

static int prepare_data(const mlops_model *m, const evaluate_opts *o, const char *target,
                        mlops_dataset **out)
{
    mlops_dataset *d = NULL;
    int status = cli_read_model_rows(CMD, m, o->data, o->delimiter, &d);
    /* without --target the column is the model's, and the message says so */
    const char *option = o->target != NULL ? "--target" : "the model's target";
    if (status == CLI_OK) status = mark_column(d, option, target, MLOPS_ROLE_TARGET);
    if (status == CLI_OK && o->weight != NULL)
        status = mark_column(d, "--weight", o->weight, MLOPS_ROLE_WEIGHT);
    for (size_t i = 0; status == CLI_OK && i < o->ngroups; i++)
        status = mark_column(d, "--group", o->groups[i], -1);
    if (status == CLI_OK && strcmp(target, mlops_model_target_name(m)) != 0) {
        mlops_dataset *renamed = NULL;
        status = rename_target(d, target, mlops_model_target_name(m), &renamed);
        mlops_dataset_free(d);
        d = renamed;
    }
    if (status != CLI_OK) {
        mlops_dataset_free(d);
        return status;
    }
    *out = d;
    return CLI_OK;
}

/* Saves a copy of the model with the report in its card. */
static int attach(mlops_model *m, const mlops_report *r, const char *path)
{
    /* The model is saved by renaming a new file over the path, which must
     * never happen to a device such as /dev/null. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return cli_runtime_msg(CMD, "--attach %s: not a regular file; the model is saved by "
                               "replacing the file at that path", path);
    if (mlops_report_attach(r, m) != MLOPS_OK || mlops_model_save(m, path) != MLOPS_OK)
        return cli_runtime_error();
    return CLI_OK;
}

static int print_json(const mlops_report *r)
{
    char *json = NULL;
    if (mlops_report_json(r, &json) != MLOPS_OK) return cli_runtime_error();
    fputs(json, stdout);
    fputc('\n', stdout);
    mlops_free(json);
    return CLI_OK;
}

static int run(const evaluate_opts *o)
{
    mlops_evaluator *ev = NULL;
    mlops_model *m = NULL;
    mlops_dataset *d = NULL;
    mlops_report *r = NULL;
    char *metric = NULL;

    cli_install_logger();
    if (mlops_evaluator_create(&ev) != MLOPS_OK) return cli_runtime_error();
    int status = configure(ev, o);
    if (status == CLI_OK && mlops_model_load(&m, o->model) != MLOPS_OK)
        status = cli_runtime_error();
    const char *target = NULL;
    if (status == CLI_OK) {
        target = o->target != NULL ? o->target : mlops_model_target_name(m);
        for (size_t i = 0; i < o->ngroups; i++)
            if (strcmp(o->groups[i], target) == 0)
                status = cli_usage_error(CMD, "--group names the target column '%s'", target);
        if (status == CLI_OK && o->weight != NULL && strcmp(o->weight, target) == 0)
            status = cli_usage_error(CMD, "--weight names the target column '%s'", target);
    }
    if (status == CLI_OK) status = prepare_data(m, o, target, &d);
    if (status == CLI_OK) {
        if (mlops_evaluator_run(ev, m, d, &r) != MLOPS_OK) status = cli_runtime_error();
    }
    if (status == CLI_OK && o->attach != NULL) status = attach(m, r, o->attach);
    if (status == CLI_OK && mlops_evaluator_get_param(ev, "metric", &metric) != MLOPS_OK)
        metric = NULL;
    if (status == CLI_OK) {
        if (o->json) {
            status = print_json(r);
        } else {
            evaluate_header how = {o->model, o->data, target, o->attach, metric};
            status = evaluate_print_text(stdout, m, r, &how);
        }
        if (status == CLI_OK) status = cli_flush_stdout();
    }
    if (status == CLI_OK && !mlops_report_passed(r)) status = CLI_GATE_FAILED;
    mlops_free(metric);
    mlops_report_free(r);
    mlops_dataset_free(d);
    mlops_model_free(m);
    mlops_evaluator_free(ev);
    return status;
}

int cmd_evaluate(int argc, char **argv)
{
    evaluate_opts o;
    memset(&o, 0, sizeof o);
    size_t n = argc > 0 ? (size_t)argc : 1;
    o.groups = malloc(n * sizeof *o.groups);
    o.gates = malloc(n * sizeof *o.gates);
    o.sets = malloc(n * sizeof *o.sets);
    int help = 0;
    int status;
    if (o.groups == NULL || o.gates == NULL || o.sets == NULL) {
        status = cli_runtime_msg(CMD, "out of memory");
    } else {
        status = parse(argc, argv, &o, &help);
        if (status == CLI_OK) status = help ? evaluate_usage(stdout) : run(&o);
    }
    free(o.groups);
    free(o.gates);
    free(o.sets);
    return status;
}
