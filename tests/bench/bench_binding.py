#!/usr/bin/python3
"""Benchmark of the Python binding (bindings/python/mlops), run by
tests/bench/run_binding.sh (normally through `bash tests/bench/run.sh binding`).
Both comparisons are made in the same run, one after the other:

  a  single-row prediction: Model.predict_row(row, "proba") through the
     binding (its fastest path for one row: mlops_model_predict_row) against
     scikit-learn's predict_proba on one row, for a standardized logistic
     regression on breast_cancer (30 inputs). Best of 5 x CALLS calls each.
     Target: under 10 microseconds per call.
  b  batch prediction: Model.predict_proba(X) on 10,000 Fashion-MNIST test
     rows held in a float64 NumPy array, against the same call made from C
     (bench-predict-file: mlops_model_predict_matrix on the same saved model
     and the same rows, written as raw doubles), run as a child process so it
     inherits this process's OPENBLAS_* environment. Three rounds of C then
     Python, best of REPS each. Target: binding within 1.2x of C.

Every measurement is printed as one line of key=value pairs; a summary with
the ratios and targets follows.

usage: /usr/bin/python3 tests/bench/bench_binding.py BUILD_DIR DATA_DIR [CALLS [REPS]]
  BUILD_DIR  a build with lib/libmlops.so and tests/bench/bench-predict-file
  DATA_DIR   holds fmnist_train.csv and fmnist_test.csv (make_fmnist_csv.py)
  CALLS      single-row calls per timing (default 200000; scikit-learn: 2000)
  REPS       batch timings per round (default 20)
needs: python3-numpy, python3-sklearn
"""
import ctypes
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

try:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
except ImportError as e:
    sys.exit("bench_binding.py: needs NumPy and scikit-learn (%s): "
             "apt-get install python3-numpy python3-sklearn" % e)

SINGLE_TARGET_US = 10.0
BATCH_TARGET_RATIO = 1.2
BATCH_ROWS = 10000


def best_of(reps, fn):
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def load():
    return os.getloadavg()[0]


