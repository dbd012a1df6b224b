"""Setting up the Python binding: where libmlops and the mlops tool are found
(and the error listing every place tried when they are not), the exception
class of every status code, the log callback, `python3 -m mlops`, and the
packaging (pyproject.toml, pip install without network).

Run by meson with MLOPS_LIBRARY pointing at the built library, under the
python3 on PATH and under /usr/bin/python3; by hand:
  MLOPS_LIBRARY=build/lib/libmlops.so python3 tests/python/test_binding_setup.py

The finding order is checked in subprocesses running copies of the package:
one inside a fake source checkout whose build tree links to the built
library, one outside any checkout. Installed copies of libmlops are hidden
from those subprocesses (by refusing bare library names in ctypes) so the
tests do not depend on what the machine has installed."""
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PYTHON_DIR = os.path.join(ROOT, "bindings", "python")
sys.path.insert(0, PYTHON_DIR)
import mlops  # noqa: E402
from mlops import _locate, _native  # noqa: E402

IRIS = os.path.join(ROOT, "tests", "data", "real", "iris.csv")
LIBRARY = os.path.realpath(mlops.library_path()) if os.sep in mlops.library_path() else None
# What MLOPS_LIBRARY is set to in subprocesses that must find the library.
LIBRARY_ENV = LIBRARY or mlops.library_path()
# The tool built beside the library (<build>/lib -> <build>/examples/mlops).
CLI = (os.path.join(os.path.dirname(os.path.dirname(LIBRARY)), "examples", "mlops")
       if LIBRARY else None)
if CLI and not os.access(CLI, os.X_OK):
    CLI = None

# Makes the subprocess behave as if libmlops were not installed: bare names
# (resolved by the system's library search) fail, find_library finds nothing.
HIDE_INSTALLED = """
import ctypes, ctypes.util
class _CDLL(ctypes.CDLL):
    def __init__(self, name, *args, **kwargs):
        if name and '/' not in name:
            raise OSError(name + ': hidden by the test')
        super().__init__(name, *args, **kwargs)
ctypes.CDLL = _CDLL
ctypes.util.find_library = lambda name: None
"""

# Every status code of include/mlops/errors.h: class, built-in base, C name.
EXPECTED = {
    -1: (mlops.InvalidArgument, ValueError, "MLOPS_EINVAL"),
    -2: (mlops.OutOfMemory, MemoryError, "MLOPS_ENOMEM"),
    -3: (mlops.IOFailure, OSError, "MLOPS_EIO"),
    -4: (mlops.FormatError, None, "MLOPS_EFORMAT"),
    -5: (mlops.CorruptError, None, "MLOPS_ECORRUPT"),
    -6: (mlops.VersionError, None, "MLOPS_EVERSION"),
    -7: (mlops.StateError, None, "MLOPS_ESTATE"),
    -8: (mlops.NotFound, LookupError, "MLOPS_ENOTFOUND"),
    -9: (mlops.GateError, None, "MLOPS_EGATE"),
    -10: (mlops.Canceled, None, "MLOPS_ECANCELED"),
    -11: (mlops.RangeError, ValueError, "MLOPS_ERANGE"),
    -12: (mlops.NumericError, None, "MLOPS_ENUMERIC"),
    -13: (mlops.Unsupported, None, "MLOPS_EUNSUPPORTED"),
}


def _copy_package(dest):
    shutil.copytree(os.path.join(PYTHON_DIR, "mlops"), os.path.join(dest, "mlops"),
                    ignore=shutil.ignore_patterns("__pycache__"))


