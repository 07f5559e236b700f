"""AppTest for every page: runs without exception, each chart and headline figure sits in one
container with its unit and its query's caveats, and the sidebar filters change the figures."""

import base64
import json

import numpy

import plotly.io
import pytest
from streamlit.testing.v1 import AppTest

from care_dashboard import caveats, paths, queries

PAGES = {
    "overview": "pages/overview.py",
    "territory": "pages/territory.py",
    "component": "pages/component.py",
    "organisation": "pages/organisation.py",
    "method": "pages/method.py",
}
CHART_QUERIES = {
    "territory": ["coverage_by_territory", "coverage_by_territory"],
    "component": ["component_reach"],
    "organisation": ["organisation_matrix"],
}


def open_page(page, lang=None, **filters):
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page(str(paths.ROOT / PAGES[page]))
    at.run()
    if lang:
        at.sidebar.radio(key="lang").set_value(lang)
    for key, value in filters.items():
        at.sidebar.multiselect(key=key).set_value(value)
    if lang or filters:
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def blocks_with(at, element_type):
    """Containers that directly hold an element of the given type."""
    found = []

    def walk(node):
        kids = getattr(node, "children", None) or {}
        kids = list(kids.values()) if isinstance(kids, dict) else list(kids)
        if any(getattr(k, "type", None) == element_type for k in kids):
            found.append(kids)
        for k in kids:
            walk(k)

    walk(at.main)
    return found


def captions(kids):
    return [k.value for k in kids if getattr(k, "type", None) == "caption"]


def decode(values):
    """Plotly 7 sends numeric arrays as base64 ("bdata"); give them back as a list."""
    if isinstance(values, dict) and "bdata" in values:
        return numpy.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values or [])


def metric_values(at):
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_page_runs(page, lang):
    at = open_page(page, lang=lang)
    assert at.title[0].value


