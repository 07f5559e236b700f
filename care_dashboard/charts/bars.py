"""Bar charts: a measure per territory in a panel per component (``territory_component_chart``),
participations per component and per territory, and each component as a bar over its period
(``component_timeline_chart``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from .. import figures, i18n, rows
from ..labels import Labels
from .finish import html_escape, wrap_label
from .theme import (
    INK,
    MUTED,
    PEOPLE_COLOUR,
    TEMPLATE,
    _base_layout,
    _busiest,
    _layout,
    component_colour,
    from_dicts,
    paper_span,
)

MAX_TERRITORY_ROWS = 25  # beyond this, bars by territory show the territories with most participations


def territory_component_chart(df: pd.DataFrame, value_column: str, title: str, labels: Labels,
                              narrow: bool = False) -> go.Figure:
    """Horizontal bars of one measure, a panel per component, a row per territory: the panels side
    by side, or with ``narrow`` (a phone) one above the other, each with its territories.

    ``df``: rows of ``coverage_by_territory``. A NULL value is written "not published" in its row;
    side by side, a territory with no row in a component is written "no data" in that panel.
    """
    labels = labels.for_charts()  # names from the data are plain text in a figure
    lang = labels.lang
    # column lists, one pass each (a national programme has thousands of rows; pandas filters per
    # panel and Arrow-backed iteration cost several times more)
    tids, cids = df["territory_id"].tolist(), df["component_id"].tolist()
    values = df[value_column].tolist()
    hidden_below = figures.hidden_column(df, value_column)
    component_ids = list(dict.fromkeys(cids))
    territory_ids = list(dict.fromkeys(tids))
    shown_note = None
    keep = None
    if len(territory_ids) > MAX_TERRITORY_ROWS:
        # many territories (a national programme): readable bars for the busiest, in their usual
        # order (the same territories in every chart of the page); the table and CSV have all
        keep = _busiest(df, "territory_id", MAX_TERRITORY_ROWS)
        shown_note = i18n.t("charts.busiest_territories_shown", lang, n=MAX_TERRITORY_ROWS,
                            total=i18n.number(len(territory_ids), lang))
        territory_ids = [t for t in territory_ids if t in keep]
    names = {t: labels.territory(t) for t in territory_ids}
    # per component, its rows in the query's order: (territory, value, hidden below)
    rows_of: dict = {c: [] for c in component_ids}
    for tid, cid, value, below in zip(tids, cids, values, hidden_below):
        if keep is None or tid in keep:
            rows_of[cid].append((tid, None if pd.isna(value) else value, below))
    known = [v for part in rows_of.values() for _, v, _ in part if v is not None]
    x_max = float(max(known)) * 1.3 if known else 1.0
    # built as one dict and validated once (make_subplots and per-panel updates cost ten times more);
    # the panels share the y axis, so every panel has the same territories in the same order
    n = max(len(component_ids), 1)
    gap = 0.03
    width = (1 - gap * (n - 1)) / n
    # narrow: a panel per component, one above the other, each as tall as its own territories
    row_px, panel_head_px = 34, 46
    # room for the longest name at the axis font (15 px: about 8.3 px a character in DejaVu Sans,
    # the widest of the fonts a phone or a laptop gives system-ui)
    narrow_left = round(8.3 * max((len(n) for n in names.values()), default=8)) + 16
    own = {c: [t for t in territory_ids if t in {tid for tid, _, _ in rows_of[c]}] for c in component_ids}
    heads = {c: wrap_label(labels.component(c), 34) for c in component_ids}
    panel_px = {c: panel_head_px + 18 * heads[c].count("<br>") + row_px * max(len(own[c]), 1) for c in component_ids}
    plot_px = max(sum(panel_px.values()), 1)
    narrow_height = 90 + plot_px
    category_array = list(reversed([names[t] for t in territory_ids]))
    traces, annotations = [], []
    layout: dict[str, Any] = {}
    no_data = i18n.t("charts.no_data", lang)
    above = 0
    for i, cid in enumerate(component_ids, start=1):
        suffix = "" if i == 1 else str(i)
        if narrow:
            top = 1 - above / plot_px
            above += panel_px[cid]
            domain_y = paper_span(1 - above / plot_px + 4 / plot_px, top - (panel_px[cid] - row_px * max(len(own[cid]), 1)) / plot_px)
            y_name = f"y{suffix}"
            layout[f"yaxis{suffix}"] = dict(domain=domain_y, anchor=f"x{suffix}", categoryorder="array",
                                            categoryarray=list(reversed([names[t] for t in own[cid]])),
                                            showgrid=False, automargin=False)
            layout[f"xaxis{suffix}"] = dict(domain=[0, 1], anchor=y_name, range=[0, x_max], showticklabels=False,
                                            showgrid=False, zeroline=False, showline=False)
            # from the figure's left edge, where the territories' names begin
            annotations.append(dict(text=f"<b>{heads[cid]}</b>", x=0, y=domain_y[1], xshift=-(narrow_left - 10),
                                    xref="paper", yref="paper", xanchor="left", yanchor="bottom", yshift=4,
                                    align="left", showarrow=False, font=dict(size=14)))
        else:
            domain = paper_span((i - 1) * (width + gap), (i - 1) * (width + gap) + width)
            y_name = "y"
            layout[f"xaxis{suffix}"] = dict(domain=domain, anchor="y", range=[0, x_max], showticklabels=False,
                                            showgrid=False, zeroline=False, showline=False)
            # a long component name on up to three lines: side by side, panels are narrow
            annotations.append(dict(text=wrap_label(labels.component(cid), max(12, int(110 / n))), x=sum(domain) / 2,
                                    y=1, xref="paper", yref="paper", xanchor="center", yanchor="bottom",
                                    showarrow=False, font=dict(size=14)))
        part = rows_of[cid]
        shown = [(tid, v) for tid, v, _ in part if v is not None]
        if not shown:
            # nothing to draw: invisible points only give the panel its territories (an empty bar
            # trace makes Plotly log transform errors and misplace the "not published" notes)
            traces.append(dict(type="scatter", x=[0.0] * len(part), y=[names[tid] for tid, _, _ in part],
                               mode="markers", marker=dict(opacity=0), hoverinfo="skip", showlegend=False,
                               xaxis=f"x{suffix}", yaxis=y_name))
        else:
            traces.append(dict(
                type="bar",
                x=[float(v) for _, v in shown],
                y=[names[tid] for tid, _ in shown],
                orientation="h",
                marker=dict(color=component_colour(cid, labels)),
                text=[i18n.number(v, lang) for _, v in shown],
                textposition="outside",
                cliponaxis=False,
                name=labels.component(cid),
                hovertemplate="%{y}: %{text}<extra>" + labels.component(cid) + "</extra>",
                xaxis=f"x{suffix}",
                yaxis=y_name,
            ))
        for tid, v, below in part:
            if v is not None:
                continue
            annotations.append(dict(
                x=0,
                y=names[tid],
                xref=f"x{suffix}",
                yref=y_name,
                text=f"<i>{figures.count_cell(None, lang, below) if below is not None and not pd.isna(below) else i18n.t('common.not_published', lang)}</i>",
                showarrow=False,
                xanchor="left",
                font=dict(color=MUTED, size=13),
            ))
        if not narrow:
            # side by side, every panel has every territory's row: one with no row in this
            # component says so, not a blank gap (a phone's panel lists its own territories only)
            annotations += [dict(x=0, y=names[tid], xref=f"x{suffix}", yref=y_name, showarrow=False, xanchor="left",
                                 text=f"<i>{no_data}</i>", font=dict(color=MUTED, size=13))
                            for tid in territory_ids if tid not in own[cid]]
    if shown_note:
        annotations.append(dict(x=0, y=1, yshift=48, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                                showarrow=False, text=f"<i>{shown_note}</i>", font=dict(color=MUTED, size=13)))
    if not narrow:
        layout["yaxis"] = dict(domain=[0, 1], anchor="x", categoryorder="array", categoryarray=category_array,
                               showgrid=False)
    longest = max((labels.component(c) for c in component_ids), key=len, default="")
    head_lines = 1 if narrow else wrap_label(longest, max(12, int(110 / n))).count("<br>") + 1
    layout.update(
        annotations=annotations,
        template=TEMPLATE,
        title=dict(text=title),
        separators=",." if lang == "es" else ".,",
        showlegend=False,
        height=narrow_height if narrow else 150 + 18 * (head_lines - 1) + 55 * max(len(territory_ids), 1),
        bargap=0.35,
        margin=dict(t=(130 if shown_note else 70) + (0 if narrow else 18 * (head_lines - 1)),
                    **({"l": narrow_left} if narrow else {})),
    )
    return from_dicts(traces, layout)


def _hbar_layout(title: str, lang: str, names: list[str], x_max: float, label_chars: int) -> dict:
    """Layout of a chart of horizontal bars, one row per name (first on top), values written
    beside the bars, no value axis (the numbers are on the bars)."""
    # the names' room is set, not left to Plotly, so the notes under the chart start at its left edge
    longest = max((len(line) for name in names for line in name.split("<br>")), default=8)
    return _layout(
        title, lang, height=110 + 52 * max(len(names), 1), bargap=0.3,
        margin=dict(l=round(7.6 * longest) + 24, r=30, t=70, b=20),
        xaxis=dict(range=[0, x_max], showticklabels=False, showgrid=False, zeroline=False),
        yaxis=dict(type="category", categoryorder="array", categoryarray=list(reversed(names)), showgrid=False,
                   automargin=False, ticksuffix="  ", tickfont=dict(size=14)),
    )


def component_participations_chart(df: pd.DataFrame, title: str, labels: Labels, label_chars: int = 22) -> go.Figure:
    """Participations of each component, a bar each in the component's colour. A component whose
    reach the source gives only in organisations (CARE 2025: formalisation) gets no bar: its row
    says its participations are not published and how many organisations it reached.

    ``df``: rows of ``component_reach``, in display order."""
    labels = labels.for_charts()  # names from the data are plain text in a figure
    lang = labels.lang
    records = rows.records(df)
    names = [wrap_label(labels.component(r["component_id"]), label_chars) for r in records]
    known = [float(r["participations_count"]) for r in records if not pd.isna(r["participations_count"])]
    x_max = max(known) * 1.35 if known else 1.0
    traces, annotations = [], []
    for r, name in zip(records, names):
        count = r["participations_count"]
        if pd.isna(count):
            parts = [i18n.t("common.not_published", lang)]
            if not pd.isna(r["organisations_count"]):
                parts.append(i18n.t("charts.reach_organisations", lang, n=i18n.number(r["organisations_count"], lang)))
            annotations.append(dict(x=0, y=name, xref="x", yref="y", xanchor="left", showarrow=False,
                                    text=f"<i>{'<br>'.join(html_escape(p) for p in parts)}</i>", font=dict(color=MUTED, size=14)))
            traces.append(dict(type="scatter", x=[0.0], y=[name], mode="markers", marker=dict(opacity=0),
                               hoverinfo="skip", showlegend=False))
            continue
        text = i18n.number(count, lang)
        traces.append(dict(type="bar", x=[float(count)], y=[name], orientation="h",
                           marker=dict(color=component_colour(r["component_id"], labels)), text=[text],
                           textposition="outside", cliponaxis=False, textfont=dict(size=16, color=INK),
                           name=labels.component(r["component_id"]),
                           hovertemplate=f"{html_escape(labels.component(r['component_id']))}: {text}<extra></extra>"))
    layout = _hbar_layout(title, lang, names, x_max, label_chars)
    layout["annotations"] = annotations
    return from_dicts(traces, layout)


def territory_participations_chart(df: pd.DataFrame, title: str, labels: Labels, label_chars: int = 22) -> go.Figure:
    """Participations in each territory, the selected components added together: one bar each,
    largest first (at most ``MAX_TERRITORY_ROWS``), in a neutral colour because it mixes
    components. A territory with none published says so in its row.

    ``df``: rows of ``participations_by_territory``."""
    labels = labels.for_charts()
    lang = labels.lang
    part = df
    note = None
    if len(df) > MAX_TERRITORY_ROWS:
        keep = _busiest(df, "territory_id", MAX_TERRITORY_ROWS)
        part = df[df["territory_id"].isin(keep)]
        note = i18n.t("charts.busiest_territories_shown", lang, n=MAX_TERRITORY_ROWS, total=i18n.number(len(df), lang))
    ordered = sorted(rows.records(part), key=lambda r: -(0 if pd.isna(r["participations_count"]) else r["participations_count"]))
    names = [wrap_label(labels.territory(r["territory_id"]), label_chars) for r in ordered]
    shown = [(n, r) for n, r in zip(names, ordered) if not pd.isna(r["participations_count"])]
    x_max = max((float(r["participations_count"]) for _, r in shown), default=0.0) * 1.3 or 1.0
    texts = [i18n.number(r["participations_count"], lang) for _, r in shown]
    traces = [dict(type="bar", x=[float(r["participations_count"]) for _, r in shown], y=[n for n, _ in shown],
                   orientation="h", marker=dict(color=PEOPLE_COLOUR), text=texts, textposition="outside",
                   cliponaxis=False, textfont=dict(size=16, color=INK),
                   customdata=[html_escape(labels.territory(r["territory_id"])) for _, r in shown],
                   hovertemplate="%{customdata}: %{text}<extra></extra>")]
    annotations = [dict(x=0, y=n, xref="x", yref="y", xanchor="left", showarrow=False,
                        text=f"<i>{i18n.t('common.not_published', lang)}</i>", font=dict(color=MUTED, size=14))
                   for n, r in zip(names, ordered) if pd.isna(r["participations_count"])]
    if note:
        annotations.append(dict(x=0, y=1, yshift=8, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                                showarrow=False, text=f"<i>{note}</i>", font=dict(color=MUTED, size=13)))
    layout = _hbar_layout(title, lang, names, x_max, label_chars)
    layout["annotations"] = annotations
    return from_dicts(traces, layout)


def _reach_text(row, labels: Labels) -> str:
    lang = labels.lang
    if pd.isna(row["participations_count"]):
        participations = i18n.t("charts.reach_participations_unpublished", lang)
    else:
        participations = i18n.t(
            "charts.reach_participations", lang, n=i18n.number(row["participations_count"], lang)
        )
    organisations = i18n.t(
        "charts.reach_organisations", lang, n=i18n.number(row["organisations_count"], lang)
    )
    people = []
    hidden = figures.hidden_below(row)
    if hidden is not None:
        people = [figures.people_text(None, lang, True, hidden)]
    elif not pd.isna(row.get("people_count")):
        people = [figures.people_text(row["people_count"], lang)]
    audience = [] if pd.isna(row["audience_id"]) else [i18n.t(f"audience.{row['audience_id']}", lang)]
    return " · ".join([participations, *people, organisations, *audience])


def _period_text(row, lang: str) -> str:
    start, end = pd.Timestamp(row["period_start_date"]).date(), pd.Timestamp(row["period_end_date"]).date()
    if row["period_precision"] == "day":
        return f"{i18n.date(start, lang)} – {i18n.date(end, lang)}"
    return f"{i18n.month(start, lang)} – {i18n.month(end, lang)}"


def component_timeline_title(df: pd.DataFrame, lang: str) -> str:
    """The timeline's title: it names the audience only where a component's source states one
    (``component_reach``)."""
    return i18n.t("component.timeline_title" if df["audience_id"].notna().any() else "component.timeline_title_reach", lang)


def component_timeline_chart(df: pd.DataFrame, title: str, labels: Labels, narrow: bool = False) -> go.Figure:
    """Each component as a bar over its period; its axis label gives its reach and audience (where
    its source states one) (with ``narrow``, a phone: the name on the axis, the reach and audience
    written under the bar).

    ``df``: rows of ``component_reach``. Month-precision periods span whole months; the axis runs
    from the first to the last month of the data.
    """
    labels = labels.for_charts()  # names from the data are plain text in a figure
    lang = labels.lang
    fig = go.Figure()
    axis_labels = []
    for r in rows.records(df):
        start = pd.Timestamp(r["period_start_date"])
        end = pd.Timestamp(r["period_end_date"]) + pd.Timedelta(days=1)
        name = labels.component(r["component_id"])
        if narrow:
            axis_label = f"<b>{wrap_label(name, 14)}</b>"
            fig.add_annotation(x=0, xref="paper", y=axis_label, yref="y", yshift=-26, xanchor="left",
                               yanchor="top", showarrow=False, align="left",
                               text=wrap_label(_reach_text(r, labels), 42), font=dict(size=12, color=MUTED))
        else:
            axis_label = f"<b>{name}</b><br><span style='font-size:13px'>{_reach_text(r, labels)}</span>"
        axis_labels.append(axis_label)
        fig.add_trace(
            go.Bar(
                x=[(end - start).total_seconds() * 1000],
                base=[start.isoformat()],
                y=[axis_label],
                orientation="h",
                marker_color=component_colour(r["component_id"], labels),
                name=name,
                customdata=[[_period_text(r, lang), _reach_text(r, labels)]],
                hovertemplate=f"<b>{name}</b><br>%{{customdata[0]}}<br>%{{customdata[1]}}<extra></extra>",
            )
        )
    if len(df):
        first = pd.Timestamp(df["period_start_date"].min()).replace(day=1)
        last = pd.Timestamp(df["period_end_date"].max()) + pd.offsets.MonthEnd(0) + pd.Timedelta(days=1)
        months = pd.date_range(first, last, freq="MS", inclusive="left")
        fig.update_xaxes(
            type="date",
            range=[first.isoformat(), last.isoformat()],
            tickvals=[m.isoformat() for m in months],
            # month names from Babel, so Spanish needs no Plotly locale bundle from the web
            ticktext=[i18n.date(m.date(), lang, "MMM yyyy") for m in months],
            ticklabelmode="period",
            showgrid=True,
        )
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(axis_labels)), showgrid=False)
    _base_layout(fig, title, lang)
    if narrow:
        fig.update_xaxes(tickfont=dict(size=12), tickangle=-45)
        longest = max((len(line) for r in rows.records(df) for line in wrap_label(labels.component(r["component_id"]), 14).split("<br>")), default=8)
        fig.update_yaxes(automargin=False, tickfont=dict(size=13))
        fig.update_layout(height=150 + 120 * max(len(df), 1), bargap=0.55, margin=dict(l=round(7.6 * longest) + 16))
    else:
        fig.update_layout(height=140 + 80 * max(len(df), 1), bargap=0.35)
    return fig
