/* `mlops audit verify`: checks a registry (its audit log, head file and
 * model files) or any audit or decision log, and says whether every
 * record is as it was written. The checks are the library's
 * (mlops_registry_verify, mlops_audit_verify); this file prints. */
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "cli_json.h"

int cmd_audit(int argc, char **argv);

static const char CMD[] = "audit";

/* Exit status when a record or file does not verify. */
enum { CLI_VERIFY_FAILED = 1 };

static int audit_usage(FILE *out)
{
    fputs("usage: mlops audit verify --registry DIR [--json]\n"
          "       mlops audit verify --log FILE [--json]\n"
          "\n"
          "Verifies that no record of an audit log was edited, removed or reordered:\n"
          "every record's hash, its sequence number and the chain of hashes, and, when\n"
          "the log has a head file (FILE.head), that no last record was removed. For a\n"
          "registry, also every stored model file against the hash recorded for it.\n"
          "\n"
          "  --registry DIR   a model registry (see 'mlops registry')\n"
          "  --log FILE       an audit log or a decision log ('mlops predict\n"
          "                   --decision-log')\n"
          "  --json           print the full report as JSON\n"
          "\n"
          "Exit status: 0 verified, 1 verification failed (the first bad record is\n"
          "named), 2 usage error, 3 failure. See mlops(1).\n",
          out);
    return out == stderr ? CLI_USAGE : CLI_OK;
}

typedef struct audit_opts {
    const char *registry, *log;
    int json;
} audit_opts;

static int parse(int argc, char **argv, audit_opts *o, int *help)
{
    cli_args a;
    cli_args_init(&a, CMD, argc, argv);
    while (cli_args_next(&a)) {
        int rc = CLI_OK;
        if (cli_args_is(&a, "--help") || cli_args_is(&a, "-h")) {
            *help = 1;
            return CLI_OK;
        } else if (cli_args_is(&a, "--json")) {
            rc = cli_args_flag(&a);
            o->json = 1;
        } else if (cli_args_is(&a, "--registry")) {
            rc = cli_args_value(&a, &o->registry);
        } else if (cli_args_is(&a, "--log")) {
            rc = cli_args_value(&a, &o->log);
        } else if (cli_args_is_option(&a)) {
            return cli_usage_error(CMD, "unknown option '%s'", a.arg);
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a.arg);
        }
        if (rc != CLI_OK) return rc;
    }
    if ((o->registry == NULL) == (o->log == NULL))
        return cli_usage_error(CMD, "give exactly one of --registry DIR and --log FILE");
    return CLI_OK;
}

static void print_summary(const char *report, int ok)
{
    char *records = cli_json_text(cli_json_find(report, "records"));
    char *last = cli_json_text(cli_json_find(report, "last_hash"));
    char *log = cli_json_text(cli_json_find(report, "log"));
    if (ok) {
        printf("verified %s: %s records, last hash %s\n", log ? log : "?", records ? records : "?",
               last ? last : "?");
        const char *models = cli_json_find(report, "models");
        size_t n = 0;
        while (cli_json_item(models, n) != NULL) n++;
        if (models != NULL) printf("  %zu model file%s verified\n", n, n == 1 ? "" : "s");
    } else {
        printf("FAILED %s: %s valid records before the first bad one\n", log ? log : "?",
               records ? records : "?");
    }
    const char *notes = cli_json_find(report, "notes");
    const char *note = cli_json_item(notes, 0);
    for (size_t i = 0; note != NULL; note = cli_json_item(notes, ++i)) {
        char *text = cli_json_text(note);
        printf("  note: %s\n", text ? text : "?");
        free(text);
    }
    free(records);
    free(last);
    free(log);
}

static int run(const audit_opts *o)
{
    cli_install_logger();
    char *report = NULL;
    int rc = o->registry != NULL ? mlops_registry_verify(o->registry, &report)
                                 : mlops_audit_verify(o->log, &report);
    if (rc != MLOPS_OK && rc != MLOPS_ECORRUPT) {
        mlops_free(report);
        return cli_runtime_error();
    }
    if (rc == MLOPS_ECORRUPT) fprintf(stderr, "mlops: audit verify: %s\n", mlops_last_error());
    if (report != NULL) {
        if (o->json) puts(report);
        else print_summary(report, rc == MLOPS_OK);
    }
    mlops_free(report);
    int status = cli_flush_stdout();
    if (status != CLI_OK) return status;
    return rc == MLOPS_OK ? CLI_OK : CLI_VERIFY_FAILED;
}

int cmd_audit(int argc, char **argv)
{
    if (argc < 2) return cli_usage_error(CMD, "missing the subcommand: verify");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0)
        return audit_usage(stdout);
    if (strcmp(sub, "verify") != 0)
        return cli_usage_error(CMD, "unknown subcommand '%s' (verify)", sub);
    audit_opts o;
    memset(&o, 0, sizeof o);
    int help = 0;
    int status = parse(argc - 1, argv + 1, &o, &help);
    if (status != CLI_OK) return status;
    return help ? audit_usage(stdout) : run(&o);
}
