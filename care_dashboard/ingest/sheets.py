"""Reading sign-in sheets: CSV (comma, semicolon or tab; UTF-8, UTF-8 with BOM or Latin-1) and
XLSX (title rows above the header are common). Only the recognised columns are kept; row numbers
are the ones a spreadsheet user sees."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import openpyxl

from .normalise import fold, is_blank

# canonical field -> folded header texts that mean it (Spanish and English, usual variants)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("fecha", "fecha de la sesion", "fecha sesion", "fecha de sesion", "fecha de asistencia", "dia", "date", "session date"),
    "territory": ("ciudad", "municipio", "ciudad municipio", "municipio ciudad", "territorio", "city", "municipality", "territory", "town"),
    "organisation": ("organizacion", "organizacion a la que pertenece", "nombre de la organizacion", "asociacion", "organizacion de recicladores", "organisation", "organization", "org"),
    "name": ("nombre", "nombres", "nombre completo", "nombres y apellidos", "nombre s y apellidos", "nombre y apellido", "nombre y apellidos", "apellidos y nombres", "name", "full name", "participant", "participante"),
    "document": ("cedula", "cedula de ciudadania", "no cedula", "n cedula", "numero de cedula", "documento", "documento de identidad", "no documento", "n documento", "numero de documento", "numero de identificacion", "identificacion", "cc", "c c", "document", "id", "id number", "document number"),
    "role": ("rol", "cargo", "rol cargo", "cargo rol", "role", "position"),
    "component": ("componente", "tema", "modulo", "actividad", "componente tema", "component", "topic", "module"),
}
REQUIRED = ("date", "territory", "organisation", "component")
_FIELD_OF_HEADER = {alias: fieldname for fieldname, aliases in HEADER_ALIASES.items() for alias in aliases}
HEADER_SEARCH_ROWS = 30


class SheetError(ValueError):
    """A file that cannot be read at all (not a spreadsheet, a damaged file, a legacy .xls)."""


@dataclass
class Sheet:
    label: str  # what the user calls it: the file name, plus the worksheet for XLSX
    header_row: int | None
    columns: dict[str, str]  # field -> the header as written in the sheet
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)  # (row number, field -> value)
    ignored_headers: list[str] = field(default_factory=list)
    duplicate_headers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """A sheet as bytes in memory (uploaded or read from disk): names never touch the disk again."""

    label: str
    data: bytes


def _field_of(header) -> str | None:
    return None if is_blank(header) else _FIELD_OF_HEADER.get(fold(header))


def _find_header(rows: list[tuple[int, list]]) -> int | None:
    """Index in ``rows`` of the first row naming at least three known columns."""
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if len({f for f in (_field_of(c) for c in cells) if f}) >= 3:
            return i
    return None


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
    sheet = Sheet(label, header_row, columns, ignored_headers=ignored, duplicate_headers=duplicated)
    for number, cells in rows[at + 1 :]:
        values = {f: (cells[p] if p < len(cells) else None) for f, p in positions.items()}
        if all(is_blank(v) for v in values.values()):
            continue  # an empty line
        sheet.rows.append((number, values))
    return sheet


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict") if _is_cp1252(data) else data.decode("latin-1")


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: sum(line.count(d) for line in lines) for d in (",", ";", "\t")}
        return max(counts, key=counts.get)


def read_csv(source: Source) -> list[Sheet]:
    text = _decode(source.data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    # Row numbers are records: the header is row 1 when it is the first line, as a spreadsheet
    # shows a CSV.
    rows = [(i, [c.strip() for c in record]) for i, record in enumerate(reader, start=1)]
    return [_sheet_from_rows(source.label, rows)]


def read_xlsx(source: Source) -> list[Sheet]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise SheetError(f"{source.label}: cannot be opened as an Excel workbook ({type(exc).__name__}); save it again as .xlsx or CSV") from None
    sheets = []
    try:
        for ws in book.worksheets:
            rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)]
            label = source.label if len(book.worksheets) == 1 else f"{source.label} [{ws.title}]"
            sheet = _sheet_from_rows(label, rows)
            if sheet.header_row is not None or len(book.worksheets) == 1:
                sheets.append(sheet)
    finally:
        book.close()
    return sheets or [Sheet(source.label, None, {})]


def read(source: Source) -> list[Sheet]:
    name = source.label.lower()
    if name.endswith(".xls"):
        raise SheetError(f"{source.label}: old .xls workbooks are not read; open it and save it as .xlsx or CSV")
    if name.endswith((".xlsx", ".xlsm")) or source.data[:4] == b"PK\x03\x04":
        return read_xlsx(source)
    if name.endswith((".csv", ".txt", ".tsv")) or "." not in name.rsplit("/", 1)[-1]:
        return read_csv(source)
    raise SheetError(f"{source.label}: not a CSV or XLSX file; save the sheet as .xlsx or CSV")
