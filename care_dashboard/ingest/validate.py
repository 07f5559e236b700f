"""Every problem of every sheet, found before anything is written.

Cells are first normalised (``normalise``; places through the gazetteer, components through the
import's ``ComponentCatalogue``), then the normalised table is checked with a pandera schema in
lazy mode, so all failures are collected, not only the first. Each failure is a ``Message``
(``messages``): ``FILE: row R: COLUMN: problem and what to do`` in the reader's language, where
R is the row a spreadsheet user sees and COLUMN the header as written in the sheet (or, for a
value given once in the sheet's title block, the row of that line). Problems that say the same of
many rows are one line listing the rows. A document number is never repeated in a message.
"""

from __future__ import annotations

from typing import cast

import pandas as pd
import pandera.pandas as pa

from .. import gazetteer
from . import personal
from .messages import Message, grouped
from .normalise import DocumentError, UnsavedFormula, is_blank, normalise_document, parse_date, tidy
from .reference import ComponentCatalogue, Reference, role_id
from .sheets import REQUIRED, Sheet

FIELD_NAMES = {  # how a missing column is named in a message (Spanish first: the sheets are Spanish)
    "date": "Fecha (date)",
    "territory": "Ciudad / Municipio (city)",
    "organisation": "Organización (organisation)",
    "component": "Componente / Tema (component)",
    "document": "Cédula / Documento de identidad (document number)",
}


EXAMPLES = {"date": "Fecha: 14/02/2026", "territory": "Municipio: Soacha", "organisation": "Organización: ASOREMEC",
            "component": "Tema: SST"}


def sheet_problems(sheet: Sheet) -> list[Message]:
    if sheet.header_row is None:
        return [Message("no_header", sheet.label, 1, "(header)")]
    return [Message("missing_column", sheet.label, sheet.header_row, "(header)", field=FIELD_NAMES[f], example=EXAMPLES[f])
            for f in REQUIRED if f not in sheet.columns and f not in sheet.defaults]


def _quoted(value) -> str:
    text = tidy(value)
    return '"' + (text if len(text) <= 40 else text[:37] + "...") + '"'


SCHEMA = pa.DataFrameSchema(
    {
        "session_date": pa.Column("datetime64[ns]", nullable=False),
        "territory_id": pa.Column(str, nullable=False),
        "component_id": pa.Column(str, nullable=False),
        "organisation_name": pa.Column(str, nullable=False, checks=pa.Check.str_length(1, 150)),
        # personal data in the organisation column (``personal``): "number" or "participant"
        "organisation_problem": pa.Column(str, nullable=True, checks=pa.Check(lambda s: s.isna(), name="no_personal_data")),
        "document_problem": pa.Column(str, nullable=True, checks=pa.Check(lambda s: s.isna(), name="document_readable")),
    },
    strict=False,
    coerce=False,
)


def _cell(sheet: Sheet, cells: dict, fieldname: str):
    """A row's value for a field: its own cell, else the value the title block gives once."""
    value = cells.get(fieldname)
    if is_blank(value) and fieldname in sheet.defaults:
        return sheet.defaults[fieldname][1]
    return value


def where(sheet: Sheet, cells: dict, number: int, fieldname: str) -> tuple[int, str]:
    """(row, column) a message about a field points to: the title block's line when the value
    came from there."""
    if is_blank(cells.get(fieldname)) and fieldname in sheet.defaults:
        row, _, written = sheet.defaults[fieldname]
        return row, written
    return number, sheet.columns.get(fieldname, FIELD_NAMES.get(fieldname, fieldname))


