/* Benchmark of model fitting and prediction, run by tests/bench/run_model.sh
 * next to scikit-learn and liblinear on the same files. Each command prints
 * one line of key=value pairs per measurement, so the runner can put the
 * figures side by side; all times are wall-clock seconds of this process.
 *
 *   bench-model fit KIND TRAIN.csv TARGET [key=value ...]
 *       Reads TRAIN.csv (TARGET gets role target), fits and prints read and
 *       fit seconds (wall and CPU), iterations, the normalized objective,
 *       the gradient norm and peak RSS. Bench keys: test=FILE.csv (accuracy for classifiers,
 *       RMSE for regression), C=VALUE (sets l2 = 1/(C*rows), the scaling of
 *       liblinear and scikit-learn), standardize=1 (a standardize "*"
 *       chain), tols=T1,T2,... (one fit per tolerance, data read once),
 *       coef_out=PREFIX (writes PREFIX<tol>.txt: per output one line,
 *       intercept first, then the coefficients in model units). Every other
 *       key=value goes to mlops_model_set_param().
 *   bench-model predict-row DATA.csv TARGET CALLS
 *       Fits a standardized logistic model, then times CALLS single-row
 *       probability predictions through mlops_model_predict_row().
 *   bench-model predict-batch TRAIN.csv TEST.csv TARGET ROWS REPS
 *       Fits a standardized logistic model (30 iterations: the prediction
 *       cost does not depend on convergence), then times probability
 *       prediction for the first ROWS test rows given as a raw row-major
 *       matrix (mlops_model_predict_matrix()), best of REPS. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <mlops.h>

char *openblas_get_corename(void);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the whole process (all threads): with other work on the
 * machine, less disturbed by it than wall time. */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static int fail(const char *what)
{
    fprintf(stderr, "bench-model: %s: %s\n", what, mlops_last_error());
    return 1;
}

/* Reads a CSV file with column `target` as the target. */
static int read_csv(mlops_dataset **out, const char *path, const char *target)
{
    mlops_csv_options *o;
    char key[256];
    if (mlops_csv_options_create(&o) != MLOPS_OK)
        return fail("csv options");
    snprintf(key, sizeof key, "role.%s", target);
    int rc = mlops_csv_options_set(o, key, "target");
    if (rc == MLOPS_OK)
        rc = mlops_dataset_read_csv(out, path, o);
    mlops_csv_options_free(o);
    return rc == MLOPS_OK ? 0 : fail(path);
}

static int add_standardize(mlops_model *m)
{
    mlops_transform *t;
    if (mlops_transform_create(&t) != MLOPS_OK)
        return fail("transform");
    int rc = mlops_transform_add(t, "standardize", "*") < 0 ? -1 : mlops_model_set_transform(m, t);
    mlops_transform_free(t);
    return rc == MLOPS_OK ? 0 : fail("standardize chain");
}

/* The solver that actually ran, from the card's training summary (which
 * follows the settings, whose "solver" may say auto). */
static void solver_ran(const mlops_model *m, char *buf, size_t size)
{
    char *json = NULL;
    snprintf(buf, size, "?");
    if (mlops_model_card_json(m, &json) != MLOPS_OK)
        return;
    const char *last = NULL;
    for (const char *p = strstr(json, "\"solver\""); p; p = strstr(p + 1, "\"solver\""))
        last = p;
    if (last) {
        const char *q = strchr(last + 8, '"');
        const char *e = q ? strchr(q + 1, '"') : NULL;
        if (q && e && (size_t)(e - q - 1) < size) {
            memcpy(buf, q + 1, (size_t)(e - q - 1));
            buf[e - q - 1] = '\0';
        }
    }
    mlops_free(json);
}

static double info(const mlops_model *m, const char *key)
{
    double v = NAN;
    mlops_model_info(m, key, &v);
    return v;
}

