/* Logistic regression's objective for the optimizers: the weighted mean
 * cross-entropy plus (l2/2)*||coef||^2, its gradient and Hessian-vector
 * products, for one output (binary: the log-odds of class 1) or one output
 * per class (true multinomial softmax).
 *
 * The heavy work is two matrix products per evaluation (scores X*C and the
 * gradient X^T*R) through BLAS; the per-row work between them is written
 * column by column so it vectorizes. Scores are kept after each evaluation
 * so Newton's Hessian-vector products reuse the probabilities. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "train/blas.h"
#include "train/model_impl.h"
#include "train/problem.h"

typedef struct logloss {
    const mlops__problem *pb;
    size_t nout;
    double *z;    /* n x nout scores, then probabilities (column-major) */
    double *r;    /* n x nout weighted residuals / Hv work */
    double *rw;   /* per-row weight / wsum */
    double *tmp;  /* n: per-row scratch */
} logloss;

size_t mlops__logistic_outputs(const mlops__problem *pb)
{
    return pb->k == 2 ? 1 : pb->k;
}

/* log(1 + exp(z)) without overflow. */
static double softplus(double z)
{
    return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

/* Rows are processed in blocks so the per-row work (softmax, residuals)
 * runs on scores still in cache. Blocks are large: OpenBLAS's per-call cost
 * (thread start, packing) outweighs any reuse of a cache-sized block of X
 * (measured on Fashion-MNIST: 167-row blocks cost 20% more than whole
 * passes). The size is fixed, so results are deterministic. */
static size_t block_rows(const mlops__problem *pb)
{
    (void)pb;
    return (size_t)1 << 16;
}

/* Z[r0:r1] = X[r0:r1] * C (+ intercepts), Z column-major with ld n. */
static void scores(const logloss *L, const double *theta, double *z, size_t r0, size_t r1)
{
    const mlops__problem *pb = L->pb;
    int n = (int)pb->n, p = (int)pb->p, k = (int)L->nout, rows = (int)(r1 - r0);
    if (k == 1)
        cblas_dgemv(CblasColMajor, CblasNoTrans, rows, p, 1.0, pb->x + r0, n, theta, 1, 0.0,
                    z + r0, 1);
    else
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, rows, k, p, 1.0, pb->x + r0, n,
                    theta, p, 0.0, z + r0, n);
    if (pb->intercept) {
        const double *b = theta + L->nout * pb->p;
        for (size_t o = 0; o < L->nout; o++) {
            double *zo = z + o * pb->n, bo = b[o];
            for (size_t i = r0; i < r1; i++) zo[i] += bo;
        }
    }
}

/* g[coef] (+)= X[r0:r1]^T R[r0:r1]. */
static void accumulate(const logloss *L, const double *R, size_t r0, size_t r1, double *g)
{
    const mlops__problem *pb = L->pb;
    int n = (int)pb->n, p = (int)pb->p, k = (int)L->nout, rows = (int)(r1 - r0);
    double beta = r0 == 0 ? 0.0 : 1.0;
    if (k == 1)
        cblas_dgemv(CblasColMajor, CblasTrans, rows, p, 1.0, pb->x + r0, n, R + r0, 1, beta, g,
                    1);
    else
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, p, k, rows, 1.0, pb->x + r0, n,
                    R + r0, n, beta, g, p);
}

/* Adds l2*theta to the coefficient part and the column sums of R as the
 * intercept part. */
static void finish_gradient(const logloss *L, const double *theta, const double *R, double *g)
{
    const mlops__problem *pb = L->pb;
    size_t nc = L->nout * pb->p;
    if (pb->l2 != 0)
        for (size_t j = 0; j < nc; j++) g[j] += pb->l2 * theta[j];
    for (size_t o = 0; o < L->nout; o++) {
        double s = 0;
        if (pb->intercept) {
            const double *ro = R + o * pb->n;
            for (size_t i = 0; i < pb->n; i++) s += ro[i];
        }
        g[nc + o] = s;
    }
}

static double penalty(const logloss *L, const double *theta)
{
    if (L->pb->l2 == 0) return 0;
    size_t nc = L->nout * L->pb->p;
    double s = 0;
    for (size_t j = 0; j < nc; j++) s += theta[j] * theta[j];
    return 0.5 * L->pb->l2 * s;
}

static double rows_binary(logloss *L, size_t r0, size_t r1)
{
    const mlops__problem *pb = L->pb;
    double loss = 0;
    for (size_t i = r0; i < r1; i++) {
        double z = L->z[i], yi = pb->cls[i] == 1 ? 1.0 : 0.0;
        loss += L->rw[i] * (softplus(z) - yi * z);
        double pr = mlops__sigmoid(z);
        L->z[i] = pr;
        L->r[i] = L->rw[i] * (pr - yi);
    }
    return loss;
}

