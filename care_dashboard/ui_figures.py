"""The Streamlit blocks that draw the catalogue's figures on a page: a headline figure, a chart or
a table in one container, each with its title and unit, its key caveats short (the rest one
click away), the notes its data calls for, the filters, and its CSV and Excel file; the page's
header, its numbered notes and its empty state. What each block says comes from ``honest.frame``; what it
shows, from ``views``. A page is a layout of figure ids (``figures``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pyarrow as pa
import streamlit as st

from . import catalogue, charts, exports, frontend_texts, honest, i18n, notes, typed_table, view_cache, views
from .ui import PageContext, plain

NARROW_MAX_PX = 599  # a chart this wide or less shows its narrow variant (content/css/page.css; the map: 739)


def page_header(ctx: PageContext, page: str) -> None:
    """Title and one-sentence purpose (worded apart for attendance records where the page has
    ``PAGE.purpose_records``), and the active filters named in words; first, the page's queries
    are started together (``PageContext.prefetch_page``)."""
    ctx.prefetch_page(page)
    st.title(ctx.t(f"{page}.title"))
    records_key = f"{page}.purpose_records"
    st.write(ctx.t(records_key if ctx.is_record_level and records_key in i18n.catalogue(ctx.lang) else f"{page}.purpose"))
    filters = honest.filters_line(ctx.selection, ctx.labels, ctx.lang)
    if filters:
        st.caption(f"{ctx.t('common.filtered_note')}  \n**{plain(filters)}**")


def page_views(ctx: PageContext, page: str) -> views.PageViews:
    """The page's figures for this run, each built when first shown (``views.for_page``)."""
    return views.for_page(page, ctx.source)


def empty_state(ctx: PageContext) -> None:
    suffix = "_records" if ctx.is_record_level else ""
    st.info(f"**{ctx.t('common.empty_title' + suffix)}** {ctx.t('common.empty_body' + suffix)}",
            icon=":material/filter_alt_off:")


def _caveats(ctx: PageContext, frame: honest.Frame) -> notes.FigureCaveats:
    """The frame's caveats numbered in this page's notes."""
    key = list(frame.key_caveats)
    return notes.FigureCaveats(ctx.notes.numbered(key), ctx.notes.numbered(key + list(frame.other_caveats)))


def page_short_note(ctx: PageContext, number: int, caveat) -> str:
    """``notes.short_note`` on a page: what the caveat rests on only the first time it is shown
    short there, so nothing is said twice on one screen."""
    return notes.short_note(number, caveat, ctx.lang, where=ctx.notes.first_time_short(caveat))


def key_caveats_line(ctx: PageContext, found: notes.FigureCaveats) -> str:
    return "  \n".join(f":material/warning: {page_short_note(ctx, n, c)}" for n, c in found.key)


def about_popover(ctx: PageContext, found: notes.FigureCaveats, unit: str, key: str) -> None:
    """The full texts of a figure's caveats, one click away beside it, and a link to Method and
    sources (but on that page itself)."""
    here = ctx.notes.shown_in_full
    with st.popover(ctx.t("common.about_figures"), icon=":material/info:", key=f"{key}_about"):
        st.markdown(ctx.t("common.unit_line", unit=unit))
        for n, c in found.all:
            st.markdown(notes.full_note(n, c, ctx.lang, on_method_page=here))
        if not here:
            st.page_link("pages/method.py", label=ctx.t("common.method_link"), icon=":material/menu_book:")


def page_notes(ctx: PageContext) -> None:
    """Once per page, at its foot: every caveat shown on it, numbered, in full (``PageNotes``)."""
    found = ctx.notes.items()
    if not found or ctx.notes.shown_in_full:
        return
    with st.expander(ctx.t("common.notes_heading", n=len(found)), icon=":material/format_list_numbered:"):
        for n, c in found:
            st.markdown(notes.full_note(n, c, ctx.lang))


