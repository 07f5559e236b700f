"""What every chart shares: its colours (a component's colour on a dataset, ``component_colour``),
one template (``TEMPLATE``) and base layout, figures made from plain dicts (``from_dicts``), and
the busiest rows of a large result.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.utils import convert_to_base64  # type: ignore[import-untyped]

from ..labels import Labels

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#1f2933"
MUTED = "#616e7c"
# A component's colour depends only on the dataset's components, in their display order
# (``Labels.components``), never on which chart draws it or where: so it is the same on every
# page, chart, map and slide of a dataset (``component_colour``). The four CARE components keep
# these Okabe-Ito colours on any dataset (distinguishable with the common colour-vision
# deficiencies).
COMPONENT_COLOURS = {
    "ohs": "#E69F00",
    "human-rights": "#0072B2",
    "formalisation": "#009E73",
    "soft-skills": "#CC79A7",
}
# Any other component takes, in the dataset's component order, the first of these that no
# component before it (CARE's included) has: first the Okabe-Ito colours CARE does not use, then
# CARE's own for a dataset without those components, so seven components get the seven Okabe-Ito
# colours (black left out: it reads as text, and people are drawn in slate); from the eighth on,
# Paul Tol's "muted" scheme (distinct from one another, not all from the first seven under every
# deficiency). Beyond these the colours repeat. Colour is never the only cue: every chart writes
# each component's name beside its bars, panels or dots.
OTHER_COLOURS = (
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#E69F00",  # orange (CARE: occupational health and safety)
    "#0072B2",  # blue (CARE: human rights)
    "#009E73",  # bluish green (CARE: formalisation)
    "#CC79A7",  # reddish purple (CARE: soft skills)
    "#F0E442",  # yellow
    "#882255",  # wine (Tol)
    "#332288",  # indigo (Tol)
    "#999933",  # olive (Tol)
    "#44AA99",  # teal (Tol)
    "#CC6677",  # rose (Tol)
    "#DDCC77",  # sand (Tol)
)
# people (as opposed to a component) get a neutral slate, so they are not read as one component
PEOPLE_COLOUR = "#3E4C59"
ABSENT_DOT = "#D9DEE3"
STATUS_ORDER = ("count_published", "took_part", "unknown", "did_not_take_part")
STATUS_COLOURS = {
    "count_published": "#0072B2",
    "took_part": "#9CC9E8",
    "unknown": "#E4E7EB",
    "did_not_take_part": "#FFFFFF",
}


TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT_FAMILY, size=15, color=INK),
        title=dict(font=dict(size=19), x=0, xanchor="left"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=10, r=20, t=70, b=40),
        # the axes make room for their names themselves (a builder that sizes the margin turns
        # this off): said here, because plotly.js versions differ in what they do unasked, and
        # the offline briefing's Plotly is not the page's
        xaxis=dict(gridcolor="#E4E7EB", zerolinecolor="#9AA5B1", automargin=True),
        yaxis=dict(gridcolor="#E4E7EB", zerolinecolor="#9AA5B1", automargin=True),
        hoverlabel=dict(font=dict(family=FONT_FAMILY)),
    )
)


@functools.lru_cache(maxsize=256)
def _colours_of(order: tuple[str, ...]) -> dict[str, str]:
    taken = {COMPONENT_COLOURS[c] for c in order if c in COMPONENT_COLOURS}
    free = [c for c in OTHER_COLOURS if c not in taken]
    found, n = {}, 0
    for cid in dict.fromkeys(order):
        if cid in COMPONENT_COLOURS:
            found[cid] = COMPONENT_COLOURS[cid]
        else:
            found[cid] = free[n % len(free)]
            n += 1
    return found


def component_colours(labels: Labels | Iterable[str]) -> dict[str, str]:
    """The colour of each component of a dataset, by id: ``labels`` (its ``components`` in display
    order, as every chart builder gets them) or the component ids in that order."""
    order = tuple(labels.components) if isinstance(labels, Labels) else tuple(labels)
    return dict(_colours_of(order))


def component_colour(component_id: str, labels: Labels | Iterable[str] = ()) -> str:
    """A component's colour on this dataset: it depends only on the dataset's components in display
    order (``labels``), so every chart of the dataset gives the component the same one. An id
    the labels lack (none should) comes after them."""
    order = tuple(labels.components) if isinstance(labels, Labels) else tuple(labels)
    if component_id not in order:
        order += (component_id,)
    return _colours_of(order)[component_id]


def from_dicts(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, as the builders of large charts write them,
    without Plotly checking every property and every element of every list again: with hundreds
    of territories or thousands of bars that check cost 5-20 ms a chart, on every rerun. The
    builders' output is checked instead by ``tests/test_figures_valid.py``, which rebuilds every
    such figure through Plotly's checking constructor, on the embedded data and on a dataset of
    hundreds of territories. A ``DictFigure``: a page, which only sends it, never makes Plotly's
    objects of it."""
    return DictFigure(data, layout)


