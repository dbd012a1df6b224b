#!/usr/bin/python3
"""Reference answers for the drift binning and distance kernels
(lib/monitor/drift_divergence.h), from NumPy and SciPy.

For each numeric fixture (a reference and a current sample) this computes,
independently of the C code:

  edges   numpy.unique(numpy.quantile(ref, numpy.linspace(0, 1, B + 1)))
          (method 'linear', NumPy's own arithmetic)
  counts  per sample: (x < e_0).sum(), numpy.histogram(x, bins=edges)
          (inner bins [e_i, e_i+1), the last one closed), (x > e_last).sum();
          with a single edge the inner bin is (x == e_0).sum()
  psi     p = (c + alpha) / (n + alpha k) for both samples (k bins),
          numpy.sum((q - p) * numpy.log(q / p))
  kl      numpy.sum(q * numpy.log(q / p)) on the same smoothed p, q
  js      scipy.spatial.distance.jensenshannon(cref / nref, ccur / ncur, base=2)
  hell    numpy.sqrt(1 - numpy.sum(numpy.sqrt(p * q))) on the proportions
  wass    scipy.stats.wasserstein_distance(ref, cur)
  std     numpy.std(ref)   (ddof = 0)
  norm    wass / std; 0 when both are 0, inf when only std is 0

Categorical fixtures give the counts directly (the last bin is the "unseen"
bucket) and get psi, kl, js and hell as above. Weighted fixtures get
scipy.stats.wasserstein_distance(ux, vx, uw, vw).

Every value is also recomputed exactly or at 50 significant digits (Python
fractions for the cdf integrals and moments, mpmath for logs and roots) and
written as `exact`. The script checks that NumPy/SciPy agree with it to
1e-12 relative on every fixture marked numpy_ok, so both references are
trustworthy; the one fixture where the NumPy formulas lose digits to
cancellation (near-identical counts of millions) is marked numpy_ok = 0 and
its printed NumPy error shows why the C code forms the scores differently.

The numeric fixtures are generated with numpy.random.default_rng(seed)
(seeds below), except `cars_weight`: Weight_in_lbs from
tests/data/real/cars.csv for model years up to 1975 (reference) and from
1980 on (current), and `cars_origin`: the counts of Origin (USA, Europe,
Japan, unseen) for the same years. All sample values are written into the
header, so the C test needs nothing else.

Output: tests/monitor/drift_divergence_reference.h; doubles are C99
hexadecimal literals (float.hex()), read exactly by the compiler.

Rerun (from the repository root):

    /usr/bin/python3 tests/reference/make_drift_divergence_reference.py

It needs NumPy, SciPy, pandas and mpmath (Debian python3-numpy,
python3-scipy, python3-pandas, python3-mpmath); the committed header was
produced with NumPy 1.24.2, SciPy 1.10.1, pandas 1.5.3 and mpmath 1.2.1.
"""
import math
import os
from fractions import Fraction

import mpmath
import numpy as np
import pandas as pd
import scipy
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "monitor", "drift_divergence_reference.h")
CARS = os.path.join(ROOT, "tests", "data", "real", "cars.csv")

mpmath.mp.dps = 50
TOL = 1e-12


# ---- NumPy / SciPy side ---------------------------------------------------

def np_edges(ref, bins):
    return np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)))


def np_counts(x, edges):
    x = np.asarray(x)
    below = int((x < edges[0]).sum())
    above = int((x > edges[-1]).sum())
    if len(edges) == 1:
        inner = [int((x == edges[0]).sum())]
    else:
        inner = [int(c) for c in np.histogram(x, bins=edges)[0]]
    counts = [below] + inner + [above]
    assert sum(counts) == len(x)
    return counts


def np_scores(cref, ccur, alpha):
    cref = np.asarray(cref, dtype=np.int64)
    ccur = np.asarray(ccur, dtype=np.int64)
    k = len(cref)
    p = (cref + alpha) / (cref.sum() + alpha * k)
    q = (ccur + alpha) / (ccur.sum() + alpha * k)
    psi = float(np.sum((q - p) * np.log(q / p)))
    kl = float(np.sum(q * np.log(q / p)))
    pr = cref / cref.sum()
    qr = ccur / ccur.sum()
    js = float(jensenshannon(pr, qr, base=2))
    hell = float(np.sqrt(max(0.0, 1.0 - np.sum(np.sqrt(pr * qr)))))
    return {"psi": psi, "kl": kl, "js": js, "hellinger": hell}


def normalize(w, sd):
    if sd == 0:
        return 0.0 if w == 0 else math.inf
    return w / sd


# ---- exact side -------------------------------------------------------------

