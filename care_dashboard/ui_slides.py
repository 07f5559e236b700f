"""The catalogue's figures on the presentation's slides and in the offline briefing: the same views
(``views.deck``) and the same honest frame (``honest.frame``: title with unit, key caveats, the
notes the data calls for, the filters, the synthetic mark, the source) as on the pages.
"""

from __future__ import annotations

import hashlib
import html
import math
from dataclasses import dataclass

import streamlit as st

from . import (
    briefing,
    charts,
    deck_choice,
    exports,
    honest,
    map_chart,
    notes,
    slides,
    ui_takeaway,
    url_state,
    view_cache,
    views,
)
from .deck_choice import DeckChoice, TitleSlide
from .ui import CSS_DIR, JS_DIR, PageContext, plain


def presenter_style() -> None:
    """The presentation's CSS (``content/css/presenter.css``): no sidebar, large type, a slide
    that fits the screen."""
    st.html(CSS_DIR / "presenter.css")


def deck(ctx: PageContext) -> list[views.View]:
    """The slides of this selection, kept for the view (their charts are built one at a time, when shown)."""
    return ctx.memo("deck", lambda: views.deck(ctx.source))


def link_choice(found: list[views.View]) -> DeckChoice:
    """The deck the link asks for (``deck_choice.parse``), of the slides ``found`` for this selection."""
    raw = {key: st.query_params.get_all(key) for key in deck_choice.KEYS if key in st.query_params}
    return deck_choice.parse(raw, [v.key for v in found])


_CHOOSER = {"slides": "deck_slides", **{k: f"deck_{k}" for k in (*deck_choice.TITLE_KEYS, deck_choice.CLOSING_KEY)}}


def _write_choice(found_keys: list[str]) -> None:
    """The chooser's values into the link (the link is the deck: a copied link opens it). Every
    slide in the catalogue's order, or none, is the default deck and adds nothing."""
    chosen = tuple(st.session_state.get(_CHOOSER["slides"], ()))
    if chosen == tuple(found_keys):
        chosen = ()
    choice = deck_choice.parse(
        {"slides": [",".join(chosen)], **{k: [st.session_state.get(_CHOOSER[k], "")] for k in _CHOOSER if k != "slides"}},
        found_keys)
    for key in deck_choice.KEYS:
        if key in st.query_params:
            del st.query_params[key]
    st.query_params.update(deck_choice.to_query(choice))
    st.session_state["slide"] = 0


def choose_deck(ctx: PageContext, found: list[views.View], choice: DeckChoice) -> None:
    """The presenter's chooser: which slides, in which order (the order they are picked in), a
    title slide and a closing slide; each change is written to the link."""
    keys = [v.key for v in found]
    titles = {v.key: v.title for v in found}
    if st.session_state.get("_deck_from_link") != (keys, deck_choice.to_query(choice)):
        # the link was not made by these widgets (a shared link, a reload, another selection's
        # deck): they start again from it. Given as their defaults, not set in the session: a
        # value set so reaches the browser only in the run that sets it (``ui.held_choices``)
        for key in _CHOOSER.values():
            st.session_state.pop(key, None)
    with st.popover(ctx.t("present.choose"), icon=":material/view_carousel:", key="care_deck_chooser"):
        st.multiselect(ctx.t("present.choose_slides"), options=keys, default=list(choice.slides or keys),
                       format_func=lambda k: titles[k], key=_CHOOSER["slides"], on_change=_write_choice, args=(keys,),
                       placeholder=ctx.t("present.choose_none"), help=ctx.t("present.choose_slides_help"))
        st.markdown(f"**{ctx.t('present.title_slide')}**")
        for key in deck_choice.TITLE_KEYS:
            st.text_input(ctx.t(f"present.title_{key}"), value=getattr(choice.title, key), key=_CHOOSER[key],
                          max_chars=deck_choice.LIMITS[key], on_change=_write_choice, args=(keys,))
        st.text_area(ctx.t("present.closing_slide"), value=choice.closing, key=_CHOOSER["closing"],
                     max_chars=deck_choice.LIMITS["closing"], on_change=_write_choice, args=(keys,), height=110)
        st.markdown(f"**{ctx.t('present.take_away')}**")
        ui_takeaway.deck_downloads(ctx, "_chooser")  # this deck, as chosen above
    st.session_state["_deck_from_link"] = (keys, deck_choice.to_query(choice))


@dataclass(frozen=True)
class Item:
    """One slide of the chosen deck: the title slide, a view, the closing slide or a "Notes" page."""

    kind: str  # "title", "view", "closing", "notes"
    view: views.View | None = None
    page: int = 0  # a "Notes" slide's number, from 0


