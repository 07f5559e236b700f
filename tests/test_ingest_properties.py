"""Property: any valid set of rows round-trips. The participations and distinct people the
dashboard computes from an imported sheet equal those computed directly from the rows."""

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from care_dashboard import datasets
from care_dashboard.ingest import importer
from care_dashboard.ingest.sheets import Source
from tests import sheet_builders as sb
from tests.conftest import Runner

KEY = b"property-key-0123456789abcdef0123456789"
CITY_SPELLINGS = {
    "bogota": ["Bogotá", "BOGOTA", "Bogota D.C.", " bogotá "],
    "barranquilla": ["Barranquilla", "BARRANQUILLA", "B/quilla"],
    "cajica": ["Cajicá", "cajica"],
    "puerto-colombia": ["Puerto Colombia", "Pto. Colombia"],
}
COMPONENT_SPELLINGS = {
    "ohs": ["SST", "Seguridad y salud en el trabajo", "OHS"],
    "human-rights": ["Derechos humanos", "DDHH", "Human rights"],
    "formalisation": ["Formalización", "Servicio público de aseo"],
    "soft-skills": ["Habilidades blandas", "Bienestar", "Soft skills"],
}
ORGS = ["ASOREPCOL", "Asociación El Porvenir", "Recicladores Unidos", "FENACICLAR"]


def doc_format(number: int, style: int) -> str:
    text = str(number)
    return [text, f"{number:,}".replace(",", "."), f"CC {text}", f"C.C. {number:,}".replace(",", ".")][style]


row_strategy = st.tuples(
    st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    st.sampled_from(sorted(CITY_SPELLINGS)), st.integers(0, 3),
    st.sampled_from(sorted(COMPONENT_SPELLINGS)), st.integers(0, 2),
    st.sampled_from(ORGS),
    st.one_of(st.none(), st.integers(100000, 100012)),  # few people, so they repeat
    st.integers(0, 3),
)


# derandomised: the same 25 examples in every run, so CI never fails on an example one run happened to draw
@settings(max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_strategy, min_size=1, max_size=40), sep=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
def test_round_trip(rows, sep, encoding):
    sheet_rows, expected_records = [], set()
    unknown = 0
    for date, city, cstyle, comp, kstyle, org, doc, dstyle in rows:
        city_text = CITY_SPELLINGS[city][cstyle % len(CITY_SPELLINGS[city])]
        comp_text = COMPONENT_SPELLINGS[comp][kstyle % len(COMPONENT_SPELLINGS[comp])]
        sheet_rows.append((date.strftime("%d/%m/%Y"), city_text, org, "Persona de prueba",
                           "" if doc is None else doc_format(doc, dstyle), "asociado", comp_text))
        session = (comp, date, city)
        if doc is None:
            unknown += 1
        else:
            expected_records.add((session, doc))
    # an organisation is counted in its most frequent city, which the sheet may spread: compare
    # totals, which do not depend on that choice
    expected_participations = len(expected_records) + unknown
    expected_people = len({doc for _, doc in expected_records})

    with tempfile.TemporaryDirectory() as tmp:
        result = importer.import_sheets(
            [Source("prop.csv", sb.csv_bytes(rows=sheet_rows, sep=sep, encoding=encoding))],
            # in this process: the property is about normalising, and 40 child processes would
            # add a minute (the child's path is tested in tests/test_upload_limits.py)
            "prop", data_dir=Path(tmp), key=KEY, isolated=False)
        assert result.summary.participations == expected_participations
        assert result.summary.participants == expected_people
        runner = Runner(datasets.load_dataset("prop", Path(tmp)))
        people = runner.one("distinct_people")
        assert people["people_exact_count"] == expected_people
        assert people["records_without_person_key_count"] == unknown
        assert runner.one("total_participations")["participations_count"] == expected_participations
        per_component = runner("component_reach").set_index("component_id")["participations_count"].to_dict()
        expected_by_component = {}
        for (comp, _, _), _doc in expected_records:
            expected_by_component[comp] = expected_by_component.get(comp, 0) + 1
        for (_date, _city, _cstyle, comp, *_rest) in rows:
            if _rest[2] is None:
                expected_by_component[comp] = expected_by_component.get(comp, 0) + 1
        assert per_component == expected_by_component
        runner.con.close()
