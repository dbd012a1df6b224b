/* Running a pipeline end to end through the public API: the run directory
 * and its lock, byte-identical reruns, verification catching any changed
 * byte, the same model as the steps done by hand, failed gates and data
 * rules that are recorded but promote nothing. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"

#define OK(call) ck_assert_msg((call) == MLOPS_OK, "%s: %s", #call, mlops_last_error())

#define ASSERT_ERR(call, code, text)                                                     \
    do {                                                                                 \
        int rc_ = (call);                                                                \
        ck_assert_msg(rc_ == (code), "%s gave %d (%s)", #call, rc_, mlops_last_error()); \
        ck_assert_msg(strstr(mlops_last_error(), (text)) != NULL,                        \
                      "message '%s' lacks '%s'", mlops_last_error(), (text));            \
    } while (0)

static const char *const OUTPUTS[] = {"config.json",      "data_profile.json", "data_validation.json",
                                      "drift.json",       "evaluation.json",   "model.mlops",
                                      "model_card.json",  "reference.profile"};
enum { NOUTPUTS = sizeof OUTPUTS / sizeof OUTPUTS[0] };

static char scratch[256];

static void make_scratch(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/mlops-pipeline-run-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void remove_scratch(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    ck_assert_int_eq(system(cmd), 0);
}

static char *path_in(const char *dir, const char *name)
{
    static char buf[4][512];
    static int next;
    char *out = buf[next++ % 4];
    snprintf(out, sizeof buf[0], "%s/%s", dir, name);
    return out;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    b[n] = 0;
    *len = (size_t)n;
    return b;
}

static void flip_byte(const char *path, long at)
{
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, at, SEEK_SET);
    int c = fgetc(f);
    fseek(f, at, SEEK_SET);
    fputc(c ^ 0x01, f);
    fclose(f);
}

/* Loads the fixture with the registry under the scratch directory. */
static mlops_pipeline *load_cars(const char *extra_override)
{
    mlops_pipeline *p = NULL;
    OK(mlops_pipeline_load(&p, DATA_DIR "/pipeline/run_cars.yaml"));
    char set[400];
    snprintf(set, sizeof set, "registry.path=%s/registry", scratch);
    OK(mlops_pipeline_override(p, set));
    if (extra_override != NULL) OK(mlops_pipeline_override(p, extra_override));
    return p;
}

/* The value of "key": "..." in a JSON text (first occurrence), in buf. */
static const char *json_string(const char *json, const char *key, char *buf, size_t cap)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\": \"", key);
    const char *at = strstr(json, pattern);
    if (at == NULL) return NULL;
    at += strlen(pattern);
    size_t n = strcspn(at, "\"");
    if (n >= cap) n = cap - 1;
    memcpy(buf, at, n);
    buf[n] = '\0';
    return buf;
}

