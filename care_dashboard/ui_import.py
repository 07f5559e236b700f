"""The Import page's Streamlit side (pages/import.py composes it): the key, the choice of sheets
and dataset, the check, the preview and its confirmation, and what a reloaded page or another
worker says about an import that was interrupted. The rules are pure and tested without
Streamlit: ``ingest.importer`` (plan, apply), ``ingest.pending`` (an import's state outside the
session), ``ingest.naming`` (the dataset's name and identifier), ``ingest.identity`` (the key).

Session state (all ``_import_*``): ``pending`` this session's staged import (``pending.Pending``),
``plan`` (the plan, the choice it was made for), ``failure``, ``result``, ``notice`` (what changed
since the preview), ``check`` / ``recheck`` / ``confirmed`` (set by buttons' callbacks: a
callback's effect outlasts a rerun that Streamlit may start before the page runs, a button's
return value would not), ``upload_round`` (the uploader is made anew after an import, so
Streamlit drops the files from memory), ``key_made`` (the key this session created)."""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from . import datasets, paths, settings, store, url_state
from .ingest import identity, importer, naming, pending, programme, sheets
from .ingest.messages import text_of
from .ui import PageContext, open_dataset_next_run, plain
from .ui_access import current_visitor

if TYPE_CHECKING:  # what st.file_uploader returns; only named in annotations
    from streamlit.runtime.uploaded_file_manager import UploadedFile

NEW = ""  # the target "a new dataset"
EXPECTED = (datasets.DatasetError, identity.KeyMissing, importer.ImportRefused, programme.ProgrammeError,
            store.StoreError, OSError)


class NameProblem(ValueError):
    """The new dataset's name is missing or not a valid title: ``key`` names its text."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _owner() -> str:
    """Whose import this is: the logged-in account; "" for the one user of `make run`."""
    return current_visitor().email or ""


def _set_token(token: str | None) -> None:
    """The token of this tab's import in the URL (pending.py), or none."""
    if token:
        if st.query_params.get(url_state.IMPORT_KEY) != token:
            st.query_params[url_state.IMPORT_KEY] = token
    elif url_state.IMPORT_KEY in st.query_params:
        del st.query_params[url_state.IMPORT_KEY]


def keep_token_in_url() -> None:
    """After a move to another page and back, the URL holds this tab's import again."""
    p = st.session_state.get("_import_pending")
    if p is not None and p.folder is not None and p.phase != "done":
        _set_token(p.token)


# ---- messages ---------------------------------------------------------------------------------

def _problems(ctx: PageContext, messages) -> None:
    """Every problem as a line that wraps, in the page's language (from data: plain text)."""
    st.markdown("\n".join(f"- {plain(text_of(m, ctx.lang))}" for m in messages))


def _refused(ctx: PageContext, exc: importer.ImportRefused) -> None:
    st.error(ctx.t("import.refused", n=len(exc.problems)), icon=":material/block:")
    _problems(ctx, exc.problems)
    unknown = getattr(exc, "unknown_components", [])
    if unknown:
        entries = programme.suggested_entries(unknown)
        st.markdown(ctx.t("import.summary_texts.suggest_heading"))
        st.code(entries, language="toml", wrap_lines=True)
        st.download_button(ctx.t("import.step.programme_download"), entries.encode("utf-8"), file_name="programme.toml",
                           mime="text/plain", icon=":material/download:", on_click="ignore")


