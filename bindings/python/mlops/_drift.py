"""mlops.DriftMonitor and mlops.DriftReport: comparing production data with
a reference Profile through libmlops, once (compare()) or window after
window (add(), with alerts), and reading the verdicts.

Numbers come back as plain Python values: NaN (no p-value for a distance,
no performance without labels) stays float('nan'); in the dicts parsed from
the library's JSON (to_dict(), windows, history()) NaN was written as null
and reads as None."""
import ctypes
import json
import math

from . import _native
from ._dataset import Dataset, _setting_text, _take_string, _text
from ._errors import check
from ._handle import _Handle
from ._model import Model
from ._profile import Profile, _c

_lib = _native.lib

SEVERITY_NONE, SEVERITY_WARNING, SEVERITY_CRITICAL = 0, 1, 2


def _str(value):
    return None if value is None else value.decode("utf-8")


def _report_json(ptr):
    """The JSON of a report (owned or borrowed from the monitor) as a dict."""
    out = ctypes.c_void_p()
    check(_c("mlops_drift_report_json")(ptr, ctypes.byref(out)))
    return json.loads(_take_string(out))


def _monitor_setting(value):
    """A monitor setting's text; None clears a text setting (time_column)."""
    return b"" if value is None else _setting_text(value)


def _threshold(value):
    """None keeps the method's default threshold (NaN for the library)."""
    return math.nan if value is None else float(value)


