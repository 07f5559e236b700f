"""Import sign-in sheets (CSV or XLSX) into a pseudonymised attendance dataset in data/NAME/.

    python ingest.py SHEET [SHEET ...] --dataset NAME [--programme FILE] [--title TITLE]
                     [--replace-sessions | --replace] [--lang es]
    python ingest.py --make-key

Places are any Colombian municipality; components beyond CARE 2025's four are declared in a
programme file (see care_dashboard/ingest/programme.py and the README, "Importing sign-in
sheets"). Messages are in English, or Spanish with --lang es (or CARE_LANG=es).

Exit status: 0 imported; 2 invalid input or no key (nothing written, an existing dataset is left
exactly as it was); 1 the dataset could not be written (nothing changed; the message names the
folder, what happened, such as a full disk or a read-only data/, and what to do).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from care_dashboard import datasets, i18n, paths, store
from care_dashboard.ingest import identity, ids, importer, programme, sheets
from care_dashboard.ingest.messages import text_of


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="ingest.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("sheets", nargs="*", type=Path, help="CSV or XLSX sign-in sheets")
    ap.add_argument("--dataset", help="dataset name: lower-case letters, digits and _ (written to data/NAME/)")
    ap.add_argument("--title", help="title shown in the dataset picker")
    ap.add_argument("--programme", type=Path, help="programme file (TOML) declaring the programme's components")
    ap.add_argument("--replace-sessions", action="store_true",
                    help="drop what the dataset holds for the sessions of these sheets (a corrected sheet); "
                         "without it, sheets of one session add up")
    ap.add_argument("--replace", action="store_true", help="build the dataset from these sheets only, dropping what it held")
    ap.add_argument("--lang", choices=i18n.LANGS, default=os.environ.get("CARE_LANG", "en"), help="language of the messages")
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

    lang = args.lang
    say = lambda m: text_of(m, lang)  # noqa: E731
    bad_name = ids.name_problem(args.dataset, lang)
    if bad_name:
        print(f"ingest.py: {bad_name}", file=sys.stderr)
        print(i18n.t("import.cli.nothing", lang), file=sys.stderr)
        return 2
    sources, problems = [], []
    for path in args.sheets:
        try:
            sources.append(sheets.Source(str(path), path.read_bytes()))
        except OSError as exc:
            problems.append(f"{path}: row 1: (file): cannot be read ({exc.strerror}); check the path")
    the_programme = None
    if args.programme:
        try:
            the_programme = programme.parse(args.programme.read_bytes(), str(args.programme))
        except OSError as exc:
            problems.append(f"{args.programme}: cannot be read ({exc.strerror}); check the path")
        except programme.ProgrammeError as exc:
            problems += [say(p) for p in exc.problems]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(i18n.t("import.cli.nothing", lang), file=sys.stderr)
        return 2
    try:
        result = importer.import_sheets(sources, args.dataset, data_dir=args.data_dir, title=args.title,
                                        replace=args.replace, replace_sessions=args.replace_sessions,
                                        programme=the_programme)
    except identity.KeyMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except datasets.DatasetError as exc:  # a name the check above let through: still a sentence
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except importer.LimitExceeded as exc:  # one sentence that says itself what to do
        print(exc.text(lang), file=sys.stderr)
        print(i18n.t("import.cli.nothing", lang), file=sys.stderr)
        return 2
    except importer.ImportRefused as exc:
        print("\n".join(say(p) for p in exc.problems), file=sys.stderr)
        unknown = getattr(exc, "unknown_components", [])
        if unknown:
            print("\n" + i18n.t("import.summary_texts.suggest_heading", lang), file=sys.stderr)
            print(programme.suggested_entries(unknown), file=sys.stderr)
        print(i18n.t("import.cli.refused", lang, n=len(exc.problems)), file=sys.stderr)
        return 2
    except store.StoreError as exc:  # a full disk, a read-only data/, another import running...
        print(f"error: {exc}", file=sys.stderr)  # names the folder, what happened and what to do
        return 1
    except OSError as exc:
        print(f"error: could not write {args.data_dir / args.dataset}: {exc.strerror or exc}; nothing was changed.", file=sys.stderr)
        return 1
    assert result.summary is not None and result.dataset_totals is not None  # apply counts both
    print(i18n.t("import.cli.imported", lang, summary=result.summary.text(lang)))
    for warning in result.warnings:
        print(i18n.t("import.cli.warning", lang, text=say(warning)))
    if result.dataset_totals != result.summary:
        print(i18n.t("import.cli.now_holds", lang, dataset=result.dataset, summary=result.dataset_totals.text(lang)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
