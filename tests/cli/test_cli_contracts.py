"""The contract of the `mlops` subcommands that users' scripts rely on (see
mlops(1)): the JSON members of `profile --json`, `evaluate --json` and
`drift --json`, the CSV columns of `predict`, the options of `train`, `--help`
on every command and the exit statuses (0 success, 1 gates failed or drift
with --fail-on-drift, 2 usage error, 3 failure). Values are checked against
the committed data itself, read here with the standard library
(statistics, csv), and against tests/data/real/cars.expected (pandas).
Members may be added to the documents; none may disappear.

usage: test_cli_contracts.py PATH_TO_MLOPS
"""
import csv
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import unittest

MLOPS = None
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
REAL = os.path.join(ROOT, "tests", "data", "real")
CARS = os.path.join(REAL, "cars.csv")
IRIS = os.path.join(REAL, "iris.csv")


def run(*args):
    p = subprocess.run([MLOPS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def pandas_expected(path):
    """rows and per-column (type, missing) from a .expected file."""
    out = {"columns": {}}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts[0] == "rows":
                out["rows"] = int(parts[1])
            elif parts[0] == "column":
                out["columns"][parts[2]] = (parts[3], int(parts[4]))
    return out


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mlops-contracts-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def ok(self, *args, code=0):
        got, out, err = run(*args)
        self.assertEqual(got, code, "mlops %s: exit %d, stderr %r" % (" ".join(args), got, err))
        return out

    def fails(self, code, *args):
        got, out, err = run(*args)
        self.assertEqual(got, code, "mlops %s: exit %d, stderr %r" % (" ".join(args), got, err))
        self.assertTrue(err.startswith("mlops"), err)
        return err

    def cars_model(self):
        model = self.path("origin.model")
        if not os.path.exists(model):
            self.ok("train", "--data", CARS, "--target", "Origin", "--model",
                    "logistic_regression", "--id", "Name", "--ignore", "Year", "--set", "l2=0.01",
                    "--out", model)
        return model


class Profile(Base):
    def test_json_members_and_values(self):
        doc = json.loads(self.ok("profile", CARS, "--json"))
        want = pandas_expected(os.path.join(REAL, "cars.expected"))
        header, rows = read_csv(CARS)
        self.assertEqual(doc["rows"], want["rows"])
        self.assertEqual([c["name"] for c in doc["columns"]], header)
        for i, col in enumerate(doc["columns"]):
            name = col["name"]
            for key in ("name", "type", "missing", "distinct", "min", "max", "mean", "std"):
                self.assertIn(key, col, "profile --json: column %s has no %r" % (name, key))
            self.assertIn(col["type"], ("numeric", "categorical"))
            self.assertEqual((col["type"], col["missing"]), want["columns"][name], name)
            present = [r[i] for r in rows if r[i] != ""]
            self.assertEqual(col["distinct"], len(set(present)), name)
            if col["type"] == "categorical":
                for key in ("min", "max", "mean", "std"):
                    self.assertIsNone(col[key], "%s.%s" % (name, key))
                continue
            values = [float(v) for v in present]
            self.assertEqual(col["min"], min(values), name)
            self.assertEqual(col["max"], max(values), name)
            self.assertTrue(math.isclose(col["mean"], statistics.fmean(values), rel_tol=1e-12),
                            name)
            self.assertTrue(math.isclose(col["std"], statistics.stdev(values), rel_tol=1e-9),
                            "%s: std %r, expected the sample std %r" %
                            (name, col["std"], statistics.stdev(values)))

    def test_all_missing_numeric_column_has_null_stats(self):
        data = self.path("all_missing.csv")
        with open(data, "w") as f:
            f.write("a,b\n,x\n,y\n")
        doc = json.loads(self.ok("profile", data, "--json"))
        for col in doc["columns"]:
            for key in ("min", "max", "mean", "std"):
                self.assertIsNone(col[key], "%s.%s" % (col["name"], key))

    def test_exit_statuses(self):
        self.fails(3, "profile", self.path("missing.csv"))
        self.fails(2, "profile", CARS, "--no-such-option")
        self.fails(2, "profile")


class Evaluate(Base):
    def test_json_members(self):
        model = self.cars_model()
        doc = json.loads(self.ok("evaluate", "--model", model, "--data", CARS, "--target",
                                 "Origin", "--group", "Cylinders", "--gate", "accuracy >= 0.5",
                                 "--json"))
        for key in ("metrics", "groups", "gates"):
            self.assertIn(key, doc)
        for key in ("accuracy", "balanced_accuracy", "f1_macro", "log_loss"):
            self.assertIn(key, doc["metrics"])
        self.assertIn("Cylinders", doc["groups"])
        self.assertEqual(sorted(doc["groups"]["Cylinders"]), ["3", "4", "5", "6", "8"])
        self.assertEqual(len(doc["gates"]), 1)
        gate = doc["gates"][0]
        self.assertEqual(gate["expression"], "accuracy >= 0.5")
        self.assertEqual(gate["value"], doc["metrics"]["accuracy"])
        self.assertIs(gate["passed"], True)
        # accuracy is what the predictions of the same model give
        out = self.ok("predict", "--model", model, "--data", CARS)
        predictions = [r[0] for r in csv.reader(out.splitlines())][1:]
        header, rows = read_csv(CARS)
        truth = [r[header.index("Origin")] for r in rows]
        hits = sum(p == t for p, t in zip(predictions, truth))
        self.assertTrue(math.isclose(doc["metrics"]["accuracy"], hits / len(truth),
                                     rel_tol=1e-12))

    def test_without_groups_and_gates_the_members_are_empty(self):
        doc = json.loads(self.ok("evaluate", "--model", self.cars_model(), "--data", CARS,
                                 "--json"))
        self.assertEqual(doc["groups"], {})
        self.assertEqual(doc["gates"], [])

    def test_a_failing_gate_exits_1(self):
        self.ok("evaluate", "--model", self.cars_model(), "--data", CARS,
                "--gate", "accuracy >= 0.999", "--json", code=1)

    def test_exit_statuses(self):
        self.fails(2, "evaluate", "--model", self.cars_model(), "--data", CARS,
                   "--gate", "acuracy >= 0.5")
        self.fails(3, "evaluate", "--model", self.path("missing.model"), "--data", CARS)


class Drift(Base):
    def halves(self):
        header, rows = read_csv(CARS)
        year = header.index("Year")
        early, late = self.path("early.csv"), self.path("late.csv")
        for path, keep in ((early, lambda r: r[year] <= "1975-12-31"),
                           (late, lambda r: r[year] >= "1980-01-01")):
            with open(path, "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(header)
                w.writerows(r for r in rows if keep(r))
        return early, late

    def test_json_members(self):
        early, late = self.halves()
        doc = json.loads(self.ok("drift", "--reference", early, "--current", late,
                                 "--column", "Name=skip", "--column", "Year=skip",
                                 "--column", "Weight_in_lbs=wasserstein", "--json"))
        self.assertIn(doc["dataset_drift"], (True, False))
        self.assertIsInstance(doc["drift_share"], (int, float))
        names = [c["name"] for c in doc["columns"]]
        self.assertEqual(names, ["Miles_per_Gallon", "Cylinders", "Displacement", "Horsepower",
                                 "Weight_in_lbs", "Acceleration", "Origin"])
        for c in doc["columns"]:
            for key in ("name", "method", "statistic", "p_value", "threshold", "drifted"):
                self.assertIn(key, c, c["name"])
            self.assertIn(c["drifted"], (True, False))
            if c["method"] == "wasserstein":
                self.assertIsNone(c["p_value"], c["name"])
            else:
                self.assertIsInstance(c["p_value"], (int, float), c["name"])
        drifted = sum(c["drifted"] for c in doc["columns"])
        self.assertTrue(math.isclose(doc["drift_share"], drifted / len(doc["columns"])))

    def test_fail_on_drift_exits_1(self):
        early, late = self.halves()
        doc = json.loads(self.ok("drift", "--reference", early, "--current", late,
                                 "--column", "Name=skip", "--column", "Year=skip", "--json"))
        self.assertIs(doc["dataset_drift"], True)
        self.ok("drift", "--reference", early, "--current", late, "--column", "Name=skip",
                "--column", "Year=skip", "--fail-on-drift", code=1)
        self.ok("drift", "--reference", early, "--current", early, "--column", "Name=skip",
                "--column", "Year=skip", "--fail-on-drift", code=0)


class Predict(Base):
    def test_columns(self):
        model = self.path("iris.model")
        self.ok("train", "--data", IRIS, "--target", "species", "--model",
                "logistic_regression", "--out", model)
        out = self.ok("predict", "--model", model, "--data", IRIS, "--proba")
        rows = list(csv.reader(out.splitlines()))
        self.assertEqual(rows[0], ["prediction", "proba_setosa", "proba_versicolor",
                                   "proba_virginica"])
        self.assertEqual(len(rows), 151)
        for r in rows[1:]:
            probs = [float(x) for x in r[1:]]
            self.assertTrue(math.isclose(sum(probs), 1.0, rel_tol=1e-12))
            self.assertEqual(r[0], rows[0][1 + probs.index(max(probs))][len("proba_"):])
        out = self.ok("predict", "--model", model, "--data", IRIS)
        self.assertEqual(out.splitlines()[0], "prediction")


class Train(Base):
    def test_model_and_preprocessing_settings(self):
        model = self.path("settings.model")
        doc = json.loads(self.ok("train", "--data", CARS, "--target", "Origin", "--model",
                                 "logistic_regression", "--id", "Name", "--ignore", "Year",
                                 "--set", "l2=0.1", "--set", "max_iter=500", "--set", "tol=1e-8",
                                 "--set", "impute.strategy=mean", "--set", "onehot.unseen=zeros",
                                 "--set", "standardize.with_mean=true", "--out", model, "--json"))
        for key in ("model", "kind", "rows", "target", "classes", "payload_sha256"):
            self.assertIn(key, doc)
        self.assertEqual(doc["classes"], ["Europe", "Japan", "USA"])
        self.assertEqual(doc["rows"], 406)
        card = json.loads(self.ok("inspect", model, "--json"))
        self.assertEqual(card["settings"]["l2"], "0.1")
        self.assertEqual(card["settings"]["max_iter"], "500")
        steps = card["preprocessing"]["steps"]
        self.assertEqual([s["kind"] for s in steps], ["impute", "standardize", "onehot"])
        self.assertEqual(steps[0]["settings"]["strategy"], "mean")
        self.assertEqual(steps[2]["settings"]["unseen"], "zeros")
        # the default chain imputes the median, and standardizes with the
        # population standard deviation (StandardScaler)
        header, rows = read_csv(CARS)
        mpg = [float(r[header.index("Miles_per_Gallon")]) for r in rows
               if r[header.index("Miles_per_Gallon")] != ""]
        self.ok("train", "--data", CARS, "--target", "Origin", "--model", "logistic_regression",
                "--id", "Name", "--ignore", "Year", "--out", model)
        steps = json.loads(self.ok("inspect", model, "--json"))["preprocessing"]["steps"]
        fill = {f["column"]: f["fill_value"] for f in steps[0]["fitted"]}
        self.assertEqual(fill["Miles_per_Gallon"], statistics.median(mpg))
        scale = {f["column"]: f["scale"] for f in steps[1]["fitted"]}
        filled = mpg + [statistics.median(mpg)] * (len(rows) - len(mpg))
        self.assertTrue(math.isclose(scale["Miles_per_Gallon"], statistics.pstdev(filled),
                                     rel_tol=1e-12))

    def test_unknown_setting_is_a_usage_error(self):
        err = self.fails(2, "train", "--data", CARS, "--target", "Origin", "--model",
                         "logistic_regression", "--set", "l3=0.1", "--out", self.path("x.model"))
        self.assertIn("l2", err)  # the nearest key
        self.fails(2, "train", "--data", CARS, "--target", "Origin", "--model",
                   "logistic_regression", "--set", "imputer.strategy=mean",
                   "--out", self.path("x.model"))


class Help(Base):
    def test_every_command_has_help(self):
        out = self.ok("help")
        commands = [line.split()[0] for line in out.splitlines()
                    if line.startswith("  ") and line.split()]
        self.assertIn("profile", commands)
        for cmd in commands:
            if cmd in ("version", "help"):
                continue
            text = self.ok(cmd, "--help")
            self.assertTrue(text.startswith("usage: mlops " + cmd), cmd)

    def test_unknown_command_is_a_usage_error(self):
        code, _, err = run("no-such-command")
        self.assertEqual(code, 2)
        self.assertIn("no-such-command", err)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    MLOPS = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
