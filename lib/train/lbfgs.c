/* L-BFGS with a strong-Wolfe line search (Nocedal & Wright, Numerical
 * Optimization, algorithms 7.4, 3.5 and 3.6), minimizing any smooth
 * objective given as value + gradient.
 *
 * Near the optimum the objective's changes fall below its rounding error
 * while the gradient is still above a tight tolerance; a step is then
 * accepted when it does not raise the value beyond rounding and shrinks the
 * gradient, so tight tolerances converge instead of stalling. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"
#include "train/problem.h"

/* Line-search evaluations per iteration, and iterations in a row without
 * a strict decrease (steps taken at the rounding floor) before giving up. */
enum { MAX_LINE_EVALS = 40, MAX_STALLS = 3 };
static const double C1 = 1e-4, C2 = 0.9;

typedef struct ls_point {
    double a, f, dphi;
    double *x, *g;
} ls_point;

typedef struct lsearch {
    const mlops__objective *obj;
    const double *x0, *d;
    double f0, dphi0;
    ls_point trial, lo, best; /* best: lowest value with sufficient decrease */
    int evals;
} lsearch;

static void copy_point(ls_point *to, const ls_point *from, size_t n)
{
    to->a = from->a;
    to->f = from->f;
    to->dphi = from->dphi;
    memcpy(to->x, from->x, n * sizeof *to->x);
    memcpy(to->g, from->g, n * sizeof *to->g);
}

/* Armijo's sufficient decrease, and a strict one: near the optimum
 * f0 + c1*a*dphi0 rounds to f0, and accepting f == f0 there would let the
 * search spin on steps that change nothing. */
static bool decreases(const lsearch *ls, double a, double f)
{
    return f <= ls->f0 + C1 * a * ls->dphi0 && f < ls->f0;
}

/* Evaluates at step a into ls->trial. */
static int probe(lsearch *ls, double a)
{
    size_t n = ls->obj->dim;
    for (size_t i = 0; i < n; i++) ls->trial.x[i] = ls->x0[i] + a * ls->d[i];
    int rc = ls->obj->eval(ls->obj->ctx, ls->trial.x, &ls->trial.f, ls->trial.g);
    if (rc != MLOPS_OK) return rc;
    ls->trial.a = a;
    ls->trial.dphi = mlops__dot(ls->trial.g, ls->d, n);
    if (!isfinite(ls->trial.f) || !isfinite(ls->trial.dphi)) ls->trial.f = INFINITY;
    ls->evals++;
    if (decreases(ls, a, ls->trial.f) && (ls->best.a == 0 || ls->trial.f < ls->best.f))
        copy_point(&ls->best, &ls->trial, n);
    return MLOPS_OK;
}

static bool wolfe_curvature(const lsearch *ls)
{
    return fabs(ls->trial.dphi) <= -C2 * ls->dphi0;
}

/* Minimizer of the cubic through (a,fa,da) and (b,fb,db), safeguarded into
 * the middle of the interval; bisection when it does not exist. */
static double interpolate(double a, double fa, double da, double b, double fb, double db)
{
    double lo = a < b ? a : b, hi = a < b ? b : a, w = hi - lo;
    double t = (a + b) / 2;
    if (isfinite(fb)) {
        double d1 = da + db - 3 * (fa - fb) / (a - b);
        double disc = d1 * d1 - da * db;
        if (disc >= 0) {
            double d2 = (b > a ? 1 : -1) * sqrt(disc);
            double den = db - da + 2 * d2;
            if (den != 0) t = b - (b - a) * (db + d2 - d1) / den;
        }
    }
    if (!(t >= lo + 0.1 * w && t <= hi - 0.1 * w)) t = (a + b) / 2;
    return t;
}

/* Zoom between lo (sufficient decrease, ls->lo) and hi. Returns 1 when a
 * strong-Wolfe point is in ls->trial, 0 when the interval collapsed. */
static int zoom(lsearch *ls, double hi_a, double hi_f, double hi_d)
{
    size_t n = ls->obj->dim;
    for (int it = 0; it < MAX_LINE_EVALS; it++) {
        double a = interpolate(ls->lo.a, ls->lo.f, ls->lo.dphi, hi_a, hi_f, hi_d);
        if (fabs(hi_a - ls->lo.a) <= DBL_EPSILON * fabs(ls->lo.a)) return 0;
        int rc = probe(ls, a);
        if (rc != MLOPS_OK) return rc;
        if (!decreases(ls, a, ls->trial.f) || ls->trial.f >= ls->lo.f) {
            hi_a = a;
            hi_f = ls->trial.f;
            hi_d = ls->trial.dphi;
        } else {
            if (wolfe_curvature(ls)) return 1;
            if (ls->trial.dphi * (hi_a - ls->lo.a) >= 0) {
                hi_a = ls->lo.a;
                hi_f = ls->lo.f;
                hi_d = ls->lo.dphi;
            }
            copy_point(&ls->lo, &ls->trial, n);
        }
    }
    return 0;
}

