"""The Import page as a partner meets it (AppTest; the second security probe, findings 8 and 9, and issue 20's
"A partner's own path, in Spanish, without a terminal"): the key made from the page, the
files that stay chosen, the dataset named in words with its identifier derived, a preview
confirmed after another import, an import whose worker was killed, and no report citation under
the page. The browser walk of a first import: tests/browser/test_first_import.py."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from care_dashboard import access, datasets, paths, signouts, store, ui_access
from care_dashboard.ingest import importer, pending
from care_dashboard.ingest.sheets import Source
from tests import sheet_builders as sb

KEY = "import-page-test-key-0123456789abcdef0123456789"
CHECK = {"en": "Check the sheets", "es": "Revisar las listas"}
CONFIRM = {"en": "Import now", "es": "Importar ahora"}
COLLEAGUE = sb.csv_bytes(rows=[("15/09/2025", "Bogotá", "ASOREPCOL", "Sara Gil", "1098765432", "Recicladora", "SST")])
MORE = sb.csv_bytes(rows=[("16/09/2025", "Bogotá", "ASOFRAIN", "Eva Díaz", "1011121314", "Recicladora", "SST")])


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """data/ of its own (the embedded report copied in), a key, `make run`'s one user."""
    shutil.copytree(paths.DATA_DIR / "care_2025", tmp_path / "data" / "care_2025")
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path / "data")
    monkeypatch.setenv("ATTENDANCE_ID_KEY", KEY)
    for name in ("CARE_SERVE", "CARE_IMPORT_PAGE", access.ENV):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "data"


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def import_page(lang: str = "es", link: dict | None = None, user: dict | None = None, auth: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    if link:
        at.query_params = dict(link)
    if auth:
        at.secrets = {"auth": auth}
    if user is not None:
        at.user = user
    run(at)
    at.switch_page(str(paths.ROOT / "pages/import.py"))
    run(at)
    if at.sidebar.radio(key="lang").value != lang:
        at.sidebar.radio(key="lang").set_value(lang)
        run(at)
    return at


def press(at: AppTest, label: str) -> AppTest:
    [b for b in at.button if b.label == label][0].click()
    return run(at)


def pick(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, "text/csv") for name, data in files])
    return run(at)


def shown(at: AppTest) -> str:
    """The page's text as read on screen (Markdown escapes and invisible joiners removed)."""
    parts = [str(e.value) for kind in ("markdown", "caption", "title", "subheader", "warning", "info", "error",
                                         "success") for e in at.get(kind)]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts)).replace("\u2060", "").replace("**", "")


def version(data_dir: Path, name: str) -> str:
    return datasets.load_dataset(name, data_dir).metadata["version"]


def rows(data_dir: Path, name: str) -> int:
    return len(store.current_tables(name, data_dir)["attendance"])


# ---- no report citation under the Import page ----------------------------------------------------

def test_the_import_page_cites_no_report(data_dir):
    """Its figures are the uploaded sheets': the report's citation under it (the footer of the
    chosen data) would be a CARE fact on a partner's page."""
    at = import_page("en")
    captions = "\n".join(c.value for c in at.caption)
    assert "CEMPRE" not in captions and "CC BY-NC" not in captions, captions
    at.switch_page(str(paths.ROOT / "pages/overview.py"))
    assert "CEMPRE" in "\n".join(c.value for c in run(at).caption)  # the other pages keep it


# ---- the key, from the page ---------------------------------------------------------------------

def test_make_run_makes_the_key_from_the_page_and_says_to_back_it_up(data_dir, tmp_path, monkeypatch):
    """The first import ended in "El servidor no tiene clave de seudonimización ... (vea el
    README)" and needed a terminal. Now the page makes the key on request, says where it is and
    that it must be backed up, offers a copy, and the import then works."""
    monkeypatch.delenv("ATTENDANCE_ID_KEY")
    key_file = tmp_path / "config" / "attendance_id.key"
    monkeypatch.setenv("ATTENDANCE_ID_KEY_FILE", str(key_file))
    at = import_page("es")
    assert "Este tablero todavía no tiene clave de seudonimización" in shown(at)
    press(at, "Crear la clave")
    assert re.fullmatch(r"[0-9a-f]{64}\n", key_file.read_text())
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    text = shown(at)
    assert f"La clave se creó en {key_file}; solo puede leerla el usuario que ejecuta el tablero." in text
    assert "Respáldela ya" in text and "se contarían dos veces" in text
    assert [b.label for b in at.main.get("download_button")] == ["Descargar una copia para el respaldo"]
    assert not [b for b in at.button if b.label == "Crear la clave"]
    pick(at, ("lista.csv", sb.csv_bytes()))
    press(at, CHECK["es"])
    press(at, CONFIRM["es"])
    assert any(s.value.startswith("Importado en Lista: 5 participaciones") for s in at.success)


