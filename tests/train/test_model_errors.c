/* mlops_model on bad input and at its edges: every refusal returns its code
 * and a message naming what is wrong and where; degenerate problems
 * (separable classes without a penalty, collinear columns) give finite,
 * documented answers; cancelled and failed fits leave the previous fit in
 * place; fits are bit-for-bit repeatable; allocation failures anywhere in a
 * fit or a prediction give MLOPS_ENOMEM and leak nothing. The numbers of
 * ordinary fits are checked against scikit-learn in test_model_reference.c. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"

#ifndef DATA_DIR
#error "DATA_DIR must name tests/data"
#endif

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define OK(call) ck_assert_msg((call) == MLOPS_OK, "%s: %s", #call, mlops_last_error())

/* The call must fail with `code` and a message holding `text`. */
#define ASSERT_ERR(call, code, text)                                                         \
    do {                                                                                     \
        mlops_clear_error();                                                                 \
        int rc_ = (call);                                                                    \
        ck_assert_msg(rc_ == (code), "%s gave %d (%s), expected %d", #call, rc_,             \
                      mlops_last_error(), (int)(code));                                      \
        ck_assert_msg(strstr(mlops_last_error(), (text)) != NULL,                            \
                      "%s: message '%s' lacks '%s'", #call, mlops_last_error(), (text));     \
    } while (0)

/* ---- small datasets ------------------------------------------------------ */

enum { SMALL_ROWS = 12 };

/* dose, age: numeric features; outcome: categorical target, not separable. */
static const double SMALL_DOSE[SMALL_ROWS] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const double SMALL_AGE[SMALL_ROWS] = {30, 41, 35, 52, 47, 38, 61, 55, 44, 58, 66, 49};
static const char *const SMALL_OUTCOME[SMALL_ROWS] = {"no",  "no", "yes", "no",  "no",  "yes",
                                                      "no",  "yes", "yes", "no", "yes", "yes"};

static mlops_dataset *build(size_t rows, const char *const *num_names,
                            const double *const *num_values, size_t nnum,
                            const char *const *cat_names, const char *const *const *cat_values,
                            size_t ncat, const char *target, const char *weight)
{
    mlops_dataset_builder *b;
    OK(mlops_dataset_builder_create(&b, rows));
    for (size_t j = 0; j < nnum; j++) OK(mlops_dataset_builder_add_numeric(b, num_names[j], num_values[j]));
    for (size_t j = 0; j < ncat; j++)
        OK(mlops_dataset_builder_add_categorical(b, cat_names[j], cat_values[j]));
    if (target) OK(mlops_dataset_builder_set_role(b, target, MLOPS_ROLE_TARGET));
    if (weight) OK(mlops_dataset_builder_set_role(b, weight, MLOPS_ROLE_WEIGHT));
    mlops_dataset *d;
    OK(mlops_dataset_builder_finish(b, &d));
    mlops_dataset_builder_free(b);
    return d;
}

/* The small classification set, with `dose` replaced when given. */
static mlops_dataset *small_logistic_with(const double *dose)
{
    const char *nn[] = {"dose", "age"};
    const double *nv[] = {dose ? dose : SMALL_DOSE, SMALL_AGE};
    const char *cn[] = {"outcome"};
    const char *const *cv[] = {SMALL_OUTCOME};
    return build(SMALL_ROWS, nn, nv, 2, cn, cv, 1, "outcome", NULL);
}

static mlops_dataset *small_logistic(void)
{
    return small_logistic_with(NULL);
}

/* dose, age and a numeric target y = 2 dose - 0.5 age + noise. */
static mlops_dataset *small_linear(void)
{
    double y[SMALL_ROWS];
    for (size_t i = 0; i < SMALL_ROWS; i++)
        y[i] = 2 * SMALL_DOSE[i] - 0.5 * SMALL_AGE[i] + ((i % 3) == 0 ? 0.25 : -0.125);
    const char *nn[] = {"dose", "age", "y"};
    const double *nv[] = {SMALL_DOSE, SMALL_AGE, y};
    return build(SMALL_ROWS, nn, nv, 3, NULL, NULL, 0, "y", NULL);
}

static mlops_model *model(const char *kind)
{
    mlops_model *m;
    OK(mlops_model_create(&m, kind));
    return m;
}

static mlops_model *fitted(const char *kind, const mlops_dataset *d)
{
    mlops_model *m = model(kind);
    OK(mlops_model_fit(m, d));
    return m;
}

static double info(const mlops_model *m, const char *key)
{
    double v = NAN;
    OK(mlops_model_info(m, key, &v));
    return v;
}

static mlops_dataset *read_real(const char *stem, const char *target)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real/%s.csv", DATA_DIR, stem);
    mlops_dataset *d = NULL;
    ck_assert_msg(mlops_dataset_read_csv(&d, path, NULL) == MLOPS_OK, "%s: %s", path,
                  mlops_last_error());
    size_t j;
    OK(mlops_dataset_column_index(d, target, &j));
    OK(mlops_dataset_set_role(d, j, MLOPS_ROLE_TARGET));
    return d;
}

/* Log capture. */
static int warnings_seen, convergence_warnings;

static void capture(int level, const char *message, void *ud)
{
    (void)ud;
    if (level == MLOPS_LOG_WARN) {
        warnings_seen++;
        convergence_warnings += strstr(message, "converge") != NULL;
    }
}

/* ---- targets and rows ------------------------------------------------------ */

START_TEST(single_class_target)
{
    const char *labels[SMALL_ROWS];
    for (size_t i = 0; i < SMALL_ROWS; i++) labels[i] = "yes";
    const char *nn[] = {"dose"};
    const double *nv[] = {SMALL_DOSE};
    const char *cn[] = {"outcome"};
    const char *const *cv[] = {labels};
    mlops_dataset *d = build(SMALL_ROWS, nn, nv, 1, cn, cv, 1, "outcome", NULL);
    mlops_model *m = model("logistic_regression");
    ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "outcome");
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "class"));
    ck_assert_int_eq(mlops_model_is_fitted(m), 0);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

