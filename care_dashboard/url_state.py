"""The view's state in the URL: ``lang``, ``dataset``, ``component``, ``territory``, ``organisation`` (pure).

Links carry stable ids (``?dataset=care_2025_synthetic&component=ohs&territory=bogota``), never
display labels, so a link made in Spanish opens the same view in English. Values that are not
known ids are dropped and reported, never passed on to a query. Defaults (English, the embedded
dataset, no filter) are left out of links.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from . import deck_choice, filters

MULTI_KEYS = filters.KEYS
LANG_KEY = "lang"
DATASET_KEY = "dataset"
SINGLE_KEYS = (LANG_KEY, DATASET_KEY)
# Keys a page writes for itself, not part of the view: kept as they are when the view is written
# to the URL, never read as a filter. ``import``: the Import page's token of an import in progress
# (care_dashboard/ingest/pending.py), so a reloaded page or another worker can find it. The
# presenter's deck (``deck_choice.KEYS``) and ``presenter``, the presenter's own window of it.
IMPORT_KEY = "import"
# kept in the link as the view is written to it: an import in progress, the presenter's deck
# (deck_choice), which every page's sidebar takes away as a file, and the presenter's own window
PRESENTER_KEY = "presenter"
PAGE_KEYS = (IMPORT_KEY, *deck_choice.KEYS, PRESENTER_KEY)
MAX_VALUES_PER_KEY = 100


def parse(
    raw: Mapping[str, list[str]], options: Mapping[str, Collection[str]]
) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """Known values per key, and the (key, value) pairs that were ignored.

    ``raw``: every value of every query parameter. ``options``: the accepted ids per key
    (``lang`` and ``dataset`` included). A key missing from ``options`` is not read at all, so a
    caller can read the dataset first and the filters once it knows the dataset's ids.
    """
    values: dict[str, object] = {}
    ignored: list[tuple[str, str]] = []
    for key in (*SINGLE_KEYS, *MULTI_KEYS):
        if key not in options:
            continue
        allowed = options[key]
        given = list(raw.get(key, []))[:MAX_VALUES_PER_KEY]
        known = list(dict.fromkeys(v for v in given if v in allowed))
        ignored += [(key, v) for v in dict.fromkeys(given) if v not in allowed]
        if key in SINGLE_KEYS:
            if known:
                values[key] = known[-1]
        elif known:
            values[key] = known
    return values, ignored


def to_query(
    lang: str,
    default_lang: str | None,
    selection: Mapping[str, Collection[str]],
    dataset: str | None = None,
    default_dataset: str | None = None,
) -> dict[str, str | list[str]]:
    """Query parameters for the current view; defaults are left out to keep links short (None:
    no default language, the language is always named)."""
    out: dict[str, str | list[str]] = {}
    if lang != default_lang:
        out[LANG_KEY] = lang
    if dataset is not None and dataset != default_dataset:
        out[DATASET_KEY] = dataset
    for key in MULTI_KEYS:
        chosen = list(selection.get(key, ()))
        if chosen:
            out[key] = chosen
    return out
