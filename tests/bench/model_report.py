#!/usr/bin/python3
"""Prints the tables of the model benchmark from the measurement lines run_model.sh logged
(key=value pairs; see bench_model.c and peer_sklearn_model.py for their meaning), judging
every solution by one formula so that libraries are compared at equal objective rather than
by their own stopping rules: for case b each coefficient file (libmlops, scikit-learn, or a
liblinear-train model, whose w belongs to the first label of its "label" line) is scored as
mean log(1 + exp(-s x.w)) + (l2/2)||w||^2, l2 = 1/(C n), s = +1 for y = 1 else -1.

usage: /usr/bin/python3 tests/bench/model_report.py LOG DATA_DIR
needs: python3-numpy
"""
import sys

from bench_log import num, parse, table as plain_table

try:
    import numpy as np
except ImportError:
    sys.exit("model_report.py: needs NumPy: apt-get install python3-numpy")

C_B = 1.0         # must match run_model.sh case b
OBJ_TOL_A = 1e-6  # case a: objective at most this much above scikit-learn's
REL_TOL_B = 1e-6  # case b: objective within this relative distance of the best found
COEF_TOL_C = 1e-9


def table(title, head, rows, notes=()):
    plain_table(head, rows, title, notes)


def verdict(ok):
    return "PASS" if ok else "MISS"


def case_a(recs):
    peer = [r for r in recs if r.get("case") == "a" and r["name"].startswith("sklearn")]
    ours = [r for r in recs if r.get("case") == "a" and r["name"] == "libmlops"]
    if not peer or not ours:
        return
    p = peer[0]
    p_obj, p_fit, p_acc = num(p, "objective"), num(p, "fit_s"), num(p, "test_acc")
    ok = lambda r: num(r, "objective") - p_obj <= OBJ_TOL_A and num(r, "test_acc") >= p_acc
    chosen = {}
    for r in ours:
        if ok(r) and (r["solver"] not in chosen or num(r, "fit_s") < num(chosen[r["solver"]], "fit_s")):
            chosen[r["solver"]] = r
    p_cpu = num(p, "fit_cpu_s")
    rows = [["scikit-learn lbfgs", "lbfgs", p.get("tol", "1e-6") + " (x n)", "%.2f" % p_fit,
             "%.2f" % p_cpu, p.get("iters"), "%.9f" % p_obj, "0", "%.4f" % p_acc,
             "%.0f" % num(p, "whole_rss_MB"), "1.00", "1.00"]]
    for r in ours:
        mark = " *" if chosen.get(r["solver"]) is r else ""
        rows.append(["libmlops " + r["solver"] + mark, r.get("ran"), r.get("tol"),
                     "%.2f" % num(r, "fit_s"), "%.2f" % num(r, "fit_cpu_s"), r.get("iters"),
                     "%.9f" % num(r, "objective"), "%+.1e" % (num(r, "objective") - p_obj),
                     "%.4f" % num(r, "test_acc"), "%.0f" % num(r, "whole_rss_MB"),
                     "%.2f" % (p_fit / num(r, "fit_s")), "%.2f" % (p_cpu / num(r, "fit_cpu_s"))])
    best = min(chosen.values(), key=lambda r: num(r, "fit_s")) if chosen else None
    notes = ["* fastest run of that solver setting with objective <= scikit-learn's + %g and "
             "test accuracy >= scikit-learn's" % OBJ_TOL_A,
             "objective: mean cross-entropy + (l2/2)||W||^2, l2 = 1/(C n) = %.6g; fit_s of "
             "libmlops includes fitting its standardize chain, scikit-learn's excludes "
             "StandardScaler; peak RSS is the whole process's" % num(ours[0], "l2")]
    if best:
        ratio = p_fit / num(best, "fit_s")
        notes.append("target >= 5x faster than scikit-learn at equal objective: %.1fx wall "
                     "(%.1fx CPU) (libmlops %s, tol %s) %s"
                     % (ratio, p_cpu / num(best, "fit_cpu_s"), best["solver"], best["tol"],
                        verdict(ratio >= 5)))
    else:
        notes.append("target >= 5x: MISS (no libmlops run reached scikit-learn's objective "
                     "within %g with accuracy not lower)" % OBJ_TOL_A)
    table("case a: Fashion-MNIST multinomial logistic regression (60,000 x 784, 10 classes, "
          "standardized, C = 1e-3)",
          ["implementation", "ran", "tol", "fit s", "fit cpu s", "iters", "objective",
           "obj - sklearn", "test acc", "RSS MB", "sklearn/ours", "cpu ratio"], rows, notes)


