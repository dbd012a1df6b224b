"""mlops.Model: training, prediction, explanation, saving and the model card
of a libmlops linear model, from Python."""
import ctypes
import json

from . import _native
from ._dataset import (Dataset, _Output, _as_matrix, _is_dataframe, _is_ndarray, _is_series,
                       _np, _setting_text, _take_bytes, _take_string, _text, _path,
                       _unsupported)
from ._handle import _Handle
from ._errors import check
from ._transform import Transform

_lib = _native.lib

_VALUE, _PROBA, _DECISION = 0, 1, 2
_UNITS = {"model": 0, "raw": 1, "standardized": 2}
_INFO_KEYS = ("iterations", "converged", "objective", "gradient_norm", "rows", "features",
              "classes", "weight_sum", "l2")


def _optional(name):
    if not _native.has(name):
        _unsupported(name)
    return getattr(_lib, name)


class Model(_Handle):
    """A linear model: "linear_regression" (least squares; ridge with l2 > 0)
    or "logistic_regression" (binary or multinomial).

    Settings are those of mlops_model_set_param(3) (l2, fit_intercept,
    max_iter, tol, solver, lbfgs_memory, class_weight, seed, threads,
    warm_start, fingerprint), given as keyword arguments or with set().

    >>> iris = Dataset.read_csv("iris.csv", {"role.species": "target"})
    >>> chain = Transform(); chain.add("standardize", "*")
    0
    >>> model = Model("logistic_regression", l2=1e-3, transform=chain).fit(iris)
    >>> model.classes
    ['setosa', 'versicolor', 'virginica']
    >>> model.predict_labels([[5.1, 3.5, 1.4, 0.2]])
    ['setosa']

    scikit-learn style, from NumPy, pandas or lists:

    >>> model = Model("logistic_regression", l2=1e-3).fit(X, y)  # doctest: +SKIP
    >>> model.predict_proba(X[:5])                               # doctest: +SKIP

    Training data: a Dataset with a target column, a DataFrame or dict with
    ``target=NAME``, or inputs plus ``y`` (see fit()). Prediction inputs are
    raw: a Dataset, pandas DataFrame or dict (columns found by name), a 2-D
    NumPy array or a sequence of rows holding the raw inputs in
    ``model.inputs`` order (None/NaN = missing); the model replays its own
    preprocessing. predict_row() serves one row with the least overhead.
    Results are NumPy arrays when NumPy is installed, lists otherwise.

    Also: explain() and contributions() (why a row got its prediction),
    coefficients(), model_card() (a dict), save()/load(),
    to_bytes()/from_bytes() and pickling, payload_hash().

    A fitted model may predict from many threads at once (the GIL is
    released during each call); set(), fit() and close() need the caller's
    lock. Failures raise mlops.Error subclasses carrying the library's
    message: InvalidArgument for a bad setting (suggesting the nearest
    key), StateError when predicting before fit(), NotFound for a missing
    column."""

    _free = "mlops_model_free"
    _what = "model"

    def __init__(self, kind, transform=None, **settings):
        """Creates an unfitted model of ``kind`` ("linear_regression" or
        "logistic_regression"). ``transform`` (a Transform) is copied in as
        the preprocessing chain; keyword ``settings`` are applied with
        set(), e.g. ``Model("logistic_regression", l2=1e-3, max_iter=200,
        class_weight="balanced")``. Raises InvalidArgument (MlopsError) for
        an unknown kind or setting, suggesting the nearest."""
        handle = _native.model_p()
        check(_lib.mlops_model_create(ctypes.byref(handle), _text(kind, "kind")))
        self._adopt(handle)
        if transform is not None:
            self.transform = transform
        for key, value in settings.items():
            self.set(key, value)

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.Model (closed)>"
        if not self.is_fitted:
            return "<mlops.Model %s, not fitted>" % self.kind
        return "<mlops.Model %s: %d inputs -> %r>" % (self.kind, len(self.inputs), self.target)

    def __reduce__(self):
        # Pickles as the model file (a fitted model only).
        return (Model.from_bytes, (self.to_bytes(),))

    # ---- settings -----------------------------------------------------

    @property
    def kind(self):
        """"linear_regression" or "logistic_regression"."""
        return _lib.mlops_model_kind(self._handle).decode()

    def set(self, key, value):
        """Sets one training setting; returns self. An unknown key raises
        MlopsError suggesting the nearest valid one."""
        if isinstance(value, float):
            check(_lib.mlops_model_set_param_double(self._handle, _text(key, "setting"), value))
        else:
            check(_lib.mlops_model_set_param(self._handle, _text(key, "setting"),
                                             _setting_text(value)))
        return self

    def get(self, key):
        """The current value of a setting, as text."""
        ptr = ctypes.c_void_p()
        check(_lib.mlops_model_get_param(self._handle, _text(key, "setting"), ctypes.byref(ptr)))
        return _take_string(ptr)

    @property
    def transform(self):
        """The preprocessing chain as a new Transform (fitted once the model
        is), or None. Assigning a Transform copies it into the model, which
        becomes unfitted; assigning None removes the chain."""
        t = _lib.mlops_model_transform(self._handle)
        if not t:
            return None
        ptr, size = ctypes.c_void_p(), ctypes.c_size_t()
        check(_lib.mlops_transform_save(t, ctypes.byref(ptr), ctypes.byref(size)))
        return Transform.from_bytes(_take_bytes(ptr, size))

    @transform.setter
    def transform(self, chain):
        if chain is not None and not isinstance(chain, Transform):
            raise TypeError("transform must be an mlops.Transform or None, not %s"
                            % type(chain).__name__)
        check(_lib.mlops_model_set_transform(self._handle,
                                             None if chain is None else chain._handle))

    # ---- fitting ------------------------------------------------------

    def fit(self, data, y=None, *, target=None, progress=None):
        """Fits the model and returns self.

        ``data`` is a Dataset (its column with role "target" is the
        target, a "weight" column weighs the rows), a pandas DataFrame, a
        dict of columns, or a 2-D NumPy array / sequence of rows of numbers
        (inputs named x0, x1, ...; predict() then takes rows in the same
        column order). Give the target either as ``y`` (a list, NumPy
        array or pandas Series of numbers or, for a classifier, labels;
        the column is named after the Series, else "target") or as
        ``target``, the name of a column of ``data``.

        ``progress(done, total)`` is called once per solver iteration;
        returning a true value cancels the fit (MlopsError
        MLOPS_ECANCELED), and an exception it raises cancels the fit and is
        re-raised. On failure the model keeps its previous state. Raises
        MlopsError from the library (no target column, a class with no
        rows, a categorical input without a onehot step, ...), TypeError
        and ValueError for unusable inputs (a y whose length differs)."""
        ds, restore = _training_data(data, y, target)
        try:
            return self._fit(ds, progress)
        finally:
            restore()

    def _fit(self, dataset, progress):
        h, d = self._handle, dataset._handle
        if progress is None:
            check(_lib.mlops_model_fit(h, d))
            return self
        raised = []

        def trampoline(done, total, _user_data):
            try:
                return 1 if progress(done, total) else 0
            except BaseException as e:  # noqa: B902 - re-raised after the C call returns
                raised.append(e)
                return 1

        callback = _native.progress_fn(trampoline)  # alive until fit returns
        check(_lib.mlops_model_set_progress(h, callback, None))
        try:
            rc = _lib.mlops_model_fit(h, d)
            if raised:
                raise raised[0]
            check(rc)
        finally:
            _lib.mlops_model_set_progress(h, _native.progress_fn(), None)
        return self

    @property
    def is_fitted(self):
        """True once fit() succeeded (or the model was loaded)."""
        return bool(_lib.mlops_model_is_fitted(self._handle))

    def info(self, key):
        """One fact about the last fit as a float: "iterations",
        "converged", "objective", "gradient_norm", "rows", "features",
        "classes", "weight_sum", "l2"."""
        value = ctypes.c_double()
        check(_lib.mlops_model_info(self._handle, _text(key, "info key"), ctypes.byref(value)))
        return value.value

    def summary(self):
        """Every info() value in a dict."""
        return {k: self.info(k) for k in _INFO_KEYS}

    @property
    def converged(self):
        """True when the last fit met its tolerance within max_iter."""
        return bool(self.info("converged"))

    @property
    def iterations(self):
        """Solver iterations of the last fit."""
        return int(self.info("iterations"))

    @property
    def objective(self):
        """Final value of the (normalized, penalized) training objective."""
        return self.info("objective")

    # ---- schema -------------------------------------------------------

    def _names(self, count, name_fn):
        h = self._handle
        return [name_fn(h, i).decode("utf-8") for i in range(count(h))]

    @property
    def inputs(self):
        """Raw input column names, in the order row and matrix inputs use."""
        return self._names(_lib.mlops_model_input_count, _lib.mlops_model_input_name)

    @property
    def input_types(self):
        """"numeric" or "categorical" for each raw input."""
        h = self._handle
        return [_lib.mlops_type_name(_lib.mlops_model_input_type(h, i)).decode()
                for i in range(_lib.mlops_model_input_count(h))]

    @property
    def features(self):
        """Model feature names (after the chain; one-hot features read
        NAME=VALUE)."""
        return self._names(_lib.mlops_model_feature_count, _lib.mlops_model_feature_name)

    @property
    def classes(self):
        """Class labels in class order ([] for regression)."""
        return self._names(_lib.mlops_model_class_count, _lib.mlops_model_class_label)

    @property
    def target(self):
        """Name of the target column (None before fitting)."""
        t = _lib.mlops_model_target_name(self._handle)
        return t.decode("utf-8") if t else None

    @property
    def outputs(self):
        """Number of decision outputs (1, or the class count for
        multinomial models)."""
        return _lib.mlops_model_output_count(self._handle)

    def coefficients(self, units="model"):
        """(coefficients, intercepts): an outputs x features matrix and one
        intercept per output. ``units``: "model" (per model feature, as
        fitted), "raw" (per unit of the raw input) or "standardized" (per
        population standard deviation of the raw input)."""
        if units not in _UNITS:
            raise ValueError("units must be one of %s, not %r" % (", ".join(_UNITS), units))
        h = self._handle
        coef = _Output(_lib.mlops_model_output_count(h), _lib.mlops_model_feature_count(h))
        icpt = _Output(coef.rows, 1)
        check(_lib.mlops_model_coefficients(h, _UNITS[units], coef.ptr, coef.len, icpt.ptr,
                                            icpt.len))
        return coef.matrix(), icpt.vector()

    # ---- predicting ---------------------------------------------------

    def _run(self, data, kind):
        h = self._handle
        width = _lib.mlops_model_output_width(h, kind)
        if isinstance(data, (Dataset, dict)) or _is_dataframe(data):
            ds = data if isinstance(data, Dataset) else Dataset.from_columns(data)
            try:
                out = _Output(ds.rows, width)
                check(_lib.mlops_model_predict(h, ds._handle, kind, out.ptr, out.len))
            finally:
                if ds is not data:
                    ds.close()
            return out
        keep, ptr, rows, cols = _as_matrix(data)  # noqa: F841 - ptr points into keep
        if rows == 0 and not _is_ndarray(data):
            cols = _lib.mlops_model_input_count(h)  # [] has no width to check
        out = _Output(rows, width)
        check(_lib.mlops_model_predict_matrix(h, ptr, rows, cols, kind, out.ptr, out.len))
        return out

    def predict(self, data):
        """One value per row: the prediction of a regression, the class
        index (as a float; see classes / predict_labels()) of a
        classifier."""
        return self._run(data, _VALUE).vector()

    def predict_labels(self, data):
        """The predicted class label of every row, as a list of strings."""
        if not self.classes and self.is_fitted:
            raise ValueError("predict_labels needs a classifier; this is a %s" % self.kind)
        labels = self.classes
        return [labels[int(k)] for k in self._run(data, _VALUE).vector()]

    def predict_proba(self, data):
        """Class probabilities: rows x classes, each row summing to 1."""
        return self._run(data, _PROBA).matrix()

    def decision_function(self, data):
        """Linear decision values before the link: one per row (regression,
        binary classification: the log-odds of the second class), or rows x
        classes for multinomial models."""
        out = self._run(data, _DECISION)
        return out.vector() if out.width == 1 else out.matrix()

    # ---- explaining ---------------------------------------------------

    def _dataset_for(self, data):
        """(dataset, owned) for explanation inputs: a Dataset as it is,
        a dict of columns or numeric rows (in input order) converted."""
        if isinstance(data, Dataset):
            return data, False
        if isinstance(data, dict) or _is_dataframe(data):
            return Dataset.from_columns(data), True
        return Dataset.from_matrix(data, names=self.inputs), True

    def contributions(self, data, row, output=0):
        """coefficient x feature value for every model feature (features
        order) towards decision output ``output`` of row ``row``; together
        with that output's intercept they sum to the decision value."""
        ds, owned = self._dataset_for(data)
        try:
            out = _Output(1, _lib.mlops_model_feature_count(self._handle))
            check(_lib.mlops_model_contributions(self._handle, ds._handle, row, output, out.ptr,
                                                 out.len))
        finally:
            if owned:
                ds.close()
        return out.vector()

    def explain(self, data, row, top_k=5):
        """Why row ``row`` got its prediction, as a dict (parsed
        mlops_model_explain_json(3)): the prediction, the explained output
        and the top_k largest contributions (top_k=0: all features)."""
        ds, owned = self._dataset_for(data)
        try:
            ptr = ctypes.c_void_p()
            check(_lib.mlops_model_explain_json(self._handle, ds._handle, row, top_k,
                                                ctypes.byref(ptr)))
        finally:
            if owned:
                ds.close()
        return json.loads(_take_string(ptr))

    # ---- model card ---------------------------------------------------

    def card_set(self, key, value):
        """Sets a free-text card field (name, version, owner, contact,
        license, description, intended_use, out_of_scope_use,
        training_data, evaluation_data, ethical_considerations, caveats);
        None or "" clears it."""
        fn = _optional("mlops_model_card_set")
        check(fn(self._handle, _text(key, "card field"),
                 None if value is None else _text(value, "card value")))

    def card_get(self, key):
        """The text of one card field ("" when unset)."""
        fn = _optional("mlops_model_card_get")
        ptr = ctypes.c_void_p()
        check(fn(self._handle, _text(key, "card field"), ctypes.byref(ptr)))
        return _take_string(ptr)

    def card(self):
        """The whole model card as a dict (mlops_model_card_json(3))."""
        fn = _optional("mlops_model_card_json")
        ptr = ctypes.c_void_p()
        check(fn(self._handle, ctypes.byref(ptr)))
        return json.loads(_take_string(ptr))

    def model_card(self, **fields):
        """The model card as a dict: the free-text fields, the training
        facts (data fingerprint, rows, features, classes, settings) and an
        attached evaluation. Keyword arguments first set free-text fields
        as card_set() does (``model_card(owner="risk team",
        intended_use="...")``). Raises MlopsError (MLOPS_EINVAL) for an
        unknown field, suggesting the nearest."""
        for key, value in fields.items():
            self.card_set(key, value)
        return self.card()

    def payload_hash(self):
        """SHA-256 of everything that determines predictions, 64 hex digits."""
        fn = _optional("mlops_model_payload_hash")
        buf = ctypes.create_string_buffer(65)
        check(fn(self._handle, buf, len(buf)))
        return buf.value.decode()

    # ---- saving and loading -------------------------------------------

    def save(self, path):
        """Writes the fitted model to ``path`` atomically."""
        check(_optional("mlops_model_save")(self._handle, _path(path)))

    @classmethod
    def load(cls, path):
        """Reads a model file written by save()."""
        fn = _optional("mlops_model_load")
        out = _native.model_p()
        check(fn(ctypes.byref(out), _path(path)))
        return cls._wrap(out)

    def to_bytes(self):
        """The model file's bytes."""
        fn = _optional("mlops_model_save_buffer")
        ptr, size = ctypes.c_void_p(), ctypes.c_size_t()
        check(fn(self._handle, ctypes.byref(ptr), ctypes.byref(size)))
        return _take_bytes(ptr, size)

    @classmethod
    def from_bytes(cls, data):
        """A model from bytes written by to_bytes() or read from a model
        file."""
        fn = _optional("mlops_model_load_buffer")
        data = bytes(data)
        out = _native.model_p()
        check(fn(ctypes.byref(out), data, len(data)))
        return cls._wrap(out)


