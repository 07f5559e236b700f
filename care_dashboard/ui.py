"""The one module outside the pages that calls Streamlit: caching, and the shared blocks every page
uses (a figure or chart with its unit and caveats in one container, the empty state).

Query running, charts, caveats and i18n stay free of Streamlit so they test without it.
"""

from __future__ import annotations

import contextlib
import re
import threading
from dataclasses import dataclass, field

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from . import (access, briefing, caveats, charts, datasets, exports, figures, frontend_texts, i18n, map_chart, notes,
               paths, queries, slides, url_state, view_cache, views)
from . import labels as labels_module
from .labels import Labels
from .selection import Selection
# every page starts with ``ctx = ui.page_context()``: the context dashboard.py hands it (ui_nav)
from .ui_nav import page_context, shell_context  # noqa: F401

_attach_lock = threading.Lock()
# every ASCII punctuation mark Markdown, Streamlit's directives (:material/icon:, :red[...]) or
# HTML could read as syntax
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&\"'])")
_JOINER = "\u2060"  # WORD JOINER: zero width, invisible
# in escaped text: an (escaped) colon or an "@"; "www" before an escaped dot
_AFTER_COLON_OR_AT = re.compile(r"(\\:|@)")
_WWW_DOT = re.compile(r"(?i)(www)(\\\.)")


def plain(value) -> str:
    """Text from the data (a name, a title, a value from a link) for a Streamlit element that reads
    Markdown (st.markdown, st.caption, st.metric labels, st.radio options, alerts, toasts): every
    character that could be syntax is backslash-escaped and line breaks become spaces, so it shows
    exactly as typed and nothing in it becomes a link, an image, an icon or HTML.

    Escapes are not enough for what Streamlit finds in the text itself once Markdown is read
    (autolinks such as https://x, www.x and a@x.org, icons such as :material/home:, emoji
    codes): an invisible word joiner (U+2060) after every colon and "@" and inside "www."
    breaks those patterns and changes nothing on screen (security probe, finding 11)."""
    escaped = _MARKDOWN_SYNTAX.sub(r"\\\1", " ".join(str(value).split()))
    escaped = _AFTER_COLON_OR_AT.sub(r"\1" + _JOINER, escaped)
    return _WWW_DOT.sub(r"\1" + _JOINER + r"\2", escaped)


def safe_url(value) -> str:
    """A link from dataset metadata, kept only when it is an http(s) address (no javascript:)."""
    text = str(value or "").strip()
    return text if re.fullmatch(r"https?://[^\s()<>\[\]]+", text) else ""


_connection_lock = threading.Lock()
_shared_connection: tuple[duckdb.DuckDBPyConnection, dict] | None = None


def _connection() -> tuple[duckdb.DuckDBPyConnection, dict]:
    """One DuckDB connection per process, with the schemas attached to it; each query gets its
    own cursor. A module-level singleton, made once under a lock, and not st.cache_resource: any
    visitor's websocket can send Streamlit's clear_cache message, which swapped the connection in
    the middle of other sessions' runs, so their queries found no schema (security probe,
    finding 7; tests/test_pages.py::test_clearing_streamlit_caches_breaks_no_page_run)."""
    global _shared_connection
    if _shared_connection is None:
        with _connection_lock:
            if _shared_connection is None:
                _shared_connection = (duckdb.connect(), {})
    return _shared_connection


KEEP_ATTACHED_VERSIONS = 2  # of one dataset: the newest and the one sessions may still be reading
# what each attached version offers to choose from, and its names (FilterOptions), by schema name;
# dropped with the version
_options_of: dict[str, FilterOptions] = {}
# what is true of each attached version, for the caveats bound to facts (data_facts), by schema name
_facts_of: dict[str, caveats.DataFacts] = {}


def _ensure_attached(dataset: datasets.Dataset) -> None:
    """Attach a dataset version once per process. A new version (an import while the dashboard
    runs) gets its own schema; the schemas of older versions of the same dataset, beyond the two
    newest, are dropped, so memory does not grow with every import."""
    con, attached = _connection()
    with _attach_lock:
        if dataset.schema_name not in attached:
            datasets.attach(con, dataset)
            attached[dataset.schema_name] = dataset.name
            versions = [s for s, name in attached.items() if name == dataset.name]  # in attach order
            for old in versions[:-KEEP_ATTACHED_VERSIONS]:
                con.execute(f'DROP SCHEMA IF EXISTS "{old}" CASCADE')  # a validated name, see attach
                del attached[old]
                _options_of.pop(old, None)
                _facts_of.pop(old, None)


# what the pages show that depends only on the dataset version, the selection, the language and the
# threshold (query results, figures as sent, tables, caveat
# lists), built once per process (``PageContext.memo``)
VIEWS = view_cache.BoundedCache()


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_run(name: str, sql: str, schema_name: str, params_key: tuple) -> pd.DataFrame:
    con, _ = _connection()
    return queries.run(con, schema_name, name, {k: (list(v) if isinstance(v, tuple) else v) for k, v in params_key})


