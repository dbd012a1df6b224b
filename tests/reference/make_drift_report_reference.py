#!/usr/bin/python3
"""Reference answers for drift reports made through the public API
(mlops_drift_monitor_compare(), include/mlops/drift.h), from NumPy and SciPy.

Writes the fixture CSVs tests/data/drift/<pair>_reference.csv and
<pair>_current.csv, and tests/monitor/drift_report_reference.h with what a
report on them must say. Fixture pairs:

  small  800 / 600 rows. num_shift (a shifted normal: ks, exact p-value
         path), num_ties (integer counts with ties, and current values below
         and above the reference range: the outer bins and the out_of_range
         finding), num_levels (4 distinct values: chi2 by default),
         num_missing (empty cells on both sides, the missing rate rising from
         5% to 20%: the missing_jump finding), cat_unseen (a category unseen
         in the reference, one absent from the current data, empty cells),
         cat_binary (two categories: z-test, empty cells).
  large  3000 / 2500 rows: num_wide (shifted, 1% empty cells), num_stable
         (same distribution), cat_large (4 categories, shifted), bin_large
         (two categories, same distribution). A reference above 1000 rows:
         wasserstein and jensen_shannon by default. SciPy 1.10 still takes
         the exact KS p-value here (max(n1, n2) <= 10000).
  asymp  10001 / 400 rows, one integer column: max(n1, n2) > 10000, so
         SciPy's ks_2samp (method 'auto') takes the asymptotic p-value.

Every cell is written as text first and the values are parsed back with
Python's float() (correctly rounded, as the library's reader), so both sides
see the same doubles. Missing cells are dropped before every statistic.

Per column and method, independently of the C code:

  ks              scipy.stats.ks_2samp(ref, cur) (method 'auto'): statistic,
                  pvalue
  wasserstein     scipy.stats.wasserstein_distance(ref, cur) / numpy.std(ref)
  bins (numeric)  edges = numpy.unique(numpy.quantile(ref, linspace(0, 1, 11)))
                  counts = [x < e0] + numpy.histogram(x, edges) + [x > e_last]
                  (a single edge: [x == e0] as the inner bin)
  bins (categ.)   reference categories sorted by their bytes, then one bin
                  for categories the reference never had
  psi, kl         on p_i = (c_i + 0.5) / (n + 0.5 k), q likewise:
                  sum (q - p) ln(q / p) and sum q ln(q / p)
  jensen_shannon  scipy.spatial.distance.jensenshannon(p, q, base=2) on the
                  unsmoothed proportions
  hellinger       sqrt(sum (sqrt p - sqrt q)^2 / 2) on the proportions (equal
                  to sqrt(1 - sum sqrt(p q)) without its cancellation)
  chi2            scipy.stats.chi2_contingency([ref_counts, cur_counts]) on
                  the bins, columns empty on both sides dropped first
  z               pooled two-proportion z-test on the first category in byte
                  order: z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)),
                  p-value 2 norm.sf(|z|) (p1 the reference's proportion)

The binned scores are also recomputed with mpmath at 50 digits, and the
script stops if NumPy/SciPy differ from that by more than 1e-12 relative.

Scenarios (a set of column methods, a correction and a drift_share) give
the expected report: per column the method chosen (the default rules of
drift.h when "auto"), statistic, p-value, adjusted p-value
(bonferroni: min(1, m p); benjamini_hochberg: m p_(i) / i made monotone from
the largest p down and capped at 1; m the number of p-value columns
compared), threshold and decision, the drift share and verdict, and the
severity. Findings per pair: out_of_range (current values outside
[min, max] of the reference, when more than range_share = 1% of the present
current values), unseen_categories (current values of
categories the reference lacks), missing_jump (missing rate up by >= 0.1;
count = the current missing values).

Also the cars acceptance case (tests/data/real/cars.csv): reference = model
years up to 1975, current = 1980 and later, Name and Year skipped, default
settings (benjamini_hochberg over the 7 columns left).

Rerun from the repository root:

    /usr/bin/python3 tests/reference/make_drift_report_reference.py

A numeric column with at most 10 distinct reference values gets one bin
per value (profile.h, mlops_profile_fix_bins).

Needs Debian's python3-numpy, python3-scipy and python3-mpmath; the committed
files were made with NumPy 1.24.2, SciPy 1.10.1, mpmath 1.2.1. The fixtures
come from numpy.random.default_rng with fixed seeds, so a rerun rewrites the
same bytes.
"""
import csv
import math
import os
import sys

