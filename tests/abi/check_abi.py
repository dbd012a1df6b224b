#!/usr/bin/env python3
"""Holds the 1.0 ABI: compares the built library with the committed baseline
tests/abi/libmlops-1.0.abi (written by libabigail's abidw from the 1.0.0
release) and fails when

  - the SONAME changed;
  - a function or variable of the baseline was removed, or its type, or a
    type it reaches, changed in any way (abidiff over the public headers);
  - a function was added to the MLOPS_1.0 version node: additions belong in
    a new node (MLOPS_1.1, ...) that inherits from the previous one.

Debug information is needed to compare types; a build without it (a release
build) is compared by its exported symbols and their version nodes only,
which the output says.

Regenerate the baseline only when a new release is made, never to make this
test pass:
  abidw --headers-dir include/mlops --header-file BUILD/include/mlops/version.h \\
        --no-corpus-path --drop-private-types --no-show-locs \\
        --out-file tests/abi/libmlops-1.0.abi BUILD/lib/libmlops.so

usage: check_abi.py LIBRARY BASELINE INCLUDE_DIR VERSION_HEADER
"""
import re
import shutil
import subprocess
import sys

BASE_NODE = "MLOPS_1.0"


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    return p.returncode, p.stdout


def exported(library):
    """name -> version node of every defined dynamic symbol starting mlops_."""
    code, out = run(["readelf", "--dyn-syms", "--wide", library])
    if code != 0:
        sys.exit("readelf failed on %s:\n%s" % (library, out))
    symbols = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 8 or parts[6] == "UND":
            continue
        m = re.match(r"(mlops_[A-Za-z0-9_]+)@+(\S+)", parts[7])
        if m:
            symbols[m.group(1)] = m.group(2)
    return symbols


def baseline_symbols(baseline):
    with open(baseline, encoding="utf-8") as f:
        text = f.read()
    soname = re.search(r"soname='([^']+)'", text)
    names = set(re.findall(r"<elf-symbol name='(mlops_[A-Za-z0-9_]+)'", text))
    return (soname.group(1) if soname else None), names


def soname_of(library):
    code, out = run(["readelf", "-d", library])
    m = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    return m.group(1) if m else None


def has_debug_info(library):
    code, out = run(["readelf", "-S", "--wide", library])
    return ".debug_info" in out


def main(library, baseline, include_dir, version_header):
    problems = []
    base_soname, base_names = baseline_symbols(baseline)
    soname = soname_of(library)
    if soname != base_soname:
        problems.append("SONAME is %s, the 1.0 baseline's is %s" % (soname, base_soname))
    symbols = exported(library)
    for name in sorted(base_names - set(symbols)):
        problems.append("removed: %s (in the 1.0 baseline)" % name)
    for name in sorted(base_names & set(symbols)):
        if symbols[name] != BASE_NODE:
            problems.append("%s moved from node %s to %s" % (name, BASE_NODE, symbols[name]))
    added = sorted(set(symbols) - base_names)
    for name in added:
        if symbols[name] == BASE_NODE:
            problems.append("added to the released node %s: %s (put it in a new node, "
                            "MLOPS_1.1 {...} MLOPS_1.0;)" % (BASE_NODE, name))
    if has_debug_info(library):
        if shutil.which("abidiff") is None:
            problems.append("abidiff not found (apt-get install abigail-tools)")
        else:
            code, out = run(["abidiff", "--headers-dir2", include_dir, "--header-file2",
                             version_header, "--drop-private-types", "--no-added-syms",
                             baseline, library])
            # Bits: 1 error, 2 usage, 4 ABI change, 8 incompatible change. With
            # added symbols left out, any change is one to what 1.0 promised.
            if code != 0:
                problems.append("abidiff reports a change to the 1.0 ABI (status %d):\n%s"
                                % (code, out.rstrip()))
        how = "types and symbols compared with abidiff"
    else:
        how = "no debug information: symbols and version nodes compared only"
    for p in problems:
        print("FAIL:", p)
    print("%d exported functions (%d in the 1.0 baseline, %d added in later nodes); %s: %s"
          % (len(symbols), len(base_names), len(added), how, "FAIL" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[-1])
    sys.exit(main(*sys.argv[1:5]))
