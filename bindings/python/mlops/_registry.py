"""mlops.Registry: models by name and immutable version (the payload hash),
aliases that move between versions, retirement, and the hash-chained audit
log behind them; mlops.DecisionLog: the same log format for the decisions a
served model makes. See registry.h for the layout and the log format.

Times are accepted as ISO 8601 text or as datetime/date objects (a naive
datetime is UTC, as the library reads a time without offset)."""
import ctypes
import datetime
import numbers

from . import _native
from ._dataset import Dataset, _path, _take_string, _text, _unsupported
from ._errors import MlopsError, check
from ._handle import _Handle
from ._model import Model
from ._pipeline import _json_out, _last_error, _verify_call

_lib = _native.lib
_ENOTFOUND = -8
_CREATE = 0x1  # MLOPS_REGISTRY_CREATE
_VERSION_SIZE = 65  # MLOPS_REGISTRY_VERSION_SIZE


def _c(name):
    """The C function `name`, or MlopsError MLOPS_EUNSUPPORTED when the
    loaded library predates the registry."""
    if not _native.has(name):
        _unsupported(name)
    return getattr(_lib, name)


def have_registry():
    """True when the loaded libmlops has the registry and decision log API."""
    return all(_native.has(name) for name, _, _ in _native.REGISTRY_FUNCTIONS)


def _reason(reason):
    return None if reason is None else _text(reason, "reason")


def _time_text(when):
    """ISO 8601 text for alias_at(): str as given, a datetime (microseconds
    kept, offset when aware) or a date."""
    if isinstance(when, datetime.datetime):
        return when.isoformat().encode()
    if isinstance(when, datetime.date):
        return when.isoformat().encode()
    return _text(when, "time")


def _output_text(value):
    """A decision's output as text: str or bytes as they are, integers in
    decimal, other real numbers in their shortest round-trip spelling."""
    if isinstance(value, (str, bytes)):
        return _text(value, "output")
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, numbers.Integral):
        return str(int(value)).encode()
    if isinstance(value, numbers.Real):
        return repr(float(value)).encode()
    raise TypeError("a decision output must be a str or a number, not %s" % type(value).__name__)


def _model_handle(model):
    if not isinstance(model, Model):
        raise TypeError("model must be an mlops.Model, not %s" % type(model).__name__)
    return model._handle


def _dataset_handle(dataset):
    if not isinstance(dataset, Dataset):
        raise TypeError("data must be an mlops.Dataset, not %s" % type(dataset).__name__)
    return dataset._handle


