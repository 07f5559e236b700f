"""Overview: the headline figures for the selection, each with its unit and caveats."""

import streamlit as st

from care_dashboard import figures, queries, ui

ctx = ui.page_context()
ui.page_header(ctx, "overview")
ctx.prefetch("total_participations", "organisations_engaged", "territories_reached", "distinct_people")

total = ctx.run("total_participations").iloc[0]
if total["matching_rows_count"] == 0:
    ui.empty_state(ctx)
else:
    organisations = ctx.run("organisations_engaged").iloc[0]
    territories = ctx.run("territories_reached").iloc[0]
    people = ctx.run("distinct_people").iloc[0]

    top = st.columns(3)
    with top[0]:
        ui.figure_block(
            ctx,
            ctx.t("overview.organisations_label"),
            figures.organisations_value(organisations, ctx.lang),
            ctx.t("units.organisations_once"),
            queries.get("organisations_engaged").caveats,
        )
    with top[1]:
        ui.figure_block(
            ctx,
            ctx.t("overview.territories_label"),
            ctx.n(territories["territories_count"]),
            ctx.t("units.territories_long"),
            queries.get("territories_reached").caveats,
        )
    with top[2]:
        ui.figure_block(
            ctx,
            ctx.t("overview.participations_label"),
            figures.participations_value(total, ctx.lang),
            ctx.t("units.participations_long"),
            queries.get("total_participations").caveats,
            note=figures.participations_note(total, ctx.labels),
        )

    bottom = st.columns(2)
    with bottom[0]:
        ui.figure_block(
            ctx,
            ctx.t("overview.people_label"),
            figures.people_value(people, ctx.lang),
            figures.people_unit(people, ctx.lang),
            queries.get("distinct_people").caveats,
            help_text=ctx.t("overview.people_help_records" if ctx.is_record_level else "overview.people_help"),
        )
    with bottom[1]:
        if ctx.is_record_level:
            ui.figure_block(
                ctx,
                ctx.t("overview.records_without_key_label"),
                ctx.n(people["records_without_person_key_count"]),
                ctx.t("units.records_without_key"),
                ["records_without_person_key", "participation_not_person"],
            )
        else:
            # components the source reports only in organisations (CARE 2025: formalisation);
            # attendance records count every component's participations
            organisation_reach = figures.organisation_reach_rows(ctx.run("component_reach"))
            for row in organisation_reach.itertuples(index=False):
                ui.figure_block(
                    ctx,
                    ctx.labels.component(row.component_id),
                    ctx.n(row.organisations_count),
                    ctx.t("units.organisations_leaders"),
                    [*queries.get("component_reach").caveats, "formalisation_by_venue"],
                )
