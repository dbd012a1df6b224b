/* Loading and validating pipeline files through the public API: every
 * problem of a file reported in one validation with FILE:LINE:COLUMN, the
 * key path and a suggestion; each kind of problem on its own; overrides
 * and their positions; the resolved configuration with its defaults; the
 * limits on hostile files; and clean failure when memory runs out. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, realpath */
#define _XOPEN_SOURCE 700
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"

#define FIXTURES DATA_DIR "/pipeline/"
#define CARS DATA_DIR "/real/cars.csv"

static char tmpdir[64];
static char tmpfile_path[128];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mlops-pipeline-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(tmpfile_path, sizeof tmpfile_path, "%s/p.yaml", tmpdir);
}

static void teardown(void)
{
    unlink(tmpfile_path);
    rmdir(tmpdir);
}

/* Writes a pipeline file (the text of a printf format) and loads it. */
static mlops_pipeline *load_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static mlops_pipeline *load_text(const char *fmt, ...)
{
    FILE *f = fopen(tmpfile_path, "w");
    ck_assert_ptr_nonnull(f);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fclose(f);
    mlops_pipeline *p = NULL;
    ck_assert_int_eq(mlops_pipeline_load(&p, tmpfile_path), MLOPS_OK);
    return p;
}

/* A valid pipeline, then `extra` lines appended at the end of the file. */
#define BASE                                                                                       \
    "version: 1\n"                                                                                 \
    "name: t\n"                                                                                    \
    "data:\n"                                                                                      \
    "  path: " CARS "\n"                                                                           \
    "  target: Origin\n"                                                                           \
    "model:\n"                                                                                     \
    "  kind: logistic_regression\n"

/* Validates and checks the problems are exactly `expected` (NULL-ended),
 * each given without the "FILE:" prefix when it is the temporary file. */
static void expect_problems(mlops_pipeline *p, ...)
{
    va_list ap;
    va_start(ap, p);
    size_t n = 0;
    int rc = mlops_pipeline_validate(p);
    for (const char *want; (want = va_arg(ap, const char *)) != NULL; n++) {
        const char *got = mlops_pipeline_problem(p, n);
        ck_assert_msg(got != NULL, "problem %zu missing: %s", n, want);
        char full[1024];
        if (strncmp(want, "--set:", 6) == 0)
            snprintf(full, sizeof full, "%s", want);
        else
            snprintf(full, sizeof full, "%s:%s", tmpfile_path, want);
        ck_assert_str_eq(got, full);
    }
    va_end(ap);
    for (size_t i = n; i < mlops_pipeline_problem_count(p); i++)
        ck_abort_msg("unexpected problem: %s", mlops_pipeline_problem(p, i));
    ck_assert_int_eq(rc, n == 0 ? MLOPS_OK : MLOPS_EINVAL);
    ck_assert_uint_eq(mlops_pipeline_problem_count(p), n);
}