class DriftMonitor(_Handle):
    """Compares data with ``reference``, a Profile whose bins are fixed.
    Settings are those of mlops_drift_monitor_set_param(3) (correction,
    drift_share, window_rows, time_column, window_seconds, history,
    missing_jump, range_share, alert_severity, reference_performance,
    performance_drop, performance_metric, label_rows), given as keyword
    arguments or with set().

    >>> ref = Profile().add(train).fix_bins()
    >>> monitor = DriftMonitor(ref, window_rows=1000)
    >>> monitor.on_alert(lambda severity, report, message: print(message))
    >>> monitor.add(batch)                 # closes a window every 1000 rows
    >>> monitor.compare(Profile.like(ref).add(batch)).dataset_drift  # doctest: +SKIP
    True

    The monitor keeps the reference (and an attached model) alive as long
    as it lives; closing either of them first makes the monitor's calls
    raise ValueError. A monitor is used by one thread at a time."""

    _free = "mlops_drift_monitor_free"
    _what = "drift monitor"

    def __init__(self, reference, **settings):
        if not isinstance(reference, Profile):
            raise TypeError("reference must be an mlops.Profile, not %s"
                            % type(reference).__name__)
        handle = _native.drift_monitor_p()
        check(_c("mlops_drift_monitor_create")(ctypes.byref(handle), reference._handle))
        self._adopt(handle)
        self._reference = reference  # borrowed by the C monitor
        self._model = None
        self._alert = None  # the ctypes callback the C monitor calls
        self._alert_errors = []
        self._in_alert = False
        for key, value in settings.items():
            self.set(key, value)

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.DriftMonitor (closed)>"
        return "<mlops.DriftMonitor: %d windows, %d rows seen>" % (
            _lib.mlops_drift_monitor_window_count(self._ptr), self.counter("rows_seen"))

    @property
    def _h(self):
        """The C handle, after checking that what the C monitor borrows is
        still open and that no alert callback is running."""
        if self._in_alert:
            raise RuntimeError("the alert callback must not call its drift monitor")
        handle = self._handle
        if self._reference.closed:
            raise ValueError("the reference profile of this drift monitor is closed")
        if self._model is not None and self._model.closed:
            raise ValueError("the model attached to this drift monitor is closed")
        return handle

    @property
    def reference(self):
        """The reference Profile."""
        return self._reference

    # ---- settings -----------------------------------------------------

    def set(self, key, value):
        """Changes one setting; returns self. An unknown key or a bad value
        raises MlopsError with the library's message (and suggestion)."""
        check(_c("mlops_drift_monitor_set_param")(self._h, _text(key, "setting"),
                                                  _monitor_setting(value)))
        return self

    def set_column(self, name, method, threshold=None):
        """Method of one reference column: "ks", "wasserstein", "psi",
        "jensen_shannon", "hellinger", "kl", "chi2", "z", "auto" (the
        default rules) or "skip"; ``threshold`` None keeps the method's
        default. Returns self."""
        check(_c("mlops_drift_monitor_set_column")(self._h, _text(name, "column name"),
                                                   _text(method, "method"),
                                                   _threshold(threshold)))
        return self

    def set_method(self, method, threshold=None):
        """Method and threshold of every column not given its own with
        set_column() ("auto" restores the default rules). Returns self."""
        check(_c("mlops_drift_monitor_set_method")(self._h, _text(method, "method"),
                                                   _threshold(threshold)))
        return self

    def set_model(self, model):
        """Attaches a fitted Model (kept alive by the monitor) before the
        first add(): batches are then predicted, and labels given with
        add_labels() yield per-window performance. Returns self."""
        if not isinstance(model, Model):
            raise TypeError("model must be an mlops.Model, not %s" % type(model).__name__)
        check(_c("mlops_drift_monitor_set_model")(self._h, model._handle))
        self._model = model
        return self

    def on_alert(self, callback):
        """Calls ``callback(severity, report, message)`` for every closed
        window whose severity reaches alert_severity: severity an int
        (SEVERITY_WARNING or SEVERITY_CRITICAL), report the window's report
        as a dict (DriftReport.to_dict()), message a one-line summary.
        None removes the callback. The callback must not use the monitor;
        an exception it raises is re-raised by the add(), flush() or
        add_labels() call that closed the window, once that call is done
        (later alerts of the same call are still delivered). Returns self."""
        if callback is None:
            check(_c("mlops_drift_monitor_set_alert")(self._h, _native.drift_alert_fn(), None))
            self._alert = None
            return self
        if not callable(callback):
            raise TypeError("the alert callback must be callable or None, not %s"
                            % type(callback).__name__)
        errors = self._alert_errors

        def trampoline(_user, severity, report, message):
            try:
                callback(severity, _report_json(report),
                         message.decode("utf-8", "replace") if message else "")
            except BaseException as e:  # noqa: B902 - re-raised after the C call returns
                errors.append(e)

        alert = _native.drift_alert_fn(trampoline)
        check(_c("mlops_drift_monitor_set_alert")(self._h, alert, None))
        self._alert = alert  # alive as long as the C monitor may call it
        return self

    # ---- comparing ----------------------------------------------------

    def compare(self, profile):
        """Compares a Profile made with Profile.like(reference) (or one
        with the same fixed bins) with the reference; returns a
        DriftReport. Outside any window; alerts are not raised."""
        if not isinstance(profile, Profile):
            raise TypeError("profile must be an mlops.Profile, not %s" % type(profile).__name__)
        out = _native.drift_report_p()
        check(_c("mlops_drift_monitor_compare")(self._h, profile._handle, ctypes.byref(out)))
        return DriftReport._wrap(out)

    def _feed(self, call):
        """Runs a call that may close windows (and so call the alert
        callback), then re-raises what the callback raised."""
        handle = self._h
        del self._alert_errors[:]
        self._in_alert = True
        try:
            rc = call(handle)
        finally:
            self._in_alert = False
        if self._alert_errors:
            first = self._alert_errors[0]
            del self._alert_errors[:]
            raise first
        check(rc)
        return self

    def add(self, dataset):
        """Feeds a batch of production rows (a Dataset holding every
        reference column by name); returns self. Windows that close are
        added to the history and passed to the alert callback."""
        if not isinstance(dataset, Dataset):
            raise TypeError("batch must be an mlops.Dataset, not %s" % type(dataset).__name__)
        d = dataset._handle
        return self._feed(lambda h: _c("mlops_drift_monitor_add")(h, d))

    def flush(self):
        """Closes the open window now (when it holds rows); returns self."""
        return self._feed(lambda h: _c("mlops_drift_monitor_flush")(h))

    def add_labels(self, first_row, dataset, column, n=None):
        """Gives the true labels of rows first_row .. first_row + n - 1 (row
        numbers count every row added, from 0) from column ``column`` of
        ``dataset`` (its first n rows; n defaults to all of them); returns
        self. Needs a model (set_model())."""
        if not isinstance(dataset, Dataset):
            raise TypeError("labels must be an mlops.Dataset, not %s" % type(dataset).__name__)
        d = dataset._handle
        count = dataset.rows if n is None else n
        name = _text(column, "column name")
        return self._feed(lambda h: _c("mlops_drift_monitor_add_labels")(
            h, first_row, d, name, count))

    # ---- history and health -------------------------------------------

    @property
    def windows(self):
        """The closed windows kept in the history, oldest first, each as
        a dict (DriftReport.to_dict())."""
        h = self._h
        out = []
        for i in range(_c("mlops_drift_monitor_window_count")(h)):
            report = _native.drift_report_p()
            check(_lib.mlops_drift_monitor_window(h, i, ctypes.byref(report)))
            out.append(_report_json(report))
        return out

    def counter(self, name):
        """A health counter: rows_seen, rows_rejected, windows_closed,
        alerts, predictions, prediction_nans, labels_received, labels_late,
        latency_count, latency_sum_ns."""
        value = ctypes.c_uint64()
        check(_c("mlops_drift_monitor_counter")(self._h, _text(name, "counter"),
                                                ctypes.byref(value)))
        return value.value

    def history(self):
        """{"windows": [report, ...], "health": {counter: value}} as a dict."""
        out = ctypes.c_void_p()
        check(_c("mlops_drift_monitor_history_json")(self._h, ctypes.byref(out)))
        return json.loads(_take_string(out))

    def prometheus(self):
        """The health counters, latency histogram and latest window's
        figures in the Prometheus text exposition format (0.0.4)."""
        fn, h = _c("mlops_drift_monitor_prometheus"), self._h
        needed = ctypes.c_size_t()
        check(fn(h, None, 0, ctypes.byref(needed)))
        buf = ctypes.create_string_buffer(needed.value + 1)
        check(fn(h, buf, len(buf), ctypes.byref(needed)))
        return buf.value.decode("utf-8")


