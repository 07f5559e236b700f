"""Query results as tables for people: translated headers, names for ids, "not published" for NULL (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import figures, i18n
from .labels import Labels


def _count(values, lang: str) -> list[str]:
    """Counts in words, each distinct value formatted once (a column repeats small counts)."""
    values = values.tolist() if hasattr(values, "tolist") else values
    texts: dict = {}
    out = []
    for v in values:
        key = None if v is None or pd.isna(v) else v
        if key not in texts:
            texts[key] = i18n.number(key, lang)
        out.append(texts[key])
    return out


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


def _frame(headers: list[str], columns: list[list]) -> pd.DataFrame:
    """A table from column lists, its headers as given (two components may share a name)."""
    out = pd.DataFrame(dict(enumerate(columns)))
    out.columns = headers
    return out


def _people_cells(df: pd.DataFrame, lang: str) -> list[str]:
    """``people_count`` as table cells (``figures.count_cell``): "<5" where the count is hidden,
    the count otherwise, each distinct count formatted once."""
    return [c if h is None or pd.isna(h) else figures.count_cell(None, lang, h)
            for c, h in zip(_count(df["people_count"], lang), figures.hidden_column(df))]


def _people_column(df: pd.DataFrame, lang: str) -> dict[str, list[str]]:
    """A People column, only for a dataset with person-level records (otherwise every cell would
    just say "not published")."""
    hidden = figures.hidden_column(df)
    if df["people_count"].notna().any() or any(h is not None and not pd.isna(h) for h in hidden):
        return {i18n.t("columns.people", lang): _people_cells(df, lang)}
    return {}


def coverage_table(df: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    lang = labels.lang
    return pd.DataFrame(
        {
            i18n.t("columns.territory", lang): _names(df["territory_id"], labels.territory),
            i18n.t("columns.component", lang): _names(df["component_id"], labels.component),
            i18n.t("columns.participations", lang): _count(df["participations_count"], lang),
            **_people_column(df, lang),
            i18n.t("columns.organisations", lang): _count(df["organisations_count"], lang),
            i18n.t("columns.territory_basis", lang): _names(
                df["territory_basis"], lambda v: i18n.t(f"territory_basis.{v}", lang)
            ),
        }
    )


def _audience_column(df: pd.DataFrame, lang: str) -> dict:
    """Whom each component was for, where its source says so (``component_reach``); no column
    when no component's source does."""
    if df["audience_id"].isna().all():
        return {}
    return {i18n.t("columns.audience", lang): [
        i18n.t("audience.not_stated" if pd.isna(v) else f"audience.{v}", lang) for v in df["audience_id"]]}


