"""What an import may write, and how (security_probe.md, findings 2, 3, 10, 11, 14, 16): titles
that TOML and Markdown survive, one broken dataset never breaking the others, roles as a
controlled vocabulary, no import into the repository's folders, a key that is private and
hard to guess."""

from __future__ import annotations

import logging
import os
import tomllib

import duckdb
import pytest
from hypothesis import given, settings, strategies as st

from care_dashboard import datasets, paths, store
from care_dashboard.ingest import identity, ids, importer, reference
from care_dashboard.ingest.sheets import Source
from tests import sheet_builders as sb

KEY = b"import-guards-key-0123456789abcdef0123456789"


def imp(data_dir, name="partner", rows=sb.ROWS, **kw):
    return importer.import_sheets([Source("lista.csv", sb.csv_bytes(rows=rows))], name, data_dir=data_dir, key=KEY, **kw)


# ---- finding 2: a title with a control character broke dataset.toml for everyone -------------------

@pytest.mark.parametrize("title", ["Attendance\x7f", "a\x00b", "tab\tand\nline", 'quote " and \\ backslash', "\x1b[31mred", "emoji 🙂 ñ"])
def test_every_control_character_is_escaped_in_dataset_toml(tmp_path, title):
    """store.publish writes metadata as given (a title no import accepts, as a script could);
    the file stays TOML and the dashboard lists the dataset with its title as written."""
    imp(tmp_path)
    version = (tmp_path / "partner" / "current").resolve()
    meta = tomllib.loads((version / "dataset.toml").read_text())
    tables = {t.name: duckdb.sql(f"SELECT * FROM '{version / (t.name + '.parquet')}'").df()
              for t in store.schema.STORED_TABLES["record_level"]}
    store.publish("scripted", "record_level", tables, {**{k: v for k, v in meta.items() if k not in ("name", "kind", "version")},
                                                      "title_en": title}, tmp_path)
    found = {d.name: d for d in datasets.list_datasets(tmp_path)}
    assert found["scripted"].title_en == title and "partner" in found


def test_a_dataset_whose_metadata_fails_to_load_is_skipped_and_logged(tmp_path, caplog):
    imp(tmp_path, "good")
    imp(tmp_path, "broken")
    meta = (tmp_path / "broken" / "current").resolve() / "dataset.toml"
    meta.write_bytes(meta.read_bytes().replace(b'title_en = "', b'title_en = "\x7f'))
    (tmp_path / "nolink").mkdir()
    os.symlink("versions/missing", tmp_path / "nolink" / "current")
    datasets._warned.clear()
    with caplog.at_level(logging.WARNING):
        names = [d.name for d in datasets.list_datasets(tmp_path)]
    assert names == ["good"]
    assert "dataset 'broken'" in caplog.text and "cannot be read" in caplog.text


@pytest.mark.parametrize("title, ok", [
    ("Asistencia SST Bogotá 2025 (marzo)", True),
    ("Listas: DDHH, Barranquilla / Puerto Colombia - 2.º semestre", True),
    ("Attendance\x7f", False),
    ("line\nbreak", False),
    ("CARE 2025 report (official) http://127.0.0.1:9/login", False),
    ("see www.example.org", False),
    ("verified :material/verified:", False),
    ("a :smile: b", False),
    (":red[alarm]", False),
    ("[click](javascript:alert(1))", False),
    ("**bold**", False),
    ("<b>html</b>", False),
    ("x" * 81, False),
    ("x" * 80, True),
])
def test_titles_are_plain_short_text(title, ok):
    assert (importer.check_title(title) is None) == ok


def test_an_import_with_a_bad_title_writes_nothing(tmp_path):
    with pytest.raises(importer.ImportRefused, match="partner: title: holds a character"):
        imp(tmp_path, title="Attendance\x7f")
    assert not (tmp_path / "partner").exists()


def test_dataset_names_with_a_final_newline_are_refused():
    with pytest.raises(datasets.DatasetError):
        datasets.validate_name("abc\n")


# ---- security_probe_2.md, finding 15: a bad dataset name is a sentence, not a traceback -------------

RULE_EN = ("A dataset name has 1 to 63 lower-case letters without accents (a-z), digits and underscores (_), and "
           "starts with a letter or a digit.")
RULE_ES = ("Un nombre de conjunto tiene de 1 a 63 letras minúsculas sin tildes (a-z), dígitos y guiones bajos (_), "
           "y empieza con una letra o un dígito.")
