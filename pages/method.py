"""Method and sources: how each figure is counted, the reconciliation of published totals,
the caveats that hold for the chosen dataset, the citation and the licence."""

import streamlit as st

from care_dashboard import caveats, queries, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "method")

if ctx.is_record_level:
    st.header(ctx.t("method.records_heading"))
    st.markdown(ctx.t("method.records_body", threshold=ctx.small_number_threshold))
    if ctx.dataset.is_synthetic:
        st.header(ctx.t("method.synthetic_heading"))
        st.markdown(ctx.t("method.synthetic_body", seed=ctx.dataset.metadata.get("seed", "")))
else:
    st.header(ctx.t("method.counting_heading"))
    st.markdown(ctx.t("method.counting_body"))

st.header(ctx.t("method.selection_heading"))
reach = ctx.run("component_reach")
if reach.empty:
    ui.empty_state(ctx)
else:
    with st.container(border=True):
        ui.table(ctx, tables.reach_table(reach, ctx.labels), key="method_selection_table", query_name="component_reach", unit_key="units.reach_mixed")
        ui.caveat_list(ctx, queries.get("component_reach").caveats)

st.header(ctx.t("method.reconciliation_heading"))
st.write(ctx.t("method.reconciliation_body"))
reconciliation = ctx.run("reconciliation", with_selection=False)
with st.container(border=True):
    if reconciliation.empty:
        st.info(ctx.t("method.reconciliation_empty"))
    else:
        ui.table(ctx, tables.reconciliation_table(reconciliation, ctx.labels), key="reconciliation_table", query_name="reconciliation")
    ui.caveat_list(ctx, queries.get("reconciliation").caveats)

st.header(ctx.t("method.caveats_heading"))
st.write(ctx.t("method.caveats_body"))
for caveat in caveats.all_caveats(ctx.lang, ctx.dataset.kind, ctx.caveat_values, synthetic=ctx.dataset.is_synthetic):
    st.markdown(f"**{caveat.title}** · *{ui.source_of(caveat, ctx.lang)}*  \n{caveat.text}")

st.header(ctx.t("method.source_heading"))
meta = ctx.dataset.metadata
st.markdown(
    ctx.t(
        "method.source_body",
        citation=ui.plain(meta.get("source_citation", "")),
        sections=ui.plain(meta.get("source_sections", "")),
        licence=ui.plain(meta.get("licence", "")),
        licence_url=ui.safe_url(meta.get("licence_url", "")),
    )
)
st.caption(ctx.t("method.reference_data_note"))
