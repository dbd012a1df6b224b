"""An in-tree PEP 517 build backend for the mlops package.

The package is pure Python, so a wheel is only a zip of mlops/*.py with
its metadata. Building it here, with the standard library alone, lets
`pip install ./bindings/python` work with no network: pip's isolated build
environment needs nothing downloaded (a setuptools backend would)."""
import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _project():
    """Name, version and description from pyproject.toml's [project] table."""
    text = open(os.path.join(_ROOT, "pyproject.toml"), encoding="utf-8").read()
    table = text.split("[project]", 1)[1].split("\n[", 1)[0]
    fields = dict(re.findall(r'^(\w+)\s*=\s*"([^"]*)"', table, re.M))
    return fields["name"], fields["version"], fields.get("description", "")


def _metadata():
    name, version, summary = _project()
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\n"
            "License: MIT\nRequires-Python: >=3.7\nProvides-Extra: numpy\n"
            "Requires-Dist: numpy; extra == \"numpy\"\nProvides-Extra: pandas\n"
            "Requires-Dist: numpy; extra == \"pandas\"\n"
            "Requires-Dist: pandas; extra == \"pandas\"\n" % (name, version, summary))


def _sources():
    package = os.path.join(_ROOT, "mlops")
    return sorted(f for f in os.listdir(package) if f.endswith(".py"))


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name, version, _ = _project()
    dist = "%s-%s" % (name, version)
    files = [("mlops/" + f, open(os.path.join(_ROOT, "mlops", f), "rb").read())
             for f in _sources()]
    files.append((dist + ".dist-info/METADATA", _metadata().encode()))
    files.append((dist + ".dist-info/WHEEL",
                  b"Wheel-Version: 1.0\nGenerator: mlops_build\nRoot-Is-Purelib: true\n"
                  b"Tag: py3-none-any\n"))
    record = [_record_line(p, d) for p, d in files]
    record.append(dist + ".dist-info/RECORD,,")
    files.append((dist + ".dist-info/RECORD", ("\n".join(record) + "\n").encode()))
    wheel = dist + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files:
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, data, zipfile.ZIP_DEFLATED)
    return wheel


def build_sdist(sdist_directory, config_settings=None):
    name, version, _ = _project()
    dist = "%s-%s" % (name, version)
    out = os.path.join(sdist_directory, dist + ".tar.gz")
    with tarfile.open(out, "w:gz") as tar:
        for rel in ["pyproject.toml", "build_backend/mlops_build.py"] + \
                   ["mlops/" + f for f in _sources()]:
            tar.add(os.path.join(_ROOT, rel), arcname=dist + "/" + rel)
        pkg = _metadata().encode()
        info = tarfile.TarInfo(dist + "/PKG-INFO")
        info.size = len(pkg)
        tar.addfile(info, io.BytesIO(pkg))
    return os.path.basename(out)
