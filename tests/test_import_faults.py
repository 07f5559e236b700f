"""Faults during import (issue 6): a write that fails or is killed at any point leaves the previous
version current and readable and no temporary files in data/; a full disk or a read-only data/
gives a message that names the folder and the remedy; readers never see half a version and pick
up a new one without a restart; two writers of one dataset run one after the other.

Each test reads the dataset back through the dashboard's own path (datasets.load_dataset, attach,
a named query) and compares with the figures of the version that should be current."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

import ingest
from care_dashboard import datasets, paths, schema, store, store_lock
from care_dashboard.ingest import importer
from care_dashboard.ingest.sheets import Source
from tests import sheet_builders as sb
from tests.conftest import Runner
from tests.import_fault_helpers import KIND, NAME, record_tables

KEY = b"fault-test-key-0123456789abcdef0123456789"


# ---- helpers ---------------------------------------------------------------------------------

def publish(data_dir: Path, n: int, name: str = NAME) -> Path:
    return store.publish(name, KIND, record_tables(n), {"title_en": f"{n} records"}, data_dir)


def shown(data_dir: Path, name: str = NAME) -> tuple[int, int, str]:
    """What the dashboard would show: participations and distinct people from the named queries
    on the dataset as load_dataset finds it, and the version it read."""
    ds = datasets.load_dataset(name, data_dir)
    runner = Runner(ds)
    try:
        participations = int(runner.one("total_participations")["participations_count"])
        people = int(runner.one("distinct_people")["people_exact_count"])
    finally:
        runner.con.close()
    return participations, people, ds.metadata["version"]


def temporaries(data_dir: Path) -> list[str]:
    """Temporary versions and links anywhere under data/ (the lock file is not one: it is kept)."""
    return sorted(p.relative_to(data_dir).as_posix() for p in data_dir.rglob("*")
                  if p.name.startswith((".tmp-", ".current-")))


def versions(data_dir: Path, name: str = NAME) -> list[str]:
    return sorted(p.name for p in (data_dir / name / "versions").iterdir())


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def previous(data_dir):
    """Dataset NAME with one version of 6 records: what every failed write must leave."""
    first = publish(data_dir, 6)
    assert shown(data_dir) == (6, 6, first.name)
    return first


def assert_previous_intact(data_dir: Path, previous: Path) -> None:
    assert shown(data_dir) == (6, 6, previous.name)
    assert versions(data_dir) == [previous.name]
    assert temporaries(data_dir) == []


class FailingCopies:
    """Stands in for the duckdb module inside store.py: counts the COPY statements that write the
    new version's parquet files (the 4 stored tables, then the 3 rollups) and makes the
    ``fail_at``-th raise ``error``, as DuckDB does when a write fails. Records how many parquet
    files the temporary version held at that moment."""

    IOException = duckdb.IOException

    def __init__(self, data_dir: Path, fail_at: int, error: Exception | None = None):
        self.data_dir, self.fail_at = data_dir, fail_at
        self.error = error or duckdb.IOException('IO Error: Could not write file "x.parquet": injected failure')
        self.copies = 0
        self.written_before_failure: int | None = None

    def connect(self, *args, **kwargs):
        return _Connection(duckdb.connect(*args, **kwargs), self)


class _Connection:
    def __init__(self, con, owner: FailingCopies):
        self._con, self._owner = con, owner

    def execute(self, sql, *args, **kwargs):
        if sql.lstrip().upper().startswith("COPY"):
            owner = self._owner
            owner.copies += 1
            if owner.copies == owner.fail_at:
                owner.written_before_failure = len(list(owner.data_dir.glob(f"{NAME}/versions/.tmp-*/*.parquet")))
                raise owner.error
        return self._con.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._con.close()


# ---- a failure at each step of the write ---------------------------------------------------------

STORED = len(schema.STORED_TABLES[KIND])  # COPY 1..4 write the stored tables
ROLLUPS = len(schema.ROLLUP_TABLES[KIND])  # COPY 5..7 the rollups


@pytest.mark.parametrize("fail_at", [1, 2, STORED, STORED + 1, STORED + ROLLUPS],
                         ids=["before: first table", "during: second table", "during: last table",
                              "during: first rollup", "during: last rollup"])
def test_failed_parquet_write_keeps_the_previous_version(data_dir, previous, monkeypatch, fail_at):
    failing = FailingCopies(data_dir, fail_at)
    monkeypatch.setattr(store, "duckdb", failing)
    with pytest.raises(store.StoreError, match=r"injected failure\. Nothing was changed"):
        publish(data_dir, 3)
    assert failing.written_before_failure == fail_at - 1  # the failure came with that much written
    assert_previous_intact(data_dir, previous)
    monkeypatch.undo()
    after = publish(data_dir, 3)  # nothing stuck: the lock was released, the next write works
    assert shown(data_dir) == (3, 3, after.name) and versions(data_dir) == sorted([previous.name, after.name])


def _raise_for(name_part: str, real):
    """``real`` (os.rename, os.symlink, os.replace), raising when its target's name has ``name_part``."""
    def fake(src, dst, *args, **kwargs):
        if name_part in Path(dst).name:
            raise OSError(errno.EIO, "Input/output error (injected)")
        return real(src, dst, *args, **kwargs)
    return fake


