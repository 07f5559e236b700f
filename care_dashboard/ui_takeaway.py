"""The presenter's deck to take away as PowerPoint: the current selection's slides, chosen and
ordered as the link says (``deck_choice``), built by ``deck_pptx`` when the sidebar's button is
pressed. Streamlit only reads the link here; the file is built by pure code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import streamlit as st

from . import deck_choice, deck_pptx, views
from .ui import PageContext

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
NAME_CHARS = 150  # the longest file name offered, before ".pptx"


def pptx_bytes(ctx: PageContext, link: Mapping[str, Sequence[str]] | None = None) -> bytes:
    """The .pptx of the current selection and the deck the link asks for (``link``: its query
    parameters, every value of each; the page's own link when None), built when the button is
    pressed."""
    found = views.deck(ctx.source)
    raw = link if link is not None else {key: st.query_params.get_all(key) for key in st.query_params}
    choice = deck_choice.parse(raw, [v.key for v in found])
    shown = deck_choice.chosen(choice, found, lambda v: v.key)
    return deck_pptx.build_pptx(shown, {v.key: ctx.frame(v) for v in shown}, choice, ctx.lang, labels=ctx.labels,
                                dataset_title=ctx.dataset.title(ctx.lang))


def deck_file(ctx: PageContext) -> Callable[[], bytes]:
    """What builds the .pptx when the button is pressed, with the deck the link asks for in this
    run: the link is read now, as the page runs, and the file built later."""
    link = {key: st.query_params.get_all(key) for key in st.query_params}
    return lambda: pptx_bytes(ctx, link)


def file_name(ctx: PageContext) -> str:
    """"care-deck-<dataset>-<lang>[-<filter>-<ids>...].pptx": two files of two selections or
    languages never share a name."""
    parts = ["care-deck", ctx.dataset.name, ctx.lang]
    parts += [f"{key}-{'+'.join(ids)}" for key, ids in ctx.selection.by_key().items() if ids]
    name = re.sub(r"[^A-Za-z0-9+_.-]+", "-", "-".join(parts))[:NAME_CHARS].strip("-.")
    return f"{name}.pptx"
