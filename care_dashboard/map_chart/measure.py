"""Measuring a finished map: every text, circle, frame and line of a figure in pixels, where the
builder placed them (``figure_boxes``, what the tests check), the map enlarged or reduced as a
whole (``scaled``, for a slide), and how two boxes, or a box and a circle, meet.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from .. import charts
from .design import SUBTITLE_GAP_PX, TITLE_ASCENT
from .text import box_size_px, text_size_px


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
