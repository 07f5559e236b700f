"""The floor of the serving benchmark (bench/serving.py): a minimal Streamlit page with the same
elements as a dashboard page and none of its work. A sidebar with 3 multiselects and 2 radios,
3 Plotly bar charts, 20 captions, 3 download buttons and a table; the figures are small and made
the usual way (``go.Figure(go.Bar(...))``) on every run, as a minimal app would. What a rerun of
this page costs is what Streamlit itself costs to run a script and serialise these elements.

    streamlit run bench/floor_page.py
"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")

COMPONENTS = ["ohs", "human-rights", "soft-skills", "formalisation"]
TERRITORIES = [f"territory-{i:02d}" for i in range(16)]
ORGANISATIONS = [f"organisation-{i:02d}" for i in range(16)]

with st.sidebar:
    st.radio("Language / Idioma", ["en", "es"], horizontal=True, key="lang")
    st.radio("Dataset", ["care_2025", "care_2025_synthetic"], key="dataset")
    chosen = {
        key: st.multiselect(key, options, key=key)
        for key, options in (("component", COMPONENTS), ("territory", TERRITORIES), ("organisation", ORGANISATIONS))
    }

st.title("Floor")
table = pd.DataFrame({
    "territory": TERRITORIES,
    "participations": [100 + 37 * i for i in range(len(TERRITORIES))],
    "organisations": [1 + i % 4 for i in range(len(TERRITORIES))],
})
for i in range(3):
    fig = go.Figure(go.Bar(x=table["territory"], y=table["participations"] * (i + 1), name="participations"))
    fig.update_layout(title=f"Chart {i + 1}", height=420)
    st.plotly_chart(fig, key=f"chart_{i}")
    st.download_button("Download CSV", data=table.to_csv(index=False), file_name=f"chart-{i}.csv",
                       mime="text/csv", key=f"csv_{i}", on_click="ignore")
for i in range(20):
    st.caption(f"Caption {i + 1}: a short note under a figure, with its unit and its caveat.")
st.dataframe(table, hide_index=True)
