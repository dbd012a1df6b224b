#!/usr/bin/python3
"""Reference answers for mlops_dataset_read_csv on the real datasets, from pandas.

For every tests/data/real/<stem>.csv this reads the file with plain
pandas.read_csv(path) (no options) and writes tests/data/real/<stem>.expected,
a line-oriented text file whose lines are whitespace-separated tokens that a C
test can read with fgets + strtok (or fscanf):

    rows <n>
    cols <m>
    column <index> <name> <type> <missing_count>       one per column, index 0-based
    sum <index> <hexfloat>                             numeric columns
    value <index> <row> <hexfloat>                     numeric columns, checked rows
    categories <index> <distinct>                      categorical columns
    string <index> <row> <pct-encoded string>          categorical columns, checked rows
    missing <index> <row>                              a checked cell that is missing

Order: rows, cols, all `column` lines, then per column (in column order) its
`sum`/`categories` line followed by its per-row lines in increasing row order.

* <type> is `numeric` when the pandas dtype is int, unsigned, float or bool,
  otherwise `categorical`.
* <missing_count> is the number of missing cells pandas reports (isna()).
* Hex floats are Python's float.hex() ("0x1.8000000000000p+1"), which C's
  strtod() parses exactly. Integer and bool columns are converted to double.
* sum = math.fsum over the non-missing values (correctly rounded sum, so the
  order of summation does not matter); an all-missing column gives 0x0.0p+0.
* <distinct> counts distinct non-missing strings.
* Names and strings are percent-encoded: every byte that is <= 0x20 (space,
  tab, newline, other controls), 0x25 ('%'), 0x7f or >= 0x80 becomes %XX
  (upper-case hex) of the UTF-8 bytes; all other bytes are written as is.
  This is a superset of "spaces, tabs, '%' and non-ASCII", so every token is
  non-empty and free of whitespace. Decode with a two-hex-digit %XX rule.
* Missing cells in the checked rows (numeric or categorical) are written as
  `missing <index> <row>` instead of `value`/`string`.
* Checked rows: 0, 1, n//2 and n-1, plus 5 other distinct rows chosen
  deterministically: first the first two rows (in row order) that contain a
  missing cell in any column, so the missing bitmap is exercised where the
  data has gaps, then rows k*n//7 for k = 1, 2, ... skipping rows already
  chosen, until 5 extra rows are found (fewer only if n is too small).

Trimming: libmlops trims leading/trailing spaces of fields, pandas does not.
The reference applies the same trim (str.strip(' ')) to string cells so both
agree; in the current datasets no field has leading or trailing spaces, so the
trim changes nothing (the script reports how many cells it changed).

Safety checks, which make the script fail rather than write a wrong answer:
* every numeric value pandas produced with its default float parser is
  compared with Python's correctly rounded float() of the field text (what a
  strtod-based reader gives); any difference aborts;
* the script aborts if a field equals one of pandas' default missing tokens
  that libmlops does not treat as missing (libmlops: empty, NA, N/A, NaN,
  null; pandas additionally: #N/A, NULL, None, nan, n/a, <NA>, -NaN, ...);
  then the two readers would disagree and the reference would be ambiguous.

Rerun (from the repository root):

    /usr/bin/python3 tests/reference/make_csv_reference.py

It needs pandas (Debian python3-pandas; outputs were made with the pandas
version named in tests/data/real/README.md) and rewrites every *.expected file.
"""
import csv
import math
import os
import sys

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.normpath(os.path.join(HERE, "..", "data", "real"))

LIBMLOPS_MISSING = {"", "NA", "N/A", "NaN", "null"}
PANDAS_MISSING = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN",
                  "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN",
                  "None", "n/a", "nan", "null"}


def pct(s):
    out = []
    for b in s.encode("utf-8"):
        if b <= 0x20 or b == 0x25 or b >= 0x7F:
            out.append("%%%02X" % b)
        else:
            out.append(chr(b))
    return "".join(out)


