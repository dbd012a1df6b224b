"""mlops.Evaluator and mlops.Report: measuring a model (metrics, fairness by
group, robustness probes, bootstrap intervals, gates, cross-validation, grid
search) through libmlops, and reading the outcome by name.

Arrays cross as float64 buffers: a C-contiguous float64 NumPy array is
passed in place, anything else is converted once. Curves and the confusion
matrix come back as NumPy arrays when NumPy is installed, lists otherwise;
they are copies, valid after the report is closed."""
import array
import ctypes
import json

from . import _native
from ._dataset import (Dataset, _is_ndarray, _np, _pointer, _setting_text, _take_string, _text,
                       _unsupported)
from ._errors import check
from ._handle import _Handle
from ._model import Model

_lib = _native.lib

evaluator_p = _native._opaque("mlops_evaluator")
report_p = _native._opaque("mlops_report")

_int, _size, _str, _dbl = ctypes.c_int, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_double
_dbl_p, _size_p = _native.c_double_p, _native.c_size_p
_dbl_pp = ctypes.POINTER(_dbl_p)

# Declared when the loaded library has them, so `import mlops` keeps working
# with a build that predates the evaluator (its use then raises MlopsError
# MLOPS_EUNSUPPORTED).
_SIGNATURES = (
    ("mlops_evaluator_create", _int, (ctypes.POINTER(evaluator_p),)),
    ("mlops_evaluator_free", None, (evaluator_p,)),
    ("mlops_evaluator_set_param", _int, (evaluator_p, _str, _str)),
    ("mlops_evaluator_get_param", _int, (evaluator_p, _str, _native.c_out_buffer)),
    ("mlops_evaluator_add_gate", _int, (evaluator_p, _str)),
    ("mlops_evaluator_gate_count", _size, (evaluator_p,)),
    ("mlops_evaluator_run", _int, (evaluator_p, _native.model_p, _native.dataset_p,
                                   ctypes.POINTER(report_p))),
    ("mlops_evaluator_run_arrays", _int, (evaluator_p, _size, _dbl_p, _dbl_p, _dbl_p, _size,
                                          _dbl_p, _native.dataset_p, ctypes.POINTER(report_p))),
    ("mlops_evaluator_cross_validate", _int, (evaluator_p, _native.model_p, _native.dataset_p,
                                              ctypes.POINTER(report_p))),
    ("mlops_evaluator_grid_search", _int, (evaluator_p, _native.model_p, _native.dataset_p, _str,
                                           ctypes.POINTER(_native.model_p),
                                           ctypes.POINTER(report_p))),
    ("mlops_report_free", None, (report_p,)),
    ("mlops_report_value", _int, (report_p, _str, _dbl_p)),
    ("mlops_report_group_value", _int, (report_p, _str, _str, _str, _dbl_p)),
    ("mlops_report_value_count", _size, (report_p,)),
    ("mlops_report_value_name", _str, (report_p, _size)),
    ("mlops_report_passed", _int, (report_p,)),
    ("mlops_report_gate_count", _size, (report_p,)),
    ("mlops_report_gate", _int, (report_p, _size, _native.c_char_pp, _dbl_p,
                                 ctypes.POINTER(_int))),
    ("mlops_report_note_count", _size, (report_p,)),
    ("mlops_report_note", _str, (report_p, _size)),
    ("mlops_report_class_count", _size, (report_p,)),
    ("mlops_report_class_label", _str, (report_p, _size)),
    ("mlops_report_confusion", _int, (report_p, _size_p, _dbl_pp)),
    ("mlops_report_curve", _int, (report_p, _str, _size_p, _dbl_pp, _dbl_pp, _dbl_pp)),
    ("mlops_report_json", _int, (report_p, _native.c_out_buffer)),
    ("mlops_report_attach", _int, (report_p, _native.model_p)),
)
_present = set()
for _name, _restype, _args in _SIGNATURES:
    if hasattr(_lib, _name):
        _fn = getattr(_lib, _name)
        _fn.restype = _restype
        _fn.argtypes = list(_args)
        _present.add(_name)


def have_evaluator():
    """True when the loaded libmlops has the evaluator and report API."""
    return all(name in _present for name, _, _ in _SIGNATURES)


def _c(name):
    if name not in _present:
        _unsupported(name)
    return getattr(_lib, name)


def _param_text(key, value):
    """A setting's text: lists of metrics or group columns are joined with
    ',', lists of probes with ';'; other values as Model settings are."""
    if isinstance(value, (list, tuple)):
        sep = ";" if key == "probes" else ","
        return _text(sep.join(_setting_text(v).decode("utf-8") for v in value), "setting value")
    return _setting_text(value)


