"""Every HTML report opened in headless Chromium, as a reader would open it.

Runs the quick start and the drift example pipelines, writes their reports
with `mlops report RUN_DIR`, writes a standalone drift report with
`mlops drift ... --html`, and opens each page in Chromium. Every report must
render with no console error and no uncaught exception, fetch nothing (no
request of any kind, data: URLs included), hold no <script>, and draw at
least one chart, every chart an <svg role="img"> with a non-empty
aria-label and non-empty <title> and <desc>. Then report_specific_checks()
looks for the numbers each report must show.

A 1280x900 screenshot (and a full-page one) of every report is saved to
$MLOPS_ARTIFACT_DIR, or else BUILD_DIR/report-screenshots, and the paths
are printed: look at them.

Skips (exit status 77) when no Chromium is installed.
Standard library only.

usage: test_reports.py PATH_TO_MLOPS SOURCE_ROOT [BUILD_DIR]
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402

MLOPS = None
ROOT = None
STANDALONE_DRIFT = None  # `mlops drift --json` of the standalone report
ARTIFACTS = None

# The reports `mlops report` writes into a run directory.
RUN_REPORTS = ("evaluation.html", "drift.html", "data.html", "model_card.html")
# Runs: name -> (pipeline, extra arguments of `mlops run`, reports expected).
# The quick start has no monitoring window, so no drift.html is required of it.
# "{tmp}" in an argument stands for the test's temporary directory.
RUNS = {
    "quickstart": ("examples/pipelines/quickstart.yaml", ["--set", "registry.path={tmp}/registry"],
                   ("evaluation.html", "data.html", "model_card.html")),
    "drift": ("examples/pipelines/drift.yaml", [], RUN_REPORTS),
    "regression": ("examples/pipelines/regression.yaml", [],
                   ("evaluation.html", "data.html", "model_card.html")),
    "multiclass": ("examples/pipelines/multiclass.yaml", [],
                   ("evaluation.html", "data.html", "model_card.html")),
}


def run(*args):
    p = subprocess.run([MLOPS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, timeout=240)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def must(*args):
    code, out, err = run(*args)
    if code != 0:
        raise AssertionError("mlops %s: exit status %d\n%s%s" % (" ".join(args), code, out, err))
    return out


def split_cars(directory):
    """Writes the cars data split by model year (before 1978 / from 1978 on)
    as the reference and current files of a standalone drift report."""
    src = os.path.join(ROOT, "tests", "data", "real", "cars.csv")
    with open(src, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    year = header.index("Year")
    ref = os.path.join(directory, "cars_before_1978.csv")
    cur = os.path.join(directory, "cars_from_1978.csv")
    for path, keep in ((ref, lambda r: r[year][:4] < "1978"), (cur, lambda r: r[year][:4] >= "1978")):
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(r for r in body if keep(r))
    return ref, cur


# ---------------------------------------------------------------------------
# Per-report checks: the numbers each report must show. To be filled in with
# the renderer; `info` is what browser.Browser.open() returned (info["dom"]
# ["text"] is the page's visible text, info["dom"]["svgs"] the charts with
# their labels, info["eval"] the values of EVALUATE below), `run_dir` the
# run directory holding the JSON the report was made from (None for the
# standalone drift report). Raise AssertionError (or use the `t` assertions)
# on a mismatch.
# ---------------------------------------------------------------------------

# Extra DOM queries evaluated in every report: name -> JavaScript expression
# (its value must be JSON-serializable). Available as info["eval"][name].
EVALUATE = {
    "tables": "Array.from(document.querySelectorAll('table')).map(t => "
              "({caption: t.caption ? t.caption.textContent.trim() : '', "
              "rows: t.rows.length, headers: t.querySelectorAll('th').length}))",
    "headings": "Array.from(document.querySelectorAll('h1, h2, h3')).map(h => h.textContent.trim())",
    # the row headers of the drift page's table of columns, in page order
    "severity_rows": "Array.from(document.querySelectorAll('section')).filter(s => "
                     "s.querySelector('h2') && s.querySelector('h2').textContent.trim() == "
                     "'Columns by severity').flatMap(s => Array.from(s.querySelectorAll('tbody th'))"
                     ".map(th => th.textContent.trim()))",
    # the data page's table of columns: name -> its cells
    "column_rows": "Object.fromEntries(Array.from(document.querySelectorAll('table')).filter(t => "
                   "t.querySelector('thead') && t.querySelector('thead').textContent.includes('Distinct'))"
                   ".flatMap(t => Array.from(t.querySelectorAll('tbody tr'))).map(r => "
                   "[r.cells[0].textContent.trim(), Array.from(r.cells).map(c => c.textContent.trim())]))",
}


def load_json(run_dir, name):
    """A JSON file of the run directory, the numbers a report must show."""
    with open(os.path.join(run_dir, name), encoding="utf-8") as f:
        return json.load(f)


def report_specific_checks(name, info, run_dir, t):
    """name: 'quickstart/evaluation.html', 'drift/drift.html', ...,
    'standalone/drift.html'; t: the unittest.TestCase, for its assertions."""
    base = os.path.basename(name)
    text = info["dom"]["text"]
    labels = [s["aria_label"] for s in info["dom"]["svgs"]]
    t.assertTrue(text.strip(), "%s: the page shows no text" % name)
    if base == "evaluation.html":
        ev = load_json(run_dir, "evaluation.json")
        verdict = "PASSED" if ev["passed"] else "FAILED"
        t.assertIn(verdict, text)
        for g in ev["gates"]:
            t.assertIn(g["expression"], text)
        headline = "accuracy" if ev["task"] == "classification" else "mean_absolute_error"
        t.assertIn("%.4g" % ev["metrics"][headline], text)
        ci = ev.get("intervals", {}).get(headline)
        if ci:
            t.assertIn("[%.4g, %.4g]" % (ci["ci_low"], ci["ci_high"]), text)
        if ev["task"] == "classification":
            cm = ev["confusion_matrix"]
            trace = sum(cm[i][i] for i in range(len(cm)))
            total = sum(sum(r) for r in cm)
            t.assertIn("Confusion matrix: %d of %d rows on the diagonal (correct)" % (trace, total),
                       labels)
            for label in ("ROC curve", "Precision-recall curve", "Calibration"):
                t.assertIn(label, labels)
        for column in ev["groups"]:
            t.assertIn(column, info["eval"]["headings"])
    elif base == "drift.html":
        doc = load_json(run_dir, "drift.json") if run_dir else STANDALONE_DRIFT
        if doc["dataset_drift"]:
            t.assertIn("DATA SET DRIFT", text)
        elif doc["severity"] != "none":
            t.assertIn("WARNING", text)
        else:
            t.assertIn("NO DRIFT", text)
        t.assertIn("%d of %d columns drifted" % (doc["drifted_columns"], doc["compared_columns"]), text)
        rows = info["eval"]["severity_rows"]
        drifted = {c["name"] for c in doc["columns"] if c["drifted"]}
        t.assertEqual(sorted(rows), sorted(c["name"] for c in doc["columns"]))
        t.assertEqual(set(rows[:len(drifted)]), drifted, "drifted columns come first")
        charts = [l for l in labels if "reference and current distributions" in l]
        t.assertEqual(len(charts), len(doc["columns"]))
    elif base == "data.html":
        prof = load_json(run_dir, "data_profile.json")
        valid = load_json(run_dir, "data_validation.json")
        t.assertIn("PASSED" if valid["passed"] else "FAILED", text)
        t.assertIn(str(prof["rows"]), text)
        cells = info["eval"]["column_rows"]
        for c in prof["columns"]:
            t.assertIn(c["name"], cells, "column %s not in the table" % c["name"])
            t.assertEqual(cells[c["name"]][1:4], [c["type"], str(c["count"]), str(c["missing"])])
    elif base == "model_card.html":
        card = load_json(run_dir, "model_card.json")
        details = card["model_details"]
        t.assertIn(details["payload_sha256"], text)
        t.assertIn(details["name"], info["eval"]["headings"][0])
        if details.get("owner"):
            t.assertIn(details["owner"], text)
        if card["intended_use"].get("intended_use"):
            t.assertIn(card["intended_use"]["intended_use"], text)


# ---------------------------------------------------------------------------


class ReportsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mlops-reports-")
        cls.pages = {}      # name -> (html path, run dir or None)
        cls.missing = []    # expected reports not written
        for run_name, (pipeline, extra, expected) in RUNS.items():
            run_dir = os.path.join(cls.tmp, run_name)
            must("run", os.path.join(ROOT, pipeline), "--output", run_dir,
                 *[a.replace("{tmp}", cls.tmp) for a in extra])
            must("report", run_dir)
            written = sorted(f for f in os.listdir(run_dir) if f.endswith(".html"))
            cls.pages.update({"%s/%s" % (run_name, f): (os.path.join(run_dir, f), run_dir)
                              for f in written})
            cls.missing += ["%s/%s" % (run_name, f) for f in expected if f not in written]
        ref, cur = split_cars(cls.tmp)
        standalone = os.path.join(cls.tmp, "standalone-drift.html")
        global STANDALONE_DRIFT
        STANDALONE_DRIFT = json.loads(must("drift", "--reference", ref, "--current", cur,
                                           "--html", standalone, "--json"))
        cls.pages["standalone/drift.html"] = (standalone, None)

        cls.infos = {}
        os.makedirs(ARTIFACTS, exist_ok=True)
        with browser.Browser(width=1280, height=900, timeout=60) as b:
            print("browser: %s" % b.version.get("product"))
            for name, (path, _) in sorted(cls.pages.items()):
                stem = name.replace("/", "-")[:-len(".html")]
                shot = os.path.join(ARTIFACTS, stem + ".png")
                info = b.open(path, screenshot=shot, evaluate=EVALUATE)
                full = os.path.join(ARTIFACTS, stem + "-full.png")
                b.open(path, screenshot=full, full_page=True)
                cls.infos[name] = info
                print("%-28s %8d bytes  load %6.1f ms  first paint %s ms  %d svg  -> %s, %s"
                      % (name, info["bytes"], info["load_ms"],
                         "%.0f" % info["fcp_ms"] if info["fcp_ms"] is not None else "-",
                         info["dom"]["svg_count"], shot, full))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_every_report_written(self):
        self.assertEqual(self.missing, [], "reports not written")

    def test_renders_cleanly(self):
        for name, info in sorted(self.infos.items()):
            with self.subTest(report=name):
                self.assertEqual(info["errors"], [], "console errors or exceptions")
                self.assertEqual(info["exceptions"], [])
                self.assertEqual(info["dialogs"], [])
                for c in info["console"]:
                    print("%s: console %s: %s" % (name, c["level"], c["text"]))

    def test_self_contained(self):
        for name, info in sorted(self.infos.items()):
            with self.subTest(report=name):
                self.assertEqual(info["requests"], [], "the report fetched something")
                self.assertEqual(info["dom"]["script_count"], 0, "the report holds <script>")
                self.assertEqual(info["dom"]["link_count"], 0, "the report holds <link>")

    def test_charts_accessible(self):
        for name, info in sorted(self.infos.items()):
            with self.subTest(report=name):
                dom = info["dom"]
                self.assertGreaterEqual(dom["svg_count"], 1, "no chart")
                for s in dom["svgs"]:
                    where = "%s: svg #%d%s" % (name, s["index"], " (id %s)" % s["id"] if s["id"] else "")
                    self.assertEqual(s["role"], "img", where + ': no role="img"')
                    self.assertNotEqual(s["aria_label"], "", where + ": no aria-label")
                    self.assertNotEqual(s["title"], "", where + ": no <title>")
                    self.assertNotEqual(s["desc"], "", where + ": no <desc>")
                self.assertEqual(dom["svg_accessible_count"], dom["svg_count"])

    def test_screenshots(self):
        for name, info in sorted(self.infos.items()):
            with self.subTest(report=name):
                self.assertEqual(browser.png_size(info["screenshot"]), (1280, 900))

    def test_report_specific(self):
        for name, info in sorted(self.infos.items()):
            with self.subTest(report=name):
                report_specific_checks(name, info, self.pages[name][1], self)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    MLOPS = os.path.abspath(sys.argv[1])
    ROOT = os.path.abspath(sys.argv[2])
    build_dir = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else os.getcwd()
    ARTIFACTS = os.environ.get("MLOPS_ARTIFACT_DIR") or os.path.join(build_dir, "report-screenshots")
    del sys.argv[1:]
    if browser.find_chromium() is None:
        print("SKIP: chromium not found (apt-get install chromium)")
        sys.exit(77)
    unittest.main(verbosity=2)