def test_under_make_serve_an_importer_makes_the_key_and_is_told_who_backs_it_up(data_dir, tmp_path, monkeypatch,
                                                                                 logged_in):
    """Under `make serve` the page is shown to importers only; one of them may make the key.
    No copy is offered for download: the key stays on the server."""
    monkeypatch.delenv("ATTENDANCE_ID_KEY")
    key_file = tmp_path / "config" / "attendance_id.key"
    monkeypatch.setenv("ATTENDANCE_ID_KEY_FILE", str(key_file))
    monkeypatch.setenv("CARE_SERVE", "1")
    (tmp_path / "access.toml").write_text('[roles]\nimporter = ["ines@partner.org"]\n')
    monkeypatch.setenv(access.ENV, str(tmp_path / "access.toml"))
    at = import_page("es", user={"is_logged_in": True, "email": "ines@partner.org", "email_verified": True},
                     auth=LOGIN)
    press(at, "Crear la clave")
    assert key_file.is_file()
    assert "Pida a quien administra el servidor que respalde ya este archivo" in shown(at)
    assert not at.main.get("download_button")


LOGIN = {"redirect_uri": "http://127.0.0.1:8080/oauth2callback",
         "cookie_secret": "0f3a9c2e7b1d4f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f4a", "client_id": "care",
         "client_secret": "secret", "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}


@pytest.fixture
def logged_in(tmp_path, monkeypatch):
    """A login state folder of its own and an identity cookie signed a minute ago (AppTest sends
    no cookies: what ui_access would read from the real one)."""
    monkeypatch.setenv(signouts.STATE_ENV, str(tmp_path / "state"))
    monkeypatch.delenv(signouts.IDLE_ENV, raising=False)
    signouts._touched.clear()
    issued = float(int(time.time()) - 60)
    monkeypatch.setattr(ui_access, "_issued_at", lambda secret: issued)


# ---- the form -----------------------------------------------------------------------------------

def test_the_chosen_files_stay_chosen_after_a_check_and_after_a_refusal(data_dir):
    at = import_page("es")
    pick(at, ("lista.csv", sb.csv_bytes()))
    press(at, CHECK["es"])
    assert "2. Lo que se importaría en Lista" in shown(at)
    assert [f.name for f in at.file_uploader[0].value] == ["lista.csv"]
    bad = sb.csv_bytes(rows=[("31/02/2025", "Bogotá", "ASOREPCOL", "Ana", "", "", "SST")])
    pick(at, ("mala.csv", bad))
    press(at, CHECK["es"])
    assert any("Todavía no se puede importar nada" in e.value for e in at.error)
    assert [f.name for f in at.file_uploader[0].value] == ["mala.csv"]


def test_the_name_is_proposed_in_words_and_the_identifier_derived_unique(data_dir):
    importer.import_sheets([Source("x.csv", COLLEAGUE)], "listas_soacha_2026", data_dir=data_dir, key=KEY.encode())
    at = import_page("es")
    assert [t.label for t in at.text_input] == ["Nombre del conjunto nuevo"]  # the identifier is not typed
    pick(at, ("listas_soacha.2026.csv", sb.csv_bytes()))
    assert at.text_input(key="import_name").value == "Listas soacha 2026"
    assert "Su identificador, en los enlaces y en la carpeta de datos: `listas_soacha_2026_2`" in shown(at)
    at.text_input(key="import_name").set_value("Escuela de Recicladoras — Año 2")
    run(at)
    assert "`escuela_de_recicladoras_ano_2`" in shown(at)
    pick(at, ("otra.csv", sb.csv_bytes()))  # the person's own name is kept when the files change
    assert at.text_input(key="import_name").value == "Escuela de Recicladoras — Año 2"
    press(at, CHECK["es"])
    press(at, CONFIRM["es"])
    assert rows(data_dir, "escuela_de_recicladoras_ano_2") == 5
    assert datasets.load_dataset("escuela_de_recicladoras_ano_2", data_dir).title("es") == "Escuela de Recicladoras — Año 2"


def test_a_name_that_is_not_a_title_is_refused_in_the_page_language(data_dir):
    at = import_page("es")
    pick(at, ("lista.csv", sb.csv_bytes()))
    at.text_input(key="import_name").set_value("ver http://example.org")
    run(at)
    press(at, CHECK["es"])
    assert any("El nombre solo puede tener letras, dígitos, espacios" in e.value for e in at.error)
    assert not (data_dir / "ver_http_example_org").exists()


# ---- a preview confirmed after another import (finding 8) ----------------------------------------

def test_a_preview_confirmed_after_another_import_says_what_changed_and_previews_again(data_dir):
    """Importer A previews "start the dataset again from these sheets" (dropping 5 rows);
    importer B then adds a session; A confirms. B's session must not be lost without a word:
    A is told, in Spanish, what changed, and sees a new preview that counts B's row too."""
    key = KEY.encode()
    importer.import_sheets([Source("lista.csv", sb.csv_bytes())], "escuela", data_dir=data_dir, key=key, title="Escuela")
    at = import_page("es")
    pick(at, ("corregida.csv", sb.csv_bytes(rows=[sb.ROWS[0]])))
    at.selectbox(key="import_target").set_value("escuela")
    run(at)
    at.radio(key="import_mode").set_value("replace")
    run(at)
    press(at, CHECK["es"])
    assert [w.value for w in at.warning] == [  # not "5 rows of 0 sessions", as the probe read
        "Importar rehace el conjunto solo con estas listas: quita las 5 filas que tiene ahora; 2 personas dejarían "
        "de estar en él."]
    importer.import_sheets([Source("colega.csv", COLLEAGUE)], "escuela", data_dir=data_dir, key=key)  # B
    assert rows(data_dir, "escuela") == 6
    press(at, CONFIRM["es"])
    assert rows(data_dir, "escuela") == 6  # nothing lost
    warned = [w.value for w in at.warning]
    assert warned[0] == (
        "Escuela cambió mientras usted miraba la vista previa: se guardó otra importación. Tenía 5 participaciones, "
        "3 personas distintas, 2 organizaciones, 3 sesiones; ahora tiene 6 participaciones, 4 personas distintas, "
        "2 organizaciones, 4 sesiones. No se importó nada. Las listas se revisaron de nuevo frente al conjunto tal "
        "como está ahora: mire la nueva vista previa antes de importar.")
    assert warned[1].startswith("Importar rehace el conjunto solo con estas listas: quita las 6 filas")  # the new preview
    assert not at.success
    press(at, CONFIRM["es"])
    assert rows(data_dir, "escuela") == 1
    assert any(s.value.startswith("Importado en Escuela: 1 participaciones") for s in at.success)


# ---- a worker killed during the write (finding 9) -------------------------------------------------

# The Import page run by AppTest in a child process, as a worker runs it: a sheet picked, checked
# and confirmed in Spanish; the write stops at its first table and says so with the page's URL
# in a marker file, so the test can kill the process there, as `kill -9` of a worker would.
CHILD = r"""
import sys, time
from pathlib import Path
from streamlit.testing.v1 import AppTest
from care_dashboard import paths, store
from tests import sheet_builders as sb

paths.DATA_DIR, marker = Path(sys.argv[1]), Path(sys.argv[2])
at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=120)

def killed_here(folder, kind, tables):
    marker.write_text(repr(at.query_params))
    time.sleep(120)  # never reached in the test: killed here

store.write_tables = killed_here
at.run()
at.switch_page(str(paths.ROOT / "pages/import.py"))
at.run()
at.sidebar.radio(key="lang").set_value("es")
at.run()
at.file_uploader(key="import_files_0").set_value([("lista.csv", sb.csv_bytes(), "text/csv"), ("mas.csv", sys.argv[3].encode(), "text/csv")])
at.run()
at.selectbox(key="import_target").set_value("soacha")
at.run()
[b for b in at.button if b.label == "Revisar las listas"][0].click()
at.run()
[b for b in at.button if b.label == "Importar ahora"][0].click()
at.run()
"""


def test_a_worker_killed_while_writing_leaves_a_message_and_the_files(data_dir, tmp_path):
    """A worker killed during the write left the data intact, but the browser reconnected to
    another worker and showed an empty Import form. Now a new session on the same URL says, in
    Spanish, that the import did not happen and nothing changed, names the files still kept,
    and imports them with two presses."""
    key = KEY.encode()
    importer.import_sheets([Source("antes.csv", COLLEAGUE)], "soacha", data_dir=data_dir, key=key, title="Listas de Soacha")
    before = version(data_dir, "soacha")
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), str(marker), MORE.decode()],
                             cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() or not marker.read_text():
            assert child.poll() is None, child.communicate()[1].decode()[-3000:]
            assert time.monotonic() < deadline, "the page never reached the write"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    url = eval(marker.read_text())  # noqa: S307 - the child's repr of its query parameters
    assert version(data_dir, "soacha") == before and rows(data_dir, "soacha") == 1

    at = import_page("es", link=url)  # the reconnect: a new session on the same URL
    text = shown(at)
    assert ("Su importación en Listas de Soacha no se hizo: el servidor se detuvo mientras la guardaba. No cambió "
            "nada: el conjunto conserva la versión que tenía.") in text, text
    assert "Sus archivos se conservan: lista.csv, mas.csv." in text
    press(at, "Revisar de nuevo estos archivos")
    assert "2. Lo que se importaría en Listas de Soacha" in shown(at)
    press(at, CONFIRM["es"])
    assert any(s.value.startswith("Importado en Listas de Soacha: 6 participaciones") for s in at.success), shown(at)
    assert rows(data_dir, "soacha") == 7
    assert "import" not in at.query_params  # done: the link no longer names it


