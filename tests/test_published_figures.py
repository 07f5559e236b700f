"""One test per figure the report publishes (sections 1.1, 5.1-5.4, 6.1), asserted on the query
results of the embedded CARE 2025 dataset, each through the filters a user would set."""

import pandas as pd
import pytest

TERRITORY_FIGURES = [
    # component, territory, organisations, participations (None = not published), report section
    ("ohs", "bogota", 7, 147),
    ("ohs", "barranquilla", 7, 127),
    ("ohs", "cajica", 1, 18),
    ("ohs", "puerto-colombia", 1, 19),
    ("human-rights", "bogota", 7, 150),
    ("human-rights", "barranquilla", 7, 129),
    ("human-rights", "cajica", 1, 22),
    ("human-rights", "puerto-colombia", 1, 19),
    ("formalisation", "bogota", 5, None),
    ("formalisation", "barranquilla", 6, None),
    ("soft-skills", "barranquilla", 3, 117),
    ("soft-skills", "bogota", 2, 51),
]


@pytest.mark.parametrize("component,territory,organisations,participations", TERRITORY_FIGURES)
def test_participations_by_territory(care, component, territory, organisations, participations):
    row = care.one("coverage_by_territory", components=[component], territories=[territory])
    if participations is None:
        assert pd.isna(row["participations_count"])  # not published, not 0
    else:
        assert row["participations_count"] == participations


@pytest.mark.parametrize("component,territory,organisations,participations", TERRITORY_FIGURES)
def test_organisations_by_territory(care, component, territory, organisations, participations):
    row = care.one("coverage_by_territory", components=[component], territories=[territory])
    assert row["organisations_count"] == organisations


COMPONENT_TOTALS = [
    ("ohs", 16, 311),
    ("human-rights", 16, 320),
    ("formalisation", 11, None),
    ("soft-skills", 5, 168),
]


@pytest.mark.parametrize("component,organisations,participations", COMPONENT_TOTALS)
def test_component_total_participations(care, component, organisations, participations):
    row = care.one("component_reach", components=[component])
    if participations is None:
        assert pd.isna(row["participations_count"])
    else:
        assert row["participations_count"] == participations


@pytest.mark.parametrize("component,organisations,participations", COMPONENT_TOTALS)
def test_component_total_organisations(care, component, organisations, participations):
    assert care.one("component_reach", components=[component])["organisations_count"] == organisations


@pytest.mark.parametrize(
    "organisation,participations",
    [("asorescatar", 30), ("fenaciclar", 45), ("metroreciclar", 42), ("asorepcol", 31), ("asofrain", 20)],
)
def test_soft_skills_participations_per_organisation(care, organisation, participations):
    row = care.one("organisation_matrix", components=["soft-skills"], organisations=[organisation])
    assert row["participation_status"] == "count_published"
    assert row["participations_count"] == participations


def test_formalisation_participations_not_published_anywhere(care):
    df = care("coverage_by_territory", components=["formalisation"])
    assert len(df) == 2
    assert df["participations_count"].isna().all()


def test_component_periods_and_audiences(care):
    reach = care("component_reach").set_index("component_id")
    assert str(reach.loc["ohs", "period_start_date"])[:7] == "2025-04"
    assert str(reach.loc["ohs", "period_end_date"])[:7] == "2025-05"
    assert str(reach.loc["human-rights", "period_start_date"])[:7] == "2025-06"
    assert str(reach.loc["human-rights", "period_end_date"])[:7] == "2025-07"
    assert str(reach.loc["formalisation", "period_start_date"])[:7] == "2025-10"
    assert str(reach.loc["soft-skills", "period_start_date"])[:10] == "2025-11-18"
    assert str(reach.loc["soft-skills", "period_end_date"])[:10] == "2025-12-02"
    assert reach.loc["formalisation", "audience_id"] == "organisation_leaders"
    assert reach.loc["ohs", "audience_id"] == "waste_pickers"


def test_sixteen_organisations_in_all(care):
    row = care.one("organisations_engaged")
    assert (row["organisations_min_count"], row["organisations_max_count"]) == (16, 16)


def test_eleven_organisations_in_formalisation_sessions(care):
    row = care.one("organisations_engaged", components=["formalisation"])
    assert (row["organisations_min_count"], row["organisations_max_count"]) == (11, 11)


def test_five_named_and_eleven_unnamed_organisations(care):
    orgs = care("organisation_options")
    assert orgs["is_name_published"].sum() == 5
    assert (~orgs["is_name_published"]).sum() == 11
    assert set(orgs.loc[orgs["is_name_published"], "organisation_name"]) == {
        "ASORESCATAR", "FENACICLAR", "METRORECICLAR", "ASOREPCOL", "ASOFRAIN"
    }
    assert orgs.loc[orgs["organisation_id"] == "unnamed-cajica", "organisation_name"].item() == (
        "Unnamed organisation, Cajicá"
    )


@pytest.mark.parametrize(
    "territory,organisations", [("bogota", 7), ("barranquilla", 7), ("cajica", 1), ("puerto-colombia", 1)]
)
def test_organisations_per_territory(care, territory, organisations):
    row = care.one("organisations_engaged", territories=[territory])
    assert (row["organisations_min_count"], row["organisations_max_count"]) == (organisations, organisations)
    assert row["organisations_in_selection_count"] == organisations


def test_four_territories(care):
    assert care.one("territories_reached")["territories_count"] == 4


def test_799_participations_without_formalisation(care):
    row = care.one("total_participations")
    assert row["participations_count"] == 799 == 311 + 320 + 168
    assert list(row["components_not_published"]) == ["formalisation"]


def test_distinct_people_range_320_to_799(care):
    row = care.one("distinct_people")
    assert row["method_id"] == "published_bounds"
    assert row["people_min_count"] == 320 == 150 + 129 + 22 + 19
    assert row["people_max_count"] == 799
    assert pd.isna(row["people_exact_count"])


def test_every_published_total_reconciles(care):
    df = care("reconciliation")
    comparable = df[df["is_reconciled"].notna()]
    assert len(comparable) == 12
    assert comparable["is_reconciled"].all()
    formalisation = df[(df["component_id"] == "formalisation") & (df["measure_id"] == "participations")].iloc[0]
    assert pd.isna(formalisation["published_value"]) and pd.isna(formalisation["computed_value"])


def test_territories_carry_department_divipola_and_coordinates(care):
    t = care("territory_options").set_index("territory_id")
    assert t.loc["bogota", "divipola_code"] == "11001"
    assert t.loc["barranquilla", "divipola_code"] == "08001"  # text: the leading zero stays
    assert t.loc["cajica", "divipola_code"] == "25126"
    assert t.loc["puerto-colombia", "divipola_code"] == "08573"
    assert t.loc["cajica", "department_name"] == "Cundinamarca"
    assert t.loc["puerto-colombia", "department_name"] == "Atlántico"
    assert 4 < t.loc["bogota", "latitude"] < 5 and -75 < t.loc["bogota", "longitude"] < -73
    assert 10 < t.loc["puerto-colombia", "latitude"] < 11.5
