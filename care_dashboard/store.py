"""Writing a dataset so that no reader ever sees half of it, and a failure loses nothing.

Layout of a dataset written here (record-level datasets: imports, the synthetic demo):

    data/NAME/current -> versions/20261121T061500Z-3f2a9c     (relative symlink)
    data/NAME/versions/20261121T061500Z-3f2a9c/dataset.toml
    data/NAME/versions/20261121T061500Z-3f2a9c/<table>.parquet   (schema.STORED_TABLES[kind])
    data/.NAME.lock                                              (the writers' lock; empty, kept)

``publish`` writes a complete new version in a temporary folder, flushes it to disk, renames it
into ``versions/`` and then replaces the ``current`` link in one atomic rename. Until that last
step the previous version is what every reader sees; after it, the new one. The version before
the previous is removed; the previous one stays a while for readers still using it.

Faults (docs/reliability.md, "Faults during import"):

* One writer at a time per dataset: ``publish`` holds an exclusive ``flock`` on ``data/.NAME.lock``
  (``dataset_lock``; an import holds it from reading the dataset it extends until the switch, so
  two imports never lose each other's sessions). The kernel drops the lock when its holder dies.
  The lock file sits beside the dataset folder, not in it: it exists before the first version,
  survives an operator removing ``data/NAME``, and git ignores it (``/data/*``) beside the
  committed synthetic dataset.
* A writer killed mid-way (SIGKILL, power cut) leaves ``versions/.tmp-ID`` and perhaps the link
  ``.current-ID``, made before the rename and so marking ``versions/ID`` as never made current.
  ``recover`` (store_lock.py) removes them, only while the lock is free (so never a live writer's
  files): at the start of every publish, and cheaply whenever a dataset is loaded
  (``datasets.load_dataset``).
  A complete version without such a link is never removed by it (a rollback made by hand stays).
* A full disk, an exceeded quota, a read-only or unwritable ``data/`` raise ``StoreWriteError``,
  whose message names the folder, what happened and what to do; nothing already stored changes.

The embedded ``care_2025`` dataset is a flat folder built from CSV sources (``build.py``) and is
never written here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd

from . import datasets, paths, schema, store_lock

# the layout, the writers' lock and its errors are shared with the readers (store_lock); named
# here too, where the writers and their callers look
from .store_lock import (  # noqa: F401
    CURRENT,
    LINK_PREFIX,
    TMP_PREFIX,
    VERSIONS,
    WRITE_FAILURE_REASONS,
    StoreBusy,
    StoreError,
    StoreWriteError,
)

log = logging.getLogger(__name__)

LOCK_WAIT_S = 300.0  # how long a second writer waits for the first before giving up (StoreBusy)


@contextlib.contextmanager
def dataset_lock(name: str, data_dir: Path | None = None, wait_s: float | None = None) -> Iterator[None]:
    """Be the only writer of dataset ``name`` for the block (an import: read the current version,
    merge, publish). Waits up to LOCK_WAIT_S for another writer, then raises StoreBusy."""
    datasets.validate_name(name)
    with store_lock.locked((data_dir or paths.DATA_DIR) / name, LOCK_WAIT_S if wait_s is None else wait_s):
        yield


# ---- writing ---------------------------------------------------------------------------------

_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_string(text: str) -> str:
    """A TOML basic string: quotation mark, backslash and every control character escaped,
    U+007F (DEL) included, which json.dumps leaves as it is and TOML forbids (finding 2: one
    title with DEL made dataset.toml unreadable). A lone surrogate, which no UTF-8 file can hold,
    becomes U+FFFD."""
    out = []
    for c in text:
        code = ord(c)
        if c in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[c])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\uFFFD")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, (list, tuple)):  # of strings or numbers (the files an import has read)
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, float):  # TOML spells the special values nan, inf, -inf
        if value != value:
            return "nan"
        return repr(value) if abs(value) != float("inf") else ("inf" if value > 0 else "-inf")
    return _toml_string(str(value))


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
    datasets too large to pass through pandas, written by DuckDB straight to parquet).

    Holds the dataset's lock throughout (waiting for another writer; StoreBusy after LOCK_WAIT_S)
    and first removes what killed writers left. Raises StoreWriteError when the disk refuses a
    write, StoreError or the write's own error otherwise; in every case before the switch, with
    the new version's files removed and the previous version current."""
    datasets.validate_name(name)
    base = (data_dir or paths.DATA_DIR) / name
    if (base / "dataset.toml").exists():
        raise StoreError(
            f"{base} is a built dataset (it has its own dataset.toml); choose another dataset name"
        )
    with store_lock.locked(base, LOCK_WAIT_S):
        try:
            store_lock.clear_leftovers(base)
            return _publish_locked(base, kind, write, metadata)
        except (OSError, duckdb.IOException) as exc:
            explained = store_lock.write_error(exc, base)
            if explained is None:
                raise
            raise explained from exc