START_TEST(zero_rows)
{
    const char *nn[] = {"dose", "y"};
    const double *nv[] = {SMALL_DOSE, SMALL_AGE};
    const char *cn[] = {"outcome"};
    const char *const *cv[] = {SMALL_OUTCOME};
    mlops_dataset *empty = build(0, nn, nv, 1, cn, cv, 1, "outcome", NULL);
    ck_assert_uint_eq(mlops_dataset_rows(empty), 0);
    mlops_model *m = model("logistic_regression");
    ASSERT_ERR(mlops_model_fit(m, empty), MLOPS_EINVAL, "rows");
    mlops_model_free(m);
    mlops_dataset_free(empty);
    /* also with a chain, which is fitted first */
    empty = build(0, nn, nv, 2, NULL, NULL, 0, "y", NULL);
    m = model("linear_regression");
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 0);
    OK(mlops_model_set_transform(m, t));
    mlops_transform_free(t);
    ASSERT_ERR(mlops_model_fit(m, empty), MLOPS_EINVAL, "rows");
    mlops_model_free(m);
    mlops_dataset_free(empty);
}
END_TEST

/* Classes are the labels present in the training rows, so there are never
 * more classes than rows: five rows of five labels make five classes, and
 * labels the column's dictionary keeps from rows filtered away are no
 * classes at all (a class without rows has no finite optimum). */
START_TEST(classes_are_present_labels)
{
    static const double x[] = {1, 2, 3, 4, 5};
    static const char *const y[] = {"e", "d", "c", "b", "a"};
    const char *nn[] = {"x"};
    const double *nv[] = {x};
    const char *cn[] = {"label"};
    const char *const *cv[] = {y};
    mlops_dataset *d = build(5, nn, nv, 1, cn, cv, 1, "label", NULL);
    mlops_model *m = model("logistic_regression");
    OK(mlops_model_set_param(m, "l2", "0.1"));
    OK(mlops_model_fit(m, d));
    ck_assert_uint_eq(mlops_model_class_count(m), 5);
    ck_assert_str_eq(mlops_model_class_label(m, 0), "a");
    ck_assert_str_eq(mlops_model_class_label(m, 4), "e");
    ck_assert_uint_eq(mlops_model_output_count(m), 5);
    double v[5];
    OK(mlops_model_predict(m, d, MLOPS_PREDICT_VALUE, v, 5));
    for (size_t i = 0; i < 5; i++) ck_assert_double_eq(v[i], 4 - (double)i);
    uint8_t mask[5] = {1, 0, 1, 0, 1};
    mlops_dataset *sub;
    OK(mlops_dataset_filter_rows(&sub, d, mask));
    size_t tj;
    OK(mlops_dataset_column_index(sub, "label", &tj));
    ck_assert_uint_eq(mlops_dataset_category_count(sub, tj), 5);
    OK(mlops_model_fit(m, sub));
    ck_assert_uint_eq(mlops_model_class_count(m), 3);
    ck_assert_str_eq(mlops_model_class_label(m, 0), "a");
    ck_assert_str_eq(mlops_model_class_label(m, 1), "c");
    ck_assert_str_eq(mlops_model_class_label(m, 2), "e");
    ck_assert_uint_eq(mlops_model_output_width(m, MLOPS_PREDICT_PROBA), 3);
    /* two rows left of one label: a single class */
    uint8_t one[5] = {1, 0, 0, 0, 0};
    mlops_dataset *single;
    OK(mlops_dataset_filter_rows(&single, d, one));
    ASSERT_ERR(mlops_model_fit(m, single), MLOPS_EINVAL, "single class");
    ck_assert_uint_eq(mlops_model_class_count(m), 3); /* the previous fit stays */
    mlops_dataset_free(single);
    mlops_dataset_free(sub);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

START_TEST(missing_target_value)
{
    static const char *const y[SMALL_ROWS] = {"no", "no", "yes", "no", NULL, "yes",
                                              "no", "yes", "yes", "no", "yes", "yes"};
    const char *nn[] = {"dose"};
    const double *nv[] = {SMALL_DOSE};
    const char *cn[] = {"outcome"};
    const char *const *cv[] = {y};
    mlops_dataset *d = build(SMALL_ROWS, nn, nv, 1, cn, cv, 1, "outcome", NULL);
    mlops_model *m = model("logistic_regression");
    ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "outcome");
    ck_assert_msg(strstr(mlops_last_error(), "row 4") != NULL, "%s", mlops_last_error());
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

START_TEST(target_roles)
{
    /* no target */
    const char *nn[] = {"dose", "age"};
    const double *nv[] = {SMALL_DOSE, SMALL_AGE};
    mlops_dataset *d = build(SMALL_ROWS, nn, nv, 2, NULL, NULL, 0, NULL, NULL);
    mlops_model *m = model("linear_regression");
    ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "target");
    /* two targets */
    OK(mlops_dataset_set_role(d, 0, MLOPS_ROLE_TARGET));
    OK(mlops_dataset_set_role(d, 1, MLOPS_ROLE_TARGET));
    ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "target");
    /* a target and no feature */
    OK(mlops_dataset_set_role(d, 1, MLOPS_ROLE_IGNORE));
    ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "feature");
    mlops_model_free(m);
    mlops_dataset_free(d);
    /* linear regression on a categorical target */
    d = small_logistic();
    m = model("linear_regression");
    ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "outcome");
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

/* ---- feature values ------------------------------------------------------ */

START_TEST(nan_feature_without_impute)
{
    double dose[SMALL_ROWS];
    memcpy(dose, SMALL_DOSE, sizeof dose);
    dose[3] = NAN;
    mlops_dataset *d = small_logistic_with(dose);
    /* no chain: the raw column goes in as it is */
    mlops_model *m = model("logistic_regression");
    ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "'dose'");
    ck_assert_msg(strstr(mlops_last_error(), "row 3") != NULL, "%s", mlops_last_error());
    mlops_model_free(m);
    /* standardize keeps missing values missing: still refused */
    m = model("logistic_regression");
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 0);
    OK(mlops_model_set_transform(m, t));
    ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "'dose'");
    ck_assert_msg(strstr(mlops_last_error(), "row 3") != NULL, "%s", mlops_last_error());
    ck_assert_int_eq(mlops_model_is_fitted(m), 0);
    mlops_model_free(m);
    /* with an impute step the same data fits */
    ck_assert_int_eq(mlops_transform_add(t, "impute", "dose"), 1);
    m = model("logistic_regression");
    OK(mlops_model_set_transform(m, t));
    OK(mlops_model_fit(m, d));
    mlops_model_free(m);
    mlops_transform_free(t);
    mlops_dataset_free(d);
}
END_TEST

