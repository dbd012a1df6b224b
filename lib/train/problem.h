/* Private: a training problem as the solvers see it (a dense column-major
 * feature matrix, targets, row weights, the penalty) and the solvers that
 * work on it. Solvers know nothing of datasets, names or transforms, so
 * they can be tested and benchmarked on raw arrays. */
#ifndef MLOPS_TRAIN_PROBLEM_H
#define MLOPS_TRAIN_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlops/log.h"

typedef struct mlops__problem {
    size_t n, p;          /* rows, features */
    const double *x;      /* column-major n x p, leading dimension n; may be
                             NULL for linear problems, which read cols */
    const double *const *cols; /* column j's n values (always set) */
    const double *y;      /* linear: target per row */
    const int32_t *cls;   /* logistic: class index per row, 0 .. k-1 */
    size_t k;             /* logistic: classes (>= 2) */
    const double *w;      /* weight per row (>= 0), NULL for all 1 */
    double wsum;          /* sum of weights (n when w is NULL), > 0 */
    double l2;            /* penalty (l2/2)*||coef||^2 */
    bool intercept;       /* fit unpenalized intercepts */
} mlops__problem;

typedef struct mlops__solve_opts {
    uint32_t max_iter;
    double tol;           /* on max |gradient entry| */
    uint32_t memory;      /* L-BFGS pairs */
    mlops_progress_fn progress;
    void *progress_ud;
} mlops__solve_opts;

typedef struct mlops__solve_result {
    uint32_t iterations;
    bool converged;
    double objective;
    double grad_norm;
    int solver;           /* MLOPS__SOLVER_* that ran */
} mlops__solve_result;

/* Outputs of a logistic problem: 1 for two classes, else k. */
size_t mlops__logistic_outputs(const mlops__problem *pb);

/* Least squares / ridge. `solver` is AUTO, CHOLESKY or LSTSQ; AUTO and
 * CHOLESKY fall back to LSTSQ when l2 = 0 and the normal equations are
 * singular or too ill-conditioned. Writes p coefficients and the
 * intercept. */
int mlops__linear_solve(const mlops__problem *pb, int solver, double *coef, double *intercept,
                        mlops__solve_result *res);

/* Logistic regression. theta holds outputs x p coefficients (row-major)
 * then outputs intercepts: the start on entry (zeros or a warm start), the
 * solution on return. */
int mlops__logistic_solve(const mlops__problem *pb, int solver, const mlops__solve_opts *o,
                          double *theta, mlops__solve_result *res);

/* The smooth objective interface the optimizers minimize: value and
 * gradient at x, and a Hessian-vector product at the point of the last
 * evaluation. A non-finite value means "outside the domain". */
typedef struct mlops__objective {
    size_t dim;
    void *ctx;
    int (*eval)(void *ctx, const double *x, double *f, double *g);
    int (*hvp)(void *ctx, const double *v, double *hv);
    /* Optional: the full dim x dim Hessian (column-major, upper triangle
     * needed) at the point of the last evaluation, for exact Newton steps
     * when dim is small. NULL when the objective does not provide it. */
    int (*hessian)(void *ctx, double *h);
} mlops__objective;

/* Minimizers: return MLOPS_OK (converged or not: see res), MLOPS_ECANCELED,
 * MLOPS_ENUMERIC or MLOPS_ENOMEM; x is the start on entry, the best point
 * found on return. */
int mlops__lbfgs(const mlops__objective *obj, const mlops__solve_opts *o, double *x,
                 mlops__solve_result *res);
int mlops__newton_cg(const mlops__objective *obj, const mlops__solve_opts *o, double *x,
                     mlops__solve_result *res);

/* Vector helpers (vec.c): dot product in index order, largest absolute
 * entry (NaN if any), and the logistic function without overflow. */
double mlops__dot(const double *a, const double *b, size_t n);
double mlops__max_abs(const double *v, size_t n);
double mlops__sigmoid(double z);

#endif
