"""What an anonymous client can take from `make serve`: the figures of findings 0, 5 and 6 of the
second security probe, measured through the real stack.

    python bench/probe_floods.py [--root CHECKOUT] [--only uploads,frames,storm] [--linger 200]
                                 [--json FILE]

It starts ``CHECKOUT/deploy/serve.py`` (default: this checkout) with ``CARE_WORKERS=2``,
``CARE_WARM=off`` and a free ``PORT``, so the same probe measures main (``--root`` a worktree of
main) and a branch. Every client is anonymous and speaks to Caddy only (bench/st_client.py);
worker memory is the RSS of the worker's process (/proc), sampled every 0.1 s for peaks.

* uploads: one session sends 40 uploads of 10 MB (10,000,000 bytes) as fast as it can: the
  answers, the worker's RSS before, right after, and --linger seconds after its websocket closed.
* frames: one websocket frame of 190 MB, then six at once on six sockets of one worker: the
  worker's peak RSS and how the sockets were closed.
* storm: from another local address (127.0.0.2), 4 websockets per worker sending ``rerun_script``
  as fast as they can for 20 s (reading and dropping the answers); meanwhile a new visitor from
  127.0.0.1 every 0.5 s (the page, then a session's first answer and its first run), each
  worker's /_stcore/health straight on its port with a 1 s timeout, and the supervisor's restarts.

The report (and --json) gives each figure; docs/security.md quotes them before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.st_client import Client, drain, open_session, rerun_message  # noqa: E402

LB_SECRET = "probe-lb-secret-0123456789abcdef"
MB = 1_000_000
ATTACKER = "127.0.0.2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int | None) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (OSError, TypeError):
        return None
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")) / 1024


class Stack:
    """deploy/serve.py of a checkout, on a free port, with its state file."""

    def __init__(self, root: Path, workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state_file = workdir / "state.json"
        self.log_path = workdir / "serve.log"
        env = {**os.environ, "PORT": str(self.port), "CARE_WORKERS": "2", "CARE_WARM": "off",
               "CARE_SERVE_STATE": str(self.state_file), "CARE_LB_SECRET": LB_SECRET}
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen([sys.executable, str(root / "deploy" / "serve.py")], cwd=root, env=env,
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 180
        while not self.ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"the stack did not start:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.3)

    def state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    def ready(self) -> bool:
        s = self.state()
        if not s.get("caddy") or not all(w["ready"] for w in s.get("workers", [])):
            return False
        return health(self.port_of_url(), 2.0)

    def port_of_url(self) -> int:
        return self.port

    def workers(self) -> list[dict]:
        return self.state().get("workers", [])

    def restarts(self) -> int:
        return sum(w["restarts"] for w in self.workers())

    def worker_of(self, client: Client) -> dict:
        """The worker Caddy's sticky cookie of ``client`` names (HMAC-SHA256 of its upstream)."""
        value = client.cookies.get("care_worker")
        for w in self.workers():
            if hmac.new(LB_SECRET.encode(), f"127.0.0.1:{w['port']}".encode(), hashlib.sha256).hexdigest() == value:
                return w
        raise AssertionError(f"no worker for care_worker={value!r}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def health(port: int, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


class Sampler:
    """Peak and last RSS of one process, every 0.1 s, in a thread."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.stopped = pid, rss_mb(pid) or 0.0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped.wait(0.1):
            self.peak = max(self.peak, rss_mb(self.pid) or 0.0)

    def stop(self) -> float:
        self.stopped.set()
        self.thread.join()
        return self.peak


def uploaded_bytes(port: int) -> int | None:
    """What the worker's UploadedFileManager holds, from its own metrics endpoint (on its loopback
    port; Caddy answers 404 there)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/metrics", timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return None
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines()
               if "UploadedFileManager" in line and not line.startswith("#"))


# ---- uploads ----------------------------------------------------------------------------------

