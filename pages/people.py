"""People: how many different people took part and how their attendance combined across
components, by territory and organisation (the figures: content/figures.toml). Needs attendance
records with person keys; for a dataset of published figures it says why these views are missing
and shows the range of people the published counts allow. In the table per organisation, counts
of fewer than the small-number threshold of people are hidden by its query (``$min_people``)."""

import streamlit as st

from care_dashboard import ui, ui_figures as blocks

ctx = ui.page_context()
blocks.page_header(ctx, "people")

if not ctx.is_record_level:
    st.info(f"**{ctx.t('people.no_records_title')}** {ctx.t('people.no_records_body')}", icon=":material/person_off:")
    blocks.figures(ctx, blocks.page_views(ctx, "people"), ["people_distinct"])
elif not ctx.source.has_rows():
    blocks.empty_state(ctx)
else:
    found = blocks.page_views(ctx, "people")
    blocks.figures(ctx, found, ["people_distinct", "people_participations", "people_records_without_key"], columns=3)
    blocks.figures(ctx, found, ["people_components", "people_overlaps"])
    st.header(ctx.t("people.by_territory_heading"))
    blocks.figures(ctx, found, ["people_components_by_territory"])
    st.subheader(ctx.t("people.organisation_table_heading"))
    blocks.figures(ctx, found, ["people_by_organisation"])
