/* `mlops drift`: compares the rows of a current CSV file with a reference
 * (a CSV file, or a profile saved earlier) column by column and says
 * whether the data drifted. Both files are streamed batch by batch into
 * profiles, so files larger than memory work; the reference's histogram
 * bins, the methods, thresholds and verdicts are the library's
 * (mlops_profile_fix_bins(), mlops_drift_monitor_compare()). Parsing,
 * calling and printing only. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "drift_print.h"

int cmd_drift(int argc, char **argv);

static const char CMD[] = "drift";

/* The data set drifted and --fail-on-drift was given (the report was
 * printed). */
enum { CLI_DRIFTED = 1 };

static int drift_usage(FILE *out)
{
    fputs("usage: mlops drift (--reference FILE | --reference-profile PROFILE) --current FILE\n"
          "                   [--column NAME=METHOD[:THRESHOLD]]... [--method METHOD[:THRESHOLD]]\n"
          "                   [--correction none|bonferroni|benjamini_hochberg]\n"
          "                   [--drift-share X] [--bins N] [--save-reference PROFILE]\n"
          "                   [--delimiter C] [--json] [--html FILE] [--fail-on-drift]\n"
          "\n"
          "Compares the CSV file of --current (plain or gzip) with a reference, column\n"
          "by column, and says which columns and whether the data set drifted. Both\n"
          "files are read batch by batch, so they may be larger than memory; the\n"
          "current file must hold every column of the reference and is read with the\n"
          "reference's column types.\n"
          "\n"
          "  --reference FILE          the reference data, a CSV file\n"
          "  --reference-profile PROFILE\n"
          "                            a reference profile saved by --save-reference\n"
          "  --current FILE            the data to check\n"
          "  --column NAME=METHOD[:THRESHOLD]\n"
          "                            method (and threshold) of one column (repeatable):\n"
          "                            ks, wasserstein, psi, jensen_shannon, hellinger,\n"
          "                            kl, chi2, z, auto or skip\n"
          "  --method METHOD[:THRESHOLD]\n"
          "                            method of every column not named by --column\n"
          "  --correction C            multiple-testing correction of the p-values:\n"
          "                            none, bonferroni or benjamini_hochberg (default)\n"
          "  --drift-share X           share of drifted columns that makes the data set\n"
          "                            drift, in (0, 1] (default 0.5)\n"
          "  --bins N                  quantile bins of each numeric reference column\n"
          "                            (default 10; not with --reference-profile)\n"
          "  --save-reference PROFILE  save the reference profile, for --reference-profile\n"
          "  --delimiter C             field delimiter of both files: one character, 'tab'\n"
          "                            or 'auto' (default ',')\n"
          "  --json                    print the drift report as JSON\n"
          "  --html FILE               also write the report as a self-contained HTML page\n"
          "  --fail-on-drift           exit with status 1 when the data set drifted\n"
          "\n"
          "Exit status: 0 success, 1 drift with --fail-on-drift, 2 usage error,\n"
          "3 failure. See mlops(1).\n",
          out);
    return out == stderr ? CLI_USAGE : CLI_OK;
}

typedef struct drift_opts {
    const char *reference, *reference_profile, *current, *save_reference, *html;
    const char *method, *correction, *drift_share, *bins, *delimiter;
    const char **columns; /* argc entries */
    size_t ncolumns;
    int json, fail_on_drift;
} drift_opts;

