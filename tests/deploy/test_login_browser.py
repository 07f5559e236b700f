"""The login, end to end: a local OpenID Connect provider (PyPI's oidc-provider-mock, pinned in
requirements-dev.txt, with predefined users whose e-mail claim is their subject), `make serve`'s
stack (deploy/serve.py: Caddy and two workers) with a secrets file, an access file, a login state
folder and a record-level dataset in a store of its own (CARE_DATA_URL), all in a temporary
folder, and Chromium through the login:

* anonymous: public datasets only in the picker, no Import page, a link to the private dataset
  refused showing nothing of it;
* a partner who logs in sees the dataset; an importer also the Import page;
* logging out returns to anonymous;
* the identity cookies saved before Log out, sent again by a fresh browser, open nothing;
* a second tab of the same browser loses the private dataset after Log out in the first, without
  a click, and its offline briefing is refused;
* an address the provider marks ``email_verified = "false"`` (a string) gets no role, and the
  person is told why.

Every wait is for a condition in the page (Playwright's wait_for_* and PAGE_READY), never a pause.
Each test logs in with an account of its own: a Log out ends every login of its account.
"""

from __future__ import annotations

import json
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
REPLAYED, TWO_TABS = "rosa@cempre.org.co", "tomas@cempre.org.co"  # partners through the domain entry
UNVERIFIED = "vera@cempre.org.co"  # the provider says email_verified = "false", a string
ACCESS = f'[roles]\npartner = ["{PARTNER}", "@cempre.org.co"]\nimporter = ["{IMPORTER}"]\n'
WAIT_MS = 60_000
# the sidebar's text as read on screen (ui.plain puts invisible word joiners in addresses)
SIDEBAR_TEXT = "() => (document.querySelector('[data-testid=\"stSidebar\"]')?.innerText || '').replace(/\\u2060/g, '')"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    port = st.free_port()
    log = open(tmp_path_factory.mktemp("oidc") / "oidc.log", "w")
    verified = [{"sub": email, "email": email, "email_verified": True}
                for email in (PARTNER, IMPORTER, STRANGER, REPLAYED, TWO_TABS)]
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
           "CARE_ACCESS_FILE": str(root / "access.toml"), "CARE_STATE_DIR": str(root / "state"),
           "CARE_IMPORT_PAGE": "on",  # its default, whatever the environment of the tests says
           "AUTHLIB_INSECURE_TRANSPORT": "1"}  # the test's provider speaks plain HTTP on loopback
    s = st.start(root, workers=2, env=env, port=port)
    assert "login through" in s.log(), s.log()
    yield s.url
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


def open_tab(context, url: str):
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
    return page


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
        page.screenshot(path=str(_artifact("login-sidebar-partner-records-en.png")))
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
        log_out(page, provider, served)  # with the provider's end of session
        sidebar_has(page, "Not logged in")
        assert "Logged in as" not in sidebar(page)
        assert not any(c["name"].startswith("_streamlit_user") for c in context.cookies())
    finally:
        context.close()


