"""`mlops evaluate` run as a user runs it: a model trained with `mlops train`
on tests/data/real/breast_cancer.csv (with a group column "band" added) and
on diabetes.csv, evaluated, its JSON and text output parsed and checked
against scikit-learn (tests/data/evaluate_reference.json, written by
tests/reference/make_evaluate_reference.py; and, when /usr/bin/python3 has
scikit-learn, the same script scoring the `mlops predict --proba` output of
the very model), the exit-code contract (0 gates passed, 1 a gate failed,
2 usage error, 3 failure) and --attach. Standard library only.

usage: test_cli_evaluate.py PATH_TO_MLOPS
"""
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

MLOPS = None
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
REAL = os.path.join(ROOT, "tests", "data", "real")
SCRIPT = os.path.join(ROOT, "tests", "reference", "make_evaluate_reference.py")
with open(os.path.join(ROOT, "tests", "data", "evaluate_reference.json")) as _f:
    REFERENCE = json.load(_f)
SYSTEM_PYTHON = "/usr/bin/python3"


def real(name):
    return os.path.join(REAL, name)


def run(*args):
    p = subprocess.run([MLOPS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def have_sklearn():
    if not os.path.exists(SYSTEM_PYTHON):
        return False
    p = subprocess.run([SYSTEM_PYTHON, "-c", "import sklearn, pandas"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p.returncode == 0


def band(texture):
    """The group column of make_evaluate_reference.py."""
    t = float(texture)
    return "low" if t < 15 else "mid" if t < 20 else "high" if t < 28 else "xl"


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mlops-evaluate-")
        cls.model = os.path.join(cls.dir, "bc.model")
        cls.data = os.path.join(cls.dir, "bc_band.csv")
        code, _, err = run("train", "--data", real("breast_cancer.csv"), "--target", "target",
                           "--model", "logistic_regression", "--set", "tol=1e-10",
                           "--out", cls.model)
        assert code == 0, err
        with open(real("breast_cancer.csv"), newline="") as src, \
                open(cls.data, "w", newline="") as dst:
            reader, writer = csv.reader(src), csv.writer(dst, lineterminator="\n")
            header = next(reader)
            texture = header.index("mean_texture")
            writer.writerow(header + ["band"])
            for row in reader:
                writer.writerow(row + [band(row[texture])])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def ok(self, *args, code=0):
        got, out, err = run(*args)
        self.assertEqual(got, code, "mlops %s: exit %d, stderr %r" % (" ".join(args), got, err))
        return out, err

    def fails(self, code, *args):
        got, out, err = run(*args)
        self.assertEqual(got, code, "mlops %s: exit %d, stderr %r" % (" ".join(args), got, err))
        self.assertEqual(out, "")
        self.assertTrue(err.startswith("mlops: "), err)
        self.assertTrue(err.endswith("\n"), err)
        return err

    def evaluate_json(self, *extra, code=0, model=None, data=None):
        out, _ = self.ok("evaluate", "--model", model or self.model, "--data", data or self.data,
                         "--json", *extra, code=code)
        return json.loads(out)

    def assertClose(self, got, want, tol, what):
        if want is None:
            self.assertTrue(got is None or (isinstance(got, float) and math.isnan(got)),
                            "%s: %r, expected undefined" % (what, got))
            return
        self.assertIsNotNone(got, "%s is null, expected %r" % (what, want))
        self.assertLessEqual(abs(got - want), tol * max(1.0, abs(want)),
                             "%s: %r differs from reference %r" % (what, got, want))


def flatten(section, prefix=""):
    """Every number under a JSON section, keyed by its path joined with
    '/', for lookups that do not depend on how deep the section nests."""
    out = {}
    if isinstance(section, dict):
        for k, v in section.items():
            out.update(flatten(v, prefix + k + "/"))
    elif isinstance(section, (int, float)) and not isinstance(section, bool):
        out[prefix[:-1]] = section
    return out


class Classification(Base):
    # Label-based values agree exactly (the labels do); probability-based
    # ones to the agreement of the two fits (about 1e-8).
    EXACT = ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "precision_macro",
             "recall_macro", "f1_macro", "f1_micro", "f1_weighted", "precision_weighted",
             "recall_weighted", "matthews_corrcoef", "count", "weight_sum")
    SCORED = ("roc_auc", "average_precision", "log_loss", "brier_score_loss")

    def test_json_sections_and_metrics_match_scikit_learn(self):
        report = self.evaluate_json("--group", "band", "--gate", "accuracy >= 0.9")
        for key in ("metrics", "groups", "gates", "passed"):
            self.assertIn(key, report)
        expected = REFERENCE["breast_cancer"]["expected"]
        metrics = report["metrics"]
        for name in self.EXACT:
            self.assertClose(metrics[name], expected[name], 1e-12, name)
        for name in self.SCORED:
            self.assertClose(metrics[name], expected[name], 1e-6, name)
        self.assertEqual(report["confusion_matrix"] if "confusion_matrix" in report else None,
                         REFERENCE["breast_cancer"]["confusion"])
        self.assertEqual(report["gates"], [{"expression": "accuracy >= 0.9",
                                            "value": metrics["accuracy"], "passed": True}])
        self.assertIs(report["passed"], True)
        # every group of the band column, with its count
        groups = flatten(report["groups"])
        for value in ("low", "mid", "high", "xl"):
            count = expected["band=%s.count" % value]
            self.assertTrue(any(path.endswith("count") and value in path and v == count
                                for path, v in groups.items()),
                            "no count %d for band=%s in %r" % (count, value, report["groups"]))

    def test_group_values_and_fairness(self):
        report = self.evaluate_json("--group", "band", "--reference-group", "mid",
                                    "--gate", "band=xl.small == 1",
                                    "--gate", "demographic_parity_ratio >= 0",
                                    "--gate", "band=low.accuracy >= 0",
                                    "--gate", "band=high.selection_rate >= 0",
                                    "--gate", "band=mid.true_positive_rate >= 0",
                                    "--gate", "band=high.false_positive_rate >= 0",
                                    "--gate", "statistical_parity_difference <= 1",
                                    "--gate", "disparate_impact >= 0",
                                    "--gate", "average_odds_difference <= 1",
                                    "--gate", "equalized_odds_difference >= 0")
        expected = REFERENCE["breast_cancer"]["expected"]
        for gate in report["gates"]:
            name = gate["expression"].split()[0]
            self.assertClose(gate["value"], expected[name], 1e-12, name)
            self.assertIs(gate["passed"], True, gate)
        self.assertIs(report["passed"], True)

    @unittest.skipUnless(have_sklearn(), "/usr/bin/python3 has no scikit-learn")
    def test_metrics_equal_scikit_learn_on_mlops_predictions(self):
        pred = self.path("pred.csv")
        self.ok("predict", "--model", self.model, "--data", self.data, "--proba", "--out", pred)
        p = subprocess.run([SYSTEM_PYTHON, SCRIPT, "--score", pred, self.data, "target", "band"],
                           stdout=subprocess.PIPE, check=True)
        live = json.loads(p.stdout)
        expected = live["expected"]
        report = self.evaluate_json("--group", "band")
        for name in self.EXACT + self.SCORED + ("expected_calibration_error",):
            self.assertClose(report["metrics"][name], expected[name], 1e-12, name)
        self.assertEqual(report["confusion_matrix"], live["confusion"])

    def test_failing_gate_exits_1_and_says_fail(self):
        report = self.evaluate_json("--gate", "accuracy >= 0.5", "--gate", "accuracy >= 0.999",
                                    code=1)
        self.assertIs(report["passed"], False)
        self.assertEqual([g["passed"] for g in report["gates"]], [True, False])
        out, _ = self.ok("evaluate", "--model", self.model, "--data", self.data,
                         "--gate", "accuracy >= 0.5", "--gate", "accuracy >= 0.999", code=1)
        accuracy = "%.6g" % REFERENCE["breast_cancer"]["expected"]["accuracy"]
        self.assertRegex(out, r"\n  PASS  accuracy >= 0\.5 +observed %s\n" % accuracy)
        self.assertRegex(out, r"\n  FAIL  accuracy >= 0\.999 +observed %s\n" % accuracy)
        self.assertIn("\nverdict   FAIL (1 of 2 gates failed)\n", out)

    def test_four_fifths_rule_on_groups(self):
        # the bands' selection rates differ far more than four fifths allow
        report = self.evaluate_json("--group", "band", "--gate", "four_fifths_rule", code=1)
        ratio = REFERENCE["breast_cancer"]["expected"]["demographic_parity_ratio"]
        self.assertEqual(len(report["gates"]), 1)
        self.assertClose(report["gates"][0]["value"], ratio, 1e-12, "four_fifths_rule")
        self.assertIs(report["gates"][0]["passed"], False)

    def test_text_report(self):
        out, err = self.ok("evaluate", "--model", self.model, "--data", self.data,
                           "--group", "band", "--gate", "accuracy >= 0.9")
        self.assertEqual(err, "")
        expected = REFERENCE["breast_cancer"]["expected"]
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("evaluated logistic_regression "), lines[0])
        self.assertIn("  target    target, 2 classes: 0, 1", lines)
        self.assertIn("metrics", lines)
        self.assertRegex(out, r"\n  accuracy +%s\n" % ("%.6g" % expected["accuracy"]))
        self.assertRegex(out, r"\n  roc_auc +0\.99\d*\n")
        # the group table: counts and the small flag (xl has 23 rows < 30)
        self.assertIn("groups", lines)
        rows = {l.split()[0]: l.split() for l in lines if l.startswith("  band=")}
        self.assertEqual(sorted(rows), ["band=high", "band=low", "band=mid", "band=xl"])
        for value, row in rows.items():
            self.assertEqual(float(row[1]), expected[value + ".count"], row)
            self.assertEqual(row[-1], "yes" if value == "band=xl" else "no", row)
        self.assertIn("fairness", lines)
        self.assertRegex(out, r"\n  PASS  accuracy >= 0\.9 +observed 0\.99\d*\n")
        self.assertTrue(out.endswith("\nverdict   PASS (1 of 1 gates passed)\n"), out)

    def test_target_option_names_another_column(self):
        renamed = self.path("renamed.csv")
        with open(self.data) as src, open(renamed, "w") as dst:
            header, rest = src.read().split("\n", 1)
            dst.write(header.replace(",target,", ",diagnosis,") + "\n" + rest)
        want = self.evaluate_json()["metrics"]
        got = self.evaluate_json("--target", "diagnosis", data=renamed)["metrics"]
        self.assertEqual(got, want)
        err = self.fails(3, "evaluate", "--model", self.model, "--data", renamed)
        self.assertIn("target", err)

    def test_bootstrap_intervals_are_deterministic_for_a_seed(self):
        args = ("--bootstrap", "200", "--seed", "7", "--metrics", "accuracy,roc_auc",
                "--gate", "accuracy.ci_low >= 0.9")
        first = self.evaluate_json(*args)
        second = self.evaluate_json(*args)
        self.assertEqual(first, second)
        self.assertIn("intervals", first)
        ci = flatten(first["intervals"])
        accuracy = first["metrics"]["accuracy"]
        low = [v for p, v in ci.items() if p.startswith("accuracy") and "low" in p]
        high = [v for p, v in ci.items() if p.startswith("accuracy") and "high" in p]
        self.assertEqual(len(low), 1, ci)
        self.assertEqual(len(high), 1, ci)
        self.assertLessEqual(low[0], accuracy)
        self.assertGreaterEqual(high[0], accuracy)
        self.assertLess(low[0], high[0])
        self.assertEqual(first["gates"][0]["value"], low[0])
        other = self.evaluate_json("--bootstrap", "200", "--seed", "8", "--metrics",
                                   "accuracy,roc_auc")
        self.assertNotEqual(flatten(other["intervals"]), ci)

    def test_probes_report_robustness(self):
        report = self.evaluate_json("--probes", "noise:0.1;missing:0.05", "--seed", "3",
                                    "--gate", "noise_0.1.flip_rate <= 1")
        self.assertIn("robustness", report)
        flip = report["gates"][0]["value"]
        self.assertTrue(0 <= flip <= 1, flip)
        out, _ = self.ok("evaluate", "--model", self.model, "--data", self.data,
                         "--probes", "noise:0.1;missing:0.05", "--seed", "3")
        self.assertIn("\nrobustness\n", out)
        self.assertRegex(out, r"\n  noise_0\.1\.flip_rate +[0-9.e-]+\n")

    def test_set_passes_any_setting(self):
        report = self.evaluate_json("--set", "threshold=0.99",
                                    "--gate", "accuracy >= 0")
        # a stricter threshold moves predictions to the negative class
        self.assertLess(report["metrics"]["recall"],
                        REFERENCE["breast_cancer"]["expected"]["recall"])
        self.assertClose(report["metrics"]["roc_auc"],
                         REFERENCE["breast_cancer"]["expected"]["roc_auc"], 1e-6, "roc_auc")

    def test_attach_writes_a_model_whose_card_has_the_report(self):
        with open(self.model, "rb") as f:
            before = f.read()
        attached = self.path("attached.model")
        report = self.evaluate_json("--group", "band", "--gate", "accuracy >= 0.9",
                                    "--attach", attached)
        with open(self.model, "rb") as f:
            self.assertEqual(f.read(), before)
        card = json.loads(self.ok("inspect", attached, "--json")[0])
        self.assertIn("quantitative_analysis", card)
        qa = json.dumps(card["quantitative_analysis"])
        self.assertIn("accuracy", qa)
        self.assertIn("accuracy >= 0.9", qa)
        self.assertIn(repr(report["metrics"]["accuracy"]), qa)
        original = json.loads(self.ok("inspect", self.model, "--json")[0])
        self.assertIsNone(original.get("quantitative_analysis"))
        self.assertEqual(card["model_details"]["payload_sha256"],
                         original["model_details"]["payload_sha256"])
        self.assertEqual(self.ok("predict", "--model", attached, "--data", self.data)[0],
                         self.ok("predict", "--model", self.model, "--data", self.data)[0])
        # a failing gate still attaches (the verdict is part of the record)
        failed = self.path("failed.model")
        self.evaluate_json("--gate", "accuracy >= 0.999", "--attach", failed, code=1)
        card = json.loads(self.ok("inspect", failed, "--json")[0])
        self.assertIn("accuracy >= 0.999", json.dumps(card["quantitative_analysis"]))


class Regression(Base):
    def test_diabetes_ridge_by_sex(self):
        model = self.path("d.model")
        self.ok("train", "--data", real("diabetes.csv"), "--target", "target",
                "--model", "linear_regression", "--set", "l2=0.01", "--out", model)
        expected = REFERENCE["diabetes"]["expected"]
        gates = ["sex=1.r2 >= 0", "sex=2.r2 >= 0", "sex=1.count >= 0", "sex=2.count >= 0",
                 "sex=1.mean_absolute_error >= 0", "sex=2.mean_absolute_error >= 0"]
        args = []
        for g in gates:
            args += ["--gate", g]
        report = self.evaluate_json("--group", "sex", *args, model=model,
                                    data=real("diabetes.csv"))
        metrics = report["metrics"]
        for name in ("r2", "mean_absolute_error", "mean_squared_error",
                     "root_mean_squared_error", "median_absolute_error",
                     "mean_absolute_percentage_error", "explained_variance", "max_error"):
            self.assertClose(metrics[name], expected[name], 1e-9, name)
        for gate in report["gates"]:
            name = gate["expression"].split()[0]
            self.assertClose(gate["value"], expected[name], 1e-9, name)
        out, _ = self.ok("evaluate", "--model", model, "--data", real("diabetes.csv"),
                         "--group", "sex", "--gate", "r2 >= 0.9", code=1)
        self.assertRegex(out, r"\n  FAIL  r2 >= 0\.9 +observed 0\.516\d*\n")


class Errors(Base):
    def test_help(self):
        out, _ = self.ok("evaluate", "--help")
        self.assertTrue(out.startswith("usage: mlops evaluate --model MODEL --data FILE"), out)
        for option in ("--target", "--group", "--reference-group", "--gate", "--metrics",
                       "--bootstrap", "--seed", "--probes", "--set", "--attach", "--json"):
            self.assertIn(option, out)
        out, _ = self.ok("help")
        self.assertIn("evaluate", out)

    def test_usage_errors(self):
        base = ("evaluate", "--model", self.model, "--data", self.data)
        err = self.fails(2, *base, "--gate", "accuracy >=")
        self.assertIn("accuracy >=", err)
        self.assertIn("Try 'mlops evaluate --help'", err)
        err = self.fails(2, *base, "--gate", "acuracy >= 0.9")
        self.assertIn("accuracy", err)
        err = self.fails(2, *base, "--gate", "accuracy => 0.9")
        self.assertIn("accuracy => 0.9", err)
        self.assertIn("'--frobnicate'", self.fails(2, *base, "--frobnicate"))
        self.assertIn("--model", self.fails(2, "evaluate", "--data", self.data))
        self.assertIn("--data", self.fails(2, "evaluate", "--model", self.model))
        self.assertIn("'--gate'", self.fails(2, *base, "--gate"))
        self.assertIn("KEY=VALUE", self.fails(2, *base, "--set", "bootstrap"))
        self.assertIn("bootstrp", self.fails(2, *base, "--set", "bootstrp=10"))
        self.assertIn("--bootstrap", self.fails(2, *base, "--bootstrap", "many"))
        self.assertIn("--metrics", self.fails(2, *base, "--metrics", "accuracy,f2"))
        self.assertIn("--probes", self.fails(2, *base, "--probes", "shake:0.1"))
        self.assertIn("'a,b'", self.fails(2, *base, "--group", "a,b"))
        self.assertIn("'stray'", self.fails(2, *base, "stray"))
        self.assertIn("--json", self.fails(2, *base, "--json=yes"))
        self.assertIn("target", self.fails(2, *base, "--group", "target"))
        # a usage error is reported before any file is read
        self.fails(2, "evaluate", "--model", "/nonexistent.model", "--data", self.data,
                   "--gate", "accuracy >=")

    def test_runtime_errors(self):
        err = self.fails(3, "evaluate", "--model", self.model, "--data",
                         self.path("missing.csv"))
        self.assertIn("missing.csv", err)
        err = self.fails(3, "evaluate", "--model", self.path("missing.model"),
                         "--data", self.data)
        self.assertIn("missing.model", err)
        err = self.fails(3, "evaluate", "--model", self.model, "--data", self.data,
                         "--group", "bnad")
        self.assertIn("--group bnad", err)
        self.assertIn("band", err)  # the nearest column
        err = self.fails(3, "evaluate", "--model", self.model, "--data", self.data,
                         "--target", "tagret")
        self.assertIn("--target tagret", err)
        no_target = self.path("no_target.csv")
        with open(real("breast_cancer.csv")) as src, open(no_target, "w") as dst:
            for line in src:
                dst.write(line.rstrip("\n").rsplit(",", 1)[0] + "\n")
        err = self.fails(3, "evaluate", "--model", self.model, "--data", no_target)
        self.assertIn("target", err)
        # a gate the run cannot compute: an interval without --bootstrap
        err = self.fails(3, "evaluate", "--model", self.model, "--data", self.data,
                         "--gate", "accuracy.ci_low >= 0.9")
        self.assertIn("accuracy.ci_low", err)
        # --attach onto a device is refused before anything is written
        err = self.fails(3, "evaluate", "--model", self.model, "--data", self.data,
                         "--attach", "/dev/null")
        self.assertIn("/dev/null", err)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    MLOPS = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
