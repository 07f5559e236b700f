"""The login in the sidebar, an open tab's check that its login still holds, and the notice that
replaces a page a link asked for with data the visitor may not see (Streamlit's side of
care_dashboard/access.py and signouts.py, whose rules need no Streamlit).

Kept apart from ui.py so that the rules of who may see what are read in one short place.
"""

from __future__ import annotations

import logging

import streamlit as st

from . import access, i18n, settings, signouts
from .ui import plain

log = logging.getLogger(__name__)
_REFUSED = "_care_refused"  # session state: {"name": the link's dataset, "page": where it was asked}
_SHOWED_RECORDS = "_care_showed_records"  # session state: this session has shown record-level data
# How often an open tab that shows record-level data asks whether its login still holds, without
# waiting for a click: a Log out in another tab, or idleness, closes the data within this time.
CHECK_EVERY_S = 5


def current_visitor() -> access.Visitor:
    """Who runs this page: the login is Streamlit's own OIDC (``st.login``), offered when
    ``.streamlit/secrets.toml`` (or ``--secrets.files``) has a complete ``[auth]`` section with a
    strong cookie secret; no secrets file at all is simply no login. Claims in ``st.user`` are
    read only then, with the time the server signed its identity cookie. A run of a current
    login counts as its use (signouts.touch)."""
    auth = st.secrets.get("auth") if st.secrets.load_if_toml_exists() else None
    problem = access.login_problem(auth)
    if problem:
        log.warning("the secrets file's %s: no login is offered", problem[1])
    login = auth is not None and problem is None
    issued_at = _issued_at(auth["cookie_secret"]) if login and auth is not None else None
    who = access.visitor(st.user.to_dict() if login else {}, login=login, serving=settings.serving(),
                         issued_at=issued_at, login_off=problem[0] if problem else None)
    if who.access_problem:
        log.error("%s", who.access_problem)
    if who.logged_in and who.held_back is None:
        try:
            signouts.touch(who.email, who.issued_at)
        except (signouts.StateError, ValueError) as exc:
            log.error("%s", exc)
    return who


def _issued_at(cookie_secret: str) -> float | None:
    """When the server signed this session's identity cookie (as its connection sent it)."""
    identity = signouts.read_identity(st.context.cookies, cookie_secret)
    return identity.issued_at if identity else None


def _log_out(who: access.Visitor) -> None:
    """Log out: first end every login of the account on the server (signouts.sign_out), then
    Streamlit's own logout (the cookie in this browser, the provider's session)."""
    try:
        signouts.sign_out(who.email)
    except signouts.StateError as exc:
        log.error("Log out could not be recorded, so copies of this login's cookie stay valid: %s", exc)
    st.logout()


def _duration(seconds: float) -> str:
    """``8 h``, ``1 h 30 min``, ``45 s``: the same in English and Spanish."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "", f"{secs} s" if secs else ""]
    return " ".join(p for p in parts if p) or "0 s"


def t_ended(who: access.Visitor, lang: str) -> str:
    """Why an ended login shows no record-level data, and that a new login does."""
    idle = _duration(signouts.idle_timeout()) if who.held_back == access.IDLE else ""
    return i18n.t(f"login.ended_{who.held_back}", lang, idle=idle)


def account(who: access.Visitor, lang: str) -> None:
    """Who is logged in, with the button to log in or out (only when a login is configured);
    on this machine, why an [auth] section offers no login."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    if not who.login:
        if who.login_off and who.single_user:
            st.warning(t(f"login.off_{who.login_off}", command=access.MAKE_A_COOKIE_SECRET),
                       icon=":material/no_accounts:")
        return
    with st.container(key="care_account"):
        if who.ended:
            st.warning(t_ended(who, lang), icon=":material/logout:")
            st.button(t("login.log_in_again"), on_click=st.login, icon=":material/login:", key="care_log_in",
                      type="primary")
        elif who.logged_in:
            st.markdown(t("login.logged_in_as", email=plain(who.email)))
            if who.access_problem:
                st.warning(t("login.access_problem"), icon=":material/error:")
            elif who.held_back:
                st.warning(t(f"login.{who.held_back}"), icon=":material/gpp_maybe:")
            else:
                role = ("login.role_importer" if access.IMPORTER in who.roles
                        else "login.role_partner" if access.PARTNER in who.roles else "login.role_none")
                st.caption(t(role))
            st.button(t("login.log_out"), on_click=_log_out, args=(who,), icon=":material/logout:",
                      key="care_log_out")
        else:
            st.caption(t("login.anonymous"))
            st.button(t("login.log_in"), on_click=st.login, icon=":material/login:", key="care_log_in",
                      help=t("login.log_in_help"), type="primary")


def watch(who: access.Visitor, dataset, lang: str) -> None:
    """In a session that shows record-level data through a login: every CHECK_EVERY_S seconds,
    whether that login still holds (access.still_allowed); once it does not (Log out in another
    tab or device, idleness, a role removed), a full rerun, which closes the data. Its runs are
    not a use of the login: an open tab alone never keeps it from idling."""
    if who.ended and st.session_state.pop(_SHOWED_RECORDS, False):
        # said where a phone shows it too: its sidebar is closed
        st.toast(t_ended(who, lang), icon=":material/logout:")
    if not who.login or access.is_public(dataset):
        return
    st.session_state[_SHOWED_RECORDS] = True

    @st.fragment(run_every=CHECK_EVERY_S)
    def _check() -> None:
        if not access.still_allowed(who, dataset):
            st.rerun(scope="app")

    _check()


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
