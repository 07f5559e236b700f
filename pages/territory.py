"""Territory: a map of the territories, then participations and organisations by territory and
component."""

import streamlit as st

from care_dashboard import charts, geo, map_chart, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "territory")
ctx.prefetch("coverage_by_territory", "participations_by_territory")
WHOLE = dict(components=None, territories=None, organisations=None)  # the map's scale: the whole dataset
ui.start_queries(ctx.dataset, [("participations_by_territory", WHOLE)])

coverage = ctx.run("coverage_by_territory")
if coverage.empty:
    ui.empty_state(ctx)
else:
    coverage_table = tables.coverage_table(coverage, ctx.labels)
    by_territory = ctx.run("participations_by_territory")
    places = ui.filter_options(ctx.dataset).territories  # names and coordinates, kept per version
    ui.chart_block(
        ctx,
        map_chart.territory_map(
            by_territory,
            places,
            geo.load_boundaries(),
            ctx.t("map.title"),
            ctx.labels,
            # the whole dataset's figures set the circles' scale, so filtered maps compare
            whole=ctx.run("participations_by_territory", with_selection=False, **WHOLE),
        ),
        "participations_by_territory",
        "map.unit",
        key="territory_map",
        export_df=map_chart.map_table(by_territory, places, ctx.labels),
    )
    ui.chart_block(
        ctx,
        charts.territory_component_chart(
            coverage, "participations_count", ctx.t("territory.participations_title"), ctx.labels
        ),
        "coverage_by_territory",
        "units.participations_long",
        key="territory_participations",
        export_df=coverage_table,
    )
    ui.chart_block(
        ctx,
        charts.territory_component_chart(
            coverage, "organisations_count", ctx.t("territory.organisations_title"), ctx.labels
        ),
        "coverage_by_territory",
        "units.organisations_per_component",
        key="territory_organisations",
        export_df=coverage_table,
    )
    if ctx.is_record_level:
        ui.chart_block(
            ctx,
            charts.territory_component_chart(coverage, "people_count", ctx.t("territory.people_title"), ctx.labels),
            "coverage_by_territory",
            "units.people_exact",
            key="territory_people",
            export_df=coverage_table,
        )
    st.subheader(ctx.t("common.table_heading"))
    ui.table(
        ctx, coverage_table, key="territory_table",
        query_name="coverage_by_territory", unit_key="units.participations_long",
    )
