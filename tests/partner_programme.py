"""A partner's record-level dataset of another programme, generated in code with a fixed seed: the
kind of data a partner imports (``record_level``, ``is_synthetic = false``), with nothing of CARE
2025 in it.

* 40 municipalities spread over Colombia, one from each department first, taken with their names,
  departments and coordinates from the bundled gazetteer (none of CARE's four);
* 7 components of its own (financial education, recycling techniques, ...), named in both
  languages, one of them for organisation leaders;
* 52 organisations, one or more in each municipality (so some municipalities have only one);
* 330 people, each with one organisation, attending sessions of 2 to 5 of its components in 2026;
  a few records have no document number (no person key).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from care_dashboard import gazetteer
from tests import fixtures

NAME = "partner_2026"
TITLE = "National recycling programme 2026"
SEED = 2026
MUNICIPALITIES = 40
ORGANISATIONS = 52
PEOPLE = 330
CARE_TERRITORIES = {"bogota", "barranquilla", "cajica", "puerto-colombia"}

# id, English name, Spanish name, audience
COMPONENTS = [
    ("financial-education", "Financial education", "Educación financiera", "waste_pickers"),
    ("recycling-techniques", "Recycling techniques", "Técnicas de reciclaje", "waste_pickers"),
    ("business-management", "Business management for leaders", "Gestión empresarial para líderes", "organisation_leaders"),
    ("digital-skills", "Digital skills", "Habilidades digitales", "waste_pickers"),
    ("gender-equity", "Gender equity", "Equidad de género", "waste_pickers"),
    ("environmental-education", "Environmental education", "Educación ambiental", "waste_pickers"),
    ("first-aid", "First aid", "Primeros auxilios", "waste_pickers"),
]
ORGANISATION_NAMES = ["Asociación de Recicladores de {m}", "Cooperativa Reciclaje {m}", "Recuperadores Unidos de {m}"]


def municipalities(seed: int = SEED) -> list[gazetteer.Municipality]:
    """40 municipalities with coordinates: one from each department (in code order), then more at
    random, never one of CARE's."""
    rng = random.Random(seed)
    placed = [m for m in gazetteer.all_municipalities()
              if m.latitude is not None and m.longitude is not None and m.territory_id not in CARE_TERRITORIES]
    by_department: dict[str, list] = {}
    for m in placed:
        by_department.setdefault(m.department_code, []).append(m)
    chosen = [rng.choice(by_department[code]) for code in sorted(by_department)]
    rest = [m for m in placed if m not in chosen]
    chosen += rng.sample(rest, MUNICIPALITIES - len(chosen))
    return chosen[:MUNICIPALITIES]


def tables(seed: int = SEED) -> dict[str, list[tuple]]:
    """The stored tables of a record-level dataset (schema.STORED_TABLES["record_level"])."""
    rng = random.Random(seed)
    places = municipalities(seed)
    territories = [
        (m.territory_id, m.municipality_name, m.department_name, m.department_code, m.divipola_code,
         m.latitude, m.longitude, i, "gazetteer (test fixture)")
        for i, m in enumerate(places, start=1)
    ]
    # every municipality an organisation; twelve of them one or two more
    homes = [m for m in places] + rng.sample(places, 8) + rng.sample(places[:20], 4)
    organisations, org_of_home = [], {}
    for i, m in enumerate(homes, start=1):
        n = org_of_home.setdefault(m.territory_id, 0)
        org_of_home[m.territory_id] = n + 1
        organisations.append((f"org-{i:02d}", ORGANISATION_NAMES[n].format(m=m.municipality_name), m.territory_id,
                              True, None, i, None))
    assert len(organisations) == ORGANISATIONS
    territory_of = {o[0]: o[2] for o in organisations}
    components_of = {o[0]: rng.sample([c[0] for c in COMPONENTS], rng.randint(2, 5)) for o in organisations}
    # people: every organisation at least three, the rest at random
    members = [o[0] for o in organisations for _ in range(3)]
    members += [rng.choice(organisations)[0] for _ in range(PEOPLE - len(members))]
    people = {f"pk{n:04d}{rng.getrandbits(32):08x}": org for n, org in enumerate(members)}
    attendance = []
    start = dt.date(2026, 2, 2)
    for org, comps in components_of.items():
        staff = [p for p, o in people.items() if o == org]
        for cid in comps:
            for s in range(rng.randint(1, 2)):
                day = start + dt.timedelta(days=rng.randint(0, 280))
                session = f"{cid}/{day:%Y-%m-%d}/{territory_of[org]}/{org}/{s}"
                audience = [p for p in staff if rng.random() < 0.75] or staff[:1]
                if cid == "business-management":
                    audience = audience[:2]
                for p in audience:
                    role = "leader" if cid == "business-management" else "member"
                    attendance.append((session, day.isoformat(), cid, territory_of[org], org, p, role))
                if rng.random() < 0.1:  # a sign-in line without a document number
                    attendance.append((session, day.isoformat(), cid, territory_of[org], org, None, "member"))
    periods = {}
    for _, day, cid, *_rest in attendance:
        lo, hi = periods.get(cid, (day, day))
        periods[cid] = (min(lo, day), max(hi, day))
    components = [
        (cid, en, es, audience, periods[cid][0], periods[cid][1], "day", "participations", i, None)
        for i, (cid, en, es, audience) in enumerate(COMPONENTS, start=1)
    ]
    return {"territories": territories, "components": components, "organisations": organisations,
            "attendance": attendance}


def write(data_dir: Path, name: str = NAME, seed: int = SEED) -> Path:
    """The dataset as a folder of ``data_dir``, as a partner's import leaves it (not synthetic)."""
    return fixtures.write_dataset(data_dir / name, "record_level", tables(seed), title=TITLE, is_synthetic=False)