def run_query(name: str, dataset: datasets.Dataset, params: dict) -> pd.DataFrame:
    """Run a named query, cached on its SQL text, the dataset version (in the schema name) and
    the bound parameters."""
    _ensure_attached(dataset)
    query = queries.get(name)
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    # kept as it came in ``VIEWS`` too: a hit of st.cache_data hashes the parameters and unpickles
    # the frame on every rerun; a copy of the kept frame is cheaper and as safe from changes
    kept = VIEWS.get(("query", name, query.sql, dataset.schema_name, key),
                     lambda: _cached_run(name, query.sql, dataset.schema_name, key))
    return kept.copy()


def start_queries(dataset: datasets.Dataset, calls: list[tuple[str, dict]]) -> None:
    """Start these named queries now, each in its own thread, and return at once; a later
    ``run_query`` of the same query finds its result in the cache, or waits for it (st.cache_data
    computes a key once). DuckDB runs a query over a few thousand rollup rows on one core, so a
    page's queries started together use both cores of a small server instead of one after the
    other. A query that fails here fails again, with its message, where the page runs it.

    Once per process for the same queries of the same dataset version: a page shown before finds
    them in the cache anyway, and starting threads to find them there cost more than looking."""
    started = ("started", dataset.schema_name, tuple(
        (name, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items())))
        for name, params in calls))
    if started in VIEWS:
        return
    VIEWS.get(started, lambda: True, size=lambda _: 256)
    script = get_script_run_ctx()

    def quietly(name: str, params: dict) -> None:
        try:
            run_query(name, dataset, params)
        except Exception:  # noqa: BLE001 - reported where the page itself runs the query
            pass

    for name, params in calls:
        thread = threading.Thread(target=quietly, args=(name, params), name=f"query-{name}", daemon=True)
        if script is not None:
            add_script_run_ctx(thread, script)  # st.cache_data needs the run's context
        thread.start()


@dataclass(frozen=True)
class PageContext:
    lang: str
    dataset: datasets.Dataset
    selection: Selection
    labels: Labels
    small_number_threshold: int = 5
    # the caveats shown on this page run, numbered as they first appear (``page_notes``)
    notes: notes.PageNotes = field(default_factory=notes.PageNotes, compare=False, repr=False)
    # who runs the page: a file built later (a download) is built only while they may still see
    # the dataset (access.checked); None where no login is involved (tests, the presenter kit)
    visitor: access.Visitor | None = field(default=None, compare=False, repr=False)

    def run(self, name: str, with_selection: bool = True, **params) -> pd.DataFrame:
        """Run a named query with the sidebar selection and any further bound parameters
        (``min_people=ctx.small_number_threshold``)."""
        df = run_query(name, self.dataset, {**(self.selection.params() if with_selection else {}), **params})
        if self.is_record_level and with_selection and self.selection.organisations:
            df = figures.hide_small_people(df, self.small_number_threshold)
        return df

    @property
    def view_key(self) -> tuple:
        """What everything a page shows depends on: the dataset version (its schema name), the
        selection, the language and the small-number threshold."""
        return (self.dataset.schema_name, self.selection, self.lang, self.small_number_threshold)

    def memo(self, name, build, *extra, size=None):
        """``build()`` once per view (``view_key``) and ``name`` (and ``extra``), kept for later
        reruns and other sessions in ``VIEWS``, within its memory bound. ``build`` must depend on
        nothing else, and what it returns is shared: never change it."""
        return VIEWS.get((self.view_key, name, *extra), build, size)

    def prefetch(self, *names: str, **params) -> None:
        """Start the page's queries together (``start_queries``), with the sidebar selection and
        whichever of ``params`` each query takes; the page then runs them as usual."""
        start_queries(self.dataset, [
            (name, {**self.selection.params(), **{k: v for k, v in params.items() if k in queries.get(name).params}})
            for name in names
        ])

    def later(self, build):
        """``build`` for a download made when its button is pressed: refused then if the visitor
        may no longer see the dataset (access.checked)."""
        return access.checked(self.visitor, self.dataset, build) if self.visitor else build

    def run_unfiltered(self, name: str, **params) -> pd.DataFrame:
        """A named query without the sidebar selection (reference lists, whole-dataset scales)."""
        return self.run(name, with_selection=False, **params)

    def t(self, key: str, **values) -> str:
        return i18n.t(key, self.lang, **values)

    def n(self, value) -> str:
        return i18n.number(value, self.lang)

    @property
    def is_record_level(self) -> bool:
        return self.dataset.has_person_keys

    @property
    def data_facts(self) -> caveats.DataFacts:
        """What is true of this dataset version, for the caveats (``data_facts``)."""
        return data_facts(self.dataset)

    def caveats_for(self, caveat_ids) -> list[caveats.Caveat]:
        """The caveats that hold for this dataset (its name, kind and facts: ``caveats.holds``),
        plus the synthetic-data one where it applies."""
        ids = tuple(caveat_ids) + tuple(caveats.SYNTHETIC_IDS)  # these hold only on synthetic data
        key = ("caveats", self.dataset.schema_name, self.lang, self.small_number_threshold, ids)
        # kept per version and language; a fresh list, the caveats themselves are frozen
        return list(VIEWS.get(key, lambda: tuple(caveats.for_ids(ids, self.lang, self.data_facts, self.caveat_values))))

    def figure_caveats(self, figure_key: str, caveat_ids) -> notes.FigureCaveats:
        """A figure's caveats that hold for this dataset, split into the key ones (shown short
        beside it, ``content/figures.toml``) and the rest, all numbered in this page's notes."""
        key, rest = caveats.split_for_figure(figure_key, self.caveats_for(caveat_ids))
        return notes.FigureCaveats(self.notes.numbered(key), self.notes.numbered(key + rest))

    @property
    def caveat_values(self) -> dict[str, object]:
        """What caveat texts may refer to (``{threshold}``)."""
        return {"threshold": self.small_number_threshold}


