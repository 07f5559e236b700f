"""Run ``prepare`` (reading, checking, pseudonymising the uploaded sheets) in a child process
with a memory and a time limit, so a hostile or huge sheet costs the dashboard nothing but a
refusal (security_probe.md, findings 4 to 6).

The child is a fresh interpreter (``python -m care_dashboard.ingest.isolation``), not a fork of
the Streamlit server: it gets the sheets and the key on its standard input, limits its own
address space (RLIMIT_AS, ``Limits.memory_bytes``) once its modules are loaded, and answers on
its standard output with progress lines (JSON), then the prepared rows (Arrow IPC: data, not
code, so the parent never unpickles what the child made) and the result (JSON). The parent
reads with a deadline (``Limits.wall_seconds``) and kills the child when it passes. The kernel
also kills the child if the thread that started it dies (PR_SET_PDEATHSIG).

A limit hit, in the child or by the parent, is a ``LimitExceeded`` naming the file that was being
read; nothing has been written then, because the parent writes only after a clean result.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from .. import paths
from .limits import DEFAULT, LimitExceeded, Limits
from .messages import Message
from .prepare import Prepared, Progress, ProgressCallback, _quiet

_HEADER = struct.Struct(">cQ")  # kind (P progress, A arrow rows, R result), payload length
_STDERR_KEEP = 64 * 1024
_PR_SET_PDEATHSIG = 1


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATTENDANCE_ID_KEY", "STREAMLIT_"))}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(paths.ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        # few malloc arenas and threads: RLIMIT_AS counts reserved address space, not only use
        "MALLOC_ARENA_MAX": "2", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
    })
    return env


def _read_frames(stream, out: queue.Queue) -> None:
    try:
        while True:
            header = stream.read(_HEADER.size)
            if len(header) < _HEADER.size:
                break
            kind, length = _HEADER.unpack(header)
            payload = stream.read(length)
            if len(payload) < length:
                break
            out.put((kind, payload))
    except (OSError, ValueError):
        pass
    finally:
        out.put(None)


def _keep_tail(stream, tail: bytearray) -> None:
    with contextlib.suppress(OSError, ValueError):
        for chunk in iter(lambda: stream.read(4096), b""):
            tail.extend(chunk)
            del tail[:-_STDERR_KEEP]


def _send_request(stream, request: bytes) -> None:
    with contextlib.suppress(OSError, ValueError):  # a child that died early: its exit says why
        stream.write(request)
        stream.close()


def _rows_from_arrow(payload: bytes):
    import pyarrow as pa

    with pa.ipc.open_stream(io.BytesIO(payload)) as reader:
        return reader.read_all().to_pandas()


@dataclass(frozen=True)
class Ending:
    """How a child process ended: its return code (minus the signal that ended it), the CPU
    seconds it used, its peak resident memory, and how long it ran."""

    code: int
    cpu_seconds: float = 0.0
    peak_bytes: int = 0
    seconds: float = 0.0


_MEMORY_SIGNS = ("memoryerror", "bad_alloc", "cannot allocate memory", "out of memory")  # in stderr, lower-cased
# signals a process gets from outside: the system's out-of-memory killer, an administrator's
# kill, a restart of the server (the child itself never ends with these, and the parent sends
# SIGKILL only at the deadline, which it reports itself)
_FROM_OUTSIDE = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT)


def _cpu_limits(limits: Limits) -> tuple[int, int]:
    """The child's CPU-seconds limits (RLIMIT_CPU), a backstop should the parent be gone: at the
    soft one the kernel sends SIGXCPU, at the hard one SIGKILL."""
    soft = int(limits.wall_seconds) + 5
    return soft, soft + 5


def _died(ending: Ending, stderr: str, file: str | None, limits: Limits) -> LimitExceeded:
    """What a child that ended without an answer ran into. Its address-space limit shows as an
    allocation that fails (MemoryError, bad_alloc), never as a signal; its CPU limit as SIGXCPU
    (or SIGKILL once it has used the hard limit); any other SIGKILL or SIGTERM came from outside
    (the system's out-of-memory killer, an administrator, a restart), and says so."""
    if any(sign in stderr.lower() for sign in _MEMORY_SIGNS):
        return LimitExceeded("memory_bytes", file, limit_bytes=limits.memory_bytes)
    if ending.code < 0:
        sig = signal.Signals(-ending.code) if -ending.code in signal.valid_signals() else None
        soft, hard = _cpu_limits(limits)
        if sig == signal.SIGXCPU and ending.cpu_seconds >= soft - 1 or sig == signal.SIGKILL and ending.cpu_seconds >= hard - 1:
            return LimitExceeded("seconds", file, limit=limits.wall_seconds)
        if sig in _FROM_OUTSIDE:
            return LimitExceeded("killed", file, signal=sig.name, seconds=round(ending.seconds, 1),
                                 peak_bytes=ending.peak_bytes, limit_bytes=limits.memory_bytes,
                                 limit=limits.wall_seconds)
        return LimitExceeded("crashed", file, status=sig.name if sig else ending.code)
    return LimitExceeded("crashed", file, status=ending.code)


def _reap(child: subprocess.Popen, started: float, timeout: float) -> Ending:
    """Wait for the child (at most ``timeout`` seconds, then subprocess.TimeoutExpired) and say
    how it ended; os.wait4 gives what its resource usage was, which Popen.wait does not."""
    give_up = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            return Ending(child.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024,
                          time.monotonic() - started)
        if time.monotonic() >= give_up:
            raise subprocess.TimeoutExpired(child.args, timeout)
        time.sleep(0.01)


def prepare(sources, key: bytes, today=None, limits: Limits = DEFAULT, on_progress: ProgressCallback = _quiet,
            catalogue=None, only_sheets: dict | None = None) -> Prepared:
    """``prepare.prepare`` in a child process under ``limits``. Raises LimitExceeded when the
    child runs over its memory or time, or stops for another reason. (The request to the child
    is pickled: it is made here. The answer is JSON and Arrow: data, never code.)"""
    request = pickle.dumps({"sources": [(s.label, s.data) for s in sources], "key": key, "today": today,
                            "limits": limits.as_dict(), "catalogue": catalogue, "only_sheets": only_sheets},
                           protocol=pickle.HIGHEST_PROTOCOL)
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "care_dashboard.ingest.isolation"], cwd=paths.ROOT,
                             env=_child_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    frames: queue.Queue = queue.Queue()
    tail = bytearray()
    threads = [threading.Thread(target=_send_request, args=(child.stdin, request), daemon=True),
               threading.Thread(target=_read_frames, args=(child.stdout, frames), daemon=True),
               threading.Thread(target=_keep_tail, args=(child.stderr, tail), daemon=True)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + limits.wall_seconds
    current = sources[0].label if sources else None
    rows, result, ending = None, None, None
    try:
        while True:
            remaining = deadline - time.monotonic()
            try:
                frame = frames.get(timeout=max(0.0, remaining))
            except queue.Empty:
                raise LimitExceeded("seconds", current, limit=limits.wall_seconds) from None
            if frame is None:
                break
            kind, payload = frame
            if kind == b"P":
                event = json.loads(payload)
                current = event["values"].get("file", current)
                on_progress(Progress(event["stage"], event["values"]))
            elif kind == b"A":
                rows = _rows_from_arrow(payload)
            elif kind == b"R":
                result = json.loads(payload)
        ending = _reap(child, started, max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise LimitExceeded("seconds", current, limit=limits.wall_seconds) from None
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for t in threads[1:]:
            t.join(timeout=5)
    if result is None:
        raise _died(ending, tail.decode("utf-8", "replace"), current, limits)
    if "limit" in result:
        raise LimitExceeded.from_dict(result["limit"])
    if "error" in result:
        raise LimitExceeded("crashed", current, status=result["error"])
    return Prepared([Message.from_dict(p) for p in result["problems"]], [Message.from_dict(w) for w in result["warnings"]],
                    rows, [tuple(x) for x in result.get("sheets_read", [])], result.get("unknown_components", []))


# ---- the child -------------------------------------------------------------------------------

def _send(out, kind: bytes, payload: bytes) -> None:
    out.write(_HEADER.pack(kind, len(payload)))
    out.write(payload)
    out.flush()


def _limit_self(limits: Limits) -> None:
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limits.memory_bytes if hard == resource.RLIM_INFINITY else min(limits.memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    resource.setrlimit(resource.RLIMIT_CPU, _cpu_limits(limits))
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _child_main() -> int:
    import pyarrow as pa  # loaded before the memory limit, like everything the work needs

    from . import prepare as work
    from .sheets import Source

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the answer stream
    request = pickle.load(sys.stdin.buffer)
    limits = Limits(**request["limits"])
    sources = [Source(label, data) for label, data in request["sources"]]
    del request["sources"]
    current = [sources[0].label if sources else None]

    def progress(p: Progress) -> None:
        current[0] = p.values.get("file", current[0])
        _send(out, b"P", json.dumps({"stage": p.stage, "values": p.values}).encode())

    _limit_self(limits)
    try:
        prepared = work.prepare(sources, request["key"], request["today"], limits, progress,
                                catalogue=request.get("catalogue"), only_sheets=request.get("only_sheets"))
    except LimitExceeded as exc:
        _send(out, b"R", json.dumps({"limit": exc.as_dict()}).encode())
        return 0
    except MemoryError:
        del sources
        refusal = LimitExceeded("memory_bytes", current[0], limit_bytes=limits.memory_bytes)
        _send(out, b"R", json.dumps({"limit": refusal.as_dict()}).encode())
        return 0
    if prepared.rows is not None:
        sink = io.BytesIO()
        table = pa.Table.from_pandas(prepared.rows, preserve_index=True)
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        _send(out, b"A", sink.getvalue())
    _send(out, b"R", json.dumps({"problems": [p.as_dict() for p in prepared.problems],
                                 "warnings": [w.as_dict() for w in prepared.warnings],
                                 "sheets_read": prepared.sheets_read,
                                 "unknown_components": prepared.unknown_components}, default=str).encode())
    return 0


if __name__ == "__main__":
    sys.exit(_child_main())
