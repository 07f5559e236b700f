"""Where things go: which places crowd and share a zoomed panel (``clusters``), the slots of the
country view, the zoomed panels and the size key in each variant (``Slot``, ``Arrangement``),
and the extent and scales of the panels.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .design import (
    CLUSTER_KM,
    CROWD_MIN_PX,
    EDGE_PX,
    FIRST_LINE,
    INSET_CLOSEST_DEG,
    INSET_HALF_HEIGHT_DEG,
    KEY_HEIGHT_PX,
    LINE_SPACING,
    RING_PX,
    WIDE_ALONE_X,
    WIDE_COUNTRY_X,
    WIDE_INSETS_X,
    WIDE_KEY_ALONE_X,
    WIDE_PLOT_HEIGHT_PX,
    Design,
    Panel,
    Point,
)


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
        key_slot = Slot(WIDE_KEY_ALONE_X[0] * w, WIDE_KEY_ALONE_X[1] * w, plot_h - KEY_HEIGHT_PX, plot_h)
        return Arrangement(plot_h, country, (), key_slot)
    country = Slot(WIDE_COUNTRY_X[0] * w, WIDE_COUNTRY_X[1] * w, 0, plot_h)
    x0, x1 = WIDE_INSETS_X[0] * w, WIDE_INSETS_X[1] * w
    insets = []
    y = 0.0
    for h in title_h:
        insets.append(Slot(x0, x1, y + h, y + h + design.inset_height_px))
        y += h + design.inset_height_px + 18
    key_slot = Slot(x0, x1, plot_h - KEY_HEIGHT_PX, plot_h)
    return Arrangement(plot_h, country, tuple(insets), key_slot)


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