/* Strong-Wolfe search along d from x0. On success (1) the accepted point is
 * in ls->trial; 0 when no acceptable step was found (ls->best may still
 * hold a point of sufficient decrease). */
static int line_search(lsearch *ls, double a)
{
    size_t n = ls->obj->dim;
    ls->lo.a = 0;
    ls->lo.f = ls->f0;
    ls->lo.dphi = ls->dphi0;
    memcpy(ls->lo.x, ls->x0, n * sizeof *ls->lo.x);
    ls->best.a = 0;
    for (int it = 0; it < MAX_LINE_EVALS; it++) {
        int rc = probe(ls, a);
        if (rc != MLOPS_OK) return rc;
        if (!decreases(ls, a, ls->trial.f) || (it > 0 && ls->trial.f >= ls->lo.f))
            return zoom(ls, a, ls->trial.f, ls->trial.dphi);
        if (wolfe_curvature(ls)) return 1;
        if (ls->trial.dphi >= 0) {
            double lo_a = ls->lo.a, lo_f = ls->lo.f, lo_d = ls->lo.dphi;
            copy_point(&ls->lo, &ls->trial, n);
            return zoom(ls, lo_a, lo_f, lo_d);
        }
        copy_point(&ls->lo, &ls->trial, n);
        a *= 2;
        if (a > 1e10) return 0;
    }
    return 0;
}

typedef struct lbfgs_work {
    double *s, *y, *rho, *alpha; /* m pairs */
    double *d, *xt, *gt, *g;
    double *pts[6];              /* trial/lo/best x and g */
} lbfgs_work;

static void work_free(lbfgs_work *w)
{
    mlops__free(w->s);
    mlops__free(w->y);
    mlops__free(w->rho);
    mlops__free(w->alpha);
    mlops__free(w->d);
    mlops__free(w->g);
    for (int i = 0; i < 6; i++) mlops__free(w->pts[i]);
}

static int work_init(lbfgs_work *w, size_t n, size_t m)
{
    memset(w, 0, sizeof *w);
    size_t nm;
    if (!mlops__mul_size(n, m, &nm)) return mlops__fail(MLOPS_ENOMEM, "L-BFGS: size overflow");
    w->s = mlops__malloc_array(nm, sizeof *w->s, "L-BFGS pairs");
    w->y = mlops__malloc_array(nm, sizeof *w->y, "L-BFGS pairs");
    w->rho = mlops__malloc_array(m, sizeof *w->rho, "L-BFGS pairs");
    w->alpha = mlops__malloc_array(m, sizeof *w->alpha, "L-BFGS pairs");
    w->d = mlops__malloc_array(n, sizeof *w->d, "L-BFGS direction");
    w->g = mlops__malloc_array(n, sizeof *w->g, "L-BFGS gradient");
    bool ok = w->s && w->y && w->rho && w->alpha && w->d && w->g;
    for (int i = 0; i < 6 && ok; i++) {
        w->pts[i] = mlops__malloc_array(n, sizeof *w->pts[i], "L-BFGS line search");
        ok = w->pts[i] != NULL;
    }
    if (!ok) {
        work_free(w);
        return MLOPS_ENOMEM;
    }
    return MLOPS_OK;
}

/* d = -H*g by the two-loop recursion over the stored pairs, oldest first
 * in the ring at `head - count`. */
static void two_loop(const lbfgs_work *w, size_t n, size_t m, size_t head, size_t count,
                     double gamma, const double *g, double *d)
{
    for (size_t i = 0; i < n; i++) d[i] = -g[i];
    for (size_t c = 0; c < count; c++) {
        size_t k = (head + m - 1 - c) % m;
        w->alpha[k] = w->rho[k] * mlops__dot(w->s + k * n, d, n);
        const double *yk = w->y + k * n;
        for (size_t i = 0; i < n; i++) d[i] -= w->alpha[k] * yk[i];
    }
    for (size_t i = 0; i < n; i++) d[i] *= gamma;
    for (size_t c = count; c-- > 0;) {
        size_t k = (head + m - 1 - c) % m;
        double beta = w->rho[k] * mlops__dot(w->y + k * n, d, n);
        const double *sk = w->s + k * n;
        for (size_t i = 0; i < n; i++) d[i] += (w->alpha[k] - beta) * sk[i];
    }
}

