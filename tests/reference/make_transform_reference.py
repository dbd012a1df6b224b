#!/usr/bin/python3
"""Reference answers for mlops_transform, from scikit-learn.

Each case below is a chain of libmlops transform steps (the words the C API
takes: impute / standardize / minmax / onehot / drop, with their settings).
This script replays the chain with scikit-learn's own transformers, one step
after the other on the output of the previous step, exactly as libmlops
defines it:

    impute       sklearn.impute.SimpleImputer(strategy=..., fill_value=...)
    standardize  sklearn.preprocessing.StandardScaler(with_mean, with_std)
    minmax       sklearn.preprocessing.MinMaxScaler()
    onehot       sklearn.preprocessing.OneHotEncoder(handle_unknown=...,
                 min_frequency=...); unseen=error -> handle_unknown="error",
                 zeros -> "ignore", infrequent -> "infrequent_if_exist"
    drop         DataFrame.drop

Every step is fitted column by column (all four transformers work column by
column, so this changes no result) on a pandas.read_csv() of the data, and
its fitted parameters and output are written to tests/data/transform_reference.txt.
The C test (tests/data/test_transform_sklearn.c) reads that file, builds the
same chain through the C API from the `step`/`set` lines, fits it, applies it
and compares every number.

File format: one record per line, whitespace-separated tokens; strings are
percent-encoded (every byte <= 0x20, '%', 0x7f or >= 0x80 becomes %XX), numbers
are Python float.hex() (exact; "nan" for a missing value).

    case NAME DATASET                 starts a case; DATASET is a tests/data/real stem
    gaps CATCOL NUMCOL                make CATCOL missing wherever NUMCOL is missing
    fit_exclude COL VALUE             fit on the rows whose COL is not VALUE (apply to all)
    step KIND COLUMNS                 mlops_transform_add(t, KIND, COLUMNS)
    set KEY VALUE                     mlops_transform_set on the last step
    param STEP COLUMN KEY NUMBER      fitted parameter: fill, mean, scale, data_min,
                                      data_max, scale, offset
    fill STEP COLUMN STRING           fitted fill string of a categorical imputation
    category STEP COLUMN K STRING     onehot output K of COLUMN is category STRING
                                      (__missing__ = the missing-value category)
    infrequent STEP COLUMN STRING     a category merged into COLUMN=__infrequent__
    output K NAME                     name of output column K (apply to the data
                                      laid out as read)
    value ROW NAME NUMBER             a numeric output cell (checked rows)
    hot ROW COLUMN NAME               onehot of COLUMN in ROW sets output NAME to 1
                                      and every other output of COLUMN to 0; NAME
                                      __none__ = all zeros (every row is listed)
    error ROW COLUMN STRING           apply must fail: first unseen category
    end

Parameters follow scikit-learn's attributes: impute fill = statistics_;
standardize mean = mean_ (0 when with_mean=false), scale = scale_ (1 when
with_std=false); minmax data_min_, data_max_, scale_, min_ (= offset);
onehot categories_ minus infrequent_categories_, in order, then the
infrequent ones. Checked rows: 0, 1, n//2, n-1, every row with a missing cell
in the raw data, and k*n//7 for k = 1..6.

Rerun (from the repository root):

    /usr/bin/python3 tests/reference/make_transform_reference.py

The committed file was made with scikit-learn 1.2.1, numpy 1.24.2 and pandas
1.5.3 (Debian python3-sklearn, python3-numpy, python3-pandas).
"""
import math
import os
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.normpath(os.path.join(HERE, "..", "data", "real"))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "transform_reference.txt"))

CARS_NUM = "Miles_per_Gallon,Cylinders,Displacement,Horsepower,Weight_in_lbs,Acceleration"

