"""Component: each component's reach, audience and period on a timeline."""

from care_dashboard import charts, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "component")

reach = ctx.run("component_reach")
if reach.empty:
    ui.empty_state(ctx)
else:
    unit_key = "units.reach_mixed_records" if ctx.is_record_level else "units.reach_mixed"
    title = ctx.t("component.timeline_title_records" if ctx.is_record_level else "component.timeline_title")
    ui.chart_block(
        ctx,
        lambda: charts.component_timeline_chart(reach, title, ctx.labels),
        "component_reach",
        unit_key,
        key="component_timeline",
        export_df=lambda: tables.reach_table(reach, ctx.labels),
        narrow_fig=lambda: charts.component_timeline_chart(reach, title, ctx.labels, narrow=True),
    )
