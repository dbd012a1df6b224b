"""mlops.Profile, mlops.DriftMonitor and mlops.DriftReport through the ctypes
binding against the freshly built shared library; run by meson with
MLOPS_LIBRARY pointing at it, under the python3 on PATH (standard library
only) and under /usr/bin/python3 (with NumPy, when it has it).

Reference values: tests/monitor/drift_report_reference.h, written by
tests/reference/make_drift_report_reference.py (SciPy 1.10.1, NumPy 1.24),
read here from the header's text: per column and method the statistic and
p-value SciPy gives on tests/data/drift/small_{reference,current}.csv, the
NumPy histogram counts of the profile bins, the findings, and the reports of
the default settings under the corrections none and benjamini_hochberg."""
import gc
import math
import os
import re
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

DATA = os.path.join(ROOT, "tests", "data")
SMALL_REFERENCE = os.path.join(DATA, "drift", "small_reference.csv")
SMALL_CURRENT = os.path.join(DATA, "drift", "small_current.csv")
IRIS = os.path.join(DATA, "real", "iris.csv")
HEADER = os.path.join(ROOT, "tests", "monitor", "drift_report_reference.h")

# As tests/monitor/test_drift_report.c: SciPy's numbers to 1e-10 relative.
RTOL, ATOL = 1e-10, 1e-300
SEVERITY_NAMES = {0: "none", 1: "warning", 2: "critical"}


# ---- the reference header --------------------------------------------------

def _field(token):
    if token.startswith('"'):
        return token[1:-1]
    if token == "NAN":
        return math.nan
    if token == "NULL":
        return None
    if "x" in token:
        return float.fromhex(token)
    return int(token)


def _table(text, name):
    """The initializer of `static const ... name[] = {...};` as a list of
    tuples (struct entries) or of numbers (plain arrays)."""
    start = text.index(name + "[] = {")
    body = text[start + len(name) + 6:text.index("};", start)]
    entries = re.findall(r"\{([^{}]*)\}", body)
    tokens = r'"[^"]*"|[^,\s]+'
    if entries:
        return [tuple(_field(t) for t in re.findall(tokens, e)) for e in entries]
    return [_field(t) for t in re.findall(tokens, body)]


def load_reference():
    with open(HEADER) as f:
        text = f.read()
    ref = {name: _table(text, "drift_ref_" + name)
           for name in ("columns", "bins_ref", "bins_cur", "values", "findings", "pairs",
                        "results", "scenarios")}
    pair = next(p for p in ref["pairs"] if p[0] == "small")
    _, nref, ncur, c0, nc, v0, nv, f0, nf = pair
    small = {"reference_rows": nref, "current_rows": ncur,
             "columns": ref["columns"][c0:c0 + nc],
             "values": ref["values"][v0:v0 + nv],
             "findings": ref["findings"][f0:f0 + nf],
             "bins_ref": ref["bins_ref"], "bins_cur": ref["bins_cur"], "scenarios": {}}
    for s in ref["scenarios"]:
        name, pair_index, _, _, _, _, _, r0, nr, share, drift, severity = s
        if ref["pairs"][pair_index][0] == "small":
            small["scenarios"][name] = {"results": ref["results"][r0:r0 + nr], "share": share,
                                        "dataset_drift": drift, "severity": severity}
    return small


REFERENCE = load_reference()


def tolist(x):
    return x.tolist() if hasattr(x, "tolist") else list(x)