def mp_scores(cref, ccur, alpha):
    k = len(cref)
    a = mpmath.mpf(Fraction(alpha).numerator) / Fraction(alpha).denominator
    nr, nc = sum(cref), sum(ccur)
    p = [(mpmath.mpf(c) + a) / (nr + a * k) for c in cref]
    q = [(mpmath.mpf(c) + a) / (nc + a * k) for c in ccur]
    psi = sum((qi - pi) * mpmath.log(qi / pi) for pi, qi in zip(p, q))
    kl = sum(qi * mpmath.log(qi / pi) for pi, qi in zip(p, q))
    pr = [mpmath.mpf(c) / nr for c in cref]
    qr = [mpmath.mpf(c) / nc for c in ccur]
    js2 = mpmath.mpf(0)
    bc = mpmath.mpf(0)
    for pi, qi in zip(pr, qr):
        m = (pi + qi) / 2
        if pi > 0:
            js2 += pi * mpmath.log(pi / m)
        if qi > 0:
            js2 += qi * mpmath.log(qi / m)
        bc += mpmath.sqrt(pi * qi)
    js = mpmath.sqrt(js2 / (2 * mpmath.log(2)))
    hell = mpmath.sqrt(max(mpmath.mpf(0), 1 - bc))
    return {"psi": float(psi), "kl": float(kl), "js": float(js), "hellinger": float(hell)}


def exact_wasserstein(ux, uw, vx, vw):
    """Integral of |F_u - F_v| in rationals; unit weights when uw is None."""
    uw = [Fraction(1)] * len(ux) if uw is None else [Fraction(w) for w in uw]
    vw = [Fraction(1)] * len(vx) if vw is None else [Fraction(w) for w in vw]
    tu, tv = sum(uw), sum(vw)
    pts = sorted([(Fraction(x), 0, w) for x, w in zip(ux, uw)] +
                 [(Fraction(x), 1, w) for x, w in zip(vx, vw)], key=lambda t: t[0])
    fu = fv = Fraction(0)
    total = Fraction(0)
    for k, (x, side, w) in enumerate(pts):
        if side == 0:
            fu += w
        else:
            fv += w
        if k + 1 < len(pts):
            total += abs(fu / tu - fv / tv) * (pts[k + 1][0] - x)
    return total


def exact_std(x):
    xs = [Fraction(v) for v in x]
    mean = sum(xs) / len(xs)
    var = sum((v - mean) ** 2 for v in xs) / len(xs)
    return mpmath.sqrt(mpmath.mpf(var.numerator) / var.denominator)


def rel(a, b):
    if a == b:
        return 0.0
    if math.isinf(a) or math.isinf(b):
        return math.inf
    return abs(a - b) / max(abs(b), 1e-300)


# ---- fixtures -----------------------------------------------------------------

def numeric_fixtures():
    fx = []

    def add(name, ref, cur, bins=10, alpha=0.5):
        fx.append((name, np.asarray(ref, dtype=float), np.asarray(cur, dtype=float), bins, alpha))

    r = np.random.default_rng(601)
    add("normal_shift", r.normal(0.0, 1.0, 500), r.normal(0.3, 1.2, 400))
    r = np.random.default_rng(602)
    add("normal_same", r.normal(5.0, 2.0, 600), r.normal(5.0, 2.0, 500))
    r = np.random.default_rng(603)
    add("ties_rounded", np.round(r.normal(0.0, 1.0, 300) * 2) / 2,
        np.round(r.normal(0.5, 1.0, 250) * 2) / 2)
    r = np.random.default_rng(604)
    add("ties_poisson", r.poisson(2.0, 300).astype(float), r.poisson(2.6, 200).astype(float))
    r = np.random.default_rng(605)
    add("constant_reference", np.full(50, 3.0),
        np.concatenate([np.full(30, 3.0), r.normal(3.0, 1.0, 20)]))
    add("constant_both", np.full(20, -1.25), np.full(7, -1.25))
    r = np.random.default_rng(606)
    add("empty_current_bins", r.uniform(0.0, 10.0, 300), r.uniform(0.0, 3.0, 200))
    r = np.random.default_rng(607)
    add("outside_range", r.normal(0.0, 1.0, 300),
        np.concatenate([r.normal(0.0, 1.0, 150), r.uniform(-9.0, -5.0, 30),
                        r.uniform(5.0, 9.0, 20)]))
    add("tiny", [2.0, -1.0, 0.5], [0.0, 3.0])
    add("single_reference", [1.5], [1.5, 1.0, 2.0, 1.5])
    r = np.random.default_rng(608)
    add("bins_20", r.exponential(1.0, 600), r.exponential(1.3, 500), bins=20)
    r = np.random.default_rng(609)
    add("bins_100", r.normal(0.0, 1.0, 1000), r.standard_t(5, 800), bins=100)
    r = np.random.default_rng(612)
    add("equal_sizes", r.normal(0.0, 1.0, 300), r.gamma(2.0, 1.0, 300))
    r = np.random.default_rng(610)
    add("alpha_1", r.lognormal(0.0, 1.0, 200), r.lognormal(0.2, 1.0, 150), alpha=1.0)

    cars = pd.read_csv(CARS)
    year = pd.to_datetime(cars["Year"]).dt.year
    w = cars["Weight_in_lbs"]
    add("cars_weight", w[year <= 1975].to_numpy(dtype=float), w[year >= 1980].to_numpy(dtype=float))
    return fx, cars, year


