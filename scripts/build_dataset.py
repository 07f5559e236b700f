"""Rebuild a published-aggregate dataset's parquet files from its CSV sources.

Usage: python scripts/build_dataset.py [data/care_2025]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from care_dashboard import build, paths  # noqa: E402


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else paths.DATA_DIR / paths.DEFAULT_DATASET
    try:
        written = build.build(target)
    except build.SourceError as exc:
        print(f"not built; fix these source problems and run again:\n{exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(paths.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
