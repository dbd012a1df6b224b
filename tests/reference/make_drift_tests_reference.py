#!/usr/bin/python3
"""Expected values for the drift hypothesis tests (lib/monitor/drift_tests.c),
computed with SciPy (Debian's SciPy 1.10.1 is what the numbers were made with).

  - scipy.stats.ks_2samp(a, b) (two-sided, method 'auto') on samples built
    from a deterministic generator that tests/monitor/test_drift_tests.c
    reproduces bit for bit (splitmix64 -> 53-bit uniforms -> a shape, a
    scale, a shift and optional rounding to a grid, which makes ties); which
    method SciPy used is read from its "Exact calculation unsuccessful"
    warning; the same samples with method='asymp' give the reference for
    the tabulated-cdf variant;
  - small literal samples (sizes 1 to 5, ties, identical, separated);
  - the p-value from (n1, n2, D): SciPy's own exact step
    (scipy.stats._stats_py._attempt_exact_2kssamp, what ks_2samp calls) for
    every D of the equal-size and several unequal-size lattices, and
    scipy.stats.kstwo.sf(D, round(n1 n2 / (n1 + n2))) for the asymptotic
    range, as ks_2samp computes it;
  - scipy.stats.kstwo.sf, scipy.special.smirnov, scipy.special.kolmogorov,
    scipy.stats.norm.sf, scipy.special.gammaincc and scipy.stats.chi2.sf on
    grids reaching the far tails;
  - scipy.stats.chi2_contingency on 2 x k tables (k = 2 with Yates'
    correction, k = 3..20, small counts; columns empty on both sides are
    removed before SciPy sees the table, since it raises on them);
  - the pooled two-proportion z statistic written out in NumPy, with its
    p-value 2 * scipy.stats.norm.sf(|z|).

Run:  /usr/bin/python3 tests/reference/make_drift_tests_reference.py
(writes tests/monitor/drift_tests_reference.h next to the test; about a
minute and a half, mostly SciPy's exact p-values at n = 10^4 and its
Smirnov sums at n = 10^6).
"""
import math
import os
import warnings

import numpy as np
import scipy
from scipy import special, stats
from scipy.stats import _stats_py

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "monitor",
                   "drift_tests_reference.h")
M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def uniforms(seed, count):
    """splitmix64 outputs for counters 1..count of `seed`, as 53-bit uniforms."""
    with np.errstate(over="ignore"):
        i = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(seed) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def sample(n, seed, shape, scale, shift, levels):
    """shape 0: uniform on [0, 1); shape 1: u1 + u2 + u3 + u4 - 2 (bell-shaped).
    Then shift + scale * x, rounded down to a multiple of 1/levels if levels > 0."""
    if shape == 0:
        x = uniforms(seed, n)
    else:
        u = uniforms(seed, 4 * n).reshape(n, 4)
        x = (((u[:, 0] + u[:, 1]) + u[:, 2]) + u[:, 3]) - 2.0
    x = shift + scale * x
    if levels > 0:
        x = np.floor(x * levels) / levels
    return np.sort(x)


def hexf(v):
    v = float(v)
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    return v.hex()


def ks_auto(a, b):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = stats.ks_2samp(a, b)
    failed = any("Exact calculation unsuccessful" in str(w.message) for w in caught)
    exact = max(len(a), len(b)) <= 10000 and not failed
    return r, (0 if exact else 1), int(failed)


