"""``territory_map``, the map built from its parts, with what only it uses: the country's panel,
the zoomed panels moved until their labels fit, their titles, and the widest the map is worth
drawing.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from .. import charts, geo, i18n
from ..labels import Labels
from .data import _points, colour_of, diameters_px, key_value, largest_diameter_px, scale_top
from .design import (
    COUNTRY_PAD_DEG,
    DENSE_AT,
    DESIGNS,
    FIRST_LINE,
    FRAME_LETTERS,
    LEADER_PX,
    LINE_SPACING,
    MAX_INSETS,
    MAX_NAMED,
    NEUTRAL,
    RING_PX,
    SUBTITLE_GAP_PX,
    TITLE_ASCENT,
    TITLE_TOP_PX,
    WIDE,
    WIDE_INSETS_X,
    ZOOM_UP_TO,
    Design,
    Panel,
    Point,
)
from .drawing import _axes, _base_map, _frame, _in_domain, _prepared, _sea, _Sketch
from .furniture import _department_labels, _frames, _round_km, _scale_bar, _size_key
from .islands import _islands, _islands_box, _islands_centre, _islands_note, _on_islands
from .layout import Arrangement, Slot, _arrange, _inset_panel, _scales, _with_room, clusters
from .placement import Scene
from .places import _circles_of, _draw_places, _Drawn, _name_places, _number_places, _priority
from .text import _text_room, wrap


def _country_panel(boundaries: geo.Boundaries, points: tuple[Point, ...]) -> Panel:
    lon_min, lat_min, lon_max, lat_max = _prepared(boundaries)["mainland bounds"]
    return Panel(
        1,
        (lon_min - COUNTRY_PAD_DEG, lon_max + COUNTRY_PAD_DEG),
        (lat_min - COUNTRY_PAD_DEG, lat_max + COUNTRY_PAD_DEG),
        points,
    )


def _join(names: list[str], lang: str) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {i18n.t('map.and', lang)} {names[-1]}"


def _inset_title(names: list[str], letter: str, design: Design, width: float, lang: str) -> list[str]:
    """A zoomed panel's title, on at most two lines: its places, or the busiest and how many more."""
    lines = wrap(f"{letter} · {_join(names, lang)}", _text_room(width), design.inset_title_font_px, bold=True)
    if len(lines) > 2:
        lines = wrap(f"{letter} · " + i18n.t("map.inset_nearby", lang, name=names[0], n=len(names) - 1),
                     _text_room(width), design.inset_title_font_px, bold=True)
    return lines


def _inset_scene(fig, inset: Panel, slot: Slot, diameters: dict, design: Design, lang: str, axes: dict) -> _Drawn:
    """A zoomed panel's circles and scale bar, before its labels (``fig`` None: only trying)."""
    scene = Scene(inset.size_u, _scales(inset, slot, design.min_plot_width_px / design.plot_width_px))
    drawn = _Drawn(inset, scene, _circles_of(inset, scene, diameters, lambda p: (0.0, 0.0)))
    span_km = (inset.lon_range[1] - inset.lon_range[0]) * geo.KM_PER_DEGREE / inset.scale_ratio
    _scale_bar(fig, inset, scene, axes, _round_km(span_km), design, lang)
    return drawn


def _fit_inset(panel: Panel, slot: Slot, diameters: dict, design: Design, lang: str) -> Panel:
    """The zoomed panel moved (not rescaled) so its labels fit best: the window slides by 30 % of
    its half-size to one side when the labels need room there; the first window where every
    place has a label wins (else the one with fewest places unnamed, then fewest leader lines)."""
    half_w = (panel.lon_range[1] - panel.lon_range[0]) / 2
    half_h = (panel.lat_range[1] - panel.lat_range[0]) / 2
    best, best_score = panel, math.inf
    steps = ((0, 0), (-0.3, 0), (0.3, 0), (0, -0.3), (0, 0.3))
    for fx, fy in steps:
        moved = Panel(panel.index, (panel.lon_range[0] + fx * half_w, panel.lon_range[1] + fx * half_w),
                      (panel.lat_range[0] + fy * half_h, panel.lat_range[1] + fy * half_h), panel.points, panel.title)
        drawn = _inset_scene(None, moved, slot, diameters, design, lang, {})
        _name_places(drawn, design, lang, None)
        missing = len(panel.points) - len(drawn.labelled)
        leaders = sum(1 for spot, _ in drawn.labelled.values() if spot.leader_px)
        score = missing * 100 + leaders * 10 + abs(fx) + abs(fy)
        if score < best_score:
            best, best_score = moved, score
        if missing == 0:
            break
    return best