static double rows_multinomial(logloss *L, size_t r0, size_t r1)
{
    const mlops__problem *pb = L->pb;
    size_t n = pb->n, k = L->nout;
    double *mx = L->tmp, *sum = L->r; /* r's first column holds row sums for a while */
    for (size_t i = r0; i < r1; i++) mx[i] = L->z[i];
    for (size_t o = 1; o < k; o++) {
        const double *zo = L->z + o * n;
        for (size_t i = r0; i < r1; i++) mx[i] = zo[i] > mx[i] ? zo[i] : mx[i];
    }
    /* -log p_y = log(sum_k exp(z_k - max)) - (z_y - max); the second term
     * is taken before exponentiating so it never underflows. */
    double loss = 0;
    for (size_t i = r0; i < r1; i++)
        loss -= L->rw[i] * (L->z[(size_t)pb->cls[i] * n + i] - mx[i]);
    for (size_t i = r0; i < r1; i++) sum[i] = 0;
    for (size_t o = 0; o < k; o++) {
        double *zo = L->z + o * n;
        for (size_t i = r0; i < r1; i++) {
            zo[i] = exp(zo[i] - mx[i]);
            sum[i] += zo[i];
        }
    }
    for (size_t i = r0; i < r1; i++) {
        loss += L->rw[i] * log(sum[i]);
        mx[i] = 1.0 / sum[i];
    }
    for (size_t o = 0; o < k; o++) {
        double *zo = L->z + o * n, *ro = L->r + o * n;
        for (size_t i = r0; i < r1; i++) {
            zo[i] *= mx[i];
            ro[i] = L->rw[i] * (zo[i] - (pb->cls[i] == (int32_t)o ? 1.0 : 0.0));
        }
    }
    return loss;
}

static int loss_eval(void *ctx, const double *theta, double *f, double *g)
{
    logloss *L = ctx;
    size_t n = L->pb->n, step = block_rows(L->pb);
    double loss = 0;
    for (size_t r0 = 0; r0 < n; r0 += step) {
        size_t r1 = n - r0 < step ? n : r0 + step;
        scores(L, theta, L->z, r0, r1);
        loss += L->nout == 1 ? rows_binary(L, r0, r1) : rows_multinomial(L, r0, r1);
        accumulate(L, L->r, r0, r1, g);
    }
    *f = loss + penalty(L, theta);
    finish_gradient(L, theta, L->r, g);
    return MLOPS_OK;
}

/* H*v at the last evaluated point: with U = X*V (+ v_b), row terms
 * binary d_i*u_i with d_i = rw_i*p_i*(1-p_i), multinomial
 * rw_i*p_ik*(u_ik - sum_l p_il*u_il). */
static int loss_hvp(void *ctx, const double *v, double *hv)
{
    logloss *L = ctx;
    const mlops__problem *pb = L->pb;
    size_t n = pb->n, k = L->nout, step = block_rows(pb);
    double *u = L->r;
    for (size_t r0 = 0; r0 < n; r0 += step) {
        size_t r1 = n - r0 < step ? n : r0 + step;
        scores(L, v, u, r0, r1);
        if (k == 1) {
            for (size_t i = r0; i < r1; i++) {
                double pr = L->z[i];
                u[i] *= L->rw[i] * pr * (1 - pr);
            }
        } else {
            double *dot = L->tmp;
            for (size_t i = r0; i < r1; i++) dot[i] = 0;
            for (size_t o = 0; o < k; o++) {
                const double *po = L->z + o * n, *uo = u + o * n;
                for (size_t i = r0; i < r1; i++) dot[i] += po[i] * uo[i];
            }
            for (size_t o = 0; o < k; o++) {
                const double *po = L->z + o * n;
                double *uo = u + o * n;
                for (size_t i = r0; i < r1; i++) uo[i] = L->rw[i] * po[i] * (uo[i] - dot[i]);
            }
        }
        accumulate(L, u, r0, r1, hv);
    }
    finish_gradient(L, v, u, hv);
    return MLOPS_OK;
}

/* Rows per dsyrk update of the Hessian: the scaled copy takes up to
 * 32 MiB, so each OpenBLAS call has enough work to outweigh its fixed cost
 * (4096-row updates made the Hessian dominate on 1,000,000 x 50). */
static size_t hessian_rows(size_t p)
{
    size_t rows = ((size_t)32 << 20) / (8 * (p + 1));
    return rows < 4096 ? 4096 : rows;
}

/* Binary Hessian [X^T D X + l2*I, X^T d; d^T X, sum d] with d_i =
 * rw_i*p_i*(1-p_i), built block by block: rows scaled by sqrt(d_i) go
 * through dsyrk, the intercept column through dgemv. */