class Registry(_Handle):
    """The model registry in directory ``dir``; ``create=True`` creates it
    (and the directory, whose parent must exist) when there is none.

    >>> reg = Registry("models", create=True)
    >>> v = reg.register("churn", "run/model.mlops", reason="weekly retrain")
    >>> reg.set_alias("churn", "production", v[:12])
    >>> model = reg.load_model("churn@production")          # doctest: +SKIP

    Versions are 64 hex digits; wherever one is named, a unique prefix of at
    least 8 digits or an alias of the same model is accepted. References are
    "name@alias", "name@VERSION" and "name" (the newest version not
    retired). Failures raise MlopsError with the library's message (an
    unknown name suggests the nearest one). A handle is used by one thread
    at a time; several handles may work on one registry at once."""

    _free = "mlops_registry_free"
    _what = "registry"

    def __init__(self, dir, create=False):
        handle = _native.registry_p()
        check(_c("mlops_registry_open")(ctypes.byref(handle), _path(dir),
                                        _CREATE if create else 0))
        self._adopt(handle)
        self._dir = dir

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.Registry (closed)>"
        return "<mlops.Registry %r>" % (self._dir,)

    def set_actor(self, actor):
        """Who is recorded as making later changes (1 to 256 bytes of UTF-8
        without control characters; the default is $MLOPS_ACTOR, else the
        login name). Returns self."""
        check(_c("mlops_registry_set_actor")(self._handle, _text(actor, "actor")))
        return self

    def register(self, name, model_path, reason=None):
        """Registers the model file at ``model_path`` under ``name``; returns
        its version (64 hex digits). Registering a payload already there
        returns the existing version and changes nothing."""
        buf = ctypes.create_string_buffer(_VERSION_SIZE)
        check(_c("mlops_registry_register")(self._handle, _text(name, "model name"),
                                            _path(model_path), _reason(reason), buf, len(buf)))
        return buf.value.decode()

    def set_alias(self, name, alias, version_ref, reason=None):
        """Points ``alias`` of model ``name`` at the version ``version_ref``
        names (a version, a unique prefix, or another alias). Returns self."""
        check(_c("mlops_registry_set_alias")(self._handle, _text(name, "model name"),
                                             _text(alias, "alias"),
                                             _text(version_ref, "version"), _reason(reason)))
        return self

    def retire(self, name, version_ref, reason=None):
        """Retires a version for good: it loses its aliases and "name" alone
        no longer resolves to it; name@VERSION still loads it. Returns
        self."""
        check(_c("mlops_registry_retire")(self._handle, _text(name, "model name"),
                                          _text(version_ref, "version"), _reason(reason)))
        return self

    def record_refusal(self, name, alias, model_payload_sha256, reason=None):
        """Records that moving ``alias`` of ``name`` to the model with that
        payload hash (64 hex digits; it need not be registered) was refused.
        Returns self."""
        check(_c("mlops_registry_record_refusal")(self._handle, _text(name, "model name"),
                                                  _text(alias, "alias"),
                                                  _text(model_payload_sha256, "payload hash"),
                                                  _reason(reason)))
        return self

    def resolve(self, ref):
        """(version, path of the stored model file) of reference ``ref``."""
        version, path = ctypes.c_void_p(), ctypes.c_void_p()
        rc = _c("mlops_registry_resolve")(self._handle, _text(ref, "model reference"),
                                          ctypes.byref(version), ctypes.byref(path))
        try:
            check(rc)
        finally:  # nothing is allocated on failure; free whatever is there
            v, p = _take_string(version), _take_string(path)
        return v, p

    def load_model(self, ref):
        """Loads the model ``ref`` names as an mlops.Model, after checking
        the stored file is the one registered (MlopsError MLOPS_ECORRUPT
        otherwise)."""
        out = _native.model_p()
        check(_c("mlops_registry_load_model")(self._handle, _text(ref, "model reference"),
                                              ctypes.byref(out)))
        return Model._wrap(out)

    def list(self):
        """The registry's content as a dict: {"registry", "records",
        "models": [{"name", "latest", "aliases", "versions": [...]}]}."""
        return _json_out(_c("mlops_registry_list_json"), self._handle)

    def history(self, name=None):
        """The audit records of model ``name`` (None: of every model),
        oldest first: {"registry", "name", "records": [record, ...]}."""
        return _json_out(_c("mlops_registry_history_json"), self._handle,
                         None if name is None else _text(name, "model name"))

    def alias_at(self, name, alias, time):
        """The version ``alias`` of ``name`` pointed at, at ``time`` (ISO
        8601 text, a datetime or a date); None when the alias named no
        version then (not set yet, or its version had been retired).
        MlopsError MLOPS_ENOTFOUND when the model never had that alias."""
        h = self._handle
        out = ctypes.c_void_p()
        rc = _c("mlops_registry_alias_at")(h, _text(name, "model name"), _text(alias, "alias"),
                                           _time_text(time), ctypes.byref(out))
        if rc >= 0:
            return _take_string(out)
        err = MlopsError(rc, _last_error(rc))
        if rc != _ENOTFOUND:
            raise err
        # The library uses MLOPS_ENOTFOUND both for "no such model or alias"
        # and for "no version at that time": only the latter is an answer.
        try:
            records = self.history(name)["records"]
        except MlopsError:
            raise err from None
        if not any(r.get("action") == "alias" and r.get("details", {}).get("alias") == alias
                   for r in records):
            raise err
        return None


