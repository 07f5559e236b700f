"""The map of territories: a pure builder, like those in ``charts.py``.

Colombia is drawn from the bundled boundaries (``geo.py``) as ordinary filled lines on x/y axes,
longitude across and latitude up, with the y axis anchored to the x axis so a kilometre is as long
north-south as east-west at the map's latitude. No Plotly geo subplot and no tile map: those load
their base map from the web, and the dashboard must work with no network.

Each territory is a circle whose AREA is proportional to its participations (the same scale in
every panel, with a key). A territory whose participations are not published gets no circle, only
a small ring where it is and "not published" in its label. Territories a few kilometres apart
(Bogotá and Cajicá; Barranquilla and Puerto Colombia) would sit on top of each other at the scale
of the country, so each such group gets a zoomed panel beside the country view, where its circles
and labels are apart; the country view marks each zoomed area with a lettered frame.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import charts, figures, geo, i18n, rows
from .labels import Labels

SEA = "#EAF2F8"
LAND = "#FFFFFF"
NEIGHBOUR = "#E4E7EB"
DEPARTMENT_LINE = "#B8C2CC"
OUTLINE_LINE = "#7B8794"
FRAME_LINE = "#3E4C59"
NEUTRAL = "#616E7C"  # all selected components together: no component's colour
CIRCLE_OPACITY = 0.8

MAX_DIAMETER_PX = 80  # the circle of the largest count (of the whole dataset when it is given)
RING_PX = 12  # the ring drawn where a count is not published: a place, not a size
CLUSTER_KM = 60  # territories closer than this share a zoomed panel
INSET_HALF_HEIGHT_DEG = 0.2  # a zoomed panel spans at least 44 km north to south
INSET_ASPECT = 1.5  # width / height of a zoomed panel: its height sets its scale from 760 px up
COUNTRY_PAD_DEG = 0.35
LABEL_FONT_PX = 17
KEY_VALUES = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)

FIG_HEIGHT_PX = 800
MARGIN = dict(l=10, r=10, t=105, b=70)
# the plot width assumed when placing labels: the narrowest the map is designed for (a 1280-px
# projector with the sidebar open); wider screens only add room around the same labels
ASSUMED_PLOT_WIDTH_PX = 760
COUNTRY_DOMAIN_X = (0.0, 0.5)
INSETS_DOMAIN_X = (0.54, 1.0)
INSETS_DOMAIN_Y = (0.15, 0.95)  # above: the first panel's title; below: the size key
KEY_DOMAIN_Y = (0.0, 0.1)
INSET_GAP = 0.08  # paper height between stacked zoomed panels (room for a panel's title)
FRAME_LETTERS = "ABCDEFGH"
MAX_INSETS = 2  # zoomed panels beside the country (more would not fit the figure)
# A national programme has hundreds of territories: beyond DENSE_AT points the map draws every
# circle, smaller, names only the MAX_NAMED busiest (the others on pointing), and zooms into none,
# so building it stays as fast with 1,000 territories as with 4
DENSE_AT = 25
MAX_NAMED = 12
DENSE_MAX_DIAMETER_PX = 36

# San Andrés y Providencia lie 700 km north-west of the mainland: drawn in a box in the open sea
# at the top left of the country view, moved (not rescaled) as maps of Colombia customarily do
ISLANDS_BOX_CENTRE = (-78.55, 12.05)


@dataclass(frozen=True)
class Point:
    territory_id: str
    name: str
    lon: float
    lat: float
    count: float | None  # participations; None = not published
    note: str | None  # which components are not in the sum


@dataclass(frozen=True)
class Panel:
    """One set of axes: the country, or a zoomed area holding ``points``."""

    index: int  # 1 for the country, then the zoomed panels
    lon_range: tuple[float, float]
    lat_range: tuple[float, float]
    points: tuple[Point, ...]
    title: str | None = None

    @property
    def axis_suffix(self) -> str:
        return "" if self.index == 1 else str(self.index)

    @property
    def scale_ratio(self) -> float:
        """y units per x unit on screen: a degree of latitude is 1/cos(lat) degrees of longitude long."""
        return 1 / math.cos(math.radians(sum(self.lat_range) / 2))


# --- data --------------------------------------------------------------------------------------


def _points(df: pd.DataFrame, territories: pd.DataFrame, labels: Labels) -> tuple[list[Point], list[str]]:
    """The territories of ``df`` with their coordinates; and the names of those without any."""
    ids = territories["territory_id"].tolist()
    lats, lons = dict(zip(ids, territories["latitude"].tolist())), dict(zip(ids, territories["longitude"].tolist()))
    points, unplaced = [], []
    for row in rows.records(df):
        tid = row["territory_id"]
        name = labels.territory(tid)
        lat, lon = lats.get(tid), lons.get(tid)
        if lat is None or lon is None or pd.isna(lat) or pd.isna(lon):
            unplaced.append(name)
            continue
        count = None if pd.isna(row["participations_count"]) else float(row["participations_count"])
        points.append(Point(tid, name, float(lon), float(lat), count, figures.participations_note(row, labels)))
    return points, unplaced


def colour_of(df: pd.DataFrame) -> tuple[str, str | None]:
    """The circles' colour and the component it stands for: that component's colour when the
    rows hold exactly one component, a neutral grey (component None) for several together."""
    components = sorted({c for ids in df["component_ids"] for c in ids})
    if len(components) == 1:
        return charts.component_colour(components[0]), components[0]
    return NEUTRAL, None


def scale_top(counts: list[float | None], reference: float | None = None) -> float:
    """The count drawn at ``MAX_DIAMETER_PX``: the largest of ``reference`` (the largest count of
    the whole dataset, so circles keep one size whatever the filters) and the counts shown."""
    known = [c for c in counts if c is not None]
    candidates = [*known, *([] if reference is None or pd.isna(reference) else [float(reference)])]
    return max(candidates, default=0.0)


def diameters_px(counts: list[float | None], top: float, largest_px: float = MAX_DIAMETER_PX) -> list[float | None]:
    """Circle diameters in pixels, so a circle's AREA is proportional to its count; a count of
    ``top`` gets ``largest_px``. None (not published) stays None: no circle, never a zero."""
    return [None if c is None else (largest_px * math.sqrt(c / top) if top > 0 else 0.0) for c in counts]


def key_value(top: float) -> int | None:
    """A round count for the size key, at most 40 % of ``top``."""
    fitting = [v for v in KEY_VALUES if v <= top * 0.4]
    return fitting[-1] if fitting else (KEY_VALUES[0] if top >= 1 else None)


def clusters(points: list[Point], within_km: float = CLUSTER_KM) -> list[list[Point]]:
    """Groups of points linked by distances under ``within_km`` (single linkage), in input order."""
    groups: list[list[Point]] = []
    for p in points:
        near = [g for g in groups if any(geo.ground_distance_km(p.lon, p.lat, q.lon, q.lat) < within_km for q in g)]
        merged = [q for g in near for q in g] + [p]
        groups = [g for g in groups if g not in near] + [merged]
    order = {p.territory_id: i for i, p in enumerate(points)}
    for g in groups:
        g.sort(key=lambda p: order[p.territory_id])
    return sorted(groups, key=lambda g: order[g[0].territory_id])


def map_table(df: pd.DataFrame, territories: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """The map's figures as a table (for its CSV): territory, department, coordinates, the
    participations drawn, and the components whose count is not published and so not in it."""
    lang = labels.lang
    known = territories["territory_id"].tolist()

    def column(name: str) -> dict:
        return dict(zip(known, territories[name].tolist()))

    department, lat, lon = column("department_name"), column("latitude"), column("longitude")
    ids = df["territory_id"].tolist()
    return pd.DataFrame(
        {
            i18n.t("columns.territory", lang): [labels.territory(t) for t in ids],
            i18n.t("map.column_department", lang): [department.get(t) for t in ids],
            i18n.t("map.column_latitude", lang): [lat.get(t) for t in ids],
            i18n.t("map.column_longitude", lang): [lon.get(t) for t in ids],
            i18n.t("columns.participations", lang): [i18n.number(v, lang) for v in df["participations_count"].tolist()],
            i18n.t("map.column_not_in_sum", lang): [
                ", ".join(labels.component(c) for c in missing) for missing in df["components_not_published"].tolist()
            ],
        }
    )


# --- layout ------------------------------------------------------------------------------------


def _country_panel(boundaries: geo.Boundaries, points: tuple[Point, ...]) -> Panel:
    lon_min, lat_min, lon_max, lat_max = boundaries.mainland_bounds()
    return Panel(
        1,
        (lon_min - COUNTRY_PAD_DEG, lon_max + COUNTRY_PAD_DEG),
        (lat_min - COUNTRY_PAD_DEG, lat_max + COUNTRY_PAD_DEG),
        points,
    )


def _inset_panel(index: int, group: list[Point], title: str) -> Panel:
    lats = [p.lat for p in group]
    lons = [p.lon for p in group]
    lat_c, lon_c = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    k = math.cos(math.radians(lat_c))
    half_h = max(
        INSET_HALF_HEIGHT_DEG,
        (max(lats) - min(lats)) / 2 + 0.1,
        ((max(lons) - min(lons)) * k / 2 + 0.2) / INSET_ASPECT,
    )
    half_w = half_h * INSET_ASPECT / k
    return Panel(index, (lon_c - half_w, lon_c + half_w), (lat_c - half_h, lat_c + half_h), tuple(group), title)


def _domains(n_insets: int) -> tuple[tuple, list[tuple], tuple]:
    """Paper domains (x, y) of the country view, of each zoomed panel and of the size key."""
    if n_insets == 0:
        return ((0.0, 1.0), (0.0, 1.0)), [], ((0.76, 1.0), KEY_DOMAIN_Y)
    bottom, top = INSETS_DOMAIN_Y
    height = (top - bottom - INSET_GAP * (n_insets - 1)) / n_insets
    insets = []
    for i in range(n_insets):
        upper = top - i * (height + INSET_GAP)
        insets.append((INSETS_DOMAIN_X, (upper - height, upper)))
    return (COUNTRY_DOMAIN_X, (0.0, 1.0)), insets, (INSETS_DOMAIN_X, KEY_DOMAIN_Y)


def pixels_per_degree_lat(panel: Panel, domain: tuple) -> float:
    """Screen pixels per degree of latitude, at the assumed plot size (the axes keep the aspect,
    so the tighter of the two directions sets the scale)."""
    (x0, x1), (y0, y1) = domain
    height_px = (y1 - y0) * (FIG_HEIGHT_PX - MARGIN["t"] - MARGIN["b"])
    width_px = (x1 - x0) * ASSUMED_PLOT_WIDTH_PX
    lat_span = panel.lat_range[1] - panel.lat_range[0]
    lon_span_as_lat = (panel.lon_range[1] - panel.lon_range[0]) / panel.scale_ratio
    return min(height_px / lat_span, width_px / lon_span_as_lat)


# --- labels ------------------------------------------------------------------------------------

# where a label may sit beside its circle, in order of preference
POSITIONS = (
    "middle right", "middle left", "top center", "bottom center",
    "top right", "top left", "bottom right", "bottom left",
)


def label_text(point: Point, lang: str) -> str:
    """The territory's name and its count, or "not published" in italics (never 0)."""
    if point.count is None:
        return f"<b>{point.name}</b><br><i>{i18n.t('common.not_published', lang)}</i>"
    return f"<b>{point.name}</b><br>{i18n.number(point.count, lang)}"


