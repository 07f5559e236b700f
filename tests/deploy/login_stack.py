"""The login stack of tests/deploy/test_login_browser.py and tests/deploy/test_guard.py: a local
OpenID Connect provider (PyPI's oidc-provider-mock, pinned in requirements-dev.txt, with
predefined users whose e-mail claim is their subject), `make serve`'s stack with a secrets file,
an access file, a login state folder and a record-level dataset in a store of its own
(CARE_DATA_URL), and what a test does in Chromium to log in and out. The fixtures that start them
once per test session are in tests/deploy/conftest.py.

Each test logs in with an account of its own: a Log out ends every login of its account, and the
tests of both files share one stack."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from care_dashboard import paths
from tests import fixtures
from tests.browser.conftest import PAGE_READY

from . import stack as st
from .stack import http, wait_until

sys.path.insert(0, str(paths.ROOT / "scripts"))
import export_to_store  # noqa: E402

PRIVATE = "partner_records"
PRIVATE_TITLE = "Partner attendance records"
PARTNER, IMPORTER, STRANGER = "ana@partner.org", "ines@cempre.org.co", "eve@elsewhere.org"
REPLAYED, TWO_TABS = "rosa@cempre.org.co", "tomas@cempre.org.co"  # partners through the domain entry
DOWNLOADER = "dario@cempre.org.co"  # tests/deploy/test_guard.py's partner, through the domain entry
UNVERIFIED = "vera@cempre.org.co"  # the provider says email_verified = "false", a string
ACCESS = f'[roles]\npartner = ["{PARTNER}", "@cempre.org.co"]\nimporter = ["{IMPORTER}"]\n'
WAIT_MS = 60_000
# the sidebar's text as read on screen (ui.plain puts invisible word joiners in addresses)
SIDEBAR_TEXT = "() => (document.querySelector('[data-testid=\"stSidebar\"]')?.innerText || '').replace(/\\u2060/g, '')"


@contextlib.contextmanager
def running_provider(folder: Path):
    """The OpenID Connect provider with the accounts above, on a free port: its URL."""
    port = st.free_port()
    log = open(folder / "oidc.log", "w")
    verified = [{"sub": email, "email": email, "email_verified": True}
                for email in (PARTNER, IMPORTER, STRANGER, REPLAYED, TWO_TABS, DOWNLOADER)]
    users = [arg for claims in [*verified, {"sub": UNVERIFIED, "email": UNVERIFIED, "email_verified": "false"}]
             for arg in ("--user-claims", json.dumps(claims))]
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


@contextlib.contextmanager
def running_stack(root: Path, provider: str):
    """`make serve` with the login configured, its files in ``root``: its URL."""
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
           "CARE_ACCESS_FILE": str(root / "access.toml"), "CARE_STATE_DIR": str(root / "state"),
           "CARE_IMPORT_PAGE": "on",  # its default, whatever the environment of the tests says
           "AUTHLIB_INSECURE_TRANSPORT": "1"}  # the test's provider speaks plain HTTP on loopback
    s = st.start(root, workers=2, env=env, port=port)
    assert "login through" in s.log(), s.log()
    try:
        yield s.url
    finally:
        started = st.stop(s)
    assert not [p for p in started if st.alive(p)], s.log()



def open_page(browser, url: str, cookies: list | None = None):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
    return context, page


def sidebar_has(page, text: str) -> None:
    page.wait_for_function(f"t => ({SIDEBAR_TEXT})().includes(t)", arg=text, timeout=WAIT_MS)


def sidebar(page) -> str:
    return page.evaluate(f"({SIDEBAR_TEXT})()")



def log_in(page, provider: str, email: str) -> None:
    """Log in from the sidebar's button through the provider's page, back on the dashboard."""
    page.locator("[data-testid=stSidebar] .st-key-care_log_in").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{provider}/**", timeout=WAIT_MS)
    page.get_by_role("button", name=email, exact=True).click()
    sidebar_has(page, f"Logged in as {email}")
    page.wait_for_function(PAGE_READY, timeout=WAIT_MS)



def log_out(page, provider: str, served: str) -> None:
    """Log out from the sidebar, through the provider's end of session, back on the dashboard."""
    page.locator("[data-testid=stSidebar] .st-key-care_log_out").get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{provider}/**", timeout=WAIT_MS)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{served}/**", timeout=WAIT_MS)
    page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