START_TEST(five_mistakes_reported_at_once)
{
    mlops_pipeline *p;
    const char *path = FIXTURES "five_mistakes.yaml";
    ck_assert_int_eq(mlops_pipeline_load(&p, path), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_validate(p), MLOPS_EINVAL);
    char dir[PATH_MAX], want[PATH_MAX + 512];
    ck_assert_ptr_nonnull(realpath(FIXTURES, dir));
    ck_assert_uint_eq(mlops_pipeline_problem_count(p), 5);
    snprintf(want, sizeof want, "%s:6:9: data.path: file '%s/no_such_file.csv' does not exist", path, dir);
    ck_assert_str_eq(mlops_pipeline_problem(p, 0), want);
    snprintf(want, sizeof want, "pipeline %s: 5 problems; the first: %s", path, mlops_pipeline_problem(p, 0));
    ck_assert_str_eq(mlops_last_error(), want);
    snprintf(want, sizeof want, "%s:8:3: data.splt: unknown key 'splt' (did you mean 'split'?)", path);
    ck_assert_str_eq(mlops_pipeline_problem(p, 1), want);
    snprintf(want, sizeof want, "%s:11:3: model.kind: missing required key 'kind'", path);
    ck_assert_str_eq(mlops_pipeline_problem(p, 2), want);
    snprintf(want, sizeof want, "%s:14:14: evaluate.bootstrap: expected an integer, got the string 'many'", path);
    ck_assert_str_eq(mlops_pipeline_problem(p, 3), want);
    snprintf(want, sizeof want,
             "%s:16:7: evaluate.gates[0]: gate 'accuracy >> 0.8': '>>' at position 10 is not a comparison "
             "(use >=, <=, >, <, == or !=)",
             path);
    ck_assert_str_eq(mlops_pipeline_problem(p, 4), want);
    ck_assert_ptr_null(mlops_pipeline_problem(p, 5));

    char *json = NULL;
    ck_assert_int_eq(mlops_pipeline_problems_json(p, &json), MLOPS_OK);
    snprintf(want, sizeof want,
             "{\"file\":\"%s\",\"line\":8,\"column\":3,\"key\":\"data.splt\","
             "\"message\":\"unknown key 'splt'\",\"suggestion\":\"split\"}",
             path);
    ck_assert_ptr_nonnull(strstr(json, want));
    snprintf(want, sizeof want,
             "{\"file\":\"%s\",\"line\":11,\"column\":3,\"key\":\"model.kind\","
             "\"message\":\"missing required key 'kind'\",\"suggestion\":null}",
             path);
    ck_assert_ptr_nonnull(strstr(json, want));
    ck_assert_int_eq(json[0], '[');
    mlops_free(json);
    char *config = NULL;
    ck_assert_int_eq(mlops_pipeline_config_json(p, &config), MLOPS_ESTATE);
    ck_assert_ptr_null(config);
    mlops_pipeline_free(p);
}
END_TEST

START_TEST(billion_laughs_fails_fast_in_bounded_memory)
{
    mlops_pipeline *p = (mlops_pipeline *)1;
    struct timespec a, b;
    struct rusage before, after;
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &before), 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    ck_assert_int_eq(mlops_pipeline_load(&p, FIXTURES "billion_laughs.yaml"), MLOPS_EFORMAT);
    clock_gettime(CLOCK_MONOTONIC, &b);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(mlops_last_error(), FIXTURES "billion_laughs.yaml:9:8: alias expansion exceeds 100000 nodes");
    double seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
    ck_assert_double_lt(seconds, 1.0);
    /* the peak resident size grew by less than 50 MB (it is in kilobytes) */
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &after), 0);
    ck_assert_int_lt(after.ru_maxrss - before.ru_maxrss, 50 * 1024);
}
END_TEST

START_TEST(load_errors_name_the_place)
{
    mlops_pipeline *p;
    ck_assert_int_eq(mlops_pipeline_load(&p, FIXTURES "does_not_exist.yaml"), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "does_not_exist.yaml"));
    ck_assert_int_eq(mlops_pipeline_load(NULL, "x"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_pipeline_load(&p, NULL), MLOPS_EINVAL);

    FILE *f = fopen(tmpfile_path, "w");
    fputs("version: 1\nname: a\nname: b\n", f);
    fclose(f);
    ck_assert_int_eq(mlops_pipeline_load(&p, tmpfile_path), MLOPS_EFORMAT);
    char want[256];
    snprintf(want, sizeof want, "%s:3:1: duplicate key 'name' (first at line 2, column 1)", tmpfile_path);
    ck_assert_str_eq(mlops_last_error(), want);

    f = fopen(tmpfile_path, "w");
    fputs("version: 1\ndata:\n  path: x\n   target: y\n", f);
    fclose(f);
    ck_assert_int_eq(mlops_pipeline_load(&p, tmpfile_path), MLOPS_EFORMAT);
    snprintf(want, sizeof want, "%s:4:10: mapping values are not allowed in this context", tmpfile_path);
    ck_assert_str_eq(mlops_last_error(), want);

    f = fopen(tmpfile_path, "w");
    for (int i = 0; i < 70; i++) fprintf(f, "%*sk%d:\n", 2 * i, "", i);
    fclose(f);
    ck_assert_int_eq(mlops_pipeline_load(&p, tmpfile_path), MLOPS_EFORMAT);
    snprintf(want, sizeof want, "%s:65:129: nesting deeper than 64 levels", tmpfile_path);
    ck_assert_str_eq(mlops_last_error(), want);

    mlops_pipeline_free(NULL);
    ck_assert_uint_eq(mlops_pipeline_problem_count(NULL), 0);
    ck_assert_ptr_null(mlops_pipeline_problem(NULL, 0));
    ck_assert_int_eq(mlops_pipeline_validate(NULL), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_pipeline_set_step_callback(NULL, NULL, NULL), MLOPS_EINVAL);
}
END_TEST

