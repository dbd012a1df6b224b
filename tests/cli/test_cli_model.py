"""`mlops train`, `mlops predict` and `mlops inspect` run as a user runs
them: real datasets, real output parsed and checked against scikit-learn
reference predictions (tests/data/cli/*.csv, written by
tests/reference/make_cli_reference.py), and the exit-code contract
(0 success, 2 usage error, 3 failure). Standard library only.

usage: test_cli_model.py PATH_TO_MLOPS
"""
import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

MLOPS = None
HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "..", "data", "real")
REFERENCE = os.path.join(HERE, "..", "data", "cli")


def real(name):
    return os.path.join(REAL, name)


def run(*args):
    p = subprocess.run([MLOPS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def read_csv_text(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def reference(name):
    with open(os.path.join(REFERENCE, name + ".csv"), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], [[float(v) for v in r] for r in rows[1:]]


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mlops-cli-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def ok(self, *args):
        code, out, err = run(*args)
        self.assertEqual(code, 0, "mlops %s failed: %s" % (" ".join(args), err))
        return out, err

    def fails(self, code, *args):
        got, out, err = run(*args)
        self.assertEqual(got, code, "mlops %s: exit %d, stderr %r" % (" ".join(args), got, err))
        self.assertTrue(err.startswith("mlops: "), err)
        self.assertTrue(err.endswith("\n"), err)
        return err

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)


class Iris(Base):
    """Three-class logistic regression on string labels."""

    def train(self, *extra):
        model = self.path("iris.model")
        out, err = self.ok("train", "--data", real("iris.csv"), "--target", "species",
                           "--model", "logistic_regression", "--set", "tol=1e-10",
                           "--out", model, *extra)
        return model, out, err

    def test_predictions_accuracy_and_probabilities(self):
        model, _, err = self.train()
        self.assertNotIn("%", err)  # no progress when stderr is not a terminal
        out_file = self.path("pred.csv")
        out, _ = self.ok("predict", "--model", model, "--data", real("iris.csv"), "--proba",
                         "--out", out_file)
        self.assertEqual(out, "")
        with open(out_file, newline="") as f:
            rows = list(csv.reader(f))
        header, rows = rows[0], rows[1:]
        self.assertEqual(header, ["prediction", "proba_setosa", "proba_versicolor",
                                  "proba_virginica"])
        with open(real("iris.csv"), newline="") as f:
            truth = [r["species"] for r in csv.DictReader(f)]
        self.assertEqual(len(rows), 150)
        accuracy = sum(r[0] == t for r, t in zip(rows, truth)) / len(truth)
        self.assertGreaterEqual(accuracy, 0.95)
        ref_header, ref = reference("iris_logistic")
        self.assertEqual(ref_header, header[1:])
        labels = header[1:]
        for r, expected in zip(rows, ref):
            proba = [float(v) for v in r[1:]]
            self.assertAlmostEqual(sum(proba), 1.0, delta=1e-12)
            self.assertEqual(r[0], labels[proba.index(max(proba))][len("proba_"):])
            for got, want in zip(proba, expected):
                self.assertAlmostEqual(got, want, delta=1e-6)

    def test_stdout_without_proba_and_gzip_input(self):
        model, _, _ = self.train()
        gz = self.path("iris.csv.gz")
        with open(real("iris.csv"), "rb") as src, gzip.open(gz, "wb") as dst:
            dst.write(src.read())
        plain, _ = self.ok("predict", "--model", model, "--data", real("iris.csv"))
        packed, _ = self.ok("predict", "--model", model, "--data", gz)
        self.assertEqual(plain, packed)
        header, rows = read_csv_text(plain)
        self.assertEqual(header, ["prediction"])
        self.assertEqual({r[0] for r in rows}, {"setosa", "versicolor", "virginica"})
        # a model trained from the gzip file predicts the same
        model_gz = self.path("gz.model")
        self.ok("train", "--data", gz, "--target", "species", "--model", "logistic_regression",
                "--set", "tol=1e-10", "--out", model_gz)
        again, _ = self.ok("predict", "--model", model_gz, "--data", real("iris.csv"))
        self.assertEqual(again, plain)

    def test_train_json_and_inspect_json(self):
        model, out, _ = self.train("--json", "--card", "owner=Data team",
                                   "--card", "intended_use=Teaching, not production")
        summary = json.loads(out)
        self.assertEqual(summary["kind"], "logistic_regression")
        self.assertEqual(summary["rows"], 150)
        self.assertEqual(summary["classes"], ["setosa", "versicolor", "virginica"])
        self.assertEqual(summary["inputs"], 4)
        self.assertEqual(summary["features"], 4)
        self.assertIs(summary["converged"], True)
        self.assertGreaterEqual(summary["iterations"], 1)
        self.assertLess(summary["gradient_norm"], 1e-10)
        self.assertEqual(summary["model"], model)
        self.assertRegex(summary["payload_sha256"], "^[0-9a-f]{64}$")

        out, _ = self.ok("inspect", model, "--json")
        card = json.loads(out)
        details = card["model_details"]
        self.assertEqual(details["kind"], "logistic_regression")
        self.assertEqual(details["owner"], "Data team")
        self.assertEqual(details["payload_sha256"], summary["payload_sha256"])
        self.assertEqual(card["intended_use"]["intended_use"], "Teaching, not production")
        data = card["training_data"]
        self.assertEqual(data["rows"], 150)
        self.assertEqual(data["target"], "species")
        self.assertEqual([c["label"] for c in data["classes"]],
                         ["setosa", "versicolor", "virginica"])
        self.assertEqual([c["count"] for c in data["classes"]], [50, 50, 50])
        self.assertEqual([i["name"] for i in data["inputs"]],
                         ["sepal_length", "sepal_width", "petal_length", "petal_width"])
        self.assertEqual(card["settings"]["tol"], "1e-10")
        self.assertIs(card["training"]["converged"], True)
        self.assertEqual(len(card["coefficients"]), 3)

    def test_inspect_text(self):
        model, _, _ = self.train("--card", "owner=Data team")
        out, _ = self.ok("inspect", model)
        self.assertIn("logistic_regression", out)
        self.assertIn("setosa (50 rows)", out)
        self.assertIn("owner", out)
        self.assertIn("Data team", out)
        self.assertIn("petal_width", out)
        self.assertIn("top features", out)
        self.assertIn(real("iris.csv"), out)

    def test_non_convergence_warns_but_succeeds(self):
        model = self.path("short.model")
        out, err = self.ok("train", "--data", real("iris.csv"), "--target", "species",
                           "--model", "logistic_regression", "--set", "max_iter=1",
                           "--out", model, "--json")
        self.assertIs(json.loads(out)["converged"], False)
        self.assertIn("warning", err)
        self.assertTrue(os.path.exists(model))


class Regression(Base):
    """Ridge regression against scikit-learn's predictions."""

    def check(self, case, csv_name, target, *args):
        model = self.path(case + ".model")
        self.ok("train", "--data", real(csv_name), "--target", target,
                "--model", "linear_regression", "--out", model, *args)
        out, _ = self.ok("predict", "--model", model, "--data", real(csv_name))
        header, rows = read_csv_text(out)
        ref_header, ref = reference(case)
        self.assertEqual(header, ref_header)
        self.assertEqual(len(rows), len(ref))
        for r, expected in zip(rows, ref):
            got, want = float(r[0]), expected[0]
            self.assertLessEqual(abs(got - want), 1e-9 * abs(want), (case, got, want))

    def test_diabetes_ridge(self):
        self.check("diabetes_ridge", "diabetes.csv", "target", "--set", "l2=0.01")

    def test_cars_median_imputation_and_onehot(self):
        self.check("cars_median", "cars.csv", "Acceleration", "--ignore", "Name",
                   "--set", "l2=0.001")

    def test_cars_preprocessing_settings(self):
        self.check("cars_mean_nostd", "cars.csv", "Acceleration", "--ignore", "Name",
                   "--set", "l2=0.001", "--set", "impute.strategy=mean",
                   "--set", "standardize.with_std=false")

    def test_unseen_category_is_a_runtime_error(self):
        model = self.path("cars.model")
        self.ok("train", "--data", real("cars.csv"), "--target", "Acceleration",
                "--ignore", "Name", "--model", "linear_regression", "--out", model)
        with open(real("cars.csv")) as f:
            lines = f.read().splitlines()
        bad = self.write("mars.csv", "\n".join([lines[0], lines[1].replace(",USA", ",Mars")]) + "\n")
        err = self.fails(3, "predict", "--model", model, "--data", bad)
        self.assertIn("Origin", err)
        self.assertIn("Mars", err)
        # unseen=zeros accepts it
        model2 = self.path("cars-zeros.model")
        self.ok("train", "--data", real("cars.csv"), "--target", "Acceleration",
                "--ignore", "Name", "--model", "linear_regression", "--out", model2,
                "--set", "onehot.unseen=zeros")
        out, _ = self.ok("predict", "--model", model2, "--data", bad)
        self.assertEqual(len(read_csv_text(out)[1]), 1)

    def test_weights_id_and_quoting(self):
        data = self.write("odd.csv",
                          "row_id,x,w,label\n"
                          "r1,0.5,1,\"a,b\"\n"
                          "r2,1.5,2,\"say \"\"hi\"\"\"\n"
                          "\"r,3\",0.7,1,\"a,b\"\n"
                          "r4,1.9,3,\"say \"\"hi\"\"\"\n"
                          "r5,0.2,1,\"a,b\"\n"
                          "r6,1.1,1,\"say \"\"hi\"\"\"\n")
        model = self.path("odd.model")
        out, _ = self.ok("train", "--data", data, "--target", "label", "--weight", "w",
                         "--id", "row_id", "--model", "logistic_regression", "--out", model,
                         "--json")
        summary = json.loads(out)
        self.assertEqual(summary["weight_sum"], 9)
        self.assertEqual(summary["inputs"], 1)
        self.assertEqual(summary["classes"], ["a,b", 'say "hi"'])
        out, _ = self.ok("predict", "--model", model, "--data", data, "--id", "row_id",
                         "--proba")
        header, rows = read_csv_text(out)
        self.assertEqual(header, ["row_id", "prediction", "proba_a,b", 'proba_say "hi"'])
        self.assertEqual([r[0] for r in rows], ["r1", "r2", "r,3", "r4", "r5", "r6"])
        self.assertEqual([r[1] for r in rows],
                         ["a,b", 'say "hi"', "a,b", 'say "hi"', "a,b", 'say "hi"'])


class Errors(Base):
    """Exit status 2 for usage errors, 3 for failures, messages that say why."""

    def iris_model(self):
        model = self.path("iris.model")
        self.ok("train", "--data", real("iris.csv"), "--target", "species",
                "--model", "logistic_regression", "--out", model)
        return model

    def test_help(self):
        for cmd in ("train", "predict", "inspect"):
            out, _ = self.ok(cmd, "--help")
            self.assertTrue(out.startswith("usage: mlops " + cmd), out)
        out, _ = self.ok("--help")
        for cmd in ("train", "predict", "inspect"):
            self.assertIn(cmd, out)

    def test_usage_errors(self):
        train = ["train", "--data", real("iris.csv"), "--target", "species",
                 "--model", "logistic_regression", "--out", self.path("m.model")]
        err = self.fails(2, *train[:-2])
        self.assertIn("--out", err)
        self.assertIn("--help", err)
        err = self.fails(2, *train, "--frobnicate")
        self.assertIn("--frobnicate", err)
        err = self.fails(2, *train, "--set", "l2")
        self.assertIn("KEY=VALUE", err)
        err = self.fails(2, *train, "--set", "l3=0.1")
        self.assertIn("did you mean 'l2'", err)
        err = self.fails(2, *train, "--set", "impute.strategi=mean")
        self.assertIn("strategy", err)
        err = self.fails(2, *train, "--set", "imputer.strategy=mean")
        self.assertIn("impute", err)
        err = self.fails(2, *train, "--set", "minmax.x=1")
        self.assertIn("minmax", err)
        err = self.fails(2, *train, "--set", "l2=-1")
        self.assertIn("l2", err)
        err = self.fails(2, *train, "--card", "ownr=me")
        self.assertIn("owner", err)
        err = self.fails(2, "train", "--data", real("iris.csv"), "--target", "species",
                         "--model", "logistic_regresion", "--out", self.path("m.model"))
        self.assertIn("logistic_regression", err)
        self.assertFalse(os.path.exists(self.path("m.model")))
        self.fails(2, "predict", "--model", self.path("m.model"))
        self.fails(2, "predict", "--data")
        self.fails(2, "inspect")
        self.fails(2, "inspect", "a", "b")
        self.fails(2, "inspect", "a", "--json=yes")

    def test_runtime_errors(self):
        missing = self.path("nope.csv")
        err = self.fails(3, "train", "--data", missing, "--target", "species",
                         "--model", "logistic_regression", "--out", self.path("m.model"))
        self.assertIn(missing, err)
        err = self.fails(3, "train", "--data", real("iris.csv"), "--target", "specie",
                         "--model", "logistic_regression", "--out", self.path("m.model"))
        self.assertIn("specie", err)
        self.assertIn("species", err)
        self.assertFalse(os.path.exists(self.path("m.model")))
        err = self.fails(3, "train", "--data", real("iris.csv"), "--target", "species",
                         "--model", "linear_regression", "--out", self.path("m.model"))
        self.assertIn("species", err)
        model = self.iris_model()
        self.fails(3, "predict", "--model", self.path("nope.model"), "--data", real("iris.csv"))
        self.fails(3, "inspect", self.path("nope.model"))
        err = self.fails(3, "inspect", real("iris.csv"))
        self.assertIn("iris.csv", err)
        # a directory (like a device) is never replaced by a model file
        os.mkdir(self.path("dir"))
        err = self.fails(3, "train", "--data", real("iris.csv"), "--target", "species",
                         "--model", "logistic_regression", "--out", self.path("dir"))
        self.assertIn("regular file", err)
        self.assertTrue(os.path.isdir(self.path("dir")))
        self.fails(3, "predict", "--model", model, "--data", missing)
        err = self.fails(3, "predict", "--model", model, "--data", real("diabetes.csv"))
        self.assertIn("sepal_length", err)
        err = self.fails(3, "predict", "--model", model, "--data", real("iris.csv"),
                         "--id", "row")
        self.assertIn("row", err)

    def test_failed_predict_keeps_the_old_output(self):
        model = self.iris_model()
        out = self.write("out.csv", "old\n")
        self.fails(3, "predict", "--model", model, "--data", real("diabetes.csv"), "--out", out)
        with open(out) as f:
            self.assertEqual(f.read(), "old\n")
        self.assertEqual(sorted(os.listdir(self.dir)), ["iris.model", "out.csv"])

    def test_proba_needs_a_classifier(self):
        model = self.path("d.model")
        self.ok("train", "--data", real("diabetes.csv"), "--target", "target",
                "--model", "linear_regression", "--out", model)
        err = self.fails(2, "predict", "--model", model, "--data", real("diabetes.csv"),
                         "--proba")
        self.assertIn("--proba", err)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    MLOPS = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
