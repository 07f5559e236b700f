"""Organisation: what is known about each organisation's participation in each component.

From attendance records each cell gives participations and distinct people; counts of fewer than
the small-number threshold of people are hidden by the query (``$min_people``).
"""

import streamlit as st

from care_dashboard import charts, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "organisation")

threshold = ctx.small_number_threshold
matrix = ctx.run("organisation_matrix", min_people=threshold)
if matrix.empty:
    ui.empty_state(ctx)
else:
    if ctx.is_record_level:
        st.info(ctx.t("organisation.records_note", threshold=threshold), icon=":material/info:")
    else:
        st.info(ctx.t("organisation.only_soft_skills"), icon=":material/info:")
    unit_key = "units.participations_and_people" if ctx.is_record_level else "units.participations_or_status"
    matrix_table = tables.matrix_table(matrix, ctx.labels, threshold)
    ui.chart_block(
        ctx,
        charts.organisation_matrix_chart(
            matrix,
            ctx.t("organisation.matrix_title_records" if ctx.is_record_level else "organisation.matrix_title"),
            ctx.labels,
            threshold,
        ),
        "organisation_matrix",
        unit_key,
        key="organisation_matrix",
        export_df=matrix_table,
    )
    if ctx.is_record_level:
        st.markdown(ctx.t("organisation.legend_records", threshold=threshold))
    else:
        st.markdown(ctx.t("organisation.legend"))
    st.subheader(ctx.t("common.table_heading"))
    ui.table(ctx, matrix_table, key="organisation_table", query_name="organisation_matrix", unit_key=unit_key)