int mlops__lbfgs(const mlops__objective *obj, const mlops__solve_opts *o, double *x,
                 mlops__solve_result *res)
{
    size_t n = obj->dim, m = o->memory ? o->memory : 10;
    /* keep the pairs under 256 MiB */
    size_t cap = ((size_t)256 << 20) / (16 * (n ? n : 1));
    if (m > cap) m = cap > 5 ? cap : 5;
    lbfgs_work w;
    int rc = work_init(&w, n, m);
    if (rc != MLOPS_OK) return rc;
    lsearch ls = {.obj = obj, .x0 = x, .d = w.d};
    ls.trial.x = w.pts[0];
    ls.trial.g = w.pts[1];
    ls.lo.x = w.pts[2];
    ls.lo.g = w.pts[3];
    ls.best.x = w.pts[4];
    ls.best.g = w.pts[5];

    double f = 0;
    rc = obj->eval(obj->ctx, x, &f, w.g);
    memset(res, 0, sizeof *res);
    if (rc == MLOPS_OK && !isfinite(f))
        rc = mlops__fail(MLOPS_ENUMERIC, "L-BFGS: the objective is not finite at the start");
    double gn = mlops__max_abs(w.g, n);
    size_t head = 0, count = 0;
    double gamma = 1;
    uint32_t it = 0, stalls = 0;
    bool converged = rc == MLOPS_OK && gn <= o->tol;
    while (rc == MLOPS_OK && !converged && it < o->max_iter) {
        if (stalls >= MAX_STALLS) {
            mlops__log(MLOPS_LOG_INFO, "L-BFGS: the objective has not decreased for %u "
                       "iterations (max |gradient| %.3g): the tolerance is below the "
                       "attainable precision", (unsigned)stalls, gn);
            break;
        }
        two_loop(&w, n, m, head, count, gamma, w.g, w.d);
        double dphi = mlops__dot(w.g, w.d, n);
        if (!(dphi < 0)) { /* not a descent direction: restart from -g */
            count = 0;
            gamma = 1;
            for (size_t i = 0; i < n; i++) w.d[i] = -w.g[i];
            dphi = mlops__dot(w.g, w.d, n);
        }
        double a0 = 1;
        if (count == 0) {
            double gl2 = sqrt(mlops__dot(w.g, w.g, n));
            a0 = gl2 > 1 ? 1 / gl2 : 1;
        }
        ls.f0 = f;
        ls.dphi0 = dphi;
        int found = line_search(&ls, a0);
        if (found < 0) {
            rc = found;
            break;
        }
        const ls_point *acc = found ? &ls.trial : NULL;
        if (acc == NULL && ls.best.a > 0) acc = &ls.best;
        if (acc == NULL) {
            /* Rounding floor: take the unit step when it shrinks the
             * gradient without raising the value beyond rounding. */
            rc = probe(&ls, 1.0);
            if (rc != MLOPS_OK) break;
            double gt = mlops__max_abs(ls.trial.g, n);
            if (ls.trial.f <= f + 8 * DBL_EPSILON * fabs(f) && gt < gn) acc = &ls.trial;
        }
        if (acc == NULL) {
            if (count > 0) { /* retry once from steepest descent */
                count = 0;
                gamma = 1;
                continue;
            }
            mlops__log(MLOPS_LOG_INFO, "L-BFGS: no step decreases the objective at iteration "
                       "%u (max |gradient| %.3g): the tolerance is below the attainable "
                       "precision", (unsigned)it, gn);
            break;
        }
        /* The pair goes into the ring only when it keeps H positive
         * definite; until then it must not overwrite the oldest pair. */
        double sy = 0, yy = 0;
        for (size_t i = 0; i < n; i++) {
            double si = acc->x[i] - x[i], yi = acc->g[i] - w.g[i];
            sy += si * yi;
            yy += yi * yi;
        }
        if (sy > DBL_EPSILON * yy && yy > 0) {
            double *sk = w.s + head * n, *yk = w.y + head * n;
            for (size_t i = 0; i < n; i++) {
                sk[i] = acc->x[i] - x[i];
                yk[i] = acc->g[i] - w.g[i];
            }
            w.rho[head] = 1 / sy;
            gamma = sy / yy;
            head = (head + 1) % m;
            if (count < m) count++;
        }
        stalls = acc->f < f ? 0 : stalls + 1;
        memcpy(x, acc->x, n * sizeof *x);
        memcpy(w.g, acc->g, n * sizeof *w.g);
        f = acc->f;
        gn = mlops__max_abs(w.g, n);
        it++;
        converged = gn <= o->tol;
        mlops__log(MLOPS_LOG_DEBUG, "L-BFGS iteration %u: objective %.17g, max |gradient| %.3g, "
                   "step %.3g, %d evaluations so far", (unsigned)it, f, gn, acc->a, ls.evals);
        rc = mlops__progress(o->progress, o->progress_ud, it, o->max_iter, "model fit");
    }
    res->iterations = it;
    res->converged = converged;
    res->objective = f;
    res->grad_norm = gn;
    work_free(&w);
    return rc;
}
