/* Helpers shared by the `mlops` subcommands (see cli_common.h): they keep
 * option handling, messages, exit codes and output spelling identical
 * across commands. */
#define _POSIX_C_SOURCE 200809L
#include "cli_common.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- options --------------------------------------------------------------- */

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    a->argc = argc;
    a->argv = argv;
    a->i = 0;
}

int cli_args_next(cli_args *a)
{
    if (++a->i >= a->argc) return 0;
    a->arg = a->argv[a->i];
    a->inline_val = NULL;
    a->name_len = strlen(a->arg);
    if (strncmp(a->arg, "--", 2) == 0) {
        const char *eq = strchr(a->arg, '=');
        if (eq != NULL) {
            a->inline_val = eq + 1;
            a->name_len = (size_t)(eq - a->arg);
        }
    }
    return 1;
}

int cli_args_is(const cli_args *a, const char *name)
{
    return strlen(name) == a->name_len && strncmp(a->arg, name, a->name_len) == 0;
}

int cli_args_is_option(const cli_args *a)
{
    return a->arg[0] == '-' && a->arg[1] != '\0';
}

int cli_args_value(cli_args *a, const char **value)
{
    if (a->inline_val != NULL) {
        *value = a->inline_val;
        return CLI_OK;
    }
    if (a->i + 1 >= a->argc)
        return cli_usage_error(a->cmd, "option '%.*s' needs a value", (int)a->name_len, a->arg);
    *value = a->argv[++a->i];
    return CLI_OK;
}

int cli_args_flag(const cli_args *a)
{
    if (a->inline_val == NULL) return CLI_OK;
    return cli_usage_error(a->cmd, "option '%.*s' takes no value", (int)a->name_len, a->arg);
}

/* ---- messages -------------------------------------------------------------- */

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mlops: %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'mlops %s --help'.\n", cmd);
    return CLI_USAGE;
}

int cli_usage_library(const char *cmd)
{
    fprintf(stderr, "mlops: %s: %s\nTry 'mlops %s --help'.\n", cmd, mlops_last_error(), cmd);
    return CLI_USAGE;
}

int cli_runtime_error(void)
{
    fprintf(stderr, "mlops: %s\n", mlops_last_error());
    return CLI_RUNTIME;
}

int cli_runtime_msg(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mlops: %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_RUNTIME;
}

/* ---- progress -------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_init(cli_progress *p, const char *label)
{
    p->label = label;
    p->enabled = isatty(fileno(stderr));
    p->shown = 0;
    p->last = -1;
    p->start = p->enabled ? now() : 0;
    p->last_draw = 0;
}

/* Whether to redraw now: not in the first half second (short steps stay
 * silent), then at most every 0.1 s. */
static int due(cli_progress *p)
{
    double t = now();
    if (t - p->start < 0.5 || t - p->last_draw < 0.1) return 0;
    p->last_draw = t;
    return 1;
}

int cli_progress_bytes(uint64_t done, uint64_t total, void *user_data)
{
    cli_progress *p = user_data;
    if (!p->enabled || total == 0) return 0;
    long pct = (long)((double)done / (double)total * 100.0);
    if (pct > 100) pct = 100;
    if (pct == p->last || !due(p)) return 0;
    p->last = pct;
    p->shown = 1;
    fprintf(stderr, "\r\033[Kmlops: %s: %ld%%", p->label, pct);
    fflush(stderr);
    return 0;
}

int cli_progress_iterations(uint64_t done, uint64_t total, void *user_data)
{
    cli_progress *p = user_data;
    if (!p->enabled || !due(p)) return 0;
    p->last = (long)done;
    p->shown = 1;
    fprintf(stderr, "\r\033[Kmlops: %s: iteration %llu/%llu", p->label,
            (unsigned long long)done, (unsigned long long)total);
    fflush(stderr);
    return 0;
}

void cli_progress_end(cli_progress *p)
{
    if (!p->shown) return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = 0;
}

/* ---- library warnings ------------------------------------------------------ */

static void print_log(int level, const char *message, void *user_data)
{
    (void)user_data;
    /* Failures come back as return codes and are printed once by the
     * command; only warnings have no other way out. */
    if (level != MLOPS_LOG_WARN) return;
    if (isatty(fileno(stderr))) fputs("\r\033[K", stderr);
    fprintf(stderr, "mlops: warning: %s\n", message);
}

void cli_install_logger(void)
{
    mlops_set_logger(print_log, MLOPS_LOG_WARN, NULL);
}

/* ---- reading --------------------------------------------------------------- */

