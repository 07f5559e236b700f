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


def test_organisation_matrix_hides_small_counts_of_people(ppl):
    """org-3 in comp-a: 2 people (3 records, one without a key); with min_people 3 both counts go."""
    df = ppl("organisation_matrix", organisations=["org-3"], min_people=3)
    assert rows(df, "component_id", "participation_status", "participations_count", "people_count", "is_below_threshold") == [
        ("comp-a", "count_published", None, None, True),
        ("comp-b", "count_published", 3, 3, False),
        ("comp-c", "did_not_take_part", None, None, None),
    ]
    exact = ppl("organisation_matrix", organisations=["org-3"])  # min_people 1: nothing hidden
    assert rows(exact, "component_id", "participations_count", "people_count")[0] == ("comp-a", 3, 2)


def test_organisation_matrix_people_not_known_for_published_figures(agg):
    df = agg("organisation_matrix", min_people=5)
    assert df["people_count"].isna().all() and df["is_below_threshold"].isna().all()
    assert rows(df[df["participation_status"] == "count_published"], "organisation_id", "participations_count") == [
        ("org-1", 7),  # published counts are not people: never hidden
        ("org-3", 4),
    ]


# ---- people: counts beside participations ---------------------------------------------------------

def test_people_beside_participations_by_territory(ppl, agg):
    df = ppl("coverage_by_territory")
    assert rows(df, "territory_id", "component_id", "participations_count", "people_count") == [
        ("north", "comp-a", 6, 5),  # q1 came twice
        ("north", "comp-c", 4, 4),
        ("south", "comp-a", 3, 2),  # one record without a key: a participation, not a person
        ("south", "comp-b", 3, 3),
    ]
    assert agg("coverage_by_territory")["people_count"].isna().all()  # not published, not 0


def test_people_beside_participations_by_component(ppl, rec, agg):
    assert rows(ppl("component_reach"), "component_id", "participations_count", "people_count") == [
        ("comp-a", 9, 7),
        ("comp-b", 3, 3),
        ("comp-c", 4, 4),
    ]
    assert rows(rec("component_reach", territories=["south"]), "component_id", "people_count") == [
        ("comp-a", 1),
        ("comp-b", 1),
        ("comp-c", 0),  # its one record has no key
    ]
    assert agg("component_reach")["people_count"].isna().all()


# ---- people_by_components_attended -------------------------------------------------------------

def test_people_by_components_attended(ppl):
    df = ppl("people_by_components_attended")
    assert rows(df, "territory_id", "components_attended_count", "people_count") == [
        (None, 1, 4),  # q4, q5, q6, q9
        (None, 2, 5),  # q1, q2, q3, q7, q8
        (None, 3, 0),  # nobody: a row, not a gap
        ("north", 1, 3),
        ("north", 2, 3),
        ("north", 3, 0),
        ("south", 1, 1),
        ("south", 2, 2),
        ("south", 3, 0),
    ]


def test_people_by_components_attended_follows_filters(ppl):
    # with two components chosen, the rows run from 1 to 2 and count only those components
    df = ppl("people_by_components_attended", components=["comp-a", "comp-b"])
    assert rows(df[df["territory_id"].isna()], "components_attended_count", "people_count") == [(1, 6), (2, 2)]
    df = ppl("people_by_components_attended", organisations=["org-3"])
    assert rows(df, "territory_id", "components_attended_count", "people_count") == [
        (None, 1, 1), (None, 2, 2), (None, 3, 0),
        ("south", 1, 1), ("south", 2, 2), ("south", 3, 0),
    ]
    assert ppl("people_by_components_attended", territories=["north"], components=["comp-b"]).empty


def test_people_by_components_attended_counts_one_person_in_two_territories_once_in_all(rec):
    # fixture rec: p3 attends comp-a and comp-b, both in the south; p1 north a+c; p2 north a
    df = rec("people_by_components_attended")
    assert rows(df[df["territory_id"].isna()], "components_attended_count", "people_count") == [(1, 1), (2, 2), (3, 0)]


def test_people_by_components_attended_empty_for_published_figures(agg):
    assert agg("people_by_components_attended").empty


# ---- component_overlaps --------------------------------------------------------------------------

def test_component_overlaps(ppl):
    df = ppl("component_overlaps")
    assert rows(df, "combination_id", "components_count", "people_count") == [
        ("comp-a+comp-c", 2, 3),
        ("comp-a", 1, 2),  # ties: fewer components first, then by id
        ("comp-a+comp-b", 2, 2),
        ("comp-b", 1, 1),
        ("comp-c", 1, 1),
    ]
    assert [list(ids) for ids in df["component_ids"]][0] == ["comp-a", "comp-c"]
    # each person with a key is in exactly one combination
    assert df["people_count"].sum() == ppl.one("distinct_people")["people_exact_count"] == 9


def test_component_overlaps_follow_filters(ppl, agg):
    # only comp-a and comp-c chosen: q7, q8 now attended comp-a only, q9 drops out
    df = ppl("component_overlaps", components=["comp-a", "comp-c"])
    assert rows(df, "combination_id", "people_count") == [("comp-a", 4), ("comp-a+comp-c", 3), ("comp-c", 1)]
    assert rows(ppl("component_overlaps", territories=["south"]), "combination_id", "people_count") == [
        ("comp-a+comp-b", 2),
        ("comp-b", 1),
    ]
    assert agg("component_overlaps").empty


def test_component_overlaps_display_order_follows_components(ppl):
    # ids are alphabetical in combination_id, but component_ids follow the components' sort order
    df = ppl("component_overlaps")
    assert all(list(ids) == sorted(ids, key=["comp-a", "comp-b", "comp-c"].index) for ids in df["component_ids"])


# ---- people_by_organisation ----------------------------------------------------------------------

def test_people_by_organisation(ppl):
    df = ppl("people_by_organisation")
    assert rows(df, "organisation_id", "component_id", "people_count", "participations_count", "is_below_threshold") == [
        ("org-1", None, 6, 10, False),  # all components: q1-q6
        ("org-1", "comp-a", 5, 6, False),
        ("org-1", "comp-c", 4, 4, False),
        ("org-3", None, 3, 6, False),
        ("org-3", "comp-a", 2, 3, False),
        ("org-3", "comp-b", 3, 3, False),
    ]


def test_people_by_organisation_hides_small_counts(ppl):
    df = ppl("people_by_organisation", min_people=4)
    assert rows(df, "organisation_id", "component_id", "people_count", "participations_count", "is_below_threshold") == [
        ("org-1", None, 6, 10, False),
        ("org-1", "comp-a", 5, 6, False),
        ("org-1", "comp-c", 4, 4, False),  # 4 is not below 4
        ("org-3", None, None, None, True),
        ("org-3", "comp-a", None, None, True),
        ("org-3", "comp-b", None, None, True),
    ]


def test_people_by_organisation_follows_filters(ppl, agg):
    df = ppl("people_by_organisation", components=["comp-c"], territories=["north"])
    assert rows(df, "organisation_id", "component_id", "people_count") == [("org-1", None, 4), ("org-1", "comp-c", 4)]
    assert agg("people_by_organisation", min_people=5).empty


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
