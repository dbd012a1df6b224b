#!/usr/bin/python3
"""Fixtures and reference answers for fairness by group (tests/eval/test_eval_fairness.c).

Writes, from a fixed NumPy seed:

  tests/data/eval/fairness_binary.csv       600 rows: y_true, y_pred (0/1), p
      (P(y = 1), y_pred = 1 exactly when p >= 0.5), w (integer weights 1..3),
      sex (F/M; one row has it missing), region (north/south/east, east with
      fewer than 30 rows). Scores lean towards M and away from south, so the
      selection rate, true and false positive rates differ by group; every
      sex=F&region=east row has y_true = 0 (its true positive rate is
      undefined) and a few of them are predicted positive.
  tests/data/eval/fairness_binary_fair.csv  200 rows, same columns, where both
      sexes are selected at nearly the same rate (the four-fifths rule holds).
  tests/data/eval/fairness_edge.csv         40 rows, same columns, nobody
      predicted positive: every ratio has a zero denominator.
  tests/data/eval/fairness_regression.csv   400 rows: y_true, y_pred, sex
      (one missing), region (east small); errors larger for F and south.

and tests/eval/fairness_reference.h: entries {fixture, settings, name, value}
for a list of evaluator settings per fixture, plus names that must be absent.
Settings starting with '@' are for the test itself, not the evaluator:
@weights=w passes column w as sample weights, @scores=none passes no scores
(otherwise column p is the one score column), @y_pred=none passes no
predictions (they then come from p and the threshold setting).

The values are computed here from the published definitions, in NumPy only:

  per group g of a group column (rows whose value is missing are left out),
  with weights w (1 when none), positive label pos (the last class in sorted
  order unless pos_label is set):
    count          rows in g;  weight_sum = sum w;  small = count < min_group_size
    selection_rate sum w[y_pred = pos] / sum w
    true_positive_rate   sum w[y_true = pos, y_pred = pos] / sum w[y_true = pos]
    false_positive_rate  sum w[y_true != pos, y_pred = pos] / sum w[y_true != pos]
    accuracy       sum w[y_true = y_pred] / sum w
    precision      tp / (tp + fp);  recall = true_positive_rate
    f1             2 tp / (2 tp + fp + fn)   (scikit-learn >= 1.3)
    roc_auc        weighted Mann-Whitney: sum over positive i, negative j of
                   w_i w_j ([s_i > s_j] + [s_i = s_j] / 2) / (W+ W-), which
                   is the area under the weighted ROC curve, ties included
    regression: mean_absolute_error, mean_squared_error,
                root_mean_squared_error, r2 = 1 - SS_res / SS_tot
  A zero denominator gives NaN.
  Intersections: every pair (a, b) of group columns in setting order, groups
  "a=x&b=y" for the combinations that occur.
  Fairlearn aggregates over the groups of a column (NaN groups skipped, as
  pandas max/min skip NaN; NaN when no group is left):
    demographic_parity_difference / _ratio    on selection_rate
    equal_opportunity_difference / _ratio     on true_positive_rate
    equalized_odds_difference = max(TPR difference, FPR difference)
    equalized_odds_ratio      = min(TPR ratio, FPR ratio)
    <metric>.group_difference / .group_ratio  for each requested metric
  with difference = max - min and ratio = min / max (NaN when max = 0).
  AIF360 signed metrics for the reference group's column: privileged = the
  reference group's rows, unprivileged = all other rows with a value there:
    statistical_parity_difference = SR_u - SR_p,  disparate_impact = SR_u / SR_p,
    average_odds_difference = ((FPR_u - FPR_p) + (TPR_u - TPR_p)) / 2.
  Aggregates are suffixed ".<column>" (".a&b" for an intersection); the first
  group column's are also given without the suffix.

Neither Fairlearn nor AIF360 is installed here; the formulas follow their
documentation (fairlearn.metrics.demographic_parity_difference etc.,
aif360.metrics.ClassificationMetric).

Rerun (from the repository root):

    /usr/bin/python3 tests/reference/make_fairness_reference.py

It needs only NumPy (Debian python3-numpy); the committed files were made
with NumPy 1.24.2. Numbers are written with repr(), which reads back exactly.
"""
import itertools
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.normpath(os.path.join(HERE, ".."))
DATA = os.path.join(TESTS, "data", "eval")
HEADER = os.path.join(TESTS, "eval", "fairness_reference.h")

