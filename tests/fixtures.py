"""Tiny datasets written in code, in the same layout as data/NAME/, for given/expect query tests.

Two territories (north, south), three components and three organisations:
* comp-a: published per territory (north 10 participations from 2 organisations; south 5 from 1)
* comp-b: published in organisations only, per session venue (north: 2 organisations; participations NULL)
* comp-c: published per organisation (org-1: 7; org-3: 4); org-2 did not take part
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from care_dashboard import schema

TERRITORIES = [
    ("north", "North Town", "Dept N", "01", "01001", 1.0, -70.0, 1, "fixture"),
    ("south", "South Town", "Dept S", "02", "02001", 2.0, -71.0, 2, "fixture"),
]
COMPONENTS = [
    ("comp-a", "Component A", "Componente A", "waste_pickers", "2025-01-01", "2025-01-31", "month", "participations", 1, "x"),
    ("comp-b", "Component B", "Componente B", "organisation_leaders", "2025-02-01", "2025-02-28", "month", "organisations", 2, "x"),
    ("comp-c", "Component C", "Componente C", "waste_pickers", "2025-03-03", "2025-03-05", "day", "participations", 3, "x"),
]
ORGANISATIONS = [
    ("org-1", "Org One", "north", True, None, 1, "x"),
    ("org-2", "Unnamed organisation, North Town", "north", False, None, 2, "x"),
    ("org-3", "Org Three", "south", True, None, 3, "x"),
]
TERRITORY_COUNTS = [
    ("comp-a", "north", 10, 2, "organisation_city", "x"),
    ("comp-a", "south", 5, 1, "organisation_city", "x"),
    ("comp-b", "north", None, 2, "session_venue", "x"),
]
ORGANISATION_COMPONENTS = [
    ("org-1", "comp-a", "took_part", None, "x"),
    ("org-2", "comp-a", "took_part", None, "x"),
    ("org-3", "comp-a", "took_part", None, "x"),
    ("org-1", "comp-b", "unknown", None, "x"),
    ("org-2", "comp-b", "unknown", None, "x"),
    ("org-3", "comp-b", "unknown", None, "x"),
    ("org-1", "comp-c", "count_published", 7, "x"),
    ("org-2", "comp-c", "did_not_take_part", None, "x"),
    ("org-3", "comp-c", "count_published", 4, "x"),
]
PUBLISHED_TOTALS = [
    ("comp-a", None, "participations", 15, "x"),
    ("comp-b", None, "participations", None, "x"),
    ("comp-b", None, "organisations", 2, "x"),
    (None, None, "participations", 26, "x"),
    (None, None, "organisations", 3, "x"),
]

# Record-level: person p1 attends comp-a twice-free (once) and comp-c; p2 comp-a only; p3 (south)
# comp-a and comp-b; one comp-c record in the south has no person key.
ATTENDANCE = [
    ("s-a-n", "2025-01-10", "comp-a", "north", "org-1", "p1", "member"),
    ("s-a-n", "2025-01-10", "comp-a", "north", "org-2", "p2", "member"),
    ("s-a-s", "2025-01-12", "comp-a", "south", "org-3", "p3", "member"),
    ("s-b-n", "2025-02-05", "comp-b", "south", "org-3", "p3", "leader"),
    ("s-c-n", "2025-03-03", "comp-c", "north", "org-1", "p1", "member"),
    ("s-c-s", "2025-03-04", "comp-c", "south", "org-3", None, "member"),
]

AGGREGATE_TABLES = {
    "territories": TERRITORIES,
    "components": COMPONENTS,
    "organisations": ORGANISATIONS,
    "territory_counts": TERRITORY_COUNTS,
    "organisation_components": ORGANISATION_COMPONENTS,
    "published_totals": PUBLISHED_TOTALS,
}
RECORD_TABLES = {
    "territories": TERRITORIES,
    "components": [c[:7] + ("participations",) + c[8:] for c in COMPONENTS],
    "organisations": ORGANISATIONS,
    "attendance": ATTENDANCE,
}

# A second record-level fixture (the rows above stay as they are: other tests assert on them), for
# people, overlaps and small numbers. Same territories, components and organisations.
#   north, org-1: q1-q3 attend comp-a and comp-c (q1 comp-a twice), q4-q5 comp-a only, q6 comp-c only
#   south, org-3: q7-q8 comp-a and comp-b, q9 comp-b only, one comp-a record without a person key
# So: combinations a+c 3, a 2, a+b 2, b 1, c 1; people by components attended: 1 -> 4, 2 -> 5.
PEOPLE_ATTENDANCE = [
    ("pa-n1", "2025-01-10", "comp-a", "north", "org-1", "q1", "member"),
    ("pa-n1", "2025-01-10", "comp-a", "north", "org-1", "q2", "member"),
    ("pa-n1", "2025-01-10", "comp-a", "north", "org-1", "q3", "member"),
    ("pa-n2", "2025-01-17", "comp-a", "north", "org-1", "q1", "member"),
    ("pa-n2", "2025-01-17", "comp-a", "north", "org-1", "q4", "member"),
    ("pa-n2", "2025-01-17", "comp-a", "north", "org-1", "q5", "member"),
    ("pc-n1", "2025-03-03", "comp-c", "north", "org-1", "q1", "member"),
    ("pc-n1", "2025-03-03", "comp-c", "north", "org-1", "q2", "member"),
    ("pc-n1", "2025-03-03", "comp-c", "north", "org-1", "q3", "member"),
    ("pc-n1", "2025-03-03", "comp-c", "north", "org-1", "q6", "member"),
    ("pa-s1", "2025-01-12", "comp-a", "south", "org-3", "q7", "member"),
    ("pa-s1", "2025-01-12", "comp-a", "south", "org-3", "q8", "member"),
    ("pa-s1", "2025-01-12", "comp-a", "south", "org-3", None, "member"),
    ("pb-s1", "2025-02-05", "comp-b", "south", "org-3", "q7", "leader"),
    ("pb-s1", "2025-02-05", "comp-b", "south", "org-3", "q8", "leader"),
    ("pb-s1", "2025-02-05", "comp-b", "south", "org-3", "q9", "leader"),
]
PEOPLE_TABLES = {**RECORD_TABLES, "attendance": PEOPLE_ATTENDANCE}


def write_dataset(folder: Path, kind: str, tables: dict[str, list[tuple]], title: str = "Fixture",
                  is_synthetic: bool = True) -> Path:
    """Write dataset.toml and one parquet file per stored table, typed as in schema.py
    (``is_synthetic=False``: as a partner's import of real sign-in sheets)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.toml").write_text(
        f'name = "{folder.name}"\nkind = "{kind}"\ntitle_en = "{title}"\ntitle_es = "{title}"\n'
        f'is_synthetic = {str(is_synthetic).lower()}\nlicence = "CC0"\nsource_citation = "test fixture"\n',
        encoding="utf-8",
    )
    con = duckdb.connect()
    for table in schema.STORED_TABLES[kind]:
        cols = ", ".join(f'"{c}" {t}' for c, t in table.columns.items())
        con.execute(f"CREATE TABLE t ({cols})")
        rows = tables[table.name]
        if rows:
            marks = ", ".join("?" for _ in table.columns)
            con.executemany(f"INSERT INTO t VALUES ({marks})", rows)
        con.execute(f"COPY t TO '{folder / (table.name + '.parquet')}' (FORMAT parquet)")
        con.execute("DROP TABLE t")
    con.close()
    return folder
