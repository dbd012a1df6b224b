/* monitor_stream: drift monitoring of production data. Profiles a
 * reference data set (what the model was trained on) once, then reads a
 * stream of production rows in batches, in constant memory whatever its
 * size, and compares every window of WINDOW_ROWS rows with the reference,
 * column by column. A window that drifted raises an alert as soon as it
 * closes; at the end the history of windows is summarized.
 *
 *   monitor_stream REFERENCE.csv STREAM.csv [WINDOW_ROWS [HISTORY.json]]
 *   monitor_stream train.csv production.csv 50 history.json
 *
 * WINDOW_ROWS defaults to 100. Every column of REFERENCE.csv is monitored,
 * so leave identifiers and timestamps out of both files. HISTORY.json, when
 * given, receives the full history (every window's report) as JSON.
 * Output: one "ALERT" line per window that drifted or has data-quality
 * findings, then "windows N, drifted M" (M: windows whose share of drifted
 * columns reached the monitor's drift_share, 0.5 by default).
 * Exit status: 0 success, 1 failure, 2 usage error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#define CHECK(step, call)                                                        \
    do {                                                                         \
        if ((call) != MLOPS_OK) {                                                \
            fprintf(stderr, "monitor_stream: %s: %s\n", step, mlops_last_error()); \
            goto done;                                                           \
        }                                                                        \
    } while (0)

/* Called by the monitor each time a window with findings closes. */
static void on_alert(void *user, int severity, const mlops_drift_report *report,
                     const char *message)
{
    (void)user;
    (void)message;
    uint64_t index = 0, first = 0, rows = 0;
    mlops_drift_report_window(report, &index, &first, &rows, NULL, NULL);
    printf("ALERT window %llu (rows %llu-%llu): %s; drifted:", (unsigned long long)index,
           (unsigned long long)first, (unsigned long long)(first + rows - 1),
           severity == MLOPS_SEVERITY_CRITICAL ? "critical" : "warning");
    size_t drifted = 0, n = mlops_drift_report_column_count(report);
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL;
        int is_drifted = 0;
        mlops_drift_report_column(report, i, &name, NULL, NULL, NULL, NULL, NULL, &is_drifted);
        if (is_drifted) printf("%s %s", drifted++ ? "," : "", name);
    }
    printf("%s (%zu of %zu columns)", drifted ? "" : " none", drifted, n);
    for (size_t i = 0; i < mlops_drift_report_finding_count(report); i++) {
        const char *column = NULL, *kind = NULL;
        mlops_drift_report_finding(report, i, &column, &kind, NULL, NULL);
        printf("%s %s %s", i ? "," : "; findings:", column, kind);
    }
    putchar('\n');
    fflush(stdout);
}

/* Tells the stream reader each column's type as the reference has it, so
 * that a first batch without, say, any decimal point cannot change it. */
static int set_types(mlops_csv_options *opts, const mlops_profile *reference)
{
    int rc = MLOPS_OK;
    for (size_t c = 0; rc == MLOPS_OK && c < mlops_profile_cols(reference); c++) {
        const char *name = mlops_profile_column_name(reference, c);
        size_t len = strlen(name) + sizeof "type.";
        char *key = malloc(len);
        if (key == NULL) return MLOPS_ENOMEM;
        snprintf(key, len, "type.%s", name);
        rc = mlops_csv_options_set(opts, key,
                                   mlops_type_name(mlops_profile_column_type(reference, c)));
        free(key);
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fputs("usage: monitor_stream REFERENCE.csv STREAM.csv [WINDOW_ROWS [HISTORY.json]]\n",
              stderr);
        return 2;
    }
    const char *window_rows = argc > 3 ? argv[3] : "100";
    mlops_dataset *ref_data = NULL, *batch = NULL;
    mlops_profile *reference = NULL;
    mlops_drift_monitor *monitor = NULL;
    mlops_csv_options *opts = NULL;
    mlops_csv_reader *reader = NULL;
    char *history = NULL;
    int status = 1;

    /* The reference: profiled once, its histogram bins fixed. A service
     * would save it with mlops_profile_save() and load it at start. */
    CHECK("reading the reference", mlops_dataset_read_csv(&ref_data, argv[1], NULL));
    CHECK("creating the reference profile", mlops_profile_create(&reference));
    CHECK("profiling the reference", mlops_profile_add(reference, ref_data));
    CHECK("fixing the reference bins", mlops_profile_fix_bins(reference));

    CHECK("creating the monitor", mlops_drift_monitor_create(&monitor, reference));
    CHECK("setting WINDOW_ROWS",
          mlops_drift_monitor_set_param(monitor, "window_rows", window_rows));
    CHECK("installing the alert", mlops_drift_monitor_set_alert(monitor, on_alert, NULL));

    /* The stream, batch by batch; batches need not line up with windows. */
    CHECK("creating the reader settings", mlops_csv_options_create(&opts));
    CHECK("setting the batch size", mlops_csv_options_set(opts, "batch_rows", "64"));
    CHECK("setting the column types", set_types(opts, reference));
    CHECK("opening the stream", mlops_csv_reader_open(&reader, argv[2], opts));
    for (;;) {
        CHECK("reading the stream", mlops_csv_reader_next(reader, &batch));
        if (batch == NULL) break;
        CHECK("monitoring a batch", mlops_drift_monitor_add(monitor, batch));
        mlops_dataset_free(batch);
        batch = NULL;
    }
    CHECK("closing the last window", mlops_drift_monitor_flush(monitor));

    size_t windows = mlops_drift_monitor_window_count(monitor), drifted = 0;
    for (size_t i = 0; i < windows; i++) {
        const mlops_drift_report *report = NULL;
        CHECK("reading the history", mlops_drift_monitor_window(monitor, i, &report));
        drifted += mlops_drift_report_dataset_drift(report, NULL) == 1;
    }
    uint64_t seen = 0, rejected = 0;
    CHECK("reading a counter", mlops_drift_monitor_counter(monitor, "rows_seen", &seen));
    CHECK("reading a counter", mlops_drift_monitor_counter(monitor, "rows_rejected", &rejected));
    printf("rows %llu (rejected %llu), windows %zu, drifted %zu\n", (unsigned long long)seen,
           (unsigned long long)rejected, windows, drifted);

    if (argc > 4) {
        CHECK("writing the history", mlops_drift_monitor_history_json(monitor, &history));
        FILE *f = fopen(argv[4], "w");
        int failed = f == NULL || fputs(history, f) < 0;
        if (f != NULL && fclose(f) != 0) failed = 1;
        if (failed) {
            perror(argv[4]);
            goto done;
        }
    }
    status = fflush(stdout) == 0 ? 0 : 1;

done:
    mlops_free(history);
    mlops_csv_reader_free(reader);
    mlops_csv_options_free(opts);
    mlops_dataset_free(batch);
    mlops_drift_monitor_free(monitor); /* before the reference it borrows */
    mlops_profile_free(reference);
    mlops_dataset_free(ref_data);
    return status;
}