# (name, n1, seed1, shape1, scale1, shift1, levels1, n2, seed2, shape2, scale2, shift2, levels2)
KS_GENERATED = [
    ("equal 200 no shift", 200, 1, 1, 1.0, 0.0, 0, 200, 2, 1, 1.0, 0.0, 0),
    ("equal 200 shifted", 200, 3, 1, 1.0, 0.0, 0, 200, 4, 1, 1.0, 0.3, 0),
    ("unequal 40/60", 40, 5, 1, 1.0, 0.0, 0, 60, 6, 1, 1.0, 0.2, 0),
    ("unequal 100/37 scale", 100, 7, 1, 1.0, 0.0, 0, 37, 8, 1, 2.0, 0.0, 0),
    ("unequal 1/100", 1, 9, 0, 1.0, 0.0, 0, 100, 10, 0, 1.0, 0.0, 0),
    ("unequal 999/1000", 999, 11, 1, 1.0, 0.0, 0, 1000, 12, 1, 1.0, 0.05, 0),
    ("ties 300/200 grid 4", 300, 13, 1, 1.0, 0.0, 4, 200, 14, 1, 1.0, 0.1, 4),
    ("ties 50/70 grid 2", 50, 15, 0, 3.0, 0.0, 2, 70, 16, 0, 3.0, 0.0, 2),
    ("ties equal 1000 grid 10", 1000, 17, 1, 1.0, 0.0, 10, 1000, 18, 1, 1.0, 0.0, 10),
    ("identical 500", 500, 19, 1, 1.0, 0.0, 0, 500, 19, 1, 1.0, 0.0, 0),
    ("separated 30/45", 30, 20, 0, 1.0, 0.0, 0, 45, 21, 0, 1.0, 5.0, 0),
    ("separated 100/100", 100, 58, 0, 1.0, 0.0, 0, 100, 59, 0, 1.0, 1.0, 0),
    ("separated 300/500", 300, 60, 1, 1.0, 0.0, 0, 500, 61, 1, 1.0, 4.0, 0),
    ("separated 2000/2000", 2000, 22, 0, 1.0, 0.0, 0, 2000, 23, 0, 1.0, 1.0, 0),
    ("separated 10000/10000", 10000, 24, 0, 1.0, 0.0, 0, 10000, 25, 0, 1.0, 1.0, 0),
    ("far tail 500/700", 500, 26, 1, 1.0, 0.0, 0, 700, 27, 1, 1.0, 0.9, 0),
    ("switch 9999/10000", 9999, 28, 1, 1.0, 0.0, 0, 10000, 29, 1, 1.0, 0.02, 0),
    ("switch 10000/10000", 10000, 30, 1, 1.0, 0.0, 0, 10000, 31, 1, 1.0, 0.02, 0),
    ("switch 10000/9999 far", 10000, 32, 1, 1.0, 0.0, 0, 9999, 33, 1, 1.0, 0.15, 0),
    ("switch 10001/10000", 10001, 34, 1, 1.0, 0.0, 0, 10000, 35, 1, 1.0, 0.02, 0),
    ("switch 10001/10001", 10001, 36, 1, 1.0, 0.0, 0, 10001, 37, 1, 1.0, 0.0, 0),
    ("switch 10000/10001 ties", 10000, 38, 1, 1.0, 0.0, 20, 10001, 39, 1, 1.0, 0.03, 20),
    ("asymp 20000/1", 20000, 40, 1, 1.0, 0.0, 0, 1, 41, 1, 1.0, 0.0, 0),
    ("asymp 20000/3", 20000, 42, 1, 1.0, 0.0, 0, 3, 43, 1, 1.0, 0.5, 0),
    ("asymp 20000/50", 20000, 44, 1, 1.0, 0.0, 0, 50, 45, 1, 1.0, 0.2, 0),
    ("asymp 15000/120", 15000, 46, 1, 1.0, 0.0, 0, 120, 47, 1, 1.0, 0.1, 0),
    ("asymp 12000/3000 tail", 12000, 48, 1, 1.0, 0.0, 0, 3000, 49, 1, 1.0, 0.3, 0),
    ("asymp 100000/80000", 100000, 50, 1, 1.0, 0.0, 0, 80000, 51, 1, 1.0, 0.004, 0),
    ("asymp 100000/80000 tail", 100000, 52, 1, 1.0, 0.0, 0, 80000, 53, 1, 1.0, 0.05, 0),
    ("asymp 300000/250000", 300000, 54, 1, 1.0, 0.0, 0, 250000, 55, 1, 1.0, 0.0, 0),
    ("asymp 300000/250000 ties", 300000, 56, 1, 1.0, 0.0, 50, 250000, 57, 1, 1.0, 0.01, 50),
]

