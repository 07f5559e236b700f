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
Each test logs in with an account of its own: a Log out ends every login of its account. The
provider and the stack (tests/deploy/login_stack.py) start once per test session, shared with
tests/deploy/test_guard.py (the fixtures ``provider`` and ``served``, tests/deploy/conftest.py).
"""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS, PAGE_READY

from .login_stack import (
    IMPORTER,
    PARTNER,
    PRIVATE,
    PRIVATE_TITLE,
    REPLAYED,
    STRANGER,
    TWO_TABS,
    UNVERIFIED,
    WAIT_MS,
    log_in,
    log_out,
    open_page,
    sidebar,
    sidebar_has,
)


def open_tab(context, url: str):
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(PAGE_READY, timeout=WAIT_MS)
    return page


def nav_labels(page) -> list[str]:
    return page.eval_on_selector_all('[data-testid="stSidebarNav"] a', "as => as.map(a => a.innerText.trim().split(/\\s*\\n\\s*/).pop())")


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
