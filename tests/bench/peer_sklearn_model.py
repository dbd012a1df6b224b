#!/usr/bin/python3
"""Peer baselines of the model benchmark (tests/bench/run_model.sh): scikit-learn on the same
files libmlops reads. Every command prints one line of key=value pairs per measurement, with
the process's peak RSS and the OpenBLAS kernel NumPy runs on (Debian's NumPy uses the system
OpenBLAS through libblas.so.3, the same library libmlops links).

Objectives are printed in libmlops's normalization: mean loss + (l2/2)||w||^2 with
l2 = 1/(C*n), intercepts unpenalized. scikit-learn 1.2's lbfgs minimizes n times that
(C * sum of losses + ||w||^2 / 2 = C*n times it, divided by C), so its `tol` (a bound on the
largest gradient entry) is n times libmlops's `tol`.

usage: /usr/bin/python3 tests/bench/peer_sklearn_model.py fmnist DIR C
         the Fashion-MNIST multinomial fit of ../shared/bench/peer_sklearn_logreg.py (same
         settings: StandardScaler, LogisticRegression(C, lbfgs, tol=1e-6, max_iter=2000))
       ... logreg-binary DIR C SOLVER TOL1,TOL2,... COEF_PREFIX
         LogisticRegression(SOLVER, fit_intercept=False) on DIR/logit_1m.csv, one fit per tol
         (SOLVER lbfgs or newton-cholesky, whose objective and tol are scaled as libmlops's);
         writes COEF_PREFIX<tol>.txt ("0 w1 ... wp": intercept first, as bench-model writes)
       ... ridge DIR L2 COEF_FILE
         Ridge(solver='cholesky', alpha=L2*n) on DIR/ridge_1m.csv
       ... predict DIR ROWS REPS BREAST_CANCER.csv
         predict_proba timings: ROWS Fashion-MNIST test rows through a StandardScaler +
         LogisticRegression pipeline (raw input, the work libmlops's predict does) and through
         LogisticRegression alone on pre-scaled rows; single rows of breast_cancer through a
         pipeline
needs: python3-sklearn python3-pandas python3-numpy (Debian), run with /usr/bin/python3
"""
import ctypes
import resource
import sys
import time
import warnings

try:
    import numpy as np
    import pandas as pd
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
except ImportError as e:
    sys.exit("peer_sklearn_model.py: %s: apt-get install python3-sklearn python3-pandas "
             "python3-numpy (and run it with /usr/bin/python3)" % e)


def core():
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return "unknown"


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tail():
    return "peak_rss_MB=%.1f core=%s" % (rss_mb(), core())


def logistic_objective(X, s, w, l2):
    """mean log(1 + exp(-s * Xw)) + (l2/2)||w||^2 for s in {-1, +1}."""
    return np.mean(np.logaddexp(0.0, -s * (X @ w))) + 0.5 * l2 * np.dot(w, w)


def fmnist(d, C):
    tr = pd.read_csv(f"{d}/fmnist_train.csv")
    te = pd.read_csv(f"{d}/fmnist_test.csv")
    Xtr = tr.drop(columns="label").to_numpy(float)
    ytr = tr["label"].to_numpy()
    Xte = te.drop(columns="label").to_numpy(float)
    yte = te["label"].to_numpy()
    sc = StandardScaler().fit(Xtr)
    Xtr = sc.transform(Xtr)
    Xte = sc.transform(Xte)
    t, c = time.perf_counter(), time.process_time()
    m = LogisticRegression(C=C, max_iter=2000, tol=1e-6).fit(Xtr, ytr)
    el, cpu = time.perf_counter() - t, time.process_time() - c
    P = m.predict_proba(Xtr)
    n = len(ytr)
    obj = -np.mean(np.log(P[np.arange(n), ytr])) + 0.5 / (C * n) * np.sum(m.coef_ ** 2)
    print("sklearn-lbfgs C=%g tol=1e-6 fit_s=%.3f fit_cpu_s=%.3f iters=%d test_acc=%.4f "
          "objective=%.12g %s" % (C, el, cpu, m.n_iter_[0], m.score(Xte, yte), obj, tail()),
          flush=True)


