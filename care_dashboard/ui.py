"""The one module outside the pages that calls Streamlit: caching, and the shared blocks every page
uses (a figure or chart with its unit and caveats in one container, the empty state).

Query running, charts, caveats and i18n stay free of Streamlit so they test without it.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

import duckdb
import pandas as pd
import streamlit as st

from . import caveats, datasets, i18n, queries, url_state
from .labels import Labels
from .selection import Selection

_attach_lock = threading.Lock()


@st.cache_resource
def _connection() -> tuple[duckdb.DuckDBPyConnection, dict]:
    """One DuckDB connection per process; each query gets its own cursor."""
    return duckdb.connect(), {}


def _ensure_attached(dataset: datasets.Dataset) -> None:
    con, attached = _connection()
    with _attach_lock:
        if dataset.schema_name not in attached:
            datasets.attach(con, dataset)
            attached[dataset.schema_name] = dataset.name


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_run(name: str, sql: str, schema_name: str, params_key: tuple) -> pd.DataFrame:
    con, _ = _connection()
    return queries.run(con, schema_name, name, {k: (list(v) if v is not None else None) for k, v in params_key})


def run_query(name: str, dataset: datasets.Dataset, params: dict) -> pd.DataFrame:
    """Run a named query, cached on its SQL text, the dataset version (in the schema name) and
    the bound parameters."""
    _ensure_attached(dataset)
    query = queries.get(name)
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return _cached_run(name, query.sql, dataset.schema_name, key)


@dataclass(frozen=True)
class PageContext:
    lang: str
    dataset: datasets.Dataset
    selection: Selection
    labels: Labels

    def run(self, name: str, with_selection: bool = True) -> pd.DataFrame:
        return run_query(name, self.dataset, self.selection.params() if with_selection else {})

    def t(self, key: str, **values) -> str:
        return i18n.t(key, self.lang, **values)

    def n(self, value) -> str:
        return i18n.number(value, self.lang)


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
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.session_state["_restore_query"] = {k: st.query_params.get_all(k) for k in st.query_params}
        st.rerun()
    return st.session_state["_page_context"]


@dataclass(frozen=True)
class FilterOptions:
    components: pd.DataFrame
    territories: pd.DataFrame
    organisations: pd.DataFrame

    def ids(self) -> dict[str, list[str]]:
        return {
            "lang": list(i18n.LANGS),
            "component": list(self.components["component_id"]),
            "territory": list(self.territories["territory_id"]),
            "organisation": list(self.organisations["organisation_id"]),
        }


def filter_options(dataset: datasets.Dataset) -> FilterOptions:
    return FilterOptions(
        run_query("component_options", dataset, {}),
        run_query("territory_options", dataset, {}),
        run_query("organisation_options", dataset, {}),
    )


def load_view_from_url(options: FilterOptions) -> list[tuple[str, str]]:
    """On a session's first run, set the widgets from the link; returns the values ignored."""
    if st.session_state.get("_view_loaded"):
        return []
    raw = st.session_state.pop("_restore_query", None) or {
        key: st.query_params.get_all(key) for key in st.query_params
    }
    values, ignored = url_state.parse(raw, options.ids())
    st.session_state["lang"] = values.get("lang", i18n.DEFAULT_LANG)
    for key in url_state.MULTI_KEYS:
        st.session_state[key] = values.get(key, [])
    st.session_state["_view_loaded"] = True
    return ignored


def write_view_to_url(lang: str, selection: Selection) -> None:
    """Keep the address bar equal to the view, so copying the link shares it."""
    wanted = url_state.to_query(
        lang,
        i18n.DEFAULT_LANG,
        {"component": selection.components, "territory": selection.territories, "organisation": selection.organisations},
    )
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    normalised = {k: (v if isinstance(v, list) else [v]) for k, v in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)


def page_header(ctx: PageContext, page: str) -> None:
    st.title(ctx.t(f"{page}.title"))
    st.write(ctx.t(f"{page}.purpose"))
    if ctx.selection.is_filtered:
        st.caption(ctx.t("common.filtered_note"))


def caveat_list(caveat_ids, lang: str) -> None:
    """The caveats, visible (not folded away), each with the report section it rests on."""
    for c in caveats.for_ids(caveat_ids, lang):
        st.caption(
            f":material/warning: **{c.title}.** {c.text} "
            f"*({i18n.t('common.report_section', lang, section=c.section)})*"
        )


def chart_block(ctx: PageContext, fig, query_name: str, unit_key: str, key: str, extra_caveats=()) -> None:
    """A chart, its counting unit and the caveats its query names, in one container."""
    with st.container(border=True):
        st.plotly_chart(fig, key=key, config={"displaylogo": False})
        st.caption(ctx.t("common.unit_line", unit=ctx.t(unit_key)))
        caveat_list(list(queries.get(query_name).caveats) + list(extra_caveats), ctx.lang)


def figure_block(
    ctx: PageContext, label: str, value: str, unit: str, caveat_ids,
    help_text: str | None = None, note: str | None = None,
) -> None:
    """A headline figure with its unit, an optional note and its caveats, in one container."""
    with st.container(border=True):
        st.metric(label, value, help=help_text)
        st.caption(ctx.t("common.unit_line", unit=unit))
        if note:
            st.caption(f":material/info: {note}")
        caveat_list(caveat_ids, ctx.lang)


def empty_state(ctx: PageContext) -> None:
    st.info(f"**{ctx.t('common.empty_title')}** {ctx.t('common.empty_body')}", icon=":material/filter_alt_off:")


def table(ctx: PageContext, df: pd.DataFrame, key: str) -> None:
    st.dataframe(df, hide_index=True, key=key, width="stretch")
