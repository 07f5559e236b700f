"""An import's state kept outside the session that runs it, so a page served by another worker,
or the same page reloaded, can say what became of it: that it did not happen and nothing changed,
with the person's files still at hand; or that it was saved after all. A session's state lives
in its worker's memory: when that worker dies mid-import the store keeps the data intact, but
the browser reconnects to another worker that knows nothing of the import but this folder.

Layout, under ``settings.import_dir()`` (a private folder: mode 0700, owned by the user running
the dashboard, outside ``data/``; ``make serve`` gives its workers one in its runtime folder, in
memory, removed when it stops):

    TOKEN/state.json     what was asked, the phase, the files' names; no personal data
    TOKEN/files/0, 1...  the files as uploaded: they hold names and document numbers (mode 0600)
    TOKEN/.lock          held (flock) by the session that checks or writes the import

TOKEN is random (22 URL-safe characters), kept in the page's URL (``?import=TOKEN``) and bound
to the account that made it. Each check of the sheets stages them anew under a new token.

Phases: ``checking`` (the sheets are being read), ``checked`` (a preview was shown),
``writing`` (confirmed; ``base_version`` and ``digests`` tell afterwards whether the write
happened), ``done`` (saved: the files are removed at once and only the import's counts kept, so
a page that lost its connection during the write is still told). A state in phase checking or
writing whose lock is free was interrupted: the kernel drops a dead worker's lock. The files go
on discard, as soon as the import is saved, and with the whole state after MAX_AGE_S (removed
by the next check of any sheets, or when the Import page is next opened).

When the folder cannot be made private (another user owns it, a full disk), the import goes on
without it (``Pending.folder`` None: nothing to recover, as before) and the reason is logged.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeGuard

from .. import datasets, settings, store
from .sheets import Source

log = logging.getLogger(__name__)

MAX_AGE_S = 24 * 3600
PHASES = ("checking", "checked", "writing", "done")
MODES = ("add", "replace_sessions", "replace")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
_STATE = "state.json"
_LOCK = ".lock"
_FILES = "files"


@dataclass(frozen=True)
class Request:
    """What the person asked: into which dataset, under which title, how sessions already there
    are treated (one of MODES), and whether the page offered the dataset as a new one."""

    dataset: str
    title: str | None
    mode: str = "add"
    new: bool = False


@dataclass
class Pending:
    token: str
    folder: Path | None  # None: kept in memory only
    owner: str
    request: Request
    files: list[str]  # the uploaded files' names, in order (files/0, files/1...)
    programme: str | None  # the programme file's name (files/programme)
    phase: str = "checking"
    created: float = field(default_factory=time.time)
    base_version: str | None = None  # writing: the dataset's version the import was planned on
    digests: list[str] = field(default_factory=list)  # writing: the files it adds (importer.Plan.digests)
    result: dict | None = None  # done: {"summary": [4 counts], "totals": [4 counts]}

    @property
    def interrupted(self) -> bool:
        """Checking or writing with no session holding its lock (call only then)."""
        return self.phase in ("checking", "writing")


class StagingRefused(OSError):
    """The import folder is not private (another user owns it, or it is a link)."""


def valid_token(token: object) -> TypeGuard[str]:
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


def _private_root() -> Path:
    """settings.import_dir(), made if missing, refused unless it is a folder of this user that
    only this user can enter (a folder made in advance by another user could be read by them)."""
    root = settings.import_dir()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(root)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise StagingRefused(errno.EPERM, f"{root} is not a folder of the user running the dashboard")
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(root, 0o700)
    return root


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _save(p: Pending) -> None:
    if p.folder is None or not p.folder.is_dir():
        return  # memory only, or discarded meanwhile (another tab of the same link)
    tmp = p.folder / f".{_STATE}.{secrets.token_hex(4)}"
    _write_private(tmp, json.dumps({**asdict(p), "folder": None}).encode("utf-8"))
    os.replace(tmp, p.folder / _STATE)


def stage(owner: str, request: Request, sources: list[Source], programme: tuple[str, bytes] | None = None) -> Pending:
    """Keep the files of an import about to be checked, under a new token, in phase checking.
    Sweeps states older than MAX_AGE_S first. Never fails the import: where the folder cannot be
    used, the Pending lives in memory only."""
    token = secrets.token_urlsafe(16)
    p = Pending(token, None, owner, request, [s.label for s in sources], programme[0] if programme else None)
    folder = None
    try:
        root = _private_root()
        sweep(root)
        folder = root / token
        folder.mkdir(mode=0o700)
        (folder / _FILES).mkdir(mode=0o700)
        for i, source in enumerate(sources):
            _write_private(folder / _FILES / str(i), source.data)
        if programme:
            _write_private(folder / _FILES / "programme", programme[1])
        p.folder = folder
        _save(p)
    except OSError as exc:
        log.warning("an import's files are kept in memory only (a page reloaded or served by another "
                    "worker cannot offer them again): %s", exc)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        p.folder = None
    return p


def find(token: object, owner: str) -> Pending | None:
    """The state of ``token`` if it exists and belongs to ``owner``; None otherwise (a stale or
    foreign link shows nothing)."""
    if not valid_token(token):
        return None
    try:
        folder = _private_root() / token
        raw = json.loads((folder / _STATE).read_text(encoding="utf-8"))
        raw["request"] = Request(**raw["request"])
        p = Pending(**{**raw, "folder": folder})
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if p.owner != owner or p.phase not in PHASES or time.time() - p.created > MAX_AGE_S:
        return None
    return p


def _files(p: Pending) -> Path:
    """The folder of ``p``'s staged files (one found by ``find`` has it)."""
    if p.folder is None:  # kept in memory only: nothing was staged to read back
        raise FileNotFoundError(errno.ENOENT, "this import's files were not staged")
    return p.folder / _FILES