@pytest.mark.parametrize("step", ["fsync", "rename", "symlink", "switch"])
def test_failure_after_the_write_before_the_switch_keeps_the_previous_version(data_dir, previous, monkeypatch, step):
    if step == "fsync":  # the new version complete in its temporary folder, not yet on disk
        monkeypatch.setattr(store, "_fsync_tree", lambda folder: (_ for _ in ()).throw(OSError(errno.EIO, "injected")))
    elif step == "rename":  # versions/.tmp-ID -> versions/ID
        monkeypatch.setattr(store.os, "rename", _raise_for("", os.rename))
    elif step == "symlink":  # the new link .current-ID, renamed into place next
        monkeypatch.setattr(store.os, "symlink", _raise_for(".current-", os.symlink))
    else:  # .current-ID -> current: the atomic step itself
        monkeypatch.setattr(store.os, "replace", _raise_for("current", os.replace))
    with pytest.raises(OSError) as raised:
        publish(data_dir, 3)
    assert raised.value.errno == errno.EIO  # not a disk-full or read-only error: re-raised as it was
    monkeypatch.undo()
    assert_previous_intact(data_dir, previous)


def test_failure_after_the_switch_keeps_the_new_version(data_dir, previous, monkeypatch, caplog):
    """Removing old versions fails after `current` points to the new one: the import succeeded
    (it must not say "nothing was changed"); the failure is logged and the next write tidies up."""
    monkeypatch.setattr(store, "_prune", lambda *args: (_ for _ in ()).throw(OSError(errno.EIO, "prune failed")))
    with caplog.at_level(logging.WARNING, logger="care_dashboard.store"):
        second = publish(data_dir, 3)
    assert "older versions not removed" in caplog.text
    assert shown(data_dir) == (3, 3, second.name)
    assert temporaries(data_dir) == []
    third = publish(data_dir, 4)  # prune raises again: three versions kept, none lost
    monkeypatch.undo()
    fourth = publish(data_dir, 5)
    assert shown(data_dir) == (5, 5, fourth.name)
    assert versions(data_dir) == sorted([third.name, fourth.name]) and not previous.exists() and not second.exists()


def test_failed_first_publish_leaves_no_dataset_folder(data_dir, monkeypatch):
    monkeypatch.setattr(store, "duckdb", FailingCopies(data_dir, 2))
    with pytest.raises(store.StoreError):
        publish(data_dir, 3)
    assert sorted(p.name for p in data_dir.iterdir()) == [f".{NAME}.lock"]  # the lock, kept; nothing else
    assert [d.name for d in datasets.list_datasets(data_dir)] == []


# ---- killed mid-way (SIGKILL) ----------------------------------------------------------------------

