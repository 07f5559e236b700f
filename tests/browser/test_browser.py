"""What only a browser shows: a shared link opens the view it describes even as the first request
after a server start, the map is drawn offline, and the synthetic record-level dataset's choice
survives moving between pages; nothing is fetched from another host and no console error is
logged on the way. That every page of both datasets, in both languages, renders offline without
errors is checked with its reading test (tests/browser/test_reading.py), on the same page load."""

import pytest

from tests.browser.conftest import ARTIFACTS, assert_clean, wait_for_app, watch


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


def test_first_visitor_after_a_start_keeps_the_link_view_on_the_next_click(browser):
    """On its own fresh server: the first request after a start opens the default page from a
    link; the visitor's next click (another page) keeps the link's language and filter. (Before
    the fix the first run's widgets had other ids, so the click fell back to English, unfiltered.)"""
    from tests.browser.conftest import running_server

    with running_server(log_name="server-first-visitor.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        page.goto(f"{url}/?lang=es&territory=cajica")
        wait_for_app(page)
        assert "Resumen" in page.inner_text("[data-testid='stMain']")
        page.locator("[data-testid='stSidebarNav'] a", has_text="Por territorio").click()
        page.wait_for_function("() => location.pathname.endsWith('/territory')", timeout=30_000)
        wait_for_app(page)
        assert "Por territorio" in page.inner_text("[data-testid='stMain'] h1")
        assert "territory=cajica" in page.url and "lang=es" in page.url
        page.close()


def test_a_link_to_the_default_page_s_own_address_is_the_first_visit_after_a_start(browser):
    """Streamlit serves the default page at "/" only: ``/overview`` opened a "Page not found"
    dialog. On a fresh server (its first request also leaves Streamlit's legacy pages/ mode) the
    link opens the Overview at "/", with the link's view and the Overview marked in the menu, and
    the visitor's next click keeps that view. Nothing is fetched from another host on the way
    (the run that leaves the legacy mode gave the tab the page's Material icon, from the web)."""
    from playwright.sync_api import expect

    from tests.browser.conftest import running_server

    with running_server(log_name="server-first-overview.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        _, foreign, _ = watch(page)
        page.goto(f"{url}/overview?lang=es&territory=cajica")
        wait_for_app(page)
        expect(page.locator("[data-testid='stMain'] h1").first).to_have_text("Resumen")
        assert "40" in page.inner_text("[data-testid='stMain']")  # 18 + 22 participations in Cajicá
        assert page.locator("[role='dialog']").count() == 0
        path, _, query = page.url.removeprefix(url).partition("?")
        assert path == "/" and sorted(query.split("&")) == ["lang=es", "territory=cajica"], page.url
        expect(page.locator("[data-testid='stSidebarNav'] a[aria-current='page']")).to_contain_text("Resumen")
        page.locator("[data-testid='stSidebarNav'] a", has_text="Por territorio").click()
        page.wait_for_function("() => location.pathname.endsWith('/territory')", timeout=30_000)
        wait_for_app(page)
        expect(page.locator("[data-testid='stMain'] h1").first).to_have_text("Por territorio")
        assert "territory=cajica" in page.url and "lang=es" in page.url
        assert foreign == []
        page.close()


def test_a_link_to_the_import_page_is_the_first_visit_after_a_start(browser):
    """Audit finding 12: ``/import?lang=es`` opened as the first request after a server start
    landed on the Overview with an English "Page not found" dialog. On a fresh server it opens
    the Import page, in Spanish, with no dialog, and the link stays as it was."""
    from playwright.sync_api import expect

    from tests.browser.conftest import running_server

    with running_server({"CARE_IMPORT_PAGE": "on"}, log_name="server-first-import.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{url}/import?lang=es&dataset=care_2025_synthetic")
        wait_for_app(page)
        expect(page.locator("[data-testid='stMain'] h1")).to_have_text("Importar listas de asistencia", timeout=30_000)
        assert page.locator("[role='dialog']").count() == 0
        assert "/import?" in page.url and "lang=es" in page.url
        page.close()


def test_people_page_of_synthetic_data_and_the_choice_kept_across_pages(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 4000})
    errors, foreign, failed = watch(page)
    page.goto(f"{server}/people?dataset=care_2025_synthetic")
    wait_for_app(page)
    text = page.inner_text("[data-testid='stMain']")
    assert "Synthetic data" in text
    charts = [c for c in page.query_selector_all(".js-plotly-plot") if c.is_visible()]
    assert len(charts) == 3  # components per person, combinations, by territory (on a wide screen)
    # the overlaps chart draws its bars and, under them, the dot matrix
    assert page.query_selector(".st-key-care_chart_people_overlaps .js-plotly-plot .scatterlayer .point")
    assert "<5" in text and "fewer than 5 people" in text
    page.get_by_role("link", name="By organisation").click()
    page.wait_for_function("() => location.pathname.endsWith('/organisation')", timeout=30_000)
    wait_for_app(page)
    assert "dataset=care_2025_synthetic" in page.url
    assert "Synthetic data" in page.inner_text("[data-testid='stMain']")
    assert_clean(page, errors, foreign, failed)
    page.close()


def test_the_sidebar_shows_its_choices_after_a_language_change(server, browser):
    """Streamlit's browser side keeps a radio's or multiselect's choice by its label as shown: after
    a change of language the dataset picker showed no dataset chosen (the choice was kept, not
    shown). The chosen dataset and filter stay visibly chosen, in the new language's names."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{server}/?lang=en&dataset=care_2025_synthetic&component=human-rights")
    wait_for_app(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_role("radio", name="CARE 2025 synthetic demo")).to_be_checked(timeout=30_000)
    sidebar.get_by_text("Español", exact=True).click()
    expect(page.locator("[data-testid='stMain'] h1")).to_have_text("Resumen", timeout=30_000)
    wait_for_app(page)
    expect(sidebar.get_by_role("radio", name="Demo CARE 2025, datos sintéticos")).to_be_checked()
    expect(sidebar.get_by_text("Derechos humanos", exact=True)).to_be_visible()  # the filter's chip
    page.close()


def test_people_page_of_published_figures_explains_the_empty_state(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    errors, foreign, failed = watch(page)
    page.goto(f"{server}/people")
    wait_for_app(page)
    text = page.inner_text("[data-testid='stMain']")
    assert "This dataset has no lists of people" in text and "320 to 799" in text
    assert not page.query_selector(".js-plotly-plot")
    assert_clean(page, errors, foreign, failed)
    page.close()


MAP_VIEWS = {
    # a 1400-px screen, and a projector 1280 px wide (taller here, so the screenshot holds it all)
    "territory-map-1400": ({"width": 1400, "height": 1300}, ""),
    "territory-map-projector": ({"width": 1280, "height": 1300}, ""),
    "territory-map-es-formalisation": ({"width": 1400, "height": 1300}, "?lang=es&component=formalisation"),
}


@pytest.mark.parametrize("view", MAP_VIEWS)
def test_territory_map_draws_offline(server, browser, view):
    """The map is drawn from the bundled boundaries on ordinary axes: no Plotly geo subplot or tile
    map (which would fetch a base map from a CDN), no request leaving localhost; the close pairs
    are labelled apart in their zoomed panels; not published is written, never drawn."""
    viewport, query = MAP_VIEWS[view]
    page = browser.new_page(viewport=viewport)
    errors, foreign, failed = watch(page)
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{server}/territory{query}")
    wait_for_app(page)
    plot = page.query_selector(".st-key-care_chart_territory_map .js-plotly-plot")
    plot.scroll_into_view_if_needed()
    # a long name is drawn on two lines (two tspans): their words joined as read
    labels = " ".join(plot.evaluate("el => [...el.querySelectorAll('text')].map(t => { const parts = "
                                    "[...t.querySelectorAll('tspan')].map(s => s.textContent); "
                                    "return parts.length ? parts.join(' ') : t.textContent; })"))
    assert "participa" in labels  # the title, with its unit
    assert "Natural Earth" in labels  # the attribution, on the figure
    if "formalisation" in query:
        assert labels.count("no publicado") >= 2
    else:
        for name in ("Bogotá", "Cajicá", "Barranquilla", "Puerto Colombia"):
            assert name in labels, name
    # no geo or map subplot in the page, nothing asked of a CDN or for a topojson base map
    # Plotly keeps an empty .geolayer in every plot; a geo subplot would draw into it
    assert not page.query_selector(".geolayer > *, .mapboxgl-map, .maplibregl-map")
    assert not [u for u in urls if "topojson" in u or "cdn" in u or "plot.ly" in u]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    plot.screenshot(path=str(ARTIFACTS / f"{view}.png"))
    assert_clean(page, errors, foreign, failed)
    page.close()
