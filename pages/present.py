"""Presentation: one view per screen, fitting the window, in large type, with its key caveats;
the deck's notes in full on closing "Notes" slides. Moved with the buttons, the arrow keys,
PageDown/PageUp (what presentation clickers send) and space; F for full screen. The slides are the
catalogue's (content/figures.toml, ``slide = true``) for the current selection, framed as on the
pages (care_dashboard.honest); only the one shown is built.

The presenter chooses the deck (which slides, in which order, a title and a closing slide of
their own: care_dashboard/deck_choice.py), kept in the link; a second window of the same link with
``presenter=1`` is the presenter view, which follows the room's window."""

import streamlit as st

from care_dashboard import deck_choice, honest, notes, slides, ui, ui_figures as blocks, ui_slides

ctx = ui.page_context()
ui_slides.presenter_style()
full_deck = ui_slides.deck(ctx)

if not full_deck:
    blocks.empty_state(ctx)
else:
    choice = ui_slides.link_choice(full_deck)
    deck = deck_choice.chosen(choice, full_deck, lambda v: v.key)
    presenter = ui_slides.presenting_to_self()
    kept_notes, frames = ctx.memo("deck_notes", lambda: ui_slides.deck_notes(ctx, deck), choice.slides)
    deck_notes = notes.PageNotes(dict(kept_notes._numbered))  # this run's: the kept one is shared

    with st.container(key="care_slide_bar"):
        bar = st.columns([1.05, 1.15, 0.9, 1.6, 3.0, 1.5], vertical_alignment="center")
    index = max(st.session_state.get("slide", 0), 0)  # a key's move is in it already (ui_slides.presenter_controls)
    with bar[4]:
        reported = ui_slides.presenter_controls(ctx, index, st.session_state.get("slide_count", 1),
                                                ui_slides.deck_id(ctx, choice), presenter)
    viewport = slides.Viewport.of(reported)
    note_items = deck_notes.items()
    filters = honest.filters_line(ctx.selection, ctx.labels, ctx.lang)
    note_pages = ctx.memo("deck_note_pages", lambda: slides.paginate_notes(
        [notes.full_note(n, c, ctx.lang) for n, c in note_items], viewport, below=2 if filters else 0),
        viewport, choice.slides)
    shown = ui_slides.items(choice, deck, len(note_pages))
    count = len(shown)
    index = min(index, count - 1)
    st.session_state["slide"], st.session_state["slide_count"] = index, count

    def _move(step: int) -> None:
        st.session_state["slide"] = min(max(st.session_state.get("slide", 0) + step, 0), count - 1)

    bar[0].button(ctx.t("present.previous"), on_click=_move, args=(-1,), disabled=index == 0,
                  icon=":material/arrow_back:", key="slide_previous")
    bar[1].button(ctx.t("present.next"), on_click=_move, args=(1,), disabled=index == count - 1,
                  icon=":material/arrow_forward:", key="slide_next", type="primary")
    # the container's key names the window size this run laid the deck out for (the default one
    # until the browser's report arrives), so a test knows when the count is the window's
    with bar[2].container(key=f"care_laid_out_{viewport.width}x{viewport.height}"):
        st.markdown(ctx.t("present.position", n=index + 1, total=count))
    if not presenter:
        with bar[3]:
            ui_slides.choose_deck(ctx, full_deck, choice)
    bar[5].page_link("pages/overview.py", label=ctx.t("present.exit"), icon=":material/close:")

    item = shown[index]
    # a filtered deck says so on every slide (``filters``): the chart slides and headline figures
    # in their own lines (ui_slides), the presenter's own slides and the notes here
    if presenter:
        ui_slides.presenter_view(ctx, shown, index, choice, frames, deck_notes, len(note_pages))
    else:
        with st.container(border=True, key="care_slide"):
            if item.kind == "title":
                ui_slides.title_slide(choice.title)
            elif item.kind == "closing":
                ui_slides.closing_slide(choice.closing)
            elif item.kind == "notes":
                page = item.page
                st.title(ctx.t("present.notes_title", n=page + 1, total=len(note_pages)) if len(note_pages) > 1
                         else ctx.t("present.notes_title_one"))
                with st.container(key="care_slide_notes"):
                    for i in note_pages[page]:
                        n, c = note_items[i]
                        st.markdown(notes.full_note(n, c, ctx.lang))
            if item.kind in ("title", "closing", "notes") and filters:
                with st.container(key="care_slide_filter"):
                    st.markdown(f":material/filter_alt: {ui.plain(filters)}")
            elif item.view is not None and item.view.figures:
                ui_slides.headline_slide(ctx, item.view, frames[item.view.key], deck_notes)
            elif item.view is not None:
                slide, frame = item.view, frames[item.view.key]
                lines = ui_slides.slide_lines(ctx, frame, deck_notes)
                fig = ui_slides.slide_figure(ctx, slide, frame, slides.chart_height(viewport, lines), viewport.width,
                                               viewport.height)
                own_width = fig.to_dict()["layout"].get("width")  # the map's: as wide as it is drawn for
                st.plotly_chart(fig, key=f"slide_{slide.key}", config=blocks.plot_config(slide.key, ctx.lang),
                                width=own_width or "stretch", alt=ctx.t("common.chart_alt", title=slide.title, unit=slide.unit))
                with st.container(key="care_slide_lines"):
                    for line in lines:
                        st.markdown(line)
