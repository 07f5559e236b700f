"""Reading sign-in sheets: CSV (comma, semicolon or tab; UTF-8, UTF-8 with BOM, UTF-16 with BOM or
Latin-1) and XLSX (title rows above the header are common). Only the recognised columns are kept;
row numbers are the ones a spreadsheet user sees.

Hostile files (security_probe.md, findings 4, 5, 12): everything here is linear in the file's
size and bounded by ``limits.Budget`` (rows, cells, characters per cell). An XLSX is measured
before it is opened (the sizes its zip directory gives, summed) and read with explicit column
bounds, so its ``<dimension>`` claim costs nothing; its XML is parsed by defusedxml through
openpyxl (no DTD, no entities). Any failure to read a file becomes a ``SheetError`` naming the
file, never a crash.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from .limits import Budget, LimitExceeded
from .normalise import UnsavedFormula, fold, is_blank

try:  # requirements.txt pins it; openpyxl uses it for every XML part when it is installed
    from defusedxml import DefusedXmlException
    _XML_REFUSED: tuple[type[Exception], ...] = (DefusedXmlException,)
except ImportError:  # pragma: no cover
    _XML_REFUSED = ()  # without it nothing refuses a part's XML

# canonical field -> folded header texts that mean it (Spanish and English, usual variants)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("fecha", "fecha de la sesion", "fecha sesion", "fecha de sesion", "fecha de asistencia", "dia", "date", "session date"),
    "territory": ("ciudad", "municipio", "ciudad municipio", "municipio ciudad", "territorio", "city", "municipality", "territory", "town"),
    "organisation": ("organizacion", "organizacion a la que pertenece", "nombre de la organizacion", "asociacion", "organizacion de recicladores", "organisation", "organization", "org"),
    "name": ("nombre", "nombres", "nombre completo", "nombres y apellidos", "nombre s y apellidos", "nombre y apellido", "nombre y apellidos", "apellidos y nombres", "name", "full name", "participant", "participante"),
    "document": ("cedula", "cedula de ciudadania", "no cedula", "n cedula", "numero de cedula", "documento", "documento de identidad", "no documento", "n documento", "numero de documento", "numero de identificacion", "identificacion", "cc", "c c", "document", "id", "id number", "document number"),
    "role": ("rol", "cargo", "rol cargo", "cargo rol", "role", "position"),
    "component": ("componente", "tema", "modulo", "actividad", "componente tema", "component", "topic", "module"),
    "department": ("departamento", "depto", "dpto", "depto dpto", "department", "state"),
}
# fields a sheet may give once, in its title block above the header ("Fecha: 14/02/2026 · Municipio:
# Soacha · Tema: SST"), for every row that leaves the cell empty or has no such column
TITLE_FIELDS = ("date", "territory", "department", "component", "organisation")
_LABEL_VALUE = re.compile(r"^\s*([^:]{2,40}?)\s*:\s*(\S.*?)\s*$")
_PARTS = re.compile(r"\s*[\u00b7|;\u2022]\s*|\s{3,}")
REQUIRED = ("date", "territory", "organisation", "component")
_FIELD_OF_HEADER = {alias: fieldname for fieldname, aliases in HEADER_ALIASES.items() for alias in aliases}
HEADER_SEARCH_ROWS = 30


class SheetError(ValueError):
    """A file that cannot be read at all (not a spreadsheet, a damaged file, a legacy .xls).
    ``key`` names it for the import's messages (``import.msg.file_KEY``)."""

    def __init__(self, text: str, key: str = "unreadable"):
        super().__init__(text)
        self.key = key


