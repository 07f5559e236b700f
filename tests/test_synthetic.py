"""The synthetic demo dataset: its totals are the CARE 2025 published figures, everything else is
invented, plausibly; the same seed gives the same records; the committed copy is what the
generator makes; it is never the default and never mixed with the published dataset."""

import re

import duckdb
import pandas as pd
import pytest

from care_dashboard import datasets, paths, schema, store, synthetic

# The report's figures, written out here (not read from data/care_2025) so the test is independent.
TERRITORY_PARTICIPATIONS = {
    ("ohs", "bogota"): 147,
    ("ohs", "barranquilla"): 127,
    ("ohs", "cajica"): 18,
    ("ohs", "puerto-colombia"): 19,
    ("human-rights", "bogota"): 150,
    ("human-rights", "barranquilla"): 129,
    ("human-rights", "cajica"): 22,
    ("human-rights", "puerto-colombia"): 19,
    ("soft-skills", "barranquilla"): 117,
    ("soft-skills", "bogota"): 51,
}
SOFT_SKILLS_BY_ORGANISATION = {
    "asorescatar": 30,
    "fenaciclar": 45,
    "metroreciclar": 42,
    "asorepcol": 31,
    "asofrain": 20,
}
ORGANISATIONS_PER_TERRITORY = {"bogota": 7, "barranquilla": 7, "cajica": 1, "puerto-colombia": 1}
FORMALISATION_ORGANISATIONS = {"bogota": 5, "barranquilla": 6}
COMMITTED = paths.DATA_DIR / synthetic.NAME


@pytest.fixture(scope="module")
def tables():
    return synthetic.generate(synthetic.SEED)


@pytest.fixture(scope="module")
def attendance(tables):
    return tables["attendance"]


def test_participations_per_component_and_territory_are_the_published_ones(attendance):
    got = attendance[attendance["component_id"] != "formalisation"].groupby(["component_id", "territory_id"]).size()
    assert got.to_dict() == TERRITORY_PARTICIPATIONS
    assert len(attendance[attendance["component_id"] != "formalisation"]) == 799


def test_soft_skills_per_organisation_are_the_published_ones(attendance):
    got = attendance[attendance["component_id"] == "soft-skills"].groupby("organisation_id").size()
    assert got.to_dict() == SOFT_SKILLS_BY_ORGANISATION


def test_organisations_are_the_sixteen_of_the_programme(tables, attendance):
    orgs = tables["organisations"]
    assert orgs.groupby("territory_id").size().to_dict() == ORGANISATIONS_PER_TERRITORY
    source = pd.read_csv(paths.DATA_DIR / "care_2025" / "source" / "organisations.csv")
    assert list(orgs["organisation_id"]) == list(source["organisation_id"])
    # every organisation attended occupational health and safety and human rights, as published
    for cid in ("ohs", "human-rights"):
        assert set(attendance.loc[attendance["component_id"] == cid, "organisation_id"]) == set(orgs["organisation_id"])
    # a record's territory is its organisation's city
    city = dict(zip(orgs["organisation_id"], orgs["territory_id"]))
    assert (attendance["organisation_id"].map(city) == attendance["territory_id"]).all()


def test_formalisation_is_a_few_invented_leaders_on_one_october_date_per_city(attendance):
    f = attendance[attendance["component_id"] == "formalisation"]
    assert f.groupby("territory_id")["organisation_id"].nunique().to_dict() == FORMALISATION_ORGANISATIONS
    per_org = f.groupby("organisation_id").size()
    assert per_org.between(1, 3).all()
    assert (f["role"] == "leader").all()
    dates = f.groupby("territory_id")["session_date"].nunique()
    assert dates.to_dict() == {"bogota": 1, "barranquilla": 1}
    assert all(d.year == 2025 and d.month == 10 for d in f["session_date"])


def test_sessions_fall_within_each_component_period(tables, attendance):
    periods = tables["components"].set_index("component_id")
    for cid, part in attendance.groupby("component_id"):
        start, end = periods.loc[cid, "period_start_date"], periods.loc[cid, "period_end_date"]
        assert part["session_date"].between(pd.Timestamp(start), pd.Timestamp(end)).all(), cid
    sessions = attendance.groupby(["component_id", "territory_id"])["session_id"].nunique()
    assert sessions.between(1, 4).all()
    assert attendance.groupby("session_id")["session_date"].nunique().eq(1).all()  # a session is one day
    keyed = attendance.dropna(subset=["person_key"])
    assert not keyed.duplicated(["session_id", "person_key"]).any()  # one line per person per session


