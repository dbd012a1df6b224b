"""mlops.Dataset: a libmlops table owned from Python, and the array helpers
the other wrappers share.

Numbers cross into the library as row-major float64 buffers: a C-contiguous
float64 NumPy array is passed as it is (no copy), anything else is converted
once. Results come back as NumPy arrays written in place by the library when
NumPy is installed, as lists otherwise."""
import array
import ctypes
import itertools
import math
import os
import sys
import weakref

from . import _native
from ._handle import _Handle
from ._errors import MlopsError, check

try:
    import numpy as _np
except ImportError:  # NumPy is optional
    _np = None

_lib = _native.lib
_EUNSUPPORTED = -13
_NUMERIC, _CATEGORICAL = 1, 2  # MLOPS_NUMERIC, MLOPS_CATEGORICAL


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


def _c(name):
    """The optional C function `name`, or MlopsError MLOPS_EUNSUPPORTED."""
    if not _native.has(name):
        _unsupported(name)
    return getattr(_lib, name)


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
    if _is_dataframe(data):
        data = data.to_numpy(dtype=_np.float64, na_value=_np.nan)
    if _is_ndarray(data):
        if data.ndim != 2:
            raise ValueError("%s must be 2-D (rows x inputs), got shape %s" % (what, data.shape))
        arr = _np.ascontiguousarray(data, dtype=_np.float64)
        rows, cols = arr.shape
        ptr = arr.ctypes.data_as(_native.c_double_p) if arr.size else None
        return arr, ptr, rows, cols
    if isinstance(data, (str, bytes)):
        raise TypeError("%s must be a Dataset, a 2-D NumPy array or a sequence of rows, not %s"
                        % (what, type(data).__name__))
    try:
        rows = [r if isinstance(r, (list, tuple, array.array)) else list(r) for r in data]
    except TypeError:
        raise TypeError("%s must be a Dataset, a 2-D NumPy array or a sequence of rows, not %s"
                        % (what, type(data).__name__)) from None
    cols = len(rows[0]) if rows else 0
    for i, r in enumerate(rows):
        if len(r) != cols:
            raise ValueError("%s row %d has %d values, row 0 has %d" % (what, i, len(r), cols))
    try:  # all numbers: one pass in C
        buf = array.array("d", itertools.chain.from_iterable(rows))
        ptr = _pointer(buf, len(buf))
    except TypeError:
        try:
            buf, ptr = _doubles(v for r in rows for v in r)
        except TypeError as e:
            raise TypeError("%s must hold numbers or None: %s" % (what, e)) from None
    return buf, ptr, len(rows), cols