def reach_table(df: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    lang = labels.lang
    return pd.DataFrame(
        {
            i18n.t("columns.component", lang): [labels.component(v) for v in df["component_id"]],
            **_audience_column(df, lang),
            i18n.t("columns.period_start", lang): [i18n.date(v, lang) for v in df["period_start_date"]],
            i18n.t("columns.period_end", lang): [i18n.date(v, lang) for v in df["period_end_date"]],
            i18n.t("columns.period_precision", lang): [
                i18n.t(f"precision.{v}", lang) for v in df["period_precision"]
            ],
            i18n.t("columns.participations", lang): _count(df["participations_count"], lang),
            **_people_column(df, lang),
            i18n.t("columns.organisations", lang): _count(df["organisations_count"], lang),
        }
    )


def matrix_table(df: pd.DataFrame, labels: Labels, threshold: int = 5) -> pd.DataFrame:
    """One row per organisation, one column per component, each cell in words or the count.

    From attendance records a cell gives participations and people, or "<N people" when hidden.
    """
    lang = labels.lang

    # thousands of organisations x components (16,000 cells at 10M records): the grid is filled
    # with numpy, each cell's text made once (a pivot, or a lookup per cell, costs several times more)
    component_ids = df["component_id"].unique().tolist()  # in the query's order
    org_col, terr_col = i18n.t("columns.organisation", lang), i18n.t("columns.territory", lang)
    names = [labels.component(c) for c in component_ids]
    if df.empty:
        return pd.DataFrame([], columns=[org_col, terr_col, *names])
    org_codes, org_ids, territory_ids = _organisation_rows(df)
    comp_codes, comp_found = pd.factorize(df["component_id"])
    column_of = {c: j for j, c in enumerate(component_ids)}
    col = np.array([column_of[c] for c in comp_found.tolist()], dtype=np.intp)[comp_codes]
    grid = np.full((len(org_ids), len(component_ids)), None, dtype=object)
    grid[org_codes, col] = np.array(figures.matrix_cell_texts(df, lang, threshold, short=False), dtype=object)
    return _frame([org_col, terr_col, *names], [
        [labels.organisation(o) for o in org_ids],
        [labels.territory(t) for t in territory_ids],
        *(grid[:, j].tolist() for j in range(len(names))),
    ])


def reconciliation_table(df: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    lang = labels.lang
    all_c = i18n.t("common.all_components", lang)
    all_t = i18n.t("common.all_territories", lang)

    def verdict(v) -> str:
        if pd.isna(v):
            return i18n.t("reconciliation.nothing_to_compare", lang)
        return i18n.t("reconciliation.matches" if v else "reconciliation.differs", lang)

    return pd.DataFrame(
        {
            i18n.t("columns.component", lang): [
                all_c if pd.isna(v) else labels.component(v) for v in df["component_id"]
            ],
            i18n.t("columns.territory", lang): [
                all_t if pd.isna(v) else labels.territory(v) for v in df["territory_id"]
            ],
            i18n.t("columns.measure", lang): [i18n.t(f"units.{v}", lang) for v in df["measure_id"]],
            i18n.t("columns.published_value", lang): _count(df["published_value"], lang),
            i18n.t("columns.computed_value", lang): _count(df["computed_value"], lang),
            i18n.t("columns.parts_not_published", lang): _count(df["parts_not_published_count"], lang),
            i18n.t("columns.check", lang): [verdict(v) for v in df["is_reconciled"]],
            i18n.t("columns.report_section", lang): list(df["source_section"]),
        }
    )


def people_by_organisation_table(df: pd.DataFrame, labels: Labels, threshold: int = 5) -> pd.DataFrame:
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
    below = f"<{i18n.number(threshold, lang)}"

    # a national programme has thousands of organisations (20,000 rows here at 10M records): the
    # grid is filled with numpy, and each distinct count is formatted once
    if df.empty:
        return pd.DataFrame([], columns=[org_col, terr_col, *columns])
    org_codes, org_ids, territory_ids = _organisation_rows(df)
    comp_codes, comp_found = pd.factorize(df["component_id"])  # NULL (all components): -1
    column_index = {c: i + 1 for i, c in enumerate(comp_ids)}
    # the last entry is the one code -1 picks: all components
    col = np.array([column_index[c] for c in comp_found.tolist()] + [0], dtype=np.intp)[comp_codes]
    hidden = df["is_below_threshold"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    counts = pd.to_numeric(df["people_count"]).to_numpy(dtype="float64", na_value=np.nan)
    distinct, which = np.unique(counts, return_inverse=True)
    texts = np.array(
        [i18n.number(None if np.isnan(v) else int(v), lang) for v in distinct.tolist()], dtype=object
    )[which]
    texts[hidden] = below  # and left out of the sum
    grid = np.full((len(org_ids), len(columns)), i18n.t("tables.not_attended", lang), dtype=object)
    grid[org_codes, col] = texts
    summed = ~hidden & ~np.isnan(counts)
    sums = np.bincount(col[summed], weights=counts[summed], minlength=len(columns))
    return _frame([org_col, terr_col, *columns], [
        [labels.organisation(o) for o in org_ids] + [i18n.t("tables.sum_shown", lang)],
        [labels.territory(t) for t in territory_ids] + [""],
        *([*grid[:, j].tolist(), i18n.number(int(sums[j]), lang)] for j in range(len(columns))),
    ])


def overlaps_table(df: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """One row per combination of components, as in the chart: names, size and people."""
    lang = labels.lang
    return pd.DataFrame(
        {
            i18n.t("columns.combination", lang): [figures.combination_text(ids, labels) for ids in df["component_ids"]],
            i18n.t("columns.components_count", lang): _count(df["components_count"], lang),
            i18n.t("columns.people", lang): _people_cells(df, lang),
        }
    )


def components_per_person_table(df: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """People by number of components attended, per territory and for all together (row first)."""
    lang = labels.lang
    everywhere = i18n.t("common.all_territories", lang)
    return pd.DataFrame(
        {
            i18n.t("columns.territory", lang): _names(
                df["territory_id"], lambda t: everywhere if t is None or pd.isna(t) else labels.territory(t)
            ),
            i18n.t("columns.components_count", lang): _count(df["components_attended_count"], lang),
            i18n.t("columns.people", lang): _people_cells(df, lang),
        }
    )