# (name, dataset, prep, [(kind, columns, {key: value})])
# prep: list of ("gaps", cat, num) / ("fit_exclude", col, value)
CASES = [
    ("cars_impute_mean", "cars", [],
     [("impute", "Miles_per_Gallon,Horsepower", {})]),
    ("cars_impute_median", "cars", [],
     [("impute", "Miles_per_Gallon,Horsepower,Displacement", {"strategy": "median"})]),
    ("cars_impute_most_frequent", "cars", [("gaps", "Origin", "Horsepower")],
     [("impute", "Horsepower,Cylinders,Origin,Year", {"strategy": "most_frequent"})]),
    ("cars_impute_constant", "cars", [("gaps", "Origin", "Horsepower")],
     [("impute", "Horsepower,Origin", {"strategy": "constant", "fill_value": "-1.5"})]),
    ("cars_impute_constant_default", "cars", [("gaps", "Origin", "Miles_per_Gallon")],
     [("impute", "Miles_per_Gallon,Origin", {"strategy": "constant"})]),
    ("cars_impute_star", "cars", [],
     [("impute", "*", {"strategy": "mean"})]),
    ("cars_standardize", "cars", [],
     [("standardize", CARS_NUM, {})]),
    ("cars_minmax", "cars", [],
     [("minmax", CARS_NUM, {})]),
    ("cars_chain", "cars", [],
     [("impute", "*", {"strategy": "median"}),
      ("standardize", "*", {}),
      ("onehot", "Origin,Year", {}),
      ("drop", "Name", {})]),
    ("cars_onehot", "cars", [],
     [("onehot", "Origin,Year", {})]),
    ("cars_onehot_rare", "cars", [],
     [("onehot", "Name", {"min_frequency": "3"}),
      ("onehot", "Year", {"min_frequency": "0.08"})]),
    ("cars_onehot_missing", "cars", [("gaps", "Origin", "Horsepower")],
     [("onehot", "Origin", {})]),
    ("cars_onehot_missing_rare", "cars", [("gaps", "Origin", "Horsepower")],
     [("onehot", "Origin", {"min_frequency": "7"})]),
    ("cars_unseen_zeros", "cars", [("fit_exclude", "Origin", "Europe")],
     [("onehot", "Origin", {"unseen": "zeros"})]),
    ("cars_unseen_infrequent", "cars", [("fit_exclude", "Origin", "Europe")],
     [("onehot", "Origin", {"unseen": "infrequent", "min_frequency": "80"})]),
    ("cars_unseen_error", "cars", [("fit_exclude", "Origin", "Europe")],
     [("onehot", "Origin", {})]),
    ("iris_standardize", "iris", [],
     [("standardize", "*", {})]),
    ("iris_minmax_onehot", "iris", [],
     [("minmax", "*", {}), ("onehot", "species", {})]),
    ("wine_standardize", "wine", [],
     [("standardize", "*", {})]),
    ("wine_minmax_standardize", "wine", [],
     [("minmax", "*", {}), ("standardize", "*", {})]),
    ("wine_standardize_no_mean", "wine", [],
     [("standardize", "*", {"with_mean": "false"})]),
]


def pct(s):
    out = []
    for b in s.encode("utf-8"):
        if b <= 0x20 or b == 0x25 or b >= 0x7F:
            out.append("%%%02X" % b)
        else:
            out.append(chr(b))
    return "".join(out)


def num(v):
    v = float(v)
    return "nan" if math.isnan(v) else v.hex()


def is_missing(v):
    return v is None or (isinstance(v, float) and math.isnan(v))


def cat_token(v):
    return "__missing__" if is_missing(v) else pct(str(v))


def out_name(col, v):
    return "%s=%s" % (col, "__missing__" if is_missing(v) else v)


def is_numeric(s):
    return s.dtype.kind in "iufb"


def resolve(df, kind, columns, settings):
    if columns != "*":
        return columns.split(",")
    if kind == "onehot":
        return [c for c in df.columns if not is_numeric(df[c])]
    if kind == "impute" and settings.get("strategy", "mean") in ("most_frequent", "constant"):
        return list(df.columns)
    return [c for c in df.columns if is_numeric(df[c])]


def fit_step(si, kind, cols, settings, fit_df, lines):
    """Fits one step column by column; returns a function applying it."""
    fitted = []
    for col in cols:
        if kind == "drop":
            fitted.append((col, None))
            continue
        x = fit_df[[col]]
        numeric = is_numeric(fit_df[col])
        if kind == "impute":
            strategy = settings.get("strategy", "mean")
            kw = {"strategy": strategy}
            if strategy == "constant":
                fill = settings.get("fill_value")
                if fill is not None:
                    kw["fill_value"] = float(fill) if numeric else fill
            if not numeric:
                x = x.astype(object)
            est = SimpleImputer(**kw).fit(x)
            stat = est.statistics_[0]
            if numeric:
                lines.append("param %d %s fill %s" % (si, pct(col), num(stat)))
            else:
                lines.append("fill %d %s %s" % (si, pct(col), pct(str(stat))))
        elif kind == "standardize":
            with_mean = settings.get("with_mean", "true") == "true"
            with_std = settings.get("with_std", "true") == "true"
            est = StandardScaler(with_mean=with_mean, with_std=with_std).fit(x.astype(float))
            mean = est.mean_[0] if with_mean else 0.0
            scale = est.scale_[0] if with_std else 1.0
            lines.append("param %d %s mean %s" % (si, pct(col), num(mean)))
            lines.append("param %d %s scale %s" % (si, pct(col), num(scale)))
        elif kind == "minmax":
            est = MinMaxScaler().fit(x.astype(float))
            for key, v in (("data_min", est.data_min_[0]), ("data_max", est.data_max_[0]),
                           ("scale", est.scale_[0]), ("offset", est.min_[0])):
                lines.append("param %d %s %s %s" % (si, pct(col), key, num(v)))
        elif kind == "onehot":
            unseen = settings.get("unseen", "error")
            handle = {"error": "error", "zeros": "ignore",
                      "infrequent": "infrequent_if_exist"}[unseen]
            mf = settings.get("min_frequency")
            if mf is not None:
                mf = int(mf) if mf.isdigit() else float(mf)
            est = OneHotEncoder(handle_unknown=handle, min_frequency=mf,
                                sparse_output=False).fit(x.astype(object))
            cats = list(est.categories_[0])
            infreq = list(est.infrequent_categories_[0]) if mf is not None and \
                est.infrequent_categories_[0] is not None else []
            infreq_set = set(cat_token(v) for v in infreq)
            frequent = [v for v in cats if cat_token(v) not in infreq_set]
            names = [out_name(col, v) for v in frequent]
            if infreq:
                names.append("%s=__infrequent__" % col)
            # the column names scikit-learn gives must map one to one
            assert len(est.get_feature_names_out()) == len(names), (col, names)
            for k, v in enumerate(frequent):
                lines.append("category %d %s %d %s" % (si, pct(col), k, cat_token(v)))
            for v in infreq:
                lines.append("infrequent %d %s %s" % (si, pct(col), cat_token(v)))
            est.names_ = names
        fitted.append((col, est))

    def apply(df):
        for col, est in fitted:
            if kind == "drop":
                df = df.drop(columns=[col])
                continue
            x = df[[col]]
            if kind == "onehot":
                vals = est.transform(x.astype(object))
                pos = list(df.columns).index(col)
                enc = pd.DataFrame(vals, columns=est.names_, index=df.index)
                df = pd.concat([df.iloc[:, :pos], enc, df.iloc[:, pos + 1:]], axis=1)
                continue
            if kind == "impute" and not is_numeric(df[col]):
                df[col] = est.transform(x.astype(object))[:, 0]
                continue
            df[col] = est.transform(x.astype(float))[:, 0].astype(float)
        return df
    return apply


