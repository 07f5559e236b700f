"""Imports run one at a time: across the sessions of one dashboard process, across the workers of
``make serve`` and with ``python ingest.py``. Each holds an exclusive ``flock`` on
``data/.imports.lock`` from reading the sheets to the switch to the new version; the next one
waits, telling its page how long it has waited, and gives up after ``WAIT_S``. One import's
child process (``isolation``) at a time also bounds the memory imports take.

The lock file is empty and stays (git ignores ``/data/*``). Where it cannot be made (a read-only
data/), a lock within the process is used instead and the import goes on to fail or succeed as
it would have; a second process is then not excluded, which such a data/ does not need.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .. import store
from .prepare import Progress, ProgressCallback, _quiet

log = logging.getLogger(__name__)

LOCK_NAME = ".imports.lock"
WAIT_S = 600.0  # an import is bounded by the reading's time limit plus the write
POLL_S = 0.2
PROGRESS_EVERY_S = 1.0
_in_process = threading.Lock()


class QueueBusy(store.StoreBusy):
    """Another import kept the queue for longer than WAIT_S: nothing was changed."""

    def __init__(self, waited_s: float, lock: Path | None):
        store.StoreError.__init__(
            self, f"another import is still running (waited {waited_s:g} s for it to finish"
                  + (f"; the queue's lock is {lock}" if lock else "") + "). Nothing was changed: import again when it has finished.")
        self.name = ""


@contextlib.contextmanager
def one_at_a_time(data_dir: Path, on_progress: ProgressCallback = _quiet, wait_s: float | None = None) -> Iterator[None]:
    """Be the only import for the block; wait for another one first (``on_progress`` hears
    Progress("waiting", {"seconds": N}) about once a second), QueueBusy after ``wait_s``."""
    wait_s = WAIT_S if wait_s is None else wait_s
    lock = data_dir / LOCK_NAME
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        log.warning("imports are queued within this process only: cannot open %s (%s)", lock, exc.strerror)
        fd = None
    started = time.monotonic()
    told = 0.0
    try:
        while True:
            got = (_in_process.acquire(blocking=False) if fd is None else _try_flock(fd))
            if got:
                break
            waited = time.monotonic() - started
            if waited >= wait_s:
                raise QueueBusy(round(waited), lock if fd is not None else None)
            if waited - told >= PROGRESS_EVERY_S or told == 0.0:
                told = waited or 1e-9
                on_progress(Progress("waiting", {"seconds": int(waited)}))
            time.sleep(POLL_S)
        try:
            yield
        finally:
            if fd is None:
                _in_process.release()
    finally:
        if fd is not None:
            os.close(fd)  # releases the flock


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