static int parse(int argc, char **argv, drift_opts *o, int *help)
{
    cli_args a;
    cli_args_init(&a, CMD, argc, argv);
    while (cli_args_next(&a)) {
        int rc = CLI_OK;
        const char *v = NULL;
        if (cli_args_is(&a, "--help") || cli_args_is(&a, "-h")) {
            *help = 1;
            return CLI_OK;
        } else if (cli_args_is(&a, "--json")) {
            rc = cli_args_flag(&a);
            o->json = 1;
        } else if (cli_args_is(&a, "--fail-on-drift")) {
            rc = cli_args_flag(&a);
            o->fail_on_drift = 1;
        } else if (cli_args_is(&a, "--reference")) {
            rc = cli_args_value(&a, &o->reference);
        } else if (cli_args_is(&a, "--reference-profile")) {
            rc = cli_args_value(&a, &o->reference_profile);
        } else if (cli_args_is(&a, "--current")) {
            rc = cli_args_value(&a, &o->current);
        } else if (cli_args_is(&a, "--save-reference")) {
            rc = cli_args_value(&a, &o->save_reference);
        } else if (cli_args_is(&a, "--html")) {
            rc = cli_args_value(&a, &o->html);
        } else if (cli_args_is(&a, "--method")) {
            rc = cli_args_value(&a, &o->method);
        } else if (cli_args_is(&a, "--correction")) {
            rc = cli_args_value(&a, &o->correction);
        } else if (cli_args_is(&a, "--drift-share")) {
            rc = cli_args_value(&a, &o->drift_share);
        } else if (cli_args_is(&a, "--bins")) {
            rc = cli_args_value(&a, &o->bins);
        } else if (cli_args_is(&a, "--delimiter")) {
            rc = cli_args_value(&a, &o->delimiter);
        } else if (cli_args_is(&a, "--column")) {
            if ((rc = cli_args_value(&a, &v)) == CLI_OK) o->columns[o->ncolumns++] = v;
        } else if (cli_args_is_option(&a)) {
            return cli_usage_error(CMD, "unknown option '%s'", a.arg);
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a.arg);
        }
        if (rc != CLI_OK) return rc;
    }
    if (o->reference != NULL && o->reference_profile != NULL)
        return cli_usage_error(CMD, "give either --reference or --reference-profile, not both");
    if (o->reference == NULL && o->reference_profile == NULL)
        return cli_usage_error(CMD, "missing required option --reference (or "
                               "--reference-profile)");
    if (o->current == NULL) return cli_usage_error(CMD, "missing required option --current");
    if (o->bins != NULL && o->reference_profile != NULL)
        return cli_usage_error(CMD, "--bins needs --reference: the bins of a saved profile "
                               "are fixed");
    return CLI_OK;
}

/* ---- methods and settings -------------------------------------------------- */

/* Splits "METHOD[:THRESHOLD]" (given to `option`) into a new string
 * *method (freed with free()) and *threshold, NaN when absent (the
 * method's default). Returns an exit status. */
static int split_method(const char *option, const char *spec, char **method, double *threshold)
{
    const char *colon = strchr(spec, ':');
    size_t n = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
    *threshold = NAN;
    if (n == 0) return cli_usage_error(CMD, "%s '%s': no method given", option, spec);
    if (colon != NULL) {
        char *end = NULL;
        errno = 0;
        double t = strtod(colon + 1, &end);
        /* "nan" would silently mean the default threshold */
        if (colon[1] == '\0' || *end != '\0' || errno == ERANGE || isnan(t))
            return cli_usage_error(CMD, "%s '%s': threshold '%s' is not a number", option, spec,
                                   colon + 1);
        *threshold = t;
    }
    *method = malloc(n + 1);
    if (*method == NULL) return cli_runtime_msg(CMD, "out of memory");
    memcpy(*method, spec, n);
    (*method)[n] = '\0';
    return CLI_OK;
}

/* A library refusal of an option's value: a usage error in its words. */
static int refused(int rc, const char *option, const char *value)
{
    if (rc == MLOPS_ENOMEM) return cli_runtime_error();
    return cli_usage_error(CMD, "%s %s: %s", option, value, mlops_last_error());
}

/* One --column NAME=METHOD[:THRESHOLD]. With `check_only` only the method
 * and threshold are checked (by setting them for every column of a
 * stand-in reference): the real columns are not known yet. */
