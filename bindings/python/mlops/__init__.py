"""Python binding for libmlops over ctypes (standard library only; NumPy is
used for zero-copy arrays when it is installed).

>>> import mlops
>>> mlops.version_string()   # doctest: +SKIP
'0.1.0'
"""
from . import _native
from ._errors import MlopsError, check
from ._dataset import Dataset, have_numpy
from ._transform import Transform
from ._model import Model
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


def version():
    """The library version as a (major, minor, patch) tuple."""
    v = _native.lib.mlops_version()
    return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)


def version_string():
    """The library version as a string such as "0.1.0"."""
    return _native.lib.mlops_version_string().decode()


def live_allocations():
    """Blocks the library currently holds; 0 once every object is freed."""
    return _native.lib.mlops_live_allocations()


# Refuse to run against a library whose ABI this binding does not know.
check(_native.lib.mlops_version_check((_native.ABI_MAJOR << 16) | (_native.ABI_MINOR << 8)))
