"""CARE coverage dashboard: entry point. Sets language, dataset and filters, then runs the chosen page.

Run with:  streamlit run app.py  (the server behind its guard, app.py; `make run`)
"""

import streamlit as st

from care_dashboard import (
    access,
    datasets,
    i18n,
    paths,
    settings,
    ui,
    ui_access,
    ui_figures,
    ui_nav,
    ui_slides,
    ui_takeaway,
)
from care_dashboard.filters import FILTERS
from care_dashboard.selection import Selection

# a local icon: a Material icon here would be fetched from the web at every page load
st.set_page_config(page_title="CARE 2025", page_icon=str(paths.CONTENT_DIR / "icon.png"), layout="wide")

ui_nav.leave_legacy_pages_mode()  # the first request after a server start; see its docstring
ui.page_style()  # first, so nothing is drawn without it

# Who is looking (docs/security.md, section Login and roles): with a login configured in
# .streamlit/secrets.toml [auth], the roles of the access file; under `make serve` without one,
# anonymous; on this machine with `make run`, its one user.
visitor = ui_access.current_visitor()
available = {d.name: d for d in visitor.datasets(datasets.list_datasets())}
refused, ignored = access.refused_link(ui.load_view_from_url(available), visitor)
ui_access.remember_refusal(refused)  # a link to data this visitor may not see: nothing of it opens
dataset = ui.chosen_dataset(available)
options = ui.filter_options(dataset)
ui.keep_known_choices(options)

lang = st.sidebar.radio(
    "Language / Idioma",
    horizontal=True,
    options=list(i18n.LANGS),
    index=ui.held_index("lang", list(i18n.LANGS)),  # the held choice as the default: ui.held_choices
    format_func=lambda code: {"en": "English", "es": "Español"}[code],
    key="lang",
)
lang = i18n.normalise_lang(lang)
ui.keep_choices_shown_in(lang)  # the dataset and filter widgets show their choices in the new language
t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
names = options.labels(lang)
if ignored:
    # the values come from the link as typed: shown as plain text, cut short if very long
    st.toast(t("common.ignored_link_values", values=ui.plain(", ".join(f"{k}={v}" for k, v in ignored)[:300])))

with st.sidebar:
    ui_access.account(visitor, lang)  # with a login configured: who, and log in / log out
    ui_access.watch(visitor, dataset, lang)  # record-level data through a login: closed once the login ends
    st.radio(
        t("sidebar.dataset_picker"),
        options=list(available),
        index=ui.held_index("dataset", list(available)),
        format_func=lambda name: ui.plain(available[name].title(lang)),  # radio options read Markdown
        captions=[ui.dataset_kind_label(d, lang) for d in available.values()],
        key="dataset",
        help=t("sidebar.dataset_help"),
        on_change=ui_access.forget_refusal,
    )
    st.subheader(t("sidebar.filters"))
    st.caption(t("sidebar.filters_help"))
    chosen = {
        f.key: st.multiselect(
            t(f.label_key),
            options=list(getattr(names, f.param)),
            default=ui.held_choices(f.key, list(getattr(names, f.param))),
            format_func=f.namer(names),
            placeholder=t("sidebar.all"),
            key=f.key,
        )
        for f in FILTERS
    }

    def _clear() -> None:
        for key in chosen:
            st.session_state[key] = []

    st.button(t("sidebar.clear"), on_click=_clear, disabled=not any(chosen.values()))

selection = Selection.of(chosen)
ui.write_view_to_url(lang, selection, dataset)

page = ui_nav.navigation(t, visitor.may_import(settings.import_page_enabled()))  # care_dashboard/site_pages.py
refused = ui_access.refused_dataset(page.url_path)  # the link's dataset, until the visitor moves on
context = ui.PageContext(lang, dataset, selection, names, settings.small_number_threshold(), visitor=visitor,
                         phone=ui_nav.visitor_is_phone())
st.sidebar.download_button(
    t("briefing.button"),
    data=context.later(lambda: ui_slides.briefing_html(context)),  # built when pressed, if the login still holds
    file_name=f"care-briefing-{dataset.name}-{lang}.html",
    mime="text/html",
    icon=":material/description:",
    help=t("briefing.help"),
    on_click="ignore",
    key="briefing_download",
)
with st.sidebar:
    ui_takeaway.deck_downloads(context, "")  # the deck as PowerPoint and as an offline slideshow
# the size the camera button above each chart saves it at (ui_figures.plot_config)
st.sidebar.toggle(t("exports.image_slide"), key=ui_figures.IMAGE_SLIDE_KEY, help=t("exports.image_slide_help"))
presenting = page.url_path == "present"  # a slide fills the window: no banner, notes or footer
# the footer's citation: Method and sources gives it in full already
if not presenting and not refused:
    ui_figures.synthetic_banner(context)  # on slides, the synthetic-data caveat is beside every figure
if refused:
    ui_access.refusal(refused, lang, visitor.login)
else:
    with ui_nav.shell_context(context):  # the page takes it: ui.page_context()
        page.run()
        ui_figures.page_notes(context)  # every caveat shown on the page, numbered, in full, once

# no footer on the Import page: what it shows comes from the uploaded sheets, not the chosen data
if not presenting and not refused and page.url_path not in ("method", "import"):
    st.divider()
    st.caption(
        t(
            "common.source_footer" if dataset.kind == "published_aggregate" else "common.source_footer_records",
            title=ui.plain(dataset.title(lang)),
            citation=ui.plain(dataset.text("source_citation", lang)),
            licence=ui.plain(dataset.text("licence", lang)),
        )
    )
with st.sidebar:  # keep last: the browser tests take it as the end of a run (tests/browser/conftest.py)
    ui.document_language(lang)
