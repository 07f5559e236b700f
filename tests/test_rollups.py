"""The rollups (participation_counts, people_sets, people_spread) give exactly what the attendance
records give: every person-level query is checked against a direct computation from the records
(pandas), for random records in which people move between organisations and territories, both with
the rollups computed on the fly (a version without rollup files) and read from the parquet files
that publishing writes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from care_dashboard import datasets, schema, store
from tests import fixtures
from tests.conftest import Runner

PLACES = [("north", "org-1"), ("north", "org-2"), ("south", "org-3")]
COMPONENTS = ["comp-a", "comp-b", "comp-c"]

record = st.tuples(
    st.integers(0, 2),  # place
    st.sampled_from(COMPONENTS),
    st.one_of(st.none(), st.integers(0, 7)),  # person (few, so they repeat and move)
    st.integers(0, 3),  # session of the component
)
selection = st.fixed_dictionaries({
    "components": st.one_of(st.none(), st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=3, unique=True)),
    "territories": st.one_of(st.none(), st.lists(st.sampled_from(["north", "south"]), min_size=1, unique=True)),
    "organisations": st.one_of(st.none(), st.lists(st.sampled_from(["org-1", "org-2", "org-3"]), min_size=1, unique=True)),
})


def attendance_rows(records):
    rows, seen = [], set()
    for place, comp, person, session in records:
        territory, org = PLACES[place]
        session_id = f"{comp}/{session}/{territory}"
        key = None if person is None else f"person-{person}"
        if key is not None and (session_id, key) in seen:
            continue  # the import keeps one row per person per session
        seen.add((session_id, key))
        rows.append((session_id, "2025-01-10", comp, territory, org, key, "member"))
    return rows


def expected(df: pd.DataFrame, sel: dict) -> dict:
    for col, key in (("component_id", "components"), ("territory_id", "territories"), ("organisation_id", "organisations")):
        if sel[key] is not None:
            df = df[df[col].isin(sel[key])]
    keyed = df.dropna(subset=["person_key"])
    sets = keyed.groupby("person_key")["component_id"].agg(lambda s: "+".join(sorted(set(s))))
    per_territory = keyed.groupby(["territory_id", "person_key"])["component_id"].nunique()
    overall = keyed.groupby("person_key")["component_id"].nunique()
    return {
        "exact": keyed["person_key"].nunique() if len(df) else None,
        "without_key": int(df["person_key"].isna().sum()),
        "overlaps": sets.value_counts().to_dict(),
        "attended": {**{(t, n): c for (t, n), c in per_territory.groupby(level=0).value_counts().items()},
                     **{(None, n): c for n, c in overall.value_counts().items()}},
        "by_org_component": keyed.groupby(["organisation_id", "component_id"])["person_key"].nunique().to_dict(),
        "by_org": keyed.groupby("organisation_id")["person_key"].nunique().to_dict(),
        "by_territory_component": keyed.groupby(["territory_id", "component_id"])["person_key"].nunique().to_dict(),
        "by_component": keyed.groupby("component_id")["person_key"].nunique().to_dict(),
    }


def observed(run: Runner, sel: dict) -> dict:
    people = run.one("distinct_people", **sel)
    overlaps = run("component_overlaps", **sel)
    attended = run("people_by_components_attended", **sel)
    by_org = run("people_by_organisation", **sel)
    coverage = run("coverage_by_territory", **sel)
    reach = run("component_reach", **sel)
    matrix = run("organisation_matrix", **sel)
    none = lambda v: None if pd.isna(v) else v  # noqa: E731
    assert (matrix.dropna(subset=["people_count"]).set_index(["organisation_id", "component_id"])["people_count"]
            .pipe(lambda s: s[s > 0]).to_dict()
            == by_org.dropna(subset=["component_id"]).set_index(["organisation_id", "component_id"])["people_count"]
            .pipe(lambda s: s[s > 0]).to_dict())
    return {
        "exact": none(people["people_exact_count"]),
        "without_key": int(people["records_without_person_key_count"]),
        "overlaps": dict(zip(overlaps["combination_id"], overlaps["people_count"])),
        "attended": {(none(t), n): c for t, n, c in attended[["territory_id", "components_attended_count", "people_count"]]
                     .itertuples(index=False) if c > 0},
        "by_org_component": {(o, c): n for o, c, n in by_org[["organisation_id", "component_id", "people_count"]]
                             .itertuples(index=False) if c is not None and not pd.isna(c) and n > 0},
        "by_org": {o: n for o, c, n in by_org[["organisation_id", "component_id", "people_count"]]
                   .itertuples(index=False) if (c is None or pd.isna(c)) and n > 0},
        "by_territory_component": {(t, c): n for t, c, n in coverage[["territory_id", "component_id", "people_count"]]
                                   .itertuples(index=False) if n > 0},
        "by_component": {c: n for c, n in reach[["component_id", "people_count"]].itertuples(index=False) if n > 0},
    }


def with_rollup_files(folder: Path, target: Path) -> Path:
    shutil.copytree(folder, target)
    with duckdb.connect() as con:
        datasets.write_rollups(con, target, "record_level")
    return target


# derandomised: the same 30 examples in every run, so CI never fails on an example one run happened to draw
@settings(max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(record, min_size=1, max_size=40), selections=st.lists(selection, min_size=1, max_size=4))
def test_rollups_equal_direct_computation(records, selections):
    rows = attendance_rows(records)
    df = pd.DataFrame(rows, columns=list(schema.ATTENDANCE.columns))
    with tempfile.TemporaryDirectory() as tmp:
        plain = fixtures.write_dataset(Path(tmp) / "plain", "record_level", {**fixtures.RECORD_TABLES, "attendance": rows})
        rolled = with_rollup_files(plain, Path(tmp) / "rolled")
        assert (rolled / "people_sets.parquet").is_file() and not (plain / "people_sets.parquet").exists()
        runners = [Runner(datasets.load_dataset(f.name, f.parent)) for f in (plain, rolled)]
        for sel in selections:
            want = expected(df, sel)
            for run in runners:
                got = observed(run, sel)
                assert got == want, (run.dataset.name, sel)


def test_people_spread_holds_only_people_seen_in_several_places(tmp_path):
    rows = attendance_rows([(0, "comp-a", 1, 0), (2, "comp-b", 1, 0), (0, "comp-c", 1, 1),  # person 1 moves
                            (1, "comp-a", 2, 0), (1, "comp-c", 2, 1),  # person 2 stays in org-2
                            (1, "comp-a", None, 2)])
    folder = with_rollup_files(fixtures.write_dataset(tmp_path / "p", "record_level",
                                                      {**fixtures.RECORD_TABLES, "attendance": rows}), tmp_path / "r")
    spread = pd.read_parquet(folder / "people_spread.parquet")
    sets = pd.read_parquet(folder / "people_sets.parquet")
    bits = {"comp-a": 1, "comp-b": 2, "comp-c": 4}  # alphabetical order of the component ids
    assert sorted(zip(spread["organisation_id"], spread["component_mask"])) == [
        ("org-1", bits["comp-a"] | bits["comp-c"]), ("org-3", bits["comp-b"])]
    assert spread["person_id"].nunique() == 1
    assert list(zip(sets["organisation_id"], sets["component_mask"], sets["people_count"])) == [
        ("org-2", bits["comp-a"] | bits["comp-c"], 1)]
    counts = pd.read_parquet(folder / "participation_counts.parquet")
    assert counts["participations_count"].sum() == len(rows)
    assert counts["records_without_person_key_count"].sum() == 1


def test_publishing_writes_the_rollups_and_the_dashboard_reads_them(tmp_path):
    rows = attendance_rows([(0, "comp-a", 1, 0), (2, "comp-b", 1, 0), (1, "comp-a", 2, 0)])
    tables = {name: pd.DataFrame(data, columns=list(schema.ALL_TABLES[name].columns))
              for name, data in {**fixtures.RECORD_TABLES, "attendance": rows}.items()}
    for name in ("components", "attendance"):
        for col in ("period_start_date", "period_end_date", "session_date"):
            if col in tables[name]:
                tables[name][col] = pd.to_datetime(tables[name][col])
    folder = store.publish("rolled", "record_level", tables, {"title_en": "t"}, tmp_path)
    assert {t.name for t in schema.ROLLUP_TABLES["record_level"]} <= {p.stem for p in folder.glob("*.parquet")}
    run = Runner(datasets.load_dataset("rolled", tmp_path))
    # read from their files into memory tables (computed from the records, they would be views)
    held = {r[0] for r in run.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ?", [run.dataset.schema_name]).fetchall()}
    views = {r[0] for r in run.con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = ?", [run.dataset.schema_name]).fetchall()}
    assert {"participation_counts", "people_sets", "people_spread"} <= held
    assert "attendance" in views and "attendance" not in held  # the records stay on disk
    assert run.one("distinct_people")["people_exact_count"] == 2
