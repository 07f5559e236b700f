"""What makes a figure honest on any surface (page, slide, briefing, saved image, CSV), in one
place: its title with its counting unit, its key caveats in short form, the active filters named
in words, every note its data calls for ("not in this sum, because not published"), the mark of
synthetic data, and the source line. Every surface draws these from ``frame``; the test of the
catalogue against every surface (tests/test_honest_surfaces.py) checks that each shows them.
Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import catalogue, caveats, i18n
from .caveats import Caveat
from .filters import FILTERS
from .labels import Labels
from .selection import Selection


@dataclass(frozen=True)
class Frame:
    title: str
    unit: str
    key_caveats: tuple[Caveat, ...]  # shown short beside the figure (with the synthetic one, where it holds)
    other_caveats: tuple[Caveat, ...]  # one click away, and in the notes
    filters: str | None  # the active filters in words; None for the whole dataset
    notes: tuple[str, ...]  # what the figure's data calls to be said beside it
    synthetic: Caveat | None  # the synthetic-data mark, on synthetic data only
    source: str  # who published the figures, and the licence

    @property
    def all_caveats(self) -> tuple[Caveat, ...]:
        return self.key_caveats + self.other_caveats

    def words(self) -> list[str]:
        """Every text a surface must show for this figure (the honesty test looks for each)."""
        out = [self.title, self.unit, *(c.short for c in self.key_caveats), *self.notes, self.source]
        if self.filters:
            out.append(self.filters)
        if self.synthetic is not None:
            out.append(self.synthetic.short)
        return out


def filters_line(selection: Selection, labels: Labels, lang: str) -> str | None:
    """The active filters in words ("Selection: Organisation ASOREPCOL; Component Human rights"),
    or None when nothing is filtered."""
    parts = [i18n.t("common.filter_part", lang, filter=f.name(lang),
                    values=", ".join(f.namer(labels)(i) for i in selection.chosen(f.key)))
             for f in FILTERS if selection.chosen(f.key)]
    return i18n.t("common.filters_line", lang, filters="; ".join(parts)) if parts else None


def source_line(dataset, lang: str) -> str:
    """The short source line every chart and slide carries: who published the figures, the licence."""
    source = (dataset.text("source_short", lang) or dataset.text("source_citation", lang)).rstrip(". ")
    return i18n.t("exports.footer_source", lang, source=source, licence=dataset.text("licence", lang))


def frame(view, *, caveats_for: Callable[[list[str]], list[Caveat]], selection: Selection, labels: Labels,
          dataset, lang: str) -> Frame:
    """The honest frame of ``view`` (a ``views.View``; a slide of headline figures frames each of
    its figures' caveats and notes together)."""
    held = caveats_for(view.caveat_ids)
    if view.figures:  # each figure's first key caveat (a slide of four has room for one each)
        key = list(dict.fromkeys(c for f in view.figures if (c := headline_key(f, caveats_for)) is not None))
        notes = [n for f in view.figures for n in f.notes]
    else:
        key = caveats.split_for_figure(catalogue.get(view.key).key_caveats, held)[0]
        notes = list(view.notes)
    synthetic = next((c for c in held if c.id in caveats.SYNTHETIC_IDS), None)
    if synthetic is not None and synthetic not in key:
        key.append(synthetic)
    return Frame(
        title=view.title,
        unit=view.unit,
        key_caveats=tuple(key),
        other_caveats=tuple(c for c in held if c not in key),
        filters=filters_line(selection, labels, lang),
        notes=tuple(notes),
        synthetic=synthetic,
        source=source_line(dataset, lang),
    )


def headline_key(figure, caveats_for: Callable[[list[str]], list[Caveat]]) -> Caveat | None:
    """The one key caveat a headline figure keeps where several share a slide: its first that
    holds (the synthetic mark is said once for the slide)."""
    key = caveats.split_for_figure(catalogue.get(figure.key).key_caveats, caveats_for(figure.caveat_ids))[0]
    return next((c for c in key if c.id not in caveats.SYNTHETIC_IDS), None)


def chart_lines(frame: Frame, caveat_texts: list[str]) -> list[str]:
    """The lines written under a chart, inside it, on every surface: its key caveats short
    (``caveat_texts``: with note numbers on a page, with what they rest on elsewhere), the notes
    its data calls for, the filters and the source."""
    lines = [f"\u26a0 {text}" for text in caveat_texts]
    lines += [f"\u2139 {n}" for n in frame.notes]
    if frame.filters:
        lines.append(frame.filters)
    lines.append(frame.source)
    return lines


def plain_lines(frame: Frame, where: Callable[[Caveat], str]) -> list[str]:
    """``chart_lines`` where no note numbers are shown (a slide's chart, the briefing, an image
    saved from them): each key caveat short with what it rests on."""
    return chart_lines(frame, [f"{c.short} ({where(c)})" for c in frame.key_caveats])
