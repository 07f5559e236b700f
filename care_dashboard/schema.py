"""The physical tables of a dataset: their grain, columns and DuckDB types.

Two kinds of dataset share one set of *logical* views (see `datasets.py`):

* ``published_aggregate``: figures as a report publishes them (the embedded CARE 2025 data).
* ``record_level``: one row per person per session, from imported sign-in sheets.

The build script, the parquet-vs-source test and ``data/README.md`` all follow this module.
"""

from __future__ import annotations

from dataclasses import dataclass

PARTICIPATION_STATUSES = ("count_published", "took_part", "unknown", "did_not_take_part")
TERRITORY_BASES = ("organisation_city", "session_venue")
AUDIENCES = ("waste_pickers", "organisation_leaders")
REACH_UNITS = ("participations", "organisations")
DATASET_KINDS = ("published_aggregate", "record_level")


@dataclass(frozen=True)
class Table:
    name: str
    grain: str
    columns: dict[str, str]  # column name -> DuckDB type
    key: tuple[str, ...]


TERRITORIES = Table(
    "territories",
    "one row per territory (municipality)",
    {
        "territory_id": "VARCHAR",
        "territory_name": "VARCHAR",
        "department_name": "VARCHAR",
        "department_code": "VARCHAR",
        "divipola_code": "VARCHAR",
        "latitude": "DOUBLE",
        "longitude": "DOUBLE",
        "sort_order": "INTEGER",
        "source_note": "VARCHAR",
    },
    ("territory_id",),
)

COMPONENTS = Table(
    "components",
    "one row per training component",
    {
        "component_id": "VARCHAR",
        "component_name_en": "VARCHAR",
        "component_name_es": "VARCHAR",
        "audience_id": "VARCHAR",
        "period_start_date": "DATE",
        "period_end_date": "DATE",
        "period_precision": "VARCHAR",
        "reach_unit": "VARCHAR",
        "sort_order": "INTEGER",
        "source_section": "VARCHAR",
    },
    ("component_id",),
)

ORGANISATIONS = Table(
    "organisations",
    "one row per organisation",
    {
        "organisation_id": "VARCHAR",
        "organisation_name": "VARCHAR",
        "territory_id": "VARCHAR",
        "is_name_published": "BOOLEAN",
        "unnamed_index": "INTEGER",  # tells apart unnamed organisations of one territory; NULL if named
        "sort_order": "INTEGER",
        "source_section": "VARCHAR",
    },
    ("organisation_id",),
)

TERRITORY_COUNTS = Table(
    "territory_counts",
    "one row per component per territory, for figures published only at territory level",
    {
        "component_id": "VARCHAR",
        "territory_id": "VARCHAR",
        "participations_count": "INTEGER",  # NULL = not published
        "organisations_count": "INTEGER",  # NULL = not published
        "territory_basis": "VARCHAR",
        "source_section": "VARCHAR",
    },
    ("component_id", "territory_id"),
)

ORGANISATION_COMPONENTS = Table(
    "organisation_components",
    "one row per organisation per component",
    {
        "organisation_id": "VARCHAR",
        "component_id": "VARCHAR",
        "participation_status": "VARCHAR",
        "participations_count": "INTEGER",  # NULL unless status is count_published
        "source_section": "VARCHAR",
    },
    ("organisation_id", "component_id"),
)

PUBLISHED_TOTALS = Table(
    "published_totals",
    "one row per total the report states (component or all components; territory or all territories; measure)",
    {
        "component_id": "VARCHAR",  # NULL = all components
        "territory_id": "VARCHAR",  # NULL = all territories
        "measure_id": "VARCHAR",
        "published_value": "INTEGER",  # NULL = not published
        "source_section": "VARCHAR",
    },
    ("component_id", "territory_id", "measure_id"),
)

