"""A preview counts what an import would drop from the version of the dataset it read; confirmed
after another import wrote a new version, the import must not drop what it never counted
(second security probe, finding 8: a replace confirmed after a colleague's import lost their
session without a word). Adding stays concurrent: it is merged again at the write."""

from __future__ import annotations

import pytest

from care_dashboard import datasets, store
from care_dashboard.ingest import importer
from care_dashboard.ingest.sheets import Source
from tests import sheet_builders as sb

NAME = "listas"
KEY = b"version-test-key-0123456789abcdef0123456789"
# the 10/04/2025 SST session of sb.ROWS, corrected to one row
CORRECTED = sb.csv_bytes(rows=[sb.ROWS[0]])
# a colleague's sheet of a new session (15/09/2025)
COLLEAGUE = sb.csv_bytes(rows=[("15/09/2025", "Bogotá", "ASOREPCOL", "Sara Gil", "1098765432", "Recicladora", "SST")])
# a colleague's sheet that adds a person to the 10/04/2025 SST session
COLLEAGUE_SAME_SESSION = sb.csv_bytes(rows=[("10/04/2025", "Bogotá", "ASOFRAIN", "Sara Gil", "1098765432", "Recicladora", "SST")])


def plan(data_dir, data: bytes, label: str = "a.csv", **options) -> importer.Plan:
    return importer.plan_import([Source(label, data)], NAME, data_dir=data_dir, key=KEY, isolated=False, **options)


def imported(data_dir, data: bytes, label: str) -> importer.ImportResult:
    return importer.apply(plan(data_dir, data, label))


def sessions(data_dir) -> dict[str, int]:
    att = store.current_tables(NAME, data_dir)["attendance"]
    return att.groupby("session_id").size().to_dict()


@pytest.fixture
def data_dir(tmp_path):
    imported(tmp_path, sb.csv_bytes(), "lista.csv")  # 5 participations in 3 sessions
    assert sum(sessions(tmp_path).values()) == 5
    return tmp_path


def test_a_replace_confirmed_after_another_import_is_refused_and_loses_nothing(data_dir):
    """The finding's steps: A previews "start again from these sheets" (dropping 5 rows), B adds
    a session, A confirms. B's session must stay, and A is told what changed."""
    plan_a = plan(data_dir, CORRECTED, replace=True)
    assert plan_a.dropped_rows == 5
    imported(data_dir, COLLEAGUE, "colleague.csv")
    before = sessions(data_dir)
    assert before["ohs/2025-09-15/bogota"] == 1 and sum(before.values()) == 6

    with pytest.raises(store.StoreError) as refused:
        importer.apply(plan_a)
    assert isinstance(refused.value, importer.DatasetChanged)
    assert (refused.value.before.participations, refused.value.now.participations) == (5, 6)
    assert str(refused.value).startswith(
        f"{NAME} changed while this import was being checked (another import was saved: it held 5 participations, "
        "3 distinct people, 2 organisations, 3 sessions, it now holds 6 participations, 4 distinct people, "
        "2 organisations, 4 sessions). Nothing was imported")
    assert sessions(data_dir) == before

    again = plan(data_dir, CORRECTED, replace=True)  # the new preview counts the colleague's row too
    assert again.dropped_rows == 6
    importer.apply(again)
    assert sessions(data_dir) == {"ohs/2025-04-10/bogota": 1}


def test_replacing_sessions_after_another_import_into_them_is_refused(data_dir):
    """A corrected sheet of one session, previewed as dropping its 2 rows; a colleague then adds
    a person to that session. Confirming would drop the colleague's row too, uncounted."""
    plan_a = plan(data_dir, CORRECTED, replace_sessions=True)
    assert plan_a.dropped_rows == 2
    imported(data_dir, COLLEAGUE_SAME_SESSION, "colleague.csv")
    before = sessions(data_dir)
    assert before["ohs/2025-04-10/bogota"] == 3

    with pytest.raises(store.StoreError) as refused:
        importer.apply(plan_a)
    assert isinstance(refused.value, importer.DatasetChanged)
    assert sessions(data_dir) == before
    assert plan(data_dir, CORRECTED, replace_sessions=True).dropped_rows == 3


def test_adding_stays_concurrent(data_dir):
    """Two people adding sheets: the second preview was made before the first import; both are
    kept, and nobody is asked to check again."""
    plan_a = plan(data_dir, CORRECTED, label="second_copy.csv")
    imported(data_dir, COLLEAGUE, "colleague.csv")
    importer.apply(plan_a)
    assert sessions(data_dir) == {"ohs/2025-04-10/bogota": 2, "human-rights/2025-06-12/bogota": 2,
                                  "soft-skills/2025-11-27/bogota": 1, "ohs/2025-09-15/bogota": 1}


def test_a_dataset_offered_as_new_is_not_merged_into_one_made_meanwhile(tmp_path):
    """The page proposes a name nobody uses; if another import takes it before the confirmation,
    the import is refused rather than merged into the other person's dataset."""
    plan_a = plan(tmp_path, CORRECTED)
    assert plan_a.base_version is None and plan_a.base_totals is None
    imported(tmp_path, COLLEAGUE, "colleague.csv")
    with pytest.raises(importer.DatasetChanged) as refused:
        importer.apply(plan_a, if_unchanged=True)
    assert refused.value.before is None and refused.value.now.participations == 1
    assert sessions(tmp_path) == {"ohs/2025-09-15/bogota": 1}


def test_the_plan_names_the_version_it_read(data_dir):
    current = store.current_version(NAME, data_dir)
    assert current is not None and (data_dir / NAME / "versions" / current).is_dir()
    p = plan(data_dir, CORRECTED, replace=True)
    assert p.base_version == current and p.base_totals.participations == 5
    assert store.current_version("nothing_here", data_dir) is None


def test_starting_a_dataset_again_keeps_its_title_and_forgets_its_files(tmp_path):
    """"Start the dataset again from these sheets" replaced the partner's title with
    "Registros de asistencia: NAME"; what the dataset held (its files) does go."""
    importer.import_sheets([Source("a.csv", sb.csv_bytes())], NAME, data_dir=tmp_path, key=KEY, title="Listas 2026")
    importer.apply(plan(tmp_path, CORRECTED, replace=True))
    meta = datasets.load_dataset(NAME, tmp_path).metadata
    assert (meta["title_en"], meta["title_es"]) == ("Listas 2026", "Listas 2026")
    assert importer.apply(plan(tmp_path, sb.csv_bytes(), "a.csv")).summary.participations == 5  # read again