SEED = 20240611
COLUMNS = ["y_true", "y_pred", "p", "w", "sex", "region"]


# ---- fixtures ----------------------------------------------------------------

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def score_rows(rng, y, sex, region, lean):
    """Rounded probabilities of the positive class, never exactly 0.5."""
    logit = -0.6 + 2.0 * y + rng.normal(0.0, 1.0, len(y))
    logit += np.array([lean.get(s, 0.0) + lean.get(r, 0.0) for s, r in zip(sex, region)])
    p = np.round(np.clip(sigmoid(logit), 0.0001, 0.9999), 4)
    p[p == 0.5] = 0.5001
    return p


def make_binary(rng):
    n, n_east = 600, 24
    region = np.array(["east"] * n_east
                      + list(rng.choice(["north", "south"], n - n_east, p=[0.57, 0.43])))
    rng.shuffle(region)
    sex = np.where(rng.random(n) < 0.45, "F", "M")
    base = np.where(sex == "F", 0.35, 0.45)
    y = (rng.random(n) < base).astype(int)
    y[(sex == "F") & (region == "east")] = 0
    p = score_rows(rng, y, sex, region, {"M": 0.8, "F": -0.2, "south": -0.4, "east": 0.3})
    yp = (p >= 0.5).astype(int)
    w = rng.integers(1, 4, n)
    fe = (sex == "F") & (region == "east")
    assert fe.sum() >= 5 and yp[fe].sum() >= 1, "F&east must have predicted positives"
    # One row without a sex value (a north row that is not in F&east).
    missing = int(np.flatnonzero(region == "north")[3])
    sex = sex.astype(object)
    sex[missing] = None
    return dict(y_true=y, y_pred=yp, p=p, w=w, sex=sex, region=region)


def make_fair(rng):
    n = 200
    sex = np.array(["F"] * 100 + ["M"] * 100)
    region = rng.choice(["north", "south"], n)
    y = (rng.random(n) < 0.4).astype(int)
    # Selection: exactly 38 F and 42 M rows, favouring true positives.
    yp = np.zeros(n, dtype=int)
    for s, k in (("F", 38), ("M", 42)):
        idx = np.flatnonzero(sex == s)
        key = rng.random(len(idx)) - 0.6 * y[idx]
        yp[idx[np.argsort(key, kind="stable")[:k]]] = 1
    p = np.round(np.where(yp == 1, rng.uniform(0.55, 0.95, n), rng.uniform(0.05, 0.45, n)), 4)
    w = rng.integers(1, 4, n)
    order = rng.permutation(n)
    return dict(y_true=y[order], y_pred=yp[order], p=p[order], w=w[order],
                sex=sex[order].astype(object), region=region[order])


def make_edge(rng):
    n = 40
    sex = np.array(["F", "M"] * 20)
    region = rng.choice(["north", "south"], n)
    y = np.array([1, 1, 0, 0] * 10)
    p = np.round(rng.uniform(0.02, 0.45, n), 4)
    yp = np.zeros(n, dtype=int)
    w = rng.integers(1, 4, n)
    return dict(y_true=y, y_pred=yp, p=p, w=w, sex=sex.astype(object), region=region)


def make_regression(rng):
    n, n_east = 400, 18
    region = np.array(["east"] * n_east
                      + list(rng.choice(["north", "south"], n - n_east, p=[0.6, 0.4])))
    rng.shuffle(region)
    sex = np.where(rng.random(n) < 0.5, "F", "M").astype(object)
    y = np.round(rng.normal(50.0, 12.0, n), 3)
    scale = np.where(sex == "F", 6.0, 3.5) * np.where(region == "south", 1.5, 1.0)
    yhat = np.round(y + rng.normal(1.0, 1.0, n) * scale, 3)
    sex[int(np.flatnonzero(region == "south")[2])] = None
    return dict(y_true=y, y_pred=yhat, sex=sex, region=region)


