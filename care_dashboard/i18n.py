"""User-facing text in English and Spanish, and locale-aware number and date formats (Babel).

Texts live in ``content/i18n/en.toml`` and ``content/i18n/es.toml`` (same keys, nested tables
flattened to dotted keys). Pages and chart builders call ``t``; no text is written in pages.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib

import pandas as pd
from babel.dates import format_date as _format_date
from babel.numbers import format_decimal

from . import paths

LANGS = ("en", "es")
DEFAULT_LANG = "en"
_LOCALES = {"en": "en_GB", "es": "es_CO"}


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = value
    return out


def catalogue_files(lang: str) -> list:
    """``content/i18n/LANG.toml`` and one ``content/i18n/FEATURE/LANG.toml`` per feature."""
    base = paths.CONTENT_DIR / "i18n"
    return [base / f"{lang}.toml", *sorted(base.glob(f"*/{lang}.toml"))]


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in catalogue_files(lang):
        entries = _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
        clash = set(entries) & set(merged)
        if clash:
            raise KeyError(f"{path}: keys already defined in another catalogue file: {sorted(clash)}")
        merged.update(entries)
    return merged


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str, **values) -> str:
    """The text for ``key`` in ``lang``; raises KeyError for a missing key (fail loudly)."""
    text = catalogue(normalise_lang(lang))[key]
    return text.format(**values) if values else text


def number(value, lang: str) -> str:
    """A count in the locale's format; a missing value (not published) becomes words, never 0."""
    if value is None or pd.isna(value):
        return t("common.not_published", lang)
    return _format_number(value.item() if hasattr(value, "item") else value, normalise_lang(lang))


@functools.lru_cache(maxsize=100_000)
def _format_number(value, lang: str) -> str:
    """Babel's formatting, remembered: a table of thousands of organisations repeats small counts."""
    return format_decimal(value, locale=_LOCALES[lang])


def date(value: dt.date, lang: str, fmt: str = "long") -> str:
    return _format_date(value, format=fmt, locale=_LOCALES[normalise_lang(lang)])


def month(value: dt.date, lang: str) -> str:
    return _format_date(value, "MMMM yyyy", locale=_LOCALES[normalise_lang(lang)])