static int write_coef(const mlops_model *m, const char *path)
{
    size_t outs = mlops_model_output_count(m), feats = mlops_model_feature_count(m);
    double *coef = calloc(outs * feats + 1, sizeof *coef), *icpt = calloc(outs + 1, sizeof *icpt);
    FILE *f = NULL;
    int rc = 1;
    if (!coef || !icpt) {
        fprintf(stderr, "bench-model: out of memory\n");
        goto done;
    }
    if (mlops_model_coefficients(m, MLOPS_COEF_MODEL, coef, outs * feats, icpt, outs) != MLOPS_OK) {
        rc = fail("coefficients");
        goto done;
    }
    if (!(f = fopen(path, "w"))) {
        perror(path);
        goto done;
    }
    for (size_t k = 0; k < outs; k++) {
        fprintf(f, "%.17g", icpt[k]);
        for (size_t j = 0; j < feats; j++)
            fprintf(f, " %.17g", coef[k * feats + j]);
        fputc('\n', f);
    }
    rc = fclose(f) == 0 ? 0 : 1;
    f = NULL;
done:
    if (f)
        fclose(f);
    free(coef);
    free(icpt);
    return rc;
}

/* Test accuracy (classifiers: predicted label == true value) or RMSE. */
static int evaluate(const mlops_model *m, const mlops_dataset *test, const char *target,
                    const char **name, double *value)
{
    size_t rows = mlops_dataset_rows(test), col;
    const double *truth;
    double *pred = malloc((rows ? rows : 1) * sizeof *pred);
    if (!pred)
        return 1;
    if (mlops_dataset_column_index(test, target, &col) != MLOPS_OK ||
        mlops_dataset_numeric_data(test, col, &truth) != MLOPS_OK ||
        mlops_model_predict(m, test, MLOPS_PREDICT_VALUE, pred, rows) != MLOPS_OK) {
        free(pred);
        return fail("test prediction");
    }
    size_t classes = mlops_model_class_count(m);
    double acc = 0;
    if (classes > 0) {
        *name = "test_acc";
        for (size_t i = 0; i < rows; i++) {
            const char *label = mlops_model_class_label(m, (size_t)pred[i]);
            acc += label && strtod(label, NULL) == truth[i];
        }
        *value = acc / (double)rows;
    } else {
        *name = "test_rmse";
        for (size_t i = 0; i < rows; i++)
            acc += (pred[i] - truth[i]) * (pred[i] - truth[i]);
        *value = sqrt(acc / (double)rows);
    }
    free(pred);
    return 0;
}