def failed(ctx: PageContext, exc: Exception, name: str) -> None:
    """What a refusal or a failed write says, in the page's language."""
    t = ctx.t
    if isinstance(exc, NameProblem):
        st.error(t(exc.key, limit=importer.TITLE_MAX_CHARS))
    elif isinstance(exc, datasets.DatasetError):
        st.error(t("import.bad_name", error=plain(exc)))
    elif isinstance(exc, identity.KeyRefused):
        st.error(t("import.key_refused"))
    elif isinstance(exc, identity.KeyMissing):
        st.error(t("import.no_key"))
    elif isinstance(exc, importer.LimitExceeded):  # the file, the limit and what to do
        st.error(plain(exc.text(ctx.lang)))
    elif isinstance(exc, importer.ImportRefused):
        _refused(ctx, exc)
    elif isinstance(exc, programme.ProgrammeError):
        st.error(t("import.programme_refused"))
        _problems(ctx, exc.problems)
    elif isinstance(exc, store.StoreBusy):
        st.error(t("import.busy", dataset=plain(name)))
    elif isinstance(exc, store.StoreWriteError):  # reason: one of store.WRITE_FAILURE_REASONS
        st.error(t(f"import.write_{exc.reason}", folder=plain(exc.folder)))
    elif isinstance(exc, store.StoreError):
        st.error(t("import.write_failed", error=plain(exc)))
    else:  # OSError
        st.error(t("import.write_failed", error=getattr(exc, "strerror", None) or type(exc).__name__))


def _changed(ctx: PageContext, exc: importer.DatasetChanged) -> None:
    """What changed between the preview and the confirmation (another import was saved)."""
    if exc.before is None:
        st.warning(ctx.t("import.form.changed_created", dataset=plain(_title(exc.dataset, ctx.lang))),
                   icon=":material/sync_problem:")
    else:
        now = exc.now.text(ctx.lang) if exc.now else ctx.t("import.form.nothing")
        st.warning(ctx.t("import.form.changed", dataset=plain(_title(exc.dataset, ctx.lang)),
                         before=exc.before.text(ctx.lang), now=now), icon=":material/sync_problem:")


def _title(dataset: str, lang: str, given: str | None = None) -> str:
    """A dataset as the picker shows it: the title given for a new one, else its own title
    (its identifier while it has none)."""
    if given:
        return given
    with contextlib.suppress(datasets.DatasetError, OSError):
        return datasets.load_dataset(dataset).title(lang)
    return dataset


# ---- the key ----------------------------------------------------------------------------------

def _make_key() -> None:
    try:
        st.session_state["_import_key_made"] = str(identity.make_key())
    except FileExistsError:  # made meanwhile, from another page or worker: use it
        pass
    except (OSError, identity.KeyMissing) as exc:
        st.session_state["_import_key_failed"] = str(exc)


def key_section(ctx: PageContext) -> None:
    """Without a key, the button that makes one (the page is shown only to importers, and to the
    one user of `make run`); once made, where it is and that it must be backed up."""
    t = ctx.t
    made = st.session_state.get("_import_key_made")
    if made:
        st.success(t("import.key.created", path=plain(made)), icon=":material/key:")
        st.warning(t("import.key.backup" if not settings.serving() else "import.key.backup_served"),
                   icon=":material/backup:")
        if not settings.serving():  # this machine's own user: a copy for the password manager
            with contextlib.suppress(OSError):
                st.download_button(t("import.key.download"), Path(made).read_bytes(), file_name="attendance_id.key",
                                   mime="text/plain", icon=":material/download:", on_click="ignore")
        return
    if identity.key_status() != "missing":
        return
    failure = st.session_state.pop("_import_key_failed", None)
    st.warning(t("import.key.missing"), icon=":material/key_off:")
    if failure:
        st.error(t("import.key.create_failed", error=plain(failure)))
    st.button(t("import.key.create"), on_click=_make_key, icon=":material/key:", key="import_make_key")


def key_help(ctx: PageContext) -> None:
    """Where the key is, and how to back it up and restore it, one click away."""
    where = ("import.key.where_env" if identity.key_in_environment() else "import.key.where_file")
    with st.expander(ctx.t("import.key.how_title"), icon=":material/key:"):
        st.markdown(ctx.t(where, path=plain(settings.key_file())))
        st.markdown(ctx.t("import.key.how"))


# ---- step 1: the choice -----------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    """What the form says now; ``signature`` tells a preview made for another choice."""

    uploads: list[UploadedFile]
    programme_upload: UploadedFile | None
    request: pending.Request | None  # None: the name is missing or invalid (``problem``)
    problem: str | None
    signature: tuple