import mpmath
import numpy as np
import scipy
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, norm, wasserstein_distance

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "tests", "data", "drift")
OUT = os.path.join(ROOT, "tests", "monitor", "drift_report_reference.h")
CARS = os.path.join(ROOT, "tests", "data", "real", "cars.csv")

BINS = 10
ALPHA = 0.5
MISSING_JUMP = 0.1
RANGE_SHARE = 0.01
PVALUE_METHODS = ("ks", "chi2", "z")
DEFAULT_THRESHOLD = {"ks": 0.05, "chi2": 0.05, "z": 0.05, "wasserstein": 0.1, "psi": 0.1,
                     "jensen_shannon": 0.1, "hellinger": 0.1, "kl": 0.1}
NUMERIC_METHODS = ("ks", "wasserstein", "psi", "kl", "jensen_shannon", "hellinger", "chi2")
CATEGORICAL_METHODS = ("psi", "kl", "jensen_shannon", "hellinger", "chi2")
MISSING_TOKENS = ("", "NA", "N/A", "NaN", "null")

mpmath.mp.dps = 50


# ---- fixture text ------------------------------------------------------------

def num_cells(values, decimals, missing_mask=None):
    out = []
    for i, v in enumerate(values):
        if missing_mask is not None and missing_mask[i]:
            out.append("")
            continue
        s = "%.*f" % (decimals, v)
        if float(s) == 0.0:
            s = "%.*f" % (decimals, 0.0)
        out.append(s)
    return out


def cat_cells(rng, categories, probs, n, missing_rate=0.0):
    idx = rng.choice(len(categories), size=n, p=probs)
    cells = [categories[i] for i in idx]
    if missing_rate > 0:
        miss = rng.random(n) < missing_rate
        cells = ["" if m else c for c, m in zip(cells, miss)]
    return cells


def make_small():
    r = np.random.default_rng(9101)
    nr, nc = 800, 600
    ref, cur = {}, {}
    ref["num_shift"] = num_cells(r.normal(0.0, 1.0, nr), 4)
    cur["num_shift"] = num_cells(r.normal(0.25, 1.1, nc), 4)
    ref["num_ties"] = num_cells(r.poisson(6.0, nr).astype(float), 0)
    ct = r.poisson(6.5, nc).astype(float)
    # Values below the reference minimum (>= 0) and above its maximum.
    ct[:12] = [-3, -1, -1, -2, 25, 25, 30, 27, 40, 26, -1, 33]
    r.shuffle(ct)
    cur["num_ties"] = num_cells(ct, 0)
    ref["num_levels"] = num_cells(r.choice([1.0, 2.0, 3.0, 4.0], nr, p=[.1, .2, .3, .4]), 0)
    cur["num_levels"] = num_cells(r.choice([1.0, 2.0, 3.0, 4.0], nc, p=[.15, .25, .3, .3]), 0)
    ref["num_missing"] = num_cells(r.normal(50.0, 10.0, nr), 2, r.random(nr) < 0.05)
    cur["num_missing"] = num_cells(r.normal(50.0, 10.0, nc), 2, r.random(nc) < 0.20)
    ref["cat_unseen"] = cat_cells(r, ["charlie", "alpha", "echo", "bravo", "delta"],
                                  [.3, .25, .1, .2, .15], nr, 0.03)
    cur["cat_unseen"] = cat_cells(r, ["charlie", "alpha", "foxtrot", "bravo", "delta"],
                                  [.25, .3, .05, .2, .2], nc, 0.04)
    ref["cat_binary"] = cat_cells(r, ["yes", "no"], [.4, .6], nr, 0.02)
    cur["cat_binary"] = cat_cells(r, ["yes", "no"], [.5, .5], nc, 0.02)
    return ref, cur


