"""`mlops validate`, `mlops run` and `mlops verify` run as a user runs them:
every example pipeline validates; a file with five different mistakes
reports all five with line:column; hostile YAML (a "billion laughs" file,
deep nesting, an oversized file) is refused fast and in bounded memory; two
runs of the quick start give the same model payload hash and the same file
hashes in their lock files; `mlops verify` passes on a run and fails,
naming the file, after any byte of any output changed; a failing gate exits
1 and leaves the registry's alias where it was; and the exit-code contract
(0 success, 1 a check failed, 2 usage or configuration error, 3 failure).
Standard library only.

usage: test_cli_pipeline.py PATH_TO_MLOPS [SOURCE_ROOT]
"""
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

MLOPS = None
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
EXAMPLES = os.path.join(ROOT, "examples", "pipelines")
QUICKSTART = os.path.join(EXAMPLES, "quickstart.yaml")

# Acceptance limits for hostile YAML (issue 7, acceptance 1).
HOSTILE_SECONDS = 1.0
HOSTILE_MAX_RSS_MB = 50.0


def run(*args):
    p = subprocess.run([MLOPS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


# Runs a command in a fresh Python process and reports the command's wall
# time and peak resident memory: RUSAGE_CHILDREN of that process covers the
# command alone.
MEASURE = r"""
import json, resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
seconds = time.monotonic() - t
rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": p.returncode, "seconds": seconds, "max_rss_kb": rss_kb,
                  "stderr": p.stderr.decode("utf-8", "replace")}))
"""


def measure(*args):
    out = subprocess.run([sys.executable, "-c", MEASURE, MLOPS, *args],
                         stdout=subprocess.PIPE, check=True).stdout
    return json.loads(out)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()




class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mlops-pipeline-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def write(self, name, text):
        path = self.path(name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def ok(self, *args, code=0):
        got, out, err = run(*args)
        self.assertEqual(got, code, "mlops %s: exit %d, stderr %r" % (" ".join(args), got, err))
        return out, err


class Validate(Base):
    def test_every_example_pipeline_is_valid(self):
        files = sorted(glob.glob(os.path.join(EXAMPLES, "*.yaml")))
        self.assertGreaterEqual(len(files), 4)
        for f in files:
            out, err = self.ok("validate", f)
            self.assertEqual(out, "%s: valid\n" % f)
            self.assertEqual(err, "")
            doc = json.loads(self.ok("validate", f, "--json")[0])
            self.assertIs(doc["valid"], True, f)
            self.assertEqual(doc["problems"], [], f)
            config = doc["config"]
            self.assertEqual(config["version"], 1, f)
            # relative paths are taken from the pipeline file's directory
            self.assertTrue(os.path.isabs(config["data"]["path"]), f)
            self.assertTrue(os.path.exists(config["data"]["path"]), f)

    def test_overrides_are_applied_and_checked(self):
        doc = json.loads(self.ok("validate", QUICKSTART, "--set", "model.settings.l2=0.5",
                                 "--set", "data.split.test_size=0.3", "--json")[0])
        self.assertEqual(float(doc["config"]["model"]["settings"]["l2"]), 0.5)
        self.assertEqual(doc["config"]["data"]["split"]["test_size"], 0.3)
        code, out, err = run("validate", QUICKSTART, "--set", "model.settings.l3=0.5")
        self.assertEqual(code, 2, err)
        self.assertEqual(out, "")
        lines = err.splitlines()
        self.assertRegex(lines[0], r"^--set:1:\d+: model\.settings\.l3: ")
        self.assertIn("l2", lines[0])
        self.assertEqual(lines[-1], "mlops: validate: %s: 1 problem" % QUICKSTART)
        code, out, err = run("validate", QUICKSTART, "--set", "data.split.test_size=big")
        self.assertEqual(code, 2, err)
        self.assertRegex(err, r"--set:1:\d+: data\.split\.test_size: ")

    FIVE_MISTAKES = """\
version: 1
description: five different mistakes
data:
  path: no_such_file.csv
  target: Origin
  split:
    test_size: quarter
model:
  kind: logistic_regression
evaluate:
  bootstap: 200
  gates:
    - accuracy >>= 0.7
"""

    def test_five_mistakes_are_reported_at_once(self):
        f = self.write("five.yaml", self.FIVE_MISTAKES)
        code, out, err = run("validate", f)
        self.assertEqual(code, 2, err)
        self.assertEqual(out, "")
        lines = err.splitlines()
        self.assertEqual(lines[-1], "mlops: validate: %s: 5 problems" % f)
        problems = lines[:-1]
        self.assertEqual(len(problems), 5, err)
        located = {}
        for p in problems:
            m = re.match(r"^(.*):(\d+):(\d+): ([\w.\[\]]*): (.+)$", p)
            self.assertIsNotNone(m, "not FILE:LINE:COLUMN: KEY: message: %r" % p)
            self.assertEqual(m.group(1), f)
            self.assertGreater(int(m.group(3)), 0)
            located[m.group(4)] = (int(m.group(2)), m.group(5))
        # the typo'd key, with the nearest valid key suggested
        self.assertIn("evaluate.bootstap", located, err)
        self.assertEqual(located["evaluate.bootstap"][0], 11)
        self.assertIn("bootstrap", located["evaluate.bootstap"][1])
        # the wrong type, saying what was expected
        self.assertEqual(located["data.split.test_size"][0], 7)
        self.assertIn("number", located["data.split.test_size"][1])
        # the missing data file
        self.assertEqual(located["data.path"][0], 4)
        self.assertIn("no_such_file.csv", located["data.path"][1])
        # the bad gate expression
        gate = [k for k in located if k.startswith("evaluate.gates")]
        self.assertEqual(len(gate), 1, err)
        self.assertEqual(located[gate[0]][0], 13)
        # the missing required key
        self.assertTrue(any("name" in k or "'name'" in v for k, (_, v) in located.items()),
                        err)

        doc = json.loads(self.ok("validate", f, "--json", code=2)[0])
        self.assertIs(doc["valid"], False)
        self.assertNotIn("config", doc)
        self.assertEqual(len(doc["problems"]), 5)
        for p in doc["problems"]:
            for key in ("file", "line", "column", "key", "message", "suggestion"):
                self.assertIn(key, p)
        typo = [p for p in doc["problems"] if p["key"] == "evaluate.bootstap"][0]
        self.assertEqual(typo["suggestion"], "bootstrap")
        self.assertEqual(typo["line"], 11)

        # run refuses the same file the same way, before anything runs
        code, out, err2 = run("run", f, "--output", self.path("never"))
        self.assertEqual(code, 2)
        self.assertEqual(err2.splitlines()[:-1], problems)
        self.assertFalse(os.path.exists(self.path("never")))

    def assertRefusedFast(self, f, what):
        got = measure("validate", f)
        self.assertEqual(got["code"], 2, got["stderr"])
        self.assertRegex(got["stderr"], re.escape(f) + r":\d+:\d+: ", what)
        self.assertLess(got["seconds"], HOSTILE_SECONDS,
                        "%s took %.3f s" % (what, got["seconds"]))
        self.assertLess(got["max_rss_kb"] / 1024.0, HOSTILE_MAX_RSS_MB,
                        "%s peaked at %.1f MB" % (what, got["max_rss_kb"] / 1024.0))
        return got

    def test_billion_laughs_is_refused_fast_in_bounded_memory(self):
        lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        for i in range(1, 10):
            lines.append("lol%d: &l%d [%s]" % (i, i, ", ".join(["*l%d" % (i - 1)] * 9)))
        f = self.write("laughs.yaml", "\n".join(lines) + "\n")
        got = self.assertRefusedFast(f, "billion laughs")
        print("\nbillion laughs: exit %d in %.3f s, peak RSS %.1f MB" %
              (got["code"], got["seconds"], got["max_rss_kb"] / 1024.0), file=sys.stderr)

    def test_deep_nesting_is_refused(self):
        f = self.write("deep.yaml", "a: " + "[" * 100 + "]" * 100 + "\n")
        self.assertRefusedFast(f, "nesting depth 100")

    def test_oversized_file_is_refused(self):
        f = self.path("big.yaml")
        with open(f, "w") as out:
            out.write("version: 1\n")
            line = "# " + "x" * 1021 + "\n"
            for _ in range(4 * 1024 + 1):
                out.write(line)
        code, _, err = run("validate", f)
        self.assertEqual(code, 2, err)
        self.assertIn(f, err)

    def test_syntax_error_has_line_and_column(self):
        f = self.write("syntax.yaml", "version: 1\nname: [unclosed\n")
        code, out, err = run("validate", f)
        self.assertEqual(code, 2, err)
        self.assertRegex(err, re.escape(f) + r":\d+:\d+: ")
        doc = json.loads(self.ok("validate", f, "--json", code=2)[0])
        self.assertIs(doc["valid"], False)
        self.assertEqual(len(doc["problems"]), 1)
        self.assertIsInstance(doc["problems"][0]["line"], int)

    def test_usage_errors(self):
        for args in (["validate"], ["validate", QUICKSTART, "--bogus"],
                     ["validate", QUICKSTART, "extra"], ["validate", QUICKSTART, "--set"],
                     ["validate", QUICKSTART, "--set", "no_equals_sign"],
                     ["validate", QUICKSTART, "--json=yes"],
                     ["run"], ["run", QUICKSTART, "--output"], ["run", QUICKSTART, "--bogus"],
                     ["verify"], ["verify", self.dir, "extra"], ["verify", "--bogus"]):
            code, out, err = run(*args)
            self.assertEqual(code, 2, "%s: exit %d, %r" % (args, code, err))
            self.assertEqual(out, "", args)
            self.assertTrue(err.startswith("mlops: "), (args, err))
        for cmd in ("validate", "run", "verify"):
            out, _ = self.ok(cmd, "--help")
            self.assertTrue(out.startswith("usage: mlops " + cmd), out)

    def test_missing_file_is_a_failure(self):
        code, out, err = run("validate", self.path("absent.yaml"))
        self.assertEqual(code, 3, err)
        self.assertIn("absent.yaml", err)


class Runs(Base):
    """Runs of the quick start, sharing one registry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = os.path.join(cls.dir, "registry")
        cls.runs = {}
        for name in ("first", "second"):
            out_dir = os.path.join(cls.dir, name)
            p = subprocess.run([MLOPS, "run", QUICKSTART, "--output", out_dir,
                                "--set", "registry.path=" + cls.registry, "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            cls.runs[name] = (p.returncode, p.stdout.decode(), p.stderr.decode(), out_dir)

    def summary(self, name):
        code, out, err, _ = self.runs[name]
        self.assertEqual(code, 0, "run %s: exit %d, stderr %r" % (name, code, err))
        return json.loads(out)

    def lock(self, name):
        with open(os.path.join(self.runs[name][3], "mlops.lock")) as f:
            return json.load(f)

    def test_summary(self):
        s = self.summary("first")
        self.assertIs(s["passed"], True)
        self.assertEqual(os.path.realpath(s["run_dir"]),
                         os.path.realpath(self.runs["first"][3]))
        self.assertEqual(s["model"]["kind"], "logistic_regression")
        self.assertRegex(s["model"]["payload_sha256"], "^[0-9a-f]{64}$")
        self.assertIn("accuracy", s["metrics"])
        self.assertEqual([g["expression"] for g in s["gates"]],
                         ["accuracy >= 0.7", "noise_0.1.flip_rate <= 0.1"])
        self.assertTrue(all(g["passed"] for g in s["gates"]))
        self.assertIs(s["data_validation"]["passed"], True)
        self.assertIsNone(s["drift"])
        self.assertEqual(s["registry"]["alias"], "production")
        self.assertEqual(s["lock_sha256"],
                         sha256(os.path.join(self.runs["first"][3], "mlops.lock")))

    def test_text_summary(self):
        out_dir = self.path("text")
        out, err = self.ok("run", QUICKSTART, "--output", out_dir,
                           "--set", "registry.path=" + self.path("text-registry"))
        self.assertEqual(err, "")  # not a terminal: no progress
        self.assertTrue(out.startswith("run cars-origin: passed\n"), out)
        for word in ("run dir", "payload sha256", "accuracy", "PASS  accuracy >= 0.7",
                     "PASS  noise_0.1.flip_rate <= 0.1", "production"):
            self.assertIn(word, out)

    def test_two_runs_are_identical(self):
        a, b = self.summary("first"), self.summary("second")
        self.assertEqual(a["model"]["payload_sha256"], b["model"]["payload_sha256"])
        la, lb = self.lock("first"), self.lock("second")
        outputs_a = {o["path"]: o["sha256"] for o in la["outputs"]}
        outputs_b = {o["path"]: o["sha256"] for o in lb["outputs"]}
        self.assertEqual(outputs_a, outputs_b)
        for name in ("model.mlops", "model_card.json", "data_profile.json",
                     "data_validation.json", "evaluation.json", "reference.profile",
                     "config.json"):
            self.assertIn(name, outputs_a)
        self.assertEqual([(i["role"], i["sha256"]) for i in la["inputs"]],
                         [(i["role"], i["sha256"]) for i in lb["inputs"]])
        # the lock's hashes are the files' hashes
        for name, digest in outputs_a.items():
            self.assertEqual(sha256(os.path.join(self.runs["first"][3], name)), digest, name)

    def test_verify_passes(self):
        run_dir = self.runs["first"][3]
        self.summary("first")
        out, err = self.ok("verify", run_dir)
        doc = json.loads(self.ok("verify", run_dir, "--json")[0])
        self.assertIs(doc["ok"], True)
        self.assertEqual(out, "%s: verified, %d files\n" % (run_dir, len(doc["files"])))
        lock = self.lock("first")
        checked = {f["path"] for f in doc["files"]}
        for o in lock["outputs"]:
            self.assertIn(o["path"], checked)
        for i in lock["inputs"]:
            self.assertIn(i["path"], checked)
        self.assertTrue(all(f["ok"] for f in doc["files"]))

    def test_verify_fails_after_any_byte_of_any_output_changed(self):
        self.summary("first")
        source = self.runs["first"][3]
        # hidden files (the run's claim marker) are not outputs
        names = sorted(n for n in os.listdir(source) if not n.startswith("."))
        self.assertIn("mlops.lock", names)
        for name in names:
            size = os.path.getsize(os.path.join(source, name))
            for offset in sorted({0, size // 2, size - 1}):
                copy = self.path("tampered")
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(source, copy)
                with open(os.path.join(copy, name), "r+b") as f:
                    f.seek(offset)
                    byte = f.read(1)
                    f.seek(offset)
                    f.write(bytes([byte[0] ^ 0x01]))
                code, out, err = run("verify", copy)
                what = "%s byte %d" % (name, offset)
                self.assertEqual(code, 1, "%s: exit %d, %r %r" % (what, code, out, err))
                self.assertEqual(out, "%s: verification FAILED: %s\n" % (copy, name), what)
                self.assertTrue(out.startswith(copy + ": verification FAILED"), out)

    def test_verify_fails_when_a_file_is_missing(self):
        self.summary("first")
        copy = self.path("missing-file")
        shutil.copytree(self.runs["first"][3], copy)
        os.remove(os.path.join(copy, "evaluation.json"))
        code, out, err = run("verify", copy)
        self.assertEqual(code, 1, err)
        self.assertIn("evaluation.json", out + err)

    def test_verify_without_a_lock_is_a_failure(self):
        empty = self.path("not-a-run")
        os.makedirs(empty, exist_ok=True)
        code, _, err = run("verify", empty)
        self.assertEqual(code, 3, err)

    def test_relative_output_is_taken_from_the_current_directory(self):
        p = subprocess.run([MLOPS, "run", QUICKSTART, "--output", "relative-run",
                            "--set", "registry.path=" + self.registry],
                           cwd=self.dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.exists(self.path("relative-run", "mlops.lock")))
        self.assertFalse(os.path.exists(os.path.join(EXAMPLES, "relative-run")))
        p = subprocess.run([MLOPS, "verify", "relative-run"], cwd=self.dir,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout.decode(), r"^relative-run: verified, \d+ files\n$")

    def test_a_broken_data_rule_exits_1(self):
        out_dir = self.path("bad-data")
        code, out, err = run("run", QUICKSTART, "--output", out_dir,
                             "--set", "registry.path=" + self.path("bad-data-registry"),
                             "--set", "data.columns.Cylinders.max=6", "--json")
        self.assertEqual(code, 1, err)
        s = json.loads(out)
        self.assertIs(s["passed"], False)
        self.assertIs(s["data_validation"]["passed"], False)
        self.assertGreater(s["data_validation"]["violations"], 0)
        self.assertIs(s["registry"]["registered"], False)
        self.assertTrue(os.path.exists(os.path.join(out_dir, "data_validation.json")))
        self.ok("verify", out_dir)
        # with data.on_invalid: warn the run goes on
        code, out, err = run("run", QUICKSTART, "--output", self.path("warned-data"),
                             "--set", "registry.path=" + self.path("bad-data-registry"),
                             "--set", "data.columns.Cylinders.max=6",
                             "--set", "data.on_invalid=warn", "--json")
        self.assertEqual(code, 0, err)
        self.assertIs(json.loads(out)["passed"], True)

    def test_run_into_a_non_empty_directory_is_a_failure(self):
        self.summary("first")
        code, out, err = run("run", QUICKSTART, "--output", self.runs["first"][3],
                             "--set", "registry.path=" + self.registry)
        self.assertEqual(code, 3, err)
        self.assertTrue(err.startswith("mlops: "), err)

    def test_failing_gate_exits_1_and_keeps_the_alias(self):
        first = self.summary("first")
        version = first["registry"]["version"]
        out_dir = self.path("gated")
        code, out, err = run("run", QUICKSTART, "--output", out_dir,
                             "--set", "registry.path=" + self.registry,
                             "--set", "evaluate.gates=[accuracy >= 0.999]",
                             "--set", "model.settings.l2=0.5", "--json")
        self.assertEqual(code, 1, err)
        s = json.loads(out)
        self.assertIs(s["passed"], False)
        self.assertEqual(len(s["gates"]), 1)
        self.assertIs(s["gates"][0]["passed"], False)
        self.assertIs(s["registry"]["registered"], False)
        self.assertNotEqual(s["model"]["payload_sha256"], first["model"]["payload_sha256"])
        # the attempt is on record and verifiable
        self.ok("verify", out_dir)
        with open(os.path.join(out_dir, "mlops.lock")) as f:
            self.assertIs(json.load(f)["result"]["passed"], False)
        # production still names the version of the passing run, and the
        # audit log (its format is in registry.h) records the refused attempt
        with open(os.path.join(self.registry, "audit.log")) as f:
            records = [json.loads(line) for line in f if line.strip()]
        moves = [r for r in records if r["action"] == "alias"
                 and r["details"]["alias"] == "production"]
        self.assertEqual(moves[-1]["details"]["version"], version)
        refusals = [r for r in records if r["action"] == "refuse"]
        self.assertTrue(any(r["details"]["version"] == s["model"]["payload_sha256"]
                            for r in refusals), refusals)
        self.assertFalse(any(r["action"] == "register" and
                             r["details"]["version"] == s["model"]["payload_sha256"]
                             for r in records))
        # the text form says FAILED and which gate
        code, out, err = run("run", QUICKSTART, "--output", self.path("gated-text"),
                             "--set", "registry.path=" + self.registry,
                             "--set", "evaluate.gates=[accuracy >= 0.999]")
        self.assertEqual(code, 1, err)
        self.assertIn("FAILED", out)
        self.assertIn("FAIL  accuracy >= 0.999", out)
        self.assertIn("not registered", out)


class ExamplePipelines(Base):
    def test_every_example_runs(self):
        for f in sorted(glob.glob(os.path.join(EXAMPLES, "*.yaml"))):
            name = os.path.splitext(os.path.basename(f))[0]
            out_dir = self.path(name)
            out, err = self.ok("run", f, "--output", out_dir,
                               "--set", "registry.path=" + self.path(name + "-registry"),
                               "--json")
            s = json.loads(out)
            self.assertIs(s["passed"], True, f)
            self.ok("verify", out_dir)
            if name == "drift":
                self.assertIsNotNone(s["drift"])
                self.assertIs(s["drift"]["dataset_drift"], True)
                self.assertTrue(os.path.exists(os.path.join(out_dir, "drift.json")))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    MLOPS = os.path.abspath(sys.argv.pop(1))
    if len(sys.argv) > 1 and os.path.isdir(sys.argv[1]):
        ROOT = os.path.abspath(sys.argv.pop(1))
        EXAMPLES = os.path.join(ROOT, "examples", "pipelines")
        QUICKSTART = os.path.join(EXAMPLES, "quickstart.yaml")
    unittest.main(verbosity=2)
