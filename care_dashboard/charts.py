"""Chart builders: small pure functions from a query result to a Plotly figure.

Every figure has its unit in the title; values that are not published are written as such on the
chart, never drawn as zero. Colours and fonts come from one template (``TEMPLATE``). System fonts
only: nothing is fetched from the web.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from . import figures, i18n, rows
from .labels import Labels

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#1f2933"
MUTED = "#616e7c"
# A component's colour depends only on the dataset's components, in their display order
# (``Labels.components``), never on which chart draws it or where: so it is the same on every
# page, chart, map and slide of a dataset (``component_colour``). The four CARE components keep
# these Okabe-Ito colours on any dataset (distinguishable with the common colour-vision
# deficiencies).
COMPONENT_COLOURS = {
    "ohs": "#E69F00",
    "human-rights": "#0072B2",
    "formalisation": "#009E73",
    "soft-skills": "#CC79A7",
}
# Any other component takes, in the dataset's component order, the first of these that no
# component before it (CARE's included) has: first the Okabe-Ito colours CARE does not use, then
# CARE's own for a dataset without those components, so seven components get the seven Okabe-Ito
# colours (black left out: it reads as text, and people are drawn in slate); from the eighth on,
# Paul Tol's "muted" scheme (distinct from one another, not all from the first seven under every
# deficiency). Beyond these the colours repeat. Colour is never the only cue: every chart writes
# each component's name beside its bars, panels or dots.
OTHER_COLOURS = (
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#E69F00",  # orange (CARE: occupational health and safety)
    "#0072B2",  # blue (CARE: human rights)
    "#009E73",  # bluish green (CARE: formalisation)
    "#CC79A7",  # reddish purple (CARE: soft skills)
    "#F0E442",  # yellow
    "#882255",  # wine (Tol)
    "#332288",  # indigo (Tol)
    "#999933",  # olive (Tol)
    "#44AA99",  # teal (Tol)
    "#CC6677",  # rose (Tol)
    "#DDCC77",  # sand (Tol)
)
# people (as opposed to a component) get a neutral slate, so they are not read as one component
PEOPLE_COLOUR = "#3E4C59"
ABSENT_DOT = "#D9DEE3"
MAX_TERRITORY_PANELS = 12  # beyond this, per-territory panels show the largest territories only
MAX_MATRIX_ORGANISATIONS = 30  # beyond this, the organisation grid shows the busiest ones only
MAX_TERRITORY_ROWS = 25  # beyond this, bars by territory show the territories with most participations
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
        # the axes make room for their names themselves (a builder that sizes the margin turns
        # this off): said here, because plotly.js versions differ in what they do unasked, and
        # the offline briefing's Plotly is not the page's
        xaxis=dict(gridcolor="#E4E7EB", zerolinecolor="#9AA5B1", automargin=True),
        yaxis=dict(gridcolor="#E4E7EB", zerolinecolor="#9AA5B1", automargin=True),
        hoverlabel=dict(font=dict(family=FONT_FAMILY)),
    )
)


@functools.lru_cache(maxsize=256)
def _colours_of(order: tuple[str, ...]) -> dict[str, str]:
    taken = {COMPONENT_COLOURS[c] for c in order if c in COMPONENT_COLOURS}
    free = [c for c in OTHER_COLOURS if c not in taken]
    found, n = {}, 0
    for cid in dict.fromkeys(order):
        if cid in COMPONENT_COLOURS:
            found[cid] = COMPONENT_COLOURS[cid]
        else:
            found[cid] = free[n % len(free)]
            n += 1
    return found


def component_colours(labels: Labels | Iterable[str]) -> dict[str, str]:
    """The colour of each component of a dataset, by id: ``labels`` (its ``components`` in display
    order, as every chart builder gets them) or the component ids in that order."""
    order = tuple(labels.components) if isinstance(labels, Labels) else tuple(labels)
    return dict(_colours_of(order))


def component_colour(component_id: str, labels: Labels | Iterable[str] = ()) -> str:
    """A component's colour on this dataset: it depends only on the dataset's components in display
    order (``labels``), so every chart of the dataset gives the component the same one. An id
    the labels lack (none should) comes after them."""
    order = tuple(labels.components) if isinstance(labels, Labels) else tuple(labels)
    if component_id not in order:
        order += (component_id,)
    return _colours_of(order)[component_id]


def from_dicts(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, as the builders of large charts write them,
    without Plotly checking every property and every element of every list again: with hundreds
    of territories or thousands of bars that check cost 5-20 ms a chart, on every rerun. The
    builders' output is checked instead by ``tests/test_figures_valid.py``, which rebuilds every
    such figure through Plotly's checking constructor, on the embedded data and on a dataset of
    hundreds of territories."""
    return go.Figure(data=data, layout=layout, _validate=False)


