"""libmlops status codes as Python exceptions.

Every failing call raises a subclass of mlops.Error chosen by the C status
code (<mlops/errors.h>), so callers catch the kind of failure they can
handle: ``except mlops.NotFound`` for a missing column, ``except OSError``
for a file that cannot be read. Where a built-in exception means the same
thing the class derives from it too (NotFound is a LookupError, IOFailure an
OSError, OutOfMemory a MemoryError, InvalidArgument and RangeError are
ValueErrors), so generic Python code handles them as well.

``mlops.Error(code, message)`` itself returns an instance of the class for
that code, so every place of the binding that raises from a status code
raises the specific class."""
import inspect

from . import _native

__all__ = ["Error", "MlopsError", "InvalidArgument", "OutOfMemory", "IOFailure", "FormatError",
           "CorruptError", "VersionError", "StateError", "NotFound", "GateError", "Canceled",
           "RangeError", "NumericError", "Unsupported", "error_class", "check"]


def _rebuild(cls, code, message, state):
    """Unpickles an Error (its constructor arguments vary by subclass)."""
    obj = cls.__new__(cls, code, message)
    Error.__init__(obj, code, message)
    obj.__dict__.update(state)
    return obj


class Error(Exception):
    """A libmlops call failed.

    Attributes:
      code     the negative MLOPS_E* status (such as -8 for MLOPS_ENOTFOUND)
      symbol   its C name, such as "MLOPS_ENOTFOUND" (None for an unknown code)
      name     the library's short description of the code ("not found")
      message  the library's own text naming what failed, where and with
               which value (mlops_last_error()); "" when it recorded none

    str(error) is "message (name)". Construct with ``Error(code, message)``
    (this returns the subclass for `code`) or, on a subclass,
    ``NotFound(message)``."""

    code = None
    symbol = None

    def __new__(cls, code=None, *args, **kwargs):
        if cls is Error and isinstance(code, int):
            cls = _BY_CODE.get(code, Error)
        # The C-level constructor of the built-in base that fixes the object
        # layout (OSError's differs from Exception's) must be the one called.
        base = cls
        while base.__module__ != "builtins":
            base = base.__base__
        return base.__new__(cls)

    def __init__(self, code=None, message=None):
        if isinstance(code, str) and message is None and type(self).code is not None:
            code, message = type(self).code, code
        if code is None:
            code = type(self).code
        super().__init__()
        self.code = code
        self.symbol = _SYMBOLS.get(code)
        self.name = (_native.lib.mlops_strerror(code).decode() if isinstance(code, int)
                     else "unknown error code")
        self.message = message or ""
        self.args = ("%s (%s)" % (message, self.name) if message else self.name,)

    def __str__(self):
        return self.args[0] if self.args else ""

    def __reduce__(self):
        return _rebuild, (type(self), self.code, self.message, dict(self.__dict__))


class InvalidArgument(Error, ValueError):
    """MLOPS_EINVAL: an invalid argument (NULL, out of range, malformed or
    unknown setting). Also a ValueError."""
    code = -1


class OutOfMemory(Error, MemoryError):
    """MLOPS_ENOMEM: an allocation failed or a size computation overflowed.
    Also a MemoryError."""
    code = -2


class IOFailure(Error, OSError):
    """MLOPS_EIO: an operating-system I/O call failed (the message names the
    file and the system's reason). Also an OSError."""
    code = -3


class FormatError(Error):
    """MLOPS_EFORMAT: input is not in the expected format (bad CSV, not a
    libmlops file); the message names the file, line and column."""
    code = -4


class CorruptError(Error):
    """MLOPS_ECORRUPT: a checksum or internal consistency check failed."""
    code = -5


class VersionError(Error):
    """MLOPS_EVERSION: a file or caller needs a newer library version."""
    code = -6


class StateError(Error):
    """MLOPS_ESTATE: the call is not allowed in the object's current state
    (for example predicting with a model that is not fitted)."""
    code = -7


class NotFound(Error, LookupError):
    """MLOPS_ENOTFOUND: a named item (column, section, key, file) does not
    exist. Also a LookupError."""
    code = -8


class GateError(Error):
    """MLOPS_EGATE: a validation gate failed (a check did not pass). A
    pipeline run raises the subclass mlops.GateFailed, carrying its summary."""
    code = -9


class Canceled(Error):
    """MLOPS_ECANCELED: a progress callback asked to stop."""
    code = -10


class RangeError(Error, ValueError):
    """MLOPS_ERANGE: a value is outside the representable or allowed range.
    Also a ValueError."""
    code = -11


class NumericError(Error):
    """MLOPS_ENUMERIC: a numerical method failed (singular matrix, no
    convergence)."""
    code = -12


class Unsupported(Error):
    """MLOPS_EUNSUPPORTED: the feature is not available in this build or
    platform (or in the loaded, older library)."""
    code = -13


# help() shows the constructor's real arguments rather than those of __new__.
Error.__signature__ = inspect.Signature([
    inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)
    for n in ("code", "message")])

# Kept so code written against the first version of the binding still works.
MlopsError = Error

_CLASSES = (InvalidArgument, OutOfMemory, IOFailure, FormatError, CorruptError, VersionError,
            StateError, NotFound, GateError, Canceled, RangeError, NumericError, Unsupported)
_BY_CODE = {cls.code: cls for cls in _CLASSES}
_SYMBOLS = dict(zip((cls.code for cls in _CLASSES),
                    ("MLOPS_EINVAL", "MLOPS_ENOMEM", "MLOPS_EIO", "MLOPS_EFORMAT",
                     "MLOPS_ECORRUPT", "MLOPS_EVERSION", "MLOPS_ESTATE", "MLOPS_ENOTFOUND",
                     "MLOPS_EGATE", "MLOPS_ECANCELED", "MLOPS_ERANGE", "MLOPS_ENUMERIC",
                     "MLOPS_EUNSUPPORTED")))
for _cls in _CLASSES:
    _cls.symbol = _SYMBOLS[_cls.code]
# Tracebacks say "mlops.NotFound", the name users catch (pickling finds the
# classes there too).
for _cls in (Error,) + _CLASSES:
    _cls.__module__ = "mlops"


def error_class(code):
    """The exception class raised for status `code` (mlops.Error for a code
    this binding does not know)."""
    return _BY_CODE.get(code, Error)


def check(code):
    """Returns None for a success (code >= 0); for a failing status raises
    the matching mlops.Error subclass carrying the library's message (only
    when the library recorded that very code, so a stale message from an
    earlier failure is never attached)."""
    if code < 0:
        message = None
        if _native.lib.mlops_last_error_code() == code:
            message = _native.lib.mlops_last_error().decode("utf-8", "replace")
        raise Error(code, message)
