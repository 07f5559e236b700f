"""Issue 6, without a browser: hostile and strange names (tests/hostile.py) show as plain text on
every page, in the sidebar, in every chart and in every export; formula cells are neutralised in
every CSV; links with unknown ids, SQL fragments, huge or repeated values change nothing but the
view; every query stays parameter-bound. The browser part (nothing runs in a real page, the
offline briefing) is tests/browser/test_hostile_browser.py."""

import csv
import io
import json
import re
import shutil

import openpyxl
import pytest

from care_dashboard import briefing, caveats, datasets, exports, honest, labels, paths, queries, views
from care_dashboard.selection import Selection
from tests import hostile
from tests.apptest_helpers import PAGES, blocks_with, metric_values, open_page
from tests.conftest import Runner

# markup from the data that would be read as such if it were not escaped
RAW_MARKDOWN = re.compile(
    r"(?<!\\)<\s*(img|script|svg)|(?<!\\)\]\(javascript|(?<!\\):red\[|(?<!\\):material/home|"
    r"(?<!\\)\*\*bold|(?<!\\)!\[i\]", re.IGNORECASE)
RAW_HTML = re.compile(r"<\s*(img|script|svg)", re.IGNORECASE)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile_data")
    shutil.copytree(paths.DATA_DIR / "care_2025", folder / "care_2025")
    hostile.publish(folder)
    return folder


@pytest.fixture
def in_hostile_data(hostile_data, monkeypatch):
    monkeypatch.setattr(paths, "DATA_DIR", hostile_data)
    return hostile_data


def markdown_texts(at) -> list[str]:
    """Every text of the run that Streamlit reads as Markdown, as the app sent it."""
    texts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "toast", "title",
                 "header", "subheader"):
        texts += [e.value for e in getattr(at, kind)] + [e.value for e in getattr(at.sidebar, kind)]
    texts += [m.label for m in at.metric] + [str(m.value) for m in at.metric]
    for radio in at.sidebar.radio:
        texts += [str(o) for o in radio.options]
    return texts


def chart_strings(at) -> list[str]:
    """Every string in every Plotly figure of the run (texts, labels, hover, annotations)."""
    found = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for kids in blocks_with(at, "plotly_chart"):
        for k in kids:
            if k.type == "plotly_chart":
                walk(json.loads(k.proto.spec))
    return found


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("link", [{"dataset": hostile.NAME},
                                  {"dataset": hostile.NAME, "organisation": "org-1", "territory": "north"}],
                         ids=["whole", "filtered"])
def test_hostile_names_are_plain_text_on_every_page(in_hostile_data, page, link):
    at = open_page(page, link=link)
    assert at.sidebar.radio(key="dataset").value == hostile.NAME
    for text in markdown_texts(at):
        assert not RAW_MARKDOWN.search(text), f"{page}: markup from the data reaches Markdown: {text[:200]!r}"
    strings = chart_strings(at)
    for text in strings:
        assert not RAW_HTML.search(text), f"{page}: HTML from the data reaches a chart: {text[:200]!r}"
    if page in ("territory", "organisation", "people"):
        assert any("&lt;img src=x" in s or "&lt;script&gt;" in s or "&lt;svg" in s for s in strings), page
    assert not any("muy " * 60 in s for s in strings)  # the 1,200-character name is cut in charts


def test_hostile_names_show_whole_and_as_typed_in_tables_and_the_sidebar(in_hostile_data):
    at = open_page("organisation", link={"dataset": hostile.NAME})
    table = at.dataframe[-1].value
    names = set(table.iloc[:, 0])
    assert {hostile.IMG, hostile.FORMULA, hostile.LONG} <= names  # tables show text, not markup
    assert any(hostile.IMG in o for o in at.sidebar.multiselect(key="organisation").options)
    assert set(at.sidebar.multiselect(key="territory").options) == {hostile.SCRIPT, hostile.EMOJI_RTL}
    # the chart cuts the long name and says where it continues
    strings = chart_strings(at)
    assert any(s.startswith("Asociación muy") and s.endswith("\u2026") for s in strings)


