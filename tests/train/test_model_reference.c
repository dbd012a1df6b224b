/* mlops_model against scikit-learn: every case of model_reference.h (made
 * by tests/reference/make_model_reference.py) is fitted through the public
 * API with each applicable solver, and its coefficients (model, raw and
 * standardized units), intercepts, objective, predictions and training
 * summary compared with the reference optimum. Raw-unit coefficients must
 * also reproduce the decision values from raw inputs, the matrix and
 * single-row prediction paths must agree with the dataset path to
 * rounding, and L-BFGS must end when asked for more precision than
 * rounding allows. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "model_reference.h"
#include "runner.h"

#ifndef DATA_DIR
#error "DATA_DIR must name tests/data"
#endif

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define OK(call) ck_assert_msg((call) == MLOPS_OK, "%s: %s", #call, mlops_last_error())

/* Tolerances. A value is compared relative to the larger of itself and a
 * floor, FLOOR x the largest reference value of its kind: large values are
 * checked to REL relative, values near zero to REL x FLOOR x the largest,
 * never to a meaningless relative bound on a number that is 0 up to
 * rounding. The floor follows from the stopping rule (largest gradient
 * entry <= tol), which bounds the distance to the optimum normwise, by
 * |gradient| / (smallest Hessian eigenvalue, about l2), not entry by entry:
 * a coefficient near zero carries about the same absolute error as the
 * largest one.
 *   Newton (tol 1e-10): quadratic convergence overshoots tol by orders of
 *     magnitude; REL 1e-6, FLOOR 1e-3.
 *   L-BFGS: converges linearly and stops just below tol. Its objective
 *     reaches its rounding floor with the gradient still near 1e-10 on
 *     these problems (measured: 1.2e-10 to 3.9e-10), so it runs with tol
 *     1e-9; at l2 = 1e-4 (smallest eigenvalue 1e-4) that leaves about 1e-8
 *     absolute error in every coefficient; REL 1e-6, FLOOR 1e-1.
 *   Least squares: a direct factorization of a well-conditioned system (raw
 *     diabetes: condition number about 280); REL 1e-9, FLOOR 1e-3.
 * Identities between the library's own numbers (raw versus model units)
 * use 1e-12. */
enum { MAX_OUT = 3, MAX_FEAT = 32 };
static const double REL_IDENTITY = 1e-12;

typedef struct tolerance {
    const char *solver; /* for messages */
    const char *tol;    /* the solver's stopping tolerance setting */
    double rel, floor;
} tolerance;

static tolerance tolerance_for(const model_ref_case *c, const char *solver)
{
    if (c->classes == 0) return (tolerance){solver, "1e-10", 1e-9, 1e-3};
    if (strcmp(solver, "lbfgs") == 0) return (tolerance){solver, "1e-9", 1e-6, 1e-1};
    return (tolerance){solver, "1e-10", 1e-6, 1e-3};
}

static double max_abs(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i]) > m) m = fabs(v[i]);
    return m;
}

static void check_close(double got, double want, double floor, double rel, const char *cs,
                        const char *solver, const char *what, size_t i)
{
    double scale = fabs(want) > floor ? fabs(want) : floor;
    ck_assert_msg(isfinite(got) && fabs(got - want) <= rel * scale,
                  "%s (solver %s): %s[%zu] is %.17g, reference %.17g (difference %.3g, "
                  "allowed %.3g)", cs, solver, what, i, got, want, fabs(got - want), rel * scale);
}

static void check_vector(const double *got, const double *want, size_t n, const tolerance *t,
                         const char *cs, const char *what)
{
    double floor = t->floor * max_abs(want, n);
    for (size_t i = 0; i < n; i++)
        check_close(got[i], want[i], floor, t->rel, cs, t->solver, what, i);
}

/* Multinomial intercepts (and decision values) are defined up to a common
 * shift; compare them centred, as the reference writes them. */
static void centre(double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    for (size_t i = 0; i < n; i++) v[i] -= s / (double)n;
}

