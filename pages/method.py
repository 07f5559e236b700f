"""Method and sources: how each figure is counted, the reconciliation of published totals (on a
dataset that states any), the caveats that hold for the chosen dataset, the citation and the
licence."""

import streamlit as st

from care_dashboard import caveats, tables, ui

ctx = ui.page_context()
ctx.notes.shown_in_full = True  # this page lists every note in full, below: none at its foot
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
    unit_key = "units.reach_mixed_records" if ctx.is_record_level else "units.reach_mixed"
    ui.table_block(ctx, ctx.memo("reach_table", lambda: tables.reach_table(reach, ctx.labels)), "component_reach",
                   key="method_selection_table",
                   unit_key=unit_key)

reconciliation = ctx.run("reconciliation", with_selection=False)
if not reconciliation.empty:  # a dataset that states no totals (attendance records) has nothing to reconcile
    st.header(ctx.t("method.reconciliation_heading"))
    st.write(ctx.t("method.reconciliation_body"))
    ui.table_block(ctx, ctx.memo("reconciliation_table", lambda: tables.reconciliation_table(reconciliation, ctx.labels)),
                   "reconciliation",
                   key="reconciliation_table")

# every caveat of the dataset in full: this page is where the notes of the other pages lead
st.header(ctx.t("method.caveats_heading"))
st.write(ctx.t("method.caveats_body"))
for caveat in caveats.all_caveats(ctx.lang, ctx.data_facts, ctx.caveat_values):  # only those true of this dataset
    ctx.notes.number(caveat)
for n, caveat in ctx.notes.items():
    st.markdown(ui.full_note(n, caveat, ctx.lang, on_method_page=True))

st.header(ctx.t("method.source_heading"))
meta = ctx.dataset.metadata
if meta.get("is_confidential") or not ui.safe_url(meta.get("licence_url", "")):
    # a partner's own records: no open licence to offer, and no report sections to cite
    st.markdown(ctx.t("method.source_body_confidential", citation=ui.plain(ctx.dataset.text("source_citation", ctx.lang)),
                      licence=ui.plain(ctx.dataset.text("licence", ctx.lang))))
else:
    st.markdown(
        ctx.t(
            "method.source_body",
            citation=ui.plain(ctx.dataset.text("source_citation", ctx.lang)),
            sections=ui.plain(ctx.dataset.text("source_sections", ctx.lang)),
            licence=ui.plain(ctx.dataset.text("licence", ctx.lang)),
            licence_url=ui.safe_url(meta.get("licence_url", "")),
        )
    )
st.caption(ctx.t("method.reference_data_note"))
