"""The presenter's deck as a PowerPoint file (.pptx), pure (no Streamlit): the chosen slides
(``deck_choice.chosen`` of ``views.deck``), each framed as on every surface (``honest.Frame``: title
with unit, key caveats short, the filters, the "not in this sum" notes, the synthetic mark, the
source), with the presenter's title and closing slides.

Every bar chart is a native chart PowerPoint can edit, drawn from the query's rows the page's
chart draws (``View.rows``): a value that is not published, or hidden as a small number, is an
empty point with the reason said under the chart, never 0. Where no native chart says the figure
honestly (the organisation grid, the components' timeline) its table is a native table; the map is
a picture of the page's map. Each slide's speaker notes hold its caveats in full.

Sizes are in points on a 16:9 slide of 13.33 x 7.5 inches: titles 32 pt, everything else at least
16 pt, read from the back of a room.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from . import catalogue, charts, figures, honest, i18n, notes, slides
from .caveats import Caveat
from .deck_choice import DeckChoice
from .labels import Labels
from .views import View

SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12192000), Emu(6858000)  # 13.33 x 7.5 inches, 16:9
MARGIN = Inches(0.5)
TITLE_PT, MIN_TITLE_PT, UNIT_PT, BODY_PT, LABEL_PT, VALUE_PT = 32, 28, 20, 16, 18, 36
PICTURE_SCALE = 2  # the map's picture at twice its page size: sharp on a projector
BLANK_LAYOUT = 6  # the default template's layout with no placeholders


def _hex(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#")[:6].upper())


INK, MUTED = _hex(charts.INK), _hex(charts.MUTED)


# -- the native charts' data ---------------------------------------------------------------------


@dataclass
class ChartData:
    """What a native chart shows: a category per bar (or group of bars), a series per colour, and
    the points drawn as no bar, each named with why (said under the chart)."""

    kind: XL_CHART_TYPE
    categories: list[str]
    series: list[tuple[str, list[float | None], str]]  # name, values (None: no bar), colour
    no_bar: list[str] = field(default_factory=list)
    point_colours: list[str] | None = None  # one colour per bar of a single series
    legend: bool = False


def _value(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _why(value, hidden, lang: str) -> str:
    """Why a point has no bar: a count hidden as small ("<5"), or not published."""
    if hidden is not None and not pd.isna(hidden):
        return figures.count_cell(value, lang, hidden)
    return i18n.t("common.not_published", lang)


def _component_participations(df: pd.DataFrame, labels: Labels, lang: str) -> ChartData:
    names = [labels.component(c) for c in df["component_id"]]
    values = [_value(v) for v in df["participations_count"]]
    no_bar = [f"{n}: {_why(None, None, lang)}" for n, v in zip(names, values) if v is None]
    colours = [charts.component_colour(c, labels) for c in df["component_id"]]
    return ChartData(XL_CHART_TYPE.BAR_CLUSTERED, names, [("", values, charts.PEOPLE_COLOUR)], no_bar, colours)


def _territory_participations(df: pd.DataFrame, labels: Labels, lang: str) -> ChartData:
    # largest first, as the page's chart orders them
    ordered = sorted(zip(df["territory_id"], df["participations_count"]), key=lambda r: -(_value(r[1]) or 0))
    names = [labels.territory(t) for t, _ in ordered]
    values = [_value(v) for _, v in ordered]
    no_bar = [f"{n}: {_why(None, None, lang)}" for n, v in zip(names, values) if v is None]
    return ChartData(XL_CHART_TYPE.BAR_CLUSTERED, names, [("", values, charts.PEOPLE_COLOUR)], no_bar)


def _territory_component(df: pd.DataFrame, labels: Labels, lang: str, value_column: str) -> ChartData:
    """A group of bars per territory, a bar per component. A component that did not work in a
    territory has no row and no bar; a row whose value is NULL is named under the chart."""
    territories = list(dict.fromkeys(df["territory_id"]))
    components = list(dict.fromkeys(df["component_id"]))
    cells = {(t, c): (v, h) for t, c, v, h in zip(df["territory_id"], df["component_id"], df[value_column],
                                                  figures.hidden_column(df, value_column))}
    series, no_bar = [], []
    for c in components:
        values = []
        for t in territories:
            v, h = cells.get((t, c), (None, None))
            values.append(_value(v))
            if (t, c) in cells and _value(v) is None:
                no_bar.append(f"{labels.component(c)}, {labels.territory(t)}: {_why(v, h, lang)}")
        series.append((labels.component(c), values, charts.component_colour(c, labels)))
    return ChartData(XL_CHART_TYPE.BAR_CLUSTERED, [labels.territory(t) for t in territories], series, no_bar,
                     legend=True)


def _components_per_person(df: pd.DataFrame, labels: Labels, lang: str) -> ChartData:
    part = df[df["territory_id"].isna()]
    names = [figures.components_text(int(n), lang) for n in part["components_attended_count"]]
    return _people_bars(XL_CHART_TYPE.COLUMN_CLUSTERED, names, part, lang)


def _component_overlaps(df: pd.DataFrame, labels: Labels, lang: str) -> ChartData:
    names = [figures.combination_text(list(ids), labels) for ids in df["component_ids"]]
    return _people_bars(XL_CHART_TYPE.BAR_CLUSTERED, names, df, lang)


def _people_bars(kind, names: list[str], df: pd.DataFrame, lang: str) -> ChartData:
    """One series of people counts, a bar per name (a row of ``df`` each); a count hidden or not
    published is no bar, named under the chart with why."""
    values = [_value(v) for v in df["people_count"]]
    no_bar = [f"{n}: {_why(v, h, lang)}" for n, v, h in zip(names, df["people_count"], figures.hidden_column(df))
              if _value(v) is None]
    return ChartData(kind, names, [("", values, charts.PEOPLE_COLOUR)], no_bar)


def _components_per_person_by_territory(df: pd.DataFrame, labels: Labels, lang: str) -> ChartData:
    """A group of columns per number of components attended, a column per territory (one scale
    for all, as the page's panels share one)."""
    part = df[df["territory_id"].notna()]
    attended = sorted({int(n) for n in part["components_attended_count"]})
    cells = {(t, int(n)): (v, h) for t, n, v, h in zip(part["territory_id"], part["components_attended_count"],
                                                      part["people_count"], figures.hidden_column(part))}
    series, no_bar = [], []
    for t in dict.fromkeys(part["territory_id"]):
        values = []
        for n in attended:
            v, h = cells.get((t, n), (None, None))
            values.append(_value(v))
            if (t, n) in cells and _value(v) is None:
                no_bar.append(f"{labels.territory(t)}, {figures.components_text(n, lang)}: {_why(v, h, lang)}")
        series.append((labels.territory(t), values, ""))
    return ChartData(XL_CHART_TYPE.COLUMN_CLUSTERED, [figures.components_text(n, lang) for n in attended], series,
                     no_bar, legend=True)


# catalogue builder -> its native chart's data (rows, labels, lang, **the entry's args)
NATIVE: dict[str, Callable[..., ChartData]] = {
    "component_participations": _component_participations,
    "territory_participations": _territory_participations,
    "territory_component": _territory_component,
    "components_per_person": _components_per_person,
    "component_overlaps": _component_overlaps,
    "components_per_person_by_territory": _components_per_person_by_territory,
}
# builders no native chart says honestly (a grid of statuses, periods on a time axis): their table
AS_TABLE = ("organisation_matrix", "component_timeline")
PICTURE = ("territory_map",)


def chart_data(view: View, labels: Labels) -> ChartData | None:
    """The native chart of ``view`` (None where it is a table or a picture)."""
    entry = catalogue.get(view.key)
    if entry.builder not in NATIVE or view.rows is None:
        return None
    return NATIVE[entry.builder](view.rows, labels, labels.lang, **entry.args)


# -- writing slides -----------------------------------------------------------------------------


def _text(slide, left, top, width, height, paragraphs: Sequence[tuple[str, int, bool]], *,
          colour: RGBColor = INK, anchor=MSO_ANCHOR.TOP, align=PP_ALIGN.LEFT, name: str = ""):
    """A text box of paragraphs (text, size in pt, bold), wrapped to its width; plain text."""
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for i, (text, size, bold) in enumerate(paragraphs):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.alignment = align
        run = p.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = colour
        p.space_after = Pt(4)
    return box


def _lines(text: str, width: int, size: float, bold: bool = False) -> int:
    """About how many lines ``text`` takes in a box ``width`` wide at ``size`` pt: an average
    character of the deck's font (Calibri, or its metric twin Carlito) is about half its size
    wide, a bold one a little more; counted wide, so a line too many is room, never overflow."""
    per_line = max(1, int(width / Pt(size * (0.5 if bold else 0.48))))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _height(paragraphs: Sequence[tuple[str, int, bool]], width: int) -> int:
    """The height a text box's paragraphs take: 1.2 lines of each size, and the space after each."""
    return Emu(sum(Pt(size * 1.2) * _lines(text, width, size, bold) + Pt(4) for text, size, bold in paragraphs)
               + Inches(0.1))


TEXT_WIDTH = SLIDE_WIDTH - 2 * MARGIN


def _heading_parts(frame: honest.Frame, title: str) -> tuple[list, list]:
    """The title (32 pt on one line, else 28 pt) and under it the unit and the filters in words."""
    size = TITLE_PT if _lines(title, TEXT_WIDTH, TITLE_PT, True) == 1 else MIN_TITLE_PT
    under = [(frame.unit[:1].upper() + frame.unit[1:], UNIT_PT, False)]
    if frame.filters:
        under.append((frame.filters, BODY_PT, True))
    return [(title, size, True)], under


HEADING_TOP = Inches(0.25)


def body_top(frame: honest.Frame, title: str) -> int:
    """Where a slide's body starts, under its heading (``_heading``)."""
    head, under = _heading_parts(frame, title)
    return Emu(HEADING_TOP + _height(head, TEXT_WIDTH) + _height(under, TEXT_WIDTH) + Inches(0.05))


def _heading(slide, frame: honest.Frame, title: str) -> int:
    """The slide's heading; returns where the body starts."""
    head, under = _heading_parts(frame, title)
    height = _height(head, TEXT_WIDTH)
    _text(slide, MARGIN, HEADING_TOP, TEXT_WIDTH, height, head, name="care_title")
    _text(slide, MARGIN, HEADING_TOP + height, TEXT_WIDTH, _height(under, TEXT_WIDTH), under, colour=MUTED,
          name="care_unit")
    return body_top(frame, title)


def key_lines(frame: honest.Frame, lang: str, no_bar: Sequence[str] = ()) -> list[str]:
    """What a slide says under its figure: its key caveats short with what they rest on (the
    synthetic mark among them on synthetic data), the notes its data calls for, and the points
    drawn as no bar."""
    lines = [f"\u26a0 {c.short} ({notes.where_short(c, lang)})" for c in frame.key_caveats]
    lines += [f"\u2139 {n}" for n in frame.notes]
    if no_bar:
        lines.append("\u2139 " + i18n.t("pptx.no_bar", lang, points="; ".join(no_bar)))
    return lines


def _footer(slide, frame: honest.Frame, lang: str, no_bar: Sequence[str], left=MARGIN, top: int | None = None,
            width=TEXT_WIDTH, with_notes: bool = True) -> int:
    """What the slide says under its figure (``key_lines``) and its source line, at the foot of
    the slide (or from ``top``); returns where it starts. ``with_notes``: False where the figures
    say their notes themselves."""
    lines = key_lines(frame if with_notes else _without_notes(frame), lang, no_bar)
    paragraphs = [(line, BODY_PT, False) for line in lines] + [(frame.source, BODY_PT, False)]
    height = _height(paragraphs, width)
    if top is None:
        top = Emu(SLIDE_HEIGHT - Inches(0.15) - height)
    _text(slide, left, top, width, max(height, SLIDE_HEIGHT - top - Inches(0.15)), paragraphs, name="care_footer")
    return top


def _without_notes(frame: honest.Frame) -> honest.Frame:
    return honest.Frame(frame.title, frame.unit, frame.key_caveats, frame.other_caveats, frame.filters, (),
                        frame.synthetic, frame.source)


def footer_top(frame: honest.Frame, lang: str, no_bar: Sequence[str] = (), with_notes: bool = True) -> int:
    """Where ``_footer`` starts at the foot of a slide: the body ends above it."""
    lines = key_lines(frame if with_notes else _without_notes(frame), lang, no_bar) + [frame.source]
    return Emu(SLIDE_HEIGHT - Inches(0.15) - _height([(line, BODY_PT, False) for line in lines], TEXT_WIDTH))


def _plain_note(caveat: Caveat, number: int, lang: str) -> str:
    """A caveat's full text for the speaker notes: the numbered note of the pages, without its
    Markdown emphasis."""
    return notes.full_note(number, caveat, lang).replace("**", "").replace("*(", "(").replace(")*", ")")


def speaker_notes(frame: honest.Frame, lang: str, no_bar: Sequence[str] = ()) -> str:
    """A slide's speaker notes: every caveat that holds for it in full, the notes its data calls
    for, the points drawn as no bar, the filters and the source."""
    lines = [_plain_note(c, i, lang) for i, c in enumerate(frame.all_caveats, start=1)]
    lines += list(frame.notes)
    if no_bar:
        lines.append(i18n.t("pptx.no_bar", lang, points="; ".join(no_bar)))
    if frame.filters:
        lines.append(frame.filters)
    lines.append(frame.source)
    return "\n\n".join(lines)


def _native_chart(slide, data: ChartData, top: int, bottom: int):
    chart_data = CategoryChartData()
    chart_data.categories = data.categories
    for name, values, _ in data.series:
        chart_data.add_series(name, values, number_format="#,##0")
    shape = slide.shapes.add_chart(data.kind, MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, bottom - top, chart_data)
    shape.name = "care_chart"
    chart = shape.chart
    chart.font.size = Pt(BODY_PT)
    chart.font.color.rgb = INK
    chart.has_title = False
    chart.has_legend = data.legend
    if data.legend:
        chart.legend.position = XL_LEGEND_POSITION.RIGHT
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(BODY_PT)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    plot.data_labels.font.size = Pt(BODY_PT)
    plot.data_labels.number_format = "#,##0"
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    if data.kind == XL_CHART_TYPE.BAR_CLUSTERED:  # the first row on top, as on the page
        chart.category_axis.reverse_order = True
    chart.value_axis.has_major_gridlines = False
    chart.value_axis.visible = False  # each bar carries its number
    chart.category_axis.tick_labels.font.size = Pt(BODY_PT)
    for (_, _, colour), series in zip(data.series, plot.series):
        if colour:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = _hex(colour)
    if data.point_colours:
        for i, colour in enumerate(data.point_colours):
            point = plot.series[0].points[i]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _hex(colour)
    return shape


def _cell_text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


CELL_PADDING = Inches(0.22)  # a table cell's margins, left and right


def _column_widths(table: pd.DataFrame, width: int) -> list[int]:
    """Each column's width: room for its longest word, and the rest shared after its longest
    text (a long one wraps rather than taking all)."""
    columns = [[str(name), *(_cell_text(v) for v in table[name])] for name in table.columns]
    least = [Pt(BODY_PT * 0.56) * max((len(w) for t in texts for w in t.split()), default=1) + CELL_PADDING
             for texts in columns]
    if sum(least) >= width:
        return [int(width * w / sum(least)) for w in least]
    wish = [max(Pt(BODY_PT * 0.5) * min(max(len(t) for t in texts[1:] or [""]), 30) + CELL_PADDING - w, 0) + Inches(0.1)
            for texts, w in zip(columns, least)]
    spare = width - sum(least)
    return [int(w + spare * x / sum(wish)) for w, x in zip(least, wish)]


def _row_height(texts: Sequence[str], widths: Sequence[int], bold: bool = False) -> int:
    lines = max(_lines(t, Emu(w - CELL_PADDING), BODY_PT, bold) for t, w in zip(texts, widths))
    return Emu(Pt(BODY_PT * 1.2) * lines + Inches(0.1))


def table_pages(table: pd.DataFrame, height: int, width: int = TEXT_WIDTH) -> list[pd.DataFrame]:
    """The table's rows cut into the parts a slide's body ``height`` holds under the header row,
    at 16 pt (every row on some slide, none split)."""
    widths = _column_widths(table, width)
    room = height - _row_height([str(c) for c in table.columns], widths, True)
    heights = [_row_height([_cell_text(v) for v in row], widths) for row in table.itertuples(index=False)]
    pages, start, used = [], 0, 0
    for i, row_height in enumerate(heights):
        if i > start and used + row_height > room:
            pages.append(table.iloc[start:i])
            start, used = i, 0
        used += row_height
    pages.append(table.iloc[start:])
    # as many slides, their rows shared evenly where they fit (no last slide of one row)
    size = -(-len(table) // len(pages))
    even = [table.iloc[i:i + size] for i in range(0, len(table), size)] if len(table) else pages
    fits = all(sum(heights[i:i + size]) <= room for i in range(0, len(table), size))
    return even if fits and len(even) == len(pages) else pages


def _native_table(slide, table: pd.DataFrame, top: int, width: int = TEXT_WIDTH, left: int = MARGIN):
    widths = _column_widths(table, width)
    heights = [_row_height([str(c) for c in table.columns], widths, True)]
    heights += [_row_height([_cell_text(v) for v in row], widths) for row in table.itertuples(index=False)]
    shape = slide.shapes.add_table(len(table) + 1, len(table.columns), left, top, width, sum(heights))
    shape.name = "care_table"
    cells = shape.table
    for j, w in enumerate(widths):
        cells.columns[j].width = w
    for i, h in enumerate(heights):
        cells.rows[i].height = h
    for j, name in enumerate(table.columns):
        _cell(cells.cell(0, j), str(name), bold=True)
    for i, row in enumerate(table.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            _cell(cells.cell(i, j), _cell_text(value))
    return shape


def _cell(cell, text: str, bold: bool = False) -> None:
    cell.text = text
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    for p in cell.text_frame.paragraphs:
        for run in p.runs:
            run.font.size = Pt(BODY_PT)
            run.font.bold = bold


def map_png(view: View) -> bytes | None:
    """The page's map as a PNG, drawn by Plotly's kaleido with the system's Chromium (no browser
    download, no network); None where it cannot be drawn here. Its title is the slide's own, so
    the picture keeps only the line that says what the circles and colours mean."""
    chart = view.chart
    if chart is None:
        return None
    if "BROWSER_PATH" not in os.environ and os.path.exists("/usr/bin/chromium"):
        os.environ["BROWSER_PATH"] = "/usr/bin/chromium"
    fig = chart.to_dict()
    layout = fig["layout"]
    subtitle = ((layout.get("title") or {}).get("subtitle") or {}).get("text", "")
    layout["title"] = {**layout.get("title", {}), "text": subtitle, "subtitle": {"text": ""},
                       "font": {"size": 18, "color": charts.MUTED}}
    width = round(layout.get("meta", {}).get("full_width_px") or 960)
    height = round(layout.get("height") or 760)
    try:
        import plotly.io as pio
        return pio.to_image(fig, format="png", width=width, height=height, scale=PICTURE_SCALE)
    except Exception:  # noqa: BLE001 - no Chromium or kaleido here: the slide shows the map's table
        return None


MAP_TABLE_ROWS = 8  # territories listed beside the map; a map of more says them itself


def map_numbers(view: View, lang: str) -> pd.DataFrame | None:
    """The map's territories and participations (its table's two columns), written beside the
    picture in type read from the back of the room; None where there are too many to list."""
    table = view.table
    columns = [i18n.t("columns.territory", lang), i18n.t("columns.participations", lang)]
    if table is None or len(table) > MAP_TABLE_ROWS or not set(columns) <= set(table.columns):
        return None
    return table[columns]


def _map_slide(slide, view: View, frame: honest.Frame, lang: str, top: int, picture: bytes | None) -> str:
    """The map as a picture on the left, as tall as the slide allows, and on the right its
    territories' numbers and what the slide says; the map's whole table where no picture can be
    drawn. Returns how the slide shows it."""
    if picture is None:
        if view.table is not None:
            _native_table(slide, view.table, top)
        _footer(slide, frame, lang, [])
        return "table"
    shape = slide.shapes.add_picture(io.BytesIO(picture), MARGIN, top, height=SLIDE_HEIGHT - top - Inches(0.2))
    shape.name = "care_map"
    left = shape.left + shape.width + Inches(0.3)
    width = SLIDE_WIDTH - left - MARGIN
    numbers = map_numbers(view, lang)
    if numbers is not None:
        top = _native_table(slide, numbers, top, width=width, left=left).height + top + Inches(0.2)
    _footer(slide, frame, lang, [], left=left, top=top, width=width)
    return "picture"


def _headline(slide, view: View, top: int, bottom: int) -> None:
    """A page's headline figures as cards (four as two by two): label, value, unit, notes; each
    row of cards as tall as its fullest card, the rows spread over the body."""
    per_row = slides.figures_per_row(len(view.figures))
    width = (SLIDE_WIDTH - 2 * MARGIN) // per_row
    cards = [[(figure.label, LABEL_PT, True), (figure.value, VALUE_PT, True), (figure.unit, BODY_PT, False),
              *((f"\u2139 {n}", BODY_PT, False) for n in figure.notes)] for figure in view.figures]
    rows = [list(range(i, min(i + per_row, len(cards)))) for i in range(0, len(cards), per_row)]
    heights = [max(_height(cards[i], width - Inches(0.3)) for i in row) for row in rows]
    gap = max((bottom - top - sum(heights)) // max(len(rows), 1), 0)
    y = top
    for row, height in zip(rows, heights):
        for column, i in enumerate(row):
            _text(slide, MARGIN + width * column, y, width - Inches(0.2), height, cards[i],
                  name=f"care_figure_{view.figures[i].key}")
        y += height + gap


# -- the deck -----------------------------------------------------------------------------------


def _new_slide(prs):
    return prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])


def _table_slides(prs, table: pd.DataFrame, frame: honest.Frame, lang: str) -> None:
    """A table on as many slides as its rows need at 16 pt, each framed, "(1 of 2)" after the title."""
    longest = f"{frame.title} ({i18n.t('present.position', lang, n=99, total=99)})"
    pages = table_pages(table, footer_top(frame, lang) - Inches(0.1) - body_top(frame, longest))
    for n, part in enumerate(pages, start=1):
        slide = _new_slide(prs)
        title = frame.title if len(pages) == 1 else \
            f"{frame.title} ({i18n.t('present.position', lang, n=n, total=len(pages))})"
        _native_table(slide, part, _heading(slide, frame, title))
        _footer(slide, frame, lang, [])
        slide.notes_slide.notes_text_frame.text = speaker_notes(frame, lang)


def _presenter_slide(prs, paragraphs, lang: str, source: str, synthetic: Caveat | None, name: str):
    """A title or closing slide: the presenter's words, then the source and the synthetic mark."""
    slide = _new_slide(prs)
    _text(slide, MARGIN, Inches(1.2), SLIDE_WIDTH - 2 * MARGIN, Inches(4.2), paragraphs, anchor=MSO_ANCHOR.MIDDLE,
          name=name)
    foot = [(f"\u26a0 {synthetic.short} ({notes.where_short(synthetic, lang)})", BODY_PT, False)] if synthetic else []
    _text(slide, MARGIN, Inches(5.7), SLIDE_WIDTH - 2 * MARGIN, Inches(1.6), [*foot, (source, BODY_PT, False)],
          colour=MUTED, name="care_footer")
    slide.notes_slide.notes_text_frame.text = "\n\n".join(
        [*([_plain_note(synthetic, 1, lang)] if synthetic else []), source])
    return slide


def build_pptx(slides_: Sequence[View], frames: dict[str, honest.Frame], choice: DeckChoice, lang: str, *,
               labels: Labels, dataset_title: str,
               picture: Callable[[View], bytes | None] = map_png) -> bytes:
    """The deck ``slides_`` (already chosen and ordered: ``deck_choice.chosen``) as a .pptx file,
    each slide framed by ``frames[view.key]``; the title slide from ``choice.title`` and the
    closing slide from ``choice.closing`` where the presenter wrote them. ``picture`` draws the
    map (None: its table instead)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    any_frame = next(iter(frames.values()), None)
    synthetic = next((f.synthetic for f in frames.values() if f.synthetic is not None), None)
    source = any_frame.source if any_frame else ""
    if choice.title:
        t = choice.title
        paragraphs = [(t.meeting, VALUE_PT, True)] if t.meeting else []
        when_where = t.when_where
        paragraphs += [(when_where, 24, False)] if when_where else []
        paragraphs += [(t.by, 24, False)] if t.by else []
        paragraphs.append((dataset_title, LABEL_PT, False))
        _presenter_slide(prs, paragraphs, lang, source, synthetic, "care_title_slide")
    for view in slides_:
        frame = frames[view.key]
        builder = None if view.figures else catalogue.get(view.key).builder
        if builder in AS_TABLE and view.table is not None:
            _table_slides(prs, view.table, frame, lang)
            continue
        slide = _new_slide(prs)
        top = _heading(slide, frame, frame.title)
        no_bar: list[str] = []
        if view.figures:
            _headline(slide, view, top, footer_top(frame, lang, with_notes=False) - Inches(0.1))
            _footer(slide, frame, lang, [], with_notes=False)
        elif builder in PICTURE:
            _map_slide(slide, view, frame, lang, top, picture(view))
        else:
            data = chart_data(view, labels)
            if data is None:
                raise ValueError(f"figure {view.key!r} has no native chart, table or picture for a .pptx")
            no_bar = data.no_bar
            _native_chart(slide, data, top, footer_top(frame, lang, no_bar) - Inches(0.1))
            _footer(slide, frame, lang, no_bar)
        slide.notes_slide.notes_text_frame.text = speaker_notes(frame, lang, no_bar)
    if choice.closing:
        _presenter_slide(prs, [(choice.closing, 28, False)], lang, source, synthetic, "care_closing_slide")
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
