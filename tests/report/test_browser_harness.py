"""The headless-browser harness (browser.py) against small hand-written pages
whose console output, exceptions, requests and SVG counts are known: if the
harness missed an error or a request here, a clean result on a report would
mean nothing. Also checks that screenshots have the viewport's size, that a
page that never loads times out instead of hanging, and that the browser
and its helper processes are gone after the `with` block.

Skips (exit status 77) when no Chromium is installed.
Standard library only.

usage: test_browser_harness.py
"""
import os
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402

CLEAN = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Clean page</title>
<style>body { font-family: sans-serif; } .bar { fill: #0072b2; }</style></head>
<body>
<h1>Model evaluation</h1>
<p>Accuracy 0.912 (95% CI 0.880 to 0.940)</p>
<svg role="img" aria-label="Accuracy bar chart" width="300" height="60" viewBox="0 0 300 60">
  <title>Accuracy</title><desc>One bar reaching 0.912 of the axis</desc>
  <rect class="bar" x="0" y="10" width="273.6" height="40"/>
</svg>
<svg role="img" aria-label="Two categories" width="100" height="60">
  <title>Categories</title><desc>Category a: 3, category b: 5</desc>
  <rect x="0" y="30" width="40" height="30"/><rect x="50" y="10" width="40" height="50"/>
</svg>
<svg width="20" height="20"><title>Decoration</title><circle cx="10" cy="10" r="8"/></svg>
<svg role="img" aria-label="  " width="20" height="20"><title>t</title><desc>d</desc></svg>
<table><thead><tr><th>metric</th><th>value</th></tr></thead>
<tbody><tr><td>accuracy</td><td>0.912</td></tr></tbody></table>
</body></html>
"""

ERRORS = """<!DOCTYPE html>
<html><head><title>Errors</title></head><body>
<p>Some text</p>
<script>console.error("boom", 42); console.warn("careful"); console.log("fine");</script>
<script>
  null.foo();
</script>
</body></html>
"""

REQUEST = """<!DOCTYPE html>
<html><head><title>Request</title></head><body>
<p>An image from elsewhere</p>
<img src="http://example.invalid/x.png" alt="remote">
</body></html>
"""

CSS_AND_DATA = """<!DOCTYPE html>
<html><head><title>CSS</title>
<style>body { background: url("http://example.invalid/bg.png"); }</style></head><body>
<p style="height: 2500px">A tall page</p>
<img alt="inline" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==">
</body></html>
"""

DIALOG = """<!DOCTYPE html>
<html><body><p>Dialogs</p>
<script>alert("hello"); console.log("confirmed: " + confirm("sure?"));</script>
</body></html>
"""

SPIN = """<!DOCTYPE html>
<html><body><p>Never loads</p><script>while (true) {}</script></body></html>
"""


def live_members(pgid):
    """Processes of process group pgid that are still running (not zombies)."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        # Fields after the command name, which is in parentheses.
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry))
    return alive


class HarnessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="browser-harness-")
        cls.pages = {}
        for name, html in (("clean", CLEAN), ("errors", ERRORS), ("request", REQUEST),
                           ("css", CSS_AND_DATA), ("dialog", DIALOG), ("spin", SPIN)):
            path = os.path.join(cls.dir, name + ".html")
            with open(path, "w", encoding="utf-8") as f:
                f.write(html)
            cls.pages[name] = path
        cls.browser = browser.Browser(width=1280, height=900, timeout=30)
        cls.browser.start()

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_version(self):
        self.assertRegex(self.browser.version["product"], r"^(Headless)?Chrome/\d+\.")

    def test_clean_page(self):
        shot = os.path.join(self.dir, "clean.png")
        t = time.monotonic()
        r = self.browser.open(self.pages["clean"], screenshot=shot)
        seconds = time.monotonic() - t
        print("clean page: opened in %.0f ms (load %.1f ms, first contentful paint %s ms)"
              % (seconds * 1000, r["load_ms"], r["fcp_ms"]))
        self.assertEqual(r["console"], [])
        self.assertEqual(r["exceptions"], [])
        self.assertEqual(r["errors"], [])
        self.assertEqual(r["requests"], [])
        self.assertEqual(r["dialogs"], [])
        self.assertEqual(r["bytes"], len(CLEAN.encode("utf-8")))
        self.assertTrue(r["url"].startswith("file:///") and r["url"].endswith("clean.html"))
        dom = r["dom"]
        self.assertEqual(dom["title"], "Clean page")
        self.assertEqual(dom["lang"], "en")
        self.assertEqual(dom["svg_count"], 4)
        # The decoration has no role, label or desc; the last svg's label is blank.
        self.assertEqual(dom["svg_accessible_count"], 2)
        first = dom["svgs"][0]
        self.assertEqual(first["role"], "img")
        self.assertEqual(first["aria_label"], "Accuracy bar chart")
        self.assertEqual(first["title"], "Accuracy")
        self.assertEqual(first["desc"], "One bar reaching 0.912 of the axis")
        self.assertEqual((first["width"], first["height"]), (300, 60))
        self.assertEqual(first["elements"], 3)
        self.assertEqual(dom["svgs"][2]["role"], "")
        self.assertTrue(dom["svgs"][2]["has_title"])
        self.assertFalse(dom["svgs"][2]["has_desc"])
        self.assertEqual(dom["svgs"][3]["aria_label"], "")
        self.assertEqual(dom["script_count"], 0)
        self.assertEqual(dom["table_count"], 1)
        self.assertIn("Accuracy 0.912 (95% CI 0.880 to 0.940)", dom["text"])
        self.assertIn("accuracy\t0.912", dom["text"])
        self.assertGreater(r["load_ms"], 0)
        self.assertLess(r["load_ms"], 10000)
        self.assertIsNotNone(r["fcp_ms"])
        self.assertGreater(r["fcp_ms"], 0)
        self.assertEqual(browser.png_size(shot), (1280, 900))
        self.assertEqual(r["screenshot"], shot)

    def test_console_error_and_exception(self):
        r = self.browser.open(self.pages["errors"])
        levels = [(c["level"], c["text"]) for c in r["console"]]
        self.assertEqual(levels, [("error", "boom 42"), ("warning", "careful"), ("log", "fine")])
        self.assertEqual(len(r["exceptions"]), 1)
        x = r["exceptions"][0]
        self.assertIn("TypeError", x["description"])
        self.assertEqual(x["line"], 5)    # 0-based: `null.foo();` is on line 6
        self.assertEqual(len(r["errors"]), 2)
        self.assertEqual(r["errors"][0], "console.error: boom 42")
        self.assertTrue(r["errors"][1].startswith("uncaught TypeError"), r["errors"][1])
        self.assertEqual(r["requests"], [])
        self.assertEqual(r["dom"]["script_count"], 2)
        self.assertEqual(r["dom"]["svg_count"], 0)

    def test_network_request(self):
        r = self.browser.open(self.pages["request"])
        self.assertEqual([(q["url"], q["type"], q["scheme"]) for q in r["requests"]],
                         [("http://example.invalid/x.png", "Image", "http")])
        # The failed load is also reported as an error by the browser.
        self.assertTrue(any("ERR_NAME_NOT_RESOLVED" in e for e in r["errors"]), r["errors"])
        self.assertEqual(r["dom"]["img_count"], 1)

    def test_css_and_data_requests_and_full_page(self):
        shot = os.path.join(self.dir, "css.png")
        r = self.browser.open(self.pages["css"], screenshot=shot, full_page=True)
        urls = sorted(q["url"] for q in r["requests"])
        self.assertEqual(len(urls), 2, urls)
        self.assertTrue(urls[0].startswith("data:image/png;base64,"))
        self.assertEqual(urls[1], "http://example.invalid/bg.png")
        width, height = browser.png_size(shot)
        self.assertEqual(width, 1280)
        self.assertGreater(height, 2500)
        self.assertEqual(r["dom"]["scroll_width"], 1280)

    def test_evaluate(self):
        r = self.browser.open(self.pages["clean"], evaluate={
            "rects": "document.querySelectorAll('svg rect').length",
            "cell": "document.querySelector('td + td').textContent",
            "viewport": "[innerWidth, innerHeight]"})
        self.assertEqual(r["eval"], {"rects": 3, "cell": "0.912", "viewport": [1280, 900]})
        r = self.browser.open(self.pages["clean"], evaluate="document.querySelector('h1').textContent")
        self.assertEqual(r["eval"], "Model evaluation")
        with self.assertRaisesRegex(browser.BrowserError, "ReferenceError"):
            self.browser.open(self.pages["clean"], evaluate="no_such_name + 1")

    def test_dialogs_are_dismissed(self):
        r = self.browser.open(self.pages["dialog"])
        self.assertEqual(r["dialogs"], [{"type": "alert", "message": "hello"},
                                        {"type": "confirm", "message": "sure?"}])
        self.assertEqual([c["text"] for c in r["console"]], ["confirmed: false"])

    def test_missing_file(self):
        with self.assertRaisesRegex(browser.BrowserError, "no such file"):
            self.browser.open(os.path.join(self.dir, "absent.html"))

    def test_screenshot_other_viewport(self):
        shot = os.path.join(self.dir, "small.png")
        with browser.Browser(width=640, height=480) as b:
            r = b.open(self.pages["clean"], screenshot=shot, evaluate="[innerWidth, innerHeight]")
        self.assertEqual(r["eval"], [640, 480])
        self.assertEqual(browser.png_size(shot), (640, 480))


class FailureTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="browser-harness-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_page_that_never_loads_times_out(self):
        spin = os.path.join(self.dir, "spin.html")
        with open(spin, "w") as f:
            f.write(SPIN)
        clean = os.path.join(self.dir, "clean.html")
        with open(clean, "w") as f:
            f.write(CLEAN)
        with browser.Browser(timeout=3) as b:
            t = time.monotonic()
            with self.assertRaisesRegex(browser.BrowserTimeout, "spin.html: no Page.loadEventFired"):
                b.open(spin)
            self.assertLess(time.monotonic() - t, 20)
            # The browser survives the stuck tab.
            self.assertEqual(b.open(clean)["errors"], [])

    def test_no_processes_left(self):
        with browser.Browser() as b:
            pid = b._proc.pid
            self.assertIn(pid, live_members(pid))
        deadline = time.monotonic() + 10
        while live_members(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(live_members(pid), [])

    def test_missing_browser(self):
        with self.assertRaisesRegex(browser.BrowserError, "not an executable file"):
            browser.Browser(chromium=os.path.join(self.dir, "chromium")).start()
        saved = os.environ.get("CHROMIUM")
        os.environ["CHROMIUM"] = "no-such-browser-here"
        try:
            self.assertIsNone(browser.find_chromium())
            with self.assertRaisesRegex(browser.BrowserError, "chromium not found"):
                browser.Browser().start()
        finally:
            if saved is None:
                del os.environ["CHROMIUM"]
            else:
                os.environ["CHROMIUM"] = saved

    def test_browser_that_exits(self):
        with self.assertRaisesRegex(browser.BrowserError, "exited with status 1"):
            browser.Browser(chromium=shutil.which("false"), timeout=5).start()

    def test_browser_killed_mid_run(self):
        clean = os.path.join(self.dir, "clean.html")
        with open(clean, "w") as f:
            f.write(CLEAN)
        with browser.Browser(timeout=10) as b:
            os.kill(b._proc.pid, 9)
            with self.assertRaisesRegex(browser.BrowserError, "exited with status -9|closed its pipe"):
                b.open(clean)

    def test_png_size_rejects_other_files(self):
        path = os.path.join(self.dir, "x.png")
        with open(path, "wb") as f:
            f.write(b"GIF89a" + bytes(30))
        with self.assertRaisesRegex(ValueError, "not a PNG"):
            browser.png_size(path)


if __name__ == "__main__":
    if browser.find_chromium() is None:
        print("SKIP: chromium not found (apt-get install chromium)")
        sys.exit(77)
    unittest.main(verbosity=2)