START_TEST(infinite_feature)
{
    double dose[SMALL_ROWS];
    memcpy(dose, SMALL_DOSE, sizeof dose);
    dose[5] = INFINITY;
    mlops_dataset *d = small_logistic_with(dose);
    mlops_model *m = model("logistic_regression");
    ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "'dose'");
    ck_assert_msg(strstr(mlops_last_error(), "row 5") != NULL, "%s", mlops_last_error());
    mlops_model_free(m);
    /* through a chain: the transform refuses it, naming column and row */
    m = model("logistic_regression");
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 0);
    OK(mlops_model_set_transform(m, t));
    mlops_transform_free(t);
    ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "'dose'");
    ck_assert_msg(strstr(mlops_last_error(), "row 5") != NULL, "%s", mlops_last_error());
    mlops_model_free(m);
    /* -Inf in a linear regression too */
    dose[5] = -INFINITY;
    double y[SMALL_ROWS];
    for (size_t i = 0; i < SMALL_ROWS; i++) y[i] = (double)i;
    const char *nn[] = {"dose", "y"};
    const double *nv[] = {dose, y};
    mlops_dataset *lin = build(SMALL_ROWS, nn, nv, 2, NULL, NULL, 0, "y", NULL);
    m = model("linear_regression");
    ASSERT_ERR(mlops_model_fit(m, lin), MLOPS_EINVAL, "'dose'");
    ck_assert_msg(strstr(mlops_last_error(), "row 5") != NULL, "%s", mlops_last_error());
    mlops_model_free(m);
    mlops_dataset_free(lin);
    mlops_dataset_free(d);
}
END_TEST

START_TEST(bad_weights)
{
    double w[SMALL_ROWS];
    const char *nn[] = {"dose", "age", "w"};
    const double *nv[] = {SMALL_DOSE, SMALL_AGE, w};
    const char *cn[] = {"outcome"};
    const char *const *cv[] = {SMALL_OUTCOME};
    static const double bad[] = {-1.0, NAN, INFINITY};
    for (size_t k = 0; k < COUNT(bad); k++) {
        for (size_t i = 0; i < SMALL_ROWS; i++) w[i] = 1;
        w[2] = bad[k];
        mlops_dataset *d = build(SMALL_ROWS, nn, nv, 3, cn, cv, 1, "outcome", "w");
        mlops_model *m = model("logistic_regression");
        ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "'w'");
        ck_assert_msg(strstr(mlops_last_error(), "row 2") != NULL, "%s", mlops_last_error());
        mlops_model_free(m);
        mlops_dataset_free(d);
    }
    for (size_t i = 0; i < SMALL_ROWS; i++) w[i] = 0;
    mlops_dataset *d = build(SMALL_ROWS, nn, nv, 3, cn, cv, 1, "outcome", "w");
    mlops_model *m = model("logistic_regression");
    ASSERT_ERR(mlops_model_fit(m, d), MLOPS_EINVAL, "'w'");
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

/* ---- degenerate problems ----------------------------------------------------- */

static void check_finite_fit(const mlops_model *m, const mlops_dataset *d, const char *what)
{
    size_t p = mlops_model_feature_count(m), k = mlops_model_output_count(m);
    double coef[16], icpt[4];
    ck_assert_uint_le(p * k, COUNT(coef));
    OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, coef, p * k, icpt, k));
    for (size_t j = 0; j < p * k; j++)
        ck_assert_msg(isfinite(coef[j]), "%s: coef[%zu] = %g", what, j, coef[j]);
    for (size_t o = 0; o < k; o++)
        ck_assert_msg(isfinite(icpt[o]), "%s: intercept[%zu] = %g", what, o, icpt[o]);
    size_t n = mlops_dataset_rows(d), w = mlops_model_output_width(m, MLOPS_PREDICT_PROBA);
    double *pr = malloc(n * w * sizeof *pr);
    ck_assert(pr != NULL);
    OK(mlops_model_predict(m, d, MLOPS_PREDICT_PROBA, pr, n * w));
    for (size_t i = 0; i < n * w; i++)
        ck_assert_msg(isfinite(pr[i]) && pr[i] >= 0 && pr[i] <= 1, "%s: probability %g", what,
                      pr[i]);
    free(pr);
    ck_assert_msg(isfinite(info(m, "objective")), "%s: objective %g", what, info(m, "objective"));
    ck_assert_msg(isfinite(info(m, "gradient_norm")), "%s: gradient %g", what,
                  info(m, "gradient_norm"));
}

/* Perfectly separable classes with no penalty have no minimizer: the
 * coefficients grow without bound. The fit must stop within max_iter with
 * finite numbers and say it did not converge (converged 0 and one warning),
 * or report convergence once the gradient is below tol. */
START_TEST(separable_without_penalty)
{
    static const double x[] = {-3, -2.5, -2, -1.5, -1, 1, 1.5, 2, 2.5, 3};
    static const double z[] = {0.3, -0.1, 0.7, 0.2, -0.4, 0.1, 0.5, -0.2, 0.6, -0.3};
    static const char *const y[] = {"a", "a", "a", "a", "a", "b", "b", "b", "b", "b"};
    const char *nn[] = {"x", "z"};
    const double *nv[] = {x, z};
    const char *cn[] = {"y"};
    const char *const *cv[] = {y};
    mlops_dataset *d = build(10, nn, nv, 2, cn, cv, 1, "y", NULL);
    static const char *const solvers[] = {"lbfgs", "newton", "auto"};
    static const char *const tols[] = {"1e-300", "1e-6"};
    ck_assert_int_eq(mlops_set_logger(capture, MLOPS_LOG_WARN, NULL), MLOPS_OK);
    for (size_t s = 0; s < COUNT(solvers); s++)
        for (size_t t = 0; t < COUNT(tols); t++) {
            char what[64];
            snprintf(what, sizeof what, "solver %s tol %s", solvers[s], tols[t]);
            mlops_model *m = model("logistic_regression");
            OK(mlops_model_set_param(m, "l2", "0"));
            OK(mlops_model_set_param(m, "max_iter", "200"));
            OK(mlops_model_set_param(m, "tol", tols[t]));
            OK(mlops_model_set_param(m, "solver", solvers[s]));
            warnings_seen = convergence_warnings = 0;
            ck_assert_msg(mlops_model_fit(m, d) == MLOPS_OK, "%s: %s", what, mlops_last_error());
            double iters = info(m, "iterations"), conv = info(m, "converged");
            ck_assert_msg(iters >= 1 && iters <= 200, "%s: %g iterations", what, iters);
            ck_assert_msg(conv == 0 || conv == 1, "%s: converged %g", what, conv);
            /* one warning says it did not converge; another may point out
             * the separation */
            if (conv == 0)
                ck_assert_msg(convergence_warnings == 1, "%s: not converged, %d warnings "
                              "about it", what, convergence_warnings);
            else
                ck_assert_msg(convergence_warnings == 0 &&
                                  info(m, "gradient_norm") <= atof(tols[t]),
                              "%s: converged with gradient %g, %d warnings", what,
                              info(m, "gradient_norm"), convergence_warnings);
            ck_assert_int_ge(warnings_seen, convergence_warnings);
            /* no finite gradient reaches 1e-300 */
            if (t == 0)
                ck_assert_msg(conv == 0, "%s: reports convergence at gradient %g", what,
                              info(m, "gradient_norm"));
            check_finite_fit(m, d, what);
            /* the classes are told apart */
            double v[10];
            OK(mlops_model_predict(m, d, MLOPS_PREDICT_VALUE, v, 10));
            for (size_t i = 0; i < 10; i++) ck_assert_double_eq(v[i], i < 5 ? 0 : 1);
            mlops_model_free(m);
        }
    ck_assert_int_eq(mlops_set_logger(NULL, 0, NULL), MLOPS_OK);
    mlops_dataset_free(d);
}
END_TEST

