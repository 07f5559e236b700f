"""AppTest for every page: runs without exception, each chart and headline figure sits in one
container with its unit and its query's caveats, and the sidebar filters change the figures.
The same on the synthetic record-level dataset, plus the People page and the dataset picker."""

import json
import re
import shutil

import plotly.io
import pytest
from streamlit.testing.v1 import AppTest

from care_dashboard import caveats, paths, queries, store, ui_nav
from tests import fixtures, sheet_builders
from tests.apptest_helpers import (
    CHART_QUERIES,
    PAGES,
    SYNTHETIC,
    SYNTHETIC_CHART_QUERIES,
    assert_charts_have_unit_and_caveats,
    blocks_with,
    decode,
    elements,
    expected_split,
    keyed_blocks,
    metric_values,
    open_page,
    texts_in,
    wide_figure,
)


def captions(kids):
    return [k.value for k in kids if getattr(k, "type", None) == "caption"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_page_runs(page, lang):
    at = open_page(page, lang=lang)
    assert at.title[0].value


@pytest.mark.parametrize("page", CHART_QUERIES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_each_chart_has_unit_and_its_caveats_beside_it(page, lang):
    at = open_page(page, lang=lang)
    assert_charts_have_unit_and_caveats(at, CHART_QUERIES[page], lang, "published_aggregate", False)


def test_overview_headline_figures():
    at = open_page("overview")
    values = metric_values(at)
    assert values == {"Participations": "799", "Distinct people reached": "320 to 799",
                      "Organisations that took part": "16", "Territories": "4"}


def test_overview_charts_show_the_programme_by_component_and_territory():
    at = open_page("overview")
    blocks = keyed_blocks(at, "care_chart_")
    components, _ = wide_figure(blocks["overview_components"])
    bars = {t["y"][0].replace("<br>", " "): decode(t["x"])[0] for t in components["data"] if t["type"] == "bar"}
    assert bars == {"Occupational health and safety": 311, "Human rights": 320, "Soft skills and wellbeing": 168}
    # formalisation: no bar, its attendance "not published" and the organisations it reached
    note = [a["text"] for a in components["layout"]["annotations"] if "not published" in a["text"]]
    assert note == ["<i>not published<br>11 organisations</i>"]
    territories, _ = wide_figure(blocks["overview_by_territory"])
    [trace] = territories["data"]
    assert dict(zip(trace["y"], decode(trace["x"]))) == {"Barranquilla": 373, "Bogotá": 348, "Cajicá": 40, "Puerto Colombia": 38}


def test_overview_charts_follow_the_filters():
    at = open_page("overview", territory=["cajica"])
    blocks = keyed_blocks(at, "care_chart_")
    components, _ = wide_figure(blocks["overview_components"])
    bars = {t["y"][0].replace("<br>", " "): decode(t["x"])[0] for t in components["data"] if t["type"] == "bar"}
    assert bars == {"Occupational health and safety": 18, "Human rights": 22}
    territories, _ = wide_figure(blocks["overview_by_territory"])
    assert decode(territories["data"][0]["x"]) == [40]


def test_overview_each_figure_has_unit_and_its_key_caveats_beside_it():
    at = open_page("overview")
    blocks = keyed_blocks(at, "care_figure_")
    assert list(blocks) == ["overview_participations", "overview_people", "overview_organisations", "overview_territories"]
    queries_of = {"overview_participations": "total_participations", "overview_people": "distinct_people",
                  "overview_organisations": "organisations_engaged", "overview_territories": "territories_reached"}
    for key, block in blocks.items():
        [caption] = [e.value for e in elements(block, "caption")]
        key_caveats, rest = expected_split(key, queries.get(queries_of[key]).caveats, "en", "published_aggregate", False)
        assert 1 <= len(key_caveats) <= 2
        for c in key_caveats:
            assert c.short in caption and "report §" in caption
        for c in rest:  # the others one click away (the figure's help), not beside it
            assert c.short not in caption
        [metric] = elements(block, "metric")
        assert all(c.text in metric.proto.help for c in key_caveats + rest)
    participations = texts_in(blocks["overview_participations"]).replace("\u2060", "")  # ui.plain's joiners
    assert "participations (attendances), not people" in participations
    assert "Not in this sum, because not published\\: Public waste service and formalisation" in participations


def test_every_caveat_on_a_page_is_in_its_numbered_notes_once():
    at = open_page("overview")
    [notes] = [e for e in at.main.children.values() if getattr(e, "type", None) == "expander"
               and e.proto.label.startswith("Notes on this page")] or [None]
    assert notes is not None
    items = [m.value for m in elements(notes, "markdown")]
    numbers = [int(re.match(r"\*\*\[(\d+)\]", m).group(1)) for m in items]
    assert numbers == list(range(1, len(items) + 1))
    # every short caveat beside a figure points to the note that holds it in full
    shown = "\n".join(texts_in(b) for b in keyed_blocks(at, "care_figure_").values())
    refs = [int(x) for x in re.findall(r"\[(\d+)\]", shown)]
    assert refs and all(1 <= n <= len(items) for n in refs)
    assert f"Notes on this page ({len(items)})" == notes.proto.label


def test_overview_in_spanish_formats_and_translates():
    at = open_page("overview", lang="es")
    values = metric_values(at)
    assert values["Participaciones"] == "799"
    assert values["Personas distintas alcanzadas"] == "de 320 a 799"
    assert at.title[0].value == "Resumen"


def test_territory_filter_changes_overview():
    at = open_page("overview", territory=["cajica"])
    values = metric_values(at)
    assert values["Participations"] == "40"  # 18 OHS + 22 human rights
    assert values["Organisations that took part"] == "1"
    assert values["Distinct people reached"] == "22 to 40"
    assert values["Territories"] == "1"


def test_component_filter_changes_overview():
    at = open_page("overview", component=["soft-skills"])
    values = metric_values(at)
    assert values["Participations"] == "168"
    assert values["Organisations that took part"] == "5"


def test_formalisation_only_shows_not_published_participations():
    at = open_page("overview", component=["formalisation"])
    values = metric_values(at)
    assert values["Participations"] == "not published"
    assert values["Organisations that took part"] == "11"


def test_organisation_filter_changes_overview():
    at = open_page("overview", organisation=["asorepcol"])
    values = metric_values(at)
    assert values["Participations"] == "31"
    assert values["Distinct people reached"] == "at least 31"
    assert any("Not in this sum" in c.value for c in at.caption)


def test_territory_page_filtered():
    at = open_page("territory", territory=["puerto-colombia"])
    fig = plotly.io.from_json(json.dumps(wide_figure(keyed_blocks(at, "care_chart_")["territory_participations"])[0]))
    bars = [x for trace in fig.data for x in decode(trace.x)]
    assert sorted(bars) == [19, 19]


def test_territory_chart_writes_not_published_for_formalisation():
    at = open_page("territory", component=["formalisation"])
    fig = plotly.io.from_json(json.dumps(wide_figure(keyed_blocks(at, "care_chart_")["territory_participations"])[0]))
    notes = [a.text for a in fig.layout.annotations if "not published" in a.text]
    assert len(notes) == 2  # Bogotá and Barranquilla, no bar drawn at zero
    assert all(trace.type == "scatter" and trace.marker.opacity == 0 for trace in fig.data)  # no bar drawn


def test_organisation_page_matrix_and_note():
    at = open_page("organisation", territory=["barranquilla"])
    fig = json.loads(blocks_with(at, "plotly_chart")[0][0].proto.spec)
    heat = fig["data"][0]
    assert len(heat["y"]) == 7
    texts = [t for row in heat["text"] for t in row]
    assert {"30", "45", "42"} <= set(texts) and "not known" in texts
    # why the other components have no numbers: the key caveat, beside the grid
    assert "Per-organisation counts only for soft skills" in fig["layout"]["annotations"][-1]["text"]


@pytest.mark.parametrize("page", ["overview", "territory", "component"])
def test_empty_state(page):
    at = open_page(page, component=["soft-skills"], territory=["cajica"])
    assert any("Nothing published matches this selection" in i.value for i in at.info)
    assert not blocks_with(at, "plotly_chart")


def test_organisation_page_shows_known_non_participation():
    """Cajicá's organisation did not take part in soft skills: that is known, so it is shown."""
    at = open_page("organisation", component=["soft-skills"], territory=["cajica"])
    fig = json.loads(blocks_with(at, "plotly_chart")[0][0].proto.spec)
    assert fig["data"][0]["text"] == [["did not take part"]]


def test_organisation_page_empty_state():
    at = open_page("organisation", territory=["cajica"], organisation=["asorepcol"])
    assert any("Nothing published matches this selection" in i.value for i in at.info)


def test_method_page_reconciliation_and_licence():
    at = open_page("method")
    md = "\n".join(m.value for m in at.markdown)
    shown = re.sub(r"\\(.)", r"\1", md)  # as Markdown shows it: values from metadata are escaped
    assert "CC BY-NC 4.0" in shown and "CEMPRE Colombia & ASI" in shown
    assert "CC BY\\-NC 4\\.0" in md  # ... so nothing in them is read as Markdown
    table = at.dataframe[-1].value
    assert "adds up" in set(table.iloc[:, 6])
    total = table[(table.iloc[:, 0] == "All components") & (table.iloc[:, 2] == "participations")]
    assert total.iloc[0, 3] == "799" and total.iloc[0, 4] == "799"


def test_method_page_follows_filters():
    at = open_page("method", component=["ohs"])
    selection_table = at.dataframe[0].value
    assert list(selection_table.iloc[:, 0]) == ["Occupational health and safety"]


# ---- the People page, the synthetic dataset and the dataset picker ------------------------------

def synthetic_attendance():
    return store.current_tables(SYNTHETIC)["attendance"]


def banner_texts(at):
    return [w.value for w in at.warning]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_people_page_on_published_figures_explains_and_shows_the_range(lang):
    at = open_page("people", lang=lang)
    why = {"en": "This dataset has no lists of people", "es": "Este conjunto de datos no tiene listas de personas"}[lang]
    assert any(why in i.value for i in at.info)
    label = {"en": "Distinct people reached", "es": "Personas distintas alcanzadas"}[lang]
    assert metric_values(at)[label] == {"en": "320 to 799", "es": "de 320 a 799"}[lang]
    [block] = keyed_blocks(at, "care_figure_").values()
    assert caveats.get("distinct_people_range", lang).short in texts_in(block)
    assert not blocks_with(at, "plotly_chart")
    assert not banner_texts(at)


def test_people_page_on_published_figures_follows_filters():
    at = open_page("people", territory=["cajica"])
    assert metric_values(at)["Distinct people reached"] == "22 to 40"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_page_runs_on_the_synthetic_dataset_with_its_banner(page, lang):
    at = open_page(page, lang=lang, dataset=SYNTHETIC)
    title = {"en": "Synthetic data", "es": "Datos sintéticos"}[lang]
    assert len(banner_texts(at)) == 1 and title in banner_texts(at)[0]
    assert at.title[0].value


@pytest.mark.parametrize("page", SYNTHETIC_CHART_QUERIES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_synthetic_charts_have_unit_and_their_caveats_beside_them(page, lang):
    at = open_page(page, lang=lang, dataset=SYNTHETIC)
    assert_charts_have_unit_and_caveats(at, SYNTHETIC_CHART_QUERIES[page], lang, "record_level", True)


def test_people_page_on_synthetic_data_shows_exact_people():
    records = synthetic_attendance()
    at = open_page("people", dataset=SYNTHETIC)
    values = metric_values(at)
    assert values["Distinct people"] == f"{records['person_key'].nunique():,}"
    assert values["Participations"] == f"{len(records):,}"
    assert values["Records without a document number"] == str(records["person_key"].isna().sum())
    blocks = keyed_blocks(at, "care_chart_")
    figs = [wide_figure(blocks[key])[0] for key in ("people_components", "people_overlaps")]
    # components per person: all territories together add up to the people with a key
    per_person = figs[0]["data"][0]
    assert sum(decode(per_person["y"])) == records["person_key"].nunique()
    # overlaps: the largest combination first, and every combination a real one
    keyed = records.dropna(subset=["person_key"])
    combos = keyed.groupby("person_key")["component_id"].agg(lambda s: "+".join(sorted(set(s)))).value_counts()
    bars = figs[1]["data"][0]
    assert bars["x"][0] == combos.index[0] and decode(bars["y"])[0] == combos.iloc[0]
    assert sorted(bars["x"]) == sorted(combos.index)


def test_people_page_per_organisation_table_hides_small_counts():
    records = synthetic_attendance()
    at = open_page("people", dataset=SYNTHETIC)
    table = at.dataframe[-1].value
    leaders = records[records["component_id"] == "formalisation"].groupby("organisation_id")["person_key"].nunique()
    assert (leaders < 5).all()  # the synthetic leaders are 1 to 3 per organisation
    column = table["Public waste service and formalisation"]
    assert set(column.iloc[:-1]) == {"<5", "did not take part"}
    assert (column == "<5").sum() == len(leaders)
    assert column.iloc[-1] == "0"  # hidden counts are left out of the sum
    # the rule is stated beside the table, with the threshold
    block = texts_in(keyed_blocks(at, "care_table_")["people_by_organisation"])
    assert "fewer than 5 people" in block
    assert caveats.get("small_numbers_suppressed", "en", {"threshold": 5}).short in block
    # no exact count below 5 anywhere in the table
    numbers = [int(v.replace(",", "")) for v in table.iloc[:-1, 2:].to_numpy().ravel() if v.replace(",", "").isdigit()]
    assert numbers and min(numbers) >= 5


def test_organisation_page_on_synthetic_data_hides_small_counts():
    at = open_page("organisation", dataset=SYNTHETIC)
    fig = json.loads(blocks_with(at, "plotly_chart")[0][0].proto.spec)
    texts = [t for row in fig["data"][0]["text"] for t in row]
    assert "<5 people" in texts
    assert any(re.fullmatch(r"\d+ participations<br>\d+ people", t) for t in texts)
    shown = [int(n) for t in texts for n in re.findall(r"(\d+) people", t)]
    assert shown and min(shown) >= 5  # no exact count of fewer than 5 people
    assert not any(re.match(r"[1-4] participations", t) for t in texts)  # nor its participations
    assert "Counts under 5 people hidden" in fig["layout"]["annotations"][-1]["text"]
    assert any("fewer than 5" in c.value and "<5 people" in c.value for c in at.caption)  # how to read a cell
    table = at.dataframe[0].value
    assert "<5 people" in set(table["Public waste service and formalisation"])


def test_small_number_threshold_comes_from_the_setting(monkeypatch):
    monkeypatch.setenv("CARE_SMALL_NUMBER_THRESHOLD", "40")
    at = open_page("people", dataset=SYNTHETIC)
    table = at.dataframe[-1].value
    assert "<40" in set(table["Soft skills and wellbeing"])  # ASOFRAIN's 20 and others now hidden
    assert any("fewer than 40 people" in c.value for c in at.caption)


def test_dataset_picker_switches_the_figures():
    at = open_page("overview")
    assert metric_values(at)["Participations"] == "799"
    at.sidebar.radio(key="dataset").set_value(SYNTHETIC)
    at.run()
    assert metric_values(at)["Participations"] == f"{len(synthetic_attendance()):,}"
    assert at.query_params.get("dataset") in (SYNTHETIC, [SYNTHETIC])
    at.sidebar.radio(key="dataset").set_value("care_2025")
    at.run()
    assert metric_values(at)["Participations"] == "799"
    assert "dataset" not in at.query_params  # the default stays out of links


def test_a_link_opens_the_synthetic_dataset():
    at = open_page("territory", link={"dataset": SYNTHETIC, "territory": "cajica"})
    assert at.sidebar.radio(key="dataset").value == SYNTHETIC
    assert banner_texts(at)
    figs = [plotly.io.from_json(c.proto.spec) for c in at.get("plotly_chart") if not c.proto.id.endswith("_narrow")]
    assert len(figs) == 4  # map, participations, organisations and people
    assert sorted(x for trace in figs[1].data for x in decode(trace.x)) == [18, 22]


def test_a_link_s_choices_hold_in_the_runs_after_the_first():
    """The link's language, dataset and filters are set in the sidebar's widgets in a session's
    first run only. A browser that draws a widget from a later run's element (the click or the
    presentation's window-size report came first) takes that element's default as the
    visitor's choice: a Spanish presentation link turned English with the report's data, about
    1 load in 40. So every run's widgets carry the held choice as their default too."""
    at = open_page("overview", link={"lang": "es", "dataset": SYNTHETIC, "territory": "cajica"})
    for run in ("first", "next"):
        lang, dataset = at.sidebar.radio(key="lang"), at.sidebar.radio(key="dataset")
        territory = at.sidebar.multiselect(key="territory")
        assert lang.value == "es" and lang.options[lang.proto.default] == "Español", run
        assert dataset.value == SYNTHETIC and dataset.options[dataset.proto.default] == dataset.format_func(SYNTHETIC), run
        assert territory.value == ["cajica"] and [territory.options[i] for i in territory.proto.default] == [territory.format_func("cajica")], run
        assert "Participaciones" in metric_values(at) and banner_texts(at), run
        at.run()  # the next click, with no change of choice
        assert not at.exception


def test_a_link_with_an_unknown_dataset_falls_back_to_the_default():
    at = open_page("overview", link={"dataset": "nope", "territory": "cajica"})
    assert at.sidebar.radio(key="dataset").value == "care_2025"
    assert metric_values(at)["Participations"] == "40"
    assert any("dataset\\=nope" in t.value for t in at.toast)  # as typed, escaped for Markdown


def test_changing_dataset_drops_filters_it_does_not_have(tmp_path, monkeypatch):
    shutil.copytree(paths.DATA_DIR / "care_2025", tmp_path / "care_2025")
    fixtures.write_dataset(tmp_path / "fixture_rec", "record_level", fixtures.RECORD_TABLES, title="Fixture records")
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path)
    at = open_page("overview", territory=["cajica"])
    assert metric_values(at)["Participations"] == "40"
    at.sidebar.radio(key="dataset").set_value("fixture_rec")
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="territory").value == []
    assert metric_values(at)["Participations"] == "6"  # all of the fixture's records


def test_overview_on_synthetic_data_counts_people_and_records_without_a_number():
    records = synthetic_attendance()
    at = open_page("overview", dataset=SYNTHETIC)
    values = metric_values(at)
    assert values["Distinct people reached"] == f"{records['person_key'].nunique():,}"
    people = texts_in(keyed_blocks(at, "care_figure_")["overview_people"])
    missing = records["person_key"].isna().sum()
    assert missing > 0 and f"{missing} records without a document number" in people
    assert caveats.get("records_without_person_key", "en").short in people
    assert caveats.get("distinct_people_range", "en").short not in texts_in(at.main)


def test_territory_table_on_synthetic_data_has_people_beside_participations():
    at = open_page("territory", dataset=SYNTHETIC, territory=["cajica"])
    def coverage_table(at):
        [frame] = elements(keyed_blocks(at, "care_chart_")["territory_participations"], "dataframe")
        return frame.value

    table = coverage_table(at)
    assert list(table.columns[:4]) == ["Territory", "Component", "Participations", "People"]
    records = synthetic_attendance()
    cajica = records[records["territory_id"] == "cajica"].groupby("component_id")["person_key"].nunique()
    assert list(table["People"]) == [str(cajica["ohs"]), str(cajica["human-rights"])]
    assert list(table["Participations"]) == ["18", "22"]
    assert "People" not in coverage_table(open_page("territory")).columns  # not published: no column


# ---- the Import page -----------------------------------------------------------------------

@pytest.fixture
def import_data_dir(tmp_path, monkeypatch):
    """A data folder of its own (the embedded dataset copied in), and a key, for import tests."""
    shutil.copytree(paths.DATA_DIR / "care_2025", tmp_path / "care_2025")
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path)
    monkeypatch.setenv("ATTENDANCE_ID_KEY", "app-test-key-0123456789abcdef0123456789")
    return tmp_path


