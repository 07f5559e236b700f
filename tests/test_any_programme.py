"""Issue 13: a partner imports the next programme, held anywhere in Colombia and with components of
its own, with no edit of the repository; and each finding of the partner's audit
(../shared/findings/partner_import_audit.md) that the importer caused, tested so it fails on the
code before the fix.

Sheets are held-out: municipalities the report never named (Medellín, Soacha, Malambo), a
component declared in a programme file ("Educación financiera"), a sheet that gives its date,
place and component only in its title block, one session split over two files.
"""

import io
import shutil
import subprocess
import sys

import openpyxl
import pytest

from care_dashboard import datasets, paths, store
from care_dashboard.ingest import importer, programme
from care_dashboard.ingest.sheets import Source
from tests import sheet_builders as sb
from tests.apptest_helpers import keyed_blocks, metric_values, open_page, wide_figure

KEY = b"any-programme-test-key-0123456789abcdef"
HEADER = ["Fecha", "Municipio", "Departamento", "Organización", "Nombres y apellidos", "Cédula", "Componente"]
ROWS = [  # invented people
    ("03/03/2026", "Medellin", "", "Recuperar", "Uno Prueba", "71000001", "Educación financiera"),
    ("03/03/2026", "MEDELLÍN", "Antioquia", "Recuperar", "Dos Prueba", "71000002", "Finanzas"),
    ("04/03/2026", "Soacha Cundinamarca", "", "Soacha Recicla", "Tres Prueba", "71000003", "SST"),
    ("04/03/2026", "Mosquera", "Cundinamarca", "Soacha Recicla", "Cuatro Prueba", "71000004", "SST"),
    ("05/03/2026", "Malambo, Atlántico", "", "Malambo Verde", "Cinco Prueba", "71000005", "Derechos humanos"),
    ("05/03/2026", "Malambo", "", "Malambo Verde", "Uno Prueba", "71000001", "Educacion financiera"),
]
PROGRAMME = '''
title_en = "Recyclers' school 2026"
title_es = "Escuela de recicladores 2026"

[[component]]
id = "financial-education"
name_en = "Financial education"
name_es = "Educación financiera"
spellings = ["Educación financiera", "Educacion financiera", "Finanzas"]
'''.encode()


def csv(rows, header=HEADER):
    return sb.csv_bytes(rows=rows, header=header)


def run(tmp_path, sources, dataset="escuela", **options):
    return importer.import_sheets(sources, dataset, data_dir=tmp_path, key=KEY, isolated=False, **options)


@pytest.fixture
def programme_2026():
    return programme.parse(PROGRAMME, "escuela.toml")


def test_new_places_and_a_declared_component_import_with_no_edit_of_the_repository(tmp_path, programme_2026):
    result = run(tmp_path, [Source("marzo.csv", csv(ROWS))], programme=programme_2026)
    assert (result.summary.participations, result.summary.participants) == (6, 5)
    tables = store.current_tables("escuela", tmp_path)
    places = tables["territories"].set_index("territory_id")
    assert set(places.index) == {"medellin", "soacha", "malambo"}  # Mosquera's row counts in its organisation's city
    assert places.loc["medellin", "department_name"] == "Antioquia"
    assert places.loc["malambo", "department_name"] == "Atlántico"
    assert abs(places.loc["medellin", "latitude"] - 6.25) < 0.1 and abs(places.loc["medellin", "longitude"] + 75.57) < 0.1
    components = tables["components"].set_index("component_id")
    assert components.loc["financial-education", "component_name_es"] == "Educación financiera"
    assert set(tables["attendance"]["component_id"]) == {"financial-education", "ohs", "human-rights"}
    meta = datasets.load_dataset("escuela", tmp_path).metadata
    assert meta["title_es"] == "Escuela de recicladores 2026"


def test_pages_show_the_new_places_and_component_in_both_languages(tmp_path, monkeypatch, programme_2026):
    shutil.copytree(paths.DATA_DIR / "care_2025", tmp_path / "care_2025")
    run(tmp_path, [Source("marzo.csv", csv(ROWS))], programme=programme_2026)
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path)
    for lang, component, title in (("en", "Financial education", "Recyclers' school 2026"),
                                   ("es", "Educación financiera", "Escuela de recicladores 2026")):
        territory = open_page("territory", lang=lang, dataset="escuela")
        shown = " ".join(str(wide_figure(b)[0]) for b in keyed_blocks(territory, "care_chart_").values())
        for place in ("Medellín", "Soacha", "Malambo"):
            assert place in shown, (lang, place)
        assert component in shown
        component_page = open_page("component", lang=lang, dataset="escuela")
        assert component in str(wide_figure(keyed_blocks(component_page, "care_chart_")["component_timeline"])[0])
        people = open_page("people", lang=lang, dataset="escuela")
        assert metric_values(people)[{"en": "Distinct people", "es": "Personas distintas"}[lang]] == "5"
        # the dataset keeps its title in both languages (options are escaped for Markdown)
        assert title in [o.replace("\\", "") for o in territory.sidebar.radio(key="dataset").options]


