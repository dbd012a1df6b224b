/* mlops_model's public surface beyond the reference numbers: settings and
 * their errors, the agreement of the three prediction paths, explanations
 * that add up to the decision, coefficient units, categorical inputs,
 * determinism, warm starts, progress and cancelling, and the convergence
 * report. Correctness against scikit-learn lives in
 * test_model_reference.c, bad input in test_model_errors.c, files in
 * test_model_io.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "runner.h"

#define OK(call) ck_assert_msg((call) == MLOPS_OK, "%s: %s", #call, mlops_last_error())

#define ASSERT_ERR(call, code, text)                                                     \
    do {                                                                                 \
        int rc_ = (call);                                                                \
        ck_assert_msg(rc_ == (code), "%s gave %d (%s)", #call, rc_, mlops_last_error()); \
        ck_assert_msg(strstr(mlops_last_error(), (text)) != NULL,                        \
                      "message '%s' lacks '%s'", mlops_last_error(), (text));            \
    } while (0)

static mlops_dataset *read_real(const char *name, const char *target)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real/%s", DATA_DIR, name);
    mlops_dataset *d = NULL;
    OK(mlops_dataset_read_csv(&d, path, NULL));
    size_t col = 0;
    OK(mlops_dataset_column_index(d, target, &col));
    OK(mlops_dataset_set_role(d, col, MLOPS_ROLE_TARGET));
    return d;
}

static mlops_model *standardized_model(const char *kind)
{
    mlops_model *m = NULL;
    OK(mlops_model_create(&m, kind));
    mlops_transform *t = NULL;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 0);
    OK(mlops_model_set_transform(m, t));
    mlops_transform_free(t);
    return m;
}

/* Raw inputs of every row as a row-major matrix, in model input order. */
static double *raw_matrix(const mlops_model *m, const mlops_dataset *d)
{
    size_t ni = mlops_model_input_count(m), n = mlops_dataset_rows(d);
    double *x = malloc(n * ni * sizeof *x);
    ck_assert_ptr_nonnull(x);
    for (size_t j = 0; j < ni; j++) {
        size_t col = 0;
        OK(mlops_dataset_column_index(d, mlops_model_input_name(m, j), &col));
        for (size_t i = 0; i < n; i++) OK(mlops_dataset_get_numeric(d, col, i, 1, &x[i * ni + j]));
    }
    return x;
}

START_TEST(settings_round_trip_and_errors)
{
    mlops_model *m = NULL;
    ASSERT_ERR(mlops_model_create(&m, "logistic_regresion"), MLOPS_EINVAL,
               "did you mean 'logistic_regression'");
    OK(mlops_model_create(&m, "logistic_regression"));
    ck_assert_str_eq(mlops_model_kind(m), "logistic_regression");
    char *v = NULL;
    OK(mlops_model_get_param(m, "l2", &v));
    ck_assert_str_eq(v, "0.0001");
    mlops_free(v);
    OK(mlops_model_set_param(m, "l2", "0.25"));
    OK(mlops_model_set_param_double(m, "tol", 1e-9));
    OK(mlops_model_set_param(m, "solver", "newton"));
    OK(mlops_model_set_param(m, "class_weight", "balanced"));
    OK(mlops_model_set_param(m, "fit_intercept", "no"));
    OK(mlops_model_get_param(m, "tol", &v));
    ck_assert_str_eq(v, "1e-09");
    mlops_free(v);
    OK(mlops_model_get_param(m, "fit_intercept", &v));
    ck_assert_str_eq(v, "false");
    mlops_free(v);
    ASSERT_ERR(mlops_model_set_param(m, "l3", "1"), MLOPS_EINVAL, "did you mean 'l2'");
    ASSERT_ERR(mlops_model_set_param(m, "l2", "-1"), MLOPS_EINVAL, ">= 0");
    ASSERT_ERR(mlops_model_set_param(m, "l2", "abc"), MLOPS_EINVAL, "not a number");
    ASSERT_ERR(mlops_model_set_param(m, "max_iter", "0"), MLOPS_EINVAL, "out of range");
    ASSERT_ERR(mlops_model_set_param(m, "max_iter", "12x"), MLOPS_EINVAL, "whole number");
    ASSERT_ERR(mlops_model_set_param(m, "solver", "cholesky"), MLOPS_EINVAL,
               "not a logistic_regression solver");
    ASSERT_ERR(mlops_model_set_param(m, "warm_start", "maybe"), MLOPS_EINVAL,
               "not true or false");
    ASSERT_ERR(mlops_model_set_param_double(m, "l2", NAN), MLOPS_EINVAL, "finite");
    /* a failed set changes nothing */
    OK(mlops_model_get_param(m, "l2", &v));
    ck_assert_str_eq(v, "0.25");
    mlops_free(v);
    mlops_model_free(m);

    OK(mlops_model_create(&m, "linear_regression"));
    ASSERT_ERR(mlops_model_set_param(m, "class_weight", "balanced"), MLOPS_EINVAL,
               "logistic_regression only");
    OK(mlops_model_set_param(m, "solver", "lstsq"));
    double x = 0;
    ASSERT_ERR(mlops_model_info(m, "iterations", &x), MLOPS_ESTATE, "not fitted");
    ASSERT_ERR(mlops_model_info(m, "iteration", &x), MLOPS_EINVAL, "unknown key");
    ck_assert_int_eq(mlops_model_is_fitted(m), 0);
    ck_assert_uint_eq(mlops_model_output_width(m, MLOPS_PREDICT_VALUE), 0);
    mlops_model_free(m);
    mlops_model_free(NULL);
}
END_TEST

