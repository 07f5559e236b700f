"""The English that Streamlit's and Plotly's frontends write by themselves, as a small table, and a
check of a page for it. Written from what their frontends show (not from the dashboard's own
translation table, content/i18n/streamlit/), so a text the translation misses is found.

    from tests.browser.english_texts import english_on_page, wait_without_english
    assert english_on_page(page) == []

Each entry is a regular expression a whole text must match: the text of a visible text node, or
the value of an ``aria-label``, ``title``, ``data-title`` (Plotly's tooltips) or ``placeholder``
attribute of any element (visible or not: screen readers and tooltips read them).
"""

from __future__ import annotations

import json

from playwright.sync_api import TimeoutError as PlaywrightTimeout

ENGLISH = (
    # the file uploader
    r"Upload", r"Browse files", r"Drag and drop (a file|files|file) here", r"Add files", r"file upload",
    r".+ per file( • .+)?", r"Limit .+ per file.*", r"File must be .+ or smaller\.", r".+ files are not allowed\.",
    r"Remove .+\.\w+", r"Cancel upload of .+",
    # the dialog of a page that does not exist, and dialogs' close button
    r"Page not found", r".*does not seem to exist.*", r".*Running the app's main page\.", r"Close",
    # Plotly's toolbar and messages
    r"Download plot as a (PNG|png)", r"Download plot", r"Zoom", r"Pan", r"Zoom in", r"Zoom out", r"Autoscale",
    r"Reset axes", r"Box Select", r"Lasso Select", r"Toggle Spike Lines", r"Show closest data on hover",
    r"Compare data on hover", r"Double-click to zoom back out", r"Produced with Plotly\.js.*",
    r"Taking snapshot - this may take a few seconds",
    # Streamlit's toolbars (a chart's full screen, a table's tools) and their tooltips
    r"Fullscreen", r"Close fullscreen", r"Download as CSV", r"Search", r"Show/hide columns", r"Close Search",
    # labels for screen readers, and the page's frame
    r"Help for .*", r"Help", r"[a-z_]+ icon", r"Link to heading", r"Collapse sidebar", r"Expand sidebar",
    r"Sidebar", r"App pages", r"Main menu", r"Open", r"Clear all", r"Remove .+", r"Selected values",
    r"Skip to main content", r"Running\.\.\.", r"Print", r"Record screen",
)

# in the page: every text Streamlit or Plotly may have written in English, as [where, text]
_FIND = """(patterns) => {
  const english = patterns.map((p) => new RegExp(`^(?:${p})$`, 's'));
  const isEnglish = (text) => english.some((re) => re.test(text.trim()));
  const found = [];
  const names = ['aria-label', 'title', 'data-title', 'placeholder'];
  for (const el of document.querySelectorAll(names.map((n) => `[${n}]`).join(','))) {
    for (const n of names) {
      const v = el.getAttribute(n);
      if (v && isEnglish(v)) found.push([`${el.tagName.toLowerCase()}[${n}]`, v]);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.data.trim() || !parent || parent.closest('[data-testid="stIconMaterial"], script, style')) continue;
    if (parent.checkVisibility() && isEnglish(node.data)) found.push([`text in ${parent.tagName.toLowerCase()}`, node.data.trim()]);
  }
  return found;
}"""


def english_on_page(page) -> list[list[str]]:
    """Every known English text of Streamlit or Plotly on the page now, as ``[where, text]``."""
    return page.evaluate(_FIND, list(ENGLISH))


def wait_without_english(page, timeout: float = 15_000) -> list[list[str]]:
    """Wait until the page shows none of them (the page's script replaces them as Streamlit draws,
    a moment after); returns what is still there when ``timeout`` (ms) runs out."""
    try:
        page.wait_for_function(f"() => ({_FIND})({json.dumps(list(ENGLISH))}).length === 0", timeout=timeout)
    except PlaywrightTimeout:  # the caller asserts on what is left
        pass
    return english_on_page(page)
