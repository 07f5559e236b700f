"""The caveat catalogue (``content/caveats.toml``): caveats are data, keyed by id, in English and Spanish."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass

from . import paths

CATALOGUE_FILE = paths.CONTENT_DIR / "caveats.toml"
LANGS = ("en", "es")


@dataclass(frozen=True)
class Caveat:
    id: str
    section: str
    title: str
    text: str


class UnknownCaveat(KeyError):
    pass


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    return tomllib.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


def get(caveat_id: str, lang: str) -> Caveat:
    entry = catalogue().get(caveat_id)
    if entry is None:
        raise UnknownCaveat(f"caveat {caveat_id!r} is not in {CATALOGUE_FILE}")
    lang = lang if lang in LANGS else "en"
    return Caveat(caveat_id, entry["section"], entry[f"title_{lang}"], entry[f"text_{lang}"])


def for_ids(caveat_ids, lang: str) -> list[Caveat]:
    """Caveats in the order given, each once."""
    seen, out = set(), []
    for cid in caveat_ids:
        if cid not in seen:
            seen.add(cid)
            out.append(get(cid, lang))
    return out


def all_caveats(lang: str) -> list[Caveat]:
    return [get(cid, lang) for cid in catalogue()]
