"""Query results as tables for people: translated headers, names for ids, counts typed with why
each unknown one is missing ("not published", "<5"); each table defined once, as a
``typed_table.Table`` that the page shows formatted and the exports write typed (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import figures, i18n
from .labels import Labels
from .typed_table import COUNT, DATE, TEXT, Column, Missing, Table, count, missing, text


def _names(values, name) -> list[str]:
    """Names for a column of ids, each looked up once."""
    found: dict = {}
    return [found[v] if v in found else found.setdefault(v, name(v)) for v in values.tolist()]


def _organisation_rows(df: pd.DataFrame) -> tuple[np.ndarray, list, list]:
    """For a query result with one or more rows per organisation: each row's organisation number,
    the organisations in the query's order, and each one's territory (an organisation has one:
    the queries take it from ``organisations``)."""
    codes, ids = pd.factorize(df["organisation_id"])
    first_row = np.full(len(ids), len(df), dtype=np.intp)
    np.minimum.at(first_row, codes, np.arange(len(df)))
    return codes, ids.tolist(), df["territory_id"].take(first_row).tolist()


def hidden_reason(threshold, lang: str) -> Missing:
    """A count of people hidden because it is below ``threshold``: "<5" in the cell."""
    return Missing(f"<{i18n.number(threshold, lang)}", i18n.t("exports.hidden_below", lang, threshold=threshold))


def _people_why(df: pd.DataFrame, lang: str) -> list[Missing | None]:
    """For each row of ``people_count``, why it is empty: hidden below the threshold, or (None)
    not published."""
    reasons: dict = {}
    out: list[Missing | None] = []
    for h in figures.hidden_column(df):
        if h is None or pd.isna(h):
            out.append(None)
            continue
        if h not in reasons:
            reasons[h] = hidden_reason(int(h), lang)
        out.append(reasons[h])
    return out


def _people(df: pd.DataFrame, lang: str) -> Column:
    return count(i18n.t("columns.people", lang), df["people_count"], _people_why(df, lang))


def _people_column(df: pd.DataFrame, lang: str) -> list[Column]:
    """A People column, only for a dataset with person-level records (otherwise every cell would
    just say "not published")."""
    hidden = figures.hidden_column(df)
    if df["people_count"].notna().any() or any(h is not None and not pd.isna(h) for h in hidden):
        return [_people(df, lang)]
    return []


def coverage_table(df: pd.DataFrame, labels: Labels) -> Table:
    lang = labels.lang
    return Table((
        text(i18n.t("columns.territory", lang), _names(df["territory_id"], labels.territory)),
        text(i18n.t("columns.component", lang), _names(df["component_id"], labels.component)),
        count(i18n.t("columns.participations", lang), df["participations_count"]),
        *_people_column(df, lang),
        count(i18n.t("columns.organisations", lang), df["organisations_count"]),
        text(i18n.t("columns.territory_basis", lang),
             _names(df["territory_basis"], lambda v: i18n.t(f"territory_basis.{v}", lang))),
    ), lang)


def _audience_column(df: pd.DataFrame, lang: str) -> list[Column]:
    """Whom each component was for, where its source says so (``component_reach``); no column
    when no component's source does."""
    if df["audience_id"].isna().all():
        return []
    return [text(i18n.t("columns.audience", lang), [
        i18n.t("audience.not_stated" if pd.isna(v) else f"audience.{v}", lang) for v in df["audience_id"]])]


def _dates(values) -> list:
    return [None if v is None or pd.isna(v) else (v.date() if hasattr(v, "date") and callable(v.date) else v)
            for v in values.tolist()]


def reach_table(df: pd.DataFrame, labels: Labels) -> Table:
    lang = labels.lang
    return Table((
        text(i18n.t("columns.component", lang), [labels.component(v) for v in df["component_id"]]),
        *_audience_column(df, lang),
        Column(i18n.t("columns.period_start", lang), _dates(df["period_start_date"]), DATE),
        Column(i18n.t("columns.period_end", lang), _dates(df["period_end_date"]), DATE),
        text(i18n.t("columns.period_precision", lang), [i18n.t(f"precision.{v}", lang) for v in df["period_precision"]]),
        count(i18n.t("columns.participations", lang), df["participations_count"]),
        *_people_column(df, lang),
        count(i18n.t("columns.organisations", lang), df["organisations_count"]),
    ), lang)


def _typed_counts(values: pd.Series) -> np.ndarray:
    """A column of counts as Python ints, None where unknown (what the exports write)."""
    out: np.ndarray = values.astype("Int64").to_numpy(dtype=object)
    out[values.isna().to_numpy(dtype=bool)] = None
    return out