def _base_layout(fig: go.Figure, title: str, lang: str) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        title_text=title,
        separators=",." if lang == "es" else ".,",
        showlegend=False,
    )
    return fig


def _busiest(df: pd.DataFrame, column: str, n: int) -> set:
    """The ``n`` values of ``column`` with most participations (a count not shown counts as none;
    ties keep the rows' order)."""
    totals = df.groupby(column, sort=False)["participations_count"].sum(min_count=1).fillna(0)
    return set(totals.sort_values(ascending=False, kind="stable").index[:n])


def territory_component_chart(df: pd.DataFrame, value_column: str, title: str, labels: Labels,
                              narrow: bool = False) -> go.Figure:
    """Horizontal bars of one measure, a panel per component, a row per territory: the panels side
    by side, or with ``narrow`` (a phone) one above the other, each with its territories.

    ``df``: rows of ``coverage_by_territory``. A NULL value is written "not published" in its row.
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
    traces, annotations, layout = [], [], {}
    above = 0
    for i, cid in enumerate(component_ids, start=1):
        suffix = "" if i == 1 else str(i)
        if narrow:
            top = 1 - above / plot_px
            above += panel_px[cid]
            domain_y = _paper_span(1 - above / plot_px + 4 / plot_px, top - (panel_px[cid] - row_px * max(len(own[cid]), 1)) / plot_px)
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
            domain = _paper_span((i - 1) * (width + gap), (i - 1) * (width + gap) + width)
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


def _layout(title: str, lang: str, **rest) -> dict:
    """The layout every chart shares, as a dict (see ``_base_layout``)."""
    return dict(template=TEMPLATE, title=dict(text=title), separators=",." if lang == "es" else ".,",
                showlegend=False, **rest)


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
        # Plotly tilted "1 component", "2 components"... across the notes under the chart
        xaxis=dict(type="category", categoryorder="array", categoryarray=x, showgrid=False, tickangle=0,
                   tickvals=x, ticktext=[i18n.number(n, lang) for n in counts],
                   title=dict(text=i18n.t("charts.components_axis", lang))),
        yaxis=dict(title=dict(text=i18n.t("charts.people_axis", lang)), range=[0, _top(part["people_count"], 1.18)]),
    ))


def _paper_span(start: float, end: float) -> list[float]:
    """A panel's domain in paper fractions, kept inside [0, 1]: sums of fractions land a hair
    outside (1 - 3 x 0.3466... is -5.6e-17), and Plotly refuses a domain outside."""
    return [min(max(round(start, 9), 0.0), 1.0), min(max(round(end, 9), 0.0), 1.0)]


def components_per_person_by_territory_chart(df: pd.DataFrame, title: str, labels: Labels,
                                            narrow: bool = False) -> go.Figure:
    """The same breakdown, a panel per territory, all on one scale: a territory of 17 people is
    drawn at a fifth of one of 90, as the written numbers say (a scale per panel drew them alike).

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
    # side by side; with ``narrow`` (a phone) two panels a row
    per_row = min(2, n) if narrow else n
    n_rows = -(-n // per_row)
    gap = min(0.04, 0.5 / per_row) if not narrow else 0.08
    width = (1 - gap * (per_row - 1)) / per_row
    row_gap = 0.12 / n_rows if n_rows > 1 else 0
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
        domain = _paper_span(column * (width + gap), column * (width + gap) + width)
        domain_y = _paper_span(1 - row * (row_height + row_gap) - row_height, 1 - row * (row_height + row_gap))
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
        annotations.append(dict(text=wrap_label(labels.territory(tid), 16 if narrow else 30), x=sum(domain) / 2,
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
        title, lang, **layout, annotations=annotations, height=440 if not narrow else 160 + 230 * n_rows, bargap=0.3,
        margin=dict(t=130 if shown_note else 110, b=80),
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


def wrap_label(text: str, width: int) -> str:
    """A long axis label on several lines (Plotly's <br>), broken between words."""
    lines, current = [], ""
    for word in str(text).split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return "<br>".join([*lines, current] if current else lines)


# Lines of text inside a figure are wrapped to these many characters: a footer line or a title
# must fit a phone's screen (the narrow variant) and read as a short note on a wide screen.
FOOTER_WRAP_CHARS = 95
FOOTER_WRAP_CHARS_NARROW = 44
TITLE_WRAP_CHARS = 70
TITLE_WRAP_CHARS_NARROW = 32
SUBTITLE_WRAP_CHARS = 95
SUBTITLE_WRAP_CHARS_NARROW = 44
TITLE_LINE_PX = 25
MULTILINE_TITLE_SHIFT_EM = 0.7  # with_heading
_INLINE_FONT = re.compile(r"font-size:(\d+)px")  # for_projector
SUBTITLE_LINE_PX = 19


def plain_title(fig: go.Figure) -> str:
    """A figure's title as plain text (line breaks and markup removed)."""
    text = fig.layout.title.text or ""
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def margin_px(fig: go.Figure, side: str) -> float:
    """The figure's margin on ``side`` ("l", "r", "t", "b"): its own, or the template's."""
    own = fig.layout.margin[side] if fig.layout.margin else None
    return own if own is not None else TEMPLATE.layout.margin[side]


FOOTER_NAME = "care-footer"  # with_caveat_footer's annotation; for_projector moves it with the margin


def _footer_xshift(left: float) -> float:
    """The shift that puts the footer at the figure's left edge, past a left margin of ``left``."""
    return -(left - 10)


def with_heading(fig: go.Figure, subtitle: str, narrow: bool = False, title_chars: int | None = None,
                 subtitle_chars: int | None = None) -> go.Figure:
    """Write the figure's heading as statistics publishers do: its title (what is counted) and
    under it a subtitle with the counting unit, both wrapped to fit (a phone with ``narrow``;
    ``title_chars``, ``subtitle_chars``: their line lengths where there is more room, a slide),
    with the top margin grown by the lines they take. Writes into ``fig`` and returns it."""
    if fig.layout.title.subtitle and fig.layout.title.subtitle.text:
        return fig  # its builder laid out its own heading, unit included (the map)
    title = plain_title(fig)
    title_lines = wrap_label(title, title_chars or (TITLE_WRAP_CHARS_NARROW if narrow else TITLE_WRAP_CHARS))
    sub = " ".join(re.sub(r"<br>", " ", subtitle).split())
    sub = sub[:1].upper() + sub[1:]
    sub_lines = wrap_label(sub, subtitle_chars or (SUBTITLE_WRAP_CHARS_NARROW if narrow else SUBTITLE_WRAP_CHARS))
    n_title, n_sub = title_lines.count("<br>") + 1, sub_lines.count("<br>") + 1
    font = 17 if narrow else 19
    # Plotly draws a title of several lines anchored at its top 0.7 em higher than one of a
    # single line (measured in Chromium: its first line was cut at the figure's top edge, by
    # 13 px at 28 px on a slide); the pad gives that back
    pad_top = 12 + (round(MULTILINE_TITLE_SHIFT_EM * font) if n_title > 1 else 0)
    top = margin_px(fig, "t")
    # the builder's top margin holds one title line (about 46 px); the rest of it is room for
    # what it writes above the plot (panel titles, a grid's column names), which stays under
    # the heading: the pad above the title, its lines, the subtitle's, with the gaps Plotly leaves
    grown = pad_top + n_title * TITLE_LINE_PX + n_sub * SUBTITLE_LINE_PX + 26 - 46
    fig.update_layout(
        title=dict(
            text=title_lines, x=0, xanchor="left", xref="container", yref="container", y=1, yanchor="top",
            pad=dict(t=pad_top, l=10), font=dict(size=font),
            subtitle=dict(text=sub_lines, font=dict(size=13 if narrow else 15, color=MUTED)),
        ),
        margin=dict(t=top + grown),
        height=(fig.layout.height or 450) + grown,
    )
    return fig


def with_caveat_footer(fig: go.Figure, lines: list[str], width_chars: int = FOOTER_WRAP_CHARS, copy: bool = True) -> go.Figure:
    """The same figure with its caveats and source written under it, inside the figure, so an
    image saved from the chart (or pasted on a slide) keeps them. Returns a copy, or with
    ``copy=False`` writes into ``fig`` itself (a figure built for one page run: copying a map of
    hundreds of territories costs more than drawing it)."""
    out = go.Figure(fig.to_dict(), _validate=False) if copy else fig  # a copy of a figure already checked
    wrapped = [part for line in lines for part in wrap_label(line, width_chars).split("<br>") if part]
    if not wrapped:
        return out
    extra = 18 * len(wrapped) + 24
    margin_b = margin_px(out, "b") + extra
    height = (out.layout.height or 450) + extra
    # from the figure's left edge (the plot area starts after the left margin), like a title
    out.add_annotation(
        text="<br>".join(html_escape(w) for w in wrapped), name=FOOTER_NAME,
        xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top", yshift=-(margin_b - extra) - 6,
        xshift=_footer_xshift(margin_px(out, "l")), align="left", showarrow=False, font=dict(size=12, color=MUTED),
    )
    out.update_layout(margin=dict(b=margin_b), height=height)
    return out


def html_escape(text: str) -> str:
    """Plotly draws annotation text as a small subset of HTML: escape what came from data."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def for_projector(fig: go.Figure, scale: float = 1.45) -> go.Figure:
    """A copy of the figure with every text larger, for a projector at the back of a room."""
    out = go.Figure(fig)
    base = out.layout.font.size or TEMPLATE.layout.font.size or 15
    subtitle = out.layout.title.subtitle.font.size if out.layout.title.subtitle else None
    pad_top = out.layout.title.pad.t
    out.update_layout(font_size=round(base * scale), title_font_size=round(19 * scale))
    if subtitle:  # the unit under the title (charts.with_heading) is read from the back too
        out.update_layout(title_subtitle_font_size=round(subtitle * scale))
    if pad_top:  # as the title grows (with_heading: it holds a shift that grows with the font)
        out.update_layout(title_pad_t=round(pad_top * scale))
    out.update_xaxes(tickfont_size=round(14 * scale))
    out.update_yaxes(tickfont_size=round(14 * scale))
    # a builder that sets the room for its row names (automargin off) had it for 14 px names:
    # it grows with them, and the footer written from the figure's left edge moves with it
    left = out.layout.margin.l
    new_left = round(left * scale) if left is not None else None
    for annotation in out.layout.annotations:
        annotation.font.size = round((annotation.font.size or base) * scale)
        if left is not None and annotation.name == FOOTER_NAME:
            annotation.xshift = _footer_xshift(new_left)
    for trace in out.data:
        if getattr(trace, "textfont", None) is not None:
            trace.textfont.size = round((trace.textfont.size or base) * scale)
        ys = getattr(trace, "y", None)
        if ys is not None and any(isinstance(y, str) and "font-size:" in y for y in ys):
            # a row name's second line set smaller in its text (the timeline's reach) grows too,
            # in the axis's order of its rows as well
            trace.y = _grow_inline_fonts(ys, scale)
    out.for_each_yaxis(lambda axis: axis.update(categoryarray=_grow_inline_fonts(axis.categoryarray, scale))
                       if axis.categoryarray else None)
    top, bottom = margin_px(out, "t"), margin_px(out, "b")
    height = out.layout.height or 450
    out.update_layout(
        height=round(height * 1.25 + (bottom + top) * (scale - 1)),
        margin=dict(t=round(top * scale), b=round(bottom * scale), **({"l": new_left} if left is not None else {})),
    )
    return out


def fit_rows(fig: go.Figure) -> go.Figure:
    """Make the names of a chart's rows (its y axes' categories), and the texts in a grid's
    cells, no taller than their rows: on a slide of fixed height the enlarged texts of many
    rows overlap, and Plotly then leaves every other name out (16 organisations at 1920x1080, in
    Spanish). A cell of two lines that cannot be read in its row is written on one ("33
    participations · 20 people"). Writes into ``fig``, returns it."""
    plot = (fig.layout.height or 450) - margin_px(fig, "t") - margin_px(fig, "b")
    base = fig.layout.font.size or TEMPLATE.layout.font.size
    rows: dict[str, set] = {}
    for trace in fig.data:
        ys = getattr(trace, "y", None)
        if ys is None or not len(ys) or not all(isinstance(y, str) for y in ys):
            continue  # a value axis, not rows
        rows.setdefault(getattr(trace, "yaxis", None) or "y", set()).update(ys)
    pitches = {}
    for axis_id, names in rows.items():
        axis = fig.layout["yaxis" + axis_id[1:]]
        domain = axis.domain or (0, 1)
        pitches[axis_id] = pitch = plot * (domain[1] - domain[0]) / len(names)
        lines = max(name.count("<br>") + 1 for name in names)
        size = axis.tickfont.size or base
        if size > (fits := _fits(pitch, lines)):
            axis.tickfont.size = fits
    for trace in fig.data:
        pitch = pitches.get(getattr(trace, "yaxis", None) or "y")
        if trace.type != "heatmap" or trace.text is None or pitch is None:
            continue
        cells = [[str(t) for t in row] for row in trace.text]
        lines = max((t.count("<br>") + 1 for row in cells for t in row), default=1)
        if lines > 1 and _fits(pitch, lines) < MIN_ROW_FONT_PX + 1:
            trace.text = [[t.replace("<br>", " · ") for t in row] for row in cells]
            lines = 1
        size = trace.textfont.size or base
        if size > (fits := _fits(pitch, lines)):
            trace.textfont.size = fits
    return fig


MIN_ROW_FONT_PX = 10  # fit_rows: smaller would not be read on a slide


def _fits(pitch: float, lines: int) -> int:
    """The largest font (px) whose ``lines`` lines stand in a row ``pitch`` px high."""
    return max(MIN_ROW_FONT_PX, int(pitch * 0.9 / (1.25 * lines)))


def _grow_inline_fonts(texts, scale: float) -> list:
    """``texts`` with the font sizes written in them (``font-size:13px``) times ``scale``."""
    return [_INLINE_FONT.sub(lambda m: f"font-size:{round(int(m.group(1)) * scale)}px", t) if isinstance(t, str) else t
            for t in texts]


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
