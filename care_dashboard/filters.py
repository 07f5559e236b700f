"""The dashboard's filters, specified once: for each, its key in links and in the sidebar, the
query parameter it binds, the query listing its choices and their id column, and its name. The
URL state, the selection, the sidebar, the exports and the address bar all read this list (pure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import i18n


@dataclass(frozen=True)
class Filter:
    key: str  # in links (?component=ohs) and the sidebar widget's key
    param: str  # the bound query parameter, and the Selection field, that holds its ids
    options_query: str  # queries/NAME.sql listing its choices
    id_column: str  # their id column
    label_key: str  # its name (content/i18n)
    label_of: str  # the Labels method naming one of its ids

    def name(self, lang: str) -> str:
        return i18n.t(self.label_key, lang)

    def namer(self, labels) -> Callable[[str], str]:
        return getattr(labels, self.label_of)


FILTERS = (
    Filter("component", "components", "component_options", "component_id", "sidebar.component", "component"),
    Filter("territory", "territories", "territory_options", "territory_id", "sidebar.territory", "territory"),
    Filter("organisation", "organisations", "organisation_options", "organisation_id", "sidebar.organisation", "organisation"),
)
KEYS = tuple(f.key for f in FILTERS)
BY_KEY = {f.key: f for f in FILTERS}