def categorical_fixtures(cars, year):
    order = ["USA", "Europe", "Japan"]
    vr = cars["Origin"][year <= 1975].value_counts()
    vc = cars["Origin"][year >= 1980].value_counts()
    fx = [
        ("cars_origin", [int(vr.get(o, 0)) for o in order] + [0],
         [int(vc.get(o, 0)) for o in order] + [0], 0.5, 1),
        ("unseen_categories", [50, 30, 20, 0], [10, 30, 25, 35], 0.5, 1),
        ("disjoint", [10, 0, 5, 0], [0, 7, 0, 3], 0.5, 1),
        ("identical", [5, 5, 5], [5, 5, 5], 0.5, 1),
        ("proportional", [10, 20, 30, 0], [20, 40, 60, 0], 0.5, 1),
        ("single_bin", [7], [3], 0.5, 1),
        ("alpha_2", [40, 1, 0, 9], [38, 0, 2, 10], 2.0, 1),
        # NumPy's 1 - sum sqrt(p q) and q - p cancel here (numpy_ok = 0).
        ("near_identical_large", [1000000, 2000000, 3000000, 4000000],
         [1000003, 1999998, 3000000, 3999999], 0.5, 0),
    ]
    return fx


def weighted_fixtures():
    r = np.random.default_rng(611)
    fx = [
        ("histogram_ties", [0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0],
         [0.5, 1.0, 1.0, 2.5], [2.0, 0.0, 1.0, 0.25]),
        ("repeated_points", [1.0, 1.0, 2.0, 5.0, 5.0], [0.3, 0.2, 1.0, 0.1, 0.4],
         [0.0, 2.0, 2.0, 4.0], [1.0, 1.0, 1.0, 1.0]),
        ("random", np.sort(r.normal(0, 1, 60)), r.uniform(0.0, 2.0, 60),
         np.sort(r.normal(0.4, 1.5, 45)), r.uniform(0.0, 2.0, 45)),
        ("single_points", [2.0], [3.0], [-1.0], [0.5]),
    ]
    return [(n, np.asarray(a, float), np.asarray(b, float), np.asarray(c, float),
             np.asarray(d, float)) for n, a, b, c, d in fx]


# ---- output -------------------------------------------------------------------

def hexd(v):
    v = float(v)
    if math.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    return v.hex()


def darray(name, values):
    vals = [hexd(v) for v in values]
    lines = []
    for i in range(0, len(vals), 4):
        lines.append("    " + ", ".join(vals[i:i + 4]) + ",")
    return "static const double %s[%d] = {\n%s\n};\n" % (name, len(vals), "\n".join(lines))


def uarray(name, values):
    return "static const uint64_t %s[%d] = {%s};\n" % (
        name, len(values), ", ".join("UINT64_C(%d)" % v for v in values))


def scores_init(s):
    return "{%s, %s, %s, %s, %s, %s, %s}" % tuple(
        hexd(s[k]) for k in ("psi", "kl", "js", "hellinger", "wasserstein", "std", "norm"))