# A writer in a process of its own. It writes a marker file at the chosen step and then keeps
# going (or waits there), so the test kills it at a known step without sleeping blindly.
CHILD = r"""
import os, sys, time
from pathlib import Path
import duckdb
from care_dashboard import store
from tests.import_fault_helpers import KIND, NAME, record_tables

data_dir, marker, step = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]

def arrived(where):
    marker.write_text(str(where))
    time.sleep(120)  # never reached in the test: killed here at the latest

def write(folder):
    store.write_tables(folder, KIND, record_tables(9))
    if step == "write":  # the stored tables written; now a large attendance table, killed mid-way
        marker.write_text(str(folder))
        target = str(folder / "attendance.parquet")
        duckdb.execute(
            "COPY (SELECT 's' || (i % 977) AS session_id, DATE '2025-01-01' + (i % 300)::INTEGER AS session_date, "
            "'comp-a' AS component_id, 'north' AS territory_id, 'org-1' AS organisation_id, "
            "md5(i::VARCHAR) AS person_key, 'member' AS role FROM range(40000000) t(i)) "
            f"TO '{target}' (FORMAT parquet)")
        arrived(folder)

if step == "linked":  # .current-ID made, versions/.tmp-ID not yet renamed to versions/ID
    os.rename = lambda src, dst, *a, **k: arrived(dst)
if step == "renamed":  # versions/ID complete, .current-ID not yet renamed over `current`
    real_replace = os.replace
    os.replace = lambda src, dst, *a, **k: arrived(src) if Path(dst).name == "current" else real_replace(src, dst, *a, **k)
store.publish_with(NAME, KIND, write, {"title_en": "killed"}, data_dir)
"""

EXPECTED_LEFTOVERS = {  # what a writer killed at each step leaves (ID: the new version's id)
    "write": [f"{NAME}/versions/.tmp-ID"],
    "linked": [f"{NAME}/.current-ID", f"{NAME}/versions/.tmp-ID"],
    "renamed": [f"{NAME}/.current-ID", f"{NAME}/versions/ID"],  # complete, but never current
}


def _as_pattern(found: list[str]) -> list[str]:
    return sorted(re.sub(r"\d{8}T\d+Z-[0-9a-f]{6}", "ID", f) for f in found)


@pytest.mark.parametrize("recovered_by", ["load", "publish"])
@pytest.mark.parametrize("step", ["write", "linked", "renamed"])
def test_writer_killed_mid_way_loses_nothing_and_leaves_nothing(data_dir, previous, tmp_path, monkeypatch, step, recovered_by):
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), str(marker), step],
                             cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert child.poll() is None, child.communicate()[1].decode()
            assert time.monotonic() < deadline, "the writer never reached the step"
            time.sleep(0.02)
        new = [p for p in data_dir.rglob("*") if re.search(r"\d{8}T\d+Z", p.name) and previous.name not in p.name]
        assert _as_pattern(p.relative_to(data_dir).as_posix() for p in new) == EXPECTED_LEFTOVERS[step]
        # while the writer lives, a reader sees the previous version and leaves the writer's files alone
        assert shown(data_dir) == (6, 6, previous.name)
        assert all(p.exists() or p.is_symlink() for p in new)
        if step == "write":
            time.sleep(0.2)  # into the large COPY
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    left = sorted(p.relative_to(data_dir).as_posix() for p in new if p.exists() or p.is_symlink())
    assert _as_pattern(left) == EXPECTED_LEFTOVERS[step]

    monkeypatch.setattr(store, "LOCK_WAIT_S", 5.0)  # the kernel released the dead writer's lock
    if recovered_by == "load":
        assert shown(data_dir) == (6, 6, previous.name)  # the load tidies up (no writer now)
        assert_previous_intact(data_dir, previous)
    else:
        assert len(store.current_tables(NAME, data_dir)["attendance"]) == 6  # read without tidying
        assert _as_pattern(left) == _as_pattern(
            p.relative_to(data_dir).as_posix() for p in new if p.exists() or p.is_symlink())
        after = publish(data_dir, 4)  # the next publish tidies up first
        assert shown(data_dir) == (4, 4, after.name)
        assert versions(data_dir) == sorted([previous.name, after.name])  # the orphan is not kept
        assert temporaries(data_dir) == []


def test_a_rollback_made_by_hand_is_not_undone(data_dir, previous):
    """An operator points `current` back at the previous version (docs/reliability.md): the newer
    version is complete and has no .current-ID link, so no reader or writer takes it for a
    leftover; the next publish keeps the version it replaces (the one rolled back to)."""
    newer = publish(data_dir, 3)
    link = data_dir / NAME / "rollback"
    link.symlink_to(Path("versions") / previous.name)
    os.replace(link, data_dir / NAME / "current")
    assert shown(data_dir) == (6, 6, previous.name)
    assert versions(data_dir) == sorted([previous.name, newer.name])  # the load removed nothing
    after = publish(data_dir, 4)
    assert shown(data_dir) == (4, 4, after.name)
    assert versions(data_dir) == sorted([previous.name, after.name])


