"""Streamlit's and Plotly's own texts in the page's language (pure: no Streamlit).

Neither frontend is translated by Streamlit. Plotly is, by Plotly itself: its toolbar and messages
read a locale given in each chart's config (``plot_config``), here plotly.js's own Spanish locale,
kept in the repository (``content/js/plotly-locale-es.json``) because a venue has no internet.
Streamlit's texts (the uploader, the "Page not found" dialog, the table toolbar, help icons'
labels) are replaced in the page by ``content/js/document_language.js`` with the pairs of
``replacements``, from ``content/i18n/streamlit/`` (the English exactly as Streamlit writes it,
and the Spanish, under the same keys).
"""

from __future__ import annotations

import functools
import json

from . import i18n, paths

PREFIX = "streamlit."
PLOTLY_LOCALE_FILES = {"es": paths.CONTENT_DIR / "js" / "plotly-locale-es.json"}


@functools.cache
def replacements(lang: str) -> dict[str, list[list[str]]]:
    """Per part of the page (``label``: attribute values anywhere; ``uploader``, ``dialog``...:
    text shown there), ``[text another language shows, the text lang shows]`` for each of
    Streamlit's texts. On a Spanish page the English becomes Spanish; on an English page, Spanish
    left by an earlier run becomes English again. A ``{name}`` stands for any text and is carried
    over."""
    lang = i18n.normalise_lang(lang)
    wanted = i18n.catalogue(lang)
    out: dict[str, list[list[str]]] = {}
    for other in i18n.LANGS:
        if other == lang:
            continue
        for key, text in i18n.catalogue(other).items():
            if key.startswith(PREFIX) and text != wanted[key]:
                part = key[len(PREFIX):].split(".", 1)[0]
                out.setdefault(part, []).append([text, wanted[key]])
    return out


@functools.cache
def plotly_locale(lang: str) -> dict | None:
    """plotly.js's locale for ``lang`` (its toolbar's texts and date names), or None where
    Plotly's own English is the language."""
    path = PLOTLY_LOCALE_FILES.get(i18n.normalise_lang(lang))
    if path is None:
        return None
    return json.loads(path.read_text(encoding="utf-8"))["locale"]


def plotly_config(lang: str) -> dict:
    """What a chart's Plotly config needs to speak ``lang``: the locale, and its texts with it
    (Streamlit's bundle of Plotly registers English only, and a config may carry a locale's
    dictionary itself: ``config.locales``)."""
    locale = plotly_locale(lang)
    if locale is None:
        return {}
    return {"locale": lang, "locales": {lang: locale}}