static int apply_column(mlops_drift_monitor *m, const char *spec, int check_only)
{
    const char *eq = strrchr(spec, '=');
    if (eq == NULL || eq == spec)
        return cli_usage_error(CMD, "--column '%s' is not NAME=METHOD[:THRESHOLD]", spec);
    size_t n = (size_t)(eq - spec);
    char *name = malloc(n + 1), *method = NULL;
    if (name == NULL) return cli_runtime_msg(CMD, "out of memory");
    memcpy(name, spec, n);
    name[n] = '\0';
    double threshold;
    int status = split_method("--column", eq + 1, &method, &threshold);
    if (status == CLI_OK) {
        int rc = check_only ? mlops_drift_monitor_set_method(m, method, threshold)
                            : mlops_drift_monitor_set_column(m, name, method, threshold);
        if (rc != MLOPS_OK) status = refused(rc, "--column", spec);
    }
    free(method);
    free(name);
    return status;
}

/* Gives the monitor every setting of the options (see apply_column() for
 * `check_only`). */
static int configure(mlops_drift_monitor *m, const drift_opts *o, int check_only)
{
    int status = CLI_OK;
    if (o->method != NULL) {
        char *method = NULL;
        double threshold;
        status = split_method("--method", o->method, &method, &threshold);
        if (status == CLI_OK) {
            int rc = mlops_drift_monitor_set_method(m, method, threshold);
            if (rc != MLOPS_OK) status = refused(rc, "--method", o->method);
        }
        free(method);
    }
    for (size_t i = 0; status == CLI_OK && i < o->ncolumns; i++)
        status = apply_column(m, o->columns[i], check_only);
    if (status == CLI_OK && o->correction != NULL) {
        int rc = mlops_drift_monitor_set_param(m, "correction", o->correction);
        if (rc != MLOPS_OK) status = refused(rc, "--correction", o->correction);
    }
    if (status == CLI_OK && o->drift_share != NULL) {
        int rc = mlops_drift_monitor_set_param(m, "drift_share", o->drift_share);
        if (rc != MLOPS_OK) status = refused(rc, "--drift-share", o->drift_share);
    }
    return status;
}

/* Checks every option value with the library before any file is read, so
 * a mistake in them is reported as such (status 2) without first reading
 * what may be a very large file: the settings are tried on a stand-in
 * reference of one value. */
static int check_options(const drift_opts *o)
{
    int status = CLI_OK;
    if (o->delimiter != NULL) {
        mlops_csv_options *check = NULL;
        int rc = mlops_csv_options_create(&check);
        if (rc == MLOPS_OK) rc = mlops_csv_options_set(check, "delimiter", o->delimiter);
        mlops_csv_options_free(check);
        if (rc != MLOPS_OK) return refused(rc, "--delimiter", o->delimiter);
    }
    mlops_profile *p = NULL;
    mlops_dataset *d = NULL;
    mlops_drift_monitor *m = NULL;
    static const double value = 0.0;
    static const char *const names[] = {"x"};
    int rc = mlops_profile_create(&p);
    if (rc == MLOPS_OK && o->bins != NULL) {
        rc = mlops_profile_set(p, "bins", o->bins);
        if (rc != MLOPS_OK) status = refused(rc, "--bins", o->bins);
    }
    if (status == CLI_OK) {
        if (rc == MLOPS_OK) rc = mlops_dataset_from_matrix(&d, &value, 1, 1, 0, names);
        if (rc == MLOPS_OK) rc = mlops_profile_add(p, d);
        if (rc == MLOPS_OK) rc = mlops_profile_fix_bins(p);
        if (rc == MLOPS_OK) rc = mlops_drift_monitor_create(&m, p);
        status = rc == MLOPS_OK ? configure(m, o, 1) : cli_runtime_error();
    }
    mlops_drift_monitor_free(m);
    mlops_dataset_free(d);
    mlops_profile_free(p);
    return status;
}

/* ---- reading --------------------------------------------------------------- */

/* Reader settings for one file: the delimiter and, with `schema`, the type
 * of every column of the reference, so that both files give batches of
 * the same column types whatever their first rows look like. */
