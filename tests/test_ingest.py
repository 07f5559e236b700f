"""Import of sign-in sheets: given a sheet, expect the summary; bad sheets are refused with every
problem named and nothing written; the same sheet twice doubles nothing; nothing personal is stored."""

import os
import re
import subprocess
import sys

import duckdb
import pytest

from care_dashboard import datasets, paths, store
from care_dashboard.ingest import identity, importer
from care_dashboard.ingest.sheets import Source
from tests import sheet_builders as sb
from tests.conftest import Runner

KEY = b"test-key-0123456789abcdef0123456789abcdef"
SUMMARY = re.compile(r"^(\d+) participations, (\d+) distinct people, (\d+) organisations, (\d+) sessions$")


def run_import(tmp_path, sources, dataset="sheets", **kw):
    return importer.import_sheets(sources, dataset, data_dir=tmp_path, key=KEY, **kw)


def counts(result):
    s = result.summary
    return s.participations, s.participants, s.organisations, s.sessions


# ---- given a sheet, expect the summary --------------------------------------------------------

@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_csv_in_each_encoding_and_separator(tmp_path, sep, encoding):
    result = run_import(tmp_path, [Source("lista.csv", sb.csv_bytes(sep=sep, encoding=encoding))])
    assert counts(result) == (5, 3, 2, 3)
    assert SUMMARY.match(result.summary.line())
    assert any("signed twice" in w and "lista.csv: row 4" in w for w in result.warnings)
    assert "lista.csv: row 6: no document number: counted as participations, not as people" in result.warnings


def test_csv_with_title_rows_keeps_spreadsheet_row_numbers(tmp_path):
    data = sb.csv_bytes(title_rows=[("LISTA DE ASISTENCIA",), ("",)])
    result = run_import(tmp_path, [Source("lista.csv", data)])
    assert counts(result) == (5, 3, 2, 3)
    assert any("lista.csv: row 6: the same document number signed twice" in w for w in result.warnings)


def test_english_headers(tmp_path):
    header = ["Date", "City", "Organization", "Full name", "ID number", "Role", "Topic"]
    result = run_import(tmp_path, [Source("list.csv", sb.csv_bytes(header=header, sep=","))])
    assert counts(result) == (5, 3, 2, 3)


def test_xlsx_with_title_rows_and_mixed_date_cells(tmp_path):
    result = run_import(tmp_path, [Source("asistencia.xlsx", sb.xlsx_bytes(sb.XLSX_ROWS))])
    # one session (soft skills, 18/11/2025, Barranquilla) holds rows 5-7; 19/11 Puerto Colombia another
    assert counts(result) == (4, 3, 3, 2)
    att = store.current_tables("sheets", tmp_path)["attendance"]
    assert sorted(set(att["session_id"])) == ["soft-skills/2025-11-18/barranquilla", "soft-skills/2025-11-19/puerto-colombia"]
    orgs = store.current_tables("sheets", tmp_path)["organisations"]
    assert set(orgs["organisation_name"]) == {"FENACICLAR", "METRORECICLAR", "Asociación Costa Limpia"}


def test_xlsx_errors_use_the_sheets_own_row_numbers(tmp_path):
    rows = list(sb.XLSX_ROWS) + [("32/13/2025", "Barranquilla", "FENACICLAR", "X Y", "", "", "Bienestar")]
    with pytest.raises(importer.ImportRefused) as err:
        run_import(tmp_path, [Source("asistencia.xlsx", sb.xlsx_bytes(rows))])
    # two title rows, an empty row, the header on row 4, data on rows 5-9
    assert err.value.problems == ['asistencia.xlsx: row 9: Fecha: "32/13/2025" is not a date; write it day first, as 18/11/2025']


def test_imported_dataset_feeds_the_same_queries(tmp_path):
    run_import(tmp_path, [Source("lista.csv", sb.csv_bytes())])
    r = Runner(datasets.load_dataset("sheets", tmp_path))
    people = r.one("distinct_people")
    assert people["method_id"] == "person_keys"
    assert people["people_exact_count"] == 3 and people["records_without_person_key_count"] == 1
    cov = r("coverage_by_territory").set_index("component_id")
    assert cov.loc["ohs", "participations_count"] == 2
    assert cov.loc["human-rights", "participations_count"] == 2
    assert cov.loc["human-rights", "organisations_count"] == 2
    assert r.one("total_participations")["participations_count"] == 5


