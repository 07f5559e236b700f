"""Every figure of the catalogue is honest on every surface it reaches: the page, the image saved
from its chart, the presentation's slide, the offline briefing and its CSV each show its title
with its unit, its key caveats, the notes its data calls for ("not in this sum, because not
published"), the active filters in words, the synthetic mark on synthetic data, and the source
(``honest.frame`` defines them once).

Tried on the report's figures whole and filtered to one organisation, and on the synthetic demo
filtered to one component, in English and Spanish."""

from __future__ import annotations

import functools
import html
import json
import re

import pytest

from care_dashboard import catalogue, datasets, exports, honest, paths, ui, ui_figures, ui_slides, views
from care_dashboard.selection import Selection
from tests.apptest_helpers import elements, keyed_blocks, open_page

SYNTHETIC = "care_2025_synthetic"
CASES = {
    "report": ("care_2025", {}),
    "report_one_organisation": ("care_2025", {"organisation": ["asorepcol"]}),
    "synthetic_one_component": (SYNTHETIC, {"component": ["human-rights"]}),
}
# the report whole in English; filtered and the synthetic demo in both languages
TRIED = [("report", "en"), ("report_one_organisation", "en"), ("report_one_organisation", "es"),
         ("synthetic_one_component", "en"), ("synthetic_one_component", "es")]
PAGES = ("overview", "territory", "component", "organisation", "people", "method")
KIND_PREFIX = {"figure": "care_figure_", "chart": "care_chart_", "table": "care_table_"}


