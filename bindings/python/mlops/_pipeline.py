"""mlops.Pipeline: a model's whole lifecycle described in one YAML file
(mlops-pipeline(5)), checked, run into a run directory, and verified later
with mlops.verify_run().

Problems of a configuration are data, not failures: validate() returns them
as "FILE:LINE:COLUMN: KEY.PATH: message" strings. A run whose data rule,
evaluation gate or drift check failed raises GateFailed, which carries the
run's summary (everything was still written to the run directory)."""
import ctypes
import json

from . import _native
from ._dataset import _path, _take_string, _text, _unsupported
from ._errors import GateError, MlopsError, check
from ._handle import _Handle

_lib = _native.lib
_EINVAL, _EGATE = -1, -9


def _c(name):
    """The C function `name`, or MlopsError MLOPS_EUNSUPPORTED when the
    loaded library predates pipelines."""
    if not _native.has(name):
        _unsupported(name)
    return getattr(_lib, name)


def have_pipeline():
    """True when the loaded libmlops has the pipeline API."""
    return all(_native.has(name) for name, _, _ in _native.PIPELINE_FUNCTIONS)


def _json_out(fn, *args):
    """Calls fn(*args, &out) and returns the parsed JSON it allocated."""
    out = ctypes.c_void_p()
    check(fn(*(args + (ctypes.byref(out),))))
    return json.loads(_take_string(out))


def _last_error(rc):
    """The library's message for a failing status, read at once (a later
    call may replace it); None for a success."""
    if rc >= 0:
        return None
    return _lib.mlops_last_error().decode("utf-8", "replace")


def _verify_call(fn, target):
    """Runs a verification that writes a JSON report (also on failure):
    returns the report, or raises MlopsError with it attached as .report
    (None when the library wrote none, e.g. for a missing file)."""
    out = ctypes.c_void_p()
    rc = fn(target, ctypes.byref(out))
    message = _last_error(rc)
    report = json.loads(_take_string(out)) if out.value else None
    if rc < 0:
        err = MlopsError(rc, message)
        err.report = report
        raise err
    return report


class GateFailed(GateError):
    """A pipeline run finished but did not pass: a data validation rule, an
    evaluation gate or (with monitor.fail_on_drift) the drift check failed
    (MLOPS_EGATE). Every artifact was written; the model was neither
    registered nor promoted. ``summary`` is the run's summary dict."""

    def __init__(self, code, message, summary):
        super().__init__(code, message)
        self.summary = summary


