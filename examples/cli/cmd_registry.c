/* `mlops registry`: list, register, alias, retire, history and resolve on
 * a model registry directory. Every change and every answer is the
 * library's (mlops_registry_*); this file parses options and prints. */
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "cli_json.h"

int cmd_registry(int argc, char **argv);

static const char CMD[] = "registry";

static int registry_usage(FILE *out)
{
    fputs("usage: mlops registry list     --registry DIR [--json]\n"
          "       mlops registry register --registry DIR --name NAME --model FILE\n"
          "                               [--alias ALIAS] [--reason TEXT] [--actor WHO] [--json]\n"
          "       mlops registry alias    --registry DIR --name NAME --alias ALIAS\n"
          "                               --version REF [--reason TEXT] [--actor WHO] [--json]\n"
          "       mlops registry retire   --registry DIR --name NAME --version REF\n"
          "                               [--reason TEXT] [--actor WHO] [--json]\n"
          "       mlops registry history  --registry DIR [--name NAME] [--json]\n"
          "       mlops registry history  --registry DIR --name NAME --alias ALIAS --at TIME\n"
          "                               [--json]\n"
          "       mlops registry resolve  --registry DIR REF [--json]\n"
          "\n"
          "A registry keeps models by name and version (the SHA-256 of the model\n"
          "payload), aliases that move between versions, and an append-only,\n"
          "hash-chained audit log of every change (check it with 'mlops audit verify').\n"
          "\n"
          "  list        the models, their versions and aliases\n"
          "  register    store the model FILE under NAME (the registry is created when\n"
          "              missing); with --alias, point ALIAS at it too\n"
          "  alias       point ALIAS of NAME at version REF (a version, a prefix of at\n"
          "              least 8 hex digits, or another alias), creating or moving it\n"
          "  retire      retire version REF of NAME for good: it loses its aliases\n"
          "  history     the audit records (of NAME); with --alias and --at, which\n"
          "              version ALIAS named at TIME (ISO 8601, e.g. 2026-03-03T19:30Z)\n"
          "  resolve     the version and file that REF (NAME, NAME@ALIAS or\n"
          "              NAME@VERSION) names\n"
          "\n"
          "  --registry DIR   the registry directory\n"
          "  --reason TEXT    why, recorded in the audit log\n"
          "  --actor WHO      who, recorded in the audit log (default: $MLOPS_ACTOR,\n"
          "                   else the login name)\n"
          "  --json           print JSON\n"
          "\n"
          "Exit status: 0 success, 2 usage error, 3 failure. See mlops(1).\n",
          out);
    return out == stderr ? CLI_USAGE : CLI_OK;
}

typedef struct reg_opts {
    const char *sub, *registry, *name, *model, *alias, *version, *reason, *actor, *at, *ref;
    int json;
} reg_opts;

/* Which options each subcommand takes (besides --registry and --json). */
static const struct {
    const char *sub, *options;
} SUBS[] = {
    {"list", ""},
    {"register", "--name --model --alias --reason --actor"},
    {"alias", "--name --alias --version --reason --actor"},
    {"retire", "--name --version --reason --actor"},
    {"history", "--name --alias --at"},
    {"resolve", ""},
};

static int takes(const char *sub, const char *option)
{
    for (size_t i = 0; i < sizeof SUBS / sizeof *SUBS; i++) {
        if (strcmp(SUBS[i].sub, sub) != 0) continue;
        const char *p = strstr(SUBS[i].options, option);
        size_t n = strlen(option);
        return p != NULL && (p[n] == ' ' || p[n] == '\0');
    }
    return 0;
}

