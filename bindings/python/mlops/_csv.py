"""mlops.CsvReader: a CSV/TSV file (plain or gzip) read as a stream of
Dataset batches in bounded memory, for files larger than memory.

Reader settings are those of Dataset.read_csv() (mlops_csv_options_set(3));
``batch_rows`` sets the batch size. A Python progress callable may follow
the bytes consumed and cancel the read."""
import ctypes

from . import _native
from ._dataset import Dataset, _csv_options, _path, _unsupported
from ._errors import check
from ._handle import _Handle

_lib = _native.lib


def _c(name):
    if not _native.has(name):
        _unsupported(name)
    return getattr(_lib, name)


class CsvReader(_Handle):
    """Streams a CSV file as Datasets of up to ``batch_rows`` rows each.

    Column types are inferred from the first batch (override them with
    ``{"type.NAME": "categorical"}``); a later value that contradicts them
    raises mlops.FormatError naming the file, line and column.
    The first batch always comes, with 0 rows when the file has only a
    header, so the columns are known. After an error the reader is spent
    (later reads raise mlops.StateError).

    >>> with CsvReader("big.csv", batch_rows=10000) as reader:  # doctest: +SKIP
    ...     for batch in reader:
    ...         with batch:
    ...             profile.add(batch)

    ``progress(done_bytes, total_bytes)`` is called as input is consumed;
    returning a true value cancels (mlops.Canceled), and an
    exception it raises cancels the read and is re-raised. Each batch is a
    new Dataset owned by the caller."""

    _free = "mlops_csv_reader_free"
    _what = "CSV reader"

    def __init__(self, path, options=None, progress=None, **settings):
        """Opens ``path`` for streaming. ``options`` (a dict, needed for
        keys with dots such as "role.y") and keyword ``settings``
        (``delimiter=";"``, ``batch_rows=1000``, ``bad_rows="skip"``) are
        reader settings. Raises mlops.NotFound for a missing
        file, mlops.InvalidArgument for an unknown setting (suggesting the
        nearest), mlops.FormatError for malformed data in the first batch."""
        opener = _c("mlops_csv_reader_open")
        self._raised = []
        self._callback = None
        if progress is not None:
            self._callback = _native.progress_fn(self._trampoline(progress))
        handle = _native.csv_reader_p()
        self._ptr = None
        with _csv_options(options, settings, self._callback) as opts:
            self._call(lambda: opener(ctypes.byref(handle), _path(path), opts))
        self._adopt(handle)

    def _trampoline(self, progress):
        raised = self._raised

        def call(done, total, _user_data):
            try:
                return 1 if progress(done, total) else 0
            except BaseException as e:  # noqa: B902 - re-raised after the C call returns
                raised.append(e)
                return 1
        return call

    def _call(self, fn):
        rc = fn()
        if self._raised:
            raise self._raised.pop(0)
        check(rc)

    def __repr__(self):
        if self._ptr is None:
            return "<mlops.CsvReader (closed)>"
        return "<mlops.CsvReader: %d rows read>" % self.rows

    def next_batch(self):
        """The next batch as a new Dataset, or None at the end of the
        file."""
        out = _native.dataset_p()
        h = self._handle
        self._call(lambda: _lib.mlops_csv_reader_next(h, ctypes.byref(out)))
        return Dataset._wrap(out) if out else None

    def __iter__(self):
        return self

    def __next__(self):
        batch = self.next_batch()
        if batch is None:
            raise StopIteration
        return batch

    @property
    def rows(self):
        """Data rows delivered so far."""
        return _lib.mlops_csv_reader_rows(self._handle)

    @property
    def skipped_rows(self):
        """Rows skipped so far under bad_rows="skip"."""
        return _lib.mlops_csv_reader_skipped_rows(self._handle)


def read_csv_batches(path, options=None, progress=None, **settings):
    """Yields the batches of CsvReader(path, ...) and closes the reader at
    the end (or when the generator is closed)."""
    with CsvReader(path, options, progress, **settings) as reader:
        yield from reader