def submit(at, label):
    [b for b in at.button if b.label == label][0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def import_page(lang=None):
    at = open_page("overview")
    at.switch_page(str(paths.ROOT / "pages/import.py"))
    at.run()
    if lang:
        at.sidebar.radio(key="lang").set_value(lang)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def check_and_confirm(at, check="Check the sheets", confirm="Import now"):
    submit(at, check)
    submit(at, confirm)


def test_import_page_checks_then_imports_and_opens_the_dataset(import_data_dir):
    at = import_page()
    at.file_uploader[0].set_value([("lista.csv", sheet_builders.csv_bytes(), "text/csv")])
    at.text_input[0].set_value("uploaded")
    submit(at, "Check the sheets")
    # the preview: what would be imported, before anything is written
    assert not (import_data_dir / "uploaded").exists()
    assert metric_values(at) == {"Participations": "5", "People": "3", "Sessions": "3", "Organisations": "2"}
    assert any("**Sheets read:** lista.csv (6 rows)" in m.value.replace("\\", "") for m in at.markdown)
    places = at.dataframe[0].value
    assert list(places.columns) == ["Territory", "Department", "Participations"]
    assert places["Department"].str.len().min() > 0 and "Bogotá" in set(places["Territory"])
    submit(at, "Import now")
    assert any("Imported into uploaded: 5 participations, 3 distinct people, 2 organisations, 3 sessions" in s.value
               for s in at.success)
    assert (import_data_dir / "uploaded" / "current").exists()
    page_text = "\n".join(str(e.value) for e in [*at.code, *at.success, *at.markdown, *at.caption])
    for secret in sheet_builders.NAMES + sheet_builders.DOCUMENTS:
        assert secret not in page_text
    [b for b in at.button if "Open the dataset" in b.label][0].click()
    at.run()
    assert at.session_state["dataset"] == "uploaded"


def test_import_page_in_spanish_speaks_spanish_and_the_problems_wrap(import_data_dir):
    """Audit finding 2 and 3: problems in the page's language, as lines that wrap (not a code
    block cut at the screen's edge), one line for one problem in many rows."""
    at = import_page(lang="es")
    bad = sheet_builders.csv_bytes(rows=[("31/02/2025", "Cali", "ASOREPCOL", "Ana", "", "", "SST"),
                                         ("18/11/2025", "Mosquera", "ASOREPCOL", "Luz", "", "", "SST"),
                                         ("18/11/2025", "Mosquera", "ASOREPCOL", "Eva", "", "", "SST")])
    at.file_uploader[0].set_value([("mala.csv", bad, "text/csv")])
    submit(at, "Revisar las listas")
    assert any("Todavía no se puede importar nada: hay 2 problema(s)" in e.value for e in at.error)
    assert not at.code  # nothing in a block that does not wrap
    shown = "\n".join(m.value for m in at.markdown).replace("\\", "").replace("\u2060", "")  # as read on screen
    assert 'mala.csv: fila 2: Fecha: "31/02/2025" no es una fecha; escríbala con el día primero, como 18/11/2025' in shown
    assert ('mala.csv: filas 3–4: Ciudad: "Mosquera" es el nombre de municipios de Cundinamarca y Nariño; escriba '
            'cuál, como "Mosquera, Cundinamarca" o "Mosquera, Nariño"') in shown
    assert " row " not in shown and "is not" not in shown
    assert not (import_data_dir / "partner_attendance").exists()


def test_replacing_sessions_is_a_choice_and_the_preview_says_what_it_drops(import_data_dir):
    """Audit findings 5 and 6: a second file of a session replaced the first silently, reported
    by internal ids. Now sheets add up unless replacing is chosen, and the preview counts what a
    replacement drops, in the page's language, before anything is written."""
    at = import_page(lang="es")
    at.file_uploader[0].set_value([("lista.csv", sheet_builders.csv_bytes(), "text/csv")])
    at.text_input[0].set_value("escuela")
    submit(at, "Revisar las listas")
    submit(at, "Importar ahora")
    corrected = sheet_builders.csv_bytes(rows=[sheet_builders.ROWS[0]])  # the 10/04/2025 SST session, one row
    at.file_uploader[0].set_value([("corregida.csv", corrected, "text/csv")])
    at.selectbox(key="import_target").set_value("escuela")  # the dataset the first import made
    at.run()
    [r for r in at.radio if r.label.startswith("Si una sesión")][0].set_value("replace_sessions")
    submit(at, "Revisar las listas")
    warned = [w.value for w in at.warning]
    assert warned == ["Importar quita 2 filas de 1 sesión(es) que el conjunto tiene ahora; 1 personas dejarían de estar en él."]
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}/", str(e.value)) for e in [*at.warning, *at.info, *at.markdown])
    assert shown_participations(import_data_dir, "escuela") == 5  # the plan wrote nothing
    submit(at, "Importar ahora")
    assert shown_participations(import_data_dir, "escuela") == 4


