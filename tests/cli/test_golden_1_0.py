"""The golden files of libmlops 1.0.0 (tests/golden/1.0/, written by
tests/reference/make_golden_1_0.sh with the 1.0.0 tool) must load and give
exactly the results recorded then, with every later library: the model's
card and its predictions for every row of the data (probabilities to the
last bit, as printed), the drift of the later model years against the saved
reference profile, the registry's versions, aliases, retirement and history,
and the audit and decision logs' verification with their last hashes.

Only two things may differ: the version of the running library in a model
card ("library_version"), and the directory the files are read from.

usage: test_golden_1_0.py PATH_TO_MLOPS SOURCE_ROOT
Standard library only.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

MLOPS = ROOT = None
GOLDEN_REL = os.path.join("tests", "golden", "1.0")


def mlops(*args, cwd):
    p = subprocess.run([MLOPS, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, timeout=120, universal_newlines=True)
    if p.returncode != 0:
        raise AssertionError("mlops %s: exit %d\n%s" % (" ".join(args), p.returncode, p.stderr))
    return p.stdout


class Golden(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A copy in the same relative place, so recorded relative paths hold
        # and nothing writes into the source tree (opening a registry takes
        # its lock file).
        cls.tmp = tempfile.mkdtemp(prefix="mlops-golden-")
        shutil.copytree(os.path.join(ROOT, GOLDEN_REL), os.path.join(cls.tmp, GOLDEN_REL))
        data = os.path.join(cls.tmp, "tests", "data", "real")
        os.makedirs(data)
        shutil.copy(os.path.join(ROOT, "tests", "data", "real", "cars.csv"), data)
        cls.g = GOLDEN_REL

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def expected(self, name):
        with open(os.path.join(self.tmp, self.g, "expected", name), encoding="utf-8") as f:
            return f.read()

    def run_json(self, *args):
        return json.loads(mlops(*args, cwd=self.tmp))

    def test_model_card(self):
        got = self.run_json("inspect", os.path.join(self.g, "model.mlops"), "--json")
        want = json.loads(self.expected("model_inspect.json"))
        for doc in (got, want):
            doc.pop("library_version")
        self.assertEqual(got, want)

    def test_predictions_to_the_bit(self):
        got = mlops("predict", "--model", os.path.join(self.g, "model.mlops"), "--data",
                    "tests/data/real/cars.csv", "--id", "Name", "--proba", cwd=self.tmp)
        self.assertEqual(got, self.expected("predictions.csv"))
        self.assertEqual(len(got.splitlines()), 407)

    def test_drift_against_the_saved_profile(self):
        got = mlops("drift", "--reference-profile", os.path.join(self.g, "reference.profile"),
                    "--current", os.path.join(self.g, "late.csv"), "--json", cwd=self.tmp)
        self.assertEqual(got, self.expected("drift.json"))

    def test_registry(self):
        reg = os.path.join(self.g, "registry")
        self.assertEqual(self.run_json("registry", "list", "--registry", reg, "--json"),
                         json.loads(self.expected("registry_list.json")))
        self.assertEqual(self.run_json("registry", "history", "--registry", reg, "--json"),
                         json.loads(self.expected("registry_history.json")))
        out = mlops("registry", "resolve", "--registry", reg, "cars-origin@production", cwd=self.tmp)
        self.assertIn("a5f99c931789dca631517e520e00eb7c8650db0306d98368976f2d147d80a9d3", out)

    def test_logs_verify_with_their_recorded_hashes(self):
        got = self.run_json("audit", "verify", "--registry", os.path.join(self.g, "registry"), "--json")
        self.assertEqual(got, json.loads(self.expected("audit_verify.json")))
        self.assertTrue(got["all_ok"])
        got = self.run_json("audit", "verify", "--log", os.path.join(self.g, "decisions.log"), "--json")
        self.assertEqual(got, json.loads(self.expected("decisions_verify.json")))
        self.assertEqual(got["records"], 20)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().splitlines()[-2])
    MLOPS = os.path.abspath(sys.argv[1])
    ROOT = os.path.abspath(sys.argv[2])
    del sys.argv[1:]
    unittest.main(verbosity=2)
