"""The map of territories: a pure builder, like those in ``charts.py``.

Colombia is drawn from the bundled boundaries (``geo.py``) as ordinary filled lines on x/y axes,
longitude across and latitude up, each y axis anchored to its x axis so a kilometre is as long
north-south as east-west at the panel's latitude. No Plotly geo subplot and no tile map: those load
their base map from the web, and the dashboard must work with no network.

Each territory is a circle whose AREA is proportional to its participations (one scale in every
panel, with a key; the more territories the dataset has, the smaller the largest circle). A
territory whose participations are not published gets no circle, only a small ring where it is
and "not published" in its label. San Andrés and Providencia, 700 km out in the Caribbean, are
drawn in a box in the open sea of the country view, as maps of Colombia do.

Two variants of one figure (``layout``), with the same data: "wide" puts the zoomed panels in a
column beside the country (a projector, a laptop: a plot from ``WIDE.min_plot_width_px`` wide);
"narrow" stacks the country, the zoomed panels and the size key (a phone: a plot from
``NARROW.min_plot_width_px`` wide). The figure's ``layout.meta`` says which, and the narrowest
figure width it is drawn for. A server cannot know the screen, so a page draws both and shows one
with a CSS media query. Every panel keeps its size at any width from the one its variant is drawn
for (only the wide country view grows, up to the figure's height, and its labels are placed so
they stay apart at its narrowest, its widest and in between).

Places crowd when their circles would touch at the scale of the country: such a group, at most
``CLUSTER_KM`` across, may get a zoomed panel; the ``MAX_INSETS`` groups of most places (then most
participations) do, and the country view marks each with a lettered frame. Labels are then placed
one at a time, busiest territory first, at the first free spot beside the circle or, further out,
with a thin leader line: never over another label, a circle, a frame, the islands' box or a
panel's edge, and no leader line through another circle. A territory whose label finds no room
gets a number beside its circle and a line in the notes under the map. A dense map (more than
``DENSE_AT`` territories) names only the busiest ``MAX_NAMED`` of the country view that find room,
in a smaller font, and says so. ``figure_boxes`` measures a finished figure the way the builder
placed it, so tests check the figure itself.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import html
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field

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
LABEL_BACKGROUND = "rgba(255,255,255,0.78)"  # keeps a label readable over borders and coasts
LEADER_LINE = "#52606D"

RING_PX = 12  # the ring drawn where a count is not published: a place, not a size
CLUSTER_KM = 80  # at most this far apart, places that crowd share a zoomed panel
CROWD_MIN_PX = 20  # at the country's scale, places nearer than this crowd whatever their circles
INSET_HALF_HEIGHT_DEG = 0.2  # a zoomed panel spans at least 44 km north to south,
INSET_CLOSEST_DEG = 0.05  # or down to 11 km when its circles need it to come apart
COUNTRY_PAD_DEG = 0.35
KEY_VALUES = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)
FRAME_LETTERS = "ABCDEFGH"
MAX_INSETS = 2  # zoomed panels (more would not fit beside the country, nor be read on a phone)
# A national programme has hundreds of territories: beyond DENSE_AT the map names the MAX_NAMED
# busiest of the country view that find room (the others on pointing); beyond ZOOM_UP_TO it zooms
# into none and tries fewer spots per label, so it builds in tens of milliseconds with 1,000
DENSE_AT = 25
MAX_NAMED = 12
FULL_SIZE_UP_TO = 6  # a map of more territories draws its circles smaller
ZOOM_UP_TO = 60

# San Andrés y Providencia lie 700 km north-west of the mainland: drawn in a box in the open sea
# at the top left of the country view, moved (not rescaled) as maps of Colombia customarily do
ISLANDS_BOX_CENTRE = (-78.55, 12.05)
ISLANDS_REACH_DEG = 0.5  # a place this near the islands' outline is on the islands

LABEL_PAD_PX = 1  # an annotation's borderpad
GAP_PX = 3  # between a circle and its own label
CLEAR_PX = 2  # between a label and anything else
EDGE_PX = 4  # between a label and its panel's edge
LEADER_PX = (16, 42, 80)  # lengths of the leader lines tried when no spot beside a circle is free
FAR_LEADER_PX = (120, 170)  # and for a number, the last resort of a place that must be read
CENTRE_KEEP = 1.0  # a leader line keeps this far from another circle's centre (× radius): off it
LEADER_ANGLES = (0, 180, 35, 145, -35, -145, 70, 110, -70, -110, 90, -90)
LINE_SPACING = 1.3  # Plotly's, between the lines of a text
FIRST_LINE = 1.18  # the height of a text's first line, in font sizes (measured in Chromium)


@dataclass(frozen=True)
class Design:
    """One variant of the figure: its sizes in pixels, for the narrowest plot it is drawn for."""

    name: str
    plot_width_px: float  # the plot area (the figure less its side margins) the panels are sized for
    min_plot_width_px: float  # the narrowest plot its labels are placed for (the panels shrink to it)
    side_margin_px: int
    label_font_px: int
    dense_label_font_px: int  # on a dense map, where names compete for room
    number_font_px: int
    title_font_px: int
    subtitle_font_px: int
    inset_title_font_px: int
    letter_font_px: int
    small_font_px: int  # department names, scale bars, the islands' note
    note_font_px: int
    key_font_px: int
    max_diameter_px: float  # the circle of the largest count (of the whole dataset when it is given)
    dense_max_diameter_px: float
    long_name_px: float  # a name wider than this is always on two lines in its label
    name_width_px: float  # and one wider than this when it finds no room on one line
    inset_height_px: float  # a zoomed panel's height; its width is the column's


# wide: the country and a column of zoomed panels side by side, 640 px high, from a 740-px figure
# (measured in the dashboard: a 1280-px screen with the sidebar open leaves the chart 788 px)
WIDE = Design(
    "wide", plot_width_px=720, min_plot_width_px=720, side_margin_px=10, label_font_px=17, dense_label_font_px=15,
    number_font_px=15, title_font_px=19, subtitle_font_px=15, inset_title_font_px=16, letter_font_px=17,
    small_font_px=12, note_font_px=12, key_font_px=15, max_diameter_px=80, dense_max_diameter_px=36, long_name_px=190,
    name_width_px=110, inset_height_px=220,
)
# narrow: a phone 360-430 px wide leaves a figure 296-366 px wide (Streamlit's padding and a
# bordered container); everything stacked, full width, sized for 310 px and placed down to 286
NARROW = Design(
    "narrow", plot_width_px=310, min_plot_width_px=286, side_margin_px=5, label_font_px=14, dense_label_font_px=13,
    number_font_px=13, title_font_px=17, subtitle_font_px=13, inset_title_font_px=14, letter_font_px=15,
    small_font_px=12, note_font_px=12, key_font_px=13, max_diameter_px=60, dense_max_diameter_px=30, long_name_px=160,
    name_width_px=90, inset_height_px=196,
)
DESIGNS = {d.name: d for d in (WIDE, NARROW)}
WIDE_PLOT_HEIGHT_PX = 640
WIDE_COUNTRY_X = (0.0, 0.5)  # paper x of the country view beside zoomed panels
WIDE_INSETS_X = (0.54, 1.0)
WIDE_ALONE_X = (0.0, 0.7)  # the country view with no zoomed panel; the key to its right
WIDE_KEY_ALONE_X = (0.72, 1.0)
KEY_HEIGHT_PX = 64


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

    @property
    def size_u(self) -> tuple[float, float]:
        """Width and height in degrees of latitude (pixels are these times the pixels per degree)."""
        return ((self.lon_range[1] - self.lon_range[0]) / self.scale_ratio, self.lat_range[1] - self.lat_range[0])

    def unit(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.lon_range[0]) / self.scale_ratio, lat - self.lat_range[0])


# --- text sizes ------------------------------------------------------------------------------------

# Character widths in hundredths of the font size, measured in Chromium with DejaVu Sans, the
# widest of the usual system fonts (Roboto, San Francisco and Segoe UI are narrower): a label's
# box is then never smaller than its text


def _widths(groups: dict[int, str]) -> dict[str, float]:
    return {ch: w / 100 for w, chars in groups.items() for ch in chars}


_REGULAR = _widths({
    27: "'", 28: "ijl", 29: "IJ", 32: " .,·", 34: ":;/", 35: "f", 36: "-", 39: "t()", 41: "r",
    52: "sz", 55: "c", 56: "L", 58: "kF", 59: "vxy", 60: "P", 61: "aoTY", 62: "e",
    63: "bdghnpquES", 64: "0123456789", 66: "K", 68: "AV", 69: "BRXZ", 70: "C", 73: "U", 75: "HN",
    77: "DG", 78: "&", 79: "OQ", 82: "w", 84: "+", 86: "M", 97: "m", 99: "W",
})
_BOLD = _widths({
    31: "'", 34: "ijl", 35: " ", 37: "IJ/", 38: ".,·", 40: ":;", 42: "-", 44: "f", 46: "()", 48: "t",
    49: "r", 58: "z", 59: "c", 60: "s", 64: "L", 65: "vxy", 67: "ak", 68: "eEFT", 69: "o",
    70: "0123456789", 71: "hnu", 72: "bdgpqSY", 73: "CPZ", 76: "B", 77: "AKRVX", 81: "U", 82: "G",
    83: "D", 84: "HN+", 85: "OQ", 87: "&", 92: "w", 100: "M", 104: "m", 110: "W",
})
_UNKNOWN = (0.75, 0.8)  # regular, bold: a character not in the tables


def _char_width(ch: str, bold: bool) -> float:
    table = _BOLD if bold else _REGULAR
    width = table.get(ch)
    if width is None:
        base = unicodedata.normalize("NFD", ch)[:1]  # an accented letter is as wide as its letter
        width = table.get(base, _UNKNOWN[bold])
    return width


def _runs(text: str) -> list[list[tuple[str, bool]]]:
    """The lines of a Plotly text, each as (plain text, bold) runs; tags other than <b> dropped."""
    lines: list[list[tuple[str, bool]]] = [[]]
    bold = False
    for part in re.split(r"(<[^>]*>)", text):
        tag = part.lower()
        if tag in ("<br>", "<br/>", "<br />"):
            lines.append([])
        elif tag == "<b>":
            bold = True
        elif tag == "</b>":
            bold = False
        elif part and not part.startswith("<"):
            lines[-1].append((html.unescape(part), bold))
    return lines


@functools.lru_cache(maxsize=20_000)
def text_width_px(text: str, font_px: float, bold: bool = False) -> float:
    """The width of one line of plain text."""
    return sum(_char_width(ch, bold) for ch in text) * font_px


def text_size_px(text: str, font_px: float) -> tuple[float, float]:
    """Width and height of a Plotly text (with <b>, <i> and <br>), without any box around it."""
    lines = _runs(text)
    width = max(sum(text_width_px(t, font_px, b) for t, b in line) for line in lines)
    return width, (FIRST_LINE + LINE_SPACING * (len(lines) - 1)) * font_px


def box_size_px(text: str, font_px: float, pad: float = LABEL_PAD_PX, border: float = 0) -> tuple[float, float]:
    """The box Plotly draws around an annotation's text (its borderpad and border, and a pixel's
    rounding each way, as measured in Chromium)."""
    w, h = text_size_px(text, font_px)
    extra = 2 * (pad + border) + 2
    return w * 1.02 + extra, h + extra


def _text_room(width_px: float, pad: float = 0) -> float:
    """The width of text whose box (``box_size_px``) is ``width_px`` wide."""
    return (width_px - 2 * pad - 2) / 1.02 - 1


def wrap(text: str, width_px: float, font_px: float, bold: bool = False) -> list[str]:
    """Plain text broken between words into lines no wider than ``width_px`` (a longer word
    keeps a line of its own)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and text_width_px(html.unescape(trial), font_px, bold) > width_px:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines


# --- data ------------------------------------------------------------------------------------------


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


def colour_of(df: pd.DataFrame, labels: Labels) -> tuple[str, str | None]:
    """The circles' colour and the component it stands for: that component's colour on this
    dataset (``charts.component_colour``: the same as in every other chart) when the rows hold
    exactly one component, a neutral grey (component None) for several together."""
    components = sorted({c for ids in df["component_ids"] for c in ids})
    if len(components) == 1:
        return charts.component_colour(components[0], labels), components[0]
    return NEUTRAL, None


