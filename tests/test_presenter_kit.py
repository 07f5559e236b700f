"""Issue 4 pieces that test without a browser: CSV exports with their header, formula cells
neutralised, caveats inside chart images, the offline briefing, the presentation page, the
browser's language."""

import csv
import io
import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from care_dashboard import briefing, catalogue, caveats, charts, exports, honest, labels, paths, views
from care_dashboard.selection import Selection
from tests.apptest_helpers import elements, keyed_blocks, open_page, wide_figure


@pytest.mark.parametrize(
    "value,written",
    [("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+57 300", "'+57 300"), ("-x", "'-x"), ("@cmd", "'@cmd"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("-12", "-12"), ("+3.5", "+3.5"), ("1.234", "1.234"),
     ("ASOREPCOL", "ASOREPCOL"), (None, ""), (147, "147")],
)
def test_formula_cells_are_neutralised(value, written):
    assert exports.neutralise(value) == written


def header(lang="en"):
    return exports.ExportHeader(
        title="Participations by territory", unit="participations, not people",
        caveats=[caveats.get("participation_not_person", lang)], filters="Component: All",
        dataset="CARE 2025 report", source="CEMPRE Colombia & ASI (2025)", licence="CC BY-NC 4.0")


def read_csv(data: bytes):
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_header_block_then_the_table():
    df = pd.DataFrame({"Territory": ["Bogotá", "=HYPERLINK(\"x\")"], "Participations": ["147", "not published"]})
    rows = read_csv(exports.csv_bytes(df, header(), "en"))
    assert rows[0] == ["Participations by territory"]
    assert rows[1] == ["Counting unit: participations, not people"]
    assert rows[2][0].startswith("Caveat: A participation is not a person.")
    assert rows[3:7] == [["Filters: Component: All"], ["Data: CARE 2025 report"],
                         ["Source: CEMPRE Colombia & ASI (2025)"], ["Licence: CC BY-NC 4.0"]]
    assert rows[7] == []
    assert rows[8:] == [["Territory", "Participations"], ["Bogotá", "147"], ["'=HYPERLINK(\"x\")", "not published"]]


def test_every_chart_on_every_page_offers_its_csv_and_keeps_key_caveats_in_the_figure():
    """A saved image of any chart holds its title, its unit, its key caveats in short form and
    the source line: the footer written inside the figure (not every caveat: those are one
    click away)."""
    for page in ("overview", "territory", "component", "organisation"):
        at = open_page(page)
        blocks = keyed_blocks(at, "care_chart_")
        assert blocks, page
        for key, block in blocks.items():
            assert elements(block, "download_button"), key
            fig, _ = wide_figure(block)
            footer = fig["layout"]["annotations"][-1]["text"].replace("<br>", " ")
            shown = [c for c in caveats.catalogue() if caveats.get(c, "en", {"threshold": 5}).short in footer]
            assert 1 <= len(shown) <= caveats.KEY_CAVEATS_SHOWN, (key, shown)
            assert set(shown) <= set(catalogue.get(key).key_caveats), key
            assert "Source: CEMPRE Colombia &amp; ASI (2025), CARE report. Licence: CC BY-NC 4.0." in footer
            assert fig["layout"]["title"]["text"] and fig["layout"]["title"]["subtitle"]["text"]


def care_views(lang="en", **filters):
    from care_dashboard import datasets
    from tests.conftest import Runner
    runner = Runner(datasets.load_dataset("care_2025"))
    opts = [runner(n) for n in ("component_options", "territory_options", "organisation_options")]
    names = labels.build(*opts, lang)
    return views.build(lambda name, **p: runner(name, **filters, **p), names, False, 5), names


def care_frames(found, names, lang, selection=Selection()):
    from care_dashboard import datasets
    ds = datasets.load_dataset("care_2025")
    return {v.key: honest.frame(v, caveats_for=lambda ids: caveats.for_ids(ids, lang, "published_aggregate"),
                                selection=selection, labels=names, dataset=ds, lang=lang) for v in found}


def test_views_follow_the_selection():
    found, _ = care_views()
    assert [v.key for v in found] == ["overview", "overview_components", "territory_participations",
                                      "territory_organisations", "component_timeline", "organisation_matrix"]
    assert [f.value for f in found[0].figures] == ["799", "320 to 799", "16", "4"]
    cajica, _ = care_views(territories=["cajica"])
    assert [f.value for f in cajica[0].figures] == ["40", "22 to 40", "1", "1"]
    # a view's chart is built only when asked for (the presentation shows one at a time)
    assert all("chart" not in v._built for v in cajica)
    assert cajica[1].chart is cajica[1].chart
    assert care_views(components=["soft-skills"], territories=["cajica"])[0] == []


def test_offline_briefing_is_self_contained_and_keeps_caveats():
    found, names = care_views("es")
    page = briefing.build_html(
        found, "es", filters="Componente: Todos", dataset_title="Informe CARE 2025",
        source="CEMPRE Colombia & ASI (2025).", licence="CC BY-NC 4.0",
        frames=care_frames(found, names, "es"), source_of=lambda c: c.section, where=lambda c: c.section)
    assert page.startswith("<!doctype html>")
    assert not re.search(r"<script[^>]+src=", page), "a script is loaded from elsewhere"
    assert not re.search(r"<link[^>]+href=", page)
    body = page.split("</head>", 1)[1]  # after Plotly's inlined library (which names URLs it never loads here)
    assert not re.search(r"(src|href)=['\"]?https?:", body)
    # five charts, and for a phone the narrow variants of the four that have one (the style shows one)
    assert "Plotly" in page and page.count("Plotly.newPlot") == 9
    assert page.count("<div class='chart-narrow'>") == 4 and "@media (max-width:599px){.chart-wide{display:none}}" in page
    assert "Una participación no es una persona" in page
    assert "CC BY-NC 4.0" in page and "CEMPRE Colombia &amp; ASI (2025)." in page
    assert "<td>147</td>" in page and "799" in page


def test_briefing_escapes_text_from_data():
    fig = charts.with_caveat_footer(__import__("plotly.graph_objects").graph_objects.Figure(), ["<img src=x onerror=alert(1)>"])
    view = views.View("v", "<script>alert(1)</script>", "unit", [], make_chart=lambda: fig,
                      make_table=lambda: pd.DataFrame({"Organisation": ["<b onmouseover=alert(1)>x</b>"]}))
    frame = honest.Frame("<script>alert(1)</script>", "unit", (), (), None, (), None, "s")
    page = briefing.build_html([view], "en", frames={"v": frame}, filters="", dataset_title="<i>t</i>", source="s",
                               licence="l", source_of=lambda c: "", where=lambda c: "")
    body = page.split("</head>", 1)[1]
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b onmouseover" not in body and "<img src=x" not in body


def test_presentation_steps_through_views_and_ends_with_the_notes():
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page(str(paths.ROOT / "pages/present.py"))
    at.run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert [m.value for m in at.metric] == ["799", "320 to 799", "16", "4"]
    [position] = [m.value for m in at.markdown if re.fullmatch(r"\d+ of \d+", m.value)]
    total = int(position.split(" of ")[1])
    assert position == f"1 of {total}"

    def chart_titles():
        shown = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        return [(c["layout"]["title"]["text"], c["layout"]["title"].get("font", {}).get("size")) for c in shown]

    def step(label):
        [b for b in at.button if b.label == label][0].click().run()
        assert not at.exception

    step("Next")
    (title, size), = chart_titles()
    assert title.startswith("Participations by component") and size >= 26  # large type
    # its key caveats, short, in large type under the chart, pointing to the deck's notes
    assert any("Formalisation: organisations, not attendance (report §5.3, 6.1) [" in m.value for m in at.markdown)
    step("Next")
    assert chart_titles()[0][0].startswith("Where the programme worked")
    for _ in range(total - 3):
        step("Next")
    assert any(f"{total} of {total}" == m.value for m in at.markdown)
    assert at.title[0].value.startswith("Notes")
    seen = []  # the notes slides, from the last back to the first: every note of the deck, once
    while at.title and at.title[0].value.startswith("Notes"):
        seen = [m.value for m in at.markdown if m.value.startswith("**[")] + seen
        step("Previous")
    numbers = [int(re.match(r"\*\*\[(\d+)\]", m).group(1)) for m in seen]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 10
    assert any("**[1] A participation is not a person.** Each attendance" in m for m in seen)  # full texts
    assert any("stSidebar" in h.value for h in at.get("html"))  # the sidebar is hidden
    assert not at.get("divider")  # no page footer under a slide


def test_notes_slides_fit_the_window():
    from care_dashboard import slides

    texts = ["x" * 380] * 15
    for width, height in ((1920, 1080), (1280, 720)):
        pages = slides.paginate_notes(texts, slides.Viewport(width, height))
        assert sorted(i for p in pages for i in p) == list(range(15))  # every note, once, in order
        assert [i for p in pages for i in p] == list(range(15))
        assert len(pages) > 1
    small = slides.paginate_notes(texts, slides.Viewport(1280, 720))
    large = slides.paginate_notes(texts, slides.Viewport(1920, 1080))
    assert len(small) >= len(large)
    assert slides.chart_height(slides.Viewport(1920, 1080), ["a" * 60] * 2) > slides.chart_height(
        slides.Viewport(1280, 720), ["a" * 60] * 2) >= slides.MIN_CHART_PX
    assert slides.Viewport.of(None) == slides.Viewport(1920, 1080)
    assert slides.Viewport.of({"width": 390, "height": 844}) == slides.Viewport(390, 844)


def test_language_follows_the_browser_when_the_link_names_none():
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.context = {"locale": "es-CO"}
    at.run()
    assert at.title[0].value == "Resumen"
    at2 = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at2.context = {"locale": "es-CO"}
    at2.query_params = {"lang": "en"}
    at2.run()
    assert at2.title[0].value == "Overview"


def test_filters_text():
    found, names = care_views()
    text = exports.filters_text(Selection(components=("ohs",)), names, "en")
    assert text == "Component: Occupational health and safety; Territory: All; Organisation: All"
