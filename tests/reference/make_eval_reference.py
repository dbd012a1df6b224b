#!/usr/bin/python3
"""Reference answers for the evaluator's metrics, from scikit-learn and NumPy.

Rerun from the repository root with Debian's Python (it has scikit-learn):

    /usr/bin/python3 tests/reference/make_eval_reference.py

It writes

  tests/data/eval/<fixture>.csv   predictions: columns y_true, y_pred, then
                                  p_0 .. p_{k-1} (class probabilities in
                                  sorted class order; a single p_1 column is
                                  the probability of the positive class),
                                  then w (integer sample weights) when weighted
  tests/eval/eval_reference.h     the expected report values, curves and
                                  confusion matrices, read by
                                  tests/eval/test_eval_metrics.c

Every number is written with repr(), the shortest decimal that reads back
as the same double, and the references are computed from the fixture files
as read back, so the C test sees exactly the inputs scikit-learn saw.

Models. Each real dataset of tests/data/real is split into even rows (train)
and odd rows (test); the fixture holds the test rows.
  breast_cancer, iris, wine: StandardScaler + LogisticRegression(max_iter=5000)
      (iris species are coded 0, 1, 2 in sorted name order)
  diabetes: Ridge(alpha=1.0) on the raw columns
Edge cases are built from those predictions:
  binary_ties              breast_cancer, labels -1/1, P(positive) rounded to
                           one decimal (heavy ties, scores exactly 0, 1 and on
                           bin edges), one score column
  binary_weighted          breast_cancer, 150 rows, P rounded to 2 decimals,
                           weights w_i = 1 + (i % 3)
  one_class                only class 0 in y_true (roc_auc and
                           average_precision undefined)
  never_positive           P(positive) scaled by 0.4, so class 1 is never
                           predicted (its precision is undefined)
  multiclass_missing_pred  wine with labels 1.5, 2, 10; rows whose most
                           probable class is 10 get the probabilities of 2
                           and 10 swapped, so 10 is never predicted
  perfect                  y_pred = y_true and scores that separate the
                           classes (some exactly 0 and 1)
  regression_weighted      diabetes, 150 rows, w_i = 1 + (i % 3)
  regression_constant      y_true constant (r2, explained_variance undefined)
  regression_zero          a zero in y_true (MAPE's eps rule)

Definitions (scikit-learn 1.2.1 functions unless said otherwise; w = sample
weights; pos = the positive class, the last one unless pos_label is set):
  - Per-class precision/recall/f1: precision_recall_fscore_support with
    labels = all classes, computed with zero_division=0 and =1; where the two
    disagree the value is undefined (NaN). This gives scikit-learn >= 1.4's
    zero_division=np.nan semantics: precision is NaN when a class is never
    predicted, recall when it never occurs, f1 only when both (f1 of a
    class that occurs but is never predicted is 0, not NaN). Macro averages
    are the mean over defined classes, weighted averages renormalize the
    supports over defined classes (plain mean of the defined ones when
    those supports are all 0), micro averages use the same disagreement rule.
  - matthews_corrcoef: scikit-learn's value, except that where scikit-learn
    returns 0.0 for a zero denominator (a constant y_true or y_pred) it is
    written NaN: the report never makes up a number for an undefined one.
  - balanced_accuracy: balanced_accuracy_score (mean recall over classes
    present in y_true). support.<label>: weighted count of true rows.
  - Binary: true_positive_rate = recall of pos; false_positive_rate = weighted
    FP / (FP + TN), NaN without negatives; selection_rate = weighted share
    predicted pos; roc_auc = roc_auc_score, average_precision =
    average_precision_score (both NaN when y_true holds one class only);
    brier_score_loss on P(pos).
  - log_loss(labels = classes): clip to [eps, 1 - eps] with eps =
    np.finfo(float).eps, renormalize rows.
  - Multiclass: roc_auc_ovr / roc_auc_ovr_weighted = roc_auc_score with
    multi_class="ovr", average macro / weighted; average_precision = mean of
    the per-class one-vs-rest average_precision_score (1.2.1 rejects
    multiclass input).
  - expected_calibration_error: sum over non-empty bins of
    (bin weight / total weight) * |weighted fraction of positives - weighted
    mean of the score|. Bins are those of sklearn.calibration.calibration_curve
    (searchsorted of the score in the inner edges; uniform edges
    np.linspace(0, 1, bins + 1), quantile edges np.percentile of the scores,
    unweighted). Binary: score = P(pos), positive = (y_true == pos).
    Multiclass: score = max probability, positive = (y_pred == y_true),
    uniform bins. Checked against calibration_curve (on the sample expanded
    with np.repeat by the integer weights when weighted).
  - Regression: r2_score and explained_variance_score with force_finite=False
    (-inf and NaN both written NaN), mean_absolute_error, mean_squared_error,
    root_mean_squared_error = sqrt(mse), mean_absolute_percentage_error
    (|e| / max(|y|, eps)). median_absolute_error, max_error and the residual
    quantiles residual_qXX (residual = y_true - y_pred) are np.median, max
    and np.quantile(method="linear") of the sample expanded with np.repeat
    by the integer weights (scikit-learn's weighted median is a lower
    weighted percentile, a different definition; unweighted they agree,
    which the script checks). Weighted metrics are also checked against the
    unweighted ones on the expanded sample.
Curves (binary "roc", "precision_recall", "calibration"; multiclass
"roc.<label>" and "precision_recall.<label>" one-vs-rest):
  roc = roc_curve(drop_intermediate=False) with x = fpr, y = tpr, t =
  thresholds, the first threshold written +inf (scikit-learn >= 1.3; 1.2.1
  writes max + 1); precision_recall = precision_recall_curve with x = recall,
  y = precision and its n - 1 thresholds; calibration: x = mean predicted
  probability, y = fraction of positives, t = weight of each non-empty bin.
  Curves are only written where both classes occur in y_true.
Labels are spelled as the shortest decimal that reads back exactly ("0",
"1.5", "-1", "10").
"""
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (accuracy_score, average_precision_score,
                             balanced_accuracy_score, brier_score_loss,
                             confusion_matrix, explained_variance_score,
                             log_loss, max_error, mean_absolute_error,
                             mean_absolute_percentage_error,
                             mean_squared_error, median_absolute_error,
                             precision_recall_curve,
                             precision_recall_fscore_support, r2_score,
                             roc_auc_score, roc_curve)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "data" / "real"
