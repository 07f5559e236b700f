"""The numbered notes of one page (pure): every caveat shown on the page, short beside a figure or
one click away, gets a number the first time it appears, and the page ends with the full texts
once, in that order ("Notes on this page"). A figure's short caveats point to those numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import i18n
from .caveats import Caveat


@dataclass
class PageNotes:
    """The caveats of one page run, numbered from 1 in the order they first appear."""

    _numbered: dict[str, tuple[int, Caveat]] = field(default_factory=dict)
    # True on the page that lists every note in full (Method and sources), set before it shows
    # any: no notes at its foot, and its notes do not send the reader to the page they are on
    shown_in_full: bool = False
    _shown_short: set = field(default_factory=set)

    def first_time_short(self, caveat: Caveat) -> bool:
        """True the first time a caveat is shown short on the page: it then says what it rests
        on; beside a later figure its few words and note number are enough."""
        first = caveat.id not in self._shown_short
        self._shown_short.add(caveat.id)
        return first

    def number(self, caveat: Caveat) -> int:
        if caveat.id not in self._numbered:
            self._numbered[caveat.id] = (len(self._numbered) + 1, caveat)
        return self._numbered[caveat.id][0]

    def numbered(self, caveats: list[Caveat]) -> list[tuple[int, Caveat]]:
        return [(self.number(c), c) for c in caveats]

    def items(self) -> list[tuple[int, Caveat]]:
        return list(self._numbered.values())

    def __len__(self) -> int:
        return len(self._numbered)


@dataclass(frozen=True)
class FigureCaveats:
    """A figure's caveats for the data on screen, with their note numbers: ``key``, shown short
    beside it and in a saved image; ``all``, the key ones first, one click away."""

    key: list[tuple[int, Caveat]]
    all: list[tuple[int, Caveat]]

    @property
    def ids(self) -> list[str]:
        return [c.id for _, c in self.all]


def source_of(caveat: Caveat, lang: str, on_method_page: bool = False) -> str:
    """Where a caveat rests: a report section, or this dashboard's own method (on Method and
    sources, without sending the reader to the page they are on)."""
    if caveat.rests_on_method:
        return i18n.t("common.dashboard_method_here" if on_method_page else "common.dashboard_method", lang)
    return i18n.t("common.report_section", lang, section=caveat.section)


def where_short(caveat: Caveat, lang: str) -> str:
    """``source_of`` in a few characters, for a caveat's short form ("report §6.1", "method")."""
    if caveat.rests_on_method:
        return i18n.t("common.where_method", lang)
    return i18n.t("common.where_report", lang, section=caveat.section)


def short_note(number: int, caveat: Caveat, lang: str, where: bool = True) -> str:
    """A caveat's short form beside a figure, with what it rests on (``where``) and its note number."""
    if not where:
        return i18n.t("common.short_note_again", lang, short=caveat.short, n=number)
    return i18n.t("common.short_note", lang, short=caveat.short, where=where_short(caveat, lang), n=number)


def full_note(number: int, caveat: Caveat, lang: str, on_method_page: bool = False) -> str:
    """A caveat's full text, numbered, as Markdown (for "About these figures" and the page notes)."""
    return i18n.t("common.full_note", lang, n=number, title=caveat.title, text=caveat.text,
                  where=source_of(caveat, lang, on_method_page))
