"""Benchmark: the dashboard's page scripts and DuckDB queries against the usual pandas approach,
on a record-level dataset made by bench/generate.py.

    python bench/run.py --rows 1000000 [--repeat 5] [--json FILE] [--data-dir DIR]

For each typical interaction (first load; a component, territory or organisation filter; the
person-level views: distinct people, components per person, overlaps) it measures, as medians of
--repeat runs on a cache miss:
  dashboard_ms  server-side time of the page script (Streamlit AppTest, fresh cache each run)
  queries_ms    the time of that page's DuckDB queries alone
  pandas_ms     the same figures computed the usual way: the attendance table read once into
                pandas (not timed, as a cached app would), then filtered and grouped per interaction
and the peak memory (RSS) of each approach, each measured in its own process.
Prints a table and writes JSON {"rows": N, "results": [{"case", "dashboard_ms", "pandas_ms",
"dashboard_rss_mb", "pandas_rss_mb", "queries_ms"}, ...]}.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE_OF = {"first_load": "overview", "component_filter": "territory", "territory_filter": "territory",
           "organisation_filter": "organisation", "distinct_people": "overview",
           "components_per_person": "people", "overlaps": "people"}
QUERIES_OF = {
    "overview": ["total_participations", "organisations_engaged", "territories_reached", "distinct_people", "component_reach"],
    "territory": ["coverage_by_territory", "participations_by_territory"],
    "organisation": ["organisation_matrix"],
    "people": ["distinct_people", "total_participations", "people_by_components_attended", "component_overlaps", "people_by_organisation"],
}


def case_filters(case: str, ids: dict) -> dict:
    return {
        "component_filter": {"components": ["human-rights"]},
        "territory_filter": {"territories": [ids["territory"]]},
        "organisation_filter": {"organisations": [ids["organisation"]]},
    }.get(case, {})


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_dashboard(dataset: str, data_dir: Path, repeat: int) -> dict:
    import duckdb

    from care_dashboard import datasets, paths, queries

    if data_dir.resolve() != paths.DATA_DIR.resolve():
        # the app also needs the embedded dataset (its default) and the map boundaries
        for shared in ("care_2025", "geo"):
            if not (data_dir / shared).exists():
                (data_dir / shared).symlink_to(paths.DATA_DIR / shared)
        paths.DATA_DIR = data_dir
    ds = datasets.load_dataset(dataset, data_dir)
    con = duckdb.connect()
    datasets.attach(con, ds)
    orgs = queries.run(con, ds.schema_name, "organisation_options", {})
    ids = {"territory": orgs["territory_id"].iloc[0], "organisation": orgs["organisation_id"].iloc[0]}
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    out = {}
    for case, page in PAGE_OF.items():
        filters = case_filters(case, ids)
        params = {"components": None, "territories": None, "organisations": None, **filters}
        q_times, p_times = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            for name in QUERIES_OF[page]:
                q = queries.get(name)
                queries.run(con, ds.schema_name, name, {k: params.get(k, 5) for k in q.params})
            q_times.append((time.perf_counter() - started) * 1000)
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
            at.query_params = {"dataset": dataset, **{k[:-1]: v for k, v in filters.items()}}
            at.switch_page(str(ROOT / "pages" / f"{page}.py"))
            st.cache_data.clear()  # every query of the page is a cache miss
            started = time.perf_counter()
            at.run()
            p_times.append((time.perf_counter() - started) * 1000)
            assert not at.exception, [e.value for e in at.exception]
        out[case] = {"dashboard_ms": statistics.median(p_times), "queries_ms": statistics.median(q_times)}
    return {"cases": out, "rss_mb": peak_rss_mb()}


def worker_pandas(dataset: str, data_dir: Path, repeat: int) -> dict:
    import pandas as pd

    from care_dashboard import datasets

    folder = datasets.load_dataset(dataset, data_dir).path
    att = pd.read_parquet(folder / "attendance.parquet")  # read once, as a cached app would
    ids = {"territory": att["territory_id"].iloc[0], "organisation": att["organisation_id"].iloc[0]}

    def select(df, filters):
        mask = pd.Series(True, index=df.index)
        for col, key in (("component_id", "components"), ("territory_id", "territories"), ("organisation_id", "organisations")):
            if key in filters:
                mask &= df[col].isin(filters[key])
        return df[mask]

    def page_work(page, df):
        if page in ("overview", "territory"):
            df.groupby(["territory_id", "component_id"]).agg(n=("session_id", "size"), orgs=("organisation_id", "nunique"),
                                                            people=("person_key", "nunique"))
            df["person_key"].nunique()
            df["organisation_id"].nunique()
            df["territory_id"].nunique()
        if page == "organisation":
            df.groupby(["organisation_id", "component_id"]).agg(n=("session_id", "size"), people=("person_key", "nunique"))
        if page in ("people", "overview"):
            keyed = df.dropna(subset=["person_key"])
            sets = keyed.groupby("person_key")["component_id"].agg(lambda s: "+".join(sorted(set(s))))
            sets.value_counts()
            keyed.groupby("person_key")["component_id"].nunique().value_counts()

    out = {}
    for case, page in PAGE_OF.items():
        filters = case_filters(case, ids)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            page_work(page, select(att, filters))
            times.append((time.perf_counter() - started) * 1000)
        out[case] = {"pandas_ms": statistics.median(times)}
    return {"cases": out, "rss_mb": peak_rss_mb()}


def run_worker(kind: str, args) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--rows", str(args.rows), "--repeat", str(args.repeat),
         "--data-dir", str(args.data_dir), "--dataset", args.dataset],
        capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from care_dashboard import paths

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--data-dir", type=Path, default=paths.DATA_DIR)
    ap.add_argument("--dataset")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--worker", choices=["dashboard", "pandas"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.dataset = args.dataset or f"bench_{args.rows}"
    if args.worker:
        work = worker_dashboard if args.worker == "dashboard" else worker_pandas
        print(json.dumps(work(args.dataset, args.data_dir, args.repeat)))
        return
    if not (args.data_dir / args.dataset / "current").exists():
        from bench.generate import generate

        print(f"generating {args.dataset} ...", flush=True)
        generate(args.rows, args.seed, args.dataset, args.data_dir)
    dash, pand = run_worker("dashboard", args), run_worker("pandas", args)
    results = [
        {"case": case, "dashboard_ms": round(dash["cases"][case]["dashboard_ms"], 1),
         "queries_ms": round(dash["cases"][case]["queries_ms"], 1),
         "pandas_ms": round(pand["cases"][case]["pandas_ms"], 1),
         "dashboard_rss_mb": round(dash["rss_mb"], 1), "pandas_rss_mb": round(pand["rss_mb"], 1)}
        for case in PAGE_OF
    ]
    print(f"{'case':<22}{'page ms':>10}{'queries ms':>12}{'pandas ms':>11}{'ratio':>8}")
    for r in results:
        print(f"{r['case']:<22}{r['dashboard_ms']:>10.1f}{r['queries_ms']:>12.1f}{r['pandas_ms']:>11.1f}"
              f"{r['pandas_ms'] / r['dashboard_ms']:>8.2f}")
    print(f"peak RSS: dashboard {dash['rss_mb']:.0f} MB, pandas {pand['rss_mb']:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "results": results}, indent=2))


if __name__ == "__main__":
    main()
