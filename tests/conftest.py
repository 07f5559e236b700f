import duckdb
import pytest

from care_dashboard import datasets, queries
from tests import fixtures

NO_FILTER = {"components": None, "territories": None, "organisations": None}
# queries that hide small counts of people take $min_people; 1 hides nothing unless a test says so
DEFAULT_PARAMS = {**NO_FILTER, "min_people": 1}


class Runner:
    """Runs named queries on one attached dataset; unspecified filters are NULL (no filter) and
    nothing is hidden as a small number unless ``min_people`` is given."""

    def __init__(self, dataset: datasets.Dataset):
        self.dataset = dataset
        self.con = duckdb.connect()
        datasets.attach(self.con, dataset)

    def __call__(self, name: str, **filters):
        params = {k: v for k, v in DEFAULT_PARAMS.items() if k in queries.get(name).params}
        params.update(filters)
        return queries.run(self.con, self.dataset.schema_name, name, params)

    def one(self, name: str, **filters):
        df = self(name, **filters)
        assert len(df) == 1, df
        return df.iloc[0]


@pytest.fixture(scope="session")
def care():
    return Runner(datasets.load_dataset("care_2025"))


@pytest.fixture(scope="session")
def agg(tmp_path_factory):
    folder = fixtures.write_dataset(
        tmp_path_factory.mktemp("data") / "fixture_agg", "published_aggregate", fixtures.AGGREGATE_TABLES
    )
    return Runner(datasets.load_dataset(folder.name, folder.parent))


@pytest.fixture(scope="session")
def rec(tmp_path_factory):
    folder = fixtures.write_dataset(
        tmp_path_factory.mktemp("data") / "fixture_rec", "record_level", fixtures.RECORD_TABLES
    )
    return Runner(datasets.load_dataset(folder.name, folder.parent))


@pytest.fixture(scope="session")
def ppl(tmp_path_factory):
    """Record-level, with enough people for overlaps and small numbers (fixtures.PEOPLE_TABLES)."""
    folder = fixtures.write_dataset(
        tmp_path_factory.mktemp("data") / "fixture_ppl", "record_level", fixtures.PEOPLE_TABLES
    )
    return Runner(datasets.load_dataset(folder.name, folder.parent))
