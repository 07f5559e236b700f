"""The offline slideshow in Chromium with the network blocked: every request but the file itself is
aborted and recorded, and none may be made; the presentation's keys move through the deck, the
position says where, the slide shown is the one asked for, and its chart is drawn. Screenshots of
every slide at 1280x720 and 1920x1080 go to test-artifacts/screens/slideshow/."""

from __future__ import annotations

import pytest

from care_dashboard import ui_slideshow
from tests.browser.conftest import ARTIFACTS
from tests.test_honest_surfaces import context

LINK = {"slides": ["territory_participations,overview,territory_map,organisation_matrix"],
        "meeting": ["Mesa de aliados <b>CARE</b>"], "date": ["8 de diciembre de 2026"], "place": ["Bogotá"],
        "by": ["Equipo CEMPRE"], "closing": ["Gracias. <i>Preguntas</i>"]}
SHOWN = """() => {
  const shown = [...document.querySelectorAll('.ss-slide')].filter((s) => getComputedStyle(s).visibility === 'visible');
  return shown.map((s) => ({key: s.dataset.key, position: s.querySelector('.ss-position').textContent,
                            drawn: !!s.querySelector('.main-svg'), hidden: s.getAttribute('aria-hidden')}));
}"""


@pytest.fixture(scope="module")
def slideshow_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("slideshow") / "care-slideshow-es.html"
    path.write_bytes(ui_slideshow.slideshow_bytes(context("synthetic_one_component", "es"), LINK))
    return path


def open_blocked(browser, path, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    asked: list[str] = []
    own = path.as_uri()

    def route(r):
        if r.request.url.split("#")[0] == own:
            r.continue_()
        else:
            asked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(own)
    return page, asked, errors


def test_the_slideshow_runs_offline_with_the_presentations_keys(browser, slideshow_file):
    page, asked, errors = open_blocked(browser, slideshow_file, 1280, 720)
    try:
        count = page.locator(".ss-slide").count()
        keys = page.eval_on_selector_all(".ss-slide", "(all) => all.map((s) => s.dataset.key)")
        assert keys[:6] == ["opening", "territory_participations", "overview", "territory_map", "organisation_matrix", "closing"]
        assert keys[6:] == ["notes"] * (count - 6) and count >= 7

        def at(n):
            shown = page.evaluate(SHOWN)
            assert len(shown) == 1, shown
            assert shown[0]["key"] == keys[n - 1] and shown[0]["position"] == f"{n} / {count}", (n, shown)
            assert shown[0]["hidden"] == "false"
            assert page.evaluate("location.hash") == f"#{n}"
            return shown[0]

        at(1)
        assert "Mesa de aliados <b>CARE</b>" in page.inner_text(".ss-current h1")  # the presenter's text, as written
        for key, n in [("ArrowRight", 2), ("PageDown", 3), (" ", 4), ("ArrowDown", 5), ("ArrowLeft", 4),
                       ("PageUp", 3), ("End", count), ("ArrowRight", count), ("Home", 1), ("ArrowLeft", 1),
                       ("End", count), ("PageUp", count - 1)]:
            page.keyboard.press(key)
            shown = at(n)
            if keys[n - 1] in ("territory_participations", "territory_map", "organisation_matrix"):
                assert shown["drawn"], keys[n - 1]
        assert page.evaluate(SHOWN)[0]["key"] in ("closing", "notes")
        # the position is in view: inside the window, large enough to read
        box = page.locator(".ss-current .ss-position").bounding_box()
        assert box and box["y"] + box["height"] <= 720 and box["x"] + box["width"] <= 1280 and box["height"] >= 18
        assert not asked, f"requests beyond the file: {asked}"
        assert not errors, errors
    finally:
        page.close()


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_every_slide_fills_the_screen_at_projector_sizes(browser, slideshow_file, width, height):
    page, asked, errors = open_blocked(browser, slideshow_file, width, height)
    out = ARTIFACTS / "slideshow"
    out.mkdir(parents=True, exist_ok=True)
    try:
        count = page.locator(".ss-slide").count()
        for n in range(1, count + 1):
            stage = page.locator(".ss-current .ss-stage").bounding_box()
            # a 16:9 slide scaled to the window: the whole window, at both sizes
            assert stage is not None and abs(stage["width"] - width) <= 1 and abs(stage["height"] - height) <= 1, (n, stage)
            # nothing of the slide cut off: its body's content fits it
            over = page.evaluate("() => { const b = document.querySelector('.ss-current .ss-body');"
                                 " return b.scrollHeight - b.clientHeight; }")
            assert over <= 1, (n, over)
            page.screenshot(path=str(out / f"slideshow-es-{width}x{height}-{n:02d}.png"))
            page.keyboard.press("ArrowRight")
        assert not asked and not errors, (asked, errors)
    finally:
        page.close()
