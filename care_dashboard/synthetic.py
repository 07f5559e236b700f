"""A seeded, synthetic record-level dataset shaped like CARE 2025, for demonstrations (pure).

``generate(seed, reference)`` returns the four record-level tables (``schema.STORED_TABLES
["record_level"]``); ``scripts/make_synthetic.py`` publishes them as ``data/care_2025_synthetic``.
Everything about the people is invented; only the totals come from the published figures:

* participations per territory where the report gives territory totals (occupational health and
  safety, human rights), split at random between the territory's organisations;
* participations per organisation where it gives them (soft skills and wellbeing);
* where it gives only how many organisations attended (formalisation: 5 at the Bogotá session, 6
  at the Barranquilla one), that many organisations of the city are drawn, each sending 1 to 3
  leaders to one session on one date of the component's month. This attendance is pure invention.

Overlaps are made plausible, not realistic: most human-rights attendees come from the same
organisation's occupational-health attendees, most soft-skills attendees from earlier components,
and a few percent of records lose their person key (a sign-in line without a document number).
Person keys are random 256-bit hex strings from the seeded generator, derived from nothing real.

Randomness uses only ``random.Random.random`` and ``getrandbits`` (stable across Python versions
for a given seed), so the same seed always gives the same dataset.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import duckdb
import pandas as pd

from . import datasets, paths, schema

NAME = "care_2025_synthetic"
SEED = 2025
MISSING_KEY_SHARE = 0.03
PEOPLE_PER_SESSION = 40  # about how many people one session takes; a territory gets 1 to 4 sessions
MAX_SESSIONS = 4
LEADERS_PER_ORGANISATION = (1, 3)
# Share of a component's attendees (per organisation) who had attended an earlier component of the
# same organisation: (low, high), drawn per organisation. Components not named here: DEFAULT_REUSE.
REUSE_SHARE = {
    "ohs": (0.0, 0.0),
    "human-rights": (0.75, 0.9),
    "formalisation": (0.4, 0.7),
    "soft-skills": (0.65, 0.85),
}
DEFAULT_REUSE = (0.5, 0.8)


@dataclass(frozen=True)
class Reference:
    """What the synthetic records copy: the reference tables and the published totals."""

    territories: pd.DataFrame
    components: pd.DataFrame
    organisations: pd.DataFrame
    territory_counts: pd.DataFrame  # component_id, territory_id, participations_count, organisations_count
    organisation_counts: pd.DataFrame  # component_id, organisation_id, participations_count (published)


def load_reference(data_dir: Path | None = None) -> Reference:
    """The published-aggregate dataset ``care_2025`` as the synthetic dataset's reference."""
    ds = datasets.load_dataset(paths.DEFAULT_DATASET, data_dir)
    con = duckdb.connect()
    try:

        def read(table: str) -> pd.DataFrame:
            path = str(Path(ds.path) / f"{table}.parquet").replace("'", "''")
            return con.execute(f"SELECT * FROM read_parquet('{path}')").df()

        oc = read("organisation_components")
        return Reference(
            territories=read("territories"),
            components=read("components"),
            organisations=read("organisations"),
            territory_counts=read("territory_counts"),
            organisation_counts=oc[oc["participation_status"] == "count_published"][
                ["component_id", "organisation_id", "participations_count"]
            ].reset_index(drop=True),
        )
    finally:
        con.close()


