"""Finding the pieces of libmlops this package runs: the shared library (for
the binding) and the `mlops` executable (for ``python3 -m mlops``).

Both are looked for in the same order: an environment variable naming the
file, the build tree of the source checkout this package sits in (the
package is <root>/bindings/python/mlops, the build tree <root>/build*), then
what is installed. When nothing fits, the error lists every place tried with
the reason it was refused, and says how to fix it: a bare "library not
found" is where users of ctypes bindings most often get stuck."""
import ctypes
import ctypes.util
import glob
import os
import shutil
import warnings

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

# A library built with AddressSanitizer or ThreadSanitizer aborts the whole
# interpreter when loaded into an uninstrumented Python (the runtime must come
# first), so such a library is refused before dlopen() ever sees it.
_SANITIZER_RUNTIMES = (b"libasan.so", b"libtsan.so", b"libclang_rt.asan", b"libclang_rt.tsan")


def source_root():
    """The root of the source checkout holding this package, or None when
    the package is not at <root>/bindings/python/mlops (it was installed)."""
    python_dir = os.path.dirname(PACKAGE_DIR)
    bindings_dir = os.path.dirname(python_dir)
    if (os.path.basename(python_dir) != "python" or os.path.basename(bindings_dir) != "bindings"):
        return None
    root = os.path.dirname(bindings_dir)
    if not os.path.isfile(os.path.join(root, "meson.build")):
        return None
    return root


def _build_dirs(root):
    """<root>/build first, then the other <root>/build* directories by name."""
    others = sorted(d for d in glob.glob(os.path.join(root, "build?*")) if os.path.isdir(d))
    return [os.path.join(root, "build")] + others