static int parse(int argc, char **argv, reg_opts *o, int *help)
{
    cli_args a;
    cli_args_init(&a, CMD, argc, argv);
    static const char *const NAMES[] = {"--registry", "--name", "--model", "--alias",
                                        "--version", "--reason", "--actor", "--at"};
    const char **slots[] = {&o->registry, &o->name, &o->model, &o->alias,
                            &o->version, &o->reason, &o->actor, &o->at};
    while (cli_args_next(&a)) {
        if (cli_args_is(&a, "--help") || cli_args_is(&a, "-h")) {
            *help = 1;
            return CLI_OK;
        }
        if (cli_args_is(&a, "--json")) {
            if (cli_args_flag(&a) != CLI_OK) return CLI_USAGE;
            o->json = 1;
            continue;
        }
        size_t k = 0;
        while (k < sizeof NAMES / sizeof *NAMES && !cli_args_is(&a, NAMES[k])) k++;
        if (k < sizeof NAMES / sizeof *NAMES) {
            if (k > 0 && !takes(o->sub, NAMES[k]))
                return cli_usage_error(CMD, "'%s' does not apply to 'registry %s'", NAMES[k],
                                       o->sub);
            if (cli_args_value(&a, slots[k]) != CLI_OK) return CLI_USAGE;
        } else if (cli_args_is_option(&a)) {
            return cli_usage_error(CMD, "unknown option '%s'", a.arg);
        } else if (strcmp(o->sub, "resolve") == 0 && o->ref == NULL) {
            o->ref = a.arg;
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a.arg);
        }
    }
    if (o->registry == NULL) return cli_usage_error(CMD, "missing required option --registry");
    const char *sub = o->sub;
    int needs_name = strcmp(sub, "register") == 0 || strcmp(sub, "alias") == 0 ||
                     strcmp(sub, "retire") == 0 || (strcmp(sub, "history") == 0 && o->at != NULL);
    if (needs_name && o->name == NULL) return cli_usage_error(CMD, "missing required option --name");
    if (strcmp(sub, "register") == 0 && o->model == NULL)
        return cli_usage_error(CMD, "missing required option --model");
    if (strcmp(sub, "alias") == 0 && o->alias == NULL)
        return cli_usage_error(CMD, "missing required option --alias");
    if ((strcmp(sub, "alias") == 0 || strcmp(sub, "retire") == 0) && o->version == NULL)
        return cli_usage_error(CMD, "missing required option --version");
    if (strcmp(sub, "history") == 0 && (o->at != NULL) != (o->alias != NULL))
        return cli_usage_error(CMD, "--at and --alias go together: which version ALIAS named at "
                               "TIME");
    if (strcmp(sub, "resolve") == 0 && o->ref == NULL)
        return cli_usage_error(CMD, "missing the reference to resolve (NAME, NAME@ALIAS or "
                               "NAME@VERSION)");
    return CLI_OK;
}

/* A library failure: bad names and values are usage errors. */
static int failed(int rc)
{
    return rc == MLOPS_EINVAL ? cli_usage_library(CMD) : cli_runtime_error();
}

/* ---- list ------------------------------------------------------------------ */

static void print_text_field(const char *value, const char *fallback)
{
    char *text = cli_json_text(value);
    fputs(text != NULL ? text : fallback, stdout);
    free(text);
}

static void print_list(const char *json)
{
    const char *models = cli_json_find(json, "models");
    const char *model = cli_json_item(models, 0);
    if (model == NULL) puts("(no models)");
    for (size_t i = 0; model != NULL; model = cli_json_item(models, ++i)) {
        print_text_field(cli_json_find(model, "name"), "?");
        putchar('\n');
        const char *versions = cli_json_find(model, "versions");
        const char *v = cli_json_item(versions, 0);
        for (size_t k = 0; v != NULL; v = cli_json_item(versions, ++k)) {
            char *version = cli_json_text(cli_json_find(v, "version"));
            char *registered = cli_json_text(cli_json_find(v, "registered"));
            printf("  %.12s  %.19sZ  ", version ? version : "?", registered ? registered : "?");
            print_text_field(cli_json_find(v, "actor"), "?");
            const char *retired = cli_json_find(v, "retired");
            if (retired != NULL && strncmp(retired, "true", 4) == 0) {
                fputs("  retired ", stdout);
                print_text_field(cli_json_find(v, "retired_at"), "?");
            }
            const char *aliases = cli_json_find(v, "aliases");
            const char *a = cli_json_item(aliases, 0);
            for (size_t j = 0; a != NULL; a = cli_json_item(aliases, ++j)) {
                fputs(j == 0 ? "  [" : ", ", stdout);
                print_text_field(a, "?");
            }
            if (cli_json_item(aliases, 0) != NULL) putchar(']');
            char *reason = cli_json_text(cli_json_find(v, "reason"));
            if (reason != NULL && reason[0] != '\0') printf("  \"%s\"", reason);
            putchar('\n');
            free(reason);
            free(version);
            free(registered);
        }
    }
}

/* ---- history --------------------------------------------------------------- */

