"""Every row of a sheet is read, or the import says why not (security_probe_2.md, findings 12
and 15): a workbook whose <dimension> understates its rows, a row limit that counted the header,
and formulas saved without their values."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from care_dashboard import paths
from care_dashboard.ingest import importer, sheets
from care_dashboard.ingest.limits import Budget, LimitExceeded, Limits
from care_dashboard.ingest.sheets import Source
from tests import hostile_sheets as hs, sheet_builders as sb

KEY = b"whole-sheets-key-0123456789abcdef0123456789"
KEY_TEXT = KEY.decode()


def people(n: int, first: int = 52_031_600):
    """``n`` rows of one session, each a different person."""
    return [("10/04/2025", "Bogotá", "ASOREPCOL", "Persona de prueba", str(first + i), "Recicladora", "SST")
            for i in range(n)]


# ---- finding 12: the declared dimension cuts nothing ------------------------------------------

@pytest.mark.parametrize("ref", ["A1:G2", "A1", "C3:D4", "A1:B11"])
def test_rows_past_the_declared_dimension_are_read(ref):
    [sheet] = sheets.read(Source("corta.xlsx", hs.understated_dimension(people(10), ref)))
    assert sheet.header_row == 1
    assert [number for number, _ in sheet.rows] == list(range(2, 12))
    assert [cells["document"] for _, cells in sheet.rows] == [str(52_031_600 + i) for i in range(10)]
    assert sheet.rows[-1][1]["component"] == "SST"  # every column, not only the declared ones


def test_an_understated_workbook_imports_every_row_through_the_command_line(tmp_path):
    """The probe's case: 10 data rows under <dimension ref="A1:G2"/> imported "1 participations"
    with exit 0."""
    sheet = tmp_path / "corta.xlsx"
    sheet.write_bytes(hs.understated_dimension(people(10)))
    done = subprocess.run([sys.executable, str(paths.ROOT / "ingest.py"), str(sheet), "--dataset", "corta",
                           "--data-dir", str(tmp_path / "data")],
                          capture_output=True, text=True, env={**os.environ, "ATTENDANCE_ID_KEY": KEY_TEXT})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == ("imported 10 participations, 10 distinct people, 1 organisations, "
                                           "1 sessions")


# ---- finding 15: the row limit counts rows of attendance, not the header ----------------------

def test_exactly_the_row_limit_of_data_rows_is_read():
    """100,000 rows under a header (the default limit) are read; the header is not a row."""
    data = sb.csv_bytes(rows=people(100_000))
    [sheet] = sheets.read(Source("grande.csv", data), Budget())
    assert len(sheet.rows) == 100_000 and sheet.rows[-1][0] == 100_001


def test_one_row_over_the_limit_is_refused_at_its_own_row():
    with pytest.raises(LimitExceeded) as refused:
        sheets.read(Source("grande.csv", sb.csv_bytes(rows=people(101))), Budget(Limits(max_rows=100)))
    assert refused.value.problems == [
        "grande.csv: this import has more than 100 rows under their headers (reading stopped at row 102). Nothing "
        "was imported: sign-in sheets are shorter; split the sheets and import them in parts of at most 100 rows."]
    assert refused.value.text("es").startswith(
        "grande.csv: esta importación tiene más de 100 filas bajo sus encabezados (la lectura se detuvo en la fila 102).")


def test_title_lines_and_headers_of_every_sheet_are_not_counted():
    """Two workbooks with title lines above their headers: 50 data rows each fill a limit of 100;
    one more row is refused, at the spreadsheet row it is on."""
    budget = Budget(Limits(max_rows=100))
    for name in ("a.xlsx", "b.xlsx"):
        [sheet] = sheets.read(Source(name, sb.xlsx_bytes(people(50))), budget)
        assert sheet.header_row == 4 and len(sheet.rows) == 50
    with pytest.raises(LimitExceeded) as refused:
        sheets.read(Source("c.xlsx", sb.xlsx_bytes(people(1))), budget)
    assert refused.value.values["row"] == 5  # title, subtitle, blank line, header, then the row


# ---- finding 15: formulas saved without their values --------------------------------------------

def test_a_formula_without_its_saved_value_is_named_as_such(tmp_path):
    data = hs.formulas_without_values(sb.ROWS, columns=(2,))
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sheets([Source("formulas.xlsx", data)], "formulas", data_dir=tmp_path / "data", key=KEY)
    assert refused.value.problems == [
        "formulas.xlsx: rows 2–7: Organización: holds a formula whose result was not saved in the file, so there is "
        "no value to read (the file was made by a program that does not calculate formulas). Open the file in Excel "
        "or LibreOffice and save it again, or replace the formulas by their values (copy, then paste special: values "
        "only), and import it again"]
    assert refused.value.problems[0].text("es").startswith(
        "formulas.xlsx: filas 2–7: Organización: tiene una fórmula cuyo resultado no se guardó en el archivo")
    assert not (tmp_path / "data" / "formulas").exists()
    from care_dashboard.ingest.normalise import UnsavedFormula

    [sheet] = sheets.read(Source("formulas.xlsx", data))
    assert all(isinstance(cells["organisation"], UnsavedFormula) for _, cells in sheet.rows)


def test_a_row_of_formulas_only_is_not_taken_for_an_empty_line(tmp_path):
    """Every cell a formula without its value: the rows are named, not skipped as empty lines."""
    data = hs.formulas_without_values(sb.ROWS[:3], columns=tuple(range(7)))
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sheets([Source("todo.xlsx", data)], "todo", data_dir=tmp_path / "data", key=KEY, isolated=False)
    columns = [(p.rows, p.column, p.key) for p in refused.value.problems]
    assert columns == [((2, 3, 4), column, "formula_unsaved")
                       for column in ("Fecha", "Ciudad", "Organización", "Componente", "Cédula")]


def test_formulas_with_their_saved_values_are_read(tmp_path):
    data = hs.formulas_without_values(sb.ROWS, columns=(2,), cached={2: "ASOREPCOL"})
    result = importer.import_sheets([Source("calculado.xlsx", data)], "calculado", data_dir=tmp_path / "data", key=KEY)
    assert result.summary.participations == 5 and result.summary.organisations == 1


def test_a_formula_with_an_empty_result_in_a_calculated_workbook_is_an_empty_cell(tmp_path):
    """Excel saves a formula whose result is "" (=IF(A2="";"";A2)) with an empty value: in a
    workbook whose other formulas have their values, that cell is empty, not "not calculated"."""
    data = hs.formulas_without_values(sb.ROWS, columns=(2, 6), cached={2: "ASOREPCOL"})
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sheets([Source("vacio.xlsx", data)], "vacio", data_dir=tmp_path / "data", key=KEY, isolated=False)
    assert refused.value.problems == ["vacio.xlsx: rows 2–7: Componente: is empty; write the component of the session"]


def test_a_workbook_without_formulas_is_read_once(monkeypatch):
    """The second reading, for formulas, happens only for a workbook whose XML holds one."""
    opened = []
    real = sheets.openpyxl.load_workbook
    monkeypatch.setattr(sheets.openpyxl, "load_workbook", lambda *a, **kw: opened.append(kw["data_only"]) or real(*a, **kw))
    sheets.read(Source("valores.xlsx", sb.xlsx_bytes(sb.XLSX_ROWS)))
    assert opened == [True]
    sheets.read(Source("formulas.xlsx", hs.formulas_without_values(sb.ROWS)))
    assert opened == [True, True, False]
