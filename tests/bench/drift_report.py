#!/usr/bin/python3
"""Prints the tables of the drift-monitoring benchmark (markdown) from the lines run_drift.sh
logged (key=value pairs; see bench_drift.c and ../shared/bench/peer_scipy_drift.py for their
meaning): for each workload libmlops's seconds per phase, SciPy/NumPy's from the same run and
their ratio, whether the targets were met, the columns found drifted, and peak memory.

usage: /usr/bin/python3 tests/bench/drift_report.py LOG
"""
import sys

from bench_log import num, parse

WIDE_TARGET_S = 300.0      # full drift report of 3,000,000 x 1,000 on 2 cores
STREAM_TARGET = 50e6       # values per CPU second, create_like profile with quality 0


def md_table(head, rows, notes=()):
    """Prints a markdown table, then the notes as a list."""
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(":---" if i == 0 else "---:" for i in range(len(head))) + "|")
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")
    if notes:
        print()
        for n in notes:
            print("- " + n)


def f(x, fmt="%.2f"):
    return "-" if x != x else fmt % x


def case_ks(recs):
    ours = [r for r in recs if r.get("case") == "ks" and r["name"] == "libmlops"]
    ks = next((r for r in recs if r.get("case") == "ks" and r["name"] == "scipy"), None)
    psi = next((r for r in recs if r.get("case") == "ks" and r["name"] == "numpy"), None)
    if not ours:
        return
    o0 = ours[0]
    print()
    print("### KS + PSI on every column: %s x %s, current +0.05 in every 4th column"
          % (o0.get("rows"), o0.get("cols")))
    peer_total = num(ks, "seconds") + num(psi, "seconds") if ks and psi else float("nan")
    rows = []
    for r in ours:
        rows.append(["libmlops, %s thread%s" % (r["threads"], "" if r["threads"] == "1" else "s"),
                     f(num(r, "ref_s")), f(num(r, "cur_s")), f(num(r, "ks_s"), "%.3f"),
                     f(num(r, "psi_s"), "%.3f"), f(num(r, "seconds")), f(num(r, "cpu_s")),
                     r.get("drifted_p05", "-"), f(num(r, "max_psi"), "%.5f"),
                     f(num(r, "peak_rss_MB"), "%.0f"),
                     f(peer_total / num(r, "seconds"), "%.1fx")])
    if ks and psi:
        rows.append(["SciPy ks_2samp + NumPy PSI", "-", "-", f(num(ks, "seconds")),
                     f(num(psi, "seconds")), f(peer_total), "-",
                     ks.get("drifted_cols_p<0.05", "-"), f(num(psi, "max_psi"), "%.5f"),
                     f(num(ks, "whole_rss_MB"), "%.0f"), "1.0x"])
    notes = [
        "libmlops times building the reference profile (raw values kept, columns shared out to "
        "the profile's threads, then fix_bins), the current profile (create_like, quality 0) and "
        "the two compares; the peer times ks_2samp on every column (sorting both samples) and "
        "the PSI (quantiles and histograms): the same work from the data to the statistics. "
        "peer/ours: the peer's total over ours.",
        "libmlops breakdown: " + "; ".join(
            "%s thread(s): reference add %s s + merge %s s + fix_bins %s s, current add %s s + "
            "merge %s s" % (r["threads"], r.get("ref_add_s"), r.get("ref_merge_s"),
                            r.get("fix_bins_s"), r.get("cur_add_s"), r.get("cur_merge_s"))
            for r in ours),
        "KS from the raw values (exact, SciPy's method) in %s of %s columns; max KS statistic "
        "%s; columns drifted by psi >= 0.1: %s. Expected p < 0.05: the %d shifted columns plus "
        "about 5%% of the others by chance; each side draws its own random numbers (libmlops "
        "seed %s, NumPy seed 7), so the chance counts and max PSI differ a little (the peer "
        "floors bin shares at 1e-4, libmlops adds 1/2 to each count: no difference at these "
        "counts)." % (o0.get("ks_exact_cols"), o0.get("compared"), o0.get("max_ks"),
                      o0.get("psi_drifted"), (int(num(o0, "cols")) + 3) // 4,
                      o0.get("seed", "7")),
        "peak RSS: libmlops process (both data sets %.0f MB plus both profiles' raw values); "
        "the peer's whole process. Generating libmlops's data (not timed) took %s s; the "
        "peer's whole process ran %s s." % (2 * 8 * num(o0, "rows") * num(o0, "cols") / 1e6,
                                            o0.get("gen_s"), ks.get("whole_s") if ks else "-"),
    ]
    md_table(["run", "reference profile s", "current profile s", "ks s", "psi s", "total s",
              "CPU s", "cols p < 0.05", "max PSI", "peak RSS MB", "peer/ours"], rows, notes)