def scale_top(counts: list[float | None], reference: float | None = None) -> float:
    """The count drawn at the largest diameter: the largest of ``reference`` (the largest count of
    the whole dataset, so circles keep one size whatever the filters) and the counts shown."""
    known = [c for c in counts if c is not None]
    candidates = [*known, *([] if reference is None or pd.isna(reference) else [float(reference)])]
    return max(candidates, default=0.0)


def diameters_px(counts: list[float | None], top: float, largest_px: float = WIDE.max_diameter_px) -> list[float | None]:
    """Circle diameters in pixels, so a circle's AREA is proportional to its count; a count of
    ``top`` gets ``largest_px``. None (not published) stays None: no circle, never a zero."""
    return [None if c is None else (largest_px * math.sqrt(c / top) if top > 0 else 0.0) for c in counts]


def largest_diameter_px(design: Design, territories: int) -> float:
    """The diameter of the largest count's circle on a map of ``territories``: the design's
    largest up to ``FULL_SIZE_UP_TO``, then shrinking as 1/√n (so the circles' total area stays
    about the same) down to its ``dense_max_diameter_px``."""
    if territories <= FULL_SIZE_UP_TO:
        return design.max_diameter_px
    return max(design.dense_max_diameter_px, design.max_diameter_px * math.sqrt(FULL_SIZE_UP_TO / territories))


def key_value(top: float) -> int | None:
    """A round count for the size key, at most 40 % of ``top``."""
    fitting = [v for v in KEY_VALUES if v <= top * 0.4]
    return fitting[-1] if fitting else (KEY_VALUES[0] if top >= 1 else None)


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


# --- where things go -------------------------------------------------------------------------------


def _km_matrix(points: list[Point]) -> np.ndarray:
    """Great-circle distances between all the points (haversine, as ``geo.ground_distance_km``)."""
    lat = np.radians([p.lat for p in points])
    lon = np.radians([p.lon for p in points])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def clusters(points: list[Point], diameters: list[float] | None = None, px_per_km: float | None = None,
             within_km: float = CLUSTER_KM) -> list[list[Point]]:
    """Groups of places that crowd, each at most ``within_km`` across (complete linkage, the
    nearest groups joined first). Two places crowd when, at the country's scale (``px_per_km``),
    their circles (``diameters``, px) would come within a few pixels, or they are nearer than
    ``CROWD_MIN_PX``; without diameters, any two places within ``within_km`` crowd. Each group
    keeps the points' order; groups come in the order of their first point."""
    n = len(points)
    if n == 0:
        return []
    km = _km_matrix(points)
    if diameters is None or px_per_km is None:
        link = km <= within_km
    else:
        d = np.asarray(diameters, dtype=float)
        reach = np.maximum(CROWD_MIN_PX, (d[:, None] + d[None, :]) / 2 + 6)
        link = (km * px_per_km < reach) & (km <= within_km)
    spread = np.where(np.eye(n, dtype=bool), 0.0, km)  # complete linkage: the farthest pair of two groups
    alive = np.ones(n, dtype=bool)
    members = [[i] for i in range(n)]
    while True:
        allowed = link & (spread <= within_km) & alive[:, None] & alive[None, :] & ~np.eye(n, dtype=bool)
        if not allowed.any():
            break
        masked = np.where(allowed, spread, np.inf)
        a, b = divmod(int(np.argmin(masked)), n)
        a, b = min(a, b), max(a, b)
        members[a] += members[b]
        members[b] = []
        alive[b] = False
        spread[a, :] = spread[:, a] = np.maximum(spread[a, :], spread[b, :])
        spread[a, a] = 0.0
        link[a, :] = link[:, a] = link[a, :] | link[b, :]
    groups = [sorted(m) for m in members if m]
    return [[points[i] for i in g] for g in sorted(groups, key=lambda g: g[0])]


@dataclass(frozen=True)
class Slot:
    """A rectangle of the plot area in pixels, at the design's width: x from the left, y from the top."""

    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def domain(self, plot_w: float, plot_h: float) -> tuple[tuple[float, float], tuple[float, float]]:
        return ((self.x0 / plot_w, self.x1 / plot_w), (1 - self.bottom / plot_h, 1 - self.top / plot_h))


@dataclass(frozen=True)
class Arrangement:
    plot_height: float
    country: Slot
    insets: tuple[Slot, ...]  # the zoomed panels (each under its title)
    key: Slot


def _arrange(design: Design, country_size_u: tuple[float, float], title_lines: list[int],
             key: bool = True) -> Arrangement:
    """Where the country, the zoomed panels (with titles of ``title_lines`` lines each) and the
    key go (a narrow figure with no ``key`` ends under its last panel)."""
    w = design.plot_width_px
    title_h = [(FIRST_LINE + LINE_SPACING * (n - 1)) * design.inset_title_font_px + 8 for n in title_lines]
    if design.name == "narrow":
        y = w * country_size_u[1] / country_size_u[0]
        country = Slot(0, w, 0, y)
        insets = []
        for h in title_h:
            y += 14
            insets.append(Slot(0, w, y + h, y + h + design.inset_height_px))
            y += h + design.inset_height_px
        key_slot = Slot(0, w, y + 8, y + 8 + KEY_HEIGHT_PX)
        return Arrangement(key_slot.bottom if key else y, country, tuple(insets), key_slot)
    plot_h = WIDE_PLOT_HEIGHT_PX
    if not title_lines:
        country = Slot(WIDE_ALONE_X[0] * w, WIDE_ALONE_X[1] * w, 0, plot_h)
        key = Slot(WIDE_KEY_ALONE_X[0] * w, WIDE_KEY_ALONE_X[1] * w, plot_h - KEY_HEIGHT_PX, plot_h)
        return Arrangement(plot_h, country, (), key)
    country = Slot(WIDE_COUNTRY_X[0] * w, WIDE_COUNTRY_X[1] * w, 0, plot_h)
    x0, x1 = WIDE_INSETS_X[0] * w, WIDE_INSETS_X[1] * w
    insets = []
    y = 0.0
    for h in title_h:
        insets.append(Slot(x0, x1, y + h, y + h + design.inset_height_px))
        y += h + design.inset_height_px + 18
    key = Slot(x0, x1, plot_h - KEY_HEIGHT_PX, plot_h)
    return Arrangement(plot_h, country, tuple(insets), key)


def _scales(panel: Panel, slot: Slot, narrowest: float = 1.0) -> tuple[float, ...]:
    """Pixels per degree of latitude of a panel in its slot, from the narrowest plot its labels
    are placed for (``narrowest``: that plot's width over the design's) up to the widest that lets
    the panel grow (the axes keep their aspect, so the tighter direction sets the scale): the
    two ends, and the middle of a wide range."""
    w_u, h_u = panel.size_u
    low, high = min(slot.height / h_u, slot.width * narrowest / w_u), slot.height / h_u
    if high <= low * 1.005:
        return (low,)
    if high <= low * 1.15:  # a short range: its two ends (the tests also check widths in between)
        return (low, high)
    return (low, (low + high) / 2, high)


def _country_panel(boundaries: geo.Boundaries, points: tuple[Point, ...]) -> Panel:
    lon_min, lat_min, lon_max, lat_max = _prepared(boundaries)["mainland bounds"]
    return Panel(
        1,
        (lon_min - COUNTRY_PAD_DEG, lon_max + COUNTRY_PAD_DEG),
        (lat_min - COUNTRY_PAD_DEG, lat_max + COUNTRY_PAD_DEG),
        points,
    )


def _with_room(panel: Panel, diameters: dict, on_islands, scale_of) -> Panel:
    """The country view, widened on a side where a circle would cross its edge (a busy Leticia,
    at the southern tip); ``scale_of(panel)`` gives its pixels per degree at its narrowest."""
    for _ in range(3):
        s = scale_of(panel)
        w, h = panel.size_u[0] * s, panel.size_u[1] * s
        need = [0.0, 0.0, 0.0, 0.0]  # west, south, east, north, in pixels
        for p in panel.points:
            if on_islands(p):
                continue  # their box moves instead
            r = (diameters[p.territory_id] or RING_PX) / 2 + EDGE_PX
            x, y = (v * s for v in panel.unit(p.lon, p.lat))
            need = [max(need[0], r - x), max(need[1], r - y), max(need[2], r - (w - x)), max(need[3], r - (h - y))]
        if max(need) <= 0.5:
            return panel
        k = panel.scale_ratio
        panel = Panel(panel.index,
                      (panel.lon_range[0] - max(need[0], 0) / s * k, panel.lon_range[1] + max(need[2], 0) / s * k),
                      (panel.lat_range[0] - max(need[1], 0) / s, panel.lat_range[1] + max(need[3], 0) / s),
                      panel.points, panel.title)
    return panel


def _inset_panel(index: int, group: list[Point], title: str, slot: Slot, diameters: dict) -> Panel:
    """A zoomed panel of the slot's aspect around ``group``: its places in the middle half (so
    their labels have room around them), no closer than ``INSET_HALF_HEIGHT_DEG`` unless its
    circles would still touch (then down to ``INSET_CLOSEST_DEG``)."""
    lats, lons = [p.lat for p in group], [p.lon for p in group]
    lat_c, lon_c = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    k = math.cos(math.radians(lat_c))
    aspect = slot.width / slot.height
    # the scale that puts the places' extent in the middle half of the panel, their circles inside it
    reach_px = max((diameters[p.territory_id] or RING_PX) for p in group) + 2 * EDGE_PX
    ppd_h = min(0.5 * slot.height, slot.height - reach_px) / max(max(lats) - min(lats), 1e-6)
    ppd_w = min(0.5 * slot.width, slot.width - reach_px) / max((max(lons) - min(lons)) * k, 1e-6)
    # the zoom that sets every two circles apart (places at one spot cannot be)
    apart = 0.0
    for a, b in itertools.combinations(group, 2):
        dist = math.hypot((a.lon - b.lon) * k, a.lat - b.lat)
        if dist > 1e-4:
            need = ((diameters[a.territory_id] or RING_PX) + (diameters[b.territory_id] or RING_PX)) / 2 + 6
            apart = max(apart, need / dist)
    closest = min(max(slot.height / (2 * INSET_HALF_HEIGHT_DEG), apart), slot.height / (2 * INSET_CLOSEST_DEG))
    ppd = min(ppd_h, ppd_w, closest)
    half_h = slot.height / ppd / 2
    half_w = half_h * aspect / k
    return Panel(index, (lon_c - half_w, lon_c + half_w), (lat_c - half_h, lat_c + half_h), tuple(group), title)


# --- placing labels --------------------------------------------------------------------------------