def test_a_reader_that_cannot_tidy_up_still_reads(data_dir, previous, monkeypatch, caplog):
    """The dashboard may run where data/ is read-only for it: leftovers it cannot remove are
    logged once, and the dataset still reads."""
    (data_dir / NAME / "versions" / ".tmp-20261121T000000000000Z-abcdef").mkdir()

    def read_only(path):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(store_lock, "_remove", read_only)
    with caplog.at_level(logging.WARNING, logger="care_dashboard.store_lock"):
        assert shown(data_dir) == (6, 6, previous.name)
        assert shown(data_dir) == (6, 6, previous.name)
    assert caplog.text.count("cannot remove what an interrupted write left") == 1
    monkeypatch.undo()
    assert_previous_intact(data_dir, previous)  # once it can, the next load tidies up


# ---- a full disk, a read-only data/ ------------------------------------------------------------------

# DuckDB's own messages (DuckDB 1.x, seen on a full and on a read-only tmpfs)
DUCKDB_DISK_FULL = ('IO Error: Async write failed for range [offset=27, size=492490]: {"exception_type":"IO",'
                    '"exception_message":"Could not write file \\"{f}\\": No space left on device","errno":"28"}')
DUCKDB_READ_ONLY = 'IO Error: Cannot open file "{f}": Read-only file system'

REMEDIES = {
    "disk_full": ("the disk is full", "Free space on the disk that holds {data}, then try again"),
    "quota": ("disk quota", "Free space within that user's quota"),
    "read_only": ("the file system is read-only", "Make {data} writable (mount it read-write), then try again"),
    "not_writable": ("may not write there", "Make {data} writable for that user, then try again"),
}


def assert_explains(exc: store.StoreWriteError, data_dir: Path, reason: str) -> None:
    what, todo = REMEDIES[reason]
    message = str(exc)
    assert exc.reason == reason and exc.folder == data_dir / NAME
    assert message.startswith(f"cannot write {data_dir / NAME}: ")
    assert what in message and todo.format(data=data_dir) in message
    assert "Nothing was changed: the dataset keeps the version it had." in message


# Tests run as root, and root writes through chmod's permissions: so a read-only or unwritable
# data/ and a full disk are simulated by raising the errors the system would raise.
@pytest.mark.parametrize("code, reason", [(errno.ENOSPC, "disk_full"), (errno.EDQUOT, "quota"),
                                          (errno.EROFS, "read_only"), (errno.EACCES, "not_writable"),
                                          (errno.EPERM, "not_writable")],
                         ids=["ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM"])
def test_refused_write_is_explained_and_loses_nothing(data_dir, previous, monkeypatch, code, reason):
    def refused(folder):
        raise OSError(code, os.strerror(code), str(folder / "attendance.parquet"))

    monkeypatch.setattr(store, "_fsync_tree", refused)
    with pytest.raises(store.StoreWriteError) as raised:
        publish(data_dir, 3)
    assert_explains(raised.value, data_dir, reason)
    assert raised.value.errno == code and os.strerror(code) in str(raised.value)
    monkeypatch.undo()
    assert_previous_intact(data_dir, previous)


@pytest.mark.parametrize("message, reason", [(DUCKDB_DISK_FULL, "disk_full"), (DUCKDB_READ_ONLY, "read_only")],
                         ids=["disk_full", "read_only"])
def test_duckdb_write_refused_mid_version_is_explained(data_dir, previous, monkeypatch, message, reason):
    """DuckDB writes the parquet files and raises its own IOException, not OSError: it is read too."""
    error = duckdb.IOException(message.replace("{f}", str(data_dir / "x.parquet")))
    monkeypatch.setattr(store, "duckdb", FailingCopies(data_dir, 3, error))
    with pytest.raises(store.StoreWriteError) as raised:
        publish(data_dir, 3)
    assert_explains(raised.value, data_dir, reason)
    monkeypatch.undo()
    assert_previous_intact(data_dir, previous)