/* Dataset, matrix and single-row paths agree; probabilities sum to 1 and
 * the class index is the argmax. */
START_TEST(prediction_paths_agree)
{
    mlops_dataset *d = read_real("wine.csv", "target");
    mlops_model *m = standardized_model("logistic_regression");
    OK(mlops_model_set_param(m, "l2", "0.01"));
    OK(mlops_model_fit(m, d));
    size_t n = mlops_dataset_rows(d), k = mlops_model_class_count(m);
    ck_assert_uint_eq(k, 3);
    ck_assert_uint_eq(mlops_model_output_count(m), 3);
    ck_assert_str_eq(mlops_model_class_label(m, 0), "0");
    ck_assert_str_eq(mlops_model_class_label(m, 2), "2");
    ck_assert_ptr_null(mlops_model_class_label(m, 3));
    double *pd = malloc(n * k * sizeof *pd), *pm = malloc(n * k * sizeof *pm);
    double *vd = malloc(n * sizeof *vd), row[3], dec[3];
    OK(mlops_model_predict(m, d, MLOPS_PREDICT_PROBA, pd, n * k));
    OK(mlops_model_predict(m, d, MLOPS_PREDICT_VALUE, vd, n));
    double *x = raw_matrix(m, d);
    size_t ni = mlops_model_input_count(m);
    OK(mlops_model_predict_matrix(m, x, n, ni, MLOPS_PREDICT_PROBA, pm, n * k));
    for (size_t i = 0; i < n * k; i++) ck_assert_double_eq_tol(pm[i], pd[i], 1e-13);
    /* a missing value in a model without an imputer is named, even on the
     * folded path */
    x[5 * ni + 2] = NAN;
    ASSERT_ERR(mlops_model_predict_matrix(m, x, n, ni, MLOPS_PREDICT_PROBA, pm, n * k),
               MLOPS_EINVAL, "at row 5");
    ASSERT_ERR(mlops_model_predict_row(m, x + 5 * ni, ni, MLOPS_PREDICT_PROBA, row, 3),
               MLOPS_EINVAL, "missing");
    OK(mlops_dataset_get_numeric(d, 2, 5, 1, &x[5 * ni + 2]));
    size_t correct = 0;
    for (size_t i = 0; i < n; i++) {
        OK(mlops_model_predict_row(m, x + i * ni, ni, MLOPS_PREDICT_PROBA, row, 3));
        double s = 0;
        size_t best = 0;
        for (size_t c = 0; c < k; c++) {
            ck_assert_double_eq_tol(row[c], pd[i * k + c], 1e-12);
            s += pd[i * k + c];
            if (pd[i * k + c] > pd[i * k + best]) best = c;
        }
        ck_assert_double_eq_tol(s, 1.0, 1e-12);
        ck_assert_double_eq(vd[i], (double)best);
        OK(mlops_model_predict_row(m, x + i * ni, ni, MLOPS_PREDICT_DECISION, dec, 3));
        double target = 0;
        OK(mlops_dataset_get_numeric(d, mlops_dataset_cols(d) - 1, i, 1, &target));
        correct += (double)best == target;
    }
    ck_assert_uint_ge(correct, n * 98 / 100); /* wine is nearly separable */
    /* wrong sizes */
    ASSERT_ERR(mlops_model_predict(m, d, MLOPS_PREDICT_PROBA, pd, n * k - 1), MLOPS_EINVAL,
               "holds");
    ASSERT_ERR(mlops_model_predict_row(m, x, ni - 1, MLOPS_PREDICT_VALUE, row, 3),
               MLOPS_EINVAL, "inputs");
    ASSERT_ERR(mlops_model_predict_row(m, x, ni, 7, row, 3), MLOPS_EINVAL, "kind");
    free(pd);
    free(pm);
    free(vd);
    free(x);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

/* Contributions plus the intercept give the decision value; coefficient
 * units convert between each other as documented. */
START_TEST(explanations_add_up)
{
    mlops_dataset *d = read_real("breast_cancer.csv", "target");
    mlops_model *m = standardized_model("logistic_regression");
    OK(mlops_model_set_param(m, "l2", "0.001"));
    OK(mlops_model_fit(m, d));
    size_t p = mlops_model_feature_count(m);
    ck_assert_uint_eq(p, 30);
    ck_assert_uint_eq(mlops_model_output_count(m), 1);
    double coef[30], raw[30], stdz[30], b = 0, braw = 0, contrib[30];
    size_t n = mlops_dataset_rows(d);
    double *dec = malloc(n * sizeof *dec);
    OK(mlops_model_predict(m, d, MLOPS_PREDICT_DECISION, dec, n));
    OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, coef, 30, &b, 1));
    OK(mlops_model_coefficients(m, MLOPS_COEF_RAW, raw, 30, &braw, 1));
    OK(mlops_model_coefficients(m, MLOPS_COEF_STANDARDIZED, stdz, 30, NULL, 0));
    /* With a standardize chain, standardized units are the model units. */
    for (size_t j = 0; j < p; j++) ck_assert_double_eq_tol(stdz[j], coef[j], 1e-9 * fabs(coef[j]) + 1e-15);
    for (size_t row = 0; row < 20; row++) {
        OK(mlops_model_contributions(m, d, row, 0, contrib, 30));
        double s = b;
        for (size_t j = 0; j < p; j++) s += contrib[j];
        /* the raw-unit form gives the same decision from raw values */
        double sr = braw, v = 0;
        for (size_t j = 0; j < p; j++) {
            size_t col = 0;
            OK(mlops_dataset_column_index(d, mlops_model_feature_name(m, j), &col));
            OK(mlops_dataset_get_numeric(d, col, row, 1, &v));
            sr += raw[j] * v;
        }
        ck_assert_double_eq_tol(sr, s, 1e-9 * (1 + fabs(s)));
        ck_assert_double_eq_tol(s, dec[row], 1e-12 * (1 + fabs(dec[row])));
    }
    char *json = NULL;
    OK(mlops_model_explain_json(m, d, 0, 3, &json));
    ck_assert_ptr_nonnull(strstr(json, "\"reasons\""));
    ck_assert_ptr_nonnull(strstr(json, "\"explained_output\": \"1\""));
    /* exactly three reasons, largest contribution first */
    size_t count = 0;
    for (const char *s = json; (s = strstr(s, "\"contribution\"")) != NULL; s++) count++;
    ck_assert_uint_eq(count, 3);
    OK(mlops_model_contributions(m, d, 0, 0, contrib, 30));
    size_t best = 0;
    for (size_t j = 1; j < p; j++)
        if (fabs(contrib[j]) > fabs(contrib[best])) best = j;
    char needle[128];
    snprintf(needle, sizeof needle, "\"feature\": \"%s\"", mlops_model_feature_name(m, best));
    const char *first = strstr(json, "\"feature\"");
    ck_assert_ptr_nonnull(first);
    ck_assert_int_eq(strncmp(first, needle, strlen(needle)), 0);
    mlops_free(json);
    free(dec);
    ASSERT_ERR(mlops_model_contributions(m, d, 10000, 0, contrib, 30), MLOPS_EINVAL,
               "out of range");
    ASSERT_ERR(mlops_model_contributions(m, d, 0, 1, contrib, 30), MLOPS_EINVAL, "output 1");
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

