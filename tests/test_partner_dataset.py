"""A partner's own dataset of another programme (tests/partner_programme.py: 40 municipalities over
Colombia, 7 components of its own, 52 organisations, a few hundred people; record-level, not
synthetic), in English and Spanish, on every page, the presentation, the CSV exports and the
offline briefing: nothing fails; no caveat that is not true of it shows anywhere (the CARE 2025
report's facts above all); every chart, headline figure and table keeps a key caveat beside it;
each component has one colour in every chart and on the map; every municipality is in the tables
with its department. The colour rule itself is checked here too."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from care_dashboard import (
    catalogue,
    caveats,
    charts,
    datasets,
    exports,
    geo,
    i18n,
    labels,
    map_chart,
    paths,
    queries,
    ui,
    ui_figures,
    ui_slides,
    views,
)
from care_dashboard.selection import Selection
from tests import partner_programme
from tests.apptest_helpers import (
    PAGES,
    SYNTHETIC_CHART_QUERIES,
    assert_charts_have_unit_and_caveats,
    data_facts,
    elements,
    expected_split,
    keyed_blocks,
    open_page,
    wide_figure,
)
from tests.care_words import CARE_WORDS

NAME = partner_programme.NAME
LANGS = ("en", "es")
FIGURES = {  # the headline figures and tables of a record-level dataset, by page, and their caveats
    "overview": {"overview_participations": "total_participations", "overview_people": "distinct_people",
                 "overview_organisations": "organisations_engaged", "overview_territories": "territories_reached"},
    "people": {"people_distinct": "distinct_people", "people_participations": "total_participations",
               "people_records_without_key": None},
}
TABLES = {"people": {"people_by_organisation": "people_by_organisation"},
          "method": {"method_selection_table": "component_reach"}}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """A data folder holding the partner's dataset (and the default one the dashboard opens first)."""
    root = tmp_path_factory.mktemp("partner_data")
    shutil.copytree(paths.DATA_DIR / "care_2025", root / "care_2025")
    partner_programme.write(root)
    patch = pytest.MonkeyPatch()
    patch.setattr(paths, "DATA_DIR", root)
    yield root
    patch.undo()


@pytest.fixture(scope="module")
def facts(data_dir):
    return data_facts(NAME, data_dir)


@pytest.fixture(scope="module")
def runner(data_dir):
    from tests.conftest import Runner
    return Runner(datasets.load_dataset(NAME, data_dir))


_opened: dict = {}


def opened(page: str, lang: str, phone: bool = False) -> AppTest:
    """A page on the partner's dataset, opened once per module (AppTest runs are slow); with
    ``phone``, as a phone's browser (sent each chart's phone variant too)."""
    if (page, lang, phone) not in _opened:
        _opened[(page, lang, phone)] = open_page(page, lang=lang, dataset=NAME, phone=phone)
    return _opened[(page, lang, phone)]


def normalised(text: str) -> str:
    """Text as a reader sees it: Markdown escapes, HTML entities and line breaks of charts undone."""
    text = html.unescape(re.sub(r"<br\s*/?>", " ", text))
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.split())


def shown_text(at) -> str:
    """Every string the page sends to the browser: each element's message (Markdown, captions,
    metric labels and help, popovers, expanders, alerts, buttons), every chart's whole spec, and
    every table's cells; main area and sidebar."""
    found: list[str] = []

    def strings(value) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                strings(v)
        elif isinstance(value, list):
            for v in value:
                strings(v)

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            message = MessageToDict(proto)
            if getattr(node, "type", None) == "plotly_chart":
                strings(json.loads(proto.spec))
                message.pop("spec", None)
            strings(message)
        if getattr(node, "type", None) == "dataframe":
            found.append(node.value.to_csv())
        kids = getattr(node, "children", None) or {}
        for kid in (kids.values() if isinstance(kids, dict) else kids):
            walk(kid)

    walk(at.main)
    walk(at.sidebar)
    return normalised("\n".join(found))


# the caveats that state facts of the CARE 2025 report (partner import audit, finding 5), named
# here whatever the catalogue binds them to
CARE_CAVEATS = {
    "organisations_not_summable", "unnamed_organisations", "small_territories_fragile", "soft_skills_selected_not_sampled",
    "period_precision", "territory_is_organisation_city", "outputs_not_outcomes", "formalisation_counted_in_organisations",
    "formalisation_not_in_total", "formalisation_by_venue", "per_organisation_only_soft_skills", "synthetic_data",
}


