/* Least squares and ridge regression in closed form.
 *
 * The weighted, centred Gram matrix is accumulated block by block: each
 * block of rows is centred on the weighted means and scaled by sqrt(w)
 * before dsyrk, so precision does not suffer from large feature means (as
 * G - W*mean*mean^T would) and no centred copy of the whole matrix is
 * needed. (G + l2*W*I) b = X^T W y is then solved by Cholesky. When l2 = 0
 * and the system is singular or too ill-conditioned for the normal
 * equations, the solution falls back to LAPACK's SVD least squares on the
 * centred data, which gives the minimum-norm solution as numpy's lstsq. */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"
#include "train/blas.h"
#include "train/model_impl.h"
#include "train/problem.h"

enum { BLOCK_ROWS = 2048 };

/* Below this reciprocal condition number the normal equations lose too
 * many digits; least squares on the data keeps them. */
static const double RCOND_MIN = 1e-10;

static double row_weight(const mlops__problem *pb, size_t i)
{
    return pb->w ? pb->w[i] : 1.0;
}

/* The weighted mean of v[0..n). When the plain sum overflows (values near
 * +-1.8e308) it is taken over v / max|v| instead, so the mean of finite
 * values is finite and centring a constant column gives exact zeros. */
static double weighted_mean(const mlops__problem *pb, const double *v)
{
    double s = 0;
    for (size_t i = 0; i < pb->n; i++) s += row_weight(pb, i) * v[i];
    double mean = s / pb->wsum;
    if (isfinite(mean)) return mean;
    double scale = 0;
    for (size_t i = 0; i < pb->n; i++)
        if (fabs(v[i]) > scale) scale = fabs(v[i]);
    s = 0;
    for (size_t i = 0; i < pb->n; i++) s += row_weight(pb, i) * (v[i] / scale);
    return s / pb->wsum * scale;
}

static void weighted_means(const mlops__problem *pb, double *xm, double *ym)
{
    memset(xm, 0, pb->p * sizeof *xm);
    *ym = 0;
    if (!pb->intercept) return;
    for (size_t j = 0; j < pb->p; j++) xm[j] = weighted_mean(pb, pb->cols[j]);
    *ym = weighted_mean(pb, pb->y);
}

/* Rows [r0, r0+rows) centred and scaled by sqrt(w) into xb (rows x p,
 * column-major) and yb. */
static void centred_block(const mlops__problem *pb, const double *xm, double ym, size_t r0,
                          size_t rows, double *xb, double *yb)
{
    for (size_t i = 0; i < rows; i++) yb[i] = pb->w ? sqrt(pb->w[r0 + i]) : 1.0;
    for (size_t j = 0; j < pb->p; j++) {
        const double *col = pb->cols[j] + r0;
        double *dst = xb + j * rows, m = xm[j];
        for (size_t i = 0; i < rows; i++) dst[i] = (col[i] - m) * yb[i];
    }
    for (size_t i = 0; i < rows; i++) yb[i] *= pb->y[r0 + i] - ym;
}

static int gram(const mlops__problem *pb, const double *xm, double ym, double *G, double *c,
                double *yy)
{
    size_t p = pb->p, cap = pb->n < BLOCK_ROWS ? pb->n : BLOCK_ROWS;
    double *xb = mlops__malloc_array(cap, (p + 1) * sizeof *xb, "ridge block");
    if (xb == NULL) return MLOPS_ENOMEM;
    double *yb = xb + cap * p;
    memset(G, 0, p * p * sizeof *G);
    memset(c, 0, p * sizeof *c);
    *yy = 0;
    for (size_t r0 = 0; r0 < pb->n; r0 += cap) {
        size_t rows = pb->n - r0 < cap ? pb->n - r0 : cap;
        centred_block(pb, xm, ym, r0, rows, xb, yb);
        for (size_t i = 0; i < rows; i++) *yy += yb[i] * yb[i];
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)p, (int)rows, 1.0, xb,
                    (int)rows, 1.0, G, (int)p);
        cblas_dgemv(CblasColMajor, CblasTrans, (int)rows, (int)p, 1.0, xb, (int)rows, yb, 1,
                    1.0, c, 1);
    }
    mlops__free(xb);
    return MLOPS_OK;
}