class Scene:
    """What a panel holds, to place its labels: boxes, circles and leader lines, in pixels from
    the panel's lower-left corner, at each of the panel's ``scales`` (pixels per degree of
    latitude). A box is two corners, each a point of the panel (in degrees of latitude, so its
    pixels scale) plus an offset in pixels (which does not): a label beside a circle keeps its
    offset however far apart the circles are drawn. A leader line is a point of the panel and
    its two ends' offsets."""

    def __init__(self, size_u: tuple[float, float], scales: tuple[float, ...]):
        self.size_u = size_u
        self.scales = np.asarray(scales, dtype=float)
        self._boxes: list[tuple] = []  # a0x, a0y, a1x, a1y, d0x, d0y, d1x, d1y
        self._circles: list[tuple] = []  # ux, uy, radius px
        self._lines: list[tuple] = []  # ux, uy, x0, y0, x1, y1 (px from the point)
        self._arrays = None

    def add_box(self, a0, a1, d) -> None:
        self._boxes.append((*a0, *a1, *d))
        self._arrays = None

    def add_circle(self, u, radius: float) -> int:
        self._circles.append((*u, radius))
        self._arrays = None
        return len(self._circles) - 1

    def add_line(self, u, line) -> None:
        self._lines.append((*u, *line))
        self._arrays = None

    def remove(self, u, spot: "Spot") -> None:
        """Take a label placed at ``u`` out again (its box and its leader line)."""
        self._boxes.remove((*u, *u, *spot.offsets))
        if spot.line is not None:
            self._lines.remove((*u, *spot.line))
        self._arrays = None

    def arrays(self):
        if self._arrays is None:
            self._arrays = (np.asarray(self._boxes, dtype=float).reshape(-1, 8),
                            np.asarray(self._circles, dtype=float).reshape(-1, 3),
                            np.asarray(self._lines, dtype=float).reshape(-1, 6))
        return self._arrays

    def _near(self, anchors, offsets, lines, own):
        """The boxes, circles and lines that candidates around ``anchors`` can touch (a national
        map has a thousand circles, a label meets a few): those within reach at some scale."""
        boxes, circles, placed_lines = self.arrays()
        reach = float(np.abs(offsets).max()) + 2 * CLEAR_PX
        if lines is not None and len(lines):
            reach = max(reach, float(np.abs(lines).max()) + 2 * CLEAR_PX)
        lo, hi = anchors.min(axis=0), anchors.max(axis=0)
        near_box = np.zeros(len(boxes), dtype=bool)
        near_circle = np.zeros(len(circles), dtype=bool)
        near_line = np.zeros(len(placed_lines), dtype=bool)
        for s in self.scales:
            x0, y0, x1, y1 = lo[0] * s - reach, lo[1] * s - reach, hi[0] * s + reach, hi[1] * s + reach
            near_box |= ((boxes[:, 0] * s + boxes[:, 4] < x1) & (boxes[:, 2] * s + boxes[:, 6] > x0)
                         & (boxes[:, 1] * s + boxes[:, 5] < y1) & (boxes[:, 3] * s + boxes[:, 7] > y0))
            r = circles[:, 2]
            near_circle |= ((circles[:, 0] * s - r < x1) & (circles[:, 0] * s + r > x0)
                            & (circles[:, 1] * s - r < y1) & (circles[:, 1] * s + r > y0))
            if len(placed_lines):
                lx = placed_lines[:, 0] * s
                ly = placed_lines[:, 1] * s
                near_line |= ((lx + np.minimum(placed_lines[:, 2], placed_lines[:, 4]) < x1)
                              & (lx + np.maximum(placed_lines[:, 2], placed_lines[:, 4]) > x0)
                              & (ly + np.minimum(placed_lines[:, 3], placed_lines[:, 5]) < y1)
                              & (ly + np.maximum(placed_lines[:, 3], placed_lines[:, 5]) > y0))
        if own is not None:
            wanted = np.zeros(len(circles), dtype=bool)
            wanted[np.atleast_1d(np.asarray(own, dtype=int))] = True
            own = np.flatnonzero(wanted[near_circle])
        return boxes[near_box], circles[near_circle], placed_lines[near_line], own

    def boxes_px(self, s: float) -> np.ndarray:
        b = self.arrays()[0]
        return np.stack([b[:, 0] * s + b[:, 4], b[:, 1] * s + b[:, 5], b[:, 2] * s + b[:, 6], b[:, 3] * s + b[:, 7]], 1)

    def clearance(self, anchors: np.ndarray, offsets: np.ndarray, lines: np.ndarray | None = None,
                  own=None) -> tuple[np.ndarray, np.ndarray]:
        """For candidate boxes (``anchors`` in degrees plus ``offsets`` in pixels), at the worst
        scale: the least gap to anything placed (boxes, circles) and to the panel's edges
        (negative when overlapping or outside; -1 when a leader line runs through it); and the
        least gap to a circle other than ``own`` (the index of the label's own circle, or
        several). ``lines`` (candidates × 4: the ends' offsets from the anchor) are the
        candidates' own leader lines, which must not cross a box or another line, nor pass near
        another circle's centre."""
        boxes, circles, placed_lines = self.arrays()
        if len(boxes) + len(circles) > 96:
            boxes, circles, placed_lines, own = self._near(anchors, offsets, lines, own)
        s = self.scales[:, None]  # scales × candidates (× things placed)
        c = [anchors[None, :, 0] * s + offsets[None, :, 0], anchors[None, :, 1] * s + offsets[None, :, 1],
             anchors[None, :, 0] * s + offsets[None, :, 2], anchors[None, :, 1] * s + offsets[None, :, 3]]
        gap = np.minimum(np.minimum(c[0], c[1]), np.minimum(self.size_u[0] * s - c[2], self.size_u[1] * s - c[3]))
        gap = gap - EDGE_PX + CLEAR_PX
        near = np.full(len(offsets), np.inf)
        s3 = self.scales[:, None, None]
        c3 = [v[:, :, None] for v in c]
        if len(boxes):
            b = [boxes[None, None, :, i] * s3 + boxes[None, None, :, i + 4] for i in range(4)]
            apart = np.maximum(np.maximum(b[0] - c3[2], c3[0] - b[2]), np.maximum(b[1] - c3[3], c3[1] - b[3]))
            gap = np.minimum(gap, apart.min(axis=2))
        others = np.ones(len(circles), dtype=bool)
        if own is not None and len(circles):
            others[np.atleast_1d(np.asarray(own, dtype=int))] = False
        if len(circles):
            cx, cy, r = circles[None, None, :, 0] * s3, circles[None, None, :, 1] * s3, circles[None, None, :, 2]
            nx = np.minimum(np.maximum(cx, c3[0]), c3[2])
            ny = np.minimum(np.maximum(cy, c3[1]), c3[3])
            edge = np.hypot(cx - nx, cy - ny) - r
            gap = np.minimum(gap, edge.min(axis=2))
            if others.any():
                near = edge[:, :, others].min(axis=(0, 2))
        if len(placed_lines):
            # a leader line already drawn through a candidate box
            l = placed_lines
            p0 = (l[None, None, :, 0] * s3 + l[None, None, :, 2], l[None, None, :, 1] * s3 + l[None, None, :, 3])
            p1 = (l[None, None, :, 0] * s3 + l[None, None, :, 4], l[None, None, :, 1] * s3 + l[None, None, :, 5])
            hit = _segment_hits_box(p0, p1, [v - CLEAR_PX if i < 2 else v + CLEAR_PX for i, v in enumerate(c3)])
            gap = np.where(hit.any(axis=2), np.minimum(gap, -1.0), gap)
        gap = gap.min(axis=0)
        if lines is not None and len(lines) and (len(boxes) or others.any() or len(placed_lines)):
            free = np.flatnonzero(gap >= CLEAR_PX)  # only the boxes that are free
            if len(free):
                a, ln = anchors[free], lines[free]
                ax, ay = a[None, :, 0] * s, a[None, :, 1] * s  # scales × free candidates
                q0 = ((ax + ln[None, :, 0])[..., None], (ay + ln[None, :, 1])[..., None])
                q1 = ((ax + ln[None, :, 2])[..., None], (ay + ln[None, :, 3])[..., None])
                bad = np.zeros(len(free), dtype=bool)
                if len(boxes):
                    b = [boxes[None, None, :, i] * s3 + boxes[None, None, :, i + 4] for i in range(4)]
                    inflated = [b[0] - CLEAR_PX, b[1] - CLEAR_PX, b[2] + CLEAR_PX, b[3] + CLEAR_PX]
                    bad |= _segment_hits_box(q0, q1, inflated).any(axis=(0, 2))
                if others.any():
                    # not near another circle's centre; but a place inside a larger circle may
                    # lead out of it, if not across that centre
                    o = circles[others]
                    ox, oy = o[None, None, :, 0] * s3, o[None, None, :, 1] * s3
                    own_dist = np.hypot(a[None, :, 0, None] * s3 - ox, a[None, :, 1, None] * s3 - oy)
                    keep = np.minimum(o[:, 2] * CENTRE_KEEP, own_dist * 0.5)
                    bad |= (_segment_distance(q0, q1, ox, oy) < keep).any(axis=(0, 2))
                if len(placed_lines):
                    bad |= _segments_cross(q0, q1, p0, p1).any(axis=(0, 2))
                gap[free[bad]] = -1.0
        return gap, near


def _segment_hits_box(p0, p1, box) -> np.ndarray:
    """Whether segments (p0 to p1) pass through boxes (left, bottom, right, top), broadcast."""
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    t_lo, t_hi = np.zeros(np.broadcast(dx, box[0]).shape), np.ones(np.broadcast(dx, box[0]).shape)
    for d, start, lo, hi in ((dx, p0[0], box[0], box[2]), (dy, p0[1], box[1], box[3])):
        flat = np.abs(d) < 1e-9
        with np.errstate(divide="ignore", invalid="ignore"):
            t1, t2 = (lo - start) / d, (hi - start) / d
        inside = (start >= lo) & (start <= hi)
        a = np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(t1, t2))
        b = np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(t1, t2))
        t_lo, t_hi = np.maximum(t_lo, a), np.minimum(t_hi, b)
    return t_lo <= t_hi


def _segment_distance(p0, p1, x, y) -> np.ndarray:
    """The distance from points (x, y) to segments (p0 to p1), broadcast."""
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    length2 = np.maximum(dx * dx + dy * dy, 1e-12)
    t = np.clip(((x - p0[0]) * dx + (y - p0[1]) * dy) / length2, 0, 1)
    return np.hypot(p0[0] + t * dx - x, p0[1] + t * dy - y)


def _segments_cross(a0, a1, b0, b1) -> np.ndarray:
    """Whether segments a (a0 to a1) and b (b0 to b1) cross, broadcast."""
    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return (side(a0, a1, b0) * side(a0, a1, b1) < 0) & (side(b0, b1, a0) * side(b0, b1, a1) < 0)


@dataclass(frozen=True)
class Spot:
    """Where a label goes: its box's offset from its anchor (pixels, y up) and, for a label
    further out, the leader line's length (0: beside the circle)."""

    offsets: tuple[float, float, float, float]
    leader_px: float = 0.0
    line: tuple[float, float, float, float] | None = None  # the leader line's ends, from the anchor

    @property
    def centre(self) -> tuple[float, float]:
        d = self.offsets
        return ((d[0] + d[2]) / 2, (d[1] + d[3]) / 2)


_ANGLES = np.radians(LEADER_ANGLES)
_COS, _SIN = np.cos(_ANGLES), np.sin(_ANGLES)


def _spots_beside(radius: float, w: float, h: float) -> np.ndarray:
    """Candidate boxes of size w × h beside a circle of ``radius``, best first (right, left,
    above, below, then the four diagonals), as offsets (left, bottom, right, top) from its centre."""
    g = GAP_PX
    q = radius * math.sqrt(0.5) + g
    return np.array([
        (radius + g, -h / 2, radius + g + w, h / 2),
        (-radius - g - w, -h / 2, -radius - g, h / 2),
        (-w / 2, radius + g, w / 2, radius + g + h),
        (-w / 2, -radius - g - h, w / 2, -radius - g),
        (q, q, q + w, q + h),
        (-q - w, q, -q, q + h),
        (q, -q - h, q + w, -q),
        (-q - w, -q - h, -q, -q),
    ])


