"""Pure modules: URL state, headline figure texts, chart builders, display tables."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from care_dashboard import charts, figures, i18n, labels, tables, url_state
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
    assert formalisation.type == "scatter" and formalisation.marker.opacity == 0  # no bar, not even a zero one
    assert [a.text for a in fig.layout.annotations if "published" in a.text] == ["<i>not published</i>"]


def test_territory_chart_says_in_words_that_a_territory_has_no_figure_in_a_component():
    # Cajicá has a figure for OHS only: its row in the formalisation panel says so, not a blank gap
    df = pd.DataFrame({
        "territory_id": ["bogota", "bogota", "cajica"],
        "component_id": ["ohs", "formalisation", "ohs"],
        "participations_count": pd.array([147, 30, 18], dtype="Int32"),
        "organisations_count": pd.array([7, 5, 1], dtype="Int32"),
        "territory_basis": ["organisation_city", "session_venue", "organisation_city"],
    })
    for lang, words in (("en", "no data"), ("es", "sin datos")):
        fig = charts.territory_component_chart(df, "participations_count", "P", make_labels(lang))
        said = [(a.text, a.y, a.xref) for a in fig.layout.annotations if a.xref != "paper"]
        assert said == [(f"<i>{words}</i>", "Cajicá", "x2")]
        # a phone lists each panel's own territories: nothing is missing there
        narrow = charts.territory_component_chart(df, "participations_count", "P", make_labels(lang), narrow=True)
        assert [a for a in narrow.layout.annotations if a.xref != "paper"] == []


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
    phone = charts.organisation_matrix_chart(df, "Matrix (participations)", make_labels(), narrow=True)
    # columns about 50 px wide: a status on two lines, the columns' names upright
    assert [list(r) for r in phone.data[0].text] == [["31", "not known"], ["took part", "did not<br>take part"]]
    assert phone.layout.xaxis.tickangle == -90 and fig.layout.xaxis.tickangle == 0
    wide = tables.matrix_table(df, make_labels()).display()
    assert list(wide.columns) == ["Organisation", "Territory", "OHS", "Formalisation"]
    assert wide.iloc[0].tolist() == ["ASOREPCOL", "Bogotá", "31", "not known whether it took part"]


# ---- dataset in the URL ---------------------------------------------------------------------------

def test_url_state_reads_the_dataset_and_ignores_an_unknown_one():
    options = {**OPTIONS, "dataset": ["care_2025", "care_2025_synthetic"]}
    values, ignored = url_state.parse({"dataset": ["care_2025_synthetic"], "territory": ["cajica"]}, options)
    assert values == {"dataset": "care_2025_synthetic", "territory": ["cajica"]} and not ignored
    values, ignored = url_state.parse({"dataset": ["../etc", "nope"]}, options)
    assert values == {} and ignored == [("dataset", "../etc"), ("dataset", "nope")]
    # read the dataset alone first: other keys are not looked at
    values, ignored = url_state.parse({"dataset": ["care_2025"], "territory": ["x"]}, {"dataset": ["care_2025"]})
    assert values == {"dataset": "care_2025"} and not ignored


def test_url_state_leaves_the_default_dataset_out_of_links():
    assert url_state.to_query("en", "en", {}, dataset="care_2025", default_dataset="care_2025") == {}
    assert url_state.to_query("es", "en", {"territory": ["cajica"]}, dataset="care_2025_synthetic", default_dataset="care_2025") == {
        "lang": "es", "dataset": "care_2025_synthetic", "territory": ["cajica"],
    }


# ---- people: texts, tables and charts --------------------------------------------------------------

def test_people_text():
    assert figures.people_text(28, "en") == "28 people"
    assert figures.people_text(1, "es", pd.NA, 5) == "1 persona"
    assert figures.people_text(None, "en", True, 5) == "<5 people"
    assert figures.people_text(pd.NA, "en", pd.NA, 5) == "not published"
    assert figures.people_text(1234, "es", False, 5) == "1.234 personas"


def people_labels():
    comps = pd.DataFrame({
        "component_id": ["ohs", "human-rights", "formalisation"],
        "component_name_en": ["OHS", "Human rights", "Formalisation"],
        "component_name_es": ["SST", "Derechos humanos", "Formalización"],
        "audience_id": ["waste_pickers", "waste_pickers", "organisation_leaders"],
        "reach_unit": ["participations"] * 3,
    })
    terrs = pd.DataFrame({"territory_id": ["bogota", "cajica"], "territory_name": ["Bogotá", "Cajicá"]})
    orgs = pd.DataFrame({
        "organisation_id": ["asorepcol", "asofrain"], "organisation_name": ["ASOREPCOL", "ASOFRAIN"],
        "territory_id": ["bogota", "bogota"], "is_name_published": [True, True], "unnamed_index": [None, None],
    })
    return labels.build(comps, terrs, orgs, "en")


def test_people_by_organisation_table_hides_small_counts_and_leaves_them_out_of_the_sum():
    df = pd.DataFrame({
        "organisation_id": ["asorepcol"] * 3 + ["asofrain"] * 3,
        "territory_id": ["bogota"] * 6,
        "component_id": [None, "ohs", "formalisation", None, "ohs", "formalisation"],
        "people_count": pd.array([40, 37, None, 30, 28, 6], dtype="Int32"),
        "participations_count": pd.array([45, 39, None, 33, 29, 6], dtype="Int32"),
        "is_below_threshold": pd.array([False, False, True, False, False, False], dtype="boolean"),
    })
    table = tables.people_by_organisation_table(df, people_labels(), threshold=5).display()
    assert list(table.columns) == ["Organisation", "Territory", "All components", "OHS", "Formalisation"]
    assert table.iloc[0].tolist() == ["ASOREPCOL", "Bogotá", "40", "37", "<5"]
    assert table.iloc[1].tolist() == ["ASOFRAIN", "Bogotá", "30", "28", "6"]
    assert table.iloc[2].tolist() == ["Sum of the counts shown", "", "70", "65", "6"]  # the hidden one left out


def test_people_by_organisation_table_marks_components_not_attended():
    df = pd.DataFrame({
        "organisation_id": ["asorepcol", "asorepcol", "asofrain", "asofrain"],
        "territory_id": ["bogota"] * 4,
        "component_id": [None, "ohs", None, "human-rights"],
        "people_count": pd.array([10, 10, 8, 8], dtype="Int32"),
        "participations_count": pd.array([10, 10, 8, 8], dtype="Int32"),
        "is_below_threshold": pd.array([False] * 4, dtype="boolean"),
    })
    table = tables.people_by_organisation_table(df, people_labels()).display()
    assert table.iloc[0].tolist() == ["ASOREPCOL", "Bogotá", "10", "10", "did not take part"]


def test_people_by_organisation_table_equals_a_cell_by_cell_reading_on_random_rows():
    """The numpy-filled grid says what a plain walk over the rows says, on random organisations,
    components, counts, hidden and missing cells."""
    rng = np.random.default_rng(7)
    lab = people_labels()
    for _ in range(30):
        rows_, expected_cells, sums = [], {}, {}
        orgs = ["asorepcol", "asofrain", "x1", "x2"][: rng.integers(1, 5)]
        for oid in orgs:
            for cid in [None, "ohs", "human-rights", "formalisation"]:
                if rng.random() < 0.3:
                    continue
                hidden = bool(rng.random() < 0.2)
                count = None if hidden or rng.random() < 0.1 else int(rng.integers(0, 3000))
                rows_.append((oid, "bogota", cid, count, hidden))
        if not rows_:
            continue
        df = pd.DataFrame(rows_, columns=["organisation_id", "territory_id", "component_id", "people_count", "is_below_threshold"])
        df["people_count"] = df["people_count"].astype("Int32")
        df["participations_count"] = df["people_count"]
        df["is_below_threshold"] = df["is_below_threshold"].astype("boolean")
        table = tables.people_by_organisation_table(df, lab, threshold=5).display()
        present = [c for c in ["ohs", "human-rights", "formalisation"] if c in set(df["component_id"].dropna())]
        cols = ["All components", *(lab.component(c) for c in present)]
        assert list(table.columns) == ["Organisation", "Territory", *cols]
        for oid, _, cid, count, hidden in rows_:
            col = "All components" if cid is None else lab.component(cid)
            expected_cells[(oid, col)] = "<5" if hidden else i18n.number(count, "en")
            if not hidden and count is not None:
                sums[col] = sums.get(col, 0) + count
        seen = list(dict.fromkeys(r[0] for r in rows_))
        assert table["Organisation"].tolist() == [lab.organisation(o) for o in seen] + ["Sum of the counts shown"]
        for i, oid in enumerate(seen):
            for col in cols:
                assert table.iloc[i][col] == expected_cells.get((oid, col), "did not take part")
        assert table.iloc[-1][cols].tolist() == [i18n.number(sums.get(c, 0), "en") for c in cols]


def test_matrix_with_records_shows_people_and_never_a_hidden_count():
    df = pd.DataFrame({
        "organisation_id": ["asorepcol", "asorepcol", "asorepcol"],
        "organisation_name": ["ASOREPCOL"] * 3, "is_name_published": [True] * 3, "territory_id": ["bogota"] * 3,
        "component_id": ["ohs", "human-rights", "formalisation"],
        "participation_status": ["count_published", "count_published", "did_not_take_part"],
        "participations_count": pd.array([39, None, None], dtype="Int32"),
        "people_count": pd.array([37, None, None], dtype="Int32"),
        "is_below_threshold": pd.array([False, True, None], dtype="boolean"),
    })
    fig = charts.organisation_matrix_chart(df, "Grid (participations and people)", people_labels(), threshold=5)
    assert [list(r) for r in fig.data[0].text] == [["39 participations<br>37 people", "<5 people", "did not take part"]]
    wide = tables.matrix_table(df, people_labels(), threshold=5).display()
    assert wide.iloc[0].tolist() == ["ASOREPCOL", "Bogotá", "39 participations, 37 people", "<5 people", "did not take part"]


def test_components_per_person_charts():
    df = pd.DataFrame({
        "territory_id": [None, None, None, "bogota", "bogota", "bogota", "cajica", "cajica", "cajica"],
        "components_attended_count": pd.array([1, 2, 3] * 3, dtype="Int32"),
        "people_count": pd.array([30, 20, 0, 25, 12, 0, 5, 8, 0], dtype="Int32"),
    })
    fig = charts.components_per_person_chart(df, "People by components (people)", people_labels())
    assert list(fig.data[0].x) == ["1 component", "2 components", "3 components"]
    assert list(fig.data[0].y) == [30.0, 20.0, 0.0] and list(fig.data[0].text) == ["30", "20", "0"]
    # level numbers, the axis saying what they count: tilted names ran across the notes on a phone
    assert fig.layout.xaxis.tickangle == 0 and list(fig.layout.xaxis.ticktext) == ["1", "2", "3"]
    assert fig.layout.xaxis.title.text == "number of components attended"
    by_territory = charts.components_per_person_by_territory_chart(df, "By territory (people)", people_labels())
    assert [list(t.y) for t in by_territory.data] == [[25.0, 12.0, 0.0], [5.0, 8.0, 0.0]]
    assert [a.text for a in by_territory.layout.annotations][:2] == ["Bogotá", "Cajicá"]


def test_overlaps_chart_bars_and_dot_matrix():
    df = pd.DataFrame({
        "combination_id": ["human-rights+ohs", "ohs", "formalisation+ohs"],
        "component_ids": [["ohs", "human-rights"], ["ohs"], ["ohs", "formalisation"]],
        "components_count": pd.array([2, 1, 2], dtype="Int32"),
        "people_count": pd.array([149, 42, 3], dtype="Int32"),
    })
    fig = charts.component_overlaps_chart(df, "Combinations (people)", people_labels())
    bars = fig.data[0]
    assert list(bars.x) == ["human-rights+ohs", "ohs", "formalisation+ohs"] and list(bars.y) == [149.0, 42.0, 3.0]
    assert [c[0] for c in bars.customdata] == ["OHS + Human rights", "OHS", "OHS + Formalisation"]
    dots = [t for t in fig.data if t.type == "scatter"]
    filled = {t.y[0]: list(t.x) for t in dots if t.mode == "markers" and t.hovertemplate}
    assert filled == {
        "OHS": ["human-rights+ohs", "ohs", "formalisation+ohs"],
        "Human rights": ["human-rights+ohs"],
        "Formalisation": ["formalisation+ohs"],
    }
    lines = [t for t in dots if t.mode == "lines"]
    assert [list(t.x) for t in lines] == [["human-rights+ohs"] * 2, ["formalisation+ohs"] * 2]
    assert fig.data[1].xaxis == "x2" and bars.xaxis == "x"  # bars on top, dots below, one x axis shared
    assert fig.layout.xaxis.matches == "x2" or fig.layout.xaxis2.matches == "x"

    # on a phone, each row of the dot matrix holds its wrapped name, and the numbers stand upright
    long_names = people_labels()
    phone = charts.component_overlaps_chart(df, "Combinations (people)", long_names, narrow=True)
    margin, default = phone.layout.margin, charts.TEMPLATE.layout.margin
    plot_px = phone.layout.height - (margin.t or default.t) - (margin.b or default.b)
    rows = phone.layout.yaxis2.categoryarray
    pitch = plot_px * (phone.layout.yaxis2.domain[1] - phone.layout.yaxis2.domain[0]) / len(rows)
    assert pitch >= 13 * 1.3 * max(r.count("<br>") + 1 for r in rows) + 12 - 0.5
    assert phone.data[0].textangle == -90 and phone.data[0].constraintext == "none"


def test_hide_small_people_hides_one_to_threshold_minus_one():
    df = pd.DataFrame({"people_count": pd.array([0, 1, 4, 5, 12, None], dtype="Int64"), "participations_count": [0, 1, 4, 5, 12, 3]})
    out = figures.hide_small_people(df, 5)
    assert out["people_count"].tolist()[0] == 0 and out["people_count"].tolist()[3:5] == [5, 12]
    assert out["people_count"].isna().tolist() == [False, True, True, False, False, True]
    assert out["people_count_hidden_below"].tolist()[1:3] == [5, 5]
    assert out["people_count_hidden_below"].isna().tolist() == [True, False, False, True, True, True]
    assert out["participations_count"].tolist() == [0, 1, 4, 5, 12, 3]  # people only
    assert [figures.count_cell(v, "en", h) for v, h in zip(out["people_count"], figures.hidden_column(out))] == [
        "0", "<5", "<5", "5", "12", "not published"]


def test_components_per_person_by_territory_shows_the_largest_when_many():
    rows = [(f"t{i:03d}", n, (i + 1) * n) for i in range(30) for n in (1, 2)]
    df = pd.DataFrame(rows, columns=["territory_id", "components_attended_count", "people_count"])
    fig = charts.components_per_person_by_territory_chart(df, "People (people)", make_labels())
    panels = [a.text for a in fig.layout.annotations if a.yref == "paper" and a.text.startswith("t")]
    assert len(panels) == charts.MAX_TERRITORY_PANELS == 12
    assert panels[0] == "t018" and "t029" in panels and "t000" not in panels
    assert any("12 territories with most people of 30" in (a.text or "") for a in fig.layout.annotations)


def test_territory_bars_show_the_busiest_when_many():
    rows = [(f"t{i:03d}", c, (i + 1) * (2 if c == "ohs" else 1), None, 1, "organisation_city")
            for i in range(40) for c in ("ohs", "formalisation")]
    df = pd.DataFrame(rows, columns=["territory_id", "component_id", "participations_count", "people_count",
                                     "organisations_count", "territory_basis"])
    fig = charts.territory_component_chart(df, "participations_count", "Participations (participations)", make_labels())
    assert [len(t.y) for t in fig.data] == [charts.MAX_TERRITORY_ROWS] * 2 == [25, 25]
    assert set(fig.data[0].y) == {f"t{i:03d}" for i in range(15, 40)}  # the 25 with most participations
    assert list(fig.layout.yaxis.categoryarray)[-1] == "t015"  # in their usual order, top to bottom
    assert fig.data[0].x[-1] == 80.0 and fig.data[1].x[-1] == 40.0
    assert any("25 territories with most participations of 40" in (a.text or "") for a in fig.layout.annotations)


def test_organisation_grid_shows_the_busiest_when_many():
    rows = [(f"o{i:03d}", f"Org {i}", True, "bogota", "ohs", "count_published", i + 1, 9, False) for i in range(45)]
    df = pd.DataFrame(rows, columns=["organisation_id", "organisation_name", "is_name_published", "territory_id",
                                     "component_id", "participation_status", "participations_count", "people_count",
                                     "is_below_threshold"])
    fig = charts.organisation_matrix_chart(df, "Grid", make_labels())
    assert len(fig.data[0].y) == charts.MAX_MATRIX_ORGANISATIONS == 30
    assert list(fig.data[0].y)[0] == "o015" and list(fig.data[0].y)[-1] == "o044"
    assert any("30 organisations with most participations of 45" in (a.text or "") for a in fig.layout.annotations)
    assert len(tables.matrix_table(df, make_labels())) == 45  # the table keeps every organisation


def test_a_chart_enlarged_for_a_projector_keeps_room_for_its_row_names():
    """On a slide the row names grow with every text (``charts.for_projector``): the room the
    builder set for them grows as much, and the source line stays at the figure's left edge.
    (At 1920x1080 the component slide cut "Occupational health" to "ccupational health".)"""
    df = pd.DataFrame({"component_id": ["ohs", "formalisation"],
                       "participations_count": pd.array([311, None], dtype="Int32"),
                       "organisations_count": pd.array([16, 11], dtype="Int32")})
    fig = charts.component_participations_chart(df, "Participations by component", make_labels())
    charts.with_heading(fig, "participations (attendances), not people")
    fig = charts.with_caveat_footer(fig, ["Source: the report."])
    left = fig.layout.margin.l
    assert fig.layout.yaxis.automargin is False and left > 10
    source = [a for a in fig.layout.annotations if a.text == "Source: the report."][0]
    assert source.xshift == -(left - 10)

    big = charts.for_projector(fig, scale=1.5)
    assert big.layout.yaxis.tickfont.size == 21
    assert big.layout.margin.l == round(left * 1.5)
    assert big.layout.title.subtitle.font.size == round(fig.layout.title.subtitle.font.size * 1.5)
    big_source = [a for a in big.layout.annotations if a.text == "Source: the report."][0]
    assert big_source.xshift == -(big.layout.margin.l - 10)  # still from the figure's left edge
    not_published = [a for a in big.layout.annotations if "published" in a.text][0]
    assert not_published.xshift is None  # written at its bar's place, not moved
    assert fig.layout.margin.l == left  # the page's figure is left as it was


def test_four_headline_figures_stand_two_by_two_on_a_slide():
    from care_dashboard import slides
    assert [slides.figures_per_row(n) for n in range(1, 7)] == [1, 2, 3, 2, 3, 3]


def test_a_title_of_two_lines_gets_back_the_room_plotly_takes_above_it():
    """Plotly draws a title of several lines, anchored at its top, 0.7 em higher than a title of
    one line; the heading's pad gives that back, and the top margin grows by as much."""
    one = charts.with_heading(charts.component_participations_chart(
        pd.DataFrame({"component_id": ["ohs"], "participations_count": pd.array([311], dtype="Int32"),
                      "organisations_count": pd.array([16], dtype="Int32")}), "Short", make_labels()), "participations")
    assert one.layout.title.pad.t == 12
    long_title = "What is known of each organisation's part in each component, territory by territory"
    two = charts.with_heading(charts.component_participations_chart(
        pd.DataFrame({"component_id": ["ohs"], "participations_count": pd.array([311], dtype="Int32"),
                      "organisations_count": pd.array([16], dtype="Int32")}), long_title, make_labels()), "participations")
    assert "<br>" in two.layout.title.text
    assert two.layout.title.pad.t == 12 + round(0.7 * 19)
    assert two.layout.margin.t - one.layout.margin.t == charts.TITLE_LINE_PX + round(0.7 * 19)
    wide = charts.with_heading(charts.component_participations_chart(
        pd.DataFrame({"component_id": ["ohs"], "participations_count": pd.array([311], dtype="Int32"),
                      "organisations_count": pd.array([16], dtype="Int32")}), long_title, make_labels()),
        "participations", title_chars=120)
    assert "<br>" not in wide.layout.title.text and wide.layout.title.pad.t == 12  # a slide's width: one line


