/* `mlops predict`: loads a model, reads raw rows from a CSV file and writes
 * one CSV row of predictions per input row (class labels or values, and
 * class probabilities on request). The model replays its own
 * preprocessing; this file only reads, calls and prints. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"

int cmd_predict(int argc, char **argv);

static const char CMD[] = "predict";

static int predict_usage(FILE *out)
{
    fputs("usage: mlops predict --model MODEL --data FILE [--proba] [--out FILE]\n"
          "                     [--id COL] [--delimiter C] [--registry DIR]\n"
          "                     [--decision-log FILE]\n"
          "\n"
          "Predicts for every row of the CSV file FILE (plain or gzip, with a header\n"
          "row holding the model's input columns in any order) and writes CSV with a\n"
          "header: the column 'prediction' (the class label, or the value for a\n"
          "regression model) and with --proba one column 'proba_<class>' per class.\n"
          "\n"
          "  --model MODEL   a model saved by 'mlops train'\n"
          "  --data FILE     the rows to predict\n"
          "  --proba         add the probability of each class (classifiers only)\n"
          "  --out FILE      write to FILE instead of standard output\n"
          "  --id COL        copy column COL of FILE in front of the predictions\n"
          "  --delimiter C   field delimiter of FILE: one character, 'tab' or 'auto'\n"
          "  --registry DIR  take MODEL from this registry: NAME, NAME@ALIAS or\n"
          "                  NAME@VERSION (the stored file is checked before use)\n"
          "  --decision-log FILE\n"
          "                  append one record per row to this decision log (created\n"
          "                  when missing): model version, input fingerprint, prediction,\n"
          "                  time; written and flushed before any prediction is printed\n"
          "\n"
          "Exit status: 0 success, 2 usage error, 3 failure. See mlops(1).\n",
          out);
    return out == stderr ? CLI_USAGE : CLI_OK;
}

typedef struct predict_opts {
    const char *model, *data, *out, *id, *delimiter, *registry, *decision_log;
    int proba;
} predict_opts;

static int parse(int argc, char **argv, predict_opts *o, int *help)
{
    cli_args a;
    cli_args_init(&a, CMD, argc, argv);
    while (cli_args_next(&a)) {
        int rc = CLI_OK;
        if (cli_args_is(&a, "--help") || cli_args_is(&a, "-h")) {
            *help = 1;
            return CLI_OK;
        } else if (cli_args_is(&a, "--proba")) {
            rc = cli_args_flag(&a);
            o->proba = 1;
        } else if (cli_args_is(&a, "--model")) {
            rc = cli_args_value(&a, &o->model);
        } else if (cli_args_is(&a, "--data")) {
            rc = cli_args_value(&a, &o->data);
        } else if (cli_args_is(&a, "--out")) {
            rc = cli_args_value(&a, &o->out);
        } else if (cli_args_is(&a, "--id")) {
            rc = cli_args_value(&a, &o->id);
        } else if (cli_args_is(&a, "--delimiter")) {
            rc = cli_args_value(&a, &o->delimiter);
        } else if (cli_args_is(&a, "--registry")) {
            rc = cli_args_value(&a, &o->registry);
        } else if (cli_args_is(&a, "--decision-log")) {
            rc = cli_args_value(&a, &o->decision_log);
        } else if (cli_args_is_option(&a)) {
            return cli_usage_error(CMD, "unknown option '%s'", a.arg);
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a.arg);
        }
        if (rc != CLI_OK) return rc;
    }
    if (o->model == NULL) return cli_usage_error(CMD, "missing required option --model");
    if (o->data == NULL) return cli_usage_error(CMD, "missing required option --data");
    return CLI_OK;
}


/* Writes the value of column `col` at `row` as a CSV field. */
static void write_cell(FILE *f, const mlops_dataset *d, size_t col, size_t row)
{
    if (mlops_dataset_is_missing(d, col, row) != 0) return;
    if (mlops_dataset_column_type(d, col) == MLOPS_NUMERIC) {
        double v = 0;
        char buf[CLI_NUMBER_BUFSIZE];
        mlops_dataset_get_numeric(d, col, row, 1, &v);
        cli_format_number(v, buf);
        fputs(buf, f);
    } else {
        int32_t code = -1;
        mlops_dataset_get_codes(d, col, row, 1, &code);
        const char *s = mlops_dataset_category(d, col, code);
        cli_csv_field(f, s ? s : "");
    }
}

