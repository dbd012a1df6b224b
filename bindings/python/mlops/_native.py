"""Loading libmlops through ctypes and declaring the C signatures.

The library is found, in order, at $MLOPS_LIBRARY, by the system linker's
name libmlops.so.0, or through ctypes.util.find_library("mlops")."""
import ctypes
import ctypes.util
import os

# The C API generation this binding was written for: major and minor of the
# library it expects (0.x releases may change the ABI between minors).
ABI_MAJOR, ABI_MINOR = 0, 1


def _load():
    candidates = []
    if os.environ.get("MLOPS_LIBRARY"):
        candidates.append(os.environ["MLOPS_LIBRARY"])
    candidates.append("libmlops.so.%d" % ABI_MAJOR)
    found = ctypes.util.find_library("mlops")
    if found:
        candidates.append(found)
    errors = []
    for name in candidates:
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            errors.append("%s: %s" % (name, e))
    raise ImportError("cannot load libmlops (set MLOPS_LIBRARY to its path): " + "; ".join(errors))


lib = _load()


def _declare(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)


_declare("mlops_strerror", ctypes.c_char_p, ctypes.c_int)
_declare("mlops_last_error", ctypes.c_char_p)
_declare("mlops_last_error_code", ctypes.c_int)
_declare("mlops_clear_error", None)
_declare("mlops_version", ctypes.c_uint)
_declare("mlops_version_string", ctypes.c_char_p)
_declare("mlops_version_check", ctypes.c_int, ctypes.c_uint)
_declare("mlops_live_allocations", ctypes.c_size_t)
_declare("mlops_free", None, ctypes.c_void_p)
