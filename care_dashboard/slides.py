"""The presentation's layout (pure): how tall a slide's chart may be so that the slide fits the
window with no scrolling, and how the deck's notes are split over "Notes" slides that fit.

Sizes follow content/css/presenter.css, where the text of a slide is set in vh (a share of the
window's height), as presentation software scales with the screen.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_VIEWPORT = (1920, 1080)  # until the browser has said its size
BAR_VH = 8.5  # the bar of buttons above the slide, with the page's top padding
SLIDE_PADDING_PX = 56  # the slide's border, padding and the gaps between its elements
# a key caveat under a chart: font 2.5vh, line height 1.35; never larger than the chart's title
# (19 px at 720p at the least, ui_slides.slide_figure)
CAVEAT_FONT_VH = 2.5
CAVEAT_LINE_VH = CAVEAT_FONT_VH * 1.35
CAVEAT_GAP_VH = 0.5
NOTE_FONT_VH = 2.15
NOTE_LINE = 1.3
NOTE_GAP_VH = 0.9
HEADING_VH = 5.2 * 1.15 + 1.6
CHARS_PER_EM = 1.95  # characters of running text per em of font size, on average
MIN_CHART_PX = 260
SLIDE_WIDTH_SHARE = 0.93  # of the window's width, inside the page's 2.5vw sides and the slide's frame


def slide_width(window_width: float) -> float:
    """The width in px a slide's texts and chart stand in, in a window ``window_width`` wide."""
    return window_width * SLIDE_WIDTH_SHARE


@dataclass(frozen=True)
class Viewport:
    width: int
    height: int

    @classmethod
    def of(cls, reported) -> Viewport:
        """The size the browser reported (``{"width": .., "height": ..}``), or the default."""
        try:
            width, height = int(reported["width"]), int(reported["height"])
        except (TypeError, KeyError, ValueError):
            width, height = DEFAULT_VIEWPORT
        return cls(max(width, 320), max(height, 320))

    def vh(self, share: float) -> float:
        return self.height * share / 100


def _wrapped_lines(text: str, font_px: float, width_px: float) -> int:
    per_line = max(int(width_px / font_px * CHARS_PER_EM), 20)
    return max(1, -(-len(text) // per_line))


def chart_height(viewport: Viewport, caveat_texts: list[str]) -> int:
    """The height in px of a chart that leaves room, in the window, for the bar above the slide
    and the chart's key caveats written under it in large type."""
    text_width = slide_width(viewport.width)
    font = viewport.vh(CAVEAT_FONT_VH)
    lines = sum(_wrapped_lines(t, font, text_width) for t in caveat_texts)
    used = viewport.vh(BAR_VH) + SLIDE_PADDING_PX + lines * viewport.vh(CAVEAT_LINE_VH) + len(caveat_texts) * viewport.vh(CAVEAT_GAP_VH)
    return max(int(viewport.height - used), MIN_CHART_PX)


def paginate_notes(texts: list[str], viewport: Viewport, below: int = 0) -> list[list[int]]:
    """The indexes of ``texts`` (the deck's notes, in full) on each "Notes" slide, in order, as
    many on a slide as fit under its heading and above ``below`` lines in large type (a filtered
    deck's filters)."""
    room = (viewport.height - viewport.vh(BAR_VH) - SLIDE_PADDING_PX - viewport.vh(HEADING_VH)
            - below * (viewport.vh(CAVEAT_LINE_VH) + viewport.vh(CAVEAT_GAP_VH)))
    font = viewport.vh(NOTE_FONT_VH)
    width = slide_width(viewport.width)
    pages: list[list[int]] = [[]]
    used = 0.0
    for i, text in enumerate(texts):
        need = _wrapped_lines(text, font, width) * font * NOTE_LINE + viewport.vh(NOTE_GAP_VH)
        if pages[-1] and used + need > room:
            pages.append([])
            used = 0.0
        pages[-1].append(i)
        used += need
    return [p for p in pages if p]


def figures_per_row(count: int) -> int:
    """How many headline figures stand side by side on a slide: up to three in one row; more in
    two rows (four as two by two), so each has room for its number on one line in large type."""
    return count if count <= 3 else -(-count // 2)


# the smallest text of a chart (its annotations, its source line: 12 px as drawn for a page) is
# this large on a slide in a window 720 px high, and grows with the window's height, as the rest
# of a slide does (presenter.css sets its text in vh): read from the back of a room
MIN_CHART_TEXT_PX_AT_720 = 16
SMALLEST_CHART_TEXT_PX = 12
MAX_TEXT_SCALE = 1.5  # as large as the charts stay laid out as drawn (the timeline's months on one line)
PHONE_WIDTH_PX = 600  # a window narrower than this shows a chart's phone layout (content/css/page.css)
WIDTH_PER_SCALE = 854  # px of window per unit of text scale: 1280 wide holds 1.5
AXIS_TITLE_PX = 14  # an axis's title with no size of its own, as the charts draw it


def text_scale(window_height: int, window_width: int = DEFAULT_VIEWPORT[0]) -> float:
    """How much a chart's texts are enlarged on a slide in a window ``window_width`` by
    ``window_height`` px: as the window's height asks, and no more than its width holds (a
    phone held upright keeps the page's sizes: its chart is as wide as the page's)."""
    wanted = min_text_px(window_height) / SMALLEST_CHART_TEXT_PX
    return max(1.0, min(MAX_TEXT_SCALE, wanted, window_width / WIDTH_PER_SCALE))


def min_text_px(window_height: int) -> float:
    """The smallest text a slide's chart should have in a window ``window_height`` px high."""
    return MIN_CHART_TEXT_PX_AT_720 * window_height / 720


MAP_MAX_ZOOM = 1.5  # as the other charts' text grows on a slide (ui_slides.slide_figure)


def map_zoom(chart_height: int, map_height: float, map_min_width: float, window_width: int) -> float:
    """How much the map is enlarged (or reduced) as a whole on a slide: it places its circles and
    labels for the size it is drawn at (``map_chart``), so it is drawn at that size and scaled, to
    the chart's room in height and the slide's width (``slide_width``)."""
    return max(0.3, min(MAP_MAX_ZOOM, chart_height / map_height, slide_width(window_width) / map_min_width))
