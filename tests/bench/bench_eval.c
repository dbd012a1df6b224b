/* Benchmark of the evaluator, run by tests/bench/run_eval.sh next to
 * scikit-learn (peer_sklearn_eval.py) on the same prediction files
 * (make_eval_data.py: columns y_true, y_pred, proba, group). Reading the
 * CSV is not timed: only mlops_evaluator_run_arrays() is, with
 * task=classification, metrics=all, group=group, best of REPS runs.
 *
 *   bench-eval DATA.csv [bootstrap=B] [seed=S] [reps=R] [check=VALUES]
 *
 * Prints one line of key=value pairs: seconds (best), CPU seconds of that
 * run, the number of values reported, the process's peak resident memory
 * while reading, its resident memory before the runs and its peak during
 * them (data included), and the OpenBLAS kernel.
 * check=VALUES compares the report with scikit-learn's values of the same
 * data ("name value" lines written by peer_sklearn_eval.py), so the
 * timings are known to compare equal work: one "check" line per value that
 * differs by more than 1e-9 (relative; absolute 1e-12 near 0), side-by-side
 * lines for accuracy, roc_auc and log_loss, and a summary line. With bootstrap, the intervals
 * of accuracy, roc_auc and log_loss are printed too. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <mlops.h>

char *openblas_get_corename(void);

#define CHECK_REL 1e-9

/* Intervals printed beside scikit-learn's (other resamples, similar spread). */
static const char *const intervals[] = {"accuracy", "roc_auc", "log_loss"};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* A field of /proc/self/status in MB ("VmRSS", "VmHWM"), NaN when absent. */
static double status_mb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double mb = NAN;
    size_t len = strlen(field);
    if (!f)
        return mb;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            mb = strtod(line + len + 1, NULL) / 1024.0;
            break;
        }
    fclose(f);
    return mb;
}

/* Resets the peak resident size (VmHWM) to the current one, so the peak
 * read after the runs is theirs and not the CSV reader's (Linux >= 4.0). */
static void reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

static int fail(const char *what)
{
    fprintf(stderr, "bench-eval: %s: %s\n", what, mlops_last_error());
    return 1;
}

static int column(const mlops_dataset *d, const char *name, const double **values)
{
    size_t col;
    if (mlops_dataset_column_index(d, name, &col) != MLOPS_OK ||
        mlops_dataset_numeric_data(d, col, values) != MLOPS_OK)
        return fail(name);
    return 0;
}

static int is_side_by_side(const char *name)
{
    return strcmp(name, "accuracy") == 0 || strcmp(name, "roc_auc") == 0 ||
           strcmp(name, "log_loss") == 0;
}