static int reader_options(const drift_opts *o, const mlops_profile *schema,
                          cli_progress *progress, mlops_csv_options **out)
{
    mlops_csv_options *opts = NULL;
    int rc = mlops_csv_options_create(&opts);
    if (rc == MLOPS_OK && o->delimiter != NULL)
        rc = mlops_csv_options_set(opts, "delimiter", o->delimiter);
    size_t ncols = schema != NULL ? mlops_profile_cols(schema) : 0;
    for (size_t c = 0; rc == MLOPS_OK && c < ncols; c++) {
        const char *name = mlops_profile_column_name(schema, c);
        size_t len = strlen(name) + sizeof "type.";
        char *key = malloc(len);
        if (key == NULL) {
            rc = MLOPS_ENOMEM;
            break;
        }
        snprintf(key, len, "type.%s", name);
        rc = mlops_csv_options_set(opts, key,
                                   mlops_type_name(mlops_profile_column_type(schema, c)));
        free(key);
    }
    if (rc == MLOPS_OK && progress->enabled)
        rc = mlops_csv_options_set_progress(opts, cli_progress_bytes, progress);
    if (rc != MLOPS_OK) {
        mlops_csv_options_free(opts);
        return rc == MLOPS_ENOMEM ? cli_runtime_msg(CMD, "out of memory") : cli_runtime_error();
    }
    *out = opts;
    return CLI_OK;
}

/* The reader refused the type settings of the reference's columns: one of
 * them is not in `path`. Says which, with the nearest name the file has
 * (found from its header and first row). */
static int missing_column(const drift_opts *o, const char *path, const mlops_profile *schema)
{
    size_t len = strlen(mlops_last_error()) + 1;
    char *why = malloc(len);
    if (why != NULL) memcpy(why, mlops_last_error(), len);
    mlops_csv_options *opts = NULL;
    mlops_csv_reader *reader = NULL;
    mlops_dataset *head = NULL;
    int status = CLI_OK;
    int rc = mlops_csv_options_create(&opts);
    if (rc == MLOPS_OK && o->delimiter != NULL)
        rc = mlops_csv_options_set(opts, "delimiter", o->delimiter);
    if (rc == MLOPS_OK) rc = mlops_csv_options_set(opts, "batch_rows", "1");
    if (rc == MLOPS_OK) rc = mlops_csv_reader_open(&reader, path, opts);
    if (rc == MLOPS_OK) rc = mlops_csv_reader_next(reader, &head);
    for (size_t c = 0; rc == MLOPS_OK && head != NULL && c < mlops_profile_cols(schema); c++) {
        size_t j;
        const char *name = mlops_profile_column_name(schema, c);
        if (mlops_dataset_column_index(head, name, &j) == MLOPS_ENOTFOUND) {
            status = cli_runtime_msg(CMD, "the current data lacks column '%s' of the reference: "
                                     "%s", name, mlops_last_error());
            break;
        }
    }
    if (status == CLI_OK) status = cli_runtime_msg(CMD, "%s", why != NULL ? why : "out of memory");
    mlops_dataset_free(head);
    mlops_csv_reader_free(reader);
    mlops_csv_options_free(opts);
    free(why);
    return status;
}

/* Where each reference column is in the batches of a file (*cols, freed
 * with free()); *select is 0 when the batches already have exactly the
 * reference's columns in its order. */
static int map_columns(const mlops_dataset *batch, const mlops_profile *schema, size_t **cols,
                       int *select)
{
    size_t n = mlops_profile_cols(schema);
    *cols = malloc((n ? n : 1) * sizeof **cols);
    if (*cols == NULL) return MLOPS_ENOMEM;
    *select = n != mlops_dataset_cols(batch);
    for (size_t c = 0; c < n; c++) {
        int rc = mlops_dataset_column_index(batch, mlops_profile_column_name(schema, c),
                                            &(*cols)[c]);
        if (rc != MLOPS_OK) return rc;
        if ((*cols)[c] != c) *select = 1;
    }
    return MLOPS_OK;
}