def items(choice: DeckChoice, chosen: list[views.View], note_pages: int) -> list[Item]:
    """The slides in the order shown: the title slide, the chosen views, the closing slide, then
    the deck's notes (the room may turn to them; the presenter view has them beside each slide)."""
    out = [Item("title")] if choice.title else []
    out += [Item("view", v) for v in chosen]
    out += [Item("closing")] if choice.closing else []
    return out + [Item("notes", page=i) for i in range(note_pages)]


def item_title(ctx: PageContext, item: Item, choice: DeckChoice, note_pages: int) -> str:
    """A slide's name in the presenter view (plain text: the caller escapes it)."""
    if item.kind == "title":
        return ctx.t("present.title_slide_named", meeting=choice.title.meeting or choice.title.date or choice.title.place or choice.title.by)
    if item.kind == "closing":
        return ctx.t("present.closing_slide")
    if item.kind == "notes":
        return ctx.t("present.notes_title", n=item.page + 1, total=note_pages) if note_pages > 1 else ctx.t("present.notes_title_one")
    assert item.view is not None
    return item.view.title


def title_slide(title: TitleSlide) -> None:
    """The presenter's opening slide: the meeting large, then the date and place, then their line.
    Their words are text, escaped, never Markdown or HTML."""
    with st.container(key="care_title_slide"):
        if title.meeting:
            st.html(f'<h1 class="care-title-meeting">{html.escape(title.meeting)}</h1>')
        when_where = title.when_where
        if when_where:
            st.html(f'<p class="care-title-when">{html.escape(when_where)}</p>')
        if title.by:
            st.html(f'<p class="care-title-by">{html.escape(title.by)}</p>')


def closing_slide(text: str) -> None:
    """The presenter's closing words, large, escaped."""
    with st.container(key="care_closing_slide"):
        st.html(f'<p class="care-closing">{html.escape(text)}</p>')


def deck_notes(ctx: PageContext, found: list[views.View]) -> tuple[notes.PageNotes, dict[str, honest.Frame]]:
    """The deck's notes, each caveat numbered once in the order of the slides, and each slide's frame."""
    numbered, frames = notes.PageNotes(), {}
    for view in found:
        frame = ctx.frame(view)
        numbered.numbered(list(frame.all_caveats))
        frames[view.key] = frame
    return numbered, frames


def slide_lines(ctx: PageContext, frame: honest.Frame, numbered: notes.PageNotes) -> list[str]:
    """What a chart slide says under its chart, in large type: its key caveats short with their
    note numbers, the notes its data calls for and the filters (its source is inside the chart)."""
    lines = [f":material/warning: {notes.short_note(numbered.number(c), c, ctx.lang)}" for c in frame.key_caveats]
    lines += [f":material/info: {plain(n)}" for n in frame.notes]
    if frame.filters:
        lines.append(f":material/filter_alt: {plain(frame.filters)}")
    return lines


def headline_slide(ctx: PageContext, slide: views.View, frame: honest.Frame, numbered: notes.PageNotes) -> None:
    """A page's headline figures on one slide: each with its unit, its first key caveat and the
    notes its data calls for; then, once for the slide, the synthetic mark, the filters and the source."""
    st.title(slide.title)
    if frame.filters:  # under the title: every figure below is of this selection only
        st.markdown(f":material/filter_alt: {plain(frame.filters)}")
    per_row = slides.figures_per_row(len(slide.figures))
    rows = [slide.figures[i:i + per_row] for i in range(0, len(slide.figures), per_row)]
    for row in rows:  # four figures as two rows of two: a range ("320 to 799") keeps one line
        for column, figure in zip(st.columns(per_row), row):
            with column:
                st.metric(plain(figure.label), figure.value)
                st.markdown(plain(figure.unit))
                c = honest.headline_key(figure, ctx.caveats_for)
                if c is not None:
                    st.markdown(f":material/warning: {notes.short_note(numbered.number(c), c, ctx.lang)}")
                for n in figure.notes:
                    st.markdown(f":material/info: {plain(n)}")
    if frame.synthetic is not None:
        st.markdown(f":material/science: {notes.short_note(numbered.number(frame.synthetic), frame.synthetic, ctx.lang)}")
    with st.container(key="care_slide_source"):  # as the chart slides carry theirs inside the chart
        st.caption(plain(frame.source))