# the sidebar's widgets whose options are shown by name, in the page's language
NAMED_CHOICE_KEYS = ("dataset", "component", "territory", "organisation")


def keep_choices_shown_in(lang: str) -> None:
    """dashboard.py calls this after the language radio, before the widgets below it. Streamlit's
    browser side remembers a radio's or multiselect's choice by its label as shown: when the
    language changes the labels do, and the dataset picker showed no dataset chosen (the choice was
    kept, but not shown). Setting the same values again at a language change makes Streamlit send
    them with the new labels."""
    if st.session_state.get("_shown_lang") not in (None, lang):
        for key in NAMED_CHOICE_KEYS:
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]
    st.session_state["_shown_lang"] = lang


def held_index(key: str, options: list) -> int:
    """The position in ``options`` of the choice a sidebar radio holds (``st.session_state[key]``),
    to give the radio as its own default (``index``); 0 when it holds none of them. See
    ``held_choices``."""
    value = st.session_state.get(key)
    return options.index(value) if value in options else 0


def held_choices(key: str, options: list) -> list:
    """The choices a sidebar multiselect holds, to give it as its own default.

    Streamlit sends a widget's value set through ``st.session_state`` (the link's language,
    dataset and filters, ``load_view_from_url``) to the browser only in the run that set it; the
    elements of later runs carry the widget's default alone. A browser that draws the widget from
    a later run's element (a click or the presentation's window-size report answered before the
    sidebar was drawn) takes that default and sends it back as the visitor's choice: a Spanish
    link on the presentation turned English, with the report's data, in about 1 load in 40
    (tests/browser/test_presenter_browser.py). With the held value as the default, both agree.
    """
    held = st.session_state.get(key) or []
    return [v for v in held if v in options]


@dataclass(frozen=True)
class FilterOptions:
    """A dataset version's components, territories and organisations (the option queries), with
    the names for their ids in each language. Read once per attached version and kept with it
    (``filter_options``): they do not change with the filters, and rebuilding 4,000 organisation
    names on every rerun of a national dataset cost 20-30 ms."""

    components: pd.DataFrame
    territories: pd.DataFrame
    organisations: pd.DataFrame
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def ids(self) -> dict[str, list[str]]:
        if "ids" not in self._memo:
            self._memo["ids"] = {
                "lang": list(i18n.LANGS),
                "component": self.components["component_id"].tolist(),
                "territory": self.territories["territory_id"].tolist(),
                "organisation": self.organisations["organisation_id"].tolist(),
            }
        return self._memo["ids"]

    def labels(self, lang: str) -> Labels:
        """The names for ids in ``lang`` (``labels.build``), built once per language."""
        key = ("labels", lang)
        if key not in self._memo:
            self._memo[key] = labels_module.build(self.components, self.territories, self.organisations, lang)
        return self._memo[key]


def filter_options(dataset: datasets.Dataset) -> FilterOptions:
    """The dataset version's ``FilterOptions``: its three option queries, run when the version is
    first used in this process and kept while it stays attached (``KEEP_ATTACHED_VERSIONS``). A
    new version (an import) has a new schema name, so it gets its own."""
    _ensure_attached(dataset)
    found = _options_of.get(dataset.schema_name)
    if found is None:
        con, _ = _connection()
        found = FilterOptions(*(
            queries.run(con, dataset.schema_name, name, {})
            for name in ("component_options", "territory_options", "organisation_options")
        ))
        with _attach_lock:
            found = _options_of.setdefault(dataset.schema_name, found)
    return found


def data_facts(dataset: datasets.Dataset) -> caveats.DataFacts:
    """What is true of a dataset version for its caveats: its name, kind, whether it is synthetic,
    and the facts of the named query ``data_facts`` (read from its small tables when the version
    is first used in this process, kept while it stays attached, like ``filter_options``)."""
    _ensure_attached(dataset)
    found = _facts_of.get(dataset.schema_name)
    if found is None:
        con, _ = _connection()
        row = queries.run(con, dataset.schema_name, "data_facts", {}).iloc[0]
        found = caveats.DataFacts.from_row(dataset, row.to_dict())
        with _attach_lock:
            found = _facts_of.setdefault(dataset.schema_name, found)
    return found


