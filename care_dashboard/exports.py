"""Files people take away: a CSV of exactly what a table or chart shows, headed by its unit, its
caveats, the filters, the source and the licence (pure).

Spreadsheet formula injection: a cell that begins with = + - @ (and is not a number), a tab or a
carriage return would run as a formula when the CSV is opened in Excel or LibreOffice; such cells
are written with a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import pandas as pd

from . import i18n
from .caveats import Caveat
from .filters import FILTERS

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*|\d*[.,]\d+)([eE][+-]?\d+)?$")


def neutralise(value) -> str:
    """A cell as text that no spreadsheet will run as a formula."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(text):
        return "'" + text
    return text


@dataclass(frozen=True)
class ExportHeader:
    title: str
    unit: str
    caveats: list[Caveat]
    filters: str
    dataset: str
    source: str
    licence: str
    notes: list[str] = field(default_factory=list)  # what the figure's data calls to be said (not in this sum)


def header_rows(header: ExportHeader, lang: str) -> list[list[str]]:
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    rows = [[header.title], [t("exports.unit", unit=header.unit)]]
    rows += [[t("exports.caveat", title=c.title, text=c.text)] for c in header.caveats]
    rows += [[t("exports.note", note=n)] for n in header.notes]
    rows += [
        [t("exports.filters", filters=header.filters)],
        [t("exports.dataset", dataset=header.dataset)],
        [t("exports.source", source=header.source)],
        [t("exports.licence", licence=header.licence)],
        [],
    ]
    return rows


def csv_bytes(df: pd.DataFrame, header: ExportHeader, lang: str) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows accents right; header block, blank row, table."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in header_rows(header, lang):
        writer.writerow([neutralise(v) for v in row])
    writer.writerow([neutralise(c) for c in df.columns])
    for record in df.itertuples(index=False):
        writer.writerow([neutralise(v) for v in record])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def filters_text(selection, labels, lang: str) -> str:
    """The sidebar selection in words: "Component: Human rights; Territory: all"."""
    parts = []
    for f in FILTERS:
        ids = selection.chosen(f.key)
        chosen = ", ".join(f.namer(labels)(i) for i in ids) if ids else i18n.t("sidebar.all", lang)
        parts.append(f"{f.name(lang)}: {chosen}")
    return "; ".join(parts)
