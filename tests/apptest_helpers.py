"""What the AppTest tests of pages share: opening a page as a visitor would, finding the blocks
the dashboard keys, reading a chart's figure and its caveats. Used by tests/test_pages.py and the
other page tests; a module of its own (not a test file) so that importing it collects no tests."""

import base64
import functools
import json

import duckdb
import numpy
from streamlit.testing.v1 import AppTest

from care_dashboard import catalogue, caveats, datasets, paths, queries, screen, synthetic

PAGES = {
    "overview": "pages/overview.py",
    "territory": "pages/territory.py",
    "component": "pages/component.py",
    "organisation": "pages/organisation.py",
    "people": "pages/people.py",
    "method": "pages/method.py",
}
CHART_QUERIES = {
    "overview": [("overview_components", "component_reach"), ("overview_by_territory", "participations_by_territory")],
    "territory": [("territory_map", "participations_by_territory", ["map_positions_approximate"]), ("territory_participations", "coverage_by_territory"),
                  ("territory_organisations", "coverage_by_territory")],
    "component": [("component_timeline", "component_reach")],
    "organisation": [("organisation_matrix", "organisation_matrix")],
}
SYNTHETIC = synthetic.NAME
SYNTHETIC_CHART_QUERIES = {
    **CHART_QUERIES,
    "territory": CHART_QUERIES["territory"] + [("territory_people", "coverage_by_territory")],
    "people": [("people_components", "people_by_components_attended"), ("people_overlaps", "component_overlaps"),
               ("people_components_by_territory", "people_by_components_attended")],
}



def open_page(page, lang=None, dataset=None, link=None, phone=False, **filters):
    """Open a page as a visitor would: from a shared link (``link``: its query parameters), or
    from the start page, then setting ``lang``, ``dataset`` and filters in the sidebar; with
    ``phone``, as a phone's browser (sent the charts' phone variants too: care_dashboard/screen.py).

    A link is opened in one run, as a first request (that its choices hold in the runs after it:
    ``test_a_link_s_choices_hold_in_the_runs_after_the_first``)."""
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    if phone:
        at.session_state[screen.PHONE_KEY] = True
    if link:
        assert not (lang or dataset or filters), "a link carries the whole view"
        at.query_params = dict(link)
        at.switch_page(str(paths.ROOT / PAGES[page]))
        at.run()
    else:
        at.run()
        at.switch_page(str(paths.ROOT / PAGES[page]))
        at.run()
    if lang:
        at.sidebar.radio(key="lang").set_value(lang)
    if dataset:
        at.sidebar.radio(key="dataset").set_value(dataset)
    for key, value in filters.items():
        at.sidebar.multiselect(key=key).set_value(value)
    if lang or dataset or filters:
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def blocks_with(at, element_type):
    """Containers that directly hold an element of the given type."""
    found = []

    def walk(node):
        kids = getattr(node, "children", None) or {}
        kids = list(kids.values()) if isinstance(kids, dict) else list(kids)
        if any(getattr(k, "type", None) == element_type for k in kids):
            found.append(kids)
        for k in kids:
            walk(k)

    walk(at.main)
    return found


def decode(values):
    """Plotly 7 sends numeric arrays as base64 ("bdata"); give them back as a list."""
    if isinstance(values, dict) and "bdata" in values:
        return numpy.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values or [])


def metric_values(at):
    return {m.label: m.value for m in at.metric}



def keyed_blocks(at, prefix):
    """{key: block} of the containers the dashboard keys ``prefix + key`` (ui_figures.chart_block keys
    ``care_chart_KEY``, figure_block ``care_figure_KEY``, table_block ``care_table_KEY``)."""
    found = {}

    def walk(node):
        proto = getattr(node, "proto", None)
        block_id = getattr(proto, "id", "") if type(node).__name__ in ("Block", "Expander") else ""
        if block_id and f"-{prefix}" in block_id:
            found[block_id.split(f"-{prefix}", 1)[1]] = node
        kids = getattr(node, "children", None) or {}
        for kid in (kids.values() if isinstance(kids, dict) else kids):
            walk(kid)

    walk(at.main)
    return found