START_TEST(rerun_is_byte_identical_and_verifies)
{
    make_scratch();
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/run-a", scratch);
    snprintf(b, sizeof b, "%s/run-b", scratch);
    mlops_pipeline *p = load_cars(NULL);
    OK(mlops_pipeline_run(p, a));
    char *summary = NULL;
    OK(mlops_pipeline_summary_json(p, &summary));
    ck_assert_ptr_nonnull(strstr(summary, "\"passed\": true"));
    char hash_a[80], hash_b[80];
    ck_assert_ptr_nonnull(json_string(summary, "payload_sha256", hash_a, sizeof hash_a));
    mlops_free(summary);
    mlops_pipeline_free(p);

    p = load_cars(NULL);
    OK(mlops_pipeline_run(p, b));
    OK(mlops_pipeline_summary_json(p, &summary));
    ck_assert_ptr_nonnull(json_string(summary, "payload_sha256", hash_b, sizeof hash_b));
    ck_assert_str_eq(hash_a, hash_b);
    /* the registry already holds that version: nothing new is registered */
    ck_assert_ptr_nonnull(strstr(summary, "\"registered\": false"));
    mlops_free(summary);
    mlops_pipeline_free(p);

    for (size_t i = 0; i < NOUTPUTS; i++) {
        size_t na = 0, nb = 0;
        unsigned char *fa = slurp(path_in(a, OUTPUTS[i]), &na);
        unsigned char *fb = slurp(path_in(b, OUTPUTS[i]), &nb);
        ck_assert_msg(na == nb && memcmp(fa, fb, na) == 0, "%s differs between runs", OUTPUTS[i]);
        free(fa);
        free(fb);
    }
    /* the locks differ only in their times and checksum: same file hashes */
    size_t la = 0, lb = 0;
    unsigned char *locka = slurp(path_in(a, "mlops.lock"), &la);
    unsigned char *lockb = slurp(path_in(b, "mlops.lock"), &lb);
    const char *oa = strstr((const char *)locka, "\"outputs\"");
    const char *ob = strstr((const char *)lockb, "\"outputs\"");
    ck_assert_ptr_nonnull(oa);
    ck_assert_ptr_nonnull(ob);
    size_t ea = (size_t)(strstr(oa, "\"result\"") - oa), eb = (size_t)(strstr(ob, "\"result\"") - ob);
    ck_assert_uint_eq(ea, eb);
    ck_assert_int_eq(memcmp(oa, ob, ea), 0);
    ck_assert_ptr_nonnull(strstr((const char *)locka, hash_a));
    char fingerprint[65];
    ck_assert_ptr_nonnull(strstr((const char *)locka, "\"seed\": 7"));
    ck_assert_ptr_nonnull(strstr((const char *)locka, mlops_version_string()));
    ck_assert_ptr_nonnull(strstr((const char *)locka, "\"started\""));
    {
        mlops_dataset *d = NULL;
        mlops_csv_options *o = NULL;
        OK(mlops_csv_options_create(&o));
        OK(mlops_csv_options_set(o, "role.Origin", "target"));
        OK(mlops_csv_options_set(o, "role.Name", "id"));
        OK(mlops_csv_options_set(o, "role.Year", "ignore"));
        OK(mlops_dataset_read_csv(&d, DATA_DIR "/real/cars.csv", o));
        OK(mlops_dataset_fingerprint(d, fingerprint, sizeof fingerprint));
        ck_assert_ptr_nonnull(strstr((const char *)locka, fingerprint));
        mlops_dataset_free(d);
        mlops_csv_options_free(o);
    }
    free(lockb);

    char *report = NULL;
    OK(mlops_run_verify(a, &report));
    ck_assert_ptr_nonnull(strstr(report, "\"ok\": true"));
    mlops_free(report);

    /* one changed byte anywhere is caught, naming the file */
    for (size_t i = 0; i < NOUTPUTS; i++) {
        const char *file = path_in(a, OUTPUTS[i]);
        size_t n = 0;
        free(slurp(file, &n));
        flip_byte(file, (long)(n / 2));
        report = NULL;
        int rc = mlops_run_verify(a, &report);
        ck_assert_msg(rc == MLOPS_ECORRUPT, "%s: %d %s", OUTPUTS[i], rc, mlops_last_error());
        ck_assert_msg(strstr(mlops_last_error(), OUTPUTS[i]) != NULL, "%s", mlops_last_error());
        ck_assert_ptr_nonnull(strstr(report, "\"problem\": \"changed\""));
        mlops_free(report);
        flip_byte(file, (long)(n / 2));
        OK(mlops_run_verify(a, NULL));
    }
    /* every 7th byte of the lock, its checksum field included: a change that
     * breaks the JSON is still a changed lock */
    size_t stride = getenv("MLOPS_TEST_SHORT") != NULL ? 61 : 7;
    for (size_t at = 0; at < la; at += stride) {
        flip_byte(path_in(a, "mlops.lock"), (long)at);
        int rc = mlops_run_verify(a, NULL);
        ck_assert_msg(rc == MLOPS_ECORRUPT && strstr(mlops_last_error(), "lock file was changed"),
                      "lock byte %zu: %d %s", at, rc, mlops_last_error());
        flip_byte(path_in(a, "mlops.lock"), (long)at);
    }
    OK(mlops_run_verify(a, NULL));
    free(locka);
    ck_assert_int_eq(unlink(path_in(a, "drift.json")), 0);
    ASSERT_ERR(mlops_run_verify(a, NULL), MLOPS_ENOTFOUND, "'drift.json' is missing");
    ASSERT_ERR(mlops_run_verify(scratch, NULL), MLOPS_ENOTFOUND, "mlops.lock");

    /* runs are never overwritten */
    p = load_cars(NULL);
    ASSERT_ERR(mlops_pipeline_run(p, b), MLOPS_ESTATE, "not empty");
    mlops_pipeline_free(p);
    remove_scratch();
}
END_TEST

