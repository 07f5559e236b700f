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
    unit_key = "units.participations_and_people" if ctx.is_record_level else "units.participations_or_status"
    title = ctx.t("organisation.matrix_title_records" if ctx.is_record_level else "organisation.matrix_title")
    ui.chart_block(
        ctx,
        lambda: charts.organisation_matrix_chart(matrix, title, ctx.labels, threshold),
        "organisation_matrix",
        unit_key,
        key="organisation_matrix",
        export_df=lambda: tables.matrix_table(matrix, ctx.labels, threshold),
        narrow_fig=lambda: charts.organisation_matrix_chart(matrix, title, ctx.labels, threshold, narrow=True),
    )
    st.caption(ctx.t("organisation.legend_records" if ctx.is_record_level else "organisation.legend", threshold=threshold))
