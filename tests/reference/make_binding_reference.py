#!/usr/bin/python3
"""Reference coefficients for the Python binding's model test
(tests/python/test_model_binding.py), from scikit-learn, written to
tests/data/binding_reference.json.

Both cases fit linear_regression on tests/data/real/diabetes.csv (every
column but `target` a feature). libmlops minimizes

    (1/(2n)) sum_i (y_i - x_i.b - b0)^2 + (l2/2)||b||^2

whose minimizer is that of sklearn.linear_model.Ridge(alpha = l2 * n)
(intercept unpenalized), and of LinearRegression() when l2 = 0.

  diabetes_ridge_standardized  chain "standardize" on every feature
      (population std: sklearn.preprocessing.StandardScaler), l2 = 0.5.
      Records the coefficients in model units (per standardized feature),
      raw units (coef / scale, the intercept absorbing -coef * mean / scale)
      and standardized units (raw coefficient times the population std of
      the raw column, which equals the model units here), and the
      predictions for the first 5 rows.
  diabetes_ols_raw  no chain, l2 = 0: ordinary least squares on the raw
      columns (model, raw units equal), and the first 5 predictions.

Each scikit-learn answer is checked against the exact solution of the same
normal equations in rational arithmetic (fractions.Fraction over the exact
double values of the design matrix scikit-learn saw); the script refuses to
write unless they agree to 1e-12 relative, 1000 times tighter than the
test's 1e-9, so the numbers are the optimum and not one solver's rounding.

Rerun (from the repository root):

    /usr/bin/python3 tests/reference/make_binding_reference.py

The committed file was made with scikit-learn 1.2.1, numpy 1.24.2 and
pandas 1.5.3 (Debian python3-sklearn, python3-numpy, python3-pandas).
"""
import json
import os
import sys
from fractions import Fraction

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "data"))
OUT = os.path.join(DATA, "binding_reference.json")
PRED_ROWS = 5


def exact_least_squares(X, y, alpha):
    """argmin ||y - X b - b0||^2 + alpha ||b||^2 solved exactly: Gaussian
    elimination over Fractions on the normal equations of [X 1]."""
    n, p = X.shape
    A = [[Fraction(float(v)) for v in row] + [Fraction(1)] for row in X]
    t = [Fraction(float(v)) for v in y]
    d = p + 1
    M = [[sum(A[i][r] * A[i][c] for i in range(n)) for c in range(d)] for r in range(d)]
    for r in range(p):
        M[r][r] += Fraction(alpha)
    rhs = [sum(A[i][r] * t[i] for i in range(n)) for r in range(d)]
    for col in range(d):
        piv = next(r for r in range(col, d) if M[r][col] != 0)
        M[col], M[piv] = M[piv], M[col]
        rhs[col], rhs[piv] = rhs[piv], rhs[col]
        for r in range(col + 1, d):
            f = M[r][col] / M[col][col]
            if f:
                for c in range(col, d):
                    M[r][c] -= f * M[col][c]
                rhs[r] -= f * rhs[col]
    sol = [Fraction(0)] * d
    for r in reversed(range(d)):
        sol[r] = (rhs[r] - sum(M[r][c] * sol[c] for c in range(r + 1, d))) / M[r][r]
    return np.array([float(v) for v in sol[:p]]), float(sol[p])


def agree(name, got, exact):
    got, exact = np.asarray(got, dtype=float), np.asarray(exact, dtype=float)
    err = np.max(np.abs(got - exact) / np.maximum(np.abs(exact), 1e-300))
    print("%-40s max relative difference from exact %.3g" % (name, err))
    if not err <= 1e-12:
        sys.exit("%s: scikit-learn disagrees with the exact solution; not writing" % name)


def main():
    df = pd.read_csv(os.path.join(DATA, "real", "diabetes.csv"))
    y = df["target"].to_numpy(dtype=float)
    feat = df.drop(columns=["target"])
    names = list(feat.columns)
    X = feat.to_numpy(dtype=float)
    n = len(df)
    out = {"dataset": "real/diabetes.csv", "target": "target",
           "generator": "scikit-learn %s, numpy %s, pandas %s"
           % (sklearn.__version__, np.__version__, pd.__version__)}

    l2 = 0.5
    scaler = StandardScaler().fit(X)
    Xs = scaler.transform(X)
    est = Ridge(alpha=l2 * n, solver="cholesky").fit(Xs, y)
    coef, b0 = est.coef_, float(est.intercept_)
    ex_coef, ex_b0 = exact_least_squares(Xs, y, l2 * n)
    agree("diabetes_ridge_standardized coef", np.r_[coef, b0], np.r_[ex_coef, ex_b0])
    raw = coef / scaler.scale_
    raw_b0 = b0 - float(np.sum(coef * scaler.mean_ / scaler.scale_))
    out["diabetes_ridge_standardized"] = {
        "chain": "standardize *", "l2": l2, "features": names,
        "coef_model": coef.tolist(), "intercept_model": b0,
        "coef_raw": raw.tolist(), "intercept_raw": raw_b0,
        "coef_standardized": (raw * X.std(axis=0)).tolist(),
        "predictions": est.predict(Xs[:PRED_ROWS]).tolist(),
    }

    ols = LinearRegression().fit(X, y)
    ex_coef, ex_b0 = exact_least_squares(X, y, 0)
    agree("diabetes_ols_raw coef", np.r_[ols.coef_, ols.intercept_], np.r_[ex_coef, ex_b0])
    out["diabetes_ols_raw"] = {
        "chain": None, "l2": 0.0, "features": names,
        "coef_model": ols.coef_.tolist(), "intercept_model": float(ols.intercept_),
        "predictions": ols.predict(X[:PRED_ROWS]).tolist(),
    }

    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(OUT))


if __name__ == "__main__":
    main()