@dataclass
class Sheet:
    label: str  # what the user calls it: the file name, plus the worksheet for XLSX
    header_row: int | None
    columns: dict[str, str]  # field -> the header as written in the sheet
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)  # (row number, field -> value)
    ignored_headers: list[str] = field(default_factory=list)
    duplicate_headers: list[str] = field(default_factory=list)
    # field -> (row, value, label as written) of a value the title block gives for every row
    defaults: dict[str, tuple[int, object, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """A sheet as bytes in memory (uploaded or read from disk): names never touch the disk again."""

    label: str
    data: bytes


def _field_of(header) -> str | None:
    return None if is_blank(header) else _FIELD_OF_HEADER.get(fold(header))


def _known_fields(cells) -> int:
    return len({f for f in (_field_of(c) for c in cells) if f})


def _find_header(rows: list[tuple[int, list]]) -> int | None:
    """Index in ``rows`` of the first row, among rows 1 to 30, naming at least three known
    columns, or two of which one is the name or the document (a sheet whose date, place and
    component are in its title block lists only people) (``rows`` holds only rows with a value,
    with their numbers)."""
    for i, (number, cells) in enumerate(rows):
        if number > HEADER_SEARCH_ROWS:
            break
        if _is_header(cells):
            return i
    return None


def _is_header(cells) -> bool:
    found = {f for f in (_field_of(c) for c in cells) if f}
    return len(found) >= 3 or (len(found) >= 2 and bool(found & {"name", "document"}))


class _DataRows:
    """Tells the rows a sheet reader meets apart: the title lines and the header (at most
    HEADER_SEARCH_ROWS of them) are not data, so the row limit counts the attendance only."""

    def __init__(self):
        self.header_seen = False

    def is_data(self, number: int, cells) -> bool:
        if self.header_seen or number > HEADER_SEARCH_ROWS:
            return True
        self.header_seen = _is_header(cells)
        return False


def _empty(value) -> bool:
    """No value at all: a formula without its saved value is something, said as such."""
    return is_blank(value) and not isinstance(value, UnsavedFormula)


def _title_block(rows: list[tuple[int, list]]) -> dict[str, tuple[int, object, str]]:
    """What the lines above the header give once for the whole sheet: "Label: value" in one
    cell (several in a cell, split by ·, |, ; or wide spaces), or "Label:" and its value in the
    next cell. The first value of each field wins."""
    found: dict[str, tuple[int, object, str]] = {}
    for number, cells in rows:
        for i, cell in enumerate(cells):
            if is_blank(cell) or not isinstance(cell, str):
                continue
            for part in _PARTS.split(cell.strip()):
                m = _LABEL_VALUE.match(part)
                if m and (name := _field_of(m.group(1))) is not None and name in TITLE_FIELDS:
                    found.setdefault(name, (number, m.group(2), m.group(1).strip()))
                elif part.endswith(":") and (name := _field_of(part[:-1])) is not None and name in TITLE_FIELDS:
                    rest = [c for c in cells[i + 1:] if not is_blank(c)]
                    if rest:
                        found.setdefault(name, (number, rest[0], part[:-1].strip()))
    return found


def _sheet_from_rows(label: str, rows: list[tuple[int, list]]) -> Sheet:
    at = _find_header(rows)
    if at is None:
        return Sheet(label, None, {})
    header_row, headers = rows[at]
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    ignored, duplicated = [], []
    for pos, header in enumerate(headers):
        fieldname = _field_of(header)
        if fieldname is None:
            if not is_blank(header):
                ignored.append(str(header).strip())
        elif fieldname in columns:
            duplicated.append(str(header).strip())
        else:
            columns[fieldname] = str(header).strip()
            positions[fieldname] = pos
    sheet = Sheet(label, header_row, columns, ignored_headers=ignored, duplicate_headers=duplicated,
                  defaults=_title_block(rows[:at]))
    for number, cells in rows[at + 1 :]:
        values = {f: (cells[p] if p < len(cells) else None) for f, p in positions.items()}
        if all(_empty(v) for v in values.values()):
            continue  # an empty line
        sheet.rows.append((number, values))
    return sheet


_NOT_TEXT = "holds NUL characters, so it is not a text CSV (perhaps UTF-16 without its byte-order mark, or not a sheet at all); save it as CSV UTF-8 or .xlsx"


def _decode(source: Source) -> str:
    data = source.data
    try:
        if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
            text = data.decode("utf-32")  # the byte-order mark tells the byte order; it is dropped
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")  # Excel's "Unicode text"
        elif data.startswith(b"\xef\xbb\xbf"):
            text = data[3:].decode("utf-8")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1252", errors="strict") if _is_cp1252(data) else data.decode("latin-1")
    except UnicodeDecodeError:
        raise SheetError(f"{source.label}: starts like UTF-16 or UTF-32 text but is damaged; save it again as CSV UTF-8") from None
    if "\x00" in text:
        raise SheetError(f"{source.label}: {_NOT_TEXT}", "not_text")
    return text


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


DELIMITERS = (";", ",", "\t")
DELIMITER_SAMPLE_CHARS = 64 * 1024


def _delimiter(text: str) -> str:
    """The separator, from the first 30 lines with a value (within the first 64 KB): the one
    that splits a line into a header with the most recognised columns; failing that, the one
    that occurs most often outside quotes. csv.reader is linear in its input; csv.Sniffer is
    not (its regular expression took 55 s on 96 KB of ',"a')."""
    lines = [line for line in text[:DELIMITER_SAMPLE_CHARS].splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    best, best_fields, counts = DELIMITERS[0], 0, {}
    for d in DELIMITERS:
        records = list(csv.reader(lines, delimiter=d, strict=False))
        fields = max((_known_fields(r) for r in records), default=0)
        counts[d] = sum(len(r) - 1 for r in records)
        if fields > best_fields:
            best, best_fields = d, fields
    if best_fields >= 3:
        return best
    return max(DELIMITERS, key=lambda d: counts[d])  # ties: the order of DELIMITERS


def read_csv(source: Source, budget: Budget | None = None) -> list[Sheet]:
    budget = budget or Budget()
    max_columns = budget.limits.max_columns
    text = _decode(source)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    # Row numbers are records: the header is row 1 when it is the first line, as a spreadsheet
    # shows a CSV. Rows without any value are not kept.
    rows = []
    number = 0
    data = _DataRows()
    try:
        for number, record in enumerate(reader, start=1):
            cells = [c.strip() for c in record[:max_columns]]
            if not any(cells):
                continue
            budget.row(source.label, number, len(record), data=data.is_data(number, cells))
            for c in cells:
                budget.cell_text(source.label, number, c)
            rows.append((number, cells))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise LimitExceeded("cell_chars", source.label, limit=budget.limits.max_cell_chars, row=number + 1) from None
        raise SheetError(f"{source.label}: cannot be read as CSV near row {number + 1} ({exc}); save it again as CSV UTF-8") from None
    return [_sheet_from_rows(source.label, rows)]


def _check_zip(source: Source, budget: Budget) -> None:
    """Refuse a workbook whose parts unzip to more than the limit, before anything is unzipped."""
    try:
        with zipfile.ZipFile(io.BytesIO(source.data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise SheetError(f"{source.label}: cannot be opened as an Excel workbook ({type(exc).__name__}); save it again as .xlsx or CSV", "damaged") from None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > budget.limits.max_unpacked_bytes:
        raise LimitExceeded("unpacked_bytes", source.label, size_bytes=unpacked, limit_bytes=budget.limits.max_unpacked_bytes)
    worksheets = sum(1 for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml"))
    if worksheets > budget.limits.max_worksheets:
        raise LimitExceeded("worksheets", source.label, n=worksheets, limit=budget.limits.max_worksheets)


def _worksheet_rows(ws, label: str, budget: Budget, formulas=None) -> list[tuple[int, list]]:
    """The rows of a worksheet that hold a value, numbered, at most max_columns wide.

    Its <dimension> claim is ignored both ways: the explicit max_col means A1:XFD1048576 widens
    nothing, and reset_dimensions() means a claim of fewer rows than the XML holds (A1:G2 over
    ten rows) cuts nothing. Rows the XML does not have come back as one shared empty tuple,
    skipped at no cost. ``formulas``: (the same worksheet opened without data_only, read in step,
    the workbook's _Formulas), so a formula without a saved value becomes an UnsavedFormula
    instead of an empty cell."""
    rows = []
    width = budget.limits.max_columns
    data = _DataRows()
    ws.reset_dimensions()
    values_rows = ws.iter_rows(min_row=1, max_col=width, values_only=True)
    if formulas is not None:
        written_ws, found = formulas
        written_ws.reset_dimensions()
        both = zip(values_rows, written_ws.iter_rows(min_row=1, max_col=width, values_only=True), strict=True)
        values_rows = (found.merged(values, written) for values, written in both)
    for number, values in enumerate(values_rows, start=1):
        if values.count(None) == len(values):
            continue
        cells = list(values)
        if all(_empty(v) for v in cells):
            continue
        budget.row(label, number, len(cells), data=data.is_data(number, cells))
        for v in cells:
            budget.cell_text(label, number, v)
        rows.append((number, cells))
    return rows


def read_xlsx(source: Source, budget: Budget | None = None) -> list[Sheet]:
    budget = budget or Budget()
    _check_zip(source, budget)
    try:
        book = openpyxl.load_workbook(io.BytesIO(source.data), read_only=True, data_only=True, keep_links=False)
    except (LimitExceeded, SheetError, MemoryError):
        raise
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        if _caused_by(exc, _XML_REFUSED):  # openpyxl wraps it in a ValueError
            raise SheetError(_xml_refused(source.label), "xml_refused") from None
        raise SheetError(f"{source.label}: cannot be opened as an Excel workbook ({type(exc).__name__}); save it again as .xlsx or CSV") from None
    read = []
    written, found = None, _Formulas()
    try:
        if _has_formulas(source.data):
            written = openpyxl.load_workbook(io.BytesIO(source.data), read_only=True, data_only=False, keep_links=False)
        worksheets = book.worksheets
        for i, ws in enumerate(worksheets):
            label = source.label if len(worksheets) == 1 else f"{source.label} [{ws.title}]"
            formulas = (written.worksheets[i], found) if written is not None else None
            read.append((label, _worksheet_rows(ws, label, budget, formulas)))
    except (LimitExceeded, SheetError, MemoryError):
        raise
    except Exception as exc:
        if _caused_by(exc, _XML_REFUSED):
            raise SheetError(_xml_refused(source.label), "xml_refused") from None
        if _caused_by(exc, ET.ParseError):
            raise SheetError(f"{source.label}: the workbook's XML is damaged; save it again as .xlsx or CSV", "damaged") from None
        raise SheetError(f"{source.label}: cannot be read as an Excel workbook ({type(exc).__name__}); save it again as .xlsx or CSV") from None
    finally:
        book.close()
        if written is not None:
            written.close()
    sheets = []
    for label, rows in read:
        sheet = _sheet_from_rows(label, found.settled(rows))
        if sheet.header_row is not None or len(read) == 1:
            sheets.append(sheet)
    return sheets or [Sheet(source.label, None, {})]


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_SCAN_CHUNK = 1024 * 1024


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (an <f> element), found by scanning
    its XML as it unzips (the sizes were checked by _check_zip): only then is it read a second
    time, for the formulas, in step with the values."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            with archive.open(info) as part:
                tail = b""
                while chunk := part.read(_SCAN_CHUNK):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-64:]
    return False


class _Formulas:
    """The formula cells of one workbook, met as its rows are read in step with their saved
    values. A workbook in which some formula has a saved value was calculated when it was saved:
    a formula there without one has an empty result (Excel saves "" as an empty value), and is an
    empty cell. In a workbook where no formula has one, nothing was calculated (a program that
    does not calculate wrote it): each is an UnsavedFormula, named as such."""

    def __init__(self):
        self.calculated = False

    def merged(self, values: tuple, written: tuple) -> tuple:
        """``values`` (data_only) with every cell that has no value but a formula in ``written``
        (the same row read without data_only) marked as an UnsavedFormula."""
        if not self.calculated:
            self.calculated = any(v is not None and _is_formula(w) for v, w in zip(values, written))
        if not any(v is None and w is not None for v, w in zip(values, written)):
            return values
        return tuple(UnsavedFormula() if v is None and _is_formula(w) else v for v, w in zip(values, written))

    def settled(self, rows: list[tuple[int, list]]) -> list[tuple[int, list]]:
        """``rows`` once the whole workbook is read: in a calculated one, a formula without a value
        is an empty cell."""
        if not self.calculated:
            return rows
        settled = [(number, [None if isinstance(v, UnsavedFormula) else v for v in cells]) for number, cells in rows]
        return [(number, cells) for number, cells in settled if not all(_empty(v) for v in cells)]


def _is_formula(value) -> bool:
    return (isinstance(value, str) and value.startswith("=")) or isinstance(value, (ArrayFormula, DataTableFormula))


def _caused_by(exc: BaseException | None, kind) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _xml_refused(label: str) -> str:
    return (f"{label}: the workbook's XML declares entities or a DTD, which are refused (they can read files "
            "or expand without end); save it again from Excel or LibreOffice as .xlsx, or as CSV")


def read(source: Source, budget: Budget | None = None) -> list[Sheet]:
    """The sheets of one file. Raises SheetError (not a sheet, damaged, refused) or
    LimitExceeded; any other failure to read it is turned into a SheetError."""
    budget = budget or Budget()
    name = source.label.lower()
    if name.endswith(".xls"):
        raise SheetError(f"{source.label}: old .xls workbooks are not read; open it and save it as .xlsx or CSV", "xls")
    try:
        if name.endswith((".xlsx", ".xlsm")) or source.data[:4] == b"PK\x03\x04":
            return read_xlsx(source, budget)
        if name.endswith((".csv", ".txt", ".tsv")) or "." not in name.rsplit("/", 1)[-1]:
            return read_csv(source, budget)
    except (LimitExceeded, SheetError, MemoryError):
        raise
    except Exception as exc:  # whatever else a hostile file provokes: a refusal, not a crash
        raise SheetError(f"{source.label}: cannot be read ({type(exc).__name__}); save the sheet again as .xlsx or CSV") from None
    raise SheetError(f"{source.label}: not a CSV or XLSX file; save the sheet as .xlsx or CSV", "not_sheet")