def _imported(lang: str) -> dict[str, str]:
    """The datasets an import may add to, by id, with their titles."""
    return {d.name: d.title(lang) for d in naming.imported_datasets(datasets.list_datasets())}


def _proposal(ctx: PageContext, uploads, programme_upload) -> str:
    if programme_upload is not None:
        with contextlib.suppress(programme.ProgrammeError, ValueError):
            declared = programme.parse(programme_upload.getvalue(), programme_upload.name)
            title = getattr(declared, f"title_{ctx.lang}") or declared.title_en or declared.title_es
            if title and importer.check_title(title) is None:
                return title
    return naming.proposed_title(uploads[0].name) if uploads else ""


def _name_edited() -> None:
    st.session_state["_import_name_edited"] = bool(st.session_state.get("import_name"))


def choose(ctx: PageContext) -> Choice:
    """Step 1: the sheets, the programme file, the dataset (a new one, named in words, its
    identifier derived and shown; or one made by an earlier import) and what to do with its
    sessions. No form: Enter in the name only commits the name, and the identifier follows it."""
    t = ctx.t
    rnd = st.session_state.setdefault("_import_upload_round", 0)
    uploads = st.file_uploader(t("import.files"), type=["csv", "xlsx"], accept_multiple_files=True,
                               help=t("import.files_help"), key=f"import_files_{rnd}") or []
    programme_upload = st.file_uploader(t("import.programme_file"), type=["toml"], help=t("import.programme_help"),
                                        key=f"import_programme_{rnd}")
    imported = _imported(ctx.lang)
    target = st.selectbox(t("import.form.target"), [NEW, *imported], key="import_target",
                          format_func=lambda name: t("import.form.target_new") if name == NEW else plain(imported[name]))
    problem, request, mode = None, None, "add"
    if target == NEW:
        proposal = _proposal(ctx, uploads, programme_upload)
        if not st.session_state.get("_import_name_edited"):
            st.session_state["import_name"] = proposal
        name = st.text_input(t("import.form.name"), key="import_name", on_change=_name_edited, help=t("import.form.name_help"),
                             placeholder=t("import.form.name_placeholder"), max_chars=importer.TITLE_MAX_CHARS).strip()
        if not name:
            problem = "import.form.name_missing"
        elif importer.check_title(name):
            problem = "import.form.name_invalid"
            st.warning(t(problem, limit=importer.TITLE_MAX_CHARS), icon=":material/edit:")
        else:
            taken = naming.taken_names(paths.DATA_DIR, [d.name for d in datasets.list_datasets()])
            request = pending.Request(naming.dataset_id(name, taken), name, "add", new=True)
            st.caption(t("import.form.stored_as", id=request.dataset))
            same = [title for title in imported.values() if title.casefold() == name.casefold()]
            if same:
                st.info(t("import.form.name_exists", title=plain(same[0])), icon=":material/info:")
    else:
        mode = st.radio(t("import.sessions"), list(pending.MODES), key="import_mode",
                        format_func=lambda o: t(f"import.sessions_{o}"), help=t("import.sessions_help"))
        request = pending.Request(target, None, mode)
    # what was chosen, not the identifier derived from it: a name taken by another import
    # meanwhile is found at the write (importer.DatasetChanged), which then checks again
    signature = (tuple((f.file_id, f.name, f.size) for f in uploads),
                 (programme_upload.file_id, programme_upload.size) if programme_upload else None,
                 target, st.session_state.get("import_name") if target == NEW else mode)
    st.button(t("import.check"), type="primary", icon=":material/fact_check:", key="import_check",
              on_click=lambda: st.session_state.update(_import_check=True))
    return Choice(uploads, programme_upload, request, problem, signature)


# ---- the check --------------------------------------------------------------------------------

