#!/usr/bin/python3
"""Prints the table of the evaluation benchmark from the lines run_eval.sh logged (key=value
pairs; see bench_eval.c and peer_sklearn_eval.py for their meaning): seconds of libmlops and
scikit-learn for each workload, their ratio from the same run, and whether libmlops met the
target; then whether the values agreed and the bootstrap intervals side by side.

usage: /usr/bin/python3 tests/bench/eval_report.py LOG
"""
import sys

from bench_log import num, parse, table

TARGETS = {"all": 1.0, "bootstrap": 5.0}
TITLES = {"all": "all metrics, 5 groups, 1,000,000 predictions",
          "bootstrap": "+ 1,000 bootstrap resamples, 100,000 predictions"}


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    recs = parse(argv[1])
    machine = next((r for r in recs if r["name"] == "machine"), {})
    cores = sorted({r["core"] for r in recs if "core" in r})
    print()
    print("evaluation benchmark: %s cores; OpenBLAS kernel in every process: %s; OPENBLAS env: "
          "%s" % (machine.get("cores", "?"), ", ".join(cores) or "?",
                  machine.get("openblas_env") or "(none)"))
    if len(cores) > 1:
        print("WARNING: processes ran different OpenBLAS kernels")
    loads = [num(r, "load") for r in recs if "load" in r]
    if loads:
        print("load average (1 min) during the run: %.1f .. %.1f" % (min(loads), max(loads)))
        # the benchmark's own process counts 1
        if max(loads) - 1 > 0.5 * num(machine, "cores"):
            print("WARNING: other work was running (load above half the cores): wall times are "
                  "disturbed; the CPU seconds are steadier (libmlops's evaluation is "
                  "single-threaded: on an idle machine its wall time is its CPU time)")
    rows, notes = [], []
    for case in ("all", "bootstrap"):
        ours = next((r for r in recs if r.get("case") == case and r["name"] == "libmlops"), None)
        peer = next((r for r in recs if r.get("case") == case and r["name"] == "sklearn"), None)
        if not ours or not peer:
            continue
        o, p, target = num(ours, "seconds"), num(peer, "seconds"), TARGETS[case]
        extra = " (extrapolated)" if peer.get("extrapolated") == "1" else ""
        oc, pc = num(ours, "cpu_s"), num(peer, "cpu_s")
        rows.append([TITLES[case], "%.3f" % o, "%.3f" % oc, "%.2f%s" % (p, extra),
                     "%.2f" % pc, "%.1fx" % (p / o), "%.1fx" % (pc / oc), "< %g s" % target,
                     "yes" if o < target else "no", "yes" if oc < target else "no"])
        notes.append("%s: libmlops peak RSS during the runs %.0f MB (%.0f MB before them, data "
                     "included); scikit-learn process peak %.0f MB"
                     % (case, num(ours, "eval_peak_rss_MB"), num(ours, "rss_before_MB"),
                        num(peer, "peak_rss_MB")))
        if extra:
            notes.append("bootstrap: scikit-learn's resampling time is %d x the time of its "
                         "first %s resamples (%.1f s for one evaluation plus %.1f s for "
                         "resampling, linear extrapolation)"
                         % (num(peer, "resamples") / num(peer, "timed_resamples"),
                            peer.get("timed_resamples"), num(peer, "eval_s"),
                            num(peer, "resample_s")))
    print()
    print("libmlops mlops_evaluator_run_arrays vs scikit-learn, same run, same data "
          "(seconds: best of 3; scikit-learn bootstrap: one run; cpu: CPU seconds of that run)")
    table(["workload", "libmlops s", "cpu s", "scikit-learn s", "cpu s", "sklearn/ours",
           "cpu ratio", "target", "met", "met (cpu)"], rows)
    for n in notes:
        print("  " + n)

    summary = next((r for r in recs if r["name"] == "check_summary"), None)
    checks = [r for r in recs if r["name"] == "check"]
    print()
    if summary:
        ok = summary.get("mismatches") == "0" and summary.get("absent") == "0"
        print("values on the 1,000,000 rows: %s of scikit-learn's overall and per-group values "
              "compared, %s differ by more than %s relative, %s absent from the report, largest "
              "relative difference %s (%s): %s"
              % (summary.get("compared"), summary.get("mismatches"), summary.get("tolerance"),
                 summary.get("absent"), summary.get("max_rel_diff"), summary.get("worst"),
                 "EQUAL WORK" if ok else "MISMATCH: the timings may not compare equal work"))
    if checks:
        table(["value", "libmlops", "scikit-learn", "rel diff", "equal"],
              [[c.get("metric"), c.get("libmlops"), c.get("sklearn"), c.get("rel_diff", "-"),
                c.get("equal", "-")] for c in checks])
    ours_i = {r.get("metric"): r for r in recs if r["name"] == "libmlops_interval"}
    peer_i = {r.get("metric"): r for r in recs if r["name"] == "sklearn_interval"}
    both = [m for m in ours_i if m in peer_i]
    if both:
        print()
        print("bootstrap intervals (95%, percentile) on the 100,000 rows: other resamples on "
              "each side (libmlops's generator, NumPy's), so close but not equal")
        table(["metric", "libmlops ci", "libmlops std", "scikit-learn ci", "scikit-learn std",
               "sklearn resamples"],
              [[m, "[%s, %s]" % (ours_i[m].get("ci_low"), ours_i[m].get("ci_high")),
                ours_i[m].get("std"),
                "[%s, %s]" % (peer_i[m].get("ci_low"), peer_i[m].get("ci_high")),
                peer_i[m].get("std"), peer_i[m].get("resamples")] for m in both])


if __name__ == "__main__":
    main(sys.argv)
