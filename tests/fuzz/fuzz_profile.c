/* libFuzzer target: the profile file loader (mlops_profile_load). The
 * input is written as DIR/input.profile and loaded, and again with its
 * container checksums recomputed so that mutations reach the section
 * decoders. A profile that loads answers every query, renders its JSON,
 * fixes its bins when they are not fixed yet, serves as a drift reference
 * compared with itself and with an empty profile like it, merges with a
 * second copy of itself, takes three more rows of its own columns, and
 * saves to a file that loads back to the same JSON. */
#include "fuzz_common.h"

#include <math.h>

static char *in_path, *out_path;
static size_t live_baseline;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    in_path = fuzz_path("input.profile");
    out_path = fuzz_path("saved.profile");
    live_baseline = mlops_live_allocations();
    return 0;
}

static void query(const mlops_profile *p)
{
    size_t cols = mlops_profile_cols(p);
    uint64_t dups = 0;
    int exact = 0;
    mlops_profile_rows(p);
    mlops_profile_duplicate_rows(p, &dups, &exact);
    for (size_t c = 0; c < cols && c < 1000; c++) {
        uint64_t count = 0, missing = 0, distinct = 0;
        size_t at = 0;
        const char *name = mlops_profile_column_name(p, c);
        if (name == NULL) fuzz_die("column without a name", "");
        if (mlops_profile_column_index(p, name, &at) != MLOPS_OK || at > c)
            fuzz_die("column name does not lead back to its column", name);
        mlops_profile_column_flags(p, c);
        mlops_profile_counts(p, c, &count, &missing);
        mlops_profile_distinct(p, c, &distinct, &exact);
        if (mlops_profile_column_type(p, c) == MLOPS_NUMERIC) {
            double min, max, mean, std, q;
            mlops_profile_stats(p, c, &min, &max, &mean, &std);
            for (int i = 0; i <= 4; i++) mlops_profile_quantile(p, c, i / 4.0, &q, &exact);
        } else {
            size_t n = 0;
            if (mlops_profile_top_count(p, c, &n) == MLOPS_OK)
                for (size_t r = 0; r < n && r < 20; r++) {
                    const char *value = NULL;
                    uint64_t cnt, err;
                    mlops_profile_top(p, c, r, &value, &cnt, &err);
                }
        }
        size_t bins = 0;
        if (mlops_profile_bin_count(p, c, &bins) == MLOPS_OK)
            for (size_t b = 0; b < bins && b < 200; b++) {
                double lo, hi;
                const char *category;
                uint64_t cnt;
                if (mlops_profile_bin(p, c, b, &lo, &hi, &category, &cnt) != MLOPS_OK)
                    fuzz_die("a counted bin cannot be read", mlops_last_error());
            }
    }
}

static void drift(const mlops_profile *p)
{
    mlops_drift_monitor *m = NULL;
    if (mlops_drift_monitor_create(&m, p) != MLOPS_OK) return;
    mlops_drift_report *r = NULL;
    char *json = NULL;
    if (mlops_drift_monitor_compare(m, p, &r) == MLOPS_OK && mlops_drift_report_json(r, &json) == MLOPS_OK)
        mlops_free(json);
    mlops_drift_report_free(r);
    r = NULL;
    mlops_profile *empty = NULL;
    if (mlops_profile_create_like(&empty, p) == MLOPS_OK &&
        mlops_drift_monitor_compare(m, empty, &r) == MLOPS_OK &&
        mlops_drift_report_json(r, &json) == MLOPS_OK)
        mlops_free(json);
    mlops_drift_report_free(r);
    mlops_profile_free(empty);
    mlops_drift_monitor_free(m);
}

/* Three rows of the profile's own columns: ordinary, missing, odd. */
static mlops_dataset *rows_like(const mlops_profile *p)
{
    static const double numbers[3] = {0.5, NAN, -1e300};
    size_t cols = mlops_profile_cols(p);
    mlops_dataset_builder *b = NULL;
    mlops_dataset *d = NULL;
    if (cols == 0 || cols > 1000 || mlops_dataset_builder_create(&b, 3) != MLOPS_OK) return NULL;
    int rc = MLOPS_OK;
    for (size_t c = 0; c < cols && rc == MLOPS_OK; c++) {
        const char *name = mlops_profile_column_name(p, c), *top = NULL;
        if (mlops_profile_column_type(p, c) == MLOPS_NUMERIC) {
            rc = mlops_dataset_builder_add_numeric(b, name, numbers);
        } else {
            mlops_profile_top(p, c, 0, &top, NULL, NULL);
            const char *values[3] = {top != NULL ? top : "x", NULL, "a category never seen"};
            rc = mlops_dataset_builder_add_categorical(b, name, values);
        }
    }
    if (rc == MLOPS_OK) mlops_dataset_builder_finish(b, &d);
    mlops_dataset_builder_free(b);
    return d;
}

static void use_profile(mlops_profile *p)
{
    char *json = NULL, *again = NULL;
    query(p);
    int rc = mlops_profile_to_json(p, &json);
    if (rc != MLOPS_OK && rc != MLOPS_ESTATE && rc != MLOPS_ENOMEM)
        fuzz_die("a loaded profile has no JSON", mlops_last_error());

    if (mlops_profile_save(p, out_path) == MLOPS_OK) {
        mlops_profile *copy = NULL;
        if (mlops_profile_load(&copy, out_path) != MLOPS_OK)
            fuzz_die("a saved profile does not load", mlops_last_error());
        if (json != NULL && mlops_profile_to_json(copy, &again) == MLOPS_OK &&
            strcmp(json, again) != 0)
            fuzz_die("saving and loading changes the profile's JSON", "");
        mlops_free(again);
        if (mlops_profile_merge(copy, p) == MLOPS_OK) {
            char *merged = NULL;
            query(copy);
            mlops_profile_to_json(copy, &merged);
            mlops_free(merged);
        }
        mlops_dataset *d = rows_like(p);
        if (d != NULL && mlops_profile_add(copy, d) == MLOPS_OK) query(copy);
        mlops_dataset_free(d);
        mlops_profile_free(copy);
    }
    mlops_free(json);

    if (!mlops_profile_has_bins(p) && mlops_profile_fix_bins(p) == MLOPS_OK) query(p);
    if (mlops_profile_has_bins(p)) drift(p);
}

static void load(const uint8_t *data, size_t size)
{
    mlops_profile *p = NULL;
    fuzz_write_file(in_path, data, size);
    int rc = mlops_profile_load(&p, in_path);
    if (rc == MLOPS_OK) use_profile(p);
    else if (p != NULL) fuzz_die("a failed load returned a profile", mlops_last_error());
    mlops_profile_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load(data, size);
    unsigned char *fixed = malloc(size > 0 ? size : 1);
    if (fixed == NULL) fuzz_die("out of memory", "copy");
    if (size > 0) memcpy(fixed, data, size);
    if (fuzz_fix_container(fixed, size)) load(fixed, size);
    free(fixed);
    fuzz_check_live(live_baseline);
    return 0;
}