def shown_participations(data_dir, name) -> int:
    return store.current_tables(name, data_dir)["attendance"].shape[0]


def test_open_the_dataset_keeps_the_language(import_data_dir):
    """Audit finding 4: "Abrir el conjunto de datos" opened the Overview in English."""
    at = import_page(lang="es")
    at.file_uploader[0].set_value([("lista.csv", sheet_builders.csv_bytes(), "text/csv")])
    check_and_confirm(at, "Revisar las listas", "Importar ahora")
    [b for b in at.button if "Abrir el conjunto de datos" in b.label][0].click()
    at.run()
    assert not at.exception
    assert at.title[0].value == "Resumen"
    assert at.session_state["lang"] == "es" and at.session_state["dataset"] == "lista"  # named after the file


def test_import_page_without_key_says_so(import_data_dir, monkeypatch):
    monkeypatch.delenv("ATTENDANCE_ID_KEY")
    monkeypatch.setenv("ATTENDANCE_ID_KEY_FILE", str(import_data_dir / ".." / "no.key"))
    at = import_page()
    at.file_uploader[0].set_value([("lista.csv", sheet_builders.csv_bytes(), "text/csv")])
    submit(at, "Check the sheets")
    assert any("no pseudonymisation key" in e.value for e in at.error)


def test_import_page_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("CARE_IMPORT_PAGE", "off")
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(str(paths.ROOT / "pages/import.py"))