def test_row_names_on_a_slide_are_no_taller_than_their_rows():
    import plotly.graph_objects as go
    names = [f"Organisation {i}" for i in range(16)]
    fig = go.Figure(go.Heatmap(z=[[1]] * 16, y=names, x=["ohs"]))
    fig.update_layout(height=500, margin=dict(t=100, b=60))
    fig.update_yaxes(tickfont=dict(size=21))
    charts.fit_rows(fig)
    assert fig.layout.yaxis.tickfont.size == int((500 - 160) / 16 * 0.9 / 1.25) == 15
    roomy = go.Figure(go.Bar(x=[1, 2], y=["a", "b"], orientation="h"))
    roomy.update_layout(height=600, margin=dict(t=100, b=60))
    roomy.update_yaxes(tickfont=dict(size=21))
    assert charts.fit_rows(roomy).layout.yaxis.tickfont.size == 21  # room enough: left as it is
    values = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))  # numbers on y: no rows to fit
    values.update_yaxes(tickfont=dict(size=21))
    assert charts.fit_rows(values).layout.yaxis.tickfont.size == 21


def test_the_timeline_reach_lines_grow_on_a_slide():
    df = pd.DataFrame({
        "component_id": ["ohs"], "audience_id": ["waste_pickers"],
        "period_start_date": pd.to_datetime(["2025-04-01"]), "period_end_date": pd.to_datetime(["2025-05-31"]),
        "period_precision": ["month"], "reach_unit": ["participations"],
        "participations_count": pd.array([311], dtype="Int32"), "organisations_count": pd.array([16], dtype="Int32"),
    })
    fig = charts.component_timeline_chart(df, "Components", make_labels())
    assert "font-size:13px" in fig.data[0].y[0]
    big = charts.for_projector(fig, scale=1.5)
    assert "font-size:20px" in big.data[0].y[0] and list(big.layout.yaxis.categoryarray) == list(big.data[0].y)