/* y = 3 x + 1 exactly, with x given twice: the normal equations are
 * singular, and least squares' minimum-norm answer splits the slope evenly
 * (numpy.linalg.lstsq on centered data gives [1.5, 1.5], intercept 1). The
 * diabetes version is in the scikit-learn reference test. */
START_TEST(collinear_least_squares)
{
    static const double x[] = {0, 1, 2, 3, 4, 5, 6, 7};
    double y[8];
    for (size_t i = 0; i < 8; i++) y[i] = 3 * x[i] + 1;
    const char *nn[] = {"x", "x_again", "y"};
    const double *nv[] = {x, x, y};
    mlops_dataset *d = build(8, nn, nv, 3, NULL, NULL, 0, "y", NULL);
    static const char *const solvers[] = {"auto", "cholesky", "lstsq"};
    for (size_t s = 0; s < COUNT(solvers); s++) {
        mlops_model *m = model("linear_regression");
        OK(mlops_model_set_param(m, "l2", "0"));
        OK(mlops_model_set_param(m, "solver", solvers[s]));
        ck_assert_msg(mlops_model_fit(m, d) == MLOPS_OK, "solver %s: %s", solvers[s],
                      mlops_last_error());
        double coef[2], b;
        OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, coef, 2, &b, 1));
        ck_assert_msg(fabs(coef[0] - 1.5) <= 1e-12 && fabs(coef[1] - 1.5) <= 1e-12 &&
                          fabs(b - 1) <= 1e-12,
                      "solver %s: coef %.17g %.17g intercept %.17g, expected 1.5 1.5 1",
                      solvers[s], coef[0], coef[1], b);
        ck_assert_double_eq(info(m, "converged"), 1);
        double v[8];
        OK(mlops_model_predict(m, d, MLOPS_PREDICT_VALUE, v, 8));
        for (size_t i = 0; i < 8; i++) ck_assert_double_eq_tol(v[i], y[i], 1e-12);
        mlops_model_free(m);
    }
    mlops_dataset_free(d);
}
END_TEST

/* ---- prediction inputs --------------------------------------------------- */

START_TEST(predict_wrong_shapes)
{
    mlops_dataset *d = small_logistic();
    mlops_model *m = fitted("logistic_regression", d);
    ck_assert_uint_eq(mlops_model_input_count(m), 2);
    double x[6] = {1, 30, 2, 40, 3, 50}, out[6];
    /* the messages give both counts */
    ASSERT_ERR(mlops_model_predict_matrix(m, x, 2, 3, MLOPS_PREDICT_PROBA, out, 6), MLOPS_EINVAL,
               "3 values");
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "2 inputs"));
    ASSERT_ERR(mlops_model_predict_matrix(m, x, 3, 1, MLOPS_PREDICT_PROBA, out, 6), MLOPS_EINVAL,
               "1 values");
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "2 inputs"));
    ASSERT_ERR(mlops_model_predict_row(m, x, 3, MLOPS_PREDICT_PROBA, out, 2), MLOPS_EINVAL,
               "3 values");
    ASSERT_ERR(mlops_model_predict_row(m, x, 1, MLOPS_PREDICT_VALUE, out, 1), MLOPS_EINVAL,
               "2 inputs");
    ASSERT_ERR(mlops_model_predict_row(m, x, 0, MLOPS_PREDICT_VALUE, out, 1), MLOPS_EINVAL,
               "2 inputs");
    /* too small an output buffer, an unknown kind */
    ASSERT_ERR(mlops_model_predict_row(m, x, 2, MLOPS_PREDICT_PROBA, out, 1), MLOPS_EINVAL,
               "holds 1");
    ASSERT_ERR(mlops_model_predict_matrix(m, x, 3, 2, MLOPS_PREDICT_PROBA, out, 5), MLOPS_EINVAL,
               "holds 5");
    ASSERT_ERR(mlops_model_predict_row(m, x, 2, 7, out, 2), MLOPS_EINVAL, "kind 7");
    /* the right shapes work */
    OK(mlops_model_predict_matrix(m, x, 3, 2, MLOPS_PREDICT_PROBA, out, 6));
    OK(mlops_model_predict_row(m, x, 2, MLOPS_PREDICT_PROBA, out, 2));
    mlops_model_free(m);
    mlops_dataset_free(d);
    /* probabilities of a regression */
    d = small_linear();
    m = fitted("linear_regression", d);
    ck_assert_uint_eq(mlops_model_output_width(m, MLOPS_PREDICT_PROBA), 0);
    ASSERT_ERR(mlops_model_predict_row(m, x, 2, MLOPS_PREDICT_PROBA, out, 2), MLOPS_EINVAL,
               "regression");
    OK(mlops_model_predict_row(m, x, 2, MLOPS_PREDICT_VALUE, out, 1));
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

