"""Query results as tables for people: translated headers, names for ids, "not published" for NULL (pure)."""

from __future__ import annotations

import pandas as pd

from . import i18n
from .labels import Labels


def _count(values, lang: str) -> list[str]:
    return [i18n.number(v, lang) for v in values]


def coverage_table(df: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    lang = labels.lang
    return pd.DataFrame(
        {
            i18n.t("columns.territory", lang): [labels.territory(v) for v in df["territory_id"]],
            i18n.t("columns.component", lang): [labels.component(v) for v in df["component_id"]],
            i18n.t("columns.participations", lang): _count(df["participations_count"], lang),
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
            i18n.t("columns.organisations", lang): _count(df["organisations_count"], lang),
        }
    )


def matrix_table(df: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """One row per organisation, one column per component, each cell in words or the count."""
    lang = labels.lang

    def cell(row) -> str:
        if row["participation_status"] == "count_published":
            return i18n.number(row["participations_count"], lang)
        return i18n.t(f"status.{row['participation_status']}", lang)

    long = pd.DataFrame(
        {
            "organisation": [labels.organisation(v) for v in df["organisation_id"]],
            "territory": [labels.territory(v) for v in df["territory_id"]],
            "component": [labels.component(v) for v in df["component_id"]],
            "cell": [cell(r) for _, r in df.iterrows()],
        }
    )
    wide = long.pivot(index=["organisation", "territory"], columns="component", values="cell")
    wide = wide.reindex(
        index=list(dict.fromkeys(zip(long["organisation"], long["territory"]))),
        columns=list(dict.fromkeys(long["component"])),
    ).reset_index()
    wide.columns.name = None
    return wide.rename(
        columns={
            "organisation": i18n.t("columns.organisation", lang),
            "territory": i18n.t("columns.territory", lang),
        }
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
