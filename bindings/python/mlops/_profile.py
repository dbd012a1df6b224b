"""mlops.Profile: the data-quality profile of a dataset (counts, missing
values, moments, quantiles, top categories) built in bounded memory by
libmlops, mergeable across parts, and, once its bins are fixed, the
reference a drift monitor compares production data with.

Statistics come back as plain Python numbers; NaN (no value) stays
float('nan'), and in to_json() the library's null becomes None."""
import ctypes
import json

from . import _native
from ._dataset import Dataset, _path, _take_string, _text, _unsupported
from ._errors import check
from ._handle import _Handle

_lib = _native.lib
_FLAGS = ((1, "constant"), (2, "all_missing"), (4, "histogram_estimated"))


def _c(name):
    """The C function `name`, or MlopsError MLOPS_EUNSUPPORTED when the
    loaded library predates profiles."""
    if not _native.has(name):
        _unsupported(name)
    return getattr(_lib, name)


def have_profile():
    """True when the loaded libmlops has the profile and drift API."""
    return all(_native.has(name) for name, _, _ in _native.MONITOR_FUNCTIONS)


def _profile_setting(value):
    """Profile settings are whole decimal numbers; booleans (quality) are
    written 1 and 0."""
    if isinstance(value, bool):
        return b"1" if value else b"0"
    if isinstance(value, (str, bytes)):
        return _text(value, "setting value")
    return _text(str(value), "setting value")


def _dataset_handle(dataset):
    if not isinstance(dataset, Dataset):
        raise TypeError("batch must be an mlops.Dataset, not %s" % type(dataset).__name__)
    return dataset._handle


