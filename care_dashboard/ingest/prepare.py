"""Reading, checking and pseudonymising the sheets of one import: all the work on the uploaded
bytes, none on the stored dataset. ``isolation`` runs it in a child process with memory and
time limits; the result holds no name and no document number, only person keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from . import identity, reference, sheets, validate
from .limits import DEFAULT, Budget, Limits
from .messages import Message, grouped

# the columns of a prepared row: where it came from (for messages), then what is stored
ROW_COLUMNS = ["label", "row", "session_date", "territory_id", "component_id", "organisation_name", "person_key", "role"]


@dataclass(frozen=True)
class Progress:
    """What an import is doing, for a progress line: ``stage`` is waiting, reading, checking or
    writing (``import.progress.STAGE`` is its text), ``values`` the figures in that text."""

    stage: str
    values: dict = field(default_factory=dict)


ProgressCallback = Callable[[Progress], None]


def _quiet(progress: Progress) -> None:
    pass


@dataclass
class Prepared:
    problems: list[Message]
    warnings: list[Message]
    rows: pd.DataFrame | None  # ROW_COLUMNS, one row per sheet row; None when there are problems
    # what the preview says: the worksheets read (label, rows) and the components written in the
    # sheets that nothing declares, as written (each with the programme-file lines to add)
    sheets_read: list[tuple[str, int]] = field(default_factory=list)
    unknown_components: list[str] = field(default_factory=list)


def read_all(sources: list[sheets.Source], limits: Limits = DEFAULT,
             on_progress: ProgressCallback = _quiet, only_sheets: dict | None = None
             ) -> tuple[list[sheets.Sheet], list[Message], list[Message]]:
    """Every sheet of every file; one problem per file that cannot be read. Raises
    LimitExceeded when the import as a whole goes over a limit. ``only_sheets``: for a workbook
    (by file label), the names of the worksheets to read; the others are left out."""
    found, problems, warnings = [], [], []
    seen: dict[str, str] = {}
    budget = Budget(limits)
    for i, source in enumerate(sources, start=1):
        on_progress(Progress("reading", {"file": source.label, "i": i, "n": len(sources)}))
        digest = hashlib.sha256(source.data).hexdigest()
        if digest in seen:
            warnings.append(Message("same_file", source.label, first=seen[digest]))
            continue
        seen[digest] = source.label
        try:
            read = sheets.read(source, budget)
        except sheets.SheetError as exc:
            detail = str(exc).removeprefix(f"{source.label}: ")
            problems.append(Message(f"file_{exc.key}", source.label, 1, "(file)", detail=detail))
            continue
        chosen = (only_sheets or {}).get(source.label)
        if chosen:
            read = [s for s in read if s.label.rsplit(" [", 1)[-1].rstrip("]") in chosen or s.label in chosen]
        for sheet in read:
            if sheet.header_row is None and len(read) > 1:
                # a workbook's worksheet without attendance (notes, a summary): left out, and said
                warnings.append(Message("sheet_skipped", sheet.label))
                continue
            if sheet.ignored_headers:
                warnings.append(Message("columns_not_used", sheet.label, sheet.header_row, columns=", ".join(sheet.ignored_headers)))
            if sheet.duplicate_headers:
                warnings.append(Message("columns_repeated", sheet.label, sheet.header_row, columns=", ".join(sheet.duplicate_headers)))
            if sheet.header_row is not None and "document" not in sheet.columns:
                warnings.append(Message("no_document_column", sheet.label, sheet.header_row))
            if sheet.defaults:
                given = ", ".join(f"{written}: {value}" for _, value, written in sheet.defaults.values())
                warnings.append(Message("title_block_used", sheet.label, sorted({r for r, _, _ in sheet.defaults.values()}), given=given))
            found.append(sheet)
    if not found and not problems:
        problems = [Message("no_attendance", src.label, 1, "(file)") for src in sources]  # no worksheet had a header
    return found, problems, warnings


_DIGIT_RUN = re.compile(r"\d{6,12}")


def _role_warnings(raw: pd.DataFrame) -> list[Message]:
    """A Rol / Cargo cell with a long number in it probably holds a document number: it is stored
    as "other" (never as written); say where, without repeating it."""
    if raw.empty:
        return []
    found = []
    for label, row, cells, sheet in raw[["label", "row", "cells", "sheet"]].itertuples(index=False):
        value = cells.get("role")
        if isinstance(value, str) and _DIGIT_RUN.search(re.sub(r"[\s.,-]", "", value)):
            found.append(Message("role_holds_number", label, int(row), sheet.columns.get("role", "")))
    return grouped(found)


def _organisation_warnings(raw: pd.DataFrame) -> list[Message]:
    """An organisation cell that holds a participant's name among other words may bear the name
    of a person who attends ("Asociación Manuel Pérez") or hold a name by mistake: say where,
    without repeating it (one that is nothing but the name is refused by ``validate``)."""
    if raw.empty:
        return []
    found = []
    for label, row, cells, sheet, participant in raw[["label", "row", "cells", "sheet", "participant"]].itertuples(index=False):
        if participant and participant[0] == "holds":
            where_row, column = validate.where(sheet, cells, int(row), "organisation")
            found.append(Message("organisation_holds_participant", label, where_row, column, participant_row=participant[1]))
    return grouped(found)


def prepare(sources: list[sheets.Source], key: bytes, today: dt.date | None = None, limits: Limits = DEFAULT,
            on_progress: ProgressCallback = _quiet, catalogue: reference.ComponentCatalogue | None = None,
            only_sheets: dict | None = None) -> Prepared:
    """Read and check every sheet, then replace document numbers by person keys. Raises
    LimitExceeded; every other problem is a ``Message`` of ``problems``. ``catalogue``: the
    components the import knows (CARE 2025's, the dataset's, the programme file's)."""
    ref = reference.load()
    catalogue = catalogue or reference.component_catalogue()
    found, problems, warnings = read_all(sources, limits, on_progress, only_sheets)
    on_progress(Progress("checking"))
    raw, norm, row_problems = validate.validate(found, ref, catalogue, today)
    problems += row_problems
    sheets_read = [(s.label, len(s.rows)) for s in found]
    unknown = validate.unknown_components(raw, norm) if not norm.empty else []
    if problems:
        return Prepared(problems, warnings, None, sheets_read, unknown)
    warnings += _role_warnings(raw) + _organisation_warnings(raw)
    rows = pd.DataFrame({
        "label": raw["label"],
        "row": raw["row"].astype(int),
        "session_date": norm["session_date"],
        "territory_id": norm["territory_id"],
        "component_id": norm["component_id"],
        "organisation_name": norm["organisation_name"],
        "person_key": norm["document"].map(lambda d: identity.person_key(d, key) if isinstance(d, str) else None),
        "role": norm["role"],
    }, index=norm.index)[ROW_COLUMNS]
    return Prepared([], warnings, rows, sheets_read, [])