static mlops_dataset *read_real(const char *stem)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real/%s.csv", DATA_DIR, stem);
    mlops_dataset *d = NULL;
    ck_assert_msg(mlops_dataset_read_csv(&d, path, NULL) == MLOPS_OK, "%s: %s", path,
                  mlops_last_error());
    return d;
}

/* The case's training data: the CSV, plus the weight column or the
 * duplicated feature it asks for, with the target (and weight) roles set. */
static mlops_dataset *case_data(const model_ref_case *c)
{
    mlops_dataset *raw = read_real(c->dataset);
    size_t rows = mlops_dataset_rows(raw), j;
    ck_assert_uint_eq(rows, c->rows);
    mlops_dataset *d = raw;
    if (c->weighted || c->duplicate) {
        mlops_dataset_builder *b;
        OK(mlops_dataset_builder_create(&b, rows));
        int32_t *codes = malloc(rows * sizeof *codes);
        const char **strings = malloc(rows * sizeof *strings);
        ck_assert(codes && strings);
        for (j = 0; j < mlops_dataset_cols(raw); j++) {
            const char *name = mlops_dataset_column_name(raw, j);
            if (mlops_dataset_column_type(raw, j) == MLOPS_NUMERIC) {
                const double *v;
                OK(mlops_dataset_numeric_data(raw, j, &v));
                OK(mlops_dataset_builder_add_numeric(b, name, v));
                continue;
            }
            OK(mlops_dataset_get_codes(raw, j, 0, rows, codes));
            for (size_t i = 0; i < rows; i++)
                strings[i] = codes[i] < 0 ? NULL : mlops_dataset_category(raw, j, codes[i]);
            OK(mlops_dataset_builder_add_categorical(b, name, strings));
        }
        if (c->duplicate) {
            char name[128];
            snprintf(name, sizeof name, "%s_copy", c->duplicate);
            OK(mlops_dataset_column_index(raw, c->duplicate, &j));
            const double *v;
            OK(mlops_dataset_numeric_data(raw, j, &v));
            OK(mlops_dataset_builder_add_numeric(b, name, v));
        }
        if (c->weighted) {
            double *w = malloc(rows * sizeof *w);
            ck_assert(w != NULL);
            for (size_t i = 0; i < rows; i++) w[i] = 1.0 + (double)(i % 4) / 2.0;
            OK(mlops_dataset_builder_add_numeric(b, "weight", w));
            OK(mlops_dataset_builder_set_role(b, "weight", MLOPS_ROLE_WEIGHT));
            free(w);
        }
        OK(mlops_dataset_builder_finish(b, &d));
        mlops_dataset_builder_free(b);
        free(codes);
        free(strings);
        mlops_dataset_free(raw);
    }
    OK(mlops_dataset_column_index(d, c->target, &j));
    OK(mlops_dataset_set_role(d, j, MLOPS_ROLE_TARGET));
    return d;
}

static mlops_model *fit_case(const model_ref_case *c, const mlops_dataset *d, const char *solver)
{
    tolerance t = tolerance_for(c, solver);
    mlops_model *m;
    OK(mlops_model_create(&m, c->kind));
    OK(mlops_model_set_param_double(m, "l2", c->l2));
    OK(mlops_model_set_param(m, "tol", t.tol));
    OK(mlops_model_set_param(m, "max_iter", "100000"));
    OK(mlops_model_set_param(m, "solver", solver));
    if (c->balanced) OK(mlops_model_set_param(m, "class_weight", "balanced"));
    if (c->classes > 0) {
        mlops_transform *chain;
        OK(mlops_transform_create(&chain));
        ck_assert_int_eq(mlops_transform_add(chain, "standardize", "*"), 0);
        OK(mlops_model_set_transform(m, chain));
        mlops_transform_free(chain);
    }
    ck_assert_msg(mlops_model_fit(m, d) == MLOPS_OK, "%s (solver %s): fit: %s", c->name, solver,
                  mlops_last_error());
    ck_assert_int_eq(mlops_model_is_fitted(m), 1);
    return m;
}