/* The run's model is the model the same steps make by hand. */
START_TEST(same_model_as_by_hand)
{
    make_scratch();
    char run[300];
    snprintf(run, sizeof run, "%s/run", scratch);
    mlops_pipeline *p = load_cars("evaluate.gates=[]");
    OK(mlops_pipeline_run(p, run));
    mlops_pipeline_free(p);

    mlops_csv_options *o = NULL;
    OK(mlops_csv_options_create(&o));
    OK(mlops_csv_options_set(o, "role.Origin", "target"));
    OK(mlops_csv_options_set(o, "role.Name", "id"));
    OK(mlops_csv_options_set(o, "role.Year", "ignore"));
    mlops_dataset *d = NULL, *train = NULL, *test = NULL;
    OK(mlops_dataset_read_csv(&d, DATA_DIR "/real/cars.csv", o));
    mlops_csv_options_free(o);
    OK(mlops_split_train_test(d, 0.25, 7, "Origin", &train, &test));
    mlops_model *m = NULL;
    mlops_transform *t = NULL;
    OK(mlops_model_create(&m, "logistic_regression"));
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "impute", "*"), 0);
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 1);
    ck_assert_int_eq(mlops_transform_add(t, "onehot", "*"), 2);
    OK(mlops_transform_set(t, 0, "strategy", "median"));
    OK(mlops_transform_set(t, 2, "unseen", "zeros"));
    OK(mlops_model_set_transform(m, t));
    OK(mlops_model_set_param(m, "seed", "7"));
    OK(mlops_model_set_param(m, "l2", "0.01"));
    OK(mlops_model_fit(m, train));
    /* same coefficients to the bit (the payload also names the data file,
     * whose path is spelled differently here) */
    mlops_model *loaded = NULL;
    OK(mlops_model_load(&loaded, path_in(run, "model.mlops")));
    size_t nf = mlops_model_feature_count(m), no = mlops_model_output_count(m);
    ck_assert_uint_eq(mlops_model_feature_count(loaded), nf);
    ck_assert_uint_eq(mlops_model_output_count(loaded), no);
    ck_assert_uint_eq(no, 3);
    double *ca = calloc(nf * no + no, sizeof *ca), *cb = calloc(nf * no + no, sizeof *cb);
    OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, ca, nf * no, ca + nf * no, no));
    OK(mlops_model_coefficients(loaded, MLOPS_COEF_MODEL, cb, nf * no, cb + nf * no, no));
    ck_assert_int_eq(memcmp(ca, cb, (nf * no + no) * sizeof *ca), 0);
    free(ca);
    free(cb);
    char *owner = NULL;
    OK(mlops_model_card_get(loaded, "owner", &owner));
    ck_assert_str_eq(owner, "tests");
    mlops_free(owner);
    mlops_model_free(loaded);
    mlops_model_free(m);
    mlops_transform_free(t);
    mlops_dataset_free(train);
    mlops_dataset_free(test);
    mlops_dataset_free(d);
    remove_scratch();
}
END_TEST