def make_large():
    r = np.random.default_rng(9102)
    nr, nc = 3000, 2500
    ref, cur = {}, {}
    ref["num_wide"] = num_cells(r.normal(10.0, 2.0, nr), 2, r.random(nr) < 0.01)
    cur["num_wide"] = num_cells(r.normal(10.6, 2.2, nc), 2, r.random(nc) < 0.01)
    ref["num_stable"] = num_cells(r.normal(100.0, 15.0, nr), 0)
    cur["num_stable"] = num_cells(r.normal(100.0, 15.0, nc), 0)
    ref["cat_large"] = cat_cells(r, ["n", "e", "s", "w"], [.4, .3, .2, .1], nr)
    cur["cat_large"] = cat_cells(r, ["n", "e", "s", "w"], [.25, .25, .25, .25], nc)
    ref["bin_large"] = cat_cells(r, ["no", "yes"], [.7, .3], nr)
    cur["bin_large"] = cat_cells(r, ["no", "yes"], [.7, .3], nc)
    return ref, cur


def make_asymp():
    r = np.random.default_rng(9103)
    ref = {"value": num_cells(r.normal(500.0, 100.0, 10001), 0)}
    cur = {"value": num_cells(r.normal(512.0, 100.0, 400), 0)}
    return ref, cur


def write_csv(path, cols):
    names = list(cols)
    n = len(cols[names[0]])
    with open(path, "w", newline="") as f:
        f.write(",".join(names) + "\n")
        for i in range(n):
            f.write(",".join(cols[c][i] for c in names) + "\n")


def read_csv_columns(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    names = rows[0]
    cols = {n: [row[j] for row in rows[1:]] for j, n in enumerate(names)}
    return names, cols


def is_numeric(cells):
    present = [c for c in cells if c not in MISSING_TOKENS]
    try:
        for c in present:
            float(c)
    except ValueError:
        return False
    return True


# ---- statistics ----------------------------------------------------------------

# The documented rule (profile.h): quantile edges, except that a column
# with at most BINS distinct reference values gets one bin per value (edges
# at the smallest value, the midpoints a/2 + b/2 of neighbours and the
# largest value).


def numeric_bins(ref, x):
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, BINS + 1)))
    v = np.unique(ref)
    if 2 <= len(v) <= BINS:
        edges = np.unique(np.concatenate([v[:1], v[:-1] / 2 + v[1:] / 2, v[-1:]]))
    below = int((x < edges[0]).sum())
    above = int((x > edges[-1]).sum())
    if len(edges) == 1:
        inner = [int((x == edges[0]).sum())]
    else:
        inner = [int(c) for c in np.histogram(x, bins=edges)[0]]
    counts = [below] + inner + [above]
    assert sum(counts) == len(x)
    return counts


def categorical_bins(ref_cats, x):
    index = {c: i for i, c in enumerate(ref_cats)}
    counts = [0] * (len(ref_cats) + 1)
    for v in x:
        counts[index.get(v, len(ref_cats))] += 1
    return counts


def binned_scores(cref, ccur):
    cref = np.asarray(cref, dtype=np.int64)
    ccur = np.asarray(ccur, dtype=np.int64)
    k = len(cref)
    p = (cref + ALPHA) / (cref.sum() + ALPHA * k)
    q = (ccur + ALPHA) / (ccur.sum() + ALPHA * k)
    pr = cref / cref.sum()
    qr = ccur / ccur.sum()
    keep = (cref + ccur) > 0
    table = np.array([cref[keep], ccur[keep]])
    if table.shape[1] >= 2:
        c2 = chi2_contingency(table)
        chi2 = (float(c2[0]), float(c2[1]))
    else:
        chi2 = (0.0, 1.0)
    s = {
        "psi": (float(np.sum((q - p) * np.log(q / p))), math.nan),
        "kl": (float(np.sum(q * np.log(q / p))), math.nan),
        "jensen_shannon": (float(jensenshannon(pr, qr, base=2)), math.nan),
        "hellinger": (float(np.sqrt(0.5 * np.sum((np.sqrt(pr) - np.sqrt(qr)) ** 2))), math.nan),
        "chi2": chi2,
    }
    check_binned(cref, ccur, s)
    return s


