"""Query results as tables for people: translated headers, names for ids, "not published" for NULL (pure)."""

from __future__ import annotations

import pandas as pd

from . import figures, i18n
from .labels import Labels


def _count(values, lang: str) -> list[str]:
    return [i18n.number(v, lang) for v in values]


def _people_column(df: pd.DataFrame, lang: str) -> dict[str, list[str]]:
    """A People column, only for a dataset with person-level records (otherwise every cell would
    just say "not published")."""
    hidden = figures.hidden_column(df)
    if df["people_count"].notna().any() or any(h is not None and not pd.isna(h) for h in hidden):
        return {i18n.t("columns.people", lang): [figures.count_cell(v, lang, h) for v, h in zip(df["people_count"], hidden)]}
    return {}


def coverage_table(df: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    lang = labels.lang
    return pd.DataFrame(
        {
            i18n.t("columns.territory", lang): [labels.territory(v) for v in df["territory_id"]],
            i18n.t("columns.component", lang): [labels.component(v) for v in df["component_id"]],
            i18n.t("columns.participations", lang): _count(df["participations_count"], lang),
            **_people_column(df, lang),
            i18n.t("columns.organisations", lang): _count(df["organisations_count"], lang),
            i18n.t("columns.territory_basis", lang): [
                i18n.t(f"territory_basis.{v}", lang) for v in df["territory_basis"]
            ],
        }
    )


def reach_table(df: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    lang = labels.lang
    return pd.DataFrame(
        {
            i18n.t("columns.component", lang): [labels.component(v) for v in df["component_id"]],
            i18n.t("columns.audience", lang): [i18n.t(f"audience.{v}", lang) for v in df["audience_id"]],
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

    # thousands of organisations x components: built row by row from column lists (a pivot, or a
    # lookup per cell, costs several times more)
    component_ids = list(dict.fromkeys(df["component_id"].tolist()))
    grid: dict[tuple, dict] = {}
    for oid, tid, cid, text in zip(df["organisation_id"].tolist(), df["territory_id"].tolist(),
                                   df["component_id"].tolist(), figures.matrix_cell_texts(df, lang, threshold, short=False)):
        grid.setdefault((oid, tid), {})[cid] = text
    org_col, terr_col = i18n.t("columns.organisation", lang), i18n.t("columns.territory", lang)
    names = [labels.component(c) for c in component_ids]
    return pd.DataFrame(
        [[labels.organisation(oid), labels.territory(tid), *(cells.get(c) for c in component_ids)]
         for (oid, tid), cells in grid.items()],
        columns=[org_col, terr_col, *names],
    )


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
    present = set(df["component_id"].dropna().tolist())
    comp_ids = [c for c in labels.components if c in present]
    comp_ids += sorted(present - set(comp_ids))
    columns = [all_col, *(labels.component(c) for c in comp_ids)]
    below = f"<{i18n.number(threshold, lang)}"

    # a national programme has thousands of organisations: one pass over column lists (iterating
    # an Arrow-backed column, or pivoting, costs several times more)
    not_attended = i18n.t("tables.not_attended", lang)
    grid: dict[str, dict[str, str]] = {}
    territory_of: dict[str, str] = {}
    sums = dict.fromkeys(columns, 0)
    column_of = {c: labels.component(c) for c in comp_ids}  # and None (all components): all_col
    text_of: dict = {}  # counts repeat: each is formatted once
    for oid, tid, cid, count, hidden in zip(
        df["organisation_id"].tolist(), df["territory_id"].tolist(), df["component_id"].tolist(),
        df["people_count"].tolist(), df["is_below_threshold"].tolist(),
    ):
        column = column_of.get(cid, all_col)
        territory_of[oid] = tid
        if hidden is True or (hidden is not False and figures.is_hidden(hidden)):
            grid.setdefault(oid, {})[column] = below  # left out of the sum
        else:
            if count not in text_of:
                text_of[count] = i18n.number(count, lang)
            grid.setdefault(oid, {})[column] = text_of[count]
            sums[column] = sums.get(column, 0) + (0 if pd.isna(count) else int(count))
    body = [[labels.organisation(oid), labels.territory(territory_of[oid]),
             *(cells.get(c, not_attended) for c in columns)] for oid, cells in grid.items()]
    if body:
        body.append([i18n.t("tables.sum_shown", lang), "", *(i18n.number(sums[c], lang) for c in columns)])
    return pd.DataFrame(body, columns=[org_col, terr_col, *columns])


def overlaps_table(df: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """One row per combination of components, as in the chart: names, size and people."""
    lang = labels.lang
    return pd.DataFrame(
        {
            i18n.t("columns.combination", lang): [figures.combination_text(ids, labels) for ids in df["component_ids"]],
            i18n.t("columns.components_count", lang): _count(df["components_count"], lang),
            i18n.t("columns.people", lang): [figures.count_cell(v, lang, h) for v, h in zip(df["people_count"], figures.hidden_column(df))],
        }
    )


def components_per_person_table(df: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """People by number of components attended, per territory and for all together (row first)."""
    lang = labels.lang
    return pd.DataFrame(
        {
            i18n.t("columns.territory", lang): [
                i18n.t("common.all_territories", lang) if pd.isna(t) else labels.territory(t) for t in df["territory_id"].tolist()
            ],
            i18n.t("columns.components_count", lang): _count(df["components_attended_count"].tolist(), lang),
            i18n.t("columns.people", lang): [
                figures.count_cell(v, lang, h) for v, h in zip(df["people_count"].tolist(), figures.hidden_column(df))
            ],
        }
    )