def load_view_from_url(available: dict[str, datasets.Dataset]) -> list[tuple[str, str]]:
    """On a session's first run, set the widgets from the link; returns the values ignored.

    The dataset is read first: the filter ids a link may use are those of the dataset it names.

    Read again when the sidebar's values are gone: a run that switches pages itself
    (``st.switch_page``: ui_nav's link to the default page's own address) ends before its widgets
    are kept, and Streamlit forgets their values; the link, kept equal to the view
    (``write_view_to_url``), still holds them.
    """
    if st.session_state.get("_view_loaded") and "lang" in st.session_state:
        return []
    raw = {key: st.query_params.get_all(key) for key in st.query_params}
    chosen, _ = url_state.parse(raw, {url_state.DATASET_KEY: list(available)})
    name = chosen.get(url_state.DATASET_KEY, paths.DEFAULT_DATASET)
    options = filter_options(available[name])
    values, ignored = url_state.parse(raw, {**options.ids(), url_state.DATASET_KEY: list(available)})
    st.session_state["dataset"] = name
    st.session_state["lang"] = values.get("lang") or browser_lang()
    # a link that names its language keeps naming it (write_view_to_url), even where the
    # browser's language is the same: a copied link then opens in it for anyone
    st.session_state["_lang_in_link"] = st.session_state.get("_lang_in_link", False) or "lang" in values
    for key in url_state.MULTI_KEYS:
        st.session_state[key] = values.get(key, [])
    st.session_state["_view_loaded"] = True
    return ignored


def browser_lang() -> str:
    """The language of the browser (its locale, e.g. es-CO) when the link names none."""
    locale = (getattr(st.context, "locale", None) or "").lower()
    return next((lang for lang in i18n.LANGS if locale.startswith(lang)), i18n.DEFAULT_LANG)


def chosen_dataset(available: dict[str, datasets.Dataset]) -> datasets.Dataset:
    """The dataset picked in the sidebar; the default when none is picked or it has gone."""
    name = st.session_state.get("dataset")
    if name not in available:
        name = paths.DEFAULT_DATASET
        st.session_state["dataset"] = name
    return available[name]


def keep_known_choices(options: FilterOptions) -> None:
    """After a change of dataset, drop chosen filter ids that the new dataset does not have."""
    ids = options.ids()
    for key in url_state.MULTI_KEYS:
        chosen = st.session_state.get(key, [])
        kept = [v for v in chosen if v in ids[key]]
        if kept != chosen:
            st.session_state[key] = kept


def write_view_to_url(lang: str, selection: Selection, dataset: datasets.Dataset) -> None:
    """Keep the address bar equal to the view, so copying the link shares it. The language is
    left out only when it is the default, this browser would pick the default anyway, and no link
    of this session named it."""
    always_named = st.session_state.get("_lang_in_link") or browser_lang() != i18n.DEFAULT_LANG
    wanted = url_state.to_query(
        lang,
        None if always_named else i18n.DEFAULT_LANG,
        {"component": selection.components, "territory": selection.territories, "organisation": selection.organisations},
        dataset=dataset.name,
        default_dataset=paths.DEFAULT_DATASET,
    )
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    wanted.update({key: current[key] for key in url_state.PAGE_KEYS if key in current})
    normalised = {k: (v if isinstance(v, list) else [v]) for k, v in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)


def open_dataset_next_run(name: str) -> None:
    """A button's callback (before any widget is made): choose dataset ``name`` and open its
    Overview at the next run (``open_dataset_if_asked``)."""
    st.session_state["dataset"] = name
    st.session_state["_open_dataset"] = name


def open_dataset_if_asked() -> None:
    """Open the Overview of the dataset ``open_dataset_next_run`` chose, keeping the language the
    visitor reads in (the link keeps it too)."""
    name = st.session_state.pop("_open_dataset", None)
    if name:
        lang = i18n.normalise_lang(st.session_state.get("lang"))
        # The run that switches pages stops before it ends, and Streamlit then forgets the
        # sidebar's widget values (the language fell back to English, audit finding 4): the
        # next run reads the view from the link instead, as a shared link is read.
        st.session_state["_view_loaded"] = False
        st.switch_page("pages/overview.py", query_params={"lang": lang, "dataset": name})


def page_header(ctx: PageContext, page: str) -> None:
    """Title and one-sentence purpose; a page may word its purpose apart for attendance records
    (``PAGE.purpose_records``)."""
    st.title(ctx.t(f"{page}.title"))
    records_key = f"{page}.purpose_records"
    st.write(ctx.t(records_key if ctx.is_record_level and records_key in i18n.catalogue(ctx.lang) else f"{page}.purpose"))
    if ctx.selection.is_filtered:
        st.caption(ctx.t("common.filtered_note"))


