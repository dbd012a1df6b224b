"""The lifetime every wrapped C object shares: an owned handle freed by its
C destructor exactly once (on close(), at the end of a with block, or when
the Python object is collected), and a clear error after close()."""
import weakref

from . import _native

_lib = _native.lib


class _Handle:
    _free = None        # name of the C destructor, set by each subclass
    _what = "object"    # for the message after close()

    def _adopt(self, handle):
        self._ptr = handle
        self._finalizer = weakref.finalize(self, getattr(_lib, self._free), handle)

    @classmethod
    def _wrap(cls, handle):
        obj = cls.__new__(cls)
        obj._adopt(handle)
        return obj

    @property
    def _handle(self):
        if self._ptr is None:
            raise ValueError("the %s is closed" % self._what)
        return self._ptr

    def close(self):
        """Releases the C object now (later calls raise ValueError)."""
        self._finalizer()
        self._ptr = None

    @property
    def closed(self):
        return self._ptr is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