START_TEST(unknown_keys_suggest_the_nearest)
{
    mlops_pipeline *p = load_text(BASE "evaluate:\n  metricz: [accuracy]\n  frobnicate: 1\nmonitr: {}\n");
    expect_problems(p, "9:3: evaluate.metricz: unknown key 'metricz' (did you mean 'metrics'?)",
                    "10:3: evaluate.frobnicate: unknown key 'frobnicate'",
                    "11:1: monitr: unknown key 'monitr' (did you mean 'monitor'?)", NULL);
    mlops_pipeline_free(p);
    /* keys under "*" (settings, columns) are free; their values are not */
    p = load_text(BASE "  settings: {max_iter: 50, l3: 1}\n");
    expect_problems(p, "8:28: model.settings.l3: unknown model setting 'l3' (did you mean 'l2'?)", NULL);
    mlops_pipeline_free(p);
}
END_TEST

START_TEST(wrong_types_say_what_was_expected)
{
    mlops_pipeline *p = load_text(BASE "seed: 1.5\n"
                                       "evaluate:\n"
                                       "  threshold: abc\n"
                                       "  gates: {a: 1}\n"
                                       "  groups: [Cylinders, [x]]\n"
                                       "monitor:\n"
                                       "  fail_on_drift: yes\n"
                                       "  bins: \"10\"\n"
                                       "preprocess: {step: impute}\n"
                                       "output: [a]\n"
                                       "description:\n");
    expect_problems(p, "8:7: seed: expected an integer, got the number 1.5",
                    "10:14: evaluate.threshold: expected a number, got the string 'abc'",
                    "11:10: evaluate.gates: expected a string or a list of strings, got a mapping",
                    "12:23: evaluate.groups[1]: expected a string, got a list",
                    "14:18: monitor.fail_on_drift: expected true or false, got the string 'yes'",
                    "15:9: monitor.bins: expected an integer, got the string '10'",
                    "16:13: preprocess: expected a list of mappings, got a mapping",
                    "17:9: output: expected a mapping, got a list",
                    "18:13: description: expected a string, got null", NULL);
    mlops_pipeline_free(p);
    p = load_text(BASE "  search:\n    grid: {l2: []}\n");
    expect_problems(p, "9:16: model.search.grid.l2: expected a non-empty list of values, got an empty list", NULL);
    mlops_pipeline_free(p);
    p = load_text("- version: 1\n");
    expect_problems(p, "1:1: expected a mapping of the pipeline's sections, got a list", NULL);
    mlops_pipeline_free(p);
}
END_TEST

