"""Hostile uploads are refused fast, with their message, while the importing process stays small
and nothing is written (security_probe.md, findings 4, 5, 6, 12). Each import goes through
importer.import_sheets as the page and the CLI call it: reading in the limited child process."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from care_dashboard.ingest import importer, sheets
from care_dashboard.ingest.limits import LimitExceeded, Limits
from care_dashboard.ingest.sheets import Source
from tests import hostile_sheets as hs, sheet_builders as sb

KEY = b"upload-limits-key-0123456789abcdef0123456789"
FAST_S = 30.0  # a refusal, child start included, on a 2-core machine busy with other work (55 s and minutes before)
PARENT_GROWTH_MB = 150  # the importing process: the upload itself plus the prepared rows


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@contextlib.contextmanager
def parent_memory():
    """The largest RSS of this process above its level before the block, sampled every 10 ms."""
    before = rss_mb()
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            done.wait(0.01)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    growth = {}
    try:
        yield growth
    finally:
        done.set()
        t.join()
        growth["mb"] = peak[0] - before


def written(data_dir: Path) -> list[str]:
    """What an import left in data/ besides the queue's (empty) lock file."""
    if not data_dir.exists():
        return []
    return sorted(p.relative_to(data_dir).as_posix() for p in data_dir.rglob("*") if p.name != ".imports.lock")


def attempt(tmp_path, sources, limits=None):
    """Import ``sources``; returns (exception, seconds, parent growth in MB)."""
    data_dir = tmp_path / "data"
    started = time.monotonic()
    with parent_memory() as growth:
        with pytest.raises(importer.ImportRefused) as refused:
            importer.import_sheets(sources, "bombs", data_dir=data_dir, key=KEY, limits=limits)
    seconds = time.monotonic() - started
    assert written(data_dir) == []
    assert not (data_dir / "bombs").exists()
    return refused.value, seconds, growth["mb"]


@pytest.fixture(scope="module")
def deflate_bomb():
    return hs.deflate_bomb(300)


def test_dimension_bomb_is_read_in_seconds_and_refused_as_empty(tmp_path):
    """4.9 KB claiming A1:XFD1048576: the claim widens nothing; the header with one stray cell a
    million rows down has no data rows under it that name anything: refused."""
    data = hs.dimension_bomb()
    assert len(data) < 10_000
    exc, seconds, growth = attempt(tmp_path, [Source("bomb_dim.xlsx", data)])
    assert seconds < FAST_S and growth < PARENT_GROWTH_MB
    assert any(p.startswith("bomb_dim.xlsx: row 1048576: ") for p in exc.problems), exc.problems


def test_deflate_bomb_is_refused_before_it_is_unzipped(tmp_path, deflate_bomb):
    assert len(deflate_bomb) < 2_000_000
    exc, seconds, growth = attempt(tmp_path, [Source("bomb_deflate.xlsx", deflate_bomb)])
    assert isinstance(exc, LimitExceeded) and exc.code == "unpacked_bytes"
    assert exc.problems == ["bomb_deflate.xlsx: the workbook unpacks to 301 MB, more than the 105 MB allowed. Nothing "
                            "was imported: delete unused sheets, rows and formatting, or save it as CSV."]
    assert exc.text("es").startswith("bomb_deflate.xlsx: el libro ocupa 301 MB al descomprimirlo, más de los 105 MB permitidos.")
    assert seconds < FAST_S and growth < PARENT_GROWTH_MB


def test_a_reader_over_its_time_is_stopped(tmp_path, deflate_bomb):
    """With the unzip and row limits lifted, the same bomb is read row by row until the child's
    time runs out; the child is killed and the refusal names the file."""
    limits = Limits(max_unpacked_bytes=10**12, max_rows=10**9, max_cells=10**10, wall_seconds=8)
    exc, seconds, growth = attempt(tmp_path, [Source("bomb_deflate.xlsx", deflate_bomb)], limits)
    assert isinstance(exc, LimitExceeded) and exc.code == "seconds"
    assert exc.problems == ["bomb_deflate.xlsx: reading and checking it took longer than 8 s, so it was stopped. "
                            "Nothing was imported: split it into smaller sheets, or save it as CSV."]
    assert seconds < 8 + 10 and growth < PARENT_GROWTH_MB


