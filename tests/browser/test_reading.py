"""Issue 12 in a real browser: every page reads at a glance and is accessible, on the report's
figures and the synthetic demo, in English and Spanish.

For each page view (the whole page, in a window tall enough to hold it): no sentence of eight
words or more is shown twice in the page's own words (a chart's footer, which travels with the
chart, may name a caveat the chart beside it names too); the visible words per chart or headline figure stay few (what
the page shows by default: text one click away, in "About these figures", a figure's help or
the page's notes, is not counted, nor the names and counts drawn inside a chart, which are the
figures themselves); axe-core finds no serious or critical WCAG 2.x A/AA
violation; <html lang> is the interface language (at 390 px, a phone: tests/browser/test_phone_width.py).
The figures are written to test-artifacts/reading.json.

The same page load also checks what every page must do offline: no request leaves the server,
no console error, no failed answer, no exception, a chart drawn where the page has one, and the
synthetic-data banner exactly on the synthetic demo (``conftest.assert_clean``).
"""

import json
import re
from collections import Counter

import pytest

from tests.browser.conftest import ARTIFACTS, DATASETS, PAGES, assert_clean, axe_source, open_view

CHART_PAGES = {"published": ("territory", "component", "organisation"),
               "synthetic": ("territory", "component", "organisation", "people")}
VIEWS = [(p, lang, d) for d in DATASETS for lang in ("en", "es") for p in PAGES]
MAX_WORDS_PER_FIGURE = 90  # on average over every page view with charts or headline figures
results: dict = {}

# every text the reader can see in the main area, one string per element, in page order. Inside
# a chart: its title, subtitle and the notes under it (the last annotation), which are words
# about the figures; not the names, counts and cells drawn in it, which are the figures.
VISIBLE_TEXT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  // "page": the page's own words and a chart's title; "footer": the lines under a chart, inside
  // it; null: the chart's names and counts, which are the figures themselves
  const prose = (el) => {
    const svg = el.closest('svg.main-svg');
    if (!svg) return "page";
    if (el.closest('.gtitle, .gtitle-subtitle')) return "page";
    const notes = [...svg.querySelectorAll('.annotation')].at(-1);
    return !!notes && notes.contains(el) ? "footer" : null;
  };
  const out = [];
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    const text = node.textContent.trim();
    const kind = el && prose(el);
    if (text && kind && el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) out.push([text, kind]);
  }
  return out;
}"""
FIGURES_SHOWN = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = (e) => e.checkVisibility();
  return [...main.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(shown).length +
         [...main.querySelectorAll('[data-testid="stMetric"]')].filter(shown).length;
}"""


def sentences(texts: list[str]) -> list[str]:
    """Sentences of eight words or more, normalised (case, spaces, note numbers)."""
    joined = "\n".join(texts)
    out = []
    for part in re.split(r"(?<=[.!?;:])\s+|\n", joined):
        # words, not numbers: "(report section 5.1, 5.2, 5.3)" is a reference, not a sentence
        words = [w for w in re.findall(r"\w+", part.lower()) if re.search(r"[^\W\d_]", w)]
        if len(words) >= 8:
            out.append(" ".join(words))
    return out


@pytest.mark.parametrize("name,lang,data", VIEWS)
def test_page_renders_offline_reads_at_a_glance_and_is_accessible(server, browser, name, lang, data):
    watched: list = []
    page = open_view(browser, server, name, lang, data, watched=watched)
    if name in CHART_PAGES[data]:
        assert page.query_selector(".js-plotly-plot .main-svg")
    banner = page.query_selector("[data-testid='stAlertContentWarning']")
    assert (banner is not None) == (data == "synthetic")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}-{data}.png"))
    assert_clean(page, *watched)
    shown = page.evaluate(VISIBLE_TEXT)
    texts = [t for t, _ in shown]
    words = sum(len(re.findall(r"\w+", t)) for t in texts)
    figures = page.evaluate(FIGURES_SHOWN)
    results[f"{name}-{lang}-{data}"] = {"words": words, "figures": figures}
    # a chart's footer is part of the chart: it goes with it when the chart is saved as an image
    # or a slide, so each chart names its own key caveats, with what they rest on, even where the
    # chart beside it names the same (issue 22); the page's own words say nothing twice
    repeated = [s for s, n in Counter(sentences([t for t, kind in shown if kind == "page"])).items() if n > 1]
    assert not repeated, f"said twice on one screen: {repeated}"
    assert page.evaluate("() => document.documentElement.lang") == lang
    page.add_script_tag(content=axe_source())
    violations = page.evaluate("""async () => {
      const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
      return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
    }""")
    assert not violations, violations
    page.close()


def test_words_per_figure_on_average():
    """Runs after the page views above (pytest keeps file order)."""
    with_figures = {k: v for k, v in results.items() if v["figures"]}
    assert len(with_figures) >= 18, f"the page views did not all run: {sorted(results)}"
    average = sum(v["words"] for v in with_figures.values()) / sum(v["figures"] for v in with_figures.values())
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / "reading.json").write_text(json.dumps(
        {"views": results, "words_per_figure": round(average, 1)}, indent=1, ensure_ascii=False))
    assert average <= MAX_WORDS_PER_FIGURE, average