START_TEST(predict_missing_and_mistyped_column)
{
    mlops_dataset *d = small_logistic();
    mlops_model *m = fitted("logistic_regression", d);
    double out[2 * SMALL_ROWS];
    /* no 'age' */
    const char *nn[] = {"dose"};
    const double *nv[] = {SMALL_DOSE};
    mlops_dataset *missing = build(SMALL_ROWS, nn, nv, 1, NULL, NULL, 0, NULL, NULL);
    ASSERT_ERR(mlops_model_predict(m, missing, MLOPS_PREDICT_PROBA, out, COUNT(out)),
               MLOPS_EINVAL, "'age'");
    /* 'age' as text */
    const char *ages[SMALL_ROWS];
    for (size_t i = 0; i < SMALL_ROWS; i++) ages[i] = i % 2 ? "old" : "young";
    const char *cn[] = {"age"};
    const char *const *cv[] = {ages};
    mlops_dataset *typed = build(SMALL_ROWS, nn, nv, 1, cn, cv, 1, NULL, NULL);
    ASSERT_ERR(mlops_model_predict(m, typed, MLOPS_PREDICT_PROBA, out, COUNT(out)),
               MLOPS_EINVAL, "'age'");
    ck_assert_msg(strstr(mlops_last_error(), "categorical") != NULL ||
                      strstr(mlops_last_error(), "numeric") != NULL,
                  "%s", mlops_last_error());
    /* a NaN input with no imputation */
    double dose[SMALL_ROWS];
    memcpy(dose, SMALL_DOSE, sizeof dose);
    dose[7] = NAN;
    mlops_dataset *gap = small_logistic_with(dose);
    ASSERT_ERR(mlops_model_predict(m, gap, MLOPS_PREDICT_PROBA, out, COUNT(out)), MLOPS_EINVAL,
               "'dose'");
    ck_assert_msg(strstr(mlops_last_error(), "row 7") != NULL, "%s", mlops_last_error());
    /* columns in another order, extra columns: fine, same answer */
    double ref[2 * SMALL_ROWS], got[2 * SMALL_ROWS];
    OK(mlops_model_predict(m, d, MLOPS_PREDICT_PROBA, ref, COUNT(ref)));
    const char *rn[] = {"extra", "age", "dose"};
    const double *rv[] = {SMALL_AGE, SMALL_AGE, SMALL_DOSE};
    mlops_dataset *reordered = build(SMALL_ROWS, rn, rv, 3, NULL, NULL, 0, NULL, NULL);
    OK(mlops_model_predict(m, reordered, MLOPS_PREDICT_PROBA, got, COUNT(got)));
    ck_assert_int_eq(memcmp(ref, got, sizeof ref), 0);
    mlops_dataset_free(reordered);
    mlops_dataset_free(gap);
    mlops_dataset_free(typed);
    mlops_dataset_free(missing);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

START_TEST(unseen_category)
{
    static const char *const color[SMALL_ROWS] = {"red", "blue", "red",  "red", "blue", "blue",
                                                  "red", "blue", "red", "blue", "red", "blue"};
    const char *nn[] = {"dose"};
    const double *nv[] = {SMALL_DOSE};
    const char *cn[] = {"color", "outcome"};
    const char *const *cv[] = {color, SMALL_OUTCOME};
    mlops_dataset *d = build(SMALL_ROWS, nn, nv, 1, cn, cv, 2, "outcome", NULL);
    mlops_model *m = model("logistic_regression");
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "onehot", "color"), 0);
    OK(mlops_transform_set(t, 0, "unseen", "error"));
    OK(mlops_model_set_transform(m, t));
    mlops_transform_free(t);
    OK(mlops_model_fit(m, d));
    ck_assert_uint_eq(mlops_model_feature_count(m), 3);
    ck_assert_str_eq(mlops_model_feature_name(m, 0), "dose");
    ck_assert_str_eq(mlops_model_feature_name(m, 1), "color=blue");
    ck_assert_str_eq(mlops_model_feature_name(m, 2), "color=red");
    ck_assert_int_eq(mlops_model_input_type(m, 1), MLOPS_CATEGORICAL);

    static const char *const newcolor[3] = {"red", "blue", "green"};
    static const double newdose[3] = {1, 2, 3};
    const char *nn2[] = {"dose"};
    const double *nv2[] = {newdose};
    const char *cn2[] = {"color"};
    const char *const *cv2[] = {newcolor};
    mlops_dataset *fresh = build(3, nn2, nv2, 1, cn2, cv2, 1, NULL, NULL);
    double out[6];
    ASSERT_ERR(mlops_model_predict(m, fresh, MLOPS_PREDICT_PROBA, out, 6), MLOPS_EINVAL,
               "green");
    ck_assert_msg(strstr(mlops_last_error(), "'color'") != NULL, "%s", mlops_last_error());
    ck_assert_msg(strstr(mlops_last_error(), "row 2") != NULL, "%s", mlops_last_error());
    /* a categorical input: no matrix path */
    double x[2] = {1, 0};
    ASSERT_ERR(mlops_model_predict_row(m, x, 2, MLOPS_PREDICT_PROBA, out, 2), MLOPS_EINVAL,
               "color");
    mlops_dataset_free(fresh);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

/* ---- settings -------------------------------------------------------------- */

static void expect_param(const mlops_model *m, const char *key, const char *want)
{
    char *v = NULL;
    OK(mlops_model_get_param(m, key, &v));
    /* numbers may come back respelled ("1e-8" as "1e-08") */
    char *end;
    double x = strtod(v, &end), y = strtod(want, NULL);
    bool same = *end == '\0' && *v != '\0' ? x == y : strcmp(v, want) == 0;
    ck_assert_msg(same, "%s is '%s', expected '%s'", key, v, want);
    mlops_free(v);
}

