"""Identity cookies signed as Streamlit's login callback signs them: what tests/test_signouts.py
and tests/test_login.py share (a module of its own, not a test file, so that importing it
collects no tests)."""

from care_dashboard import signouts

SECRET = "0f3a9c2e7b1d4f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f4a"


def streamlit_cookies(claims: dict, secret: str = SECRET) -> dict[str, str]:
    """The identity cookies as Streamlit's callback writes them (split when large)."""
    from streamlit.auth_util import set_cookie_with_chunks
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    jar: dict[str, str] = {}
    set_cookie_with_chunks(lambda name, value: jar.__setitem__(name, create_signed_value(secret, name, value).decode()),
                           lambda name, value: create_signed_value(secret, name, value), signouts.COOKIE,
                           {**claims, "origin": "http://127.0.0.1:8080", "is_logged_in": True, "provider": "default"},
                           cookie_attr_size=60)
    return jar
