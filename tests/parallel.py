"""The tests run on three pytest-xdist workers (pytest.ini: ``-n 3``). What that needs, used by the
hooks in tests/conftest.py:

* ``Scheduling``: which tests go to one worker together. A file named in ``GROUPS`` runs whole on
  one worker, with the other files of its group, in file order: its module- and session-scoped
  servers start once (a second start on another worker would cost more than it saves), and a
  file whose tests depend on the ones before it (tests/browser/test_reading.py's words per
  figure) keeps them together. Every other test is a unit of its own, handed to whichever worker
  is free, so that they finish together. (xdist's own ``--dist loadgroup`` reads groups from
  a suffix it writes into each test's id, which pytest 9.2 no longer lets it write: its groups
  are silently ignored.)
* ``rank``: the order in which units are handed out, longest first (the groups and the single
  tests that take a minute or so), so that no long unit starts when the others are nearly
  done.
* ``Turns``: a test marked ``alone`` runs while the other workers wait between two of their
  tests, for a test that measures the time a server takes to answer (the other workers' tests
  would take most of a 2-core machine from the server measured).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from xdist.scheduler import LoadScopeScheduling

# file (its test id's path, from the repository's root) -> its group. Files of one group share a
# worker, so what they start once per session (the login stack of tests/deploy) starts once.
GROUPS = {
    # its last test reads what the page views before it measured
    "tests/browser/test_reading.py": "browser-reading",
    # servers of their own, per module
    "tests/browser/test_first_import.py": "browser-first-import",
    "tests/browser/test_hostile_browser.py": "browser-hostile",
    # the decks it reads back are built once (each draws the map with Chromium)
    "tests/test_deck_pptx.py": "pptx",
    # the production stack, per module, and the login stack these two share
    "tests/deploy/test_serve.py": "deploy-serve",
    "tests/deploy/test_guard.py": "deploy-login",
    "tests/deploy/test_login_browser.py": "deploy-login",
    # module-scoped data that takes seconds to build
    "tests/test_figures_valid.py": "figures-valid",
    "tests/test_map.py": "map",
    "tests/test_partner_dataset.py": "partner-dataset",
    "tests/test_synthetic.py": "synthetic",
    "tests/test_hostile_content.py": "hostile-content",
    "tests/test_object_store.py": "object-store",
    "tests/test_upload_limits.py": "upload-limits",
}
# The other browser tests are units of their own: the dashboard server they share (``server``,
# tests/browser/conftest.py) and Chromium start once per worker whatever their order.

# Units handed out first, longest first as measured; every other unit follows in file order. A
# unit is a group's name or a test's id.
FIRST = [
    "deploy-login",
    "deploy-serve",
    "browser-reading",
    "upload-limits",
    "tests/test_programme_properties.py::test_every_catalogue_figure_builds_on_any_programme",
    "tests/test_rollups.py::test_rollups_equal_direct_computation",
    "tests/test_programme_properties.py::test_every_page_runs_on_any_programme",
    "tests/deploy/test_warm.py::test_serve_warms_every_public_view_of_each_worker_then_the_warm_up_ends",
    "tests/test_ingest_properties.py::test_round_trip",
    "hostile-content",
    "partner-dataset",
    "map",
    "browser-hostile",
    "browser-first-import",
    "object-store",
    "figures-valid",
    "synthetic",
]


def unit_of(nodeid: str) -> str:
    """The work unit of a test: its file's group, or the test itself."""
    return GROUPS.get(nodeid.split("::", 1)[0], nodeid)


def rank(nodeid: str) -> int:
    """Where a test's unit comes in the order units are handed out: those in ``FIRST``, in its
    order, then the others (sorted by this, stably, the others keep their file order and a group's
    tests theirs)."""
    return _RANK.get(unit_of(nodeid), len(FIRST))


_RANK = {unit: i for i, unit in enumerate(FIRST)}


class Scheduling(LoadScopeScheduling):
    """xdist's scheduling by scope, with ``unit_of`` as the scope; the units in the workers'
    order of collection (tests/conftest.py sorts it with ``rank``), not by their number of tests."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)


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
