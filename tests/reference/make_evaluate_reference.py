#!/usr/bin/python3
"""Reference answers for the evaluator's command-line and Python tests
(tests/cli/test_cli_evaluate.py, tests/python/test_evaluator_binding.py),
from scikit-learn and NumPy, written to tests/data/evaluate_reference.json.

Every number is named as mlops_report_value(3) names it, so the tests
compare name by name. NaN is written as null.

Cases

  binary        60 rows of made-up labels (0/1), P(1) scores on a 0.01 grid
                (with ties, none exactly 0.5) and predictions score > 0.5;
                a group column "g" (a: 30 rows, b: 25, c: 5; b and c below
                the default min_group_size of 30). Metrics from
                sklearn.metrics (pos_label 1, the last class), the confusion
                matrix, roc_curve (both drop_intermediate=True, scikit-learn's
                default, and False), precision_recall_curve and the uniform
                10-bin calibration curve of sklearn.calibration.calibration_curve
                (its bin weights added), expected_calibration_error as
                sum_b n_b / n |fraction of positives_b - mean score_b| over
                those bins. Fairness, written in NumPy from the published
                definitions (Fairlearn: max - min and min / max over groups of
                the selection rate P(pred = 1), the true positive rate and the
                false positive rate; equalized odds takes the larger
                difference and the smaller ratio of the two rates; AIF360 with
                reference group a: every row outside a against a, signed,
                statistical_parity_difference = P(pred=1 | not a) -
                P(pred=1 | a), disparate_impact the ratio,
                average_odds_difference = ((FPR_not_a - FPR_a) +
                (TPR_not_a - TPR_a)) / 2).
  binary_weighted  the same rows with integer sample weights 1..3, metrics
                with sample_weight.
  multiclass    45 rows, labels 0, 1 and 2.5 (spelled "0", "1", "2.5"),
                probability rows from a Dirichlet draw, predictions their
                argmax; accuracy, balanced_accuracy, macro / micro /
                weighted averages, matthews_corrcoef, roc_auc_ovr (macro),
                roc_auc_ovr_weighted, log_loss, per-class values and the
                confusion matrix.
  regression    40 rows, y_true away from 0, y_pred = y_true + noise: r2,
                mean_absolute_error, mean_squared_error, its square root,
                median_absolute_error, mean_absolute_percentage_error,
                explained_variance, max_error; residual (y_true - y_pred)
                quantiles with numpy.quantile's default (linear) rule.
  breast_cancer tests/data/real/breast_cancer.csv with a group column
                "band" from mean_texture (< 15 low, < 20 mid, < 28 high,
                else xl: 23 rows, flagged small), the model `mlops train
                --target target --model logistic_regression --set tol=1e-10`
                fits (median imputation, standardization, l2 = 1e-4, i.e.
                scikit-learn's LogisticRegression(C = 1 / (l2 n)), fitted with
                newton-cg to a normalized gradient below 1e-9, as in
                make_cli_reference.py). Metrics of its predict_proba and
                predictions (no row is within 1e-4 of the 0.5 threshold, so
                labels agree with libmlops' fit), the groups' values, and the
                AIF360 values with reference group mid.
  diabetes      the committed reference predictions of `mlops train --target
                target --model linear_regression --set l2=0.01`
                (tests/data/cli/diabetes_ridge.csv) against the truth:
                regression metrics overall and per value of sex (1 and 2).
  cv_diabetes   tests/data/real/diabetes.csv, linear_regression without a
                chain: KFold(5) unshuffled folds (the first n % 5 folds one
                row larger), r2 of each fold, mean and population std.
  grid_diabetes the same folds for l2 in 0, 0.01 and 1 (Ridge(alpha = l2 *
                training rows of the fold)): mean and std of r2 per
                candidate, the best index (highest mean), and the best
                candidate's coefficients refitted on all rows.

The CLI test also scores `mlops predict --proba` output directly:

    /usr/bin/python3 tests/reference/make_evaluate_reference.py \\
        --score PREDICTIONS.csv DATA.csv TARGET GROUP

prints, as JSON, the breast_cancer-style values computed from those
probabilities (column proba_1) and labels (column prediction).

Rerun (from the repository root):

    /usr/bin/python3 tests/reference/make_evaluate_reference.py

The committed file was made with scikit-learn 1.2.1, NumPy 1.24.2 and pandas
1.5.3 (Debian python3-sklearn, python3-numpy, python3-pandas).
"""
import json
import math
import os
import sys