def staged_link(at: AppTest) -> dict:
    """The URL of the page after a check: its view and the token of the staged import."""
    assert "import" in at.query_params, at.query_params
    return dict(at.query_params)


def test_a_reloaded_preview_offers_the_files_again_and_they_can_be_discarded(data_dir):
    at = import_page("es")
    pick(at, ("lista.csv", sb.csv_bytes()))
    press(at, CHECK["es"])
    link = staged_link(at)
    again = import_page("es", link=link)  # the page reloaded: a new session on the same URL
    text = shown(again)
    assert ("Sus listas para Lista se revisaron pero no se importaron: la página se recargó o perdió la conexión "
            "antes de que usted confirmara. No se importó nada.") in text
    assert "Sus archivos se conservan: lista.csv." in text
    kept = pending.find(link["import"], "")
    assert kept is not None and kept.folder.is_dir()
    press(again, "Descartarlos")
    assert not kept.folder.exists() and "import" not in again.query_params
    assert "Sus archivos se conservan" not in shown(again)


def test_an_import_still_running_elsewhere_is_said_so_then_its_outcome(data_dir):
    """The browser reconnected to another worker while the first one still writes: the page
    must not say the import failed; it says it runs, then what became of it."""
    at = import_page("es")
    pick(at, ("lista.csv", sb.csv_bytes()))
    press(at, CHECK["es"])
    link = staged_link(at)
    p = pending.find(link["import"], "")
    with pending.running(p):  # the first worker, writing
        pending.mark(p, "writing", base_version=None, digests=["0" * 64])
        other = import_page("es", link=link)
        assert "Su importación en Lista sigue en curso en el servidor." in shown(other)
        assert not [b for b in other.button if b.label == "Revisar de nuevo estos archivos"]
        pending.finish(p, (5, 3, 2, 3), (5, 3, 2, 3))
    run(other)  # what the page's watch does once the lock is free
    assert any(s.value.startswith("Importado en lista: 5 participaciones, 3 personas distintas")
               for s in other.success), shown(other)
    assert pending.find(link["import"], "") is None and "import" not in other.query_params


