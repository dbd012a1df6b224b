/* Prints a drift report as a short table (see drift_print.h). Every figure
 * is read back from the report through the public accessors. */
#include "drift_print.h"

#include <math.h>
#include <string.h>

#include "cli_common.h"

/* A figure of the table: six significant digits, "-" when undefined. */
static void cell(char *buf, size_t cap, double v)
{
    if (isnan(v)) snprintf(buf, cap, "-");
    else snprintf(buf, cap, "%.6g", v);
}

static void print_columns(FILE *f, const mlops_drift_report *r, size_t ncols, int width)
{
    fprintf(f, "%-*s  %-14s  %11s  %11s  %11s  %9s  %s\n", width, "column", "method",
            "statistic", "p-value", "adjusted p", "threshold", "drifted");
    for (size_t i = 0; i < ncols; i++) {
        const char *name = NULL, *method = NULL;
        double stat = NAN, p = NAN, padj = NAN, threshold = NAN;
        int drifted = 0;
        if (mlops_drift_report_column(r, i, &name, &method, &stat, &p, &padj, &threshold,
                                      &drifted) != MLOPS_OK)
            continue;
        char s[32], pv[32], pa[32], t[32];
        cell(s, sizeof s, stat);
        cell(pv, sizeof pv, p);
        cell(pa, sizeof pa, padj);
        cell(t, sizeof t, threshold);
        fprintf(f, "%-*s  %-14s  %11s  %11s  %11s  %9s  %s\n", width, name, method, s, pv, pa,
                t, drifted ? "yes" : "no");
    }
}

static void print_findings(FILE *f, const mlops_drift_report *r)
{
    size_t n = mlops_drift_report_finding_count(r);
    if (n == 0) return;
    fputs("\nfindings\n", f);
    for (size_t i = 0; i < n; i++) {
        const char *column = NULL, *kind = NULL, *message = NULL;
        uint64_t count = 0;
        if (mlops_drift_report_finding(r, i, &column, &kind, &count, &message) != MLOPS_OK)
            continue;
        /* the library's message names the column already */
        if (message != NULL) fprintf(f, "  - %s\n", message);
        else fprintf(f, "  - %s: %s (%llu)\n", column ? column : "", kind ? kind : "",
                     (unsigned long long)count);
    }
}

int drift_print_text(FILE *f, const mlops_profile *reference, const mlops_drift_report *r,
                     const drift_header *h)
{
    uint64_t rows = 0;
    double share = NAN;
    int verdict = mlops_drift_report_dataset_drift(r, &share);
    if (verdict < 0 || mlops_drift_report_window(r, NULL, NULL, &rows, NULL, NULL) != MLOPS_OK)
        return cli_runtime_error();

    fprintf(f, "drift of %s against %s\n", h->current, h->reference);
    fprintf(f, "  reference  %s%s, %llu rows\n", h->reference,
            h->reference_is_profile ? " (saved profile)" : "",
            (unsigned long long)mlops_profile_rows(reference));
    fprintf(f, "  current    %s, %llu rows\n", h->current, (unsigned long long)rows);
    if (h->saved != NULL) fprintf(f, "  saved      reference profile in %s\n", h->saved);

    size_t ncols = mlops_drift_report_column_count(r), drifted = 0;
    int width = 6;
    for (size_t i = 0; i < ncols; i++) {
        const char *name = NULL;
        int d = 0;
        if (mlops_drift_report_column(r, i, &name, NULL, NULL, NULL, NULL, NULL, &d) !=
            MLOPS_OK)
            return cli_runtime_error();
        int len = (int)strlen(name);
        if (len > width) width = len;
        drifted += d != 0;
    }
    fputc('\n', f);
    print_columns(f, r, ncols, width);
    print_findings(f, r);

    char sh[32];
    cell(sh, sizeof sh, share);
    fprintf(f, "\ndataset drift: %s (%zu of %zu columns drifted, share %s)\n",
            verdict ? "yes" : "no", drifted, ncols, sh);
    return CLI_OK;
}
