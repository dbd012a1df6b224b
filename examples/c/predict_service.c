/* predict_service: the serving loop. Loads a model once, then answers
 * requests one at a time for as long as they come: each request is a CSV
 * row on standard input, each answer a line on standard output, written as
 * soon as it is known. The model replays its own preprocessing, so raw
 * values go in as they are; columns the model does not use are ignored.
 *
 *   predict_service MODEL < rows.csv
 *   head -20 examples/data/cars.csv | predict_service cars.mlm
 *
 * The first input line is the header. Output: a header "line,prediction",
 * then "LINE,PREDICTION" per row (LINE counts from 1 at the header; the
 * prediction is the class label, or the value for a regression model).
 * A row that cannot be predicted (wrong field count, a number that does not
 * parse, a category the model never saw) gets "predict_service: line N:
 * reason" on stderr instead, and the loop goes on. Fields are separated by
 * commas and may be double-quoted; an empty field is a missing value.
 * Exit status: 0 when the input was read to its end, 1 otherwise, 2 usage. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

enum { MAX_FIELDS = 1024 };

/* Splits `line` in place into fields at commas; a double-quoted field may
 * hold commas and "" for a quote. Returns the field count (fields beyond
 * MAX_FIELDS are counted, not stored), or -1 for a malformed quote. */
static long split_csv(char *line, char **fields)
{
    long n = 0;
    char *r = line, *w = line;
    for (;;) {
        char *start = w;
        if (*r == '"') {
            for (r++;; r++) {
                if (*r == '\0') return -1;
                if (*r == '"' && *++r != '"') break;
                *w++ = *r;
            }
            if (*r != ',' && *r != '\0') return -1;
        } else {
            while (*r != ',' && *r != '\0') *w++ = *r++;
        }
        if (n < MAX_FIELDS) fields[n] = start;
        n++;
        int last = *r == '\0';
        *w++ = '\0';
        if (last) return n;
        r++;
    }
}

/* Predicts one row; on failure writes the reason into `why`. */
static int predict_row(const mlops_model *m, char *const *fields, const long *where,
                       char *answer, size_t cap, char *why, size_t why_cap)
{
    mlops_dataset_builder *b = NULL;
    mlops_dataset *row = NULL;
    double value = NAN;
    int rc = mlops_dataset_builder_create(&b, 1);
    for (size_t i = 0; rc == MLOPS_OK && i < mlops_model_input_count(m); i++) {
        const char *name = mlops_model_input_name(m, i), *text = fields[where[i]];
        if (mlops_model_input_type(m, i) == MLOPS_NUMERIC) {
            char *end = NULL;
            double v = text[0] == '\0' ? NAN : strtod(text, &end);
            if (text[0] != '\0' && (end == text || *end != '\0')) {
                snprintf(why, why_cap, "column %s: '%s' is not a number", name, text);
                mlops_dataset_builder_free(b);
                return -1;
            }
            rc = mlops_dataset_builder_add_numeric(b, name, &v);
        } else {
            const char *category = text[0] == '\0' ? NULL : text;
            rc = mlops_dataset_builder_add_categorical(b, name, &category);
        }
    }
    if (rc == MLOPS_OK) rc = mlops_dataset_builder_finish(b, &row);
    if (rc == MLOPS_OK) rc = mlops_model_predict(m, row, MLOPS_PREDICT_VALUE, &value, 1);
    if (rc != MLOPS_OK) snprintf(why, why_cap, "%s", mlops_last_error());
    mlops_dataset_free(row);
    mlops_dataset_builder_free(b);
    if (rc != MLOPS_OK) return -1;
    if (mlops_model_class_count(m) > 0) {
        snprintf(answer, cap, "%s", mlops_model_class_label(m, (size_t)value));
        return 0;
    }
    for (int digits = 15; digits <= 17; digits++) { /* shortest exact spelling */
        snprintf(answer, cap, "%.*g", digits, value);
        if (strtod(answer, NULL) == value) break;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: predict_service MODEL < ROWS.csv\n", stderr);
        return 2;
    }
    mlops_model *model = NULL;
    if (mlops_model_load(&model, argv[1]) != MLOPS_OK) {
        fprintf(stderr, "predict_service: loading the model: %s\n", mlops_last_error());
        return 1;
    }
    size_t inputs = mlops_model_input_count(model);
    /* where[i]: the header position of model input i */
    long *where = calloc(inputs > 0 ? inputs : 1, sizeof *where);
    char **fields = malloc(MAX_FIELDS * sizeof *fields);
    char *line = NULL, answer[256], why[1024];
    size_t line_cap = 0, lineno = 0, predicted = 0, refused = 0;
    long ncols = 0;
    int status = 1;
    if (where == NULL || fields == NULL) {
        fputs("predict_service: out of memory\n", stderr);
        goto done;
    }
    while (getline(&line, &line_cap, stdin) >= 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        long n = split_csv(line, fields);
        if (lineno == 1) { /* the header: where is each model input? */
            if (n < 0 || n > MAX_FIELDS) {
                fprintf(stderr, "predict_service: line 1: %s\n",
                        n < 0 ? "malformed quoted field" : "too many columns");
                goto done;
            }
            for (size_t i = 0; i < inputs; i++) {
                const char *name = mlops_model_input_name(model, i);
                for (where[i] = 0; where[i] < n && strcmp(fields[where[i]], name) != 0; where[i]++)
                    continue;
                if (where[i] == n) {
                    fprintf(stderr, "predict_service: line 1: no column '%s', which the model "
                            "needs\n", name);
                    goto done;
                }
            }
            ncols = n;
            fputs("line,prediction\n", stdout);
            fflush(stdout);
            continue;
        }
        if (n != ncols) {
            if (n < 0) snprintf(why, sizeof why, "malformed quoted field");
            else snprintf(why, sizeof why, "%ld fields, the header has %ld", n, ncols);
        }
        if (n != ncols || predict_row(model, fields, where, answer, sizeof answer, why,
                                      sizeof why) != 0) {
            fprintf(stderr, "predict_service: line %zu: %s\n", lineno, why);
            refused++;
            continue;
        }
        printf("%zu,%s\n", lineno, answer);
        fflush(stdout); /* the client is waiting for this answer */
        predicted++;
    }
    if (ferror(stdin)) {
        perror("predict_service: reading standard input");
        goto done;
    }
    if (lineno == 0) {
        fputs("predict_service: no header line on standard input\n", stderr);
        goto done;
    }
    fprintf(stderr, "predict_service: %zu rows predicted, %zu refused\n", predicted, refused);
    status = 0;

done:
    free(line);
    free(fields);
    free(where);
    mlops_model_free(model);
    return status;
}