def test_markdown_escaping_shows_the_value_as_typed():
    from care_dashboard import ui

    escaped = ui.plain(hostile.MARKDOWN + "\n# heading")
    assert not RAW_MARKDOWN.search(escaped) and "\n" not in escaped
    # what Markdown shows (the word joiners ui.plain adds are invisible)
    assert re.sub(r"\\(.)", r"\1", escaped).replace("\u2060", "") == hostile.MARKDOWN + " # heading"
    assert ui.safe_url("javascript:window.__care_pwned=5") == ""
    assert ui.safe_url("https://creativecommons.org/licenses/by-nc/4.0/") == "https://creativecommons.org/licenses/by-nc/4.0/"


def test_chart_text_is_plain_and_bounded():
    assert labels.chart_text(hostile.IMG) == '&lt;img src=x onerror="window.__care_pwned=1"&gt;'
    assert labels.chart_text("a & b") == "a &amp; b"
    cut = labels.chart_text(hostile.LONG)
    assert len(cut) <= labels.MAX_CHART_NAME and cut.endswith("\u2026") and cut.startswith("Asociación muy muy")
    assert labels.chart_text(hostile.EMOJI_RTL) == hostile.EMOJI_RTL  # emoji and RTL text untouched


def hostile_views(folder, lang="en", **filters):
    runner = Runner(datasets.load_dataset(hostile.NAME, folder))
    opts = [runner(n) for n in ("component_options", "territory_options", "organisation_options")]
    names = labels.build(*opts, lang)
    return views.build(lambda name, **p: runner(name, **filters, **p), names, True, 5), names


def read_csv(data: bytes, lang: str = "en") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=exports.SEPARATOR[lang]))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_export_neutralises_formula_cells(hostile_data, lang):
    found, names = hostile_views(hostile_data, lang)
    assert found, "the hostile dataset has views"
    ds = datasets.load_dataset(hostile.NAME, hostile_data)
    header = exports.ExportHeader(
        title=ds.title(lang), unit="participations", caveats=caveats.for_ids(["participation_not_person"], lang, ds.kind),
        filters=hostile.FORMULA, dataset=ds.title(lang), source=ds.metadata["source_citation"], licence=hostile.FORMULA)
    written = 0
    for view in found:
        for df in (view.table, getattr(view, "export", None)):
            if df is None:
                continue
            rows = read_csv(exports.csv_bytes(df, header, lang), lang)  # the file as a spreadsheet opens it
            cells = [c for row in rows for c in row]
            for cell in cells:
                if cell[:1] in FORMULA_START:
                    assert exports._NUMBER.match(cell), f"{view.key}: formula cell left live: {cell!r}"
            written += sum(c.startswith("'=") or c.startswith("'@") for c in cells)
    assert written >= 2  # the organisation named =HYPERLINK(...) and the @SUM(...) component, at least
    for view in found:  # and in the Excel file, no text is a formula
        if view.typed_table is not None:
            book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(view.typed_table, header, lang)))
            assert not [c.coordinate for s in book for row in s.iter_rows() for c in row if c.data_type == "f"], view.key