/* Streams the CSV file `path` batch by batch into `p`. With `schema` (the
 * reference profile) every column it has is read with its type, and only
 * those columns, in its order, reach `p`. Returns an exit status. */
static int stream_file(const drift_opts *o, const char *path, const mlops_profile *schema,
                       const char *label, mlops_profile *p)
{
    mlops_csv_options *opts = NULL;
    mlops_csv_reader *reader = NULL;
    size_t *cols = NULL;
    int select = 0;
    cli_progress progress;
    cli_progress_init(&progress, label);
    int status = reader_options(o, schema, &progress, &opts);
    if (status != CLI_OK) return status;
    int rc = mlops_csv_reader_open(&reader, path, opts);
    if (rc == MLOPS_EINVAL && schema != NULL) {
        cli_progress_end(&progress);
        mlops_csv_options_free(opts);
        return missing_column(o, path, schema);
    }
    while (rc == MLOPS_OK) {
        mlops_dataset *batch = NULL, *part = NULL;
        rc = mlops_csv_reader_next(reader, &batch);
        if (rc != MLOPS_OK || batch == NULL) break;
        if (schema != NULL && cols == NULL) rc = map_columns(batch, schema, &cols, &select);
        if (rc == MLOPS_OK && select)
            rc = mlops_dataset_select_columns(&part, batch, cols, mlops_profile_cols(schema));
        if (rc == MLOPS_OK) rc = mlops_profile_add(p, part != NULL ? part : batch);
        mlops_dataset_free(part);
        mlops_dataset_free(batch);
    }
    cli_progress_end(&progress);
    free(cols);
    mlops_csv_reader_free(reader);
    mlops_csv_options_free(opts);
    return rc == MLOPS_OK ? CLI_OK : cli_runtime_error();
}

/* ---- the reference --------------------------------------------------------- */

/* Whether some column's histogram was estimated from its quantile sketch
 * (1), not (0), or a negative library code. */
static int any_estimated(const mlops_profile *p)
{
    for (size_t c = 0; c < mlops_profile_cols(p); c++) {
        int flags = mlops_profile_column_flags(p, c);
        if (flags < 0) return flags;
        if (flags & MLOPS_PROFILE_HISTOGRAM_ESTIMATED) return 1;
    }
    return 0;
}

/* Profiles the reference CSV file and fixes its bins. When a column held
 * more values than the profile keeps (its histogram then estimated), the
 * file is read a second time into a profile with the same bins, whose
 * counts are exact. */
static int profile_reference(const drift_opts *o, mlops_profile **out)
{
    mlops_profile *first = NULL, *second = NULL;
    if (mlops_profile_create(&first) != MLOPS_OK) return cli_runtime_error();
    int status = CLI_OK;
    if (o->bins != NULL && mlops_profile_set(first, "bins", o->bins) != MLOPS_OK)
        status = cli_usage_library(CMD);
    if (status == CLI_OK) status = stream_file(o, o->reference, NULL, "reading reference", first);
    if (status == CLI_OK && mlops_profile_fix_bins(first) != MLOPS_OK)
        status = cli_runtime_error();
    int estimated = status == CLI_OK ? any_estimated(first) : 0;
    if (estimated < 0) status = cli_runtime_error();
    if (estimated > 0) {
        if (mlops_profile_create_like(&second, first) != MLOPS_OK) status = cli_runtime_error();
        else status = stream_file(o, o->reference, first, "reading reference again", second);
        mlops_profile_free(first);
        first = second;
    }
    if (status != CLI_OK) {
        mlops_profile_free(first);
        return status;
    }
    *out = first;
    return CLI_OK;
}

/* Loads a saved reference profile; one saved before its bins were fixed
 * gets them fixed now, from what it holds. */
static int load_reference(const char *path, mlops_profile **out)
{
    mlops_profile *p = NULL;
    if (mlops_profile_load(&p, path) != MLOPS_OK) return cli_runtime_error();
    if (!mlops_profile_has_bins(p) && mlops_profile_fix_bins(p) != MLOPS_OK) {
        mlops_profile_free(p);
        return cli_runtime_error();
    }
    *out = p;
    return CLI_OK;
}

