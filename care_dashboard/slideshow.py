"""The offline slideshow: the presenter's chosen deck as one self-contained HTML file that runs full
screen in any browser with no network, the offline briefing's twin for the room (pure).

One slide per screen, in the order the presenter chose (``deck_choice``): their title slide, the
catalogue's slides, their closing slide, then the deck's notes in full on "Notes" slides. Each
slide carries what every surface shows with a figure (``honest.frame``): title with unit, key
caveats short, the notes its data calls for, the filters, the synthetic mark, the source. The
charts are headed as on the pages (title, unit under it), with Plotly's library inlined as in
the briefing; their lines are written under them.

Every slide is laid out on a stage of 1280 x 720 px, scaled as a whole to the window (as
presentation software does), so a slide reads the same at 720p and at 1080p, with no text
smaller than 16 px at 720p (the map's own texts excepted: it is drawn as a whole, at the size its
height leaves, ``chart_figure``). The keys are the dashboard presentation's: arrows, PageDown/PageUp
(a clicker), space, Home/End, F for full screen.

Texts from data and from the presenter are escaped (``briefing.escape``); the charts' texts are
escaped by ``charts``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import plotly.graph_objects as go

from . import briefing, charts, deck_choice, frontend_texts, honest, i18n, map_chart, notes, slides
from .caveats import Caveat
from .deck_choice import DeckChoice
from .views import Figure, View

STAGE_W, STAGE_H = 1280, 720  # a 16:9 slide, laid out at 720p and scaled to the window
PAD_X, PAD_Y, BAR_H = 32, 20, 40
CHART_W = STAGE_W - 2 * PAD_X
CHART_H = STAGE_H - 2 * PAD_Y - BAR_H
# every text of a chart times this: its 19 px title becomes 27 px, its 14 px axis names 20 px
CHART_SCALE = 1.4
TITLE_PX = 19 * CHART_SCALE
# a chart's lines under it (key caveats, notes, filters, source), in the page rather than inside
# the figure: a footer inside starts at the plot's left edge, which a chart with long row names
# pushes past the middle of the slide; no larger than the chart's title
LINE_PX, LINE_HEIGHT = 18, 1.3
NOTES_VIEWPORT = slides.Viewport(STAGE_W, STAGE_H)  # the Notes slides are paginated for the stage
MAP_SIDE_W = 340  # the column beside the map for its caveats, notes, filters and source
CHART_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": False}

STYLE = f"""
*{{box-sizing:border-box}}
html,body{{margin:0;height:100%;background:#111820;overflow:hidden}}
body{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1f2933}}
.ss-slide{{position:fixed;inset:0;visibility:hidden}}
.ss-slide.ss-current{{visibility:visible}}
.ss-stage{{position:absolute;left:50%;top:50%;width:{STAGE_W}px;height:{STAGE_H}px;background:#fff;
 transform:translate(-50%,-50%) scale(var(--scale,1));transform-origin:center center;
 padding:{PAD_Y}px {PAD_X}px 0;display:flex;flex-direction:column;overflow:hidden}}
.ss-body{{flex:1 1 auto;min-height:0;overflow:hidden}}
.ss-bar{{flex:0 0 {BAR_H}px;display:flex;align-items:center;justify-content:space-between;gap:16px;
 border-top:1px solid #e4e7eb;color:#52606d;font-size:18px}}
.ss-position{{font-weight:600;color:#1f2933;font-variant-numeric:tabular-nums;white-space:nowrap}}
.ss-bar .ss-hint{{overflow:hidden;white-space:nowrap;text-overflow:ellipsis}}
h1{{font-size:38px;line-height:1.15;margin:4px 0 10px}}
.ss-unit{{color:#52606d;font-size:22px;margin:0 0 10px}}
.ss-line{{font-size:19px;line-height:1.3;margin:6px 0;color:#3e4c59}}
.ss-figures{{display:grid;gap:14px 28px;margin:8px 0 10px}}
.ss-figure{{border-left:6px solid #0072B2;padding:2px 14px}}
.ss-figure .ss-label{{font-size:22px;font-weight:600}}
.ss-figure .ss-value{{font-size:54px;font-weight:700;line-height:1.1}}
.ss-figure .ss-unit{{font-size:19px;margin:0}}
.ss-figure .ss-line{{font-size:17px;margin:4px 0}}
.ss-opening{{display:flex;flex-direction:column;justify-content:center;height:100%;padding:0 40px}}
.ss-opening h1{{font-size:56px;margin-bottom:28px}}
.ss-opening .ss-meta{{font-size:30px;margin:6px 0}}
.ss-opening .ss-by{{font-size:26px;color:#3e4c59;margin-top:22px}}
.ss-closing{{display:flex;flex-direction:column;justify-content:center;height:100%;padding:0 40px}}
.ss-closing p.ss-words{{font-size:36px;line-height:1.35;margin:0 0 28px;overflow-wrap:anywhere}}
.ss-opening h1,.ss-opening .ss-meta,.ss-opening .ss-by{{overflow-wrap:anywhere}}
.ss-map{{display:flex;gap:24px;align-items:flex-start}} .ss-map .ss-side{{flex:0 0 {MAP_SIDE_W - 24}px;padding-top:90px}}
.ss-map .ss-line{{font-size:{LINE_PX}px}}
.ss-chart-lines .ss-line{{font-size:{LINE_PX}px;line-height:{LINE_HEIGHT};margin:0 0 2px}}
.ss-notes p{{font-size:16px;line-height:1.3;margin:0 0 7px}}
.ss-fullscreen{{position:fixed;right:10px;top:10px;z-index:2;font:inherit;font-size:16px;padding:4px 10px;
 border:1px solid #9aa5b1;border-radius:6px;background:rgba(255,255,255,.85);color:#1f2933;opacity:.5}}
.ss-fullscreen:hover,.ss-fullscreen:focus{{opacity:1}}
:fullscreen .ss-fullscreen{{display:none}}
"""

# The keys of the dashboard's presentation (content/js/presenter.js); the slide shown is kept in
# the address (#3), so a reload stays on it.
SCRIPT = """
(function(){
  const slides = Array.from(document.querySelectorAll('.ss-slide'));
  const NEXT = new Set(['ArrowRight','ArrowDown','PageDown',' ','Spacebar','Enter']);
  const PREVIOUS = new Set(['ArrowLeft','ArrowUp','PageUp','Backspace']);
  let index = 0;
  const fit = () => {
    const scale = Math.min(window.innerWidth / STAGE_W, window.innerHeight / STAGE_H);
    document.documentElement.style.setProperty('--scale', String(scale));
  };
  const show = (i) => {
    index = Math.max(0, Math.min(slides.length - 1, i));
    slides.forEach((s, j) => {
      s.classList.toggle('ss-current', j === index);
      s.setAttribute('aria-hidden', j === index ? 'false' : 'true');
    });
    document.body.dataset.slide = String(index + 1);
    if (history.replaceState) history.replaceState(null, '', '#' + (index + 1));
  };
  const toggleFullScreen = () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
  };
  document.addEventListener('keydown', (event) => {
    const t = event.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    let to = null;
    if (NEXT.has(event.key)) to = event.shiftKey && event.key === ' ' ? index - 1 : index + 1;
    else if (PREVIOUS.has(event.key)) to = index - 1;
    else if (event.key === 'Home') to = 0;
    else if (event.key === 'End') to = slides.length - 1;
    else if (event.key === 'f' || event.key === 'F') { event.preventDefault(); toggleFullScreen(); return; }
    if (to !== null) { event.preventDefault(); show(to); }
  });
  const button = document.querySelector('.ss-fullscreen');
  if (button) button.addEventListener('click', () => { toggleFullScreen(); button.blur(); });
  window.addEventListener('resize', fit);
  fit();
  const asked = parseInt((location.hash || '').slice(1), 10);
  show(Number.isFinite(asked) ? asked - 1 : 0);
})();
""".replace("STAGE_W", str(STAGE_W)).replace("STAGE_H", str(STAGE_H))

_e = briefing.escape


def _line(icon: str, text: str, cls: str = "line") -> str:
    return f"<p class='ss-{cls}'><span aria-hidden='true'>{icon}</span> {_e(text)}</p>"


def _caveat_line(caveat: Caveat, where: Callable[[Caveat], str]) -> str:
    return _line("\u26a0", f"{caveat.short} ({where(caveat)})")


def lines_height(lines: list[str]) -> int:
    """The height in px of a chart's lines written under it (``LINE_PX`` type, wrapped to the slide)."""
    per_line = max(int(CHART_W / LINE_PX * slides.CHARS_PER_EM * 0.9), 20)
    return round(sum(-(-len(line) // per_line) for line in lines) * LINE_PX * LINE_HEIGHT + 2 * len(lines) + 10)


def chart_figure(view: View, frame: honest.Frame, height: int = CHART_H):
    """The view's chart for a slide of the stage, ``height`` px tall (what its lines under it
    leave): headed as on the pages (title, and the unit under it), its texts enlarged for a
    projector, as wide as the slide; the map enlarged as a whole (``map_chart.scaled``), as it
    places its labels for the size it is drawn at."""
    chart = view.chart
    if chart is None:
        raise ValueError(f"figure {view.key!r} has no chart for a slide")
    if view.key == "territory_map":
        # its builder writes its heading, unit included; its lines stand beside it (``build_html``):
        # under it they would leave the map a third of the slide's height
        spec = chart if isinstance(chart, dict) else chart.to_dict()  # ``scaled`` returns a copy
        layout = spec["layout"]
        room = CHART_W - MAP_SIDE_W
        zoom = max(0.3, min(slides.MAP_MAX_ZOOM, CHART_H / layout["height"], room / layout["meta"]["min_width_px"]))
        out = map_chart.scaled(spec, zoom)
        out["layout"]["width"] = round(min(out["layout"]["meta"]["full_width_px"], room))
        # its title no smaller than the lines beside it (the map drawn smaller than on the page)
        title_font = out["layout"]["title"].setdefault("font", {})
        title_font["size"] = max(title_font.get("size") or 0, LINE_PX + 2)
        return out
    # wrapped for the enlarged text: the lines are set before ``for_projector`` grows them
    title_chars = int(CHART_W / TITLE_PX * slides.CHARS_PER_EM * 0.9)
    fig = charts.with_heading(go.Figure(chart.to_dict(), _validate=False), frame.unit, title_chars=title_chars,
                              subtitle_chars=round(title_chars * 19 / 15))  # its unit: 15 px under 19 px
    fig = charts.for_projector(fig, scale=CHART_SCALE)
    fig.update_layout(height=height, width=CHART_W, autosize=False)
    _fit_grid_top(fig)
    return charts.fit_rows(fig)


def _lines(text) -> int:
    return str(text or "").count("<br>") + 1


def _fit_grid_top(fig: go.Figure) -> None:
    """A grid's margins as tall as what stands in them: above it the heading and the column names;
    under it nothing. Its
    builder keeps room for names of three lines under a title of one; enlarged for the slide,
    that room is taken from the rows, whose names then shrink (``fit_rows``) below what the back
    of a room reads. Left as it is where the builder writes anything else above the grid."""
    grids = [t for t in fig.data if t.type == "heatmap" and t.x is not None]
    above = [a for a in fig.layout.annotations if a.yref == "paper" and (a.y or 0) >= 1]
    if not grids or above or fig.layout.xaxis.side != "top":
        return
    title = fig.layout.title
    heading = ((title.pad.t or 0) + _lines(title.text) * (title.font.size or TITLE_PX) * 1.25
               + _lines(title.subtitle.text) * (title.subtitle.font.size or 15) * 1.3 + 12)
    names = max(_lines(x) for t in grids for x in t.x)
    tick = fig.layout.xaxis.tickfont.size or fig.layout.font.size or 15
    top = round(heading + names * tick * 1.3 + 14)
    if top < charts.margin_px(fig, "t"):
        fig.update_layout(margin_t=top)
    # and nothing under it: its lines are written under the chart, in the page
    fig.update_layout(margin_b=min(charts.margin_px(fig, "b"), 8))


def _headline_body(view: View, frame: honest.Frame, where: Callable[[Caveat], str],
                   key_of: Callable[[Figure], Caveat | None]) -> str:
    per_row = slides.figures_per_row(len(view.figures))
    parts = [f"<h1>{_e(view.title)}</h1>"]
    if frame.filters:  # under the title: every figure below is of this selection only
        parts.append(f"<p class='ss-line ss-filters'>{_e(frame.filters)}</p>")
    parts.append(f"<div class='ss-figures' style='grid-template-columns:repeat({per_row},1fr)'>")
    for figure in view.figures:
        parts.append(f"<div class='ss-figure'><div class='ss-label'>{_e(figure.label)}</div>"
                     f"<div class='ss-value'>{_e(figure.value)}</div><p class='ss-unit'>{_e(figure.unit)}</p>")
        if (caveat := key_of(figure)) is not None:
            parts.append(_caveat_line(caveat, where))
        parts += [_line("\u2139", n) for n in figure.notes]
        parts.append("</div>")
    parts.append("</div>")
    if frame.synthetic is not None:
        parts.append(_caveat_line(frame.synthetic, where))
    parts.append(f"<p class='ss-line ss-source'>{_e(frame.source)}</p>")
    return "".join(parts)


def _frame_lines(frame: honest.Frame, where: Callable[[Caveat], str]) -> list[str]:
    """What is said beside a figure, as the chart's footer says it (``honest.plain_lines``)."""
    parts = [_caveat_line(c, where) for c in frame.key_caveats]
    parts += [_line("\u2139", n) for n in frame.notes]
    if frame.filters:
        parts.append(f"<p class='ss-line ss-filters'>{_e(frame.filters)}</p>")
    parts.append(f"<p class='ss-line ss-source'>{_e(frame.source)}</p>")
    return parts


def _text_body(view: View, frame: honest.Frame, where: Callable[[Caveat], str]) -> str:
    """A slide of a view with neither chart nor figures: its frame, written out."""
    return "".join([f"<h1>{_e(view.title)}</h1>", f"<p class='ss-unit'>{_e(frame.unit)}</p>", *_frame_lines(frame, where)])


def _opening_body(title: deck_choice.TitleSlide, dataset_title: str, filters: str | None,
                  synthetic: Caveat | None, where: Callable[[Caveat], str]) -> str:
    parts = ["<div class='ss-opening'>"]
    if title.meeting:
        parts.append(f"<h1>{_e(title.meeting)}</h1>")
    when_where = title.when_where
    if when_where:
        parts.append(f"<p class='ss-meta'>{_e(when_where)}</p>")
    if title.by:
        parts.append(f"<p class='ss-by'>{_e(title.by)}</p>")
    parts.append(f"<p class='ss-line'>{_e(dataset_title)}</p>")
    if filters:
        parts.append(f"<p class='ss-line ss-filters'>{_e(filters)}</p>")
    if synthetic is not None:
        parts.append(_caveat_line(synthetic, where))
    parts.append("</div>")
    return "".join(parts)


def _closing_body(words: str, source: str, synthetic: Caveat | None, where: Callable[[Caveat], str]) -> str:
    parts = ["<div class='ss-closing'>", f"<p class='ss-words'>{_e(words)}</p>"]
    if synthetic is not None:
        parts.append(_caveat_line(synthetic, where))
    parts.append(f"<p class='ss-line ss-source'>{_e(source)}</p></div>")
    return "".join(parts)


def _notes_bodies(frames: list[honest.Frame], lang: str, source_of: Callable[[Caveat], str]) -> list[str]:
    """The deck's caveats in full, each numbered once in the order of the slides, on as many
    "Notes" slides as they need."""
    numbered = notes.PageNotes()
    for frame in frames:
        numbered.numbered(list(frame.all_caveats))
    items = numbered.items()
    texts = [f"[{n}] {c.title}. {c.text} ({source_of(c)})" for n, c in items]
    pages = slides.paginate_notes(texts, NOTES_VIEWPORT) if texts else []
    out = []
    for p, page in enumerate(pages, 1):
        heading = (i18n.t("slideshow.notes_title", lang, n=p, total=len(pages)) if len(pages) > 1
                   else i18n.t("slideshow.notes_title_one", lang))
        body = "".join(f"<p><strong>[{n}] {_e(c.title)}.</strong> {_e(c.text)} <em>({_e(source_of(c))})</em></p>"
                       for n, c in (items[i] for i in page))
        out.append(f"<h1>{_e(heading)}</h1><div class='ss-notes'>{body}</div>")
    return out


def build_html(
    slides_: Sequence[View],
    frames: Mapping[str, honest.Frame],
    choice: DeckChoice,
    lang: str,
    *,
    dataset_title: str,
    where: Callable[[Caveat], str],
    source_of: Callable[[Caveat], str],
    caveats_for: Callable[[list[str]], list[Caveat]],
    empty: str = "",
) -> bytes:
    """The slideshow of the deck ``slides_`` (``views.deck``) as ``choice`` chooses it, each slide
    framed by ``frames[view.key]`` (``honest.frame``); ``where``: what a caveat's short form
    rests on ("report §6.1"), ``source_of``: the same in full, for the Notes slides;
    ``caveats_for``: the caveats that hold for this data (a headline figure's key caveat);
    ``empty``: what a slide says where the selection matches nothing."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    shown = deck_choice.chosen(choice, slides_, lambda v: v.key)
    shown_frames = [frames[v.key] for v in shown]
    first = shown_frames[0] if shown_frames else None
    synthetic = next((f.synthetic for f in shown_frames if f.synthetic is not None), None)
    source = first.source if first is not None else ""
    filters = first.filters if first is not None else None

    config = CHART_CONFIG | frontend_texts.plotly_config(lang)  # month names in the page's language
    bodies: list[tuple[str, str, str]] = []  # (the slide's kind, its key, its body)
    if choice.title:
        bodies.append(("opening", "opening", _opening_body(choice.title, dataset_title, filters, synthetic, where)))
    for view, frame in zip(shown, shown_frames):
        if view.figures:
            body = _headline_body(view, frame, where, lambda f: honest.headline_key(f, caveats_for))
        elif view.key == "territory_map":
            body = (f"<div class='ss-map'>{briefing.chart_html(chart_figure(view, frame), config=config)}"
                    f"<div class='ss-side'>{''.join(_frame_lines(frame, where))}</div></div>")
        elif view.has_chart:
            height = CHART_H - lines_height(honest.plain_lines(frame, where))
            body = (briefing.chart_html(chart_figure(view, frame, height), config=config)
                    + f"<div class='ss-chart-lines'>{''.join(_frame_lines(frame, where))}</div>")
        else:
            body = _text_body(view, frame, where)
        bodies.append(("view", view.key, body))
    if not shown:  # said, as the pages say it, rather than a file of no slides
        bodies.append(("empty", "empty", f"<div class='ss-closing'><p class='ss-words'>{_e(empty)}</p></div>"))
    if choice.closing:
        bodies.append(("closing", "closing", _closing_body(choice.closing, source, synthetic, where)))
    bodies += [("notes", "notes", body) for body in _notes_bodies(shown_frames, lang, source_of)]

    total = len(bodies)
    hint = t("slideshow.keys_tip")
    parts = [
        f"<!doctype html><html lang='{_e(lang)}'><head><meta charset='utf-8'>",
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{_e(t('slideshow.title'))}</title>",
        f"<style>{STYLE}</style>",
        briefing.plotly_script(),
        "</head><body>",
        f"<button type='button' class='ss-fullscreen' aria-keyshortcuts='F'>{_e(t('slideshow.fullscreen'))}</button>",
    ]
    for n, (kind, key, body) in enumerate(bodies, 1):
        position = t("slideshow.position", n=n, total=total)
        # the Notes slides after the first do not hold the synthetic caveat: its mark in their bar
        left = f"\u26a0 {synthetic.short} ({where(synthetic)})" if synthetic is not None and kind == "notes" else hint
        parts.append(
            f"<section class='ss-slide ss-{kind}' data-key='{_e(key)}' aria-label='{_e(position)}'>"
            f"<div class='ss-stage'><div class='ss-body'>{body}</div>"
            f"<div class='ss-bar'><span class='ss-hint'>{_e(left)}</span><span class='ss-position'>{_e(position)}</span></div>"
            "</div></section>"
        )
    parts.append(f"<script>{SCRIPT}</script></body></html>")
    return "".join(parts).encode("utf-8")
