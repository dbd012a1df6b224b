"""The ctypes binding against the freshly built shared library (run by meson
with MLOPS_LIBRARY pointing at it), with the standard library only."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bindings", "python"))
import mlops  # noqa: E402
from mlops import _native  # noqa: E402


class CoreBinding(unittest.TestCase):
    def test_version_matches_library(self):
        major, minor, patch = mlops.version()
        self.assertEqual(mlops.version_string(), "%d.%d.%d" % (major, minor, patch))
        self.assertEqual((major, minor), (_native.ABI_MAJOR, _native.ABI_MINOR))

    def test_failures_become_exceptions_with_the_library_message(self):
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.check(_native.lib.mlops_version_check(0x7F0000))
        self.assertEqual(caught.exception.code, -6)
        self.assertEqual(caught.exception.name, "version not supported")
        self.assertIn("compiled against libmlops 127.0.0", str(caught.exception))

    def test_success_is_silent(self):
        self.assertIsNone(mlops.check(0))
        self.assertEqual(mlops.live_allocations(), 0)


if __name__ == "__main__":
    unittest.main()