def source_of(caveat: caveats.Caveat, lang: str, on_method_page: bool = False) -> str:
    """Where a caveat rests: a report section, or this dashboard's own method (on Method and
    sources, without sending the reader to the page they are on)."""
    if caveat.rests_on_method:
        return i18n.t("common.dashboard_method_here" if on_method_page else "common.dashboard_method", lang)
    return i18n.t("common.report_section", lang, section=caveat.section)


def where_short(caveat: caveats.Caveat, lang: str) -> str:
    """``source_of`` in a few characters, for a caveat's short form ("report §6.1", "method")."""
    if caveat.rests_on_method:
        return i18n.t("common.where_method", lang)
    return i18n.t("common.where_report", lang, section=caveat.section)


def short_note(number: int, caveat: caveats.Caveat, lang: str, where: bool = True) -> str:
    """A caveat's short form beside a figure, with what it rests on (``where``) and its note number."""
    if not where:
        return i18n.t("common.short_note_again", lang, short=caveat.short, n=number)
    return i18n.t("common.short_note", lang, short=caveat.short, where=where_short(caveat, lang), n=number)


def page_short_note(ctx: PageContext, number: int, caveat: caveats.Caveat) -> str:
    """``short_note`` on a page: what the caveat rests on only the first time it is shown short
    there, so nothing is said twice on one screen."""
    return short_note(number, caveat, ctx.lang, where=ctx.notes.first_time_short(caveat))


def full_note(number: int, caveat: caveats.Caveat, lang: str, on_method_page: bool = False) -> str:
    """A caveat's full text, numbered, as Markdown (for "About these figures" and the page notes)."""
    return i18n.t("common.full_note", lang, n=number, title=caveat.title, text=caveat.text,
                  where=source_of(caveat, lang, on_method_page))


def key_caveats_line(ctx: PageContext, found: notes.FigureCaveats) -> str:
    """The key caveats of a figure in one line of Markdown, each short with its note number."""
    return "  \n".join(f":material/warning: {page_short_note(ctx, n, c)}" for n, c in found.key)


def about_popover(ctx: PageContext, found: notes.FigureCaveats, unit: str, key: str) -> None:
    """The full texts of a figure's caveats, one click away beside it, and a link to Method and
    sources (but on that page itself)."""
    here = ctx.notes.shown_in_full
    with st.popover(ctx.t("common.about_figures"), icon=":material/info:", key=f"{key}_about"):
        st.markdown(ctx.t("common.unit_line", unit=unit))
        for n, c in found.all:
            st.markdown(full_note(n, c, ctx.lang, on_method_page=here))
        if not here:
            st.page_link("pages/method.py", label=ctx.t("common.method_link"), icon=":material/menu_book:")


def page_notes(ctx: PageContext) -> None:
    """Once per page, at its foot: every caveat shown on it, numbered, in full (``PageNotes``)."""
    found = ctx.notes.items()
    if not found or ctx.notes.shown_in_full:
        return
    with st.expander(ctx.t("common.notes_heading", n=len(found)), icon=":material/format_list_numbered:"):
        for n, c in found:
            st.markdown(full_note(n, c, ctx.lang))


def synthetic_banner_text(dataset: datasets.Dataset, lang: str) -> str | None:
    """What the banner says on a synthetic dataset (None on real data). Only the demo made by
    scripts/make_synthetic.py copies the CARE 2025 report's totals, so only it says so."""
    if not dataset.is_synthetic:
        return None
    copies_care = dataset.metadata.get("generator") == "scripts/make_synthetic.py"
    body = i18n.t("common.synthetic_banner_body" if copies_care else "common.synthetic_banner_body_other", lang)
    return f"**{i18n.t('common.synthetic_banner_title', lang)}** {body}"


def synthetic_banner(ctx: PageContext) -> None:
    """At the top of every page while a synthetic dataset is chosen."""
    text = synthetic_banner_text(ctx.dataset, ctx.lang)
    if text:
        st.warning(text, icon=":material/science:")


def dataset_kind_label(dataset: datasets.Dataset, lang: str) -> str:
    """What kind of data a dataset holds, in words, for the picker: published figures, attendance
    records, or synthetic records."""
    kind = "synthetic" if dataset.is_synthetic else dataset.kind
    return i18n.t(f"dataset_kind.{kind}", lang)


def export_header(ctx: PageContext, title: str, unit: str, caveat_ids) -> exports.ExportHeader:
    """What heads a CSV: title, unit, every caveat in full, filters, source and licence."""
    return exports.ExportHeader(
        title=title,
        unit=unit,
        caveats=ctx.caveats_for(caveat_ids),
        filters=exports.filters_text(ctx.selection, ctx.labels, ctx.lang),
        dataset=ctx.dataset.title(ctx.lang),
        source=ctx.dataset.text("source_citation", ctx.lang),
        licence=ctx.dataset.text("licence", ctx.lang),
    )


