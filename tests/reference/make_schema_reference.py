#!/usr/bin/python3
"""Reference answers for mlops_schema_infer and mlops_schema_check, from pandas.

Writes three files under tests/data/schema/:

cars_altered.csv
    An edited copy of tests/data/real/cars.csv (same 406 data rows), made with
    the csv module so untouched fields keep their exact text. Edits (0-based
    data rows): column Acceleration dropped; a new column Color appended;
    Cylinders row 20 = "eight" (the column turns categorical); Horsepower rows
    3, 50, 120, 250, 333, 401 = 999 (above the observed max), rows 7, 99 = 5
    (below the observed min), rows 60..71 blank; Weight_in_lbs row 5 = 100,
    row 6 = 6000.5; Miles_per_Gallon rows 200..209 blank; Origin rows 2, 300 =
    "Mars", row 200 = "Africa", row 404 blank; Year row 15 = "1990-01-01";
    Name row 0 = "brand new car" (Name has too many categories to be
    constrained, so this is no violation).

infer.expected
    What a schema inferred from each tests/data/real/<stem>.csv must hold,
    one line per column:
        dataset <stem> <ncols>
        column <name> numeric <max_missing_fraction> <min> <max>
        column <name> categorical <max_missing_fraction> none
        column <name> categorical <max_missing_fraction> <k> <cat_1> ... <cat_k>
    Numbers are Python float.hex() (C strtod reads them exactly); min/max of
    an all-missing numeric column are "none". The missing fraction is
    missing/rows computed in double precision (0 when nothing is missing).
    Categories are the distinct present values in order of first
    appearance, listed only when there are at most 50 ("none" otherwise),
    percent-encoded (urllib.parse.quote with safe="") so tokens hold no
    spaces.

check.expected
    Violations that mlops_schema_check must report, per case:
        case <name> <strict 0|1>
        violation <kind> <column> <count> [<sample row> ...]
        end
    Cases: cars_altered (schema inferred from cars.csv, data
    cars_altered.csv; without and with strict) and iris_setosa (schema
    inferred from iris.csv rows 0..49, data all of iris.csv; with strict).
    Violations are listed in the library's documented order: schema columns
    in order, per column missing_column, or wrong_type, below_min,
    above_max, category_not_allowed, too_many_missing; then
    unexpected_column (strict only) in data column order. <count> is the
    number of offending rows (missing entries for too_many_missing; all rows
    for column-level kinds); samples are the first 5 offending rows (none
    for column-level kinds).

The rules are applied here independently with pandas: the data is read with
pandas.read_csv using the library's missing tokens (empty, NA, N/A, NaN,
null) and no others; a column is numeric when pandas gives it a numeric
dtype; comparisons use pandas' float64 values.

Rerun (from the repository root):

    /usr/bin/python3 tests/reference/make_schema_reference.py

Outputs were made with pandas 1.5.3 (Debian python3-pandas).
"""
import csv
import math
import os
import sys
import urllib.parse

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REAL = os.path.join(ROOT, "tests", "data", "real")
OUT = os.path.join(ROOT, "tests", "data", "schema")
MISSING = ["", "NA", "N/A", "NaN", "null"]
MAX_CATEGORIES = 50
SAMPLES = 5


def read(path):
    return pd.read_csv(path, keep_default_na=False, na_values=MISSING)


def is_numeric(series):
    return pd.api.types.is_numeric_dtype(series.dtype)


def infer(df):
    """The schema as mlops_schema_infer defines it: list of column dicts."""
    rows = len(df)
    schema = []
    for name in df.columns:
        s = df[name]
        missing = int(s.isna().sum())
        col = {"name": name, "missing": missing / rows if rows and missing else 0.0}
        if is_numeric(s):
            present = s.dropna().astype(float)
            col["type"] = "numeric"
            col["min"] = float(present.min()) if len(present) else None
            col["max"] = float(present.max()) if len(present) else None
        else:
            col["type"] = "categorical"
            cats = [str(v) for v in pd.unique(s.dropna())]
            col["categories"] = cats if len(cats) <= MAX_CATEGORIES else None
        schema.append(col)
    return schema


