/* Helpers shared by the `mlops` subcommands: option scanning, the exit-code
 * convention of the model commands, progress on a terminal, library
 * warnings on standard error, and the number, CSV and JSON spellings of
 * what they print. Presentation only: no decision about data or models. */
#ifndef MLOPS_CLI_COMMON_H
#define MLOPS_CLI_COMMON_H

#include <stdint.h>
#include <stdio.h>

#include <mlops.h>

/* Exit statuses of train, predict and inspect (see mlops(1)). */
enum { CLI_OK = 0, CLI_USAGE = 2, CLI_RUNTIME = 3 };

#if defined(__GNUC__) || defined(__clang__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/* Walks argv[1..argc) of one subcommand. An option may carry its value in
 * the next argument ("--out m.model") or after '=' ("--out=m.model"). */
typedef struct cli_args {
    const char *cmd; /* subcommand name, for messages */
    int argc;
    char **argv;
    int i;                  /* index of the current argument */
    const char *arg;        /* the current argument */
    const char *inline_val; /* text after '=' in "--name=value", else NULL */
    size_t name_len;        /* length of the option name in arg */
} cli_args;

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv);
/* Moves to the next argument; 0 when there are no more. */
int cli_args_next(cli_args *a);
/* 1 when the current argument is option `name` (such as "--out"). */
int cli_args_is(const cli_args *a, const char *name);
/* 1 when the current argument looks like an option ("-x", "--x"). */
int cli_args_is_option(const cli_args *a);
/* Stores the value of the current option in *value. Returns CLI_OK, or
 * prints that the option needs a value and returns CLI_USAGE. */
int cli_args_value(cli_args *a, const char **value);
/* Refuses "=value" on an option that takes none: CLI_OK or CLI_USAGE. */
int cli_args_flag(const cli_args *a);

/* Prints "mlops: CMD: <message>" and a pointer to --help on stderr;
 * returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);
/* Prints the library's last error message for a bad option value on
 * stderr; returns CLI_USAGE. */
int cli_usage_library(const char *cmd);
/* Prints "mlops: <last library error>" on stderr; returns CLI_RUNTIME. */
int cli_runtime_error(void);
/* Prints "mlops: CMD: <message>" on stderr; returns CLI_RUNTIME. */
int cli_runtime_msg(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Progress shown on stderr, only when stderr is a terminal and the step
 * takes longer than a moment; redrawn at most ten times a second. */
typedef struct cli_progress {
    const char *label;
    int enabled;
    int shown;         /* something is on the line and must be erased */
    long last;         /* last value shown, to redraw only on change */
    double start;      /* seconds (monotonic) at init */
    double last_draw;  /* seconds at the last redraw */
} cli_progress;

void cli_progress_init(cli_progress *p, const char *label);
/* mlops_progress_fn for byte counts (CSV reading): a percentage. */
int cli_progress_bytes(uint64_t done, uint64_t total, void *user_data);
/* mlops_progress_fn for iterations (fitting): "iteration N/MAX". */
int cli_progress_iterations(uint64_t done, uint64_t total, void *user_data);
/* Erases the progress line, if one was drawn. */
void cli_progress_end(cli_progress *p);

/* Routes the library's warnings to stderr ("mlops: warning: ..."). */
void cli_install_logger(void);

/* Reads a CSV file with the given delimiter (NULL: the default) into *out,
 * with progress on a terminal. `types` (may be NULL) holds `ntypes` pairs
 * of column name and type forced when reading. Returns a library code. */
/* Reads the rows of `path` for model `m` into *out (an exit status): a
 * column the model knows is read with the type it had in training, so a
 * few rows that happen to look numeric (or are all empty) still reach a
 * categorical input as text. */
int cli_read_model_rows(const char *cmd, const mlops_model *m, const char *path,
                        const char *delimiter, mlops_dataset **out);
int cli_read_csv(const char *path, const char *delimiter, const char *const *type_names,
                 const int *types, size_t ntypes, mlops_dataset **out);

enum { CLI_NUMBER_BUFSIZE = 40 };
/* The shortest of %.15g / %.16g / %.17g that reads back as exactly `v`.
 * NaN gives "" (a missing CSV field); infinities "inf" and "-inf". */
void cli_format_number(double v, char buf[CLI_NUMBER_BUFSIZE]);

/* Writes one CSV field, quoted as RFC 4180 requires when it holds a
 * comma, a quote, CR or LF, or begins or ends with a space or tab (which a
 * trimming reader would drop). */
void cli_csv_field(FILE *f, const char *s);

/* Writes `s` as a JSON string; NULL gives null. */
void cli_json_string(FILE *f, const char *s);
/* Writes a number as JSON (null for NaN and infinities). */
void cli_json_number(FILE *f, double v);

/* An output file that replaces `path` only once it is complete: a regular
 * file (or a new one) is written to a temporary file beside it and renamed
 * over it, so a failure leaves the old content; other files (a terminal, a
 * pipe, a device) are written in place and never removed. */
typedef struct cli_output {
    FILE *f;
    const char *path;
    char *tmp; /* the temporary file, NULL when writing in place */
} cli_output;

/* Opens `path` for writing; CLI_OK, or prints why not and returns
 * CLI_RUNTIME. */
int cli_output_open(cli_output *o, const char *cmd, const char *path);
/* Closes the output: on success renames the temporary file into place,
 * after a write error discards it. Returns CLI_OK, or prints the error and
 * returns CLI_RUNTIME. */
int cli_output_close(cli_output *o, const char *cmd);

/* Flushes stdout; on a write error prints it and returns CLI_RUNTIME. */
int cli_flush_stdout(void);

#endif
