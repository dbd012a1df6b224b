"""HTML reports from Python (mlops/html.h): the evaluation report, the drift
report, the data-quality page of a profile and the model card as
self-contained pages (inline CSS and SVG, no script, nothing fetched), as a
str or written to a file, and the pages of a pipeline's run directory.

The methods are attached here to the classes they render (Report,
DriftReport, Profile, Model, Pipeline), so the renderer's declarations and
its conversions live in one place. A page is deterministic: the same object
gives the same text, and a page rendered from an object's JSON
(html_from_json) is the page of the object itself."""
import ctypes
import json
import math

from . import _native
from ._dataset import _path, _take_string, _text, _unsupported
from ._drift import DriftMonitor, DriftReport
from ._errors import check
from ._evaluator import Report, report_p
from ._model import Model
from ._pipeline import Pipeline
from ._profile import Profile, _c as _profile_c

_lib = _native.lib

_int, _str, _out = ctypes.c_int, ctypes.c_char_p, _native.c_out_buffer

# Declared when the loaded library has them: an older build still imports,
# and the methods below raise mlops.Unsupported there.
HTML_FUNCTIONS = (
    ("mlops_report_html", _int, (report_p, _str, _out)),
    ("mlops_drift_report_html", _int, (_native.drift_report_p, _native.drift_monitor_p, _str,
                                       _out)),
    ("mlops_profile_html", _int, (_native.profile_p, _str, _out)),
    ("mlops_model_card_html", _int, (_native.model_p, _str, _out)),
    ("mlops_html_from_json", _int, (_str, _str, _str, _str, _out)),
    ("mlops_html_save", _int, (_str, _str)),
    ("mlops_run_report", _int, (_str, _str, _out)),
)
_present = set()
for _name, _restype, _args in HTML_FUNCTIONS:
    if hasattr(_lib, _name):
        _fn = getattr(_lib, _name)
        _fn.restype = _restype
        _fn.argtypes = list(_args)
        _present.add(_name)


def have_html():
    """True when the loaded libmlops has the HTML report API."""
    return all(name in _present for name, _, _ in HTML_FUNCTIONS)


def _c(name):
    if name not in _present:
        _unsupported(name)
    return getattr(_lib, name)


def _title(title):
    """None (the page's default heading) or the title as UTF-8."""
    return None if title is None else _text(title, "title")


def _render(fn, *args):
    """Calls fn(*args, &html) and returns the page as UTF-8 bytes, releasing
    the library's string."""
    out = ctypes.c_void_p()
    check(fn(*(args + (ctypes.byref(out),))))
    try:
        return ctypes.string_at(out.value) if out.value else b""
    finally:
        _lib.mlops_free(out)


def _save(page, path):
    """Writes the page bytes to `path` atomically with mlops_html_save."""
    check(_c("mlops_html_save")(page, _path(path)))


def _finite(value):
    """`value` with every NaN and infinity replaced by None, as the library
    writes them (null): JSON has no such numbers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _json_text(value, what):
    """A JSON document given as text (str or bytes) or as a dict or list,
    which is serialised, as NUL-terminated UTF-8."""
    if isinstance(value, (str, bytes)):
        return _text(value, what)
    if not isinstance(value, (dict, list, tuple)):
        raise TypeError("%s must be JSON text (str or bytes) or a dict or list, not %s"
                        % (what, type(value).__name__))
    try:
        text = json.dumps(_finite(value), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise TypeError("%s cannot be written as JSON: %s" % (what, e)) from None
    return _text(text, what)


# ---- module functions ---------------------------------------------------

def html_from_json(kind, json_text, extra=None, title=None):
    """An HTML page rendered from a JSON document the library wrote, as a str.

    ``kind`` is "evaluation" (Report.to_json()), "drift" (DriftReport
    to_dict(), mlops_drift_report_json), "profile" (Profile.to_json()) or
    "model_card" (Model.card()); ``json_text`` is the document, as text or
    as the dict or list it parses into (serialised with json.dumps, NaN as
    null). ``extra`` may be None, or for "drift" a window history
    (DriftMonitor.history()) and for "profile" a validation result
    (Validation.to_json()), as text or dict. ``title`` (None: the page's
    default heading) is the page's heading.

    The page of a document equals the page of the object it came from:
    ``html_from_json("evaluation", report.to_json()) == report.to_html()``.

    Raises mlops.InvalidArgument for an unknown kind (the message lists the
    kinds), mlops.FormatError for text that is not JSON (with
    line:column) or not a document of that kind (naming what is missing),
    TypeError for a document of another Python type."""
    return _render(_c("mlops_html_from_json"), _text(kind, "kind"),
                   _json_text(json_text, "json_text"),
                   None if extra is None else _json_text(extra, "extra"),
                   _title(title)).decode("utf-8")


def save_html(html, path):
    """Writes the page ``html`` (a str or bytes, such as a to_html() result)
    to ``path`` atomically: a temporary file in the same directory, fsync,
    rename, so a reader never sees half a page and an earlier file is kept
    when writing fails. Raises mlops.IOFailure naming the path and the
    system's reason."""
    _save(_text(html, "html"), path)


def run_report(run_dir, out_dir=None):
    """Writes the pages of the run directory ``run_dir`` (made by
    Pipeline.run()) into ``out_dir`` (None: the run directory itself):
    evaluation.html, drift.html, data.html and model_card.html, each when
    the run wrote its source file (evaluation.json, drift.json,
    data_profile.json with data_validation.json, model_card.json). The run's
    files are only read, so verify_run() still passes afterwards.

    Returns the paths written, as a list of str in that order. Raises
    mlops.NotFound when ``run_dir`` (or ``out_dir``) is not a directory or
    holds none of the source files, mlops.FormatError naming a source file
    that is not the document it should be, mlops.IOFailure when a page
    cannot be written."""
    written = _render(_c("mlops_run_report"), _path(run_dir),
                      None if out_dir is None else _path(out_dir))
    return json.loads(written.decode("utf-8", "replace"))


