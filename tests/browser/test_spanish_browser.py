"""A Spanish page in a browser: Streamlit's and Plotly's own texts are in Spanish too (a chart's
toolbar, a table's toolbar, the "Page not found" dialog, the Import page's uploader, the labels
screen readers read), and back in English at a change of language; every page answers at its
address; a link's language stays in the address as the visitor moves on. The known English texts
are the table of tests/browser/english_texts.py."""

import re

import pytest
from playwright.sync_api import expect

from care_dashboard import i18n, site_pages
from tests.browser.conftest import ARTIFACTS, phone, wait_for_app
from tests.browser.english_texts import wait_without_english

SIZES = {"laptop": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}


def spanish_page(browser, server, path, size="laptop"):
    """``path`` opened with ``lang=es`` in an English browser: the link, not the browser, makes
    the page Spanish."""
    shape = phone(**SIZES[size]) if size == "phone" else {"viewport": SIZES[size]}
    page = browser.new_page(**shape, locale="en-GB")
    page.goto(f"{server}/{path}{'&' if '?' in path else '?'}lang=es")
    wait_for_app(page)
    return page


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"spanish-{name}.png"))


def assert_spanish(page, what):
    left = wait_without_english(page)
    assert left == [], f"{what}: English of Streamlit or Plotly on a Spanish page: {left}"


@pytest.mark.parametrize("size", SIZES)
def test_a_chart_s_and_a_table_s_toolbars_speak_spanish(server, browser, size):
    page = spanish_page(browser, server, "", size)
    chart = page.locator("[data-testid='stPlotlyChart']").filter(visible=True).first
    chart.scroll_into_view_if_needed()
    chart.hover()
    camera = chart.locator(".modebar-btn[data-attr='toImage'], .modebar-btn").first
    expect(camera).to_be_visible()
    expect(chart.locator(".modebar-btn[aria-label='Descargar gráfica como PNG']")).to_have_count(1)
    expect(chart.locator(".modebar-btn[data-title='Pantalla completa']")).to_have_count(1)  # Streamlit's, in Plotly's bar
    chart.locator(".modebar-btn[data-title='Modo Ampliar/Reducir']").hover()
    assert_spanish(page, "a chart with its toolbar")
    shot(page, f"chart-toolbar-{size}")

    # a table: opened from its chart's expander, its toolbar shown and a button's tooltip open
    expander = page.locator("[data-testid='stExpander']").filter(visible=True).filter(
        has_text=i18n.t("common.table_expander", "es")).first
    expander.locator("summary").click()
    table = expander.locator("[data-testid='stDataFrame']")
    expect(table).to_be_visible()
    # the expander opens with an animation, the table moving under the mouse until it ends
    expander.evaluate("(e) => Promise.all(e.getAnimations({subtree: true}).map((a) => a.finished))")
    # in the middle of the screen: on a phone the page's sticky header covers a toolbar at its top
    table.evaluate("(e) => e.scrollIntoView({block: 'center'})")
    table.hover()
    download = expander.locator("[data-testid='stElementToolbar'] button[aria-label='Descargar como CSV']")
    expect(download).to_be_visible()
    # the toolbar fades in and slides up over the table (Streamlit's CSS transitions of its opacity,
    # top and z-index, 0.2 s): until they end the table is on top of the button, and Playwright's
    # retried hover scrolls the page, which on a phone slid the button under the sticky header
    expander.locator("[data-testid='stElementToolbar']").evaluate(
        "(e) => Promise.all(e.getAnimations({subtree: true}).map((a) => a.finished))")
    download.hover()
    expect(page.locator("[data-testid='stTooltipContent']").filter(visible=True)).to_have_text("Descargar como CSV")
    assert_spanish(page, "a table with its toolbar and a tooltip")
    shot(page, f"table-toolbar-{size}")
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_page_not_found_dialog_speaks_spanish(server, browser, size):
    page = spanish_page(browser, server, "no-such-page", size)
    dialog = page.locator("[role='dialog']")
    expect(dialog).to_contain_text(i18n.t("streamlit.dialog.page_not_found", "es"))
    expect(dialog).to_contain_text(i18n.t("streamlit.dialog.no_such_page", "es"))
    expect(dialog.locator("button[aria-label='Cerrar']")).to_have_count(1)
    assert_spanish(page, "the Page not found dialog")
    shot(page, f"page-not-found-{size}")
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_import_page_s_uploader_speaks_spanish_and_english_again(server, browser, size):
    """Under a server for one person (make run) the Import page is shown."""
    page = spanish_page(browser, server, "import", size)
    uploader = page.locator("[data-testid='stFileUploader']").first
    expect(uploader).to_contain_text("Subir")
    expect(uploader.locator("[data-testid='stFileUploaderDropzoneInstructions']")).to_contain_text("por archivo")
    expect(uploader.locator("input[type='file']")).to_have_attribute("aria-label", "subir archivo")
    assert_spanish(page, "the Import page")
    shot(page, f"import-uploader-{size}")
    if size == "laptop":
        # the translations are not left behind: in English, Streamlit's own English is back
        page.locator("[data-testid='stSidebar'] label").filter(has_text="English").click()
        expect(uploader).to_contain_text("Upload", timeout=30_000)
        expect(uploader.locator("[data-testid='stFileUploaderDropzoneInstructions']")).to_contain_text("per file")
        expect(page.locator("[data-testid='stSidebar'] button[aria-label^='Help for ']").first).to_be_attached()
        assert page.locator("[aria-label^='Ayuda: ']").count() == 0
    page.close()


def test_every_page_answers_at_its_address(server, browser):
    """/overview opened an English "Page not found" dialog: the default page answered only at /."""
    page = browser.new_page(viewport=SIZES["laptop"], locale="en-GB")
    for entry in site_pages.PAGES:
        page.goto(f"{server}/{entry.address}?lang=es")
        wait_for_app(page)
        heading = page.locator("[data-testid='stMain'] h1").first
        if entry.address != "present":  # a slide has no page title
            expect(heading).to_have_text(i18n.t(f"{entry.address}.title", "es"), timeout=30_000)
        assert page.locator("[role='dialog']").count() == 0, entry.address
        assert "lang=es" in page.url, entry.address
    page.close()


def test_a_link_s_language_stays_in_the_address_in_a_browser_of_that_language(server, browser):
    """?lang=en in an English browser was dropped from the address at once: a link copied from
    the next page opened in whatever language its reader's browser had."""
    page = browser.new_page(viewport=SIZES["laptop"], locale="en-GB")
    page.goto(f"{server}/?lang=en")
    wait_for_app(page)
    assert re.search(r"[?&]lang=en\b", page.url), page.url
    page.locator("[data-testid='stSidebarNav'] a", has_text="By territory").click()
    page.wait_for_function("() => location.pathname.endsWith('/territory')", timeout=30_000)
    wait_for_app(page)
    expect(page.locator("[data-testid='stMain'] h1").first).to_have_text("By territory")
    assert re.search(r"[?&]lang=en\b", page.url), page.url
    page.close()
