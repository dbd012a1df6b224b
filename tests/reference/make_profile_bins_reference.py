#!/usr/bin/python3
"""Reference histograms for mlops_profile_fix_bins() and profiles made with
mlops_profile_create_like(), from NumPy.

A fixed fixture (a reference table of 400 rows and a current table of 200
rows, generated with numpy.random.default_rng(20240611)) has these columns:

  x      numeric, normal(50, 12), about 5% missing
  u      numeric, whole numbers 0 .. 40 (values land exactly on edges)
  ties   numeric, 0 three times in four, else 1 .. 3 (repeated edges)
  const  numeric, 7.25 wherever present (a constant column: one edge)
  empty  numeric, no present value in the reference
  wide   numeric, lognormal(0, 3) (magnitudes 1e-4 .. 1e4, so the
         interpolation's rounding shows)
  cat    categorical, strings chosen so that byte order differs from
         letter order ("B" < "Z" < "a" < "a b" < "b" < "e-acute" < a CJK
         character), about 5% missing
  kempty categorical, no present value in the reference

The current table draws from wider or shifted distributions, with values
below and above every reference range and categories the reference never
had. For bins B in 10, 4, 1 and 64 this computes what the profile documents
(include/mlops/profile.h, lib/monitor/drift_divergence.h):

  edges   numpy.quantile(present reference values, numpy.linspace(0, 1, B + 1))
          (method 'linear'), repeated edges dropped (the quantiles come out
          non-decreasing, which the script checks); a column with at most B
          distinct values (2 or more) gets one bin per value instead: edges
          at the smallest value, the midpoints a/2 + b/2 of neighbouring
          values and the largest value
  counts  per table: (x < e_0).sum(), numpy.histogram(x, bins=edges)
          (inner bins [e_i, e_i+1), the last one closed), (x > e_last).sum();
          with a single edge the inner bin is (x == e_0).sum(); with no
          edge (no present reference value) no counts are written
  cat     the reference's categories sorted by their UTF-8 bytes with their
          counts, then the unseen bin: current present values whose string
          the reference lacks

All the fixture's values are written into the header, so the C test needs
nothing else. Output: tests/data/profile_bins_reference.h; doubles are C99
hexadecimal literals (float.hex()), read exactly by the compiler; missing
numeric values are NAN, missing categories NULL.

Rerun (from the repository root):

    /usr/bin/python3 tests/reference/make_profile_bins_reference.py

It needs NumPy (Debian python3-numpy); the committed header was produced
with NumPy 1.24.2.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "profile_bins_reference.h"))

REF_ROWS = 400
CUR_ROWS = 200
BINS = [10, 4, 1, 64]
NUMERIC = ["x", "u", "ties", "const", "empty", "wide"]
CATEGORICAL = ["cat", "kempty"]


def with_missing(rng, v, share):
    v = v.astype(float)
    v[rng.random(len(v)) < share] = np.nan
    return v


def strings(rng, choices, weights, n, share):
    w = np.asarray(weights, dtype=float)
    idx = rng.choice(len(choices), size=n, p=w / w.sum())
    miss = rng.random(n) < share
    return [None if m else choices[i] for i, m in zip(idx, miss)]


def make_tables():
    rng = np.random.default_rng(20240611)
    ref, cur = {}, {}
    ref["x"] = with_missing(rng, rng.normal(50, 12, REF_ROWS), 0.05)
    ref["u"] = rng.integers(0, 41, REF_ROWS).astype(float)
    t = np.where(rng.random(REF_ROWS) < 0.75, 0, rng.integers(1, 4, REF_ROWS))
    ref["ties"] = t.astype(float)
    ref["const"] = with_missing(rng, np.full(REF_ROWS, 7.25), 0.1)
    ref["empty"] = np.full(REF_ROWS, np.nan)
    ref["wide"] = rng.lognormal(0, 3, REF_ROWS)
    ref_cats = ["B", "Z", "a", "a b", "b", "\u00e9", "\u65e5"]
    ref["cat"] = strings(rng, ref_cats, [5, 3, 9, 2, 7, 4, 1], REF_ROWS, 0.05)
    ref["kempty"] = [None] * REF_ROWS

    cur["x"] = with_missing(rng, rng.normal(55, 20, CUR_ROWS), 0.05)
    cur["u"] = rng.integers(-5, 51, CUR_ROWS).astype(float)
    cur["ties"] = rng.integers(-1, 6, CUR_ROWS).astype(float)
    cur["const"] = rng.choice([7.0, 7.25, 7.25, 7.5], CUR_ROWS)
    cur["empty"] = with_missing(rng, rng.normal(0, 1, CUR_ROWS), 0.5)
    cur["wide"] = rng.lognormal(0.5, 3.5, CUR_ROWS)
    cur_cats = ref_cats + ["A", "c", "\u03a9"]
    cur["cat"] = strings(rng, cur_cats, [5, 3, 9, 2, 7, 4, 1, 3, 2, 1], CUR_ROWS, 0.05)
    cur["kempty"] = strings(rng, ["p", "q"], [1, 1], CUR_ROWS, 0.3)
    return ref, cur


def np_edges(x, bins):
    present = x[~np.isnan(x)]
    if present.size == 0:
        return np.array([])
    v = np.unique(present)
    if 2 <= v.size <= bins:
        return np.unique(np.concatenate([v[:1], v[:-1] / 2 + v[1:] / 2, v[-1:]]))
    q = np.quantile(present, np.linspace(0, 1, bins + 1))
    assert np.all(np.diff(q) >= 0), "quantiles not monotone"
    keep = np.concatenate(([True], q[1:] != q[:-1]))
    return q[keep]


def np_counts(x, edges):
    x = x[~np.isnan(x)]
    if edges.size == 1:
        inner = [int((x == edges[0]).sum())]
    else:
        inner = [int(c) for c in np.histogram(x, bins=edges)[0]]
    return [int((x < edges[0]).sum())] + inner + [int((x > edges[-1]).sum())]


def cat_bins(ref, cur):
    present = [s for s in ref if s is not None]
    cats = sorted(set(present), key=lambda s: s.encode("utf-8"))
    ref_counts = [present.count(c) for c in cats] + [0]
    cur_present = [s for s in cur if s is not None]
    cur_counts = [cur_present.count(c) for c in cats]
    cur_counts.append(len(cur_present) - sum(cur_counts))
    return cats, ref_counts, cur_counts


def c_string(s):
    if s is None:
        return "NULL"
    out = []
    for b in s.encode("utf-8"):
        ch = chr(b)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= b < 0x7f:
            out.append(ch)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def c_double(v):
    return "NAN" if np.isnan(v) else float(v).hex()


def rows(items, per_line):
    items = list(items)
    return ",\n".join("    " + ", ".join(items[i:i + per_line])
                      for i in range(0, len(items), per_line))


def main():
    ref, cur = make_tables()
    out = []
    w = out.append
    w("/* Generated by tests/reference/make_profile_bins_reference.py with NumPy %s;"
      % np.__version__)
    w(" * do not edit. The reference and current tables of the fixture and the")
    w(" * histograms NumPy gives them on the reference's quantile bins. */")
    w("#ifndef PROFILE_BINS_REFERENCE_H")
    w("#define PROFILE_BINS_REFERENCE_H")
    w("")
    w("#include <math.h>")
    w("#include <stddef.h>")
    w("#include <stdint.h>")
    w("")
    w("enum { PB_REF_ROWS = %d, PB_CUR_ROWS = %d, PB_NUMERIC = %d, PB_CATEGORICAL = %d,"
      % (REF_ROWS, CUR_ROWS, len(NUMERIC), len(CATEGORICAL)))
    w("       PB_SETTINGS = %d };" % len(BINS))
    w("")
    w("static const char *const pb_numeric_names[PB_NUMERIC] = {%s};"
      % ", ".join(c_string(n) for n in NUMERIC))
    w("static const char *const pb_categorical_names[PB_CATEGORICAL] = {%s};"
      % ", ".join(c_string(n) for n in CATEGORICAL))
    w("static const size_t pb_bins[PB_SETTINGS] = {%s};" % ", ".join(str(b) for b in BINS))
    w("")
    for label, table, n in (("ref", ref, REF_ROWS), ("cur", cur, CUR_ROWS)):
        w("static const double pb_%s_numeric[PB_NUMERIC][%d] = {" % (label, n))
        for name in NUMERIC:
            w("  { /* %s */" % name)
            w(rows((c_double(v) for v in table[name]), 4) + "},")
        w("};")
        w("static const char *const pb_%s_categorical[PB_CATEGORICAL][%d] = {" % (label, n))
        for name in CATEGORICAL:
            w("  { /* %s */" % name)
            w(rows((c_string(s) for s in table[name]), 10) + "},")
        w("};")
        w("")

    # Numeric histograms: flat arrays, indexed by pb_numeric_bins.
    edges_flat, ref_flat, cur_flat, entries = [], [], [], []
    for s, bins in enumerate(BINS):
        for c, name in enumerate(NUMERIC):
            e = np_edges(ref[name], bins)
            first_edge, first_count = len(edges_flat), len(ref_flat)
            if e.size:
                rc = np_counts(ref[name], e)
                cc = np_counts(cur[name], e)
                assert rc[0] == 0 and rc[-1] == 0
                edges_flat += list(e)
                ref_flat += rc
                cur_flat += cc
            entries.append((s, c, e.size, first_edge, first_count))
    w("typedef struct pb_numeric_bins {")
    w("    size_t setting, col;      /* index into pb_bins, pb_numeric_names */")
    w("    size_t nedges;            /* distinct edges; 0: no present value */")
    w("    size_t first_edge;        /* into pb_edges */")
    w("    size_t first_count;       /* into pb_ref_counts and pb_cur_counts; */")
    w("                              /* nedges + 1 counts (3 for one edge) */")
    w("} pb_numeric_bins;")
    w("")
    w("static const pb_numeric_bins pb_numeric[] = {")
    for s, c, ne, fe, fc in entries:
        w("    {%d, %d, %d, %d, %d}, /* bins %d, %s */" % (s, c, ne, fe, fc, BINS[s], NUMERIC[c]))
    w("};")
    w("static const double pb_edges[] = {")
    w(rows((c_double(v) for v in edges_flat), 4))
    w("};")
    w("static const uint64_t pb_ref_counts[] = {")
    w(rows((str(v) for v in ref_flat), 16))
    w("};")
    w("static const uint64_t pb_cur_counts[] = {")
    w(rows((str(v) for v in cur_flat), 16))
    w("};")
    w("")

    w("typedef struct pb_categorical_bins {")
    w("    size_t col;               /* index into pb_categorical_names */")
    w("    size_t ncategories;       /* bins: these plus the unseen bin */")
    w("    const char *categories[8];")
    w("    uint64_t ref_counts[9], cur_counts[9];")
    w("} pb_categorical_bins;")
    w("")
    w("static const pb_categorical_bins pb_categorical[PB_CATEGORICAL] = {")
    for c, name in enumerate(CATEGORICAL):
        cats, rc, cc = cat_bins(ref[name], cur[name])
        assert len(cats) <= 8
        w("    {%d, %d, {%s}," % (c, len(cats), ", ".join(c_string(x) for x in cats) or "NULL"))
        w("     {%s}, {%s}}," % (", ".join(map(str, rc)), ", ".join(map(str, cc))))
    w("};")
    w("")
    w("#endif")
    with open(OUT, "w", encoding="ascii") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
