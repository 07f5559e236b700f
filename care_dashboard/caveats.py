"""The caveat catalogue (``content/caveats.toml``): caveats are data, keyed by id, in English and Spanish.

An entry may name the kinds of dataset it holds for (``kinds``); without it, it holds for every
kind. Its section is a report section ("5.1, 6.1") or ``method`` for a caveat that rests on this
dashboard's own method (attendance records, synthetic data). A text may use ``{threshold}``.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from . import paths, schema

CATALOGUE_FILE = paths.CONTENT_DIR / "caveats.toml"
LANGS = ("en", "es")
METHOD_SECTION = "method"
SYNTHETIC = "synthetic_data"  # shown beside every figure of a synthetic dataset, and only there


@dataclass(frozen=True)
class Caveat:
    id: str
    section: str
    title: str
    text: str
    short: str = ""  # a few words, for beside a figure and inside a saved chart image

    @property
    def rests_on_method(self) -> bool:
        """True when the caveat cites this dashboard's method rather than a report section."""
        return self.section == METHOD_SECTION


class UnknownCaveat(KeyError):
    pass


@functools.cache
def catalogue() -> dict[str, dict]:
    return tomllib.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


def kinds_of(caveat_id: str) -> tuple[str, ...]:
    """The kinds of dataset a caveat holds for."""
    entry = catalogue().get(caveat_id)
    if entry is None:
        raise UnknownCaveat(f"caveat {caveat_id!r} is not in {CATALOGUE_FILE}")
    return tuple(entry.get("kinds", schema.DATASET_KINDS))


def get(caveat_id: str, lang: str, values: Mapping[str, object] | None = None) -> Caveat:
    """One caveat in ``lang``; ``values`` fill its placeholders (``{threshold}``)."""
    entry = catalogue().get(caveat_id)
    if entry is None:
        raise UnknownCaveat(f"caveat {caveat_id!r} is not in {CATALOGUE_FILE}")
    lang = lang if lang in LANGS else "en"
    text, short = entry[f"text_{lang}"], entry[f"short_{lang}"]
    if values:
        text, short = text.format_map(values), short.format_map(values)
    return Caveat(caveat_id, entry["section"], entry[f"title_{lang}"], text, short)


def for_ids(
    caveat_ids: Iterable[str], lang: str, kind: str | None = None, values: Mapping[str, object] | None = None
) -> list[Caveat]:
    """Caveats in the order given, each once; with ``kind``, only those that hold for that kind."""
    seen, out = set(), []
    for cid in caveat_ids:
        if cid in seen or (kind is not None and kind not in kinds_of(cid)):
            continue
        seen.add(cid)
        out.append(get(cid, lang, values))
    return out


def all_caveats(
    lang: str, kind: str | None = None, values: Mapping[str, object] | None = None, synthetic: bool = True
) -> list[Caveat]:
    """The whole catalogue (for ``kind`` if given); the synthetic-data caveat only if ``synthetic``."""
    return for_ids((c for c in catalogue() if synthetic or c != SYNTHETIC), lang, kind, values)


FIGURES_FILE = paths.CONTENT_DIR / "figures.toml"
KEY_CAVEATS_SHOWN = 2  # beside a figure: its unit and at most this many caveats, in short form


class UnknownFigure(KeyError):
    pass


@functools.cache
def figure_catalogue() -> dict[str, dict]:
    return tomllib.loads(FIGURES_FILE.read_text(encoding="utf-8"))


def key_caveat_ids(figure_key: str) -> tuple[str, ...]:
    """The caveats that change how a figure is read, most important first (``content/figures.toml``)."""
    entry = figure_catalogue().get(figure_key)
    if entry is None:
        raise UnknownFigure(f"figure {figure_key!r} has no entry in {FIGURES_FILE}: say which caveats are key to it")
    return tuple(entry["key_caveats"])


def split_for_figure(figure_key: str, held: list[Caveat]) -> tuple[list[Caveat], list[Caveat]]:
    """``held``, the caveats of a figure that hold for the data on screen (``for_ids``), split into
    those shown short beside it and the rest, which stay one click away. The key ones are the first
    ``KEY_CAVEATS_SHOWN`` of its ``key_caveats`` that hold; when none holds, the first that does.
    The synthetic-data caveat, where it holds, is always shown beside the figure as well."""
    by_id = {c.id: c for c in held}
    key = [by_id[cid] for cid in key_caveat_ids(figure_key) if cid in by_id][:KEY_CAVEATS_SHOWN]
    if not key and held:
        key = [next((c for c in held if c.id != SYNTHETIC), held[0])]
    if SYNTHETIC in by_id and by_id[SYNTHETIC] not in key:
        key.append(by_id[SYNTHETIC])
    rest = [c for c in held if c not in key]
    return key, rest