def single_row(mlops, calls):
    """Case a; returns (binding ns per call, scikit-learn ns per call)."""
    path = os.path.join(ROOT, "tests", "data", "real", "breast_cancer.csv")
    with mlops.Dataset.read_csv(path, {"role.target": "target"}) as ds:
        chain = mlops.Transform()
        chain.add("standardize", "*")
        model = mlops.Model("logistic_regression", transform=chain).fit(ds)
        X = ds.to_matrix(model.inputs)
        y = ds.column("target")
    rows = [np.ascontiguousarray(X[i]) for i in range(len(X))]
    lists = [r.tolist() for r in rows]
    n = len(rows)
    predict_row = model.predict_row
    out = np.empty(2)

    def numpy_rows():
        for c in range(calls):
            predict_row(rows[c % n], "proba")

    def numpy_rows_out():
        for c in range(calls):
            predict_row(rows[c % n], "proba", out)

    def list_rows():
        for c in range(calls):
            predict_row(lists[c % n], "proba")

    general_calls = max(calls // 10, 1)

    def general():
        for c in range(general_calls):
            model.predict_proba(X[c % n:c % n + 1])

    ours = {}
    for name, fn, k in (("numpy_row", numpy_rows, calls), ("numpy_row_out", numpy_rows_out, calls),
                        ("list_row", list_rows, calls),
                        ("predict_proba_1x30", general, general_calls)):
        ours[name] = best_of(5, fn) / k * 1e9
    checksum = sum(float(model.predict_row(r, "proba")[1]) for r in rows)
    print("binding predict_row rows=%d inputs=%d calls=%d numpy_ns=%.0f numpy_out_ns=%.0f "
          "list_ns=%.0f predict_proba_1row_ns=%.0f (best of 5) checksum=%.6g load=%.2f"
          % (n, X.shape[1], calls, ours["numpy_row"], ours["numpy_row_out"], ours["list_row"],
             ours["predict_proba_1x30"], checksum, load()), flush=True)

    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    sk_calls = 2000
    per = best_of(5, lambda: [pipe.predict_proba(X[i % n:i % n + 1])
                              for i in range(sk_calls)]) / sk_calls
    lr, scaled = pipe[-1], pipe[0].transform(X)
    per_lr = best_of(5, lambda: [lr.predict_proba(scaled[i % n:i % n + 1])
                                 for i in range(sk_calls)]) / sk_calls
    print("sklearn predict_proba_row rows=1 inputs=%d pipeline_ns=%.0f prescaled_ns=%.0f "
          "(best of 5 x %d calls) load=%.2f" % (X.shape[1], per * 1e9, per_lr * 1e9, sk_calls,
                                               load()), flush=True)
    model.close()
    return ours["numpy_row"], per * 1e9, per_lr * 1e9


def batch(mlops, build, data, reps):
    """Case b; returns (binding ms, C ms)."""
    work = os.path.join(build, "binding-bench")
    os.makedirs(work, exist_ok=True)
    model_path = os.path.join(work, "fmnist_30.mlops")
    x_path = os.path.join(work, "fmnist_test_%d.f64" % BATCH_ROWS)
    t0 = time.perf_counter()
    with mlops.Dataset.read_csv(os.path.join(data, "fmnist_train.csv"),
                                {"role.label": "target"}) as train:
        chain = mlops.Transform()
        chain.add("standardize", "*")
        # 30 iterations, as bench-model: the prediction cost does not depend on convergence
        model = mlops.Model("logistic_regression", transform=chain, max_iter=30).fit(train)
    model.save(model_path)
    with mlops.Dataset.read_csv(os.path.join(data, "fmnist_test.csv"),
                                {"role.label": "target"}) as test:
        X = np.ascontiguousarray(test.to_matrix(model.inputs)[:BATCH_ROWS])
    X.tofile(x_path)
    print("# batch setup (read, fit 30 iterations, save) took %.1f s"
          % (time.perf_counter() - t0), file=sys.stderr, flush=True)
    rows, cols = X.shape
    timer = os.path.join(build, "tests", "bench", "bench-predict-file")
    best_py = best_c = float("inf")
    proba = model.predict_proba(X)  # warm-up
    weighted = float((proba * np.arange(proba.shape[1])).sum())
    checksum = "%.9g" % weighted
    same = True
    for rnd in range(3):
        line = subprocess.run([timer, model_path, x_path, str(rows), str(cols), str(reps)],
                              check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
        print(line + " round=%d load=%.2f" % (rnd, load()), flush=True)
        best_c = min(best_c, float(line.split(" ms=")[1].split()[0]))
        theirs = float(line.split("expected_class_sum=")[1].split()[0])
        same = same and abs(theirs - weighted) <= 1e-8 * abs(weighted)
        t = best_of(reps, lambda: model.predict_proba(X))
        best_py = min(best_py, t * 1e3)
        print("binding predict_proba rows=%d inputs=%d classes=%d ms=%.3f reps=%d "
              "expected_class_sum=%s core=%s round=%d load=%.2f"
              % (rows, cols, proba.shape[1], t * 1e3, reps, checksum, corename(mlops),
                 rnd, load()), flush=True)
    model.close()
    return best_py, best_c, same


def corename(mlops):
    """The OpenBLAS kernel of this process, from the OpenBLAS libmlops links."""
    fn = mlops._native.lib["openblas_get_corename"]
    fn.restype = ctypes.c_char_p
    return fn().decode()


def verdict(ok):
    return "PASS" if ok else "MISS"


def main(argv):
    if len(argv) not in (3, 4, 5):
        sys.exit(__doc__)
    build, data = argv[1], argv[2]
    calls = int(argv[3]) if len(argv) > 3 else 200000
    reps = int(argv[4]) if len(argv) > 4 else 20
    os.environ.setdefault("MLOPS_LIBRARY", os.path.join(build, "lib", "libmlops.so"))
    sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
    import mlops

    env = " ".join("%s=%s" % kv for kv in sorted(os.environ.items())
                   if kv[0].startswith("OPENBLAS_")) or "(none)"
    print("machine cores=%d core=%s python=%s numpy=%s openblas_env=%s load=%.2f"
          % (os.cpu_count(), corename(mlops), sys.version.split()[0], np.__version__,
             env.replace(" ", ","), load()), flush=True)
    row_ns, sk_ns, sk_pre_ns = single_row(mlops, calls)
    py_ms, c_ms, same = batch(mlops, build, data, reps)

    print()
    print("binding benchmark: OpenBLAS kernel %s; OPENBLAS env: %s" % (corename(mlops), env))
    print("  a  single row (breast_cancer, 30 inputs, predict_proba): binding predict_row "
          "%.2f us, scikit-learn pipeline %.1f us (pre-scaled %.1f us): %.0fx faster; "
          "target < %g us %s" % (row_ns / 1e3, sk_ns / 1e3, sk_pre_ns / 1e3, sk_ns / row_ns,
                                 SINGLE_TARGET_US, verdict(row_ns / 1e3 < SINGLE_TARGET_US)))
    ratio = py_ms / c_ms
    print("  b  %d Fashion-MNIST rows (784 inputs, 10 classes) from NumPy: binding %.2f ms, "
          "C %.2f ms: %.2fx; target <= %gx %s; results (checksum of every probability) %s"
          % (BATCH_ROWS, py_ms, c_ms, ratio, BATCH_TARGET_RATIO,
             verdict(ratio <= BATCH_TARGET_RATIO), "equal" if same else "DIFFER"))


if __name__ == "__main__":
    main(sys.argv)
