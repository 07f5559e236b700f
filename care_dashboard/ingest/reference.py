"""Known components, organisations and spellings, from ``content/reference/*.csv``, and the
places of Colombia from the gazetteer (``care_dashboard/gazetteer.py``).

Any Colombian municipality is a territory: sheets name it as people write it, and the gazetteer
finds it. ``territories.csv`` keeps the positions of CARE 2025's four (the report's territories).
Components: the four of CARE 2025 (``components.csv``, spellings in ``aliases.csv``), those a
dataset already has, and those a programme file declares (``ComponentCatalogue``). Matching
ignores case, accents, punctuation and extra spaces.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from typing import Any

from .. import gazetteer, paths
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

    def territory_row(self, territory_id: str) -> dict:
        """A ``territories`` table row for any municipality: CARE 2025's four from
        ``territories.csv`` (their report positions), every other from the gazetteer."""
        if territory_id in self.territories:
            return dict(self.territories[territory_id])
        m = gazetteer.by_id(territory_id)
        return {"territory_id": m.territory_id, "territory_name": m.municipality_name,
                "department_name": m.department_name, "department_code": m.department_code,
                "divipola_code": m.divipola_code, "latitude": m.latitude, "longitude": m.longitude,
                "sort_order": None, "source_note": gazetteer.SOURCE_NOTE}

    def territory_name(self, territory_id: str) -> str:
        return self.territory_row(territory_id)["territory_name"]


@dataclass(frozen=True)
class ComponentCatalogue:
    """The components an import knows: CARE 2025's four, those of the dataset it extends, those of
    its programme file. ``rows``: id -> a ``components`` table row (names, audience, order)."""

    rows: dict
    aliases: dict  # folded spelling -> id

    def component_id(self, text) -> str | None:
        return self.aliases.get(fold(text))

    def names(self, lang: str) -> str:
        return ", ".join(r[f"component_name_{lang if lang in ('en', 'es') else 'es'}"] for r in self.rows.values())


def component_catalogue(programme=None, existing=None) -> ComponentCatalogue:
    """``programme``: a ``programme.Programme`` or None; ``existing``: the ``components`` table of
    the dataset an import extends, or None."""
    ref = load()
    rows: dict[str, dict[str, Any]] = {
        cid: {"component_id": cid, "component_name_en": r["component_name_en"],
              "component_name_es": r["component_name_es"], "audience_id": r["audience_id"],
              "sort_order": int(r["sort_order"])} for cid, r in ref.components.items()}
    aliases = dict(ref.aliases["component"])

    def add(cid, name_en, name_es, audience, spellings=()):
        if cid not in rows:
            rows[cid] = {"component_id": cid, "component_name_en": name_en, "component_name_es": name_es,
                         "audience_id": audience, "sort_order": max(r["sort_order"] for r in rows.values()) + 1}
        for text in (cid, name_en, name_es, *spellings):
            aliases.setdefault(fold(text), cid)

    if existing is not None:
        for r in existing.sort_values("sort_order").to_dict("records"):
            add(r["component_id"], r["component_name_en"], r["component_name_es"], r["audience_id"])
    if programme is not None:
        for c in programme.components:
            add(c.id, c.name_en, c.name_es, c.audience, c.spellings)
            for text in c.spellings:  # a programme's own spelling wins over a CARE alias
                aliases[fold(text)] = c.id
    return ComponentCatalogue(rows, aliases)


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