def _all_shown_text(at):
    """Every text the page shows: markdown, captions, metrics, tables, chart labels and hovers."""
    parts = [str(e.value) for e in [*at.markdown, *at.caption, *at.info, *at.warning]]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [at_df.value.to_csv() for at_df in at.dataframe]
    for kids in blocks_with(at, "plotly_chart"):
        for k in kids:
            if k.type == "plotly_chart":
                fig = json.loads(k.proto.spec)
                for trace in fig["data"]:
                    parts += [str(trace.get(f, "")) for f in ("text", "customdata", "y")]
                parts += [a.get("text", "") for a in fig["layout"].get("annotations", [])]
    return "\n".join(parts)


def test_organisation_filter_hides_small_people_counts_on_every_person_view():
    """Cajicá's organisation: 17 people attended OHS and human rights, 5 only human rights, so
    nothing is hidden at threshold 5; at threshold 6 the 5 must show as "<6" everywhere."""
    import os
    os.environ["CARE_SMALL_NUMBER_THRESHOLD"] = "6"
    try:
        at = open_page("people", dataset="care_2025_synthetic", organisation=["unnamed-cajica"])
    finally:
        del os.environ["CARE_SMALL_NUMBER_THRESHOLD"]
    shown = _all_shown_text(at)
    assert "<6" in shown
    overlaps, _ = wide_figure(keyed_blocks(at, "care_chart_")["people_overlaps"])
    bar = overlaps["data"][0]
    assert bar["text"] == ["17", "<6"]
    assert decode(bar["y"]) == [17.0, 0.0]
    assert all("5 people" not in str(c) for c in bar["customdata"])
    assert metric_values(at)["Distinct people"] == "22"


