"""The caveat catalogue (``content/caveats.toml``): caveats are data, keyed by id, in English and Spanish.

A caveat is shown only on data it is true of. Its entry may bind it in four ways; all it gives
must hold (an entry with none holds on any dataset):

* ``kinds``: the kinds of dataset it holds for (``published_aggregate``, ``record_level``).
* ``datasets``: the datasets it is true of, by name. The facts of the CARE 2025 report (its 16
  organisations, its four components, its dates) are bound to ``care_2025`` and, where the
  invented records copy them, ``care_2025_synthetic``; they never reach a partner's own data.
* ``when``: facts that must be true of the data (``FACTS``), such as "some territory has a
  single organisation". They are read once per dataset version by the named query
  ``data_facts`` (plus ``synthetic``, from dataset.toml), not on every rerun.
* ``unless``: another caveat's id (or a list of them). This one holds only where none of those
  does: a caveat written for any data names the dataset-bound caveat that says the same, and more,
  where it is bound, so the two are never shown together.

What is true of the data on screen comes as a ``DataFacts`` (``DataFacts.of(dataset, facts)``),
which ``for_ids``, ``all_caveats`` and ``holds`` take. A kind alone (``"record_level"``) still
works and means "a dataset of that kind about which nothing else is known": only caveats that
hold on any dataset of that kind.

Its section is a report section ("5.1, 6.1") or ``method`` for a caveat that rests on this
dashboard's own method (attendance records, synthetic data). A report section is cited only on the
datasets the report is the source of (``report_datasets``); elsewhere a caveat that holds there
rests on this dashboard's method. A text may use ``{threshold}``.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from . import paths, schema

CATALOGUE_FILE = paths.CONTENT_DIR / "caveats.toml"
LANGS = ("en", "es")
METHOD_SECTION = "method"
SYNTHETIC = "synthetic_data"  # the CARE demo's: shown beside every figure of a synthetic dataset, and only there
# every caveat about invented records (the CARE demo's, and the one for any other synthetic dataset)
SYNTHETIC_IDS = (SYNTHETIC, "synthetic_records")
FACT_PREFIX = "has_"  # a column has_FACT of the named query data_facts says whether FACT is true
SYNTHETIC_FACT = "synthetic"  # from dataset.toml's is_synthetic, not from the query
# the facts a caveat's ``when`` may name: the columns of queries/data_facts.sql, and synthetic
FACTS = (
    "territory_with_one_organisation",
    "unnamed_organisation",
    "period_by_month",
    "component_in_organisations",
    SYNTHETIC_FACT,
)
BINDING_KEYS = ("kinds", "datasets", "when", "unless")


@dataclass(frozen=True)
class Caveat:
    id: str
    section: str
    title: str
    text: str
    short: str = ""  # a few words, for beside a figure and inside a saved chart image

    @property
    def rests_on_method(self) -> bool:
        """True when the caveat cites this dashboard's method rather than a report section."""
        return self.section == METHOD_SECTION


@dataclass(frozen=True)
class DataFacts:
    """What is true of the data on screen, as far as caveats care (pure): the dataset's name and
    kind, and the facts (``FACTS``) that hold of it. ``dataset`` None: not known (so no caveat
    bound to datasets holds); ``kind`` None: any kind."""

    dataset: str | None = None
    kind: str | None = None
    facts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, dataset, facts: Iterable[str] = ()) -> DataFacts:
        """The facts of a ``datasets.Dataset`` (anything with ``name``, ``kind``, ``is_synthetic``);
        ``facts``: those read from its data (``facts_from_row``). Without them, no caveat that
        needs a fact holds: a caveat is left out rather than shown where it may be false."""
        found = set(facts) | ({SYNTHETIC_FACT} if getattr(dataset, "is_synthetic", False) else set())
        unknown = found - set(FACTS)
        if unknown:
            raise ValueError(f"unknown facts {sorted(unknown)}: known are {FACTS}")
        return cls(dataset.name, dataset.kind, frozenset(found))

    @classmethod
    def from_row(cls, dataset, row: Mapping[Hashable, object]) -> DataFacts:
        """From the one row of the named query ``data_facts`` (columns ``has_FACT``)."""
        return cls.of(dataset, facts_from_row(row))


def facts_from_row(row: Mapping[Hashable, object]) -> set[str]:
    """The facts that are true in a row of ``data_facts``: each column has_FACT that is true."""
    return {str(col)[len(FACT_PREFIX):] for col, value in row.items()
            if str(col).startswith(FACT_PREFIX) and value is not None and bool(value)}


class UnknownCaveat(KeyError):
    pass


@functools.cache
def _file() -> dict:
    return tomllib.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


@functools.cache
def catalogue() -> dict[str, dict]:
    """Every caveat's entry, by id, in the order of the file."""
    return {k: v for k, v in _file().items() if isinstance(v, dict)}


@functools.cache
def report_datasets() -> frozenset[str]:
    """The datasets the CARE 2025 report is the source of: on them a caveat cites its section."""
    return frozenset(_file().get("report_datasets", ()))


def _entry(caveat_id: str) -> dict:
    entry = catalogue().get(caveat_id)
    if entry is None:
        raise UnknownCaveat(f"caveat {caveat_id!r} is not in {CATALOGUE_FILE}")
    return entry


def kinds_of(caveat_id: str) -> tuple[str, ...]:
    """The kinds of dataset a caveat holds for."""
    return tuple(_entry(caveat_id).get("kinds", schema.DATASET_KINDS))