def check(schema, df, strict):
    rows = len(df)
    out = []
    known = set()
    for col in schema:
        name = col["name"]
        known.add(name)
        if name not in df.columns:
            out.append(("missing_column", name, rows, []))
            continue
        s = df[name]
        data_type = "numeric" if is_numeric(s) else "categorical"
        nmissing = int(s.isna().sum())
        if data_type != col["type"] and nmissing < rows:
            out.append(("wrong_type", name, rows, []))
        elif col["type"] == "numeric":
            values = s.astype(float)
            if col["min"] is not None:
                below = [i for i in range(rows) if values.iloc[i] < col["min"]]
                if below:
                    out.append(("below_min", name, len(below), below[:SAMPLES]))
            if col["max"] is not None:
                above = [i for i in range(rows) if values.iloc[i] > col["max"]]
                if above:
                    out.append(("above_max", name, len(above), above[:SAMPLES]))
        elif col.get("categories") is not None:
            allowed = set(col["categories"])
            bad = [i for i in range(rows)
                   if not pd.isna(s.iloc[i]) and str(s.iloc[i]) not in allowed]
            if bad:
                out.append(("category_not_allowed", name, len(bad), bad[:SAMPLES]))
        if rows and nmissing and nmissing / rows > col["missing"]:
            where = [i for i in range(rows) if pd.isna(s.iloc[i])]
            out.append(("too_many_missing", name, nmissing, where[:SAMPLES]))
    if strict:
        for name in df.columns:
            if name not in known:
                out.append(("unexpected_column", name, rows, []))
    return out


def make_altered():
    with open(os.path.join(REAL, "cars.csv"), newline="") as f:
        table = list(csv.reader(f))
    header, body = table[0], table[1:]
    assert len(body) == 406
    col = {name: i for i, name in enumerate(header)}

    def put(name, rows, value):
        for r in rows:
            body[r][col[name]] = value

    put("Name", [0], "brand new car")
    put("Cylinders", [20], "eight")
    put("Horsepower", [3, 50, 120, 250, 333, 401], "999")
    put("Horsepower", [7, 99], "5")
    put("Horsepower", range(60, 72), "")
    put("Weight_in_lbs", [5], "100")
    put("Weight_in_lbs", [6], "6000.5")
    put("Miles_per_Gallon", range(200, 210), "")
    put("Origin", [2, 300], "Mars")
    put("Origin", [200], "Africa")
    put("Origin", [404], "")
    put("Year", [15], "1990-01-01")
    drop = col["Acceleration"]
    header = [h for i, h in enumerate(header) if i != drop] + ["Color"]
    body = [[v for i, v in enumerate(row) if i != drop] + [["red", "blue"][r % 2]]
            for r, row in enumerate(body)]
    path = os.path.join(OUT, "cars_altered.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(body)
    return path


def hexf(v):
    return "none" if v is None else float(v).hex()


def write_infer():
    lines = []
    for stem in ["breast_cancer", "cars", "diabetes", "iris", "wine"]:
        df = read(os.path.join(REAL, stem + ".csv"))
        schema = infer(df)
        lines.append("dataset %s %d" % (stem, len(schema)))
        for c in schema:
            if c["type"] == "numeric":
                lines.append("column %s numeric %s %s %s" % (
                    c["name"], hexf(c["missing"]), hexf(c["min"]), hexf(c["max"])))
            elif c["categories"] is None:
                lines.append("column %s categorical %s none" % (c["name"], hexf(c["missing"])))
            else:
                cats = " ".join(urllib.parse.quote(v, safe="") for v in c["categories"])
                lines.append("column %s categorical %s %d %s" % (
                    c["name"], hexf(c["missing"]), len(c["categories"]), cats))
    with open(os.path.join(OUT, "infer.expected"), "w") as f:
        f.write("\n".join(lines) + "\n")


def write_check(altered):
    cars = infer(read(os.path.join(REAL, "cars.csv")))
    cars_altered = read(altered)
    iris = read(os.path.join(REAL, "iris.csv"))
    cases = [("cars_altered", 0, check(cars, cars_altered, False)),
             ("cars_altered", 1, check(cars, cars_altered, True)),
             ("iris_setosa", 1, check(infer(iris.iloc[0:50]), iris, True))]
    lines = []
    for name, strict, violations in cases:
        lines.append("case %s %d" % (name, strict))
        for kind, column, count, samples in violations:
            lines.append(" ".join(["violation", kind, column, str(count)] +
                                  [str(r) for r in samples]))
        lines.append("end")
    with open(os.path.join(OUT, "check.expected"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for name, strict, violations in cases:
        print("%s strict=%d: %d violations" % (name, strict, len(violations)))


def main():
    os.makedirs(OUT, exist_ok=True)
    altered = make_altered()
    write_infer()
    write_check(altered)
    return 0


if __name__ == "__main__":
    sys.exit(main())
