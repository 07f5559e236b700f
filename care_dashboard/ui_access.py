"""The login in the sidebar, and the notice that replaces a page a link asked for with data the
visitor may not see (Streamlit's side of care_dashboard/access.py, whose rules need no Streamlit).

Kept apart from ui.py so that the rules of who may see what are read in one short place.
"""

from __future__ import annotations

import logging

import streamlit as st

from . import access, i18n, settings
from .ui import plain

log = logging.getLogger(__name__)
_REFUSED = "_care_refused"  # session state: {"name": the link's dataset, "page": where it was asked}


def current_visitor() -> access.Visitor:
    """Who runs this page: the login is Streamlit's own OIDC (``st.login``), offered when
    ``.streamlit/secrets.toml`` (or ``--secrets.files``) has a complete ``[auth]`` section; no
    secrets file at all is simply no login. Claims in ``st.user`` are read only then."""
    auth = st.secrets.get("auth") if st.secrets.load_if_toml_exists() else None
    login = not access.missing_login_settings(auth)
    if auth is not None and not login:
        log.warning("[auth] in secrets.toml lacks %s: no login is offered",
                    ", ".join(access.missing_login_settings(auth)))
    who = access.visitor(st.user.to_dict() if login else {}, login=login, serving=settings.serving())
    if who.access_problem:
        log.error("%s", who.access_problem)
    return who


def account(who: access.Visitor, lang: str) -> None:
    """Who is logged in, with the button to log in or out (only when a login is configured)."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    if not who.login:
        return
    with st.container(key="care_account"):
        if who.logged_in:
            st.markdown(t("login.logged_in_as", email=plain(who.email)))
            if who.access_problem:
                st.warning(t("login.access_problem"), icon=":material/error:")
            else:
                role = ("login.role_importer" if access.IMPORTER in who.roles
                        else "login.role_partner" if access.PARTNER in who.roles else "login.role_none")
                st.caption(t(role))
            st.button(t("login.log_out"), on_click=st.logout, icon=":material/logout:", key="care_log_out")
        else:
            st.caption(t("login.anonymous"))
            st.button(t("login.log_in"), on_click=st.login, icon=":material/login:", key="care_log_in",
                      help=t("login.log_in_help"), type="primary")


def remember_refusal(name: str | None) -> None:
    """A link named dataset ``name``, which this visitor may not see (access.refused_link)."""
    if name:
        st.session_state[_REFUSED] = {"name": name, "page": None}


def forget_refusal() -> None:
    """The visitor chose a dataset or asked for the public data: show pages again."""
    st.session_state.pop(_REFUSED, None)


def refused_dataset(url_path: str) -> str | None:
    """The refused dataset while the visitor stays on the page the link opened; forgotten once
    they go to another page or choose a dataset."""
    refused = st.session_state.get(_REFUSED)
    if not refused:
        return None
    if refused["page"] is None:
        refused["page"] = url_path
    elif refused["page"] != url_path:
        forget_refusal()
        return None
    return refused["name"]


def refusal(name: str, lang: str, login: bool) -> None:
    """In place of the page: the dataset needs a login. Nothing of it is shown (its title, its
    figures): only the name the link itself gave, as plain text."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    with st.container(key="care_refusal"):
        st.title(t("login.refused_title"))
        st.warning(t("login.refused_body", name=f"«{plain(name[:80])}»"), icon=":material/lock:")
        if login:
            st.button(t("login.log_in"), on_click=st.login, icon=":material/login:", key="care_refusal_log_in",
                      type="primary")
        else:
            st.caption(t("login.refused_no_login"))
        st.button(t("login.refused_public"), on_click=forget_refusal, key="care_refusal_public")
