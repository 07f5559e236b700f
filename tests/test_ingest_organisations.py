"""Organisations are never merged, never get an empty id, keep their id from one import to the
next, and never hold a person's document number or name (security_probe_2.md, findings 13, 14)."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from care_dashboard import store
from care_dashboard.ingest import ids, importer, personal
from care_dashboard.ingest.sheets import Source
from tests import sheet_builders as sb

KEY = b"organisations-key-0123456789abcdef0123456789"


def rows_of(organisations, date="10/04/2025", first=52_031_600, name="Persona de prueba"):
    return [(date, "Bogotá", org, name, str(first + i), "Recicladora", "SST") for i, org in enumerate(organisations)]


def imp(data_dir, organisations, label="lista.csv", **kw):
    return importer.import_sheets([Source(label, sb.csv_bytes(rows=rows_of(organisations, **kw)))], "orgs",
                                  data_dir=data_dir, key=KEY)


def organisations(data_dir) -> dict[str, str]:
    table = store.current_tables("orgs", data_dir)["organisations"]
    return dict(zip(table["organisation_name"], table["organisation_id"]))


def suffix(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:6]


# ---- finding 13: ids unique per distinct name, never empty -----------------------------------------

def test_names_that_differ_only_in_emoji_are_two_organisations(tmp_path):
    result = imp(tmp_path, ["ORG 🌈", "ORG ♻️"])
    assert result.summary.organisations == 2
    assert organisations(tmp_path) == {"ORG 🌈": f"org-{suffix('org 🌈')}", "ORG ♻️": f"org-{suffix('org ♻')}"}


def test_names_in_another_script_get_ids_that_are_not_empty(tmp_path):
    result = imp(tmp_path, ["جمعية الأمل", "جمعية النور", "جمعية الأمل"])
    assert result.summary.organisations == 2
    found = organisations(tmp_path)
    assert set(found) == {"جمعية الأمل", "جمعية النور"}
    assert all(oid.startswith("org-") and len(oid) == 10 for oid in found.values())
    assert len(set(found.values())) == 2
    attendance = store.current_tables("orgs", tmp_path)["attendance"]
    assert (attendance["organisation_id"] != "").all()
    assert attendance["organisation_id"].value_counts().sort_values().tolist() == [1, 2]


def test_spellings_of_one_name_are_still_one_organisation(tmp_path):
    result = imp(tmp_path, ["Asociación El Porvenir", "ASOCIACION EL PORVENIR", " asociación  el porvenir. ", "ORG"])
    assert result.summary.organisations == 2
    assert set(organisations(tmp_path).values()) == {"asociacion-el-porvenir", "org"}


def test_an_organisation_keeps_its_id_in_later_imports(tmp_path):
    imp(tmp_path, ["ORG ♻️"])
    assert organisations(tmp_path) == {"ORG ♻️": "org"}  # alone, it takes the plain slug
    # a later import: the same name keeps "org"; the other one, whose slug is taken, gets a suffix
    imp(tmp_path, ["ORG 🌈", "org ♻", "جمعية الأمل"], label="segunda.csv", date="11/04/2025")
    assert organisations(tmp_path) == {"ORG ♻️": "org", "ORG 🌈": f"org-{suffix('org 🌈')}",
                                       "جمعية الأمل": f"org-{suffix('جمعية الامل')}"}
    imp(tmp_path, ["جمعية الأمل", "ORG 🌈"], label="tercera.csv", date="12/04/2025")
    attendance = store.current_tables("orgs", tmp_path)["attendance"]
    by_session = attendance.groupby("session_id")["organisation_id"].apply(sorted).to_dict()
    assert by_session == {
        "ohs/2025-04-10/bogota": ["org"],
        "ohs/2025-04-11/bogota": sorted(["org", f"org-{suffix('org 🌈')}", f"org-{suffix('جمعية الامل')}"]),
        "ohs/2025-04-12/bogota": sorted([f"org-{suffix('org 🌈')}", f"org-{suffix('جمعية الامل')}"]),
    }
    assert store.current_tables("orgs", tmp_path)["organisations"]["organisation_id"].is_unique


def test_a_name_never_takes_the_id_of_a_known_organisation(tmp_path):
    """ASOREPCOL is in the reference list (id asorepcol); "ASOREPCOL 🌈" is another name."""
    imp(tmp_path, ["ASOREPCOL 🌈"])
    assert organisations(tmp_path) == {"ASOREPCOL 🌈": f"asorepcol-{suffix('asorepcol 🌈')}"}
    imp(tmp_path, ["Asorepcol"], label="segunda.csv", date="11/04/2025")
    assert organisations(tmp_path)["ASOREPCOL"] == "asorepcol"


def test_an_empty_id_written_before_is_replaced_with_its_rows(tmp_path):
    """A dataset imported before ids were checked: two Arabic names under the id ""."""
    imp(tmp_path, ["ORG"])
    tables = store.current_tables("orgs", tmp_path)
    tables["organisations"] = pd.concat([tables["organisations"], tables["organisations"].assign(
        organisation_id="", organisation_name="جمعية الأمل")], ignore_index=True)
    tables["attendance"] = pd.concat([tables["attendance"], tables["attendance"].assign(
        organisation_id="", person_key="k" * 64)], ignore_index=True)
    from care_dashboard import datasets
    store.publish("orgs", "record_level", tables, datasets.load_dataset("orgs", tmp_path).metadata, tmp_path)
    imp(tmp_path, ["جمعية الأمل"], label="segunda.csv", date="11/04/2025")
    found = organisations(tmp_path)
    assert found == {"ORG": "org", "جمعية الأمل": f"org-{suffix('جمعية الامل')}"}
    attendance = store.current_tables("orgs", tmp_path)["attendance"]
    assert sorted(attendance["organisation_id"]) == sorted(["org", found["جمعية الأمل"], found["جمعية الأمل"]])


names = st.text(st.sampled_from("aáAbB -.🌈♻️جمعيةالأ12"), min_size=1, max_size=8).filter(lambda n: n.strip())


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(batch=st.lists(names, max_size=8), later=st.lists(names, max_size=8), order=st.randoms())
def test_ids_are_one_per_name_key_never_empty_and_stable(batch, later, order):
    """Any names: one id per name key, none empty, the same whatever order they come in, and a
    name keeps its id when the dataset already holds it."""
    canonical = lambda n: None  # noqa: E731
    first, renamed = ids.organisation_ids(batch, canonical, (), {})
    assert renamed == {}
    assert all(first.values())
    keys = {n: ids.name_key(n) for n in batch}
    assert len(set(first.values())) == len(set(keys.values()))
    assert all((first[a] == first[b]) == (keys[a] == keys[b]) for a in batch for b in batch)
    shuffled = list(batch)
    order.shuffle(shuffled)
    assert ids.organisation_ids(shuffled, canonical, (), {})[0] == first
    existing = {oid: name for name, oid in first.items()}
    second, _ = ids.organisation_ids(later + batch, canonical, (), existing)
    assert {n: second[n] for n in batch} == first
    assert len(set(second.values())) == len({ids.name_key(n) for n in later + batch})


# ---- finding 14: no document number or person's name in the organisation column -------------------

def test_a_document_number_in_the_organisation_column_is_refused(tmp_path):
    with pytest.raises(importer.ImportRefused) as refused:
        imp(tmp_path, ["ASOREPCOL", "Juan Perez CC 12345678", "Asociación 52.031.676", "ASOREPCOL"])
    assert refused.value.problems == [
        "lista.csv: rows 3–4: Organización: holds a number like a document number; the organisation column takes the "
        "organisation's name only, and what it holds is stored and shown on every page. Write the organisation's "
        "name without the number (a person's cédula or telephone number must never be in it)"]
    assert refused.value.problems[0].text("es").startswith(
        "lista.csv: filas 3–4: Organización: tiene un número parecido a un documento;")
    assert not any("12345678" in p or "52.031.676" in p for p in refused.value.problems)
    assert not (tmp_path / "orgs").exists()


def test_a_number_given_once_in_the_title_block_points_to_its_line(tmp_path):
    data = sb.csv_bytes(rows=[(r[0], r[1], "", r[3], r[4], r[5], r[6]) for r in sb.ROWS[:2]],
                        title_rows=[("Organización: Juan Perez 80111222",)])
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sheets([Source("bloque.csv", data)], "orgs", data_dir=tmp_path, key=KEY)
    assert [(p.rows, p.column, p.key) for p in refused.value.problems] == [((1,), "Organización", "organisation_holds_number")]


def test_a_participants_name_as_organisation_is_refused(tmp_path):
    rows = rows_of(["ASOREPCOL", "Ana Pérez Quintero", "ana perez  quintero."])
    rows[0] = rows[0][:3] + ("Ana Pérez Quintero",) + rows[0][4:]
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sheets([Source("nombres.csv", sb.csv_bytes(rows=rows))], "orgs", data_dir=tmp_path, key=KEY)
    assert refused.value.problems == [
        "nombres.csv: rows 3–4: Organización: is the name written in row 2 of the name column: a person's name, which "
        "would be stored and shown on every page. Write the name of the organisation that person belongs to"]
    assert refused.value.problems[0].text("es") == (
        "nombres.csv: filas 3–4: Organización: es el nombre escrito en la fila 2 de la columna de nombres: el nombre "
        "de una persona, que se guardaría y se mostraría en todas las páginas. Escriba el nombre de la organización "
        "a la que pertenece esa persona")
    assert not any("Ana" in p for p in refused.value.problems)


def test_an_organisation_named_after_a_participant_is_imported_with_a_warning(tmp_path):
    rows = rows_of(["Asociación Manuel Pérez", "Asociación Manuel Pérez"])
    rows[1] = rows[1][:3] + ("Manuel Perez",) + rows[1][4:]
    result = importer.import_sheets([Source("fundador.csv", sb.csv_bytes(rows=rows))], "orgs", data_dir=tmp_path, key=KEY)
    assert result.summary.participations == 2
    assert result.warnings == [
        "fundador.csv: rows 2–3: Organización: holds the name written in row 3 of the name column, which is stored "
        "and shown with the organisation. If it is not part of the organisation's own name, correct the sheet so "
        "that the column holds the organisation only"]


REAL_NAMES = ["Asociación Manuel Pérez", "Asociación 20 de Julio", "Recicladores 2020-2024", "ASOREPCOL",
              "Cooperativa Multiactiva de Recicladores de Bogotá", "Fundación Juan Pérez", "Asociación 1.500 recicladores",
              "Cooperativa Nueva Colombia N° 12", "Corporación Reciclando por Colombia", "Asociación Recicladores Calle 80"]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_organisation_names_raise_no_alarm(name):
    """Organisations named after people, with years, street numbers or counts: no refusal, and no
    warning when nobody of that name signed."""
    assert not personal.holds_document_number(name)
    assert personal.participant_in(name, personal.participant_names([(2, {"name": "Ana Pérez Quintero"})])) is None


@pytest.mark.parametrize("text", ["Juan Perez CC 12345678", "52.031.676", "ORG 1 020 304 050", "tel 3001234567",
                                  "NIT 900.123.456-7", "C.C. 80,111,222"])
def test_document_like_numbers_are_found(text):
    assert personal.holds_document_number(text)
