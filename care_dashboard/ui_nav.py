"""The navigation between the dashboard's pages (``site_pages``), with every page at its address."""

from __future__ import annotations

from typing import Callable

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from . import site_pages


def navigation(title: Callable[[str], str], may_import: bool) -> StreamlitPage:
    """``st.navigation`` of the pages this visitor may open, named in the page's language
    (``title``: a text key to its text); returns the page to run."""
    _open_default_page_at_its_address()
    return st.navigation([
        st.Page(p.script, title=title(p.title_key), icon=p.icon, url_path=p.address, default=p is site_pages.DEFAULT)
        for p in site_pages.shown(may_import)
    ])


def _open_default_page_at_its_address() -> None:
    """Streamlit serves the default page at ``/`` only: a link to ``/overview`` opened its "Page
    not found" dialog. A request for the default page's own address is made a request for that
    page, before ``st.navigation`` resolves it; the address bar then shows ``/``, with the link's
    query string."""
    ctx = get_script_run_ctx()
    pages = getattr(ctx, "pages_manager", None)
    if pages is None or pages.intended_page_script_hash or pages.intended_page_name != site_pages.DEFAULT.address:
        return
    default = st.Page(site_pages.DEFAULT.script, url_path=site_pages.DEFAULT.address, default=True)
    pages.set_script_intent(default._script_hash, "")