def _vector(values, what):
    """(keepalive, pointer, length) of a 1-D sequence of numbers; a
    C-contiguous float64 NumPy array is used in place."""
    if _is_ndarray(values):
        arr = _np.ascontiguousarray(values, dtype=_np.float64)
        if arr.ndim != 1:
            raise ValueError("%s must be 1-D, got shape %s" % (what, arr.shape))
        return arr, (arr.ctypes.data_as(_dbl_p) if arr.size else None), arr.size
    try:
        buf = array.array("d", values)
    except TypeError:
        raise TypeError("%s must be a sequence of numbers, not %s"
                        % (what, type(values).__name__)) from None
    return buf, _pointer(buf, len(buf)), len(buf)


def _scores(values, rows):
    """(keepalive, pointer, columns) of rows x k scores: a 2-D array or a
    sequence of rows, or one probability per row (binary)."""
    if _is_ndarray(values):
        arr = _np.ascontiguousarray(values, dtype=_np.float64)
        if arr.ndim not in (1, 2):
            raise ValueError("scores must be 1-D or 2-D, got shape %s" % (arr.shape,))
        if arr.shape[0] != rows:
            raise ValueError("scores has %d rows, y_true %d" % (arr.shape[0], rows))
        cols = 1 if arr.ndim == 1 else arr.shape[1]
        return arr, (arr.ctypes.data_as(_dbl_p) if arr.size else None), cols
    values = list(values)
    if len(values) != rows:
        raise ValueError("scores has %d rows, y_true %d" % (len(values), rows))
    if values and isinstance(values[0], (int, float)):
        buf, ptr, _ = _vector(values, "scores")
        return buf, ptr, 1
    cols = len(values[0]) if values else 0
    for i, r in enumerate(values):
        if len(r) != cols:
            raise ValueError("scores row %d has %d values, row 0 has %d" % (i, len(r), cols))
    buf, ptr, _ = _vector([v for r in values for v in r], "scores")
    return buf, ptr, cols


def _as_list(values):
    """A ctypes double array slice as a NumPy array (a copy) or a list."""
    if _np is not None:
        return _np.array(values, dtype=_np.float64)
    return list(values)


def _grid_text(grid):
    """"key=v1,v2;key2=..." from a dict of setting -> values (or a str)."""
    if isinstance(grid, (str, bytes)):
        return _text(grid, "grid")
    if not hasattr(grid, "items"):
        raise TypeError("grid must be a str or a dict of setting -> values, not %s"
                        % type(grid).__name__)
    parts = []
    for key, values in grid.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            values = [values]
        parts.append("%s=%s" % (key, ",".join(_setting_text(v).decode("utf-8") for v in values)))
    return _text(";".join(parts), "grid")