BAD_NAMES = {
    "README.md": ("it holds capital letters", "tiene mayúsculas", "readme_md"),
    ".imports": ('it starts with "."; names starting with a dot or an underscore are kept for the dashboard\'s own files',
                 'empieza con "."; los nombres que empiezan con punto o guion bajo se reservan para los archivos '
                 "propios del tablero", "imports"),
    "_hidden": ('it starts with "_"; names starting with a dot or an underscore are kept for the dashboard\'s own files',
                'empieza con "_"; los nombres que empiezan con punto o guion bajo se reservan para los archivos '
                "propios del tablero", "hidden"),
    "x/../y": ("it is a folder path (it holds / or ..); give a name only",
               "es una ruta de carpeta (tiene / o ..); dé solo un nombre", "x_y"),
    "CARE_2025": ("it holds capital letters", "tiene mayúsculas", None),  # care_2025 is the repository's
    "care_2025 ": ("it begins or ends with a space", "empieza o termina con un espacio", None),
    "listas 2026": ("it holds a space, which a dataset name cannot hold",
                    "tiene un espacio, que un nombre de conjunto no puede tener", "listas_2026"),
    "año_2026": ('it holds "ñ", which a dataset name cannot hold', 'tiene "ñ", que un nombre de conjunto no puede tener',
                 "ano_2026"),
}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_cli_says_why_a_dataset_name_is_refused(tmp_path, name, lang):
    import subprocess
    import sys

    sheet = tmp_path / "lista.csv"
    sheet.write_bytes(sb.csv_bytes())
    done = subprocess.run([sys.executable, str(paths.ROOT / "ingest.py"), str(sheet), "--dataset", name, "--lang", lang,
                           "--data-dir", str(tmp_path / "data")], capture_output=True, text=True,
                          env={**os.environ, "ATTENDANCE_ID_KEY": KEY.decode()})
    reason_en, reason_es, suggestion = BAD_NAMES[name]
    if lang == "en":
        expected = f'ingest.py: the dataset name "{name}" cannot be used: {reason_en}. {RULE_EN}'
        expected += f" For example: {suggestion}" if suggestion else ""
        last = "nothing was imported."
    else:
        expected = f'ingest.py: el nombre de conjunto "{name}" no se puede usar: {reason_es}. {RULE_ES}'
        expected += f" Por ejemplo: {suggestion}" if suggestion else ""
        last = "no se importó nada."
    assert (done.returncode, done.stdout, done.stderr.splitlines()) == (2, "", [expected, last])
    assert not (tmp_path / "data").exists()


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(st.sampled_from("aZ9_-. /ñé\n\t"), max_size=70))
def test_a_name_is_refused_with_a_reason_exactly_when_it_is_invalid(name):
    try:
        datasets.validate_name(name)
        valid = True
    except datasets.DatasetError:
        valid = False
    problem = ids.name_problem(name)
    assert (problem is None) == valid, (name, problem)
    if problem:
        suggestion = ids.suggested_name(name)
        assert suggestion is None or (datasets.validate_name(suggestion) and suggestion not in importer.RESERVED_NAMES)


# ---- finding 10: the free-text role column stored a name and a cédula --------------------------------

def test_roles_are_a_controlled_vocabulary_never_free_text(tmp_path):
    rows = [
        ("10/04/2025", "Bogotá", "ASOREPCOL", "Ana Pérez", "52031676", "Recicladora de oficio", "SST"),
        ("10/04/2025", "Bogotá", "ASOREPCOL", "Luis Gómez", "80111222", "Representante legal", "SST"),
        ("10/04/2025", "Bogotá", "ASOREPCOL", "Marta Díaz", "1020304050", "Líder", "SST"),
        ("10/04/2025", "Bogotá", "ASOREPCOL", "Zacarías Probetano", "79814253", "Zacarías Probetano CC 79814253", "SST"),
        ("10/04/2025", "Bogotá", "ASOREPCOL", "Pedro Ruiz", "70111333", "", "SST"),
    ]
    result = imp(tmp_path, rows=rows)
    version = (tmp_path / "partner" / "current").resolve()
    roles = dict(duckdb.sql(f"SELECT role, count(*) FROM '{version / 'attendance.parquet'}' GROUP BY ALL").fetchall())
    assert roles == {"waste_picker": 1, "legal_representative": 1, "leader": 1, "other": 1, None: 1}
    assert set(roles) - {None} <= set(reference.ROLES)
    assert any("lista.csv: row 5: Rol: holds a number like a document number" in w for w in result.warnings)
    assert not any("79814253" in w or "Zacar" in w for w in result.warnings)
    for file in version.iterdir():  # neither the name nor the number anywhere (parquet is compressed: decode it)
        if file.suffix == ".parquet":
            text = duckdb.sql(f"SELECT * FROM '{file}'").df().to_csv()
            assert "79814253" not in text and "zacar" not in text.lower()


def test_the_synthetic_demo_uses_the_same_vocabulary():
    ds = datasets.load_dataset("care_2025_synthetic")
    found = {r[0] for r in duckdb.sql(f"SELECT DISTINCT role FROM '{ds.path / 'attendance.parquet'}'").fetchall()}
    assert found <= set(reference.ROLES)


# ---- finding 3: imports wrote into the public demo and the map data -----------------------------------

@pytest.mark.parametrize("name", sorted(importer.RESERVED_NAMES))
def test_the_repository_datasets_are_never_import_targets(tmp_path, name):
    with pytest.raises(importer.ImportRefused, match=f"{name}: is a dataset of the repository"):
        imp(tmp_path, name)
    assert not (tmp_path / name).exists()