def _check(ctx: PageContext, sources: list[sheets.Source], programme_data, request: pending.Request,
           signature: tuple) -> None:
    """Keep the files (pending.stage), put the token in the URL, read and check them; the plan or
    the failure waits in the session for the next run."""
    t = ctx.t
    pending.discard(st.session_state.pop("_import_pending", None))  # this tab's earlier files
    p = pending.stage(_owner(), request, sources, programme_data)
    st.session_state["_import_pending"] = p
    _set_token(p.token if p.folder is not None else None)
    status = st.status(t("import.checking"))

    def _progress(step: importer.Progress) -> None:
        status.update(label=t(f"import.progress.{step.stage}", **{k: plain(v) for k, v in step.values.items()}))

    try:
        with pending.running(p):
            declared = programme.parse(programme_data[1], programme_data[0]) if programme_data else None
            plan = importer.plan_import(
                sources, request.dataset, title=request.title, replace=request.mode == "replace",
                replace_sessions=request.mode == "replace_sessions", programme=declared, on_progress=_progress)
            pending.mark(p, "checked")
        st.session_state["_import_plan"] = (plan, signature)
    except EXPECTED as exc:  # nothing to keep: the sheets cannot be imported as they are
        st.session_state["_import_failure"] = (exc, request.dataset)
        pending.discard(st.session_state.pop("_import_pending", None))
        _set_token(None)


def run_check(ctx: PageContext, choice: Choice) -> None:
    """The check the Check button asked for, or the one a recovered import asked for again."""
    recheck = st.session_state.pop("_import_recheck", None)
    asked = st.session_state.pop("_import_check", False)
    if not (asked or recheck):
        return
    for key in ("_import_plan", "_import_result", "_import_failure"):
        st.session_state.pop(key, None)
    if recheck:
        old = pending.find(recheck, _owner())
        if old is None:  # discarded from another tab of this link meanwhile, or a day old
            st.warning(ctx.t("import.pending.gone"))
            return
        request = old.request
        if request.new and store.current_version(request.dataset) is not None:  # the name was taken since
            taken = naming.taken_names(paths.DATA_DIR, [d.name for d in datasets.list_datasets()])
            request = dataclasses.replace(request, dataset=naming.dataset_id(request.title or request.dataset, taken))
        files, programme_data = pending.sources(old), pending.programme_file(old)
        _check(ctx, files, programme_data, request, choice.signature)
        pending.discard(old)
    else:
        st.session_state.pop("_import_notice", None)
        if not choice.uploads:
            st.warning(ctx.t("import.no_files"))
            return
        if choice.problem:
            st.session_state["_import_failure"] = (NameProblem(choice.problem), "")
            return
        assert choice.request is not None  # None only with a problem, shown above
        programme_data = ((choice.programme_upload.name, choice.programme_upload.getvalue())
                          if choice.programme_upload else None)
        _check(ctx, [sheets.Source(f.name, f.getvalue()) for f in choice.uploads], programme_data,
               choice.request, choice.signature)
    st.rerun()


def show_failure(ctx: PageContext) -> None:
    failure = st.session_state.get("_import_failure")
    if failure is not None:  # the last check refused the sheets: every problem, until the next check
        failed(ctx, *failure)


# ---- step 2: the preview and its confirmation -------------------------------------------------

def _write(ctx: PageContext, plan: importer.Plan) -> None:
    """Write the confirmed plan; its state says "writing" while it runs (pending.py), so that a
    page served after a kill can tell whether it happened."""
    p = st.session_state["_import_pending"]  # set with the plan (_check)
    with st.spinner(ctx.t("import.progress.writing")):
        try:
            with pending.running(p):
                pending.mark(p, "writing", base_version=plan.base_version, digests=list(plan.digests))
                try:
                    result = importer.apply(plan, if_unchanged=plan.replace or plan.replace_sessions or p.request.new)
                except BaseException:
                    pending.mark(p, "checked")  # the files stay for another try
                    raise
                assert result.summary is not None and result.dataset_totals is not None  # apply counts both
                pending.finish(p, dataclasses.astuple(result.summary), dataclasses.astuple(result.dataset_totals))
        except importer.DatasetChanged as exc:  # say what changed, then check again
            st.session_state["_import_notice"] = exc
            st.session_state.pop("_import_plan", None)
            if p.folder is not None:
                st.session_state["_import_recheck"] = p.token
            else:
                st.session_state["_import_check"] = True
            st.rerun()
        except EXPECTED as exc:
            failed(ctx, exc, plan.dataset)
        else:
            _imported_now(result)
            st.rerun()  # the form drawn anew: an empty uploader, the new dataset among the targets


