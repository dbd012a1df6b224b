/* `mlops run PIPELINE.yaml [--set KEY=VALUE]... [--output RUN_DIR] [--json]`:
 * loads and checks a pipeline file like `mlops validate`, runs it into a
 * run directory with the steps shown on a terminal, and prints a short
 * summary of the run (or its JSON). Parsing and printing only: the steps,
 * the gates, the registration and the lock file are the library's. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "cli_json.h"
#include "pipeline_print.h"

int cmd_run(int argc, char **argv);

static const char CMD[] = "run";

static int run_usage(FILE *out)
{
    fputs("usage: mlops run PIPELINE.yaml [--set KEY=VALUE]... [--output RUN_DIR] [--json]\n"
          "\n"
          "Checks the pipeline file PIPELINE.yaml (see mlops-pipeline(5)) as\n"
          "'mlops validate' does, then runs it: reads and validates the data, splits\n"
          "it, fits the preprocessing and the model, evaluates it with its gates,\n"
          "builds the monitoring reference, checks drift if asked, writes every\n"
          "artifact and mlops.lock into the run directory and, when every check\n"
          "passed, registers the model and moves its alias. Prints a summary.\n"
          "\n"
          "  --set KEY=VALUE   override a key of the file, such as model.settings.l2=0.1\n"
          "                    (VALUE is a YAML value: 0.1, true, [a, b], 'text');\n"
          "                    repeatable, checked like the file's own keys\n"
          "  --output RUN_DIR  the run directory (default: the file's output.dir);\n"
          "                    it must not exist or be empty\n"
          "  --json            print the run's summary as JSON\n"
          "\n"
          "Exit status: 0 success, 1 a data rule, gate or drift check failed (the run\n"
          "is recorded, the model is not registered), 2 the configuration has\n"
          "problems or usage error, 3 failure. See mlops(1).\n",
          out);
    return out == stderr ? CLI_USAGE : CLI_OK;
}

typedef struct run_opts {
    const char *path, *output;
    const char **sets; /* argc entries */
    size_t nsets;
    int json;
} run_opts;

static int parse(int argc, char **argv, run_opts *o, int *help)
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
        } else if (cli_args_is(&a, "--set")) {
            if ((rc = cli_args_value(&a, &v)) == CLI_OK) o->sets[o->nsets++] = v;
        } else if (cli_args_is(&a, "--output")) {
            rc = cli_args_value(&a, &o->output);
        } else if (cli_args_is_option(&a)) {
            return cli_usage_error(CMD, "unknown option '%s'", a.arg);
        } else if (o->path == NULL) {
            o->path = a.arg;
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a.arg);
        }
        if (rc != CLI_OK) return rc;
    }
    if (o->path == NULL) return cli_usage_error(CMD, "no PIPELINE file given");
    if (o->output != NULL && o->output[0] == '\0')
        return cli_usage_error(CMD, "--output needs a directory");
    return CLI_OK;
}

/* `path` as an absolute path in a new string (free()), or NULL when the
 * current directory cannot be found (errno set). --output is an ordinary
 * command-line path, taken from the current directory, whereas the library
 * takes a relative run directory from the pipeline file's directory. */
static char *absolute(const char *path)
{
    size_t n = strlen(path);
    if (path[0] == '/') {
        char *copy = malloc(n + 1);
        if (copy != NULL) memcpy(copy, path, n + 1);
        return copy;
    }
    for (size_t size = 256; size <= ((size_t)1 << 20); size *= 2) {
        char *buf = malloc(size + n + 2);
        if (buf == NULL) return NULL;
        if (getcwd(buf, size) != NULL) {
            size_t len = strlen(buf);
            if (len == 0 || buf[len - 1] != '/') buf[len++] = '/';
            memcpy(buf + len, path, n + 1);
            return buf;
        }
        free(buf);
        if (errno != ERANGE) return NULL;
    }
    return NULL;
}

/* The step callback: on a terminal, the step under way replaces the
 * previous one on a single line of standard error. */
static int show_step(void *ctx, const char *step, const char *detail, int done)
{
    cli_progress *p = ctx;
    if (!p->enabled || done) return 0;
    fprintf(stderr, "\r\033[Kmlops: run: %s%s%s", step, detail && *detail ? ": " : "",
            detail ? detail : "");
    fflush(stderr);
    p->shown = 1;
    return 0;
}

/* ---- the summary ------------------------------------------------------------ */

static int is_true(const char *v)
{
    return v != NULL && strncmp(v, "true", 4) == 0;
}

static int is_null(const char *v)
{
    return v == NULL || strncmp(v, "null", 4) == 0;
}

