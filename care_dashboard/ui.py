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
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from . import briefing, caveats, charts, datasets, exports, figures, i18n, paths, queries, url_state, views
from . import labels as labels_module
from .labels import Labels
from .selection import Selection

_attach_lock = threading.Lock()
# every ASCII punctuation mark Markdown, Streamlit's directives (:material/icon:, :red[...]) or
# HTML could read as syntax
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&\"'])")


def plain(value) -> str:
    """Text from the data (a name, a title, a value from a link) for a Streamlit element that reads
    Markdown (st.markdown, st.caption, st.metric labels, st.radio options, alerts, toasts): every
    character that could be syntax is backslash-escaped and line breaks become spaces, so it shows
    exactly as typed and nothing in it becomes a link, an image, an icon or HTML."""
    return _MARKDOWN_SYNTAX.sub(r"\\\1", " ".join(str(value).split()))


def safe_url(value) -> str:
    """A link from dataset metadata, kept only when it is an http(s) address (no javascript:)."""
    text = str(value or "").strip()
    return text if re.fullmatch(r"https?://[^\s()<>\[\]]+", text) else ""


@st.cache_resource
def _connection() -> tuple[duckdb.DuckDBPyConnection, dict]:
    """One DuckDB connection per process; each query gets its own cursor."""
    return duckdb.connect(), {}


KEEP_ATTACHED_VERSIONS = 2  # of one dataset: the newest and the one sessions may still be reading
# what each attached version offers to choose from, and its names (FilterOptions), by schema name;
# dropped with the version
_options_of: dict[str, FilterOptions] = {}


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
    return _cached_run(name, query.sql, dataset.schema_name, key)


def start_queries(dataset: datasets.Dataset, calls: list[tuple[str, dict]]) -> None:
    """Start these named queries now, each in its own thread, and return at once; a later
    ``run_query`` of the same query finds its result in the cache, or waits for it (st.cache_data
    computes a key once). DuckDB runs a query over a few thousand rollup rows on one core, so a
    page's queries started together use both cores of a small server instead of one after the
    other. A query that fails here fails again, with its message, where the page runs it."""
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

    def run(self, name: str, with_selection: bool = True, **params) -> pd.DataFrame:
        """Run a named query with the sidebar selection and any further bound parameters
        (``min_people=ctx.small_number_threshold``)."""
        df = run_query(name, self.dataset, {**(self.selection.params() if with_selection else {}), **params})
        if self.is_record_level and with_selection and self.selection.organisations:
            df = figures.hide_small_people(df, self.small_number_threshold)
        return df

    def prefetch(self, *names: str, **params) -> None:
        """Start the page's queries together (``start_queries``), with the sidebar selection and
        whichever of ``params`` each query takes; the page then runs them as usual."""
        start_queries(self.dataset, [
            (name, {**self.selection.params(), **{k: v for k, v in params.items() if k in queries.get(name).params}})
            for name in names
        ])

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

    def caveats_for(self, caveat_ids) -> list[caveats.Caveat]:
        """The caveats that hold for this dataset's kind, plus the synthetic-data one where it applies."""
        ids = list(caveat_ids) + ([caveats.SYNTHETIC] if self.dataset.is_synthetic else [])
        return caveats.for_ids(ids, self.lang, self.dataset.kind, self.caveat_values)

    @property
    def caveat_values(self) -> dict[str, object]:
        """What caveat texts may refer to (``{threshold}``)."""
        return {"threshold": self.small_number_threshold}


@contextlib.contextmanager
def shell_context(ctx: PageContext):
    """dashboard.py runs the chosen page inside this; the context exists only while it does."""
    st.session_state["_page_context"] = ctx
    try:
        yield
    finally:
        st.session_state.pop("_page_context", None)


def page_context() -> PageContext:
    """Set by dashboard.py while the page runs (``shell_context``).

    Streamlit runs a script from a ``pages/`` folder on its own (its legacy multipage mode) for the
    first request after a server start, until ``st.navigation`` has run once. A shared deep link
    such as ``/territory?lang=es`` would then miss the sidebar and this context. In that case we
    leave legacy mode and rerun: the entry script then runs and opens the requested page with its
    query string intact.
    """
    if "_page_context" not in st.session_state:
        _leave_legacy_pages_mode()
    return st.session_state["_page_context"]


