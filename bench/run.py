"""Benchmark: the dashboard's page scripts and DuckDB queries against the usual pandas approach,
on a record-level dataset made by bench/generate.py.

    python bench/run.py --rows 10000000 [--repeat 5] [--json FILE] [--data-dir DIR] [--no-pandas]

Cases: every page (overview, territory, component, organisation, people) x every typical
interaction (first_load: the page opened in a new session; component_filter, territory_filter,
organisation_filter: that sidebar filter changed in an open session). The people page holds the
person-level views (exact distinct people, components per person, overlaps); the overview shows
distinct people too. For each case, medians of --repeat runs, each on a cache miss
(ui.VIEWS and st.cache_data cleared):
  dashboard_ms  server-side time of the page script (Streamlit AppTest in-process: dashboard.py,
                its sidebar and the page, from the rerun request to the last element)
  queries_ms    the part of it spent in DuckDB queries (queries.run timed while the page runs)
  pandas_ms     the same figures computed the usual way: the attendance table read once into
                pandas (not timed, as a cached app would), then filtered and grouped per interaction
Plus cold_start: the wall time of a fresh Python process that imports the app and renders the
overview of the dataset (what the first visitor after a server start waits for on the server),
and the peak memory (RSS) of each approach, each measured in its own process.

It prints a table and the targets of issue 5 with PASS/FAIL, and writes JSON
{"rows": N, "results": [{"case", "dashboard_ms", "pandas_ms", "dashboard_rss_mb", "pandas_rss_mb",
"queries_ms"}, ...], "cold_start_ms": ..., "targets": [...]}.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("overview", "territory", "component", "organisation", "people")
INTERACTIONS = ("first_load", "component_filter", "territory_filter", "organisation_filter")
CASES = [f"{page}/{interaction}" for page in PAGES for interaction in INTERACTIONS]


def case_filters(case: str, ids: dict) -> dict[str, list[str]]:
    interaction = case.split("/")[1]
    return {
        "component_filter": {"component": [ids["component"]]},
        "territory_filter": {"territory": [ids["territory"]]},
        "organisation_filter": {"organisation": [ids["organisation"]]},
    }.get(interaction, {})


def peak_rss_mb() -> float:
    """This process's peak resident memory. On Linux the high-water mark of its own memory
    (VmHWM): getrusage's ru_maxrss survives exec, so a worker started by a parent that had just
    generated 10M rows reported the parent's 3.9 GB as its own."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def use_data_dir(data_dir: Path) -> None:
    """Point the app at data_dir; it also needs the embedded dataset (its default) and the map."""
    from care_dashboard import paths

    if data_dir.resolve() != paths.DATA_DIR.resolve():
        for shared in ("care_2025", "geo"):
            if not (data_dir / shared).exists():
                (data_dir / shared).symlink_to(paths.DATA_DIR / shared)
        paths.DATA_DIR = data_dir


def sample_ids(dataset: str, data_dir: Path) -> dict[str, str]:
    """The filter values the cases pick: a busy component, the first organisation and its territory."""
    import duckdb

    from care_dashboard import datasets, queries

    ds = datasets.load_dataset(dataset, data_dir)
    with duckdb.connect() as con:
        datasets.attach(con, ds)
        orgs = queries.run(con, ds.schema_name, "organisation_options", {})
    return {"component": "human-rights", "territory": str(orgs["territory_id"].iloc[0]),
            "organisation": str(orgs["organisation_id"].iloc[0])}