/* A categorical input goes through impute + onehot; unseen categories
 * follow the chain's policy; the matrix path is refused with a reason. */
START_TEST(categorical_inputs)
{
    static const char csv[] = "color,size,price\n"
                              "red,1,10\nblue,2,21\nred,3,29\ngreen,4,41\nblue,5,50\n"
                              "green,6,61\nred,7,69\n,8,80\nblue,9,91\ngreen,10,99\n";
    mlops_dataset *d = NULL;
    OK(mlops_dataset_read_csv_memory(&d, csv, sizeof csv - 1, "inline", NULL));
    size_t col = 0;
    OK(mlops_dataset_column_index(d, "price", &col));
    OK(mlops_dataset_set_role(d, col, MLOPS_ROLE_TARGET));
    mlops_model *m = NULL;
    OK(mlops_model_create(&m, "linear_regression"));
    mlops_transform *t = NULL;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "onehot", "*"), 0);
    OK(mlops_transform_set(t, 0, "unseen", "zeros"));
    OK(mlops_model_set_transform(m, t));
    mlops_transform_free(t);
    OK(mlops_model_fit(m, d));
    ck_assert_uint_eq(mlops_model_input_count(m), 2);
    ck_assert_int_eq(mlops_model_input_type(m, 0), MLOPS_CATEGORICAL);
    /* blue, green, red, __missing__ + size */
    ck_assert_uint_eq(mlops_model_feature_count(m), 5);
    ck_assert_str_eq(mlops_model_feature_name(m, 0), "color=blue");
    ck_assert_str_eq(mlops_model_target_name(m), "price");
    double out[10], x[2] = {1, 1};
    OK(mlops_model_predict(m, d, MLOPS_PREDICT_VALUE, out, 10));
    for (size_t i = 0; i < 10; i++) ck_assert(fabs(out[i] - (10.0 * (double)i + 10)) < 3);
    ASSERT_ERR(mlops_model_predict_row(m, x, 2, MLOPS_PREDICT_VALUE, out, 1), MLOPS_EINVAL,
               "categorical");
    static const char unseen[] = "size,color\n3,purple\n";
    mlops_dataset *u = NULL;
    OK(mlops_dataset_read_csv_memory(&u, unseen, sizeof unseen - 1, "unseen", NULL));
    OK(mlops_model_predict(m, u, MLOPS_PREDICT_VALUE, out, 1)); /* columns in another order */
    ck_assert(isfinite(out[0]));
    mlops_dataset_free(u);
    static const char missing_col[] = "size\n3\n";
    OK(mlops_dataset_read_csv_memory(&u, missing_col, sizeof missing_col - 1, "missing", NULL));
    ASSERT_ERR(mlops_model_predict(m, u, MLOPS_PREDICT_VALUE, out, 1), MLOPS_EINVAL,
               "no column 'color'");
    mlops_dataset_free(u);
    static const char wrong_type[] = "size,color\nbig,red\n";
    OK(mlops_dataset_read_csv_memory(&u, wrong_type, sizeof wrong_type - 1, "wrong", NULL));
    ASSERT_ERR(mlops_model_predict(m, u, MLOPS_PREDICT_VALUE, out, 1), MLOPS_EINVAL,
               "column 'size' is categorical");
    mlops_dataset_free(u);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

