"""`mlops registry`, `mlops audit verify` and `mlops predict --decision-log`
run as a user runs them, on models trained with `mlops train` from
tests/data/real/iris.csv: versions are the models' payload hashes, aliases
move and resolve, history answers which version an alias named at a given
time, every hash of the audit and decision logs is recomputed here with the
recipe of mlops_audit_verify(3) (json.dumps with sorted keys, hashlib), the
input fingerprints of mlops_decision_fingerprint(3) are recomputed from the
CSV, and edited, removed, swapped or truncated records make `audit verify`
exit 1 naming the first bad line. Standard library only.

usage: test_cli_registry.py PATH_TO_MLOPS
"""
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

MLOPS = None
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
IRIS = os.path.join(ROOT, "tests", "data", "real", "iris.csv")


def run(*args, env=None):
    p = subprocess.run([MLOPS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, env=env)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def check_log(path):
    """The auditor's recipe of mlops_audit_verify(3); returns the records."""
    records, prev = [], "0" * 64
    with open(path, encoding="utf-8", newline="\n") as f:
        for n, line in enumerate(f, 1):
            rec = json.loads(line)
            h = rec.pop("hash")
            text = json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            assert rec["seq"] == n and rec["prev"] == prev, (path, n)
            assert hashlib.sha256(text.encode("utf-8")).hexdigest() == h, (path, n)
            assert line == text[:-1] + ',"hash":"' + h + '"}\n', (path, n)
            rec["hash"] = h
            records.append(rec)
            prev = h
    return records


def shortest(v):
    for p in (15, 16, 17):
        s = "%.*g" % (p, v)
        if float(s) == v:
            return s
    raise AssertionError(v)


def iris_fingerprints():
    """mlops_decision_fingerprint(3) of every iris row, for a model of the
    four measurements."""
    inputs = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    out = []
    with open(IRIS, newline="") as f:
        for row in csv.DictReader(f):
            enc = [[name, "numeric", shortest(float(row[name]))] for name in inputs]
            text = json.dumps(enc, separators=(",", ":"), ensure_ascii=False)
            out.append(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return out


class Registry(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mlops-cli-registry-")
        cls.models, cls.hashes = [], []
        for i, l2 in enumerate(["0.0001", "0.5", "2"]):
            path = os.path.join(cls.dir, "m%d.mlops" % i)
            code, out, err = run("train", "--data", IRIS, "--target", "species", "--model",
                                 "logistic_regression", "--set", "l2=" + l2, "--out", path,
                                 "--json")
            assert code == 0, err
            cls.models.append(path)
            cls.hashes.append(json.loads(out)["payload_sha256"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def setUp(self):
        self.reg = tempfile.mkdtemp(prefix="reg-", dir=self.dir)
        os.rmdir(self.reg)  # `register` creates it
        self.log = os.path.join(self.reg, "audit.log")

    def ok(self, *args, code=0, env=None):
        got, out, err = run(*args, env=env)
        self.assertEqual(got, code, "mlops %s: exit %d, stderr %r" % (" ".join(args), got, err))
        return out, err

    def fails(self, code, *args):
        got, out, err = run(*args)
        self.assertEqual(got, code, "mlops %s: exit %d, stderr %r" % (" ".join(args), got, err))
        self.assertTrue(err.startswith("mlops: "), err)
        return err

    def register(self, i, *extra):
        out, _ = self.ok("registry", "register", "--registry", self.reg, "--name", "iris",
                         "--model", self.models[i], "--json", *extra)
        return json.loads(out)

    def test_register_alias_resolve_retire(self):
        env = dict(os.environ, MLOPS_ACTOR="release-bot")
        out, _ = self.ok("registry", "register", "--registry", self.reg, "--name", "iris",
                         "--model", self.models[0], "--reason", "first model", "--alias",
                         "staging", "--json", env=env)
        first = json.loads(out)
        self.assertEqual(first["version"], self.hashes[0])
        self.assertTrue(first["registered"])
        self.assertEqual(first["alias"], "staging")
        with open(first["path"], "rb") as a, open(self.models[0], "rb") as b:
            self.assertEqual(a.read(), b.read())
        again = self.register(0)
        self.assertFalse(again["registered"])
        self.assertEqual(again["version"], self.hashes[0])
        self.register(1)
        # promote what staging holds, then a prefix of the second
        out, _ = self.ok("registry", "alias", "--registry", self.reg, "--name", "iris",
                         "--alias", "production", "--version", "staging", "--reason",
                         "approved", "--json")
        self.assertEqual(json.loads(out), {"name": "iris", "alias": "production",
                                           "version": self.hashes[0], "previous": None})
        out, _ = self.ok("registry", "alias", "--registry", self.reg, "--name", "iris",
                         "--alias", "production", "--version", self.hashes[1][:10].upper())
        self.assertIn("iris@production -> " + self.hashes[1], out)
        self.assertIn("(was " + self.hashes[0] + ")", out)
        out, _ = self.ok("registry", "resolve", "--registry", self.reg, "iris@production",
                         "--json")
        self.assertEqual(json.loads(out)["version"], self.hashes[1])
        out, _ = self.ok("registry", "list", "--registry", self.reg, "--json")
        listing = json.loads(out)
        self.assertEqual(listing["records"], 5)
        model = listing["models"][0]
        self.assertEqual(model["name"], "iris")
        self.assertEqual(model["latest"], self.hashes[1])
        self.assertEqual(model["aliases"], {"production": self.hashes[1],
                                            "staging": self.hashes[0]})
        self.assertEqual([v["version"] for v in model["versions"]], self.hashes[:2])
        self.assertEqual(model["versions"][0]["actor"], "release-bot")
        self.assertEqual(model["versions"][0]["reason"], "first model")
        out, _ = self.ok("registry", "list", "--registry", self.reg)
        self.assertIn(self.hashes[1][:12], out)
        self.assertIn("[production]", out)

        out, _ = self.ok("registry", "retire", "--registry", self.reg, "--name", "iris",
                         "--version", "production", "--reason", "bias found")
        self.assertIn("retired iris version " + self.hashes[1], out)
        err = self.fails(3, "registry", "resolve", "--registry", self.reg, "iris@production")
        self.assertIn("retired", err)
        out, _ = self.ok("registry", "resolve", "--registry", self.reg, "iris", "--json")
        self.assertEqual(json.loads(out)["version"], self.hashes[0])
        err = self.fails(3, "registry", "alias", "--registry", self.reg, "--name", "iris",
                         "--alias", "production", "--version", self.hashes[1])
        self.assertIn("retired", err)

        records = check_log(self.log)
        self.assertEqual([r["action"] for r in records],
                         ["register", "alias", "register", "alias", "alias", "retire"])
        self.assertEqual(records[-1]["details"]["aliases_removed"], ["production"])
        self.assertEqual(records[-1]["reason"], "bias found")
        self.assertEqual(records[4]["details"]["previous"], self.hashes[0])
        out, _ = self.ok("audit", "verify", "--registry", self.reg)
        self.assertIn("verified", out)
        self.assertIn("6 records", out)

    def test_history_at_a_time(self):
        self.register(0)
        self.register(1)
        for i in (0, 1):
            self.ok("registry", "alias", "--registry", self.reg, "--name", "iris", "--alias",
                    "production", "--version", self.hashes[i])
        out, _ = self.ok("registry", "history", "--registry", self.reg, "--name", "iris",
                         "--json")
        history = json.loads(out)["records"]
        self.assertEqual(history, check_log(self.log))
        t_first, t_second = history[2]["time"], history[3]["time"]

        def at(t):
            return self.ok("registry", "history", "--registry", self.reg, "--name", "iris",
                           "--alias", "production", "--at", t, "--json")[0]
        self.assertEqual(json.loads(at(t_first))["version"], self.hashes[0])
        self.assertEqual(json.loads(at(t_second))["version"], self.hashes[1])
        err = self.fails(3, "registry", "history", "--registry", self.reg, "--name", "iris",
                         "--alias", "production", "--at", "2001-01-01")
        self.assertIn("first set at " + t_first, err)
        err = self.fails(2, "registry", "history", "--registry", self.reg, "--name", "iris",
                         "--alias", "production", "--at", "last tuesday")
        self.assertIn("YYYY-MM-DD", err)
        out, _ = self.ok("registry", "history", "--registry", self.reg)
        self.assertEqual(len(out.strip().splitlines()), 4)
        self.assertIn("(was " + self.hashes[0][:12] + ")", out)

    def test_tampering_is_found(self):
        self.register(0)
        self.register(1)
        self.ok("registry", "alias", "--registry", self.reg, "--name", "iris", "--alias",
                "production", "--version", self.hashes[0], "--reason", "release 1")
        self.ok("registry", "alias", "--registry", self.reg, "--name", "iris", "--alias",
                "production", "--version", self.hashes[1], "--reason", "release 2")
        with open(self.log, "rb") as f:
            original = f.read()
        lines = original.splitlines(keepends=True)
        self.assertEqual(len(lines), 4)

        def expect(data, line, *also):
            with open(self.log, "wb") as f:
                f.write(data)
            for target in (["--registry", self.reg], ["--log", self.log]):
                got, out, err = run("audit", "verify", *target)
                self.assertEqual(got, 1, (target, out, err))
                self.assertIn("audit.log:%d: " % line, err)
                for text in also:
                    self.assertIn(text, err)
            got, out, _ = run("audit", "verify", "--registry", self.reg, "--json")
            report = json.loads(out)
            self.assertFalse(report["ok"])
            self.assertEqual(report["first_bad"]["line"], line)

        expect(original.replace(b"release 1", b"release 9"), 3, "hash mismatch")
        expect(b"".join(lines[1:]), 1, "seq is 2, expected 1")
        expect(b"".join(lines[:1] + lines[2:]), 2, "a record was removed")
        expect(b"".join(lines[:3]), 4, "record 4 is missing")
        expect(b"".join([lines[0], lines[2], lines[1], lines[3]]), 2)
        with open(self.log, "wb") as f:
            f.write(original)
        self.ok("audit", "verify", "--registry", self.reg)
        # a changed model file
        path = json.loads(self.ok("registry", "resolve", "--registry", self.reg, "iris",
                                  "--json")[0])["path"]
        with open(path, "r+b") as f:
            f.seek(-1, 2)
            last = f.read(1)
            f.seek(-1, 2)
            f.write(bytes([last[0] ^ 1]))
        got, out, err = run("audit", "verify", "--registry", self.reg, "--json")
        self.assertEqual(got, 1, err)
        self.assertIn("changed after it was registered", err)
        bad = [m for m in json.loads(out)["models"] if not m["ok"]]
        self.assertEqual([m["path"] for m in bad], [path])

    def test_predict_records_decisions(self):
        self.register(0, "--alias", "production")
        decisions = os.path.join(self.dir, "decisions-%s.log" % os.path.basename(self.reg))
        out, _ = self.ok("predict", "--registry", self.reg, "--model", "iris@production",
                         "--data", IRIS, "--decision-log", decisions)
        predictions = out.splitlines()[1:]
        self.assertEqual(len(predictions), 150)
        # the same file without the registry gives the same predictions
        plain, _ = self.ok("predict", "--model", self.models[0], "--data", IRIS,
                           "--decision-log", decisions)
        self.assertEqual(plain.splitlines()[1:], predictions)
        records = check_log(decisions)
        self.assertEqual(len(records), 300)
        fingerprints = iris_fingerprints()
        for i, rec in enumerate(records):
            row = i % 150
            self.assertEqual(rec["action"], "decision")
            self.assertEqual(rec["object"], "iris@production" if i < 150 else self.models[0])
            self.assertEqual(rec["details"], {"input_sha256": fingerprints[row],
                                              "model_version": self.hashes[0],
                                              "output": predictions[row], "row": row})
        out, _ = self.ok("audit", "verify", "--log", decisions)
        self.assertIn("300 records", out)
        # a torn last record: verified with a note, cut when the log is next used
        with open(decisions, "ab") as f:
            f.write(b'{"action":"decision","ac')
        out, _ = self.ok("audit", "verify", "--log", decisions, "--json")
        self.assertEqual(len(json.loads(out)["notes"]), 1)
        self.ok("predict", "--model", self.models[0], "--data", IRIS, "--decision-log",
                decisions, "--out", os.devnull)
        self.assertEqual(len(check_log(decisions)), 450)
        # a model that does not resolve: nothing printed, nothing recorded
        err = self.fails(3, "predict", "--registry", self.reg, "--model", "iris@canary",
                         "--data", IRIS, "--decision-log", decisions)
        self.assertIn("canary", err)
        self.assertEqual(len(check_log(decisions)), 450)

    def test_usage_and_failures(self):
        out, _ = self.ok("registry", "--help")
        self.assertIn("mlops registry register", out)
        out, _ = self.ok("audit", "--help")
        self.assertIn("mlops audit verify", out)
        out, _ = self.ok("registry", "alias", "--help")
        self.assertIn("usage:", out)
        self.fails(2, "registry")
        self.fails(2, "registry", "promote", "--registry", self.reg)
        self.fails(2, "registry", "list")
        err = self.fails(2, "registry", "list", "--registry", self.reg, "--alias", "x")
        self.assertIn("does not apply", err)
        self.fails(2, "registry", "alias", "--registry", self.reg, "--name", "iris")
        self.fails(2, "audit", "verify")
        self.fails(2, "audit", "verify", "--registry", self.reg, "--log", self.log)
        self.fails(2, "audit", "check")
        err = self.fails(3, "registry", "list", "--registry", self.reg)
        self.assertIn("does not exist", err)
        err = self.fails(3, "audit", "verify", "--registry", self.reg)
        self.assertIn("not a registry", err)
        err = self.fails(2, "registry", "register", "--registry", self.reg, "--name", "../x",
                         "--model", self.models[0])
        self.assertIn("model name", err)
        err = self.fails(3, "registry", "register", "--registry", self.reg, "--name", "iris",
                         "--model", IRIS)
        self.assertIn("iris.csv", err)
        self.register(0)
        err = self.fails(3, "registry", "resolve", "--registry", self.reg, "irs")
        self.assertIn("did you mean 'iris'", err)
        out, _ = self.ok("registry", "list", "--registry", self.reg)
        self.assertTrue(out.startswith("iris\n"), out)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    MLOPS = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