def log_out(page, provider: str, served: str) -> None:
    """Log out from the sidebar, through the provider's end of session, back on the dashboard."""
    page.locator("[data-testid=stSidebar] .st-key-care_log_out").get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{provider}/**", timeout=WAIT_MS)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{served}/**", timeout=WAIT_MS)
    page.wait_for_function(PAGE_READY, timeout=WAIT_MS)


def shows_private_dataset(page) -> None:
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stMetric\"]').length > 0",
                           timeout=WAIT_MS)
    assert PRIVATE_TITLE in page.locator('[data-testid="stSidebar"] label:has(input:checked)').all_inner_texts()[-1]


def test_identity_cookies_saved_before_log_out_open_nothing_afterwards(served, provider, browser):
    context, page = open_page(browser, f"{served}/")
    try:
        log_in(page, provider, REPLAYED)
        page.goto(f"{served}/?dataset={PRIVATE}")
        page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
        shows_private_dataset(page)
        saved = context.cookies()  # the identity cookies, the XSRF cookie and the sticky worker's
        assert {"_streamlit_user", "_streamlit_user_tokens"} <= {c["name"] for c in saved}
        log_out(page, provider, served)
        sidebar_has(page, "Not logged in")
    finally:
        context.close()

    replay, page = open_page(browser, f"{served}/?dataset={PRIVATE}", cookies=saved)  # a fresh browser
    try:
        assert page.locator('[data-testid="stMainBlockContainer"] h1').inner_text() == "This data needs a login"
        sidebar_has(page, "You logged out")
        assert PRIVATE_TITLE not in page.content()
        assert "Logged in as" not in sidebar(page) and "Partner:" not in sidebar(page)
        assert page.locator('[data-testid="stPlotlyChart"], [data-testid="stMetric"]').count() == 0
        assert page.locator(".st-key-care_log_in").get_by_role("button", name="Log in again").is_visible()
        page.screenshot(path=str(_artifact("login-replayed-after-log-out-en.png")))
    finally:
        replay.close()


class HeldChecks:
    """A tab's connection to the server, passed through unchanged, except that while ``hold`` is
    set the reruns its own timer asks for (``st.fragment(run_every=...)``: BackMsg rerun_script
    with is_auto_rerun) are held back and counted."""

    def __init__(self) -> None:
        self.hold = False
        self.held = 0

    def route(self, ws) -> None:
        server = ws.connect_to_server()

        def from_page(message) -> None:
            if self.hold and isinstance(message, bytes) and self.is_check(message):
                self.held += 1
            else:
                server.send(message)

        ws.on_message(from_page)

    @staticmethod
    def is_check(message: bytes) -> bool:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg.FromString(message)
        return msg.WhichOneof("type") == "rerun_script" and msg.rerun_script.is_auto_rerun


def test_a_second_tab_loses_the_private_data_after_log_out_in_the_first(served, provider, browser):
    """Tab B's own check is held back from Log out until its briefing has been asked for, so the
    download meets the refusal of the file itself (access.checked), whenever the check would have
    run; then the check runs, and the tab closes the data with no click."""
    context, tab_a = open_page(browser, f"{served}/")
    try:
        log_in(tab_a, provider, TWO_TABS)
        tab_b = context.new_page()
        checks = HeldChecks()
        tab_b.route_web_socket("**/_stcore/stream", checks.route)
        tab_b.goto(f"{served}/people?dataset={PRIVATE}")
        tab_b.wait_for_function(PAGE_READY, timeout=WAIT_MS)
        shows_private_dataset(tab_b)
        downloads = []
        tab_b.on("download", lambda download: downloads.append(download))

        checks.hold = True
        tab_a.bring_to_front()
        log_out(tab_a, provider, served)
        sidebar_has(tab_a, "Not logged in")

        tab_b.bring_to_front()
        assert PRIVATE_TITLE in sidebar(tab_b)  # still drawn: nothing has run in tab B yet
        tab_b.locator(".st-key-briefing_download").get_by_role("button").click()
        tab_b.locator('.st-key-briefing_download [data-testid="stDownloadButtonError"]').wait_for(timeout=WAIT_MS)
        assert downloads == []  # nothing of the private dataset was built or sent

        checks.hold = False  # no click: the tab's own check closes the data
        sidebar_has(tab_b, "You logged out")
        tab_b.wait_for_function(PAGE_READY, timeout=WAIT_MS)
        assert PRIVATE_TITLE not in sidebar(tab_b)
        checked = tab_b.locator('[data-testid="stSidebar"] label:has(input:checked)').all_inner_texts()[-1]
        assert "CARE 2025 report" in checked
        assert downloads == []
        tab_b.screenshot(path=str(_artifact("login-second-tab-after-log-out-en.png")))
    finally:
        context.close()


def test_an_address_marked_unverified_with_a_string_gets_no_role_and_is_told_why(served, provider, browser):
    context, page = open_page(browser, f"{served}/")
    try:
        log_in(page, provider, UNVERIFIED)
        text = sidebar(page)
        assert "has not confirmed that this address is yours" in text and "Not logged in" not in text
        assert PRIVATE_TITLE not in text
        page.goto(f"{served}/?dataset={PRIVATE}")
        page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
        assert page.locator('[data-testid="stMainBlockContainer"] h1').inner_text() == "This data needs a login"
        page.screenshot(path=str(_artifact("login-unverified-en.png")))
    finally:
        context.close()


def _artifact(name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
