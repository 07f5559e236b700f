"""Build a published-aggregate dataset's parquet files from its readable CSV sources.

``data/NAME/source/TABLE.csv`` -> ``data/NAME/TABLE.parquet``, typed by ``schema.py``. An empty
CSV cell is NULL ("not published"), never 0. Checks run before anything is written; the parquet
files are written to a temporary folder and moved into place only when all of them succeeded.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from . import schema


class SourceError(ValueError):
    pass


def read_source_sql(csv_path: Path, table: schema.Table) -> str:
    """SQL that reads one source CSV with the table's exact types."""
    cols = ", ".join(f"'{c}': '{t}'" for c, t in table.columns.items())
    path = str(csv_path).replace("'", "''")
    return (
        f"SELECT * FROM read_csv('{path}', header = true, columns = {{{cols}}}, "
        f"nullstr = '', auto_detect = false, quote = '\"', delim = ',')"
    )


def _checks(table: schema.Table) -> list[tuple[str, str]]:
    """(description, SQL returning offending rows) for one source table, run on view `src`."""
    key = ", ".join(table.key)
    checks = [
        (f"{key} is unique", f"SELECT {key}, count(*) AS n FROM src GROUP BY ALL HAVING n > 1"),
    ]
    enums = {
        "participation_status": schema.PARTICIPATION_STATUSES,
        "territory_basis": schema.TERRITORY_BASES,
        "audience_id": schema.AUDIENCES,
        "reach_unit": schema.REACH_UNITS,
    }
    for col, allowed in enums.items():
        if col in table.columns:
            values = ", ".join(f"'{v}'" for v in allowed)
            checks.append((f"{col} in ({values})", f"SELECT * FROM src WHERE {col} NOT IN ({values})"))
    for col in table.columns:
        if col.endswith("_count") or col == "published_value":
            checks.append((f"{col} is not negative", f"SELECT * FROM src WHERE {col} < 0"))
    if table.name == "organisation_components":
        checks.append(
            (
                "participations_count is set exactly when status is count_published",
                "SELECT * FROM src WHERE (participations_count IS NOT NULL) "
                "<> (participation_status = 'count_published')",
            )
        )
    return checks


def build(dataset_dir: Path) -> list[Path]:
    """Check the sources of a published-aggregate dataset and write its parquet files atomically."""
    tables = schema.STORED_TABLES["published_aggregate"]
    con = duckdb.connect()
    problems: list[str] = []
    for table in tables:
        csv_path = dataset_dir / "source" / f"{table.name}.csv"
        if not csv_path.is_file():
            problems.append(f"{csv_path}: missing; write it with columns {', '.join(table.columns)}")
            continue
        try:
            con.execute(f"CREATE OR REPLACE TABLE {table.name} AS {read_source_sql(csv_path, table)}")
        except duckdb.Error as exc:
            problems.append(f"{csv_path}: cannot be read with the expected columns and types: {exc}")
            continue
        con.execute(f"CREATE OR REPLACE VIEW src AS SELECT * FROM {table.name}")
        for description, sql in _checks(table):
            bad = con.execute(sql).fetchall()
            if bad:
                problems.append(f"{csv_path}: {description} fails for {bad[:3]}")
    if not problems:
        problems += _foreign_key_problems(con, dataset_dir)
    if problems:
        raise SourceError("\n".join(problems))

    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=dataset_dir))
    try:
        written = []
        for table in tables:
            target = tmp / f"{table.name}.parquet"
            con.execute(f"COPY {table.name} TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
            written.append(target)
        final = []
        for path in written:
            dest = dataset_dir / path.name
            os.replace(path, dest)
            final.append(dest)
        return final
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _foreign_key_problems(con: duckdb.DuckDBPyConnection, dataset_dir: Path) -> list[str]:
    refs = [
        ("organisations", "territory_id", "territories"),
        ("territory_counts", "territory_id", "territories"),
        ("territory_counts", "component_id", "components"),
        ("organisation_components", "organisation_id", "organisations"),
        ("organisation_components", "component_id", "components"),
        ("published_totals", "component_id", "components"),
        ("published_totals", "territory_id", "territories"),
    ]
    problems = []
    for table, col, parent in refs:
        bad = con.execute(
            f"SELECT DISTINCT {col} FROM {table} WHERE {col} IS NOT NULL "
            f"AND {col} NOT IN (SELECT {col} FROM {parent})"
        ).fetchall()
        if bad:
            problems.append(
                f"{dataset_dir / 'source' / (table + '.csv')}: {col} values {bad} are not in {parent}.csv"
            )
    return problems
