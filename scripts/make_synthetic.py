"""Write the synthetic demo dataset ``data/care_2025_synthetic`` (invented attendance records whose
totals match the CARE 2025 published figures). See care_dashboard/synthetic.py.

Usage: python scripts/make_synthetic.py [--seed 2025] [--data-dir data]

The same seed gives the same records. The dataset is published like any record-level dataset
(``store.publish``: a new version under versions/, then the ``current`` link switches to it); the
older versions are then removed, so the committed folder holds exactly one version.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from care_dashboard import paths, store, synthetic  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=synthetic.SEED)
    ap.add_argument("--data-dir", type=Path, default=paths.DATA_DIR)
    args = ap.parse_args()
    reference = synthetic.load_reference(args.data_dir)
    tables = synthetic.generate(args.seed, reference)
    folder = store.publish(synthetic.NAME, "record_level", tables, synthetic.metadata(args.seed), args.data_dir)
    for old in (folder.parent).iterdir():
        if old != folder:
            shutil.rmtree(old)
    attendance = tables["attendance"]
    print(
        f"wrote {folder} (seed {args.seed}): {len(attendance)} attendance records, "
        f"{attendance['person_key'].nunique()} people, "
        f"{attendance['person_key'].isna().sum()} records without a person key"
    )


if __name__ == "__main__":
    main()
