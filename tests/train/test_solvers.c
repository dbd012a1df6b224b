/* The optimizers on their own: L-BFGS and Newton-CG on functions with
 * known minimizers (an ill-conditioned quadratic and the Rosenbrock
 * valley), their stopping rules, cancelling, and a domain error at the
 * start. Models exercise them on real data in test_model_reference.c. */
#include <math.h>
#include <string.h>

#include <mlops.h>

#include "runner.h"
#include "train/blas.h"
#include "train/model_impl.h"
#include "train/problem.h"

/* f(x) = sum_i c_i (x_i - i)^2 / 2 with c_i from 1 to 1e4 */
enum { QN = 20 };

static double qcoef(size_t i)
{
    return pow(1e4, (double)i / (QN - 1));
}

static int quad_eval(void *ctx, const double *x, double *f, double *g)
{
    (void)ctx;
    *f = 0;
    for (size_t i = 0; i < QN; i++) {
        double d = x[i] - (double)i;
        *f += 0.5 * qcoef(i) * d * d;
        g[i] = qcoef(i) * d;
    }
    return MLOPS_OK;
}

static int quad_hvp(void *ctx, const double *v, double *hv)
{
    (void)ctx;
    for (size_t i = 0; i < QN; i++) hv[i] = qcoef(i) * v[i];
    return MLOPS_OK;
}

static double rb_x[2];

static int rosen_eval(void *ctx, const double *x, double *f, double *g)
{
    (void)ctx;
    double a = 1 - x[0], b = x[1] - x[0] * x[0];
    *f = a * a + 100 * b * b;
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    rb_x[0] = x[0];
    rb_x[1] = x[1];
    return MLOPS_OK;
}

static int rosen_hvp(void *ctx, const double *v, double *hv)
{
    (void)ctx;
    double x = rb_x[0], y = rb_x[1];
    double h00 = 2 - 400 * (y - x * x) + 800 * x * x, h01 = -400 * x, h11 = 200;
    hv[0] = h00 * v[0] + h01 * v[1];
    hv[1] = h01 * v[0] + h11 * v[1];
    return MLOPS_OK;
}

/* The Rosenbrock Hessian as a full matrix, for exact Newton steps. */
static int rosen_hessian(void *ctx, double *h)
{
    double e0[2] = {1, 0}, e1[2] = {0, 1};
    rosen_hvp(ctx, e0, h);
    rosen_hvp(ctx, e1, h + 2);
    return MLOPS_OK;
}

static int nan_eval(void *ctx, const double *x, double *f, double *g)
{
    (void)ctx;
    (void)x;
    *f = NAN;
    g[0] = 0;
    return MLOPS_OK;
}

static int cancel_at_two(uint64_t done, uint64_t total, void *ud)
{
    (void)total;
    (void)ud;
    return done >= 2;
}

typedef int (*minimizer)(const mlops__objective *, const mlops__solve_opts *, double *,
                         mlops__solve_result *);

static void check_quadratic(minimizer solve)
{
    double x[QN] = {0};
    mlops__objective obj = {QN, NULL, quad_eval, quad_hvp, NULL};
    /* cond 1e4: L-BFGS with 10 pairs needs several hundred steps (scipy's
     * L-BFGS-B takes 674 to this tolerance) */
    mlops__solve_opts o = {5000, 1e-9, 10, NULL, NULL};
    mlops__solve_result r;
    ck_assert_int_eq(solve(&obj, &o, x, &r), MLOPS_OK);
    ck_assert(r.converged);
    ck_assert_double_le(r.grad_norm, 1e-9);
    for (size_t i = 0; i < QN; i++) ck_assert_double_eq_tol(x[i], (double)i, 1e-9);
}

static void check_rosenbrock(minimizer solve)
{
    double x[2] = {-1.2, 1};
    mlops__objective obj = {2, NULL, rosen_eval, rosen_hvp, NULL};
    mlops__solve_opts o = {1000, 1e-8, 10, NULL, NULL};
    mlops__solve_result r;
    ck_assert_int_eq(solve(&obj, &o, x, &r), MLOPS_OK);
    ck_assert(r.converged);
    ck_assert_double_eq_tol(x[0], 1, 1e-6);
    ck_assert_double_eq_tol(x[1], 1, 1e-6);
    ck_assert_double_le(r.objective, 1e-12);
    ck_assert_uint_gt(r.iterations, 5);
}

