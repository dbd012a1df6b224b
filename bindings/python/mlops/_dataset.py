"""mlops.Dataset: a libmlops table owned from Python, and the array helpers
the other wrappers share.

Numbers cross into the library as row-major float64 buffers: a C-contiguous
float64 NumPy array is passed as it is (no copy), anything else is converted
once. Results come back as NumPy arrays written in place by the library when
NumPy is installed, as lists otherwise."""
import array
import ctypes
import math
import os

from . import _native
from ._handle import _Handle
from ._errors import MlopsError, check

try:
    import numpy as _np
except ImportError:  # NumPy is optional
    _np = None

_lib = _native.lib
_EUNSUPPORTED = -13
_CATEGORICAL = 2  # MLOPS_CATEGORICAL


def have_numpy():
    """True when results are returned as NumPy arrays."""
    return _np is not None


def _text(value, what="text"):
    """A str (or bytes) as the NUL-terminated UTF-8 the library takes."""
    if isinstance(value, bytes):
        data = value
    elif isinstance(value, str):
        data = value.encode("utf-8")
    else:
        raise TypeError("%s must be a str, not %s" % (what, type(value).__name__))
    if b"\0" in data:
        raise ValueError("%s must not contain NUL characters: %r" % (what, value))
    return data


def _path(path):
    """A str, bytes or os.PathLike file name in the file system's encoding."""
    return _text(os.fsencode(path), "path")


def _setting_text(value):
    """The text form of a setting value: booleans as true/false, floats in
    their shortest round-trip spelling, everything else through str()."""
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, float):
        return repr(value).encode()
    if isinstance(value, (str, bytes)):
        return _text(value, "setting value")
    return _text(str(value), "setting value")


def _take_string(ptr):
    """Decodes a library-allocated string and releases it."""
    try:
        return ctypes.string_at(ptr.value).decode("utf-8") if ptr.value else ""
    finally:
        _lib.mlops_free(ptr)


def _take_bytes(ptr, size):
    try:
        return ctypes.string_at(ptr.value, size.value) if ptr.value else b""
    finally:
        _lib.mlops_free(ptr)


def _unsupported(name):
    raise MlopsError(_EUNSUPPORTED, "%s is not available in the loaded libmlops" % name)


def _doubles(values):
    """A list of numbers (None = missing) as a float64 buffer and its pointer."""
    buf = array.array("d", (math.nan if v is None else v for v in values))
    return buf, _pointer(buf, len(buf))


def _pointer(buf, n):
    if n == 0:
        return None
    return ctypes.cast((ctypes.c_double * n).from_buffer(buf), _native.c_double_p)


def _is_ndarray(x):
    return _np is not None and isinstance(x, _np.ndarray)


def _as_matrix(data, what="data"):
    """(keepalive, pointer, rows, cols) for a 2-D NumPy array (used in place
    when C-contiguous float64) or a sequence of equally long rows of numbers
    (None = missing)."""
    if _is_ndarray(data):
        if data.ndim != 2:
            raise ValueError("%s must be 2-D (rows x inputs), got shape %s" % (what, data.shape))
        arr = _np.ascontiguousarray(data, dtype=_np.float64)
        rows, cols = arr.shape
        ptr = arr.ctypes.data_as(_native.c_double_p) if arr.size else None
        return arr, ptr, rows, cols
    try:
        rows = [list(r) for r in data]
    except TypeError:
        raise TypeError("%s must be a Dataset, a 2-D NumPy array or a sequence of rows, not %s"
                        % (what, type(data).__name__)) from None
    cols = len(rows[0]) if rows else 0
    for i, r in enumerate(rows):
        if len(r) != cols:
            raise ValueError("%s row %d has %d values, row 0 has %d" % (what, i, len(r), cols))
    try:
        buf, ptr = _doubles(v for r in rows for v in r)
    except TypeError as e:
        raise TypeError("%s must hold numbers or None: %s" % (what, e)) from None
    return buf, ptr, len(rows), cols


