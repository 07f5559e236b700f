"""The dashboard's pages and their addresses (pure: dashboard.py builds its navigation from them).

Each page answers at ``/ADDRESS``, and the first one at ``/`` too. The addresses are part of the
links people share and bookmark: never rename one. The README's "Pages" list names them
(tests/test_pages.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SitePage:
    address: str  # the page's URL path, without its slash
    script: str  # its script, from the repository's root
    title_key: str  # its name in the navigation (content/i18n)
    icon: str
    needs_import_right: bool = False  # shown only to a visitor who may import (settings, access)


PAGES = (
    SitePage("overview", "pages/overview.py", "nav.overview", ":material/dashboard:"),
    SitePage("territory", "pages/territory.py", "nav.territory", ":material/location_on:"),
    SitePage("component", "pages/component.py", "nav.component", ":material/view_timeline:"),
    SitePage("organisation", "pages/organisation.py", "nav.organisation", ":material/groups:"),
    SitePage("people", "pages/people.py", "nav.people", ":material/diversity_3:"),
    SitePage("method", "pages/method.py", "nav.method", ":material/menu_book:"),
    SitePage("present", "pages/present.py", "nav.present", ":material/slideshow:"),
    SitePage("import", "pages/import.py", "nav.import", ":material/upload_file:", needs_import_right=True),
)
DEFAULT = PAGES[0]  # opened at "/"


def shown(may_import: bool) -> tuple[SitePage, ...]:
    """The pages this visitor's navigation lists."""
    return tuple(p for p in PAGES if may_import or not p.needs_import_right)
