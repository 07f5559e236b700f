"""Text sizes: how wide a text is drawn (character widths measured in Chromium), the box Plotly
draws around an annotation, and plain text wrapped to a width in pixels.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

from .design import FIRST_LINE, LABEL_PAD_PX, LINE_SPACING

# Character widths in hundredths of the font size, measured in Chromium with DejaVu Sans, the
# widest of the usual system fonts (Roboto, San Francisco and Segoe UI are narrower): a label's
# box is then never smaller than its text


def _widths(groups: dict[int, str]) -> dict[str, float]:
    return {ch: w / 100 for w, chars in groups.items() for ch in chars}


_REGULAR = _widths({
    27: "'", 28: "ijl", 29: "IJ", 32: " .,·", 34: ":;/", 35: "f", 36: "-", 39: "t()", 41: "r",
    52: "sz", 55: "c", 56: "L", 58: "kF", 59: "vxy", 60: "P", 61: "aoTY", 62: "e",
    63: "bdghnpquES", 64: "0123456789", 66: "K", 68: "AV", 69: "BRXZ", 70: "C", 73: "U", 75: "HN",
    77: "DG", 78: "&", 79: "OQ", 82: "w", 84: "+", 86: "M", 97: "m", 99: "W",
})
_BOLD = _widths({
    31: "'", 34: "ijl", 35: " ", 37: "IJ/", 38: ".,·", 40: ":;", 42: "-", 44: "f", 46: "()", 48: "t",
    49: "r", 58: "z", 59: "c", 60: "s", 64: "L", 65: "vxy", 67: "ak", 68: "eEFT", 69: "o",
    70: "0123456789", 71: "hnu", 72: "bdgpqSY", 73: "CPZ", 76: "B", 77: "AKRVX", 81: "U", 82: "G",
    83: "D", 84: "HN+", 85: "OQ", 87: "&", 92: "w", 100: "M", 104: "m", 110: "W",
})
_UNKNOWN = (0.75, 0.8)  # regular, bold: a character not in the tables


def _char_width(ch: str, bold: bool) -> float:
    table = _BOLD if bold else _REGULAR
    width = table.get(ch)
    if width is None:
        base = unicodedata.normalize("NFD", ch)[:1]  # an accented letter is as wide as its letter
        width = table.get(base, _UNKNOWN[bold])
    return width


def _runs(text: str) -> list[list[tuple[str, bool]]]:
    """The lines of a Plotly text, each as (plain text, bold) runs; tags other than <b> dropped."""
    lines: list[list[tuple[str, bool]]] = [[]]
    bold = False
    for part in re.split(r"(<[^>]*>)", text):
        tag = part.lower()
        if tag in ("<br>", "<br/>", "<br />"):
            lines.append([])
        elif tag == "<b>":
            bold = True
        elif tag == "</b>":
            bold = False
        elif part and not part.startswith("<"):
            lines[-1].append((html.unescape(part), bold))
    return lines


@functools.lru_cache(maxsize=20_000)
def text_width_px(text: str, font_px: float, bold: bool = False) -> float:
    """The width of one line of plain text."""
    return sum(_char_width(ch, bold) for ch in text) * font_px


def text_size_px(text: str, font_px: float) -> tuple[float, float]:
    """Width and height of a Plotly text (with <b>, <i> and <br>), without any box around it."""
    lines = _runs(text)
    width = max(sum(text_width_px(t, font_px, b) for t, b in line) for line in lines)
    return width, (FIRST_LINE + LINE_SPACING * (len(lines) - 1)) * font_px


def box_size_px(text: str, font_px: float, pad: float = LABEL_PAD_PX, border: float = 0) -> tuple[float, float]:
    """The box Plotly draws around an annotation's text (its borderpad and border, and a pixel's
    rounding each way, as measured in Chromium)."""
    w, h = text_size_px(text, font_px)
    extra = 2 * (pad + border) + 2
    return w * 1.02 + extra, h + extra


def _text_room(width_px: float, pad: float = 0) -> float:
    """The width of text whose box (``box_size_px``) is ``width_px`` wide."""
    return (width_px - 2 * pad - 2) / 1.02 - 1


def wrap(text: str, width_px: float, font_px: float, bold: bool = False) -> list[str]:
    """Plain text broken between words into lines no wider than ``width_px`` (a longer word
    keeps a line of its own)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and text_width_px(html.unescape(trial), font_px, bold) > width_px:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines
