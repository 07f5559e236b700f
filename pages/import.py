"""Import: the same import as `python ingest.py`, from uploaded files, for people who do not use
a terminal. Without a pseudonymisation key it first offers to make one (and says where it is and
that it must be backed up). Then three steps: choose the sheets (and a programme file if the
programme has components of its own) and the dataset (a new one, named in words, or one made by
an earlier import); see what would be imported (rows, people, sessions, places with their
departments, components, the worksheets read) or every problem by row with how to fix it; then
confirm. Offered only to importers once logged in (care_dashboard/access.py), and to the one user
of `make run` when no login is configured; hidden from everyone when CARE_IMPORT_PAGE=off.

The sheets are read in a child process under the import's limits (care_dashboard/ingest/); a
limit hit is shown in the page's language. Imports run one at a time: a second one shows that
it waits. The chosen files stay chosen until the import is done. While an import is checked or
written its files and state are kept in a private folder (care_dashboard/ingest/pending.py) and
its token in the URL, so a reloaded page, or another worker after this one died, says what
became of it and offers the same files again. The Streamlit side is care_dashboard/ui_import.py."""

import streamlit as st

from care_dashboard import ui, ui_figures, ui_import
from care_dashboard.ui_uploads import accept_uploads

accept_uploads()  # the worker takes uploaded files only from a session shown this page (care_dashboard/guard)
ui.open_dataset_if_asked()  # the button that opens the imported dataset: its Overview, same language
ctx = ui.page_context()
ui_figures.page_header(ctx, "import")
st.caption(ctx.t("import.privacy"))

ui_import.keep_token_in_url()
ui_import.recovery(ctx)  # an import of this link that a reloaded page or a dead worker left
ui_import.key_section(ctx)

# ---- step 1: the sheets and the dataset -------------------------------------------------------
st.subheader(ctx.t("import.step.choose"))
choice = ui_import.choose(ctx)
ui_import.run_check(ctx, choice)
ui_import.show_failure(ctx)

# ---- step 2: what would be imported, then confirm (the confirmation is handled first, so the
# page then shows the result instead of the preview) -------------------------------------------
ui_import.preview_and_confirm(ctx, choice)

# ---- step 3: done ---------------------------------------------------------------------------
ui_import.done(ctx)
ui_import.key_help(ctx)
