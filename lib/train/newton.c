/* Newton's method: each step solves H*d = -g, exactly by Cholesky when the
 * objective can form its Hessian and the parameters are few, otherwise
 * approximately by conjugate gradients on Hessian-vector products
 * (truncated Newton), then backtracks along d.
 * Quadratic convergence near the optimum makes it the solver of choice
 * when tight tolerances and few parameters meet (the reference tests fit
 * to 1e-10); products cost about one gradient each, so no p x p Hessian is
 * ever formed. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"
#include "train/blas.h"
#include "train/problem.h"

/* Exact Newton steps (Hessian by dsyrk, Cholesky) up to this many
 * parameters: forming the Hessian costs one pass over the data, fewer than
 * the several Hessian products of a CG solve. */
/* Steps in a row without a strict decrease (at the rounding floor) end the
 * iteration. */
enum { MAX_BACKTRACK = 60, MAX_CG = 250, DENSE_MAX = 512, MAX_STALLS = 3 };

/* Approximately solves H*d = -g; the forcing term min(0.5, sqrt|g|)*|g|
 * gives superlinear convergence (Nocedal & Wright, algorithm 7.1). */
static int conjugate_gradient(const mlops__objective *obj, const double *g, double *d, double *r,
                              double *p, double *hp, size_t *steps)
{
    size_t n = obj->dim;
    double gnorm = sqrt(mlops__dot(g, g, n));
    double eps = (gnorm < 0.25 ? sqrt(gnorm) : 0.5) * gnorm;
    memset(d, 0, n * sizeof *d);
    for (size_t i = 0; i < n; i++) r[i] = p[i] = -g[i];
    double rr = mlops__dot(r, r, n);
    size_t limit = n < MAX_CG ? (n < 10 ? 10 : n) : MAX_CG;
    *steps = 0;
    for (size_t it = 0; it < limit; it++) {
        *steps = it + 1;
        int rc = obj->hvp(obj->ctx, p, hp);
        if (rc != MLOPS_OK) return rc;
        double php = mlops__dot(p, hp, n);
        if (!(php > DBL_EPSILON * rr)) { /* flat or negative curvature */
            if (it == 0) memcpy(d, r, n * sizeof *d);
            break;
        }
        double alpha = rr / php;
        for (size_t i = 0; i < n; i++) {
            d[i] += alpha * p[i];
            r[i] -= alpha * hp[i];
        }
        double rr_new = mlops__dot(r, r, n);
        if (sqrt(rr_new) <= eps) break;
        double beta = rr_new / rr;
        for (size_t i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
        rr = rr_new;
    }
    return MLOPS_OK;
}

/* The exact Newton direction from the full Hessian by Cholesky; returns 1
 * when the Hessian is not numerically positive definite (then CG is
 * used). */
static int dense_direction(const mlops__objective *obj, double *h, const double *g, double *d,
                           int *failed)
{
    int rc = obj->hessian(obj->ctx, h);
    if (rc != MLOPS_OK) return rc;
    int n = (int)obj->dim, info = 0, one = 1;
    dpotrf_("U", &n, h, &n, &info, 1);
    *failed = info != 0;
    if (*failed) return MLOPS_OK;
    for (int i = 0; i < n; i++) d[i] = -g[i];
    dpotrs_("U", &n, &one, h, &n, d, &n, &info, 1);
    *failed = info != 0;
    return MLOPS_OK;
}

int mlops__newton_cg(const mlops__objective *obj, const mlops__solve_opts *o, double *x,
                     mlops__solve_result *res)
{
    size_t n = obj->dim;
    double *buf = mlops__malloc_array(n, 6 * sizeof *buf, "Newton work");
    if (buf == NULL) return MLOPS_ENOMEM;
    double *g = buf, *d = buf + n, *r = buf + 2 * n, *p = buf + 3 * n, *xt = buf + 4 * n,
           *gt = buf + 5 * n;
    double *h = NULL;
    if (obj->hessian != NULL && n <= DENSE_MAX) {
        h = mlops__malloc_array(n * n, sizeof *h, "Newton Hessian");
        if (h == NULL) {
            mlops__free(buf);
            return MLOPS_ENOMEM;
        }
    }
    memset(res, 0, sizeof *res);
    double f = 0;
    int rc = obj->eval(obj->ctx, x, &f, g);
    if (rc == MLOPS_OK && !isfinite(f))
        rc = mlops__fail(MLOPS_ENUMERIC, "Newton: the objective is not finite at the start");
    double gn = mlops__max_abs(g, n);
    uint32_t it = 0, stalls = 0;
    bool converged = rc == MLOPS_OK && gn <= o->tol;
    while (rc == MLOPS_OK && !converged && it < o->max_iter && stalls < MAX_STALLS) {
        size_t cg = 0;
        int dense_failed = 1;
        if (h != NULL) rc = dense_direction(obj, h, g, d, &dense_failed);
        if (rc == MLOPS_OK && dense_failed) rc = conjugate_gradient(obj, g, d, r, p, xt, &cg);
        if (rc != MLOPS_OK) break;
        double dphi = mlops__dot(g, d, n);
        if (!(dphi < 0)) {
            for (size_t i = 0; i < n; i++) d[i] = -g[i];
            dphi = -mlops__dot(g, g, n);
        }
        /* The last evaluation must be at the accepted point: Hessian
         * products use the state it leaves behind. */
        bool accepted = false;
        double t = 1, ft = 0;
        for (int k = 0; k < MAX_BACKTRACK && !accepted; k++, t *= 0.5) {
            for (size_t i = 0; i < n; i++) xt[i] = x[i] + t * d[i];
            rc = obj->eval(obj->ctx, xt, &ft, gt);
            if (rc != MLOPS_OK) break;
            if (!isfinite(ft)) continue;
            double gtn = mlops__max_abs(gt, n);
            accepted = ft <= f + 1e-4 * t * dphi ||
                       (ft <= f + 8 * DBL_EPSILON * fabs(f) && gtn < gn);
        }
        if (rc != MLOPS_OK) break;
        if (!accepted) {
            /* restore the state at x for the caller */
            rc = obj->eval(obj->ctx, x, &f, g);
            mlops__log(MLOPS_LOG_INFO, "Newton: no step decreases the objective at iteration "
                       "%u (max |gradient| %.3g): the tolerance is below the attainable "
                       "precision", (unsigned)it, gn);
            break;
        }
        stalls = ft < f ? 0 : stalls + 1;
        memcpy(x, xt, n * sizeof *x);
        memcpy(g, gt, n * sizeof *g);
        f = ft;
        gn = mlops__max_abs(g, n);
        it++;
        converged = gn <= o->tol;
        mlops__log(MLOPS_LOG_DEBUG, "Newton iteration %u: objective %.17g, max |gradient| %.3g, "
                   "step %.3g, %zu conjugate-gradient steps", (unsigned)it, f, gn, t * 2, cg);
        rc = mlops__progress(o->progress, o->progress_ud, it, o->max_iter, "model fit");
    }
    res->iterations = it;
    res->converged = converged;
    res->objective = f;
    res->grad_norm = gn;
    mlops__free(buf);
    mlops__free(h);
    return rc;
}
