"""Every problem of every sheet, found before anything is written.

Cells are first normalised (``normalise``), then the normalised table is checked with a pandera
schema in lazy mode, so all failures are collected, not only the first. Each failure becomes one
line: ``FILE: row R: COLUMN: problem and what to do``, where R is the row a spreadsheet user sees
and COLUMN the header as written in the sheet. A document number is never repeated in a message.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from .normalise import DocumentError, is_blank, normalise_document, parse_date, tidy
from .reference import Reference, role_id
from .sheets import REQUIRED, Sheet

FIELD_NAMES = {  # how a missing column is named in a message (Spanish first: the sheets are Spanish)
    "date": "Fecha (date)",
    "territory": "Ciudad / Municipio (city)",
    "organisation": "Organización (organisation)",
    "component": "Componente / Tema (component)",
    "document": "Cédula / Documento de identidad (document number)",
}


def problem(label: str, row: int | str, column: str, text: str) -> str:
    return f"{label}: row {row}: {column}: {text}"


def sheet_problems(sheet: Sheet) -> list[str]:
    if sheet.header_row is None:
        return [problem(sheet.label, 1, "(header)",
                        "no header row found in the first 30 rows; the sheet needs columns named "
                        "Fecha, Ciudad, Organización, Componente and Cédula (or their English names)")]
    return [
        problem(sheet.label, sheet.header_row, "(header)",
                f"no column for {FIELD_NAMES[f]}; add that column to the header row")
        for f in REQUIRED if f not in sheet.columns
    ]


def _quoted(value) -> str:
    text = tidy(value)
    return '"' + (text if len(text) <= 40 else text[:37] + "...") + '"'


SCHEMA = pa.DataFrameSchema(
    {
        "session_date": pa.Column("datetime64[ns]", nullable=False),
        "territory_id": pa.Column(str, nullable=False),
        "component_id": pa.Column(str, nullable=False),
        "organisation_name": pa.Column(str, nullable=False, checks=pa.Check.str_length(1, 150)),
        "document_problem": pa.Column(str, nullable=True, checks=pa.Check(lambda s: s.isna(), name="document_readable")),
    },
    strict=False,
    coerce=False,
)


def normalised_rows(sheets: list[Sheet], ref: Reference, today=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(raw, normalised): one row per sheet row, same index. Raw keeps the cells for messages
    (the document cell only in memory, and never in a message)."""
    raw_rows, norm_rows = [], []
    for sheet in sheets:
        if sheet_problems(sheet):
            continue
        for number, cells in sheet.rows:
            raw_rows.append({"label": sheet.label, "row": number, **{f"raw_{k}": v for k, v in cells.items()},
                             "headers": sheet.columns})
            document_problem, document = None, None
            try:
                document = normalise_document(cells.get("document"))
            except DocumentError as exc:
                document_problem = str(exc)
            date = parse_date(cells.get("date"), today)
            org = cells.get("organisation")
            norm_rows.append({
                "session_date": pd.Timestamp(date) if date else pd.NaT,
                "territory_id": None if is_blank(cells.get("territory")) else ref.territory_id(cells["territory"]),
                "component_id": None if is_blank(cells.get("component")) else ref.component_id(cells["component"]),
                "organisation_name": None if is_blank(org) else tidy(org),
                "document": document,
                "document_problem": document_problem,
                # one of reference.ROLES: the cell's words, never the cell (it may hold a name)
                "role": None if is_blank(cells.get("role")) else role_id(cells["role"]),
            })
    raw = pd.DataFrame(raw_rows)
    norm = pd.DataFrame(norm_rows, columns=["session_date", "territory_id", "component_id", "organisation_name", "document", "document_problem", "role"])
    norm["session_date"] = pd.to_datetime(norm["session_date"]).astype("datetime64[ns]")
    for col in ("territory_id", "component_id", "organisation_name", "document", "document_problem", "role"):
        norm[col] = norm[col].astype(object)
    return raw, norm


def _message(column: str, raw_value, ref: Reference, document_problem: str | None) -> tuple[str, str]:
    """(field, text) for one failing cell."""
    blank = is_blank(raw_value)
    if column == "session_date":
        return "date", ("is empty; write the date of the session, day first, as 18/11/2025" if blank else
                        f"{_quoted(raw_value)} is not a date; write it day first, as 18/11/2025")
    if column == "territory_id":
        return "territory", ("is empty; write the city of the participant's organisation" if blank else
                             f"{_quoted(raw_value)} is not a known territory; use one of {ref.territory_names()}, "
                             "or add it to content/reference/territories.csv")
    if column == "component_id":
        return "component", ("is empty; write the component of the session" if blank else
                             f"{_quoted(raw_value)} is not a known component; use one of {ref.component_names()}, "
                             "or add this spelling to content/reference/aliases.csv")
    if column == "organisation_name":
        return "organisation", ("is empty; write the participant's organisation" if blank else
                                "is longer than 150 characters; write only the organisation's name")
    return "document", f"{document_problem}; or leave the cell empty if the person has no document"


def validate(sheets: list[Sheet], ref: Reference, today=None) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(raw, normalised, problems). ``problems`` is empty when every row can be imported."""
    problems = [p for sheet in sheets for p in sheet_problems(sheet)]
    raw, norm = normalised_rows(sheets, ref, today)
    if norm.empty:
        if not problems:
            problems = [problem(s.label, s.header_row or 1, "(header)", "no rows under the header; nothing to import") for s in sheets]
        return raw, norm, problems
    try:
        SCHEMA.validate(norm, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        cases = cases[cases["index"].notna()]
        found = []
        for idx, column in sorted({(int(i), c) for i, c in zip(cases["index"], cases["column"])}):
            r = raw.loc[idx]
            fieldname, text = _message(column, r.get(f"raw_{_FIELD[column]}"), ref, norm.at[idx, "document_problem"])
            found.append((r["label"], int(r["row"]), _ORDER[fieldname], problem(r["label"], int(r["row"]), r["headers"][fieldname], text)))
        problems += [p for *_, p in sorted(found, key=lambda x: (x[0], x[1], x[2]))]
    return raw, norm, problems


_FIELD = {"session_date": "date", "territory_id": "territory", "component_id": "component",
          "organisation_name": "organisation", "document_problem": "document"}
_ORDER = {"date": 0, "territory": 1, "organisation": 2, "component": 3, "document": 4}