def test_a_grid_of_many_rows_writes_its_two_line_cells_on_one_line_on_a_slide():
    import plotly.graph_objects as go
    names = [f"Organisation {i}" for i in range(16)]
    cells = [["33 participations<br>20 people"] for _ in names]
    fig = go.Figure(go.Heatmap(z=[[1]] * 16, y=names, x=["ohs"], text=cells, texttemplate="%{text}",
                               textfont=dict(size=21)))
    fig.update_layout(height=440, margin=dict(t=120, b=80))  # a 720p slide: 15 px a row
    charts.fit_rows(fig)
    assert fig.data[0].text[0][0] == "33 participations · 20 people"
    assert fig.data[0].textfont.size == int(240 / 16 * 0.9 / 1.25) == 10
    tall = go.Figure(go.Heatmap(z=[[1]] * 4, y=names[:4], x=["ohs"], text=cells[:4], texttemplate="%{text}",
                                textfont=dict(size=21)))
    tall.update_layout(height=640, margin=dict(t=120, b=80))  # 110 px a row: both lines stay
    charts.fit_rows(tall)
    assert tall.data[0].text[0][0] == "33 participations<br>20 people" and tall.data[0].textfont.size == 21


def test_a_phone_grid_of_attendance_records_abbreviates_its_cells_and_fits_its_names():
    df = pd.DataFrame({
        "organisation_id": ["asorepcol", "unnamed-bogota-2"], "organisation_name": ["ASOREPCOL", "x"],
        "is_name_published": [True, False], "territory_id": ["bogota", "bogota"], "component_id": ["ohs", "ohs"],
        "participation_status": ["took_part", "took_part"],
        "participations_count": pd.array([33, 12], dtype="Int32"), "people_count": pd.array([20, None], dtype="Int32"),
        "is_below_threshold": [False, True],
    })
    assert figures.matrix_cell_texts(df, "es", 5, short=True, narrow=True) == ["33 part.<br>20 pers.", "<5 pers."]
    assert figures.matrix_cell_texts(df, "en", 5, short=True, narrow=True) == ["33 att.<br>20 ppl", "<5 ppl"]
    assert figures.matrix_cell_texts(df, "en", 5, short=True) == ["33 participations<br>20 people", "<5 people"]
    fig = charts.organisation_matrix_chart(df, "Matrix", make_labels(), narrow=True)
    names = [wrap.split("<br>") for wrap in fig.data[0].y]
    rows_px = (fig.layout.height - 200) / len(names)
    assert rows_px >= 11 * 1.3 * max(len(n) for n in names) + 10  # a row holds its name's lines