@unittest.skipUnless(mlops.have_profile(), "the loaded libmlops has no profile/drift API")
class Drift(unittest.TestCase):
    """Every test also checks that the library holds no more memory after
    it than before."""

    def setUp(self):
        gc.collect()
        self.live_before = mlops.live_allocations()
        self.ref_data = mlops.Dataset.read_csv(SMALL_REFERENCE)
        self.cur_data = mlops.Dataset.read_csv(SMALL_CURRENT)

    def tearDown(self):
        del self.ref_data, self.cur_data
        gc.collect()
        self.assertEqual(mlops.live_allocations(), self.live_before,
                         "library allocations leaked by %s" % self.id())

    def assertClose(self, got, want, what):
        if math.isnan(want):
            self.assertTrue(math.isnan(got), "%s: %r, expected NaN" % (what, got))
            return
        self.assertLessEqual(abs(got - want), RTOL * abs(want) + ATOL,
                             "%s: %r, SciPy/NumPy %r" % (what, got, want))

    def assertReportMatches(self, report, scenario, what):
        want = REFERENCE["scenarios"][scenario]
        columns = {c["name"]: c for c in report.columns}
        self.assertEqual(len(columns), len(want["results"]), what)
        for column, method, stat, p, padj, threshold, drifted in want["results"]:
            got = columns[column]
            self.assertEqual(got["method"], method, "%s %s" % (what, column))
            self.assertClose(got["statistic"], stat, "%s %s statistic" % (what, column))
            self.assertClose(got["p_value"], p, "%s %s p-value" % (what, column))
            self.assertClose(got["p_adjusted"], padj, "%s %s adjusted p" % (what, column))
            self.assertEqual(got["threshold"], threshold, "%s %s threshold" % (what, column))
            self.assertEqual(got["drifted"], bool(drifted), "%s %s drifted" % (what, column))
        self.assertClose(report.share, want["share"], what + " share")
        self.assertEqual(report.dataset_drift, bool(want["dataset_drift"]), what)
        self.assertEqual(report.severity, want["severity"], what)

    def reference(self, **settings):
        return mlops.Profile(**settings).add(self.ref_data).fix_bins()

    # ---- profiles ------------------------------------------------------

    def test_profile_values_and_bins(self):
        ref = self.reference()
        self.assertTrue(ref.has_bins)
        self.assertEqual(ref.rows, REFERENCE["reference_rows"])
        self.assertEqual(ref.columns, [c[0] for c in REFERENCE["columns"]])
        cur = mlops.Profile.like(ref).add(self.cur_data)
        self.assertTrue(cur.has_bins)
        self.assertEqual(cur.rows, REFERENCE["current_rows"])
        for name, numeric, _, ref_missing, cur_missing, _, _, b0, nb in REFERENCE["columns"]:
            self.assertEqual(ref.column_type(name), "numeric" if numeric else "categorical")
            self.assertEqual(ref.counts(name),
                             (REFERENCE["reference_rows"] - ref_missing, ref_missing), name)
            self.assertEqual(cur.counts(name),
                             (REFERENCE["current_rows"] - cur_missing, cur_missing), name)
            bins = ref.bins(name)
            self.assertEqual([b["count"] for b in bins], REFERENCE["bins_ref"][b0:b0 + nb], name)
            self.assertEqual([b["count"] for b in cur.bins(name)],
                             REFERENCE["bins_cur"][b0:b0 + nb], name)
            if numeric:
                self.assertEqual(bins[0]["lower"], -math.inf, name)
                self.assertEqual(bins[-1]["upper"], math.inf, name)
                self.assertTrue(all(b["category"] is None for b in bins), name)
                for a, b in zip(bins, bins[1:]):
                    self.assertEqual(a["upper"], b["lower"], name)
            else:
                self.assertTrue(all(math.isnan(b["lower"]) and math.isnan(b["upper"])
                                    for b in bins), name)
                cats = [b["category"] for b in bins]
                self.assertIsNone(cats[-1], name)  # the unseen bin
                self.assertEqual(cats[:-1], sorted(cats[:-1], key=lambda s: s.encode()), name)
        # The reference categories (NumPy side: the fixture's distinct values).
        self.assertEqual([b["category"] for b in ref.bins("cat_unseen")],
                         ["alpha", "bravo", "charlie", "delta", "echo", None])
        # Moments and quantiles against the fixture column read back.
        x = tolist(self.ref_data.column("num_shift"))
        n = len(x)
        mean = math.fsum(x) / n
        std = math.sqrt(math.fsum((v - mean) ** 2 for v in x) / (n - 1))
        stats = ref.stats("num_shift")
        self.assertEqual((stats["min"], stats["max"]), (min(x), max(x)))
        self.assertLessEqual(abs(stats["mean"] - mean), 1e-12)
        self.assertLessEqual(abs(stats["std"] - std), 1e-12 * std)
        s = sorted(x)
        for q in (0.0, 0.1, 0.25, 0.5, 0.9, 1.0):
            h = (n - 1) * q
            i = int(math.floor(h))
            want = s[i] + (h - i) * (s[min(i + 1, n - 1)] - s[i])  # numpy 'linear'
            self.assertLessEqual(abs(ref.quantile("num_shift", q) - want), 1e-12, q)
        self.assertEqual(ref.distinct("cat_unseen"), (5, True))
        self.assertEqual(ref.top("cat_unseen")[0], ("charlie", 237, 0))
        self.assertEqual(ref.duplicate_rows, (0, True))
        self.assertEqual(ref.flags("num_shift"), set())
        self.assertFalse(math.isnan(ref.stats("num_missing")["std"]))

    def test_profile_json_and_save_load(self):
        ref = self.reference()
        doc = ref.to_json()
        self.assertEqual(doc["rows"], 800)
        self.assertEqual([c["name"] for c in doc["columns"]], ref.columns)
        self.assertEqual(doc["settings"]["bins"], 10)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "reference.prof")
            ref.save(path)
            loaded = mlops.Profile.load(path)
            self.assertEqual(loaded.to_json(), doc)
            self.assertTrue(loaded.has_bins)
            for name in ref.columns:
                self.assertEqual(repr(loaded.bins(name)), repr(ref.bins(name)), name)
            # The loaded reference compares as the original does.
            cur = mlops.Profile.like(loaded).add(self.cur_data)
            report = mlops.DriftMonitor(loaded, correction="none").compare(cur)
            self.assertReportMatches(report, "small defaults, none", "loaded reference")
            with open(path, "r+b") as f:  # damage one byte in the middle
                f.seek(os.path.getsize(path) // 2)
                byte = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([byte[0] ^ 0xFF]))
            with self.assertRaises(mlops.MlopsError) as caught:
                mlops.Profile.load(path)
            self.assertIn(caught.exception.code, (-4, -5))  # EFORMAT / ECORRUPT
            with self.assertRaises(mlops.MlopsError) as caught:
                mlops.Profile.load(os.path.join(tmp, "absent.prof"))
            self.assertEqual(caught.exception.code, -8)
            self.assertIn("absent.prof", str(caught.exception))

    def test_merge_of_halves_equals_whole(self):
        n = self.ref_data.rows
        first = self.ref_data.take_rows(range(n // 2))
        second = self.ref_data.take_rows(range(n // 2, n))
        whole = mlops.Profile().add(self.ref_data)
        merged = mlops.Profile().add(first).merge(mlops.Profile().add(second))
        self.assertEqual(merged.rows, whole.rows)
        for name in whole.columns:
            self.assertEqual(merged.counts(name), whole.counts(name), name)
            self.assertEqual(merged.distinct(name), whole.distinct(name), name)
            if whole.column_type(name) == "numeric":
                a, b = merged.stats(name), whole.stats(name)
                self.assertEqual((a["min"], a["max"]), (b["min"], b["max"]), name)
                self.assertLessEqual(abs(a["mean"] - b["mean"]), 1e-12 * max(1, abs(b["mean"])))
                self.assertLessEqual(abs(a["std"] - b["std"]), 1e-12 * b["std"])
                for q in (0.1, 0.5, 0.75):  # exact quantiles: the same values
                    self.assertEqual(merged.quantile(name, q), whole.quantile(name, q))
            else:
                self.assertEqual(merged.top(name), whole.top(name), name)
        # Bins: halves counted apart on the reference's bins, then merged.
        ref = mlops.Profile().add(self.ref_data).fix_bins()
        half = mlops.Profile.like(ref).add(first).merge(mlops.Profile.like(ref).add(second))
        full = mlops.Profile.like(ref).add(self.ref_data)
        for name, _, _, _, _, _, _, b0, nb in REFERENCE["columns"]:
            counts = [b["count"] for b in half.bins(name)]
            self.assertEqual(counts, [b["count"] for b in full.bins(name)], name)
            self.assertEqual(counts, REFERENCE["bins_ref"][b0:b0 + nb], name)
        with self.assertRaises(mlops.MlopsError) as caught:  # different settings
            mlops.Profile(bins=5).add(first).merge(mlops.Profile().add(second))
        self.assertEqual(caught.exception.code, -1)
        with self.assertRaises(TypeError):
            whole.merge(self.ref_data)

    # ---- comparing -----------------------------------------------------

    def test_statistics_match_scipy(self):
        ref = self.reference()
        cur = mlops.Profile.like(ref).add(self.cur_data)
        by_method = {}
        for column, method, stat, p, threshold, drifted in REFERENCE["values"]:
            by_method.setdefault(method, []).append((column, stat, p, threshold, drifted))
        self.assertGreaterEqual(len(by_method), 8)
        for method, rows in sorted(by_method.items()):
            monitor = mlops.DriftMonitor(ref, correction="none")
            monitor.set_method("skip")
            for column, _, _, _, _ in rows:
                self.assertIs(monitor.set_column(column, method), monitor)
            report = monitor.compare(cur)
            got = {c["name"]: c for c in report.columns}
            self.assertEqual(sorted(got), sorted(r[0] for r in rows), method)
            for column, stat, p, threshold, drifted in rows:
                what = "%s %s" % (column, method)
                self.assertEqual(got[column]["method"], method, what)
                self.assertClose(got[column]["statistic"], stat, what + " statistic")
                self.assertClose(got[column]["p_value"], p, what + " p-value")
                self.assertClose(got[column]["p_adjusted"], p, what + " p (none)")
                self.assertEqual(got[column]["threshold"], threshold, what)
                self.assertEqual(got[column]["drifted"], bool(drifted), what)
            doc = report.to_dict()
            for c in doc["columns"]:  # NaN p-values of distances are null
                if method not in ("ks", "chi2", "z"):
                    self.assertIsNone(c["p_value"], c["name"])
                else:
                    self.assertClose(c["p_value"], got[c["name"]]["p_value"], c["name"])

    def test_default_report(self):
        ref = self.reference()
        cur = mlops.Profile.like(ref).add(self.cur_data)
        report = mlops.DriftMonitor(ref, correction="none").compare(cur)
        self.assertReportMatches(report, "small defaults, none", "correction none")
        report = mlops.DriftMonitor(ref).compare(cur)
        self.assertReportMatches(report, "small defaults, benjamini_hochberg", "default")
        findings = {(f["column"], f["kind"]): f for f in report.findings}
        self.assertEqual(sorted(findings), sorted((c, k) for c, k, _ in REFERENCE["findings"]))
        for column, kind, count in REFERENCE["findings"]:
            self.assertEqual(findings[(column, kind)]["count"], count)
            self.assertIn(column, findings[(column, kind)]["message"])
        window = report.window
        self.assertEqual((window["index"], window["first_row"], window["rows"]), (0, 0, 600))
        self.assertTrue(math.isnan(window["start"]) and math.isnan(window["end"]))
        perf = report.performance
        self.assertIsNone(perf["metric"])
        self.assertTrue(math.isnan(perf["value"]))
        doc = report.to_dict()
        self.assertEqual(doc["severity"], SEVERITY_NAMES[report.severity])
        self.assertEqual(doc["dataset_drift"], report.dataset_drift)
        self.assertIsNone(doc["window"]["start"])
        self.assertEqual(len(doc["findings"]), len(REFERENCE["findings"]))
        self.assertEqual(report.column("cat_binary")["method"], "z")
        with self.assertRaises(KeyError):
            report.column("absent")

    # ---- windows -------------------------------------------------------

    def test_one_window_is_the_default_report(self):
        ref = self.reference()
        seen = []
        monitor = mlops.DriftMonitor(ref, window_rows=600)
        monitor.on_alert(lambda severity, report, message: seen.append((severity, report,
                                                                         message)))
        for start in range(0, 600, 250):  # batches straddling nothing but the end
            monitor.add(self.cur_data.take_rows(range(start, min(start + 250, 600))))
        self.assertEqual([s for s, _, _ in seen], [2])
        severity, doc, message = seen[0]
        self.assertEqual(doc["severity"], "critical")
        self.assertEqual(doc["window"]["rows"], 600)
        self.assertIn("window 0", message)
        windows = monitor.windows
        self.assertEqual(windows, [doc])
        want = REFERENCE["scenarios"]["small defaults, benjamini_hochberg"]
        got = {c["name"]: c for c in doc["columns"]}
        for column, method, stat, p, padj, threshold, drifted in want["results"]:
            self.assertEqual(got[column]["method"], method)
            self.assertClose(got[column]["statistic"], stat, column)
            self.assertClose(got[column]["p_value_adjusted"], padj, column)
            self.assertEqual(got[column]["drifted"], bool(drifted), column)
        self.assertClose(doc["drift_share"], want["share"], "share")

    def test_row_windows_and_alerts(self):
        ref = self.reference()
        severities = []
        monitor = mlops.DriftMonitor(ref, window_rows=150, history=3)
        self.assertIs(monitor.on_alert(lambda s, r, m: severities.append((s, r["window"]))),
                      monitor)
        monitor.add(self.cur_data.take_rows(range(0, 400)))
        monitor.add(self.cur_data.take_rows(range(400, 500)))
        self.assertEqual(monitor.counter("windows_closed"), 3)
        monitor.add(self.cur_data.take_rows(range(500, 600)))
        monitor.flush()  # nothing open: 600 = 4 x 150
        monitor.flush()
        self.assertEqual(monitor.counter("rows_seen"), 600)
        self.assertEqual(monitor.counter("windows_closed"), 4)
        # Each window is the comparison of its own rows with the reference.
        expected = []
        for i in range(4):
            part = mlops.Profile.like(ref).add(self.cur_data.take_rows(range(150 * i,
                                                                          150 * i + 150)))
            expected.append(mlops.DriftMonitor(ref).compare(part).to_dict())
        kept = monitor.windows
        self.assertEqual(len(kept), 3)  # history=3 keeps the newest
        for i, doc in enumerate(kept):
            self.assertEqual(doc["window"]["index"], i + 1)
            self.assertEqual(doc["window"]["first_row"], 150 * (i + 1))
            self.assertEqual(doc["window"]["rows"], 150)
            for got, want in zip(doc["columns"], expected[i + 1]["columns"]):
                self.assertEqual(got, want)
        want_alerts = [(SEVERITY_NAMES_INV[d["severity"]], 150 * i)
                       for i, d in enumerate(expected) if d["severity"] != "none"]
        self.assertEqual([(s, w["first_row"]) for s, w in severities], want_alerts)
        self.assertEqual(sorted(set(s for s, _ in severities)), [1, 2])  # both kinds
        self.assertEqual(monitor.counter("alerts"), len(severities))
        history = monitor.history()
        self.assertEqual(history["windows"], kept)
        self.assertEqual(history["health"]["rows_seen"], 600)
        text = monitor.prometheus()
        self.assertIn("mlops_rows_seen_total 600\n", text)
        self.assertIn("mlops_windows_closed_total 4\n", text)
        self.assertTrue(text.endswith("\n"))
        monitor.on_alert(None)
        monitor.add(self.cur_data.take_rows(range(150)))
        self.assertEqual(len(severities), len(want_alerts))  # removed
        self.assertEqual(monitor.counter("windows_closed"), 5)

    def test_alert_callback_errors(self):
        ref = self.reference()
        monitor = mlops.DriftMonitor(ref, window_rows=200)
        calls = []

        def failing(severity, report, message):
            calls.append(severity)
            raise ZeroDivisionError("from the callback")

        monitor.on_alert(failing)
        with self.assertRaises(ZeroDivisionError):
            monitor.add(self.cur_data)
        self.assertEqual(monitor.counter("windows_closed"), 3)  # the batch went in
        self.assertEqual(len(calls), monitor.counter("alerts"))

        monitor.on_alert(lambda s, r, m: monitor.counter("alerts"))
        with self.assertRaises(RuntimeError):
            monitor.add(self.cur_data)
        self.assertEqual(monitor.counter("rows_seen"), 1200)
        with self.assertRaises(TypeError):
            monitor.on_alert(42)

    def test_model_and_labels(self):
        iris = mlops.Dataset.read_csv(IRIS, {"role.species": "target"})
        chain = mlops.Transform()
        chain.add("standardize", "*")
        model = mlops.Model("logistic_regression", transform=chain, l2=1e-3).fit(iris)
        predicted = model.predict_labels(iris)
        truth = iris.column("species")
        ref = mlops.Profile().add(iris).fix_bins()
        alerts = []
        monitor = mlops.DriftMonitor(ref, window_rows=50, reference_performance=1.0,
                                     performance_drop=0.03, alert_severity=2)
        monitor.set_model(model)
        del model  # kept alive by the monitor
        monitor.set_method("skip")
        monitor.on_alert(lambda s, r, m: alerts.append((s, r["window"]["index"], m)))
        monitor.add(iris)
        self.assertEqual(monitor.counter("predictions"), 150)
        self.assertEqual(alerts, [])
        monitor.add_labels(0, iris, "species")
        self.assertEqual(monitor.counter("labels_received"), 150)
        dropped = []
        for i, doc in enumerate(monitor.windows):
            rows = range(50 * i, 50 * i + 50)
            accuracy = sum(predicted[r] == truth[r] for r in rows) / 50.0
            perf = doc["performance"]
            self.assertEqual(perf["metric"], "accuracy")
            self.assertEqual(perf["labelled_rows"], 50)
            self.assertLessEqual(abs(perf["value"] - accuracy), 1e-15, i)
            self.assertEqual(perf["dropped"], 1.0 - accuracy >= 0.03, i)
            if perf["dropped"]:
                dropped.append(i)
        self.assertTrue(dropped)  # accuracy is k/50: never within 1e-3 of the bound
        self.assertEqual([(s, i) for s, i, _ in alerts], [(2, i) for i in dropped])
        self.assertIn("performance drop", alerts[0][2])
        with self.assertRaises(mlops.MlopsError) as caught:
            monitor.add_labels(0, iris, "specie")
        self.assertEqual(caught.exception.code, -8)
        with self.assertRaises(mlops.MlopsError):
            monitor.add_labels(1000, iris, "species", 5)  # rows not added yet

    # ---- lifetimes and errors ----------------------------------------

    def test_monitor_keeps_its_reference(self):
        def make():
            return mlops.DriftMonitor(mlops.Profile().add(self.ref_data).fix_bins(),
                                      correction="none")
        monitor = make()
        gc.collect()
        cur = mlops.Profile.like(monitor.reference).add(self.cur_data)
        self.assertReportMatches(monitor.compare(cur), "small defaults, none", "kept reference")
        report = monitor.compare(cur)
        monitor.close()
        self.assertEqual(report.severity, 2)  # reports outlive the monitor
        other = mlops.DriftMonitor(self.reference())
        other.reference.close()
        with self.assertRaises(ValueError):
            other.compare(cur)

    def test_errors(self):
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Profile(quantile_sketch=100)
        self.assertEqual(caught.exception.code, -1)
        self.assertIn("unknown profile setting 'quantile_sketch'", str(caught.exception))
        self.assertIn("quantile_sketch_k", str(caught.exception))
        with self.assertRaises(mlops.MlopsError):
            mlops.Profile(bins=0)
        profile = mlops.Profile(bins=10, quality=True).add(self.ref_data)
        with self.assertRaises(mlops.MlopsError) as caught:
            profile.set("bins", 5)  # after data
        self.assertEqual(caught.exception.code, -7)
        with self.assertRaises(mlops.MlopsError) as caught:
            profile.counts("num_shif")
        self.assertEqual(caught.exception.code, -8)
        self.assertIn("'num_shif'", str(caught.exception))
        self.assertIn("did you mean 'num_shift'", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            profile.stats("cat_unseen")
        self.assertEqual(caught.exception.code, -1)
        with self.assertRaises(mlops.MlopsError) as caught:
            profile.quantile("num_shift", 1.5)
        with self.assertRaises(mlops.MlopsError) as caught:
            profile.bins("num_shift")  # bins not fixed
        self.assertEqual(caught.exception.code, -7)
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.DriftMonitor(profile)
        self.assertEqual(caught.exception.code, -7)
        self.assertIn("fixed bins", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Profile.like(profile)
        self.assertEqual(caught.exception.code, -7)
        with self.assertRaises(mlops.MlopsError) as caught:
            profile.add(self.ref_data.select(["num_shift"]))
        self.assertEqual(caught.exception.code, -1)

        ref = profile.fix_bins()
        with self.assertRaises(mlops.MlopsError) as caught:
            ref.fix_bins()
        self.assertEqual(caught.exception.code, -7)
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.DriftMonitor(ref, drift_shar=0.3)
        self.assertEqual(caught.exception.code, -1)
        self.assertIn("unknown drift monitor setting 'drift_shar'", str(caught.exception))
        self.assertIn("did you mean 'drift_share'", str(caught.exception))
        monitor = mlops.DriftMonitor(ref, drift_share=0.25)
        with self.assertRaises(mlops.MlopsError) as caught:
            monitor.set("drift_share", 1.5)
        self.assertIn("drift_share", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            monitor.set_column("num_shif", "ks")
        self.assertEqual(caught.exception.code, -8)
        self.assertIn("did you mean 'num_shift'", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            monitor.set_column("num_shift", "kss")
        self.assertIn("did you mean 'ks'", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            monitor.set_column("cat_unseen", "ks")
        self.assertIn("cat_unseen", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            monitor.set_method("ks", 1.5)
        self.assertIn("threshold", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            monitor.counter("rows_sen")
        self.assertEqual(caught.exception.code, -8)
        self.assertIn("did you mean 'rows_seen'", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            monitor.add(self.cur_data.select(["num_shift"]))
        self.assertIn("num_ties", str(caught.exception))
        self.assertEqual(monitor.counter("rows_rejected"), 600)
        with self.assertRaises(mlops.MlopsError) as caught:  # no fixed bins
            monitor.compare(mlops.Profile().add(self.cur_data))
        with self.assertRaises(TypeError):
            mlops.DriftMonitor(self.ref_data)
        with self.assertRaises(TypeError):
            monitor.compare(self.cur_data)
        monitor.close()
        with self.assertRaises(ValueError):
            monitor.counter("rows_seen")

    def test_columns_built_in_python(self):
        """A dataset built from Python columns (NumPy arrays when NumPy is
        installed) profiles exactly as the CSV it came from."""
        columns = {name: self.ref_data.column(name) for name in self.ref_data.columns}
        if np is not None:
            self.assertIsInstance(columns["num_shift"], np.ndarray)
            self.assertEqual(columns["num_shift"].dtype, np.float64)
        built = mlops.Dataset.from_columns(columns)
        a = mlops.Profile().add(built).fix_bins().to_json()
        b = self.reference().to_json()
        self.assertEqual(a, b)

    @unittest.skipIf(np is None, "NumPy is not installed for this interpreter")
    def test_numpy_batches(self):
        ref = self.reference()
        cur = {name: self.cur_data.column(name) for name in self.cur_data.columns}
        # Non-contiguous and float32 arrays are converted by the binding.
        cur["num_shift"] = np.ascontiguousarray(cur["num_shift"][::-1])[::-1]
        cur["num_ties"] = cur["num_ties"].astype(np.float32)
        monitor = mlops.DriftMonitor(ref, correction="none")
        report = monitor.compare(mlops.Profile.like(ref).add(mlops.Dataset.from_columns(cur)))
        self.assertReportMatches(report, "small defaults, none", "NumPy columns")


SEVERITY_NAMES_INV = {v: k for k, v in SEVERITY_NAMES.items()}


if __name__ == "__main__":
    print("python %s, NumPy %s" % (sys.version.split()[0],
                                    np.__version__ if np is not None else "not installed"))
    unittest.main()