def test_queries_started_together_run_once_and_the_page_reads_them(monkeypatch):
    """ui.start_queries (PageContext.prefetch) runs a page's queries in threads; the page's own
    run of the same query reads that result (or waits for it) instead of running it again, and a
    query that fails in a thread fails only where the page runs it."""
    import threading
    import time

    from care_dashboard import datasets, ui

    ui.VIEWS.clear()  # the query results, frames and figures kept per view
    calls, plain = [], queries.run

    def counted(con, schema_name, name, params):
        calls.append((name, threading.current_thread().name))
        time.sleep(0.2)  # the page asks while the thread is still running it
        return plain(con, schema_name, name, params)

    monkeypatch.setattr(queries, "run", counted)
    dataset = datasets.load_dataset("care_2025")
    params = {"components": None, "territories": ["cajica"], "organisations": None}
    ui.start_queries(dataset, [("total_participations", params), ("no_such_query", {})])
    deadline = time.monotonic() + 30
    while not any(name == "total_participations" for name, _ in calls) and time.monotonic() < deadline:
        time.sleep(0.01)  # until a query thread has started it: the page then asks while it runs
    df = ui.run_query("total_participations", dataset, params)
    assert df.iloc[0]["participations_count"] == 40
    [(_, thread)] = [c for c in calls if c[0] == "total_participations"]  # run once, in a query thread
    assert thread.startswith("query")
    with pytest.raises(queries.QueryError):
        ui.run_query("no_such_query", dataset, {})