static double info(const mlops_model *m, const char *key)
{
    double v = NAN;
    OK(mlops_model_info(m, key, &v));
    return v;
}

static void check_summary(const model_ref_case *c, const mlops_model *m, const char *solver)
{
    ck_assert_msg(info(m, "converged") == 1.0, "%s (solver %s): not converged after %g "
                  "iterations, gradient %g", c->name, solver, info(m, "iterations"),
                  info(m, "gradient_norm"));
    ck_assert_msg(info(m, "iterations") > 0, "%s (solver %s): %g iterations", c->name, solver,
                  info(m, "iterations"));
    /* Iterative solvers stop at tol. A direct solve of the raw diabetes
     * normal equations (entries up to about 4e4, coefficients up to 800)
     * leaves a gradient of rounding size, eps x |H| x |b| ~ 1e-8, whatever
     * tol says; 1e-6 is still 1e-10 of the gradient at zero. */
    double g = info(m, "gradient_norm");
    double gmax = c->classes > 0 ? strtod(tolerance_for(c, solver).tol, NULL) : 1e-6;
    ck_assert_msg(g >= 0 && g <= gmax, "%s (solver %s): gradient_norm %g after convergence",
                  c->name, solver, g);
    ck_assert_double_eq(info(m, "rows"), (double)c->rows);
    ck_assert_double_eq(info(m, "features"), (double)c->features);
    ck_assert_double_eq(info(m, "classes"), (double)c->classes);
    ck_assert_double_eq(info(m, "l2"), c->l2);
    check_close(info(m, "weight_sum"), c->weight_sum, 0, REL_IDENTITY, c->name, solver,
                "weight_sum", 0);
    /* the objective is second order in the coefficients' error */
    check_close(info(m, "objective"), c->objective, 0, c->classes > 0 ? 1e-9 : 1e-11, c->name,
                solver, "objective", 0);
}

static void check_schema(const model_ref_case *c, const mlops_model *m)
{
    ck_assert_uint_eq(mlops_model_feature_count(m), c->features);
    ck_assert_uint_eq(mlops_model_input_count(m), c->features);
    for (size_t j = 0; j < c->features; j++) {
        ck_assert_str_eq(mlops_model_feature_name(m, j), c->feature_names[j]);
        ck_assert_str_eq(mlops_model_input_name(m, j), c->feature_names[j]);
        ck_assert_int_eq(mlops_model_input_type(m, j), MLOPS_NUMERIC);
    }
    ck_assert_ptr_null(mlops_model_feature_name(m, c->features));
    ck_assert_str_eq(mlops_model_target_name(m), c->target);
    ck_assert_uint_eq(mlops_model_output_count(m), c->outputs);
    ck_assert_uint_eq(mlops_model_class_count(m), c->classes);
    for (size_t k = 0; k < c->classes; k++)
        ck_assert_str_eq(mlops_model_class_label(m, k), c->labels[k]);
    ck_assert_ptr_null(mlops_model_class_label(m, c->classes));
}

/* Population standard deviation of raw column `name`, two-pass. */
static double column_std(const mlops_dataset *d, const char *name)
{
    size_t j, n = mlops_dataset_rows(d);
    OK(mlops_dataset_column_index(d, name, &j));
    const double *v;
    OK(mlops_dataset_numeric_data(d, j, &v));
    double mean = 0, ss = 0;
    for (size_t i = 0; i < n; i++) mean += v[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) ss += (v[i] - mean) * (v[i] - mean);
    return sqrt(ss / (double)n);
}