static int count_calls(uint64_t done, uint64_t total, void *ud)
{
    size_t *calls = ud;
    ck_assert_uint_le(done, total);
    ++*calls;
    return 0;
}

static int stop_at_three(uint64_t done, uint64_t total, void *ud)
{
    (void)total;
    (void)ud;
    return done >= 3;
}

static void capture(int level, const char *message, void *ud)
{
    if (level == MLOPS_LOG_WARN && strstr(message, "did not converge") != NULL) ++*(int *)ud;
}

START_TEST(determinism_progress_and_convergence)
{
    mlops_dataset *d = read_real("iris.csv", "species");
    mlops_model *a = standardized_model("logistic_regression");
    mlops_model *b = standardized_model("logistic_regression");
    OK(mlops_model_set_param(a, "solver", "lbfgs"));
    OK(mlops_model_set_param(b, "solver", "lbfgs"));
    size_t calls = 0;
    OK(mlops_model_set_progress(a, count_calls, &calls));
    OK(mlops_model_fit(a, d));
    OK(mlops_model_fit(b, d));
    double it = 0, conv = 0, gn = 0;
    OK(mlops_model_info(a, "iterations", &it));
    OK(mlops_model_info(a, "converged", &conv));
    OK(mlops_model_info(a, "gradient_norm", &gn));
    ck_assert_double_eq(conv, 1);
    ck_assert_double_le(gn, 1e-6);
    ck_assert_uint_eq(calls, (size_t)it);
    double ca[15], cb[15];
    OK(mlops_model_coefficients(a, MLOPS_COEF_MODEL, ca, 12, ca + 12, 3));
    OK(mlops_model_coefficients(b, MLOPS_COEF_MODEL, cb, 12, cb + 12, 3));
    ck_assert_int_eq(memcmp(ca, cb, sizeof ca), 0);
    /* warm start from the solution converges at once */
    OK(mlops_model_set_param(a, "warm_start", "true"));
    OK(mlops_model_fit(a, d));
    OK(mlops_model_info(a, "iterations", &it));
    ck_assert_double_le(it, 1);
    /* cancelling keeps the earlier fit */
    OK(mlops_model_set_param(a, "warm_start", "false"));
    OK(mlops_model_set_param(a, "l2", "0.5"));
    OK(mlops_model_set_progress(a, stop_at_three, NULL));
    ASSERT_ERR(mlops_model_fit(a, d), MLOPS_ECANCELED, "model fit");
    OK(mlops_model_coefficients(a, MLOPS_COEF_MODEL, cb, 12, cb + 12, 3));
    ck_assert_int_eq(memcmp(ca, cb, sizeof ca), 0);
    /* too few iterations: a warning and the flag, not an error */
    int warnings = 0;
    OK(mlops_set_logger(capture, MLOPS_LOG_WARN, &warnings));
    OK(mlops_model_set_progress(a, NULL, NULL));
    OK(mlops_model_set_param(a, "max_iter", "2"));
    OK(mlops_model_fit(a, d));
    OK(mlops_set_logger(NULL, 0, NULL));
    OK(mlops_model_info(a, "converged", &conv));
    ck_assert_double_eq(conv, 0);
    ck_assert_int_eq(warnings, 1);
    mlops_model_free(a);
    mlops_model_free(b);
    mlops_dataset_free(d);
}
END_TEST