# ---- merging, re-importing, replacing ---------------------------------------------------------

def test_same_sheet_again_doubles_nothing(tmp_path):
    first = run_import(tmp_path, [Source("lista.csv", sb.csv_bytes())])
    again = run_import(tmp_path, [Source("lista.csv", sb.csv_bytes())])
    assert again.dataset_totals == first.dataset_totals and again.path is None  # nothing written
    assert "lista.csv: was imported into sheets before; not read again" in again.warnings
    twice = run_import(tmp_path, [Source("a.csv", sb.csv_bytes()), Source("b.csv", sb.csv_bytes())], dataset="twice")
    assert counts(twice) == (5, 3, 2, 3)
    assert any("b.csv: the same file as a.csv; read once" in w for w in twice.warnings)


def test_new_sheets_add_to_the_dataset(tmp_path):
    run_import(tmp_path, [Source("lista.csv", sb.csv_bytes())])
    result = run_import(tmp_path, [Source("asistencia.xlsx", sb.xlsx_bytes(sb.XLSX_ROWS))])
    assert result.dataset_totals.participations == 5 + 4
    assert result.dataset_totals.participants == 3 + 3
    replaced = run_import(tmp_path, [Source("asistencia.xlsx", sb.xlsx_bytes(sb.XLSX_ROWS))], replace=True)
    assert replaced.dataset_totals.participations == 4


def test_other_key_is_refused_when_merging(tmp_path):
    run_import(tmp_path, [Source("lista.csv", sb.csv_bytes())])
    with pytest.raises(importer.ImportRefused, match="another pseudonymisation key"):
        importer.import_sheets([Source("lista.csv", sb.csv_bytes())], "sheets", data_dir=tmp_path, key=b"x" * 40)


def test_same_person_same_key_across_imports(tmp_path):
    run_import(tmp_path, [Source("lista.csv", sb.csv_bytes())])
    att = store.current_tables("sheets", tmp_path)["attendance"]
    assert identity.person_key("52031676", KEY) in set(att["person_key"])


def test_embedded_dataset_name_is_refused(tmp_path):
    (tmp_path / "care_2025").mkdir()
    (tmp_path / "care_2025" / "dataset.toml").write_text('kind = "published_aggregate"\n')
    with pytest.raises(importer.ImportRefused, match="is a dataset of the repository"):
        run_import(tmp_path, [Source("lista.csv", sb.csv_bytes())], dataset="care_2025")


# ---- the key ------------------------------------------------------------------------------------

