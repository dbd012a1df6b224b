"""mlops.Pipeline, mlops.verify_run, mlops.Registry and mlops.DecisionLog
through the ctypes binding against the freshly built shared library; run by
meson with MLOPS_LIBRARY pointing at it, under the python3 on PATH and under
/usr/bin/python3 (standard library only in both).

Every run writes into a temporary directory, its registry included
(override registry.path=TMP/registry). Independent checks use only the
standard library: hashlib for the lock's checksum, the audit-chain
recomputation registry.h documents, the csv module for the decision input
fingerprints mlops_decision_fingerprint(3) specifies (as
tests/reference/make_decision_reference.py does), and cars.csv rows
counted by hand for the run's row numbers."""
import csv
import datetime
import gc
import hashlib
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
import mlops  # noqa: E402

DATA = os.path.join(ROOT, "tests", "data")
FIVE_MISTAKES = os.path.join(DATA, "pipeline", "five_mistakes.yaml")
RUN_CARS = os.path.join(DATA, "pipeline", "run_cars.yaml")
CARS = os.path.join(DATA, "real", "cars.csv")
CARS_ROLES = {"role.Origin": "target", "role.Name": "id", "role.Year": "ignore"}
STEPS = ["read data", "check data", "split", "train", "evaluate", "monitor", "report", "register"]
EINVAL, ECORRUPT, ESTATE, ENOTFOUND, EGATE, ECANCELED = -1, -5, -7, -8, -9, -10


def flip_byte(path, offset=None):
    """Inverts one byte (the middle one by default) in place."""
    if offset is None:
        offset = os.path.getsize(path) // 2
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0xFF]))


