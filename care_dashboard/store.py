"""Writing a dataset so that no reader ever sees half of it, and a failure loses nothing.

Layout of a dataset written here (record-level datasets: imports, the synthetic demo):

    data/NAME/current -> versions/20261121T061500Z-3f2a9c     (relative symlink)
    data/NAME/versions/20261121T061500Z-3f2a9c/dataset.toml
    data/NAME/versions/20261121T061500Z-3f2a9c/<table>.parquet   (schema.STORED_TABLES[kind])

``publish`` writes a complete new version in a temporary folder, flushes it to disk, renames it
into ``versions/`` and then replaces the ``current`` link in one atomic rename. Until that last
step the previous version is what every reader sees; after it, the new one. The version before
the previous is removed; the previous one stays a while for readers still using it.

The embedded ``care_2025`` dataset is a flat folder built from CSV sources (``build.py``) and is
never written here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from . import datasets, paths, schema

CURRENT = "current"
VERSIONS = "versions"
KEEP_VERSIONS = 2


class StoreError(RuntimeError):
    pass


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for file in path.iterdir():
        with open(file, "rb") as f:
            os.fsync(f.fileno())
    _fsync_dir(path)


def write_tables(folder: Path, kind: str, tables: dict[str, pd.DataFrame]) -> None:
    """One parquet file per stored table of ``kind``, with exactly the schema's columns and types."""
    con = duckdb.connect()
    try:
        for table in schema.STORED_TABLES[kind]:
            if table.name not in tables:
                raise StoreError(f"table {table.name!r} is missing")
            df = tables[table.name]
            missing = [c for c in table.columns if c not in df.columns]
            if missing:
                raise StoreError(f"table {table.name!r} lacks columns {missing}")
            con.register("incoming", df[list(table.columns)])
            casts = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in table.columns.items())
            order = ", ".join(f'"{c}"' for c in table.key)
            target = str(folder / f"{table.name}.parquet").replace("'", "''")
            con.execute(
                f"COPY (SELECT {casts} FROM incoming ORDER BY {order}) TO '{target}' "
                f"(FORMAT parquet, COMPRESSION zstd)"
            )
            con.unregister("incoming")
    finally:
        con.close()


def publish(
    name: str,
    kind: str,
    tables: dict[str, pd.DataFrame],
    metadata: dict,
    data_dir: Path | None = None,
) -> Path:
    """Write a new version of dataset ``name`` and make it current atomically. Returns its folder."""
    return publish_with(name, kind, lambda folder: write_tables(folder, kind, tables), metadata, data_dir)


def publish_with(
    name: str,
    kind: str,
    write: Callable[[Path], None],
    metadata: dict,
    data_dir: Path | None = None,
) -> Path:
    """As ``publish``, with ``write(folder)`` writing the parquet files of the new version (for
    datasets too large to pass through pandas, written by DuckDB straight to parquet)."""
    datasets.validate_name(name)
    base = (data_dir or paths.DATA_DIR) / name
    if (base / "dataset.toml").exists():
        raise StoreError(
            f"{base} is a built dataset (it has its own dataset.toml); choose another dataset name"
        )
    versions = base / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    version_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]
    tmp = versions / f".tmp-{version_id}"
    link_tmp = base / f".{CURRENT}-{version_id}"
    final = versions / version_id
    try:
        tmp.mkdir()
        write(tmp)
        with duckdb.connect() as con:  # the rollups the dashboard reads instead of the records
            datasets.write_rollups(con, tmp, kind)
        missing = [t.name for t in schema.STORED_TABLES[kind] if not (tmp / f"{t.name}.parquet").is_file()]
        if missing:
            raise StoreError(f"the new version lacks tables {missing}")
        meta = {"name": name, "kind": kind, **metadata, "version": version_id}
        (tmp / "dataset.toml").write_text(
            "".join(f"{k} = {_toml_value(v)}\n" for k, v in meta.items()), encoding="utf-8"
        )
        _fsync_tree(tmp)
        os.rename(tmp, final)
        os.symlink(Path(VERSIONS) / version_id, link_tmp)
        os.replace(link_tmp, base / CURRENT)  # the atomic step
        _fsync_dir(base)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if link_tmp.is_symlink():
            link_tmp.unlink()
        if final.exists() and (base / CURRENT).resolve() != final.resolve():
            shutil.rmtree(final, ignore_errors=True)
        raise
    _prune(versions, final)
    return final


def _prune(versions: Path, current: Path) -> None:
    """Keep the current version and the one before; remove older ones and stray temporaries."""
    done = sorted((p for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
    for old in done[:-KEEP_VERSIONS]:
        if old.resolve() != current.resolve():
            shutil.rmtree(old, ignore_errors=True)


def current_tables(name: str, data_dir: Path | None = None) -> dict[str, pd.DataFrame] | None:
    """The stored tables of the current version of a record-level dataset, or None if there is none."""
    base = (data_dir or paths.DATA_DIR) / name
    if not (base / CURRENT).exists():
        return None
    folder = (base / CURRENT).resolve()
    con = duckdb.connect()
    try:
        return {
            t.name: con.execute(
                f"SELECT * FROM read_parquet('{str(folder / (t.name + '.parquet'))}')"
            ).df()
            for t in schema.STORED_TABLES["record_level"]
        }
    finally:
        con.close()
