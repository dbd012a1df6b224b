/* The model registry through its public API: registering real iris models
 * (versions are payload hashes), aliases, retirement, references and
 * prefixes, loading with the stored file checked, history and "which
 * version was production at time T", crash repair on open, concurrent
 * promotions from several processes, and out-of-memory on every path. */
#include "registry_fixture.h"

#include <sys/stat.h>
#include <time.h>

#include "fault_alloc.h"
#include "runner.h"

typedef struct world {
    char dir[128], reg[160];
    char m1[200], m2[200], m3[200];
    char v1[65], v2[65], v3[65];
} world;

static world W;

static void setup(void)
{
    fixture_tmpdir(W.dir, sizeof W.dir, "registry");
    snprintf(W.reg, sizeof W.reg, "%s/reg", W.dir);
    snprintf(W.m1, sizeof W.m1, "%s/m1.mlops", W.dir);
    snprintf(W.m2, sizeof W.m2, "%s/m2.mlops", W.dir);
    snprintf(W.m3, sizeof W.m3, "%s/m3.mlops", W.dir);
    fixture_train(W.m1, "0.0001", W.v1, NULL);
    fixture_train(W.m2, "0.5", W.v2, NULL);
    fixture_train(W.m3, "2", W.v3, NULL);
}

static void teardown(void)
{
    fixture_rmtree(W.dir);
}

static mlops_registry *open_new(void)
{
    mlops_registry *r = NULL;
    CHECK_OK(mlops_registry_open(&r, W.reg, MLOPS_REGISTRY_CREATE));
    CHECK_OK(mlops_registry_set_actor(r, "tester"));
    return r;
}

static size_t log_records(void)
{
    return fixture_count_lines(fixture_path(W.reg, "audit.log"));
}

START_TEST(register_is_content_addressed)
{
    mlops_registry *r = open_new();
    char v[65];
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, "first model", v, sizeof v));
    ck_assert_str_eq(v, W.v1);
    ck_assert_uint_eq(log_records(), 1);
    /* the same payload again: the same version, no new record */
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, "again", v, sizeof v));
    ck_assert_str_eq(v, W.v1);
    ck_assert_uint_eq(log_records(), 1);
    CHECK_OK(mlops_registry_register(r, "iris", W.m2, NULL, v, sizeof v));
    ck_assert_str_eq(v, W.v2);
    ck_assert_uint_eq(log_records(), 2);
    /* the stored file is the registered bytes */
    char name[256];
    snprintf(name, sizeof name, "models/iris/%s.mlops", W.v1);
    size_t a = 0, b = 0;
    char *stored = fixture_read(fixture_path(W.reg, name), &a);
    char *orig = fixture_read(W.m1, &b);
    ck_assert_uint_eq(a, b);
    ck_assert_mem_eq(stored, orig, a);
    free(stored);
    free(orig);
    /* another name may hold the same payload */
    CHECK_OK(mlops_registry_register(r, "iris-copy", W.m1, NULL, NULL, 0));
    ck_assert_uint_eq(log_records(), 3);
    mlops_registry_free(r);
}
END_TEST

START_TEST(register_refuses_bad_input)
{
    mlops_registry *r = open_new();
    char v[65];
    const char *bad_names[] = {"", "..", ".hidden", "-opt", "a b", "a/b", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
        CHECK_RC(mlops_registry_register(r, bad_names[i], W.m1, NULL, v, sizeof v), MLOPS_EINVAL);
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "model name"));
    }
    CHECK_RC(mlops_registry_register(r, "iris", W.m1, NULL, v, 10), MLOPS_EINVAL);
    CHECK_RC(mlops_registry_register(r, "iris", W.m1, "bell\a", v, sizeof v), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "reason"));
    CHECK_RC(mlops_registry_register(r, "iris", "/nonexistent/m.mlops", NULL, v, sizeof v),
             MLOPS_ENOTFOUND);
    /* not a model: the CSV file */
    int rc = mlops_registry_register(r, "iris", DATA_DIR "/real/iris.csv", NULL, v, sizeof v);
    ck_assert_msg(rc == MLOPS_EFORMAT, "%d %s", rc, mlops_last_error());
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "iris.csv"));
    ck_assert_uint_eq(log_records(), 0);
    CHECK_RC(mlops_registry_register(NULL, "iris", W.m1, NULL, v, sizeof v), MLOPS_EINVAL);
    mlops_registry_free(r);
}
END_TEST

