"""The offline slideshow of the current selection and of the deck the link chooses
(``slideshow.build_html``), for the sidebar's download button."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from . import deck_choice, notes, slideshow, views
from .ui import PageContext


def deck_link() -> dict[str, list[str]]:
    """The deck's parameters in this run's link (every value of each), read while the page runs:
    a download's file is built later, outside the run, where the link is not at hand."""
    return {key: st.query_params.get_all(key) for key in deck_choice.KEYS}


def slideshow_bytes(ctx: PageContext, link: Mapping[str, Sequence[str]] | None = None) -> bytes:
    """The slideshow of the deck ``link`` chooses (this run's link when None) for the current
    selection, in the page's language, each slide framed as on the pages."""
    deck = views.deck(ctx.source)
    choice = deck_choice.parse(deck_link() if link is None else link, [v.key for v in deck])
    return slideshow.build_html(
        deck,
        {v.key: ctx.frame(v) for v in deck},
        choice,
        ctx.lang,
        dataset_title=ctx.dataset.title(ctx.lang),
        where=lambda c: notes.where_short(c, ctx.lang),
        source_of=lambda c: notes.source_of(c, ctx.lang),
        caveats_for=ctx.caveats_for,
        empty=" ".join(ctx.t(f"common.empty_{part}{'_records' if ctx.is_record_level else ''}") for part in ("title", "body")),
    )
