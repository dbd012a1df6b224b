#!/usr/bin/python3
"""Fixtures and reference answers for `mlops drift` (tests/cli/test_cli_drift.py).

Rerun from the top of the tree with Debian's Python (NumPy 1.24, SciPy 1.10,
pandas 1.5):

    /usr/bin/python3 tests/reference/make_cli_drift_reference.py

It writes the CSV fixtures under tests/data/cli_drift/ and the expected
values to tests/data/cli_drift_reference.json. The values come from SciPy
and NumPy on the files as pandas reads them (missing values left out),
following the rules of include/mlops/drift.h and include/mlops/profile.h:

  bins     numeric: edges numpy.quantile(reference, linspace(0, 1, B + 1))
           ('linear'), repeated edges dropped, bins [e0, e1), ...,
           [e_{m-2}, e_{m-1}] plus one outer bin below e0 and one above
           e_{m-1} (a single edge: below, the point, above); categorical:
           the reference's categories in byte order plus one "unseen" bin.
  ks       scipy.stats.ks_2samp(reference, current) (method 'auto').
  chi2     scipy.stats.chi2_contingency on the 2 x bins table of counts
           (Yates at one degree of freedom), bins empty on both sides
           dropped (SciPy refuses a zero expected frequency).
  z        pooled two-proportion z-test on the first category (byte order)
           of a two-category column; its p-value is checked against
           chi2_contingency(table, correction=False), whose statistic is
           z squared. The sign of z depends on the category chosen, so the
           test compares |z|.
  psi      sum (q - p) ln(q / p) on counts smoothed by + 1/2 per bin
           (Jeffreys), p reference, q current, over every bin.
  kl       sum q ln(q / p) on the same smoothed probabilities.
  jensen_shannon  scipy.spatial.distance.jensenshannon(p, q, base=2) on the
           unsmoothed proportions.
  hellinger  sqrt(1/2 sum (sqrt p - sqrt q)^2) on the unsmoothed proportions.
  wasserstein  scipy.stats.wasserstein_distance(reference, current) /
           numpy.std(reference) (population standard deviation).

Default methods (reference of at most 1000 rows): numeric with more than 5
distinct values ks; other columns z with at most two categories, else chi2;
threshold 0.05 for p-values, 0.1 for distances. A p-value column drifts when
its corrected p-value is below the threshold: Benjamini-Hochberg (default;
adjusted p_(i) = min over j >= i of p_(j) m / j, capped at 1, over the m
p-value columns), Bonferroni (min(1, m p)) or none. A distance drifts when it
reaches its threshold. The data set drifts when the share of drifted columns
reaches 0.5.

Fixtures (tests/data/cli_drift/)

  small_reference.csv  80 rows: a (normal, 4 decimals), b (normal with 6
                       missing values), color (red/green/blue/yellow, one
                       missing), flag (no/yes), level (1..4).
  small_current.csv    60 rows, columns in another order plus an extra
                       column note: a shifted by +0.9, b from the same law,
                       color with an unseen category purple, flag with
                       another proportion, level shifted up.
  small_shuffled.csv   the rows of small_reference.csv in another order
                       (identical data: nothing may drift).
  cars_1970_1975.csv   rows of tests/data/real/cars.csv with model year
  cars_1980_1982.csv   <= 1975 and >= 1980, lines copied unchanged.

Cases (each: reference, current, options of `mlops drift`, expected
columns in report order with their present values on each side as
reference_rows and current_rows, the share of drifted columns and the
verdict):
small, small_bonferroni, small_methods (explicit methods, correction none,
one column skipped), same, cars.
"""
import json
import math
import os
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "tests", "data")
FIXTURES = os.path.join(DATA, "cli_drift")
OUT = os.path.join(DATA, "cli_drift_reference.json")
CARS = os.path.join(DATA, "real", "cars.csv")
REL = "tests/data/cli_drift/"

P_METHODS = ("ks", "chi2", "z")
DEFAULT_THRESHOLD = {"ks": 0.05, "chi2": 0.05, "z": 0.05, "psi": 0.1, "kl": 0.1,
                     "jensen_shannon": 0.1, "hellinger": 0.1, "wasserstein": 0.1}


# ---- fixtures ----------------------------------------------------------------

def fmt(v):
    return "" if v is None else "%.4f" % v


