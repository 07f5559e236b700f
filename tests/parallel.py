"""The tests run on two pytest-xdist workers (pytest.ini: ``-n 2 --dist loadgroup``). What that
needs, used by the hooks in tests/conftest.py:

* ``group_of``: the work unit a test belongs to. A file named in ``GROUPS`` runs whole on one
  worker, with the other files of its group, in file order: its module- and session-scoped
  servers start once (a second start on the other worker would cost more than it saves), and a
  file whose tests depend on the ones before it (tests/browser/test_reading.py's words per
  figure) keeps them together. Every other test is a unit of its own, handed to whichever worker
  is free, so the two finish together.
* ``Turns``: a test marked ``alone`` runs while the other worker waits between two of its tests,
  for a test that measures the time a server takes to answer (the other worker's tests would
  take half of a 2-core machine from the server measured).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

TESTS = Path(__file__).resolve().parent

# file (relative to tests/) -> its group. Files of one group share a worker, so what they start
# once per session (the ``server`` of tests/browser, the login stack of tests/deploy) starts once.
GROUPS = {
    # one dashboard server and one Chromium for the browser tests that read the checked-out app
    "browser/test_browser.py": "browser-server",
    "browser/test_presenter_browser.py": "browser-server",
    "browser/test_reading.py": "browser-server",
    "browser/test_spanish_browser.py": "browser-server",
    # servers of their own per module
    "browser/test_first_import.py": "browser/test_first_import.py",
    "browser/test_hostile_browser.py": "browser/test_hostile_browser.py",
    # the production stack: one per module, and the login stack shared by these two
    "deploy/test_serve.py": "deploy/test_serve.py",
    "deploy/test_guard.py": "deploy-login",
    "deploy/test_login_browser.py": "deploy-login",
    # module-scoped data that takes seconds to build
    "test_figures_valid.py": "test_figures_valid.py",
    "test_map.py": "test_map.py",
    "test_partner_dataset.py": "test_partner_dataset.py",
    "test_synthetic.py": "test_synthetic.py",
    "test_hostile_content.py": "test_hostile_content.py",
    "test_object_store.py": "test_object_store.py",
    "test_upload_limits.py": "test_upload_limits.py",
}


def group_of(path: Path) -> str | None:
    """The xdist group of the tests in ``path``, or None for a test that is a unit of its own."""
    return GROUPS.get(path.resolve().relative_to(TESTS).as_posix())


class Turns:
    """Who runs now, across the workers of one test session: any number of ordinary tests at once,
    or one test marked ``alone``. Two flock(2) locks on files the workers share: ``gate`` is taken
    shared by an ordinary test only while it waits for ``room``, and exclusively by a lone test for
    as long as it runs, so a worker between two tests cannot slip in once a lone test waits."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.gate = os.open(folder / "gate.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self.room = os.open(folder / "room.lock", os.O_RDWR | os.O_CREAT, 0o600)

    @contextlib.contextmanager
    def turn(self, alone: bool):
        if alone:
            fcntl.flock(self.gate, fcntl.LOCK_EX)
            fcntl.flock(self.room, fcntl.LOCK_EX)
        else:
            fcntl.flock(self.gate, fcntl.LOCK_SH)
            fcntl.flock(self.room, fcntl.LOCK_SH)
            fcntl.flock(self.gate, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(self.room, fcntl.LOCK_UN)
            if alone:
                fcntl.flock(self.gate, fcntl.LOCK_UN)