def export_header(ctx: PageContext, frame: honest.Frame) -> exports.ExportHeader:
    """What heads a CSV and fills an Excel file's notes sheet: title, unit, every caveat in full
    with what it rests on, the notes, filters, source and licence."""
    return exports.ExportHeader(
        title=frame.title,
        unit=frame.unit,
        caveats=list(frame.all_caveats),
        filters=exports.filters_text(ctx.selection, ctx.labels, ctx.lang),
        dataset=ctx.dataset.title(ctx.lang),
        source=ctx.dataset.text("source_citation", ctx.lang),
        licence=ctx.dataset.text("licence", ctx.lang),
        notes=list(frame.notes),
        rests_on=[notes.source_of(c, ctx.lang) for c in frame.all_caveats],
    )


# what each file is: its extension, its type, the text of its button and help, its icon, and how
# the typed table is written
_DOWNLOADS = {
    "csv": ("text/csv", "exports.download_csv", "exports.download_help", ":material/download:", exports.csv_bytes),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "exports.download_xlsx",
             "exports.download_xlsx_help", ":material/table_view:", exports.xlsx_bytes),
}


def table_download(ctx: PageContext, table: typed_table.Table, header: exports.ExportHeader, key: str,
                   ext: str = "csv") -> None:
    """The button that downloads ``table`` as a CSV (or, ``ext="xlsx"``, an Excel workbook),
    named after the figure, the language and the filters."""
    mime, label, help_key, icon, write = _DOWNLOADS[ext]
    st.download_button(
        ctx.t(label),
        # built when pressed: a table of thousands of rows costs nothing until then, and a login
        # that has ended since gets nothing
        data=ctx.later(lambda: write(table, header, ctx.lang)),
        file_name=exports.file_name(key, ctx.lang, ctx.selection, ext),
        mime=mime,
        key=f"{key}_{ext}",
        icon=icon,
        help=ctx.t(help_key),
        on_click="ignore",
    )


def footer_lines(ctx: PageContext, frame: honest.Frame) -> list[str]:
    """The lines written under a chart on a page, inside it (``honest.plain_lines``): its key
    caveats short with what each rests on. No note numbers: a saved image does not hold the
    page's notes, so it must not point to them."""
    return honest.plain_lines(frame, lambda c: notes.where_short(c, ctx.lang))


IMAGE_SIZES = {
    "page": {},  # as the chart is drawn on the page
    "slide": {"width": 1280, "height": 720},  # 16:9, saved at twice this (2560 x 1440)
}
IMAGE_SUFFIX = {"page": None, "slide": "slide"}  # in the saved file's name
IMAGE_SLIDE_KEY = "image_slide"  # the sidebar's toggle (dashboard.py): chart images at slide size


def image_size() -> str:
    """The size the camera button saves a chart at: the sidebar's choice."""
    return "slide" if st.session_state.get(IMAGE_SLIDE_KEY) else "page"


def plot_config(key: str, lang: str, file_name: str | None = None, size: str = "page") -> dict:
    """Plotly's toolbar in the page's language: the camera button saves a sharp PNG named after
    the chart, its language and its filters (``file_name``), as drawn on the page or at a slide's
    16:9 (``size``)."""
    options = {"format": "png", "filename": file_name or f"care-{key}-{lang}", "scale": 2, **IMAGE_SIZES[size]}
    return {"displaylogo": False, "toImageButtonOptions": options, **frontend_texts.plotly_config(lang)}


def _spec(ctx: PageContext, make_fig, unit: str, lines: list[str], key: str, variant: str) -> tuple[dict, str]:
    """One variant of a chart ("wide"; "narrow" for phones; "column" for half the page's width)
    headed by its unit and footed by ``lines``, as the dict Streamlit sends and its plain title;
    built the first time this view shows it, and kept (``PageContext.memo``)."""
    narrow = variant != "wide"
    width = charts.FOOTER_WRAP_CHARS_NARROW if narrow else charts.FOOTER_WRAP_CHARS

    def build() -> tuple[dict, str]:
        # finished as the dict Streamlit sends: a copy, so the view's figure is never written into
        spec = make_fig().to_dict()
        charts.with_heading(spec, unit, narrow=narrow)
        charts.with_caveat_footer(spec, lines, width_chars=width, copy=False)
        return spec, charts.plain_title(spec)

    return ctx.memo("chart", build, key, variant, unit, tuple(lines))