def _text_size_px(text: str) -> tuple[float, float]:
    """A generous estimate of a label's box (bold system font; Plotly spaces lines 1.3 apart)."""
    lines = [re.sub(r"</?[bi]>", "", line) for line in text.split("<br>")]
    return max(len(ln) for ln in lines) * LABEL_FONT_PX * 0.62, ((len(lines) - 1) * 1.3 + 1.1) * LABEL_FONT_PX


def _xy(panel: Panel, ppd: float, point: Point) -> tuple[float, float]:
    """A point's position in screen pixels from the panel's lower-left corner."""
    return (point.lon - panel.lon_range[0]) / panel.scale_ratio * ppd, (point.lat - panel.lat_range[0]) * ppd


def label_boxes(panel: Panel, domain: tuple, texts: list[str], sizes: list[float], positions: list[str]):
    """Each label's box (left, bottom, right, top) in screen pixels from the panel's lower-left
    corner, for the given text positions, as Plotly places text beside a marker (it moves the
    text off the marker by the marker's radius / 0.8 + 1 px)."""
    ppd = pixels_per_degree_lat(panel, domain)
    boxes = []
    for p, text, size, pos in zip(panel.points, texts, sizes, positions):
        x, y = _xy(panel, ppd, p)
        w, h = _text_size_px(text)
        r = size / 2 / 0.8 + 1
        vertical, horizontal = pos.split()
        if horizontal == "right":
            left = x + r
        elif horizontal == "left":
            left = x - r - w
        else:
            left = x - w / 2
        if vertical == "top":
            bottom = y + r
        elif vertical == "bottom":
            bottom = y - r - h
        else:
            bottom = y - h / 2
        boxes.append((left, bottom, left + w, bottom + h))
    return boxes


