"""What the figure catalogue's names stand for (``content/figures.toml``: ``builder``, ``table``,
``value``): the pure functions that turn a query's result into a chart, a table or a headline
figure. Each takes the query's rows and the ``Source`` (labels, threshold, the whole dataset's
rows where a figure needs them); none runs Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from . import charts, figures, geo, i18n, map_chart, tables
from .typed_table import Table

if TYPE_CHECKING:  # views imports this module
    from .views import Source

WHOLE_DATASET = dict(components=None, territories=None, organisations=None)


def _unfiltered(source: Source) -> Callable[..., pd.DataFrame]:
    """The source's queries without the selection, which the map needs."""
    if source.run_unfiltered is None:
        raise ValueError("a map needs the queries without the selection (Source.run_unfiltered)")
    return source.run_unfiltered


def _places(source: Source) -> pd.DataFrame:
    """The territories' names and places (the whole dataset's, whatever the selection)."""
    return _unfiltered(source)("territory_options")


def _map(df: pd.DataFrame, source: Source, title: str, narrow: bool) -> go.Figure:
    # the whole dataset's figures set the circles' scale, so maps of two selections compare
    whole = _unfiltered(source)("participations_by_territory", **WHOLE_DATASET)
    return map_chart.territory_map(df, _places(source), geo.load_boundaries(), title, source.labels, whole=whole,
                                   layout="narrow" if narrow else "wide")


def _territory_component(df, source, title, narrow, value_column: str):
    return charts.territory_component_chart(df, value_column, title, source.labels, narrow=narrow)


# the queries a builder or a table runs besides its figure's own, without the selection (name,
# params): started with the page's queries (``views.page_queries``)
UNFILTERED_QUERIES: dict[str, list[tuple[str, dict]]] = {
    "territory_map": [("participations_by_territory", WHOLE_DATASET), ("territory_options", {})],
    "map": [("territory_options", {})],
}

ChartBuilder = Callable[..., go.Figure]

# builder(rows, source, title, narrow, **args) -> figure
CHARTS: dict[str, ChartBuilder] = {
    "component_participations": lambda df, s, title, narrow: charts.component_participations_chart(df, title, s.labels),
    "territory_participations": lambda df, s, title, narrow: charts.territory_participations_chart(df, title, s.labels),
    "territory_map": _map,
    "territory_component": _territory_component,
    "component_timeline": lambda df, s, title, narrow: charts.component_timeline_chart(df, title, s.labels, narrow=narrow),
    "organisation_matrix": lambda df, s, title, narrow: charts.organisation_matrix_chart(
        df, title, s.labels, s.threshold, narrow=narrow),
    "components_per_person": lambda df, s, title, narrow: charts.components_per_person_chart(df, title, s.labels),
    "component_overlaps": lambda df, s, title, narrow: charts.component_overlaps_chart(df, title, s.labels, narrow=narrow),
    "components_per_person_by_territory": lambda df, s, title, narrow: charts.components_per_person_by_territory_chart(
        df, title, s.labels, narrow=narrow),
}

# a title worded for the data, where the catalogue's is one of two (builder name -> (rows, lang) -> title)
TITLES: dict[str, Callable[[pd.DataFrame, str], str]] = {
    "component_timeline": charts.component_timeline_title,
}

# table(rows, source) -> the figures as a typed table, in the interface's language (the page shows
# it formatted, the exports write it typed)
TABLES: dict[str, Callable[[pd.DataFrame, Source], Table]] = {
    "reach": lambda df, s: tables.reach_table(df, s.labels),
    "map": lambda df, s: map_chart.map_table(df, _places(s), s.labels),
    "coverage": lambda df, s: tables.coverage_table(df, s.labels),
    "matrix": lambda df, s: tables.matrix_table(df, s.labels, s.threshold),
    "components_per_person": lambda df, s: tables.components_per_person_table(df, s.labels),
    "overlaps": lambda df, s: tables.overlaps_table(df, s.labels),
    "people_by_organisation": lambda df, s: tables.people_by_organisation_table(df, s.labels, s.threshold),
    "reconciliation": lambda df, s: tables.reconciliation_table(df, s.labels),
}


@dataclass(frozen=True)
class Headline:
    """A headline figure's value as text, and the unit its rows call for where it is not the
    catalogue's (distinct people: exact, or a range from published counts)."""

    value: str
    unit_key: str | None = None
    note: str | None = None  # said under it, of these rows (records without a document number)


def _people(row, source: Source) -> Headline:
    note = figures.records_without_key_note(row, source.labels.lang) if source.record_level else None
    unit = "units.people_exact" if row["method_id"] == "person_keys" else "units.people_range"
    return Headline(figures.people_value(row, source.labels.lang), unit, note)


# value(first row of the query, source) -> Headline
VALUES: dict[str, Callable[..., Headline]] = {
    "participations": lambda row, s: Headline(figures.participations_value(row, s.labels.lang)),
    "people": _people,
    "organisations": lambda row, s: Headline(figures.organisations_value(row, s.labels.lang)),
    "territories": lambda row, s: Headline(i18n.number(row["territories_count"], s.labels.lang)),
    "records_without_key": lambda row, s: Headline(i18n.number(row["records_without_person_key_count"], s.labels.lang)),
}
