#!/usr/bin/env python3
"""Fails when something a user can reach has no documentation, or when a
manual page does not render cleanly:

  - an exported function of the built library (nm -D) that no man3 page
    names in its NAME section, or that `man FUNCTION` would not find once
    installed (no page of that name and no link in man/meson.build);
  - a subcommand listed by `mlops help` without a .SS (or .SH) heading
    naming it in man/man1/mlops.1;
  - a pipeline key missing from mlops-pipeline(5) (the checks of
    check_pipeline_page.py);
  - a page that man/meson.build installs but that does not exist, or a page
    under man/ that it does not install;
  - a reference such as mlops_model_save(3) or mlops-model(5) to a libmlops
    page that does not exist;
  - a page for which `groff -man -Tutf8 -ww -z` prints anything, or
    `mandoc -Tlint -W warning` reports anything (this part is skipped, with
    a note, when mandoc is not installed).

It then proves that it can fail: it damages copies of the man directory
(removes a man3 page; removes the heading of a subcommand from mlops.1;
removes each man5 page in turn; breaks the roff of a page) and fails unless
each damage is reported.

usage: check_docs.py --library LIBMLOPS [--cli MLOPS] --include INCLUDE_DIR
                     --man MAN_DIR --source SOURCE_ROOT
Without --cli (the CLI is not built), the subcommands are read from the
usage text in SOURCE_ROOT/examples/cli/mlops.c.
"""
import argparse
import concurrent.futures
import contextlib
import io
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import check_pipeline_page
from public_api import public_functions

SECTIONS = ("man1", "man3", "man5", "man7")


# ---- What must be documented ---------------------------------------------

def exported_functions(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2].startswith("mlops_"):
            names.add(parts[2].partition("@")[0])
    return names


def commands_from_help(text):
    """The command names of the "commands:" list of `mlops help`."""
    lines = text.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == "commands:")
    except StopIteration:
        return []
    names = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        m = re.match(r"\s+(\S+)(\s|$)", line)
        if m:
            names.append(m.group(1))
    return names


def cli_commands(cli, source):
    if cli:
        out = subprocess.run([cli, "help"], capture_output=True, text=True)
        return commands_from_help(out.stdout), "`%s help`" % os.path.basename(cli)
    # The usage text is a run of C string literals: join them.
    src = pathlib.Path(source, "examples", "cli", "mlops.c").read_text()
    body = src[src.index("static int usage("):]
    body = body[:body.index(";")]
    text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', body)).replace("\\n", "\n")
    return commands_from_help(text), "examples/cli/mlops.c (the CLI is not built)"


# ---- Reading pages ---------------------------------------------------------

def pages(man_dir):
    """The real page files (relative paths such as "man3/mlops_free.3");
    links made at install time are not in the source tree."""
    found = []
    for section in SECTIONS:
        for p in sorted(pathlib.Path(man_dir, section).glob("*.[0-9]")):
            if p.is_file() and not p.is_symlink():
                found.append("%s/%s" % (section, p.name))
    return found


def roff_text(args):
    """The text of the arguments of a heading macro."""
    words = re.findall(r'"[^"]*"|\S+', args)
    text = " ".join(w.strip('"') for w in words)
    text = re.sub(r"\\f[BIRP]|\\f\(\w\w|\\f\[\w*\]|\\&|\\c", "", text)
    return text.replace("\\-", "-")


def name_section(text):
    m = re.search(r"^\.SH\s+\"?NAME\"?\s*\n(.*?)^\.SH", text, re.M | re.S)
    return m.group(1) if m else ""


def meson_manifest(man_dir):
    """(installed pages, {alias: page}) as man/meson.build states them, or
    None when it cannot be read."""
    path = pathlib.Path(man_dir, "meson.build")
    if not path.exists():
        return None
    text = re.sub(r"#[^\n]*", "", path.read_text())
    m = re.search(r"man_pages\s*=\s*\{(.*?)\n\}", text, re.S)
    if m is None:
        return None
    installed, aliases = set(), {}
    for page, names in re.findall(r"'(man\d/[^']+)'\s*:\s*\[(.*?)\]", m.group(1), re.S):
        installed.add(page)
        for alias in re.findall(r"'([^']+)'", names):
            aliases[alias] = page
    for call in re.findall(r"install_man\((.*?)\)", text, re.S):
        installed.update(re.findall(r"'(man\d/[^']+)'", call))
    return installed, aliases


# ---- The checks --------------------------------------------------------------

def check_functions(functions, man_dir, manifest, problems):
    named = set()
    for page in pages(man_dir):
        if page.startswith("man3/"):
            text = pathlib.Path(man_dir, page).read_text(encoding="utf-8")
            named.update(re.findall(r"mlops_[A-Za-z0-9_]+", name_section(text)))
    links = manifest[1] if manifest else {}
    for fn in sorted(functions):
        if fn not in named:
            problems.append("man3: no page names the exported function %s in its NAME section"
                            % fn)
        elif not pathlib.Path(man_dir, "man3", fn + ".3").is_file() and fn not in links:
            problems.append("man3: `man %s` finds nothing: there is no man3/%s.3 and "
                            "man/meson.build makes no link of that name" % (fn, fn))


