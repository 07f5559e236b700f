"""Headline figures as text: exact counts, ranges and "not published", in the chosen language (pure)."""

from __future__ import annotations

import pandas as pd

from . import i18n
from .labels import Labels


def count_or_range(low, high, lang: str) -> str:
    """"16" when exact, "11–16" for a range, "at least 31" when the upper end is not known."""
    if pd.isna(low) and pd.isna(high):
        return i18n.t("common.not_published", lang)
    if pd.isna(high):
        return i18n.t("figures.at_least", lang, n=i18n.number(low, lang))
    if low == high:
        return i18n.number(low, lang)
    return i18n.t("figures.range", lang, low=i18n.number(low, lang), high=i18n.number(high, lang))


def organisations_value(row, lang: str) -> str:
    return count_or_range(row["organisations_min_count"], row["organisations_max_count"], lang)


def people_value(row, lang: str) -> str:
    """Exact distinct people when person keys exist, else the published-figures range."""
    if row["method_id"] == "person_keys":
        return count_cell(row["people_exact_count"], lang, hidden_below(row, "people_exact_count"))
    return count_or_range(row["people_min_count"], row["people_max_count"], lang)


def people_unit(row, lang: str) -> str:
    key = "units.people_exact" if row["method_id"] == "person_keys" else "units.people_range"
    return i18n.t(key, lang)


def records_without_key_note(row, lang: str) -> str | None:
    """How many attendance records have no document number (participations, not people); None
    when every record has one."""
    n = row["records_without_person_key_count"]
    if pd.isna(n) or n == 0:
        return None
    return i18n.t("figures.records_without_key", lang, n=i18n.number(n, lang))


def participations_value(row, lang: str) -> str:
    return i18n.number(row["participations_count"], lang)


def participations_note(row, labels: Labels) -> str | None:
    """Which components' counts are not published and so are not in the sum; None if all are."""
    missing = list(row["components_not_published"])
    if not missing:
        return None
    names = ", ".join(labels.component(c) for c in missing)
    return i18n.t("figures.not_in_sum", labels.lang, components=names)


def organisation_reach_rows(reach: pd.DataFrame) -> pd.DataFrame:
    """Components whose reach the source gives only in organisations (CARE 2025: formalisation)."""
    return reach[reach["reach_unit"] == "organisations"]


def is_hidden(is_below_threshold) -> bool:
    """``is_below_threshold`` of a query row: True (the count is hidden), False, or NULL (no
    person-level records)."""
    return not pd.isna(is_below_threshold) and bool(is_below_threshold)


def people_text(count, lang: str, is_below_threshold=None, threshold: int | None = None) -> str:
    """A count of people in words: "28 people", "1 person", or "<5 people" when it is hidden.

    A hidden count arrives as NULL from its query (the exact number never leaves the database);
    ``is_below_threshold`` says why it is missing.
    """
    if is_hidden(is_below_threshold):
        return i18n.t("charts.people_below", lang, threshold=threshold)
    if pd.isna(count):
        return i18n.t("common.not_published", lang)
    if count == 1:
        return i18n.t("charts.people_one", lang)
    return i18n.t("charts.people_n", lang, n=i18n.number(count, lang))


def components_text(n: int, lang: str) -> str:
    """ "1 component", "3 components". """
    if n == 1:
        return i18n.t("charts.components_one", lang)
    return i18n.t("charts.components_n", lang, n=i18n.number(n, lang))


def combination_text(component_ids, labels: Labels) -> str:
    """A combination of components as names joined by " + ", in display order."""
    return " + ".join(labels.component(c) for c in component_ids)


PEOPLE_COLUMNS = ("people_count", "people_exact_count")
HIDDEN_SUFFIX = "_hidden_below"


def hide_small_people(df: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """With an organisation filter, every view of attendance records is an organisation-level
    view: a count of people that is at least one but below ``threshold`` becomes NULL, and a
    column ``<name>_hidden_below`` holds the threshold on those rows (NULL elsewhere), so the
    count shows as "<5" and is left out of any total. Zero stays zero."""
    out = df.copy()
    for col in PEOPLE_COLUMNS:
        if col not in out.columns:
            continue
        values = pd.to_numeric(out[col], errors="coerce")
        small = values.notna() & (values >= 1) & (values < threshold)
        out[col] = out[col].astype("Int64").mask(small)
        out[col + HIDDEN_SUFFIX] = pd.array([threshold if s else None for s in small], dtype="Int64")
    return out


def hidden_below(row, column: str = "people_count"):
    """The threshold a row's count is hidden under, or None when it is shown."""
    value = row.get(column + HIDDEN_SUFFIX) if hasattr(row, "get") else None
    return None if value is None or pd.isna(value) else int(value)


def count_cell(value, lang: str, hidden=None) -> str:
    """A count for a table or a bar label: the number, "<5" when hidden, or "not published"."""
    if hidden is not None and not pd.isna(hidden):
        return f"<{int(hidden)}"
    return i18n.number(value, lang)


def hidden_column(df: pd.DataFrame, column: str = "people_count") -> list:
    """The ``_hidden_below`` values of a column, or Nones when nothing is hidden."""
    name = column + HIDDEN_SUFFIX
    return df[name].tolist() if name in df.columns else [None] * len(df)


def matrix_cell_texts(df: pd.DataFrame, lang: str, threshold: int, short: bool, narrow: bool = False) -> list[str]:
    """What each cell of the organisation matrix says (one per row of ``organisation_matrix``), on
    the chart (``short``; abbreviated on a phone, ``narrow``) or in its table.

    From attendance records: participations and people, or "<N people" when the people are
    hidden. From published figures: the published count, "took part", "not known" or "did not
    take part". Column-wise, with each text looked up once: a national programme has thousands of
    organisations.
    """
    below = i18n.t("charts.people_below_narrow" if narrow else "charts.people_below", lang, threshold=threshold)
    records = i18n.t("charts.matrix_cell_records_narrow" if narrow else
                     "charts.matrix_cell_records" if short else "tables.cell_records", lang)
    status_texts: dict[str, str] = {}
    out = []
    def column(name: str) -> list:  # people columns are absent from a grid of published figures
        return df[name].tolist() if name in df.columns else [None] * len(df)

    numbers: dict = {}  # counts repeat across thousands of cells: each text is made once
    people_texts: dict = {}
    for status, hidden, participations, people in zip(
        column("participation_status"), column("is_below_threshold"), column("participations_count"), column("people_count")
    ):
        if hidden is True or (hidden is not False and is_hidden(hidden)):
            out.append(below)
        elif hidden is False or not pd.isna(hidden):  # a cell counted from attendance records
            if participations not in numbers:
                numbers[participations] = i18n.number(participations, lang)
            if people not in people_texts:
                people_texts[people] = i18n.number(people, lang) if narrow else people_text(people, lang)
            out.append(records.format(participations=numbers[participations], people=people_texts[people]))
        elif status == "count_published":
            out.append(i18n.number(participations, lang))
        else:
            if status not in status_texts:
                status_texts[status] = i18n.t(f"status_short.{status}" if short else f"status.{status}", lang)
            out.append(status_texts[status])
    return out
