"""A real dashboard server on localhost and Debian's Chromium, driven by Playwright.

With CI=true the browser tests must run: a missing Chromium is a failure. Elsewhere they skip
with a message saying how to install it. No browser is ever downloaded.
"""

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from care_dashboard import paths

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = paths.ROOT / "test-artifacts" / "screens"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# a phone as the dashboard tells one (care_dashboard/screen.py): by its User-Agent, as a real
# phone sends it; a page opened with only a phone's width is a narrow desktop window
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36")


def phone(width: int = 390, height: int = 844) -> dict:
    """``browser.new_page`` / ``new_context`` arguments of a phone of that screen."""
    return {"viewport": {"width": width, "height": height}, "is_mobile": True, "has_touch": True,
            "user_agent": PHONE_UA}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(env: dict | None = None, log_name: str = "server.log", root=None):
    """A dashboard server on a free localhost port; yields its URL. ``env``: extra environment
    variables (None removes one); ``root``: a copy of the app to run (``app_copy``) instead of
    the checkout, e.g. for a data/ folder of its own."""
    port = _free_port()
    root = root or paths.ROOT
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1: each worker starts servers of its own
    if worker:
        log_name = f"{Path(log_name).stem}-{worker}{Path(log_name).suffix}"
    (paths.ROOT / "test-artifacts").mkdir(exist_ok=True)
    log = open(paths.ROOT / "test-artifacts" / log_name, "w")
    environment = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(root / "app.py"),
         "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=root, stdout=log, stderr=subprocess.STDOUT, env=environment,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"the dashboard server did not start; see test-artifacts/{log_name}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


# What the app needs to run from another folder: the code, its texts and queries, the committed
# datasets (data/ holds nothing else) and its Streamlit settings.
APP_PARTS = ("app.py", "dashboard.py", "pages", "care_dashboard", "content", "queries", "data", ".streamlit/config.toml")


def app_copy(target):
    """A copy of the app in ``target`` with a data/ folder of its own (the committed datasets
    only, whatever the checkout's data/ holds besides): paths.ROOT is where the code is."""
    import shutil

    ignore = shutil.ignore_patterns("__pycache__", ".*.lock", ".imports.lock")
    for part in APP_PARTS:
        source = paths.ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=ignore)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)
    from care_dashboard.ingest.importer import RESERVED_NAMES

    for folder in (target / "data").iterdir():
        if folder.is_dir() and folder.name not in RESERVED_NAMES:
            shutil.rmtree(folder)
    return target


@pytest.fixture(scope="session")
def server():
    """A fresh server per test session, so the first request really is the first after a start."""
    with running_server() as url:
        yield url


# Chromium itself (the ``chromium_path`` and ``browser`` fixtures) is in tests/conftest.py: one
# browser for the whole session, shared with tests/deploy (two would start two Playwright loops).


# True once the page's script has finished and every chart the page shows is drawn: every visible
# chart container (ui_figures.chart_block keys them care_chart_*) holds a drawn Plotly figure in its
# visible variant, and so does a presentation slide.
PAGE_READY = """() => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (!getComputedStyle(document.documentElement).getPropertyValue('--care-page-css').includes('loaded')) return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  // the script's last element (dashboard.py): the run has finished, not only begun to draw
  if (!document.querySelector('[class*="st-key-care_document_language"]')) return false;
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  if (!main || !main.querySelector('h1, .st-key-care_slide')) return false;
  const shown = (e) => e.checkVisibility();
  const boxes = [...main.querySelectorAll('[class*="st-key-care_chart_"], .st-key-care_slide')].filter(shown);
  const drawn = (box) => {
    const charts = [...box.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(shown);
    return charts.every((c) => c.querySelector('.main-svg .cartesianlayer, .main-svg .heatmaplayer'));
  };
  const skeletons = [...main.querySelectorAll('[data-testid="stSkeleton"]')].filter(shown);
  return skeletons.length === 0 && boxes.every(drawn) &&
    boxes.filter((b) => b.matches('[class*="st-key-care_chart_"]')).every((b) => b.querySelector('[data-testid="stPlotlyChart"] .main-svg'));
}"""


def wait_for_app(page, timeout=90_000):
    """Wait for what the tests check: the page has run and its charts are drawn (a condition
    polled by the browser, never a fixed pause). The deadline only ends a page that never gets
    there: a page takes seconds, but on a 2-core machine also running the other pytest-xdist
    workers (and on a shared one, other work) the heaviest (a map, the People page on records)
    took over 45 s."""
    page.wait_for_function(PAGE_READY, timeout=timeout)


def axe_source() -> str:
    """axe-core, from npm (package-lock.json; `make test` installs it), injected into pages."""
    path = paths.ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        message = "axe-core is not installed: run 'npm ci' (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


# ---- what a page load must not do: console errors, failed answers, requests to other hosts ----

def watch(page):
    """Collect console errors, failed responses and requests to other hosts."""
    errors, foreign, failed = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", "localhost") and not r.url.startswith(("data:", "blob:")) else None)
    return errors, foreign, failed


def assert_clean(page, errors, foreign, failed):
    assert not foreign, f"requests left localhost: {foreign}"
    # On a deep link Streamlit's frontend first looks for its server under the page's path
    # (/territory/_stcore/health), gets 404, then uses the root: those probes are the only
    # failures allowed.
    probes = [u for u in failed if re.search(r"/[a-z]+/_stcore/(health|host-config)$", u)]
    assert failed == probes, failed
    real_errors = [e for e in errors if not e.startswith("Failed to load resource")]
    assert not real_errors, real_errors
    assert len(errors) - len(real_errors) == len(probes)
    assert not page.query_selector("[data-testid='stException']")


# ---- the page views the browser tests open ------------------------------------------------------

PAGES = {"overview": "", "territory": "territory", "component": "component",
         "organisation": "organisation", "people": "people", "method": "method"}
DATASETS = {"published": "", "synthetic": "&dataset=care_2025_synthetic"}


def open_view(browser, server, name, lang, data, width=1400, height=4000, watched=None):
    page = browser.new_page(**(phone(width, height) if width < 600 else {"viewport": {"width": width, "height": height}}))
    if watched is not None:
        watched.extend(watch(page))
    page.goto(f"{server}/{PAGES[name]}?lang={lang}{DATASETS[data]}")
    wait_for_app(page)
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=lang, timeout=30_000)
    return page
