"""Coverage of the public C API by the Python binding, and the classes that
complete it (mlops.Schema, Validation, CsvReader, the split functions, the
Dataset extras and inputs, Model.fit from arrays and frames); run by meson
with MLOPS_LIBRARY pointing at the freshly built library, under the python3
on PATH (standard library only) and under /usr/bin/python3 (NumPy, pandas).

Reference values come from independent sources: the real CSV files read
with the csv and statistics modules here, and the split rows of
tests/data/test_split_reference.h (written by
tests/reference/make_split_reference.py from NumPy's SFC64 and checked
against scikit-learn)."""
import array
import collections
import csv
import ctypes
import gc
import math
import os
import pickle
import re
import statistics
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
import mlops  # noqa: E402
from mlops import _dataset, _native  # noqa: E402

try:
    import numpy as np
except ImportError:
    np = None
try:
    import pandas as pd
except ImportError:
    pd = None

REAL = os.path.join(ROOT, "tests", "data", "real")
CARS = os.path.join(REAL, "cars.csv")
IRIS = os.path.join(REAL, "iris.csv")
WINE = os.path.join(REAL, "wine.csv")
HEADERS = os.path.join(ROOT, "include", "mlops")
PACKAGE = os.path.join(ROOT, "bindings", "python", "mlops")
SPLIT_REFERENCE = os.path.join(ROOT, "tests", "data", "test_split_reference.h")

# Public functions deliberately not wrapped, with the reason.
C_ONLY = {
    "mlops_set_allocator": "allocator hooks are for C programs: Python callables as malloc "
                           "would re-enter the interpreter on every allocation, and the "
                           "library already holds memory once the binding is imported "
                           "(MLOPS_ESTATE)",
}


def tolist(x):
    return x.tolist() if hasattr(x, "tolist") else list(x)