START_TEST(aliases_move_and_resolve)
{
    mlops_registry *r = open_new();
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, NULL, NULL, 0));
    CHECK_OK(mlops_registry_register(r, "iris", W.m2, NULL, NULL, 0));
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", W.v1, "first release"));
    char *v = NULL, *p = NULL;
    CHECK_OK(mlops_registry_resolve(r, "iris@production", &v, &p));
    ck_assert_str_eq(v, W.v1);
    char want[300];
    snprintf(want, sizeof want, "%s/models/iris/%s.mlops", W.reg, W.v1);
    ck_assert_str_eq(p, want);
    mlops_free(v);
    mlops_free(p);
    /* move it by prefix (8 digits, any case) */
    char prefix[9];
    memcpy(prefix, W.v2, 8);
    prefix[8] = '\0';
    for (int i = 0; i < 8; i++)
        if (prefix[i] >= 'a' && prefix[i] <= 'f') prefix[i] = (char)(prefix[i] - 'a' + 'A');
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", prefix, "better model"));
    CHECK_OK(mlops_registry_resolve(r, "iris@production", &v, NULL));
    ck_assert_str_eq(v, W.v2);
    mlops_free(v);
    /* another alias from an alias */
    CHECK_OK(mlops_registry_set_alias(r, "iris", "staging", "production", NULL));
    CHECK_OK(mlops_registry_resolve(r, "iris@staging", &v, NULL));
    ck_assert_str_eq(v, W.v2);
    mlops_free(v);
    size_t n = log_records();
    ck_assert_uint_eq(n, 5);
    CHECK_OK(mlops_registry_set_alias(r, "iris", "staging", W.v2, NULL)); /* no change */
    ck_assert_uint_eq(log_records(), n);
    /* a full version and "name" alone (the latest) */
    CHECK_OK(mlops_registry_resolve(r, "iris", &v, NULL));
    ck_assert_str_eq(v, W.v2);
    mlops_free(v);
    char full[80];
    snprintf(full, sizeof full, "iris@%s", W.v1);
    CHECK_OK(mlops_registry_resolve(r, full, &v, NULL));
    ck_assert_str_eq(v, W.v1);
    mlops_free(v);

    /* mistakes, each with its own message */
    CHECK_RC(mlops_registry_resolve(r, "iris@prodution", &v, NULL), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "did you mean 'production'"));
    ck_assert_ptr_null(v);
    CHECK_RC(mlops_registry_resolve(r, "irs@production", &v, NULL), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "did you mean 'iris'"));
    CHECK_RC(mlops_registry_resolve(r, "iris@", &v, NULL), MLOPS_EINVAL);
    CHECK_RC(mlops_registry_resolve(r, "@production", &v, NULL), MLOPS_EINVAL);
    CHECK_RC(mlops_registry_resolve(r, "iris@0000000000", &v, NULL), MLOPS_ENOTFOUND);
    CHECK_RC(mlops_registry_set_alias(r, "iris", "deadbeef", W.v1, NULL), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "ambiguous"));
    CHECK_RC(mlops_registry_set_alias(r, "iris", "prod/1", W.v1, NULL), MLOPS_EINVAL);
    CHECK_RC(mlops_registry_set_alias(r, "nope", "production", W.v1, NULL), MLOPS_ENOTFOUND);
    CHECK_RC(mlops_registry_set_alias(r, "iris", "production", W.v3, NULL), MLOPS_ENOTFOUND);
    ck_assert_uint_eq(log_records(), n);

    char *json = NULL;
    CHECK_OK(mlops_registry_list_json(r, &json));
    char alias_line[120];
    snprintf(alias_line, sizeof alias_line, "\"production\": \"%s\"", W.v2);
    ck_assert_msg(strstr(json, alias_line) != NULL, "%s", json);
    ck_assert_ptr_nonnull(strstr(json, "\"records\": 5"));
    ck_assert_ptr_nonnull(strstr(json, "\"actor\": \"tester\""));
    mlops_free(json);
    mlops_registry_free(r);
}
END_TEST

