"""A programme file: the components of a partner's programme beyond the four CARE 2025 knows, so
a new programme imports without editing the repository.

    title_en = "Recyclers' school 2026"          # optional: the dataset's title
    title_es = "Escuela de recicladores 2026"

    [[component]]
    id = "financial-education"
    name_en = "Financial education"
    name_es = "Educación financiera"
    spellings = ["Educación financiera", "Educacion financiera", "Finanzas"]
    audience = "waste_pickers"                    # optional: or "organisation_leaders"

``ingest.py SHEETS --dataset NAME --programme FILE`` and the Import page read it; the dataset
then keeps its components (names in both languages) and its title, so later imports and every
page know them. A bad file is refused with its problem, in the reader's language, and nothing is
imported.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from .messages import Message

AUDIENCES = ("waste_pickers", "organisation_leaders")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_COMPONENTS = 40
MAX_TEXT = 80


class ProgrammeError(ValueError):
    """A programme file that cannot be used: ``problems`` says why, each a ``Message``."""

    def __init__(self, problems: list[Message]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Component:
    id: str
    name_en: str
    name_es: str
    spellings: tuple[str, ...] = ()
    audience: str = "waste_pickers"


@dataclass(frozen=True)
class Programme:
    components: tuple[Component, ...] = ()
    title_en: str | None = None
    title_es: str | None = None
    label: str = ""


def _text(value) -> bool:
    return isinstance(value, str) and value.strip() != "" and len(value) <= MAX_TEXT and value.isprintable()


def parse(data: bytes | str, label: str = "programme.toml") -> Programme:
    """The programme of a TOML file's bytes. Raises ProgrammeError with every problem found."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise ProgrammeError([Message("programme_not_toml", label, line, error=str(exc).split(" (at ")[0])]) from None
    problems: list[Message] = []
    known = {"component", "title_en", "title_es"}
    for key in sorted(set(raw) - known):
        problems.append(Message("programme_unknown_key", label, field=key))
    for key in ("title_en", "title_es"):
        if key in raw and not _text(raw[key]):
            problems.append(Message("programme_bad_text", label, field=key, limit=MAX_TEXT))
    entries = raw.get("component", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.append(Message("programme_component_tables", label))
        entries = []
    if len(entries) > MAX_COMPONENTS:
        problems.append(Message("programme_too_many", label, n=len(entries), limit=MAX_COMPONENTS))
    components = []
    seen: dict[str, int] = {}
    for n, entry in enumerate(entries, start=1):
        cid = entry.get("id")
        where: dict[str, Any] = dict(n=n, id=cid if isinstance(cid, str) else "?")
        for key in sorted(set(entry) - {"id", "name_en", "name_es", "spellings", "audience"}):
            problems.append(Message("programme_component_unknown_key", label, field=key, **where))
        if not isinstance(cid, str) or not _ID.fullmatch(cid) or len(cid) > 40:
            problems.append(Message("programme_component_bad_id", label, **where))
        elif cid in seen:
            problems.append(Message("programme_component_duplicate", label, first=seen[cid], **where))
        else:
            seen[cid] = n
        for key in ("name_en", "name_es"):
            if key not in entry:
                problems.append(Message("programme_component_missing", label, field=key, **where))
            elif not _text(entry[key]):
                problems.append(Message("programme_bad_text", label, field=f"component {n}: {key}", limit=MAX_TEXT))
        spellings = entry.get("spellings", [])
        if not isinstance(spellings, list) or not all(_text(s) for s in spellings):
            problems.append(Message("programme_component_spellings", label, **where))
            spellings = []
        audience = entry.get("audience", "waste_pickers")
        if audience not in AUDIENCES:
            problems.append(Message("programme_component_audience", label, audiences=", ".join(AUDIENCES), **where))
        if not problems:
            components.append(Component(cid, entry["name_en"].strip(), entry["name_es"].strip(),
                                        tuple(s.strip() for s in spellings), audience))
    if problems:
        raise ProgrammeError(problems)
    return Programme(tuple(components), raw.get("title_en"), raw.get("title_es"), label)


def suggested_entries(texts: list[str]) -> str:
    """The lines to add to a programme file for the components written ``texts`` in the sheets
    (valid TOML): one entry per component, spellings that differ only in case or accents
    ("Educación financiera", "Educacion financiera") under one entry; its English name is left
    for the partner to write."""
    from .normalise import slug

    groups: dict[str, list[str]] = {}
    for text in texts:
        name = " ".join(str(text).split()).replace("\\", "").replace('"', "'")
        spellings = groups.setdefault(slug(name) or "new-component", [])
        if name not in spellings:
            spellings.append(name)
    entries = []
    for cid, spellings in groups.items():
        # the name shown: the spelling with the most accents, as a sheet's careful writer has it
        name = max(spellings, key=lambda x: sum(not c.isascii() for c in x))
        quoted = ", ".join(f'"{x}"' for x in spellings)
        entries.append(f'[[component]]\nid = "{cid}"\nname_es = "{name}"\nname_en = "{name}"\nspellings = [{quoted}]\n')
    return "\n".join(entries)