# ---- methods of the rendered objects --------------------------------------

def _report_page(self, title):
    return _render(_c("mlops_report_html"), self._handle, _title(title))


def _report_to_html(self, title=None):
    """The report as an HTML page (a str): the metric table with confidence
    intervals, the confusion matrix, ROC, precision-recall and calibration
    curves, per-group fairness bars against the gate thresholds, the
    robustness table and the gate verdicts. ``title`` (None: "Evaluation
    report") is the page's heading. Equal to
    html_from_json("evaluation", self.to_json(), title=title)."""
    return _report_page(self, title).decode("utf-8")


def _report_save_html(self, path, title=None):
    """Writes to_html(title) to ``path`` atomically (see mlops.save_html);
    raises mlops.IOFailure naming the path when it cannot be written."""
    _save(_report_page(self, title), path)


def _monitor_handle(monitor):
    if monitor is None:
        return None
    if not isinstance(monitor, DriftMonitor):
        raise TypeError("monitor must be an mlops.DriftMonitor or None, not %s"
                        % type(monitor).__name__)
    return monitor._h


def _drift_page(self, title, monitor):
    return _render(_c("mlops_drift_report_html"), self._handle, _monitor_handle(monitor),
                   _title(title))


def _drift_to_html(self, title=None, monitor=None):
    """The drift report as an HTML page (a str): the data-set verdict, the
    columns sorted by severity with reference and current histograms (or
    category bars), and the data-quality findings. With ``monitor`` (a
    DriftMonitor) its window history is drawn over time as well. ``title``
    (None: "Drift report") is the page's heading."""
    return _drift_page(self, title, monitor).decode("utf-8")


def _drift_save_html(self, path, title=None, monitor=None):
    """Writes to_html(title, monitor) to ``path`` atomically (see
    mlops.save_html); raises mlops.IOFailure naming the path when it cannot
    be written."""
    _save(_drift_page(self, title, monitor), path)


def _profile_page(self, title, validation):
    if validation is None:
        return _render(_c("mlops_profile_html"), self._handle, _title(title))
    if not hasattr(validation, "to_json"):
        raise TypeError("validation must be an mlops.Validation or None, not %s"
                        % type(validation).__name__)
    document = ctypes.c_void_p()
    check(_profile_c("mlops_profile_to_json")(self._handle, ctypes.byref(document)))
    return _render(_c("mlops_html_from_json"), b"profile",
                   _take_string(document).encode("utf-8"),
                   _json_text(validation.to_json(), "validation"), _title(title))


def _profile_to_html(self, title=None, validation=None):
    """The data-quality page of the profile as HTML (a str): a summary of
    every column, missing values and distributions (histograms once the
    bins are fixed, else box plots from the quantiles; top categories).
    With ``validation`` (an mlops.Validation from Schema.check()) its rule
    violations are listed too. ``title`` (None: "Data quality report") is
    the page's heading. Raises mlops.StateError for a failed profile."""
    return _profile_page(self, title, validation).decode("utf-8")


def _profile_save_html(self, path, title=None, validation=None):
    """Writes to_html(title, validation) to ``path`` atomically (see
    mlops.save_html); raises mlops.IOFailure naming the path when it cannot
    be written."""
    _save(_profile_page(self, title, validation), path)


def _card_page(self, title):
    return _render(_c("mlops_model_card_html"), self._handle, _title(title))


def _model_card_html(self, title=None):
    """The model card as an HTML page (a str): details with the payload
    hash, intended use, training data, preprocessing, settings, the
    coefficients as charts, ethical considerations, caveats and the
    attached evaluation (Report.attach()). ``title`` (None: "Model card:
    NAME") is the page's heading. Raises mlops.StateError for a model that
    is not fitted."""
    return _card_page(self, title).decode("utf-8")


def _model_save_card_html(self, path, title=None):
    """Writes card_html(title) to ``path`` atomically (see
    mlops.save_html); raises mlops.IOFailure naming the path when it cannot
    be written."""
    _save(_card_page(self, title), path)


def _pipeline_report(self, out_dir=None):
    """Writes the HTML pages of this pipeline's last run (its run
    directory, from summary()) into ``out_dir`` (None: the run directory)
    and returns the paths written, as mlops.run_report() does. Raises
    mlops.StateError before any run."""
    return run_report(self.summary()["run_dir"], out_dir)


def _attach(cls, name, fn):
    """Adds fn to cls as method `name` unless the class defines its own."""
    if name in vars(cls):
        return
    fn.__name__ = name
    fn.__qualname__ = "%s.%s" % (cls.__name__, name)
    fn.__module__ = cls.__module__
    setattr(cls, name, fn)


for _cls, _name, _fn in ((Report, "to_html", _report_to_html),
                         (Report, "save_html", _report_save_html),
                         (DriftReport, "to_html", _drift_to_html),
                         (DriftReport, "save_html", _drift_save_html),
                         (Profile, "to_html", _profile_to_html),
                         (Profile, "save_html", _profile_save_html),
                         (Model, "card_html", _model_card_html),
                         (Model, "save_card_html", _model_save_card_html),
                         (Pipeline, "report", _pipeline_report)):
    _attach(_cls, _name, _fn)
