#!/usr/bin/python3
"""Writes fmnist_train.csv (60,000 x 785, about 133 MB) and fmnist_test.csv into the
folder given as argument, from the Fashion-MNIST copy in Debian's dataset-fashion-mnist
package: 784 pixel columns p0..p783 (integers 0..255), then the label.

usage: /usr/bin/python3 tests/bench/make_fmnist_csv.py OUTDIR
"""
import gzip
import os
import sys

import numpy as np

BASE = "/usr/share/datasets/fashion-mnist/"


def images(name):
    with gzip.open(BASE + name) as f:
        data = f.read()
    n, rows, cols = (int.from_bytes(data[k:k + 4], "big") for k in (4, 8, 12))
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, rows * cols)


def labels(name):
    with gzip.open(BASE + name) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=8)


def main(outdir):
    for split, img, lab in [("train", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
                            ("test", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")]:
        x, y = images(img), labels(lab)
        with open(os.path.join(outdir, "fmnist_%s.csv" % split), "w") as f:
            f.write(",".join(["p%d" % i for i in range(x.shape[1])] + ["label"]) + "\n")
            for i in range(x.shape[0]):
                f.write(",".join(map(str, x[i].tolist())) + "," + str(int(y[i])) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
