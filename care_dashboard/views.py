"""The catalogue's figures built for the current selection (``content/figures.toml``): each a
``View`` with its title, unit, caveats, notes and, built only when asked for, its chart (wide and
for a phone) and its table. Pages, the presentation, the offline briefing and the exports all take
their figures from here, so a figure says the same on every surface.

Pure apart from ``Source.run``, the function that runs a named query with the selection (the
pages' ``PageContext.run``), so it tests without Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from . import catalogue, i18n, makers
from .catalogue import Entry
from .labels import Labels
from .typed_table import Table

HEADLINE_UNIT = "units.participations_long"  # the slide of a page's headline figures


@dataclass(frozen=True)
class Source:
    """What the figures are built from: the selection's queries, the labels of its language, and
    what kind of data it is."""

    run: Callable[..., pd.DataFrame]  # a named query with the selection and bound parameters
    labels: Labels
    record_level: bool
    threshold: int
    # a named query without the selection; the map needs it (its places and the whole dataset's scale)
    run_unfiltered: Callable[..., pd.DataFrame] | None = None

    @property
    def lang(self) -> str:
        return self.labels.lang

    @property
    def kind(self) -> str:
        return "record_level" if self.record_level else "published_aggregate"

    def t(self, key: str, **values) -> str:
        return i18n.t(key, self.lang, **values)

    def rows(self, entry: Entry) -> pd.DataFrame:
        params = {"min_people": self.threshold} if "min_people" in entry.params else {}
        if entry.unfiltered:
            if self.run_unfiltered is None:
                return pd.DataFrame()
            return self.run_unfiltered(entry.query, **params)
        return self.run(entry.query, **params)

    def has_rows(self) -> bool:
        """Whether the selection matches any record or published figure."""
        return bool(self.run("total_participations").iloc[0]["matching_rows_count"])


@dataclass
class Figure:
    """A headline figure on a slide of several (``View.figures``)."""

    label: str
    value: str
    unit: str
    caveat_ids: list[str]
    key: str = ""  # its catalogue entry
    notes: list[str] = field(default_factory=list)


@dataclass
class View:
    """One figure of the catalogue for the selection: a headline number (``value``), a chart, a
    table, or the slide of a page's headline figures (``figures``). Charts and tables are built
    only when asked for (``chart``, ``narrow_chart``, ``table``)."""

    key: str
    title: str
    unit: str
    caveat_ids: list[str]
    make_chart: Callable[[], go.Figure] | None = None
    figures: list[Figure] = field(default_factory=list)
    make_table: Callable[[], Table | pd.DataFrame] | None = None
    make_narrow_chart: Callable[[], go.Figure] | None = None
    value: str | None = None
    help: str | None = None
    # what its data calls to be said beside it: components not in a sum because not published,
    # records without a document number
    notes: list[str] = field(default_factory=list)
    narrow: str | None = None  # the catalogue's narrow layout ("column": one variant, wrapped short)
    note: str | None = None  # a table's note
    # what its table depends on besides the view: figures that share a query and a table (the
    # three bar charts by territory) share one, built once
    table_key: tuple = ()
    # the query's result the chart and table are drawn from (a file that redraws the chart, such
    # as the .pptx's native charts, takes its data from here); None on a slide of headline figures
    rows: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    _built: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_chart(self) -> bool:
        return self.make_chart is not None

    def _once(self, name: str, make):
        if make is None:
            return None
        if name not in self._built:
            self._built[name] = make()
        return self._built[name]

    @property
    def chart(self) -> go.Figure | None:
        """The chart, built the first time it is asked for and kept (decorate a copy)."""
        return self._once("chart", self.make_chart)

    @property
    def narrow_chart(self) -> go.Figure | None:
        """The chart for a phone, built the first time it is asked for; None without one."""
        return self._once("narrow_chart", self.make_narrow_chart)

    @property
    def typed_table(self) -> Table | None:
        """The table typed (numbers as numbers, why each unknown one is missing), as the
        exports write it; built the first time it is asked for and kept. A table made as a frame
        (``make_table`` may return one) is taken as it is."""
        made = self._once("table", self.make_table)
        if isinstance(made, pd.DataFrame):
            return Table.of_frame(made, "en")
        return made

    @property
    def table(self) -> pd.DataFrame | None:
        """The table as the page shows it, every cell in words (``typed_table`` formatted)."""
        made = self._once("table", self.make_table)
        return made if made is None or isinstance(made, pd.DataFrame) else made.display()


def not_in_sum_note(df: pd.DataFrame, labels: Labels) -> str | None:
    """Which components are left out of the rows' sums because their counts are not published
    (``components_not_published``); None when none is, or the rows sum nothing."""
    if "components_not_published" not in df.columns or df.empty:
        return None
    missing = sorted({c for cs in df["components_not_published"] for c in (cs if cs is not None else ())},
                     key=lambda c: list(labels.components).index(c) if c in labels.components else 999)
    if not missing:
        return None
    return i18n.t("figures.not_in_sum", labels.lang, components=", ".join(labels.component(c) for c in missing))


def _named(name: str | None, entry: Entry, what: str) -> str:
    """A name the entry must give for its kind (the catalogue's check, ``catalogue._problems``)."""
    if name is None:
        raise KeyError(f"figure {entry.id!r} names no {what}")
    return name


def _chart_of(view: View) -> go.Figure:
    """The view's chart, which a chart entry always makes (``build_view``)."""
    chart = view.chart
    if chart is None:
        raise ValueError(f"figure {view.key!r} has no chart")
    return chart


def _title(entry: Entry, source: Source, df: pd.DataFrame) -> str:
    if entry.builder in makers.TITLES and not df.empty:
        return makers.TITLES[entry.builder](df, source.lang)
    return source.t(_named(entry.text_key("title", source.kind), entry, f"title for {source.kind}"))


def build_view(entry: Entry, source: Source) -> View | None:
    """The figure ``entry`` for the selection, or None when it does not apply to this kind of data
    or a chart or table has nothing to show."""
    if not entry.applies_to(source.kind):
        return None
    df = source.rows(entry)
    if entry.kind != "figure" and df.empty:
        return None
    title = _title(entry, source, df)
    unit_key = _named(entry.text_key("unit", source.kind), entry, f"unit for {source.kind}")
    notes = [n for n in [not_in_sum_note(df, source.labels)] if n]
    view = View(entry.id, title, "", list(entry.caveat_ids), notes=notes, narrow=entry.narrow, rows=df)
    if entry.kind == "figure":
        headline = makers.VALUES[_named(entry.value, entry, "value")](df.iloc[0], source)
        unit_key = headline.unit_key or unit_key
        view.value = headline.value
        view.notes += [headline.note] if headline.note else []
        help_key = entry.text_key("help", source.kind) if entry.help else None
        view.help = source.t(help_key) if help_key else None
    view.unit = source.t(unit_key)
    if entry.note:
        view.note = source.t(entry.note, threshold=source.threshold)
    if entry.table:
        table = entry.table
        view.make_table = lambda: makers.TABLES[table](df, source)
        view.table_key = (table, entry.query, entry.params, entry.unfiltered)
    if entry.kind == "chart":
        builder = makers.CHARTS[_named(entry.builder, entry, "builder")]
        view.make_chart = lambda: builder(df, source, title, False, **entry.args)
        if entry.narrow in ("narrow", "map"):
            view.make_narrow_chart = lambda: builder(df, source, title, True, **entry.args)
        elif entry.narrow == "rewrap":  # a copy of the same figure, its heading and notes wrapped short
            view.make_narrow_chart = lambda: go.Figure(_chart_of(view).to_dict(), _validate=False)
    return view


class PageViews(Mapping[str, "View | None"]):
    """Every figure of a page (catalogue order) for the selection; None for one that does not
    apply or has nothing to show. Each is built the first time it is asked for, so a page draws
    its first figures while the queries of the later ones still run (``page_queries``)."""

    def __init__(self, page: str, source: Source):
        self._entries = {e.id: e for e in catalogue.on_page(page)}
        self._source = source
        self._built: dict[str, View | None] = {}

    def __getitem__(self, key: str) -> View | None:
        if key not in self._built:
            self._built[key] = build_view(self._entries[key], self._source)
        return self._built[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def for_page(page: str, source: Source) -> PageViews:
    """Every figure of ``page`` (``PageViews``)."""
    return PageViews(page, source)


def page_queries(page: str, kind: str, threshold: int) -> list[tuple[str, dict, bool]]:
    """The queries ``page``'s figures for this kind of data run, as (name, params, unfiltered):
    whether the selection matches anything (``Source.has_rows``), then each figure's query and
    what its builder and table run without the selection (``makers.UNFILTERED_QUERIES``), each
    once. A page starts them together (``PageContext.prefetch_page``)."""
    entries = catalogue.on_page(page)
    calls: list[tuple[str, dict, bool]] = [("total_participations", {}, False)] if entries else []
    for entry in entries:
        if not entry.applies_to(kind) or entry.query is None:
            continue
        calls.append((entry.query, {"min_people": threshold} if "min_people" in entry.params else {}, entry.unfiltered))
        for name in (entry.builder, entry.table):
            calls += [(q, params, True) for q, params in makers.UNFILTERED_QUERIES.get(name or "", [])]
    unique: list[tuple[str, dict, bool]] = []
    for call in calls:
        if call not in unique:
            unique.append(call)
    return unique


def _headline_slide(page: str, found: list[View], source: Source) -> View:
    figures = [Figure(v.title, v.value or "", v.unit, v.caveat_ids, v.key, v.notes) for v in found]
    return View(page, source.t(f"{page}.title"), source.t(HEADLINE_UNIT),
                [c for f in figures for c in f.caveat_ids], figures=figures)


def build(
    run: Callable[..., pd.DataFrame], labels: Labels, record_level: bool, threshold: int,
    run_unfiltered: Callable[..., pd.DataFrame] | None = None,
) -> list[View]:
    """The slides of the presentation (and the sections of the briefing) for the selection, in the
    catalogue's order: a page's headline figures together on one slide, then each chart. Empty
    when the selection matches nothing. Without ``run_unfiltered`` the map is left out."""
    source = Source(run, labels, record_level, threshold, run_unfiltered)
    return deck(source)


def deck(source: Source) -> list[View]:
    if not source.has_rows():
        return []
    out: list[View] = []
    headline_pages: dict[str, list[View]] = {}
    for entry in catalogue.slides():
        if entry.builder == "territory_map" and source.run_unfiltered is None:
            continue
        view = build_view(entry, source)
        if view is None:
            continue
        if entry.kind == "figure":
            page = entry.pages[0]
            if page not in headline_pages:
                headline_pages[page] = []
                out.append(View(page, "", "", []))  # its place in the deck, filled below
            headline_pages[page].append(view)
        else:
            out.append(view)
    return [_headline_slide(v.key, headline_pages[v.key], source) if v.key in headline_pages else v for v in out]
