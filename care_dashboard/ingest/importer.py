"""One import: read the sheets, validate everything, pseudonymise, deduplicate, merge, publish.

Merging: a dataset grows sheet by sheet. A session is (component, date, city as written on the
sheet). When an import brings a session the dataset already has, the new rows replace that
session's old rows (a corrected sheet replaces the old one), so importing the same sheet again
changes nothing. The pages of one session must therefore be imported together.

Hostile input (docs/security.md, "Uploads"): the uploaded bytes are read, checked and
pseudonymised in a child process with memory and time limits (``isolation``; ``prepare`` is that
work), within the data limits of ``limits.Limits``; imports run one at a time
(``import_queue``). Only the prepared rows (person keys, no names or document numbers) come
back; merging and writing happen here, after a clean result.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import datasets, paths, schema, store
from . import identity, import_queue, isolation, reference, sheets
from .limits import DEFAULT as DEFAULT_LIMITS
from .limits import ImportRefused, LimitExceeded, Limits
from .normalise import slug
from .prepare import Prepared, Progress, ProgressCallback, _quiet, prepare

__all__ = ["ImportRefused", "LimitExceeded", "Limits", "Progress", "ImportResult", "Summary", "import_sheets",
           "RESERVED_NAMES", "check_title"]

ATTENDANCE_COLUMNS = list(schema.ATTENDANCE.columns)

# Dataset names an import never writes: the folders of data/ that are part of the repository
# (tests/test_import_guards.py checks this against .gitignore's exceptions to /data/*).
RESERVED_NAMES = frozenset({paths.DEFAULT_DATASET, "care_2025_synthetic", "geo"})
IMPORTED_MARK = "imported"  # dataset.toml key: true in every version an import writes
TITLE_MAX_CHARS = 80
TITLE_PUNCTUATION = set(" .,;:()'\"-\u2013\u2014/&+#%!?\u00bf\u00a1\u00ba\u00aa\u00b0")


@dataclass(frozen=True)
class Summary:
    participations: int
    participants: int
    organisations: int
    sessions: int

    def line(self) -> str:
        return (f"imported {self.participations} participations, {self.participants} distinct participants, "
                f"{self.organisations} organisations, {self.sessions} sessions")


@dataclass
class ImportResult:
    dataset: str
    summary: Summary
    dataset_totals: Summary
    warnings: list[str] = field(default_factory=list)
    path: Path | None = None


def check_title(title: str | None) -> str | None:
    """The problem with a dataset title, or None. Titles show in every visitor's dataset picker
    and page footer, where Streamlit reads Markdown: only letters, digits, spaces and plain
    punctuation, no link or icon syntax, at most TITLE_MAX_CHARS (security_probe.md, 2 and 11)."""
    if title is None or title == "":
        return None
    what = None
    if len(title) > TITLE_MAX_CHARS:
        what = f"is {len(title)} characters long; use at most {TITLE_MAX_CHARS}"
    elif any(not (unicodedata.category(c)[0] in "LNM" or c in TITLE_PUNCTUATION) for c in title):
        what = ("holds a character that is not a letter, a digit, a space or plain punctuation "
                "(. , ; : ( ) ' \" - / & + # % ! ?)")
    elif re.search(r"://|www\.|:material/|:[a-z_]+:|:[a-z]+\[", title, re.I):
        what = "looks like a link or an icon code; write the title as plain words"
    return None if what is None else f"title: {what}"


def _check_target(dataset: str, data_dir: Path) -> None:
    """Refuse to write into a folder that an import did not make (finding 3): the repository's
    datasets and map data, a built dataset, anything else already in data/."""
    if dataset in RESERVED_NAMES:
        raise ImportRefused([f"{dataset}: is a built dataset of the repository (the published figures, the synthetic demo or the map data); import into another dataset name"])
    folder = data_dir / dataset
    if not folder.exists() and not folder.is_symlink():
        return
    if (folder / "dataset.toml").exists():
        raise ImportRefused([f"{dataset}: is a built dataset (the embedded published figures); import into another dataset name"])
    meta = datasets.dataset_root(folder) / "dataset.toml"
    if meta.is_file():
        try:
            found = datasets.read_metadata(meta)
        except datasets.DatasetError:
            found = {}
        if found.get(IMPORTED_MARK) is True or "key_id" in found:  # key_id: imports made before the mark
            return
    elif _only_leftovers(folder):
        return  # a first import that was killed: the store removes what it left
    raise ImportRefused([f"{dataset}: data/{dataset} exists and was not made by an import (its dataset.toml has no "
                         f"'{IMPORTED_MARK} = true'); import into another dataset name"])


def _only_leftovers(folder: Path) -> bool:
    if folder.is_symlink() or not folder.is_dir():
        return False
    for entry in folder.iterdir():
        if entry.name == store.VERSIONS and entry.is_dir() and not entry.is_symlink():
            if any(not v.name.startswith(store.TMP_PREFIX) for v in entry.iterdir()):
                return False
        elif not entry.name.startswith(store.LINK_PREFIX):
            return False
    return True


def _check_sizes(sources: list[sheets.Source], limits: Limits) -> None:
    if len(sources) > limits.max_files:
        raise LimitExceeded("files", None, n=len(sources), limit=limits.max_files)
    total = sum(len(s.data) for s in sources)
    if total > limits.max_total_bytes:
        raise LimitExceeded("total_bytes", None, size_bytes=total, limit_bytes=limits.max_total_bytes)


def _organisations(norm: pd.DataFrame, ref: reference.Reference, existing: pd.DataFrame | None, warnings: list[str]) -> tuple[pd.Series, pd.DataFrame]:
    """Organisation id for each row, and the organisations table (existing rows kept)."""
    ids = norm["organisation_name"].map(lambda n: ref.organisation_id(n) or slug(n))
    names = {}
    for oid, group in norm.groupby(ids):
        canonical = ref.organisation_id(group["organisation_name"].iloc[0])
        names[oid] = oid.upper() if canonical else Counter(group["organisation_name"]).most_common(1)[0][0]
    homes = {}
    for oid, group in norm.groupby(ids):
        counts = Counter(group["territory_id"])
        homes[oid] = counts.most_common(1)[0][0]
        if len(counts) > 1:
            listed = ", ".join(f"{ref.territories[t]['territory_name']} ({n} rows)" for t, n in counts.most_common())
            warnings.append(f"organisation {names[oid]} appears with several cities: {listed}; "
                            f"counted in {ref.territories[homes[oid]]['territory_name']}, its most frequent")
    new = pd.DataFrame({"organisation_id": list(names), "organisation_name": [names[o] for o in names],
                        "territory_id": [homes[o] for o in names]})
    if existing is not None and len(existing):
        new = new[~new["organisation_id"].isin(existing["organisation_id"])]
        table = pd.concat([existing[["organisation_id", "organisation_name", "territory_id"]], new], ignore_index=True)
    else:
        table = new
    table = table.sort_values(["territory_id", "organisation_name"], kind="stable").reset_index(drop=True)
    table["is_name_published"] = True
    table["unnamed_index"] = pd.array([None] * len(table), dtype="Int32")
    table["sort_order"] = range(1, len(table) + 1)
    table["source_section"] = None
    return ids, table


def _dedupe(batch: pd.DataFrame, raw: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    keyed = batch["person_key"].notna()
    dup = keyed & batch.duplicated(["session_id", "person_key"], keep="first")
    if dup.any():
        first = batch[keyed].drop_duplicates(["session_id", "person_key"]).set_index(["session_id", "person_key"]).index
        firsts = dict(zip(first, batch[keyed].drop_duplicates(["session_id", "person_key"]).index))
        for idx in batch.index[dup]:
            f = firsts[(batch.at[idx, "session_id"], batch.at[idx, "person_key"])]
            warnings.append(
                f"{raw.at[idx, 'label']}: row {raw.at[idx, 'row']}: the same document number signed twice for "
                f"session {batch.at[idx, 'session_id']} (first at {raw.at[f, 'label']}: row {raw.at[f, 'row']}); counted once")
    return batch[~dup]


def _totals(att: pd.DataFrame) -> Summary:
    return Summary(len(att), int(att["person_key"].nunique()), int(att["organisation_id"].nunique()), int(att["session_id"].nunique()))


def import_sheets(
    sources: list[sheets.Source],
    dataset: str,
    *,
    data_dir: Path | None = None,
    key: bytes | None = None,
    title: str | None = None,
    replace: bool = False,
    today: dt.date | None = None,
    limits: Limits | None = None,
    isolated: bool = True,
    on_progress: ProgressCallback = _quiet,
) -> ImportResult:
    """Validate every sheet, then write the dataset atomically. Raises ImportRefused (nothing
    written; LimitExceeded when a limit of ``limits`` was hit), identity.KeyMissing, or
    OSError/store.StoreError from the write (nothing changed; store.StoreWriteError: the disk
    refused it, store.StoreBusy: another import kept running).

    ``isolated`` (the default; the CLI and the page use it) reads the sheets in a child process
    under the memory and time limits; False reads them in this process, under the data limits
    only (tests that patch the reading). ``on_progress`` hears what the import is doing."""
    data_dir = data_dir or paths.DATA_DIR
    limits = limits or DEFAULT_LIMITS
    datasets.validate_name(dataset)
    _check_target(dataset, data_dir)
    title_problem = check_title(title)
    if title_problem:
        raise ImportRefused([f"{dataset}: {title_problem}"])
    _check_sizes(sources, limits)
    key = key or identity.load_key(data_dir)

    with import_queue.one_at_a_time(data_dir, on_progress):
        run = isolation.prepare if isolated else prepare
        prepared: Prepared = run(sources, key, today, limits, on_progress)
        if prepared.problems:
            raise ImportRefused(prepared.problems)
        on_progress(Progress("writing"))
        return _merge_and_publish(prepared, dataset, data_dir, key, title, replace)


def _merge_and_publish(prepared: Prepared, dataset: str, data_dir: Path, key: bytes, title: str | None,
                       replace: bool) -> ImportResult:
    ref = reference.load()
    rows, warnings = prepared.rows, list(prepared.warnings)
    # One import into a dataset at a time, from reading the version it extends to the switch:
    # two imports at once would otherwise each merge into the same old version and one would
    # lose the other's sessions. A second import waits (store.StoreBusy after store.LOCK_WAIT_S).
    with store.dataset_lock(dataset, data_dir):
        existing = None if replace else store.current_tables(dataset, data_dir)
        if existing is not None:
            old_meta = datasets.load_dataset(dataset, data_dir).metadata
            if old_meta.get("key_id") not in (None, identity.key_id(key)):
                raise ImportRefused([f"{dataset}: was imported with another pseudonymisation key; the same people would get "
                                     "other keys and be counted twice. Use the original key, or import with --replace"])

        org_ids, organisations = _organisations(rows, ref, existing["organisations"] if existing else None, warnings)
        homes = dict(zip(organisations["organisation_id"], organisations["territory_id"]))
        batch = pd.DataFrame({
            "session_id": [f"{c}/{d:%Y-%m-%d}/{t}" for c, d, t in zip(rows["component_id"], rows["session_date"], rows["territory_id"])],
            "session_date": rows["session_date"],
            "component_id": rows["component_id"],
            "territory_id": org_ids.map(homes),
            "organisation_id": org_ids,
            "person_key": rows["person_key"],
            "role": rows["role"],
        }, index=rows.index)
        batch = _dedupe(batch, rows, warnings)
        unknown = batch["person_key"].isna()
        if unknown.any():
            where = ", ".join(f"{lbl}: row {r}" for lbl, r in rows.loc[batch.index[unknown], ["label", "row"]].itertuples(index=False))
            warnings.append(f"{int(unknown.sum())} rows have no document number: counted as participations with unknown identity ({where})")
        batch = batch[ATTENDANCE_COLUMNS]

        if existing is not None:
            old = existing["attendance"].assign(session_date=lambda d: pd.to_datetime(d["session_date"]).astype("datetime64[ns]"))
            replaced = sorted(set(old["session_id"]) & set(batch["session_id"]))
            if replaced:
                warnings.append(f"{len(replaced)} sessions already in {dataset} were replaced by these sheets: {', '.join(replaced)}")
            attendance = pd.concat([old[~old["session_id"].isin(batch["session_id"])], batch], ignore_index=True)
        else:
            attendance = batch.reset_index(drop=True)

        used = organisations["organisation_id"].isin(attendance["organisation_id"])
        organisations = organisations[used].reset_index(drop=True)
        territories = pd.DataFrame([r for tid, r in ref.territories.items() if tid in set(organisations["territory_id"])])
        territories["latitude"] = territories["latitude"].astype(float)
        territories["longitude"] = territories["longitude"].astype(float)
        territories["sort_order"] = territories["sort_order"].astype(int)
        periods = attendance.groupby("component_id")["session_date"].agg(["min", "max"]).apply(lambda c: c.dt.date)
        components = pd.DataFrame([
            {**{k: r[k] for k in ("component_id", "component_name_en", "component_name_es", "audience_id")},
             "period_start_date": periods["min"].get(cid), "period_end_date": periods["max"].get(cid),
             "period_precision": "day", "reach_unit": "participations", "sort_order": int(r["sort_order"]),
             "source_section": None}
            for cid, r in ref.components.items()
        ])
        metadata = {
            "title_en": title or f"Attendance records: {dataset}",
            "title_es": title or f"Registros de asistencia: {dataset}",
            "is_synthetic": False,
            "source_citation_en": "Sign-in sheets of the programme's sessions, imported and pseudonymised with this dashboard.",
            "source_citation_es": "Listas de asistencia de las sesiones del programa, importadas y seudonimizadas con este tablero.",
            "source_short_en": "Sign-in sheets of the programme, pseudonymised",
            "source_short_es": "Listas de asistencia del programa, seudonimizadas",
            "licence_en": "Partners only: pseudonymised personal data (see docs on access)",
            "licence_es": "Solo para socios: datos personales seudonimizados (vea la documentación de acceso)",
            IMPORTED_MARK: True,  # an import may write into this folder again (_check_target)
            "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "key_id": identity.key_id(key),
        }
        path = store.publish(dataset, "record_level", {
            "territories": territories, "components": components,
            "organisations": organisations, "attendance": attendance,
        }, metadata, data_dir)
        return ImportResult(dataset, _totals(batch), _totals(attendance), warnings, path)
