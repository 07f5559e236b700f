"""Presentation: one view per screen, fitting the window, in large type, with its key caveats;
the deck's notes in full on closing "Notes" slides. Moved with the buttons, the arrow keys,
PageDown/PageUp (what presentation clickers send) and space; F for full screen. The views are
those of the other pages for the current selection (care_dashboard.views); only the one shown is
built."""

import streamlit as st

from care_dashboard import caveats, charts, notes, slides, ui, views

ctx = ui.page_context()
ui.presenter_style()
# the views of this selection, kept for the view (their charts are built one at a time, when shown)
deck = ctx.memo("deck", lambda: views.build(ctx.run, ctx.labels, ctx.is_record_level, ctx.small_number_threshold,
                                             ctx.run_unfiltered))

if not deck:
    ui.empty_state(ctx)
else:
    def _deck_notes() -> tuple[notes.PageNotes, dict]:
        """The deck's notes: each caveat numbered once, in the order of the slides; and each
        view's or figure's key caveats."""
        numbered, split = notes.PageNotes(), {}
        for view in deck:
            for item in view.figures or [view]:
                held = ctx.caveats_for(item.caveat_ids)
                key, rest = caveats.split_for_figure(item.key, held)
                numbered.numbered(key + rest)
                split[item.key] = key
        return numbered, split

    kept_notes, split = ctx.memo("deck_notes", _deck_notes)
    deck_notes = notes.PageNotes(dict(kept_notes._numbered))  # this run's: the kept one is shared

    with st.container(key="care_slide_bar"):
        bar = st.columns([1.1, 1.1, 1.6, 1.3, 1.7], vertical_alignment="center")
    with bar[3]:
        move, reported = ui.presenter_controls(ctx)
    viewport = slides.Viewport.of(reported)
    note_items = deck_notes.items()
    note_pages = ctx.memo("deck_note_pages", lambda: slides.paginate_notes(
        [ui.full_note(n, c, ctx.lang) for n, c in note_items], viewport), viewport)
    count = len(deck) + len(note_pages)
    index = min(max(st.session_state.get("slide", 0), 0), count - 1)
    index = {"next": min(index + 1, count - 1), "previous": max(index - 1, 0), "first": 0, "last": count - 1}.get(move, index)
    st.session_state["slide"] = index

    def _move(step: int) -> None:
        st.session_state["slide"] = min(max(st.session_state.get("slide", 0) + step, 0), count - 1)

    bar[0].button(ctx.t("present.previous"), on_click=_move, args=(-1,), disabled=index == 0,
                  icon=":material/arrow_back:", key="slide_previous")
    bar[1].button(ctx.t("present.next"), on_click=_move, args=(1,), disabled=index == count - 1,
                  icon=":material/arrow_forward:", key="slide_next", type="primary")
    bar[2].markdown(ctx.t("present.position", n=index + 1, total=count))
    bar[4].page_link("pages/overview.py", label=ctx.t("present.exit"), icon=":material/close:")

    def key_lines(item) -> list[str]:
        return [ui.short_note(deck_notes.number(c), c, ctx.lang) for c in split[item.key]]

    with st.container(border=True, key="care_slide"):
        if index >= len(deck):
            page = index - len(deck)
            st.title(ctx.t("present.notes_title", n=page + 1, total=len(note_pages)) if len(note_pages) > 1
                     else ctx.t("present.notes_title_one"))
            with st.container(key="care_slide_notes"):
                for i in note_pages[page]:
                    n, c = note_items[i]
                    st.markdown(ui.full_note(n, c, ctx.lang))
        elif deck[index].figures:
            slide = deck[index]
            st.title(slide.title)
            per_row = slides.figures_per_row(len(slide.figures))
            rows = [slide.figures[i:i + per_row] for i in range(0, len(slide.figures), per_row)]
            for row in rows:  # four figures as two rows of two: a range ("320 to 799") keeps one line
                for column, figure in zip(st.columns(per_row), row):
                    with column:
                        st.metric(ui.plain(figure.label), figure.value)
                        st.markdown(ui.plain(figure.unit))
                        for line in key_lines(figure)[:1]:
                            st.markdown(f":material/warning: {line}")
            synthetic = caveats.synthetic_caveat(ctx.lang, ctx.data_facts)
            if synthetic is not None:  # once for the slide, not under every figure
                st.markdown(f":material/science: {ui.short_note(deck_notes.number(synthetic), synthetic, ctx.lang)}")
            with st.container(key="care_slide_source"):  # as the chart slides carry theirs inside the chart
                st.caption(ui.plain(ui.source_line(ctx)))
        else:
            slide = deck[index]
            lines = key_lines(slide)
            fig = ui.slide_figure(ctx, slide, slides.chart_height(viewport, lines), viewport.width)
            own_width = fig.to_dict()["layout"].get("width")  # the map's: as wide as it is drawn for
            st.plotly_chart(fig, key=f"slide_{slide.key}", config=ui.plot_config(slide.key, ctx.lang), width=own_width or "stretch",
                            alt=ctx.t("common.chart_alt", title=slide.title, unit=slide.unit))
            for line in lines:
                st.markdown(f":material/warning: {line}")