def test_first_write_to_a_read_only_data_dir_is_explained(data_dir, monkeypatch):
    """Nothing there yet: the first thing written, the lock file, is refused."""
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(store.os, "open", read_only)
    with pytest.raises(store.StoreWriteError) as raised:
        publish(data_dir, 3)
    assert_explains(raised.value, data_dir, "read_only")
    monkeypatch.undo()
    assert list(data_dir.iterdir()) == []


@contextlib.contextmanager
def tmpfs(folder: Path, size: str):
    """A real small file system at ``folder``, when this process may mount one (root with
    CAP_SYS_ADMIN, as in the project's containers); the test is skipped otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_really_full_disk(tmp_path):
    with tmpfs(tmp_path / "small", "128k") as data_dir:  # the first version takes ~48 kB
        first = publish(data_dir, 6)
        with pytest.raises(store.StoreWriteError) as raised:  # ~350 kB of parquet on 128 kB
            publish(data_dir, 400_000)
        assert_explains(raised.value, data_dir, "disk_full")
        assert_previous_intact(data_dir, first)
        assert shown(data_dir) == (6, 6, first.name)


def test_really_read_only_data_dir(tmp_path):
    with tmpfs(tmp_path / "ro", "1m") as data_dir:
        first = publish(data_dir, 6)
        assert subprocess.run(["mount", "-o", "remount,ro", str(data_dir)]).returncode == 0
        with pytest.raises(store.StoreWriteError) as raised:
            publish(data_dir, 3)
        assert_explains(raised.value, data_dir, "read_only")
        assert_previous_intact(data_dir, first)  # and the dashboard still reads it


# ---- the same through the command line and the Import page ----------------------------------------

SECOND_SHEET = sb.csv_bytes(rows=[("15/09/2025", "Bogotá", "ASOREPCOL", "Sara Gil", "1098765432", "Recicladora", "SST")])


@pytest.mark.parametrize("code, reason", [(errno.ENOSPC, "disk_full"), (errno.EROFS, "read_only")], ids=["ENOSPC", "EROFS"])
def test_cli_exits_1_with_the_explanation(tmp_path, data_dir, monkeypatch, capsys, code, reason):
    monkeypatch.setenv("ATTENDANCE_ID_KEY", KEY.decode())
    (tmp_path / "lista.csv").write_bytes(sb.csv_bytes())
    (tmp_path / "mas.csv").write_bytes(SECOND_SHEET)
    args = ["--dataset", NAME, "--data-dir", str(data_dir)]
    assert ingest.main([str(tmp_path / "lista.csv"), *args]) == 0
    before = shown(data_dir)
    capsys.readouterr()

    def refused(folder):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(store, "_fsync_tree", refused)
    assert ingest.main([str(tmp_path / "mas.csv"), *args]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    what, todo = REMEDIES[reason]
    assert err.startswith(f"error: cannot write {data_dir / NAME}: {what}")
    assert todo.format(data=data_dir) in err and "Nothing was changed" in err
    monkeypatch.undo()
    assert shown(data_dir) == before and before[:2] == (5, 3)
    assert temporaries(data_dir) == []


@pytest.fixture
def app_data_dir(tmp_path, monkeypatch):
    """data/ of its own for the dashboard (the embedded dataset copied in) and a key."""
    import shutil

    shutil.copytree(paths.DATA_DIR / "care_2025", tmp_path / "care_2025")
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path)
    monkeypatch.setenv("ATTENDANCE_ID_KEY", KEY.decode())
    return tmp_path


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def import_page(lang: str) -> AppTest:
    at = run(AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60))
    at.switch_page(str(paths.ROOT / "pages/import.py"))
    run(at)
    at.sidebar.radio(key="lang").set_value(lang)
    return run(at)


def unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.mark.parametrize("lang, code, expected", [
    ("en", errno.ENOSPC, "The dataset could not be saved: the disk that holds {folder} is full. Nothing was changed"),
    ("es", errno.EROFS, "No se pudo guardar el conjunto de datos: {folder} está en un sistema de archivos de solo lectura. No se cambió nada"),
], ids=["en-disk_full", "es-read_only"])
def test_import_page_explains_a_refused_write(app_data_dir, monkeypatch, lang, code, expected):
    importer.import_sheets([Source("lista.csv", sb.csv_bytes())], NAME, data_dir=app_data_dir, key=KEY)
    before = shown(app_data_dir)
    assert before[:2] == (5, 3)

    def refused(folder):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(store, "_fsync_tree", refused)
    at = import_page(lang)
    at.file_uploader[0].set_value([("mas.csv", SECOND_SHEET, "text/csv")])
    at.selectbox(key="import_target").set_value(NAME)
    # the page's two steps: check (a preview, nothing written), then confirm
    [b for b in at.button if b.label in ("Check the sheets", "Revisar las listas")][0].click()
    run(at)
    [b for b in at.button if b.label in ("Import now", "Importar ahora")][0].click()
    run(at)
    errors = [unescaped(e.value) for e in at.error]
    assert any(expected.format(folder=app_data_dir / NAME) in e for e in errors), errors
    assert not at.success
    monkeypatch.undo()
    assert shown(app_data_dir) == before and temporaries(app_data_dir) == []


# ---- readers during a write; two writers at once -------------------------------------------------------

def test_reader_sees_whole_versions_while_a_writer_publishes(data_dir, previous):
    """A reader loads and queries the dataset in a loop while versions of different sizes are
    published: every read shows exactly one published version, never an error. The writer waits
    until the reader has seen each version before the next (the pruned version before the
    previous could otherwise vanish under a read that started two versions earlier)."""
    sizes = [20_000, 40_000, 60_000, 80_000, 100_000]
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    writing = threading.Event()
    done = threading.Event()
    reads_during_writes = 0

    def reader():
        nonlocal reads_during_writes
        while not done.is_set():
            during = writing.is_set()
            try:
                participations, people, _ = shown(data_dir)
            except BaseException as exc:  # noqa: BLE001 - recorded, asserted below
                errors.append(exc)
                return
            seen.append((participations, people))
            reads_during_writes += during

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in sizes:
            writing.set()
            publish(data_dir, n)
            writing.clear()
            deadline = time.monotonic() + 60
            while (n, n) not in seen and not errors and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        done.set()
        thread.join(60)
    assert errors == []
    assert set(seen) <= {(n, n) for n in [6, *sizes]}
    assert {(n, n) for n in sizes} <= set(seen)
    assert reads_during_writes > 0  # the reads did overlap the writes
    assert temporaries(data_dir) == []


def test_dashboard_shows_a_new_version_without_a_restart(app_data_dir):
    """One dashboard process and session (its cached connection, attached schemas and query
    results); an import publishes a new version; the next rerun shows the new figures. (The
    picker is set before each run as the browser sends it: AppTest does not carry into a later
    run a widget value the app also set itself, see tests/apptest_helpers.py, ``open_page``.)"""
    importer.import_sheets([Source("lista.csv", sb.csv_bytes())], NAME, data_dir=app_data_dir, key=KEY)
    at = run(AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60))

    def rerun_on_dataset() -> tuple[str, str]:
        at.sidebar.radio(key="dataset").set_value(NAME)
        run(at)
        figures = {m.label: m.value for m in at.metric}
        return figures["Participations"], figures["Distinct people reached"]

    assert rerun_on_dataset() == ("5", "3")
    assert rerun_on_dataset() == ("5", "3")  # cached: the same version
    importer.import_sheets([Source("mas.csv", SECOND_SHEET)], NAME, data_dir=app_data_dir, key=KEY)  # one more session
    assert rerun_on_dataset() == ("6", "4")
    # more imports: the process keeps the two newest versions attached, not one per import
    third = sb.csv_bytes(rows=[("16/09/2025", "Bogotá", "ASOREPCOL", "Ana Ruiz", "1011121314", "Recicladora", "SST")])
    importer.import_sheets([Source("tercera.csv", third)], NAME, data_dir=app_data_dir, key=KEY)
    assert rerun_on_dataset() == ("7", "5")
    from care_dashboard import ui

    con, attached = ui._connection()
    held = [r[0] for r in con.execute("SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE $p",
                                      {"p": f"ds_{NAME}_%"}).fetchall()]
    assert len(held) == ui.KEEP_ATTACHED_VERSIONS == 2 and sorted(held) == sorted(s for s, n in attached.items() if n == NAME)


def test_two_publishes_at_once_run_one_after_the_other(data_dir, previous):
    events: list[str] = []
    a_inside, release_a = threading.Event(), threading.Event()
    results: dict[str, Path | BaseException] = {}

    def write_a(folder):
        events.append("a starts")
        a_inside.set()
        assert release_a.wait(30)
        store.write_tables(folder, KIND, record_tables(7))
        events.append("a ends")

    def write_b(folder):
        events.append("b starts")
        store.write_tables(folder, KIND, record_tables(8))
        events.append("b ends")

    def run_publish(label, write):
        try:
            results[label] = store.publish_with(NAME, KIND, write, {"title_en": label}, data_dir)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            results[label] = exc

    a = threading.Thread(target=run_publish, args=("a", write_a))
    a.start()
    assert a_inside.wait(30)
    b = threading.Thread(target=run_publish, args=("b", write_b))
    b.start()
    time.sleep(0.5)  # time enough for b to start writing, had nothing stopped it
    assert events == ["a starts"] and b.is_alive()
    assert len(list((data_dir / NAME / "versions").glob(".tmp-*"))) == 1  # a's only
    # a reader meanwhile: the previous version, and a's temporary folder left alone
    assert shown(data_dir) == (6, 6, previous.name)
    assert len(list((data_dir / NAME / "versions").glob(".tmp-*"))) == 1
    release_a.set()
    a.join(60)
    b.join(60)
    assert events == ["a starts", "a ends", "b starts", "b ends"]
    assert isinstance(results["a"], Path) and isinstance(results["b"], Path), results
    assert shown(data_dir) == (8, 8, results["b"].name)
    assert versions(data_dir) == sorted([results["a"].name, results["b"].name])
    assert temporaries(data_dir) == []


def test_a_writer_that_waits_too_long_gives_up_and_changes_nothing(data_dir, previous, monkeypatch):
    monkeypatch.setattr(store, "LOCK_WAIT_S", 0.3)
    outcome: list[BaseException] = []
    with store.dataset_lock(NAME, data_dir):  # flock belongs to an open file: another thread waits

        def second():
            try:
                publish(data_dir, 3)
            except BaseException as exc:  # noqa: BLE001 - asserted below
                outcome.append(exc)

        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], store.StoreBusy)
    message = str(outcome[0])
    assert message.startswith(f"another import into {NAME} is still running (waited 0.3 s")
    assert "Nothing was changed: import again when it has finished." in message
    assert_previous_intact(data_dir, previous)


def test_two_imports_at_once_keep_both_sets_of_sessions(data_dir, monkeypatch):
    """The merge reads the current version and writes the next: the second import must read the
    first one's result, or it would publish without the first one's sessions."""
    first_inside, release_first = threading.Event(), threading.Event()
    real_write_tables = store.write_tables
    calls = []

    def paused_first(folder, kind, tables):
        calls.append(folder)
        if len(calls) == 1:
            first_inside.set()
            assert release_first.wait(30)
        return real_write_tables(folder, kind, tables)

    monkeypatch.setattr(store, "write_tables", paused_first)
    results: dict[str, object] = {}

    def run_import(label, data):
        try:
            results[label] = importer.import_sheets([Source(f"{label}.csv", data)], NAME, data_dir=data_dir, key=KEY)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            results[label] = exc

    first = threading.Thread(target=run_import, args=("first", sb.csv_bytes()))
    first.start()
    assert first_inside.wait(30)
    second = threading.Thread(target=run_import, args=("second", SECOND_SHEET))
    second.start()
    time.sleep(0.5)
    assert len(calls) == 1 and second.is_alive()  # the second waits for the first
    release_first.set()
    first.join(60)
    second.join(60)
    assert all(isinstance(r, importer.ImportResult) for r in results.values()), results
    sessions = set(store.current_tables(NAME, data_dir)["attendance"]["session_id"])
    assert sessions == {"ohs/2025-04-10/bogota", "human-rights/2025-06-12/bogota",
                        "soft-skills/2025-11-27/bogota", "ohs/2025-09-15/bogota"}
    assert shown(data_dir)[:2] == (6, 4)
    assert temporaries(data_dir) == []


def test_every_refused_write_has_its_text_on_the_import_page():
    from care_dashboard import i18n

    for lang in i18n.LANGS:
        for reason in store.WRITE_FAILURE_REASONS:
            assert "{folder}" in i18n.catalogue(lang)[f"import.write_{reason}"], (lang, reason)
        assert "{dataset}" in i18n.catalogue(lang)["import.busy"]