def normalised(text: str) -> str:
    """Text as a reader sees it: JSON and HTML escapes, Markdown escapes, word joiners and the
    line breaks of charts undone."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    text = html.unescape(re.sub(r"<br\s*/?>", " ", text)).replace("\u2060", "")
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.split())


@functools.cache
def context(case: str, lang: str) -> ui.PageContext:
    name, filters = CASES[case]
    dataset = datasets.load_dataset(name)
    selection = Selection(tuple(filters.get("component", ())), tuple(filters.get("territory", ())),
                          tuple(filters.get("organisation", ())))
    return ui.PageContext(lang, dataset, selection, ui.filter_options(dataset).labels(lang), 5)


def missing(frame: honest.Frame, text: str, with_title: bool = True, with_unit: bool = True) -> list[str]:
    """The words of ``frame`` that ``text`` does not show (a unit under a chart's title starts
    with a capital)."""
    shown = normalised(text).casefold()
    words = [w for w in frame.words() if (with_title or w != frame.title) and (with_unit or w != frame.unit)]
    return [w for w in words if normalised(w).casefold() not in shown]


def test_the_frame_of_a_filtered_figure_names_its_filter_and_what_its_sum_leaves_out():
    ctx = context("report_one_organisation", "en")
    [headline] = [v for v in views.deck(ctx.source) if v.key == "overview"]
    frame = ctx.frame(headline)
    assert frame.filters == "Filtered: Organisation ASOREPCOL"
    assert "Not in this sum, because not published: Occupational health and safety, Human rights, " \
           "Public waste service and formalisation." in frame.notes
    whole = context("report", "en").frame([v for v in views.deck(context("report", "en").source) if v.key == "overview"][0])
    assert whole.filters is None
    assert whole.notes == ("Not in this sum, because not published: Public waste service and formalisation.",)
    synthetic = context("synthetic_one_component", "es")
    assert all(synthetic.frame(v).synthetic is not None for v in views.deck(synthetic.source))
    assert all(context("report", "es").frame(v).synthetic is None for v in views.deck(context("report", "es").source))


def _page_text(at) -> str:
    parts = [e.value for kind in ("title", "markdown", "caption", "header", "subheader") for e in at.get(kind)]
    parts += [e.proto.body for e in at.get("alert")] if at.get("alert") else []
    parts += [w.value for w in at.warning]
    return "\n".join(parts)


def _block_text(block) -> str:
    parts = [e.value for kind in ("markdown", "caption") for e in elements(block, kind)]
    parts += [f"{m.label} {m.value}" for m in elements(block, "metric")]
    parts += [c.proto.spec for c in elements(block, "plotly_chart")]
    return "\n".join(parts)


@pytest.mark.parametrize(("case", "lang"), TRIED)
@pytest.mark.parametrize("page", PAGES)
def test_every_figure_of_a_page_and_its_images_is_honest(page, case, lang):
    name, filters = CASES[case]
    at = open_page(page, lang=lang, dataset=name, **filters)
    assert not at.exception
    ctx = context(case, lang)
    found = {k: v for k, v in views.for_page(page, ctx.source).items() if v is not None}
    if page != "method" and not ctx.source.has_rows():
        return
    page_text = _page_text(at)
    dataset = ctx.dataset
    for fid, view in found.items():
        entry = catalogue.get(fid)
        blocks = keyed_blocks(at, KIND_PREFIX[entry.kind])
        if page == "people" and not ctx.is_record_level and fid != "people_distinct":
            continue
        assert fid in blocks, (page, fid)
        frame = ctx.frame(view)
        block = blocks[fid]
        # beside the figure: its title (a table's is the heading above it), unit, key caveats, notes
        beside = _block_text(block) + ("\n" + page_text if entry.kind == "table" else "")
        lacking = [w for w in missing(frame, beside) if w not in (frame.filters, frame.source)]
        assert not lacking, (page, fid, lacking)
        # once for the page: the filters in words, the synthetic mark and the source
        if frame.filters:
            assert normalised(frame.filters) in normalised(page_text), (page, fid)
        if frame.synthetic is not None:
            assert "Synthetic" in page_text or "sintéticos" in page_text.lower() or "Sintéticos" in page_text
        assert normalised(dataset.text("licence", lang)) in normalised(page_text + _block_text(block)), (page, fid)
        # the image saved from a chart (each variant): all of it inside the figure
        for chart in elements(block, "plotly_chart"):
            assert not missing(frame, chart.proto.spec), (page, fid, chart.proto.id, missing(frame, chart.proto.spec))


def _slides(at) -> list[str]:
    """The text of every slide of the deck, stepping through it with the Next button."""
    out = []
    while True:
        parts = [t.value for t in at.title]
        parts += [e.value for kind in ("markdown", "caption") for e in at.get(kind)]
        parts += [f"{m.label} {m.value}" for m in at.metric]
        parts += [c.proto.spec for c in at.get("plotly_chart")]
        out.append("\n".join(parts))
        [next_button] = [b for b in at.button if b.key == "slide_next"]
        if next_button.disabled:
            return out
        next_button.click().run()
        assert not at.exception


@pytest.mark.parametrize(("case", "lang"), TRIED)
def test_every_slide_is_honest(case, lang):
    name, filters = CASES[case]
    at = open_page("overview", lang=lang, dataset=name, **filters)
    at.switch_page(str(paths.ROOT / "pages/present.py"))
    at.run()
    assert not at.exception
    ctx = context(case, lang)
    deck = views.deck(ctx.source)
    shown = _slides(at)
    assert len(shown) > len(deck)  # then the notes
    for view, text in zip(deck, shown):
        frame = ctx.frame(view)
        if view.figures:  # each figure its label, value and unit
            for f in view.figures:
                assert normalised(f"{f.label} {f.value}") in normalised(text) and normalised(f.unit) in normalised(text)
        lacking = missing(frame, text, with_unit=not view.figures)
        assert not lacking, (view.key, lacking)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_section_of_the_briefing_is_honest(case, lang):
    ctx = context(case, lang)
    page = ui_slides.briefing_html(ctx).decode("utf-8").split("</head>", 1)[1]
    sections = dict(re.findall(r"<section class='view' id='([^']+)'>(.*?)</section>", page, flags=re.S))
    deck = views.deck(ctx.source)
    assert list(sections) == [v.key for v in deck]
    for view in deck:
        lacking = missing(ctx.frame(view), sections[view.key], with_unit=not view.figures)
        assert not lacking, (view.key, lacking)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_csv_is_honest(case, lang):
    ctx = context(case, lang)
    checked = 0
    for entry in catalogue.entries().values():
        view = views.build_view(entry, ctx.source)
        if view is None or view.make_table is None:
            continue
        frame = ctx.frame(view)
        text = normalised(exports.csv_bytes(view.table, ui_figures.export_header(ctx, frame), lang).decode("utf-8-sig"))
        for w in (frame.title, frame.unit, *frame.notes, *(c.title for c in frame.all_caveats)):
            assert normalised(w) in text, (entry.id, w)
        for label in _chosen_labels(ctx):
            assert normalised(label) in text, (entry.id, label)
        if frame.synthetic is not None:
            assert normalised(frame.synthetic.title) in text
        assert normalised(ctx.dataset.text("source_citation", lang)) in text
        checked += 1
    assert checked >= 8


def _chosen_labels(ctx) -> list[str]:
    s, names = ctx.selection, ctx.labels
    return ([names.component(c) for c in s.components] + [names.territory(t) for t in s.territories]
            + [names.organisation(o) for o in s.organisations])


def test_the_catalogue_refuses_an_unknown_key_and_a_missing_text():
    entry = catalogue.FILE.read_text(encoding="utf-8").split("\n\n[overview_people]")[0]
    catalogue.parse(entry)  # the first entry alone is a catalogue
    with pytest.raises(catalogue.CatalogueError, match=r"\[overview_participations\] colour: Extra inputs"):
        catalogue.parse(entry + '\ncolour = "red"\n')
    with pytest.raises(catalogue.CatalogueError, match="has no en text"):
        catalogue.parse(entry.replace('title = "overview.participations_label"', 'title = "overview.no_such_text"'))
    with pytest.raises(catalogue.CatalogueError, match="not caveats of the figure"):
        catalogue.parse(entry.replace('key_caveats = ["participation_not_person"]', 'key_caveats = ["map_positions_approximate"]'))
    with pytest.raises(catalogue.CatalogueError, match="not one of makers.TABLES"):
        catalogue.parse(entry + '\ntable = "nothing"\n')


def test_every_figure_is_defined_once():
    """No page, deck or export names a figure's query, builder or caveats itself: pages lay out
    figure ids; the figures' definitions are the catalogue's alone."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in (paths.ROOT / "pages").glob("*.py"))
    for forbidden in ("chart_block(ctx, lambda", "charts.", "map_chart.", "tables.", "extra_caveats", "queries.get("):
        assert forbidden not in code, forbidden
    text = json.dumps([e.model_dump() for e in catalogue.entries().values()])
    assert text.count('"map_positions_approximate"') == 2  # the map's extra caveat and its key caveat, in one entry
