"""Size and render time of the drift report over 100 columns (issue 9's
target: under 1 MB, rendered in under 1 s; Evidently users report hundreds
of MB for a report of this shape and pages that take minutes to open).

Generates, deterministically (Python's random with a fixed seed), a
reference and a current CSV of ROWS rows (150,000) and 100 columns: 70
numeric (normal, log-normal, uniform, exponential, integer counts; 1% of
the values missing in every 10th column) and 30 categorical (3 to 40
categories with skewed frequencies). In the current file every 5th column
is shifted: a mean shift of 0.25 standard deviations, a 20% scale change,
or, for a categorical column, its most common category's share halved.
Then runs

    mlops drift --reference REF.csv --current CUR.csv --html OUT.html

(best of REPEAT wall times), and opens OUT.html in headless Chromium
REPEAT times (a fresh tab each time) for the load event and the first
contentful paint, best of REPEAT. Prints the HTML size, the timings, the
Chromium version and the machine; one key=value line for logs at the end.

usage: python3 tests/bench/bench_report.py PATH_TO_MLOPS [--rows N] [--repeat N]
           [--data-dir DIR] [--screenshot PNG]
  --data-dir DIR  keep the generated CSV files in DIR and reuse them when
                  they are already there (default: a temporary directory)
Standard library only; chromium from Debian (apt-get install chromium).
Exit status: 0 measured (whether or not the targets were met; see the
output), 1 the mlops command failed, 77 no chromium.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "report"))
import browser  # noqa: E402

SEED = 20240917
COLUMNS = 100
NUMERIC = 70
SIZE_TARGET = 1_000_000      # bytes
RENDER_TARGET_MS = 1000.0


def numeric_column(prm, rng, j, n, shifted):
    """One numeric column as strings; the kind of distribution cycles with j.
    prm draws the distribution's parameters (the same in both files), rng
    the values."""
    kind = j % 5
    mu = 0.25 if shifted and j % 2 == 0 else 0.0     # in standard deviations
    scale = 1.2 if shifted and j % 2 == 1 else 1.0
    if kind == 0:
        m, s = prm.uniform(-50, 50), prm.uniform(1, 20)
        vals = ["%.4f" % rng.gauss(m + mu * s, s * scale) for _ in range(n)]
    elif kind == 1:
        vals = ["%.3f" % (rng.lognormvariate(1.0 + mu, 0.5 * scale)) for _ in range(n)]
    elif kind == 2:
        lo, hi = 0.0, prm.uniform(1, 1000)
        w = (hi - lo) * scale
        off = mu * (hi - lo) / 3.4641  # the sd of a uniform is width / sqrt(12)
        vals = ["%.2f" % (lo + off + rng.random() * w) for _ in range(n)]
    elif kind == 3:
        lam = 1.0 / prm.uniform(0.5, 5)
        vals = ["%.4f" % (rng.expovariate(lam / scale) + mu / lam) for _ in range(n)]
    else:
        base = prm.randint(2, 30)
        vals = [str(int(rng.gauss(base + mu * base ** 0.5, base ** 0.5 * scale) + 0.5))
                for _ in range(n)]
    if j % 10 == 9:
        for i in range(n):
            if rng.random() < 0.01:
                vals[i] = ""
    return vals


def categorical_column(rng, j, n, shifted):
    k = 3 + (j * 7) % 38
    names = ["c%02d_%s" % (j, "abcdefghijklmnopqrstuvwxyz"[i % 26] * (1 + i // 26)) for i in range(k)]
    weights = [1.0 / (i + 1) for i in range(k)]
    if shifted:
        weights[0] /= 2
    return rng.choices(names, weights=weights, k=n)


def write_csv(path, n, seed, current):
    """Column by column, each from its own seeded generators (the same
    distributions in both files but for the shifted columns, other draws),
    then row by row."""
    cols, header = [], []
    for j in range(COLUMNS):
        shifted = current and j % 5 == 0
        prm = random.Random(seed * 1000 + j)
        rng = random.Random(seed * 1000 + j + (500 if current else 250))
        if j < NUMERIC:
            header.append("num%02d" % j)
            cols.append(numeric_column(prm, rng, j, n, shifted))
        else:
            header.append("cat%02d" % j)
            cols.append(categorical_column(rng, j, n, shifted))
    tmp = path + ".part"
    with open(tmp, "w") as f:
        f.write(",".join(header) + "\n")
        for row in zip(*cols):
            f.write(",".join(row))
            f.write("\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mlops")
    ap.add_argument("--rows", type=int, default=150_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data-dir")
    ap.add_argument("--screenshot")
    args = ap.parse_args()
    if browser.find_chromium() is None:
        print("SKIP: chromium not found (apt-get install chromium)")
        return 77

    tmp = tempfile.mkdtemp(prefix="bench-report-")
    try:
        data = args.data_dir or tmp
        os.makedirs(data, exist_ok=True)
        ref = os.path.join(data, "report_ref_%d.csv" % args.rows)
        cur = os.path.join(data, "report_cur_%d.csv" % args.rows)
        t = time.monotonic()
        made = False
        for path, current in ((ref, False), (cur, True)):
            if not os.path.exists(path):
                write_csv(path, args.rows, SEED, current)
                made = True
        if made:
            print("data: generated %s and %s (%d rows x %d columns, %.0f + %.0f MB) in %.1f s"
                  % (ref, cur, args.rows, COLUMNS, os.path.getsize(ref) / 1e6,
                     os.path.getsize(cur) / 1e6, time.monotonic() - t))
        else:
            print("data: reusing %s and %s" % (ref, cur))

        out = os.path.join(tmp, "drift.html")
        cmd = [args.mlops, "drift", "--reference", ref, "--current", cur, "--html", out]
        walls = []
        for _ in range(args.repeat):
            if os.path.exists(out):
                os.remove(out)
            t = time.monotonic()
            p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            walls.append(time.monotonic() - t)
            if p.returncode != 0 or not os.path.exists(out):
                print("%s: exit status %d\n%s" % (" ".join(cmd), p.returncode,
                                                   p.stderr.decode("utf-8", "replace")))
                return 1
        size = os.path.getsize(out)

        loads, fcps, opens = [], [], []
        with browser.Browser(width=1280, height=900, timeout=120) as b:
            version = b.version.get("product", "?")
            for i in range(args.repeat):
                shot = args.screenshot if args.screenshot and i == 0 else None
                r = b.open(out, screenshot=shot)
                loads.append(r["load_ms"])
                opens.append(r["open_ms"])
                if r["fcp_ms"] is not None:
                    fcps.append(r["fcp_ms"])
                if i == 0:
                    first = r
        load, fcp = min(loads), (min(fcps) if fcps else float("nan"))
        render = max(load, fcp) if fcps else load

        print("machine: %d cores; %s" % (os.cpu_count(), version))
        print("command: %s" % " ".join(cmd))
        print("mlops drift: %.2f s wall (best of %d: %s)"
              % (min(walls), len(walls), ", ".join("%.2f" % w for w in walls)))
        print("html: %d bytes (%.2f MB), %d svg (%d accessible), %d <script>; target < 1 MB: %s"
              % (size, size / 1e6, first["dom"]["svg_count"], first["dom"]["svg_accessible_count"],
                 first["dom"]["script_count"], "met" if size < SIZE_TARGET else "MISSED"))
        print("render: load event %.1f ms, first contentful paint %.1f ms (best of %d); "
              "target < 1 s: %s" % (load, fcp, len(loads),
                                    "met" if render < RENDER_TARGET_MS else "MISSED"))
        if first["errors"] or first["requests"]:
            print("page problems: %d errors %s, %d requests %s"
                  % (len(first["errors"]), first["errors"][:3], len(first["requests"]),
                     [q["url"] for q in first["requests"][:3]]))
        if args.screenshot:
            print("screenshot: %s" % args.screenshot)
        print("bench=report rows=%d columns=%d html_bytes=%d mlops_seconds=%.3f load_ms=%.1f "
              "fcp_ms=%.1f open_ms=%.0f errors=%d requests=%d chromium=%s"
              % (args.rows, COLUMNS, size, min(walls), load, fcp, min(opens),
                 len(first["errors"]), len(first["requests"]), version.replace(" ", "_")))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
