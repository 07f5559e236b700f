"""The presenter's deck as PowerPoint (``deck_pptx.build_pptx``), read back with python-pptx: the
slides in the deck's order (or the presenter's, with their title and closing slides), native
charts whose series equal the query's rows (not published: an empty point, never 0), every slide
framed (title, unit, key caveats, notes, filters, source, synthetic mark), the caveats in full in
the speaker notes, readable sizes; and rendered by LibreOffice Impress, its pages saved as PNGs
under test-artifacts/pptx/ to be looked at.

Tried on the report's figures whole, the report filtered to one organisation, and the synthetic
demo filtered to one component, in English and Spanish."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Pt

from care_dashboard import catalogue, datasets, deck_choice, deck_pptx, ui, views
from care_dashboard.deck_choice import DeckChoice
from care_dashboard.selection import Selection

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "pptx"
CASES = {
    "report": ("care_2025", {}),
    "report_one_organisation": ("care_2025", {"organisation": ("asorepcol",)}),
    "synthetic_one_component": ("care_2025_synthetic", {"component": ("human-rights",)}),
}
TRIED = [(case, lang) for case in CASES for lang in ("en", "es")]
CHOSEN = DeckChoice(("organisation_matrix", "territory_map", "overview", "overview_components"),
                    deck_choice.TitleSlide("Partners' <b>meeting</b> & review", "8 December 2026", "Bogotá",
                                           "Presented by Ana"),
                    "Thank you. Questions?")
DEFAULT = DeckChoice()
CHART_TYPES = {
    "component_participations": XL_CHART_TYPE.BAR_CLUSTERED,
    "territory_participations": XL_CHART_TYPE.BAR_CLUSTERED,
    "territory_component": XL_CHART_TYPE.BAR_CLUSTERED,
    "components_per_person": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "component_overlaps": XL_CHART_TYPE.BAR_CLUSTERED,
    "components_per_person_by_territory": XL_CHART_TYPE.COLUMN_CLUSTERED,
}


@functools.cache
def context(case: str, lang: str) -> ui.PageContext:
    name, filters = CASES[case]
    selection = Selection(filters.get("component", ()), filters.get("territory", ()), filters.get("organisation", ()))
    dataset = datasets.load_dataset(name)
    return ui.PageContext(lang, dataset, selection, ui.filter_options(dataset).labels(lang), 5)


@functools.cache
def built(case: str, lang: str, choice: DeckChoice = DEFAULT):
    """The deck's views as chosen, their frames, and the .pptx read back."""
    ctx = context(case, lang)
    found = deck_choice.chosen(choice, views.deck(ctx.source), lambda v: v.key)
    frames = {v.key: ctx.frame(v) for v in found}
    data = deck_pptx.build_pptx(found, frames, choice, lang, labels=ctx.labels, dataset_title=ctx.dataset.title(lang))
    return found, frames, data, Presentation(io.BytesIO(data))


def slide_text(slide) -> str:
    """Every text on a slide (boxes and table cells), one space between runs of words."""
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out += [cell.text for row in shape.table.rows for cell in row.cells]
    return " ".join(" ".join(out).split())


def named(slide, name: str):
    return [s for s in slide.shapes if s.name == name]


def title_of(slide) -> str:
    return named(slide, "care_title")[0].text_frame.text


def slides_of(found, frames, prs) -> list[tuple[views.View | None, object]]:
    """Each slide with the view it shows (None: the presenter's title or closing slide); a table
    may take several slides, each titled "<title> (n of m)"."""
    out: list[tuple[views.View | None, object]] = []
    remaining = list(found)
    for slide in prs.slides:
        if named(slide, "care_title_slide") or named(slide, "care_closing_slide"):
            out.append((None, slide))
            continue
        title = title_of(slide)
        if remaining and title == frames[remaining[0].key].title:
            out.append((remaining.pop(0), slide))
        elif out and out[-1][0] is not None and title.startswith(frames[out[-1][0].key].title + " ("):
            out.append((out[-1][0], slide))
        else:
            out.append((remaining.pop(0), slide))  # its title is checked by the caller
    return out


def builder(view) -> str | None:
    return None if view.figures else catalogue.get(view.key).builder


def values(column) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in column]


@pytest.mark.parametrize("case,lang", TRIED)
def test_every_slide_in_the_decks_order_framed_as_on_the_page(case, lang):
    found, frames, _, prs = built(case, lang)
    shown = slides_of(found, frames, prs)
    assert list(dict.fromkeys(v.key for v, _ in shown if v is not None)) == [v.key for v in found]
    for view, slide in shown:
        assert view is not None  # the default deck has no title or closing slide
        frame = frames[view.key]
        assert title_of(slide).startswith(frame.title), (view.key, title_of(slide))
        text = slide_text(slide)
        # (a unit under a title starts with a capital)
        missing = [w for w in frame.words() if " ".join(w.split()).casefold() not in text.casefold()]
        assert not missing, (view.key, missing)
        notes = slide.notes_slide.notes_text_frame.text
        for caveat in frame.all_caveats:  # every caveat that holds, in full, in the speaker notes
            assert caveat.text in notes and caveat.title in notes, (view.key, caveat.id)
        assert "**" not in notes
        if case.startswith("synthetic"):
            assert frame.synthetic is not None and frame.synthetic.short in text, view.key
        else:
            assert "synth" not in text.casefold() and "sintét" not in text.casefold()
        if CASES[case][1]:
            assert frame.filters and frame.filters in text, view.key
        else:
            assert frame.filters is None


