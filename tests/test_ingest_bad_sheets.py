"""A corpus of bad sheets: each is refused with exactly these messages and exit status 2, and
the dataset that already existed is left byte for byte as it was."""

import hashlib
import os
import shutil
import subprocess
import sys

import pytest

from care_dashboard import paths
from tests import sheet_builders as sb

# a key the importer accepts (random-looking, 40 characters; never a real one)
KEY = "bad-sheets-key-0123456789abcdef0123456789"

H = sb.HEADER_ES
OK = sb.ROWS[0]


def row(**changes):
    fields = dict(zip(["date", "city", "org", "name", "doc", "role", "comp"], OK))
    fields.update(changes)
    return tuple(fields.values())


CASES = {
    "no_header": (
        "notas.csv", "Reunión del martes\nTraer los formatos\n".encode(),
        ["notas.csv: row 1: (header): no header row found in the first 30 rows; the sheet needs columns named "
         "Fecha, Ciudad (or Municipio), Organización, Componente and Cédula, or a title block above a list of names "
         "and cédulas"],
    ),
    "missing_columns": (
        "lista.csv", sb.csv_bytes(rows=[OK[:5]], header=H[:5]),
        ['lista.csv: row 1: (header): no column for Componente / Tema (component), and the title block does not '
         'give it; add that column to the header row, or a line such as "Tema: SST" above it'],
    ),
    "header_only": (
        "vacia.csv", sb.csv_bytes(rows=[]),
        ["vacia.csv: row 1: (header): no rows under the header; nothing to import"],
    ),
    "bad_dates": (
        "fechas.csv", sb.csv_bytes(rows=[row(date="31/02/2025"), row(date="11/18/2025"), row(date="mañana"), row(date="")]),
        ['fechas.csv: row 2: Fecha: "31/02/2025" is not a date; write it day first, as 18/11/2025',
         'fechas.csv: row 3: Fecha: "11/18/2025" is not a date; write it day first, as 18/11/2025',
         'fechas.csv: row 4: Fecha: "mañana" is not a date; write it day first, as 18/11/2025',
         "fechas.csv: row 5: Fecha: is empty; write the date of the session, day first, as 18/11/2025"],
    ),
    # any Colombian municipality is a place; a misspelt one gets suggestions, a shared name needs
    # its department, and the same problem in several rows is one line
    "unknown_names": (
        "nombres.csv", sb.csv_bytes(rows=[row(city="Medelin"), row(comp="Reciclaje creativo"), row(city=""),
                                          row(city="Mosquera"), row(city="Mosquera")]),
        ['nombres.csv: row 2: Ciudad: "Medelin" is not a Colombian municipality. Did you mean "Medellín, Antioquia" '
         'or "Medina, Cundinamarca"? Correct the cell and import again',
         'nombres.csv: row 3: Componente: "Reciclaje creativo" is not a known component (known: Occupational health '
         "and safety, Human rights, Public waste service and formalisation, Soft skills and wellbeing); if it is a "
         "component of your programme, declare it in a programme file (the lines to add are shown with these "
         "problems) and import with it",
         "nombres.csv: row 4: Ciudad: is empty; write the municipality of the participant's organisation",
         'nombres.csv: rows 5\u20136: Ciudad: "Mosquera" is the name of municipalities in Cundinamarca and Nariño; '
         'write which one, as "Mosquera, Cundinamarca" or "Mosquera, Nariño" (or fill a Departamento column)'],
    ),
    "empty_organisation": (
        "orgs.csv", sb.csv_bytes(rows=[row(org="  ")]),
        ["orgs.csv: row 2: Organización: is empty; write the participant's organisation"],
    ),
    "bad_documents": (
        "docs.csv", sb.csv_bytes(rows=[row(doc="sin cédula"), row(doc="5.2E+07"), row(doc="12")]),
        ["docs.csv: rows 2, 4: Cédula: is not a document number; write only its digits (letters and digits for a "
         "passport), or leave the cell empty if the person has no document",
         "docs.csv: row 3: Cédula: looks rounded by the spreadsheet (scientific notation); format the column as "
         "text and type the number again"],
    ),
    "several_problems_in_one_row": (
        "fila.csv", sb.csv_bytes(rows=[OK, row(date="40/40/2025", city="Narnia", comp="?")]),
        ['fila.csv: row 3: Fecha: "40/40/2025" is not a date; write it day first, as 18/11/2025',
         'fila.csv: row 3: Ciudad: "Narnia" is not a Colombian municipality. Did you mean "Armenia, Antioquia" or '
         '"Armenia, Quindío"? Correct the cell and import again',
         'fila.csv: row 3: Componente: "?" is not a known component (known: Occupational health and safety, Human '
         "rights, Public waste service and formalisation, Soft skills and wellbeing); if it is a component of your "
         "programme, declare it in a programme file (the lines to add are shown with these problems) and import "
         "with it"],
    ),
    "legacy_xls": (
        "viejo.xls", b"\xd0\xcf\x11\xe0 old binary workbook",
        ["viejo.xls: row 1: (file): old .xls workbooks are not read; open it in Excel or LibreOffice and save it as "
         ".xlsx or CSV"],
    ),
    "damaged_xlsx": (
        "roto.xlsx", b"PK\x03\x04 this is not really a workbook",
        ["roto.xlsx: row 1: (file): the workbook is damaged; save it again as .xlsx or CSV"],
    ),
    "xlsx_decimal_document": (
        "libro.xlsx", sb.xlsx_bytes([(sb.XLSX_ROWS[0][0], "Barranquilla", "FENACICLAR", "R M", 72123456.5, "", "Bienestar")]),
        ["libro.xlsx: row 5: Cédula: has decimals, so it is not a document number; write only its digits, or leave "
         "the cell empty if the person has no document"],
    ),
}
# what the command line adds under the problems when a component is not known
SUGGESTED = {"unknown_names": ['[[component]]', 'id = "reciclaje-creativo"', 'name_es = "Reciclaje creativo"']}


