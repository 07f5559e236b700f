"""Organisation: what is known about each organisation's participation in each component."""

import streamlit as st

from care_dashboard import charts, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "organisation")

matrix = ctx.run("organisation_matrix")
if matrix.empty:
    ui.empty_state(ctx)
else:

    st.info(ctx.t("organisation.only_soft_skills"), icon=":material/info:")
    ui.chart_block(
        ctx,
        charts.organisation_matrix_chart(matrix, ctx.t("organisation.matrix_title"), ctx.labels),
        "organisation_matrix",
        "units.participations_or_status",
        key="organisation_matrix",
    )
    st.markdown(ctx.t("organisation.legend"))
    st.subheader(ctx.t("common.table_heading"))
    ui.table(ctx, tables.matrix_table(matrix, ctx.labels), key="organisation_table")