@pytest.mark.parametrize("case,lang", TRIED)
def test_every_bar_chart_is_native_and_its_series_are_the_query_rows(case, lang):
    found, frames, _, prs = built(case, lang)
    charted = 0
    for view, slide in slides_of(found, frames, prs):
        assert view is not None
        name = builder(view)
        charts_on = [s for s in slide.shapes if s.has_chart]
        if name not in CHART_TYPES:
            assert not charts_on, view.key
            continue
        [shape] = charts_on
        chart = shape.chart
        assert chart.chart_type == CHART_TYPES[name], view.key
        series = {s.name: list(s.values) for s in chart.plots[0].series}
        categories = list(chart.plots[0].categories)
        rows, labels = view.rows, context(case, lang).labels
        assert rows is not None
        if name == "component_participations":
            assert categories == [labels.component(c) for c in rows["component_id"]]
            assert list(series.values()) == [values(rows["participations_count"])]
        elif name == "territory_component":
            column = catalogue.get(view.key).args["value_column"]
            assert categories == [labels.territory(t) for t in dict.fromkeys(rows["territory_id"])]
            for component, part in rows.groupby("component_id", sort=False):
                got = dict(zip(categories, series[labels.component(component)]))
                assert [got[labels.territory(t)] for t in part["territory_id"]] == values(part[column])
        elif name == "components_per_person":
            whole = rows[rows["territory_id"].isna()]
            assert list(series.values()) == [values(whole["people_count"])]
        elif name == "component_overlaps":
            assert list(series.values()) == [values(rows["people_count"])]
        elif name == "components_per_person_by_territory":
            for territory, part in rows[rows["territory_id"].notna()].groupby("territory_id", sort=False):
                assert [v for v in series[labels.territory(territory)] if v is not None] == \
                    [v for v in values(part["people_count"]) if v is not None]
        charted += 1
    assert charted >= 3


def test_the_reports_figures_as_published_and_not_published_as_an_empty_point():
    found, frames, _, prs = built("report", "en")
    by_key = {v.key: s for v, s in slides_of(found, frames, prs) if v is not None}
    chart = [s for s in by_key["overview_components"].shapes if s.has_chart][0].chart
    assert list(chart.plots[0].categories) == ["Occupational health and safety", "Human rights",
                                               "Public waste service and formalisation", "Soft skills and wellbeing"]
    assert list(chart.plots[0].series[0].values) == [311.0, 320.0, None, 168.0]
    assert "No bar for: Public waste service and formalisation: not published." in slide_text(by_key["overview_components"])
    chart = [s for s in by_key["territory_participations"].shapes if s.has_chart][0].chart
    series = {s.name: list(s.values) for s in chart.plots[0].series}
    assert list(chart.plots[0].categories) == ["Bogotá", "Barranquilla", "Cajicá", "Puerto Colombia"]
    assert series["Occupational health and safety"] == [147.0, 127.0, 18.0, 19.0]
    assert series["Public waste service and formalisation"] == [None, None, None, None]
    # the headline figures, each with its value and unit
    overview = slide_text(by_key["overview"])
    for text in ("Participations 799 participations (attendances), not people",
                 "Distinct people reached 320 to 799 people: a range from published counts",
                 "Organisations that took part 16"):
        assert text in overview


