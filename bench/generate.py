"""Seeded generator of record-level attendance datasets, in exactly the format the import writes
(``data/NAME/versions/<id>/`` + ``current``; tables and types of care_dashboard/schema.py), at any
size, written by DuckDB straight to parquet (50M rows never pass through pandas).

    python bench/generate.py --rows 1000000 [--seed 7] [--dataset bench_1m] [--data-dir DIR]

Shape, all scaled from --rows: about 12 attendances per person over five years (2021-2025), one
organisation per person (3 % of people move: half their records are with a second organisation),
about 2,500 attendances per organisation, up to 1,100 territories, weekly session days, the four components (OHS 40 %, human rights 35 %, soft skills 20 %,
formalisation 5 % with leaders), 3 % of records without a person key. The same person never signs
twice for one session (as after the import's deduplication). Synthetic: nothing here is real.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from care_dashboard import paths, schema, store  # noqa: E402


def shape(rows: int) -> dict[str, int]:
    organisations = max(16, rows // 2500)
    return {
        "rows": rows,
        "people": max(50, rows // 12),
        "organisations": organisations,
        "territories": min(1100, max(4, organisations // 8)),
    }


def write(folder: Path, rows: int, seed: int, threads: int = 2) -> None:
    s = shape(rows)
    con = duckdb.connect()
    con.execute(f"SET threads TO {threads}")
    con.execute("SET preserve_insertion_order = false")
    params = {"seed": seed, "rows": rows, "people": s["people"], "orgs": s["organisations"], "terrs": s["territories"]}
    con.execute(
        """
        CREATE TABLE territories AS
        SELECT printf('t%04d', i) AS territory_id, printf('Territory %d', i) AS territory_name,
               printf('Department %d', i % 32) AS department_name, printf('%02d', i % 32) AS department_code,
               printf('%05d', i) AS divipola_code, 1.0 + (i % 90) * 0.1 AS latitude, -78.0 + (i % 110) * 0.1 AS longitude,
               i::INTEGER AS sort_order, 'synthetic benchmark data' AS source_note
        FROM range(1, $terrs + 1) r(i)
        """, {"terrs": s["territories"]})
    con.execute(
        """
        CREATE TABLE organisations AS
        SELECT printf('o%06d', i) AS organisation_id, printf('Organisation %d', i) AS organisation_name,
               printf('t%04d', 1 + hash(i, $seed) % $terrs) AS territory_id, true AS is_name_published,
               NULL::INTEGER AS unnamed_index, i::INTEGER AS sort_order, NULL::VARCHAR AS source_section
        FROM range(1, $orgs + 1) r(i)
        """, {"seed": seed, "orgs": s["organisations"], "terrs": s["territories"]})
    con.execute(
        """
        CREATE TABLE people AS
        SELECT p AS person, sha256(printf('bench-%d-%d', $seed, p)) AS person_key,
               printf('o%06d', 1 + hash(p, $seed + 1) % $orgs) AS organisation_id,
               -- 3 % of people move: half their records are with a second organisation
               printf('o%06d', 1 + hash(p, $seed + 6) % $orgs) AS second_organisation_id,
               hash(p, $seed + 7) % 100 < 3 AS moves
        FROM range($people) r(p)
        """, {"seed": seed, "people": s["people"], "orgs": s["organisations"]})
    con.execute(
        """
        CREATE TABLE attendance AS
        WITH draws AS (
            SELECT
                i,
                hash(i, $seed + 2) % $people AS person,
                hash(i, $seed + 3) % 100 AS component_draw,
                DATE '2021-01-04' + 7 * (hash(i, $seed + 4) % 260)::INTEGER AS session_date,
                hash(i, $seed + 5) % 100 < 3 AS without_key,
                hash(i, $seed + 8) % 2 = 1 AS second_half
            FROM range(($rows * 1.08)::BIGINT) r(i)
        ),
        rows AS (
            SELECT
                CASE WHEN component_draw < 40 THEN 'ohs' WHEN component_draw < 75 THEN 'human-rights'
                     WHEN component_draw < 95 THEN 'soft-skills' ELSE 'formalisation' END AS component_id,
                d.session_date, o.territory_id, o.organisation_id,
                CASE WHEN without_key THEN NULL ELSE p.person_key END AS person_key,
                CASE WHEN component_draw >= 95 THEN 'leader' ELSE 'member' END AS role,
                d.i
            FROM draws d JOIN people p USING (person)
            JOIN organisations o
              ON o.organisation_id = CASE WHEN p.moves AND d.second_half THEN p.second_organisation_id
                                          ELSE p.organisation_id END
        )
        SELECT component_id || '/' || strftime(session_date, '%Y-%m-%d') || '/' || territory_id AS session_id,
               session_date, component_id, territory_id, organisation_id, person_key, role
        FROM rows
        QUALIFY person_key IS NULL
             OR row_number() OVER (PARTITION BY component_id, session_date, territory_id, person_key ORDER BY i) = 1
        ORDER BY i  -- the same rows whatever the threads: the seed alone decides the data
        LIMIT $rows
        """, {k: params[k] for k in ("seed", "rows", "people")})
    reference = paths.CONTENT_DIR / "reference" / "components.csv"
    con.execute(
        f"""
        CREATE TABLE components AS
        SELECT c.component_id, c.component_name_en, c.component_name_es, c.audience_id,
               min(a.session_date) AS period_start_date, max(a.session_date) AS period_end_date,
               'day' AS period_precision, 'participations' AS reach_unit, c.sort_order::INTEGER AS sort_order,
               NULL::VARCHAR AS source_section
        FROM read_csv('{reference}', header = true, all_varchar = true) c
        LEFT JOIN attendance a USING (component_id)
        GROUP BY ALL
        """)
    for table in schema.STORED_TABLES["record_level"]:
        casts = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in table.columns.items())
        con.execute(f"COPY (SELECT {casts} FROM {table.name}) TO '{folder / (table.name + '.parquet')}' "
                    f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)")
    con.close()


def generate(rows: int, seed: int, dataset: str, data_dir: Path | None = None) -> Path:
    meta = {"title_en": f"Benchmark: {rows:,} synthetic attendance records",
            "title_es": f"Prueba de rendimiento: {rows:,} registros sintéticos",
            "is_synthetic": True, "source_citation": "bench/generate.py (synthetic)", "licence": "CC0",
            "bench_rows": rows, "bench_seed": seed}
    return store.publish_with(dataset, "record_level", lambda folder: write(folder, rows, seed), meta, data_dir)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dataset", help="default: bench_<rows>")
    ap.add_argument("--data-dir", type=Path, default=paths.DATA_DIR)
    args = ap.parse_args()
    name = args.dataset or f"bench_{args.rows}"
    started = time.perf_counter()
    path = generate(args.rows, args.seed, name, args.data_dir)
    size = sum(p.stat().st_size for p in path.iterdir())
    print(f"wrote {path} ({args.rows:,} rows, {size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s; shape {shape(args.rows)}")


if __name__ == "__main__":
    main()