def _leave_legacy_pages_mode() -> None:
    """Turn off Streamlit's legacy ``pages/`` mode and rerun, keeping the link's query string
    (``load_view_from_url`` reads it from ``_restore_query``)."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.session_state["_restore_query"] = {k: st.query_params.get_all(k) for k in st.query_params}
    st.rerun()


def leave_legacy_pages_mode() -> None:
    """dashboard.py calls this before it makes any widget. The first request after a server start
    runs the entry script in Streamlit's legacy ``pages/`` mode too (until ``st.navigation`` has
    run once), where its widgets get other ids than in every later run: the visitor's next click
    would send values for widgets that no longer exist, and the link's language and filters would
    be lost. So that first run reruns at once in the normal mode."""
    from streamlit.runtime.pages_manager import PagesManager

    # Only a session's first run can be in that mode on a server (st.navigation turns it off for
    # good). Streamlit's AppTest turns it back on before every run, and reads its widgets the same
    # way in every run, so there only the first run needs it.
    if PagesManager.uses_pages_directory and not st.session_state.get("_view_loaded"):
        _leave_legacy_pages_mode()


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


def load_view_from_url(available: dict[str, datasets.Dataset]) -> list[tuple[str, str]]:
    """On a session's first run, set the widgets from the link; returns the values ignored.

    The dataset is read first: the filter ids a link may use are those of the dataset it names.
    """
    if st.session_state.get("_view_loaded"):
        return []
    raw = st.session_state.pop("_restore_query", None) or {
        key: st.query_params.get_all(key) for key in st.query_params
    }
    chosen, _ = url_state.parse(raw, {url_state.DATASET_KEY: list(available)})
    name = chosen.get(url_state.DATASET_KEY, paths.DEFAULT_DATASET)
    options = filter_options(available[name])
    values, ignored = url_state.parse(raw, {**options.ids(), url_state.DATASET_KEY: list(available)})
    st.session_state["dataset"] = name
    st.session_state["lang"] = values.get("lang") or browser_lang()
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
    left out only when it is the default and this browser would pick the default anyway."""
    wanted = url_state.to_query(
        lang,
        i18n.DEFAULT_LANG if browser_lang() == i18n.DEFAULT_LANG else None,
        {"component": selection.components, "territory": selection.territories, "organisation": selection.organisations},
        dataset=dataset.name,
        default_dataset=paths.DEFAULT_DATASET,
    )
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    normalised = {k: (v if isinstance(v, list) else [v]) for k, v in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)


def page_header(ctx: PageContext, page: str) -> None:
    """Title and one-sentence purpose; a page may word its purpose apart for attendance records
    (``PAGE.purpose_records``)."""
    st.title(ctx.t(f"{page}.title"))
    records_key = f"{page}.purpose_records"
    st.write(ctx.t(records_key if ctx.is_record_level and records_key in i18n.catalogue(ctx.lang) else f"{page}.purpose"))
    if ctx.selection.is_filtered:
        st.caption(ctx.t("common.filtered_note"))


def source_of(caveat: caveats.Caveat, lang: str) -> str:
    """Where a caveat rests: a report section, or this dashboard's own method."""
    if caveat.rests_on_method:
        return i18n.t("common.dashboard_method", lang)
    return i18n.t("common.report_section", lang, section=caveat.section)


def caveat_list(ctx: PageContext, caveat_ids) -> None:
    """The caveats that hold for the dataset, visible (not folded away), each with what it rests on."""
    for c in ctx.caveats_for(caveat_ids):
        st.caption(f":material/warning: **{c.title}.** {c.text} *({source_of(c, ctx.lang)})*")


def synthetic_banner(ctx: PageContext) -> None:
    """At the top of every page while a synthetic dataset is chosen."""
    if ctx.dataset.is_synthetic:
        st.warning(
            f"**{ctx.t('common.synthetic_banner_title')}** {ctx.t('common.synthetic_banner_body')}",
            icon=":material/science:",
        )


def dataset_kind_label(dataset: datasets.Dataset, lang: str) -> str:
    """What kind of data a dataset holds, in words, for the picker: published figures, attendance
    records, or synthetic records."""
    kind = "synthetic" if dataset.is_synthetic else dataset.kind
    return i18n.t(f"dataset_kind.{kind}", lang)


def export_header(ctx: PageContext, title: str, unit: str, caveat_ids) -> exports.ExportHeader:
    meta = ctx.dataset.metadata
    return exports.ExportHeader(
        title=title,
        unit=unit,
        caveats=ctx.caveats_for(caveat_ids),
        filters=exports.filters_text(ctx.selection, ctx.labels, ctx.lang),
        dataset=ctx.dataset.title(ctx.lang),
        source=meta.get("source_citation", ""),
        licence=meta.get("licence", ""),
    )


def csv_download(ctx: PageContext, df: pd.DataFrame, header: exports.ExportHeader, key: str) -> None:
    st.download_button(
        ctx.t("exports.download_csv"),
        # built when the button is pressed: a table of thousands of rows costs nothing until then
        data=lambda: exports.csv_bytes(df, header, ctx.lang),
        file_name=f"care-{key}-{ctx.lang}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        help=ctx.t("exports.download_help"),
        on_click="ignore",
    )