class _csv_options:
    """Reader settings (a dict plus keyword settings, and an optional
    progress callback) as an mlops_csv_options for the length of a with
    block."""

    def __init__(self, options, settings, callback=None):
        self.merged = dict(options or {})
        self.merged.update(settings)
        self.callback = callback

    def __enter__(self):
        self.opts = opts = _native.csv_options_p()
        check(_lib.mlops_csv_options_create(ctypes.byref(opts)))
        try:
            for key, value in self.merged.items():
                check(_lib.mlops_csv_options_set(opts, _text(key, "setting"),
                                                 _setting_text(value)))
            if self.callback is not None:
                if not _native.has("mlops_csv_options_set_progress"):
                    _unsupported("mlops_csv_options_set_progress")
                check(_lib.mlops_csv_options_set_progress(opts, self.callback, None))
        except BaseException:
            _lib.mlops_csv_options_free(opts)
            raise
        return opts

    def __exit__(self, *exc):
        _lib.mlops_csv_options_free(self.opts)


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

    Build one with Dataset.read_csv() (mlops.CsvReader streams big files),
    ``Dataset(data)`` from a pandas DataFrame, a dict of columns, or a 2-D
    NumPy array / sequence of rows, or with from_pandas(), from_columns()
    and from_matrix(). Numeric NumPy data crosses without per-row Python
    work. Only column roles and sensitive flags may change afterwards;
    selections (take_rows, select, filter, concat, split) make new datasets.
    The C object is released by close(), by leaving a ``with`` block, or
    when the Dataset is garbage collected.

    >>> ds = Dataset({"x": [1.0, 2.0, None], "y": ["a", "b", "a"]},
    ...              roles={"y": "target"})
    >>> ds.rows, ds.columns, ds.column_type("y")
    (3, ['x', 'y'], 'categorical')
    >>> train, test = ds.split(test_size=1, seed=7)
    >>> ds.close()

    Failures raise mlops.Error subclasses with the library's message; an
    unknown column name raises mlops.NotFound (MLOPS_ENOTFOUND), which
    suggests the closest name.
    """

    _free = "mlops_dataset_free"
    _what = "dataset"

    def __init__(self, data, roles=None, names=None):
        """Builds a dataset from ``data``: a pandas DataFrame (see
        from_pandas()) or Series (one column), a dict of column name ->
        values (see from_columns()), or a 2-D NumPy array or sequence of
        rows of numbers (see from_matrix(); ``names`` names its columns).
        ``roles`` maps column names to roles ("target", "weight", ...).
        Raises TypeError or ValueError for unusable input and mlops.Error
        from the library (mlops.NotFound for a role given to a missing
        column)."""
        if _is_series(data):  # one column, named after the Series
            data = {data.name if data.name is not None else "x0": data}
        if hasattr(data, "items"):
            if names is not None:
                raise TypeError("names applies to matrix data; name dict or DataFrame "
                                "columns by their keys")
            self._adopt(self._build_columns(data, roles))
            return
        self._adopt(_matrix_handle(data, names))
        for name, role in (roles or {}).items():
            self.set_role(name, role)

    # ---- construction -------------------------------------------------

    @classmethod
    def read_csv(cls, path, options=None, progress=None, **settings):
        """Reads a CSV or TSV file (plain or gzip).

        Reader settings are those of mlops_csv_options_set(3), given as a
        dict ``options`` (needed for keys with dots, such as
        ``{"role.species": "target", "type.zip": "categorical"}``) and/or
        keyword arguments (``delimiter=";"``, ``header=False``).
        ``progress(done_bytes, total_bytes)`` follows the read; returning a
        true value cancels it (MlopsError MLOPS_ECANCELED) and an exception
        it raises cancels it and is re-raised. Raises MlopsError naming the
        file, line and column of bad data (MLOPS_EFORMAT), MLOPS_ENOTFOUND
        for a missing file. For files larger than memory see
        mlops.CsvReader."""
        return cls._read(lambda out, opts: _lib.mlops_dataset_read_csv(out, _path(path), opts),
                         options, settings, progress)

    @classmethod
    def read_csv_bytes(cls, data, name="memory", options=None, progress=None, **settings):
        """As read_csv() from CSV text (bytes, plain or gzip) in memory;
        ``name`` labels the data in error messages."""
        data = bytes(data)
        return cls._read(lambda out, opts: _lib.mlops_dataset_read_csv_memory(
            out, data, len(data), _text(name, "name"), opts), options, settings, progress)

    @classmethod
    def _read(cls, call, options, settings, progress=None):
        raised, callback = [], None
        if progress is not None:
            def trampoline(done, total, _user_data):
                try:
                    return 1 if progress(done, total) else 0
                except BaseException as e:  # noqa: B902 - re-raised after the C call returns
                    raised.append(e)
                    return 1
            callback = _native.progress_fn(trampoline)  # alive until the read returns
        out = _native.dataset_p()
        with _csv_options(options, settings, callback) as opts:
            rc = call(ctypes.byref(out), opts)
        if raised:
            raise raised[0]
        check(rc)
        return cls._wrap(out)

    @classmethod
    def from_columns(cls, columns, roles=None):
        """Builds a dataset from a dict of column name -> values.

        Each column may be a list, an array.array, a 1-D NumPy array or a
        pandas Series. Numbers (int, float, bool; None or NaN = missing),
        numeric arrays (a C-contiguous float64 array is passed as it is)
        and array.array('d') become numeric columns; strings (None or NaN
        = missing), NumPy string arrays and pandas object, string and
        category columns become categorical ones, categories numbered in
        order of first appearance; datetime64 columns become ISO-8601
        strings (usable by split_by_time()). Every column needs the same
        length. ``roles`` maps column names to role names ("target",
        "weight", "group", "id", "time", "ignore"; the default is
        "feature"). Raises TypeError for values mixing strings and numbers
        (naming the column) and ValueError for unequal lengths."""
        return cls._wrap(cls._build_columns(columns, roles))

    @classmethod
    def from_pandas(cls, frame, roles=None):
        """Builds a dataset from a pandas DataFrame, keeping its column
        names (non-string names through str()) and dropping the index.
        Numeric, nullable-integer and boolean columns become numeric
        float64 columns (float64 data without a copy on the Python side;
        NA/NaN/None = missing); object, string and category columns become
        categorical ones (None/NaN = missing); datetime64 columns become
        ISO-8601 strings. ``roles`` as for from_columns()."""
        if not _is_dataframe(frame):
            raise TypeError("frame must be a pandas DataFrame, not %s" % type(frame).__name__)
        return cls._wrap(cls._build_columns(frame, roles))

    @staticmethod
    def _build_columns(columns, roles):
        if not hasattr(columns, "items"):
            raise TypeError("columns must be a dict of name -> values, not %s"
                            % type(columns).__name__)
        if _is_dataframe(columns):
            handle = _float64_frame_handle(columns)
            if handle is not None:
                return _with_roles(handle, roles)
        items = [(_column_name(name), _sized(name, values)) for name, values in columns.items()]
        nrows = len(items[0][1]) if items else 0
        for name, values in items:
            if len(values) != nrows:
                raise ValueError("column %r has %d values, column %r has %d"
                                 % (name, len(values), items[0][0], nrows))
        b = _native.builder_p()
        check(_lib.mlops_dataset_builder_create(ctypes.byref(b), nrows))
        try:
            for name, values in items:
                kind, keep, ptr = _column_data(name, values)  # noqa: F841 - ptr points into keep
                cname = _text(name, "column name")
                if kind == _CATEGORICAL:
                    check(_lib.mlops_dataset_builder_add_categorical(b, cname, ptr))
                else:
                    check(_lib.mlops_dataset_builder_add_numeric(b, cname, ptr))
            for name, role in (roles or {}).items():
                check(_lib.mlops_dataset_builder_set_role(b, _text(_column_name(name),
                                                                   "column name"),
                                                          _role_code(role)))
            out = _native.dataset_p()
            check(_lib.mlops_dataset_builder_finish(b, ctypes.byref(out)))
        finally:
            _lib.mlops_dataset_builder_free(b)
        return out

    @classmethod
    def from_matrix(cls, values, names=None, roles=None):
        """Builds a numeric dataset from a 2-D NumPy array (a 1-D array is
        one column) or a sequence of rows (None/NaN = missing). ``names``
        defaults to x0, x1, ...; the values are copied once by the library
        (a float64 array whose rows are evenly spaced, such as a column
        slice of a wider array, is read in place)."""
        ds = cls._wrap(_matrix_handle(values, names))
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
        """(rows, columns)."""
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

    def is_sensitive(self, name):
        """True when a column is marked as personal data (left out of
        features unless named)."""
        r = _c("mlops_dataset_column_sensitive")(self._handle, self._index(name))
        check(r)
        return bool(r)

    def set_sensitive(self, name, sensitive=True):
        """Marks a column as personal data (or not); returns self. Not safe
        while another thread reads the dataset."""
        check(_c("mlops_dataset_set_sensitive")(self._handle, self._index(name),
                                                1 if sensitive else 0))
        return self

    @property
    def feature_columns(self):
        """Names of the columns a model uses as features: role feature and
        not sensitive, in column order."""
        h, fn = self._handle, _c("mlops_dataset_feature_columns")
        count = ctypes.c_size_t()
        check(fn(h, None, 0, ctypes.byref(count)))
        idx = (ctypes.c_size_t * max(count.value, 1))()
        check(fn(h, idx, count.value, ctypes.byref(count)))
        return [_lib.mlops_dataset_column_name(h, i).decode("utf-8") for i in idx[:count.value]]

    @property
    def skipped_rows(self):
        """Rows the CSV reader skipped under bad_rows="skip" (0 otherwise)."""
        return _c("mlops_dataset_skipped_rows")(self._handle)

    def fingerprint(self):
        """SHA-256 of the schema and values, as 64 hex digits (see
        mlops_dataset_fingerprint(3))."""
        buf = ctypes.create_string_buffer(65)
        check(_lib.mlops_dataset_fingerprint(self._handle, buf, len(buf)))
        return buf.value.decode()

    # ---- values --------------------------------------------------------

    def column(self, name, copy=True):
        """A column's values: floats (NaN = missing; a NumPy array when
        NumPy is installed) for a numeric column, strings (None = missing)
        for a categorical one.

        With ``copy=False`` and NumPy, a numeric column comes back as a
        read-only array over the library's own memory (no copy); it keeps
        that memory alive after close() until the array is gone. Without
        NumPy, or for a categorical column, ``copy`` is ignored. Raises
        MlopsError (MLOPS_ENOTFOUND, suggesting the closest name) for an
        unknown column."""
        h, col = self._handle, self._index(name)
        n = _lib.mlops_dataset_rows(h)
        kind = _lib.mlops_dataset_column_type(h, col)
        check(kind)
        if kind == _CATEGORICAL:
            codes = (ctypes.c_int32 * max(n, 1))()
            check(_lib.mlops_dataset_get_codes(h, col, 0, n, codes))
            cats = [_lib.mlops_dataset_category(h, col, k).decode("utf-8")
                    for k in range(_lib.mlops_dataset_category_count(h, col))]
            return [None if c < 0 else cats[c] for c in codes[:n]]
        if not copy and _np is not None and n and _native.has("mlops_dataset_numeric_data"):
            return self._view(col, n)
        out = _Output(n, 1)
        check(_lib.mlops_dataset_get_numeric(h, col, 0, n, out.ptr))
        return out.vector()

    def _view(self, col, n):
        values = _native.c_double_p()
        check(_lib.mlops_dataset_numeric_data(self._handle, col, ctypes.byref(values)))
        buf = (ctypes.c_double * n).from_address(ctypes.addressof(values.contents))
        ref = self.__dict__.get("_keeper")
        keeper = ref() if ref is not None else None
        if keeper is None:
            keeper = _ViewKeeper(self)
            self._keeper = weakref.ref(keeper)
        buf.owner = keeper  # the memory lives as long as the buffer
        arr = _np.frombuffer(buf, dtype=_np.float64)
        arr.flags.writeable = False
        return arr

    def close(self):
        """Releases the C object now (later calls raise ValueError). Arrays
        from column(copy=False) stay valid: the memory is released when the
        last of them is gone."""
        ref = self.__dict__.get("_keeper")
        keeper = ref() if ref is not None else None
        if keeper is not None and self._ptr is not None:
            detached = self._finalizer.detach()
            if detached is not None:  # the views now own the C object
                _obj, free, args, _kwargs = detached
                weakref.finalize(keeper, free, *args)
            keeper.dataset = None
            self._ptr = None
            return
        super().close()

    def is_missing(self, name, row):
        """True when entry ``row`` of column ``name`` is missing."""
        r = _lib.mlops_dataset_is_missing(self._handle, self._index(name), row)
        check(r)
        return bool(r)

    def to_dict(self):
        """{column name: column(name)} for every column."""
        return {name: self.column(i) for i, name in enumerate(self.columns)}

    def to_pandas(self):
        """The dataset as a pandas DataFrame: numeric columns float64 (NaN
        = missing), categorical columns pandas Categorical with the
        library's categories in code order (NaN = missing). Needs pandas
        (ImportError otherwise)."""
        import pandas as pd
        h, data = self._handle, {}
        n = _lib.mlops_dataset_rows(h)
        for i, name in enumerate(self.columns):
            if _lib.mlops_dataset_column_type(h, i) == _CATEGORICAL:
                codes = _np.empty(max(n, 1), dtype=_np.int32)
                check(_lib.mlops_dataset_get_codes(
                    h, i, 0, n, codes.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))))
                cats = [_lib.mlops_dataset_category(h, i, k).decode("utf-8")
                        for k in range(_lib.mlops_dataset_category_count(h, i))]
                data[name] = pd.Categorical.from_codes(codes[:n], categories=cats)
            else:
                data[name] = self.column(i)
        return pd.DataFrame(data, columns=list(data))

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

    def filter(self, mask):
        """A new dataset of the rows whose ``mask`` entry is true: a NumPy
        bool/uint8 array (passed in place when contiguous) or any sequence
        of truth values, one per row. Raises ValueError when the mask's
        length differs from the row count."""
        fn = _c("mlops_dataset_filter_rows")
        n = self.rows
        if _is_ndarray(mask) or _is_series(mask):
            keep = _np.ascontiguousarray(_np.asarray(mask) != 0, dtype=_np.uint8)
            if keep.ndim != 1:
                raise ValueError("mask must be 1-D, got shape %s" % (keep.shape,))
            ptr = keep.ctypes.data if keep.size else None
            size = keep.shape[0]
        else:
            keep = bytes(1 if m else 0 for m in mask)
            ptr, size = keep, len(keep)
        if size != n:
            raise ValueError("mask has %d entries for %d rows" % (size, n))
        out = _native.dataset_p()
        check(fn(ctypes.byref(out), self._handle, ptr if n else b"\0"))
        return Dataset._wrap(out)

    @classmethod
    def concat(cls, parts):
        """A new dataset of the rows of ``parts`` (Datasets with the same
        column names, types and order) one after another; categories new in
        later parts are appended to the first part's. Raises MlopsError
        (MLOPS_EINVAL) naming the first column that does not match."""
        parts = list(parts)
        for p in parts:
            if not isinstance(p, Dataset):
                raise TypeError("parts must be mlops.Dataset objects, not %s"
                                % type(p).__name__)
        if not parts:
            raise ValueError("concat needs at least one dataset")
        arr = (_native.dataset_p * len(parts))(*[p._handle for p in parts])
        out = _native.dataset_p()
        check(_c("mlops_dataset_concat_rows")(ctypes.byref(out), arr, len(parts)))
        return cls._wrap(out)

    # ---- schema, profile and splits ---------------------------------------

    def schema(self, max_categories=None):
        """The inferred mlops.Schema of this dataset (see Schema.infer())."""
        from ._schema import Schema
        return Schema.infer(self, max_categories)

    def validate(self, schema):
        """Checks this dataset against an mlops.Schema (or a schema file
        path) and returns the mlops.Validation listing every violation."""
        from ._schema import Schema
        if not isinstance(schema, Schema):
            with Schema.load(schema) as loaded:
                return loaded.check(self)
        return schema.check(self)

    def profile(self, **settings):
        """An mlops.Profile of this dataset (``settings`` as for
        Profile(), such as ``bins=10``)."""
        from ._profile import Profile
        return Profile(**settings).add(self)

    def split(self, test_size=0.25, seed=0, stratify=None):
        """(train, test) at random, test_size a fraction or a row count;
        ``stratify`` names a class column whose proportions both parts
        keep. See mlops.train_test_split()."""
        from ._split import train_test_split
        return train_test_split(self, test_size, seed, stratify)

    def split_by_time(self, test_size=0.25, time_column=None):
        """(train, test) with the latest rows in test. See
        mlops.split_by_time()."""
        from ._split import split_by_time
        return split_by_time(self, test_size, time_column)

    def kfold(self, k=5, shuffle=False, seed=0, stratify=None):
        """Yields the k (train, test) pairs of k-fold cross-validation
        (stratified by the column ``stratify`` when given). See
        mlops.kfold()."""
        from ._split import kfold
        return kfold(self, k, shuffle, seed, stratify)

    def fold_assignments(self, k=5, shuffle=False, seed=0, stratify=None):
        """The fold of every row (a uint32 NumPy array or a list). See
        mlops.kfold_assignments()."""
        from ._split import kfold_assignments
        return kfold_assignments(self, k, shuffle, seed, stratify)


class _ViewKeeper:
    """Referenced by every array over a dataset's memory (column(copy=False)):
    keeps the Dataset alive, and after its close() owns the C object
    itself, so the memory outlives the last array and no longer."""

    __slots__ = ("dataset", "__weakref__")

    def __init__(self, dataset):
        self.dataset = dataset


def _is_dataframe(x):
    pd = sys.modules.get("pandas")  # a DataFrame exists only once pandas is imported
    return pd is not None and isinstance(x, pd.DataFrame)


def _is_series(x):
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(x, (pd.Series, pd.Index))


def _column_name(name):
    """Column names are str; other hashable names (a DataFrame's integer
    labels) go through str()."""
    return name if isinstance(name, (str, bytes)) else str(name)


def _sized(name, values):
    """values as something with a length: arrays, Series and array.array
    as they are, other iterables as a list."""
    if _is_ndarray(values) or _is_series(values) or isinstance(values, array.array):
        return values
    if isinstance(values, (str, bytes)):
        raise TypeError("column %r must be a sequence of values, not a single %s"
                        % (name, type(values).__name__))
    try:
        return list(values)
    except TypeError:
        raise TypeError("column %r must be a sequence of values, not %s"
                        % (name, type(values).__name__)) from None


def _matrix_handle(values, names):
    """A new numeric dataset handle from matrix data (see from_matrix)."""
    if _is_ndarray(values) and values.ndim == 1:
        values = values.reshape(-1, 1)
    stride = None
    if (_is_ndarray(values) and values.ndim == 2 and values.dtype == _np.float64
            and values.strides[1] == 8 and values.strides[0] % 8 == 0
            and values.strides[0] >= 8 * values.shape[1] and values.shape[0] > 1):
        # Evenly spaced rows of contiguous values: the library reads them in
        # place through its row stride.
        keep, rows, cols = values, values.shape[0], values.shape[1]
        stride = values.strides[0] // 8
        ptr = values.ctypes.data_as(_native.c_double_p) if values.size else None
    else:
        keep, ptr, rows, cols = _as_matrix(values, "values")
    cnames = None
    if names is not None:
        names = [_column_name(n) for n in names]
        if len(names) != cols:
            raise ValueError("names has %d entries for %d columns" % (len(names), cols))
        cnames = (ctypes.c_char_p * max(cols, 1))(*[_text(n, "column name") for n in names])
    if ptr is None:
        keep = ctypes.c_double()  # noqa: F841 - a 0-element matrix still needs a pointer
        ptr = ctypes.pointer(keep)
    out = _native.dataset_p()
    check(_lib.mlops_dataset_from_matrix(ctypes.byref(out), ptr, rows, cols, stride or cols,
                                         cnames))
    return out


def _float64_frame_handle(frame):
    """A frame whose columns are all float64 and whose values form one
    row-major block (a frame made from a 2-D array) crosses as a matrix,
    read in place by the library; None for every other frame."""
    if not len(frame.columns) or not all(dt == _np.float64 for dt in frame.dtypes):
        return None
    values = frame.to_numpy(dtype=_np.float64, copy=False)
    if values.ndim != 2 or values.strides[1] != 8 or values.shape[0] < 2:
        return None
    return _matrix_handle(values, list(frame.columns))


def _with_roles(handle, roles):
    """Gives the columns of a new dataset handle their roles; frees the
    handle when a name or role is wrong."""
    try:
        for name, role in (roles or {}).items():
            idx = ctypes.c_size_t()
            check(_lib.mlops_dataset_column_index(handle, _text(_column_name(name),
                                                                "column name"),
                                                  ctypes.byref(idx)))
            check(_lib.mlops_dataset_set_role(handle, idx.value, _role_code(role)))
    except BaseException:
        _lib.mlops_dataset_free(handle)
        raise
    return handle


def _column_data(name, values):
    """(type, keepalive, pointer) for one column: the pointer is a double *
    for a numeric column, a char ** for a categorical one, never NULL."""
    if _is_series(values):
        kind, keep, ptr = _pandas_column(name, values)
    elif _is_ndarray(values):
        kind, keep, ptr = _ndarray_column(name, values)
    elif isinstance(values, array.array):
        kind, keep, ptr = _array_column(name, values)
    else:
        kind, keep, ptr = _list_column(name, values)
    if ptr is None:  # a 0-row column still needs a pointer
        if kind == _CATEGORICAL:
            keep = (ctypes.c_char_p * 1)()
            ptr = keep
        else:
            keep = ctypes.c_double()
            ptr = ctypes.pointer(keep)
    return kind, keep, ptr


def _float64_column(arr):
    arr = _np.ascontiguousarray(arr, dtype=_np.float64)
    return _NUMERIC, arr, (arr.ctypes.data_as(_native.c_double_p) if arr.size else None)


def _ndarray_column(name, arr):
    if arr.ndim != 1:
        raise ValueError("column %r must be 1-D, got shape %s" % (name, arr.shape))
    kind = arr.dtype.kind
    if kind in "biuf":
        return _float64_column(arr)
    if kind in "US":
        uniques, inverse = _np.unique(arr, return_inverse=True)
        return _coded_column(name, uniques.tolist(), inverse)
    if kind == "M":
        return _datetime_column(name, arr)
    if kind == "O":
        pd = sys.modules.get("pandas")
        if pd is not None:
            return _pandas_column(name, pd.Series(arr, copy=False))
        return _list_column(name, arr.tolist())
    raise TypeError("column %r has dtype %s; use numbers, strings or datetime64"
                    % (name, arr.dtype))


def _array_column(name, values):
    if values.typecode in "uw":
        raise TypeError("column %r: array.array(%r) holds characters; use a list of strings"
                        % (name, values.typecode))
    buf = values if values.typecode == "d" else array.array("d", values)
    return _NUMERIC, buf, _pointer(buf, len(buf))


def _list_column(name, values):
    if any(isinstance(v, (str, bytes)) for v in values):
        strs = (ctypes.c_char_p * max(len(values), 1))(*[_category(name, v) for v in values])
        return _CATEGORICAL, strs, (strs if values else None)
    keep, ptr = _numeric_list(name, values)
    return _NUMERIC, keep, ptr


def _numeric_list(name, values):
    try:
        return _doubles(values)
    except TypeError:
        bad = next(v for v in values if v is not None and not isinstance(v, (int, float)))
        raise TypeError("column %r mixes numbers and %s (%r)"
                        % (name, type(bad).__name__, bad)) from None


def _coded_column(name, uniques, codes):
    """A categorical column given its distinct values and one code per row
    (-1 = missing): the char * array is gathered by NumPy from a table of
    the distinct strings, so no Python code runs per row."""
    bufs = [ctypes.create_string_buffer(_text(u, "value of column %r" % name)) for u in uniques]
    table = _np.array([0] + [ctypes.addressof(b) for b in bufs], dtype=_np.uintp)
    ptrs = table[_np.asarray(codes, dtype=_np.intp) + 1]
    if not ptrs.size:
        return _CATEGORICAL, None, None
    return _CATEGORICAL, (bufs, ptrs), ptrs.ctypes.data_as(_native.c_char_pp)


def _datetime_column(name, arr):
    """datetime64 values as ISO-8601 text (UTC with a Z when the values
    carry a zone); NaT is missing."""
    missing = _np.isnat(arr)
    text = _np.datetime_as_string(arr, unit="auto")
    uniques, inverse = _np.unique(text, return_inverse=True)
    return _coded_column(name, uniques.tolist(), _np.where(missing, -1, inverse))


def _pandas_column(name, s):
    pd = sys.modules["pandas"]
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = [c if isinstance(c, (str, bytes)) else str(c) for c in dtype.categories]
        return _coded_column(name, categories, s.cat.codes.to_numpy() if hasattr(s, "cat")
                             else s.codes)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if getattr(dtype, "tz", None) is not None:
            utc = s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
            missing = _np.isnat(utc)
            text = _np.datetime_as_string(utc, unit="auto", timezone="UTC")
            uniques, inverse = _np.unique(text, return_inverse=True)
            return _coded_column(name, uniques.tolist(), _np.where(missing, -1, inverse))
        return _datetime_column(name, s.to_numpy())
    if pd.api.types.is_complex_dtype(dtype):
        raise TypeError("column %r has complex dtype %s" % (name, dtype))
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        if isinstance(dtype, _np.dtype):  # plain NumPy storage: float64 is not copied
            return _float64_column(s.to_numpy(dtype=_np.float64, copy=False))
        return _float64_column(s.to_numpy(dtype=_np.float64, na_value=_np.nan))
    codes, uniques = pd.factorize(s)  # object / string: None, NaN and NA get -1
    uniques = list(uniques)
    if uniques and all(isinstance(u, (str, bytes)) for u in uniques):
        return _coded_column(name, uniques, codes)
    bad = next((u for u in uniques if isinstance(u, (str, bytes))), None)
    if bad is not None:
        other = next(u for u in uniques if not isinstance(u, (str, bytes)))
        raise TypeError("column %r mixes strings and %s (%r); use None for missing"
                        % (name, type(other).__name__, other))
    try:
        return _float64_column(s.to_numpy(dtype=_np.float64, na_value=_np.nan))
    except (TypeError, ValueError):
        other = next(u for u in uniques if not isinstance(u, (int, float)))
        raise TypeError("column %r holds %s values (%r); use numbers or strings"
                        % (name, type(other).__name__, other)) from None


def _category(name, value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if not isinstance(value, (str, bytes)):
        raise TypeError("column %r mixes strings and %s (%r); use None for missing"
                        % (name, type(value).__name__, value))
    return _text(value, "value of column %r" % name)
