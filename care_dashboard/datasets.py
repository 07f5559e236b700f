"""Datasets in ``data/`` and the one place that maps logical views to their parquet files.

Each dataset is a folder ``data/NAME/`` with ``dataset.toml`` (descriptive metadata) and one parquet
file per stored table (see ``schema.STORED_TABLES``). ``attach`` gives it a DuckDB schema named
``ds_NAME`` holding, whatever the dataset's kind, the same logical views:

    territories, components, organisations, participation_counts, organisation_components,
    published_totals, attendance

plus the selection macros of ``queries/views/selection.sql``. Named queries use only those names,
never file paths, so the same query serves a published-aggregate and a record-level dataset.

A second place may hold datasets: the store named by ``CARE_DATA_URL`` (``settings.data_url``), a
local folder or an object store (s3://, gs://). Object stores have no symlinks and no rename, so a
store dataset is laid out flat, as ``scripts/export_to_store.py`` writes it:

    <root>/<name>/dataset.toml                  (the same keys as above, incl. kind and version)
    <root>/<name>/<table>.parquet               (a stored table or rollup in one file), or
    <root>/<name>/<table>/**/*.parquet          (in many files, possibly hive-partitioned:
                                                  attendance/component_id=ohs/year=2024/data_0.parquet)

Everything about a store dataset (finding it, reading its metadata, listing and reading its
files) goes through DuckDB, so the same code serves a local folder and object storage. Its views
read the files found when it was loaded; the file list is part of its version.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import paths, schema, settings, store_lock

log = logging.getLogger(__name__)

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
    path: Path | str
    kind: str
    title_en: str
    title_es: str
    is_synthetic: bool
    metadata: dict = field(hash=False, compare=False)

    version: str = field(default="", compare=False)
    # Datasets of the store (CARE_DATA_URL): the parquet files of each stored table and rollup
    # found there, ((table, (file, ...)), ...). Empty for datasets under data/, whose files are
    # ``path / "<table>.parquet"``. ``path`` of a store dataset is its URL (a str for s3://, gs://).
    store_files: tuple[tuple[str, tuple[str, ...]], ...] = field(default=(), compare=False)

    @property
    def in_store(self) -> bool:
        return bool(self.store_files)

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

    def text(self, key: str, lang: str) -> str:
        """A descriptive text of ``dataset.toml`` in ``lang``: ``KEY_LANG`` when the file has it
        (``source_citation_es``), else ``KEY`` (a licence name reads the same in every language),
        else empty."""
        value = self.metadata.get(f"{key}_{lang}", self.metadata.get(key, ""))
        return str(value) if value is not None else ""


def version_of(folder: Path) -> str:
    """Changes whenever the dataset is rewritten: its folder (a new version of a published
    dataset) and the stamps of its parquet files (a rebuilt flat dataset)."""
    stamps = sorted(
        f"{p.name}:{p.stat().st_mtime_ns}:{p.stat().st_size}" for p in folder.glob("*.parquet")
    )
    return "|".join([str(folder), *stamps])


def validate_name(name: str) -> str:
    # fullmatch: with match, "$" also accepts a final newline ("abc\n": security_probe.md, 16)
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
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
    """The dataset ``name`` under ``data_dir`` (data/); failing that, the store's (CARE_DATA_URL)."""
    validate_name(name)
    store_lock.recover((data_dir or paths.DATA_DIR) / name)  # what a killed import left, if none runs now
    folder = dataset_root((data_dir or paths.DATA_DIR) / name)
    meta_file = folder / "dataset.toml"
    if not meta_file.is_file():
        url = settings.data_url()
        if url:
            with _store_connection(url) as con:
                return _load_from_store(con, url, name)
        raise DatasetError(f"{meta_file}: no dataset.toml, so {name!r} is not a dataset")
    meta = read_metadata(meta_file)
    kind = _kind_of(meta, meta_file)
    for table in schema.STORED_TABLES[kind]:
        if not (folder / f"{table.name}.parquet").is_file():
            raise DatasetError(f"{folder}: {table.name}.parquet is missing")
    return _from_meta(name, folder, kind, meta, version_of(folder))


def read_metadata(meta_file: Path) -> dict:
    """A dataset.toml as a dict; DatasetError naming the file when it cannot be read or parsed."""
    try:
        return tomllib.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DatasetError(f"{meta_file}: cannot be read ({exc})") from None


def _from_meta(name: str, path, kind: str, meta: dict, version: str, **extra) -> Dataset:
    """A Dataset from its dataset.toml, with the same title and flag defaults wherever it is read
    (a folder of data/ or a store)."""
    return Dataset(
        name=name,
        path=path,
        kind=kind,
        title_en=meta.get("title_en", name),
        title_es=meta.get("title_es", meta.get("title_en", name)),
        is_synthetic=bool(meta.get("is_synthetic", False)),
        metadata=meta,
        version=version,
        **extra,
    )