START_TEST(short_prefix_is_not_a_version)
{
    /* Below 8 hex digits a reference is an alias name, never a prefix. */
    mlops_registry *r = open_new();
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, NULL, NULL, 0));
    char *v = NULL;
    char ref[32];
    snprintf(ref, sizeof ref, "iris@%.7s", W.v1);
    CHECK_RC(mlops_registry_resolve(r, ref, &v, NULL), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "8 hex digits"));
    snprintf(ref, sizeof ref, "iris@%.8s", W.v1);
    CHECK_OK(mlops_registry_resolve(r, ref, &v, NULL));
    ck_assert_str_eq(v, W.v1);
    mlops_free(v);
    mlops_registry_free(r);
}
END_TEST

START_TEST(load_checks_the_stored_file)
{
    mlops_registry *r = open_new();
    mlops_model *orig = NULL;
    char hash[65];
    fixture_train(W.m1, "0.0001", hash, &orig);
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, NULL, NULL, 0));
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", W.v1, NULL));
    mlops_model *m = NULL;
    CHECK_OK(mlops_registry_load_model(r, "iris@production", &m));
    mlops_dataset *d = fixture_iris();
    size_t rows = mlops_dataset_rows(d), width = mlops_model_output_width(m, MLOPS_PREDICT_PROBA);
    double *a = malloc(rows * width * sizeof *a), *b = malloc(rows * width * sizeof *b);
    CHECK_OK(mlops_model_predict(orig, d, MLOPS_PREDICT_PROBA, a, rows * width));
    CHECK_OK(mlops_model_predict(m, d, MLOPS_PREDICT_PROBA, b, rows * width));
    ck_assert_mem_eq(a, b, rows * width * sizeof *a);
    mlops_model_free(m);

    /* a byte of the card changed: the payload hash may still agree, the
     * file hash does not */
    char name[256];
    snprintf(name, sizeof name, "models/iris/%s.mlops", W.v1);
    size_t len = 0;
    char *bytes = fixture_read(fixture_path(W.reg, name), &len);
    bytes[len - 1] ^= 1;
    fixture_write(fixture_path(W.reg, name), bytes, len);
    CHECK_RC(mlops_registry_load_model(r, "iris@production", &m), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "changed after it was registered"));
    ck_assert_ptr_null(m);
    char *report = NULL;
    CHECK_RC(mlops_registry_verify(W.reg, &report), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(report, "\"ok\": false"));
    ck_assert_ptr_nonnull(strstr(report, "\"models_ok\": false"));
    ck_assert_ptr_nonnull(strstr(report, "\"all_ok\": false"));
    mlops_free(report);
    remove(fixture_path(W.reg, name));
    CHECK_RC(mlops_registry_load_model(r, "iris@production", &m), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "missing"));
    free(bytes);
    free(a);
    free(b);
    mlops_dataset_free(d);
    mlops_model_free(orig);
    mlops_registry_free(r);
}
END_TEST

START_TEST(retire_ends_a_version)
{
    mlops_registry *r = open_new();
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, NULL, NULL, 0));
    CHECK_OK(mlops_registry_register(r, "iris", W.m2, NULL, NULL, 0));
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", W.v2, NULL));
    CHECK_OK(mlops_registry_set_alias(r, "iris", "staging", W.v2, NULL));
    CHECK_OK(mlops_registry_retire(r, "iris", "production", "found a bias"));
    char *v = NULL;
    CHECK_RC(mlops_registry_resolve(r, "iris@production", &v, NULL), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "retired"));
    CHECK_OK(mlops_registry_resolve(r, "iris", &v, NULL)); /* the latest not retired */
    ck_assert_str_eq(v, W.v1);
    mlops_free(v);
    CHECK_RC(mlops_registry_set_alias(r, "iris", "production", W.v2, NULL), MLOPS_ESTATE);
    CHECK_RC(mlops_registry_retire(r, "iris", W.v2, NULL), MLOPS_ESTATE);
    CHECK_RC(mlops_registry_register(r, "iris", W.m2, NULL, NULL, 0), MLOPS_ESTATE);
    /* still loadable by version, for the record */
    char ref[80];
    snprintf(ref, sizeof ref, "iris@%.12s", W.v2);
    mlops_model *m = NULL;
    CHECK_OK(mlops_registry_load_model(r, ref, &m));
    mlops_model_free(m);
    /* the record lists the aliases it removed */
    char *log = fixture_read(fixture_path(W.reg, "audit.log"), NULL);
    ck_assert_ptr_nonnull(strstr(log, "\"aliases_removed\":[\"production\",\"staging\"]"));
    ck_assert_ptr_nonnull(strstr(log, "\"reason\":\"found a bias\""));
    free(log);
    CHECK_OK(mlops_registry_retire(r, "iris", W.v1, NULL));
    CHECK_RC(mlops_registry_resolve(r, "iris", &v, NULL), MLOPS_ENOTFOUND);
    CHECK_OK(mlops_registry_verify(W.reg, NULL));
    mlops_registry_free(r);
}
END_TEST