def _overlap(a, b) -> float:
    """The area two boxes (left, bottom, right, top) share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def circle_clash(box, centre: tuple[float, float], diameter: float) -> float:
    """How far a circle reaches into a box, in pixels (0 when they do not touch)."""
    nearest_x = min(max(centre[0], box[0]), box[2])
    nearest_y = min(max(centre[1], box[1]), box[3])
    return max(0.0, diameter / 2 + 2 - math.hypot(centre[0] - nearest_x, centre[1] - nearest_y))


def _placement(panel: Panel, domain: tuple, texts: list[str], sizes: list[float]) -> tuple[list[str], float]:
    """The best text positions and their cost: 0 plus a small preference term when every label is
    clear of the other labels and circles and every label and circle is inside the panel."""
    ppd = pixels_per_degree_lat(panel, domain)
    width = (panel.lon_range[1] - panel.lon_range[0]) / panel.scale_ratio * ppd
    height = (panel.lat_range[1] - panel.lat_range[0]) * ppd
    inner = (6.0, 6.0, width - 6.0, height - 6.0)
    centres = [_xy(panel, ppd, p) for p in panel.points]
    circles = [(x - d / 2, y - d / 2, x + d / 2, y + d / 2) for (x, y), d in zip(centres, sizes)]
    circles_out = sum((c[2] - c[0]) * (c[3] - c[1]) - _overlap(c, inner) for c in circles)
    n = len(panel.points)
    k_range = range(len(POSITIONS)) if n <= 4 else range(1)  # more labels: the first position only
    # every label's box at every position, and the costs that depend on one or two labels, once;
    # a combination's cost is then a sum of table lookups
    boxes = [label_boxes(panel, domain, texts, sizes, [POSITIONS[k]] * n) for k in k_range]  # [k][i]
    alone = [
        [
            sum(40 * circle_clash(boxes[k][i], centres[j], sizes[j]) for j in range(n) if j != i)
            + (boxes[k][i][2] - boxes[k][i][0]) * (boxes[k][i][3] - boxes[k][i][1]) - _overlap(boxes[k][i], inner)
            for k in k_range
        ]
        for i in range(n)
    ]
    pair = {
        (i, j): [[_overlap(boxes[k][i], boxes[m][j]) for m in k_range] for k in k_range]
        for i, j in itertools.combinations(range(n), 2)
    }
    best, best_cost = [], math.inf
    for combo in itertools.product(k_range, repeat=n):
        clash = sum(alone[i][k] for i, k in enumerate(combo))
        clash += sum(table[combo[i]][combo[j]] for (i, j), table in pair.items())
        cost = (clash + circles_out) * 100 + sum(combo)
        if cost < best_cost:
            best, best_cost = [POSITIONS[k] for k in combo], cost
    return best, best_cost


def choose_positions(panel: Panel, domain: tuple, texts: list[str], sizes: list[float]) -> list[str]:
    """Text positions that keep every label clear of the other labels and circles and inside
    the panel; among those, the ones earliest in ``POSITIONS``."""
    return _placement(panel, domain, texts, sizes)[0]


def fit_inset(panel: Panel, domain: tuple, texts: list[str], sizes: list[float]) -> Panel:
    """The zoomed panel moved (not rescaled) so its labels fit best: the window slides by up to
    30 % of its half-size when the labels need room on one side."""
    half_w = (panel.lon_range[1] - panel.lon_range[0]) / 2
    half_h = (panel.lat_range[1] - panel.lat_range[0]) / 2
    best, best_cost = panel, _placement(panel, domain, texts, sizes)[1]
    steps = (0.0, -0.1, 0.1, -0.2, 0.2, -0.3, 0.3)
    for fx, fy in itertools.product(steps, steps):
        moved = Panel(
            panel.index,
            (panel.lon_range[0] + fx * half_w, panel.lon_range[1] + fx * half_w),
            (panel.lat_range[0] + fy * half_h, panel.lat_range[1] + fy * half_h),
            panel.points,
            panel.title,
        )
        cost = _placement(moved, domain, texts, sizes)[1] + 2 * (abs(fx) + abs(fy))  # the least move
        if cost < best_cost:
            best, best_cost = moved, cost
    return best


# --- drawing -----------------------------------------------------------------------------------


class _Sketch:
    """The map being drawn, as plain dicts, with the calls of a ``go.Figure``; ``figure()`` makes
    the Plotly figure (``charts.from_dicts``). A ``go.Figure`` checks every ``add_trace``,
    ``add_shape`` and ``update_layout`` call and every list element on its own: with hundreds of
    territories that cost most of the map's time."""

    def __init__(self) -> None:
        self.data: list[dict] = []
        self.layout: dict = {"shapes": [], "annotations": []}

    def add_trace(self, trace: dict) -> None:
        self.data.append(trace)

    def add_shape(self, **shape) -> None:
        self.layout["shapes"].append(shape)

    def add_annotation(self, **annotation) -> None:
        self.layout["annotations"].append(annotation)

    def update_layout(self, values: dict | None = None, **more) -> None:
        """Top-level keys only (new axes, the title...): a key already set is replaced whole."""
        self.layout.update(values or {}, **more)

    def figure(self) -> go.Figure:
        return charts.from_dicts(self.data, self.layout)