ATTENDANCE = Table(
    "attendance",
    "one row per person per session (record-level datasets only)",
    {
        "session_id": "VARCHAR",
        "session_date": "DATE",
        "component_id": "VARCHAR",
        "territory_id": "VARCHAR",
        "organisation_id": "VARCHAR",
        "person_key": "VARCHAR",  # pseudonymous key; NULL = identity unknown
        "role": "VARCHAR",
    },
    ("session_id", "person_key"),
)

# Which physical tables each kind of dataset stores as parquet.
STORED_TABLES: dict[str, tuple[Table, ...]] = {
    "published_aggregate": (
        TERRITORIES,
        COMPONENTS,
        ORGANISATIONS,
        TERRITORY_COUNTS,
        ORGANISATION_COMPONENTS,
        PUBLISHED_TOTALS,
    ),
    "record_level": (TERRITORIES, COMPONENTS, ORGANISATIONS, ATTENDANCE),
}

# Rollups: logical views of a record-level dataset that ``store.publish_with`` also writes to parquet
# (computed once per version from attendance), so the dashboard reads a few thousand rows where the
# records are millions. Their SQL is queries/views/record_level/NAME.sql; a version written before
# rollups existed has no such files and ``datasets.attach`` computes the views from attendance.
PARTICIPATION_COUNTS_ROLLUP = Table(
    "participation_counts",
    "one row per component per territory per organisation (rollup of attendance)",
    {
        "component_id": "VARCHAR",
        "territory_id": "VARCHAR",
        "organisation_id": "VARCHAR",
        "participations_count": "INTEGER",
        "organisations_count": "INTEGER",
        "territory_basis": "VARCHAR",
        "source_section": "VARCHAR",
        "records_without_person_key_count": "INTEGER",
    },
    ("component_id", "territory_id", "organisation_id"),
)

PEOPLE_SETS = Table(
    "people_sets",
    "one row per territory per organisation per set of components, for people seen in one place only",
    {
        "territory_id": "VARCHAR",
        "organisation_id": "VARCHAR",
        "component_mask": "UBIGINT",
        "people_count": "INTEGER",
    },
    ("territory_id", "organisation_id", "component_mask"),
)

PEOPLE_SPREAD = Table(
    "people_spread",
    "one row per person per territory per organisation, for people seen in several places",
    {
        "person_id": "INTEGER",
        "territory_id": "VARCHAR",
        "organisation_id": "VARCHAR",
        "component_mask": "UBIGINT",
    },
    ("person_id", "territory_id", "organisation_id"),
)

ORGANISATION_PEOPLE = Table(
    "organisation_people",
    "one row per organisation per component, and per organisation for all components together (component_id NULL)",
    {
        "organisation_id": "VARCHAR",
        "component_id": "VARCHAR",
        "people_count": "INTEGER",
    },
    ("organisation_id", "component_id"),
)

TERRITORY_PEOPLE = Table(
    "territory_people",
    "one row per territory per component",
    {
        "territory_id": "VARCHAR",
        "component_id": "VARCHAR",
        "people_count": "INTEGER",
    },
    ("territory_id", "component_id"),
)

PEOPLE_MASKS = Table(
    "people_masks",
    "one row per scope (all, territory, organisation) per place per set of components",
    {
        "scope": "VARCHAR",
        "territory_id": "VARCHAR",
        "organisation_id": "VARCHAR",
        "component_mask": "UBIGINT",
        "people_count": "INTEGER",
    },
    ("scope", "territory_id", "organisation_id", "component_mask"),
)

ROLLUP_TABLES: dict[str, tuple[Table, ...]] = {
    "published_aggregate": (),
    "record_level": (PARTICIPATION_COUNTS_ROLLUP, PEOPLE_SETS, PEOPLE_SPREAD, ORGANISATION_PEOPLE, TERRITORY_PEOPLE,
                     PEOPLE_MASKS),
}

# stored tables that grow with the records: read from their files by every query, never held in
# memory (every other stored table, and every rollup, is read once when a dataset is attached)
LARGE_TABLES = frozenset({ATTENDANCE.name})

ALL_TABLES = {t.name: t for kind in STORED_TABLES.values() for t in kind}
