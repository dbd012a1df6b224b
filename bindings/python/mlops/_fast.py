"""Model.predict_row: one raw row through mlops_model_predict_row(3), the
library's low-latency path for serving one decision at a time.

For a single row the bookkeeping of the general prediction methods (result
matrices, shape checks, argument conversion by ctypes) costs many times the
prediction itself, so this path does as little as possible per call: a
C-contiguous float64 NumPy row is handed over in place and a list is packed
once into an array.array; the C function is called through a function
object of its own with no declared argument types, so every argument is
passed as an already built ctypes object; the result is written into a small
new buffer or into the caller's ``out``. Like every call into the library,
the GIL is released while the C function runs."""
import array
import ctypes
import math

from . import _native
from ._dataset import _np, _unsupported
from ._errors import check
from ._model import Model

_lib = _native.lib
_c_double = ctypes.c_double
_c_size = ctypes.c_size_t
# kind name -> (code, the code as a ready ctypes argument)
_KINDS = {name: (code, ctypes.c_int(code))
          for name, code in (("value", 0), ("proba", 1), ("decision", 2))}
_ONE = ctypes.c_size_t(1)
_Value = _c_double * 1
_F64 = _np.dtype(_np.float64) if _np is not None else None
_ndarray = _np.ndarray if _np is not None else ()


def _private(name, restype):
    """A function object of its own for `name` (indexing the library makes a
    new one each time), with no argument types: the callers below pass
    ctypes objects of exactly the C parameter types, which ctypes hands to C
    without any conversion. None when the library lacks `name`."""
    if not hasattr(_lib, name):
        return None
    fn = _lib[name]
    fn.restype = restype
    return fn


_predict_row = _private("mlops_model_predict_row", ctypes.c_int)
_output_width = _private("mlops_model_output_width", ctypes.c_size_t)
_shapes = {}  # n -> (the ctypes type double[n], n as a size_t argument)


def _shape(n):
    s = _shapes.get(n)
    if s is None:
        s = (_c_double * n, _c_size(n))
        if len(_shapes) < 256:  # row lengths and output widths: a handful
            _shapes[n] = s
    return s


def _row_pointer(row):
    """(keepalive, double* argument, count) for the row."""
    if type(row) is _ndarray and row.dtype is _F64 and row.ndim == 1:
        # the common case, checked by ctypes itself: from_buffer() refuses
        # a buffer that is not C-contiguous and writable
        n = len(row)
        if n:
            array_type, count = _shape(n)
            try:
                return row, array_type.from_buffer(row), count
            except (TypeError, ValueError, BufferError):
                pass
    if _np is not None and isinstance(row, _ndarray):
        if row.ndim != 1 and not (row.ndim == 2 and row.shape[0] == 1):
            raise ValueError("row must be 1-D (or 1 x inputs), got shape %s" % (row.shape,))
        row = _np.array(row, dtype=_np.float64, order="C").reshape(-1)  # converted once
    else:
        try:
            row = array.array("d", row)
        except TypeError:
            try:
                row = array.array("d", [math.nan if v is None else v for v in row])
            except TypeError:
                raise TypeError("row must be a 1-D NumPy array or a sequence of numbers "
                                "(None = missing), not %s" % type(row).__name__) from None
    n = len(row)
    if n == 0:
        return row, None, _c_size(0)  # the library reports the length
    array_type, count = _shape(n)
    return row, array_type.from_buffer(row), count


def predict_row(self, row, kind="value", out=None):
    """Predicts one raw row through mlops_model_predict_row(3): the fastest
    way to get a single decision (a few microseconds; use predict(),
    predict_proba() or decision_function() for many rows at once).

    ``row`` holds the raw inputs in ``model.inputs`` order, as a 1-D NumPy
    array (used in place when C-contiguous float64), a list, a tuple or an
    array.array (None/NaN = missing). Every input must be numeric.

    ``kind``: "value" (default) returns one float: the prediction of a
    regression, the class index of a classifier (see ``classes``).
    "proba" returns the class probabilities and "decision" the linear
    decision values, as a 1-D NumPy array (a list without NumPy), or
    written into ``out`` when given: a writable float64 buffer (NumPy
    array, array.array("d")) of at least that many values, which is then
    returned as it is, so a serving loop allocates nothing.

    Results agree with predict_proba() and the other batch paths to
    rounding, not always bit for bit (the dot products are summed in input
    order). Raises MlopsError: MLOPS_EINVAL for a row of the wrong length
    (the message gives both lengths), a categorical input, a NaN the chain
    cannot impute; MLOPS_ESTATE before fitting. ValueError for an unknown
    kind or a closed model."""
    h = self._ptr
    if h is None:
        raise ValueError("the model is closed")
    if _predict_row is None:
        _unsupported("mlops_model_predict_row")
    try:
        code, ccode = _KINDS[kind]
    except (KeyError, TypeError):
        raise ValueError("kind must be one of %s, not %r" % (", ".join(_KINDS), kind)) from None
    keep, x, n = _row_pointer(row)  # noqa: F841 - x points into keep
    if out is None:
        if code == 0:
            buf = _Value()
            check(_predict_row(h, x, n, ccode, buf, _ONE))
            return buf[0]
        width = _output_width(h, ccode)
        array_type, count = _shape(width) if width else (_Value, _c_size(0))
        buf = array_type()
        check(_predict_row(h, x, n, ccode, buf, count))
        return _np.frombuffer(buf) if _np is not None else buf[:]
    if type(out) is _ndarray and out.dtype is _F64 and out.ndim == 1 and len(out):
        size = len(out)
    else:
        try:
            view = memoryview(out)
        except TypeError:
            raise TypeError("out must be a writable float64 buffer, not %s"
                            % type(out).__name__) from None
        if view.readonly or view.format != "d" or not view.c_contiguous:
            raise TypeError("out must be a writable, C-contiguous float64 buffer "
                            "(a NumPy float64 array or an array.array('d'))")
        size = view.nbytes // 8
    if size == 0:
        target, count = None, _c_size(0)  # the library reports the size
    else:
        array_type, count = _shape(size)
        try:
            target = array_type.from_buffer(out)
        except (TypeError, ValueError, BufferError) as e:
            raise TypeError("out must be a writable, C-contiguous float64 buffer: %s" % e) \
                from None
    check(_predict_row(h, x, n, ccode, target, count))
    return out


# Attached to Model unless the class already defines its own.
if not hasattr(Model, "predict_row"):
    Model.predict_row = predict_row