def snapshot(folder):
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else os.readlink(p) if p.is_symlink() else "dir")
            for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def imported_once(tmp_path_factory):
    """The data folder of a dataset named 'partners' that holds the good sheet, imported through
    the command line once for this file (a start of the importer takes seconds)."""
    folder = tmp_path_factory.mktemp("existing")
    good = folder / "good.csv"
    good.write_bytes(sb.csv_bytes())
    done = run(folder, [good])
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def existing(tmp_path, imported_once):
    """A dataset named 'partners' that already holds the good sheet: a copy of its own for each
    test (the link ``current`` is relative, so the copy reads as the original)."""
    shutil.copytree(imported_once, tmp_path, symlinks=True, dirs_exist_ok=True)
    return tmp_path


def run(tmp_path, sheets):
    env = {**os.environ, "ATTENDANCE_ID_KEY": KEY}
    return subprocess.run(
        [sys.executable, str(paths.ROOT / "ingest.py"), *map(str, sheets), "--dataset", "partners",
         "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )


@pytest.mark.parametrize("case", CASES)
def test_bad_sheet_is_refused_and_nothing_changes(existing, case):
    label, data, expected = CASES[case]
    (existing / label).write_bytes(data)
    before = snapshot(existing / "data")
    done = subprocess.run(
        [sys.executable, str(paths.ROOT / "ingest.py"), label, "--dataset", "partners", "--data-dir", str(existing / "data")],
        capture_output=True, text=True, env={**os.environ, "ATTENDANCE_ID_KEY": KEY}, cwd=existing,
    )
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[:len(expected)] == expected
    assert lines[-1] == f"nothing was imported: fix the {len(expected)} problem(s) above and run the command again."
    block = lines[len(expected):-1]
    if case in SUGGESTED:  # the lines to add to a programme file, ready to copy
        assert block[1] == "Lines to add to a programme file for the components it does not know:"
        assert block[2:5] == SUGGESTED[case]
    else:
        assert block == []
    assert done.stdout == ""
    assert snapshot(existing / "data") == before


def test_good_and_bad_sheets_together_write_nothing(existing):
    (existing / "more.csv").write_bytes(sb.csv_bytes(rows=[row(date="27/11/2025")]))
    (existing / "bad.csv").write_bytes(sb.csv_bytes(rows=[row(city="Calli")]))
    before = snapshot(existing / "data")
    done = subprocess.run(
        [sys.executable, str(paths.ROOT / "ingest.py"), "more.csv", "bad.csv", "--dataset", "partners", "--data-dir", str(existing / "data")],
        capture_output=True, text=True, env={**os.environ, "ATTENDANCE_ID_KEY": KEY}, cwd=existing,
    )
    assert done.returncode == 2
    assert done.stderr.startswith('bad.csv: row 2: Ciudad: "Calli" is not a Colombian municipality. Did you mean "Cali, Valle del Cauca"')
    assert snapshot(existing / "data") == before
