"""Any programme, any size: Hypothesis makes attendance datasets nobody wrote by hand (1 to 40
municipalities with long and accented names, 1 to 12 components, up to 300 organisations, one
person or hundreds, document numbers for everyone, for some or for no one) and checks that every
figure of the catalogue builds a valid Plotly figure, wide and narrow, in English and Spanish, on
the whole dataset and on a selection that matches nothing; and that every page runs on such a
dataset with no exception."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import plotly.graph_objects as go
from hypothesis import HealthCheck, given, settings, strategies as st

from care_dashboard import catalogue, datasets, gazetteer, labels, paths, views
from tests import fixtures
from tests.apptest_helpers import PAGES, open_page
from tests.conftest import Runner

ACCENTED = "aáeéiíoóuúñüAÁEÉIÍOÓUÚÑ "
PLACED = [m for m in gazetteer.all_municipalities() if m.latitude is not None and m.longitude is not None]
LONG_SUFFIX = " de los Ríos, Montañas y Llanuras del Sur Occidental Antioqueño"


@st.composite
def programmes(draw):
    """The stored tables of a record-level dataset, and a component nobody attended."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    places = rng.sample(PLACED, draw(st.integers(1, 40)))
    long_names = draw(st.booleans())
    territories = [
        (m.territory_id, m.municipality_name + (LONG_SUFFIX if long_names and i % 2 == 0 else ""), m.department_name,
         m.department_code, m.divipola_code, m.latitude, m.longitude, i, "test")
        for i, m in enumerate(places, start=1)
    ]
    n_components = draw(st.integers(1, 12))
    words = draw(st.lists(st.text(ACCENTED, min_size=1, max_size=40).map(str.strip).filter(bool),
                          min_size=n_components, max_size=n_components))
    components = []
    for i, word in enumerate(words, start=1):
        start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
        components.append((f"c{i:02d}", f"Componente {i}: {word}", f"Componente {i}: {word}",
                           rng.choice(["waste_pickers", "organisation_leaders"]), start,
                           start + dt.timedelta(days=rng.randint(0, 120)), "day", "participations", i, None))
    unused = (f"c{n_components + 1:02d}", "Nadie asistió", "Nadie asistió", "waste_pickers", dt.date(2026, 3, 1),
              dt.date(2026, 3, 2), "day", "participations", n_components + 1, None)
    n_orgs = draw(st.integers(1, 300))
    organisations = [(f"org-{i:03d}", f"Asociación de Recicladores Ñ{i}", rng.choice(places).territory_id, True, None, i, None)
                     for i in range(1, n_orgs + 1)]
    keys = draw(st.sampled_from(["all", "some", "none"]))
    n_people = draw(st.sampled_from([1, 2, 7, 60, 400]))
    attendance = []
    for p in range(n_people):
        org = rng.choice(organisations)
        key = None if keys == "none" or (keys == "some" and rng.random() < 0.3) else f"pk{p:05d}"
        for comp in rng.sample(components, rng.randint(1, min(4, n_components))):
            day = comp[4] + dt.timedelta(days=rng.randint(0, (comp[5] - comp[4]).days))
            attendance.append((f"{comp[0]}/{day}/{org[0]}", day.isoformat(), comp[0], org[2], org[0], key, "member"))
    return {"territories": territories, "components": components + [unused], "organisations": organisations,
            "attendance": attendance}, unused[0]


def written(tables: dict, folder: Path, name: str = "generated") -> datasets.Dataset:
    fixtures.write_dataset(folder / name, "record_level", tables, title="Programa generado", is_synthetic=False)
    return datasets.load_dataset(name, folder)


def checked(fig: go.Figure) -> dict:
    """``fig`` rebuilt with every property checked (raises on anything Plotly refuses, such as an
    axis domain outside [0, 1]), as a dict."""
    spec = go.Figure(fig.to_dict()).to_dict()
    for name, axis in spec["layout"].items():
        if name.startswith(("xaxis", "yaxis")) and "domain" in axis:
            assert 0 <= axis["domain"][0] <= axis["domain"][1] <= 1, (name, axis["domain"])
    return spec


def sources(dataset: datasets.Dataset, lang: str, **selection):
    runner = Runner(dataset)
    names = labels.build(runner("component_options"), runner("territory_options"), runner("organisation_options"), lang)
    return views.Source(lambda name, **p: runner(name, **selection, **p), names, True, 5,
                        lambda name, **p: runner(name, **p))


@settings(max_examples=12, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(programmes())
def test_every_catalogue_figure_builds_on_any_programme(programme):
    tables, unused = programme
    with tempfile.TemporaryDirectory() as folder:
        dataset = written(tables, Path(folder))
        for lang in ("en", "es"):
            source = sources(dataset, lang)
            built = 0
            for entry in catalogue.entries().values():
                view = views.build_view(entry, source)
                if view is None:
                    assert not entry.applies_to("record_level") or entry.kind != "figure", entry.id
                    continue
                assert view.title and view.unit, entry.id
                if entry.kind == "figure":
                    assert view.value, entry.id
                if view.make_table is not None:
                    assert len(view.table.columns) > 0, entry.id
                if view.has_chart:
                    checked(view.chart)
                    if view.make_narrow_chart is not None:
                        checked(view.narrow_chart)
                    built += 1
            assert built >= 5  # the map, the bars, the timeline, the grid, the people charts
            assert views.deck(source)
            # a selection that matches nothing: no slide (the pages show their empty state), and a
            # figure that still has something to say (the grid: no organisation took part) is valid
            empty = sources(dataset, lang, components=[unused])
            assert not empty.has_rows() and views.deck(empty) == []
            for entry in catalogue.entries().values():
                view = views.build_view(entry, empty)
                if view is not None and view.has_chart:
                    checked(view.chart)


@settings(max_examples=3, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(programmes())
def test_every_page_runs_on_any_programme(programme):
    tables, _ = programme
    data_dir = paths.DATA_DIR
    with tempfile.TemporaryDirectory() as folder, mock.patch.object(paths, "DATA_DIR", Path(folder)):
        shutil.copytree(data_dir / "care_2025", Path(folder) / "care_2025")  # the default dataset
        written(tables, Path(folder))
        for page in PAGES:
            for lang in ("en", "es"):
                # as a laptop in English, as a phone (both variants of every chart) in Spanish
                at = open_page(page, lang=lang, dataset="generated", phone=lang == "es")
                assert not at.exception, (page, lang, [e.value for e in at.exception])
                assert at.title[0].value
