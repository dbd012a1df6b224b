/* `mlops validate PIPELINE.yaml [--set KEY=VALUE]... [--json]`: loads a
 * pipeline file, applies the overrides and lets the library check
 * everything at once, then lists every problem with its place, or says
 * the file is valid. Nothing is run. Parsing and printing only. */
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "pipeline_print.h"

int cmd_validate(int argc, char **argv);

static const char CMD[] = "validate";

static int validate_usage(FILE *out)
{
    fputs("usage: mlops validate PIPELINE.yaml [--set KEY=VALUE]... [--json]\n"
          "\n"
          "Checks the pipeline file PIPELINE.yaml (see mlops-pipeline(5)) without\n"
          "running anything: unknown keys (with the nearest valid one), wrong types,\n"
          "missing required keys, values the library refuses, gate expressions,\n"
          "data files that do not exist. Every problem is printed on standard\n"
          "error as FILE:LINE:COLUMN: KEY: message.\n"
          "\n"
          "  --set KEY=VALUE   override a key of the file, such as model.settings.l2=0.1\n"
          "                    (VALUE is a YAML value: 0.1, true, [a, b], 'text');\n"
          "                    repeatable, checked like the file's own keys\n"
          "  --json            print {\"file\", \"valid\", \"problems\": [...]} and, when\n"
          "                    valid, the resolved configuration under \"config\"\n"
          "\n"
          "Exit status: 0 valid, 2 problems found or usage error, 3 failure.\n"
          "See mlops(1).\n",
          out);
    return out == stderr ? CLI_USAGE : CLI_OK;
}

typedef struct validate_opts {
    const char *path;
    const char **sets; /* argc entries */
    size_t nsets;
    int json;
} validate_opts;

static int parse(int argc, char **argv, validate_opts *o, int *help)
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
    return CLI_OK;
}

int cmd_validate(int argc, char **argv)
{
    validate_opts o;
    memset(&o, 0, sizeof o);
    o.sets = malloc((argc > 0 ? (size_t)argc : 1) * sizeof *o.sets);
    if (o.sets == NULL) return cli_runtime_msg(CMD, "out of memory");
    int help = 0;
    int status = parse(argc, argv, &o, &help);
    if (status == CLI_OK && help) {
        status = validate_usage(stdout);
    } else if (status == CLI_OK) {
        mlops_pipeline *p = NULL;
        cli_install_logger();
        status = pipeline_prepare(CMD, o.path, o.sets, o.nsets, o.json, &p);
        if (status == CLI_OK && o.json) {
            status = pipeline_print_valid_json(o.path, p);
        } else if (status == CLI_OK) {
            printf("%s: valid\n", o.path);
            status = cli_flush_stdout();
        }
        mlops_pipeline_free(p);
    }
    free(o.sets);
    return status;
}
