"""Presentation: one view per screen, in large type, with its caveats, next and previous; no
sidebar. The views are those of the other pages for the current selection (care_dashboard.views)."""

import streamlit as st

from care_dashboard import charts, ui, views

ctx = ui.page_context()
st.html(ui.PRESENTER_CSS)
slides = views.build(ctx.run, ctx.labels, ctx.is_record_level, ctx.small_number_threshold, ctx.run_unfiltered)

if not slides:
    ui.empty_state(ctx)
else:
    count = len(slides)
    index = min(max(st.session_state.get("slide", 0), 0), count - 1)

    def _move(step: int) -> None:
        st.session_state["slide"] = min(max(index + step, 0), count - 1)

    bar = st.columns([1, 1, 2, 2], vertical_alignment="center")
    bar[0].button(ctx.t("present.previous"), on_click=_move, args=(-1,), disabled=index == 0,
                  icon=":material/arrow_back:", key="slide_previous")
    bar[1].button(ctx.t("present.next"), on_click=_move, args=(1,), disabled=index == count - 1,
                  icon=":material/arrow_forward:", key="slide_next", type="primary")
    bar[2].markdown(ctx.t("present.position", n=index + 1, total=count))
    bar[3].page_link("pages/overview.py", label=ctx.t("present.exit"), icon=":material/close:")

    slide = slides[index]
    with st.container(border=True):
        if slide.figures:
            st.title(slide.title)
            columns = st.columns(len(slide.figures))
            for column, figure in zip(columns, slide.figures):
                with column:
                    st.metric(figure.label, figure.value)
                    st.markdown(ctx.t("common.unit_line", unit=figure.unit))
        else:
            fig = ui.figure_with_footer(ctx, slide.chart, slide.caveat_ids)
            if slide.key != "territory_map":  # the map places its labels for their own size
                fig = charts.for_projector(fig)
            st.plotly_chart(fig, key=f"slide_{slide.key}", config=ui.plot_config(slide.key))
            st.markdown(ctx.t("common.unit_line", unit=slide.unit))
        for caveat in ctx.caveats_for(slide.caveat_ids):
            st.markdown(f":material/warning: **{caveat.title}.** {caveat.text} *({ui.source_of(caveat, ctx.lang)})*")
    st.caption(ctx.t("present.print_tip"))