START_TEST(settings_errors)
{
    mlops_model *m = model("logistic_regression");
    OK(mlops_model_set_param(m, "l2", "0.5"));
    OK(mlops_model_set_param(m, "tol", "1e-8"));
    OK(mlops_model_set_param(m, "max_iter", "50"));
    OK(mlops_model_set_param(m, "solver", "newton"));
    ASSERT_ERR(mlops_model_set_param(m, "l3", "1"), MLOPS_EINVAL, "did you mean 'l2'");
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "l3"));
    ASSERT_ERR(mlops_model_set_param_double(m, "l3", 1), MLOPS_EINVAL, "'l2'");
    ASSERT_ERR(mlops_model_set_param(m, "max_iters", "5"), MLOPS_EINVAL, "'max_iter'");
    char *v = NULL;
    ASSERT_ERR(mlops_model_get_param(m, "sover", &v), MLOPS_EINVAL, "'solver'");
    ck_assert_ptr_null(v);
    ASSERT_ERR(mlops_model_set_param(m, "l2", "-1"), MLOPS_EINVAL, "'l2'");
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "-1"));
    ASSERT_ERR(mlops_model_set_param_double(m, "l2", -1), MLOPS_EINVAL, "'l2'");
    ASSERT_ERR(mlops_model_set_param_double(m, "l2", NAN), MLOPS_EINVAL, "l2");
    ASSERT_ERR(mlops_model_set_param(m, "l2", "lots"), MLOPS_EINVAL, "lots");
    ASSERT_ERR(mlops_model_set_param(m, "tol", "0"), MLOPS_EINVAL, "'tol'");
    ASSERT_ERR(mlops_model_set_param_double(m, "tol", 0), MLOPS_EINVAL, "'tol'");
    ASSERT_ERR(mlops_model_set_param(m, "tol", "-1e-3"), MLOPS_EINVAL, "'tol'");
    ASSERT_ERR(mlops_model_set_param(m, "solver", "foo"), MLOPS_EINVAL, "'foo'");
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "lbfgs"));
    ASSERT_ERR(mlops_model_set_param(m, "solver", "cholesky"), MLOPS_EINVAL, "cholesky");
    ASSERT_ERR(mlops_model_set_param(m, "max_iter", "0"), MLOPS_EINVAL, "'max_iter'");
    ASSERT_ERR(mlops_model_set_param(m, "max_iter", "2.5"), MLOPS_EINVAL, "'max_iter'");
    ASSERT_ERR(mlops_model_set_param(m, "max_iter", "-3"), MLOPS_EINVAL, "'max_iter'");
    ASSERT_ERR(mlops_model_set_param(m, "lbfgs_memory", "0"), MLOPS_EINVAL, "'lbfgs_memory'");
    ASSERT_ERR(mlops_model_set_param(m, "class_weight", "heavy"), MLOPS_EINVAL, "heavy");
    ASSERT_ERR(mlops_model_set_param(m, "fit_intercept", "maybe"), MLOPS_EINVAL, "maybe");
    /* refused values change nothing */
    expect_param(m, "l2", "0.5");
    expect_param(m, "tol", "1e-8");
    expect_param(m, "max_iter", "50");
    expect_param(m, "solver", "newton");
    mlops_model_free(m);

    m = model("linear_regression");
    ASSERT_ERR(mlops_model_set_param(m, "solver", "lbfgs"), MLOPS_EINVAL, "lbfgs");
    ASSERT_ERR(mlops_model_set_param(m, "class_weight", "balanced"), MLOPS_EINVAL,
               "class_weight");
    mlops_model_free(m);

    mlops_model *none = NULL;
    ASSERT_ERR(mlops_model_create(&none, "logistic_regresion"), MLOPS_EINVAL,
               "'logistic_regression'");
    ck_assert_ptr_null(none);
    ASSERT_ERR(mlops_model_create(NULL, "linear_regression"), MLOPS_EINVAL, "NULL");
    ASSERT_ERR(mlops_model_set_param(NULL, "l2", "1"), MLOPS_EINVAL, "NULL");
}
END_TEST

START_TEST(not_fitted)
{
    mlops_dataset *d = small_logistic();
    mlops_model *m = model("logistic_regression");
    double out[2 * SMALL_ROWS], x[2] = {1, 2}, v;
    ck_assert_int_eq(mlops_model_is_fitted(m), 0);
    ASSERT_ERR(mlops_model_predict(m, d, MLOPS_PREDICT_PROBA, out, COUNT(out)), MLOPS_ESTATE,
               "fitted");
    ASSERT_ERR(mlops_model_predict_matrix(m, x, 1, 2, MLOPS_PREDICT_PROBA, out, 2), MLOPS_ESTATE,
               "fitted");
    ASSERT_ERR(mlops_model_predict_row(m, x, 2, MLOPS_PREDICT_PROBA, out, 2), MLOPS_ESTATE,
               "fitted");
    ASSERT_ERR(mlops_model_coefficients(m, MLOPS_COEF_MODEL, out, 4, NULL, 0), MLOPS_ESTATE,
               "fitted");
    ASSERT_ERR(mlops_model_info(m, "iterations", &v), MLOPS_ESTATE, "fitted");
    ck_assert_uint_eq(mlops_model_input_count(m), 0);
    ck_assert_uint_eq(mlops_model_output_width(m, MLOPS_PREDICT_PROBA), 0);
    ck_assert_ptr_null(mlops_model_class_label(m, 0));
    ck_assert_ptr_null(mlops_model_target_name(m));
    /* a new chain unfits a fitted model */
    OK(mlops_model_fit(m, d));
    ck_assert_int_eq(mlops_model_is_fitted(m), 1);
    ASSERT_ERR(mlops_model_info(m, "iteration", &v), MLOPS_EINVAL, "iteration");
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 0);
    OK(mlops_model_set_transform(m, t));
    mlops_transform_free(t);
    ck_assert_int_eq(mlops_model_is_fitted(m), 0);
    ASSERT_ERR(mlops_model_predict_row(m, x, 2, MLOPS_PREDICT_PROBA, out, 2), MLOPS_ESTATE,
               "fitted");
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

/* info() describes the last fit, not the settings for the next one. */
START_TEST(info_reports_last_fit)
{
    mlops_dataset *d = small_logistic();
    mlops_model *m = model("logistic_regression");
    OK(mlops_model_set_param(m, "l2", "0.25"));
    OK(mlops_model_fit(m, d));
    double obj = info(m, "objective");
    OK(mlops_model_set_param(m, "l2", "3"));
    OK(mlops_model_set_param(m, "max_iter", "1"));
    ck_assert_double_eq(info(m, "l2"), 0.25);
    ck_assert_double_eq(info(m, "objective"), obj);
    ck_assert_double_eq(info(m, "rows"), SMALL_ROWS);
    ck_assert_double_eq(info(m, "features"), 2);
    ck_assert_double_eq(info(m, "classes"), 2);
    ck_assert_double_eq(info(m, "weight_sum"), SMALL_ROWS);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

/* ---- cancelling -------------------------------------------------------------- */

typedef struct cancel_state {
    uint64_t calls, stop_at, last_total;
} cancel_state;

static int cancel_at(uint64_t done, uint64_t total, void *ud)
{
    cancel_state *s = ud;
    s->calls++;
    s->last_total = total;
    (void)done;
    return s->calls >= s->stop_at;
}

START_TEST(cancel_keeps_previous_fit)
{
    mlops_dataset *d = read_real("breast_cancer", "target");
    mlops_model *m = model("logistic_regression");
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 0);
    OK(mlops_model_set_transform(m, t));
    mlops_transform_free(t);
    static const char *const solvers[] = {"lbfgs", "newton"};
    for (size_t s = 0; s < COUNT(solvers); s++) {
        OK(mlops_model_set_param(m, "solver", solvers[s]));
        /* cancelling a first fit leaves the model unfitted */
        cancel_state st = {0, 1, 0};
        OK(mlops_model_set_progress(m, cancel_at, &st));
        ASSERT_ERR(mlops_model_fit(m, d), MLOPS_ECANCELED, "cancel");
        ck_assert_uint_eq(st.calls, 1);
        ck_assert_uint_eq(st.last_total, 1000); /* max_iter's default */
        ck_assert_int_eq(mlops_model_is_fitted(m), 0);

        OK(mlops_model_set_progress(m, NULL, NULL));
        OK(mlops_model_set_param(m, "l2", "0.01"));
        OK(mlops_model_fit(m, d));
        double before[30], after[30], b0, b1, it0 = info(m, "iterations");
        OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, before, 30, &b0, 1));
        /* a cancelled refit with other settings leaves that fit in place */
        OK(mlops_model_set_param(m, "l2", "0.5"));
        st = (cancel_state){0, 2, 0};
        OK(mlops_model_set_progress(m, cancel_at, &st));
        ASSERT_ERR(mlops_model_fit(m, d), MLOPS_ECANCELED, "cancel");
        ck_assert_uint_eq(st.calls, 2);
        ck_assert_int_eq(mlops_model_is_fitted(m), 1);
        OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, after, 30, &b1, 1));
        ck_assert_int_eq(memcmp(before, after, sizeof before), 0);
        ck_assert_int_eq(memcmp(&b0, &b1, sizeof b0), 0);
        ck_assert_double_eq(info(m, "l2"), 0.01);
        ck_assert_double_eq(info(m, "iterations"), it0);
        /* without the callback the refit goes through */
        OK(mlops_model_set_progress(m, NULL, NULL));
        OK(mlops_model_fit(m, d));
        ck_assert_double_eq(info(m, "l2"), 0.5);
        OK(mlops_model_set_param(m, "l2", "0.0001"));
        /* a new chain unfits the model for the next solver */
        OK(mlops_transform_create(&t));
        ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 0);
        OK(mlops_model_set_transform(m, t));
        mlops_transform_free(t);
    }
    ASSERT_ERR(mlops_model_set_progress(NULL, cancel_at, NULL), MLOPS_EINVAL, "NULL");
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