def needs(caveat_id: str) -> tuple[str, ...]:
    """The facts a caveat's ``when`` names."""
    when = _entry(caveat_id).get("when", ())
    return (when,) if isinstance(when, str) else tuple(when)


def unless_of(caveat_id: str) -> tuple[str, ...]:
    """The caveats in whose place this one gives way (its ``unless``)."""
    unless = _entry(caveat_id).get("unless", ())
    return (unless,) if isinstance(unless, str) else tuple(unless)


def is_bound(caveat_id: str) -> bool:
    """True for a caveat that holds only on some datasets or where some fact is true (bound by
    ``datasets`` or ``when``). One with only ``unless`` is written for any data: it gives way
    where the caveat it names holds."""
    entry = _entry(caveat_id)
    return "datasets" in entry or "when" in entry


def _facts(data) -> DataFacts | None:
    """``data`` as DataFacts: None stays None (no filter), a kind is a dataset of that kind about
    which nothing else is known, a Dataset gives its name, kind and synthetic flag."""
    if data is None or isinstance(data, DataFacts):
        return data
    if isinstance(data, str):
        if data not in schema.DATASET_KINDS:
            raise ValueError(f"{data!r} is no kind of dataset: one of {schema.DATASET_KINDS}")
        return DataFacts(kind=data)
    return DataFacts.of(data)


def holds(caveat_id: str, data=None) -> bool:
    """Whether a caveat is true of ``data`` (DataFacts, a Dataset, a kind, or None: any data)."""
    entry = _entry(caveat_id)
    facts = _facts(data)
    if facts is None:
        return True
    if facts.kind is not None and facts.kind not in entry.get("kinds", schema.DATASET_KINDS):
        return False
    if "datasets" in entry and facts.dataset not in entry["datasets"]:
        return False
    if not set(needs(caveat_id)) <= facts.facts:
        return False
    return not any(holds(other, facts) for other in unless_of(caveat_id))


def _section(entry: dict, facts: DataFacts | None) -> str:
    """The report section a caveat cites, on a dataset the report is the source of; elsewhere
    (a partner's own records) what holds there rests on this dashboard's method."""
    section = entry["section"]
    if facts is not None and facts.dataset is not None and facts.dataset not in report_datasets():
        return METHOD_SECTION
    return section


def get(caveat_id: str, lang: str, values: Mapping[str, object] | None = None, data=None) -> Caveat:
    """One caveat in ``lang``; ``values`` fill its placeholders (``{threshold}``); ``data`` (see
    ``holds``) decides what it rests on. It does not check that the caveat holds there."""
    entry = _entry(caveat_id)
    lang = lang if lang in LANGS else "en"
    text, short = entry[f"text_{lang}"], entry[f"short_{lang}"]
    if values:
        text, short = text.format_map(values), short.format_map(values)
    return Caveat(caveat_id, _section(entry, _facts(data)), entry[f"title_{lang}"], text, short)


def for_ids(
    caveat_ids: Iterable[str], lang: str, data=None, values: Mapping[str, object] | None = None
) -> list[Caveat]:
    """Caveats in the order given, each once, only those that hold for ``data``: the DataFacts of
    the data on screen (``ui.PageContext.data_facts``), a Dataset, a kind alone, or None (all)."""
    facts = _facts(data)
    seen, out = set(), []
    for cid in caveat_ids:
        if cid in seen or not holds(cid, facts):
            continue
        seen.add(cid)
        out.append(get(cid, lang, values, facts))
    return out


def all_caveats(
    lang: str, data=None, values: Mapping[str, object] | None = None, synthetic: bool = True
) -> list[Caveat]:
    """The whole catalogue that holds for ``data`` (see ``for_ids``); none about synthetic data
    unless ``synthetic`` (and the data is synthetic, where its facts are given)."""
    return for_ids((c for c in catalogue() if synthetic or c not in SYNTHETIC_IDS), lang, data, values)


def synthetic_caveat(lang: str, data, values: Mapping[str, object] | None = None) -> Caveat | None:
    """The caveat about invented records that holds for ``data`` (the CARE demo's, or the one for
    any other synthetic dataset); None for real data."""
    found = for_ids(SYNTHETIC_IDS, lang, data, values)
    return found[0] if found else None


KEY_CAVEATS_SHOWN = 2  # beside a figure: its unit and at most this many caveats, in short form


def split_for_figure(key_ids, held: list[Caveat]) -> tuple[list[Caveat], list[Caveat]]:
    """``held``, the caveats of a figure that hold for the data on screen (``for_ids``), split into
    those shown short beside it and the rest, which stay one click away. ``key_ids`` are the
    figure's key caveats, most important first (its catalogue entry's ``key_caveats``); the key
    ones shown are the first ``KEY_CAVEATS_SHOWN`` of them that hold; when none holds, the first
    caveat that does. The synthetic-data caveat, where it holds, is always shown beside the figure as well."""
    by_id = {c.id: c for c in held}
    key = [by_id[cid] for cid in key_ids if cid in by_id][:KEY_CAVEATS_SHOWN]
    if not key and held:
        key = [next((c for c in held if c.id not in SYNTHETIC_IDS), held[0])]
    for cid in SYNTHETIC_IDS:
        if cid in by_id and by_id[cid] not in key:
            key.append(by_id[cid])
    rest = [c for c in held if c not in key]
    return key, rest
