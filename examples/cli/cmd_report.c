/* `mlops report RUN_DIR [--out DIR] [--json]`: writes the HTML pages of a
 * run directory (evaluation, drift, data quality, model card) for people to
 * look at. Parsing and printing only: the pages are mlops_run_report()'s. */
#include <stdio.h>
#include <string.h>

#include "cli_common.h"

int cmd_report(int argc, char **argv);

static const char CMD[] = "report";

static int report_usage(FILE *out)
{
    fputs("usage: mlops report RUN_DIR [--out DIR] [--json]\n"
          "\n"
          "Writes self-contained HTML pages (inline SVG charts, no scripts, nothing\n"
          "fetched) for the run directory RUN_DIR written by 'mlops run':\n"
          "evaluation.html, drift.html, data.html and model_card.html, each when the\n"
          "run holds its source document. The run's own files are not changed.\n"
          "\n"
          "  --out DIR   write the pages into DIR instead of RUN_DIR\n"
          "  --json      print the paths written as a JSON array\n"
          "\n"
          "Exit status: 0 written, 2 usage error, 3 failure (not a run directory,\n"
          "a damaged document, a write error). See mlops(1).\n",
          out);
    return out == stderr ? CLI_USAGE : CLI_OK;
}

int cmd_report(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    int json = 0;
    cli_args a;
    cli_args_init(&a, CMD, argc, argv);
    while (cli_args_next(&a)) {
        int rc = CLI_OK;
        if (cli_args_is(&a, "--help") || cli_args_is(&a, "-h")) {
            return report_usage(stdout);
        } else if (cli_args_is(&a, "--out")) {
            rc = cli_args_value(&a, &out);
        } else if (cli_args_is(&a, "--json")) {
            rc = cli_args_flag(&a);
            json = 1;
        } else if (cli_args_is_option(&a)) {
            return cli_usage_error(CMD, "unknown option '%s'", a.arg);
        } else if (dir == NULL) {
            dir = a.arg;
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a.arg);
        }
        if (rc != CLI_OK) return rc;
    }
    if (dir == NULL) return cli_usage_error(CMD, "no RUN_DIR given");
    char *written = NULL;
    if (mlops_run_report(dir, out, &written) != MLOPS_OK) return cli_runtime_error();
    if (json) {
        printf("%s\n", written);
    } else {
        /* One path per line from the JSON array of strings. */
        int in_string = 0;
        for (const char *p = written; *p; p++) {
            if (!in_string) {
                in_string = *p == '"';
            } else if (*p == '\\' && p[1] != '\0') {
                p++;
                putchar(*p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
            } else if (*p == '"') {
                in_string = 0;
                putchar('\n');
            } else {
                putchar(*p);
            }
        }
    }
    mlops_free(written);
    return CLI_OK;
}
