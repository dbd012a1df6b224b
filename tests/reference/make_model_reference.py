#!/usr/bin/python3
"""Reference answers for mlops_model, from scikit-learn and NumPy.

Each case fits one libmlops model on a real dataset (tests/data/real) and
records what scikit-learn finds for the same objective, as C arrays in
tests/train/model_reference.h, read by tests/train/test_model_reference.c.

libmlops minimizes, with W the sum of the sample weights (n when unweighted)
and the intercepts never penalized,

    linear_regression    (1/(2W)) sum_i w_i (y_i - x_i.b - b0)^2 + (l2/2)||b||^2
    logistic_regression  (1/W) sum_i w_i crossentropy_i + (l2/2)||B||^2

(binary: one output, the log-odds of the second class; more classes: a true
multinomial softmax with one output per class). Multiplying through shows the
same minimizers as

    sklearn.linear_model.Ridge(alpha = l2 * W, solver="cholesky")
    sklearn.linear_model.LinearRegression()             (l2 = 0)
    sklearn.linear_model.LogisticRegression(C = 1 / (l2 * W))

all fitted with sample_weight = the final row weights. class_weight=balanced
multiplies row i's weight by n / (K * count_k) (counts unweighted, as
sklearn.utils.class_weight.compute_class_weight), and W is then the sum of the
final weights. Logistic cases use Newton solvers run to a tiny tolerance
(newton-cholesky for binary problems, newton-cg for multinomial ones, which
is what scikit-learn 1.2 offers: lbfgs stops early on its ftol test). For
every case this script prints the largest absolute gradient entry of the
normalized objective above at scikit-learn's solution, and the size of the
Newton step from there (the distance to the true optimum to first order),
and refuses to write the header unless the step is below 1e-8 (logistic)
or 1e-11 (least squares) of the largest coefficient, 100 times tighter than
the C test's tolerances: the numbers are the optimum, not one solver's
rough approximation of it.

Features: the logistic cases standardize every feature column first
(libmlops transform step "standardize" on "*": population std, exactly
sklearn.preprocessing.StandardScaler), so their coefficients are in
standardized units; the regression cases use the raw columns. Raw-unit
coefficients are coef / scale_ with the intercept absorbing -coef * mean_ /
scale_; "standardized" coefficients are the raw ones times the population
standard deviation of the raw column.

Multinomial intercepts are only defined up to a common constant (adding one
to every class's intercept changes no probability and no penalty), so they
are written centred (mean over classes 0); the C test centres the library's
before comparing. Multinomial coefficients are unique (the penalty makes
each feature's coefficients sum to 0 over the classes).

Weighted cases use w_i = 1 + (i % 4) / 2 (row i counted from 0), which the
test adds to the dataset as a column named "weight" with role weight.

The collinear case duplicates column bmi of diabetes as a last feature
column "bmi_copy" and fits least squares (l2 = 0): the normal equations are
singular, and the answer is the minimum-norm solution, numpy.linalg.lstsq on
the centered data (intercept = mean(y) - mean(X).b), which splits the bmi
coefficient equally between the two copies.

Predictions are for the first 10 rows: probabilities and decision values for
classifiers (multinomial decision values with the centred intercepts),
predicted values for regressions.

Rerun (from the repository root):

    /usr/bin/python3 tests/reference/make_model_reference.py

The committed header was made with scikit-learn 1.2.1, numpy 1.24.2,
scipy 1.10.1 and pandas 1.5.3 (Debian python3-sklearn, python3-numpy,
python3-scipy, python3-pandas).
"""
import os
import sys
import warnings

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy.special import expit, softmax
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.normpath(os.path.join(HERE, "..", "data", "real"))
OUT = os.path.normpath(os.path.join(HERE, "..", "train", "model_reference.h"))

PRED_ROWS = 10