def read_columns(path):
    """{name: [raw strings]} and the header order, via the csv module."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, data = rows[0], rows[1:]
    return header, {name: [r[i] for r in data] for i, name in enumerate(header)}


def as_number(text):
    try:
        return float(text)
    except ValueError:
        return None


def is_numeric(values):
    return all(v == "" or as_number(v) is not None for v in values)


def numbers(values):
    return [float(v) for v in values if v != ""]


def quantile_linear(values, q):
    """numpy.quantile's default 'linear' method."""
    s = sorted(values)
    h = (len(s) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (h - lo) * (s[hi] - s[lo])


def split_reference():
    """The arrays of tests/data/test_split_reference.h by name."""
    with open(SPLIT_REFERENCE) as f:
        text = f.read()
    return {m.group(1): [int(v) for v in m.group(2).replace("\n", " ").split(",") if v.strip()]
            for m in re.finditer(r"static const \w+ (\w+)\[\d+\] = \{([^}]*)\};", text)}


def with_row_ids(path, roles=None, types=None):
    """The CSV as a Dataset built from csv-module columns plus a numeric
    'row' column 0..n-1 (splits depend only on the row count and the
    stratify/time column, so the extra column does not change them)."""
    header, cols = read_columns(path)
    n = len(cols[header[0]])
    data = {"row": [float(i) for i in range(n)]}
    for name in header:
        kind = (types or {}).get(name) or ("numeric" if is_numeric(cols[name]) else "cat")
        data[name] = ([as_number(v) if v != "" else None for v in cols[name]]
                      if kind == "numeric" else [v if v != "" else None for v in cols[name]])
    return mlops.Dataset(data, roles=roles)


def header_functions():
    """{name: (return type, [parameter types])} of every MLOPS_API
    declaration in include/mlops/*.h and version.h.in."""
    found = {}
    for fname in sorted(os.listdir(HEADERS)):
        if not (fname.endswith(".h") or fname.endswith(".h.in")):
            continue
        with open(os.path.join(HEADERS, fname)) as f:
            text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
        for m in re.finditer(r"\bMLOPS_API\s+([^;{(]*?)\b(mlops_\w+)\s*\(([^;]*?)\)\s*;", text):
            params = [p.strip() for p in m.group(3).split(",")]
            if params == ["void"]:
                params = []
            found[m.group(2)] = (" ".join(m.group(1).split()), params)
    return found


_SCALARS = {"int": ctypes.c_int, "unsigned": ctypes.c_uint, "size_t": ctypes.c_size_t,
            "double": ctypes.c_double, "uint64_t": ctypes.c_uint64,
            "uint32_t": ctypes.c_uint32, "int32_t": ctypes.c_int32}


def _is_pointer_type(t):
    return (t in (ctypes.c_void_p, ctypes.c_char_p)
            or (isinstance(t, type) and issubclass(t, (ctypes._Pointer, ctypes._CFuncPtr))))


def _type_ok(c_decl, ctype):
    """Whether a ctypes declaration fits a C type (a parameter with its
    name, or a return type)."""
    c_decl = c_decl.replace("const", " ")
    if "*" in c_decl or "_fn" in c_decl.split()[0]:
        return _is_pointer_type(ctype)
    base = c_decl.split()[0]
    if base == "void":
        return ctype is None
    return _SCALARS.get(base) is ctype


class Lifecycle(unittest.TestCase):
    """Every test also checks that the library holds no more memory after
    it than before, once Python has collected its objects."""

    def setUp(self):
        gc.collect()
        self.live_before = mlops.live_allocations()

    def tearDown(self):
        gc.collect()
        self.assertEqual(mlops.live_allocations(), self.live_before,
                         "library allocations leaked by %s" % self.id())

    def assertNotFound(self, call, *words):
        """call() raises mlops.NotFound (MLOPS_ENOTFOUND) whose message
        names every one of ``words``."""
        with self.assertRaises(mlops.NotFound) as caught:
            call()
        e = caught.exception
        self.assertIsInstance(e, mlops.MlopsError)
        self.assertEqual(e.code, -8)
        for w in words:
            self.assertIn(w, str(e))
        return e


# ---- coverage -----------------------------------------------------------

class Coverage(unittest.TestCase):
    def test_every_public_function_is_declared_with_its_c_signature(self):
        functions = header_functions()
        self.assertGreater(len(functions), 250)
        for name in C_ONLY:
            self.assertIn(name, functions, "stale C_ONLY entry %s" % name)
        sources = ""
        for fname in sorted(os.listdir(PACKAGE)):
            if fname.endswith(".py"):
                with open(os.path.join(PACKAGE, fname)) as f:
                    sources += f.read()
        missing, unexported, wrong = [], [], []
        for name, (restype, params) in sorted(functions.items()):
            if name in C_ONLY:
                continue
            if not re.search(r"""["']%s["']|lib\.%s\b""" % (name, name), sources):
                missing.append(name)
                continue
            if not hasattr(_native.lib, name):
                unexported.append(name)
                continue
            fn = getattr(_native.lib, name)
            if fn.argtypes is None:
                missing.append(name + " (never declared)")
                continue
            if len(fn.argtypes) != len(params):
                wrong.append("%s: %d argtypes for %d parameters"
                             % (name, len(fn.argtypes), len(params)))
                continue
            if not _type_ok(restype, fn.restype):
                wrong.append("%s: returns %s, declared %s" % (name, restype, fn.restype))
            for i, (p, t) in enumerate(zip(params, fn.argtypes)):
                if not _type_ok(p, t):
                    wrong.append("%s: parameter %d '%s' declared %s" % (name, i, p, t))
        self.assertEqual(missing, [], "public functions the binding does not declare")
        self.assertEqual(unexported, [], "declared in headers but not exported")
        self.assertEqual(wrong, [], "declarations that do not match the C prototype")

    def test_the_new_functions_are_in_the_native_declarations(self):
        with open(os.path.join(PACKAGE, "_native.py")) as f:
            native = f.read()
        for name in ("mlops_schema_check", "mlops_validation_samples", "mlops_split_kfold",
                     "mlops_csv_reader_next", "mlops_dataset_concat_rows",
                     "mlops_model_predict_row", "mlops_transform_fit_apply"):
            self.assertIn('"%s"' % name, native)
            self.assertTrue(_native.has(name), name)

    def test_public_classes_and_methods_have_docstrings(self):
        import inspect
        undocumented = []
        for name in mlops.__all__:
            obj = getattr(mlops, name)
            if not callable(obj):
                continue
            if not inspect.getdoc(obj):
                undocumented.append(name)
            if inspect.isclass(obj) and obj.__module__.startswith("mlops"):
                for attr, value in vars(obj).items():
                    if attr.startswith("_") and attr != "__init__":
                        continue
                    if isinstance(value, property) and not value.__doc__:
                        undocumented.append("%s.%s" % (name, attr))
                    elif (inspect.isfunction(value) or isinstance(value, (classmethod,
                                                                          staticmethod))) \
                            and not inspect.getdoc(getattr(obj, attr)):
                        undocumented.append("%s.%s" % (name, attr))
        self.assertEqual(undocumented, [])
        text = mlops.Model.__doc__ + mlops.Model.fit.__doc__
        for word in ("predict_proba", "model_card", "y", "Raises"):
            self.assertIn(word, text)


# ---- schema and validation ------------------------------------------------

class SchemaTests(Lifecycle):
    def test_inferred_schema_of_cars_matches_the_csv_module(self):
        header, cols = read_columns(CARS)
        with mlops.read_csv(CARS) as cars, cars.schema() as schema:
            self.assertEqual(schema.columns, header)
            self.assertEqual(len(schema), 9)
            d = schema.to_dict()
            self.assertEqual((d["format"], d["version"], d["strict"]),
                             ("libmlops-schema", 1, False))
            for name, col in zip(header, d["columns"]):
                values = cols[name]
                n = len(values)
                missing = sum(v == "" for v in values)
                self.assertEqual(col["name"], name)
                self.assertEqual(col["type"], "numeric" if is_numeric(values) else "categorical",
                                 name)
                self.assertEqual(col["role"], "feature")
                self.assertTrue(col["required"])
                self.assertAlmostEqual(col["max_missing_fraction"], missing / n, places=15)
                if col["type"] == "numeric":
                    self.assertEqual(col["min"], min(numbers(values)), name)
                    self.assertEqual(col["max"], max(numbers(values)), name)
                    self.assertIsNone(schema.categories(name))
                else:
                    seen = list(dict.fromkeys(v for v in values if v != ""))
                    want = seen if len(seen) <= 50 else None
                    self.assertEqual(col.get("categories"), want, name)
                    self.assertEqual(schema.categories(name), want, name)
            self.assertEqual([c for c in header if schema.column(c)["type"] == "categorical"],
                             ["Name", "Year", "Origin"])
            self.assertEqual(schema.categories("Origin"), ["USA", "Europe", "Japan"])
            self.assertEqual(schema.get("Horsepower", "max"), "230")
            self.assertEqual(schema.get("Miles_per_Gallon", "max_missing_fraction"),
                             repr(8 / 406))
            # A fresh check of the same data passes.
            with schema.check(cars) as report:
                self.assertTrue(report.passed)
                self.assertEqual((len(report), report.rows), (0, 406))
                self.assertEqual(report.to_dict(), {"passed": True, "rows": 406,
                                                    "violations": []})
        with mlops.read_csv(CARS) as cars, mlops.Schema.infer(cars, max_categories=2) as s:
            self.assertIsNone(s.categories("Origin"))  # 3 categories > 2

    def test_violations_are_counted_against_the_data(self):
        header, cols = read_columns(CARS)
        hp = [as_number(v) for v in cols["Horsepower"]]
        over = [i for i, v in enumerate(hp) if v is not None and v > 200]
        under = [i for i, v in enumerate(hp) if v is not None and v < 60]
        origins = cols["Origin"]
        not_usa_japan = [i for i, v in enumerate(origins) if v not in ("USA", "Japan")]
        with mlops.read_csv(CARS) as cars, cars.schema() as schema:
            schema.set("Horsepower", "max", 200).set("Horsepower", "min", 60.0)
            schema.set("Horsepower", "max_missing_fraction", 0)
            schema.set("Origin", "categories", ["USA", "Japan"])
            schema.add_column("owner", "categorical")
            schema.remove_column("Name")
            schema.strict = True
            report = cars.validate(schema)
            self.assertFalse(report.passed)
            got = {(v["kind"], v["column"]): v for v in report}
            self.assertEqual(len(report), len(got))
            self.assertEqual(sorted(got), sorted([
                ("below_min", "Horsepower"), ("above_max", "Horsepower"),
                ("too_many_missing", "Horsepower"), ("category_not_allowed", "Origin"),
                ("missing_column", "owner"), ("unexpected_column", "Name")]))
            v = got[("above_max", "Horsepower")]
            self.assertEqual(v["count"], len(over))
            self.assertEqual(v["samples"], over[:5])
            self.assertIn("Horsepower", v["message"])
            self.assertIn("230", v["message"])  # the largest value found
            self.assertEqual(got[("below_min", "Horsepower")]["samples"], under[:5])
            self.assertEqual(got[("below_min", "Horsepower")]["count"], len(under))
            self.assertEqual(got[("too_many_missing", "Horsepower")]["count"],
                             sum(v is None for v in hp))
            self.assertEqual(got[("category_not_allowed", "Origin")]["count"],
                             len(not_usa_japan))
            self.assertEqual(got[("missing_column", "owner")]["count"], 406)
            self.assertEqual(got[("unexpected_column", "Name")]["samples"], [])
            # The JSON view, item access and the accessors agree.
            d = report.to_dict()
            self.assertEqual((d["passed"], d["rows"]), (False, 406))
            self.assertEqual(d["violations"], report.violations)
            self.assertEqual(report[-1], report.violations[-1])
            with self.assertRaises(IndexError):
                report[len(report)]
            self.assertEqual([mlops.violation_kind_name(k) for k in range(1, 8)],
                             ["missing_column", "unexpected_column", "wrong_type", "below_min",
                              "above_max", "category_not_allowed", "too_many_missing"])
            with self.assertRaises(mlops.SchemaViolation) as caught:
                report.raise_if_failed()
            self.assertIsInstance(caught.exception, mlops.GateError)
            self.assertEqual(caught.exception.code, -9)
            self.assertIn("6 schema violations", str(caught.exception))
            self.assertIs(caught.exception.validation, report)
            report.close()

    def test_settings_round_trip_and_errors_name_what_is_wrong(self):
        with mlops.Schema() as s:
            self.assertEqual((len(s), s.columns, s.strict), (0, [], False))
            s.add_column("age", "numeric", min=0, max=120, role="feature", sensitive=True)
            s.add_column("city", "categorical", required=False,
                         categories=["a,b", " spaced ", "x\\y"])
            self.assertEqual(s.columns, ["age", "city"])
            self.assertIn("age", s)
            self.assertEqual(s.index("city"), 1)
            self.assertEqual((s.get("age", "min"), s.get("age", "max")), ("0", "120"))
            self.assertEqual(s.get("age", "sensitive"), "true")
            self.assertEqual(s.categories("city"), ["a,b", " spaced ", "x\\y"])
            self.assertEqual(s.column("city")["required"], False)
            s.set("age", "max", None)
            self.assertEqual(s.get("age", "max"), "none")
            self.assertIsNone(s.column("age")["max"])
            s.set("city", "categories", None)
            self.assertIsNone(s.categories("city"))
            s.set_categories("city", [])
            self.assertEqual(s.categories("city"), [])
            s.set("city", "categories", "p, q")  # the library's text form
            self.assertEqual(s.categories("city"), ["p", "q"])

            e = self.assertNotFound(lambda: s.set("agee", "min", 1), "agee", "age")
            self.assertIn("did you mean", str(e))
            self.assertNotFound(lambda: s.get("nope", "min"), "nope")
            self.assertNotFound(lambda: s.remove_column("nope"), "nope")
            self.assertNotFound(lambda: s.categories("nope"), "nope")
            with self.assertRaises(mlops.InvalidArgument) as caught:
                s.set("age", "maxx", 3)
            self.assertIn("maxx", str(caught.exception))
            with self.assertRaises(mlops.InvalidArgument) as caught:
                s.set("age", "min", 200).set("age", "max", 100)
            self.assertIn("age", str(caught.exception))
            with self.assertRaises(mlops.InvalidArgument):
                s.add_column("age")  # duplicate
            with self.assertRaises(mlops.InvalidArgument):
                s.set_categories("age", ["x"])  # numeric column
            with self.assertRaises(ValueError):
                s.add_column("z", "text")
            with self.assertRaises(TypeError):
                s.set_categories("city", "abc")
            with self.assertRaises(mlops.InvalidArgument) as caught:
                s.set_option("strictt", True)
            self.assertIn("strict", str(caught.exception))
            s.strict = True
            self.assertEqual((s.get_option("strict"), s.strict), ("true", True))

            # Text, files and pickling give an identical schema.
            text = s.to_json()
            with mlops.Schema.from_text(text) as again:
                self.assertEqual(again.to_json(), text)
            with mlops.Schema.from_dict(s.to_dict()) as again:
                self.assertEqual(again.to_json(), text)
            with pickle.loads(pickle.dumps(s)) as again, s.copy() as copy:
                self.assertEqual(again.to_json(), text)
                self.assertEqual(copy.to_json(), text)
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "schema.json")
                s.save(path)
                with mlops.Schema.load(path) as loaded:
                    self.assertEqual(loaded.to_json(), text)
                self.assertNotFound(lambda: mlops.Schema.load(os.path.join(tmp, "no.json")),
                                    "no.json")
                with open(path, "w") as f:
                    f.write("format: libmlops-schema\nversion: 1\ncolumns:\n"
                            "  - name: x\n    type: numeric\n    max: 3\n")
                with mlops.Schema.load(path) as yaml_schema:
                    self.assertEqual(yaml_schema.column("x")["max"], 3)

        with self.assertRaises(mlops.FormatError) as caught:
            mlops.Schema.from_text('{"format": "libmlops-schema", "version": 1,\n'
                                   ' "columns": [{"name": "x", "typ": "numeric"}]}', name="bad")
        self.assertEqual(caught.exception.code, -4)
        self.assertIn("bad", str(caught.exception))
        self.assertIn("typ", str(caught.exception))
        with self.assertRaises(TypeError):
            mlops.Schema.infer([1, 2, 3])
        s = mlops.Schema()
        s.close()
        with self.assertRaises(ValueError):
            s.columns

    def test_wrong_type_and_validate_from_a_path(self):
        with tempfile.TemporaryDirectory() as tmp, mlops.read_csv(IRIS) as iris:
            path = os.path.join(tmp, "s.json")
            with mlops.Schema() as s:
                s.add_column("species", "numeric").add_column("sepal_length", "numeric", max=7)
                s.save(path)
            report = iris.validate(path)
            kinds = [(v["kind"], v["column"], v["count"]) for v in report]
            _, cols = read_columns(IRIS)
            over = sum(float(v) > 7 for v in cols["sepal_length"])
            self.assertEqual(kinds, [("wrong_type", "species", 150),
                                     ("above_max", "sepal_length", over)])
            report.close()


