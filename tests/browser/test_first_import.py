"""A partner's whole first import, in Spanish, in a browser, as `make run` serves it (one user on
this machine, no login): a fresh data folder and no key. Make the key from the page, pick a
sheet, check it, import it and open the new dataset, reading every step's Spanish text. Also:
Enter in the name only commits the name, the picked file stays picked after the check, and the
page shows no report citation.

Screenshots of the Import page in Spanish, 1400x1000 and 390x844, go to test-artifacts/screens/."""

from __future__ import annotations

import re
import stat

import pytest
from playwright.sync_api import expect

from tests import sheet_builders as sb
from tests.browser.conftest import ARTIFACTS, app_copy, running_server, wait_for_app
from tests.browser.english_texts import wait_without_english

TIMEOUT = 60_000


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A server of `make run`'s kind on a copy of the app whose data/ holds only the committed
    datasets, with no key yet (its key file will be in a folder of the test's)."""
    base = tmp_path_factory.mktemp("first_import")
    root = app_copy(base / "app")
    key_file = base / "config" / "attendance_id.key"
    env = {"ATTENDANCE_ID_KEY": None, "ATTENDANCE_ID_KEY_FILE": str(key_file), "CARE_SERVE": None,
           "CARE_ACCESS_FILE": None, "CARE_IMPORT_PAGE": None, "CARE_IMPORT_DIR": str(base / "imports")}
    with running_server(env, log_name="server-first-import-es.log", root=root) as url:
        yield url, root, key_file


@pytest.fixture(scope="module")
def keyed():
    """A server of `make run`'s kind that has a key: for checks that do not make one."""
    env = {"ATTENDANCE_ID_KEY": "first-import-browser-key-0123456789abcdef", "CARE_SERVE": None,
           "CARE_ACCESS_FILE": None, "CARE_IMPORT_PAGE": None}
    with running_server(env, log_name="server-import-es-texts.log") as url:
        yield url


def main_text(page) -> str:
    return page.inner_text("[data-testid='stMain']")


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_a_partners_first_import_in_spanish(fresh, browser):
    url, root, key_file = fresh
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="es-CO")
    page.goto(f"{url}/import?lang=es")
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    expect(main.locator("h1")).to_have_text("Importar listas de asistencia", timeout=TIMEOUT)
    expect(main).to_contain_text("Este tablero todavía no tiene clave de seudonimización", timeout=TIMEOUT)
    assert "CEMPRE" not in main_text(page)  # no report citation under a partner's import
    shoot(page, "import-es-1400-no-key.png")

    # the key, from the page
    page.get_by_role("button", name="Crear la clave").click()
    expect(main).to_contain_text(f"La clave se creó en {key_file}; solo puede leerla el usuario que ejecuta el tablero.",
                                 timeout=TIMEOUT)
    expect(main).to_contain_text("Respáldela ya, por ejemplo en un gestor de contraseñas", timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Descargar una copia para el respaldo")).to_be_visible()
    assert re.fullmatch(r"[0-9a-f]{64}\n", key_file.read_text())
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and root not in key_file.parents

    # a sheet: its name proposes the dataset's, whose identifier is derived and shown
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
        files=[{"name": "lista_soacha.csv", "mimeType": "text/csv", "buffer": sb.csv_bytes()}])
    name = page.get_by_label("Nombre del conjunto nuevo", exact=True)
    expect(name).to_have_value("Lista soacha", timeout=TIMEOUT)
    expect(main).to_contain_text("Su identificador, en los enlaces y en la carpeta de datos: lista_soacha",
                                 timeout=TIMEOUT)

    # Enter in the name commits the name, and nothing else: no check, no import
    name.click()
    name.press("End")
    name.type(" 2026")
    name.press("Enter")
    expect(main).to_contain_text("carpeta de datos: lista_soacha_2026", timeout=TIMEOUT)
    wait_for_app(page)
    assert "Lo que se importaría" not in main_text(page)
    assert not (root / "data" / "lista_soacha_2026").exists()

    # the check: what would be imported, before anything is written; the file stays picked
    page.get_by_role("button", name="Revisar las listas").click()
    expect(main).to_contain_text("2. Lo que se importaría en Lista soacha 2026", timeout=TIMEOUT)
    wait_for_app(page)
    metrics = {m.locator("[data-testid='stMetricLabel']").inner_text(): m.locator("[data-testid='stMetricValue']").inner_text()
               for m in main.locator("[data-testid='stMetric']").all()}
    assert metrics == {"Participaciones": "5", "Personas": "3", "Sesiones": "3", "Organizaciones": "2"}
    expect(main).to_contain_text("Hojas leídas: lista_soacha.csv (6 filas).")
    expect(main.locator("[data-testid='stFileUploader']").first).to_contain_text("lista_soacha.csv")
    assert not (root / "data" / "lista_soacha_2026").exists()
    main.get_by_text("2. Lo que se importaría").scroll_into_view_if_needed()
    shoot(page, "import-es-1400-preview.png")
    page.get_by_role("button", name="Importar ahora").scroll_into_view_if_needed()
    shoot(page, "import-es-1400-confirm.png")

    # the import
    page.get_by_role("button", name="Importar ahora").click()
    expect(main).to_contain_text(
        "Importado en Lista soacha 2026: 5 participaciones, 3 personas distintas, 2 organizaciones, 3 sesiones. "
        "El conjunto tiene ahora 5 participaciones, 3 personas distintas, 2 organizaciones, 3 sesiones.",
        timeout=TIMEOUT)
    assert (root / "data" / "lista_soacha_2026" / "current").is_symlink()
    assert "import=" not in page.url  # nothing of it kept any more
    shoot(page, "import-es-1400-done.png")

    # open it: its Overview, in Spanish, with its title in the picker
    page.get_by_role("button", name="Abrir el conjunto de datos").click()
    page.wait_for_function("() => !location.pathname.endsWith('/import')", timeout=TIMEOUT)
    wait_for_app(page)
    expect(main.locator("h1")).to_have_text("Resumen", timeout=TIMEOUT)
    assert "dataset=lista_soacha_2026" in page.url and "lang=es" in page.url
    picked = page.locator("[data-testid='stSidebar'] [role='radiogroup'] label:has(input:checked)")
    expect(picked.filter(has_text="Lista soacha 2026")).to_have_count(1)
    page.close()

    # on a phone: the same steps fit its width (the screenshots are looked at, not compared)
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="es-CO", is_mobile=True, has_touch=True)
    phone.goto(f"{url}/import?lang=es")
    wait_for_app(phone)
    shoot(phone, "import-es-390.png")
    phone.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
        files=[{"name": "lista_soacha.csv", "mimeType": "text/csv", "buffer": sb.csv_bytes()}])
    expect(phone.get_by_label("Nombre del conjunto nuevo", exact=True)).to_have_value("Lista soacha", timeout=TIMEOUT)
    phone.get_by_role("button", name="Revisar las listas").click()
    heading = phone.get_by_text("2. Lo que se importaría")
    expect(heading).to_be_visible(timeout=TIMEOUT)
    wait_for_app(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    heading.scroll_into_view_if_needed()
    shoot(phone, "import-es-390-preview.png")
    phone.get_by_role("button", name="Importar ahora").scroll_into_view_if_needed()
    shoot(phone, "import-es-390-confirm.png")
    phone.close()


def test_no_english_text_of_streamlit_or_plotly_on_the_import_page_or_a_chart_toolbar(keyed, browser):
    """The Import page with a preview (its uploaders, its tables' toolbars, its help icons), and a
    chart's toolbar, in Spanish: no English text of Streamlit or Plotly, shown or read aloud
    (tests/browser/english_texts.py: whole texts, so Spanish words such as "Pantalla" are not
    taken for "Pan")."""
    url = keyed
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="es-CO")
    page.goto(f"{url}/import?lang=es")
    wait_for_app(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
        files=[{"name": "lista.csv", "mimeType": "text/csv", "buffer": sb.csv_bytes()}])
    expect(page.get_by_label("Nombre del conjunto nuevo", exact=True)).to_have_value("Lista", timeout=TIMEOUT)
    page.get_by_role("button", name="Revisar las listas").click()
    expect(page.get_by_text("2. Lo que se importaría")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    tables = page.locator("[data-testid='stMain'] [data-testid='stDataFrame']")
    expect(tables.first).to_be_visible(timeout=TIMEOUT)  # the preview has tables: their toolbars are checked
    found = []
    for table in tables.all():
        table.scroll_into_view_if_needed()
        table.hover()  # its toolbar shows on hover
        found += wait_without_english(page)
    chart_page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="es-CO")
    chart_page.goto(f"{url}/?lang=es")
    wait_for_app(chart_page)
    chart = chart_page.locator("[data-testid='stPlotlyChart']").first
    chart.hover()
    expect(chart.locator(".modebar-btn").first).to_be_attached(timeout=TIMEOUT)
    found += wait_without_english(chart_page)
    page.close()
    chart_page.close()
    assert sorted({tuple(f) for f in found}) == []  # [where, text]: each once