def test_the_map_of_a_slide_is_scaled_to_its_room_and_never_narrower_than_it_is_drawn_for():
    from care_dashboard import slides
    # 720p: the chart has 543 px of a 831-px map; the slide is wide enough
    assert slides.map_zoom(543, 831, 740, 1280) == pytest.approx(543 / 831)
    # a tall, narrow window: the width decides (the map's narrowest width fits the slide)
    assert slides.map_zoom(1400, 831, 740, 800) == pytest.approx(800 * 0.93 / 740)
    # a very large screen: no more than the other charts' texts grow
    assert slides.map_zoom(2000, 831, 740, 3840) == slides.MAP_MAX_ZOOM


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
@pytest.mark.parametrize("n", range(1, 13))
def test_components_per_person_by_territory_builds_for_any_number_of_territories(n, narrow):
    """Five municipalities on a phone put the last row's panel at a domain of -5.6e-17, which
    Plotly refuses, and the People page failed. Every count of panels gives a figure Plotly
    accepts, with every panel inside the plot and one scale for all of them (a territory of 17
    people is drawn at a fifth of one of 90, not as tall)."""
    rows = [(f"Municipio número {i} de Bolívar", k, (i + 1) * 17 // k) for i in range(n) for k in (1, 2, 3)]
    df = pd.DataFrame(rows, columns=["territory_id", "components_attended_count", "people_count"])
    fig = charts.components_per_person_by_territory_chart(df, "People (people)", make_labels(), narrow=narrow)
    again = go.Figure(fig.to_dict())  # raises on a domain outside [0, 1]
    axes = [again.layout[name] for name in again.layout if name.startswith(("xaxis", "yaxis")) and again.layout[name]]
    assert len(axes) == 2 * n
    assert all(0 <= axis.domain[0] < axis.domain[1] <= 1 for axis in axes)
    ranges = {tuple(again.layout[name].range) for name in again.layout if name.startswith("yaxis") and again.layout[name]}
    assert len(ranges) == 1 and list(ranges)[0][1] >= n * 17


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_small_multiple_says_in_words_where_no_one_is(lang):
    """Every territory's panel has the same columns (1, 2, 3 components); where no one in a
    territory attended that many, the cell says so ("no one") instead of leaving a gap."""
    rows = [("bogota", 1, 50), ("bogota", 2, 30), ("bogota", 3, 10), ("cajica", 1, 17), ("cajica", 2, 4)]
    df = pd.DataFrame(rows, columns=["territory_id", "components_attended_count", "people_count"])
    fig = charts.components_per_person_by_territory_chart(df, "People (people)", make_labels(lang))
    assert list(fig.layout.xaxis.categoryarray) == list(fig.layout.xaxis2.categoryarray) == ["1", "2", "3"]
    said = [(a.text, a.x, a.xref) for a in fig.layout.annotations if a.xref != "paper"]
    assert said == [(i18n.t("charts.no_one", lang), "3", "x2")]
