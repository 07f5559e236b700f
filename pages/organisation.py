"""Organisation: what is known about each organisation's participation in each component (the
figure: content/figures.toml).

From attendance records each cell gives participations and distinct people; counts of fewer than
the small-number threshold of people are hidden by the query (``$min_people``).
"""

import streamlit as st

from care_dashboard import ui, ui_figures as blocks

ctx = ui.page_context()
blocks.page_header(ctx, "organisation")

found = blocks.page_views(ctx, "organisation")
if not blocks.figures(ctx, found, ["organisation_matrix"]):
    blocks.empty_state(ctx)
else:
    st.caption(ctx.t("organisation.legend_records" if ctx.is_record_level else "organisation.legend",
                     threshold=ctx.small_number_threshold))