def _imported_now(result: importer.ImportResult) -> None:
    """Done: the result until the next check; a fresh, empty form (Streamlit drops the files)."""
    for key in ("_import_plan", "_import_pending", "_import_notice", "_import_name_edited"):
        st.session_state.pop(key, None)
    st.session_state["_import_result"] = result
    st.session_state["_import_upload_round"] = st.session_state.get("_import_upload_round", 0) + 1
    _set_token(None)


def preview_and_confirm(ctx: PageContext, choice: Choice) -> None:
    """Step 2: what would be imported, then Import now or Cancel. A preview made for another
    choice (the files, the dataset or the mode changed since) is dropped."""
    entry = st.session_state.get("_import_plan")
    if entry is not None and entry[1] != choice.signature:
        st.session_state.pop("_import_plan", None)
        pending.discard(st.session_state.pop("_import_pending", None))
        _set_token(None)
        st.info(ctx.t("import.form.choice_changed"), icon=":material/edit:")
        entry = None
    plan = entry[0] if entry else None
    if st.session_state.pop("_import_confirmed", False) and plan is not None:
        _write(ctx, plan)
        plan = st.session_state.get("_import_plan", (None,))[0]
    notice = st.session_state.get("_import_notice")
    if notice is not None:
        _changed(ctx, notice)
    if plan is not None:
        _preview(ctx, plan)


def _preview(ctx: PageContext, plan: importer.Plan) -> None:
    t, n = ctx.t, ctx.n
    st.subheader(t("import.step.preview", dataset=plain(_title(plan.dataset, ctx.lang, plan.title))))
    s = plan.summary
    cols = st.columns(4)
    for col, label, value in zip(cols, ("participations", "people", "sessions", "organisations"),
                                 (s.participations, s.participants, s.sessions, s.organisations)):
        col.metric(t(f"import.preview.{label}"), n(value))
    read = [f"{plain(label)} ({t('import.preview.rows', n=n(rows))})" for label, rows in plan.sheets_read]
    if read:
        st.markdown(t("import.preview.sheets_read", sheets="; ".join(read)))
    if plan.skipped_files:
        st.markdown(t("import.preview.skipped", files=", ".join(plain(f) for f in plan.skipped_files)))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('import.preview.places')}**")
        st.dataframe(
            {t("columns.territory"): [p["territory_name"] for p in plan.places],
             t("map.column_department"): [p["department_name"] for p in plan.places],
             t("columns.participations"): [n(p["participations"]) for p in plan.places]},
            hide_index=True, width="stretch")
    with right:
        st.markdown(f"**{t('import.preview.components')}**")
        st.dataframe(
            {t("columns.component"): [c[f"name_{ctx.lang}"] + (f" ({t('import.preview.new')})" if c["is_new"] else "")
                                      for c in plan.components],
             t("columns.participations"): [n(c["participations"]) for c in plan.components]},
            hide_index=True, width="stretch")
    if plan.sessions_joined:
        st.info(t("import.preview.joined", n=n(len(plan.sessions_joined))), icon=":material/add_circle:")
    if plan.replace and plan.dropped_rows:
        st.warning(t("import.preview.dropped_all", rows=n(plan.dropped_rows), people=n(plan.dropped_people)),
                   icon=":material/delete:")
    elif plan.replace_sessions and plan.dropped_rows:
        st.warning(t("import.preview.dropped", rows=n(plan.dropped_rows), people=n(plan.dropped_people),
                     sessions=n(len(plan.sessions_replaced))), icon=":material/delete:")
    if plan.warnings:
        with st.expander(t("import.warnings_n", n=len(plan.warnings)), icon=":material/info:"):
            _problems(ctx, plan.warnings)

    def _cancel() -> None:  # the files stay chosen; the copy kept for a reconnect goes
        st.session_state.pop("_import_plan", None)
        st.session_state.pop("_import_notice", None)
        pending.discard(st.session_state.pop("_import_pending", None))
        _set_token(None)

    row = st.container(horizontal=True)
    row.button(t("import.confirm"), type="primary", icon=":material/upload:", disabled=plan.nothing_new,
               on_click=lambda: st.session_state.update(_import_confirmed=True), key="import_confirm")
    row.button(t("import.cancel"), on_click=_cancel, icon=":material/close:", key="import_cancel")
    if plan.nothing_new:
        st.info(t("import.nothing_new"))


