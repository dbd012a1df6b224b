#!/usr/bin/python3
"""Writes the prediction files of the evaluation benchmark (tests/bench/run_eval.sh) into
OUTDIR, deterministically (NumPy PCG64 with fixed seeds), each once: nothing is rewritten
when a file exists.

  eval_1m.csv    1,000,000 rows
  eval_100k.csv  100,000 rows (drawn independently, another seed)

Columns: y_true (0/1), y_pred (1 when proba >= 0.5), proba (the model's probability of
class 1, written with exactly 3 decimals as a real model's output often is, so many rows
share a score: ties the ranking metrics must handle), group (one of five levels A..E of
unequal size, with different base rates and a slightly different score bias, so the
fairness figures are not all equal).

A row is drawn as: group g; latent z ~ N(mu_g, 1.6); y_true ~ Bernoulli(sigmoid(z));
proba = sigmoid(0.9 z + bias_g + N(0, 0.6^2)) rounded to 3 decimals and kept in
[0.001, 0.999] (so log_loss needs no clipping convention).

usage: /usr/bin/python3 tests/bench/make_eval_data.py OUTDIR
needs: python3-numpy (Debian)
"""
import os
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("make_eval_data.py: needs NumPy: apt-get install python3-numpy "
             "(and run it with /usr/bin/python3)")

GROUPS = np.array(list("ABCDE"))
SHARE = [0.35, 0.25, 0.20, 0.12, 0.08]
MU = np.array([0.0, -0.4, 0.3, -0.8, 0.5])
BIAS = np.array([0.0, 0.1, -0.1, 0.2, -0.2])
CHUNK = 100_000


def write(path, rows, seed):
    if os.path.exists(path):
        return
    rng = np.random.Generator(np.random.PCG64(seed))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("y_true,y_pred,proba,group\n")
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            g = rng.choice(len(SHARE), size=n, p=SHARE)
            z = MU[g] + 1.6 * rng.standard_normal(n)
            y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)
            s = 0.9 * z + BIAS[g] + 0.6 * rng.standard_normal(n)
            # the score in thousandths: written as text exactly, read back as the nearest double
            k = np.clip(np.rint(1000.0 / (1.0 + np.exp(-s))), 1, 999).astype(np.int64)
            pred = (k >= 500).astype(np.int64)
            f.write("".join("%d,%d,0.%03d,%s\n" % row
                            for row in zip(y.tolist(), pred.tolist(), k.tolist(),
                                           GROUPS[g].tolist())))
    os.replace(tmp, path)


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    write(os.path.join(outdir, "eval_1m.csv"), 1_000_000, 20240611)
    write(os.path.join(outdir, "eval_100k.csv"), 100_000, 20240612)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
