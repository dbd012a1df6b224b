#!/usr/bin/python3
"""Expected dataset fingerprints for tests/data/test_fingerprint.c.

An independent implementation, with hashlib and struct, of the canonical
encoding that mlops_dataset_fingerprint(3) specifies:

    "libmlops-dataset-fingerprint-v1\\n"            32 ASCII bytes
    u64 rows, u64 columns                          little-endian
    per column, in column order:
      u64 name length, name bytes (UTF-8)
      u8 type (1 numeric, 2 categorical), u8 role (0 feature .. 6 ignore)
      rows values:
        numeric      u64 bits of the IEEE-754 binary64 value, every NaN
                     (missing) as 0x7ff8000000000000, -0.0 as +0.0
        categorical  u64 length + UTF-8 bytes, or u64 0xffffffffffffffff
                     for a missing value

The CSV files are read with Python's csv module, not with libmlops's reader:
a field is missing when, after trimming spaces and tabs, it is empty or one
of NA, N/A, NaN, null (libmlops's defaults); a column is numeric when every
present field parses with float() (correctly rounded, as the library's
reader is), otherwise categorical. The script checks its numeric values
against pandas.read_csv bit for bit and aborts on any difference.

It also writes tests/data/test_fingerprint_iris_variant.csv.gz: iris.csv
spelled differently (see write_variant()) and gzip-compressed, which must
give iris.csv's fingerprint.

Run (from the repository root):

    /usr/bin/python3 tests/reference/make_fingerprint_reference.py > tests/data/test_fingerprint_reference.h

Outputs were made with Python 3.11 and pandas 1.5.3 (Debian packages).
"""
import csv
import gzip
import hashlib
import math
import pathlib
import struct
import sys

import pandas as pd

REAL = pathlib.Path(__file__).resolve().parent.parent / "data" / "real"
MAGIC = b"libmlops-dataset-fingerprint-v1\n"
MISSING_TOKENS = {"", "NA", "N/A", "NaN", "null"}
NUMERIC, CATEGORICAL = 1, 2
ROLES = {"feature": 0, "target": 1, "group": 2, "weight": 3, "id": 4, "time": 5, "ignore": 6}


def fingerprint(columns, rows):
    """columns: list of (name, type, role, values); numeric values are floats
    (nan = missing), categorical values are str or None (missing)."""
    h = hashlib.sha256()
    h.update(MAGIC)
    h.update(struct.pack("<QQ", rows, len(columns)))
    for name, ctype, role, values in columns:
        raw = name.encode("utf-8")
        h.update(struct.pack("<Q", len(raw)) + raw)
        h.update(struct.pack("<BB", ctype, role))
        assert len(values) == rows
        for v in values:
            if ctype == NUMERIC:
                if math.isnan(v):
                    h.update(struct.pack("<Q", 0x7FF8000000000000))
                else:
                    h.update(struct.pack("<d", 0.0 if v == 0.0 else v))
            elif v is None:
                h.update(struct.pack("<Q", 0xFFFFFFFFFFFFFFFF))
            else:
                raw = v.encode("utf-8")
                h.update(struct.pack("<Q", len(raw)) + raw)
    return h.hexdigest()


def read_csv(path, roles=None):
    with open(path, newline="", encoding="utf-8") as f:
        records = list(csv.reader(f))
    header, body = records[0], records[1:]
    columns = []
    for j, name in enumerate(header):
        cells = [r[j].strip(" \t") for r in body]
        present = [c for c in cells if c not in MISSING_TOKENS]
        try:
            numbers = [float(c) for c in present]
            ctype = NUMERIC
        except ValueError:
            ctype = CATEGORICAL
        if ctype == NUMERIC:
            values = [math.nan if c in MISSING_TOKENS else float(c) for c in cells]
        else:
            values = [None if c in MISSING_TOKENS else c for c in cells]
        role = ROLES[(roles or {}).get(name, "feature")]
        columns.append((name.strip(" \t"), ctype, role, values))
    check_with_pandas(path, columns)
    return columns, len(body)