def test_the_presenters_deck_in_their_order_with_their_title_and_closing_slides():
    for case, lang in (("report", "en"), ("synthetic_one_component", "es")):
        found, frames, _, prs = built(case, lang, CHOSEN)
        assert [v.key for v in found] == list(CHOSEN.slides)
        slides = list(prs.slides)
        assert named(slides[0], "care_title_slide") and named(slides[-1], "care_closing_slide")
        title = named(slides[0], "care_title_slide")[0].text_frame.text
        # the presenter's text kept as plain text: its markup is words, not formatting
        assert title.split("\n")[:3] == ["Partners' <b>meeting</b> & review", "8 December 2026 · Bogotá",
                                         "Presented by Ana"]
        assert named(slides[-1], "care_closing_slide")[0].text_frame.text == "Thank you. Questions?"
        order = [v.key for v, _ in slides_of(found, frames, prs) if v is not None]
        assert list(dict.fromkeys(order)) == list(CHOSEN.slides)
        synthetic = frames["overview"].synthetic
        if case.startswith("synthetic"):  # on the presenter's own slides too
            assert synthetic is not None and all(synthetic.short in slide_text(s) for s in slides)
        map_slide = [s for v, s in slides_of(found, frames, prs) if v is not None and v.key == "territory_map"][0]
        pictures = [s for s in map_slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
            assert len(pictures) == 1 and pictures[0].height > Pt(300)
            # beside it, its territories' numbers in type the back of the room reads
            [table] = [s.table for s in map_slide.shapes if s.has_table]
            rows = [[c.text for c in row.cells] for row in table.rows]
            if case == "report":
                assert rows == [["Territory", "Participations"], ["Bogotá", "348"], ["Barranquilla", "373"],
                                ["Cajicá", "40"], ["Puerto Colombia", "38"]]
            else:
                assert rows == [["Territorio", "Participaciones"], ["Bogotá", "150"], ["Barranquilla", "129"],
                                ["Cajicá", "22"], ["Puerto Colombia", "19"]]


def test_without_a_picture_the_map_is_its_table():
    ctx = context("report", "en")
    [view] = [v for v in views.deck(ctx.source) if v.key == "territory_map"]
    data = deck_pptx.build_pptx([view], {view.key: ctx.frame(view)}, DeckChoice(), "en", labels=ctx.labels,
                                dataset_title="x", picture=lambda v: None)
    [slide] = Presentation(io.BytesIO(data)).slides
    [table] = [s.table for s in slide.shapes if s.has_table]
    assert [c.text for c in table.rows[0].cells][0] == "Territory"
    assert [row.cells[0].text for row in list(table.rows)[1:]] == ["Bogotá", "Barranquilla", "Cajicá", "Puerto Colombia"]


@pytest.mark.parametrize("case,lang", [("report", "en"), ("synthetic_one_component", "es")])
def test_text_is_readable_from_the_back_of_a_room(case, lang):
    _, _, _, prs = built(case, lang, CHOSEN)
    assert prs.slide_width * 9 == prs.slide_height * 16
    for slide in prs.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            frames += [c.text_frame for row in shape.table.rows for c in row.cells] if shape.has_table else []
            for frame in frames:
                for run in (r for p in frame.paragraphs for r in p.runs if r.text.strip()):
                    least = Pt(28) if shape.name == "care_title" else Pt(16)
                    assert run.font.size is not None and run.font.size >= least, (shape.name, run.text)
            if shape.has_chart:
                assert shape.chart.font.size >= Pt(16)


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftoppm") is None,
                    reason="needs LibreOffice Impress and poppler-utils: apt-get install -y libreoffice-impress "
                           "poppler-utils fonts-crosextra-carlito")
@pytest.mark.parametrize("case,lang,choice", [("report", "en", DEFAULT), ("report", "es", DEFAULT),
                                              ("synthetic_one_component", "en", CHOSEN),
                                              ("synthetic_one_component", "es", CHOSEN)])
def test_libreoffice_renders_every_slide(case, lang, choice, tmp_path):
    """Rendered as Impress renders it: a page per slide; the pages kept as PNGs to look at."""
    _, _, data, prs = built(case, lang, choice)
    name = f"{case}-{lang}{'-chosen' if choice.slides else ''}"
    (tmp_path / f"{name}.pptx").write_bytes(data)
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / f"{name}.pptx")],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / f"{name}.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == len(prs.slides)
    out = ARTIFACTS / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / "slide")], check=True, timeout=180)
    assert len(list(out.glob("slide-*.png"))) == pages


def test_the_link_s_deck_of_the_selection_and_a_file_name_that_says_which():
    from care_dashboard import ui_takeaway
    ctx = context("synthetic_one_component", "es")
    link = {"slides": ["overview_components,nonexistent,overview"], "meeting": ["Mesa de socios"], "lang": ["es"]}
    prs = Presentation(io.BytesIO(ui_takeaway.pptx_bytes(ctx, link)))
    slides = list(prs.slides)
    assert named(slides[0], "care_title_slide")[0].text_frame.text.split("\n")[0] == "Mesa de socios"
    assert [title_of(s) for s in slides[1:]] == ["Participaciones por componente", "Resumen"]
    assert ui_takeaway.file_name(ctx) == "care-deck-care_2025_synthetic-es-component-human-rights.pptx"
    assert ui_takeaway.file_name(context("report", "en")) == "care-deck-care_2025-en.pptx"


def test_the_sidebar_offers_the_deck_as_pptx_after_the_briefing():
    from tests.apptest_helpers import elements, open_page
    at = open_page("overview", link={"lang": "es", "dataset": "care_2025_synthetic", "component": "human-rights"})
    buttons = [b.proto for b in elements(at.sidebar, "download_button")]
    labels = [b.label for b in buttons]
    assert labels[labels.index("Informe sin conexión (HTML)") + 1] == "Presentación (.pptx)"
    assert buttons[labels.index("Presentación (.pptx)")].deferred_file_id  # built only when pressed


def test_the_deck_stays_in_the_link_on_every_page():
    """The page writes its view to the link; the presenter's deck stays in it, so the sidebar's
    .pptx (built from the link) is the deck the link shares."""
    from tests.apptest_helpers import open_page
    link = {"lang": "en", "slides": "overview_components,overview", "meeting": "Partners"}
    at = open_page("territory", link=link)
    assert at.query_params["slides"] == "overview_components,overview"
    assert at.query_params["meeting"] == "Partners"
