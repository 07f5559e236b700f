"""Who a request comes from: the login in Streamlit's signed identity cookie (``_streamlit_user``,
set by ``st.login``, signed with the cookie secret), read with ``signouts.read_identity``, and the
account it names.

Streamlit reads this cookie only when a websocket opens; the server's guard reads it again on
requests Streamlit does not check (downloads at ``/media/...`` and uploads), so that a private
download or an importer's upload belongs to one account, and only while its login holds
(``identity_is_current``: not ended by Log out or idleness).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .. import signouts

XSRF_COOKIE = "_streamlit_xsrf"


def request_identity(cookies: Mapping[str, str], origin: str | None) -> signouts.Identity | None:
    """The login of a request's cookies, signed with this server's secret and made for ``origin``
    (scheme://host[:port], which Streamlit compares with the cookie's), or None (anonymous)."""
    if signouts.COOKIE not in cookies or not origin:
        return None
    from streamlit.web.server.server_util import get_cookie_secret

    who = signouts.read_identity(cookies, get_cookie_secret())
    if who is None or who.claims.get("origin") != origin:
        return None
    return who


def websocket_claims(cookies: Mapping[str, str], headers: Mapping[str, str], xsrf_token: str | None) -> dict:
    """The claims Streamlit gives a websocket's session: only with a valid XSRF token and an
    Origin header (a page of another site cannot open a logged-in session); {} when anonymous."""
    from streamlit.web.server.server_util import is_xsrf_enabled
    from streamlit.web.server.starlette.starlette_app_utils import validate_xsrf_token

    origin = headers.get("origin")
    if is_xsrf_enabled() and not (origin and validate_xsrf_token(xsrf_token, cookies.get(XSRF_COOKIE))):
        return {}
    who = request_identity(cookies, origin)
    return dict(who.claims) if who else {}


def account(claims: Mapping | None) -> str | None:
    """The account the claims name, as one string (None: not logged in). The provider's subject
    (``sub``) names an account for good; an address can move to another person, so it is used
    only when the provider gives no subject."""
    if not claims or claims.get("is_logged_in") is not True:
        return None
    sub, email = claims.get("sub"), claims.get("email")
    if isinstance(sub, str) and sub:
        return json.dumps(["sub", claims.get("provider"), claims.get("iss"), sub])
    if isinstance(email, str) and email.strip():
        return json.dumps(["email", claims.get("provider"), email.strip().casefold()])
    return None


def identity_is_current(who: signouts.Identity) -> bool:
    """Whether a request's login still holds: the one place where a login ended by Log out or by
    idleness (signouts.is_current, shared by every worker) is refused private downloads and
    uploads. Not a use of the login: a download does not keep it from idling."""
    return signouts.is_current(who.email, who.issued_at)


def current_account(who: signouts.Identity | None) -> str | None:
    """The account of a request's login if it still holds, else None (as if anonymous)."""
    if who is None:
        return None
    name = account(who.claims)
    return name if name is not None and identity_is_current(who) else None
