"""Files people take away: a CSV and an Excel workbook of exactly what a table or chart shows,
with its unit, its caveats in full, the filters, the source and the licence; and the names of
these files and of a chart's saved image (pure).

Both write the table typed (``typed_table.Table``): numbers as numbers, and an unknown number as
an empty cell with, in a column beside it, why it is empty ("not published", "hidden: fewer than
5 people"); never words inside a number column. The Spanish CSV is what a Spanish spreadsheet
reads: ";" between cells and a decimal comma.

Spreadsheet formula injection: a cell that begins with = + - @ (and is not a number), a tab or a
carriage return would run as a formula when the CSV is opened in Excel or LibreOffice; such cells
are written with a leading apostrophe, which spreadsheets show as text. In the workbook every text
cell is stored as a string, never a formula, so it needs no apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from . import i18n
from .caveats import Caveat
from .filters import FILTERS
from .typed_table import DATE, DECIMAL, Column, Table

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
    # what each caveat rests on ("report §6.1"), in the order of ``caveats``; the notes sheet says it
    rests_on: list[str] = field(default_factory=list)


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


SEPARATOR = {"en": ",", "es": ";"}
BOLD = Font(name="Calibri", size=11, bold=True)  # the workbook's own font, bold
DECIMAL_MARK = {"en": ".", "es": ","}


def _table(data: Table | pd.DataFrame, lang: str) -> Table:
    return data if isinstance(data, Table) else Table.of_frame(data, lang)


def typed_columns(table: Table, lang: str) -> list[tuple[Column, list]]:
    """The columns an export writes, each with its values: a number column with an empty cell is
    followed by its marker column, which says why each empty cell is empty."""
    out: list[tuple[Column, list]] = []
    for column in (c for shown in table.columns for c in shown.exported()):
        out.append((column, list(column.values)))
        if not column.is_number:
            continue
        reasons = [column.reason(i, lang) for i in range(len(column.values))]
        if any(r is not None for r in reasons):
            marker = Column(i18n.t("exports.why_empty", lang, column=column.header), [], "text")
            out.append((marker, [None if r is None else r.said for r in reasons]))
    return out


def _csv_value(value, kind: str, lang: str) -> str:
    """A cell of the CSV: a number in the language's notation (no thousands separator, which a
    spreadsheet would misread), a date as 2025-04-10, a text neutralised."""
    if value is None or (not isinstance(value, (str, dt.date)) and pd.isna(value)):
        return ""
    if kind == DATE and isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return neutralise(value)
    written = repr(value) if kind == DECIMAL or isinstance(value, float) else str(int(value))
    return written.replace(".", DECIMAL_MARK[i18n.normalise_lang(lang)])


def csv_bytes(data: Table | pd.DataFrame, header: ExportHeader, lang: str) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows accents right; header block, blank row, table
    (typed: ``typed_columns``), "," between cells in English and ";" in Spanish."""
    table = _table(data, lang)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=SEPARATOR[i18n.normalise_lang(lang)], lineterminator="\r\n")
    for row in header_rows(header, lang):
        writer.writerow([neutralise(v) for v in row])
    columns = typed_columns(table, lang)
    writer.writerow([neutralise(c.header) for c, _ in columns])
    for i in range(len(table)):
        writer.writerow([_csv_value(values[i], c.kind, lang) for c, values in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _text(value: str) -> str:
    """A text as a workbook may hold it: characters XML refuses are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _put(sheet, row: int, col: int, value):
    """A cell; a text is stored as a string, so one that begins with "=" is never a formula."""
    cell = sheet.cell(row=row, column=col)
    if value is None or (not isinstance(value, (str, dt.date)) and pd.isna(value)):
        return cell
    if isinstance(value, bool) or not isinstance(value, (int, float, dt.date)):
        cell.value = _text(str(value))
        cell.data_type = "s"
    else:
        cell.value = value
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    return cell


def notes_rows(header: ExportHeader, lang: str) -> list[tuple[str, str]]:
    """The notes sheet: what each line is, and what it says (every caveat in full)."""
    t = lambda key: i18n.t(f"exports.{key}", lang)  # noqa: E731
    rows = [(t("row_title"), header.title), (t("row_unit"), header.unit)]
    rests = header.rests_on or [""] * len(header.caveats)
    for caveat, where in zip(header.caveats, rests):
        rows.append((t("row_caveat"), f"{caveat.title}. {caveat.text}" + (f" ({where})" if where else "")))
    rows += [(t("row_note"), n) for n in header.notes]
    rows += [(t("row_filters"), header.filters), (t("row_dataset"), header.dataset),
             (t("row_source"), header.source), (t("row_licence"), header.licence)]
    return rows


def xlsx_bytes(data: Table | pd.DataFrame, header: ExportHeader, lang: str) -> bytes:
    """An Excel workbook: a data sheet (its column names in row 1, numbers as numbers, an unknown
    number empty with its marker column: ``typed_columns``), then a notes sheet with the title,
    the unit, every caveat in full, the notes, the filters, the dataset, the source and the
    licence."""
    table = _table(data, lang)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = i18n.t("exports.sheet_data", lang)
    columns = typed_columns(table, lang)
    for j, (column, values) in enumerate(columns, start=1):
        _put(sheet, 1, j, column.header).font = BOLD
        for i, value in enumerate(values, start=2):
            _put(sheet, i, j, value)
        # wide enough for its name and its first cells, within reason
        longest = max([len(column.header), *(len(str(v)) for v in values[:200] if v is not None)])
        sheet.column_dimensions[get_column_letter(j)].width = min(max(10, longest + 2), 60)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(i18n.t("exports.sheet_notes", lang))
    for i, (what, said) in enumerate(notes_rows(header, lang), start=1):
        _put(notes, i, 1, what).font = BOLD
        _put(notes, i, 2, said).alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filter_slug(selection) -> str:
    """The filters in a file name: "component-ohs_territory-cajica", "all" when nothing is
    filtered; ids are reduced to letters, digits and dashes, and a long list is cut and given a
    short hash of the whole, so two selections never share a name."""
    parts = []
    for f in FILTERS:
        ids = selection.chosen(f.key)
        if ids:
            parts.append(f.key + "-" + "+".join(_slug(i) for i in ids))
    if not parts:
        return "all"
    slug = "_".join(parts)
    if len(slug) > 60:
        slug = slug[:50].rstrip("-_+") + "-" + hashlib.sha256("_".join(parts).encode()).hexdigest()[:8]
    return slug


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "x"


def file_name(key: str, lang: str, selection, ext: str, size: str | None = None) -> str:
    """The name of a file taken away: the figure, its language, its filters (and the image's
    size), e.g. care-territory_participations-es-component-ohs.csv."""
    parts = ["care", _slug(key).replace("-", "_"), i18n.normalise_lang(lang), filter_slug(selection)]
    if size:
        parts.append(size)
    return "-".join(parts) + (f".{ext}" if ext else "")


def filters_text(selection, labels, lang: str) -> str:
    """The sidebar selection in words: "Component: Human rights; Territory: all"."""
    parts = []
    for f in FILTERS:
        ids = selection.chosen(f.key)
        chosen = ", ".join(f.namer(labels)(i) for i in ids) if ids else i18n.t("sidebar.all", lang)
        parts.append(f"{f.name(lang)}: {chosen}")
    return "; ".join(parts)
