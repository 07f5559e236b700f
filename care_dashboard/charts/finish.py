"""Finishing a built chart for where it is shown: its heading (``with_heading``), its caveats and
source inside the figure (``with_caveat_footer``), larger texts for a projector
(``for_projector``) and row names that fit their rows (``fit_rows``); and the small text helpers
the builders share (``wrap_label``, ``html_escape``, ``plain_title``, ``margin_px``).
"""

from __future__ import annotations

import copy as copy_module
import re
from typing import TypeAlias

import plotly.graph_objects as go

from .theme import MUTED, TEMPLATE


def wrap_label(text: str, width: int) -> str:
    """A long axis label on several lines (Plotly's <br>), broken between words."""
    lines, current = [], ""
    for word in str(text).split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return "<br>".join([*lines, current] if current else lines)


# Lines of text inside a figure are wrapped to these many characters: a footer line or a title
# must fit a phone's screen (the narrow variant) and read as a short note on a wide screen.
FOOTER_WRAP_CHARS = 95
FOOTER_WRAP_CHARS_NARROW = 44
TITLE_WRAP_CHARS = 70
TITLE_WRAP_CHARS_NARROW = 32
SUBTITLE_WRAP_CHARS = 95
SUBTITLE_WRAP_CHARS_NARROW = 44
TITLE_LINE_PX = 25
MULTILINE_TITLE_SHIFT_EM = 0.7  # with_heading
_INLINE_FONT = re.compile(r"font-size:(\d+)px")  # for_projector
SUBTITLE_LINE_PX = 19


Chart: TypeAlias = go.Figure | dict  # a figure, or the dict Plotly sends (``Figure.to_dict()``)


def _layout(fig: Chart):
    """The figure's layout, read the same way from a Figure and from its dict."""
    return fig["layout"] if isinstance(fig, dict) else fig.layout


def _get(node, *path):
    """A value deep in a layout (a Figure's or a dict's), or None where any step is missing."""
    for key in path:
        if node is None:
            return None
        node = node.get(key) if isinstance(node, dict) else node[key]
    return node


def plain_title(fig: Chart) -> str:
    """A figure's title as plain text (line breaks and markup removed)."""
    text = _get(_layout(fig), "title", "text") or ""
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def margin_px(fig: Chart, side: str) -> float:
    """The figure's margin on ``side`` ("l", "r", "t", "b"): its own, or the template's."""
    own = _get(_layout(fig), "margin", side)
    return own if own is not None else TEMPLATE.layout.margin[side]


def _merge(into: dict, patch: dict) -> None:
    """Write ``patch`` into a layout dict as ``Figure.update_layout`` does: nested dicts merged."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _update_layout(fig: Chart, patch: dict) -> None:
    if isinstance(fig, dict):
        _merge(fig.setdefault("layout", {}), patch)
    else:
        fig.update_layout(patch)


FOOTER_NAME = "care-footer"  # with_caveat_footer's annotation; for_projector moves it with the margin


def _footer_xshift(left: float) -> float:
    """The shift that puts the footer at the figure's left edge, past a left margin of ``left``."""
    return -(left - 10)


