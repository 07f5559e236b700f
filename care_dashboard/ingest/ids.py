"""The identifiers an import takes or makes: the dataset's name (typed by a person, so a refusal
says why and what is allowed) and organisation ids (derived from names written by many hands).

Organisation ids: one per distinct organisation name, never empty, the same in every import into
one dataset. Two spellings are one organisation when they differ only in case, accents, spacing
or punctuation ("ASOREPCOL", "Asorepcol ", "asorepcol"). Every letter, digit and symbol of any
script counts ("ORG 🌈" and "ORG ♻️", "جمعية الأمل" and "جمعية النور" are two organisations each).
An id is the name's readable ASCII slug; a short suffix taken from the name itself is added when the
slug is empty (a name in another script) or is shared with another name, so the same name gets the
same id whatever else an import holds.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from .. import i18n, paths
from .normalise import fold, slug

# ---- dataset names --------------------------------------------------------------------------

NAME_MAX_CHARS = 63  # datasets._NAME_RE: a letter or digit, then letters, digits and _
# Dataset names an import never writes: the folders of data/ that are part of the repository
# (tests/test_import_guards.py checks this against .gitignore's exceptions to /data/*).
RESERVED_NAMES = frozenset({paths.DEFAULT_DATASET, "care_2025_synthetic", "geo"})
_NAME_CHARS = re.compile(r"[a-z0-9_]")


def _shown(chars: Iterable[str], lang: str) -> str:
    """Characters as a reader can see them: "ñ", a space, U+200B."""
    def one(c: str) -> str:
        if c == " ":
            return i18n.t("import.name.space", lang)
        return f'"{c}"' if c.isprintable() and not c.isspace() else f"U+{ord(c):04X}"

    return ", ".join(one(c) for c in chars)


def name_problem(name: str, lang: str = "en") -> str | None:
    """Why ``name`` cannot name a dataset, as a sentence in ``lang`` that says what names are
    allowed (and a name that would do, when one follows plainly), or None when it can."""
    reason = None
    values: dict[str, object] = {}
    if name == "":
        reason = "empty"
    elif name != name.strip():
        reason = "spaces"
    elif "/" in name or "\\" in name or ".." in name:
        reason = "path"
    elif any(c.isupper() for c in name):
        reason = "capitals"
    elif name[0] in "._":
        reason = "first"
        values["first"] = _shown(name[0], lang)
    elif any(not _NAME_CHARS.fullmatch(c) for c in name):
        reason = "characters"
        values["chars"] = _shown(dict.fromkeys(c for c in name if not _NAME_CHARS.fullmatch(c)), lang)
    elif len(name) > NAME_MAX_CHARS:
        reason = "long"
        values["n"] = len(name)
    if reason is None:
        return None
    text = i18n.t("import.name.refused", lang, name=name,
                  reason=i18n.t(f"import.name.{reason}", lang, **values), limit=NAME_MAX_CHARS)
    suggestion = suggested_name(name)
    return text + (" " + i18n.t("import.name.suggest", lang, suggestion=suggestion) if suggestion else "")


def suggested_name(name: str) -> str | None:
    """A valid name close to ``name`` ("CARE 2025" -> "care_2025"), or None when none follows
    plainly or it is one of the repository's own (an import would refuse it next)."""
    candidate = "_".join(re.sub(r"[^a-z0-9]+", " ", slug(name).replace("-", " ")).split())[:NAME_MAX_CHARS]
    if not candidate or candidate in RESERVED_NAMES or candidate == name:
        return None
    return candidate


# ---- organisation ids -----------------------------------------------------------------------

SUFFIX_CHARS = 6  # hexadecimal digits of the name's SHA-256: 16.7 million values
FALLBACK_SLUG = "org"  # for a name with no Latin letter or digit


def name_key(name: str) -> str:
    """What makes two organisation names one organisation: case, accents, punctuation and spacing
    are folded away; every letter, digit and symbol (emoji included) of any script is kept."""
    words, word = [], []
    for c in unicodedata.normalize("NFKD", str(name)).casefold():
        kind = unicodedata.category(c)
        if kind[0] == "M":  # accents, vowel signs, emoji variation selectors
            continue
        if kind[0] in "LN" or kind[0] == "S" and kind != "Sk":
            word.append(c)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return unicodedata.normalize("NFC", " ".join(words))


def _suffixed(base: str, key: str, taken: set[str]) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    for n in range(SUFFIX_CHARS, len(digest) + 1):
        candidate = f"{base}-{digest[:n]}"
        if candidate not in taken:
            return candidate
    raise ValueError(f"no free organisation id for {key!r}")  # pragma: no cover (a SHA-256 collision)


def organisation_ids(names: Iterable[str], canonical: Callable[[str], str | None], reserved: Iterable[str],
                     existing: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(name -> id for every name of ``names``, old id -> new id for ``existing`` ids to change).

    ``canonical``: the id a name has in the reference list (content/reference/aliases.csv), or
    None; it matches names folded to ASCII, so it is asked only about names that folding leaves
    whole ("ASOREPCOL 🌈" is not ASOREPCOL). ``reserved``: every id of that list (no other name
    gets one). ``existing``: id -> name
    of the organisations the dataset holds: a name whose key one of them has keeps its id. An
    empty id there (written before ids were checked) is given a new one.
    """
    names = list(dict.fromkeys(names))
    known = canonical
    canonical = lambda name: known(name) if name_key(name) == fold(name) else None  # noqa: E731
    renamed: dict[str, str] = {}
    by_key: dict[str, str] = {}
    taken = {oid for oid in existing if oid} | set(reserved)
    for oid, name in existing.items():
        key = name_key(name)
        if not oid:
            renamed[oid] = _suffixed(slug(key) or FALLBACK_SLUG, key, taken | set(renamed.values()))
            oid = renamed[oid]
        by_key.setdefault(key, oid)
    taken |= set(renamed.values())
    new_keys = [k for k in dict.fromkeys(name_key(n) for n in names if not canonical(n)) if k not in by_key]
    bases = {k: slug(k) for k in new_keys}
    shared = {b for b, n in Counter(bases.values()).items() if n > 1}
    for key in new_keys:
        base = bases[key]
        if base and base not in shared and base not in taken:
            by_key[key] = base
        else:
            by_key[key] = _suffixed(base or FALLBACK_SLUG, key, taken)
        taken.add(by_key[key])
    return {n: canonical(n) or by_key[name_key(n)] for n in names}, renamed
