"""What writing a dataset (``store``) shares with reading it (``datasets``): the layout of a
written dataset's folder, the writers' lock and its errors, and the removal of what killed writers
left (``recover``), which a reader does too whenever it loads a dataset. Both import this module;
store imports datasets (its names, the rollups' SQL), datasets never imports store.

The layout, the lock and the faults are described in store.py.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

CURRENT = "current"
VERSIONS = "versions"
TMP_PREFIX = ".tmp-"  # versions/.tmp-ID: a version being written
LINK_PREFIX = f".{CURRENT}-"  # NAME/.current-ID: the new link, from before the rename until it replaces `current`
_VERSION_ID = re.compile(r"\d{8}T\d{12}Z-[0-9a-f]{6}")
_LOCK_POLL_S = 0.05


class StoreError(RuntimeError):
    pass


class StoreBusy(StoreError):
    """Another writer held the dataset's lock for longer than the wait asked (``store.LOCK_WAIT_S``):
    nothing was changed."""

    def __init__(self, name: str, waited_s: float, lock: Path):
        super().__init__(
            f"another import into {name} is still running (waited {waited_s:g} s for it to finish; "
            f"its lock is {lock}). Nothing was changed: import again when it has finished."
        )
        self.name = name


# errno -> (reason, what happened, what to do); the reason names the Import page's text
# (import.write_REASON in content/i18n/import/)
_WRITE_FAILURES = {
    errno.ENOSPC: ("disk_full", "the disk is full",
                   "Free space on the disk that holds {data_dir}, then try again"),
    errno.EDQUOT: ("quota", "the disk quota of the user running this is used up",
                   "Free space within that user's quota (or ask for a larger one), then try again"),
    errno.EROFS: ("read_only", "the file system is read-only",
                  "Make {data_dir} writable (mount it read-write), then try again"),
    errno.EACCES: ("not_writable", "the user running this may not write there",
                   "Make {data_dir} writable for that user, then try again"),
    errno.EPERM: ("not_writable", "the user running this may not write there",
                  "Make {data_dir} writable for that user, then try again"),
}
WRITE_FAILURE_REASONS = tuple(dict.fromkeys(r for r, _, _ in _WRITE_FAILURES.values()))


class StoreWriteError(StoreError):
    """The disk refused a write (full, over quota, read-only, not writable). Raised before the
    switch, after the new version's files were removed: nothing already stored changed.
    ``reason`` is one of WRITE_FAILURE_REASONS."""

    def __init__(self, folder: Path, code: int):
        reason, what, todo = _WRITE_FAILURES[code]
        super().__init__(
            f"cannot write {folder}: {what} ({os.strerror(code)}). Nothing was changed: the dataset "
            f"keeps the version it had. {todo.format(data_dir=folder.parent)}."
        )
        self.folder = folder
        self.reason = reason
        self.errno = code


def _errno_of(exc: BaseException) -> int | None:
    """The errno of an OSError, or of a DuckDB IO error (DuckDB writes the parquet files and
    reports a full disk as 'IO Error: ... "errno":"28"', a read-only one by its strerror only)."""
    if isinstance(exc, OSError):
        return exc.errno
    if isinstance(exc, duckdb.IOException):
        text = str(exc)
        found = re.search(r'"errno"\s*:\s*"(\d+)"', text)
        if found:
            return int(found.group(1))
        return next((code for code in _WRITE_FAILURES if os.strerror(code) in text), None)
    return None


def write_error(exc: BaseException, folder: Path) -> BaseException | None:
    """The error to raise instead of ``exc`` from writing ``folder``, or None to re-raise it."""
    code = _errno_of(exc)
    if code in _WRITE_FAILURES:
        return StoreWriteError(folder, code)
    if isinstance(exc, duckdb.IOException):  # any other IO error: a StoreError, not a traceback
        return StoreError(f"cannot write {folder}: {exc}. Nothing was changed: the dataset keeps the version it had.")
    return None


# ---- one writer at a time ------------------------------------------------------------------

_held = threading.local()  # the lock files this thread holds (a publish inside an import's lock)


def _held_locks() -> set[str]:
    if not hasattr(_held, "paths"):
        _held.paths = set()
    return _held.paths


def lock_file(folder: Path) -> Path:
    """The lock of the dataset folder ``folder`` (data/NAME): data/.NAME.lock."""
    return folder.parent.resolve() / f".{folder.name}.lock"


@contextlib.contextmanager
def locked(folder: Path, wait_s: float) -> Iterator[None]:
    """Hold the exclusive lock of ``folder``, waiting at most ``wait_s`` for another writer.
    Re-entrant within a thread; other threads and processes wait (flock locks belong to an open
    file, so two opens in one process exclude each other too)."""
    lock = lock_file(folder)
    held = _held_locks()
    if str(lock) in held:
        yield
        return
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        # read-only suffices for flock, so an existing lock opens on a read-only file system too
        fd = os.open(lock, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        explained = write_error(exc, folder)
        if explained is None:
            raise
        raise explained from exc
    try:
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - started >= wait_s:
                    raise StoreBusy(folder.name, wait_s, lock) from None
                time.sleep(_LOCK_POLL_S)
        held.add(str(lock))
        try:
            yield
        finally:
            held.discard(str(lock))
    finally:
        os.close(fd)  # releases the lock


# ---- leftovers of killed writers -------------------------------------------------------------

def current_id(folder: Path) -> str | None:
    """The version id ``current`` points to (versions/ID), or None when there is no such link."""
    try:
        target = Path(os.readlink(folder / CURRENT))
    except OSError:
        return None
    return target.name if target.parts[:-1] == (VERSIONS,) else None


def leftovers(folder: Path) -> list[Path]:
    """What writers that died left in the dataset folder ``folder``: temporary versions
    (versions/.tmp-ID), new links that never replaced ``current`` (.current-ID) and, for each such
    link, its version if it was already renamed into versions/ (and is not current). Two directory
    listings; while a writer runs, its own files are listed too (``recover`` checks the lock)."""
    versions = folder / VERSIONS
    if not versions.is_dir():
        return []
    current = current_id(folder)
    found = [p for p in versions.iterdir() if p.name.startswith(TMP_PREFIX)]
    for link in folder.iterdir():
        if link.name.startswith(LINK_PREFIX):
            found.append(link)
            version_id = link.name.removeprefix(LINK_PREFIX)
            unfinished = versions / version_id
            if _VERSION_ID.fullmatch(version_id) and version_id != current and unfinished.is_dir():
                found.append(unfinished)
    return sorted(found)


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path)


def clear_leftovers(folder: Path) -> list[Path]:
    """Remove the leftovers of dead writers. Only with the lock held (no live writer)."""
    found = leftovers(folder)
    for path in found:
        _remove(path)
    if found:
        log.warning("removed what an interrupted write left in %s: %s", folder, ", ".join(p.name for p in found))
    return found


def recover(folder: Path) -> list[Path]:
    """Remove what a killed writer left in the dataset folder ``folder`` if no writer is running
    now; returns what was removed. Costs two directory listings when there is nothing to do.
    Never raises: a reader (the dashboard) must not fail because it cannot tidy up (a read-only
    data/, a writer holding the lock); that is only logged."""
    try:
        if not leftovers(folder) or str(lock_file(folder)) in _held_locks():
            return []  # nothing to do, or this thread is the writer
        with locked(folder, wait_s=0):
            return clear_leftovers(folder)
    except StoreBusy:
        return []  # a live writer: its files are not leftovers
    except (OSError, StoreError) as exc:
        message = f"cannot remove what an interrupted write left in {folder}: {exc}"
        if message not in _warned:  # once per process, not at every rerun of the dashboard
            _warned.add(message)
            log.warning(message)
        return []


_warned: set[str] = set()
