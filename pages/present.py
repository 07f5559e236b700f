"""Presentation: one view per screen, fitting the window, in large type, with its key caveats;
the deck's notes in full on closing "Notes" slides. Moved with the buttons, the arrow keys,
PageDown/PageUp (what presentation clickers send) and space; F for full screen. The slides are the
catalogue's (content/figures.toml, ``slide = true``) for the current selection, framed as on the
pages (care_dashboard.honest); only the one shown is built."""

import streamlit as st

from care_dashboard import notes, slides, ui, ui_figures as blocks, ui_slides

ctx = ui.page_context()
ui_slides.presenter_style()
deck = ui_slides.deck(ctx)

if not deck:
    blocks.empty_state(ctx)
else:
    kept_notes, frames = ctx.memo("deck_notes", lambda: ui_slides.deck_notes(ctx, deck))
    deck_notes = notes.PageNotes(dict(kept_notes._numbered))  # this run's: the kept one is shared

    with st.container(key="care_slide_bar"):
        bar = st.columns([1.1, 1.1, 1.6, 1.3, 1.7], vertical_alignment="center")
    with bar[3]:
        move, reported = ui_slides.presenter_controls(ctx)
    viewport = slides.Viewport.of(reported)
    note_items = deck_notes.items()
    note_pages = ctx.memo("deck_note_pages", lambda: slides.paginate_notes(
        [notes.full_note(n, c, ctx.lang) for n, c in note_items], viewport), viewport)
    count = len(deck) + len(note_pages)
    index = min(max(st.session_state.get("slide", 0), 0), count - 1)
    if move is not None:
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

    with st.container(border=True, key="care_slide"):
        if index >= len(deck):
            page = index - len(deck)
            st.title(ctx.t("present.notes_title", n=page + 1, total=len(note_pages)) if len(note_pages) > 1
                     else ctx.t("present.notes_title_one"))
            with st.container(key="care_slide_notes"):
                for i in note_pages[page]:
                    n, c = note_items[i]
                    st.markdown(notes.full_note(n, c, ctx.lang))
        elif deck[index].figures:
            ui_slides.headline_slide(ctx, deck[index], frames[deck[index].key], deck_notes)
        else:
            slide, frame = deck[index], frames[deck[index].key]
            lines = ui_slides.slide_lines(ctx, frame, deck_notes)
            fig = ui_slides.slide_figure(ctx, slide, frame, slides.chart_height(viewport, lines), viewport.width)
            own_width = fig.to_dict()["layout"].get("width")  # the map's: as wide as it is drawn for
            st.plotly_chart(fig, key=f"slide_{slide.key}", config=blocks.plot_config(slide.key, ctx.lang),
                            width=own_width or "stretch", alt=ctx.t("common.chart_alt", title=slide.title, unit=slide.unit))
            for line in lines:
                st.markdown(line)