def test_clearing_streamlit_caches_breaks_no_page_run():
    """Any visitor's websocket can send Streamlit's clear_cache message (security probe, finding
    7). It clears st.cache_data and st.cache_resource for every session: the DuckDB connection and
    its attached schemas are not in either, so the next runs of every page still work."""
    import streamlit as st

    from care_dashboard import ui

    at = open_page("territory", dataset=SYNTHETIC)
    before = ui._connection()
    for clear in (st.cache_data.clear, st.cache_resource.clear, lambda: (st.cache_data.clear(), st.cache_resource.clear())):
        clear()
        assert ui._connection() is before
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert len(at.get("plotly_chart")) > 0
    other = open_page("people", dataset=SYNTHETIC)  # a session started after the clearing
    assert metric_values(other)


# ---- addresses, a link's language, and what a page says of the data it shows -------------------

def test_every_page_s_address_is_in_the_readme_s_list_of_pages():
    """Links to pages are shared and bookmarked: each page's address (care_dashboard/site_pages.py,
    from which dashboard.py builds its navigation) is documented, and every page script has one."""
    from care_dashboard import site_pages

    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    listed = readme.split("\n## Pages\n", 1)[1].split("\n## ", 1)[0]
    for page in site_pages.PAGES:
        assert f"`/{page.address}`" in listed, page.address
    assert {p.script for p in site_pages.PAGES} == {f"pages/{f.name}" for f in (paths.ROOT / "pages").glob("*.py")}
    assert {f"pages/{p}.py" for p in PAGES} <= {p.script for p in site_pages.PAGES}
    assert site_pages.DEFAULT.address == "overview"