def write_csv(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def make_small():
    rng = np.random.RandomState(20261201)
    n_ref, n_cur = 80, 60
    colors = ["red", "green", "blue", "yellow"]

    a = rng.normal(10.0, 2.0, n_ref)
    b = rng.normal(0.0, 1.0, n_ref)
    color = rng.choice(colors, n_ref, p=[0.4, 0.3, 0.2, 0.1])
    flag = rng.choice(["no", "yes"], n_ref, p=[0.7, 0.3])
    level = rng.choice([1, 2, 3, 4], n_ref, p=[0.25, 0.35, 0.25, 0.15])
    b_missing = set(rng.choice(n_ref, 6, replace=False).tolist())
    ref_rows = []
    for i in range(n_ref):
        ref_rows.append([fmt(a[i]), fmt(None if i in b_missing else b[i]),
                         "" if i == 7 else str(color[i]), str(flag[i]), str(level[i])])
    write_csv(os.path.join(FIXTURES, "small_reference.csv"), ["a", "b", "color", "flag", "level"],
              ref_rows)

    a2 = rng.normal(10.9, 2.0, n_cur)
    b2 = rng.normal(0.0, 1.0, n_cur)
    color2 = rng.choice(colors + ["purple"], n_cur, p=[0.3, 0.3, 0.2, 0.1, 0.1])
    flag2 = rng.choice(["no", "yes"], n_cur, p=[0.45, 0.55])
    level2 = rng.choice([1, 2, 3, 4], n_cur, p=[0.1, 0.25, 0.35, 0.3])
    note = rng.choice(["x", "y"], n_cur)
    cur_rows = []
    for i in range(n_cur):
        cur_rows.append([str(note[i]), str(level2[i]), str(flag2[i]), str(color2[i]),
                         fmt(b2[i]), fmt(a2[i])])
    write_csv(os.path.join(FIXTURES, "small_current.csv"),
              ["note", "level", "flag", "color", "b", "a"], cur_rows)

    order = rng.permutation(n_ref)
    write_csv(os.path.join(FIXTURES, "small_shuffled.csv"), ["a", "b", "color", "flag", "level"],
              [ref_rows[i] for i in order])


def make_cars():
    with open(CARS) as f:
        lines = f.read().splitlines()
    header, rows = lines[0], lines[1:]
    year = header.split(",").index("Year")
    old = [r for r in rows if int(r.split(",")[year][:4]) <= 1975]
    new = [r for r in rows if int(r.split(",")[year][:4]) >= 1980]
    for name, part in (("cars_1970_1975.csv", old), ("cars_1980_1982.csv", new)):
        with open(os.path.join(FIXTURES, name), "w") as f:
            f.write("\n".join([header] + part) + "\n")


# ---- statistics ----------------------------------------------------------------

# The documented rule (profile.h): quantile edges, except that a column
# with at most `nbins` distinct reference values gets one bin per value
# (edges at the smallest value, the midpoints a/2 + b/2 of neighbours and
# the largest value).


def numeric_bins(ref, cur, nbins):
    """Counts of the reference and current values on the reference's bins."""
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, nbins + 1)))
    v = np.unique(ref)
    if 2 <= len(v) <= nbins:
        edges = np.unique(np.concatenate([v[:1], v[:-1] / 2 + v[1:] / 2, v[-1:]]))
    m = len(edges)

    def count(x):
        c = np.zeros(m + 1 if m > 1 else 3, dtype=np.int64)
        for v in x:
            if v < edges[0]:
                c[0] += 1
            elif v > edges[-1]:
                c[-1] += 1
            elif m == 1 or v == edges[-1]:
                c[-2] += 1
            else:
                c[np.searchsorted(edges, v, side="right")] += 1
        return c

    return count(ref), count(cur)


def categorical_bins(ref, cur):
    cats = sorted(set(ref), key=lambda s: s.encode("utf-8"))
    index = {c: i for i, c in enumerate(cats)}

    def count(x):
        c = np.zeros(len(cats) + 1, dtype=np.int64)
        for v in x:
            c[index.get(v, len(cats))] += 1
        return c

    return count(ref), count(cur)


def chi2(rc, cc):
    keep = (rc + cc) > 0
    table = np.array([rc[keep], cc[keep]], dtype=float)
    if table.shape[1] == 1:
        return 0.0, 1.0
    res = stats.chi2_contingency(table)
    return float(res[0]), float(res[1])


def smoothed(c):
    return (c + 0.5) / (c.sum() + 0.5 * len(c))