class _Output:
    """A rows x width float64 result buffer the library writes into. The
    pointer is never NULL (an empty result gets a one-element dummy), so the
    library reports the real problem (not fitted, no such output) rather
    than a NULL buffer."""

    def __init__(self, rows, width):
        self.rows, self.width = rows, width
        self.len = n = rows * width
        if _np is not None:
            self.buf = _np.empty((rows, width), dtype=_np.float64)
            self._mem = self.buf if n else _np.empty(1)
            self.ptr = self._mem.ctypes.data_as(_native.c_double_p)
        else:
            self.buf = array.array("d", bytes(8 * n))
            self._mem = self.buf if n else array.array("d", [0.0])
            self.ptr = _pointer(self._mem, len(self._mem))

    def matrix(self):
        if _np is not None:
            return self.buf
        w = self.width
        return [self.buf[i * w:(i + 1) * w].tolist() for i in range(self.rows)]

    def vector(self):
        """The values as one flat sequence (one per row when width is 1,
        the single row's values when rows is 1)."""
        if _np is not None:
            return self.buf.reshape(-1)
        return self.buf.tolist()


def _role_code(role):
    if isinstance(role, int):
        return role
    code = ctypes.c_int()
    check(_lib.mlops_role_from_name(_text(role, "role"), ctypes.byref(code)))
    return code.value