/* Cholesky solve; returns 1 when the factorization failed or the system is
 * too ill-conditioned for it (then the caller falls back), 0 on success. */
static int cholesky(const mlops__problem *pb, double *G, double *b, int *fallback)
{
    int p = (int)pb->p, info = 0, one = 1;
    double ridge = pb->l2 * pb->wsum, anorm = 0;
    for (int j = 0; j < p; j++) {
        G[(size_t)j * p + j] += ridge;
        double s = 0; /* 1-norm of column j of the symmetric matrix */
        for (int i = 0; i < p; i++)
            s += fabs(i <= j ? G[(size_t)j * p + i] : G[(size_t)i * p + j]);
        if (s > anorm) anorm = s;
    }
    dpotrf_("U", &p, G, &p, &info, 1);
    *fallback = 0;
    if (info > 0) {
        *fallback = 1;
        return MLOPS_OK;
    }
    if (info < 0) return mlops__fail(MLOPS_ENUMERIC, "ridge: dpotrf argument %d invalid", -info);
    double rcond = 0;
    double *work = mlops__malloc_array((size_t)p, 3 * sizeof *work, "ridge condition");
    int *iwork = mlops__malloc_array((size_t)p, sizeof *iwork, "ridge condition");
    if (work == NULL || iwork == NULL) {
        mlops__free(work);
        mlops__free(iwork);
        return MLOPS_ENOMEM;
    }
    dpocon_("U", &p, G, &p, &anorm, &rcond, work, iwork, &info, 1);
    mlops__free(work);
    mlops__free(iwork);
    if (pb->l2 == 0 && rcond < RCOND_MIN) {
        *fallback = 1;
        return MLOPS_OK;
    }
    dpotrs_("U", &p, &one, G, &p, b, &p, &info, 1);
    if (info != 0) return mlops__fail(MLOPS_ENUMERIC, "ridge: dpotrs failed (%d)", info);
    return MLOPS_OK;
}

/* Divides v by a power of two when its largest magnitude is far from 1 and
 * returns the exponent (0: left alone). LAPACK's SVD path calls the BLAS
 * norm, whose x86 kernels rely on 80-bit intermediates to square values
 * near 1e308 without overflow; where those are not available (valgrind,
 * other CPUs) it overflows and the SVD fails. A power of two is exact, and
 * one factor for the whole matrix keeps the minimum-norm solution the same. */
static int scale_to_unit(double *v, size_t n)
{
    double big = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i]) > big) big = fabs(v[i]);
    if (!(big > 0x1p-300 && big < 0x1p300)) {
        int e = 0;
        if (big > 0 && isfinite(big)) frexp(big, &e);
        for (size_t i = 0; e != 0 && i < n; i++) v[i] = ldexp(v[i], -e);
        return e;
    }
    return 0;
}

/* Minimum-norm least squares on the centred, weighted data (plus sqrt(l2*W)
 * rows when penalized) by LAPACK's divide-and-conquer SVD. */