class Evaluator(_Handle):
    """Measures a fitted model before it serves anyone, and says whether it
    may. Settings are those of mlops_evaluator_set_param(3) (task,
    metrics, metric, pos_label, threshold, group, reference_group,
    min_group_size, bootstrap, bootstrap_level, seed, probes,
    calibration_bins, calibration_strategy, curve_points, cv_folds,
    cv_shuffle, cv_stratify), given as keyword arguments or with set();
    gates are expressions such as "accuracy >= 0.9".

    >>> ev = Evaluator(group="sex", bootstrap=200, seed=1,
    ...                gates=["r2 >= 0.4", "r2.ci_low >= 0.35"])
    >>> report = ev.run(model, dataset)
    >>> report.passed, report.value("r2")         # doctest: +SKIP
    (True, 0.5177...)

    A configured evaluator may run from several threads at once; set() and
    add_gate() need the caller's lock."""

    _free = "mlops_evaluator_free"
    _what = "evaluator"

    def __init__(self, gates=(), **settings):
        handle = evaluator_p()
        check(_c("mlops_evaluator_create")(ctypes.byref(handle)))
        self._adopt(handle)
        for key, value in settings.items():
            self.set(key, value)
        if isinstance(gates, (str, bytes)):
            gates = [gates]
        for expression in gates:
            self.add_gate(expression)

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.Evaluator (closed)>"
        return "<mlops.Evaluator, %d gates>" % self.gate_count

    def set(self, key, value):
        """Sets one setting; returns self. Lists for "metrics" and "group"
        are joined with commas, for "probes" with semicolons. An unknown key
        or bad value raises MlopsError with the library's suggestion."""
        check(_lib.mlops_evaluator_set_param(self._handle, _text(key, "setting"),
                                             _param_text(key, value)))
        return self

    def get(self, key):
        """The current text of a setting."""
        ptr = ctypes.c_void_p()
        check(_lib.mlops_evaluator_get_param(self._handle, _text(key, "setting"),
                                             ctypes.byref(ptr)))
        return _take_string(ptr)

    def add_gate(self, expression):
        """Adds a gate "NAME OP NUMBER" (OP: >=, <=, >, <, ==, !=; or
        "four_fifths_rule"); returns self. A malformed expression or an
        unknown metric name raises MlopsError naming it."""
        check(_lib.mlops_evaluator_add_gate(self._handle, _text(expression, "gate")))
        return self

    @property
    def gate_count(self):
        """Number of gates added so far."""
        return _lib.mlops_evaluator_gate_count(self._handle)

    # ---- running ------------------------------------------------------

    @staticmethod
    def _report(call):
        out = report_p()
        check(call(ctypes.byref(out)))
        return Report._wrap(out)

    def run(self, model, dataset):
        """Evaluates a fitted Model on a labelled Dataset (the model's
        target column; the weight column, if any); returns a Report. A
        failing gate is not an exception: see Report.passed."""
        m, d = _model_handle(model), _dataset_handle(dataset)
        return self._report(lambda out: _lib.mlops_evaluator_run(self._handle, m, d, out))

    def run_arrays(self, y_true, y_pred=None, scores=None, weights=None, groups=None, task=None):
        """Evaluates predictions given as arrays: ``y_true`` true values or
        class labels as numbers; ``y_pred`` predictions (may be None for
        classification with scores); ``scores`` rows x classes probabilities
        in sorted class order, or one P(positive) per row for binary
        classification; ``weights`` per-row sample weights; ``groups`` a
        Dataset or a dict of group columns (name -> values) of the same
        length. ``task`` ("classification" or "regression"), when given,
        sets the evaluator's task setting first. Returns a Report."""
        if task is not None:
            self.set("task", task)
        keep = []
        yt, yt_ptr, rows = _vector(y_true, "y_true")
        keep.append(yt)
        ptrs = {}
        for name, values in (("y_pred", y_pred), ("weights", weights)):
            if values is None:
                ptrs[name] = None
                continue
            buf, ptr, n = _vector(values, name)
            if n != rows:
                raise ValueError("%s has %d values, y_true %d" % (name, n, rows))
            keep.append(buf)
            ptrs[name] = ptr
        score_ptr, score_cols = None, 0
        if scores is not None:
            buf, score_ptr, score_cols = _scores(scores, rows)
            keep.append(buf)
        owned = None
        if groups is None:
            group_handle = None
        elif isinstance(groups, Dataset):
            group_handle = groups._handle
        elif hasattr(groups, "items"):
            owned = Dataset.from_columns(groups, roles={name: "group" for name in groups})
            group_handle = owned._handle
        else:
            raise TypeError("groups must be a Dataset or a dict of columns, not %s"
                            % type(groups).__name__)
        try:
            return self._report(lambda out: _lib.mlops_evaluator_run_arrays(
                self._handle, rows, yt_ptr, ptrs["y_pred"], score_ptr, score_cols,
                ptrs["weights"], group_handle, out))
        finally:
            if owned is not None:
                owned.close()

    def cross_validate(self, model, dataset):
        """K-fold cross-validation of copies of ``model`` (unchanged) on
        ``dataset`` (cv_folds, cv_shuffle, cv_stratify, seed); the Report
        holds "fold_<i>.<metric>", "<metric>.mean" and "<metric>.std"."""
        m, d = _model_handle(model), _dataset_handle(dataset)
        return self._report(
            lambda out: _lib.mlops_evaluator_cross_validate(self._handle, m, d, out))

    def grid_search(self, model, dataset, grid):
        """Cross-validates every combination of ``grid`` (a dict of model
        setting -> list of values, or the text "key=v1,v2;key2=...") and
        returns (best_model, report): the best combination by the "metric"
        setting, refitted on all of ``dataset``, as a new Model."""
        m, d = _model_handle(model), _dataset_handle(dataset)
        text = _grid_text(grid)
        best = _native.model_p()
        report = self._report(lambda out: _lib.mlops_evaluator_grid_search(
            self._handle, m, d, text, ctypes.byref(best), out))
        return Model._wrap(best), report


def _model_handle(model):
    if not isinstance(model, Model):
        raise TypeError("model must be an mlops.Model, not %s" % type(model).__name__)
    return model._handle


def _dataset_handle(dataset):
    if not isinstance(dataset, Dataset):
        raise TypeError("dataset must be an mlops.Dataset, not %s" % type(dataset).__name__)
    return dataset._handle


