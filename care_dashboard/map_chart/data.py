"""The map's data: the territories of a query result as points, the circles' colour and the scale
of their sizes, and the map's figures as a table (for its CSV).
"""

from __future__ import annotations

import math

import pandas as pd

from .. import charts, figures, i18n, rows
from ..labels import Labels
from ..typed_table import DECIMAL, Column, Table, count, text
from .design import FULL_SIZE_UP_TO, KEY_VALUES, NEUTRAL, WIDE, Design, Point


def _points(df: pd.DataFrame, territories: pd.DataFrame, labels: Labels) -> tuple[list[Point], list[str]]:
    """The territories of ``df`` with their coordinates; and the names of those without any."""
    ids = territories["territory_id"].tolist()
    lats, lons = dict(zip(ids, territories["latitude"].tolist())), dict(zip(ids, territories["longitude"].tolist()))
    points: list[Point] = []
    unplaced: list[str] = []
    for row in rows.records(df):
        tid = row["territory_id"]
        name = labels.territory(tid)
        lat, lon = lats.get(tid), lons.get(tid)
        if lat is None or lon is None or pd.isna(lat) or pd.isna(lon):
            unplaced.append(name)
            continue
        count = None if pd.isna(row["participations_count"]) else float(row["participations_count"])
        points.append(Point(tid, name, float(lon), float(lat), count, figures.participations_note(row, labels)))
    return points, unplaced


def colour_of(df: pd.DataFrame, labels: Labels) -> tuple[str, str | None]:
    """The circles' colour and the component it stands for: that component's colour on this
    dataset (``charts.component_colour``: the same as in every other chart) when the rows hold
    exactly one component, a neutral grey (component None) for several together."""
    components = sorted({c for ids in df["component_ids"] for c in ids})
    if len(components) == 1:
        return charts.component_colour(components[0], labels), components[0]
    return NEUTRAL, None


def scale_top(counts: list[float | None], reference: float | None = None) -> float:
    """The count drawn at the largest diameter: the largest of ``reference`` (the largest count of
    the whole dataset, so circles keep one size whatever the filters) and the counts shown."""
    known = [c for c in counts if c is not None]
    candidates = [*known, *([] if reference is None or pd.isna(reference) else [float(reference)])]
    return max(candidates, default=0.0)


def diameters_px(counts: list[float | None], top: float, largest_px: float = WIDE.max_diameter_px) -> list[float | None]:
    """Circle diameters in pixels, so a circle's AREA is proportional to its count; a count of
    ``top`` gets ``largest_px``. None (not published) stays None: no circle, never a zero."""
    return [None if c is None else (largest_px * math.sqrt(c / top) if top > 0 else 0.0) for c in counts]


def largest_diameter_px(design: Design, territories: int) -> float:
    """The diameter of the largest count's circle on a map of ``territories``: the design's
    largest up to ``FULL_SIZE_UP_TO``, then shrinking as 1/√n (so the circles' total area stays
    about the same) down to its ``dense_max_diameter_px``."""
    if territories <= FULL_SIZE_UP_TO:
        return design.max_diameter_px
    return max(design.dense_max_diameter_px, design.max_diameter_px * math.sqrt(FULL_SIZE_UP_TO / territories))


def key_value(top: float) -> int | None:
    """A round count for the size key, at most 40 % of ``top``."""
    fitting = [v for v in KEY_VALUES if v <= top * 0.4]
    return fitting[-1] if fitting else (KEY_VALUES[0] if top >= 1 else None)


def map_table(df: pd.DataFrame, territories: pd.DataFrame, labels: Labels) -> Table:
    """The map's figures as a table (for its CSV): territory, department, coordinates, the
    participations drawn, and the components whose count is not published and so not in it."""
    lang = labels.lang
    known = territories["territory_id"].tolist()

    def column(name: str) -> dict:
        return dict(zip(known, territories[name].tolist()))

    department, lat, lon = column("department_name"), column("latitude"), column("longitude")
    ids = df["territory_id"].tolist()
    return Table((
        text(i18n.t("columns.territory", lang), [labels.territory(t) for t in ids]),
        text(i18n.t("map.column_department", lang), [department.get(t) for t in ids]),
        Column(i18n.t("map.column_latitude", lang), [lat.get(t) for t in ids], DECIMAL),
        Column(i18n.t("map.column_longitude", lang), [lon.get(t) for t in ids], DECIMAL),
        count(i18n.t("columns.participations", lang), df["participations_count"]),
        text(i18n.t("map.column_not_in_sum", lang), [
            ", ".join(labels.component(c) for c in missing) for missing in df["components_not_published"].tolist()
        ]),
    ), lang)