def test_an_ambiguous_municipality_is_refused_naming_both_departments_and_nothing_is_written(tmp_path):
    with pytest.raises(importer.ImportRefused) as refused:
        run(tmp_path, [Source("m.csv", csv([("03/03/2026", "Mosquera", "", "Org", "Uno Prueba", "71000001", "SST")]))])
    [problem] = refused.value.problems
    assert "Cundinamarca and Nariño" in problem and '"Mosquera, Cundinamarca" or "Mosquera, Nariño"' in problem
    assert 'Cundinamarca y Nariño' in problem.text("es") and "¿" not in problem.text("es")
    assert not (tmp_path / "escuela").exists()


def test_a_misspelt_municipality_gets_suggestions_in_spanish(tmp_path):
    with pytest.raises(importer.ImportRefused) as refused:
        run(tmp_path, [Source("m.csv", csv([("03/03/2026", "Barranquila", "", "Org", "Uno Prueba", "71000001", "SST")]))])
    text = refused.value.problems[0].text("es")
    assert '¿Quiso decir "Barranquilla, Atlántico"' in text


def test_an_unknown_component_without_a_programme_file_is_refused_with_the_lines_to_add(tmp_path):
    sheet = csv([("03/03/2026", "Soacha", "", "Org", "Uno Prueba", "71000001", "Educación financiera"),
                 ("04/03/2026", "Soacha", "", "Org", "Dos Prueba", "71000002", "Educación financiera")])
    with pytest.raises(importer.ImportRefused) as refused:
        run(tmp_path, [Source("m.csv", sheet)])
    [problem] = refused.value.problems  # one line for both rows
    assert problem.startswith('m.csv: rows 2–3: Componente: "Educación financiera" is not a known component')
    entry = programme.suggested_entries(refused.value.unknown_components)
    assert programme.parse(entry).components[0].name_es == "Educación financiera"  # the lines parse as they are


def test_spellings_of_one_new_component_are_suggested_as_one_entry():
    entry = programme.suggested_entries(["Educacion financiera", "Educación financiera", "EDUCACIÓN FINANCIERA", "Finanzas"])
    parsed = programme.parse(entry.encode()).components
    assert [c.id for c in parsed] == ["educacion-financiera", "finanzas"]
    assert parsed[0].name_es == "Educación financiera"  # the accented spelling is the name
    assert set(parsed[0].spellings) == {"Educacion financiera", "Educación financiera", "EDUCACIÓN FINANCIERA"}


@pytest.mark.parametrize("text,key", [
    ("[[component]\nid = 'x'", "programme_not_toml"),
    ('[[component]]\nid = "a"\nname_en = "A"\nname_es = "A"\n[[component]]\nid = "a"\nname_en = "B"\nname_es = "B"',
     "programme_component_duplicate"),
    ('[[component]]\nid = "a"\nname_en = "A"', "programme_component_missing"),
    ('[[component]]\nid = "Bad Id"\nname_en = "A"\nname_es = "A"', "programme_component_bad_id"),
    ('colour = "red"', "programme_unknown_key"),
])
def test_programme_file_errors_are_clear_messages(text, key):
    with pytest.raises(programme.ProgrammeError) as refused:
        programme.parse(text.encode(), "escuela.toml")
    assert [p.key for p in refused.value.problems][0] == key
    message = refused.value.problems[0]
    assert message.startswith("escuela.toml") and message.text("es").startswith("escuela.toml")
    assert message.text("es") != str(message)  # said in Spanish too