def sources(p: Pending) -> list[Source]:
    return [Source(name, (_files(p) / str(i)).read_bytes()) for i, name in enumerate(p.files)]


def programme_file(p: Pending) -> tuple[str, bytes] | None:
    return (p.programme, (_files(p) / "programme").read_bytes()) if p.programme else None


def _try_lock(folder: Path) -> int | None:
    """An open, locked descriptor of the state's lock, or None when another session holds it."""
    fd = os.open(folder / _LOCK, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        os.close(fd)
        return None


@contextlib.contextmanager
def running(p: Pending) -> Iterator[None]:
    """Hold the state's lock for the block (a check or a write): meanwhile any other session
    sees the import as running, and after a kill the kernel frees it. StoreBusy if another
    session holds it."""
    if p.folder is None or not p.folder.is_dir():
        yield
        return
    fd = _try_lock(p.folder)
    if fd is None:
        raise store.StoreBusy(p.request.dataset, 0, p.folder / _LOCK)
    try:
        yield
    finally:
        os.close(fd)


def is_running(p: Pending) -> bool:
    if p.folder is None:
        return False
    try:
        fd = _try_lock(p.folder)
    except FileNotFoundError:  # discarded meanwhile
        return False
    if fd is None:
        return True
    os.close(fd)
    return False


def mark(p: Pending, phase: str, **values) -> None:
    """Move ``p`` to ``phase`` (with ``base_version``, ``digests`` for writing), on disk too."""
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")
    p.phase = phase
    for name, value in values.items():
        setattr(p, name, value)
    _save(p)


def finish(p: Pending, summary: tuple[int, ...], totals: tuple[int, ...]) -> None:
    """The import was saved: remove the files at once; keep only its counts (phase done)."""
    if p.folder is not None:
        shutil.rmtree(p.folder / _FILES, ignore_errors=True)
    mark(p, "done", result={"summary": list(summary), "totals": list(totals)})


def discard(p: Pending | None) -> None:
    if p is not None and p.folder is not None:
        shutil.rmtree(p.folder, ignore_errors=True)


def sweep(root: Path, now: float | None = None) -> list[str]:
    """Remove states older than MAX_AGE_S that no session holds; returns their tokens."""
    now = time.time() if now is None else now
    removed = []
    for folder in root.iterdir():
        if not valid_token(folder.name) or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            try:
                age = now - (folder / _STATE).stat().st_mtime
            except FileNotFoundError:  # being staged, or damaged: the folder's own age
                age = now - folder.stat().st_mtime
            fd = _try_lock(folder) if age > MAX_AGE_S else None
        except OSError:  # removed meanwhile by another worker's sweep
            continue
        if fd is not None:  # held while it goes, so no session takes it meanwhile
            try:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder.name)
            finally:
                os.close(fd)
    return removed


def sweep_old() -> list[str]:
    """sweep() of the private folder, if there is one: the Import page calls it when it opens,
    so raw sheets do not outlive their day on a server where nobody checks sheets again."""
    root = settings.import_dir()
    if not root.is_dir():
        return []
    try:
        return sweep(_private_root())
    except OSError as exc:
        log.warning("old import states could not be removed: %s", exc)
        return []


def outcome(p: Pending, data_dir: Path | None = None) -> str:
    """What became of an interrupted write: "not_done" (the dataset is at the version the
    import was planned on: nothing changed), "saved" (a new version holds every file the
    import added: the worker died after the switch) or "superseded" (another import wrote a
    version since, without these files: this one did not happen)."""
    version = store.current_version(p.request.dataset, data_dir)
    if version == p.base_version:
        return "not_done"
    try:
        imported = set(datasets.load_dataset(p.request.dataset, data_dir).metadata.get("imported_files", []))
    except (datasets.DatasetError, OSError):
        return "superseded"
    return "saved" if p.digests and set(p.digests) <= imported else "superseded"
