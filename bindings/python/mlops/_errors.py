"""libmlops status codes as Python exceptions."""
from . import _native


class MlopsError(Exception):
    """A libmlops call failed. `code` is the negative MLOPS_E* status, `name`
    its short description, and the message is the library's own text naming
    what failed and where."""

    def __init__(self, code, message):
        self.code = code
        self.name = _native.lib.mlops_strerror(code).decode()
        super().__init__("%s (%s)" % (message or self.name, self.name))


def check(code):
    """Raises MlopsError for a failing status; returns None otherwise."""
    if code < 0:
        raise MlopsError(code, _native.lib.mlops_last_error().decode("utf-8", "replace"))
