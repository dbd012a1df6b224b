/* libFuzzer target: the YAML pipeline loader and its validation. The input
 * is written as DIR/pipeline.yaml beside a small DIR/data.csv (the first
 * rows of the Auto MPG data, which the seed pipelines name), loaded,
 * given an override, validated (twice: the second must find the same
 * problems), and its problems (or, when valid, the resolved configuration)
 * rendered as JSON. Nothing is run, so nothing is
 * written. Inputs naming /proc, /sys or /dev are skipped: validation reads
 * the first rows of the data file a pipeline names, and those trees hold
 * endless or huge files. */
#include "fuzz_common.h"

static char *yaml_path;
static size_t live_baseline;

static const char data_csv[] =
    "Name,Miles_per_Gallon,Cylinders,Displacement,Horsepower,Weight_in_lbs,Acceleration,Year,"
    "Origin\n"
    "chevrolet chevelle malibu,18.0,8,307.0,130.0,3504,12.0,1970-01-01,USA\n"
    "buick skylark 320,15.0,8,350.0,165.0,3693,11.5,1970-01-01,USA\n"
    "citroen ds-21 pallas,,4,133.0,115.0,3090,17.5,1970-01-01,Europe\n"
    "toyota corona mark ii,24.0,4,113.0,95.0,2372,15.0,1970-01-01,Japan\n"
    "ford pinto,25.0,4,98.0,,2046,19.0,1971-01-01,USA\n"
    "volkswagen 1131 deluxe sedan,26.0,4,97.0,46.0,1835,20.5,1970-01-01,Europe\n"
    "datsun pl510,27.0,4,97.0,88.0,2130,14.5,1970-01-01,Japan\n"
    "peugeot 504,25.0,4,110.0,87.0,2672,17.5,1970-01-01,Europe\n"
    "amc hornet,18.0,6,199.0,97.0,2774,15.5,1970-01-01,USA\n"
    "toyota corolla,31.0,4,71.0,65.0,1773,19.0,1971-01-01,Japan\n"
    "fiat 124b,30.0,4,88.0,76.0,2065,14.5,1971-01-01,Europe\n"
    "plymouth duster,22.0,6,198.0,95.0,2833,15.5,1970-01-01,USA\n";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char *csv = fuzz_path("data.csv");
    fuzz_write_file(csv, data_csv, sizeof data_csv - 1);
    free(csv);
    yaml_path = fuzz_path("pipeline.yaml");
    live_baseline = mlops_live_allocations();
    return 0;
}

static int mentions(const uint8_t *data, size_t size, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp(data + i, word, n) == 0) return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (mentions(data, size, "/proc") || mentions(data, size, "/sys") ||
        mentions(data, size, "/dev"))
        return 0;
    fuzz_write_file(yaml_path, data, size);
    mlops_pipeline *p = NULL;
    int rc = mlops_pipeline_load(&p, yaml_path);
    if (rc != MLOPS_OK) {
        if (p != NULL) fuzz_die("a failed load returned a pipeline", mlops_last_error());
        fuzz_check_live(live_baseline);
        return 0;
    }
    char *json = NULL;
    if (mlops_pipeline_config_json(p, &json) != MLOPS_ESTATE)
        fuzz_die("configuration given before validation", "");
    if (size > 0 && (data[0] & 1)) mlops_pipeline_override(p, "model.settings.l2=0.5");
    rc = mlops_pipeline_validate(p);
    size_t problems = mlops_pipeline_problem_count(p);
    if ((rc == MLOPS_OK) != (problems == 0))
        fuzz_die("validation result and problem count disagree", mlops_last_error());
    for (size_t i = 0; i < problems; i++)
        if (mlops_pipeline_problem(p, i) == NULL) fuzz_die("a listed problem is missing", "");
    if (mlops_pipeline_problems_json(p, &json) == MLOPS_OK) {
        /* Validation reads the configuration only: a second one finds the
         * same problems. */
        char *again = NULL;
        int rc2 = mlops_pipeline_validate(p);
        if (rc2 != rc && rc2 != MLOPS_ENOMEM)
            fuzz_die("a second validation gives another result", mlops_last_error());
        if (mlops_pipeline_problems_json(p, &again) == MLOPS_OK && strcmp(json, again) != 0) {
            fprintf(stderr, "first:\n%s\nsecond:\n%s\n", json, again);
            fuzz_die("a second validation finds other problems", "");
        }
        mlops_free(again);
        mlops_free(json);
    }
    json = NULL;
    if (rc == MLOPS_OK) {
        rc = mlops_pipeline_config_json(p, &json);
        if (rc != MLOPS_OK && rc != MLOPS_ENOMEM)
            fuzz_die("a valid pipeline has no configuration", mlops_last_error());
        mlops_free(json);
    }
    mlops_pipeline_free(p);
    fuzz_check_live(live_baseline);
    return 0;
}
