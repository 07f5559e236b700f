"""The presenter's deck to take away, as PowerPoint and as an offline slideshow: the current
selection's slides, chosen and ordered as the link says (``deck_choice``), built by ``deck_pptx``
and ``slideshow`` when a button is pressed. The buttons are in the sidebar of every page and in
the presentation's "Choose the deck" (``deck_downloads``). Streamlit only reads the link here; the
files are built by pure code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import streamlit as st

from . import deck_choice, deck_pptx, ui_slideshow, views
from .ui import PageContext

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
NAME_CHARS = 150  # the longest file name offered, before ".pptx"


def pptx_bytes(ctx: PageContext, link: Mapping[str, Sequence[str]] | None = None) -> bytes:
    """The .pptx of the current selection and the deck the link asks for (``link``: its query
    parameters, every value of each; the page's own link when None), built when the button is
    pressed."""
    found = views.deck(ctx.source)
    raw = link if link is not None else ui_slideshow.deck_link()
    choice = deck_choice.parse(raw, [v.key for v in found])
    shown = deck_choice.chosen(choice, found, lambda v: v.key)
    return deck_pptx.build_pptx(shown, {v.key: ctx.frame(v) for v in shown}, choice, ctx.lang, labels=ctx.labels,
                                dataset_title=ctx.dataset.title(ctx.lang))


def deck_file(ctx: PageContext) -> Callable[[], bytes]:
    """What builds the .pptx when the button is pressed, with the deck the link asks for in this
    run: the link is read now, as the page runs, and the file built later."""
    link = ui_slideshow.deck_link()
    return lambda: pptx_bytes(ctx, link)


def file_name(ctx: PageContext, kind: str = "deck", extension: str = "pptx") -> str:
    """"care-<kind>-<dataset>-<lang>[-<filter>-<ids>...].<extension>": two files of two selections
    or languages never share a name."""
    parts = [f"care-{kind}", ctx.dataset.name, ctx.lang]
    parts += [f"{key}-{'+'.join(ids)}" for key, ids in ctx.selection.by_key().items() if ids]
    name = re.sub(r"[^A-Za-z0-9+_.-]+", "-", "-".join(parts))[:NAME_CHARS].strip("-.")
    return f"{name}.{extension}"


def deck_downloads(ctx: PageContext, where: str) -> None:
    """The deck as PowerPoint and as an offline slideshow, two buttons in the current container
    (``where`` tells the sidebar's from the chooser's apart), each file built when pressed with the
    deck this run's link chooses."""
    st.download_button(
        ctx.t("pptx.button"),
        data=ctx.later(deck_file(ctx)),
        file_name=file_name(ctx),
        mime=PPTX_MIME,
        icon=":material/slideshow:",
        help=ctx.t("pptx.help"),
        on_click="ignore",
        key=f"pptx_download{where}",
    )
    link = ui_slideshow.deck_link()  # read now: the file is built when pressed, outside the run
    st.download_button(
        ctx.t("slideshow.button"),
        data=ctx.later(lambda: ui_slideshow.slideshow_bytes(ctx, link)),
        file_name=file_name(ctx, "slideshow", "html"),
        mime="text/html",
        icon=":material/co_present:",
        help=ctx.t("slideshow.help"),
        on_click="ignore",
        key=f"slideshow_download{where}",
    )
