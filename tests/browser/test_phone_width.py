"""At 390 px wide (a phone, as a phone's browser: ``conftest.phone``) nothing on any page is wider
than the screen, in Spanish (its words are the longer) on both datasets and in English on the
report's figures. Each view is a test of its own, so the workers share them."""

import pytest

from tests.browser.conftest import ARTIFACTS, DATASETS, PAGES, open_view, wait_for_app

VIEWS = [(p, lang, d) for d in DATASETS for lang in ("en", "es") for p in PAGES if lang == "es" or d == "published"]

TOO_WIDE = """() => {
  const limit = document.documentElement.clientWidth + 1;
  const out = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    // inside a chart only its text can be cut (its other shapes are clipped to the chart);
    // a table scrolls inside its own frame
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'text' && el.tagName.toLowerCase() !== 'svg') continue;
    if (el.closest('[data-testid="stDataFrame"]') && !el.matches('[data-testid="stDataFrame"]')) continue;
    if (!el.checkVisibility()) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > limit || r.left < -1) out.push(`${el.tagName.toLowerCase()}.${(el.getAttribute('class') || '').toString().slice(0, 40)} "${(el.textContent || '').trim().slice(0, 40)}" ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return out.slice(0, 10);
}"""


@pytest.mark.parametrize("name,lang,data", VIEWS)
def test_nothing_is_wider_than_a_phone(server, browser, name, lang, data):
    page = open_view(browser, server, name, lang, data, width=390, height=844)
    assert page.evaluate(TOO_WIDE) == []
    if name in ("overview", "territory"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 390, "height": 5000})
        wait_for_app(page)
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}-{lang}-{data}.png"))
    page.close()
