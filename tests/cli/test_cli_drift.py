"""`mlops drift` run as a user runs it: the JSON report on committed fixtures
(tests/data/cli_drift/: small made-up files, and tests/data/real/cars.csv
split by model year, <= 1975 against >= 1980) checked column by column
against SciPy and NumPy (tests/data/cli_drift_reference.json, written by
tests/reference/make_cli_drift_reference.py), the text table, the exit-code
contract (0 success, 1 drift with --fail-on-drift, 2 usage error, 3
failure), --save-reference / --reference-profile, and the second pass over
a reference larger than the profile's exact limits. Standard library only.

usage: test_cli_drift.py PATH_TO_MLOPS
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

MLOPS = None
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "data", "cli_drift")
with open(os.path.join(ROOT, "tests", "data", "cli_drift_reference.json")) as _f:
    REFERENCE = json.load(_f)

# SciPy agreement promised by lib/monitor/drift_tests.h (2e-11 relative),
# with room for the order of summation of the distances.
REL_TOL = 1e-9


def fixture(name):
    return os.path.join(FIXTURES, name)


def at_root(path):
    return os.path.join(ROOT, path)


def run(*args):
    p = subprocess.run([MLOPS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mlops-drift-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def ok(self, *args, code=0):
        got, out, err = run(*args)
        self.assertEqual(got, code, "mlops %s: exit %d, stderr %r" % (" ".join(args), got, err))
        return out, err

    def fails(self, code, *args):
        got, out, err = run(*args)
        self.assertEqual(got, code, "mlops %s: exit %d, stderr %r" % (" ".join(args), got, err))
        self.assertEqual(out, "")
        self.assertTrue(err.startswith("mlops: "), err)
        self.assertTrue(err.endswith("\n"), err)
        return err

    def drift_json(self, reference, current, *extra, code=0):
        out, _ = self.ok("drift", "--reference", reference, "--current", current, "--json",
                         *extra, code=code)
        return json.loads(out)

    def case_json(self, name, *extra, code=0):
        c = REFERENCE[name]
        return self.drift_json(at_root(c["reference"]), at_root(c["current"]), *c["options"],
                               *extra, code=code)

    def assertClose(self, got, want, what):
        if want is None:
            self.assertIsNone(got, "%s: %r, expected null" % (what, got))
            return
        self.assertIsNotNone(got, "%s is null, expected %r" % (what, want))
        self.assertLessEqual(abs(got - want), max(REL_TOL * abs(want), 1e-300),
                             "%s: %r differs from reference %r" % (what, got, want))


class ReferenceValues(Base):
    """Every column of the report against SciPy / NumPy."""

    def check(self, name):
        want = REFERENCE[name]
        doc = self.case_json(name)
        for key in ("dataset_drift", "drift_share", "columns"):
            self.assertIn(key, doc)
        self.assertEqual([c["name"] for c in doc["columns"]],
                         [c["name"] for c in want["columns"]], name)
        for got, exp in zip(doc["columns"], want["columns"]):
            what = "%s: column %s" % (name, exp["name"])
            for key in ("name", "method", "statistic", "p_value", "threshold", "drifted"):
                self.assertIn(key, got, what)
            self.assertEqual(got["method"], exp["method"], what)
            self.assertEqual(got["type"], exp["type"], what)
            statistic = got["statistic"]
            if exp["method"] == "z":  # the sign depends on the category tested
                statistic = abs(statistic)
            self.assertClose(statistic, exp["statistic"], what + " statistic")
            self.assertClose(got["p_value"], exp["p_value"], what + " p_value")
            self.assertClose(got["p_value_adjusted"], exp["p_value_adjusted"],
                             what + " p_value_adjusted")
            self.assertClose(got["threshold"], exp["threshold"], what + " threshold")
            self.assertIs(got["drifted"], exp["drifted"], what + " drifted")
            self.assertEqual(got["reference_rows"], exp["reference_rows"], what)
            self.assertEqual(got["current_rows"], exp["current_rows"], what)
            # every reference here is small: ks holds the raw values
            if exp["method"] in ("ks", "wasserstein"):
                self.assertIs(got["exact"], True, what)
        self.assertIs(doc["dataset_drift"], want["dataset_drift"], name)
        self.assertClose(doc["drift_share"], want["share"], name + " drift_share")
        return doc

    def test_small_defaults(self):
        doc = self.check("small")
        # the current file's extra column and column order do not matter
        self.assertNotIn("note", [c["name"] for c in doc["columns"]])
        kinds = {f["kind"] for f in doc.get("findings", []) if f.get("column") == "color"}
        self.assertIn("unseen_categories", kinds)

    def test_small_bonferroni(self):
        self.check("small_bonferroni")

    def test_small_explicit_methods(self):
        self.check("small_methods")

    def test_small_method_for_all_columns_and_bins(self):
        self.check("small_kl_bins")

    def test_identical_data(self):
        self.check("same")

    def test_cars_by_model_year(self):
        self.check("cars")


class ExitStatus(Base):
    def test_fail_on_drift(self):
        c = REFERENCE["cars"]
        self.assertTrue(c["dataset_drift"])
        doc = self.case_json("cars", "--fail-on-drift", code=1)  # the report is printed
        self.assertIs(doc["dataset_drift"], True)
        self.case_json("cars")  # without the option drift is not a failure

    def test_no_drift_on_identical_data(self):
        self.assertFalse(REFERENCE["same"]["dataset_drift"])
        doc = self.case_json("same", "--fail-on-drift", code=0)
        self.assertIs(doc["dataset_drift"], False)
        self.assertTrue(all(not c["drifted"] for c in doc["columns"]))

    def test_drift_share_setting(self):
        # 2 of 5 columns drift (share 0.4): the data set drifts once the bar
        # is that low
        want = REFERENCE["small_kl_bins"]
        drifted = sum(c["drifted"] for c in want["columns"])
        self.assertEqual(drifted, 2)
        self.case_json("small_kl_bins", "--fail-on-drift", code=0)
        self.case_json("small_kl_bins", "--fail-on-drift", "--drift-share", "0.4", code=1)
        self.case_json("small_kl_bins", "--fail-on-drift", "--drift-share=0.41", code=0)


class Text(Base):
    def test_table(self):
        c = REFERENCE["small"]
        out, err = self.ok("drift", "--reference", at_root(c["reference"]), "--current",
                           at_root(c["current"]))
        self.assertEqual(err, "")
        lines = out.splitlines()
        for col in c["columns"]:
            row = [l for l in lines if l.split()[:1] == [col["name"]]]
            self.assertEqual(len(row), 1, out)
            fields = row[0].split()
            self.assertEqual(fields[1], col["method"], row[0])
            self.assertEqual(fields[-1], "yes" if col["drifted"] else "no", row[0])
            stat = float(fields[2])
            want = abs(col["statistic"])
            self.assertLessEqual(abs(abs(stat) - want), 1e-5 * max(want, 1e-3), row[0])
        self.assertIn("dataset drift: yes (4 of 5 columns drifted", out)
        self.assertIn("80 rows", out)
        self.assertIn("60 rows", out)

    def test_help(self):
        out, err = self.ok("drift", "--help")
        self.assertTrue(out.startswith("usage: mlops drift"), out)
        for option in ("--reference", "--reference-profile", "--current", "--column",
                       "--method", "--correction", "--drift-share", "--bins",
                       "--save-reference", "--json", "--fail-on-drift"):
            self.assertIn(option, out)
        self.assertEqual(err, "")
        out, _ = self.ok("help")
        self.assertIn("drift", out)


class SavedReference(Base):
    def test_same_report_from_the_saved_profile(self):
        for name, extra in (("cars", []), ("small", ["--bins", "4", "--method", "psi"]),
                            ("small_methods", [])):
            c = REFERENCE[name]
            saved = self.path(name + ".profile")
            direct = self.case_json(name, *extra, "--save-reference", saved)
            self.assertTrue(os.path.getsize(saved) > 0)
            options = [o for o in c["options"] + extra]
            if "--bins" in options:  # fixed in the saved profile
                i = options.index("--bins")
                del options[i:i + 2]
            out, _ = self.ok("drift", "--reference-profile", saved, "--current",
                             at_root(c["current"]), "--json", *options)
            self.assertEqual(json.loads(out), direct, name)

    def test_text_names_the_saved_profile(self):
        c = REFERENCE["small"]
        saved = self.path("text.profile")
        out, _ = self.ok("drift", "--reference", at_root(c["reference"]), "--current",
                         at_root(c["current"]), "--save-reference", saved)
        self.assertIn(saved, out)
        out, _ = self.ok("drift", "--reference-profile", saved, "--current",
                         at_root(c["current"]))
        self.assertIn("saved profile", out)

    def test_bad_profiles(self):
        c = REFERENCE["small"]
        err = self.fails(3, "drift", "--reference-profile", at_root(c["reference"]),
                         "--current", at_root(c["current"]))
        self.assertIn(c["reference"], err)
        saved = self.path("damaged.profile")
        self.ok("drift", "--reference", at_root(c["reference"]), "--current",
                at_root(c["current"]), "--save-reference", saved)
        with open(saved, "r+b") as f:
            data = bytearray(f.read())
            data[len(data) // 2] ^= 0x55
            f.seek(0)
            f.write(data)
        self.fails(3, "drift", "--reference-profile", saved, "--current",
                   at_root(c["current"]))


class Streaming(Base):
    """A reference larger than the profile keeps exactly (quantile_exact_limit
    100000 values per column): the bins come from the quantile sketch, and
    the counts from a second pass over the file are exact, so the same rows
    in another order give distances of exactly 0."""

    ROWS = 120000

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rows = []
        state = 12345
        for i in range(cls.ROWS):
            state = (state * 6364136223846793005 + 1442695040888963407) % 2 ** 64
            x = (state >> 11) / 2 ** 53 * 100.0
            rows.append("%.6f,%s,%d\n" % (x, "abcdefg"[(state >> 3) % 7], i % 9))
        cls.big = os.path.join(cls.dir, "big.csv")
        cls.big_reversed = os.path.join(cls.dir, "big_reversed.csv")
        cls.big_semicolon = os.path.join(cls.dir, "big_semicolon.csv")
        with open(cls.big, "w") as f:
            f.write("x,letter,k\n")
            f.writelines(rows)
        with open(cls.big_reversed, "w") as f:
            f.write("k,letter,x\n")  # another column order too
            for r in reversed(rows):
                x, letter, k = r.rstrip("\n").split(",")
                f.write("%s,%s,%s\n" % (k, letter, x))
        with open(cls.big_semicolon, "w") as f:
            f.write("x;letter;k\n")
            f.writelines(r.replace(",", ";") for r in rows)

    def test_exact_bins_after_second_pass(self):
        for method in ("psi", "jensen_shannon", "hellinger", "kl", "chi2"):
            doc = self.drift_json(self.big, self.big_reversed, "--method", method,
                                  "--fail-on-drift")
            self.assertEqual([c["name"] for c in doc["columns"]], ["x", "letter", "k"])
            for c in doc["columns"]:
                self.assertEqual(c["method"], method)
                self.assertEqual(c["statistic"], 0.0, "%s %s" % (method, c["name"]))
                self.assertEqual(c["reference_rows"], self.ROWS)
                self.assertEqual(c["current_rows"], self.ROWS)
                if method == "chi2":
                    self.assertEqual(c["p_value"], 1.0)
            self.assertIs(doc["dataset_drift"], False)

    def test_defaults_for_large_references(self):
        doc = self.drift_json(self.big, self.big_reversed)
        methods = {c["name"]: c["method"] for c in doc["columns"]}
        # more than 1000 reference rows: distances; k has 9 distinct values
        self.assertEqual(methods, {"x": "wasserstein", "letter": "jensen_shannon",
                                   "k": "wasserstein"})
        x = doc["columns"][0]
        # from the quantile sketches: within (eps_ref + eps_cur)(max - min)/std
        # (about 2 * 0.0133 * sqrt(12) for uniform values)
        self.assertIs(x["exact"], False)
        self.assertLessEqual(x["statistic"], 2 * 0.0133 * math.sqrt(12.0))
        self.assertEqual(doc["columns"][1]["statistic"], 0.0)
        self.assertIs(doc["dataset_drift"], False)

    def test_delimiter(self):
        a = self.drift_json(self.big, self.big_reversed, "--method", "psi")
        b = self.drift_json(self.big_semicolon, self.big_reversed, "--method", "psi",
                            "--delimiter", "auto")
        self.assertEqual(a["columns"], b["columns"])


class Errors(Base):
    def small(self):
        c = REFERENCE["small"]
        return at_root(c["reference"]), at_root(c["current"])

    def test_usage_errors(self):
        ref, cur = self.small()
        cases = [
            ([], "--reference"),
            (["--reference", ref], "--current"),
            (["--current", cur], "--reference"),
            (["--reference", ref, "--reference-profile", ref, "--current", cur], "both"),
            (["--reference", ref, "--current", cur, "--frobnicate"], "--frobnicate"),
            (["--reference", ref, "--current", cur, "extra.csv"], "extra.csv"),
            (["--reference", ref, "--current"], "--current"),
            (["--reference", ref, "--current", cur, "--json=yes"], "--json"),
            (["--reference", ref, "--current", cur, "--bins", "0"], "bins"),
            (["--reference", ref, "--current", cur, "--bins", "many"], "bins"),
            (["--reference-profile", ref, "--current", cur, "--bins", "4"], "--bins"),
            (["--reference", ref, "--current", cur, "--correction", "bonferoni"], "bonferoni"),
            (["--reference", ref, "--current", cur, "--drift-share", "0"], "--drift-share"),
            (["--reference", ref, "--current", cur, "--drift-share", "1.5"], "--drift-share"),
            (["--reference", ref, "--current", cur, "--method", "kss"], "kss"),
            (["--reference", ref, "--current", cur, "--method", "ks:abc"], "abc"),
            (["--reference", ref, "--current", cur, "--method", "ks:nan"], "nan"),
            (["--reference", ref, "--current", cur, "--method", "ks:1.5"], "--method"),
            (["--reference", ref, "--current", cur, "--method", "psi:-1"], "--method"),
            (["--reference", ref, "--current", cur, "--method", ":0.1"], "--method"),
            (["--reference", ref, "--current", cur, "--column", "a"], "NAME=METHOD"),
            (["--reference", ref, "--current", cur, "--column", "=ks"], "NAME=METHOD"),
            (["--reference", ref, "--current", cur, "--column", "a=wassersten"], "wassersten"),
            (["--reference", ref, "--current", cur, "--delimiter", "ab"], "--delimiter"),
            # found once the reference is read
            (["--reference", ref, "--current", cur, "--column", "colour=chi2"], "color"),
            (["--reference", ref, "--current", cur, "--column", "color=ks"], "color"),
        ]
        for args, needle in cases:
            err = self.fails(2, "drift", *args)
            self.assertIn(needle, err, args)
            self.assertIn("mlops drift --help", err, args)
        # option errors are found before a file is read
        err = self.fails(2, "drift", "--reference", self.path("absent.csv"), "--current", cur,
                         "--correction", "some")
        self.assertNotIn("absent.csv", err)

    def test_missing_files(self):
        ref, cur = self.small()
        absent = self.path("absent.csv")
        err = self.fails(3, "drift", "--reference", absent, "--current", cur)
        self.assertIn(absent, err)
        err = self.fails(3, "drift", "--reference", ref, "--current", absent)
        self.assertIn(absent, err)
        err = self.fails(3, "drift", "--reference-profile", absent, "--current", cur)
        self.assertIn(absent, err)
        # the profile cannot be saved into a missing directory
        err = self.fails(3, "drift", "--reference", ref, "--current", cur,
                         "--save-reference", self.path("no/such/dir/ref.profile"))
        self.assertIn("no/such/dir", err)

    def test_current_lacks_a_reference_column(self):
        ref, cur = self.small()
        lacking = self.path("no_b.csv")
        with open(cur) as src, open(lacking, "w") as dst:
            for line in src:
                fields = line.rstrip("\n").split(",")
                del fields[4]  # b
                dst.write(",".join(fields) + "\n")
        err = self.fails(3, "drift", "--reference", ref, "--current", lacking)
        self.assertIn("'b'", err)
        self.assertIn("reference", err)

    def test_current_column_of_another_type(self):
        # a numeric reference column is read as numeric in the current file
        ref, cur = self.small()
        text = self.path("text_in_a.csv")
        with open(cur) as src, open(text, "w") as dst:
            for i, line in enumerate(src):
                if i == 40:
                    line = line.rsplit(",", 1)[0] + ",high\n"
                dst.write(line)
        err = self.fails(3, "drift", "--reference", ref, "--current", text)
        self.assertIn("high", err)
        self.assertIn(":41:", err)  # line 41 of the file

    def test_empty_current_file(self):
        ref, _ = self.small()
        empty = self.path("empty.csv")
        with open(empty, "w"):
            pass
        err = self.fails(3, "drift", "--reference", ref, "--current", empty)
        self.assertIn(empty, err)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    MLOPS = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