START_TEST(missing_required_keys_at_their_mapping)
{
    mlops_pipeline *p = load_text("version: 1\n"
                                  "data:\n"
                                  "  target: Origin\n"
                                  "model:\n"
                                  "registry:\n"
                                  "preprocess:\n"
                                  "  - columns: [a]\n");
    expect_problems(p, "1:1: name: missing required key 'name'", "3:3: data.path: missing required key 'path'",
                    "4:1: model.kind: missing required key 'kind'",
                    "5:1: registry.path: missing required key 'path'",
                    "7:5: preprocess[0].step: missing required key 'step'", NULL);
    mlops_pipeline_free(p);
    p = load_text("# nothing yet\n");
    expect_problems(p, "1:1: version: missing required key 'version'", "1:1: name: missing required key 'name'",
                    "1:1: data: missing required key 'data'", "1:1: model: missing required key 'model'", NULL);
    mlops_pipeline_free(p);
}
END_TEST

START_TEST(enumerations_suggest_allowed_values)
{
    mlops_pipeline *p = load_text("version: 2\nname: t\ndata:\n  path: " CARS "\n  target: Origin\n"
                                  "  split: {method: randm}\n"
                                  "model:\n  kind: logistic\n"
                                  "preprocess:\n  - step: imptue\n");
    expect_problems(p, "1:10: version: must be 1, not the number 2",
                    "6:19: data.split.method: the string 'randm' is not one of auto, random, stratified, time "
                    "(did you mean 'random'?)",
                    "8:9: model.kind: the string 'logistic' is not one of linear_regression, logistic_regression",
                    "10:11: preprocess[0].step: the string 'imptue' is not one of impute, standardize, minmax, "
                    "onehot, drop (did you mean 'impute'?)",
                    NULL);
    mlops_pipeline_free(p);
}
END_TEST

START_TEST(library_refusals_become_problems)
{
    mlops_pipeline *p = load_text(BASE "  settings:\n    l2: -1\n    max_iter: many\n"
                                       "  card: {ownr: me}\n"
                                       "  search:\n    grid: {l2: [0.1, -2], tol: [0]}\n    metric: acuracy\n"
                                       "preprocess:\n"
                                       "  - step: impute\n    settings: {strategy: mediam, stratgy: mean}\n"
                                       "  - step: drop\n"
                                       "evaluate:\n"
                                       "  metrics: [accuracy, f2]\n"
                                       "  threshold: 1.5\n"
                                       "  probes: [noise:0.1, 'swap:x']\n"
                                       "  gates:\n    - accuracy >= 0.8\n    - acuracy >= 0.8\n    - accuracy >= high\n");
    expect_problems(
        p, "9:9: model.settings.l2: -1 must be finite and >= 0",
        "10:15: model.settings.max_iter: 'many' is not a whole number",
        "11:10: model.card.ownr: unknown model card field 'ownr' (fields: name, version, owner, contact, license, "
        "description, intended_use, out_of_scope_use, training_data, evaluation_data, ethical_considerations, "
        "caveats) (did you mean 'owner'?)",
        "13:22: model.search.grid.l2[1]: -2 must be finite and >= 0",
        "13:33: model.search.grid.tol[0]: 0 must be finite and > 0",
        "14:13: model.search.metric: metric: unknown metric 'acuracy' (did you mean 'accuracy'?)",
        "17:26: preprocess[0].settings.strategy: step 0 strategy 'mediam' is not one of mean, median, "
        "most_frequent, constant (did you mean 'median'?)",
        "17:34: preprocess[0].settings.stratgy: step 0 (impute) has no setting 'stratgy' (impute settings: "
        "strategy, fill_value) (did you mean 'strategy'?)",
        "18:11: preprocess[1].step: drop needs the columns named, not '*'",
        "20:23: evaluate.metrics[1]: metrics: unknown metric 'f2' (did you mean 'f1'?)",
        "21:14: evaluate.threshold: threshold must be a number in [0, 1], not '1.5'",
        "22:23: evaluate.probes[1]: probes 'swap:x': bad swap level at 'x' (noise: > 0 standard deviations; swap, "
        "missing: a probability in (0, 1])",
        "25:7: evaluate.gates[1]: gate 'acuracy >= 0.8': unknown metric 'acuracy' (did you mean 'accuracy'?)",
        "26:7: evaluate.gates[2]: gate 'accuracy >= high': expected a number after '>='", NULL);
    mlops_pipeline_free(p);
}
END_TEST

