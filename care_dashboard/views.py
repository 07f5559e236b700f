"""The dashboard's views of the current selection as a list, for the presentation page and the
offline briefing: each a title, a chart or headline figures, a unit and the caveats of its query.

Pure apart from ``run``, the function that runs a named query with the selection (the pages'
``PageContext.run``), so it tests without Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from . import charts, figures, geo, i18n, map_chart, queries, tables
from .labels import Labels


@dataclass
class Figure:
    label: str
    value: str
    unit: str
    caveat_ids: list[str]
    key: str = ""  # its entry in content/figures.toml (its key caveats)


@dataclass
class View:
    """One view: headline figures, or a chart. A chart is built only when asked for
    (``chart``): the presentation shows one view at a time and builds only that one."""

    key: str
    title: str
    unit: str
    caveat_ids: list[str]
    make_chart: Callable[[], go.Figure] | None = None
    figures: list[Figure] = field(default_factory=list)
    make_table: Callable[[], pd.DataFrame] | None = None
    # the chart laid out for a phone (the page's narrow variant), where the builder has one
    make_narrow_chart: Callable[[], go.Figure] | None = None
    _built: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_chart(self) -> bool:
        return self.make_chart is not None

    @property
    def chart(self) -> go.Figure | None:
        """The chart, built the first time it is asked for; a fresh copy is not made (decorate a copy)."""
        if self.make_chart is None:
            return None
        if "chart" not in self._built:
            self._built["chart"] = self.make_chart()
        return self._built["chart"]

    @property
    def narrow_chart(self) -> go.Figure | None:
        """The chart for a phone, built the first time it is asked for; None without one."""
        if self.make_narrow_chart is None:
            return None
        if "narrow_chart" not in self._built:
            self._built["narrow_chart"] = self.make_narrow_chart()
        return self._built["narrow_chart"]

    @property
    def table(self) -> pd.DataFrame | None:
        if self.make_table is None:
            return None
        if "table" not in self._built:
            self._built["table"] = self.make_table()
        return self._built["table"]


def _variants(build: Callable[..., go.Figure], **narrow) -> dict:
    """A View's ``make_chart`` and ``make_narrow_chart`` from one builder call: as it is, and
    with its phone layout (``narrow=True`` unless the builder names it otherwise)."""
    return {"make_chart": build, "make_narrow_chart": partial(build, **(narrow or {"narrow": True}))}


def build(
    run: Callable[..., pd.DataFrame], labels: Labels, record_level: bool, threshold: int,
    run_unfiltered: Callable[..., pd.DataFrame] | None = None,
) -> list[View]:
    """Every view that has something to show for the selection, in the order of the pages.

    ``run_unfiltered`` runs a query without the selection; the map needs it (the places, and the
    whole dataset's figures that set its circles' scale). Without it the map is left out."""
    lang = labels.lang
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    caveats_of = lambda name: list(queries.get(name).caveats)  # noqa: E731
    total = run("total_participations").iloc[0]
    if total["matching_rows_count"] == 0:
        return []
    out: list[View] = []

    people = run("distinct_people").iloc[0]
    organisations = run("organisations_engaged").iloc[0]
    territories = run("territories_reached").iloc[0]
    headline = [
        Figure(t("overview.participations_label"), figures.participations_value(total, lang),
               t("units.participations_short"), caveats_of("total_participations"), "overview_participations"),
        Figure(t("overview.people_label"), figures.people_value(people, lang),
               figures.people_unit(people, lang), caveats_of("distinct_people"), "overview_people"),
        Figure(t("overview.organisations_label"), figures.organisations_value(organisations, lang),
               t("units.organisations_short"), caveats_of("organisations_engaged"), "overview_organisations"),
        Figure(t("overview.territories_label"), i18n.number(territories["territories_count"], lang),
               t("units.territories_short"), caveats_of("territories_reached"), "overview_territories"),
    ]
    out.append(View("overview", t("overview.title"), t("units.participations_long"),
                    [c for f in headline for c in f.caveat_ids], figures=headline))

    reach = run("component_reach")
    coverage = run("coverage_by_territory")
    by_territory = run("participations_by_territory")
    places = run_unfiltered("territory_options") if run_unfiltered is not None else None
    if not reach.empty:
        out.append(View("overview_components", t("overview.components_title"), t("units.participations_long"),
                        caveats_of("component_reach"),
                        make_chart=lambda: charts.component_participations_chart(reach, t("overview.components_title"), labels),
                        make_table=lambda: tables.reach_table(reach, labels)))
    if not coverage.empty and places is not None:
        whole = run_unfiltered("participations_by_territory", components=None, territories=None, organisations=None)
        out.append(View("territory_map", t("map.title"), t("map.unit"),
                        caveats_of("participations_by_territory") + ["map_positions_approximate"],
                        **_variants(partial(map_chart.territory_map, by_territory, places, geo.load_boundaries(),
                                            t("map.title"), labels, whole=whole), layout="narrow"),
                        make_table=lambda: map_chart.map_table(by_territory, places, labels)))
    if not coverage.empty:
        table = lambda: tables.coverage_table(coverage, labels)  # noqa: E731
        for key, column, unit in (("participations", "participations_count", "units.participations_long"),
                                  ("organisations", "organisations_count", "units.organisations_per_component")):
            title = t(f"territory.{key}_title")
            out.append(View(f"territory_{key}", title, t(unit), caveats_of("coverage_by_territory"),
                            **_variants(partial(charts.territory_component_chart, coverage, column, title, labels)),
                            make_table=table))
    if not reach.empty:
        title = charts.component_timeline_title(reach, labels.lang)
        out.append(View("component_timeline", title,
                        t("units.reach_mixed_records" if record_level else "units.reach_mixed"),
                        caveats_of("component_reach"),
                        **_variants(partial(charts.component_timeline_chart, reach, title, labels)),
                        make_table=lambda: tables.reach_table(reach, labels)))
    matrix = run("organisation_matrix", min_people=threshold)
    if not matrix.empty:
        matrix_title = t("organisation.matrix_title_records" if record_level else "organisation.matrix_title")
        out.append(View("organisation_matrix", matrix_title,
                        t("units.participations_and_people" if record_level else "units.participations_or_status"),
                        caveats_of("organisation_matrix"),
                        **_variants(partial(charts.organisation_matrix_chart, matrix, matrix_title, labels, threshold)),
                        make_table=lambda: tables.matrix_table(matrix, labels, threshold)))
    if record_level:
        per_person = run("people_by_components_attended")
        overlaps = run("component_overlaps")
        if not per_person.empty:
            out.append(View("people_components", t("people.components_title"), t("units.people_distinct"),
                            caveats_of("people_by_components_attended"),
                            make_chart=lambda: charts.components_per_person_chart(per_person, t("people.components_title"), labels),
                            make_table=lambda: tables.components_per_person_table(per_person, labels)))
        if not overlaps.empty:
            out.append(View("people_overlaps", t("people.overlaps_title"), t("units.people_distinct"),
                            caveats_of("component_overlaps"),
                            **_variants(partial(charts.component_overlaps_chart, overlaps, t("people.overlaps_title"),
                                                labels)),
                            make_table=lambda: tables.overlaps_table(overlaps, labels)))
    return out