async def probe_uploads(stack: Stack, count: int, linger_s: float) -> dict:
    client = Client(stack.url)
    session = await open_session(client)
    worker = stack.worker_of(client)
    before = rss_mb(worker["pid"])
    sampler = Sampler(worker["pid"])
    data = b"a" * (10 * MB)
    started = time.perf_counter()
    statuses: dict[str, int] = {}
    for _ in range(count):
        try:
            status = str((await asyncio.to_thread(client.upload, session.session_id, data)).status)
        except OSError as exc:
            status = type(exc).__name__
        statuses[status] = statuses.get(status, 0) + 1
    seconds = time.perf_counter() - started
    after = rss_mb(worker["pid"])
    held = uploaded_bytes(worker["port"])
    await session.ws.close()
    closed_at = time.monotonic()
    while time.monotonic() - closed_at < linger_s:
        await asyncio.sleep(1.0)
    return {
        "uploads": count, "bytes_each": len(data), "answers": statuses, "seconds": round(seconds, 1),
        "rss_before_mb": round(before), "rss_after_mb": round(after), "rss_peak_mb": round(sampler.stop()),
        "held_by_uploaded_file_manager": held, "linger_s": linger_s,
        "rss_after_linger_mb": round(rss_mb(worker["pid"]) or 0), "held_after_linger": uploaded_bytes(worker["port"]),
    }


# ---- frames -----------------------------------------------------------------------------------

async def _send_frame(ws, payload: bytes) -> str:
    started = time.perf_counter()
    try:
        await ws.send(payload)
        await asyncio.wait_for(drain(ws), timeout=30)
    except Exception as exc:  # the server closing mid-send is one possible answer
        return f"{type(exc).__name__} after {time.perf_counter() - started:.1f} s"
    code = ws.close_code
    return f"closed {code} after {time.perf_counter() - started:.1f} s"


async def probe_frames(stack: Stack, size_mb: int, many: int) -> dict:
    payload = b"\x00" * (size_mb * MB)
    results = {}
    for n in (1, many):
        client = Client(stack.url)
        await asyncio.to_thread(client.get, "/_stcore/health")
        worker = stack.worker_of(client)
        sockets = []
        for _ in range(n):  # one client's cookie: every socket on the same worker
            sockets.append(await client.websocket(timeout=30))
        before = rss_mb(worker["pid"])
        sampler = Sampler(worker["pid"])
        answers = await asyncio.gather(*(_send_frame(ws, payload) for ws in sockets))
        await asyncio.sleep(2.0)
        peak = sampler.stop()
        for ws in sockets:
            await ws.close()
        results[f"{n}_frames"] = {"rss_before_mb": round(before), "rss_peak_mb": round(peak),
                                  "answers": sorted(set(answers)), "restarts": stack.restarts()}
    return {"frame_mb": size_mb, **results}


# ---- the storm --------------------------------------------------------------------------------

async def _storm_socket(client: Client, deadline: float, counts: dict) -> None:
    message = rerun_message()
    try:
        ws = await client.websocket(timeout=30)
    except Exception:
        counts["refused"] = counts.get("refused", 0) + 1
        return
    reader = asyncio.create_task(drain(ws))
    try:
        while time.monotonic() < deadline and not reader.done():
            await ws.send(message)
            counts["sent"] += 1
            if counts["sent"] % 100 == 0:
                await asyncio.sleep(0.001)  # let the reader see a close
    except Exception:
        pass
    finally:
        if ws.close_code is not None:
            counts["closed_by_server"] += 1
            counts.setdefault("close_codes", []).append(ws.close_code)
        reader.cancel()
        with contextlib.suppress(Exception):
            await ws.close()


