#!/usr/bin/python3
"""Expected dataset splits for tests/data/test_split.c, computed independently.

The splits of include/mlops/split.h are replayed here in Python on NumPy's
numpy.random.SFC64 (an independent implementation of the library's
generator, seeded as in tests/reference/make_rng_reference.py), and checked
against scikit-learn wherever scikit-learn's answer does not depend on its
own random draws:

* unshuffled KFold and StratifiedKFold folds equal scikit-learn's exactly;
* test sizes equal those of sklearn.model_selection.train_test_split;
* stratified per-class counts equal StratifiedShuffleSplit's whenever its
  answer is the same for every random_state (no tie to break);
* time splits are recomputed with pandas.to_datetime and a sort.

Draw order replayed (the library's contract with its golden tests):

* plain train/test: shuffle the indices 0..n-1; the first n_test are test.
* stratified train/test: classes numbered by first appearance; the training
  share of class c is floor(n_train * n_c / n) plus one for the largest
  remainders; a run of equal remainders that only partly gets the extra row
  is shuffled (classes in increasing order) and its first members get it;
  then for each class in order its rows (increasing) are shuffled and all
  but the first train[c] are test rows.
* k-fold: shuffle 0..n-1 (when asked), consecutive runs, the first n % k
  runs one longer. Stratified: the class-sorted positions are dealt to folds
  p % k, each class's labels (increasing) are shuffled when asked, classes in
  order, and given to the class's rows in row order.

Every shuffle is Fisher-Yates from the last position down with the unbiased
bounded draw of lib/core/rng.c.

Run (from the repository root):

    /usr/bin/python3 tests/reference/make_split_reference.py > tests/data/test_split_reference.h

Outputs were made with NumPy 1.24.2, pandas 1.5.3 and scikit-learn 1.2.1
(Debian packages).
"""
import math
import pathlib

import numpy as np
import pandas as pd
import sklearn
from sklearn.model_selection import KFold, StratifiedKFold, StratifiedShuffleSplit
from sklearn.model_selection import train_test_split

REAL = pathlib.Path(__file__).resolve().parent.parent / "data" / "real"


def seeded(seed):
    bg = np.random.SFC64()
    state = bg.state
    state["state"]["state"] = np.array([seed, seed, seed, 1], dtype=np.uint64)
    state["has_uint32"] = 0
    state["uinteger"] = 0
    bg.state = state
    bg.random_raw(12)
    return bg


def below(bg, bound):
    threshold = ((1 << 64) - bound) % bound
    while True:
        x = int(bg.random_raw())
        if x >= threshold:
            return x % bound


def shuffle(bg, items):
    for i in range(len(items), 1, -1):
        j = below(bg, i)
        items[i - 1], items[j] = items[j], items[i - 1]


def classes_by_first_appearance(labels):
    ids, out = {}, []
    for v in labels:
        if v not in ids:
            ids[v] = len(ids)
        out.append(ids[v])
    return out, len(ids)


def test_count(fraction, n):
    return math.ceil(fraction * n)