def worker_dashboard(dataset: str, data_dir: Path, repeat: int) -> dict:
    use_data_dir(data_dir)
    ids = sample_ids(dataset, data_dir)
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from care_dashboard import queries

    spent = [0.0]
    plain_run = queries.run

    def timed_run(*args, **kwargs):
        started = time.perf_counter()
        try:
            return plain_run(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    queries.run = timed_run  # the page's DuckDB time, measured while the page runs

    def open_page(page: str, components=None):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        if components is not None:
            at._bidi_component_manager = components  # a server discovers components once, at start
        at.query_params = {"dataset": dataset}
        at.switch_page(str(ROOT / "pages" / f"{page}.py"))
        return at

    def timed(at) -> tuple[float, float]:
        from care_dashboard import ui

        st.cache_data.clear()
        ui.VIEWS.clear()  # every query of the page is a miss, and every figure and table built from them
        spent[0] = 0.0
        started = time.perf_counter()
        at.run()
        elapsed = (time.perf_counter() - started) * 1000
        assert not at.exception, [e.value for e in at.exception]
        return elapsed, spent[0] * 1000

    out = {}
    for page in PAGES:
        warm = open_page(page)
        warm.run()  # imports, component discovery: once per server, not per interaction
        assert not warm.exception, [e.value for e in warm.exception]
        for interaction in INTERACTIONS:
            case = f"{page}/{interaction}"
            p_times, q_times = [], []
            for _ in range(repeat):
                if interaction == "first_load":
                    at = open_page(page, warm._bidi_component_manager)
                else:
                    at = warm
                    for key in ("component", "territory", "organisation"):
                        at.sidebar.multiselect(key=key).set_value([])
                    at.run()  # back to no filter (not timed)
                    for key, value in case_filters(case, ids).items():
                        at.sidebar.multiselect(key=key).set_value(value)
                p, q = timed(at)
                p_times.append(p)
                q_times.append(q)
            out[case] = {"dashboard_ms": statistics.median(p_times), "queries_ms": statistics.median(q_times)}
    return {"cases": out, "rss_mb": peak_rss_mb()}


def worker_cold_start(dataset: str, data_dir: Path) -> dict:
    use_data_dir(data_dir)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    at.query_params = {"dataset": dataset}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and dataset in str(at.query_params.get("dataset")), "the overview of the dataset"
    return {"rss_mb": peak_rss_mb()}


def worker_pandas(dataset: str, data_dir: Path, repeat: int) -> dict:
    import pandas as pd

    from care_dashboard import datasets

    folder = datasets.load_dataset(dataset, data_dir).path
    att = pd.read_parquet(folder / "attendance.parquet")  # read once, as a cached app would
    ids = sample_ids(dataset, data_dir)

    def select(df, filters):
        mask = pd.Series(True, index=df.index)
        for key, col in (("component", "component_id"), ("territory", "territory_id"), ("organisation", "organisation_id")):
            if key in filters:
                mask &= df[col].isin(filters[key])
        return df[mask]

    def per(df, keys):
        return df.groupby(keys).agg(participations=("session_id", "size"), people=("person_key", "nunique"),
                                    organisations=("organisation_id", "nunique"))

    def page_work(page, df):
        keyed = df.dropna(subset=["person_key"])
        if page == "overview":
            len(df), df["organisation_id"].nunique(), df["territory_id"].nunique(), keyed["person_key"].nunique()
            per(df, "component_id")
        elif page == "territory":
            per(df, ["territory_id", "component_id"])
            df.groupby("territory_id").size()
        elif page == "component":
            per(df, "component_id")
        elif page == "organisation":
            per(df, ["organisation_id", "component_id"])
        elif page == "people":
            keyed["person_key"].nunique(), len(df), df["person_key"].isna().sum()
            keyed.groupby("person_key")["component_id"].agg(lambda s: "+".join(sorted(set(s)))).value_counts()
            keyed.groupby(["territory_id", "person_key"])["component_id"].nunique().groupby(level=0).value_counts()
            keyed.groupby("person_key")["component_id"].nunique().value_counts()
            per(df, ["organisation_id", "component_id"]), keyed.groupby("organisation_id")["person_key"].nunique()

    out = {}
    for case in CASES:
        page = case.split("/")[0]
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            page_work(page, select(att, case_filters(case, ids)))
            times.append((time.perf_counter() - started) * 1000)
        out[case] = {"pandas_ms": statistics.median(times)}
    return {"cases": out, "rss_mb": peak_rss_mb()}


def run_worker(kind: str, args) -> tuple[dict, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--rows", str(args.rows), "--repeat", str(args.repeat),
         "--data-dir", str(args.data_dir), "--dataset", args.dataset],
        capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    wall_ms = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), wall_ms


