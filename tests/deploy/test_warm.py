"""The warm-up of `make serve` (deploy/warm.py): once the workers answer, each worker's views of
the public datasets are built by a real session per language, so a room's first views are ready.
Every wait polls a condition with a deadline."""

from __future__ import annotations

import re
import sys

from care_dashboard import paths

from . import stack as st
from .stack import wait_until

sys.path.insert(0, str(paths.ROOT / "deploy"))
import warm  # noqa: E402

PAGES = ["overview", "territory", "component", "organisation", "people", "method", "present"]


def test_the_unfiltered_views_come_first_then_each_single_filter():
    ids = {"component": ["a", "b"], "territory": ["t"], "organisation": ["o1", "o2", "o3"]}
    order = warm.views(ids, PAGES, filtered=True)
    assert order[:7] == [(p, None) for p in PAGES]
    assert len(order) == 7 * (1 + 2 + 1 + 3) and len(set(order)) == len(order)
    assert ("territory", ("organisation", "o3")) in order
    assert warm.views(ids, PAGES, filtered=False) == [(p, None) for p in PAGES]


def test_serve_warms_every_public_view_of_each_worker_then_the_warm_up_ends(tmp_path):
    s = st.start(tmp_path, workers=1, env={"CARE_WARM": "on"})
    try:
        wait_until(lambda: "[warm] worker on port" in s.log_path.read_text(errors="replace"), 600,
                   "the warm-up reports")
        line = re.search(r"\[warm\] worker on port \d+: (\d+) views warmed in \d+ s \((\d+) failed\)", s.log()).groups()
        views, failed = map(int, line)
        ids = warm.filter_ids(paths.DEFAULT_DATASET, paths.DATA_DIR)
        single_filters = sum(len(ids[k]) for k in warm.FILTER_KEYS)
        # two languages: the embedded data's pages unfiltered and with each filter, the demo's
        # unfiltered; then as a phone (its charts' phone variants), both datasets' pages unfiltered
        assert (views, failed) == (2 * 7 * (1 + single_filters) + 2 * 7 + 2 * 2 * 7, 0)
    finally:
        started = st.stop(s)
    assert not [p for p in started if st.alive(p)], s.log()