def test_a_reader_over_its_memory_is_stopped(tmp_path):
    """300 MB in one shared string (297 KB zipped), with the unzip limit lifted: openpyxl reads it
    whole, the child's address space limit stops it."""
    limits = Limits(max_unpacked_bytes=10**12, max_cell_chars=10**9, memory_bytes=700 * 1024 * 1024)
    exc, seconds, growth = attempt(tmp_path, [Source("bomb_sst.xlsx", hs.shared_string_bomb(300))], limits)
    assert isinstance(exc, LimitExceeded) and exc.code == "memory_bytes", exc.problems
    assert exc.problems[0].startswith("bomb_sst.xlsx: reading it needed more than 734 MB of memory, so it was stopped.")
    assert seconds < FAST_S and growth < PARENT_GROWTH_MB


def test_shared_string_bomb_is_refused_by_the_unzip_limit(tmp_path):
    exc, seconds, growth = attempt(tmp_path, [Source("bomb_sst.xlsx", hs.shared_string_bomb(300))])
    assert isinstance(exc, LimitExceeded) and exc.code == "unpacked_bytes"
    assert seconds < FAST_S and growth < PARENT_GROWTH_MB


def test_the_csv_that_froze_csv_sniffer_is_refused_at_once(tmp_path):
    started = time.monotonic()
    assert sheets._delimiter(hs.redos_csv().decode()) in (",", ";", "\t")
    assert time.monotonic() - started < 0.5  # csv.Sniffer took 55 s
    exc, seconds, growth = attempt(tmp_path, [Source("redos.csv", hs.redos_csv())])
    assert exc.problems[0].startswith("redos.csv: row 1: (header): no header row found in the first 30 rows")
    assert seconds < FAST_S and growth < PARENT_GROWTH_MB


def test_a_field_larger_than_csv_allows_is_a_limit_not_a_crash(tmp_path):
    exc, seconds, growth = attempt(tmp_path, [Source("larga.csv", hs.long_field_csv(200_000))])
    assert isinstance(exc, LimitExceeded) and exc.code == "cell_chars"
    assert exc.problems == ["larga.csv: row 2: a cell holds more than 10,000 characters. Nothing was imported: sign-in "
                            "sheet cells are short, so check that this is the right file, or save it again as CSV."]
    assert exc.text("es").startswith("larga.csv: fila 2: una celda tiene más de 10.000 caracteres.")
    # below csv's own limit, the importer's is the one that speaks
    exc, *_ = attempt(tmp_path, [Source("larga.csv", hs.long_field_csv(20_000))])
    assert exc.code == "cell_chars"


@pytest.mark.parametrize("kind", ["xxe", "laughs"])
def test_workbooks_that_declare_entities_are_refused(tmp_path, kind):
    exc, seconds, growth = attempt(tmp_path, [Source(f"{kind}.xlsx", hs.entity_workbook(kind))])
    assert exc.problems == [f"{kind}.xlsx: row 1: (file): the workbook's XML declares entities or a DTD, which are refused "
                            "(they can read files or expand without end); save it again from Excel or LibreOffice as "
                            ".xlsx, or as CSV"]
    assert seconds < FAST_S and growth < PARENT_GROWTH_MB


def test_utf16_with_its_byte_order_mark_is_read(tmp_path):
    for encoding in ("utf-16", "utf-16-be", "utf-32"):
        data = sb.csv_bytes(encoding="utf-8").decode("utf-8").encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        [sheet] = sheets.read(Source("unicode.csv", data))
        assert sheet.header_row == 1 and len(sheet.rows) == 6, encoding
    result = importer.import_sheets([Source("unicode.csv", sb.csv_bytes().decode().encode("utf-16"))], "utf16",
                                    data_dir=tmp_path / "data", key=KEY)
    assert result.summary.participations == 5


def test_utf16_without_byte_order_mark_is_refused_with_a_reason(tmp_path):
    exc, seconds, growth = attempt(tmp_path, [Source("sin_bom.csv", sb.csv_bytes().decode().encode("utf-16-le"))])
    assert exc.problems == ["sin_bom.csv: row 1: (file): holds NUL characters, so it is not a text CSV (perhaps UTF-16 "
                            "without its byte-order mark, or not a sheet at all); save it as CSV UTF-8 or .xlsx"]


