"""Display names for ids, in the chosen language, built from the option queries (pure)."""

from __future__ import annotations

import dataclasses
import functools
import html
from dataclasses import dataclass

import pandas as pd

from . import i18n, rows

MAX_CHART_NAME = 60  # characters of a name drawn in a chart (the table beside it shows it whole)


@functools.lru_cache(maxsize=50_000)
def chart_text(name: str) -> str:
    """A name from the data as Plotly shows it: plain text, never markup. Plotly draws a subset of
    HTML in every text (labels, ticks, hover, annotations), so ``<``, ``>`` and ``&`` are written as
    entities, which it shows as the characters; a very long name is cut with an ellipsis."""
    text = " ".join(str(name).split())
    if len(text) > MAX_CHART_NAME:
        text = text[: MAX_CHART_NAME - 1].rstrip() + "\u2026"
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Labels:
    lang: str
    components: dict[str, str]
    territories: dict[str, str]
    organisations: dict[str, str]
    # True: names come out as chart_text (for Plotly figures); see for_charts
    for_plotly: bool = False

    def _shown(self, name) -> str:
        return chart_text(name) if self.for_plotly else name

    def component(self, cid: str) -> str:
        return self._shown(self.components.get(cid, cid))

    def territory(self, tid: str) -> str:
        return self._shown(self.territories.get(tid, tid))

    def organisation(self, oid: str) -> str:
        return self._shown(self.organisations.get(oid, oid))

    def for_charts(self) -> Labels:
        """The same names, as chart builders must write them into a figure (``chart_text``).
        Tables, CSVs and Streamlit's own widgets show names as plain text already and use ``self``."""
        return self if self.for_plotly else dataclasses.replace(self, for_plotly=True)


def organisation_label(row, territory_name: str, lang: str) -> str:
    """The published name, or a neutral label with the city for an organisation the source does not name."""
    if bool(row["is_name_published"]):
        return str(row["organisation_name"])
    if pd.isna(row["unnamed_index"]):
        return i18n.t("labels.unnamed_organisation", lang, city=territory_name)
    return i18n.t(
        "labels.unnamed_organisation_n", lang, n=int(row["unnamed_index"]), city=territory_name
    )


def build(components: pd.DataFrame, territories: pd.DataFrame, organisations: pd.DataFrame, lang: str) -> Labels:
    name_col = "component_name_es" if lang == "es" else "component_name_en"
    territory_names = dict(zip(territories["territory_id"], territories["territory_name"]))
    return Labels(
        lang=lang,
        components=dict(zip(components["component_id"], components[name_col])),
        territories=territory_names,
        organisations={
            row["organisation_id"]: organisation_label(
                row, territory_names.get(row["territory_id"], row["territory_id"]), lang
            )
            for row in rows.records(organisations)
        },
    )
