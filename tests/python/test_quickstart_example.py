"""examples/python/quickstart.py, the quick start pipeline step by step in
Python, against the mlops command-line tool: the model the example fits must
have the payload hash of the model `mlops run examples/pipelines/quickstart.yaml`
writes, and its test accuracy must be the run's.

usage: python3 tests/python/test_quickstart_example.py [PATH/TO/mlops]
Run by meson with MLOPS_LIBRARY pointing at the freshly built library, under
the python3 on PATH and under /usr/bin/python3, with the mlops tool's path as
argument; without one it takes $MLOPS_CLI or the tool of the library's build
tree, and skips the comparisons with the tool when there is none."""
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BINDING = os.path.join(ROOT, "bindings", "python")
EXAMPLE = os.path.join(ROOT, "examples", "python", "quickstart.py")
PIPELINE = os.path.join(ROOT, "examples", "pipelines", "quickstart.yaml")
sys.path.insert(0, BINDING)
import mlops  # noqa: E402

CLI = None


def find_cli():
    """The mlops tool: the argument, $MLOPS_CLI, else the one of the build
    tree $MLOPS_LIBRARY belongs to (BUILD/lib/libmlops.so ->
    BUILD/examples/mlops), else build/examples/mlops when $MLOPS_LIBRARY is
    unset: never a tool built against another library."""
    candidates = [sys.argv[1] if len(sys.argv) > 1 else None, os.environ.get("MLOPS_CLI")]
    library = os.environ.get("MLOPS_LIBRARY")
    if library:
        build = os.path.dirname(os.path.dirname(os.path.abspath(library)))
        candidates.append(os.path.join(build, "examples", "mlops"))
    else:
        candidates.append(os.path.join(ROOT, "build", "examples", "mlops"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    return None


def run_example(*args):
    """(exit status, stdout, stderr) of the example under this interpreter,
    the binding on its path and MLOPS_LIBRARY passed on."""
    env = dict(os.environ)
    env["PYTHONPATH"] = BINDING + os.pathsep + env.get("PYTHONPATH", "")
    r = subprocess.run([sys.executable, EXAMPLE] + list(args), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    return r.returncode, r.stdout, r.stderr


def field(stdout, prefix):
    """The first word after `prefix` on the line that starts with it."""
    for line in stdout.splitlines():
        if line.startswith(prefix):
            return line[len(prefix):].split()[0]
    raise AssertionError("no line starting with %r in:\n%s" % (prefix, stdout))


@unittest.skipUnless(mlops.have_pipeline(), "the loaded libmlops has no pipeline API")
class QuickstartExample(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="mlops-quickstart-test-")
        cls.tmp = cls._tmp.name
        cls.cli_summary = None
        if CLI is not None:
            run_dir = os.path.join(cls.tmp, "cli-run")
            r = subprocess.run([CLI, "run", PIPELINE, "--output", run_dir, "--json",
                                "--set", "registry.path=" + os.path.join(cls.tmp, "registry")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=300)
            if r.returncode != 0:
                raise AssertionError("mlops run failed (%d): %s" % (r.returncode, r.stderr))
            cls.cli_summary = json.loads(r.stdout)
            cls.cli_run = run_dir

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def need_cli(self):
        if self.cli_summary is None:
            self.skipTest("no mlops tool found (pass its path as the first argument)")

    def test_same_payload_hash_as_the_cli(self):
        self.need_cli()
        cli_hash = self.cli_summary["model"]["payload_sha256"]
        self.assertRegex(cli_hash, "^[0-9a-f]{64}$")
        rc, out, err = run_example("--run-dir", self.cli_run)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(field(out, "payload sha256 "), cli_hash)
        self.assertEqual(field(out, "pipeline "), cli_hash)
        self.assertIn("same model as the pipeline's", out)

    def test_same_test_accuracy_as_the_cli(self):
        self.need_cli()
        rc, out, err = run_example("--run-dir", self.cli_run)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(float(field(out, "test accuracy ")),
                         round(self.cli_summary["metrics"]["accuracy"], 6))
        rows = self.cli_summary["rows"]
        self.assertIn("split: %d train, %d test rows" % (rows["train"], rows["test"]), out)

    def test_example_runs_the_pipeline_itself(self):
        rc, out, err = run_example()
        self.assertEqual(rc, 0, out + err)
        ours = field(out, "payload sha256 ")
        self.assertEqual(field(out, "pipeline "), ours)
        if self.cli_summary is not None:
            self.assertEqual(ours, self.cli_summary["model"]["payload_sha256"])

    def test_in_process_frees_everything(self):
        sys.path.insert(0, os.path.dirname(EXAMPLE))
        try:
            import quickstart
        finally:
            sys.path.pop(0)
        before = mlops.live_allocations()
        with contextlib.redirect_stdout(io.StringIO()) as said:
            model, accuracy = quickstart.fit_step_by_step()
        self.assertIn("read %s: 406 rows x 9 columns" % quickstart.DATA, said.getvalue())
        digest = model.payload_hash()
        model.close()
        self.assertEqual(mlops.live_allocations(), before)
        self.assertRegex(digest, "^[0-9a-f]{64}$")
        if self.cli_summary is not None:
            self.assertEqual(digest, self.cli_summary["model"]["payload_sha256"])
            self.assertAlmostEqual(accuracy, self.cli_summary["metrics"]["accuracy"], places=12)

    def test_a_different_model_is_reported(self):
        # A run with another l2 has another payload: the example says so and fails.
        self.need_cli()
        run_dir = os.path.join(self.tmp, "cli-run-l2")
        r = subprocess.run([CLI, "run", PIPELINE, "--output", run_dir, "--json",
                            "--set", "registry.path=" + os.path.join(self.tmp, "registry-l2"),
                            "--set", "model.settings.l2=0.5"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=300)
        self.assertIn(r.returncode, (0, 1), r.stderr)  # 1: a gate may fail; the model is written
        rc, out, err = run_example("--run-dir", run_dir)
        self.assertEqual(rc, 1, out)
        self.assertIn("the payload hashes differ", err)
        self.assertNotEqual(field(out, "payload sha256 "), field(out, "pipeline "))


if __name__ == "__main__":
    CLI = find_cli()
    unittest.main(argv=sys.argv[:1])
