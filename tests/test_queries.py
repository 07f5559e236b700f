"""Given/expect tests of every named query on tiny fixture datasets (tests/fixtures.py): a
published-aggregate one and a record-level one, through the same logical views. Covers NULL
("not published" is not 0) and each filter."""

import pandas as pd

from care_dashboard import queries


def rows(df, *cols):
    return [tuple(None if pd.isna(v) else v for v in r) for r in df[list(cols)].itertuples(index=False)]


# ---- coverage_by_territory --------------------------------------------------------------------

def test_coverage_aggregate_unfiltered(agg):
    df = agg("coverage_by_territory")
    assert rows(df, "territory_id", "component_id", "participations_count", "organisations_count") == [
        ("north", "comp-a", 10, 2),
        ("north", "comp-b", None, 2),  # published in organisations only
        ("north", "comp-c", 7, 1),
        ("south", "comp-a", 5, 1),
        ("south", "comp-c", 4, 1),
    ]
    assert df.loc[df["component_id"] == "comp-b", "territory_basis"].item() == "session_venue"


def test_coverage_organisation_filter_does_not_split_territory_totals(agg):
    df = agg("coverage_by_territory", organisations=["org-1"])
    assert rows(df, "territory_id", "component_id", "participations_count", "organisations_count") == [
        ("north", "comp-a", None, None),  # north's 10 are not split between org-1 and org-2
        ("north", "comp-b", None, None),
        ("north", "comp-c", 7, 1),
    ]


def test_coverage_territory_and_component_filters(agg):
    assert rows(agg("coverage_by_territory", territories=["south"]), "component_id", "participations_count") == [
        ("comp-a", 5),
        ("comp-c", 4),
    ]
    assert agg("coverage_by_territory", components=["comp-b"], territories=["south"]).empty


def test_coverage_record_level(rec):
    df = rec("coverage_by_territory")
    assert rows(df, "territory_id", "component_id", "participations_count", "organisations_count") == [
        ("north", "comp-a", 2, 2),
        ("north", "comp-c", 1, 1),
        ("south", "comp-a", 1, 1),
        ("south", "comp-b", 1, 1),
        ("south", "comp-c", 1, 1),
    ]
    # with records, an organisation filter gives exact figures
    assert rows(rec("coverage_by_territory", organisations=["org-1"]), "component_id", "participations_count") == [
        ("comp-a", 1),
        ("comp-c", 1),
    ]


# ---- component_reach -----------------------------------------------------------------------------

def test_component_reach_aggregate(agg):
    df = agg("component_reach")
    assert rows(df, "component_id", "participations_count", "organisations_count") == [
        ("comp-a", 15, 3),
        ("comp-b", None, 2),  # statuses unknown: the published count of organisations is used
        ("comp-c", 11, 2),
    ]


def test_component_reach_organisation_filter(agg):
    df = agg("component_reach", organisations=["org-1"])
    assert rows(df, "component_id", "participations_count", "organisations_count") == [
        ("comp-a", None, 1),  # took part (known), own count not published
        ("comp-b", None, None),  # not known whether it took part
        ("comp-c", 7, 1),
    ]


def test_component_reach_record_level(rec):
    assert rows(rec("component_reach"), "component_id", "participations_count", "organisations_count") == [
        ("comp-a", 3, 3),
        ("comp-b", 1, 1),
        ("comp-c", 2, 2),
    ]


# ---- organisations_engaged -------------------------------------------------------------------------

def engaged(runner, **filters):
    r = runner.one("organisations_engaged", **filters)
    return r["organisations_min_count"], r["organisations_max_count"], r["organisations_in_selection_count"]


def test_organisations_engaged_exact_when_known(agg):
    assert engaged(agg) == (3, 3, 3)


def test_organisations_engaged_published_count_only(agg):
    # comp-b: which organisations went is unknown, but the source says 2 did
    assert engaged(agg, components=["comp-b"]) == (2, 2, 3)


def test_organisations_engaged_range_when_overlap_unknown(agg):
    # comp-c: org-1 and org-3; comp-b: 2 unknown organisations, maybe org-2
    assert engaged(agg, components=["comp-b", "comp-c"]) == (2, 3, 3)


def test_organisations_engaged_venue_counts_not_attributed_to_a_territory(agg):
    assert engaged(agg, components=["comp-b"], territories=["north"]) == (0, 2, 2)