def check_binned(cref, ccur, s):
    """50-digit recomputation of the binned scores; stops on disagreement."""
    k = len(cref)
    nr, nc = int(sum(cref)), int(sum(ccur))
    a = mpmath.mpf(1) / 2
    p = [(mpmath.mpf(int(c)) + a) / (nr + a * k) for c in cref]
    q = [(mpmath.mpf(int(c)) + a) / (nc + a * k) for c in ccur]
    psi = sum((qi - pi) * mpmath.log(qi / pi) for pi, qi in zip(p, q))
    kl = sum(qi * mpmath.log(qi / pi) for pi, qi in zip(p, q))
    pr = [mpmath.mpf(int(c)) / nr for c in cref]
    qr = [mpmath.mpf(int(c)) / nc for c in ccur]
    js2 = mpmath.mpf(0)
    h2 = mpmath.mpf(0)
    for pi, qi in zip(pr, qr):
        m = (pi + qi) / 2
        if pi > 0:
            js2 += pi * mpmath.log(pi / m)
        if qi > 0:
            js2 += qi * mpmath.log(qi / m)
        h2 += (mpmath.sqrt(pi) - mpmath.sqrt(qi)) ** 2 / 2
    exact = {"psi": psi, "kl": kl, "jensen_shannon": mpmath.sqrt(js2 / (2 * mpmath.log(2))),
             "hellinger": mpmath.sqrt(h2)}
    for key, want in exact.items():
        got = s[key][0]
        err = abs(mpmath.mpf(got) - want) / max(abs(want), mpmath.mpf("1e-300"))
        assert err < 1e-12, (key, got, float(want), float(err))


def ztest(cref_first, nref, ccur_first, ncur):
    p1, p2 = cref_first / nref, ccur_first / ncur
    pp = (cref_first + ccur_first) / (nref + ncur)
    if pp == 0 or pp == 1:
        return 0.0, 1.0
    z = (p1 - p2) / math.sqrt(pp * (1 - pp) * (1 / nref + 1 / ncur))
    pv = float(2 * norm.sf(abs(z)))
    # z^2 is the uncorrected chi-square statistic of the 2 x 2 table.
    c2 = chi2_contingency([[cref_first, nref - cref_first], [ccur_first, ncur - ccur_first]],
                          correction=False)
    assert abs(z * z - c2[0]) <= 1e-12 * c2[0] and abs(pv - c2[1]) <= 1e-12 * c2[1]
    return z, pv


class Column:
    """One column of a pair: values, bins, every applicable score."""

    def __init__(self, name, ref_cells, cur_cells):
        self.name = name
        self.numeric = is_numeric(ref_cells) and is_numeric(cur_cells)
        self.ref_rows, self.cur_rows = len(ref_cells), len(cur_cells)
        rp = [c for c in ref_cells if c not in MISSING_TOKENS]
        cp = [c for c in cur_cells if c not in MISSING_TOKENS]
        self.ref_missing = self.ref_rows - len(rp)
        self.cur_missing = self.cur_rows - len(cp)
        self.scores = {}
        if self.numeric:
            ref = np.array([float(c) for c in rp])
            cur = np.array([float(c) for c in cp])
            self.distinct = len(np.unique(ref))
            self.cref = numeric_bins(ref, ref)
            self.ccur = numeric_bins(ref, cur)
            assert self.cref[0] == 0 and self.cref[-1] == 0
            ks = ks_2samp(ref, cur)
            self.scores["ks"] = (float(ks.statistic), float(ks.pvalue))
            w = float(wasserstein_distance(ref, cur))
            self.scores["wasserstein"] = (w / float(np.std(ref)), math.nan)
            self.out_of_range = int(((cur < ref.min()) | (cur > ref.max())).sum())
            assert self.out_of_range == self.ccur[0] + self.ccur[-1]
            self.unseen = 0
            methods = NUMERIC_METHODS
        else:
            cats = sorted(set(rp), key=lambda s: s.encode("utf-8"))
            self.distinct = len(cats)
            self.categories = cats
            self.cref = categorical_bins(cats, rp)
            self.ccur = categorical_bins(cats, cp)
            self.unseen = self.ccur[-1]
            self.out_of_range = 0
            methods = CATEGORICAL_METHODS
            if len(cats) == 2:
                self.scores["z"] = ztest(self.cref[0], len(rp), self.ccur[0], len(cp))
                methods = methods + ("z",)
        self.scores.update(binned_scores(self.cref, self.ccur))
        self.methods = methods
        self.missing_jump = (self.cur_missing / self.cur_rows
                             - self.ref_missing / self.ref_rows) >= MISSING_JUMP

    def default_method(self):
        if self.ref_rows <= 1000:
            if self.numeric and self.distinct > 5:
                return "ks"
            return "z" if self.distinct <= 2 else "chi2"
        if self.numeric and self.distinct > 5:
            return "wasserstein"
        return "jensen_shannon"


