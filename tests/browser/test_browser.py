"""What only a browser shows: pages render without console errors, nothing is fetched from
another host (the dashboard must work at venues with no internet), and a shared link opens the
view it describes even as the first request after a server start."""

import re
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import ARTIFACTS, wait_for_app

PAGES = {"overview": "", "territory": "territory", "component": "component",
         "organisation": "organisation", "method": "method"}


def test_shared_link_restores_view_on_first_request(server, browser):
    """Runs first in this module: a deep link is the first request the new server sees."""
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(f"{server}/?lang=es&territory=cajica&component=nope")
    wait_for_app(page)
    text = page.inner_text("[data-testid='stMain']")
    assert "Resumen" in text
    assert "40" in text  # 18 + 22 participations in Cajicá
    assert "territory=cajica" in page.url and "lang=es" in page.url
    assert "component=nope" not in page.url
    page.close()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline_without_errors(server, browser, name, lang):
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    errors, foreign, failed = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", "localhost") and not r.url.startswith(("data:", "blob:")) else None)
    page.goto(f"{server}/{PAGES[name]}?lang={lang}")
    wait_for_app(page)
    if name in ("territory", "component", "organisation"):
        page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}.png"))
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
    page.close()