START_TEST(failed_gate_is_recorded_and_promotes_nothing)
{
    make_scratch();
    char good[300], bad[300], reg[300];
    snprintf(good, sizeof good, "%s/good", scratch);
    snprintf(bad, sizeof bad, "%s/bad", scratch);
    snprintf(reg, sizeof reg, "%s/registry", scratch);
    mlops_pipeline *p = load_cars(NULL);
    OK(mlops_pipeline_run(p, good));
    mlops_pipeline_free(p);
    mlops_registry *r = NULL;
    OK(mlops_registry_open(&r, reg, 0));
    char *production = NULL;
    OK(mlops_registry_resolve(r, "run-cars@production", &production, NULL));
    mlops_registry_free(r);

    /* a different model (l2) that fails its gate */
    p = load_cars("evaluate.gates=[accuracy >= 0.999]");
    OK(mlops_pipeline_override(p, "model.settings.l2=1"));
    ASSERT_ERR(mlops_pipeline_run(p, bad), MLOPS_EGATE, "gate failed");
    char *summary = NULL;
    OK(mlops_pipeline_summary_json(p, &summary));
    ck_assert_ptr_nonnull(strstr(summary, "\"passed\": false"));
    ck_assert_ptr_nonnull(strstr(summary, "\"promotion_refused\": true"));
    mlops_free(summary);
    mlops_pipeline_free(p);
    OK(mlops_run_verify(bad, NULL));

    OK(mlops_registry_open(&r, reg, 0));
    char *after = NULL;
    OK(mlops_registry_resolve(r, "run-cars@production", &after, NULL));
    ck_assert_str_eq(after, production);
    char *history = NULL;
    OK(mlops_registry_history_json(r, "run-cars", &history));
    ck_assert_ptr_nonnull(strstr(history, "refuse"));
    mlops_free(history);
    mlops_free(after);
    mlops_free(production);
    mlops_registry_free(r);
    OK(mlops_registry_verify(reg, NULL));
    remove_scratch();
}
END_TEST

/* A violated data rule stops the run before training, on the record. */
START_TEST(violated_data_rule_stops_the_run)
{
    make_scratch();
    char run[300];
    snprintf(run, sizeof run, "%s/run", scratch);
    mlops_pipeline *p = load_cars("data.columns.Miles_per_Gallon.max=20");
    ASSERT_ERR(mlops_pipeline_run(p, run), MLOPS_EGATE, "validation rule");
    char *summary = NULL;
    OK(mlops_pipeline_summary_json(p, &summary));
    ck_assert_ptr_nonnull(strstr(summary, "\"model\": null"));
    mlops_free(summary);
    mlops_pipeline_free(p);
    struct stat st;
    ck_assert_int_ne(stat(path_in(run, "model.mlops"), &st), 0);
    size_t n = 0;
    unsigned char *v = slurp(path_in(run, "data_validation.json"), &n);
    ck_assert_ptr_nonnull(strstr((const char *)v, "Miles_per_Gallon"));
    free(v);
    OK(mlops_run_verify(run, NULL));
    /* with on_invalid: warn the run goes on */
    p = load_cars("data.columns.Miles_per_Gallon.max=20");
    OK(mlops_pipeline_override(p, "data.on_invalid=warn"));
    char run2[300];
    snprintf(run2, sizeof run2, "%s/run2", scratch);
    OK(mlops_pipeline_run(p, run2));
    mlops_pipeline_free(p);
    remove_scratch();
}
END_TEST

START_TEST(grid_search_and_regression)
{
    make_scratch();
    char run[300];
    snprintf(run, sizeof run, "%s/run", scratch);
    mlops_pipeline *p = load_cars("data.target=Miles_per_Gallon");
    OK(mlops_pipeline_override(p, "model.kind=linear_regression"));
    OK(mlops_pipeline_override(p, "model.search.grid.l2=[0.1, 1, 10]"));
    OK(mlops_pipeline_override(p, "model.search.folds=3"));
    OK(mlops_pipeline_override(p, "evaluate={gates: [r2 >= 0.6]}"));
    OK(mlops_pipeline_override(p, "data.columns={}"));
    OK(mlops_pipeline_override(p, "registry.alias=staging"));
    OK(mlops_pipeline_run(p, run));
    char *summary = NULL;
    OK(mlops_pipeline_summary_json(p, &summary));
    ck_assert_ptr_nonnull(strstr(summary, "\"kind\": \"linear_regression\""));
    ck_assert_ptr_nonnull(strstr(summary, "\"r2\""));
    mlops_free(summary);
    mlops_pipeline_free(p);
    size_t n = 0;
    unsigned char *s = slurp(path_in(run, "search.json"), &n);
    ck_assert_ptr_nonnull(strstr((const char *)s, "best_index"));
    free(s);
    OK(mlops_run_verify(run, NULL));
    remove_scratch();
}
END_TEST

