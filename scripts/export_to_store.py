"""Write a dataset of data/ in the store layout that CARE_DATA_URL reads (docs/performance.md, "Beyond one machine").

Usage: python scripts/export_to_store.py DATASET DEST [--data-dir DIR] [--partition-by component_id,year]

DEST is the store's root, a local folder: the dataset is written to DEST/DATASET/ as

    dataset.toml                                  (copied as it is, with its kind and version)
    <table>.parquet                               (every stored table and rollup but attendance)
    attendance/component_id=ohs/year=2024/data_0.parquet   (hive-partitioned by --partition-by)

``year`` is year(session_date), a column added only to partition by; the dashboard's attendance
view leaves it out. ``--partition-by ""`` writes attendance as one file too.

The dataset is written into a temporary folder next to DEST/DATASET and renamed into place, so a
failed export leaves nothing half written (an earlier export of the same dataset is replaced).
For object storage, copy the written folder with the cloud's own tool, dataset.toml last, e.g.
``aws s3 sync DEST/DATASET s3://bucket/care/DATASET --exclude dataset.toml`` and then
``aws s3 cp DEST/DATASET/dataset.toml s3://bucket/care/DATASET/`` (or ``gcloud storage rsync``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import uuid
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from care_dashboard import datasets, paths, schema  # noqa: E402

DERIVED = {"year": "year(session_date)"}  # partition columns computed from attendance
DEFAULT_PARTITION_BY = ("component_id", "year")


class ExportError(RuntimeError):
    pass


def partition_columns(text: str) -> tuple[str, ...]:
    columns = tuple(c.strip() for c in text.split(",") if c.strip())
    unknown = [c for c in columns if c not in schema.ATTENDANCE.columns and c not in DERIVED]
    if unknown:
        raise ExportError(
            f"cannot partition attendance by {unknown}: use its columns "
            f"({', '.join(schema.ATTENDANCE.columns)}) or {', '.join(DERIVED)}"
        )
    return columns


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def write_tables(con: duckdb.DuckDBPyConnection, ds: datasets.Dataset, folder: Path,
                 partition_by: tuple[str, ...]) -> None:
    """Every stored table and rollup of ``ds`` that has a file, into ``folder``."""
    for table in (*schema.STORED_TABLES[ds.kind], *schema.ROLLUP_TABLES[ds.kind]):
        source = Path(ds.path) / f"{table.name}.parquet"
        if not source.is_file():
            continue  # a rollup a version written before rollups lacks: the dashboard computes it
        read = f"read_parquet({_sql_string(str(source))})"
        rows = con.execute(f"SELECT count(*) FROM {read}").fetchone()[0]
        if table is schema.ATTENDANCE and partition_by and rows:  # no rows, no partition folders
            derived = "".join(f", {DERIVED[c]} AS {c}" for c in partition_by if c in DERIVED)
            order = ", ".join(f'"{c}"' for c in table.key)
            con.execute(
                f"COPY (SELECT *{derived} FROM {read} ORDER BY {order}) "
                f"TO {_sql_string(str(folder / table.name))} "
                f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({', '.join(partition_by)}))"
            )
        else:
            con.execute(
                f"COPY (SELECT * FROM {read}) TO {_sql_string(str(folder / f'{table.name}.parquet'))} "
                f"(FORMAT parquet, COMPRESSION zstd)"
            )


def export(name: str, dest: Path, data_dir: Path | None = None,
           partition_by: tuple[str, ...] = DEFAULT_PARTITION_BY) -> Path:
    """Write dataset ``name`` of ``data_dir`` to ``dest/name``; returns that folder."""
    partition_columns(",".join(partition_by))
    ds = datasets.load_dataset(name, data_dir)
    if ds.in_store:
        raise ExportError(f"{name!r} is not in {data_dir or paths.DATA_DIR}, it is already in a store")
    dest.mkdir(parents=True, exist_ok=True)
    final = dest / name
    if final.exists() and any(final.iterdir()) and not (final / "dataset.toml").is_file():
        raise ExportError(f"{final} exists and is not an exported dataset; choose another DEST")
    tmp = dest / f".{name}.tmp-{uuid.uuid4().hex[:8]}"
    old = dest / f".{name}.old-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        with duckdb.connect() as con:
            write_tables(con, ds, tmp, partition_by)
        shutil.copyfile(Path(ds.path) / "dataset.toml", tmp / "dataset.toml")
        if final.exists():
            os.rename(final, old)  # a reader may miss the dataset between these two renames
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not final.exists():
            os.rename(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return final


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", help="a dataset of --data-dir, e.g. care_2025_synthetic")
    ap.add_argument("dest", type=Path, help="the store's root folder (what CARE_DATA_URL names)")
    ap.add_argument("--data-dir", type=Path, default=paths.DATA_DIR)
    ap.add_argument("--partition-by", default=",".join(DEFAULT_PARTITION_BY),
                    help="attendance's partition columns, comma-separated (default: %(default)s)")
    args = ap.parse_args(argv)
    try:
        folder = export(args.dataset, args.dest, args.data_dir, partition_columns(args.partition_by))
    except (ExportError, datasets.DatasetError) as exc:
        print(f"export_to_store: {exc}", file=sys.stderr)
        return 2
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    print(f"wrote {folder}: {len(files)} files, {sum(p.stat().st_size for p in files):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