def _run(args, pythonpath, env=None, preamble=None, cwd=None):
    """Runs this Python with `args` (or `-c preamble + code`), the package
    taken from `pythonpath`, MLOPS_LIBRARY and MLOPS_CLI unset unless given."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("MLOPS_LIBRARY", "MLOPS_CLI")}
    full_env["PYTHONPATH"] = pythonpath
    full_env.update(env or {})
    if preamble is not None:
        args = ["-c", preamble + args[1]] if args[0] == "-c" else args
    return subprocess.run([sys.executable] + list(args), env=full_env, cwd=cwd or HERE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120)


class _TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mlops-setup-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def fake_checkout(self, build="build", lib_names=("libmlops.so.1",), cli=False):
        """<tmp>/root: a source checkout holding a copy of the package, with
        <build>/lib/NAME linked to the built library for each NAME."""
        root = os.path.join(self.tmp, "root")
        os.makedirs(os.path.join(root, "bindings", "python"), exist_ok=True)
        open(os.path.join(root, "meson.build"), "w").close()
        if not os.path.isdir(os.path.join(root, "bindings", "python", "mlops")):
            _copy_package(os.path.join(root, "bindings", "python"))
        for name in lib_names:
            os.makedirs(os.path.join(root, build, "lib"), exist_ok=True)
            os.symlink(LIBRARY, os.path.join(root, build, "lib", name))
        if cli:
            os.makedirs(os.path.join(root, build, "examples"), exist_ok=True)
            os.symlink(CLI, os.path.join(root, build, "examples", "mlops"))
        return root

    def outside_copy(self):
        """<tmp>/pkg/mlops: the package outside any source checkout."""
        _copy_package(os.path.join(self.tmp, "pkg"))
        return os.path.join(self.tmp, "pkg")

    def assert_in_order(self, text, *pieces):
        at = -1
        for piece in pieces:
            found = text.find(piece, at + 1)
            self.assertGreater(found, at, "%r missing or out of order in:\n%s" % (piece, text))
            at = found


@unittest.skipIf(LIBRARY is None, "the library was loaded by a bare name, not from a file")
class LibraryFinding(_TempDirTest):
    PRINT_PATH = "import mlops; print(mlops.library_path())"

    def test_environment_variable_comes_first(self):
        if "MLOPS_LIBRARY" in os.environ:
            self.assertEqual(os.path.realpath(mlops.library_path()),
                             os.path.realpath(os.environ["MLOPS_LIBRARY"]))
        root = self.fake_checkout()
        r = _run(["-W", "error", "-c", self.PRINT_PATH], os.path.join(root, "bindings", "python"),
                 {"MLOPS_LIBRARY": LIBRARY})
        self.assertEqual((r.returncode, r.stdout.strip(), r.stderr), (0, LIBRARY, ""))

    def test_directory_in_environment_variable(self):
        r = _run(["-c", self.PRINT_PATH], self.outside_copy(),
                 {"MLOPS_LIBRARY": os.path.dirname(LIBRARY)})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.path.realpath(r.stdout.strip()), LIBRARY)

    def test_bad_environment_variable_falls_through_to_the_build_tree(self):
        root = self.fake_checkout()
        r = _run(["-W", "always", "-c", self.PRINT_PATH],
                 os.path.join(root, "bindings", "python"),
                 {"MLOPS_LIBRARY": "/nonexistent/libmlops.so.1"}, HIDE_INSTALLED)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(root, "build", "lib", "libmlops.so.1"))
        self.assertIn("RuntimeWarning: MLOPS_LIBRARY=/nonexistent/libmlops.so.1 is not usable "
                      "(no such file); using %s instead"
                      % os.path.join(root, "build", "lib", "libmlops.so.1"), r.stderr)

    def test_build_tree_without_environment_variable(self):
        root = self.fake_checkout()
        r = _run(["-W", "error", "-c", self.PRINT_PATH], os.path.join(root, "bindings", "python"),
                 preamble=HIDE_INSTALLED)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertEqual(r.stdout.strip(), os.path.join(root, "build", "lib", "libmlops.so.1"))

    def test_other_build_directories_after_build(self):
        root = self.fake_checkout(build="build-release", lib_names=("libmlops.so",))
        os.makedirs(os.path.join(root, "build", "lib"))     # configured, never built
        r = _run(["-c", self.PRINT_PATH], os.path.join(root, "bindings", "python"),
                 preamble=HIDE_INSTALLED)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(),
                         os.path.join(root, "build-release", "lib", "libmlops.so"))

    def test_nothing_found_lists_every_place_and_the_fixes(self):
        pkg = self.outside_copy()
        r = _run(["-c", "import mlops"], pkg, {"MLOPS_LIBRARY": "/nonexistent"}, HIDE_INSTALLED)
        self.assertNotEqual(r.returncode, 0)
        self.assert_in_order(
            r.stderr, "ImportError: cannot load libmlops",
            "Places tried, in order:",
            "1. $MLOPS_LIBRARY=/nonexistent: no such file",
            "2. build tree: this package (%s) is not inside a source checkout"
            % os.path.join(pkg, "mlops"),
            "3. installed libmlops.so.1 (system library search path): libmlops.so.1: hidden by "
            "the test",
            '4. ctypes.util.find_library("mlops"): found nothing',
            "To fix it, do one of:",
            "meson setup build && ninja -C build",
            "export MLOPS_LIBRARY=/path/to/libmlops.so.1",
            "meson install -C build")

    def test_checkout_without_a_built_library_lists_the_build_tree_paths(self):
        root = self.fake_checkout(lib_names=())
        r = _run(["-c", "import mlops"], os.path.join(root, "bindings", "python"),
                 preamble=HIDE_INSTALLED)
        self.assertNotEqual(r.returncode, 0)
        self.assert_in_order(
            r.stderr, "1. $MLOPS_LIBRARY: not set",
            "2. build tree %s: no such file" % os.path.join(root, "build", "lib", "libmlops.so.1"),
            "3. build tree %s: no such file" % os.path.join(root, "build", "lib", "libmlops.so"),
            "4. installed libmlops.so.1", '5. ctypes.util.find_library("mlops")')

    def test_without_installed_library_for_real(self):
        # The same, without hiding anything, where libmlops is not installed
        # (asked in a fresh process: this one has libmlops.so.1 loaded).
        probe = ("import ctypes, ctypes.util\n"
                 "try:\n    ctypes.CDLL('libmlops.so.1')\nexcept OSError:\n"
                 "    print(ctypes.util.find_library('mlops'))\n")
        quiet = {"LD_LIBRARY_PATH": ""}     # meson points it at the build tree
        if _run(["-c", probe], self.tmp, quiet).stdout.strip() != "None":
            self.skipTest("libmlops is installed on this machine")
        r = _run(["-c", "import mlops"], self.outside_copy(),
                 dict(quiet, MLOPS_LIBRARY="/nonexistent"))
        self.assert_in_order(r.stderr, "$MLOPS_LIBRARY=/nonexistent: no such file",
                             "build tree: this package", "installed libmlops.so.1",
                             "cannot open shared object file",
                             'ctypes.util.find_library("mlops"): found nothing')

    def test_the_loaders_reason_is_given(self):
        junk = os.path.join(self.tmp, "libjunk.so")
        with open(junk, "w") as f:
            f.write("not a shared library\n")
        r = _run(["-c", "import mlops"], self.outside_copy(), {"MLOPS_LIBRARY": junk},
                 HIDE_INSTALLED)
        self.assertIn("1. $MLOPS_LIBRARY=%s: %s: " % (junk, junk), r.stderr)
        self.assertRegex(r.stderr, "invalid ELF header|file too short")

    def test_a_library_that_is_not_libmlops(self):
        import _ctypes
        other = getattr(_ctypes, "__file__", None)
        if not other:
            self.skipTest("_ctypes is built into this Python")
        r = _run(["-c", "import mlops"], self.outside_copy(), {"MLOPS_LIBRARY": other},
                 HIDE_INSTALLED)
        self.assertIn("$MLOPS_LIBRARY=%s: not libmlops (it has no mlops_version_check)" % other,
                      r.stderr)

    def test_sanitized_builds_are_passed_over(self):
        # Loading one would abort the interpreter; its runtime name in the
        # file is enough to refuse it.
        fake = os.path.join(self.tmp, "libmlops.so")
        with open(fake, "wb") as f:
            f.write(b"\x7fELF\x02\x01\x01" + b"\0" * 64 + b"libasan.so.8\0libm.so.6\0")
        self.assertEqual(_locate._sanitizer_runtime(fake), "libasan.so")
        self.assertIsNone(_locate._sanitizer_runtime(LIBRARY))
        root = self.fake_checkout(build="build-other", lib_names=("libmlops.so",))
        os.makedirs(os.path.join(root, "build", "lib"))
        shutil.copy(fake, os.path.join(root, "build", "lib", "libmlops.so.1"))
        r = _run(["-W", "always", "-c", self.PRINT_PATH],
                 os.path.join(root, "bindings", "python"), {"MLOPS_LIBRARY": fake},
                 HIDE_INSTALLED)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(root, "build-other", "lib", "libmlops.so"))
        self.assertIn("built with a sanitizer: it needs libasan.so loaded first", r.stderr)

    def test_version_mismatch_message(self):
        self.assertIsNone(_locate.abi_problem(_native.lib, _native.ABI_MAJOR, _native.ABI_MINOR))
        found = mlops.version_string()
        self.assertEqual(_locate.abi_problem(_native.lib, 0, 9),
                         "it is libmlops %s, but this mlops package needs libmlops 0.9.x (the "
                         "ABI may change between 0.x minor versions)" % found)
        self.assertEqual(_locate.abi_problem(_native.lib, 1, 9),
                         "it is libmlops %s, but this mlops package needs libmlops 1.9 or a "
                         "newer 1.x" % found)
        with self.assertRaises(ImportError) as caught:
            _locate.require_abi(_native.lib, 1, 9)
        self.assert_in_order(str(caught.exception), "libmlops at %s cannot be used"
                             % mlops.library_path(), "it is libmlops %s" % found,
                             "needs libmlops 1.9 or a newer 1.x", "ninja -C build", "MLOPS_LIBRARY",
                             "install")

    def test_version_mismatch_while_finding(self):
        # _locate.py loaded on its own, asked for an ABI the library lacks.
        root = self.fake_checkout()
        locate = os.path.join(root, "bindings", "python", "mlops", "_locate.py")
        code = ("import importlib.util as u\n"
                "s = u.spec_from_file_location('locate', %r)\n"
                "m = u.module_from_spec(s); s.loader.exec_module(m)\n"
                "m.load_library(1, 9)\n" % locate)
        r = _run(["-c", code], self.tmp, {"MLOPS_LIBRARY": LIBRARY}, HIDE_INSTALLED)
        why = "it is libmlops %s, but this mlops package needs libmlops 1.9 or a newer 1.x" \
              % mlops.version_string()
        self.assert_in_order(r.stderr, "1. $MLOPS_LIBRARY=%s: %s" % (LIBRARY, why),
                             "2. build tree %s: %s"
                             % (os.path.join(root, "build", "lib", "libmlops.so.1"), why))


class ErrorClasses(unittest.TestCase):
    def test_every_status_code_of_the_header_has_its_class(self):
        with open(os.path.join(ROOT, "include", "mlops", "errors.h")) as f:
            header = dict((int(code), "MLOPS_E" + name)
                          for name, code in re.findall(r"MLOPS_E(\w+) = (-\d+)", f.read()))
        self.assertEqual(header, {code: row[2] for code, row in EXPECTED.items()})

    def test_each_code_maps_to_its_class(self):
        for code, (cls, builtin, symbol) in EXPECTED.items():
            with self.subTest(code=code):
                e = mlops.Error(code, "what failed")
                self.assertIs(type(e), cls)
                self.assertIs(mlops.error_class(code), cls)
                self.assertIsInstance(e, mlops.Error)
                self.assertIsInstance(e, mlops.MlopsError)
                if builtin is not None:
                    self.assertIsInstance(e, builtin)
                self.assertEqual((e.code, e.symbol, cls.code, cls.symbol),
                                 (code, symbol, code, symbol))
                name = _native.lib.mlops_strerror(code).decode()
                self.assertEqual((e.name, e.message, str(e)),
                                 (name, "what failed", "what failed (%s)" % name))
                with self.assertRaises(cls) as caught:
                    mlops.check(code)
                self.assertEqual(caught.exception.code, code)
                self.assertIs(getattr(mlops, cls.__name__), cls)

    def test_builtin_bases(self):
        self.assertTrue(issubclass(mlops.NotFound, LookupError))
        self.assertTrue(issubclass(mlops.IOFailure, OSError))
        self.assertTrue(issubclass(mlops.OutOfMemory, MemoryError))
        self.assertTrue(issubclass(mlops.InvalidArgument, ValueError))
        self.assertTrue(issubclass(mlops.RangeError, ValueError))
        self.assertFalse(issubclass(mlops.StateError, ValueError))
        self.assertIs(mlops.MlopsError, mlops.Error)
        self.assertTrue(issubclass(mlops.GateFailed, mlops.GateError))

    def test_unknown_code(self):
        e = mlops.Error(-99, "odd")
        self.assertIs(type(e), mlops.Error)
        self.assertEqual((e.code, e.symbol, e.name), (-99, None, "unknown error code"))
        self.assertIs(mlops.error_class(-99), mlops.Error)
        self.assertIsNone(mlops.check(0))
        self.assertIsNone(mlops.check(3))

    def test_subclass_from_a_message_alone(self):
        e = mlops.NotFound("column 'x' does not exist")
        self.assertEqual((e.code, e.message, str(e)),
                         (-8, "column 'x' does not exist", "column 'x' does not exist (not found)"))
        self.assertEqual(str(mlops.StateError()), _native.lib.mlops_strerror(-7).decode())

    def test_the_c_message_is_carried(self):
        with self.assertRaises(mlops.InvalidArgument) as caught:
            mlops.Model("no_such_kind")
        c_text = _native.lib.mlops_last_error().decode()
        self.assertEqual(caught.exception.message, c_text)
        self.assertIn("unknown model kind 'no_such_kind'", c_text)
        self.assertEqual(str(caught.exception), "%s (invalid argument)" % c_text)
        missing = os.path.join(tempfile.gettempdir(), "mlops-no-such-file.csv")
        with self.assertRaises(LookupError) as caught:
            mlops.Dataset.read_csv(missing)
        self.assertIsInstance(caught.exception, mlops.NotFound)
        self.assertIn(missing, caught.exception.message)
        with self.assertRaises(mlops.VersionError) as caught:
            mlops.check(_native.lib.mlops_version_check(0x7F0000))
        self.assertIn("compiled against libmlops 127.0.0", caught.exception.message)

    def test_a_stale_message_is_not_attached(self):
        with self.assertRaises(mlops.InvalidArgument):
            mlops.Model("no_such_kind")
        with self.assertRaises(mlops.Canceled) as caught:
            mlops.check(-10)        # the library recorded EINVAL, not ECANCELED
        self.assertEqual((caught.exception.message, str(caught.exception)), ("", "canceled"))

    def test_pickling_keeps_class_code_and_message(self):
        for e in (mlops.Error(-3, "disk"), mlops.NotFound("col"), mlops.Error(-2, "big"),
                  mlops.GateFailed(-9, "gate accuracy >= 0.9 failed", {"passed": False})):
            with self.subTest(error=type(e).__name__):
                back = pickle.loads(pickle.dumps(e))
                self.assertIs(type(back), type(e))
                self.assertEqual((back.code, back.message, back.name, str(back)),
                                 (e.code, e.message, e.name, str(e)))
        self.assertEqual(back.summary, {"passed": False})

    def test_tracebacks_name_the_public_class(self):
        self.assertEqual(mlops.NotFound.__module__, "mlops")
        self.assertEqual(repr(mlops.NotFound("x")), "NotFound('x (not found)')")


@unittest.skipUnless(os.path.isfile(IRIS), "tests/data/real/iris.csv is missing")
class Logger(unittest.TestCase):
    def setUp(self):
        self.messages = []
        self.addCleanup(mlops.set_logger, None)

    def collect(self, level, message):
        self.messages.append((level, message))

    def fit_iris(self):
        iris = mlops.Dataset.read_csv(IRIS, {"role.species": "target"})
        with iris, mlops.Model("logistic_regression", l2=1e-2) as model:
            model.fit(iris)

    def test_receives_messages_and_can_be_removed(self):
        mlops.set_logger(self.collect, "debug")
        self.assertEqual(mlops.get_logger(), (self.collect, "debug"))
        with self.assertRaises(mlops.InvalidArgument):
            mlops.Model("no_such_kind")
        self.assertIn(("debug", "mlops_model_create: unknown model kind 'no_such_kind' (kinds: "
                       "linear_regression, logistic_regression) (invalid argument)"),
                      self.messages)
        self.fit_iris()
        infos = [m for level, m in self.messages if level == "info"]
        self.assertTrue(any(m.startswith("logistic_regression fitted: ") for m in infos),
                        self.messages)
        mlops.set_logger(None)
        self.assertEqual(mlops.get_logger(), (None, None))
        count = len(self.messages)
        with self.assertRaises(mlops.InvalidArgument):
            mlops.Model("no_such_kind")
        self.fit_iris()
        self.assertEqual(len(self.messages), count)

    def test_level_filters(self):
        mlops.set_logger(self.collect, "warning")
        with self.assertRaises(mlops.InvalidArgument):
            mlops.Model("no_such_kind")
        self.fit_iris()
        self.assertEqual([m for m in self.messages if m[0] in ("debug", "info")], [])
        mlops.set_logger(self.collect, 3)
        self.fit_iris()
        self.assertTrue(any(level == "info" for level, _ in self.messages))

    def test_context_manager_restores_the_previous_logger(self):
        outer = []
        mlops.set_logger(lambda level, message: outer.append(message), "debug")
        with mlops.set_logger(self.collect, "debug") as scope:
            self.assertEqual(mlops.get_logger()[0], self.collect)
            with self.assertRaises(mlops.NotFound):
                mlops.Dataset.read_csv("/nonexistent/data.csv")
        self.assertTrue(any("/nonexistent/data.csv" in m for _, m in self.messages))
        self.assertEqual(outer, [])
        with self.assertRaises(mlops.NotFound):
            mlops.Dataset.read_csv("/nonexistent/data.csv")
        self.assertEqual(len(outer), 1)
        scope.restore()     # restoring twice is harmless
        mlops.set_logger(None)

    def test_exceptions_in_the_callback_become_warnings(self):
        def broken(level, message):
            raise ZeroDivisionError("callback bug")
        mlops.set_logger(broken, "debug")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with self.assertRaises(mlops.InvalidArgument):
                mlops.Model("no_such_kind")
        texts = [str(w.message) for w in caught if w.category is RuntimeWarning]
        self.assertTrue(any("raised ZeroDivisionError: callback bug" in t and
                            "unknown model kind 'no_such_kind'" in t for t in texts), texts)
        # warnings that are errors cannot escape either
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            self.fit_iris()

    def test_messages_from_another_thread(self):
        mlops.set_logger(self.collect, "info")
        worker = threading.Thread(target=self.fit_iris)
        worker.start()
        worker.join()
        self.assertTrue(any(m.startswith("logistic_regression fitted") for _, m in self.messages))

    def test_bad_arguments(self):
        for level in ("loud", 0, 5, None, True):
            with self.subTest(level=level):
                with self.assertRaises(mlops.InvalidArgument) as caught:
                    mlops.set_logger(self.collect, level)
                self.assertIn("'error', 'warn', 'info', 'debug'", str(caught.exception))
        with self.assertRaises(ValueError):
            mlops.set_logger("print")
        self.assertEqual(mlops.get_logger(), (None, None))
        self.assertEqual(mlops.LOG_LEVELS, {"error": 1, "warn": 2, "info": 3, "debug": 4})


class CommandLine(_TempDirTest):
    """python3 -m mlops: the mlops tool when it is found, else only version."""

    def no_cli_env(self):
        empty = os.path.join(self.tmp, "empty-bin")
        os.makedirs(empty, exist_ok=True)
        return {"MLOPS_LIBRARY": LIBRARY_ENV, "MLOPS_CLI": "/nonexistent/mlops",
                "PATH": empty}

    def test_version(self):
        r = _run(["-m", "mlops", "version"], PYTHON_DIR,
                 {"MLOPS_LIBRARY": LIBRARY_ENV})
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, "mlops %s\n" % mlops.version_string(), ""))

    def test_version_without_the_tool(self):
        for arg in ("version", "--version"):
            r = _run(["-m", "mlops", arg], self.outside_copy() if arg == "version"
                     else os.path.join(self.tmp, "pkg"), self.no_cli_env())
            self.assertEqual((r.returncode, r.stdout, r.stderr),
                             (0, "mlops %s\n" % mlops.version_string(), ""))

    @unittest.skipIf(CLI is None, "the mlops tool was not built beside the library")
    def test_help_runs_the_tool(self):
        r = _run(["-m", "mlops", "--help"], PYTHON_DIR,
                 {"MLOPS_LIBRARY": LIBRARY_ENV, "MLOPS_CLI": CLI})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_in_order(r.stdout, "usage: mlops <command> [options]", "commands:",
                             "train", "predict", "version")
        direct = subprocess.run([CLI, "--help"], stdout=subprocess.PIPE,
                                universal_newlines=True)
        self.assertEqual(r.stdout, direct.stdout)

    @unittest.skipIf(CLI is None, "the mlops tool was not built beside the library")
    def test_exit_status_and_arguments_pass_through(self):
        r = _run(["-m", "mlops", "no-such-command", "--x"], PYTHON_DIR,
                 {"MLOPS_LIBRARY": LIBRARY_ENV, "MLOPS_CLI": CLI})
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown command 'no-such-command'", r.stderr)
        r = _run(["-m", "mlops", "profile", IRIS, "--json"], PYTHON_DIR,
                 {"MLOPS_LIBRARY": LIBRARY_ENV, "MLOPS_CLI": CLI})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("sepal_length", r.stdout)

    @unittest.skipIf(CLI is None or LIBRARY is None, "the mlops tool was not built")
    def test_tool_found_in_the_build_tree(self):
        root = self.fake_checkout(cli=True)
        env = self.no_cli_env()
        del env["MLOPS_CLI"]
        r = _run(["-m", "mlops", "help"], os.path.join(root, "bindings", "python"), env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("usage: mlops <command> [options]", r.stdout)

    def test_help_without_the_tool_says_where_it_looked(self):
        pkg = self.outside_copy()
        r = _run(["-m", "mlops", "--help"], pkg, self.no_cli_env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_in_order(r.stdout, "usage: python3 -m mlops <command> [options]",
                             "only `version` works here",
                             "1. $MLOPS_CLI=/nonexistent/mlops: no such file",
                             "2. build tree: this package (%s) is not inside a source checkout"
                             % os.path.join(pkg, "mlops"),
                             "3. PATH (%s): no mlops executable" % self.no_cli_env()["PATH"],
                             "meson setup build && ninja -C build",
                             "export MLOPS_CLI=/path/to/mlops", "meson install -C build")

    def test_commands_without_the_tool_fail_clearly(self):
        pkg = self.outside_copy()
        not_executable = os.path.join(self.tmp, "mlops-tool")
        open(not_executable, "w").close()
        env = dict(self.no_cli_env(), MLOPS_CLI=not_executable)
        r = _run(["-m", "mlops", "train", "--data", "x.csv"], pkg, env)
        self.assertEqual((r.returncode, r.stdout), (127, ""))
        self.assert_in_order(r.stderr, "python3 -m mlops train: the mlops command-line tool "
                             "was not found",
                             "1. $MLOPS_CLI=%s: not an executable file" % not_executable,
                             "2. build tree", "3. PATH", "To get it")
        r = _run(["-m", "mlops"], pkg, env)
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage: python3 -m mlops", r.stderr)

    def test_checkout_without_a_built_tool(self):
        root = self.fake_checkout(lib_names=())
        env = self.no_cli_env()
        del env["MLOPS_CLI"]
        r = _run(["-m", "mlops", "run", "p.yaml"], os.path.join(root, "bindings", "python"), env)
        self.assertEqual(r.returncode, 127)
        self.assert_in_order(r.stderr, "1. $MLOPS_CLI: not set",
                             "2. build tree %s: no such file"
                             % os.path.join(root, "build", "examples", "mlops"))


class Packaging(_TempDirTest):
    def meson_version(self):
        with open(os.path.join(ROOT, "meson.build")) as f:
            return re.search(r"version\s*:\s*'([^']+)'", f.read()).group(1)

    def test_pyproject(self):
        try:
            import tomllib
        except ImportError:
            self.skipTest("tomllib needs Python 3.11")
        with open(os.path.join(PYTHON_DIR, "pyproject.toml"), "rb") as f:
            project = tomllib.load(f)
        self.assertEqual(project["build-system"]["build-backend"], "mlops_build")
        self.assertEqual(project["build-system"]["requires"], [])
        meta = project["project"]
        self.assertEqual(meta["version"], self.meson_version())
        self.assertEqual(meta["version"], mlops.version_string())
        self.assertEqual(meta["dependencies"], [])
        self.assertEqual(sorted(meta["optional-dependencies"]), ["numpy", "pandas"])

    def test_meson_installs_the_package(self):
        with open(os.path.join(ROOT, "meson.build")) as f:
            self.assertIn("subdir('bindings')", f.read().split())
        with open(os.path.join(ROOT, "bindings", "meson.build")) as f:
            text = f.read()
        self.assertIn("install_subdir('python/mlops'", text)
        self.assertIn("required : false", text)

    def test_pip_install_without_network(self):
        # the in-tree backend needs nothing downloaded, so pip's own isolated
        # build works with the package index switched off
        if subprocess.run([sys.executable, "-m", "pip", "--version"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode:
            self.skipTest("this Python has no pip")
        src = os.path.join(self.tmp, "src")
        os.makedirs(src)
        shutil.copy(os.path.join(PYTHON_DIR, "pyproject.toml"), src)
        shutil.copytree(os.path.join(PYTHON_DIR, "build_backend"), os.path.join(src, "build_backend"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        _copy_package(src)
        target = os.path.join(self.tmp, "site")
        r = subprocess.run([sys.executable, "-m", "pip", "install",
                            "--no-deps", "--no-index", "--disable-pip-version-check",
                            "--target", target, src], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout)
        installed = sorted(n for n in os.listdir(os.path.join(target, "mlops"))
                           if n.endswith(".py"))
        self.assertEqual(installed, sorted(n for n in os.listdir(os.path.join(src, "mlops"))
                                           if n.endswith(".py")))
        with open(os.path.join(target, "libmlops-%s.dist-info" % self.meson_version(),
                               "METADATA")) as f:
            self.assertIn("Version: %s" % self.meson_version(), f.read())
        r = _run(["-c", "import mlops; print(mlops.__file__, mlops.version_string())"], target,
                 {"MLOPS_LIBRARY": LIBRARY_ENV})
        self.assertEqual(r.stdout.split(), [os.path.join(target, "mlops", "__init__.py"),
                                            mlops.version_string()], r.stderr)


if __name__ == "__main__":
    unittest.main()
