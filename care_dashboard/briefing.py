"""The offline briefing: one self-contained HTML file of the current selection, with every chart
(Plotly's JavaScript inlined, nothing loaded from the web), the headline figures, each view's unit
and caveats, the source and the licence (pure).

Every text that comes from data (organisation names, titles) is escaped, so nothing in it runs.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from . import charts, honest, i18n
from .caveats import Caveat
from .views import View

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1f2933;max-width:1100px;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:2rem;margin-bottom:.2rem} h2{font-size:1.4rem;margin-top:2.2rem}
.meta{color:#616e7c} .unit{color:#616e7c;font-size:.95rem}
.view{border:1px solid #e4e7eb;border-radius:8px;padding:1rem 1.2rem;margin:1.2rem 0;break-inside:avoid;page-break-inside:avoid}
.figures{display:flex;flex-wrap:wrap;gap:1rem} .figure{flex:1 1 220px;border-left:4px solid #0072B2;padding:.3rem .8rem}
.figure .value{font-size:2rem;font-weight:600} .figure .label{font-weight:600}
.note{color:#3e4c59;font-size:.92rem;margin:.3rem 0} .caveats{font-size:.9rem;color:#3e4c59;padding-left:1.1rem} .caveats li{margin:.25rem 0}
.table-scroll{max-width:100%;overflow-x:auto}
@media (max-width:599px){.chart-wide{display:none}} @media (min-width:600px){.chart-narrow{display:none}}
 table{border-collapse:collapse;font-size:.9rem;margin-top:.6rem} td,th{border:1px solid #e4e7eb;padding:.25rem .5rem;text-align:left}
@media print{.view{box-shadow:none} a{color:inherit}}
"""


def escape(text) -> str:
    """Text for HTML, with nothing in it that runs or sets markup (None: empty)."""
    return html.escape("" if text is None else str(text), quote=True)


_e = escape


def plotly_script() -> str:
    """Plotly's own library, inlined: a file that carries it opens with no internet."""
    return f"<script type='text/javascript'>{get_plotlyjs()}</script>"


def _caveat_items(caveats: list[Caveat], source_of: Callable[[Caveat], str]) -> str:
    return "".join(f"<li><strong>{_e(c.title)}.</strong> {_e(c.text)} <em>({_e(source_of(c))})</em></li>" for c in caveats)


def _framed(chart, frame: honest.Frame, where: Callable[[Caveat], str], narrow: bool = False):
    """A copy of the view's chart (``chart`` is the view's own) headed as the pages head it (the
    title wrapped to the chart's width, the counting unit under it) and footed by the frame's
    lines (key caveats, notes, filters, source), so a saved image keeps them."""
    fig = charts.with_heading(go.Figure(chart.to_dict(), _validate=False), frame.unit, narrow=narrow)
    width = charts.FOOTER_WRAP_CHARS_NARROW if narrow else charts.FOOTER_WRAP_CHARS
    return charts.with_caveat_footer(fig, honest.plain_lines(frame, where), width_chars=width, copy=False)


def chart_html(fig, config: dict | None = None) -> str:
    """The figure as a div and the script that draws it with the inlined library (``plotly_script``)."""
    return pio.to_html(fig, include_plotlyjs=False, full_html=False,
                       config=config or {"displaylogo": False, "responsive": True})


def build_html(
    views: list[View],
    lang: str,
    *,
    frames: dict[str, honest.Frame],
    filters: str,
    dataset_title: str,
    source: str,
    licence: str,
    source_of: Callable[[Caveat], str],
    where: Callable[[Caveat], str],
    made_on: dt.date | None = None,
) -> str:
    """The briefing of ``views``, each section framed by ``frames[view.key]`` (``honest.frame``)."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    made_on = made_on or dt.date.today()
    parts = [
        f"<!doctype html><html lang='{_e(lang)}'><head><meta charset='utf-8'>",
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{_e(t('briefing.title'))}</title>",
        f"<style>{STYLE}</style>",
        plotly_script(),
        "</head><body>",
        f"<h1>{_e(t('briefing.title'))}</h1>",
        f"<p class='meta'>{_e(dataset_title)}. {_e(t('briefing.made', date=i18n.date(made_on, lang), filters=filters))}</p>",
        f"<nav><strong>{_e(t('briefing.contents'))}</strong><ol>",
        *[f"<li><a href='#{_e(v.key)}'>{_e(v.title)}</a></li>" for v in views],
        "</ol></nav>",
    ]
    for view in views:
        frame = frames[view.key]
        parts.append(f"<section class='view' id='{_e(view.key)}'><h2>{_e(view.title)}</h2>")
        if view.figures:
            parts.append("<div class='figures'>")
            for f in view.figures:
                parts.append(
                    f"<div class='figure'><div class='label'>{_e(f.label)}</div><div class='value'>{_e(f.value)}</div>"
                    f"<div class='unit'>{_e(t('common.unit_line', unit=f.unit))}</div>"
                    + "".join(f"<div class='note'>{_e(n)}</div>" for n in f.notes) + "</div>"
                )
            parts.append("</div>")
            # beside the figures, as on their slide: each one's key caveat, short
            parts.append("".join(f"<p class='note'>\u26a0 {_e(c.short)} ({_e(where(c))})</p>" for c in frame.key_caveats))
        if view.chart is not None:
            # the chart as the page lays it out, and on a phone its narrow variant where it has one
            # (the wide one's row names take the whole width of a phone): the style shows one
            wide = chart_html(_framed(view.chart, frame, where))
            narrow = view.narrow_chart
            if narrow is None:
                parts.append(wide)
            else:
                small = chart_html(_framed(narrow, frame, where, narrow=True))
                parts.append(f"<div class='chart-wide'>{wide}</div><div class='chart-narrow'>{small}</div>")
        else:
            if not view.figures:
                parts.append(f"<p class='unit'>{_e(t('common.unit_line', unit=view.unit))}</p>")
                parts += [f"<p class='note'>{_e(n)}</p>" for n in frame.notes]
            if frame.filters:
                parts.append(f"<p class='note'>{_e(frame.filters)}</p>")
            parts.append(f"<p class='note'>{_e(frame.source)}</p>")
        parts.append(f"<ul class='caveats'>{_caveat_items(list(frame.all_caveats), source_of)}</ul>")
        if view.table is not None:
            # a table wider than a phone scrolls inside its box, not the whole page with it
            parts.append(f"<div class='table-scroll'>{view.table.to_html(index=False, escape=True, border=0)}</div>")
        parts.append("</section>")
    parts += [
        f"<h2>{_e(t('briefing.source_heading'))}</h2>",
        f"<p>{_e(source)}</p><p>{_e(licence)}</p>",
        "</body></html>",
    ]
    return "".join(parts)
