"""Drawing the panels: the figure as plain dicts (``_Sketch``), each panel's axes, its sea, land and
borders (from the bundled boundaries, prepared once), its frame, and a label's annotation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from .. import charts, geo
from .design import (
    DEPARTMENT_LINE,
    FRAME_LINE,
    LABEL_BACKGROUND,
    LABEL_PAD_PX,
    LAND,
    LEADER_LINE,
    NEIGHBOUR,
    OUTLINE_LINE,
    SEA,
    Panel,
)
from .placement import Spot


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
    xs: list[float] = []
    ys: list[float] = []
    for polygon in polygons:
        for ring in polygon:
            xs.extend(lon + shift[0] for lon, _ in ring)
            ys.extend(lat + shift[1] for _, lat in ring)
            xs.append(np.nan)
            ys.append(np.nan)
    # float32 keeps 0.001° exactly enough (about 1 m at these longitudes) in half the bytes
    return np.asarray(xs, dtype="float32"), np.asarray(ys, dtype="float32")


_PREPARED: dict[int, tuple] = {}


def _prepared(boundaries: geo.Boundaries) -> dict[str, Any]:
    """Each polygon of the boundaries as (bounds, x, y) arrays, made once: the bundled boundaries
    never change, and every map draws the same polygons."""
    known = _PREPARED.get(id(boundaries))
    if known is None or known[0] is not boundaries:
        groups = {
            "neighbours": list(boundaries.neighbours),
            "mainland": [p for d in boundaries.departments if d.is_mainland for p in d.polygons],
            "outline": list(boundaries.outline),
        }
        prepared: dict[str, Any] = {name: [(geo.polygon_bounds(p), *_path([p])) for p in polygons]
                                    for name, polygons in groups.items()}
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