def test_offline_briefing_of_hostile_data_escapes_every_name(hostile_data):
    found, names = hostile_views(hostile_data)
    ds = datasets.load_dataset(hostile.NAME, hostile_data)
    page = briefing.build_html(
        found, "en", filters=hostile.MARKDOWN, dataset_title=hostile.IMG, source=hostile.SVG, licence=hostile.SCRIPT,
        frames={v.key: honest.frame(v, caveats_for=lambda ids: caveats.for_ids(ids, "en", "record_level"),
                                    selection=Selection(), labels=names, dataset=ds, lang="en") for v in found},
        source_of=lambda c: c.section, where=lambda c: c.section)
    body = page.split("</head>", 1)[1]
    # Plotly's own scripts draw the figures; outside them no tag from the data exists, and no name
    # ends one of them early (it would leave the rest of the figure as live HTML)
    scripts = re.findall(r"<script>\s*window\.PLOTLYENV.*?</script>", body, flags=re.S)
    assert len(scripts) == sum((v.chart is not None) + (v.narrow_chart is not None) for v in found)
    assert all("Plotly.newPlot" in s for s in scripts)
    html_part = re.sub(r"<script>\s*window\.PLOTLYENV.*?</script>", "", body, flags=re.S)
    assert not RAW_HTML.search(html_part), "a tag from the data is live HTML"
    assert "&lt;img src=x" in body
    assert "window.__care_pwned=2</script>" not in body  # a name cannot close the figure's script


# --- links ----------------------------------------------------------------------------------------

INJECTIONS = [
    "' OR 1=1 --",
    "'; DROP TABLE attendance; --",
    "ohs' UNION SELECT organisation_name FROM organisations --",
    "ohs\"); DROP SCHEMA main CASCADE; --",
    "<script>window.__care_pwned=9</script>",
    "../../etc/passwd",
    "%00",
    "x" * 100_000,
]


@pytest.mark.parametrize("key", ["dataset", "lang", "component", "territory", "organisation"])
@pytest.mark.parametrize("value", INJECTIONS, ids=range(len(INJECTIONS)))
def test_a_link_with_hostile_values_changes_nothing_but_the_view(key, value):
    at = open_page("overview", link={key: value})
    assert not at.exception
    assert metric_values(at)["Participations"] == "799"  # the default view, unfiltered
    assert at.sidebar.radio(key="dataset").value == "care_2025"
    toast = " ".join(t.value for t in at.toast)
    assert toast and len(toast) < 1000  # said, briefly, as plain text
    assert not RAW_MARKDOWN.search(toast)


def test_a_link_with_many_repeated_values_is_one_filter():
    at = open_page("overview", link={"territory": ["cajica"] * 400 + ["nope"] * 400})
    assert not at.exception
    assert metric_values(at)["Participations"] == "40"
    assert at.sidebar.multiselect(key="territory").value == ["cajica"]
    # beyond 1,000 values Streamlit drops the whole query string: the default view, no error
    at = open_page("overview", link={"territory": ["cajica"] * 5000 + ["nope"] * 5000})
    assert not at.exception and metric_values(at)["Participations"] == "799"


@pytest.mark.parametrize("name", queries.all_names())
def test_every_query_binds_hostile_filter_values(care, name):
    """Filter values reach DuckDB only as bound parameters: the usual injection strings match
    nothing, raise nothing and change nothing."""
    params = queries.get(name).params
    lists = [p for p, kind in params.items() if kind.endswith("[]")]
    before = care.con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0] + \
        care.con.execute("SELECT count(*) FROM duckdb_views()").fetchone()[0]
    baseline = care(name)
    for value in INJECTIONS[:5]:
        for p in lists:
            df = care(name, **{p: [value]})
            assert len(df) <= len(baseline), (name, p, value)
    after = care.con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0] + \
        care.con.execute("SELECT count(*) FROM duckdb_views()").fetchone()[0]
    assert after == before
    assert care("total_participations").iloc[0]["participations_count"] == 799


def test_no_query_text_is_built_from_values():
    """Named queries take values only as $parameters; the Python code that runs them never
    formats a value into SQL (the only formatted names are validated schema names)."""
    for name in queries.all_names():
        sql = queries.get(name).sql
        assert "{" not in sql and "%s" not in sql, name
    source = (paths.ROOT / "care_dashboard" / "queries.py").read_text(encoding="utf-8")
    assert "cur.execute(query.sql, params)" in source
    with pytest.raises(datasets.DatasetError):
        datasets.validate_name("x'; DROP SCHEMA main; --")