def checked_rows(raw):
    n = len(raw)
    rows = {0, 1, n // 2, n - 1}
    rows.update(raw.index[raw.isna().any(axis=1)].tolist())
    rows.update(k * n // 7 for k in range(1, 7))
    return sorted(r for r in rows if 0 <= r < n)


def make_case(name, dataset, prep, steps, lines):
    df = pd.read_csv(os.path.join(REAL, dataset + ".csv"))
    first = len(lines)
    lines.append("case %s %s" % (name, dataset))
    fit_mask = np.ones(len(df), dtype=bool)
    for p in prep:
        lines.append(" ".join([p[0]] + [pct(v) for v in p[1:]]))
        if p[0] == "gaps":
            df[p[1]] = df[p[1]].astype(object).where(~df[p[2]].isna(), np.nan)
        else:
            fit_mask &= (df[p[1]] != p[2]).to_numpy()
    raw = df
    fit_df = df[fit_mask].reset_index(drop=True)
    work = df
    onehot_sources = []
    error = None
    for si, (kind, columns, settings) in enumerate(steps):
        lines.append("step %s %s" % (kind, pct(columns)))
        for k, v in settings.items():
            lines.append("set %s %s" % (k, pct(v)))
    for si, (kind, columns, settings) in enumerate(steps):
        cols = resolve(fit_df, kind, columns, settings)
        apply = fit_step(si, kind, cols, settings, fit_df, lines)
        fit_df = apply(fit_df)
        if kind == "onehot":
            onehot_sources += [(c, si) for c in cols]
        try:
            work = apply(work)
        except ValueError as e:
            # unseen=error: name the first row holding a category fit did not see
            col = cols[0]
            fitted_cats = set()
            for line in lines[first:]:
                parts = line.split()
                if parts[0] == "category" and parts[1] == str(si) and parts[2] == pct(col):
                    fitted_cats.add(parts[4])
            for r, v in enumerate(work[col]):
                if cat_token(v) not in fitted_cats:
                    error = (r, col, cat_token(v))
                    break
            assert error is not None, e
            break
    if error is not None:
        lines.append("error %d %s %s" % (error[0], pct(error[1]), error[2]))
        lines.append("end")
        return
    for k, c in enumerate(work.columns):
        lines.append("output %d %s" % (k, pct(c)))
    rows = checked_rows(raw)
    hot_cols = {}
    for c, si in onehot_sources:
        hot_cols[c] = [o for o in work.columns if o.startswith(c + "=")]
    encoded = set(o for outs in hot_cols.values() for o in outs)
    for r in rows:
        for c in work.columns:
            if c in encoded or not is_numeric(work[c]):
                continue
            lines.append("value %d %s %s" % (r, pct(c), num(work[c].iloc[r])))
    for c, outs in hot_cols.items():
        block = work[outs].to_numpy(dtype=float)
        for r in range(len(work)):
            ones = np.flatnonzero(block[r] == 1.0)
            assert len(ones) <= 1 and np.count_nonzero(block[r]) == len(ones)
            lines.append("hot %d %s %s" % (r, pct(c), pct(outs[ones[0]]) if len(ones) else
                                           "__none__"))
    lines.append("end")


def main():
    warnings.simplefilter("ignore")
    lines = ["# scikit-learn %s numpy %s pandas %s; see make_transform_reference.py"
             % (sklearn.__version__, np.__version__, pd.__version__)]
    for case in CASES:
        make_case(*case, lines)
    with open(OUT, "w", encoding="ascii", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    print("%d cases, %d lines -> %s" % (len(CASES), len(lines), os.path.relpath(OUT)))


if __name__ == "__main__":
    sys.exit(main())