static int lstsq(const mlops__problem *pb, const double *xm, double ym, double *b)
{
    size_t p = pb->p, extra = pb->l2 > 0 ? p : 0, rows, total;
    if (!mlops__add_size(pb->n, extra, &rows) || !mlops__mul_size(rows, p + 1, &total) ||
        rows > MLOPS__BLAS_INT_MAX)
        return mlops__fail(MLOPS_ENOMEM, "least squares: %zu rows x %zu features exceed the "
                           "size limit", pb->n, p);
    size_t ldb = rows > p ? rows : p;
    double *a = mlops__malloc_array(rows * p + ldb, sizeof *a, "least squares matrix");
    double *s = mlops__malloc_array(p ? p : 1, sizeof *s, "singular values");
    if (a == NULL || s == NULL) {
        mlops__free(a);
        mlops__free(s);
        return MLOPS_ENOMEM;
    }
    double *yb = a + rows * p;
    memset(a, 0, (rows * p + ldb) * sizeof *a);
    /* centre row by row into an n-row block with leading dimension rows */
    for (size_t j = 0; j < p; j++) {
        const double *col = pb->cols[j];
        double *dst = a + j * rows;
        for (size_t i = 0; i < pb->n; i++)
            dst[i] = (col[i] - xm[j]) * (pb->w ? sqrt(pb->w[i]) : 1.0);
        if (extra) dst[pb->n + j] = sqrt(pb->l2 * pb->wsum);
    }
    for (size_t i = 0; i < pb->n; i++) yb[i] = (pb->y[i] - ym) * (pb->w ? sqrt(pb->w[i]) : 1.0);
    int a_exp = scale_to_unit(a, rows * p), y_exp = scale_to_unit(yb, pb->n);
    int m = (int)rows, n = (int)p, one = 1, lb = (int)ldb, rank = 0, info = 0, lwork = -1;
    double rcond = -1, wq = 0; /* machine precision cut-off, as numpy */
    int iq = 0;
    dgelsd_(&m, &n, &one, a, &m, yb, &lb, s, &rcond, &rank, &wq, &lwork, &iq, &info);
    int rc = MLOPS_OK;
    lwork = (int)wq + 1;
    double *work = mlops__malloc_array((size_t)lwork, sizeof *work, "least squares work");
    int *iwork = mlops__malloc_array((size_t)(iq > 1 ? iq : 1), sizeof *iwork,
                                     "least squares work");
    if (work == NULL || iwork == NULL) {
        rc = MLOPS_ENOMEM;
    } else {
        dgelsd_(&m, &n, &one, a, &m, yb, &lb, s, &rcond, &rank, work, &lwork, iwork, &info);
        if (info != 0)
            rc = mlops__fail(MLOPS_ENUMERIC, "least squares: the SVD did not converge (%d)",
                             info);
        else
            for (size_t j = 0; j < p; j++) b[j] = ldexp(yb[j], y_exp - a_exp);
        if (rc == MLOPS_OK && rank < n)
            mlops__log(MLOPS_LOG_WARN, "linear_regression: the features are collinear (rank "
                       "%d of %d); the minimum-norm solution is used", rank, n);
    }
    mlops__free(work);
    mlops__free(iwork);
    mlops__free(a);
    mlops__free(s);
    return rc;
}

/* Objective and max |gradient| at the solution, by passes over the
 * columns (the least-squares path, where there is no Gram matrix): the
 * gradient of a closed-form fit measures its numerical quality. */
static int objective(const mlops__problem *pb, const double *b, double b0,
                     mlops__solve_result *res)
{
    size_t n = pb->n, p = pb->p;
    double *r = mlops__malloc_array(n + p, sizeof *r, "residuals");
    if (r == NULL) return MLOPS_ENOMEM;
    double *g = r + n;
    memset(r, 0, n * sizeof *r);
    for (size_t j = 0; j < p; j++) cblas_daxpy((int)n, b[j], pb->cols[j], 1, r, 1);
    double sse = 0, gb = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = row_weight(pb, i), ri = pb->y[i] - (r[i] + b0);
        sse += wi * ri * ri;
        r[i] = wi * ri;
        gb += r[i];
    }
    for (size_t j = 0; j < p; j++) g[j] = cblas_ddot((int)n, pb->cols[j], 1, r, 1);
    double pen = 0, gmax = pb->intercept ? fabs(gb / pb->wsum) : 0;
    for (size_t j = 0; j < p; j++) {
        pen += b[j] * b[j];
        double gj = fabs(-g[j] / pb->wsum + pb->l2 * b[j]);
        if (gj > gmax) gmax = gj;
    }
    res->objective = sse / (2 * pb->wsum) + 0.5 * pb->l2 * pen;
    res->grad_norm = gmax;
    mlops__free(r);
    return MLOPS_OK;
}

/* The same from the Gram matrix G (upper triangle), c = X^T W y and
 * yy = y^T W y (all centred), without another pass over the data:
 * r^T W r = yy - 2 b.c + b^T G b, gradient (G b - c) / W + l2 b. */