def test_make_key_is_private_and_never_overwritten(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_ID_KEY_FILE", str(tmp_path / "keys" / "k.key"))
    monkeypatch.delenv("ATTENDANCE_ID_KEY", raising=False)
    path = identity.make_key(data_dir=tmp_path / "data")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert len(identity.load_key(tmp_path / "data")) == 64
    with pytest.raises(FileExistsError):
        identity.make_key(data_dir=tmp_path / "data")


def test_key_file_inside_data_is_refused(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "k.key").write_text("a" * 64)
    monkeypatch.setenv("ATTENDANCE_ID_KEY_FILE", str(tmp_path / "data" / "k.key"))
    monkeypatch.delenv("ATTENDANCE_ID_KEY", raising=False)
    with pytest.raises(identity.KeyMissing, match="inside"):
        identity.load_key(tmp_path / "data")


def test_missing_key_says_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_ID_KEY_FILE", str(tmp_path / "nope.key"))
    monkeypatch.delenv("ATTENDANCE_ID_KEY", raising=False)
    with pytest.raises(identity.KeyMissing, match=r"python ingest.py --make-key"):
        importer.import_sheets([Source("lista.csv", sb.csv_bytes())], "sheets", data_dir=tmp_path)
    assert not (tmp_path / "sheets").exists()


# ---- the command line ---------------------------------------------------------------------------

def cli(args, tmp_path, key=KEY.decode()):  # noqa: B008 - a str, made once and never changed
    env = {**os.environ, "ATTENDANCE_ID_KEY": key} if key else {k: v for k, v in os.environ.items() if k != "ATTENDANCE_ID_KEY"}
    if not key:
        env["ATTENDANCE_ID_KEY_FILE"] = str(tmp_path / "no.key")
    return subprocess.run([sys.executable, str(paths.ROOT / "ingest.py"), *args, "--data-dir", str(tmp_path / "data")],
                          capture_output=True, text=True, env=env, cwd=paths.ROOT)


def test_cli_success_prints_the_summary_line_first(tmp_path):
    sheet = tmp_path / "lista.csv"
    sheet.write_bytes(sb.csv_bytes())
    done = cli([str(sheet), "--dataset", "cli_demo"], tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "imported 5 participations, 3 distinct people, 2 organisations, 3 sessions"
    assert all(line.startswith("warning: ") for line in lines[1:])


def test_cli_without_key_exits_2_with_instructions(tmp_path):
    sheet = tmp_path / "lista.csv"
    sheet.write_bytes(sb.csv_bytes())
    done = cli([str(sheet), "--dataset", "cli_demo"], tmp_path, key=None)
    assert done.returncode == 2
    assert "python ingest.py --make-key" in done.stderr
    assert not (tmp_path / "data" / "cli_demo").exists()


def test_cli_missing_file(tmp_path):
    done = cli([str(tmp_path / "nope.csv"), "--dataset", "cli_demo"], tmp_path)
    assert done.returncode == 2
    assert f"{tmp_path / 'nope.csv'}: row 1: (file): cannot be read (No such file or directory); check the path" in done.stderr


# ---- personal data never reaches disk or output ---------------------------------------------------

def _all_text_written(folder, skip=lambda path: False):
    """Raw bytes of every file, plus every string cell of every parquet file (compressed on disk)."""
    chunks = []
    con = duckdb.connect()
    for path in folder.rglob("*"):
        if path.is_file() and not skip(path):
            chunks.append(path.read_bytes().decode("latin-1"))
            if path.suffix == ".parquet":
                df = con.execute(f"SELECT * FROM read_parquet('{path}')").df()
                chunks += [str(v) for col in df.columns for v in df[col].tolist()]
    return "\n".join(chunks)


def _forbidden(names, documents):
    variants = set()
    for d in documents:
        variants |= {d, f"{int(d):,}".replace(",", "."), f"CC {d}"}
    for n in names:
        variants |= {n, n.upper(), n.lower(), *[part for part in n.split() if len(part) > 3]}
    return variants


def test_no_name_or_document_number_is_written(tmp_path, capsys):
    sheet = tmp_path / "in" / "lista.csv"
    sheet.parent.mkdir()
    sheet.write_bytes(sb.csv_bytes())
    xlsx = tmp_path / "in" / "asistencia.xlsx"
    xlsx.write_bytes(sb.xlsx_bytes(sb.XLSX_ROWS))
    done = cli([str(sheet), str(xlsx), "--dataset", "scan_me"], tmp_path)
    assert done.returncode == 0, done.stderr
    bad = tmp_path / "in" / "mala.csv"
    bad.write_bytes(sb.csv_bytes(rows=[("31/02/2025", "Bogotá", "ASOREPCOL", "Ana Pérez Quintero", "5.2E+07", "", "SST")]))
    refused = cli([str(bad), "--dataset", "scan_me"], tmp_path)
    assert refused.returncode == 2
    written = _all_text_written(tmp_path / "data")
    output = done.stdout + done.stderr + refused.stdout + refused.stderr
    for value in _forbidden(sb.NAMES + sb.XLSX_NAMES, sb.DOCUMENTS + sb.XLSX_DOCUMENTS + ["52000000"]):
        assert value not in written, f"{value!r} reached data/"
        assert value not in output, f"{value!r} reached the output"


def test_repository_data_folder_holds_no_personal_data():
    """Every file under the project's data/ (committed or generated) is free of the test people.
    The gazetteer's place names (data/geo/municipalit*.csv: "San Pedro de los Milagros") are public
    reference data that share words with people's names, so they are left out of the scan."""
    written = _all_text_written(paths.DATA_DIR, skip=lambda p: p.parent.name == "geo" and p.name.startswith("municipalit"))
    for value in _forbidden(sb.NAMES + sb.XLSX_NAMES, sb.DOCUMENTS + sb.XLSX_DOCUMENTS):
        assert value not in written