int cli_read_csv(const char *path, const char *delimiter, const char *const *type_names,
                 const int *types, size_t ntypes, mlops_dataset **out)
{
    mlops_csv_options *opts = NULL;
    cli_progress progress;
    cli_progress_init(&progress, "reading");
    int rc = mlops_csv_options_create(&opts);
    if (rc == MLOPS_OK && delimiter != NULL) rc = mlops_csv_options_set(opts, "delimiter", delimiter);
    for (size_t i = 0; rc == MLOPS_OK && i < ntypes; i++) {
        size_t len = strlen(type_names[i]) + sizeof "type.";
        char *key = malloc(len);
        if (key == NULL) {
            mlops_csv_options_free(opts);
            fputs("mlops: out of memory\n", stderr);
            return CLI_RUNTIME;
        }
        snprintf(key, len, "type.%s", type_names[i]);
        rc = mlops_csv_options_set(opts, key, mlops_type_name(types[i]));
        free(key);
    }
    if (rc == MLOPS_OK && progress.enabled)
        rc = mlops_csv_options_set_progress(opts, cli_progress_bytes, &progress);
    if (rc == MLOPS_OK) rc = mlops_dataset_read_csv(out, path, opts);
    cli_progress_end(&progress);
    mlops_csv_options_free(opts);
    return rc == MLOPS_OK ? CLI_OK : cli_runtime_error();
}

/* ---- output spelling ------------------------------------------------------- */

void cli_format_number(double v, char buf[CLI_NUMBER_BUFSIZE])
{
    if (isnan(v)) {
        buf[0] = '\0';
        return;
    }
    if (isinf(v)) {
        snprintf(buf, CLI_NUMBER_BUFSIZE, "%s", v < 0 ? "-inf" : "inf");
        return;
    }
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, CLI_NUMBER_BUFSIZE, "%.*g", precision, v);
        if (strtod(buf, NULL) == v) return;
    }
}

void cli_csv_field(FILE *f, const char *s)
{
    size_t n = strlen(s);
    int quote = n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
    if (!quote && strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

void cli_json_string(FILE *f, const char *s)
{
    if (s == NULL) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", (unsigned)*p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

void cli_json_number(FILE *f, double v)
{
    char buf[CLI_NUMBER_BUFSIZE];
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    cli_format_number(v, buf);
    fputs(buf, f);
}

int cli_output_open(cli_output *o, const char *cmd, const char *path)
{
    struct stat st;
    o->path = path;
    o->tmp = NULL;
    o->f = NULL;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        o->f = fopen(path, "w");
        if (o->f == NULL) return cli_runtime_msg(cmd, "cannot open '%s': %s", path, strerror(errno));
        return CLI_OK;
    }
    size_t len = strlen(path) + 48;
    o->tmp = malloc(len);
    if (o->tmp == NULL) return cli_runtime_msg(cmd, "out of memory");
    /* O_EXCL with mode 0666 rather than mkstemp: the file gets the umask's
     * permissions, as a file fopen creates would */
    int fd = -1;
    for (unsigned attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(o->tmp, len, "%s.tmp-%ld-%u", path, (long)getpid(), attempt);
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0 || (o->f = fdopen(fd, "w")) == NULL) {
        int err = errno;
        if (fd >= 0) {
            close(fd);
            remove(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        return cli_runtime_msg(cmd, "cannot create a file beside '%s': %s", path, strerror(err));
    }
    return CLI_OK;
}

int cli_output_close(cli_output *o, const char *cmd)
{
    int err = 0;
    if (fflush(o->f) != 0 || ferror(o->f)) err = errno ? errno : EIO;
    if (fclose(o->f) != 0 && err == 0) err = errno ? errno : EIO;
    o->f = NULL;
    int status = CLI_OK;
    if (err != 0)
        status = cli_runtime_msg(cmd, "cannot write '%s': %s", o->path, strerror(err));
    if (o->tmp != NULL) {
        if (status == CLI_OK && rename(o->tmp, o->path) != 0)
            status = cli_runtime_msg(cmd, "cannot replace '%s': %s", o->path, strerror(errno));
        if (status != CLI_OK) remove(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
    return status;
}

int cli_flush_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("mlops: writing output");
        return CLI_RUNTIME;
    }
    return CLI_OK;
}

/* Reads the rows into *out; returns an exit status. A column the model
 * knows is read with the type it had in training, so a few rows that happen
 * to look numeric (or are all empty) still reach a categorical input as
 * text. */
int cli_read_model_rows(const char *cmd, const mlops_model *m, const char *path,
                        const char *delimiter, mlops_dataset **out)
{
    mlops_dataset *d = NULL;
    int status = cli_read_csv(path, delimiter, NULL, NULL, 0, &d);
    if (status != CLI_OK) return status;
    size_t n = mlops_model_input_count(m), nforce = 0;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    int *types = malloc((n ? n : 1) * sizeof *types);
    if (names == NULL || types == NULL) status = cli_runtime_msg(cmd, "out of memory");
    for (size_t i = 0; status == CLI_OK && i < n; i++) {
        size_t col;
        const char *name = mlops_model_input_name(m, i);
        if (mlops_dataset_column_index(d, name, &col) != MLOPS_OK) continue;
        if (mlops_dataset_column_type(d, col) != mlops_model_input_type(m, i)) {
            names[nforce] = name;
            types[nforce++] = mlops_model_input_type(m, i);
        }
    }
    if (status == CLI_OK && nforce > 0) {
        mlops_dataset_free(d);
        d = NULL;
        status = cli_read_csv(path, delimiter, names, types, nforce, &d);
    }
    free(names);
    free(types);
    if (status != CLI_OK) {
        mlops_dataset_free(d);
        return status;
    }
    *out = d;
    return CLI_OK;
}