def score(method, ref, cur, numeric, nbins):
    """(statistic, p-value or None) of `method` on present values."""
    if method == "ks":
        r = stats.ks_2samp(ref, cur)
        return float(r.statistic), float(r.pvalue)
    if method == "wasserstein":
        return float(stats.wasserstein_distance(ref, cur) / np.std(ref)), None
    if method == "z":
        cats = sorted(set(ref), key=lambda s: s.encode("utf-8"))
        assert len(cats) == 2 and set(cur) <= set(cats)
        x1, n1 = sum(v == cats[0] for v in ref), len(ref)
        x2, n2 = sum(v == cats[0] for v in cur), len(cur)
        p1, p2, p = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2)
        z = (p1 - p2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
        check = stats.chi2_contingency(np.array([[x1, n1 - x1], [x2, n2 - x2]]),
                                       correction=False)
        assert abs(check[0] - z * z) <= 1e-12 * z * z
        return abs(z), float(check[1])
    rc, cc = numeric_bins(ref, cur, nbins) if numeric else categorical_bins(ref, cur)
    if method == "chi2":
        return chi2(rc, cc)
    p, q = rc / rc.sum(), cc / cc.sum()
    if method == "psi":
        ps, qs = smoothed(rc), smoothed(cc)
        return float(np.sum((qs - ps) * np.log(qs / ps))), None
    if method == "kl":
        ps, qs = smoothed(rc), smoothed(cc)
        return float(np.sum(qs * np.log(qs / ps))), None
    if method == "jensen_shannon":
        return float(distance.jensenshannon(p, q, base=2)), None
    if method == "hellinger":
        return float(np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2))), None
    raise ValueError(method)


def default_method(ref_values, numeric):
    distinct = len(set(ref_values))
    if numeric and distinct > 5:
        return "ks"
    return "z" if distinct <= 2 else "chi2"


def adjust(pvalues, correction):
    m = len(pvalues)
    if correction == "none" or m == 0:
        return list(pvalues)
    if correction == "bonferroni":
        return [min(1.0, p * m) for p in pvalues]
    order = sorted(range(m), key=lambda i: pvalues[i])
    out = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, pvalues[i] * m / rank)
        out[i] = min(1.0, running)
    return out


def case(reference, current, options=(), methods=None, correction="benjamini_hochberg",
         nbins=10):
    """Expected report of `mlops drift --reference R --current C OPTIONS`;
    `methods` maps a column to (method, threshold or None) or "skip"."""
    methods = methods or {}
    ref = pd.read_csv(os.path.join(FIXTURES, reference))
    cur = pd.read_csv(os.path.join(FIXTURES, current))
    assert len(ref) <= 1000
    columns = []
    for name in ref.columns:
        spec = methods.get(name)
        if spec == "skip":
            continue
        numeric = pd.api.types.is_numeric_dtype(ref[name])
        r = ref[name].dropna()
        c = cur[name].dropna()
        if numeric:
            r, c = r.to_numpy(dtype=float), c.to_numpy(dtype=float)
        else:
            r, c = [str(v) for v in r], [str(v) for v in c]
        method, threshold = spec if spec else (default_method(r, numeric), None)
        threshold = DEFAULT_THRESHOLD[method] if threshold is None else threshold
        stat, p = score(method, r, c, numeric, nbins)
        columns.append({"name": name, "type": "numeric" if numeric else "categorical",
                        "method": method, "statistic": stat, "p_value": p,
                        "threshold": threshold, "reference_rows": len(r),
                        "current_rows": len(c)})
    with_p = [col for col in columns if col["p_value"] is not None]
    for col, padj in zip(with_p, adjust([col["p_value"] for col in with_p], correction)):
        col["p_value_adjusted"] = padj
    for col in columns:
        if col["p_value"] is None:
            col["p_value_adjusted"] = None
            col["drifted"] = col["statistic"] >= col["threshold"]
        else:
            col["drifted"] = col["p_value_adjusted"] < col["threshold"]
    share = sum(col["drifted"] for col in columns) / len(columns)
    return {"reference": REL + reference, "current": REL + current, "options": list(options),
            "columns": columns, "share": share, "dataset_drift": share >= 0.5}


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    make_small()
    make_cars()
    methods = {"a": ("psi", None), "b": ("wasserstein", None),
               "color": ("jensen_shannon", 0.2), "flag": "skip", "level": ("hellinger", None)}
    doc = {
        "small": case("small_reference.csv", "small_current.csv"),
        "small_bonferroni": case("small_reference.csv", "small_current.csv",
                                 ["--correction", "bonferroni"], correction="bonferroni"),
        "small_methods": case("small_reference.csv", "small_current.csv",
                              ["--column", "a=psi", "--column", "b=wasserstein",
                               "--column", "color=jensen_shannon:0.2", "--column", "flag=skip",
                               "--column", "level=hellinger", "--correction", "none"],
                              methods=methods, correction="none"),
        "small_kl_bins": case("small_reference.csv", "small_current.csv",
                              ["--method", "kl:0.15", "--bins", "4"],
                              methods={k: ("kl", 0.15) for k in ("a", "b", "color", "flag",
                                                                  "level")},
                              nbins=4),
        "same": case("small_reference.csv", "small_shuffled.csv"),
        "cars": case("cars_1970_1975.csv", "cars_1980_1982.csv"),
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