START_TEST(refusal_changes_nothing)
{
    mlops_registry *r = open_new();
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, NULL, NULL, 0));
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", W.v1, NULL));
    CHECK_OK(mlops_registry_record_refusal(r, "iris", "production", W.v3, "gate accuracy >= 0.99 failed"));
    /* a model never registered, and a name the registry does not hold */
    CHECK_OK(mlops_registry_record_refusal(r, "fresh", "production", W.v2, "gates failed"));
    char *v = NULL;
    CHECK_OK(mlops_registry_resolve(r, "iris@production", &v, NULL));
    ck_assert_str_eq(v, W.v1);
    mlops_free(v);
    CHECK_RC(mlops_registry_resolve(r, "fresh", &v, NULL), MLOPS_ENOTFOUND);
    char *log = fixture_read(fixture_path(W.reg, "audit.log"), NULL);
    char want[200];
    snprintf(want, sizeof want, "\"current\":\"%s\"", W.v1);
    ck_assert_ptr_nonnull(strstr(log, want));
    ck_assert_ptr_nonnull(strstr(log, "\"action\":\"refuse\""));
    free(log);
    char *json = NULL;
    CHECK_OK(mlops_registry_history_json(r, "fresh", &json));
    ck_assert_ptr_nonnull(strstr(json, "gates failed"));
    mlops_free(json);
    CHECK_RC(mlops_registry_record_refusal(r, "iris", "production", "xyz", NULL), MLOPS_EINVAL);
    ck_assert_uint_eq(log_records(), 4);
    mlops_registry_free(r);
}
END_TEST

/* The current time as ISO 8601 with microseconds, then a short pause so
 * records on either side get distinct times. */
static void now_iso(char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, size, "%.19s.%06dZ", base, (int)(ts.tv_nsec / 1000 % 1000000));
    struct timespec pause = {0, 3000000};
    nanosleep(&pause, NULL);
}

