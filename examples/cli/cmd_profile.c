/* `mlops profile FILE [--json] [--delimiter C]`: streams a CSV file batch by
 * batch into an mlops_profile (so files larger than memory work) and prints
 * one line per column, or the profile's JSON. Parsing and printing only. */
#include <stdio.h>
#include <string.h>

#include <mlops.h>

#include "cli_json.h"

int cmd_profile(int argc, char **argv);

static int profile_usage(FILE *out)
{
    fputs("usage: mlops profile FILE [--json] [--delimiter C]\n"
          "\n"
          "Profiles the CSV file FILE (plain or gzip) in constant memory: per column\n"
          "the count, missing values, distinct values, range and mean or the most\n"
          "frequent category; per file the rows and duplicate rows.\n"
          "\n"
          "  --json          print the whole profile as JSON\n"
          "  --delimiter C   field delimiter: one character, 'tab' or 'auto'\n"
          "                  (default ',')\n",
          out);
    return out == stderr ? 2 : 0;
}

static int fail(void)
{
    fprintf(stderr, "mlops: %s\n", mlops_last_error());
    return 3; /* a runtime failure, as for every command (see mlops(1)) */
}

/* Reads FILE in batches into *out. */
static int build_profile(const char *path, const char *delimiter, mlops_profile **out)
{
    mlops_csv_options *opts = NULL;
    mlops_csv_reader *reader = NULL;
    mlops_profile *p = NULL;
    int rc = mlops_csv_options_create(&opts);
    if (rc == MLOPS_OK && delimiter) rc = mlops_csv_options_set(opts, "delimiter", delimiter);
    if (rc == MLOPS_OK) rc = mlops_csv_reader_open(&reader, path, opts);
    if (rc == MLOPS_OK) rc = mlops_profile_create(&p);
    while (rc == MLOPS_OK) {
        mlops_dataset *batch = NULL;
        rc = mlops_csv_reader_next(reader, &batch);
        if (rc != MLOPS_OK || batch == NULL) break;
        rc = mlops_profile_add(p, batch);
        mlops_dataset_free(batch);
    }
    mlops_csv_reader_free(reader);
    mlops_csv_options_free(opts);
    if (rc != MLOPS_OK) {
        mlops_profile_free(p);
        return rc;
    }
    *out = p;
    return MLOPS_OK;
}

/* Prints the profile's JSON. The contract of `mlops profile --json` (see
 * mlops(1)) gives every column "min", "max", "mean" and "std"; the profile
 * has none for a categorical column, so they are added there as null. */
static void print_json(const char *text)
{
    static const char *const stats[] = {"min", "max", "mean", "std"};
    const char *columns = cli_json_find(text, "columns"), *from = text;
    for (size_t i = 0; columns != NULL; i++) {
        const char *col = cli_json_item(columns, i), *end = cli_json_end(col);
        if (end == NULL || *col != '{') break;
        /* the separator before each member, as the profile indents it */
        const char *first = col + 1;
        while (*first == ' ' || *first == '\t' || *first == '\r' || *first == '\n') first++;
        const char *close = end - 1;
        while (close > first && strchr(" \t\r\n", close[-1]) != NULL) close--;
        if (close == first) continue; /* an empty object */
        fwrite(from, 1, (size_t)(close - from), stdout);
        for (size_t k = 0; k < sizeof stats / sizeof stats[0]; k++)
            if (cli_json_find(col, stats[k]) == NULL)
                printf(",%.*s\"%s\": null", (int)(first - col - 1), col + 1, stats[k]);
        from = close;
    }
    fputs(from, stdout);
}

static void print_names(const mlops_profile *p, int flag)
{
    int any = 0;
    for (size_t c = 0; c < mlops_profile_cols(p); c++) {
        int flags = mlops_profile_column_flags(p, c);
        if (flags < 0 || !(flags & flag)) continue;
        printf("%s%s", any ? ", " : "", mlops_profile_column_name(p, c));
        any = 1;
    }
    puts(any ? "" : "none");
}