static void write_header(FILE *f, const mlops_model *m, const predict_opts *o)
{
    if (o->id != NULL) {
        cli_csv_field(f, o->id);
        fputc(',', f);
    }
    fputs("prediction", f);
    for (size_t k = 0; o->proba && k < mlops_model_class_count(m); k++) {
        const char *label = mlops_model_class_label(m, k);
        size_t len = strlen(label) + sizeof "proba_";
        char *name = malloc(len);
        fputc(',', f);
        if (name == NULL) {
            fputs("proba_", f);
            cli_csv_field(f, label);
            continue;
        }
        snprintf(name, len, "proba_%s", label);
        cli_csv_field(f, name);
        free(name);
    }
    fputc('\n', f);
}

static void write_rows(FILE *f, const mlops_model *m, const mlops_dataset *d, size_t idcol,
                       const predict_opts *o, const double *value, const double *proba)
{
    size_t rows = mlops_dataset_rows(d), k = mlops_model_class_count(m);
    char buf[CLI_NUMBER_BUFSIZE];
    for (size_t r = 0; r < rows; r++) {
        if (o->id != NULL) {
            write_cell(f, d, idcol, r);
            fputc(',', f);
        }
        const char *label = k > 0 ? mlops_model_class_label(m, (size_t)value[r]) : NULL;
        if (label != NULL) {
            cli_csv_field(f, label);
        } else {
            cli_format_number(value[r], buf);
            fputs(buf, f);
        }
        for (size_t c = 0; proba != NULL && c < k; c++) {
            cli_format_number(proba[r * k + c], buf);
            fputc(',', f);
            fputs(buf, f);
        }
        fputc('\n', f);
    }
}

/* Runs both predictions into new arrays (*proba only with --proba). */
static int predict_all(const mlops_model *m, const mlops_dataset *d, int want_proba,
                       double **value, double **proba)
{
    size_t rows = mlops_dataset_rows(d), k = mlops_model_class_count(m);
    *value = malloc((rows ? rows : 1) * sizeof **value);
    if (*value == NULL) return cli_runtime_msg(CMD, "out of memory");
    if (mlops_model_predict(m, d, MLOPS_PREDICT_VALUE, *value, rows) != MLOPS_OK)
        return cli_runtime_error();
    if (!want_proba) return CLI_OK;
    if (k != 0 && rows > SIZE_MAX / sizeof **proba / k)
        return cli_runtime_msg(CMD, "%zu rows x %zu classes is too large", rows, k);
    size_t n = rows * k;
    *proba = malloc((n > 0 ? n : 1) * sizeof **proba);
    if (*proba == NULL) return cli_runtime_msg(CMD, "out of memory");
    if (mlops_model_predict(m, d, MLOPS_PREDICT_PROBA, *proba, n) != MLOPS_OK)
        return cli_runtime_error();
    return CLI_OK;
}

static int write_output(const mlops_model *m, const mlops_dataset *d, size_t idcol,
                        const predict_opts *o, const double *value, const double *proba)
{
    if (o->out == NULL) {
        write_header(stdout, m, o);
        write_rows(stdout, m, d, idcol, o, value, proba);
        return cli_flush_stdout();
    }
    cli_output out;
    int status = cli_output_open(&out, CMD, o->out);
    if (status != CLI_OK) return status;
    write_header(out.f, m, o);
    write_rows(out.f, m, d, idcol, o, value, proba);
    return cli_output_close(&out, CMD);
}

