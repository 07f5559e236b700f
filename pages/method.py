"""Method and sources: how each figure is counted, the reconciliation of published totals (on a
dataset that states any), the caveats that hold for the chosen dataset, the citation and the
licence."""

import streamlit as st

from care_dashboard import caveats, notes, ui, ui_figures as blocks

ctx = ui.page_context()
ctx.notes.shown_in_full = True  # this page lists every note in full, below: none at its foot
blocks.page_header(ctx, "method")
found = blocks.page_views(ctx, "method")

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
if found["method_selection_table"] is None:
    blocks.empty_state(ctx)
else:
    blocks.figures(ctx, found, ["method_selection_table"])

if found["reconciliation_table"] is not None:  # a dataset that states no totals (attendance records) has nothing to reconcile
    st.header(ctx.t("method.reconciliation_heading"))
    st.write(ctx.t("method.reconciliation_body"))
    blocks.figures(ctx, found, ["reconciliation_table"])

# every caveat of the dataset in full: this page is where the notes of the other pages lead
st.header(ctx.t("method.caveats_heading"))
st.write(ctx.t("method.caveats_body"))
for caveat in caveats.all_caveats(ctx.lang, ctx.data_facts, ctx.caveat_values):  # only those true of this dataset
    ctx.notes.number(caveat)
for n, caveat in ctx.notes.items():
    st.markdown(notes.full_note(n, caveat, ctx.lang, on_method_page=True))

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
