"""Known territories, components and aliases, from ``content/reference/*.csv``.

To accept a new territory, add a row to ``territories.csv`` (with its DIVIPOLA code); to accept
another spelling, add a row to ``aliases.csv``. Matching ignores case, accents, punctuation and
extra spaces.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass

from .. import paths
from .normalise import fold

REFERENCE_DIR = paths.CONTENT_DIR / "reference"


def _rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class Reference:
    territories: dict[str, dict[str, str]]  # id -> row of territories.csv
    components: dict[str, dict[str, str]]  # id -> row of components.csv
    aliases: dict[str, dict[str, str]]  # kind -> folded alias -> id

    def territory_id(self, text) -> str | None:
        return self.aliases["territory"].get(fold(text))

    def component_id(self, text) -> str | None:
        return self.aliases["component"].get(fold(text))

    def organisation_id(self, text) -> str | None:
        """A known organisation's id, or None (the importer then derives one from the name)."""
        return self.aliases["organisation"].get(fold(text))

    def territory_names(self) -> str:
        return ", ".join(row["territory_name"] for row in self.territories.values())

    def component_names(self) -> str:
        return ", ".join(row["component_name_es"] for row in self.components.values())


@functools.cache
def load() -> Reference:
    territories = {r["territory_id"]: r for r in _rows("territories.csv")}
    components = {r["component_id"]: r for r in _rows("components.csv")}
    aliases: dict[str, dict[str, str]] = {"territory": {}, "component": {}, "organisation": {}}
    for tid, row in territories.items():
        aliases["territory"][fold(row["territory_name"])] = tid
        aliases["territory"][fold(tid)] = tid
    for cid, row in components.items():
        for text in (cid, row["component_name_en"], row["component_name_es"]):
            aliases["component"][fold(text)] = cid
    for row in _rows("aliases.csv"):
        aliases[row["kind"]][fold(row["alias"])] = row["id"]
    return Reference(territories, components, aliases)


# ---- roles: a controlled vocabulary, never free text ------------------------------------------

ROLES = ("waste_picker", "leader", "legal_representative", "member", "staff", "other")
# checked in order when no alias matches the whole cell: a keyword anywhere in it
_ROLE_KEYWORDS = (
    ("representante legal", "legal_representative"),
    ("reciclador", "waste_picker"), ("recicladora", "waste_picker"), ("recuperador", "waste_picker"),
    ("lider", "leader"), ("presidente", "leader"), ("presidenta", "leader"), ("directiv", "leader"),
    ("coordinador", "leader"), ("asociad", "member"), ("afiliad", "member"),
)


@functools.cache
def role_aliases() -> dict[str, str]:
    aliases = {fold(r["alias"]): r["role_id"] for r in _rows("roles.csv")}
    unknown = set(aliases.values()) - set(ROLES)
    if unknown:
        raise ValueError(f"content/reference/roles.csv: unknown role ids {sorted(unknown)}; use one of {ROLES}")
    return aliases


def role_id(text) -> str:
    """One of ROLES for a Rol / Cargo cell (not blank): the role its words name, else "other".
    The cell itself is never kept: it may hold a name or a document number (finding 10)."""
    folded = fold(text)
    found = role_aliases().get(folded)
    if found:
        return found
    words = f" {folded} "
    for keyword, role in _ROLE_KEYWORDS:
        if f" {keyword}" in words:
            return role
    return "other"
