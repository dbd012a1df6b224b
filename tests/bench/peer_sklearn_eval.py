#!/usr/bin/python3
"""Peer of the evaluation benchmark (tests/bench/run_eval.sh): scikit-learn computing the
metrics libmlops's evaluator reports, on the same prediction files (make_eval_data.py),
called the ordinary way. Each command prints one line of key=value pairs with the process's
peak RSS and the OpenBLAS kernel NumPy runs on (Debian's NumPy uses the system OpenBLAS,
the library libmlops links).

The work of one evaluation ("all metrics"), as libmlops's mlops_evaluator_run_arrays does it
with task=classification, metrics=all, group=group:
  overall: accuracy_score, balanced_accuracy_score, precision_recall_fscore_support with
    average binary, macro, weighted, micro and None (per class; one call per average gives
    precision, recall and f1 together, fewer calls than precision_score + recall_score +
    f1_score), matthews_corrcoef, roc_auc_score, average_precision_score, log_loss,
    brier_score_loss, confusion_matrix (selection rate, true and false positive rate) and
    the expected calibration error (NumPy: 10 uniform bins, as calibration_curve bins);
    the curves roc_curve, precision_recall_curve, calibration_curve(n_bins=10)
  per group (5 levels): the same scalar metrics on the group's rows (boolean mask), then
    max - min and min / max of each metric over the groups (Fairlearn's aggregates)
The bootstrap: one evaluation as above, then B resamples drawn with
np.random.default_rng(seed).integers(0, n, n), the scalar metrics recomputed on each
(y[idx], ...), and the 2.5/97.5 percentiles and standard deviation of each metric (those
of accuracy, roc_auc and log_loss are printed, to set beside libmlops's).

usage: /usr/bin/python3 tests/bench/peer_sklearn_eval.py all DATA.csv REPS VALUES_OUT
         times one evaluation, best of REPS; writes the overall and per-group values to
         VALUES_OUT ("name value" lines, named as libmlops's report names them)
       ... bootstrap DATA.csv B SEED MAX_SECONDS
         times one evaluation plus B resamples; when the first 50 resamples show that
         all B would take longer than MAX_SECONDS, stops there and extrapolates the
         resampling time linearly (the output says extrapolated=1)
needs: python3-sklearn python3-pandas python3-numpy (Debian), run with /usr/bin/python3
"""
import ctypes
import resource
import sys
import time

try:
    import numpy as np
    import pandas as pd
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import (accuracy_score, average_precision_score,
                                 balanced_accuracy_score, brier_score_loss, confusion_matrix,
                                 log_loss, matthews_corrcoef, precision_recall_curve,
                                 precision_recall_fscore_support, roc_auc_score, roc_curve)
except ImportError as e:
    sys.exit("peer_sklearn_eval.py: %s: apt-get install python3-sklearn python3-pandas "
             "python3-numpy (and run it with /usr/bin/python3)" % e)

BINS = 10
PILOT = 50
# intervals printed for a side-by-side look (the resamples differ, the spread should not)
INTERVALS = ("accuracy", "roc_auc", "log_loss")


def core():
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return "unknown"


def tail():
    return "peak_rss_MB=%.1f core=%s" % (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, core())


def load(path):
    # round_trip: the correctly rounded parse libmlops's reader does, so both see equal doubles
    d = pd.read_csv(path, float_precision="round_trip",
                    dtype={"y_true": np.int64, "y_pred": np.int64, "proba": np.float64,
                           "group": str})
    return (d["y_true"].to_numpy(), d["y_pred"].to_numpy(), d["proba"].to_numpy(),
            d["group"].to_numpy())


def scalars(y, yp, p):
    """The scalar metrics of one sample, by libmlops's names."""
    v = {}
    v["accuracy"] = accuracy_score(y, yp)
    v["balanced_accuracy"] = balanced_accuracy_score(y, yp)
    for avg, suffix in (("binary", ""), ("macro", "_macro"), ("weighted", "_weighted"),
                        ("micro", "_micro")):
        pr, rc, f1, _ = precision_recall_fscore_support(y, yp, average=avg, zero_division=0)
        v["precision" + suffix], v["recall" + suffix], v["f1" + suffix] = pr, rc, f1
    v["matthews_corrcoef"] = matthews_corrcoef(y, yp)
    tn, fp, fn, tp = confusion_matrix(y, yp, labels=[0, 1]).ravel()
    v["selection_rate"] = (tp + fp) / len(y)
    v["true_positive_rate"] = tp / (tp + fn)
    v["false_positive_rate"] = fp / (fp + tn)
    v["roc_auc"] = roc_auc_score(y, p)
    v["average_precision"] = average_precision_score(y, p)
    v["log_loss"] = log_loss(y, p)
    v["brier_score_loss"] = brier_score_loss(y, p)
    # calibration_curve's bins (np.searchsorted on the inner edges), weighted by rows
    ids = np.searchsorted(np.linspace(0.0, 1.0, BINS + 1)[1:-1], p)
    v["expected_calibration_error"] = np.sum(np.abs(
        np.bincount(ids, weights=p, minlength=BINS) -
        np.bincount(ids, weights=y, minlength=BINS))) / len(y)
    return v