# ---- step 3: done -----------------------------------------------------------------------------

def done(ctx: PageContext) -> None:
    result = st.session_state.get("_import_result")
    if result is None:
        return
    title = plain(_title(result.dataset, ctx.lang))
    if result.summary is None or result.dataset_totals is None:  # saved by a worker that stopped before it could say so
        st.success(ctx.t("import.pending.saved", dataset=title), icon=":material/check_circle:")
    else:
        st.success(ctx.t("import.done", dataset=title, summary=result.summary.text(ctx.lang),
                         totals=result.dataset_totals.text(ctx.lang)), icon=":material/check_circle:")
    st.button(ctx.t("import.open_dataset"), icon=":material/open_in_new:", type="primary",
              on_click=open_dataset_next_run, args=(result.dataset,), key="import_open")


# ---- an import of this link that another session started --------------------------------------

def recovery(ctx: PageContext) -> None:
    """The URL names an import this session did not start: the page was reloaded, or the
    browser reconnected to another worker (the first one died). Say what became of it."""
    t = ctx.t
    if not st.session_state.get("_import_swept"):  # once per session: states older than a day go
        st.session_state["_import_swept"] = True
        pending.sweep_old()
    token = st.query_params.get(url_state.IMPORT_KEY)
    mine = st.session_state.get("_import_pending")
    if not token or (mine is not None and mine.token == token):
        return
    p = pending.find(token, _owner())
    if p is None:  # gone (discarded, a day old) or another account's: the link shows nothing of it
        _set_token(None)
        return
    dataset = plain(_title(p.request.dataset, ctx.lang, p.request.title))
    if pending.is_running(p):
        st.info(t("import.pending.running", dataset=dataset), icon=":material/hourglass_top:")

        @st.fragment(run_every=2)
        def _wait() -> None:
            if not pending.is_running(p):
                st.rerun()

        _wait()
        return
    state = pending.outcome(p) if p.phase == "writing" else p.phase
    if state in ("done", "saved"):  # saved: the worker stopped after the switch, before it could count
        counts = p.result or {}
        summary, totals = (importer.Summary(*counts[k]) if k in counts else None for k in ("summary", "totals"))
        st.session_state["_import_result"] = importer.ImportResult(p.request.dataset, summary, totals)
        pending.discard(p)
        _set_token(None)
        return
    text = {"checking": "import.pending.interrupted_check", "checked": "import.pending.not_confirmed",
            "not_done": "import.pending.not_done", "superseded": "import.pending.superseded"}[state]
    files = ", ".join(plain(f) for f in [*p.files, *([p.programme] if p.programme else [])])
    with st.container(border=True, key="import_recovered"):
        st.warning(t(text, dataset=dataset), icon=":material/warning:")
        st.markdown(t("import.pending.files", files=files))
        row = st.container(horizontal=True)
        row.button(t("import.pending.check_again"), type="primary", icon=":material/fact_check:",
                   on_click=lambda: st.session_state.update(_import_recheck=p.token), key="import_recheck")

        def _discard() -> None:
            pending.discard(p)
            _set_token(None)

        row.button(t("import.pending.discard"), icon=":material/delete:", on_click=_discard, key="import_discard")
