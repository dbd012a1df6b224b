"""Python binding for libmlops over ctypes (standard library only; NumPy is
used for zero-copy arrays when it is installed).

>>> import mlops
>>> mlops.version_string()   # doctest: +SKIP
'1.0.0'
"""
from . import _native
from ._errors import MlopsError, check
from ._dataset import Dataset, have_numpy
from ._transform import Transform
from ._model import Model
from . import _fast  # noqa: F401,E402 - adds Model.predict_row
from ._evaluator import Evaluator, Report, have_evaluator
from ._profile import Profile, have_profile
from ._drift import DriftMonitor, DriftReport
from ._pipeline import GateFailed, Pipeline, have_pipeline, verify_run
from ._registry import DecisionLog, Registry, audit_verify, have_registry, verify

__all__ = ["MlopsError", "version", "version_string", "live_allocations",
           "Dataset", "Transform", "Model", "Evaluator", "Report", "have_numpy",
           "have_evaluator", "Profile", "have_profile", "DriftMonitor", "DriftReport",
           "Pipeline", "GateFailed", "verify_run", "have_pipeline", "Registry", "DecisionLog",
           "verify", "audit_verify", "have_registry"]

# Errors by status code, the log callback and where the library was found.
from . import _locate  # noqa: E402
from ._errors import (Canceled, CorruptError, Error, FormatError, GateError,  # noqa: E402
                      InvalidArgument, IOFailure, NotFound, NumericError, OutOfMemory,
                      RangeError, StateError, Unsupported, VersionError, error_class)
from ._log import LOG_LEVELS, get_logger, set_logger  # noqa: E402

__all__ += ["Error", "InvalidArgument", "OutOfMemory", "IOFailure", "FormatError",
            "CorruptError", "VersionError", "StateError", "NotFound", "GateError", "Canceled",
            "RangeError", "NumericError", "Unsupported", "error_class", "set_logger",
            "get_logger", "LOG_LEVELS", "library_path"]

# Schemas and validation, splits, streaming CSV.
from ._schema import (Schema, SchemaViolation, Validation, have_schema,  # noqa: E402
                      violation_kind_name)
from ._split import (Split, fold, kfold, kfold_assignments, split_by_time,  # noqa: E402
                     train_test_split)
from ._csv import CsvReader, read_csv_batches  # noqa: E402
# HTML reports (adds Report/DriftReport/Profile.to_html, Model.card_html, ...).
from ._html import have_html, html_from_json, run_report, save_html  # noqa: E402

read_csv = Dataset.read_csv
__all__ += ["Schema", "Validation", "SchemaViolation", "have_schema", "violation_kind_name",
            "Split", "train_test_split", "split_by_time", "kfold", "kfold_assignments", "fold",
            "CsvReader", "read_csv_batches", "read_csv"]
__all__ += ["html_from_json", "run_report", "save_html", "have_html"]


def library_path():
    """Where the loaded libmlops came from: the file named by $MLOPS_LIBRARY,
    the checkout's build tree, or the installed name (libmlops.so.1)."""
    return _locate.library_path(_native.lib)


def version():
    """The library version as a (major, minor, patch) tuple."""
    v = _native.lib.mlops_version()
    return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)


def version_string():
    """The library version as a string such as "1.0.0"."""
    return _native.lib.mlops_version_string().decode()


def live_allocations():
    """Blocks the library currently holds; 0 once every object is freed."""
    return _native.lib.mlops_live_allocations()


# Refuse to run against a library whose ABI this binding does not know
# (ImportError naming the version found, the version needed and the fix).
_locate.require_abi(_native.lib, _native.ABI_MAJOR, _native.ABI_MINOR)
