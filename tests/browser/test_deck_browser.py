"""Issue 22 in a real browser: the presenter chooses 4 slides in a new order with a title slide,
shares the link, and a fresh browser opens the same deck; the presenter view opened from the
room's window follows it, and moves it. Screenshots go to test-artifacts/screens/."""

import re
from urllib.parse import parse_qs, urlparse

from tests.browser.conftest import ARTIFACTS, wait_for_app

CHOSEN = ["What is known of each organisation's part in each component", "Participations by territory and component",
          "Overview", "Where the programme worked: participations by territory"]
MEETING = "Mesa <b>territorial</b> & recicladores"


def position(page) -> str:
    return re.search(r"\d+ of \d+", page.inner_text("body")).group(0)


# text the page shows escaped (ui.plain) carries an invisible word joiner after each colon
READ = "document.body.innerText.replaceAll('\\u2060', '')"


def body_text(page) -> str:
    return page.evaluate(f"() => {READ}")


def wait_for_text(page, text: str, timeout: int = 30_000) -> None:
    page.wait_for_function(f"(t) => {READ}.includes(t)", arg=text, timeout=timeout)


def slide_heading(page) -> str:
    """The slide's heading as the room reads it: a chart's title, a page's, or the meeting's."""
    return page.evaluate("""() => {
      const slide = document.querySelector('.st-key-care_slide');
      const own = slide.querySelector('.care-title-meeting, h1');
      const chart = slide.querySelector('.js-plotly-plot .gtitle');
      return (chart || own).textContent;
    }""")


