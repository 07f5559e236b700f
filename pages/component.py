"""Component: each component's reach, audience and period on a 2025 timeline."""

import streamlit as st

from care_dashboard import charts, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "component")

reach = ctx.run("component_reach")
if reach.empty:
    ui.empty_state(ctx)
else:
    unit_key = "units.reach_mixed_records" if ctx.is_record_level else "units.reach_mixed"
    reach_table = tables.reach_table(reach, ctx.labels)
    ui.chart_block(
        ctx,
        charts.component_timeline_chart(
            reach,
            ctx.t("component.timeline_title_records" if ctx.is_record_level else "component.timeline_title"),
            ctx.labels,
        ),
        "component_reach",
        unit_key,
        key="component_timeline",
        export_df=reach_table,
    )
    st.subheader(ctx.t("common.table_heading"))
    ui.table(ctx, reach_table, key="component_table", query_name="component_reach", unit_key=unit_key)