# ---- splits ----------------------------------------------------------------

class SplitTests(Lifecycle):
    @classmethod
    def setUpClass(cls):
        cls.ref = split_reference()

    def rows_of(self, ds):
        return [int(v) for v in tolist(ds.column("row"))]

    def test_train_test_rows_equal_the_independent_reference(self):
        with with_row_ids(IRIS) as iris:
            with iris.split(0.2, seed=42) as (train, test):
                self.assertEqual(self.rows_of(test), self.ref["iris_plain_test_42"])
                self.assertEqual((train.rows, test.rows), (120, 30))
                self.assertEqual(sorted(self.rows_of(train) + self.rows_of(test)),
                                 list(range(150)))
                self.assertEqual(self.rows_of(train), sorted(self.rows_of(train)))
                self.assertEqual(train.columns, iris.columns)
            train, test = mlops.train_test_split(iris, 0.25, seed=7, stratify="species")
            self.assertEqual(self.rows_of(test), self.ref["iris_strat_test_7"])
            counts = collections.Counter(test.column("species"))
            self.assertEqual(sorted(counts.values()), [12, 13, 13])
            train.close()
            test.close()
            # A row count instead of a fraction.
            with iris.split(test_size=10, seed=1) as (train, test):
                self.assertEqual((train.rows, test.rows), (140, 10))
            # The same seed gives the same rows; another seed others.
            a, b = iris.split(0.2, seed=5), iris.split(0.2, seed=5)
            c = iris.split(0.2, seed=6)
            self.assertEqual(a.test.fingerprint(), b.test.fingerprint())
            self.assertNotEqual(a.test.fingerprint(), c.test.fingerprint())
            for s in (a, b, c):
                s.close()
        with with_row_ids(WINE) as wine:
            with wine.split(0.3, seed=2024, stratify="target") as (_train, test):
                self.assertEqual(self.rows_of(test), self.ref["wine_strat_test_2024"])

    def test_cars_sizes_follow_the_ceil_rule(self):
        with mlops.read_csv(CARS) as cars:
            for fraction in (0.1, 0.25, 0.5, 0.75):
                with cars.split(fraction, seed=3) as (train, test):
                    want = math.ceil(fraction * 406)
                    self.assertEqual((train.rows, test.rows), (406 - want, want))

    def test_kfold_equals_the_reference(self):
        with with_row_ids(IRIS) as iris:
            folds = tolist(iris.fold_assignments(5, shuffle=True, seed=42))
            self.assertEqual(folds, self.ref["iris_kfold5_42"])
            self.assertEqual(tolist(mlops.kfold_assignments(iris, 4)),
                             self.ref["iris_kfold4_plain"])
            pairs = list(iris.kfold(5, shuffle=True, seed=42))
            self.assertEqual(len(pairs), 5)
            for k, (train, test) in enumerate(pairs):
                self.assertEqual(self.rows_of(test), [i for i, f in enumerate(folds) if f == k])
                self.assertEqual(train.rows + test.rows, 150)
                train.close()
                test.close()
            with mlops.fold(iris, folds, 2) as (train, test):
                self.assertEqual(test.rows, folds.count(2))
            if np is not None:
                with mlops.fold(iris, np.array(folds, dtype=np.int64), 0) as (_tr, test):
                    self.assertEqual(test.rows, folds.count(0))
            with self.assertRaises(ValueError):
                mlops.fold(iris, folds[:-1], 0)
            with self.assertRaises(mlops.InvalidArgument):
                mlops.fold(iris, [0] * 150, 0)  # the fold holds every row
        with with_row_ids(WINE) as wine:
            self.assertEqual(tolist(wine.fold_assignments(4, True, 3, stratify="target")),
                             self.ref["wine_skfold4_3"])
            self.assertEqual(tolist(wine.fold_assignments(5, stratify="target")),
                             self.ref["wine_skfold5_plain"])

    def test_split_by_time_equals_the_reference(self):
        with with_row_ids(CARS, types={"Year": "cat"}) as cars:
            for fraction, name in ((0.2, "cars_time_test_20"), (0.15, "cars_time_test_15"),
                                   (0.3, "cars_time_test_30")):
                with cars.split_by_time(fraction, "Year") as (train, test):
                    self.assertEqual(self.rows_of(test), self.ref[name])
                    self.assertLess(max(train.column("Year")), min(test.column("Year")))
            cars.set_role("Year", "time")
            with mlops.split_by_time(cars, 0.2) as (train, test):
                self.assertEqual(test.rows, 90)

    def test_split_errors_name_the_problem(self):
        with mlops.read_csv(IRIS) as iris:
            self.assertNotFound(lambda: iris.split(0.2, stratify="specie"), "specie", "species")
            self.assertNotFound(lambda: iris.fold_assignments(3, stratify="x"), "'x'")
            self.assertNotFound(lambda: iris.split_by_time(0.2, "when"), "when")
            with self.assertRaises(mlops.InvalidArgument):
                iris.split(1.5)
            with self.assertRaises(mlops.InvalidArgument):
                iris.split(test_size=150)
            with self.assertRaises(mlops.InvalidArgument) as caught:
                iris.split_by_time(0.2)  # no column has the time role
            self.assertIn("time", str(caught.exception))
            with self.assertRaises(mlops.InvalidArgument):
                iris.fold_assignments(1)
            with self.assertRaises(ValueError):
                iris.split(0.2, seed=-1)
            with self.assertRaises(TypeError):
                iris.split(True)
            with self.assertRaises(TypeError):
                mlops.train_test_split([1, 2, 3])