def write_csv(path, data, columns):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(columns) + "\n")
        for i in range(len(data[columns[0]])):
            cells = []
            for c in columns:
                v = data[c][i]
                if v is None:
                    cells.append("")
                elif isinstance(v, (np.floating, float)):
                    cells.append(repr(float(v)))
                elif isinstance(v, (np.integer, int)):
                    cells.append(repr(int(v)))
                else:
                    cells.append(str(v))
            f.write(",".join(cells) + "\n")


# ---- metrics -----------------------------------------------------------------

def div(a, b):
    return float(a) / float(b) if b != 0 else math.nan


def roc_auc(yt, s, w, pos):
    P, N = yt == pos, yt != pos
    wp, wn = w[P].sum(), w[N].sum()
    if wp == 0 or wn == 0:
        return math.nan
    sp, sn = s[P], s[N]
    gt = (sp[:, None] > sn[None, :]) + 0.5 * (sp[:, None] == sn[None, :])
    return float((w[P][:, None] * w[N][None, :] * gt).sum() / (wp * wn))


def cls_metrics(yt, yp, s, w, pos, metrics):
    sel = yp == pos
    P = yt == pos
    tp, fp = w[P & sel].sum(), w[~P & sel].sum()
    fn = w[P & ~sel].sum()
    out = {
        "count": float(len(yt)),
        "weight_sum": float(w.sum()),
        "selection_rate": div(w[sel].sum(), w.sum()),
        "true_positive_rate": div(tp, w[P].sum()),
        "false_positive_rate": div(fp, w[~P].sum()),
        "accuracy": div(w[yt == yp].sum(), w.sum()),
    }
    extra = {
        "precision": lambda: div(tp, tp + fp),
        "recall": lambda: div(tp, tp + fn),
        "f1": lambda: div(2 * tp, 2 * tp + fp + fn),
        "roc_auc": lambda: roc_auc(yt, s, w, pos),
    }
    for m in metrics:
        if m not in out:
            out[m] = extra[m]()
    return out


def reg_metrics(yt, yp, w, metrics):
    e = yt - yp
    W = w.sum()
    mse = div((w * e * e).sum(), W)
    ybar = div((w * yt).sum(), W)
    fns = {
        "mean_absolute_error": lambda: div((w * np.abs(e)).sum(), W),
        "mean_squared_error": lambda: mse,
        "root_mean_squared_error": lambda: math.sqrt(mse),
        "r2": lambda: 1.0 - div((w * e * e).sum(), (w * (yt - ybar) ** 2).sum()),
    }
    out = {"count": float(len(yt))}
    for m in metrics:
        out[m] = fns[m]()
    return out


def spread(values):
    """Fairlearn's between-groups difference and ratio, skipping NaN groups."""
    v = np.array([x for x in values if not math.isnan(x)])
    if len(v) == 0:
        return math.nan, math.nan
    hi, lo = v.max(), v.min()
    return float(hi - lo), div(lo, hi)


ALIASES = {"mae": "mean_absolute_error", "mse": "mean_squared_error",
           "rmse": "root_mean_squared_error"}


def parse_settings(text):
    out = {}
    for item in text.split(";"):
        k, v = item.split("=", 1)
        out[k] = v
    return out


