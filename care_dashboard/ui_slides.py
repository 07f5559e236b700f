"""The catalogue's figures on the presentation's slides and in the offline briefing: the same views
(``views.deck``) and the same honest frame (``honest.frame``: title with unit, key caveats, the
notes the data calls for, the filters, the synthetic mark, the source) as on the pages.
"""

from __future__ import annotations

import streamlit as st

from . import briefing, charts, exports, honest, map_chart, notes, slides, view_cache, views
from .ui import CSS_DIR, JS_DIR, PageContext, plain


def presenter_style() -> None:
    """The presentation's CSS (``content/css/presenter.css``): no sidebar, large type, a slide
    that fits the screen."""
    st.html(CSS_DIR / "presenter.css")


def deck(ctx: PageContext) -> list[views.View]:
    """The slides of this selection, kept for the view (their charts are built one at a time, when shown)."""
    return ctx.memo("deck", lambda: views.deck(ctx.source))


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


def slide_figure(ctx: PageContext, view: views.View, frame: honest.Frame, height: int, width: int):
    """A view's chart for a slide: its unit under the title, the source line inside it, text
    enlarged for a projector, and as tall as the slide allows (its key caveats are written under
    it in large type), its title on one line where the slide's ``width`` (px) holds it; the map
    scaled as a whole (``map_chart.scaled``, ``slides.map_zoom``). Built the first time this view
    shows the slide at this size and kept (``PageContext.memo``)."""

    make_chart = view.make_chart
    if make_chart is None:
        raise ValueError(f"figure {view.key!r} has no chart for a slide")

    def build() -> dict:
        fig = make_chart()  # its own: the view's kept chart (``view.chart``) stays as it is
        scale = max(1.0, min(1.5, height / 560))
        line = width * 0.9 * slides.CHARS_PER_EM  # characters of a line of the slide, times the font size
        charts.with_heading(fig, frame.unit, title_chars=max(charts.TITLE_WRAP_CHARS, int(line / (19 * scale))),
                            subtitle_chars=max(charts.SUBTITLE_WRAP_CHARS, int(line / (15 * scale))))
        charts.with_caveat_footer(fig, [frame.source], copy=False)
        if view.key == "territory_map":
            # it places its circles and labels for the size it is drawn at: drawn so, and
            # enlarged or reduced as a whole to the slide
            spec = fig.to_dict()
            layout = spec["layout"]
            out = map_chart.scaled(spec, slides.map_zoom(height, layout["height"], layout["meta"]["min_width_px"], width))
            # no wider than the country view grows (``full_width_px``): stretched to the slide,
            # the zoomed panels stood apart from the country by a third of the screen
            out["layout"]["width"] = round(min(out["layout"]["meta"]["full_width_px"], slides.slide_width(width)))
            return out
        fig = charts.for_projector(fig, scale=scale)
        fig.update_layout(height=height)
        charts.fit_rows(fig)
        return fig.to_dict()

    return view_cache.sent_figure(ctx.memo("slide", build, view.key, frame.unit, frame.source, height, width))


_presenter = st.components.v2.component(
    "care_presenter",
    html='<button type="button" class="care-fullscreen"></button>',
    css=(CSS_DIR / "presenter_button.css").read_text(encoding="utf-8"),
    js=(JS_DIR / "presenter.js").read_text(encoding="utf-8"),
)


def presenter_controls(ctx: PageContext) -> tuple[str | None, dict | None]:
    """The presentation's keys (arrows, PageDown/PageUp, space, Home/End) and its full-screen
    button (F): returns the move asked for in this run, if any, and the window's size."""
    result = _presenter(
        key="care_presenter",
        data={"label": ctx.t("present.fullscreen")},
        on_move_change=lambda: None,
        on_viewport_change=lambda: None,
        width="content",
    )
    return getattr(result, "move", None), getattr(result, "viewport", None)


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