# ---- profiles from datasets -------------------------------------------------

class ProfileTests(Lifecycle):
    def test_profile_numbers_match_the_csv_module(self):
        header, cols = read_columns(CARS)
        with mlops.read_csv(CARS) as cars, cars.profile() as prof:
            self.assertEqual((prof.rows, prof.columns), (406, header))
            for name in ("Miles_per_Gallon", "Horsepower", "Weight_in_lbs", "Acceleration"):
                values = numbers(cols[name])
                self.assertEqual(prof.counts(name), (len(values), 406 - len(values)), name)
                st = prof.stats(name)
                self.assertEqual((st["min"], st["max"]), (min(values), max(values)))
                self.assertAlmostEqual(st["mean"], math.fsum(values) / len(values),
                                       delta=1e-12 * abs(st["mean"]))
                self.assertAlmostEqual(st["std"], statistics.stdev(values),
                                       delta=1e-10 * st["std"])
                for q in (0.0, 0.25, 0.5, 0.9, 1.0):
                    self.assertAlmostEqual(prof.quantile(name, q), quantile_linear(values, q),
                                           delta=1e-12 * max(values), msg="%s q=%s" % (name, q))
                self.assertEqual(prof.distinct(name), (len(set(values)), True))
            origin = collections.Counter(cols["Origin"])
            self.assertEqual(prof.distinct("Origin"), (3, True))
            self.assertEqual([(c, n) for c, n, _err in prof.top("Origin")],
                             sorted(origin.items(), key=lambda kv: -kv[1]))
            self.assertEqual(prof.column_type("Name"), "categorical")
        with mlops.read_csv(IRIS) as iris, iris.profile(top_k=2) as prof:
            self.assertEqual(len(prof.top("species")), 2)