def test_too_many_rows_are_refused_naming_the_file_and_the_row(tmp_path):
    rows = [sb.ROWS[0]] * 60
    limits = Limits(max_rows=100)
    exc, *_ = attempt(tmp_path, [Source("a.csv", sb.csv_bytes(rows=rows)), Source("b.csv", sb.csv_bytes(rows=rows + [sb.ROWS[1]]))], limits)
    assert exc.code == "rows"
    # a.csv's 60 rows, then b.csv's rows 2 to 41 make 100 (the headers are not rows of attendance)
    assert exc.problems == ["b.csv: this import has more than 100 rows under their headers (reading stopped at row 42). "
                            "Nothing was imported: sign-in sheets are shorter; split the sheets and import them in parts "
                            "of at most 100 rows."]


def test_too_many_files_and_too_many_bytes_are_refused_before_reading(tmp_path):
    one = Source("a.csv", sb.csv_bytes())
    exc, *_ = attempt(tmp_path, [Source(f"{i}.csv", one.data) for i in range(21)])
    assert exc.code == "files" and exc.problems[0].startswith("21 files were chosen; at most 20 can be imported at once.")
    exc, *_ = attempt(tmp_path, [one, one], Limits(max_total_bytes=len(one.data) + 10))
    assert exc.code == "total_bytes"


def test_a_default_import_of_100000_rows_fits_the_child_limits(tmp_path):
    """The memory limit leaves room for the largest import the data limits allow: 100,000 valid
    rows (7 columns; 14 s on an idle 2-core machine). The time limit is raised here: with both
    cores busy with other work the same import took more than the default 60 s."""
    rows = [(f"{1 + i % 28:02d}/04/2025", "Bogotá", f"Org {i % 40}", "Ana", str(10_000_000 + i), "Recicladora", "SST")
            for i in range(99_999)]
    data = sb.csv_bytes(rows=rows)
    started = time.monotonic()
    with parent_memory() as growth:
        result = importer.import_sheets([Source("grande.csv", data)], "grande", data_dir=tmp_path / "data", key=KEY,
                                        limits=Limits(wall_seconds=300))
    assert result.summary.participations == 99_999
    print(f"100,000-row import: {time.monotonic() - started:.1f} s, parent RSS growth {growth['mb']:.0f} MB")


def test_a_second_import_waits_for_the_first_and_hears_it_is_waiting(tmp_path, monkeypatch):
    from care_dashboard.ingest import import_queue

    data_dir = tmp_path / "data"
    heard: list = []
    holding = threading.Event()
    release = threading.Event()

    def hold():
        with import_queue.one_at_a_time(data_dir):
            holding.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    assert holding.wait(10)
    timer = threading.Timer(2.5, release.set)
    timer.start()
    try:
        result = importer.import_sheets([Source("lista.csv", sb.csv_bytes())], "queued", data_dir=data_dir, key=KEY,
                                        on_progress=heard.append)
    finally:
        release.set()
        t.join()
        timer.cancel()
    stages = [p.stage for p in heard]
    assert stages[0] == "waiting" and stages.count("waiting") >= 2
    assert stages[stages.index("reading"):] == ["reading", "checking", "writing"]
    assert max(p.values["seconds"] for p in heard if p.stage == "waiting") >= 1
    assert result.summary.participations == 5


# ---- security_probe_2.md, finding 10: a reader killed from outside is not "out of memory" ----------

