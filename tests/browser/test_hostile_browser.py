"""Issue 6 in a real browser: a dataset whose names are HTML, script, Markdown, formulas, a very
long name, emoji and right-to-left text (tests/hostile.py) is shown as plain text on every page,
in the sidebar, in chart labels and hover texts, in the offline briefing and in its CSV; any
script in it would set ``window.__care_pwned``, which must stay unset. Also: the server refuses a
WebSocket for a host name it was not given (STREAMLIT_SERVER_ALLOWED_HOSTS)."""

import csv
import http.client
import io
import sys
from urllib.parse import urlparse

import pytest

from care_dashboard import paths
from tests import hostile
from tests.browser.conftest import ARTIFACTS, running_server, wait_for_app

sys.path.insert(0, str(paths.ROOT / "scripts"))
import export_to_store  # noqa: E402

PAGES = ("", "territory", "component", "organisation", "people", "method")
LINKS = {"whole": f"dataset={hostile.NAME}",
         "filtered": f"dataset={hostile.NAME}&organisation=org-1&territory=north"}
INJECTED = "document.querySelectorAll('img[src=\"x\"], [onerror], [onload], svg[onload]').length"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """A server whose store (CARE_DATA_URL) holds the hostile dataset, answering only 127.0.0.1."""
    data = tmp_path_factory.mktemp("hostile_data")
    hostile.publish(data)
    store = tmp_path_factory.mktemp("hostile_store")
    export_to_store.export(hostile.NAME, store, data_dir=data)
    env = {"CARE_DATA_URL": str(store), "STREAMLIT_SERVER_ALLOWED_HOSTS": "127.0.0.1"}
    with running_server(env, log_name="server-hostile.log") as url:
        yield url


def open_checked(browser, url, **kwargs):
    page = browser.new_page(viewport={"width": 1400, "height": 2600}, **kwargs)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    wait_for_app(page)
    return page, dialogs


def hover_everything(page) -> int:
    """Hover the marks of every chart, so Plotly draws its hover labels (names from the data)."""
    hovered = 0
    marks = page.query_selector_all(".js-plotly-plot .point, .js-plotly-plot .hm, .js-plotly-plot .nsewdrag")
    for mark in [m for m in marks if m.is_visible()][:40]:  # not the phone variants, hidden here
        try:
            mark.hover(timeout=2_000, force=True)
            hovered += 1
        except Exception:  # a mark under another one: the others still show their labels
            continue
    return hovered


@pytest.mark.parametrize("path", PAGES, ids=[p or "overview" for p in PAGES])
@pytest.mark.parametrize("link", LINKS)
def test_hostile_names_never_run_and_show_as_text(hostile_server, browser, path, link):
    page, dialogs = open_checked(browser, f"{hostile_server}/{path}?{LINKS[link]}")
    if path in ("territory", "organisation", "people"):
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        assert hover_everything(page) > 0
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").last.click()  # organisation list open
    # the list is open (with every organisation already chosen it may hold no option)
    page.wait_for_selector("[aria-multiselectable='true'], [data-testid='stSidebar'] [aria-expanded='true']", timeout=30_000)
    assert page.evaluate("() => window.__care_pwned") is None, "a script from the data ran"
    assert page.evaluate(f"() => {INJECTED}") == 0, "an element from the data was created"
    assert dialogs == []
    text = page.inner_text("body")
    assert "Hostile <img src=x" in text  # the dataset's title in the picker, as typed
    if path == "organisation" and link == "whole":
        svg_text = " ".join(t.text_content() or "" for t in page.query_selector_all(".js-plotly-plot text"))
        assert hostile.IMG in svg_text  # drawn by Plotly as characters, not as an image
        page.screenshot(path=str(ARTIFACTS / "hostile-organisation.png"))
    page.close()


def test_hostile_names_in_the_offline_briefing_and_the_csv(hostile_server, browser, tmp_path):
    page, dialogs = open_checked(browser, f"{hostile_server}/organisation?{LINKS['whole']}", accept_downloads=True)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Offline briefing (HTML)").click()
    target = tmp_path / "briefing.html"
    info.value.save_as(target)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    with page.expect_download() as csv_info:
        page.locator("[data-testid='stMainBlockContainer'] [data-testid='stDownloadButton'] button").first.click()
    rows = list(csv.reader(io.StringIO(open(csv_info.value.path(), "rb").read().decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert "'" + hostile.FORMULA in cells  # the formula is text in a spreadsheet
    assert not [c for c in cells if c[:1] in ("=", "@", "+") or (c[:1] == "-" and not c[1:2].isdigit())]
    assert hostile.IMG in cells  # names are written whole, as typed
    page.close()

    context = browser.new_context(viewport={"width": 1200, "height": 2400})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    offline = context.new_page()
    offline.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    offline.goto(target.as_uri())
    offline.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    hover_everything(offline)
    assert offline.evaluate("() => window.__care_pwned") is None
    assert offline.evaluate(f"() => {INJECTED}") == 0 and dialogs == []
    assert "<img src=x" in offline.inner_text("body")
    context.close()


def handshake(url: str, host: str) -> int:
    """The HTTP status of a WebSocket upgrade to the app's stream, sent with Host: ``host``."""
    parsed = urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    conn.request("GET", "/_stcore/stream", headers={
        "Host": host, "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": f"http://{host}"})
    status = conn.getresponse().status
    conn.close()
    return status


def test_the_server_answers_only_its_allowed_hosts(hostile_server):
    port = urlparse(hostile_server).port
    assert handshake(hostile_server, f"127.0.0.1:{port}") == 101
    assert handshake(hostile_server, "attacker.example") == 403


def test_links_and_icon_codes_in_names_show_as_typed(hostile_server, browser):
    """Streamlit finds autolinks (http://..., www., a@b.org) and :material/ icons in a text after
    its Markdown is read, so escapes alone did not stop them (security probe, finding 11): the
    picker's title and the footer's citation show them as typed, with no link and no icon."""
    page, _ = open_checked(browser, f"{hostile_server}/?{LINKS['whole']}")
    label = page.locator("[data-testid='stSidebar'] label:has(input:checked)").last
    title = label.evaluate("e => e.innerText.replace(/\\u2060/g, '')")
    assert ":material/home:" in title and ":red[red]" in title
    assert label.locator("a").count() == 0
    footer = page.locator("[data-testid='stMainBlockContainer'] [data-testid='stCaptionContainer']").last
    assert hostile.FORMULA in footer.evaluate("e => e.innerText.replace(/\\u2060/g, '')")
    assert footer.locator("a[href*='example.invalid']").count() == 0
    assert page.locator("[data-testid='stSidebarUserContent'] a").count() == 0  # the page links are above it
    page.close()