async def _visitor(stack: Stack, deadline: float, results: list, t0: float | None = None) -> None:
    t0 = t0 or time.monotonic()
    while time.monotonic() < deadline:
        client = Client(stack.url)
        at = round(time.monotonic() - t0, 1)
        started = time.perf_counter()
        try:
            page = await asyncio.to_thread(client.get, "/", 15.0)
            session = await open_session(client, timeout=30.0)
            await session.ws.close()
            results.append({"at_s": at, "page_s": round(page.seconds, 2), "first_answer_s": round(session.first_answer_s, 2),
                            "first_run_s": round(session.finished_s, 2)})
        except Exception as exc:
            results.append({"at_s": at, "failed": f"{type(exc).__name__} after {time.perf_counter() - started:.1f} s"})
        await asyncio.sleep(0.5)


async def _health_watch(stack: Stack, deadline: float, failures: dict) -> None:
    while time.monotonic() < deadline:
        for w in stack.workers():
            ok = await asyncio.to_thread(health, w["port"], 1.0)
            if not ok:
                failures[w["port"]] = failures.get(w["port"], 0) + 1
        await asyncio.sleep(0.5)


async def probe_storm(stack: Stack, seconds: float, per_worker: int) -> dict:
    # one cookie per socket, each landing on a worker; keep per_worker of each
    by_worker: dict[int, list[Client]] = {w["port"]: [] for w in stack.workers()}
    for _ in range(per_worker * 12):
        client = Client(stack.url, source=ATTACKER)
        await asyncio.to_thread(client.get, "/_stcore/health")
        port = stack.worker_of(client)["port"]
        if len(by_worker[port]) < per_worker:
            by_worker[port].append(client)
        if all(len(v) == per_worker for v in by_worker.values()):
            break
    restarts_before = stack.restarts()
    await _visitor(stack, time.monotonic() + 4, [])  # each worker's first runs, not measured
    baseline: list = []
    await _visitor(stack, time.monotonic() + 3, baseline)
    counts = {"sent": 0, "closed_by_server": 0}
    visits: list = []
    failures: dict = {}
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(_storm_socket(c, deadline, counts) for clients in by_worker.values() for c in clients),
        _visitor(stack, deadline + 5, visits, started), _health_watch(stack, deadline + 5, failures))

    def worst(key, among=visits):
        values = [v[key] for v in among if v.get(key) is not None]
        return {"median": round(statistics.median(values), 2), "max": round(max(values), 2)} if values else None

    return {
        "seconds": seconds, "sockets": sum(len(v) for v in by_worker.values()), **counts,
        "messages_per_s": round(counts["sent"] / seconds),
        "visitor_before": {k: worst(k, baseline) for k in ("page_s", "first_answer_s", "first_run_s")},
        "visits": visits,
        "page_s": worst("page_s"), "first_answer_s": worst("first_answer_s"), "first_run_s": worst("first_run_s"),
        "health_failures": failures, "restarts": stack.restarts() - restarts_before,
    }


async def main_async(args, stack: Stack) -> dict:
    report = {}
    if "uploads" in args.only:
        report["uploads"] = await probe_uploads(stack, args.uploads, args.linger)
        print(json.dumps({"uploads": report["uploads"]}), flush=True)
    if "frames" in args.only:
        report["frames"] = await probe_frames(stack, args.frame_mb, 6)
        print(json.dumps({"frames": report["frames"]}), flush=True)
    if "storm" in args.only:
        report["storm"] = await probe_storm(stack, args.storm_s, 4)
        print(json.dumps({"storm": report["storm"]}), flush=True)
    return report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose deploy/serve.py is probed")
    ap.add_argument("--only", default="uploads,frames,storm")
    ap.add_argument("--uploads", type=int, default=40)
    ap.add_argument("--linger", type=float, default=200.0, help="seconds after the uploading session closed")
    ap.add_argument("--frame-mb", type=int, default=190)
    ap.add_argument("--storm-s", type=float, default=20.0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    args.only = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="probe-floods-") as tmp:
        stack = Stack(args.root.resolve(), Path(tmp))
        try:
            report = {"root": str(args.root.resolve()), **asyncio.run(main_async(args, stack))}
        finally:
            stack.stop()
            log = stack.log_path.read_text(errors="replace")
    report["supervisor_log_restarts"] = [line for line in log.splitlines() if "restarting" in line]
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