def list_datasets(data_dir: Path | None = None) -> list[Dataset]:
    """Every valid dataset folder under ``data/`` and, when CARE_DATA_URL is set, every valid
    dataset of that store whose name no dataset under ``data/`` has; the default first.

    A dataset that cannot be loaded, for whatever reason (a dataset.toml that is not TOML, a
    missing table, a damaged link), is left out and logged once: one broken dataset never
    takes the others, or the dashboard, down (security_probe.md, finding 2)."""
    base = data_dir or paths.DATA_DIR
    found = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        if not _NAME_RE.fullmatch(folder.name) or not (dataset_root(folder) / "dataset.toml").is_file():
            continue
        try:
            found.append(load_dataset(folder.name, base))
        except Exception as exc:  # noqa: BLE001 - whatever it is, the other datasets stay usable
            _warn_once(f"dataset {folder.name!r} in {base} is skipped: {type(exc).__name__}: {exc}")
            continue
    url = settings.data_url()
    if url:
        local = {d.name for d in found}
        for ds in store_datasets(url):
            if ds.name in local:
                _warn_once(f"CARE_DATA_URL: dataset {ds.name!r} of {url} is skipped: "
                           f"{base / ds.name} has the same name (rename one of them)")
            else:
                found.append(ds)
    found.sort(key=lambda d: (d.name != paths.DEFAULT_DATASET, d.name))
    return found


# ---- datasets of the store (CARE_DATA_URL) -------------------------------------------------

# dashboard.py lists the datasets on every rerun; listing an object store costs a LIST request
# per dataset and a HEAD per file, so its listing is kept this long. A local store is read afresh.
REMOTE_LISTING_TTL_S = 60.0
_listing_cache: dict[str, tuple[float, list[Dataset]]] = {}
_listing_lock = threading.Lock()
_warned: set[str] = set()


def _warn_once(message: str) -> None:
    """Log a warning once per process, not at every rerun of the dashboard."""
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def is_remote(url: str) -> bool:
    return "://" in url


def configure_remote(con: duckdb.DuckDBPyConnection, url: str) -> None:
    """Let ``con`` read an object store: DuckDB's httpfs extension, and for s3:// a secret from
    the credential chain (environment variables, ~/.aws, the instance's role: never the repo).
    For gs://, httpfs reads with a DuckDB secret of TYPE gcs (HMAC keys) created on the server
    as a persistent secret, outside the repo.

    Not exercised by the tests, which run offline (the extension is downloaded on first use);
    kept this small for that reason. Nothing calls it for a local store or when CARE_DATA_URL
    is unset."""
    con.execute("INSTALL httpfs")
    con.execute("LOAD httpfs")
    if url.startswith("s3://"):
        con.execute("CREATE SECRET IF NOT EXISTS care_data_url (TYPE s3, PROVIDER credential_chain)")


def _store_connection(url: str) -> duckdb.DuckDBPyConnection:
    """A connection of its own for finding datasets in the store (not the dashboard's)."""
    con = duckdb.connect()
    if is_remote(url):
        configure_remote(con, url)
    return con


def _glob(con: duckdb.DuckDBPyConnection, pattern: str) -> list[str]:
    return sorted(r[0] for r in con.execute("SELECT file FROM glob($p)", {"p": pattern}).fetchall())


def store_datasets(url: str) -> list[Dataset]:
    """The valid datasets of the store at ``url``: each folder with a dataset.toml. A dataset
    that cannot be read is left out with a warning; a store that cannot be read gives none,
    with an error logged, so the datasets under data/ stay usable."""
    remote = is_remote(url)
    with _listing_lock:
        cached = _listing_cache.get(url)
        if remote and cached and time.monotonic() - cached[0] < REMOTE_LISTING_TTL_S:
            return cached[1]
    found = []
    try:
        with _store_connection(url) as con:
            for toml in _glob(con, f"{url}/*/dataset.toml"):
                name = toml.rsplit("/", 2)[-2]
                if not _NAME_RE.fullmatch(name):
                    continue
                try:
                    found.append(_load_from_store(con, url, name))
                except (DatasetError, duckdb.Error) as exc:
                    _warn_once(f"CARE_DATA_URL: dataset {name!r} of {url} is skipped: {exc}")
    except duckdb.Error as exc:
        log.error("CARE_DATA_URL: cannot list the datasets of %s: %s", url, exc)
        return []
    if remote:
        with _listing_lock:
            _listing_cache[url] = (time.monotonic(), found)
    return found