def test_organisations_engaged_record_level(rec):
    assert engaged(rec) == (3, 3, 3)
    assert engaged(rec, components=["comp-b"]) == (1, 1, 3)


# ---- total_participations, territories_reached ------------------------------------------------

def test_total_participations_leaves_out_unpublished(agg):
    r = agg.one("total_participations")
    assert r["participations_count"] == 26
    assert list(r["components_not_published"]) == ["comp-b"]
    assert r["matching_rows_count"] == 5


def test_total_participations_only_unpublished_is_null_not_zero(agg):
    r = agg.one("total_participations", components=["comp-b"])
    assert pd.isna(r["participations_count"])
    assert r["matching_rows_count"] == 1


def test_total_participations_empty_selection(agg):
    r = agg.one("total_participations", components=["comp-b"], territories=["south"])
    assert r["matching_rows_count"] == 0


def test_total_participations_record_level(rec):
    r = rec.one("total_participations")
    assert (r["participations_count"], list(r["components_not_published"])) == (6, [])


def test_territories_reached(agg, rec):
    assert agg.one("territories_reached")["territories_count"] == 2
    assert agg.one("territories_reached", components=["comp-b"])["territories_count"] == 1
    assert rec.one("territories_reached", organisations=["org-3"])["territories_count"] == 1


# ---- distinct_people -----------------------------------------------------------------------------

def test_distinct_people_bounds_from_published_counts(agg):
    r = agg.one("distinct_people")
    assert r["method_id"] == "published_bounds"
    assert (r["people_min_count"], r["people_max_count"]) == (10 + 5, 26)
    assert pd.isna(r["people_exact_count"])


def test_distinct_people_upper_bound_unknown_when_a_count_is_not_published(agg):
    r = agg.one("distinct_people", organisations=["org-1"])
    assert r["people_min_count"] == 7
    assert pd.isna(r["people_max_count"])


def test_distinct_people_exact_with_person_keys(rec):
    r = rec.one("distinct_people")
    assert r["method_id"] == "person_keys"
    assert r["people_exact_count"] == 3  # p1, p2, p3
    assert r["records_without_person_key_count"] == 1
    assert (r["people_min_count"], r["people_max_count"]) == (3, 6)
    assert rec.one("distinct_people", components=["comp-a"])["people_exact_count"] == 3
    assert rec.one("distinct_people", territories=["north"])["people_exact_count"] == 2


# ---- organisation_matrix -------------------------------------------------------------------------

def test_organisation_matrix_statuses(agg):
    df = agg("organisation_matrix", organisations=["org-2"])
    assert rows(df, "component_id", "participation_status", "participations_count") == [
        ("comp-a", "took_part", None),
        ("comp-b", "unknown", None),
        ("comp-c", "did_not_take_part", None),
    ]
    assert len(agg("organisation_matrix")) == 9
    assert set(agg("organisation_matrix", territories=["south"])["organisation_id"]) == {"org-3"}


def test_organisation_matrix_record_level(rec):
    df = rec("organisation_matrix", organisations=["org-1"])
    assert rows(df, "component_id", "participation_status", "participations_count") == [
        ("comp-a", "count_published", 1),
        ("comp-b", "did_not_take_part", None),
        ("comp-c", "count_published", 1),
    ]


# ---- reconciliation and options -----------------------------------------------------------------

def test_reconciliation(agg, rec):
    df = agg("reconciliation")
    got = {
        (None if pd.isna(c) else c, m): (None if pd.isna(p) else p, None if pd.isna(v) else v, None if pd.isna(ok) else ok)
        for c, m, p, v, ok in df[["component_id", "measure_id", "published_value", "computed_value", "is_reconciled"]].itertuples(index=False)
    }
    assert got == {
        ("comp-a", "participations"): (15, 15, True),
        ("comp-b", "participations"): (None, None, None),
        ("comp-b", "organisations"): (2, 2, True),
        (None, "participations"): (26, 26, True),
        (None, "organisations"): (3, 3, True),
    }
    assert rec("reconciliation").empty


def test_options(agg):
    assert list(agg("component_options")["component_id"]) == ["comp-a", "comp-b", "comp-c"]
    assert list(agg("territory_options")["territory_id"]) == ["north", "south"]
    assert list(agg("organisation_options")["organisation_id"]) == ["org-1", "org-2", "org-3"]


def test_every_query_runs_on_both_kinds(agg, rec):
    for name in queries.all_names():
        for runner in (agg, rec):
            runner(name)  # raises if columns differ from the header or the SQL fails