def test_person_keys_are_random_hex_and_a_few_are_missing(attendance):
    keys = attendance["person_key"].dropna()
    assert keys.map(lambda k: re.fullmatch(r"[0-9a-f]{64}", k) is not None).all()
    missing = attendance["person_key"].isna().mean()
    assert 0.01 <= missing <= 0.06, missing


def test_overlaps_are_plausible(attendance):
    keyed = attendance.dropna(subset=["person_key"])
    people = {cid: set(part["person_key"]) for cid, part in keyed.groupby("component_id")}
    earlier = people["ohs"] | people["human-rights"] | people["formalisation"]
    assert len(people["human-rights"] & people["ohs"]) / len(people["human-rights"]) > 0.6
    assert len(people["soft-skills"] & earlier) / len(people["soft-skills"]) > 0.5
    # a person belongs to one organisation
    assert keyed.groupby("person_key")["organisation_id"].nunique().eq(1).all()


def test_same_seed_same_data_and_another_seed_other_data(tables):
    again = synthetic.generate(synthetic.SEED)
    for name, df in tables.items():
        pd.testing.assert_frame_equal(df, again[name])
    other = synthetic.generate(synthetic.SEED + 1)["attendance"]
    assert not other["person_key"].equals(tables["attendance"]["person_key"])
    # the published totals hold whatever the seed
    assert other.groupby(["component_id", "territory_id"]).size().drop("formalisation").to_dict() == TERRITORY_PARTICIPATIONS


def test_split_total():
    assert synthetic.split_total(10, [1, 1]) == [5, 5]
    assert sum(synthetic.split_total(147, [2.5, 2, 1, 1, 1, 1, 1])) == 147
    assert min(synthetic.split_total(7, [100, 1, 1, 1, 1, 1, 1])) == 1
    with pytest.raises(ValueError):
        synthetic.split_total(2, [1, 1, 1])


# ---- the committed copy ---------------------------------------------------------------------------

def test_committed_dataset_is_what_the_generator_makes(tmp_path):
    ds = datasets.load_dataset(synthetic.NAME)
    seed = ds.metadata["seed"]
    store.write_tables(tmp_path, "record_level", synthetic.generate(seed))
    con = duckdb.connect()
    for table in schema.STORED_TABLES["record_level"]:
        a, b = tmp_path / f"{table.name}.parquet", ds.path / f"{table.name}.parquet"
        for x, y in ((a, b), (b, a)):
            assert con.execute(
                f"SELECT count(*) FROM (SELECT * FROM '{x}' EXCEPT ALL SELECT * FROM '{y}')"
            ).fetchone() == (0,), f"{table.name}: run `make synthetic` to regenerate data/{synthetic.NAME}"


def test_committed_dataset_says_it_is_synthetic():
    ds = datasets.load_dataset(synthetic.NAME)
    assert ds.kind == "record_level" and ds.is_synthetic
    assert "synthetic" in ds.title_en.lower() and "sintéticos" in ds.title_es.lower()
    assert "invented" in ds.metadata["synthetic_note"] and "invented" in ds.text("source_citation", "en")
    assert "inventados" in ds.text("source_citation", "es") and "inventados" in ds.text("source_short", "es")
    # one version, pointed at by a relative `current` link
    assert (COMMITTED / "current").is_symlink()
    assert not (COMMITTED / "current").readlink().is_absolute()
    assert [p.name for p in (COMMITTED / "versions").iterdir()] == [ds.path.name]


def test_never_the_default_and_never_mixed_with_the_published_figures(care):
    listed = datasets.list_datasets()
    assert listed[0].name == paths.DEFAULT_DATASET == "care_2025"
    assert synthetic.NAME in [d.name for d in listed]
    published = datasets.load_dataset("care_2025")
    assert published.kind == "published_aggregate" and not published.is_synthetic
    assert not (published.path / "attendance.parquet").exists()
    assert care.one("distinct_people")["method_id"] == "published_bounds"


def test_committed_dataset_gives_the_published_figures_through_the_queries(tmp_path):
    from tests.conftest import Runner

    run = Runner(datasets.load_dataset(synthetic.NAME))
    coverage = run("coverage_by_territory")
    got = {
        (r.component_id, r.territory_id): r.participations_count
        for r in coverage.itertuples(index=False)
        if r.component_id != "formalisation"
    }
    assert got == TERRITORY_PARTICIPATIONS
    soft = run("organisation_matrix", components=["soft-skills"])
    got = dict(zip(soft["organisation_id"], soft["participations_count"]))
    assert {k: v for k, v in got.items() if not pd.isna(v)} == SOFT_SKILLS_BY_ORGANISATION
    reach = run("component_reach").set_index("component_id")
    assert reach.loc["formalisation", "organisations_count"] == 11
    assert (coverage["people_count"] <= coverage["participations_count"]).all()