def test_a_chosen_deck_travels_in_its_link_and_the_presenter_view_follows_it(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{server}/present")
    wait_for_app(page)
    wait_for_text(page, "1 of ")
    page.get_by_role("button", name="Choose the deck").click()
    chooser = page.locator("[data-testid='stPopoverBody']")
    chooser.get_by_role("button", name="Clear all").click()
    wait_for_app(page)
    box = chooser.get_by_role("combobox", name="Slides, in the order shown")
    for title in CHOSEN:
        box.click()
        box.fill(title[:30])
        page.get_by_role("option", name=title).click()
        wait_for_app(page)
    chooser.get_by_label("Meeting").fill(MEETING)
    chooser.get_by_label("Meeting").press("Enter")
    wait_for_app(page)
    chooser.get_by_label("Place").fill("Barranquilla")
    chooser.get_by_label("Place").press("Enter")
    wait_for_app(page)
    page.screenshot(path=str(ARTIFACTS / "deck-chooser.png"))
    page.keyboard.press("Escape")
    link = page.url
    query = parse_qs(urlparse(link).query)
    assert query["slides"] == ["organisation_matrix,territory_participations,overview,territory_map"]
    assert query["meeting"] == [MEETING] and query["place"] == ["Barranquilla"]
    page.close()

    # the shared link, in a browser that never saw the deck chosen
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    room = context.new_page()
    room.goto(link)
    wait_for_app(room)
    wait_for_text(room, "1 of ")
    total = int(position(room).split(" of ")[1])
    assert total in (6, 7)  # the title slide, the four chosen, the deck's notes on one or two slides
    assert room.locator(".care-title-meeting").inner_text() == MEETING  # escaped: shown as typed
    assert room.locator(".st-key-care_title_slide b").count() == 0
    assert room.locator(".care-title-when").inner_text() == "Barranquilla"
    room.screenshot(path=str(ARTIFACTS / "deck-title-1280x720.png"))
    seen = []
    for n in range(2, 6):
        room.keyboard.press("ArrowRight")
        wait_for_text(room, f"{n} of {total}")
        wait_for_app(room)
        room.wait_for_function("() => document.querySelector('.st-key-care_slide .gtitle, .st-key-care_slide h1')")
        seen.append(slide_heading(room))
        room.screenshot(path=str(ARTIFACTS / f"deck-chosen-1280x720-{n}.png"))
    assert [s.startswith(c[:25]) for s, c in zip(seen, CHOSEN)] == [True] * 4, seen
    room.keyboard.press("ArrowRight")
    wait_for_text(room, f"6 of {total}")
    assert slide_heading(room).startswith("Notes")

    # the presenter view: opened from the room's window, it follows it and can move it
    room.keyboard.press("Home")
    wait_for_text(room, f"1 of {total}")
    with room.expect_popup() as opened:
        room.get_by_role("button", name="Presenter view").click()
    presenter = opened.value
    presenter.set_viewport_size({"width": 1000, "height": 760})
    wait_for_app(presenter)
    wait_for_text(presenter, "On screen: Title slide: Mesa")
    assert "Next: What is known of each organisation" in body_text(presenter)
    assert not presenter.locator(".st-key-care_slide").count()  # notes, not the slide
    room.keyboard.press("ArrowRight")
    wait_for_text(room, f"2 of {total}")
    wait_for_text(presenter, "On screen: What is known of each organisation")
    room.keyboard.press("ArrowRight")
    wait_for_text(room, f"3 of {total}")
    wait_for_text(presenter, "On screen: Participations by territory and component")
    text = body_text(presenter)
    assert "A participation is not a person. Each attendance" in text  # the full caveat
    assert "Next: Overview" in text
    assert re.search(r"\b\d{1,2}:\d{2}\b", presenter.locator(".care-clock").inner_text())  # the clock
    presenter.screenshot(path=str(ARTIFACTS / "deck-presenter-view.png"))
    presenter.keyboard.press("PageDown")  # a clicker pointed at the presenter's window moves the room
    wait_for_text(room, f"4 of {total}")
    wait_for_text(presenter, "On screen: Overview")
    context.close()


SWIPE = """(dx) => {
  const at = (x) => new Touch({identifier: 1, target: document.body, clientX: x, clientY: 400});
  document.dispatchEvent(new TouchEvent('touchstart', {touches: [at(200)], changedTouches: [at(200)], bubbles: true}));
  document.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [at(200 + dx)], bubbles: true}));
}"""

ON_SCREEN = """() => ({
  wide: document.documentElement.scrollWidth,
  bar: document.querySelector('.st-key-care_slide_bar').getBoundingClientRect().bottom,
  bottom: document.querySelector('.st-key-care_slide').getBoundingClientRect().bottom,
  // a chart's texts cut at its edge (a chart enlarged past a phone's width)
  // the organisation grid aside: on a phone it is not yet laid out for one (its columns overprint)
  cut: [...document.querySelectorAll('.st-key-care_slide .js-plotly-plot')].filter((plot) => !plot.querySelector('.heatmaplayer .hm'))
    .flatMap((plot) => {
    const box = plot.querySelector('.main-svg').getBoundingClientRect();
    return [...plot.querySelectorAll('text')].filter((t) => {
      const r = t.getBoundingClientRect();
      return t.textContent.trim() && r.width && (r.right > Math.min(box.right, 390) + 1 || r.left < box.left - 1);
    }).map((t) => t.textContent.slice(0, 30));
  }),
})"""


def test_a_shared_deck_on_a_phone_is_one_slide_per_screen_and_moves_with_a_swipe(server, browser):
    """At 390x844 as a phone: every slide of a shared deck (a title slide, the headline figures,
    the charts, the map, the notes) within the screen, nothing wider than it, the controls in at
    most 15 % of its height; a swipe to the left moves on, to the right back."""
    from tests.browser.conftest import phone

    context = browser.new_context(**phone())
    page = context.new_page()
    page.goto(f"{server}/present?meeting=Mesa%20territorial&date=7%20de%20diciembre"
              "&slides=overview,overview_components,territory_map,organisation_matrix")
    wait_for_app(page)
    wait_for_text(page, "1 of ")
    n = 1
    while True:  # the deck's length is read at each slide: the first run lays the notes out for a
        # default window, until the phone's size reaches the server
        wait_for_text(page, f"{n} of ")
        wait_for_app(page)
        total = int(position(page).split(" of ")[1])
        shown = page.evaluate(ON_SCREEN)
        assert shown["wide"] <= 390 and shown["cut"] == [] and shown["bar"] <= 0.15 * 844 and shown["bottom"] <= 844 + 1, (n, shown)
        page.screenshot(path=str(ARTIFACTS / f"deck-phone-{n}.png"))
        if n == total:
            break
        page.evaluate(SWIPE, -120)
        n += 1
    page.evaluate(SWIPE, 120)
    wait_for_text(page, f"{total - 1} of {total}")
    page.evaluate(SWIPE, 20)  # too short to be a swipe: stays
    wait_for_app(page)
    assert position(page) == f"{total - 1} of {total}"
    context.close()


# a chart slide's texts as drawn: the smallest (where it is under the floor), the chart's title
# and the largest line written under the chart; and the filters line of a filtered deck
READING = """() => {
  const slide = document.querySelector('.st-key-care_slide');
  const plot = slide.querySelector('.js-plotly-plot');
  const size = (e) => parseFloat(getComputedStyle(e).fontSize);
  const out = {texts: [], title: null, lines: 0, filtered: /(Territory|Territorio) Barranquilla/.test(slide.innerText)};
  if (plot) {
    for (const t of plot.querySelectorAll('text')) {
      if (t.textContent.trim() && t.getBoundingClientRect().width) out.texts.push([t.textContent.slice(0, 30), size(t)]);
    }
    const title = plot.querySelector('.gtitle');
    out.title = title ? size(title) : 0;
  }
  for (const p of slide.querySelectorAll('.st-key-care_slide_lines p')) out.lines = Math.max(out.lines, size(p));
  return out;
}"""

# what is not yet as large as the rest: the map is drawn for its page and scaled as a whole; the
# organisation grid's 16 rows and the combinations chart's rows hold their names only at the size
# their rows allow at 720p
NOT_YET = ("Where the programme worked", "Dónde trabajó", "What is known of each organisation", "Qué se sabe de la participación",
           "Participations and people of each organisation", "Participaciones y personas de cada organización",
           "People by exact combination", "Personas por combinación exacta")
NOT_YET_MAP = ("Where the programme worked", "Dónde trabajó")


import pytest  # noqa: E402


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["720p", "1080p"])
@pytest.mark.parametrize("deck", ["?territory=barranquilla", "?lang=es&dataset=care_2025_synthetic&territory=barranquilla"],
                         ids=["report-en", "synthetic-es"])