def elements(node, element_type):
    """Every element of a type anywhere inside a block."""
    out = []

    def walk(n):
        if getattr(n, "type", None) == element_type:
            out.append(n)
        kids = getattr(n, "children", None) or {}
        for kid in (kids.values() if isinstance(kids, dict) else kids):
            walk(kid)

    walk(node)
    return out


def texts_in(node) -> str:
    """The Markdown and captions inside a block (popovers included), one string."""
    return "\n".join(e.value for kind in ("markdown", "caption") for e in elements(node, kind))


def wide_figure(block):
    """The chart of a chart block as shown on screens and projectors (not its phone variant)."""
    [chart] = [c for c in elements(block, "plotly_chart") if not c.proto.id.endswith("_narrow")]
    return json.loads(chart.proto.spec), chart.proto.alt


@functools.cache
def data_facts(name: str, data_dir=None) -> caveats.DataFacts:
    """What is true of a dataset for its caveats, as the dashboard reads it (query data_facts)."""
    dataset = datasets.load_dataset(name, data_dir)
    con = duckdb.connect()
    datasets.attach(con, dataset)
    return caveats.DataFacts.from_row(dataset, queries.run(con, dataset.schema_name, "data_facts", {}).iloc[0].to_dict())


def expected_split(figure_key, query_caveats, lang, kind, synthetic, data=None):
    """The key caveats of a figure and the rest, on the dataset ``data`` (DataFacts; by default the
    report's figures, or the synthetic demo)."""
    data = data or data_facts(SYNTHETIC if synthetic else "care_2025")
    assert data.kind == kind
    held = caveats.for_ids(list(query_caveats) + list(caveats.SYNTHETIC_IDS), lang, data, {"threshold": 5})
    return caveats.split_for_figure(catalogue.get(figure_key).key_caveats, held)


def assert_charts_have_unit_and_caveats(at, expected_queries, lang, kind, is_synthetic, data=None,
                                        licence="CC BY-NC 4.0"):
    """Each chart in one container: a title, its unit under it, inside the figure its key caveats
    in short form (with what they rest on and their note numbers) and the source line; every
    other caveat of its query one click away in "About these figures"; no caveat that does not
    hold for the dataset (another kind's, or one bound to other datasets) anywhere in it; a text
    alternative."""
    data = data or data_facts(SYNTHETIC if is_synthetic else "care_2025")
    blocks = keyed_blocks(at, "care_chart_")
    assert list(blocks) == [key for key, *_ in expected_queries]
    unit_words = {"en": ("participations", "organisations", "people"),
                  "es": ("participaciones", "organizaciones", "personas")}[lang]
    source = {"en": "Source:", "es": "Fuente:"}[lang]
    for key, query, *extra in expected_queries:
        figure_caveats = list(queries.get(query).caveats) + (extra[0] if extra else [])
        fig, alt = wide_figure(blocks[key])
        heading = (fig["layout"]["title"]["text"] + " " + fig["layout"]["title"]["subtitle"]["text"]).lower()
        assert any(word in heading for word in unit_words), heading
        footer = fig["layout"]["annotations"][-1]["text"].replace("<br>", " ")
        key_caveats, rest = expected_split(key, figure_caveats, lang, kind, is_synthetic, data)
        assert 1 <= len([c for c in key_caveats if c.id not in caveats.SYNTHETIC_IDS]) <= caveats.KEY_CAVEATS_SHOWN
        assert {c.id for c in key_caveats} <= set(catalogue.get(key).key_caveats) | set(caveats.SYNTHETIC_IDS), key
        for c in key_caveats:
            assert c.short.replace("&", "&amp;") in footer, (key, c.id)
        assert source in footer and licence in footer
        assert any(c.id in caveats.SYNTHETIC_IDS for c in key_caveats) == is_synthetic
        about = texts_in(blocks[key])
        for c in key_caveats + rest:  # every caveat of the chart in full, one click away
            assert c.title in about and c.text in about, (key, c.id)
        for cid in figure_caveats:  # caveats that do not hold here (another kind's, other datasets'): nowhere
            if not caveats.holds(cid, data):
                other = caveats.get(cid, lang)
                assert other.title not in about and other.short not in footer, cid
        assert alt and fig["layout"]["title"]["text"].split("<br>")[0] in alt
