"""Personal data where an organisation's name belongs (pure functions).

The organisation column is stored as written and shown on every page, in charts and exports, so
a person's document number or name there would be published. A document number is recognised by
its digits: a run of at least six ("12345678", "CC 12345678") or digits grouped by thousands
("52.031.676", "1 020 304 050"). Years, street numbers and short codes ("Asociación 20 de Julio",
"Recicladores 2020-2024") have fewer digits or other groupings.

A name is harder: many organisations are named after people ("Asociación Manuel Pérez",
"Fundación Juan Pérez"), so the shape of a text ("two capitalised words") tells nothing. What
does tell is the sheet itself: an organisation cell that is the very name written in the sheet's
name column (two words or more, compared without case, accents or punctuation) holds a person's
name, and is refused; one that holds such a name among other words gets a warning, since an
organisation may bear the name of a person who attends.
"""

from __future__ import annotations

import re

from .normalise import fold, is_blank

MIN_DOCUMENT_DIGITS = 6
_RUN = re.compile(rf"\d{{{MIN_DOCUMENT_DIGITS},}}")
_GROUPED = re.compile(r"(?<!\d)\d{1,3}(?:[ .,\-']\d{3})+(?!\d)")
MIN_NAME_WORDS = 2
MAX_WORDS = 30  # of an organisation cell looked through (it holds at most 150 characters)


def holds_document_number(text) -> bool:
    """True when ``text`` holds a run of digits that could be a document number."""
    text = str(text)
    if _RUN.search(text):
        return True
    return any(sum(c.isdigit() for c in m.group()) >= MIN_DOCUMENT_DIGITS for m in _GROUPED.finditer(text))


class ParticipantNames(dict):
    """Folded name -> the rows it is written in; ``longest``: the most words one of them has, so
    an organisation cell is looked through for runs of at most that many words (a cell of 30
    short words would otherwise cost 400 look-ups on each of 100,000 rows)."""

    longest = 0


def participant_names(rows) -> ParticipantNames:
    """The names of ``rows`` ((row number, field -> cell) as a ``Sheet`` holds them) with at
    least two words, folded, with the rows each is written in."""
    found = ParticipantNames()
    for number, cells in rows:
        value = cells.get("name")
        if is_blank(value):
            continue
        folded = fold(value)
        words = len(folded.split())
        if words >= MIN_NAME_WORDS:
            found.setdefault(folded, []).append(number)
            found.longest = max(found.longest, words)
    return found


def participant_in(organisation, names: ParticipantNames, row: int | None = None) -> tuple[str, int] | None:
    """("is", R) when the organisation is a participant's name, ("holds", R) when it holds one
    among other words, else None. R: the row the name is written in, ``row`` itself when it is
    one of them (``names`` from ``participant_names``)."""
    if not names or is_blank(organisation):
        return None

    def where(rows: list[int]) -> int:
        return row if row in rows else rows[0]

    folded = fold(organisation)
    if folded in names:
        return "is", where(names[folded])
    words = folded.split()[:MAX_WORDS]
    for size in range(min(len(words) - 1, names.longest), MIN_NAME_WORDS - 1, -1):  # each run of words, longest first
        for start in range(len(words) - size + 1):
            rows = names.get(" ".join(words[start:start + size]))
            if rows:
                return "holds", where(rows)
    return None