static void print_history(const char *json)
{
    const char *records = cli_json_find(json, "records");
    const char *r = cli_json_item(records, 0);
    if (r == NULL) puts("(no records)");
    for (size_t i = 0; r != NULL; r = cli_json_item(records, ++i)) {
        char *seq = cli_json_text(cli_json_find(r, "seq"));
        printf("%5s  ", seq ? seq : "?");
        free(seq);
        print_text_field(cli_json_find(r, "time"), "?");
        putchar(' ');
        print_text_field(cli_json_find(r, "actor"), "?");
        putchar(' ');
        print_text_field(cli_json_find(r, "action"), "?");
        putchar(' ');
        print_text_field(cli_json_find(r, "object"), "?");
        char *previous = cli_json_text(cli_json_find(r, "details.previous"));
        if (previous != NULL) printf(" (was %.12s)", previous);
        free(previous);
        char *reason = cli_json_text(cli_json_find(r, "reason"));
        if (reason != NULL && reason[0] != '\0') printf("  \"%s\"", reason);
        free(reason);
        putchar('\n');
    }
}

/* ---- the subcommands ------------------------------------------------------- */

static int do_register(mlops_registry *reg, const reg_opts *o)
{
    /* whether it is new, for the report: the version is the payload hash */
    mlops_model *m = NULL;
    char hash[65] = "";
    int rc = mlops_model_load(&m, o->model);
    if (rc == MLOPS_OK) rc = mlops_model_payload_hash(m, hash, sizeof hash);
    mlops_model_free(m);
    if (rc != MLOPS_OK) return cli_runtime_error();
    char ref[300];
    snprintf(ref, sizeof ref, "%s@%s", o->name, hash);
    char *path = NULL;
    int existed = mlops_registry_resolve(reg, ref, NULL, NULL) == MLOPS_OK;
    char version[MLOPS_REGISTRY_VERSION_SIZE];
    rc = mlops_registry_register(reg, o->name, o->model, o->reason, version, sizeof version);
    if (rc != MLOPS_OK) return failed(rc);
    if (o->alias != NULL &&
        (rc = mlops_registry_set_alias(reg, o->name, o->alias, version, o->reason)) != MLOPS_OK)
        return failed(rc);
    snprintf(ref, sizeof ref, "%s@%s", o->name, version);
    if ((rc = mlops_registry_resolve(reg, ref, NULL, &path)) != MLOPS_OK) return failed(rc);
    if (o->json) {
        fputs("{\"registry\": ", stdout);
        cli_json_string(stdout, o->registry);
        fputs(", \"name\": ", stdout);
        cli_json_string(stdout, o->name);
        printf(", \"version\": \"%s\", \"path\": ", version);
        cli_json_string(stdout, path);
        printf(", \"registered\": %s, \"alias\": ", existed ? "false" : "true");
        cli_json_string(stdout, o->alias);
        fputs("}\n", stdout);
    } else {
        printf("%s %s version %s\n", existed ? "already registered:" : "registered", o->name,
               version);
        printf("  file   %s\n", path);
        if (o->alias != NULL) printf("  alias  %s@%s\n", o->name, o->alias);
    }
    mlops_free(path);
    return CLI_OK;
}

static int do_alias(mlops_registry *reg, const reg_opts *o)
{
    char ref[300];
    snprintf(ref, sizeof ref, "%s@%s", o->name, o->alias);
    char *previous = NULL, *version = NULL;
    if (mlops_registry_resolve(reg, ref, &previous, NULL) != MLOPS_OK) previous = NULL;
    int rc = mlops_registry_set_alias(reg, o->name, o->alias, o->version, o->reason);
    if (rc == MLOPS_OK) rc = mlops_registry_resolve(reg, ref, &version, NULL);
    if (rc != MLOPS_OK) {
        mlops_free(previous);
        return failed(rc);
    }
    if (o->json) {
        fputs("{\"name\": ", stdout);
        cli_json_string(stdout, o->name);
        fputs(", \"alias\": ", stdout);
        cli_json_string(stdout, o->alias);
        printf(", \"version\": \"%s\", \"previous\": ", version);
        cli_json_string(stdout, previous);
        fputs("}\n", stdout);
    } else if (previous != NULL && strcmp(previous, version) == 0) {
        printf("%s already names %s\n", ref, version);
    } else {
        printf("%s -> %s", ref, version);
        if (previous != NULL) printf(" (was %s)", previous);
        putchar('\n');
    }
    mlops_free(previous);
    mlops_free(version);
    return CLI_OK;
}