def read_coef(path):
    with open(path) as f:
        lines = f.read().split("\n")
    if lines[0].startswith("solver_type"):
        head, i = {}, 0
        while lines[i].strip() != "w":
            key, _, value = lines[i].partition(" ")
            head[key] = value.split()
            i += 1
        if head.get("bias", ["-1"])[0] != "-1":
            sys.exit("%s: a model with a bias term is not comparable" % path)
        w = np.array([float(v.split()[0]) for v in lines[i + 1:] if v.strip()])
        return 0.0, (1.0 if float(head["label"][0]) > 0 else -1.0) * w
    values = np.array([float(v) for v in lines[0].split()])
    return values[0], values[1:]


def case_b(recs, data):
    recs = [r for r in recs if r.get("case") == "b"]
    runs = [r for r in recs if "coef" in r or "model" in r]
    if not runs:
        return
    X = np.load(data + "/logit_1m_X.npy")
    y = np.load(data + "/logit_1m_y.npy")
    s = np.where(y == 1, 1.0, -1.0)
    n = X.shape[0]
    l2 = 1.0 / (C_B * n)
    self_check = 0.0
    for r in runs:
        b, w = read_coef(r.get("coef") or r.get("model"))
        if b != 0.0 or w.shape[0] != X.shape[1]:
            sys.exit("%s: expected %d coefficients and no intercept" % (r.get("coef"), X.shape[1]))
        r["obj"] = np.mean(np.logaddexp(0.0, -s * (X @ w))) + 0.5 * l2 * np.dot(w, w)
        if r["name"] == "libmlops":
            r["group"] = "libmlops " + r["solver"] + (
                ", no fingerprint" if r.get("fingerprint") == "false" else "")
            r["setting"] = "tol " + r["tol"]
            r["fit"], r["whole"], r["rss"] = num(r, "fit_s"), num(r, "whole_s"), num(r, "whole_rss_MB")
            r["fit_cpu"], r["whole_cpu"] = num(r, "fit_cpu_s"), num(r, "whole_cpu_s")
            self_check = max(self_check, abs(num(r, "objective") - r["obj"]) / r["obj"])
        elif r["name"] == "liblinear":
            r["group"], r["setting"] = "liblinear -s 0", "eps " + r["eps"]
            r["whole"], r["rss"] = num(r, "whole_s"), num(r, "whole_rss_MB")
            r["fit"], r["fit_cpu"] = num(r, "train_s"), num(r, "train_cpu_s")
            r["whole_cpu"] = num(r, "whole_cpu_s")
        else:
            r["group"] = "scikit-learn " + r["name"].split("-", 1)[1]
            r["setting"] = "tol " + r["tol"]
            r["fit"], r["whole"] = num(r, "fit_s"), num(r, "load_s") + num(r, "fit_s")
            r["fit_cpu"] = num(r, "fit_cpu_s")
            r["whole_cpu"] = num(r, "load_cpu_s") + num(r, "fit_cpu_s")
            r["rss"] = num(r, "peak_rss_MB")
    best_obj = min(r["obj"] for r in runs)
    chosen = {}
    for r in runs:
        r["rel"] = (r["obj"] - best_obj) / best_obj
        g = r["group"]
        if r["rel"] <= REL_TOL_B and (g not in chosen or r["whole"] < chosen[g]["whole"]):
            chosen[g] = r
    rows = []
    for r in runs:
        rows.append([r["group"] + (" *" if chosen.get(r["group"]) is r else ""), r["setting"],
                     "%.2f" % r["fit"], "%.2f" % r["fit_cpu"], "%.2f" % r["whole"],
                     "%.2f" % r["whole_cpu"], r.get("iters", "-"),
                     "%.12f" % r["obj"], "%.1e" % r["rel"], "%.0f" % r["rss"]])
    notes = ["* fastest run of that implementation with objective within %g (relative) of the "
             "best objective found by any run" % REL_TOL_B,
             "objective recomputed for every solution with NumPy: mean log-loss + (l2/2)||w||^2, "
             "l2 = 1/(C n) = %.3g (liblinear's objective is C n times it); libmlops's own "
             "reported objective agrees to %.1e relative" % (l2, self_check),
             "fit s: libmlops mlops_model_fit(); liblinear its train() (timed inside "
             "liblinear-train by liblinear-timer.so); scikit-learn LogisticRegression.fit()",
             "whole s: libmlops and liblinear the whole process (CSV resp. LIBSVM parsing "
             "included); scikit-learn pandas.read_csv + fit (interpreter start excluded); "
             "cpu: CPU seconds of all threads"]
    for variant, pick in [("default settings", lambda g: "fingerprint" not in g),
                          ("fingerprint=false", lambda g: "fingerprint" in g)]:
        ours = [r for g, r in chosen.items() if g.startswith("libmlops") and pick(g)]
        if not ours:
            notes.append("libmlops, %s: no run reached an objective within %g of the best: MISS"
                         % (variant, REL_TOL_B))
            continue
        fit_best = min(ours, key=lambda r: r["fit"])
        whole_best = min(ours, key=lambda r: r["whole"])
        for g, target, label in [("liblinear -s 0", 2.0, "liblinear"),
                                 ("scikit-learn lbfgs", 1.0, "scikit-learn lbfgs")]:
            if g not in chosen:
                notes.append("%s reached no objective within %g of the best" % (label, REL_TOL_B))
                continue
            pf = chosen[g]["fit"] / fit_best["fit"]
            pw = chosen[g]["whole"] / whole_best["whole"]
            cf = chosen[g]["fit_cpu"] / min(r["fit_cpu"] for r in ours)
            cw = chosen[g]["whole_cpu"] / min(r["whole_cpu"] for r in ours)
            notes.append("libmlops (%s, best %s) vs %s: fit %.2fx, whole process %.2fx faster "
                         "(CPU time: %.2fx, %.2fx) (target %s %gx: fit %s, whole %s)"
                         % (variant, fit_best["group"].split(",")[0].split()[1], label, pf, pw,
                            cf, cw, ">=" if target > 1 else ">", target,
                            verdict(pf >= target if target > 1 else pf > 1),
                            verdict(pw >= target if target > 1 else pw > 1)))
    table("case b: binary logistic regression, 1,000,000 x 50 dense, no intercept, C = %g"
          % C_B, ["implementation", "setting", "fit s", "fit cpu", "whole s", "whole cpu",
                  "iters", "objective", "rel to best", "RSS MB"], rows, notes)


