"""Municipalities across Colombia and the synthetic maps built of them: what tests/test_map.py
and tests/test_figures_valid.py share (a module of its own, not a test file, so that importing it
collects no tests)."""

import random

import pandas as pd

from care_dashboard import geo, i18n, labels, map_chart

# Municipalities across Colombia: (territory_id, name, DIVIPOLA department code, lat, lon), town
# centres to about 0.01° (test data only: the dashboard takes coordinates from its dataset)
MUNICIPALITIES = (
    ("bogota", "Bogotá", "11", 4.71, -74.07),
    ("soacha", "Soacha", "25", 4.58, -74.22),
    ("mosquera", "Mosquera", "25", 4.71, -74.23),
    ("funza", "Funza", "25", 4.72, -74.21),
    ("cajica", "Cajicá", "25", 4.92, -74.03),
    ("medellin", "Medellín", "05", 6.25, -75.57),
    ("bello", "Bello", "05", 6.34, -75.56),
    ("itagui", "Itagüí", "05", 6.18, -75.60),
    ("envigado", "Envigado", "05", 6.17, -75.59),
    ("cali", "Cali", "76", 3.45, -76.53),
    ("palmira", "Palmira", "76", 3.54, -76.30),
    ("barranquilla", "Barranquilla", "08", 10.96, -74.80),
    ("soledad", "Soledad", "08", 10.92, -74.76),
    ("malambo", "Malambo", "08", 10.86, -74.77),
    ("puerto-colombia", "Puerto Colombia", "08", 10.99, -74.95),
    ("cartagena", "Cartagena", "13", 10.39, -75.51),
    ("santa-marta", "Santa Marta", "47", 11.24, -74.20),
    ("riohacha", "Riohacha", "44", 11.54, -72.91),
    ("valledupar", "Valledupar", "20", 10.46, -73.25),
    ("monteria", "Montería", "23", 8.75, -75.88),
    ("sincelejo", "Sincelejo", "70", 9.30, -75.40),
    ("cucuta", "Cúcuta", "54", 7.89, -72.51),
    ("bucaramanga", "Bucaramanga", "68", 7.12, -73.12),
    ("tunja", "Tunja", "15", 5.54, -73.36),
    ("villavicencio", "Villavicencio", "50", 4.14, -73.63),
    ("yopal", "Yopal", "85", 5.34, -72.40),
    ("neiva", "Neiva", "41", 2.93, -75.28),
    ("ibague", "Ibagué", "73", 4.44, -75.23),
    ("pereira", "Pereira", "66", 4.81, -75.69),
    ("manizales", "Manizales", "17", 5.07, -75.52),
    ("armenia", "Armenia", "63", 4.53, -75.68),
    ("pasto", "Pasto", "52", 1.21, -77.28),
    ("popayan", "Popayán", "19", 2.44, -76.61),
    ("quibdo", "Quibdó", "27", 5.69, -76.66),
    ("leticia", "Leticia", "91", -4.21, -69.94),
    ("san-andres", "San Andrés", "88", 12.58, -81.70),
    ("providencia", "Providencia", "88", 13.35, -81.37),
    ("florencia", "Florencia", "18", 1.61, -75.61),
    ("mocoa", "Mocoa", "86", 1.15, -76.65),
    ("arauca", "Arauca", "81", 7.08, -70.76),
    ("inirida", "Inírida", "94", 3.87, -67.92),
    ("mitu", "Mitú", "97", 1.25, -70.23),
    ("puerto-carreno", "Puerto Carreño", "99", 6.19, -67.49),
    ("san-jose-del-guaviare", "San José del Guaviare", "95", 2.57, -72.64),
)
BY_ID = {m[0]: m for m in MUNICIPALITIES}
CARE_FOUR = ["bogota", "cajica", "barranquilla", "puerto-colombia"]
TWELVE = ["medellin", "bello", "bogota", "soacha", "cali", "palmira", "barranquilla", "cartagena",
          "bucaramanga", "pereira", "manizales", "san-andres"]
FORTY = [m[0] for m in MUNICIPALITIES if m[0] not in ("palmira", "yopal", "neiva", "sincelejo")]
NOT_PUBLISHED = {"soacha", "mitu"}  # in the sets that hold them


def department_names() -> dict[str, str]:
    return {d.code: d.name for d in geo.load_boundaries().departments}


def synthetic_inputs(ids, lang="en", seed=2025, not_published=NOT_PUBLISHED, counts=None):
    """Rows of participations_by_territory and territory_options for ``ids`` of MUNICIPALITIES,
    with counts drawn with a fixed seed (many small, a few large)."""
    rng = random.Random(seed)
    counts = counts or {t: round(10 + 900 * rng.random() ** 2.5) for t in ids}
    places = pd.DataFrame([
        {"territory_id": t, "territory_name": BY_ID[t][1], "department_name": department_names()[BY_ID[t][2]],
         "divipola_code": BY_ID[t][2] + "001", "latitude": BY_ID[t][3], "longitude": BY_ID[t][4]} for t in ids
    ])
    rows = pd.DataFrame([
        {"territory_id": t, "participations_count": None if t in not_published else counts[t],
         "components_not_published": ["ohs"] if t in not_published else [], "component_ids": ["ohs"]} for t in ids
    ])
    components = pd.DataFrame({"component_id": ["ohs"], "component_name_en": ["Occupational health and safety"],
                               "component_name_es": ["Seguridad y salud en el trabajo"],
                               "audience_id": ["waste_pickers"], "reach_unit": ["participations"]})
    organisations = pd.DataFrame(columns=["organisation_id", "organisation_name", "territory_id",
                                          "is_name_published", "unnamed_index"])
    return rows, places, labels.build(components, places, organisations, lang)


def synthetic_map(ids, layout="wide", lang="en", **kwargs):
    rows, places, names_ = synthetic_inputs(ids, lang, **kwargs)
    return map_chart.territory_map(rows, places, geo.load_boundaries(), i18n.t("map.title", lang), names_,
                                   layout=layout)
