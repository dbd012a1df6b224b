/* Decision logs: input fingerprints against an independent Python
 * implementation (tests/reference/make_decision_reference.py) on iris and
 * on cars (a categorical input and real missing values), records that
 * verify, a log continued across opens, by two handles and by threads,
 * torn tails cut, bad input refused, and out-of-memory. */
#include "registry_fixture.h"

#include <pthread.h>

#include "../data/decision_fingerprint_reference.h"
#include "fault_alloc.h"
#include "runner.h"

static char dir[128], logpath[200];

static void setup(void)
{
    fixture_tmpdir(dir, sizeof dir, "decisions");
    snprintf(logpath, sizeof logpath, "%s/decisions.log", dir);
}

static void teardown(void)
{
    fixture_rmtree(dir);
}

static mlops_model *iris_model(void)
{
    mlops_model *m = NULL;
    char path[220];
    snprintf(path, sizeof path, "%s/iris.mlops", dir);
    fixture_train(path, "0.0001", NULL, &m);
    return m;
}

/* cars.csv, Miles_per_Gallon the target, Name and Year ignored; the model
 * is fitted on the rows that have a target, with imputation and one-hot
 * encoding so missing Horsepower and Origin are inputs. */
static mlops_model *cars_model(mlops_dataset **all)
{
    mlops_dataset *d = NULL;
    CHECK_OK(mlops_dataset_read_csv(&d, DATA_DIR "/real/cars.csv", NULL));
    size_t col = 0;
    CHECK_OK(mlops_dataset_column_index(d, "Miles_per_Gallon", &col));
    CHECK_OK(mlops_dataset_set_role(d, col, MLOPS_ROLE_TARGET));
    size_t rows = mlops_dataset_rows(d);
    uint8_t *mask = malloc(rows);
    for (size_t i = 0; i < rows; i++) mask[i] = mlops_dataset_is_missing(d, col, i) == 0;
    const char *ignored[] = {"Name", "Year"};
    for (size_t i = 0; i < 2; i++) {
        size_t c = 0;
        CHECK_OK(mlops_dataset_column_index(d, ignored[i], &c));
        CHECK_OK(mlops_dataset_set_role(d, c, MLOPS_ROLE_IGNORE));
    }
    mlops_dataset *train = NULL;
    CHECK_OK(mlops_dataset_filter_rows(&train, d, mask));
    free(mask);
    mlops_transform *t = NULL;
    CHECK_OK(mlops_transform_create(&t));
    ck_assert_int_ge(mlops_transform_add(t, "impute", "*"), 0);
    ck_assert_int_ge(mlops_transform_add(t, "onehot", "*"), 0);
    mlops_model *m = NULL;
    CHECK_OK(mlops_model_create(&m, "linear_regression"));
    CHECK_OK(mlops_model_set_transform(m, t));
    CHECK_OK(mlops_model_fit(m, train));
    mlops_transform_free(t);
    mlops_dataset_free(train);
    *all = d;
    return m;
}

