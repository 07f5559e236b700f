"""The map boundaries bundled in ``data/geo/`` (see its README): read once, cached, never fetched.

Polygons are lists of rings, rings lists of ``(lon, lat)`` points (WGS84, decimal degrees); the
first ring of a polygon is its outer edge, any further rings are holes. ``scripts/build_geo.py``
makes the files from Natural Earth; nothing here imports Streamlit.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import paths

GEO_DIR = paths.ROOT / "data" / "geo"  # reference data of the repository, whatever data folder is read
OUTLINE_FILE = "colombia_outline.geojson"
DEPARTMENTS_FILE = "colombia_departments.geojson"
NEIGHBOURS_FILE = "neighbours.geojson"
KM_PER_DEGREE = 111.195

Ring = list[tuple[float, float]]
Polygon = list[Ring]


@dataclass(frozen=True)
class Department:
    code: str  # DIVIPOLA department code, as text ("08")
    name: str
    is_mainland: bool  # False for San Andrés y Providencia, which maps show in an inset
    polygons: tuple[Polygon, ...]


@dataclass(frozen=True)
class Boundaries:
    outline: tuple[Polygon, ...]  # Colombia (admin-0)
    departments: tuple[Department, ...]  # admin-1: 32 departments and the capital district
    neighbours: tuple[Polygon, ...]  # neighbouring countries, clipped to the map's area (context only)

    def department(self, code: str) -> Department:
        for d in self.departments:
            if d.code == code:
                return d
        raise KeyError(f"no department with code {code!r} in the bundled boundaries")

    def mainland_bounds(self) -> tuple[float, float, float, float]:
        """(lon_min, lat_min, lon_max, lat_max) of the mainland departments."""
        return bounds(p for d in self.departments if d.is_mainland for p in d.polygons)


def _polygons(geometry: dict) -> tuple[Polygon, ...]:
    if geometry["type"] == "Polygon":
        parts = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        parts = geometry["coordinates"]
    else:
        raise ValueError(f"unexpected geometry type {geometry['type']!r}")
    return tuple([[(float(x), float(y)) for x, y in ring] for ring in polygon] for polygon in parts)


def _features(path: Path) -> list[dict]:
    collection = json.loads(path.read_text(encoding="utf-8"))
    if collection.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection")
    return collection["features"]


@functools.cache
def load_boundaries(folder: Path = GEO_DIR) -> Boundaries:
    """The bundled boundaries; raises when a file is missing or malformed (fail loudly)."""
    outline = tuple(p for f in _features(folder / OUTLINE_FILE) for p in _polygons(f["geometry"]))
    departments = tuple(
        Department(
            code=f["properties"]["department_code"],
            name=f["properties"]["department_name"],
            is_mainland=bool(f["properties"]["is_mainland"]),
            polygons=_polygons(f["geometry"]),
        )
        for f in _features(folder / DEPARTMENTS_FILE)
    )
    neighbours = tuple(p for f in _features(folder / NEIGHBOURS_FILE) for p in _polygons(f["geometry"]))
    return Boundaries(outline, departments, neighbours)


_POLYGON_BOUNDS: dict[int, tuple[object, tuple[float, float, float, float]]] = {}


def polygon_bounds(polygon) -> tuple[float, float, float, float]:
    """``bounds`` of one polygon, remembered: the bundled boundaries are loaded once and never
    change, and the map asks for the same polygons' bounds on every run."""
    known = _POLYGON_BOUNDS.get(id(polygon))
    if known is None or known[0] is not polygon:
        known = (polygon, bounds([polygon]))
        _POLYGON_BOUNDS[id(polygon)] = known
    return known[1]


def bounds(polygons) -> tuple[float, float, float, float]:
    """(lon_min, lat_min, lon_max, lat_max) of the outer rings of ``polygons``."""
    lons, lats = [], []
    for polygon in polygons:
        for lon, lat in polygon[0]:
            lons.append(lon)
            lats.append(lat)
    return min(lons), min(lats), max(lons), max(lats)


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(polygons, lon: float, lat: float) -> bool:
    """Whether the point lies inside one of ``polygons`` (inside its outer ring, outside its holes)."""
    return any(_in_ring(lon, lat, p[0]) and not any(_in_ring(lon, lat, h) for h in p[1:]) for p in polygons)


def _in_ring_many(lons: np.ndarray, lats: np.ndarray, ring: Ring) -> np.ndarray:
    """``_in_ring`` for many points at once (the same even-odd rule, vectorised with numpy)."""
    xy = np.asarray(ring, dtype=float)
    x1, y1 = xy[:, 0], xy[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    lat, lon = lats[:, None], lons[:, None]
    crosses = (y1 > lat) != (y2 > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
    return (np.count_nonzero(crosses & (lon < at), axis=1) % 2) == 1


def contains_many(polygons, lons, lats) -> np.ndarray:
    """``contains`` for many points at once: a boolean per point."""
    lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    inside = np.zeros(len(lons), dtype=bool)
    for p in polygons:
        hit = _in_ring_many(lons, lats, p[0])
        for hole in p[1:]:
            hit &= ~_in_ring_many(lons, lats, hole)
        inside |= hit
    return inside


def distance_km(polygons, lon: float, lat: float) -> float:
    """0 inside ``polygons``; otherwise the distance to their nearest edge, in kilometres
    (local equirectangular approximation, good to well under 1 % at these distances)."""
    if contains(polygons, lon, lat):
        return 0.0
    k = math.cos(math.radians(lat))

    def xy(p):
        return ((p[0] - lon) * k * KM_PER_DEGREE, (p[1] - lat) * KM_PER_DEGREE)

    best = math.inf
    for polygon in polygons:
        for ring in polygon:
            pts = [xy(p) for p in ring]
            for (ax, ay), (bx, by) in zip(pts, pts[1:]):
                dx, dy = bx - ax, by - ay
                length2 = dx * dx + dy * dy
                t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
                best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def ground_distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance between two points (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))