static int loss_hessian(void *ctx, double *h)
{
    logloss *L = ctx;
    const mlops__problem *pb = L->pb;
    size_t n = pb->n, p = pb->p, dim = p + 1, step = hessian_rows(p);
    size_t cap = n < step ? n : step;
    double *xb = mlops__malloc_array(cap, (p + 1) * sizeof *xb, "Hessian block");
    if (xb == NULL) return MLOPS_ENOMEM;
    double *dv = xb + cap * p, dsum = 0;
    memset(h, 0, dim * dim * sizeof *h);
    for (size_t r0 = 0; r0 < n; r0 += cap) {
        size_t rows = n - r0 < cap ? n - r0 : cap;
        for (size_t i = 0; i < rows; i++) {
            double pr = L->z[r0 + i];
            dv[i] = L->rw[r0 + i] * pr * (1 - pr);
            dsum += dv[i];
        }
        for (size_t j = 0; j < p; j++) {
            const double *col = pb->x + j * n + r0;
            double *dst = xb + j * rows;
            for (size_t i = 0; i < rows; i++) dst[i] = col[i] * sqrt(dv[i]);
        }
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)p, (int)rows, 1.0, xb,
                    (int)rows, 1.0, h, (int)dim);
        /* X^T d = (sqrt(d) X)^T sqrt(d) */
        for (size_t i = 0; i < rows; i++) dv[i] = sqrt(dv[i]);
        cblas_dgemv(CblasColMajor, CblasTrans, (int)rows, (int)p, 1.0, xb, (int)rows, dv, 1, 1.0,
                    h + p * dim, 1);
    }
    mlops__free(xb);
    for (size_t j = 0; j < p; j++) h[j * dim + j] += pb->l2;
    if (pb->intercept) {
        h[p * dim + p] = dsum;
    } else { /* the intercept stays 0: a unit pivot decouples it */
        memset(h + p * dim, 0, p * sizeof *h);
        h[p * dim + p] = 1;
    }
    return MLOPS_OK;
}

static void logloss_free(logloss *L)
{
    mlops__free(L->z);
    mlops__free(L->r);
    mlops__free(L->rw);
    mlops__free(L->tmp);
}

static int logloss_init(logloss *L, const mlops__problem *pb)
{
    memset(L, 0, sizeof *L);
    L->pb = pb;
    L->nout = mlops__logistic_outputs(pb);
    size_t nk;
    if (!mlops__mul_size(pb->n, L->nout, &nk) || pb->n > MLOPS__BLAS_INT_MAX ||
        pb->p > MLOPS__BLAS_INT_MAX || nk > MLOPS__BLAS_INT_MAX)
        return mlops__fail(MLOPS_ENOMEM, "logistic regression: %zu rows x %zu outputs exceed "
                           "the BLAS size limit", pb->n, L->nout);
    L->z = mlops__malloc_array(nk, sizeof *L->z, "logistic scores");
    L->r = mlops__malloc_array(nk, sizeof *L->r, "logistic residuals");
    L->rw = mlops__malloc_array(pb->n, sizeof *L->rw, "logistic row weights");
    L->tmp = mlops__malloc_array(pb->n, sizeof *L->tmp, "logistic scratch");
    if (L->z == NULL || L->r == NULL || L->rw == NULL || L->tmp == NULL) {
        logloss_free(L);
        return MLOPS_ENOMEM;
    }
    for (size_t i = 0; i < pb->n; i++) L->rw[i] = (pb->w ? pb->w[i] : 1.0) / pb->wsum;
    return MLOPS_OK;
}

int mlops__logistic_solve(const mlops__problem *pb, int solver, const mlops__solve_opts *o,
                          double *theta, mlops__solve_result *res)
{
    logloss L;
    int rc = logloss_init(&L, pb);
    if (rc != MLOPS_OK) return rc;
    size_t dim = L.nout * (pb->p + 1);
    if (!pb->intercept)
        for (size_t j = L.nout * pb->p; j < dim; j++) theta[j] = 0;
    mlops__objective obj = {dim, &L, loss_eval, loss_hvp, L.nout == 1 ? loss_hessian : NULL};
    if (solver == MLOPS__SOLVER_AUTO)
        solver = dim <= 1000 ? MLOPS__SOLVER_NEWTON : MLOPS__SOLVER_LBFGS;
    rc = solver == MLOPS__SOLVER_NEWTON ? mlops__newton_cg(&obj, o, theta, res)
                                        : mlops__lbfgs(&obj, o, theta, res);
    res->solver = solver;
    logloss_free(&L);
    return rc;
}