def normalised_rows(sheets: list[Sheet], ref: Reference, catalogue: ComponentCatalogue, today=None
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(raw, normalised): one row per sheet row, same index. Raw keeps the cells for messages
    (the document cell only in memory, and never in a message), the gazetteer's answer for the
    place and whether the organisation cell is or holds a participant's name."""
    raw_rows, norm_rows = [], []
    for sheet in sheets:
        if sheet_problems(sheet):
            continue
        participants = personal.participant_names(sheet.rows)
        for number, cells in sheet.rows:
            place = _cell(sheet, cells, "territory")
            department = _cell(sheet, cells, "department")
            found = None if is_blank(place) else gazetteer.match(str(place), None if is_blank(department) else str(department))
            org = _cell(sheet, cells, "organisation")
            # ("is" or "holds", row): the organisation cell is, or holds, a name of the name column
            participant = personal.participant_in(org, participants, number)
            raw_rows.append({"label": sheet.label, "row": number, "sheet": sheet, "cells": cells,
                             "place": place, "department": department, "match": found, "participant": participant})
            document_problem, document = None, None
            try:
                document = normalise_document(cells.get("document"))
            except DocumentError as exc:
                document_problem = exc.key
            if isinstance(cells.get("document"), UnsavedFormula):
                document_problem = "formula"
            date = parse_date(_cell(sheet, cells, "date"), today)
            component = _cell(sheet, cells, "component")
            organisation_problem = ("number" if not is_blank(org) and personal.holds_document_number(org)
                                    else "participant" if participant and participant[0] == "is" else None)
            norm_rows.append({
                "session_date": pd.Timestamp(date) if date else pd.NaT,
                "territory_id": (found.municipality.territory_id
                                 if found is not None and found.status == "found" and found.municipality is not None
                                 else None),
                "component_id": None if is_blank(component) else catalogue.component_id(component),
                "organisation_name": None if is_blank(org) else tidy(org),
                "organisation_problem": organisation_problem,
                "document": document,
                "document_problem": document_problem,
                # one of reference.ROLES: the cell's words, never the cell (it may hold a name)
                "role": None if is_blank(cells.get("role")) else role_id(cells["role"]),
            })
    raw = pd.DataFrame(raw_rows)
    norm = pd.DataFrame(norm_rows, columns=["session_date", "territory_id", "component_id", "organisation_name",
                                            "organisation_problem", "document", "document_problem", "role"])
    norm["session_date"] = pd.to_datetime(norm["session_date"]).astype("datetime64[ns]")
    for col in ("territory_id", "component_id", "organisation_name", "organisation_problem", "document", "document_problem", "role"):
        norm[col] = norm[col].astype(object)
    return raw, norm


_WORDS = {("en", "and"): "and", ("es", "and"): "y", ("en", "or"): "or", ("es", "or"): "o"}


def _joined(items: list[str], lang: str, word: str = "and") -> str:
    """ "A", "A and B", "A, B and C" (y, o in Spanish)."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_WORDS[(lang, word)]} {items[-1]}"


def _place_message(label: str, row: int, column: str, place, found) -> Message:
    if is_blank(place) or found is None:
        return Message("place_empty", label, row, column)
    value = _quoted(place)
    if found.status == "ambiguous":
        departments = sorted({m.department_name for m in found.candidates})
        return Message("place_ambiguous", label, row, column, value=value,
                       departments={lang: _joined(departments, lang) for lang in ("en", "es")},
                       spellings={lang: _joined([f'"{s}"' for s in gazetteer.spellings(found)], lang, "or")
                                  for lang in ("en", "es")})
    suggestions = {lang: _joined([f'"{m.spelling}"' for m in found.suggestions], lang, "or") for lang in ("en", "es")}
    reason = found.reason if found.reason in ("department_only", "department_mismatch", "department_conflict",
                                              "unknown_department") else "no_such_name"
    key = f"place_{reason}" + ("_suggest" if found.suggestions and reason in ("no_such_name", "department_mismatch") else "")
    return Message(key, label, row, column, value=value, department=_quoted(found.department or ""),
                   suggestions=suggestions)


def _message(column: str, r: pd.Series, catalogue: ComponentCatalogue, document_problem: str | None) -> Message:
    """The problem of one failing cell."""
    sheet, cells, number, label = r["sheet"], r["cells"], int(r["row"]), r["label"]
    fieldname = {"session_date": "date", "territory_id": "territory", "component_id": "component",
                 "organisation_name": "organisation", "organisation_problem": "organisation",
                 "document_problem": "document"}[column]
    row, header = where(sheet, cells, number, fieldname) if fieldname != "document" else (number, sheet.columns.get("document", ""))
    value = _cell(sheet, cells, fieldname)
    blank = is_blank(value)
    if isinstance(value, UnsavedFormula):
        return Message("formula_unsaved", label, row, header)
    if column == "territory_id":
        return _place_message(label, row, header, r["place"], r["match"])
    if column == "organisation_problem":  # as normalised_rows found it: a number first
        if personal.holds_document_number(value):
            return Message("organisation_holds_number", label, row, header)
        return Message("organisation_is_participant", label, row, header, participant_row=r["participant"][1])
    if column == "session_date":
        return Message("date_empty" if blank else "date_bad", label, row, header, value="" if blank else _quoted(value))
    if column == "component_id":
        if blank:
            return Message("component_empty", label, row, header)
        return Message("component_unknown", label, row, header, value=_quoted(value),
                       known={"en": catalogue.names("en"), "es": catalogue.names("es")})
    if column == "organisation_name":
        return Message("organisation_empty" if blank else "organisation_long", label, row, header)
    return Message(f"document_{document_problem}", label, row, header)


def validate(sheets: list[Sheet], ref: Reference, catalogue: ComponentCatalogue, today=None
             ) -> tuple[pd.DataFrame, pd.DataFrame, list[Message]]:
    """(raw, normalised, problems). ``problems`` is empty when every row can be imported."""
    problems = [p for sheet in sheets for p in sheet_problems(sheet)]
    raw, norm = normalised_rows(sheets, ref, catalogue, today)
    if norm.empty:
        if not problems:
            problems = [Message("no_rows", s.label, s.header_row or 1, "(header)") for s in sheets]
        return raw, norm, problems
    try:
        SCHEMA.validate(norm, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        cases = cases[cases["index"].notna()]
        found = []
        for idx, column in sorted({(int(i), c) for i, c in zip(cases["index"], cases["column"])}):
            r = cast(pd.Series, raw.loc[idx])  # one row: raw's index is unique
            found.append((r["label"], int(r["row"]), _ORDER[column],
                          _message(column, r, catalogue, norm["document_problem"].loc[idx])))
        problems += grouped(p for *_, p in sorted(found, key=lambda x: (x[0], x[1], x[2])))
    return raw, norm, problems


def unknown_components(raw: pd.DataFrame, norm: pd.DataFrame) -> list[str]:
    """The components written in the sheets that no catalogue knows, as written, first seen first."""
    out: dict[str, None] = {}
    for idx in norm.index[norm["component_id"].isna()]:
        r = raw.loc[idx]
        value = _cell(r["sheet"], r["cells"], "component")
        if not is_blank(value) and any(c.isalpha() for c in str(value)):
            out.setdefault(" ".join(str(value).split()), None)
    return list(out)


_ORDER = {"session_date": 0, "territory_id": 1, "organisation_name": 2, "organisation_problem": 2, "component_id": 3,
          "document_problem": 4}
