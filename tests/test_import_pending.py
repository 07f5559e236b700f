"""An import's state outside its session (care_dashboard/ingest/pending.py): private, bound to
its account, found again after its worker died, told apart from a running one, and gone after a
day. Its use by the page: tests/test_import_page.py."""

from __future__ import annotations

import json
import logging
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from care_dashboard import paths, store
from care_dashboard.ingest import importer, pending
from care_dashboard.ingest.sheets import Source
from tests import sheet_builders as sb

KEY = b"pending-test-key-0123456789abcdef0123456789"
REQUEST = pending.Request("listas", "Listas 2026", "add", new=True)


@pytest.fixture
def root(tmp_path, monkeypatch):
    folder = tmp_path / "imports"
    monkeypatch.setenv("CARE_IMPORT_DIR", str(folder))
    return folder


def staged(owner: str = "ana@partner.org") -> pending.Pending:
    return pending.stage(owner, REQUEST, [Source("lista.csv", sb.csv_bytes()), Source("b.csv", b"x;y\n")],
                         ("programa.toml", b"title_en = 'x'\n"))


def test_staged_files_are_private_and_the_state_holds_no_personal_data(root):
    p = staged()
    assert pending.valid_token(p.token) and p.folder == root / p.token
    assert stat.S_IMODE(root.stat().st_mode) == 0o700 and stat.S_IMODE(p.folder.stat().st_mode) == 0o700
    files = sorted(f for f in p.folder.rglob("*") if f.is_file())
    assert [f.relative_to(p.folder).as_posix() for f in files] == ["files/0", "files/1", "files/programme", "state.json"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    state = (p.folder / "state.json").read_text()
    assert not any(secret in state for secret in sb.NAMES + sb.DOCUMENTS)
    assert json.loads(state)["files"] == ["lista.csv", "b.csv"]
    found = pending.find(p.token, "ana@partner.org")
    assert found.request == REQUEST and found.phase == "checking"
    assert [s.data for s in pending.sources(found)] == [sb.csv_bytes(), b"x;y\n"]
    assert pending.programme_file(found) == ("programa.toml", b"title_en = 'x'\n")


def test_a_state_is_found_only_by_its_account_and_only_by_a_token(root):
    p = staged("ana@partner.org")
    assert pending.find(p.token, "luis@partner.org") is None
    assert pending.find(p.token, "") is None
    for bad in ("../" + p.token, p.token[:-1], p.token + "/", None, 42):
        assert pending.find(bad, "ana@partner.org") is None
    assert pending.find(pending.stage("", REQUEST, []).token, "") is not None  # `make run`'s one user


def test_a_folder_made_open_is_closed_and_one_of_another_user_is_not_used(root, caplog):
    root.mkdir(mode=0o755)
    os.chmod(root, 0o755)
    staged()
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    if os.getuid() != 0:
        pytest.skip("only root can give the folder to another user")
    os.chown(root, 65534, 65534)
    with caplog.at_level(logging.WARNING, logger="care_dashboard.ingest.pending"):
        p = staged()
    assert p.folder is None  # the import goes on, in memory only
    assert "is not a folder of the user running the dashboard" in caplog.text
    assert pending.find(p.token, "ana@partner.org") is None


HOLDER = r"""
import sys, time
from care_dashboard.ingest import pending
p = pending.find(sys.argv[1], "ana@partner.org")
with pending.running(p):
    pending.mark(p, "writing", base_version=None, digests=["d"])
    print("holding", flush=True)
    time.sleep(120)
"""


def test_a_running_import_is_told_from_one_whose_worker_died(root):
    p = staged()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, p.token], stdout=subprocess.PIPE, env=os.environ.copy())
    try:
        assert holder.stdout.readline() == b"holding\n"
        p = pending.find(p.token, "ana@partner.org")
        assert p.phase == "writing" and pending.is_running(p)
        with pytest.raises(store.StoreBusy):
            with pending.running(p):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
    assert not pending.is_running(p) and p.interrupted  # the kernel dropped the dead worker's lock
    with pending.running(p):
        assert pending.is_running(pending.find(p.token, "ana@partner.org"))


def test_states_go_after_a_day_unless_a_session_holds_them(root):
    old, held, fresh = staged(), staged(), staged()
    day_ago = time.time() - pending.MAX_AGE_S - 60
    for p in (old, held):
        for path in (p.folder / "state.json", p.folder):
            os.utime(path, (day_ago, day_ago))
    with pending.running(held):
        assert pending.sweep(root) == [old.token]
    assert not old.folder.exists() and held.folder.exists() and fresh.folder.exists()
    assert pending.find(held.token, "ana@partner.org") is not None
    staged()  # every staging sweeps: no session holds it now
    assert not held.folder.exists()


def test_what_became_of_an_interrupted_write(root, tmp_path):
    data_dir = tmp_path / "data"
    first = importer.import_sheets([Source("a.csv", sb.csv_bytes())], "listas", data_dir=data_dir, key=KEY)
    assert first.path is not None
    plan = importer.plan_import([Source("b.csv", sb.csv_bytes(rows=[sb.ROWS[5]]))], "listas",
                                data_dir=data_dir, key=KEY, isolated=False)
    p = pending.stage("", pending.Request("listas", None), [Source("b.csv", sb.csv_bytes(rows=[sb.ROWS[5]]))])
    pending.mark(p, "writing", base_version=plan.base_version, digests=list(plan.digests))
    assert pending.outcome(p, data_dir) == "not_done"  # killed before the switch
    importer.apply(plan)
    assert pending.outcome(p, data_dir) == "saved"  # killed after the switch, before it was told
    importer.import_sheets([Source("c.csv", sb.csv_bytes(rows=[sb.ROWS[4]]))], "listas", data_dir=data_dir, key=KEY)
    p.base_version, p.digests = plan.base_version, ["0" * 64]
    assert pending.outcome(p, data_dir) == "superseded"  # another import wrote since, without these files


def test_a_saved_import_keeps_only_its_counts(root):
    p = staged()
    pending.finish(p, (5, 3, 2, 3), (6, 4, 2, 4))
    assert sorted(f.name for f in p.folder.iterdir()) == ["state.json"]
    found = pending.find(p.token, "ana@partner.org")
    assert found.phase == "done" and found.result == {"summary": [5, 3, 2, 3], "totals": [6, 4, 2, 4]}
    pending.discard(found)
    assert not p.folder.exists()


def test_make_serve_gives_its_workers_one_private_import_folder(monkeypatch, tmp_path):
    """A worker that gets the reconnect of another worker's session must find that worker's
    import: one folder for all, in the supervisor's private runtime folder, gone when it stops."""
    sys.path.insert(0, str(paths.ROOT / "deploy"))
    import serve

    monkeypatch.setattr(serve, "prepare_static", lambda cache=None: tmp_path)
    supervisor = serve.Supervisor(serve.settings_from_env({"CARE_WORKERS": "2", "CARE_WARM": "off"}))
    try:
        folders = {Path(w.env["CARE_IMPORT_DIR"]) for w in supervisor.workers}
        assert len(supervisor.workers) == 2 and len(folders) == 1
        folder = folders.pop()
        assert folder.parent == supervisor.runtime and stat.S_IMODE(folder.stat().st_mode) == 0o700
    finally:
        supervisor.stop()
    assert not folder.exists()
