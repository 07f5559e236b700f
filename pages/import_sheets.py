"""Import: the same import as `python ingest.py`, from uploaded files, for people who do not use
a terminal. Hidden when CARE_IMPORT_PAGE=off (public deployments; `make serve` turns it off
unless told otherwise).

The sheets are read in a child process under the import's limits (care_dashboard/ingest/); a
limit hit is shown in the page's language. Imports run one at a time: a second one shows that
it waits. Once an import has run, the uploader is made anew at the next rerun, so Streamlit
drops the uploaded files from memory."""

import streamlit as st

from care_dashboard import datasets, store, ui
from care_dashboard.ingest import identity, importer, sheets

if st.session_state.pop("_open_imported", False):
    st.switch_page("pages/overview.py")

ctx = ui.page_context()
ui.page_header(ctx, "import")
st.caption(ctx.t("import.privacy"))

upload_round = st.session_state.setdefault("_import_upload_round", 0)
with st.form("import_form"):
    uploads = st.file_uploader(
        ctx.t("import.files"), type=["csv", "xlsx"], accept_multiple_files=True, help=ctx.t("import.files_help"),
        key=f"import_files_{upload_round}",
    )
    name = st.text_input(ctx.t("import.dataset"), value="partner_attendance", help=ctx.t("import.dataset_help"))
    title = st.text_input(ctx.t("import.title_field"))
    replace = st.checkbox(ctx.t("import.replace"))
    submitted = st.form_submit_button(ctx.t("import.submit"), type="primary")

if submitted:
    if not uploads:
        st.warning(ctx.t("import.no_files"))
    else:
        sources = [sheets.Source(f.name, f.getvalue()) for f in uploads]
        st.session_state["_import_upload_round"] = upload_round + 1  # the next run drops the files
        status = st.status(ctx.t("import.checking"))

        def _progress(p: importer.Progress) -> None:
            status.update(label=ctx.t(f"import.progress.{p.stage}", **{k: ui.plain(v) for k, v in p.values.items()}))

        done = False
        try:
            result = importer.import_sheets(sources, name.strip(), title=title.strip() or None, replace=replace,
                                            on_progress=_progress)
        except datasets.DatasetError as exc:
            st.error(ctx.t("import.bad_name", error=ui.plain(exc)))
        except identity.KeyRefused:
            st.error(ctx.t("import.key_refused"))
        except identity.KeyMissing:
            st.error(ctx.t("import.no_key"))
        except importer.LimitExceeded as exc:  # the file, the limit and what to do, in the page's language
            st.error(ui.plain(exc.text(ctx.lang)))
        except importer.ImportRefused as exc:
            st.error(ctx.t("import.refused", n=len(exc.problems)))
            st.code("\n".join(exc.problems), language=None)
        except store.StoreBusy:
            st.error(ctx.t("import.busy", dataset=ui.plain(name.strip())))
        except store.StoreWriteError as exc:  # reason: one of store.WRITE_FAILURE_REASONS
            st.error(ctx.t(f"import.write_{exc.reason}", folder=ui.plain(exc.folder)))
        except store.StoreError as exc:
            st.error(ctx.t("import.write_failed", error=ui.plain(exc)))
        except OSError as exc:
            st.error(ctx.t("import.write_failed", error=exc.strerror or type(exc).__name__))
        else:
            done = True
            status.update(label=ctx.t("import.status.done"), state="complete")
            st.success(ctx.t("import.done", dataset=ui.plain(result.dataset), summary=ui.plain(result.summary.line())))
            if result.warnings:
                st.subheader(ctx.t("import.warnings"))
                st.code("\n".join(result.warnings), language=None)


            def _open(name: str = result.dataset) -> None:
                st.session_state["dataset"] = name
                st.session_state["_open_imported"] = True

            st.button(ctx.t("import.open_dataset"), on_click=_open, icon=":material/open_in_new:")
        if not done:
            status.update(label=ctx.t("import.status.not_done"), state="error")
