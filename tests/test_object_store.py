"""The dataset store (CARE_DATA_URL): datasets exported in the object-store layout
(scripts/export_to_store.py) to a local folder are listed beside data/'s and give exactly the same
figures as the datasets they were exported from, through the same DuckDB code that reads s3://."""

import importlib.util
import logging
import shutil

import duckdb
import pytest
from pandas.testing import assert_frame_equal

from care_dashboard import datasets, paths, queries, schema, settings, synthetic
from tests.apptest_helpers import PAGES, metric_values, open_page

SYNTHETIC = synthetic.NAME  # record-level, with rollup files
PUBLISHED = paths.DEFAULT_DATASET  # published aggregate

_spec = importlib.util.spec_from_file_location("export_to_store", paths.ROOT / "scripts" / "export_to_store.py")
export_to_store = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(export_to_store)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Both embedded datasets exported, attendance partitioned by component and year."""
    root = tmp_path_factory.mktemp("store")
    for name in (SYNTHETIC, PUBLISHED):
        assert export_to_store.main([name, str(root), "--partition-by", "component_id,year"]) == 0
    return root


@pytest.fixture
def only_published_here(tmp_path, monkeypatch):
    """data/ holding only the embedded published dataset (and the map's boundaries)."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(paths.DATA_DIR / PUBLISHED, data / PUBLISHED)
    (data / "geo").symlink_to(paths.DATA_DIR / "geo")
    monkeypatch.setattr(paths, "DATA_DIR", data)
    return data


def store_dataset(url, name):
    [found] = [d for d in datasets.store_datasets(str(url)) if d.name == name]
    return found


def attached(dataset):
    con = duckdb.connect()
    datasets.attach(con, dataset)
    return con


def write_text(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# ---- the export ------------------------------------------------------------------------------

def test_export_writes_the_object_store_layout(store):
    synthetic_files = sorted(p.relative_to(store / SYNTHETIC).as_posix() for p in (store / SYNTHETIC).rglob("*.parquet"))
    assert synthetic_files == [
        "attendance/component_id=formalisation/year=2025/data_0.parquet",
        "attendance/component_id=human-rights/year=2025/data_0.parquet",
        "attendance/component_id=ohs/year=2025/data_0.parquet",
        "attendance/component_id=soft-skills/year=2025/data_0.parquet",
        "components.parquet", "organisation_people.parquet", "organisations.parquet",
        "participation_counts.parquet", "people_masks.parquet", "people_sets.parquet", "people_spread.parquet",  # rollups
        "territories.parquet", "territory_people.parquet",
    ]
    assert sorted(p.name for p in (store / PUBLISHED).iterdir()) == sorted(
        ["dataset.toml", *(f"{t.name}.parquet" for t in schema.STORED_TABLES["published_aggregate"])])
    local = datasets.load_dataset(SYNTHETIC)
    assert (store / SYNTHETIC / "dataset.toml").read_bytes() == (local.path / "dataset.toml").read_bytes()
    assert sorted(p.name for p in store.iterdir()) == [PUBLISHED, SYNTHETIC]  # no temporary folder left


def test_export_refuses_an_unknown_partition_column(tmp_path, capsys):
    assert export_to_store.main([SYNTHETIC, str(tmp_path), "--partition-by", "component_id,month"]) == 2
    assert "cannot partition attendance by ['month']" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_failed_export_leaves_the_earlier_export_untouched(tmp_path, monkeypatch):
    first = export_to_store.export(PUBLISHED, tmp_path)
    before = sorted((p.relative_to(tmp_path).as_posix(), p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file())

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export_to_store.shutil, "copyfile", boom)  # dataset.toml, the last file written
    with pytest.raises(OSError, match="disk full"):
        export_to_store.export(PUBLISHED, tmp_path)
    after = sorted((p.relative_to(tmp_path).as_posix(), p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file())
    assert after == before and first == tmp_path / PUBLISHED


# ---- the setting -----------------------------------------------------------------------------

def test_setting_accepts_a_folder_and_object_stores_and_refuses_https(monkeypatch, tmp_path):
    monkeypatch.delenv("CARE_DATA_URL", raising=False)
    assert settings.data_url() is None
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CARE_DATA_URL", "store")
    assert settings.data_url() == str(tmp_path / "store")
    monkeypatch.setenv("CARE_DATA_URL", "s3://bucket/care/")
    assert settings.data_url() == "s3://bucket/care"
    monkeypatch.setenv("CARE_DATA_URL", "gs://bucket/care")
    assert settings.data_url() == "gs://bucket/care"
    monkeypatch.setenv("CARE_DATA_URL", "https://example.org/care")
    with pytest.raises(ValueError, match="cannot list its files"):
        settings.data_url()


def test_unset_setting_reads_no_store(store, only_published_here, monkeypatch):
    monkeypatch.delenv("CARE_DATA_URL", raising=False)

    def no_store(*args, **kwargs):
        raise AssertionError("the store was read")

    monkeypatch.setattr(datasets, "_store_connection", no_store)
    assert [d.name for d in datasets.list_datasets()] == [PUBLISHED]
    with pytest.raises(datasets.DatasetError, match="no dataset.toml"):
        datasets.load_dataset(SYNTHETIC)


def test_store_datasets_are_listed_beside_data_and_a_clashing_name_is_skipped(store, only_published_here, monkeypatch, caplog):
    monkeypatch.setenv("CARE_DATA_URL", str(store))
    with caplog.at_level(logging.WARNING, logger="care_dashboard.datasets"):
        listed = datasets.list_datasets()
    assert [(d.name, d.in_store) for d in listed] == [(PUBLISHED, False), (SYNTHETIC, True)]  # default first
    assert listed[0].path == only_published_here / PUBLISHED  # data/'s, not the store's copy
    assert listed[1].path == f"{store}/{SYNTHETIC}" and listed[1].kind == "record_level" and listed[1].is_synthetic
    assert listed[1].metadata["version"] == datasets.load_dataset(SYNTHETIC, paths.ROOT / "data").metadata["version"]
    assert any(f"dataset '{PUBLISHED}' of {store} is skipped" in r.getMessage() and "same name" in r.getMessage()
               for r in caplog.records)
    assert datasets.load_dataset(SYNTHETIC).in_store  # by name too, when data/ lacks it


def test_a_local_store_needs_no_httpfs(store, only_published_here, monkeypatch):
    def remote(*args, **kwargs):
        raise AssertionError("httpfs set up for a local folder")

    monkeypatch.setattr(datasets, "configure_remote", remote)
    monkeypatch.setenv("CARE_DATA_URL", str(store))
    [ds] = [d for d in datasets.list_datasets() if d.in_store]
    attached(ds).close()


def test_folders_that_are_not_datasets_are_ignored(tmp_path, store, only_published_here, monkeypatch, caplog):
    root = tmp_path / "store"
    shutil.copytree(store / SYNTHETIC, root / SYNTHETIC)
    shutil.copytree(store / SYNTHETIC, root / "no_toml")
    (root / "no_toml" / "dataset.toml").unlink()
    shutil.copytree(store / SYNTHETIC, root / "bad_kind")
    write_text(root / "bad_kind" / "dataset.toml", 'kind = "spreadsheet"\n')
    shutil.copytree(store / SYNTHETIC, root / "no_attendance")
    shutil.rmtree(root / "no_attendance" / "attendance")
    shutil.copytree(store / SYNTHETIC, root / "Bad-Name")
    monkeypatch.setenv("CARE_DATA_URL", str(root))
    with caplog.at_level(logging.WARNING, logger="care_dashboard.datasets"):
        assert [d.name for d in datasets.list_datasets()] == [PUBLISHED, SYNTHETIC]
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "'bad_kind'" in messages and "kind must be one of" in messages
    assert "'no_attendance'" in messages and "no parquet files for attendance" in messages
    assert "no_toml" not in messages  # no dataset.toml: not a dataset, nothing to warn about


def test_same_files_same_schema_a_new_export_a_new_schema(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(datasets.load_dataset(SYNTHETIC).path, data / SYNTHETIC)  # a flat copy of the version
    root = tmp_path / "store"
    export_to_store.export(SYNTHETIC, root, data)
    first = store_dataset(root, SYNTHETIC)
    assert store_dataset(root, SYNTHETIC).schema_name == first.schema_name  # stable while nothing changes

    toml = data / SYNTHETIC / "dataset.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(first.metadata["version"], "20270101T000000Z-abcdef"),
                    encoding="utf-8")
    export_to_store.export(SYNTHETIC, root, data)
    second = store_dataset(root, SYNTHETIC)
    assert second.metadata["version"] == "20270101T000000Z-abcdef"
    assert second.schema_name != first.schema_name

    export_to_store.export(SYNTHETIC, root, data, partition_by=("component_id",))  # same version, other files
    third = store_dataset(root, SYNTHETIC)
    assert third.metadata["version"] == second.metadata["version"]
    assert dict(third.store_files)["attendance"] != dict(second.store_files)["attendance"]
    assert third.schema_name not in (first.schema_name, second.schema_name)


def test_remote_listing_is_kept_for_a_while(tmp_path, store, monkeypatch):
    """An object store is listed at most once a minute (dashboard.py lists at every rerun)."""
    root = tmp_path / "store"
    shutil.copytree(store / PUBLISHED, root / PUBLISHED)
    monkeypatch.setattr(datasets, "is_remote", lambda url: True)
    monkeypatch.setattr(datasets, "configure_remote", lambda con, url: None)
    monkeypatch.setattr(datasets, "_listing_cache", {})
    assert [d.name for d in datasets.store_datasets(str(root))] == [PUBLISHED]
    shutil.copytree(store / SYNTHETIC, root / SYNTHETIC)
    assert [d.name for d in datasets.store_datasets(str(root))] == [PUBLISHED]
    monkeypatch.setattr(datasets, "REMOTE_LISTING_TTL_S", 0.0)
    assert [d.name for d in datasets.store_datasets(str(root))] == [PUBLISHED, SYNTHETIC]


# ---- the same figures ------------------------------------------------------------------------

NO_FILTER = {"components": None, "territories": None, "organisations": None}
ORGANISATION_FILTER = {"components": None, "territories": ["bogota"], "organisations": ["asorepcol", "unnamed-bogota-2"]}


@pytest.mark.parametrize("name", [PUBLISHED, SYNTHETIC])
@pytest.mark.parametrize("filters", [NO_FILTER, ORGANISATION_FILTER], ids=["no_filter", "territory_and_organisation"])
@pytest.mark.parametrize("min_people", [1, 5])
def test_every_named_query_gives_the_same_frame_on_the_store_copy(store, name, filters, min_people):
    local = datasets.load_dataset(name)
    copy = store_dataset(store, name)
    assert copy.in_store and copy.kind == local.kind and copy.schema_name != local.schema_name
    cons = {"local": attached(local), "store": attached(copy)}
    names = queries.all_names()
    assert len(names) >= 15
    with_rows = 0
    for query in names:
        wanted = {**filters, "min_people": min_people}
        params = {k: v for k, v in wanted.items() if k in queries.get(query).params}
        want = queries.run(cons["local"], local.schema_name, query, params)
        got = queries.run(cons["store"], copy.schema_name, query, params)
        assert_frame_equal(got, want, check_exact=True, obj=f"{name}: {query} {params}")
        with_rows += not want.empty
    assert with_rows >= len(names) - 3  # the figures compared are real ones, not empty frames


def test_store_tables_have_the_schema_columns_and_types_and_the_same_rows(store):
    local, copy = datasets.load_dataset(SYNTHETIC), store_dataset(store, SYNTHETIC)
    con_local, con_store = attached(local), attached(copy)
    rows = {}
    for table in (*schema.STORED_TABLES["record_level"], *schema.ROLLUP_TABLES["record_level"]):
        described = con_store.execute(f'DESCRIBE "{copy.schema_name}"."{table.name}"').fetchall()
        assert [(r[0], r[1]) for r in described] == list(table.columns.items()), table.name  # no year
        order = ", ".join(f'"{c}"' for c in table.columns)
        want = con_local.execute(f'SELECT * FROM "{local.schema_name}"."{table.name}" ORDER BY {order}').df()
        got = con_store.execute(f'SELECT * FROM "{copy.schema_name}"."{table.name}" ORDER BY {order}').df()
        assert_frame_equal(got, want, check_exact=True, obj=table.name)
        rows[table.name] = len(got)
    assert rows["attendance"] == 825 and rows["participation_counts"] > 0 and rows["people_sets"] > 0


def test_partition_columns_come_back_with_the_schema_types(tmp_path):
    """Partition values are text in folder names: a date and an id read back as DATE and VARCHAR."""
    export_to_store.export(SYNTHETIC, tmp_path, partition_by=("session_date", "territory_id"))
    local, copy = datasets.load_dataset(SYNTHETIC), store_dataset(tmp_path, SYNTHETIC)
    assert any("/session_date=2025-" in f for f in dict(copy.store_files)["attendance"])
    con = attached(copy)
    described = con.execute(f'DESCRIBE "{copy.schema_name}".attendance').fetchall()
    assert [(r[0], r[1]) for r in described] == list(schema.ATTENDANCE.columns.items())
    order = ", ".join(schema.ATTENDANCE.columns)
    want = attached(local).execute(f'SELECT * FROM "{local.schema_name}".attendance ORDER BY {order}').df()
    got = con.execute(f'SELECT * FROM "{copy.schema_name}".attendance ORDER BY {order}').df()
    assert_frame_equal(got, want, check_exact=True)


def test_without_rollup_files_the_store_copy_computes_them(tmp_path, store):
    shutil.copytree(store / SYNTHETIC, tmp_path / SYNTHETIC)
    for rollup in schema.ROLLUP_TABLES["record_level"]:
        (tmp_path / SYNTHETIC / f"{rollup.name}.parquet").unlink()
    bare, full = store_dataset(tmp_path, SYNTHETIC), store_dataset(store, SYNTHETIC)
    assert "people_sets" not in dict(bare.store_files)
    con_bare, con_full = attached(bare), attached(full)
    views = dict(con_bare.execute("SELECT view_name, sql FROM duckdb_views() WHERE schema_name = ?",
                                  [bare.schema_name]).fetchall())
    assert "people_sets.parquet" not in views["people_sets"] and "attendance" in views["people_sets"]
    for query in ("distinct_people", "component_overlaps", "people_by_organisation"):
        params = {k: v for k, v in {**NO_FILTER, "min_people": 1}.items() if k in queries.get(query).params}
        assert_frame_equal(queries.run(con_bare, bare.schema_name, query, params),
                           queries.run(con_full, full.schema_name, query, params), check_exact=True)


def test_with_rollups_no_named_query_reads_attendance(tmp_path, store):
    """The dashboard reads the small rollup files; the attendance records could be gone."""
    shutil.copytree(store / SYNTHETIC, tmp_path / SYNTHETIC)
    copy = store_dataset(tmp_path, SYNTHETIC)
    con = attached(copy)
    shutil.rmtree(tmp_path / SYNTHETIC / "attendance")
    for filters in (NO_FILTER, ORGANISATION_FILTER):
        for query in queries.all_names():
            params = {k: v for k, v in {**filters, "min_people": 5}.items() if k in queries.get(query).params}
            queries.run(con, copy.schema_name, query, params)  # raises if a query read attendance
    with pytest.raises(duckdb.Error):
        con.execute(f'SELECT count(*) FROM "{copy.schema_name}".attendance').fetchall()


# ---- the pages -------------------------------------------------------------------------------

@pytest.mark.parametrize("page", [*PAGES, "present"])
def test_pages_run_on_a_store_dataset(store, only_published_here, monkeypatch, page):
    monkeypatch.setenv("CARE_DATA_URL", str(store))
    at = open_page("overview", dataset=SYNTHETIC)
    at.switch_page(str(paths.ROOT / PAGES.get(page, f"pages/{page}.py")))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.radio(key="dataset").value == SYNTHETIC
    assert at.title[0].value
    if page == "present":  # on a slide, beside every figure instead of a banner
        assert any("Synthetic data: never quote" in m.value for m in at.markdown)
    else:
        assert any("synthetic" in w.value.lower() for w in at.warning)  # the synthetic banner


def test_overview_figures_on_the_store_copy_equal_those_of_data(store, only_published_here, monkeypatch):
    monkeypatch.setenv("CARE_DATA_URL", str(store))
    from_store = metric_values(open_page("overview", dataset=SYNTHETIC, territory=["barranquilla"]))
    monkeypatch.setattr(paths, "DATA_DIR", paths.ROOT / "data")
    monkeypatch.delenv("CARE_DATA_URL")
    from_data = metric_values(open_page("overview", dataset=SYNTHETIC, territory=["barranquilla"]))
    assert from_store == from_data and from_store["Participations"] not in ("", "0")