def train_test(n, n_test, seed, labels=None):
    bg = seeded(seed)
    in_test = [False] * n
    if labels is None:
        perm = list(range(n))
        shuffle(bg, perm)
        for i in perm[:n_test]:
            in_test[i] = True
        return [i for i in range(n) if in_test[i]], None
    cls, k = classes_by_first_appearance(labels)
    count = [cls.count(c) for c in range(k)]
    n_train = n - n_test
    train = [n_train * count[c] // n for c in range(k)]
    rem = [n_train * count[c] % n for c in range(k)]
    need = n_train - sum(train)
    order = sorted(range(k), key=lambda c: (-rem[c], c))
    i = 0
    while need > 0:
        j = i
        while j < k and rem[order[j]] == rem[order[i]]:
            j += 1
        run = order[i:j]
        add = min(len(run), need)
        if add < len(run):
            shuffle(bg, run)
        for c in run[:add]:
            train[c] += 1
        need -= add
        i = j
    for c in range(k):
        rows = [r for r in range(n) if cls[r] == c]
        shuffle(bg, rows)
        for r in rows[train[c]:]:
            in_test[r] = True
    return [i for i in range(n) if in_test[i]], train


def kfold(n, k, shuffled, seed, labels=None):
    bg = seeded(seed)
    fold = [0] * n
    if labels is None:
        perm = list(range(n))
        if shuffled:
            shuffle(bg, perm)
        pos = 0
        for f in range(k):
            for _ in range(n // k + (1 if f < n % k else 0)):
                fold[perm[pos]] = f
                pos += 1
        return fold
    cls, ncls = classes_by_first_appearance(labels)
    count = [cls.count(c) for c in range(ncls)]
    pos, per_class = 0, []
    for c in range(ncls):
        per_class.append(sorted(p % k for p in range(pos, pos + count[c])))
        pos += count[c]
    if shuffled:
        for c in range(ncls):
            shuffle(bg, per_class[c])
    cursor = [0] * ncls
    for r in range(n):
        c = cls[r]
        fold[r] = per_class[c][cursor[c]]
        cursor[c] += 1
    return fold


def time_split(times, fraction):
    """times: pandas Series of datetime64 or numbers; ties kept together."""
    n = len(times)
    n_test = test_count(fraction, n)
    order = sorted(range(n), key=lambda r: (times.iloc[r], r))
    key = [times.iloc[r] for r in order]
    p = n - n_test
    cut = p
    if key[p - 1] == key[p]:
        a, b = p - 1, p + 1
        while a > 0 and key[a - 1] == key[p]:
            a -= 1
        while b < n and key[b] == key[p]:
            b += 1
        test_side = (p - a) <= (b - p)
        if test_side and a == 0:
            test_side = False
        if not test_side and b == n:
            test_side = True
        cut = a if test_side else b
    return sorted(order[cut:])


def check_sklearn(name, y, n):
    for k in (3, 4, 5):
        ours = kfold(n, k, False, 0)
        theirs = [0] * n
        for f, (_, test) in enumerate(KFold(n_splits=k).split(np.zeros(n))):
            for r in test:
                theirs[r] = f
        assert ours == theirs, (name, "KFold", k)
        ours = kfold(n, k, False, 0, y)
        theirs = [0] * n
        for f, (_, test) in enumerate(StratifiedKFold(n_splits=k).split(np.zeros(n), y)):
            for r in test:
                theirs[r] = f
        assert ours == theirs, (name, "StratifiedKFold", k)
    compared = 0
    for frac in (0.1, 0.2, 0.25, 0.3, 0.5, 0.77):
        _, test = train_test_split(np.arange(n), test_size=frac, random_state=0)
        assert len(test) == test_count(frac, n), (name, frac)
        n_test = test_count(frac, n)
        cls, _ = classes_by_first_appearance(list(y))
        answers = set()
        for rs in range(20):
            sss = StratifiedShuffleSplit(n_splits=1, test_size=frac, random_state=rs)
            tr, _ = next(sss.split(np.zeros(n), y))
            counts = tuple(sum(1 for r in tr if cls[r] == c) for c in range(max(cls) + 1))
            answers.add(counts)
        # Exact remainders can tie where scikit-learn's floating-point ones
        # happen to differ; compare only answers that no draw can change.
        ours = set(tuple(train_test(n, n_test, seed, list(y))[1]) for seed in range(20))
        if len(answers) == 1 and len(ours) == 1:
            assert ours == answers, (name, frac, ours, answers)
            compared += 1
    assert compared >= 3, (name, compared)


def c_array(ctype, name, values):
    body = ", ".join(str(v) for v in values)
    lines, line = [], "    "
    for tok in body.split(" "):
        if len(line) + len(tok) > 96:
            lines.append(line.rstrip())
            line = "    "
        line += tok + " "
    lines.append(line.rstrip())
    return "static const %s %s[%d] = {\n%s\n};" % (ctype, name, len(values), "\n".join(lines))


def main():
    iris = pd.read_csv(REAL / "iris.csv")
    wine = pd.read_csv(REAL / "wine.csv")
    cars = pd.read_csv(REAL / "cars.csv")
    check_sklearn("iris", list(iris["species"]), len(iris))
    check_sklearn("wine", list(wine["target"]), len(wine))

    out = ["/* Generated by tests/reference/make_split_reference.py with NumPy %s, pandas %s,"
           % (np.__version__, pd.__version__),
           " * scikit-learn %s; do not edit. Row numbers are 0-based data rows. */"
           % sklearn.__version__,
           "#include <stddef.h>", "#include <stdint.h>", ""]

    n = len(iris)
    test, _ = train_test(n, test_count(0.2, n), 42)
    out.append("/* iris, test_fraction 0.2, seed 42, no stratification: test rows */")
    out.append(c_array("size_t", "iris_plain_test_42", test))
    test, train = train_test(n, test_count(0.25, n), 7, list(iris["species"]))
    out.append("/* iris, test_fraction 0.25, seed 7, stratified by species (a 3-way tie of")
    out.append(" * remainders; training rows per class %s): test rows */" % train)
    out.append(c_array("size_t", "iris_strat_test_7", test))

    n = len(wine)
    test, train = train_test(n, test_count(0.3, n), 2024, list(wine["target"]))
    out.append("/* wine, test_fraction 0.3, seed 2024, stratified by the numeric target")
    out.append(" * (training rows per class %s): test rows */" % train)
    out.append(c_array("size_t", "wine_strat_test_2024", test))

    out.append("/* iris, k = 5, shuffled with seed 42: fold of each row */")
    out.append(c_array("uint32_t", "iris_kfold5_42", kfold(len(iris), 5, True, 42)))
    out.append("/* iris, k = 4, not shuffled (equal to scikit-learn's KFold) */")
    out.append(c_array("uint32_t", "iris_kfold4_plain", kfold(len(iris), 4, False, 0)))
    out.append("/* wine, k = 4, stratified by target, shuffled with seed 3 */")
    out.append(c_array("uint32_t", "wine_skfold4_3",
                       kfold(len(wine), 4, True, 3, list(wine["target"]))))
    out.append("/* wine, k = 5, stratified by target, not shuffled (equal to scikit-learn's")
    out.append(" * StratifiedKFold) */")
    out.append(c_array("uint32_t", "wine_skfold5_plain",
                       kfold(len(wine), 5, False, 0, list(wine["target"]))))

    years = pd.to_datetime(cars["Year"])
    for frac, tag in ((0.2, "20"), (0.15, "15"), (0.3, "30")):
        rows = time_split(years, frac)
        out.append("/* cars, split by the ISO dates of Year, test_fraction %s: test rows (%d) */"
                   % (frac, len(rows)))
        out.append(c_array("size_t", "cars_time_test_%s" % tag, rows))
    print("\n".join(out))


if __name__ == "__main__":
    main()
