"""The embedded dataset: parquet equals its CSV source, the build checks its sources and writes
nothing on error, and nothing is invented (no per-person rows, no made-up split)."""

import shutil

import duckdb
import pytest

from care_dashboard import build, datasets, paths, schema

DATASET_DIR = paths.DATA_DIR / paths.DEFAULT_DATASET
TABLES = schema.STORED_TABLES["published_aggregate"]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_parquet_matches_source(table):
    con = duckdb.connect()
    con.execute(f"CREATE TABLE src AS {build.read_source_sql(DATASET_DIR / 'source' / (table.name + '.csv'), table)}")
    con.execute(f"CREATE TABLE pq AS SELECT * FROM read_parquet('{DATASET_DIR / (table.name + '.parquet')}')")
    assert [r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE pq)").fetchall()] == list(table.columns)
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE pq)").fetchall())
    assert types == table.columns
    assert con.execute("SELECT count(*) FROM src").fetchone() == con.execute("SELECT count(*) FROM pq").fetchone()
    assert con.execute("SELECT * FROM src EXCEPT ALL SELECT * FROM pq").fetchall() == []
    assert con.execute("SELECT * FROM pq EXCEPT ALL SELECT * FROM src").fetchall() == []


def test_rebuild_reproduces_committed_parquet(tmp_path):
    copy = tmp_path / "care_2025"
    shutil.copytree(DATASET_DIR / "source", copy / "source")
    build.build(copy)
    con = duckdb.connect()
    for table in TABLES:
        a, b = copy / f"{table.name}.parquet", DATASET_DIR / f"{table.name}.parquet"
        assert con.execute(
            f"SELECT count(*) FROM (SELECT * FROM '{a}' EXCEPT ALL SELECT * FROM '{b}')"
        ).fetchone() == (0,)


def _copy_sources(tmp_path):
    copy = tmp_path / "ds"
    shutil.copytree(DATASET_DIR / "source", copy / "source")
    return copy


@pytest.mark.parametrize(
    "table,old,new,message",
    [
        ("territory_counts", "ohs,bogota,147,7", "ohs,bogota,-147,7", "participations_count is not negative"),
        ("organisation_components", "asorepcol,ohs,took_part,,5.1", "asorepcol,ohs,maybe,,5.1", "participation_status in"),
        ("organisation_components", "asofrain,soft-skills,count_published,20", "asofrain,soft-skills,count_published,", "set exactly when status is count_published"),
        ("organisations", "asofrain,ASOFRAIN,bogota", "asofrain,ASOFRAIN,medellin", "are not in territories.csv"),
        ("territory_counts", "ohs,cajica,18,1", "ohs,bogota,18,1", "is unique"),
    ],
)
def test_build_refuses_bad_source_and_writes_nothing(tmp_path, table, old, new, message):
    copy = _copy_sources(tmp_path)
    csv = copy / "source" / f"{table}.csv"
    text = csv.read_text(encoding="utf-8")
    assert old in text
    csv.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(build.SourceError, match=message) as err:
        build.build(copy)
    assert f"{table}.csv" in str(err.value)
    assert not list(copy.glob("*.parquet"))
    assert not list(copy.glob(".build-*"))


def test_build_refuses_unreadable_value(tmp_path):
    copy = _copy_sources(tmp_path)
    csv = copy / "source" / "territory_counts.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("ohs,bogota,147", "ohs,bogota,many"), encoding="utf-8")
    with pytest.raises(build.SourceError, match="territory_counts.csv: cannot be read"):
        build.build(copy)


def test_invents_nothing():
    ds = datasets.load_dataset("care_2025")
    assert ds.kind == "published_aggregate" and not ds.has_person_keys
    con = duckdb.connect()
    datasets.attach(con, ds)
    cur = con.cursor()
    cur.execute(f"SET search_path = '{ds.schema_name}'")
    assert cur.execute("SELECT count(*) FROM attendance").fetchone() == (0,)
    # per-organisation participations exist only for soft skills
    assert cur.execute(
        "SELECT DISTINCT component_id FROM organisation_components WHERE participations_count IS NOT NULL"
    ).fetchall() == [("soft-skills",)]
    # formalisation participations are NULL, never 0
    assert cur.execute(
        "SELECT count(*) FROM participation_counts WHERE component_id = 'formalisation' AND participations_count IS NULL"
    ).fetchone() == (2,)
    assert cur.execute("SELECT count(*) FROM participation_counts WHERE participations_count = 0").fetchone() == (0,)
    # never both a territory total and organisation rows for one component and territory
    assert cur.execute(
        "SELECT component_id, territory_id FROM participation_counts GROUP BY ALL "
        "HAVING count(*) FILTER (WHERE organisation_id IS NULL) > 0 AND count(*) FILTER (WHERE organisation_id IS NOT NULL) > 0"
    ).fetchall() == []


def test_dataset_metadata_carries_citation_and_licence():
    meta = datasets.load_dataset("care_2025").metadata
    assert meta["licence"] == "CC BY-NC 4.0"
    ds = datasets.load_dataset("care_2025")
    assert "CEMPRE Colombia & ASI" in ds.text("source_citation", "en")
    assert "CEMPRE Colombia y ASI" in ds.text("source_citation", "es") and "informe" in ds.text("source_short", "es")
    assert ds.text("licence", "es") == "CC BY-NC 4.0"  # one name in both languages


def test_dataset_names_are_validated(tmp_path):
    for bad in ("../care_2025", "Care", "a b", "", "x" * 80):
        with pytest.raises(datasets.DatasetError):
            datasets.load_dataset(bad)
    with pytest.raises(datasets.DatasetError, match="no dataset.toml"):
        datasets.load_dataset("missing", tmp_path)


def test_list_datasets_puts_default_first():
    assert datasets.list_datasets()[0].name == "care_2025"


def test_data_readme_documents_every_table():
    readme = (paths.DATA_DIR / "README.md").read_text(encoding="utf-8")
    for table in schema.ALL_TABLES.values():
        assert f"`{table.name}`" in readme, table.name
        for column in table.columns:
            assert f"`{column}`" in readme, f"{table.name}.{column}"
    assert "CC BY-NC 4.0" in readme