def _publish_locked(base: Path, kind: str, write: Callable[[Path], None], metadata: dict) -> Path:
    versions = base / VERSIONS
    created = not base.exists()
    version_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]
    tmp = versions / f"{TMP_PREFIX}{version_id}"
    link_tmp = base / f"{LINK_PREFIX}{version_id}"
    final = versions / version_id
    try:
        versions.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        write(tmp)
        with duckdb.connect() as con:  # the rollups the dashboard reads instead of the records
            datasets.write_rollups(con, tmp, kind)
        missing = [t.name for t in schema.STORED_TABLES[kind] if not (tmp / f"{t.name}.parquet").is_file()]
        if missing:
            raise StoreError(f"the new version lacks tables {missing}")
        meta = {"name": base.name, "kind": kind, **metadata, "version": version_id}
        (tmp / "dataset.toml").write_text(
            "".join(f"{k} = {_toml_value(v)}\n" for k, v in meta.items()), encoding="utf-8"
        )
        _fsync_tree(tmp)
        replaced = store_lock.current_id(base)
        # the new link first: until it replaces `current`, it marks versions/ID as unfinished
        os.symlink(Path(VERSIONS) / version_id, link_tmp)
        _fsync_dir(base)
        os.rename(tmp, final)
        _fsync_dir(versions)  # the new folder's name on disk before `current` points to it
        os.replace(link_tmp, base / CURRENT)  # the atomic step
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if final.exists() and (base / CURRENT).resolve() != final.resolve():
            shutil.rmtree(final, ignore_errors=True)
        if link_tmp.is_symlink():  # last: while it exists, it marks versions/ID as unfinished
            link_tmp.unlink()
        if created:  # the first version failed: leave no empty dataset folder behind
            with contextlib.suppress(OSError):
                versions.rmdir()
                base.rmdir()
        raise
    # From here the new version is what readers see: a failure to tidy up is not a failed publish
    # (it must not say "nothing was changed"); it is logged, and the next publish tidies up.
    try:
        _fsync_dir(base)
    except OSError as exc:
        log.warning("%s: the switch to %s may not be on disk yet: %s", base, version_id, exc)
    try:
        _prune(versions, final, replaced)
    except OSError as exc:
        log.warning("%s: older versions not removed: %s", base, exc)
    return final


def _prune(versions: Path, current: Path, replaced: str | None) -> None:
    """Keep the current version and the one it replaced (readers may still be on it); remove the
    other versions. Only with the lock held: no other writer has a version in the making."""
    for old in versions.iterdir():
        if old.is_dir() and not old.name.startswith(".") and old.name not in (current.name, replaced):
            shutil.rmtree(old, ignore_errors=True)


def current_version(name: str, data_dir: Path | None = None) -> str | None:
    """The id of the version of dataset ``name`` that readers see now (versions/ID), or None when
    there is none. An import compares it, under the dataset's lock, with the version its preview
    was worked out on (``importer.apply``): a version written since is a change it did not count."""
    return store_lock.current_id((data_dir or paths.DATA_DIR) / name)


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