def test_a_filtered_deck_is_read_from_the_back_row(server, browser, size, deck):
    """Every chart slide at 720p and 1080p: no text of its chart under 16 px (the map and the
    organisation grid aside, ``NOT_YET``), the lines under it no larger than its title; every
    slide of a filtered deck names its filter."""
    width, height = size
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{server}/present{deck}&meeting=Mesa")
    wait_for_app(page)
    page.wait_for_function("() => /1 (of|de) \\d+/.test(document.body.innerText)")
    total = int(re.search(r"1 (?:of|de) (\d+)", page.inner_text("body")).group(1))
    problems = []
    for n in range(1, total + 1):
        page.wait_for_function("(n) => new RegExp('(^|\\\\s)' + n + ' (of|de) ').test(document.body.innerText)", arg=n)
        wait_for_app(page)
        shown = page.evaluate(READING)
        if not shown["filtered"]:
            problems.append((n, "no filter named"))
        if shown["title"] is not None:
            title = page.evaluate("() => (document.querySelector('.st-key-care_slide .gtitle') || {}).textContent || ''")
            small = [t for t in shown["texts"] if t[1] < 16 - 0.01]
            if small and not title.startswith(NOT_YET):
                problems.append((n, title[:40], "under 16 px", small[:4]))
            if shown["lines"] > shown["title"] + 0.01 and not title.startswith(NOT_YET_MAP):
                problems.append((n, title[:40], "lines larger than the title", shown["lines"], shown["title"]))
        page.screenshot(path=str(ARTIFACTS / f"deck-reading-{width}x{height}-{n}.png"))
        if n < total:
            page.keyboard.press("ArrowRight")
    assert problems == []
    page.close()