def check_chain(test, log_path):
    """The auditor's recomputation of a log's hash chain, as registry.h
    gives it; returns the records."""
    records, prev = [], "0" * 64
    with open(log_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            rec = json.loads(line)
            h = rec.pop("hash")
            text = json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            test.assertEqual(rec["seq"], n)
            test.assertEqual(rec["prev"], prev)
            test.assertEqual(hashlib.sha256(text.encode()).hexdigest(), h)
            test.assertEqual(line, text[:-1] + ',"hash":"' + h + '"}\n')
            rec["hash"] = prev = h
            records.append(rec)
    return records


def shortest(v):
    for p in (15, 16, 17):
        s = "%.*g" % (p, v)
        if float(s) == v:
            return s
    raise AssertionError(v)


def csv_fingerprints(inputs, rows):
    """The input fingerprints of data rows `rows` of cars.csv, read with the
    csv module (an empty field is missing; a column is numeric when every
    present field parses with float())."""
    with open(CARS, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    header, body = table[0], table[1:]
    types = {}
    for j, name in enumerate(header):
        try:
            for r in body:
                if r[j] != "":
                    float(r[j])
            types[name] = "numeric"
        except ValueError:
            types[name] = "categorical"
    out = []
    for i in rows:
        enc = []
        for name in inputs:
            text = body[i][header.index(name)]
            value = (None if text == "" else
                     shortest(float(text)) if types[name] == "numeric" else text)
            enc.append([name, types[name], value])
        data = json.dumps(enc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        out.append(hashlib.sha256(data).hexdigest())
    return out


@unittest.skipUnless(mlops.have_pipeline() and mlops.have_registry(),
                     "the loaded libmlops has no pipeline/registry API")
class PipelineBinding(unittest.TestCase):
    """Every test also checks that the library holds no more memory after
    it than before."""

    def setUp(self):
        gc.collect()
        self.live_before = mlops.live_allocations()
        self._tmp = tempfile.TemporaryDirectory(prefix="mlops-pipeline-binding-")
        self.tmp = self._tmp.name
        self.registry_dir = os.path.join(self.tmp, "registry")

    def tearDown(self):
        self._tmp.cleanup()
        gc.collect()
        self.assertEqual(mlops.live_allocations(), self.live_before,
                         "library allocations leaked by %s" % self.id())

    def cars(self, *overrides):
        """run_cars.yaml with its registry in the temporary directory."""
        return mlops.Pipeline(RUN_CARS, ("registry.path=" + self.registry_dir,) + overrides)

    def run_cars(self, name="run", *overrides):
        run_dir = os.path.join(self.tmp, name)
        with self.cars(*overrides) as p:
            return run_dir, p.run(run_dir)

    # ---- validation ----------------------------------------------------

    def test_five_mistakes(self):
        p = mlops.Pipeline.load(FIVE_MISTAKES)
        problems = p.validate()
        data_dir = os.path.realpath(os.path.dirname(FIVE_MISTAKES))
        self.assertEqual(problems, [
            "%s:6:9: data.path: file '%s/no_such_file.csv' does not exist"
            % (FIVE_MISTAKES, data_dir),
            "%s:8:3: data.splt: unknown key 'splt' (did you mean 'split'?)" % FIVE_MISTAKES,
            "%s:11:3: model.kind: missing required key 'kind'" % FIVE_MISTAKES,
            "%s:14:14: evaluate.bootstrap: expected an integer, got the string 'many'"
            % FIVE_MISTAKES,
            "%s:16:7: evaluate.gates[0]: gate 'accuracy >> 0.8': '>>' at position 10 is not a "
            "comparison (use >=, <=, >, <, == or !=)" % FIVE_MISTAKES])
        self.assertEqual(p.problems, problems)
        doc = p.problems_json()
        self.assertEqual([(d["line"], d["column"], d["key"]) for d in doc],
                         [(6, 9, "data.path"), (8, 3, "data.splt"), (11, 3, "model.kind"),
                          (14, 14, "evaluate.bootstrap"), (16, 7, "evaluate.gates[0]")])
        self.assertEqual(doc[1], {"file": FIVE_MISTAKES, "line": 8, "column": 3,
                                  "key": "data.splt", "message": "unknown key 'splt'",
                                  "suggestion": "split"})
        self.assertIsNone(doc[2]["suggestion"])
        with self.assertRaises(mlops.MlopsError) as caught:  # not validated cleanly
            p.config()
        self.assertEqual(caught.exception.code, ESTATE)
        with self.assertRaises(mlops.MlopsError) as caught:  # run refuses, listing them
            p.run(os.path.join(self.tmp, "never"))
        self.assertEqual(caught.exception.code, EINVAL)
        self.assertEqual(caught.exception.problems, problems)
        self.assertIn("5 problems", str(caught.exception))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "never")))
        # Fixing mistakes with overrides leaves the others; an override's own
        # problem is reported at --set:N.
        p.override("model.kind=logistic_regression").override("evaluate.bootstrap=100")
        p.override("evaluate.gates=[accuracy >= 0.8]")
        p.override("evaluate.metricz=[accuracy]")
        problems = p.validate()
        self.assertEqual(problems[:2], p.problems[:2])
        self.assertEqual([x.split(": ")[:2] for x in problems],
                         [[FIVE_MISTAKES + ":6:9", "data.path"],
                          [FIVE_MISTAKES + ":8:3", "data.splt"],
                          ["--set:4:10", "evaluate.metricz"]])
        self.assertIn("did you mean 'metrics'", problems[2])
        p.close()
        with self.assertRaises(ValueError):
            p.validate()

    def test_load_and_override_errors(self):
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Pipeline(os.path.join(self.tmp, "absent.yaml"))
        self.assertEqual(caught.exception.code, ENOTFOUND)
        self.assertIn("absent.yaml", str(caught.exception))
        bad = os.path.join(self.tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("version: 1\nname: a\nname: b\n")
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Pipeline(bad)
        self.assertEqual(caught.exception.code, -4)  # EFORMAT
        self.assertIn("bad.yaml:3:1: duplicate key 'name'", str(caught.exception))
        p = self.cars()
        with self.assertRaises(mlops.MlopsError) as caught:
            p.override("no equals sign")
        self.assertEqual(caught.exception.code, EINVAL)
        with self.assertRaises(TypeError):
            p.override(3)
        self.assertEqual(p.validate(), [])
        config = p.config()
        self.assertEqual(config["name"], "run-cars")
        self.assertEqual(config["seed"], 7)
        self.assertEqual(config["registry"]["path"], self.registry_dir)
        self.assertEqual(config["data"]["path"], os.path.realpath(CARS))
        with self.assertRaises(mlops.MlopsError) as caught:
            p.summary()  # no run yet
        self.assertEqual(caught.exception.code, ESTATE)
        with self.assertRaises(TypeError):
            p.run(os.path.join(self.tmp, "run"), on_step=42)

    # ---- a run and its verification -----------------------------------

    def test_run_summary_and_verify(self):
        run_dir = os.path.join(self.tmp, "run")
        steps = []

        def on_step(step, detail, done):
            gc.collect()  # the C callback object must survive a collection
            steps.append((step, detail, done))

        with self.cars() as p:
            summary = p.run(run_dir, on_step=on_step)
            self.assertEqual(p.summary(), summary)
        self.assertEqual(steps[0], ("read data", "../real/cars.csv", False))
        self.assertIn(("train", "logistic_regression", True), steps)
        self.assertEqual([s for s, _, d in steps if not d], STEPS)
        self.assertEqual([s for s, _, d in steps if d], STEPS)

        self.assertTrue(summary["passed"])
        self.assertEqual(summary["run_dir"], run_dir)
        model = mlops.Model.load(os.path.join(run_dir, "model.mlops"))
        self.assertEqual(summary["model"], {"kind": "logistic_regression",
                                            "payload_sha256": model.payload_hash()})
        with open(os.path.join(run_dir, "mlops.lock"), "rb") as f:
            self.assertEqual(summary["lock_sha256"], hashlib.sha256(f.read()).hexdigest())
        with open(CARS, newline="") as f:
            data_rows = sum(1 for _ in csv.reader(f)) - 1
        rows = summary["rows"]
        self.assertEqual(rows["data"], data_rows)
        self.assertEqual(rows["dropped_missing_target"], 0)
        self.assertEqual(rows["train"] + rows["test"], data_rows)
        self.assertEqual(rows["test"], 102)  # ceil(0.25 * 406)
        accuracy = summary["metrics"]["accuracy"]
        self.assertEqual(len(summary["gates"]), 1)
        gate = summary["gates"][0]
        self.assertEqual(gate, {"expression": "accuracy >= 0.6", "value": accuracy,
                                "passed": True})
        self.assertGreaterEqual(accuracy, 0.6)
        correct = round(accuracy * rows["test"])
        self.assertEqual(correct / rows["test"], accuracy)  # k correct of the test rows
        self.assertEqual(summary["data_validation"], {"passed": True, "violations": 0})
        self.assertEqual(summary["drift"]["dataset_drift"], False)
        self.assertEqual(summary["registry"], {
            "name": "run-cars", "version": model.payload_hash(), "alias": "production",
            "registered": True, "promotion_refused": False})

        report = mlops.verify_run(run_dir)
        self.assertTrue(report["ok"])
        self.assertTrue(report["lock_ok"])
        self.assertIsNone(report["first_problem"])
        paths = {f["path"] for f in report["files"]}
        for name in ("model.mlops", "evaluation.json", "drift.json", "config.json"):
            self.assertIn(name, paths)
        self.assertEqual(report["model_payload"]["actual"], model.payload_hash())

        evaluation = os.path.join(run_dir, "evaluation.json")
        flip_byte(evaluation)
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.verify_run(run_dir)
        self.assertEqual(caught.exception.code, ECORRUPT)
        self.assertIn("evaluation.json", str(caught.exception))
        bad = caught.exception.report
        self.assertFalse(bad["ok"])
        self.assertIn("evaluation.json", bad["first_problem"])
        entry = next(f for f in bad["files"] if f["path"] == "evaluation.json")
        self.assertEqual((entry["ok"], entry["problem"]), (False, "changed"))
        self.assertTrue(all(f["ok"] for f in bad["files"] if f["path"] != "evaluation.json"))
        flip_byte(evaluation)
        self.assertTrue(mlops.verify_run(run_dir)["ok"])

        with self.assertRaises(mlops.MlopsError) as caught:  # no lock: no report
            mlops.verify_run(self.tmp)
        self.assertEqual(caught.exception.code, ENOTFOUND)
        self.assertIsNone(caught.exception.report)
        with self.cars() as p:  # runs are never overwritten
            with self.assertRaises(mlops.MlopsError) as caught:
                p.run(run_dir)
            self.assertEqual(caught.exception.code, ESTATE)
        self.assertTrue(mlops.verify_run(run_dir)["ok"])

    def test_step_callback_cancels_and_raises(self):
        p = self.cars()
        seen = []

        def explode(step, detail, done):
            seen.append(step)
            if step == "train":
                raise ZeroDivisionError("from the step callback")

        with self.assertRaises(ZeroDivisionError):
            p.run(os.path.join(self.tmp, "a"), on_step=explode)
        self.assertEqual(seen[-1], "train")
        self.assertNotIn("evaluate", seen)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "a", "mlops.lock")))

        with self.assertRaises(mlops.MlopsError) as caught:  # a true value cancels
            p.run(os.path.join(self.tmp, "b"), on_step=lambda s, d, done: s == "evaluate")
        self.assertEqual(caught.exception.code, ECANCELED)
        self.assertIn("evaluate", str(caught.exception))

        with self.assertRaises(RuntimeError):  # the callback must not use the pipeline
            p.run(os.path.join(self.tmp, "c"), on_step=lambda s, d, done: p.config())
        # The callback is removed after each run: a plain run works.
        self.assertTrue(p.run(os.path.join(self.tmp, "d"))["passed"])
        self.assertIsNone(p._step)
        with mlops.Registry(self.registry_dir) as reg:
            self.assertEqual(len(reg.list()["models"][0]["versions"]), 1)

    def test_gate_failure_keeps_production(self):
        good_dir, good = self.run_cars("good")
        production = good["registry"]["version"]
        p = self.cars("evaluate.gates=[accuracy >= 0.999]", "model.settings.l2=1")
        bad_dir = os.path.join(self.tmp, "bad")
        with self.assertRaises(mlops.GateFailed) as caught:
            p.run(bad_dir)
        err = caught.exception
        self.assertIsInstance(err, mlops.MlopsError)
        self.assertEqual(err.code, EGATE)
        self.assertIn("an evaluation gate failed", str(err))
        self.assertIn(bad_dir, str(err))
        summary = err.summary
        self.assertEqual(summary, p.summary())
        self.assertFalse(summary["passed"])
        gate = summary["gates"][0]
        self.assertEqual(gate["expression"], "accuracy >= 0.999")
        self.assertEqual(gate["value"], summary["metrics"]["accuracy"])
        self.assertFalse(gate["passed"])
        refused = summary["model"]["payload_sha256"]
        self.assertNotEqual(refused, production)
        self.assertEqual(summary["registry"]["promotion_refused"], True)
        self.assertEqual(summary["registry"]["registered"], False)
        p.close()
        self.assertTrue(mlops.verify_run(bad_dir)["ok"])  # the attempt is on record

        with mlops.Registry(self.registry_dir) as reg:
            self.assertEqual(reg.resolve("run-cars@production")[0], production)
            records = reg.history("run-cars")["records"]
            self.assertEqual([r["action"] for r in records], ["register", "alias", "refuse"])
            refusal = records[-1]
            self.assertEqual(refusal["object"], "run-cars@production")
            self.assertEqual(refusal["details"], {"alias": "production", "current": production,
                                                  "name": "run-cars", "version": refused})
            versions = reg.list()["models"][0]["versions"]
            self.assertEqual([v["version"] for v in versions], [production])
        self.assertTrue(mlops.verify(self.registry_dir)["ok"])
        self.assertEqual(check_chain(self, os.path.join(self.registry_dir, "audit.log")),
                         records)

    # ---- the registry --------------------------------------------------

    def test_registry_load_model_predicts_as_the_run_model(self):
        run_dir, summary = self.run_cars()
        version = summary["registry"]["version"]
        data = mlops.Dataset.read_csv(CARS, CARS_ROLES)
        direct = mlops.Model.load(os.path.join(run_dir, "model.mlops"))
        with mlops.Registry(self.registry_dir) as reg:
            v, path = reg.resolve("run-cars@production")
            self.assertEqual(v, version)
            self.assertEqual(path, os.path.join(self.registry_dir, "models", "run-cars",
                                                version + ".mlops"))
            self.assertEqual(reg.resolve("run-cars"), (v, path))
            self.assertEqual(reg.resolve("run-cars@" + version[:8].upper()), (v, path))
            model = reg.load_model("run-cars@production")
        self.assertEqual(model.payload_hash(), version)
        self.assertEqual(model.predict_labels(data), direct.predict_labels(data))
        a, b = model.predict_proba(data), direct.predict_proba(data)
        self.assertEqual([list(r) for r in a], [list(r) for r in b])
        with open(path, "rb") as f, open(os.path.join(run_dir, "model.mlops"), "rb") as g:
            self.assertEqual(f.read(), g.read())  # the very bytes were stored

    def test_registry_operations(self):
        run_dir, _ = self.run_cars("run", "registry.alias=staging")
        model_path = os.path.join(run_dir, "model.mlops")
        payload = mlops.Model.load(model_path).payload_hash()
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Registry(os.path.join(self.tmp, "models"))
        self.assertEqual(caught.exception.code, ENOTFOUND)
        reg_dir = os.path.join(self.tmp, "models")
        reg = mlops.Registry(reg_dir, create=True)
        self.assertIs(reg.set_actor("tester"), reg)
        version = reg.register("cars", model_path, reason="first")
        self.assertEqual(version, payload)
        self.assertEqual(reg.register("cars", model_path), version)  # nothing new
        reg.set_alias("cars", "staging", version[:10], reason="review")
        reg.set_alias("cars", "production", "staging")
        self.assertEqual(reg.resolve("cars@production")[0], version)
        listing = reg.list()
        self.assertEqual(listing["records"], 3)
        (entry,) = listing["models"]
        self.assertEqual(entry["name"], "cars")
        self.assertEqual(entry["latest"], version)
        self.assertEqual(entry["aliases"], {"production": version, "staging": version})
        self.assertEqual(entry["versions"][0]["actor"], "tester")
        self.assertEqual(entry["versions"][0]["reason"], "first")
        reg.record_refusal("cars", "production", "ab" * 32, reason="gate failed")

        before = datetime.datetime.now(datetime.timezone.utc)
        self.assertEqual(reg.alias_at("cars", "production", before), version)
        self.assertEqual(reg.alias_at("cars", "production",
                                      before.replace(tzinfo=None).isoformat()), version)
        self.assertIsNone(reg.alias_at("cars", "production", datetime.date(2000, 1, 1)))
        with self.assertRaises(mlops.MlopsError) as caught:  # never had that alias
            reg.alias_at("cars", "canary", before)
        self.assertEqual(caught.exception.code, ENOTFOUND)
        with self.assertRaises(mlops.MlopsError) as caught:  # no such model
            reg.alias_at("crs", "production", before)
        self.assertEqual(caught.exception.code, ENOTFOUND)
        with self.assertRaises(mlops.MlopsError) as caught:
            reg.alias_at("cars", "production", "yesterday")
        self.assertEqual(caught.exception.code, EINVAL)

        reg.retire("cars", "production", reason="replaced")
        self.assertIsNone(reg.alias_at("cars", "production",
                                       datetime.datetime.now(datetime.timezone.utc)))
        with self.assertRaises(mlops.MlopsError) as caught:
            reg.resolve("cars")  # no version that is not retired
        self.assertEqual(caught.exception.code, ENOTFOUND)
        self.assertEqual(reg.resolve("cars@" + version)[0], version)  # still loadable
        with self.assertRaises(mlops.MlopsError) as caught:
            reg.register("cars", model_path)
        self.assertEqual(caught.exception.code, ESTATE)
        with self.assertRaises(mlops.MlopsError) as caught:
            reg.resolve("crs@production")
        self.assertEqual(caught.exception.code, ENOTFOUND)
        self.assertIn("cars", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            reg.set_alias("cars", "bad name!", version)
        self.assertEqual(caught.exception.code, EINVAL)

        history = reg.history()
        self.assertIsNone(history["name"])
        actions = [r["action"] for r in history["records"]]
        self.assertEqual(actions, ["register", "alias", "alias", "refuse", "retire"])
        self.assertTrue(all(r["actor"] == "tester" for r in history["records"]))
        self.assertEqual(history["records"][-1]["details"]["aliases_removed"],
                         ["production", "staging"])
        with self.assertRaises(mlops.MlopsError) as caught:
            reg.history("crs")
        self.assertEqual(caught.exception.code, ENOTFOUND)
        reg.close()

        audit_log = os.path.join(reg_dir, "audit.log")
        self.assertEqual(check_chain(self, audit_log), history["records"])
        report = mlops.verify(reg_dir)
        self.assertTrue(report["ok"])
        self.assertEqual([(m["name"], m["version"], m["ok"]) for m in report["models"]],
                         [("cars", version, True)])
        self.assertEqual(mlops.audit_verify(audit_log)["records"], 5)
        stored = os.path.join(reg_dir, "models", "cars", version + ".mlops")
        flip_byte(stored)
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.verify(reg_dir)
        self.assertEqual(caught.exception.code, ECORRUPT)
        self.assertIn("was changed after it was registered", str(caught.exception))
        self.assertEqual(caught.exception.report["models"][0]["ok"], False)
        self.assertIn("changed", caught.exception.report["models"][0]["problem"])
        with mlops.Registry(reg_dir) as reg, self.assertRaises(mlops.MlopsError) as caught:
            reg.load_model("cars@" + version)
        self.assertEqual(caught.exception.code, ECORRUPT)

    # ---- decision logs -------------------------------------------------

    def test_decision_log(self):
        run_dir, summary = self.run_cars()
        with mlops.Registry(self.registry_dir) as reg:
            model = reg.load_model("run-cars@production")
        rows = [0, 1, 10, 38, 337]  # 10: Miles_per_Gallon missing; 38: Horsepower missing
        batch = mlops.Dataset.read_csv(CARS, CARS_ROLES).take_rows(rows)
        labels = model.predict_labels(batch)
        expected = csv_fingerprints(model.inputs, rows)
        self.assertEqual([mlops.DecisionLog.fingerprint(model, batch, i) for i in range(5)],
                         expected)

        path = os.path.join(self.tmp, "decisions.log")
        log = mlops.DecisionLog(path)
        self.assertIs(log.set_actor("server-1"), log)
        log.record(model, "run-cars@production", batch, 0, labels[0])
        log.record(model, "run-cars@production", batch, 1, labels[1])
        log.record_dataset(model, "run-cars@production", batch.take_rows([2, 3, 4]), labels[2:])
        with self.assertRaises(ValueError):  # one output per row
            log.record_dataset(model, "run-cars@production", batch, labels[:2])
        with self.assertRaises(mlops.MlopsError) as caught:
            log.record(model, "run-cars@production", batch, 5, "USA")
        self.assertEqual(caught.exception.code, EINVAL)
        with self.assertRaises(TypeError):
            log.record(batch, "run-cars@production", batch, 0, "USA")
        log.close()

        records = check_chain(self, path)
        self.assertEqual(len(records), 5)
        version = summary["registry"]["version"]
        for i, rec in enumerate(records):
            self.assertEqual(rec["action"], "decision")
            self.assertEqual(rec["actor"], "server-1")
            self.assertEqual(rec["object"], "run-cars@production")
            self.assertEqual(rec["details"], {"input_sha256": expected[i],
                                              "model_version": version,
                                              "output": labels[i],
                                              "row": i if i < 2 else i - 2})
        report = mlops.audit_verify(path)
        self.assertTrue(report["ok"])
        self.assertEqual(report["records"], 5)
        self.assertEqual(report["last_hash"], records[-1]["hash"])
        self.assertIsNone(report["first_bad"])

        # A continued log chains on; then one edited byte breaks it.
        with mlops.DecisionLog(path) as log:
            log.record(model, run_dir, batch, 4, labels[4])
        self.assertEqual(mlops.audit_verify(path)["records"], 6)
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
        at = (sum(len(x) + 1 for x in lines[:2])
              + lines[2].index(b'"output":"') + len(b'"output":"'))
        with open(path, "r+b") as f:
            f.seek(at)
            f.write(b"X")
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.audit_verify(path)
        self.assertEqual(caught.exception.code, ECORRUPT)
        self.assertIn("decisions.log:3:", str(caught.exception))
        bad = caught.exception.report
        self.assertFalse(bad["ok"])
        self.assertEqual(bad["records"], 2)
        self.assertEqual(bad["first_bad"]["line"], 3)
        self.assertEqual(bad["first_bad"]["seq"], 3)
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.audit_verify(os.path.join(self.tmp, "absent.log"))
        self.assertEqual(caught.exception.code, ENOTFOUND)

    def test_live_allocations_return_to_zero(self):
        """Nothing the binding wraps outlives its Python object: after the
        objects of a full cycle are gone the library holds no block."""
        start = mlops.live_allocations()
        run_dir, _ = self.run_cars()
        reg = mlops.Registry(self.registry_dir)
        model = reg.load_model("run-cars")
        log = mlops.DecisionLog(os.path.join(self.tmp, "d.log"))
        log.record(model, "run-cars", mlops.Dataset.read_csv(CARS, CARS_ROLES), 0, "USA")
        self.assertGreater(mlops.live_allocations(), start)
        del reg, model, log
        gc.collect()
        self.assertEqual(mlops.live_allocations(), 0)


if __name__ == "__main__":
    print("python %s" % sys.version.split()[0])
    unittest.main()
