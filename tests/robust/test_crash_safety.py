#!/usr/bin/env python3
"""Crash safety: kill -9 at random moments during model save, profile save,
registry promotion and audit appends, then check what is left on disk.

Usage: test_crash_safety.py CRASH_WORKER MLOPS_CLI CARS_CSV MAN_DIR

CRASH_WORKER is tests/robust/crash_worker.c built (it describes its modes),
MLOPS_CLI the `mlops` program, CARS_CSV tests/data/real/cars.csv, MAN_DIR
the man/ directory (whose pages must document the temporary files a crash
leaves). 200 trials,
50 per operation in a shuffled order, each starting the worker, waiting for
it to be ready, sleeping a random 1 to 50 ms and sending SIGKILL. The random
generator is seeded (MLOPS_CRASH_SEED overrides the seed, MLOPS_CRASH_TRIALS
the number of trials per operation). After each kill:

* model and profile saves (three versions saved in turn over one target):
  the target is byte for byte the file of the last completed save, or of
  the save the kill interrupted (all three are written once beforehand);
  beside it there is at most one new file, the temporary file of the
  interrupted save, named TARGET.tmp-PID-N after the killed process, as
  mlops-model(5) and mlops-profile(5) document.
* registry promotion (register a new version, move the aliases staging and
  production) and audit appends (refusals in a registry, decision records
  one by one and in batches): `mlops audit verify` passes on the registry
  and on its log as the crash left them, so does mlops_registry_verify()
  (only the notes registry.h documents for a crash are allowed), the
  registry opens (rolling a head file one record behind forward), verifies
  without notes afterwards, holds every completed change and at most the
  interrupted one, resolves its aliases to those versions and loads the
  production model; the decision log verifies, opens and verifies again.
  The hash chains are also recomputed here with the auditor's recipe from
  registry.h.

Then the recoveries registry.h documents are forced on copies: a torn last
line (an interrupted append) is ignored with a note by the verifiers and cut
off by mlops_registry_open() and mlops_decision_log_open(); a head file one
record behind is rolled forward by mlops_registry_open().

Standard library only.
"""
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TRIALS_PER_OP = int(os.environ.get("MLOPS_CRASH_TRIALS", "50"))
SEED = int(os.environ.get("MLOPS_CRASH_SEED", "20261127"))
ZERO = "0" * 64
# The notes mlops_registry_verify() / mlops_audit_verify() give for the two
# states a crash may leave (registry.h); anything else is a failure.
CRASH_NOTES = ("the head file is one record behind the log", "is incomplete")


