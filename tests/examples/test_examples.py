"""The C example programs of examples/c/, run end to end as a user runs
them, on the bundled Auto MPG data (examples/data/cars.csv), and checked
against the `mlops` command-line tool:

- train_and_save writes a model `mlops inspect` reads, with the card fields
  it set and the payload hash it printed, the same hash `mlops train` gives
  for the same data and settings;
- predict_service predicts every row as `mlops predict` does; a malformed
  line in the middle of the stream gets an error naming its line and the
  reason, and every other line is still answered;
- monitor_stream finds drift between the early model years (reference) and
  the later ones, and none when the stream is the reference itself;
- evaluate_gates prints the accuracy, interval and fairness figures
  `mlops evaluate` computes and exits 0 when its gates pass, 1 when one
  fails.

Standard library only.

usage: test_examples.py MLOPS TRAIN_AND_SAVE PREDICT_SERVICE MONITOR_STREAM
                        EVALUATE_GATES SOURCE_ROOT
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

MLOPS = TRAIN = PREDICT = MONITOR = EVALUATE = None
CARS = None
ROOT = None


def run(*args, stdin=None):
    p = subprocess.run(list(args), input=stdin.encode("utf-8") if stdin is not None else None,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def cars_rows():
    with open(CARS, newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, columns, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([r[c] for c in columns])


class Examples(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mlops-examples-")
        cls.model = os.path.join(cls.dir, "cars.mlm")
        cls.train_out = run(TRAIN, CARS, "Origin", cls.model, "Name", "Year")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def cli_predictions(self, data):
        code, out, err = run(MLOPS, "predict", "--model", self.model, "--data", data)
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], "prediction")
        return lines[1:]

    # ---- train_and_save ------------------------------------------------

    def test_train_and_save(self):
        code, out, err = self.train_out
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"(?m)^rows\s+406$")
        self.assertRegex(out, r"(?m)^classes\s+3: Europe, Japan, USA$")
        self.assertRegex(out, r"(?m)^features\s+6 from 6 input columns$")
        self.assertRegex(out, r"(?m)^iterations\s+[1-9][0-9]* \(converged\)$")
        printed = re.search(r"(?m)^payload\s+sha256 ([0-9a-f]{64})$", out).group(1)

        code, out, err = run(MLOPS, "inspect", "--json", self.model)
        self.assertEqual(code, 0, err)
        card = json.loads(out)
        self.assertEqual(card["model_details"]["payload_sha256"], printed)
        self.assertEqual(card["model_details"]["owner"], "libmlops examples")
        self.assertEqual(card["model_details"]["name"], self.model)
        self.assertIn("train and save", card["intended_use"]["intended_use"])
        self.assertEqual(card["training_data"]["rows"], 406)
        code, out, err = run(MLOPS, "inspect", self.model)
        self.assertEqual(code, 0, err)
        self.assertIn("chain      impute -> standardize -> onehot", out)

        # the same data and settings through the CLI: the same payload
        cli_model = self.path("cli.mlm")
        code, out, err = run(MLOPS, "train", "--data", CARS, "--target", "Origin", "--model",
                             "logistic_regression", "--out", cli_model, "--ignore", "Name",
                             "--ignore", "Year")
        self.assertEqual(code, 0, err)
        self.assertIn("payload    sha256 " + printed, out)

    def test_train_and_save_errors(self):
        code, out, err = run(TRAIN, CARS, "Orign", self.path("x.mlm"))
        self.assertEqual(code, 1)
        self.assertIn("train_and_save: finding the target column:", err)
        self.assertIn("did you mean 'Origin'", err)
        code, out, err = run(TRAIN, CARS, "Origin", self.path("x.mlm"), "Nme")
        self.assertEqual(code, 1)
        self.assertIn("finding a column to ignore:", err)
        self.assertIn("'Nme'", err)
        code, out, err = run(TRAIN, self.path("missing.csv"), "Origin", self.path("x.mlm"))
        self.assertEqual(code, 1)
        self.assertIn("reading the training data:", err)
        self.assertIn("missing.csv", err)
        self.assertFalse(os.path.exists(self.path("x.mlm")))
        self.assertEqual(run(TRAIN)[0], 2)

    # ---- predict_service -------------------------------------------------

    def service(self, text):
        self.assertEqual(self.train_out[0], 0, self.train_out[2])
        code, out, err = run(PREDICT, self.model, stdin=text)
        lines = out.splitlines()
        self.assertEqual(lines[0], "line,prediction")
        answers = {}
        for line in lines[1:]:
            number, label = line.split(",", 1)
            answers[int(number)] = label
        return code, answers, err

    def test_predict_service_matches_cli(self):
        with open(CARS) as f:
            text = f.read()
        code, answers, err = self.service(text)
        self.assertEqual(code, 0, err)
        expected = self.cli_predictions(CARS)
        self.assertEqual(len(expected), 406)
        self.assertEqual(answers, {i + 2: label for i, label in enumerate(expected)})
        self.assertIn("406 rows predicted, 0 refused", err)

    def test_regression_with_categorical_input(self):
        """A numeric target gives a linear regression, whose values the
        service gives as `mlops predict` does; its categorical input Origin
        is one-hot encoded, and a region the model never saw is refused
        for that line only."""
        model = self.path("weight.mlm")
        code, out, err = run(TRAIN, CARS, "Weight_in_lbs", model, "Name", "Year")
        self.assertEqual(code, 0, err)
        self.assertIn("(linear_regression)", out)
        self.assertRegex(out, r"(?m)^features\s+8 from 6 input columns$")
        with open(CARS) as f:
            lines = f.read().splitlines()
        code, out, err = run(PREDICT, model, stdin="\n".join(lines) + "\n")
        self.assertEqual(code, 0, err)
        code, cli, err = run(MLOPS, "predict", "--model", model, "--data", CARS)
        self.assertEqual(code, 0, err)
        values = [float(line.split(",", 1)[1]) for line in out.splitlines()[1:]]
        expected = [float(v) for v in cli.splitlines()[1:]]
        self.assertEqual(len(values), 406)
        # one row at a time against one batch: equal up to the BLAS kernel's
        # summation order
        for got, want in zip(values, expected):
            self.assertAlmostEqual(got, want, delta=1e-12 * abs(want))

        mars = lines[1][:lines[1].rindex(",")] + ",Mars"
        code, out, err = run(PREDICT, model, stdin="\n".join(lines[:3] + [mars] + lines[3:5]))
        self.assertEqual(code, 0, err)
        self.assertEqual([line.split(",")[0] for line in out.splitlines()[1:]],
                         ["2", "3", "5", "6"])
        self.assertRegex(err, r"predict_service: line 4: .*'Origin'.*'Mars'")

        code, out, err = run(EVALUATE, model, CARS, "Cylinders", "r2 >= 0.8")
        self.assertEqual(code, 0, out + err)
        self.assertRegex(out, r"  PASS  r2 >= 0.8  \(observed 0\.9\d*\)")

    def test_predict_service_bad_lines(self):
        with open(CARS) as f:
            lines = f.read().splitlines()
        rows = lines[1:21]
        # a quoted name holding a comma is a good row
        rows[2] = '"ford, pinto"' + rows[2][rows[2].index(","):]
        stream = [lines[0]] + rows[:5] + ["bad car,abc,4,97,88,2130,14.5,1970-01-01,Japan"] + \
            rows[5:10] + ["short,1,2"] + rows[10:]
        code, answers, err = self.service("\n".join(stream) + "\n")
        self.assertEqual(code, 0, err)
        # line 1 is the header, the bad rows are lines 7 and 13
        self.assertIn("predict_service: line 7: column Miles_per_Gallon: 'abc' is not a number",
                      err)
        self.assertIn("predict_service: line 13: 3 fields, the header has 9", err)
        self.assertIn("20 rows predicted, 2 refused", err)
        good = [n for n in range(2, len(stream) + 1) if n not in (7, 13)]
        self.assertEqual(sorted(answers), good)
        data = self.path("good.csv")
        with open(data, "w") as f:
            f.write("\n".join([lines[0]] + rows) + "\n")
        self.assertEqual([answers[n] for n in good], self.cli_predictions(data))

    def test_predict_service_errors(self):
        self.assertEqual(self.train_out[0], 0, self.train_out[2])
        code, out, err = run(PREDICT, self.model, stdin="Name,Miles_per_Gallon\nx,1\n")
        self.assertEqual((code, out), (1, ""))
        self.assertIn("line 1: no column 'Cylinders', which the model needs", err)
        code, out, err = run(PREDICT, self.path("missing.mlm"), stdin="")
        self.assertEqual(code, 1)
        self.assertIn("loading the model:", err)
        self.assertEqual(run(PREDICT)[0], 2)

    # ---- monitor_stream --------------------------------------------------

    def split_by_year(self):
        """Early model years (1970-75) as the reference, later ones as the
        stream; the name and the year itself are not monitored."""
        rows = cars_rows()
        columns = [c for c in rows[0] if c not in ("Name", "Year")]
        ref, cur = self.path("reference.csv"), self.path("current.csv")
        write_csv(ref, columns, [r for r in rows if r["Year"] < "1976"])
        write_csv(cur, columns, [r for r in rows if r["Year"] >= "1976"])
        return ref, cur

    def monitor(self, *args):
        code, out, err = run(MONITOR, *args)
        self.assertEqual(code, 0, err)
        m = re.search(r"(?m)^rows (\d+) \(rejected 0\), windows (\d+), drifted (\d+)$", out)
        self.assertIsNotNone(m, out)
        return out, int(m.group(1)), int(m.group(2)), int(m.group(3))

    def test_monitor_drift_across_years(self):
        ref, cur = self.split_by_year()
        history = self.path("history.json")
        out, rows, windows, drifted = self.monitor(ref, cur, "50", history)
        self.assertEqual(rows, 217)
        self.assertEqual(windows, 5)  # 4 x 50 rows and the last 17
        self.assertGreaterEqual(drifted, 1)
        self.assertRegex(out, r"ALERT window \d+ \(rows \d+-\d+\): critical; drifted: .*"
                              r"Miles_per_Gallon")
        with open(history) as f:
            h = json.load(f)
        self.assertEqual(len(h["windows"]), windows)
        self.assertEqual(sum(1 for w in h["windows"] if w["dataset_drift"]), drifted)
        self.assertEqual(h["health"]["rows_seen"], 217)
        self.assertEqual([w["window"]["rows"] for w in h["windows"]], [50, 50, 50, 50, 17])

    def test_monitor_reference_against_itself(self):
        ref, _ = self.split_by_year()
        out, rows, windows, drifted = self.monitor(ref, ref, "50")
        self.assertEqual((rows, windows, drifted), (189, 4, 0))
        self.assertNotIn("critical", out)
        # one window holding the whole reference: identical, nothing to say
        out, rows, windows, drifted = self.monitor(ref, ref, "1000")
        self.assertEqual((rows, windows, drifted), (189, 1, 0))
        self.assertNotIn("ALERT", out)

    def test_monitor_errors(self):
        ref, cur = self.split_by_year()
        rows = cars_rows()
        partial = self.path("partial.csv")
        write_csv(partial, ["Miles_per_Gallon", "Cylinders", "Origin"], rows)
        code, out, err = run(MONITOR, ref, partial)
        self.assertEqual(code, 1)
        self.assertIn("monitor_stream: opening the stream:", err)
        self.assertIn("'Displacement'", err)
        code, out, err = run(MONITOR, ref, cur, "many")
        self.assertEqual(code, 1)
        self.assertIn("setting WINDOW_ROWS:", err)
        self.assertEqual(run(MONITOR, ref)[0], 2)

    # ---- evaluate_gates --------------------------------------------------

    def evaluate(self, *gates):
        self.assertEqual(self.train_out[0], 0, self.train_out[2])
        return run(EVALUATE, self.model, CARS, "Cylinders", *gates)

    def test_evaluate_matches_cli(self):
        code, out, err = self.evaluate()  # the default gates
        self.assertEqual(code, 0, out + err)
        code, cli, err = run(MLOPS, "evaluate", "--model", self.model, "--data", CARS,
                             "--group", "Cylinders", "--bootstrap", "200", "--seed", "1",
                             "--set", "pos_label=USA", "--json")
        self.assertEqual(code, 0, err)
        report = json.loads(cli)
        g = "%.6g"
        acc, ci = report["metrics"]["accuracy"], report["intervals"]["accuracy"]
        self.assertIn("  accuracy                   %s  [%s, %s]\n"
                      % (g % acc, g % ci["ci_low"], g % ci["ci_high"]), out)
        self.assertIn("positive class USA", out)
        group = report["groups"]["Cylinders"]["4"]
        self.assertIn("  Cylinders=4                %s  (%d rows)\n"
                      % (g % group["accuracy"], group["count"]), out)
        ratio = report["fairness"]["Cylinders"]["equal_opportunity_ratio"]
        self.assertIn("  equal_opportunity_ratio    %s\n" % (g % ratio), out)
        self.assertIn("  PASS  accuracy >= 0.7  (observed %s)\n" % (g % acc), out)
        self.assertIn("  PASS  equal_opportunity_ratio >= 0.5  (observed %s)\n" % (g % ratio), out)
        self.assertTrue(out.endswith("verdict: PASS, the model may serve\n"))

    def test_evaluate_gates_decide(self):
        code, out, err = self.evaluate("accuracy >= 0.5", "equal_opportunity_ratio >= 0.1")
        self.assertEqual(code, 0, out + err)
        self.assertEqual(len(re.findall(r"(?m)^  PASS  ", out)), 2)
        code, out, err = self.evaluate("accuracy >= 0.5", "accuracy > 1")
        self.assertEqual(code, 1, out + err)
        self.assertIn("  PASS  accuracy >= 0.5", out)
        self.assertIn("  FAIL  accuracy > 1", out)
        self.assertTrue(out.endswith("verdict: FAIL\n"))
        code, out, err = self.evaluate("accuracy.ci_low >= 0.99")
        self.assertEqual(code, 1, out + err)
        self.assertIn("  FAIL  accuracy.ci_low >= 0.99", out)

    def test_evaluate_errors(self):
        code, out, err = self.evaluate("accurcy >= 0.5")
        self.assertEqual(code, 3)
        self.assertIn("evaluate_gates: adding a gate:", err)
        self.assertIn("did you mean 'accuracy'", err)
        code, out, err = run(EVALUATE, self.model, CARS, "Cylinder")
        self.assertEqual(code, 3)
        self.assertIn("finding GROUP_COLUMN:", err)
        self.assertIn("did you mean 'Cylinders'", err)
        self.assertEqual(run(EVALUATE, self.model, CARS)[0], 2)


if __name__ == "__main__":
    if len(sys.argv) < 7:
        sys.exit(__doc__)
    MLOPS, TRAIN, PREDICT, MONITOR, EVALUATE, ROOT = sys.argv[1:7]
    CARS = os.path.join(ROOT, "examples", "data", "cars.csv")
    unittest.main(argv=[sys.argv[0]] + sys.argv[7:], verbosity=2)
