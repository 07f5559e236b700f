import os
import shutil
from pathlib import Path

import duckdb
import pytest

from care_dashboard import datasets, queries
from tests import fixtures, parallel

NO_FILTER = {"components": None, "territories": None, "organisations": None}
# queries that hide small counts of people take $min_people; 1 hides nothing unless a test says so
DEFAULT_PARAMS = {**NO_FILTER, "min_people": 1}


class Runner:
    """Runs named queries on one attached dataset; unspecified filters are NULL (no filter) and
    nothing is hidden as a small number unless ``min_people`` is given."""

    def __init__(self, dataset: datasets.Dataset):
        self.dataset = dataset
        self.con = duckdb.connect()
        datasets.attach(self.con, dataset)

    def __call__(self, name: str, **filters):
        params = {k: v for k, v in DEFAULT_PARAMS.items() if k in queries.get(name).params}
        params.update(filters)
        return queries.run(self.con, self.dataset.schema_name, name, params)

    def one(self, name: str, **filters):
        df = self(name, **filters)
        assert len(df) == 1, df
        return df.iloc[0]


@pytest.fixture(scope="session", autouse=True)
def import_dir(tmp_path_factory):
    """Where imports in progress keep their files (CARE_IMPORT_DIR): a folder of the test
    session, never the user's own, for every test and every server the tests start."""
    folder = tmp_path_factory.mktemp("imports")
    before = os.environ.get("CARE_IMPORT_DIR")
    os.environ["CARE_IMPORT_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("CARE_IMPORT_DIR", None)
    else:
        os.environ["CARE_IMPORT_DIR"] = before


@pytest.fixture(scope="session")
def care():
    return Runner(datasets.load_dataset("care_2025"))


@pytest.fixture(scope="session")
def agg(tmp_path_factory):
    folder = fixtures.write_dataset(
        tmp_path_factory.mktemp("data") / "fixture_agg", "published_aggregate", fixtures.AGGREGATE_TABLES
    )
    return Runner(datasets.load_dataset(folder.name, folder.parent))


@pytest.fixture(scope="session")
def rec(tmp_path_factory):
    folder = fixtures.write_dataset(
        tmp_path_factory.mktemp("data") / "fixture_rec", "record_level", fixtures.RECORD_TABLES
    )
    return Runner(datasets.load_dataset(folder.name, folder.parent))


@pytest.fixture(scope="session")
def ppl(tmp_path_factory):
    """Record-level, with enough people for overlaps and small numbers (fixtures.PEOPLE_TABLES)."""
    folder = fixtures.write_dataset(
        tmp_path_factory.mktemp("data") / "fixture_ppl", "record_level", fixtures.PEOPLE_TABLES
    )
    return Runner(datasets.load_dataset(folder.name, folder.parent))


# ---- Chromium, for tests/browser and tests/deploy: one Playwright and one browser per session ----

@pytest.fixture(scope="session")
def chromium_path():
    """Debian's Chromium (never a download). With CI=true a missing Chromium is a failure;
    elsewhere the browser tests skip with a message saying how to install it."""
    from tests.browser.conftest import CHROMIUM

    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    message = f"Chromium not found at {CHROMIUM}: install it with 'sudo apt-get install -y chromium'"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: browser tests must run)")
    pytest.skip(message)


class QuietBrowser:
    """Playwright's browser, whose new pages and contexts prefer reduced motion (a setting any
    visitor may have). While a page loads, Streamlit's frontend runs a dozen endless CSS
    animations (its placeholders' shimmer), and on this machine's software compositor each frame
    of a tall window costs: a page load took 15-20 % less of Chromium's CPU without them
    (Chromium's own trace, the overview in Spanish at 1400x4000). What the tests look at is what
    the page shows once loaded, the same either way. A test may still ask for motion
    (``reduced_motion="no-preference"``)."""

    def __init__(self, browser):
        self._browser = browser

    def new_page(self, **options):
        options.setdefault("reduced_motion", "reduce")
        return self._browser.new_page(**options)

    def new_context(self, **options):
        options.setdefault("reduced_motion", "reduce")
        return self._browser.new_context(**options)

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield QuietBrowser(b)
        b.close()


# ---- pytest-xdist (pytest.ini: -n 3; tests/parallel.py) ----

@pytest.hookimpl(tryfirst=True, optionalhook=True)  # before xdist's own, which would pick by --dist
def pytest_xdist_make_scheduler(config, log):
    return parallel.Scheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """On an xdist worker: the tests in the order their units are handed out (every worker sorts
    alike, so their collections stay the same, as xdist requires)."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: parallel.rank(item.nodeid))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """A test marked ``alone`` runs while the other workers wait (tests/parallel.py, Turns): setup,
    call and teardown, its module's servers included when it is the first or last of its file."""
    if not hasattr(item.config, "workerinput"):  # not under xdist: every test runs alone anyway
        yield
        return
    if not hasattr(item.config, "care_turns"):
        # the session's temporary folder, shared by its workers (each has a popen-gwN inside it)
        shared = item.config._tmp_path_factory.getbasetemp().parent
        item.config.care_turns = parallel.Turns(shared / "turns")
    with item.config.care_turns.turn(alone=item.get_closest_marker("alone") is not None):
        yield
