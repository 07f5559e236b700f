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

from . import charts, i18n
from .caveats import Caveat
from .views import View

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1f2933;max-width:1100px;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:2rem;margin-bottom:.2rem} h2{font-size:1.4rem;margin-top:2.2rem}
.meta{color:#616e7c} .unit{color:#616e7c;font-size:.95rem}
.view{border:1px solid #e4e7eb;border-radius:8px;padding:1rem 1.2rem;margin:1.2rem 0;break-inside:avoid;page-break-inside:avoid}
.figures{display:flex;flex-wrap:wrap;gap:1rem} .figure{flex:1 1 220px;border-left:4px solid #0072B2;padding:.3rem .8rem}
.figure .value{font-size:2rem;font-weight:600} .figure .label{font-weight:600}
.caveats{font-size:.9rem;color:#3e4c59;padding-left:1.1rem} .caveats li{margin:.25rem 0}
.table-scroll{max-width:100%;overflow-x:auto}
@media (max-width:599px){.chart-wide{display:none}} @media (min-width:600px){.chart-narrow{display:none}}
 table{border-collapse:collapse;font-size:.9rem;margin-top:.6rem} td,th{border:1px solid #e4e7eb;padding:.25rem .5rem;text-align:left}
@media print{.view{box-shadow:none} a{color:inherit}}
"""


def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _caveat_items(caveats: list[Caveat], source_of: Callable[[Caveat], str]) -> str:
    return "".join(f"<li><strong>{_e(c.title)}.</strong> {_e(c.text)} <em>({_e(source_of(c))})</em></li>" for c in caveats)


def _headed(built, decorated, unit: str, narrow: bool = False):
    """The chart's heading as the pages write it (charts.with_heading: the title wrapped to the
    chart's width, the counting unit under it), on a copy: ``built`` is the view's own chart."""
    fig = go.Figure(decorated) if decorated is built else decorated
    return charts.with_heading(fig, unit, narrow=narrow)


def _chart_html(fig) -> str:
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, config={"displaylogo": False, "responsive": True})


def build_html(
    views: list[View],
    lang: str,
    *,
    filters: str,
    dataset_title: str,
    source: str,
    licence: str,
    caveats_for: Callable[[list[str]], list[Caveat]],
    source_of: Callable[[Caveat], str],
    decorate: Callable = lambda fig, ids, key, narrow=False: fig,
    made_on: dt.date | None = None,
) -> str:
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    made_on = made_on or dt.date.today()
    parts = [
        f"<!doctype html><html lang='{_e(lang)}'><head><meta charset='utf-8'>",
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{_e(t('briefing.title'))}</title>",
        f"<style>{STYLE}</style>",
        # Plotly's own library, inlined: the file must open with no internet
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>",
        f"<h1>{_e(t('briefing.title'))}</h1>",
        f"<p class='meta'>{_e(dataset_title)}. {_e(t('briefing.made', date=i18n.date(made_on, lang), filters=filters))}</p>",
        f"<nav><strong>{_e(t('briefing.contents'))}</strong><ol>",
        *[f"<li><a href='#{_e(v.key)}'>{_e(v.title)}</a></li>" for v in views],
        "</ol></nav>",
    ]
    for view in views:
        parts.append(f"<section class='view' id='{_e(view.key)}'><h2>{_e(view.title)}</h2>")
        if view.figures:
            parts.append("<div class='figures'>")
            for f in view.figures:
                parts.append(
                    f"<div class='figure'><div class='label'>{_e(f.label)}</div><div class='value'>{_e(f.value)}</div>"
                    f"<div class='unit'>{_e(t('common.unit_line', unit=f.unit))}</div></div>"
                )
            parts.append("</div>")
        if view.chart is not None:
            # the chart as the page lays it out, and on a phone its narrow variant where it has one
            # (the wide one's row names take the whole width of a phone): the style shows one
            narrow = view.narrow_chart
            wide = _chart_html(_headed(view.chart, decorate(view.chart, view.caveat_ids, view.key), view.unit))
            if narrow is None:
                parts.append(wide)
            else:
                small = _headed(narrow, decorate(narrow, view.caveat_ids, view.key, narrow=True), view.unit, narrow=True)
                parts.append(f"<div class='chart-wide'>{wide}</div><div class='chart-narrow'>{_chart_html(small)}</div>")
        if not view.figures:
            parts.append(f"<p class='unit'>{_e(t('common.unit_line', unit=view.unit))}</p>")
        parts.append(f"<ul class='caveats'>{_caveat_items(caveats_for(view.caveat_ids), source_of)}</ul>")
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
