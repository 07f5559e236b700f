"""Overview: the programme at a glance. Four headline figures, then participations by component
and by territory; each with its unit and its key caveats beside it, the rest one click away."""

import streamlit as st

from care_dashboard import charts, figures, map_chart, queries, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "overview")
ctx.prefetch("total_participations", "organisations_engaged", "territories_reached", "distinct_people",
             "component_reach", "participations_by_territory")

total = ctx.run("total_participations").iloc[0]
if total["matching_rows_count"] == 0:
    ui.empty_state(ctx)
else:
    organisations = ctx.run("organisations_engaged").iloc[0]
    territories = ctx.run("territories_reached").iloc[0]
    people = ctx.run("distinct_people").iloc[0]

    cards = st.columns(4)
    with cards[0]:
        ui.figure_block(
            ctx, "overview_participations",
            ctx.t("overview.participations_label"),
            figures.participations_value(total, ctx.lang),
            ctx.t("units.participations_short"),
            queries.get("total_participations").caveats,
            note=figures.participations_note(total, ctx.labels),
        )
    with cards[1]:
        ui.figure_block(
            ctx, "overview_people",
            ctx.t("overview.people_label"),
            figures.people_value(people, ctx.lang),
            figures.people_unit(people, ctx.lang),
            queries.get("distinct_people").caveats,
            help_text=ctx.t("overview.people_help_records" if ctx.is_record_level else "overview.people_help"),
            note=figures.records_without_key_note(people, ctx.lang) if ctx.is_record_level else None,
        )
    with cards[2]:
        ui.figure_block(
            ctx, "overview_organisations",
            ctx.t("overview.organisations_label"),
            figures.organisations_value(organisations, ctx.lang),
            ctx.t("units.organisations_short"),
            queries.get("organisations_engaged").caveats,
        )
    with cards[3]:
        ui.figure_block(
            ctx, "overview_territories",
            ctx.t("overview.territories_label"),
            ctx.n(territories["territories_count"]),
            ctx.t("units.territories_short"),
            queries.get("territories_reached").caveats,
        )

    reach = ctx.run("component_reach")
    by_territory = ctx.run("participations_by_territory")
    charts_row = st.columns(2)
    with charts_row[0]:
        ui.chart_block(
            ctx,
            lambda: charts.component_participations_chart(reach, ctx.t("overview.components_title"), ctx.labels),
            "component_reach",
            "units.participations_long",
            key="overview_components",
            export_df=lambda: tables.reach_table(reach, ctx.labels),
            in_column=True,
        )
    with charts_row[1]:
        ui.chart_block(
            ctx,
            lambda: charts.territory_participations_chart(by_territory, ctx.t("overview.territories_title"), ctx.labels),
            "participations_by_territory",
            "units.participations_long",
            key="overview_by_territory",
            export_df=lambda: map_chart.map_table(by_territory, ui.filter_options(ctx.dataset).territories, ctx.labels),
            in_column=True,
        )
