#!/usr/bin/env python3
"""Smoke pass of one libFuzzer target, as the test suite runs it.

    smoke.py TARGET CORPUS_DIR REGRESSIONS_DIR SECONDS

Runs TARGET over every file of CORPUS_DIR and REGRESSIONS_DIR, then fuzzes
for SECONDS seconds. New inputs go to a scratch corpus in a temporary
directory, listed first so libFuzzer writes there and never into the
committed directories. On a crash, leak or timeout the temporary directory
is kept and its path printed: the input that failed is the crash-*,
leak-* or timeout-* file in it (copy it to REGRESSIONS_DIR once fixed).
"""
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    target, corpus, regressions, seconds = sys.argv[1:]
    tmp = tempfile.mkdtemp(prefix="mlops-fuzz-smoke-")
    scratch = os.path.join(tmp, "corpus")
    os.mkdir(scratch)
    dirs = [d for d in (corpus, regressions) if os.path.isdir(d)]
    cmd = [target, "-max_total_time=" + seconds, "-rss_limit_mb=2048", "-timeout=25",
           "-artifact_prefix=" + tmp + "/", "-print_final_stats=1", scratch] + dirs
    env = dict(os.environ, TMPDIR=tmp)
    print("$", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace")
    lines = proc.stdout.splitlines()
    failed = proc.returncode != 0
    # The whole log on failure; the summary lines otherwise.
    shown = lines if failed else [l for l in lines if l.startswith(("#", "stat::", "INFO: seed", "Done"))][-12:]
    print("\n".join(shown))
    if failed:
        print("%s failed (exit %d); artifacts kept in %s: %s" %
              (os.path.basename(target), proc.returncode, tmp,
               ", ".join(sorted(f for f in os.listdir(tmp) if f != "corpus")) or "none"))
        sys.exit(1)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