import numpy as np
import pandas as pd
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "data"))
REAL = os.path.join(DATA, "real")
OUT = os.path.join(DATA, "evaluate_reference.json")
MIN_GROUP_SIZE = 30


def spell(v):
    """A class label as libmlops spells it: the shortest decimal that reads
    back exactly, without a trailing ".0"."""
    s = repr(float(v))
    return s[:-2] if s.endswith(".0") else s


def clean(x):
    """JSON-ready: floats (NaN -> None), lists, dicts."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [clean(v) for v in x]
    if x is None or isinstance(x, (str, bool)):
        return x
    if isinstance(x, (np.integer, int)):
        return int(x)
    v = float(x)
    return None if math.isnan(v) else v


def band_of(texture):
    return np.where(texture < 15, "low",
                    np.where(texture < 20, "mid", np.where(texture < 28, "high", "xl")))


# ---- classification --------------------------------------------------------

def per_class(y, pred, labels, names, w):
    p, r, f, s = skm.precision_recall_fscore_support(y, pred, labels=labels, sample_weight=w,
                                                     zero_division=0)
    # zero-division cases are undefined (NaN), as scikit-learn >= 1.4's
    # zero_division=np.nan
    predicted = np.array([np.sum((pred == c) * (1 if w is None else w)) for c in labels])
    actual = np.array([np.sum((y == c) * (1 if w is None else w)) for c in labels])
    p = np.where(predicted > 0, p, np.nan)
    r = np.where(actual > 0, r, np.nan)
    f = np.where((predicted > 0) | (actual > 0), f, np.nan)
    out = {}
    for k, c in enumerate(names):
        out["precision." + c] = p[k]
        out["recall." + c] = r[k]
        out["f1." + c] = f[k]
        out["support." + c] = s[k] if w is None else actual[k]
    return out, p, r, f, actual


def averages(name, values, support):
    ok = ~np.isnan(values)
    return {name + "_macro": np.mean(values[ok]),
            name + "_weighted": np.sum(values[ok] * support[ok]) / np.sum(support[ok])}


def classification_metrics(y, pred, proba, labels, w=None):
    """proba: rows x classes (sorted labels). scikit-learn sees class
    indices (it takes 2.5 for a regression target), the names the labels."""
    names = [spell(c) for c in labels]
    y, pred = np.searchsorted(labels, y), np.searchsorted(labels, pred)
    labels = list(range(len(labels)))
    out = {"count": len(y), "weight_sum": len(y) if w is None else float(np.sum(w))}
    out["accuracy"] = skm.accuracy_score(y, pred, sample_weight=w)
    out["balanced_accuracy"] = skm.balanced_accuracy_score(y, pred, sample_weight=w)
    cls, p, r, f, support = per_class(y, pred, labels, names, w)
    for name, values in (("precision", p), ("recall", r), ("f1", f)):
        out.update(averages(name, values, support))
    out["f1_micro"] = skm.f1_score(y, pred, average="micro", sample_weight=w)
    out["matthews_corrcoef"] = skm.matthews_corrcoef(y, pred, sample_weight=w)
    out["log_loss"] = skm.log_loss(y, proba, labels=labels, sample_weight=w)
    if len(labels) == 2:
        pos = labels[-1]
        out["precision"] = p[-1]
        out["recall"] = r[-1]
        out["f1"] = f[-1]
        out["roc_auc"] = skm.roc_auc_score(y == pos, proba[:, 1], sample_weight=w)
        out["average_precision"] = skm.average_precision_score(y == pos, proba[:, 1],
                                                               sample_weight=w)
        out["brier_score_loss"] = skm.brier_score_loss(y == pos, proba[:, 1], sample_weight=w)
    else:
        out["roc_auc_ovr"] = skm.roc_auc_score(y, proba, multi_class="ovr", labels=labels,
                                               sample_weight=w)
        out["roc_auc_ovr_weighted"] = skm.roc_auc_score(y, proba, multi_class="ovr",
                                                        average="weighted", labels=labels,
                                                        sample_weight=w)
    out.update(cls)
    return out


def binary_extras(y, pred, p1, labels):
    """Unweighted confusion matrix, curves and calibration error."""
    pos = labels[-1]
    out = {"confusion": skm.confusion_matrix(y, pred, labels=labels).tolist()}
    for drop in (True, False):
        fpr, tpr, thr = skm.roc_curve(y == pos, p1, drop_intermediate=drop)
        # scikit-learn 1.2 puts thresholds[0] + 1 first; >= 1.3 and libmlops +inf
        thr = np.concatenate([[np.inf], thr[1:]])
        key = "roc" if drop else "roc_all_points"
        out[key] = {"x": fpr.tolist(), "y": tpr.tolist(),
                    "t": [None if np.isinf(v) else float(v) for v in thr]}
    prec, rec, thr = skm.precision_recall_curve(y == pos, p1)
    out["precision_recall"] = {"x": rec.tolist(), "y": prec.tolist(), "t": thr.tolist()}
    prob_true, prob_pred = calibration_curve(y == pos, p1, n_bins=10, strategy="uniform")
    bins = np.linspace(0.0, 1.0, 11)
    binids = np.searchsorted(bins[1:-1], p1)
    total = np.bincount(binids, minlength=11)
    weights = total[total != 0].astype(float)
    out["calibration"] = {"x": prob_pred.tolist(), "y": prob_true.tolist(),
                          "t": weights.tolist()}
    out["expected_calibration_error"] = float(
        np.sum(weights / len(y) * np.abs(prob_true - prob_pred)))
    return out


def rates(y, pred, pos, mask):
    yy, pp = y[mask] == pos, pred[mask] == pos
    sel = np.mean(pp)
    tpr = np.sum(pp & yy) / np.sum(yy) if np.sum(yy) else np.nan
    fpr = np.sum(pp & ~yy) / np.sum(~yy) if np.sum(~yy) else np.nan
    return sel, tpr, fpr


def fairness(y, pred, groups, column, pos, reference=None, first=True):
    """Per-group values and the aggregates of one group column."""
    out = {}
    g = groups
    sel, tpr, fpr = {}, {}, {}
    for value in sorted(set(g)):
        mask = g == value
        key = "%s=%s." % (column, value)
        out[key + "count"] = int(np.sum(mask))
        out[key + "accuracy"] = float(np.mean(y[mask] == pred[mask]))
        sel[value], tpr[value], fpr[value] = rates(y, pred, pos, mask)
        out[key + "selection_rate"] = sel[value]
        out[key + "true_positive_rate"] = tpr[value]
        out[key + "false_positive_rate"] = fpr[value]
        out[key + "small"] = 1.0 if np.sum(mask) < MIN_GROUP_SIZE else 0.0
    s, t, f = (np.array(list(d.values())) for d in (sel, tpr, fpr))
    agg = {
        "demographic_parity_difference": s.max() - s.min(),
        "demographic_parity_ratio": s.min() / s.max(),
        "equal_opportunity_difference": t.max() - t.min(),
        "equal_opportunity_ratio": t.min() / t.max(),
        "equalized_odds_difference": max(t.max() - t.min(), f.max() - f.min()),
        "equalized_odds_ratio": min(t.min() / t.max(), f.min() / f.max()),
    }
    if reference is not None:
        ref = g == reference
        s_r, t_r, f_r = rates(y, pred, pos, ref)
        s_u, t_u, f_u = rates(y, pred, pos, ~ref)
        agg["statistical_parity_difference"] = s_u - s_r
        agg["disparate_impact"] = s_u / s_r
        agg["average_odds_difference"] = ((f_u - f_r) + (t_u - t_r)) / 2
    for name, v in agg.items():
        out[name + "." + column] = v
        if first:
            out[name] = v
    return out


def binary_case(rng):
    n = 60
    y = (rng.random(n) < 0.4).astype(float)
    p1 = np.clip(np.round(0.5 + 0.45 * (2 * y - 1) * rng.random(n) + rng.normal(0, 0.2, n), 2),
                 0.01, 0.99)
    p1[p1 == 0.5] = 0.51
    pred = (p1 > 0.5).astype(float)
    g = np.array(["a"] * 30 + ["b"] * 25 + ["c"] * 5)
    g = g[rng.permutation(n)]
    labels = [0.0, 1.0]
    proba = np.column_stack([1 - p1, p1])
    expected = classification_metrics(y, pred, proba, labels)
    expected.update(fairness(y, pred, g, "g", 1.0, reference="a"))
    case = {"y_true": y.tolist(), "scores": p1.tolist(), "y_pred": pred.tolist(),
            "groups": {"g": g.tolist()}, "reference_group": "a", "expected": expected}
    case.update(binary_extras(y, pred, p1, labels))
    w = rng.integers(1, 4, n).astype(float)
    weighted = {"y_true": y.tolist(), "scores": p1.tolist(), "y_pred": pred.tolist(),
                "weights": w.tolist(),
                "expected": classification_metrics(y, pred, proba, labels, w)}
    return case, weighted


def multiclass_case(rng):
    n, labels = 45, [0.0, 1.0, 2.5]
    y = np.array(labels)[np.arange(n) % 3][rng.permutation(n)]
    proba = rng.dirichlet([1.0, 1.0, 1.0], n)
    # make the truth likelier than chance so the metrics are not trivial
    idx = np.searchsorted(labels, y)
    proba[np.arange(n), idx] += 0.6
    proba /= proba.sum(axis=1, keepdims=True)
    pred = np.array(labels)[np.argmax(proba, axis=1)]
    expected = classification_metrics(y, pred, proba, labels)
    return {"y_true": y.tolist(), "scores": proba.tolist(), "y_pred": pred.tolist(),
            "expected": expected, "classes": [spell(c) for c in labels],
            "confusion": skm.confusion_matrix(np.searchsorted(labels, y),
                                              np.searchsorted(labels, pred)).tolist()}


# ---- regression ------------------------------------------------------------

def regression_metrics(y, pred):
    resid = y - pred
    out = {"count": len(y),
           "r2": skm.r2_score(y, pred),
           "mean_absolute_error": skm.mean_absolute_error(y, pred),
           "mean_squared_error": skm.mean_squared_error(y, pred),
           "root_mean_squared_error": math.sqrt(skm.mean_squared_error(y, pred)),
           "median_absolute_error": skm.median_absolute_error(y, pred),
           "mean_absolute_percentage_error": skm.mean_absolute_percentage_error(y, pred),
           "explained_variance": skm.explained_variance_score(y, pred),
           "max_error": skm.max_error(y, pred)}
    for q in (5, 25, 50, 75, 95):
        out["residual_q%02d" % q] = float(np.quantile(resid, q / 100))
    return out


def regression_case(rng):
    n = 40
    y = rng.normal(10, 3, n)
    y[np.abs(y) < 1] += 2
    pred = y + rng.normal(0.3, 1.0, n)
    return {"y_true": y.tolist(), "y_pred": pred.tolist(),
            "expected": regression_metrics(y, pred)}


# ---- a fitted model on real data ------------------------------------------

def breast_cancer_values(y, pred, p1, band):
    labels = [0.0, 1.0]
    proba = np.column_stack([1 - p1, p1])
    out = classification_metrics(y, pred, proba, labels)
    out.update(fairness(y, pred, band, "band", 1.0, reference="mid"))
    extras = binary_extras(y, pred, p1, labels)
    out["expected_calibration_error"] = extras["expected_calibration_error"]
    return out, extras["confusion"]


def breast_cancer_case():
    data = pd.read_csv(os.path.join(REAL, "breast_cancer.csv"))
    x = data.drop(columns=["target"])
    y = data["target"].to_numpy(dtype=float)
    l2 = 1e-4
    model = Pipeline([("prep", ColumnTransformer([("num", Pipeline([
        ("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]),
        list(x.columns))])),
        ("logistic", LogisticRegression(C=1.0 / (l2 * len(y)), tol=1e-8, solver="newton-cg",
                                        max_iter=10000))])
    model.fit(x, y)
    z = model.named_steps["prep"].transform(x)
    lr = model.named_steps["logistic"]
    p1 = lr.predict_proba(z)[:, 1]
    resid = p1 - y
    grad = np.concatenate([z.T @ resid / len(y) + l2 * lr.coef_[0], [resid.mean()]])
    assert np.abs(grad).max() < 1e-9, np.abs(grad).max()
    assert np.min(np.abs(p1 - 0.5)) > 1e-4
    pred = (p1 > 0.5).astype(float)
    values, confusion = breast_cancer_values(y, pred, p1, band_of(data["mean_texture"].to_numpy()))
    return {"expected": values, "confusion": confusion,
            "tolerance_note": "probabilities agree with libmlops' fit to about 1e-8"}


def diabetes_case():
    """The committed `mlops train` reference predictions of diabetes_ridge
    (make_cli_reference.py) against the truth, overall and by sex."""
    data = pd.read_csv(os.path.join(REAL, "diabetes.csv"))
    pred = pd.read_csv(os.path.join(DATA, "cli", "diabetes_ridge.csv"))["prediction"].to_numpy()
    y = data["target"].to_numpy(dtype=float)
    out = regression_metrics(y, pred)
    sex = data["sex"].to_numpy()
    for value in sorted(set(sex)):
        mask = sex == value
        key = "sex=%s." % spell(value)
        out[key + "count"] = int(np.sum(mask))
        out[key + "r2"] = skm.r2_score(y[mask], pred[mask])
        out[key + "mean_absolute_error"] = skm.mean_absolute_error(y[mask], pred[mask])
    return {"expected": out}


def cv_folds(n, k=5):
    return list(KFold(n_splits=k).split(np.zeros(n)))


def cv_case():
    data = pd.read_csv(os.path.join(REAL, "diabetes.csv"))
    x = data.drop(columns=["target"]).to_numpy()
    y = data["target"].to_numpy(dtype=float)
    folds = cv_folds(len(y))
    r2 = []
    for train, test in folds:
        m = LinearRegression().fit(x[train], y[train])
        r2.append(skm.r2_score(y[test], m.predict(x[test])))
    cv = {"fold_sizes": [len(t) for _, t in folds], "expected": {}}
    for i, v in enumerate(r2):
        cv["expected"]["fold_%d.r2" % i] = v
    cv["expected"]["r2.mean"] = float(np.mean(r2))
    cv["expected"]["r2.std"] = float(np.std(r2))

    grid = {"l2": [1.0, 0.0, 0.01], "expected": {}}
    means = []
    for c, l2 in enumerate(grid["l2"]):
        scores = []
        for train, test in folds:
            m = Ridge(alpha=l2 * len(train), solver="cholesky").fit(x[train], y[train])
            scores.append(skm.r2_score(y[test], m.predict(x[test])))
        means.append(np.mean(scores))
        grid["expected"]["candidate_%d.r2.mean" % c] = float(np.mean(scores))
        grid["expected"]["candidate_%d.r2.std" % c] = float(np.std(scores))
    best = int(np.argmax(means))  # first of equal maxima
    grid["expected"]["best_index"] = best
    grid["expected"]["r2.mean"] = float(means[best])
    grid["expected"]["r2.std"] = grid["expected"]["candidate_%d.r2.std" % best]
    m = Ridge(alpha=grid["l2"][best] * len(y), solver="cholesky").fit(x, y)
    grid["best_coefficients"] = m.coef_.tolist()
    grid["best_intercept"] = float(m.intercept_)
    return cv, grid


def score_predictions(pred_csv, data_csv, target, group):
    """breast_cancer-style values from `mlops predict --proba` output."""
    pred = pd.read_csv(pred_csv)
    data = pd.read_csv(data_csv)
    y = data[target].to_numpy(dtype=float)
    values, confusion = breast_cancer_values(y, pred["prediction"].to_numpy(dtype=float),
                                             pred["proba_1"].to_numpy(dtype=float),
                                             data[group].astype(str).to_numpy())
    return {"expected": values, "confusion": confusion}


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "--score":
        json.dump(clean(score_predictions(*sys.argv[2:])), sys.stdout)
        return
    rng = np.random.default_rng(20261126)
    binary, weighted = binary_case(rng)
    cv, grid = cv_case()
    doc = {"binary": binary, "binary_weighted": weighted, "multiclass": multiclass_case(rng),
           "regression": regression_case(rng), "breast_cancer": breast_cancer_case(),
           "diabetes": diabetes_case(),
           "cv_diabetes": cv, "grid_diabetes": grid}
    with open(OUT, "w") as f:
        json.dump(clean(doc), f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
