"""Warm a worker's view cache before (and while) the room arrives (issue 15).

A worker builds each view (a page of a public dataset, in a language, with no filter or one
filter) the first time a visitor asks for it, and keeps it (``ui.VIEWS``). At a meeting the room
opens the shared link within seconds: if each of those first views is built while people wait,
the first minute is the slowest of the meeting. So ``deploy/serve.py`` runs this once per worker
as soon as the worker answers its health check: one real Streamlit session per language, over the
worker's own loopback port (not through Caddy, so each worker warms its own cache), walks every
page of the embedded dataset with no filter, then with each single filter (one component, one
territory, one organisation), then the synthetic demo's pages with no filter. A phone's browser
is sent each chart's phone variant too (care_dashboard/screen.py): one more session per language,
with a phone's User-Agent, walks both datasets' pages with no filter, as a link opened on a phone
after a meeting most often has none.

It is a client like any other (``deploy/viewer.py``'s ``Viewer``, the browser's protocol): it builds
what a visitor would have built, nothing else, and the cache keeps its bounds. It asks for one
view at a time per worker, so visitors who come meanwhile are served beside it, never queued
behind a batch. It presents the key ``make serve`` gave it and the workers for this start
(``CARE_WARM_KEY``), so a worker does not hold it to a visitor's message rate: at 6 views a second
a worker's warm-up took about a minute; now it takes as long as building its views does. Views with two filters or more, and record-level datasets, are built when asked,
as before.

    python deploy/warm.py --port 8501 [--port 8502 ...]

Off with ``CARE_WARM=off``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from care_dashboard import paths, settings  # noqa: E402
from deploy.viewer import DEFAULT_PAGE, FILTER_KEYS, LOCALES, SKIPPED_PAGES, Viewer, filter_ids  # noqa: E402

TIMEOUT_S = 120.0


def views(ids: dict[str, list[str]], pages: list[str], filtered: bool) -> list[tuple[str, tuple[str, str] | None]]:
    """The views to warm, the unfiltered pages first (a shared link most often has none)."""
    order: list[tuple[str, tuple[str, str] | None]] = [(page, None) for page in pages]
    if filtered:
        order += [(page, (key, value)) for key in FILTER_KEYS for value in ids[key] for page in pages]
    return order


# a phone's browser, as care_dashboard/screen.py tells one
PHONE_USER_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Chrome/131.0.0.0 Mobile Safari/537.36")


async def warm_session(port: int, dataset: str, locale_index: int, filtered: bool,
                       user_agent: str | None = None) -> tuple[int, int]:
    """One session in one language walking the dataset's views; returns (views, failures)."""
    ids = filter_ids(dataset, paths.DATA_DIR)
    key = settings.warm_key()  # make serve's key for this start: the worker does not slow it down
    viewer = Viewer(locale_index, f"http://127.0.0.1:{port}", dataset, ids, TIMEOUT_S, user_agent=user_agent,
                    headers={settings.WARM_KEY_HEADER: key} if key else None)
    done = failed = 0
    try:
        _, errors = await viewer.open(DEFAULT_PAGE, None)
        if errors:
            return 0, 1
        pages = [p for p in viewer.pages if p not in SKIPPED_PAGES]
        for page, chosen in views(ids, pages, filtered):
            _, errors = await viewer.change(page, chosen)
            done, failed = done + 1, failed + bool(errors)
    except Exception:  # a worker restarted or stopping (OSError, TimeoutError, ...): warming is best effort
        failed += 1
    finally:
        with contextlib.suppress(Exception):
            await viewer.close()
    return done, failed


async def warm_worker(port: int) -> str:
    started = time.monotonic()
    total = failed = 0
    for dataset, filtered in ((paths.DEFAULT_DATASET, True), ("care_2025_synthetic", False)):
        if not (paths.DATA_DIR / dataset).is_dir():
            continue
        for locale_index in range(len(LOCALES)):
            for user_agent, views_filtered in ((None, filtered), (PHONE_USER_AGENT, False)):
                n, f = await warm_session(port, dataset, locale_index, views_filtered, user_agent)
                total, failed = total + n, failed + f
    return f"worker on port {port}: {total} views warmed in {time.monotonic() - started:.0f} s ({failed} failed)"


async def main_async(ports: list[int]) -> list[str]:
    return list(await asyncio.gather(*(warm_worker(p) for p in ports)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, action="append", required=True, help="a worker's loopback port")
    args = ap.parse_args(argv)
    for line in asyncio.run(main_async(args.port)):
        print(f"[warm] {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
