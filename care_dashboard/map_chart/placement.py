"""Placing labels: what a panel holds (``Scene``), where a label goes (``Spot``), and the search
for a free spot beside a circle, or further out with a leader line (``place_label``,
``place_labels``), or among given boxes (``place_box``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .design import CENTRE_KEEP, CLEAR_PX, EDGE_PX, FAR_LEADER_PX, GAP_PX, LEADER_ANGLES, LEADER_PX


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
        # each kind's list as an array, remade only when that kind changed (labels are placed
        # one at a time among hundreds of circles drawn before them)
        self._array_of: dict[str, np.ndarray] = {}

    def add_box(self, a0, a1, d) -> None:
        self._boxes.append((*a0, *a1, *d))
        self._array_of.pop("boxes", None)

    def add_circle(self, u, radius: float) -> int:
        self._circles.append((*u, radius))
        self._array_of.pop("circles", None)
        return len(self._circles) - 1

    def add_line(self, u, line) -> None:
        self._lines.append((*u, *line))
        self._array_of.pop("lines", None)

    def remove(self, u, spot: Spot) -> None:
        """Take a label placed at ``u`` out again (its box and its leader line)."""
        self._boxes.remove((*u, *u, *spot.offsets))
        self._array_of.pop("boxes", None)
        if spot.line is not None:
            self._lines.remove((*u, *spot.line))
            self._array_of.pop("lines", None)

    def _array(self, kind: str, items: list, width: int) -> np.ndarray:
        found = self._array_of.get(kind)
        if found is None:
            found = self._array_of[kind] = np.asarray(items, dtype=float).reshape(-1, width)
        return found

    def arrays(self):
        return (self._array("boxes", self._boxes, 8), self._array("circles", self._circles, 3),
                self._array("lines", self._lines, 6))

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
            pl = placed_lines
            p0 = (pl[None, None, :, 0] * s3 + pl[None, None, :, 2], pl[None, None, :, 1] * s3 + pl[None, None, :, 3])
            p1 = (pl[None, None, :, 0] * s3 + pl[None, None, :, 4], pl[None, None, :, 1] * s3 + pl[None, None, :, 5])
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


def _four(values) -> tuple[float, float, float, float]:
    """A box's offsets or a leader line's ends (four numbers) as floats."""
    a, b, c, d = (float(v) for v in values)
    return a, b, c, d


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
            spot = Spot(_four(beside[k][best]))
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
                spot = Spot(_four(box), float(length), _four(line))
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