# ---- streaming CSV -----------------------------------------------------------

class CsvReaderTests(Lifecycle):
    def test_batches_cover_the_file(self):
        with mlops.CsvReader(CARS, batch_rows=100) as reader:
            batches = list(reader)
            self.assertEqual([b.rows for b in batches], [100, 100, 100, 100, 6])
            self.assertEqual((reader.rows, reader.skipped_rows), (406, 0))
            self.assertIsNone(reader.next_batch())
        header, cols = read_columns(CARS)
        self.assertEqual(batches[0].columns, header)
        with mlops.Dataset.concat(batches) as whole, mlops.read_csv(CARS) as direct:
            self.assertEqual(whole.rows, 406)
            self.assertEqual(whole.column("Name"), direct.column("Name"))
            self.assertEqual(whole.fingerprint(), direct.fingerprint())
        for b in batches:
            b.close()
        sizes = [b.rows for b in mlops.read_csv_batches(IRIS, {"role.species": "target"},
                                                        batch_rows=64)]
        self.assertEqual(sizes, [64, 64, 22])

    def test_bad_rows_progress_and_errors(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "d.csv")
            with open(path, "w") as f:
                f.write("a,b\n")
                for i in range(10):
                    f.write("%d,%d\n" % (i, 2 * i))
                f.write("1,2,3\n")  # one field too many
                f.write("x,5\n")  # text where a number belongs
            seen = []
            with mlops.CsvReader(path, bad_rows="skip", batch_rows=5,
                                 progress=lambda d, t: seen.append((d, t))) as reader:
                first = reader.next_batch()
                self.assertEqual(tolist(first.column("a")), [0.0, 1.0, 2.0, 3.0, 4.0])
                self.assertEqual(tolist(first.column("b")), [0.0, 2.0, 4.0, 6.0, 8.0])
                second = reader.next_batch()
                with self.assertRaises(mlops.FormatError) as caught:
                    reader.next_batch()
                self.assertIn("d.csv:13", str(caught.exception))
                with self.assertRaises(mlops.StateError):
                    reader.next_batch()
                self.assertEqual(reader.skipped_rows, 1)
                first.close()
                second.close()
            self.assertTrue(seen)
            self.assertEqual(seen[-1][1], os.path.getsize(path))

            # Progress may cancel; an exception in it is re-raised.
            with self.assertRaises(mlops.Canceled):
                mlops.read_csv(CARS, progress=lambda d, t: True)

            def explode(done, total):
                raise KeyError("stop here")
            with self.assertRaises(KeyError):
                mlops.Dataset.read_csv(CARS, progress=explode)
            with self.assertRaises(KeyError):
                list(mlops.read_csv_batches(CARS, progress=explode))
            calls = []
            with mlops.read_csv(CARS, progress=lambda d, t: calls.append(d)) as cars:
                self.assertEqual(cars.rows, 406)
            self.assertEqual(calls[-1], os.path.getsize(CARS))

            self.assertNotFound(lambda: mlops.CsvReader(os.path.join(tmp, "none.csv")),
                                "none.csv")
            with self.assertRaises(mlops.InvalidArgument) as caught:
                mlops.CsvReader(CARS, delimitr=";")
            self.assertIn("delimiter", str(caught.exception))
            with open(path, "w") as f:
                f.write("a,b\n1,2\n1,2,3\n")
            with mlops.CsvReader(path, bad_rows="skip") as reader:
                with next(reader) as batch:
                    self.assertEqual((batch.rows, batch.skipped_rows), (1, 1))
            with mlops.read_csv(path, bad_rows="skip") as ds:
                self.assertEqual(ds.skipped_rows, 1)


