"""The navigation between the dashboard's pages (``site_pages``), with every page at its address,
and the context dashboard.py hands the page it runs.

Only Streamlit's public API (``st.navigation``, ``st.Page``, ``st.switch_page``, ``st.rerun``,
``st.query_params``): nothing here reads or sets Streamlit's internals (tests/test_imports.py).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import streamlit as st

from . import screen, site_pages

if TYPE_CHECKING:
    from .ui import PageContext

# The page context of the page running now, set by dashboard.py around ``page.run()``. Streamlit
# runs the page in the thread that runs dashboard.py, so a context variable reaches the page and no
# other session's run (each has its own thread).
_running: contextvars.ContextVar[PageContext | None] = contextvars.ContextVar("care_page_context", default=None)

# Streamlit runs the entry script in its legacy ``pages/`` mode until ``st.navigation`` has run
# once in the process (see ``leave_legacy_pages_mode``); True from then on.
_navigation_has_run = False


def navigation(title: Callable[[str], str], may_import: bool) -> st.Page:
    """``st.navigation`` of the pages this visitor may open, named in the page's language
    (``title``: a text key to its text); returns the page to run.

    Streamlit serves the default page at ``/`` only: a link to ``/overview`` opened its "Page not
    found" dialog. So the default page also answers at its own address through a hidden second
    entry, which sends the visitor on to ``/`` with the link's query string (that switch makes
    Streamlit forget the sidebar's values: ``ui.load_view_from_url`` reads them from the link)."""
    pages = _pages(site_pages.shown(may_import), title)
    page = st.navigation(pages)
    _navigation_ran()
    if page.url_path == site_pages.DEFAULT.address:  # the hidden entry: the default page is at "/"
        st.switch_page(pages[0], query_params={key: st.query_params.get_all(key) for key in st.query_params})
    return page


def _pages(shown: tuple[site_pages.SitePage, ...], title: Callable[[str], str], icons: bool = True) -> list[st.Page]:
    """The pages ``shown``, the default first (``st.switch_page`` takes the first page of a
    script), then the default page's hidden entry at its own address."""
    default = site_pages.DEFAULT
    return [
        *(st.Page(p.script, title=title(p.title_key), icon=p.icon if icons else None,
                  url_path="" if p is default else p.address, default=p is default) for p in shown),
        st.Page(default.script, title=title(default.title_key), icon=default.icon if icons else None,
                url_path=default.address, visibility="hidden"),
    ]


def _navigation_ran() -> None:
    global _navigation_has_run
    _navigation_has_run = True


@contextlib.contextmanager
def shell_context(ctx: PageContext) -> Iterator[None]:
    """dashboard.py runs the chosen page inside this; the context exists only while it does."""
    token = _running.set(ctx)
    try:
        yield
    finally:
        _running.reset(token)


def page_context() -> PageContext:
    """The context of the page running now (``shell_context``); every page starts with it.

    Only Streamlit's legacy ``pages/`` mode (``leave_legacy_pages_mode``) runs a page script on its
    own, without dashboard.py: the first request after a server start for a page's address, such
    as a shared ``/territory?lang=es``, and every run of Streamlit's AppTest. Such a run leaves that
    mode and reruns: dashboard.py then runs the page, with its sidebar, from the same link."""
    ctx = _running.get()
    if ctx is None:
        _leave_legacy_pages_mode()  # stops this run
        raise RuntimeError("a page of the dashboard runs inside dashboard.py (streamlit run app.py)")
    return ctx


def leave_legacy_pages_mode() -> None:
    """dashboard.py calls this before it makes any widget.

    With a ``pages/`` folder beside the entry script, Streamlit runs the process's first requests
    in its legacy multipage mode, until ``st.navigation`` has run once. There the entry script runs
    as a page of Streamlit's own navigation, and its widgets get other ids than in every later run:
    the visitor's first click would send values for widgets that no longer exist, and be lost. So
    that first run reruns at once in the normal mode.

    Streamlit's AppTest turns the legacy mode back on before every run; it reads its widgets the
    same way in every run, so there only the process's first run needs this. A session whose first
    run starts on a fresh server while another one's first run is under way may miss it (the other
    has left the mode by the time this one asks): its first click is lost, never its view
    (``ui.held_choices``). ``make serve``'s warm-up is each worker's first session."""
    if not _navigation_has_run:
        _leave_legacy_pages_mode()


def _leave_legacy_pages_mode() -> None:
    """Leave Streamlit's legacy ``pages/`` mode and rerun: ``st.navigation`` turns it off for the
    process, so a navigation of every page (none of them missing, so no "Page not found" dialog)
    is made, never shown, and replaced by dashboard.py's own in the rerun. The rerun opens the same
    page, with the link's query string.

    Its pages have no icon: a run that never reached dashboard.py's ``st.set_page_config`` gives
    the browser tab the page's icon, and a Material icon there is fetched from the web (the
    Content-Security-Policy of ``make serve`` refuses it: tests/deploy/test_serve.py)."""
    st.navigation(_pages(site_pages.PAGES, lambda key: key, icons=False), position="hidden")
    _navigation_ran()
    st.rerun()


def visitor_is_phone() -> bool:
    """Whether this session's browser is a phone's or a tablet's (``screen.is_phone`` of its
    User-Agent; ``screen.PHONE_KEY`` in the session state when set, as a test sets it)."""
    if screen.PHONE_KEY in st.session_state:
        return bool(st.session_state[screen.PHONE_KEY])
    return screen.is_phone(st.context.headers.get("User-Agent"))