/* Out of memory anywhere in a run: sampled allocation points across the
 * whole run fail with MLOPS_ENOMEM and leak nothing. (A full sweep would
 * rerun the pipeline once per allocation, tens of thousands of times.) */
START_TEST(out_of_memory_during_a_run)
{
    make_scratch();
    fault_alloc_install();
    mlops_pipeline *p = load_cars("evaluate.gates=[]");
    OK(mlops_pipeline_validate(p));
    char dir[300];
    snprintf(dir, sizeof dir, "%s/count", scratch);
    fault_alloc_fail_at(-1);
    OK(mlops_pipeline_run(p, dir));
    long total = fault_alloc_calls();
    /* the pipeline now holds its summary; nothing else may stay behind */
    size_t live = mlops_live_allocations();
    ck_assert_int_gt(total, 1000);
    /* fewer points under valgrind (MLOPS_TEST_SHORT), where a run is slow */
    long samples = getenv("MLOPS_TEST_SHORT") != NULL ? 6 : 24;
    for (long s = 0; s < samples; s++) {
        long k = s * (total / samples) + s % 7;
        snprintf(dir, sizeof dir, "%s/run-%ld", scratch, s);
        fault_alloc_fail_at(k);
        int rc = mlops_pipeline_run(p, dir);
        fault_alloc_fail_at(-1);
        ck_assert_msg(rc == MLOPS_ENOMEM || rc == MLOPS_OK, "allocation %ld: %d %s", k, rc,
                      mlops_last_error());
        ck_assert_msg(mlops_live_allocations() <= live,
                      "allocation %ld: %zu live blocks, %zu before", k,
                      mlops_live_allocations(), live);
    }
    mlops_pipeline_free(p);
    remove_scratch();
}
END_TEST

/* Details the review of the runner asked for: booleans spelled as YAML
 * allows, a 64-bit seed kept exactly, a run-time failure naming its step,
 * a changed pipeline file or a lock pointing at a device caught by verify. */
