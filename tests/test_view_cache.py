"""What a page shows is built once per view and kept (care_dashboard/view_cache.py, ui.VIEWS,
issue 15): the cache is bounded, a kept value is never changed by a later run, and a page shows
exactly what it shows when nothing is kept. Speed is measured by bench/serving.py, not here."""

import copy
import json

import plotly.graph_objects as go
import plotly.io
import pytest

from care_dashboard import paths, ui, view_cache
from care_dashboard.view_cache import BoundedCache, sent_figure
from tests.apptest_helpers import open_page


def test_the_cache_is_bounded_in_entries():
    cache = BoundedCache(max_entries=3)
    for i in range(10):
        cache.get(i, lambda i=i: f"value {i}")
    assert len(cache) == 3
    assert [i for i in range(10) if i in cache] == [7, 8, 9]


def test_the_cache_is_bounded_in_bytes_and_keeps_nothing_larger_than_its_bound():
    cache = BoundedCache(max_bytes=1000, max_entries=100)
    for i in range(10):
        cache.get(i, lambda: b"x" * 300, size=len)
    assert len(cache) == 3 and cache.bytes == 900
    big = cache.get("big", lambda: b"x" * 5000, size=len)
    assert len(big) == 5000 and "big" not in cache and cache.bytes == 900


def test_the_least_recently_used_goes_first_and_a_value_is_built_once():
    built = []
    cache = BoundedCache(max_entries=2)

    def make(name):
        built.append(name)
        return name.upper()

    assert cache.get("a", lambda: make("a")) == "A"
    cache.get("b", lambda: make("b"))
    assert cache.get("a", lambda: make("a")) == "A"  # used again: kept
    cache.get("c", lambda: make("c"))
    assert "a" in cache and "c" in cache and "b" not in cache
    assert built == ["a", "b", "c"]


def test_a_failed_build_is_not_kept():
    cache = BoundedCache()

    def fail():
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get("k", fail)
    assert "k" not in cache and cache.get("k", lambda: 1) == 1


def test_size_estimates_grow_with_the_value():
    small, large = {"data": [{"x": list(range(10))}]}, {"data": [{"x": list(range(10_000))}]}
    assert 0 < view_cache.size_of(small) < view_cache.size_of(large)
    assert view_cache.MAX_BYTES < 2**30 and view_cache.MAX_ENTRIES < 100_000
    assert ui.VIEWS.max_bytes == view_cache.MAX_BYTES


def test_a_sent_figure_serialises_as_its_figure_and_its_spec_stays_as_kept():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[3, 4], uid="bar"), layout=dict(title_text="Bars", height=300))
    spec = fig.to_dict()
    kept = copy.deepcopy(spec)
    sent = sent_figure(spec)
    assert isinstance(sent, go.Figure)
    # what st.plotly_chart sends: to_json of to_dict() (which drops each trace's uid in place)
    assert plotly.io.to_json(sent.to_dict(), validate=False) == plotly.io.to_json(fig.to_dict(), validate=False)
    answer = sent.to_dict()
    answer["data"][0]["y"] = [0, 0]
    answer["data"].append({"type": "bar"})
    answer["extra"] = 1
    assert spec == kept and spec["data"][0]["uid"] == "bar"


def chart_specs(at) -> dict[str, dict]:
    """{plotly element key: (its spec, its alt text)} of a page run."""
    return {c.proto.id.rsplit("-", 1)[-1]: (json.loads(c.proto.spec), c.proto.alt) for c in at.get("plotly_chart")}


def kept_values(name: str) -> dict:
    """Every kept value of this kind (``PageContext.memo`` names it), as JSON text to compare."""
    return {repr(k): plotly.io.to_json(v[0] if isinstance(v, tuple) else v, validate=False)
            for k, (v, _) in ui.VIEWS._items.items() if len(k) > 1 and k[1] == name}


@pytest.mark.parametrize("page", ["territory", "overview", "organisation", "component"])
def test_kept_figures_are_the_figures_built_afresh(page, monkeypatch):
    """The charts of a page with nothing kept (every value too large for the cache), on its
    first run with an empty cache, and on a later run from the cache are the same."""
    monkeypatch.setattr(ui, "VIEWS", BoundedCache(max_bytes=0))
    afresh = chart_specs(open_page(page, lang="es", territory=["cajica"]))
    monkeypatch.setattr(ui, "VIEWS", BoundedCache())
    at = open_page(page, lang="es", territory=["cajica"])
    first = chart_specs(at)
    at.run()
    again = chart_specs(at)
    assert afresh and afresh == first == again
    assert kept_values("chart")