def care_specific(cid: str) -> bool:
    """A caveat about the CARE 2025 report: listed above, bound to datasets, or naming its facts."""
    if cid in CARE_CAVEATS or "datasets" in caveats.catalogue()[cid]:
        return True
    return any(CARE_WORDS[lang].search(getattr(caveats.get(cid, lang, {"threshold": 5}), part))
               for lang in LANGS for part in ("title", "short", "text"))


def assert_only_true_caveats(text: str, facts) -> None:
    """No caveat about the CARE report, and none that does not hold for the dataset, in either
    language, by its title, short form or text; no report section cited."""
    for cid in caveats.catalogue():
        if caveats.holds(cid, facts) and not care_specific(cid):
            continue
        for lang in LANGS:
            c = caveats.get(cid, lang, {"threshold": 5})
            for part in (c.title, c.short, c.text):
                assert normalised(part) not in text, (cid, lang, part)
    for lang in LANGS:  # "report §6.1", "report section 6.1": a section of the CARE report
        for key in ("common.where_report", "common.report_section"):
            cited = re.escape(i18n.t(key, lang, section="SECTION")).replace("SECTION", r"[0-9][0-9., ]*")
            assert not re.search(cited, text), (key, re.search(cited, text).group(0))


@pytest.mark.parametrize("lang", LANGS)
def test_the_synthetic_banner_speaks_of_the_care_report_only_on_its_demo(lang, data_dir):
    """Audit leftover: another synthetic dataset (a generated test programme) is not said to copy
    the CARE 2025 report's totals; the shipped demo is."""
    other = datasets.load_dataset(NAME, data_dir)
    other = dataclasses.replace(other, is_synthetic=True, metadata={**other.metadata, "is_synthetic": True,
                                                                    "generator": "tests/partner_programme.py"})
    demo = datasets.load_dataset("care_2025_synthetic", paths.ROOT / "data")
    assert other.is_synthetic and demo.is_synthetic
    assert "CARE" not in ui_figures.synthetic_banner_text(other, lang)
    assert "CARE 2025" in ui_figures.synthetic_banner_text(demo, lang)
    assert ui_figures.synthetic_banner_text(datasets.load_dataset("care_2025", paths.ROOT / "data"), lang) is None


def test_care_caveats_do_not_hold_on_the_partners_data(facts):
    assert all(not caveats.holds(cid, facts) for cid in caveats.catalogue() if care_specific(cid))
    assert {cid for cid in caveats.catalogue() if care_specific(cid)} >= CARE_CAVEATS


def test_the_dataset_is_another_programme(facts, runner):
    """It shares nothing with CARE 2025 but the schema: 40 municipalities in 32 departments,
    7 components of its own, none synthetic; some municipalities have a single organisation."""
    places = runner("territory_options")
    assert len(places) == 40 and places["department_name"].nunique() >= 30
    assert not set(places["territory_id"]) & partner_programme.CARE_TERRITORIES
    assert set(runner("component_options")["component_id"]) == {c[0] for c in partner_programme.COMPONENTS}
    assert facts == caveats.DataFacts(NAME, "record_level", frozenset({"territory_with_one_organisation"}))
    assert runner.one("distinct_people")["people_exact_count"] > 300


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_and_shows_only_caveats_true_of_the_data(page, lang, facts):
    at = opened(page, lang)
    assert at.title[0].value and not at.exception
    assert not at.warning  # not synthetic: no banner
    text = shown_text(at)
    assert_only_true_caveats(text, facts)
    assert partner_programme.COMPONENTS[0][2 if lang == "es" else 1] in text  # the data's own components show


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", SYNTHETIC_CHART_QUERIES)
def test_every_chart_has_its_unit_and_a_true_caveat_beside_it(page, lang, facts):
    at = opened(page, lang)
    assert_charts_have_unit_and_caveats(at, SYNTHETIC_CHART_QUERIES[page], lang, "record_level", False,
                                        data=facts, licence="CC0")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", ["overview", "people", "method"])
