"""People: how many different people took part and how their attendance combined across
components, by territory and organisation. Needs attendance records with person keys; for a
dataset of published figures it says why these views are missing and shows the range of people
the published counts allow. In the table per organisation, counts of fewer than the small-number
threshold of people are hidden by its query (``$min_people``)."""

import streamlit as st

from care_dashboard import charts, figures, queries, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "people")
threshold = ctx.small_number_threshold
ctx.prefetch("distinct_people", "total_participations", "people_by_components_attended", "component_overlaps",
             "people_by_organisation", min_people=threshold)

people = ctx.run("distinct_people").iloc[0]
total = ctx.run("total_participations").iloc[0]

if not ctx.is_record_level:
    st.info(f"**{ctx.t('people.no_records_title')}** {ctx.t('people.no_records_body')}", icon=":material/person_off:")
    ui.figure_block(
        ctx, "people_distinct",
        ctx.t("overview.people_label"),
        figures.people_value(people, ctx.lang),
        figures.people_unit(people, ctx.lang),
        queries.get("distinct_people").caveats,
        help_text=ctx.t("overview.people_help"),
    )
elif total["matching_rows_count"] == 0:
    ui.empty_state(ctx)
else:
    top = st.columns(3)
    with top[0]:
        ui.figure_block(
            ctx, "people_distinct",
            ctx.t("people.people_label"),
            figures.people_value(people, ctx.lang),
            figures.people_unit(people, ctx.lang),
            queries.get("distinct_people").caveats,
            help_text=ctx.t("overview.people_help_records"),
        )
    with top[1]:
        ui.figure_block(
            ctx, "people_participations",
            ctx.t("people.participations_label"),
            figures.participations_value(total, ctx.lang),
            ctx.t("units.participations_short"),
            queries.get("total_participations").caveats,
        )
    with top[2]:
        ui.figure_block(
            ctx, "people_records_without_key",
            ctx.t("overview.records_without_key_label"),
            ctx.n(people["records_without_person_key_count"]),
            ctx.t("units.records_without_key"),
            ["records_without_person_key", "participation_not_person"],
        )

    per_person = ctx.run("people_by_components_attended")
    per_person_table = ctx.memo("per_person_table", lambda: tables.components_per_person_table(per_person, ctx.labels))  # both charts' CSV
    ui.chart_block(
        ctx,
        lambda: charts.components_per_person_chart(per_person, ctx.t("people.components_title"), ctx.labels),
        "people_by_components_attended",
        "units.people_distinct",
        key="people_components",
        export_df=per_person_table,
    )

    overlaps = ctx.run("component_overlaps")
    ui.chart_block(
        ctx,
        lambda: charts.component_overlaps_chart(overlaps, ctx.t("people.overlaps_title"), ctx.labels),
        "component_overlaps",
        "units.people_distinct",
        key="people_overlaps",
        table_df=lambda: tables.overlaps_table(overlaps, ctx.labels),
        narrow_fig=lambda: charts.component_overlaps_chart(overlaps, ctx.t("people.overlaps_title"), ctx.labels, narrow=True),
    )

    st.header(ctx.t("people.by_territory_heading"))
    ui.chart_block(
        ctx,
        lambda: charts.components_per_person_by_territory_chart(
            per_person, ctx.t("people.components_by_territory_title"), ctx.labels
        ),
        "people_by_components_attended",
        "units.people_distinct",
        key="people_components_by_territory",
        export_df=per_person_table,
        narrow_fig=lambda: charts.components_per_person_by_territory_chart(
            per_person, ctx.t("people.components_by_territory_title"), ctx.labels, narrow=True
        ),
    )
    st.subheader(ctx.t("people.organisation_table_heading"))
    ui.table_block(
        ctx,
        ctx.memo("people_by_organisation_table", lambda: tables.people_by_organisation_table(
            ctx.run("people_by_organisation", min_people=threshold), ctx.labels, threshold)),
        "people_by_organisation",
        key="people_by_organisation",
        unit_key="units.people_distinct",
        note=ctx.t("people.organisation_table_note", threshold=threshold),
    )