# Literal small samples: (name, a, b)
KS_LITERAL = [
    ("1 vs 1 equal", [0.5], [0.5]),
    ("1 vs 1 apart", [0.0], [1.0]),
    ("1 vs 2", [1.0], [0.0, 2.0]),
    ("2 vs 1", [0.0, 2.0], [3.0]),
    ("2 vs 3", [1.0, 2.0], [0.5, 1.5, 2.5]),
    ("3 vs 3 separated", [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),
    ("3 vs 3 interleaved", [1.0, 3.0, 5.0], [2.0, 4.0, 6.0]),
    ("3 vs 3 ties", [1.0, 1.0, 2.0], [1.0, 2.0, 2.0]),
    ("1 vs 3", [10.0], [1.0, 2.0, 3.0]),
    ("3 vs 1 middle", [1.0, 2.0, 3.0], [2.0]),
    ("5 vs 5 exact fails", [1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 6.0]),
    ("4 vs 5 all tied", [2.0, 2.0, 2.0, 2.0], [2.0, 2.0, 2.0, 2.0, 2.0]),
    ("5 vs 4 negative", [-3.0, -2.0, -1.0, 0.0, 1.0], [-0.5, 0.5, 1.5, 2.5]),
    ("infinities", [-math.inf, 0.0, 1.0], [0.5, 2.0, math.inf]),
]


def emit_ks(out):
    out.append("typedef struct ks_spec {\n    size_t n;\n    uint64_t seed;\n    int shape;\n"
               "    double scale, shift;\n    int levels;\n} ks_spec;")
    out.append("typedef struct ks_generated_case {\n    const char *name;\n    ks_spec a, b;\n"
               "    double statistic, pvalue;\n    int method, exact_failed;\n"
               "    double asymp_statistic, asymp_pvalue;\n} ks_generated_case;")
    out.append("static const ks_generated_case ks_generated[] = {")
    for (name, n1, s1, h1, c1, t1, l1, n2, s2, h2, c2, t2, l2) in KS_GENERATED:
        a = sample(n1, s1, h1, c1, t1, l1)
        b = sample(n2, s2, h2, c2, t2, l2)
        r, method, failed = ks_auto(a, b)
        ra = stats.ks_2samp(a, b, method="asymp")
        out.append('    {"%s", {%d, %d, %d, %s, %s, %d}, {%d, %d, %d, %s, %s, %d}, %s, %s, %d, %d, %s, %s},'
                   % (name, n1, s1, h1, hexf(c1), hexf(t1), l1, n2, s2, h2, hexf(c2), hexf(t2), l2,
                      hexf(r.statistic), hexf(r.pvalue), method, failed,
                      hexf(ra.statistic), hexf(ra.pvalue)))
    out.append("};")

    out.append("typedef struct ks_literal_case {\n    const char *name;\n    size_t n1, n2;\n"
               "    double a[5], b[5];\n    double statistic, pvalue;\n    int method, exact_failed;\n"
               "} ks_literal_case;")
    out.append("static const ks_literal_case ks_literal[] = {")
    for name, a, b in KS_LITERAL:
        r, method, failed = ks_auto(np.array(a), np.array(b))
        pad = lambda v: ", ".join(hexf(x) for x in v + [0.0] * (5 - len(v)))
        out.append('    {"%s", %d, %d, {%s}, {%s}, %s, %s, %d, %d},'
                   % (name, len(a), len(b), pad(a), pad(b), hexf(r.statistic), hexf(r.pvalue),
                      method, failed))
    out.append("};")


def emit_ks_pvalue(out):
    rows = []
    # every lattice value of D for equal sizes 1..40 and a few larger ones
    for n in list(range(1, 41)) + [97, 500, 2500, 10000]:
        hs = range(0, n + 1) if n <= 40 else sorted(set([0, 1, 2, n // 50, n // 20, n // 10, n // 5,
                                                           n // 3, n // 2, n - 1, n]))
        for h in hs:
            rows.append((n, n, h))
    for n1, n2 in [(1, 2), (2, 3), (3, 5), (4, 6), (7, 3), (13, 17), (20, 30), (40, 60),
                   (100, 37), (250, 251), (997, 1000), (9999, 10000), (10000, 5000),
                   (10000, 1)]:
        g = math.gcd(n1, n2)
        lcm = n1 // g * n2
        # (each point of a 10^4 x 10^4 lattice costs a few tens of ms)
        fracs = [100, 30, 10, 4, 2] if lcm < 10 ** 6 else [100, 30, 2]
        hs = sorted(set([0, 1, 2, lcm - 1, lcm] + [lcm // f for f in fracs]) & set(range(lcm + 1)))
        if lcm <= 60:
            hs = range(lcm + 1)
        for h in hs:
            rows.append((n1, n2, h))
    out.append("typedef struct ks_pvalue_case {\n    uint64_t n1, n2;\n    double d;\n"
               "    double statistic, pvalue;\n    int method, exact_failed;\n} ks_pvalue_case;")
    out.append("static const ks_pvalue_case ks_pvalues[] = {")
    for n1, n2, h in rows:
        g = math.gcd(n1, n2)
        lcm = n1 // g * n2
        d = h / lcm
        ok, dd, p = _stats_py._attempt_exact_2kssamp(n1, n2, g, d, "two-sided")
        method, failed = 0, 0
        if not ok:
            method, failed = 1, 1
            m, n = sorted([float(n1), float(n2)], reverse=True)
            p = stats.kstwo.sf(dd, np.round(m * n / (m + n)))
        p = float(np.clip(p, 0, 1))
        out.append("    {%d, %d, %s, %s, %s, %d, %d}," % (n1, n2, hexf(d), hexf(dd), hexf(p), method,
                                                        failed))
    # asymptotic range: arbitrary d
    for n1, n2 in [(10001, 10001), (20000, 7), (50000, 30000), (10 ** 6, 10 ** 6),
                   (3 * 10 ** 6, 2 * 10 ** 6)]:
        m, n = sorted([float(n1), float(n2)], reverse=True)
        en = np.round(m * n / (m + n))
        zs = [0.0, 0.3, 0.8, 1.2, 1.8, 2.5, 4.0, 8.0, 15.0]
        if 10 ** 5 < en <= 10 ** 6:
            zs = [0.3, 1.2, 2.5]  # the exact Smirnov sum: tens of ms per point
        for z in zs:
            d = min(z / math.sqrt(en), 1.0)
            p = float(np.clip(stats.kstwo.sf(d, en), 0, 1))
            out.append("    {%d, %d, %s, %s, %s, 1, 0}," % (n1, n2, hexf(d), hexf(d), hexf(p)))
    out.append("};")


def emit_distributions(out):
    out.append("typedef struct nx_case {\n    uint64_t n;\n    double x, expect;\n} nx_case;")
    # kstwo.sf
    out.append("static const nx_case kstwo_cases[] = {")
    for n in [1, 2, 3, 5, 10, 50, 100, 140, 141, 500, 2000, 10000, 99999, 100001, 150000, 10 ** 6,
              2 * 10 ** 6]:
        xs = [0.5 / n, 0.75 / n, 1.0 / n, 1.5 / n, 0.3, 0.5, 0.75, 1.0 - 1.0 / n, 1.0]
        nx2s = [0.05, 0.3, 0.754693, 0.9, 1.5, 2.19, 2.21, 3.0, 3.99, 4.01, 10.0, 50.0, 200.0, 369.0]
        if 20000 < n <= 10 ** 6:
            nx2s = [0.05, 1.5, 2.19, 2.21, 50.0, 369.0]  # keep the slow Smirnov sums few
        for nx2 in nx2s:
            xs.append(math.sqrt(nx2 / n))
        for c in [0.5, 1.0, 1.39, 1.41]:  # n x^1.5 around 1.4
            xs.append((c / n) ** (2.0 / 3.0))
        for x in sorted(set(x for x in xs if 0.0 < x <= 1.0)):
            out.append("    {%d, %s, %s}," % (n, hexf(x), hexf(stats.kstwo.sf(x, n))))
    out.append("};")
    # smirnov
    out.append("static const nx_case smirnov_cases[] = {")
    for n in [1, 2, 3, 4, 7, 10, 31, 100, 1000, 1013, 5000, 10 ** 5, 5 * 10 ** 5, 10 ** 6,
              2 * 10 ** 6]:
        xs = [0.0, 0.5 / n, 1.0 / n, 2.0 / n, 0.1, 0.5, 0.9, 1.0 - 1.0 / n, 1.0]
        nx2s = [0.01, 0.5, 2.0, 10.0, 100.0, 300.0, 372.0]
        if 10 ** 5 < n <= 10 ** 6:  # the exact sum costs 70 ns a term
            xs.remove(2.0 / n)
            nx2s = [2.0, 300.0]
        for nx2 in nx2s:
            xs.append(math.sqrt(nx2 / n))
        for x in sorted(set(x for x in xs if 0.0 <= x <= 1.0)):
            out.append("    {%d, %s, %s}," % (n, hexf(x), hexf(special.smirnov(n, x))))
    out.append("};")
    out.append("typedef struct x_case {\n    double x, expect;\n} x_case;")
    out.append("static const x_case kolmogorov_cases[] = {")
    for x in [0.0, 0.01, 0.03, 0.0406, 0.05, 0.1, 0.3, 0.5, 0.8, 0.82, 0.83, 1.0, 1.3581, 2.0,
              3.0, 5.0, 8.0, 12.0, 18.0, 19.0, 19.4, 25.0, -1.0]:
        out.append("    {%s, %s}," % (hexf(x), hexf(special.kolmogorov(x))))
    out.append("};")
    out.append("static const x_case norm_cases[] = {")
    for x in [-40.0, -8.0, -3.0, -1.0, -0.5, -1e-300, 0.0, 1e-10, 0.5, 0.7, 1.0, 1.5, 1.959963984540054,
              3.0, 5.0, 8.0, 10.0, 15.0, 20.0, 26.0, 30.0, 35.0, 37.5, 38.4, 39.0]:
        out.append("    {%s, %s}," % (hexf(x), hexf(stats.norm.sf(x))))
    out.append("};")
    out.append("typedef struct ax_case {\n    double a, x, expect;\n} ax_case;")
    out.append("static const ax_case gamma_q_cases[] = {")
    rows = []
    for a in [0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.5, 9.5, 10.0, 12.5, 30.0, 100.0,
              1e3, 1e4, 1e5, 1e6]:
        xs = [1e-6 * a, 0.01, 0.1 * a, 0.5, 0.5 * a, a - 1.0, a, a + 0.5, a + 1.0, 1.0, 2.0 * a,
              5.0 * a, a + 700.0, 800.0]
        s = math.sqrt(a)
        xs += [a - 5 * s, a - 2 * s, a + 2 * s, a + 5 * s, a + 10 * s, a + 20 * s, a + 35 * s]
        for x in sorted(set(x for x in xs if x >= 0.0)):
            rows.append((a, x))
    for a, x in rows:
        out.append("    {%s, %s, %s}," % (hexf(a), hexf(x), hexf(special.gammaincc(a, x))))
    out.append("};")
    out.append("static const ax_case chi2_sf_cases[] = {")
    for k in [1, 2, 3, 4, 5, 9, 19, 50, 100]:
        for x in [-1.0, 0.0, 1e-8, 0.1, 0.5, 1.0, 2.0, 3.841458820694124, k, k + 10.0,
                  k + 50.0, 100.0, 500.0, 1400.0]:
            out.append("    {%s, %s, %s}," % (hexf(float(k)), hexf(x), hexf(stats.chi2.sf(x, k))))
    out.append("};")


def emit_chi2(out):
    rng = np.random.default_rng(20240607)
    tables = [
        ([10, 20], [30, 40]),      # 2x2, Yates
        ([3, 0], [1, 4]),          # 2x2 small counts, a zero cell
        ([1, 1], [1, 1]),          # no difference: |E - O| = 0 < 0.5
        ([5, 5], [6, 4]),          # |E - O| = 0.5 exactly
        ([12, 7], [12, 8]),        # |E - O| < 0.5: correction capped
        ([1000, 2000], [1100, 1900]),
        ([100000, 1], [99000, 30]),  # far tail
        ([0, 4, 0, 6], [0, 5, 0, 1]),  # two empty columns dropped -> 2x2
        ([7, 0], [3, 0]),          # one column left: dof 0
        ([2, 3, 4], [4, 3, 2]),
        ([0, 1, 2], [5, 0, 0]),
        ([50, 30, 20], [20, 30, 50]),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
         [20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]),
        ([2.5, 3.5, 1.0], [1.5, 0.25, 4.0]),  # weighted (non-integral) counts
    ]
    for k in range(3, 21):
        scale = [2, 10, 1000][k % 3]
        ref = rng.poisson(scale * rng.uniform(0.2, 1.0, k))
        cur = rng.poisson(scale * rng.uniform(0.2, 1.0, k))
        tables.append((list(map(int, ref)), list(map(int, cur))))
    for k in range(3, 21, 4):
        ref = rng.integers(0, 1000, k)
        cur = ref + rng.integers(0, 400, k)  # drifted
        tables.append((list(map(int, ref)), list(map(int, cur))))
    counts = []
    rows = []
    for ref, cur in tables:
        ref = np.array(ref, dtype=float)
        cur = np.array(cur, dtype=float)
        keep = (ref + cur) > 0
        table = np.array([ref[keep], cur[keep]])
        r = stats.chi2_contingency(table)
        rows.append((len(counts), len(ref), keep.sum(), r.statistic, r.pvalue, r.dof))
        counts.extend(zip(ref, cur))
    out.append("static const double chi2_counts[][2] = {")
    for a, b in counts:
        out.append("    {%s, %s}," % (hexf(a), hexf(b)))
    out.append("};")
    out.append("typedef struct chi2_case {\n    size_t offset, k, columns;\n"
               "    double statistic, pvalue;\n    size_t dof;\n} chi2_case;")
    out.append("static const chi2_case chi2_cases[] = {")
    for off, k, cols, st, p, dof in rows:
        out.append("    {%d, %d, %d, %s, %s, %d}," % (off, k, cols, hexf(st), hexf(p), dof))
    out.append("};")


def emit_ztest(out):
    out.append("typedef struct ztest_case {\n    double x1, n1, x2, n2, z, pvalue;\n} ztest_case;")
    out.append("static const ztest_case ztest_cases[] = {")
    cases = [(10, 100, 20, 100), (20, 100, 10, 100), (1, 2, 1, 3), (0, 5, 5, 5),
             (500, 1000, 500, 1000), (480, 1000, 520, 1000), (3, 1000000, 40, 1000000),
             (100000, 1000000, 90000, 1000000), (1, 10, 0, 10), (0, 10, 0, 20), (7, 7, 9, 9),
             (2.5, 10.0, 4.75, 12.5), (123456, 500000, 120000, 500000), (1, 1, 0, 1)]
    for x1, n1, x2, n2 in cases:
        p = (x1 + x2) / (n1 + n2)
        if p <= 0.0 or p >= 1.0:
            z, pv = 0.0, 1.0
        else:
            z = (x1 / n1 - x2 / n2) / np.sqrt(p * (1.0 - p) * (1.0 / n1 + 1.0 / n2))
            pv = 2.0 * stats.norm.sf(abs(z))
        out.append("    {%s, %s, %s, %s, %s, %s}," % tuple(hexf(v) for v in (x1, n1, x2, n2, z, pv)))
    out.append("};")


def main():
    out = ["/* Generated by tests/reference/make_drift_tests_reference.py with SciPy %s, "
           "NumPy %s; do not edit. */" % (scipy.__version__, np.__version__),
           "#include <math.h>", "#include <stddef.h>", "#include <stdint.h>"]
    emit_ks(out)
    emit_ks_pvalue(out)
    emit_distributions(out)
    emit_chi2(out)
    emit_ztest(out)
    with open(OUT, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