/* ---- labels and determinism ------------------------------------------------- */

START_TEST(string_labels)
{
    mlops_dataset *d = read_real("iris", "species");
    mlops_model *m = model("logistic_regression");
    OK(mlops_model_set_param(m, "l2", "0.01"));
    OK(mlops_model_fit(m, d));
    ck_assert_uint_eq(mlops_model_class_count(m), 3);
    ck_assert_str_eq(mlops_model_class_label(m, 0), "setosa");
    ck_assert_str_eq(mlops_model_class_label(m, 1), "versicolor");
    ck_assert_str_eq(mlops_model_class_label(m, 2), "virginica");
    ck_assert_ptr_null(mlops_model_class_label(m, 3));
    ck_assert_str_eq(mlops_model_target_name(m), "species");
    size_t n = mlops_dataset_rows(d), tj;
    double *v = malloc(n * sizeof *v);
    ck_assert(v != NULL);
    OK(mlops_model_predict(m, d, MLOPS_PREDICT_VALUE, v, n));
    OK(mlops_dataset_column_index(d, "species", &tj));
    size_t right = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t code;
        OK(mlops_dataset_get_codes(d, tj, i, 1, &code));
        ck_assert(v[i] == 0 || v[i] == 1 || v[i] == 2);
        const char *label = mlops_model_class_label(m, (size_t)v[i]);
        right += strcmp(label, mlops_dataset_category(d, tj, code)) == 0;
    }
    /* a well-known easy problem: nearly all training rows right */
    ck_assert_uint_ge(right, 140);
    ck_assert_str_eq(mlops_model_class_label(m, (size_t)v[0]), "setosa");
    ck_assert_str_eq(mlops_model_class_label(m, (size_t)v[n - 1]), "virginica");
    /* labels sort by bytes, not by first appearance */
    static const char *const y[] = {"zeta", "Alpha", "beta", "zeta", "Alpha", "beta"};
    static const double x[] = {1, 2, 3, 1.5, 2.5, 3.5};
    const char *nn[] = {"x"};
    const double *nv[] = {x};
    const char *cn[] = {"y"};
    const char *const *cv[] = {y};
    mlops_dataset *small = build(6, nn, nv, 1, cn, cv, 1, "y", NULL);
    mlops_model *m2 = fitted("logistic_regression", small);
    ck_assert_str_eq(mlops_model_class_label(m2, 0), "Alpha");
    ck_assert_str_eq(mlops_model_class_label(m2, 1), "beta");
    ck_assert_str_eq(mlops_model_class_label(m2, 2), "zeta");
    mlops_model_free(m2);
    mlops_dataset_free(small);
    /* numeric labels: ascending values, shortest round-trip spelling */
    static const double ny[] = {10, -2.5, 0.1, 10, -2.5, 0.1};
    const char *nn3[] = {"x", "y"};
    const double *nv3[] = {x, ny};
    small = build(6, nn3, nv3, 2, NULL, NULL, 0, "y", NULL);
    m2 = fitted("logistic_regression", small);
    ck_assert_str_eq(mlops_model_class_label(m2, 0), "-2.5");
    ck_assert_str_eq(mlops_model_class_label(m2, 1), "0.1");
    ck_assert_str_eq(mlops_model_class_label(m2, 2), "10");
    mlops_model_free(m2);
    mlops_dataset_free(small);
    free(v);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

static void fit_coefficients(const mlops_dataset *d, const char *kind, const char *solver,
                             double *coef, size_t n, double *icpt, size_t k)
{
    mlops_model *m = model(kind);
    OK(mlops_model_set_param(m, "solver", solver));
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 0);
    OK(mlops_model_set_transform(m, t));
    mlops_transform_free(t);
    OK(mlops_model_fit(m, d));
    OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, coef, n, icpt, k));
    mlops_model_free(m);
}

START_TEST(determinism)
{
    mlops_dataset *wine = read_real("wine", "target");
    mlops_dataset *diabetes = read_real("diabetes", "target");
    static const char *const logistic_solvers[] = {"lbfgs", "newton"};
    for (size_t s = 0; s < COUNT(logistic_solvers); s++) {
        double a[39], b[39], ia[3], ib[3];
        fit_coefficients(wine, "logistic_regression", logistic_solvers[s], a, 39, ia, 3);
        fit_coefficients(wine, "logistic_regression", logistic_solvers[s], b, 39, ib, 3);
        ck_assert_msg(memcmp(a, b, sizeof a) == 0 && memcmp(ia, ib, sizeof ia) == 0,
                      "solver %s: two fits differ", logistic_solvers[s]);
    }
    static const char *const linear_solvers[] = {"cholesky", "lstsq"};
    for (size_t s = 0; s < COUNT(linear_solvers); s++) {
        double a[10], b[10], ia, ib;
        fit_coefficients(diabetes, "linear_regression", linear_solvers[s], a, 10, &ia, 1);
        fit_coefficients(diabetes, "linear_regression", linear_solvers[s], b, 10, &ib, 1);
        ck_assert_msg(memcmp(a, b, sizeof a) == 0 && memcmp(&ia, &ib, sizeof ia) == 0,
                      "solver %s: two fits differ", linear_solvers[s]);
    }
    /* refitting the same model object gives the same bits as well */
    mlops_model *m = model("logistic_regression");
    double a[39], b[39];
    OK(mlops_model_fit(m, wine));
    OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, a, 39, NULL, 0));
    OK(mlops_model_fit(m, wine));
    OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, b, 39, NULL, 0));
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    mlops_model_free(m);
    mlops_dataset_free(diabetes);
    mlops_dataset_free(wine);
}
END_TEST