class Pipeline(_Handle):
    """A pipeline read from its YAML file (relative paths inside it are taken
    from the file's directory).

    >>> p = Pipeline("pipeline.yaml").override("model.settings.l2=0.1")
    >>> p.validate()                                       # doctest: +SKIP
    []
    >>> summary = p.run("runs/today")                      # doctest: +SKIP
    >>> verify_run("runs/today")["ok"]                     # doctest: +SKIP
    True

    A YAML syntax error raises MlopsError (MLOPS_EFORMAT, with
    FILE:LINE:COLUMN). A pipeline is used by one thread at a time."""

    _free = "mlops_pipeline_free"
    _what = "pipeline"

    def __init__(self, path, overrides=()):
        """Reads the pipeline file at ``path``; then applies each of
        ``overrides`` ("KEY.PATH=VALUE") as override() does."""
        handle = _native.pipeline_p()
        check(_c("mlops_pipeline_load")(ctypes.byref(handle), _path(path)))
        self._adopt(handle)
        self._path = path
        self._step = None  # the ctypes callback the C run calls, while it runs
        self._running = False
        if isinstance(overrides, (str, bytes)):
            overrides = (overrides,)
        for assignment in overrides:
            self.override(assignment)

    @classmethod
    def load(cls, path, overrides=()):
        """Same as Pipeline(path, overrides)."""
        return cls(path, overrides)

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.Pipeline (closed)>"
        return "<mlops.Pipeline %r>" % (self._path,)

    @property
    def _h(self):
        """The C handle, refusing calls made from the step callback."""
        if self._running:
            raise RuntimeError("the step callback must not call its pipeline")
        return self._handle

    def override(self, assignment):
        """Applies one override "KEY.PATH=VALUE" (as ``mlops run --set``):
        VALUE is read as a YAML flow value, so "0.1" is a number, "[a, b]" a
        list and "'1'" a string. Its problems are reported by validate() at
        "--set:N:COLUMN". Returns self."""
        check(_c("mlops_pipeline_override")(self._h, _text(assignment, "override")))
        return self

    def validate(self):
        """Checks the whole configuration; returns every problem as a list of
        "FILE:LINE:COLUMN: KEY.PATH: message" strings in file order
        (overrides last), empty when there is none. Raises MlopsError only
        when the check itself fails (MLOPS_ENOMEM)."""
        h = self._h
        rc = _c("mlops_pipeline_validate")(h)
        problems = self.problems
        if rc < 0 and not (rc == _EINVAL and problems):
            check(rc)
        return problems

    @property
    def problems(self):
        """The problems the last validation found, as validate() returns
        them."""
        h = self._h
        return [_c("mlops_pipeline_problem")(h, i).decode("utf-8", "replace")
                for i in range(_c("mlops_pipeline_problem_count")(h))]

    def problems_json(self):
        """The problems of the last validation as a list of dicts: {"file",
        "line", "column", "key", "message", "suggestion" (None when none)}."""
        return _json_out(_c("mlops_pipeline_problems_json"), self._h)

    def config(self):
        """The resolved configuration (overrides applied, defaults filled
        in, paths absolute) as a dict. Needs a validation without problems
        (MlopsError MLOPS_ESTATE otherwise)."""
        return _json_out(_c("mlops_pipeline_config_json"), self._h)

    def run(self, run_dir=None, on_step=None):
        """Runs the pipeline into ``run_dir`` (relative to the working
        directory; None: the file's output.dir, default runs/NAME beside the
        file), which must not exist or be empty. Returns the run's summary
        (see summary()).

        ``on_step(step, detail, done)`` is called at the start (done False)
        and end (done True) of each step ("read data", "train", ...);
        returning a true value cancels the run (MlopsError
        MLOPS_ECANCELED), and an exception it raises cancels the run and is
        re-raised. The callback must not use the pipeline.

        Raises GateFailed (with .summary) when a data rule, a gate or the
        drift check failed; MlopsError MLOPS_EINVAL with .problems when the
        configuration is invalid; MlopsError otherwise."""
        h = self._h
        fn = _c("mlops_pipeline_run")
        target = None if run_dir is None else _path(run_dir)
        if on_step is not None and not callable(on_step):
            raise TypeError("on_step must be callable or None, not %s" % type(on_step).__name__)
        raised = []
        if on_step is None:
            rc = fn(h, target)
            message = _last_error(rc)
        else:
            def trampoline(_ctx, step, detail, done):
                try:
                    return 1 if on_step(step.decode("utf-8", "replace") if step else "",
                                        detail.decode("utf-8", "replace") if detail else "",
                                        bool(done)) else 0
                except BaseException as e:  # noqa: B902 - re-raised after the C call returns
                    raised.append(e)
                    return 1

            self._step = _native.pipeline_step_fn(trampoline)  # alive for the whole run
            check(_c("mlops_pipeline_set_step_callback")(h, self._step, None))
            self._running = True
            try:
                rc = fn(h, target)
                message = _last_error(rc)
            finally:
                self._running = False
                _lib.mlops_pipeline_set_step_callback(h, _native.pipeline_step_fn(), None)
                self._step = None
        if raised:
            raise raised[0]
        if rc == _EGATE:
            raise GateFailed(rc, message, self.summary())
        if rc < 0:
            err = MlopsError(rc, message)
            if rc == _EINVAL:
                err.problems = self.problems
            raise err
        return self.summary()

    def summary(self):
        """The last run's summary as a dict: {"run_dir", "passed", "model":
        {"kind", "payload_sha256"} or None, "metrics", "gates":
        [{"expression", "value", "passed"}], "data_validation", "drift",
        "registry", "rows", "lock_sha256"}. MlopsError MLOPS_ESTATE before
        any run."""
        return _json_out(_c("mlops_pipeline_summary_json"), self._h)


def verify_run(run_dir):
    """Re-checks a run directory against its mlops.lock (every listed file's
    size and SHA-256, the lock's own checksum, the model's payload hash).
    Returns the report dict ({"run_dir", "lock_ok", "files", "model_payload",
    "checked", "ok", "first_problem"}); on failure raises MlopsError naming
    the first file that differs, with the report as .report (None when the
    lock itself is missing or unreadable)."""
    return _verify_call(_c("mlops_run_verify"), _path(run_dir))
