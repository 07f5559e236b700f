"""Chart builders: small pure functions from a query result to a Plotly figure.

Every figure has its unit in the title; values that are not published are written as such on the
chart, never drawn as zero. Colours and fonts come from one template (``TEMPLATE``). System fonts
only: nothing is fetched from the web.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import i18n
from .labels import Labels

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#1f2933"
MUTED = "#616e7c"
# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
COMPONENT_COLOURS = {
    "ohs": "#E69F00",
    "human-rights": "#0072B2",
    "formalisation": "#009E73",
    "soft-skills": "#CC79A7",
}
FALLBACK_COLOURS = ["#56B4E9", "#D55E00", "#F0E442", "#000000"]
STATUS_ORDER = ("count_published", "took_part", "unknown", "did_not_take_part")
STATUS_COLOURS = {
    "count_published": "#0072B2",
    "took_part": "#9CC9E8",
    "unknown": "#E4E7EB",
    "did_not_take_part": "#FFFFFF",
}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT_FAMILY, size=15, color=INK),
        title=dict(font=dict(size=19), x=0, xanchor="left"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=10, r=20, t=70, b=40),
        xaxis=dict(gridcolor="#E4E7EB", zerolinecolor="#9AA5B1"),
        yaxis=dict(gridcolor="#E4E7EB", zerolinecolor="#9AA5B1"),
        hoverlabel=dict(font=dict(family=FONT_FAMILY)),
    )
)


def component_colour(component_id: str, position: int = 0) -> str:
    return COMPONENT_COLOURS.get(component_id, FALLBACK_COLOURS[position % len(FALLBACK_COLOURS)])


def _base_layout(fig: go.Figure, title: str, lang: str) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        title_text=title,
        separators=",." if lang == "es" else ".,",
        showlegend=False,
    )
    return fig


def territory_component_chart(df: pd.DataFrame, value_column: str, title: str, labels: Labels) -> go.Figure:
    """Horizontal bars of one measure, a panel per component, a row per territory.

    ``df``: rows of ``coverage_by_territory``. A NULL value is written "not published" in its row.
    """
    lang = labels.lang
    component_ids = list(dict.fromkeys(df["component_id"]))
    territory_ids = list(dict.fromkeys(df["territory_id"]))
    territory_names = [labels.territory(t) for t in territory_ids]
    fig = make_subplots(
        rows=1,
        cols=max(len(component_ids), 1),
        shared_yaxes=True,
        subplot_titles=[labels.component(c) for c in component_ids],
        horizontal_spacing=0.03,
    )
    known = df[value_column].dropna()
    x_max = float(known.max()) * 1.3 if len(known) else 1.0
    for i, cid in enumerate(component_ids, start=1):
        part = df[df["component_id"] == cid]
        shown = part[part[value_column].notna()]
        fig.add_trace(
            go.Bar(
                x=shown[value_column].astype(float),
                y=[labels.territory(t) for t in shown["territory_id"]],
                orientation="h",
                marker_color=component_colour(cid, i),
                text=[i18n.number(v, lang) for v in shown[value_column]],
                textposition="outside",
                cliponaxis=False,
                name=labels.component(cid),
                hovertemplate="%{y}: %{text}<extra>" + labels.component(cid) + "</extra>",
            ),
            row=1,
            col=i,
        )
        for tid in part.loc[part[value_column].isna(), "territory_id"]:
            fig.add_annotation(
                x=0,
                y=labels.territory(tid),
                xref=f"x{i if i > 1 else ''}",
                yref="y",
                text=f"<i>{i18n.t('common.not_published', lang)}</i>",
                showarrow=False,
                xanchor="left",
                font=dict(color=MUTED, size=13),
            )
        fig.update_xaxes(range=[0, x_max], showticklabels=False, showgrid=False, zeroline=False, showline=False, row=1, col=i)
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(territory_names)), showgrid=False)
    fig.update_annotations(font_size=14, selector=dict(yref="paper"))
    _base_layout(fig, title, lang)
    fig.update_layout(height=150 + 55 * max(len(territory_ids), 1), bargap=0.35)
    return fig


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
    return " · ".join([participations, organisations, i18n.t(f"audience.{row['audience_id']}", lang)])


def _period_text(row, lang: str) -> str:
    start, end = pd.Timestamp(row["period_start_date"]).date(), pd.Timestamp(row["period_end_date"]).date()
    if row["period_precision"] == "day":
        return f"{i18n.date(start, lang)} – {i18n.date(end, lang)}"
    return f"{i18n.month(start, lang)} – {i18n.month(end, lang)}"


def component_timeline_chart(df: pd.DataFrame, title: str, labels: Labels) -> go.Figure:
    """Each component as a bar over its period; its axis label gives its reach and audience.

    ``df``: rows of ``component_reach``. Month-precision periods span whole months; the axis runs
    from the first to the last month of the data.
    """
    lang = labels.lang
    fig = go.Figure()
    axis_labels = []
    for i, r in enumerate(df.to_dict("records")):
        start = pd.Timestamp(r["period_start_date"])
        end = pd.Timestamp(r["period_end_date"]) + pd.Timedelta(days=1)
        name = labels.component(r["component_id"])
        axis_label = f"<b>{name}</b><br><span style='font-size:13px'>{_reach_text(r, labels)}</span>"
        axis_labels.append(axis_label)
        fig.add_trace(
            go.Bar(
                x=[(end - start).total_seconds() * 1000],
                base=[start.isoformat()],
                y=[axis_label],
                orientation="h",
                marker_color=component_colour(r["component_id"], i),
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
    fig.update_layout(height=140 + 80 * max(len(df), 1), bargap=0.35)
    return fig


def organisation_matrix_chart(df: pd.DataFrame, title: str, labels: Labels) -> go.Figure:
    """A grid of organisations by components; each cell says what is known of that participation.

    ``df``: rows of ``organisation_matrix``. Cells: the published count, "took part", "not known"
    or "did not take part".
    """
    lang = labels.lang
    org_ids = list(dict.fromkeys(df["organisation_id"]))
    comp_ids = list(dict.fromkeys(df["component_id"]))
    code = {s: i for i, s in enumerate(STATUS_ORDER)}
    z, text = [], []
    for oid in org_ids:
        zrow, trow = [], []
        for cid in comp_ids:
            cell = df[(df["organisation_id"] == oid) & (df["component_id"] == cid)]
            if cell.empty:
                zrow.append(None)
                trow.append("")
                continue
            status = cell["participation_status"].iloc[0]
            zrow.append(code[status])
            if status == "count_published":
                trow.append(i18n.number(cell["participations_count"].iloc[0], lang))
            else:
                trow.append(i18n.t(f"status_short.{status}", lang))
        z.append(zrow)
        text.append(trow)
    n = len(STATUS_ORDER)
    colorscale = []
    for i, status in enumerate(STATUS_ORDER):
        colorscale += [[i / n, STATUS_COLOURS[status]], [(i + 1) / n, STATUS_COLOURS[status]]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[labels.component(c) for c in comp_ids],
            y=[labels.organisation(o) for o in org_ids],
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=14),
            colorscale=colorscale,
            zmin=-0.5,
            zmax=n - 0.5,
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", showgrid=False)
    _base_layout(fig, title, lang)
    fig.update_layout(height=170 + 34 * max(len(org_ids), 1), margin=dict(t=110))
    return fig
