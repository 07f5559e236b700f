"""CARE coverage dashboard: everything except the Streamlit pages.

Modules here import no Streamlit (see STYLE rule 1), apart from `ui.py`, the one
small module that wraps caching and the shared "figure with its caveats" container.
"""