def with_heading(fig: Chart, subtitle: str, narrow: bool = False, title_chars: int | None = None,
                 subtitle_chars: int | None = None) -> Chart:
    """Write the figure's heading as statistics publishers do: its title (what is counted) and
    under it a subtitle with the counting unit, both wrapped to fit (a phone with ``narrow``;
    ``title_chars``, ``subtitle_chars``: their line lengths where there is more room, a slide),
    with the top margin grown by the lines they take. Writes into ``fig`` (a Figure, or its dict:
    the page's charts are finished as dicts, with none of Plotly's checks) and returns it."""
    if _get(_layout(fig), "title", "subtitle", "text"):
        return fig  # its builder laid out its own heading, unit included (the map)
    title = plain_title(fig)
    title_lines = wrap_label(title, title_chars or (TITLE_WRAP_CHARS_NARROW if narrow else TITLE_WRAP_CHARS))
    sub = " ".join(re.sub(r"<br>", " ", subtitle).split())
    sub = sub[:1].upper() + sub[1:]
    sub_lines = wrap_label(sub, subtitle_chars or (SUBTITLE_WRAP_CHARS_NARROW if narrow else SUBTITLE_WRAP_CHARS))
    n_title, n_sub = title_lines.count("<br>") + 1, sub_lines.count("<br>") + 1
    font = 17 if narrow else 19
    # Plotly draws a title of several lines anchored at its top 0.7 em higher than one of a
    # single line (measured in Chromium: without the pad its first line is cut at the figure's
    # top edge, by 13 px at 28 px on a slide); the pad gives that back
    pad_top = 12 + (round(MULTILINE_TITLE_SHIFT_EM * font) if n_title > 1 else 0)
    top = margin_px(fig, "t")
    # the builder's top margin holds one title line (about 46 px); the rest of it is room for
    # what it writes above the plot (panel titles, a grid's column names), which stays under
    # the heading: the pad above the title, its lines, the subtitle's, with the gaps Plotly leaves
    grown = pad_top + n_title * TITLE_LINE_PX + n_sub * SUBTITLE_LINE_PX + 26 - 46
    _update_layout(fig, dict(
        title=dict(
            text=title_lines, x=0, xanchor="left", xref="container", yref="container", y=1, yanchor="top",
            pad=dict(t=pad_top, l=10), font=dict(size=font),
            subtitle=dict(text=sub_lines, font=dict(size=13 if narrow else 15, color=MUTED)),
        ),
        margin=dict(t=top + grown),
        height=(_get(_layout(fig), "height") or 450) + grown,
    ))
    return fig


def with_caveat_footer(fig: Chart, lines: list[str], width_chars: int = FOOTER_WRAP_CHARS, copy: bool = True) -> Chart:
    """The same figure with its caveats and source written under it, inside the figure, so an
    image saved from the chart (or pasted on a slide) keeps them. Returns a copy, or with
    ``copy=False`` writes into ``fig`` itself (a figure built for one page run: copying a map of
    hundreds of territories costs more than drawing it). ``fig`` may be a Figure or its dict."""
    if copy:  # a copy of a figure already checked
        out: Chart = copy_module.deepcopy(fig) if isinstance(fig, dict) else go.Figure(fig.to_dict(), _validate=False)
    else:
        out = fig
    wrapped = [part for line in lines for part in wrap_label(line, width_chars).split("<br>") if part]
    if not wrapped:
        return out
    extra = 18 * len(wrapped) + 24
    margin_b = margin_px(out, "b") + extra
    height = (_get(_layout(out), "height") or 450) + extra
    # from the figure's left edge (the plot area starts after the left margin), like a title
    footer = dict(
        text="<br>".join(html_escape(w) for w in wrapped), name=FOOTER_NAME,
        xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top", yshift=-(margin_b - extra) - 6,
        xshift=_footer_xshift(margin_px(out, "l")), align="left", showarrow=False, font=dict(size=12, color=MUTED),
    )
    if isinstance(out, dict):
        out.setdefault("layout", {}).setdefault("annotations", []).append(footer)
    else:
        out.add_annotation(**footer)
    _update_layout(out, dict(margin=dict(b=margin_b), height=height))
    return out