START_TEST(history_answers_which_version_when)
{
    mlops_registry *r = open_new();
    char t0[64], t1[64], t2[64], t3[64];
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, NULL, NULL, 0));
    CHECK_OK(mlops_registry_register(r, "iris", W.m2, NULL, NULL, 0));
    now_iso(t0, sizeof t0);
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", W.v1, NULL));
    now_iso(t1, sizeof t1);
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", W.v2, NULL));
    now_iso(t2, sizeof t2);
    CHECK_OK(mlops_registry_retire(r, "iris", W.v2, NULL));
    now_iso(t3, sizeof t3);
    char *v = NULL;
    CHECK_RC(mlops_registry_alias_at(r, "iris", "production", t0, &v), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "first set at"));
    CHECK_OK(mlops_registry_alias_at(r, "iris", "production", t1, &v));
    ck_assert_str_eq(v, W.v1);
    mlops_free(v);
    CHECK_OK(mlops_registry_alias_at(r, "iris", "production", t2, &v));
    ck_assert_str_eq(v, W.v2);
    mlops_free(v);
    CHECK_RC(mlops_registry_alias_at(r, "iris", "production", t3, &v), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "retired"));
    /* the same instant written with an offset, and a date long past */
    char shifted[48];
    int hour = (t1[11] - '0') * 10 + (t1[12] - '0');
    if (hour < 23) {
        snprintf(shifted, sizeof shifted, "%.11s%02d%.*s+01:00", t1, hour + 1, 13, t1 + 13);
        CHECK_OK(mlops_registry_alias_at(r, "iris", "production", shifted, &v));
        ck_assert_str_eq(v, W.v1);
        mlops_free(v);
    }
    CHECK_RC(mlops_registry_alias_at(r, "iris", "production", "2001-01-01", &v), MLOPS_ENOTFOUND);
    CHECK_RC(mlops_registry_alias_at(r, "iris", "production", "9999-12-31 23:59", &v),
             MLOPS_ENOTFOUND);
    const char *bad[] = {"yesterday", "2026-13-01", "2026-02-30", "2026-01-01T25:00", "2026-01-01Z"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_RC(mlops_registry_alias_at(r, "iris", "production", bad[i], &v), MLOPS_EINVAL);
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "YYYY-MM-DD"));
    }
    CHECK_RC(mlops_registry_alias_at(r, "iris", "canary", t1, &v), MLOPS_ENOTFOUND);

    char *json = NULL;
    CHECK_OK(mlops_registry_history_json(r, NULL, &json));
    size_t records = 0;
    for (const char *p = json; (p = strstr(p, "\"seq\":")) != NULL; p++) records++;
    ck_assert_uint_eq(records, 5);
    mlops_free(json);
    CHECK_OK(mlops_registry_register(r, "other", W.m3, NULL, NULL, 0));
    CHECK_OK(mlops_registry_history_json(r, "other", &json));
    records = 0;
    for (const char *p = json; (p = strstr(p, "\"seq\":")) != NULL; p++) records++;
    ck_assert_uint_eq(records, 1);
    mlops_free(json);
    CHECK_RC(mlops_registry_history_json(r, "irs", &json), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "did you mean 'iris'"));
    mlops_registry_free(r);
}
END_TEST

START_TEST(actor_is_recorded)
{
    setenv("MLOPS_ACTOR", "ci-bot", 1);
    mlops_registry *r = NULL;
    CHECK_OK(mlops_registry_open(&r, W.reg, MLOPS_REGISTRY_CREATE));
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, NULL, NULL, 0));
    CHECK_OK(mlops_registry_set_actor(r, "Zoë Smith"));
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", W.v1, NULL));
    CHECK_RC(mlops_registry_set_actor(r, ""), MLOPS_EINVAL);
    CHECK_RC(mlops_registry_set_actor(r, "a\nb"), MLOPS_EINVAL);
    char *log = fixture_read(fixture_path(W.reg, "audit.log"), NULL);
    ck_assert_ptr_nonnull(strstr(log, "\"actor\":\"ci-bot\""));
    ck_assert_ptr_nonnull(strstr(log, "\"actor\":\"Zoë Smith\""));
    free(log);
    unsetenv("MLOPS_ACTOR");
    mlops_registry_free(r);
}
END_TEST

START_TEST(open_errors)
{
    mlops_registry *r = NULL;
    CHECK_RC(mlops_registry_open(&r, W.reg, 0), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "does not exist"));
    CHECK_RC(mlops_registry_open(&r, W.dir, 0), MLOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not a registry"));
    CHECK_RC(mlops_registry_open(&r, W.m1, MLOPS_REGISTRY_CREATE), MLOPS_EINVAL);
    CHECK_RC(mlops_registry_open(&r, W.reg, 0x10), MLOPS_EINVAL);
    CHECK_RC(mlops_registry_open(&r, "", 0), MLOPS_EINVAL);
    CHECK_RC(mlops_registry_open(NULL, W.reg, 0), MLOPS_EINVAL);
    ck_assert_ptr_null(r);
    char deep[300];
    snprintf(deep, sizeof deep, "%s/no/such/parent", W.dir);
    CHECK_RC(mlops_registry_open(&r, deep, MLOPS_REGISTRY_CREATE), MLOPS_EIO);
    mlops_registry_free(NULL);
    /* created once, then opened plainly */
    CHECK_OK(mlops_registry_open(&r, W.reg, MLOPS_REGISTRY_CREATE));
    mlops_registry_free(r);
    CHECK_OK(mlops_registry_open(&r, W.reg, 0));
    mlops_registry_free(r);
    CHECK_OK(mlops_registry_verify(W.reg, NULL));
    CHECK_RC(mlops_registry_verify(W.dir, NULL), MLOPS_ENOTFOUND);
}
END_TEST

