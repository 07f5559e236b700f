"""Serving benchmark: the server's CPU per rerun of every dashboard page, against the floor
(issue 15).

    python bench/serving.py [--reruns 9] [--dataset NAME ...] [--data-dir DIR] [--json FILE]
                            [--profile PAGE]

In one process, with Streamlit's AppTest: first the floor, bench/floor_page.py (a minimal page
with the same elements as a dashboard page: a sidebar with 3 multiselects and 2 radios, 3 Plotly
bar charts, 20 captions, 3 download buttons, a table, and none of the work); then every page of
the dashboard (overview, territory, component, organisation, people, method, present: its first
slide, and its map slide) on each dataset (default: the embedded ``care_2025``; ``--dataset`` may
be given several times, e.g. ``--dataset care_2025 --dataset bench_10000000 --data-dir
/tmp/benchdata`` for the dataset of bench/generate.py).

Each page is opened as a link is (dataset in the query string), run three times to warm the
caches (the data queries, and whatever the dashboard keeps per dataset version and selection),
then rerun ``--reruns`` times with nothing changed, as a viewer's interaction finds a server that
has answered the same view before, each rerun after one of the floor page. Measured per rerun:
the process's CPU time (every thread: the script thread and the query threads it starts) and
the wall time; the table gives the median of each, the floor's median in the reruns alongside,
and the ratio of the two. The floor row gives the median of all the floor's reruns. The
machine is noisy: read the ratios. AppTest is made to rerun as a server does
(``serve_like_a_server``: scripts compiled once, no legacy ``pages/`` mode after the first
``st.navigation``); ``--plain-apptest`` measures AppTest as it is.

``--profile PAGE`` also writes a cProfile of that page's reruns (the script thread) to
``/tmp/serving-PAGE.prof`` and prints its top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("overview", "territory", "component", "organisation", "people", "method", "present", "present_map")
WARM_RUNS = 3


def _page_file(page: str) -> Path:
    return ROOT / "pages" / f"{page.split('_')[0] if page.startswith('present') else page}.py"


def measure(at, reruns: int, profile_to: Path | None = None, floor_at=None) -> dict:
    """Median process CPU ms and wall ms of ``reruns`` reruns of an AppTest already warmed. With
    ``floor_at`` (the floor page, warmed), each rerun of the page follows one of the floor, and
    the floor's figures measured alongside are returned too (``floor``): the machine is noisy,
    and a ratio of figures taken side by side holds better than one of figures taken minutes
    apart."""
    cpu, wall = [], []
    floor_cpu, floor_wall = [], []
    profiler = None
    if profile_to is not None:
        import cProfile
        import threading

        profiler = cProfile.Profile()
        threading.setprofile(lambda *a: None)  # AppTest's script thread: profiled below
    for _ in range(reruns):
        if floor_at is not None:
            c0, w0 = time.process_time(), time.perf_counter()
            floor_at.run()
            floor_cpu.append((time.process_time() - c0) * 1000)
            floor_wall.append((time.perf_counter() - w0) * 1000)
        c0, w0 = time.process_time(), time.perf_counter()
        if profiler is not None:
            _run_profiled(at, profiler)
        else:
            at.run()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        assert not at.exception, [e.value for e in at.exception]
    if profiler is not None:
        import pstats

        profiler.dump_stats(str(profile_to))
        pstats.Stats(str(profile_to)).sort_stats("cumulative").print_stats(45)
    out = {"cpu_ms": statistics.median(cpu), "wall_ms": statistics.median(wall),
           "cpu_ms_all": [round(x, 2) for x in cpu]}
    if floor_at is not None:
        out["floor"] = {"cpu_ms": statistics.median(floor_cpu), "wall_ms": statistics.median(floor_wall),
                        "cpu_ms_all": [round(x, 2) for x in floor_cpu]}
    return out


def _run_profiled(at, profiler) -> None:
    """Run the AppTest with the profiler switched on in the script's thread (AppTest runs the
    script in a thread of its own)."""
    import threading

    def hook(*_):
        if threading.current_thread().name.startswith("ScriptRunner"):
            sys.setprofile(None)
            profiler.enable()

    threading.setprofile(hook)
    try:
        at.run()
    finally:
        threading.setprofile(None)
        profiler.disable()


_NAVIGATED = [False]


def serve_like_a_server() -> None:
    """Make AppTest's reruns cost what a server's do. AppTest differs from a running server in
    two ways that cost CPU on every rerun and are not the app's: it compiles the scripts anew
    for each run (a new ``ScriptCache`` per run; a server compiles each script once), and it
    turns Streamlit's legacy ``pages/`` mode back on before each run (``PagesManager`` is reset),
    so the entry script runs inside an extra ``st.navigation`` of every script in ``pages/``; a
    server leaves that mode for good with the first ``st.navigation`` (see
    ``ui_nav.leave_legacy_pages_mode``). The floor page has no ``pages/`` folder and a short script,
    so without this the dashboard's pages pay 10-30 ms a rerun that the floor does not.
    ``--plain-apptest`` measures without it."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared
    local_script_runner.ScriptCache = lambda: shared
    plain_init = PagesManager.__init__

    def init(self, *args, **kwargs):
        plain_init(self, *args, **kwargs)
        if _NAVIGATED[0]:
            PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def floor_app():
    """The floor page's AppTest, warmed."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "bench" / "floor_page.py"), default_timeout=120)
    for _ in range(WARM_RUNS):
        at.run()
    assert len(at.get("plotly_chart")) == 3 and len(at.caption) == 20 and len(at.sidebar.multiselect) == 3
    assert len(at.sidebar.radio) == 2 and len(at.get("download_button")) == 3 and len(at.dataframe) == 1
    return at


def dashboard_page(page: str, dataset: str, reruns: int, components=None, profile_to: Path | None = None,
                   floor_at=None) -> tuple[dict, object]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    if components is not None:
        at._bidi_component_manager = components  # a server discovers its components once, at start
    at.query_params = {"dataset": dataset}
    at.switch_page(str(_page_file(page)))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    _NAVIGATED[0] = True  # st.navigation has run once in this process
    if page == "present_map":
        at.session_state["slide"] = 2  # the deck: the headline figures, the components, the map
    for _ in range(WARM_RUNS - 1):
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page == "present_map":
        assert [c.proto.id for c in at.get("plotly_chart")][0].endswith("slide_territory_map")
    found = measure(at, reruns, profile_to, floor_at)
    assert page.startswith("present") or at.title, f"{page}: no title, the page did not run"
    return found, at._bidi_component_manager


def main() -> None:
    from care_dashboard import paths

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reruns", type=int, default=9)
    ap.add_argument("--dataset", action="append", help="default: care_2025; may be repeated")
    ap.add_argument("--data-dir", type=Path, default=paths.DATA_DIR)
    ap.add_argument("--pages", nargs="*", default=list(PAGES), choices=PAGES)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--profile", choices=PAGES)
    ap.add_argument("--plain-apptest", action="store_true",
                    help="AppTest as it is, compiling the scripts and running the legacy pages mode on every rerun")
    args = ap.parse_args()
    if not args.plain_apptest:
        serve_like_a_server()
    datasets_ = args.dataset or [paths.DEFAULT_DATASET]
    if args.data_dir.resolve() != paths.DATA_DIR.resolve():
        from bench.run import use_data_dir

        use_data_dir(args.data_dir)
    for name in datasets_:
        if not ((paths.DATA_DIR / name / "dataset.toml").exists() or (paths.DATA_DIR / name / "current").exists()):
            raise SystemExit(f"no dataset {name} in {paths.DATA_DIR} (bench/generate.py makes one)")

    floor_at = floor_app()
    rows, floors = [], []
    components = None
    for name in datasets_:
        for page in args.pages:
            prof = Path(f"/tmp/serving-{page}.prof") if args.profile == page else None
            found, components = dashboard_page(page, name, args.reruns, components, prof, floor_at)
            floors += found["floor"]["cpu_ms_all"]
            rows.append({"page": page, "dataset": name, **found, "ratio": found["cpu_ms"] / found["floor"]["cpu_ms"]})
    base = {"cpu_ms": statistics.median(floors), "wall_ms": statistics.median(
        w for r in rows for w in [r["floor"]["wall_ms"]])}
    rows.insert(0, {"page": "floor (bench/floor_page.py)", "dataset": "-", **base, "ratio": 1.0})

    print(f"CPU per rerun, median of {args.reruns} reruns, caches warm "
          f"({os.cpu_count()} cores, Python {platform.python_version()})")
    print("x floor: the page's median over the floor's median in the reruns alternating with it")
    print(f"{'page':<30}{'dataset':<18}{'ms CPU':>9}{'ms wall':>9}{'floor ms':>10}{'x floor':>9}")
    for r in rows:
        beside = f"{r['floor']['cpu_ms']:>10.1f}" if "floor" in r else f"{'':>10}"
        print(f"{r['page']:<30}{r['dataset']:<18}{r['cpu_ms']:>9.1f}{r['wall_ms']:>9.1f}{beside}{r['ratio']:>9.2f}")
    worst = {name: max((r for r in rows if r["dataset"] == name), key=lambda r: r["ratio"]) for name in datasets_}
    for name, r in worst.items():
        print(f"worst on {name}: {r['page']} at {r['ratio']:.2f}x the floor")
    if args.json:
        args.json.write_text(json.dumps({"reruns": args.reruns, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