def html_escape(text: str) -> str:
    """Plotly draws annotation text as a small subset of HTML: escape what came from data."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def for_projector(fig: go.Figure, scale: float = 1.45) -> go.Figure:
    """A copy of the figure with every text larger, for a projector at the back of a room."""
    out = go.Figure(fig)
    base = out.layout.font.size or TEMPLATE.layout.font.size or 15
    subtitle = out.layout.title.subtitle.font.size if out.layout.title.subtitle else None
    pad_top = out.layout.title.pad.t
    out.update_layout(font_size=round(base * scale), title_font_size=round(19 * scale))
    if subtitle:  # the unit under the title (charts.with_heading) is read from the back too
        out.update_layout(title_subtitle_font_size=round(subtitle * scale))
    if pad_top:  # as the title grows (with_heading: it holds a shift that grows with the font)
        out.update_layout(title_pad_t=round(pad_top * scale))
    out.update_xaxes(tickfont_size=round(14 * scale))
    out.update_yaxes(tickfont_size=round(14 * scale))
    # a builder that sets the room for its row names (automargin off) had it for 14 px names:
    # it grows with them, and the footer written from the figure's left edge moves with it
    left = out.layout.margin.l
    new_left = round(left * scale) if left is not None else None
    for annotation in out.layout.annotations:
        annotation.font.size = round((annotation.font.size or base) * scale)
        if new_left is not None and annotation.name == FOOTER_NAME:
            annotation.xshift = _footer_xshift(new_left)
    for trace in out.data:
        if getattr(trace, "textfont", None) is not None:
            trace.textfont.size = round((trace.textfont.size or base) * scale)
        ys = getattr(trace, "y", None)
        if ys is not None and any(isinstance(y, str) and "font-size:" in y for y in ys):
            # a row name's second line set smaller in its text (the timeline's reach) grows too,
            # in the axis's order of its rows as well
            trace.y = _grow_inline_fonts(ys, scale)
    out.for_each_yaxis(lambda axis: axis.update(categoryarray=_grow_inline_fonts(axis.categoryarray, scale))
                       if axis.categoryarray else None)
    top, bottom = margin_px(out, "t"), margin_px(out, "b")
    height = out.layout.height or 450
    out.update_layout(
        height=round(height * 1.25 + (bottom + top) * (scale - 1)),
        margin=dict(t=round(top * scale), b=round(bottom * scale), **({"l": new_left} if left is not None else {})),
    )
    return out


def fit_rows(fig: go.Figure) -> go.Figure:
    """Make the names of a chart's rows (its y axes' categories), and the texts in a grid's
    cells, no taller than their rows: on a slide of fixed height the enlarged texts of many
    rows overlap, and Plotly then leaves every other name out (16 organisations at 1920x1080, in
    Spanish). A cell of two lines that cannot be read in its row is written on one ("33
    participations · 20 people"). Writes into ``fig``, returns it."""
    plot = (fig.layout.height or 450) - margin_px(fig, "t") - margin_px(fig, "b")
    base = fig.layout.font.size or TEMPLATE.layout.font.size
    rows: dict[str, set] = {}
    for trace in fig.data:
        ys = getattr(trace, "y", None)
        if ys is None or not len(ys) or not all(isinstance(y, str) for y in ys):
            continue  # a value axis, not rows
        rows.setdefault(getattr(trace, "yaxis", None) or "y", set()).update(ys)
    pitches = {}
    for axis_id, names in rows.items():
        axis = fig.layout["yaxis" + axis_id[1:]]
        domain = axis.domain or (0, 1)
        pitches[axis_id] = pitch = plot * (domain[1] - domain[0]) / len(names)
        lines = max(name.count("<br>") + 1 for name in names)
        size = axis.tickfont.size or base
        if size > (fits := _fits(pitch, lines)):
            axis.tickfont.size = fits
    for trace in fig.data:
        pitch = pitches.get(getattr(trace, "yaxis", None) or "y")
        if trace.type != "heatmap" or trace.text is None or pitch is None:
            continue
        cells = [[str(t) for t in row] for row in trace.text]
        lines = max((t.count("<br>") + 1 for row in cells for t in row), default=1)
        if lines > 1 and _fits(pitch, lines) < MIN_ROW_FONT_PX + 1:
            trace.text = [[t.replace("<br>", " · ") for t in row] for row in cells]
            lines = 1
        size = trace.textfont.size or base
        if size > (fits := _fits(pitch, lines)):
            trace.textfont.size = fits
    return fig


MIN_ROW_FONT_PX = 10  # fit_rows: smaller would not be read on a slide


def _fits(pitch: float, lines: int) -> int:
    """The largest font (px) whose ``lines`` lines stand in a row ``pitch`` px high."""
    return max(MIN_ROW_FONT_PX, int(pitch * 0.9 / (1.25 * lines)))


def _grow_inline_fonts(texts, scale: float) -> list:
    """``texts`` with the font sizes written in them (``font-size:13px``) times ``scale``."""
    return [_INLINE_FONT.sub(lambda m: f"font-size:{round(int(m.group(1)) * scale)}px", t) if isinstance(t, str) else t
            for t in texts]
