"""The login, end to end: a local OpenID Connect provider (PyPI's oidc-provider-mock, pinned in
requirements-dev.txt, with predefined users whose e-mail claim is their subject), `make serve`'s
stack (deploy/serve.py: Caddy and two workers) with a secrets file, an access file and a
record-level dataset in a store of its own (CARE_DATA_URL), all in a temporary folder, and
Chromium through the login:

* anonymous: public datasets only in the picker, no Import page, a link to the private dataset
  refused showing nothing of it;
* a partner who logs in sees the dataset; an importer also the Import page;
* logging out returns to anonymous.

Every wait is for a condition in the page (Playwright's wait_for_* and PAGE_READY), never a pause.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from care_dashboard import paths
from tests import fixtures
from tests.browser.conftest import ARTIFACTS, PAGE_READY

from . import stack as st
from .stack import http, wait_until

sys.path.insert(0, str(paths.ROOT / "scripts"))
import export_to_store  # noqa: E402

PRIVATE = "partner_records"
PRIVATE_TITLE = "Partner attendance records"
PARTNER, IMPORTER, STRANGER = "ana@partner.org", "ines@cempre.org.co", "eve@elsewhere.org"
ACCESS = f'[roles]\npartner = ["{PARTNER}", "@cempre.org.co"]\nimporter = ["{IMPORTER}"]\n'
WAIT_MS = 60_000
# the sidebar's text as read on screen (ui.plain puts invisible word joiners in addresses)
SIDEBAR_TEXT = "() => (document.querySelector('[data-testid=\"stSidebar\"]')?.innerText || '').replace(/\\u2060/g, '')"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    port = st.free_port()
    log = open(tmp_path_factory.mktemp("oidc") / "oidc.log", "w")
    users = [arg for email in (PARTNER, IMPORTER, STRANGER) for arg in ("--user", email)]
    proc = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(port), *users],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env={**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: proc.poll() is not None or _answers(f"{url}/.well-known/openid-configuration"), 60,
                   "the OIDC provider answers")
        assert proc.poll() is None, "the OIDC provider exited"
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _answers(url: str) -> bool:
    try:
        return http(url, timeout=2)[0] == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory, provider):
    """`make serve` with the login configured: its URL."""
    root = tmp_path_factory.mktemp("login")
    fixtures.write_dataset(root / "data" / PRIVATE, "record_level", fixtures.RECORD_TABLES, title=PRIVATE_TITLE,
                           is_synthetic=False)
    export_to_store.export(PRIVATE, root / "store", data_dir=root / "data")
    port = st.free_port()
    (root / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-0123456789abcdef0123456789abcdef"\n'
        'client_id = "care-dashboard"\nclient_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n')
    (root / "access.toml").write_text(ACCESS)
    env = {"CARE_DATA_URL": str(root / "store"), "CARE_SECRETS_FILE": str(root / "secrets.toml"),
           "CARE_ACCESS_FILE": str(root / "access.toml"),
           "CARE_IMPORT_PAGE": "on",  # its default, whatever the environment of the tests says
           "AUTHLIB_INSECURE_TRANSPORT": "1"}  # the test's provider speaks plain HTTP on loopback
    s = st.start(root, workers=2, env=env, port=port)
    assert "login through" in s.log(), s.log()
    yield s.url
    started = st.stop(s)
    assert not [p for p in started if st.alive(p)], s.log()


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
    return context, page


def sidebar_has(page, text: str) -> None:
    page.wait_for_function(f"t => ({SIDEBAR_TEXT})().includes(t)", arg=text, timeout=WAIT_MS)


def sidebar(page) -> str:
    return page.evaluate(f"({SIDEBAR_TEXT})()")


def nav_labels(page) -> list[str]:
    return page.eval_on_selector_all('[data-testid="stSidebarNav"] a', "as => as.map(a => a.innerText.trim().split(/\\s*\\n\\s*/).pop())")


def log_in(page, provider: str, email: str) -> None:
    """Log in from the sidebar's button through the provider's page, back on the dashboard."""
    page.locator("[data-testid=stSidebar] .st-key-care_log_in").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{provider}/**", timeout=WAIT_MS)
    page.get_by_role("button", name=email, exact=True).click()
    sidebar_has(page, f"Logged in as {email}")
    page.wait_for_function(PAGE_READY, timeout=WAIT_MS)


def test_anonymous_visitors_see_public_data_only(served, browser):
    context, page = open_page(browser, f"{served}/")
    try:
        sidebar_has(page, "Not logged in")
        text = sidebar(page)
        assert "CARE 2025 report" in text and "CARE 2025 synthetic demo" in text
        assert PRIVATE_TITLE not in text
        assert "Import sheets" not in nav_labels(page) and "Overview" in nav_labels(page)
        assert page.locator("[data-testid=stSidebar] .st-key-care_log_in").get_by_role("button", name="Log in").is_visible()
        page.screenshot(path=str(_artifact("login-sidebar-anonymous-en.png")))

        page.goto(f"{served}/people?dataset={PRIVATE}&territory=north")
        page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
        main = page.locator('[data-testid="stMainBlockContainer"]')
        assert main.locator("h1").inner_text() == "This data needs a login"
        assert page.locator(".st-key-care_refusal_log_in").get_by_role("button", name="Log in").is_visible()
        assert PRIVATE_TITLE not in page.content()  # neither shown nor in the page at all
        assert page.locator('[data-testid="stPlotlyChart"], [data-testid="stMetric"]').count() == 0
        assert PRIVATE_TITLE not in sidebar(page)
    finally:
        context.close()


def test_a_partner_who_logs_in_sees_the_dataset(served, provider, browser):
    context, page = open_page(browser, f"{served}/")
    try:
        log_in(page, provider, PARTNER)
        text = sidebar(page)
        assert PRIVATE_TITLE in text and "Partner: you also see the attendance records" in text
        assert "Import sheets" not in nav_labels(page)
        page.screenshot(path=str(_artifact("login-sidebar-partner-en.png")))
        page.get_by_text("Español", exact=True).click()
        sidebar_has(page, "Sesión iniciada como")
        page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
        page.screenshot(path=str(_artifact("login-sidebar-partner-es.png")))

        page.goto(f"{served}/people?dataset={PRIVATE}")  # the same link, now opened
        page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
        assert page.locator('[data-testid="stMainBlockContainer"] h1').inner_text() != "This data needs a login"
        page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stMetric\"]').length > 0",
                               timeout=WAIT_MS)
        assert page.locator('[data-testid="stSidebar"] [role="radiogroup"] input[type="radio"]:checked').count() >= 1
        assert PRIVATE_TITLE in page.locator('[data-testid="stSidebar"] label:has(input:checked)').all_inner_texts()[-1]
    finally:
        context.close()


def test_an_importer_also_sees_the_import_page(served, provider, browser):
    context, page = open_page(browser, f"{served}/")
    try:
        log_in(page, provider, IMPORTER)
        assert "Import sheets" in nav_labels(page)
        assert PRIVATE_TITLE in sidebar(page)
        page.goto(f"{served}/import")
        page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
        assert page.locator('[data-testid="stMainBlockContainer"] h1').inner_text() == "Import sign-in sheets"
    finally:
        context.close()


def test_logging_out_returns_to_anonymous(served, provider, browser):
    context, page = open_page(browser, f"{served}/")
    try:
        log_in(page, provider, STRANGER)  # logged in, in no role: public data only
        assert "no partner access" in sidebar(page) and PRIVATE_TITLE not in sidebar(page)
        page.locator("[data-testid=stSidebar] .st-key-care_log_out").get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{provider}/**", timeout=WAIT_MS)  # the provider's end of session
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(f"{served}/**", timeout=WAIT_MS)
        page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
        sidebar_has(page, "Not logged in")
        assert "Logged in as" not in sidebar(page)
        assert not any(c["name"].startswith("_streamlit_user") for c in context.cookies())
    finally:
        context.close()


def _artifact(name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