def slide_figure(ctx: PageContext, view: views.View, frame: honest.Frame, height: int, width: int,
                 window_height: int | None = None):
    """A view's chart for a slide: its unit under the title, the source line inside it, text
    enlarged for a projector, and as tall as the slide allows (its key caveats are written under
    it in large type), its title on one line where the slide's ``width`` (px) holds it; the map
    scaled as a whole (``map_chart.scaled``, ``slides.map_zoom``). Built the first time this view
    shows the slide at this size and kept (``PageContext.memo``)."""

    make_chart = view.make_chart
    if make_chart is None:
        raise ValueError(f"figure {view.key!r} has no chart for a slide")

    # on a phone held upright, the chart's phone layout where it has one (as its page shows it)
    narrow = view.make_narrow_chart if width < slides.PHONE_WIDTH_PX else None

    def headed(scale: float):
        fig = (narrow or make_chart)()  # its own: the view's kept chart (``view.chart``) stays as it is
        line = width * 0.9 * slides.CHARS_PER_EM  # characters of a line of the slide, times the font size
        charts.with_heading(fig, frame.unit, title_chars=max(charts.TITLE_WRAP_CHARS, int(line / (19 * scale))),
                            subtitle_chars=max(charts.SUBTITLE_WRAP_CHARS, int(line / (15 * scale))))
        # the source line wrapped to the slide's width at its enlarged size (about half an em a
        # character): on a phone it ran past the chart's edge
        footer_chars = int(slides.slide_width(width) * 0.85 / (0.5 * 12 * scale))
        charts.with_caveat_footer(fig, [frame.source], width_chars=min(charts.FOOTER_WRAP_CHARS, footer_chars), copy=False)
        return fig

    def build() -> dict:
        fallback = max(1.0, min(1.5, height / 560))
        if view.key == "territory_map":
            # it places its circles and labels for the size it is drawn at: drawn so, and
            # enlarged or reduced as a whole to the slide
            spec = headed(fallback).to_dict()
            layout = spec["layout"]
            out = map_chart.scaled(spec, slides.map_zoom(height, layout["height"], layout["meta"]["min_width_px"], width))
            # no wider than the country view grows (``full_width_px``): stretched to the slide,
            # the zoomed panels stood apart from the country by a third of the screen
            out["layout"]["width"] = round(min(out["layout"]["meta"]["full_width_px"], slides.slide_width(width)))
            return out
        # its text as large as the window's height asks (``slides.text_scale``), unless its rows
        # then no longer hold their names at that size (a grid of many organisations): then as
        # large as its rows allow, every row still named
        wanted = slides.text_scale(window_height, width) if window_height else fallback
        for scale in dict.fromkeys((max(wanted, fallback), fallback)):
            fig = charts.for_projector(headed(scale), scale=scale)
            fig.update_layout(height=height)
            charts.fit_rows(fig)
            rows = [axis.tickfont.size for axis in fig.select_yaxes() if axis.tickfont.size]
            if not window_height or min(rows, default=99) >= slides.min_text_px(window_height):
                break
        # a time axis's months in enlarged type stay level, every other one named when there are
        # more than six (each still has its grid line): turned on their side, or side by side with
        # no gap, they ran into each other and into the source line under the chart
        for axis in fig.select_xaxes():
            if axis.type == "date" and axis.ticktext and len(axis.ticktext) > 6:
                axis.update(tickangle=0, ticktext=[t if i % 2 == 0 else "" for i, t in enumerate(axis.ticktext)])
        # an axis's own title (the people charts' "people") grows with the rest of its texts
        for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
            if axis.title.text:
                axis.title.font.size = round((axis.title.font.size or slides.AXIS_TITLE_PX) * scale)
        if window_height:  # the lines under the chart are never larger than its title
            under = math.ceil(slides.CAVEAT_FONT_VH * window_height / 100)
            fig.update_layout(title_font_size=max(fig.layout.title.font.size or 0, under))
        return fig.to_dict()

    return view_cache.sent_figure(ctx.memo("slide", build, view.key, frame.unit, frame.source, height, width, window_height))


_presenter = st.components.v2.component(
    "care_presenter",
    html='<span class="care-clock" hidden></span><button type="button" class="care-presenter-view"></button>'
         '<button type="button" class="care-fullscreen"></button>',
    css=(CSS_DIR / "presenter_button.css").read_text(encoding="utf-8"),
    js=(JS_DIR / "presenter.js").read_text(encoding="utf-8"),
)


def presenting_to_self() -> bool:
    """Whether this window is the presenter's own view of the deck (``?presenter=1``), opened by
    the room's window."""
    return st.query_params.get(url_state.PRESENTER_KEY) == "1"


