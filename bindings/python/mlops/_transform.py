"""mlops.Transform: a chain of preprocessing steps (impute, standardize,
minmax, onehot, drop) configured from Python, fitted and applied by
libmlops."""
import ctypes
import json

from . import _native
from ._dataset import Dataset, _setting_text, _take_bytes, _take_string, _text
from ._handle import _Handle
from ._errors import check

_lib = _native.lib


def _column_list(columns):
    """The library's comma-separated column list: a str ("*" or "a, b")
    passes through; a sequence of names is joined with every ',', '\\',
    space and '*' escaped, so any name is taken literally."""
    if isinstance(columns, str):
        return columns
    if not columns:
        raise ValueError("columns must name at least one column")
    return ",".join("".join("\\" + c if c in "\\, *" else c for c in name)
                    for name in columns)


class Transform(_Handle):
    """A preprocessing chain: steps run in order, each on the output of the
    one before, fitted once on training data and replayed exactly on new
    rows (see mlops_transform_add(3) for the steps and their settings).

    >>> t = Transform()
    >>> t.add("impute", "*", strategy="median")
    0
    >>> t.add("standardize", ["age", "income"])
    1
    >>> t.set(1, "with_mean", False)

    A model copies its chain (Model.transform = t), so changing ``t``
    afterwards does not change the model."""

    _free = "mlops_transform_free"
    _what = "transform"

    def __init__(self):
        handle = _native.transform_p()
        check(_lib.mlops_transform_create(ctypes.byref(handle)))
        self._adopt(handle)

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.Transform (closed)>"
        return "<mlops.Transform %s%s>" % (" -> ".join(self.steps) or "(empty)",
                                           ", fitted" if self.is_fitted else "")

    # ---- configuring --------------------------------------------------

    def add(self, step, columns="*", **settings):
        """Appends a step ("impute", "standardize", "minmax", "onehot",
        "drop") over ``columns`` ("*" for every applicable feature column,
        or a list of names) and returns its index. Keyword arguments are
        settings of the new step, as with set()."""
        idx = _lib.mlops_transform_add(self._handle, _text(step, "step"),
                                       _text(_column_list(columns), "columns"))
        check(idx)
        for key, value in settings.items():
            self.set(idx, key, value)
        return idx

    def set(self, step_index, key, value):
        """Sets one setting of step ``step_index`` (booleans become
        true/false, numbers their shortest exact spelling)."""
        check(_lib.mlops_transform_set(self._handle, step_index, _text(key, "setting"),
                                       _setting_text(value)))

    # ---- fitting and applying ----------------------------------------

    def fit(self, dataset):
        """Fits every step on ``dataset``; returns self."""
        check(_lib.mlops_transform_fit(self._handle, dataset._handle))
        return self

    def apply(self, dataset):
        """A new Dataset: ``dataset`` with the fitted steps applied."""
        out = _native.dataset_p()
        check(_lib.mlops_transform_apply(self._handle, dataset._handle, ctypes.byref(out)))
        return Dataset._wrap(out)

    def fit_apply(self, dataset):
        """fit() then apply() on the same data, in one pass
        (mlops_transform_fit_apply(3)); returns the new Dataset."""
        if not _native.has("mlops_transform_fit_apply"):
            return self.fit(dataset).apply(dataset)
        out = _native.dataset_p()
        check(_lib.mlops_transform_fit_apply(self._handle, dataset._handle, ctypes.byref(out)))
        return Dataset._wrap(out)

    # ---- inspecting ---------------------------------------------------

    @property
    def is_fitted(self):
        """True once fit() (or loading a fitted chain) has run."""
        return bool(_lib.mlops_transform_is_fitted(self._handle))

    @property
    def steps(self):
        """The kinds of the steps, in order."""
        h = self._handle
        return [_lib.mlops_transform_step_kind(h, i).decode()
                for i in range(_lib.mlops_transform_step_count(h))]

    @property
    def output_names(self):
        """Names of the columns the fitted chain produces ([] unfitted)."""
        h = self._handle
        return [_lib.mlops_transform_output_name(h, i).decode("utf-8")
                for i in range(_lib.mlops_transform_output_count(h))]

    def to_json(self):
        """The chain (and fitted parameters) as a dict, from
        mlops_transform_to_json(3)."""
        ptr = ctypes.c_void_p()
        check(_lib.mlops_transform_to_json(self._handle, ctypes.byref(ptr)))
        return json.loads(_take_string(ptr))

    def to_bytes(self):
        """The versioned, portable encoding of mlops_transform_save(3)."""
        ptr, size = ctypes.c_void_p(), ctypes.c_size_t()
        check(_lib.mlops_transform_save(self._handle, ctypes.byref(ptr), ctypes.byref(size)))
        return _take_bytes(ptr, size)

    @classmethod
    def from_bytes(cls, data):
        """Decodes bytes written by to_bytes()."""
        data = bytes(data)
        out = _native.transform_p()
        check(_lib.mlops_transform_load(ctypes.byref(out), data, len(data)))
        return cls._wrap(out)

    def __reduce__(self):
        return (Transform.from_bytes, (self.to_bytes(),))