def case_c(recs):
    ours = [r for r in recs if r.get("case") == "c" and r["name"] == "libmlops"]
    peer = [r for r in recs if r.get("case") == "c" and r["name"].startswith("sklearn")]
    if not ours or not peer:
        return
    p = peer[0]
    bp, wp = read_coef(p["coef"])
    ref = np.concatenate([[bp], wp])
    p_fit, p_cpu = num(p, "fit_s"), num(p, "fit_cpu_s")
    p_whole, p_wcpu = num(p, "load_s") + p_fit, num(p, "load_cpu_s") + p_cpu
    rows = [["scikit-learn Ridge cholesky", "%.3f" % p_fit, "%.3f" % p_cpu, "%.2f" % p_whole,
             "%.2f" % p_wcpu, "%.0f" % num(p, "peak_rss_MB"), "-", "1.00", "1.00"]]
    notes = ["l2 = %s (scikit-learn alpha = l2 n = %s); both fit the unpenalized intercept"
             % (ours[0].get("l2"), p.get("alpha")),
             "whole s: libmlops the whole process (CSV read + fit); scikit-learn pandas.read_csv "
             "+ fit (interpreter start excluded)",
             "max rel diff: largest |ours - sklearn| / |sklearn| over intercept and coefficients"]
    for o in ours:
        bo, wo = read_coef(o["coef"])
        rel = np.max(np.abs(np.concatenate([[bo], wo]) - ref) / np.abs(ref))
        o_fit, o_cpu = num(o, "fit_s"), num(o, "fit_cpu_s")
        label = "libmlops cholesky" + (", no fingerprint" if o.get("fingerprint") == "false" else "")
        rows.append([label, "%.3f" % o_fit, "%.3f" % o_cpu, "%.2f" % num(o, "whole_s"),
                     "%.2f" % num(o, "whole_cpu_s"), "%.0f" % num(o, "whole_rss_MB"),
                     "%.1e" % rel, "%.2f" % (p_fit / o_fit), "%.2f" % (p_whole / num(o, "whole_s"))])
        notes.append("%s: coefficients within %g: %s; at least as fast (fit): %.2fx wall, "
                     "%.2fx CPU %s" % (label, COEF_TOL_C, verdict(rel <= COEF_TOL_C),
                                       p_fit / o_fit, p_cpu / o_cpu, verdict(p_fit >= o_fit)))
    table("case c: ridge regression, 1,000,000 x 100 dense",
          ["implementation", "fit s", "fit cpu", "whole s", "whole cpu", "RSS MB",
           "max rel diff", "fit peer/ours", "whole peer/ours"], rows, notes)