/* Compares the report with scikit-learn's values; prints the differences. */
static int check(const mlops_report *r, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512], name[400], worst[400] = "-";
    size_t compared = 0, mismatches = 0, absent = 0;
    double max_rel = 0;
    if (!f) {
        perror(path);
        return 1;
    }
    while (fgets(line, sizeof line, f)) {
        double peer, ours;
        if (sscanf(line, "%399s %lf", name, &peer) != 2)
            continue;
        if (mlops_report_value(r, name, &ours) != MLOPS_OK) {
            printf("check metric=%s sklearn=%.17g libmlops=absent\n", name, peer);
            absent++;
            continue;
        }
        /* relative, except near 0 (a difference of rates that are equal) */
        double rel = fabs(ours - peer) / fmax(fabs(peer), 1e-3);
        int ok = (isnan(ours) && isnan(peer)) || rel <= CHECK_REL;
        compared++;
        if (!ok)
            mismatches++;
        if (!isnan(rel) && rel > max_rel) {
            max_rel = rel;
            snprintf(worst, sizeof worst, "%s", name);
        }
        if (!ok || is_side_by_side(name))
            printf("check metric=%s libmlops=%.17g sklearn=%.17g rel_diff=%.3g equal=%s\n",
                   name, ours, peer, rel, ok ? "yes" : "NO");
    }
    fclose(f);
    printf("check_summary compared=%zu mismatches=%zu absent=%zu max_rel_diff=%.3g worst=%s "
           "tolerance=%g\n",
           compared, mismatches, absent, max_rel, worst, CHECK_REL);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-eval DATA.csv [bootstrap=B] [seed=S] [reps=R] "
                        "[check=VALUES]\n");
        return 2;
    }
    const char *path = argv[1], *bootstrap = "0", *seed = "0", *values = NULL;
    int reps = 3, rc = 1;
    for (int i = 2; i < argc; i++) {
        if (strncmp(argv[i], "bootstrap=", 10) == 0)
            bootstrap = argv[i] + 10;
        else if (strncmp(argv[i], "seed=", 5) == 0)
            seed = argv[i] + 5;
        else if (strncmp(argv[i], "reps=", 5) == 0)
            reps = atoi(argv[i] + 5);
        else if (strncmp(argv[i], "check=", 6) == 0)
            values = argv[i] + 6;
        else {
            fprintf(stderr, "bench-eval: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (reps < 1) {
        fprintf(stderr, "bench-eval: reps must be >= 1\n");
        return 2;
    }
    mlops_dataset *d = NULL;
    mlops_evaluator *ev = NULL;
    mlops_report *report = NULL;
    const double *y_true, *y_pred, *proba;
    double t0 = now();
    if (mlops_dataset_read_csv(&d, path, NULL) != MLOPS_OK) {
        rc = fail(path);
        goto done;
    }
    double read_s = now() - t0;
    if (column(d, "y_true", &y_true) || column(d, "y_pred", &y_pred) ||
        column(d, "proba", &proba))
        goto done;
    if (mlops_evaluator_create(&ev) != MLOPS_OK ||
        mlops_evaluator_set_param(ev, "task", "classification") != MLOPS_OK ||
        mlops_evaluator_set_param(ev, "metrics", "all") != MLOPS_OK ||
        mlops_evaluator_set_param(ev, "group", "group") != MLOPS_OK ||
        mlops_evaluator_set_param(ev, "bootstrap", bootstrap) != MLOPS_OK ||
        mlops_evaluator_set_param(ev, "seed", seed) != MLOPS_OK) {
        rc = fail("evaluator settings");
        goto done;
    }
    size_t rows = mlops_dataset_rows(d);
    double rss_before = status_mb("VmRSS"), read_peak = status_mb("VmHWM");
    double best = INFINITY, best_cpu = NAN;
    reset_peak();
    for (int rep = 0; rep < reps; rep++) {
        mlops_report *r = NULL;
        double c = cpu_s(), t = now();
        if (mlops_evaluator_run_arrays(ev, rows, y_true, y_pred, proba, 1, NULL, d, &r) !=
            MLOPS_OK) {
            rc = fail("mlops_evaluator_run_arrays");
            goto done;
        }
        double s = now() - t, cs = cpu_s() - c;
        if (s < best) {
            best = s;
            best_cpu = cs;
        }
        mlops_report_free(report);
        report = r;
    }
    printf("libmlops what=%s rows=%zu bootstrap=%s seconds=%.4f cpu_s=%.4f reps=%d values=%zu "
           "read_s=%.3f read_peak_rss_MB=%.1f rss_before_MB=%.1f eval_peak_rss_MB=%.1f core=%s\n",
           strcmp(bootstrap, "0") == 0 ? "all" : "bootstrap", rows, bootstrap, best, best_cpu,
           reps, mlops_report_value_count(report), read_s, read_peak, rss_before,
           status_mb("VmHWM"), openblas_get_corename());
    if (strcmp(bootstrap, "0") != 0)
        for (size_t i = 0; i < sizeof intervals / sizeof intervals[0]; i++) {
            double lo = NAN, hi = NAN, sd = NAN;
            char key[64];
            snprintf(key, sizeof key, "%s.ci_low", intervals[i]);
            mlops_report_value(report, key, &lo);
            snprintf(key, sizeof key, "%s.ci_high", intervals[i]);
            mlops_report_value(report, key, &hi);
            snprintf(key, sizeof key, "%s.std", intervals[i]);
            mlops_report_value(report, key, &sd);
            printf("libmlops_interval metric=%s resamples=%s ci_low=%.6f ci_high=%.6f "
                   "std=%.6f\n",
                   intervals[i], bootstrap, lo, hi, sd);
        }
    fflush(stdout);
    rc = values ? check(report, values) : 0;
done:
    mlops_report_free(report);
    mlops_evaluator_free(ev);
    mlops_dataset_free(d);
    return rc;
}
