"""Pure modules: URL state, headline figure texts, chart builders, display tables."""

import pandas as pd
import pytest

from care_dashboard import charts, figures, labels, tables, url_state
from care_dashboard.selection import Selection

OPTIONS = {
    "lang": ["en", "es"],
    "component": ["ohs", "soft-skills"],
    "territory": ["bogota", "cajica"],
    "organisation": ["asorepcol"],
}


def test_url_state_keeps_known_ids_and_reports_the_rest():
    values, ignored = url_state.parse(
        {"lang": ["es"], "component": ["ohs", "ohs", "nope"], "territory": ["'; DROP TABLE x; --"]}, OPTIONS
    )
    assert values == {"lang": "es", "component": ["ohs"]}
    assert ignored == [("component", "nope"), ("territory", "'; DROP TABLE x; --")]


def test_url_state_caps_repeated_values():
    values, _ = url_state.parse({"component": ["ohs"] * 10_000}, OPTIONS)
    assert values == {"component": ["ohs"]}


def test_url_state_round_trip():
    query = url_state.to_query("es", "en", {"component": ["soft-skills"], "territory": [], "organisation": ["asorepcol"]})
    assert query == {"lang": "es", "component": ["soft-skills"], "organisation": ["asorepcol"]}
    raw = {k: (v if isinstance(v, list) else [v]) for k, v in query.items()}
    values, ignored = url_state.parse(raw, OPTIONS)
    assert values == {"lang": "es", "component": ["soft-skills"], "organisation": ["asorepcol"]} and not ignored
    assert url_state.to_query("en", "en", {}) == {}


def test_selection_empty_means_no_filter():
    assert Selection().params() == {"components": None, "territories": None, "organisations": None}
    assert Selection(territories=("cajica",)).params()["territories"] == ["cajica"]


@pytest.mark.parametrize(
    "low,high,lang,text",
    [
        (16, 16, "en", "16"),
        (11, 16, "en", "11 to 16"),
        (1200, 1500, "es", "de 1.200 a 1.500"),
        (31, None, "en", "at least 31"),
        (None, None, "es", "no publicado"),
    ],
)
def test_count_or_range(low, high, lang, text):
    assert figures.count_or_range(low, high, lang) == text


def test_people_value_prefers_exact_count():
    row = {"method_id": "person_keys", "people_exact_count": 250, "people_min_count": 200, "people_max_count": 300}
    assert figures.people_value(row, "en") == "250"
    assert "exactly" in figures.people_unit(row, "en")


def make_labels(lang="en"):
    comps = pd.DataFrame({
        "component_id": ["ohs", "formalisation"], "component_name_en": ["OHS", "Formalisation"],
        "component_name_es": ["SST", "Formalización"], "audience_id": ["waste_pickers", "organisation_leaders"],
        "reach_unit": ["participations", "organisations"],
    })
    terrs = pd.DataFrame({"territory_id": ["bogota", "cajica"], "territory_name": ["Bogotá", "Cajicá"]})
    orgs = pd.DataFrame({
        "organisation_id": ["asorepcol", "unnamed-bogota-2", "unnamed-cajica"],
        "organisation_name": ["ASOREPCOL", "Unnamed organisation 2, Bogotá", "Unnamed organisation, Cajicá"],
        "territory_id": ["bogota", "bogota", "cajica"],
        "is_name_published": [True, False, False],
        "unnamed_index": [None, 2, None],
    })
    return labels.build(comps, terrs, orgs, lang)


def test_labels_for_unnamed_organisations_in_both_languages():
    assert make_labels("en").organisation("unnamed-bogota-2") == "Unnamed organisation 2, Bogotá"
    assert make_labels("es").organisation("unnamed-cajica") == "Organización sin nombre publicado, Cajicá"
    assert make_labels("es").component("ohs") == "SST"


def test_territory_chart_never_draws_a_zero_for_not_published():
    df = pd.DataFrame({
        "territory_id": ["bogota", "bogota", "cajica"],
        "component_id": ["ohs", "formalisation", "ohs"],
        "participations_count": pd.array([147, None, 18], dtype="Int32"),
        "organisations_count": pd.array([7, 5, 1], dtype="Int32"),
        "territory_basis": ["organisation_city", "session_venue", "organisation_city"],
    })
    fig = charts.territory_component_chart(df, "participations_count", "Participations (not people)", make_labels())
    assert fig.layout.title.text == "Participations (not people)"
    ohs, formalisation = fig.data
    assert list(ohs.x) == [147.0, 18.0] and list(ohs.text) == ["147", "18"]
    assert len(formalisation.x) == 0
    assert [a.text for a in fig.layout.annotations if "published" in a.text] == ["<i>not published</i>"]


def test_timeline_labels_reach_and_unpublished():
    df = pd.DataFrame({
        "component_id": ["ohs", "formalisation"], "audience_id": ["waste_pickers", "organisation_leaders"],
        "period_start_date": pd.to_datetime(["2025-04-01", "2025-10-01"]),
        "period_end_date": pd.to_datetime(["2025-05-31", "2025-10-31"]),
        "period_precision": ["month", "month"], "reach_unit": ["participations", "organisations"],
        "participations_count": pd.array([311, None], dtype="Int32"),
        "organisations_count": pd.array([16, 11], dtype="Int32"),
    })
    fig = charts.component_timeline_chart(df, "Components (participations, not people)", make_labels("es"))
    assert "311 participaciones · 16 organizaciones · recicladores" in fig.data[0].y[0]
    assert "participaciones no publicadas · 11 organizaciones" in fig.data[1].y[0]
    assert fig.layout.separators == ",."
    assert list(fig.layout.xaxis.ticktext)[0] == "abr 2025"
    assert list(fig.layout.xaxis.ticktext)[-1] == "oct 2025"


def test_matrix_chart_cells():
    df = pd.DataFrame({
        "organisation_id": ["asorepcol", "asorepcol", "unnamed-cajica", "unnamed-cajica"],
        "organisation_name": ["ASOREPCOL", "ASOREPCOL", "x", "x"], "is_name_published": [True, True, False, False],
        "territory_id": ["bogota", "bogota", "cajica", "cajica"],
        "component_id": ["ohs", "formalisation", "ohs", "formalisation"],
        "participation_status": ["count_published", "unknown", "took_part", "did_not_take_part"],
        "participations_count": pd.array([31, None, None, None], dtype="Int32"),
    })
    fig = charts.organisation_matrix_chart(df, "Matrix (participations)", make_labels())
    assert [list(r) for r in fig.data[0].text] == [["31", "not known"], ["took part", "did not take part"]]
    wide = tables.matrix_table(df, make_labels())
    assert list(wide.columns) == ["Organisation", "Territory", "OHS", "Formalisation"]
    assert wide.iloc[0].tolist() == ["ASOREPCOL", "Bogotá", "31", "not known whether it took part"]