/* The model from a file, or with --registry the one MODEL names there. */
static int load_model(const predict_opts *o, mlops_model **m)
{
    if (o->registry == NULL) return mlops_model_load(m, o->model);
    mlops_registry *reg = NULL;
    int rc = mlops_registry_open(&reg, o->registry, 0);
    if (rc == MLOPS_OK) rc = mlops_registry_load_model(reg, o->model, m);
    mlops_registry_free(reg);
    return rc;
}

/* One decision record per row, each output as the CSV shows it. */
static int record_decisions(const predict_opts *o, const mlops_model *m, const mlops_dataset *d,
                            const double *value)
{
    size_t rows = mlops_dataset_rows(d), k = mlops_model_class_count(m);
    const char **outputs = malloc((rows ? rows : 1) * sizeof *outputs);
    char *numbers = k == 0 ? malloc((rows ? rows : 1) * CLI_NUMBER_BUFSIZE) : NULL;
    if (outputs == NULL || (k == 0 && numbers == NULL)) {
        free(outputs);
        free(numbers);
        return cli_runtime_msg(CMD, "out of memory");
    }
    for (size_t r = 0; r < rows; r++) {
        if (k > 0) {
            const char *label = mlops_model_class_label(m, (size_t)value[r]);
            outputs[r] = label != NULL ? label : "";
        } else {
            cli_format_number(value[r], numbers + r * CLI_NUMBER_BUFSIZE);
            outputs[r] = numbers + r * CLI_NUMBER_BUFSIZE;
        }
    }
    mlops_decision_log *log = NULL;
    int rc = mlops_decision_log_open(&log, o->decision_log);
    if (rc == MLOPS_OK) rc = mlops_decision_log_record_dataset(log, m, o->model, d, outputs);
    mlops_decision_log_free(log);
    free(outputs);
    free(numbers);
    return rc == MLOPS_OK ? CLI_OK : cli_runtime_error();
}

static int run(const predict_opts *o)
{
    mlops_model *m = NULL;
    mlops_dataset *d = NULL;
    double *value = NULL, *proba = NULL;
    size_t idcol = 0;
    int status = CLI_OK;

    cli_install_logger();
    if (o->delimiter != NULL) {
        mlops_csv_options *check = NULL;
        int rc = mlops_csv_options_create(&check);
        if (rc == MLOPS_OK) rc = mlops_csv_options_set(check, "delimiter", o->delimiter);
        mlops_csv_options_free(check);
        if (rc != MLOPS_OK) return rc == MLOPS_ENOMEM ? cli_runtime_error() : cli_usage_library(CMD);
    }
    if (load_model(o, &m) != MLOPS_OK) return cli_runtime_error();
    if (o->proba && mlops_model_class_count(m) == 0) {
        status = cli_usage_error(CMD, "--proba needs a classifier; '%s' is a %s model", o->model,
                                 mlops_model_kind(m));
    }
    if (status == CLI_OK) status = cli_read_model_rows(CMD, m, o->data, o->delimiter, &d);
    if (status == CLI_OK && o->id != NULL && mlops_dataset_column_index(d, o->id, &idcol) != MLOPS_OK)
        status = cli_runtime_msg(CMD, "--id %s: %s", o->id, mlops_last_error());
    if (status == CLI_OK) status = predict_all(m, d, o->proba, &value, &proba);
    if (status == CLI_OK && o->decision_log != NULL) status = record_decisions(o, m, d, value);
    if (status == CLI_OK) status = write_output(m, d, idcol, o, value, proba);
    free(value);
    free(proba);
    mlops_dataset_free(d);
    mlops_model_free(m);
    return status;
}

int cmd_predict(int argc, char **argv)
{
    predict_opts o;
    memset(&o, 0, sizeof o);
    int help = 0;
    int status = parse(argc, argv, &o, &help);
    if (status != CLI_OK) return status;
    return help ? predict_usage(stdout) : run(&o);
}