def _matrix_typed(df: pd.DataFrame, lang: str, threshold: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row of ``organisation_matrix``, typed: its participations and people, None where
    the cell has no count, and why (its status: "took part", "did not take part"; or hidden)."""
    n = len(df)
    if "is_below_threshold" in df.columns:
        flag = df["is_below_threshold"].astype("boolean")
        hidden = flag.fillna(False).to_numpy(dtype=bool)
        counted = flag.notna().to_numpy(dtype=bool) & ~hidden  # a cell from attendance records
    else:
        hidden = counted = np.zeros(n, dtype=bool)
    status = df["participation_status"].to_numpy(dtype=object)
    has_count = counted | ((status == "count_published") & ~hidden)
    codes, found = pd.factorize(pd.Series(status, dtype=object))
    reasons = np.empty(len(found) + 2, dtype=object)  # a Missing is a tuple: set one by one
    for i, s in enumerate(found.tolist()):
        reasons[i] = missing(i18n.t(f"status.{s}", lang))
    reasons[-2] = hidden_reason(threshold, lang)
    reasons[-1] = None  # code -1 (no status) picks it too, and the rows with a count below
    which = np.where(has_count, len(reasons) - 1, np.where(hidden, len(reasons) - 2, codes))
    participations = _typed_counts(df["participations_count"])
    participations[~has_count] = None
    people = _typed_counts(df["people_count"]) if "people_count" in df.columns else np.full(n, None, dtype=object)
    people[~has_count] = None
    return participations, people, reasons[which]


def matrix_table(df: pd.DataFrame, labels: Labels, threshold: int = 5) -> Table:
    """One row per organisation, one column per component, each cell in words or the count.

    From attendance records a cell gives participations and people, or "<N people" when hidden;
    typed, each component is then two columns, participations and people.
    """
    lang = labels.lang

    # thousands of organisations x components (16,000 cells at 10M records): the grid is filled
    # with numpy, each cell's text made once (a pivot, or a lookup per cell, costs several times more)
    component_ids = df["component_id"].unique().tolist()  # in the query's order
    org_col, terr_col = i18n.t("columns.organisation", lang), i18n.t("columns.territory", lang)
    names = [labels.component(c) for c in component_ids]
    if df.empty:
        return Table(tuple(text(h, []) for h in (org_col, terr_col, *names)), lang)
    org_codes, org_ids, territory_ids = _organisation_rows(df)
    comp_codes, comp_found = pd.factorize(df["component_id"])
    column_of = {c: j for j, c in enumerate(component_ids)}
    col = np.array([column_of[c] for c in comp_found.tolist()], dtype=np.intp)[comp_codes]
    grid = np.full((len(org_ids), len(component_ids)), None, dtype=object)
    grid[org_codes, col] = np.array(figures.matrix_cell_texts(df, lang, threshold, short=False), dtype=object)
    records = "is_below_threshold" in df.columns and bool(df["is_below_threshold"].notna().any())

    def grid_of(values: np.ndarray) -> np.ndarray:
        out = np.full((len(org_ids), len(component_ids)), None, dtype=object)
        out[org_codes, col] = values
        return out

    participations, people, why = (grid_of(v) for v in _matrix_typed(df, lang, threshold))
    columns = []
    for j, name in enumerate(names):
        shown = grid[:, j].tolist()
        p, w = participations[:, j].tolist(), why[:, j].tolist()
        if not records:
            columns.append(Column(name, p, COUNT, w, shown=shown))
            continue
        parts = (Column(f"{name}: {i18n.t('columns.participations', lang)}", p, COUNT, w),
                 Column(f"{name}: {i18n.t('columns.people', lang)}", people[:, j].tolist(), COUNT, w))
        columns.append(Column(name, shown, TEXT, shown=shown, parts=parts))
    return Table((
        text(org_col, [labels.organisation(o) for o in org_ids]),
        text(terr_col, [labels.territory(t) for t in territory_ids]),
        *columns,
    ), lang)


def reconciliation_table(df: pd.DataFrame, labels: Labels) -> Table:
    lang = labels.lang
    all_c = i18n.t("common.all_components", lang)
    all_t = i18n.t("common.all_territories", lang)

    def verdict(v) -> str:
        if pd.isna(v):
            return i18n.t("reconciliation.nothing_to_compare", lang)
        return i18n.t("reconciliation.matches" if v else "reconciliation.differs", lang)

    return Table((
        text(i18n.t("columns.component", lang), [all_c if pd.isna(v) else labels.component(v) for v in df["component_id"]]),
        text(i18n.t("columns.territory", lang), [all_t if pd.isna(v) else labels.territory(v) for v in df["territory_id"]]),
        text(i18n.t("columns.measure", lang), [i18n.t(f"units.{v}", lang) for v in df["measure_id"]]),
        count(i18n.t("columns.published_value", lang), df["published_value"]),
        count(i18n.t("columns.computed_value", lang), df["computed_value"]),
        count(i18n.t("columns.parts_not_published", lang), df["parts_not_published_count"]),
        text(i18n.t("columns.check", lang), [verdict(v) for v in df["is_reconciled"]]),
        text(i18n.t("columns.report_section", lang), list(df["source_section"])),
    ), lang)


def people_by_organisation_table(df: pd.DataFrame, labels: Labels, threshold: int = 5) -> Table:
    """One row per organisation: its people in all selected components, then in each component;
    "<N" for a hidden count, "did not take part" where it has no record. A last row sums the counts
    shown, leaving hidden ones out, so no hidden count can be worked out from it.

    ``df``: rows of ``people_by_organisation``.
    """
    lang = labels.lang
    all_col = i18n.t("columns.all_components_people", lang)
    org_col, terr_col = i18n.t("columns.organisation", lang), i18n.t("columns.territory", lang)
    present = set(df["component_id"].dropna().unique().tolist())
    comp_ids = [c for c in labels.components if c in present]
    comp_ids += sorted(present - set(comp_ids))
    columns = [all_col, *(labels.component(c) for c in comp_ids)]

    # a national programme has thousands of organisations (20,000 rows here at 10M records): the
    # grid is filled with numpy
    if df.empty:
        return Table(tuple(text(h, []) for h in (org_col, terr_col, *columns)), lang)
    org_codes, org_ids, territory_ids = _organisation_rows(df)
    comp_codes, comp_found = pd.factorize(df["component_id"])  # NULL (all components): -1
    column_index = {c: i + 1 for i, c in enumerate(comp_ids)}
    # the last entry is the one code -1 picks: all components
    col = np.array([column_index[c] for c in comp_found.tolist()] + [0], dtype=np.intp)[comp_codes]
    hidden = df["is_below_threshold"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    counts = pd.to_numeric(df["people_count"]).to_numpy(dtype="float64", na_value=np.nan)
    reasons = np.empty(3, dtype=object)  # what ``why`` indexes (a Missing is a tuple: set one by one)
    for i, reason in enumerate((None, missing(i18n.t("tables.not_attended", lang)), hidden_reason(threshold, lang))):
        reasons[i] = reason
    values = np.full((len(org_ids), len(columns)), None, dtype=object)
    why = np.full((len(org_ids), len(columns)), 1, dtype=np.intp)  # an index into ``reasons``
    values[org_codes, col] = _typed_counts(df["people_count"])
    why[org_codes, col] = np.where(hidden, 2, 0)
    values[org_codes[hidden], col[hidden]] = None  # and left out of the sum
    summed = ~hidden & ~np.isnan(counts)
    sums = np.bincount(col[summed], weights=counts[summed], minlength=len(columns))
    return Table((
        text(org_col, [labels.organisation(o) for o in org_ids] + [i18n.t("tables.sum_shown", lang)]),
        text(terr_col, [labels.territory(t) for t in territory_ids] + [""]),
        *(Column(name, [*values[:, j].tolist(), int(sums[j])], COUNT, [*reasons[why[:, j]].tolist(), None])
          for j, name in enumerate(columns)),
    ), lang)


def overlaps_table(df: pd.DataFrame, labels: Labels) -> Table:
    """One row per combination of components, as in the chart: names, size and people."""
    lang = labels.lang
    return Table((
        text(i18n.t("columns.combination", lang), [figures.combination_text(ids, labels) for ids in df["component_ids"]]),
        count(i18n.t("columns.components_count", lang), df["components_count"]),
        _people(df, lang),
    ), lang)


def components_per_person_table(df: pd.DataFrame, labels: Labels) -> Table:
    """People by number of components attended, per territory and for all together (row first)."""
    lang = labels.lang
    everywhere = i18n.t("common.all_territories", lang)
    return Table((
        text(i18n.t("columns.territory", lang), _names(
            df["territory_id"], lambda t: everywhere if t is None or pd.isna(t) else labels.territory(t))),
        count(i18n.t("columns.components_count", lang), df["components_attended_count"]),
        _people(df, lang),
    ), lang)