def test_a_kept_figure_is_not_changed_by_later_runs_and_each_view_gets_its_own(monkeypatch):
    monkeypatch.setattr(ui, "VIEWS", BoundedCache())
    english = chart_specs(open_page("territory"))
    kept = kept_values("chart")
    spanish = chart_specs(open_page("territory", lang="es"))
    filtered = chart_specs(open_page("territory", component=["ohs"]))
    assert kept_values("chart").items() >= kept.items()  # the English ones as they were kept
    assert english.keys() == spanish.keys() == filtered.keys()
    for key in english:
        assert english[key] != spanish[key] and english[key] != filtered[key], key
    assert "Participaciones" in json.dumps(spanish) and "Participaciones" not in json.dumps(english)
    assert chart_specs(open_page("territory")) == english


def test_the_cache_stays_within_its_bound_over_many_views(monkeypatch):
    monkeypatch.setattr(ui, "VIEWS", BoundedCache(max_entries=40))
    for lang in ("en", "es"):
        for territory in (["cajica"], ["bogota"], []):
            open_page("territory", lang=lang, territory=territory)
            assert len(ui.VIEWS) <= 40
    assert ui.VIEWS.bytes > 0
    # still right once what it showed first has been dropped
    assert chart_specs(open_page("territory", lang="es", territory=["cajica"])) == \
        chart_specs(open_page("territory", lang="es", territory=["cajica"]))


def test_the_presentation_builds_only_the_slide_it_shows(monkeypatch):
    monkeypatch.setattr(ui, "VIEWS", BoundedCache())
    at = open_page("overview")
    ui.VIEWS.clear()  # the overview's charts
    at.switch_page(str(paths.ROOT / "pages" / "present.py"))
    at.run()
    assert not at.exception
    assert not kept_values("slide") and not kept_values("chart")  # the headline figures: no chart
    at.session_state["slide"] = 2  # the headline figures, the components, the map
    at.run()
    assert not at.exception
    slides = [k for k, (v, _) in ui.VIEWS._items.items() if len(k) > 1 and k[1] == "slide"]
    assert [k[2] for k in slides] == ["territory_map"]
    [chart] = at.get("plotly_chart")
    assert chart.proto.id.endswith("slide_territory_map")
    at.run()  # from the cache: the same slide
    [again] = at.get("plotly_chart")
    assert again.proto.spec == chart.proto.spec


def test_a_key_asked_for_by_two_threads_at_once_is_built_once():
    """A page's queries started together (ui.start_queries) and the page's own run of them, or two
    sessions opening the same view: the second asker waits for the first build, and does not run
    it again."""
    import threading
    import time

    cache, built, got = BoundedCache(), [], []

    def slow():
        built.append(threading.current_thread().name)
        time.sleep(0.2)
        return "value"

    first = threading.Thread(target=lambda: got.append(cache.get("k", slow)), name="first")
    first.start()
    time.sleep(0.05)  # the first thread is building
    got.append(cache.get("k", slow))
    first.join()
    assert built == ["first"] and got == ["value", "value"]


def test_a_thread_waiting_on_a_failed_build_builds_it_itself():
    """A query that fails in a prefetch thread fails again, with its own message, where the page
    asks for it; a later success is kept."""
    import threading
    import time

    cache, outcome = BoundedCache(), []

    def failing():
        time.sleep(0.2)
        raise ValueError("first build failed")

    def failed():
        try:
            cache.get("k", failing)
        except ValueError as exc:
            outcome.append(str(exc))

    first = threading.Thread(target=failed)
    first.start()
    time.sleep(0.05)
    assert cache.get("k", lambda: "built again") == "built again"
    first.join()
    assert outcome == ["first build failed"] and cache.get("k", lambda: "not asked") == "built again"


def test_a_long_table_or_list_is_measured_on_a_sample_and_scaled():
    import pandas as pd

    short = pd.DataFrame({"name": [f"a name of some length {i}" for i in range(1_000)]})
    long = pd.DataFrame({"name": [f"a name of some length {i}" for i in range(100_000)]})
    assert 90 < view_cache.size_of(long) / view_cache.size_of(short) < 110
    assert 90 < view_cache.size_of(list(range(100_000))) / view_cache.size_of(list(range(1_000))) < 110


def test_an_arrow_table_is_measured_by_its_buffers():
    import pyarrow as pa

    table = pa.table({"name": [f"a name {i}" for i in range(10_000)]})
    assert view_cache.size_of(table) >= table.nbytes > 100_000