def csv_download(ctx: PageContext, df: pd.DataFrame, header: exports.ExportHeader, key: str) -> None:
    st.download_button(
        ctx.t("exports.download_csv"),
        # built when the button is pressed: a table of thousands of rows costs nothing until then,
        # and a login that has ended since gets nothing
        data=ctx.later(lambda: exports.csv_bytes(df, header, ctx.lang)),
        file_name=f"care-{key}-{ctx.lang}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        help=ctx.t("exports.download_help"),
        on_click="ignore",
    )


def source_line(ctx: PageContext) -> str:
    """The short source line written into every chart: who published the figures, the licence."""
    return ctx.t(
        "exports.footer_source",
        source=(ctx.dataset.text("source_short", ctx.lang) or ctx.dataset.text("source_citation", ctx.lang)).rstrip(". "),
        licence=ctx.dataset.text("licence", ctx.lang),
    )


def footer_lines(ctx: PageContext, key_caveats: list[caveats.Caveat], numbers: dict | None = None,
                 first_shown=None) -> list[str]:
    """The lines written under a chart (``figure_with_footer``): its key caveats short and the
    source line."""
    if numbers:
        first = first_shown or {c.id: True for c in key_caveats}
        lines = [f"\u26a0 {short_note(numbers[c.id], c, ctx.lang, where=first[c.id])}" for c in key_caveats]
    else:
        lines = [f"\u26a0 {c.short} ({where_short(c, ctx.lang)})" for c in key_caveats]
    lines.append(source_line(ctx))
    return lines


def figure_with_footer(ctx: PageContext, fig, key_caveats: list[caveats.Caveat], numbers: dict | None = None,
                       copy: bool = True, width_chars: int = charts.FOOTER_WRAP_CHARS, first_shown=None):
    """The chart with its key caveats (short, each with what it rests on and, on a page, its note
    number) and the source line written under it, inside the figure, so a saved image keeps them
    (``copy=False``: written into ``fig``). ``first_shown``: on a page, whether each caveat is
    shown short there for the first time (``page_short_note``)."""
    lines = footer_lines(ctx, key_caveats, numbers, first_shown)
    return charts.with_caveat_footer(fig, lines, width_chars=width_chars, copy=copy)


def plot_config(key: str, lang: str) -> dict:
    """Plotly's toolbar, in the page's language (``frontend_texts.plotly_config``): the camera
    button saves a sharp PNG named after the chart."""
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": f"care-{key}", "scale": 2},
            **frontend_texts.plotly_config(lang)}


def _variant_spec(ctx: PageContext, make_fig, found: notes.FigureCaveats, unit: str, key: str, variant: str,
                  first_shown: dict) -> tuple[dict, str]:
    """One variant of a chart ("wide" for screens and projectors; "narrow" for phones; "column"
    for a chart in half the page's width), headed by its unit and footed by its key caveats and
    source, as the dict Streamlit sends and its plain title; built (``make_fig()``, then written
    into) the first time this view shows it, and kept (``PageContext.memo``)."""
    narrow = variant != "wide"
    numbers = {c.id: n for n, c in found.all}
    width = charts.FOOTER_WRAP_CHARS_NARROW if narrow else charts.FOOTER_WRAP_CHARS
    lines = footer_lines(ctx, [c for _, c in found.key], numbers, first_shown)

    def build() -> tuple[dict, str]:
        fig = make_fig()
        charts.with_heading(fig, unit, narrow=narrow)
        charts.with_caveat_footer(fig, lines, width_chars=width, copy=False)
        return fig.to_dict(), charts.plain_title(fig)

    return ctx.memo("chart", build, key, variant, unit, tuple(lines))


def _plot(ctx: PageContext, spec: tuple[dict, str], unit: str, key: str, variant: str) -> None:
    """A kept chart variant (``_variant_spec``), named for screen readers."""
    fig, title = spec
    alt = ctx.t("common.chart_alt", title=title, unit=unit)
    st.plotly_chart(view_cache.sent_figure(fig), key=key if variant != "narrow" else f"{key}_narrow",
                    config=plot_config(key, ctx.lang), alt=alt)


def _built_once(make):
    """``make`` (a figure, or a function that builds one) as a function that builds it at most once."""
    built = []

    def get():
        if not built:
            built.append(make() if callable(make) else make)
        return built[0]

    return get