static void check_coefficients(const model_ref_case *c, const mlops_model *m,
                               const mlops_dataset *d, const tolerance *t)
{
    size_t p = c->features, k = c->outputs, n = p * k;
    double coef[MAX_OUT * MAX_FEAT], icpt[MAX_OUT], raw[MAX_OUT * MAX_FEAT], raw_icpt[MAX_OUT];
    double stdz[MAX_OUT * MAX_FEAT], stdz_icpt[MAX_OUT];
    ck_assert_uint_le(n, COUNT(coef));
    OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, coef, n, icpt, k));
    OK(mlops_model_coefficients(m, MLOPS_COEF_RAW, raw, n, raw_icpt, k));
    OK(mlops_model_coefficients(m, MLOPS_COEF_STANDARDIZED, stdz, n, stdz_icpt, k));
    if (k > 1) {
        centre(icpt, k);
        centre(raw_icpt, k);
    }
    check_vector(coef, c->coef, n, t, c->name, "coef (model units)");
    check_vector(icpt, c->intercept, k, t, c->name, "intercept (model units)");
    check_vector(raw, c->coef_raw, n, t, c->name, "coef (raw units)");
    check_vector(raw_icpt, c->intercept_raw, k, t, c->name, "intercept (raw units)");
    check_vector(stdz, c->coef_std, n, t, c->name, "coef (standardized units)");

    /* Consistency among the library's own units: standardized = raw x
     * population std of the raw column; with a standardize chain (whose
     * scale is that same std) model and standardized units agree. */
    for (size_t o = 0; o < k; o++)
        for (size_t j = 0; j < p; j++) {
            double sd = column_std(d, c->feature_names[j]);
            check_close(stdz[o * p + j], raw[o * p + j] * sd, 1e-3 * max_abs(stdz, n),
                        REL_IDENTITY, c->name, t->solver, "standardized vs raw x std", o * p + j);
            if (c->classes > 0)
                check_close(stdz[o * p + j], coef[o * p + j], 1e-3 * max_abs(coef, n),
                            REL_IDENTITY, c->name, t->solver, "standardized vs model", o * p + j);
            else
                ck_assert_msg(raw[o * p + j] == coef[o * p + j], "%s: without a chain raw and "
                              "model units must be equal", c->name);
        }
}

/* Raw values of the model's inputs for the first rows, row-major. */
static void raw_rows(const mlops_model *m, const mlops_dataset *d, double *x, size_t rows)
{
    size_t p = mlops_model_input_count(m);
    for (size_t j = 0; j < p; j++) {
        size_t col;
        OK(mlops_dataset_column_index(d, mlops_model_input_name(m, j), &col));
        for (size_t i = 0; i < rows; i++) OK(mlops_dataset_get_numeric(d, col, i, 1, &x[i * p + j]));
    }
}

/* |a - b| within rounding of a dot product whose terms' absolute values
 * sum to `mag`: 1e-14 is about 50 ulps, room for 30 terms summed in any
 * order. */
static bool near_rounding(double a, double b, double mag)
{
    return fabs(a - b) <= 1e-14 * mag;
}