# (name, dataset, target, kind, l2, options)
CASES = [
    ("breast_cancer_l2_1e-2", "breast_cancer", "target", "logistic_regression", 1e-2, {}),
    ("breast_cancer_l2_1e-4", "breast_cancer", "target", "logistic_regression", 1e-4, {}),
    ("breast_cancer_weighted", "breast_cancer", "target", "logistic_regression", 1e-2,
     {"weighted": True}),
    ("iris_l2_1e-2", "iris", "species", "logistic_regression", 1e-2, {}),
    ("wine_l2_1e-2", "wine", "target", "logistic_regression", 1e-2, {}),
    ("wine_balanced", "wine", "target", "logistic_regression", 1e-2, {"balanced": True}),
    ("diabetes_ridge", "diabetes", "target", "linear_regression", 0.1, {}),
    ("diabetes_ols", "diabetes", "target", "linear_regression", 0.0, {}),
    ("diabetes_ridge_weighted", "diabetes", "target", "linear_regression", 0.1,
     {"weighted": True}),
    ("diabetes_collinear", "diabetes", "target", "linear_regression", 0.0,
     {"duplicate": "bmi"}),
]


def row_weights(n):
    i = np.arange(n)
    return 1.0 + (i % 4) / 2.0


def logistic_parts(X, yidx, w, coef, b, l2, K):
    """Objective, gradient and Hessian of the normalized logistic objective
    in the flat parameter vector [coef rows..., intercepts]."""
    n, p = X.shape
    W = w.sum()
    A = np.hstack([X, np.ones((n, 1))])
    if K == 2:
        theta = np.r_[coef[0], b[0]]
        z = A @ theta
        pr = expit(z)
        # log(1 + e^z) - y z, computed without overflow
        ce = np.logaddexp(0.0, z) - yidx * z
        obj = (w * ce).sum() / W + 0.5 * l2 * (coef[0] ** 2).sum()
        g = A.T @ (w * (pr - yidx)) / W
        g[:p] += l2 * coef[0]
        H = (A.T * (w * pr * (1 - pr))) @ A / W
        H[:p, :p] += l2 * np.eye(p)
        return obj, g, H, None
    Z = X @ coef.T + b
    P = softmax(Z, axis=1)
    Y = np.eye(K)[yidx]
    lse = np.log(np.exp(Z - Z.max(1, keepdims=True)).sum(1)) + Z.max(1)
    ce = lse - (Z * Y).sum(1)
    obj = (w * ce).sum() / W + 0.5 * l2 * (coef ** 2).sum()
    R = w[:, None] * (P - Y) / W
    # parameters ordered class by class: [coef_k (p), intercept_k]
    g = np.concatenate([np.r_[R[:, k] @ X + l2 * coef[k], R[:, k].sum()] for k in range(K)])
    d = K * (p + 1)
    H = np.zeros((d, d))
    for k in range(K):
        for m in range(K):
            s = w * P[:, k] * ((k == m) - P[:, m]) / W
            H[k * (p + 1):(k + 1) * (p + 1), m * (p + 1):(m + 1) * (p + 1)] = (A.T * s) @ A
        H[k * (p + 1):k * (p + 1) + p, k * (p + 1):k * (p + 1) + p] += l2 * np.eye(p)
    # the common intercept shift: a null direction of H and of g
    null = np.zeros(d)
    null[p::p + 1] = 1.0 / np.sqrt(K)
    return obj, g, H, null


def newton_step(g, H, null):
    if null is not None:
        H = H + np.outer(null, null)  # pin the free shift without moving along it
    return np.linalg.solve(H, g)


def fit_logistic(X, y, w, l2, K):
    W = w.sum()
    solver = "newton-cholesky" if K == 2 else "newton-cg"
    # newton-cg's own test is on its unnormalized gradient and never gets
    # below rounding noise at 1e-12; 1e-8 there is about 1e-11 here.
    tol = 1e-14 if K == 2 else 1e-8
    est = LogisticRegression(C=1.0 / (l2 * W), tol=tol, max_iter=10000, solver=solver)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning must not pass
        est.fit(X, y, sample_weight=w)
    return est


def num(v):
    v = float(v)
    if not np.isfinite(v):
        raise ValueError("non-finite reference value")
    return "%.17g" % v


def c_array(name, values, per_line=3):
    values = list(np.asarray(values, dtype=float).ravel())
    lines = []
    for i in range(0, len(values), per_line):
        lines.append("    " + ", ".join(num(v) for v in values[i:i + per_line]) + ",")
    return "static const double %s[%d] = {\n%s\n};" % (name, len(values), "\n".join(lines))


def c_ident(name):
    return "".join(c if c.isalnum() else "_" for c in name)