def _spots_out(radius: float, w: float, h: float, lengths=LEADER_PX) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate boxes further out, in twelve directions at each of ``lengths``, each with a
    leader line from the circle to the box's edge: offsets (n × 4), leader lengths, and each
    line's ends (n × 4) as offsets from the circle's centre."""
    leader_px = lengths
    with np.errstate(divide="ignore"):
        edge = np.minimum(np.where(np.abs(_COS) > 1e-9, w / 2 / np.abs(_COS), np.inf),
                          np.where(np.abs(_SIN) > 1e-9, h / 2 / np.abs(_SIN), np.inf))
    lengths = np.repeat(np.asarray(leader_px, dtype=float), len(_ANGLES))
    c, s = np.tile(_COS, len(leader_px)), np.tile(_SIN, len(leader_px))
    reach = radius + lengths + np.tile(edge, len(leader_px))
    cx, cy = reach * c, reach * s
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)
    lines = np.stack([radius * c, radius * s, (radius + lengths) * c, (radius + lengths) * s], 1)
    return boxes, lengths, lines


def place_label(scene: Scene, u: tuple[float, float], radius: float, size, own, leaders: bool = True,
                far: bool = False) -> Spot | None:
    """The best free spot for a label of ``size`` beside the circle at ``u`` (or None), added to
    the scene (``place_labels`` for one size)."""
    placed = place_labels(scene, u, radius, [size], own, leaders, far)
    return None if placed is None else placed[1]


def place_labels(scene: Scene, u: tuple[float, float], radius: float, sizes: list, own, leaders: bool = True,
                 far: bool = False, leader_px: tuple = LEADER_PX) -> tuple[int, Spot] | None:
    """The best free spot for one of several versions of a label (``sizes``, best first) around
    the circle at ``u``, added to the scene, and which version it fits: the first free spot
    beside the circle for the first version that has one; else the best with a leader line (the
    shortest, the most level, away from other circles: a label touching two circles could be
    read as the other's). Each version's spots are tested together, in one pass."""
    radius = float(radius)
    anchor = np.asarray(u, dtype=float)
    beside = [_spots_beside(radius, float(w), float(h)) for w, h in sizes]
    n = len(beside[0])
    stacked = np.concatenate(beside)
    gap, near = scene.clearance(np.tile(anchor, (len(stacked), 1)), stacked, None, own)
    score = np.tile(np.arange(n, dtype=float), len(sizes)) + np.clip(12 - near, 0, 12) * 0.6
    for k in range(len(sizes)):
        part = slice(k * n, (k + 1) * n)
        ok = gap[part] >= CLEAR_PX
        if ok.any():
            best = int(np.argmin(np.where(ok, score[part], np.inf)))
            spot = Spot(tuple(float(v) for v in beside[k][best]))
            scene.add_box(u, u, spot.offsets)
            return k, spot
    if not leaders:
        return None
    for lengths_tried in ((leader_px, FAR_LEADER_PX) if far else (leader_px,)):
        out = [_spots_out(radius, float(w), float(h), lengths_tried) for w, h in sizes]
        n = len(out[0][0])
        boxes = np.concatenate([o[0] for o in out])
        lines = np.concatenate([o[2] for o in out])
        gap, near = scene.clearance(np.tile(anchor, (len(boxes), 1)), boxes, lines, own)
        score = np.tile(np.arange(n, dtype=float), len(sizes)) + np.clip(12 - near, 0, 12) * 0.6
        for k in range(len(sizes)):
            part = slice(k * n, (k + 1) * n)
            ok = gap[part] >= CLEAR_PX
            if ok.any():
                best = int(np.argmin(np.where(ok, score[part], np.inf)))
                box, length, line = out[k][0][best], out[k][1][best], out[k][2][best]
                spot = Spot(tuple(float(v) for v in box), float(length), tuple(float(v) for v in line))
                scene.add_box(u, u, spot.offsets)
                scene.add_line(u, spot.line)
                return k, spot
    return None


def place_box(scene: Scene, anchors: list, offsets: list, min_gap: float = CLEAR_PX) -> int | None:
    """The first of several candidate boxes (anchor, offsets) that is free; added to the scene."""
    a = np.asarray(anchors, dtype=float)
    d = np.asarray(offsets, dtype=float)
    gap, _ = scene.clearance(a, d)
    free = np.flatnonzero(gap >= min_gap)
    if not len(free):
        return None
    i = int(free[0])
    scene.add_box(a[i], a[i], d[i])
    return i


# --- drawing -----------------------------------------------------------------------------------------


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


_PREPARED: dict[int, tuple] = {}


def _prepared(boundaries: geo.Boundaries) -> dict[str, list]:
    """Each polygon of the boundaries as (bounds, x, y) arrays, made once: the bundled boundaries
    never change, and every map draws the same polygons."""
    known = _PREPARED.get(id(boundaries))
    if known is None or known[0] is not boundaries:
        groups = {
            "neighbours": list(boundaries.neighbours),
            "mainland": [p for d in boundaries.departments if d.is_mainland for p in d.polygons],
            "outline": list(boundaries.outline),
        }
        prepared = {name: [(geo.polygon_bounds(p), *_path([p])) for p in polygons] for name, polygons in groups.items()}
        prepared["mainland bounds"] = boundaries.mainland_bounds()
        known = (boundaries, prepared)
        _PREPARED[id(boundaries)] = known
    return known[1]


def _intersects(bounds, lon_range, lat_range) -> bool:
    lon_min, lat_min, lon_max, lat_max = bounds
    return lon_min <= lon_range[1] and lon_max >= lon_range[0] and lat_min <= lat_range[1] and lat_max >= lat_range[0]


def _area(fig, parts: list, fill: str | None, line: str, width: float, axes: dict) -> None:
    if not parts:
        return
    fig.add_trace(
        dict(
            type="scatter",
            x=np.concatenate([x for x, _ in parts]), y=np.concatenate([y for _, y in parts]),
            mode="lines", fill="toself" if fill else None, fillcolor=fill,
            line=dict(color=line, width=width), hoverinfo="skip", showlegend=False, **axes,
        )
    )


def _base_map(fig, boundaries: geo.Boundaries, panel: Panel, axes: dict) -> None:
    """Neighbours, departments and the country's outline, only the parts that reach into the panel."""
    prepared = _prepared(boundaries)

    def visible(name):
        return [(x, y) for bounds, x, y in prepared[name] if _intersects(bounds, panel.lon_range, panel.lat_range)]

    _area(fig, visible("neighbours"), NEIGHBOUR, "#FFFFFF", 0.8, axes)
    _area(fig, visible("mainland"), LAND, DEPARTMENT_LINE, 0.8, axes)
    _area(fig, visible("outline"), None, OUTLINE_LINE, 1.3, axes)


def _axes(fig, panel: Panel, domain: tuple) -> dict:
    """A panel's axes. A panel smaller than its domain (a plot wider than its variant is drawn
    for) keeps to the domain's top and left: the wide country view stays level with the first
    zoomed panel, the zoomed panels beside the country, the key under them."""
    s = panel.axis_suffix
    common = dict(visible=False, showgrid=False, zeroline=False, constrain="domain", fixedrange=True)
    fig.update_layout({
        f"xaxis{s}": dict(domain=list(domain[0]), range=list(panel.lon_range), anchor=f"y{s}",
                          constraintoward="left", **common),
        f"yaxis{s}": dict(domain=list(domain[1]), range=list(panel.lat_range), anchor=f"x{s}",
                          scaleanchor=f"x{s}", scaleratio=panel.scale_ratio, constraintoward="top", **common),
    })
    return dict(xaxis=f"x{s}", yaxis=f"y{s}")


def _in_domain(axes: dict) -> dict:
    return dict(xref=f"{axes['xaxis']} domain", yref=f"{axes['yaxis']} domain")


def _sea(fig, axes: dict) -> None:
    """The sea: the panel's background, under everything drawn in it."""
    fig.add_shape(type="rect", x0=0, x1=1, y0=0, y1=1, **_in_domain(axes), fillcolor=SEA, line=dict(width=0),
                  layer="below")


def _frame(fig, axes: dict, index: int) -> None:
    """A thin frame around a panel (its axes' domain)."""
    fig.add_shape(type="rect", x0=0, x1=1, y0=0, y1=1, **_in_domain(axes), line=dict(color=OUTLINE_LINE, width=1),
                  layer="above", name=f"panel {index}")


def _join(names: list[str], lang: str) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {i18n.t('map.and', lang)} {names[-1]}"


def split_name(name: str, font_px: float) -> list[str]:
    """A name on two lines of widths as even as its words allow (one line for one word)."""
    words = name.split()
    if len(words) < 2:
        return [name]
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    return list(min(splits, key=lambda two: max(text_width_px(html.unescape(t), font_px, True) for t in two)))


def label_text(point: Point, lang: str, name_width_px: float | None = None, font_px: float = WIDE.label_font_px,
               one_line: bool = False) -> str:
    """The territory's name over its count, or over "not published" in italics (never 0); a name
    wider than ``name_width_px`` on two even lines; or name and count on ``one_line``."""
    lines = [point.name]
    if name_width_px is not None and text_width_px(html.unescape(point.name), font_px, True) > name_width_px:
        lines = split_name(point.name, font_px)
    name = "<br>".join(f"<b>{line}</b>" for line in lines)
    value = f"<i>{i18n.t('common.not_published', lang)}</i>" if point.count is None else i18n.number(point.count, lang)
    return f"{name} {value}" if one_line else f"{name}<br>{value}"


def _hover(point: Point, lang: str) -> str:
    lines = [f"<b>{point.name}</b>", i18n.t("map.count", lang, n=i18n.number(point.count, lang))
             if point.count is not None else i18n.t("common.not_published", lang)]
    if point.note:
        lines.append(point.note)
    return "<br>".join(lines)


def _label_annotation(fig, axes: dict, x: float, y: float, text: str, font_px: float, spot: Spot, radius: float,
                      name: str, border: bool = False, colour: str = charts.INK) -> None:
    # lines flush with the side that faces the circle, so a label reads as its circle's
    side = spot.offsets[2] - spot.offsets[0]
    align = "left" if spot.offsets[0] > -side * 0.1 else "right" if spot.offsets[2] < side * 0.1 else "center"
    common = dict(x=x, y=y, xref=axes["xaxis"], yref=axes["yaxis"], text=text, name=name, align=align,
                  font=dict(size=font_px, color=colour), bgcolor=LABEL_BACKGROUND, borderpad=LABEL_PAD_PX)
    if border:
        common.update(bgcolor="#FFFFFF", bordercolor=FRAME_LINE, borderwidth=1)
    if spot.leader_px:
        cx, cy = spot.centre
        fig.add_annotation(**common, showarrow=True, ax=cx, ay=-cy, axref="pixel", ayref="pixel", xanchor="center",
                           yanchor="middle", arrowhead=0, arrowwidth=1, arrowcolor=LEADER_LINE, standoff=radius)
    else:
        fig.add_annotation(**common, showarrow=False, xanchor="left", yanchor="bottom",
                           xshift=spot.offsets[0], yshift=spot.offsets[1])


@dataclass
class _Drawn:
    """A panel's places with their circles, and how each was named."""

    panel: Panel
    scene: Scene
    places: list  # (point, x, y, diameter or None, circle index in the scene)
    labelled: dict = field(default_factory=dict)  # territory_id -> (Spot, text)
    numbered: dict = field(default_factory=dict)  # territory_id -> (number, Spot)
    leader_px: tuple = LEADER_PX  # a national map's labels keep near their circles, in one version
    versions: int = 3  # (fewer spots to test among a thousand circles)


def _circles_of(panel: Panel, scene: Scene, diameters: dict, shift_of) -> list:
    places = []
    for p in panel.points:
        dx, dy = shift_of(p)
        x, y = p.lon + dx, p.lat + dy
        d = diameters[p.territory_id]
        index = scene.add_circle(panel.unit(x, y), (d if d is not None else RING_PX) / 2)
        places.append((p, x, y, d, index))
    return places


def _priority(points) -> list:
    """Busiest first (a count not published last), then the query's order."""
    return sorted(points, key=lambda p: (p.count is None, -(p.count or 0)))


def _name_places(drawn: _Drawn, design: Design, lang: str, budget: int | None) -> None:
    """Labels for the busiest places that find room (at most ``budget``)."""
    by_id = {p.territory_id: (p, x, y, d, i) for p, x, y, d, i in drawn.places}
    candidates = _priority([q for q, *_ in drawn.places])
    if budget is not None:
        candidates = candidates[:2 * budget]  # the busiest only: a national map has hundreds
    for p in candidates:
        if budget is not None and len(drawn.labelled) >= budget:
            return
        _try_label(drawn, by_id[p.territory_id], design, lang)


def _label_texts(p: Point, design: Design, lang: str) -> list[str]:
    """A place's label, best first: the name over its count (a long name on two lines), then
    name and count on one line."""
    texts = [label_text(p, lang, design.long_name_px, design.label_font_px)]
    for text in (label_text(p, lang, design.name_width_px, design.label_font_px),
                 label_text(p, lang, None, design.label_font_px, one_line=True)):
        if text not in texts:
            texts.append(text)
    return texts


def _try_label(drawn: _Drawn, place: tuple, design: Design, lang: str) -> bool:
    p, x, y, d, index = place
    texts = _label_texts(p, design, lang)[:drawn.versions]
    placed = place_labels(drawn.scene, drawn.panel.unit(x, y), (d if d is not None else RING_PX) / 2,
                          [box_size_px(text, design.label_font_px) for text in texts], index, leader_px=drawn.leader_px)
    if placed is None:
        return False
    drawn.labelled[p.territory_id] = (placed[1], texts[placed[0]])
    return True


def _try_number(drawn: _Drawn, place: tuple, design: Design, n: int) -> bool:
    p, x, y, d, index = place
    size = box_size_px(f"<b>{n}</b>", design.number_font_px, border=1)
    spot = place_label(drawn.scene, drawn.panel.unit(x, y), (d if d is not None else RING_PX) / 2, size, index, far=True)
    if spot is not None:
        drawn.numbered[p.territory_id] = (n, spot)
        return True
    return False


def _number_places(drawn: _Drawn, design: Design, lang: str, first: int) -> int:
    """A number beside each place left without a label; returns the next number. A number that
    finds no room takes the place of a nearby label, which moves (or, if that place is less busy,
    becomes a number too)."""
    n = first
    by_id = {p.territory_id: (p, x, y, d, i) for p, x, y, d, i in drawn.places}
    order = {p.territory_id: i for i, p in enumerate(_priority([q for q, *_ in drawn.places]))}
    for p in _priority([q for q, *_ in drawn.places]):
        if p.territory_id in drawn.labelled:
            continue
        place = by_id[p.territory_id]
        if _try_number(drawn, place, design, n):
            n += 1
            continue
        u = drawn.panel.unit(place[1], place[2])
        nearest = sorted(drawn.labelled, key=lambda t: math.dist(u, drawn.panel.unit(*by_id[t][1:3])))
        for other in nearest[:6]:
            spot, text = drawn.labelled.pop(other)
            ou = drawn.panel.unit(*by_id[other][1:3])
            drawn.scene.remove(ou, spot)
            if _try_number(drawn, place, design, n):
                if _try_label(drawn, by_id[other], design, lang):
                    n += 1
                    break
                if order[other] > order[p.territory_id] and _try_number(drawn, by_id[other], design, n + 1):
                    n += 2
                    break
                drawn.scene.remove(u, drawn.numbered.pop(p.territory_id)[1])
            drawn.scene.add_box(ou, ou, spot.offsets)
            if spot.line is not None:
                drawn.scene.add_line(ou, spot.line)
            drawn.labelled[other] = (spot, text)
    return n


def _draw_places(fig, drawn: _Drawn, axes: dict, colour: str, design: Design, lang: str) -> None:
    """The circles (largest first, so a smaller one stays on top), the rings, the labels, the numbers."""
    published = sorted([pl for pl in drawn.places if pl[3] is not None], key=lambda pl: -pl[3])
    unpublished = [pl for pl in drawn.places if pl[3] is None]
    if published:
        # arrays, not lists: Plotly copies a figure's data deeply, and a national map has a thousand points
        fig.add_trace(
            dict(
                type="scatter", x=np.array([pl[1] for pl in published]), y=np.array([pl[2] for pl in published]),
                mode="markers", name="circles",
                marker=dict(size=np.array([pl[3] for pl in published]), sizemode="diameter", color=colour,
                            opacity=CIRCLE_OPACITY, line=dict(color="#FFFFFF", width=1.5)),
                customdata=np.array([pl[0].territory_id for pl in published], dtype=object)[:, None],
                hovertext=[_hover(pl[0], lang) for pl in published], hovertemplate="%{hovertext}<extra></extra>",
                cliponaxis=False, showlegend=False, **axes,
            )
        )
    if unpublished:
        fig.add_trace(
            dict(
                type="scatter", x=np.array([pl[1] for pl in unpublished]), y=np.array([pl[2] for pl in unpublished]),
                mode="markers", name="not published",
                marker=dict(size=RING_PX, color="rgba(0,0,0,0)", line=dict(color=colour, width=2.5), symbol="circle"),
                customdata=np.array([pl[0].territory_id for pl in unpublished], dtype=object)[:, None],
                hovertext=[_hover(pl[0], lang) for pl in unpublished], hovertemplate="%{hovertext}<extra></extra>",
                cliponaxis=False, showlegend=False, **axes,
            )
        )
    for p, x, y, d, _ in drawn.places:
        radius = (d if d is not None else RING_PX) / 2
        if p.territory_id in drawn.labelled:
            spot, text = drawn.labelled[p.territory_id]
            _label_annotation(fig, axes, x, y, text, design.label_font_px, spot, radius, f"label {p.territory_id}")
        elif p.territory_id in drawn.numbered:
            n, spot = drawn.numbered[p.territory_id]
            _label_annotation(fig, axes, x, y, f"<b>{n}</b>", design.number_font_px, spot, radius,
                              f"number {p.territory_id}", border=True)


SCALE_BAR_AT = (0.05, 0.07)  # the scale bar's left end, as fractions of the panel's width and height


def _scale_bar(fig, panel: Panel, scene: Scene, axes: dict, km: int, design: Design, lang: str) -> None:
    """A bar of ``km`` with its length written above it, in the first corner where no circle is."""
    length_u = km / geo.KM_PER_DEGREE
    text = i18n.t("map.scale_bar", lang, km=km)
    tw, th = box_size_px(text, design.small_font_px, pad=0)
    w_u, h_u = panel.size_u
    corners = []
    for fx, fy in ((SCALE_BAR_AT[0], SCALE_BAR_AT[1]), (1 - SCALE_BAR_AT[0], SCALE_BAR_AT[1]),
                   (SCALE_BAR_AT[0], 1 - SCALE_BAR_AT[1]), (1 - SCALE_BAR_AT[0], 1 - SCALE_BAR_AT[1])):
        x0 = fx * w_u - (length_u if fx > 0.5 else 0)
        corners.append((x0, fy * h_u))
    # the box of the bar and its text: from its left end, as long as the bar, at least as the text
    gaps = []
    for x0, y0 in corners:
        a0, a1 = np.array([[x0, y0]]), np.array([[x0 + length_u, y0]])
        gap, _ = _box_gap(scene, a0, a1, (-4, -4, 4, th + 4))
        gaps.append(gap)
    best = next((i for i, g in enumerate(gaps) if g >= CLEAR_PX), int(np.argmax(gaps)))
    x0, y0 = corners[best]
    scene.add_box((x0, y0), (x0 + length_u, y0), (-4, -4, 4, th + 4))
    if tw > length_u * min(scene.scales):  # a text longer than the bar: its box too
        mid = x0 + length_u / 2
        scene.add_box((mid, y0), (mid, y0), (-tw / 2 - 2, 0, tw / 2 + 2, th + 4))
    if fig is None:  # only trying where labels would go
        return
    lon0 = panel.lon_range[0] + x0 * panel.scale_ratio
    lat = panel.lat_range[0] + y0
    lon1 = lon0 + km / (geo.KM_PER_DEGREE * math.cos(math.radians(sum(panel.lat_range) / 2)))
    fig.add_trace(
        dict(
            type="scatter", x=[lon0, lon1], y=[lat, lat], mode="lines", line=dict(color=FRAME_LINE, width=3),
            name="scale bar", hoverinfo="skip", showlegend=False, **axes,
        )
    )
    fig.add_annotation(
        x=(lon0 + lon1) / 2, y=lat, xref=axes["xaxis"], yref=axes["yaxis"], xanchor="center", yanchor="bottom",
        yshift=2, showarrow=False, text=text, name="scale bar", borderpad=0,
        font=dict(size=design.small_font_px, color=FRAME_LINE),
    )


def _box_gap(scene: Scene, a0: np.ndarray, a1: np.ndarray, d) -> tuple[float, float]:
    """``Scene.clearance`` for one box whose corners are two points plus offsets."""
    boxes, circles, _ = scene.arrays()
    worst = math.inf
    for s in scene.scales:
        c = np.array([a0[0, 0] * s + d[0], a0[0, 1] * s + d[1], a1[0, 0] * s + d[2], a1[0, 1] * s + d[3]])
        gap = min(c[0], c[1], scene.size_u[0] * s - c[2], scene.size_u[1] * s - c[3])
        if len(boxes):
            b = scene.boxes_px(s)
            gap = min(gap, float(np.maximum.reduce([b[:, 0] - c[2], c[0] - b[:, 2], b[:, 1] - c[3], c[1] - b[:, 3]]).min()))
        if len(circles):
            cx, cy = circles[:, 0] * s, circles[:, 1] * s
            nx, ny = np.clip(cx, c[0], c[2]), np.clip(cy, c[1], c[3])
            gap = min(gap, float((np.hypot(cx - nx, cy - ny) - circles[:, 2]).min()))
        worst = min(worst, gap)
    return worst, 0.0


def _round_km(span_km: float) -> int:
    """A round length near a fifth of a panel's width."""
    for km in (5, 10, 20, 25, 50, 100, 200, 250, 500):
        if km >= span_km / 5:
            return km
    return 500


def _islands(fig, boundaries: geo.Boundaries, panel: Panel, scene: Scene, axes: dict,
             centre: tuple[float, float]) -> None:
    """San Andrés y Providencia, moved into a framed box in the open sea of the country view."""
    box = _islands_box(boundaries, centre)
    if box is None:
        return
    polygons, shift, (x0, y0, x1, y1) = box
    _area(fig, [_path(polygons, shift)], LAND, OUTLINE_LINE, 1.0, axes)
    fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, xref=axes["xaxis"], yref=axes["yaxis"],
                  line=dict(color=OUTLINE_LINE, width=1, dash="dot"), name="islands box")
    scene.add_box(panel.unit(x0, y0), panel.unit(x1, y1), (0, 0, 0, 0))