/* The creation time stamped by fitting can be cleared or fixed, so that
 * two fits on the same data save byte-identical files. */
START_TEST(creation_time_can_be_fixed)
{
    mlops_dataset *d = read_real("iris.csv", "species");
    mlops_model *a = standardized_model("logistic_regression");
    mlops_model *b = standardized_model("logistic_regression");
    OK(mlops_model_fit(a, d));
    OK(mlops_model_fit(b, d));
    char *created = NULL;
    OK(mlops_model_card_get(a, "created", &created));
    ck_assert_uint_eq(strlen(created), 20);
    ck_assert_int_eq(created[19], 'Z');
    mlops_free(created);
    OK(mlops_model_card_set(a, "created", "2001-02-03T04:05:06Z"));
    OK(mlops_model_card_get(a, "created", &created));
    ck_assert_str_eq(created, "2001-02-03T04:05:06Z");
    mlops_free(created);
    ASSERT_ERR(mlops_model_card_set(a, "created", "yesterday"), MLOPS_EINVAL, "'yesterday'");
    OK(mlops_model_card_get(a, "created", &created));
    ck_assert_str_eq(created, "2001-02-03T04:05:06Z");
    mlops_free(created);
    OK(mlops_model_card_set(a, "created", ""));
    OK(mlops_model_card_set(b, "created", NULL));
    unsigned char *ba = NULL, *bb = NULL;
    size_t na = 0, nb = 0;
    OK(mlops_model_save_buffer(a, &ba, &na));
    OK(mlops_model_save_buffer(b, &bb, &nb));
    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(ba, bb, na), 0);
    mlops_free(ba);
    mlops_free(bb);
    mlops_model_free(a);
    mlops_model_free(b);
    mlops_dataset_free(d);
}
END_TEST

/* One BLAS thread and two give the same bits run to run for each count. */
START_TEST(threads_setting)
{
    mlops_dataset *d = read_real("diabetes.csv", "target");
    double c[4][11];
    for (int r = 0; r < 4; r++) {
        mlops_model *m = NULL;
        OK(mlops_model_create(&m, "linear_regression"));
        OK(mlops_model_set_param(m, "threads", r < 2 ? "1" : "2"));
        OK(mlops_model_set_param(m, "l2", "0.01"));
        OK(mlops_model_fit(m, d));
        OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, c[r], 10, c[r] + 10, 1));
        mlops_model_free(m);
    }
    ck_assert_int_eq(memcmp(c[0], c[1], sizeof c[0]), 0);
    ck_assert_int_eq(memcmp(c[2], c[3], sizeof c[2]), 0);
    for (int j = 0; j < 11; j++) ck_assert_double_eq_tol(c[0][j], c[2][j], 1e-9 * fabs(c[0][j]));
    mlops_dataset_free(d);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_api");
    TCase *tc = tcase_create("model_api");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, settings_round_trip_and_errors);
    tcase_add_test(tc, prediction_paths_agree);
    tcase_add_test(tc, explanations_add_up);
    tcase_add_test(tc, categorical_inputs);
    tcase_add_test(tc, determinism_progress_and_convergence);
    tcase_add_test(tc, threads_setting);
    tcase_add_test(tc, creation_time_can_be_fixed);
    suite_add_tcase(s, tc);
    return s;
}