def _plot(ctx: PageContext, spec: tuple[dict, str], unit: str, key: str, variant: str) -> None:
    fig, title = spec
    size = image_size()
    st.plotly_chart(view_cache.sent_figure(fig), key=key if variant != "narrow" else f"{key}_narrow",
                    config=plot_config(key, ctx.lang, exports.file_name(key, ctx.lang, ctx.selection, "", IMAGE_SUFFIX[size]), size),
                    alt=ctx.t("common.chart_alt", title=title, unit=unit))


def _arrow(ctx: PageContext, view: views.View, df: pd.DataFrame):
    """The table as the Arrow table ``st.dataframe`` sends, converted once per view and kept (a
    pandas frame is converted again on every run); the frame itself where Arrow refuses it."""
    def convert():
        try:
            # in this thread: a pool's start costs more than a page's table takes to convert
            return pa.Table.from_pandas(df, preserve_index=False, nthreads=1)
        except (pa.ArrowException, TypeError, ValueError):
            return df

    return ctx.memo("arrow", convert, *view.table_key)


def _table(ctx: PageContext, view: views.View) -> typed_table.Table:
    """The view's typed table, with its page form made (so the cache measures both), built once
    per view and kept (``PageContext.memo``)."""
    def build() -> typed_table.Table:
        typed = view.typed_table
        assert typed is not None  # asked for only where the view makes a table
        typed.display()
        return typed

    return ctx.memo("table", build, *view.table_key)


def _table_and_csv(ctx: PageContext, view: views.View, frame: honest.Frame, found, expander: bool) -> None:
    """"About these figures", and the table's CSV and Excel file side by side; under a chart, its
    table one click away (``expander``)."""
    typed = _table(ctx, view) if view.make_table else None
    with st.container(horizontal=True, gap="small"):
        about_popover(ctx, found, frame.unit, view.key)
        if typed is not None:
            header = export_header(ctx, frame)
            table_download(ctx, typed, header, view.key, "csv")
            table_download(ctx, typed, header, view.key, "xlsx")
    if typed is not None and expander:
        with st.expander(ctx.t("common.table_expander"), icon=":material/table:"):
            st.dataframe(_arrow(ctx, view, typed.display()), hide_index=True, key=f"{view.key}_table", width="stretch")


def chart_block(ctx: PageContext, view: views.View) -> None:
    """A chart in one container: its title and unit; under it, inside the figure (so a saved image
    keeps them), its key caveats short with what each rests on, the notes its data calls for,
    the filters and the source line; then "About these figures", its table, its CSV and its
    Excel file.

    A phone's or a tablet's browser (``PageContext.phone``, screen.py) is sent both the wide and
    the phone variant, and CSS shows the one that fits the screen (``NARROW_MAX_PX``); any other
    is sent the wide one only. A chart drawn in half the page ("column") has one variant, wrapped
    short. Each is built only the first time this view (``PageContext.view_key``) shows it, and
    kept for every session."""
    frame = ctx.frame(view)
    found = _caveats(ctx, frame)
    # the footer says what each key caveat rests on: a figure after it on the page need not
    for _, c in found.key:
        ctx.notes.first_time_short(c)
    lines = footer_lines(ctx, frame)
    if view.narrow == "column":
        specs = [("column", _spec(ctx, lambda: view.chart, frame.unit, lines, view.key, "column"))]
    elif not ctx.phone:
        specs = [("wide", _spec(ctx, lambda: view.chart, frame.unit, lines, view.key, "wide"))]
    else:
        narrow = _spec(ctx, lambda: view.narrow_chart, frame.unit, lines, view.key, "narrow")
        specs = [("wide", _spec(ctx, lambda: view.chart, frame.unit, lines, view.key, "wide")), ("narrow", narrow)]
    with st.container(border=True, key=f"care_chart_{view.key}"):
        if len(specs) == 1:  # drawn at any width
            _plot(ctx, specs[0][1], frame.unit, view.key, specs[0][0])
        else:
            for variant, spec in specs:
                with st.container(key=f"care_{variant}_{view.key}"):
                    _plot(ctx, spec, frame.unit, view.key, variant)
        _table_and_csv(ctx, view, frame, found, expander=True)