class Checker:
    def __init__(self, worker, cli):
        self.worker, self.cli = worker, cli
        self.counts = {}

    def count(self, what, n=1):
        self.counts[what] = self.counts.get(what, 0) + n

    # ---- running the programs ------------------------------------------

    def run(self, *args):
        p = subprocess.run([self.worker, *args], capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, f"crash_worker {args}: {p.returncode}\n{p.stderr}"
        return p.stdout

    def cli_ok(self, *args):
        p = subprocess.run([self.cli, *args], capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, f"mlops {' '.join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}"
        return p.stdout

    def kill_during(self, args, delay):
        """Starts the worker, waits for "ready", kills it `delay` s later.
        Returns its pid, the completed operations and the interrupted one."""
        # unbuffered: communicate() reads the pipe itself and would miss
        # what a buffered readline() had read ahead
        p = subprocess.Popen([self.worker, *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, bufsize=0)
        first = p.stdout.readline()
        if first != b"ready\n":
            out, err = p.communicate()
            raise AssertionError(f"worker {args} did not start: {first!r} {err.decode()}")
        time.sleep(delay)
        os.kill(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        assert p.returncode == -signal.SIGKILL, \
            f"worker {args} ended by itself ({p.returncode}): {err.decode()}"
        done, pending = [], None
        for line in out.decode().split("\n")[:-1]:  # a line without its end is not trusted
            word, _, rest = line.partition(" ")
            if word == "begin":
                assert pending is None, f"two operations begun: {line}"
                pending = rest
            elif word == "done":
                assert rest == pending, f"done {rest!r} after begin {pending!r}"
                done.append(rest)
                pending = None
            else:
                raise AssertionError(f"worker {args} printed {line!r}")
        return p.pid, done, pending

    # ---- leftovers -------------------------------------------------------

    def leftovers(self, directory, expected, pid, seen, target=None):
        """Entries of `directory` beyond `expected` must be temporary files
        of an atomic write (NAME.tmp-PID-N, NAME one of the expected files
        or matching the regular expression `target`), new ones only from the
        killed process `pid`, at most one per trial. `seen` collects them
        across trials."""
        new = []
        for entry in sorted(os.listdir(directory)):
            if entry in expected or entry in seen:
                continue
            m = re.fullmatch(r"(.+)\.tmp-(\d+)-(\d+)", entry)
            assert m and (m.group(1) in expected or
                          (target is not None and re.fullmatch(target, m.group(1)))), \
                f"unexpected file {directory}/{entry}"
            assert int(m.group(2)) == pid, f"{directory}/{entry} is not the killed process's ({pid})"
            new.append(entry)
            seen.add(entry)
        assert len(new) <= 1, f"several temporary files left in {directory}: {new}"
        return new

    # ---- logs --------------------------------------------------------------

    @staticmethod
    def chain(path):
        """The auditor's recipe of registry.h over the complete lines of a
        log; returns the records."""
        records, prev = [], ZERO
        with open(path, "rb") as f:
            data = f.read()
        for n, raw in enumerate(data.split(b"\n")[:-1], 1):
            line = raw.decode("utf-8") + "\n"
            rec = json.loads(line)
            h = rec.pop("hash")
            text = json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            assert rec["seq"] == n and rec["prev"] == prev, f"{path}:{n}: broken chain"
            assert hashlib.sha256(text.encode()).hexdigest() == h, f"{path}:{n}: wrong hash"
            assert line == text[:-1] + ',"hash":"' + h + '"}\n', f"{path}:{n}: not canonical"
            rec["hash"] = h
            records.append(rec)
            prev = h
        return records

    @staticmethod
    def report(output, key):
        for line in output.splitlines():
            word, _, rest = line.partition(" ")
            if word == key:
                rc, _, text = rest.partition(" ")
                return int(rc), text
        raise AssertionError(f"no {key} in:\n{output}")

    def crash_notes(self, report, what):
        for n in report["notes"]:
            assert any(c in n for c in CRASH_NOTES), f"{what}: unexpected note {n!r}"
            self.count("note: " + ("head one record behind" if "behind" in n else "torn last line"))

    def check_registry(self, reg, log=None):
        """Verifies `reg` as left, opens it, verifies again; returns the
        records after the repair, the aliases and the check's output (with
        `log`, the checks of check_decisions() too, in one run of the
        worker)."""
        before = self.chain(os.path.join(reg, "audit.log"))
        log_before = self.chain(log) if log is not None else None
        self.cli_ok("audit", "verify", "--registry", reg)
        if log is not None:
            self.cli_ok("audit", "verify", "--log", log)
        out = self.run("check-registry", reg, *([log] if log is not None else []))
        rc, text = self.report(out, "verify_before")
        v = json.loads(text)
        assert rc == 0 and v["ok"] and v["all_ok"] and v["models_ok"], f"{reg}: {out}"
        assert v["records"] == len(before), (v["records"], len(before))
        self.crash_notes(v, reg)
        with open(os.path.join(reg, "audit.log.head")) as f:
            head = json.load(f)
        assert head["records"] in (len(before), len(before) - 1), (head, len(before))
        rc, msg = self.report(out, "open")
        assert rc == 0, f"{reg} does not open: {msg}"
        rc, text = self.report(out, "verify_after")
        v = json.loads(text)
        assert rc == 0 and v["all_ok"] and v["notes"] == [], f"{reg} after opening: {text}"
        after = self.chain(os.path.join(reg, "audit.log"))
        assert after == before, f"{reg}: opening changed the records"
        with open(os.path.join(reg, "audit.log.head")) as f:
            head = json.load(f)
        assert head["records"] == len(after) and head["last_hash"] == after[-1]["hash"], head
        rc, hash_ = self.report(out, "load")
        assert rc == 0, f"{reg}: cars@production does not load: {out}"
        aliases = {}
        for line in out.splitlines():
            if line.startswith("resolve "):
                _, ref, rc, version = line.split(" ")
                assert rc == "0" or version == "-", line
                if rc == "0":
                    aliases[ref.split("@")[1]] = version
        assert aliases["production"] == hash_
        if log is not None:
            self.check_decisions(log, log_before, out)
        return after, aliases

    def check_decisions(self, log, before=None, out=None):
        """Verifies decision log `log` as left, opens it, verifies again;
        returns its records. `before` (its records as left) and `out` when
        the worker and the command-line check already ran."""
        if out is None:
            before = self.chain(log)
            self.cli_ok("audit", "verify", "--log", log)
            out = self.run("check-log", log)
        rc, text = self.report(out, "log_verify_before")
        v = json.loads(text)
        assert rc == 0 and v["ok"] and v["records"] == len(before), f"{log}: {out}"
        self.crash_notes(v, log)
        rc, msg = self.report(out, "log_open")
        assert rc == 0, f"{log} does not open: {msg}"
        rc, text = self.report(out, "log_verify_after")
        v = json.loads(text)
        assert rc == 0 and v["ok"] and v["notes"] == [], f"{log} after opening: {text}"
        after = self.chain(log)
        assert after == before
        with open(log, "rb") as f:
            assert f.read().endswith(b"\n") or not after
        return after


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__)
    worker, cli, csv, man = (os.path.abspath(a) for a in argv[1:])
    # The temporary files of interrupted saves are left where they were
    # (nothing can remove them after a kill -9): their name must be
    # documented where the crash safety of each file is.
    for page in ("man5/mlops-model.5", "man5/mlops-profile.5", "man3/mlops_registry_open.3",
                 "man7/libmlops.7"):
        with open(os.path.join(man, page), encoding="utf-8") as f:
            assert ".tmp\\-" in f.read(), \
                f"{page} does not name the temporary files a crash leaves"
    started = time.monotonic()
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="mlops-crash-") as work:
        c = Checker(worker, cli)
        prep = os.path.join(work, "prepared")
        os.mkdir(prep)
        first_version = c.run("prepare", csv, prep).split()[1]

        files = {}
        # What the worker's saves write: a saved model reloaded saves to the
        # same bytes (mlops-model(5)); a profile need not (its exact values
        # and row hashes are in no particular order), so its expected bytes
        # are those of a loaded profile saved once.
        for kind, ext, saved in (("model", "mlops", "mlops"), ("profile", "prof", "saved")):
            d = os.path.join(work, kind)
            os.mkdir(d)
            target = os.path.join(d, "target." + ext)
            versions = {}
            for v in "abc":
                with open(os.path.join(prep, f"{kind}-{v}.{saved}"), "rb") as f:
                    versions[v] = f.read()
            assert len(set(versions.values())) == 3
            shutil.copyfile(os.path.join(prep, f"{kind}-a.{saved}"), target)
            files[kind] = {"dir": d, "target": target, "versions": versions, "state": "a",
                           "seen": set()}

        promote_reg = os.path.join(prep, "promote")
        audit_reg = os.path.join(prep, "audit")
        decisions_dir = os.path.join(work, "decisions")
        os.mkdir(decisions_dir)
        decisions = os.path.join(decisions_dir, "decisions.log")
        scratch = os.path.join(work, "scratch")
        os.mkdir(scratch)
        reg_state = {
            promote_reg: {"records": len(Checker.chain(os.path.join(promote_reg, "audit.log"))),
                          "staging": None, "production": first_version, "seen": set(),
                          "model_seen": set()},
            audit_reg: {"records": len(Checker.chain(os.path.join(audit_reg, "audit.log"))),
                        "staging": None, "production": first_version, "seen": set(),
                        "model_seen": set()},
        }
        decisions_records = 0

        ops = ["model", "profile", "promote", "audit"] * TRIALS_PER_OP
        rng.shuffle(ops)
        for trial, op in enumerate(ops):
            delay = rng.uniform(0.001, 0.050)
            c.count("trials: " + op)
            if op in files:
                f = files[op]
                pid, done, pending = c.kill_during([op, prep, f["target"]], delay)
                c.count(f"{op} saves completed", len(done))
                last = done[-1].split()[1] if done else f["state"]
                allowed = {last}
                if pending is not None:
                    allowed.add(pending.split()[1])
                with open(f["target"], "rb") as t:
                    content = t.read()
                which = [v for v, b in f["versions"].items() if b == content]
                assert which, f"trial {trial}: {op} target is neither version ({len(content)} bytes)"
                assert which[0] in allowed, \
                    f"trial {trial}: {op} target is {which[0]}, expected one of {allowed}"
                c.count(f"{op} target: " + ("new" if pending and which[0] != last else "old"))
                f["state"] = which[0]
                new = c.leftovers(f["dir"], {os.path.basename(f["target"])}, pid, f["seen"])
                c.count(f"{op} temporary files left", len(new))
                continue

            reg = promote_reg if op == "promote" else audit_reg
            s = reg_state[reg]
            if op == "promote":
                pid, done, pending = c.kill_during(
                    ["promote", csv, scratch, reg, str(1000 * (trial + 1))], delay)
            else:
                pid, done, pending = c.kill_during(
                    ["audit", csv, prep, reg, decisions, str(3 * trial)], delay)
            c.count(f"{op} operations completed", len(done))
            records, aliases = c.check_registry(reg, decisions if op == "audit" else None)
            reg_changes = [d for d in done if d.split()[0] in ("register", "alias", "refuse")]
            pending_reg = pending is not None and pending.split()[0] in ("register", "alias",
                                                                         "refuse")
            want = s["records"] + len(reg_changes)
            assert len(records) in (want, want + 1) if pending_reg else len(records) == want, \
                f"trial {trial}: {reg} has {len(records)} records, expected {want}" \
                f"{' or one more' if pending_reg else ''}"
            if len(records) > want:
                c.count(f"{op}: interrupted change recorded")
                done = done + [pending]
            for d in done:
                parts = d.split()
                if parts[0] == "alias":
                    s[parts[1]] = parts[2]
            for name in ("staging", "production"):
                assert aliases.get(name, "-") == (s[name] or "-"), \
                    f"trial {trial}: {reg} {name} is {aliases.get(name)}, expected {s[name]}"
            s["records"] = len(records)
            new = c.leftovers(reg, {"registry.lock", "audit.log", "audit.log.head", "models"},
                              pid, s["seen"])
            c.count(f"{op} registry temporary files left", len(new))
            models = os.path.join(reg, "models", "cars")
            registered = {r["details"]["version"] + ".mlops" for r in records
                          if r["action"] == "register"}
            stored = {e for e in os.listdir(models) if e.endswith(".mlops")}
            assert registered <= stored, f"registered model files missing: {registered - stored}"
            orphans = stored - registered
            c.count(f"{op} model files stored but not recorded",
                    len(orphans - s["model_seen"]))
            s["model_seen"] |= orphans
            new = c.leftovers(models, stored, pid, s["seen"], r"[0-9a-f]{64}\.mlops")
            c.count(f"{op} model temporary files left", len(new))
            if op == "audit":
                got = Checker.chain(decisions)
                n_done = sum(int(d.split()[1]) for d in done if d.split()[0] == "decide")
                extra = int(pending.split()[1]) if pending and pending.startswith("decide") else 0
                want = decisions_records + n_done
                assert want <= len(got) <= want + extra, \
                    f"trial {trial}: {len(got)} decision records, expected {want}..{want + extra}"
                if len(got) > want:
                    c.count("audit: records of the interrupted decision call kept", len(got) - want)
                decisions_records = len(got)
                assert sorted(os.listdir(decisions_dir)) == ["decisions.log"]

        forced_recoveries(c, work, promote_reg, decisions)
        # The last model file a killed save left loads.
        c.cli_ok("inspect", files["model"]["target"])

    elapsed = time.monotonic() - started
    print(f"seed {SEED}, {len(ops)} trials in {elapsed:.1f} s")
    for key in sorted(c.counts):
        print(f"  {key}: {c.counts[key]}")
    return 0


def forced_recoveries(c, work, promote_reg, decisions):
    """The recoveries of registry.h, forced on copies."""
    # A torn last line of a decision log, after records and as its only
    # line (the first append interrupted): verified with a note, cut on open.
    with open(decisions, "rb") as f:
        data = f.read()
    last = data[:-1].rsplit(b"\n", 1)[-1]
    for case, kept in (("after records", data), ("alone", b"")):
        torn = os.path.join(work, "torn-decisions.log")
        with open(torn, "wb") as f:
            f.write(kept + last[: len(last) // 2])
        c.cli_ok("audit", "verify", "--log", torn)
        out = c.run("check-log", torn)
        rc, text = c.report(out, "log_verify_before")
        v = json.loads(text)
        assert rc == 0 and v["ok"] and len(v["notes"]) == 1 and "incomplete" in v["notes"][0], \
            text
        rc, msg = c.report(out, "log_open")
        assert rc == 0, msg
        rc, text = c.report(out, "log_verify_after")
        v = json.loads(text)
        assert rc == 0 and v["notes"] == [] and v["records"] == kept.count(b"\n"), text
        with open(torn, "rb") as f:
            assert f.read() == kept, f"opening did not cut exactly the torn line ({case})"
        c.count(f"forced: torn decision-log line cut ({case})")

    # The same in a registry's log, and a head file one record behind.
    for case in ("torn", "behind"):
        reg = os.path.join(work, "forced-" + case)
        shutil.copytree(promote_reg, reg)
        log = os.path.join(reg, "audit.log")
        with open(log, "rb") as f:
            data = f.read()
        records = Checker.chain(log)
        if case == "torn":
            last = data[:-1].rsplit(b"\n", 1)[-1]
            with open(log, "ab") as f:
                f.write(last[: len(last) // 3])
        else:
            head = {"format": "mlops-audit-head", "format_version": 1,
                    "last_hash": records[-2]["hash"], "records": len(records) - 1}
            with open(os.path.join(reg, "audit.log.head"), "w") as f:
                f.write(json.dumps(head, separators=(",", ":")) + "\n")
        c.cli_ok("audit", "verify", "--registry", reg)
        out = c.run("check-registry", reg)
        rc, text = c.report(out, "verify_before")
        v = json.loads(text)
        assert rc == 0 and v["all_ok"] and len(v["notes"]) == 1, text
        assert ("incomplete" if case == "torn" else "behind") in v["notes"][0], text
        after, _ = c.check_registry(reg)
        assert after == records
        with open(log, "rb") as f:
            assert f.read() == data
        c.count(f"forced: registry {case} repaired")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
