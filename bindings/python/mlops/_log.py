"""The library's log messages delivered to a Python callable
(mlops_set_logger(3)).

One C callback is created for the life of the process and forwards to the
callable currently installed: the C side may still be inside a callback on
another thread when the logger is changed, so the function pointer it holds
must never be freed."""
import ctypes
import threading
import warnings

from . import _native
from ._errors import InvalidArgument, check

__all__ = ["set_logger", "get_logger", "LOG_LEVELS"]

_lib = _native.lib
_log_fn = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_lib.mlops_set_logger.restype = ctypes.c_int
_lib.mlops_set_logger.argtypes = [_log_fn, ctypes.c_int, ctypes.c_void_p]

#: Level names accepted by set_logger(), most severe first, with their C values.
LOG_LEVELS = {"error": 1, "warn": 2, "info": 3, "debug": 4}
_ALIASES = {"warning": "warn", "critical": "error"}
_NAMES = {value: name for name, value in LOG_LEVELS.items()}

_lock = threading.Lock()
_current = (None, None)     # (callable, level name) installed now


def _deliver(level, message, _user_data):
    fn = _current[0]
    if fn is None:
        return
    text = message.decode("utf-8", "replace") if message is not None else ""
    try:
        fn(_NAMES.get(level, "unknown"), text)
    except Exception as e:      # an exception cannot travel back through C
        try:
            warnings.warn("the mlops log callback %r raised %s: %s (message %r dropped)"
                          % (fn, type(e).__name__, e, text), RuntimeWarning)
        except Exception:       # warnings turned into errors: nothing left to tell
            pass


_trampoline = _log_fn(_deliver)


def _level_value(level):
    if isinstance(level, int) and not isinstance(level, bool):
        if level in _NAMES:
            return level
    elif isinstance(level, str):
        name = level.lower()
        name = _ALIASES.get(name, name)
        if name in LOG_LEVELS:
            return LOG_LEVELS[name]
    raise InvalidArgument("set_logger: level %r is not one of %s (or 1..4)"
                          % (level, ", ".join(repr(n) for n in LOG_LEVELS)))


def _install(fn, level):
    global _current
    if fn is None:
        check(_lib.mlops_set_logger(_log_fn(), 0, None))     # NULL: stop
        _current = (None, None)
        return
    value = _level_value(level)
    _current = (fn, _NAMES[value])   # before C can call back
    check(_lib.mlops_set_logger(_trampoline, value, None))


class _LoggerScope:
    """What set_logger() returns: usable as a context manager that puts the
    previous logger back at the end of the with block."""

    def __init__(self, previous):
        self._previous = previous

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.restore()

    def restore(self):
        """Reinstalls the logger that was in place before this set_logger()."""
        with _lock:
            _install(*self._previous)


def set_logger(fn, level="info"):
    """Sends the library's log messages to ``fn(level_name, message)``.

    `level` is the least severe level delivered: "error", "warn" (or
    "warning"), "info" (the default) or "debug" (also 1..4). Every recorded
    failure is logged at "debug"; training milestones at "info"; usable but
    suspicious results (rows skipped, no convergence) at "warn". `fn` may be
    called from any thread that uses the library, while a library call is
    running; an exception raised in it is dropped with a RuntimeWarning
    (it cannot travel back through C). ``set_logger(None)`` stops logging.

    Returns an object that restores the previous logger, so the logger can
    also be set for one block:

    >>> with mlops.set_logger(lambda level, msg: print(level, msg), "debug"):
    ...     model.fit(data)                                    # doctest: +SKIP

    To forward to the standard logging module:

    >>> log = logging.getLogger("mlops")
    >>> mlops.set_logger(lambda level, msg: log.log(
    ...     {"error": 40, "warn": 30, "info": 20}.get(level, 10), msg))  # doctest: +SKIP

    Like mlops_set_logger(3), call it before other threads use the library.
    Raises InvalidArgument for an unknown level or a non-callable `fn`."""
    if fn is not None and not callable(fn):
        raise InvalidArgument("set_logger: %r is not callable (pass a function of "
                              "(level_name, message), or None)" % (fn,))
    with _lock:
        previous = _current
        _install(fn, level)
    return _LoggerScope(previous)


def get_logger():
    """(callable, level name) installed by set_logger(), or (None, None)."""
    return _current
