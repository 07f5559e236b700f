"""Component: each component's period and reach on a timeline, and its audience where its source states one."""

from care_dashboard import charts, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "component")

reach = ctx.run("component_reach")
if reach.empty:
    ui.empty_state(ctx)
else:
    unit_key = "units.reach_mixed_records" if ctx.is_record_level else "units.reach_mixed"
    title = charts.component_timeline_title(reach, ctx.lang)
    ui.chart_block(
        ctx,
        lambda: charts.component_timeline_chart(reach, title, ctx.labels),
        "component_reach",
        unit_key,
        key="component_timeline",
        export_df=lambda: tables.reach_table(reach, ctx.labels),
        narrow_fig=lambda: charts.component_timeline_chart(reach, title, ctx.labels, narrow=True),
    )