START_TEST(pipeline_ranges_and_names)
{
    mlops_pipeline *p = load_text("version: 1\nname: my model\nseed: -1\n"
                                  "data:\n  path: " CARS "\n  target: Origin\n"
                                  "  columns:\n    Cylinders: {min: 10, max: 5}\n"
                                  "    Origin: {type: numeric, categories: [USA]}\n"
                                  "  split: {test_size: 1.5, method: time}\n"
                                  "model:\n  kind: logistic_regression\n  search: {grid: {l2: [1]}, folds: 1}\n"
                                  "monitor:\n  bins: 1\n  drift_share: 0\n  columns: {Weight_in_lbs: {threshold: -1}}\n"
                                  "  current: later.csv\n"
                                  "registry: {path: reg, alias: prod uction}\n");
    char dir[PATH_MAX], later[PATH_MAX + 512];
    ck_assert_ptr_nonnull(realpath(tmpdir, dir));
    snprintf(later, sizeof later, "18:12: monitor.current: file '%s/later.csv' does not exist", dir);
    expect_problems(p, "2:7: name: model name 'my model' has the character ' ' at position 3; "
                       "names use only letters, digits, '.', '_' and '-'",
                    "3:7: seed: must be 0 or more, not -1", "8:31: data.columns.Cylinders.max: max 5 is below min 10",
                    "9:41: data.columns.Origin.categories: column 'Origin' is numeric; categories apply to categorical columns",
                    "10:22: data.split.test_size: must be between 0 and 1 (both excluded), not 1.5",
                    "10:35: data.split.method: method 'time' needs data.split.time_column",
                    "13:36: model.search.folds: must be at least 2, not 1", "15:9: monitor.bins: must be at least 2, not 1",
                    "16:16: monitor.drift_share: must be above 0 and at most 1, not 0",
                    "17:40: monitor.columns.Weight_in_lbs.threshold: must be a number above 0, not -1", later,
                    "19:30: registry.alias: alias 'prod uction' has the character ' ' at position 5; "
                    "names use only letters, digits, '.', '_' and '-'",
                    NULL);
    mlops_pipeline_free(p);
}
END_TEST

START_TEST(columns_must_exist_in_the_data)
{
    mlops_pipeline *p = load_text("version: 1\nname: t\n"
                                  "data:\n  path: " CARS "\n  target: origin\n  id: Name\n  weight: Wieght_in_lbs\n"
                                  "  ignore: [Year, Colour]\n"
                                  "  columns: {Cylindrs: {min: 3}, Optional: {required: false}}\n"
                                  "  split: {method: time, time_column: Yaer}\n"
                                  "preprocess:\n  - {step: standardize, columns: [Horsepower, Horsepowr]}\n"
                                  "model:\n  kind: logistic_regression\n"
                                  "evaluate: {groups: Cylindres}\n"
                                  "monitor: {columns: {Nme: {method: skip}}}\n");
    expect_problems(p, "5:11: data.target: no column 'origin' in '" CARS "' (did you mean 'Origin'?)",
                    "7:11: data.weight: no column 'Wieght_in_lbs' in '" CARS "' (did you mean 'Weight_in_lbs'?)",
                    "8:18: data.ignore[1]: no column 'Colour' in '" CARS "'",
                    "9:13: data.columns.Cylindrs: no column 'Cylindrs' in '" CARS "' (did you mean 'Cylinders'?)",
                    "10:38: data.split.time_column: no column 'Yaer' in '" CARS "'",
                    "12:47: preprocess[0].columns[1]: no column 'Horsepowr' in '" CARS "' (did you mean 'Horsepower'?)",
                    "15:20: evaluate.groups: no column 'Cylindres' in '" CARS "' (did you mean 'Cylinders'?)",
                    "16:21: monitor.columns.Nme: no column 'Nme' in '" CARS "' (did you mean 'Name'?)", NULL);
    mlops_pipeline_free(p);
}
END_TEST