def test_a_link_to_another_accounts_import_shows_nothing_of_it(data_dir, tmp_path, monkeypatch, logged_in):
    monkeypatch.setenv("CARE_SERVE", "1")
    (tmp_path / "access.toml").write_text('[roles]\nimporter = ["ines@partner.org", "luis@partner.org"]\n')
    monkeypatch.setenv(access.ENV, str(tmp_path / "access.toml"))
    ines = {"is_logged_in": True, "email": "ines@partner.org", "email_verified": True}
    at = import_page("es", user=ines, auth=LOGIN)
    pick(at, ("lista.csv", sb.csv_bytes()))
    press(at, CHECK["es"])
    link = staged_link(at)
    luis = import_page("es", link=link, user={**ines, "email": "luis@partner.org"}, auth=LOGIN)
    assert "lista.csv" not in shown(luis) and "import" not in luis.query_params
    assert pending.find(link["import"], "ines@partner.org") is not None  # still hers


def test_opening_the_import_page_removes_the_files_of_an_import_a_day_old(data_dir):
    """Raw sheets (names, document numbers) left by an import nobody came back to go after a
    day even when nobody checks sheets again: opening the Import page sweeps them."""
    old = pending.stage("", pending.Request("lista", "Lista", new=True), [Source("lista.csv", sb.csv_bytes())])
    fresh = pending.stage("", pending.Request("otra", "Otra", new=True), [Source("otra.csv", sb.csv_bytes())])
    day_ago = time.time() - pending.MAX_AGE_S - 60
    for path in (old.folder / "state.json", old.folder):
        os.utime(path, (day_ago, day_ago))
    import_page("es")
    assert not old.folder.exists()
    assert (fresh.folder / "files" / "0").read_bytes() == sb.csv_bytes()  # a recent one stays
    pending.discard(fresh)
