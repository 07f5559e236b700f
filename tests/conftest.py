import duckdb
import pytest

from care_dashboard import datasets, queries
from tests import fixtures

NO_FILTER = {"components": None, "territories": None, "organisations": None}


class Runner:
    """Runs named queries on one attached dataset; unspecified filters are NULL (no filter)."""

    def __init__(self, dataset: datasets.Dataset):
        self.dataset = dataset
        self.con = duckdb.connect()
        datasets.attach(self.con, dataset)

    def __call__(self, name: str, **filters):
        params = {k: v for k, v in NO_FILTER.items() if k in queries.get(name).params}
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
