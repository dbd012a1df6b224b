"""Shared helper for the ABI checks: the names of the public functions, read
from the MLOPS_API declarations in the public headers."""
import pathlib
import re

DECL = re.compile(r"MLOPS_API\b([^;{]*?)\b(mlops_[A-Za-z0-9_]+)\s*\(", re.S)


def public_functions(include_dir):
    names = set()
    for header in pathlib.Path(include_dir).rglob("*.h*"):
        text = header.read_text()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"#\s*define[^\n]*(\\\n[^\n]*)*", " ", text)
        names.update(m.group(2) for m in DECL.finditer(text))
    return names