def _path(polygons, shift=(0.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
    """The rings of ``polygons`` as one x and one y array, NaN between rings (a gap in the line)."""
    xs, ys = [], []
    for polygon in polygons:
        for ring in polygon:
            xs.extend(lon + shift[0] for lon, _ in ring)
            ys.extend(lat + shift[1] for _, lat in ring)
            xs.append(np.nan)
            ys.append(np.nan)
    # float32 keeps 0.001° exactly enough (about 1 m at these longitudes) in half the bytes
    return np.asarray(xs, dtype="float32"), np.asarray(ys, dtype="float32")


def _area(fig, polygons, fill: str | None, line: str, width: float, axes: dict, shift=(0.0, 0.0)) -> None:
    if not polygons:
        return
    x, y = _path(polygons, shift)
    fig.add_trace(
        dict(
            type="scatter",
            x=x, y=y, mode="lines", fill="toself" if fill else None, fillcolor=fill,
            line=dict(color=line, width=width), hoverinfo="skip", showlegend=False, **axes,
        )
    )


def _intersects(polygon, lon_range, lat_range) -> bool:
    lon_min, lat_min, lon_max, lat_max = geo.polygon_bounds(polygon)
    return lon_min <= lon_range[1] and lon_max >= lon_range[0] and lat_min <= lat_range[1] and lat_max >= lat_range[0]


def _base_map(fig, boundaries: geo.Boundaries, panel: Panel, axes: dict) -> None:
    """Sea (the plot background), neighbours, departments and the country's outline, only the
    parts that reach into the panel."""
    def visible(polygons):
        return [p for p in polygons if _intersects(p, panel.lon_range, panel.lat_range)]

    mainland = [p for d in boundaries.departments if d.is_mainland for p in d.polygons]
    outline = visible(boundaries.outline)
    _area(fig, visible(boundaries.neighbours), NEIGHBOUR, "#FFFFFF", 0.8, axes)
    _area(fig, visible(mainland), LAND, DEPARTMENT_LINE, 0.8, axes)
    _area(fig, outline, None, OUTLINE_LINE, 1.3, axes)


def _islands(fig, boundaries: geo.Boundaries, axes: dict, lang: str) -> None:
    """San Andrés y Providencia, moved into a framed box in the open sea of the country view."""
    polygons = [p for d in boundaries.departments if not d.is_mainland for p in d.polygons]
    if not polygons:
        return
    lon_min, lat_min, lon_max, lat_max = geo.bounds(polygons)
    shift = (ISLANDS_BOX_CENTRE[0] - (lon_min + lon_max) / 2, ISLANDS_BOX_CENTRE[1] - (lat_min + lat_max) / 2)
    _area(fig, polygons, LAND, OUTLINE_LINE, 1.0, axes, shift)
    half_w, half_h = (lon_max - lon_min) / 2 + 0.3, (lat_max - lat_min) / 2 + 0.2
    cx, cy = ISLANDS_BOX_CENTRE
    fig.add_shape(
        type="rect", x0=cx - half_w, x1=cx + half_w, y0=cy - half_h, y1=cy + half_h,
        xref=axes["xaxis"], yref=axes["yaxis"], line=dict(color=OUTLINE_LINE, width=1, dash="dot"),
    )
    fig.add_annotation(
        x=cx - half_w, y=cy - half_h, xref=axes["xaxis"], yref=axes["yaxis"], xanchor="left", yanchor="top",
        yshift=-2, showarrow=False, align="left",
        text=i18n.t("map.islands", lang), font=dict(size=12, color=charts.MUTED),
    )


def _circles(fig, panel: Panel, domain: tuple, colour: str, diameters: dict, axes: dict, lang: str,
             named: set[str] | None = None) -> list:
    """Circles for published counts, rings where the count is not published, and their labels
    (only for the territories in ``named`` when it is given); returns the boxes of the labels and
    circles in panel pixels."""
    points = list(panel.points)
    sizes = [diameters[p.territory_id] for p in points]
    shown = [s if s is not None else RING_PX for s in sizes]
    if named is None:
        texts = [label_text(p, lang) for p in points]
        positions = choose_positions(panel, domain, texts, shown)
    else:
        texts = [label_text(p, lang) if p.territory_id in named else "" for p in points]
        with_text = [i for i, p in enumerate(points) if p.territory_id in named]
        chosen = choose_positions(
            Panel(panel.index, panel.lon_range, panel.lat_range, tuple(points[i] for i in with_text), panel.title),
            domain, [texts[i] for i in with_text], [shown[i] for i in with_text],
        )
        positions = [POSITIONS[0]] * len(points)
        for i, pos in zip(with_text, chosen):
            positions[i] = pos
    hover = []
    for p in points:
        lines = [f"<b>{p.name}</b>", i18n.t("map.count", lang, n=i18n.number(p.count, lang)) if p.count is not None
                 else i18n.t("common.not_published", lang)]
        if p.note:
            lines.append(p.note)
        hover.append("<br>".join(lines))
    published = [i for i, s in enumerate(sizes) if s is not None]
    unpublished = [i for i, s in enumerate(sizes) if s is None]
    if published:
        fig.add_trace(
            dict(
                type="scatter",
                x=[points[i].lon for i in published], y=[points[i].lat for i in published],
                mode="markers+text", name="circles",
                marker=dict(size=[sizes[i] for i in published], sizemode="diameter", color=colour,
                            opacity=CIRCLE_OPACITY, line=dict(color="#FFFFFF", width=1.5)),
                text=[texts[i] for i in published], textposition=[positions[i] for i in published],
                textfont=dict(size=LABEL_FONT_PX, color=charts.INK),
                customdata=[[p.territory_id] for p in (points[i] for i in published)],
                hovertext=[hover[i] for i in published], hovertemplate="%{hovertext}<extra></extra>",
                cliponaxis=False, showlegend=False, **axes,
            )
        )
    if unpublished:
        fig.add_trace(
            dict(
                type="scatter",
                x=[points[i].lon for i in unpublished], y=[points[i].lat for i in unpublished],
                mode="markers+text", name="not published",
                marker=dict(size=RING_PX, color="rgba(0,0,0,0)", line=dict(color=colour, width=2.5), symbol="circle"),
                text=[texts[i] for i in unpublished], textposition=[positions[i] for i in unpublished],
                textfont=dict(size=LABEL_FONT_PX, color=charts.INK),
                customdata=[[p.territory_id] for p in (points[i] for i in unpublished)],
                hovertext=[hover[i] for i in unpublished], hovertemplate="%{hovertext}<extra></extra>",
                cliponaxis=False, showlegend=False, **axes,
            )
        )
    return label_boxes(panel, domain, texts, shown, positions) + _circle_boxes(panel, domain, shown)


def _circle_boxes(panel: Panel, domain: tuple, sizes: list[float]) -> list:
    ppd = pixels_per_degree_lat(panel, domain)
    boxes = []
    for p, size in zip(panel.points, sizes):
        x, y = _xy(panel, ppd, p)
        boxes.append((x - size / 2, y - size / 2, x + size / 2, y + size / 2))
    return boxes


SCALE_BAR_AT = (0.05, 0.07)  # the scale bar's left end, as fractions of the panel's width and height


def _scale_bar_box(width: float, height: float) -> tuple:
    x, y = SCALE_BAR_AT[0] * width, SCALE_BAR_AT[1] * height
    return (x - 6, y - 6, x + 70, y + 24)


def _scale_bar(fig, panel: Panel, axes: dict, km: int, lang: str) -> None:
    lat = panel.lat_range[0] + (panel.lat_range[1] - panel.lat_range[0]) * SCALE_BAR_AT[1]
    lon0 = panel.lon_range[0] + (panel.lon_range[1] - panel.lon_range[0]) * SCALE_BAR_AT[0]
    lon1 = lon0 + km / (geo.KM_PER_DEGREE * math.cos(math.radians(lat)))
    fig.add_trace(
        dict(
            type="scatter",
            x=[lon0, lon1], y=[lat, lat], mode="lines", line=dict(color=FRAME_LINE, width=3),
            hoverinfo="skip", showlegend=False, **axes,
        )
    )
    fig.add_annotation(
        x=(lon0 + lon1) / 2, y=lat, yanchor="bottom", showarrow=False, text=i18n.t("map.scale_bar", lang, km=km),
        font=dict(size=13, color=FRAME_LINE), xref=axes["xaxis"], yref=axes["yaxis"],
    )


def _axes(fig, panel: Panel, domain: tuple) -> dict:
    s = panel.axis_suffix
    common = dict(visible=False, showgrid=False, zeroline=False, constrain="domain")
    fig.update_layout({
        f"xaxis{s}": dict(domain=list(domain[0]), range=list(panel.lon_range), anchor=f"y{s}", **common),
        f"yaxis{s}": dict(domain=list(domain[1]), range=list(panel.lat_range), anchor=f"x{s}",
                          scaleanchor=f"x{s}", scaleratio=panel.scale_ratio, **common),
    })
    return dict(xaxis=f"x{s}", yaxis=f"y{s}")


def _join(names: list[str], lang: str) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {i18n.t('map.and', lang)} {names[-1]}"


def _sea(fig, axes: dict) -> None:
    """The sea: the panel's background, under everything drawn in it."""
    fig.add_shape(
        type="rect", x0=0, x1=1, y0=0, y1=1, xref=f"{axes['xaxis']} domain", yref=f"{axes['yaxis']} domain",
        fillcolor=SEA, line=dict(width=0), layer="below",
    )


def _frame(fig, axes: dict, width: float = 1.0) -> None:
    """A thin frame around a panel (its axes' domain)."""
    fig.add_shape(
        type="rect", x0=0, x1=1, y0=0, y1=1, xref=f"{axes['xaxis']} domain", yref=f"{axes['yaxis']} domain",
        line=dict(color=OUTLINE_LINE, width=width), layer="above",
    )


def _department_labels(fig, boundaries: geo.Boundaries, panel: Panel, domain: tuple, avoid: list, axes: dict) -> None:
    """The names of the departments that fill a good part of a zoomed panel, each where it is
    farthest from the circles, the labels and the panel's edges."""
    ppd = pixels_per_degree_lat(panel, domain)
    width = (panel.lon_range[1] - panel.lon_range[0]) / panel.scale_ratio * ppd
    height = (panel.lat_range[1] - panel.lat_range[0]) * ppd
    n = 24
    cells = [
        (panel.lon_range[0] + (i + 0.5) / n * (panel.lon_range[1] - panel.lon_range[0]),
         panel.lat_range[0] + (j + 0.5) / n * (panel.lat_range[1] - panel.lat_range[0]))
        for i in range(n) for j in range(n)
    ]
    placed = list(avoid) + [_scale_bar_box(width, height)]
    cell_lons, cell_lats = np.array([c[0] for c in cells]), np.array([c[1] for c in cells])
    for d in boundaries.departments:
        if not any(_intersects(p, panel.lon_range, panel.lat_range) for p in d.polygons):
            continue
        inside = [c for c, hit in zip(cells, geo.contains_many(d.polygons, cell_lons, cell_lats)) if hit]
        if len(inside) < 0.12 * len(cells):
            continue
        w, h = len(d.name) * 12 * 0.62, 16

        half_w, half_h = 0.65 * w / ppd * panel.scale_ratio, 0.65 * h / ppd  # the box and a margin

        def room(c):
            x = (c[0] - panel.lon_range[0]) / panel.scale_ratio * ppd
            y = (c[1] - panel.lat_range[0]) * ppd
            box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            edge = min(box[0], box[1], width - box[2], height - box[3])
            gaps = [max(b[0] - box[2], box[0] - b[2], b[1] - box[3], box[1] - b[3]) for b in placed]
            return min([edge, *gaps]), box

        # the whole label on the department's land, not across a border or the coast
        corners = [(sx, sy) for sx in (-1, 1) for sy in (-1, 1)]
        on_land = np.ones(len(inside), dtype=bool)
        for sx, sy in corners:
            on_land &= geo.contains_many(d.polygons, [c[0] + sx * half_w for c in inside],
                                         [c[1] + sy * half_h for c in inside])
        inside = [c for c, ok in zip(inside, on_land) if ok]
        if not inside:
            continue
        best = max(inside, key=lambda c: room(c)[0])
        gap, box = room(best)
        if gap < 4:
            continue
        placed.append(box)
        fig.add_annotation(
            x=best[0], y=best[1], xref=axes["xaxis"], yref=axes["yaxis"], showarrow=False,
            text=f"<i>{d.name}</i>", font=dict(size=12, color=charts.MUTED),
        )


def _size_key(fig, domain: tuple, colour: str, value: int, top: float, lang: str,
              largest_px: float = MAX_DIAMETER_PX) -> None:
    """A circle of a round count on its own small axes, so every panel's circles can be read."""
    fig.update_layout(
        xaxis99=dict(domain=list(domain[0]), range=[0, 1], visible=False, anchor="y99", fixedrange=True),
        yaxis99=dict(domain=list(domain[1]), range=[0, 1], visible=False, anchor="x99", fixedrange=True),
    )
    diameter = largest_px * math.sqrt(value / top)
    fig.add_trace(
        dict(
            type="scatter",
            x=[0.06], y=[0.5], mode="markers+text", name="size key",
            marker=dict(size=[diameter], sizemode="diameter", color=colour, opacity=CIRCLE_OPACITY,
                        line=dict(color="#FFFFFF", width=1.5)),
            text=[i18n.t("map.size_key", lang, n=i18n.number(value, lang))], textposition="middle right",
            textfont=dict(size=15, color=charts.INK), hoverinfo="skip", showlegend=False, cliponaxis=False,
            xaxis="x99", yaxis="y99",
        )
    )


def territory_map(
    df: pd.DataFrame,
    territories: pd.DataFrame,
    boundaries: geo.Boundaries,
    title: str,
    labels: Labels,
    whole: pd.DataFrame | None = None,
) -> go.Figure:
    """A map of Colombia with a circle per territory of ``df`` (rows of
    ``participations_by_territory``), placed by ``territories`` (rows of ``territory_options``).

    Circle area is proportional to participations, on one scale for the whole dataset when
    ``whole`` (the same query without filters) is given, so a filtered map's circles compare with
    the unfiltered ones; colour is the component's when ``df`` holds one component, grey
    otherwise. Territories within ``CLUSTER_KM`` of each other are shown in a zoomed panel to the
    right of the country, which marks each zoomed area with a lettered frame.
    """
    labels = labels.for_charts()  # names from the data are plain text in a figure
    lang = labels.lang
    points, unplaced = _points(df, territories, labels)
    colour, component = colour_of(df) if len(df) else (NEUTRAL, None)
    reference = None if whole is None or whole.empty else whole["participations_count"].max()
    top = scale_top([p.count for p in points], reference)
    dense = len(points) > DENSE_AT
    largest_px = DENSE_MAX_DIAMETER_PX if dense else MAX_DIAMETER_PX
    diameters = dict(zip([p.territory_id for p in points], diameters_px([p.count for p in points], top, largest_px)))
    named = None
    if dense:
        busiest = sorted(points, key=lambda p: -(p.count or 0))[:MAX_NAMED]
        named = {p.territory_id for p in busiest}

    groups = [[p] for p in points] if dense else clusters(points)
    zoomed = [g for g in groups if len(g) > 1]
    if len(zoomed) > MAX_INSETS:
        # many territories (a national programme): zoom into the clusters with most participations;
        # the others stay on the country map
        weight = lambda g: sum(p.count or 0 for p in g)  # noqa: E731
        keep = sorted(range(len(zoomed)), key=lambda i: -weight(zoomed[i]))[:MAX_INSETS]
        zoomed = [g for i, g in enumerate(zoomed) if i in keep]
    kept = {p.territory_id for g in zoomed for p in g}
    alone = tuple(p for g in groups for p in g if p.territory_id not in kept)
    country = _country_panel(boundaries, alone)
    country_domain, inset_domains, key_domain = _domains(len(zoomed))
    insets = []
    for i, (group, domain) in enumerate(zip(zoomed, inset_domains)):
        centred = _inset_panel(i + 2, group, f"{FRAME_LETTERS[i]} · {_join([p.name for p in group], lang)}")
        sizes = [diameters[p.territory_id] if diameters[p.territory_id] is not None else RING_PX for p in group]
        insets.append(fit_inset(centred, domain, [label_text(p, lang) for p in group], sizes))

    fig = _Sketch()
    axes = _axes(fig, country, country_domain)
    _sea(fig, axes)
    _base_map(fig, boundaries, country, axes)
    _islands(fig, boundaries, axes, lang)
    for i, inset in enumerate(insets):
        # where the zoomed panel lies: a lettered frame, its territories as small dots
        fig.add_shape(
            type="rect", x0=inset.lon_range[0], x1=inset.lon_range[1], y0=inset.lat_range[0], y1=inset.lat_range[1],
            xref=axes["xaxis"], yref=axes["yaxis"], line=dict(color=FRAME_LINE, width=2),
        )
        fig.add_trace(
            dict(
                type="scatter",
                x=[p.lon for p in inset.points], y=[p.lat for p in inset.points], mode="markers",
                marker=dict(size=5, color=FRAME_LINE), hoverinfo="skip", showlegend=False, **axes,
            )
        )
        fig.add_annotation(
            x=inset.lon_range[1], y=inset.lat_range[1], xref=axes["xaxis"], yref=axes["yaxis"],
            xanchor="left", yanchor="bottom", showarrow=False, text=f"<b>{FRAME_LETTERS[i]}</b>",
            font=dict(size=17, color=FRAME_LINE),
        )
    _circles(fig, country, country_domain, colour, diameters, axes, lang, named)
    _scale_bar(fig, country, axes, 200, lang)
    _frame(fig, axes)

    for inset, domain in zip(insets, inset_domains):
        inset_axes = _axes(fig, inset, domain)
        _sea(fig, inset_axes)
        _base_map(fig, boundaries, inset, inset_axes)
        boxes = _circles(fig, inset, domain, colour, diameters, inset_axes, lang)
        _department_labels(fig, boundaries, inset, domain, boxes, inset_axes)
        _scale_bar(fig, inset, inset_axes, 10, lang)
        _frame(fig, inset_axes)
        fig.add_annotation(
            x=0, y=1, xref=f"{inset_axes['xaxis']} domain", yref=f"{inset_axes['yaxis']} domain",
            xanchor="left", yanchor="bottom", yshift=4, showarrow=False, text=f"<b>{inset.title}</b>",
            font=dict(size=16, color=charts.INK),
        )

    key = key_value(top)
    if key is not None and any(p.count is not None for p in points):
        _size_key(fig, key_domain, colour, key, top, lang, largest_px)

    subtitle = (
        i18n.t("map.subtitle_one", lang, component=labels.component(component)) if component
        else i18n.t("map.subtitle_several", lang)
    )
    notes = [i18n.t("map.attribution", lang)]
    if dense:
        notes.insert(0, i18n.t("map.names_of_busiest", lang, n=MAX_NAMED, total=i18n.number(len(points), lang)))
    if unplaced:
        notes.insert(0, i18n.t("map.not_placed", lang, names=", ".join(unplaced)))
    fig.add_annotation(
        x=0, y=0, xref="paper", yref="paper", yshift=-12, xanchor="left", yanchor="top", showarrow=False, align="left",
        text="<br>".join(notes), font=dict(size=12, color=charts.MUTED),
    )
    fig.update_layout(
        template=charts.TEMPLATE,
        title=dict(text=title, subtitle=dict(text=subtitle, font=dict(size=15, color=charts.MUTED))),
        separators=",." if lang == "es" else ".,",
        showlegend=False,
        height=FIG_HEIGHT_PX,
        margin=MARGIN,
    )
    return fig.figure()