def check_commands(commands, origin, man_dir, problems):
    page = pathlib.Path(man_dir, "man1", "mlops.1")
    if not commands:
        problems.append("man1: found no command list in %s" % origin)
        return
    if not page.is_file():
        problems.append("man1/mlops.1 does not exist")
        return
    headed = set()
    for m in re.finditer(r"^\.(?:SS|SH)[ \t]+(.*)$", page.read_text(encoding="utf-8"), re.M):
        headed.update(w for w in re.split(r"[\s,]+", roff_text(m.group(1))) if w)
    for cmd in commands:
        if cmd not in headed:
            problems.append("man1/mlops.1: subcommand '%s' (listed by %s) has no .SS heading"
                            % (cmd, origin))


def check_pipeline_keys(source, man_dir, problems):
    schema = pathlib.Path(source, "lib", "pipeline", "pipeline_schema.c")
    page = pathlib.Path(man_dir, "man5", "mlops-pipeline.5")
    if not page.is_file():
        problems.append("man5/mlops-pipeline.5 does not exist: no pipeline key is documented")
        return
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            rc = check_pipeline_page.main(str(schema), str(page))
    except SystemExit as e:
        problems.append("man5/mlops-pipeline.5: %s" % e.code)
        return
    fails = [l[len("FAIL:"):].strip() for l in out.getvalue().splitlines()
             if l.startswith("FAIL:")]
    problems.extend("man5/mlops-pipeline.5: key %s" % f for f in fails)
    if rc != 0 and not fails:
        problems.append("man5/mlops-pipeline.5: check_pipeline_page.py failed: %s"
                        % out.getvalue().strip())


def check_manifest(man_dir, manifest, problems):
    if manifest is None:
        problems.append("man/meson.build: cannot read its man_pages list; update this script")
        return
    installed, aliases = manifest
    present = set(pages(man_dir))
    for page in sorted(installed - present):
        problems.append("%s is installed by man/meson.build but does not exist" % page)
    for page in sorted(present - installed):
        problems.append("%s is not installed by man/meson.build" % page)
    for alias, page in sorted(aliases.items()):
        if page in present:
            text = pathlib.Path(man_dir, page).read_text(encoding="utf-8")
            if alias not in re.findall(r"mlops_[A-Za-z0-9_]+", name_section(text)):
                problems.append("man/meson.build links %s to %s, whose NAME does not name it"
                                % (alias, page))


def check_references(man_dir, manifest, problems):
    present = set(pages(man_dir))
    targets = {(p.split("/")[1].rsplit(".", 1)[0], p.split("/")[1].rsplit(".", 1)[1])
               for p in present}
    if manifest:
        targets.update((alias, "3") for alias in manifest[1])
    for page in sorted(present):
        lines = pathlib.Path(man_dir, page).read_text(encoding="utf-8").split("\n")
        for n, line in enumerate(lines, 1):
            text = check_pipeline_page.plain([line])
            for name, section in re.findall(r"(?<![\w.-])((?:lib)?mlops[\w.-]*)\((\d)\)", text):
                if (name, section) not in targets:
                    problems.append("%s:%d: refers to %s(%s), which is no libmlops page"
                                    % (page, n, name, section))


def render(man_dir, page, use_mandoc):
    """The complaints of groff and mandoc about one page."""
    found = []
    env = dict(os.environ, LC_ALL="C.UTF-8")
    g = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page], cwd=man_dir, env=env,
                       capture_output=True, text=True, errors="replace")
    for line in (g.stdout + g.stderr).splitlines():
        found.append("groff: %s: %s" % (page, line))
    if g.returncode != 0 and not found:
        found.append("groff: %s: exit status %d" % (page, g.returncode))
    if use_mandoc:
        m = subprocess.run(["mandoc", "-Tlint", "-W", "warning", page], cwd=man_dir, env=env,
                           capture_output=True, text=True, errors="replace")
        for line in (m.stdout + m.stderr).splitlines():
            found.append(line if line.startswith("mandoc: ") else "mandoc: " + line)
    return found


def check_rendering(man_dir, page_list, use_mandoc, problems):
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for found in pool.map(lambda p: render(man_dir, p, use_mandoc), page_list):
            problems.extend(found)


def run_checks(ctx, man_dir, render_pages):
    """Every problem of the man directory `man_dir`; only the pages in
    `render_pages` are rendered."""
    problems = []
    manifest = meson_manifest(man_dir)
    check_functions(ctx["functions"], man_dir, manifest, problems)
    check_commands(ctx["commands"], ctx["origin"], man_dir, problems)
    check_pipeline_keys(ctx["source"], man_dir, problems)
    check_manifest(man_dir, manifest, problems)
    check_references(man_dir, manifest, problems)
    if render_pages:
        check_rendering(man_dir, render_pages, ctx["mandoc"], problems)
    return problems


