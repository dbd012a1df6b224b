/* The C side of the binding benchmark (tests/bench/bench_binding.py): times
 * mlops_model_predict_matrix() on a saved model and a raw matrix, so the
 * Python binding's predict_proba() on the very same model and rows can be
 * compared with the same call made directly from C, in the same
 * environment (OPENBLAS_* inherited from the Python process).
 *
 *   bench-predict-file MODEL.mlops X.f64 ROWS COLS REPS
 *       X.f64 holds ROWS x COLS raw inputs as native-endian doubles,
 *       row-major (numpy's tofile()). Prints one key=value line: the best
 *       of REPS timings of probability prediction for all rows, the sum
 *       over rows of the expected class index (sum of k * p_k: a checksum
 *       of every probability) and the OpenBLAS kernel. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <mlops.h>

char *openblas_get_corename(void);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double *read_matrix(const char *path, size_t n)
{
    FILE *f = fopen(path, "rb");
    double *x = malloc(n * sizeof *x);
    if (!f || !x || fread(x, sizeof *x, n, f) != n) {
        fprintf(stderr, "bench-predict-file: cannot read %zu doubles from %s\n", n, path);
        free(x);
        x = NULL;
    }
    if (f)
        fclose(f);
    return x;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench-predict-file MODEL.mlops X.f64 ROWS COLS REPS\n");
        return 2;
    }
    size_t rows = (size_t)strtoul(argv[3], NULL, 10), cols = (size_t)strtoul(argv[4], NULL, 10);
    int reps = atoi(argv[5]), rc = 1;
    mlops_model *m = NULL;
    double *x = NULL, *out = NULL;
    if (rows < 1 || cols < 1 || reps < 1) {
        fprintf(stderr, "bench-predict-file: ROWS, COLS and REPS must be positive\n");
        return 2;
    }
    if (mlops_model_load(&m, argv[1]) != MLOPS_OK) {
        fprintf(stderr, "bench-predict-file: %s\n", mlops_last_error());
        return 1;
    }
    size_t width = mlops_model_output_width(m, MLOPS_PREDICT_PROBA);
    if (!(x = read_matrix(argv[2], rows * cols)) || !(out = malloc(rows * width * sizeof *out)))
        goto done;
    double best = INFINITY, sum = 0;
    for (int rep = 0; rep < reps; rep++) {
        double t0 = now();
        if (mlops_model_predict_matrix(m, x, rows, cols, MLOPS_PREDICT_PROBA, out, rows * width) !=
            MLOPS_OK) {
            fprintf(stderr, "bench-predict-file: %s\n", mlops_last_error());
            goto done;
        }
        double s = now() - t0;
        best = s < best ? s : best;
    }
    for (size_t i = 0; i < rows * width; i++)
        sum += (double)(i % width) * out[i];
    printf("c predict_matrix rows=%zu inputs=%zu classes=%zu ms=%.3f reps=%d expected_class_sum=%.9g "
           "core=%s\n",
           rows, cols, width, best * 1e3, reps, sum, openblas_get_corename());
    rc = 0;
done:
    free(x);
    free(out);
    mlops_model_free(m);
    return rc;
}
