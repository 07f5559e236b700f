"""Method and sources: how each figure is counted, the reconciliation of published totals,
the full caveat catalogue, the citation and the licence."""

import streamlit as st

from care_dashboard import caveats, queries, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "method")

st.header(ctx.t("method.counting_heading"))
st.markdown(ctx.t("method.counting_body"))

st.header(ctx.t("method.selection_heading"))
reach = ctx.run("component_reach")
if reach.empty:
    ui.empty_state(ctx)
else:
    with st.container(border=True):
        ui.table(ctx, tables.reach_table(reach, ctx.labels), key="method_selection_table")
        ui.caveat_list(queries.get("component_reach").caveats, ctx.lang)

st.header(ctx.t("method.reconciliation_heading"))
st.write(ctx.t("method.reconciliation_body"))
reconciliation = ctx.run("reconciliation", with_selection=False)
with st.container(border=True):
    if reconciliation.empty:
        st.info(ctx.t("method.reconciliation_empty"))
    else:
        ui.table(ctx, tables.reconciliation_table(reconciliation, ctx.labels), key="reconciliation_table")
    ui.caveat_list(queries.get("reconciliation").caveats, ctx.lang)

st.header(ctx.t("method.caveats_heading"))
st.write(ctx.t("method.caveats_body"))
for caveat in caveats.all_caveats(ctx.lang):
    st.markdown(
        f"**{caveat.title}** · *{ctx.t('common.report_section', section=caveat.section)}*  \n{caveat.text}"
    )

st.header(ctx.t("method.source_heading"))
meta = ctx.dataset.metadata
st.markdown(
    ctx.t(
        "method.source_body",
        citation=meta.get("source_citation", ""),
        sections=meta.get("source_sections", ""),
        licence=meta.get("licence", ""),
        licence_url=meta.get("licence_url", ""),
    )
)
st.caption(ctx.t("method.reference_data_note"))