/* Prints the string or number at `v` (a number in 6 significant digits),
 * or `none` when it is null or absent. */
static void put_value(const char *v, const char *none)
{
    char *text = cli_json_text(v);
    if (text == NULL) {
        fputs(none, stdout);
    } else if (*v != '"') {
        printf("%.6g", strtod(text, NULL));
    } else {
        fputs(text, stdout);
    }
    free(text);
}

/* A count that the summary may give as a number or as a list of names:
 * prints the count, and the names when there are any. */
static void put_count(const char *v, const char *noun)
{
    if (v != NULL && *v == '[') {
        size_t n = 0;
        while (cli_json_item(v, n) != NULL) n++;
        printf("%zu %s%s", n, noun, n == 1 ? "" : "s");
        for (size_t i = 0; i < n && i < 8; i++) {
            fputs(i ? ", " : ": ", stdout);
            put_value(cli_json_item(v, i), "?");
        }
        if (n > 8) fputs(", ...", stdout);
    } else {
        char *text = cli_json_text(v);
        double n = text != NULL ? strtod(text, NULL) : 0;
        printf("%s %s%s", text != NULL ? text : "?", noun, n == 1 ? "" : "s");
        free(text);
    }
}

/* The metrics worth a glance, when the report has them. */
static const char *const MAIN_METRICS[] = {
    "accuracy", "balanced_accuracy", "f1", "f1_macro", "roc_auc", "roc_auc_ovr", "log_loss",
    "r2", "mean_absolute_error", "root_mean_squared_error",
};

static void print_metrics(const char *summary)
{
    const char *metrics = cli_json_find(summary, "metrics");
    int any = 0;
    for (size_t i = 0; i < sizeof MAIN_METRICS / sizeof MAIN_METRICS[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "metrics.%s", MAIN_METRICS[i]);
        const char *v = cli_json_find(summary, path);
        if (v == NULL) continue;
        printf("%s%s ", any ? ", " : "  metrics      ", MAIN_METRICS[i]);
        put_value(v, "undefined");
        any = 1;
    }
    if (!any && metrics != NULL && *metrics == '{') {
        /* metrics, but none of the usual ones; an empty object has none */
        const char *p = metrics + 1;
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
        if (*p != '}') {
            fputs("  metrics      (see evaluation.json)", stdout);
            any = 1;
        }
    }
    if (any) putchar('\n');
}

static void print_gates(const char *summary)
{
    const char *gates = cli_json_find(summary, "gates");
    if (cli_json_item(gates, 0) == NULL) {
        puts(is_null(cli_json_find(summary, "model")) ? "  gates        not evaluated"
                                                      : "  gates        none");
        return;
    }
    for (size_t i = 0;; i++) {
        const char *g = cli_json_item(gates, i);
        if (g == NULL) break;
        printf("  %-13s%s  ", i == 0 ? "gates" : "",
               is_true(cli_json_find(g, "passed")) ? "PASS" : "FAIL");
        put_value(cli_json_find(g, "expression"), "?");
        fputs("  (", stdout);
        put_value(cli_json_find(g, "value"), "undefined");
        puts(")");
    }
}

static void print_registry(const char *summary, int passed)
{
    const char *reg = cli_json_find(summary, "registry");
    fputs("  registry     ", stdout);
    if (is_null(reg)) {
        puts("none configured");
        return;
    }
    const char *version = cli_json_find(reg, "version");
    const char *alias = cli_json_find(reg, "alias");
    put_value(cli_json_find(reg, "name"), "?");
    if (!passed) {
        fputs(": not registered (the run did not pass)", stdout);
        if (!is_null(alias)) {
            fputs("; alias ", stdout);
            put_value(alias, "?");
            fputs(" unchanged", stdout);
        }
        putchar('\n');
        return;
    }
    fputs(" version ", stdout);
    put_value(version, "?");
    fputs(is_true(cli_json_find(reg, "registered")) ? " registered" : " (already registered)",
          stdout);
    putchar('\n');
    if (!is_null(alias)) {
        fputs("               alias ", stdout);
        put_value(alias, "?");
        puts(" moved to it");
    }
}