static int do_retire(mlops_registry *reg, const reg_opts *o)
{
    char ref[300];
    snprintf(ref, sizeof ref, "%s@%s", o->name, o->version);
    char *version = NULL;
    int rc = mlops_registry_resolve(reg, ref, &version, NULL);
    if (rc == MLOPS_OK) rc = mlops_registry_retire(reg, o->name, version, o->reason);
    if (rc != MLOPS_OK) {
        mlops_free(version);
        return failed(rc);
    }
    if (o->json) {
        fputs("{\"name\": ", stdout);
        cli_json_string(stdout, o->name);
        printf(", \"version\": \"%s\", \"retired\": true}\n", version);
    } else {
        printf("retired %s version %s\n", o->name, version);
    }
    mlops_free(version);
    return CLI_OK;
}

static int do_history(mlops_registry *reg, const reg_opts *o)
{
    if (o->at != NULL) {
        char *version = NULL;
        int rc = mlops_registry_alias_at(reg, o->name, o->alias, o->at, &version);
        if (rc != MLOPS_OK) return failed(rc);
        if (o->json) {
            fputs("{\"name\": ", stdout);
            cli_json_string(stdout, o->name);
            fputs(", \"alias\": ", stdout);
            cli_json_string(stdout, o->alias);
            fputs(", \"at\": ", stdout);
            cli_json_string(stdout, o->at);
            printf(", \"version\": \"%s\"}\n", version);
        } else {
            printf("%s@%s at %s: %s\n", o->name, o->alias, o->at, version);
        }
        mlops_free(version);
        return CLI_OK;
    }
    char *json = NULL;
    int rc = mlops_registry_history_json(reg, o->name, &json);
    if (rc != MLOPS_OK) return failed(rc);
    if (o->json) puts(json);
    else print_history(json);
    mlops_free(json);
    return CLI_OK;
}

static int do_resolve(mlops_registry *reg, const reg_opts *o)
{
    char *version = NULL, *path = NULL;
    int rc = mlops_registry_resolve(reg, o->ref, &version, &path);
    if (rc != MLOPS_OK) return failed(rc);
    if (o->json) {
        fputs("{\"ref\": ", stdout);
        cli_json_string(stdout, o->ref);
        printf(", \"version\": \"%s\", \"path\": ", version);
        cli_json_string(stdout, path);
        fputs("}\n", stdout);
    } else {
        printf("%s = %s\n  file %s\n", o->ref, version, path);
    }
    mlops_free(version);
    mlops_free(path);
    return CLI_OK;
}

static int run(const reg_opts *o)
{
    cli_install_logger();
    mlops_registry *reg = NULL;
    int create = strcmp(o->sub, "register") == 0;
    int rc = mlops_registry_open(&reg, o->registry, create ? MLOPS_REGISTRY_CREATE : 0);
    if (rc != MLOPS_OK) return failed(rc);
    int status = CLI_OK;
    if (o->actor != NULL && (rc = mlops_registry_set_actor(reg, o->actor)) != MLOPS_OK)
        status = failed(rc);
    if (status == CLI_OK) {
        if (strcmp(o->sub, "list") == 0) {
            char *json = NULL;
            rc = mlops_registry_list_json(reg, &json);
            if (rc != MLOPS_OK) status = failed(rc);
            else if (o->json) puts(json);
            else print_list(json);
            mlops_free(json);
        } else if (strcmp(o->sub, "register") == 0) {
            status = do_register(reg, o);
        } else if (strcmp(o->sub, "alias") == 0) {
            status = do_alias(reg, o);
        } else if (strcmp(o->sub, "retire") == 0) {
            status = do_retire(reg, o);
        } else if (strcmp(o->sub, "history") == 0) {
            status = do_history(reg, o);
        } else {
            status = do_resolve(reg, o);
        }
    }
    mlops_registry_free(reg);
    return status == CLI_OK ? cli_flush_stdout() : status;
}

int cmd_registry(int argc, char **argv)
{
    if (argc < 2) return cli_usage_error(CMD, "missing the subcommand: list, register, alias, retire, history or resolve");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0)
        return registry_usage(stdout);
    size_t k = 0;
    while (k < sizeof SUBS / sizeof *SUBS && strcmp(SUBS[k].sub, sub) != 0) k++;
    if (k == sizeof SUBS / sizeof *SUBS)
        return cli_usage_error(CMD, "unknown subcommand '%s' (list, register, alias, retire, "
                               "history, resolve)", sub);
    reg_opts o;
    memset(&o, 0, sizeof o);
    o.sub = sub;
    int help = 0;
    int status = parse(argc - 1, argv + 1, &o, &help);
    if (status != CLI_OK) return status;
    return help ? registry_usage(stdout) : run(&o);
}