def checked_rows(df):
    n = len(df)
    if n == 0:
        return []
    base = []
    for r in (0, 1, n // 2, n - 1):
        if r < n and r not in base:
            base.append(r)
    extra = []
    for r in df.index[df.isna().any(axis=1)].tolist()[:2]:
        if r not in base and r not in extra:
            extra.append(r)
    k = 1
    while len(extra) < 5 and k < 7 * n:
        r = k * n // 7
        if r >= n:
            break
        if r not in base and r not in extra:
            extra.append(r)
        k += 1
    return sorted(base + extra)


def check_against_text(path, df):
    """Abort if pandas' parse differs from a strict strtod/trim reading."""
    with open(path, newline="", encoding="utf-8") as fh:
        records = list(csv.reader(fh))
    header, body = records[0], [r for r in records[1:] if r]
    assert len(body) == len(df), (path, len(body), len(df))
    for j, col in enumerate(df.columns):
        numeric = df[col].dtype.kind in "iufb"
        for i, rec in enumerate(body):
            text = rec[j]
            t = text.strip(" ")
            if t in PANDAS_MISSING and t not in LIBMLOPS_MISSING:
                sys.exit("%s row %d col %s: %r is missing for pandas only" % (path, i, col, text))
            if not numeric:
                continue
            cell = df[col].iloc[i]
            if t in LIBMLOPS_MISSING:
                if not pd.isna(cell):
                    sys.exit("%s row %d col %s: %r not missing in pandas" % (path, i, col, text))
                continue
            if df[col].dtype.kind == "b":
                continue
            want = float(t)
            got = float(cell)
            if not (want == got and math.copysign(1, want) == math.copysign(1, got)):
                sys.exit("%s row %d col %s: %r pandas %r, strtod %r"
                         % (path, i, col, text, got, want))


def make(path):
    stem = os.path.splitext(os.path.basename(path))[0]
    df = pd.read_csv(path)
    check_against_text(path, df)
    n, m = df.shape
    trimmed = 0
    for col in df.columns:
        if df[col].dtype.kind not in "iufb":
            def trim(v):
                nonlocal trimmed
                if isinstance(v, str) and v != v.strip(" "):
                    trimmed += 1
                    return v.strip(" ")
                return v
            df[col] = df[col].map(trim)
    rows = checked_rows(df)
    lines = ["rows %d" % n, "cols %d" % m]
    kinds = []
    for j, col in enumerate(df.columns):
        kind = "numeric" if df[col].dtype.kind in "iufb" else "categorical"
        kinds.append(kind)
        lines.append("column %d %s %s %d" % (j, pct(str(col)), kind, int(df[col].isna().sum())))
    for j, col in enumerate(df.columns):
        s = df[col]
        if kinds[j] == "numeric":
            vals = [float(v) for v in s if not pd.isna(v)]
            lines.append("sum %d %s" % (j, math.fsum(vals).hex()))
            for r in rows:
                v = s.iloc[r]
                if pd.isna(v):
                    lines.append("missing %d %d" % (j, r))
                else:
                    lines.append("value %d %d %s" % (j, r, float(v).hex()))
        else:
            lines.append("categories %d %d" % (j, int(s.dropna().nunique())))
            for r in rows:
                v = s.iloc[r]
                if pd.isna(v):
                    lines.append("missing %d %d" % (j, r))
                else:
                    lines.append("string %d %d %s" % (j, r, pct(str(v))))
    out = os.path.join(REAL, stem + ".expected")
    with open(out, "w", encoding="ascii", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    print("%s: %d rows x %d cols, checked rows %s, %d cells trimmed -> %s"
          % (stem, n, m, rows, trimmed, os.path.relpath(out)))


def main():
    files = sorted(f for f in os.listdir(REAL) if f.endswith(".csv"))
    if not files:
        sys.exit("no CSV files in " + REAL)
    print("pandas %s" % pd.__version__)
    for f in files:
        make(os.path.join(REAL, f))


if __name__ == "__main__":
    main()