START_TEST(torn_tail_is_cut_on_open)
{
    mlops_registry *r = open_new();
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, NULL, NULL, 0));
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", W.v1, NULL));
    mlops_registry_free(r);
    const char *log = fixture_path(W.reg, "audit.log");
    size_t len = 0;
    char *text = fixture_read(log, &len);
    /* a crash in the middle of the third append */
    FILE *f = fopen(log, "ab");
    fputs("{\"action\":\"alias\",\"actor\":\"tes", f);
    fclose(f);
    char *report = NULL;
    CHECK_OK(mlops_registry_verify(W.reg, &report)); /* what a crash leaves is valid */
    ck_assert_ptr_nonnull(strstr(report, "incomplete"));
    mlops_free(report);
    CHECK_OK(mlops_registry_open(&r, W.reg, 0));
    size_t after = 0;
    char *repaired = fixture_read(log, &after);
    ck_assert_uint_eq(after, len);
    ck_assert_mem_eq(repaired, text, len);
    CHECK_OK(mlops_registry_set_alias(r, "iris", "staging", W.v1, NULL));
    CHECK_OK(mlops_registry_verify(W.reg, NULL));
    ck_assert_uint_eq(log_records(), 3);
    free(text);
    free(repaired);
    mlops_registry_free(r);
}
END_TEST

START_TEST(head_behind_is_rolled_forward)
{
    mlops_registry *r = open_new();
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, NULL, NULL, 0));
    const char *head = fixture_path(W.reg, "audit.log.head");
    size_t old_len = 0;
    char *old = fixture_read(head, &old_len);
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", W.v1, NULL));
    mlops_registry_free(r);
    size_t new_len = 0;
    char *cur = fixture_read(head, &new_len);
    /* a crash after the append, before the head's update */
    fixture_write(head, old, old_len);
    char *report = NULL;
    CHECK_OK(mlops_registry_verify(W.reg, &report));
    ck_assert_ptr_nonnull(strstr(report, "one record behind"));
    mlops_free(report);
    CHECK_OK(mlops_registry_open(&r, W.reg, 0));
    size_t len = 0;
    char *rolled = fixture_read(head, &len);
    ck_assert_uint_eq(len, new_len);
    ck_assert_mem_eq(rolled, cur, len);
    char *v = NULL;
    CHECK_OK(mlops_registry_resolve(r, "iris@production", &v, NULL));
    ck_assert_str_eq(v, W.v1);
    mlops_free(v);
    free(old);
    free(cur);
    free(rolled);
    mlops_registry_free(r);
}
END_TEST

START_TEST(damaged_log_stops_changes)
{
    mlops_registry *r = open_new();
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, NULL, NULL, 0));
    CHECK_OK(mlops_registry_register(r, "iris", W.m2, NULL, NULL, 0));
    const char *log = fixture_path(W.reg, "audit.log");
    size_t len = 0;
    char *text = fixture_read(log, &len);
    char *reason = strstr(text, "\"reason\":\"\"");
    ck_assert_ptr_nonnull(reason);
    reason[1] = 'R'; /* "Reason": an edited key */
    fixture_write(log, text, len);
    /* an open handle reads only what is appended after it; a new one
     * reads everything and refuses */
    mlops_registry_free(r);
    CHECK_RC(mlops_registry_open(&r, W.reg, 0), MLOPS_ECORRUPT);
    ck_assert_msg(strstr(mlops_last_error(), "audit.log:1:") != NULL, "%s", mlops_last_error());
    ck_assert_ptr_null(r);
    /* a log replaced by another file is read again in full */
    reason[1] = 'r';
    fixture_write(log, text, len);
    CHECK_OK(mlops_registry_open(&r, W.reg, 0));
    reason[1] = 'R';
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.new", log);
    fixture_write(tmp, text, len);
    ck_assert_int_eq(rename(tmp, log), 0);
    CHECK_RC(mlops_registry_set_alias(r, "iris", "production", W.v1, NULL), MLOPS_ECORRUPT);
    ck_assert_msg(strstr(mlops_last_error(), "audit.log:1:") != NULL, "%s", mlops_last_error());
    ck_assert_uint_eq(log_records(), 2);
    free(text);
    mlops_registry_free(r);
}
END_TEST

