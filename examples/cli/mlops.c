/* The `mlops` command-line tool: argument parsing and printing only; every
 * piece of work is a call into the public libmlops API. Subcommands are added
 * here as the library grows (see mlops(1)). */
#include <stdio.h>
#include <string.h>

#include <mlops.h>

int cmd_audit(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_registry(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);

static int usage(FILE *out)
{
    fputs("usage: mlops <command> [options]\n"
          "\n"
          "commands:\n"
          "  profile    profile a CSV file: counts, missing, distinct, ranges\n"
          "  train      fit a model on a CSV file and save it\n"
          "  predict    predict with a saved model for the rows of a CSV file\n"
          "  evaluate   measure a saved model on labelled data and check its gates\n"
          "  inspect    describe a saved model, or print its model card JSON\n"
          "  drift      compare a CSV file with a reference and say whether it drifted\n"
          "  validate   check a pipeline file and list every problem with its place\n"
          "  run        run a pipeline file into a run directory and register the model\n"
          "  verify     re-check every file of a run directory against its lock file\n"
          "  report     write the HTML pages of a run directory: evaluation, drift, data, model card\n"
          "  registry   list, register, alias, retire, history, resolve in a model registry\n"
          "  audit      verify an audit or decision log: no record edited, removed or moved\n"
          "  version    print the library version\n"
          "  help       show this help\n"
          "\n"
          "See mlops(1) for details.\n",
          out);
    return out == stderr ? 2 : 0;
}

static int cmd_version(void)
{
    if (MLOPS_CHECK_VERSION() != MLOPS_OK) {
        fprintf(stderr, "mlops: %s\n", mlops_last_error());
        return 3;
    }
    printf("mlops %s\n", mlops_version_string());
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage(stderr);
    const char *cmd = argv[1];
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) return cmd_version();
    if (strcmp(cmd, "profile") == 0) return cmd_profile(argc - 1, argv + 1);
    if (strcmp(cmd, "train") == 0) return cmd_train(argc - 1, argv + 1);
    if (strcmp(cmd, "predict") == 0) return cmd_predict(argc - 1, argv + 1);
    if (strcmp(cmd, "evaluate") == 0) return cmd_evaluate(argc - 1, argv + 1);
    if (strcmp(cmd, "inspect") == 0) return cmd_inspect(argc - 1, argv + 1);
    if (strcmp(cmd, "drift") == 0) return cmd_drift(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0) return cmd_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "verify") == 0) return cmd_verify(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0) return cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "registry") == 0) return cmd_registry(argc - 1, argv + 1);
    if (strcmp(cmd, "audit") == 0) return cmd_audit(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return usage(stdout);
    fprintf(stderr, "mlops: unknown command '%s'\n", cmd);
    return usage(stderr);
}
