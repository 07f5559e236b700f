"""Who a request comes from: the claims of Streamlit's signed login cookie (``_streamlit_user``,
set by ``st.login``, signed with the cookie secret), read with Streamlit's own helpers, and the
account they name.

Streamlit reads this cookie only when a websocket opens; the server's guard reads it again on
requests Streamlit does not check (downloads at ``/media/...`` and uploads), so that a private
download or an importer's upload belongs to one account and to no one else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

USER_COOKIE = "_streamlit_user"
XSRF_COOKIE = "_streamlit_xsrf"


def claims_from_cookies(cookies: Mapping[str, str], origin: str | None) -> dict:
    """The login's claims, when the cookie is there, signed with this server's secret and made
    for ``origin`` (scheme://host[:port], as Streamlit checks it); else {} (anonymous)."""
    if USER_COOKIE not in cookies or not origin:
        return {}
    from streamlit.auth_util import get_cookie_with_chunks
    from streamlit.web.server.server_util import get_cookie_secret
    from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value

    secret = get_cookie_secret()

    def one(name: str) -> bytes | None:
        value = cookies.get(name)
        # HTTP cookies are ISO-8859-1: the signed bytes come back with latin-1, as Streamlit does
        return None if value is None else decode_signed_value(secret, name, value.encode("latin-1"))

    try:
        raw = get_cookie_with_chunks(one, USER_COOKIE)
        payload = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeError, ValueError):
        return {}
    if not isinstance(payload, dict) or payload.get("origin") != origin or payload.get("is_logged_in") is not True:
        return {}
    return payload


def websocket_claims(cookies: Mapping[str, str], headers: Mapping[str, str], xsrf_token: str | None) -> dict:
    """The claims Streamlit gives a websocket's session: only with a valid XSRF token and an
    Origin header (a page of another site cannot open a logged-in session)."""
    from streamlit.web.server.server_util import is_xsrf_enabled
    from streamlit.web.server.starlette.starlette_app_utils import validate_xsrf_token

    origin = headers.get("origin")
    if is_xsrf_enabled() and not (origin and validate_xsrf_token(xsrf_token, cookies.get(XSRF_COOKIE))):
        return {}
    return claims_from_cookies(cookies, origin)


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


def identity_is_current(claims: Mapping) -> bool:
    """Whether a login cookie's identity still holds: the one place where a signed-out or expired
    identity is refused for private downloads and uploads. Every logged-in identity holds for
    now; revocation on logout plugs in here."""
    return True


def current_account(claims: Mapping | None) -> str | None:
    """The account of ``claims`` if its identity still holds, else None (as if anonymous)."""
    name = account(claims)
    return name if name is not None and identity_is_current(claims) else None