def logreg_binary(d, C, solver, tols, prefix):
    t, c = time.perf_counter(), time.process_time()
    frame = pd.read_csv(f"{d}/logit_1m.csv")
    y = frame.pop("y").to_numpy()
    X = frame.to_numpy(float)
    del frame
    load, load_cpu = time.perf_counter() - t, time.process_time() - c
    n = X.shape[0]
    s = np.where(y == 1, 1.0, -1.0)
    for tol in tols.split(","):
        t, c = time.perf_counter(), time.process_time()
        m = LogisticRegression(C=C, fit_intercept=False, solver=solver, tol=float(tol),
                               max_iter=100000).fit(X, y)
        fit, cpu = time.perf_counter() - t, time.process_time() - c
        w = m.coef_.ravel()
        path = "%s%s.txt" % (prefix, tol)
        with open(path, "w") as f:
            f.write("0 " + " ".join(repr(float(v)) for v in w) + "\n")
        print("sklearn-%s tol=%s load_s=%.3f load_cpu_s=%.3f fit_s=%.3f fit_cpu_s=%.3f iters=%d "
              "objective=%.12g coef=%s %s" % (solver, tol, load, load_cpu, fit, cpu, m.n_iter_[0],
                              logistic_objective(X, s, w, 1.0 / (C * n)), path, tail()),
              flush=True)


def ridge(d, l2, path):
    t, c = time.perf_counter(), time.process_time()
    frame = pd.read_csv(f"{d}/ridge_1m.csv")
    y = frame.pop("y").to_numpy(float)
    X = frame.to_numpy(float)
    del frame
    load, load_cpu = time.perf_counter() - t, time.process_time() - c
    n = X.shape[0]
    t, c = time.perf_counter(), time.process_time()
    m = Ridge(alpha=l2 * n, solver="cholesky").fit(X, y)
    fit, cpu = time.perf_counter() - t, time.process_time() - c
    with open(path, "w") as f:
        f.write(" ".join(repr(float(v)) for v in [m.intercept_] + list(m.coef_)) + "\n")
    print("sklearn-ridge alpha=%g load_s=%.3f load_cpu_s=%.3f fit_s=%.3f fit_cpu_s=%.3f coef=%s %s"
          % (l2 * n, load, load_cpu, fit, cpu, path, tail()), flush=True)


def best_of(reps, fn):
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def predict(d, rows, reps, bc_path):
    warnings.simplefilter("ignore", ConvergenceWarning)
    tr = pd.read_csv(f"{d}/fmnist_train.csv")
    te = pd.read_csv(f"{d}/fmnist_test.csv")
    Xtr = tr.drop(columns="label").to_numpy(float)
    ytr = tr["label"].to_numpy()
    Xte = te.drop(columns="label").to_numpy(float)[:rows]
    # 30 iterations, as bench-model: the prediction cost does not depend on convergence
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=30)).fit(Xtr, ytr)
    scaled = pipe[0].transform(Xte)
    lr = pipe[-1]
    pipe.predict_proba(Xte)
    t_pipe = best_of(reps, lambda: pipe.predict_proba(Xte))
    t_lr = best_of(reps, lambda: lr.predict_proba(scaled))
    print("sklearn predict_proba rows=%d classes=%d pipeline_ms=%.3f prescaled_ms=%.3f "
          "(best of %d) %s" % (len(Xte), len(lr.classes_), t_pipe * 1e3, t_lr * 1e3, reps, tail()),
          flush=True)
    bc = pd.read_csv(bc_path)
    yb = bc.pop("target").to_numpy()
    Xb = bc.to_numpy(float)
    bpipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(Xb, yb)
    calls = 2000
    per = best_of(5, lambda: [bpipe.predict_proba(Xb[i % len(Xb):i % len(Xb) + 1])
                              for i in range(calls)]) / calls
    one = Xb[:1]
    lrb = bpipe[-1]
    sb = bpipe[0].transform(one)
    per_lr = best_of(5, lambda: [lrb.predict_proba(sb) for _ in range(calls)]) / calls
    print("sklearn predict_proba_row rows=1 inputs=%d pipeline_ns=%.0f prescaled_ns=%.0f "
          "(best of 5 x %d calls) %s" % (Xb.shape[1], per * 1e9, per_lr * 1e9, calls, tail()),
          flush=True)


def main(argv):
    if len(argv) >= 2 and argv[1] == "fmnist" and len(argv) == 4:
        fmnist(argv[2], float(argv[3]))
    elif len(argv) == 7 and argv[1] == "logreg-binary":
        logreg_binary(argv[2], float(argv[3]), argv[4], argv[5], argv[6])
    elif len(argv) == 5 and argv[1] == "ridge":
        ridge(argv[2], float(argv[3]), argv[4])
    elif len(argv) == 6 and argv[1] == "predict":
        predict(argv[2], int(argv[3]), int(argv[4]), argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