def evaluate(data, settings_text):
    """Every value the report must hold for these settings: {name: value}."""
    st = parse_settings(settings_text)
    task = st["task"]
    yt = np.asarray(data["y_true"], dtype=float)
    n = len(yt)
    w = np.asarray(data["w"], dtype=float) if st.get("@weights") == "w" else np.ones(n)
    s = np.asarray(data["p"], dtype=float) if "p" in data else None
    metrics = [ALIASES.get(m, m) for m in st["metrics"].split(",")]
    groups = st["group"].split(",")
    min_size = int(st.get("min_group_size", "30"))
    if task == "classification":
        if st.get("@y_pred") == "none":
            yp = (s >= float(st["threshold"])).astype(float)
        else:
            yp = np.asarray(data["y_pred"], dtype=float)
        classes = sorted(set(yt) | set(yp))
        pos = float(st["pos_label"]) if "pos_label" in st else classes[-1]

        def measure(mask):
            return cls_metrics(yt[mask], yp[mask], s[mask] if s is not None else None,
                               w[mask], pos, metrics)
    else:
        yp = np.asarray(data["y_pred"], dtype=float)

        def measure(mask):
            return reg_metrics(yt[mask], yp[mask], w[mask], metrics)

    values = {}
    overall = measure(np.ones(n, dtype=bool))
    for k in ["count"] + metrics + (["weight_sum", "accuracy"] if task == "classification"
                                    else []):
        values[k] = overall[k]

    col = {g: np.array(data[g], dtype=object) for g in groups}
    present = {g: np.array([v is not None for v in col[g]]) for g in groups}

    def levels(g):
        return sorted(set(v for v in col[g] if v is not None))

    # Group "keys": (suffix, [(group name, mask)]).
    keys = []
    for g in groups:
        keys.append((g, [("%s=%s" % (g, v), present[g] & (col[g] == v)) for v in levels(g)]))
    for a, b in itertools.combinations(groups, 2):
        members = []
        for x in levels(a):
            for y in levels(b):
                m = present[a] & present[b] & (col[a] == x) & (col[b] == y)
                if m.any():
                    members.append(("%s=%s&%s=%s" % (a, x, b, y), m))
        keys.append(("%s&%s" % (a, b), members))

    for suffix, members in keys:
        per = {}
        for name, mask in members:
            r = measure(mask)
            r["small"] = 1.0 if r["count"] < min_size else 0.0
            per[name] = r
            for k, v in r.items():
                values["%s.%s" % (name, k)] = v
        agg = {}
        if task == "classification":
            sr = [per[m]["selection_rate"] for m, _ in members]
            tpr = [per[m]["true_positive_rate"] for m, _ in members]
            fpr = [per[m]["false_positive_rate"] for m, _ in members]
            dpd, dpr = spread(sr)
            tpd, tprr = spread(tpr)
            fpd, fprr = spread(fpr)
            agg["demographic_parity_difference"] = dpd
            agg["demographic_parity_ratio"] = dpr
            agg["equal_opportunity_difference"] = tpd
            agg["equal_opportunity_ratio"] = tprr
            assert not (math.isnan(tpd) != math.isnan(fpd)), "min/max of one NaN is ambiguous"
            assert not (math.isnan(tprr) != math.isnan(fprr)), "min/max of one NaN is ambiguous"
            agg["equalized_odds_difference"] = max(tpd, fpd)
            agg["equalized_odds_ratio"] = min(tprr, fprr)
        for m in metrics:
            d, r = spread([per[g][m] for g, _ in members])
            agg[m + ".group_difference"] = d
            agg[m + ".group_ratio"] = r
        if task == "classification" and "reference_group" in st and "&" not in suffix:
            ref = st["reference_group"]
            rcol, rval = ref.split("=", 1) if "=" in ref else (groups[0], ref)
            if rcol == suffix:
                priv = present[rcol] & (col[rcol] == rval)
                unpriv = present[rcol] & (col[rcol] != rval)
                a, b = measure(unpriv), measure(priv)
                agg["statistical_parity_difference"] = a["selection_rate"] - b["selection_rate"]
                agg["disparate_impact"] = div(a["selection_rate"], b["selection_rate"])
                agg["average_odds_difference"] = 0.5 * (
                    (a["false_positive_rate"] - b["false_positive_rate"])
                    + (a["true_positive_rate"] - b["true_positive_rate"]))
        for k, v in agg.items():
            values["%s.%s" % (k, suffix)] = v
            if suffix == groups[0]:
                values[k] = v
    return values


def absent_names(settings_text):
    """Names a report for these settings must not hold."""
    st = parse_settings(settings_text)
    groups = st["group"].split(",")
    out = []
    if st["task"] == "regression":
        out += ["demographic_parity_difference", "sex=F.selection_rate"]
    ref = st.get("reference_group")
    if ref is None:
        out += ["statistical_parity_difference", "disparate_impact"]
    else:
        rcol = ref.split("=", 1)[0] if "=" in ref else groups[0]
        if rcol != groups[0]:
            out += ["statistical_parity_difference", "disparate_impact",
                    "average_odds_difference"]
        for g in groups:
            if g != rcol:
                out += ["statistical_parity_difference." + g, "disparate_impact." + g]
        if len(groups) > 1:
            out += ["statistical_parity_difference.%s&%s" % (groups[0], groups[1])]
    return out


