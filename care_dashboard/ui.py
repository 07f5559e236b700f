"""The one module outside the pages that calls Streamlit: caching, and the shared blocks every page
uses (a figure or chart with its unit and caveats in one container, the empty state).

Query running, charts, caveats and i18n stay free of Streamlit so they test without it.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from . import (
    access,
    caveats,
    datasets,
    figures,
    filters,
    frontend_texts,
    honest,
    i18n,
    labels as labels_module,
    notes,
    paths,
    queries,
    url_state,
    view_cache,
    views,
)
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


def run_query(name: str, dataset: datasets.Dataset, params: dict) -> pd.DataFrame:
    """Run a named query, kept in ``VIEWS`` on its SQL text, the dataset version (in the schema
    name) and the bound parameters; run once however many threads ask for it together (the
    page's queries started by ``start_queries``, another session's view)."""
    _ensure_attached(dataset)
    query = queries.get(name)
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))

    def run() -> pd.DataFrame:
        con, _ = _connection()
        return queries.run(con, dataset.schema_name, name, {k: (list(v) if isinstance(v, tuple) else v) for k, v in key})

    # a copy: the kept frame is shared, and a page may add columns to what it gets
    return VIEWS.get(("query", name, query.sql, dataset.schema_name, key), run).copy()


# the threads that run a page's queries together: started once, not per page (a thread's start
# costs about a millisecond while a page is drawn); as many as a page has queries
_QUERY_THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="query")


def start_queries(dataset: datasets.Dataset, calls: list[tuple[str, dict]]) -> None:
    """Start these named queries now, each in a thread of its own (``_QUERY_THREADS``), and return at once; a later
    ``run_query`` of the same query finds its result in ``VIEWS``, or waits for it (a key is
    built once). DuckDB runs a query over a few thousand rollup rows on one core, so a
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

    def quietly(name: str, params: dict) -> None:
        try:
            run_query(name, dataset, params)
        except Exception:  # noqa: BLE001 - reported where the page itself runs the query
            pass

    for name, params in calls:
        _QUERY_THREADS.submit(quietly, name, params)


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
    # whether the browser is a phone's or a tablet's, sent the charts' phone variants (screen.py)
    phone: bool = field(default=False, compare=False)

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

    def prefetch_page(self, page: str) -> None:
        """Start every query ``page``'s figures run (``views.page_queries``: named once, in the
        catalogue), together, as soon as the page starts."""
        start_queries(self.dataset, [
            (name, {**({} if unfiltered else self.selection.params()), **params})
            for name, params, unfiltered in views.page_queries(page, self.source.kind, self.small_number_threshold)
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

    @property
    def source(self) -> views.Source:
        """What the catalogue's figures are built from for this page run (``views``)."""
        return views.Source(self.run, self.labels, self.is_record_level, self.small_number_threshold, self.run_unfiltered)

    def frame(self, view: views.View) -> honest.Frame:
        """What every surface shows with ``view`` for this selection (``honest.frame``)."""
        return honest.frame(view, caveats_for=self.caveats_for, selection=self.selection, labels=self.labels,
                            dataset=self.dataset, lang=self.lang)

    @property
    def caveat_values(self) -> dict[str, object]:
        """What caveat texts may refer to (``{threshold}``)."""
        return {"threshold": self.small_number_threshold}


# the sidebar's widgets whose options are shown by name, in the page's language
NAMED_CHOICE_KEYS = ("dataset", *filters.KEYS)


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
                **{f.key: getattr(self, f.param)[f.id_column].tolist() for f in filters.FILTERS},
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
        frames: dict[str, Any] = {f.param: queries.run(con, dataset.schema_name, f.options_query, {})
                                  for f in filters.FILTERS}
        found = FilterOptions(**frames)
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
    name = str(chosen.get(url_state.DATASET_KEY, paths.DEFAULT_DATASET))
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
        selection.by_key(),
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


def dataset_kind_label(dataset: datasets.Dataset, lang: str) -> str:
    """What kind of data a dataset holds, in words, for the picker: published figures, attendance
    records, or synthetic records."""
    kind = "synthetic" if dataset.is_synthetic else dataset.kind
    return i18n.t(f"dataset_kind.{kind}", lang)


CSS_DIR = paths.CONTENT_DIR / "css"
JS_DIR = paths.CONTENT_DIR / "js"


def page_style() -> None:
    """The dashboard's own CSS (``content/css/page.css``): printing, the narrow variants of charts
    on phones, contrast of small text."""
    st.html(CSS_DIR / "page.css")


_document_language = st.components.v2.component(
    "care_document_language", js=(JS_DIR / "document_language.js").read_text(encoding="utf-8")
)


def document_language(lang: str) -> None:
    """Set ``<html lang>`` to the interface language, so screen readers and translation tools read
    Spanish pages as Spanish (Streamlit writes ``en`` in its page and offers no setting for it), and
    put Streamlit's own texts in that language (``frontend_texts.replacements``)."""
    _document_language(key="care_document_language", data={"lang": lang, "texts": frontend_texts.replacements(lang)},
                       height=0)
