"""The map's design: its colours, its sizes in pixels and its limits, the two variants of the
figure (``WIDE``, ``NARROW``), and what it draws: places (``Point``) on panels (``Panel``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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

TITLE_TOP_PX = 12  # from the figure's top to the title's first line
TITLE_ASCENT = 0.94  # Plotly puts a title's first line this many font sizes above its y (measured)
SUBTITLE_GAP_PX = 9  # and its subtitle this far under the title's last line (measured)


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