def targets(rows: int, results: list[dict], cold_start_ms: float, rss_mb: float) -> list[dict]:
    """Issue 5's targets that apply at this size, each with its measured value and PASS/FAIL."""
    out = []
    worst = max(results, key=lambda r: r["dashboard_ms"])
    if rows <= 10_000_000 or rows <= 50_000_000:
        limit = 150 if rows <= 10_000_000 else 600
        out.append({"target": f"every case <= {limit} ms median", "measured": f"{worst['dashboard_ms']:.1f} ms ({worst['case']})",
                    "ok": worst["dashboard_ms"] <= limit})
    out.append({"target": "dashboard peak RSS <= 1500 MB", "measured": f"{rss_mb:.0f} MB", "ok": rss_mb <= 1500})
    with_pandas = [r for r in results if r["pandas_ms"] is not None]
    if with_pandas:
        ratios = [r["pandas_ms"] / r["dashboard_ms"] for r in with_pandas]
        geomean = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
        slowest = min(with_pandas, key=lambda r: r["pandas_ms"] / r["dashboard_ms"])
        out.append({"target": "geometric mean of pandas/dashboard >= 10", "measured": f"{geomean:.1f}x", "ok": geomean >= 10})
        out.append({"target": "never slower than pandas", "measured":
                    f"lowest {min(ratios):.2f}x ({slowest['case']})", "ok": min(ratios) >= 1})
    out.append({"target": "first page after a server start <= 3000 ms", "measured": f"{cold_start_ms:.0f} ms",
                "ok": cold_start_ms <= 3000})
    return out


def main() -> None:
    from care_dashboard import paths

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--data-dir", type=Path, default=paths.DATA_DIR)
    ap.add_argument("--dataset")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-pandas", action="store_true",
                    help="skip the pandas baseline (at 50M rows it needs more memory than the machine has)")
    ap.add_argument("--worker", choices=["dashboard", "pandas", "cold_start"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.dataset = args.dataset or f"bench_{args.rows}"
    if args.worker:
        if args.worker == "cold_start":
            print(json.dumps(worker_cold_start(args.dataset, args.data_dir)))
        else:
            work = worker_dashboard if args.worker == "dashboard" else worker_pandas
            print(json.dumps(work(args.dataset, args.data_dir, args.repeat)))
        return
    if not (args.data_dir / args.dataset / "current").exists():
        print(f"generating {args.dataset} ...", flush=True)
        # in its own process: generating takes gigabytes, and the workers are measured alone
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--rows", str(args.rows),
                        "--seed", str(args.seed), "--dataset", args.dataset, "--data-dir", str(args.data_dir)],
                       check=True)
    colds = [run_worker("cold_start", args) for _ in range(min(args.repeat, 3))]
    cold_start_ms = statistics.median(wall for _, wall in colds)
    dash, _ = run_worker("dashboard", args)
    pand = None if args.no_pandas else run_worker("pandas", args)[0]
    rss = max(dash["rss_mb"], *(c["rss_mb"] for c, _ in colds))
    results = [
        {"case": case, "dashboard_ms": round(dash["cases"][case]["dashboard_ms"], 1),
         "queries_ms": round(dash["cases"][case]["queries_ms"], 1),
         "pandas_ms": None if pand is None else round(pand["cases"][case]["pandas_ms"], 1),
         "dashboard_rss_mb": round(rss, 1), "pandas_rss_mb": None if pand is None else round(pand["rss_mb"], 1)}
        for case in CASES
    ]
    print(f"{'case':<34}{'page ms':>10}{'queries ms':>12}{'pandas ms':>11}{'ratio':>8}")
    for r in results:
        ratio = f"{r['pandas_ms'] / r['dashboard_ms']:>8.1f}" if r["pandas_ms"] is not None else f"{'-':>8}"
        pandas_ms = f"{r['pandas_ms']:>11.1f}" if r["pandas_ms"] is not None else f"{'-':>11}"
        print(f"{r['case']:<34}{r['dashboard_ms']:>10.1f}{r['queries_ms']:>12.1f}{pandas_ms}{ratio}")
    print(f"cold start (fresh process to rendered overview): {cold_start_ms:.0f} ms")
    print(f"peak RSS: dashboard {rss:.0f} MB" + ("" if pand is None else f", pandas {pand['rss_mb']:.0f} MB"))
    checks = targets(args.rows, results, cold_start_ms, rss)
    for c in checks:
        print(f"{'PASS' if c['ok'] else 'FAIL'}  {c['target']}: {c['measured']}")
    if args.json:
        args.json.write_text(json.dumps({
            "rows": args.rows, "repeat": args.repeat, "machine": f"{os.cpu_count()} cores, {platform.python_version()}",
            "results": results, "cold_start_ms": round(cold_start_ms, 1), "targets": checks}, indent=2))


if __name__ == "__main__":
    main()