def load_pair(name):
    rn, rc = read_csv_columns(os.path.join(DATA, name + "_reference.csv"))
    cn, cc = read_csv_columns(os.path.join(DATA, name + "_current.csv"))
    assert rn == cn
    return [Column(n, rc[n], cc[n]) for n in rn]


def findings(columns):
    out = []
    for c in columns:
        if c.unseen:
            out.append((c.name, "unseen_categories", c.unseen))
        if c.out_of_range > RANGE_SHARE * (c.cur_rows - c.cur_missing):
            out.append((c.name, "out_of_range", c.out_of_range))
        if c.missing_jump:
            out.append((c.name, "missing_jump", c.cur_missing))
    return out


def adjust(pvals, correction):
    p = np.asarray(pvals, dtype=float)
    m = len(p)
    if m == 0 or correction == "none":
        return p
    if correction == "bonferroni":
        return np.minimum(1.0, p * m)
    order = np.argsort(p, kind="mergesort")
    ranked = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    out = np.empty(m)
    out[order] = adj
    return out


def scenario(columns, correction="benjamini_hochberg", drift_share=0.5, settings=(),
             set_method=None):
    """The expected report for per-column (column, method, threshold)
    settings on top of an optional mlops_drift_monitor_set_method()."""
    chosen = {}
    for c in columns:
        method, thr = "auto", math.nan
        if set_method is not None:
            m, t = set_method
            fits = m in c.methods
            if fits:
                method, thr = m, t
        for name, m, t in settings:
            if name == c.name:
                method, thr = m, t
        if method == "skip":
            continue
        if method == "auto":
            method = c.default_method()
        if math.isnan(thr):
            thr = DEFAULT_THRESHOLD[method]
        chosen[c.name] = (c, method, thr)
    pcols = [k for k, (c, m, t) in chosen.items() if m in PVALUE_METHODS]
    adj = dict(zip(pcols, adjust([chosen[k][0].scores[chosen[k][1]][1] for k in pcols],
                                 correction)))
    results = []
    for name, (c, method, thr) in chosen.items():
        stat, pv = c.scores[method]
        if method in PVALUE_METHODS:
            padj = float(adj[name])
            drifted = padj < thr
        else:
            padj = math.nan
            drifted = stat >= thr
        results.append((name, method, stat, pv, padj, thr, int(drifted)))
    ndrift = sum(r[6] for r in results)
    share = ndrift / len(results)
    dataset = int(share >= drift_share)
    kept = [c for c in columns if c.name in chosen]
    severity = 2 if dataset else (1 if ndrift or findings(kept) else 0)
    return results, share, dataset, severity


# ---- C output ------------------------------------------------------------------

def cdouble(v):
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    return float(v).hex()


def cstr(s):
    return "NULL" if s is None else '"' + s + '"'