def _without_none(props: dict) -> dict:
    """A trace's or a layout's properties as Plotly keeps them: one set to None is left out."""
    return {k: v for k, v in props.items() if v is not None}


class DictFigure(go.Figure):
    """A figure held as the plain dicts its builder wrote (``from_dicts``). ``to_dict()`` answers
    from them what Plotly's own would (``tests/test_figures_valid.py`` checks the two are equal for
    every builder), without making Plotly's objects of every trace and axis (a grid of small
    panels has dozens: half its build time); anything else asked of it makes them first."""

    def __init__(self, data: list[dict], layout: dict):  # noqa: D107 - Plotly's __init__ runs when needed
        object.__setattr__(self, "_dict_source", (data, layout))

    def __reduce__(self):  # a copy or a pickle: a plain figure of the same dicts
        return (go.Figure, (self.to_dict(),))

    def _made(self):
        data, layout = object.__getattribute__(self, "_dict_source")
        object.__setattr__(self, "_dict_source", None)
        go.Figure.__init__(self, data=data, layout=layout, _validate=False)
        return self

    def __getattr__(self, name: str):
        # reached only for what Plotly's __init__ would have set: make the figure, then answer
        try:
            source = object.__getattribute__(self, "_dict_source")
        except AttributeError:
            source = None
        if source is None:
            raise AttributeError(name)
        return getattr(self._made(), name)

    def to_dict(self) -> dict:
        if object.__getattribute__(self, "_dict_source") is None:
            return super().to_dict()
        data, layout = object.__getattribute__(self, "_dict_source")
        layout = _without_none(layout)
        template = layout.get("template", pio.templates[pio.templates.default] if pio.templates.default else None)
        if isinstance(template, go.layout.Template):
            layout["template"] = template.to_plotly_json()
        spec = copy.deepcopy({"data": [_without_none(t) for t in data], "layout": layout})
        convert_to_base64(spec)  # arrays as typed arrays, as Plotly's to_dict sends them
        return spec


def _base_layout(fig: go.Figure, title: str, lang: str) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        title_text=title,
        separators=",." if lang == "es" else ".,",
        showlegend=False,
    )
    return fig


def _busiest(df: pd.DataFrame, column: str, n: int) -> set:
    """The ``n`` values of ``column`` with most participations (a count not shown counts as none;
    ties keep the rows' order)."""
    totals: dict = {}  # in the rows' order; a plain loop: a pandas groupby costs more on a few thousand rows
    for key, value in zip(df[column].tolist(), df["participations_count"].tolist()):
        known = not (value is None or value is pd.NA or value != value)
        totals[key] = totals.get(key, 0) + (value if known else 0)
    return set(sorted(totals, key=lambda k: -totals[k])[:n])


def _layout(title: str, lang: str, **rest) -> dict:
    """The layout every chart shares, as a dict (see ``_base_layout``)."""
    return dict(template=TEMPLATE, title=dict(text=title), separators=",." if lang == "es" else ".,",
                showlegend=False, **rest)

def paper_span(start: float, end: float) -> list[float]:
    """A panel's domain in paper fractions, kept inside [0, 1]: sums of fractions land a hair
    outside (1 - 3 x 0.3466... is -5.6e-17), and Plotly refuses a domain outside."""
    return [min(max(round(start, 9), 0.0), 1.0), min(max(round(end, 9), 0.0), 1.0)]