def evaluate(y, yp, p, g):
    """One whole evaluation; returns the values to compare with libmlops's."""
    out = scalars(y, yp, p)
    pr, rc, f1, sup = precision_recall_fscore_support(y, yp, average=None, zero_division=0)
    for c in (0, 1):
        out["precision.%d" % c], out["recall.%d" % c] = pr[c], rc[c]
        out["f1.%d" % c], out["support.%d" % c] = f1[c], sup[c]
    confusion_matrix(y, yp)
    roc_curve(y, p)
    precision_recall_curve(y, p)
    calibration_curve(y, p, n_bins=BINS)
    per = {}
    for level in np.unique(g):
        m = g == level
        per[level] = scalars(y[m], yp[m], p[m])
        out["group=%s.count" % level] = float(np.count_nonzero(m))
        for name, value in per[level].items():
            out["group=%s.%s" % (level, name)] = value
    for name in per[next(iter(per))]:
        col = np.array([per[level][name] for level in per])
        out[name + ".group_difference.group"] = col.max() - col.min()
        out[name + ".group_ratio.group"] = col.min() / col.max()
    return out


def cmd_all(path, reps, values_out):
    y, yp, p, g = load(path)
    best, best_cpu = float("inf"), float("nan")
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        values = evaluate(y, yp, p, g)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        if wall < best:
            best, best_cpu = wall, cpu
    with open(values_out, "w") as f:
        for name, value in values.items():
            f.write("%s %r\n" % (name, float(value)))
    print("sklearn what=all rows=%d groups=%d seconds=%.4f cpu_s=%.4f reps=%d values=%d %s"
          % (len(y), len(np.unique(g)), best, best_cpu, reps, len(values), tail()), flush=True)


def cmd_bootstrap(path, resamples, seed, max_seconds):
    y, yp, p, g = load(path)
    n = len(y)
    t0, c0 = time.perf_counter(), time.process_time()
    evaluate(y, yp, p, g)
    eval_s, eval_cpu = time.perf_counter() - t0, time.process_time() - c0
    rng = np.random.default_rng(seed)
    rows = []
    t1, c1 = time.perf_counter(), time.process_time()
    done = 0
    extrapolated = False
    while done < resamples:
        idx = rng.integers(0, n, n)
        rows.append(scalars(y[idx], yp[idx], p[idx]))
        done += 1
        if done == PILOT and resamples > PILOT:
            if (time.perf_counter() - t1) / PILOT * resamples > max_seconds:
                extrapolated = True
                break
    names = list(rows[0])
    vals = np.array([[r[k] for k in names] for r in rows])
    low, high = np.percentile(vals, [2.5, 97.5], axis=0)
    std = np.std(vals, axis=0, ddof=1)
    boot_s = time.perf_counter() - t1
    boot_cpu = time.process_time() - c1
    if extrapolated:
        boot_s = boot_s / done * resamples
        boot_cpu = boot_cpu / done * resamples
    cpu_s = eval_cpu + boot_cpu
    print("sklearn what=bootstrap rows=%d resamples=%d timed_resamples=%d extrapolated=%d "
          "eval_s=%.4f resample_s=%.4f seconds=%.4f cpu_s=%.4f %s"
          % (n, resamples, done, int(extrapolated), eval_s, boot_s, eval_s + boot_s, cpu_s,
             tail()), flush=True)
    for name in INTERVALS:
        j = names.index(name)
        print("sklearn_interval metric=%s resamples=%d ci_low=%.6f ci_high=%.6f std=%.6f"
              % (name, done, low[j], high[j], std[j]), flush=True)


def main(argv):
    if len(argv) == 5 and argv[1] == "all":
        cmd_all(argv[2], int(argv[3]), argv[4])
    elif len(argv) == 6 and argv[1] == "bootstrap":
        cmd_bootstrap(argv[2], int(argv[3]), int(argv[4]), float(argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