def make_case(name, dataset, target, kind, l2, opts, out, report):
    df = pd.read_csv(os.path.join(REAL, dataset + ".csv"))
    n = len(df)
    feat = df.drop(columns=[target])
    if "duplicate" in opts:
        feat[opts["duplicate"] + "_copy"] = feat[opts["duplicate"]]
    names = list(feat.columns)
    raw = feat.to_numpy(dtype=float)
    w = row_weights(n) if opts.get("weighted") else np.ones(n)
    ident = c_ident(name)
    info = {}

    if kind == "logistic_regression":
        scaler = StandardScaler().fit(raw)
        X = scaler.transform(raw)
        mean, scale = scaler.mean_, scaler.scale_
        yv = df[target].to_numpy()
        # byte order of label text / ascending numbers: what np.unique gives
        # for both (ASCII labels)
        classes = np.unique(yv)
        yidx = np.searchsorted(classes, yv)
        K = len(classes)
        if opts.get("balanced"):
            counts = np.bincount(yidx, minlength=K)
            w = w * (n / (K * counts))[yidx]
        est = fit_logistic(X, yv, w, l2, K)
        coef = est.coef_.copy()
        icpt = est.intercept_.copy()
        if K > 2:
            icpt -= icpt.mean()
        obj, g, H, null = logistic_parts(X, yidx, w, coef, icpt, l2, K)
        step = newton_step(g, H, null)
        info["solver"] = "%s n_iter %d" % (est.solver, est.n_iter_[0])
        proba = est.predict_proba(X[:PRED_ROWS])
        dec = est.decision_function(X[:PRED_ROWS])
        if K > 2:
            dec = X[:PRED_ROWS] @ coef.T + icpt  # with the centred intercepts
            assert np.allclose(dec, est.decision_function(X[:PRED_ROWS]), rtol=0, atol=1e-12)
        labels = [str(c) for c in classes]
        outputs = coef.shape[0]
    else:
        X = raw
        mean, scale = np.zeros(raw.shape[1]), np.ones(raw.shape[1])
        yv = df[target].to_numpy(dtype=float)
        W = w.sum()
        if "duplicate" in opts:
            xm = X.mean(0)
            ym = yv.mean()
            sol, _, rank, _ = np.linalg.lstsq(X - xm, yv - ym, rcond=None)
            coef = sol[None, :]
            icpt = np.array([ym - xm @ sol])
            info["solver"] = "numpy.linalg.lstsq on centered data, rank %d of %d" % (
                rank, X.shape[1])
            pred = X[:PRED_ROWS] @ sol + icpt[0]
        else:
            if l2 > 0:
                est = Ridge(alpha=l2 * W, solver="cholesky", tol=1e-15)
            else:
                est = LinearRegression()
            est.fit(X, yv, sample_weight=w)
            coef = est.coef_[None, :].copy()
            icpt = np.array([est.intercept_])
            info["solver"] = type(est).__name__
            pred = est.predict(X[:PRED_ROWS])
        r = yv - X @ coef[0] - icpt[0]
        obj = 0.5 * (w * r * r).sum() / W + 0.5 * l2 * (coef[0] ** 2).sum()
        A = np.hstack([X, np.ones((n, 1))])
        g = -(A.T @ (w * r)) / W
        g[:-1] += l2 * coef[0]
        H = (A.T * w) @ A / W
        H[:-1, :-1] += l2 * np.eye(X.shape[1])
        if "duplicate" in opts:
            # singular: the least-squares step, which is what lstsq would add
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        else:
            step = np.linalg.solve(H, g)
        proba = dec = None
        labels = []
        K = 0
        outputs = 1

    p = X.shape[1]
    coef_raw = coef / scale
    icpt_raw = icpt - (coef * (mean / scale)).sum(1)
    coef_std = coef_raw * raw.std(0)
    gnorm = np.abs(g).max()
    stepmax = np.abs(step).max()
    scale_ref = max(np.abs(coef).max(), np.abs(icpt).max())
    report.append("%-24s %-48s |grad|max %.3g  Newton step %.3g (%.3g of the largest "
                  "coefficient)  objective %.17g"
                  % (name, info["solver"], gnorm, stepmax, stepmax / scale_ref, obj))
    # The test compares to 1e-6 (1e-9 for least squares) relative: the
    # reference must be at least 100 times closer to the optimum than that.
    limit = 1e-8 if kind == "logistic_regression" else 1e-11
    if not (gnorm < 1e-9 and stepmax < limit * scale_ref):
        raise SystemExit("%s: scikit-learn did not reach the optimum (gradient %g, step %g)"
                         % (name, gnorm, stepmax))

    out.append("/* %s: %s on %s, l2 = %s%s; %s; gradient max %.3g, Newton step %.3g */"
               % (name, kind, dataset, num(l2),
                  "".join(", " + k for k, v in sorted(opts.items()) if v), info["solver"],
                  gnorm, stepmax))
    out.append(c_array(ident + "_coef", coef))
    out.append(c_array(ident + "_intercept", icpt))
    out.append(c_array(ident + "_coef_raw", coef_raw))
    out.append(c_array(ident + "_intercept_raw", icpt_raw))
    out.append(c_array(ident + "_coef_std", coef_std))
    if kind == "logistic_regression":
        out.append(c_array(ident + "_pred", proba))
        out.append(c_array(ident + "_decision", dec))
        out.append("static const char *const %s_labels[%d] = {%s};"
                   % (ident, K, ", ".join('"%s"' % s for s in labels)))
    else:
        out.append(c_array(ident + "_pred", pred))
    out.append("static const char *const %s_features[%d] = {\n%s\n};"
               % (ident, p, "\n".join('    "%s",' % s for s in names)))
    out.append("")
    entry = ("    {\"%s\", \"%s\", \"%s\", \"%s\", %s, %d, %d, %s,\n"
             "     %d, %d, %d, %d, %s, %s,\n"
             "     %s_coef, %s_intercept, %s_coef_raw, %s_intercept_raw, %s_coef_std,\n"
             "     %s_pred, %s, %s, %s_features},"
             % (name, dataset, target, kind, num(l2),
                1 if opts.get("weighted") else 0, 1 if opts.get("balanced") else 0,
                '"%s"' % opts["duplicate"] if "duplicate" in opts else "NULL",
                n, p, outputs, K, num(w.sum()), num(obj),
                ident, ident, ident, ident, ident, ident,
                ident + "_decision" if K else "NULL",
                ident + "_labels" if K else "NULL", ident))
    return entry


