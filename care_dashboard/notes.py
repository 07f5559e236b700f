"""The numbered notes of one page (pure): every caveat shown on the page, short beside a figure or
one click away, gets a number the first time it appears, and the page ends with the full texts
once, in that order ("Notes on this page"). A figure's short caveats point to those numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

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
