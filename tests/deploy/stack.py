"""Start and stop the real stack (deploy/serve.py) for a test, and look at its processes."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from care_dashboard import paths

LB_SECRET = "test-lb-secret-0123456789abcdef"
START_S = 150.0  # the first start also compresses Streamlit's static files (~10 s on 2 cores)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout_s: float, what: str, interval_s: float = 0.2):
    """Poll ``condition`` until it returns something true; fail with ``what`` after the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s:g} s: {what}")
        time.sleep(interval_s)


def alive(pid: int | None) -> bool:
    """A process that exists and is not a zombie."""
    if not pid:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def group_members(pgid: int) -> list[int]:
    """Live processes of process group ``pgid`` (zombies excluded)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def http(url: str, headers: dict | None = None, method: str = "GET", data: bytes | None = None, timeout: float = 10):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def worker_of_cookie(value: str, ports: list[int]) -> int | None:
    """The worker port Caddy's sticky cookie names: its value is HMAC-SHA256(secret, upstream)."""
    for port in ports:
        if hmac.new(LB_SECRET.encode(), f"127.0.0.1:{port}".encode(), hashlib.sha256).hexdigest() == value:
            return port
    return None


@dataclass
class Stack:
    proc: subprocess.Popen
    url: str
    state_file: Path
    log_path: Path

    def state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    @property
    def ports(self) -> list[int]:
        return [w["port"] for w in self.state()["workers"]]

    def pids(self) -> list[int]:
        s = self.state()
        return [p for p in [s.get("caddy"), *(w["pid"] for w in s.get("workers", []))] if p]

    def ready(self) -> bool:
        s = self.state()
        if not s or not s.get("caddy") or not all(w["ready"] and w["pid"] for w in s["workers"]):
            return False
        try:
            return http(f"{self.url}/_stcore/health", timeout=2)[0] == 200
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def start(tmp_path: Path, workers: int = 2, env: dict | None = None, port: int | None = None) -> Stack:
    """The stack on ``port`` (a free one by default), with ``env`` added to the environment."""
    port = port or free_port()
    state = tmp_path / "serve-state.json"
    log_path = tmp_path / "serve.log"
    full_env = {**os.environ, "PORT": str(port), "CARE_WORKERS": str(workers), "CARE_SERVE_STATE": str(state),
                "CARE_LB_SECRET": LB_SECRET, "CARE_WARM": "off", **(env or {})}  # warm-up: its own test
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, str(paths.ROOT / "deploy" / "serve.py")], cwd=paths.ROOT,
                                env=full_env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    stack = Stack(proc, f"http://127.0.0.1:{port}", state, log_path)
    try:
        wait_until(lambda: stack.ready() or proc.poll() is not None, START_S, "the stack answers")
    except AssertionError:
        stop(stack)
        raise AssertionError(f"the stack did not start:\n{stack.log()}") from None
    if proc.poll() is not None:
        raise AssertionError(f"the supervisor exited with {proc.returncode}:\n{stack.log()}")
    return stack


def stop(stack: Stack, sig: int = signal.SIGTERM, timeout_s: float = 30) -> list[int]:
    """Stop the supervisor with ``sig``; returns the pids it had started (for leftover checks)."""
    started = stack.pids()
    if stack.proc.poll() is None:
        stack.proc.send_signal(sig)
    try:
        stack.proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        stack.proc.kill()
        stack.proc.wait()
        for pid in started:  # do not leave them to the next test
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        raise AssertionError(f"the supervisor did not stop within {timeout_s:g} s:\n{stack.log()}") from None
    return started