START_TEST(lbfgs_minimizes)
{
    check_quadratic(mlops__lbfgs);
    check_rosenbrock(mlops__lbfgs);
}
END_TEST

START_TEST(newton_minimizes)
{
    check_quadratic(mlops__newton_cg);
    check_rosenbrock(mlops__newton_cg);
}
END_TEST

/* With a Hessian, Newton takes exact steps: Rosenbrock from the standard
 * start in about twenty, against many more conjugate-gradient ones. */
START_TEST(newton_exact_steps)
{
    double x[2] = {-1.2, 1};
    mlops__objective obj = {2, NULL, rosen_eval, rosen_hvp, rosen_hessian};
    mlops__solve_opts o = {100, 1e-10, 10, NULL, NULL};
    mlops__solve_result r;
    ck_assert_int_eq(mlops__newton_cg(&obj, &o, x, &r), MLOPS_OK);
    ck_assert(r.converged);
    ck_assert_double_eq_tol(x[0], 1, 1e-9);
    ck_assert_double_eq_tol(x[1], 1, 1e-9);
    ck_assert_uint_le(r.iterations, 30);
}
END_TEST

START_TEST(stopping_and_errors)
{
    minimizer solvers[2] = {mlops__lbfgs, mlops__newton_cg};
    for (int s = 0; s < 2; s++) {
        double x[2] = {-1.2, 1};
        mlops__objective obj = {2, NULL, rosen_eval, rosen_hvp, NULL};
        mlops__solve_opts o = {3, 1e-12, 10, NULL, NULL};
        mlops__solve_result r;
        ck_assert_int_eq(solvers[s](&obj, &o, x, &r), MLOPS_OK);
        ck_assert(!r.converged);
        ck_assert_uint_eq(r.iterations, 3);
        ck_assert(isfinite(x[0]) && isfinite(x[1]));
        o.max_iter = 100;
        o.progress = cancel_at_two;
        x[0] = -1.2;
        x[1] = 1;
        ck_assert_int_eq(solvers[s](&obj, &o, x, &r), MLOPS_ECANCELED);
        double y[1] = {0};
        mlops__objective bad = {1, NULL, nan_eval, NULL, NULL};
        o.progress = NULL;
        ck_assert_int_eq(solvers[s](&bad, &o, y, &r), MLOPS_ENUMERIC);
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not finite"));
    }
    /* already optimal: zero iterations, converged */
    double x[QN];
    for (size_t i = 0; i < QN; i++) x[i] = (double)i;
    mlops__objective obj = {QN, NULL, quad_eval, quad_hvp, NULL};
    mlops__solve_opts o = {10, 1e-9, 10, NULL, NULL};
    mlops__solve_result r;
    ck_assert_int_eq(mlops__lbfgs(&obj, &o, x, &r), MLOPS_OK);
    ck_assert(r.converged);
    ck_assert_uint_eq(r.iterations, 0);
}
END_TEST

/* The kernel warning fires for OpenBLAS's generic fallbacks only; the
 * running kernel is whatever this machine selected and is only reported. */
START_TEST(generic_kernel_names)
{
    ck_assert(mlops__blas_kernel_is_generic("Prescott"));
    ck_assert(mlops__blas_kernel_is_generic("CORE2"));
    ck_assert(mlops__blas_kernel_is_generic("nehalem"));
    ck_assert(!mlops__blas_kernel_is_generic("Haswell"));
    ck_assert(!mlops__blas_kernel_is_generic("SkylakeX"));
    ck_assert(!mlops__blas_kernel_is_generic("Zen"));
    ck_assert(!mlops__blas_kernel_is_generic(""));
    ck_assert_ptr_nonnull(openblas_get_corename());
    mlops__blas_check_kernel(); /* at most one warning per process, never a failure */
    mlops__blas_check_kernel();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("solvers");
    TCase *tc = tcase_create("solvers");
    tcase_add_test(tc, lbfgs_minimizes);
    tcase_add_test(tc, newton_minimizes);
    tcase_add_test(tc, newton_exact_steps);
    tcase_add_test(tc, stopping_and_errors);
    tcase_add_test(tc, generic_kernel_names);
    suite_add_tcase(s, tc);
    return s;
}