class Dataset(_Handle):
    """An immutable table of numeric and categorical columns held by libmlops.

    Build one with Dataset.read_csv(), Dataset.from_columns() (also
    ``Dataset(columns)``) or Dataset.from_matrix(). Only column roles may
    change afterwards. The C object is released by close(), by leaving a
    ``with`` block, or when the Dataset is garbage collected.

    >>> ds = Dataset({"x": [1.0, 2.0, None], "y": ["a", "b", "a"]},
    ...              roles={"y": "target"})
    >>> ds.rows, ds.columns, ds.column_type("y")
    (3, ['x', 'y'], 'categorical')
    >>> ds.close()
    """

    _free = "mlops_dataset_free"
    _what = "dataset"

    def __init__(self, columns, roles=None):
        """Same as Dataset.from_columns(columns, roles)."""
        self._adopt(self._build_columns(columns, roles))

    # ---- construction -------------------------------------------------

    @classmethod
    def read_csv(cls, path, options=None, **settings):
        """Reads a CSV or TSV file (plain or gzip).

        Reader settings are those of mlops_csv_options_set(3), given as a
        dict ``options`` (needed for keys with dots, such as
        ``{"role.species": "target", "type.zip": "categorical"}``) and/or
        keyword arguments (``delimiter=";"``, ``header=False``). Raises
        MlopsError naming the file, line and column of bad data."""
        return cls._read(lambda out, opts: _lib.mlops_dataset_read_csv(out, _path(path), opts),
                         options, settings)

    @classmethod
    def read_csv_bytes(cls, data, name="memory", options=None, **settings):
        """As read_csv() from CSV text (bytes, plain or gzip) in memory;
        ``name`` labels the data in error messages."""
        data = bytes(data)
        return cls._read(lambda out, opts: _lib.mlops_dataset_read_csv_memory(
            out, data, len(data), _text(name, "name"), opts), options, settings)

    @classmethod
    def _read(cls, call, options, settings):
        merged = dict(options or {})
        merged.update(settings)
        opts = _native.csv_options_p()
        check(_lib.mlops_csv_options_create(ctypes.byref(opts)))
        try:
            for key, value in merged.items():
                check(_lib.mlops_csv_options_set(opts, _text(key, "setting"),
                                                 _setting_text(value)))
            out = _native.dataset_p()
            check(call(ctypes.byref(out), opts))
        finally:
            _lib.mlops_csv_options_free(opts)
        return cls._wrap(out)

    @classmethod
    def from_columns(cls, columns, roles=None):
        """Builds a dataset from a dict of column name -> values.

        A column of numbers (None or NaN = missing), or a numeric NumPy
        array, becomes a numeric column; a column of strings (None =
        missing) becomes a categorical one, categories numbered in order of
        first appearance. Every column needs the same length. ``roles`` maps
        column names to role names ("target", "weight", "group", "id",
        "time", "ignore"; the default is "feature")."""
        return cls._wrap(cls._build_columns(columns, roles))

    @staticmethod
    def _build_columns(columns, roles):
        if not hasattr(columns, "items"):
            raise TypeError("columns must be a dict of name -> values, not %s"
                            % type(columns).__name__)
        items = [(name, values if _is_ndarray(values) else list(values))
                 for name, values in columns.items()]
        nrows = len(items[0][1]) if items else 0
        for name, values in items:
            if len(values) != nrows:
                raise ValueError("column %r has %d values, column %r has %d"
                                 % (name, len(values), items[0][0], nrows))
        b = _native.builder_p()
        check(_lib.mlops_dataset_builder_create(ctypes.byref(b), nrows))
        try:
            for name, values in items:
                cname = _text(name, "column name")
                if _is_categorical(values):
                    strs = (ctypes.c_char_p * max(nrows, 1))(
                        *[_category(name, v) for v in values])
                    check(_lib.mlops_dataset_builder_add_categorical(b, cname, strs))
                else:
                    keep, ptr = _numeric_column(name, values)
                    if ptr is None:  # a 0-row column still needs a pointer
                        keep = ctypes.c_double()
                        ptr = ctypes.pointer(keep)
                    check(_lib.mlops_dataset_builder_add_numeric(b, cname, ptr))
            for name, role in (roles or {}).items():
                check(_lib.mlops_dataset_builder_set_role(b, _text(name, "column name"),
                                                          _role_code(role)))
            out = _native.dataset_p()
            check(_lib.mlops_dataset_builder_finish(b, ctypes.byref(out)))
        finally:
            _lib.mlops_dataset_builder_free(b)
        return out

    @classmethod
    def from_matrix(cls, values, names=None, roles=None):
        """Builds a numeric dataset from a 2-D NumPy array or a sequence of
        rows (None/NaN = missing). ``names`` defaults to x0, x1, ...; the
        values are copied once by the library."""
        keep, ptr, rows, cols = _as_matrix(values, "values")
        cnames = None
        if names is not None:
            names = list(names)
            if len(names) != cols:
                raise ValueError("names has %d entries for %d columns" % (len(names), cols))
            cnames = (ctypes.c_char_p * max(cols, 1))(*[_text(n, "column name") for n in names])
        if ptr is None:
            keep = ctypes.c_double()
            ptr = ctypes.pointer(keep)
        out = _native.dataset_p()
        check(_lib.mlops_dataset_from_matrix(ctypes.byref(out), ptr, rows, cols, cols, cnames))
        ds = cls._wrap(out)
        for name, role in (roles or {}).items():
            ds.set_role(name, role)
        return ds

    # ---- description -------------------------------------------------

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.Dataset (closed)>"
        return "<mlops.Dataset %r: %d rows x %d columns>" % (self.source, self.rows,
                                                             len(self.columns))

    # ---- shape and metadata ------------------------------------------

    @property
    def rows(self):
        """Number of rows."""
        return _lib.mlops_dataset_rows(self._handle)

    def __len__(self):
        return self.rows

    @property
    def columns(self):
        """Column names, in order."""
        h = self._handle
        return [_lib.mlops_dataset_column_name(h, i).decode("utf-8")
                for i in range(_lib.mlops_dataset_cols(h))]

    @property
    def shape(self):
        h = self._handle
        return (_lib.mlops_dataset_rows(h), _lib.mlops_dataset_cols(h))

    @property
    def source(self):
        """Where the data came from: the file path, "builder", "matrix", ..."""
        s = _lib.mlops_dataset_source(self._handle)
        return s.decode("utf-8", "replace") if s else ""

    def _index(self, name):
        if isinstance(name, int):
            return name
        idx = ctypes.c_size_t()
        check(_lib.mlops_dataset_column_index(self._handle, _text(name, "column name"),
                                              ctypes.byref(idx)))
        return idx.value

    def column_type(self, name):
        """"numeric" or "categorical"."""
        t = _lib.mlops_dataset_column_type(self._handle, self._index(name))
        check(t)
        return _lib.mlops_type_name(t).decode()

    def role(self, name):
        """The role name of a column ("feature", "target", ...)."""
        r = _lib.mlops_dataset_column_role(self._handle, self._index(name))
        check(r)
        return _lib.mlops_role_name(r).decode()

    def set_role(self, name, role):
        """Gives a column a role ("feature", "target", "group", "weight",
        "id", "time", "ignore"). Not safe while another thread reads it."""
        check(_lib.mlops_dataset_set_role(self._handle, self._index(name), _role_code(role)))
        return self

    def missing_count(self, name):
        """Number of missing entries in a column."""
        return _lib.mlops_dataset_missing_count(self._handle, self._index(name))

    def fingerprint(self):
        """SHA-256 of the schema and values, as 64 hex digits (see
        mlops_dataset_fingerprint(3))."""
        buf = ctypes.create_string_buffer(65)
        check(_lib.mlops_dataset_fingerprint(self._handle, buf, len(buf)))
        return buf.value.decode()

    # ---- values --------------------------------------------------------

    def column(self, name):
        """A copy of a column's values: floats (NaN = missing; a NumPy array
        when NumPy is installed) for a numeric column, strings (None =
        missing) for a categorical one."""
        h, col = self._handle, self._index(name)
        n = _lib.mlops_dataset_rows(h)
        if _lib.mlops_dataset_column_type(h, col) == _CATEGORICAL:
            codes = (ctypes.c_int32 * max(n, 1))()
            check(_lib.mlops_dataset_get_codes(h, col, 0, n, codes))
            cats = [_lib.mlops_dataset_category(h, col, k).decode("utf-8")
                    for k in range(_lib.mlops_dataset_category_count(h, col))]
            return [None if c < 0 else cats[c] for c in codes[:n]]
        out = _Output(n, 1)
        check(_lib.mlops_dataset_get_numeric(h, col, 0, n, out.ptr))
        return out.vector()

    def to_matrix(self, columns=None):
        """Numeric columns (default: all) as a rows x columns float64 matrix
        (NumPy array, or list of rows)."""
        h = self._handle
        if columns is None:
            idx = list(range(_lib.mlops_dataset_cols(h)))
        else:
            idx = [self._index(c) for c in columns]
        cols = (ctypes.c_size_t * max(len(idx), 1))(*idx)
        out = _Output(_lib.mlops_dataset_rows(h), len(idx))
        check(_lib.mlops_dataset_to_matrix(h, cols, len(idx), out.ptr, out.len))
        return out.matrix()

    def take_rows(self, rows):
        """A new dataset of the given row indices (in that order)."""
        rows = [int(r) for r in rows]
        idx = (ctypes.c_size_t * max(len(rows), 1))(*rows)
        out = _native.dataset_p()
        check(_lib.mlops_dataset_take_rows(ctypes.byref(out), self._handle, idx, len(rows)))
        return Dataset._wrap(out)

    def select(self, columns):
        """A new dataset of the named columns, in that order."""
        idx = [self._index(c) for c in columns]
        arr = (ctypes.c_size_t * max(len(idx), 1))(*idx)
        out = _native.dataset_p()
        check(_lib.mlops_dataset_select_columns(ctypes.byref(out), self._handle, arr, len(idx)))
        return Dataset._wrap(out)


def _is_categorical(values):
    if _is_ndarray(values):
        return values.dtype.kind in "USO" and (
            values.dtype.kind != "O" or any(isinstance(v, (str, bytes)) for v in values))
    return any(isinstance(v, (str, bytes)) for v in values)


def _numeric_column(name, values):
    if _is_ndarray(values):
        arr = _np.ascontiguousarray(values, dtype=_np.float64)
        if arr.ndim != 1:
            raise ValueError("column %r must be 1-D, got shape %s" % (name, arr.shape))
        return arr, (arr.ctypes.data_as(_native.c_double_p) if arr.size else None)
    try:
        return _doubles(values)
    except TypeError:
        bad = next(v for v in values if v is not None and not isinstance(v, (int, float)))
        raise TypeError("column %r mixes numbers and %s (%r)"
                        % (name, type(bad).__name__, bad)) from None


def _category(name, value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if not isinstance(value, (str, bytes)):
        raise TypeError("column %r mixes strings and %s (%r); use None for missing"
                        % (name, type(value).__name__, value))
    return _text(value, "value of column %r" % name)