START_TEST(overrides_are_checked_at_their_place)
{
    mlops_pipeline *p = load_text(BASE "  settings: {l2: 0.5}\nseed: x\n");
    ck_assert_int_eq(mlops_pipeline_override(p, "model.settings.l2=abc"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_override(p, "model.setings.x=1"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_override(p, "evaluate.gates=[accuracy >= 0.5, acc >= 1]"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_override(p, "data.split.test_size=[1, "), MLOPS_EFORMAT);
    ck_assert_str_eq(mlops_last_error(),
                     "--set:4:26: data.split.test_size: did not find expected node content while parsing a flow node");
    ck_assert_int_eq(mlops_pipeline_override(p, "model.kind.x=1"), MLOPS_EINVAL);
    ck_assert_str_eq(mlops_last_error(), "override 4 'model.kind.x=1': 'model.kind' is a scalar, not a mapping");
    ck_assert_int_eq(mlops_pipeline_override(p, "model..l2=1"), MLOPS_EINVAL);
    ck_assert_str_eq(mlops_last_error(), "override 4 'model..l2=1': empty key part at column 7");
    ck_assert_int_eq(mlops_pipeline_override(p, "=1"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_pipeline_override(p, "model.l2"), MLOPS_EINVAL);
    ck_assert_str_eq(mlops_last_error(), "override 4 'model.l2': expected KEY.PATH=VALUE");
    ck_assert_int_eq(mlops_pipeline_override(p, NULL), MLOPS_EINVAL);
    expect_problems(p, "9:7: seed: expected an integer, got the string 'x'",
                    "--set:1:19: model.settings.l2: 'abc' is not a number",
                    "--set:2:7: model.setings: unknown key 'setings' (did you mean 'settings'?)",
                    "--set:3:34: evaluate.gates[1]: gate 'acc >= 1': unknown metric 'acc'", NULL);
    /* a later override fixes an earlier one; validation runs afresh */
    ck_assert_int_eq(mlops_pipeline_override(p, "model.settings.l2=0.25"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_override(p, "model.setings="), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_override(p, "seed=3"), MLOPS_OK);
    expect_problems(p, "--set:2:7: model.setings: unknown key 'setings' (did you mean 'settings'?)",
                    "--set:3:34: evaluate.gates[1]: gate 'acc >= 1': unknown metric 'acc'", NULL);
    mlops_pipeline_free(p);
}
END_TEST

START_TEST(overrides_build_and_replace)
{
    mlops_pipeline *p = load_text(BASE "  settings: &s {l2: 0.5, max_iter: 100}\n"
                                       "  card: {owner: me}\n"
                                       "evaluate: {metrics: accuracy}\n");
    char *json = NULL;
    ck_assert_int_eq(mlops_pipeline_config_json(p, &json), MLOPS_ESTATE);
    ck_assert_int_eq(mlops_pipeline_override(p, "model.settings.l2=0.125"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_override(p, "registry.path=reg"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_override(p, "registry.alias='prod'"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_override(p, "model.search={grid: {l2: [0.1, 1]}, folds: 3}"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_override(p, "data.split.test_size=0.3"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_validate(p), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_config_json(p, &json), MLOPS_OK);
    char dir[PATH_MAX], want[PATH_MAX + 512];
    ck_assert_ptr_nonnull(realpath(tmpdir, dir));
    ck_assert_ptr_nonnull(strstr(json, "\"settings\": {\n      \"l2\": 0.125,\n      \"max_iter\": 100\n    }"));
    snprintf(want, sizeof want, "\"registry\": {\n    \"path\": \"%s/reg\",\n    \"alias\": \"prod\"\n  }", dir);
    ck_assert_ptr_nonnull(strstr(json, want));
    ck_assert_ptr_nonnull(strstr(json, "\"grid\": {\n        \"l2\": [\n          0.1,\n          1\n        ]\n"
                                       "      },\n      \"folds\": 3\n"));
    ck_assert_ptr_nonnull(strstr(json, "\"split\": {\n      \"method\": \"auto\",\n      \"test_size\": 0.3\n    }"));
    ck_assert_ptr_nonnull(strstr(json, "\"metrics\": [\n      \"accuracy\"\n    ]"));
    mlops_free(json);
    mlops_pipeline_free(p);

    /* an override of a mapping reached through an alias changes only that place */
    p = load_text(BASE "  settings: &s {l2: 0.5}\n  search: {grid: {l2: [1]}}\nextra: *s\n");
    ck_assert_int_eq(mlops_pipeline_override(p, "extra.l2=9"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_override(p, "model.settings.tol=0.001"), MLOPS_OK);
    expect_problems(p, "10:1: extra: unknown key 'extra'", NULL);
    ck_assert_int_eq(mlops_pipeline_override(p, "extra="), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_validate(p), MLOPS_EINVAL);
    mlops_pipeline_free(p);
    p = load_text(BASE "  settings: &s {l2: 0.5}\nevaluate: {bootstrap: 10}\n");
    ck_assert_int_eq(mlops_pipeline_override(p, "model.settings.tol=0.001"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_validate(p), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_config_json(p, &json), MLOPS_OK);
    ck_assert_ptr_nonnull(strstr(json, "\"settings\": {\n      \"l2\": 0.5,\n      \"tol\": 0.001\n    }"));
    mlops_free(json);
    mlops_pipeline_free(p);
}
END_TEST

START_TEST(valid_pipeline_resolves_defaults)
{
    mlops_pipeline *p;
    ck_assert_int_eq(mlops_pipeline_load(&p, FIXTURES "valid.yaml"), MLOPS_OK);
    ck_assert_int_eq(mlops_pipeline_validate(p), MLOPS_OK);
    ck_assert_uint_eq(mlops_pipeline_problem_count(p), 0);
    char *json = NULL;
    ck_assert_int_eq(mlops_pipeline_problems_json(p, &json), MLOPS_OK);
    ck_assert_str_eq(json, "[]");
    mlops_free(json);
    ck_assert_int_eq(mlops_pipeline_config_json(p, &json), MLOPS_OK);
    char dir[PATH_MAX], want[PATH_MAX + 512];
    ck_assert_ptr_nonnull(realpath(FIXTURES "../real", dir));
    snprintf(want, sizeof want, "{\n  \"version\": 1,\n  \"name\": \"cars-origin\",\n  \"seed\": 7,\n  \"data\": {\n"
                                "    \"path\": \"%s/cars.csv\",\n    \"delimiter\": \"auto\",\n",
             dir);
    ck_assert_msg(strncmp(json, want, strlen(want)) == 0, "config starts %.300s", json);
    static const char *const parts[] = {
        "\"Miles_per_Gallon\": {\n        \"required\": true,\n        \"sensitive\": false,\n"
        "        \"min\": 5,\n        \"max\": 60,\n        \"max_missing_fraction\": 1\n      }",
        "\"on_invalid\": \"fail\"",
        "\"split\": {\n      \"method\": \"stratified\",\n      \"test_size\": 0.2\n    }",
        "{\n      \"step\": \"onehot\",\n      \"columns\": [\n        \"*\"\n      ]\n    }",
        "\"settings\": {\n      \"l2\": 0.01,\n      \"fit_intercept\": true\n    }",
        "\"evaluate\": {\n    \"on\": \"test\",",
        "\"min_group_size\": 30,\n    \"bootstrap\": 0,\n    \"bootstrap_level\": 0.95,",
        "\"groups\": [\n      \"Cylinders\"\n    ]",
        "\"monitor\": {\n    \"reference\": \"train\",\n    \"bins\": 10,",
        "\"correction\": \"benjamini_hochberg\",\n    \"drift_share\": 0.5,\n    \"current\": \"test\",\n"
        "    \"fail_on_drift\": false\n  }",
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        ck_assert_msg(strstr(json, parts[i]) != NULL, "missing %s in %s", parts[i], json);
    ck_assert_ptr_nonnull(realpath(FIXTURES, dir));
    snprintf(want, sizeof want, "\"output\": {\n    \"dir\": \"%s/runs/cars\",\n    \"reports\": true\n  }\n}", dir);
    ck_assert_ptr_nonnull(strstr(json, want));
    ck_assert_ptr_null(strstr(json, "registry"));
    mlops_free(json);

    static int calls;
    ck_assert_int_eq(mlops_pipeline_set_step_callback(p, NULL, &calls), MLOPS_OK);
    mlops_pipeline_free(p);
}
END_TEST

static int load_validate(void *ctx)
{
    (void)ctx;
    mlops_pipeline *p = NULL;
    int rc = mlops_pipeline_load(&p, FIXTURES "valid.yaml");
    if (rc == MLOPS_OK) rc = mlops_pipeline_override(p, "model.settings.l2=0.5");
    if (rc == MLOPS_OK) rc = mlops_pipeline_override(p, "model.card={owner: x, name: y}");
    if (rc == MLOPS_OK) rc = mlops_pipeline_validate(p);
    char *json = NULL;
    if (rc == MLOPS_OK) rc = mlops_pipeline_config_json(p, &json);
    mlops_free(json);
    mlops_pipeline_free(p);
    return rc;
}

static int load_problems(void *ctx)
{
    (void)ctx;
    mlops_pipeline *p = NULL;
    int rc = mlops_pipeline_load(&p, FIXTURES "five_mistakes.yaml");
    if (rc == MLOPS_OK) rc = mlops_pipeline_override(p, "model.kind=lin");
    if (rc == MLOPS_OK) {
        rc = mlops_pipeline_validate(p);
        if (rc == MLOPS_EINVAL && mlops_pipeline_problem_count(p) == 5) rc = MLOPS_OK;
    }
    char *json = NULL;
    if (rc == MLOPS_OK) rc = mlops_pipeline_problems_json(p, &json);
    mlops_free(json);
    mlops_pipeline_free(p);
    return rc;
}

START_TEST(allocation_failures_are_clean)
{
    ck_assert_int_gt(fault_alloc_sweep(load_validate, NULL, NULL), 50);
    ck_assert_int_gt(fault_alloc_sweep(load_problems, NULL, NULL), 20);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("pipeline_validate");
    TCase *tc = tcase_create("validate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, five_mistakes_reported_at_once);
    tcase_add_test(tc, billion_laughs_fails_fast_in_bounded_memory);
    tcase_add_test(tc, load_errors_name_the_place);
    tcase_add_test(tc, unknown_keys_suggest_the_nearest);
    tcase_add_test(tc, wrong_types_say_what_was_expected);
    tcase_add_test(tc, missing_required_keys_at_their_mapping);
    tcase_add_test(tc, enumerations_suggest_allowed_values);
    tcase_add_test(tc, library_refusals_become_problems);
    tcase_add_test(tc, pipeline_ranges_and_names);
    tcase_add_test(tc, columns_must_exist_in_the_data);
    tcase_add_test(tc, overrides_are_checked_at_their_place);
    tcase_add_test(tc, overrides_build_and_replace);
    tcase_add_test(tc, valid_pipeline_resolves_defaults);
    tcase_add_test(tc, allocation_failures_are_clean);
    suite_add_tcase(s, tc);
    return s;
}