def metadata(seed: int = SEED) -> dict:
    """Descriptive metadata for ``dataset.toml`` (``store.publish`` adds name, kind and version)."""
    return {
        "title_en": "CARE 2025 synthetic demo",
        "title_es": "Demo CARE 2025, datos sintéticos",
        "is_synthetic": True,
        "seed": seed,
        "generator": "scripts/make_synthetic.py",
        "synthetic_note": (
            "Every attendance record is invented for demonstration. Totals per component, territory "
            "and soft-skills organisation copy the published CARE 2025 figures; people, sessions, "
            "dates, overlaps and all formalisation attendance are made up."
        ),
        "source_citation_en": (
            f"Synthetic records invented by scripts/make_synthetic.py (seed {seed}) for demonstration. "
            "Their totals copy the figures of CEMPRE Colombia & ASI (2025), Capacity Strengthening of "
            "Waste Pickers' Organisations: Results and Lessons Learned from the CARE Project (report "
            "dated February 2026)."
        ),
        "source_citation_es": (
            f"Registros sintéticos inventados por scripts/make_synthetic.py (semilla {seed}) para "
            "demostración. Sus totales copian las cifras de CEMPRE Colombia y ASI (2025), Capacity "
            "Strengthening of Waste Pickers' Organisations: Results and Lessons Learned from the CARE "
            "Project (informe con fecha de febrero de 2026)."
        ),
        "source_short_en": "Invented records; totals from the CARE report",
        "source_short_es": "Registros inventados; totales del informe CARE",
        "source_sections_en": "5.1, 5.2, 5.3 (organisations only), 5.4: totals only, every record is invented",
        "source_sections_es": "5.1, 5.2, 5.3 (solo organizaciones), 5.4: solo los totales, cada registro es inventado",
        "licence": "CC BY-NC 4.0",
        "licence_url": "https://creativecommons.org/licenses/by-nc/4.0/",
    }


# ---- randomness from random() and getrandbits() only ------------------------------------------

def _randint(rng: random.Random, low: int, high: int) -> int:
    """A whole number from low to high, both included."""
    return low + int(rng.random() * (high - low + 1))


def _uniform(rng: random.Random, low: float, high: float) -> float:
    return low + (high - low) * rng.random()