def _islands_note(fig, boundaries: geo.Boundaries, panel: Panel, scene: Scene, axes: dict, design: Design,
                  lang: str, centre: tuple[float, float], island_circles: list[int]) -> bool:
    """The note saying the islands' box holds San Andrés y Providencia, moved, where it finds room
    once the places are named (it is the first to give way); False when it finds none: the notes
    under the map say it then."""
    box = _islands_box(boundaries, centre)
    if box is None:
        return True
    _, _, (x0, y0, x1, y1) = box
    lo, hi = panel.unit(x0, y0), panel.unit(x1, y1)
    text = i18n.t("map.islands", lang)
    w, h = box_size_px(text, design.small_font_px, pad=0)
    # under the box (from its left side, or from the panel's edge), to its right, or above it
    anchors = [lo, (0.0, lo[1]), (hi[0], hi[1]), (lo[0], hi[1]), (hi[0], lo[1])]
    offsets = [(0, -3 - h, w, -3), (EDGE_PX, -3 - h, EDGE_PX + w, -3), (4, -h, 4 + w, 0), (0, 3, w, 3 + h),
               (4, 0, 4 + w, h)]
    choice = place_box(scene, anchors, offsets)
    if choice is not None:
        (ax, ay), d = anchors[choice], offsets[choice]
        fig.add_annotation(
            x=panel.lon_range[0] + ax * panel.scale_ratio, y=panel.lat_range[0] + ay, xref=axes["xaxis"],
            yref=axes["yaxis"], xanchor="left", yanchor="bottom", xshift=d[0], yshift=d[1], showarrow=False,
            align="left", text=text, name="islands note", borderpad=0,
            font=dict(size=design.small_font_px, color=charts.MUTED),
        )
        return True
    # the islands' circles cover those spots: the note further out, with a line to the box
    s = float(min(scene.scales))
    mid = ((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2)
    radius = math.hypot(hi[0] - lo[0], hi[1] - lo[1]) / 2 * s
    size = box_size_px(text, design.small_font_px)
    spot = place_label(scene, mid, radius, size, island_circles)
    if spot is None:
        return False
    _label_annotation(fig, axes, panel.lon_range[0] + mid[0] * panel.scale_ratio, panel.lat_range[0] + mid[1], text,
                      design.small_font_px, spot, radius, "islands note", colour=charts.MUTED)
    return True


def _islands_polygons(boundaries: geo.Boundaries) -> list:
    return [p for d in boundaries.departments if not d.is_mainland for p in d.polygons]


def _islands_box(boundaries: geo.Boundaries, centre: tuple[float, float] = ISLANDS_BOX_CENTRE):
    """The islands' polygons, the shift that moves them into their box around ``centre``, and
    the box (lon0, lat0, lon1, lat1); None without islands."""
    polygons = _islands_polygons(boundaries)
    if not polygons:
        return None
    lon_min, lat_min, lon_max, lat_max = geo.bounds(polygons)
    shift = (centre[0] - (lon_min + lon_max) / 2, centre[1] - (lat_min + lat_max) / 2)
    half_w, half_h = (lon_max - lon_min) / 2 + 0.3, (lat_max - lat_min) / 2 + 0.2
    cx, cy = centre
    return polygons, shift, (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def _on_islands(boundaries: geo.Boundaries):
    """Whether a place is on San Andrés or Providencia (within ``ISLANDS_REACH_DEG``)."""
    polygons = _islands_polygons(boundaries)
    if not polygons:
        return lambda p: False
    lon_min, lat_min, lon_max, lat_max = geo.bounds(polygons)
    r = ISLANDS_REACH_DEG
    return lambda p: lon_min - r <= p.lon <= lon_max + r and lat_min - r <= p.lat <= lat_max + r


def _islands_centre(boundaries: geo.Boundaries, country: Panel, scale: float, radius_px: float) -> tuple[float, float]:
    """Where the islands' box goes: ``ISLANDS_BOX_CENTRE``, moved into the sea just enough for
    the islands' circles (``radius_px``, at ``scale``) to stay inside the country view."""
    polygons = _islands_polygons(boundaries)
    if not polygons:
        return ISLANDS_BOX_CENTRE
    lon_min, lat_min, lon_max, lat_max = geo.bounds(polygons)
    room = (radius_px + EDGE_PX + 2) / scale
    x = max(ISLANDS_BOX_CENTRE[0], country.lon_range[0] + ((lon_max - lon_min) / 2 + room * country.scale_ratio))
    y = min(ISLANDS_BOX_CENTRE[1], country.lat_range[1] - ((lat_max - lat_min) / 2 + room))
    return x, y


_RINGS: dict[int, tuple] = {}


def _ring_edges(ring) -> tuple[np.ndarray, ...]:
    """A ring's edges as arrays (x1, y1, x2, y2), made once per ring of the bundled boundaries."""
    known = _RINGS.get(id(ring))
    if known is None or known[0] is not ring:
        xy = np.asarray(ring, dtype=float)
        known = (ring, (xy[:, 0], xy[:, 1], np.roll(xy[:, 0], -1), np.roll(xy[:, 1], -1)))
        _RINGS[id(ring)] = known
    return known[1]


def _contains(polygons, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """``geo.contains_many`` (the same even-odd rule) with each ring's edges made once."""
    lat_lo, lat_hi, lon_lo = float(lats.min()), float(lats.max()), float(lons.min())

    def in_ring(ring):
        x1, y1, x2, y2 = _ring_edges(ring)
        # only edges a ray eastward from one of the points can cross: in their band of latitude,
        # not wholly west of them
        keep = ~(((y1 > lat_hi) & (y2 > lat_hi)) | ((y1 <= lat_lo) & (y2 <= lat_lo)) | ((x1 < lon_lo) & (x2 < lon_lo)))
        x1, y1, x2, y2 = x1[keep], y1[keep], x2[keep], y2[keep]
        lat, lon = lats[:, None], lons[:, None]
        crosses = (y1 > lat) != (y2 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
        return (np.count_nonzero(crosses & (lon < at), axis=1) % 2) == 1

    inside = np.zeros(len(lons), dtype=bool)
    if not len(lons):
        return inside
    for polygon in polygons:
        hit = in_ring(polygon[0])
        for hole in polygon[1:]:
            hit &= ~in_ring(hole)
        inside |= hit
    return inside


def _department_labels(fig, boundaries: geo.Boundaries, panel: Panel, scene: Scene, axes: dict,
                       design: Design) -> None:
    """The names of the departments that fill a good part of a zoomed panel, each where it is
    farthest from the circles, the labels and the panel's edges, wholly on its department's land."""
    s = float(scene.scales[0])
    n = 12
    w_u, h_u = panel.size_u
    gx, gy = np.meshgrid((np.arange(n) + 0.5) / n, (np.arange(n) + 0.5) / n)
    cells_u = np.column_stack([gx.ravel() * w_u, gy.ravel() * h_u])
    cell_lon = panel.lon_range[0] + cells_u[:, 0] * panel.scale_ratio
    cell_lat = panel.lat_range[0] + cells_u[:, 1]
    area = (panel.lon_range[1] - panel.lon_range[0]) * (panel.lat_range[1] - panel.lat_range[0])
    for d in boundaries.departments:
        if not d.is_mainland:
            continue
        # a department whose bounds cover less than an eighth of the panel cannot fill enough of it
        shared = 0.0
        polygons = []
        for polygon in d.polygons:
            lon0, lat0, lon1, lat1 = geo.polygon_bounds(polygon)
            w = min(lon1, panel.lon_range[1]) - max(lon0, panel.lon_range[0])
            h = min(lat1, panel.lat_range[1]) - max(lat0, panel.lat_range[0])
            if w > 0 and h > 0:
                shared += w * h
                polygons.append(polygon)
        if shared < 0.12 * area:
            continue
        inside = _contains(polygons, cell_lon, cell_lat)
        if inside.sum() < 0.12 * len(inside):
            continue
        text = f"<i>{d.name}</i>"
        w, h = box_size_px(text, design.small_font_px, pad=0)
        anchors = cells_u[inside]
        offsets = np.tile([-w / 2, -h / 2, w / 2, h / 2], (len(anchors), 1))
        gap, _ = scene.clearance(anchors, offsets)
        # the roomiest cells first; the first whose name lies wholly on the department's land
        order = [i for i in np.argsort(-gap)[:8] if gap[i] >= 6]
        if not order:
            continue
        half_lon, half_lat = (w / 2 + 2) / s * panel.scale_ratio, (h / 2 + 2) / s
        lons, lats = cell_lon[inside][order], cell_lat[inside][order]
        corners = list(itertools.product((-1, 1), (-1, 1)))  # the four corners of each name, in one test
        hits = _contains(polygons, np.concatenate([lons + sx * half_lon for sx, _ in corners]),
                         np.concatenate([lats + sy * half_lat for _, sy in corners]))
        on_land = hits.reshape(len(corners), len(order)).all(axis=0)
        if not on_land.any():
            continue
        k = int(np.argmax(on_land))
        best = order[k]
        scene.add_box(anchors[best], anchors[best], offsets[best])
        fig.add_annotation(
            x=float(lons[k]), y=float(lats[k]), xref=axes["xaxis"], yref=axes["yaxis"],
            xanchor="center", yanchor="middle", showarrow=False, text=text, name="department", borderpad=0,
            font=dict(size=design.small_font_px, color=charts.MUTED),
        )


def _size_key(fig, slot: Slot, arrangement: Arrangement, design: Design, colour: str, value: int, top: float,
              largest_px: float, lang: str) -> None:
    """A circle of a round count on its own small axes, so every panel's circles can be read."""
    domain = slot.domain(design.plot_width_px, arrangement.plot_height)
    fig.update_layout(
        xaxis99=dict(domain=list(domain[0]), range=[0, 1], visible=False, anchor="y99", fixedrange=True),
        yaxis99=dict(domain=list(domain[1]), range=[0, 1], visible=False, anchor="x99", fixedrange=True),
    )
    diameter = largest_px * math.sqrt(value / top)
    x = (max(diameter, 10) / 2 + 2) / slot.width
    fig.add_trace(
        dict(
            type="scatter", x=[x], y=[0.5], mode="markers", name="size key",
            marker=dict(size=[diameter], sizemode="diameter", color=colour, opacity=CIRCLE_OPACITY,
                        line=dict(color="#FFFFFF", width=1.5)),
            hoverinfo="skip", showlegend=False, cliponaxis=False, xaxis="x99", yaxis="y99",
        )
    )
    fig.add_annotation(
        x=x, y=0.5, xref="x99", yref="y99", xanchor="left", yanchor="middle", xshift=max(diameter, 10) / 2 + 8,
        showarrow=False, align="left", text=i18n.t("map.size_key_one" if value == 1 else "map.size_key", lang, n=i18n.number(value, lang)), name="size key",
        borderpad=0, font=dict(size=design.key_font_px, color=charts.INK),
    )


def _inset_title(names: list[str], letter: str, design: Design, width: float, lang: str) -> list[str]:
    """A zoomed panel's title, on at most two lines: its places, or the busiest and how many more."""
    lines = wrap(f"{letter} · {_join(names, lang)}", _text_room(width), design.inset_title_font_px, bold=True)
    if len(lines) > 2:
        lines = wrap(f"{letter} · " + i18n.t("map.inset_nearby", lang, name=names[0], n=len(names) - 1),
                     _text_room(width), design.inset_title_font_px, bold=True)
    return lines


def _frames(fig, insets: list[Panel], country: Panel, scene: Scene, axes: dict, design: Design) -> None:
    """Where each zoomed panel lies on the country: a lettered frame, its places as small dots."""
    for i, inset in enumerate(insets):
        fig.add_shape(
            type="rect", x0=inset.lon_range[0], x1=inset.lon_range[1], y0=inset.lat_range[0], y1=inset.lat_range[1],
            xref=axes["xaxis"], yref=axes["yaxis"], line=dict(color=FRAME_LINE, width=2), name=f"frame {FRAME_LETTERS[i]}",
        )
        lo = country.unit(inset.lon_range[0], inset.lat_range[0])
        hi = country.unit(inset.lon_range[1], inset.lat_range[1])
        scene.add_box(lo, hi, (-1, -1, 1, 1))
        published = [p for p in inset.points if p.count is not None]
        unpublished = [p for p in inset.points if p.count is None]
        for group, marker in ((published, dict(size=5, color=FRAME_LINE)),
                              (unpublished, dict(size=5, color="rgba(0,0,0,0)", line=dict(color=FRAME_LINE, width=1)))):
            if group:
                fig.add_trace(dict(type="scatter", x=[p.lon for p in group], y=[p.lat for p in group], mode="markers",
                                   name="locators", marker=marker, hoverinfo="skip", showlegend=False, **axes))
    for i, inset in enumerate(insets):
        lo = country.unit(inset.lon_range[0], inset.lat_range[0])
        hi = country.unit(inset.lon_range[1], inset.lat_range[1])
        text = f"<b>{FRAME_LETTERS[i]}</b>"
        w, h = box_size_px(text, design.letter_font_px, pad=0)
        corners = [(hi[0], hi[1]), (lo[0], hi[1]), (hi[0], lo[1]), (lo[0], lo[1]), (hi[0], (lo[1] + hi[1]) / 2),
                   (lo[0], (lo[1] + hi[1]) / 2)]
        g = 1 + CLEAR_PX  # off the frame's line (which the scene holds a pixel wide)
        offsets = [(g, 0, g + w, h), (-g - w, 0, -g, h), (g, -h, g + w, 0), (-g - w, -h, -g, 0),
                   (g, -h / 2, g + w, h / 2), (-g - w, -h / 2, -g, h / 2)]
        choice = place_box(scene, corners, offsets)
        if choice is not None:
            (ax, ay), d = corners[choice], offsets[choice]
            fig.add_annotation(
                x=country.lon_range[0] + ax * country.scale_ratio, y=country.lat_range[0] + ay, xref=axes["xaxis"],
                yref=axes["yaxis"], xanchor="left", yanchor="bottom", xshift=d[0], yshift=d[1], showarrow=False,
                text=text, name=f"letter {FRAME_LETTERS[i]}", borderpad=0,
                font=dict(size=design.letter_font_px, color=FRAME_LINE),
            )
            continue
        # circles all round the frame: the letter further out, with a line to the frame
        mid = ((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2)
        radius = math.hypot(hi[0] - lo[0], hi[1] - lo[1]) / 2 * float(min(scene.scales))
        size = box_size_px(text, design.letter_font_px)
        spot = place_label(scene, mid, radius, size, None)
        if spot is None:
            spot = Spot((radius + 3, -size[1] / 2, radius + 3 + size[0], size[1] / 2))
            scene.add_box(mid, mid, spot.offsets)
        _label_annotation(fig, axes, country.lon_range[0] + mid[0] * country.scale_ratio,
                          country.lat_range[0] + mid[1], text, design.letter_font_px, spot, radius,
                          f"letter {FRAME_LETTERS[i]}", colour=FRAME_LINE)


def _inset_scene(fig, inset: Panel, slot: Slot, diameters: dict, design: Design, lang: str, axes: dict) -> _Drawn:
    """A zoomed panel's circles and scale bar, before its labels (``fig`` None: only trying)."""
    scene = Scene(inset.size_u, _scales(inset, slot, design.min_plot_width_px / design.plot_width_px))
    drawn = _Drawn(inset, scene, _circles_of(inset, scene, diameters, lambda p: (0.0, 0.0)))
    span_km = (inset.lon_range[1] - inset.lon_range[0]) * geo.KM_PER_DEGREE / inset.scale_ratio
    _scale_bar(fig, inset, scene, axes, _round_km(span_km), design, lang)
    return drawn


def _fit_inset(panel: Panel, slot: Slot, diameters: dict, design: Design, lang: str) -> Panel:
    """The zoomed panel moved (not rescaled) so its labels fit best: the window slides by 30 % of
    its half-size to one side when the labels need room there; the first window where every
    place has a label wins (else the one with fewest places unnamed, then fewest leader lines)."""
    half_w = (panel.lon_range[1] - panel.lon_range[0]) / 2
    half_h = (panel.lat_range[1] - panel.lat_range[0]) / 2
    best, best_score = panel, math.inf
    steps = ((0, 0), (-0.3, 0), (0.3, 0), (0, -0.3), (0, 0.3))
    for fx, fy in steps:
        moved = Panel(panel.index, (panel.lon_range[0] + fx * half_w, panel.lon_range[1] + fx * half_w),
                      (panel.lat_range[0] + fy * half_h, panel.lat_range[1] + fy * half_h), panel.points, panel.title)
        drawn = _inset_scene(None, moved, slot, diameters, design, lang, {})
        _name_places(drawn, design, lang, None)
        missing = len(panel.points) - len(drawn.labelled)
        leaders = sum(1 for spot, _ in drawn.labelled.values() if spot.leader_px)
        score = missing * 100 + leaders * 10 + abs(fx) + abs(fy)
        if score < best_score:
            best, best_score = moved, score
        if missing == 0:
            break
    return best


def territory_map(
    df: pd.DataFrame,
    territories: pd.DataFrame,
    boundaries: geo.Boundaries,
    title: str,
    labels: Labels,
    whole: pd.DataFrame | None = None,
    *,
    layout: str = "wide",
) -> go.Figure:
    """A map of Colombia with a circle per territory of ``df`` (rows of
    ``participations_by_territory``), placed by ``territories`` (rows of ``territory_options``).

    Circle area is proportional to participations, on one scale for the whole dataset when
    ``whole`` (the same query without filters) is given, so a filtered map's circles compare with
    the unfiltered ones; colour is the component's when ``df`` holds one component, grey
    otherwise. Places that crowd get zoomed panels, marked on the country by lettered frames.
    ``layout`` is "wide" (zoomed panels beside the country) or "narrow" (everything stacked, for
    a phone); both hold the same places and figures.
    """
    if layout not in DESIGNS:
        raise ValueError(f"layout must be one of {sorted(DESIGNS)}, not {layout!r}")
    design = DESIGNS[layout]
    labels = labels.for_charts()  # names from the data are plain text in a figure
    lang = labels.lang
    points, unplaced = _points(df, territories, labels)
    country_full = _country_panel(boundaries, ())
    on_islands = _on_islands(boundaries)
    # a place outside the country view (and not on the islands) has coordinates that are not Colombia's
    inside = [p for p in points if on_islands(p) or (
        country_full.lon_range[0] < p.lon < country_full.lon_range[1]
        and country_full.lat_range[0] < p.lat < country_full.lat_range[1])]
    kept = {p.territory_id for p in inside}
    unplaced += [p.name for p in points if p.territory_id not in kept]
    points = inside
    colour, component = colour_of(df, labels) if len(df) else (NEUTRAL, None)
    reference = None if whole is None or whole.empty else whole["participations_count"].max()
    top = scale_top([p.count for p in points], reference)
    dense = len(points) > DENSE_AT
    if dense:
        shrink = design.dense_label_font_px / design.label_font_px
        design = dataclasses.replace(design, label_font_px=design.dense_label_font_px,
                                     long_name_px=design.long_name_px * shrink, name_width_px=design.name_width_px * shrink)
    # the more territories the dataset has, the smaller its largest circle (so a map of many does
    # not bury the country under circles): counted in the whole dataset when given, so a filtered
    # map keeps the unfiltered map's scale
    n_scale = max(len(points), 0 if whole is None else whole["territory_id"].nunique())
    largest_px = largest_diameter_px(design, n_scale)
    counts = [p.count for p in points]
    diameters = dict(zip([p.territory_id for p in points], diameters_px(counts, top, largest_px)))

    # which places crowd, judged on the wide country view, so both variants zoom into the same places
    zoomed: list[list[Point]] = []
    mainland = [p for p in points if not on_islands(p)]
    if len(points) <= ZOOM_UP_TO and len(mainland) > 1:
        wide_largest = largest_diameter_px(WIDE, n_scale)
        wide_d = [d if d is not None else RING_PX for d in diameters_px([p.count for p in mainland], top, wide_largest)]
        wide_slot = _arrange(WIDE, country_full.size_u, [1]).country
        px_per_km = _scales(country_full, wide_slot)[0] / geo.KM_PER_DEGREE
        groups = [g for g in clusters(mainland, wide_d, px_per_km) if len(g) > 1]
        # the groups of most places first (most names are then read), then of most participations
        weight = {id(g): (len(g), sum(p.count or 0 for p in g)) for g in groups}
        zoomed = sorted(groups, key=lambda g: weight[id(g)], reverse=True)[:MAX_INSETS]
        zoomed = sorted(zoomed, key=lambda g: -max(p.lat for p in g))  # north first, as the panels are stacked
        zoomed = [_priority(g) for g in zoomed]
    in_insets = {p.territory_id for g in zoomed for p in g}

    # the title, the subtitle, the zoomed panels' titles and the notes, wrapped to the narrowest plot
    width = design.min_plot_width_px
    title_lines = wrap(title, width, design.title_font_px)
    if component:
        subtitle = i18n.t("map.subtitle_one" if layout == "wide" else "map.subtitle_one_short", lang,
                          component=labels.component(component))
    else:
        subtitle = i18n.t("map.subtitle_several" if layout == "wide" else "map.subtitle_several_short", lang)
    subtitle_lines = wrap(subtitle, width, design.subtitle_font_px)
    inset_width = width * (WIDE_INSETS_X[1] - WIDE_INSETS_X[0]) if layout == "wide" else width
    inset_titles = [_inset_title([p.name for p in g], FRAME_LETTERS[i], design, inset_width, lang)
                    for i, g in enumerate(zoomed)]
    title_counts = [len(t) for t in inset_titles]
    country = _with_room(
        Panel(1, country_full.lon_range, country_full.lat_range, tuple(p for p in points if p.territory_id not in in_insets)),
        diameters, on_islands, lambda panel: min(_scales(panel, _arrange(design, panel.size_u, title_counts).country,
                                                         design.min_plot_width_px / design.plot_width_px)),
    )
    key = key_value(top) if any(p.count is not None for p in points) else None
    arrangement = _arrange(design, country.size_u, title_counts, key is not None)

    fig = _Sketch()
    plot_w, plot_h = design.plot_width_px, arrangement.plot_height
    insets = [
        _fit_inset(_inset_panel(i + 2, g, " ".join(inset_titles[i]), slot, diameters), slot, diameters, design, lang)
        for i, (g, slot) in enumerate(zip(zoomed, arrangement.insets))
    ]

    # the country view: circles first (every label avoids them), the islands, the frames, labels
    axes = _axes(fig, country, arrangement.country.domain(plot_w, plot_h))
    _sea(fig, axes)
    _base_map(fig, boundaries, country, axes)
    scales = _scales(country, arrangement.country, design.min_plot_width_px / design.plot_width_px)
    scene = Scene(country.size_u, scales)
    island_radius = max([(diameters[p.territory_id] or RING_PX) / 2 for p in points if on_islands(p)], default=0)
    islands_centre = _islands_centre(boundaries, country, min(scales), island_radius)
    islands_box = _islands_box(boundaries, islands_centre)
    island_shift = islands_box[1] if islands_box else (0.0, 0.0)
    drawn = [_Drawn(country, scene, _circles_of(country, scene, diameters,
                                                lambda p: island_shift if on_islands(p) else (0.0, 0.0)),
                    **({} if len(points) <= ZOOM_UP_TO else dict(leader_px=LEADER_PX[:1], versions=1)))]
    _scale_bar(fig, country, scene, axes, 200, design, lang)
    _islands(fig, boundaries, country, scene, axes, islands_centre)
    _frames(fig, insets, country, scene, axes, design)
    _name_places(drawn[0], design, lang, MAX_NAMED if dense else None)
    panel_axes = [axes]
    for inset, slot in zip(insets, arrangement.insets):
        inset_axes = _axes(fig, inset, slot.domain(plot_w, plot_h))
        _sea(fig, inset_axes)
        _base_map(fig, boundaries, inset, inset_axes)
        d = _inset_scene(fig, inset, slot, diameters, design, lang, inset_axes)
        _name_places(d, design, lang, None)
        drawn.append(d)
        panel_axes.append(inset_axes)
    number = 1
    for d in (drawn[1:] if dense else drawn):  # a dense map numbers only the zoomed panels' places
        number = _number_places(d, design, lang, number)
    islands_noted = _islands_note(fig, boundaries, country, scene, axes, design, lang, islands_centre,
                                  [i for p, *_, i in drawn[0].places if on_islands(p)])
    for d, ax in zip(drawn, panel_axes):
        _draw_places(fig, d, ax, colour, design, lang)
    for d, ax, slot, lines in zip(drawn[1:], panel_axes[1:], arrangement.insets, inset_titles):
        _department_labels(fig, boundaries, d.panel, d.scene, ax, design)
        _frame(fig, ax, d.panel.index)
        fig.add_annotation(
            x=0, y=1, **_in_domain(ax), xanchor="left", yanchor="bottom", yshift=4, showarrow=False, align="left",
            text="<br>".join(f"<b>{line}</b>" for line in lines), name=f"inset title {d.panel.index}", borderpad=0,
            font=dict(size=design.inset_title_font_px, color=charts.INK),
        )
    _frame(fig, axes, 1)

    if key is not None:
        _size_key(fig, arrangement.key, arrangement, design, colour, key, top, largest_px, lang)

    # notes under the map: places numbered, names left out, places not on the map, the sources
    notes = []
    numbered = sorted((n, p) for d in drawn for p in d.panel.points if p.territory_id in d.numbered
                      for n in [d.numbered[p.territory_id][0]])
    if numbered:
        items = [i18n.t("map.numbered_item", lang, n=n, name=p.name, count=i18n.number(p.count, lang)) for n, p in numbered]
        notes.append(i18n.t("map.numbered", lang, items=" · ".join(items)))
    # (a place of a small map with no room even for a number: named here, so it is still read)
    unmarked = [p for d in (drawn[1:] if dense else drawn) for p in _priority(d.panel.points)
                if p.territory_id not in d.labelled and p.territory_id not in d.numbered]
    if unmarked:
        items = [i18n.t("map.unmarked_item", lang, name=p.name, count=i18n.number(p.count, lang)) for p in unmarked]
        notes.append(i18n.t("map.unmarked", lang, items=", ".join(items)))
    named = sum(len(d.labelled) for d in drawn)
    if dense:
        notes.append(i18n.t("map.names_of_busiest", lang, n=named, total=i18n.number(len(points), lang)))
    if not islands_noted:
        notes.append(i18n.t("map.islands_in_notes", lang))
    if unplaced:
        notes.append(i18n.t("map.not_placed", lang, names=", ".join(unplaced)))
    notes.append(i18n.t("map.attribution", lang))
    note_lines = [line for note in notes for line in wrap(note, _text_room(width), design.note_font_px)]
    fig.add_annotation(
        x=0, y=0, xref="paper", yref="paper", yshift=-10, xanchor="left", yanchor="top", showarrow=False, align="left",
        text="<br>".join(note_lines), name="notes", borderpad=0, font=dict(size=design.note_font_px, color=charts.MUTED),
    )

    title_h = (FIRST_LINE + LINE_SPACING * (len(title_lines) - 1)) * design.title_font_px
    subtitle_h = (FIRST_LINE + LINE_SPACING * (len(subtitle_lines) - 1)) * design.subtitle_font_px
    margin_t = round(TITLE_TOP_PX + title_h + SUBTITLE_GAP_PX + subtitle_h + 16)
    margin_b = round(10 + (FIRST_LINE + LINE_SPACING * (len(note_lines) - 1)) * design.note_font_px + 12)
    side = design.side_margin_px
    fig.update_layout(
        template=charts.TEMPLATE,
        title=dict(
            text="<br>".join(title_lines), x=0, xref="paper", xanchor="left",
            y=1 - (TITLE_TOP_PX + TITLE_ASCENT * design.title_font_px) / (margin_t + plot_h + margin_b),
            yref="container", yanchor="bottom", font=dict(size=design.title_font_px),
            subtitle=dict(text="<br>".join(subtitle_lines), font=dict(size=design.subtitle_font_px, color=charts.MUTED)),
        ),
        separators=",." if lang == "es" else ".,",
        showlegend=False,
        height=round(margin_t + plot_h + margin_b),
        margin=dict(l=side, r=side, t=margin_t, b=margin_b),
        meta=dict(map_layout=layout, min_width_px=design.min_plot_width_px + 2 * side,
                  full_width_px=_full_width(country, arrangement, design)),
    )
    return fig.figure()


def _full_width(country: Panel, arrangement: Arrangement, design: Design) -> float:
    """The figure width (px) at which the country view has grown to its slot's full height: the
    widest it is worth drawing. Wider, the country stays as it is and only the space between it
    and the zoomed panels grows (a slide stretched to a 1920 px screen left a third of it empty)."""
    w_u, h_u = country.size_u
    slot = arrangement.country
    plot = design.plot_width_px * slot.height * w_u / (h_u * slot.width)
    return max(design.min_plot_width_px, plot) + 2 * design.side_margin_px


TITLE_TOP_PX = 12  # from the figure's top to the title's first line
TITLE_ASCENT = 0.94  # Plotly puts a title's first line this many font sizes above its y (measured)
SUBTITLE_GAP_PX = 9  # and its subtitle this far under the title's last line (measured)


# --- measuring a finished figure ---------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """Something drawn on the figure, measured in pixels from the figure's top-left corner."""

    kind: str  # "text", "circle", "rect" (a frame), "line" (a leader line or a scale bar)
    name: str
    box: tuple[float, float, float, float]  # left, top, right, bottom
    panel: str | None = None  # the axes' suffix ("" for the country view) of what is drawn in a panel
    territory_id: str | None = None
    ends: tuple | None = None  # a line's two ends


def _frames_px(layout: dict, plot_w: float, plot_h: float, margin: dict) -> dict[str, dict]:
    """Each x/y axes pair's drawn rectangle, as Plotly draws it: an axis pinned to its partner's
    scale (``scaleanchor``, ``constrain="domain"``) shrinks its domain about its middle."""
    out = {}
    for key, xaxis in layout.items():
        if not re.fullmatch(r"xaxis\d*", key):
            continue
        s = key[5:]
        yaxis = layout.get(f"yaxis{s}", {})
        (dx0, dx1), (dy0, dy1) = xaxis.get("domain", [0, 1]), yaxis.get("domain", [0, 1])
        left, width = margin["l"] + dx0 * plot_w, (dx1 - dx0) * plot_w
        top, height = margin["t"] + (1 - dy1) * plot_h, (dy1 - dy0) * plot_h
        xr, yr = xaxis.get("range", [0, 1]), yaxis.get("range", [0, 1])
        if yaxis.get("scaleanchor") == f"x{s}":
            ratio = yaxis.get("scaleratio", 1)
            ppd = min(height / (yr[1] - yr[0]), width * ratio / (xr[1] - xr[0]))
            w, h = (xr[1] - xr[0]) * ppd / ratio, (yr[1] - yr[0]) * ppd
            toward_x = {"left": 0, "center": 0.5, "right": 1}[xaxis.get("constraintoward", "center")]
            toward_y = {"top": 0, "middle": 0.5, "bottom": 1}[yaxis.get("constraintoward", "middle")]
            left, top, width, height = left + (width - w) * toward_x, top + (height - h) * toward_y, w, h
        out[s] = dict(left=left, top=top, width=width, height=height, x=xr, y=yr)
    return out


def _px(frames: dict, layout_margin: dict, plot_w: float, plot_h: float, x: float, y: float, xref: str, yref: str):
    """A point of the figure, given as Plotly references it, in pixels from the top-left corner."""
    def one(value, ref, horizontal):
        if ref == "paper":
            return layout_margin["l"] + value * plot_w if horizontal else layout_margin["t"] + (1 - value) * plot_h
        name, _, domain = ref.partition(" ")
        f = frames[name[1:]]
        if domain:
            return f["left"] + value * f["width"] if horizontal else f["top"] + (1 - value) * f["height"]
        lo, hi = f["x"] if horizontal else f["y"]
        t = (value - lo) / (hi - lo)
        return f["left"] + t * f["width"] if horizontal else f["top"] + (1 - t) * f["height"]

    return one(x, xref, True), one(y, yref, False)


def scaled(spec: dict, zoom: float) -> dict:
    """A finished map (``territory_map(...).to_dict()``) with every size in pixels times ``zoom``:
    its height and margins, fonts, circles, lines and the offsets of its labels. Drawn ``w``
    wide, it is the map drawn ``w / zoom`` wide, enlarged (or reduced) as a whole: its circles
    and labels stay where the builder placed them for its size, which drawing it at another
    height would not keep (a slide). Positions are fractions of the figure or data coordinates,
    and stay. ``spec`` is not changed."""

    def px(value):
        if isinstance(value, dict) and "bdata" in value:  # a numpy array, as Plotly writes it in a dict
            value = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
        if isinstance(value, (list, tuple)):
            return [px(v) for v in value]
        return None if value is None else value * zoom

    def sized(part: dict, *keys: str) -> dict:
        out = dict(part)
        for key in keys:
            if isinstance(out.get(key), dict):
                out[key] = {**out[key], "size": px(out[key].get("size"))} if "size" in out[key] else out[key]
        return out

    layout = dict(spec["layout"])
    base_font = (layout.get("font") or {}).get("size") or charts.TEMPLATE.layout.font.size or 15
    layout["font"] = {**(layout.get("font") or {}), "size": base_font * zoom}
    layout["height"] = layout["height"] * zoom
    layout["margin"] = {k: (v * zoom if k in "lrtb" else v) for k, v in (layout.get("margin") or {}).items()}
    if layout.get("meta"):
        layout["meta"] = {**layout["meta"], **{k: layout["meta"][k] * zoom for k in ("min_width_px", "full_width_px")
                                              if k in layout["meta"]}}
    title = sized(layout.get("title") or {}, "font")
    if isinstance(title.get("subtitle"), dict):
        title["subtitle"] = sized(title["subtitle"], "font")
    layout["title"] = title
    annotations = []
    for a in layout.get("annotations") or []:
        a = sized(a, "font")
        for key in ("xshift", "yshift", "borderpad", "borderwidth"):
            if key in a:
                a[key] = px(a[key])
        annotations.append(a)
    layout["annotations"] = annotations
    layout["shapes"] = [{**sh, "line": {**sh["line"], "width": px(sh["line"].get("width", 2))}} if "line" in sh else sh
                        for sh in layout.get("shapes") or []]
    data = []
    for trace in spec["data"]:
        trace = sized(trace, "textfont")
        if isinstance(trace.get("line"), dict) and "width" in trace["line"]:
            trace["line"] = {**trace["line"], "width": px(trace["line"]["width"])}
        marker = trace.get("marker")
        if isinstance(marker, dict):
            marker = dict(marker)
            if "size" in marker:
                marker["size"] = px(marker["size"])
            if isinstance(marker.get("line"), dict) and "width" in marker["line"]:
                marker["line"] = {**marker["line"], "width": px(marker["line"]["width"])}
            trace["marker"] = marker
        data.append(trace)
    return {**spec, "layout": layout, "data": data}


def figure_boxes(fig: go.Figure, width_px: float) -> list[Mark]:
    """Every text, circle, frame and line of a map figure drawn ``width_px`` wide, measured as
    the builder places them (text sizes from ``box_size_px``): what tests check for overlaps."""
    layout = fig.to_plotly_json()["layout"]
    margin = {k: layout.get("margin", {}).get(k, 0) for k in "lrtb"}
    height = layout["height"]
    plot_w, plot_h = width_px - margin["l"] - margin["r"], height - margin["t"] - margin["b"]
    frames = _frames_px(layout, plot_w, plot_h, margin)
    marks: list[Mark] = []

    def at(x, y, xref, yref):
        return _px(frames, margin, plot_w, plot_h, x, y, xref, yref)

    title = layout.get("title", {})
    if title.get("text"):
        fs = title.get("font", {}).get("size", 19)
        w, h = text_size_px(title["text"], fs)
        left = margin["l"]
        top = (1 - title["y"]) * height - TITLE_ASCENT * fs
        marks.append(Mark("text", "title", (left, top, left + w, top + h)))
        sub = title.get("subtitle", {})
        if sub.get("text"):
            sw, sh = text_size_px(sub["text"], sub.get("font", {}).get("size", 15))
            stop = top + h + SUBTITLE_GAP_PX
            marks.append(Mark("text", "subtitle", (left, stop, left + sw, stop + sh)))
    for a in layout.get("annotations", []):
        w, h = box_size_px(a["text"], a.get("font", {}).get("size", 15), a.get("borderpad", 1), a.get("borderwidth", 0))
        x, y = at(a["x"], a["y"], a.get("xref", "paper"), a.get("yref", "paper"))
        name = a.get("name", "")
        tid = name.split(" ", 1)[1] if name.startswith(("label ", "number ")) else None
        panel = a["xref"].split(" ")[0][1:] if a.get("xref", "paper").startswith("x") else None
        if a.get("showarrow"):
            cx, cy = x + a.get("ax", 0), y + a.get("ay", 0)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            # the line runs from the box's edge towards the point, and stops ``standoff`` short of it
            length = math.hypot(cx - x, cy - y)
            ux, uy = (cx - x) / length, (cy - y) / length
            edge = min(w / 2 / abs(ux) if abs(ux) > 1e-9 else math.inf, h / 2 / abs(uy) if abs(uy) > 1e-9 else math.inf)
            start = (x + ux * a.get("standoff", 0), y + uy * a.get("standoff", 0))
            end = (cx - ux * edge, cy - uy * edge)
            marks.append(Mark("line", f"leader {name}", (min(start[0], end[0]), min(start[1], end[1]),
                                                          max(start[0], end[0]), max(start[1], end[1])),
                              panel, tid, (start, end)))
        else:
            x += a.get("xshift", 0)
            y -= a.get("yshift", 0)
            left = {"left": x, "center": x - w / 2, "right": x - w}[a.get("xanchor", "center")]
            top = {"top": y, "middle": y - h / 2, "bottom": y - h}[a.get("yanchor", "middle")]
            box = (left, top, left + w, top + h)
        marks.append(Mark("text", name, box, panel, tid))
    for t in fig.data:
        if t.name in ("circles", "not published", "size key", "locators"):
            sizes = list(t.marker.size) if np.ndim(t.marker.size) else [t.marker.size] * len(t.x)
            s = (t.xaxis or "x")[1:]
            ids = [c[0] for c in t.customdata] if t.customdata is not None else [None] * len(t.x)
            for x, y, size, tid in zip(t.x, t.y, sizes, ids):
                cx, cy = at(x, y, t.xaxis or "x", t.yaxis or "y")
                marks.append(Mark("circle", t.name, (cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2), s, tid))
        elif t.name == "scale bar":
            (x0, y0), (x1, y1) = (at(x, y, t.xaxis or "x", t.yaxis or "y") for x, y in zip(t.x, t.y))
            marks.append(Mark("line", "scale bar", (x0, y0 - 1.5, x1, y1 + 1.5), (t.xaxis or "x")[1:], None,
                              ((x0, y0), (x1, y1))))
    for shape in layout.get("shapes", []):
        name = shape.get("name")
        if not name:
            continue
        (x0, y0), (x1, y1) = (at(shape[f"x{i}"], shape[f"y{i}"], shape["xref"], shape["yref"]) for i in (0, 1))
        marks.append(Mark("rect", name, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
                          shape["xref"].split(" ")[0][1:]))
    return marks


def overlap(a: tuple, b: tuple) -> float:
    """The area two boxes (left, top, right, bottom) share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def circle_clash(box: tuple, circle: tuple) -> float:
    """How far a circle (given by its bounding box) reaches into a box, in pixels (0 when apart)."""
    cx, cy, r = (circle[0] + circle[2]) / 2, (circle[1] + circle[3]) / 2, (circle[2] - circle[0]) / 2
    nx, ny = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
    return max(0.0, r - math.hypot(cx - nx, cy - ny))


def crosses(box: tuple, frame: tuple) -> bool:
    """Whether a box lies across a frame's line: neither wholly inside the frame nor wholly outside."""
    inside = box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]
    return not inside and overlap(box, frame) > 0