def link_lang(at):
    value = at.query_params.get("lang")
    return value[0] if isinstance(value, list) else value


def test_a_link_s_language_stays_in_the_address_as_the_visitor_moves_on():
    """AppTest has no browser language, so it reads as an English browser: a link that says
    lang=en kept English but lost lang=en from the address at once, so a link copied from any
    later page opened in the browser's language of whoever got it."""
    at = open_page("overview", link={"lang": "en"})
    assert link_lang(at) == "en"
    for page in ("territory", "method", "overview"):
        at.switch_page(str(paths.ROOT / PAGES[page]))
        at.run()
        assert link_lang(at) == "en", page
    at.sidebar.radio(key="lang").set_value("es").run()
    assert link_lang(at) == "es" and at.title[0].value == "Resumen"
    at.sidebar.radio(key="lang").set_value("en").run()
    assert link_lang(at) == "en"
    # without lang in its link, the default language stays out of links (the browser's is used)
    plain = open_page("territory")
    assert "lang" not in plain.query_params
    assert link_lang(open_page("territory", lang="es")) == "es"


def test_the_default_page_s_own_address_opens_it_with_the_link_s_view():
    """/overview opened Streamlit's "Page not found" dialog: Streamlit serves the default page at
    "/" only. Its own address opens it too (care_dashboard/ui_nav.py sends the visitor on to "/"
    with the link's query string), as a shared link and from another page of the session, where
    Streamlit forgets the sidebar's values when the app switches pages (the link holds them)."""
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.query_params = {"lang": "es", "territory": "cajica"}
    at.switch_page(str(paths.ROOT / PAGES["overview"]))  # before any run: the page's own address
    at.run()
    for step in ("link", "territory", "overview"):
        assert not at.exception, step
        assert at.title[0].value == {"territory": "Por territorio"}.get(step, "Resumen"), step
        assert at.sidebar.multiselect(key="territory").value == ["cajica"], step
        assert at.query_params.get("lang") in ("es", ["es"]) and at.query_params.get("territory") in ("cajica", ["cajica"])
        if step != "territory":
            assert metric_values(at)["Participaciones"] == "40", step
        if step != "overview":
            # AppTest takes the address named like the script: the overview's own, not "/"
            at.switch_page(str(paths.ROOT / PAGES["overview" if step == "territory" else "territory"]))
            at.run()


def test_a_page_gets_its_context_from_the_shell_while_it_runs():
    """dashboard.py hands the page it runs its context (``ui.page_context()``) for that run only,
    in the thread that runs it: no other session's run (each has its own thread) sees it."""
    import threading

    from care_dashboard import ui

    ctx = object()
    seen = []
    with ui.shell_context(ctx):
        assert ui.page_context() is ctx
        other = threading.Thread(target=lambda: seen.append(ui_nav._running.get()))
        other.start()
        other.join()
    assert seen == [None]
    assert ui_nav._running.get() is None


def test_the_published_totals_check_shows_only_on_data_that_states_totals():
    heading = {"en": "Do the published totals add up?", "es": "¿Cuadran los totales publicados?"}
    report = open_page("method")
    assert heading["en"] in [h.value for h in report.header]
    assert "reconciliation_table" in keyed_blocks(report, "care_table_")
    for lang in ("en", "es"):
        demo = open_page("method", lang=lang, dataset=SYNTHETIC)  # attendance records: no totals
        assert heading[lang] not in [h.value for h in demo.header]
        assert "reconciliation_table" not in keyed_blocks(demo, "care_table_")
        assert not demo.info  # nor a notice that there is nothing to check