static void check_predictions(const model_ref_case *c, const mlops_model *m,
                              const mlops_dataset *d, const tolerance *t)
{
    enum { R = MODEL_REF_PRED_ROWS };
    size_t n = c->rows, p = c->features, k = c->outputs;
    size_t width = c->classes > 0 ? c->classes : 1;
    int kind = c->classes > 0 ? MLOPS_PREDICT_PROBA : MLOPS_PREDICT_VALUE;
    ck_assert_uint_eq(mlops_model_output_width(m, kind), width);
    ck_assert_uint_eq(mlops_model_output_width(m, MLOPS_PREDICT_DECISION), k);
    double *pred = malloc(n * width * sizeof *pred), *dec = malloc(n * k * sizeof *dec);
    double *val = malloc(n * sizeof *val);
    ck_assert(pred && dec && val);
    OK(mlops_model_predict(m, d, kind, pred, n * width));
    OK(mlops_model_predict(m, d, MLOPS_PREDICT_DECISION, dec, n * k));
    OK(mlops_model_predict(m, d, MLOPS_PREDICT_VALUE, val, n));
    if (c->classes > 0) {
        check_vector(pred, c->pred, R * width, t, c->name, "probability");
        for (size_t i = 0; i < n; i++) {
            double sum = 0;
            size_t best = 0;
            for (size_t q = 0; q < width; q++) {
                sum += pred[i * width + q];
                if (pred[i * width + q] > pred[i * width + best]) best = q;
            }
            ck_assert_msg(fabs(sum - 1) <= 1e-12, "%s: row %zu probabilities sum to %.17g",
                          c->name, i, sum);
            ck_assert_msg(val[i] == (double)best, "%s: row %zu predicted class %g, most "
                          "probable %zu", c->name, i, val[i], best);
        }
        double got[R * MAX_OUT];
        memcpy(got, dec, R * k * sizeof *got);
        if (k > 1)
            for (size_t i = 0; i < R; i++) centre(&got[i * k], k);
        check_vector(got, c->decision, R * k, t, c->name, "decision");
    } else {
        check_vector(pred, c->pred, R, t, c->name, "prediction");
        ck_assert_msg(memcmp(val, dec, n * sizeof *val) == 0,
                      "%s: regression value and decision differ", c->name);
    }

    /* raw-unit coefficients reproduce the decision values from raw inputs */
    double raw[MAX_OUT * MAX_FEAT], raw_icpt[MAX_OUT], x[R * MAX_FEAT], mag[R * MAX_OUT];
    OK(mlops_model_coefficients(m, MLOPS_COEF_RAW, raw, p * k, raw_icpt, k));
    raw_rows(m, d, x, R);
    for (size_t i = 0; i < R; i++)
        for (size_t o = 0; o < k; o++) {
            double z = raw_icpt[o], sum = fabs(raw_icpt[o]);
            for (size_t j = 0; j < p; j++) {
                z += raw[o * p + j] * x[i * p + j];
                sum += fabs(raw[o * p + j] * x[i * p + j]);
            }
            mag[i * k + o] = sum;
            /* the sum cancels: its rounding error scales with the terms */
            ck_assert_msg(fabs(z - dec[i * k + o]) <= 1e-12 * sum,
                          "%s (solver %s): row %zu output %zu: raw coefficients give %.17g, "
                          "prediction %.17g", c->name, t->solver, i, o, z, dec[i * k + o]);
        }

    /* The matrix path folds the chain into raw-unit coefficients (one BLAS
     * product) and the row path sums in input order: both agree with the
     * dataset path to rounding, a few ulps of the terms' magnitude (here the
     * sum of |raw coefficient x raw input| and |raw intercept|), and repeat
     * their own bits exactly. */
    double mout[R * MAX_OUT], mdec[R * MAX_OUT], again[R * MAX_OUT];
    OK(mlops_model_predict_matrix(m, x, R, p, kind, mout, R * width));
    OK(mlops_model_predict_matrix(m, x, R, p, MLOPS_PREDICT_DECISION, mdec, R * k));
    OK(mlops_model_predict_matrix(m, x, R, p, kind, again, R * width));
    ck_assert_msg(memcmp(mout, again, R * width * sizeof *mout) == 0,
                  "%s: predict_matrix is not repeatable", c->name);
    for (size_t i = 0; i < R; i++) {
        double rout[MAX_OUT], rdec[MAX_OUT], rdec2[MAX_OUT];
        OK(mlops_model_predict_row(m, &x[i * p], p, kind, rout, width));
        OK(mlops_model_predict_row(m, &x[i * p], p, MLOPS_PREDICT_DECISION, rdec, k));
        OK(mlops_model_predict_row(m, &x[i * p], p, MLOPS_PREDICT_DECISION, rdec2, k));
        ck_assert_msg(memcmp(rdec, rdec2, k * sizeof *rdec) == 0,
                      "%s: predict_row is not repeatable", c->name);
        double zmag = 0;
        for (size_t o = 0; o < k; o++) {
            if (mag[i * k + o] > zmag) zmag = mag[i * k + o];
            ck_assert_msg(near_rounding(rdec[o], dec[i * k + o], mag[i * k + o]),
                          "%s: row %zu output %zu: predict_row decision %.17g, predict %.17g",
                          c->name, i, o, rdec[o], dec[i * k + o]);
            ck_assert_msg(near_rounding(mdec[i * k + o], dec[i * k + o], mag[i * k + o]),
                          "%s: row %zu output %zu: predict_matrix decision %.17g, predict "
                          "%.17g", c->name, i, o, mdec[i * k + o], dec[i * k + o]);
        }
        /* a decision error e moves a probability by at most about e, and
         * a regression value by exactly e */
        for (size_t q = 0; q < width; q++) {
            double want = pred[i * width + q];
            ck_assert_msg(near_rounding(rout[q], want, zmag + fabs(want)),
                          "%s: row %zu: predict_row %.17g, predict %.17g", c->name, i, rout[q],
                          want);
            ck_assert_msg(near_rounding(mout[i * width + q], want, zmag + fabs(want)),
                          "%s: row %zu: predict_matrix %.17g, predict %.17g", c->name, i,
                          mout[i * width + q], want);
        }
    }
    free(pred);
    free(dec);
    free(val);
}