def case_d(recs):
    d = [r for r in recs if r.get("case") == "d"]
    row = next((r for r in d if "ns_per_call" in r), None)
    batch = next((r for r in d if r["name"] == "libmlops" and "ms" in r), None)
    sk_batch = next((r for r in d if "pipeline_ms" in r), None)
    sk_row = next((r for r in d if "pipeline_ns" in r), None)
    if not (row and batch and sk_batch and sk_row):
        return
    ns = num(row, "ns_per_call")
    ms = num(batch, "ms")
    rows = [["single row, breast_cancer (30 inputs)", "%.0f ns" % ns,
             "%.0f ns" % num(sk_row, "pipeline_ns"), "%.0f ns" % num(sk_row, "prescaled_ns"),
             "%.0fx" % (num(sk_row, "pipeline_ns") / ns),
             "%.0fx" % (num(sk_row, "prescaled_ns") / ns)],
            ["10,000 Fashion-MNIST rows (784 inputs)", "%.2f ms" % ms,
             "%.2f ms" % num(sk_batch, "pipeline_ms"), "%.2f ms" % num(sk_batch, "prescaled_ms"),
             "%.1fx" % (num(sk_batch, "pipeline_ms") / ms),
             "%.1fx" % (num(sk_batch, "prescaled_ms") / ms)]]
    r_pipe = num(sk_batch, "pipeline_ms") / ms
    notes = ["probabilities from raw rows: libmlops replays its standardize chain "
             "(mlops_model_predict_row / mlops_model_predict_matrix, row-major doubles); "
             "'pipeline' is scikit-learn StandardScaler + LogisticRegression on the same raw "
             "rows (the same work), 'pre-scaled' LogisticRegression alone on already scaled rows",
             "best of 5 x 1,000,000 calls (libmlops) and 5 x 2,000 calls (scikit-learn) for "
             "single rows; best of 20 for batches",
             "target single row < 1000 ns: %.0f ns %s" % (ns, verdict(ns < 1000)),
             "target batch >= 4x faster than scikit-learn: %.1fx vs the pipeline %s, %.1fx vs "
             "pre-scaled %s" % (r_pipe, verdict(r_pipe >= 4), num(sk_batch, "prescaled_ms") / ms,
                                verdict(num(sk_batch, "prescaled_ms") / ms >= 4))]
    table("case d: prediction (predict_proba)",
          ["workload", "libmlops", "sklearn pipeline", "sklearn pre-scaled",
           "pipeline/ours", "pre-scaled/ours"], rows, notes)


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    recs = parse(argv[1])
    machine = next((r for r in recs if r["name"] == "machine"), {})
    cores = sorted({r["core"] for r in recs if "core" in r})
    print()
    print("model benchmark: %s cores; OpenBLAS kernel in every process: %s; OPENBLAS env: %s"
          % (machine.get("cores", "?"), ", ".join(cores) or "?",
             machine.get("openblas_env") or "(none)"))
    if len(cores) > 1:
        print("WARNING: processes ran different OpenBLAS kernels; ratios are not comparable")
    loads = [num(r, "load") for r in recs if "load" in r]
    ncores = num(machine, "cores")
    if loads:
        print("load average (1 min) during the run: %.1f .. %.1f" % (min(loads), max(loads)))
        if max(loads) > 0.5 * ncores:
            print("WARNING: other work was running (load above half the cores): wall times are "
                  "disturbed; CPU-time columns and ratios are steadier")
    case_a(recs)
    case_b(recs, argv[2])
    case_c(recs)
    case_d(recs)


if __name__ == "__main__":
    main(sys.argv)
