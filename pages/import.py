"""Import: the same import as `python ingest.py`, from uploaded files, for people who do not use
a terminal, in three steps: choose the sheets (and a programme file if the programme has
components of its own); see what would be imported (rows, people, sessions, places with their
departments, components, the worksheets read) or every problem by row with how to fix it; then
confirm. Offered only to importers once logged in (care_dashboard/access.py), and to the one user
of `make run` when no login is configured; hidden from everyone when CARE_IMPORT_PAGE=off.

The sheets are read in a child process under the import's limits (care_dashboard/ingest/); a
limit hit is shown in the page's language. Imports run one at a time: a second one shows that
it waits. Once the sheets are checked, the uploader is made anew, so Streamlit drops the uploaded
files from memory; only the checked, pseudonymised rows wait for the confirmation."""

import streamlit as st

from care_dashboard import datasets, store, ui
from care_dashboard.ingest import identity, importer, programme, sheets
from care_dashboard.ingest.messages import text_of
from care_dashboard.ui_uploads import accept_uploads

accept_uploads()  # the worker takes uploaded files only from a session shown this page (care_dashboard/guard)
ui.open_dataset_if_asked()  # the button that opens the imported dataset: its Overview, same language
ctx = ui.page_context()
ui.page_header(ctx, "import")
st.caption(ctx.t("import.privacy"))
t = ctx.t


def _problems(messages) -> None:
    """Every problem as a line that wraps, in the page's language (from data: plain text)."""
    st.markdown("\n".join(f"- {ui.plain(text_of(m, ctx.lang))}" for m in messages))


def _refused(exc: importer.ImportRefused) -> None:
    st.error(t("import.refused", n=len(exc.problems)), icon=":material/block:")
    _problems(exc.problems)
    unknown = getattr(exc, "unknown_components", [])
    if unknown:
        entries = programme.suggested_entries(unknown)
        st.markdown(t("import.summary_texts.suggest_heading"))
        st.code(entries, language="toml", wrap_lines=True)
        st.download_button(t("import.step.programme_download"), entries.encode("utf-8"), file_name="programme.toml",
                           mime="text/plain", icon=":material/download:", on_click="ignore")


def _failed(exc: Exception, name: str) -> None:
    """What a refusal or a failed write says, in the page's language."""
    if isinstance(exc, datasets.DatasetError):
        st.error(t("import.bad_name", error=ui.plain(exc)))
    elif isinstance(exc, identity.KeyRefused):
        st.error(t("import.key_refused"))
    elif isinstance(exc, identity.KeyMissing):
        st.error(t("import.no_key"))
    elif isinstance(exc, importer.LimitExceeded):  # the file, the limit and what to do
        st.error(ui.plain(exc.text(ctx.lang)))
    elif isinstance(exc, importer.ImportRefused):
        _refused(exc)
    elif isinstance(exc, programme.ProgrammeError):
        st.error(t("import.programme_refused"))
        _problems(exc.problems)
    elif isinstance(exc, store.StoreBusy):
        st.error(t("import.busy", dataset=ui.plain(name)))
    elif isinstance(exc, store.StoreWriteError):  # reason: one of store.WRITE_FAILURE_REASONS
        st.error(t(f"import.write_{exc.reason}", folder=ui.plain(exc.folder)))
    elif isinstance(exc, store.StoreError):
        st.error(t("import.write_failed", error=ui.plain(exc)))
    else:  # OSError
        st.error(t("import.write_failed", error=getattr(exc, "strerror", None) or type(exc).__name__))


EXPECTED = (datasets.DatasetError, identity.KeyMissing, importer.ImportRefused, programme.ProgrammeError,
            store.StoreError, OSError)

# ---- step 1: the sheets ---------------------------------------------------------------------
upload_round = st.session_state.setdefault("_import_upload_round", 0)
st.subheader(t("import.step.choose"))
with st.form("import_form"):
    uploads = st.file_uploader(
        t("import.files"), type=["csv", "xlsx"], accept_multiple_files=True, help=t("import.files_help"),
        key=f"import_files_{upload_round}",
    )
    programme_file = st.file_uploader(t("import.programme_file"), type=["toml"], help=t("import.programme_help"),
                                      key=f"import_programme_{upload_round}")
    name = st.text_input(t("import.dataset"), value="partner_attendance", help=t("import.dataset_help"))
    title = st.text_input(t("import.title_field"), help=t("import.title_help"))
    sessions = st.radio(t("import.sessions"), ["add", "replace_sessions", "replace"], horizontal=False,
                        format_func=lambda o: t(f"import.sessions_{o}"), help=t("import.sessions_help"))
    # a callback, not the button's return value: a callback's effect outlasts a rerun that
    # Streamlit may start before the page runs (ui.page_context), a return value would not
    st.form_submit_button(t("import.check"), type="primary", icon=":material/fact_check:",
                          on_click=lambda: st.session_state.update(_import_check=True))