def test_reserved_names_are_the_folders_the_repository_keeps_in_data():
    """.gitignore ignores /data/* but for the folders of the repository: those are the names an
    import must never write (and every other folder of data/ is ignored, so never committed)."""
    lines = (paths.ROOT / ".gitignore").read_text().splitlines()
    assert "/data/*" in lines
    kept = {line[len("!/data/"):].strip("/") for line in lines if line.startswith("!/data/") and line.endswith("/")}
    assert kept == set(importer.RESERVED_NAMES)
    assert all((paths.DATA_DIR / name).is_dir() for name in importer.RESERVED_NAMES)


def test_a_folder_no_import_made_is_refused(tmp_path):
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "boundaries.geojson").write_text("{}")
    with pytest.raises(importer.ImportRefused, match="maps: this folder of data/ was not made by an import"):
        imp(tmp_path, "maps")
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == ["boundaries.geojson"]


def test_a_dataset_written_by_another_program_is_refused(tmp_path):
    """store.publish without the import's mark (make synthetic, bench/generate.py)."""
    imp(tmp_path, "partner")
    version = (tmp_path / "partner" / "current").resolve()
    tables = {t.name: duckdb.sql(f"SELECT * FROM '{version / (t.name + '.parquet')}'").df()
              for t in store.schema.STORED_TABLES["record_level"]}
    store.publish("generated", "record_level", tables, {"title_en": "Generated", "is_synthetic": True}, tmp_path)
    with pytest.raises(importer.ImportRefused, match="generated: this folder of data/ was not made by an import"):
        imp(tmp_path, "generated")


def test_an_imported_dataset_takes_more_imports_and_carries_the_mark(tmp_path):
    imp(tmp_path, "partner")
    result = imp(tmp_path, "partner", rows=[("12/06/2025", "Bogotá", "ASOFRAIN", "P", "70111333", "", "SST")])
    meta = datasets.load_dataset("partner", tmp_path).metadata
    assert meta["imported"] is True and result.dataset_totals.sessions == 4


def test_an_import_made_before_the_mark_still_takes_more(tmp_path):
    imp(tmp_path, "old")
    meta_file = (tmp_path / "old" / "current").resolve() / "dataset.toml"
    meta_file.write_text("".join(line + "\n" for line in meta_file.read_text().splitlines() if not line.startswith("imported =")))
    assert "imported" not in datasets.load_dataset("old", tmp_path).metadata
    imp(tmp_path, "old", rows=[("12/06/2025", "Bogotá", "ASOFRAIN", "P", "70111333", "", "SST")])


# ---- finding 14: a key readable by others, or easy to guess --------------------------------------

@pytest.fixture
def key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("ATTENDANCE_ID_KEY", raising=False)
    path = tmp_path / "keys" / "attendance_id.key"
    monkeypatch.setenv("ATTENDANCE_ID_KEY_FILE", str(path))
    return path


def test_a_key_file_others_can_read_is_refused_with_the_fix(key_file, tmp_path):
    identity.make_key(data_dir=tmp_path / "data")
    assert len(identity.load_key(tmp_path / "data")) == 64
    key_file.chmod(0o644)
    with pytest.raises(identity.KeyRefused) as refused:
        identity.load_key(tmp_path / "data")
    assert str(refused.value) == (f"the key file {key_file} can be read or changed by other users (mode 0644); "
                                  f"make it readable only by you with:  chmod 600 {key_file}")
    key_file.chmod(0o600)
    identity.load_key(tmp_path / "data")


@pytest.mark.parametrize("weak", ["a" * 32, "k" * 40, "abcd" * 8, "0123456789abcdef" * 2, "ab" * 30])
def test_a_key_easy_to_guess_is_refused(weak, monkeypatch, key_file, tmp_path):
    monkeypatch.setenv("ATTENDANCE_ID_KEY", weak)
    with pytest.raises(identity.KeyRefused, match="ATTENDANCE_ID_KEY is too easy to guess.*make-key"):
        identity.load_key(tmp_path / "data")
    monkeypatch.delenv("ATTENDANCE_ID_KEY")
    key_file.parent.mkdir(exist_ok=True)
    key_file.write_text(weak)
    key_file.chmod(0o600)
    with pytest.raises(identity.KeyRefused, match="the key in .* is too easy to guess"):
        identity.load_key(tmp_path / "data")


def test_the_cli_refuses_a_weak_key_and_writes_nothing(tmp_path):
    import subprocess
    import sys

    sheet = tmp_path / "lista.csv"
    sheet.write_bytes(sb.csv_bytes())
    done = subprocess.run([sys.executable, str(paths.ROOT / "ingest.py"), str(sheet), "--dataset", "weak",
                           "--data-dir", str(tmp_path / "data")], capture_output=True, text=True,
                          env={**os.environ, "ATTENDANCE_ID_KEY": "a" * 32})
    assert done.returncode == 2 and "too easy to guess" in done.stderr
    assert not (tmp_path / "data" / "weak").exists()
