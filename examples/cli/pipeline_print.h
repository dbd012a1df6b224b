/* Shared by `mlops validate` and `mlops run`: loading a pipeline file with
 * its --set overrides, checking it, and printing the problems the library
 * found (text on standard error, or the JSON object of `validate --json`
 * on standard output). Presentation only: every check is the library's. */
#ifndef MLOPS_CLI_PIPELINE_PRINT_H
#define MLOPS_CLI_PIPELINE_PRINT_H

#include <stddef.h>

#include <mlops.h>

/* Loads the pipeline at `path`, applies the `nsets` overrides "KEY=VALUE"
 * in order and validates it. Returns CLI_OK with the pipeline in *out
 * (release with mlops_pipeline_free()), or an exit status after printing
 * why not: CLI_USAGE for a configuration error (a YAML syntax error or
 * limit, a malformed override, every validation problem), CLI_RUNTIME
 * when the file cannot be read or memory runs out. With `json`, problems
 * are printed on standard output as the object of
 * pipeline_print_validation(). */
int pipeline_prepare(const char *cmd, const char *path, const char *const *sets, size_t nsets,
                     int json, mlops_pipeline **out);

/* Prints `validate --json`'s object for a pipeline that validated:
 * {"file", "valid": true, "problems": [], "config": {resolved config}}.
 * Returns an exit status. */
int pipeline_print_valid_json(const char *path, const mlops_pipeline *p);

#endif