START_TEST(settings_seeds_steps_and_verify_details)
{
    make_scratch();
    char run[300];
    snprintf(run, sizeof run, "%s/run", scratch);
    mlops_pipeline *p = load_cars("model.settings.fit_intercept=True");
    OK(mlops_pipeline_override(p, "seed=9007199254740993"));
    OK(mlops_pipeline_override(p, "evaluate.gates=[]"));
    OK(mlops_pipeline_run(p, run));
    mlops_pipeline_free(p);
    size_t n = 0;
    unsigned char *lock = slurp(path_in(run, "mlops.lock"), &n);
    ck_assert_ptr_nonnull(strstr((const char *)lock, "\"seed\": 9007199254740993,"));
    ck_assert_ptr_nonnull(strstr((const char *)lock, "\"role\": \"pipeline\""));
    /* a lock edited to name a device is refused without reading it */
    char *at = strstr((char *)lock, "\"role\": \"data\"");
    ck_assert_ptr_nonnull(at);
    at = strstr(at, "\"path\": \"") + strlen("\"path\": \"");
    char *end = strchr(at, '"');
    char edited[65536];
    ck_assert_uint_lt(n + 16, sizeof edited);
    int len = snprintf(edited, sizeof edited, "%.*s/dev/zero%s", (int)(at - (char *)lock),
                       (const char *)lock, end);
    FILE *f = fopen(path_in(run, "mlops.lock"), "wb");
    fwrite(edited, 1, (size_t)len, f);
    fclose(f);
    ASSERT_ERR(mlops_run_verify(run, NULL), MLOPS_ECORRUPT, "lock file was changed");
    f = fopen(path_in(run, "mlops.lock"), "wb");
    fwrite(lock, 1, n, f);
    fclose(f);
    OK(mlops_run_verify(run, NULL));
    free(lock);

    /* the pipeline file is an input: editing it afterwards is caught */
    char yaml[300], run3[300];
    snprintf(yaml, sizeof yaml, "%s/copy.yaml", scratch);
    snprintf(run3, sizeof run3, "%s/run3", scratch);
    size_t ylen = 0;
    unsigned char *text = slurp(DATA_DIR "/pipeline/run_cars.yaml", &ylen);
    f = fopen(yaml, "wb");
    fwrite(text, 1, ylen, f);
    fclose(f);
    free(text);
    OK(mlops_pipeline_load(&p, yaml));
    OK(mlops_pipeline_override(p, "data.path=" DATA_DIR "/real/cars.csv"));
    char set[400];
    snprintf(set, sizeof set, "registry.path=%s/registry", scratch);
    OK(mlops_pipeline_override(p, set));
    OK(mlops_pipeline_run(p, run3));
    mlops_pipeline_free(p);
    OK(mlops_run_verify(run3, NULL));
    f = fopen(yaml, "ab");
    fputs("# edited after the run\n", f);
    fclose(f);
    ASSERT_ERR(mlops_run_verify(run3, NULL), MLOPS_ECORRUPT, "copy.yaml' changed since the run");

    /* a failure at run time names the pipeline and the step */
    char run2[300];
    snprintf(run2, sizeof run2, "%s/run2", scratch);
    p = load_cars("data.target=Miles_per_Gallon");
    OK(mlops_pipeline_override(p, "model.kind=linear_regression"));
    OK(mlops_pipeline_override(p, "data.missing_target=fail"));
    OK(mlops_pipeline_override(p, "evaluate={}"));
    OK(mlops_pipeline_override(p, "data.columns={}"));
    OK(mlops_pipeline_override(p, "data.split.method=random"));
    int rc = mlops_pipeline_run(p, run2);
    ck_assert_msg(rc == MLOPS_EINVAL, "%d %s", rc, mlops_last_error());
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "pipeline run-cars: step 'train': "));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "Miles_per_Gallon"));
    mlops_pipeline_free(p);
    remove_scratch();
}
END_TEST

START_TEST(summary_before_a_run)
{
    mlops_pipeline *p = NULL;
    OK(mlops_pipeline_load(&p, DATA_DIR "/pipeline/run_cars.yaml"));
    char *json = NULL;
    ASSERT_ERR(mlops_pipeline_summary_json(p, &json), MLOPS_ESTATE, "has not run");
    /* the resolved configuration spells out what a run uses by default */
    OK(mlops_pipeline_validate(p));
    OK(mlops_pipeline_config_json(p, &json));
    ck_assert_ptr_nonnull(strstr(json, "\"step\": \"impute\""));
    ck_assert_ptr_nonnull(strstr(json, "\"strategy\": \"median\""));
    ck_assert_ptr_nonnull(strstr(json, "\"unseen\": \"zeros\""));
    ck_assert_ptr_nonnull(strstr(json, "/pipeline/runs/run-cars\""));
    mlops_free(json);
    ASSERT_ERR(mlops_pipeline_summary_json(NULL, &json), MLOPS_EINVAL, "NULL pipeline");
    ASSERT_ERR(mlops_pipeline_run(NULL, NULL), MLOPS_EINVAL, "NULL pipeline");
    ASSERT_ERR(mlops_run_verify(NULL, NULL), MLOPS_EINVAL, "NULL");
    mlops_pipeline_free(p);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("pipeline_run");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, rerun_is_byte_identical_and_verifies);
    tcase_add_test(tc, same_model_as_by_hand);
    tcase_add_test(tc, failed_gate_is_recorded_and_promotes_nothing);
    tcase_add_test(tc, violated_data_rule_stops_the_run);
    tcase_add_test(tc, grid_search_and_regression);
    tcase_add_test(tc, summary_before_a_run);
    tcase_add_test(tc, settings_seeds_steps_and_verify_details);
    tcase_add_test(tc, out_of_memory_during_a_run);
    suite_add_tcase(s, tc);
    return s;
}