class Profile(_Handle):
    """The profile of the rows added to it (see mlops_profile_set(3) for the
    settings: distinct_exact_limit, quantile_exact_limit, quantile_sketch_k,
    top_k, top_sketch_size, duplicate_exact_limit, bins, quality,
    exact_values_budget; given as keyword arguments or with set() before the
    first add()).

    >>> ref = Profile(bins=10).add(Dataset.read_csv("train.csv")).fix_bins()
    >>> ref.stats("age")                                    # doctest: +SKIP
    {'min': 18.0, 'max': 90.0, 'mean': 38.6, 'std': 13.7}
    >>> prod = Profile.like(ref).add(batch)   # same bins, for DriftMonitor

    Columns are named (or given by index). Failures raise MlopsError with the
    library's message (an unknown column suggests the nearest name). A
    profile may be read from several threads; set(), add() and merge() need
    the caller's lock."""

    _free = "mlops_profile_free"
    _what = "profile"

    def __init__(self, **settings):
        handle = _native.profile_p()
        check(_c("mlops_profile_create")(ctypes.byref(handle)))
        self._adopt(handle)
        for key, value in settings.items():
            self.set(key, value)

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.Profile (closed)>"
        return "<mlops.Profile: %d rows x %d columns%s>" % (
            self.rows, _lib.mlops_profile_cols(self._ptr), ", bins fixed" if self.has_bins else "")

    # ---- building -----------------------------------------------------

    def set(self, key, value):
        """Changes one setting (before the first add() or merge()); returns
        self. An unknown key raises MlopsError suggesting the nearest."""
        check(_c("mlops_profile_set")(self._handle, _text(key, "setting"),
                                      _profile_setting(value)))
        return self

    def add(self, dataset):
        """Adds the rows of a Dataset (nothing of it is kept); returns self.
        Every batch after the first needs the same column names and types."""
        check(_c("mlops_profile_add")(self._handle, _dataset_handle(dataset)))
        return self

    def merge(self, other):
        """Merges another Profile (unchanged; same settings and columns)
        into this one, which then describes the rows of both; returns
        self."""
        if not isinstance(other, Profile):
            raise TypeError("other must be an mlops.Profile, not %s" % type(other).__name__)
        check(_c("mlops_profile_merge")(self._handle, other._handle))
        return self

    def fix_bins(self):
        """Fixes the reference histogram bins of every column from the data
        seen so far (see mlops_profile_fix_bins(3)); returns self."""
        check(_c("mlops_profile_fix_bins")(self._handle))
        return self

    @property
    def has_bins(self):
        """True once the bins are fixed."""
        return bool(_c("mlops_profile_has_bins")(self._handle))

    @classmethod
    def like(cls, reference):
        """An empty profile with the settings, columns and fixed bins of
        ``reference`` (a Profile whose bins are fixed): the profile of
        production data to compare with it."""
        if not isinstance(reference, Profile):
            raise TypeError("reference must be an mlops.Profile, not %s"
                            % type(reference).__name__)
        out = _native.profile_p()
        check(_c("mlops_profile_create_like")(ctypes.byref(out), reference._handle))
        return cls._wrap(out)

    # ---- storage ------------------------------------------------------

    def save(self, path):
        """Writes the whole profile to ``path`` atomically."""
        check(_c("mlops_profile_save")(self._handle, _path(path)))

    @classmethod
    def load(cls, path):
        """Reads a profile written by save(); a damaged file raises
        MlopsError naming what is wrong."""
        out = _native.profile_p()
        check(_c("mlops_profile_load")(ctypes.byref(out), _path(path)))
        return cls._wrap(out)

    # ---- dataset level ------------------------------------------------

    @property
    def rows(self):
        """Rows added so far."""
        return _c("mlops_profile_rows")(self._handle)

    @property
    def columns(self):
        """Column names, in order ([] before the first batch)."""
        h = self._handle
        return [_lib.mlops_profile_column_name(h, i).decode("utf-8")
                for i in range(_c("mlops_profile_cols")(h))]

    @property
    def duplicate_rows(self):
        """(rows equal to an earlier row, exact) where exact is False for
        the sampled estimate."""
        dups, exact = ctypes.c_uint64(), ctypes.c_int()
        check(_c("mlops_profile_duplicate_rows")(self._handle, ctypes.byref(dups),
                                                 ctypes.byref(exact)))
        return dups.value, bool(exact.value)

    # ---- columns --------------------------------------------------------

    def _index(self, name):
        if isinstance(name, int):
            return name
        idx = ctypes.c_size_t()
        check(_c("mlops_profile_column_index")(self._handle, _text(name, "column name"),
                                               ctypes.byref(idx)))
        return idx.value

    def column_type(self, name):
        """"numeric" or "categorical"."""
        t = _c("mlops_profile_column_type")(self._handle, self._index(name))
        check(t)
        return _lib.mlops_type_name(t).decode()

    def flags(self, name):
        """The set of flags of a column: "constant", "all_missing",
        "histogram_estimated"."""
        f = _c("mlops_profile_column_flags")(self._handle, self._index(name))
        check(f)
        return {label for bit, label in _FLAGS if f & bit}

    def counts(self, name):
        """(present values, missing values) of a column."""
        count, missing = ctypes.c_uint64(), ctypes.c_uint64()
        check(_c("mlops_profile_counts")(self._handle, self._index(name), ctypes.byref(count),
                                         ctypes.byref(missing)))
        return count.value, missing.value

    def distinct(self, name):
        """(distinct present values, exact) of a column; exact is False for
        the HyperLogLog estimate."""
        n, exact = ctypes.c_uint64(), ctypes.c_int()
        check(_c("mlops_profile_distinct")(self._handle, self._index(name), ctypes.byref(n),
                                           ctypes.byref(exact)))
        return n.value, bool(exact.value)

    def stats(self, name):
        """{"min", "max", "mean", "std"} of a numeric column (std with
        divisor count - 1; NaN where undefined)."""
        v = [ctypes.c_double() for _ in range(4)]
        check(_c("mlops_profile_stats")(self._handle, self._index(name),
                                        *[ctypes.byref(x) for x in v]))
        return dict(zip(("min", "max", "mean", "std"), (x.value for x in v)))

    def quantile(self, name, q):
        """Quantile ``q`` (0 <= q <= 1) of a numeric column, numpy's
        'linear' method while the column holds its values (NaN without
        any value)."""
        value = ctypes.c_double()
        check(_c("mlops_profile_quantile")(self._handle, self._index(name), float(q),
                                           ctypes.byref(value), None))
        return value.value

    def top(self, name):
        """The most frequent categories of a categorical column, most
        frequent first: [(category, count, max_error)]."""
        h, col = self._handle, self._index(name)
        n = ctypes.c_size_t()
        check(_c("mlops_profile_top_count")(h, col, ctypes.byref(n)))
        out = []
        for rank in range(n.value):
            value, count, err = ctypes.c_char_p(), ctypes.c_uint64(), ctypes.c_uint64()
            check(_lib.mlops_profile_top(h, col, rank, ctypes.byref(value), ctypes.byref(count),
                                         ctypes.byref(err)))
            out.append((value.value.decode("utf-8"), count.value, err.value))
        return out

    def bins(self, name):
        """The histogram of a column once bins are fixed, as a list of
        {"lower", "upper", "category", "count"}: numeric bins have edges
        (-inf and inf for the two outer bins) and category None;
        categorical bins have NaN edges and their category (None for the
        last, unseen bin)."""
        h, col = self._handle, self._index(name)
        n = ctypes.c_size_t()
        check(_c("mlops_profile_bin_count")(h, col, ctypes.byref(n)))
        out = []
        for b in range(n.value):
            lower, upper = ctypes.c_double(), ctypes.c_double()
            category, count = ctypes.c_char_p(), ctypes.c_uint64()
            check(_lib.mlops_profile_bin(h, col, b, ctypes.byref(lower), ctypes.byref(upper),
                                         ctypes.byref(category), ctypes.byref(count)))
            out.append({"lower": lower.value, "upper": upper.value,
                        "category": None if category.value is None
                        else category.value.decode("utf-8"),
                        "count": count.value})
        return out

    # ---- export -------------------------------------------------------

    def to_json(self):
        """The whole profile as a dict (mlops_profile_to_json(3)); the
        library's null (NaN) becomes None."""
        ptr = ctypes.c_void_p()
        check(_c("mlops_profile_to_json")(self._handle, ctypes.byref(ptr)))
        return json.loads(_take_string(ptr))
