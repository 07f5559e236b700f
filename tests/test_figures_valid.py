"""The figures built without Plotly's property check (``charts.from_dicts``) pass that check,
and what a page sends of them (``charts.DictFigure.to_dict``) is what Plotly's own would send.

The builders of large charts (bars by territory, the people charts, the map) make their figures
from plain dicts without Plotly checking every property again on every rerun. This file is where
that check happens instead: every such figure, on the embedded published figures, on attendance
records with people, and on a generated dataset of hundreds of territories (the many-territory
paths: busiest territories only, a dense map), is rebuilt through ``go.Figure``'s checking
constructor, which raises on any property name or value Plotly does not know. The map is checked
in both its layouts, and on forty municipalities across Colombia (zoomed panels, leader lines,
numbered places, the islands).
"""

import json

import plotly.graph_objects as go
import plotly.utils
import pytest

from bench.generate import generate
from care_dashboard import charts, datasets, geo, i18n, labels, map_chart
from tests.conftest import Runner
from tests.map_helpers import CARE_FOUR, FORTY, TWELVE, synthetic_map


def checked(fig: go.Figure) -> go.Figure:
    """``fig`` rebuilt with every property checked; raises ValueError on anything invalid."""
    return go.Figure(fig.to_dict())


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """A record-level dataset of 30 territories and 240 organisations (bench/generate.py)."""
    folder = tmp_path_factory.mktemp("data")
    generate(600_000, 5, "bench_many", folder)
    return Runner(datasets.load_dataset("bench_many", folder))


def unchecked_figures(runner: Runner, lang: str, **filters) -> dict[str, go.Figure]:
    names = labels.build(runner("component_options"), runner("territory_options"), runner("organisation_options"), lang)
    coverage = runner("coverage_by_territory", **filters)
    figures = {
        f"territory_{column}": charts.territory_component_chart(coverage, column, "title", names)
        for column in ("participations_count", "organisations_count", "people_count")
    }
    figures["map"] = map_chart.territory_map(
        runner("participations_by_territory", **filters), runner("territory_options"), geo.load_boundaries(),
        i18n.t("map.title", lang), names, whole=runner("participations_by_territory"),
    )
    figures["map_narrow"] = map_chart.territory_map(
        runner("participations_by_territory", **filters), runner("territory_options"), geo.load_boundaries(),
        i18n.t("map.title", lang), names, whole=runner("participations_by_territory"), layout="narrow",
    )
    if runner.dataset.has_person_keys:
        per_person = runner("people_by_components_attended", **filters)
        figures["components_per_person"] = charts.components_per_person_chart(per_person, "title", names)
        figures["components_per_person_by_territory"] = charts.components_per_person_by_territory_chart(
            per_person, "title", names
        )
        figures["overlaps"] = charts.component_overlaps_chart(runner("component_overlaps", **filters), "title", names)
    return figures


def without_none(value):
    """A figure's dict as Plotly.js reads it: a property set to null is as good as unset."""
    if isinstance(value, dict):
        return {k: without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_none(v) for v in value]
    return value


def as_json(spec: dict) -> str:
    return json.dumps(without_none(spec), cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)


def assert_all_valid(figures: dict[str, go.Figure]) -> None:
    for name, fig in figures.items():
        sent = fig.to_dict()  # a page sends this, made from the builder's dicts (charts.DictFigure)
        assert isinstance(fig, charts.DictFigure), name
        fig.data  # noqa: B018 - makes Plotly's own objects of the figure
        assert as_json(sent) == as_json(fig.to_dict()), f"{name}: not what Plotly's to_dict gives"
        again = checked(fig)
        assert len(again.data) == len(fig.data) > 0, name
        assert again.layout.title.text == fig.layout.title.text, name


@pytest.mark.parametrize("lang", ["en", "es"])
def test_figures_of_the_embedded_dataset_pass_plotlys_check(care, lang):
    figures = unchecked_figures(care, lang)
    assert set(figures) == {"territory_participations_count", "territory_organisations_count",
                            "territory_people_count", "map", "map_narrow"}
    assert_all_valid(figures)
    assert_all_valid(unchecked_figures(care, lang, components=["ohs"]))


def test_figures_of_attendance_records_pass_plotlys_check(ppl):
    figures = unchecked_figures(ppl, "en")
    assert {"components_per_person", "components_per_person_by_territory", "overlaps"} <= set(figures)
    assert_all_valid(figures)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_figures_of_hundreds_of_territories_pass_plotlys_check(many, lang):
    territories = many("territory_options")
    assert len(territories) > max(charts.MAX_TERRITORY_ROWS, map_chart.DENSE_AT)  # the many-territory paths
    figures = unchecked_figures(many, lang)
    assert_all_valid(figures)
    # the busiest territories only: the bars say so
    notes = [a.text for a in figures["territory_participations_count"].layout.annotations]
    assert any(str(charts.MAX_TERRITORY_ROWS) in n for n in notes)
    one = territories["territory_id"].iloc[0]
    assert_all_valid(unchecked_figures(many, lang, components=["human-rights"], territories=[one]))


def test_the_check_fails_on_a_figure_plotly_would_reject():
    """The check can fail: a misspelt property and a wrong value are both caught."""
    with pytest.raises(ValueError):
        checked(charts.from_dicts([dict(type="bar", x=[1], y=[2], colour="red")], {}))
    with pytest.raises(ValueError):
        checked(charts.from_dicts([dict(type="bar", x=[1], y=[2], orientation="sideways")], {}))
    with pytest.raises(ValueError):
        checked(charts.from_dicts([dict(type="bar", x=[1], y=[2])], {"xaxis": {"range_mode": "tozero"}}))


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("layout", ["wide", "narrow"])
def test_maps_of_municipalities_across_colombia_pass_plotlys_check(lang, layout):
    """The map of 4, 12 and 40 municipalities (tests/test_map.py), in both layouts."""
    assert_all_valid({f"map_{len(ids)}": synthetic_map(ids, layout, lang) for ids in (CARE_FOUR, TWELVE, FORTY)})
