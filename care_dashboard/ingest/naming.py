"""A dataset's name in words, and the identifier derived from it (pure).

The Import page proposes the name from the programme file's title or the first sheet's file
name (``lista_soacha_2026.xlsx`` gives "Lista soacha 2026"); the person may write another. The
identifier, used in links and as the dataset's folder under ``data/``, is derived from the name
and shown, never typed: lower-case ASCII letters, digits and underscores as
``datasets.validate_name`` wants ("Listas Soacha 2026" gives ``listas_soacha_2026``), never a name
the repository keeps (``importer.RESERVED_NAMES``) and never one already taken (``_2``, ``_3``...
is added).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from pathlib import Path

from .. import datasets
from .importer import IMPORTED_MARK, RESERVED_NAMES, TITLE_MAX_CHARS, TITLE_PUNCTUATION, check_title

ID_MAX_CHARS = 48  # leaves room for a "_NN" suffix within datasets.validate_name's 63
FALLBACK_ID = "dataset"
# a colon can form Streamlit's icon and colour codes (":red[", ":material/"), which titles refuse
_PROPOSAL_PUNCTUATION = TITLE_PUNCTUATION - {":"}


def proposed_title(file_name: str) -> str:
    """The words of a file's name, as a dataset's title: extension dropped, underscores and dots
    as spaces, characters a title may not hold left out, the first letter capitalised, at most
    TITLE_MAX_CHARS (cut at a word). "" when nothing readable is left."""
    stem = Path(file_name).stem if Path(file_name).suffix.lower() in (".csv", ".xlsx", ".toml") else file_name
    text = "".join(c if unicodedata.category(c)[0] in "LNM" or c in _PROPOSAL_PUNCTUATION else " "
                   for c in stem.replace("_", " ").replace(".", " "))
    words = " ".join(text.split())
    if len(words) > TITLE_MAX_CHARS:
        words = words[:TITLE_MAX_CHARS].rsplit(" ", 1)[0]
    words = words[:1].upper() + words[1:]
    return words if words and check_title(words) is None else ""


def base_id(title: str) -> str:
    """The identifier a title gives before it is made unique: accents dropped, every run of
    other characters one underscore, at most ID_MAX_CHARS; FALLBACK_ID when no letter or digit
    is left (a title in another script)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    found = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:ID_MAX_CHARS].strip("_")
    return found or FALLBACK_ID


def dataset_id(title: str, taken: Collection[str]) -> str:
    """The identifier of a new dataset called ``title``: ``base_id``, with ``_2``, ``_3``... added
    while it is reserved or in ``taken``."""
    base = base_id(title)
    name, n = base, 1
    while name in RESERVED_NAMES or name in taken:
        n += 1
        name = f"{base}_{n}"
    return datasets.validate_name(name)


def taken_names(data_dir: Path, listed: Collection[str] = ()) -> set[str]:
    """Names a new dataset may not take: every entry of ``data_dir`` (a dataset, a leftover,
    anything) and the datasets listed (those of CARE_DATA_URL included)."""
    found = {p.name for p in data_dir.iterdir()} if data_dir.is_dir() else set()
    return found | set(listed)


def imported_datasets(listed: list[datasets.Dataset]) -> list[datasets.Dataset]:
    """The datasets an import may add to: those an import made (its mark, or ``key_id`` for
    imports made before the mark), never the repository's or a store's."""
    return [d for d in listed if d.name not in RESERVED_NAMES and not d.in_store
            and (d.metadata.get(IMPORTED_MARK) is True or "key_id" in d.metadata)]
