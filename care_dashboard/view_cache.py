"""What a page shows that depends only on the dataset version, the selection, the language and the
small-number threshold (its figures as sent to the browser, its tables, its caveat lists), built
once and kept for every later rerun and every session, within a memory bound (issue 15).

Pure (no Streamlit): ``ui.PageContext.memo`` keys it on the page context, and the pages and
``ui_figures.chart_block`` say what to build on a miss.

A value kept here is shared by every session that asks for the same key, so it is never changed
after it is stored: figures are kept as the dict Streamlit sends (``go.Figure.to_dict()``, after
the heading and the footer are written into it) and handed to ``st.plotly_chart`` through
``sent_figure``, which gives Streamlit a fresh top level and fresh trace dicts each time (Plotly's
``to_json`` removes each trace's ``uid`` in place); tables are DataFrames that the pages only read
(``st.dataframe`` and the CSV export do not change them).
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa

# About a hundred views of the embedded data (every page, both languages, each filter value alone)
# take 10-20 MB; a national dataset's maps and tables are larger. The bound is on the estimated
# size (``size_of``); the oldest used entries go first.
MAX_BYTES = 64 * 2**20
MAX_ENTRIES = 4096


class _Building:
    """A value one thread is building, that others asking for the same key wait for."""

    def __init__(self) -> None:
        self.owner = threading.get_ident()
        self.done = threading.Event()
        self.value: object = None
        self.failed = False


class BoundedCache:
    """A least-recently-used cache of values built once per key, bounded in entries and in the
    estimated bytes of its values. Thread-safe, and built once: a thread that asks for a key
    another thread is building waits for that value (a page's queries started together,
    ``ui.start_queries``, and the page's own run of them; two sessions opening the same view).
    If that build fails, the waiting thread builds it itself, so the failure is raised where it
    is asked for."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_entries: int = MAX_ENTRIES):
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._building: dict[Hashable, _Building] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, build: Callable[[], object], size: Callable[[object], int] | None = None):
        while True:
            with self._lock:
                found = self._items.get(key)
                if found is not None:
                    self._items.move_to_end(key)
                    self.hits += 1
                    return found[0]
                building = self._building.get(key)
                if building is None or building.owner == threading.get_ident():
                    mine = self._building[key] = _Building()
                    self.misses += 1
                    break
            building.done.wait()  # outside the lock: another thread is building it
            if not building.failed:
                return building.value
            # its build failed: try again (build it here, or wait for a newer build)
        try:
            value = build()  # outside the lock: other sessions go on meanwhile
        except BaseException:
            mine.failed = True
            with self._lock:
                if self._building.get(key) is mine:
                    del self._building[key]
            mine.done.set()
            raise
        weight = (size or size_of)(value)
        with self._lock:
            if self._building.get(key) is mine:
                del self._building[key]
            if (kept := self._items.get(key)) is not None:  # built meanwhile (by this thread, nested)
                value = kept[0]
            elif weight <= self.max_bytes:  # larger: built for this run only
                self._items[key] = (value, weight)
                self._bytes += weight
                while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                    _, (_, dropped) = self._items.popitem(last=False)
                    self._bytes -= dropped
        mine.value = value
        mine.done.set()
        return value

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    @property
    def bytes(self) -> int:
        """The estimated size of the values kept."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


SAMPLE = 256  # a long list or table is measured on this many of its first items, scaled


def _frame_size(df: pd.DataFrame) -> int:
    """A DataFrame's columns: their buffers, and for a column of Python objects (strings) the
    objects' sizes measured on its first rows, scaled to all of them."""
    total = 1024 + 8 * len(df)  # the frame and its index
    for _, column in df.items():
        values = column.to_numpy(copy=False) if column.dtype == object else None
        if values is None:
            total += int(column.memory_usage(index=False, deep=False))
            continue
        sample = values[:SAMPLE]
        measured = sum(sys.getsizeof(v) for v in sample)
        total += 8 * len(values) + round(measured * len(values) / max(len(sample), 1))
    return total


def size_of(value, _depth: int = 0) -> int:
    """An estimate of the memory a value holds (plain containers, strings, numbers, numpy arrays,
    DataFrames), good enough to bound the cache; not exact: a long list or table is measured on
    its first ``SAMPLE`` items and scaled to its length."""
    if isinstance(value, pd.DataFrame):
        return _frame_size(value)
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + 112
    if isinstance(value, pa.Table):
        return int(value.nbytes) + 1024
    if isinstance(value, (str, bytes)):
        return sys.getsizeof(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return 32
    if _depth > 64:
        return 64
    if isinstance(value, dict):
        return 232 + sum(size_of(k, _depth + 1) + size_of(v, _depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = value if len(value) <= SAMPLE or isinstance(value, (set, frozenset)) else value[:SAMPLE]
        return 56 + 8 * len(value) + round(sum(size_of(v, _depth + 1) for v in items) * len(value) / max(len(items), 1))
    if hasattr(value, "__dataclass_fields__"):
        return 64 + sum(size_of(getattr(value, f), _depth + 1) for f in value.__dataclass_fields__)
    return 32


class SentFigure(go.Figure):
    """A figure kept as the dict Streamlit sends. ``st.plotly_chart`` reads a Figure through
    ``to_dict()`` and then serialises that dict (``plotly.io.to_json``); this one answers
    ``to_dict()`` from the kept dict, with a fresh top level and fresh trace dicts, so nothing
    Streamlit or Plotly does to its answer reaches the kept dict. Made by ``sent_figure``, without
    ``go.Figure.__init__`` (about 2.5 ms even for an empty figure): use it only to pass to
    ``st.plotly_chart``; for anything else, ``go.Figure(fig.to_dict())``."""

    def to_dict(self) -> dict:
        spec = object.__getattribute__(self, "_sent_spec")
        return {k: ([dict(t) for t in v] if k == "data" else v) for k, v in spec.items()}

    def to_plotly_json(self) -> dict:
        return self.to_dict()


def sent_figure(spec: dict) -> SentFigure:
    """The figure for ``st.plotly_chart`` of a kept spec (see ``SentFigure``)."""
    fig = object.__new__(SentFigure)
    object.__setattr__(fig, "_sent_spec", spec)
    return fig