START_TEST(fingerprints_match_the_reference)
{
    mlops_model *iris = iris_model();
    mlops_dataset *iris_data = fixture_iris();
    mlops_dataset *cars_data = NULL;
    mlops_model *cars = cars_model(&cars_data);
    ck_assert_uint_eq(mlops_model_input_count(cars), 6);
    ck_assert_str_eq(mlops_model_input_name(cars, 5), "Origin");
    size_t n = sizeof decision_reference / sizeof *decision_reference;
    for (size_t i = 0; i < n; i++) {
        const struct decision_reference *ref = &decision_reference[i];
        bool is_iris = strcmp(ref->file, "iris.csv") == 0;
        char hex[65];
        CHECK_OK(mlops_decision_fingerprint(is_iris ? iris : cars, is_iris ? iris_data : cars_data,
                                            ref->row, hex, sizeof hex));
        ck_assert_msg(strcmp(hex, ref->hex) == 0, "%s row %zu: %s, expected %s", ref->file,
                      ref->row, hex, ref->hex);
    }
    /* only the model's inputs count, whatever the columns' order */
    size_t order[] = {4, 3, 2, 1, 0};
    mlops_dataset *shuffled = NULL;
    CHECK_OK(mlops_dataset_select_columns(&shuffled, iris_data, order, 5));
    size_t one[] = {0, 1, 2, 3};
    mlops_dataset *inputs_only = NULL;
    CHECK_OK(mlops_dataset_select_columns(&inputs_only, iris_data, one, 4));
    char a[65], b[65], c[65];
    CHECK_OK(mlops_decision_fingerprint(iris, shuffled, 0, a, sizeof a));
    CHECK_OK(mlops_decision_fingerprint(iris, inputs_only, 0, b, sizeof b));
    ck_assert_str_eq(a, decision_reference[0].hex);
    ck_assert_str_eq(b, decision_reference[0].hex);
    CHECK_OK(mlops_decision_fingerprint(iris, iris_data, 2, c, sizeof c));
    ck_assert_str_ne(c, a);
    /* errors */
    CHECK_RC(mlops_decision_fingerprint(iris, iris_data, 150, a, sizeof a), MLOPS_EINVAL);
    CHECK_RC(mlops_decision_fingerprint(iris, iris_data, 0, a, 64), MLOPS_EINVAL);
    size_t three[] = {0, 1, 2};
    mlops_dataset *missing = NULL;
    CHECK_OK(mlops_dataset_select_columns(&missing, iris_data, three, 3));
    CHECK_RC(mlops_decision_fingerprint(iris, missing, 0, a, sizeof a), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "petal_width"));
    mlops_model *unfitted = NULL;
    CHECK_OK(mlops_model_create(&unfitted, "linear_regression"));
    CHECK_RC(mlops_decision_fingerprint(unfitted, iris_data, 0, a, sizeof a), MLOPS_ESTATE);
    mlops_model_free(unfitted);
    mlops_dataset_free(missing);
    mlops_dataset_free(shuffled);
    mlops_dataset_free(inputs_only);
    mlops_dataset_free(iris_data);
    mlops_dataset_free(cars_data);
    mlops_model_free(iris);
    mlops_model_free(cars);
}
END_TEST

START_TEST(records_verify_and_continue)
{
    mlops_model *m = iris_model();
    mlops_dataset *d = fixture_iris();
    char version[65];
    CHECK_OK(mlops_model_payload_hash(m, version, sizeof version));
    mlops_decision_log *log = NULL;
    CHECK_OK(mlops_decision_log_open(&log, logpath));
    CHECK_OK(mlops_decision_log_set_actor(log, "scoring-service"));
    CHECK_OK(mlops_decision_log_record(log, m, "iris@production", d, 0, "setosa"));
    CHECK_OK(mlops_decision_log_record(log, m, "iris@production", d, 77, "versicolor"));
    mlops_decision_log_free(log);
    CHECK_OK(mlops_decision_log_open(&log, logpath)); /* continued */
    CHECK_OK(mlops_decision_log_record(log, m, "/srv/models/iris.mlops", d, 149, "virginica"));
    mlops_decision_log_free(log);
    char *report = NULL;
    CHECK_OK(mlops_audit_verify(logpath, &report));
    ck_assert_ptr_nonnull(strstr(report, "\"records\": 3,"));
    mlops_free(report);
    char *text = fixture_read(logpath, NULL);
    char want[600];
    snprintf(want, sizeof want, "{\"action\":\"decision\",\"actor\":\"scoring-service\",\"details\":"
             "{\"input_sha256\":\"%s\",\"model_version\":\"%s\",\"output\":\"setosa\",\"row\":0},"
             "\"object\":\"iris@production\",\"prev\":\"%064d\",\"reason\":\"\",\"seq\":1,",
             decision_reference[0].hex, version, 0);
    ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "%s", text);
    snprintf(want, sizeof want, "\"input_sha256\":\"%s\"", decision_reference[2].hex);
    ck_assert_ptr_nonnull(strstr(text, want));
    ck_assert_ptr_nonnull(strstr(text, "\"seq\":3,"));
    free(text);
    mlops_dataset_free(d);
    mlops_model_free(m);
}
END_TEST