def test_every_headline_figure_and_table_has_a_true_caveat_beside_it(page, lang, facts):
    at = opened(page, lang)
    for prefix, expected in (("care_figure_", FIGURES.get(page, {})), ("care_table_", TABLES.get(page, {}))):
        blocks = keyed_blocks(at, prefix)
        assert set(expected) <= set(blocks), (page, set(expected) - set(blocks))
        for key, block in blocks.items():
            ids = catalogue.get(key).caveat_ids
            key_caveats, rest = expected_split(key, ids, lang, "record_level", False, facts)
            assert 1 <= len(key_caveats) <= caveats.KEY_CAVEATS_SHOWN, key
            assert {c.id for c in key_caveats} <= set(catalogue.get(key).key_caveats), key  # chosen, not a fallback
            beside = normalised(" ".join(e.value for e in elements(block, "caption")))
            for c in key_caveats:
                assert normalised(c.short) in beside, (key, c.id)


@pytest.mark.parametrize("lang", LANGS)
def test_method_page_lists_exactly_the_caveats_true_of_the_data(lang, facts):
    at = opened("method", lang)
    listed = [m.value for m in at.markdown if re.match(r"\*\*\[\d+\]", m.value)]
    titles = [re.match(r"\*\*\[\d+\] (.*?)\.\*\*", m).group(1) for m in listed]
    # (its own tables number their key caveats first, and repeat them one click away)
    assert set(titles) == {c.title for c in caveats.all_caveats(lang, facts, {"threshold": 5})}


def test_method_page_on_the_report_lists_its_own_caveats():
    at = open_page("method")
    listed = [m.value for m in at.markdown if re.match(r"\*\*\[\d+\]", m.value)]
    titles = {re.match(r"\*\*\[\d+\] (.*?)\.\*\*", m).group(1) for m in listed}
    held = {c.title for c in caveats.all_caveats("en", data_facts("care_2025"), {"threshold": 5})}
    assert titles == held
    assert {"16 organisations in all, counted in each component", "Eleven organisations are not named"} <= titles
    assert "Territory means the organisation's municipality" not in titles  # the CARE one says it, and more


# ---- colours ----------------------------------------------------------------------------------

def component_colours_drawn(fig: dict, names: dict[str, str]) -> list[tuple[str, str]]:
    """(component id, colour) of every mark drawn in a component's colour: bars and timeline bars
    named after their component, and the dots of the overlaps' matrix (on the component's row)."""
    by_name = {normalised(name): cid for cid, name in names.items()}
    found = []
    for trace in fig["data"]:
        colour = (trace.get("marker") or {}).get("color")
        if not isinstance(colour, str):
            continue
        name = normalised(str(trace.get("name", "")))
        if name in by_name:
            found.append((by_name[name], colour))
        elif trace.get("type") == "scatter" and trace.get("yaxis") == "y2":
            rows = {normalised(str(y)) for y in trace.get("y", [])}
            if len(rows) == 1 and (row := rows.pop()) in by_name:
                found.append((by_name[row], colour))
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_each_component_has_one_colour_in_every_chart(lang, runner):
    names = dict(zip(runner("component_options")["component_id"],
                     runner("component_options")[f"component_name_{lang}"]))
    expected = charts.component_colours(list(names))
    seen: dict[str, set[str]] = {}
    charts_with_colours = 0
    for page in ("overview", "territory", "component", "people"):
        at = opened(page, lang, phone=True)  # the wide charts and their phone variants
        for chart in at.get("plotly_chart"):
            drawn = component_colours_drawn(json.loads(chart.proto.spec), names)
            charts_with_colours += bool(drawn)
            for cid, colour in drawn:
                seen.setdefault(cid, set()).add(colour)
    assert charts_with_colours >= 8  # components, by territory (3 measures), timeline, overlaps, wide and narrow
    assert set(seen) == set(names)
    assert {cid: colours for cid, colours in seen.items()} == {cid: {expected[cid]} for cid in names}
    assert len(set(expected.values())) == 7  # seven components, seven colours