@pytest.mark.parametrize("dataset", [None, SYNTHETIC])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_method_page_does_not_send_the_reader_to_itself(lang, dataset):
    """Its notes said "see Method and sources", and its tables' "About these figures" linked to
    Method and sources, on Method and sources."""
    from care_dashboard import i18n

    at = open_page("method", lang=lang, dataset=dataset)
    shown = "\n".join(e.value for kind in ("markdown", "caption") for e in elements(at.main, kind))
    assert "Method and sources" not in shown and "Método y fuentes" not in shown
    assert [link.proto.label for link in elements(at.main, "page_link")] == []
    # the notes still say what a caveat rests on
    if dataset == SYNTHETIC:
        assert i18n.t("common.dashboard_method_here", lang) in shown
    # elsewhere the link and the pointer stay
    other = open_page("overview", lang=lang, dataset=dataset)
    assert i18n.t("common.method_link", lang) in [link.proto.label for link in elements(other.main, "page_link")]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_row_of_headline_figures_says_each_caveat_once(lang):
    """The People page of the synthetic demo said "Records without a document are not people [2]"
    under two figures side by side. (The synthetic-data caveat stays beside every figure, so a
    screenshot of one carries it.)"""
    for page in ("overview", "people"):
        at = open_page(page, lang=lang, dataset=SYNTHETIC)
        captions = "\n".join(e.value for block in keyed_blocks(at, "care_figure_").values()
                             for e in elements(block, "caption"))
        assert captions
        for cid in caveats.catalogue():
            if cid in caveats.SYNTHETIC_IDS:
                continue
            short = caveats.get(cid, lang).short
            assert captions.count(short) <= 1, (page, cid, short)


# ---- a phone's browser is sent the phone variants; any other, the wide charts only ---------------

PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36")
IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Version/18.1 Mobile/15E148 Safari/604.1")
LAPTOP_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/131.0.0.0 Safari/537.36")
IPAD_UA = "Mozilla/5.0 (iPad; CPU OS 12_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
ANDROID_TABLET_UA = "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.mark.parametrize("user_agent,phone", [
    (PHONE_UA, True), (IPHONE_UA, True), (IPAD_UA, True), (ANDROID_TABLET_UA, True),
    (LAPTOP_UA, False), ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15", False),
    ("", False), (None, False),
])
def test_a_browser_is_a_phone_s_when_its_user_agent_says_so(user_agent, phone):
    from care_dashboard import screen

    assert screen.is_phone(user_agent) is phone


def test_a_phone_is_sent_each_chart_s_phone_variant_and_a_laptop_the_wide_chart_only():
    """The phone variant of a chart costs as much to build as the wide one (the map's labels are
    placed again): only a phone's or a tablet's browser gets it, beside the wide one for CSS to
    choose by width; a laptop's gets the wide chart alone, drawn at any width."""
    phone, laptop = (open_page("territory", dataset=SYNTHETIC, phone=p) for p in (True, False))
    ids = {name: [c.proto.id for c in at.get("plotly_chart")] for name, at in (("phone", phone), ("laptop", laptop))}
    narrow = [i for i in ids["phone"] if i.endswith("_narrow")]
    assert len(narrow) == 4 and len(ids["phone"]) == 8  # the map and the three panels of bars, each twice
    assert len(ids["laptop"]) == 4 and not [i for i in ids["laptop"] if i.endswith("_narrow")]
    # the laptop's charts are the phone's wide ones, drawn in no container that CSS hides on a phone
    wide = {i: c.proto.spec for c in phone.get("plotly_chart") if not (i := c.proto.id).endswith("_narrow")}
    assert sorted(wide.values()) == sorted(c.proto.spec for c in laptop.get("plotly_chart"))
    assert not keyed_blocks(laptop, "care_wide_") and len(keyed_blocks(phone, "care_wide_")) == 4


# ---- a page's queries start together, named once (the catalogue) --------------------------------

@pytest.mark.parametrize("data", ["care_2025", SYNTHETIC])
@pytest.mark.parametrize("page", PAGES)
def test_a_page_starts_every_query_its_figures_run_and_no_other(page, data):
    """``views.page_queries`` (from content/figures.toml) is what a page starts together as it
    opens (``PageContext.prefetch_page``): every query that building its figures, their charts
    (wide and for a phone) and their tables runs, with the same parameters; nothing it never runs."""
    from care_dashboard import datasets, labels, views
    from tests.conftest import Runner

    dataset = datasets.load_dataset(data)
    runner, ran = Runner(dataset), []
    selection = {"components": None, "territories": None, "organisations": None}

    def recorded(unfiltered):
        def run(name, **params):
            ran.append((name, params, unfiltered))
            return runner(name, **({} if unfiltered else selection), **params)
        return run

    names = labels.build(runner("component_options"), runner("territory_options"), runner("organisation_options"), "en")
    source = views.Source(recorded(False), names, dataset.has_person_keys, 5, recorded(True))
    if source.has_rows():
        for view in views.for_page(page, source).values():
            if view is not None:
                view.chart, view.narrow_chart, view.table  # noqa: B018 - built as a page and a phone would
    started = views.page_queries(page, source.kind, 5)
    assert [c for c in ran if c not in started] == []
    assert [c for c in started if c not in ran] == []
