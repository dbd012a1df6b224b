"""The HTML reports through the ctypes binding (Report.to_html,
DriftReport.to_html, Profile.to_html, Model.card_html, mlops.html_from_json,
mlops.save_html, mlops.run_report, Pipeline.report) against the freshly
built shared library; run by meson with MLOPS_LIBRARY pointing at it, under
the python3 on PATH and under /usr/bin/python3 (standard library only in
both).

The pages are made from real objects: models fitted on tests/data/real
(cars.csv, breast_cancer.csv), evaluated, profiled and compared for drift,
and a run directory written by mlops.Pipeline. The numbers a page must show
are checked against values worked out here with the csv module (accuracy
from the predicted and true labels, row and missing counts, the rows that
break a rule), written as the renderer writes them: 4 significant digits
for metrics ('%.4g'), whole numbers for counts."""
import csv
import gc
import json
import os
import re
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
import mlops  # noqa: E402

REAL = os.path.join(ROOT, "tests", "data", "real")
CARS = os.path.join(REAL, "cars.csv")
BREAST_CANCER = os.path.join(REAL, "breast_cancer.csv")
RUN_CARS = os.path.join(ROOT, "tests", "data", "pipeline", "run_cars.yaml")
CARS_ROLES = {"role.Origin": "target", "role.Name": "id", "role.Year": "ignore"}
DOCTYPE = "<!DOCTYPE html>"
KINDS = ("evaluation", "drift", "profile", "model_card")
PAGES = ("evaluation.html", "drift.html", "data.html", "model_card.html")


