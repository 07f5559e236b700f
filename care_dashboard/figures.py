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
        return i18n.number(row["people_exact_count"], lang)
    return count_or_range(row["people_min_count"], row["people_max_count"], lang)


def people_unit(row, lang: str) -> str:
    key = "units.people_exact" if row["method_id"] == "person_keys" else "units.people_range"
    return i18n.t(key, lang)


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
