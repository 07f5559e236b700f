"""San Andrés y Providencia, 700 km out in the Caribbean: which places are on the islands, where
their box goes in the open sea of the country view, the box itself and the note that says
what it holds.
"""

from __future__ import annotations

import math

from .. import charts, geo, i18n
from .design import EDGE_PX, ISLANDS_BOX_CENTRE, ISLANDS_REACH_DEG, LAND, OUTLINE_LINE, Design, Panel
from .drawing import _area, _label_annotation, _path
from .placement import Scene, place_box, place_label
from .text import box_size_px


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
