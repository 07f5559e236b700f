"""A table defined once, typed: its columns in order, each with its header, its values (numbers as
numbers, dates as dates, NULL where unknown) and, for an empty number, why it is empty. The page
shows it formatted (``Table.display``: "1.234", "not published", "<5"); the CSV and the Excel
file write it typed, each unknown cell empty with a column saying why (``exports``). So both are
drawn from one definition, and no text is ever parsed back into a number (pure).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import i18n

COUNT, DECIMAL, DATE, TEXT = "count", "decimal", "date", "text"


class Missing(NamedTuple):
    """Why a number is not there: in the cell on the page (``shown``: "<5"), and in words in an
    export's marker column (``said``: "hidden: fewer than 5 people")."""

    shown: str
    said: str


def missing(text: str) -> Missing:
    """A reason that reads the same in a cell and in words ("did not take part")."""
    return Missing(text, text)


@dataclass(frozen=True)
class Column:
    header: str
    values: list  # numbers (int, float), dates or texts; None where unknown
    kind: str = TEXT  # COUNT, DECIMAL, DATE or TEXT
    # for an empty cell of a number column, why it is empty; None there means "not published"
    why: list[Missing | None] | None = None
    # the page's text of each cell where it says more than the value (a matrix cell: participations
    # and people); the exports then write ``parts``, the numbers that text is made of
    shown: list | None = None
    parts: tuple[Column, ...] = ()

    @property
    def is_number(self) -> bool:
        return self.kind in (COUNT, DECIMAL)

    def reason(self, i: int, lang: str) -> Missing | None:
        """Why cell ``i`` is empty (None when it holds a value)."""
        if self.values[i] is not None and not _isna(self.values[i]):
            return None
        given = self.why[i] if self.why is not None else None
        if given is not None:
            return given
        return missing(i18n.t("common.not_published", lang)) if self.is_number else None

    def cells(self, lang: str) -> list:
        """The column as the page shows it."""
        if self.shown is not None:
            return list(self.shown)
        if self.kind == TEXT:
            return list(self.values)
        if self.kind == DECIMAL:
            return [None if _isna(v) else v for v in self.values]
        if self.kind == DATE:
            return [None if _isna(v) else i18n.date(v, lang) for v in self.values]
        # thousands of rows repeat a few counts: each distinct one is formatted once, and the
        # cells are picked from those texts at once
        codes, distinct = pd.factorize(pd.Series(self.values, dtype=object), use_na_sentinel=True)
        texts = np.empty(len(distinct) + 1, dtype=object)
        texts[:-1] = [i18n.number(v, lang) for v in distinct.tolist()]
        out = texts[codes]  # code -1, an empty cell, picks the last slot: filled below
        for i in np.flatnonzero(codes == -1).tolist():
            why = self.reason(i, lang)
            out[i] = why.shown if why is not None else None
        return out.tolist()

    def exported(self) -> tuple[Column, ...]:
        """The columns an export writes for this one."""
        return self.parts or (self,)


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    lang: str
    _display: list = field(default_factory=list, repr=False, compare=False)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def __len__(self) -> int:
        return len(self.columns[0].values) if self.columns else 0

    def display(self) -> pd.DataFrame:
        """The table as the page shows it: every cell in words, headers as given (two columns
        may share a name); made once and kept (never change it)."""
        if not self._display:
            out = pd.DataFrame({i: c.cells(self.lang) for i, c in enumerate(self.columns)}, index=range(len(self)))
            out.columns = pd.Index(self.headers)
            self._display.append(out)
        return self._display[0]

    @classmethod
    def of_frame(cls, df: pd.DataFrame, lang: str) -> Table:
        """A table of ``df``'s columns as they are (numbers where pandas holds numbers)."""
        columns = []
        for name in df.columns:
            series = df[name]
            kind = DECIMAL if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series) else TEXT
            columns.append(Column(str(name), [None if _isna(v) else v for v in series.tolist()], kind))
        return cls(tuple(columns), lang)


def count(header: str, values, why: list[Missing | None] | None = None) -> Column:
    """A column of counts: whole numbers, None where unknown."""
    return Column(header, [None if _isna(v) else int(v) for v in _list(values)], COUNT, why)


def text(header: str, values) -> Column:
    return Column(header, _list(values), TEXT)


def _list(values) -> list:
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _isna(value) -> bool:
    if value is None or isinstance(value, (str, dt.date, tuple, list)):
        return value is None
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
