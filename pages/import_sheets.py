"""Import: the same import as `python ingest.py`, from uploaded files, for people who do not use
a terminal. Hidden when CARE_IMPORT_PAGE=off (public deployments)."""

import streamlit as st

from care_dashboard import datasets, store, ui
from care_dashboard.ingest import identity, importer, sheets

if st.session_state.pop("_open_imported", False):
    st.switch_page("pages/overview.py")

ctx = ui.page_context()
ui.page_header(ctx, "import")
st.caption(ctx.t("import.privacy"))

with st.form("import_form"):
    uploads = st.file_uploader(
        ctx.t("import.files"), type=["csv", "xlsx"], accept_multiple_files=True, help=ctx.t("import.files_help")
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
        try:
            with st.spinner(ctx.t("import.checking")):
                result = importer.import_sheets(sources, name.strip(), title=title.strip() or None, replace=replace)
        except datasets.DatasetError as exc:
            st.error(ctx.t("import.bad_name", error=ui.plain(exc)))
        except identity.KeyMissing:
            st.error(ctx.t("import.no_key"))
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
            st.success(ctx.t("import.done", dataset=ui.plain(result.dataset), summary=ui.plain(result.summary.line())))
            if result.warnings:
                st.subheader(ctx.t("import.warnings"))
                st.code("\n".join(result.warnings), language=None)


            def _open(name: str = result.dataset) -> None:
                st.session_state["dataset"] = name
                st.session_state["_open_imported"] = True

            st.button(ctx.t("import.open_dataset"), on_click=_open, icon=":material/open_in_new:")