if st.session_state.pop("_import_check", False):
    for key in ("_import_plan", "_import_result", "_import_failure"):
        st.session_state.pop(key, None)
    if not uploads:
        st.warning(t("import.no_files"))
    else:
        sources = [sheets.Source(f.name, f.getvalue()) for f in uploads]
        programme_data = (programme_file.name, programme_file.getvalue()) if programme_file else None
        status = st.status(t("import.checking"))

        def _progress(p: importer.Progress) -> None:
            status.update(label=t(f"import.progress.{p.stage}", **{k: ui.plain(v) for k, v in p.values.items()}))

        try:
            declared = programme.parse(programme_data[1], programme_data[0]) if programme_data else None
            st.session_state["_import_plan"] = importer.plan_import(
                sources, name.strip(), title=title.strip() or None, replace=sessions == "replace",
                replace_sessions=sessions == "replace_sessions", programme=declared, on_progress=_progress)
        except EXPECTED as exc:
            st.session_state["_import_failure"] = (exc, name.strip())
        # A new, empty uploader at once, so Streamlit drops the files from memory; and the files a
        # visitor picks next (a corrected sheet) go into the uploader that stays.
        st.session_state["_import_upload_round"] = upload_round + 1
        st.rerun()

failure = st.session_state.get("_import_failure")
if failure is not None:  # the last check refused the sheets: every problem, until the next check
    _failed(*failure)

# ---- step 2: what would be imported, then confirm (the confirmation is handled first, so the
# page then shows the result instead of the preview) ---------------------------------------
plan = st.session_state.get("_import_plan")
if st.session_state.pop("_import_confirmed", False) and plan is not None:
    with st.spinner(t("import.progress.writing")):
        try:
            st.session_state["_import_result"] = importer.apply(plan)
        except EXPECTED as exc:
            _failed(exc, plan.dataset)
        else:
            st.session_state.pop("_import_plan", None)
            plan = None
if plan is not None:
    st.subheader(t("import.step.preview", dataset=ui.plain(plan.dataset)))
    n = ctx.n
    s = plan.summary
    cols = st.columns(4)
    for col, label, value in zip(cols, ("participations", "people", "sessions", "organisations"),
                                 (s.participations, s.participants, s.sessions, s.organisations)):
        col.metric(t(f"import.preview.{label}"), n(value))
    read = [f"{ui.plain(label)} ({t('import.preview.rows', n=n(rows))})" for label, rows in plan.sheets_read]
    if read:
        st.markdown(t("import.preview.sheets_read", sheets="; ".join(read)))
    if plan.skipped_files:
        st.markdown(t("import.preview.skipped", files=", ".join(ui.plain(f) for f in plan.skipped_files)))
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
    if plan.replace_sessions or plan.replace:
        if plan.dropped_rows:
            st.warning(t("import.preview.dropped", rows=n(plan.dropped_rows), people=n(plan.dropped_people),
                         sessions=n(len(plan.sessions_replaced))), icon=":material/delete:")
    if plan.warnings:
        with st.expander(t("import.warnings_n", n=len(plan.warnings)), icon=":material/info:"):
            _problems(plan.warnings)

    def _cancel() -> None:
        st.session_state.pop("_import_plan", None)

    def _confirm() -> None:
        st.session_state["_import_confirmed"] = True

    row = st.container(horizontal=True)
    disabled = plan.nothing_new
    row.button(t("import.confirm"), type="primary", on_click=_confirm, icon=":material/upload:", disabled=disabled)
    row.button(t("import.cancel"), on_click=_cancel, icon=":material/close:")
    if disabled:
        st.info(t("import.nothing_new"))


# ---- step 3: done ---------------------------------------------------------------------------
result = st.session_state.get("_import_result")
if result is not None:
    st.success(t("import.done", dataset=ui.plain(result.dataset), summary=result.summary.text(ctx.lang),
                 totals=result.dataset_totals.text(ctx.lang)), icon=":material/check_circle:")
    st.button(t("import.open_dataset"), icon=":material/open_in_new:", type="primary",
              on_click=ui.open_dataset_next_run, args=(result.dataset,))
