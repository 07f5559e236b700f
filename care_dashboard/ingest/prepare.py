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
    problems: list[str]
    warnings: list[str]
    rows: pd.DataFrame | None  # ROW_COLUMNS, one row per sheet row; None when there are problems


def read_all(sources: list[sheets.Source], limits: Limits = DEFAULT,
             on_progress: ProgressCallback = _quiet) -> tuple[list[sheets.Sheet], list[str], list[str]]:
    """Every sheet of every file; one problem per file that cannot be read. Raises
    LimitExceeded when the import as a whole goes over a limit."""
    found, problems, warnings = [], [], []
    seen: dict[str, str] = {}
    budget = Budget(limits)
    for i, source in enumerate(sources, start=1):
        on_progress(Progress("reading", {"file": source.label, "i": i, "n": len(sources)}))
        digest = hashlib.sha256(source.data).hexdigest()
        if digest in seen:
            warnings.append(f"{source.label}: the same file as {seen[digest]}; read once")
            continue
        seen[digest] = source.label
        try:
            read = sheets.read(source, budget)
        except sheets.SheetError as exc:
            problems.append(f"{exc}".replace(f"{source.label}: ", f"{source.label}: row 1: (file): ", 1))
            continue
        for sheet in read:
            if sheet.ignored_headers:
                warnings.append(f"{sheet.label}: row {sheet.header_row}: columns not used: {', '.join(sheet.ignored_headers)}")
            if sheet.duplicate_headers:
                warnings.append(f"{sheet.label}: row {sheet.header_row}: repeated columns not used: {', '.join(sheet.duplicate_headers)}")
            if sheet.header_row is not None and "document" not in sheet.columns:
                warnings.append(f"{sheet.label}: row {sheet.header_row}: no document number column; every row counts as a participation with unknown identity")
        found += read
    return found, problems, warnings


_DIGIT_RUN = re.compile(r"\d{6,12}")


def _role_warnings(raw: pd.DataFrame) -> list[str]:
    """A Rol / Cargo cell with a long number in it probably holds a document number: it is stored
    as "other" (never as written); say where, without repeating it."""
    if "raw_role" not in raw:
        return []
    found = [f"{label}: row {row}: {headers['role']}: holds a number like a document number; the role column "
             "takes a role only, so it was stored as \"other\"; check the sheet"
             for label, row, value, headers in raw[["label", "row", "raw_role", "headers"]].itertuples(index=False)
             if isinstance(value, str) and _DIGIT_RUN.search(re.sub(r"[\s.,-]", "", value))]
    return found


def prepare(sources: list[sheets.Source], key: bytes, today: dt.date | None = None, limits: Limits = DEFAULT,
            on_progress: ProgressCallback = _quiet) -> Prepared:
    """Read and check every sheet, then replace document numbers by person keys. Raises
    LimitExceeded; every other problem is a line of ``problems``."""
    ref = reference.load()
    found, problems, warnings = read_all(sources, limits, on_progress)
    on_progress(Progress("checking"))
    raw, norm, row_problems = validate.validate(found, ref, today)
    problems += row_problems
    if problems:
        return Prepared(problems, warnings, None)
    warnings += _role_warnings(raw)
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
    return Prepared([], warnings, rows)
