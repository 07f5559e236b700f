"""What the guard remembers in a worker: which sessions may upload (and for which account), and
whose each download file is. Pure and thread-safe: the script threads write, the event loop
reads.

A download file (Streamlit's media files, served at ``/media/ID.EXT``) is named by a hash of its
content, so one file may come from several sessions: it is public as soon as an anonymous
session made it (an anonymous session sees only public data), else it belongs to the accounts
whose sessions made it. A file the guard has not seen made belongs to nobody.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

PUBLIC = "public"  # the owner of a file an anonymous session made


@dataclass(frozen=True)
class UploadGrant:
    """A session shown the Import page: its uploads are taken while its requests come from
    ``account`` (None: no login is configured, the machine's one user of ``make run``)."""

    session_id: str
    account: str | None
    email: str | None


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._uploads: dict[str, UploadGrant] = {}
        self._owners: dict[str, set[str]] = {}

    # ---- uploads ------------------------------------------------------------------------------

    def allow_uploads(self, grant: UploadGrant) -> None:
        with self._lock:
            self._uploads[grant.session_id] = grant

    def upload_grant(self, session_id: str) -> UploadGrant | None:
        with self._lock:
            return self._uploads.get(session_id)

    def forget_session(self, session_id: str) -> None:
        with self._lock:
            self._uploads.pop(session_id, None)

    # ---- downloads ----------------------------------------------------------------------------

    def add_owner(self, file_id: str, owner: str | None) -> None:
        """``owner``: an account, PUBLIC, or None when the maker is not known (nobody may fetch
        the file then, unless another maker is known)."""
        with self._lock:
            owners = self._owners.setdefault(file_id, set())
            if owner is not None:
                owners.add(owner)

    def may_fetch(self, file_id: str, account: str | None) -> bool:
        with self._lock:
            owners = self._owners.get(file_id, set())
            return PUBLIC in owners or (account is not None and account in owners)

    def known(self, file_id: str) -> bool:
        with self._lock:
            return file_id in self._owners

    def drop_files(self, keep) -> int:
        """Forget the files for which ``keep(file_id)`` is false (deleted from storage); how many."""
        with self._lock:
            gone = [f for f in self._owners if not keep(f)]
            for f in gone:
                del self._owners[f]
            return len(gone)

    def __len__(self) -> int:
        return len(self._owners)


REGISTRY = Registry()