def case_wide(recs):
    runs = [r for r in recs if r.get("case") in ("wide", "wide_small") and
            r["name"] == "libmlops"]
    if not runs:
        return
    w = runs[0]
    print()
    print("### Full drift report, default methods: %s columns generated in batches of %s rows, "
          "%s threads; second reference pass with quality %s"
          % (w.get("cols"), w.get("batch"), w.get("threads"), w.get("pass2_quality")))
    rows = []
    for r in runs:
        s = num(r, "seconds")
        rows.append(["%s x %s (%s GB)" % (r.get("rows"), r.get("cols"), r.get("data_GB")),
                     f(num(r, "pass1_s")), f(num(r, "fix_bins_s"), "%.3f"),
                     f(num(r, "pass2_s")), f(num(r, "current_s")),
                     f(num(r, "compare_s"), "%.3f"), f(s), f(num(r, "cpu_s")),
                     "< %g s" % WIDE_TARGET_S, "yes" if s < WIDE_TARGET_S else "no",
                     f(num(r, "peak_rss_MB"), "%.0f"),
                     "%s/%s" % (r.get("drifted"), r.get("compared"))])
    notes = []
    for r in runs:
        gen, build, add = num(r, "gen_cpu_s"), num(r, "build_cpu_s"), num(r, "add_cpu_s")
        notes.append(
            "%s rows: CPU seconds over the threads: generating values %s, building batch data "
            "sets %s, mlops_profile_add %s (pass 1 %s, pass 2 %s, current %s); merges %s + %s "
            "+ %s s; generation and building are the benchmark's stand-in for reading the data"
            % (r.get("rows"), f(gen, "%.1f"), f(build, "%.1f"), f(add, "%.1f"),
               r.get("pass1_add_cpu_s"), r.get("pass2_add_cpu_s"),
               r.get("current_add_cpu_s"), r.get("pass1_merge_s"), r.get("pass2_merge_s"),
               r.get("current_merge_s")))
    notes.append(
        "columns: method(s) %s; shifted +0.25 (every 4th): %s of %s drifted (smallest "
        "statistic %s); shifted +0.02: %s of %s drifted; unshifted: %s drifted (largest "
        "statistic of all not shifted by 0.25: %s); data set drift %s (share %s); pass-1 "
        "histograms estimated from sketches in %s columns, then counted exactly in pass 2"
        % (w.get("methods"), w.get("drifted_shifted"), w.get("shifted_cols"),
           w.get("min_stat_shifted"), w.get("drifted_small_shift"), w.get("small_shift_cols"),
           w.get("drifted_unshifted"), w.get("max_stat_unshifted"), w.get("dataset_drift"),
           w.get("drift_share"), w.get("estimated_hist_cols")))
    mem = "memory: batch data in flight %s MB (threads x batch x columns x 8 bytes; the " \
          "builder holds a second copy while a batch is made); peak RSS %s MB at %s rows" % (
              w.get("batch_data_MB"), f(num(w, "peak_rss_MB"), "%.0f"), w.get("rows"))
    for r in runs[1:]:
        mem += ", %s MB at %s rows" % (f(num(r, "peak_rss_MB"), "%.0f"), r.get("rows"))
    notes.append(mem + " (the data itself would be %s GB)" % w.get("data_GB"))
    md_table(["rows x cols", "pass 1 s", "fix_bins s", "pass 2 s", "current s", "compare s",
              "total s", "CPU s", "target", "met", "peak RSS MB", "drifted"], rows, notes)