def table_block(ctx: PageContext, view: views.View) -> None:
    """A table, its unit, its note and the notes its data calls for, its key caveats short (the
    rest one click away), its CSV and its Excel file, in one container."""
    frame = ctx.frame(view)
    found = _caveats(ctx, frame)
    df = _table(ctx, view).display()
    with st.container(border=True, key=f"care_table_{view.key}"):
        st.dataframe(_arrow(ctx, view, df), hide_index=True, key=view.key, width="stretch")
        lines = [ctx.t("common.unit_line", unit=frame.unit)]
        lines += [f":material/info: {plain(n)}" for n in ([view.note] if view.note else []) + list(frame.notes)]
        lines.append(key_caveats_line(ctx, found))
        st.caption("  \n".join(lines))
        _table_and_csv(ctx, view, frame, found, expander=False)


def figure_block(ctx: PageContext, view: views.View) -> None:
    """A headline figure in one container: label, value, unit, the notes its data calls for and
    its key caveats short with their note numbers; the full texts in its help, one click away."""
    frame = ctx.frame(view)
    found = _caveats(ctx, frame)
    full = "\n\n".join([*([view.help] if view.help else []), *(notes.full_note(n, c, ctx.lang) for n, c in found.all)])
    with st.container(border=True, key=f"care_figure_{view.key}"):
        st.metric(plain(view.title), view.value, help=full)  # values are our own formatted counts
        lines = [frame.unit, *(f":material/info: {plain(n)}" for n in frame.notes), key_caveats_line(ctx, found)]
        st.caption("  \n".join(lines))


BLOCKS = {"figure": figure_block, "chart": chart_block, "table": table_block}


def figures(ctx: PageContext, found: Mapping[str, views.View | None], ids: list[str], columns: int | None = None) -> int:
    """The figures ``ids`` of a page (``page_views``), each in its block, built and drawn one
    after the other (the later ones' queries run meanwhile); side by side in ``columns`` when
    given. A figure that does not apply or has nothing to show is left out. Returns how many
    were shown."""
    if not columns:
        shown = 0
        for i in ids:
            if (view := found.get(i)) is not None:
                BLOCKS[_kind(view)](ctx, view)
                shown += 1
        return shown
    side_by_side = [v for i in ids if (v := found.get(i)) is not None]
    for column, view in zip(st.columns(columns), side_by_side):
        with column:
            BLOCKS[_kind(view)](ctx, view)
    return len(side_by_side)


def _kind(view: views.View) -> str:
    return catalogue.get(view.key).kind


def synthetic_banner_text(dataset, lang: str) -> str | None:
    """What the banner says on a synthetic dataset (None on real data). Only the demo made by
    scripts/make_synthetic.py copies the CARE 2025 report's totals, so only it says so."""
    if not dataset.is_synthetic:
        return None
    copies_care = dataset.metadata.get("generator") == "scripts/make_synthetic.py"
    body = i18n.t("common.synthetic_banner_body" if copies_care else "common.synthetic_banner_body_other", lang)
    return f"**{i18n.t('common.synthetic_banner_title', lang)}** {body}"


def synthetic_banner(ctx: PageContext) -> None:
    """At the top of every page while a synthetic dataset is chosen."""
    text = synthetic_banner_text(ctx.dataset, ctx.lang)
    if text:
        st.warning(text, icon=":material/science:")
