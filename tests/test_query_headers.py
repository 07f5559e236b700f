"""Every named query documents itself: header complete, params match the SQL, columns match the
result, caveat ids exist in the catalogue (STYLE.md rule 2)."""

import pytest

from care_dashboard import caveats, paths, queries

NAMES = queries.all_names()
# every parameter a named query may take, with its one declared type
PARAM_TYPES = {
    "components": "VARCHAR[]",
    "territories": "VARCHAR[]",
    "organisations": "VARCHAR[]",
    "min_people": "INTEGER",  # the small-number threshold (settings.small_number_threshold)
}


def test_queries_exist():
    assert {"coverage_by_territory", "component_reach", "organisation_matrix", "total_participations",
            "organisations_engaged", "territories_reached", "distinct_people", "reconciliation"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_header_params_match_sql(name):
    q = queries.get(name)
    assert q.sql_params() == set(q.params), f"{name}: header params {set(q.params)} vs SQL {q.sql_params()}"
    for param, declared in q.params.items():
        assert declared == PARAM_TYPES.get(param), f"{name}: ${param} {declared}"
        assert f"${param}::{declared}" in q.sql or param == "min_people", f"{name}: ${param} is not cast to {declared}"


@pytest.mark.parametrize("name", NAMES)
def test_header_columns_match_result(name, care):
    df = care(name)
    assert tuple(df.columns) == queries.get(name).columns


@pytest.mark.parametrize("name", NAMES)
def test_header_caveats_exist(name):
    for cid in queries.get(name).caveats:
        assert cid in caveats.catalogue(), f"{name}: caveat {cid!r} is not in the catalogue"


@pytest.mark.parametrize("name", NAMES)
def test_header_has_title_and_grain(name):
    q = queries.get(name)
    assert q.title and q.grain.startswith("one row")


def test_run_refuses_wrong_parameters(care):
    with pytest.raises(queries.QueryError, match="takes parameters"):
        queries.run(care.con, care.dataset.schema_name, "coverage_by_territory", {"components": None})


def test_unknown_query_fails_loudly():
    with pytest.raises(queries.QueryError, match="no named query"):
        queries.get("no_such_query")
    with pytest.raises(queries.QueryError):
        queries.get("../dashboard")


def test_header_mismatch_is_caught(tmp_path):
    bad = tmp_path / "bad_query.sql"
    bad.write_text("-- name:    other_name\n-- title: t\n-- grain: one row\n-- params: none\n-- columns: a\n-- caveats: none\nSELECT 1 AS a\n")
    with pytest.raises(queries.QueryError, match="differs from the file name"):
        queries.parse(bad)


def test_result_columns_must_match_header(care, monkeypatch):
    real = queries.get("territories_reached")
    fake = queries.NamedQuery(**{**real.__dict__, "columns": ("something_else",)})
    monkeypatch.setattr(queries, "get", lambda name: fake)
    with pytest.raises(queries.QueryError, match="header says"):
        queries.run(care.con, care.dataset.schema_name, "territories_reached",
                    {"components": None, "territories": None, "organisations": None})


def test_parameters_are_bound_not_formatted(care):
    """A hostile filter value is just a value that matches nothing."""
    df = care("coverage_by_territory", territories=["bogota'); DROP TABLE x; --"])
    assert df.empty
    assert care.one("territories_reached")["territories_count"] == 4


def test_view_definitions_have_headers():
    for path in sorted(paths.VIEWS_DIR.rglob("*.sql")):
        head = path.read_text(encoding="utf-8").splitlines()[:3]
        assert head[0].startswith("-- name:") and any(line.startswith("-- grain:") for line in head), path