def _sanitizer_runtime(path):
    """The sanitizer runtime `path` needs that is not already in this
    process (None when it needs none, or the file cannot be read)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    for runtime in _SANITIZER_RUNTIMES:
        if runtime in data:
            try:
                with open("/proc/self/maps", "rb") as maps:
                    if runtime in maps.read():
                        return None     # preloaded: loading is safe
            except OSError:
                pass
            return runtime.decode()
    return None


class _Attempts:
    """The places tried so far, each with why it was refused."""

    def __init__(self):
        self.rows = []

    def add(self, place, why):
        self.rows.append((place, why))

    def text(self):
        return "\n".join("  %d. %s: %s" % (i + 1, place, why)
                         for i, (place, why) in enumerate(self.rows))


def abi_problem(lib, major, minor):
    """None when `lib` (a loaded libmlops) implements the ABI major.minor this
    binding was written for; otherwise a sentence saying which version was
    found and which is needed."""
    try:
        check = lib.mlops_version_check
        version_string = lib.mlops_version_string
    except AttributeError:
        return "not libmlops (it has no mlops_version_check)"
    check.restype, check.argtypes = ctypes.c_int, [ctypes.c_uint]
    version_string.restype, version_string.argtypes = ctypes.c_char_p, []
    if check((major << 16) | (minor << 8)) == 0:
        return None
    found = (version_string() or b"?").decode("utf-8", "replace")
    if major == 0:
        return ("it is libmlops %s, but this mlops package needs libmlops 0.%d.x (the ABI "
                "may change between 0.x minor versions)" % (found, minor))
    return ("it is libmlops %s, but this mlops package needs libmlops %d.%d or a newer %d.x"
            % (found, major, minor, major))


def _library_candidates(major):
    """(label, path, explicit) in the order tried; path is None for
    find_library, or a string "!why" for a place known to be unusable."""
    out = []
    env = os.environ.get("MLOPS_LIBRARY")
    if not env:
        out.append(("$MLOPS_LIBRARY", "!not set", False))
    elif os.path.isdir(env):
        for name in ("libmlops.so.%d" % major, "libmlops.so"):
            out.append(("$MLOPS_LIBRARY %s" % os.path.join(env, name),
                        os.path.join(env, name), True))
    else:
        out.append(("$MLOPS_LIBRARY=%s" % env, env, True))
    root = source_root()
    if root is None:
        out.append(("build tree", "!this package (%s) is not inside a source checkout "
                    "(<root>/bindings/python/mlops)" % PACKAGE_DIR, False))
    else:
        for build in _build_dirs(root):
            names = ["libmlops.so.%d" % major] if build == os.path.join(root, "build") else []
            for name in names + ["libmlops.so"]:
                path = os.path.join(build, "lib", name)
                out.append(("build tree %s" % path, path, False))
    out.append(("installed libmlops.so.%d (system library search path)" % major,
                "libmlops.so.%d" % major, False))
    out.append(('ctypes.util.find_library("mlops")', None, False))
    return out


def _try_load(path, major, minor):
    """(ctypes.CDLL, None) when `path` is a usable libmlops, else (None, why)."""
    if os.sep in path and not os.path.exists(path):
        return None, "no such file"
    runtime = _sanitizer_runtime(path) if os.sep in path else None
    if runtime is not None:
        return None, ("built with a sanitizer: it needs %s loaded first (run python with "
                      "LD_PRELOAD set to it, or use a build without -Db_sanitize)" % runtime)
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        return None, str(e)
    why = abi_problem(lib, major, minor)
    return (None, why) if why else (lib, None)


def load_library(major, minor):
    """Loads libmlops for the binding's ABI major.minor, trying in order
    $MLOPS_LIBRARY, the build tree next to the source checkout and the
    installed library. Returns the ctypes.CDLL; raises ImportError listing
    every place tried and how to fix it. A set but unusable $MLOPS_LIBRARY
    is passed over with a RuntimeWarning saying why and what is used."""
    attempts = _Attempts()
    explicit_refused = []
    tried = set()
    for label, path, explicit in _library_candidates(major):
        if path is not None and path.startswith("!"):
            attempts.add(label, path[1:])
            continue
        if path is None:
            path = ctypes.util.find_library("mlops")
            if path is None:
                attempts.add(label, "found nothing")
                continue
            label = "%s = %s" % (label, path)
        if path in tried:
            attempts.add(label, "tried above")
            continue
        tried.add(path)
        lib, why = _try_load(path, major, minor)
        if lib is not None:
            lib._mlops_path = path
            if explicit_refused:
                warnings.warn("MLOPS_LIBRARY=%s is not usable (%s); using %s instead"
                              % (os.environ["MLOPS_LIBRARY"], "; ".join(explicit_refused), path),
                              RuntimeWarning, stacklevel=2)
            return lib
        attempts.add(label, why)
        if explicit:
            explicit_refused.append(why)
    raise ImportError(
        "cannot load libmlops, the C library this Python package wraps.\n"
        "Places tried, in order:\n%s\n"
        "To fix it, do one of:\n"
        "  - build it in the source checkout: meson setup build && ninja -C build (the package "
        "then finds build/lib/libmlops.so.%d by itself)\n"
        "  - point MLOPS_LIBRARY at the library file: export MLOPS_LIBRARY=/path/to/"
        "libmlops.so.%d\n"
        "  - install it: meson install -C build && ldconfig (or install your distribution's "
        "libmlops package)" % (attempts.text(), major, major), name="mlops")


def library_path(lib):
    """Where `lib` was loaded from, as it was given to the loader (a path,
    or a bare name resolved by the system's library search)."""
    return getattr(lib, "_mlops_path", None) or lib._name


def require_abi(lib, major, minor):
    """Raises ImportError when `lib` does not implement ABI major.minor,
    naming the version found, the version needed and what to do."""
    why = abi_problem(lib, major, minor)
    if why is None:
        return
    raise ImportError(
        "libmlops at %s cannot be used: %s.\nTo fix it, rebuild the library from the same "
        "checkout as this package (ninja -C build), set MLOPS_LIBRARY to a matching "
        "libmlops.so.%d, or install the mlops package version that matches the installed "
        "library." % (library_path(lib), why, major), name="mlops")


# ---- the command-line tool --------------------------------------------------

def _is_program(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_cli():
    """The `mlops` executable to run for ``python3 -m mlops``: $MLOPS_CLI,
    then the build tree next to the source checkout (<root>/build*/examples/
    mlops), then PATH. Returns (path or None, list of (place, why refused))."""
    attempts = _Attempts()
    env = os.environ.get("MLOPS_CLI")
    if env:
        if _is_program(env):
            return env, attempts.rows
        attempts.add("$MLOPS_CLI=%s" % env,
                     "not an executable file" if os.path.exists(env) else "no such file")
    else:
        attempts.add("$MLOPS_CLI", "not set")
    root = source_root()
    if root is None:
        attempts.add("build tree", "this package (%s) is not inside a source checkout"
                     % PACKAGE_DIR)
    else:
        for build in _build_dirs(root):
            path = os.path.join(build, "examples", "mlops")
            if _is_program(path):
                return path, attempts.rows
            attempts.add("build tree %s" % path, "no such file" if not os.path.exists(path)
                         else "not an executable file")
    found = shutil.which("mlops")
    if found:
        return found, attempts.rows
    attempts.add("PATH (%s)" % os.environ.get("PATH", ""), "no mlops executable")
    return None, attempts.rows


def describe_attempts(rows):
    """The numbered list of places tried, one per line."""
    a = _Attempts()
    a.rows = list(rows)
    return a.text()