def _columns_of(data):
    """A dict of column name -> values for the inputs given with a
    separate y: DataFrame and dict columns by name, matrix columns as x0,
    x1, ... (column slices of a NumPy array, copied by NumPy, not per
    row)."""
    if _is_dataframe(data) or isinstance(data, dict):
        return dict(data.items())
    keep, _ptr, rows, cols = _as_matrix(data, "data")
    if _np is not None:
        matrix = _np.asarray(keep).reshape(rows, cols)
        return {"x%d" % j: matrix[:, j] for j in range(cols)}
    return {"x%d" % j: keep[j::cols] if cols else [] for j in range(cols)}


def _training_data(data, y, target):
    """(dataset, restore) for Model.fit: the data with its target column,
    and what undoes a role change made to the caller's Dataset."""
    if y is not None and target is not None:
        raise TypeError("give the target either as y or as target=, not both")
    if isinstance(data, Dataset):
        if y is not None:
            raise TypeError("a Dataset carries its target as a column: pass target=NAME "
                            "or give the column the role 'target'")
        if target is None:
            return data, lambda: None
        old = data.role(target)
        previous = [c for c in data.columns if data.role(c) == "target" and c != target]
        for c in previous:
            data.set_role(c, "feature")
        data.set_role(target, "target")

        def restore():
            if not data.closed:
                data.set_role(target, old)
                for c in previous:
                    data.set_role(c, "target")
        return data, restore
    if y is None:
        if isinstance(data, dict) or _is_dataframe(data):
            ds = Dataset.from_columns(data, roles=None if target is None else {target: "target"})
        else:
            raise TypeError("fit needs the target: pass y=, or a Dataset, DataFrame or dict "
                            "with target=NAME")
        return ds, ds.close
    columns = _columns_of(data)
    name = getattr(y, "name", None) if _is_series(y) else None
    if not isinstance(name, str) or name in columns:
        name = "target"
    if name in columns:
        raise ValueError("the inputs already have a column named 'target'; pass the data "
                         "with target=NAME instead of y")
    if _is_ndarray(y) and y.ndim == 2 and 1 in y.shape:
        y = y.reshape(-1)
    columns[name] = y
    ds = Dataset.from_columns(columns, roles={name: "target"})
    return ds, ds.close
