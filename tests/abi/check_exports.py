#!/usr/bin/env python3
"""Fails unless the shared library exports exactly the functions that the
version script lists and the public headers declare MLOPS_API, each bound to
a version node, and the SONAME has the libmlops.so.N form.

usage: check_exports.py LIBRARY MAPFILE INCLUDE_DIR
"""
import re
import subprocess
import sys

from public_api import public_functions


def exported(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library], check=True,
                         capture_output=True, text=True).stdout
    symbols, nodes, unversioned = set(), set(), []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[1], parts[2]
        if kind == "A":  # a version node definition, e.g. MLOPS_0.1
            nodes.add(name)
            continue
        base, sep, version = name.partition("@")
        if not sep:
            unversioned.append(name)
        symbols.add(base)
    return symbols, nodes, unversioned


def mapped(mapfile):
    text = re.sub(r"/\*.*?\*/", " ", open(mapfile).read(), flags=re.S)
    nodes = set(re.findall(r"^\s*([A-Z][A-Z0-9_.]+)\s*{", text, re.M))
    names = set()
    for block in re.findall(r"global:(.*?)(?:local:|})", text, re.S):
        names.update(n.strip() for n in block.split(";") if n.strip())
    return names, nodes


def main(library, mapfile, include_dir):
    problems = []
    symbols, lib_nodes, unversioned = exported(library)
    in_map, map_nodes = mapped(mapfile)
    declared = public_functions(include_dir)
    for name in sorted(s for s in symbols if not s.startswith("mlops_")):
        problems.append("exported symbol without the mlops_ prefix: %s" % name)
    for name in unversioned:
        problems.append("exported symbol without a version node: %s" % name)
    for name in sorted(symbols - in_map):
        problems.append("exported but not in %s: %s" % (mapfile, name))
    for name in sorted(in_map - symbols):
        problems.append("in the version script but not exported: %s" % name)
    for name in sorted(symbols - declared):
        problems.append("exported but not declared MLOPS_API in a public header: %s" % name)
    for name in sorted(declared - symbols):
        problems.append("declared MLOPS_API but not exported: %s" % name)
    if lib_nodes != map_nodes:
        problems.append("version nodes differ: library %s, map %s" % (sorted(lib_nodes), sorted(map_nodes)))
    dyn = subprocess.run(["objdump", "-p", library], check=True, capture_output=True,
                         text=True).stdout
    soname = re.search(r"SONAME\s+(\S+)", dyn)
    if not soname or not re.fullmatch(r"libmlops\.so\.\d+", soname.group(1)):
        problems.append("SONAME is %s, expected libmlops.so.N" % (soname and soname.group(1)))
    for p in problems:
        print("FAIL:", p)
    print("%d exported functions, %d version node(s), SONAME %s: %s" % (
        len(symbols), len(lib_nodes), soname and soname.group(1), "FAIL" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
