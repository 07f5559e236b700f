"""Charts of people (attendance records): how many components each person attended, in all and
per territory, and the exact combinations of components people attended (UpSet-style).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .. import figures, i18n
from ..labels import Labels
from .finish import wrap_label
from .theme import ABSENT_DOT, INK, MUTED, PEOPLE_COLOUR, TEMPLATE, _layout, component_colour, from_dicts, paper_span

MAX_TERRITORY_PANELS = 12  # beyond this, per-territory panels show the largest territories only


def _people_bars(part: pd.DataFrame, x: list, lang: str, hover_names: list | None = None, **axes) -> dict:
    """Bars of ``people_count`` for the rows of ``part``, the count written on each bar (a trace
    dict; ``axes``: its ``xaxis``/``yaxis`` in a figure of several panels)."""
    return _people_bar_trace(part["people_count"].tolist(), figures.hidden_column(part), x, lang, hover_names, **axes)


def _people_bar_trace(counts: list, hidden_below: list, x: list, lang: str, hover_names: list | None = None,
                      **axes) -> dict:
    """``_people_bars`` from column lists: counts of people and their ``_hidden_below`` values."""
    names = hover_names or x
    hidden = [None if h is None or pd.isna(h) else int(h) for h in hidden_below]
    return dict(
        type="bar",
        x=list(x),
        # a hidden count ("<5") is drawn as no bar with its label, and never as its value
        y=[0.0 if h is not None else float(v) for v, h in zip(counts, hidden)],
        text=[figures.count_cell(v, lang, h) for v, h in zip(counts, hidden)],
        customdata=[[n, figures.people_text(v, lang, h is not None, h)] for n, v, h in zip(names, counts, hidden)],
        textposition="outside",
        textfont=dict(size=16, color=INK),
        cliponaxis=False,
        marker=dict(color=PEOPLE_COLOUR),
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
        **axes,
    )


def _top(values, headroom: float) -> float:
    """The upper end of a value axis, with room for the numbers written above the bars."""
    values = values.tolist() if hasattr(values, "tolist") else values
    known = [float(v) for v in values if v is not None and not pd.isna(v)]  # hidden counts ("<5") are NULL
    return max(known) * headroom if known and max(known) > 0 else 1.0


def components_per_person_chart(df: pd.DataFrame, title: str, labels: Labels) -> go.Figure:
    """How many people attended 1, 2, 3... components: one bar per number, all territories together.

    ``df``: rows of ``people_by_components_attended``; the rows with ``territory_id`` NULL are used.
    """
    labels = labels.for_charts()  # names from the data are plain text in a figure
    lang = labels.lang
    part = df[df["territory_id"].isna()]
    counts = [int(n) for n in part["components_attended_count"]]
    x = [figures.components_text(n, lang) for n in counts]
    return from_dicts([_people_bars(part, x, lang)], _layout(
        title, lang, height=440, bargap=0.35, margin=dict(b=70),
        # the numbers under the bars and what they count under them: level on a phone too, where
        # Plotly would tilt "1 component", "2 components"... across the notes under the chart
        xaxis=dict(type="category", categoryorder="array", categoryarray=x, showgrid=False, tickangle=0,
                   tickvals=x, ticktext=[i18n.number(n, lang) for n in counts],
                   title=dict(text=i18n.t("charts.components_axis", lang))),
        yaxis=dict(title=dict(text=i18n.t("charts.people_axis", lang)), range=[0, _top(part["people_count"], 1.18)]),
    ))



WIDE_PANELS_PER_ROW = 6


def components_per_person_by_territory_chart(df: pd.DataFrame, title: str, labels: Labels,
                                            narrow: bool = False) -> go.Figure:
    """The same breakdown, a panel per territory, all on one scale: a territory of 17 people is
    drawn at a fifth of one of 90, as the written numbers say (a scale per panel would draw them alike).

    ``df``: rows of ``people_by_components_attended``; the rows with a ``territory_id`` are used.
    """
    labels = labels.for_charts()  # names from the data are plain text in a figure
    lang = labels.lang
    # column lists, each territory's rows gathered in one pass (a national programme has
    # hundreds of territories; filtering per panel, or Arrow-backed iteration, costs far more)
    rows_of: dict = {}
    for tid, attended, count, hidden in zip(df["territory_id"].tolist(), df["components_attended_count"].tolist(),
                                            df["people_count"].tolist(), figures.hidden_column(df)):
        if tid is not None and not pd.isna(tid):
            rows_of.setdefault(tid, []).append((int(attended), count, hidden))
    territory_ids = list(rows_of)
    shown_note = None
    if len(territory_ids) > MAX_TERRITORY_PANELS:
        # many territories (a national programme): the panels of the largest ones; all are in the CSV
        total = {t: sum(c for _, c, _ in rows_of[t] if c is not None and not pd.isna(c)) for t in territory_ids}
        largest = set(sorted(territory_ids, key=lambda t: -total[t])[:MAX_TERRITORY_PANELS])
        shown_note = i18n.t("charts.largest_territories_shown", lang, n=MAX_TERRITORY_PANELS, total=len(territory_ids))
        territory_ids = [t for t in territory_ids if t in largest]
    # one dict (make_subplots and per-panel updates cost ten times more)
    n = max(len(territory_ids), 1)
    # side by side up to six (more and their names run into each other), then a new row; on a
    # phone (``narrow``) two a row
    per_row = min(2, n) if narrow else min(n, WIDE_PANELS_PER_ROW)
    n_rows = -(-n // per_row)
    gap = min(0.04, 0.5 / per_row) if not narrow else 0.08
    width = (1 - gap * (per_row - 1)) / per_row
    height = (440 if n_rows == 1 else 160 + 250 * n_rows) if not narrow else 160 + 230 * n_rows
    margin_t = 130 if shown_note else 110
    # between rows, room for the row above's tick labels and the next row's names (about 64 px)
    row_gap = 64 / (height - margin_t - 80) if n_rows > 1 else 0
    row_height = (1 - row_gap * (n_rows - 1)) / n_rows
    traces, annotations, layout = [], [], {}
    top = _top([c for tid in territory_ids for _, c, _ in rows_of[tid]], 1.25)
    # every panel has the same columns: a number of components no one in a territory attended
    # says so in words, not with an empty gap
    every = sorted({a for tid in territory_ids for a, _, _ in rows_of[tid]})
    categories = [i18n.number(a, lang) for a in every]
    no_one = i18n.t("charts.no_one", lang)
    for i, tid in enumerate(territory_ids, start=1):
        suffix = "" if i == 1 else str(i)
        column, row = (i - 1) % per_row, (i - 1) // per_row
        domain = paper_span(column * (width + gap), column * (width + gap) + width)
        domain_y = paper_span(1 - row * (row_height + row_gap) - row_height, 1 - row * (row_height + row_gap))
        attended, counts, hidden = (list(column) for column in zip(*rows_of[tid]))
        x = [i18n.number(c, lang) for c in attended]
        names = [f"{labels.territory(tid)}, {figures.components_text(c, lang)}" for c in attended]
        traces.append(_people_bar_trace(counts, hidden, x, lang, names, xaxis=f"x{suffix}", yaxis=f"y{suffix}"))
        layout[f"xaxis{suffix}"] = dict(domain=domain, anchor=f"y{suffix}", type="category", categoryorder="array",
                                        categoryarray=categories, range=[-0.5, len(categories) - 0.5], showgrid=False)
        annotations += [dict(text=no_one, x=c, y=0, xref=f"x{suffix}", yref=f"y{suffix}", yanchor="bottom",
                             showarrow=False, font=dict(color=MUTED, size=12)) for c in categories if c not in x]
        layout[f"yaxis{suffix}"] = dict(domain=domain_y, anchor=f"x{suffix}", showticklabels=False, showgrid=False,
                                        range=[0, top])
        annotations.append(dict(text=wrap_label(labels.territory(tid), 16 if narrow or per_row > 3 else 30), x=sum(domain) / 2,
                                y=domain_y[1], xref="paper", yref="paper", xanchor="center", yanchor="bottom",
                                showarrow=False, font=dict(size=14 if narrow else 15)))
    annotations.append(dict(
        x=0.5, y=0, xref="paper", yref="paper", yshift=-42, yanchor="top", showarrow=False,
        text=i18n.t("charts.components_axis", lang), font=dict(color=MUTED, size=14),
    ))
    if shown_note:
        annotations.append(dict(x=0, y=1.12, xref="paper", yref="paper", xanchor="left", showarrow=False,
                                text=f"<i>{shown_note}</i>", font=dict(color=MUTED, size=13)))
    return from_dicts(traces, _layout(
        title, lang, **layout, annotations=annotations, height=height, bargap=0.3,
        margin=dict(t=margin_t, b=80),
    ))


def component_overlaps_chart(df: pd.DataFrame, title: str, labels: Labels, narrow: bool = False) -> go.Figure:
    """UpSet-style: a bar of people per exact combination of components, largest first, and under
    it a dot matrix whose filled dots say which components each combination holds.

    ``df``: rows of ``component_overlaps``, in their order. The matrix rows follow the display
    order of ``labels``.
    """
    labels = labels.for_charts()  # names from the data are plain text in a figure
    lang = labels.lang
    combos = list(df["combination_id"])
    members = {cid: list(ids) for cid, ids in zip(df["combination_id"], df["component_ids"])}
    present = {c for ids in members.values() for c in ids}
    component_ids = [c for c in labels.components if c in present] + sorted(present - set(labels.components))
    # with ``narrow`` (a phone) the names of the dot matrix's rows on short lines
    component_names = [wrap_label(labels.component(c), 16) if narrow else labels.component(c) for c in component_ids]
    row_name = dict(zip(component_ids, component_names))
    names = [figures.combination_text(members[c], labels) for c in combos]
    # bars on top (x, y), the dot matrix below (x2, y2), one x axis shared; one dict, validated once
    traces = [_people_bars(df, combos, lang, names, xaxis="x", yaxis="y")]
    if narrow:  # bars about 10 px wide: their numbers stand upright above them, at a size to read
        traces[0].update(textangle=-90, constraintext="none", textfont=dict(size=12, color=INK))
    below = dict(xaxis="x2", yaxis="y2", hoverinfo="skip")
    # every component a grey dot in every column; a filled dot where the combination holds it,
    # joined by a line from its first to its last component
    traces.append(dict(type="scatter", x=[c for c in combos for _ in component_ids],
                       y=[n for _ in combos for n in component_names], mode="markers",
                       marker=dict(size=15, color=ABSENT_DOT), **below))
    for combo in combos:
        inside = [row_name[c] for c in component_ids if c in members[combo]]
        if len(inside) > 1:
            traces.append(dict(type="scatter", x=[combo, combo], y=[inside[0], inside[-1]], mode="lines",
                               line=dict(color=PEOPLE_COLOUR, width=3), **below))
    for cid in component_ids:
        xs = [c for c in combos if cid in members[c]]
        traces.append(dict(
            type="scatter", x=xs, y=[row_name[cid]] * len(xs), mode="markers",
            marker=dict(size=17, color=component_colour(cid, labels), line=dict(color=PEOPLE_COLOUR, width=1.5)),
            customdata=[names[combos.index(c)] for c in xs], hovertemplate="%{customdata}<extra></extra>",
            xaxis="x2", yaxis="y2",
        ))
    shared_x = dict(type="category", categoryorder="array", categoryarray=combos, showticklabels=False, showgrid=False)
    top_height, gap = 0.96 * 0.64, 0.04
    # the rows' names get a set room, so the notes under the chart start at its left edge
    longest = max((len(line) for name in component_names for line in name.split("<br>")), default=8)
    font = 13 if narrow else 15
    height = 330 + 46 * max(len(component_ids), 1)
    if narrow:  # each row of the dot matrix as tall as its name's lines (a phone wraps them), the bars above
        lines = max((name.count("<br>") + 1 for name in component_names), default=1)
        rows_px = max(40, round(font * 1.3 * lines) + 12) * max(len(component_ids), 1)
        bars_px, gap_px = 240, 16
        plot_px = bars_px + gap_px + rows_px
        top_height, gap = bars_px / plot_px, gap_px / plot_px
        margin = TEMPLATE.layout.margin
        height = plot_px + margin.t + margin.b
    return from_dicts(traces, _layout(
        title, lang, height=height, bargap=0.3,
        margin=dict(l=round(0.55 * font * longest) + 50),
        xaxis=dict(domain=[0, 1], anchor="y", matches="x2", **shared_x),
        xaxis2=dict(domain=[0, 1], anchor="y2", **shared_x),
        yaxis=dict(domain=[1 - top_height, 1], anchor="x", range=[0, _top(df["people_count"], 1.18)],
                   title=dict(text=i18n.t("charts.people_axis", lang))),
        yaxis2=dict(domain=[0, 1 - top_height - gap], anchor="x2", categoryorder="array",
                    categoryarray=list(reversed(component_names)), showgrid=False, tickfont=dict(size=font, color=INK),
                    automargin=False),
    ))
