"""The organisation grid: organisations by components, each cell saying what is known of that
participation (``organisation_matrix_chart``).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .. import figures, i18n
from ..labels import Labels
from .finish import wrap_label
from .theme import MUTED, STATUS_COLOURS, STATUS_ORDER, _base_layout, _busiest

MAX_MATRIX_ORGANISATIONS = 30  # beyond this, the organisation grid shows the busiest ones only


def organisation_matrix_chart(df: pd.DataFrame, title: str, labels: Labels, threshold: int = 5,
                              narrow: bool = False) -> go.Figure:
    """A grid of organisations by components; each cell says what is known of that participation.

    ``df``: rows of ``organisation_matrix``. Cells: see ``figures.matrix_cell_texts``; a cell whose people
    the query hid shows "<``threshold``", never a number.
    """
    labels = labels.for_charts()  # names from the data are plain text in a figure
    lang = labels.lang
    org_ids = list(dict.fromkeys(df["organisation_id"].tolist()))
    comp_ids = list(dict.fromkeys(df["component_id"].tolist()))
    shown_note = None
    if len(org_ids) > MAX_MATRIX_ORGANISATIONS:
        # many organisations (a national programme): a readable grid of the busiest ones, in their
        # usual order; the table and the CSV beside the chart list every organisation
        busiest = _busiest(df, "organisation_id", MAX_MATRIX_ORGANISATIONS)
        shown_note = i18n.t("charts.largest_organisations_shown", lang, n=MAX_MATRIX_ORGANISATIONS,
                            total=i18n.number(len(org_ids), lang))
        org_ids = [o for o in org_ids if o in busiest]
        df = df[df["organisation_id"].isin(busiest)]
    code = {s: i for i, s in enumerate(STATUS_ORDER)}
    cells = {
        (oid, cid): (code[status], text)
        for oid, cid, status, text in zip(df["organisation_id"].tolist(), df["component_id"].tolist(),
                                          df["participation_status"].tolist(),
                                          figures.matrix_cell_texts(df, lang, threshold, short=True, narrow=narrow))
    }
    z = [[cells[(oid, cid)][0] if (oid, cid) in cells else None for cid in comp_ids] for oid in org_ids]
    text = [[cells[(oid, cid)][1] if (oid, cid) in cells else "" for cid in comp_ids] for oid in org_ids]
    if narrow:  # "did not take part" in a column about 50 px wide: on two lines
        text = [[t if "<br>" in t else wrap_label(t, 9) for t in row] for row in text]
    n = len(STATUS_ORDER)
    colorscale = []
    for i, status in enumerate(STATUS_ORDER):
        colorscale += [[i / n, STATUS_COLOURS[status]], [(i + 1) / n, STATUS_COLOURS[status]]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            # on a phone the columns (about 50 px each) are narrower than a word such as
            # "formalización": their names stand upright, as in printed tables
            x=[wrap_label(labels.component(c), 20 if narrow else 18) for c in comp_ids],
            y=[wrap_label(labels.organisation(o), 16) if narrow else labels.organisation(o) for o in org_ids],
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=10 if narrow else 14),
            colorscale=colorscale,
            zmin=-0.5,
            zmax=n - 0.5,
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
        )
    )
    two_lines = any("<br>" in t for row in text for t in row)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", showgrid=False, tickangle=-90 if narrow else 0, **({"tickfont": dict(size=11)} if narrow else {}))
    if narrow:
        fig.update_yaxes(tickfont=dict(size=11))
    if shown_note:
        fig.add_annotation(x=0, y=1, yshift=118, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                           showarrow=False, text=f"<i>{shown_note}</i>", font=dict(color=MUTED, size=13))
    _base_layout(fig, title, lang)
    row_px = (50 if two_lines else 34) + (14 if narrow else 0)
    margin = dict(t=150, l=4, r=4)
    if narrow:  # the names' room set, so the notes under the grid start at its left edge
        wrapped = [wrap_label(labels.organisation(o), 16).split("<br>") for o in org_ids]
        longest = max((len(line) for lines in wrapped for line in lines), default=8)
        # a row as tall as its name's lines (11 px, Plotly's line spacing 1.3) and a little more
        row_px = max(row_px, round(11 * 1.3 * max((len(lines) for lines in wrapped), default=1)) + 10)
        margin["l"] = round(6.6 * longest) + 14
        fig.update_yaxes(automargin=False)
    fig.update_layout(height=200 + row_px * max(len(org_ids), 1), margin=margin)
    return fig
