/* libFuzzer target: the schema loader (JSON or YAML text). The input is
 * parsed from memory and, through mlops_schema_load(), from a file. A
 * schema that loads must survive a round trip through its own JSON
 * unchanged, answer every mlops_schema_get() key, and check a small
 * dataset without failing. */
#include "fuzz_common.h"

static char *schema_path;
static mlops_dataset *data;
static size_t live_baseline;

/* A few rows touching the column names and types the seed schemas use. */
static const char data_csv[] =
    "sepal_length,sepal_width,petal_length,petal_width,species,age,city,Origin,"
    "Miles_per_Gallon\n"
    "5.1,3.5,1.4,0.2,setosa,31,Oslo,USA,18\n"
    "4.9,,1.4,0.2,versicolor,,Bergen,Europe,\n"
    "6.3,3.3,6.0,2.5,virginica,77,Oslo,Japan,31.5\n"
    "-1,1e308,NaN,0,other,5,,USA,4\n";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    schema_path = fuzz_path("schema.yaml");
    if (mlops_dataset_read_csv_memory(&data, data_csv, sizeof data_csv - 1, "data.csv", NULL) !=
        MLOPS_OK)
        fuzz_die("cannot read the built-in data", mlops_last_error());
    live_baseline = mlops_live_allocations();
    return 0;
}

static void use_schema(const mlops_schema *s)
{
    static const char *const keys[] = {"type", "role", "required", "sensitive", "min", "max",
                                       "max_missing_fraction", "categories"};
    char *json = NULL, *again = NULL;
    mlops_schema *copy = NULL;
    if (mlops_schema_to_json(s, &json) != MLOPS_OK) return;
    if (mlops_schema_from_text(&copy, json, strlen(json), "round trip") != MLOPS_OK) {
        fprintf(stderr, "%s\n", json);
        fuzz_die("a schema's own JSON does not load", mlops_last_error());
    }
    if (mlops_schema_to_json(copy, &again) == MLOPS_OK && strcmp(json, again) != 0) {
        fprintf(stderr, "first:\n%s\nsecond:\n%s\n", json, again);
        fuzz_die("the JSON round trip changes the schema", "");
    }
    mlops_free(again);
    mlops_free(json);
    mlops_schema_free(copy);

    size_t n = mlops_schema_column_count(s);
    for (size_t i = 0; i < n; i++) {
        const char *name = mlops_schema_column_name(s, i);
        size_t at = 0;
        if (name == NULL || mlops_schema_column_index(s, name, &at) != MLOPS_OK || at != i)
            fuzz_die("column name does not lead back to its column", name);
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            char *value = NULL;
            if (mlops_schema_get(s, name, keys[k], &value) != MLOPS_OK)
                fuzz_die("a column setting cannot be read", keys[k]);
            mlops_free(value);
        }
        const char *const *values = NULL;
        size_t count = 0;
        if (mlops_schema_categories(s, name, &values, &count) < 0)
            fuzz_die("categories cannot be read", name);
    }
    char *strict = NULL;
    mlops_schema_get_option(s, "strict", &strict);
    mlops_free(strict);

    mlops_validation *v = NULL;
    if (mlops_schema_check(s, data, &v) == MLOPS_OK) {
        char *report = NULL;
        mlops_validation_to_json(v, &report);
        mlops_free(report);
    }
    mlops_validation_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    mlops_schema *s = NULL;
    int rc = mlops_schema_from_text(&s, (const char *)bytes, size, "fuzz");
    if (rc == MLOPS_OK) use_schema(s);
    else if (s != NULL) fuzz_die("a failed load returned a schema", mlops_last_error());
    mlops_schema_free(s);

    fuzz_write_file(schema_path, bytes, size);
    mlops_schema *f = NULL;
    int rc_file = mlops_schema_load(&f, schema_path);
    if ((rc_file == MLOPS_OK) != (rc == MLOPS_OK))
        fuzz_die("loading from a file and from memory disagree", mlops_last_error());
    mlops_schema_free(f);
    fuzz_check_live(live_baseline);
    return 0;
}