def _sample(rng: random.Random, items: list, k: int) -> list:
    """k distinct items, in random order (partial Fisher-Yates)."""
    pool = list(items)
    for i in range(min(k, len(pool))):
        j = _randint(rng, i, len(pool) - 1)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def _person_key(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


# ---- the pieces --------------------------------------------------------------------------------

def split_total(total: int, weights: list[float]) -> list[int]:
    """Whole parts of ``total`` in proportion to ``weights`` (largest remainder), each at least 1."""
    if total < len(weights):
        raise ValueError(f"cannot give each of {len(weights)} organisations at least one of {total}")
    spare = total - len(weights)
    raw = [spare * w / sum(weights) for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [p + 1 for p in parts]


def _session_dates(rng: random.Random, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    weekdays = [start + dt.timedelta(days=d) for d in range((end - start).days + 1)]
    weekdays = [d for d in weekdays if d.weekday() < 5] or [start]
    return sorted(_sample(rng, weekdays, n))


@dataclass
class _Plan:
    """Participations to invent for one component, per organisation."""

    component_id: str
    per_organisation: dict[str, int]


def _tuples(df: pd.DataFrame) -> Iterator[Any]:
    """``df``'s rows as named tuples, a field per column (fields a type checker cannot know)."""
    return df.itertuples(index=False)


def _plans(rng: random.Random, ref: Reference) -> list[_Plan]:
    orgs = ref.organisations.sort_values("sort_order")
    by_territory = {t: list(g["organisation_id"]) for t, g in orgs.groupby("territory_id", sort=False)}
    published_by_org = {
        (r.component_id, r.organisation_id): int(r.participations_count)
        for r in _tuples(ref.organisation_counts)
    }
    # organisations with large published per-organisation counts get more of the territory totals,
    # so that their later attendees can plausibly come from earlier components
    later_size: dict[str, int] = {}
    for (_, oid), n in published_by_org.items():
        later_size[oid] = later_size.get(oid, 0) + n
    plans = []
    for comp in _tuples(ref.components.sort_values("sort_order")):
        cid = comp.component_id
        per_org: dict[str, int] = {}
        for (c, oid), n in published_by_org.items():
            if c == cid:
                per_org[oid] = n
        counts = ref.territory_counts[ref.territory_counts["component_id"] == cid]
        for r in _tuples(counts):
            members = by_territory.get(r.territory_id, [])
            if not pd.isna(r.participations_count):
                weights = [(1 + later_size.get(o, 0) / 20) * _uniform(rng, 0.75, 1.25) for o in members]
                for oid, n in zip(members, split_total(int(r.participations_count), weights)):
                    per_org[oid] = n
            elif not pd.isna(r.organisations_count):
                # attendance not published: invent a few leaders from that many organisations
                for oid in _sample(rng, members, int(r.organisations_count)):
                    per_org[oid] = _randint(rng, *LEADERS_PER_ORGANISATION)
        plans.append(_Plan(cid, per_org))
    return plans


def generate(seed: int = SEED, reference: Reference | None = None) -> dict[str, pd.DataFrame]:
    """The record-level tables of the synthetic dataset; the same seed gives the same tables."""
    ref = reference or load_reference()
    rng = random.Random(seed)
    components = ref.components.set_index("component_id")
    org_territory = dict(zip(ref.organisations["organisation_id"], ref.organisations["territory_id"]))
    org_order = list(ref.organisations.sort_values("sort_order")["organisation_id"])
    territory_order = list(ref.territories.sort_values("sort_order")["territory_id"])
    earlier: dict[str, list[str]] = {oid: [] for oid in org_order}  # people of earlier components
    records = []
    for plan in _plans(rng, ref):
        comp = cast(pd.Series, components.loc[plan.component_id])  # one row: component ids are unique
        role = "leader" if comp["audience_id"] == "organisation_leaders" else "member"
        start = pd.Timestamp(comp["period_start_date"]).date()
        end = pd.Timestamp(comp["period_end_date"]).date()
        for tid in territory_order:
            org_ids = [o for o in org_order if org_territory[o] == tid and o in plan.per_organisation]
            if not org_ids:
                continue
            total = sum(plan.per_organisation[o] for o in org_ids)
            n_sessions = 1 if role == "leader" else max(1, min(MAX_SESSIONS, math.ceil(total / PEOPLE_PER_SESSION)))
            sessions = [
                (f"{plan.component_id}-{tid}-{i}", day)
                for i, day in enumerate(_session_dates(rng, start, end, n_sessions), start=1)
            ]
            for oid in org_ids:
                n = plan.per_organisation[oid]
                low, high = REUSE_SHARE.get(plan.component_id, DEFAULT_REUSE)
                reused = _sample(rng, earlier[oid], min(len(earlier[oid]), round(n * _uniform(rng, low, high))))
                people = reused + [_person_key(rng) for _ in range(n - len(reused))]
                for key in people:
                    session_id, day = sessions[_randint(rng, 0, len(sessions) - 1)]
                    records.append((session_id, day, plan.component_id, tid, oid, key, role))
                known = set(earlier[oid])
                earlier[oid] += [k for k in people if k not in known]
    attendance = pd.DataFrame(records, columns=list(schema.ATTENDANCE.columns))
    missing = [rng.random() < MISSING_KEY_SHARE for _ in range(len(attendance))]
    attendance.loc[missing, "person_key"] = None
    attendance["session_date"] = pd.to_datetime(attendance["session_date"])
    attendance = attendance.sort_values(["session_id", "organisation_id", "person_key"], na_position="last")
    record_components = ref.components.assign(reach_unit="participations")  # every reach counted from records
    return {
        "territories": ref.territories[list(schema.TERRITORIES.columns)].reset_index(drop=True),
        "components": record_components[list(schema.COMPONENTS.columns)].reset_index(drop=True),
        "organisations": ref.organisations[list(schema.ORGANISATIONS.columns)].reset_index(drop=True),
        "attendance": attendance.reset_index(drop=True),
    }
