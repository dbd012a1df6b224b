#!/usr/bin/python3
"""Reference predictions for the `mlops train` / `mlops predict` test
(tests/cli/test_cli_model.py), from scikit-learn.

`mlops train` gives every model the chain

    impute "*" (strategy=median)  ->  standardize "*"  ->  onehot "*" (unseen=error)

which is, in scikit-learn terms, a ColumnTransformer of
Pipeline(SimpleImputer(strategy="median"), StandardScaler()) on the numeric
inputs and OneHotEncoder(handle_unknown="error") on the categorical ones
(categories in sorted order; none of the cases below has a missing
category). `--set impute.strategy=...` and `--set standardize.with_std=...`
change the imputer and the scaler.

libmlops minimizes (1/(2W)) sum_i w_i r_i^2 + (l2/2) ||b||^2 for
linear_regression and the mean cross-entropy + (l2/2) ||B||^2 for
logistic_regression, W being the sum of the weights (here the number of
rows n). Multiplying by 2n (resp. by C n) gives scikit-learn's objectives:

    Ridge(alpha = l2 * n)
    LogisticRegression(C = 1 / (l2 * n))   (multinomial for 3 classes)

Each case is trained on a whole file of tests/data/real/ and predicts that
same file. The CSV files written to tests/data/cli/ hold, per row, the
prediction (`prediction`, regression) or the class probabilities
(`proba_<class>`), as Python repr() of the double (exact round trip).
Cases and the `mlops train` arguments they stand for:

    diabetes_ridge   --target target --model linear_regression --set l2=0.01
    cars_median      --target Acceleration --ignore Name
                     --model linear_regression --set l2=0.001
    cars_mean_nostd  as cars_median plus --set impute.strategy=mean
                     --set standardize.with_std=false
    iris_logistic    --target species --model logistic_regression
                     --set tol=1e-10  (l2 default 1e-4); scikit-learn's
                     newton-cg is run to a normalized gradient below 1e-9,
                     so probabilities agree to about 1e-8

Rerun with

    /usr/bin/python3 tests/reference/make_cli_reference.py

(Debian 12: python3-sklearn 1.2.1, python3-pandas 1.5.3, python3-numpy
1.24.2 produced the committed files).
"""
import csv
import os

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "..", "data", "real")
OUT = os.path.join(HERE, "..", "data", "cli")


def chain(frame, strategy="median", with_std=True):
    numeric = [c for c in frame.columns if frame[c].dtype.kind in "if"]
    categorical = [c for c in frame.columns if c not in numeric]
    return ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer(strategy=strategy)),
                          ("scale", StandardScaler(with_std=with_std))]), numeric),
        ("cat", OneHotEncoder(handle_unknown="error", sparse_output=False), categorical),
    ])


def regression(name, csv_name, target, l2, drop=(), **kw):
    data = pd.read_csv(os.path.join(REAL, csv_name))
    x = data.drop(columns=[target, *drop])
    y = data[target].to_numpy(dtype=float)
    model = Pipeline([("prep", chain(x, **kw)),
                      ("ridge", Ridge(alpha=l2 * len(y), solver="cholesky"))])
    model.fit(x, y)
    write(name, ["prediction"], model.predict(x).reshape(-1, 1))


def classification(name, csv_name, target, l2):
    data = pd.read_csv(os.path.join(REAL, csv_name))
    x = data.drop(columns=[target])
    y = data[target].astype(str).to_numpy()
    # newton-cg's tol bounds the gradient of C * sum(loss) + ||B||^2 / 2,
    # 1 / l2 times the normalized one: 1e-7 leaves it below 1e-10.
    model = Pipeline([("prep", chain(x)),
                      ("logistic", LogisticRegression(C=1.0 / (l2 * len(y)), tol=1e-7,
                                                      solver="newton-cg", max_iter=1000))])
    model.fit(x, y)
    classes = list(model.classes_)
    assert classes == sorted(classes)  # libmlops orders labels by bytes
    # the fit must be converged far below the test's tolerance
    z = model.named_steps["prep"].transform(x)
    lr = model.named_steps["logistic"]
    resid = lr.predict_proba(z) - (y[:, None] == lr.classes_[None, :])
    grad = z.T @ resid / len(y) + l2 * lr.coef_.T
    assert np.abs(grad).max() < 1e-9 and np.abs(resid.mean(axis=0)).max() < 1e-9
    write(name, ["proba_" + c for c in classes], model.predict_proba(x))


def write(name, header, values):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in np.asarray(values, dtype=float):
            w.writerow([repr(float(v)) for v in row])


def main():
    regression("diabetes_ridge", "diabetes.csv", "target", 0.01)
    regression("cars_median", "cars.csv", "Acceleration", 0.001, drop=["Name"])
    regression("cars_mean_nostd", "cars.csv", "Acceleration", 0.001, drop=["Name"],
               strategy="mean", with_std=False)
    classification("iris_logistic", "iris.csv", "species", 1e-4)


if __name__ == "__main__":
    main()