def _load_from_store(con: duckdb.DuckDBPyConnection, url: str, name: str) -> Dataset:
    base = f"{url}/{name}"
    rows = con.execute("SELECT content FROM read_text($f)", {"f": f"{base}/dataset.toml"}).fetchall()
    if not rows:
        raise DatasetError(f"{base}/dataset.toml: not found, so {name!r} is not a dataset")
    try:
        meta = tomllib.loads(rows[0][0])
    except tomllib.TOMLDecodeError as exc:
        raise DatasetError(f"{base}/dataset.toml: {exc}") from None
    kind = _kind_of(meta, f"{base}/dataset.toml")
    known = {t.name for t in (*schema.STORED_TABLES[kind], *schema.ROLLUP_TABLES[kind])}
    files: dict[str, list[str]] = {}
    single: set[str] = set()
    for file in _glob(con, f"{base}/**/*.parquet"):
        relative = _below(base, name, file)
        table = relative.split("/", 1)[0].removesuffix(".parquet")
        if table in known:
            files.setdefault(table, []).append(file)
            if "/" not in relative:
                single.add(table)
    for table in single:
        if len(files[table]) > 1:
            raise DatasetError(f"{base}: {table} is both a file {table}.parquet and a folder {table}/")
    missing = [t.name for t in schema.STORED_TABLES[kind] if t.name not in files]
    if missing:
        raise DatasetError(f"{base}: no parquet files for {', '.join(missing)}")
    stamps = con.execute(
        "SELECT filename, size, epoch_ms(last_modified) FROM read_blob($f) ORDER BY filename",
        {"f": [f for table_files in files.values() for f in table_files]},
    ).fetchall()
    version = "|".join([
        base,
        str(meta.get("version", "")),
        hashlib.sha1(rows[0][0].encode()).hexdigest(),  # dataset.toml as written
        *(f"{_below(base, name, f)}:{size}:{modified}" for f, size, modified in stamps),
    ])
    return _from_meta(name, base, kind, meta, version,
                      store_files=tuple(sorted((t, tuple(fs)) for t, fs in files.items())))


def _below(base: str, name: str, file: str) -> str:
    """The path of ``file`` below the dataset's folder ``base`` (glob may spell the root apart,
    e.g. gcs:// for gs://)."""
    return file[len(base) + 1 :] if file.startswith(base + "/") else file.rsplit(f"/{name}/", 1)[1]


def _kind_of(meta: dict, where) -> str:
    kind = meta.get("kind")
    if kind not in schema.DATASET_KINDS:
        raise DatasetError(f"{where}: kind must be one of {schema.DATASET_KINDS}, not {kind!r}")
    return kind


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _read_sql(dataset: Dataset, table: schema.Table) -> str | None:
    """A SELECT reading ``table`` from the dataset's parquet files, or None when it has none.

    A store dataset's files are read by name (those found when it was loaded), by their column
    names (a partition may lack a column) and with hive partitioning. Partition values are read
    as text, not guessed (an id "007" must stay "007"), and every column is cast to the schema's
    type and named: so the view has exactly the schema's columns and types, and a column added
    only to partition by (attendance's year) stays out. A cast to the type a column already has
    is no cast, so filters still reach the parquet reader and prune partitions."""
    if not dataset.in_store:
        parquet = Path(dataset.path) / f"{table.name}.parquet"
        if table in schema.ROLLUP_TABLES[dataset.kind] and not parquet.is_file():
            return None
        return f"SELECT * FROM read_parquet({_sql_string(str(parquet))})"
    files = dict(dataset.store_files).get(table.name)
    if not files:
        return None
    columns = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in table.columns.items())
    listed = ", ".join(_sql_string(f) for f in files)
    return (
        f"SELECT {columns} FROM read_parquet([{listed}], hive_partitioning = true, "
        f"union_by_name = true, hive_types_autocast = false)"
    )


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
    if dataset.in_store and is_remote(str(dataset.path)):
        configure_remote(con, str(dataset.path))
    cur = con.cursor()
    s = dataset.schema_name
    cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{s}"')
    cur.execute(f"SET search_path = '{s}'")
    for table in schema.STORED_TABLES[dataset.kind]:
        select = _read_sql(dataset, table)
        if select is None:  # loading a dataset refuses one without them: never reached
            raise DatasetError(f"dataset {dataset.name!r} has no parquet files for {table.name}")
        _create(cur, s, table.name, select, in_memory=table.name not in schema.LARGE_TABLES)
    rollups = {t.name: t for t in schema.ROLLUP_TABLES[dataset.kind]}
    for view_name, sql_file in view_sql_files(dataset.kind).items():
        # a rollup written at publish is read from its files; without them, computed by its SQL
        body = _read_sql(dataset, rollups[view_name]) if view_name in rollups else None
        _create(cur, s, view_name, body or sql_file.read_text(encoding="utf-8"), in_memory=body is not None)
    cur.execute((paths.VIEWS_DIR / "selection.sql").read_text(encoding="utf-8"))
    missing = set(LOGICAL_VIEWS) - {
        r[0]
        for r in cur.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = $s "
            "UNION ALL SELECT table_name FROM duckdb_tables() WHERE schema_name = $s", {"s": s}
        ).fetchall()
    }
    if missing:
        raise DatasetError(f"dataset {dataset.name!r} lacks logical views: {sorted(missing)}")
    cur.close()


def _create(cur, schema_name: str, name: str, select: str, in_memory: bool) -> None:
    """``name`` in the schema: a table held in memory (a small stored table or a rollup read from
    its files: read once, not parsed from parquet by every query) or a view (the attendance
    records, which stay on disk, and the logical views)."""
    kind = "TABLE" if in_memory else "VIEW"
    cur.execute(f'CREATE OR REPLACE {kind} "{schema_name}"."{name}" AS\n{select}')


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