START_TEST(whole_dataset_in_one_call)
{
    mlops_model *m = iris_model();
    mlops_dataset *d = fixture_iris();
    size_t rows = mlops_dataset_rows(d);
    double *cls = malloc(rows * sizeof *cls);
    CHECK_OK(mlops_model_predict(m, d, MLOPS_PREDICT_VALUE, cls, rows));
    const char **outputs = malloc(rows * sizeof *outputs);
    for (size_t i = 0; i < rows; i++) outputs[i] = mlops_model_class_label(m, (size_t)cls[i]);
    mlops_decision_log *log = NULL;
    CHECK_OK(mlops_decision_log_open(&log, logpath));
    CHECK_OK(mlops_decision_log_record_dataset(log, m, "iris@production", d, outputs));
    outputs[10] = NULL;
    CHECK_RC(mlops_decision_log_record_dataset(log, m, "iris@production", d, outputs), MLOPS_EINVAL);
    mlops_decision_log_free(log);
    /* 150 records, then 10 more before the refused row */
    ck_assert_uint_eq(fixture_count_lines(logpath), rows + 10);
    CHECK_OK(mlops_audit_verify(logpath, NULL));
    free(outputs);
    free(cls);
    mlops_dataset_free(d);
    mlops_model_free(m);
}
END_TEST

typedef struct worker {
    mlops_decision_log *log;
    const mlops_model *m;
    const mlops_dataset *d;
    int id, failures;
} worker;

static void *record_many(void *p)
{
    worker *w = p;
    for (size_t i = 0; i < 50; i++) {
        char out[32];
        snprintf(out, sizeof out, "thread %d decision %zu", w->id, i);
        if (mlops_decision_log_record(w->log, w->m, "iris", w->d, i, out) != MLOPS_OK)
            w->failures++;
    }
    return NULL;
}

START_TEST(threads_and_handles_share_a_log)
{
    mlops_model *m = iris_model();
    mlops_dataset *d = fixture_iris();
    mlops_decision_log *log = NULL, *other = NULL;
    CHECK_OK(mlops_decision_log_open(&log, logpath));
    CHECK_OK(mlops_decision_log_open(&other, logpath));
    worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){i % 2 ? other : log, m, d, i, 0};
        ck_assert_int_eq(pthread_create(&t[i], NULL, record_many, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(w[i].failures, 0);
    }
    CHECK_OK(mlops_decision_log_record(log, m, "iris", d, 0, "after"));
    mlops_decision_log_free(log);
    mlops_decision_log_free(other);
    char *report = NULL;
    CHECK_OK(mlops_audit_verify(logpath, &report));
    ck_assert_ptr_nonnull(strstr(report, "\"records\": 201,"));
    mlops_free(report);
    mlops_dataset_free(d);
    mlops_model_free(m);
}
END_TEST

START_TEST(torn_tail_is_cut)
{
    mlops_model *m = iris_model();
    mlops_dataset *d = fixture_iris();
    mlops_decision_log *log = NULL;
    CHECK_OK(mlops_decision_log_open(&log, logpath));
    CHECK_OK(mlops_decision_log_record(log, m, "iris", d, 0, "setosa"));
    mlops_decision_log_free(log);
    size_t len = 0;
    char *before = fixture_read(logpath, &len);
    FILE *f = fopen(logpath, "ab");
    fputs("{\"action\":\"decision\",\"act", f);
    fclose(f);
    CHECK_OK(mlops_decision_log_open(&log, logpath));
    size_t after = 0;
    char *cut = fixture_read(logpath, &after);
    ck_assert_uint_eq(after, len);
    ck_assert_mem_eq(cut, before, len);
    CHECK_OK(mlops_decision_log_record(log, m, "iris", d, 1, "setosa"));
    mlops_decision_log_free(log);
    CHECK_OK(mlops_audit_verify(logpath, NULL));
    ck_assert_uint_eq(fixture_count_lines(logpath), 2);
    free(before);
    free(cut);
    mlops_dataset_free(d);
    mlops_model_free(m);
}
END_TEST

/* A file that is not a decision log is refused and left byte for byte as
 * it was: opening one by mistake must never cut its last line. */