# ---- dataset extras and inputs -------------------------------------------------

class DatasetTests(Lifecycle):
    def test_selections_flags_and_missing_entries(self):
        header, cols = read_columns(CARS)
        with mlops.read_csv(CARS) as cars:
            hp = cols["Horsepower"]
            self.assertEqual([cars.is_missing("Horsepower", i) for i in range(406)],
                             [v == "" for v in hp])
            mask = [v == "Europe" for v in cols["Origin"]]
            with cars.filter(mask) as europe:
                self.assertEqual(europe.rows, sum(mask))
                self.assertEqual(set(europe.column("Origin")), {"Europe"})
            if np is not None:
                with cars.filter(np.array(mask)) as europe:
                    self.assertEqual(europe.rows, sum(mask))
            with self.assertRaises(ValueError):
                cars.filter(mask[:-1])
            self.assertEqual(cars.feature_columns, header)
            cars.set_role("Miles_per_Gallon", "target").set_sensitive("Name")
            self.assertTrue(cars.is_sensitive("Name"))
            self.assertFalse(cars.is_sensitive("Origin"))
            self.assertEqual(cars.feature_columns, header[2:])
            cars.set_sensitive("Name", False)
            self.assertEqual(cars.feature_columns, header[:1] + header[2:])
            self.assertEqual(cars.skipped_rows, 0)
            self.assertEqual(list(cars.to_dict()), header)
            e = self.assertNotFound(lambda: cars.column("Horsepowr"), "Horsepowr", "Horsepower")
            self.assertIn("did you mean", str(e))
            self.assertNotFound(lambda: cars.is_sensitive("nope"), "nope")
            parts = [cars.take_rows(range(0, 200)), cars.take_rows(range(200, 406))]
            with mlops.Dataset.concat(parts) as again:
                self.assertEqual(again.column("Name"), cars.column("Name"))
                self.assertEqual(tolist(again.column("Weight_in_lbs")),
                                 tolist(cars.column("Weight_in_lbs")))
            with cars.select(["Name", "Origin"]) as narrow:
                with self.assertRaises(mlops.InvalidArgument):
                    mlops.Dataset.concat([parts[0], narrow])
            for p in parts:
                p.close()
            with self.assertRaises(TypeError):
                mlops.Dataset.concat([cars, "x"])
            with self.assertRaises(ValueError):
                mlops.Dataset.concat([])

    def test_inputs_from_lists_arrays_and_matrices(self):
        with mlops.Dataset({"x": array.array("d", [1.5, float("nan"), 3.0]),
                            "i": array.array("i", [1, 2, 3]),
                            "s": ["a", None, "b"], "n": [1, None, 2.5],
                            "b": [True, False, True]}, roles={"s": "target"}) as ds:
            self.assertEqual([ds.column_type(c) for c in ds.columns],
                             ["numeric", "numeric", "categorical", "numeric", "numeric"])
            self.assertEqual(tolist(ds.column("i")), [1.0, 2.0, 3.0])
            self.assertEqual(ds.column("s"), ["a", None, "b"])
            self.assertEqual(ds.missing_count("x"), 1)
            self.assertEqual(tolist(ds.column("b")), [1.0, 0.0, 1.0])
            self.assertEqual(ds.role("s"), "target")
        with mlops.Dataset([[1, 2], [3, None]], names=["p", "q"], roles={"q": "target"}) as ds:
            self.assertEqual((ds.columns, ds.role("q")), (["p", "q"], "target"))
            self.assertTrue(ds.is_missing("q", 1))
        with mlops.Dataset({"e": []}) as ds:
            self.assertEqual(ds.shape, (0, 1))
        with self.assertRaises(TypeError) as caught:
            mlops.Dataset({"mixed": ["a", 2]})
        self.assertIn("mixed", str(caught.exception))
        with self.assertRaises(TypeError):
            mlops.Dataset({"c": "abc"})
        with self.assertRaises(TypeError):
            mlops.Dataset({"c": array.array("u", "ab")})
        with self.assertRaises(ValueError):
            mlops.Dataset({"a": [1, 2], "b": [1]})
        with self.assertRaises(mlops.InvalidArgument):
            mlops.Dataset({"a": [1.0]}, roles={"a": "targett"})
        self.assertNotFound(lambda: mlops.Dataset({"a": [1.0]}, roles={"b": "target"}), "b")

    @unittest.skipIf(np is None, "needs NumPy")
    def test_numpy_columns_cross_without_copies(self):
        x = np.arange(1000, dtype=np.float64)
        kind, keep, ptr = _dataset._column_data("x", x)
        self.assertEqual(ctypes.cast(ptr, ctypes.c_void_p).value, x.ctypes.data)
        self.assertIs(keep, x)
        wide = np.arange(30, dtype=np.float64).reshape(10, 3)
        with mlops.Dataset(wide[:, :2], names=["a", "b"]) as ds:  # a strided view, in place
            self.assertEqual(tolist(ds.column("b")), tolist(wide[:, 1]))
        with mlops.Dataset(np.asfortranarray(wide)) as ds:
            self.assertEqual(ds.columns, ["x0", "x1", "x2"])
            self.assertEqual(tolist(ds.to_matrix()), tolist(wide))
        with mlops.Dataset({"v": np.array([1, 2], dtype=np.int32),
                            "s": np.array(["b", "a"]),
                            "d": np.array(["2020-01-02", "NaT"], dtype="datetime64[D]"),
                            "o": np.array(["u", None], dtype=object)}) as ds:
            self.assertEqual(tolist(ds.column("v")), [1.0, 2.0])
            self.assertEqual(ds.column("s"), ["b", "a"])
            self.assertEqual(ds.column("d"), ["2020-01-02", None])
            self.assertEqual(ds.column("o"), ["u", None])
        with self.assertRaises(ValueError):
            mlops.Dataset({"m": np.zeros((2, 2))})
        with self.assertRaises(TypeError):
            mlops.Dataset({"c": np.array([1j, 2j])})

    @unittest.skipIf(np is None, "needs NumPy")
    def test_column_views_keep_the_memory_alive(self):
        ds = mlops.read_csv(CARS)
        copy = ds.column("Weight_in_lbs")
        view = ds.column("Weight_in_lbs", copy=False)
        self.assertFalse(view.flags.writeable)
        self.assertEqual(tolist(view), tolist(copy))
        part = view[10:20]
        del view
        ds.close()
        with self.assertRaises(ValueError):
            ds.rows
        self.assertEqual(tolist(part), tolist(copy[10:20]))  # still readable after close
        self.assertGreater(mlops.live_allocations(), self.live_before)
        del part
        gc.collect()
        self.assertEqual(mlops.live_allocations(), self.live_before)

    @unittest.skipIf(pd is None, "needs pandas")
    def test_pandas_round_trip(self):
        frame = pd.read_csv(CARS)
        frame["Origin"] = frame["Origin"].astype("category")
        frame["Cylinders"] = frame["Cylinders"].astype("Int64")
        frame.loc[3, "Cylinders"] = pd.NA
        frame["Year"] = pd.to_datetime(frame["Year"])
        frame["heavy"] = frame["Weight_in_lbs"] > 3500
        frame["label"] = frame["Name"].where(frame.index % 7 != 0, None)
        with mlops.Dataset(frame, roles={"Miles_per_Gallon": "target"}) as ds:
            self.assertEqual(ds.columns, list(frame.columns))
            self.assertEqual(ds.role("Miles_per_Gallon"), "target")
            self.assertEqual([ds.column_type(c) for c in ds.columns],
                             ["categorical", "numeric", "numeric", "numeric", "numeric",
                              "numeric", "numeric", "categorical", "categorical", "numeric",
                              "categorical"])
            self.assertEqual(ds.missing_count("Horsepower"), 6)
            self.assertEqual(ds.missing_count("Cylinders"), 1)
            self.assertEqual(ds.missing_count("label"), int((frame.index % 7 == 0).sum()))
            self.assertEqual(ds.column("Year")[:2], ["1970-01-01", "1970-01-01"])
            back = ds.to_pandas()
            with mlops.read_csv(CARS) as direct:
                self.assertEqual(ds.column("Name"), direct.column("Name"))
                self.assertEqual(ds.column("Year"), direct.column("Year"))
        self.assertEqual(list(back.columns), list(frame.columns))
        for name in ("Miles_per_Gallon", "Horsepower", "Acceleration", "Displacement"):
            pd.testing.assert_series_equal(back[name], frame[name].astype("float64"))
        pd.testing.assert_series_equal(back["Cylinders"],
                                       frame["Cylinders"].astype("float64"))
        self.assertEqual(back["heavy"].tolist(), frame["heavy"].astype(float).tolist())
        self.assertEqual(list(back["Origin"].cat.categories), ["USA", "Europe", "Japan"])
        self.assertEqual(back["Origin"].astype(str).tolist(), frame["Origin"].astype(str).tolist())
        self.assertEqual(back["label"].isna().tolist(), frame["label"].isna().tolist())
        with mlops.Dataset.from_pandas(back) as again:
            self.assertEqual(again.column("Origin"), back["Origin"].astype(str).tolist())
        # float64 columns of a frame reach the library without a copy.
        series = frame["Horsepower"]
        kind, keep, ptr = _dataset._column_data("Horsepower", series)
        self.assertEqual(ctypes.cast(ptr, ctypes.c_void_p).value, series.to_numpy().ctypes.data)
        # A frame made from a 2-D array is one row-major block: read in place.
        block = np.arange(40, dtype=np.float64).reshape(10, 4)
        wide = pd.DataFrame(block, columns=["a", "b", "c", "y"])
        with mlops.Dataset(wide, roles={"y": "target"}) as ds, \
                mlops.Dataset({k: wide[k].to_numpy().copy() for k in wide},
                              roles={"y": "target"}) as by_column:
            self.assertEqual((ds.source, ds.role("y")), ("matrix", "target"))
            self.assertEqual(ds.fingerprint(), by_column.fingerprint())
            self.assertEqual(tolist(ds.to_matrix()), tolist(block))
        self.assertNotFound(lambda: mlops.Dataset(wide, roles={"z": "target"}), "'z'")
        with self.assertRaises(TypeError) as caught:
            mlops.Dataset(pd.DataFrame({"m": ["a", 1]}))
        self.assertIn("'m'", str(caught.exception))
        with self.assertRaises(TypeError):
            mlops.Dataset.from_pandas({"a": [1]})
        with mlops.Dataset(pd.DataFrame({0: [1.0], 1: ["x"]})) as ds:
            self.assertEqual(ds.columns, ["0", "1"])

    def test_transform_fit_apply_matches_fit_then_apply(self):
        with mlops.read_csv(CARS) as cars:
            one, two = mlops.Transform(), mlops.Transform()
            for t in (one, two):
                t.add("impute", "*", strategy="median")
                t.add("standardize", ["Horsepower", "Weight_in_lbs"])
            with one.fit_apply(cars) as a, two.fit(cars).apply(cars) as b:
                self.assertEqual(a.fingerprint(), b.fingerprint())
            self.assertTrue(one.is_fitted)


