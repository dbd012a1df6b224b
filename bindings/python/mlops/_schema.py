"""mlops.Schema and mlops.Validation: the expected shape of a dataset
(columns, types, roles, ranges, allowed categories, missing-value limits),
inferred from data or written by hand, saved as JSON/YAML text, and checked
against new data with every violation listed.

Settings cross as the library's text forms (mlops_schema_set(3)); Python
booleans, numbers, None (no bound) and lists of categories are converted
here, so a caller never spells them by hand."""
import ctypes
import json

from . import _native
from ._dataset import Dataset, _path, _setting_text, _take_string, _text, _unsupported
from ._errors import GateError, check
from ._handle import _Handle

_lib = _native.lib
_TYPES = {"numeric": 1, "categorical": 2}
_EGATE = -9  # MLOPS_EGATE


def _c(name):
    """The C function `name`, or MlopsError MLOPS_EUNSUPPORTED when the
    loaded library predates it."""
    if not _native.has(name):
        _unsupported(name)
    return getattr(_lib, name)


def have_schema():
    """True when the loaded libmlops has the schema and validation API."""
    return all(_native.has(name) for name, _, _ in _native.DATA_FUNCTIONS
               if name.startswith(("mlops_schema_", "mlops_validation_", "mlops_violation_")))


def _type_code(kind):
    if isinstance(kind, int) and not isinstance(kind, bool):
        return kind
    try:
        return _TYPES[kind]
    except (KeyError, TypeError):
        raise ValueError("column type must be 'numeric' or 'categorical', not %r"
                         % (kind,)) from None


def _schema_value(value):
    """The text form of a column setting: None is "none" (no bound)."""
    if value is None:
        return b"none"
    return _setting_text(value)


def _dataset_handle(dataset):
    if not isinstance(dataset, Dataset):
        raise TypeError("dataset must be an mlops.Dataset, not %s" % type(dataset).__name__)
    return dataset._handle