static void objective_from_gram(const mlops__problem *pb, const double *G, const double *c,
                                double yy, const double *b, double *gb, mlops__solve_result *res)
{
    int p = (int)pb->p;
    cblas_dsymv(CblasColMajor, CblasUpper, p, 1.0, G, p, b, 1, 0.0, gb, 1);
    double bgb = 0, bc = 0, pen = 0, gmax = 0;
    for (int j = 0; j < p; j++) {
        bgb += b[j] * gb[j];
        bc += b[j] * c[j];
        pen += b[j] * b[j];
        double gj = fabs((gb[j] - c[j]) / pb->wsum + pb->l2 * b[j]);
        if (gj > gmax) gmax = gj;
    }
    double rss = yy - 2 * bc + bgb;
    res->objective = (rss > 0 ? rss : 0) / (2 * pb->wsum) + 0.5 * pb->l2 * pen;
    res->grad_norm = gmax;
}

int mlops__linear_solve(const mlops__problem *pb, int solver, double *coef, double *intercept,
                        mlops__solve_result *res)
{
    size_t p = pb->p, pp;
    memset(res, 0, sizeof *res);
    if (!mlops__mul_size(p, p, &pp) || p > MLOPS__BLAS_INT_MAX || pb->n > MLOPS__BLAS_INT_MAX)
        return mlops__fail(MLOPS_ENOMEM, "linear_regression: %zu features exceed the size "
                           "limit", p);
    /* Without a penalty and with no more rows than features (fewer, without
     * an intercept) the normal equations are singular whatever the data:
     * least squares directly, without the p x p Gram matrix (800 MB and a
     * p^3 factorization for 10,000 columns of a few rows). */
    int rc = MLOPS_OK, fallback = solver == MLOPS__SOLVER_LSTSQ ||
                                  (pb->l2 == 0 && (pb->intercept ? pb->n <= p : pb->n < p));
    double *xm = mlops__malloc_array(p, 4 * sizeof *xm, "feature means");
    double *G = fallback ? NULL : mlops__malloc_array(pp, 2 * sizeof *G, "Gram matrix");
    if (xm == NULL || (G == NULL && !fallback)) {
        mlops__free(xm);
        mlops__free(G);
        return MLOPS_ENOMEM;
    }
    /* kept unfactored for the objective: G0, c0, and G0*b */
    double *G0 = G ? G + pp : NULL, *c0 = xm + p, *gb = xm + 2 * p, yy = 0;
    double ym = 0;
    weighted_means(pb, xm, &ym);
    if (!fallback) {
        rc = gram(pb, xm, ym, G, coef, &yy);
        if (rc == MLOPS_OK) {
            memcpy(G0, G, pp * sizeof *G);
            memcpy(c0, coef, p * sizeof *coef);
            rc = cholesky(pb, G, coef, &fallback);
        }
        if (rc == MLOPS_OK && fallback)
            mlops__log(MLOPS_LOG_INFO, "linear_regression: the normal equations are singular "
                       "or ill-conditioned; solving by SVD least squares");
    }
    if (rc == MLOPS_OK && fallback) rc = lstsq(pb, xm, ym, coef);
    if (rc == MLOPS_OK) {
        double b0 = ym;
        for (size_t j = 0; j < p; j++) b0 -= xm[j] * coef[j];
        *intercept = pb->intercept ? b0 : 0.0;
        res->solver = fallback ? MLOPS__SOLVER_LSTSQ : MLOPS__SOLVER_CHOLESKY;
        res->iterations = 1;
        res->converged = true;
        /* With finite data and the singular cases handled, a coefficient
         * that is not finite means X^T y or the sums overflowed: no
         * objective, which mlops_model_fit reports naming the target. */
        bool finite = isfinite(*intercept);
        for (size_t j = 0; j < p; j++) finite = finite && isfinite(coef[j]);
        if (!finite) res->objective = res->grad_norm = INFINITY;
        else if (!fallback) objective_from_gram(pb, G0, c0, yy, coef, gb, res);
        else rc = objective(pb, coef, *intercept, res);
    }
    mlops__free(xm);
    mlops__free(G);
    return rc;
}
