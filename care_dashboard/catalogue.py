"""The figure catalogue (``content/figures.toml``): every headline figure, chart and table of the
dashboard defined once, as data, and checked against its schema when it is loaded.

An unknown key, a missing text in either language, a query, builder, table or caveat that does
not exist, or a key caveat that is not one of the figure's own, fails at load with a sentence
saying which entry and what to do. ``views`` builds the entries; ``honest`` says what every
surface shows with them.
"""

from __future__ import annotations

import functools
import tomllib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import caveats, i18n, makers, paths, queries, site_pages

FILE = paths.CONTENT_DIR / "figures.toml"
KINDS = ("published_aggregate", "record_level")

PerKind = str | dict[Literal["published_aggregate", "record_level"], str]


class CatalogueError(ValueError):
    pass


class Entry(BaseModel):
    """One figure of the catalogue (the file's header says what each key means)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: Literal["figure", "chart", "table"]
    pages: tuple[str, ...] = Field(min_length=1)
    slide: bool
    data: tuple[Literal["published_aggregate", "record_level"], ...] = Field(min_length=1)
    query: str
    params: tuple[Literal["min_people"], ...] = ()
    unfiltered: bool = False
    title: PerKind
    unit: PerKind
    builder: str | None = None
    args: dict[str, str] = Field(default_factory=dict)
    narrow: Literal["narrow", "map", "rewrap", "column"] | None = None
    table: str | None = None
    value: str | None = None
    help: PerKind | None = None
    note: str | None = None
    extra_caveats: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    key_caveats: tuple[str, ...] = Field(min_length=1)

    @field_validator("pages")
    @classmethod
    def _known_pages(cls, pages):
        known = {p.address for p in site_pages.PAGES}
        unknown = [p for p in pages if p not in known]
        if unknown:
            raise ValueError(f"pages {unknown} are not pages of the dashboard (site_pages.PAGES: {sorted(known)})")
        return pages

    def text_key(self, field: str, kind: str) -> str | None:
        """The text key of ``title``, ``unit`` or ``help`` for a dataset of ``kind``."""
        value = getattr(self, field)
        return value.get(kind) if isinstance(value, dict) else value

    @property
    def caveat_ids(self) -> tuple[str, ...]:
        """Every caveat of the figure: its query's (or its own ``caveats``) and its extra ones."""
        own = self.caveats or (queries.get(self.query).caveats if self.query else ())
        return tuple(own) + self.extra_caveats

    def applies_to(self, kind: str) -> bool:
        return kind in self.data


def _problems(entry: Entry) -> list[str]:
    """What is wrong with an entry that its schema alone cannot see."""
    out = []
    if entry.query and entry.query not in queries.all_names():
        out.append(f"query {entry.query!r} is not a file in queries/")
    if entry.kind == "chart" and (entry.builder not in makers.CHARTS or entry.narrow is None):
        out.append(f"a chart needs a builder of makers.CHARTS ({entry.builder!r}) and a narrow layout")
    if entry.kind != "chart" and (entry.builder or entry.narrow):
        out.append("only a chart has a builder and a narrow layout")
    if entry.kind == "figure" and entry.value not in makers.VALUES:
        out.append(f"a headline figure needs a value of makers.VALUES ({entry.value!r})")
    if entry.kind == "table" and entry.table is None:
        out.append("a table needs a table maker")
    if entry.table is not None and entry.table not in makers.TABLES:
        out.append(f"table {entry.table!r} is not one of makers.TABLES")
    if not entry.query and not entry.caveats:
        out.append("a figure with no query names its caveats")
    known = caveats.catalogue()
    for cid in (*entry.caveat_ids, *entry.key_caveats):
        if cid not in known:
            out.append(f"caveat {cid!r} is not in content/caveats.toml")
    stray = [c for c in entry.key_caveats if c not in entry.caveat_ids]
    if stray:
        out.append(f"key caveats {stray} are not caveats of the figure (its query's, `caveats` or `extra_caveats`)")
    for field in ("title", "unit", "help", "note"):
        for kind in entry.data:
            key = entry.text_key(field, kind)
            for lang in i18n.LANGS:
                if key is not None and key not in i18n.catalogue(lang):
                    out.append(f"{field} {key!r} has no {lang} text in content/i18n")
    return out


def parse(text: str) -> dict[str, Entry]:
    """The catalogue in ``text`` (TOML), checked; raises ``CatalogueError`` naming each problem."""
    raw = tomllib.loads(text)
    entries, problems = {}, []
    for fid, body in raw.items():
        if not isinstance(body, dict):
            problems.append(f"[{fid}]: an entry is a table of keys, not {body!r}")
            continue
        try:
            entry = Entry(id=fid, **body)
        except ValidationError as err:
            problems += [f"[{fid}] {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors()]
            continue
        problems += [f"[{fid}]: {p}" for p in _problems(entry)]
        entries[fid] = entry
    if problems:
        raise CatalogueError(f"{FILE.name} has {len(problems)} problem(s); correct them:\n  " + "\n  ".join(problems))
    return entries


@functools.cache
def entries() -> dict[str, Entry]:
    """Every figure of the catalogue, in the file's order (the order the pages show them)."""
    return parse(FILE.read_text(encoding="utf-8"))


def get(figure_id: str) -> Entry:
    try:
        return entries()[figure_id]
    except KeyError:
        raise CatalogueError(f"figure {figure_id!r} is not in {FILE.name}: add its entry there") from None


def on_page(page: str) -> list[Entry]:
    """The figures a page shows, in order."""
    return [e for e in entries().values() if page in e.pages]


def slides() -> list[Entry]:
    """The figures that are slides of the presentation, in order."""
    return [e for e in entries().values() if e.slide]
