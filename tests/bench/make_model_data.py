#!/usr/bin/python3
"""Writes the synthetic data sets of the model benchmark into OUTDIR, deterministically
(NumPy PCG64 with fixed seeds), each once: nothing is rewritten when its files exist.

  logit_1m.csv   1,000,000 rows x 50 features x0..x49 and a 0/1 target y (last column):
                 y ~ Bernoulli(sigmoid(x . w_true)), no intercept
  logit_1m.svm   the same rows in LIBSVM format for liblinear-train (label +1/-1)
  logit_1m_X.npy, logit_1m_y.npy   the same values as float64 arrays (y in {0, 1})
  ridge_1m.csv   1,000,000 rows x 100 features x0..x99 and a numeric target y:
                 y = 0.5 + x . w_true + N(0, 0.5^2)
  ridge_1m_X.npy, ridge_1m_y.npy

Every value is written with exactly 4 decimals (k / 10^4 for an integer k) and the .npy
arrays hold k / 1e4 computed in float64: a correctly rounded division gives the same
double a correctly rounded decimal parser gives, so every reader sees identical values.
The text is formatted with vectorised NumPy byte arithmetic (about 10 s per file).

usage: /usr/bin/python3 tests/bench/make_model_data.py OUTDIR
needs: python3-numpy (Debian)
"""
import os
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("make_model_data.py: needs NumPy: apt-get install python3-numpy "
             "(and run it with /usr/bin/python3)")

ROWS = 1_000_000
CHUNK = 50_000
DEC = 4
SCALE = 10 ** DEC


def quantize(z, int_digits):
    """Integers k with k / 10^DEC close to z, clipped to fit int_digits integer digits."""
    limit = 10 ** (int_digits + DEC) - 1
    return np.clip(np.rint(z * SCALE), -limit, limit).astype(np.int64)


