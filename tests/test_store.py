"""Publishing a dataset: atomic switch of the current version, nothing half written, nothing lost."""

import pandas as pd
import pytest

from care_dashboard import datasets, schema, store
from tests import fixtures


def record_tables(n_records=6):
    cols = {t: list(schema.ALL_TABLES[t].columns) for t in fixtures.RECORD_TABLES}
    tables = {t: pd.DataFrame(rows, columns=cols[t]) for t, rows in fixtures.RECORD_TABLES.items()}
    tables["attendance"] = tables["attendance"].head(n_records)
    return tables


def test_publish_then_replace(tmp_path):
    first = store.publish("demo", "record_level", record_tables(6), {"title_en": "Demo"}, tmp_path)
    ds = datasets.load_dataset("demo", tmp_path)
    assert ds.kind == "record_level" and ds.path == first and ds.metadata["title_en"] == "Demo"
    second = store.publish("demo", "record_level", record_tables(3), {"title_en": "Demo"}, tmp_path)
    ds2 = datasets.load_dataset("demo", tmp_path)
    assert ds2.path == second and ds2.schema_name != ds.schema_name
    assert len(store.current_tables("demo", tmp_path)["attendance"]) == 3
    assert first.exists()  # the previous version stays for readers still on it
    third = store.publish("demo", "record_level", record_tables(2), {"title_en": "Demo"}, tmp_path)
    assert not first.exists() and second.exists() and third.exists()


def test_failed_publish_leaves_previous_version(tmp_path, monkeypatch):
    store.publish("demo", "record_level", record_tables(6), {"title_en": "Demo"}, tmp_path)
    before = sorted(p.name for p in (tmp_path / "demo").rglob("*"))

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(store, "_fsync_tree", boom)
    with pytest.raises(OSError, match="disk full"):
        store.publish("demo", "record_level", record_tables(1), {"title_en": "Demo"}, tmp_path)
    assert sorted(p.name for p in (tmp_path / "demo").rglob("*")) == before
    assert len(store.current_tables("demo", tmp_path)["attendance"]) == 6


def test_publish_refuses_a_built_dataset_name(tmp_path):
    (tmp_path / "care_2025").mkdir()
    (tmp_path / "care_2025" / "dataset.toml").write_text('kind = "published_aggregate"\n')
    with pytest.raises(store.StoreError, match="built dataset"):
        store.publish("care_2025", "record_level", record_tables(), {}, tmp_path)


def test_publish_checks_columns(tmp_path):
    tables = record_tables()
    tables["attendance"] = tables["attendance"].drop(columns=["person_key"])
    with pytest.raises(store.StoreError, match="lacks columns"):
        store.publish("demo", "record_level", tables, {}, tmp_path)
    assert not (tmp_path / "demo" / "current").exists()