# Settings per fixture: what the test runs and checks.
RUNS = [
    ("fairness_binary",
     "task=classification;group=sex,region;reference_group=sex=M;min_group_size=30;"
     "metrics=accuracy,f1,precision,recall,roc_auc"),
    ("fairness_binary",
     "task=classification;group=sex,region;reference_group=sex=M;min_group_size=30;"
     "metrics=accuracy,f1,precision,recall,roc_auc;@weights=w"),
    ("fairness_binary",
     "task=classification;group=region,sex;reference_group=region=north;min_group_size=50;"
     "metrics=accuracy,precision;@weights=w"),
    ("fairness_binary",
     "task=classification;group=sex;reference_group=M;pos_label=0;metrics=accuracy,f1;"
     "@scores=none"),
    ("fairness_binary",
     "task=classification;group=sex,region;threshold=0.6;metrics=accuracy,recall;@y_pred=none"),
    ("fairness_binary_fair",
     "task=classification;group=sex;reference_group=sex=M;metrics=accuracy;@weights=w"),
    ("fairness_edge",
     "task=classification;group=sex;reference_group=sex=M;metrics=accuracy,precision"),
    ("fairness_regression",
     "task=regression;group=sex,region;min_group_size=30;"
     "metrics=mean_absolute_error,root_mean_squared_error,r2"),
    ("fairness_regression", "task=regression;group=region;metrics=mae,rmse,mse"),
]


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def c_double(x):
    x = float(x)
    if math.isnan(x):
        return "NAN"
    return repr(x)


def main():
    rng = np.random.default_rng(SEED)
    fixtures = {
        "fairness_binary": (make_binary(rng), COLUMNS),
        "fairness_binary_fair": (make_fair(rng), COLUMNS),
        "fairness_edge": (make_edge(rng), COLUMNS),
        "fairness_regression": (make_regression(rng), ["y_true", "y_pred", "sex", "region"]),
    }
    os.makedirs(DATA, exist_ok=True)
    os.makedirs(os.path.dirname(HEADER), exist_ok=True)
    for name, (data, columns) in fixtures.items():
        write_csv(os.path.join(DATA, name + ".csv"), data, columns)

    lines = []
    absent = []
    for fixture, settings in RUNS:
        values = evaluate(fixtures[fixture][0], settings)
        lines.append("    /* %s: %s */" % (fixture, settings))
        for k, v in values.items():
            lines.append("    {%s, %s, %s, %s}," % (c_string(fixture), c_string(settings),
                                                    c_string(k), c_double(v)))
        for k in absent_names(settings):
            assert k not in values, k
            absent.append("    {%s, %s, %s}," % (c_string(fixture), c_string(settings),
                                                 c_string(k)))
    with open(HEADER, "w", encoding="utf-8", newline="\n") as f:
        f.write("/* Generated by tests/reference/make_fairness_reference.py with NumPy %s\n"
                " * from the fixtures of tests/data/eval; do not edit. */\n" % np.__version__)
        f.write("#ifndef FAIRNESS_REFERENCE_H\n#define FAIRNESS_REFERENCE_H\n\n"
                "#include <math.h>\n\n"
                "typedef struct ref_value {\n"
                "    const char *fixture, *settings, *name;\n"
                "    double value;\n"
                "} ref_value;\n\n"
                "typedef struct ref_absent {\n"
                "    const char *fixture, *settings, *name;\n"
                "} ref_absent;\n\n")
        f.write("static const ref_value ref_values[] = {\n")
        f.write("\n".join(lines) + "\n};\n\n")
        f.write("/* Values these settings must not produce. */\n")
        f.write("static const ref_absent ref_absents[] = {\n")
        f.write("\n".join(absent) + "\n};\n\n#endif\n")


if __name__ == "__main__":
    main()