static void run_case(const model_ref_case *c, const char *solver)
{
    tolerance t = tolerance_for(c, solver);
    mlops_dataset *d = case_data(c);
    mlops_model *m = fit_case(c, d, solver);
    check_schema(c, m);
    check_summary(c, m, solver);
    check_coefficients(c, m, d, &t);
    check_predictions(c, m, d, &t);
    mlops_model_free(m);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}

START_TEST(reference_case)
{
    const model_ref_case *c = &model_ref_cases[_i];
    ck_assert_uint_le(c->outputs, MAX_OUT);
    ck_assert_uint_le(c->features, MAX_FEAT);
    if (c->classes > 0) {
        run_case(c, "newton");
        run_case(c, "lbfgs");
        run_case(c, "auto");
    } else {
        /* singular normal equations must fall back to least squares */
        run_case(c, "cholesky");
        run_case(c, "lstsq");
        run_case(c, "auto");
    }
}
END_TEST

/* Every case's objective, recomputed from the library's predictions, is the
 * reference objective: a check on the reference itself, through the
 * library's own probabilities. */
START_TEST(objective_from_predictions)
{
    const model_ref_case *c = &model_ref_cases[_i];
    mlops_dataset *d = case_data(c);
    mlops_model *m = fit_case(c, d, c->classes > 0 ? "newton" : "cholesky");
    size_t n = c->rows, width = c->classes > 0 ? c->classes : 1;
    double *pred = malloc(n * width * sizeof *pred), *y = malloc(n * sizeof *y);
    double *cls = malloc(n * sizeof *cls);
    ck_assert(pred && y && cls);
    OK(mlops_model_predict(m, d, c->classes > 0 ? MLOPS_PREDICT_PROBA : MLOPS_PREDICT_VALUE,
                           pred, n * width));
    size_t tj;
    OK(mlops_dataset_column_index(d, c->target, &tj));
    double counts[MAX_OUT] = {0};
    if (c->classes > 0) {
        for (size_t i = 0; i < n; i++) {
            char text[64];
            const char *label = text;
            if (mlops_dataset_column_type(d, tj) == MLOPS_CATEGORICAL) {
                int32_t code;
                OK(mlops_dataset_get_codes(d, tj, i, 1, &code));
                label = mlops_dataset_category(d, tj, code);
            } else {
                /* the numeric targets here are small integers, whose
                 * shortest round-trip spelling %.17g also gives */
                double v;
                OK(mlops_dataset_get_numeric(d, tj, i, 1, &v));
                snprintf(text, sizeof text, "%.17g", v);
            }
            cls[i] = -1;
            for (size_t q = 0; q < c->classes; q++)
                if (strcmp(c->labels[q], label) == 0) cls[i] = (double)q;
            ck_assert_msg(cls[i] >= 0, "%s: row %zu label '%s' is no class", c->name, i, label);
            counts[(size_t)cls[i]]++;
        }
    } else {
        OK(mlops_dataset_get_numeric(d, tj, 0, n, y));
    }
    double W = 0, loss = 0;
    for (size_t i = 0; i < n; i++) {
        double w = c->weighted ? 1.0 + (double)(i % 4) / 2.0 : 1.0;
        if (c->balanced) w *= (double)n / ((double)c->classes * counts[(size_t)cls[i]]);
        W += w;
        if (c->classes > 0)
            loss += -w * log(pred[i * width + (size_t)cls[i]]);
        else
            loss += 0.5 * w * (y[i] - pred[i]) * (y[i] - pred[i]);
    }
    double coef[MAX_OUT * MAX_FEAT], pen = 0;
    OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, coef, c->features * c->outputs, NULL, 0));
    for (size_t j = 0; j < c->features * c->outputs; j++) pen += coef[j] * coef[j];
    double obj = loss / W + 0.5 * c->l2 * pen;
    check_close(obj, c->objective, 0, 1e-9, c->name, "recomputed", "objective", 0);
    free(pred);
    free(y);
    free(cls);
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