def check_with_pandas(path, columns):
    frame = pd.read_csv(path)
    for name, ctype, _, values in columns:
        if ctype != NUMERIC:
            continue
        theirs = frame[name].astype(float).tolist()
        for r, (a, b) in enumerate(zip(values, theirs)):
            same = (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)
            if not same:
                sys.exit("%s column %s row %d: csv %r, pandas %r" % (path, name, r, a, b))


def synthetic():
    """The small dataset tests/data/test_fingerprint.c builds column by column."""
    x = [1.5, -0.0, math.nan, 1e300, -2.25]
    label = ["b", None, "a", "b", ""]
    return [("x", NUMERIC, ROLES["weight"], x),
            ("caf\u00e9 \u2615", CATEGORICAL, ROLES["group"], label)], 5


def long_strings():
    """Values longer than the library's 4 KiB hashing buffer, and one that
    ends exactly at a buffer boundary."""
    return [("long", CATEGORICAL, 0, ["x" * 5000, None, "y" * 4095])], 3


def respell(token, k):
    """One of several spellings of the same number or string."""
    if k % 5 == 0:
        return '"%s"' % token
    try:
        float(token)
    except ValueError:
        return token
    if k % 5 == 1:
        return token + "0" if "." in token else token + ".0"
    if k % 5 == 2:
        mantissa = token.replace(".", "")
        decimals = len(token.split(".")[1]) if "." in token else 0
        return "%se-%d" % (mantissa.lstrip("0") or "0", decimals) if decimals else token
    if k % 5 == 3:
        return "+" + token
    return " %s " % token


def write_variant(path):
    """iris.csv with CRLF line ends, quoted header, every field spelled in a
    rotating way (quoted, trailing zero, exponent, plus sign, padded), gzip
    compressed without a name or time stamp so the bytes are reproducible."""
    with open(REAL / "iris.csv", newline="", encoding="utf-8") as f:
        records = list(csv.reader(f))
    lines = [",".join('"%s"' % h for h in records[0])]
    for i, rec in enumerate(records[1:]):
        fields = []
        for j, tok in enumerate(rec):
            spelled = respell(tok, i + j)
            plain = spelled.strip(" ").strip('"')
            assert plain.lstrip("+") == tok or float(plain) == float(tok), (tok, spelled)
            fields.append(spelled)
        lines.append(",".join(fields))
    data = ("\r\n".join(lines) + "\r\n").encode("ascii")
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(data)


def main():
    write_variant(pathlib.Path(__file__).resolve().parent.parent / "data" /
                  "test_fingerprint_iris_variant.csv.gz")
    out = ["/* Generated by tests/reference/make_fingerprint_reference.py with Python %d.%d and"
           % sys.version_info[:2],
           " * pandas %s; do not edit. */" % pd.__version__,
           "struct fingerprint_reference {",
           "    const char *name; /* a file under tests/data/real, or a label */",
           "    const char *hex;",
           "};",
           "static const struct fingerprint_reference fingerprint_reference[] = {"]
    for stem in ("iris", "wine", "breast_cancer", "diabetes", "cars"):
        columns, rows = read_csv(REAL / (stem + ".csv"))
        out.append('    {"%s.csv", "%s"},' % (stem, fingerprint(columns, rows)))
    columns, rows = read_csv(REAL / "iris.csv", {"species": "target"})
    out.append('    {"iris.csv role.species=target", "%s"},' % fingerprint(columns, rows))
    columns, rows = synthetic()
    out.append('    {"synthetic", "%s"},' % fingerprint(columns, rows))
    out.append('    {"empty", "%s"},' % fingerprint([("x", NUMERIC, 0, [])], 0))
    columns, rows = long_strings()
    out.append('    {"long strings", "%s"},' % fingerprint(columns, rows))
    out.append("};")
    print("\n".join(out))


if __name__ == "__main__":
    main()