HEAD = """/* Reference fits for mlops_model from scikit-learn %s, numpy %s,
 * scipy %s, pandas %s. Generated by tests/reference/make_model_reference.py
 * (see its docstring for the objectives and how to rerun); do not edit. */
#ifndef MLOPS_TEST_MODEL_REFERENCE_H
#define MLOPS_TEST_MODEL_REFERENCE_H

#include <stddef.h>

enum { MODEL_REF_PRED_ROWS = %d };

typedef struct model_ref_case {
    const char *name;
    const char *dataset;     /* tests/data/real/<dataset>.csv */
    const char *target;      /* target column */
    const char *kind;
    double l2;
    int weighted;            /* add column "weight" (role weight), w_i = 1 + (i %% 4) / 2 */
    int balanced;            /* class_weight = balanced */
    const char *duplicate;   /* copy this column as a last feature "<name>_copy", or NULL */
    size_t rows, features, outputs, classes;
    double weight_sum, objective;
    const double *coef;          /* outputs x features, model units */
    const double *intercept;     /* outputs (multinomial: centred) */
    const double *coef_raw;      /* MLOPS_COEF_RAW */
    const double *intercept_raw;
    const double *coef_std;      /* MLOPS_COEF_STANDARDIZED */
    const double *pred;          /* first rows: probabilities (classes each) or values */
    const double *decision;      /* first rows: decision values (outputs each), or NULL */
    const char *const *labels;   /* class labels, or NULL */
    const char *const *feature_names;
} model_ref_case;
"""


def main():
    warnings.simplefilter("default")
    out = [HEAD % (sklearn.__version__, np.__version__, scipy.__version__, pd.__version__,
                   PRED_ROWS)]
    entries = []
    report = []
    for case in CASES:
        entries.append(make_case(*case, out, report))
    out.append("static const model_ref_case model_ref_cases[] = {")
    out.extend(entries)
    out.append("};")
    out.append("")
    out.append("#endif")
    with open(OUT, "w", encoding="ascii", newline="\n") as fh:
        fh.write("\n".join(out) + "\n")
    print("\n".join(report))
    print("%d cases -> %s" % (len(CASES), os.path.relpath(OUT)))


if __name__ == "__main__":
    sys.exit(main())
