"""What a map shows beside its places and its land: the scale bars, the names of the departments
in a zoomed panel, the size key, and the lettered frames that mark the zoomed panels on the
country view.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .. import charts, geo, i18n
from .design import CIRCLE_OPACITY, CLEAR_PX, FRAME_LETTERS, FRAME_LINE, Design, Panel
from .drawing import _label_annotation
from .layout import Arrangement, Slot
from .placement import Scene, Spot, place_box, place_label
from .text import box_size_px

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