def chart_block(
    ctx: PageContext, fig, query_name: str, unit_key: str, key: str, extra_caveats=(),
    table_df: pd.DataFrame | None = None, export_df: pd.DataFrame | None = None, narrow_fig=None,
    in_column: bool = False,
) -> None:
    """A chart in one container: its title and unit; under it, inside the figure (so a saved image
    keeps them), its key caveats in short form with their note numbers and the source line; then
    "About these figures" (every caveat of the chart in full, one click away), its figures as a
    table, and a CSV of them headed by the full caveats.

    ``fig`` (and ``narrow_fig``, ``table_df``, ``export_df``): a function that builds it, or the
    thing itself. Each is built only the first time this view (``PageContext.view_key``) shows
    the chart and kept for later reruns and sessions (``PageContext.memo``), so it must depend on
    that view and ``key`` alone, and a table given must not be changed afterwards.

    ``narrow_fig``: the same chart laid out for a phone (by default the same figure, its heading and
    notes wrapped shorter); both are sent and CSS shows the one that fits the screen
    (``NARROW_MAX_PX``). ``in_column``: the chart takes half the page or less, so
    its heading and notes are wrapped as for a phone."""
    caveat_ids = list(queries.get(query_name).caveats) + list(extra_caveats)
    found = ctx.figure_caveats(key, caveat_ids)
    unit = ctx.t(unit_key)
    base = _built_once(fig)
    title = ctx.memo("chart_title", lambda: charts.plain_title(base()) or key, key)
    # both variants say the same, so each caveat counts as shown short once for the page
    first_shown = {c.id: ctx.notes.first_time_short(c) for _, c in found.key}
    if narrow_fig is None and not in_column:
        # the same figure, its heading and notes wrapped for a phone (a copy of a checked figure,
        # made before the wide variant is written into it)
        narrow_fig = lambda: go.Figure(base().to_dict(), _validate=False)  # noqa: E731
    if narrow_fig is None:
        specs = [("column", _variant_spec(ctx, base, found, unit, key, "column", first_shown))]
    else:
        narrow = _variant_spec(ctx, _built_once(narrow_fig), found, unit, key, "narrow", first_shown)
        specs = [("wide", _variant_spec(ctx, base, found, unit, key, "wide", first_shown)), ("narrow", narrow)]
    data = export_df if export_df is not None else table_df
    if callable(data):
        data = ctx.memo("chart_table", data, key)
    with st.container(border=True, key=f"care_chart_{key}"):
        if len(specs) == 1:
            _plot(ctx, specs[0][1], unit, key, "column")
        else:
            for variant, spec in specs:
                with st.container(key=f"care_{variant}_{key}"):
                    _plot(ctx, spec, unit, key, variant)
        with st.container(horizontal=True, gap="small"):
            about_popover(ctx, found, unit, key)
            if data is not None:
                csv_download(ctx, data, export_header(ctx, title, unit, caveat_ids), key)
        if data is not None:
            with st.expander(ctx.t("common.table_expander"), icon=":material/table:"):
                st.dataframe(data, hide_index=True, key=f"{key}_table", width="stretch")


def table_block(ctx: PageContext, df: pd.DataFrame, query_name: str, key: str, unit_key: str | None = None,
                note: str | None = None) -> None:
    """A table, its unit, an optional note, its key caveats short (the rest one click away) and
    its CSV, in one container."""
    caveat_ids = queries.get(query_name).caveats
    found = ctx.figure_caveats(key, caveat_ids)
    unit = ctx.t(unit_key) if unit_key else ""
    with st.container(border=True, key=f"care_table_{key}"):
        st.dataframe(df, hide_index=True, key=key, width="stretch")
        lines = [ctx.t("common.unit_line", unit=unit)] if unit else []
        if note:
            lines.append(f":material/info: {note}")
        lines.append(key_caveats_line(ctx, found))
        st.caption("  \n".join(lines))
        with st.container(horizontal=True, gap="small"):
            about_popover(ctx, found, unit, key)
            csv_download(ctx, df, export_header(ctx, queries.get(query_name).title, unit, caveat_ids), key)


def figure_block(
    ctx: PageContext, key: str, label: str, value: str, unit: str, caveat_ids,
    help_text: str | None = None, note: str | None = None,
) -> None:
    """A headline figure in one container: label, value, unit, an optional note and its key
    caveats in short form with their note numbers; the full texts in its help, one click away."""
    found = ctx.figure_caveats(key, caveat_ids)
    full = "\n\n".join([*([help_text] if help_text else []), *(full_note(n, c, ctx.lang) for n, c in found.all)])
    with st.container(border=True, key=f"care_figure_{key}"):
        st.metric(plain(label), value, help=full)  # values are our own formatted counts
        lines = [unit]
        if note:
            lines.append(f":material/info: {plain(note)}")
        lines.append(key_caveats_line(ctx, found))
        st.caption("  \n".join(lines))


def empty_state(ctx: PageContext) -> None:
    suffix = "_records" if ctx.is_record_level else ""
    st.info(
        f"**{ctx.t('common.empty_title' + suffix)}** {ctx.t('common.empty_body' + suffix)}",
        icon=":material/filter_alt_off:",
    )


def table(ctx: PageContext, df: pd.DataFrame, key: str, query_name: str | None = None, unit_key: str | None = None) -> None:
    """A table and, when its query is named, a CSV of it headed by the query's unit and caveats."""
    st.dataframe(df, hide_index=True, key=key, width="stretch")
    if query_name:
        query = queries.get(query_name)
        unit = ctx.t(unit_key) if unit_key else ""
        csv_download(ctx, df, export_header(ctx, query.title, unit, query.caveats), key)