def test_the_map_draws_each_component_in_its_colour(runner):
    component_names = runner("component_options")
    names = labels.build(component_names, runner("territory_options"), runner("organisation_options"), "en")
    whole = runner("participations_by_territory")
    for cid in component_names["component_id"]:
        df = runner("participations_by_territory", components=[cid])
        fig = map_chart.territory_map(df, runner("territory_options"), geo.load_boundaries(), "Map", names, whole=whole)
        circles = [t for t in fig.data if t.name == "circles"]
        assert circles and {t.marker.color for t in circles} == {charts.component_colour(cid, names)}, cid
        assert map_chart.colour_of(df, names) == (charts.component_colour(cid, names), cid)


def test_component_colours_follow_the_datasets_components_only():
    care = ["ohs", "human-rights", "formalisation", "soft-skills"]
    assert charts.component_colours(care) == charts.COMPONENT_COLOURS  # CARE keeps its colours
    seven = [c[0] for c in partner_programme.COMPONENTS]
    colours = charts.component_colours(seven)
    assert len(set(colours.values())) == 7
    assert set(colours.values()) <= {"#56B4E9", "#D55E00", "#E69F00", "#0072B2", "#009E73", "#CC79A7", "#F0E442"}  # Okabe-Ito
    # a component's colour is the same whichever chart asks, in whatever order it draws them
    for cid in seven:
        assert charts.component_colour(cid, seven) == colours[cid]
    # CARE components among new ones keep theirs; the new ones take colours no CARE component has
    mixed = ["human-rights", "financial-education", "ohs", "recycling-techniques"]
    got = charts.component_colours(mixed)
    assert got["human-rights"] == "#0072B2" and got["ohs"] == "#E69F00"
    assert len(set(got.values())) == 4
    # eight to eleven components stay distinct
    many = [f"c{i}" for i in range(11)]
    assert len(set(charts.component_colours(many).values())) == 11
    assert len(set(charts.component_colours(care + many[:4]).values())) == 8


@pytest.mark.parametrize("lang", LANGS)
def test_components_are_named_in_every_chart_not_only_coloured(lang, runner):
    """Colour is never the only cue: every component a chart draws in its colour is named in it
    (a panel title, an axis label, a row of the matrix)."""
    names = dict(zip(runner("component_options")["component_id"],
                     runner("component_options")[f"component_name_{lang}"]))
    for page in ("overview", "territory", "component", "people"):
        for chart in opened(page, lang).get("plotly_chart"):
            fig = json.loads(chart.proto.spec)
            visible = [a.get("text", "") for a in fig["layout"].get("annotations", [])]
            visible += [str(y) for trace in fig["data"] for y in (trace.get("y") or []) if isinstance(y, str)]
            visible = normalised(" ".join(visible))
            for cid, _ in component_colours_drawn(fig, names):
                assert normalised(names[cid]) in visible, (page, chart.proto.id, cid)


# ---- the territory tables ----------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_every_municipality_is_in_the_tables_with_its_department(lang, data_dir):
    places = {m.municipality_name: m.department_name for m in partner_programme.municipalities()}
    at = opened("territory", lang)
    blocks = keyed_blocks(at, "care_chart_")
    [map_table] = [e.value for e in elements(blocks["territory_map"], "dataframe")]
    territory, department = i18n.t("columns.territory", lang), i18n.t("map.column_department", lang)
    assert dict(zip(map_table[territory], map_table[department])) == places
    assert map_table[i18n.t("map.column_latitude", lang)].notna().all()
    [coverage] = [e.value for e in elements(blocks["territory_participations"], "dataframe")]
    assert set(coverage[territory]) == set(places)
    # and every one of them is placed on the map, none left out
    fig, _ = wide_figure(blocks["territory_map"])
    not_placed = i18n.t("map.not_placed", lang, names="").split(":")[0]
    assert not_placed not in normalised(json.dumps(fig, ensure_ascii=False))


# ---- exports, briefing, presentation ---------------------------------------------------------

def partner_context(lang: str, data_dir) -> ui.PageContext:
    dataset = datasets.load_dataset(NAME, data_dir)
    return ui.PageContext(lang, dataset, Selection(), ui.filter_options(dataset).labels(lang), 5)