def read_csv_rows(path):
    """(header, rows as lists of strings) via the csv module."""
    with open(path, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    return table[0], table[1:]


def cars_split():
    """Row indices of cars.csv made before 1976 and from 1976 on."""
    header, rows = read_csv_rows(CARS)
    year = header.index("Year")
    early = [i for i, r in enumerate(rows) if int(r[year][:4]) < 1976]
    late = [i for i, r in enumerate(rows) if int(r[year][:4]) >= 1976]
    return early, late


def escape(text):
    """Text as the renderer escapes it inside a page."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def sig4(value):
    """A metric as the renderer writes it: 4 significant digits."""
    return "%.4g" % value


def linear_model():
    """A logistic regression with missing values imputed (cars.csv has
    some) and the inputs standardised."""
    chain = mlops.Transform()
    chain.add("impute", "*", strategy="median")
    chain.add("standardize", "*")
    return mlops.Model("logistic_regression", transform=chain, l2=0.01)


class Lifecycle(unittest.TestCase):
    """Every test also checks that the library holds no more memory after
    it than before, once Python has collected its objects."""

    def setUp(self):
        gc.collect()
        self.live_before = mlops.live_allocations()
        self._tmp = tempfile.TemporaryDirectory(prefix="mlops-html-binding-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()
        gc.collect()
        self.assertEqual(mlops.live_allocations(), self.live_before,
                         "library allocations leaked by %s" % self.id())

    def assertPage(self, page, *needles):
        """A complete, script-free page holding every one of ``needles``."""
        self.assertIsInstance(page, str)
        self.assertTrue(page.startswith(DOCTYPE), page[:80])
        self.assertTrue(page.rstrip().endswith("</html>"), page[-80:])
        self.assertNotIn("<script", page.lower())
        self.assertNotIn("http://", page.replace("http://www.w3.org/2000/svg", ""))
        for needle in needles:
            self.assertIn(needle, page)

    def assertSaved(self, save, page, name):
        """save(path) writes exactly ``page`` (UTF-8) to a new file."""
        path = os.path.join(self.tmp, name)
        self.assertIsNone(save(path))
        with open(path, "rb") as f:
            self.assertEqual(f.read().decode("utf-8"), page)
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith(name + ".")], [],
                         "a temporary file was left beside %s" % name)
        return path


class EvaluationPage(Lifecycle):
    def fitted_cars(self):
        """A classifier of Origin fitted on cars.csv (every row)."""
        cars = mlops.read_csv(CARS, CARS_ROLES)
        return cars, linear_model().fit(cars)

    def test_report_page_shows_the_metrics_and_gates(self):
        cars, model = self.fitted_cars()
        with cars, model:
            header, rows = read_csv_rows(CARS)
            truth = [r[header.index("Origin")] for r in rows]
            predicted = model.predict_labels(cars)
            accuracy = sum(p == t for p, t in zip(predicted, truth)) / len(truth)
            with mlops.Evaluator(gates=["accuracy >= 0.6", "f1_macro >= 0.99"]).run(
                    model, cars) as report:
                self.assertAlmostEqual(report.value("accuracy"), accuracy, places=12)
                self.assertEqual([passed for _, _, passed in report.gates], [True, False])
                page = report.to_html()
                self.assertPage(page, "<title>Evaluation report", sig4(accuracy),
                                sig4(report.value("f1_macro")),
                                escape("accuracy >= 0.6"), escape("f1_macro >= 0.99"),
                                "<svg", "USA", "Europe", "Japan")
                # Deterministic, and the page of the report's JSON document.
                self.assertEqual(report.to_html(), page)
                self.assertEqual(mlops.html_from_json(kind="evaluation",
                                                      json_text=report.to_json()), page)
                self.assertEqual(mlops.html_from_json("evaluation", report.json), page)
                titled = report.to_html(title="Origin <classifier>")
                self.assertPage(titled, "Origin &lt;classifier&gt;")
                self.assertNotIn("Origin <classifier>", titled)
                self.assertEqual(mlops.html_from_json("evaluation", report.to_json(),
                                                      title="Origin <classifier>"), titled)
                self.assertSaved(report.save_html, page, "evaluation.html")
                self.assertSaved(lambda p: report.save_html(p, title="Origin <classifier>"),
                                 titled, "titled.html")

    def test_binary_report_page_has_its_curves(self):
        with mlops.read_csv(BREAST_CANCER, {"role.target": "target"}) as data, \
                linear_model().fit(data) as model, \
                mlops.Evaluator(pos_label="1").run(model, data) as report:
            auc = report.value("roc_auc")
            self.assertGreater(auc, 0.9)
            fpr, tpr, _ = report.curve("roc")
            self.assertGreater(len(fpr), 2)
            page = report.to_html()
            self.assertPage(page, sig4(auc), sig4(report.value("accuracy")))
            self.assertGreaterEqual(page.count("<svg"), 3)  # ROC, PR, calibration at least
            self.assertEqual(mlops.html_from_json("evaluation", report.to_json()), page)


class ModelCardPage(Lifecycle):
    def test_card_page_names_the_payload_and_escapes_free_text(self):
        with mlops.read_csv(CARS, CARS_ROLES) as cars:
            model = linear_model().fit(cars)
            model.card_set("owner", "risk team")
            model.card_set("caveats", "<b>not</b> for cars after 1982 & before 1970")
            page = model.card_html()
            self.assertPage(page, model.payload_hash(), cars.fingerprint(), "risk team",
                            "&lt;b&gt;not&lt;/b&gt; for cars after 1982 &amp; before 1970",
                            "Model card", "logistic_regression")
            self.assertNotIn("<b>not</b>", page)
            self.assertEqual(model.card_html(), page)
            self.assertEqual(mlops.html_from_json("model_card", model.card()), page)
            self.assertPage(model.card_html(title="Origin model"), "Origin model",
                            model.payload_hash())
            self.assertSaved(model.save_card_html, page, "model_card.html")
            # An attached evaluation appears on the card with its numbers.
            with mlops.Evaluator().run(model, cars) as report:
                report.attach(model)
                accuracy = report.value("accuracy")
            card = model.card_html()
            self.assertPage(card, sig4(accuracy), model.payload_hash())
            self.assertNotEqual(card, page)
            model.close()

    def test_unfitted_model_has_no_card_page(self):
        with mlops.Model("logistic_regression") as model:
            with self.assertRaises(mlops.StateError):
                model.card_html()
            with self.assertRaises(mlops.StateError):
                model.save_card_html(os.path.join(self.tmp, "card.html"))
        self.assertEqual(os.listdir(self.tmp), [])


class ProfilePage(Lifecycle):
    def test_profile_page_counts_rows_and_missing_values(self):
        header, rows = read_csv_rows(CARS)
        missing = {name: sum(r[j] == "" for r in rows) for j, name in enumerate(header)}
        self.assertEqual((missing["Horsepower"], missing["Miles_per_Gallon"]), (6, 8))
        with mlops.read_csv(CARS) as cars, mlops.Profile().add(cars) as profile:
            page = profile.to_html()
            self.assertPage(page, "Data quality report", "%d rows" % len(rows), *header)
            for name in ("Horsepower", "Miles_per_Gallon"):
                self.assertIn(str(missing[name]), page)
            self.assertEqual(profile.to_html(), page)
            self.assertEqual(mlops.html_from_json("profile", profile.to_json()), page)
            self.assertPage(profile.to_html(title="Auto MPG"), "Auto MPG")
            self.assertSaved(profile.save_html, page, "data.html")
            # Fixed bins draw histograms: a different page, still complete.
            profile.fix_bins()
            binned = profile.to_html()
            self.assertPage(binned, *header)
            self.assertEqual(mlops.html_from_json("profile", profile.to_json()), binned)

    def test_profile_page_lists_the_rule_violations(self):
        header, rows = read_csv_rows(CARS)
        hp = header.index("Horsepower")
        over = [i for i, r in enumerate(rows) if r[hp] != "" and float(r[hp]) > 200]
        self.assertGreater(len(over), 0)
        with mlops.read_csv(CARS) as cars, mlops.Profile().add(cars) as profile, \
                cars.schema() as schema:
            schema.set("Horsepower", "max", 200)
            with schema.check(cars) as validation:
                self.assertFalse(validation.passed)
                violation = validation.to_dict()["violations"][0]
                self.assertEqual((violation["column"], violation["count"]),
                                 ("Horsepower", len(over)))
                page = profile.to_html(validation=validation)
                self.assertPage(page, "FAILED", "1 rule violation in %d rows" % len(rows),
                                escape(violation["message"]),
                                ", ".join(str(i) for i in violation["samples"]))
                self.assertEqual(mlops.html_from_json("profile", profile.to_json(),
                                                      extra=validation.to_json()), page)
                self.assertEqual(mlops.html_from_json("profile", profile.to_json(),
                                                      extra=validation.to_dict()), page)
                self.assertSaved(lambda p: profile.save_html(p, validation=validation), page,
                                 "data.html")
            with self.assertRaises(TypeError):
                profile.to_html(validation="passed")


class DriftPage(Lifecycle):
    def reference_and_current(self):
        early, late = cars_split()
        cars = mlops.read_csv(CARS, CARS_ROLES)
        ref_rows, cur_rows = cars.take_rows(early), cars.take_rows(late)
        cars.close()
        return ref_rows, cur_rows

    def test_drift_page_shows_the_verdict_and_every_column(self):
        ref_rows, cur_rows = self.reference_and_current()
        with ref_rows, cur_rows, mlops.Profile().add(ref_rows).fix_bins() as ref, \
                mlops.Profile.like(ref).add(cur_rows) as cur, \
                mlops.DriftMonitor(ref) as monitor, monitor.compare(cur) as report:
            columns = report.columns
            drifted = sum(c["drifted"] for c in columns)
            self.assertGreater(drifted, 0)
            page = report.to_html()
            verdict = "%d of %d columns drifted (share %s)" % (
                drifted, len(columns), "%.3g" % (drifted / len(columns)))
            self.assertPage(page, "Drift report", verdict,
                            "DATA SET DRIFT" if report.dataset_drift else "",
                            "%d reference rows against %d current rows"
                            % (ref_rows.rows, cur_rows.rows),
                            *[c["name"] for c in columns])
            self.assertEqual(mlops.html_from_json("drift", report.to_dict()), page)
            self.assertEqual(report.to_html(), page)
            self.assertPage(report.to_html(title="1976 on"), "1976 on")
            self.assertSaved(report.save_html, page, "drift.html")
            with self.assertRaises(TypeError):
                report.to_html(monitor=ref)

    def test_drift_page_with_the_monitor_history(self):
        ref_rows, cur_rows = self.reference_and_current()
        with ref_rows, cur_rows, mlops.Profile().add(ref_rows).fix_bins() as ref, \
                mlops.Profile.like(ref).add(cur_rows) as cur, \
                mlops.DriftMonitor(ref, window_rows=50) as monitor:
            monitor.add(cur_rows)
            windows = monitor.windows
            self.assertEqual(len(windows), cur_rows.rows // 50)
            with monitor.compare(cur) as report:
                plain = report.to_html()
                page = report.to_html(monitor=monitor)
                self.assertPage(page, "Windows over time")
                self.assertNotIn("Windows over time", plain)
                self.assertEqual(mlops.html_from_json("drift", report.to_dict(),
                                                      extra=monitor.history()), page)
                self.assertSaved(lambda p: report.save_html(p, monitor=monitor), page,
                                 "drift.html")


class Errors(Lifecycle):
    def test_unknown_kind_names_the_kinds(self):
        with self.assertRaises(mlops.InvalidArgument) as caught:
            mlops.html_from_json("evalution", "{}")
        e = caught.exception
        self.assertEqual((e.code, e.symbol), (-1, "MLOPS_EINVAL"))
        for word in ("evalution",) + KINDS:
            self.assertIn(word, str(e))

    def test_malformed_json_names_line_and_column(self):
        for kind in KINDS:
            with self.assertRaises(mlops.FormatError) as caught:
                mlops.html_from_json(kind, '{"format": 1,\n  "columns": [1, }')
            self.assertEqual(caught.exception.code, -4)
            self.assertRegex(str(caught.exception), r"\b2:18\b")

    def test_a_document_of_another_kind_is_refused(self):
        with mlops.read_csv(CARS) as cars, mlops.Profile().add(cars) as profile:
            document = profile.to_json()
        with self.assertRaises(mlops.FormatError) as caught:
            mlops.html_from_json("drift", document)
        self.assertIn("dataset_drift", str(caught.exception))
        with self.assertRaises(mlops.FormatError):
            mlops.html_from_json("evaluation", document)
        with self.assertRaises(mlops.FormatError):
            mlops.html_from_json("profile", document, extra={"rows": 3})

    def test_python_argument_errors(self):
        with self.assertRaises(TypeError):
            mlops.html_from_json("profile", 3)
        with self.assertRaises(TypeError):
            mlops.html_from_json("profile", {"x": object()})
        with self.assertRaises(TypeError):
            mlops.html_from_json(None, "{}")
        with self.assertRaises(ValueError):
            mlops.html_from_json("profile", "{}\0")
        with self.assertRaises(TypeError):
            mlops.html_from_json("profile", "{}", title=3)

    def test_save_html_writes_atomically_and_names_a_bad_path(self):
        page = DOCTYPE + "\n<html><body><p>\u00e9t\u00e9</p></body></html>\n"
        path = os.path.join(self.tmp, "page.html")
        self.assertSaved(lambda p: mlops.save_html(page, p), page, "page.html")
        mlops.save_html(page.encode("utf-8"), path)
        missing = os.path.join(self.tmp, "no", "such", "dir", "page.html")
        with self.assertRaises(mlops.IOFailure) as caught:
            mlops.save_html(page, missing)
        self.assertIn(missing, str(caught.exception))
        self.assertIsInstance(caught.exception, OSError)

    def test_closed_objects(self):
        with mlops.read_csv(CARS) as cars:
            profile = mlops.Profile().add(cars)
        profile.close()
        with self.assertRaises(ValueError):
            profile.to_html()

    def test_run_report_of_an_empty_or_missing_directory(self):
        empty = os.path.join(self.tmp, "empty")
        os.mkdir(empty)
        with self.assertRaises(mlops.NotFound) as caught:
            mlops.run_report(empty)
        self.assertIn(empty, str(caught.exception))
        self.assertEqual(os.listdir(empty), [])
        with self.assertRaises(mlops.NotFound):
            mlops.run_report(os.path.join(self.tmp, "absent"))


@unittest.skipUnless(mlops.have_pipeline(), "the loaded libmlops has no pipeline API")
class RunReport(Lifecycle):
    def run_cars(self):
        run_dir = os.path.join(self.tmp, "run")
        with mlops.Pipeline(RUN_CARS, ("registry.path=" + os.path.join(self.tmp, "registry"),)) \
                as p:
            p.run(run_dir)
        return run_dir

    def test_run_report_writes_every_page_of_a_pipeline_run(self):
        run_dir = self.run_cars()
        written = mlops.run_report(run_dir)
        self.assertEqual([os.path.basename(p) for p in written], list(PAGES))
        for path in written:
            self.assertTrue(os.path.isfile(path), path)
            self.assertEqual(os.path.dirname(os.path.abspath(path)), os.path.abspath(run_dir))
            with open(path, encoding="utf-8") as f:
                self.assertPage(f.read())
        with open(os.path.join(run_dir, "evaluation.json"), encoding="utf-8") as f:
            evaluation = json.load(f)
        with open(written[0], encoding="utf-8") as f:
            page = f.read()
        self.assertEqual(mlops.html_from_json("evaluation", evaluation), page)
        self.assertIn(sig4(evaluation["metrics"]["accuracy"]), page)
        with open(os.path.join(run_dir, "model_card.json"), encoding="utf-8") as f:
            card = json.load(f)
        with open(written[3], encoding="utf-8") as f:
            self.assertIn(card["model_details"]["payload_sha256"], f.read())
        # The run's files are only read: the run still verifies.
        self.assertTrue(mlops.verify_run(run_dir)["ok"])
        # Into another directory, the same pages.
        out = os.path.join(self.tmp, "pages")
        os.mkdir(out)
        elsewhere = mlops.run_report(run_dir, out_dir=out)
        self.assertEqual(elsewhere, [os.path.join(out, name) for name in PAGES])
        for a, b in zip(written, elsewhere):
            with open(a, "rb") as fa, open(b, "rb") as fb:
                self.assertEqual(fa.read(), fb.read())
        with self.assertRaises(mlops.NotFound):
            mlops.run_report(run_dir, out_dir=os.path.join(self.tmp, "absent"))

    def test_pipeline_report_uses_its_run_directory(self):
        run_dir = os.path.join(self.tmp, "run")
        with mlops.Pipeline(RUN_CARS, ("registry.path=" + os.path.join(self.tmp, "registry"),)) \
                as p:
            with self.assertRaises(mlops.StateError):
                p.report()
            summary = p.run(run_dir)
            written = p.report()
        self.assertEqual(written, mlops.run_report(summary["run_dir"]))
        self.assertEqual([os.path.basename(x) for x in written], list(PAGES))

    def test_a_damaged_source_file_is_named(self):
        run_dir = self.run_cars()
        with open(os.path.join(run_dir, "drift.json"), "w") as f:
            f.write('{"dataset_drift": true,\n "columns": [}')
        with self.assertRaises(mlops.FormatError) as caught:
            mlops.run_report(run_dir)
        self.assertIn("drift.json", str(caught.exception))
        self.assertRegex(str(caught.exception), r"\b2:14\b")


class Documentation(unittest.TestCase):
    def test_every_addition_is_documented(self):
        for fn in (mlops.Report.to_html, mlops.Report.save_html, mlops.DriftReport.to_html,
                   mlops.DriftReport.save_html, mlops.Profile.to_html, mlops.Profile.save_html,
                   mlops.Model.card_html, mlops.Model.save_card_html, mlops.Pipeline.report,
                   mlops.html_from_json, mlops.save_html, mlops.run_report, mlops.have_html):
            self.assertTrue(fn.__doc__ and len(fn.__doc__) > 40, fn.__qualname__)
        self.assertEqual(mlops.Report.to_html.__qualname__, "Report.to_html")
        self.assertTrue(mlops.have_html())
        doc = mlops.html_from_json.__doc__
        for word in KINDS + ("InvalidArgument", "FormatError", "line:column"):
            self.assertIn(word, doc)
        self.assertTrue(re.search(r"\bNotFound\b", mlops.run_report.__doc__))


if __name__ == "__main__":
    unittest.main()
