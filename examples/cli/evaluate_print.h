/* The readable form of an evaluation report for `mlops evaluate`: overall
 * metrics with their intervals, a table of the groups with their counts
 * and small-group flags, fairness and robustness figures, the gates with
 * their verdicts and observed values, the notes and the overall verdict.
 * Only what the report holds is printed; nothing is computed here. */
#ifndef MLOPS_CLI_EVALUATE_PRINT_H
#define MLOPS_CLI_EVALUATE_PRINT_H

#include <stdio.h>

#include <mlops.h>

/* What was evaluated, for the first lines; `metric` is the evaluator's
 * primary metric, shown in the group table (NULL or "": the task's
 * default, accuracy or r2). */
typedef struct evaluate_header {
    const char *model, *data, *target, *attach, *metric;
} evaluate_header;

/* Writes the report as text to `f`; returns CLI_OK. */
int evaluate_print_text(FILE *f, const mlops_model *m, const mlops_report *r,
                        const evaluate_header *h);

#endif