def verify(dir):
    """Verifies the registry in ``dir`` without changing it (audit log, its
    head file, every registered model file). Returns the report dict; on
    failure raises MlopsError with the report as .report."""
    return _verify_call(_c("mlops_registry_verify"), _path(dir))


def audit_verify(log_path):
    """Verifies a log of the audit format (a registry's audit.log or a
    decision log) record by record. Returns the report dict ({"log", "ok",
    "records", "last_hash", "head", "first_bad", "notes"}); on failure
    raises MlopsError ("LOG:LINE: record SEQ: why") with the report as
    .report."""
    return _verify_call(_c("mlops_audit_verify"), _path(log_path))


class DecisionLog(_Handle):
    """An append-only, hash-chained log of the decisions a served model makes
    (created when missing). One handle may be written from many threads.

    >>> log = DecisionLog("decisions.log")
    >>> log.record(model, "churn@production", batch, 0, "stay")
    >>> audit_verify("decisions.log")["ok"]                 # doctest: +SKIP
    True"""

    _free = "mlops_decision_log_free"
    _what = "decision log"

    def __init__(self, path):
        handle = _native.decision_log_p()
        check(_c("mlops_decision_log_open")(ctypes.byref(handle), _path(path)))
        self._adopt(handle)
        self._path = path

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.DecisionLog (closed)>"
        return "<mlops.DecisionLog %r>" % (self._path,)

    def set_actor(self, actor):
        """The actor of later records (as Registry.set_actor()). Returns
        self."""
        check(_c("mlops_decision_log_set_actor")(self._handle, _text(actor, "actor")))
        return self

    def record(self, model, model_ref, dataset, row, output):
        """Appends (and flushes) the record of one decision: ``model`` (its
        payload hash is recorded), known as ``model_ref``, decided
        ``output`` (text or a number) for row ``row`` of ``dataset``.
        Returns self."""
        if isinstance(row, bool) or not isinstance(row, numbers.Integral) or row < 0:
            raise ValueError("row must be a non-negative integer, not %r" % (row,))
        check(_c("mlops_decision_log_record")(self._handle, _model_handle(model),
                                              _text(model_ref, "model reference"),
                                              _dataset_handle(dataset), int(row),
                                              _output_text(output)))
        return self

    def record_dataset(self, model, model_ref, dataset, outputs):
        """record() for every row of ``dataset``: ``outputs`` holds one
        output per row (such as model.predict_labels(dataset)). On failure
        the rows before the failing one stay recorded. Returns self."""
        m, d = _model_handle(model), _dataset_handle(dataset)
        texts = [_output_text(v) for v in outputs]
        rows = _lib.mlops_dataset_rows(d)
        if len(texts) != rows:  # the library reads one output per row
            raise ValueError("%d outputs for a dataset of %d rows" % (len(texts), rows))
        array = (ctypes.c_char_p * max(rows, 1))(*texts)
        check(_c("mlops_decision_log_record_dataset")(self._handle, m,
                                                      _text(model_ref, "model reference"), d,
                                                      array))
        return self

    @staticmethod
    def fingerprint(model, dataset, row):
        """The input fingerprint recorded for row ``row`` of ``dataset`` and
        ``model`` (64 hex digits; see mlops_decision_fingerprint(3))."""
        if isinstance(row, bool) or not isinstance(row, numbers.Integral) or row < 0:
            raise ValueError("row must be a non-negative integer, not %r" % (row,))
        buf = ctypes.create_string_buffer(65)
        check(_c("mlops_decision_fingerprint")(_model_handle(model), _dataset_handle(dataset),
                                               int(row), buf, len(buf)))
        return buf.value.decode()
