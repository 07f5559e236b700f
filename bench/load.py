"""Load test: many viewers on one dashboard server at the same time (issue 6).

    python bench/load.py [--sessions 30] [--duration 120] [--dataset care_2025] [--data-dir DIR]
                         [--url http://localhost:PORT [--server-pid PID]] [--think MIN MAX] [--seed 6]
                         [--json FILE]

Each simulated viewer is a real Streamlit session: a websocket to ``/_stcore/stream`` that speaks
Streamlit's own protocol as the browser does, without a browser (``Viewer``, deploy/viewer.py, the
client `make serve`'s warm-up uses too). On two cores, 30 Chromium pages would measure the
browsers; what a deployment has to size is the server, and that is what this loads.

A viewer first opens a shared link (a page and a filter in the URL, as in a link sent round after
a meeting), then, after a pause of --think seconds (0.5 to 2 by default), goes to a page and sets a
filter (none, one component, one territory or one organisation of the dataset), picked at random
with a fixed seed. How each is sent, and how every answer is checked, is told in deploy/viewer.py.
A query string alone on a later rerun does not change the view (the app reads the URL once per
session): the warm-up session checks this and prints what it found.

Errors, by kind (the target is 0): exception (an exception element or a script compilation error),
error_alert (an ``st.error``; no viewing page shows one), page_not_found, bad_status (a
script_finished other than success), wrong_view (another page, filter or dataset than asked),
disconnect, timeout (no script_finished within --timeout s), server_traceback (a traceback in the
log of the server this run started). Latency runs from the rerun request sent to its
script_finished. Memory: the server's RSS (with its children) from /proc every second; the growth
check compares the median of the last third of the run with that of the middle third.

Without --url it starts its own server (the ``make run`` command, headless, on a free local port,
with the file watcher off so that edits elsewhere in the checkout cannot reload modules mid-run)
and stops it at the end. --data-dir points that server at another data folder the way bench/run.py
does (``paths.DATA_DIR``, with links to care_2025 and geo). Nothing is downloaded.

Exit status 1 when there was any error or the memory check failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit  # noqa: E402
from websockets.exceptions import WebSocketException  # noqa: E402

from care_dashboard import paths, url_state  # noqa: E402
from deploy.viewer import DEFAULT_PAGE, FILTER_KEYS, SKIPPED_PAGES, Viewer, filter_ids, filter_text  # noqa: E402

ERROR_KINDS = ("exception", "error_alert", "page_not_found", "bad_status", "wrong_view",
               "disconnect", "timeout", "server_traceback")
# "no unbounded growth": RSS in the last third of the run at most this much above the middle third
GROWTH_LIMIT_PCT = 10.0
GROWTH_LIMIT_MB = 20.0
SAMPLES_PER_ERROR_KIND = 3


@dataclass
class Outcome:
    """One interaction of one viewer: what was asked, how long it took, what went wrong."""

    session: int
    kind: str  # "open": a new session from a link; "change": a page or filter changed in it
    page: str
    filter: str  # "none" or "territory=bogota"
    started_s: float  # since the load started
    latency_ms: float | None  # None when it timed out or the connection failed
    errors: list[tuple[str, str]]


def pick_filter(rng: random.Random, ids: dict[str, list[str]]) -> tuple[str, str] | None:
    """No filter, or one id of one sidebar filter, each kind equally likely."""
    key = rng.choice((None, *FILTER_KEYS))
    return None if key is None else (key, rng.choice(ids[key]))


async def viewer_loop(index: int, args, ids, pages: list[str], t0: float, deadline: float,
                      outcomes: list[Outcome]) -> None:
    """One viewer for the whole run: opens a link, then changes page and filter until the deadline,
    with a pause between interactions; after a timeout or a lost connection it opens a new link."""
    rng = random.Random(f"{args.seed}:{index}")
    await asyncio.sleep(index * args.ramp / args.sessions)  # people open the link within a few seconds
    viewer = Viewer(index, args.url, args.dataset, ids, args.timeout)
    try:
        while time.monotonic() < deadline:
            page, chosen = rng.choice(pages), pick_filter(rng, ids)
            kind = "change" if viewer.ws is not None else "open"
            started = time.monotonic()
            try:
                if kind == "open":
                    latency_ms, errors = await viewer.open(page, chosen)
                else:
                    latency_ms, errors = await viewer.change(page, chosen)
            except TimeoutError:
                latency_ms, errors = None, [("timeout", f"no script_finished within {args.timeout:.0f} s "
                                                        f"({kind} {page}, filter {filter_text(chosen)})")]
            except (WebSocketException, OSError) as exc:
                latency_ms, errors = None, [("disconnect", f"{type(exc).__name__}: {exc} ({kind} {page})")]
            if errors:
                await viewer.close()  # as a person would reload: the next interaction opens the link anew
            outcomes.append(Outcome(index, kind, page, filter_text(chosen), round(started - t0, 3),
                                    None if latency_ms is None else round(latency_ms, 1), errors))
            pause = rng.uniform(*args.think)
            await asyncio.sleep(min(pause, max(0.0, deadline - time.monotonic())))
    finally:
        await viewer.close()


async def warm_up(args, ids) -> dict:
    """Two sessions before the load, not counted in it.

    The first is the server's first request when this run started the server: it pays for
    imports, the dataset's attach and Streamlit's first run of the entry script, and is timed
    apart. It opens a link to the default page with a filter, then sends a plain rerun with the
    widgets as they are (as a browser does on its next click) and records whether the view stayed.
    The second learns the app's pages and checks, on the server's answers, the two ways a filter
    could reach an open session: a query string alone on a later rerun, and the sidebar's widget
    state (the one the load uses; the run stops if it does not work)."""
    key, value = "territory", ids["territory"][0]
    chosen = (key, value)
    first = Viewer(-1, args.url, args.dataset, ids, max(args.timeout, 120))
    try:
        cold_ms, errors = await first.open(DEFAULT_PAGE, chosen)
        if errors or not first.pages:
            raise SystemExit(f"the first request failed: {errors}")
        opened_url, opened_text = first.query_string, first.texts
        _, errors = await first.rerun(first.client_state(page_script_hash=first.pages[DEFAULT_PAGE]), DEFAULT_PAGE, chosen)
        kept = not errors and first.texts == opened_text
        first_rerun = (f"opened with {opened_url!r} in the URL; after a plain rerun the app wrote {first.query_string!r}"
                       f" and the text {'stayed the same' if first.texts == opened_text else 'changed'}")
    finally:
        await first.close()

    viewer = Viewer(-2, args.url, args.dataset, ids, args.timeout)
    try:
        _, errors = await viewer.open(DEFAULT_PAGE, None)
        if errors:
            raise SystemExit(f"opening the default page failed: {errors}")
        unfiltered = viewer.texts
        asked = {url_state.DATASET_KEY: args.dataset} if args.dataset != paths.DEFAULT_DATASET else {}
        viewer.query_string = urlencode({**asked, key: value})
        _, errors = await viewer.rerun(viewer.client_state(page_script_hash=viewer.pages[DEFAULT_PAGE]), DEFAULT_PAGE, None)
        if any(kind != "wrong_view" for kind, _ in errors):
            raise SystemExit(f"a rerun with a query string failed: {errors}")
        query_applied = parse_qs(viewer.query_string).get(key) == [value] or viewer.texts != unfiltered
        query_check = (f"a rerun of the open overview with ?{key}={value} and unchanged widgets: the app wrote "
                       f"{viewer.query_string!r} to the URL and the text "
                       f"{'changed' if viewer.texts != unfiltered else 'stayed that of the unfiltered view'}")
        _, errors = await viewer.change(DEFAULT_PAGE, chosen)
        if errors or viewer.texts == unfiltered:
            raise SystemExit(f"setting the {key} filter by its widget state did not change the view: {errors}")
        return {
            "first_request_ms": round(cold_ms, 1),
            "first_session_keeps_view": kept,
            "first_session_check": first_rerun,
            "pages": [p for p in viewer.pages if p not in SKIPPED_PAGES],
            "query_string_on_rerun": "applied" if query_applied else "ignored",
            "query_string_check": query_check,
            "widget_state_check": f"a rerun with the {key} multiselect set to {value}: the app wrote "
                                  f"{viewer.query_string!r} to the URL and the text changed",
        }
    finally:
        await viewer.close()


def tree_pids(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc/PID/task/TID/children."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(c) for c in children.read_text().split()]
            except OSError:
                pass  # the thread has ended
    return found


def rss_mb(pids: list[int]) -> float:
    total_kb = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue  # the process has ended
        total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total_kb / 1024


def cpu_seconds(pids: list[int]) -> float:
    """User and system time of ``pids`` (fields 14 and 15 of /proc/PID/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine spent busy (not idle or waiting for I/O), over all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


async def sample_server(pid: int, t0: float, samples: list[tuple[float, float, float, float]]) -> None:
    """Every second: (seconds since the load started, server RSS MB, server CPU s, machine busy CPU s)."""
    while True:
        pids = tree_pids(pid)
        samples.append((time.monotonic() - t0, rss_mb(pids), cpu_seconds(pids), machine_busy_seconds()))
        await asyncio.sleep(1.0)


async def run_load(args, ids, pages: list[str], server_pid: int | None) -> tuple[list[Outcome], list, float, float]:
    """All viewers at once for --duration seconds, with the server sampled alongside. Returns the
    outcomes, the samples, the load's wall time and the load generator's own CPU seconds."""
    outcomes: list[Outcome] = []
    samples: list[tuple[float, float, float, float]] = []
    own_cpu = time.process_time()
    t0 = time.monotonic()
    sampler = asyncio.create_task(sample_server(server_pid, t0, samples)) if server_pid else None
    await asyncio.gather(*(viewer_loop(i, args, ids, pages, t0, t0 + args.duration, outcomes)
                           for i in range(args.sessions)))
    wall_s = time.monotonic() - t0
    if sampler:
        sampler.cancel()
        pids = tree_pids(server_pid)
        samples.append((wall_s, rss_mb(pids), cpu_seconds(pids), machine_busy_seconds()))
    return outcomes, samples, wall_s, time.process_time() - own_cpu


# ---- the server this run starts (without --url) -------------------------------------------

# --data-dir: the app reads datasets from paths.DATA_DIR, set in the server's own process
LAUNCH_WITH_DATA_DIR = (
    "import sys; from pathlib import Path; from bench.run import use_data_dir; "
    "use_data_dir(Path(sys.argv.pop(1))); from streamlit.web.cli import main; main(prog_name='streamlit')"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(port: int, data_dir: Path) -> list[str]:
    """``make run``'s command, headless on a local port, the file watcher off; with another data
    folder than data/, started through bench/run.py's ``use_data_dir``."""
    flags = ["run", "app.py", "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
    if data_dir.resolve() == paths.DATA_DIR.resolve():
        return [sys.executable, "-m", "streamlit", *flags]
    return [sys.executable, "-c", LAUNCH_WITH_DATA_DIR, str(data_dir), *flags]


def start_server(command: list[str], url: str, log_path: Path) -> subprocess.Popen:
    """Start the server and wait until ``/_stcore/health`` answers."""
    with log_path.open("w") as log:  # the server writes to its own copy of the file handle
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped (exit {proc.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit(f"the server did not answer {url}/_stcore/health within 120 s:\n{log_path.read_text()[-3000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def server_tracebacks(log_text: str) -> list[str]:
    """The last line (the exception) of each traceback in the server's log."""
    found = []
    lines = log_text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            rest = lines[i + 1:]
            end = next((j for j, text in enumerate(rest) if text and not text.startswith(" ")), len(rest) - 1)
            found.append(rest[end] if rest else line)
    return found


# ---- figures --------------------------------------------------------------------------------

def percentiles(values: list[float]) -> dict[str, float | int | None]:
    """n, p50, p90, p95, p99 (linear between the nearest ranks) and max."""
    out: dict[str, float | int | None] = {"n": len(values)}
    ordered = sorted(values)
    for p in (50, 90, 95, 99):
        if not ordered:
            out[f"p{p}"] = None
            continue
        rank = (len(ordered) - 1) * p / 100
        low = int(rank)
        high = min(low + 1, len(ordered) - 1)
        out[f"p{p}"] = round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low), 1)
    out["max"] = round(ordered[-1], 1) if ordered else None
    return out


def memory_figures(samples, idle_mb: float | None, wall_s: float) -> dict | None:
    """RSS at start, max and end, every 10 s, and the growth check: the median of the last third
    of the run against that of the middle third."""
    if not samples:
        return None
    rss = [s[1] for s in samples]
    middle = [s[1] for s in samples if wall_s / 3 <= s[0] < 2 * wall_s / 3] or rss
    last = [s[1] for s in samples if s[0] >= 2 * wall_s / 3] or rss
    middle_mb, last_mb = statistics.median(middle), statistics.median(last)
    growth_mb = last_mb - middle_mb
    growth_pct = 100 * growth_mb / middle_mb
    series = []
    for mark in range(0, int(wall_s) + 1, 10):
        nearest = min(samples, key=lambda s: abs(s[0] - mark))
        series.append([mark, round(nearest[1], 1)])
    return {
        "idle_mb": None if idle_mb is None else round(idle_mb, 1),
        "start_mb": round(rss[0], 1), "max_mb": round(max(rss), 1), "end_mb": round(rss[-1], 1),
        "middle_third_median_mb": round(middle_mb, 1), "last_third_median_mb": round(last_mb, 1),
        "growth_mb": round(growth_mb, 1), "growth_pct": round(growth_pct, 1),
        "growth_rule": f"PASS when the last third's median RSS is at most {GROWTH_LIMIT_PCT:.0f} % or "
                       f"{GROWTH_LIMIT_MB:.0f} MB above the middle third's",
        "growth_pass": growth_pct <= GROWTH_LIMIT_PCT or growth_mb <= GROWTH_LIMIT_MB,
        "series_every_10s": series,
    }


def cpu_figures(samples, wall_s: float, own_cpu_s: float) -> dict:
    """Average CPU over the load, in % of one core: the server, this load generator, and every
    other process of the machine (busy time not accounted to either)."""
    out = {"load_generator_pct": round(100 * own_cpu_s / wall_s, 1)}
    if len(samples) >= 2:
        (t_a, _, server_a, busy_a), (t_b, _, server_b, busy_b) = samples[0], samples[-1]
        span = t_b - t_a
        out["server_pct"] = round(100 * (server_b - server_a) / span, 1)
        out["machine_busy_pct"] = round(100 * (busy_b - busy_a) / span, 1)
        out["other_processes_pct"] = round(out["machine_busy_pct"] - out["server_pct"] - out["load_generator_pct"], 1)
    out["machine_capacity_pct"] = 100 * (os.cpu_count() or 1)
    return out


def machine() -> dict:
    """What the figures were measured on: cores, CPU, memory, Python, Streamlit, the load before."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    meminfo = Path("/proc/meminfo").read_text().split()
    return {
        "cores": os.cpu_count(), "cpu": model,
        "memory_gib": round(int(meminfo[meminfo.index("MemTotal:") + 1]) / 1024 ** 2, 1),
        "python": platform.python_version(), "streamlit": streamlit.__version__,
        "platform": platform.platform(), "load_average_at_start": Path("/proc/loadavg").read_text().split()[:3],
    }


def summarise(args, outcomes: list[Outcome], samples, wall_s: float, own_cpu_s: float, idle_mb, warm: dict,
              server: dict, log_tracebacks: list[str]) -> dict:
    """Every figure of the printed report, as the JSON holds it."""
    errors: dict[str, dict] = {kind: {"count": 0, "samples": []} for kind in ERROR_KINDS}
    for outcome in outcomes:
        for kind, text in outcome.errors:
            errors[kind]["count"] += 1
            if len(errors[kind]["samples"]) < SAMPLES_PER_ERROR_KIND:
                errors[kind]["samples"].append(f"session {outcome.session} at {outcome.started_s:.0f} s: {text}")
    errors["server_traceback"] = {"count": len(log_tracebacks), "samples": log_tracebacks[:SAMPLES_PER_ERROR_KIND]}
    timed = [o for o in outcomes if o.latency_ms is not None]
    pages = sorted({o.page for o in outcomes}, key=warm["pages"].index)
    return {
        "command": shlex.join([sys.executable, *sys.argv]),
        "machine": machine(),
        "server": server,
        "dataset": args.dataset, "sessions": args.sessions, "duration_s": args.duration, "seed": args.seed,
        "think_s": args.think, "ramp_s": args.ramp, "timeout_s": args.timeout,
        "warm_up": warm,
        "interactions": {
            "total": len(outcomes), "open": sum(o.kind == "open" for o in outcomes),
            "change": sum(o.kind == "change" for o in outcomes), "wall_s": round(wall_s, 1),
            "per_s": round(len(outcomes) / wall_s, 2),
        },
        "errors_total": sum(e["count"] for e in errors.values()),
        "errors": errors,
        "latency_ms": {
            "all": percentiles([o.latency_ms for o in timed]),
            "by_kind": {kind: percentiles([o.latency_ms for o in timed if o.kind == kind]) for kind in ("open", "change")},
            "by_page": {page: percentiles([o.latency_ms for o in timed if o.page == page]) for page in pages},
        },
        "memory": memory_figures(samples, idle_mb, wall_s),
        "cpu": cpu_figures(samples, wall_s, own_cpu_s),
    }


def print_report(r: dict) -> None:
    m, i = r["machine"], r["interactions"]
    print(f"\nLoad test: {r['sessions']} sessions x {r['duration_s']:.0f} s on {r['dataset']}, "
          f"{r['think_s'][0]:g}-{r['think_s'][1]:g} s between interactions, "
          f"server {r['server']['url']} ({'started by this run' if r['server']['started_here'] else 'given'})")
    print(f"machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}, "
          f"Streamlit {m['streamlit']}, load average at start {' '.join(m['load_average_at_start'])}")
    w = r["warm_up"]
    print(f"warm-up: first request {w['first_request_ms']:.0f} ms (the server's first when this run started it); "
          f"pages {', '.join(w['pages'])}; "
          f"a query string alone on a later rerun is {w['query_string_on_rerun']} by the app")
    print(f"  {w['query_string_check']}\n  {w['widget_state_check']}")
    print(f"  first session {'keeps' if w['first_session_keeps_view'] else 'does NOT keep'} its view on its next rerun: "
          f"{w['first_session_check']}")
    print(f"interactions: {i['total']} in {i['wall_s']:.0f} s ({i['per_s']:.1f}/s): {i['open']} opened from a link, "
          f"{i['change']} page or filter changes")
    print(f"errors: {r['errors_total']}  (" + ", ".join(f"{k} {v['count']}" for k, v in r["errors"].items()) + ")")
    for kind, e in r["errors"].items():
        for sample in e["samples"]:
            print(f"  {kind}: {sample}")
    print(f"\n{'latency ms':<22}{'n':>6}{'p50':>8}{'p90':>8}{'p95':>8}{'p99':>8}{'max':>8}")

    def row(name: str, p: dict) -> None:
        cells = "".join(f"{'-' if p[k] is None else p[k]:>8}" for k in ("p50", "p90", "p95", "p99", "max"))
        print(f"{name:<22}{p['n']:>6}{cells}")

    row("all", r["latency_ms"]["all"])
    for kind, label in (("open", "open (new session)"), ("change", "change (open session)")):
        row(label, r["latency_ms"]["by_kind"][kind])
    for page, p in r["latency_ms"]["by_page"].items():
        row(f"page {page}", p)
    mem = r["memory"]
    if mem is None:
        print("\nserver memory: not measured (give --server-pid with --url)")
    else:
        idle = "" if mem["idle_mb"] is None else f"idle before the warm-up {mem['idle_mb']:.0f}, "
        print(f"\nserver RSS MB: {idle}start {mem['start_mb']:.0f}, max {mem['max_mb']:.0f}, end {mem['end_mb']:.0f}")
        print(f"growth: middle third median {mem['middle_third_median_mb']:.0f}, last third {mem['last_third_median_mb']:.0f}: "
              f"{mem['growth_mb']:+.1f} MB ({mem['growth_pct']:+.1f} %) "
              f"{'PASS' if mem['growth_pass'] else 'FAIL'} ({mem['growth_rule']})")
        print("RSS every 10 s: " + " | ".join(f"{t}s {mb:.0f}" for t, mb in mem["series_every_10s"]))
    c = r["cpu"]
    if "server_pct" in c:
        print(f"CPU, % of one core (the machine has {c['machine_capacity_pct']}): server {c['server_pct']:.0f}, "
              f"load generator {c['load_generator_pct']:.0f}, other processes {c['other_processes_pct']:.0f}, "
              f"machine busy {c['machine_busy_pct']:.0f}")
    else:
        print(f"CPU, % of one core: load generator {c['load_generator_pct']:.0f}")


async def main_async(args, ids, server_pid: int | None) -> tuple:
    warm = await warm_up(args, ids)
    outcomes, samples, wall_s, own_cpu_s = await run_load(args, ids, warm["pages"], server_pid)
    return warm, outcomes, samples, wall_s, own_cpu_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--duration", type=float, default=120, help="seconds")
    ap.add_argument("--dataset", default=paths.DEFAULT_DATASET)
    ap.add_argument("--data-dir", type=Path, default=paths.DATA_DIR)
    ap.add_argument("--url", help="a running server (default: start one on a free local port)")
    ap.add_argument("--server-pid", type=int, help="with --url: the server's process, to sample its memory")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--think", type=float, nargs=2, default=[0.5, 2.0], metavar=("MIN", "MAX"),
                    help="seconds a viewer pauses between interactions, uniform between MIN and MAX")
    ap.add_argument("--timeout", type=float, default=30, help="seconds to wait for one interaction")
    ap.add_argument("--ramp", type=float, default=5, help="seconds over which the sessions open their links")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    ids = filter_ids(args.dataset, args.data_dir)
    proc, log_path, server_pid = None, None, args.server_pid
    if args.url:
        args.url = args.url.rstrip("/")
        server = {"url": args.url, "started_here": False, "command": None}
    else:
        port = free_port()
        args.url = f"http://127.0.0.1:{port}"
        command = server_command(port, args.data_dir)
        handle, name = tempfile.mkstemp(prefix="care-load-server-", suffix=".log")
        os.close(handle)
        log_path = Path(name)
        print(f"starting the server: {shlex.join(command)} (log: {log_path})", flush=True)
        proc = start_server(command, args.url, log_path)
        server_pid = proc.pid
        server = {"url": args.url, "started_here": True, "command": shlex.join(command), "log": str(log_path)}
    try:
        idle_mb = rss_mb(tree_pids(server_pid)) if server_pid else None
        print(f"{args.sessions} sessions for {args.duration:.0f} s on {args.dataset} ...", flush=True)
        warm, outcomes, samples, wall_s, own_cpu_s = asyncio.run(main_async(args, ids, server_pid))
    finally:
        if proc is not None:
            stop_server(proc)
    tracebacks = server_tracebacks(log_path.read_text()) if log_path else []
    report = summarise(args, outcomes, samples, wall_s, own_cpu_s, idle_mb, warm, server, tracebacks)
    print_report(report)
    if args.json:
        every = {"outcomes": [asdict(o) for o in outcomes]}
        args.json.write_text(json.dumps({**report, **every}, indent=2, ensure_ascii=False))
    memory_ok = report["memory"] is None or report["memory"]["growth_pass"]
    sys.exit(0 if report["errors_total"] == 0 and memory_ok else 1)


if __name__ == "__main__":
    main()
