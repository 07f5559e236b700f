"""One import: read the sheets, validate everything, pseudonymise, deduplicate, merge, publish.

Merging: a dataset grows sheet by sheet. A session is (component, date, city as written on the
sheet). When an import brings a session the dataset already has, the new rows replace that
session's old rows (a corrected sheet replaces the old one), so importing the same sheet again
changes nothing. The pages of one session must therefore be imported together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import datasets, paths, schema, store
from . import identity, reference, sheets, validate
from .normalise import slug

ATTENDANCE_COLUMNS = list(schema.ATTENDANCE.columns)


class ImportRefused(ValueError):
    """Invalid input: nothing was written. ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


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


def _read_all(sources: list[sheets.Source]) -> tuple[list[sheets.Sheet], list[str], list[str]]:
    found, problems, warnings = [], [], []
    seen: dict[str, str] = {}
    for source in sources:
        digest = hashlib.sha256(source.data).hexdigest()
        if digest in seen:
            warnings.append(f"{source.label}: the same file as {seen[digest]}; read once")
            continue
        seen[digest] = source.label
        try:
            read = sheets.read(source)
        except sheets.SheetError as exc:
            problems.append(f"{exc}".replace(f"{source.label}: ", f"{source.label}: row 1: (file): ", 1))
            continue
        for sheet in read:
            if sheet.ignored_headers:
                warnings.append(f"{sheet.label}: row {sheet.header_row}: columns not used: {', '.join(sheet.ignored_headers)}")
            if sheet.duplicate_headers:
                warnings.append(f"{sheet.label}: row {sheet.header_row}: repeated columns not used: {', '.join(sheet.duplicate_headers)}")
            if sheet.header_row is not None and "document" not in sheet.columns:
                warnings.append(f"{sheet.label}: row {sheet.header_row}: no document number column; every row counts as a participation with unknown identity")
        found += read
    return found, problems, warnings


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
) -> ImportResult:
    """Validate every sheet, then write the dataset atomically. Raises ImportRefused (nothing
    written), identity.KeyMissing, or OSError/store.StoreError from the write (nothing changed;
    store.StoreWriteError: the disk refused it, store.StoreBusy: another import kept running)."""
    data_dir = data_dir or paths.DATA_DIR
    datasets.validate_name(dataset)
    target = data_dir / dataset
    if (target / "dataset.toml").exists():
        raise ImportRefused([f"{dataset}: is a built dataset (the embedded published figures); import into another dataset name"])
    key = key or identity.load_key(data_dir)
    ref = reference.load()

    found, problems, warnings = _read_all(sources)
    raw, norm, row_problems = validate.validate(found, ref, today)
    problems += row_problems
    if problems:
        raise ImportRefused(problems)

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

        org_ids, organisations = _organisations(norm, ref, existing["organisations"] if existing else None, warnings)
        homes = dict(zip(organisations["organisation_id"], organisations["territory_id"]))
        batch = pd.DataFrame({
            "session_id": [f"{c}/{d:%Y-%m-%d}/{t}" for c, d, t in zip(norm["component_id"], norm["session_date"], norm["territory_id"])],
            "session_date": norm["session_date"],
            "component_id": norm["component_id"],
            "territory_id": org_ids.map(homes),
            "organisation_id": org_ids,
            "person_key": norm["document"].map(lambda d: identity.person_key(d, key) if isinstance(d, str) else None),
            "role": norm["role"],
        }, index=norm.index)
        del norm  # the only copy of the normalised document numbers in this function
        batch = _dedupe(batch, raw, warnings)
        unknown = batch["person_key"].isna()
        if unknown.any():
            where = ", ".join(f"{lbl}: row {r}" for lbl, r in raw.loc[batch.index[unknown], ["label", "row"]].itertuples(index=False))
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
            "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "key_id": identity.key_id(key),
        }
        path = store.publish(dataset, "record_level", {
            "territories": territories, "components": components,
            "organisations": organisations, "attendance": attendance,
        }, metadata, data_dir)
        return ImportResult(dataset, _totals(batch), _totals(attendance), warnings, path)