static int cmd_fit(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench-model fit KIND TRAIN.csv TARGET [key=value ...]\n");
        return 2;
    }
    const char *kind = argv[0], *path = argv[1], *target = argv[2];
    const char *test_path = NULL, *coef_out = NULL, *tols = NULL, *cval = NULL;
    int standardize = 0, rc = 1;
    mlops_model *m = NULL;
    mlops_dataset *train = NULL, *test = NULL;
    char *tolbuf = NULL;

    double t0 = now();
    if (read_csv(&train, path, target))
        goto done;
    double read_s = now() - t0;
    if (mlops_model_create(&m, kind) != MLOPS_OK) {
        rc = fail(kind);
        goto done;
    }
    for (int i = 3; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "bench-model: expected key=value, got '%s'\n", argv[i]);
            rc = 2;
            goto done;
        }
        *eq = '\0';
        const char *k = argv[i], *v = eq + 1;
        if (strcmp(k, "test") == 0)
            test_path = v;
        else if (strcmp(k, "coef_out") == 0)
            coef_out = v;
        else if (strcmp(k, "tols") == 0)
            tols = v;
        else if (strcmp(k, "C") == 0)
            cval = v;
        else if (strcmp(k, "standardize") == 0)
            standardize = strcmp(v, "0") != 0;
        else if (mlops_model_set_param(m, k, v) != MLOPS_OK) {
            rc = fail(k);
            goto done;
        }
    }
    size_t rows = mlops_dataset_rows(train);
    if (cval) {
        double c = strtod(cval, NULL);
        if (!(c > 0) ||
            mlops_model_set_param_double(m, "l2", 1.0 / (c * (double)rows)) != MLOPS_OK) {
            fprintf(stderr, "bench-model: bad C=%s\n", cval);
            goto done;
        }
    }
    if (standardize && add_standardize(m))
        goto done;
    if (test_path && read_csv(&test, test_path, target))
        goto done;
    if (!tols) {
        char *cur = NULL;
        if (mlops_model_get_param(m, "tol", &cur) != MLOPS_OK) {
            rc = fail("tol");
            goto done;
        }
        tolbuf = strdup(cur);
        mlops_free(cur);
    } else {
        tolbuf = strdup(tols);
    }
    if (!tolbuf)
        goto done;
    char *save = NULL;
    for (char *tol = strtok_r(tolbuf, ",", &save); tol; tol = strtok_r(NULL, ",", &save)) {
        if (mlops_model_set_param(m, "tol", tol) != MLOPS_OK) {
            rc = fail("tol");
            goto done;
        }
        double t1 = now(), c1 = cpu_s();
        if (mlops_model_fit(m, train) != MLOPS_OK) {
            rc = fail("fit");
            goto done;
        }
        double fit_s = now() - t1, fit_cpu_s = cpu_s() - c1;
        char ran[32], *setting = NULL, *fingerprint = NULL;
        solver_ran(m, ran, sizeof ran);
        if (mlops_model_get_param(m, "solver", &setting) != MLOPS_OK ||
            mlops_model_get_param(m, "fingerprint", &fingerprint) != MLOPS_OK) {
            mlops_free(setting);
            rc = fail("settings");
            goto done;
        }
        printf("libmlops kind=%s solver=%s ran=%s tol=%s fingerprint=%s rows=%zu features=%zu "
               "classes=%zu l2=%.6g read_s=%.3f fit_s=%.3f fit_cpu_s=%.3f iters=%.0f "
               "converged=%.0f objective=%.12g grad=%.3g",
               kind, setting, ran, tol, fingerprint, rows, mlops_model_feature_count(m),
               mlops_model_class_count(m), info(m, "l2"), read_s, fit_s, fit_cpu_s,
               info(m, "iterations"),
               info(m, "converged"), info(m, "objective"), info(m, "gradient_norm"));
        mlops_free(setting);
        mlops_free(fingerprint);
        if (test) {
            const char *name;
            double value;
            if (evaluate(m, test, target, &name, &value))
                goto done;
            printf(" %s=%.4f", name, value);
        }
        if (coef_out) {
            char file[4096];
            snprintf(file, sizeof file, "%s%s.txt", coef_out, tol);
            if (write_coef(m, file))
                goto done;
            printf(" coef=%s", file);
        }
        printf(" peak_rss_MB=%.1f core=%s\n", peak_rss_mb(), openblas_get_corename());
        fflush(stdout);
    }
    rc = 0;
done:
    free(tolbuf);
    mlops_model_free(m);
    mlops_dataset_free(train);
    mlops_dataset_free(test);
    return rc;
}

/* Fits a standardized logistic model on `d` (at most max_iter iterations). */
static int fit_logistic(mlops_model **out, const mlops_dataset *d, const char *max_iter)
{
    mlops_model *m;
    if (mlops_model_create(&m, "logistic_regression") != MLOPS_OK)
        return fail("model");
    if (add_standardize(m) || (max_iter && mlops_model_set_param(m, "max_iter", max_iter)) ||
        mlops_model_fit(m, d) != MLOPS_OK) {
        fail("fit");
        mlops_model_free(m);
        return 1;
    }
    *out = m;
    return 0;
}

/* The dataset's values of the model's raw inputs, row-major. */
static double *input_matrix(const mlops_model *m, const mlops_dataset *d)
{
    size_t cols = mlops_model_input_count(m);
    size_t *idx = malloc(cols * sizeof *idx);
    double *all = malloc(mlops_dataset_rows(d) * cols * sizeof *all);
    int ok = idx && all;
    for (size_t j = 0; ok && j < cols; j++)
        ok = mlops_dataset_column_index(d, mlops_model_input_name(m, j), &idx[j]) == MLOPS_OK;
    ok = ok && mlops_dataset_to_matrix(d, idx, cols, all, mlops_dataset_rows(d) * cols) == MLOPS_OK;
    free(idx);
    if (!ok) {
        fail("input matrix");
        free(all);
        return NULL;
    }
    return all;
}