static void print_summary(const char *summary, const char *name)
{
    int passed = is_true(cli_json_find(summary, "passed"));
    printf("run %s: %s\n", name ? name : "", passed ? "passed" : "FAILED");
    fputs("  run dir      ", stdout);
    put_value(cli_json_find(summary, "run_dir"), "?");
    fputs("\n  model        ", stdout);
    if (is_null(cli_json_find(summary, "model"))) {
        fputs("none (the run stopped before training)", stdout);
    } else {
        put_value(cli_json_find(summary, "model.kind"), "?");
        fputs(", payload sha256 ", stdout);
        put_value(cli_json_find(summary, "model.payload_sha256"), "?");
    }
    putchar('\n');
    print_metrics(summary);
    const char *dv = cli_json_find(summary, "data_validation");
    const char *rows = cli_json_find(summary, "rows");
    if (rows != NULL) {
        fputs("  data         ", stdout);
        put_value(cli_json_find(rows, "data"), "?");
        const char *dropped = cli_json_find(rows, "dropped_missing_target");
        if (dropped != NULL && *dropped != '0' && !is_null(dropped)) {
            fputs(" rows (", stdout);
            put_value(dropped, "?");
            fputs(" without a target left out): ", stdout);
        } else {
            fputs(" rows: ", stdout);
        }
        put_value(cli_json_find(rows, "train"), "?");
        fputs(" train, ", stdout);
        put_value(cli_json_find(rows, "test"), "?");
        puts(" test");
    }
    if (dv != NULL) {
        printf("  %-13svalidation %s (", rows != NULL ? "" : "data",
               is_true(cli_json_find(dv, "passed")) ? "passed" : "FAILED");
        put_count(cli_json_find(dv, "violations"), "violation");
        puts(")");
    }
    print_gates(summary);
    const char *drift = cli_json_find(summary, "drift");
    fputs("  drift        ", stdout);
    if (is_null(drift)) {
        puts("not checked");
    } else {
        fputs(is_true(cli_json_find(drift, "dataset_drift")) ? "DRIFT (" : "no data set drift (",
              stdout);
        put_count(cli_json_find(drift, "drifted_columns"), "drifted column");
        puts(")");
    }
    print_registry(summary, passed);
    fputs("  lock         sha256 ", stdout);
    put_value(cli_json_find(summary, "lock_sha256"), "?");
    putchar('\n');
}

/* ---- the command -------------------------------------------------------------- */

/* Runs a pipeline that validated; returns an exit status. */
static int run(mlops_pipeline *p, const run_opts *o)
{
    cli_progress progress;
    cli_progress_init(&progress, "run");
    char *output = NULL;
    if (o->output != NULL && (output = absolute(o->output)) == NULL)
        return cli_runtime_msg(CMD, "--output %s: cannot find the current directory: %s",
                               o->output, strerror(errno));
    if (progress.enabled && mlops_pipeline_set_step_callback(p, show_step, &progress) != MLOPS_OK) {
        free(output);
        return cli_runtime_error();
    }
    int rc = mlops_pipeline_run(p, output);
    free(output);
    cli_progress_end(&progress);
    mlops_pipeline_set_step_callback(p, NULL, NULL);
    if (rc != MLOPS_OK && rc != MLOPS_EGATE) return cli_runtime_error();

    /* why the run failed, kept before other calls replace the message */
    char *why = NULL;
    if (rc == MLOPS_EGATE) {
        const char *m = mlops_last_error();
        if ((why = malloc(strlen(m) + 1)) != NULL) strcpy(why, m);
    }
    char *summary = NULL, *config = NULL, *name = NULL;
    int status = CLI_OK;
    if (mlops_pipeline_summary_json(p, &summary) != MLOPS_OK) {
        status = cli_runtime_error();
    } else if (o->json) {
        printf("%s\n", summary);
    } else {
        if (mlops_pipeline_config_json(p, &config) == MLOPS_OK)
            name = cli_json_text(cli_json_find(config, "name"));
        print_summary(summary, name);
    }
    if (status == CLI_OK) status = cli_flush_stdout();
    if (status == CLI_OK && rc == MLOPS_EGATE) {
        fprintf(stderr, "mlops: %s\n", why ? why : "the run failed its checks");
        status = 1;
    }
    free(why);
    free(name);
    mlops_free(config);
    mlops_free(summary);
    return status;
}

int cmd_run(int argc, char **argv)
{
    run_opts o;
    memset(&o, 0, sizeof o);
    o.sets = malloc((argc > 0 ? (size_t)argc : 1) * sizeof *o.sets);
    if (o.sets == NULL) return cli_runtime_msg(CMD, "out of memory");
    int help = 0;
    int status = parse(argc, argv, &o, &help);
    if (status == CLI_OK && help) {
        status = run_usage(stdout);
    } else if (status == CLI_OK) {
        mlops_pipeline *p = NULL;
        cli_install_logger();
        status = pipeline_prepare(CMD, o.path, o.sets, o.nsets, o.json, &p);
        if (status == CLI_OK) status = run(p, &o);
        mlops_pipeline_free(p);
    }
    free(o.sets);
    return status;
}