/* ---- comparing ------------------------------------------------------------- */

/* Profiles the current file on the reference's bins, cheaply (no distinct
 * counts or duplicate rows: the comparison does not use them). */
static int profile_current(const drift_opts *o, const mlops_profile *reference,
                           mlops_profile **out)
{
    mlops_profile *p = NULL;
    if (mlops_profile_create_like(&p, reference) != MLOPS_OK ||
        mlops_profile_set(p, "quality", "0") != MLOPS_OK) {
        mlops_profile_free(p);
        return cli_runtime_error();
    }
    int status = stream_file(o, o->current, reference, "reading current", p);
    if (status != CLI_OK) {
        mlops_profile_free(p);
        return status;
    }
    *out = p;
    return CLI_OK;
}

static int write_html(const mlops_drift_report *r, const char *path)
{
    char *html = NULL;
    int rc = mlops_drift_report_html(r, NULL, NULL, &html);
    if (rc == MLOPS_OK) rc = mlops_html_save(html, path);
    mlops_free(html);
    return rc == MLOPS_OK ? CLI_OK : cli_runtime_error();
}

static int print_json(const mlops_drift_report *r)
{
    char *json = NULL;
    if (mlops_drift_report_json(r, &json) != MLOPS_OK) return cli_runtime_error();
    size_t n = strlen(json);
    fputs(json, stdout);
    if (n == 0 || json[n - 1] != '\n') fputc('\n', stdout);
    mlops_free(json);
    return CLI_OK;
}

static int run(const drift_opts *o)
{
    mlops_profile *ref = NULL, *cur = NULL;
    mlops_drift_monitor *m = NULL;
    mlops_drift_report *r = NULL;

    cli_install_logger();
    int status = check_options(o);
    if (status == CLI_OK)
        status = o->reference != NULL ? profile_reference(o, &ref)
                                      : load_reference(o->reference_profile, &ref);
    if (status == CLI_OK && o->save_reference != NULL &&
        mlops_profile_save(ref, o->save_reference) != MLOPS_OK)
        status = cli_runtime_error();
    /* the settings go to the monitor before the current file is read, so a
     * --column naming no reference column stops before that work */
    if (status == CLI_OK && mlops_drift_monitor_create(&m, ref) != MLOPS_OK)
        status = cli_runtime_error();
    if (status == CLI_OK) status = configure(m, o, 0);
    if (status == CLI_OK) status = profile_current(o, ref, &cur);
    if (status == CLI_OK && mlops_drift_monitor_compare(m, cur, &r) != MLOPS_OK)
        status = cli_runtime_error();
    if (status == CLI_OK && o->html != NULL) status = write_html(r, o->html);
    if (status == CLI_OK) {
        if (o->json) {
            status = print_json(r);
        } else {
            drift_header h = {o->reference != NULL ? o->reference : o->reference_profile,
                              o->reference == NULL, o->current, o->save_reference};
            status = drift_print_text(stdout, ref, r, &h);
        }
        if (status == CLI_OK) status = cli_flush_stdout();
    }
    if (status == CLI_OK && o->fail_on_drift && mlops_drift_report_dataset_drift(r, NULL) == 1)
        status = CLI_DRIFTED;
    mlops_drift_report_free(r);
    mlops_drift_monitor_free(m);
    mlops_profile_free(cur);
    mlops_profile_free(ref);
    return status;
}

int cmd_drift(int argc, char **argv)
{
    drift_opts o;
    memset(&o, 0, sizeof o);
    o.columns = malloc((argc > 0 ? (size_t)argc : 1) * sizeof *o.columns);
    if (o.columns == NULL) return cli_runtime_msg(CMD, "out of memory");
    int help = 0;
    int status = parse(argc, argv, &o, &help);
    if (status == CLI_OK) status = help ? drift_usage(stdout) : run(&o);
    free(o.columns);
    return status;
}