class Report(_Handle):
    """The outcome of an evaluation, read by name (see
    mlops_report_value(3)): "accuracy", "roc_auc.ci_low",
    "sex=1.selection_rate", "demographic_parity_ratio", "noise_0.1.flip_rate",
    "fold_0.accuracy", ... Undefined values are NaN, and ``notes`` says
    why. A report never changes; it may be read from many threads."""

    _free = "mlops_report_free"
    _what = "report"

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.Report (closed)>"
        return "<mlops.Report: %d values, %d gates, %s>" % (
            _lib.mlops_report_value_count(self._ptr), _lib.mlops_report_gate_count(self._ptr),
            "passed" if self.passed else "FAILED")

    def value(self, name):
        """The value called ``name`` as a float (NaN when undefined); an
        unknown name raises MlopsError suggesting the nearest."""
        v = ctypes.c_double()
        check(_lib.mlops_report_value(self._handle, _text(name, "value name"), ctypes.byref(v)))
        return v.value

    def group_value(self, column, group, metric):
        """``metric`` for one group: ``column`` a group column (or "a&b")
        and ``group`` its value (or "x&y")."""
        v = ctypes.c_double()
        check(_lib.mlops_report_group_value(self._handle, _text(column, "column"),
                                            _text(str(group), "group"),
                                            _text(metric, "metric"), ctypes.byref(v)))
        return v.value

    def names(self):
        """Every value name, in the order the values were computed."""
        h = self._handle
        return [_lib.mlops_report_value_name(h, i).decode("utf-8")
                for i in range(_lib.mlops_report_value_count(h))]

    def as_dict(self):
        """{name: value} for every value."""
        return {name: self.value(name) for name in self.names()}

    def __contains__(self, name):
        return name in self.names()

    @property
    def passed(self):
        """True when every gate passed (or there are none)."""
        return bool(_lib.mlops_report_passed(self._handle))

    @property
    def gates(self):
        """[(expression, observed, passed)] for every gate, in the order
        they were added; observed is NaN when undefined."""
        h, out = self._handle, []
        for i in range(_lib.mlops_report_gate_count(h)):
            expr, observed, passed = ctypes.c_char_p(), ctypes.c_double(), ctypes.c_int()
            check(_lib.mlops_report_gate(h, i, ctypes.byref(expr), ctypes.byref(observed),
                                         ctypes.byref(passed)))
            out.append((expr.value.decode("utf-8"), observed.value, bool(passed.value)))
        return out

    @property
    def notes(self):
        """Why values are undefined, skipped rows, small groups."""
        h = self._handle
        return [_lib.mlops_report_note(h, i).decode("utf-8")
                for i in range(_lib.mlops_report_note_count(h))]

    @property
    def classes(self):
        """Class labels in class order ([] for regression)."""
        h = self._handle
        return [_lib.mlops_report_class_label(h, k).decode("utf-8")
                for k in range(_lib.mlops_report_class_count(h))]

    def confusion(self):
        """The (weighted) confusion matrix, row = true class, column =
        predicted class, in ``classes`` order: a k x k NumPy array or a
        list of rows. Raises MlopsError (MLOPS_ENOTFOUND) for
        regression."""
        k, counts = ctypes.c_size_t(), _dbl_p()
        check(_lib.mlops_report_confusion(self._handle, ctypes.byref(k), ctypes.byref(counts)))
        n = k.value
        flat = counts[:n * n]
        if _np is not None:
            return _np.array(flat, dtype=_np.float64).reshape(n, n)
        return [flat[i * n:(i + 1) * n] for i in range(n)]

    def curve(self, name):
        """(x, y, thresholds) of curve ``name``: "roc" (false and true
        positive rates, decreasing thresholds from +inf),
        "precision_recall" (recall, precision, and one threshold fewer than
        points, as scikit-learn), "calibration" (mean predicted
        probability, fraction of positives, weight per bin); multiclass
        reports have "roc.<label>" and "precision_recall.<label>"."""
        n, x, y, t = ctypes.c_size_t(), _dbl_p(), _dbl_p(), _dbl_p()
        check(_lib.mlops_report_curve(self._handle, _text(name, "curve"), ctypes.byref(n),
                                      ctypes.byref(x), ctypes.byref(y), ctypes.byref(t)))
        points = n.value
        tlen = points - 1 if name.startswith("precision_recall") and points > 0 else points
        return (_as_list(x[:points] if x else []), _as_list(y[:points] if y else []),
                _as_list(t[:tlen] if t else []))

    def to_json(self):
        """The report as JSON text (mlops_report_json(3)); NaN is null."""
        ptr = ctypes.c_void_p()
        check(_lib.mlops_report_json(self._handle, ctypes.byref(ptr)))
        return _take_string(ptr)

    @property
    def json(self):
        """to_json() parsed into a dict."""
        return json.loads(self.to_json())

    def attach(self, model):
        """Records the report in ``model``'s card (quantitative_analysis),
        replacing an earlier one; saved with the model, outside the hashed
        payload."""
        check(_lib.mlops_report_attach(self._handle, _model_handle(model)))