/* ---- Out of memory --------------------------------------------------------- */

typedef struct sweep_ctx {
    const char *op;
    char *out;
} sweep_ctx;

static int run_op(void *p)
{
    sweep_ctx *c = p;
    mlops_registry *r = NULL;
    int rc = mlops_registry_open(&r, W.reg, 0);
    if (rc != MLOPS_OK) return rc;
    char *v = NULL;
    mlops_model *m = NULL;
    if (strcmp(c->op, "register") == 0) rc = mlops_registry_register(r, "iris", W.m3, "x", NULL, 0);
    else if (strcmp(c->op, "alias") == 0) rc = mlops_registry_set_alias(r, "iris", "canary", W.v3, "x");
    else if (strcmp(c->op, "retire") == 0) rc = mlops_registry_retire(r, "iris", W.v3, "x");
    else if (strcmp(c->op, "refuse") == 0) rc = mlops_registry_record_refusal(r, "iris", "production", W.v3, "x");
    else if (strcmp(c->op, "resolve") == 0) rc = mlops_registry_resolve(r, "iris@production", &v, &c->out);
    else if (strcmp(c->op, "load") == 0) rc = mlops_registry_load_model(r, "iris@production", &m);
    else if (strcmp(c->op, "list") == 0) rc = mlops_registry_list_json(r, &c->out);
    else if (strcmp(c->op, "history") == 0) rc = mlops_registry_history_json(r, "iris", &c->out);
    else if (strcmp(c->op, "alias_at") == 0) rc = mlops_registry_alias_at(r, "iris", "production", "9999-01-01", &c->out);
    else if (strcmp(c->op, "open") == 0) rc = MLOPS_OK;
    mlops_free(v);
    mlops_model_free(m);
    mlops_registry_free(r);
    return rc;
}

static void undo_op(void *p)
{
    sweep_ctx *c = p;
    mlops_free(c->out);
    c->out = NULL;
}

static int run_verify(void *p)
{
    sweep_ctx *c = p;
    return strcmp(c->op, "registry") == 0 ? mlops_registry_verify(W.reg, &c->out)
                                           : mlops_audit_verify(fixture_path(W.reg, "audit.log"), &c->out);
}

START_TEST(out_of_memory)
{
    mlops_registry *r = open_new();
    CHECK_OK(mlops_registry_register(r, "iris", W.m1, NULL, NULL, 0));
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", W.v1, NULL));
    mlops_registry_free(r);
    const char *ops[] = {"open", "register", "alias", "refuse", "resolve", "load",
                         "list", "history", "alias_at", "retire"};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        sweep_ctx c = {ops[i], NULL};
        long n = fault_alloc_sweep(run_op, undo_op, &c);
        ck_assert_int_gt(n, 0);
    }
    const char *verifies[] = {"registry", "log"};
    for (size_t i = 0; i < 2; i++) {
        sweep_ctx c = {verifies[i], NULL};
        ck_assert_int_gt(fault_alloc_sweep(run_verify, undo_op, &c), 0);
    }
    CHECK_OK(mlops_registry_verify(W.reg, NULL));
    /* register, alias, refuse and retire each recorded exactly once */
    ck_assert_uint_eq(log_records(), 6);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("registry");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, register_is_content_addressed);
    tcase_add_test(tc, register_refuses_bad_input);
    tcase_add_test(tc, aliases_move_and_resolve);
    tcase_add_test(tc, short_prefix_is_not_a_version);
    tcase_add_test(tc, load_checks_the_stored_file);
    tcase_add_test(tc, retire_ends_a_version);
    tcase_add_test(tc, refusal_changes_nothing);
    tcase_add_test(tc, history_answers_which_version_when);
    tcase_add_test(tc, actor_is_recorded);
    tcase_add_test(tc, open_errors);
    tcase_add_test(tc, torn_tail_is_cut_on_open);
    tcase_add_test(tc, head_behind_is_rolled_forward);
    tcase_add_test(tc, damaged_log_stops_changes);
    tcase_add_test(tc, out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
