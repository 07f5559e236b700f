"""Datasets in ``data/`` and the one place that maps logical views to their parquet files.

Each dataset is a folder ``data/NAME/`` with ``dataset.toml`` (descriptive metadata) and one parquet
file per stored table (see ``schema.STORED_TABLES``). ``attach`` gives it a DuckDB schema named
``ds_NAME`` holding, whatever the dataset's kind, the same logical views:

    territories, components, organisations, participation_counts, organisation_components,
    published_totals, attendance

plus the selection macros of ``queries/views/selection.sql``. Named queries use only those names,
never file paths, so the same query serves a published-aggregate and a record-level dataset.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import paths, schema

LOGICAL_VIEWS = (
    "territories",
    "components",
    "organisations",
    "participation_counts",
    "organisation_components",
    "published_totals",
    "attendance",
)

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,62}$")


class DatasetError(ValueError):
    """A dataset folder is missing, malformed or named with characters we do not accept."""


@dataclass(frozen=True)
class Dataset:
    name: str
    path: Path
    kind: str
    title_en: str
    title_es: str
    is_synthetic: bool
    metadata: dict = field(hash=False, compare=False)

    version: str = field(default="", compare=False)

    @property
    def schema_name(self) -> str:
        """One DuckDB schema per dataset *version*: a new version gets new views, so a query
        that is running on the old version is never switched under it."""
        return f"ds_{self.name}_{hashlib.sha1(self.version.encode()).hexdigest()[:10]}"

    @property
    def has_person_keys(self) -> bool:
        return self.kind == "record_level"

    def title(self, lang: str) -> str:
        return self.title_es if lang == "es" else self.title_en


def version_of(folder: Path) -> str:
    """Changes whenever the dataset is rewritten: its folder (a new version of a published
    dataset) and the stamps of its parquet files (a rebuilt flat dataset)."""
    stamps = sorted(
        f"{p.name}:{p.stat().st_mtime_ns}:{p.stat().st_size}" for p in folder.glob("*.parquet")
    )
    return "|".join([str(folder), *stamps])


def validate_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise DatasetError(
            f"dataset name {name!r} is not valid: use lower-case letters, digits and underscores"
        )
    return name


def dataset_root(folder: Path) -> Path:
    """Where a dataset's files are: the folder itself (built datasets such as care_2025), or the
    version its ``current`` link points to (datasets written by ``store.publish``)."""
    current = folder / "current"
    return current.resolve() if current.is_symlink() or current.is_dir() else folder


def load_dataset(name: str, data_dir: Path | None = None) -> Dataset:
    validate_name(name)
    folder = dataset_root((data_dir or paths.DATA_DIR) / name)
    meta_file = folder / "dataset.toml"
    if not meta_file.is_file():
        raise DatasetError(f"{meta_file}: no dataset.toml, so {name!r} is not a dataset")
    meta = tomllib.loads(meta_file.read_text(encoding="utf-8"))
    kind = meta.get("kind")
    if kind not in schema.DATASET_KINDS:
        raise DatasetError(f"{meta_file}: kind must be one of {schema.DATASET_KINDS}, not {kind!r}")
    for table in schema.STORED_TABLES[kind]:
        if not (folder / f"{table.name}.parquet").is_file():
            raise DatasetError(f"{folder}: {table.name}.parquet is missing")
    return Dataset(
        name=name,
        path=folder,
        kind=kind,
        title_en=meta.get("title_en", name),
        title_es=meta.get("title_es", meta.get("title_en", name)),
        is_synthetic=bool(meta.get("is_synthetic", False)),
        metadata=meta,
        version=version_of(folder),
    )


def list_datasets(data_dir: Path | None = None) -> list[Dataset]:
    """Every valid dataset folder under ``data/``, the default first."""
    base = data_dir or paths.DATA_DIR
    found = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        if not _NAME_RE.match(folder.name) or not (dataset_root(folder) / "dataset.toml").is_file():
            continue
        try:
            found.append(load_dataset(folder.name, base))
        except DatasetError:
            continue
    found.sort(key=lambda d: (d.name != paths.DEFAULT_DATASET, d.name))
    return found


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def view_sql_files(kind: str) -> dict[str, Path]:
    """Logical views defined in SQL for a kind of dataset, by view name, in the order they are
    created: the views common to both kinds, then the kind's rollups (other views read them), then
    the rest alphabetically."""
    rollups = {t.name for t in schema.ROLLUP_TABLES[kind]}
    common = sorted((paths.VIEWS_DIR / "common").glob("*.sql"))
    own = sorted((paths.VIEWS_DIR / kind).glob("*.sql"), key=lambda p: (p.stem not in rollups, p.stem))
    return {p.stem: p for p in [*common, *own]}


def attach(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    """(Re)create the dataset's schema: stored tables as views over parquet, then logical views.

    Identifiers cannot be bound as parameters; the schema name comes from a validated dataset
    name and file paths are quoted as SQL string literals.
    """
    cur = con.cursor()
    s = dataset.schema_name
    cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{s}"')
    cur.execute(f"SET search_path = '{s}'")
    for table in schema.STORED_TABLES[dataset.kind]:
        parquet = dataset.path / f"{table.name}.parquet"
        cur.execute(
            f'CREATE OR REPLACE VIEW "{s}"."{table.name}" AS '
            f"SELECT * FROM read_parquet({_sql_string(str(parquet))})"
        )
    for view_name, sql_file in view_sql_files(dataset.kind).items():
        rollup = dataset.path / f"{view_name}.parquet"
        if view_name in {t.name for t in schema.ROLLUP_TABLES[dataset.kind]} and rollup.is_file():
            body = f"SELECT * FROM read_parquet({_sql_string(str(rollup))})"  # written at publish
        else:
            body = sql_file.read_text(encoding="utf-8")
        cur.execute(f'CREATE OR REPLACE VIEW "{s}"."{view_name}" AS\n{body}')
    cur.execute((paths.VIEWS_DIR / "selection.sql").read_text(encoding="utf-8"))
    missing = set(LOGICAL_VIEWS) - {
        r[0]
        for r in cur.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = $s", {"s": s}
        ).fetchall()
    }
    if missing:
        raise DatasetError(f"dataset {dataset.name!r} lacks logical views: {sorted(missing)}")
    cur.close()


def write_rollups(con: duckdb.DuckDBPyConnection, folder: Path, kind: str) -> None:
    """Write the rollups of the dataset version in ``folder`` (its stored tables already written)
    next to them, from the same SQL the views use, sorted by their key so filters read few pages."""
    rollups = schema.ROLLUP_TABLES[kind]
    if not rollups:
        return
    draft = Dataset(name="rollup_draft", path=folder, kind=kind, title_en="", title_es="",
                    is_synthetic=False, metadata={}, version=f"draft:{folder}")
    attach(con, draft)
    con.execute(f"SET search_path = {_sql_string(draft.schema_name)}")
    for table in rollups:
        casts = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in table.columns.items())
        order = ", ".join(f'"{c}"' for c in table.key)
        target = _sql_string(str(folder / f"{table.name}.parquet"))
        con.execute(
            f'COPY (SELECT {casts} FROM "{draft.schema_name}"."{table.name}" ORDER BY {order}) '
            f"TO {target} (FORMAT parquet, COMPRESSION zstd)"
        )
    con.execute(f'DROP SCHEMA "{draft.schema_name}" CASCADE')