def main():
    os.makedirs(DATA, exist_ok=True)
    for name, maker in (("small", make_small), ("large", make_large), ("asymp", make_asymp)):
        ref, cur = maker()
        write_csv(os.path.join(DATA, name + "_reference.csv"), ref)
        write_csv(os.path.join(DATA, name + "_current.csv"), cur)
    total = sum(os.path.getsize(os.path.join(DATA, f)) for f in os.listdir(DATA))
    assert total < 300 * 1024, total

    pairs = [(n, load_pair(n)) for n in ("small", "large", "asymp")]
    P = {n: i for i, (n, _) in enumerate(pairs)}
    scenarios = [
        ("small defaults, none", "small", "none", None, (), None),
        ("small defaults, bonferroni", "small", "bonferroni", "0.8", (), None),
        ("small defaults, benjamini_hochberg", "small", None, None, (), None),
        ("small mixed, benjamini_hochberg", "small", "benjamini_hochberg", "0.25",
         (("num_missing", "psi", math.nan), ("cat_binary", "skip", math.nan),
          ("num_shift", "ks", 0.001), ("cat_unseen", "hellinger", 0.05)), None),
        ("large defaults", "large", None, None, (), None),
        ("large set_method ks", "large", None, None, (), ("ks", math.nan)),
        ("large set_method chi2, bonferroni", "large", "bonferroni", "1",
         (("num_stable", "psi", 0.05),), ("chi2", math.nan)),
        ("asymp defaults", "asymp", None, None, (), None),
        ("asymp ks", "asymp", "none", None, (("value", "ks", math.nan),), None),
    ]

    lines = []
    w = lines.append
    w("/* Generated by tests/reference/make_drift_report_reference.py with SciPy %s, "
      "NumPy %s; do not edit. */" % (scipy.__version__, np.__version__))
    w("#include <math.h>")
    w("#include <stddef.h>")
    w("#include <stdint.h>")
    w("")
    w("/* One column under one method, correction none. */")
    w("typedef struct drift_ref_value {")
    w("    const char *column, *method;")
    w("    double statistic, p_value; /* p_value NAN for distances */")
    w("    double threshold;          /* the method's default */")
    w("    int drifted;")
    w("} drift_ref_value;")
    w("")
    w("typedef struct drift_ref_column {")
    w("    const char *name;")
    w("    int numeric;")
    w("    const char *default_method;")
    w("    uint64_t ref_missing, cur_missing, out_of_range, unseen;")
    w("    size_t first_bin, nbins; /* into drift_ref_bins_ref / _cur */")
    w("} drift_ref_column;")
    w("")
    w("typedef struct drift_ref_finding {")
    w("    const char *column, *kind;")
    w("    uint64_t count;")
    w("} drift_ref_finding;")
    w("")
    w("typedef struct drift_ref_pair {")
    w("    const char *name; /* tests/data/drift/<name>_reference.csv, _current.csv */")
    w("    size_t reference_rows, current_rows;")
    w("    size_t first_column, ncolumns;")
    w("    size_t first_value, nvalues;")
    w("    size_t first_finding, nfindings;")
    w("} drift_ref_pair;")
    w("")
    w("/* mlops_drift_monitor_set_column(column, method, threshold). */")
    w("typedef struct drift_ref_setting {")
    w("    const char *column, *method;")
    w("    double threshold;")
    w("} drift_ref_setting;")
    w("")
    w("typedef struct drift_ref_result {")
    w("    const char *column, *method;")
    w("    double statistic, p_value, p_adjusted, threshold;")
    w("    int drifted;")
    w("} drift_ref_result;")
    w("")
    w("typedef struct drift_ref_scenario {")
    w("    const char *name;")
    w("    size_t pair;")
    w("    const char *correction;  /* NULL: leave the default */")
    w("    const char *drift_share; /* NULL: leave the default */")
    w("    const char *set_method;  /* NULL or mlops_drift_monitor_set_method(m, this, NAN) */")
    w("    size_t first_setting, nsettings;")
    w("    size_t first_result, nresults;")
    w("    double share;")
    w("    int dataset_drift, severity;")
    w("} drift_ref_scenario;")
    w("")

    cols_out, vals_out, finds_out, pairs_out = [], [], [], []
    bins_ref, bins_cur = [], []
    for name, columns in pairs:
        fc, fv, ff = len(cols_out), len(vals_out), len(finds_out)
        for c in columns:
            cols_out.append('    {"%s", %d, "%s", %d, %d, %d, %d, %d, %d},' % (
                c.name, int(c.numeric), c.default_method(), c.ref_missing, c.cur_missing,
                c.out_of_range, c.unseen, len(bins_ref), len(c.cref)))
            bins_ref.extend(c.cref)
            bins_cur.extend(c.ccur)
            for m in c.methods:
                stat, pv = c.scores[m]
                thr = DEFAULT_THRESHOLD[m]
                drifted = (pv < thr) if m in PVALUE_METHODS else (stat >= thr)
                vals_out.append('    {"%s", "%s", %s, %s, %s, %d},' % (
                    c.name, m, cdouble(stat), cdouble(pv), cdouble(thr), int(drifted)))
        for col, kind, count in findings(columns):
            finds_out.append('    {"%s", "%s", %d},' % (col, kind, count))
        pairs_out.append('    {"%s", %d, %d, %d, %d, %d, %d, %d, %d},' % (
            name, columns[0].ref_rows, columns[0].cur_rows, fc, len(cols_out) - fc, fv,
            len(vals_out) - fv, ff, len(finds_out) - ff))

    w("static const drift_ref_column drift_ref_columns[] = {")
    lines.extend(cols_out)
    w("};")
    for side, counts in (("ref", bins_ref), ("cur", bins_cur)):
        w("static const uint64_t drift_ref_bins_%s[] = {" % side)
        for i in range(0, len(counts), 12):
            w("    " + " ".join("%d," % c for c in counts[i:i + 12]))
        w("};")
    w("static const drift_ref_value drift_ref_values[] = {")
    lines.extend(vals_out)
    w("};")
    w("static const drift_ref_finding drift_ref_findings[] = {")
    lines.extend(finds_out)
    w("};")
    w("static const drift_ref_pair drift_ref_pairs[] = {")
    lines.extend(pairs_out)
    w("};")

    sets_out, res_out, scen_out = [], [], []
    for sname, pair, corr, share_s, settings, set_method in scenarios:
        columns = pairs[P[pair]][1]
        results, share, dataset, severity = scenario(
            columns, corr or "benjamini_hochberg", float(share_s) if share_s else 0.5,
            settings, set_method)
        fs, fr = len(sets_out), len(res_out)
        for col, m, t in settings:
            sets_out.append('    {"%s", "%s", %s},' % (col, m, cdouble(t)))
        for col, m, stat, pv, padj, thr, d in results:
            res_out.append('    {"%s", "%s", %s, %s, %s, %s, %d},' % (
                col, m, cdouble(stat), cdouble(pv), cdouble(padj), cdouble(thr), d))
        scen_out.append('    {"%s", %d, %s, %s, %s, %d, %d, %d, %d, %s, %d, %d},' % (
            sname, P[pair], cstr(corr), cstr(share_s),
            cstr(set_method[0] if set_method else None), fs, len(settings), fr,
            len(results), cdouble(share), dataset, severity))
    w("static const drift_ref_setting drift_ref_settings[] = {")
    lines.extend(sets_out)
    w("};")
    w("static const drift_ref_result drift_ref_results[] = {")
    lines.extend(res_out)
    w("};")
    w("static const drift_ref_scenario drift_ref_scenarios[] = {")
    lines.extend(scen_out)
    w("};")

    # Cars: reference = model years <= 1975, current = 1980 and later.
    names, cells = read_csv_columns(CARS)
    years = [int(y[:4]) for y in cells["Year"]]
    ref_rows = [i for i, y in enumerate(years) if y <= 1975]
    cur_rows = [i for i, y in enumerate(years) if y >= 1980]
    cars_cols = [Column(n, [cells[n][i] for i in ref_rows], [cells[n][i] for i in cur_rows])
                 for n in names if n not in ("Name", "Year")]
    results, share, dataset, severity = scenario(cars_cols)
    w("")
    w("/* cars.csv: model years <= 1975 against >= 1980, Name and Year skipped,")
    w(" * default settings. */")
    w("enum { CARS_REFERENCE_ROWS = %d, CARS_CURRENT_ROWS = %d };" % (len(ref_rows),
                                                                    len(cur_rows)))
    w("static const drift_ref_result drift_ref_cars[] = {")
    for col, m, stat, pv, padj, thr, d in results:
        w('    {"%s", "%s", %s, %s, %s, %s, %d},' % (col, m, cdouble(stat), cdouble(pv),
                                                     cdouble(padj), cdouble(thr), d))
    w("};")
    w("static const double drift_ref_cars_share = %s;" % cdouble(share))
    w("static const int drift_ref_cars_dataset_drift = %d;" % dataset)
    w("static const int drift_ref_cars_severity = %d;" % severity)
    w("static const drift_ref_finding drift_ref_cars_findings[] = {")
    for col, kind, count in findings(cars_cols):
        w('    {"%s", "%s", %d},' % (col, kind, count))
    w("};")

    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")

    # A readable summary for whoever reruns this.
    for name, columns in pairs:
        print("pair %s: %d / %d rows" % (name, columns[0].ref_rows, columns[0].cur_rows))
        for c in columns:
            print("  %-12s %-5s default %-14s bins %s / %s" % (
                c.name, "num" if c.numeric else "cat", c.default_method(), c.cref, c.ccur))
            for m in c.methods:
                print("      %-15s %.6g  p %.6g" % (m, c.scores[m][0], c.scores[m][1]))
        print("  findings:", findings(columns))
    print("cars:", [(r[0], r[1], "%.3g" % r[2], "%.3g" % r[4], r[6]) for r in results],
          "share %.3f dataset %d" % (share, dataset))
    print("fixtures: %d bytes" % total)


if __name__ == "__main__":
    main()