/* Asked for a tolerance below what rounding lets it reach (the breast
 * cancer cases at tol 1e-10: the objective stops changing in its last
 * digit with the gradient still near 1e-10 to 3e-10), L-BFGS must still
 * end: converged, or not converged with its one warning well before
 * max_iter once no step lowers the objective, not spin through max_iter
 * line searches that change nothing. */
static int lbfgs_warnings;

static void count_warnings(int level, const char *message, void *ud)
{
    (void)ud;
    lbfgs_warnings += level == MLOPS_LOG_WARN && strstr(message, "converge") != NULL;
}

START_TEST(lbfgs_tolerance_below_rounding)
{
    const model_ref_case *c = &model_ref_cases[_i];
    ck_assert_str_eq(c->dataset, "breast_cancer");
    mlops_dataset *d = case_data(c);
    mlops_model *m;
    OK(mlops_model_create(&m, c->kind));
    OK(mlops_model_set_param_double(m, "l2", c->l2));
    OK(mlops_model_set_param(m, "tol", "1e-10"));
    /* MLOPS_TEST_SHORT (the valgrind run): fewer iterations to spin */
    const char *max_iter = getenv("MLOPS_TEST_SHORT") ? "150" : "400";
    OK(mlops_model_set_param(m, "max_iter", max_iter));
    OK(mlops_model_set_param(m, "solver", "lbfgs"));
    mlops_transform *chain;
    OK(mlops_transform_create(&chain));
    ck_assert_int_eq(mlops_transform_add(chain, "standardize", "*"), 0);
    OK(mlops_model_set_transform(m, chain));
    mlops_transform_free(chain);
    lbfgs_warnings = 0;
    OK(mlops_set_logger(count_warnings, MLOPS_LOG_WARN, NULL));
    OK(mlops_model_fit(m, d));
    OK(mlops_set_logger(NULL, 0, NULL));
    double it = info(m, "iterations"), g = info(m, "gradient_norm");
    if (info(m, "converged") == 1) {
        ck_assert_msg(g <= 1e-10, "%s: converged with gradient %g", c->name, g);
        ck_assert_int_eq(lbfgs_warnings, 0);
    } else {
        ck_assert_msg(it < atof(max_iter), "%s: L-BFGS ran all %g iterations at gradient %g "
                      "instead of stopping when no step lowers the objective", c->name, it, g);
        ck_assert_int_eq(lbfgs_warnings, 1);
    }
    double coef[30], b;
    OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, coef, 30, &b, 1));
    tolerance t = tolerance_for(c, "lbfgs");
    check_vector(coef, c->coef, 30, &t, c->name, "coef (model units)");
    mlops_model_free(m);
    mlops_dataset_free(d);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_reference");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, reference_case, 0, (int)COUNT(model_ref_cases));
    tcase_add_loop_test(tc, objective_from_predictions, 0, (int)COUNT(model_ref_cases));
    tcase_add_loop_test(tc, lbfgs_tolerance_below_rounding, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}