class Schema(_Handle):
    """The expected shape of a dataset: its columns in order, each with a
    type, role, required and sensitive flags, numeric bounds (min, max),
    allowed categories and a max_missing_fraction, plus the schema-wide
    option ``strict`` (dataset columns the schema does not list are
    violations).

    Make one with Schema() (empty), Schema.infer(dataset) (from data),
    Schema.load(path) or Schema.from_text(text) (JSON or YAML). Check data
    with check(), which returns a Validation listing every violation.

    >>> schema = Schema.infer(Dataset.read_csv("train.csv"))   # doctest: +SKIP
    >>> schema.set("age", "max", 120)                          # doctest: +SKIP
    >>> report = schema.check(Dataset.read_csv("new.csv"))      # doctest: +SKIP
    >>> report.passed, [v["message"] for v in report]           # doctest: +SKIP
    (False, ["column 'age': 3 values above max 120 (largest 430)"])

    Failures raise mlops.Error subclasses with the library's message:
    NotFound for an unknown column and InvalidArgument for a bad setting
    (both suggest the nearest name), FormatError for malformed text. A
    schema may be read from several threads; changes need the caller's
    lock."""

    _free = "mlops_schema_free"
    _what = "schema"

    def __init__(self, strict=False):
        """An empty schema (no columns); ``strict`` sets the option of that
        name."""
        handle = _native.schema_p()
        check(_c("mlops_schema_create")(ctypes.byref(handle)))
        self._adopt(handle)
        if strict:
            self.strict = True

    # ---- construction -------------------------------------------------

    @classmethod
    def infer(cls, dataset, max_categories=None):
        """The schema of ``dataset`` as it is: every column required, with
        its type, role and sensitive flag; numeric columns bounded by their
        observed minimum and maximum; categorical columns limited to the
        observed categories when there are at most ``max_categories`` of
        them (default 50; 0 never records categories);
        max_missing_fraction the observed fraction. Raises TypeError for a
        non-Dataset and mlops.Error from the library."""
        out = _native.schema_p()
        if max_categories is None:
            check(_c("mlops_schema_infer")(ctypes.byref(out), _dataset_handle(dataset)))
        else:
            if int(max_categories) < 0:
                raise ValueError("max_categories must be >= 0, not %r" % (max_categories,))
            check(_c("mlops_schema_infer_ex")(ctypes.byref(out), _dataset_handle(dataset),
                                              int(max_categories)))
        return cls._wrap(out)

    @classmethod
    def from_text(cls, text, name=None):
        """Parses a schema from JSON or YAML text (str or bytes) in the
        layout of to_json(); ``name`` labels the text in messages. Raises
        mlops.FormatError (MLOPS_EFORMAT, naming the line and key) for text that is
        not a libmlops schema."""
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        out = _native.schema_p()
        check(_c("mlops_schema_from_text")(ctypes.byref(out), data, len(data),
                                           None if name is None else _text(name, "name")))
        return cls._wrap(out)

    @classmethod
    def from_dict(cls, document):
        """A schema from a dict in the layout of to_dict()."""
        return cls.from_text(json.dumps(document), name="dict")

    @classmethod
    def load(cls, path):
        """Reads a schema file (JSON or YAML, at most 64 MiB). Raises
        mlops.NotFound for a missing file, mlops.FormatError for
        malformed content."""
        out = _native.schema_p()
        check(_c("mlops_schema_load")(ctypes.byref(out), _path(path)))
        return cls._wrap(out)

    def save(self, path):
        """Writes to_json()'s document to ``path`` atomically."""
        check(_c("mlops_schema_save")(self._handle, _path(path)))

    def copy(self):
        """An independent copy of this schema."""
        return Schema.from_text(self.to_json(), name="copy")

    def __reduce__(self):
        return (Schema.from_text, (self.to_json(),))

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.Schema (closed)>"
        return "<mlops.Schema: %d columns%s>" % (len(self), ", strict" if self.strict else "")

    # ---- columns --------------------------------------------------------

    def __len__(self):
        return _c("mlops_schema_column_count")(self._handle)

    @property
    def columns(self):
        """Column names, in schema order."""
        h = self._handle
        return [_lib.mlops_schema_column_name(h, i).decode("utf-8")
                for i in range(_c("mlops_schema_column_count")(h))]

    def __contains__(self, name):
        return name in self.columns

    def index(self, name):
        """Position of column ``name``; mlops.NotFound (MLOPS_ENOTFOUND,
        suggesting the closest name) when absent."""
        i = ctypes.c_size_t()
        check(_c("mlops_schema_column_index")(self._handle, _text(name, "column name"),
                                              ctypes.byref(i)))
        return i.value

    def add_column(self, name, type="numeric", **settings):
        """Appends column ``name`` of ``type`` ("numeric" or "categorical")
        with permissive settings (feature, required, no bounds, any
        category, max_missing_fraction 1), then applies ``settings`` as
        set() would (``role="target"``, ``min=0``, ``categories=[...]``).
        Returns self. Raises mlops.InvalidArgument for a duplicate or empty name."""
        check(_c("mlops_schema_add_column")(self._handle, _text(name, "column name"),
                                            _type_code(type)))
        for key, value in settings.items():
            self.set(name, key, value)
        return self

    def remove_column(self, name):
        """Removes column ``name``; later columns move up. Returns self."""
        check(_c("mlops_schema_remove_column")(self._handle, _text(name, "column name")))
        return self

    def set(self, column, key, value):
        """Sets one setting of ``column``: "type", "role", "required",
        "sensitive" (bool), "min", "max" (a number, or None for no bound),
        "max_missing_fraction" (0..1) or "categories" (a list of strings
        taken exactly, None for any category, or the library's
        comma-separated text). Returns self; on failure the column is
        unchanged and mlops.NotFound (no such column) or
        mlops.InvalidArgument (bad key or value) names the problem."""
        if key == "categories" and not isinstance(value, (str, bytes)):
            return self.set_categories(column, value)
        check(_c("mlops_schema_set")(self._handle, _text(column, "column name"),
                                     _text(key, "setting"), _schema_value(value)))
        return self

    def get(self, column, key):
        """One setting of ``column`` in the library's text form ("none"
        for an absent bound, "" for unconstrained categories); see
        column() for typed values."""
        ptr = ctypes.c_void_p()
        check(_c("mlops_schema_get")(self._handle, _text(column, "column name"),
                                     _text(key, "setting"), ctypes.byref(ptr)))
        return _take_string(ptr)

    def column(self, name):
        """Every setting of column ``name`` as a dict with Python values
        (to_dict()'s entry: bounds None when absent, categories a list or
        None)."""
        i = self.index(name)
        return self.to_dict()["columns"][i]

    def set_categories(self, column, values):
        """Allows exactly the strings ``values`` in categorical column
        ``column`` (commas and any other character taken literally); None
        removes the constraint, [] allows no category. Returns self."""
        col = _text(column, "column name")
        if values is None:
            check(_c("mlops_schema_set_categories")(self._handle, col, None, 0))
            return self
        if isinstance(values, (str, bytes)):
            raise TypeError("values must be a list of strings, not a single string")
        encoded = [_text(v, "category") for v in values]
        arr = (ctypes.c_char_p * max(len(encoded), 1))(*encoded)
        check(_c("mlops_schema_set_categories")(self._handle, col, arr, len(encoded)))
        return self

    def categories(self, column):
        """The allowed categories of ``column`` as a list, or None when any
        category is allowed (and for numeric columns)."""
        values, n = _native.c_char_pp(), ctypes.c_size_t()
        rc = _c("mlops_schema_categories")(self._handle, _text(column, "column name"),
                                           ctypes.byref(values), ctypes.byref(n))
        check(rc)
        if rc == 0:
            return None
        return [values[i].decode("utf-8") for i in range(n.value)]

    # ---- options --------------------------------------------------------

    def set_option(self, key, value):
        """Sets a schema-wide option ("strict": bool). Returns self."""
        check(_c("mlops_schema_set_option")(self._handle, _text(key, "option"),
                                            _setting_text(value)))
        return self

    def get_option(self, key):
        """A schema-wide option in text form ("true"/"false" for strict)."""
        ptr = ctypes.c_void_p()
        check(_c("mlops_schema_get_option")(self._handle, _text(key, "option"),
                                            ctypes.byref(ptr)))
        return _take_string(ptr)

    @property
    def strict(self):
        """True when dataset columns the schema does not list are
        violations."""
        return self.get_option("strict") == "true"

    @strict.setter
    def strict(self, value):
        self.set_option("strict", bool(value))

    # ---- text form ------------------------------------------------------

    def to_json(self):
        """The schema as indented JSON text (mlops_schema_to_json(3));
        from_text() reads it back identically."""
        ptr = ctypes.c_void_p()
        check(_c("mlops_schema_to_json")(self._handle, ctypes.byref(ptr)))
        return _take_string(ptr)

    def to_dict(self):
        """to_json() parsed: {"format", "version", "strict", "columns":
        [{"name", "type", "role", "required", "sensitive",
        "max_missing_fraction", "min"/"max" or "categories"}, ...]}."""
        return json.loads(self.to_json())

    # ---- checking -------------------------------------------------------

    def check(self, dataset):
        """Checks ``dataset`` (columns matched by name) and returns a
        Validation listing every violation; it does not raise for
        violations (see Validation.passed and raise_if_failed())."""
        out = _native.validation_p()
        check(_c("mlops_schema_check")(self._handle, _dataset_handle(dataset),
                                       ctypes.byref(out)))
        return Validation._wrap(out)


