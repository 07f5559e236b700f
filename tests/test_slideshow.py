"""The offline slideshow (care_dashboard/slideshow.py) read as text: every slide of the chosen deck
shows what the pages show with its figure (title with unit, key caveats, notes, filters, synthetic
mark, source), in the chosen order between the presenter's title and closing slides, with the
deck's notes in full at the end; the presenter's texts are escaped; nothing is fetched."""

from __future__ import annotations

import functools
import re

import pytest

from care_dashboard import caveats, deck_choice, honest, slideshow, ui_slideshow, url_state, views
from tests.test_honest_surfaces import CASES, context, missing, normalised

HOSTILE = "<img src=x onerror=alert(1)>"
LINK = {"slides": ["organisation_matrix,overview,territory_participations"],
        "meeting": [f"Partners' meeting {HOSTILE}"], "date": ["8 December 2026"], "place": ["Bogotá & online"],
        "by": ["<script>alert(2)</script>"], "closing": [f"Thank you {HOSTILE}"]}


@functools.cache
def made(case: str, lang: str, chosen: bool = False) -> str:
    return ui_slideshow.slideshow_bytes(context(case, lang), LINK if chosen else {}).decode("utf-8")


def slides_of(page: str) -> list[tuple[str, str, str]]:
    """Each slide's kind, key and content, in order."""
    return re.findall(r"<section class='ss-slide ss-(\w+)' data-key='([^']*)'[^>]*>(.*?)</section>", page, flags=re.S)


def body(page: str) -> str:
    return page.split("</head>", 1)[1]  # after Plotly's inlined library, which names URLs it never loads


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_slide_of_the_default_deck_is_honest(case, lang):
    ctx = context(case, lang)
    deck = views.deck(ctx.source)
    shown = slides_of(made(case, lang))
    view_slides = [(key, text) for kind, key, text in shown if kind == "view"]
    assert [key for key, _ in view_slides] == [v.key for v in deck]  # the default deck: every slide, in order
    for view, (_, text) in zip(deck, view_slides):
        frame = ctx.frame(view)
        assert not missing(frame, text, with_unit=not view.figures), (view.key, missing(frame, text))
        if view.figures:  # a slide of headline figures: each figure's own unit and value
            for figure in view.figures:
                assert normalised(figure.unit) in normalised(text) and f">{figure.value}<" in text
    if case.startswith("synthetic"):  # the synthetic mark on every slide, the notes' included
        mark = ctx.frame(deck[0]).synthetic
        assert mark is not None
        for kind, key, text in shown:
            assert normalised(mark.short) in normalised(text) or normalised(mark.title) in normalised(text), (kind, key)
    # no presenter's slides on the default deck; the notes close it, with the position on each
    kinds = [kind for kind, _, _ in shown]
    assert "opening" not in kinds and "closing" not in kinds and kinds[-1] == "notes"
    assert [re.search(r"class='ss-position'>([^<]*)<", text).group(1) for _, _, text in shown] == \
        [f"{n} / {len(shown)}" for n in range(1, len(shown) + 1)]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_chosen_deck_in_its_order_between_the_presenters_slides(lang):
    ctx = context("report_one_organisation", lang)
    shown = slides_of(made("report_one_organisation", lang, chosen=True))
    keys = [key for _, key, _ in shown]
    notes_count = keys.count("notes")
    assert keys == ["opening", "organisation_matrix", "overview", "territory_participations", "closing"] + ["notes"] * notes_count
    assert notes_count >= 1
    opening, closing = shown[0][2], shown[4][2]
    # escaped, shown as written: nothing of the presenter's runs or sets markup
    assert "Partners&#x27; meeting &lt;img src=x onerror=alert(1)&gt;" in opening
    assert "Bogotá &amp; online" in opening and "&lt;script&gt;alert(2)&lt;/script&gt;" in opening
    assert "Thank you &lt;img src=x onerror=alert(1)&gt;" in closing
    page = body(made("report_one_organisation", lang, chosen=True))
    assert HOSTILE not in page and "<script>alert(2)" not in page
    # the filter named on the opening slide and on every figure's slide
    filters = ctx.frame(views.deck(ctx.source)[0]).filters
    assert filters and all(normalised(filters) in normalised(text) for _, _, text in shown[:4])
    # the notes: every caveat of the chosen slides in full, each once, numbered in their order
    deck = {v.key: v for v in views.deck(ctx.source)}
    wanted = list(dict.fromkeys(c for k in keys[1:4] for c in ctx.frame(deck[k]).all_caveats))
    notes = normalised(re.sub(r"<[^>]+>", "", "".join(text for _, key, text in shown if key == "notes")))
    for n, c in enumerate(wanted, 1):
        assert f"[{n}] {normalised(c.title)}. {normalised(c.text)}" in notes, c.id
    assert len(re.findall(r"\[\d+\] ", notes)) == len(wanted)
    heading = "Notas" if lang == "es" else "Notes"
    assert all(f"<h1>{heading}" in text for _, key, text in shown if key == "notes")
    assert f"<html lang='{lang}'>" in made("report_one_organisation", lang, chosen=True)