/* ---- allocation failures ------------------------------------------------------ */

typedef struct sweep_ctx {
    const mlops_dataset *train;
    const char *kind;
    mlops_model *m;      /* built by the operation, freed by undo */
    double out[2 * SMALL_ROWS];
} sweep_ctx;

/* Create, configure (with a chain of impute, standardize and one-hot) and
 * fit a model; on failure release it and pass the code on. */
static int fit_op(void *ctx)
{
    sweep_ctx *c = ctx;
    mlops_model *m = NULL;
    mlops_transform *t = NULL;
    int rc = mlops_model_create(&m, c->kind);
    if (rc == MLOPS_OK) rc = mlops_model_set_param(m, "l2", "0.01");
    if (rc == MLOPS_OK) rc = mlops_transform_create(&t);
    if (rc == MLOPS_OK) rc = mlops_transform_add(t, "impute", "*");
    if (rc >= 0) rc = mlops_transform_add(t, "standardize", "*");
    if (rc >= 0) rc = mlops_transform_add(t, "onehot", "*");
    if (rc >= 0) rc = mlops_model_set_transform(m, t);
    mlops_transform_free(t);
    if (rc == MLOPS_OK) rc = mlops_model_fit(m, c->train);
    if (rc == MLOPS_OK) rc = mlops_model_predict(m, c->train, MLOPS_PREDICT_VALUE, c->out,
                                                 SMALL_ROWS);
    if (rc != MLOPS_OK) {
        mlops_model_free(m);
        return rc;
    }
    c->m = m;
    return MLOPS_OK;
}

static void fit_undo(void *ctx)
{
    sweep_ctx *c = ctx;
    mlops_model_free(c->m);
    c->m = NULL;
}

static int refit_op(void *ctx)
{
    sweep_ctx *c = ctx;
    return mlops_model_fit(c->m, c->train);
}

static int predict_op(void *ctx)
{
    sweep_ctx *c = ctx;
    return mlops_model_predict(c->m, c->train, MLOPS_PREDICT_VALUE, c->out, SMALL_ROWS);
}

START_TEST(out_of_memory)
{
    static const char *const color[SMALL_ROWS] = {"red", "blue", NULL,  "red", "blue", "blue",
                                                  "red", "blue", "red", "blue", "red", "blue"};
    double dose[SMALL_ROWS], y[SMALL_ROWS];
    memcpy(dose, SMALL_DOSE, sizeof dose);
    dose[4] = NAN;
    for (size_t i = 0; i < SMALL_ROWS; i++) y[i] = SMALL_AGE[i] * 0.1 + SMALL_DOSE[i];
    const char *nn[] = {"dose", "age", "y"};
    const double *nv[] = {dose, SMALL_AGE, y};
    const char *cn[] = {"color", "outcome"};
    const char *const *cv[] = {color, SMALL_OUTCOME};
    mlops_dataset *logistic = build(SMALL_ROWS, nn, nv, 2, cn, cv, 2, "outcome", NULL);
    mlops_dataset *linear = build(SMALL_ROWS, nn, nv, 3, cn, cv, 1, "y", NULL);
    sweep_ctx ctx[2] = {{logistic, "logistic_regression", NULL, {0}},
                        {linear, "linear_regression", NULL, {0}}};
    for (size_t k = 0; k < COUNT(ctx); k++) {
        long n = fault_alloc_sweep(fit_op, fit_undo, &ctx[k]);
        ck_assert_msg(n > 10, "%s: only %ld allocations", ctx[k].kind, n);
        /* a refit that runs out of memory keeps the previous fit */
        OK(fit_op(&ctx[k]));
        double before[2 * SMALL_ROWS];
        memcpy(before, ctx[k].out, sizeof before);
        size_t live = mlops_live_allocations();
        for (long f = 0;; f++) {
            fault_alloc_fail_at(f);
            int rc = refit_op(&ctx[k]);
            long made = fault_alloc_calls();
            fault_alloc_fail_at(-1);
            if (rc == MLOPS_OK && f >= made) break;
            if (rc != MLOPS_OK) {
                ck_assert_msg(rc == MLOPS_ENOMEM, "%s: refit allocation %ld gave %d: %s",
                              ctx[k].kind, f, rc, mlops_last_error());
                ck_assert_uint_eq(mlops_live_allocations(), live);
                ck_assert_int_eq(mlops_model_is_fitted(ctx[k].m), 1);
                OK(predict_op(&ctx[k]));
                ck_assert_int_eq(memcmp(before, ctx[k].out, SMALL_ROWS * sizeof(double)), 0);
            }
            ck_assert_msg(f < 100000, "refit never succeeds");
        }
        ck_assert_int_ge(fault_alloc_sweep(predict_op, NULL, &ctx[k]), 1);
        fit_undo(&ctx[k]);
    }
    mlops_dataset_free(linear);
    mlops_dataset_free(logistic);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_errors");
    TCase *tc = tcase_create("errors");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, single_class_target);
    tcase_add_test(tc, zero_rows);
    tcase_add_test(tc, classes_are_present_labels);
    tcase_add_test(tc, missing_target_value);
    tcase_add_test(tc, target_roles);
    tcase_add_test(tc, nan_feature_without_impute);
    tcase_add_test(tc, infinite_feature);
    tcase_add_test(tc, bad_weights);
    tcase_add_test(tc, separable_without_penalty);
    tcase_add_test(tc, collinear_least_squares);
    tcase_add_test(tc, predict_wrong_shapes);
    tcase_add_test(tc, predict_missing_and_mistyped_column);
    tcase_add_test(tc, unseen_category);
    tcase_add_test(tc, settings_errors);
    tcase_add_test(tc, not_fitted);
    tcase_add_test(tc, info_reports_last_fit);
    tcase_add_test(tc, cancel_keeps_previous_fit);
    tcase_add_test(tc, string_labels);
    tcase_add_test(tc, determinism);
    tcase_add_test(tc, out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
