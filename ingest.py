"""Import sign-in sheets (CSV or XLSX) into a pseudonymised attendance dataset in data/NAME/.

    python ingest.py SHEET [SHEET ...] --dataset NAME [--title TITLE] [--replace]
    python ingest.py --make-key

Exit status: 0 imported; 2 invalid input or no key (nothing written, an existing dataset is left
exactly as it was); 1 the dataset could not be written (nothing changed; the message names the
folder, what happened, such as a full disk or a read-only data/, and what to do).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from care_dashboard import paths, store
from care_dashboard.ingest import identity, importer, sheets


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="ingest.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("sheets", nargs="*", type=Path, help="CSV or XLSX sign-in sheets")
    ap.add_argument("--dataset", help="dataset name: lower-case letters, digits and _ (written to data/NAME/)")
    ap.add_argument("--title", help="title shown in the dataset picker")
    ap.add_argument("--replace", action="store_true", help="build the dataset from these sheets only, dropping what it held")
    ap.add_argument("--make-key", action="store_true", help="create the secret pseudonymisation key file and stop")
    ap.add_argument("--data-dir", type=Path, default=paths.DATA_DIR, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.make_key:
        try:
            path = identity.make_key(data_dir=args.data_dir)
        except (FileExistsError, identity.KeyMissing) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"created {path} (readable only by you). Keep a copy in a safe place; never commit or share it.")
        return 0
    if not args.sheets or not args.dataset:
        ap.print_usage(sys.stderr)
        print("error: give one or more sheets and --dataset NAME", file=sys.stderr)
        return 2

    sources, problems = [], []
    for path in args.sheets:
        try:
            sources.append(sheets.Source(str(path), path.read_bytes()))
        except OSError as exc:
            problems.append(f"{path}: row 1: (file): cannot be read ({exc.strerror}); check the path")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("nothing was imported.", file=sys.stderr)
        return 2
    try:
        result = importer.import_sheets(sources, args.dataset, data_dir=args.data_dir, title=args.title, replace=args.replace)
    except identity.KeyMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except importer.ImportRefused as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        print(f"nothing was imported: fix the {len(exc.problems)} problem(s) above and run the command again.", file=sys.stderr)
        return 2
    except store.StoreError as exc:  # a full disk, a read-only data/, another import running...
        print(f"error: {exc}", file=sys.stderr)  # names the folder, what happened and what to do
        return 1
    except OSError as exc:
        print(f"error: could not write {args.data_dir / args.dataset}: {exc.strerror or exc}; nothing was changed.", file=sys.stderr)
        return 1
    print(result.summary.line())
    for warning in result.warnings:
        print(f"warning: {warning}")
    if result.dataset_totals != result.summary:
        print(f"dataset {result.dataset} now holds {result.dataset_totals.line().removeprefix('imported ')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
