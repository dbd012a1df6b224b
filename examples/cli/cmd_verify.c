/* `mlops verify RUN_DIR [--json]`: re-checks a run directory against its
 * lock file mlops.lock (every listed file's size and SHA-256, the lock's
 * own checksum, the model's payload hash) and says whether the run is
 * intact or names the first file that changed. Parsing and printing only:
 * the checks are mlops_run_verify()'s. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_common.h"
#include "cli_json.h"

int cmd_verify(int argc, char **argv);

static const char CMD[] = "verify";

static int verify_usage(FILE *out)
{
    fputs("usage: mlops verify RUN_DIR [--json]\n"
          "\n"
          "Checks the run directory RUN_DIR, written by 'mlops run', against its lock\n"
          "file mlops.lock: every file the lock lists must exist with the recorded\n"
          "size and SHA-256, the lock's own checksum must hold and the model file's\n"
          "payload hash must match.\n"
          "\n"
          "  --json   print the verification report as JSON\n"
          "\n"
          "Exit status: 0 verified, 1 a file changed or is missing, 2 usage error,\n"
          "3 failure (no lock file, an unreadable directory). See mlops(1).\n",
          out);
    return out == stderr ? CLI_USAGE : CLI_OK;
}

static int parse(int argc, char **argv, const char **dir, int *json, int *help)
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
            *json = 1;
        } else if (cli_args_is_option(&a)) {
            return cli_usage_error(CMD, "unknown option '%s'", a.arg);
        } else if (*dir == NULL) {
            *dir = a.arg;
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a.arg);
        }
        if (rc != CLI_OK) return rc;
    }
    if (*dir == NULL) return cli_usage_error(CMD, "no RUN_DIR given");
    return CLI_OK;
}

/* Whether RUN_DIR holds a lock file: a listed file that is missing fails
 * the verification, a missing lock means this is no run directory. */
static int has_lock(const char *dir)
{
    size_t n = strlen(dir) + sizeof "/mlops.lock";
    char *path = malloc(n);
    if (path == NULL) return 0;
    snprintf(path, n, "%s/mlops.lock", dir);
    struct stat st;
    int found = stat(path, &st) == 0;
    free(path);
    return found;
}

static int is_false(const char *v)
{
    return v != NULL && strncmp(v, "false", 5) == 0;
}

/* The value at `path` of the report, which may be missing (NULL). */
static const char *find(const char *report, const char *path)
{
    return report != NULL ? cli_json_find(report, path) : NULL;
}

/* The first file the report marks as not verified, as a new string
 * (free()), or NULL. */
static char *first_bad_file(const char *report)
{
    const char *files = find(report, "files");
    for (size_t i = 0;; i++) {
        const char *f = cli_json_item(files, i);
        if (f == NULL) return NULL;
        const char *ok = cli_json_find(f, "ok");
        if (is_false(ok))
            return cli_json_text(cli_json_find(f, "path"));
    }
}

static size_t file_count(const char *report)
{
    const char *files = find(report, "files");
    size_t n = 0;
    while (cli_json_item(files, n) != NULL) n++;
    return n;
}

static int verify(const char *dir, int json)
{
    char *report = NULL;
    int rc = mlops_run_verify(dir, &report);
    /* a changed or missing file, or a damaged lock, fails the verification;
     * anything else (no run directory at all, I/O) is a failure to verify */
    int failed = rc == MLOPS_ECORRUPT || rc == MLOPS_EFORMAT ||
                 (rc == MLOPS_ENOTFOUND && has_lock(dir));
    if (rc != MLOPS_OK && !failed) {
        mlops_free(report);
        return cli_runtime_error();
    }
    char *message = NULL;
    if (failed) {
        const char *m = mlops_last_error();
        if ((message = malloc(strlen(m) + 1)) != NULL) strcpy(message, m);
    }
    if (json && report != NULL) {
        printf("%s\n", report);
    } else if (json) {
        /* a lock that cannot be read gives no report */
        fputs("{\"run_dir\": ", stdout);
        cli_json_string(stdout, dir);
        fputs(", \"ok\": false, \"files\": [], \"error\": ", stdout);
        cli_json_string(stdout, message);
        fputs("}\n", stdout);
    } else if (!failed) {
        size_t n = file_count(report);
        printf("%s: verified, %zu file%s\n", dir, n, n == 1 ? "" : "s");
    } else {
        /* the lock first: a changed lock makes its other records moot */
        int lock_bad = rc == MLOPS_EFORMAT || is_false(find(report, "lock_ok"));
        char *bad = lock_bad ? NULL : first_bad_file(report);
        const char *name = lock_bad ? "mlops.lock" : bad;
        if (name == NULL && is_false(find(report, "model_payload.ok")))
            name = "model.mlops";
        if (name != NULL) printf("%s: verification FAILED: %s\n", dir, name);
        else printf("%s: verification FAILED\n", dir);
        free(bad);
    }
    int status = cli_flush_stdout();
    if (status == CLI_OK && failed) {
        fprintf(stderr, "mlops: %s\n", message ? message : "verification failed");
        status = 1;
    }
    free(message);
    mlops_free(report);
    return status;
}

int cmd_verify(int argc, char **argv)
{
    const char *dir = NULL;
    int json = 0, help = 0;
    int status = parse(argc, argv, &dir, &json, &help);
    if (status != CLI_OK) return status;
    if (help) return verify_usage(stdout);
    cli_install_logger();
    return verify(dir, json);
}
