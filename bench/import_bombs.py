"""Import hostile sheets again and again for a while, through importer.import_sheets (the page's
and the CLI's path: reading in the limited child process), into a scratch data folder.

    python bench/import_bombs.py --seconds 60 [--json out.json]

Run it beside bench/load.py to see what an import of a bomb costs the viewers of a server
(docs/reliability.md, "Hostile uploads during a load"). Each round imports: the dimension bomb,
the deflate bomb (300 MB of XML), the CSV that froze csv.Sniffer, a 200,000-character field,
XXE and billion-laughs workbooks, and two that run into the child's own limits: 300 MB in one
shared string with the unzip limit lifted (memory) and the deflate bomb with every data limit
lifted (time, 20 s). Prints, per kind, how often it was refused, with what, and how long it took.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from care_dashboard.ingest import importer  # noqa: E402
from care_dashboard.ingest.limits import Limits  # noqa: E402
from care_dashboard.ingest.sheets import Source  # noqa: E402
from tests import hostile_sheets as hs  # noqa: E402

KEY = b"import-bombs-bench-key-0123456789abcdef0123"


def bombs() -> list[tuple[str, Source, Limits | None]]:
    deflate = hs.deflate_bomb(300)
    return [
        ("dimension", Source("bomb_dim.xlsx", hs.dimension_bomb()), None),
        ("deflate", Source("bomb_deflate.xlsx", deflate), None),
        ("redos", Source("redos.csv", hs.redos_csv()), None),
        ("long_field", Source("larga.csv", hs.long_field_csv(200_000)), None),
        ("xxe", Source("xxe.xlsx", hs.entity_workbook("xxe")), None),
        ("laughs", Source("laughs.xlsx", hs.entity_workbook("laughs")), None),
        ("memory", Source("bomb_sst.xlsx", hs.shared_string_bomb(300)),
         Limits(max_unpacked_bytes=10**12, max_cell_chars=10**9)),
        ("time", Source("bomb_deflate.xlsx", deflate),
         Limits(max_unpacked_bytes=10**12, max_rows=10**9, max_cells=10**10, wall_seconds=20)),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    cases = bombs()
    outcomes: dict[str, list] = defaultdict(list)
    deadline = time.monotonic() + args.seconds
    with tempfile.TemporaryDirectory(prefix="care-bombs-") as scratch:
        data_dir = Path(scratch) / "data"
        while time.monotonic() < deadline:
            for kind, source, limits in cases:
                if time.monotonic() >= deadline:
                    break
                started = time.monotonic()
                try:
                    importer.import_sheets([source], "bombs", data_dir=data_dir, key=KEY, limits=limits)
                    what = "IMPORTED"
                except importer.LimitExceeded as exc:
                    what = f"limit:{exc.code}"
                except importer.ImportRefused as exc:
                    what = "refused:" + exc.problems[0].split(": ", 3)[-1][:60]
                outcomes[kind].append((what, round(time.monotonic() - started, 2)))
                print(f"{kind:10s} {what:70s} {outcomes[kind][-1][1]:6.2f} s", flush=True)
        left = sorted(p.name for p in data_dir.iterdir() if p.name != ".imports.lock") if data_dir.exists() else []
    summary = {kind: {"imports": len(v), "outcomes": sorted({w for w, _ in v}),
                      "max_s": max(s for _, s in v), "median_s": sorted(s for _, s in v)[len(v) // 2]}
               for kind, v in outcomes.items()}
    summary["_written"] = left
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    return 0 if not left and all("IMPORTED" not in s["outcomes"] for k, s in summary.items() if k != "_written") else 1


if __name__ == "__main__":
    sys.exit(main())