def deck_id(ctx: PageContext, choice: DeckChoice) -> str:
    """What the room's window and the presenter's share: the same data, selection and deck. A
    presenter view follows only a room showing that deck."""
    text = repr((ctx.dataset.name, ctx.selection.by_key(), sorted(deck_choice.to_query(choice).items())))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


MOVES = ("next", "previous", "first", "last")


def moved(index: int, count: int, move: object = None, follow: object = None) -> int:
    """The slide shown after a ``move`` (a key, a clicker) or a ``follow`` (the slide the other
    window asks for), within the deck's ``count`` slides."""
    if isinstance(follow, int) and not isinstance(follow, bool):
        index = follow
    elif move in MOVES:
        index = {"next": index + 1, "previous": index - 1, "first": 0, "last": count - 1}[str(move)]
    return min(max(index, 0), max(count - 1, 0))


def _component_value(name: str) -> object:
    state = st.session_state.get("care_presenter")
    return state.get(name) if isinstance(state, dict) else getattr(state, name, None)


def _on_move() -> None:
    # in a callback, before the page runs: the slide it draws, and tells the other window, is the new one
    st.session_state["slide"] = moved(st.session_state.get("slide", 0), st.session_state.get("slide_count", 1),
                                      move=_component_value("move"))


def _on_follow() -> None:
    st.session_state["slide"] = moved(st.session_state.get("slide", 0), st.session_state.get("slide_count", 1),
                                      follow=_component_value("follow"))


def presenter_controls(ctx: PageContext, index: int, count: int, deck: str, presenter: bool) -> dict | None:
    """The presentation's keys (arrows, PageDown/PageUp, space, Home/End), its full-screen button
    (F) and the button that opens the presenter view; in the presenter view, its clock. A move
    asked for (a key, or the other window: the room's in the presenter view, the presenter
    view's in the room) changes ``st.session_state["slide"]`` before the page runs. Returns the
    window's size. ``index``: the slide shown here, of ``count``; ``deck``: ``deck_id``."""
    result = _presenter(
        key="care_presenter",
        data={"label": ctx.t("present.fullscreen"), "presenter_label": ctx.t("present.presenter_view"),
              "index": index, "count": count, "deck": deck, "mode": "presenter" if presenter else "room"},
        on_move_change=_on_move,
        on_follow_change=_on_follow,
        on_viewport_change=lambda: None,
        width="content",
    )
    return getattr(result, "viewport", None)


def presenter_view(ctx: PageContext, shown: list[Item], index: int, choice: DeckChoice, frames: dict[str, honest.Frame],
                   numbered: notes.PageNotes, note_pages: int) -> None:
    """The presenter's window: the slide the room sees, with its full caveats and the notes its
    data calls for, and the next slide's title (the clock is the component's)."""
    item = shown[index]
    with st.container(key="care_presenter_view"):
        st.title(ctx.t("present.presenter_view"))
        st.markdown(f"**{ctx.t('present.now')}** {plain(item_title(ctx, item, choice, note_pages))}")
        if item.kind == "view" and item.view is not None:
            frame = frames[item.view.key]
            st.markdown(f"_{plain(frame.unit)}_")
            if frame.filters:
                st.markdown(f":material/filter_alt: {plain(frame.filters)}")
            for n in frame.notes:
                st.markdown(f":material/info: {plain(n)}")
            for c in frame.all_caveats:
                st.markdown(notes.full_note(numbered.number(c), c, ctx.lang))
        elif item.kind == "closing":
            st.markdown(plain(choice.closing))
        after = shown[index + 1] if index + 1 < len(shown) else None
        st.markdown(f"**{ctx.t('present.next_slide')}** "
                    + (plain(item_title(ctx, after, choice, note_pages)) if after else ctx.t("present.end")))


def briefing_html(ctx: PageContext) -> bytes:
    """The offline briefing of the current selection (built when the button is pressed): the
    deck's views, each framed as on the pages, its lines written inside its chart."""
    found = views.deck(ctx.source)
    return briefing.build_html(
        found,
        ctx.lang,
        frames={v.key: ctx.frame(v) for v in found},
        filters=exports.filters_text(ctx.selection, ctx.labels, ctx.lang),
        dataset_title=ctx.dataset.title(ctx.lang),
        source=ctx.dataset.text("source_citation", ctx.lang),
        licence=ctx.dataset.text("licence", ctx.lang),
        source_of=lambda c: notes.source_of(c, ctx.lang),
        where=lambda c: notes.where_short(c, ctx.lang),
    ).encode("utf-8")