class SchemaViolation(GateError):
    """Raised by Validation.raise_if_failed(): the data broke its schema
    (code MLOPS_EGATE, a failed check). ``validation`` is the Validation;
    the message lists every violation."""

    def __init__(self, validation):
        self.validation = validation
        lines = [v["message"] for v in validation.violations]
        super().__init__(_EGATE, "%d schema violation%s: %s" % (
            len(lines), "" if len(lines) == 1 else "s", "; ".join(lines)))


class Validation(_Handle):
    """The result of Schema.check(): every violation found, each a dict
    {"kind", "column", "count", "samples", "message"} where kind is one of
    "missing_column", "unexpected_column", "wrong_type", "below_min",
    "above_max", "category_not_allowed", "too_many_missing"; count is the
    number of affected rows (missing entries for too_many_missing) and
    samples the first offending 0-based rows (at most 5). Iterating yields
    the violations; len() is their number. Immutable; may be read from
    several threads."""

    _free = "mlops_validation_free"
    _what = "validation report"

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.Validation (closed)>"
        return "<mlops.Validation: %d rows, %s>" % (
            self.rows, "passed" if self.passed else "%d violations" % len(self))

    @property
    def passed(self):
        """True when no violation was found."""
        return bool(_c("mlops_validation_passed")(self._handle))

    @property
    def rows(self):
        """Number of rows of the checked dataset."""
        return _lib.mlops_validation_rows(self._handle)

    def __len__(self):
        return _c("mlops_validation_count")(self._handle)

    def _violation(self, i):
        h = self._handle
        kind = _lib.mlops_validation_kind(h, i)
        check(kind)
        rows, n = _native.c_size_p(), ctypes.c_size_t()
        check(_lib.mlops_validation_samples(h, i, ctypes.byref(rows), ctypes.byref(n)))
        column = _lib.mlops_validation_column(h, i)
        return {"kind": _lib.mlops_violation_kind_name(kind).decode(),
                "column": column.decode("utf-8") if column is not None else None,
                "count": _lib.mlops_validation_row_count(h, i),
                "samples": [rows[k] for k in range(n.value)],
                "message": _lib.mlops_validation_message(h, i).decode("utf-8")}

    @property
    def violations(self):
        """Every violation as a dict, in the library's order (schema column
        order, then unexpected columns)."""
        return [self._violation(i) for i in range(len(self))]

    def __iter__(self):
        return iter(self.violations)

    def __getitem__(self, i):
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("violation %d out of range (%d violations)" % (i, n))
        return self._violation(i)

    def to_json(self):
        """The report as JSON text (mlops_validation_to_json(3))."""
        ptr = ctypes.c_void_p()
        check(_c("mlops_validation_to_json")(self._handle, ctypes.byref(ptr)))
        return _take_string(ptr)

    def to_dict(self):
        """{"passed", "rows", "violations": [...]} (to_json() parsed)."""
        return json.loads(self.to_json())

    def raise_if_failed(self):
        """Raises SchemaViolation listing every violation unless passed;
        returns self otherwise."""
        if not self.passed:
            raise SchemaViolation(self)
        return self


def violation_kind_name(kind):
    """The name of a violation kind code (1 -> "missing_column", ...;
    "unknown" for other values)."""
    return _c("mlops_violation_kind_name")(int(kind)).decode()