static int cmd_predict_row(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench-model predict-row DATA.csv TARGET CALLS\n");
        return 2;
    }
    long calls = atol(argv[2]);
    mlops_dataset *d = NULL;
    mlops_model *m = NULL;
    double *x = NULL;
    int rc = 1;
    if (calls < 1 || read_csv(&d, argv[0], argv[1]) || fit_logistic(&m, d, NULL))
        goto done;
    size_t rows = mlops_dataset_rows(d), cols = mlops_model_input_count(m);
    if (!(x = input_matrix(m, d)))
        goto done;
    double out[16], sink = 0, best = INFINITY;
    size_t width = mlops_model_output_width(m, MLOPS_PREDICT_PROBA);
    if (width > sizeof out / sizeof out[0]) {
        fprintf(stderr, "bench-model: %zu classes, at most 16 supported\n", width);
        goto done;
    }
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        for (long c = 0; c < calls; c++) {
            const double *row = x + (size_t)c % rows * cols;
            if (mlops_model_predict_row(m, row, cols, MLOPS_PREDICT_PROBA, out, width) !=
                MLOPS_OK) {
                rc = fail("predict_row");
                goto done;
            }
            sink += out[0];
        }
        double s = now() - t0;
        best = s < best ? s : best;
    }
    printf("libmlops predict_row rows=%zu inputs=%zu calls=%ld ns_per_call=%.1f (best of 5) "
           "checksum=%.6g core=%s\n",
           rows, cols, calls, best / (double)calls * 1e9, sink, openblas_get_corename());
    rc = 0;
done:
    free(x);
    mlops_model_free(m);
    mlops_dataset_free(d);
    return rc;
}

static int cmd_predict_batch(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench-model predict-batch TRAIN.csv TEST.csv TARGET ROWS REPS\n");
        return 2;
    }
    const char *target = argv[2];
    size_t want = (size_t)atol(argv[3]);
    int reps = atoi(argv[4]), rc = 1;
    mlops_dataset *train = NULL, *test = NULL;
    mlops_model *m = NULL;
    double *x = NULL, *out = NULL;
    if (want < 1 || reps < 1 || read_csv(&train, argv[0], target) ||
        read_csv(&test, argv[1], target) || fit_logistic(&m, train, "30"))
        goto done;
    size_t rows = mlops_dataset_rows(test), cols = mlops_model_input_count(m);
    if (want > rows) {
        fprintf(stderr, "bench-model: %s has %zu rows, fewer than %zu\n", argv[1], rows, want);
        goto done;
    }
    size_t width = mlops_model_output_width(m, MLOPS_PREDICT_PROBA);
    if (!(x = input_matrix(m, test)) || !(out = malloc(want * width * sizeof *out)))
        goto done;
    double best = INFINITY, sum = 0;
    for (int rep = 0; rep < reps; rep++) {
        double t0 = now();
        if (mlops_model_predict_matrix(m, x, want, cols, MLOPS_PREDICT_PROBA, out, want * width) !=
            MLOPS_OK) {
            rc = fail("predict_matrix");
            goto done;
        }
        double s = now() - t0;
        best = s < best ? s : best;
    }
    for (size_t i = 0; i < want * width; i++)
        sum += out[i];
    printf("libmlops predict_matrix rows=%zu inputs=%zu classes=%zu ms=%.3f (best of %d) "
           "proba_sum=%.6f peak_rss_MB=%.1f core=%s\n",
           want, cols, width, best * 1e3, reps, sum, peak_rss_mb(), openblas_get_corename());
    rc = 0;
done:
    free(x);
    free(out);
    mlops_model_free(m);
    mlops_dataset_free(train);
    mlops_dataset_free(test);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "fit") == 0)
        return cmd_fit(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "predict-row") == 0)
        return cmd_predict_row(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "predict-batch") == 0)
        return cmd_predict_batch(argc - 2, argv + 2);
    fprintf(stderr, "usage: bench-model fit|predict-row|predict-batch ... (see bench_model.c)\n");
    return 2;
}