@pytest.mark.parametrize("page", CHART_QUERIES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_each_chart_has_unit_and_its_caveats_beside_it(page, lang):
    at = open_page(page, lang=lang)
    chart_blocks = blocks_with(at, "plotly_chart")
    assert len(chart_blocks) == len(CHART_QUERIES[page])
    unit_word = {"en": "Counting unit", "es": "Unidad de conteo"}[lang]
    for kids, query in zip(chart_blocks, CHART_QUERIES[page]):
        texts = captions(kids)
        assert any(t.startswith(unit_word) for t in texts)
        for cid in queries.get(query).caveats:
            title = caveats.get(cid, lang).title
            assert any(title in t for t in texts), f"{page}: caveat {cid} not beside the chart"
        fig = json.loads([k for k in kids if k.type == "plotly_chart"][0].proto.spec)
        title = fig["layout"]["title"]["text"]
        unit_words = {"en": ("participations", "organisations"), "es": ("participaciones", "organizaciones")}[lang]
        assert any(word in title for word in unit_words), title


def test_overview_headline_figures():
    at = open_page("overview")
    values = metric_values(at)
    assert values["Organisations that took part"] == "16"
    assert values["Territories"] == "4"
    assert values["Participations"] == "799"
    assert values["Distinct people reached"] == "320 to 799"
    assert values["Public waste service and formalisation"] == "11"


def test_overview_each_figure_has_unit_and_caveats():
    at = open_page("overview")
    metric_blocks = blocks_with(at, "metric")
    assert len(metric_blocks) == 5
    for kids in metric_blocks:
        texts = captions(kids)
        assert texts[0].startswith("Counting unit:")
        assert any("report section" in t for t in texts[1:])
    participations = [k for k in metric_blocks if any("799" == getattr(m, "value", None) for m in k)][0]
    assert any("A participation is not a person" in t for t in captions(participations))
    assert any("Formalisation attendance is not in the 799" in t for t in captions(participations))


def test_overview_in_spanish_formats_and_translates():
    at = open_page("overview", lang="es")
    values = metric_values(at)
    assert values["Participaciones"] == "799"
    assert values["Personas distintas alcanzadas"] == "de 320 a 799"
    assert at.title[0].value == "Resumen"


def test_territory_filter_changes_overview():
    at = open_page("overview", territory=["cajica"])
    values = metric_values(at)
    assert values["Participations"] == "40"  # 18 OHS + 22 human rights
    assert values["Organisations that took part"] == "1"
    assert values["Distinct people reached"] == "22 to 40"
    assert values["Territories"] == "1"


def test_component_filter_changes_overview():
    at = open_page("overview", component=["soft-skills"])
    values = metric_values(at)
    assert values["Participations"] == "168"
    assert values["Organisations that took part"] == "5"


def test_formalisation_only_shows_not_published_participations():
    at = open_page("overview", component=["formalisation"])
    values = metric_values(at)
    assert values["Participations"] == "not published"
    assert values["Organisations that took part"] == "11"


def test_organisation_filter_changes_overview():
    at = open_page("overview", organisation=["asorepcol"])
    values = metric_values(at)
    assert values["Participations"] == "31"
    assert values["Distinct people reached"] == "at least 31"
    assert any("Not in this sum" in c.value for c in at.caption)


def test_territory_page_filtered():
    at = open_page("territory", territory=["puerto-colombia"])
    figs = [plotly.io.from_json(k.proto.spec) for kids in blocks_with(at, "plotly_chart") for k in kids if k.type == "plotly_chart"]
    bars = [x for trace in figs[0].data for x in decode(trace.x)]
    assert sorted(bars) == [19, 19]


def test_territory_chart_writes_not_published_for_formalisation():
    at = open_page("territory", component=["formalisation"])
    fig = plotly.io.from_json(blocks_with(at, "plotly_chart")[0][0].proto.spec)
    notes = [a.text for a in fig.layout.annotations if "not published" in a.text]
    assert len(notes) == 2  # Bogotá and Barranquilla, no bar drawn at zero
    assert all(len(decode(trace.x)) == 0 for trace in fig.data)


def test_organisation_page_matrix_and_note():
    at = open_page("organisation", territory=["barranquilla"])
    fig = json.loads(blocks_with(at, "plotly_chart")[0][0].proto.spec)
    heat = fig["data"][0]
    assert len(heat["y"]) == 7
    texts = [t for row in heat["text"] for t in row]
    assert {"30", "45", "42"} <= set(texts) and "not known" in texts
    assert any("Only the soft skills" in i.value for i in at.info)


@pytest.mark.parametrize("page", ["overview", "territory", "component"])
def test_empty_state(page):
    at = open_page(page, component=["soft-skills"], territory=["cajica"])
    assert any("Nothing published matches this selection" in i.value for i in at.info)
    assert not blocks_with(at, "plotly_chart")


def test_organisation_page_shows_known_non_participation():
    """Cajicá's organisation did not take part in soft skills: that is known, so it is shown."""
    at = open_page("organisation", component=["soft-skills"], territory=["cajica"])
    fig = json.loads(blocks_with(at, "plotly_chart")[0][0].proto.spec)
    assert fig["data"][0]["text"] == [["did not take part"]]


def test_organisation_page_empty_state():
    at = open_page("organisation", territory=["cajica"], organisation=["asorepcol"])
    assert any("Nothing published matches this selection" in i.value for i in at.info)


def test_method_page_reconciliation_and_licence():
    at = open_page("method")
    md = "\n".join(m.value for m in at.markdown)
    assert "CC BY-NC 4.0" in md and "CEMPRE Colombia & ASI" in md
    table = at.dataframe[-1].value
    assert "adds up" in set(table.iloc[:, 6])
    total = table[(table.iloc[:, 0] == "All components") & (table.iloc[:, 2] == "participations")]
    assert total.iloc[0, 3] == "799" and total.iloc[0, 4] == "799"


def test_method_page_follows_filters():
    at = open_page("method", component=["ohs"])
    selection_table = at.dataframe[0].value
    assert list(selection_table.iloc[:, 0]) == ["Occupational health and safety"]