def figure_with_footer(ctx: PageContext, fig, caveat_ids, copy: bool = True):
    """The chart with its caveats (titles and what they rest on) and the source inside the
    figure, so a saved image keeps them (``copy=False``: written into ``fig``)."""
    meta = ctx.dataset.metadata
    lines = [f"\u26a0 {c.title} ({source_of(c, ctx.lang)})" for c in ctx.caveats_for(caveat_ids)]
    lines.append(ctx.t("exports.footer_source", source=meta.get("source_citation", ""), licence=meta.get("licence", "")))
    return charts.with_caveat_footer(fig, lines, copy=copy)


def plot_config(key: str) -> dict:
    """Plotly's toolbar: the camera button saves a sharp PNG named after the chart."""
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": f"care-{key}", "scale": 2}}


def chart_block(
    ctx: PageContext, fig, query_name: str, unit_key: str, key: str, extra_caveats=(),
    table_df: pd.DataFrame | None = None, export_df: pd.DataFrame | None = None,
) -> None:
    """A chart, optionally its figures as a table, its counting unit, the caveats its query
    names and a CSV of its figures, in one container. The caveats are also written inside the
    figure, so a saved image keeps them."""
    caveat_ids = list(queries.get(query_name).caveats) + list(extra_caveats)
    with st.container(border=True):
        title = fig.layout.title.text or key
        # the figure was built for this run only, so its footer is written into it, not a copy
        st.plotly_chart(figure_with_footer(ctx, fig, caveat_ids, copy=False), key=key, config=plot_config(key))
        if table_df is not None:
            st.dataframe(table_df, hide_index=True, key=f"{key}_table", width="stretch")
        st.caption(ctx.t("common.unit_line", unit=ctx.t(unit_key)))
        caveat_list(ctx, caveat_ids)
        data = export_df if export_df is not None else table_df
        if data is not None:
            csv_download(ctx, data, export_header(ctx, title, ctx.t(unit_key), caveat_ids), key)


def table_block(ctx: PageContext, df: pd.DataFrame, query_name: str, key: str, unit_key: str | None = None, note: str | None = None) -> None:
    """A table, its unit, an optional note, the caveats its query names and its CSV, in one container."""
    with st.container(border=True):
        st.dataframe(df, hide_index=True, key=key, width="stretch")
        if unit_key:
            st.caption(ctx.t("common.unit_line", unit=ctx.t(unit_key)))
        if note:
            st.caption(f":material/info: {note}")
        caveat_ids = queries.get(query_name).caveats
        caveat_list(ctx, caveat_ids)
        csv_download(ctx, df, export_header(ctx, queries.get(query_name).title, ctx.t(unit_key) if unit_key else "", caveat_ids), key)


def figure_block(
    ctx: PageContext, label: str, value: str, unit: str, caveat_ids,
    help_text: str | None = None, note: str | None = None,
) -> None:
    """A headline figure with its unit, an optional note and its caveats, in one container."""
    with st.container(border=True):
        st.metric(plain(label), value, help=help_text)  # values are our own formatted counts
        st.caption(ctx.t("common.unit_line", unit=unit))
        if note:
            st.caption(f":material/info: {plain(note)}")
        caveat_list(ctx, caveat_ids)


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
    meta = ctx.dataset.metadata
    found = views.build(ctx.run, ctx.labels, ctx.is_record_level, ctx.small_number_threshold, ctx.run_unfiltered)
    return briefing.build_html(
        found,
        ctx.lang,
        filters=exports.filters_text(ctx.selection, ctx.labels, ctx.lang),
        dataset_title=ctx.dataset.title(ctx.lang),
        source=meta.get("source_citation", ""),
        licence=meta.get("licence", ""),
        caveats_for=ctx.caveats_for,
        source_of=lambda c: source_of(c, ctx.lang),
        decorate=lambda fig, ids: figure_with_footer(ctx, fig, ids),
    ).encode("utf-8")


PRINT_CSS = """
<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDownloadButton"], [data-testid="stBaseButton-secondary"] { display: none !important; }
  /* a bordered container (chart or figure with its unit and caveats) stays on one page */
  [data-testid="stLayoutWrapper"]:has(.js-plotly-plot), [data-testid="stLayoutWrapper"]:has([data-testid="stMetric"]) {
    break-inside: avoid; page-break-inside: avoid;
  }
  [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 0 !important; zoom: 0.78; }
}
/* charts keep the width they had on screen: landscape pages and the zoom above fit them */
@page { size: A4 landscape; margin: 10mm; }
</style>
"""


def print_layout() -> None:
    """Printing keeps each chart with its caveats on one page and leaves out the controls."""
    st.html(PRINT_CSS)


PRESENTER_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding-top: 1.5rem; }
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li { font-size: 1.35rem; line-height: 1.5; }
[data-testid="stMetricValue"] { font-size: 3.6rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.4rem !important; }
</style>
"""
