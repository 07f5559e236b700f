"""Territory: participations and organisations by territory and component."""

import streamlit as st

from care_dashboard import charts, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "territory")

coverage = ctx.run("coverage_by_territory")
if coverage.empty:
    ui.empty_state(ctx)
else:

    ui.chart_block(
        ctx,
        charts.territory_component_chart(
            coverage, "participations_count", ctx.t("territory.participations_title"), ctx.labels
        ),
        "coverage_by_territory",
        "units.participations_long",
        key="territory_participations",
    )
    ui.chart_block(
        ctx,
        charts.territory_component_chart(
            coverage, "organisations_count", ctx.t("territory.organisations_title"), ctx.labels
        ),
        "coverage_by_territory",
        "units.organisations_per_component",
        key="territory_organisations",
    )
    if ctx.is_record_level:
        ui.chart_block(
            ctx,
            charts.territory_component_chart(coverage, "people_count", ctx.t("territory.people_title"), ctx.labels),
            "coverage_by_territory",
            "units.people_exact",
            key="territory_people",
        )
    st.subheader(ctx.t("common.table_heading"))
    ui.table(ctx, tables.coverage_table(coverage, ctx.labels), key="territory_table")