static int print_table(const mlops_profile *p, const char *path)
{
    uint64_t dups;
    int exact;
    if (mlops_profile_duplicate_rows(p, &dups, &exact) != MLOPS_OK) return fail();
    printf("file: %s\nrows: %llu  columns: %zu  duplicate rows: %s%llu\n", path,
           (unsigned long long)mlops_profile_rows(p), mlops_profile_cols(p), exact ? "" : "~",
           (unsigned long long)dups);
    printf("constant columns: ");
    print_names(p, MLOPS_PROFILE_CONSTANT);
    printf("all-missing columns: ");
    print_names(p, MLOPS_PROFILE_ALL_MISSING);

    int width = 6;
    for (size_t c = 0; c < mlops_profile_cols(p); c++) {
        int len = (int)strlen(mlops_profile_column_name(p, c));
        if (len > width) width = len;
    }
    printf("\n%-*s  %-11s  %8s  %8s  %8s  %-10s %-10s %s\n", width, "column", "type", "count",
           "missing", "distinct", "min", "mean", "max / top category");
    for (size_t c = 0; c < mlops_profile_cols(p); c++) {
        uint64_t count, missing, distinct;
        int distinct_exact;
        int type = mlops_profile_column_type(p, c);
        if (mlops_profile_counts(p, c, &count, &missing) != MLOPS_OK ||
            mlops_profile_distinct(p, c, &distinct, &distinct_exact) != MLOPS_OK)
            return fail();
        char distinct_text[32];
        snprintf(distinct_text, sizeof distinct_text, "%s%llu", distinct_exact ? "" : "~",
                 (unsigned long long)distinct);
        printf("%-*s  %-11s  %8llu  %8llu  %8s  ", width, mlops_profile_column_name(p, c),
               mlops_type_name(type), (unsigned long long)count, (unsigned long long)missing,
               distinct_text);
        if (type == MLOPS_NUMERIC) {
            double min, max, mean;
            if (mlops_profile_stats(p, c, &min, &max, &mean, NULL) != MLOPS_OK) return fail();
            printf("%-10.6g %-10.6g %.6g\n", min, mean, max);
        } else {
            size_t ntop;
            const char *value;
            uint64_t n, err;
            if (mlops_profile_top_count(p, c, &ntop) != MLOPS_OK) return fail();
            if (ntop == 0) {
                printf("%-10s %-10s -\n", "", "");
            } else if (mlops_profile_top(p, c, 0, &value, &n, &err) != MLOPS_OK) {
                return fail();
            } else {
                printf("%-10s %-10s %s (%s%llu)\n", "", "", value, err ? "~" : "",
                       (unsigned long long)n);
            }
        }
    }
    return 0;
}

int cmd_profile(int argc, char **argv)
{
    const char *path = NULL, *delimiter = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--delimiter") == 0) {
            if (i + 1 == argc) {
                fputs("mlops: profile: --delimiter needs a value\n", stderr);
                return profile_usage(stderr);
            }
            delimiter = argv[++i];
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            return profile_usage(stdout);
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "mlops: profile: unknown option '%s'\n", a);
            return profile_usage(stderr);
        } else if (path == NULL) {
            path = a;
        } else {
            fprintf(stderr, "mlops: profile: unexpected argument '%s'\n", a);
            return profile_usage(stderr);
        }
    }
    if (path == NULL) {
        fputs("mlops: profile: no FILE given\n", stderr);
        return profile_usage(stderr);
    }
    if (delimiter) {
        /* A bad delimiter is a usage error, reported in the library's words. */
        mlops_csv_options *check = NULL;
        int rc = mlops_csv_options_create(&check);
        if (rc == MLOPS_OK) rc = mlops_csv_options_set(check, "delimiter", delimiter);
        mlops_csv_options_free(check);
        if (rc == MLOPS_EINVAL) {
            fprintf(stderr, "mlops: %s\n", mlops_last_error());
            return 2;
        }
        if (rc != MLOPS_OK) return fail();
    }

    mlops_profile *p = NULL;
    if (build_profile(path, delimiter, &p) != MLOPS_OK) return fail();
    int status = 0;
    if (json) {
        char *text = NULL;
        if (mlops_profile_to_json(p, &text) != MLOPS_OK) {
            status = fail();
        } else {
            print_json(text);
            mlops_free(text);
        }
    } else {
        status = print_table(p, path);
    }
    mlops_profile_free(p);
    if (status == 0 && fflush(stdout) != 0) {
        perror("mlops: writing output");
        status = 3;
    }
    return status;
}