# ---- Self-test -----------------------------------------------------------

def remove_heading(path, cmd):
    """Drops the .SS/.SH line naming `cmd`; False when there is none."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^\.(?:SS|SH)[ \t]+(.*)$", line)
        if m and cmd in re.split(r"[\s,]+", roff_text(m.group(1))):
            del lines[i]
            path.write_text("\n".join(lines), encoding="utf-8")
            return True
    return False


def insert_before_last_sh(path, line):
    lines = path.read_text(encoding="utf-8").split("\n")
    last = max(i for i, l in enumerate(lines) if l.startswith(".SH"))
    lines.insert(last, line)
    path.write_text("\n".join(lines), encoding="utf-8")


def self_test(ctx, man_dir):
    """Damages copies of `man_dir` and returns the damages that went
    unreported."""
    real = pages(man_dir)
    cases = []  # (what, damage(copy) -> bool, expected words, pages to render)
    man3 = [p for p in real if p.startswith("man3/")]
    victim = next((p for p in man3 if set(re.findall(
        r"mlops_\w+", name_section(pathlib.Path(man_dir, p).read_text(encoding="utf-8")))) &
        ctx["functions"]), None)
    if victim:
        cases.append(("removing " + victim,
                      lambda d, v=victim: pathlib.Path(d, v).unlink() or True,
                      [victim, pathlib.Path(victim).stem], []))
    else:
        return ["no man3 page names an exported function, so none can be removed"]
    page1 = pathlib.Path(man_dir, "man1", "mlops.1")
    text1 = page1.read_text(encoding="utf-8") if page1.is_file() else ""
    cmd = next((c for c in ctx["commands"] if re.search(
        r"^\.(?:SS|SH)[ \t]+.*\b%s\b" % re.escape(c), text1, re.M)), None)
    if cmd:
        cases.append(("removing the heading of subcommand '%s' from man1/mlops.1" % cmd,
                      lambda d, c=cmd: remove_heading(pathlib.Path(d, "man1", "mlops.1"), c),
                      ["'%s'" % cmd], []))
    else:
        return ["man1/mlops.1 has no subcommand heading that could be removed"]
    for page in (p for p in real if p.startswith("man5/")):
        cases.append(("removing " + page,
                      lambda d, v=page: pathlib.Path(d, v).unlink() or True, [page], []))
    target = "man7/libmlops.7" if "man7/libmlops.7" in real else real[-1]
    cases.append(("an unknown macro in " + target,
                  lambda d: insert_before_last_sh(pathlib.Path(d, target), ".XX") or True,
                  ["groff: " + target], [target]))
    if ctx["mandoc"]:
        cases.append(("an empty paragraph before a section of " + target,
                      lambda d: insert_before_last_sh(pathlib.Path(d, target), ".PP") or True,
                      ["mandoc: " + target], [target]))
    unreported = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (what, damage, expected, render_pages) in enumerate(cases):
            copy = pathlib.Path(tmp, "man%d" % n)
            shutil.copytree(man_dir, copy, symlinks=True)
            before = set(run_checks(ctx, str(copy), render_pages))
            if not damage(copy):
                unreported.append("%s: the damage could not be made" % what)
                continue
            new = [p for p in run_checks(ctx, str(copy), render_pages) if p not in before]
            hit = [p for p in new if any(word in p for word in expected)]
            print("self-test: %s: %s" % (what, "reported (%s)" % hit[0] if hit else
                                         "NOT REPORTED"))
            if not hit:
                unreported.append("%s is not reported" % what)
    return unreported


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--library", required=True)
    ap.add_argument("--cli")
    ap.add_argument("--include", required=True)
    ap.add_argument("--man", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    if shutil.which("groff") is None:
        print("FAIL: groff is not installed (apt-get install groff-base)")
        return 1
    mandoc = shutil.which("mandoc") is not None
    if not mandoc:
        print("SKIP: mandoc is not installed (apt-get install mandoc): "
              "pages are not checked with mandoc -Tlint")
    commands, origin = cli_commands(a.cli, a.source)
    ctx = {
        "functions": exported_functions(a.library) | public_functions(a.include),
        "commands": commands,
        "origin": origin,
        "source": a.source,
        "mandoc": mandoc,
    }
    all_pages = pages(a.man)
    problems = run_checks(ctx, a.man, all_pages)
    for p in problems:
        print("FAIL:", p)
    print("%d functions, %d subcommands, %d pages checked: %s" % (
        len(ctx["functions"]), len(commands), len(all_pages), "FAIL" if problems else "ok"))
    unreported = self_test(ctx, a.man)
    for u in unreported:
        print("FAIL: self-test:", u)
    return 1 if problems or unreported else 0


if __name__ == "__main__":
    sys.exit(main())
