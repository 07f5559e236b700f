"""The places on a panel: their circles and rings, their labels (a name over its count) placed one
at a time, busiest first, and a number for a place whose label finds no room.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np

from .. import i18n
from .design import CIRCLE_OPACITY, LEADER_PX, RING_PX, WIDE, Design, Panel, Point
from .drawing import _label_annotation
from .placement import Scene, place_label, place_labels
from .text import box_size_px, text_width_px


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