def test_a_link_naming_no_known_slide_keeps_the_default_deck_and_adds_only_its_slides():
    choice = deck_choice.parse({"slides": ["nothing,else"], "closing": ["Gracias"]}, ["overview"])
    assert choice.slides == () and choice.closing == "Gracias"
    ctx = context("report", "en")
    page = ui_slideshow.slideshow_bytes(ctx, {"slides": ["nothing,else"], "closing": ["Gracias"]}).decode("utf-8")
    keys = [key for _, key, _ in slides_of(page)]
    assert keys[:len(views.deck(ctx.source)) + 1] == [v.key for v in views.deck(ctx.source)] + ["closing"]


@pytest.mark.parametrize("case,lang", [("report", "en"), ("synthetic_one_component", "es")])
def test_nothing_is_requested_beyond_the_file(case, lang):
    page = made(case, lang, chosen=True)
    assert page.startswith("<!doctype html>") and "Plotly" in page
    assert not re.search(r"<script[^>]+src=", page), "a script loaded from elsewhere"
    assert not re.search(r"<(link|img|iframe|object|embed|source|video|audio)\b", body(page)), "an element that loads"
    after = body(page)
    assert not re.search(r"https?://", after), re.search(r".{60}https?://.{60}", after)
    assert "url(" not in page.split("<style>", 1)[1].split("</style>", 1)[0] and "@import" not in page


@pytest.mark.parametrize("case,lang", [("report", "en"), ("synthetic_one_component", "es")])
def test_the_charts_are_large_enough_for_the_back_of_the_room(case, lang):
    """On the 1280 x 720 stage (shown at 720p as it is, larger at 1080p): every chart as large as
    its room on the slide, the lines under it no larger than its title, and none of its texts,
    its rows' names and a grid's cells included, under 16 px."""
    ctx = context(case, lang)
    charted = [v for v in views.deck(ctx.source) if v.has_chart and v.key != "territory_map"]
    assert "organisation_matrix" in [v.key for v in charted]
    for view in charted:
        frame = ctx.frame(view)
        height = slideshow.CHART_H - slideshow.lines_height(honest.plain_lines(frame, lambda c: c.section))
        fig = slideshow.chart_figure(view, frame, height)
        assert 16 <= slideshow.LINE_PX <= fig.layout.title.font.size, view.key  # its lines under it
        assert fig.layout.font.size >= 16 and fig.layout.xaxis.tickfont.size >= 16, view.key
        assert fig.layout.yaxis.tickfont.size >= 16, view.key
        assert all(t.textfont.size >= 16 for t in fig.data if t.type == "heatmap"), view.key
        assert (fig.layout.width, fig.layout.height) == (slideshow.CHART_W, height)
    # the map, drawn as a whole: its title no smaller than the lines beside it
    the_map = next(v for v in views.deck(ctx.source) if v.key == "territory_map")
    spec = slideshow.chart_figure(the_map, ctx.frame(the_map))
    assert spec["layout"]["title"]["font"]["size"] >= slideshow.LINE_PX
    assert spec["layout"]["width"] <= slideshow.CHART_W - slideshow.MAP_SIDE_W


def test_caveats_short_and_full_are_in_the_pages_language():
    es = made("report", "es")
    assert caveats.get("participation_not_person", "es").short in es
    assert "Notas (1 de" in es or "<h1>Notas</h1>" in es
    assert "Pantalla completa (F)" in es and "<title>Cobertura CARE: presentación</title>" in es
    # the charts' month names too (Plotly's Spanish locale, carried in each chart's config)
    assert es.count('"locale": "es"') == 6 and '"locale": "es"' not in made("report", "en")


def test_the_sidebar_offers_the_slideshow_of_the_deck_in_the_link(monkeypatch):
    """The button, in the page's language, and the deck it builds: the link's, read while the
    page runs (the file itself is built only when the button is pressed)."""
    from tests.apptest_helpers import elements, open_page

    read: list[dict] = []
    real = ui_slideshow.deck_link
    monkeypatch.setattr(ui_slideshow, "deck_link", lambda: read.append(real()) or read[-1])
    # the link keeps the deck's keys when the view is written to it: the presenter's deck chooser
    # makes them page keys; the same here, whether or not it has
    monkeypatch.setattr(url_state, "PAGE_KEYS", tuple(dict.fromkeys((*url_state.PAGE_KEYS, *deck_choice.KEYS))))
    at = open_page("overview", link={"lang": "es", "slides": "overview,territory_map", "meeting": "Mesa CARE"})
    buttons = [b for b in elements(at.sidebar, "download_button") if b.proto.id.endswith("slideshow_download")]
    assert len(buttons) == 1 and buttons[0].proto.label == "Presentación sin conexión (HTML)"
    assert read and read[-1]["slides"] == ["overview,territory_map"] and read[-1]["meeting"] == ["Mesa CARE"]
    assert read[-1]["closing"] == []


def test_a_selection_that_matches_nothing_says_so_on_its_slide():
    from care_dashboard import datasets, ui
    from care_dashboard.selection import Selection

    ds = datasets.load_dataset("care_2025")
    ctx = ui.PageContext("en", ds, Selection(("soft-skills",), ("cajica",), ()), ui.filter_options(ds).labels("en"), 5)
    assert views.deck(ctx.source) == []
    shown = slides_of(ui_slideshow.slideshow_bytes(ctx, {"closing": ["Gracias"]}).decode("utf-8"))
    assert [(kind, key) for kind, key, _ in shown] == [("empty", "empty"), ("closing", "closing")]
    assert "Nothing published matches this selection." in shown[0][2]