@pytest.mark.parametrize("lang", LANGS)
def test_csv_exports_carry_only_caveats_true_of_the_data(lang, data_dir, facts):
    ctx = partner_context(lang, data_dir)
    assert ctx.data_facts == facts
    caveat_line = i18n.t("exports.caveat", lang, title="", text="").split(":")[0]
    for key, entry in catalogue.entries().items():
        view = views.View(key, key, "unit", list(entry.caveat_ids))
        header = ui_figures.export_header(ctx, ctx.frame(view))
        data = exports.csv_bytes(__import__("pandas").DataFrame({"a": [1]}), header, lang).decode("utf-8-sig")
        assert header.caveats, key
        assert all(caveats.holds(c.id, facts) for c in header.caveats), key
        assert data.count(caveat_line) == len(header.caveats), key
        assert_only_true_caveats(normalised(data), facts)


@pytest.mark.parametrize("lang", LANGS)
def test_offline_briefing_carries_only_caveats_true_of_the_data(lang, data_dir, facts):
    page = ui_slides.briefing_html(partner_context(lang, data_dir)).decode("utf-8")
    body = page.split("</head>", 1)[1]
    assert partner_programme.COMPONENTS[0][2 if lang == "es" else 1] in body
    assert body.count("Plotly.newPlot") >= 8  # every chart view, the map included
    assert body.count("<ul class='caveats'>") >= 9  # each view its caveats in full
    assert_only_true_caveats(normalised(re.sub(r"<[^>]+>", " ", body)), facts)
    for c in caveats.for_ids(queries.get("total_participations").caveats, lang, facts):
        assert html.escape(c.title) in body


def present(lang: str) -> AppTest:
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.sidebar.radio(key="lang").set_value(lang)
    at.sidebar.radio(key="dataset").set_value(NAME)
    at.run()
    at.switch_page(str(paths.ROOT / "pages/present.py"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", LANGS)
def test_presentation_shows_a_true_caveat_beside_every_figure_and_chart(lang, facts):
    at = present(lang)
    [position] = [m.value for m in at.markdown if re.fullmatch(r"\d+ \w+ \d+", m.value)]
    total = int(position.split()[-1])
    notes_title = i18n.t("present.notes_title_one", lang).split()[0]
    slides = 0
    while True:
        assert not at.exception, [e.value for e in at.exception]
        assert_only_true_caveats(shown_text(at), facts)
        warnings = [m.value for m in at.markdown if m.value.startswith(":material/warning:")]
        if at.title and at.title[0].value.startswith(notes_title):
            assert not warnings
        elif at.metric:  # the headline figures: one caveat under each
            assert len(warnings) == len(at.metric) == 4
        else:  # a chart, its key caveats under it
            assert at.get("plotly_chart") and 1 <= len(warnings) <= caveats.KEY_CAVEATS_SHOWN
        slides += 1
        nexts = [b for b in at.button if b.key == "slide_next"]
        if not nexts or nexts[0].disabled:
            break
        nexts[0].click().run()
    assert slides == total and total >= 10


# ---- whom a component was for ------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_no_page_says_whom_a_component_was_for_when_the_sheets_do_not(lang, data_dir):
    """A partner's sign-in sheets never say whom a component was for: the Component page said
    "waste pickers" (the stored default) of a programme that never did. The report's own
    components keep theirs."""
    audiences = [i18n.t(f"audience.{a}", lang) for a in ("waste_pickers", "organisation_leaders")]
    column = i18n.t("columns.audience", lang)
    for page in ("component", "method"):
        text = shown_text(opened(page, lang))
        assert not [a for a in audiences if a in text], page
        assert column not in text, page
    component = opened("component", lang)
    [timeline] = [json.loads(c.proto.spec) for c in component.get("plotly_chart") if not c.proto.id.endswith("_narrow")]
    assert timeline["layout"]["title"]["text"].startswith(i18n.t("component.timeline_title_reach", lang))
    briefing_body = ui_slides.briefing_html(partner_context(lang, data_dir)).decode("utf-8").split("</head>", 1)[1]
    assert not [a for a in audiences if a in briefing_body]
    # on the report the audience stays, and on its demo, which copies its components
    report = shown_text(open_page("component", lang=lang))
    assert all(a in report for a in audiences) and column in report
    from tests.conftest import Runner
    demo = Runner(datasets.load_dataset("care_2025_synthetic", paths.ROOT / "data"))("component_reach")
    assert set(demo["audience_id"]) == {"waste_pickers", "organisation_leaders"}