def case_stream(recs):
    runs = [r for r in recs if r.get("case") == "stream" and r["name"] == "libmlops"]
    if not runs:
        return
    s = runs[0]
    print()
    print("### mlops_profile_add update rate, one thread: %s batches of %s x %s"
          % (s.get("batches"), s.get("rows_per_batch"), s.get("cols")))
    titles = {"like_q0": "create_like, quality 0 (production)",
              "like_q1": "create_like, quality 1",
              "default": "mlops_profile_create (default settings, no bins)"}
    rows = []
    for r in runs:
        rate = num(r, "values_per_cpu_s")
        target = r.get("variant") == "like_q0"
        rows.append([titles.get(r.get("variant"), r.get("variant")), r.get("values"),
                     f(num(r, "seconds"), "%.3f"), f(num(r, "cpu_s"), "%.3f"),
                     f(num(r, "values_per_s") / 1e6, "%.1f"), f(rate / 1e6, "%.1f"),
                     ">= %g" % (STREAM_TARGET / 1e6) if target else "-",
                     ("yes" if rate >= STREAM_TARGET else "no") if target else "-"])
    md_table(["profile", "values", "seconds", "CPU s", "M values/s", "M values/CPU s",
              "target (M/CPU s)", "met"], rows,
             ["the same generated batches go to the three profiles; only "
              "mlops_profile_add is timed"])


def cpu_shares(recs):
    """(label, CPU seconds over the wall seconds of the threads that could run) for every
    measurement whose threads run all the time: libmlops with one thread, the wide case
    (almost all of it in its threads) and the peer's whole process."""
    out = []
    for r in recs:
        case, name = r.get("case"), r["name"]
        if name == "libmlops" and case == "ks" and r.get("threads") == "1":
            out.append(("ks libmlops 1 thread", num(r, "cpu_s") / num(r, "seconds")))
        elif name == "libmlops" and case in ("wide", "wide_small"):
            out.append(("%s libmlops" % case,
                        num(r, "cpu_s") / (num(r, "seconds") * num(r, "threads"))))
        elif name == "libmlops" and case == "stream":
            out.append(("stream " + r.get("variant", "?"), num(r, "cpu_s") / num(r, "seconds")))
        elif name == "scipy" and case == "ks":
            out.append(("ks peer", num(r, "whole_cpu_s") / num(r, "whole_s")))
    return [(label, share) for label, share in out if share == share]


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    recs = parse(argv[1])
    machine = next((r for r in recs if r["name"] == "machine"), {})
    cores = sorted({r["core"] for r in recs if "core" in r})
    print()
    print("## Drift-monitoring benchmark")
    print()
    print("%s cores; OpenBLAS kernel in every libmlops process: %s; OPENBLAS env: %s; peer: %s"
          % (machine.get("cores", "?"), ", ".join(cores) or "?",
             machine.get("openblas_env") or "(none)", machine.get("peer", "?")))
    if len(cores) > 1:
        print()
        print("WARNING: processes ran different OpenBLAS kernels")
    loads = [num(r, k) for r in recs for k in ("load", "load_start") if k in r]
    if loads:
        print()
        print("load average (1 min) during the run: %.1f .. %.1f (this benchmark's own "
              "threads included)" % (min(loads), max(loads)))
    # The load average lags and counts this benchmark's own threads, so contention is
    # judged by the CPU each measurement got: a thread that never waits for a core runs
    # its whole wall time.
    starved = ["%s (%.0f%%)" % (label, 100 * share) for label, share in cpu_shares(recs)
               if share < 0.9]
    if starved:
        print()
        print("WARNING: other work was running: these measurements got less than 90% of "
              "the cores they could use, so their wall times are too long; compare CPU "
              "seconds: " + ", ".join(starved))
    case_ks(recs)
    case_wide(recs)
    case_stream(recs)


if __name__ == "__main__":
    main(sys.argv)
