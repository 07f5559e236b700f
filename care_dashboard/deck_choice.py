"""The presenter's own deck (pure): which slides, in which order, and the title and closing slides
the presenter writes, kept in the link so a shared link opens the same deck.

A deck is chosen from the catalogue's slides for the selection (``views.deck``), by their keys: a
page's headline figures together (the page's name, e.g. ``overview``) or a chart (its figure id,
e.g. ``territory_map``). Nothing chosen is the default deck, every slide in the catalogue's order.

In the link (``to_query``, read back by ``parse``):

    slides=overview,territory_map,people_components   the slides shown, in this order
    meeting=…  date=…  place=…  by=…                  the title slide (any one of them makes it)
    closing=…                                         the closing slide, the presenter's own words

The texts are the presenter's: plain text, shown escaped on every surface, each cut to a length
that fits its place on a slide (``LIMITS``). A slide key the deck does not have is dropped, never
an error, so a link made for one selection still opens on another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

SLIDES_KEY = "slides"
TITLE_KEYS = ("meeting", "date", "place", "by")
CLOSING_KEY = "closing"
KEYS = (SLIDES_KEY, *TITLE_KEYS, CLOSING_KEY)
# the longest text each field keeps, in characters: a title slide's lines and a closing slide's
# paragraph read from the back of a room at these lengths
LIMITS = {"meeting": 120, "date": 60, "place": 80, "by": 120, CLOSING_KEY: 600}
MAX_SLIDES = 60


@dataclass(frozen=True)
class TitleSlide:
    """The presenter's opening slide: which meeting, when, where, and their own line."""

    meeting: str = ""
    date: str = ""
    place: str = ""
    by: str = ""

    def __bool__(self) -> bool:
        return any((self.meeting, self.date, self.place, self.by))

    @property
    def when_where(self) -> str:
        """The date and the place on one line, as every surface's title slide writes them."""
        return " \u00b7 ".join(x for x in (self.date, self.place) if x)


@dataclass(frozen=True)
class DeckChoice:
    """The slides chosen, in order (empty: the default deck), and the presenter's own slides."""

    slides: tuple[str, ...] = ()
    title: TitleSlide = field(default_factory=TitleSlide)
    closing: str = ""

    @property
    def is_default(self) -> bool:
        return not self.slides and not self.title and not self.closing


def clean(text: str, limit: int) -> str:
    """A presenter's text as kept: one line (runs of spaces and line breaks made one space), no
    control characters, cut to ``limit`` characters."""
    printable = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(printable.split())[:limit]


def parse(raw: Mapping[str, Sequence[str]], available: Sequence[str]) -> DeckChoice:
    """The deck a link asks for. ``raw``: every value of every query parameter; ``available``: the
    keys of the deck's slides for this selection. Unknown and repeated slide keys are dropped."""
    def last(key: str) -> str:
        values = list(raw.get(key, []))
        return clean(values[-1], LIMITS[key]) if values else ""

    asked = [k.strip() for value in list(raw.get(SLIDES_KEY, [])) for k in str(value).split(",")]
    known = set(available)
    slides = tuple(dict.fromkeys(k for k in asked if k in known))[:MAX_SLIDES]
    title = TitleSlide(**{key: last(key) for key in TITLE_KEYS})
    return DeckChoice(slides, title, last(CLOSING_KEY))


def to_query(choice: DeckChoice) -> dict[str, str]:
    """The link's query parameters for ``choice``; the default deck adds none."""
    out: dict[str, str] = {}
    if choice.slides:
        out[SLIDES_KEY] = ",".join(choice.slides)
    for key in TITLE_KEYS:
        if value := getattr(choice.title, key):
            out[key] = value
    if choice.closing:
        out[CLOSING_KEY] = choice.closing
    return out


T = TypeVar("T")


def chosen(choice: DeckChoice, deck: Sequence[T], key_of) -> list[T]:
    """The slides of ``deck`` the choice shows, in its order (``key_of(slide)``: a slide's key);
    the whole deck, in its own order, when nothing is chosen."""
    if not choice.slides:
        return list(deck)
    by_key = {key_of(slide): slide for slide in deck}
    return [by_key[k] for k in choice.slides if k in by_key]
