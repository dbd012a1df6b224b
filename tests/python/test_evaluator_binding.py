"""mlops.Evaluator and mlops.Report through the ctypes binding against the
freshly built shared library; run by meson with MLOPS_LIBRARY pointing at
it, under the python3 on PATH (standard library only) and under
/usr/bin/python3 (with NumPy and scikit-learn, when it has them).

Reference values: tests/data/evaluate_reference.json, written by
tests/reference/make_evaluate_reference.py (scikit-learn, and NumPy for the
fairness definitions). Where scikit-learn is importable the test also
checks that the committed file is what the script computes now, and scores
the library's own model predictions with it."""
import gc
import json
import math
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
import mlops  # noqa: E402

try:
    import numpy as np
except ImportError:
    np = None
try:
    sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
    import make_evaluate_reference as reference_script  # needs scikit-learn and pandas
except ImportError:
    reference_script = None

DATA = os.path.join(ROOT, "tests", "data")
BREAST_CANCER = os.path.join(DATA, "real", "breast_cancer.csv")
DIABETES = os.path.join(DATA, "real", "diabetes.csv")
with open(os.path.join(DATA, "evaluate_reference.json")) as _f:
    REFERENCE = json.load(_f)


def tolist(x):
    return x.tolist() if hasattr(x, "tolist") else x


def isnan(x):
    return isinstance(x, float) and math.isnan(x)


def band(texture):
    """The group column of make_evaluate_reference.py."""
    t = float(texture)
    return "low" if t < 15 else "mid" if t < 20 else "high" if t < 28 else "xl"


def breast_cancer_with_band(directory):
    """breast_cancer.csv with the column band (role group) and target."""
    path = os.path.join(directory, "bc_band.csv")
    with open(BREAST_CANCER) as src, open(path, "w") as dst:
        header = src.readline().rstrip("\n")
        texture = header.split(",").index("mean_texture")
        dst.write(header + ",band\n")
        for line in src:
            line = line.rstrip("\n")
            dst.write("%s,%s\n" % (line, band(line.split(",")[texture])))
    return mlops.Dataset.read_csv(path, {"role.target": "target", "role.band": "group"})


def fit_breast_cancer(ds):
    chain = mlops.Transform()
    chain.add("impute", "*", strategy="median")
    chain.add("standardize", "*")
    return mlops.Model("logistic_regression", transform=chain, tol=1e-10).fit(ds)