FIXTURES = ROOT / "tests" / "data" / "eval"
HEADER = ROOT / "tests" / "eval" / "eval_reference.h"
EPS = np.finfo(np.float64).eps
QUANTILES = [("residual_q05", 0.05), ("residual_q25", 0.25), ("residual_q50", 0.5),
             ("residual_q75", 0.75), ("residual_q95", 0.95)]

warnings.simplefilter("ignore")


def label_text(v):
    """Shortest decimal that reads back as v, without a trailing '.0'."""
    v = float(v)
    if v == math.floor(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def close(a, b, rel=1e-13, abs_=1e-15):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    both_nan = np.isnan(a) & np.isnan(b)
    ok = both_nan | (np.abs(a - b) <= np.maximum(rel * np.abs(b), abs_)) | (a == b)
    return bool(np.all(ok))


def check(cond, what):
    if not cond:
        sys.exit("make_eval_reference.py: cross-check failed: " + what)


# ---- Models and fixtures --------------------------------------------------

def split(df):
    return df.iloc[0::2].reset_index(drop=True), df.iloc[1::2].reset_index(drop=True)


def classifier(stem, target, codes=None):
    df = pd.read_csv(REAL / f"{stem}.csv")
    if codes is not None:
        df[target] = df[target].map(codes)
    train, test = split(df)
    feats = [c for c in df.columns if c != target]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    model.fit(train[feats].to_numpy(float), train[target].to_numpy(float))
    X = test[feats].to_numpy(float)
    return (test[target].to_numpy(float), model.predict(X).astype(float),
            model.predict_proba(X), model.classes_.astype(float))


def regressor():
    df = pd.read_csv(REAL / "diabetes.csv")
    train, test = split(df)
    feats = [c for c in df.columns if c != "target"]
    model = Ridge(alpha=1.0).fit(train[feats].to_numpy(float), train["target"].to_numpy(float))
    return test["target"].to_numpy(float), model.predict(test[feats].to_numpy(float))


def build_fixtures():
    """name -> dict(y_true, y_pred, P (rows x cols) or None, w or None)."""
    fx = {}
    yb, pb, Pb, cb = classifier("breast_cancer", "target")
    check(list(cb) == [0.0, 1.0], "breast_cancer classes")
    fx["breast_cancer"] = dict(y_true=yb, y_pred=pb, P=Pb, w=None)
    iris_codes = {"setosa": 0, "versicolor": 1, "virginica": 2}
    yi, pi, Pi, _ = classifier("iris", "species", iris_codes)
    fx["iris"] = dict(y_true=yi, y_pred=pi, P=Pi, w=None)
    yw, pw, Pw, cw = classifier("wine", "target")
    check(list(cw) == [0.0, 1.0, 2.0], "wine classes")
    fx["wine"] = dict(y_true=yw, y_pred=pw, P=Pw, w=None)
    yd, pd_ = regressor()
    fx["diabetes"] = dict(y_true=yd, y_pred=pd_, P=None, w=None)

    # Heavy ties: one decimal, labels -1 / 1, one score column P(1).
    p1 = np.round(Pb[:, 1], 1)
    fx["binary_ties"] = dict(y_true=np.where(yb == 1, 1.0, -1.0),
                             y_pred=np.where(pb == 1, 1.0, -1.0),
                             P=p1[:, None], w=None)

    n = 150
    p1 = np.round(Pb[:n, 1], 2)
    fx["binary_weighted"] = dict(y_true=yb[:n], y_pred=pb[:n],
                                 P=np.column_stack([1.0 - p1, p1]),
                                 w=1.0 + (np.arange(n) % 3))

    neg = np.flatnonzero(yb == 0)[:60]
    pred = (Pb[neg, 1] >= 0.2).astype(float)
    check(pred.sum() >= 2, "one_class fixture has predicted positives")
    fx["one_class"] = dict(y_true=yb[neg], y_pred=pred, P=Pb[neg], w=None)

    n = 100
    p1 = Pb[:n, 1] * 0.4
    fx["never_positive"] = dict(y_true=yb[:n], y_pred=np.zeros(n),
                                P=np.column_stack([1.0 - p1, p1]), w=None)

    labels = np.array([1.5, 2.0, 10.0])
    P = Pw.copy()
    top = np.argmax(P, axis=1) == 2
    P[top, 1], P[top, 2] = Pw[top, 2], Pw[top, 1]
    ywl = labels[yw.astype(int)]
    fx["multiclass_missing_pred"] = dict(y_true=ywl, y_pred=labels[np.argmax(P, axis=1)],
                                         P=P, w=None)

    n = 60
    y = yb[:n]
    u = Pb[:n, 1]
    p1 = np.where(y == 1, 0.55 + 0.45 * u, 0.45 * u)
    p1[np.flatnonzero(y == 1)[:2]] = 1.0
    p1[np.flatnonzero(y == 0)[:2]] = 0.0
    fx["perfect"] = dict(y_true=y, y_pred=y.copy(), P=np.column_stack([1.0 - p1, p1]), w=None)

    n = 150
    fx["regression_weighted"] = dict(y_true=yd[:n], y_pred=pd_[:n], P=None,
                                     w=1.0 + (np.arange(n) % 3))
    fx["regression_constant"] = dict(y_true=np.full(30, 150.0), y_pred=pd_[:30], P=None, w=None)
    y = yd[:50].copy()
    y[5] = 0.0
    fx["regression_zero"] = dict(y_true=y, y_pred=pd_[:50], P=None, w=None)
    return fx


def write_fixture(name, f):
    """Writes the CSV and returns the fixture as read back."""
    cols = [("y_true", f["y_true"]), ("y_pred", f["y_pred"])]
    if f["P"] is not None:
        P = f["P"]
        if P.shape[1] == 1:
            cols.append(("p_1", P[:, 0]))
        else:
            cols += [(f"p_{j}", P[:, j]) for j in range(P.shape[1])]
    if f["w"] is not None:
        cols.append(("w", f["w"]))
    rows = len(f["y_true"])
    check(rows < 300, f"{name} is small")
    FIXTURES.mkdir(parents=True, exist_ok=True)
    path = FIXTURES / f"{name}.csv"
    with open(path, "w", newline="\n") as out:
        out.write(",".join(c for c, _ in cols) + "\n")
        for i in range(rows):
            out.write(",".join(repr(float(v[i])) for _, v in cols) + "\n")
    back = pd.read_csv(path, float_precision="round_trip")
    for c, v in cols:
        check(np.array_equal(back[c].to_numpy(float), np.asarray(v, float)), f"{name}.{c} round trip")
    pcols = [c for c in back.columns if c.startswith("p_")]
    return dict(y_true=back["y_true"].to_numpy(float), y_pred=back["y_pred"].to_numpy(float),
                P=back[pcols].to_numpy(float) if pcols else None,
                w=back["w"].to_numpy(float) if "w" in back.columns else None, rows=rows)


# ---- Metric definitions ---------------------------------------------------

def nan_if_inf(v):
    v = float(v)
    return v if math.isfinite(v) else math.nan


def ece_bins(pos, score, w, bins, strategy):
    """Weighted calibration bins as calibration_curve draws them."""
    if strategy == "quantile":
        edges = np.percentile(score, np.linspace(0, 1, bins + 1) * 100)
    else:
        edges = np.linspace(0.0, 1.0, bins + 1)
    ids = np.searchsorted(edges[1:-1], score)
    wsum = np.bincount(ids, weights=w, minlength=bins + 1)
    wpos = np.bincount(ids, weights=w * pos, minlength=bins + 1)
    wscore = np.bincount(ids, weights=w * score, minlength=bins + 1)
    nz = wsum != 0
    frac, mean = wpos[nz] / wsum[nz], wscore[nz] / wsum[nz]
    ece = float(np.sum(wsum[nz] / w.sum() * np.abs(frac - mean)))
    return ece, mean, frac, wsum[nz]


def checked_ece(pos, score, w, bins, strategy, weighted):
    ece, mean, frac, wbin = ece_bins(pos, score, w, bins, strategy)
    reps = w.astype(int)
    ps, ss = np.repeat(pos, reps), np.repeat(score, reps)
    if strategy == "uniform" or not weighted:
        t, p = calibration_curve(ps.astype(int), ss, n_bins=bins, strategy=strategy,
                                 pos_label=1) if ps.any() else \
            (None, None)
        if t is not None:
            check(close(t, frac) and close(p, mean), "calibration bins agree with calibration_curve")
    return ece, mean, frac, wbin


def per_class(y, yp, classes, w):
    runs = [precision_recall_fscore_support(y, yp, labels=classes, average=None,
                                            sample_weight=w, zero_division=zd)
            for zd in (0, 1)]
    out = []
    for k in range(3):
        a, b = runs[0][k].astype(float), runs[1][k].astype(float)
        out.append(np.where(a == b, a, np.nan))
    return out[0], out[1], out[2], runs[0][3].astype(float)


def micro(y, yp, classes, w):
    runs = [precision_recall_fscore_support(y, yp, labels=classes, average="micro",
                                            sample_weight=w, zero_division=zd)
            for zd in (0, 1)]
    return [runs[0][k] if runs[0][k] == runs[1][k] else math.nan for k in range(3)]


def nan_average(v, weights=None):
    mask = ~np.isnan(v)
    if not mask.any():
        return math.nan
    if weights is None or weights[mask].sum() == 0:
        return float(np.mean(v[mask]))
    return float(np.average(v[mask], weights=weights[mask]))


def mcc(y, yp, classes, w):
    C = confusion_matrix(y, yp, labels=classes, sample_weight=w).astype(float)
    t, p, n = C.sum(axis=1), C.sum(axis=0), C.sum()
    if (n * n - p @ p) * (n * n - t @ t) == 0:
        return math.nan
    from sklearn.metrics import matthews_corrcoef
    return float(matthews_corrcoef(y, yp, sample_weight=w))


def classification(fx, settings):
    y, yp, P, w = fx["y_true"], fx["y_pred"], fx["P"], fx["w"]
    weighted = w is not None
    wv = w if weighted else np.ones_like(y)
    labels = np.unique(np.concatenate([y, yp]))
    k = len(labels)
    # scikit-learn calls fractional labels (1.5) continuous: work on the
    # class indices, which keep the order, and name classes by their labels.
    y, yp = np.searchsorted(labels, y).astype(float), np.searchsorted(labels, yp).astype(float)
    classes = np.arange(k, dtype=float)
    bins = int(settings.get("calibration_bins", 10))
    strategy = settings.get("calibration_strategy", "uniform")
    vals, curves = [], []
    add = lambda name, v: vals.append((name, float(v)))

    add("count", len(y))
    add("weight_sum", wv.sum())
    add("accuracy", accuracy_score(y, yp, sample_weight=w))
    add("balanced_accuracy", balanced_accuracy_score(y, yp, sample_weight=w))
    prec, rec, f1, sup = per_class(y, yp, classes, w)
    for metric, v in (("precision", prec), ("recall", rec), ("f1", f1)):
        add(metric + "_macro", nan_average(v))
        add(metric + "_weighted", nan_average(v, sup))
    for metric, v in zip(("precision", "recall", "f1"), micro(y, yp, classes, w)):
        add(metric + "_micro", v)
    for j, c in enumerate(classes):
        lab = label_text(labels[j])
        add("precision." + lab, prec[j])
        add("recall." + lab, rec[j])
        add("f1." + lab, f1[j])
        add("support." + lab, sup[j])
    add("matthews_corrcoef", mcc(y, yp, classes, w))

    if weighted:  # every weighted classification value against the expanded sample
        r = w.astype(int)
        check(close(per_class(np.repeat(y, r), np.repeat(yp, r), classes, None)[0], prec),
              "weighted precision = expanded precision")

    if k == 2:
        pos_text = settings.get("pos_label")
        jpos = int(np.flatnonzero(labels == float(pos_text))[0]) if pos_text else k - 1
        pos = classes[jpos]
        if P.shape[1] == 1:
            check(jpos == 1, "one score column is P(last class)")
            ppos = P[:, 0]
            ll = log_loss(y, ppos, labels=classes, sample_weight=w)
        else:
            ppos = P[:, jpos]
            ll = log_loss(y, P, labels=classes, sample_weight=w)
        isp = (y == pos)
        add("precision", prec[jpos])
        add("recall", rec[jpos])
        add("f1", f1[jpos])
        add("true_positive_rate", rec[jpos])
        neg_w = wv[~isp].sum()
        add("false_positive_rate",
            wv[~isp & (yp == pos)].sum() / neg_w if neg_w > 0 else math.nan)
        add("selection_rate", wv[yp == pos].sum() / wv.sum())
        both = isp.any() and (~isp).any()
        add("roc_auc", roc_auc_score(isp, ppos, sample_weight=w) if both else math.nan)
        add("average_precision",
            average_precision_score(isp, ppos, sample_weight=w) if both else math.nan)
        add("brier_score_loss", brier_score_loss(y, ppos, sample_weight=w, pos_label=pos))
        add("log_loss", ll)
        ece, mean, frac, wbin = checked_ece(isp.astype(float), ppos, wv, bins, strategy, weighted)
        add("expected_calibration_error", ece)
        curves.append(("calibration", mean, frac, wbin))
        if both:
            fpr, tpr, thr = roc_curve(isp, ppos, sample_weight=w, drop_intermediate=False)
            thr = thr.copy()
            thr[0] = math.inf
            curves.append(("roc", fpr, tpr, thr))
            pr, rc, pthr = precision_recall_curve(isp, ppos, sample_weight=w)
            curves.append(("precision_recall", rc, pr, pthr))
            check(len(pthr) == len(pr) - 1, "precision_recall_curve shape")
        if weighted:
            r = w.astype(int)
            Y = np.repeat(isp, r)
            S = np.repeat(ppos, r)
            check(close(roc_auc_score(Y, S), vals[[n for n, _ in vals].index("roc_auc")][1]),
                  "weighted roc_auc = expanded")
            check(close(average_precision_score(Y, S),
                        vals[[n for n, _ in vals].index("average_precision")][1]),
                  "weighted average_precision = expanded")
    else:
        check(P.shape[1] == k, "one probability column per class")
        add("log_loss", log_loss(y, P, labels=classes, sample_weight=w))
        aucs = []
        aps = []
        for j, c in enumerate(classes):
            isc = y == c
            check(isc.any() and (~isc).any(), "every class occurs in a multiclass fixture")
            aucs.append(roc_auc_score(isc, P[:, j], sample_weight=w))
            aps.append(average_precision_score(isc, P[:, j], sample_weight=w))
            fpr, tpr, thr = roc_curve(isc, P[:, j], sample_weight=w, drop_intermediate=False)
            thr = thr.copy()
            thr[0] = math.inf
            curves.append(("roc." + label_text(labels[j]), fpr, tpr, thr))
            pr, rc, pthr = precision_recall_curve(isc, P[:, j], sample_weight=w)
            curves.append(("precision_recall." + label_text(labels[j]), rc, pr, pthr))
        ovr = roc_auc_score(y, P, multi_class="ovr", average="macro", labels=classes,
                            sample_weight=w)
        check(close(ovr, np.mean(aucs)), "ovr macro = mean of one-vs-rest AUCs")
        add("roc_auc_ovr", ovr)
        add("roc_auc_ovr_weighted", roc_auc_score(y, P, multi_class="ovr", average="weighted",
                                                  labels=classes, sample_weight=w))
        add("average_precision", np.mean(aps))
        check(strategy == "uniform", "multiclass calibration is uniform")
        correct = (yp == y).astype(float)
        conf = P.max(axis=1)
        check(np.array_equal(classes[np.argmax(P, axis=1)], yp), "y_pred is the most probable class")
        ece, _, _, _ = checked_ece(correct, conf, wv, bins, "uniform", weighted)
        add("expected_calibration_error", ece)

    cm = confusion_matrix(y, yp, labels=classes, sample_weight=w).astype(float)
    return vals, curves, ([label_text(c) for c in labels], cm)


def regression(fx, settings):
    y, yp, w = fx["y_true"], fx["y_pred"], fx["w"]
    wv = w if w is not None else np.ones_like(y)
    r = wv.astype(int)
    check(np.array_equal(r, wv), "integer weights")
    Y, YP = np.repeat(y, r), np.repeat(yp, r)
    res = Y - YP
    vals = []
    add = lambda name, v: vals.append((name, float(v)))
    add("count", len(y))
    add("weight_sum", wv.sum())
    expanded = {
        "r2": nan_if_inf(r2_score(Y, YP, force_finite=False)),
        "mean_absolute_error": mean_absolute_error(Y, YP),
        "mean_squared_error": mean_squared_error(Y, YP),
        "mean_absolute_percentage_error": mean_absolute_percentage_error(Y, YP),
        "explained_variance": nan_if_inf(explained_variance_score(Y, YP, force_finite=False)),
    }
    direct = {
        "r2": nan_if_inf(r2_score(y, yp, sample_weight=w, force_finite=False)),
        "mean_absolute_error": mean_absolute_error(y, yp, sample_weight=w),
        "mean_squared_error": mean_squared_error(y, yp, sample_weight=w),
        "mean_absolute_percentage_error": mean_absolute_percentage_error(y, yp, sample_weight=w),
        "explained_variance": nan_if_inf(explained_variance_score(y, yp, sample_weight=w,
                                                                  force_finite=False)),
    }
    for name in direct:
        check(close(direct[name], expanded[name], rel=1e-12), f"weighted {name} = expanded")
    mse = direct["mean_squared_error"]
    add("r2", direct["r2"])
    add("mean_absolute_error", direct["mean_absolute_error"])
    add("mean_squared_error", mse)
    add("root_mean_squared_error", math.sqrt(mse))
    check(close(math.sqrt(mse), mean_squared_error(y, yp, sample_weight=w, squared=False)),
          "rmse")
    med = float(np.median(np.abs(res)))
    if w is None:
        check(med == median_absolute_error(y, yp), "median_absolute_error")
        check(float(np.max(np.abs(res))) == max_error(y, yp), "max_error")
    add("median_absolute_error", med)
    add("mean_absolute_percentage_error", direct["mean_absolute_percentage_error"])
    add("explained_variance", direct["explained_variance"])
    add("max_error", np.max(np.abs(res)))
    for name, q in QUANTILES:
        add(name, np.quantile(res, q, method="linear"))
    return vals, [], None


# ---- Runs -----------------------------------------------------------------

CLS = "task=classification"
RUNS = [
    ("breast_cancer", CLS),
    ("breast_cancer", CLS + ";calibration_bins=5;calibration_strategy=quantile"),
    ("breast_cancer", CLS + ";pos_label=0"),
    ("iris", CLS),
    ("wine", CLS),
    ("wine", CLS + ";calibration_bins=5"),
    ("diabetes", "task=regression"),
    ("binary_ties", CLS),
    ("binary_ties", CLS + ";calibration_bins=5;calibration_strategy=quantile"),
    ("binary_weighted", CLS),
    ("one_class", CLS),
    ("never_positive", CLS),
    ("multiclass_missing_pred", CLS),
    ("perfect", CLS),
    ("regression_weighted", "task=regression"),
    ("regression_constant", "task=regression"),
    ("regression_zero", "task=regression"),
]


def c_double(v):
    v = float(v)
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    return repr(v)


def c_ident(s):
    return "".join(ch if ch.isalnum() else "_" for ch in s)


def c_array(name, values):
    body = ", ".join(c_double(v) for v in values)
    lines, line = [], "    "
    for tok in body.split(" "):
        if len(line) + len(tok) + 1 > 96:
            lines.append(line.rstrip())
            line = "    "
        line += tok + " "
    lines.append(line.rstrip())
    return f"static const double {name}[{len(values)}] = {{\n" + "\n".join(lines) + "\n};\n"


def main():
    raw = build_fixtures()
    fixtures = {name: write_fixture(name, f) for name, f in raw.items()}
    values, curves, confusions = [], [], []
    arrays = []
    for fixture, settings_text in RUNS:
        settings = dict(kv.split("=", 1) for kv in settings_text.split(";"))
        fx = fixtures[fixture]
        if settings["task"] == "regression":
            vals, crv, cm = regression(fx, settings)
        else:
            vals, crv, cm = classification(fx, settings)
        names = [n for n, _ in vals]
        check(len(set(names)) == len(names), f"{fixture}: distinct names")
        values += [(fixture, settings_text, n, v) for n, v in vals]
        for cname, x, yv, t in crv:
            base = c_ident(f"curve_{fixture}_{len(curves)}_{cname}")
            arrays += [c_array(base + "_x", x), c_array(base + "_y", yv), c_array(base + "_t", t)]
            curves.append((fixture, settings_text, cname, len(x), len(t), base))
        if cm is not None:
            labels, counts = cm
            base = c_ident(f"confusion_{fixture}_{len(confusions)}")
            arrays.append(c_array(base, counts.ravel()))
            arrays.append(f"static const char *const {base}_labels[{len(labels)}] = {{"
                          + ", ".join(f'"{lab}"' for lab in labels) + "};\n")
            confusions.append((fixture, settings_text, len(labels), base))

    out = []
    out.append(f"""/* Reference metrics for the evaluator from scikit-learn {sklearn.__version__}, numpy {np.__version__},
 * scipy {scipy.__version__}, pandas {pd.__version__}, on the prediction fixtures tests/data/eval/<fixture>.csv.
 * Generated by tests/reference/make_eval_reference.py (see its docstring for
 * the definitions and how to rerun); do not edit. */
#ifndef MLOPS_TEST_EVAL_REFERENCE_H
#define MLOPS_TEST_EVAL_REFERENCE_H

#include <math.h>
#include <stddef.h>

/* One evaluation: fixture tests/data/eval/<fixture>.csv, evaluator settings
 * as ';'-separated key=value pairs. */
typedef struct eval_ref_run {{
    const char *fixture;
    const char *settings;
}} eval_ref_run;

/* One report value (NAN: undefined, the report must say why in a note). */
typedef struct eval_ref_value {{
    const char *fixture;
    const char *settings;
    const char *name;
    double value;
}} eval_ref_value;

/* One curve: n points x, y and t_n entries t (see mlops_report_curve()). */
typedef struct eval_ref_curve {{
    const char *fixture;
    const char *settings;
    const char *name;
    size_t n, t_n;
    const double *x, *y, *t;
}} eval_ref_curve;

/* The weighted confusion matrix, k x k, row = true class, in class order. */
typedef struct eval_ref_confusion {{
    const char *fixture;
    const char *settings;
    size_t k;
    const char *const *labels;
    const double *counts;
}} eval_ref_confusion;

""")
    out += arrays
    out.append("\nstatic const eval_ref_run eval_ref_runs[] = {\n")
    out += [f'    {{"{f}", "{s}"}},\n' for f, s in RUNS]
    out.append("};\n\nstatic const eval_ref_value eval_ref_values[] = {\n")
    out += [f'    {{"{f}", "{s}", "{n}", {c_double(v)}}},\n' for f, s, n, v in values]
    out.append("};\n\nstatic const eval_ref_curve eval_ref_curves[] = {\n")
    out += [f'    {{"{f}", "{s}", "{n}", {npts}, {nt}, {b}_x, {b}_y, {b}_t}},\n'
            for f, s, n, npts, nt, b in curves]
    out.append("};\n\nstatic const eval_ref_confusion eval_ref_confusions[] = {\n")
    out += [f'    {{"{f}", "{s}", {k}, {b}_labels, {b}}},\n' for f, s, k, b in confusions]
    out.append("};\n\n#endif\n")
    HEADER.parent.mkdir(parents=True, exist_ok=True)
    HEADER.write_text("".join(out))
    points = sum(c[3] * 2 + c[4] for c in curves)
    cells = sum(c[2] * c[2] for c in confusions)
    nans = sum(1 for v in values if math.isnan(v[3]))
    print(f"{len(fixtures)} fixtures, {len(RUNS)} runs, {len(values)} values ({nans} NaN), "
          f"{len(curves)} curves ({points} numbers), {len(confusions)} confusion matrices "
          f"({cells} cells) -> {HEADER.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
