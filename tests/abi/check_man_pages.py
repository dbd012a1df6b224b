#!/usr/bin/env python3
"""Fails unless every public function is named in the NAME section of a man3
page, and every page has the sections a reader relies on.

usage: check_man_pages.py INCLUDE_DIR MAN_DIR
"""
import pathlib
import re
import sys

from public_api import public_functions

REQUIRED_SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "RETURN VALUE", "EXAMPLE",
                     "AVAILABILITY", "SEE ALSO"]


def main(include_dir, man_dir):
    problems = []
    documented = {}
    for page in sorted(pathlib.Path(man_dir, "man3").glob("*.3")):
        text = page.read_text()
        sections = re.findall(r'^\.SH\s+"?([^"\n]+?)"?\s*$', text, re.M)
        for s in REQUIRED_SECTIONS:
            if s not in sections:
                problems.append("%s has no %s section" % (page.name, s))
        name = re.search(r"^\.SH\s+NAME\s*\n(.*?)^\.SH", text, re.M | re.S)
        for fn in re.findall(r"mlops_[A-Za-z0-9_]+", name.group(1) if name else ""):
            documented.setdefault(fn, page.name)
    declared = public_functions(include_dir)
    for fn in sorted(declared - set(documented)):
        problems.append("no man3 page names %s in its NAME section" % fn)
    for p in problems:
        print("FAIL:", p)
    print("%d public functions, %d documented: %s" % (
        len(declared), len(declared & set(documented)), "FAIL" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