@pytest.fixture
def reader_killed(monkeypatch):
    """Imports whose reading child is killed with the given signal while it runs: it gets all but
    the last byte of its request, so it is alive, waiting, when the signal comes."""
    from care_dashboard.ingest import isolation

    children, chosen = [], {}
    real_popen = isolation.subprocess.Popen

    def popen(*args, **kwargs):
        children.append(real_popen(*args, **kwargs))
        return children[-1]

    def send_part_then_kill(stream, request):
        stream.write(request[:-1])
        stream.flush()
        time.sleep(0.5)
        os.kill(children[-1].pid, chosen["signal"])

    monkeypatch.setattr(isolation.subprocess, "Popen", popen)
    monkeypatch.setattr(isolation, "_send_request", send_part_then_kill)
    return chosen


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=lambda s: s.name)
def test_a_reader_killed_from_outside_says_so(tmp_path, reader_killed, sig):
    reader_killed["signal"] = sig
    exc, seconds, growth = attempt(tmp_path, [Source("lista.csv", sb.csv_bytes())])
    assert isinstance(exc, LimitExceeded) and exc.code == "killed", exc.problems
    assert exc.values["signal"] == sig.name and exc.values["seconds"] >= 0.5 and exc.values["peak_bytes"] > 0
    english = re.sub(r"after [\d.]+ s, using [\d.]+ [kM]B", "after S s, using M MB", exc.problems[0])
    assert english == (
        f"lista.csv: the sheet reader was stopped from outside ({sig.name}) after S s, using M MB of memory: not by "
        "the dashboard's limits on memory (1074 MB) or time (60 s), and not by the file as far as the dashboard can "
        "tell. Perhaps the server was restarted, or ran short of memory. Nothing was imported: import the sheets "
        "again; if it happens again, tell whoever runs the dashboard.")
    spanish = exc.text("es")
    assert spanish.startswith(f"lista.csv: el lector de listas fue detenido desde fuera ({sig.name}) tras ")
    assert "memoria (1074 MB) ni de tiempo (60 s)" in spanish
    assert "needed more than" not in english and "necesitó más de" not in spanish


@pytest.mark.parametrize("code, cpu, stderr, expected", [
    (1, 0.5, "Traceback ...\nMemoryError\n", ("memory_bytes", {"limit_bytes": 1024 * 1024 * 1024})),
    (-signal.SIGABRT, 2.0, "terminate called after throwing an instance of 'std::bad_alloc'", ("memory_bytes", None)),
    (-signal.SIGXCPU, 65.0, "", ("seconds", {"limit": 60.0})),
    (-signal.SIGKILL, 70.0, "", ("seconds", {"limit": 60.0})),  # the CPU limit's hard end
    (-signal.SIGKILL, 3.0, "", ("killed", None)),
    (-signal.SIGXCPU, 1.0, "", ("crashed", {"status": "SIGXCPU"})),  # sent by hand: not the limit
    (-signal.SIGSEGV, 1.0, "", ("crashed", {"status": "SIGSEGV"})),
    (3, 1.0, "Traceback ... ValueError", ("crashed", {"status": 3})),
])
def test_how_a_reader_ended_gives_its_reason(code, cpu, stderr, expected):
    from care_dashboard.ingest import isolation

    found = isolation._died(isolation.Ending(code, cpu, 300 * 1024 * 1024, 4.0), stderr, "lista.csv", Limits())
    assert found.code == expected[0]
    if expected[1] is not None:
        assert found.values == expected[1]


@pytest.mark.parametrize("lang, expected", [
    ("en", "larga.csv: row 2: a cell holds more than 10,000 characters. Nothing was imported: sign-in sheet cells are "
           "short, so check that this is the right file, or save it again as CSV."),
    ("es", "larga.csv: fila 2: una celda tiene más de 10.000 caracteres. No se importó nada: las celdas de una lista de "
           "asistencia son cortas; revise que sea el archivo correcto o guárdelo de nuevo como CSV."),
])
def test_the_command_line_gives_a_limit_in_its_language(tmp_path, lang, expected):
    """A limit's refusal (a killed reader's too) is one sentence in the command's language, not
    the English one followed by "fix the 1 problem(s) above"."""
    import subprocess
    import sys

    from care_dashboard import paths
    from tests import hostile_sheets as hs

    sheet = tmp_path / "larga.csv"
    sheet.write_bytes(hs.long_field_csv())
    done = subprocess.run([sys.executable, str(paths.ROOT / "ingest.py"), str(sheet), "--dataset", "larga", "--lang", lang,
                           "--data-dir", str(tmp_path / "data")], capture_output=True, text=True,
                          env={**os.environ, "ATTENDANCE_ID_KEY": "limits-cli-key-0123456789abcdef0123456789"})
    last = {"en": "nothing was imported.", "es": "no se importó nada."}[lang]
    assert (done.returncode, done.stderr.splitlines()) == (2, [f"{sheet}: " + expected.removeprefix("larga.csv: "), last])
    assert not (tmp_path / "data" / "larga").exists()
