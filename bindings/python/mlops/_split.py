"""Dataset splits through libmlops: train/test (plain or stratified), k-fold
assignments and their folds, and time-ordered splits.

Every split is a pure function of the data and the seed (the library's own
integer generator), so a seed gives the same rows on every platform and in
the C API, the CLI and Python alike. Both parts keep the rows in their
original order. Dataset.split(), Dataset.kfold() and Dataset.split_by_time()
call these functions."""
import array
import collections
import ctypes

from . import _native
from ._dataset import Dataset, _np, _text, _unsupported
from ._errors import check

_lib = _native.lib
_SHUFFLE = 1  # MLOPS_SPLIT_SHUFFLE
_U32 = "I" if array.array("I").itemsize == 4 else "L"


def _c(name):
    if not _native.has(name):
        _unsupported(name)
    return getattr(_lib, name)


def _dataset_handle(dataset):
    if not isinstance(dataset, Dataset):
        raise TypeError("dataset must be an mlops.Dataset, not %s" % type(dataset).__name__)
    return dataset._handle


def _seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 1 << 64:
        raise ValueError("seed must be an integer in [0, 2**64), not %r" % (seed,))
    return seed


def _column(name):
    return None if name is None else _text(name, "column name")


class Split(collections.namedtuple("Split", "train test")):
    """A (train, test) pair of new Datasets; unpacks like a tuple, and
    closes both when used as a context manager or by close()."""

    __slots__ = ()

    def close(self):
        """Releases both datasets."""
        self.train.close()
        self.test.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _pair(call):
    train, test = _native.dataset_p(), _native.dataset_p()
    check(call(ctypes.byref(train), ctypes.byref(test)))
    return Split(Dataset._wrap(train), Dataset._wrap(test))


def train_test_split(dataset, test_size=0.25, seed=0, stratify=None):
    """Splits ``dataset`` at random into (train, test).

    ``test_size``: a fraction strictly between 0 and 1 (the test part gets
    ceil(test_size * rows) rows, as scikit-learn's train_test_split) or a
    whole number of test rows (1 <= test_size < rows). ``stratify`` names a
    categorical column, or a numeric one of whole numbers, whose classes keep
    their proportions in both parts. Raises mlops.InvalidArgument (bad
    size, a class with fewer than 2 rows, a missing value in the stratify
    column; the message names the class or row), mlops.NotFound (no such
    stratify column, suggesting the closest name)."""
    h, seed, strat = _dataset_handle(dataset), _seed(seed), _column(stratify)
    if isinstance(test_size, bool):
        raise TypeError("test_size must be a fraction or a row count, not a bool")
    if isinstance(test_size, int):
        if test_size < 1:
            raise ValueError("test_size as a row count must be >= 1, not %d" % test_size)
        fn = _c("mlops_split_train_test_rows")
        return _pair(lambda tr, te: fn(h, test_size, seed, strat, tr, te))
    fn = _c("mlops_split_train_test")
    return _pair(lambda tr, te: fn(h, float(test_size), seed, strat, tr, te))


def split_by_time(dataset, test_size=0.25, time_column=None):
    """Splits ``dataset`` by time into (train, test): the test part holds
    the ceil(test_size * rows) latest rows. ``time_column`` names a numeric
    column or a categorical one of ISO-8601 dates/date-times; None uses the
    one column with role "time". Rows with equal times stay on one side.
    Raises mlops.InvalidArgument naming the row and value of an
    unparsable time, mlops.NotFound for an unknown column."""
    h, col = _dataset_handle(dataset), _column(time_column)
    fn = _c("mlops_split_by_time")
    return _pair(lambda tr, te: fn(h, col, float(test_size), tr, te))


def kfold_assignments(dataset, k=5, shuffle=False, seed=0, stratify=None):
    """The fold (0 .. k-1) of every row for k-fold cross-validation, as a
    uint32 NumPy array (a list without NumPy). Without ``stratify`` the
    rows (shuffled with ``seed`` when ``shuffle``) are cut into k runs as
    scikit-learn's KFold; with it every fold gets each class within one row
    of its share (StratifiedKFold). Raises mlops.InvalidArgument for k < 2, k > rows or
    a class with fewer than k rows."""
    h = _dataset_handle(dataset)
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ValueError("k must be a whole number >= 2, not %r" % (k,))
    rows = _lib.mlops_dataset_rows(h)
    flags = _SHUFFLE if shuffle else 0
    fn = _c("mlops_split_kfold")
    if _np is not None:
        out = _np.zeros(max(rows, 1), dtype=_np.uint32)
        ptr = out.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32))
        check(fn(h, k, flags, _seed(seed), _column(stratify), ptr, rows))
        return out[:rows]
    buf = array.array(_U32, bytes(4 * max(rows, 1)))
    ptr = (ctypes.c_uint32 * len(buf)).from_buffer(buf)
    check(fn(h, k, flags, _seed(seed), _column(stratify), ptr, rows))
    return buf.tolist()[:rows]


def fold(dataset, assignments, index):
    """(train, test) of fold ``index``: test holds the rows whose entry in
    ``assignments`` (one per row, as kfold_assignments() returns) equals
    ``index``, train the others. Raises ValueError for a wrong length and
    mlops.InvalidArgument for a fold with no rows or every row."""
    h = _dataset_handle(dataset)
    rows = _lib.mlops_dataset_rows(h)
    if _np is not None and isinstance(assignments, _np.ndarray):
        buf = _np.ascontiguousarray(assignments, dtype=_np.uint32)
        n = buf.shape[0] if buf.ndim == 1 else -1
        ptr = buf.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)) if buf.size else None
    else:
        buf = array.array(_U32, [int(a) for a in assignments])
        n = len(buf)
        ptr = (ctypes.c_uint32 * n).from_buffer(buf) if n else None
    if n != rows:
        raise ValueError("assignments must hold one fold per row (%d), got %s"
                         % (rows, n if n >= 0 else "a %d-D array" % buf.ndim))
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 1 << 32:
        raise ValueError("fold index must be a whole number in [0, 2**32), not %r" % (index,))
    fn = _c("mlops_split_fold")
    if ptr is None:
        ptr = (ctypes.c_uint32 * 1)()  # 0 rows: the library reports the empty fold
    return _pair(lambda tr, te: fn(h, ptr, rows, index, tr, te))


def kfold(dataset, k=5, shuffle=False, seed=0, stratify=None):
    """Yields the k (train, test) Splits of kfold_assignments(), fold 0
    first; each pair is new and owned by the caller."""
    assignments = kfold_assignments(dataset, k, shuffle, seed, stratify)
    for i in range(k):
        yield fold(dataset, assignments, i)
