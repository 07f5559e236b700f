"""One import: read the sheets, validate everything, pseudonymise, deduplicate, merge, publish.

In two steps, so a partner sees what will happen before anything is written: ``plan_import``
reads and checks every sheet and says what the import would add (rows, people, sessions, places
with their departments, components, the worksheets read) and what it would drop; ``apply``
writes it. ``import_sheets`` does both at once (the command line).

Merging: a dataset grows sheet by sheet. A session is (component, date, city). The sheets of
one session add up, however many files it comes in: a person signed twice in one session counts
once, and a file imported before (the same bytes) is not read again, so importing the same sheet
twice changes nothing. Replacing what a dataset holds for the sessions of these sheets (a
corrected sheet) is an explicit choice (``replace_sessions``), and the plan says what it drops;
``replace`` starts the dataset again from these sheets only.

A plan counts what it would drop against the version of the dataset it read (``base_version``).
Applied after another import has written a new version, replacing would drop rows the plan never
counted: ``apply`` then refuses with ``DatasetChanged`` (nothing written) and the plan must be
made again. Adding needs no such check: it is merged again with the version current at the write.

Places are any Colombian municipality (the gazetteer); components are CARE 2025's four, those
the dataset already has, and those a programme file declares (``programme``). Every problem and
warning is a ``messages.Message``, shown in the reader's language.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import datasets, i18n, paths, schema, store
from . import identity, import_queue, isolation, programme as programmes, reference, sheets
from .ids import RESERVED_NAMES, organisation_ids
from .limits import DEFAULT as DEFAULT_LIMITS, ImportRefused, LimitExceeded, Limits
from .messages import Message
from .prepare import ROW_COLUMNS, Prepared, Progress, ProgressCallback, _quiet, prepare

__all__ = ["ImportRefused", "LimitExceeded", "Limits", "Progress", "ImportResult", "Summary", "import_sheets",
           "RESERVED_NAMES", "check_title", "Plan", "plan_import", "apply", "DatasetChanged"]

ATTENDANCE_COLUMNS = list(schema.ATTENDANCE.columns)

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
        return self.text("en")

    def text(self, lang: str) -> str:
        """ "47 participations, 17 people, 7 organisations, 14 sessions", in ``lang``."""
        n = lambda v: i18n.number(v, lang)  # noqa: E731
        return i18n.t("import.summary", lang, participations=n(self.participations), people=n(self.participants),
                      organisations=n(self.organisations), sessions=n(self.sessions))


@dataclass
class ImportResult:
    dataset: str
    # None: saved by a worker that stopped before it could count (the Import page, ui_import.py)
    summary: Summary | None
    dataset_totals: Summary | None
    warnings: Sequence[str] = field(default_factory=list)
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
        raise ImportRefused([Message("dataset_reserved", dataset)])
    folder = data_dir / dataset
    if not folder.exists() and not folder.is_symlink():
        return
    if (folder / "dataset.toml").exists():
        raise ImportRefused([Message("dataset_reserved", dataset)])
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
    raise ImportRefused([Message("dataset_not_imported", dataset, mark=IMPORTED_MARK)])


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


def _organisations(norm: pd.DataFrame, ref: reference.Reference, existing: pd.DataFrame | None, warnings: list[str]
                   ) -> tuple[pd.Series, pd.DataFrame, dict[str, str]]:
    """Organisation id for each row (``ids.organisation_ids``: one per distinct name, the one the
    dataset has for it already), the organisations table (existing rows kept), and the existing
    ids it changes (old -> new)."""
    known = {} if existing is None else dict(zip(existing["organisation_id"], existing["organisation_name"]))
    listed = set(ref.aliases["organisation"].values())
    id_of, renamed = organisation_ids(norm["organisation_name"], ref.organisation_id, listed, known)
    if renamed and existing is not None:  # an empty id a dataset was given before ids were checked
        existing = existing.assign(organisation_id=existing["organisation_id"].replace(renamed))
    ids = norm["organisation_name"].map(id_of)
    names = {}
    for oid, group in norm.groupby(ids):
        names[oid] = oid.upper() if oid in listed else Counter(group["organisation_name"]).most_common(1)[0][0]
    homes = {}
    for oid, group in norm.groupby(ids):
        counts = Counter(group["territory_id"])
        homes[oid] = counts.most_common(1)[0][0]
        if len(counts) > 1:
            cities = ", ".join(f"{ref.territory_name(t)} ({n})" for t, n in counts.most_common())
            warnings.append(Message("organisation_several_cities", organisation=names[oid], cities=cities,
                                    home=ref.territory_name(homes[oid])))
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
    return ids, table, renamed


def _dedupe(batch: pd.DataFrame, raw: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    keyed = batch["person_key"].notna()
    dup = keyed & batch.duplicated(["session_id", "person_key"], keep="first")
    if dup.any():
        first = batch[keyed].drop_duplicates(["session_id", "person_key"]).set_index(["session_id", "person_key"]).index
        firsts = dict(zip(first, batch[keyed].drop_duplicates(["session_id", "person_key"]).index))
        labels, numbers = raw["label"], raw["row"]
        for idx in batch.index[dup]:
            f = firsts[(batch.at[idx, "session_id"], batch.at[idx, "person_key"])]
            warnings.append(Message("signed_twice", labels.loc[idx], int(numbers.loc[idx]),
                                    first=f"{labels.loc[f]}: {int(numbers.loc[f])}"))
    return batch[~dup]


def _totals(att: pd.DataFrame) -> Summary:
    return Summary(len(att), int(att["person_key"].nunique()), int(att["organisation_id"].nunique()), int(att["session_id"].nunique()))


@dataclass
class Plan:
    """What an import would do, found before anything is written (``plan_import``); ``apply``
    writes it. ``batch`` is the new attendance (person keys, no names or numbers)."""

    dataset: str
    data_dir: Path
    key: bytes
    title: str | None
    replace: bool
    replace_sessions: bool
    programme: programmes.Programme | None
    catalogue: reference.ComponentCatalogue
    prepared: Prepared
    digests: list[str]
    skipped_files: list[str]
    summary: Summary  # of these sheets
    places: list[dict]  # territory_id, territory_name, department_name, participations
    components: list[dict]  # component_id, names, participations, is_new (not in the dataset before)
    sessions_joined: list[dict]  # sessions the dataset has already that these sheets add to
    sessions_replaced: list[dict]  # with replace_sessions: the sessions whose old rows are dropped
    dropped_rows: int  # rows of the dataset these sheets would drop (replace_sessions or replace)
    dropped_people: int  # people who would then no longer be in the dataset at all
    warnings: list[Message]
    base_version: str | None = None  # the dataset's version this plan was worked out on (None: no dataset)
    base_totals: Summary | None = None  # what that version held

    @property
    def sheets_read(self) -> list[tuple[str, int]]:
        return self.prepared.sheets_read

    @property
    def nothing_new(self) -> bool:
        """Every file was imported into the dataset before: applying it changes nothing."""
        return not self.digests


def _digest(source: sheets.Source) -> str:
    import hashlib

    return hashlib.sha256(source.data).hexdigest()


def _session_label(session_id: str, ref: reference.Reference, catalogue: reference.ComponentCatalogue, lang: str) -> str:
    """A session as a person reads it: "Derechos humanos, 14 Apr 2026, Bogotá" (never its id)."""
    cid, day, tid = session_id.split("/", 2)
    name = catalogue.rows.get(cid, {}).get(f"component_name_{lang}", cid)
    try:
        place = ref.territory_name(tid)
    except KeyError:
        place = tid
    return f"{name}, {i18n.date(dt.date.fromisoformat(day), lang, 'medium')}, {place}"


def plan_import(
    sources: list[sheets.Source],
    dataset: str,
    *,
    data_dir: Path | None = None,
    key: bytes | None = None,
    title: str | None = None,
    replace: bool = False,
    replace_sessions: bool = False,
    programme: programmes.Programme | None = None,
    only_sheets: dict | None = None,
    today: dt.date | None = None,
    limits: Limits | None = None,
    isolated: bool = True,
    on_progress: ProgressCallback = _quiet,
) -> Plan:
    """Read and check every sheet and work out what the import would do; nothing is written.
    Raises ImportRefused (with every problem, each a ``Message``), LimitExceeded or
    identity.KeyMissing."""
    data_dir = data_dir or paths.DATA_DIR
    limits = limits or DEFAULT_LIMITS
    datasets.validate_name(dataset)
    _check_target(dataset, data_dir)
    title_problem = check_title(title)
    if title_problem:
        raise ImportRefused([Message("plain", dataset, text=title_problem)])
    _check_sizes(sources, limits)
    key = key or identity.load_key(data_dir)
    ref = reference.load()
    # the version first: a version written between the two reads makes apply refuse, never drop
    base_version = store.current_version(dataset, data_dir)
    existing = None if replace else store.current_tables(dataset, data_dir)
    base_totals = _totals(existing["attendance"]) if existing is not None else None
    old_meta = datasets.load_dataset(dataset, data_dir).metadata if existing is not None else {}
    if existing is not None and old_meta.get("key_id") not in (None, identity.key_id(key)):
        raise ImportRefused([Message("key_mismatch", dataset)])
    catalogue = reference.component_catalogue(programme, existing["components"] if existing else None)
    known = set(old_meta.get("imported_files", [])) if existing is not None else set()
    fresh = [s for s in sources if _digest(s) not in known]
    skipped = [s.label for s in sources if _digest(s) in known]
    if not fresh:  # every file was read into the dataset before: nothing to do, and nothing is written
        prepared = Prepared([], [], pd.DataFrame(columns=ROW_COLUMNS))
    else:
        with import_queue.one_at_a_time(data_dir, on_progress):
            run = isolation.prepare if isolated else prepare
            prepared = run(fresh, key, today, limits, on_progress, catalogue=catalogue, only_sheets=only_sheets)
    if prepared.problems:
        refusal = ImportRefused(prepared.problems)
        refusal.unknown_components = prepared.unknown_components
        raise refusal
    assert prepared.rows is not None  # None only with problems, refused above
    warnings = [Message("already_imported", label, dataset=dataset) for label in skipped] + list(prepared.warnings)
    batch, organisations, org_warnings = _batch(prepared.rows, ref, existing)
    warnings += org_warnings

    old = None if existing is None else _attendance(existing)
    joined: list[dict] = []
    replaced: list[dict] = []
    dropped_rows, dropped_people = 0, 0
    if old is not None:
        shared = sorted(set(old["session_id"]) & set(batch["session_id"]))
        for sid in shared:
            entry = {"session_id": sid, "rows_before": int((old["session_id"] == sid).sum()),
                     "rows_added": int((batch["session_id"] == sid).sum())}
            (replaced if replace_sessions else joined).append(entry)
        if replace_sessions and shared:
            gone = old[old["session_id"].isin(shared)]
            dropped_rows = len(gone)
            kept_people = set(old.loc[~old["session_id"].isin(shared), "person_key"].dropna()) | set(batch["person_key"].dropna())
            dropped_people = len(set(gone["person_key"].dropna()) - kept_people)
    elif replace:
        current = store.current_tables(dataset, data_dir)
        if current is not None:
            base_totals = _totals(current["attendance"])
            dropped_rows = len(current["attendance"])
            dropped_people = len(set(current["attendance"]["person_key"].dropna()) - set(batch["person_key"].dropna()))
    for entry in joined:
        warnings.append(Message("session_adds_up", before=entry["rows_before"], added=entry["rows_added"],
                                session={lang: _session_label(entry["session_id"], ref, catalogue, lang)
                                         for lang in i18n.LANGS}))
    places = []
    for tid, n in batch.groupby("territory_id").size().sort_values(ascending=False).items():
        row = ref.territory_row(str(tid))
        places.append({"territory_id": tid, "territory_name": row["territory_name"],
                       "department_name": row["department_name"], "participations": int(n)})
    before = set(existing["components"]["component_id"]) if existing else set()
    components = [{"component_id": cid, "name_en": catalogue.rows[cid]["component_name_en"],
                   "name_es": catalogue.rows[cid]["component_name_es"], "participations": int(n),
                   "is_new": existing is not None and cid not in before}
                  for cid, n in batch.groupby("component_id").size().items()]
    components.sort(key=lambda c: catalogue.rows[c["component_id"]]["sort_order"])
    return Plan(dataset, data_dir, key, title, replace, replace_sessions, programme, catalogue, prepared,
                [_digest(s) for s in fresh], skipped, _totals(batch), places, components, joined, replaced,
                dropped_rows, dropped_people, warnings, base_version=base_version, base_totals=base_totals)


def import_sheets(sources: list[sheets.Source], dataset: str, **options) -> ImportResult:
    """Validate every sheet, then write the dataset atomically: ``apply(plan_import(...))``.
    Raises ImportRefused (nothing written; LimitExceeded when a limit of ``limits`` was hit),
    identity.KeyMissing, or OSError/store.StoreError from the write (nothing changed;
    store.StoreWriteError: the disk refused it, store.StoreBusy: another import kept running).

    ``isolated`` (the default; the CLI and the page use it) reads the sheets in a child process
    under the memory and time limits; False reads them in this process, under the data limits
    only (tests that patch the reading). ``on_progress`` hears what the import is doing."""
    on_progress = options.get("on_progress", _quiet)
    plan = plan_import(sources, dataset, **options)
    on_progress(Progress("writing"))
    return apply(plan)


def _attendance(tables: dict) -> pd.DataFrame:
    return tables["attendance"].assign(session_date=lambda d: pd.to_datetime(d["session_date"]).astype("datetime64[ns]"))


def _batch(rows: pd.DataFrame, ref: reference.Reference, existing: dict | None) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """The new attendance rows (deduplicated within these sheets) and the organisations table."""
    warnings: list = []
    org_ids, organisations, renamed = _organisations(rows, ref, existing["organisations"] if existing else None, warnings)
    if renamed and existing is not None:  # the dataset's own rows follow their organisation's new id (the caller reads them next)
        existing["attendance"] = existing["attendance"].assign(
            organisation_id=existing["attendance"]["organisation_id"].replace(renamed))
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
        where = rows.loc[batch.index[unknown], ["label", "row"]]
        for label, group in where.groupby("label", sort=False):
            warnings.append(Message("no_document", str(label), group["row"].astype(int).tolist()))
    return batch[ATTENDANCE_COLUMNS], organisations, warnings


class DatasetChanged(store.StoreError):
    """The dataset is no longer at the version the plan was worked out on: another import wrote
    it since. Nothing was written; ``before`` is what the plan saw (None: no dataset), ``now``
    what the dataset holds (None: it is gone)."""

    def __init__(self, dataset: str, before: Summary | None, now: Summary | None):
        super().__init__(
            f"{dataset} changed while this import was being checked (another import was saved: it held "
            f"{before.line() if before else 'nothing'}, it now holds {now.line() if now else 'nothing'}). "
            "Nothing was imported: check the sheets again, and the new check counts what would change."
        )
        self.dataset, self.before, self.now = dataset, before, now


def apply(plan: Plan, *, if_unchanged: bool | None = None) -> ImportResult:
    """Write what ``plan`` says, atomically, against the dataset as it is now (another import may
    have changed it since the plan: it is merged again, under the dataset's lock).

    ``if_unchanged``: write only if the dataset is still at ``plan.base_version``, else raise
    DatasetChanged. By default only for a plan that replaces (``replace``, ``replace_sessions``):
    it would drop what another import added since; adding is merged again and stays concurrent.
    The Import page also asks it for a dataset it offered as new, so two people never merge into
    each other's dataset by giving both the same name."""
    ref = reference.load()
    dataset, data_dir = plan.dataset, plan.data_dir
    warnings = list(plan.warnings)
    if plan.nothing_new:
        current = store.current_tables(dataset, data_dir)
        if current is None:  # removed since the plan found every file in it
            raise DatasetChanged(dataset, plan.base_totals, None)
        return ImportResult(dataset, Summary(0, 0, 0, 0), _totals(_attendance(current)), warnings, None)
    # One import into a dataset at a time, from reading the version it extends to the switch:
    # two imports at once would otherwise each merge into the same old version and one would
    # lose the other's sessions. A second import waits (store.StoreBusy after store.LOCK_WAIT_S).
    with store.dataset_lock(dataset, data_dir):
        if if_unchanged is None:
            if_unchanged = plan.replace or plan.replace_sessions
        if if_unchanged and store.current_version(dataset, data_dir) != plan.base_version:
            now = store.current_tables(dataset, data_dir)
            raise DatasetChanged(dataset, plan.base_totals, _totals(now["attendance"]) if now is not None else None)
        existing = None if plan.replace else store.current_tables(dataset, data_dir)
        # its title stays when it is started again (replace) too; what it held does not
        old_meta = datasets.load_dataset(dataset, data_dir).metadata if store.current_version(dataset, data_dir) else {}
        old_files = [] if plan.replace else old_meta.get("imported_files", [])
        assert plan.prepared.rows is not None  # a plan is made only from sheets without problems
        batch, organisations, _ = _batch(plan.prepared.rows, ref, existing)
        if existing is not None:
            old = _attendance(existing)
            if plan.replace_sessions:
                old = old[~old["session_id"].isin(batch["session_id"])]
            attendance = pd.concat([old, batch], ignore_index=True)
            # the sheets of one session add up: a person signed in two of them counts once
            keyed = attendance["person_key"].notna()
            attendance = attendance[~(keyed & attendance.duplicated(["session_id", "person_key"], keep="first"))]
            attendance = attendance.reset_index(drop=True)
        else:
            attendance = batch.reset_index(drop=True)

        used = organisations["organisation_id"].isin(attendance["organisation_id"])
        organisations = organisations[used].reset_index(drop=True)
        territories = pd.DataFrame([ref.territory_row(t) for t in sorted(set(organisations["territory_id"]))])
        territories = territories.sort_values(["sort_order", "territory_name"], na_position="last", kind="stable")
        territories["sort_order"] = range(1, len(territories) + 1)
        territories["latitude"] = territories["latitude"].astype(float)
        territories["longitude"] = territories["longitude"].astype(float)
        territories = territories.reset_index(drop=True)
        periods = attendance.groupby("component_id")["session_date"].agg(["min", "max"]).apply(lambda c: c.dt.date)
        catalogue = reference.component_catalogue(plan.programme, existing["components"] if existing else None)
        used_components = [cid for cid in catalogue.rows if cid in set(attendance["component_id"])]
        components = pd.DataFrame([
            {**catalogue.rows[cid],
             "period_start_date": periods["min"].get(cid), "period_end_date": periods["max"].get(cid),
             "period_precision": "day", "reach_unit": "participations", "source_section": None}
            for cid in used_components
        ])
        components["sort_order"] = range(1, len(components) + 1)
        components = components[["component_id", "component_name_en", "component_name_es", "audience_id",
                                 "period_start_date", "period_end_date", "period_precision", "reach_unit",
                                 "sort_order", "source_section"]]
        programme = plan.programme
        title_en = plan.title or (programme.title_en if programme else None) or old_meta.get("title_en") or f"Attendance records: {dataset}"
        title_es = (plan.title or (programme.title_es if programme else None) or old_meta.get("title_es")
                    or f"Registros de asistencia: {dataset}")
        metadata = {
            "title_en": title_en,
            "title_es": title_es,
            "is_synthetic": False,
            "source_citation_en": "Sign-in sheets of the programme's sessions, imported and pseudonymised with this dashboard.",
            "source_citation_es": "Listas de asistencia de las sesiones del programa, importadas y seudonimizadas con este tablero.",
            "source_short_en": "Sign-in sheets of the programme, pseudonymised",
            "source_short_es": "Listas de asistencia del programa, seudonimizadas",
            "licence_en": "Partners only: pseudonymised personal data (see docs on access)",
            "licence_es": "Solo para socios: datos personales seudonimizados (vea la documentación de acceso)",
            "is_confidential": True,  # no open licence offered for it (pages/method.py)
            IMPORTED_MARK: True,  # an import may write into this folder again (_check_target)
            "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "key_id": identity.key_id(plan.key),
            # files already read into it (their SHA-256): importing one again changes nothing
            "imported_files": sorted(set(old_files) | set(plan.digests)),
        }
        path = store.publish(dataset, "record_level", {
            "territories": territories, "components": components,
            "organisations": organisations, "attendance": attendance,
        }, metadata, data_dir)
        return ImportResult(dataset, _totals(batch), _totals(attendance), warnings, path)