def territory_map(
    df: pd.DataFrame,
    territories: pd.DataFrame,
    boundaries: geo.Boundaries,
    title: str,
    labels: Labels,
    whole: pd.DataFrame | None = None,
    *,
    layout: str = "wide",
) -> go.Figure:
    """A map of Colombia with a circle per territory of ``df`` (rows of
    ``participations_by_territory``), placed by ``territories`` (rows of ``territory_options``).

    Circle area is proportional to participations, on one scale for the whole dataset when
    ``whole`` (the same query without filters) is given, so a filtered map's circles compare with
    the unfiltered ones; colour is the component's when ``df`` holds one component, grey
    otherwise. Places that crowd get zoomed panels, marked on the country by lettered frames.
    ``layout`` is "wide" (zoomed panels beside the country) or "narrow" (everything stacked, for
    a phone); both hold the same places and figures.
    """
    if layout not in DESIGNS:
        raise ValueError(f"layout must be one of {sorted(DESIGNS)}, not {layout!r}")
    design = DESIGNS[layout]
    labels = labels.for_charts()  # names from the data are plain text in a figure
    lang = labels.lang
    points, unplaced = _points(df, territories, labels)
    country_full = _country_panel(boundaries, ())
    on_islands = _on_islands(boundaries)
    # a place outside the country view (and not on the islands) has coordinates that are not Colombia's
    inside = [p for p in points if on_islands(p) or (
        country_full.lon_range[0] < p.lon < country_full.lon_range[1]
        and country_full.lat_range[0] < p.lat < country_full.lat_range[1])]
    kept = {p.territory_id for p in inside}
    unplaced += [p.name for p in points if p.territory_id not in kept]
    points = inside
    colour, component = colour_of(df, labels) if len(df) else (NEUTRAL, None)
    reference = None if whole is None or whole.empty else whole["participations_count"].max()
    top = scale_top([p.count for p in points], reference)
    dense = len(points) > DENSE_AT
    if dense:
        shrink = design.dense_label_font_px / design.label_font_px
        design = dataclasses.replace(design, label_font_px=design.dense_label_font_px,
                                     long_name_px=design.long_name_px * shrink, name_width_px=design.name_width_px * shrink)
    # the more territories the dataset has, the smaller its largest circle (so a map of many does
    # not bury the country under circles): counted in the whole dataset when given, so a filtered
    # map keeps the unfiltered map's scale
    n_scale = max(len(points), 0 if whole is None else whole["territory_id"].nunique())
    largest_px = largest_diameter_px(design, n_scale)
    counts = [p.count for p in points]
    diameters = dict(zip([p.territory_id for p in points], diameters_px(counts, top, largest_px)))

    # which places crowd, judged on the wide country view, so both variants zoom into the same places
    zoomed: list[list[Point]] = []
    mainland = [p for p in points if not on_islands(p)]
    if len(points) <= ZOOM_UP_TO and len(mainland) > 1:
        wide_largest = largest_diameter_px(WIDE, n_scale)
        wide_d = [d if d is not None else RING_PX for d in diameters_px([p.count for p in mainland], top, wide_largest)]
        wide_slot = _arrange(WIDE, country_full.size_u, [1]).country
        px_per_km = _scales(country_full, wide_slot)[0] / geo.KM_PER_DEGREE
        groups = [g for g in clusters(mainland, wide_d, px_per_km) if len(g) > 1]
        # the groups of most places first (most names are then read), then of most participations
        weight = {id(g): (len(g), sum(p.count or 0 for p in g)) for g in groups}
        zoomed = sorted(groups, key=lambda g: weight[id(g)], reverse=True)[:MAX_INSETS]
        zoomed = sorted(zoomed, key=lambda g: -max(p.lat for p in g))  # north first, as the panels are stacked
        zoomed = [_priority(g) for g in zoomed]
    in_insets = {p.territory_id for g in zoomed for p in g}

    # the title, the subtitle, the zoomed panels' titles and the notes, wrapped to the narrowest plot
    width = design.min_plot_width_px
    title_lines = wrap(title, width, design.title_font_px)
    if component:
        subtitle = i18n.t("map.subtitle_one" if layout == "wide" else "map.subtitle_one_short", lang,
                          component=labels.component(component))
    else:
        subtitle = i18n.t("map.subtitle_several" if layout == "wide" else "map.subtitle_several_short", lang)
    subtitle_lines = wrap(subtitle, width, design.subtitle_font_px)
    inset_width = width * (WIDE_INSETS_X[1] - WIDE_INSETS_X[0]) if layout == "wide" else width
    inset_titles = [_inset_title([p.name for p in g], FRAME_LETTERS[i], design, inset_width, lang)
                    for i, g in enumerate(zoomed)]
    title_counts = [len(t) for t in inset_titles]
    country = _with_room(
        Panel(1, country_full.lon_range, country_full.lat_range, tuple(p for p in points if p.territory_id not in in_insets)),
        diameters, on_islands, lambda panel: min(_scales(panel, _arrange(design, panel.size_u, title_counts).country,
                                                         design.min_plot_width_px / design.plot_width_px)),
    )
    key = key_value(top) if any(p.count is not None for p in points) else None
    arrangement = _arrange(design, country.size_u, title_counts, key is not None)

    fig = _Sketch()
    plot_w, plot_h = design.plot_width_px, arrangement.plot_height
    insets = [
        _fit_inset(_inset_panel(i + 2, g, " ".join(inset_titles[i]), slot, diameters), slot, diameters, design, lang)
        for i, (g, slot) in enumerate(zip(zoomed, arrangement.insets))
    ]

    # the country view: circles first (every label avoids them), the islands, the frames, labels
    axes = _axes(fig, country, arrangement.country.domain(plot_w, plot_h))
    _sea(fig, axes)
    _base_map(fig, boundaries, country, axes)
    scales = _scales(country, arrangement.country, design.min_plot_width_px / design.plot_width_px)
    scene = Scene(country.size_u, scales)
    island_radius = max([(diameters[p.territory_id] or RING_PX) / 2 for p in points if on_islands(p)], default=0)
    islands_centre = _islands_centre(boundaries, country, min(scales), island_radius)
    islands_box = _islands_box(boundaries, islands_centre)
    island_shift = islands_box[1] if islands_box else (0.0, 0.0)
    crowded: dict[str, Any] = {} if len(points) <= ZOOM_UP_TO else dict(leader_px=LEADER_PX[:1], versions=1)
    drawn = [_Drawn(country, scene, _circles_of(country, scene, diameters,
                                                lambda p: island_shift if on_islands(p) else (0.0, 0.0)),
                    **crowded)]
    _scale_bar(fig, country, scene, axes, 200, design, lang)
    _islands(fig, boundaries, country, scene, axes, islands_centre)
    _frames(fig, insets, country, scene, axes, design)
    _name_places(drawn[0], design, lang, MAX_NAMED if dense else None)
    panel_axes = [axes]
    for inset, slot in zip(insets, arrangement.insets):
        inset_axes = _axes(fig, inset, slot.domain(plot_w, plot_h))
        _sea(fig, inset_axes)
        _base_map(fig, boundaries, inset, inset_axes)
        d = _inset_scene(fig, inset, slot, diameters, design, lang, inset_axes)
        _name_places(d, design, lang, None)
        drawn.append(d)
        panel_axes.append(inset_axes)
    number = 1
    for d in (drawn[1:] if dense else drawn):  # a dense map numbers only the zoomed panels' places
        number = _number_places(d, design, lang, number)
    islands_noted = _islands_note(fig, boundaries, country, scene, axes, design, lang, islands_centre,
                                  [i for p, *_, i in drawn[0].places if on_islands(p)])
    for d, ax in zip(drawn, panel_axes):
        _draw_places(fig, d, ax, colour, design, lang)
    for d, ax, _slot, lines in zip(drawn[1:], panel_axes[1:], arrangement.insets, inset_titles):
        _department_labels(fig, boundaries, d.panel, d.scene, ax, design)
        _frame(fig, ax, d.panel.index)
        fig.add_annotation(
            x=0, y=1, **_in_domain(ax), xanchor="left", yanchor="bottom", yshift=4, showarrow=False, align="left",
            text="<br>".join(f"<b>{line}</b>" for line in lines), name=f"inset title {d.panel.index}", borderpad=0,
            font=dict(size=design.inset_title_font_px, color=charts.INK),
        )
    _frame(fig, axes, 1)

    if key is not None:
        _size_key(fig, arrangement.key, arrangement, design, colour, key, top, largest_px, lang)

    # notes under the map: places numbered, names left out, places not on the map, the sources
    notes = []
    numbered = sorted((n, p) for d in drawn for p in d.panel.points if p.territory_id in d.numbered
                      for n in [d.numbered[p.territory_id][0]])
    if numbered:
        items = [i18n.t("map.numbered_item", lang, n=n, name=p.name, count=i18n.number(p.count, lang)) for n, p in numbered]
        notes.append(i18n.t("map.numbered", lang, items=" · ".join(items)))
    # (a place of a small map with no room even for a number: named here, so it is still read)
    unmarked = [p for d in (drawn[1:] if dense else drawn) for p in _priority(d.panel.points)
                if p.territory_id not in d.labelled and p.territory_id not in d.numbered]
    if unmarked:
        items = [i18n.t("map.unmarked_item", lang, name=p.name, count=i18n.number(p.count, lang)) for p in unmarked]
        notes.append(i18n.t("map.unmarked", lang, items=", ".join(items)))
    named = sum(len(d.labelled) for d in drawn)
    if dense:
        notes.append(i18n.t("map.names_of_busiest", lang, n=named, total=i18n.number(len(points), lang)))
    if not islands_noted:
        notes.append(i18n.t("map.islands_in_notes", lang))
    if unplaced:
        notes.append(i18n.t("map.not_placed", lang, names=", ".join(unplaced)))
    notes.append(i18n.t("map.attribution", lang))
    note_lines = [line for note in notes for line in wrap(note, _text_room(width), design.note_font_px)]
    fig.add_annotation(
        x=0, y=0, xref="paper", yref="paper", yshift=-10, xanchor="left", yanchor="top", showarrow=False, align="left",
        text="<br>".join(note_lines), name="notes", borderpad=0, font=dict(size=design.note_font_px, color=charts.MUTED),
    )

    title_h = (FIRST_LINE + LINE_SPACING * (len(title_lines) - 1)) * design.title_font_px
    subtitle_h = (FIRST_LINE + LINE_SPACING * (len(subtitle_lines) - 1)) * design.subtitle_font_px
    margin_t = round(TITLE_TOP_PX + title_h + SUBTITLE_GAP_PX + subtitle_h + 16)
    margin_b = round(10 + (FIRST_LINE + LINE_SPACING * (len(note_lines) - 1)) * design.note_font_px + 12)
    side = design.side_margin_px
    fig.update_layout(
        template=charts.TEMPLATE,
        title=dict(
            text="<br>".join(title_lines), x=0, xref="paper", xanchor="left",
            y=1 - (TITLE_TOP_PX + TITLE_ASCENT * design.title_font_px) / (margin_t + plot_h + margin_b),
            yref="container", yanchor="bottom", font=dict(size=design.title_font_px),
            subtitle=dict(text="<br>".join(subtitle_lines), font=dict(size=design.subtitle_font_px, color=charts.MUTED)),
        ),
        separators=",." if lang == "es" else ".,",
        showlegend=False,
        height=round(margin_t + plot_h + margin_b),
        margin=dict(l=side, r=side, t=margin_t, b=margin_b),
        meta=dict(map_layout=layout, min_width_px=design.min_plot_width_px + 2 * side,
                  full_width_px=_full_width(country, arrangement, design)),
    )
    return fig.figure()


def _full_width(country: Panel, arrangement: Arrangement, design: Design) -> float:
    """The figure width (px) at which the country view has grown to its slot's full height: the
    widest it is worth drawing. Wider, the country stays as it is and only the space between it
    and the zoomed panels grows (stretched to a 1920 px screen, a slide would be a third empty)."""
    w_u, h_u = country.size_u
    slot = arrangement.country
    plot = design.plot_width_px * slot.height * w_u / (h_u * slot.width)
    return max(design.min_plot_width_px, plot) + 2 * design.side_margin_px
