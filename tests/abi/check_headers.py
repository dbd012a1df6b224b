#!/usr/bin/env python3
"""Fails unless every public header compiles on its own, as strict C11 and
(when a C++ compiler is present) as C++, so users can include any one of them
first and from either language.

usage: check_headers.py CC INCLUDE_DIR BUILD_INCLUDE_DIR
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile


def main(cc, include_dir, build_include_dir):
    headers = ["mlops.h"] + sorted("mlops/" + p.name for p in
                                   pathlib.Path(include_dir, "mlops").glob("*.h"))
    headers += sorted("mlops/" + p.name for p in pathlib.Path(build_include_dir, "mlops").glob("*.h"))
    compilers = [(cc, ["-x", "c", "-std=c11"])]
    cxx = shutil.which("c++") or shutil.which("g++")
    if cxx:
        compilers.append((cxx, ["-x", "c++", "-std=c++11"]))
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for header in headers:
            src = pathlib.Path(tmp, "t.c")
            src.write_text("#include <%s>\nint main(void) { return 0; }\n" % header)
            for compiler, flags in compilers:
                cmd = [compiler] + flags + ["-Wall", "-Wextra", "-Werror", "-pedantic",
                                            "-I", include_dir, "-I", build_include_dir,
                                            "-fsyntax-only", str(src)]
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode != 0:
                    failures += 1
                    print("FAIL: %s with %s\n%s" % (header, " ".join(flags), r.stderr))
    print("%d headers checked with %d compiler(s): %s" % (
        len(headers), len(compilers), "FAIL" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