# ---- models from arrays, frames and lists -------------------------------------

class ModelInputs(Lifecycle):
    def iris_columns(self):
        header, cols = read_columns(IRIS)
        features = {name: [float(v) for v in cols[name]] for name in header[:4]}
        return header[:4], features, cols["species"]

    def test_fit_from_lists_equals_fit_from_a_dataset(self):
        names, features, species = self.iris_columns()
        rows = [list(r) for r in zip(*features.values())]
        with mlops.read_csv(IRIS, {"role.species": "target"}) as iris:
            ref = mlops.Model("logistic_regression", l2=1e-3, tol=1e-10).fit(iris)
        m1 = mlops.Model("logistic_regression", l2=1e-3, tol=1e-10).fit(rows, species)
        m2 = mlops.Model("logistic_regression", l2=1e-3, tol=1e-10).fit(
            dict(features, species=species), target="species")
        self.assertEqual(m1.inputs, ["x0", "x1", "x2", "x3"])
        self.assertEqual((m1.target, m2.target, m2.inputs), ("target", "species", names))
        want = tolist(ref.coefficients()[0])
        for m in (m1, m2):
            self.assertEqual(m.classes, ["setosa", "versicolor", "virginica"])
            self.assertEqual(tolist(m.coefficients()[0]), want)
        self.assertEqual(tolist(m1.predict(rows[:5])), tolist(ref.predict(rows[:5])))
        self.assertEqual(m1.predict_labels(rows[48:52]), species[48:52])
        # A Dataset's target chosen by name; its roles are restored afterwards.
        with mlops.read_csv(IRIS) as iris:
            m3 = mlops.Model("logistic_regression", l2=1e-3, tol=1e-10).fit(iris,
                                                                            target="species")
            self.assertEqual(iris.role("species"), "feature")
            self.assertEqual(tolist(m3.coefficients()[0]), want)
            with self.assertRaises(TypeError):
                m3.fit(iris, species)
            self.assertNotFound(lambda: m3.fit(iris, target="specie"), "specie")
        with self.assertRaises(TypeError):
            m1.fit(rows, species, target="species")
        with self.assertRaises(TypeError):
            m1.fit(rows)  # no target
        with self.assertRaises(ValueError):
            m1.fit(rows, species[:-1])

    def test_model_card_and_errors(self):
        names, features, species = self.iris_columns()
        model = mlops.Model("logistic_regression", max_iter=500, class_weight="balanced")
        self.assertEqual((model.get("max_iter"), model.get("class_weight")), ("500", "balanced"))
        with self.assertRaises(mlops.StateError):
            model.predict([[1.0, 2.0, 3.0, 4.0]])
        model.fit(features, species)
        card = model.model_card(owner="risk team", intended_use="teaching")
        self.assertIsInstance(card, dict)
        self.assertEqual(model.card_get("owner"), "risk team")
        self.assertIn("risk team", repr(card))
        self.assertEqual(card, model.card())
        with self.assertRaises(mlops.InvalidArgument):
            model.model_card(ownr="x")
        with self.assertRaises(mlops.InvalidArgument) as caught:
            mlops.Model("logistic_regresion")
        self.assertIn("logistic_regression", str(caught.exception))
        with self.assertRaises(mlops.InvalidArgument) as caught:
            mlops.Model("linear_regression", l3=1)
        self.assertIn("l2", str(caught.exception))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.mlops")
            model.save(path)
            with mlops.Model.load(path) as again:
                self.assertEqual(again.payload_hash(), model.payload_hash())
                self.assertEqual(again.model_card()["model_details"],
                                 card["model_details"])
        model.close()

    @unittest.skipIf(np is None, "needs NumPy")
    def test_fit_and_predict_with_numpy(self):
        names, features, species = self.iris_columns()
        X = np.column_stack([features[n] for n in names])
        y = np.array(species)
        model = mlops.Model("logistic_regression", l2=1e-3, tol=1e-10).fit(X, y)
        with mlops.Dataset(X) as ds:
            proba = model.predict_proba(ds)
        np.testing.assert_array_equal(model.predict_proba(X), proba)
        self.assertEqual(model.predict_proba(X[:7]).shape, (7, 3))
        np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)
        reg = mlops.Model("linear_regression").fit(X[:, :3], X[:, 3:4])
        coef, icpt = reg.coefficients()
        ref, *_ = np.linalg.lstsq(np.column_stack([X[:, :3], np.ones(150)]), X[:, 3], rcond=None)
        np.testing.assert_allclose(coef[0], ref[:3], rtol=1e-9)
        np.testing.assert_allclose(icpt[0], ref[3], rtol=1e-9)
        self.assertAlmostEqual(reg.predict_row(X[0, :3]), float(reg.predict(X[:1, :3])[0]),
                               places=12)

    @unittest.skipIf(pd is None, "needs pandas")
    def test_fit_and_predict_with_pandas(self):
        frame = pd.read_csv(IRIS)
        X, y = frame.drop(columns="species"), frame["species"]
        chain = mlops.Transform()
        chain.add("standardize", "*")
        model = mlops.Model("logistic_regression", transform=chain, l2=1e-3).fit(X, y)
        self.assertEqual((model.inputs, model.target), (list(X.columns), "species"))
        again = mlops.Model("logistic_regression", transform=chain, l2=1e-3).fit(
            frame, target="species")
        np.testing.assert_array_equal(model.predict_proba(X), again.predict_proba(frame))
        # Columns are found by name, so their order in the frame does not matter.
        np.testing.assert_array_equal(model.predict_proba(X[X.columns[::-1]]),
                                      model.predict_proba(X))
        # The matrix path folds the chain into the coefficients: equal to rounding.
        np.testing.assert_allclose(model.predict_proba(X.to_numpy()), model.predict_proba(X),
                                   rtol=1e-12, atol=1e-15)
        labels = model.predict_labels(X)
        self.assertGreaterEqual(float(np.mean(np.array(labels) == y.to_numpy())), 0.95)
        with mlops.Dataset(X) as ds:
            self.assertEqual(model.explain(X, 0, top_k=2), model.explain(ds, 0, top_k=2))


if __name__ == "__main__":
    unittest.main()