@unittest.skipUnless(mlops.have_evaluator(), "the loaded libmlops has no evaluator")
class Evaluator(unittest.TestCase):
    """Every test also checks that the library holds no more memory after
    it than before."""

    def setUp(self):
        gc.collect()
        self.live_before = mlops.live_allocations()

    def tearDown(self):
        gc.collect()
        self.assertEqual(mlops.live_allocations(), self.live_before,
                         "library allocations leaked by %s" % self.id())

    def assertClose(self, got, want, tol=1e-12, what=""):
        if want is None:
            self.assertTrue(isnan(got), "%s: %r, expected undefined (NaN)" % (what, got))
            return
        self.assertFalse(isnan(got), "%s is NaN, expected %r" % (what, want))
        self.assertLessEqual(abs(got - want), tol * max(1.0, abs(want)),
                             "%s: %r differs from reference %r" % (what, got, want))

    def assertValues(self, report, expected, tol=1e-12, skip=()):
        for name, want in expected.items():
            if name in skip:
                continue
            self.assertClose(report.value(name), want, tol, name)

    def assertSeqClose(self, got, want, tol=1e-12, what=""):
        got = tolist(got)
        self.assertEqual(len(got), len(want), "%s: %r vs %r" % (what, got, want))
        for i, (g, w) in enumerate(zip(got, want)):
            if w is None:  # +inf
                self.assertTrue(math.isinf(g) and g > 0, "%s[%d] = %r" % (what, i, g))
            else:
                self.assertClose(g, w, tol, "%s[%d]" % (what, i))

    # ---- configuration -----------------------------------------------

    def test_settings_and_gates(self):
        ev = mlops.Evaluator(bootstrap=100, metrics=["accuracy", "f1"], group=["g", "h"],
                             probes=["noise:0.1", "missing:0.05"], seed=7,
                             gates=["accuracy >= 0.9", "four_fifths_rule"])
        self.assertEqual(ev.get("bootstrap"), "100")
        self.assertEqual(ev.get("group"), "g,h")
        self.assertEqual(ev.get("seed"), "7")
        self.assertEqual(ev.gate_count, 2)
        self.assertIs(ev.set("min_group_size", 10), ev)
        self.assertEqual(ev.get("min_group_size"), "10")
        self.assertIs(ev.add_gate("f1 > 0.5"), ev)
        self.assertEqual(ev.gate_count, 3)
        with self.assertRaises(mlops.MlopsError) as caught:
            ev.set("bootstrp", 10)
        self.assertEqual(caught.exception.code, -1)
        self.assertIn("bootstrap", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            ev.add_gate("acuracy >= 0.9")
        self.assertIn("accuracy", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            ev.add_gate("accuracy >=")
        self.assertIn("accuracy >=", str(caught.exception))
        self.assertEqual(ev.gate_count, 3)
        with self.assertRaises(mlops.MlopsError):
            ev.set("metrics", "accuracy,f2")
        self.assertEqual(ev.get("bootstrap"), "100")  # failures change nothing
        with self.assertRaises(mlops.MlopsError):
            ev.get("nope")
        ev.close()
        with self.assertRaises(ValueError):
            ev.get("seed")

    # ---- arrays ------------------------------------------------------

    def binary(self, ev=None, **kw):
        case = REFERENCE["binary"]
        ev = ev or mlops.Evaluator(task="classification", group="g", reference_group="a")
        args = dict(y_pred=case["y_pred"], scores=case["scores"], groups=case["groups"])
        args.update(kw)
        return ev.run_arrays(case["y_true"], **args)

    def test_binary_arrays_match_scikit_learn(self):
        case = REFERENCE["binary"]
        report = self.binary()
        self.assertValues(report, case["expected"])
        self.assertEqual(report.classes, ["0", "1"])
        self.assertEqual(tolist(report.confusion()), case["confusion"])
        for value in ("a", "b", "c"):
            for metric in ("count", "accuracy", "selection_rate", "true_positive_rate",
                           "false_positive_rate", "small"):
                self.assertClose(report.group_value("g", value, metric),
                                 case["expected"]["g=%s.%s" % (value, metric)],
                                 what="g=%s.%s" % (value, metric))
        self.assertTrue(report.passed)
        self.assertEqual(report.gates, [])

    def test_binary_curves(self):
        case = REFERENCE["binary"]
        report = self.binary()
        x, y, t = report.curve("roc")
        # every point (the accessors never thin a curve): scikit-learn's
        # roc_curve(drop_intermediate=False)
        roc = case["roc_all_points"]
        self.assertSeqClose(x, roc["x"], what="roc fpr")
        self.assertSeqClose(y, roc["y"], what="roc tpr")
        self.assertSeqClose(tolist(t)[1:], roc["t"][1:], what="roc thresholds")
        x, y, t = report.curve("precision_recall")
        self.assertSeqClose(x, case["precision_recall"]["x"], what="recall")
        self.assertSeqClose(y, case["precision_recall"]["y"], what="precision")
        self.assertSeqClose(t, case["precision_recall"]["t"], what="pr thresholds")
        x, y, t = report.curve("calibration")
        self.assertSeqClose(x, case["calibration"]["x"], what="mean predicted")
        self.assertSeqClose(y, case["calibration"]["y"], what="fraction of positives")
        self.assertSeqClose(t, case["calibration"]["t"], what="bin weights")
        with self.assertRaises(mlops.MlopsError) as caught:
            report.curve("rock")
        self.assertEqual(caught.exception.code, -8)

    def test_roc_leading_threshold_is_inf(self):
        # mlops_report_curve(3): "scikit-learn's leading +inf point" (as
        # scikit-learn >= 1.3; 1.2 wrote the largest score + 1)
        t = tolist(self.binary().curve("roc")[2])
        self.assertTrue(math.isinf(t[0]) and t[0] > 0, "leading ROC threshold %r" % t[0])

    def test_predictions_from_scores(self):
        case = REFERENCE["binary"]
        with_pred = self.binary()
        one_column = self.binary(y_pred=None)
        two_columns = self.binary(y_pred=None, scores=[[1 - p, p] for p in case["scores"]])
        for name in ("accuracy", "f1", "roc_auc", "log_loss", "demographic_parity_ratio"):
            self.assertEqual(one_column.value(name), with_pred.value(name), name)
            self.assertEqual(two_columns.value(name), with_pred.value(name), name)
        labels_only = self.binary(scores=None)
        self.assertEqual(labels_only.value("accuracy"), with_pred.value("accuracy"))
        self.assertNotIn("roc_auc", labels_only.names())
        self.assertNotIn("log_loss", labels_only.names())

    def test_weighted_binary(self):
        case = REFERENCE["binary_weighted"]
        ev = mlops.Evaluator()
        report = ev.run_arrays(case["y_true"], case["y_pred"], case["scores"],
                               weights=case["weights"], task="classification")
        self.assertEqual(ev.get("task"), "classification")
        self.assertValues(report, case["expected"])

    def test_multiclass(self):
        case = REFERENCE["multiclass"]
        report = mlops.Evaluator(task="classification").run_arrays(
            case["y_true"], case["y_pred"], case["scores"])
        self.assertEqual(report.classes, case["classes"])
        self.assertValues(report, case["expected"])
        self.assertEqual(tolist(report.confusion()), case["confusion"])
        x, y, _ = report.curve("roc.2.5")
        self.assertEqual(tolist(x)[0], 0.0)
        self.assertEqual(tolist(y)[-1], 1.0)

    def test_regression(self):
        case = REFERENCE["regression"]
        report = mlops.Evaluator(task="regression").run_arrays(case["y_true"], case["y_pred"])
        self.assertValues(report, case["expected"])
        self.assertEqual(report.classes, [])
        with self.assertRaises(mlops.MlopsError) as caught:
            report.confusion()
        self.assertEqual(caught.exception.code, -8)

    @unittest.skipIf(np is None, "NumPy is not installed for this interpreter")
    def test_numpy_arrays_give_identical_results(self):
        case = REFERENCE["binary"]
        lists = self.binary().as_dict()
        arrays = self.binary(mlops.Evaluator(task="classification", group="g",
                                             reference_group="a"),
                             y_pred=np.array(case["y_pred"]),
                             scores=np.array(case["scores"]),
                             groups={"g": np.array(case["groups"]["g"])})
        self.assertEqual(arrays.as_dict().keys(), lists.keys())
        for name, value in arrays.as_dict().items():
            self.assertTrue(value == lists[name] or (isnan(value) and isnan(lists[name])), name)
        # strided and integer arrays are converted, with the same answer
        y = np.repeat(np.array(case["y_true"]), 2)[::2]
        report = mlops.Evaluator(task="classification").run_arrays(
            y, np.array(case["y_pred"], dtype=np.int64), np.array(case["scores"]))
        self.assertEqual(report.value("accuracy"), lists["accuracy"])
        self.assertEqual(report.value("roc_auc"), lists["roc_auc"])
        self.assertIsInstance(report.confusion(), np.ndarray)
        self.assertIsInstance(report.curve("roc")[0], np.ndarray)

    def test_report_api(self):
        case = REFERENCE["binary"]
        ev = mlops.Evaluator(task="classification", group="g",
                             gates=["accuracy >= 0.7", "accuracy >= 0.9",
                                    "demographic_parity_ratio >= 0.8"])
        report = self.binary(ev)
        accuracy = case["expected"]["accuracy"]
        ratio = case["expected"]["demographic_parity_ratio"]
        self.assertFalse(report.passed)
        self.assertEqual(report.gates, [("accuracy >= 0.7", accuracy, True),
                                        ("accuracy >= 0.9", accuracy, False),
                                        ("demographic_parity_ratio >= 0.8", ratio, False)])
        names = report.names()
        self.assertEqual(len(names), len(set(names)))
        self.assertIn("accuracy", report)
        self.assertEqual(report.as_dict()["accuracy"], accuracy)
        self.assertTrue(all(isinstance(n, str) for n in report.notes))
        doc = report.json
        self.assertEqual(doc, json.loads(report.to_json()))
        self.assertEqual(doc["metrics"]["accuracy"], accuracy)
        self.assertIs(doc["passed"], False)
        self.assertEqual([g["passed"] for g in doc["gates"]], [True, False, False])
        with self.assertRaises(mlops.MlopsError) as caught:
            report.value("acuracy")
        self.assertEqual(caught.exception.code, -8)
        self.assertIn("accuracy", str(caught.exception))
        self.assertIn("passed" if report.passed else "FAILED", repr(report))
        report.close()
        with self.assertRaises(ValueError):
            report.value("accuracy")

    def test_undefined_values_are_nan_with_a_note(self):
        # one class present: ROC AUC is undefined
        report = mlops.Evaluator(task="classification").run_arrays(
            [1.0, 1.0, 1.0], [1.0, 0.0, 1.0], [0.9, 0.4, 0.8])
        self.assertTrue(isnan(report.value("roc_auc")))
        self.assertTrue(any("roc_auc" in note for note in report.notes), report.notes)
        self.assertIsNone(report.json["metrics"]["roc_auc"])
        gated = mlops.Evaluator(task="classification", gates=["roc_auc >= 0.5"]).run_arrays(
            [1.0, 1.0, 1.0], [1.0, 0.0, 1.0], [0.9, 0.4, 0.8])
        self.assertFalse(gated.passed)
        self.assertTrue(isnan(gated.gates[0][1]))

    def test_bootstrap_is_deterministic_for_a_seed(self):
        case = REFERENCE["binary"]

        def run(seed):
            ev = mlops.Evaluator(task="classification", bootstrap=300, seed=seed,
                                 metrics="accuracy,roc_auc", gates=["roc_auc.ci_low >= 0.5"])
            return ev.run_arrays(case["y_true"], case["y_pred"], case["scores"])

        first, again, other = run(11), run(11), run(12)
        self.assertEqual(first.as_dict(), again.as_dict())
        for metric in ("accuracy", "roc_auc"):
            low, high = first.value(metric + ".ci_low"), first.value(metric + ".ci_high")
            self.assertLessEqual(low, first.value(metric))
            self.assertGreaterEqual(high, first.value(metric))
            self.assertGreater(first.value(metric + ".std"), 0)
        self.assertNotEqual(other.value("roc_auc.ci_low"), first.value("roc_auc.ci_low"))
        self.assertEqual(first.gates[0][1], first.value("roc_auc.ci_low"))

    def test_argument_errors(self):
        ev = mlops.Evaluator(task="classification")
        with self.assertRaises(ValueError):
            ev.run_arrays([0.0, 1.0], [0.0])
        with self.assertRaises(ValueError):
            ev.run_arrays([0.0, 1.0], [0.0, 1.0], weights=[1.0])
        with self.assertRaises(ValueError):
            ev.run_arrays([0.0, 1.0], scores=[0.5])
        with self.assertRaises(ValueError):
            ev.run_arrays([0.0, 1.0], scores=[[0.5, 0.5], [0.5]])
        with self.assertRaises(TypeError):
            ev.run_arrays(["a", "b"], [0.0, 1.0])
        with self.assertRaises(TypeError):
            ev.run_arrays([0.0, 1.0], [0.0, 1.0], groups=["a", "b"])
        with self.assertRaises(mlops.MlopsError) as caught:
            ev.run_arrays([0.0, 1.0], scores=[1.5, 0.2])
        self.assertEqual(caught.exception.code, -1)
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Evaluator().run_arrays([0.0, 1.0], [0.0, 1.0])  # no task
        self.assertIn("task", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            ev.run_arrays([0.0, float("nan")], [0.0, 1.0])
        self.assertIn("y_true[1]", str(caught.exception))
        with self.assertRaises(TypeError):
            ev.run("model", "data")

    # ---- a fitted model ----------------------------------------------

    def test_model_on_breast_cancer(self):
        with tempfile.TemporaryDirectory() as tmp:
            ds = breast_cancer_with_band(tmp)
        model = fit_breast_cancer(ds)
        ev = mlops.Evaluator(reference_group="mid", gates=["accuracy >= 0.95",
                                                           "four_fifths_rule"])
        report = ev.run(model, ds)
        expected = REFERENCE["breast_cancer"]["expected"]
        scored = {"roc_auc", "average_precision", "log_loss", "brier_score_loss",
                  "expected_calibration_error"}
        self.assertValues(report, expected, skip=scored)
        self.assertValues(report, {k: expected[k] for k in scored}, tol=1e-6)
        self.assertEqual(tolist(report.confusion()), REFERENCE["breast_cancer"]["confusion"])
        self.assertEqual(report.group_value("band", "xl", "small"), 1.0)
        self.assertEqual(report.group_value("band", "xl", "count"), 23)
        self.assertFalse(report.passed)  # four fifths fails across the bands
        self.assertEqual([g[2] for g in report.gates], [True, False])

        if reference_script is not None and np is not None:
            # scikit-learn scoring this very model's predictions
            p1 = np.asarray(model.predict_proba(ds))[:, 1]
            pred = np.asarray(model.predict(ds))
            y = np.asarray(ds.column("target"))
            live, confusion = reference_script.breast_cancer_values(
                y, pred, p1, np.array(ds.column("band")))
            self.assertValues(report, reference_script.clean(live))
            self.assertEqual(tolist(report.confusion()), confusion)

        if mlops._native.has("mlops_model_card_json"):
            report.attach(model)
            qa = model.card()["quantitative_analysis"]
            self.assertIn("accuracy >= 0.95", json.dumps(qa))

    def test_cross_validate(self):
        ds = mlops.Dataset.read_csv(DIABETES, {"role.target": "target"})
        model = mlops.Model("linear_regression")
        report = mlops.Evaluator(cv_folds=5, metrics="r2",
                                 gates=["r2.mean >= 0.4"]).cross_validate(model, ds)
        self.assertFalse(model.is_fitted)
        self.assertValues(report, REFERENCE["cv_diabetes"]["expected"], tol=1e-9)
        self.assertTrue(report.passed)

    def test_grid_search(self):
        case = REFERENCE["grid_diabetes"]
        ds = mlops.Dataset.read_csv(DIABETES, {"role.target": "target"})
        model = mlops.Model("linear_regression")
        best, report = mlops.Evaluator(metric="r2", metrics="r2").grid_search(
            model, ds, {"l2": case["l2"]})
        self.assertIsInstance(best, mlops.Model)
        self.assertTrue(best.is_fitted)
        self.assertFalse(model.is_fitted)
        self.assertValues(report, case["expected"], tol=1e-9)
        self.assertEqual(float(best.get("l2")), case["l2"][case["expected"]["best_index"]])
        coef, icpt = best.coefficients()
        self.assertSeqClose(tolist(coef)[0], case["best_coefficients"], 1e-7, "coefficients")
        self.assertClose(tolist(icpt)[0], case["best_intercept"], 1e-7, "intercept")
        again_best, again = mlops.Evaluator(metric="r2", metrics="r2").grid_search(
            model, ds, "l2=1,0,0.01")
        self.assertEqual(again.value("best_index"), report.value("best_index"))
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Evaluator().grid_search(model, ds, {"l3": [1, 2]})
        self.assertIn("l3", str(caught.exception))

    @unittest.skipIf(reference_script is None, "scikit-learn is not installed here")
    def test_committed_reference_is_what_scikit_learn_computes(self):
        rng = np.random.default_rng(20261126)
        binary, weighted = reference_script.binary_case(rng)
        fresh = {"binary": binary, "binary_weighted": weighted,
                 "multiclass": reference_script.multiclass_case(rng),
                 "regression": reference_script.regression_case(rng)}
        for name, case in reference_script.clean(fresh).items():
            self.assertEqual(case, REFERENCE[name], name)


if __name__ == "__main__":
    print("python %s, NumPy %s, scikit-learn %s" % (
        sys.version.split()[0], np.__version__ if np is not None else "not installed",
        "available" if reference_script is not None else "not installed"))
    unittest.main()
