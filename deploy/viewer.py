"""A viewer of the dashboard without a browser: one Streamlit session over its own websocket to
``/_stcore/stream``, speaking Streamlit's protocol (``BackMsg`` rerun requests out, ``ForwardMsg``
messages back, from ``streamlit.proto``) as the browser does, and holding what a browser tab holds
(widget values, the address bar's query string, the app's pages).

``make serve``'s warm-up (deploy/warm.py) walks each worker's views with it, and the load test
(docs/reliability.md) runs many of them at once. How each interaction is sent was read from
Streamlit 1.67's source and checked against the server's answers:
  - a link: the first ``rerun_script`` of a session carries the query string and the page's URL
    path (``page_name``); the app reads the URL once per session (``ui.load_view_from_url``);
  - later, a page change is a ``rerun_script`` with the page's ``page_script_hash`` (from the
    ``navigation`` message), and a filter change is the sidebar multiselects' widget states. Like a
    browser, every rerun carries the state of every widget on screen (without the others, a page
    change resets the language radio), filters as the labels the sidebar shows. A query string
    alone on a later rerun does not change the view: Streamlit updates ``st.query_params``, but the
    app has read the URL already.
Every answer is checked: the page that ran, and the filter and dataset the app wrote back to the
URL (``page_info_changed``), must be the ones asked for (``Viewer.check_view``).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import duckdb
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.http11 import USER_AGENT
from websockets.typing import Subprotocol

from care_dashboard import datasets, paths, queries, site_pages, url_state

FILTER_KEYS = url_state.MULTI_KEYS
# the Import page uploads sheets and writes datasets: not a viewer's page
SKIPPED_PAGES = tuple(p.address for p in site_pages.PAGES if p.needs_import_right)
# the default page; Streamlit gives it the URL path "", so the navigation message names it by that
DEFAULT_PAGE = site_pages.DEFAULT.address
# half the viewers' browsers say Spanish, half English; their links name no language
LOCALES = ("en-US", "es-CO")


def filter_ids(dataset: str, data_dir: Path) -> dict[str, list[str]]:
    """The ids a viewer may filter on, per sidebar filter, in the order the sidebar lists them
    (the sidebar's own option queries, run on the dataset's files)."""
    ds = datasets.load_dataset(dataset, data_dir)
    with duckdb.connect() as con:
        datasets.attach(con, ds)
        return {
            key: queries.run(con, ds.schema_name, f"{key}_options", {})[f"{key}_id"].astype(str).tolist()
            for key in FILTER_KEYS
        }


def filter_text(chosen: tuple[str, str] | None) -> str:
    return "none" if chosen is None else f"{chosen[0]}={chosen[1]}"


def exception_text(exc) -> str:
    """An exception element as a line; with ``client.showErrorDetails = "none"`` the server sends
    no type and a generic message (the details are in the server's log)."""
    return f"{exc.type}: {exc.message}" if exc.type else exc.message


class Viewer:
    """One browser tab: a Streamlit session over its own websocket, holding what the browser
    would hold (widget values, the address bar's query string, the app's pages)."""

    def __init__(self, index: int, base_url: str, dataset: str, ids: dict[str, list[str]], timeout_s: float,
                 user_agent: str | None = None, headers: dict[str, str] | None = None):
        self.index = index
        self.headers = headers or {}  # sent with the websocket's handshake (the warm-up's key)
        self.user_agent = user_agent  # a phone's is sent the charts' phone variants (care_dashboard/screen.py)
        self.base_url = base_url
        self.dataset = dataset
        self.ids = ids
        self.timeout_s = timeout_s
        self.locale = LOCALES[index % len(LOCALES)]
        self.ws: ClientConnection | None = None
        self.widgets: dict[str, WidgetState] = {}  # widget id -> the value the browser sends
        self.filter_widgets: dict[str, str] = {}  # filter key -> its multiselect's widget id
        self.filter_labels: dict[str, list[str]] = {}  # filter key -> the options as the sidebar shows them
        self.pages: dict[str, str] = {}  # page name -> page_script_hash, from the navigation message
        self.query_string = ""
        self.texts: list[str] = []  # the text the last run drew (headings, markdown, metrics)

    async def open(self, page: str, chosen: tuple[str, str] | None) -> tuple[float, list[tuple[str, str]]]:
        """A new session from a link to ``page`` with ``chosen`` in its query string."""
        await self.close()
        split = urlsplit(self.base_url)
        self.ws = await connect(
            f"ws://{split.netloc}{split.path.rstrip('/')}/_stcore/stream",
            subprotocols=[Subprotocol("streamlit")], max_size=None, open_timeout=self.timeout_s,
            ping_interval=None,  # a browser sends no websocket pings; the server pings
            user_agent_header=self.user_agent or USER_AGENT, additional_headers=self.headers,
        )
        self.widgets, self.filter_widgets, self.filter_labels, self.pages = {}, {}, {}, {}
        query = {} if self.dataset == paths.DEFAULT_DATASET else {url_state.DATASET_KEY: self.dataset}
        if chosen:
            query[chosen[0]] = chosen[1]
        self.query_string = urlencode(query)
        state = self.client_state(page_name="" if page == DEFAULT_PAGE else page)
        return await self.rerun(state, page, chosen)

    async def change(self, page: str, chosen: tuple[str, str] | None) -> tuple[float, list[tuple[str, str]]]:
        """Go to ``page`` and set the sidebar filters to ``chosen`` in the open session."""
        for key in FILTER_KEYS:
            labels = []
            if chosen and chosen[0] == key:
                labels = [self.filter_labels[key][self.ids[key].index(chosen[1])]]
            state = WidgetState(id=self.filter_widgets[key])
            state.string_array_value.data.extend(labels)
            self.widgets[state.id] = state
        return await self.rerun(self.client_state(page_script_hash=self.pages[page]), page, chosen)

    async def close(self) -> None:
        if self.ws is not None:
            ws, self.ws = self.ws, None
            await ws.close()

    def client_state(self, page_name: str = "", page_script_hash: str = "") -> ClientState:
        """A rerun request as the browser sends it: page, address bar, every widget's value and
        the browser's context (the app follows its locale when a link names no language)."""
        state = ClientState(query_string=self.query_string, page_name=page_name, page_script_hash=page_script_hash)
        state.widget_states.widgets.extend(self.widgets.values())
        info = state.context_info
        info.locale = self.locale
        info.timezone = "America/Bogota"
        info.timezone_offset = 300
        info.url = f"{self.base_url.rstrip('/')}/{page_name}" + (f"?{self.query_string}" if self.query_string else "")
        info.color_scheme = "light"
        return state

    async def rerun(self, state: ClientState, page: str, chosen) -> tuple[float, list[tuple[str, str]]]:
        """Send one rerun and read the answer up to its script_finished (a run that ends early
        for a rerun, as ``st.rerun()`` does, is followed by the one the viewer waits for)."""
        ws = self.ws
        if ws is None:
            raise RuntimeError("no session to rerun: open() a page first")
        msg = BackMsg()
        msg.rerun_script.CopyFrom(state)
        errors: list[tuple[str, str]] = []
        seen: set[str] = set()
        ran_page = None
        started = time.perf_counter()
        await ws.send(msg.SerializeToString())
        async with asyncio.timeout(self.timeout_s):
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await ws.recv())
                kind = fwd.WhichOneof("type")
                if kind == "new_session":  # a run starts: it draws the screen anew
                    seen.clear()
                    self.texts = []
                elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    self.element(fwd.delta.new_element, seen, errors)
                elif kind == "navigation":
                    # the pages of the browser's menu: a hidden one (the default page's second
                    # entry, at its own address: care_dashboard/ui_nav.py) is not one to go to
                    self.pages = {p.url_pathname or DEFAULT_PAGE: p.page_script_hash
                                  for p in fwd.navigation.app_pages if not p.is_hidden}
                    ran_page = fwd.navigation.page_script_hash
                elif kind == "page_info_changed":
                    self.query_string = fwd.page_info_changed.query_string
                elif kind == "page_not_found":
                    errors.append(("page_not_found", f"page_name {fwd.page_not_found.page_name!r} ({page})"))
                elif kind == "session_event" and fwd.session_event.HasField("script_compilation_exception"):
                    errors.append(("exception", exception_text(fwd.session_event.script_compilation_exception)))
                elif kind == "script_finished":
                    if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue
                    if fwd.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                        errors.append(("bad_status", ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished)))
                    break
        latency_ms = (time.perf_counter() - started) * 1000
        # the browser forgets the widgets that are no longer on screen
        self.widgets = {wid: s for wid, s in self.widgets.items() if wid in seen}
        return latency_ms, errors + self.check_view(ran_page, page, chosen)

    def element(self, element, seen: set[str], errors: list[tuple[str, str]]) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            errors.append(("exception", exception_text(element.exception)))
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            errors.append(("error_alert", element.alert.body))
        elif kind in ("markdown", "heading"):
            self.texts.append(getattr(element, kind).body)
        elif kind == "metric":
            self.texts.append(f"{element.metric.label}: {element.metric.body}")
        elif kind in ("radio", "multiselect"):
            self.widget(kind, getattr(element, kind), seen)

    def widget(self, kind: str, proto, seen: set[str]) -> None:
        """Hold the value a browser holds for this widget: the one the server sets, else the one
        it had, else the widget's default. The dashboard's stateful widgets are radios (language,
        dataset) and multiselects (filters); its buttons send nothing until pressed."""
        seen.add(proto.id)
        state = self.widgets.get(proto.id)
        if kind == "radio":
            if proto.set_value:
                state = WidgetState(id=proto.id, string_value=proto.raw_value) if proto.HasField("raw_value") else None
            elif state is None and proto.HasField("default"):
                state = WidgetState(id=proto.id, string_value=proto.options[proto.default])
        else:
            key = proto.id.rsplit("-", 1)[-1]  # a keyed widget's id ends with its key
            if key in FILTER_KEYS:
                self.filter_widgets[key] = proto.id
                self.filter_labels[key] = list(proto.options)
            if proto.set_value or state is None:
                state = WidgetState(id=proto.id)
                state.string_array_value.data.extend(
                    proto.raw_values if proto.set_value else [proto.options[i] for i in proto.default]
                )
        if state is None:
            self.widgets.pop(proto.id, None)
        else:
            self.widgets[proto.id] = state

    def check_view(self, ran_page: str | None, page: str, chosen) -> list[tuple[str, str]]:
        """The page that ran, and the filters and dataset the app wrote to the URL, against what
        was asked; the sidebar must list the dataset's filter values."""
        errors = []
        if self.pages and ran_page != self.pages.get(page):
            ran = next((name for name, h in self.pages.items() if h == ran_page), ran_page)
            errors.append(("wrong_view", f"asked for page {page}, {ran} ran"))
        query = parse_qs(self.query_string)
        shown = {k: v for k, v in query.items() if k in FILTER_KEYS}
        wanted = {chosen[0]: [chosen[1]]} if chosen else {}
        if shown != wanted:
            errors.append(("wrong_view", f"asked for filter {filter_text(chosen)} on {page}, the app shows {shown or 'none'}"))
        if query.get(url_state.DATASET_KEY, [paths.DEFAULT_DATASET]) != [self.dataset]:
            errors.append(("wrong_view", f"asked for dataset {self.dataset}, the URL says {self.query_string!r}"))
        for key in FILTER_KEYS:
            if key not in self.filter_widgets:
                errors.append(("wrong_view", f"no {key} filter in the sidebar on {page}"))
            elif len(self.filter_labels[key]) != len(self.ids[key]):
                errors.append(("wrong_view", f"the sidebar lists {len(self.filter_labels[key])} values of {key}, "
                                             f"the dataset has {len(self.ids[key])}"))
        return errors
