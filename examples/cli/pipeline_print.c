/* Loading and checking a pipeline for `mlops validate` and `mlops run`
 * (see pipeline_print.h): the problems are the library's, printed one per
 * line as "FILE:LINE:COLUMN: KEY: message" so that editors can jump to
 * them, or as JSON for programs. */
#include "pipeline_print.h"

#include <stdlib.h>
#include <string.h>

#include "cli_common.h"

/* Prints the JSON object of a configuration that did not load (a YAML
 * syntax error or a limit): one problem, located from the library's
 * "PATH:LINE:COLUMN: message". */
static void print_load_problem_json(const char *path, const char *message)
{
    const char *file_end = NULL, *text = message;
    unsigned long line = 0, col = 0;
    for (const char *p = strchr(message, ':'); p != NULL; p = strchr(p + 1, ':')) {
        char *end1 = NULL, *end2 = NULL;
        if (p[1] < '0' || p[1] > '9') continue;
        line = strtoul(p + 1, &end1, 10);
        if (*end1 != ':' || end1[1] < '0' || end1[1] > '9') continue;
        col = strtoul(end1 + 1, &end2, 10);
        if (*end2 != ':') continue;
        file_end = p;
        text = end2 + 1 + (end2[1] == ' ');
        break;
    }
    fputs("{\"file\": ", stdout);
    cli_json_string(stdout, path);
    fputs(", \"valid\": false, \"problems\": [{\"file\": ", stdout);
    char *name = NULL;
    if (file_end != NULL) {
        size_t n = (size_t)(file_end - message);
        if ((name = malloc(n + 1)) != NULL) {
            memcpy(name, message, n);
            name[n] = '\0';
        }
    }
    cli_json_string(stdout, name != NULL ? name : path);
    free(name);
    if (file_end == NULL) fputs(", \"line\": null, \"column\": null", stdout);
    else printf(", \"line\": %lu, \"column\": %lu", line, col);
    fputs(", \"key\": \"\", \"message\": ", stdout);
    cli_json_string(stdout, text);
    fputs(", \"suggestion\": null}]}\n", stdout);
}

/* Prints every problem of the last validation; returns CLI_USAGE, or
 * CLI_RUNTIME when the JSON cannot be made. */
static int print_problems(const char *cmd, const char *path, const mlops_pipeline *p, int json)
{
    size_t n = mlops_pipeline_problem_count(p);
    if (json) {
        char *problems = NULL;
        if (mlops_pipeline_problems_json(p, &problems) != MLOPS_OK) return cli_runtime_error();
        fputs("{\"file\": ", stdout);
        cli_json_string(stdout, path);
        printf(", \"valid\": false, \"problems\": %s}\n", problems);
        mlops_free(problems);
        return cli_flush_stdout() == CLI_OK ? CLI_USAGE : CLI_RUNTIME;
    }
    for (size_t i = 0; i < n; i++) {
        const char *text = mlops_pipeline_problem(p, i);
        if (text != NULL) fprintf(stderr, "%s\n", text);
    }
    fprintf(stderr, "mlops: %s: %s: %zu problem%s\n", cmd, path, n, n == 1 ? "" : "s");
    return CLI_USAGE;
}

int pipeline_prepare(const char *cmd, const char *path, const char *const *sets, size_t nsets,
                     int json, mlops_pipeline **out)
{
    mlops_pipeline *p = NULL;
    int rc = mlops_pipeline_load(&p, path);
    if (rc == MLOPS_EFORMAT) {
        /* a syntax error or a limit is a configuration error, like the
         * problems validation finds */
        if (json) {
            print_load_problem_json(path, mlops_last_error());
            return cli_flush_stdout() == CLI_OK ? CLI_USAGE : CLI_RUNTIME;
        }
        fprintf(stderr, "%s\nmlops: %s: %s: 1 problem\n", mlops_last_error(), cmd, path);
        return CLI_USAGE;
    }
    if (rc == MLOPS_EINVAL) return cli_usage_library(cmd);
    if (rc != MLOPS_OK) return cli_runtime_error();

    int status = CLI_OK;
    for (size_t i = 0; status == CLI_OK && i < nsets; i++) {
        rc = mlops_pipeline_override(p, sets[i]);
        if (rc == MLOPS_ENOMEM) status = cli_runtime_error();
        else if (rc != MLOPS_OK)
            status = cli_usage_error(cmd, "--set %s: %s", sets[i], mlops_last_error());
    }
    if (status == CLI_OK) {
        rc = mlops_pipeline_validate(p);
        if (rc == MLOPS_EINVAL && mlops_pipeline_problem_count(p) > 0)
            status = print_problems(cmd, path, p, json);
        else if (rc != MLOPS_OK)
            status = cli_runtime_error();
    }
    if (status != CLI_OK) {
        mlops_pipeline_free(p);
        return status;
    }
    *out = p;
    return CLI_OK;
}

int pipeline_print_valid_json(const char *path, const mlops_pipeline *p)
{
    char *config = NULL;
    if (mlops_pipeline_config_json(p, &config) != MLOPS_OK) return cli_runtime_error();
    fputs("{\"file\": ", stdout);
    cli_json_string(stdout, path);
    printf(", \"valid\": true, \"problems\": [], \"config\": %s}\n", config);
    mlops_free(config);
    return cli_flush_stdout();
}