def test_command_line_takes_a_programme_file_and_speaks_spanish(tmp_path):
    (tmp_path / "marzo.csv").write_bytes(csv(ROWS))
    (tmp_path / "escuela.toml").write_bytes(PROGRAMME)
    done = subprocess.run(
        [sys.executable, str(paths.ROOT / "ingest.py"), "marzo.csv", "--dataset", "escuela", "--programme", "escuela.toml",
         "--lang", "es", "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, cwd=tmp_path, env={"ATTENDANCE_ID_KEY": KEY.decode(), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("se importaron 6 participaciones, 5 personas distintas")


# ---- the audit's findings on the importer ----------------------------------------------------

def test_title_block_gives_date_place_and_component(tmp_path):
    """Finding 11: many sheets give the date, municipality and component once, above a list of
    names and cédulas."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["LISTA DE ASISTENCIA"])
    ws.append(["Fecha: 14/02/2026 · Municipio: Soacha · Tema: SST"])
    ws.append(["Organización:", "Soacha Recicla"])
    ws.append([])
    ws.append(["No.", "Nombres y apellidos", "Cédula", "Firma"])
    ws.append([1, "Uno Prueba", "71000001", ""])
    ws.append([2, "Dos Prueba", "71000002", ""])
    data = io.BytesIO()
    book.save(data)
    result = run(tmp_path, [Source("lista.xlsx", data.getvalue())])
    att = store.current_tables("escuela", tmp_path)["attendance"]
    assert len(att) == 2 and set(att["territory_id"]) == {"soacha"} and set(att["component_id"]) == {"ohs"}
    assert str(att["session_date"].iloc[0])[:10] == "2026-02-14"
    assert any(w.key == "title_block_used" for w in result.warnings)


def test_one_session_split_over_two_files_adds_up(tmp_path):
    """Finding 9: the second file of one session replaced the first (3 of 6 people lost)."""
    first = [("10/03/2026", "Bogotá", "", "Org", f"P{i}", f"7100010{i}", "SST") for i in range(3)]
    second = [("10/03/2026", "Bogotá", "", "Org", f"P{i}", f"7100010{i}", "SST") for i in range(3, 6)]
    run(tmp_path, [Source("hoja1.csv", csv(first))])
    result = run(tmp_path, [Source("hoja2.csv", csv(second))])
    assert result.dataset_totals.participants == 6 and result.dataset_totals.sessions == 1
    [joined] = [w for w in result.warnings if w.key == "session_adds_up"]
    assert "Occupational health and safety, 10 Mar 2026, Bogotá" in joined  # a session as people read it, no id
    assert "ohs/2026" not in joined.text("es") and "Seguridad y salud en el trabajo" in joined.text("es")
    # the same file again changes nothing
    again = run(tmp_path, [Source("hoja2.csv", csv(second))])
    assert again.dataset_totals.participants == 6 and again.path is None


def test_replacing_a_session_is_explicit_and_the_plan_says_what_it_drops(tmp_path):
    first = [("10/03/2026", "Bogotá", "", "Org", f"P{i}", f"7100010{i}", "SST") for i in range(3)]
    corrected = [("10/03/2026", "Bogotá", "", "Org", "P0", "71000100", "SST")]
    run(tmp_path, [Source("hoja1.csv", csv(first))])
    plan = importer.plan_import([Source("corregida.csv", csv(corrected))], "escuela", data_dir=tmp_path, key=KEY,
                                isolated=False, replace_sessions=True)
    assert (plan.dropped_rows, plan.dropped_people, len(plan.sessions_replaced)) == (3, 2, 1)
    assert not plan.sessions_joined
    assert store.current_tables("escuela", tmp_path)["attendance"].shape[0] == 3  # nothing written by a plan
    result = importer.apply(plan)
    assert result.dataset_totals.participations == 1


def test_the_title_given_once_is_kept_at_the_next_import(tmp_path):
    """Finding 13: the title of the first import was lost on the next one."""
    run(tmp_path, [Source("a.csv", csv(ROWS[2:4]))], title="Listas CARE 2026")
    run(tmp_path, [Source("b.csv", csv(ROWS[4:5]))])
    meta = datasets.load_dataset("escuela", tmp_path).metadata
    assert meta["title_es"] == meta["title_en"] == "Listas CARE 2026"


def test_an_imported_dataset_says_its_source_and_licence_in_spanish_and_offers_no_open_licence(tmp_path, monkeypatch):
    """Finding 7: the source and licence of an import were English, and the Method page offered
    CC BY-NC sharing for partners' confidential data."""
    shutil.copytree(paths.DATA_DIR / "care_2025", tmp_path / "care_2025")
    run(tmp_path, [Source("a.csv", csv(ROWS[2:4]))])
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path)
    at = open_page("method", lang="es", dataset="escuela")
    text = "\n".join(m.value for m in at.markdown).replace("\\", "")
    assert "Listas de asistencia de las sesiones del programa" in text and "Solo para socios" in text
    assert "no comerciales" not in text and "CC BY-NC" not in text and "Cifras usadas" not in text
    footer = " ".join(c.value for c in at.caption)
    assert "Sign-in sheets" not in footer and "Partners only" not in footer
