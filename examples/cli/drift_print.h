/* The readable form of a drift report for `mlops drift`: what was compared,
 * one line per column with its method, statistic, p-value (raw and after
 * the multiple-testing correction), threshold and verdict, the data-quality
 * findings and the data set verdict. Only what the report holds is
 * printed; nothing is decided here. */
#ifndef MLOPS_CLI_DRIFT_PRINT_H
#define MLOPS_CLI_DRIFT_PRINT_H

#include <stdio.h>

#include <mlops.h>

/* What was compared, for the first lines: the reference (a CSV file or a
 * saved profile) and the current file. */
typedef struct drift_header {
    const char *reference;
    int reference_is_profile;
    const char *current;
    const char *saved; /* where the reference profile was saved, or NULL */
} drift_header;

/* Writes the report as text to `f`; returns CLI_OK, or CLI_RUNTIME after
 * printing the library's message when the report cannot be read. */
int drift_print_text(FILE *f, const mlops_profile *reference, const mlops_drift_report *r,
                     const drift_header *h);

#endif