def fixed_fields(k, int_digits):
    """Formats integers k (any shape) as fixed-point text k / 10^DEC, one fixed-width
    byte field per value; bytes 0 are fillers (absent sign, leading zeros) that the
    caller removes after laying the fields out."""
    neg = k < 0
    a = np.abs(k)
    ndig = int_digits + DEC
    width = 1 + ndig + 1
    out = np.zeros(k.shape + (width,), np.uint8)
    out[..., 0] = np.where(neg, ord("-"), 0)
    for p in range(ndig):
        power = 10 ** (ndig - 1 - p)
        digit = (a // power) % 10
        col = 1 + p if p < int_digits else 2 + p
        byte = (ord("0") + digit).astype(np.uint8)
        if p < int_digits - 1:
            # a leading zero of the integer part is dropped (the last one is kept)
            byte = np.where(a >= power, byte, 0).astype(np.uint8)
        out[..., col] = byte
    out[..., 1 + int_digits] = ord(".")
    return out


def join_rows(fields, seps, end=b"\n"):
    """Lays out a (rows, cols, width) field array row by row, each field followed by
    seps[j] bytes (a (cols, sep_width) array, zero-padded), and the row by `end`;
    returns the text with filler bytes removed."""
    rows, cols, width = fields.shape
    sep_w = seps.shape[1]
    buf = np.zeros((rows, cols * (width + sep_w) + len(end)), np.uint8)
    cells = buf[:, :cols * (width + sep_w)].reshape(rows, cols, width + sep_w)
    cells[:, :, :width] = fields
    cells[:, :, width:] = seps[None, :, :]
    buf[:, cols * (width + sep_w):] = np.frombuffer(end, np.uint8)
    flat = buf.reshape(-1)
    return flat[flat != 0].tobytes()


def byte_table(strings):
    w = max(len(s) for s in strings)
    t = np.zeros((len(strings), w), np.uint8)
    for i, s in enumerate(strings):
        t[i, :len(s)] = np.frombuffer(s, np.uint8)
    return t


def make_logit(outdir):
    names = [os.path.join(outdir, "logit_1m" + s) for s in (".csv", ".svm", "_X.npy", "_y.npy")]
    if all(os.path.exists(n) for n in names):
        return
    p = 50
    rng = np.random.Generator(np.random.PCG64(20240501))
    w_true = rng.standard_normal(p) * (1.5 / np.sqrt(p))
    X = np.empty((ROWS, p))
    y = np.empty(ROWS)
    tmp = [names[0] + ".tmp", names[1] + ".tmp"]
    csv_seps = byte_table([b","] * p)
    svm_seps = byte_table([b" "] * p)
    svm_prefix = byte_table([b"%d:" % (j + 1) for j in range(p)])
    with open(tmp[0], "wb") as fc, open(tmp[1], "wb") as fs:
        fc.write((",".join("x%d" % j for j in range(p)) + ",y\n").encode())
        for start in range(0, ROWS, CHUNK):
            n = min(CHUNK, ROWS - start)
            k = quantize(rng.standard_normal((n, p)), 1)
            xs = k / SCALE
            label = (rng.random(n) < 1.0 / (1.0 + np.exp(-(xs @ w_true)))).astype(np.int64)
            X[start:start + n] = xs
            y[start:start + n] = label
            f = fixed_fields(k, 1)
            csv_fields = np.concatenate(
                [f, np.zeros((n, 1, f.shape[2]), np.uint8)], axis=1)
            csv_fields[:, p, 0] = ord("0") + label
            seps = np.concatenate([csv_seps[:p], np.zeros((1, csv_seps.shape[1]), np.uint8)])
            fc.write(join_rows(csv_fields, seps))
            # LIBSVM: "+1 1:v 2:v ..." (label field first, then prefix+value fields)
            lab = np.zeros((n, 1, 2), np.uint8)
            lab[:, 0, 0] = np.where(label == 1, ord("+"), ord("-"))
            lab[:, 0, 1] = ord("1")
            pw = svm_prefix.shape[1]
            sv = np.zeros((n, p, pw + f.shape[2]), np.uint8)
            sv[:, :, :pw] = svm_prefix[None]
            sv[:, :, pw:] = f
            width = max(2, sv.shape[2])
            allf = np.zeros((n, p + 1, width), np.uint8)
            allf[:, 0, :2] = lab[:, 0]
            allf[:, 1:, :sv.shape[2]] = sv
            seps2 = np.concatenate([svm_seps[:1], svm_seps[:p - 1], np.zeros((1, 1), np.uint8)])
            fs.write(join_rows(allf, seps2))
    np.save(names[2] + ".tmp.npy", X)
    np.save(names[3] + ".tmp.npy", y)
    os.replace(tmp[0], names[0])
    os.replace(tmp[1], names[1])
    os.replace(names[2] + ".tmp.npy", names[2])
    os.replace(names[3] + ".tmp.npy", names[3])


def make_ridge(outdir):
    names = [os.path.join(outdir, "ridge_1m" + s) for s in (".csv", "_X.npy", "_y.npy")]
    if all(os.path.exists(n) for n in names):
        return
    p = 100
    rng = np.random.Generator(np.random.PCG64(20240502))
    w_true = rng.standard_normal(p) / np.sqrt(p)
    X = np.empty((ROWS, p))
    y = np.empty(ROWS)
    seps = byte_table([b","] * p)
    tmp = names[0] + ".tmp"
    with open(tmp, "wb") as fc:
        fc.write((",".join("x%d" % j for j in range(p)) + ",y\n").encode())
        for start in range(0, ROWS, CHUNK):
            n = min(CHUNK, ROWS - start)
            k = quantize(rng.standard_normal((n, p)), 1)
            xs = k / SCALE
            ky = quantize(0.5 + xs @ w_true + 0.5 * rng.standard_normal(n), 3)
            X[start:start + n] = xs
            y[start:start + n] = ky / SCALE
            fx = fixed_fields(k, 1)
            fy = fixed_fields(ky, 3)
            fields = np.zeros((n, p + 1, fy.shape[1]), np.uint8)
            fields[:, :p, :fx.shape[2]] = fx
            fields[:, p, :] = fy
            s = np.concatenate([seps[:p], np.zeros((1, 1), np.uint8)])
            fc.write(join_rows(fields, s))
    np.save(names[1] + ".tmp.npy", X)
    np.save(names[2] + ".tmp.npy", y)
    os.replace(tmp, names[0])
    os.replace(names[1] + ".tmp.npy", names[1])
    os.replace(names[2] + ".tmp.npy", names[2])


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    make_logit(outdir)
    make_ridge(outdir)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
