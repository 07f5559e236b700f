"""The benchmark generator writes a dataset in exactly the import's format: every named query
runs on it and its totals hold together."""

from bench.generate import generate, shape
from care_dashboard import datasets, queries, schema
from tests.conftest import Runner


def test_generated_dataset_feeds_every_query(tmp_path):
    generate(5000, 3, "bench_small", tmp_path)
    ds = datasets.load_dataset("bench_small", tmp_path)
    assert ds.kind == "record_level" and ds.is_synthetic
    runner = Runner(ds)
    for name in queries.all_names():
        runner(name, **({"min_people": 5} if "min_people" in queries.get(name).params else {}))
    assert runner.one("total_participations")["participations_count"] == 5000
    people = runner.one("distinct_people")
    assert 0 < people["people_exact_count"] <= shape(5000)["people"]
    assert 0.01 < people["records_without_person_key_count"] / 5000 < 0.06
    for table in schema.STORED_TABLES["record_level"]:
        assert (ds.path / f"{table.name}.parquet").is_file()


def test_generator_is_seeded(tmp_path):
    a = generate(3000, 11, "bench_a", tmp_path)
    b = generate(3000, 11, "bench_b", tmp_path)
    import duckdb
    con = duckdb.connect()
    diff = con.execute(f"SELECT count(*) FROM (SELECT * FROM '{a}/attendance.parquet' EXCEPT ALL SELECT * FROM '{b}/attendance.parquet')").fetchone()
    assert diff == (0,)