def main():
    out = []
    worst = {}

    def note(kind, key, numpy_value, exact_value):
        e = rel(numpy_value, exact_value)
        worst[(kind, key)] = max(worst.get((kind, key), 0.0), e)
        return e

    nfx, cars, year = numeric_fixtures()
    entries = []
    for name, ref, cur, bins, alpha in nfx:
        edges = np_edges(ref, bins)
        cr, cc = np_counts(ref, edges), np_counts(cur, edges)
        s = np_scores(cr, cc, alpha)
        s["wasserstein"] = float(wasserstein_distance(ref, cur))
        s["std"] = float(np.std(ref))
        s["norm"] = normalize(s["wasserstein"], s["std"])
        x = mp_scores(cr, cc, alpha)
        x["wasserstein"] = float(exact_wasserstein(ref, None, cur, None))
        x["std"] = float(exact_std(ref))
        x["norm"] = normalize(x["wasserstein"], x["std"])
        for key in s:
            e = note("numeric", key, s[key], x[key])
            assert e <= TOL, (name, key, s[key], x[key], e)
        p = "fx_%s" % name
        out.append(darray(p + "_ref", ref))
        out.append(darray(p + "_cur", cur))
        out.append(darray(p + "_edges", edges))
        out.append(uarray(p + "_ref_counts", cr))
        out.append(uarray(p + "_cur_counts", cc))
        entries.append(
            '    {"%s", %s_ref, %d, %s_cur, %d, %d, %s, %s_edges, %d, %s_ref_counts, '
            "%s_cur_counts, %d,\n     %s,\n     %s},\n" % (
                name, p, len(ref), p, len(cur), bins, hexd(alpha), p, len(edges), p, p, len(cr),
                scores_init(s), scores_init(x)))
    out.append("static const drift_numeric_fixture numeric_fixtures[] = {\n%s};\n"
               % "".join(entries))

    entries = []
    for name, cr, cc, alpha, numpy_ok in categorical_fixtures(cars, year):
        s = np_scores(cr, cc, alpha)
        x = mp_scores(cr, cc, alpha)
        for key in s:
            e = rel(s[key], x[key])
            if numpy_ok:
                note("categorical", key, s[key], x[key])
                assert e <= TOL, (name, key, s[key], x[key], e)
            else:
                print("%s: NumPy %s relative error %.3g (not used)" % (name, key, e))
        for d in (s, x):
            d.update(wasserstein=0.0, std=0.0, norm=0.0)
        p = "cat_%s" % name
        out.append(uarray(p + "_ref", cr))
        out.append(uarray(p + "_cur", cc))
        entries.append('    {"%s", %s_ref, %s_cur, %d, %s, %d,\n     %s,\n     %s},\n' % (
            name, p, p, len(cr), hexd(alpha), numpy_ok, scores_init(s), scores_init(x)))
    out.append("static const drift_categorical_fixture categorical_fixtures[] = {\n%s};\n"
               % "".join(entries))

    entries = []
    for name, ux, uw, vx, vw in weighted_fixtures():
        s = float(wasserstein_distance(ux, vx, uw, vw))
        x = float(exact_wasserstein(ux, uw, vx, vw))
        e = note("weighted", "wasserstein", s, x)
        assert e <= TOL, (name, s, x, e)
        p = "wfx_%s" % name
        for suffix, arr in (("_ux", ux), ("_uw", uw), ("_vx", vx), ("_vw", vw)):
            out.append(darray(p + suffix, arr))
        entries.append('    {"%s", %s_ux, %s_uw, %d, %s_vx, %s_vw, %d, %s, %s},\n' % (
            name, p, p, len(ux), p, p, len(vx), hexd(s), hexd(x)))
    out.append("static const drift_weighted_fixture weighted_fixtures[] = {\n%s};\n"
               % "".join(entries))

    head = """/* Generated by tests/reference/make_drift_divergence_reference.py with
 * NumPy %s, SciPy %s, pandas %s and mpmath %s; do not edit.
 * `numpy` holds the NumPy/SciPy values, `exact` the same quantities computed
 * in rationals and 50-digit arithmetic. */
#ifndef DRIFT_DIVERGENCE_REFERENCE_H
#define DRIFT_DIVERGENCE_REFERENCE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

typedef struct drift_scores {
    double psi, kl, js, hellinger, wasserstein, std, norm;
} drift_scores;

typedef struct drift_numeric_fixture {
    const char *name;
    const double *ref;
    size_t nref;
    const double *cur;
    size_t ncur;
    size_t bins;
    double alpha;
    const double *edges;
    size_t nedges;
    const uint64_t *ref_counts, *cur_counts;
    size_t nbins;
    drift_scores numpy, exact;
} drift_numeric_fixture;

typedef struct drift_categorical_fixture {
    const char *name;
    const uint64_t *ref, *cur;
    size_t nbins;
    double alpha;
    int numpy_ok; /* the NumPy values are accurate to 1e-12 */
    drift_scores numpy, exact;
} drift_categorical_fixture;

typedef struct drift_weighted_fixture {
    const char *name;
    const double *ux, *uw;
    size_t n;
    const double *vx, *vw;
    size_t m;
    double scipy, exact;
} drift_weighted_fixture;

""" % (np.__version__, scipy.__version__, pd.__version__, mpmath.__version__)
    with open(OUT, "w") as f:
        f.write(head)
        f.write("\n".join(out))
        f.write("\n#endif\n")
    for (kind, key), e in sorted(worst.items()):
        print("NumPy/SciPy vs exact, %s %s: max relative difference %.3g" % (kind, key, e))
    print("wrote", os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
