"""The presenter's own deck on /present (pages/present.py, care_dashboard/ui_slides.py): chosen in
the page, kept in the link, and a link opens the same deck; the title and closing slides show the
presenter's words escaped; the default deck is unchanged; the presenter view shows the slide's
full caveats and the next slide."""

import json
import re

from streamlit.testing.v1 import AppTest

from care_dashboard import deck_choice, paths


def open_present(link=None):
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    if link:
        at.query_params = dict(link)
    at.switch_page(str(paths.ROOT / "pages/present.py"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def position(at) -> str:
    [shown] = [m.value for m in at.markdown if re.fullmatch(r"\d+ (of|de) \d+", m.value)]
    return shown


def step(at):
    [b for b in at.button if b.key == "slide_next"][0].click().run()
    assert not at.exception, [e.value for e in at.exception]


def shown_slide(at) -> str:
    """What the slide shows: its title, a chart's title, or the presenter's own words."""
    charts = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    own = [h.value for h in at.get("html") if re.match(r'<(h1|p) class="care-(title|closing)', h.value)]
    return (charts or own or [t.value for t in at.title])[0]


def link_of(at) -> dict[str, str]:
    return {k: v for k, v in dict(at.query_params).items() if k in deck_choice.KEYS}


def test_a_deck_chosen_on_the_page_is_kept_in_the_link_and_the_link_opens_it():
    at = open_present()
    at.multiselect(key="deck_slides").set_value(["organisation_matrix", "territory_participations", "overview"]).run()
    at.text_input(key="deck_meeting").set_value("Mesa <b>territorial</b> & recicladores").run()
    at.text_input(key="deck_place").set_value("Barranquilla").run()
    at.text_area(key="deck_closing").set_value("Gracias.\nPreguntas: <script>x</script>").run()
    link = link_of(at)
    assert link == {"slides": "organisation_matrix,territory_participations,overview",
                    "meeting": "Mesa <b>territorial</b> & recicladores", "place": "Barranquilla",
                    "closing": "Gracias. Preguntas: <script>x</script>"}

    again = open_present(link)  # a fresh session from the shared link
    assert again.multiselect(key="deck_slides").value == ["organisation_matrix", "territory_participations", "overview"]
    total = int(position(again).split(" of ")[1])
    seen = [shown_slide(again)]
    for _ in range(4):
        step(again)
        seen.append(shown_slide(again))
    assert seen[0] == '<h1 class="care-title-meeting">Mesa &lt;b&gt;territorial&lt;/b&gt; &amp; recicladores</h1>'
    assert seen[1].startswith("What is known of each organisation")
    assert seen[2].startswith("Participations by territory and component")
    assert seen[3] == "Overview"
    assert seen[4] == '<p class="care-closing">Gracias. Preguntas: &lt;script&gt;x&lt;/script&gt;</p>'
    assert total == 5 + 1  # the deck's notes follow on one "Notes" slide
    step(again)
    assert again.title[0].value == "Notes" and position(again) == f"{total} of {total}"


def test_the_default_deck_adds_nothing_to_the_link_and_is_the_whole_catalogue_deck():
    at = open_present()
    assert link_of(at) == {}
    keys = at.multiselect(key="deck_slides").value  # with nothing chosen: every slide, in order
    assert keys[:3] == ["overview", "overview_components", "territory_map"] and len(keys) >= 7
    assert at.title[0].value == "Overview" and position(at).startswith("1 of ")
    # choosing every slide in the catalogue's order is the default deck again: nothing in the link
    at.multiselect(key="deck_slides").set_value(keys[1:]).run()
    assert link_of(at) == {"slides": ",".join(keys[1:])}
    at.multiselect(key="deck_slides").set_value(keys).run()
    assert link_of(at) == {}


def test_the_presenter_view_shows_the_slide_s_full_caveats_and_the_next_slide():
    at = open_present({"slides": "territory_participations,overview", "presenter": "1"})
    assert not at.get("plotly_chart") and not at.main.multiselect  # no slide, no chooser: the presenter's notes
    texts = [m.value for m in at.markdown]
    assert any(t.startswith("**On screen:** Participations by territory and component") for t in texts)
    assert any(t.startswith("**[2] A participation is not a person.** Each attendance") for t in texts)  # in full
    assert "**Next:** Overview" in texts


def test_a_chart_s_smallest_text_is_16_px_at_720p_and_grows_with_the_window():
    from care_dashboard import slides

    assert slides.text_scale(720) * slides.SMALLEST_CHART_TEXT_PX == 16
    assert slides.text_scale(1080) * slides.SMALLEST_CHART_TEXT_PX == 18  # at most 1.5 times the page's
    assert slides.text_scale(400) == 1.0  # never smaller than on the page
    assert slides.text_scale(844, 390) == 1.0  # a phone upright: as on the page, its chart no wider
    # the notes of a filtered deck leave room for its filters under them
    texts = ["x" * 300] * 12
    viewport = slides.Viewport(1280, 720)
    assert len(slides.paginate_notes(texts, viewport, below=2)) >= len(slides.paginate_notes(texts, viewport))
    assert sum(map(len, slides.paginate_notes(texts, viewport, below=2))) == 12