def briefing_html(ctx: PageContext) -> bytes:
    """The offline briefing of the current selection (built when the button is pressed)."""
    found = views.build(ctx.run, ctx.labels, ctx.is_record_level, ctx.small_number_threshold, ctx.run_unfiltered)
    return briefing.build_html(
        found,
        ctx.lang,
        filters=exports.filters_text(ctx.selection, ctx.labels, ctx.lang),
        dataset_title=ctx.dataset.title(ctx.lang),
        source=ctx.dataset.text("source_citation", ctx.lang),
        licence=ctx.dataset.text("licence", ctx.lang),
        caveats_for=ctx.caveats_for,
        source_of=lambda c: source_of(c, ctx.lang),
        # a copy of each chart, its key caveats (short) and source inside it, as on the pages
        decorate=lambda fig, ids, key, narrow=False: figure_with_footer(
            ctx, fig, caveats.split_for_figure(key, ctx.caveats_for(ids))[0],
            width_chars=charts.FOOTER_WRAP_CHARS_NARROW if narrow else charts.FOOTER_WRAP_CHARS),
    ).encode("utf-8")


CSS_DIR = paths.CONTENT_DIR / "css"
JS_DIR = paths.CONTENT_DIR / "js"
NARROW_MAX_PX = 599  # a chart this wide or less shows its narrow variant (content/css/page.css; the map: 739)


def page_style() -> None:
    """The dashboard's own CSS (``content/css/page.css``): printing, the narrow variants of charts
    on phones, contrast of small text."""
    st.html(CSS_DIR / "page.css")


def presenter_style() -> None:
    """The presentation's CSS (``content/css/presenter.css``): no sidebar, large type, a slide
    that fits the screen."""
    st.html(CSS_DIR / "presenter.css")


_document_language = st.components.v2.component(
    "care_document_language", js=(JS_DIR / "document_language.js").read_text(encoding="utf-8")
)


def document_language(lang: str) -> None:
    """Set ``<html lang>`` to the interface language, so screen readers and translation tools read
    Spanish pages as Spanish (Streamlit writes ``en`` in its page and offers no setting for it), and
    put Streamlit's own texts in that language (``frontend_texts.replacements``)."""
    _document_language(key="care_document_language", data={"lang": lang, "texts": frontend_texts.replacements(lang)},
                       height=0)


def slide_figure(ctx: PageContext, view: views.View, height: int, width: int):
    """A view's chart for a slide: its unit under the title, the source line inside it, text
    enlarged for a projector, and as tall as the slide allows (its key caveats are written under
    it in large type), its title on one line where the slide's ``width`` (px) holds it; the map
    scaled as a whole (``map_chart.scaled``, ``slides.map_zoom``). Built the first time this view
    shows the slide at this size and kept (``PageContext.memo``); returned as a figure for
    ``st.plotly_chart`` (``view_cache.SentFigure``)."""

    def build() -> dict:
        fig = view.make_chart()  # its own: the view's kept chart (``view.chart``) stays as it is
        scale = max(1.0, min(1.5, height / 560))
        line = width * 0.9 * slides.CHARS_PER_EM  # characters of a line of the slide, times the font size
        charts.with_heading(fig, view.unit, title_chars=max(charts.TITLE_WRAP_CHARS, int(line / (19 * scale))),
                            subtitle_chars=max(charts.SUBTITLE_WRAP_CHARS, int(line / (15 * scale))))
        figure_with_footer(ctx, fig, [], copy=False)
        if view.key == "territory_map":
            # it places its circles and labels for the size it is drawn at: drawn so, and
            # enlarged or reduced as a whole to the slide
            spec = fig.to_dict()
            layout = spec["layout"]
            out = map_chart.scaled(spec, slides.map_zoom(height, layout["height"], layout["meta"]["min_width_px"], width))
            # no wider than the country view grows (``full_width_px``): stretched to the slide,
            # the zoomed panels stood apart from the country by a third of the screen
            out["layout"]["width"] = round(min(out["layout"]["meta"]["full_width_px"], slides.slide_width(width)))
            return out
        fig = charts.for_projector(fig, scale=scale)
        fig.update_layout(height=height)
        charts.fit_rows(fig)
        return fig.to_dict()

    return view_cache.sent_figure(ctx.memo("slide", build, view.key, view.unit, height, width))


_presenter = st.components.v2.component(
    "care_presenter",
    html='<button type="button" class="care-fullscreen"></button>',
    css=(CSS_DIR / "presenter_button.css").read_text(encoding="utf-8"),
    js=(JS_DIR / "presenter.js").read_text(encoding="utf-8"),
)


def presenter_controls(ctx: PageContext) -> tuple[str | None, dict | None]:
    """The presentation's keys (arrows, PageDown/PageUp, space, Home/End) and its full-screen
    button (F): returns the move asked for in this run, if any, and the window's size."""
    result = _presenter(
        key="care_presenter",
        data={"label": ctx.t("present.fullscreen")},
        on_move_change=lambda: None,
        on_viewport_change=lambda: None,
        width="content",
    )
    return getattr(result, "move", None), getattr(result, "viewport", None)