START_TEST(other_files_are_left_alone)
{
    static const char *const contents[] = {
        "Name,Miles_per_Gallon\nfoo,1\nbar,2", /* a CSV file without a final newline */
        "line without newline at all",
        "{\"seq\":1}\nnot a record",
    };
    for (size_t i = 0; i < sizeof contents / sizeof contents[0]; i++) {
        fixture_write(logpath, contents[i], strlen(contents[i]));
        mlops_decision_log *log = NULL;
        ck_assert_int_eq(mlops_decision_log_open(&log, logpath), MLOPS_ECORRUPT);
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "left as it is"));
        ck_assert_ptr_null(log);
        size_t len = 0;
        char *now = fixture_read(logpath, &len);
        ck_assert_uint_eq(len, strlen(contents[i]));
        ck_assert_mem_eq(now, contents[i], len);
        free(now);
    }
}
END_TEST

START_TEST(bad_input_is_refused)
{
    mlops_model *m = iris_model();
    mlops_dataset *d = fixture_iris();
    mlops_decision_log *log = NULL;
    CHECK_OK(mlops_decision_log_open(&log, logpath));
    CHECK_RC(mlops_decision_log_record(log, m, "iris", d, 0, "bad\x01output"), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "output"));
    CHECK_RC(mlops_decision_log_record(log, m, "", d, 0, "x"), MLOPS_EINVAL);
    CHECK_RC(mlops_decision_log_record(log, m, "iris", d, 150, "x"), MLOPS_EINVAL);
    CHECK_RC(mlops_decision_log_record(log, m, "iris", d, 0, NULL), MLOPS_EINVAL);
    CHECK_RC(mlops_decision_log_record(NULL, m, "iris", d, 0, "x"), MLOPS_EINVAL);
    CHECK_RC(mlops_decision_log_set_actor(log, "a\nb"), MLOPS_EINVAL);
    mlops_decision_log_free(log);
    ck_assert_uint_eq(fixture_count_lines(logpath), 0);
    /* not a decision log */
    char other[220];
    snprintf(other, sizeof other, "%s/notes.txt", dir);
    fixture_write(other, "hello\n", 6);
    CHECK_RC(mlops_decision_log_open(&log, other), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "notes.txt"));
    ck_assert_ptr_null(log);
    CHECK_RC(mlops_decision_log_open(&log, dir), MLOPS_EIO);
    CHECK_RC(mlops_decision_log_open(&log, "/nonexistent/dir/log"), MLOPS_EIO);
    CHECK_RC(mlops_decision_log_open(NULL, logpath), MLOPS_EINVAL);
    mlops_decision_log_free(NULL);
    mlops_dataset_free(d);
    mlops_model_free(m);
}
END_TEST

typedef struct sweep {
    mlops_model *m;
    mlops_dataset *d;
} sweep;

static int open_record_close(void *p)
{
    sweep *s = p;
    mlops_decision_log *log = NULL;
    int rc = mlops_decision_log_open(&log, logpath);
    if (rc == MLOPS_OK) rc = mlops_decision_log_record(log, s->m, "iris", s->d, 3, "setosa");
    mlops_decision_log_free(log);
    return rc;
}

static int fingerprint_only(void *p)
{
    sweep *s = p;
    char hex[65];
    return mlops_decision_fingerprint(s->m, s->d, 0, hex, sizeof hex);
}

START_TEST(out_of_memory)
{
    sweep s = {iris_model(), fixture_iris()};
    ck_assert_int_gt(fault_alloc_sweep(fingerprint_only, NULL, &s), 0);
    ck_assert_int_gt(fault_alloc_sweep(open_record_close, NULL, &s), 0);
    CHECK_OK(mlops_audit_verify(logpath, NULL));
    mlops_dataset_free(s.d);
    mlops_model_free(s.m);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("decision_log");
    TCase *tc = tcase_create("decision_log");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fingerprints_match_the_reference);
    tcase_add_test(tc, records_verify_and_continue);
    tcase_add_test(tc, whole_dataset_in_one_call);
    tcase_add_test(tc, threads_and_handles_share_a_log);
    tcase_add_test(tc, torn_tail_is_cut);
    tcase_add_test(tc, other_files_are_left_alone);
    tcase_add_test(tc, bad_input_is_refused);
    tcase_add_test(tc, out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