class DriftReport(_Handle):
    """The outcome of DriftMonitor.compare(): per-column statistics and
    verdicts, data-quality findings, the data set verdict and severity. A
    report never changes and may be read from several threads."""

    _free = "mlops_drift_report_free"
    _what = "drift report"

    SEVERITY_NONE, SEVERITY_WARNING, SEVERITY_CRITICAL = 0, 1, 2

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.DriftReport (closed)>"
        return "<mlops.DriftReport: %d columns, share %.3g, severity %d>" % (
            _lib.mlops_drift_report_column_count(self._ptr), self.share, self.severity)

    def _verdict(self):
        share = ctypes.c_double()
        drift = _lib.mlops_drift_report_dataset_drift(self._handle, ctypes.byref(share))
        check(drift)
        return bool(drift), share.value

    @property
    def dataset_drift(self):
        """True when the share of drifted columns reached drift_share."""
        return self._verdict()[0]

    @property
    def share(self):
        """Share of drifted columns among those compared."""
        return self._verdict()[1]

    @property
    def severity(self):
        """0 (none), 1 (warning) or 2 (critical)."""
        s = _lib.mlops_drift_report_severity(self._handle)
        check(s)
        return s

    @property
    def columns(self):
        """Per compared column: {"name", "method", "statistic", "p_value",
        "p_adjusted", "threshold", "drifted"}; p-values are NaN for
        distance methods, the statistic NaN without current values."""
        h, out = self._handle, []
        for i in range(_lib.mlops_drift_report_column_count(h)):
            name, method = ctypes.c_char_p(), ctypes.c_char_p()
            v = [ctypes.c_double() for _ in range(4)]
            drifted = ctypes.c_int()
            check(_lib.mlops_drift_report_column(h, i, ctypes.byref(name), ctypes.byref(method),
                                                 *[ctypes.byref(x) for x in v],
                                                 ctypes.byref(drifted)))
            out.append({"name": _str(name.value), "method": _str(method.value),
                        "statistic": v[0].value, "p_value": v[1].value,
                        "p_adjusted": v[2].value, "threshold": v[3].value,
                        "drifted": bool(drifted.value)})
        return out

    def column(self, name):
        """The columns entry of column ``name``; KeyError when it was not
        compared (skipped, or not in the reference)."""
        for c in self.columns:
            if c["name"] == name:
                return c
        raise KeyError("column %r is not in the drift report" % (name,))

    @property
    def findings(self):
        """Data-quality findings: {"column", "kind" ("unseen_categories",
        "out_of_range", "missing_jump", "no_values"), "count", "message"}."""
        h, out = self._handle, []
        for i in range(_lib.mlops_drift_report_finding_count(h)):
            column, kind, message = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p()
            count = ctypes.c_uint64()
            check(_lib.mlops_drift_report_finding(h, i, ctypes.byref(column), ctypes.byref(kind),
                                                  ctypes.byref(count), ctypes.byref(message)))
            out.append({"column": _str(column.value), "kind": _str(kind.value),
                        "count": count.value, "message": _str(message.value)})
        return out

    @property
    def window(self):
        """{"index", "first_row", "rows", "start", "end"} (start and end NaN
        outside time windows)."""
        index, first, rows = ctypes.c_uint64(), ctypes.c_uint64(), ctypes.c_uint64()
        start, end = ctypes.c_double(), ctypes.c_double()
        check(_lib.mlops_drift_report_window(self._handle, ctypes.byref(index),
                                             ctypes.byref(first), ctypes.byref(rows),
                                             ctypes.byref(start), ctypes.byref(end)))
        return {"index": index.value, "first_row": first.value, "rows": rows.value,
                "start": start.value, "end": end.value}

    @property
    def performance(self):
        """{"metric" (None without a model), "value", "reference",
        "labelled", "dropped"}."""
        metric = ctypes.c_char_p()
        value, reference = ctypes.c_double(), ctypes.c_double()
        labelled, dropped = ctypes.c_uint64(), ctypes.c_int()
        check(_lib.mlops_drift_report_performance(self._handle, ctypes.byref(metric),
                                                  ctypes.byref(value), ctypes.byref(reference),
                                                  ctypes.byref(labelled), ctypes.byref(dropped)))
        return {"metric": _str(metric.value), "value": value.value,
                "reference": reference.value, "labelled": labelled.value,
                "dropped": bool(dropped.value)}

    def to_dict(self):
        """The report as a dict (mlops_drift_report_json(3)); null -> None."""
        return _report_json(self._handle)
